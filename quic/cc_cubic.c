/* quic/cc_cubic: CUBIC (RFC 9438) in congestion avoidance. Slow start,
 * the recovery period and pacing are quic/cc.c's.
 *
 * Units. Windows are bytes, as everywhere in quic/cc. RFC 9438 states
 * the cubic function in segments and seconds,
 *     W_cubic(t) = C * (t - K)^3 + W_max,     K = cbrt((W_max - cwnd_epoch) / C)
 * with C = 0.4 segments/s^3. Here one segment is mds bytes and the
 * function's time unit is the microsecond, so the cubic term in bytes is
 *     C * (t - K)^3 = 2 * mds * d^3 / (5 * 10^18),   d = |t - K| in us
 * and K in us is cbrt((W_max - cwnd_epoch) * 5 * 10^18 / (2 * mds)).
 * Microseconds keep K exact to 1 us while d^3 stays in 128 bits; k_ns
 * stores K * 1000. Everything is integer: the core has no floating point.
 */
#include "quic/cc.h"

typedef unsigned __int128 u128;

const char quic_cc_algo_name[] = "cubic";

/* C = 0.4 (4.1) */
#define CUBIC_C_NUM     2
#define CUBIC_C_DEN     5
/* beta_cubic = 0.7 (4.6) */
#define CUBIC_BETA_NUM  7
#define CUBIC_BETA_DEN  10
/* fast convergence (4.7): W_max = cwnd * (1 + beta_cubic) / 2 = cwnd * 0.85 */
#define CUBIC_FC_NUM    17
#define CUBIC_FC_DEN    20
/* alpha_cubic = 3 * (1 - beta_cubic) / (1 + beta_cubic) = 0.9 / 1.7 = 9/17
 * (4.3), and 17/17 once W_est has reached cwnd_prior */
#define CUBIC_ALPHA_NUM 9
#define CUBIC_ALPHA_DEN 17

#define US_CUBED_PER_S3 1000000000000000000ull  /* (10^6 us)^3 */
#define US_PER_NS       1000

/* |t - K| is clamped to 2^30 us (about 18 minutes). The cubic term there
 * is 0.4 * 1073^3 = 4.9e8 segments, more than 1.5 * any real cwnd, so
 * the target (clamped to 1.5 * cwnd) is the same as without the clamp;
 * and d^3 * 2 * mds < 2^90 * 2^33 fits in 128 bits. */
#define CUBIC_MAX_D_US  (1ull << 30)

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* floor(cbrt(x)), digit by digit in base 8: each step decides one bit of
 * the root from three bits of x. (y + 1)^3 - y^3 = 3y(y + 1) + 1 is what
 * setting the new low bit adds, compared against the remaining x at the
 * same scale. y < 2^43, so 3y(y + 1) + 1 < 2^88 and b << s <= x. */
static uint64_t icbrt128(u128 x)
{
	u128 y = 0;

	for (int s = 126; s >= 0; s -= 3) {
		y <<= 1;
		u128 b = 3 * y * (y + 1) + 1;

		if ((x >> s) >= b) {
			x -= b << s;
			y++;
		}
	}
	return (uint64_t)y;
}

/* W_cubic(t) in bytes, t in ns since the epoch started (never below 0). */
static uint64_t w_cubic(const struct quic_cc *cc, uint64_t t_ns)
{
	const struct quic_cc_cubic *c = &cc->algo.cubic;
	uint64_t t = t_ns / US_PER_NS, k = c->k_ns / US_PER_NS;
	uint64_t d = t > k ? t - k : k - t;

	if (d > CUBIC_MAX_D_US)
		d = CUBIC_MAX_D_US;
	u128 term = (u128)d * d * d * ((u128)CUBIC_C_NUM * cc->mds) /
		    ((u128)CUBIC_C_DEN * US_CUBED_PER_S3);

	if (t >= k)
		return term >= UINT64_MAX - c->w_max ? UINT64_MAX : c->w_max + (uint64_t)term;
	return term >= c->w_max ? 0 : c->w_max - (uint64_t)term;
}

/* The first ACK in congestion avoidance after a congestion event (or
 * after slow start) starts an epoch: t counts from here, cwnd_epoch is
 * the current cwnd and W_est starts at it (4.2, 4.3). */
static void start_epoch(struct quic_cc *cc, uint64_t now)
{
	struct quic_cc_cubic *c = &cc->algo.cubic;

	/* 0 means "no epoch": an epoch starting at time 0 starts at 1 ns */
	c->epoch_start = now ? now : 1;
	c->w_est = cc->cwnd;
	c->acked = 0;
	c->inc_rem = 0;
	if (c->w_max <= cc->cwnd) {
		/* 4.2: cwnd_epoch above W_max gives K = 0. Also the case after
		 * persistent congestion (4.8, W_max forgotten) and after a
		 * slow start that ended without loss (4.10): W_max is then the
		 * window at the start of congestion avoidance. */
		c->w_max = cc->cwnd;
		c->k_ns = 0;
		return;
	}
	/* (W_max - cwnd) < 2^64 and 5 * 10^18 < 2^63: the product fits */
	u128 k3 = (u128)(c->w_max - cc->cwnd) * ((u128)CUBIC_C_DEN * US_CUBED_PER_S3) /
		  ((u128)CUBIC_C_NUM * cc->mds);

	c->k_ns = icbrt128(k3) * US_PER_NS;
}

