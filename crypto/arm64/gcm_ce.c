/* crypto/arm64/gcm_ce.c: AES-GCM (NIST SP 800-38D, 96-bit IV) with
 * AESE/AESMC and PMULL.
 *
 * Bit order: GCM gives bit 7 of byte 0 the coefficient of x^0. REV64 per
 * 64-bit half turns a block into a 128-bit value whose bit 127-i holds
 * x^i ("reflected"), with its high 64 bits in lane 0 and its low 64 bits
 * in lane 1. Data, key powers and the GHASH state Y all keep that swapped
 * lane order: PMULL (lane 0) gives the high product a1*b1 and PMULL2
 * (lane 1) the low one a0*b0, so the swap costs nothing. The carry-less
 * product of two reflected values is the reflected product times x (one
 * bit off); the key is stored as H * x^-1 (H shifted left one bit,
 * reduced), so products need no shift.
 *
 * Karatsuba: a*b = a1b1 t^128 ^ ((a1^a0)(b1^b0) ^ a1b1 ^ a0b0) t^64 ^ a0b0,
 * three PMULLs per block; b1^b0 of each key power is precomputed.
 *
 * Aggregated reduction: eight blocks are summed unreduced as
 * (Y ^ C0) H^8 ^ C1 H^7 ^ ... ^ C7 H and reduced once modulo
 * x^128 + x^7 + x^2 + x + 1. Reflected, the terms of degree >= 128 sit in
 * the low 128 bits; each low 64-bit word w folds upward as
 * w * (t^128 + t^127 + t^126 + t^121): an EOR plus a PMULL by
 * 0xc200000000000000 (t^63 + t^62 + t^57), twice.
 *
 * The main loop runs 8 CTR blocks through AESE/AESMC and GHASHes one
 * ciphertext block per AES round: on open the blocks it decrypts, on seal
 * those encrypted by the previous iteration (read back from buf). The
 * round keys are loaded once per call and stay in registers.
 *
 * Key layout (struct arm64_gcm_key.h): h[0..7] = H^1..H^8 (times x^-1,
 * swapped lanes), h[8..11] = the eight 64-bit b1^b0 of H^1..H^8.
 */
#include <string.h>

#include <arm_neon.h>

#include "crypto/arm64/arm64.h"
#include "crypto/crypto.h"

#if defined(__AARCH64EB__)
#error "little-endian aarch64 only (lane arithmetic on byte vectors)"
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-schedule-insns")
#endif

#include "crypto/arm64/ce_util.h"  /* after the pragma: its inlines take it too */

#define GF_FOLD 0xc200000000000000ull

/* ---------------------------------------------------------------- AES */


/* Counter kept with each 32-bit word byte-swapped (VREV32): inc32 of the
 * big-endian last word is a vector add to lane 3. */
INLINE uint8x16_t ctr_next(uint32x4_t *cv, uint32x4_t one)
{
	uint8x16_t c = vrev32q_u8(vreinterpretq_u8_u32(*cv));

	*cv = vaddq_u32(*cv, one);
	OPAQUE(*cv);
	return c;
}

/* J0 = nonce || 00 00 00 01 */
INLINE uint8x16_t gcm_j0(const uint8_t nonce[12])
{
	uint64_t a;
	uint32_t b;

	memcpy(&a, nonce, 8);
	memcpy(&b, nonce + 8, 4);
	return vreinterpretq_u8_u64(vcombine_u64(vcreate_u64(a),
						 vcreate_u64(b | 1ull << 56)));
}

/* ---------------------------------------------------------------- GHASH */

INLINE uint64x2_t pmull_lo(uint64x2_t a, uint64x2_t b)
{
	return vreinterpretq_u64_p128(vmull_p64(vgetq_lane_p64(vreinterpretq_p64_u64(a), 0),
						vgetq_lane_p64(vreinterpretq_p64_u64(b), 0)));
}

INLINE uint64x2_t pmull_hi(uint64x2_t a, uint64x2_t b)
{
	return vreinterpretq_u64_p128(vmull_high_p64(vreinterpretq_p64_u64(a),
						     vreinterpretq_p64_u64(b)));
}

/* a block in the GHASH (reflected, swapped) form */
INLINE uint64x2_t gh_vec(uint8x16_t x)
{
	return vreinterpretq_u64_u8(vrev64q_u8(x));
}

INLINE uint64x2_t gh_load(const uint8_t *p)
{
	return gh_vec(vld1q_u8(p));
}

INLINE uint64x2_t gh_key(const struct arm64_gcm_key *k, int i)
{
	return vreinterpretq_u64_u8(vld1q_u8(k->h[i]));
}

