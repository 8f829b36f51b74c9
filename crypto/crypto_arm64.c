/* crypto/crypto_arm64: the arm64 backend (CONFIG_CRYPTO_ARM64) over tern's
 * own Crypto Extensions and NEON code (crypto/arm64/), and this build's
 * backend list: arm64 first, wolfCrypt's C code behind it.
 *
 * Per primitive, from the CPU probe (crypto/arm64/cpu.c):
 *   AES-GCM            AESE/AESMC + PMULL    (FEAT_AES, FEAT_PMULL)
 *   AES-CCM, AES HP    AESE/AESMC            (FEAT_AES)
 *   ChaCha20-Poly1305, ChaCha20 HP  NEON     (ASIMD)
 *   HKDF-SHA-256       SHA256H/SHA256H2      (FEAT_SHA256)
 *   HKDF-SHA-384       SHA512H/SHA512H2      (FEAT_SHA512)
 * A CPU without an extension (Raspberry Pi 4 class: no AES) gets wolfCrypt
 * for that primitive only, and crypto_suite_preference() puts
 * ChaCha20-Poly1305 first. Nothing here runs an instruction the probe
 * did not find.
 */
#include <string.h>

#include "crypto/arm64/arm64.h"
#include "crypto/backend.h"
#include "lib/kconfig.h"

BUILD_ASSERT(sizeof(struct arm64_gcm_key) <= CRYPTO_AEAD_STATE_BYTES,
	     "arm64_gcm_key does not fit crypto_aead_ctx");
BUILD_ASSERT(sizeof(struct arm64_aes_key) <= CRYPTO_HP_STATE_BYTES,
	     "arm64_aes_key does not fit crypto_hp_ctx");
BUILD_ASSERT(_Alignof(struct arm64_gcm_key) <= 16, "arm64_gcm_key alignment");

static bool has(unsigned features)
{
	return (arm64_cpu_features() & features) == features;
}

static bool arm64_aead_ok(enum crypto_aead alg)
{
	if (!crypto_aead_enabled(alg))
		return false;
	switch (alg) {
	case CRYPTO_AES_128_GCM:
	case CRYPTO_AES_256_GCM:
		return has(ARM64_CPU_AES | ARM64_CPU_PMULL);
	case CRYPTO_AES_128_CCM:
		return has(ARM64_CPU_AES);
	case CRYPTO_CHACHA20_POLY1305:
		return has(ARM64_CPU_ASIMD);
	default:
		return false;
	}
}

static bool arm64_hp_ok(enum crypto_aead alg)
{
	if (!crypto_aead_enabled(alg))
		return false;
	if (alg == CRYPTO_CHACHA20_POLY1305)
		return has(ARM64_CPU_ASIMD);
	return has(ARM64_CPU_AES);
}

/* The context storage, by suite: the GCM key (round keys + H powers), the
 * CCM round keys, or ChaCha20's raw key. */
static struct arm64_gcm_key *gcm_key(struct crypto_aead_ctx *ctx)
{
	return (struct arm64_gcm_key *)(void *)ctx->state;
}

static struct arm64_aes_key *ccm_key(struct crypto_aead_ctx *ctx)
{
	return (struct arm64_aes_key *)(void *)ctx->state;
}

static int arm64_aead_init(struct crypto_aead_ctx *ctx, enum crypto_aead alg,
			   const uint8_t *key, size_t keylen)
{
	switch (alg) {
	case CRYPTO_AES_128_GCM:
	case CRYPTO_AES_256_GCM:
		arm64_gcm_init(gcm_key(ctx), key, keylen);
		return 0;
	case CRYPTO_AES_128_CCM:
		arm64_aes_expand(ccm_key(ctx), key, keylen);
		return 0;
	case CRYPTO_CHACHA20_POLY1305:
		memcpy(ctx->state, key, keylen);
		return 0;
	default:
		return -1;
	}
}

static void arm64_aead_deinit(struct crypto_aead_ctx *ctx)
{
	(void)ctx;  /* nothing beyond the context, which the caller wipes */
}

