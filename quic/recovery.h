/* quic/recovery: loss detection and the PTO of RFC 9002 (appendix A is
 * the model): RTT estimation, packet- and time-threshold loss, PTO with
 * backoff per packet-number space, persistent congestion, bytes in
 * flight; it feeds quic/cc and asks it whether and when to send.
 *
 * Records come from the shared pool `sent`. What a record's frames
 * become when it is acknowledged or lost is the connection's business:
 * recovery calls back (quic_recovery_ops) and frees the record after.
 * An empty pool is not an error: the connection sends nothing
 * ack-eliciting until records come back (ACKs still go out).
 */
#ifndef TERN_QUIC_RECOVERY_H
#define TERN_QUIC_RECOVERY_H

#include "quic/frame.h"
#include "quic/recovery-t.h"

#define QUIC_NS_PER_MS     UINT64_C(1000000)
#define QUIC_INITIAL_RTT   (333 * QUIC_NS_PER_MS)   /* RFC 9002 6.2.2 */
#define QUIC_GRANULARITY   QUIC_NS_PER_MS           /* kGranularity */
#define QUIC_PACKET_THRESHOLD 3                     /* kPacketThreshold */

struct quic_recovery_ops {
	/* p's frames arrived */
	void (*acked)(void *arg, enum quic_pn_space s, struct quic_sent *p);
	/* p's frames must be sent again (declared lost, or a PTO probe
	 * wants them; after a probe the record may still be acked) */
	void (*lost)(void *arg, enum quic_pn_space s, struct quic_sent *p);
};

void quic_recovery_init(struct quic_recovery *r, uint32_t max_datagram_size);
/* Free every record (no callbacks). */
void quic_recovery_deinit(struct quic_recovery *r);

/* A zeroed record for the packet being built; NULL when the pool is
 * empty (counted). Give it back with quic_recovery_on_sent() or
 * quic_recovery_release(). */
struct quic_sent *quic_recovery_record(struct quic_recovery *r);
void quic_recovery_release(struct quic_sent *p);
/* The packet of p (pn, size, ack_eliciting set) was sent: an
 * ack-eliciting one is linked and counted in flight, any other released. */
void quic_recovery_on_sent(struct quic_recovery *r, enum quic_pn_space s, struct quic_sent *p,
			   uint64_t now);

/* An ACK frame for space s (its largest already checked against the
 * packets sent); ack_delay as decoded (ns). RFC 9002 5.3: it is
 * subtracted in every space (Initial ACKs are immediate unless repeated,
 * and then their delay is real), capped by max_ack_delay once the
 * handshake is confirmed, never below min_rtt. */
void quic_recovery_on_ack(struct quic_recovery *r, enum quic_pn_space s,
			  const struct quic_frame *f, uint64_t ack_delay,
			  const struct quic_recovery_ops *ops, void *arg, uint64_t now);

/* Keys of space s are gone (RFC 9002 6.4): its records leave without
 * callbacks, bytes in flight shrink, pto_count restarts. */
void quic_recovery_discard(struct quic_recovery *r, enum quic_pn_space s);

/* Forget every record of space s (client after a Retry: the Initial is
 * sent again from the start); the frames are the caller's to redo. */
void quic_recovery_reset_space(struct quic_recovery *r, enum quic_pn_space s);

/* The peer moved to a new address (RFC 9000 9.4): the controller and
 * the RTT estimate start again; packets in flight stay counted. */
void quic_recovery_new_path(struct quic_recovery *r);

/* The loss-detection timer (time-threshold loss or PTO); UINT64_MAX: off. */
uint64_t quic_recovery_deadline(const struct quic_recovery *r);
/* It fired: declare losses, or send probes (sp[s].probes, frames of the
 * oldest packets requeued through ops->lost). */
void quic_recovery_timeout(struct quic_recovery *r, const struct quic_recovery_ops *ops,
			   void *arg, uint64_t now);

/* Send one probe of space s now (RFC 9002 6.2.3: the peer showed it
 * lacks our data): the oldest frames not yet requeued go again, beyond
 * the window; no backoff. */
void quic_recovery_probe(struct quic_recovery *r, enum quic_pn_space s,
			 const struct quic_recovery_ops *ops, void *arg);

/* RFC 9002 6.2.1: PTO period of space s without backoff. */
uint64_t quic_recovery_pto_base(const struct quic_recovery *r, enum quic_pn_space s);

/* May an ack-eliciting packet of `bytes` go now (window and pacer)?
 * Probes are sent regardless. When the window allows it but the pacer
 * does not, *when is the time it will (else UINT64_MAX). */
bool quic_recovery_can_send(struct quic_recovery *r, uint32_t bytes, uint64_t now,
			    uint64_t *when);

/* Mark the next datagram ECT(0)? Then quic_recovery_ecn_marked() once
 * it went out marked (testing counts them). */
bool quic_recovery_ecn_mark(const struct quic_recovery *r);
void quic_recovery_ecn_marked(struct quic_recovery *r);
/* Give ECN up at once (the port cannot mark or read the field). */
void quic_recovery_ecn_disable(struct quic_recovery *r);

/* Does any record of space s carry CRYPTO data? */
bool quic_recovery_has_crypto(const struct quic_recovery *r, enum quic_pn_space s);

#endif
