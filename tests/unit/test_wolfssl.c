/* wolfSSL as tern builds it (mk/wolfssl.mk, tools/gen_user_settings.py):
 * wolfCrypt known answers, the configuration the library was compiled with,
 * every allocation served by lib/arena and returned, and an in-memory QUIC
 * handshake between a wolfSSL client and server for every enabled suite,
 * full and resumed (with 0-RTT under CONFIG_QUIC_0RTT). */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/quic.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "unit.h"
#include "lib/arena.h"
#include "data/test_cert.h"

#include "crypto/wolfssl_check.h"

static int setup(void **state)
{
	arena_stats_reset();
	return unit_pools_setup(state);
}

/* wolfSSL_Init/Cleanup inside each test that needs them, so a test can
 * check that Cleanup returns wolfSSL's global allocations too; the common
 * teardown then finds every pool idle. */
#define WOLF_TEST(f) cmocka_unit_test_setup_teardown(f, setup, unit_pools_teardown)

static void unhex(const char *hex, uint8_t *out, size_t n)
{
	assert_int_equal(unit_unhex(hex, out, n), n);
}

/* ---------------------------------------------------------------- (a) */

static void test_sha256_kat(void **state)
{
	/* FIPS 180-2 appendix B.1 and B.2 */
	static const struct { const char *msg, *digest; } kat[] = {
		{ "abc",
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		uint8_t want[32], got[32];

		unhex(kat[i].digest, want, sizeof(want));
		assert_int_equal(wc_Sha256Hash((const byte *)kat[i].msg,
					       (word32)strlen(kat[i].msg), got), 0);
		assert_memory_equal(got, want, sizeof(want));
	}
}

static void test_hkdf_rfc5869_case1(void **state)
{
	uint8_t ikm[22], salt[13], info[10], prk[32], okm[42], want_prk[32], want_okm[42];

	memset(ikm, 0x0b, sizeof(ikm));
	for (unsigned i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)i;
	for (unsigned i = 0; i < sizeof(info); i++)
		info[i] = (uint8_t)(0xf0 + i);
	unhex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
	      want_prk, sizeof(want_prk));
	unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	      "34007208d5b887185865", want_okm, sizeof(want_okm));

	assert_int_equal(wc_HKDF_Extract(WC_SHA256, salt, sizeof(salt), ikm, sizeof(ikm), prk), 0);
	assert_memory_equal(prk, want_prk, sizeof(prk));
	assert_int_equal(wc_HKDF_Expand(WC_SHA256, prk, sizeof(prk), info, sizeof(info),
					okm, sizeof(okm)), 0);
	assert_memory_equal(okm, want_okm, sizeof(okm));
	memset(okm, 0, sizeof(okm));
	assert_int_equal(wc_HKDF(WC_SHA256, ikm, sizeof(ikm), salt, sizeof(salt), info,
				 sizeof(info), okm, sizeof(okm)), 0);
	assert_memory_equal(okm, want_okm, sizeof(okm));
}

/* ---------------------------------------------------------------- (b) */

/* The GCM specification's test case 3 (McGrew and Viega): a known answer,
 * then open, then a flipped tag bit must fail. */
