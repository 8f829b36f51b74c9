/* quic/cc.c with quic/cc_newreno.c (RFC 9002 7): the initial window,
 * slow start, the app-limited rule, the recovery period, persistent
 * congestion, the minimum window, NewReno's halving and linear growth,
 * and the pacer. Expected values are worked out in the comments.
 *
 * On Linux this program links quic/cc.c and quic/cc_newreno.c itself
 * (tests/unit/module.mk), whatever QUIC_CC chose for libtern.a. */
#include <string.h>

#include "unit.h"
#include "quic/cc.h"
#include "cc_util.h"

static void test_initial_window(void **state)
{
	struct quic_cc cc;

	assert_string_equal(quic_cc_algo_name, "newreno");
	/* min(10 * mds, max(14720, 2 * mds)) */
	quic_cc_init(&cc, 1200);        /* min(12000, 14720) */
	assert_int_equal(cc.cwnd, 12000);
	assert_int_equal(cc.mds, 1200);
	assert_true(cc.ssthresh == UINT64_MAX);
	assert_true(quic_cc_in_slow_start(&cc));
	assert_int_equal(cc.recovery_start, 0);
	assert_int_equal(cc.stats.congestion_events, 0);
	assert_int_equal(cc.stats.cwnd_min_seen, 0);
	quic_cc_init(&cc, 1500);        /* min(15000, 14720) */
	assert_int_equal(cc.cwnd, 14720);
	quic_cc_init(&cc, 9000);        /* min(90000, max(14720, 18000)) */
	assert_int_equal(cc.cwnd, 18000);

	/* in_flight + bytes <= cwnd */
	quic_cc_init(&cc, 1200);
	assert_true(quic_cc_can_send(&cc, 0, 1200));
	assert_true(quic_cc_can_send(&cc, 10800, 1200));
	assert_false(quic_cc_can_send(&cc, 10801, 1200));
	assert_false(quic_cc_can_send(&cc, 12000, 1));
}

static void test_slow_start_doubles_per_rtt(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(100 * MS);
	uint64_t now = 1 * SEC;

	quic_cc_init(&cc, 1200);
	/* each round acks the whole window: 10, 20, 40, 80 datagrams */
	for (uint64_t want = 24000; want <= 192000; want *= 2) {
		ack_round(&cc, &rtt, &now, cc.cwnd);
		assert_int_equal(cc.cwnd, want);
	}
	assert_true(quic_cc_in_slow_start(&cc));
	/* one byte per byte acked, also for a short datagram */
	quic_cc_on_acked(&cc, 77, now - 1, &rtt, false, now);
	assert_int_equal(cc.cwnd, 192077);
}

static void test_app_limited_no_growth(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(100 * MS);
	uint64_t now = 1 * SEC;

	quic_cc_init(&cc, 1200);
	/* slow start */
	for (int i = 0; i < 20; i++)
		quic_cc_on_acked(&cc, 1200, now - 50 * MS, &rtt, true, now);
	assert_int_equal(cc.cwnd, 12000);
	/* congestion avoidance: halved to 6000; the bytes are not even
	 * counted towards the next datagram of growth */
	quic_cc_on_congestion(&cc, now - 50 * MS, false, now);
	assert_int_equal(cc.cwnd, 6000);
	now += 200 * MS;
	for (int i = 0; i < 20; i++)
		quic_cc_on_acked(&cc, 1200, now - 50 * MS, &rtt, true, now);
	assert_int_equal(cc.cwnd, 6000);
	assert_int_equal(cc.algo.newreno.acked, 0);
	/* the same acks not app-limited: 5 x 1200 = one window, +1200 */
	for (int i = 0; i < 5; i++)
		quic_cc_on_acked(&cc, 1200, now - 50 * MS, &rtt, false, now);
	assert_int_equal(cc.cwnd, 7200);
}

