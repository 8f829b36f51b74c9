/* quic/endpoint: a QUIC endpoint (RFC 9000): datagrams in and out with an
 * explicit `now`, connections routed by Destination Connection ID
 * (quic/cid), new connections accepted from Initials (or answered with a
 * Retry, per policy), Version Negotiation for unknown versions, stateless
 * reset for unknown short-header packets, one deadline for all timers.
 * The server role serves; the client role exists for tests, benchmarks
 * and the simulator. Nothing here touches a socket or a clock (DESIGN.md
 * 2): the board's loop, or tests/sim, calls
 *
 *   quic_endpoint_input(ep, &from, dgram, len, now);
 *   while ((n = quic_endpoint_output(ep, &to, buf, sizeof(buf), now)))
 *           send buf[0..n) to `to`;
 *   at quic_endpoint_deadline(ep): quic_endpoint_timeout(ep, now);
 */
#ifndef TERN_QUIC_ENDPOINT_H
#define TERN_QUIC_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto-t.h"
#include "quic/cid.h"
#include "quic/conn-t.h"
#include "quic/tls.h"
#include "quic/token.h"

struct quic_stream;

/* What the application (HTTP/3, a test) hears from the transport. Called
 * from quic_endpoint_input() while a packet is processed; it may read and
 * write streams (quic/conn.h), never free the connection. */
struct quic_app_ops {
	/* s has new data, a FIN or a reset to read, or the peer stopped it */
	void (*stream_event)(void *ctx, struct quic_conn *c, struct quic_stream *s);
	/* s is about to be freed: both its sides are finished (after the
	 * last stream_event). Not called for the streams of a connection
	 * that goes: conn_closed covers them. May be NULL. */
	void (*stream_closed)(void *ctx, struct quic_conn *c, struct quic_stream *s);
	/* c is about to be freed (closed, timed out, refused, or the
	 * endpoint goes): the last call about it and its streams. The
	 * streams may not be used any more. May be NULL. */
	void (*conn_closed)(void *ctx, struct quic_conn *c);
};

enum quic_retry_policy {
	QUIC_RETRY_NEVER,
	QUIC_RETRY_ALWAYS,
	QUIC_RETRY_ABOVE_LOAD,  /* when more than retry_load connections are handshaking */
};

struct quic_endpoint_cfg {
	bool server;
	/* server: certificate and key (DER); client: CA (DER) or NULL */
	const uint8_t *cert, *key, *ca;
	size_t certlen, keylen, calen;
	const char *sni;                       /* client */
	uint8_t static_secret[QUIC_TOKEN_SECRET_LEN];  /* reset and Retry tokens */
	uint8_t seed[32];                      /* the endpoint's random stream */
	enum quic_retry_policy retry;
	uint32_t retry_load;
	uint64_t idle_timeout_ms;              /* 0: CONFIG default */
	const struct quic_app_ops *app;        /* NULL: stream data is discarded */
	void *app_ctx;
	/* server: the versions it accepts (0: v1 and v2); client: the version
	 * of its first Initial (0: v1), another after Version Negotiation */
	uint32_t version;
	bool v1_only;
	/* start a key update every this many 1-RTT packets (0: the
	 * CONFIG_QUIC_KEY_UPDATE_PACKETS default; UINT64_MAX: never) */
	uint64_t key_update_packets;
	/* server: send disable_active_migration; a client that moves with a
	 * new CID is then dropped (NAT rebinding is still followed) */
	bool disable_active_migration;
	/* the port cannot read or write the ECN field: never mark ECT */
	bool no_ecn;
	/* server: accept 0-RTT on resumed connections (CONFIG_QUIC_0RTT
	 * only; tickets are issued and resumption works either way) */
	bool early_data;
};

struct quic_endpoint_stats {
	uint32_t dgrams_rx, dgrams_tx, pkts_dropped, vn_sent, retry_sent, reset_sent;
	uint32_t conns_accepted, conns_refused, conns_closed, tokens_bad, tokens_good;
	uint32_t handshakes;  /* connections whose handshake completed */
	uint32_t resets_received;
	/* the connections' own counters (quic_conn stats, recovery stats),
	 * added up as each connection is freed */
	uint32_t migrations, path_fail, path_drop, pkts_lost, ptos;
	uint32_t ecn_capable;  /* connections that validated ECN (RFC 9000 13.4.2) */
};

