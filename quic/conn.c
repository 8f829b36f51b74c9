/* quic/conn: one QUIC connection; see quic/conn.h. Its connection IDs are
 * in quic/conn_cid.c, its streams in quic/conn_stream.c.
 *
 * Receiving: every coalesced packet of a datagram is parsed, unprotected
 * (header protection, then the AEAD), checked for duplicates and its
 * frames handled; CRYPTO data goes through quic/reasm into TLS, whose new
 * secrets become keys right after it returns (DESIGN.md 4.3).
 * Sending: one datagram per call, the levels that have something to say
 * coalesced in order (Initial, Handshake, 1-RTT), padded to 1200 bytes
 * when it carries an Initial (RFC 9000 14.1), limited to three times
 * what the peer sent until its address is validated (8.1).
 */
#include <string.h>

#include "crypto/crypto.h"
#include "lib/buf.h"
#include "lib/pool.h"
#include "quic/conn-internal.h"
#include "quic/endpoint.h"
#include "quic/frame.h"
#include "quic/packet.h"
#include "quic/protect.h"
#include "quic/recovery.h"
#include "quic/stream.h"
#include "quic/tparams.h"

#define NS_PER_MS       QUIC_NS_PER_MS
#define ALERT_NO_APP    120                 /* no_application_protocol */
#define LOCAL_ACK_DELAY (25 * NS_PER_MS)    /* our max_ack_delay */

static const enum quic_level level_of_space[QUIC_SPACE_COUNT] = {
	QUIC_LEVEL_INITIAL, QUIC_LEVEL_HANDSHAKE, QUIC_LEVEL_APP,
};

static struct quic_hs *hs_of(const struct quic_conn *c)
{
	return pool_get(&pool_hs, c->hs);
}

/* The keys of level l in one direction: 1-RTT in the connection, the
 * others in the handshake block (NULL once it is gone). */
static struct quic_keys *keys_of(struct quic_conn *c, enum quic_level l, bool tx)
{
	struct quic_hs *hs;

	if (l == QUIC_LEVEL_APP)
		return tx ? &c->app_tx : &c->app_rx;
	hs = hs_of(c);
	return !hs ? NULL : tx ? &hs->tx_keys[l] : &hs->rx_keys[l];
}

static void keys_drop(struct quic_conn *c, enum quic_level l, bool tx)
{
	struct quic_keys *k = keys_of(c, l, tx);

	if (k)
		quic_keys_deinit(k);
}

static enum quic_pkt_type pkt_type_of(enum quic_pn_space s)
{
	return s == QUIC_SPACE_INITIAL ? QUIC_PKT_INITIAL :
	       s == QUIC_SPACE_HANDSHAKE ? QUIC_PKT_HANDSHAKE : QUIC_PKT_1RTT;
}

static uint64_t pto_base(const struct quic_conn *c, enum quic_pn_space s)
{
	return quic_recovery_pto_base(&c->rec, s);
}

static uint64_t idle_period(const struct quic_conn *c)
{
	uint64_t ms = c->ep->idle_timeout_ms;
	uint64_t p;

	if (c->peer_idle_ms && c->peer_idle_ms < ms)
		ms = c->peer_idle_ms;
	p = ms * NS_PER_MS;
	/* at least three PTOs (RFC 9000 10.1) */
	return p > 3 * pto_base(c, QUIC_SPACE_APP) ? p : 3 * pto_base(c, QUIC_SPACE_APP);
}

/* ---------------------------------------------------------------- keys */

static void discard_space(struct quic_conn *c, enum quic_pn_space s)
{
	struct quic_space *sp = &c->space[s];
	enum quic_level l = level_of_space[s];

	if (sp->discarded)
		return;
	keys_drop(c, l, false);
	keys_drop(c, l, true);
	sp->rx_keys = sp->tx_keys = false;
	sp->discarded = true;
	sp->ack_deadline = UINT64_MAX;
	quic_recovery_discard(&c->rec, s);  /* RFC 9002 6.4 */
}

static int install_initial_keys(struct quic_conn *c, const struct quic_cid *dcid)
{
	struct quic_keys *client = keys_of(c, QUIC_LEVEL_INITIAL, !c->server);
	struct quic_keys *server = keys_of(c, QUIC_LEVEL_INITIAL, c->server);

	if (!client || !server)
		return -1;
	quic_keys_deinit(client);
	quic_keys_deinit(server);
	if (quic_initial_keys(c->version, dcid->b, dcid->len, client, server) != 0)
		return -1;
	c->space[QUIC_SPACE_INITIAL].rx_keys = c->space[QUIC_SPACE_INITIAL].tx_keys = true;
	return 0;
}

/* ---------------------------------------------------------------- closing */

void quic_conn_close(struct quic_conn *c, uint64_t err, bool app, uint64_t now)
{
	if (c->state >= QUIC_CONN_CLOSING)
		return;
	c->state = QUIC_CONN_CLOSING;
	c->close_error = err;
	c->close_app = app;
	c->close_pending = true;
	c->close_deadline = now + 3 * pto_base(c, QUIC_SPACE_APP);
}

static void enter_draining(struct quic_conn *c, uint64_t now)
{
	if (c->state >= QUIC_CONN_DRAINING)
		return;
	c->state = QUIC_CONN_DRAINING;
	c->close_pending = false;
	c->close_deadline = now + 3 * pto_base(c, QUIC_SPACE_APP);
}

/* ---------------------------------------------------------------- TLS */

/* The peer's stream and data limits (its transport parameters, or for
 * 0-RTT the ones it gave last time). */
static void peer_limits(struct quic_conn *c, const struct quic_tparams *tp)
{
	quic_streams_set_peer_params(&c->streams, tp->initial_max_streams_bidi,
				     tp->initial_max_streams_uni,
				     tp->initial_max_stream_data_bidi_local,
				     tp->initial_max_stream_data_bidi_remote,
				     tp->initial_max_stream_data_uni);
	quic_flow_raise(&c->tx_flow, tp->initial_max_data);
}

/* Take the peer's transport parameters once TLS has them. */
static int peer_tparams(struct quic_conn *c, struct quic_hs *hs)
{
	struct quic_tparams tp;
	const uint8_t *p;
	size_t n;
	int err;

	if (c->have_peer_tp || !(p = quic_tls_peer_tp(&hs->tls, &n)))
		return 0;
	err = quic_tparams_decode(p, n, !c->server, &tp);
	if (!err)
		err = quic_tparams_check_cids(&tp, !c->server, &c->dcid, &c->odcid,
					      c->retried ? &c->retry_scid : NULL);
	if (err)
		return err;
	c->have_peer_tp = true;
	peer_limits(c, &tp);
	c->peer_cid_limit = tp.active_connection_id_limit;
	if (quic_tparams_has(&tp, QUIC_TP_STATELESS_RESET_TOKEN)) {
		memcpy(c->reset_token, tp.stateless_reset_token, sizeof(c->reset_token));
		c->have_reset_token = true;
	}
	c->peer_idle_ms = tp.max_idle_timeout;
	c->peer_max_ack_delay_ms = tp.max_ack_delay;
	c->rec.max_ack_delay = tp.max_ack_delay * NS_PER_MS;
	c->peer_ack_delay_exp = tp.ack_delay_exponent;
	c->peer_no_migration = quic_tparams_has(&tp, QUIC_TP_DISABLE_ACTIVE_MIGRATION);
	return 0;
}

/* ---------------------------------------------------------------- key update */

/* secret = its next phase ("quic ku", RFC 9001 6.1) */
static int next_secret(struct quic_conn *c, uint8_t *secret)
{
	return quic_key_update_secret(c->version, c->aead, secret, c->app_secret_len, secret);
}

/* The receive keys of the next phase, ready before the peer needs them
 * (so a packet in the new phase is opened without a delay, 6.3). */
