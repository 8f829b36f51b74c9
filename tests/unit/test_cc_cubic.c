/* quic/cc.c with quic/cc_cubic.c (RFC 9438): the reduction to 0.7, fast
 * convergence, K, the concave and convex curve around W_max in virtual
 * time, the Reno-friendly region, the 1.5 * cwnd target clamp, and the
 * shared rules (slow start, recovery period, persistent congestion, the
 * minimum window) with CUBIC's reductions. Expected values are worked
 * out in the comments (C = 0.4, beta = 0.7, alpha = 9/17).
 *
 * On Linux this program links quic/cc.c and quic/cc_cubic.c itself
 * (tests/unit/module.mk), whatever QUIC_CC chose for libtern.a. */
#include <string.h>

#include "unit.h"
#include "quic/cc.h"
#include "cc_util.h"

/* A window of `cwnd` lost at t: a congestion event for a packet sent
 * just before (white box: the window is set directly, in slow start). */
static void lose_at(struct quic_cc *cc, uint64_t cwnd, uint64_t t)
{
	cc->cwnd = cwnd;
	quic_cc_on_congestion(cc, t - 1, false, t);
}

static void test_initial_and_slow_start(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(100 * MS);
	uint64_t now = 1 * SEC;

	assert_string_equal(quic_cc_algo_name, "cubic");
	quic_cc_init(&cc, 1200);
	assert_int_equal(cc.cwnd, 12000);
	assert_true(cc.ssthresh == UINT64_MAX);
	quic_cc_init(&cc, 1500);
	assert_int_equal(cc.cwnd, 14720);
	quic_cc_init(&cc, 9000);
	assert_int_equal(cc.cwnd, 18000);

	/* slow start is cc.c's, the same for CUBIC: doubling per RTT */
	quic_cc_init(&cc, 1200);
	for (uint64_t want = 24000; want <= 96000; want *= 2) {
		ack_round(&cc, &rtt, &now, cc.cwnd);
		assert_int_equal(cc.cwnd, want);
	}
	assert_int_equal(cc.algo.cubic.epoch_start, 0);
}

static void test_reduction_and_recovery_period(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(100 * MS);
	uint64_t now = 1 * SEC, t0;

	quic_cc_init(&cc, 1200);
	for (int i = 0; i < 3; i++)
		ack_round(&cc, &rtt, &now, cc.cwnd);
	assert_int_equal(cc.cwnd, 96000);
	/* beta 0.7: 96000 -> 67200, W_max = 96000 */
	t0 = now;
	quic_cc_on_congestion(&cc, t0 - 50 * MS, false, t0);
	assert_int_equal(cc.cwnd, 67200);
	assert_int_equal(cc.ssthresh, 67200);
	assert_int_equal(cc.algo.cubic.w_max, 96000);
	assert_int_equal(cc.algo.cubic.cwnd_prior, 96000);
	assert_int_equal(cc.stats.congestion_events, 1);
	assert_int_equal(cc.stats.cwnd_min_seen, 67200);
	assert_false(quic_cc_in_slow_start(&cc));

	/* the same recovery period: no second reduction, no growth */
	quic_cc_on_congestion(&cc, t0 - 1, false, t0 + 10 * MS);
	quic_cc_on_congestion(&cc, t0, true, t0 + 20 * MS);
	for (int i = 0; i < 100; i++)
		quic_cc_on_acked(&cc, 1200, t0 - 10 * MS, &rtt, false, t0 + 30 * MS);
	assert_int_equal(cc.cwnd, 67200);
	assert_int_equal(cc.stats.congestion_events, 1);
	assert_int_equal(cc.stats.ecn_ce, 1);
	/* ... and no epoch yet: it starts with the first ACK that counts */
	assert_int_equal(cc.algo.cubic.epoch_start, 0);
	/* app-limited ACKs after it do not start it either */
	quic_cc_on_acked(&cc, 1200, t0 + 1, &rtt, true, t0 + 100 * MS);
	assert_int_equal(cc.algo.cubic.epoch_start, 0);
	assert_int_equal(cc.cwnd, 67200);
	quic_cc_on_acked(&cc, 1200, t0 + 1, &rtt, false, t0 + 101 * MS);
	assert_int_equal(cc.algo.cubic.epoch_start, t0 + 101 * MS);
	/* W_est starts at cwnd_epoch and this ACK adds alpha * mds * bytes
	 * / cwnd = 9/17 * 1200 * 1200 / 67200 = 11.34 bytes */
	assert_int_equal(cc.algo.cubic.w_est, 67211);
}

