/* quic/endpoint: datagrams to connections and back; see
 * quic/endpoint.h. */
#include <string.h>

#include "crypto/crypto.h"
#include "lib/pool.h"
#include "quic/conn.h"
#include "quic/endpoint.h"
#include "quic/packet.h"
#include "quic/protect.h"

#define LOCAL_CID_LEN     8
#define RETRY_TOKEN_LIFE  (UINT64_C(10) * 1000000000)  /* 10 s */
#define NEW_TOKEN_LIFE    (UINT64_C(3600) * 1000000000) /* 1 h */
#define MIN_RESET_LEN     21    /* RFC 9000 10.3: 5 + 16-byte token at least */

static const uint32_t versions[] = { QUIC_VERSION_1, QUIC_VERSION_2 };

void quic_endpoint_random(struct quic_endpoint *ep, void *out, size_t n)
{
	uint8_t *p = out;

	/* AES-128-GCM over zeros with a counter nonce: its CTR keystream */
	while (n) {
		uint8_t block[64] = { 0 }, nonce[CRYPTO_AEAD_NONCE_LEN] = { 0 }, tag[16];
		size_t k = n < sizeof(block) ? n : sizeof(block);

		for (int i = 0; i < 8; i++)
			nonce[4 + i] = (uint8_t)(ep->rng_ctr >> (56 - 8 * i));
		ep->rng_ctr++;
		crypto_aead_seal(&ep->rng, nonce, NULL, 0, block, sizeof(block), tag);
		memcpy(p, block, k);
		crypto_wipe(block, sizeof(block));
		p += k;
		n -= k;
	}
}

static void random_cid(struct quic_endpoint *ep, struct quic_cid *c)
{
	c->len = LOCAL_CID_LEN;
	quic_endpoint_random(ep, c->b, LOCAL_CID_LEN);
}

/* The address as token binding: family, port, IP. */
static size_t addr_bytes(const struct quic_addr *a, uint8_t out[QUIC_TOKEN_MAX_ADDR])
{
	size_t iplen = a->family == 6 ? 16 : 4;

	out[0] = a->family;
	out[1] = (uint8_t)(a->port >> 8);
	out[2] = (uint8_t)a->port;
	memcpy(out + 3, a->ip, iplen);
	return 3 + iplen;
}

int quic_endpoint_init(struct quic_endpoint *ep, const struct quic_endpoint_cfg *cfg)
{
	uint8_t key[16];
	int ret;

	memset(ep, 0, sizeof(*ep));
	ep->server = cfg->server;
	ep->retry = cfg->retry;
	ep->retry_load = cfg->retry_load;
	ep->sni = cfg->sni;
	ep->app = cfg->app;
	ep->app_ctx = cfg->app_ctx;
	ep->first_version = cfg->version ? cfg->version : QUIC_VERSION_1;
	ep->key_update_packets = cfg->key_update_packets == UINT64_MAX ? 0 :
				 cfg->key_update_packets ? cfg->key_update_packets :
				 CONFIG_QUIC_KEY_UPDATE_PACKETS;
	ep->v1_only = cfg->v1_only;
	ep->no_migration = cfg->disable_active_migration;
	ep->no_ecn = cfg->no_ecn;
	if (!quic_version_supported(ep->first_version))
		return -1;
	ep->idle_timeout_ms = cfg->idle_timeout_ms ? cfg->idle_timeout_ms :
			      CONFIG_QUIC_IDLE_TIMEOUT_MS;
	if (crypto_aead_init(&ep->rng, CRYPTO_AES_128_GCM, cfg->seed, 16) != 0)
		return -1;
	quic_endpoint_random(ep, key, sizeof(key));
	quic_cid_table_init(&ep->cids, key);
	crypto_wipe(key, sizeof(key));
	ret = cfg->server ?
		quic_tls_ctx_init_server(&ep->tls, cfg->cert, cfg->certlen, cfg->key, cfg->keylen) :
		quic_tls_ctx_init_client(&ep->tls, cfg->ca, cfg->calen);
	if (ret != 0) {
		crypto_aead_deinit(&ep->rng);
		return ret < 0 ? ret : -1;  /* the certificate/key reason, for the board */
	}
	if (quic_token_key_init(&ep->tokens, cfg->static_secret) != 0) {
		quic_tls_ctx_deinit(&ep->tls);
		crypto_aead_deinit(&ep->rng);
		return -1;
	}
	if (cfg->server) {
		/* tickets carry a hash of our limits: 0-RTT only under the
		 * same ones (RFC 9000 7.4.1) */
		uint8_t tp[256];
		size_t tplen;

		if (quic_conn_ticket_tparams(ep, tp, sizeof(tp), &tplen) != 0 ||
		    quic_tls_ctx_ticket_config(&ep->tls, tp, tplen,
					       IS_ENABLED(CONFIG_QUIC_0RTT) && cfg->early_data) != 0) {
			quic_endpoint_deinit(ep);
			return -1;
		}
	}
	return 0;
}