static void test_recovery_period(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(100 * MS);
	uint64_t t0 = 10 * SEC;

	quic_cc_init(&cc, 1200);
	/* the loss of a packet sent at t0 - 100 ms, found at t0: 12000 -> 6000 */
	quic_cc_on_congestion(&cc, t0 - 100 * MS, false, t0);
	assert_int_equal(cc.cwnd, 6000);
	assert_int_equal(cc.ssthresh, 6000);
	assert_int_equal(cc.recovery_start, t0);
	assert_int_equal(cc.stats.congestion_events, 1);
	assert_int_equal(cc.stats.cwnd_min_seen, 6000);

	/* more losses of packets sent before (or at) t0: the same event */
	quic_cc_on_congestion(&cc, t0 - 1, false, t0 + 20 * MS);
	quic_cc_on_congestion(&cc, t0, false, t0 + 30 * MS);
	quic_cc_on_congestion(&cc, t0 - 50 * MS, true, t0 + 40 * MS);
	assert_int_equal(cc.cwnd, 6000);
	assert_int_equal(cc.recovery_start, t0);
	assert_int_equal(cc.stats.congestion_events, 1);
	/* the CE report is counted all the same (cwnd was not cut for it) */
	assert_int_equal(cc.stats.ecn_ce, 1);

	/* acks of packets sent before (or at) t0 grow nothing, not even the
	 * count towards the next datagram */
	for (int i = 0; i < 10; i++)
		quic_cc_on_acked(&cc, 1200, t0 - (uint64_t)i * MS, &rtt, false, t0 + 50 * MS);
	assert_int_equal(cc.cwnd, 6000);
	assert_int_equal(cc.algo.newreno.acked, 0);

	/* a packet sent after t0 acked: the recovery period is over and
	 * congestion avoidance counts it */
	quic_cc_on_acked(&cc, 1200, t0 + 1, &rtt, false, t0 + 101 * MS);
	assert_int_equal(cc.algo.newreno.acked, 1200);
	assert_int_equal(cc.cwnd, 6000);

	/* a loss of a packet sent after t0 is a new event: 6000 -> 3000 */
	quic_cc_on_congestion(&cc, t0 + 2 * MS, true, t0 + 150 * MS);
	assert_int_equal(cc.cwnd, 3000);
	assert_int_equal(cc.recovery_start, t0 + 150 * MS);
	assert_int_equal(cc.stats.congestion_events, 2);
	assert_int_equal(cc.stats.ecn_ce, 2);
	assert_int_equal(cc.algo.newreno.acked, 0);
	assert_int_equal(cc.stats.cwnd_min_seen, 3000);
}

static void test_newreno_halving_and_linear_growth(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(50 * MS);
	uint64_t now = 1 * SEC;

	quic_cc_init(&cc, 1200);
	ack_round(&cc, &rtt, &now, cc.cwnd);
	ack_round(&cc, &rtt, &now, cc.cwnd);
	assert_int_equal(cc.cwnd, 48000);
	/* kLossReductionFactor 0.5: ssthresh = cwnd = 24000 */
	quic_cc_on_congestion(&cc, now - 10 * MS, false, now);
	assert_int_equal(cc.ssthresh, 24000);
	assert_int_equal(cc.cwnd, 24000);
	assert_false(quic_cc_in_slow_start(&cc));

	/* one datagram per window acked: 19 x 1200 = 22800 < 24000 ... */
	now += 60 * MS;
	for (int i = 0; i < 19; i++)
		quic_cc_on_acked(&cc, 1200, now - 50 * MS, &rtt, false, now);
	assert_int_equal(cc.cwnd, 24000);
	/* ... the 20th completes 24000: +1200 */
	quic_cc_on_acked(&cc, 1200, now - 50 * MS, &rtt, false, now);
	assert_int_equal(cc.cwnd, 25200);
	assert_int_equal(cc.algo.newreno.acked, 0);
	/* the next step needs 25200 = 21 x 1200 */
	for (int i = 0; i < 20; i++)
		quic_cc_on_acked(&cc, 1200, now - 50 * MS, &rtt, false, now);
	assert_int_equal(cc.cwnd, 25200);
	quic_cc_on_acked(&cc, 1200, now - 50 * MS, &rtt, false, now);
	assert_int_equal(cc.cwnd, 26400);
	/* byte-exact with odd sizes: 26400 = 26399 + 1 */
	quic_cc_on_acked(&cc, 26399, now - 50 * MS, &rtt, false, now);
	assert_int_equal(cc.cwnd, 26400);
	quic_cc_on_acked(&cc, 1, now - 50 * MS, &rtt, false, now);
	assert_int_equal(cc.cwnd, 27600);

	/* ten RTTs of whole-window acks: exactly ten datagrams more */
	for (int r = 0; r < 10; r++) {
		uint64_t before = cc.cwnd;

		ack_round(&cc, &rtt, &now, cc.cwnd);
		assert_int_equal(cc.cwnd, before + 1200);
	}
	assert_int_equal(cc.cwnd, 27600 + 12000);

	/* an odd window halves down: 39601 / 2 = 19800 */
	cc.cwnd = 39601;
	quic_cc_on_congestion(&cc, now - 1, false, now);
	assert_int_equal(cc.cwnd, 19800);
	assert_int_equal(cc.ssthresh, 19800);
}