static int derive_next_rx(struct quic_conn *c)
{
	uint8_t next[QUIC_TLS_SECRET_MAX];
	int ret;

	memcpy(next, c->app_secret[0], c->app_secret_len);
	quic_aead_deinit(&c->rx_next);
	ret = next_secret(c, next);
	if (!ret)
		ret = quic_aead_init(&c->rx_next, c->version, c->aead, next, c->app_secret_len);
	crypto_wipe(next, sizeof(next));
	c->have_rx_next = ret == 0;
	return ret;
}

/* A packet opened with the next phase's keys: they become current, the
 * current ones are kept as previous for reordered packets (3 PTO, 6.5),
 * and the phase after is derived. */
static int rotate_rx(struct quic_conn *c, uint64_t pn, uint64_t now)
{
	int ret;

	quic_aead_deinit(&c->rx_prev);
	ret = quic_aead_init(&c->rx_prev, c->version, c->aead, c->app_secret[0],
			     c->app_secret_len);
	c->have_rx_prev = ret == 0;
	c->prev_until = now + 3 * pto_base(c, QUIC_SPACE_APP);
	if (!ret)
		ret = next_secret(c, c->app_secret[0]);
	quic_aead_deinit(&c->app_rx.aead);
	if (!ret)
		ret = quic_aead_init(&c->app_rx.aead, c->version, c->aead,
				     c->app_secret[0], c->app_secret_len);
	if (!ret)
		ret = derive_next_rx(c);
	c->rx_phase = !c->rx_phase;
	c->rx_phase_first_pn = pn;
	return ret;
}

/* Our sending side moves to the next phase. */
static int rotate_tx(struct quic_conn *c)
{
	int ret = next_secret(c, c->app_secret[1]);

	quic_aead_deinit(&c->app_tx.aead);
	if (!ret)
		ret = quic_aead_init(&c->app_tx.aead, c->version, c->aead,
				     c->app_secret[1], c->app_secret_len);
	c->key_phase = !c->key_phase;
	c->phase_first_pn = c->space[QUIC_SPACE_APP].next_pn;
	c->update_acked = false;
	c->stats.key_updates++;
	return ret;
}

int quic_conn_key_update(struct quic_conn *c)
{
	/* 6.1: only once confirmed, and not again before the peer has
	 * acknowledged a packet of the current phase and followed us */
	if (!c->confirmed || c->state != QUIC_CONN_ESTABLISHED || !c->app_secret_len ||
	    c->key_phase != c->rx_phase || (c->stats.key_updates && !c->update_acked))
		return -1;
	return rotate_tx(c);
}

/* The AEAD for a 1-RTT packet whose (unprotected) key phase bit is phase
 * and number pn; *next set when it is the next phase's (6.3). */
static struct quic_aead *rx_aead(struct quic_conn *c, bool phase, uint64_t pn, uint64_t now,
				 bool *next)
{
	*next = false;
	if (phase == c->rx_phase)
		return &c->app_rx.aead;
	if (c->have_rx_prev && now >= c->prev_until) {
		quic_aead_deinit(&c->rx_prev);
		c->have_rx_prev = false;
	}
	if (c->have_rx_prev && pn < c->rx_phase_first_pn)
		return &c->rx_prev;  /* an older packet, reordered */
	if (!c->have_rx_next)
		return NULL;
	*next = true;
	return &c->rx_next;
}

#if IS_ENABLED(CONFIG_QUIC_0RTT)
static void sent_lost(void *arg, enum quic_pn_space s, struct quic_sent *p);
#endif

/* Client, handshake complete: 0-RTT is over. Rejected (RFC 9001 4.6.2):
 * everything the 0-RTT packets carried goes again in 1-RTT, their
 * records leave without counting as congestion (RFC 9002 6.4 treats
 * them like discarded keys). */
static void early_done(struct quic_conn *c, struct quic_hs *hs)
{
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	if (quic_tls_early_status(&hs->tls) != QUIC_TLS_EARLY_ACCEPTED) {
		for (struct quic_sent *p = c->rec.sp[QUIC_SPACE_APP].head; p; p = p->next)
			sent_lost(c, QUIC_SPACE_APP, p);
		quic_recovery_reset_space(&c->rec, QUIC_SPACE_APP);
	}
	keys_drop(c, QUIC_LEVEL_EARLY, true);
	c->early_tx = false;
#else
	(void)c;
	(void)hs;
#endif
}

/* After every TLS step: install new keys, note completion, check the
 * peer's parameters and ALPN. 0 or the error to close with. */
static int after_tls(struct quic_conn *c, struct quic_hs *hs)
{
	enum quic_level l;
	enum quic_tls_dir d;
	uint8_t secret[QUIC_TLS_SECRET_MAX];
	size_t n;
	int err = 0;

	while (quic_tls_take_secret(&hs->tls, &l, &d, secret, &n)) {
		struct quic_keys *k = keys_of(c, l, d == QUIC_TLS_TX);  /* hs is there */

		if (l == QUIC_LEVEL_INITIAL)
			continue;  /* Initial keys come from the DCID */
		if (l == QUIC_LEVEL_EARLY) {
#if IS_ENABLED(CONFIG_QUIC_0RTT)
			/* handed out only once TLS took 0-RTT (server) or
			 * offers it (client): RFC 9001 4.6 */
			quic_keys_deinit(k);
			if (quic_keys_init(k, c->version, quic_tls_aead(&hs->tls), secret, n) != 0)
				err = QUIC_INTERNAL_ERROR;
			else if (d == QUIC_TLS_RX)
				c->early_rx = true;
			else
				c->early_tx = true;
#endif
			continue;
		}
		c->aead = quic_tls_aead(&hs->tls);
		quic_keys_deinit(k);
		if (quic_keys_init(k, c->version, c->aead, secret, n) != 0)
			err = QUIC_INTERNAL_ERROR;
		if (l == QUIC_LEVEL_APP) {
			/* kept for key updates (RFC 9001 6.1) */
			memcpy(c->app_secret[d == QUIC_TLS_RX ? 0 : 1], secret, n);
			c->app_secret_len = (uint8_t)n;
			if (d == QUIC_TLS_RX && derive_next_rx(c) != 0)
				err = QUIC_INTERNAL_ERROR;
		}
		if (l == QUIC_LEVEL_HANDSHAKE) {
			if (d == QUIC_TLS_RX)
				c->space[QUIC_SPACE_HANDSHAKE].rx_keys = true;
			else
				c->space[QUIC_SPACE_HANDSHAKE].tx_keys = c->rec.handshake_keys = true;
		} else {
			if (d == QUIC_TLS_RX)
				c->space[QUIC_SPACE_APP].rx_keys = true;
			else
				c->space[QUIC_SPACE_APP].tx_keys = true;
		}
	}
	crypto_wipe(secret, sizeof(secret));
	if (err)
		return err;
	err = peer_tparams(c, hs);
	if (err)
		return err;
	if (hs->tls.complete && !c->complete) {
		if (!quic_tls_alpn_h3(&hs->tls))
			return QUIC_CRYPTO_ERROR + ALERT_NO_APP;
		if (!c->have_peer_tp)
			return QUIC_TRANSPORT_PARAMETER_ERROR;
		c->complete = true;
		c->state = QUIC_CONN_ESTABLISHED;
		c->ep->st.handshakes++;
		if (c->early_tx)
			early_done(c, hs);
		conn_issue_cids(c);
		if (c->server) {
			/* RFC 9001 4.1.2: the server's handshake is confirmed now */
			c->confirmed = c->rec.confirmed = true;
			c->handshake_done_pending = true;
			c->new_token_pending = true;
			discard_space(c, QUIC_SPACE_HANDSHAKE);
		}
	}
	return 0;
}

static const struct quic_recovery_ops sent_ops;

