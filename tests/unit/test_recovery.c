/* quic/recovery on its own (RFC 9002 appendix A as the reference): RTT
 * samples, packet- and time-threshold loss, PTO and its backoff, the
 * anti-deadlock PTO, persistent congestion, ACKs with many ranges, the
 * sent pool running dry. Packets are records made by hand; ACKs are real
 * frames written and parsed by quic/frame. */
#include <string.h>

#include "unit.h"
#include "lib/buf.h"
#include "quic/frame.h"
#include "quic/recovery.h"

#define MS QUIC_NS_PER_MS
#define T0 (1000 * MS)
#define SZ 1200

static struct quic_recovery r;
static uint64_t acked_pns[4096], lost_pns[4096];
static unsigned n_acked, n_lost;

static void cb_acked(void *arg, enum quic_pn_space s, struct quic_sent *p)
{
	(void)arg;
	(void)s;
	acked_pns[n_acked++ % 4096] = p->pn;
}

static void cb_lost(void *arg, enum quic_pn_space s, struct quic_sent *p)
{
	(void)arg;
	(void)s;
	lost_pns[n_lost++ % 4096] = p->pn;
}

static const struct quic_recovery_ops ops = { cb_acked, cb_lost };

static void reset(void)
{
	quic_recovery_init(&r, SZ);
	r.confirmed = true;
	r.peer_validated = true;
	n_acked = n_lost = 0;
}

static void send_pn(enum quic_pn_space s, uint64_t pn, bool eliciting, uint64_t now)
{
	struct quic_sent *p = quic_recovery_record(&r);

	assert_non_null(p);
	p->pn = pn;
	p->size = SZ;
	p->ack_eliciting = eliciting;
	quic_recovery_on_sent(&r, s, p, now);
}

/* ACK of ranges [lo, hi] given largest first, ack_delay in ns */
static void ack(enum quic_pn_space s, const uint64_t (*ranges)[2], size_t n, uint64_t delay_ns,
		uint64_t now)
{
	uint8_t buf[4096];
	struct buf_writer w;
	struct buf_reader rd;
	struct quic_frame f;

	buf_writer_init(&w, buf, sizeof(buf));
	assert_true(quic_frame_write_ack(&w, ranges, n, 0, NULL) > 0);
	buf_reader_init(&rd, buf, buf_written(&w));
	assert_int_equal(quic_frame_parse(&rd, QUIC_PKT_1RTT, &f), 0);
	quic_recovery_on_ack(&r, s, &f, delay_ns, &ops, NULL, now);
}

static void ack1(enum quic_pn_space s, uint64_t lo, uint64_t hi, uint64_t now)
{
	const uint64_t range[1][2] = { { lo, hi } };

	ack(s, range, 1, 0, now);
}

static void test_rtt(void **state)
{
	(void)state;
	reset();
	assert_int_equal(r.rtt.smoothed, 333 * MS);
	send_pn(QUIC_SPACE_APP, 0, true, T0);
	ack1(QUIC_SPACE_APP, 0, 0, T0 + 100 * MS);
	/* 5.3: the first sample sets everything */
	assert_true(r.rtt.have_sample);
	assert_int_equal(r.rtt.latest, 100 * MS);
	assert_int_equal(r.rtt.min, 100 * MS);
	assert_int_equal(r.rtt.smoothed, 100 * MS);
	assert_int_equal(r.rtt.var, 50 * MS);
	/* second: 140 ms with 20 ms ack delay -> adjusted 120 ms;
	 * var = 3/4 * 50 + 1/4 * |100 - 120| = 42.5; srtt = 7/8*100 + 120/8 = 102.5 */
	send_pn(QUIC_SPACE_APP, 1, true, T0 + 200 * MS);
	const uint64_t rg[1][2] = { { 1, 1 } };

	ack(QUIC_SPACE_APP, rg, 1, 20 * MS, T0 + 340 * MS);
	assert_int_equal(r.rtt.latest, 140 * MS);
	assert_int_equal(r.rtt.var, 42500000);
	assert_int_equal(r.rtt.smoothed, 102500000);
	/* ack_delay is clamped to max_ack_delay (25 ms) once confirmed, and
	 * never takes the sample below min_rtt */
	send_pn(QUIC_SPACE_APP, 2, true, T0 + 400 * MS);
	const uint64_t rg2[1][2] = { { 2, 2 } };

	ack(QUIC_SPACE_APP, rg2, 1, 500 * MS, T0 + 560 * MS);
	/* latest 160, adjusted 160 - 25 = 135 */
	assert_int_equal(r.rtt.smoothed, (7 * 102500000ull + 135 * MS) / 8);
	send_pn(QUIC_SPACE_APP, 3, true, T0 + 600 * MS);
	const uint64_t rg3[1][2] = { { 3, 3 } };
	uint64_t before = r.rtt.smoothed;

	ack(QUIC_SPACE_APP, rg3, 1, 20 * MS, T0 + 710 * MS);
	/* 110 - 20 = 90 < min 100: unadjusted 110 */
	assert_int_equal(r.rtt.smoothed, (7 * before + 110 * MS) / 8);
	assert_int_equal(r.rtt.min, 100 * MS);
	/* an ACK whose largest is not newly acked gives no sample */
	before = r.rtt.smoothed;
	ack(QUIC_SPACE_APP, rg3, 1, 0, T0 + 900 * MS);
	assert_int_equal(r.rtt.smoothed, before);
	assert_int_equal(n_acked, 4);
	quic_recovery_deinit(&r);
}