static void free_conn(struct quic_endpoint *ep, uint32_t i)
{
	struct quic_conn *c = pool_get(&pool_conn, ep->conns[i]);

	if (c) {
		ep->st.migrations += c->stats.migrations;
		ep->st.path_fail += c->stats.path_fail;
		ep->st.path_drop += c->stats.path_drop;
		ep->st.pkts_lost += c->rec.stats.lost;
		ep->st.ptos += c->rec.stats.pto;
		ep->st.ecn_capable += c->rec.ecn == QUIC_ECN_CAPABLE;
		quic_conn_deinit(c);
		pool_free(&pool_conn, c);
		ep->st.conns_closed++;
	}
	ep->conns[i] = ep->conns[--ep->nconns];
}

static bool handle_eq(pool_handle_t a, pool_handle_t b)
{
	return a.idx == b.idx && a.gen == b.gen;
}

static uint32_t audit_conn(const struct quic_conn *c)
{
	uint32_t bad = 0;

	if (!pool_handle_is_none(c->hs) && !pool_handle_live(&pool_hs, c->hs))
		bad++;
	for (int i = 0; i < QUIC_STREAMS_SLOTS; i++) {
		pool_handle_t h = c->streams.slot[i];

		if (pool_handle_is_none(h))
			continue;
		if (!pool_handle_live(&pool_stream, h)) {
			bad++;
			continue;
		}
		/* read without pool_get: the handle was just checked */
		const struct quic_stream *s = pool_get(&pool_stream, h);

		if (!handle_eq(s->conn, c->self))
			bad++;
	}
	for (int sp = 0; sp < QUIC_SPACE_COUNT; sp++) {
		const struct quic_recovery_space *r = &c->rec.sp[sp];
		const struct quic_sent *prev = NULL;
		uint32_t n = 0;

		for (const struct quic_sent *p = r->head; p; prev = p, p = p->next, n++) {
			if (!(pool_handle(&pool_sent, p).gen & 1) || p->prev != prev || n > r->count)
				return bad + 1;  /* a freed or foreign record: stop walking */
		}
		if (n != r->count || r->tail != prev)
			bad++;
	}
	/* every CID it issued routes to it */
	for (int i = 0; i < CONFIG_POOL_CIDS_PER_CONN; i++)
		if (c->lcid[i].used && c->lcid[i].cid.len &&
		    !handle_eq(quic_cid_lookup(&c->ep->cids, c->lcid[i].cid.b, c->lcid[i].cid.len),
			       c->self))
			bad++;
	return bad;
}

uint32_t quic_endpoint_audit(const struct quic_endpoint *ep)
{
	uint32_t bad = 0;

	for (uint32_t i = 0; i < ep->nconns; i++) {
		if (!pool_handle_live(&pool_conn, ep->conns[i])) {
			bad++;
			continue;
		}
		const struct quic_conn *c = pool_get(&pool_conn, ep->conns[i]);

		if (c->ep != ep || !handle_eq(c->self, ep->conns[i]))
			bad++;
		bad += audit_conn(c);
	}
	/* every CID routes to a live connection of this endpoint */
	for (uint32_t i = 0; i < QUIC_CID_SLOTS; i++) {
		const struct quic_cid_slot *s = &ep->cids.slot[i];
		bool listed = false;

		if (!s->used)
			continue;
		for (uint32_t k = 0; k < ep->nconns && !listed; k++)
			listed = handle_eq(ep->conns[k], s->conn);
		if (!listed || !pool_handle_live(&pool_conn, s->conn))
			bad++;
	}
	return bad;
}

