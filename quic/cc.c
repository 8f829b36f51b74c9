/* quic/cc: the half of congestion control every algorithm shares (see
 * quic/cc.h): the initial window, slow start, the recovery period and
 * persistent congestion of RFC 9002 7, the app-limited rule of 7.8 and
 * the pacer of 7.7. Congestion avoidance and the reaction to a congestion
 * event are the linked algorithm's (quic/cc_newreno.c or quic/cc_cubic.c).
 *
 * Integer arithmetic only: the bare-metal image has no floating point in
 * the core. Products that can exceed 64 bits (bytes x ns) are done in
 * unsigned __int128, which both 64-bit targets have.
 */
#include <string.h>

#include "quic/cc.h"

typedef unsigned __int128 u128;

/* RFC 9002 7.2: the initial window is ten datagrams, but no more than
 * max(14720, 2 * mds) bytes (the limit of RFC 6928 for TCP). */
#define QUIC_CC_INITIAL_DGRAMS  10
#define QUIC_CC_INITIAL_LIMIT   14720

/* The pacer's bucket holds at most this many full datagrams: 7.7 lets a
 * sender burst up to the initial window, which is ten of them. */
#define QUIC_CC_PACE_BURST      10

/* Pacing rate = cwnd / srtt * num / den. 7.7 suggests N = 1.25 so that
 * pacing does not itself keep cwnd from being used; in slow start the
 * window doubles each RTT, so pacing at 2x (a common choice, e.g. Linux's
 * sk_pacing_ss_ratio of 200%) keeps the pacer from slowing it down. */
#define QUIC_CC_PACE_CA_NUM     5
#define QUIC_CC_PACE_CA_DEN     4
#define QUIC_CC_PACE_SS_NUM     2
#define QUIC_CC_PACE_SS_DEN     1

static uint64_t min_window(const struct quic_cc *cc)
{
	return 2 * (uint64_t)cc->mds;
}

static uint64_t pace_burst(const struct quic_cc *cc)
{
	/* 10 * mds is always >= the 2 * mds a sender must be able to send;
	 * a burst larger than cwnd is harmless, quic_cc_can_send caps it */
	return QUIC_CC_PACE_BURST * (uint64_t)cc->mds;
}

/* Was a packet sent at sent_time part of the current recovery period,
 * i.e. sent before the congestion event that started it (7.3.2)?
 * recovery_start 0 means there was none (or persistent congestion ended
 * it, B.8). */
static bool in_recovery(const struct quic_cc *cc, uint64_t sent_time)
{
	return cc->recovery_start && sent_time <= cc->recovery_start;
}

static void note_min(struct quic_cc *cc)
{
	if (!cc->stats.cwnd_min_seen || cc->cwnd < cc->stats.cwnd_min_seen)
		cc->stats.cwnd_min_seen = cc->cwnd;
}

void quic_cc_init(struct quic_cc *cc, uint32_t max_datagram_size)
{
	uint64_t mds = max_datagram_size;
	uint64_t limit = 2 * mds > QUIC_CC_INITIAL_LIMIT ? 2 * mds : QUIC_CC_INITIAL_LIMIT;

	memset(cc, 0, sizeof(*cc));
	cc->mds = max_datagram_size;
	cc->cwnd = QUIC_CC_INITIAL_DGRAMS * mds < limit ? QUIC_CC_INITIAL_DGRAMS * mds : limit;
	cc->ssthresh = UINT64_MAX;
	cc->recovery_start = 0;
	/* a full bucket: the first flight leaves at once */
	cc->pace_tokens = pace_burst(cc);
	cc->pace_last = 0;
	quic_cc_algo_init(cc);
}

bool quic_cc_can_send(const struct quic_cc *cc, uint64_t in_flight, uint32_t bytes)
{
	return in_flight + bytes <= cc->cwnd;
}

void quic_cc_on_acked(struct quic_cc *cc, uint32_t bytes, uint64_t sent_time,
		      const struct quic_rtt *rtt, bool app_limited, uint64_t now)
{
	/* 7.3.2: packets sent before the congestion event do not grow the
	 * window; the first one acked that was sent after it ends the
	 * recovery period (nothing to do: the comparison above is the state) */
	if (in_recovery(cc, sent_time))
		return;
	/* 7.8: a window the sender did not fill has not been validated */
	if (app_limited)
		return;
	if (quic_cc_in_slow_start(cc)) {
		/* 7.3.1: one byte per byte acked, doubling each RTT. The ack
		 * that crosses ssthresh may overshoot it by less than a
		 * datagram; the next one is in congestion avoidance (B.5) */
		cc->cwnd += bytes;
		return;
	}
	quic_cc_algo_on_acked(cc, bytes, rtt, now);
}

