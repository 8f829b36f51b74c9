/* crypto/crypto.h on the backend this build links (DESIGN.md 4.6): suite
 * properties, HKDF known answers, one known answer per AEAD, in-place
 * round trips for every enabled suite at every length to 64 then a stride
 * to 1500 and every buffer alignment 0..15, tamper tests, batched
 * header-protection masks equal single ones, wiping on deinit.
 * The RFC 9001/9369 packet vectors are in test_protect.c. */
#include <string.h>

#include "unit.h"
#include "unit_crypto.h"
#include "crypto/crypto.h"

static const enum crypto_aead all_algs[] = {
	CRYPTO_AES_128_GCM, CRYPTO_AES_256_GCM, CRYPTO_CHACHA20_POLY1305, CRYPTO_AES_128_CCM,
};
#define N_ALGS (sizeof(all_algs) / sizeof(all_algs[0]))

/* deterministic test bytes (xorshift32) */
static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)(x >> 24);
	}
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* ---------------------------------------------------------------- properties */

static void test_suite_properties(void **state)
{
	assert_true(crypto_aead_enabled(CRYPTO_AES_128_GCM));
	assert_int_equal(crypto_aead_enabled(CRYPTO_AES_256_GCM),
			 IS_ENABLED(CONFIG_CIPHER_AES_256_GCM));
	assert_int_equal(crypto_aead_enabled(CRYPTO_CHACHA20_POLY1305),
			 IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305));
	assert_int_equal(crypto_aead_enabled(CRYPTO_AES_128_CCM),
			 IS_ENABLED(CONFIG_CIPHER_AES_128_CCM));
	assert_false(crypto_aead_enabled(CRYPTO_AEAD_NONE));

	assert_int_equal(crypto_aead_keylen(CRYPTO_AES_128_GCM), 16);
	assert_int_equal(crypto_aead_hash(CRYPTO_AES_128_GCM), CRYPTO_SHA256);
	assert_int_equal(crypto_hash_len(CRYPTO_SHA256), 32);
	assert_int_equal(crypto_aead_keylen(CRYPTO_AEAD_NONE), 0);
	assert_int_equal(crypto_aead_hash(CRYPTO_AEAD_NONE), CRYPTO_HASH_NONE);
	assert_int_equal(crypto_hash_len(CRYPTO_HASH_NONE), 0);
	if (IS_ENABLED(CONFIG_CIPHER_AES_256_GCM)) {
		assert_int_equal(crypto_aead_keylen(CRYPTO_AES_256_GCM), 32);
		assert_int_equal(crypto_aead_hash(CRYPTO_AES_256_GCM), CRYPTO_SHA384);
		assert_int_equal(crypto_hash_len(CRYPTO_SHA384), 48);
	}
	if (IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305)) {
		assert_int_equal(crypto_aead_keylen(CRYPTO_CHACHA20_POLY1305), 32);
		assert_int_equal(crypto_aead_hash(CRYPTO_CHACHA20_POLY1305), CRYPTO_SHA256);
	}
	if (IS_ENABLED(CONFIG_CIPHER_AES_128_CCM)) {
		assert_int_equal(crypto_aead_keylen(CRYPTO_AES_128_CCM), 16);
		assert_int_equal(crypto_aead_hash(CRYPTO_AES_128_CCM), CRYPTO_SHA256);
	}
}

/* A suite that is not built cannot be keyed; a wrong key length neither. */
static void test_init_rejects(void **state)
{
	static struct crypto_aead_ctx a;
	static struct crypto_hp_ctx h;
	uint8_t key[32] = { 1 };

	for (size_t i = 0; i < N_ALGS; i++) {
		enum crypto_aead alg = all_algs[i];
		size_t kl = crypto_aead_enabled(alg) ? crypto_aead_keylen(alg) : 16;

		assert_int_equal(crypto_aead_init(&a, alg, key, kl), crypto_aead_enabled(alg) ? 0 : -1);
		crypto_aead_deinit(&a);
		assert_int_equal(crypto_hp_init(&h, alg, key, kl), crypto_aead_enabled(alg) ? 0 : -1);
		crypto_hp_deinit(&h);
		assert_int_equal(crypto_aead_init(&a, alg, key, kl + 1), -1);
		assert_int_equal(crypto_hp_init(&h, alg, key, kl - 1), -1);
	}
	assert_int_equal(crypto_aead_init(&a, CRYPTO_AEAD_NONE, key, 16), -1);
}

