/* quic/cc_newreno: the congestion controller of RFC 9002 7.3 (NewReno,
 * as in RFC 5681 and RFC 6582): linear growth in congestion avoidance,
 * halving on a congestion event. Slow start, the recovery period and
 * pacing are quic/cc.c's. */
#include "quic/cc.h"

/* kLossReductionFactor (7.3.2, B.2): 0.5 */
#define NEWRENO_REDUCTION_NUM   1
#define NEWRENO_REDUCTION_DEN   2

const char quic_cc_algo_name[] = "newreno";

void quic_cc_algo_init(struct quic_cc *cc)
{
	cc->algo.newreno.acked = 0;
}

void quic_cc_algo_on_acked(struct quic_cc *cc, uint32_t bytes, const struct quic_rtt *rtt,
			   uint64_t now)
{
	struct quic_cc_newreno *r = &cc->algo.newreno;

	/* 7.3.3: one datagram per window of bytes acked. B.5 writes it as
	 * cwnd += mds * bytes / cwnd per ack, which truncates to nothing for
	 * small acks and large windows; counting the bytes is exact. */
	r->acked += bytes;
	while (r->acked >= cc->cwnd) {
		r->acked -= cc->cwnd;
		cc->cwnd += cc->mds;
	}
}

void quic_cc_algo_on_congestion(struct quic_cc *cc, uint64_t now)
{
	uint64_t min = 2 * (uint64_t)cc->mds;

	/* B.6: ssthresh may end up below the minimum window; cwnd may not */
	cc->ssthresh = cc->cwnd / NEWRENO_REDUCTION_DEN * NEWRENO_REDUCTION_NUM;
	cc->cwnd = cc->ssthresh > min ? cc->ssthresh : min;
	/* a new window: count a whole one of acks before the next step */
	cc->algo.newreno.acked = 0;
}

void quic_cc_algo_on_persistent_congestion(struct quic_cc *cc)
{
	cc->algo.newreno.acked = 0;
}