static void test_aes128gcm_seal_open(void **state)
{
	uint8_t key[16], iv[12], pt[64], want_ct[64], want_tag[16];
	uint8_t ct[64], tag[16], back[64];
	Aes aes;

	unhex("feffe9928665731c6d6a8f9467308308", key, sizeof(key));
	unhex("cafebabefacedbaddecaf888", iv, sizeof(iv));
	unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
	      pt, sizeof(pt));
	unhex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	      "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	      want_ct, sizeof(want_ct));
	unhex("4d5c2af327cd64a62cf35abd2ba6fab4", want_tag, sizeof(want_tag));

	assert_int_equal(wc_AesInit(&aes, NULL, INVALID_DEVID), 0);
	assert_int_equal(wc_AesGcmSetKey(&aes, key, sizeof(key)), 0);
	assert_int_equal(wc_AesGcmEncrypt(&aes, ct, pt, sizeof(pt), iv, sizeof(iv),
					  tag, sizeof(tag), NULL, 0), 0);
	assert_memory_equal(ct, want_ct, sizeof(ct));
	assert_memory_equal(tag, want_tag, sizeof(tag));

	/* round trip with associated data (a QUIC header stands in) at an odd
	 * length and an unaligned buffer */
	static const uint8_t aad[] = { 0xc3, 0x00, 0x00, 0x00, 0x01, 0x08, 0x83, 0x94 };
	uint8_t buf[64 + 1];
	uint8_t *odd = buf + 1;

	assert_int_equal(wc_AesGcmEncrypt(&aes, odd, pt, 61, iv, sizeof(iv), tag,
					  sizeof(tag), aad, sizeof(aad)), 0);
	assert_memory_not_equal(odd, pt, 61);
	assert_int_equal(wc_AesGcmDecrypt(&aes, back, odd, 61, iv, sizeof(iv), tag,
					  sizeof(tag), aad, sizeof(aad)), 0);
	assert_memory_equal(back, pt, 61);
	tag[0] ^= 1;
	assert_int_equal(wc_AesGcmDecrypt(&aes, back, odd, 61, iv, sizeof(iv), tag,
					  sizeof(tag), aad, sizeof(aad)), AES_GCM_AUTH_E);
	tag[0] ^= 1;
	odd[60] ^= 0x80;
	assert_int_equal(wc_AesGcmDecrypt(&aes, back, odd, 61, iv, sizeof(iv), tag,
					  sizeof(tag), aad, sizeof(aad)), AES_GCM_AUTH_E);
	wc_AesFree(&aes);
}

/* ---------------------------------------------------------------- (c) */

static void test_ctx_and_ssl_live_in_the_arena(void **state)
{
	uint32_t idle = pool_total_in_use();

	assert_int_equal(idle, 0);
	assert_int_equal(wolfSSL_Init(), WOLFSSL_SUCCESS);
	uint32_t inited = pool_total_in_use();

	WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfTLSv1_3_server_method());

	assert_non_null(ctx);
	uint32_t with_ctx = pool_total_in_use();

	assert_true(with_ctx > inited);
	assert_int_equal(wolfSSL_CTX_use_certificate_buffer(ctx, test_server_cert_der,
				sizeof(test_server_cert_der), WOLFSSL_FILETYPE_ASN1),
			 WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_use_PrivateKey_buffer(ctx, test_server_key_der,
				sizeof(test_server_key_der), WOLFSSL_FILETYPE_ASN1),
			 WOLFSSL_SUCCESS);

	WOLFSSL *ssl = wolfSSL_new(ctx);

	assert_non_null(ssl);
	assert_true(pool_total_in_use() > with_ctx);
	assert_true(arena_bytes_in_use() > 0);

	wolfSSL_free(ssl);
	wolfSSL_CTX_free(ctx);
	assert_int_equal(pool_total_in_use(), inited);
	assert_int_equal(wolfSSL_Cleanup(), WOLFSSL_SUCCESS);
	assert_int_equal(pool_total_in_use(), idle);
	assert_int_equal(arena_bytes_in_use(), 0);
	assert_int_equal(arena_stats()->failed, 0);
	assert_int_equal(arena_stats()->foreign, 0);
}

/* ---------------------------------------------------------------- (d) */

/* What the compiled library offers, asked at run time. */
static void test_suites_follow_config(void **state)
{
	static const struct { const char *name; bool on; } suites[] = {
		{ "TLS13-AES128-GCM-SHA256:", true },
		{ "TLS13-AES256-GCM-SHA384:", IS_ENABLED(CONFIG_CIPHER_AES_256_GCM) },
		{ "TLS13-CHACHA20-POLY1305-SHA256:", IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305) },
		{ "TLS13-AES128-CCM-SHA256:", IS_ENABLED(CONFIG_CIPHER_AES_128_CCM) },
	};
	char list[1024];

	assert_int_equal(wolfSSL_get_ciphers(list, sizeof(list) - 1), WOLFSSL_SUCCESS);
	strcat(list, ":"); /* every name now ends in ':' */
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		assert_int_equal(strstr(list, suites[i].name) != NULL, suites[i].on);
	/* TLS 1.3 only: no TLS 1.2 suite is compiled */
	assert_null(strstr(list, "ECDHE-"));

	/* 0-RTT: the early-data API exists only with CONFIG_QUIC_0RTT; a
	 * server context accepts a max_early_data there. */
