/* quic/tls: the TLS 1.3 handshake of a QUIC connection through wolfSSL's
 * QUIC API (RFC 9001 section 4). No wolfSSL type or header reaches the
 * caller.
 *
 * An endpoint holds one struct quic_tls_ctx (certificate, key, ALPN "h3",
 * the suite order); each connection in handshake holds one struct
 * quic_tls in memory the caller owns (the connection's handshake block,
 * released once the handshake is confirmed, DESIGN.md 3).
 *
 * wolfSSL's callbacks only copy (DESIGN.md 4.3): secrets into sec[],
 * handshake bytes into out[] per level. After each quic_tls_*() call the
 * connection looks at what changed:
 *
 *   quic_tls_feed(t, level, crypto_bytes, n);      CRYPTO frame data, in order
 *   if (quic_tls_advance(t) < 0) close with t->error
 *   while (quic_tls_take_secret(t, &level, &dir, secret, &len)) install keys
 *   send out[level] bytes from sent[level] on as CRYPTO frames
 *
 * Functions return 0 on success and -1 on failure; on a handshake failure
 * t->error holds the QUIC error to close with (0x100 + TLS alert, RFC
 * 9001 4.8).
 *
 * Session resumption and 0-RTT (docs/notes/0rtt-wolfssl.md; the
 * functions are at the end of this file):
 *
 * - A server issues exactly one session ticket when its handshake
 *   completes (out[QUIC_LEVEL_APP], in the quic_tls_advance() call that
 *   sets t->complete), sealed by quic/ticket with the endpoint's own
 *   rotating keys. The ticket carries a hash of the transport parameters
 *   given to quic_tls_ctx_ticket_config(): 0-RTT on a ticket issued
 *   under other values is refused (RFC 9000 7.4.1).
 * - With CONFIG_QUIC_0RTT a server accepts 0-RTT on a resumed connection
 *   when quic_tls_ctx_ticket_config() turned it on, the connection did
 *   not refuse it (quic_tls_refuse_early), the ticket allows it, its
 *   config hash matches, the strike register has not seen it (and has
 *   room: it fails closed), and the ClientHello needs no
 *   HelloRetryRequest. Only then does quic_tls_take_secret() yield the
 *   0-RTT read secret (QUIC_LEVEL_EARLY, QUIC_TLS_RX), in the advance
 *   that processes the ClientHello, before the Handshake secrets. A
 *   refused 0-RTT still resumes the session (no certificate).
 * - A client loads a saved session (quic_tls_set_session) before its
 *   first quic_tls_advance(); when the session allows 0-RTT, that first
 *   advance yields the 0-RTT write secret (QUIC_LEVEL_EARLY,
 *   QUIC_TLS_TX) before the ClientHello bytes. Once t->complete,
 *   quic_tls_early_status() says whether the server took the 0-RTT data.
 *   After t->tickets grows, quic_tls_save_session() serialises the
 *   session (with the server's transport parameters) for the next time.
 *
 * Without CONFIG_QUIC_0RTT no early-data code is built: tickets never
 * allow 0-RTT, no QUIC_LEVEL_EARLY secret ever appears and
 * quic_tls_early_status() is QUIC_TLS_EARLY_NONE. Resumption works.
 */
#ifndef TERN_QUIC_TLS_H
#define TERN_QUIC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto-t.h"
#include "lib/kconfig.h"
#include "quic/quic-t.h"
#include "quic/ticket.h"

#define QUIC_TLS_SECRET_MAX 48  /* SHA-384 */

#define QUIC_TLS_SESSION_MAX 1024  /* a client's saved session (quic_tls_save_session) */

/* A server's ticket and 0-RTT counters (for the endpoint's log). */
struct quic_tls_stats {
	uint32_t tickets_issued;   /* NewSessionTickets sent */
	uint32_t tickets_failed;   /* a ticket could not be sealed or sent */
	uint32_t tickets_bad;      /* presented tickets refused: unknown or old key,
				    * forged, expired (full handshake) */
	uint32_t resumed;          /* handshakes completed on a ticket */
	uint32_t early_accepted;   /* 0-RTT accepted */
	uint32_t early_replay;     /* 0-RTT refused: ticket seen within the window */
	uint32_t early_full;       /* 0-RTT refused: strike register full */
	uint32_t early_refused;    /* 0-RTT refused otherwise: off, refused for the
				    * connection, ticket or config, HRR needed */
};

/* The endpoint's TLS configuration. */
struct quic_tls_ctx {
	void *wolf;       /* WOLFSSL_CTX */
	bool server;
	/* server: ticket keys and format (quic/ticket.h), counters */
	struct quic_ticket_keys tickets;
	struct quic_tls_stats st;
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	bool early;       /* server: tickets allow 0-RTT, and it is accepted */
	struct quic_strike strike;
#endif
};

enum quic_tls_dir { QUIC_TLS_RX, QUIC_TLS_TX };

/* Bytes the handshake wrote for one level: out[0..len) with sent of them
 * handed out (quic_tls_out_next); acked bytes stay until the whole buffer
 * is released with the object. */
