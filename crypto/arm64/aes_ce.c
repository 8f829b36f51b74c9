/* crypto/arm64/aes_ce.c: AES-128/256 with the ARMv8 Cryptography
 * Extensions (FEAT_AES): key expansion, batched ECB for QUIC header
 * protection, AES-CCM.
 *
 * AESE(x, k) is AddRoundKey(k), ShiftRows, SubBytes; AESMC is MixColumns.
 * One block: AESE+AESMC with rk[0..rounds-2], AESE with rk[rounds-1], EOR
 * with rk[rounds]. Callers load the round keys into registers once and the
 * per-block loops are fully unrolled for a constant round count, so the
 * keys stay in registers.
 *
 * Key expansion: SubWord(w) is AESE of a vector holding w in all four
 * columns under a zero key: ShiftRows only moves bytes between identical
 * columns, so column 0 is SubBytes(w). No table, constant time.
 *
 * CCM (RFC 3610, M = 16, L = 3): the CBC-MAC is a serial chain, so it runs
 * interleaved with the independent CTR blocks, two AES blocks in flight:
 * seal MACs the block it encrypts; open MACs the previous group of four
 * plaintext blocks (read back from buf) while decrypting the next group.
 * Both chains stop before the final AddRoundKey (E' = E ^ rk[last]); the
 * MAC state is Z = X ^ rk[last]. Seal forms Q = P ^ rk[last] once and
 * uses it twice: C = E'(A_i) ^ Q, and the next MAC round takes Z ^ Q
 * under rk[0] (= X ^ P under rk[0]). Open takes Z ^ P under
 * rk[0] ^ rk[last]. One EOR per block less than the textbook order.
 * len must be < 2^24 (three length bytes in B0): seal then writes a
 * wrong tag, open returns -1. TLS records and QUIC packets are far below.
 */
#include <string.h>

#include <arm_neon.h>

#include "crypto/arm64/arm64.h"
#include "crypto/crypto.h"

#if defined(__AARCH64EB__)
#error "little-endian aarch64 only (32-bit lane arithmetic on byte vectors)"
#endif

/* Pre-RA scheduling hoists loads and products far ahead of their use and
 * runs out of the 32 vector registers in the unrolled loops. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-schedule-insns")
#endif

#include "crypto/arm64/ce_util.h"  /* after the pragma: its inlines take it too */

/* ---------------------------------------------------------------- block helpers */

/* All rounds but the final AddRoundKey; the first one under k0. */
INLINE uint8x16_t aes_nolast(uint8x16_t x, uint8x16_t k0, const uint8x16_t *rk,
			     const int rounds)
{
	x = vaesmcq_u8(vaeseq_u8(x, k0));
#pragma GCC unroll 14
	for (int r = 1; r < rounds - 1; r++)
		x = vaesmcq_u8(vaeseq_u8(x, rk[r]));
	return vaeseq_u8(x, rk[rounds - 1]);
}

/* A CTR block (*c, from rk[0]) and a CBC-MAC step (*z, from k0) side by
 * side, round by round; both without the final AddRoundKey. */
INLINE void aes_pair(uint8x16_t *c, uint8x16_t *z, uint8x16_t k0, const uint8x16_t *rk,
		     const int rounds)
{
	uint8x16_t a = *c, b = *z;

	a = vaesmcq_u8(vaeseq_u8(a, rk[0]));
	b = vaesmcq_u8(vaeseq_u8(b, k0));
#pragma GCC unroll 14
	for (int r = 1; r < rounds - 1; r++) {
		a = vaesmcq_u8(vaeseq_u8(a, rk[r]));
		b = vaesmcq_u8(vaeseq_u8(b, rk[r]));
	}
	*c = vaeseq_u8(a, rk[rounds - 1]);
	*z = vaeseq_u8(b, rk[rounds - 1]);
}

/* ---------------------------------------------------------------- key expansion */

static uint32_t sub_word(uint32_t w)
{
	uint8x16_t v = vreinterpretq_u8_u32(vdupq_n_u32(w));

	v = vaeseq_u8(v, vdupq_n_u8(0));
	return vgetq_lane_u32(vreinterpretq_u32_u8(v), 0);
}

