/* quic/tls: wolfSSL's QUIC API behind quic/tls.h (RFC 9001 section 4).
 *
 * The four callbacks (WOLFSSL_QUIC_METHOD) find their struct quic_tls
 * through wolfSSL's app data and only copy: secrets into t->secret, bytes
 * into t->out, the alert into t->alert (DESIGN.md 4.3). The ticket
 * callbacks never call wolfSSL either: the server's seals and opens a
 * ticket with quic/ticket (tern's own AEAD on wolfSSL's buffer), the
 * client's counts NewSessionTickets. Every decision that needs wolfSSL
 * (0-RTT on or off, sending the ticket, status) is made in
 * quic_tls_advance() between wolfSSL calls. wolfSSL's own memory comes
 * from lib/arena (crypto/wolfssl_glue.c).
 *
 * How wolfSSL 5.5.4's defects are met (docs/notes/0rtt-wolfssl.md 1):
 * D1 the context's default max_early_data is set to 0 and 0-RTT is
 *    switched on per connection, only when tern decided so; D2 a ticket
 *    opened once is answered from t->seen; D3 automatic tickets are off,
 *    one is sent explicitly at completion; D4 0-RTT is refused when the
 *    ClientHello would need an HRR, and an HRR seen anyway drops the early
 *    secret; D5 a client sets its max_early_data back to 0 at completion;
 *    D6 the server's status comes from the early secret, not wolfSSL; D7
 *    HAVE_EXT_CACHE for i2d/d2i; D8 a client checks the ticket's
 *    max_early_data.
 */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/quic.h>
#include <wolfssl/wolfcrypt/random.h>

#include "crypto/crypto.h"
#include "crypto/wolfssl_check.h"
#include "lib/kconfig.h"
#include "quic/tls.h"

#define ALERT_INTERNAL_ERROR 80

/* A HelloRetryRequest is a ServerHello with this random (RFC 8446 4.1.3). */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* The saved session: magic, version, flags, 0, tp length (2), session
 * length (2), tp, wolfSSL's serialised session. */
#define SESS_MAGIC   0x74  /* 't' */
#define SESS_VERSION 1
#define SESS_HDR     8
#define SESS_F_EARLY 0x01

#if IS_ENABLED(CONFIG_QUIC_0RTT)
/* wolfSSL accepts a ticket whose age is off by [-1, MAX_TICKET_AGE_DIFF +
 * 1] s (tls13.c DoPreSharedKeys): a replayed ClientHello carries the
 * original's age, so it is refused there once the original is more than
 * MAX_TICKET_AGE_DIFF + 2 s old. The strike register keeps a ticket one
 * second longer, and one more for its whole-second clock. */
#define REPLAY_WINDOW_S (MAX_TICKET_AGE_DIFF + 4)
#endif

static struct quic_tls *tls_of(WOLFSSL *ssl)
{
	return wolfSSL_get_app_data(ssl);
}

static int cb_secrets(WOLFSSL *ssl, WOLFSSL_ENCRYPTION_LEVEL level, const uint8_t *rx,
		      const uint8_t *tx, size_t len)
{
	struct quic_tls *t = tls_of(ssl);
	const uint8_t *s[2] = { rx, tx };

	if (!t || (unsigned)level >= QUIC_LEVEL_COUNT || len > QUIC_TLS_SECRET_MAX)
		return 0;
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	if (level == wolfssl_encryption_early_data)
		t->early_secret = true;  /* judged after wolfSSL returns */
#endif
	for (int d = 0; d < 2; d++) {
		if (!s[d])
			continue;
		memcpy(t->secret[level][d], s[d], len);
		t->secret_len[level][d] = (uint8_t)len;
		t->fresh |= (uint8_t)(1u << (2 * level + d));
	}
	return 1;
}

static int cb_data(WOLFSSL *ssl, WOLFSSL_ENCRYPTION_LEVEL level, const uint8_t *data,
		   size_t len)
{
	struct quic_tls *t = tls_of(ssl);
	struct quic_tls_out *o;

	if (!t || (unsigned)level >= QUIC_LEVEL_COUNT)
		return 0;
	o = &t->out[level];
	if (len > o->cap - o->len) {
		t->overflow = true;
		return 0;
	}
	memcpy(o->buf + o->len, data, len);
	o->len += (uint32_t)len;
	return 1;
}