static int arm64_aead_seal(struct crypto_aead_ctx *ctx, const uint8_t *nonce,
			   const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
			   uint8_t *tag)
{
	switch (ctx->alg) {
	case CRYPTO_AES_128_GCM:
	case CRYPTO_AES_256_GCM:
		arm64_gcm_seal(gcm_key(ctx), nonce, aad, aadlen, buf, len, tag);
		return 0;
	case CRYPTO_AES_128_CCM:
		/* a 12-byte nonce leaves CCM 3 length bytes (L = 3) */
		if (len >= (size_t)1 << 24)
			return -1;
		arm64_aes_ccm_seal(ccm_key(ctx), nonce, aad, aadlen, buf, len, tag);
		return 0;
	case CRYPTO_CHACHA20_POLY1305:
		arm64_chacha20_poly1305_seal(ctx->state, nonce, aad, aadlen, buf, len, tag);
		return 0;
	default:
		return -1;
	}
}

static int arm64_aead_open(struct crypto_aead_ctx *ctx, const uint8_t *nonce,
			   const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
			   const uint8_t *tag)
{
	switch (ctx->alg) {
	case CRYPTO_AES_128_GCM:
	case CRYPTO_AES_256_GCM:
		return arm64_gcm_open(gcm_key(ctx), nonce, aad, aadlen, buf, len, tag);
	case CRYPTO_AES_128_CCM:
		return arm64_aes_ccm_open(ccm_key(ctx), nonce, aad, aadlen, buf, len, tag);
	case CRYPTO_CHACHA20_POLY1305:
		return arm64_chacha20_poly1305_open(ctx->state, nonce, aad, aadlen,
						    buf, len, tag);
	default:
		return -1;
	}
}

static struct arm64_aes_key *hp_aes_key(struct crypto_hp_ctx *ctx)
{
	return (struct arm64_aes_key *)(void *)ctx->state;
}

static int arm64_hp_init(struct crypto_hp_ctx *ctx, enum crypto_aead alg,
			 const uint8_t *key, size_t keylen)
{
	if (alg == CRYPTO_CHACHA20_POLY1305)
		memcpy(ctx->state, key, keylen);
	else
		arm64_aes_expand(hp_aes_key(ctx), key, keylen);
	return 0;
}

static void arm64_hp_deinit(struct crypto_hp_ctx *ctx)
{
	(void)ctx;
}

static int arm64_hp_mask(struct crypto_hp_ctx *ctx,
			 const uint8_t (*samples)[CRYPTO_HP_SAMPLE_LEN],
			 uint8_t (*masks)[CRYPTO_HP_MASK_LEN], size_t n)
{
	if (ctx->alg == CRYPTO_CHACHA20_POLY1305)
		arm64_chacha20_hp_mask(ctx->state, samples, masks, n);
	else
		arm64_aes_hp_mask(hp_aes_key(ctx), samples, masks, n);
	return 0;
}

static bool arm64_hash_ok(enum crypto_hash hash)
{
	if (hash == CRYPTO_SHA256)
		return has(ARM64_CPU_SHA256);
	return hash == CRYPTO_SHA384 && crypto_hash_len(hash) && has(ARM64_CPU_SHA512);
}

static int arm64_extract(enum crypto_hash hash, const uint8_t *salt, size_t saltlen,
			 const uint8_t *ikm, size_t ikmlen, uint8_t *prk)
{
	return arm64_hkdf_extract(crypto_hash_len(hash), salt, saltlen, ikm, ikmlen, prk);
}

static int arm64_expand(enum crypto_hash hash, const uint8_t *prk, size_t prklen,
			const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen)
{
	return arm64_hkdf_expand(crypto_hash_len(hash), prk, prklen, info, infolen, out, outlen);
}

static const struct crypto_backend crypto_backend_arm64 = {
	.name = "arm64",
	.accelerated = true,
	.aead_ok = arm64_aead_ok,
	.hp_ok = arm64_hp_ok,
	.aead_init = arm64_aead_init,
	.aead_deinit = arm64_aead_deinit,
	.aead_seal = arm64_aead_seal,
	.aead_open = arm64_aead_open,
	.hp_init = arm64_hp_init,
	.hp_deinit = arm64_hp_deinit,
	.hp_mask = arm64_hp_mask,
	.hash_ok = arm64_hash_ok,
	.hkdf_extract = arm64_extract,
	.hkdf_expand = arm64_expand,
};

const struct crypto_backend *const crypto_backends[] = {
	&crypto_backend_arm64,
	&crypto_backend_wolfcrypt,
	NULL,
};