static void test_in_flight_accounting(void **state)
{
	(void)state;
	reset();
	send_pn(QUIC_SPACE_APP, 0, true, T0);
	send_pn(QUIC_SPACE_APP, 1, false, T0);  /* an ACK-only packet: not tracked */
	send_pn(QUIC_SPACE_APP, 2, true, T0);
	assert_int_equal(r.bytes_in_flight, 2 * SZ);
	assert_int_equal(r.sp[QUIC_SPACE_APP].count, 2);
	assert_int_equal(pool_stats_of(&pool_sent)->in_use, 2);
	ack1(QUIC_SPACE_APP, 0, 2, T0 + 50 * MS);
	assert_int_equal(r.bytes_in_flight, 0);
	assert_int_equal(n_acked, 2);
	assert_int_equal(acked_pns[0] + acked_pns[1], 2);
	assert_int_equal(pool_stats_of(&pool_sent)->in_use, 0);
	quic_recovery_deinit(&r);
}

static void test_packet_threshold(void **state)
{
	(void)state;
	reset();
	for (uint64_t pn = 0; pn < 6; pn++)
		send_pn(QUIC_SPACE_APP, pn, true, T0 + pn * MS);
	/* 5 acked: 0, 1, 2 are 3 or more below it (kPacketThreshold), 3 and
	 * 4 wait for the time threshold */
	ack1(QUIC_SPACE_APP, 5, 5, T0 + 30 * MS);
	assert_int_equal(n_lost, 3);
	assert_int_equal(lost_pns[0], 0);
	assert_int_equal(lost_pns[2], 2);
	assert_int_equal(r.stats.lost, 3);
	assert_int_equal(r.cc.stats.congestion_events, 1);
	/* the loss timer: 9/8 * max(latest 25 ms, srtt 25 ms) after pn 3's send */
	assert_int_equal(r.sp[QUIC_SPACE_APP].loss_time, T0 + 3 * MS + 25 * MS * 9 / 8);
	assert_int_equal(quic_recovery_deadline(&r), r.sp[QUIC_SPACE_APP].loss_time);
	quic_recovery_timeout(&r, &ops, NULL, quic_recovery_deadline(&r) - 1);
	assert_int_equal(n_lost, 3);
	quic_recovery_timeout(&r, &ops, NULL, quic_recovery_deadline(&r));
	assert_int_equal(n_lost, 4);  /* pn 3; pn 4 a millisecond later */
	assert_int_equal(lost_pns[3], 3);
	quic_recovery_timeout(&r, &ops, NULL, quic_recovery_deadline(&r));
	assert_int_equal(n_lost, 5);
	/* one congestion event for the whole recovery period */
	assert_int_equal(r.cc.stats.congestion_events, 1);
	assert_int_equal(r.bytes_in_flight, 0);
	quic_recovery_deinit(&r);
}

