/* ECN over the simulator (RFC 9000 13.4, RFC 9002 7.1; the interop
 * runner's ecn case): datagrams leave marked ECT(0), the receiver counts
 * the codepoints and reports them in ACK_ECN frames, the sender validates
 * the counts and keeps marking; a path that clears the field fails the
 * validation and marking stops, the transfer unharmed; a CE mark at the
 * bottleneck is a congestion event without a loss; an endpoint whose
 * port cannot do ECN never marks. */
#include <string.h>

#include "unit.h"
#include "quic/recovery.h"
#include "tests/sim/quic_pair.h"

static void fetch(uint64_t size, const struct sim_link_cfg *link, uint64_t seed)
{
	const uint64_t sizes[1] = { size };

	setup_pair(seed, QUIC_RETRY_NEVER, link);
	if (sim_run(&sim, sim.now + 10 * SIM_NS_PER_S, confirmed, NULL) != 0)
		fail_msg("no handshake");
	pair_fetch_start(sizes, 1, 1);
	if (sim_run(&sim, sim.now + 60 * SIM_NS_PER_S, pair_fetch_step, NULL) != 0) {
		pair_dump("ecn transfer");
		fail_msg("transfer did not finish");
	}
	assert_int_equal(app.bad_bytes, 0);
	assert_int_equal(pair_compare(NULL), 0);
	pair_assert_files();
}

static void test_ecn_validated(void **state)
{
	struct sim_link_cfg link = { .delay_ns = 10000000 };
	struct quic_conn *c, *s;

	(void)state;
	fetch(200000, &link, 1);
	c = client();
	s = server_conn();
	/* both validated ECN and still mark everything */
	assert_int_equal(c->rec.ecn, QUIC_ECN_CAPABLE);
	assert_int_equal(s->rec.ecn, QUIC_ECN_CAPABLE);
	assert_int_equal(sim.dir[0].stats.ect_sent, sim.dir[0].stats.sent);
	assert_true(sim.dir[1].stats.ect_sent + 1 >= sim.dir[1].stats.sent);  /* not a Retry/VN */
	/* the receivers counted them and reported: the client saw ECT(0) in
	 * every 1-RTT packet it got */
	assert_true(c->space[QUIC_SPACE_APP].ecn_rx[0] > 100);
	assert_int_equal(c->space[QUIC_SPACE_APP].ecn_rx[2], 0);
	assert_true(s->rec.sp[QUIC_SPACE_APP].peer_ecn[0] > 100);
	assert_int_equal(s->rec.cc.stats.ecn_ce, 0);
	print_message("  ecn: %llu of %llu server datagrams ECT(0); client counted %llu\n",
		      (unsigned long long)sim.dir[1].stats.ect_sent,
		      (unsigned long long)sim.dir[1].stats.sent,
		      (unsigned long long)c->space[QUIC_SPACE_APP].ecn_rx[0]);
	teardown_pair();
}

static void test_ecn_bleached(void **state)
{
	struct sim_link_cfg link = { .delay_ns = 10000000, .ecn_bleach = true };
	struct quic_conn *c, *s;

	(void)state;
	fetch(200000, &link, 2);
	c = client();
	s = server_conn();
	/* marked packets acknowledged with no counts: given up (reason 1) */
	assert_int_equal(s->rec.ecn, QUIC_ECN_FAILED);
	assert_int_equal(s->rec.stats.ecn_fail, 1);
	assert_int_equal(c->rec.ecn, QUIC_ECN_FAILED);
	/* only the testing datagrams were marked */
	assert_true(sim.dir[1].stats.ect_sent <= QUIC_ECN_TESTING_DGRAMS);
	assert_true(sim.dir[1].stats.sent > 100);
	teardown_pair();
}

static void test_ecn_ce_is_congestion(void **state)
{
	/* 10 Mbit/s, a deep queue that never drops; CE once 15 KB wait */
	struct sim_link_cfg link = {
		.delay_ns = 10000000, .rate_Bps = 1250000, .queue_bytes = 1000000,
		.ce_queue_bytes = 15000,
	};
	struct quic_conn *s;

	(void)state;
	/* several files at once, so that more than a stream window is in
	 * flight and the queue builds */
	setup_pair(3, QUIC_RETRY_NEVER, &link);
	if (sim_run(&sim, sim.now + 10 * SIM_NS_PER_S, confirmed, NULL) != 0)
		fail_msg("no handshake");
	const uint64_t sizes[1] = { 300000 };

	pair_fetch_start(sizes, 1, 8);
	if (sim_run(&sim, sim.now + 60 * SIM_NS_PER_S, pair_fetch_step, NULL) != 0) {
		pair_dump("ecn ce transfer");
		fail_msg("transfer did not finish");
	}
	assert_int_equal(pair_compare(NULL), 0);
	s = server_conn();
	print_message("  ecn-ce: %llu datagrams marked CE, server %u CE reports, %u congestion "
		      "events, %u lost, queue drops %llu\n",
		      (unsigned long long)sim.dir[1].stats.ce_marked, s->rec.cc.stats.ecn_ce,
		      s->rec.cc.stats.congestion_events, s->rec.stats.lost,
		      (unsigned long long)sim.dir[1].stats.drop_queue);
	assert_true(sim.dir[1].stats.ce_marked > 0);
	assert_true(s->rec.cc.stats.ecn_ce > 0);
	assert_true(s->rec.cc.stats.congestion_events > 0);
	assert_int_equal(sim.dir[1].stats.drop_queue, 0);
	assert_int_equal(s->rec.ecn, QUIC_ECN_CAPABLE);
	teardown_pair();
}

static void test_no_ecn_port(void **state)
{
	struct sim_link_cfg link = { .delay_ns = 10000000 };

	(void)state;
	pair_next.no_ecn = true;
	fetch(50000, &link, 4);
	assert_int_equal(sim.dir[0].stats.ect_sent, 0);
	assert_int_equal(sim.dir[1].stats.ect_sent, 0);
	teardown_pair();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_ecn_validated),
		UNIT_TEST(test_ecn_bleached),
		UNIT_TEST(test_ecn_ce_is_congestion),
		UNIT_TEST(test_no_ecn_port),
	};

	return cmocka_run_group_tests_name("sim_ecn", tests, NULL, NULL);
}
