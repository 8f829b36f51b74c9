/* quic/token: stateless reset tokens and address validation tokens. */
#include <string.h>

#include "unit.h"
#include "crypto/crypto.h"
#include "quic/token.h"

static const uint8_t secret_a[QUIC_TOKEN_SECRET_LEN] = { 1, 2, 3 };
static const uint8_t secret_b[QUIC_TOKEN_SECRET_LEN] = { 1, 2, 4 };
static const uint8_t addr4[6] = { 127, 0, 0, 1, 0x11, 0x51 };
static const uint8_t addr4_other_port[6] = { 127, 0, 0, 1, 0x11, 0x52 };
static const uint8_t nonce[QUIC_TOKEN_NONCE_LEN] = { 9, 8, 7 };

static struct quic_token_key ka, ka2, kb;

static int setup(void **state)
{
	assert_int_equal(quic_token_key_init(&ka, secret_a), 0);
	assert_int_equal(quic_token_key_init(&ka2, secret_a), 0);
	assert_int_equal(quic_token_key_init(&kb, secret_b), 0);
	return unit_pools_setup(state);
}

static int teardown(void **state)
{
	quic_token_key_deinit(&ka);
	quic_token_key_deinit(&ka2);
	quic_token_key_deinit(&kb);
	return unit_pools_teardown(state);
}

#define TOKEN_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

static struct quic_cid cid(const char *s)
{
	struct quic_cid c = { .len = (uint8_t)strlen(s) };

	memcpy(c.b, s, c.len);
	return c;
}

/* every instance with the same secret derives the same token for a CID;
 * another CID or another secret gives another one */
static void test_reset_token(void **state)
{
	struct quic_cid c1 = cid("abcdefgh"), c2 = cid("abcdefgi"), empty = { 0 };
	uint8_t t1[16], t1b[16], t2[16], tb[16], te[16];

	assert_int_equal(quic_reset_token(&ka, &c1, t1), 0);
	assert_int_equal(quic_reset_token(&ka2, &c1, t1b), 0);
	assert_int_equal(quic_reset_token(&ka, &c2, t2), 0);
	assert_int_equal(quic_reset_token(&kb, &c1, tb), 0);
	assert_int_equal(quic_reset_token(&ka, &empty, te), 0);
	assert_memory_equal(t1, t1b, 16);
	assert_memory_not_equal(t1, t2, 16);
	assert_memory_not_equal(t1, tb, 16);
	assert_memory_not_equal(t1, te, 16);
}

static void test_retry_token_round_trip(void **state)
{
	struct quic_cid odcid = cid("original-dcid"), rscid = cid("retry-scid"), o, s;
	enum quic_token_kind kind;
	uint8_t tok[QUIC_TOKEN_MAX_LEN];
	size_t n = quic_token_make(&ka, QUIC_TOKEN_RETRY, nonce, addr4, sizeof(addr4), 1000,
				   &odcid, &rscid, tok, sizeof(tok));

	assert_int_not_equal(n, 0);
	assert_true(n <= QUIC_TOKEN_MAX_LEN);
	/* another instance with the same secret accepts it */
	assert_int_equal(quic_token_check(&ka2, tok, n, addr4, sizeof(addr4), 999, &kind, &o, &s),
			 0);
	assert_int_equal(kind, QUIC_TOKEN_RETRY);
	assert_int_equal(o.len, odcid.len);
	assert_memory_equal(o.b, odcid.b, o.len);
	assert_int_equal(s.len, rscid.len);
	assert_memory_equal(s.b, rscid.b, s.len);
	/* expired (at the expiry instant), another address, another secret */
	assert_int_equal(quic_token_check(&ka, tok, n, addr4, sizeof(addr4), 1000, &kind, &o, &s),
			 -1);
	assert_int_equal(quic_token_check(&ka, tok, n, addr4_other_port, sizeof(addr4), 1,
					  &kind, &o, &s), -1);
	assert_int_equal(quic_token_check(&kb, tok, n, addr4, sizeof(addr4), 1, &kind, &o, &s),
			 -1);
	/* every single-bit change and every truncation is refused */
	for (size_t i = 0; i < n * 8; i++) {
		tok[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(quic_token_check(&ka, tok, n, addr4, sizeof(addr4), 1, &kind,
						  &o, &s), -1);
		tok[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	for (size_t len = 0; len < n; len++)
		assert_int_equal(quic_token_check(&ka, tok, len, addr4, sizeof(addr4), 1, &kind,
						  &o, &s), -1);
	assert_int_equal(quic_token_check(&ka, tok, n, addr4, sizeof(addr4), 1, &kind, &o, &s), 0);
}

static void test_new_token(void **state)
{
	struct quic_cid o = cid("x"), s = cid("y"), odcid = cid("zz");
	enum quic_token_kind kind = QUIC_TOKEN_RETRY;
	uint8_t tok[QUIC_TOKEN_MAX_LEN];
	size_t n = quic_token_make(&ka, QUIC_TOKEN_NEW, nonce, addr4, sizeof(addr4), 50, NULL,
				   NULL, tok, sizeof(tok));

	assert_int_not_equal(n, 0);
	assert_int_equal(quic_token_check(&ka, tok, n, addr4, sizeof(addr4), 49, &kind, &o, &s), 0);
	assert_int_equal(kind, QUIC_TOKEN_NEW);
	assert_int_equal(o.len, 0);
	assert_int_equal(s.len, 0);
	/* relabelled as a Retry token: the kind is authenticated */
	tok[0] = QUIC_TOKEN_RETRY;
	assert_int_equal(quic_token_check(&ka, tok, n, addr4, sizeof(addr4), 1, &kind, &o, &s), -1);
	/* a NEW token carries no CIDs; a Retry token must */
	assert_int_equal(quic_token_make(&ka, QUIC_TOKEN_NEW, nonce, addr4, sizeof(addr4), 50,
					 &odcid, &odcid, tok, sizeof(tok)), 0);
	assert_int_equal(quic_token_make(&ka, QUIC_TOKEN_RETRY, nonce, addr4, sizeof(addr4), 50,
					 NULL, NULL, tok, sizeof(tok)), 0);
	/* no room */
	assert_int_equal(quic_token_make(&ka, QUIC_TOKEN_NEW, nonce, addr4, sizeof(addr4), 50,
					 NULL, NULL, tok, 20), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TOKEN_TEST(test_reset_token),
		TOKEN_TEST(test_retry_token_round_trip),
		TOKEN_TEST(test_new_token),
	};

	return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