/* Words are little endian: byte 0 of a word is bits 0..7, so RotWord is a
 * rotate right by 8 and Rcon goes into the low byte. */
void arm64_aes_expand(struct arm64_aes_key *k, const uint8_t *key, size_t keylen)
{
	uint32_t w[60], rcon = 1;
	unsigned nk = keylen == 32 ? 8 : 4, total;

	k->rounds = nk == 8 ? 14 : 10;
	total = 4 * (k->rounds + 1);
	memcpy(w, key, 4 * nk);
	for (unsigned i = nk; i < total; i++) {
		uint32_t t = w[i - 1];

		if (i % nk == 0) {
			t = sub_word(t);
			t = ((t >> 8) | (t << 24)) ^ rcon;
			rcon = ((rcon << 1) ^ (0x1b & -(rcon >> 7))) & 0xff;
		} else if (nk == 8 && i % nk == 4) {
			t = sub_word(t);
		}
		w[i] = w[i - nk] ^ t;
	}
	memcpy(k->rk, w, 4 * total);
	memset((uint8_t *)k->rk + 4 * total, 0, sizeof(k->rk) - 4 * total);
	crypto_wipe(w, sizeof(w));
}

/* ---------------------------------------------------------------- header protection */

INLINE void store_mask(uint8_t *m, uint8x16_t x)
{
	uint32_t w = vgetq_lane_u32(vreinterpretq_u32_u8(x), 0);

	memcpy(m, &w, 4);
	m[4] = vgetq_lane_u8(x, 4);
}

INLINE void hp_mask(const struct arm64_aes_key *k, const uint8_t (*s)[16],
		    uint8_t (*m)[5], size_t n, const int rounds)
{
	uint8x16_t rk[15];

	load_rk(rk, k, rounds);
	for (; n >= 4; n -= 4, s += 4, m += 4) {
		uint8x16_t x[4];

#pragma GCC unroll 4
		for (int j = 0; j < 4; j++)
			x[j] = vld1q_u8(s[j]);
#pragma GCC unroll 14
		for (int r = 0; r < rounds - 1; r++) {
#pragma GCC unroll 4
			for (int j = 0; j < 4; j++)
				x[j] = vaesmcq_u8(vaeseq_u8(x[j], rk[r]));
		}
#pragma GCC unroll 4
		for (int j = 0; j < 4; j++)
			store_mask(m[j], veorq_u8(vaeseq_u8(x[j], rk[rounds - 1]), rk[rounds]));
	}
	for (; n; n--, s++, m++)
		store_mask(*m, aes_enc(vld1q_u8(*s), rk, rounds));
}

void arm64_aes_hp_mask(const struct arm64_aes_key *k, const uint8_t (*samples)[16],
		       uint8_t (*masks)[5], size_t n)
{
	if (k->rounds == 14)
		hp_mask(k, samples, masks, n, 14);
	else
		hp_mask(k, samples, masks, n, 10);
}

/* ---------------------------------------------------------------- CCM */

/* B0 and A0 flags: Adata (0x40), (M - 2) / 2 << 3, L - 1. */
#define CCM_FLAGS_B0 (((16 - 2) / 2) << 3 | 2)
#define CCM_FLAGS_A  2

INLINE uint32x4_t ctr_one(void)
{
	return vsetq_lane_u32(1, vdupq_n_u32(0), 3);
}

/* The counter is kept with each 32-bit word byte-swapped (VREV32), so
 * incrementing the big-endian count is a vector add to lane 3. */
INLINE uint8x16_t ctr_next(uint32x4_t *cv, uint32x4_t one)
{
	uint8x16_t c = vrev32q_u8(vreinterpretq_u8_u32(*cv));

	*cv = vaddq_u32(*cv, one);
	OPAQUE(*cv);
	return c;
}

/* CBC-MAC of the encoded AAD (RFC 3610 2.2: a 2-byte length, or 0xfffe
 * and a 4-byte length from 0xff00 on, then the AAD, zero-padded) into x. */