static int on_crypto(struct quic_conn *c, enum quic_level l, const struct quic_frame *f)
{
	struct quic_hs *hs = hs_of(c);
	const uint8_t *p;
	size_t n;

	if (!hs)
		return 0;  /* handshake over: late CRYPTO data is acknowledged, not used */
	/* RFC 9002 6.2.3: a client repeating its Initial CRYPTO data has not
	 * seen ours (or its PTO is shorter than our answer takes): send ours
	 * again now rather than at our PTO */
	if (c->server && l == QUIC_LEVEL_INITIAL && f->crypto.offset + f->crypto.len <= hs->rx[l].base)
		quic_recovery_probe(&c->rec, QUIC_SPACE_INITIAL, &sent_ops, c);
	switch (quic_reasm_add(&hs->rx[l], f->crypto.offset, f->crypto.data, f->crypto.len)) {
	case QUIC_REASM_EXCEEDED:
		return QUIC_CRYPTO_BUFFER_EXCEEDED;
	case QUIC_REASM_DROPPED:
		return 0;
	default:
		break;
	}
	n = quic_reasm_peek(&hs->rx[l], &p);
	if (!n)
		return 0;
	if (quic_tls_feed(&hs->tls, l, p, n) != 0)
		return QUIC_INTERNAL_ERROR;
	quic_reasm_consume(&hs->rx[l], n);
	if (quic_tls_advance(&hs->tls) != 0) {
		after_tls(c, hs);
		return hs->tls.error;
	}
	if (!c->server && hs->tls.tickets > c->tickets_seen) {
		/* a NewSessionTicket: keep the session for the next connection
		 * to this server (resumption, 0-RTT) */
		size_t len = quic_tls_save_session(&hs->tls, c->ep->session, sizeof(c->ep->session));

		c->tickets_seen = hs->tls.tickets;
		c->ep->session_len = (uint16_t)len;
		c->ep->session_for = c->peer;
	}
	return after_tls(c, hs);
}

/* ---------------------------------------------------------------- ACK */

static void sent_acked(void *arg, enum quic_pn_space s, struct quic_sent *p)
{
	(void)s;
	conn_stream_frames_acked(arg, p);
}

static void sent_lost(void *arg, enum quic_pn_space s, struct quic_sent *p)
{
	struct quic_conn *c = arg;
	struct quic_space *sp = &c->space[s];

	if (p->crypto_len) {
		uint32_t lo = p->crypto_off, hi = p->crypto_off + p->crypto_len;

		if (sp->resend_hi == sp->resend_lo) {
			sp->resend_lo = lo;
			sp->resend_hi = hi;
		} else {
			if (lo < sp->resend_lo)
				sp->resend_lo = lo;
			if (hi > sp->resend_hi)
				sp->resend_hi = hi;
		}
	}
	if (p->handshake_done)
		c->handshake_done_pending = true;
	if (p->max_data)
		c->max_data_resend = true;
	if (p->new_token)
		c->new_token_pending = true;
	for (int i = 0; i < CONFIG_POOL_CIDS_PER_CONN; i++)
		if ((p->ncid_mask >> i & 1) && c->lcid[i].used)
			c->lcid[i].announce = true;
	if (p->retire)
		conn_queue_retire(c, p->retire_seq);
	if (p->max_streams_bidi)
		quic_streams_on_max_streams_lost(&c->streams, true);
	if (p->max_streams_uni)
		quic_streams_on_max_streams_lost(&c->streams, false);
	conn_stream_frames_lost(c, p);
	conn_path_lost(c, p);
}

static const struct quic_recovery_ops sent_ops = { sent_acked, sent_lost };

static int on_ack(struct quic_conn *c, enum quic_pn_space s, const struct quic_frame *f,
		  uint64_t now)
{
	/* ack_delay in units of 2^exponent microseconds (19.3; the default
	 * exponent until the peer's parameters arrive) */
	uint64_t us = c->peer_ack_delay_exp < 21 && f->ack.ack_delay < (UINT64_C(1) << 42) ?
		f->ack.ack_delay << c->peer_ack_delay_exp : UINT64_MAX / 1000;

	if (f->ack.largest >= c->space[s].next_pn)
		return QUIC_PROTOCOL_VIOLATION;  /* acknowledges a packet never sent */
	if (s == QUIC_SPACE_APP && f->ack.largest >= c->phase_first_pn)
		c->update_acked = true;  /* the current phase reached the peer */
	quic_recovery_on_ack(&c->rec, s, f, us * 1000, &sent_ops, c, now);
	return 0;
}

/* ---------------------------------------------------------------- frames */

static int on_frame(struct quic_conn *c, enum quic_pn_space s, const struct quic_frame *f,
		    const struct quic_addr *from, uint64_t now)
{
	switch (f->type) {
	case QUIC_FRAME_PADDING:
	case QUIC_FRAME_PING:
		return 0;
	case QUIC_FRAME_ACK:
	case QUIC_FRAME_ACK_ECN:
		return on_ack(c, s, f, now);
	case QUIC_FRAME_CRYPTO:
		return on_crypto(c, level_of_space[s], f);
	case QUIC_FRAME_HANDSHAKE_DONE:
		if (c->server)
			return QUIC_PROTOCOL_VIOLATION;  /* RFC 9000 19.20 */
		if (!c->confirmed) {
			c->confirmed = c->rec.confirmed = c->rec.peer_validated = true;
			discard_space(c, QUIC_SPACE_HANDSHAKE);
		}
		return 0;
	case QUIC_FRAME_NEW_TOKEN:
		if (c->server)
			return QUIC_PROTOCOL_VIOLATION;  /* 19.7 */
		if (f->new_token.len <= sizeof(c->ep->token)) {
			/* for the next connection to this server (8.1.3) */
			memcpy(c->ep->token, f->new_token.token, f->new_token.len);
			c->ep->token_len = (uint16_t)f->new_token.len;
			c->ep->token_for = c->peer;
		}
		return 0;
	case QUIC_FRAME_CONNECTION_CLOSE:
	case QUIC_FRAME_CONNECTION_CLOSE_APP:
		/* kept for the application and tests: why the peer closed */
		if (!c->peer_closed) {
			c->peer_closed = true;
			c->peer_close_error = f->close.error;
			c->peer_close_app = f->type == QUIC_FRAME_CONNECTION_CLOSE_APP;
		}
		enter_draining(c, now);
		return 0;
	case QUIC_FRAME_PATH_CHALLENGE:
		conn_path_on_challenge(c, f, from);
		return 0;
	case QUIC_FRAME_PATH_RESPONSE:
		conn_path_on_response(c, f);
		return 0;
	default:
		break;
	}
	if (QUIC_FRAME_IS_STREAM(f->type) || f->type == QUIC_FRAME_RESET_STREAM ||
	    f->type == QUIC_FRAME_STOP_SENDING || f->type == QUIC_FRAME_MAX_STREAM_DATA ||
	    f->type == QUIC_FRAME_STREAM_DATA_BLOCKED)
		return conn_on_stream_frame(c, f);
	switch (f->type) {
	case QUIC_FRAME_MAX_DATA:
		quic_flow_raise(&c->tx_flow, f->max_data.max);
		return 0;
	case QUIC_FRAME_MAX_STREAMS_BIDI:
	case QUIC_FRAME_MAX_STREAMS_UNI:
		return quic_streams_on_max_streams(&c->streams,
						   f->type == QUIC_FRAME_MAX_STREAMS_BIDI,
						   f->max_streams.max);
	case QUIC_FRAME_NEW_CONNECTION_ID:
		return conn_on_new_cid(c, f);
	case QUIC_FRAME_RETIRE_CONNECTION_ID:
		return conn_on_retire_cid(c, f);
	default:
		/* DATA_BLOCKED, STREAMS_BLOCKED: credit follows the
		 * application */
		return 0;
	}
}

/* ---------------------------------------------------------------- receiving */

/* RFC 9001 6.6 (and B.1, B.2): packets failing authentication a
 * connection tolerates, per AEAD */
