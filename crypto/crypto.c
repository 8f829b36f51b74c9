/* crypto/crypto: the backend-independent part of crypto/crypto.h: suite
 * properties (which suites are built, their key lengths and hashes), the
 * choice of backend per key and the dispatch to it (crypto/backend.h),
 * argument checks, the TLS 1.3 HKDF-Expand-Label framing, wiping. The
 * primitives are the backends'. */
#include <string.h>

#include "crypto/backend.h"
#include "lib/kconfig.h"

bool crypto_aead_enabled(enum crypto_aead alg)
{
	switch (alg) {
	case CRYPTO_AES_128_GCM:
		return IS_ENABLED(CONFIG_CIPHER_AES_128_GCM);
	case CRYPTO_AES_256_GCM:
		return IS_ENABLED(CONFIG_CIPHER_AES_256_GCM);
	case CRYPTO_CHACHA20_POLY1305:
		return IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305);
	case CRYPTO_AES_128_CCM:
		return IS_ENABLED(CONFIG_CIPHER_AES_128_CCM);
	default:
		return false;
	}
}

size_t crypto_aead_keylen(enum crypto_aead alg)
{
	if (!crypto_aead_enabled(alg))
		return 0;
	return alg == CRYPTO_AES_128_GCM || alg == CRYPTO_AES_128_CCM ? 16 : 32;
}

const char *crypto_aead_name(enum crypto_aead alg)
{
	switch (alg) {
	case CRYPTO_AES_128_GCM: return "AES-128-GCM";
	case CRYPTO_AES_256_GCM: return "AES-256-GCM";
	case CRYPTO_CHACHA20_POLY1305: return "ChaCha20-Poly1305";
	case CRYPTO_AES_128_CCM: return "AES-128-CCM";
	default: return "?";
	}
}

enum crypto_hash crypto_aead_hash(enum crypto_aead alg)
{
	if (!crypto_aead_enabled(alg))
		return CRYPTO_HASH_NONE;
	return alg == CRYPTO_AES_256_GCM ? CRYPTO_SHA384 : CRYPTO_SHA256;
}

size_t crypto_hash_len(enum crypto_hash hash)
{
	/* SHA-384 is built with the only suite that uses it */
	if (hash == CRYPTO_SHA256)
		return 32;
	if (hash == CRYPTO_SHA384 && IS_ENABLED(CONFIG_CIPHER_AES_256_GCM))
		return 48;
	return 0;
}

void crypto_wipe(void *p, size_t n)
{
	if (!n)
		return;
	memset(p, 0, n);
	/* the asm may read all of memory through p: the compiler must keep
	 * the stores (a volatile byte loop keeps them too, at ~4 instructions
	 * per byte; this is memset's speed) */
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

bool crypto_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;

	while (n--)
		d |= *x++ ^ *y++;
	return d == 0;
}

#define TLS13_LABEL_PREFIX "tls13 "
#define TLS13_PREFIX_LEN   (sizeof(TLS13_LABEL_PREFIX) - 1)

int crypto_hkdf_expand_label(enum crypto_hash hash,
			     const uint8_t *secret, size_t secretlen,
			     const char *label, size_t labellen,
			     const uint8_t *context, size_t ctxlen,
			     uint8_t *out, size_t outlen)
{
	uint8_t info[2 + 1 + 255 + 1 + 255];
	size_t n = 0;

	if (labellen > 255 - TLS13_PREFIX_LEN || ctxlen > 255 || outlen > 0xffff ||
	    (labellen && !label) || (ctxlen && !context))
		return -1;
	info[n++] = (uint8_t)(outlen >> 8);
	info[n++] = (uint8_t)outlen;
	info[n++] = (uint8_t)(TLS13_PREFIX_LEN + labellen);
	memcpy(info + n, TLS13_LABEL_PREFIX, TLS13_PREFIX_LEN);
	n += TLS13_PREFIX_LEN;
	if (labellen)
		memcpy(info + n, label, labellen);
	n += labellen;
	info[n++] = (uint8_t)ctxlen;
	if (ctxlen)
		memcpy(info + n, context, ctxlen);
	n += ctxlen;
	return crypto_hkdf_expand(hash, secret, secretlen, info, n, out, outlen);
}

