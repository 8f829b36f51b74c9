/* quic/tls: client and server quic_tls objects complete the TLS 1.3
 * handshake by exchanging CRYPTO bytes level by level (no packets):
 * secrets agree crosswise at every level, the suite is the one offered,
 * ALPN is h3, transport parameters arrive intact, and a corrupted flight
 * fails with a CRYPTO_ERROR. Every arena block comes back. */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>

#include "unit.h"
#include "crypto/crypto.h"
#include "data/test_cert.h"
#include "quic/tls.h"
#include "tls_side.h"

static struct side sides[2];
static struct quic_tls_ctx sv_ctx, cl_ctx;




/* Run both sides until neither has anything to say. 0 when both
 * completed, else the failing side's error. */
static int run(struct side *cl, struct side *sv, bool corrupt)
{
	assert_int_equal(quic_tls_advance(&cl->t), 0);  /* ClientHello */
	for (int round = 0; round < 10; round++) {
		take_secrets(cl);
		size_t moved = side_deliver(cl, sv, false);

		if (quic_tls_advance(&sv->t) != 0)
			return sv->t.error;
		take_secrets(sv);
		moved += side_deliver(sv, cl, corrupt && round == 0);
		if (quic_tls_advance(&cl->t) != 0)
			return cl->t.error;
		if (!moved && cl->t.complete && sv->t.complete)
			return 0;
	}
	fail_msg("handshake did not settle");
	return -1;
}

static void ctx_pair(const char *client_suites)
{
	assert_int_equal(quic_tls_ctx_init_server(&sv_ctx, test_server_cert_der,
						  sizeof(test_server_cert_der), test_server_key_der,
						  sizeof(test_server_key_der)), 0);
	assert_int_equal(quic_tls_ctx_init_client(&cl_ctx, test_ca_der, sizeof(test_ca_der)), 0);
	if (client_suites)
		assert_int_equal(wolfSSL_CTX_set_cipher_list(cl_ctx.wolf, client_suites),
				 WOLFSSL_SUCCESS);
}

static void ctx_pair_free(void)
{
	quic_tls_deinit(&sides[0].t);
	quic_tls_deinit(&sides[1].t);
	quic_tls_ctx_deinit(&cl_ctx);
	quic_tls_ctx_deinit(&sv_ctx);
}

static void check_agree(const struct side *cl, const struct side *sv, enum quic_level l)
{
	/* the client's write secret is the server's read secret, and back */
	assert_int_not_equal(cl->secret_len[l][QUIC_TLS_TX], 0);
	assert_int_equal(cl->secret_len[l][QUIC_TLS_TX], sv->secret_len[l][QUIC_TLS_RX]);
	assert_memory_equal(cl->secret[l][QUIC_TLS_TX], sv->secret[l][QUIC_TLS_RX],
			    cl->secret_len[l][QUIC_TLS_TX]);
	assert_int_equal(cl->secret_len[l][QUIC_TLS_RX], sv->secret_len[l][QUIC_TLS_TX]);
	assert_memory_equal(cl->secret[l][QUIC_TLS_RX], sv->secret[l][QUIC_TLS_TX],
			    cl->secret_len[l][QUIC_TLS_RX]);
}