static uint64_t aead_integrity_limit(enum crypto_aead a)
{
	switch (a) {
	case CRYPTO_CHACHA20_POLY1305:
		return UINT64_C(1) << 36;
	case CRYPTO_AES_128_CCM:
		return 2965820;  /* 2^21.5 */
	default:
		return UINT64_C(1) << 52;  /* AES-GCM */
	}
}

static void on_retry(struct quic_conn *c, const uint8_t *p, const struct quic_pkt_hdr *h)
{
	/* RFC 9000 17.2.5.2: one Retry, before any server Initial, authentic */
	if (c->server || c->retried || c->space[QUIC_SPACE_INITIAL].largest_rx_time ||
	    h->token_len > sizeof(c->token) ||
	    quic_retry_verify(c->version, c->odcid.b, c->odcid.len, p, h->len) != 0) {
		c->stats.dropped++;
		return;
	}
	quic_cid_remove(&c->ep->cids, &c->dcid);  /* no-op: a client routes by scid */
	c->retried = true;
	c->retry_scid = h->scid;
	c->dcid = h->scid;
	memcpy(c->token, h->token, h->token_len);
	c->token_len = (uint16_t)h->token_len;
	if (install_initial_keys(c, &c->dcid) != 0) {
		c->state = QUIC_CONN_CLOSED;
		return;
	}
	/* send the ClientHello again, from the start, in new packets */
	struct quic_space *sp = &c->space[QUIC_SPACE_INITIAL];

	quic_recovery_reset_space(&c->rec, QUIC_SPACE_INITIAL);
	sp->crypto_sent = 0;
	sp->resend_lo = sp->resend_hi = 0;
}

static void input_packet(struct quic_conn *c, uint8_t *p, const struct quic_pkt_hdr *h,
			 const struct quic_addr *from, size_t dgram_len, uint8_t ecn, uint64_t now)
{
	enum quic_pn_space s = quic_pkt_space(h->type);
	struct quic_space *sp;
	enum quic_level l;
	uint32_t tpn;
	int pnlen, err;
	uint64_t pn, largest;
	struct buf_reader r;
	bool eliciting = false, non_probing = false;

	if (h->type == QUIC_PKT_RETRY) {
		on_retry(c, p, h);
		return;
	}
	/* 0-RTT only to a server that took it (RFC 9001 4.6.2: else dropped
	 * unread), into the application space */
	if (s == QUIC_SPACE_COUNT || (h->type == QUIC_PKT_0RTT && !c->early_rx) ||
	    h->unknown_version || (quic_pkt_is_long(h->first) && h->version != c->version)) {
		c->stats.dropped++;
		return;
	}
	sp = &c->space[s];
	l = h->type == QUIC_PKT_0RTT ? QUIC_LEVEL_EARLY : level_of_space[s];
	if (!sp->rx_keys && l != QUIC_LEVEL_EARLY) {
		c->stats.dropped++;  /* keys not yet (reordered) or no longer */
		return;
	}
	/* RFC 9001 5.7: a server reads no 1-RTT packet before its handshake
	 * is complete: acknowledging one would let the client consider the
	 * handshake confirmed (4.1.2) and drop its Handshake keys while its
	 * Finished may still be lost (the client sends it again) */
	if (c->server && h->type == QUIC_PKT_1RTT && !c->complete) {
		c->stats.dropped++;
		return;
	}
	if (!conn_path_accept(c, from, &h->dcid, quic_pkt_is_long(h->first)))
		return;
	struct quic_keys *keys = keys_of(c, l, false);

	if (!keys) {
		c->stats.dropped++;  /* the handshake block, and these keys, are gone */
		return;
	}
	pnlen = quic_hp_remove(&keys->hp, p, h->pn_offset, h->len, &tpn);
	if (pnlen < 0) {
		c->stats.dropped++;
		return;
	}
	largest = UINT64_MAX;
	quic_ackrange_largest(&sp->rx, &largest);
	pn = quic_pn_decode(largest, tpn, (size_t)pnlen);
	struct quic_aead *aead = &keys->aead;
	bool next_phase = false;

	if (h->type == QUIC_PKT_1RTT)
		aead = rx_aead(c, p[0] & 0x04, pn, now, &next_phase);
	if (pn > QUIC_MAX_PN || !aead ||
	    quic_packet_open(aead, pn, p, h->pn_offset + (size_t)pnlen,
			     h->len - h->pn_offset - (size_t)pnlen) != 0) {
		c->stats.decrypt_fail++;
		/* RFC 9001 6.6: forgeries against the keys TLS made (Initial
		 * keys are public) count over the connection's life */
		if (aead && s != QUIC_SPACE_INITIAL &&
		    ++c->aead_fail > aead_integrity_limit(c->aead))
			quic_conn_close(c, QUIC_AEAD_LIMIT_REACHED, false, now);
		return;
	}
	if (next_phase) {
		/* the peer updated its keys (RFC 9001 6.2): follow, and answer
		 * in the new phase unless we started the update */
		if (rotate_rx(c, pn, now) != 0 ||
		    (c->key_phase != c->rx_phase && rotate_tx(c) != 0)) {
			quic_conn_close(c, QUIC_INTERNAL_ERROR, false, now);
			return;
		}
	}
	if (quic_pkt_check_reserved(p[0]) != QUIC_NO_ERROR) {
		quic_conn_close(c, QUIC_PROTOCOL_VIOLATION, false, now);
		return;
	}
	if (quic_ackrange_seen(&sp->rx, pn)) {
		c->stats.dup++;
		return;
	}
	c->stats.pkts_rx++;
	if (l == QUIC_LEVEL_EARLY)
		c->early_pkts++;
	else if (h->type == QUIC_PKT_1RTT && c->early_rx) {
		/* RFC 9001 4.9.3: a 1-RTT packet: the client is done with 0-RTT
		 * (a reordered one after this is lost and sent again) */
		keys_drop(c, QUIC_LEVEL_EARLY, false);
		c->early_rx = false;
	}
	/* RFC 9000 13.4.1: ECN counts per packet, coalesced ones included */
	if (ecn == QUIC_ECN_ECT0)
		sp->ecn_rx[0]++;
	else if (ecn == QUIC_ECN_ECT1)
		sp->ecn_rx[1]++;
	else if (ecn == QUIC_ECN_CE)
		sp->ecn_rx[2]++;
	if (!c->server && s == QUIC_SPACE_INITIAL && !sp->largest_rx_time)
		c->dcid = h->scid;  /* RFC 9000 7.2: the server's chosen CID from now on */
	if (c->server && s == QUIC_SPACE_HANDSHAKE) {
		/* 8.1: a Handshake packet proves the address; RFC 9001 4.9.1:
		 * the server's Initial keys go now */
		c->address_validated = true;
		discard_space(c, QUIC_SPACE_INITIAL);
	}
	if (pn == largest + 1 || largest == UINT64_MAX || pn > largest)
		sp->largest_rx_time = now;
	if (c->state >= QUIC_CONN_CLOSING) {
		/* 10.2.1: answer with CONNECTION_CLOSE again, nothing else */
		quic_ackrange_add(&sp->rx, pn);
		if (c->state == QUIC_CONN_CLOSING)
			c->close_pending = true;
		return;
	}
	buf_reader_init(&r, p + h->pn_offset + pnlen,
			h->len - h->pn_offset - (size_t)pnlen - CRYPTO_AEAD_TAG_LEN);
	if (!buf_left(&r)) {
		quic_conn_close(c, QUIC_PROTOCOL_VIOLATION, false, now);  /* 12.4: no frames */
		return;
	}
	c->rx_in_early = l == QUIC_LEVEL_EARLY;
	while (buf_left(&r)) {
		struct quic_frame f;

		err = quic_frame_parse(&r, h->type, &f);
		if (!err)
			err = on_frame(c, s, &f, from, now);
		if (err == QUIC_STREAM_DROPPED) {
			/* out of memory for stream data: not acknowledged, so
			 * the peer sends it all again (frames already handled
			 * are idempotent) */
			c->stats.dropped++;
			return;
		}
		if (err) {
			quic_conn_close(c, (uint64_t)err, false, now);
			return;
		}
		eliciting |= quic_frame_ack_eliciting(f.type);
		/* 9.1: probing frames do not move the connection */
		non_probing |= f.type != QUIC_FRAME_PATH_CHALLENGE &&
			       f.type != QUIC_FRAME_PATH_RESPONSE &&
			       f.type != QUIC_FRAME_NEW_CONNECTION_ID && f.type != QUIC_FRAME_PADDING;
		if (c->state >= QUIC_CONN_DRAINING)
			return;
	}
	if (sp->discarded)
		return;  /* HANDSHAKE_DONE just dropped these keys */
	quic_ackrange_add(&sp->rx, pn);
	if (s == QUIC_SPACE_APP)
		conn_path_on_packet(c, from, &h->dcid, dgram_len,
				    largest == UINT64_MAX || pn > largest, non_probing, now);
	if (eliciting) {
		sp->unacked_eliciting++;
		/* Initial and Handshake at once; 1-RTT every second packet or
		 * within our max_ack_delay (RFC 9000 13.2.1) */
		uint64_t due = s != QUIC_SPACE_APP || sp->unacked_eliciting >= 2 ||
			ecn == QUIC_ECN_CE ? now : now + LOCAL_ACK_DELAY;  /* 13.2.1: CE at once */

		if (due < sp->ack_deadline)
			sp->ack_deadline = due;
	}
	c->idle_deadline = now + idle_period(c);
	c->eliciting_since_rx = false;
}

