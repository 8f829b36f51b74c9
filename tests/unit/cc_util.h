/* Helpers shared by the congestion-control suites (test_cc_newreno.c,
 * test_cc_cubic.c): an RTT estimate and a round trip of ACKs in virtual
 * time. */
#ifndef TERN_TESTS_UNIT_CC_UTIL_H
#define TERN_TESTS_UNIT_CC_UTIL_H

#include "quic/cc.h"

#define MS      1000000ull
#define SEC     1000000000ull

static inline struct quic_rtt rtt_of(uint64_t srtt)
{
	struct quic_rtt r = {
		.latest = srtt, .smoothed = srtt, .var = srtt / 2, .min = srtt,
		.have_sample = true,
	};

	return r;
}

/* One round trip of acknowledgments: `bytes` in datagrams of mds, each
 * sent one smoothed RTT before its ACK, the ACKs spread evenly over the
 * RTT from *now; *now moves on by the RTT. */
static inline void ack_round(struct quic_cc *cc, const struct quic_rtt *rtt, uint64_t *now,
			     uint64_t bytes)
{
	uint64_t n = bytes / cc->mds, srtt = rtt->smoothed;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t t = *now + srtt * i / n;

		quic_cc_on_acked(cc, cc->mds, t - srtt, rtt, false, t);
	}
	*now += srtt;
}

#endif