/* deinit leaves nothing of the key behind, and a wiped context seals
 * nothing */
static void test_deinit_wipes(void **state)
{
	static struct crypto_aead_ctx a;
	static struct crypto_hp_ctx h;
	uint8_t key[32], nonce[12] = { 0 }, buf[8] = { 0 }, tag[16];

	fill(key, sizeof(key), 7);
	for (size_t i = 0; i < N_ALGS; i++) {
		enum crypto_aead alg = all_algs[i];

		if (!crypto_aead_enabled(alg))
			continue;
		assert_int_equal(crypto_aead_init(&a, alg, key, crypto_aead_keylen(alg)), 0);
		assert_int_equal(crypto_hp_init(&h, alg, key, crypto_aead_keylen(alg)), 0);
		assert_false(all_zero(&a, sizeof(a)));
		crypto_aead_deinit(&a);
		crypto_hp_deinit(&h);
		assert_true(all_zero(&a, sizeof(a)));
		assert_true(all_zero(&h, sizeof(h)));
		assert_int_equal(crypto_aead_seal(&a, nonce, NULL, 0, buf, sizeof(buf), tag), -1);
		crypto_aead_deinit(&a);  /* idempotent */
	}
}

static void test_equal_and_wipe(void **state)
{
	uint8_t a[33], b[33];

	fill(a, sizeof(a), 3);
	memcpy(b, a, sizeof(b));
	assert_true(crypto_equal(a, b, sizeof(a)));
	assert_true(crypto_equal(a, b, 0));
	b[32] ^= 0x80;
	assert_false(crypto_equal(a, b, sizeof(a)));
	crypto_wipe(a, sizeof(a));
	assert_true(all_zero(a, sizeof(a)));
}

/* ---------------------------------------------------------------- HKDF */

static void test_hkdf_rfc5869(void **state)
{
	/* RFC 5869 A.1 (salt, info) and A.3 (no salt, no info), SHA-256 */
	uint8_t ikm[22], salt[13], info[10], prk[32], okm[42], want[42];

	memset(ikm, 0x0b, sizeof(ikm));
	for (unsigned i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)i;
	for (unsigned i = 0; i < sizeof(info); i++)
		info[i] = (uint8_t)(0xf0 + i);

	assert_int_equal(crypto_hkdf_extract(CRYPTO_SHA256, salt, sizeof(salt), ikm, sizeof(ikm), prk), 0);
	unit_unhex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", want, 32);
	assert_memory_equal(prk, want, 32);
	assert_int_equal(crypto_hkdf_expand(CRYPTO_SHA256, prk, 32, info, sizeof(info), okm, 42), 0);
	unit_unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
		   "34007208d5b887185865", want, 42);
	assert_memory_equal(okm, want, 42);

	assert_int_equal(crypto_hkdf_extract(CRYPTO_SHA256, NULL, 0, ikm, sizeof(ikm), prk), 0);
	unit_unhex("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04", want, 32);
	assert_memory_equal(prk, want, 32);
	assert_int_equal(crypto_hkdf_expand(CRYPTO_SHA256, prk, 32, NULL, 0, okm, 42), 0);
	unit_unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
		   "9d201395faa4b61a96c8", want, 42);
	assert_memory_equal(okm, want, 42);

	/* longer than 255 blocks is not HKDF */
	assert_int_equal(crypto_hkdf_expand(CRYPTO_SHA256, prk, 32, NULL, 0, okm, 255 * 32 + 1), -1);
	assert_int_equal(crypto_hkdf_extract(CRYPTO_HASH_NONE, salt, 1, ikm, 1, prk), -1);
}

/* The HkdfLabel framing: RFC 9001 A.1 lists the label bytes QUIC's
 * Expand-Label calls produce; Expand-Label must equal Expand over them. */