static void test_pto_backoff(void **state)
{
	uint64_t d1, d2;

	(void)state;
	reset();
	send_pn(QUIC_SPACE_APP, 0, true, T0);
	send_pn(QUIC_SPACE_APP, 1, true, T0);
	send_pn(QUIC_SPACE_APP, 2, true, T0);
	/* PTO = srtt + 4 * rttvar + max_ack_delay = 333 + 666 + 25 ms */
	d1 = quic_recovery_deadline(&r);
	assert_int_equal(d1, T0 + 1024 * MS);
	quic_recovery_timeout(&r, &ops, NULL, d1 - 1);
	assert_int_equal(r.pto_count, 0);
	quic_recovery_timeout(&r, &ops, NULL, d1);
	assert_int_equal(r.pto_count, 1);
	assert_int_equal(r.sp[QUIC_SPACE_APP].probes, 2);
	/* the two oldest are queued again, not declared lost */
	assert_int_equal(n_lost, 2);
	assert_int_equal(r.stats.lost, 0);
	assert_int_equal(r.bytes_in_flight, 3 * SZ);
	assert_int_equal(r.cc.stats.congestion_events, 0);
	/* the probes go out: the next PTO is twice as long */
	send_pn(QUIC_SPACE_APP, 3, true, d1);
	send_pn(QUIC_SPACE_APP, 4, true, d1);
	d2 = quic_recovery_deadline(&r);
	assert_int_equal(d2, d1 + 2 * 1024 * MS);
	quic_recovery_timeout(&r, &ops, NULL, d2);
	assert_int_equal(r.pto_count, 2);
	assert_int_equal(n_lost, 4);  /* pn 2 and 3: 0 and 1 were requeued already */
	assert_int_equal(lost_pns[2], 2);
	assert_int_equal(lost_pns[3], 3);
	/* an ACK of a probe: pto_count restarts; 0 and 1 are lost by the
	 * packet threshold, 2 by time (sent 3 s ago, RTT now 2 s), 3 not yet;
	 * their frames were requeued already: no callback */
	ack1(QUIC_SPACE_APP, 4, 4, d2 + 10 * MS);
	assert_int_equal(r.pto_count, 0);
	assert_int_equal(r.stats.lost, 3);
	assert_int_equal(n_lost, 4);
	assert_int_equal(r.sp[QUIC_SPACE_APP].count, 1);
	quic_recovery_deinit(&r);
}

static void test_app_pto_waits_for_confirmation(void **state)
{
	(void)state;
	reset();
	r.confirmed = false;
	send_pn(QUIC_SPACE_APP, 0, true, T0);
	assert_int_equal(quic_recovery_deadline(&r), UINT64_MAX);
	send_pn(QUIC_SPACE_HANDSHAKE, 0, true, T0 + MS);
	/* Handshake PTO has no max_ack_delay: 333 + 666 ms */
	assert_int_equal(quic_recovery_deadline(&r), T0 + MS + 999 * MS);
	r.confirmed = true;
	assert_int_equal(quic_recovery_deadline(&r), T0 + MS + 999 * MS);
	quic_recovery_discard(&r, QUIC_SPACE_HANDSHAKE);
	assert_int_equal(r.bytes_in_flight, SZ);
	assert_int_equal(quic_recovery_deadline(&r), T0 + 1024 * MS);
	quic_recovery_deinit(&r);
}

static void test_anti_deadlock(void **state)
{
	(void)state;
	reset();
	r.confirmed = false;
	r.peer_validated = false;  /* a client before the server's Handshake ACK */
	send_pn(QUIC_SPACE_INITIAL, 0, true, T0);
	ack1(QUIC_SPACE_INITIAL, 0, 0, T0 + 10 * MS);
	/* nothing in flight, yet a PTO stays armed */
	assert_int_equal(r.bytes_in_flight, 0);
	uint64_t d = quic_recovery_deadline(&r);

	assert_true(d != UINT64_MAX);
	/* and pto_count did not restart on that ACK (A.7) */
	quic_recovery_timeout(&r, &ops, NULL, d);
	assert_int_equal(r.pto_count, 1);
	assert_int_equal(r.sp[QUIC_SPACE_INITIAL].probes, 2);
	/* with Handshake keys the probe is a Handshake packet */
	r.handshake_keys = true;
	quic_recovery_timeout(&r, &ops, NULL, quic_recovery_deadline(&r));
	assert_int_equal(r.sp[QUIC_SPACE_HANDSHAKE].probes, 2);
	/* a server (validated) has no such timer */
	r.peer_validated = true;
	assert_int_equal(quic_recovery_deadline(&r), UINT64_MAX);
	quic_recovery_deinit(&r);
}