INLINE uint8x16_t ccm_aad(uint8x16_t x, const uint8x16_t *rk, const int rounds,
			  const uint8_t *aad, size_t aadlen)
{
	uint8x16_t a = aadlen >= 16 ? vld1q_u8(aad) : load_partial(aad, aadlen), b;
	size_t n;

	/* the length field in the top lanes of b, then the AAD after it */
	if (aadlen < 0xff00) {
		b = vreinterpretq_u8_u16(vsetq_lane_u16(__builtin_bswap16((uint16_t)aadlen),
							vdupq_n_u16(0), 7));
		b = vextq_u8(b, a, 14);
		n = 14;
	} else {
		b = vreinterpretq_u8_u32(vsetq_lane_u32(__builtin_bswap32((uint32_t)aadlen),
							vdupq_n_u32(0), 3));
		b = vreinterpretq_u8_u16(vsetq_lane_u16(0xfeff, vreinterpretq_u16_u8(b), 5));
		b = vextq_u8(b, a, 10);
		n = 10;
	}
	x = aes_enc(veorq_u8(x, b), rk, rounds);
	if (aadlen <= n)
		return x;
	aad += n;
	aadlen -= n;
	for (; aadlen >= 16; aadlen -= 16, aad += 16)
		x = aes_enc(veorq_u8(x, vld1q_u8(aad)), rk, rounds);
	if (aadlen)
		x = aes_enc(veorq_u8(x, load_partial(aad, aadlen)), rk, rounds);
	return x;
}

/* seal, four blocks: MAC block j next to CTR block j. */
INLINE void ccm_seal4(uint8_t *p, uint8x16_t *z, uint32x4_t *cv, uint32x4_t one,
		      const uint8x16_t *rk, const int rounds)
{
	uint8x16_t d[4];

#pragma GCC unroll 4
	for (int j = 0; j < 4; j++)
		d[j] = vld1q_u8(p + 16 * j);
#pragma GCC unroll 4
	for (int j = 0; j < 4; j++) {
		uint8x16_t q = veorq_u8(d[j], rk[rounds]), c = ctr_next(cv, one);

		*z = veorq_u8(*z, q);
		aes_pair(&c, z, rk[0], rk, rounds);
		d[j] = veorq_u8(c, q);
	}
#pragma GCC unroll 4
	for (int j = 0; j < 4; j++)
		vst1q_u8(p + 16 * j, d[j]);
}

/* open, four blocks: CTR of p's blocks next to the MAC of the four
 * plaintext blocks at prev (if mac). */
INLINE void ccm_open4(uint8_t *p, const uint8_t *prev, const bool mac, uint8x16_t *z,
		      uint32x4_t *cv, uint32x4_t one, uint8x16_t kx,
		      const uint8x16_t *rk, const int rounds)
{
	uint8x16_t d[4];

	/* reload the plaintext stored last time rather than keeping it */
	__asm__("" : "+r"(prev));
#pragma GCC unroll 4
	for (int j = 0; j < 4; j++)
		d[j] = vld1q_u8(p + 16 * j);
#pragma GCC unroll 4
	for (int j = 0; j < 4; j++) {
		uint8x16_t c = ctr_next(cv, one);

		if (mac) {
			*z = veorq_u8(*z, vld1q_u8(prev + 16 * j));
			aes_pair(&c, z, kx, rk, rounds);
		} else {
			c = aes_nolast(c, rk[0], rk, rounds);
		}
		d[j] = veorq_u8(c, veorq_u8(d[j], rk[rounds]));
	}
#pragma GCC unroll 4
	for (int j = 0; j < 4; j++)
		vst1q_u8(p + 16 * j, d[j]);
}