static void test_hkdf_expand_label_framing(void **state)
{
	static const struct { const char *label, *info; size_t len; } labels[] = {
		{ "client in", "00200f746c73313320636c69656e7420696e00", 32 },
		{ "server in", "00200f746c7331332073657276657220696e00", 32 },
		{ "quic key", "00100e746c7331332071756963206b657900", 16 },
		{ "quic iv", "000c0d746c733133207175696320697600", 12 },
		{ "quic hp", "00100d746c733133207175696320687000", 16 },
		/* RFC 9369 A.1 */
		{ "quicv2 key", "001010746c73313320717569637632206b657900", 16 },
		{ "quicv2 iv", "000c0f746c7331332071756963763220697600", 12 },
		{ "quicv2 hp", "00100f746c7331332071756963763220687000", 16 },
	};
	uint8_t secret[32], info[64], a[32], b[32];

	fill(secret, sizeof(secret), 11);
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		size_t infolen = unit_unhex(labels[i].info, info, sizeof(info));

		assert_int_equal(crypto_hkdf_expand_label(CRYPTO_SHA256, secret, 32, labels[i].label,
							  strlen(labels[i].label), NULL, 0,
							  a, labels[i].len), 0);
		assert_int_equal(crypto_hkdf_expand(CRYPTO_SHA256, secret, 32, info, infolen,
						    b, labels[i].len), 0);
		assert_memory_equal(a, b, labels[i].len);
	}
	/* limits of the HkdfLabel struct */
	assert_int_equal(crypto_hkdf_expand_label(CRYPTO_SHA256, secret, 32, "x", 250, NULL, 0,
						  a, 16), -1);
	assert_int_equal(crypto_hkdf_expand_label(CRYPTO_SHA256, secret, 32, "x", 1, secret, 256,
						  a, 16), -1);
}

/* SHA-384 (TLS_AES_256_GCM_SHA384's key schedule), with a context.
 * Oracle: Python's cryptography 38 (HMAC-SHA384, HKDFExpand). */
static void test_hkdf_sha384(void **state)
{
	uint8_t salt[13], ikm[48], prk[48], okm[48], want[48];

	for (unsigned i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)i;
	for (unsigned i = 0; i < sizeof(ikm); i++)
		ikm[i] = (uint8_t)(0x20 + i);
	if (!IS_ENABLED(CONFIG_CIPHER_AES_256_GCM)) {
		assert_int_equal(crypto_hkdf_extract(CRYPTO_SHA384, salt, sizeof(salt), ikm,
						     sizeof(ikm), prk), -1);
		skip();
	}
	assert_int_equal(crypto_hkdf_extract(CRYPTO_SHA384, salt, sizeof(salt), ikm, sizeof(ikm), prk), 0);
	unit_unhex("c29e824f2ba0669305d61bd3138ea0b3d76a9a9d84db021ef78806ee4e7aadb8"
		   "cf9ba423c4b69526b16621e7da94ce4b", want, 48);
	assert_memory_equal(prk, want, 48);
	assert_int_equal(crypto_hkdf_expand_label(CRYPTO_SHA384, prk, 48, "quic ku", 7,
						  (const uint8_t *)"ctxt", 4, okm, 48), 0);
	unit_unhex("83c566a3567c819c460f275e4ea8d826087d2ceac5b1b7c74f72671e211c9123"
		   "4d60f854adb217435b2e5ba45a65393a", want, 48);
	assert_memory_equal(okm, want, 48);
}

/* ---------------------------------------------------------------- AEAD */

/* One known answer per suite: key 40..5f (truncated to the key length),
 * nonce a0..ab, AAD c0..d3, plaintext p[i] = 7i + 3 (37 bytes); expected
 * ciphertext || tag from Python's cryptography 38 (OpenSSL). */