static void test_min_window(void **state)
{
	static const uint32_t mds[] = { 1200, 1500, 9000 };

	for (unsigned m = 0; m < sizeof(mds) / sizeof(mds[0]); m++) {
		struct quic_cc cc;
		uint64_t now = 1 * SEC;

		quic_cc_init(&cc, mds[m]);
		for (int i = 0; i < 20; i++) {
			quic_cc_on_congestion(&cc, now - 1, i & 1, now);
			now += 100 * MS;
			assert_true(cc.cwnd >= 2 * (uint64_t)mds[m]);
		}
		assert_int_equal(cc.cwnd, 2 * mds[m]);
		assert_int_equal(cc.stats.congestion_events, 20);
		assert_int_equal(cc.stats.ecn_ce, 10);
		assert_int_equal(cc.stats.cwnd_min_seen, 2 * mds[m]);
	}
	/* 1200: 12000 -> 6000 -> 3000 -> max(1500, 2400); ssthresh is not
	 * raised to the minimum window (B.6), only cwnd is */
	struct quic_cc cc;

	quic_cc_init(&cc, 1200);
	quic_cc_on_congestion(&cc, 1, false, 2);
	quic_cc_on_congestion(&cc, 3, false, 4);
	assert_int_equal(cc.cwnd, 3000);
	quic_cc_on_congestion(&cc, 5, false, 6);
	assert_int_equal(cc.cwnd, 2400);
	assert_int_equal(cc.ssthresh, 1500);
	assert_false(quic_cc_in_slow_start(&cc));
}

static void test_persistent_congestion(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(100 * MS);
	uint64_t now = 1 * SEC, t_loss;

	quic_cc_init(&cc, 1200);
	ack_round(&cc, &rtt, &now, cc.cwnd);
	ack_round(&cc, &rtt, &now, cc.cwnd);
	assert_int_equal(cc.cwnd, 48000);
	/* the loss event first (B.8), then persistent congestion */
	t_loss = now;
	quic_cc_on_congestion(&cc, now - 200 * MS, false, t_loss);
	assert_int_equal(cc.cwnd, 24000);
	quic_cc_on_persistent_congestion(&cc, now);
	assert_int_equal(cc.cwnd, 2400);
	assert_int_equal(cc.ssthresh, 24000);       /* kept */
	assert_int_equal(cc.recovery_start, 0);     /* recovery over */
	assert_int_equal(cc.stats.persistent, 1);
	assert_int_equal(cc.stats.congestion_events, 1);
	assert_int_equal(cc.stats.cwnd_min_seen, 2400);
	assert_true(quic_cc_in_slow_start(&cc));

	/* slow start again, even with packets sent before t_loss: the
	 * recovery period ended with the collapse */
	quic_cc_on_acked(&cc, 1200, t_loss - 1, &rtt, false, now + 1);
	assert_int_equal(cc.cwnd, 3600);
	/* and the next loss is a new event: 3600 / 2 = 1800, cwnd 2400 */
	quic_cc_on_congestion(&cc, t_loss - 1, false, now + 2);
	assert_int_equal(cc.stats.congestion_events, 2);
	assert_int_equal(cc.ssthresh, 1800);
	assert_int_equal(cc.cwnd, 2400);
}

