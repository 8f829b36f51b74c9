/* crypto/crypto_wolfcrypt: the portable backend (crypto/backend.h) over
 * wolfCrypt's C code, and HKDF for every build.
 *
 * Every build links it: it is the whole of CONFIG_CRYPTO_PORTABLE, and the
 * fallback of CONFIG_CRYPTO_ARM64 wherever the CPU lacks an extension or
 * the portable path is forced (crypto_set_portable). wolfSSL itself is
 * built without WOLFSSL_ARMASM (its AES and SHA-256 code would run the
 * Crypto Extensions unconditionally), so this file never faults on any
 * arm64 CPU.
 *
 * wolfCrypt in place: wc_AesGcmEncrypt/Decrypt, wc_AesCcmEncrypt/Decrypt
 * and wc_ChaCha20Poly1305_Encrypt/Decrypt accept out == in (GHASH, the
 * CBC-MAC and Poly1305 read each block before it is overwritten, or read
 * the output); tests/unit/test_crypto.c checks this at every length and
 * alignment on each build. wolfCrypt's decrypt functions may leave
 * plaintext in the output when the tag does not match, so open wipes buf
 * on any failure.
 *
 * wolfSSL feature macros (HAVE_AESCCM, ...) follow the CONFIG_CIPHER_*
 * symbols (tools/gen_user_settings.py); the #if blocks below use the
 * config symbols and are checked against wolfSSL's at the top.
 */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>

#include "crypto/backend.h"
#include "lib/kconfig.h"

#if !defined(HAVE_AESGCM) || !defined(WOLFSSL_AES_DIRECT) || !defined(HAVE_HKDF)
#error "wolfSSL lacks AES-GCM, AES direct or HKDF (tools/gen_user_settings.py)"
#endif
#include "crypto/wolfssl_check.h" /* the suites follow .config */

BUILD_ASSERT(sizeof(Aes) <= CRYPTO_AEAD_STATE_BYTES, "Aes does not fit crypto_aead_ctx");
BUILD_ASSERT(sizeof(Aes) <= CRYPTO_HP_STATE_BYTES, "Aes does not fit crypto_hp_ctx");
BUILD_ASSERT(_Alignof(Aes) <= 16, "Aes needs more than 16-byte alignment");
#if IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305)
BUILD_ASSERT(sizeof(ChaCha) <= CRYPTO_HP_STATE_BYTES, "ChaCha does not fit crypto_hp_ctx");
BUILD_ASSERT(_Alignof(ChaCha) <= 16, "ChaCha needs more than 16-byte alignment");
#endif

static bool is_aes(enum crypto_aead alg)
{
	return alg == CRYPTO_AES_128_GCM || alg == CRYPTO_AES_256_GCM ||
	       alg == CRYPTO_AES_128_CCM;
}

static Aes *aead_aes(struct crypto_aead_ctx *ctx)
{
	return (Aes *)(void *)ctx->state;
}

/* ChaCha20-Poly1305 keeps the raw key: wolfCrypt derives the per-packet
 * Poly1305 key and the ChaCha20 state from it on each call. */
static uint8_t *aead_chacha_key(struct crypto_aead_ctx *ctx)
{
	return ctx->state;
}

static bool wc_ok(enum crypto_aead alg)
{
	return crypto_aead_enabled(alg);
}

static int wc_aead_init(struct crypto_aead_ctx *ctx, enum crypto_aead alg,
			const uint8_t *key, size_t keylen)
{
	int ret = -1;

	if (alg == CRYPTO_CHACHA20_POLY1305) {
		memcpy(aead_chacha_key(ctx), key, keylen);
		return 0;
	}
	if (wc_AesInit(aead_aes(ctx), NULL, INVALID_DEVID) != 0)
		return -1;
	if (alg == CRYPTO_AES_128_CCM) {
#if IS_ENABLED(CONFIG_CIPHER_AES_128_CCM)
		ret = wc_AesCcmSetKey(aead_aes(ctx), key, (word32)keylen);
#endif
	} else {
		ret = wc_AesGcmSetKey(aead_aes(ctx), key, (word32)keylen);
	}
	if (ret != 0) {
		wc_AesFree(aead_aes(ctx));
		return -1;
	}
	return 0;
}