static void test_aead_known_answers(void **state)
{
	static const struct { enum crypto_aead alg; const char *ct_tag; } kat[] = {
		{ CRYPTO_AES_128_GCM,
		  "15626d2acd70a8e620d8bda68094f02d5120bb4d93d31c34bdbad92f2db93e8341c3284f18"
		  "b444ae9cbb39b0076d9bb9a75b1da462" },
		{ CRYPTO_AES_256_GCM,
		  "d4851727fdcdb119422d08aedee2559a9c6d744f63f91889496e575a2e0cab24b97d83bb3f"
		  "efec89acf79980973b2a9da36975b1fd" },
		{ CRYPTO_CHACHA20_POLY1305,
		  "afcbcaf467cf45a74c32d76d8c629d4dc24e431553447882618d5bcd23d1f1a3d0e7af194b"
		  "819e9892e748b41b0cb252ebb19497d2" },
		{ CRYPTO_AES_128_CCM,
		  "af26429cb91be62003761e86691cff3a065a133e0edfe624dc050a7f657cd275c44eca6bb4"
		  "47ff14ba88ed034f005142345b9ca28d" },
	};
	static struct crypto_aead_ctx ctx;
	uint8_t key[32], nonce[12], aad[20], pt[37], buf[37], tag[16], want[37 + 16];

	for (unsigned i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x40 + i);
	for (unsigned i = 0; i < 12; i++)
		nonce[i] = (uint8_t)(0xa0 + i);
	for (unsigned i = 0; i < 20; i++)
		aad[i] = (uint8_t)(0xc0 + i);
	for (unsigned i = 0; i < 37; i++)
		pt[i] = (uint8_t)(7 * i + 3);

	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		if (!crypto_aead_enabled(kat[i].alg))
			continue;
		assert_int_equal(unit_unhex(kat[i].ct_tag, want, sizeof(want)), sizeof(want));
		assert_int_equal(crypto_aead_init(&ctx, kat[i].alg, key, crypto_aead_keylen(kat[i].alg)), 0);
		memcpy(buf, pt, sizeof(pt));
		assert_int_equal(crypto_aead_seal(&ctx, nonce, aad, sizeof(aad), buf, sizeof(buf), tag), 0);
		assert_memory_equal(buf, want, sizeof(buf));
		assert_memory_equal(tag, want + sizeof(buf), 16);
		assert_int_equal(crypto_aead_open(&ctx, nonce, aad, sizeof(aad), buf, sizeof(buf), tag), 0);
		assert_memory_equal(buf, pt, sizeof(pt));
		crypto_aead_deinit(&ctx);
	}
}

#define RT_MAX   1500
#define RT_ALIGN 16

static size_t next_len(size_t len)
{
	/* every length to 64, then a stride that still hits odd and
	 * block-crossing lengths, and 1500 itself */
	if (len < 64)
		return len + 1;
	if (len < RT_MAX && len + 37 > RT_MAX)
		return RT_MAX;
	return len + 37;
}

/* Seal and open in place at every alignment: the ciphertext and tag do
 * not depend on where the buffer sits, and open gives the plaintext back. */
static void roundtrip_suite(enum crypto_aead alg, unsigned *count)
{
	static struct crypto_aead_ctx ctx;
	static uint8_t pt[RT_MAX], ref[RT_MAX], space[RT_MAX + RT_ALIGN + 16];
	uint8_t key[32], nonce[12], aad[48], tag[16], ref_tag[16];

	fill(key, sizeof(key), alg);
	assert_int_equal(crypto_aead_init(&ctx, alg, key, crypto_aead_keylen(alg)), 0);
	for (size_t len = 0; len <= RT_MAX; len = next_len(len)) {
		size_t aadlen = len % sizeof(aad);

		fill(pt, len, (uint32_t)len);
		fill(nonce, sizeof(nonce), (uint32_t)len + 1000);
		fill(aad, sizeof(aad), (uint32_t)len + 2000);
		for (unsigned align = 0; align < RT_ALIGN; align++) {
			uint8_t *buf = space + align;

			memcpy(buf, pt, len);
			assert_int_equal(crypto_aead_seal(&ctx, nonce, aad, aadlen, buf, len, tag), 0);
			if (align == 0) {
				memcpy(ref, buf, len);
				memcpy(ref_tag, tag, 16);
				if (len >= 8)
					assert_memory_not_equal(buf, pt, len);
			} else {
				assert_memory_equal(buf, ref, len);
				assert_memory_equal(tag, ref_tag, 16);
			}
			assert_int_equal(crypto_aead_open(&ctx, nonce, aad, aadlen, buf, len, tag), 0);
			assert_memory_equal(buf, pt, len);
			(*count)++;
		}
	}
	crypto_aead_deinit(&ctx);
}

