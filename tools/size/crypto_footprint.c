/* tools/size/crypto_footprint.c: a program that reaches every function of
 * crypto/crypto.h and nothing else, so that its link map (after
 * --gc-sections) is the crypto footprint of the backend it links: `make
 * size` prints it per directory for each backend on arm64. It is never
 * run for its result; it runs correctly all the same (one seal, open and
 * mask per enabled suite, HKDF), exit status 0 when everything works. */
#include <stdio.h>

#include "crypto/crypto.h"

int main(int argc, char **argv)
{
	static const enum crypto_aead algs[] = {
		CRYPTO_AES_128_GCM, CRYPTO_AES_256_GCM, CRYPTO_CHACHA20_POLY1305,
		CRYPTO_AES_128_CCM,
	};
	uint8_t key[32] = { (uint8_t)argc }, nonce[12] = { 0 }, buf[64] = { 0 }, tag[16];
	uint8_t sample[1][16] = { { 0 } }, mask[1][5], prk[48], out[32];
	int bad = 0;

	crypto_set_portable(argc > 1 && argv[1][0] == 'p');
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		struct crypto_aead_ctx a;
		struct crypto_hp_ctx h;
		enum crypto_aead alg = algs[i];
		size_t kl = crypto_aead_keylen(alg);

		if (!crypto_aead_enabled(alg))
			continue;
		bad |= crypto_aead_init(&a, alg, key, kl);
		bad |= crypto_aead_seal(&a, nonce, key, 5, buf, sizeof(buf), tag);
		bad |= crypto_aead_open(&a, nonce, key, 5, buf, sizeof(buf), tag);
		bad |= crypto_hp_init(&h, alg, key, kl);
		bad |= crypto_hp_mask(&h, (const uint8_t (*)[16])sample, mask, 1);
		bad |= crypto_hkdf_extract(crypto_aead_hash(alg), NULL, 0, key, kl, prk);
		bad |= crypto_hkdf_expand_label(crypto_aead_hash(alg), prk,
						crypto_hash_len(crypto_aead_hash(alg)), "quic key", 8,
						NULL, 0, out, kl);
		printf("%s: aead %s, hp %s, accelerated %d\n", crypto_aead_name(alg),
		       crypto_aead_impl(&a), crypto_hp_impl(&h), crypto_aead_accelerated(alg));
		crypto_aead_deinit(&a);
		crypto_hp_deinit(&h);
	}
	return bad ? 1 : 0;
}