void quic_cc_on_congestion(struct quic_cc *cc, uint64_t sent_time, bool ecn, uint64_t now)
{
	/* every CE report counts, even one the recovery period absorbs:
	 * the counter tells how often the path marked, not how often the
	 * window was cut (that is congestion_events) */
	if (ecn)
		cc->stats.ecn_ce++;
	/* 7.3.2: one reduction per recovery period; a loss of (or a CE mark
	 * on) a packet sent before it started is part of the same event */
	if (in_recovery(cc, sent_time))
		return;
	/* 0 would mean "no recovery period": an event at time 0 starts
	 * one at 1 ns */
	cc->recovery_start = now ? now : 1;
	cc->stats.congestion_events++;
	quic_cc_algo_on_congestion(cc, now);
	note_min(cc);
}

void quic_cc_on_persistent_congestion(struct quic_cc *cc, uint64_t now)
{
	/* 7.6.2 and B.8: collapse to the minimum window, keep ssthresh (the
	 * congestion event that preceded this set it) and end the recovery
	 * period so that the next loss is a new event */
	cc->cwnd = min_window(cc);
	cc->recovery_start = 0;
	cc->stats.persistent++;
	quic_cc_algo_on_persistent_congestion(cc);
	note_min(cc);
}

/* ---- pacer (7.7): a token bucket in bytes ---- */

/* The pacer works with an srtt of at most 2^48 ns (3 days; nothing real
 * comes near), so that its products fit in 128 bits for any cwnd. */
#define QUIC_CC_PACE_MAX_SRTT   (1ull << 48)

void quic_cc_on_sent(struct quic_cc *cc, uint32_t bytes, uint64_t now)
{
	/* A full bucket cannot hold the credit of the time since pace_last:
	 * restart its clock now, or the next refill would hand that time
	 * out again after this debit. */
	if (cc->pace_tokens >= pace_burst(cc) && now > cc->pace_last)
		cc->pace_last = now;
	cc->pace_tokens = cc->pace_tokens > bytes ? cc->pace_tokens - bytes : 0;
}

uint64_t quic_cc_pace_time(struct quic_cc *cc, const struct quic_rtt *rtt, uint64_t now)
{
	uint64_t burst = pace_burst(cc);
	uint64_t srtt = rtt->smoothed;
	bool ss = quic_cc_in_slow_start(cc);

	/* no RTT to pace over (or no window, which init never leaves):
	 * send at once */
	if (!srtt || !cc->cwnd) {
		cc->pace_tokens = burst;
		cc->pace_frac = 0;
		cc->pace_last = now;
		return now;
	}
	if (srtt > QUIC_CC_PACE_MAX_SRTT)
		srtt = QUIC_CC_PACE_MAX_SRTT;
	/* rate = n / d bytes per ns, n < 2^67, d < 2^50; counted in units of
	 * 2^-32 byte so that polling faster than a byte's worth of time
	 * loses nothing (the remainder is pace_frac) */
	u128 n = (u128)cc->cwnd * (ss ? QUIC_CC_PACE_SS_NUM : QUIC_CC_PACE_CA_NUM);
	u128 d = (u128)srtt * (ss ? QUIC_CC_PACE_SS_DEN : QUIC_CC_PACE_CA_DEN);

	if (cc->pace_tokens >= burst) {
		cc->pace_frac = 0;
		if (now > cc->pace_last)
			cc->pace_last = now;
	} else if (now > cc->pace_last) {
		uint64_t elapsed = now - cc->pace_last;
		/* room to fill, < 2^32 * 10 * 2^32 units */
		u128 need = ((u128)(burst - cc->pace_tokens) << 32) - cc->pace_frac;
		/* the time that fills it: need * d < 2^118 */
		u128 fill = (need * d + (n << 32) - 1) / (n << 32);

		if (elapsed >= fill) {
			cc->pace_tokens = burst;
			cc->pace_frac = 0;
		} else {
			/* elapsed < fill, so elapsed * n < need * d / 2^32 + n:
			 * shifted by 32 it still fits */
			u128 credit = (((u128)elapsed * n) << 32) / d + cc->pace_frac;

			cc->pace_tokens += (uint64_t)(credit >> 32);
			cc->pace_frac = (uint32_t)credit;
		}
		cc->pace_last = now;
	}
	if (cc->pace_tokens >= cc->mds)
		return now;

	/* when the missing bytes will have been credited, counted from the
	 * last refill: missing < 2^64 units, * d < 2^114 */
	u128 missing = ((u128)(cc->mds - cc->pace_tokens) << 32) - cc->pace_frac;
	u128 at = (u128)cc->pace_last + (missing * d + (n << 32) - 1) / (n << 32);

	if (at > UINT64_MAX)
		return UINT64_MAX;
	return at > now ? (uint64_t)at : now;
}
