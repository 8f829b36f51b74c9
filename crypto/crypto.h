/* crypto/crypto.h: the crypto seam (DESIGN.md section 5). AEAD seal/open
 * in place, a batched header-protection mask, HKDF; nothing else of a
 * crypto library reaches protocol code.
 *
 *   struct crypto_aead_ctx k;
 *   crypto_aead_init(&k, CRYPTO_AES_128_GCM, key, 16);
 *   crypto_aead_seal(&k, nonce, hdr, hdrlen, payload, len, payload + len);
 *   crypto_aead_open(&k, nonce, hdr, hdrlen, payload, len, payload + len);
 *   crypto_aead_deinit(&k);
 *
 * The backends are chosen at link time (crypto/module.mk, CONFIG_CRYPTO_*)
 * and, within a build, per key at init from the CPU (crypto/backend.h):
 * callers never need an #ifdef. Only the suites enabled in Kconfig
 * (CONFIG_CIPHER_*) work: for any other, init returns -1 and the code for
 * it is not built. No function allocates; every buffer is the caller's.
 * Every function returns 0 on success and -1 on failure.
 */
#ifndef TERN_CRYPTO_CRYPTO_H
#define TERN_CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto-t.h"

/* Is alg built in (its CONFIG_CIPHER_* on)? A compile-time constant for
 * a constant alg. */
bool crypto_aead_enabled(enum crypto_aead alg);
/* Key length of alg in bytes (16 or 32); 0 when alg is not enabled. */
size_t crypto_aead_keylen(enum crypto_aead alg);
/* Printable name, e.g. "AES-128-GCM" (for logs, tests, benchmarks). */
const char *crypto_aead_name(enum crypto_aead alg);
/* The hash of alg's TLS 1.3 suite; CRYPTO_HASH_NONE when not enabled. */
enum crypto_hash crypto_aead_hash(enum crypto_aead alg);
/* Output length of hash in bytes; 0 for none or a hash not built. */
size_t crypto_hash_len(enum crypto_hash hash);

/* Zero n bytes in a way the compiler cannot drop (keys, secrets). */
void crypto_wipe(void *p, size_t n);
/* a[0..n) == b[0..n), in time that depends on n only (tags, tokens). */
bool crypto_equal(const void *a, const void *b, size_t n);

/* ---------------------------------------------------------------- implementation choice */

/* Force the portable (wolfCrypt C) path for every key initialised from
 * now on (true), or let each key take the best path the CPU can run
 * (false, the default unless CONFIG_CRYPTO_FORCE_PORTABLE). Keys already
 * initialised keep their path. For the CLI (--crypto=portable) and tests. */
void crypto_set_portable(bool force);
bool crypto_portable_forced(void);

/* Would a key for alg initialised now run on an accelerated path? */
bool crypto_aead_accelerated(enum crypto_aead alg);

/* The enabled suites in the order a server should prefer them: the
 * AES-GCM suites first when AES runs accelerated, ChaCha20-Poly1305 first
 * when it does not (a CPU without AES instructions, or portable forced);
 * AES-128-CCM last. Writes up to max entries, returns the count. */
size_t crypto_suite_preference(enum crypto_aead *out, size_t max);

/* The name of the backend a key runs on ("wolfcrypt", "arm64", ...);
 * "none" for a context holding no key. */
const char *crypto_aead_impl(const struct crypto_aead_ctx *ctx);

/* ---------------------------------------------------------------- AEAD */

/* Expand key (keylen must be crypto_aead_keylen(alg)) into ctx. On
 * failure ctx holds no key and seal/open fail. */
int crypto_aead_init(struct crypto_aead_ctx *ctx, enum crypto_aead alg,
		     const uint8_t *key, size_t keylen);
/* Zero the whole context (key schedule included). Idempotent. */
void crypto_aead_deinit(struct crypto_aead_ctx *ctx);

/* Encrypt buf[0..len) in place and write the 16-byte tag to tag. aad may
 * be NULL when aadlen is 0; buf may be NULL when len is 0. tag must not
 * overlap buf or aad (it may directly follow buf, as in a QUIC packet). */
int crypto_aead_seal(struct crypto_aead_ctx *ctx,
		     const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN],
		     const uint8_t *aad, size_t aadlen,
		     uint8_t *buf, size_t len,
		     uint8_t tag[CRYPTO_AEAD_TAG_LEN]);

/* Check tag and decrypt buf[0..len) in place. 0: buf holds the plaintext.
 * -1 (authentication failed, or bad arguments): buf[0..len) is all zeros,
 * never unauthenticated plaintext; tag is not touched (a receiver can
 * still compare it with stateless-reset tokens). */
int crypto_aead_open(struct crypto_aead_ctx *ctx,
		     const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN],
		     const uint8_t *aad, size_t aadlen,
		     uint8_t *buf, size_t len,
		     const uint8_t tag[CRYPTO_AEAD_TAG_LEN]);

/* ---------------------------------------------------------------- header protection */

/* Header-protection key for alg's suite (RFC 9001 5.4): AES-ECB with the
 * AES suites, ChaCha20 with ChaCha20-Poly1305. keylen as for the AEAD. */
int crypto_hp_init(struct crypto_hp_ctx *ctx, enum crypto_aead alg,
		   const uint8_t *key, size_t keylen);
void crypto_hp_deinit(struct crypto_hp_ctx *ctx);
/* As crypto_aead_impl, for a header-protection key. */
const char *crypto_hp_impl(const struct crypto_hp_ctx *ctx);

/* masks[i] = the first 5 bytes of the header-protection mask for
 * samples[i], for i < n (RFC 9001 5.4.3, 5.4.4). A backend may compute
 * several samples at once; the result equals n single calls. */
int crypto_hp_mask(struct crypto_hp_ctx *ctx,
		   const uint8_t (*samples)[CRYPTO_HP_SAMPLE_LEN],
		   uint8_t (*masks)[CRYPTO_HP_MASK_LEN], size_t n);

/* ---------------------------------------------------------------- HKDF (RFC 5869) */

/* prk (crypto_hash_len(hash) bytes) = HKDF-Extract(salt, ikm). */
int crypto_hkdf_extract(enum crypto_hash hash, const uint8_t *salt, size_t saltlen,
			const uint8_t *ikm, size_t ikmlen, uint8_t *prk);
/* out[0..outlen) = HKDF-Expand(prk, info, outlen). */
int crypto_hkdf_expand(enum crypto_hash hash, const uint8_t *prk, size_t prklen,
		       const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen);
/* The backend HKDF with hash runs on now ("none": hash not built). */
const char *crypto_hkdf_impl(enum crypto_hash hash);
/* TLS 1.3 HKDF-Expand-Label (RFC 8446 7.1): HKDF-Expand with the info
 * struct { uint16 outlen; opaque "tls13 " + label<7..255>;
 * opaque context<0..255>; }. label is given without the "tls13 " prefix
 * (e.g. "quic key"), at most 249 bytes; ctxlen at most 255. */
int crypto_hkdf_expand_label(enum crypto_hash hash,
			     const uint8_t *secret, size_t secretlen,
			     const char *label, size_t labellen,
			     const uint8_t *context, size_t ctxlen,
			     uint8_t *out, size_t outlen);

#endif