static void test_fast_convergence(void **state)
{
	struct quic_cc cc;
	uint64_t t = 10 * SEC;

	quic_cc_init(&cc, 1200);
	lose_at(&cc, 120000, t);
	assert_int_equal(cc.algo.cubic.w_max, 120000);
	assert_int_equal(cc.cwnd, 84000);
	/* lost again below W_max: W_max = 84000 * (1 + 0.7) / 2 = 71400,
	 * cwnd = 84000 * 0.7 = 58800 */
	t += SEC;
	quic_cc_on_congestion(&cc, t - 1, false, t);
	assert_int_equal(cc.algo.cubic.w_last_max, 120000);
	assert_int_equal(cc.algo.cubic.w_max, 71400);
	assert_int_equal(cc.cwnd, 58800);
	assert_int_equal(cc.ssthresh, 58800);
	/* and again: 58800 * 0.85 = 49980, 58800 * 0.7 = 41160 */
	t += SEC;
	quic_cc_on_congestion(&cc, t - 1, false, t);
	assert_int_equal(cc.algo.cubic.w_max, 49980);
	assert_int_equal(cc.cwnd, 41160);
	/* lost at or above W_max: W_max is that window, no further cut */
	t += SEC;
	lose_at(&cc, 50000, t);
	assert_int_equal(cc.algo.cubic.w_max, 50000);
	assert_int_equal(cc.cwnd, 35000);
}

static void test_k(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(100 * MS);
	uint64_t t = 10 * SEC;

	/* W_max 100 segments of 1200, cwnd_epoch 70: K = cbrt(30 / 0.4)
	 * = cbrt(75) = 4.2171633 s; floor(cbrt(75 * 10^18)) = 4217163 us */
	quic_cc_init(&cc, 1200);
	lose_at(&cc, 120000, t);
	assert_int_equal(cc.algo.cubic.k_ns, 0);        /* no epoch yet */
	quic_cc_on_acked(&cc, 1200, t + 1, &rtt, false, t + 100 * MS);
	assert_int_equal(cc.algo.cubic.k_ns, 4217163000ull);
	assert_int_equal(cc.algo.cubic.w_max, 120000);

	/* 1000 segments of 1500: cbrt(300 / 0.4) = cbrt(750) = 9.0856030 s */
	quic_cc_init(&cc, 1500);
	lose_at(&cc, 1500000, t);
	assert_int_equal(cc.cwnd, 1050000);
	quic_cc_on_acked(&cc, 1500, t + 1, &rtt, false, t + 100 * MS);
	assert_int_equal(cc.algo.cubic.k_ns, 9085602000ull);

	/* after fast convergence W_max - cwnd_epoch = 0.15 of the window
	 * lost at: 71400 - 58800 = 12600 bytes = 10.5 segments,
	 * K = cbrt(26.25) = 2.9719604 s */
	quic_cc_init(&cc, 1200);
	lose_at(&cc, 120000, t);
	quic_cc_on_congestion(&cc, t + 1, false, t + SEC);
	assert_int_equal(cc.algo.cubic.w_max, 71400);
	quic_cc_on_acked(&cc, 1200, t + SEC + 1, &rtt, false, t + 2 * SEC);
	assert_int_equal(cc.algo.cubic.k_ns, 2971960000ull);
}

/* Virtual time, 1000 segments lost, RTT 100 ms: the cubic curve rules
 * (the Reno estimate grows by 9/17 segment per RTT, 48 segments in the
 * 9.1 s to K, far below it). K = cbrt(300 / 0.4) = 9.0856 s. */