/* Reduce the 256-bit lo ^ hi t^128 ^ mid t^64, mid not yet Karatsuba
 * corrected (r3:r2 = hi, r1:r0 = lo, as 64-bit words). Phase 1 folds r0
 * into r2:r1, phase 2 the new r1 into r3:r2; the result, r3:r2, is
 * returned in the swapped lane order. */
INLINE uint64x2_t gh_reduce(uint64x2_t lo, uint64x2_t hi, uint64x2_t mid)
{
	const uint64x2_t zero = vdupq_n_u64(0), fold = vdupq_n_u64(GF_FOLD);
	uint64x2_t m, q;

	m = veorq_u64(mid, veorq_u64(lo, hi));          /* Karatsuba */
	m = veorq_u64(m, vextq_u64(lo, hi, 1));         /* r2:r1 */
	m = veorq_u64(m, vextq_u64(zero, lo, 1));       /* r0 t^128 */
	m = veorq_u64(m, pmull_lo(lo, fold));           /* r0 (t^127 + t^126 + t^121) */
	q = pmull_lo(m, fold);
	m = veorq_u64(m, vextq_u64(q, q, 1));
	return veorq_u64(m, vextq_u64(hi, zero, 1));    /* r3 */
}

/* a * b * x for a, b in the swapped lane order (so a * H for b = H x^-1). */
static uint64x2_t gh_mul(uint64x2_t a, uint64x2_t b)
{
	uint64x2_t am = veorq_u64(a, vextq_u64(a, a, 1)), bm = veorq_u64(b, vextq_u64(b, b, 1));

	return gh_reduce(pmull_hi(a, b), pmull_lo(a, b), pmull_lo(am, bm));
}

/* kk(k, i): b1^b0 of H^(i+1), the Karatsuba middle operand */
INLINE poly64_t gh_kk(const struct arm64_gcm_key *k, size_t i)
{
	return vget_lane_p64(vreinterpret_p64_u8(vld1_u8(k->h[8] + 8 * i)), 0);
}

/* Y = GHASH update over n1 blocks at p then n2 blocks already in the
 * swapped form at e: groups of up to eight, one reduction each. */
static uint64x2_t gh_update(const struct arm64_gcm_key *k, uint64x2_t y, const uint8_t *p,
			    size_t n1, const uint64x2_t *e, size_t n2)
{
	size_t n = n1 + n2;

	while (n) {
		size_t pw = n < 8 ? n : 8;  /* the next block takes H^pw */
		uint64x2_t lo = vdupq_n_u64(0), hi = lo, mid = lo, d = y;

		n -= pw;
		for (; pw; pw--) {
			uint64x2_t h = gh_key(k, (int)pw - 1), m;

			if (n1) {
				d = veorq_u64(d, gh_load(p));
				p += 16;
				n1--;
			} else {
				d = veorq_u64(d, *e++);
			}
			m = veorq_u64(d, vextq_u64(d, d, 1));
			lo = veorq_u64(lo, pmull_hi(d, h));
			hi = veorq_u64(hi, pmull_lo(d, h));
			mid = veorq_u64(mid, vreinterpretq_u64_p128(
					vmull_p64(vgetq_lane_p64(vreinterpretq_p64_u64(m), 0),
						  gh_kk(k, pw - 1))));
			d = vdupq_n_u64(0);
		}
		y = gh_reduce(lo, hi, mid);
	}
	return y;
}

void arm64_gcm_init(struct arm64_gcm_key *k, const uint8_t *key, size_t keylen)
{
	uint8x16_t x = vdupq_n_u8(0);
	uint64x2_t h[8];
	uint64_t h1, h0, c;

	arm64_aes_expand(&k->aes, key, keylen);
	for (unsigned r = 0; r + 1 < k->aes.rounds; r++)
		x = vaesmcq_u8(vaeseq_u8(x, vld1q_u8(k->aes.rk[r])));
	x = vaeseq_u8(x, vld1q_u8(k->aes.rk[k->aes.rounds - 1]));
	x = veorq_u8(x, vld1q_u8(k->aes.rk[k->aes.rounds]));

	/* H x^-1: the reflected H shifted left one bit; a carry out (x^-1)
	 * is x^127 + x^6 + x + 1, i.e. 0xc2000000000000000000000000000001. */
	x = vrev64q_u8(x);
	h1 = vgetq_lane_u64(vreinterpretq_u64_u8(x), 0);
	h0 = vgetq_lane_u64(vreinterpretq_u64_u8(x), 1);
	c = 0 - (h1 >> 63);
	h[0] = vcombine_u64(vcreate_u64((h1 << 1 | h0 >> 63) ^ (c & GF_FOLD)),
			    vcreate_u64((h0 << 1) ^ (c & 1)));
	for (int i = 1; i < 8; i++)
		h[i] = gh_mul(h[i - 1], h[0]);
	for (int i = 0; i < 8; i++)
		vst1q_u8(k->h[i], vreinterpretq_u8_u64(h[i]));
	/* h[8..11]: b1^b0 of H^1..H^8, eight 64-bit words (gh_kk) */
	for (int i = 0; i < 8; i++) {
		uint64_t kk = vgetq_lane_u64(h[i], 0) ^ vgetq_lane_u64(h[i], 1);

		memcpy(k->h[8] + 8 * i, &kk, 8);
	}
	crypto_wipe(h, sizeof(h));
}