/* ---- pacer ---- */

/* Enter congestion avoidance at the given window (white box: cc.c's
 * rate depends only on cwnd and whether cwnd < ssthresh). */
static void set_ca(struct quic_cc *cc, uint64_t cwnd)
{
	cc->cwnd = cwnd;
	cc->ssthresh = cwnd;
}

static void test_pacer_burst_then_interval(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(33333333);
	uint64_t t0 = 5 * SEC, next;

	quic_cc_init(&cc, 1200);
	set_ca(&cc, 100000);
	/* a burst of ten datagrams leaves at once ... */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(quic_cc_pace_time(&cc, &rtt, t0), t0);
		assert_true(quic_cc_can_send(&cc, (uint64_t)i * 1200, 1200));
		quic_cc_on_sent(&cc, 1200, t0);
	}
	/* ... the eleventh waits for 1200 bytes at 5/4 * cwnd / srtt:
	 * 1200 * 33333333 * 4 / (100000 * 5) = 319999.9968 -> 320000 ns */
	next = quic_cc_pace_time(&cc, &rtt, t0);
	assert_int_equal(next, t0 + 320000);
	/* not a nanosecond early */
	assert_int_equal(quic_cc_pace_time(&cc, &rtt, next - 1), next);
	/* and then one every 320000 ns, sending when allowed */
	for (int i = 0; i < 50; i++) {
		uint64_t at = quic_cc_pace_time(&cc, &rtt, next);

		assert_int_equal(at, next);
		quic_cc_on_sent(&cc, 1200, next);
		uint64_t after = quic_cc_pace_time(&cc, &rtt, next);

		assert_int_equal(after, next + 320000);
		next = after;
	}
	/* a quiet second refills the bucket to ten datagrams, no more */
	next += 1 * SEC;
	for (int i = 0; i < 10; i++) {
		assert_int_equal(quic_cc_pace_time(&cc, &rtt, next), next);
		quic_cc_on_sent(&cc, 1200, next);
	}
	assert_true(quic_cc_pace_time(&cc, &rtt, next) > next);
}

/* Polling more often than a byte's worth of time must not lose the
 * fractions: at 100000 * 5/4 / 33.33 ms = 3.75 bytes per us, a poll every
 * microsecond credits 3 bytes and keeps the rest. */
static void test_pacer_fine_polling(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(33333333);
	uint64_t t0 = 5 * SEC, t;

	quic_cc_init(&cc, 1200);
	set_ca(&cc, 100000);
	quic_cc_pace_time(&cc, &rtt, t0);
	for (int i = 0; i < 10; i++)
		quic_cc_on_sent(&cc, 1200, t0);
	for (t = t0; quic_cc_pace_time(&cc, &rtt, t) > t; t += 1000)
		;
	assert_int_equal(t, t0 + 320000);
}

static void test_pacer_slow_start_rate(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(100 * MS);
	uint64_t t0 = 1 * SEC;

	quic_cc_init(&cc, 1200);
	assert_true(quic_cc_in_slow_start(&cc));
	for (int i = 0; i < 10; i++) {
		assert_int_equal(quic_cc_pace_time(&cc, &rtt, t0), t0);
		quic_cc_on_sent(&cc, 1200, t0);
	}
	/* 2 * cwnd / srtt in slow start: 1200 * 100 ms / (12000 * 2) = 5 ms */
	assert_int_equal(quic_cc_pace_time(&cc, &rtt, t0), t0 + 5 * MS);
}