void quic_cc_algo_init(struct quic_cc *cc)
{
	struct quic_cc_cubic *c = &cc->algo.cubic;

	c->epoch_start = 0;
	c->w_max = 0;
	c->w_last_max = 0;
	c->k_ns = 0;
	c->w_est = 0;
	c->cwnd_prior = 0;
	c->acked = 0;
	c->inc_rem = 0;
}

void quic_cc_algo_on_acked(struct quic_cc *cc, uint32_t bytes, const struct quic_rtt *rtt,
			   uint64_t now)
{
	struct quic_cc_cubic *c = &cc->algo.cubic;

	if (!c->epoch_start)
		start_epoch(cc, now);
	uint64_t t = now > c->epoch_start ? now - c->epoch_start : 0;

	/* 4.3: W_est += alpha_cubic * segments_acked / cwnd (in segments),
	 * in bytes W_est += alpha * bytes * mds / cwnd. acked keeps the
	 * remainder of that division (scaled by CUBIC_ALPHA_DEN * cwnd) so
	 * that small acks add up. alpha becomes 1 once W_est has reached
	 * the window before the last reduction. */
	uint64_t alpha = c->w_est >= c->cwnd_prior ? CUBIC_ALPHA_DEN : CUBIC_ALPHA_NUM;
	u128 num = (u128)c->acked + (u128)bytes * alpha * cc->mds;
	u128 den = (u128)cc->cwnd * CUBIC_ALPHA_DEN;
	u128 inc = num / den;

	c->acked = (uint64_t)(num - inc * den);
	c->w_est = sat_add(c->w_est, (uint64_t)inc);

	/* 4.3: where the Reno-friendly estimate is ahead of the cubic
	 * curve (small windows, short RTTs), follow it */
	if (w_cubic(cc, t) < c->w_est) {
		if (c->w_est > cc->cwnd)
			cc->cwnd = c->w_est;
		return;
	}

	/* 4.2: aim at where the curve will be one RTT from now, RTT being
	 * the smoothed RTT, and between cwnd and 1.5 * cwnd (the increase
	 * must stay below slow start's) */
	uint64_t rtt_ns = rtt->smoothed ? rtt->smoothed : rtt->min;
	uint64_t target = w_cubic(cc, sat_add(t, rtt_ns));
	uint64_t cap = sat_add(cc->cwnd, cc->cwnd / 2);

	if (target > cap)
		target = cap;
	if (target <= cc->cwnd)
		return;
	/* concave (cwnd < W_max) and convex (cwnd >= W_max) regions alike:
	 * (target - cwnd) / cwnd segments per segment acked, i.e. in bytes
	 * (target - cwnd) * bytes / cwnd, the remainder carried over */
	u128 grow = (u128)(target - cc->cwnd) * bytes + c->inc_rem;

	c->inc_rem = (uint64_t)(grow % cc->cwnd);
	cc->cwnd = sat_add(cc->cwnd, (uint64_t)(grow / cc->cwnd));
}

void quic_cc_algo_on_congestion(struct quic_cc *cc, uint64_t now)
{
	struct quic_cc_cubic *c = &cc->algo.cubic;
	uint64_t min = 2 * (uint64_t)cc->mds;

	/* 4.7 fast convergence: a flow that lost below its last W_max
	 * (the saturation point dropped: a new flow, probably) gives up
	 * more by aiming lower */
	c->w_last_max = c->w_max;
	if (cc->cwnd < c->w_max)
		c->w_max = (uint64_t)((u128)cc->cwnd * CUBIC_FC_NUM / CUBIC_FC_DEN);
	else
		c->w_max = cc->cwnd;
	c->cwnd_prior = cc->cwnd;

	/* 4.6 multiplicative decrease, not below 2 segments */
	cc->ssthresh = (uint64_t)((u128)cc->cwnd * CUBIC_BETA_NUM / CUBIC_BETA_DEN);
	if (cc->ssthresh < min)
		cc->ssthresh = min;
	cc->cwnd = cc->ssthresh;

	/* the next ACK in congestion avoidance starts a new epoch */
	c->epoch_start = 0;
	c->k_ns = 0;
	c->acked = 0;
	c->inc_rem = 0;
}

void quic_cc_algo_on_persistent_congestion(struct quic_cc *cc)
{
	struct quic_cc_cubic *c = &cc->algo.cubic;

	/* 4.8: after a timeout the first congestion avoidance uses K = 0
	 * and W_max = the window it starts with: forgetting W_max makes
	 * start_epoch() do exactly that */
	c->epoch_start = 0;
	c->w_max = 0;
	c->k_ns = 0;
	c->acked = 0;
	c->inc_rem = 0;
}