static void test_aead_roundtrip(void **state)
{
	unsigned lengths = 0;

	for (size_t len = 0; len <= RT_MAX; len = next_len(len))
		lengths++;
	assert_int_equal(lengths, 65 + 39);  /* 0..64, 101..1470 step 37, 1500 */
	for (size_t i = 0; i < N_ALGS; i++) {
		unsigned count = 0;

		if (!crypto_aead_enabled(all_algs[i]))
			continue;
		roundtrip_suite(all_algs[i], &count);
		assert_int_equal(count, lengths * RT_ALIGN);
		print_message("  %s: %u in-place seal/open round trips\n", crypto_aead_name(all_algs[i]), count);
	}
}

/* Tag must be authentic: a flipped bit anywhere in tag, ciphertext, AAD
 * or nonce fails to open, and the buffer then holds zeros, not plaintext. */
static void tamper_one(struct crypto_aead_ctx *ctx, size_t len, int what, size_t bit)
{
	uint8_t pt[200], buf[200], nonce[12], aad[24], tag[16];

	fill(pt, len, (uint32_t)(len * 31 + bit));
	fill(nonce, sizeof(nonce), 5);
	fill(aad, sizeof(aad), 6);
	memcpy(buf, pt, len);
	assert_int_equal(crypto_aead_seal(ctx, nonce, aad, sizeof(aad), buf, len, tag), 0);
	switch (what) {
	case 0: tag[bit / 8 % 16] ^= (uint8_t)(1u << bit % 8); break;
	case 1: buf[bit / 8 % len] ^= (uint8_t)(1u << bit % 8); break;
	case 2: aad[bit / 8 % sizeof(aad)] ^= (uint8_t)(1u << bit % 8); break;
	default: nonce[bit / 8 % 12] ^= (uint8_t)(1u << bit % 8); break;
	}
	assert_int_equal(crypto_aead_open(ctx, nonce, aad, sizeof(aad), buf, len, tag), -1);
	assert_true(all_zero(buf, len));
	/* a shorter AAD (a truncated header) fails too */
	if (what == 0) {
		tag[bit / 8 % 16] ^= (uint8_t)(1u << bit % 8);
		memcpy(buf, pt, len);
		assert_int_equal(crypto_aead_seal(ctx, nonce, aad, sizeof(aad), buf, len, tag), 0);
		assert_int_equal(crypto_aead_open(ctx, nonce, aad, sizeof(aad) - 1, buf, len, tag), -1);
	}
}

static void test_aead_tamper(void **state)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 63, 100, 200 };
	static struct crypto_aead_ctx ctx;
	uint8_t key[32];

	fill(key, sizeof(key), 99);
	for (size_t i = 0; i < N_ALGS; i++) {
		if (!crypto_aead_enabled(all_algs[i]))
			continue;
		assert_int_equal(crypto_aead_init(&ctx, all_algs[i], key,
						  crypto_aead_keylen(all_algs[i])), 0);
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			for (int what = 0; what < 4; what++)
				for (size_t bit = 0; bit < 128; bit += 13) {
					if (what == 1 && lens[l] == 0)
						continue;
					tamper_one(&ctx, lens[l], what, bit + lens[l]);
				}
		crypto_aead_deinit(&ctx);
	}
}

/* ---------------------------------------------------------------- header protection */

static void test_hp_batch_equals_single(void **state)
{
	static struct crypto_hp_ctx hp;
	uint8_t key[32], samples[8][16], batch[8][5], single[1][5];

	fill(key, sizeof(key), 42);
	for (size_t i = 0; i < N_ALGS; i++) {
		enum crypto_aead alg = all_algs[i];

		if (!crypto_aead_enabled(alg))
			continue;
		assert_int_equal(crypto_hp_init(&hp, alg, key, crypto_aead_keylen(alg)), 0);
		for (size_t n = 1; n <= 8; n++) {
			fill(&samples[0][0], sizeof(samples), (uint32_t)(n + 100 * i));
			memset(batch, 0, sizeof(batch));
			assert_int_equal(crypto_hp_mask(&hp, (const uint8_t (*)[16])samples, batch, n), 0);
			for (size_t j = 0; j < n; j++) {
				assert_int_equal(crypto_hp_mask(&hp, (const uint8_t (*)[16])&samples[j],
								single, 1), 0);
				assert_memory_equal(batch[j], single[0], 5);
			}
			/* nothing past n is written */
			for (size_t j = n; j < 8; j++)
				assert_true(all_zero(batch[j], 5));
		}
		crypto_hp_deinit(&hp);
	}
}