/* losses spanning more than 3 PTOs with no ACK between them (7.6) */
static void persistent(bool ack_between)
{
	reset();
	send_pn(QUIC_SPACE_APP, 0, true, T0);
	ack1(QUIC_SPACE_APP, 0, 0, T0 + 100 * MS);  /* srtt 100, var 50 */
	uint64_t t = T0 + 200 * MS;

	/* 1..15 one every 100 ms (a span of 1400 ms), 16 just before its ACK:
	 * that sample (10 ms) leaves srtt 88.75 ms, rttvar 60 ms, so the
	 * period is 3 * (88.75 + 240 + 25) = 1061.25 ms */
	for (uint64_t pn = 1; pn <= 15; pn++)
		send_pn(QUIC_SPACE_APP, pn, true, t + (pn - 1) * 100 * MS);
	if (ack_between)
		ack1(QUIC_SPACE_APP, 8, 8, t + 1450 * MS);
	send_pn(QUIC_SPACE_APP, 16, true, t + 1490 * MS);
	ack1(QUIC_SPACE_APP, 16, 16, t + 1500 * MS);
	/* all lost or acked; with the slow sample of 8 (750 ms) the loss
	 * delay is long enough to spare 15 */
	assert_int_equal(r.sp[QUIC_SPACE_APP].count, ack_between ? 1 : 0);
	assert_int_equal(r.stats.persistent, ack_between ? 0 : 1);
	if (!ack_between) {
		assert_int_equal(r.rtt.smoothed, 88750000);
		assert_int_equal(r.cc.stats.persistent, 1);
		/* the minimum window, plus at most the one ACK processed after */
		assert_true(r.cc.cwnd <= 3 * SZ);
	} else {
		assert_true(r.cc.cwnd >= 5 * SZ);
	}
	quic_recovery_deinit(&r);
}

static void test_persistent_congestion(void **state)
{
	(void)state;
	persistent(false);
	persistent(true);
}

static void test_many_ranges(void **state)
{
	static uint64_t ranges[200][2];

	(void)state;
	reset();
	for (uint64_t pn = 0; pn < 400; pn++)
		send_pn(QUIC_SPACE_APP, pn, true, T0);
	/* every even packet, largest first: 200 ranges */
	for (int i = 0; i < 200; i++)
		ranges[i][0] = ranges[i][1] = 398 - 2 * (uint64_t)i;
	ack(QUIC_SPACE_APP, (const uint64_t (*)[2])ranges, 200, 0, T0 + 20 * MS);
	assert_int_equal(n_acked, 200);
	for (unsigned i = 0; i < n_acked; i++)
		assert_int_equal(acked_pns[i] % 2, 0);
	/* odd ones below 396 are lost by the packet threshold: 1..395 */
	assert_int_equal(n_lost, 198);
	for (unsigned i = 0; i < n_lost; i++)
		assert_int_equal(lost_pns[i] % 2, 1);
	assert_int_equal(r.sp[QUIC_SPACE_APP].count, 2);  /* 397, 399 */
	assert_int_equal(r.bytes_in_flight, 2 * SZ);
	quic_recovery_deinit(&r);
}

static void test_pool_dry(void **state)
{
	struct quic_sent *p;
	unsigned n = 0;

	(void)state;
	reset();
	while ((p = quic_recovery_record(&r))) {
		p->pn = n++;
		p->size = 100;
		p->ack_eliciting = 1;
		quic_recovery_on_sent(&r, QUIC_SPACE_APP, p, T0);
	}
	assert_int_equal(n, CONFIG_POOL_SENT_PACKETS);
	assert_int_equal(r.stats.no_record, 1);
	/* acknowledging gives records back */
	ack1(QUIC_SPACE_APP, 0, 9, T0 + MS);
	p = quic_recovery_record(&r);
	assert_non_null(p);
	quic_recovery_release(p);
	quic_recovery_deinit(&r);  /* frees the rest */
}