static void test_concave_then_convex(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(100 * MS);
	const uint64_t w_max = 1200000;
	uint64_t now = 10 * SEC, epoch, prev_growth = UINT64_MAX, growth;
	uint64_t at_k = 0;
	int r;

	quic_cc_init(&cc, 1200);
	lose_at(&cc, w_max, now);
	assert_int_equal(cc.cwnd, 840000);
	/* the first round whose packets were all sent after the loss */
	now += rtt.smoothed + 1;
	epoch = now;
	for (r = 0; r < 200; r++) {
		uint64_t before = cc.cwnd, t;

		ack_round(&cc, &rtt, &now, cc.cwnd);
		t = now - epoch;
		growth = cc.cwnd - before;
		if (r == 0)
			assert_int_equal(cc.algo.cubic.k_ns, 9085602000ull);
		if (t + rtt.smoothed < 9085602000ull) {
			/* concave: below W_max, growing less every RTT */
			assert_true(cc.cwnd < w_max);
			assert_true(growth <= prev_growth);
		}
		if (t >= 9 * SEC && t < 9 * SEC + rtt.smoothed)
			at_k = cc.cwnd;
		if (t > 10 * SEC) {
			/* convex: above W_max, growing more every RTT */
			assert_true(cc.cwnd > w_max);
			assert_true(growth >= prev_growth);
		}
		prev_growth = growth;
		if (t >= 18171204000ull)        /* 2K */
			break;
	}
	/* at t = 9.0 s..9.1 s the curve is flat at W_max: C * 0.1^3 segments
	 * away; the window within 0.2 % of it */
	assert_true(at_k > w_max - w_max / 500 && at_k <= w_max + w_max / 500);
	/* at 2K: W_cubic = W_max + C * K^3 = 1000 + 0.4 * 750 = 1300
	 * segments = 1560000 bytes. The slope there is 3 C K^2 = 99 segments
	 * per second, so cwnd (aiming one RTT ahead) is within 0.15 s of the
	 * curve: +-15 segments */
	assert_true(cc.cwnd > 1560000 - 18000 && cc.cwnd < 1560000 + 18000);
	/* the Reno estimate was left far behind (840000 + about 48 x 1200
	 * after 91 RTTs of 9/17 segment each, twice that by 2K) */
	assert_true(cc.algo.cubic.w_est < 960000);
}

/* Small window, short RTT: the Reno-friendly estimate outruns the cubic
 * curve (4.3). 20 segments of 1200 lost, RTT 10 ms: cwnd_epoch 14
 * segments, K = cbrt(6 / 0.4) = 2.466 s. W_est gains 9/17 segment per
 * RTT up to cwnd_prior (20 segments, after 6 / (9/17) = 11.3 RTTs), then
 * one per RTT: after 50 RTTs about 20 + 38.7 = 58.7 segments, a little
 * less since cwnd grows within each RTT. The curve alone would be at
 * W_cubic(0.5 s) = 20 - 0.4 * 1.966^3 = 16.96 segments. */
static void test_reno_friendly(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(10 * MS);
	uint64_t now = 10 * SEC;

	quic_cc_init(&cc, 1200);
	lose_at(&cc, 24000, now);
	assert_int_equal(cc.cwnd, 16800);
	now += rtt.smoothed + 1;
	for (int r = 0; r < 50; r++) {
		ack_round(&cc, &rtt, &now, cc.cwnd);
		/* the window is the estimate, never behind it */
		assert_true(cc.cwnd >= cc.algo.cubic.w_est);
	}
	assert_int_equal(cc.algo.cubic.k_ns, 2466212000ull);
	assert_true(cc.cwnd > 24000);                   /* past W_max at t < K */
	assert_true(cc.cwnd >= 57 * 1200 && cc.cwnd <= 59 * 1200);
	assert_int_equal(cc.cwnd, cc.algo.cubic.w_est);
}

/* Long after K the curve is far above 1.5 * cwnd: the target is clamped
 * (4.2), so each ACK of a segment adds (1.5 cwnd - cwnd) / cwnd = half a
 * segment, and a window's worth of ACKs makes 1.5 * cwnd, not more. */
static void test_target_clamp(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(100 * MS);
	uint64_t t = 10 * SEC, start, before;

	quic_cc_init(&cc, 1200);
	lose_at(&cc, 120000, t);
	/* the epoch starts at t + 100 ms ... */
	quic_cc_on_acked(&cc, 1200, t + 1, &rtt, false, t + 100 * MS);
	/* ... and 100 s later, t - K = 99.9 - 4.2 s: W_cubic = 100 + 0.4 *
	 * 95.68^3 = about 350000 segments against a window of 70 */
	t += 100 * SEC;
	start = cc.cwnd;
	for (int i = 0; i < 70; i++) {
		before = cc.cwnd;
		quic_cc_on_acked(&cc, 1200, t - 50 * MS, &rtt, false, t);
		assert_true(cc.cwnd - before >= 599 && cc.cwnd - before <= 600);
	}
	/* 70 x 600 = 42000 = 0.5 * 84000 (give or take the rounding) */
	assert_true(cc.cwnd >= start + 41900 && cc.cwnd <= start + 42000);
}