void quic_endpoint_deinit(struct quic_endpoint *ep)
{
	while (ep->nconns)
		free_conn(ep, ep->nconns - 1);
	quic_token_key_deinit(&ep->tokens);
	quic_tls_ctx_deinit(&ep->tls);
	crypto_aead_deinit(&ep->rng);
	crypto_wipe(ep, sizeof(*ep));
}

struct quic_conn *quic_endpoint_conn(struct quic_endpoint *ep, pool_handle_t h)
{
	return pool_get(&pool_conn, h);
}

/* A new connection object, registered in ep->conns; NULL when the pool
 * (or the list) is full. */
static struct quic_conn *new_conn(struct quic_endpoint *ep, pool_handle_t *h)
{
	struct quic_conn *c;

	if (ep->nconns >= CONFIG_POOL_CONNECTIONS || !(c = pool_alloc(&pool_conn)))
		return NULL;
	*h = pool_handle(&pool_conn, c);
	return c;
}

static void keep_conn(struct quic_endpoint *ep, pool_handle_t h)
{
	ep->conns[ep->nconns++] = h;
}

pool_handle_t quic_endpoint_connect(struct quic_endpoint *ep, const struct quic_addr *peer,
				    uint64_t now)
{
	struct quic_cid scid, dcid;
	pool_handle_t h;
	struct quic_conn *c;

	ep->now = now;
	if (ep->server || !(c = new_conn(ep, &h)))
		return POOL_HANDLE_NONE;
	random_cid(ep, &scid);
	random_cid(ep, &dcid);
	if (quic_conn_init(c, ep, h, false, ep->first_version, peer, &scid, &dcid, &dcid, NULL,
			   now) != 0) {
		pool_free(&pool_conn, c);
		return POOL_HANDLE_NONE;
	}
	if (ep->token_len && quic_addr_same_host(&ep->token_for, peer)) {
		memcpy(c->token, ep->token, ep->token_len);  /* 8.1.3: sent in Initials */
		c->token_len = ep->token_len;
	}
	keep_conn(ep, h);
	return h;
}

size_t quic_endpoint_new_token(struct quic_endpoint *ep, const struct quic_addr *peer,
			       uint64_t now, uint8_t *out, size_t cap)
{
	uint8_t nonce[QUIC_TOKEN_NONCE_LEN], ab[QUIC_TOKEN_MAX_ADDR];
	/* bound to the IP only: a client's next connection comes from
	 * another port (RFC 9000 8.1.3) */
	struct quic_addr ip = *peer;

	ip.port = 0;
	quic_endpoint_random(ep, nonce, sizeof(nonce));
	return quic_token_make(&ep->tokens, QUIC_TOKEN_NEW, nonce, ab, addr_bytes(&ip, ab),
			       now + NEW_TOKEN_LIFE, NULL, NULL, out, cap);
}

/* ---------------------------------------------------------------- stateless answers */

static void queue_stateless(struct quic_endpoint *ep, const struct quic_addr *to, size_t len)
{
	ep->pending_len = len;
	ep->pending_to = *to;
}

static void send_version_negotiation(struct quic_endpoint *ep, const struct quic_addr *from,
				     const struct quic_pkt_hdr *h)
{
	uint8_t r;
	size_t n;

	if (ep->pending_len || h->cid_too_long)
		return;  /* one stateless answer at a time: the rest are dropped */
	quic_endpoint_random(ep, &r, 1);
	n = quic_pkt_write_version_negotiation(ep->pending, sizeof(ep->pending), &h->scid,
					       &h->dcid, versions,
					       ep->v1_only ? 1 : sizeof(versions) / sizeof(versions[0]),
					       r);
	if (n) {
		queue_stateless(ep, from, n);
		ep->st.vn_sent++;
	}
}