/* The CCM tag of (aad, buf) into t; buf en- or decrypted in place. */
INLINE void ccm(const struct arm64_aes_key *k, const uint8_t nonce[12], const uint8_t *aad,
		size_t aadlen, uint8_t *buf, size_t len, uint8_t t[16], const bool open,
		const int rounds)
{
	const uint32x4_t one = ctr_one();
	uint8x16_t rk[15], x, z, c, a0, b0;
	uint32x4_t cv;
	uint64_t n0;
	uint32_t n1;

	load_rk(rk, k, rounds);

	/* A0 = 2 || nonce || 0 0 0; B0 = flags || nonce || len (24 bits) */
	memcpy(&n0, nonce, 8);
	memcpy(&n1, nonce + 8, 4);
	a0 = vreinterpretq_u8_u64(vcombine_u64(vcreate_u64(n0), vcreate_u64(n1)));
	a0 = vextq_u8(vdupq_n_u8(CCM_FLAGS_A), a0, 15);
	b0 = vreinterpretq_u8_u64(vcombine_u64(
		vcreate_u64(CCM_FLAGS_A ^ CCM_FLAGS_B0 ^ (aadlen ? 0x40 : 0)),
		vcreate_u64((uint64_t)__builtin_bswap32((uint32_t)len & 0xffffff) << 32)));
	b0 = veorq_u8(a0, b0);
	cv = vaddq_u32(vreinterpretq_u32_u8(vrev32q_u8(a0)), one);

	x = aes_enc(b0, rk, rounds);
	if (aadlen)
		x = ccm_aad(x, rk, rounds, aad, aadlen);
	z = veorq_u8(x, rk[rounds]);

	if (!open) {
		for (; len >= 64; len -= 64, buf += 64)
			ccm_seal4(buf, &z, &cv, one, rk, rounds);
		for (; len >= 16; len -= 16, buf += 16) {
			uint8x16_t q = veorq_u8(vld1q_u8(buf), rk[rounds]);

			c = ctr_next(&cv, one);
			z = veorq_u8(z, q);
			aes_pair(&c, &z, rk[0], rk, rounds);
			vst1q_u8(buf, veorq_u8(c, q));
		}
	} else {
		const uint8x16_t kx = veorq_u8(rk[0], rk[rounds]);

		if (len >= 64) {
			ccm_open4(buf, NULL, false, &z, &cv, one, kx, rk, rounds);
			for (buf += 64, len -= 64; len >= 64; len -= 64, buf += 64)
				ccm_open4(buf, buf - 64, true, &z, &cv, one, kx, rk, rounds);
#pragma GCC unroll 4
			for (int j = 4; j > 0; j--)
				z = aes_nolast(veorq_u8(z, vld1q_u8(buf - 16 * j)), kx, rk, rounds);
		}
		for (; len >= 16; len -= 16, buf += 16) {
			c = aes_nolast(ctr_next(&cv, one), rk[0], rk, rounds);
			x = veorq_u8(c, veorq_u8(vld1q_u8(buf), rk[rounds]));
			vst1q_u8(buf, x);
			z = aes_nolast(veorq_u8(z, x), kx, rk, rounds);
		}
	}
	if (len) {
		x = load_partial(buf, len);
		c = veorq_u8(x, aes_enc(ctr_next(&cv, one), rk, rounds));
		store_partial(buf, c, len);
		if (open)
			x = mask_partial(c, len);
		/* x: the zero-padded plaintext */
		z = aes_nolast(veorq_u8(z, veorq_u8(x, rk[rounds])), rk[0], rk, rounds);
	}

	/* T = X_last ^ S_0 = Z ^ rk[last] ^ E(A_0) */
	x = veorq_u8(veorq_u8(z, rk[rounds]), aes_enc(a0, rk, rounds));
	vst1q_u8(t, x);
}

void arm64_aes_ccm_seal(const struct arm64_aes_key *k, const uint8_t nonce[12],
			const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
			uint8_t tag[16])
{
	if (k->rounds == 14)
		ccm(k, nonce, aad, aadlen, buf, len, tag, false, 14);
	else
		ccm(k, nonce, aad, aadlen, buf, len, tag, false, 10);
}

int arm64_aes_ccm_open(const struct arm64_aes_key *k, const uint8_t nonce[12],
		       const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
		       const uint8_t tag[16])
{
	uint8_t t[16];
	int ret;

	if (len >> 24)
		return -1;
	if (k->rounds == 14)
		ccm(k, nonce, aad, aadlen, buf, len, t, true, 14);
	else
		ccm(k, nonce, aad, aadlen, buf, len, t, true, 10);
	ret = crypto_equal(t, tag, 16) ? 0 : -1;
	crypto_wipe(t, sizeof(t));
	return ret;
}