static void wc_aead_deinit(struct crypto_aead_ctx *ctx)
{
	if (is_aes(ctx->alg))
		wc_AesFree(aead_aes(ctx));
}

/* wolfCrypt rejects a NULL data pointer even for length 0. */
static uint8_t empty_buf[1];

static int wc_aead_seal(struct crypto_aead_ctx *ctx, const uint8_t *nonce,
			const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
			uint8_t *tag)
{
	int ret = -1;

	if (!len)
		buf = empty_buf;

	switch (ctx->alg) {
	case CRYPTO_AES_128_GCM:
	case CRYPTO_AES_256_GCM:
		ret = wc_AesGcmEncrypt(aead_aes(ctx), buf, buf, (word32)len,
				       nonce, CRYPTO_AEAD_NONCE_LEN,
				       tag, CRYPTO_AEAD_TAG_LEN, aad, (word32)aadlen);
		break;
	case CRYPTO_AES_128_CCM:
#if IS_ENABLED(CONFIG_CIPHER_AES_128_CCM)
		ret = wc_AesCcmEncrypt(aead_aes(ctx), buf, buf, (word32)len,
				       nonce, CRYPTO_AEAD_NONCE_LEN,
				       tag, CRYPTO_AEAD_TAG_LEN, aad, (word32)aadlen);
#endif
		break;
	case CRYPTO_CHACHA20_POLY1305:
#if IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305)
		ret = wc_ChaCha20Poly1305_Encrypt(aead_chacha_key(ctx), nonce,
						  aad, (word32)aadlen,
						  buf, (word32)len, buf, tag);
#endif
		break;
	default:
		break;
	}
	return ret == 0 ? 0 : -1;
}