/* Does the endpoint route cid to c? */
static bool owned_by(const struct quic_conn *c, const struct quic_cid *cid)
{
	pool_handle_t owner = quic_cid_lookup(&c->ep->cids, cid->b, cid->len);

	return owner.idx == c->self.idx && owner.gen == c->self.gen;
}

void quic_conn_input(struct quic_conn *c, const struct quic_addr *from, uint8_t *d, size_t len,
		     uint8_t ecn, uint64_t now)
{
	size_t off = 0;
	struct quic_cid first_dcid;
	uint32_t before = c->stats.pkts_rx;
	uint8_t tail[QUIC_STATELESS_RESET_TOKEN_LEN];

	if (c->state >= QUIC_CONN_CLOSED)
		return;
	c->bytes_rx += len;
	/* decryption works in place: keep the tail a stateless reset needs */
	if (len >= sizeof(tail))
		memcpy(tail, d + len - sizeof(tail), sizeof(tail));
	while (off < len && c->state < QUIC_CONN_DRAINING) {
		struct quic_pkt_hdr h;

		if (quic_pkt_parse(d + off, len - off, c->scid.len, &h) != 0) {
			c->stats.dropped++;
			return;  /* RFC 9000 12.2: the rest of the datagram goes too */
		}
		/* every packet must be for us: the endpoint routed the first by
		 * its DCID; a coalesced one with the same DCID needs no second
		 * look-up (12.2), another one must route here too */
		if (!off) {
			first_dcid = h.dcid;
		} else if (h.type != QUIC_PKT_RETRY && h.type != QUIC_PKT_VERSION_NEGOTIATION &&
			   !quic_cid_equal(&h.dcid, &first_dcid) &&
			   !owned_by(c, &h.dcid)) {
			c->stats.dropped++;
			off += h.len;
			continue;
		}
		input_packet(c, d + off, &h, from, len, ecn, now);
		off += h.len;
	}
	if (c->stats.pkts_rx == before && len >= 21 && !quic_pkt_is_long(d[0])) {
		memcpy(d + len - sizeof(tail), tail, sizeof(tail));
		quic_conn_is_stateless_reset(c, d, len, now);
	}
	conn_sweep_streams(c);
}

/* ---------------------------------------------------------------- sending */

static bool crypto_waiting(const struct quic_conn *c, enum quic_pn_space s)
{
	const struct quic_hs *hs = hs_of(c);
	const struct quic_space *sp = &c->space[s];

	return hs && (sp->resend_hi > sp->resend_lo ||
		      sp->crypto_sent < hs->tls.out[level_of_space[s]].len);
}

/* Has space s anything to send that is ack-eliciting (window-bound)? */
static bool wants_eliciting(struct quic_conn *c, enum quic_pn_space s)
{
	if (crypto_waiting(c, s))
		return true;
	return s == QUIC_SPACE_APP && (c->handshake_done_pending || c->ping_pending ||
				       (c->new_token_pending && c->confirmed) ||
				       conn_path_waiting(c) ||
				       (c->complete && (conn_streams_waiting(c) || conn_cids_waiting(c))));
}

/* Will space s send a packet now? budget: the window and the pacer let
 * an ack-eliciting packet go (PTO probes go regardless, ACKs and
 * CONNECTION_CLOSE are not counted in flight). */
static bool wants_send(struct quic_conn *c, enum quic_pn_space s, bool budget, uint64_t now)
{
	const struct quic_space *sp = &c->space[s];

	if (s == QUIC_SPACE_APP && !sp->tx_keys && c->early_tx)  /* 0-RTT: stream data only */
		return budget && c->state == QUIC_CONN_HANDSHAKE && conn_streams_waiting(c);
	if (!sp->tx_keys || sp->discarded)
		return false;
	if (c->state == QUIC_CONN_CLOSING)
		return c->close_pending;
	if (sp->ack_deadline <= now || c->rec.sp[s].probes)
		return true;
	return budget && wants_eliciting(c, s);
}

/* Build one packet of space s at w (room: what w has left). pad_to:
 * grow the datagram (which started at dgram) to this size with PADDING
 * in this packet. Returns 0 (w advanced) or -1 (nothing fit). */