/* ---------------------------------------------------------------- GCM */

struct gh_acc {
	uint64x2_t lo, hi, mid;
};

/* a ^= v, kept in this order (OPAQUE) */
INLINE void acc(uint64x2_t *a, uint64x2_t v)
{
	*a = veorq_u64(*a, v);
	OPAQUE(*a);
}

/* Block j of the eight at g times H^(8-j) into s (j = 0 also adds Y and
 * starts the sums). */
INLINE void gh_one(struct gh_acc *s, const uint8_t *g, const int j, uint64x2_t y,
		   const struct arm64_gcm_key *k)
{
	uint64x2_t d = gh_load(g + 16 * j), h = gh_key(k, 7 - j), m, t;

	if (j == 0)
		d = veorq_u64(d, y);
	m = veorq_u64(d, vextq_u64(d, d, 1));
	t = vreinterpretq_u64_p128(vmull_p64(vgetq_lane_p64(vreinterpretq_p64_u64(m), 0),
					     gh_kk(k, 7 - (size_t)j)));
	if (j == 0) {
		s->lo = pmull_hi(d, h);
		s->hi = pmull_lo(d, h);
		s->mid = t;
	} else {
		acc(&s->lo, pmull_hi(d, h));
		acc(&s->hi, pmull_lo(d, h));
		acc(&s->mid, t);
	}
}

/* Y = GHASH update over the eight blocks at g. */
INLINE uint64x2_t gh_block8(const uint8_t *g, uint64x2_t y, const struct arm64_gcm_key *k)
{
	struct gh_acc s;

#pragma GCC unroll 8
	for (int j = 0; j < 8; j++)
		gh_one(&s, g, j, y, k);
	return gh_reduce(s.lo, s.hi, s.mid);
}

/* Eight CTR blocks at p (in place); if gh, GHASH the eight ciphertext
 * blocks at g into *y meanwhile, one block per AES round. */
INLINE void gcm_batch8(uint8_t *p, const uint8_t *g, const bool gh, uint64x2_t *y,
		       const struct arm64_gcm_key *k, uint32x4_t *cv, uint32x4_t one,
		       const uint8x16_t *rk, const int rounds)
{
	struct gh_acc s;
	uint8x16_t x[8];

	/* reload the ciphertext the last batch stored rather than keeping
	 * (and spilling) its registers */
	__asm__("" : "+r"(g));
#pragma GCC unroll 14
	for (int r = 0; r < rounds - 1; r++) {
#pragma GCC unroll 8
		for (int j = 0; j < 8; j++)
			x[j] = vaesmcq_u8(vaeseq_u8(r ? x[j] : ctr_next(cv, one), rk[r]));
		if (gh && r < 8)
			gh_one(&s, g, r, *y, k);
		if (gh && r == 8)
			*y = gh_reduce(s.lo, s.hi, s.mid);
	}
	if (gh && rounds - 1 == 8)
		*y = gh_reduce(s.lo, s.hi, s.mid);
#pragma GCC unroll 4
	for (int j = 0; j < 8; j += 2) {
		uint8x16_t a = vld1q_u8(p + 16 * j), b = vld1q_u8(p + 16 * j + 16);

		a = veorq_u8(a, veorq_u8(vaeseq_u8(x[j], rk[rounds - 1]), rk[rounds]));
		b = veorq_u8(b, veorq_u8(vaeseq_u8(x[j + 1], rk[rounds - 1]), rk[rounds]));
		vst1q_u8(p + 16 * j, a);
		vst1q_u8(p + 16 * j + 16, b);
	}
}

