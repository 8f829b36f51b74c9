/* quic/tls: wolfSSL's QUIC API behind quic/tls.h (RFC 9001 section 4).
 *
 * The four callbacks (WOLFSSL_QUIC_METHOD) find their struct quic_tls
 * through wolfSSL's app data and only copy: secrets into t->secret, bytes
 * into t->out, the alert into t->alert (DESIGN.md 4.3). wolfSSL's own
 * memory comes from lib/arena (crypto/wolfssl_glue.c).
 */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/quic.h>

#include "crypto/crypto.h"
#include "crypto/wolfssl_check.h"
#include "quic/tls.h"

#define ALERT_INTERNAL_ERROR 80

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

int quic_tls_ctx_init_server(struct quic_tls_ctx *c, const uint8_t *cert, size_t certlen,
			     const uint8_t *key, size_t keylen)
{
	if (!cert || !key || certlen > INT32_MAX || keylen > INT32_MAX || ctx_init(c, true) != 0)
		return -1;
	if (wolfSSL_CTX_use_certificate_buffer(c->wolf, cert, (long)certlen,
					       WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_use_PrivateKey_buffer(c->wolf, key, (long)keylen,
					      WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_check_private_key(c->wolf) != WOLFSSL_SUCCESS) {
		quic_tls_ctx_deinit(c);
		return -1;
	}
	return 0;
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
	memset(c, 0, sizeof(*c));
}

/* ---------------------------------------------------------------- connection */

int quic_tls_init(struct quic_tls *t, const struct quic_tls_ctx *c,
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
	} else {
		if (sni && (wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, sni,
					   (unsigned short)strlen(sni)) != WOLFSSL_SUCCESS ||
			    wolfSSL_check_domain_name(ssl, sni) != WOLFSSL_SUCCESS))
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
	return wolfSSL_provide_quic_data(t->ssl, (WOLFSSL_ENCRYPTION_LEVEL)level, data, len) ==
			       WOLFSSL_SUCCESS ? 0 : -1;
}

static int fail(struct quic_tls *t)
{
	/* RFC 9001 4.8: CRYPTO_ERROR is 0x100 + the alert */
	t->error = (uint16_t)(QUIC_CRYPTO_ERROR + (t->alert ? t->alert : ALERT_INTERNAL_ERROR));
	return -1;
}

int quic_tls_advance(struct quic_tls *t)
{
	int ret;

	if (!t->ssl)
		return fail(t);
	if (!t->complete) {
		ret = wolfSSL_quic_do_handshake(t->ssl);
		if (ret == WOLFSSL_SUCCESS) {
			t->complete = true;
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