static int build_packet(struct quic_conn *c, enum quic_pn_space s, struct buf_writer *w,
			const uint8_t *dgram, size_t pad_to, bool budget, uint64_t now)
{
	struct quic_space *sp = &c->space[s];
	/* a client's application data before 1-RTT keys: 0-RTT */
	bool early = s == QUIC_SPACE_APP && !sp->tx_keys && c->early_tx;
	enum quic_level l = early ? QUIC_LEVEL_EARLY : level_of_space[s];
	struct quic_hs *hs = hs_of(c);
	struct quic_recovery_space *rs = &c->rec.sp[s];
	/* what may go in it: an ACK always; ack-eliciting frames when the
	 * window allows or as a PTO probe, and only with a record to track
	 * them (none left in the pool: this packet carries an ACK or nothing;
	 * an ACK-only packet takes no record at all) */
	struct quic_sent *rec = budget || rs->probes ? quic_recovery_record(&c->rec) : NULL;
	bool may_elicit = rec != NULL;
	uint8_t *pkt = w->p;
	size_t length_pos = 0, pn_offset, pnlen, hdrlen, avail;
	uint64_t pn = sp->next_pn;
	bool eliciting = false;
	struct buf_writer pw;
	int ret;

	pnlen = quic_pn_encode_len(pn, rs->largest_acked);
	if (s == QUIC_SPACE_APP && !early)
		ret = quic_pkt_write_short(w, &c->dcid, c->key_phase, false, pn, pnlen, &pn_offset);
	else
		ret = quic_pkt_write_long(w, early ? QUIC_PKT_0RTT : pkt_type_of(s), c->version,
					  &c->dcid, &c->scid,
					  s == QUIC_SPACE_INITIAL && !c->server ? c->token : NULL,
					  s == QUIC_SPACE_INITIAL && !c->server ? c->token_len : 0,
					  pn, pnlen, &length_pos, &pn_offset);
	if (ret != 0 || w->err || buf_room(w) < CRYPTO_AEAD_TAG_LEN + 4)
		goto fail;
	hdrlen = pn_offset + pnlen;
	avail = buf_room(w) - CRYPTO_AEAD_TAG_LEN;
	buf_writer_init(&pw, w->p, avail);

	if (c->state == QUIC_CONN_CLOSING) {
		struct quic_frame f = { .type = QUIC_FRAME_CONNECTION_CLOSE };

		/* before 1-RTT, an application close is sent as a transport
		 * APPLICATION_ERROR (RFC 9000 10.2.3) */
		if (c->close_app && s == QUIC_SPACE_APP)
			f.type = QUIC_FRAME_CONNECTION_CLOSE_APP;
		f.close.error = c->close_app && s != QUIC_SPACE_APP ? QUIC_APPLICATION_ERROR :
				c->close_error;
		quic_frame_write(&pw, &f);
	} else if (early) {
		/* RFC 9000 12.4: 0-RTT carries no ACK, CRYPTO or HANDSHAKE_DONE */
		if (may_elicit)
			eliciting = conn_write_stream_frames(c, &pw, rec);
		if (eliciting)
			c->early_pkts++;
	} else if (c->probe_only) {
		struct quic_frame f = { .type = QUIC_FRAME_PATH_RESPONSE };

		memcpy(f.path.data, c->path_response, sizeof(f.path.data));
		eliciting = quic_frame_write(&pw, &f) == 0;
	} else {
		/* an ACK when one is due, and in every Initial and Handshake
		 * packet (a lost ACK there stalls the handshake until a PTO) */
		if (sp->rx.n && (sp->ack_deadline <= now || sp->unacked_eliciting ||
				 s != QUIC_SPACE_APP)) {
			uint64_t delay = 0;

			/* the true delay in every space: a repeated Initial or
			 * Handshake ACK (the first one lost) is late, and says
			 * so, or the peer's RTT estimate grows by seconds */
			if (now > sp->largest_rx_time)
				delay = (now - sp->largest_rx_time) / 1000 >>
					QUIC_TP_DEFAULT_ACK_DELAY_EXPONENT;
			bool ecn_seen = sp->ecn_rx[0] | sp->ecn_rx[1] | sp->ecn_rx[2];

			if (quic_frame_write_ack(&pw, (const uint64_t (*)[2])sp->rx.r, sp->rx.n,
						 delay, ecn_seen ? sp->ecn_rx : NULL)) {
				sp->ack_deadline = UINT64_MAX;
				sp->unacked_eliciting = 0;
			}
		}
		if (hs && may_elicit) {
			struct quic_tls_out *o = &hs->tls.out[l];
			bool resend = sp->resend_hi > sp->resend_lo;
			uint32_t off = resend ? sp->resend_lo : sp->crypto_sent;
			uint32_t end = resend ? sp->resend_hi : o->len;
			size_t n = off < end ? quic_frame_crypto_fit(off, buf_room(&pw), end - off) : 0;

			if (n) {
				struct quic_frame f = { .type = QUIC_FRAME_CRYPTO };

				f.crypto.offset = off;
				f.crypto.data = o->buf + off;
				f.crypto.len = n;
				if (quic_frame_write(&pw, &f) == 0) {
					rec->crypto_off = off;
					rec->crypto_len = (uint32_t)n;
					eliciting = true;
					if (resend)
						sp->resend_lo += (uint32_t)n;
					else
						sp->crypto_sent += (uint32_t)n;
				}
			}
		}
		if (!may_elicit)
			goto frames_done;
		if (s == QUIC_SPACE_APP && c->handshake_done_pending) {
			struct quic_frame f = { .type = QUIC_FRAME_HANDSHAKE_DONE };

			if (quic_frame_write(&pw, &f) == 0) {
				c->handshake_done_pending = false;
				rec->handshake_done = 1;
				eliciting = true;
			}
		}
		if (s == QUIC_SPACE_APP && c->new_token_pending && c->confirmed && c->server) {
			uint8_t tok[QUIC_TOKEN_MAX_LEN];
			size_t n = quic_endpoint_new_token(c->ep, &c->peer, now, tok, sizeof(tok));
			struct quic_frame f = { .type = QUIC_FRAME_NEW_TOKEN };

			f.new_token.token = tok;
			f.new_token.len = n;
			if (!n) {
				c->new_token_pending = false;  /* cannot make one: skip it */
			} else if (quic_frame_write(&pw, &f) == 0) {
				c->new_token_pending = false;
				rec->new_token = 1;
				eliciting = true;
			}
		}
		if (s == QUIC_SPACE_APP)
			eliciting |= conn_write_path_frames(c, &pw, rec);
		if (s == QUIC_SPACE_APP && c->complete) {
			eliciting |= conn_write_cid_frames(c, &pw, rec);
			eliciting |= conn_write_stream_frames(c, &pw, rec);
		}
		if ((rs->probes || (s == QUIC_SPACE_APP && c->ping_pending)) && !eliciting) {
			struct quic_frame f = { .type = QUIC_FRAME_PING };

			if (quic_frame_write(&pw, &f) == 0)
				eliciting = true;
		}
		if (eliciting) {
			if (rs->probes)
				rs->probes--;
			if (s == QUIC_SPACE_APP)
				c->ping_pending = false;
		}
	}
frames_done:
	/* header protection samples 16 bytes from pn_offset + 4 (RFC 9001
	 * 5.4.2); and the datagram may have to reach pad_to */
	size_t payload = buf_written(&pw);
	size_t min_payload = pnlen + payload < 4 ? 4 - pnlen : payload;
	size_t dgram_so_far = (size_t)(w->p - dgram) + payload + CRYPTO_AEAD_TAG_LEN;

	if (pad_to > dgram_so_far)
		min_payload = payload + (pad_to - dgram_so_far) > min_payload ?
			payload + (pad_to - dgram_so_far) : min_payload;
	if (min_payload > avail)
		min_payload = avail;
	if (!payload)
		goto fail;
	if (min_payload > payload) {
		memset(pw.p, 0, min_payload - payload);  /* PADDING frames */
		payload = min_payload;
	}
	buf_put_space(w, payload + CRYPTO_AEAD_TAG_LEN);
	if ((s != QUIC_SPACE_APP || early) &&
	    quic_pkt_set_length(pkt, length_pos, pnlen + payload + CRYPTO_AEAD_TAG_LEN) != 0)
		goto fail;
	struct quic_keys *keys = keys_of(c, l, true);

	if (!keys || quic_packet_seal(&keys->aead, pn, pkt, hdrlen, payload) != 0 ||
	    quic_hp_apply(&keys->hp, pkt, pn_offset, hdrlen + payload + CRYPTO_AEAD_TAG_LEN) != 0)
		goto fail;
	sp->next_pn++;
	c->stats.pkts_tx++;
	/* RFC 9001 6.6: move to fresh keys long before the AEAD limits (a
	 * refusal, update still unconfirmed, is retried at the next packet) */
	if (s == QUIC_SPACE_APP && c->ep->key_update_packets &&
	    sp->next_pn - c->phase_first_pn >= c->ep->key_update_packets)
		quic_conn_key_update(c);
	/* RFC 9000 10.1: the first ack-eliciting packet after one received
	 * restarts the idle timer too (a sender probing an unresponsive peer
	 * gives it the whole period) */
	if (eliciting && !c->eliciting_since_rx) {
		c->eliciting_since_rx = true;
		c->idle_deadline = now + idle_period(c);
	}
	if (rec) {
		rec->ect = c->tx_ecn == QUIC_ECN_ECT0;
		rec->pn = pn;
		rec->size = (uint16_t)(hdrlen + payload + CRYPTO_AEAD_TAG_LEN);
		rec->ack_eliciting = eliciting;
		quic_recovery_on_sent(&c->rec, s, rec, now);  /* keeps only ack-eliciting ones */
	}
	return 0;
fail:
	/* frames written into a packet that is not sent: what they took
	 * from the queues goes back as if lost */
	if (rec) {
		sent_lost(c, s, rec);
		quic_recovery_release(rec);
	}
	return -1;
}

/* A PATH_RESPONSE to an address that is not the peer's (a probe of a
 * path it may move to, RFC 9000 8.2.2): a datagram of its own, padded to
 * 1200 bytes when that path has sent a third of that. */
