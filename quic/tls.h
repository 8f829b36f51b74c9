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
 */
#ifndef TERN_QUIC_TLS_H
#define TERN_QUIC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto-t.h"
#include "quic/quic-t.h"

#define QUIC_TLS_SECRET_MAX 48  /* SHA-384 */

/* The endpoint's TLS configuration. */
struct quic_tls_ctx {
	void *wolf;       /* WOLFSSL_CTX */
	bool server;
};

enum quic_tls_dir { QUIC_TLS_RX, QUIC_TLS_TX };

/* Bytes the handshake wrote for one level: out[0..len) with sent of them
 * handed out (quic_tls_out_next); acked bytes stay until the whole buffer
 * is released with the object. */
struct quic_tls_out {
	uint8_t *buf;
	uint32_t cap, len, sent;
};

struct quic_tls {
	void *ssl;        /* WOLFSSL */
	const struct quic_tls_ctx *ctx;
	/* secrets wolfSSL produced and the connection has not taken yet */
	uint8_t secret[QUIC_LEVEL_COUNT][2][QUIC_TLS_SECRET_MAX];
	uint8_t secret_len[QUIC_LEVEL_COUNT][2];
	uint8_t fresh;    /* bit 2 * level + dir: secret waiting */
	struct quic_tls_out out[QUIC_LEVEL_COUNT];
	bool complete;    /* handshake done (wolfSSL's view) */
	bool overflow;    /* an out[] buffer was too small */
	uint8_t alert;    /* TLS alert wolfSSL asked to send, 0 if none */
	uint16_t error;   /* the QUIC error to close with, after a failure */
};

/* Server: DER certificate (chain: leaf first, then intermediates, each
 * DER) and its private key; client: DER CA certificate to verify the
 * server with (NULL: no verification, for tests and benchmarks only).
 * The suites are those enabled, in crypto_suite_preference() order. */
int quic_tls_ctx_init_server(struct quic_tls_ctx *c, const uint8_t *cert, size_t certlen,
			     const uint8_t *key, size_t keylen);
int quic_tls_ctx_init_client(struct quic_tls_ctx *c, const uint8_t *ca, size_t calen);
void quic_tls_ctx_deinit(struct quic_tls_ctx *c);

/* Start one connection's handshake. bufs[level] / caps[level]: the
 * caller's storage for that level's outgoing handshake bytes (Initial,
 * Handshake and 1-RTT; the early level takes none). tp: our encoded
 * transport parameters. sni: the server name a client sends (NULL for a
 * server or none). Undone by quic_tls_deinit, also after a failure. */
int quic_tls_init(struct quic_tls *t, const struct quic_tls_ctx *c,
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

#endif