static int wc_aead_open(struct crypto_aead_ctx *ctx, const uint8_t *nonce,
			const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
			const uint8_t *tag)
{
	uint8_t *data = len ? buf : empty_buf;
	int ret = -1;


	switch (ctx->alg) {
	case CRYPTO_AES_128_GCM:
	case CRYPTO_AES_256_GCM:
		ret = wc_AesGcmDecrypt(aead_aes(ctx), data, data, (word32)len,
				       nonce, CRYPTO_AEAD_NONCE_LEN,
				       tag, CRYPTO_AEAD_TAG_LEN, aad, (word32)aadlen);
		break;
	case CRYPTO_AES_128_CCM:
#if IS_ENABLED(CONFIG_CIPHER_AES_128_CCM)
		ret = wc_AesCcmDecrypt(aead_aes(ctx), data, data, (word32)len,
				       nonce, CRYPTO_AEAD_NONCE_LEN,
				       tag, CRYPTO_AEAD_TAG_LEN, aad, (word32)aadlen);
#endif
		break;
	case CRYPTO_CHACHA20_POLY1305:
#if IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305)
		ret = wc_ChaCha20Poly1305_Decrypt(aead_chacha_key(ctx), nonce,
						  aad, (word32)aadlen,
						  data, (word32)len, tag, data);
#endif
		break;
	default:
		break;
	}
	return ret == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- header protection */

static Aes *hp_aes(struct crypto_hp_ctx *ctx)
{
	return (Aes *)(void *)ctx->state;
}

#if IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305)
static ChaCha *hp_chacha(struct crypto_hp_ctx *ctx)
{
	return (ChaCha *)(void *)ctx->state;
}
#endif

static int wc_hp_init(struct crypto_hp_ctx *ctx, enum crypto_aead alg,
		      const uint8_t *key, size_t keylen)
{
	int ret = -1;

	if (alg == CRYPTO_CHACHA20_POLY1305) {
#if IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305)
		ret = wc_Chacha_SetKey(hp_chacha(ctx), key, (word32)keylen);
#endif
	} else if (wc_AesInit(hp_aes(ctx), NULL, INVALID_DEVID) == 0) {
		ret = wc_AesSetKey(hp_aes(ctx), key, (word32)keylen, NULL, AES_ENCRYPTION);
		if (ret != 0)
			wc_AesFree(hp_aes(ctx));
	}
	return ret == 0 ? 0 : -1;
}

static void wc_hp_deinit(struct crypto_hp_ctx *ctx)
{
	if (is_aes(ctx->alg))
		wc_AesFree(hp_aes(ctx));
}

static int wc_hp_mask(struct crypto_hp_ctx *ctx,
		      const uint8_t (*samples)[CRYPTO_HP_SAMPLE_LEN],
		      uint8_t (*masks)[CRYPTO_HP_MASK_LEN], size_t n)
{
	size_t i;

	if (is_aes(ctx->alg)) {
		/* RFC 9001 5.4.3: mask = AES-ECB(hp_key, sample) */
		for (i = 0; i < n; i++) {
			uint8_t block[16];

			if (wc_AesEncryptDirect(hp_aes(ctx), block, samples[i]) != 0)
				return -1;
			memcpy(masks[i], block, CRYPTO_HP_MASK_LEN);
		}
		return 0;
	}
#if IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305)
	if (ctx->alg == CRYPTO_CHACHA20_POLY1305) {
		/* RFC 9001 5.4.4: counter = sample[0..3] (little endian),
		 * nonce = sample[4..15], mask = ChaCha20(hp_key, counter,
		 * nonce, 5 zero bytes) */
		static const uint8_t zeros[CRYPTO_HP_MASK_LEN];

		for (i = 0; i < n; i++) {
			const uint8_t *s = samples[i];
			uint32_t counter = (uint32_t)s[0] | (uint32_t)s[1] << 8 |
					   (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;

			if (wc_Chacha_SetIV(hp_chacha(ctx), s + 4, counter) != 0 ||
			    wc_Chacha_Process(hp_chacha(ctx), masks[i], zeros,
					      CRYPTO_HP_MASK_LEN) != 0)
				return -1;
		}
		return 0;
	}
#endif
	return -1;
}

/* ---------------------------------------------------------------- HKDF */

static int wc_hash_type(enum crypto_hash hash)
{
	if (hash == CRYPTO_SHA256)
		return WC_HASH_TYPE_SHA256;
	if (hash == CRYPTO_SHA384 && IS_ENABLED(CONFIG_CIPHER_AES_256_GCM))
		return WC_HASH_TYPE_SHA384;
	return -1;
}

static bool wc_hash_ok(enum crypto_hash hash)
{
	return wc_hash_type(hash) >= 0;
}

static int wc_hkdf_extract(enum crypto_hash hash, const uint8_t *salt, size_t saltlen,
			   const uint8_t *ikm, size_t ikmlen, uint8_t *prk)
{
	int type = wc_hash_type(hash);

	if (type < 0 || saltlen > UINT32_MAX || ikmlen > UINT32_MAX)
		return -1;
	/* HMAC's key is zero-padded to a block: an empty salt is the
	 * HashLen zeros of RFC 5869 2.2 */
	return wc_HKDF_Extract(type, saltlen ? salt : empty_buf, (word32)saltlen,
			       ikmlen ? ikm : empty_buf, (word32)ikmlen, prk) == 0 ? 0 : -1;
}

static int wc_hkdf_expand(enum crypto_hash hash, const uint8_t *prk, size_t prklen,
			  const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen)
{
	int type = wc_hash_type(hash);

	if (type < 0 || prklen > UINT32_MAX || infolen > UINT32_MAX)
		return -1;
	return wc_HKDF_Expand(type, prk, (word32)prklen, infolen ? info : empty_buf,
			      (word32)infolen, out, (word32)outlen) == 0 ? 0 : -1;
}

const struct crypto_backend crypto_backend_wolfcrypt = {
	.name = "wolfcrypt",
	.accelerated = false,
	.aead_ok = wc_ok,
	.hp_ok = wc_ok,
	.aead_init = wc_aead_init,
	.aead_deinit = wc_aead_deinit,
	.aead_seal = wc_aead_seal,
	.aead_open = wc_aead_open,
	.hp_init = wc_hp_init,
	.hp_deinit = wc_hp_deinit,
	.hp_mask = wc_hp_mask,
	.hash_ok = wc_hash_ok,
	.hkdf_extract = wc_hkdf_extract,
	.hkdf_expand = wc_hkdf_expand,
};
