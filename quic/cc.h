/* quic/cc: congestion control (RFC 9002 7) and pacing (7.7) for one
 * connection. The algorithm is a Kconfig choice linked in
 * (CONFIG_QUIC_CC_NEWRENO: quic/cc_newreno.c, RFC 9002 7.3;
 * CONFIG_QUIC_CC_CUBIC: quic/cc_cubic.c, RFC 9438); what every algorithm
 * shares (the recovery period, persistent congestion, app-limited
 * rules, the pacer) is quic/cc.c.
 *
 * quic/recovery owns bytes in flight and the RTT; it tells the
 * controller what happened to each packet and asks it how much may be
 * sent and when. Byte counts are whole UDP payloads (the QUIC packets of
 * a datagram). Times are nanoseconds, as everywhere in quic/.
 */
#ifndef TERN_QUIC_CC_H
#define TERN_QUIC_CC_H

#include <stdbool.h>
#include <stdint.h>

/* The RTT estimate (RFC 9002 5), kept by quic/recovery. */
struct quic_rtt {
	uint64_t latest, smoothed, var, min;
	bool have_sample;   /* false: smoothed/var are the initial 333/166 ms */
};

/* NewReno's state (RFC 9002 7.3.3: bytes acked in congestion avoidance). */
struct quic_cc_newreno {
	uint64_t acked;
};

/* CUBIC's state (RFC 9438 4). Windows in bytes, times in ns. */
struct quic_cc_cubic {
	uint64_t epoch_start;   /* 0: no congestion-avoidance epoch yet */
	uint64_t w_max;         /* window before the last reduction */
	uint64_t w_last_max;    /* for fast convergence (4.7) */
	uint64_t k_ns;          /* time to reach w_max again */
	uint64_t w_est;         /* the Reno-friendly estimate (4.3) */
	uint64_t cwnd_prior;    /* cwnd before the last reduction (4.3's alpha
	                         * switch; spurious-loss undo not done yet) */
	uint64_t acked;         /* bytes acked towards the next w_est step
	                         * (a remainder, scaled: see cc_cubic.c) */
	uint64_t inc_rem;       /* remainder of the last cwnd increment */
};

struct quic_cc {
	uint64_t cwnd;              /* bytes */
	uint64_t ssthresh;          /* UINT64_MAX: slow start */
	uint64_t recovery_start;    /* packets sent at or before it belong to the
	                             * last congestion event; 0: none yet */
	uint32_t mds;               /* max datagram size */
	/* pacer (7.7): a token bucket refilled at rate 5/4 * cwnd / srtt
	 * (2 * in slow start), holding at most a burst of 10 datagrams */
	uint64_t pace_tokens;       /* bytes that may leave now */
	uint64_t pace_last;         /* time of the last refill */
	uint32_t pace_frac;         /* and a fraction of a byte, in 2^-32 */
	union {
		struct quic_cc_newreno newreno;
		struct quic_cc_cubic cubic;
	} algo;
	struct {
		/* ecn_ce: every call with ecn set, within a recovery
		 * period or not (congestion_events counts only new ones) */
		uint32_t congestion_events, persistent, ecn_ce;
		uint64_t cwnd_min_seen;     /* smallest cwnd after the first event */
	} stats;
};

/* Initial window: min(10 * mds, max(14720, 2 * mds)) (RFC 9002 7.2). */
void quic_cc_init(struct quic_cc *cc, uint32_t max_datagram_size);

/* May a packet of `bytes` be sent with in_flight bytes already in
 * flight? (Probes are sent regardless: recovery does not ask.) */
bool quic_cc_can_send(const struct quic_cc *cc, uint64_t in_flight, uint32_t bytes);

/* A packet counted in flight was sent (pacer debit). */
void quic_cc_on_sent(struct quic_cc *cc, uint32_t bytes, uint64_t now);

/* The earliest time the next packet may leave (<= now: at once) for the
 * pacer, given the RTT. */
uint64_t quic_cc_pace_time(struct quic_cc *cc, const struct quic_rtt *rtt, uint64_t now);

/* An in-flight packet of `bytes`, sent at sent_time, was acknowledged.
 * app_limited: the sender did not fill the window when it was sent
 * (7.8: the window is not grown). Packets sent during the recovery
 * period do not grow it either (7.3.2). */
void quic_cc_on_acked(struct quic_cc *cc, uint32_t bytes, uint64_t sent_time,
		      const struct quic_rtt *rtt, bool app_limited, uint64_t now);

/* Packets were declared lost, the newest of them sent at sent_time; or
 * an ACK reported a new ECN-CE count (ecn: true) for a packet sent at
 * sent_time. One congestion event per recovery period (7.3.2). */
void quic_cc_on_congestion(struct quic_cc *cc, uint64_t sent_time, bool ecn, uint64_t now);

/* Persistent congestion was established (7.6): cwnd to the minimum
 * window (2 * mds), ssthresh kept, recovery period ended. */
void quic_cc_on_persistent_congestion(struct quic_cc *cc, uint64_t now);

/* In slow start? */
static inline bool quic_cc_in_slow_start(const struct quic_cc *cc)
{
	return cc->cwnd < cc->ssthresh;
}

/* ---- the algorithm's half (quic/cc_newreno.c or quic/cc_cubic.c) ---- */

/* Name for logs and tests: "newreno" or "cubic". */
extern const char quic_cc_algo_name[];
void quic_cc_algo_init(struct quic_cc *cc);
/* Congestion avoidance growth for `bytes` acknowledged (slow start and
 * the recovery-period / app-limited checks are quic/cc.c's). */
void quic_cc_algo_on_acked(struct quic_cc *cc, uint32_t bytes, const struct quic_rtt *rtt,
			   uint64_t now);
/* A new congestion event: set ssthresh and cwnd (never below 2 * mds). */
void quic_cc_algo_on_congestion(struct quic_cc *cc, uint64_t now);
/* Persistent congestion: forget the epoch. */
void quic_cc_algo_on_persistent_congestion(struct quic_cc *cc);

#endif