#ifdef WOLFSSL_EARLY_DATA
	assert_int_equal(wolfSSL_Init(), WOLFSSL_SUCCESS);
	WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfTLSv1_3_server_method());

	assert_non_null(ctx);
	assert_int_equal(wolfSSL_CTX_set_max_early_data(ctx, 16384), WOLFSSL_SUCCESS);
	wolfSSL_CTX_free(ctx);
	assert_int_equal(wolfSSL_Cleanup(), WOLFSSL_SUCCESS);
#endif
}

/* ---------------------------------------------------------------- (e) */

#define LEVELS 4
#define SECRET_MAX 64

/* One side of the in-memory QUIC connection. The callbacks only copy
 * (DESIGN.md 4.3): decisions are made after wolfSSL returns. */
struct peer {
	WOLFSSL *ssl;
	uint8_t rd[LEVELS][SECRET_MAX], wr[LEVELS][SECRET_MAX];
	size_t rd_len[LEVELS], wr_len[LEVELS];
	uint8_t out[LEVELS][8192];
	size_t out_len[LEVELS];
	int alerts;
	bool overflow;
};

static struct peer peers[2];

static struct peer *peer_of(WOLFSSL *ssl)
{
	for (int i = 0; i < 2; i++)
		if (peers[i].ssl == ssl)
			return &peers[i];
	return NULL;
}

static int cb_secrets(WOLFSSL *ssl, WOLFSSL_ENCRYPTION_LEVEL level, const uint8_t *rd,
		      const uint8_t *wr, size_t len)
{
	struct peer *p = peer_of(ssl);

	if (!p || (unsigned)level >= LEVELS || len > SECRET_MAX)
		return 0;
	if (rd) {
		memcpy(p->rd[level], rd, len);
		p->rd_len[level] = len;
	}
	if (wr) {
		memcpy(p->wr[level], wr, len);
		p->wr_len[level] = len;
	}
	return 1;
}

static int cb_data(WOLFSSL *ssl, WOLFSSL_ENCRYPTION_LEVEL level, const uint8_t *data,
		   size_t len)
{
	struct peer *p = peer_of(ssl);

	if (!p || (unsigned)level >= LEVELS)
		return 0;
	if (p->out_len[level] + len > sizeof(p->out[level])) {
		p->overflow = true;
		return 0;
	}
	memcpy(p->out[level] + p->out_len[level], data, len);
	p->out_len[level] += len;
	return 1;
}

static int cb_flush(WOLFSSL *ssl)
{
	return 1;
}

static int cb_alert(WOLFSSL *ssl, WOLFSSL_ENCRYPTION_LEVEL level, uint8_t alert)
{
	struct peer *p = peer_of(ssl);

	if (p)
		p->alerts++;
	return 1;
}

static const WOLFSSL_QUIC_METHOD quic_method = {
	.set_encryption_secrets = cb_secrets,
	.add_handshake_data = cb_data,
	.flush_flight = cb_flush,
	.send_alert = cb_alert,
};

/* Hand everything `from` wrote to `to`, level by level. */
static void deliver(struct peer *from, struct peer *to)
{
	for (int l = 0; l < LEVELS; l++) {
		if (!from->out_len[l])
			continue;
		assert_int_equal(wolfSSL_provide_quic_data(to->ssl, (WOLFSSL_ENCRYPTION_LEVEL)l,
							   from->out[l], from->out_len[l]),
				 WOLFSSL_SUCCESS);
		from->out_len[l] = 0;
	}
}

/* quic_do_handshake: 1 when done, 0 when it wants more data. */
static int step(struct peer *p)
{
	int ret = wolfSSL_quic_do_handshake(p->ssl);

	if (ret == WOLFSSL_SUCCESS)
		return 1;
	assert_int_equal(wolfSSL_get_error(p->ssl, ret), WOLFSSL_ERROR_WANT_READ);
	return 0;
}

/* RFC 9000 transport parameters, different on each side so a swap shows. */
static const uint8_t client_tp[] = { 0x01, 0x02, 0x67, 0x10,   /* max_idle_timeout 10000 */
				     0x04, 0x04, 0x80, 0x10, 0x00, 0x00 }; /* initial_max_data 1 MiB */
static const uint8_t server_tp[] = { 0x01, 0x02, 0x47, 0xd0,   /* max_idle_timeout 2000 */
				     0x0e, 0x01, 0x04,             /* active_connection_id_limit 4 */
				     0x04, 0x02, 0x7f, 0xff };     /* initial_max_data 16383 */

