/* crypto/arm64/arm64.h: tern's own arm64 primitives behind crypto/crypto.h
 * (CONFIG_CRYPTO_ARM64). crypto/crypto_arm64.c picks these per primitive
 * from the CPU probe (crypto/arm64/cpu.c) and falls back to wolfCrypt's
 * portable C where the CPU lacks an extension or the portable path is
 * forced. Nothing here allocates; every buffer is the caller's; any
 * alignment of any buffer is allowed; buf may be NULL when len is 0 and
 * aad may be NULL when aadlen is 0. In-place only: buf is read and
 * written.
 *
 * Callers guarantee the CPU has the extension a function needs (the
 * probe); these functions never check.
 *
 *   aes_ce.c      AES key expansion, batched ECB (header protection), CCM:
 *                 AESE/AESMC (FEAT_AES)
 *   gcm_ce.c      AES-GCM: AESE/AESMC interleaved with PMULL GHASH
 *                 (FEAT_AES + FEAT_PMULL)
 *   chacha_neon.c ChaCha20 (multi-block NEON), Poly1305, the AEAD of
 *                 RFC 8439 and the batched ChaCha20 header-protection mask
 *                 (ASIMD, present on every ARMv8-A CPU)
 *   sha2_ce.c     HKDF over HMAC-SHA-256 / HMAC-SHA-384 with the SHA
 *                 extensions (FEAT_SHA256, FEAT_SHA512)
 *   cpu.c         the probe
 */
#ifndef TERN_CRYPTO_ARM64_ARM64_H
#define TERN_CRYPTO_ARM64_ARM64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- AES (aes_ce.c) */

/* Round keys in the byte order AESE/AESMC take them (FIPS-197 bytes of
 * each round key, as vld1q_u8 loads them). */
struct arm64_aes_key {
	_Alignas(16) uint8_t rk[15][16];
	unsigned rounds;  /* 10 (AES-128) or 14 (AES-256) */
};

/* keylen 16 or 32 (AES-192 is not used by TLS 1.3). */
void arm64_aes_expand(struct arm64_aes_key *k, const uint8_t *key, size_t keylen);

/* masks[i] = the first 5 bytes of AES-ECB(k, samples[i]), for i < n
 * (QUIC header protection, RFC 9001 5.4.3); several blocks in flight. */
void arm64_aes_hp_mask(const struct arm64_aes_key *k, const uint8_t (*samples)[16],
		       uint8_t (*masks)[5], size_t n);

/* AES-CCM with a 12-byte nonce and a 16-byte tag (RFC 3610 / SP 800-38C
 * as TLS 1.3 uses it: L = 3). open: 0 when the tag matches (buf holds the
 * plaintext), -1 otherwise (buf contents then unspecified; the caller
 * wipes it). */
void arm64_aes_ccm_seal(const struct arm64_aes_key *k, const uint8_t nonce[12],
			const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
			uint8_t tag[16]);
int arm64_aes_ccm_open(const struct arm64_aes_key *k, const uint8_t nonce[12],
		       const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
		       const uint8_t tag[16]);

/* ---------------------------------------------------------------- AES-GCM (gcm_ce.c) */

/* The AES key schedule and the GHASH key powers (H^1..H^8, in whatever
 * form gcm_ce.c wants). Must stay within 512 bytes
 * (CRYPTO_AEAD_STATE_BYTES). */
struct arm64_gcm_key {
	struct arm64_aes_key aes;
	_Alignas(16) uint8_t h[12][16];
};

void arm64_gcm_init(struct arm64_gcm_key *k, const uint8_t *key, size_t keylen);
/* AES-GCM with a 12-byte nonce, 16-byte tag. open as for CCM. */
void arm64_gcm_seal(const struct arm64_gcm_key *k, const uint8_t nonce[12],
		    const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
		    uint8_t tag[16]);
int arm64_gcm_open(const struct arm64_gcm_key *k, const uint8_t nonce[12],
		   const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
		   const uint8_t tag[16]);

/* ---------------------------------------------------------------- ChaCha20-Poly1305 (chacha_neon.c) */

/* The AEAD of RFC 8439 section 2.8 with the raw 32-byte key. open as for
 * CCM. */
void arm64_chacha20_poly1305_seal(const uint8_t key[32], const uint8_t nonce[12],
				  const uint8_t *aad, size_t aadlen,
				  uint8_t *buf, size_t len, uint8_t tag[16]);
int arm64_chacha20_poly1305_open(const uint8_t key[32], const uint8_t nonce[12],
				 const uint8_t *aad, size_t aadlen,
				 uint8_t *buf, size_t len, const uint8_t tag[16]);

/* masks[i] = the first 5 bytes of ChaCha20(key, counter = samples[i][0..3]
 * little endian, nonce = samples[i][4..15]) keystream, for i < n (RFC 9001
 * 5.4.4); up to 4 samples per NEON pass. */
void arm64_chacha20_hp_mask(const uint8_t key[32], const uint8_t (*samples)[16],
			    uint8_t (*masks)[5], size_t n);

/* ---------------------------------------------------------------- HKDF (sha2_ce.c) */

/* HKDF-Extract / HKDF-Expand (RFC 5869) with HMAC-SHA-256 (hashlen 32,
 * needs ARM64_CPU_SHA256) or HMAC-SHA-384 (hashlen 48, needs
 * ARM64_CPU_SHA512). prk is hashlen bytes. saltlen 0 means the HashLen
 * zero bytes of RFC 5869 2.2 (salt may then be NULL); ikm/info may be NULL
 * when their length is 0. expand: outlen <= 255 * hashlen, else -1.
 * Return 0, or -1 on a bad hashlen/outlen. */
int arm64_hkdf_extract(size_t hashlen, const uint8_t *salt, size_t saltlen,
		       const uint8_t *ikm, size_t ikmlen, uint8_t *prk);
int arm64_hkdf_expand(size_t hashlen, const uint8_t *prk, size_t prklen,
		      const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen);

/* ---------------------------------------------------------------- CPU probe (cpu.c) */

#define ARM64_CPU_ASIMD  (1u << 0)  /* NEON */
#define ARM64_CPU_AES    (1u << 1)  /* AESE/AESD/AESMC/AESIMC */
#define ARM64_CPU_PMULL  (1u << 2)  /* PMULL/PMULL2 on 64-bit lanes */
#define ARM64_CPU_SHA256 (1u << 3)
#define ARM64_CPU_SHA512 (1u << 4)

/* The features of the running CPU (probed once), within the mask. */
unsigned arm64_cpu_features(void);
/* Pretend the CPU has only the features in keep (~0u: all it has). For
 * tests: a CPU without AES (Raspberry Pi 4 class) on any CPU. Affects
 * keys initialised afterwards. */
void arm64_cpu_mask(unsigned keep);

#endif