/* The masks themselves: RFC 9001 A.2 (AES, client hp key) and A.5
 * (ChaCha20). */
static void test_hp_known_answers(void **state)
{
	static struct crypto_hp_ctx hp;
	uint8_t key[32], sample[1][16], mask[1][5], want[5];

	unit_unhex("9f50449e04a0e810283a1e9933adedd2", key, 16);
	unit_unhex("d1b1c98dd7689fb8ec11d242b123dc9b", sample[0], 16);
	unit_unhex("437b9aec36", want, 5);
	assert_int_equal(crypto_hp_init(&hp, CRYPTO_AES_128_GCM, key, 16), 0);
	assert_int_equal(crypto_hp_mask(&hp, (const uint8_t (*)[16])sample, mask, 1), 0);
	assert_memory_equal(mask[0], want, 5);
	crypto_hp_deinit(&hp);

	if (!IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305))
		return;
	unit_unhex("25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4", key, 32);
	unit_unhex("5e5cd55c41f69080575d7999c25a5bfb", sample[0], 16);
	unit_unhex("aefefe7d03", want, 5);
	assert_int_equal(crypto_hp_init(&hp, CRYPTO_CHACHA20_POLY1305, key, 32), 0);
	assert_int_equal(crypto_hp_mask(&hp, (const uint8_t (*)[16])sample, mask, 1), 0);
	assert_memory_equal(mask[0], want, 5);
	crypto_hp_deinit(&hp);
}

/* The server's suite order: AES-GCM first where AES runs accelerated,
 * ChaCha20-Poly1305 first where it does not (crypto/crypto.h); the
 * accelerated flag follows the path keys really take. */
static void test_suite_preference(void **state)
{
	enum crypto_aead order[4];
	size_t n = crypto_suite_preference(order, 4), want = 0;
	struct crypto_aead_ctx a;
	static const uint8_t key[32];

	for (size_t i = 0; i < N_ALGS; i++)
		want += crypto_aead_enabled(all_algs[i]);
	assert_int_equal(n, want);
	assert_int_equal(crypto_suite_preference(order, 1), 1);
	assert_int_equal(crypto_suite_preference(order, 0), 0);
	n = crypto_suite_preference(order, 4);
	if (crypto_aead_accelerated(CRYPTO_AES_128_GCM) ||
	    !IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305))
		assert_int_equal(order[0], CRYPTO_AES_128_GCM);
	else
		assert_int_equal(order[0], CRYPTO_CHACHA20_POLY1305);
	assert_int_equal(order[n - 1], IS_ENABLED(CONFIG_CIPHER_AES_128_CCM) ?
			 CRYPTO_AES_128_CCM : order[n - 1]);
	for (size_t i = 0; i < n; i++) {
		assert_true(crypto_aead_enabled(order[i]));
		assert_int_equal(crypto_aead_init(&a, order[i], key,
						  crypto_aead_keylen(order[i])), 0);
		assert_int_equal(strcmp(crypto_aead_impl(&a), "wolfcrypt") != 0,
				 crypto_aead_accelerated(order[i]));
		crypto_aead_deinit(&a);
		assert_string_equal(crypto_aead_impl(&a), "none");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_suite_properties),
		UNIT_TEST(test_init_rejects),
		UNIT_TEST(test_deinit_wipes),
		UNIT_TEST(test_equal_and_wipe),
		UNIT_TEST(test_hkdf_rfc5869),
		UNIT_TEST(test_hkdf_expand_label_framing),
		UNIT_TEST(test_hkdf_sha384),
		UNIT_TEST(test_aead_known_answers),
		UNIT_TEST(test_aead_roundtrip),
		UNIT_TEST(test_aead_tamper),
		UNIT_TEST(test_hp_batch_equals_single),
		UNIT_TEST(test_hp_known_answers),
		UNIT_TEST(test_suite_preference),
	};

	return UNIT_CRYPTO_RUN("crypto", tests);
}