struct quic_tls_out {
	uint8_t *buf;
	uint32_t cap, len, sent;
};

/* What became of 0-RTT on a connection (quic_tls_early_status). */
enum quic_tls_early {
	QUIC_TLS_EARLY_NONE,      /* not offered (always, without CONFIG_QUIC_0RTT) */
	QUIC_TLS_EARLY_PENDING,   /* offered, the answer is not known yet */
	QUIC_TLS_EARLY_ACCEPTED,
	QUIC_TLS_EARLY_REJECTED,
};

/* Server: the ticket wolfSSL presented last, opened. wolfSSL opens a
 * ticket once per candidate suite and again after an HRR, on a buffer it
 * wiped after the first use (notes D2): later calls are answered from
 * here. Holds a resumption secret: wiped when the handshake completes. */
struct quic_tls_ticket_seen {
	uint8_t name[QUIC_TICKET_NAME_LEN], iv[QUIC_TICKET_IV_LEN];
	uint8_t plain[QUIC_TICKET_ENC_MAX];
	uint16_t inlen, outlen;
	bool valid, ok;
	struct quic_ticket_meta meta;
};

struct quic_tls {
	void *ssl;        /* WOLFSSL */
	struct quic_tls_ctx *ctx;
	/* secrets wolfSSL produced and the connection has not taken yet */
	uint8_t secret[QUIC_LEVEL_COUNT][2][QUIC_TLS_SECRET_MAX];
	uint8_t secret_len[QUIC_LEVEL_COUNT][2];
	uint8_t fresh;    /* bit 2 * level + dir: secret waiting */
	struct quic_tls_out out[QUIC_LEVEL_COUNT];
	bool complete;    /* handshake done (wolfSSL's view) */
	bool overflow;    /* an out[] buffer was too small */
	uint8_t alert;    /* TLS alert wolfSSL asked to send, 0 if none */
	uint16_t error;   /* the QUIC error to close with, after a failure */
	bool started;     /* the first wolfSSL_quic_do_handshake ran */
	bool resumed;     /* the handshake resumed a session (once complete) */
	bool hrr;         /* a HelloRetryRequest was sent (server) or received */
	uint8_t tickets;  /* client: NewSessionTickets received (stops at 255) */
	uint8_t ticket_flags;  /* server: meta flags of the ticket it issues */
	uint8_t hello[38];     /* client: the start of the server's first message */
	uint8_t hello_len;
	struct quic_tls_ticket_seen seen;  /* server */
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	uint8_t early;    /* enum quic_tls_early */
	bool early_refused;  /* server: no 0-RTT on this connection */
	bool early_secret;   /* an early secret came from wolfSSL */
	struct quic_ch_scan scan;  /* server: the ClientHello, as it arrives */
#endif
};

/* Server: DER certificate (chain: leaf first, then intermediates, each
 * DER) and its private key; client: DER CA certificate to verify the
 * server with (NULL: no verification, for tests and benchmarks only).
 * The suites are those enabled, in crypto_suite_preference() order.
 * A server issues session tickets from the start: fresh random keys
 * (wolfCrypt's DRBG, seeded from the port's entropy), lifetime
 * CONFIG_QUIC_TICKET_LIFETIME_S, 0-RTT off; see
 * quic_tls_ctx_ticket_config() and quic_tls_ctx_tick(). */
/* Why a server context could not start (quic_tls_ctx_init_server). */
enum quic_tls_init_error {
	QUIC_TLS_E_INIT = -1,          /* arguments, memory, entropy */
	QUIC_TLS_E_CERT = -2,          /* not an X.509 certificate wolfSSL takes (DER) */
	QUIC_TLS_E_KEY = -3,           /* not a private key wolfSSL takes (DER) */
	QUIC_TLS_E_KEY_MISMATCH = -4,  /* the key is not the certificate's */
};

/* 0, or an enum quic_tls_init_error. */
int quic_tls_ctx_init_server(struct quic_tls_ctx *c, const uint8_t *cert, size_t certlen,
			     const uint8_t *key, size_t keylen);
int quic_tls_ctx_init_client(struct quic_tls_ctx *c, const uint8_t *ca, size_t calen);
void quic_tls_ctx_deinit(struct quic_tls_ctx *c);

/* Start one connection's handshake. bufs[level] / caps[level]: the
 * caller's storage for that level's outgoing handshake bytes (Initial,
 * Handshake and 1-RTT; the early level takes none). tp: our encoded
 * transport parameters. sni: the server name a client sends (NULL for a
 * server or none). Undone by quic_tls_deinit, also after a failure. c is
 * not const: a server connection uses its ticket keys, strike register
 * and counters. */
int quic_tls_init(struct quic_tls *t, struct quic_tls_ctx *c,
		  uint8_t *const bufs[QUIC_LEVEL_COUNT], const uint32_t caps[QUIC_LEVEL_COUNT],
		  const uint8_t *tp, size_t tplen, const char *sni);