/* CTR over n full blocks at p, four at a time. */
INLINE void gcm_ctr(uint8_t *p, size_t n, uint32x4_t *cv, uint32x4_t one,
		    const uint8x16_t *rk, const int rounds)
{
	for (; n >= 4; n -= 4, p += 64) {
		uint8x16_t x[4];

#pragma GCC unroll 4
		for (int j = 0; j < 4; j++)
			x[j] = ctr_next(cv, one);
#pragma GCC unroll 14
		for (int r = 0; r < rounds - 1; r++) {
#pragma GCC unroll 4
			for (int j = 0; j < 4; j++)
				x[j] = vaesmcq_u8(vaeseq_u8(x[j], rk[r]));
		}
#pragma GCC unroll 4
		for (int j = 0; j < 4; j++)
			vst1q_u8(p + 16 * j, veorq_u8(vld1q_u8(p + 16 * j),
						      veorq_u8(vaeseq_u8(x[j], rk[rounds - 1]),
							       rk[rounds])));
	}
	for (; n; n--, p += 16)
		vst1q_u8(p, veorq_u8(vld1q_u8(p), aes_enc(ctr_next(cv, one), rk, rounds)));
}

/* The tag of (aad, buf) into t; buf en- or decrypted in place. */
INLINE void gcm(const struct arm64_gcm_key *k, const uint8_t nonce[12], const uint8_t *aad,
		size_t aadlen, uint8_t *buf, size_t len, uint8_t t[16], const bool open,
		const int rounds)
{
	const uint32x4_t one = vsetq_lane_u32(1, vdupq_n_u32(0), 3);
	size_t nb = len / 16, rem = len % 16, n8 = nb / 8, ne = 0;
	uint64x2_t y = vdupq_n_u64(0), e[2];
	uint8x16_t rk[15], x = vdupq_n_u8(0);
	uint32x4_t cv;
	uint8_t *g = NULL;  /* seal: eight ciphertext blocks not yet in GHASH */

	if (aadlen) {
		size_t ar = aadlen % 16;

		if (ar)
			e[0] = gh_vec(load_partial(aad + aadlen - ar, ar));
		y = gh_update(k, y, aad, aadlen / 16, e, ar != 0);
	}

	load_rk(rk, &k->aes, rounds);
	cv = vaddq_u32(vreinterpretq_u32_u8(vrev32q_u8(gcm_j0(nonce))), one);
	if (open) {
		for (; n8; n8--, buf += 128)
			gcm_batch8(buf, buf, true, &y, k, &cv, one, rk, rounds);
	} else if (n8) {
		gcm_batch8(buf, NULL, false, &y, k, &cv, one, rk, rounds);
		for (buf += 128; --n8; buf += 128)
			gcm_batch8(buf, buf - 128, true, &y, k, &cv, one, rk, rounds);
		g = buf - 128;
	}
	nb %= 8;

	/* the tail: nb full blocks, rem bytes (zero-padded for GHASH), the
	 * length block; GHASHed before decryption (open), after encryption
	 * (seal) */
	if (rem)
		x = load_partial(buf + 16 * nb, rem);
	if (open) {
		if (rem)
			e[ne++] = gh_vec(x);
		e[ne++] = vcombine_u64(vcreate_u64((uint64_t)aadlen * 8),
				       vcreate_u64((uint64_t)len * 8));
		y = gh_update(k, y, buf, nb, e, ne);
	}
	gcm_ctr(buf, nb, &cv, one, rk, rounds);
	if (rem) {
		x = veorq_u8(x, aes_enc(ctr_next(&cv, one), rk, rounds));
		store_partial(buf + 16 * nb, x, rem);
	}
	if (!open) {
		if (g)
			y = gh_block8(g, y, k);
		if (rem)
			e[ne++] = gh_vec(mask_partial(x, rem));
		e[ne++] = vcombine_u64(vcreate_u64((uint64_t)aadlen * 8),
				       vcreate_u64((uint64_t)len * 8));
		y = gh_update(k, y, buf, nb, e, ne);
	}

	x = aes_enc(gcm_j0(nonce), rk, rounds);
	vst1q_u8(t, veorq_u8(x, vrev64q_u8(vreinterpretq_u8_u64(y))));
}

void arm64_gcm_seal(const struct arm64_gcm_key *k, const uint8_t nonce[12],
		    const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
		    uint8_t tag[16])
{
	if (k->aes.rounds == 14)
		gcm(k, nonce, aad, aadlen, buf, len, tag, false, 14);
	else
		gcm(k, nonce, aad, aadlen, buf, len, tag, false, 10);
}

int arm64_gcm_open(const struct arm64_gcm_key *k, const uint8_t nonce[12],
		   const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
		   const uint8_t tag[16])
{
	uint8_t t[16];
	int ret;

	if (k->aes.rounds == 14)
		gcm(k, nonce, aad, aadlen, buf, len, t, true, 14);
	else
		gcm(k, nonce, aad, aadlen, buf, len, t, true, 10);
	ret = crypto_equal(t, tag, 16) ? 0 : -1;
	crypto_wipe(t, sizeof(t));
	return ret;
}