static const struct suite {
	const char *name;
	uint16_t id;
	size_t secret_len;
	bool on;
} hs_suites[] = {
	{ "TLS13-AES128-GCM-SHA256", 0x1301, 32, true },
	{ "TLS13-AES256-GCM-SHA384", 0x1302, 48, IS_ENABLED(CONFIG_CIPHER_AES_256_GCM) },
	{ "TLS13-CHACHA20-POLY1305-SHA256", 0x1303, 32,
	  IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305) },
	{ "TLS13-AES128-CCM-SHA256", 0x1304, 32, IS_ENABLED(CONFIG_CIPHER_AES_128_CCM) },
};

struct ctx_pair {
	WOLFSSL_CTX *cl, *sv;
};

/* tern builds wolfSSL without its default ticket callback
 * (WOLFSSL_NO_DEF_TICKET_ENC_CB: quic/tls.c seals tickets itself), so
 * the test server brings one: AES-128-GCM under a fixed key, the key
 * name as associated data, a counter as nonce. */
static int test_ticket_cb(WOLFSSL *ssl, unsigned char name[WOLFSSL_TICKET_NAME_SZ],
			  unsigned char iv[WOLFSSL_TICKET_IV_SZ],
			  unsigned char mac[WOLFSSL_TICKET_MAC_SZ], int enc, unsigned char *buf,
			  int len, int *outlen, void *arg)
{
	static const byte key[16] = { 't', 'e', 's', 't', ' ', 't', 'i', 'c', 'k', 'e', 't' };
	static uint32_t counter;
	Aes aes;
	int ret;

	(void)ssl;
	(void)arg;
	if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0)
		return WOLFSSL_TICKET_RET_FATAL;
	ret = wc_AesGcmSetKey(&aes, key, sizeof(key));
	if (!ret && enc) {
		memset(name, 0x5a, WOLFSSL_TICKET_NAME_SZ);
		memset(iv, 0, WOLFSSL_TICKET_IV_SZ);
		counter++;
		memcpy(iv, &counter, sizeof(counter));
		memset(mac + 16, 0xa5, WOLFSSL_TICKET_MAC_SZ - 16);
		ret = wc_AesGcmEncrypt(&aes, buf, buf, (word32)len, iv, 12, mac, 16, name,
				       WOLFSSL_TICKET_NAME_SZ);
	} else if (!ret) {
		ret = wc_AesGcmDecrypt(&aes, buf, buf, (word32)len, iv, 12, mac, 16, name,
				       WOLFSSL_TICKET_NAME_SZ);
	}
	wc_AesFree(&aes);
	*outlen = len;
	return !ret ? WOLFSSL_TICKET_RET_OK : enc ? WOLFSSL_TICKET_RET_FATAL :
	       WOLFSSL_TICKET_RET_REJECT;
}

static void ctx_pair_new(struct ctx_pair *c, const struct suite *s)
{
	c->cl = wolfSSL_CTX_new(wolfTLSv1_3_client_method());
	c->sv = wolfSSL_CTX_new(wolfTLSv1_3_server_method());
	assert_non_null(c->cl);
	assert_non_null(c->sv);
	assert_int_equal(wolfSSL_CTX_set_quic_method(c->cl, &quic_method), WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_set_quic_method(c->sv, &quic_method), WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_use_certificate_buffer(c->sv, test_server_cert_der,
				sizeof(test_server_cert_der), WOLFSSL_FILETYPE_ASN1),
			 WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_use_PrivateKey_buffer(c->sv, test_server_key_der,
				sizeof(test_server_key_der), WOLFSSL_FILETYPE_ASN1),
			 WOLFSSL_SUCCESS);
	/* the client verifies the server's chain and name */
	assert_int_equal(wolfSSL_CTX_load_verify_buffer(c->cl, test_ca_der, sizeof(test_ca_der),
							WOLFSSL_FILETYPE_ASN1), WOLFSSL_SUCCESS);
	wolfSSL_CTX_set_verify(c->cl, WOLFSSL_VERIFY_PEER, NULL);
	assert_int_equal(wolfSSL_CTX_set_cipher_list(c->cl, s->name), WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_set_TicketEncCb(c->sv, test_ticket_cb), WOLFSSL_SUCCESS);
#ifdef WOLFSSL_EARLY_DATA
	/* tickets this server issues allow early data */
	assert_int_equal(wolfSSL_CTX_set_max_early_data(c->sv, 16384), WOLFSSL_SUCCESS);
#endif
}

