/* quic/conn: one QUIC connection (RFC 9000, 9001): packets in and out
 * for the three packet-number spaces, the TLS handshake over CRYPTO
 * frames, keys installed and discarded at the RFC 9001 4.9 moments,
 * ACKs, HANDSHAKE_DONE, idle timeout, CONNECTION_CLOSE with the closing
 * and draining states. quic/endpoint routes datagrams to it and asks it
 * for datagrams; it never sees a socket or a clock.
 *
 * Loss recovery here is the placeholder the recovery issue replaces:
 * packet and time thresholds and a PTO from a smoothed RTT (RFC 9002 6),
 * which already resend lost CRYPTO data correctly.
 */
#ifndef TERN_QUIC_CONN_H
#define TERN_QUIC_CONN_H

#include "quic/conn-t.h"

/* Set up c (a zeroed pool block) for the endpoint. Server: from the
 * client's first Initial (dcid = its SCID, odcid = its DCID; retry_scid
 * when this Initial answers our Retry). Client: scid/dcid random, odcid
 * = dcid. 0, or -1 (no handshake block, TLS failure): c is deinit'ed. */
int quic_conn_init(struct quic_conn *c, struct quic_endpoint *ep, pool_handle_t self,
		   bool server, uint32_t version, const struct quic_addr *peer,
		   const struct quic_cid *scid, const struct quic_cid *dcid,
		   const struct quic_cid *odcid, const struct quic_cid *retry_scid, uint64_t now);
/* Server: our transport parameters a client may remember for 0-RTT
 * (the limits, no per-connection values), for quic/tls's tickets. */
int quic_conn_ticket_tparams(const struct quic_endpoint *ep, uint8_t *out, size_t cap,
			     size_t *len);
/* Release everything c holds (its CIDs leave the endpoint's table
 * first, DESIGN.md 4.1). */
void quic_conn_deinit(struct quic_conn *c);

/* A datagram from `from` routed to c (every coalesced packet in it),
 * with the ECN codepoint it arrived with (QUIC_ECN_*: 0 if unknown). */
void quic_conn_input(struct quic_conn *c, const struct quic_addr *from, uint8_t *d, size_t len,
		     uint8_t ecn, uint64_t now);
/* The next datagram c wants to send (0: nothing now), to *to (the
 * peer, or the address a PATH_CHALLENGE came from); its ECN codepoint
 * is then c->tx_ecn. */
size_t quic_conn_output(struct quic_conn *c, struct quic_addr *to, uint8_t *out, size_t cap,
			uint64_t now);
uint64_t quic_conn_deadline(const struct quic_conn *c);
void quic_conn_timeout(struct quic_conn *c, uint64_t now);
/* Free the handshake block once nothing needs it any more (server:
 * confirmed, session tickets acknowledged); the endpoint calls it after
 * input. */
void quic_conn_release_hs(struct quic_conn *c);
/* Is d[0..len), a datagram c could not use, a stateless reset from its
 * peer (RFC 9000 10.3.1)? If so c is closed at once (no CONNECTION_CLOSE). */
bool quic_conn_is_stateless_reset(struct quic_conn *c, const uint8_t *d, size_t len,
				  uint64_t now);
/* Start a key update (RFC 9001 6): our packets move to the next key
 * phase. 0, or -1 when not allowed now (before confirmation, or while the
 * last update is not acknowledged and followed by the peer). Peer
 * updates are followed without being asked. */
int quic_conn_key_update(struct quic_conn *c);
/* Client: move to a new path (the application has moved the socket):
 * a fresh peer CID, the controller restarted, the path validated with
 * PATH_CHALLENGE (RFC 9000 9.2). -1 when not allowed (before
 * confirmation, the server sent disable_active_migration) or no spare
 * CID from the peer. */
int quic_conn_migrate(struct quic_conn *c, uint64_t now);
/* Close with a transport (app false) or application error. */
void quic_conn_close(struct quic_conn *c, uint64_t err, bool app, uint64_t now);

/* ---- streams, for the application ---- */

struct quic_stream;

/* A new stream of ours (bidi or unidirectional); NULL when the peer's
 * MAX_STREAMS or memory say not now. */
struct quic_stream *quic_conn_stream_open(struct quic_conn *c, bool bidi);
/* Queue data (and FIN) on s; returns the bytes taken (fewer when the
 * stream's buffer is full: write again after the peer acknowledges). */
size_t quic_conn_stream_write(struct quic_conn *c, struct quic_stream *s, const uint8_t *data,
			      size_t len, bool fin);
/* Bytes a write would take whole now: the stream's free buffer, as far
 * as the chunk pool can back it (a write of at most this many is never
 * short, so a frame can be written in one piece). 0 before the
 * connection may send stream data. */
size_t quic_conn_stream_writable(const struct quic_conn *c, const struct quic_stream *s);
/* Bytes readable in order now. */
size_t quic_conn_stream_readable(const struct quic_conn *c, const struct quic_stream *s);
/* Copy up to cap readable bytes without reading them. */
size_t quic_conn_stream_peek(const struct quic_conn *c, const struct quic_stream *s, uint8_t *out,
			     size_t cap);
/* Read in order; credits connection flow control for what is read. */
size_t quic_conn_stream_read(struct quic_conn *c, struct quic_stream *s, uint8_t *out, size_t cap,
			     bool *fin);
/* Abort our sending side (RESET_STREAM) / ask the peer to stop (STOP_SENDING). */
void quic_conn_stream_reset(struct quic_conn *c, struct quic_stream *s, uint64_t err);
void quic_conn_stream_stop(struct quic_conn *c, struct quic_stream *s, uint64_t err);

#endif