static int cb_flush(WOLFSSL *ssl)
{
	(void)ssl;
	return 1;
}

static int cb_alert(WOLFSSL *ssl, WOLFSSL_ENCRYPTION_LEVEL level, uint8_t alert)
{
	struct quic_tls *t = tls_of(ssl);

	(void)level;
	if (t && !t->alert)
		t->alert = alert;
	return 1;
}

static const WOLFSSL_QUIC_METHOD quic_method = {
	.set_encryption_secrets = cb_secrets,
	.add_handshake_data = cb_data,
	.flush_flight = cb_flush,
	.send_alert = cb_alert,
};

/* ---------------------------------------------------------------- ticket callbacks */

/* Open a presented ticket (sealed part enc[0..len)) into t->seen. */
static void ticket_open(struct quic_tls_ctx *c, struct quic_tls *t, const uint8_t *name,
			const uint8_t *iv, const uint8_t *mac, const uint8_t *enc, size_t len)
{
	struct quic_tls_ticket_seen *k = &t->seen;
	size_t out = 0;

	crypto_wipe(k, sizeof(*k));
	memcpy(k->name, name, sizeof(k->name));
	memcpy(k->iv, iv, sizeof(k->iv));
	k->inlen = (uint16_t)len;
	k->valid = true;
	if (len <= sizeof(k->plain)) {
		memcpy(k->plain, enc, len);
		k->ok = quic_ticket_open(&c->tickets, name, iv, mac, k->plain, len, &out,
					 &k->meta) == 0;
		k->outlen = (uint16_t)out;
	}
	if (!k->ok)
		c->st.tickets_bad++;
}

static bool ticket_seen(const struct quic_tls *t, const uint8_t *name, const uint8_t *iv,
			size_t len)
{
	return t->seen.valid && t->seen.inlen == len &&
	       !memcmp(t->seen.name, name, sizeof(t->seen.name)) &&
	       !memcmp(t->seen.iv, iv, sizeof(t->seen.iv));
}

/* wolfSSL's SessionTicketEncCb. Encrypt: buf[0..len) is wolfSSL's
 * InternalTicket, *outlen the room. Decrypt: buf[0..len) the sealed part
 * of a presented ticket, to be replaced by the InternalTicket. */
static int cb_ticket(WOLFSSL *ssl, unsigned char name[WOLFSSL_TICKET_NAME_SZ],
		     unsigned char iv[WOLFSSL_TICKET_IV_SZ], unsigned char mac[WOLFSSL_TICKET_MAC_SZ],
		     int enc, unsigned char *buf, int len, int *outlen, void *arg)
{
	struct quic_tls_ctx *c = arg;
	struct quic_tls *t = tls_of(ssl);
	size_t n;

	if (!c || !t || !buf || len <= 0 || !outlen || *outlen < 0)
		return WOLFSSL_TICKET_RET_FATAL;
	if (enc) {
		if (quic_ticket_seal(&c->tickets, name, iv, mac, buf, (size_t)len, (size_t)*outlen,
				     t->ticket_flags, &n) != 0)
			return WOLFSSL_TICKET_RET_FATAL;  /* no ticket is sent */
		*outlen = (int)n;
		return WOLFSSL_TICKET_RET_OK;
	}
	if (!ticket_seen(t, name, iv, (size_t)len))
		ticket_open(c, t, name, iv, mac, buf, (size_t)len);
	if (!t->seen.ok) {
		crypto_wipe(buf, (size_t)len);
		return WOLFSSL_TICKET_RET_REJECT;  /* a full handshake */
	}
	memcpy(buf, t->seen.plain, t->seen.outlen);
	*outlen = t->seen.outlen;
	return WOLFSSL_TICKET_RET_OK;
}

/* Client: a NewSessionTicket arrived (its lifetime and early_data are
 * stored after this runs: quic_tls_advance() looks at them). */