static void ctx_pair_free(struct ctx_pair *c)
{
	wolfSSL_CTX_free(c->cl);
	wolfSSL_CTX_free(c->sv);
}

/* A client and a server connection, configured as tern will: SNI, ALPN h3,
 * transport parameters; the client resumes `sess` when given. */
static void conn_new(const struct ctx_pair *c, WOLFSSL_SESSION *sess)
{
	struct peer *cl = &peers[0], *sv = &peers[1];

	memset(peers, 0, sizeof(peers));
	cl->ssl = wolfSSL_new(c->cl);
	sv->ssl = wolfSSL_new(c->sv);
	assert_non_null(cl->ssl);
	assert_non_null(sv->ssl);
	assert_int_equal(wolfSSL_UseSNI(cl->ssl, WOLFSSL_SNI_HOST_NAME, "localhost", 9),
			 WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_check_domain_name(cl->ssl, "localhost"), WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_UseALPN(cl->ssl, (char *)"h3", 2,
					 WOLFSSL_ALPN_FAILED_ON_MISMATCH), WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_UseALPN(sv->ssl, (char *)"h3", 2,
					 WOLFSSL_ALPN_FAILED_ON_MISMATCH), WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_set_quic_transport_params(cl->ssl, client_tp, sizeof(client_tp)),
			 WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_set_quic_transport_params(sv->ssl, server_tp, sizeof(server_tp)),
			 WOLFSSL_SUCCESS);
	if (sess)
		assert_int_equal(wolfSSL_set_session(cl->ssl, sess), WOLFSSL_SUCCESS);
#ifdef WOLFSSL_EARLY_DATA
	/* 0-RTT needs both sides to opt in */
	wolfSSL_set_quic_early_data_enabled(cl->ssl, 1);
	wolfSSL_set_quic_early_data_enabled(sv->ssl, 1);
#endif
	wolfSSL_set_connect_state(cl->ssl);
	wolfSSL_set_accept_state(sv->ssl);
}

static void conn_free(void)
{
	wolfSSL_free(peers[0].ssl);
	wolfSSL_free(peers[1].ssl);
	memset(peers, 0, sizeof(peers));
}