void quic_tls_deinit(struct quic_tls *t);

/* Hand wolfSSL CRYPTO data of level (in order: the caller reassembles). */
int quic_tls_feed(struct quic_tls *t, enum quic_level level, const uint8_t *data, size_t len);
/* Run the handshake (and, once complete, post-handshake messages such as
 * NewSessionTicket) as far as the data fed so far allows. 0: fine (see
 * t->complete), -1: failed, t->error says why. */
int quic_tls_advance(struct quic_tls *t);

/* Take one fresh secret: true with *level, *dir and secret[0..*len). */
bool quic_tls_take_secret(struct quic_tls *t, enum quic_level *level, enum quic_tls_dir *dir,
			  uint8_t secret[QUIC_TLS_SECRET_MAX], size_t *len);

/* The negotiated AEAD (after the first handshake secrets). */
enum crypto_aead quic_tls_aead(const struct quic_tls *t);
/* The peer's encoded transport parameters (NULL, 0 until received). */
const uint8_t *quic_tls_peer_tp(const struct quic_tls *t, size_t *len);
/* The negotiated ALPN is "h3" (the server refuses anything else). */
bool quic_tls_alpn_h3(const struct quic_tls *t);

/* ---------------------------------------------------------------- resumption, 0-RTT */

/* Server: tp[0..tplen) are the transport parameters a client may
 * remember for 0-RTT (RFC 9000 7.4.1): ours, encoded without the values
 * that change per connection (original_destination_connection_id,
 * initial_source_connection_id, retry_source_connection_id,
 * stateless_reset_token, preferred_address) but with every limit
 * (initial_max_*, active_connection_id_limit, max_idle_timeout,
 * max_udp_payload_size, disable_active_migration, ...). Tickets carry a
 * hash of them; call again when they change and earlier tickets no
 * longer allow 0-RTT (they still resume). early_data: accept 0-RTT and
 * issue tickets that allow it (ignored without CONFIG_QUIC_0RTT; off
 * until this is called). 0, or -1 (not a server, bad arguments). */
int quic_tls_ctx_ticket_config(struct quic_tls_ctx *c, const uint8_t *tp, size_t tplen,
			       bool early_data);
/* Server: the caller's clock (ns, monotonic, the endpoint's `now`) for
 * ticket issue times and expiry, key rotation and the strike register.
 * Call it before the first connection and then before each datagram is
 * processed (or at least every second): the core has no clock. The
 * first call sets the origin. */
void quic_tls_ctx_tick(struct quic_tls_ctx *c, uint64_t now_ns);

/* Server: no 0-RTT on this connection (e.g. under load); it still
 * resumes. Takes effect when called before the quic_tls_advance() that
 * processes the ClientHello, i.e. while quic_tls_early_status() is not
 * yet ACCEPTED or REJECTED. A no-op without CONFIG_QUIC_0RTT. */
void quic_tls_refuse_early(struct quic_tls *t);
/* What became of 0-RTT. Server: known after the advance that processed
 * the ClientHello (ACCEPTED exactly when the QUIC_LEVEL_EARLY read
 * secret was handed out; REJECTED when the client offered 0-RTT and did
 * not get it). Client: PENDING from the first advance when the session
 * allowed 0-RTT (the QUIC_LEVEL_EARLY write secret was handed out),
 * ACCEPTED or REJECTED once t->complete. */
enum quic_tls_early quic_tls_early_status(const struct quic_tls *t);
static inline bool quic_tls_early_accepted(const struct quic_tls *t)
{
	return quic_tls_early_status(t) == QUIC_TLS_EARLY_ACCEPTED;
}
/* The handshake resumed a session (valid once t->complete). */
static inline bool quic_tls_resumed(const struct quic_tls *t)
{
	return t->resumed;
}

/* Client: resume sess[0..len) (from quic_tls_save_session, this process
 * only: session times are wolfSSL's monotonic clock). Call after
 * quic_tls_init() and before the first quic_tls_advance(). When the
 * session allows 0-RTT (CONFIG_QUIC_0RTT), 0-RTT is offered. 0, or -1:
 * malformed, expired or unusable; the handshake is then a full one. */
int quic_tls_set_session(struct quic_tls *t, const uint8_t *sess, size_t len);
/* Client: the session as of the last NewSessionTicket (t->tickets > 0),
 * with the server's transport parameters of this connection, into
 * out[0..cap) (QUIC_TLS_SESSION_MAX is always enough for a tern server).
 * Its length, or 0 (no ticket yet, too small). Save it again whenever
 * t->tickets grows: tickets are single use for 0-RTT. */
size_t quic_tls_save_session(const struct quic_tls *t, uint8_t *out, size_t cap);
/* What a saved session holds: the server's transport parameters
 * (*tp[0..*tplen), inside sess) and whether its ticket allows 0-RTT.
 * 0, or -1 (malformed). */
int quic_tls_session_info(const uint8_t *sess, size_t len, const uint8_t **tp, size_t *tplen,
			  bool *early);

#endif