static void test_discard_and_reset(void **state)
{
	(void)state;
	reset();
	send_pn(QUIC_SPACE_INITIAL, 0, true, T0);
	send_pn(QUIC_SPACE_INITIAL, 1, true, T0);
	send_pn(QUIC_SPACE_HANDSHAKE, 0, true, T0);
	r.pto_count = 3;
	quic_recovery_reset_space(&r, QUIC_SPACE_INITIAL);
	assert_int_equal(r.bytes_in_flight, SZ);
	assert_int_equal(r.pto_count, 3);
	quic_recovery_discard(&r, QUIC_SPACE_HANDSHAKE);
	assert_int_equal(r.bytes_in_flight, 0);
	assert_int_equal(r.pto_count, 0);
	/* a late ACK for a discarded space is ignored */
	ack1(QUIC_SPACE_HANDSHAKE, 0, 0, T0 + MS);
	assert_int_equal(n_acked, 0);
	/* and nothing sent in it is kept */
	send_pn(QUIC_SPACE_HANDSHAKE, 1, true, T0);
	assert_int_equal(r.bytes_in_flight, 0);
	assert_int_equal(n_lost, 0);
	quic_recovery_deinit(&r);
}

/* A random mix of sends, ACKs (true to what arrived) and timeouts against
 * a model: every record ends acked or lost exactly once... or requeued
 * by a PTO and then acked or lost; bytes in flight always match the
 * records. */
static void test_random_against_model(void **state)
{
	static uint8_t fate[20000];   /* 0 in flight, 1 acked, 2 lost */
	static bool arrived[20000];
	uint32_t rng = 12345;
	uint64_t now = T0, pn = 0;

	(void)state;
	reset();
	memset(fate, 0, sizeof(fate));
	for (int step = 0; step < 20000 && pn < 20000; step++) {
		uint32_t x = unit_xorshift32(&rng) % 10;

		now += (unit_xorshift32(&rng) % 20) * MS;
		if (x < 5 && r.sp[QUIC_SPACE_APP].count < 500) {
			arrived[pn] = unit_xorshift32(&rng) % 10 != 0;
			send_pn(QUIC_SPACE_APP, pn++, true, now);
		} else if (x < 9 && pn) {
			/* ACK up to 8 ranges of arrived packets below a random largest */
			uint64_t ranges[8][2];
			size_t n = 0;
			uint64_t hi = pn - 1 - unit_xorshift32(&rng) % (pn < 5 ? pn : 5);

			while (n < 8) {
				while (hi > 0 && !arrived[hi])
					hi--;
				if (!arrived[hi])
					break;
				uint64_t lo = hi;

				while (lo > 0 && arrived[lo - 1])
					lo--;
				if (n && ranges[n - 1][0] < hi + 2)
					break;
				ranges[n][0] = lo;
				ranges[n][1] = hi;
				n++;
				if (lo < 2)
					break;
				hi = lo - 2;
			}
			if (n)
				ack(QUIC_SPACE_APP, (const uint64_t (*)[2])ranges, n, 0, now);
		} else if (quic_recovery_deadline(&r) <= now) {
			quic_recovery_timeout(&r, &ops, NULL, now);
		}
		/* records and bytes in flight agree */
		uint64_t bytes = 0;
		uint32_t cnt = 0;
		uint64_t last = 0;

		for (struct quic_sent *p = r.sp[QUIC_SPACE_APP].head; p; p = p->next) {
			assert_true(cnt == 0 || p->pn > last);
			last = p->pn;
			bytes += p->size;
			cnt++;
		}
		assert_int_equal(bytes, r.bytes_in_flight);
		assert_int_equal(cnt, r.sp[QUIC_SPACE_APP].count);
		assert_int_equal(pool_stats_of(&pool_sent)->in_use, cnt);
		assert_true(r.cc.cwnd >= 2 * SZ);
	}
	/* every ACK callback was for a packet that arrived */
	for (unsigned i = 0; i < n_acked && i < 4096; i++)
		assert_true(arrived[acked_pns[i]]);
	assert_true(n_acked > 1000);
	assert_true(r.stats.lost > 100);
	quic_recovery_deinit(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_rtt),
		UNIT_TEST(test_in_flight_accounting),
		UNIT_TEST(test_packet_threshold),
		UNIT_TEST(test_pto_backoff),
		UNIT_TEST(test_app_pto_waits_for_confirmation),
		UNIT_TEST(test_anti_deadlock),
		UNIT_TEST(test_persistent_congestion),
		UNIT_TEST(test_many_ranges),
		UNIT_TEST(test_pool_dry),
		UNIT_TEST(test_discard_and_reset),
		UNIT_TEST(test_random_against_model),
	};

	return cmocka_run_group_tests_name("recovery", tests, NULL, NULL);
}