/* Runs the handshake to completion and checks what both sides hold. */
static void conn_handshake(const struct suite *s, bool resumed)
{
	struct peer *cl = &peers[0], *sv = &peers[1];
	int cdone = 0, sdone = 0, rounds = 0;

	while (!(cdone && sdone)) {
		assert_true(++rounds < 10);
		if (!cdone)
			cdone = step(cl);
		deliver(cl, sv);
		if (!sdone)
			sdone = step(sv);
		deliver(sv, cl);
	}
	/* the server's NewSessionTicket arrives after the handshake */
	assert_int_equal(wolfSSL_process_quic_post_handshake(cl->ssl), WOLFSSL_SUCCESS);
	assert_int_equal(cl->alerts + sv->alerts, 0);
	assert_false(cl->overflow || sv->overflow);
	assert_int_equal(wolfSSL_session_reused(cl->ssl), resumed);
	assert_int_equal(wolfSSL_session_reused(sv->ssl), resumed);

	/* the suite asked for */
	assert_int_equal(wolfSSL_get_current_cipher_suite(cl->ssl), s->id);
	assert_int_equal(wolfSSL_get_current_cipher_suite(sv->ssl), s->id);

	/* handshake and application secrets on both sides, each direction
	 * matching the peer's opposite one */
	static const int levels[] = { wolfssl_encryption_handshake,
				      wolfssl_encryption_application };
	for (size_t i = 0; i < 2; i++) {
		int l = levels[i];

		assert_int_equal(cl->wr_len[l], s->secret_len);
		assert_int_equal(cl->rd_len[l], s->secret_len);
		assert_int_equal(sv->wr_len[l], s->secret_len);
		assert_int_equal(sv->rd_len[l], s->secret_len);
		assert_memory_equal(cl->wr[l], sv->rd[l], s->secret_len);
		assert_memory_equal(sv->wr[l], cl->rd[l], s->secret_len);
		assert_memory_not_equal(cl->wr[l], cl->rd[l], s->secret_len);
	}

	/* Early data: only on a resumed connection, only with
	 * CONFIG_QUIC_0RTT; then the client's early write secret is the
	 * server's early read secret. */
	int e = wolfssl_encryption_early_data;

	if (IS_ENABLED(CONFIG_QUIC_0RTT) && resumed) {
		assert_int_equal(cl->wr_len[e], s->secret_len);
		assert_int_equal(sv->rd_len[e], s->secret_len);
		assert_memory_equal(cl->wr[e], sv->rd[e], s->secret_len);
	} else {
		assert_int_equal(cl->wr_len[e], 0);
		assert_int_equal(sv->rd_len[e], 0);
	}
#ifdef WOLFSSL_EARLY_DATA
	int want = resumed ? WOLFSSL_EARLY_DATA_ACCEPTED : WOLFSSL_EARLY_DATA_NOT_SENT;

	assert_int_equal(wolfSSL_get_early_data_status(cl->ssl), want);
	assert_int_equal(wolfSSL_get_early_data_status(sv->ssl), want);
#endif

	/* ALPN h3 on both sides */
	char *proto;
	unsigned short plen;

	assert_int_equal(wolfSSL_ALPN_GetProtocol(cl->ssl, &proto, &plen), WOLFSSL_SUCCESS);
	assert_int_equal(plen, 2);
	assert_memory_equal(proto, "h3", 2);
	assert_int_equal(wolfSSL_ALPN_GetProtocol(sv->ssl, &proto, &plen), WOLFSSL_SUCCESS);
	assert_int_equal(plen, 2);
	assert_memory_equal(proto, "h3", 2);

	/* each side holds the other's transport parameters */
	const uint8_t *tp;
	size_t tplen;

	wolfSSL_get_peer_quic_transport_params(cl->ssl, &tp, &tplen);
	assert_int_equal(tplen, sizeof(server_tp));
	assert_memory_equal(tp, server_tp, sizeof(server_tp));
	wolfSSL_get_peer_quic_transport_params(sv->ssl, &tp, &tplen);
	assert_int_equal(tplen, sizeof(client_tp));
	assert_memory_equal(tp, client_tp, sizeof(client_tp));
}

/* A full handshake, then a resumed one from its ticket (with 0-RTT when
 * configured); every arena block comes back after the frees. */
static void quic_handshake(const struct suite *s)
{
	uint32_t idle = pool_total_in_use();
	struct ctx_pair c;

	assert_int_equal(wolfSSL_Init(), WOLFSSL_SUCCESS);
	ctx_pair_new(&c, s);

	conn_new(&c, NULL);
	conn_handshake(s, false);
	WOLFSSL_SESSION *sess = wolfSSL_get1_session(peers[0].ssl);

	assert_non_null(sess);
	assert_true(pool_total_in_use() > idle);
	conn_free();

	conn_new(&c, sess);
	conn_handshake(s, true);
	conn_free();
	wolfSSL_SESSION_free(sess);

	assert_int_equal(arena_stats()->failed, 0);
	ctx_pair_free(&c);
	assert_int_equal(wolfSSL_Cleanup(), WOLFSSL_SUCCESS);
	assert_int_equal(pool_total_in_use(), idle);
	assert_int_equal(arena_bytes_in_use(), 0);
	assert_int_equal(arena_stats()->foreign, 0);
}

static void test_quic_handshake_every_suite(void **state)
{
	int ran = 0;

	for (size_t i = 0; i < sizeof(hs_suites) / sizeof(hs_suites[0]); i++) {
		if (!hs_suites[i].on)
			continue;
		quic_handshake(&hs_suites[i]);
		ran++;
	}
	assert_int_equal(ran, 1 + IS_ENABLED(CONFIG_CIPHER_AES_256_GCM) +
			      IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305) +
			      IS_ENABLED(CONFIG_CIPHER_AES_128_CCM));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		WOLF_TEST(test_sha256_kat),
		WOLF_TEST(test_hkdf_rfc5869_case1),
		WOLF_TEST(test_aes128gcm_seal_open),
		WOLF_TEST(test_ctx_and_ssl_live_in_the_arena),
		WOLF_TEST(test_suites_follow_config),
		WOLF_TEST(test_quic_handshake_every_suite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