static void send_retry(struct quic_endpoint *ep, const struct quic_addr *from,
		       const struct quic_pkt_hdr *h, uint64_t now)
{
	uint8_t tok[QUIC_TOKEN_MAX_LEN], nonce[QUIC_TOKEN_NONCE_LEN], ab[QUIC_TOKEN_MAX_ADDR];
	struct quic_cid rscid;
	size_t toklen, n;

	if (ep->pending_len)
		return;
	random_cid(ep, &rscid);
	quic_endpoint_random(ep, nonce, sizeof(nonce));
	toklen = quic_token_make(&ep->tokens, QUIC_TOKEN_RETRY, nonce, ab, addr_bytes(from, ab),
				 now + RETRY_TOKEN_LIFE, &h->dcid, &rscid, tok, sizeof(tok));
	if (!toklen)
		return;
	n = quic_pkt_write_retry(ep->pending, sizeof(ep->pending), h->version, &h->scid, &rscid,
				 &h->dcid, tok, toklen);
	if (n) {
		queue_stateless(ep, from, n);
		ep->st.retry_sent++;
	}
}

/* RFC 9000 10.3: unpredictable bits, then the token of the CID the packet
 * was sent to; shorter than the packet that caused it (no loops). */
static void send_stateless_reset(struct quic_endpoint *ep, const struct quic_addr *from,
				 const uint8_t *d, size_t len)
{
	struct quic_cid cid = { .len = LOCAL_CID_LEN };
	size_t n = len - 1;

	if (ep->pending_len || len <= MIN_RESET_LEN || len < 1 + LOCAL_CID_LEN)
		return;
	if (n > 43)
		n = 43;
	memcpy(cid.b, d + 1, LOCAL_CID_LEN);
	quic_endpoint_random(ep, ep->pending, n - QUIC_STATELESS_RESET_TOKEN_LEN);
	ep->pending[0] = (uint8_t)((ep->pending[0] & 0x3f) | 0x40);
	if (quic_reset_token(&ep->tokens, &cid, ep->pending + n - QUIC_STATELESS_RESET_TOKEN_LEN))
		return;
	queue_stateless(ep, from, n);
	ep->st.reset_sent++;
}

/* ---------------------------------------------------------------- input */

/* A client's answer to Version Negotiation (RFC 9000 6.2): only before
 * anything else came from the server, only if it does not list the
 * version we tried, and only to a version we speak: then the connection
 * starts over in the same block (same handle) with new CIDs. */
static void version_negotiation(struct quic_endpoint *ep, struct quic_conn *c,
				const struct quic_pkt_hdr *h, uint64_t now)
{
	uint32_t pick = 0, tried = c->version;
	struct quic_addr peer = c->peer;
	pool_handle_t self = c->self;
	struct quic_cid scid, dcid;

	if (c->stats.pkts_rx || c->retried) {
		ep->st.pkts_dropped++;
		return;
	}
	for (size_t i = 0; i < h->n_versions; i++) {
		uint32_t v = quic_pkt_vn_version(h, i);

		if (v == tried) {
			ep->st.pkts_dropped++;  /* 6.2: a VN listing our version is bogus */
			return;
		}
		if (!pick && quic_version_supported(v))
			pick = v;
	}
	if (!pick) {
		c->state = QUIC_CONN_CLOSED;  /* nothing in common: give up */
		return;
	}
	quic_conn_deinit(c);
	random_cid(ep, &scid);
	random_cid(ep, &dcid);
	if (quic_conn_init(c, ep, self, false, pick, &peer, &scid, &dcid, &dcid, NULL, now) != 0)
		c->state = QUIC_CONN_CLOSED;  /* freed at the next timeout */
}

/* this endpoint's connections still handshaking */
static uint32_t handshaking(const struct quic_endpoint *ep)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < ep->nconns; i++) {
		const struct quic_conn *c = pool_get(&pool_conn, ep->conns[i]);

		n += c && !c->confirmed;
	}
	return n;
}