static int cb_session_ticket(WOLFSSL *ssl, const unsigned char *ticket, int len, void *arg)
{
	struct quic_tls *t = arg;

	(void)ssl;
	(void)ticket;
	(void)len;
	if (t && t->tickets < UINT8_MAX)
		t->tickets++;
	return 0;
}

/* ---------------------------------------------------------------- context */

static const char *wolf_suite_name(enum crypto_aead alg)
{
	switch (alg) {
	case CRYPTO_AES_128_GCM: return "TLS13-AES128-GCM-SHA256";
	case CRYPTO_AES_256_GCM: return "TLS13-AES256-GCM-SHA384";
	case CRYPTO_CHACHA20_POLY1305: return "TLS13-CHACHA20-POLY1305-SHA256";
	case CRYPTO_AES_128_CCM: return "TLS13-AES128-CCM-SHA256";
	default: return NULL;
	}
}

/* The enabled suites in preference order (never CCM_8, which QUIC
 * forbids, RFC 9001 5.3, and wolfSSL would otherwise offer). */
static int set_suites(WOLFSSL_CTX *ctx)
{
	enum crypto_aead order[4];
	size_t n = crypto_suite_preference(order, 4);
	char list[160] = "";

	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(list, ":");
		strcat(list, wolf_suite_name(order[i]));
	}
	return n && wolfSSL_CTX_set_cipher_list(ctx, list) == WOLFSSL_SUCCESS ? 0 : -1;
}

static int ctx_init(struct quic_tls_ctx *c, bool server)
{
	WOLFSSL_CTX *ctx;

	memset(c, 0, sizeof(*c));
	if (wolfSSL_Init() != WOLFSSL_SUCCESS)
		return -1;
	ctx = wolfSSL_CTX_new(server ? wolfTLSv1_3_server_method() : wolfTLSv1_3_client_method());
	if (!ctx) {
		wolfSSL_Cleanup();
		return -1;
	}
	c->wolf = ctx;
	c->server = server;
	if (wolfSSL_CTX_set_quic_method(ctx, &quic_method) != WOLFSSL_SUCCESS ||
	    set_suites(ctx) != 0) {
		quic_tls_ctx_deinit(c);
		return -1;
	}
	return 0;
}

/* The first ticket key from wolfCrypt's DRBG (seeded from the port's
 * entropy, as every key wolfSSL makes). */
static int tickets_init(struct quic_tls_ctx *c)
{
	uint8_t seed[QUIC_TICKET_SEED_LEN];
	WC_RNG rng;
	int ret;

	if (wc_InitRng(&rng) != 0)
		return -1;
	ret = wc_RNG_GenerateBlock(&rng, seed, sizeof(seed));
	wc_FreeRng(&rng);
	if (!ret)
		ret = quic_ticket_keys_init(&c->tickets, seed, CONFIG_QUIC_TICKET_LIFETIME_S);
	crypto_wipe(seed, sizeof(seed));
	return ret ? -1 : 0;
}

/* Tickets as tern issues them (notes 8.2): its own callback and keys, a
 * lifetime that is also the oldest ticket accepted, no automatic ticket
 * (one is sent at completion, D3), no server session cache (TLS 1.3
 * tickets carry the state), and 0-RTT only where a connection turns it
 * on (D1: the context default would accept it everywhere). */
static int server_tickets(struct quic_tls_ctx *c)
{
	WOLFSSL_CTX *ctx = c->wolf;

	if (wolfSSL_CTX_set_TicketEncCb(ctx, cb_ticket) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_set_TicketEncCtx(ctx, c) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_set_timeout(ctx, CONFIG_QUIC_TICKET_LIFETIME_S) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_set_TicketHint(ctx, CONFIG_QUIC_TICKET_LIFETIME_S) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_set_num_tickets(ctx, 0) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_set_session_cache_mode(ctx, WOLFSSL_SESS_CACHE_OFF) != WOLFSSL_SUCCESS)
		return -1;
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	if (wolfSSL_CTX_set_max_early_data(ctx, 0) != WOLFSSL_SUCCESS)
		return -1;
	quic_strike_init(&c->strike, REPLAY_WINDOW_S);
#endif
	return tickets_init(c);
}