static size_t output_probe_response(struct quic_conn *c, struct quic_addr *to, uint8_t *out,
				    size_t cap, uint64_t now)
{
	struct buf_writer w;
	struct quic_addr peer = c->peer;
	bool validated = c->address_validated;
	size_t n;

	c->tx_ecn = QUIC_ECN_NOT_ECT;  /* another path: its ECN is untested */
	/* build it as if that were the path (conn_write_path_frames answers
	 * on the current path only), with nothing else in it */
	c->peer = c->path_response_to;
	c->address_validated = true;
	c->probe_only = true;
	buf_writer_init(&w, out, cap);
	n = build_packet(c, QUIC_SPACE_APP, &w, out, c->probe_pad ? MAX_DATAGRAM : 0, false,
			 now) == 0 ? buf_written(&w) : 0;
	c->probe_only = false;
	*to = c->peer;
	c->peer = peer;
	c->address_validated = validated;
	c->path_response_pending = false;
	return n;
}

size_t quic_conn_output(struct quic_conn *c, struct quic_addr *to, uint8_t *out, size_t cap,
			uint64_t now)
{
	struct buf_writer w;
	bool want[QUIC_SPACE_COUNT], initial = false;
	int last = -1;

	if (c->state == QUIC_CONN_DRAINING || c->state == QUIC_CONN_CLOSED)
		return 0;
	if (cap > MAX_DATAGRAM)
		cap = MAX_DATAGRAM;
	*to = c->peer;
	if (c->path_response_pending && !quic_addr_equal(&c->path_response_to, &c->peer) &&
	    c->space[QUIC_SPACE_APP].tx_keys && c->state == QUIC_CONN_ESTABLISHED)
		return output_probe_response(c, to, out, cap, now);
	if (c->server && !c->address_validated) {
		uint64_t allowed = 3 * c->bytes_rx > c->bytes_tx ? 3 * c->bytes_rx - c->bytes_tx : 0;

		if (allowed < cap)
			cap = (size_t)allowed;
		if (cap < 64)
			return 0;  /* blocked by anti-amplification */
	}
	/* the window and the pacer (RFC 9002 7, 7.7) */
	uint64_t pace_at;
	bool budget = quic_recovery_can_send(&c->rec, MAX_DATAGRAM, now, &pace_at);

	c->pace_wait = UINT64_MAX;
	for (int s = 0; s < QUIC_SPACE_COUNT; s++) {
		want[s] = wants_send(c, (enum quic_pn_space)s, budget, now);
		if (want[s])
			last = s;
		else if (pace_at != UINT64_MAX && c->space[s].tx_keys && !c->space[s].discarded &&
			 c->state < QUIC_CONN_CLOSING && wants_eliciting(c, (enum quic_pn_space)s))
			c->pace_wait = pace_at;  /* the pacer holds it: wake then */
	}
	if (last < 0)
		return 0;
	/* ECT(0) on the whole datagram while ECN is tested or known to work */
	c->tx_ecn = quic_recovery_ecn_mark(&c->rec) ? QUIC_ECN_ECT0 : QUIC_ECN_NOT_ECT;
	/* a datagram with an Initial is padded to 1200 (RFC 9000 14.1):
	 * clients always, servers when it is ack-eliciting (we pad always) */
	initial = want[QUIC_SPACE_INITIAL];
	buf_writer_init(&w, out, cap);
	for (int s = 0; s <= last; s++) {
		if (!want[s])
			continue;
		if (build_packet(c, (enum quic_pn_space)s, &w, out,
				 s == last && initial ? MAX_DATAGRAM : 0, budget, now) != 0)
			break;
		if (!c->server && s == QUIC_SPACE_HANDSHAKE)
			discard_space(c, QUIC_SPACE_INITIAL);  /* RFC 9001 4.9.1 */
	}
	if (c->state == QUIC_CONN_CLOSING)
		c->close_pending = false;
	if (buf_written(&w) && c->tx_ecn)
		quic_recovery_ecn_marked(&c->rec);
	c->bytes_tx += buf_written(&w);
	return buf_written(&w);
}

/* ---------------------------------------------------------------- timers */

uint64_t quic_conn_deadline(const struct quic_conn *c)
{
	uint64_t t = c->idle_deadline;

	if (c->state >= QUIC_CONN_CLOSING)
		return c->close_deadline;
	for (int i = 0; i < QUIC_SPACE_COUNT; i++)
		if (c->space[i].tx_keys && !c->space[i].discarded && c->space[i].ack_deadline < t)
			t = c->space[i].ack_deadline;
	if (c->pace_wait < t)
		t = c->pace_wait;
	if (c->challenge_deadline < t)
		t = c->challenge_deadline;
	uint64_t r = quic_recovery_deadline(&c->rec);

	return r < t ? r : t;
}

void quic_conn_timeout(struct quic_conn *c, uint64_t now)
{
	if (c->state >= QUIC_CONN_CLOSING) {
		if (now >= c->close_deadline)
			c->state = QUIC_CONN_CLOSED;
		return;
	}
	if (now >= c->idle_deadline) {
		c->state = QUIC_CONN_CLOSED;  /* RFC 9000 10.1: silently */
		return;
	}
	if (c->pace_wait <= now)
		c->pace_wait = UINT64_MAX;  /* output sends what waited */
	conn_path_timeout(c, now);
	if (c->state == QUIC_CONN_CLOSED)
		return;
	if (quic_recovery_deadline(&c->rec) <= now)
		quic_recovery_timeout(&c->rec, &sent_ops, c, now);
	/* ACK deadlines need no action here: output sends what is due */
}

/* ---------------------------------------------------------------- life cycle */

/* Our limits: the same for every connection of the endpoint (what a
 * client may remember for 0-RTT, RFC 9000 7.4.1). */
static void limit_tparams(const struct quic_endpoint *ep, bool server, struct quic_tparams *tp)
{
	quic_tparams_init(tp);
	tp->max_idle_timeout = ep->idle_timeout_ms;
	tp->max_udp_payload_size = MAX_DATAGRAM;
	tp->active_connection_id_limit = CONFIG_POOL_CIDS_PER_CONN;
	tp->initial_max_streams_uni = PEER_UNI_STREAMS;
	tp->initial_max_streams_bidi = PEER_BIDI_STREAMS;
	tp->initial_max_stream_data_uni = QUIC_STREAM_RX_WINDOW;
	tp->initial_max_stream_data_bidi_local = QUIC_STREAM_RX_WINDOW;
	tp->initial_max_stream_data_bidi_remote = QUIC_STREAM_RX_WINDOW;
	tp->initial_max_data = CONN_WINDOW;
	tp->present = QUIC_TP_BIT(QUIC_TP_MAX_IDLE_TIMEOUT) |
		      QUIC_TP_BIT(QUIC_TP_MAX_UDP_PAYLOAD_SIZE) |
		      QUIC_TP_BIT(QUIC_TP_ACTIVE_CONNECTION_ID_LIMIT);
	if (server && ep->no_migration)
		tp->present |= QUIC_TP_BIT(QUIC_TP_DISABLE_ACTIVE_MIGRATION);
}

int quic_conn_ticket_tparams(const struct quic_endpoint *ep, uint8_t *out, size_t cap,
			     size_t *len)
{
	struct quic_tparams tp;

	limit_tparams(ep, true, &tp);
	return quic_tparams_encode(&tp, true, out, cap, len);
}

