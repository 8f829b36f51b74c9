/* crypto/arm64/ce_util.h: inline helpers shared by aes_ce.c and gcm_ce.c
 * (internal to crypto/arm64/; included after <arm_neon.h> and arm64.h by
 * files compiled with +crypto). */
#ifndef TERN_CRYPTO_ARM64_CE_UTIL_H
#define TERN_CRYPTO_ARM64_CE_UTIL_H

#include <string.h>

#include <arm_neon.h>

#include "crypto/arm64/arm64.h"

#define INLINE static inline __attribute__((always_inline))

/* An empty asm makes a value opaque and keeps the computation in the
 * order written: GCC's tree passes would otherwise rewrite the serial
 * counter increments into adds of constants loaded from memory, and
 * reassociate the GHASH sums so that all products are spilled before
 * being added. */
#define OPAQUE(x) __asm__("" : "+w"(x))

/* The whole key schedule into registers (once per call). */
INLINE void load_rk(uint8x16_t *rk, const struct arm64_aes_key *k, const int rounds)
{
#pragma GCC unroll 15
	for (int i = 0; i <= rounds; i++)
		rk[i] = vld1q_u8(k->rk[i]);
}

/* One block: rounds-1 AESE+AESMC, the last AESE, the final AddRoundKey. */
INLINE uint8x16_t aes_enc(uint8x16_t x, const uint8x16_t *rk, const int rounds)
{
#pragma GCC unroll 14
	for (int r = 0; r < rounds - 1; r++)
		x = vaesmcq_u8(vaeseq_u8(x, rk[r]));
	return veorq_u8(vaeseq_u8(x, rk[rounds - 1]), rk[rounds]);
}

/* p[0..n) zero-padded into a vector, n < 16, reading no byte past p + n
 * (pieces of 8, 4, 2, 1 bytes; no stack copy to wipe). */
INLINE uint8x16_t load_partial(const uint8_t *p, size_t n)
{
	uint64_t lo = 0, t = 0;
	uint32_t w;
	uint16_t h;

	if (n & 8) {
		memcpy(&lo, p, 8);
		p += 8;
	}
	if (n & 4) {
		memcpy(&w, p, 4);
		t = w;
	}
	if (n & 2) {
		memcpy(&h, p + (n & 4), 2);
		t |= (uint64_t)h << (8 * (n & 4));
	}
	if (n & 1)
		t |= (uint64_t)p[n & 6] << (8 * (n & 6));
	if (!(n & 8)) {
		lo = t;
		t = 0;
	}
	return vreinterpretq_u8_u64(vcombine_u64(vcreate_u64(lo), vcreate_u64(t)));
}

/* The first n bytes of v to p, n < 16. */
INLINE void store_partial(uint8_t *p, uint8x16_t v, size_t n)
{
	uint64_t t = vgetq_lane_u64(vreinterpretq_u64_u8(v), 0);

	if (n & 8) {
		memcpy(p, &t, 8);
		p += 8;
		t = vgetq_lane_u64(vreinterpretq_u64_u8(v), 1);
	}
	if (n & 4) {
		uint32_t w = (uint32_t)t;

		memcpy(p, &w, 4);
		p += 4;
		t >>= 32;
	}
	if (n & 2) {
		uint16_t h = (uint16_t)t;

		memcpy(p, &h, 2);
		p += 2;
		t >>= 16;
	}
	if (n & 1)
		*p = (uint8_t)t;
}

/* v with bytes n..15 cleared */
INLINE uint8x16_t mask_partial(uint8x16_t v, size_t n)
{
	static const uint8_t iota[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

	return vandq_u8(v, vcltq_u8(vld1q_u8(iota), vdupq_n_u8((uint8_t)n)));
}

#endif