static void test_pacer_uses_smoothed_rtt(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = {
		.latest = 2 * MS, .smoothed = 100 * MS, .var = 7 * MS, .min = 1 * MS,
		.have_sample = true,
	};
	uint64_t t0 = 1 * SEC;

	quic_cc_init(&cc, 1200);
	set_ca(&cc, 100000);
	for (int i = 0; i < 10; i++)
		quic_cc_on_sent(&cc, 1200, t0);
	/* 1200 * 100 ms * 4 / (100000 * 5) = 960 us */
	assert_int_equal(quic_cc_pace_time(&cc, &rtt, t0), t0 + 960000);
	/* half the srtt, twice the rate: 480 us */
	rtt.smoothed = 50 * MS;
	assert_int_equal(quic_cc_pace_time(&cc, &rtt, t0), t0 + 480000);
}

static void test_pacer_no_overflow(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(10 * SEC);
	uint64_t t0 = 1ull << 62;

	/* 1 GB window, 10 s srtt: 1200 * 10^10 * 4 / (2^30 * 5)
	 * = 8940.70 -> 8941 ns */
	quic_cc_init(&cc, 1200);
	set_ca(&cc, 1ull << 30);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(quic_cc_pace_time(&cc, &rtt, t0), t0);
		quic_cc_on_sent(&cc, 1200, t0);
	}
	assert_int_equal(quic_cc_pace_time(&cc, &rtt, t0), t0 + 8941);
	/* 2^62 ns later: a full bucket again, nothing wrapped */
	assert_int_equal(quic_cc_pace_time(&cc, &rtt, 2 * t0), 2 * t0);
	assert_int_equal(cc.pace_tokens, 12000);

	/* the other extreme: 2 datagrams of window over 10 s:
	 * 1200 * 10^10 * 4 / (2400 * 5) = 4 s per datagram */
	set_ca(&cc, 2400);
	for (int i = 0; i < 10; i++)
		quic_cc_on_sent(&cc, 1200, 2 * t0);
	assert_int_equal(quic_cc_pace_time(&cc, &rtt, 2 * t0), 2 * t0 + 4 * SEC);
	/* a time that would wrap saturates instead */
	uint64_t late = UINT64_MAX - SEC;

	quic_cc_init(&cc, 1200);
	set_ca(&cc, 2400);
	quic_cc_pace_time(&cc, &rtt, late);
	for (int i = 0; i < 10; i++)
		quic_cc_on_sent(&cc, 1200, late);
	assert_true(quic_cc_pace_time(&cc, &rtt, late) == UINT64_MAX);

	/* an srtt of hours and a window of terabytes: still a sane answer,
	 * 1200 * 3600 s * 4 / (2^40 * 5) = 3143.2 -> 3144 ns */
	rtt = rtt_of(3600 * SEC);
	quic_cc_init(&cc, 1200);
	set_ca(&cc, 1ull << 40);
	for (int i = 0; i < 10; i++)
		quic_cc_on_sent(&cc, 1200, t0);
	assert_int_equal(quic_cc_pace_time(&cc, &rtt, t0), t0 + 3144);
}

static void test_algorithm_not_linked(void **state)
{
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_initial_window),
		UNIT_TEST(test_slow_start_doubles_per_rtt),
		UNIT_TEST(test_app_limited_no_growth),
		UNIT_TEST(test_recovery_period),
		UNIT_TEST(test_newreno_halving_and_linear_growth),
		UNIT_TEST(test_min_window),
		UNIT_TEST(test_persistent_congestion),
		UNIT_TEST(test_pacer_burst_then_interval),
		UNIT_TEST(test_pacer_fine_polling),
		UNIT_TEST(test_pacer_slow_start_rate),
		UNIT_TEST(test_pacer_uses_smoothed_rtt),
		UNIT_TEST(test_pacer_no_overflow),
	};

	/* A bare-metal board links every suite into one image with the one
	 * algorithm QUIC_CC chose; there, this suite is skipped unless that
	 * is NewReno. Elsewhere it always links quic/cc_newreno.c. */
	if (strcmp(quic_cc_algo_name, "newreno") && !IS_ENABLED(CONFIG_QUIC_CC_NEWRENO)) {
		print_message("cc_newreno: %s linked instead, skipped\n", quic_cc_algo_name);
		const struct CMUnitTest none[] = { cmocka_unit_test(test_algorithm_not_linked) };

		return cmocka_run_group_tests(none, NULL, NULL);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