/* A server's answer to an Initial nobody routes: accept, Retry, or drop. */
static void new_initial(struct quic_endpoint *ep, const struct quic_addr *from, uint8_t *d,
			size_t len, uint8_t ecn, const struct quic_pkt_hdr *h, uint64_t now)
{
	struct quic_cid odcid = h->dcid, rscid, scid;
	bool retried = false, validated = false;
	pool_handle_t hd;
	struct quic_conn *c;

	/* RFC 9000 14.1: a client's first datagram is at least 1200 bytes;
	 * 7.2: its DCID at least 8 */
	if (len < QUIC_MIN_INITIAL_DATAGRAM || h->dcid.len < 8) {
		ep->st.pkts_dropped++;
		return;
	}
	if (h->token_len) {
		uint8_t ab[QUIC_TOKEN_MAX_ADDR];
		enum quic_token_kind kind;
		struct quic_cid o, s;
		struct quic_addr ip = *from;

		ip.port = 0;
		if (quic_token_check(&ep->tokens, h->token, h->token_len, ab, addr_bytes(from, ab),
				     now, &kind, &o, &s) == 0 && kind == QUIC_TOKEN_RETRY &&
		    quic_cid_equal(&s, &h->dcid)) {
			odcid = o;
			rscid = s;
			retried = true;
		} else if (quic_token_check(&ep->tokens, h->token, h->token_len, ab,
					    addr_bytes(&ip, ab), now, &kind, &o, &s) == 0 &&
			   kind == QUIC_TOKEN_NEW) {
			validated = true;  /* 8.1.3: this address was here before */
			ep->st.tokens_good++;
		} else {
			/* not ours, expired or for another address: treat as
			 * no token (8.1.3), but count it */
			ep->st.tokens_bad++;
		}
	}
	if (!retried && !validated && (ep->retry == QUIC_RETRY_ALWAYS ||
			 (ep->retry == QUIC_RETRY_ABOVE_LOAD && handshaking(ep) >= ep->retry_load))) {
		send_retry(ep, from, h, now);
		return;
	}
	if (!(c = new_conn(ep, &hd))) {
		ep->st.conns_refused++;  /* no slot: the client retries later */
		return;
	}
	random_cid(ep, &scid);
	if (quic_conn_init(c, ep, hd, true, h->version, from, &scid, &h->scid, &odcid,
			   retried ? &rscid : NULL, now) != 0) {
		pool_free(&pool_conn, c);
		ep->st.conns_refused++;
		return;
	}
	if (validated)
		c->address_validated = true;
	quic_conn_input(c, from, d, len, ecn, now);
	if (!c->stats.pkts_rx) {
		/* nothing in it decrypted: no state for garbage (it would hold
		 * a slot until the idle timeout) */
		quic_conn_deinit(c);
		pool_free(&pool_conn, c);
		ep->st.pkts_dropped++;
		return;
	}
	keep_conn(ep, hd);
	ep->st.conns_accepted++;
}

/* A client: a stateless reset carries no CID of ours (RFC 9000 10.3), so
 * every connection's token is compared. */
static bool client_reset(struct quic_endpoint *ep, const uint8_t *d, size_t len, uint64_t now)
{
	for (uint32_t i = 0; i < ep->nconns; i++) {
		struct quic_conn *k = pool_get(&pool_conn, ep->conns[i]);

		if (k && quic_conn_is_stateless_reset(k, d, len, now)) {
			ep->st.resets_received++;
			return true;
		}
	}
	return false;
}

void quic_endpoint_input(struct quic_endpoint *ep, const struct quic_addr *from,
			 uint8_t *d, size_t len, uint64_t now)
{
	quic_endpoint_input_ecn(ep, from, d, len, QUIC_ECN_NOT_ECT, now);
}