/* ---------------------------------------------------------------- backend choice */

static bool force_portable = IS_ENABLED(CONFIG_CRYPTO_FORCE_PORTABLE);

void crypto_set_portable(bool force)
{
	force_portable = force;
}

bool crypto_portable_forced(void)
{
	return force_portable;
}

/* The index of the first usable backend for alg (hp: its header
 * protection); -1 if none (alg not enabled). */
static int pick(enum crypto_aead alg, bool hp)
{
	if (!crypto_aead_enabled(alg))
		return -1;
	for (int i = 0; crypto_backends[i]; i++) {
		const struct crypto_backend *b = crypto_backends[i];

		if (b->accelerated && force_portable)
			continue;
		if (hp ? b->hp_ok(alg) : b->aead_ok(alg))
			return i;
	}
	return -1;
}

bool crypto_aead_accelerated(enum crypto_aead alg)
{
	int i = pick(alg, false);

	return i >= 0 && crypto_backends[i]->accelerated;
}

size_t crypto_suite_preference(enum crypto_aead *out, size_t max)
{
	bool aes_fast = crypto_aead_accelerated(CRYPTO_AES_128_GCM);
	enum crypto_aead order[4] = {
		CRYPTO_AES_128_GCM, CRYPTO_AES_256_GCM, CRYPTO_CHACHA20_POLY1305,
		CRYPTO_AES_128_CCM,
	};
	size_t n = 0;

	if (!aes_fast) {
		order[0] = CRYPTO_CHACHA20_POLY1305;
		order[1] = CRYPTO_AES_128_GCM;
		order[2] = CRYPTO_AES_256_GCM;
	}
	for (size_t i = 0; i < 4 && n < max; i++)
		if (crypto_aead_enabled(order[i]))
			out[n++] = order[i];
	return n;
}

static const char *impl_name(enum crypto_aead alg, uint8_t impl)
{
	return alg == CRYPTO_AEAD_NONE ? "none" : crypto_backends[impl]->name;
}

const char *crypto_aead_impl(const struct crypto_aead_ctx *ctx)
{
	return impl_name(ctx->alg, ctx->impl);
}

const char *crypto_hp_impl(const struct crypto_hp_ctx *ctx)
{
	return impl_name(ctx->alg, ctx->impl);
}

/* ---------------------------------------------------------------- AEAD */

int crypto_aead_init(struct crypto_aead_ctx *ctx, enum crypto_aead alg,
		     const uint8_t *key, size_t keylen)
{
	int i;

	memset(ctx, 0, sizeof(*ctx));
	if (keylen != crypto_aead_keylen(alg) || !key)
		return -1;
	i = pick(alg, false);
	if (i < 0 || crypto_backends[i]->aead_init(ctx, alg, key, keylen) != 0) {
		crypto_wipe(ctx, sizeof(*ctx));
		return -1;
	}
	ctx->alg = alg;
	ctx->impl = (uint8_t)i;
	return 0;
}

void crypto_aead_deinit(struct crypto_aead_ctx *ctx)
{
	if (ctx->alg != CRYPTO_AEAD_NONE)
		crypto_backends[ctx->impl]->aead_deinit(ctx);
	crypto_wipe(ctx, sizeof(*ctx));
}

/* Arguments every backend may rely on (crypto/crypto.h). */
static bool aead_args_ok(const struct crypto_aead_ctx *ctx, const uint8_t *nonce,
			 const uint8_t *aad, size_t aadlen, const uint8_t *buf, size_t len,
			 const uint8_t *tag)
{
	return ctx->alg != CRYPTO_AEAD_NONE && nonce && tag &&
	       len <= UINT32_MAX && aadlen <= UINT32_MAX &&
	       (buf || !len) && (aad || !aadlen);
}

