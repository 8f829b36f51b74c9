/* Crypto types. See crypto/crypto.h for the functions and DESIGN.md
 * section 5.
 *
 * The contexts live by value inside their owner (a connection's encryption
 * levels): no heap, no pointer to backend memory. Their backend state is
 * opaque storage here, so that protocol code never includes a backend's
 * headers; each backend checks at compile time (BUILD_ASSERT) that its
 * state fits and is aligned.
 */
#ifndef TERN_CRYPTO_CRYPTO_T_H
#define TERN_CRYPTO_CRYPTO_T_H

#include <stddef.h>
#include <stdint.h>

/* The AEADs of the TLS 1.3 cipher suites QUIC uses (RFC 9001 5.3). The
 * numbering is internal; 0 is no algorithm, so a zeroed context holds none. */
enum crypto_aead {
	CRYPTO_AEAD_NONE = 0,
	CRYPTO_AES_128_GCM,
	CRYPTO_AES_256_GCM,
	CRYPTO_CHACHA20_POLY1305,
	CRYPTO_AES_128_CCM,
};

/* The hash of a suite's key schedule (HKDF). */
enum crypto_hash {
	CRYPTO_HASH_NONE = 0,
	CRYPTO_SHA256,
	CRYPTO_SHA384,
};

#define CRYPTO_AEAD_NONCE_LEN 12  /* every suite: RFC 8446 5.3, RFC 9001 5.3 */
#define CRYPTO_AEAD_TAG_LEN   16  /* every suite (no CCM_8) */
#define CRYPTO_AEAD_MAX_KEY   32
#define CRYPTO_HP_SAMPLE_LEN  16  /* RFC 9001 5.4.2 */
#define CRYPTO_HP_MASK_LEN    5   /* first byte and up to 4 packet-number bytes */
#define CRYPTO_HASH_MAX_LEN   48  /* SHA-384 */

/* Backend state sizes: the largest any backend needs (wolfCrypt's Aes is
 * 344 bytes on x86_64 and on arm64, ChaCha 68; the arm64 backend's GCM
 * key, round keys and H powers, must fit too). */
#define CRYPTO_AEAD_STATE_BYTES 512
#define CRYPTO_HP_STATE_BYTES   384

/* An AEAD key schedule: what seal/open need for one key. */
struct crypto_aead_ctx {
	enum crypto_aead alg;
	uint8_t impl;  /* index into the build's backend list (crypto/backend.h) */
	_Alignas(16) uint8_t state[CRYPTO_AEAD_STATE_BYTES];
};

/* A header-protection key schedule (AES-ECB or ChaCha20, RFC 9001 5.4). */
struct crypto_hp_ctx {
	enum crypto_aead alg;
	uint8_t impl;
	_Alignas(16) uint8_t state[CRYPTO_HP_STATE_BYTES];
};

#endif
