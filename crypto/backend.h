/* crypto/backend.h: how crypto/crypto.c reaches an implementation of the
 * AEAD and header-protection primitives (internal to crypto/).
 *
 * A build links one list of backends, best first (crypto_backends[],
 * defined by crypto/backends_portable.c or crypto/crypto_arm64.c, chosen
 * by Kconfig in crypto/module.mk). crypto_aead_init/crypto_hp_init take the
 * first backend that can run alg on this CPU (and is not an accelerated
 * one while the portable path is forced) and record its index in the
 * context; seal, open, mask and deinit go straight to it. The portable
 * wolfCrypt backend is always last and can run every enabled suite, so
 * every CPU has a path.
 *
 * The public functions have checked alg, keylen and the pointers before a
 * backend is called; init functions start from a zeroed context.
 */
#ifndef TERN_CRYPTO_BACKEND_H
#define TERN_CRYPTO_BACKEND_H

#include <stdbool.h>

#include "crypto/crypto.h"

struct crypto_backend {
	const char *name;        /* "wolfcrypt", "arm64-ce", ... (logs, tests) */
	bool accelerated;        /* skipped while the portable path is forced */
	/* Can this backend run alg's AEAD / header protection on this CPU? */
	bool (*aead_ok)(enum crypto_aead alg);
	bool (*hp_ok)(enum crypto_aead alg);

	int (*aead_init)(struct crypto_aead_ctx *ctx, enum crypto_aead alg,
			 const uint8_t *key, size_t keylen);
	/* Release what init took (the caller wipes the context after). */
	void (*aead_deinit)(struct crypto_aead_ctx *ctx);
	int (*aead_seal)(struct crypto_aead_ctx *ctx, const uint8_t *nonce,
			 const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
			 uint8_t *tag);
	/* 0 when the tag matches; on -1 the caller wipes buf. */
	int (*aead_open)(struct crypto_aead_ctx *ctx, const uint8_t *nonce,
			 const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
			 const uint8_t *tag);

	int (*hp_init)(struct crypto_hp_ctx *ctx, enum crypto_aead alg,
		       const uint8_t *key, size_t keylen);
	void (*hp_deinit)(struct crypto_hp_ctx *ctx);
	int (*hp_mask)(struct crypto_hp_ctx *ctx,
		       const uint8_t (*samples)[CRYPTO_HP_SAMPLE_LEN],
		       uint8_t (*masks)[CRYPTO_HP_MASK_LEN], size_t n);

	/* HKDF with hash (crypto_hash_len(hash) != 0 when called); salt,
	 * ikm and info may be NULL when their length is 0; outlen is
	 * checked against 255 * HashLen. */
	bool (*hash_ok)(enum crypto_hash hash);
	int (*hkdf_extract)(enum crypto_hash hash, const uint8_t *salt, size_t saltlen,
			    const uint8_t *ikm, size_t ikmlen, uint8_t *prk);
	int (*hkdf_expand)(enum crypto_hash hash, const uint8_t *prk, size_t prklen,
			   const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen);
};

/* The backends this build links, best first, ended by NULL; the last one
 * is crypto_backend_wolfcrypt. */
extern const struct crypto_backend *const crypto_backends[];
extern const struct crypto_backend crypto_backend_wolfcrypt;

#endif