int crypto_aead_seal(struct crypto_aead_ctx *ctx,
		     const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN],
		     const uint8_t *aad, size_t aadlen,
		     uint8_t *buf, size_t len,
		     uint8_t tag[CRYPTO_AEAD_TAG_LEN])
{
	if (!aead_args_ok(ctx, nonce, aad, aadlen, buf, len, tag))
		return -1;
	return crypto_backends[ctx->impl]->aead_seal(ctx, nonce, aad, aadlen, buf, len, tag);
}

int crypto_aead_open(struct crypto_aead_ctx *ctx,
		     const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN],
		     const uint8_t *aad, size_t aadlen,
		     uint8_t *buf, size_t len,
		     const uint8_t tag[CRYPTO_AEAD_TAG_LEN])
{
	if (aead_args_ok(ctx, nonce, aad, aadlen, buf, len, tag) &&
	    crypto_backends[ctx->impl]->aead_open(ctx, nonce, aad, aadlen, buf, len, tag) == 0)
		return 0;
	/* never unauthenticated plaintext */
	if (len && buf)
		crypto_wipe(buf, len);
	return -1;
}

/* ---------------------------------------------------------------- header protection */

int crypto_hp_init(struct crypto_hp_ctx *ctx, enum crypto_aead alg,
		   const uint8_t *key, size_t keylen)
{
	int i;

	memset(ctx, 0, sizeof(*ctx));
	if (keylen != crypto_aead_keylen(alg) || !key)
		return -1;
	i = pick(alg, true);
	if (i < 0 || crypto_backends[i]->hp_init(ctx, alg, key, keylen) != 0) {
		crypto_wipe(ctx, sizeof(*ctx));
		return -1;
	}
	ctx->alg = alg;
	ctx->impl = (uint8_t)i;
	return 0;
}

void crypto_hp_deinit(struct crypto_hp_ctx *ctx)
{
	if (ctx->alg != CRYPTO_AEAD_NONE)
		crypto_backends[ctx->impl]->hp_deinit(ctx);
	crypto_wipe(ctx, sizeof(*ctx));
}

int crypto_hp_mask(struct crypto_hp_ctx *ctx,
		   const uint8_t (*samples)[CRYPTO_HP_SAMPLE_LEN],
		   uint8_t (*masks)[CRYPTO_HP_MASK_LEN], size_t n)
{
	if (ctx->alg == CRYPTO_AEAD_NONE || (n && (!samples || !masks)))
		return -1;
	return crypto_backends[ctx->impl]->hp_mask(ctx, samples, masks, n);
}

/* ---------------------------------------------------------------- HKDF */

static const struct crypto_backend *pick_hash(enum crypto_hash hash)
{
	if (!crypto_hash_len(hash))
		return NULL;
	for (int i = 0; crypto_backends[i]; i++) {
		const struct crypto_backend *b = crypto_backends[i];

		if (!(b->accelerated && force_portable) && b->hash_ok(hash))
			return b;
	}
	return NULL;
}

int crypto_hkdf_extract(enum crypto_hash hash, const uint8_t *salt, size_t saltlen,
			const uint8_t *ikm, size_t ikmlen, uint8_t *prk)
{
	const struct crypto_backend *b = pick_hash(hash);

	if (!b || (saltlen && !salt) || (ikmlen && !ikm) || !prk)
		return -1;
	return b->hkdf_extract(hash, salt, saltlen, ikm, ikmlen, prk);
}

int crypto_hkdf_expand(enum crypto_hash hash, const uint8_t *prk, size_t prklen,
		       const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen)
{
	const struct crypto_backend *b = pick_hash(hash);

	if (!b || !prk || (infolen && !info) || !out || outlen > 255 * crypto_hash_len(hash))
		return -1;
	return b->hkdf_expand(hash, prk, prklen, info, infolen, out, outlen);
}

const char *crypto_hkdf_impl(enum crypto_hash hash)
{
	const struct crypto_backend *b = pick_hash(hash);

	return b ? b->name : "none";
}