static void test_handshake_every_suite(void **state)
{
	static const struct { const char *name; enum crypto_aead alg; } suites[] = {
		{ "TLS13-AES128-GCM-SHA256", CRYPTO_AES_128_GCM },
		{ "TLS13-AES256-GCM-SHA384", CRYPTO_AES_256_GCM },
		{ "TLS13-CHACHA20-POLY1305-SHA256", CRYPTO_CHACHA20_POLY1305 },
		{ "TLS13-AES128-CCM-SHA256", CRYPTO_AES_128_CCM },
	};
	struct side *cl = &sides[0], *sv = &sides[1];

	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		size_t n;
		const uint8_t *tp;

		if (!crypto_aead_enabled(suites[i].alg))
			continue;
		ctx_pair(suites[i].name);
		side_init(cl, &cl_ctx, "client-tp");
		side_init(sv, &sv_ctx, "server-transport-params");
		assert_int_equal(run(cl, sv, false), 0);
		assert_int_equal(quic_tls_aead(&cl->t), suites[i].alg);
		assert_int_equal(quic_tls_aead(&sv->t), suites[i].alg);
		check_agree(cl, sv, QUIC_LEVEL_HANDSHAKE);
		check_agree(cl, sv, QUIC_LEVEL_APP);
		assert_int_equal(cl->secret_len[QUIC_LEVEL_APP][QUIC_TLS_TX],
				 crypto_hash_len(crypto_aead_hash(suites[i].alg)));
		assert_true(quic_tls_alpn_h3(&cl->t));
		assert_true(quic_tls_alpn_h3(&sv->t));
		tp = quic_tls_peer_tp(&sv->t, &n);
		assert_int_equal(n, strlen("client-tp"));
		assert_memory_equal(tp, "client-tp", n);
		tp = quic_tls_peer_tp(&cl->t, &n);
		assert_int_equal(n, strlen("server-transport-params"));
		assert_memory_equal(tp, "server-transport-params", n);
		/* nothing waits: every secret taken, every byte sent */
		assert_int_equal(cl->t.fresh | sv->t.fresh, 0);
		ctx_pair_free();
	}
}

/* A flipped bit in the server's Handshake flight: the client fails the
 * handshake with a CRYPTO_ERROR (0x100 + a TLS alert), RFC 9001 4.8. */
static void test_corrupt_flight_fails(void **state)
{
	struct side *cl = &sides[0], *sv = &sides[1];
	int err;

	ctx_pair(NULL);
	side_init(cl, &cl_ctx, "c");
	side_init(sv, &sv_ctx, "s");
	err = run(cl, sv, true);
	assert_in_range(err, QUIC_CRYPTO_ERROR + 1, QUIC_CRYPTO_ERROR + 0xff);
	assert_false(cl->t.complete);
	ctx_pair_free();
}

/* A client that trusts nothing we signed fails on the certificate. */
static void test_untrusted_server_fails(void **state)
{
	struct side *cl = &sides[0], *sv = &sides[1];

	assert_int_equal(quic_tls_ctx_init_server(&sv_ctx, test_server_cert_der,
						  sizeof(test_server_cert_der), test_server_key_der,
						  sizeof(test_server_key_der)), 0);
	/* the server's own certificate is no CA for itself */
	assert_int_equal(quic_tls_ctx_init_client(&cl_ctx, test_server_cert_der,
						  sizeof(test_server_cert_der)), 0);
	side_init(cl, &cl_ctx, "c");
	side_init(sv, &sv_ctx, "s");
	assert_in_range(run(cl, sv, false), QUIC_CRYPTO_ERROR + 1, QUIC_CRYPTO_ERROR + 0xff);
	ctx_pair_free();
}

/* A key that does not match the certificate, a truncated certificate and
 * a key that is no key are refused at start, each with its own reason. */
static void test_bad_server_key(void **state)
{
	uint8_t key[sizeof(test_server_key_der)];

	memcpy(key, test_server_key_der, sizeof(key));
	key[40] ^= 0x01;  /* in the private scalar (PKCS#8 EC key, offset 36..67) */
	assert_int_equal(quic_tls_ctx_init_server(&sv_ctx, test_server_cert_der,
						  sizeof(test_server_cert_der), key, sizeof(key)),
			 QUIC_TLS_E_KEY_MISMATCH);
	assert_null(sv_ctx.wolf);
	assert_int_equal(quic_tls_ctx_init_server(&sv_ctx, test_server_cert_der, 10,
						  test_server_key_der,
						  sizeof(test_server_key_der)), QUIC_TLS_E_CERT);
	assert_null(sv_ctx.wolf);
	assert_int_equal(quic_tls_ctx_init_server(&sv_ctx, test_server_cert_der,
						  sizeof(test_server_cert_der), key, 10),
			 QUIC_TLS_E_KEY);
	assert_null(sv_ctx.wolf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_handshake_every_suite),
		UNIT_TEST(test_corrupt_flight_fails),
		UNIT_TEST(test_untrusted_server_fails),
		UNIT_TEST(test_bad_server_key),
	};

	return cmocka_run_group_tests_name("tls", tests, NULL, NULL);
}