void quic_endpoint_input_ecn(struct quic_endpoint *ep, const struct quic_addr *from,
			     uint8_t *d, size_t len, uint8_t ecn, uint64_t now)
{
	struct quic_pkt_hdr h;
	struct quic_conn *c;

	ep->now = now;
	if (ep->server)
		quic_tls_ctx_tick(&ep->tls, now);  /* ticket times, replay window */
	ep->st.dgrams_rx++;
	if (quic_pkt_parse(d, len, LOCAL_CID_LEN, &h) != 0) {
		/* a stateless reset may be shorter than any packet we parse */
		if (ep->server || !len || quic_pkt_is_long(d[0]) || !client_reset(ep, d, len, now))
			ep->st.pkts_dropped++;
		return;
	}
	c = pool_get(&pool_conn, quic_cid_lookup(&ep->cids, h.dcid.b, h.dcid.len));
	if (c && !ep->server && h.type == QUIC_PKT_VERSION_NEGOTIATION) {
		version_negotiation(ep, c, &h, now);
		return;
	}
	if (c) {
		quic_conn_input(c, from, d, len, ecn, now);
		quic_conn_release_hs(c);
		return;
	}
	if (!quic_pkt_is_long(h.first)) {
		if (ep->server) {
			send_stateless_reset(ep, from, d, len);
			return;
		}
		if (!client_reset(ep, d, len, now))
			ep->st.pkts_dropped++;
		return;
	}
	if (h.type == QUIC_PKT_VERSION_NEGOTIATION && !ep->server) {
		ep->st.pkts_dropped++;  /* for no connection of ours */
		return;
	}
	if (h.unknown_version || (ep->server && ep->v1_only && h.version != QUIC_VERSION_1)) {
		/* 6.1: only for datagrams a client's first could be */
		if (ep->server && len >= QUIC_MIN_INITIAL_DATAGRAM)
			send_version_negotiation(ep, from, &h);
		else
			ep->st.pkts_dropped++;
		return;
	}
	if (ep->server && h.type == QUIC_PKT_INITIAL)
		new_initial(ep, from, d, len, ecn, &h, now);
	else
		ep->st.pkts_dropped++;
}

/* ---------------------------------------------------------------- output and timers */

size_t quic_endpoint_output(struct quic_endpoint *ep, struct quic_addr *to, uint8_t *out,
			    size_t cap, uint64_t now)
{
	uint8_t ecn;

	return quic_endpoint_output_ecn(ep, to, out, cap, &ecn, now);
}

size_t quic_endpoint_output_ecn(struct quic_endpoint *ep, struct quic_addr *to, uint8_t *out,
				size_t cap, uint8_t *ecn, uint64_t now)
{
	ep->now = now;
	*ecn = QUIC_ECN_NOT_ECT;  /* stateless answers are never marked */
	if (ep->pending_len) {
		size_t n = ep->pending_len;

		ep->pending_len = 0;
		if (n > cap)
			return 0;
		memcpy(out, ep->pending, n);
		*to = ep->pending_to;
		ep->st.dgrams_tx++;
		return n;
	}
	/* round robin: each call starts after the connection that sent
	 * last, so a busy connection cannot starve the others */
	for (uint32_t k = 0; k < ep->nconns; k++) {
		uint32_t i = (ep->out_next + k) % ep->nconns;
		struct quic_conn *c = pool_get(&pool_conn, ep->conns[i]);
		size_t n = c ? quic_conn_output(c, to, out, cap, now) : 0;

		if (n) {
			*ecn = c->tx_ecn;
			ep->st.dgrams_tx++;
			ep->out_next = i + 1;
			return n;
		}
	}
	return 0;
}

uint64_t quic_endpoint_deadline(const struct quic_endpoint *ep)
{
	uint64_t t = UINT64_MAX;

	for (uint32_t i = 0; i < ep->nconns; i++) {
		struct quic_conn *c = pool_get(&pool_conn, ep->conns[i]);
		uint64_t d = c ? quic_conn_deadline(c) : 0;

		if (!c || c->state == QUIC_CONN_CLOSED)
			d = 0;  /* to be freed at once */
		if (d < t)
			t = d;
	}
	return t;
}

void quic_endpoint_timeout(struct quic_endpoint *ep, uint64_t now)
{
	ep->now = now;
	if (ep->server)
		quic_tls_ctx_tick(&ep->tls, now);
	for (uint32_t i = 0; i < ep->nconns;) {
		struct quic_conn *c = pool_get(&pool_conn, ep->conns[i]);

		if (c && quic_conn_deadline(c) <= now)
			quic_conn_timeout(c, now);
		if (!c || c->state == QUIC_CONN_CLOSED)
			free_conn(ep, i);  /* moves the last one into i */
		else
			i++;
	}
}