int quic_tls_ctx_init_server(struct quic_tls_ctx *c, const uint8_t *cert, size_t certlen,
			     const uint8_t *key, size_t keylen)
{
	int err = 0;

	if (!cert || !key || certlen > INT32_MAX || keylen > INT32_MAX || ctx_init(c, true) != 0)
		return QUIC_TLS_E_INIT;
	if (wolfSSL_CTX_use_certificate_buffer(c->wolf, cert, (long)certlen,
					       WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS)
		err = QUIC_TLS_E_CERT;
	else if (wolfSSL_CTX_use_PrivateKey_buffer(c->wolf, key, (long)keylen,
						   WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS)
		err = QUIC_TLS_E_KEY;
	else if (wolfSSL_CTX_check_private_key(c->wolf) != WOLFSSL_SUCCESS)
		err = QUIC_TLS_E_KEY_MISMATCH;
	else if (server_tickets(c) != 0)
		err = QUIC_TLS_E_INIT;
	if (err)
		quic_tls_ctx_deinit(c);
	return err;
}

int quic_tls_ctx_init_client(struct quic_tls_ctx *c, const uint8_t *ca, size_t calen)
{
	if (calen > INT32_MAX || ctx_init(c, false) != 0)
		return -1;
	if (!ca) {
		wolfSSL_CTX_set_verify(c->wolf, WOLFSSL_VERIFY_NONE, NULL);
		return 0;
	}
	if (wolfSSL_CTX_load_verify_buffer(c->wolf, ca, (long)calen,
					   WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS) {
		quic_tls_ctx_deinit(c);
		return -1;
	}
	wolfSSL_CTX_set_verify(c->wolf, WOLFSSL_VERIFY_PEER, NULL);
	return 0;
}

void quic_tls_ctx_deinit(struct quic_tls_ctx *c)
{
	if (c->wolf) {
		wolfSSL_CTX_free(c->wolf);
		wolfSSL_Cleanup();  /* balances ctx_init's wolfSSL_Init */
	}
	quic_ticket_keys_deinit(&c->tickets);
	crypto_wipe(c, sizeof(*c));
}

int quic_tls_ctx_ticket_config(struct quic_tls_ctx *c, const uint8_t *tp, size_t tplen,
			       bool early_data)
{
	if (!c->wolf || !c->server || (tplen && !tp) ||
	    quic_ticket_set_config(&c->tickets, tp, tplen) != 0)
		return -1;
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	c->early = early_data;
#endif
	return 0;
}

void quic_tls_ctx_tick(struct quic_tls_ctx *c, uint64_t now_ns)
{
	if (c->wolf && c->server)
		quic_ticket_keys_tick(&c->tickets, now_ns);
}

/* ---------------------------------------------------------------- connection */

int quic_tls_init(struct quic_tls *t, struct quic_tls_ctx *c,
		  uint8_t *const bufs[QUIC_LEVEL_COUNT], const uint32_t caps[QUIC_LEVEL_COUNT],
		  const uint8_t *tp, size_t tplen, const char *sni)
{
	WOLFSSL *ssl;

	memset(t, 0, sizeof(*t));
	t->ctx = c;
	for (int l = 0; l < QUIC_LEVEL_COUNT; l++) {
		t->out[l].buf = bufs[l];
		t->out[l].cap = bufs[l] ? caps[l] : 0;
	}
	if (!c->wolf || !tp || tplen > UINT32_MAX)
		return -1;
	ssl = wolfSSL_new(c->wolf);
	if (!ssl)
		return -1;
	t->ssl = ssl;
	if (wolfSSL_set_app_data(ssl, t) != WOLFSSL_SUCCESS ||
	    wolfSSL_set_quic_transport_params(ssl, tp, tplen) != WOLFSSL_SUCCESS ||
	    wolfSSL_UseALPN(ssl, (char *)"h3", 2, WOLFSSL_ALPN_FAILED_ON_MISMATCH) !=
		    WOLFSSL_SUCCESS)
		goto fail;
	if (c->server) {
		wolfSSL_set_accept_state(ssl);
#if IS_ENABLED(CONFIG_QUIC_0RTT)
		quic_ch_scan_init(&t->scan);
#endif
	} else {
		if (sni && (wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, sni,
					   (unsigned short)strlen(sni)) != WOLFSSL_SUCCESS ||
			    wolfSSL_check_domain_name(ssl, sni) != WOLFSSL_SUCCESS))
			goto fail;
		if (wolfSSL_set_SessionTicket_cb(ssl, cb_session_ticket, t) != WOLFSSL_SUCCESS)
			goto fail;
		wolfSSL_set_connect_state(ssl);
	}
	return 0;
fail:
	quic_tls_deinit(t);
	return -1;
}

void quic_tls_deinit(struct quic_tls *t)
{
	if (t->ssl)
		wolfSSL_free(t->ssl);
	crypto_wipe(t, sizeof(*t));
}

int quic_tls_feed(struct quic_tls *t, enum quic_level level, const uint8_t *data, size_t len)
{
	if (!t->ssl || (unsigned)level >= QUIC_LEVEL_COUNT || (len && !data))
		return -1;
	if (!len)
		return 0;
	if (level == QUIC_LEVEL_INITIAL && !t->ctx->server && t->hello_len < sizeof(t->hello)) {
		/* the start of the server's first message: an HRR? */
		size_t n = sizeof(t->hello) - t->hello_len;

		n = n < len ? n : len;
		memcpy(t->hello + t->hello_len, data, n);
		t->hello_len = (uint8_t)(t->hello_len + n);
	}
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	if (level == QUIC_LEVEL_INITIAL && t->ctx->server && !t->started)
		quic_ch_scan_feed(&t->scan, data, len);
#endif
	return wolfSSL_provide_quic_data(t->ssl, (WOLFSSL_ENCRYPTION_LEVEL)level, data, len) ==
			       WOLFSSL_SUCCESS ? 0 : -1;
}

static int fail(struct quic_tls *t)
{
	/* RFC 9001 4.8: CRYPTO_ERROR is 0x100 + the alert */
	t->error = (uint16_t)(QUIC_CRYPTO_ERROR + (t->alert ? t->alert : ALERT_INTERNAL_ERROR));
	return -1;
}

static bool is_hrr(const uint8_t *msg, size_t len)
{
	/* type (1), length (3), legacy_version (2), random (32) */
	return len >= 38 && msg[0] == 2 && !memcmp(msg + 6, hrr_random, sizeof(hrr_random));
}

#if IS_ENABLED(CONFIG_QUIC_0RTT)

/* An early secret the connection must never install. */
static void drop_early(struct quic_tls *t)
{
	t->fresh &= (uint8_t)~(3u << (2 * QUIC_LEVEL_EARLY));
	crypto_wipe(t->secret[QUIC_LEVEL_EARLY], sizeof(t->secret[QUIC_LEVEL_EARLY]));
}

/* Server, the whole ClientHello scanned, before wolfSSL sees it: will
 * this connection accept 0-RTT? Decided here because wolfSSL fixes it at
 * its first step; the ticket is opened now (and again answered from
 * t->seen when wolfSSL asks) so that replay, expiry and configuration
 * refuse 0-RTT but not the resumption. */
static bool early_decide(struct quic_tls_ctx *c, struct quic_tls *t)
{
	const struct quic_ch_scan *s = &t->scan;
	const uint8_t *id = s->id;
	size_t enclen;

	if (!s->early_data)
		return false;  /* not offered */
	t->early = QUIC_TLS_EARLY_REJECTED;  /* until every check passed */
	if (!c->early || t->early_refused || !s->psk || s->id_have != s->id_len ||
	    s->id_len <= QUIC_TICKET_FIXED_LEN || !quic_ch_scan_no_hrr(s))
		goto refuse;
	/* the first identity, as a ticket of ours: key_name, iv, length,
	 * sealed part, mac */
	enclen = (size_t)id[32] << 8 | id[33];
	if (QUIC_TICKET_FIXED_LEN + enclen != s->id_len)
		goto refuse;
	ticket_open(c, t, id, id + 16, id + 34 + enclen, id + 34, enclen);
	if (!t->seen.ok || !(t->seen.meta.flags & QUIC_TICKET_F_EARLY) ||
	    !crypto_equal(t->seen.meta.cfg_hash, c->tickets.cfg_hash, QUIC_TICKET_HASH_LEN))
		goto refuse;
	switch (quic_strike_check(&c->strike, t->seen.iv, c->tickets.now_ns)) {
	case QUIC_STRIKE_NEW:
		t->early = QUIC_TLS_EARLY_PENDING;
		return true;
	case QUIC_STRIKE_REPLAY:
		c->st.early_replay++;
		return false;
	case QUIC_STRIKE_FULL:
		c->st.early_full++;
		return false;
	}
refuse:
	c->st.early_refused++;
	return false;
}

/* After each wolfSSL step: what became of 0-RTT. */
static void early_update(struct quic_tls *t, bool server, bool first)
{
	struct quic_tls_ctx *c = t->ctx;

	if (t->hrr && t->early != QUIC_TLS_EARLY_NONE && t->early != QUIC_TLS_EARLY_REJECTED) {
		/* 0-RTT never survives an HRR (RFC 8446 4.2.10); wolfSSL may
		 * still derive and even accept it (D4) */
		if (server)
			c->st.early_refused++;
		t->early = QUIC_TLS_EARLY_REJECTED;
	}
	if (server) {
		/* the ClientHello was processed in the first step: wolfSSL
		 * accepted 0-RTT iff it derived the early read secret */
		if (first && t->early == QUIC_TLS_EARLY_PENDING) {
			t->early = t->early_secret ? QUIC_TLS_EARLY_ACCEPTED :
				   QUIC_TLS_EARLY_REJECTED;
			if (t->early_secret)
				c->st.early_accepted++;
			else
				c->st.early_refused++;
		}
		if (t->early != QUIC_TLS_EARLY_ACCEPTED)
			drop_early(t);
	} else if (first && t->early == QUIC_TLS_EARLY_PENDING && !t->early_secret) {
		t->early = QUIC_TLS_EARLY_NONE;  /* wolfSSL did not offer it after all */
	}
}

#endif /* CONFIG_QUIC_0RTT */

/* The handshake just completed. */
static void on_complete(struct quic_tls *t)
{
	struct quic_tls_ctx *c = t->ctx;

	t->resumed = wolfSSL_session_reused(t->ssl) != 0;
	if (!c->server) {
#if IS_ENABLED(CONFIG_QUIC_0RTT)
		/* D5: NewSessionTickets without early_data must not inherit
		 * our own max_early_data */
		wolfSSL_set_max_early_data(t->ssl, 0);
		if (t->early == QUIC_TLS_EARLY_PENDING)
			t->early = wolfSSL_get_early_data_status(t->ssl) ==
					   WOLFSSL_EARLY_DATA_ACCEPTED && !t->hrr ?
				   QUIC_TLS_EARLY_ACCEPTED : QUIC_TLS_EARLY_REJECTED;
#endif
		return;
	}
	if (t->resumed)
		c->st.resumed++;
	/* one ticket, on every path (D3); it allows 0-RTT iff the endpoint
	 * accepts 0-RTT now, whatever this connection did (the ticket's
	 * max_early_data comes from ours at this point) */
	t->ticket_flags = 0;
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	if (c->early)
		t->ticket_flags |= QUIC_TICKET_F_EARLY;
	wolfSSL_set_max_early_data(t->ssl, c->early ? UINT32_MAX : 0);
#endif
	if (wolfSSL_send_SessionTicket(t->ssl) == WOLFSSL_SUCCESS)
		c->st.tickets_issued++;
	else
		c->st.tickets_failed++;  /* no ticket: the connection goes on */
	crypto_wipe(&t->seen, sizeof(t->seen));  /* a resumption secret */
}

/* Client: NewSessionTickets processed. RFC 9001 4.6.1: a ticket's
 * early_data must say 0xffffffff (D8: wolfSSL takes any value). */
static int check_tickets(struct quic_tls *t, uint8_t before)
{
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	WOLFSSL_SESSION *s;
	unsigned int max;

	if (t->tickets == before)
		return 0;
	s = wolfSSL_get1_session(t->ssl);
	if (!s)
		return -1;
	max = wolfSSL_SESSION_get_max_early_data(s);
	wolfSSL_SESSION_free(s);
	if (max != 0 && max != UINT32_MAX)
		return -1;
#else
	(void)t;
	(void)before;
#endif
	return 0;
}

int quic_tls_advance(struct quic_tls *t)
{
	struct quic_tls_ctx *c = t->ctx;
	uint8_t tickets = t->tickets;
	bool first = false;
	int ret;

	if (!t->ssl)
		return fail(t);
	if (!t->complete) {
		if (!t->started) {
#if IS_ENABLED(CONFIG_QUIC_0RTT)
			if (c->server) {
				if (!t->scan.done)
					return 0;  /* the whole ClientHello first */
				wolfSSL_set_quic_early_data_enabled(t->ssl, early_decide(c, t));
			}
#endif
			t->started = first = true;
		}
		ret = wolfSSL_quic_do_handshake(t->ssl);
		if (!t->hrr)
			t->hrr = c->server ? is_hrr(t->out[QUIC_LEVEL_INITIAL].buf,
						    t->out[QUIC_LEVEL_INITIAL].len) :
					     is_hrr(t->hello, t->hello_len);
#if IS_ENABLED(CONFIG_QUIC_0RTT)
		early_update(t, c->server, first);
#else
		(void)first;
#endif
		if (ret == WOLFSSL_SUCCESS) {
			t->complete = true;
			on_complete(t);
			/* a client may already hold a NewSessionTicket */
			if (!c->server &&
			    wolfSSL_process_quic_post_handshake(t->ssl) != WOLFSSL_SUCCESS)
				return fail(t);
		} else {
			int err = wolfSSL_get_error(t->ssl, ret);

			if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE)
				return fail(t);
		}
	} else if (wolfSSL_process_quic_post_handshake(t->ssl) != WOLFSSL_SUCCESS) {
		return fail(t);
	}
	if (t->overflow) {
		t->alert = ALERT_INTERNAL_ERROR;
		return fail(t);
	}
	if (!c->server && check_tickets(t, tickets) != 0) {
		t->error = QUIC_PROTOCOL_VIOLATION;
		return -1;
	}
	return 0;
}

bool quic_tls_take_secret(struct quic_tls *t, enum quic_level *level, enum quic_tls_dir *dir,
			  uint8_t secret[QUIC_TLS_SECRET_MAX], size_t *len)
{
	for (int bit = 0; bit < 2 * QUIC_LEVEL_COUNT; bit++) {
		int l = bit / 2, d = bit % 2;

		if (!(t->fresh & (1u << bit)))
			continue;
		t->fresh &= (uint8_t)~(1u << bit);
		*level = (enum quic_level)l;
		*dir = (enum quic_tls_dir)d;
		*len = t->secret_len[l][d];
		memcpy(secret, t->secret[l][d], *len);
		crypto_wipe(t->secret[l][d], sizeof(t->secret[l][d]));
		return true;
	}
	return false;
}

enum crypto_aead quic_tls_aead(const struct quic_tls *t)
{
	if (!t->ssl)
		return CRYPTO_AEAD_NONE;
	switch (wolfSSL_get_current_cipher_suite(t->ssl)) {
	case 0x1301: return CRYPTO_AES_128_GCM;
	case 0x1302: return CRYPTO_AES_256_GCM;
	case 0x1303: return CRYPTO_CHACHA20_POLY1305;
	case 0x1304: return CRYPTO_AES_128_CCM;
	default: return CRYPTO_AEAD_NONE;
	}
}

const uint8_t *quic_tls_peer_tp(const struct quic_tls *t, size_t *len)
{
	const uint8_t *p = NULL;

	*len = 0;
	if (t->ssl)
		wolfSSL_get_peer_quic_transport_params(t->ssl, &p, len);
	return *len ? p : NULL;
}

bool quic_tls_alpn_h3(const struct quic_tls *t)
{
	char *name = NULL;
	unsigned short n = 0;

	return t->ssl && wolfSSL_ALPN_GetProtocol(t->ssl, &name, &n) == WOLFSSL_SUCCESS &&
	       n == 2 && !memcmp(name, "h3", 2);
}

/* ---------------------------------------------------------------- resumption, 0-RTT */

void quic_tls_refuse_early(struct quic_tls *t)
{
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	t->early_refused = true;
#else
	(void)t;
#endif
}

enum quic_tls_early quic_tls_early_status(const struct quic_tls *t)
{
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	return (enum quic_tls_early)t->early;
#else
	(void)t;
	return QUIC_TLS_EARLY_NONE;
#endif
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t get16(const uint8_t *p)
{
	return (size_t)p[0] << 8 | p[1];
}

int quic_tls_session_info(const uint8_t *sess, size_t len, const uint8_t **tp, size_t *tplen,
			  bool *early)
{
	size_t n;

	if (!sess || len < SESS_HDR || sess[0] != SESS_MAGIC || sess[1] != SESS_VERSION)
		return -1;
	n = get16(sess + 4);
	if (SESS_HDR + n + get16(sess + 6) != len || !get16(sess + 6))
		return -1;
	if (tp)
		*tp = sess + SESS_HDR;
	if (tplen)
		*tplen = n;
	if (early)
		*early = sess[2] & SESS_F_EARLY;
	return 0;
}

int quic_tls_set_session(struct quic_tls *t, const uint8_t *sess, size_t len)
{
	const unsigned char *p;
	WOLFSSL_SESSION *s;
	size_t tplen;
	bool early;
	int ret;

	if (!t->ssl || t->ctx->server || t->started ||
	    quic_tls_session_info(sess, len, NULL, &tplen, &early) != 0)
		return -1;
	p = sess + SESS_HDR + tplen;
	s = wolfSSL_d2i_SSL_SESSION(NULL, &p, (long)(len - SESS_HDR - tplen));
	if (!s)
		return -1;
	/* wolfSSL_set_session copies s (and refuses an expired session) */
	ret = p == sess + len && wolfSSL_set_session(t->ssl, s) == WOLFSSL_SUCCESS ? 0 : -1;
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	if (!ret && early && wolfSSL_SESSION_get_max_early_data(s) == UINT32_MAX) {
		wolfSSL_set_quic_early_data_enabled(t->ssl, 1);
		t->early = QUIC_TLS_EARLY_PENDING;
	}
#else
	(void)early;
#endif
	wolfSSL_SESSION_free(s);
	return ret;
}

size_t quic_tls_save_session(const struct quic_tls *t, uint8_t *out, size_t cap)
{
	WOLFSSL_SESSION *s;
	const uint8_t *tp;
	unsigned char *p;
	size_t tplen, total = 0;
	int n;

	if (!t->ssl || t->ctx->server || !t->tickets || !out || !(tp = quic_tls_peer_tp(t, &tplen)))
		return 0;
	/* the live session, the last ticket in it (a reference, not a copy) */
	s = wolfSSL_get1_session(t->ssl);
	if (!s)
		return 0;
	n = wolfSSL_i2d_SSL_SESSION(s, NULL);
	if (n > 0 && n <= 0xffff && tplen <= 0xffff && SESS_HDR + tplen + (size_t)n <= cap) {
		out[0] = SESS_MAGIC;
		out[1] = SESS_VERSION;
		out[2] = 0;
		out[3] = 0;
#if IS_ENABLED(CONFIG_QUIC_0RTT)
		if (wolfSSL_SESSION_get_max_early_data(s) == UINT32_MAX)
			out[2] |= SESS_F_EARLY;
#endif
		put16(out + 4, tplen);
		put16(out + 6, (size_t)n);
		memcpy(out + SESS_HDR, tp, tplen);
		p = out + SESS_HDR + tplen;
		if (wolfSSL_i2d_SSL_SESSION(s, &p) == n)
			total = SESS_HDR + tplen + (size_t)n;
		else
			crypto_wipe(out, cap);
	}
	wolfSSL_SESSION_free(s);
	return total;
}
