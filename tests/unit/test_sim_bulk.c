/* Bulk throughput over the simulator: one large file from the server over
 * a 100 Mbit/s bottleneck with a 20 ms round trip, with the congestion
 * controller Kconfig chose (CUBIC by default). Virtual time, so the
 * numbers are the same on every run and every machine.
 *
 * Built in the `bulk` step of make test, with configs/fragments/bulk.config
 * (512 KB stream windows): with the default 4 KB windows flow control,
 * not the controller, sets the rate. Elsewhere it skips itself.
 *
 *   - congestion loss only (a drop-tail queue of one BDP): goodput must
 *     reach 80% of the link rate;
 *   - with ECN, CE marks from a quarter BDP of queue and no drops: 80%
 *     too, without a single loss;
 *   - 1% random loss on top: reported, and held to a floor. A controller
 *     that takes every loss as congestion (RFC 9002 7, RFC 9438) cannot
 *     approach the link rate there: at p = 1% the Reno/CUBIC response
 *     functions give a window of about 1.22 / sqrt(p) = 12 datagrams,
 *     some 6 Mbit/s at 20 ms. The measured figure is printed; the
 *     floor is well under the model, against a collapse.
 */
#include <string.h>

#include "unit.h"
#include "quic/cc.h"
#include "tests/sim/quic_pair.h"

#define LINK_BPS      100000000ull                  /* bits per second */
#define ONE_WAY_NS    10000000ull                   /* 10 ms: 20 ms RTT */
#define BDP_BYTES     (LINK_BPS / 8 * 2 * ONE_WAY_NS / SIM_NS_PER_S)  /* 250 KB */

static bool bulk_config(void)
{
	return QUIC_STREAM_RX_WINDOW >= 2 * BDP_BYTES && QUIC_STREAM_TX_WINDOW >= 2 * BDP_BYTES;
}

/* Fetch one file of `size` bytes; returns goodput in per mille of the
 * link rate (stream bytes over the time from the request to the last
 * byte read). */
static unsigned bulk(uint64_t size, uint16_t loss_pm, bool ecn, uint64_t seed, uint64_t max_s)
{
	/* with ECN the queue marks CE from a quarter BDP on and is deep
	 * enough never to drop */
	struct sim_link_cfg link = {
		.delay_ns = ONE_WAY_NS, .loss_pm = loss_pm,
		.rate_Bps = LINK_BPS / 8, .queue_bytes = (uint32_t)(ecn ? 4 : 1) * BDP_BYTES,
		.ce_queue_bytes = ecn ? (uint32_t)BDP_BYTES / 4 : 0,
	};
	const uint64_t sizes[1] = { size };
	uint64_t t0, t;
	unsigned pm;

	setup_pair(seed, QUIC_RETRY_NEVER, &link);
	if (sim_run(&sim, sim.now + 10 * SIM_NS_PER_S, confirmed, NULL) != 0)
		fail_msg("no handshake");
	t0 = sim.now;
	pair_fetch_start(sizes, 1, 1);
	if (sim_run(&sim, t0 + max_s * SIM_NS_PER_S, pair_fetch_step, NULL) != 0) {
		pair_dump("bulk transfer did not finish");
		fail_msg("%llu of %llu bytes in %llu s", (unsigned long long)pair_files_bytes(),
			 (unsigned long long)size, (unsigned long long)max_s);
	}
	t = sim.now - t0;
	assert_int_equal(app.bad_bytes, 0);
	assert_int_equal(pair_compare(NULL), 0);
	pair_assert_files();
	pm = (unsigned)(size * 8 * SIM_NS_PER_S / t * 1000 / LINK_BPS);

	struct quic_conn *s = server_conn();

	print_message("  %llu MB, %u.%u%% loss%s, %s: %.2f s virtual, goodput %.1f Mbit/s = %u.%u%% "
		      "of the link; server: %u lost, %u congestion events (%u CE), %u PTO, cwnd now "
		      "%llu, queue drops %llu\n",
		      (unsigned long long)(size >> 20), loss_pm / 10, loss_pm % 10,
		      ecn ? ", ECN" : "",
		      quic_cc_algo_name, (double)t / 1e9, (double)size * 8 / ((double)t / 1e9) / 1e6,
		      pm / 10, pm % 10, s ? s->rec.stats.lost : 0,
		      s ? s->rec.cc.stats.congestion_events : 0, s ? s->rec.cc.stats.ecn_ce : 0,
		      s ? s->rec.stats.pto : 0,
		      s ? (unsigned long long)s->rec.cc.cwnd : 0ull,
		      (unsigned long long)sim.dir[1].stats.drop_queue);
	teardown_pair();
	return pm;
}

static void test_50mb_congestion_loss(void **state)
{
	(void)state;
	if (!bulk_config())
		skip();
	assert_true(bulk(50u << 20, 0, false, 31, 60) >= 800);
}

static void test_50mb_random_loss_1pct(void **state)
{
	(void)state;
	if (!bulk_config())
		skip();
	/* the model: 1.22 / sqrt(0.01) datagrams of 1200 bytes per 20 ms,
	 * 5.9 Mbit/s; measured 5.8 (CUBIC). The floor, 4%, catches a
	 * controller that collapses (PTOs, persistent congestion) */
	assert_true(bulk(50u << 20, 10, false, 32, 600) >= 40);
}

/* CE marks instead of drops (RFC 9002 7.1): the same rate, no loss */
static void test_50mb_ecn(void **state)
{
	(void)state;
	assert_true(bulk(50u << 20, 0, true, 33, 60) >= 800);
	assert_true(sim.dir[1].stats.ce_marked > 0);
	assert_int_equal(sim.dir[1].stats.drop_queue, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_50mb_congestion_loss),
		UNIT_TEST(test_50mb_random_loss_1pct),
		UNIT_TEST(test_50mb_ecn),
	};

	return cmocka_run_group_tests_name("sim_bulk", tests, NULL, NULL);
}
