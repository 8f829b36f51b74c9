/* crypto/crypto: the backend-independent part of crypto/crypto.h: suite
 * properties (which suites are built, their key lengths and hashes), the
 * TLS 1.3 HKDF-Expand-Label framing, wiping. The primitives are the
 * backend's (crypto/crypto_wolfcrypt.c). */
#include <string.h>

#include "crypto/crypto.h"
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
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
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