struct quic_endpoint {
	bool server;
	struct quic_tls_ctx tls;
	struct quic_token_key tokens;
	struct crypto_aead_ctx rng;            /* CTR stream: random CIDs, nonces */
	uint64_t rng_ctr;
	enum quic_retry_policy retry;
	uint32_t retry_load;
	uint64_t idle_timeout_ms;
	const char *sni;
	const struct quic_app_ops *app;
	void *app_ctx;
	uint32_t first_version;                /* client */
	uint64_t key_update_packets;           /* 0: never */
	/* client: the last NEW_TOKEN a server gave, for the next connection */
	struct quic_addr token_for;
	uint8_t token[QUIC_CLIENT_TOKEN_MAX];
	uint16_t token_len;
	/* client: the last session a server gave (a ticket and its transport
	 * parameters), for resumption and 0-RTT; single use for 0-RTT */
	struct quic_addr session_for;
	uint8_t session[QUIC_TLS_SESSION_MAX];
	uint16_t session_len;
	bool v1_only;                          /* server */
	bool no_migration;                     /* server: disable_active_migration */
	bool no_ecn;
	pool_handle_t conns[CONFIG_POOL_CONNECTIONS];
	uint32_t nconns;
	uint32_t out_next;                     /* where the next output round starts */
	/* stateless answers waiting to go out (VN, Retry, reset): one slot */
	uint8_t pending[1280];
	size_t pending_len;
	struct quic_addr pending_to;
	struct quic_endpoint_stats st;
	/* the `now` of the call in progress (or the last one): for the
	 * application's callbacks, which get no time of their own */
	uint64_t now;
	struct quic_cid_table cids;
};

/* 0, or negative (nothing to undo): for a server's certificate or key an
 * enum quic_tls_init_error (QUIC_TLS_E_CERT, _KEY, _KEY_MISMATCH), else
 * -1 (bad CA, crypto failure). */
int quic_endpoint_init(struct quic_endpoint *ep, const struct quic_endpoint_cfg *cfg);
/* Closes every connection at once (no CONNECTION_CLOSE) and frees all. */
void quic_endpoint_deinit(struct quic_endpoint *ep);

void quic_endpoint_input(struct quic_endpoint *ep, const struct quic_addr *from,
			 uint8_t *dgram, size_t len, uint64_t now);
/* The next datagram to send (0: nothing now), its destination in *to. */
size_t quic_endpoint_output(struct quic_endpoint *ep, struct quic_addr *to, uint8_t *out,
			    size_t cap, uint64_t now);
/* The same two with ECN (RFC 9000 13.4): the codepoint the datagram
 * arrived with (QUIC_ECN_*), the one to send it with. A port that cannot
 * read or set the field uses the calls above and sets no_ecn. */
void quic_endpoint_input_ecn(struct quic_endpoint *ep, const struct quic_addr *from,
			     uint8_t *dgram, size_t len, uint8_t ecn, uint64_t now);
size_t quic_endpoint_output_ecn(struct quic_endpoint *ep, struct quic_addr *to, uint8_t *out,
				size_t cap, uint8_t *ecn, uint64_t now);
uint64_t quic_endpoint_deadline(const struct quic_endpoint *ep);
/* Walk every registry (CID table, connection list, each connection's
 * stream slots, handshake block and sent-packet lists) and count the
 * entries that name no live object or the wrong owner (DESIGN.md 4.1).
 * 0 is the only right answer; tests call it after every close. */
uint32_t quic_endpoint_audit(const struct quic_endpoint *ep);
void quic_endpoint_timeout(struct quic_endpoint *ep, uint64_t now);

/* Client: start a connection to peer. Its handle, or POOL_HANDLE_NONE. */
pool_handle_t quic_endpoint_connect(struct quic_endpoint *ep, const struct quic_addr *peer,
				    uint64_t now);
/* The connection behind h (NULL once it is gone). */
struct quic_conn *quic_endpoint_conn(struct quic_endpoint *ep, pool_handle_t h);

/* A NEW_TOKEN token for peer (bound to its IP address), 0 on failure. */
size_t quic_endpoint_new_token(struct quic_endpoint *ep, const struct quic_addr *peer,
			       uint64_t now, uint8_t *out, size_t cap);

/* n random bytes from the endpoint's stream. */
void quic_endpoint_random(struct quic_endpoint *ep, void *out, size_t n);

#endif