static void test_persistent_congestion(void **state)
{
	struct quic_cc cc;
	struct quic_rtt rtt = rtt_of(100 * MS);
	uint64_t now = 10 * SEC;

	quic_cc_init(&cc, 1200);
	lose_at(&cc, 120000, now);
	quic_cc_on_acked(&cc, 1200, now + 1, &rtt, false, now + 100 * MS);
	assert_true(cc.algo.cubic.epoch_start != 0);
	quic_cc_on_persistent_congestion(&cc, now + 200 * MS);
	assert_int_equal(cc.cwnd, 2400);
	assert_int_equal(cc.ssthresh, 84000);
	assert_int_equal(cc.recovery_start, 0);
	assert_int_equal(cc.stats.persistent, 1);
	assert_int_equal(cc.stats.cwnd_min_seen, 2400);
	assert_int_equal(cc.algo.cubic.epoch_start, 0);

	/* slow start back to ssthresh: 2400 doubles to 76800 in 5 RTTs,
	 * then 76800 + 7200 = 84000 and congestion avoidance */
	now += 300 * MS;
	for (int r = 0; r < 5; r++)
		ack_round(&cc, &rtt, &now, cc.cwnd);
	assert_int_equal(cc.cwnd, 76800);
	ack_round(&cc, &rtt, &now, 7200);
	assert_int_equal(cc.cwnd, 84000);
	assert_false(quic_cc_in_slow_start(&cc));
	/* 4.8: the first congestion avoidance after it has K = 0 and W_max
	 * = the window it starts with */
	quic_cc_on_acked(&cc, 1200, now - 50 * MS, &rtt, false, now);
	assert_int_equal(cc.algo.cubic.epoch_start, now);
	assert_int_equal(cc.algo.cubic.k_ns, 0);
	assert_int_equal(cc.algo.cubic.w_max, 84000);
}

static void test_min_window(void **state)
{
	struct quic_cc cc;
	uint64_t t = 1 * SEC;
	/* 12000 * 0.7 = 8400, 5880, 4116, 2881 (2881.2), then 2016 -> 2400 */
	static const uint64_t want[] = { 8400, 5880, 4116, 2881, 2400, 2400, 2400 };

	quic_cc_init(&cc, 1200);
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		quic_cc_on_congestion(&cc, t - 1, false, t);
		t += 100 * MS;
		assert_int_equal(cc.cwnd, want[i]);
		/* ssthresh = max(cwnd * beta, 2 segments) too (4.6) */
		assert_int_equal(cc.ssthresh, want[i]);
	}
	assert_int_equal(cc.stats.cwnd_min_seen, 2400);
	for (int i = 0; i < 50; i++) {
		quic_cc_on_congestion(&cc, t - 1, i & 1, t);
		t += 100 * MS;
		assert_true(cc.cwnd >= 2400);
	}
	assert_int_equal(cc.stats.congestion_events, 57);
}

static void test_algorithm_not_linked(void **state)
{
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_initial_and_slow_start),
		UNIT_TEST(test_reduction_and_recovery_period),
		UNIT_TEST(test_fast_convergence),
		UNIT_TEST(test_k),
		UNIT_TEST(test_concave_then_convex),
		UNIT_TEST(test_reno_friendly),
		UNIT_TEST(test_target_clamp),
		UNIT_TEST(test_persistent_congestion),
		UNIT_TEST(test_min_window),
	};

	/* A bare-metal board links every suite into one image with the one
	 * algorithm QUIC_CC chose; there, this suite is skipped unless that
	 * is CUBIC. Elsewhere it always links quic/cc_cubic.c. */
	if (strcmp(quic_cc_algo_name, "cubic") && !IS_ENABLED(CONFIG_QUIC_CC_CUBIC)) {
		print_message("cc_cubic: %s linked instead, skipped\n", quic_cc_algo_name);
		const struct CMUnitTest none[] = { cmocka_unit_test(test_algorithm_not_linked) };

		return cmocka_run_group_tests(none, NULL, NULL);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