static int local_tparams(struct quic_conn *c, uint8_t *out, size_t cap, size_t *len)
{
	struct quic_tparams tp;

	limit_tparams(c->ep, c->server, &tp);
	tp.initial_scid = c->scid;
	tp.present |= QUIC_TP_BIT(QUIC_TP_INITIAL_SCID);
	if (c->server) {
		tp.original_dcid = c->odcid;
		tp.present |= QUIC_TP_BIT(QUIC_TP_ORIGINAL_DCID);
		if (c->retried) {
			tp.retry_scid = c->retry_scid;
			tp.present |= QUIC_TP_BIT(QUIC_TP_RETRY_SCID);
		}
		if (quic_reset_token(&c->ep->tokens, &c->scid, tp.stateless_reset_token) != 0)
			return -1;
		tp.present |= QUIC_TP_BIT(QUIC_TP_STATELESS_RESET_TOKEN);
	}
	return quic_tparams_encode(&tp, c->server, out, cap, len);
}

/* Client resuming with 0-RTT: the limits the server gave last time
 * govern 0-RTT data (RFC 9000 7.4.1) until its new parameters arrive. */
static void remembered_tparams(struct quic_conn *c)
{
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	const uint8_t *p;
	size_t n;
	bool early;
	struct quic_tparams tp;

	if (quic_tls_session_info(c->ep->session, c->ep->session_len, &p, &n, &early) != 0 ||
	    !early || quic_tparams_decode(p, n, true, &tp) != 0)
		return;
	peer_limits(c, &tp);
#else
	(void)c;
#endif
}

int quic_conn_init(struct quic_conn *c, struct quic_endpoint *ep, pool_handle_t self,
		   bool server, uint32_t version, const struct quic_addr *peer,
		   const struct quic_cid *scid, const struct quic_cid *dcid,
		   const struct quic_cid *odcid, const struct quic_cid *retry_scid, uint64_t now)
{
	struct quic_hs *hs;
	uint8_t tp[256];
	size_t tplen;

	memset(c, 0, sizeof(*c));
	c->ep = ep;
	c->self = self;
	c->server = server;
	c->version = version;
	c->peer = *peer;
	c->scid = *scid;
	c->dcid = *dcid;
	c->odcid = *odcid;
	if (retry_scid) {
		c->retried = true;
		c->retry_scid = *retry_scid;
	}
	quic_recovery_init(&c->rec, MAX_DATAGRAM);
	c->rec.peer_validated = server;  /* A.6: a server needs no anti-deadlock PTO */
	if (ep->no_ecn)
		quic_recovery_ecn_disable(&c->rec);
	c->pace_wait = UINT64_MAX;
	c->challenge_deadline = UINT64_MAX;
	c->rx_dcid = *scid;  /* what the peer's 1-RTT packets carry first */
	c->peer_max_ack_delay_ms = QUIC_TP_DEFAULT_MAX_ACK_DELAY;
	c->peer_ack_delay_exp = QUIC_TP_DEFAULT_ACK_DELAY_EXPONENT;
	c->idle_deadline = now + (uint64_t)ep->idle_timeout_ms * NS_PER_MS;
	c->close_deadline = UINT64_MAX;
	c->address_validated = !server || retry_scid;  /* 8.1: a Retry token validates */
	for (int s = 0; s < QUIC_SPACE_COUNT; s++) {
		quic_ackrange_init(&c->space[s].rx);
		c->space[s].ack_deadline = UINT64_MAX;
	}
	c->rx_flow.limit = CONN_WINDOW;
	c->lcid[0].cid = c->scid;
	c->lcid[0].used = true;
	c->lcid_next_seq = 1;
	if (quic_streams_init(&c->streams, server, PEER_BIDI_STREAMS, PEER_UNI_STREAMS) != 0)
		return -1;
	if (quic_cid_add(&ep->cids, &c->scid, self) != 0)
		goto fail;
	/* a server's first Initials arrive to the client's chosen DCID (after
	 * a Retry: the Retry's SCID) */
	c->initial_dcid = retry_scid ? *retry_scid : *odcid;
	if (server)
		quic_cid_add(&ep->cids, &c->initial_dcid, self);  /* taken: routes elsewhere */
	hs = pool_zalloc(&pool_hs);
	if (!hs)
		goto fail;
	c->hs = pool_handle(&pool_hs, hs);
	for (int l = 0; l < QUIC_LEVEL_COUNT; l++)
		quic_reasm_init(&hs->rx[l], hs->rx_buf[l], QUIC_HS_RX_BUF);
	uint8_t *bufs[QUIC_LEVEL_COUNT] = { hs->tx_initial, NULL, hs->tx_handshake, hs->tx_app };
	const uint32_t caps[QUIC_LEVEL_COUNT] = {
		sizeof(hs->tx_initial), 0, sizeof(hs->tx_handshake), sizeof(hs->tx_app),
	};

	/* Initial keys from the DCID of the client's first Initial (after a
	 * Retry: the DCID it chose anew, which is our Retry SCID) */
	if (install_initial_keys(c, server ? &c->initial_dcid : dcid) ||
	    local_tparams(c, tp, sizeof(tp), &tplen) != 0 ||
	    quic_tls_init(&hs->tls, &ep->tls, bufs, caps, tp, tplen, server ? NULL : ep->sni) != 0)
		goto fail;
	if (!server && ep->session_len && quic_addr_equal(&ep->session_for, peer)) {
		/* resume; the session is used once (a new ticket follows) */
		if (quic_tls_set_session(&hs->tls, ep->session, ep->session_len) == 0)
			remembered_tparams(c);
		ep->session_len = 0;
	}
	if (!server && (quic_tls_advance(&hs->tls) != 0 || after_tls(c, hs) != 0))
		goto fail;
	return 0;
fail:
	quic_conn_deinit(c);
	return -1;
}

/* The handshake block and what it holds: TLS, the keys before 1-RTT
 * (0-RTT read keys included: late 0-RTT packets are dropped from now). */
static void free_hs(struct quic_conn *c, struct quic_hs *hs)
{
	for (int l = 0; l < QUIC_LEVEL_APP; l++) {
		quic_keys_deinit(&hs->rx_keys[l]);
		quic_keys_deinit(&hs->tx_keys[l]);
	}
	quic_tls_deinit(&hs->tls);
	pool_free(&pool_hs, hs);
	c->hs = POOL_HANDLE_NONE;
	c->early_rx = c->early_tx = false;
}

void quic_conn_deinit(struct quic_conn *c)
{
	struct quic_hs *hs = hs_of(c);

	/* the application lets go first: it names c by handle */
	if (c->ep && c->ep->app && c->ep->app->conn_closed)
		c->ep->app->conn_closed(c->ep->app_ctx, c);
	/* registry first (DESIGN.md 4.1), then the memory */
	if (c->ep)
		quic_cid_remove_conn(&c->ep->cids, c->self);
	quic_streams_deinit(&c->streams);
	quic_recovery_deinit(&c->rec);
	if (hs)
		free_hs(c, hs);
	quic_keys_deinit(&c->app_rx);
	quic_keys_deinit(&c->app_tx);
	quic_aead_deinit(&c->rx_next);
	quic_aead_deinit(&c->rx_prev);
	crypto_wipe(c, sizeof(*c));
}

/* The handshake block goes once nothing needs it: the server's handshake
 * confirmed and its last CRYPTO bytes (session tickets) acknowledged. */
void quic_conn_release_hs(struct quic_conn *c)
{
	struct quic_hs *hs = hs_of(c);

	if (!hs || !c->server || !c->confirmed || crypto_waiting(c, QUIC_SPACE_APP))
		return;
	if (quic_recovery_has_crypto(&c->rec, QUIC_SPACE_APP))
		return;
	free_hs(c, hs);
}

bool quic_conn_is_stateless_reset(struct quic_conn *c, const uint8_t *d, size_t len,
				  uint64_t now)
{
	/* RFC 9000 10.3.1: the last 16 bytes of a datagram we cannot use */
	if (len < 21 || quic_pkt_is_long(d[0]) ||
	    !conn_peer_token_matches(c, d + len - QUIC_STATELESS_RESET_TOKEN_LEN))
		return false;
	enter_draining(c, now);
	c->close_deadline = now;  /* 10.3.1: no CONNECTION_CLOSE, gone at once */
	return true;
}

