/* crypto/arm64/chacha_neon: ChaCha20-Poly1305 (RFC 8439 2.8) and the
 * ChaCha20 header-protection mask (RFC 9001 5.4.4) in ASIMD intrinsics,
 * which every ARMv8-A CPU has; Poly1305 in 64-bit scalar C.
 *
 * ChaCha20, 4 blocks ("vertical"): 16 vectors, vector i holds state word
 * i of 4 consecutive blocks (lane j: counter + j), so a quarter round is
 * 4 independent ones and no lane shuffling is needed between column and
 * diagonal rounds. Rotates (ASIMD has no ROR): 16 = REV32 on halfwords,
 * 8 = TBL with a byte table, 12 and 7 = SHL + SRI; 14 instructions per
 * quarter round. Columns 1-3 of the first column round (and x0 + x4) do
 * not depend on the counter: they are computed once per message, and
 * each pass starts from them (1077 instead of 1120 round instructions
 * per 4 blocks). Then a 4x4 transpose per row (TRN1/TRN2 on 32- and
 * 64-bit lanes) gives each block's 64 bytes, the feed-forward adds the
 * input rows, 256 bytes are XORed per pass. The first pass has counters
 * 0-3: lane 0 is the Poly1305 key block.
 *
 * ChaCha20, 1-3 blocks ("horizontal"), for short messages and tails of up
 * to 192 bytes: a block is 4 row vectors; the diagonal round rotates rows
 * 1-3 by 1, 2, 3 lanes (EXT) and back; 34 instructions per double round.
 *
 * Header protection: 4 samples per vertical pass (transposed into words
 * 12-15: lane j gets sample j's counter and nonce), the 5-byte masks
 * gathered with TBL; 1-3 samples one horizontal block each.
 *
 * Poly1305: radix 2^64, h = h0 + h1 2^64 + h2 2^128 (h2 < 8), clamped
 * r = r0 + r1 2^64. As 4 | r1, h1 r1 2^128 = h1 (r1 / 4) 2^130, which is
 * h1 s1 mod p with s1 = 5 (r1 / 4) = r1 + r1 / 4; so h r mod p needs 10
 * multiplies (8 MUL/UMULH for the 128-bit products, 2 MUL for h2) and
 * one partial reduction (the bits from 2^130 up, times 5, back into h0)
 * per 16-byte block: 26 instructions. h is reduced mod p once, for the tag.
 *
 * Seal XORs each pass's keystream and then MACs that ciphertext; open
 * MACs each region before decrypting it. No secret goes to the stack:
 * keystream and r stay in registers (checked in the disassembly: the only
 * stack data is sigma, the nonce and the TBL table), the key is re-read
 * from the caller's buffer, s is parked in the tag buffer (the tag then
 * overwrites it; open's is a local that is wiped). Partial blocks are
 * loaded and stored in pieces of 8, 4, 2 and 1 bytes.
 */
#include <arm_neon.h>
#include <string.h>

#include "crypto/arm64/arm64.h"
#include "crypto/crypto.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "chacha_neon.c assumes little-endian lanes"
#endif

#define ALWAYS_INLINE static inline __attribute__((always_inline))

typedef unsigned __int128 u128;

static const uint32_t chacha_sigma[4] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
/* TBL indices rotating each 32-bit lane left by 8 */
static const uint8_t chacha_rot8[16] = { 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14 };
static const uint32_t chacha_iota[4] = { 0, 1, 2, 3 };
/* 4 masks from the first 2 words of 4 blocks (vertical: lane j = block j) */
static const uint8_t hp_gather[32] = {
	0, 1, 2, 3, 16, 4, 5, 6, 7, 20, 8, 9, 10, 11, 24, 12,
	13, 14, 15, 28, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

/* ---------------------------------------------------------------- ChaCha20 */

/* The input block as rows: sigma, the key (read from the caller's buffer
 * when needed, so that no copy of it is kept), {0, nonce}. col[j - 1]:
 * column j (j = 1-3) after the first column round, which is the same for
 * every counter. pub (on the stack: no secrets) holds sigma, {0, nonce}
 * and the rotate-8 table. */
struct chacha_rows {
	const uint8_t *key;
	uint32_t *pub;
	uint32x4_t col[3];
};

ALWAYS_INLINE uint32x4_t row_key(const struct chacha_rows *s, int half)
{
	return vreinterpretq_u32_u8(vld1q_u8(s->key + 16 * half));
}

ALWAYS_INLINE uint32x4_t rotl16(uint32x4_t x)
{
	return vreinterpretq_u32_u16(vrev32q_u16(vreinterpretq_u16_u32(x)));
}

ALWAYS_INLINE uint32x4_t rotl12(uint32x4_t x)
{
	return vsriq_n_u32(vshlq_n_u32(x, 12), x, 20);
}

ALWAYS_INLINE uint32x4_t rotl7(uint32x4_t x)
{
	return vsriq_n_u32(vshlq_n_u32(x, 7), x, 25);
}

/* uses the byte table r8 in scope */
#define rotl8(x) vreinterpretq_u32_u8(vqtbl1q_u8(vreinterpretq_u8_u32(x), r8))

/* a += b; d ^= a; d = ROT(d) on four independent quarter rounds */
#define QSTEP(a0, b0, d0, a1, b1, d1, a2, b2, d2, a3, b3, d3, ROT) do {	\
	a0 = vaddq_u32(a0, b0);						\
	a1 = vaddq_u32(a1, b1);						\
	a2 = vaddq_u32(a2, b2);						\
	a3 = vaddq_u32(a3, b3);						\
	d0 = ROT(veorq_u32(d0, a0));					\
	d1 = ROT(veorq_u32(d1, a1));					\
	d2 = ROT(veorq_u32(d2, a2));					\
	d3 = ROT(veorq_u32(d3, a3));					\
} while (0)

#define QR4(a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, a3, b3, c3, d3) do {	\
	QSTEP(a0, b0, d0, a1, b1, d1, a2, b2, d2, a3, b3, d3, rotl16);		\
	QSTEP(c0, d0, b0, c1, d1, b1, c2, d2, b2, c3, d3, b3, rotl12);		\
	QSTEP(a0, b0, d0, a1, b1, d1, a2, b2, d2, a3, b3, d3, rotl8);		\
	QSTEP(c0, d0, b0, c1, d1, b1, c2, d2, b2, c3, d3, b3, rotl7);		\
} while (0)

/* one quarter round on row vectors (horizontal: 4 columns at once) */
#define QR1(a, b, c, d) do {					\
	a = vaddq_u32(a, b);					\
	d = rotl16(veorq_u32(d, a));				\
	c = vaddq_u32(c, d);					\
	b = rotl12(veorq_u32(b, c));				\
	a = vaddq_u32(a, b);					\
	d = rotl8(veorq_u32(d, a));				\
	c = vaddq_u32(c, d);					\
	b = rotl7(veorq_u32(b, c));				\
} while (0)

#define VCOLUMN()	QR4(x0, x4, x8, x12, x1, x5, x9, x13, x2, x6, x10, x14, x3, x7, x11, x15)
#define VDIAGONAL()	QR4(x0, x5, x10, x15, x1, x6, x11, x12, x2, x7, x8, x13, x3, x4, x9, x14)

ALWAYS_INLINE void chacha_rows_init(struct chacha_rows *s, uint32_t pub[12],
				    const uint8_t key[32], const uint8_t nonce[12])
{
	vst1q_u32(pub, vld1q_u32(chacha_sigma));
	pub[4] = 0;
	memcpy(&pub[5], nonce, 12);
	vst1q_u8((uint8_t *)&pub[8], vld1q_u8(chacha_rot8));
	s->key = key;
	s->pub = pub;
}

/* dst[4 j] = {a[j], b[j], c[j], d[j]} + row: called with the 4 vertical
 * words of one row, that is the row of block j plus its feed-forward */
ALWAYS_INLINE void transpose_add(uint32x4_t *dst, uint32x4_t a, uint32x4_t b, uint32x4_t c,
				 uint32x4_t d, uint32x4_t row)
{
	uint64x2_t t0 = vreinterpretq_u64_u32(vtrn1q_u32(a, b));
	uint64x2_t t1 = vreinterpretq_u64_u32(vtrn2q_u32(a, b));
	uint64x2_t t2 = vreinterpretq_u64_u32(vtrn1q_u32(c, d));
	uint64x2_t t3 = vreinterpretq_u64_u32(vtrn2q_u32(c, d));

	dst[0] = vaddq_u32(vreinterpretq_u32_u64(vtrn1q_u64(t0, t2)), row);
	dst[4] = vaddq_u32(vreinterpretq_u32_u64(vtrn1q_u64(t1, t3)), row);
	dst[8] = vaddq_u32(vreinterpretq_u32_u64(vtrn2q_u64(t0, t2)), row);
	dst[12] = vaddq_u32(vreinterpretq_u32_u64(vtrn2q_u64(t1, t3)), row);
}

/* s->col, for chacha_v */
ALWAYS_INLINE void chacha_pre(struct chacha_rows *s)
{
	const uint8x16_t r8 = vld1q_u8(chacha_rot8);
	uint32x4_t a = vld1q_u32(chacha_sigma), b = row_key(s, 0), c = row_key(s, 1);
	uint32x4_t d = vld1q_u32(s->pub + 4), t[16];

	QR1(a, b, c, d);
	transpose_add(t, a, b, c, d, vdupq_n_u32(0));
	s->col[0] = t[4];
	s->col[1] = t[8];
	s->col[2] = t[12];
}

/* ks[4 j + g] = bytes 16g..16g+15 of the keystream block with counter
 * ctrv[j], j < 4. */
ALWAYS_INLINE void chacha_v(const struct chacha_rows *s, uint32x4_t ctrv, uint32x4_t ks[16])
{
	uint32x4_t c1 = s->col[0], c2 = s->col[1], c3 = s->col[2];
	uint32x4_t x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15;
	const uint32_t *pub = s->pub;
	uint32_t k0, k4;
	uint8x16_t r8;
	int i;

	/* Opaque to the compiler, so that it neither hoists the DUPs out of
	 * the caller's loop nor keeps sigma, the nonce row and the table in
	 * registers across it: either way it would run out of registers and
	 * spill key-derived vectors. This costs a few loads per pass. */
	__asm__("" : "+w"(c1), "+w"(c2), "+w"(c3));
	__asm__ volatile("" : "+r"(pub));
	r8 = vld1q_u8((const uint8_t *)(pub + 8));
	memcpy(&k0, s->key, 4);
	memcpy(&k4, s->key + 16, 4);
	x4 = vdupq_n_u32(k0);
	x8 = vdupq_n_u32(k4);
	x0 = vaddq_u32(vld1q_dup_u32(pub), x4);
	x1 = vdupq_laneq_u32(c1, 0);
	x5 = vdupq_laneq_u32(c1, 1);
	x9 = vdupq_laneq_u32(c1, 2);
	x13 = vdupq_laneq_u32(c1, 3);
	x2 = vdupq_laneq_u32(c2, 0);
	x6 = vdupq_laneq_u32(c2, 1);
	x10 = vdupq_laneq_u32(c2, 2);
	x14 = vdupq_laneq_u32(c2, 3);
	x3 = vdupq_laneq_u32(c3, 0);
	x7 = vdupq_laneq_u32(c3, 1);
	x11 = vdupq_laneq_u32(c3, 2);
	x15 = vdupq_laneq_u32(c3, 3);
	x12 = ctrv;

	/* the rest of the first column round: column 0 from x0 += x4 on */
	x12 = rotl16(veorq_u32(x12, x0));
	x8 = vaddq_u32(x8, x12);
	x4 = rotl12(veorq_u32(x4, x8));
	x0 = vaddq_u32(x0, x4);
	x12 = rotl8(veorq_u32(x12, x0));
	x8 = vaddq_u32(x8, x12);
	x4 = rotl7(veorq_u32(x4, x8));
	VDIAGONAL();
#pragma GCC unroll 9
	for (i = 0; i < 9; i++) {
		VCOLUMN();
		VDIAGONAL();
	}
	x12 = vaddq_u32(x12, ctrv);
	transpose_add(ks + 0, x0, x1, x2, x3, vld1q_u32(pub));
	transpose_add(ks + 1, x4, x5, x6, x7, row_key(s, 0));
	transpose_add(ks + 2, x8, x9, x10, x11, row_key(s, 1));
	transpose_add(ks + 3, x12, x13, x14, x15, vld1q_u32(pub + 4));
}

/* nb (1-3) blocks on rows a, b, c, d: 10 double rounds, no feed-forward */
ALWAYS_INLINE void chacha_h_rounds(uint32x4_t *a, uint32x4_t *b, uint32x4_t *c, uint32x4_t *d,
				   int nb)
{
	const uint8x16_t r8 = vld1q_u8(chacha_rot8);
	int i, k;

#pragma GCC unroll 2
	for (i = 0; i < 10; i++) {
#pragma GCC unroll 3
		for (k = 0; k < nb; k++) {
			QR1(a[k], b[k], c[k], d[k]);
			b[k] = vextq_u32(b[k], b[k], 1);
			c[k] = vextq_u32(c[k], c[k], 2);
			d[k] = vextq_u32(d[k], d[k], 3);
		}
#pragma GCC unroll 3
		for (k = 0; k < nb; k++) {
			QR1(a[k], b[k], c[k], d[k]);
			b[k] = vextq_u32(b[k], b[k], 3);
			c[k] = vextq_u32(c[k], c[k], 2);
			d[k] = vextq_u32(d[k], d[k], 1);
		}
	}
}

/* ks[4 k + g] = bytes 16g..16g+15 of the block with counter ctr + k, k < nb */
ALWAYS_INLINE void chacha_h(const struct chacha_rows *s, uint32_t ctr, int nb, uint32x4_t *ks)
{
	const uint32x4_t sigma = vld1q_u32(chacha_sigma), k0 = row_key(s, 0), k1 = row_key(s, 1);
	uint32x4_t a[3], b[3], c[3], d[3], d0[3];
	int k;

#pragma GCC unroll 3
	for (k = 0; k < nb; k++) {
		a[k] = sigma;
		b[k] = k0;
		c[k] = k1;
		d[k] = d0[k] = vsetq_lane_u32(ctr + (uint32_t)k, vld1q_u32(s->pub + 4), 0);
	}
	chacha_h_rounds(a, b, c, d, nb);
#pragma GCC unroll 3
	for (k = 0; k < nb; k++) {
		ks[4 * k + 0] = vaddq_u32(a[k], sigma);
		ks[4 * k + 1] = vaddq_u32(b[k], k0);
		ks[4 * k + 2] = vaddq_u32(c[k], k1);
		ks[4 * k + 3] = vaddq_u32(d[k], d0[k]);
	}
}

/* ---------------------------------------------------------------- byte access */

ALWAYS_INLINE uint64_t ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

ALWAYS_INLINE uint32_t ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

ALWAYS_INLINE uint16_t ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

ALWAYS_INLINE void st64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

ALWAYS_INLINE void st32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

ALWAYS_INLINE void st16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/* p[0..n) ^= the first n bytes of k, n < 16 */
ALWAYS_INLINE void xor_partial(uint8_t *p, uint32x4_t k, size_t n)
{
	uint64x2_t k64 = vreinterpretq_u64_u32(k);
	uint64_t w = vgetq_lane_u64(k64, 0);

	if (n & 8) {
		st64(p, ld64(p) ^ w);
		w = vgetq_lane_u64(k64, 1);
		p += 8;
	}
	if (n & 4) {
		st32(p, ld32(p) ^ (uint32_t)w);
		w >>= 32;
		p += 4;
	}
	if (n & 2) {
		st16(p, ld16(p) ^ (uint16_t)w);
		w >>= 16;
		p += 2;
	}
	if (n & 1)
		*p ^= (uint8_t)w;
}

/* p[0..64) ^= k0..k3. (Plain loads and stores, which pair into LDP/STP:
 * GCC 12 bounces the uint8x16x4_t of vld1q_u8_x4/vst1q_u8_x4 through the
 * stack.) */
ALWAYS_INLINE void xor64(uint8_t *p, uint32x4_t k0, uint32x4_t k1, uint32x4_t k2, uint32x4_t k3)
{
	uint8x16_t v0 = vld1q_u8(p), v1 = vld1q_u8(p + 16);
	uint8x16_t v2 = vld1q_u8(p + 32), v3 = vld1q_u8(p + 48);

	vst1q_u8(p, veorq_u8(v0, vreinterpretq_u8_u32(k0)));
	vst1q_u8(p + 16, veorq_u8(v1, vreinterpretq_u8_u32(k1)));
	vst1q_u8(p + 32, veorq_u8(v2, vreinterpretq_u8_u32(k2)));
	vst1q_u8(p + 48, veorq_u8(v3, vreinterpretq_u8_u32(k3)));
}

/* (*p)[0..min(*n, 64)) ^= the keystream block k0..k3, advancing *p and
 * *n; true when *n was at most 64 (the region is done). */
ALWAYS_INLINE bool xor_block(uint32x4_t k0, uint32x4_t k1, uint32x4_t k2, uint32x4_t k3,
			     uint8_t **pp, size_t *np)
{
	uint8_t *p = *pp;
	size_t n = *np;
	uint32x4_t last = k0;

	if (n >= 64) {
		xor64(p, k0, k1, k2, k3);
		*pp = p + 64;
		*np = n - 64;
		return n == 64;
	}
	if (n >= 16) {
		vst1q_u8(p, veorq_u8(vld1q_u8(p), vreinterpretq_u8_u32(k0)));
		p += 16;
		n -= 16;
		last = k1;
		if (n >= 16) {
			vst1q_u8(p, veorq_u8(vld1q_u8(p), vreinterpretq_u8_u32(k1)));
			p += 16;
			n -= 16;
			last = k2;
			if (n >= 16) {
				vst1q_u8(p, veorq_u8(vld1q_u8(p), vreinterpretq_u8_u32(k2)));
				p += 16;
				n -= 16;
				last = k3;
			}
		}
	}
	if (n)
		xor_partial(p, last, n);
	return true;
}

/* p[0..n) ^= the keystream blocks ks[4 skip..nv), n <= 16 (nv - 4 skip);
 * skip 1: block 0 keyed Poly1305. No loops: every ks index stays a
 * constant, so ks stays in registers. */
ALWAYS_INLINE void xor_ks(const uint32x4_t *ks, int nv, unsigned skip, uint8_t *p, size_t n)
{
	if (!n)
		return;
	if (nv == 16 && !skip && n == 256) {
		xor64(p, ks[0], ks[1], ks[2], ks[3]);
		xor64(p + 64, ks[4], ks[5], ks[6], ks[7]);
		xor64(p + 128, ks[8], ks[9], ks[10], ks[11]);
		xor64(p + 192, ks[12], ks[13], ks[14], ks[15]);
		return;
	}
	if (!skip && xor_block(ks[0], ks[1], ks[2], ks[3], &p, &n))
		return;
	if (nv > 4 && xor_block(ks[4], ks[5], ks[6], ks[7], &p, &n))
		return;
	if (nv > 8 && xor_block(ks[8], ks[9], ks[10], ks[11], &p, &n))
		return;
	if (nv > 12)
		xor_block(ks[12], ks[13], ks[14], ks[15], &p, &n);
}

/* ---------------------------------------------------------------- Poly1305 */

struct poly1305 {
	uint64_t r0, r1, s1;	/* clamped r; s1 = 5 (r1 >> 2) */
	uint64_t h0, h1, h2;	/* accumulator, partially reduced */
};

/* r from the first 16 bytes of the one-time key; its other half s is
 * parked in the tag buffer (which the tag overwrites) rather than in a
 * register the compiler might spill. */
ALWAYS_INLINE void poly_init(struct poly1305 *p, uint32x4_t r, uint32x4_t s, uint8_t tag[16])
{
	uint64x2_t r64 = vreinterpretq_u64_u32(r);

	p->r0 = vgetq_lane_u64(r64, 0) & 0x0ffffffc0fffffffull;
	p->r1 = vgetq_lane_u64(r64, 1) & 0x0ffffffc0ffffffcull;
	p->s1 = p->r1 + (p->r1 >> 2);
	p->h0 = p->h1 = p->h2 = 0;
	vst1q_u8(tag, vreinterpretq_u8_u32(s));
}

/* h = (h + m + hibit 2^128) r, partially reduced. Bounds: h2 <= 4 before
 * the add, <= 6 after it; h2 s1 + d0 >> 64 < 2^63 + 2^62 and
 * h2 r0 + d1 >> 64 < 2^63 + 2^62, so neither needs a carry. */
ALWAYS_INLINE void poly_block(struct poly1305 *p, uint64_t m0, uint64_t m1, uint64_t hibit)
{
	uint64_t r0 = p->r0, r1 = p->r1, s1 = p->s1, h0 = p->h0, h1 = p->h1, h2 = p->h2;
	uint64_t a0, a1, a2, d2, c;
	u128 d0, d1;

	/* h += m + hibit 2^128. The carry chains are asm: GCC 12 turns them
	 * into CSET/CINC and extra MOVs. */
	__asm__("adds %0, %3, %6\n\tadcs %1, %4, %7\n\tadc %2, %5, %8"
		: "=&r"(a0), "=&r"(a1), "=r"(a2)
		: "r"(h0), "r"(h1), "r"(h2), "r"(m0), "r"(m1), "r"(hibit) : "cc");
	h0 = a0;
	h1 = a1;
	h2 = a2;

	d0 = (u128)h0 * r0 + (u128)h1 * s1;
	d1 = (u128)h0 * r1 + (u128)h1 * r0 + (uint64_t)(h2 * s1 + (uint64_t)(d0 >> 64));
	d2 = h2 * r0 + (uint64_t)(d1 >> 64);

	/* bits >= 2^130 times 5 back into h: c = 5 (d2 >> 2) */
	c = (d2 & ~(uint64_t)3) + (d2 >> 2);
	__asm__("adds %0, %3, %6\n\tadcs %1, %4, xzr\n\tadc %2, %5, xzr"
		: "=&r"(h0), "=&r"(h1), "=r"(h2)
		: "r"((uint64_t)d0), "r"((uint64_t)d1), "r"(d2 & 3), "r"(c) : "cc");
	p->h0 = h0;
	p->h1 = h1;
	p->h2 = h2;
}

/* MAC m[0..n), zero-padded to a multiple of 16 */
ALWAYS_INLINE void poly_update(struct poly1305 *p, const uint8_t *m, size_t n)
{
	uint64_t w = 0, m0 = 0, m1 = 0;
	unsigned sh = 0;

#pragma GCC unroll 2
	for (; n >= 16; n -= 16, m += 16)
		poly_block(p, ld64(m), ld64(m + 8), 1);
	if (!n)
		return;
	if (n & 8) {
		m0 = ld64(m);
		m += 8;
	}
	if (n & 4) {
		w = ld32(m);
		m += 4;
		sh = 32;
	}
	if (n & 2) {
		w |= (uint64_t)ld16(m) << sh;
		m += 2;
		sh += 16;
	}
	if (n & 1)
		w |= (uint64_t)*m << sh;
	if (n & 8)
		m1 = w;
	else
		m0 = w;
	poly_block(p, m0, m1, 1);
}

/* tag = (h mod p) + s mod 2^128, s read from tag (poly_init) */
ALWAYS_INLINE void poly_finish(struct poly1305 *p, uint8_t tag[16])
{
	uint64_t g0, g1, mask;
	u128 t;

	/* h < 2p: subtract p once if h + 5 >= 2^130 */
	t = (u128)p->h0 + 5;
	g0 = (uint64_t)t;
	t = (u128)p->h1 + (uint64_t)(t >> 64);
	g1 = (uint64_t)t;
	mask = 0 - ((p->h2 + (uint64_t)(t >> 64)) >> 2);
	g0 = (p->h0 & ~mask) | (g0 & mask);
	g1 = (p->h1 & ~mask) | (g1 & mask);
	t = ((u128)g1 << 64 | g0) + ((u128)ld64(tag + 8) << 64 | ld64(tag));
	st64(tag, (uint64_t)t);
	st64(tag + 8, (uint64_t)(t >> 64));
}

/* ---------------------------------------------------------------- AEAD */

/* Keystream block 0 keys Poly1305, which then MACs the AAD */
ALWAYS_INLINE void aead_key(struct poly1305 *p, uint32x4_t r, uint32x4_t k, const uint8_t *aad,
			    size_t aadlen, uint8_t tag[16])
{
	poly_init(p, r, k, tag);
	if (aadlen)
		poly_update(p, aad, aadlen);
}

/* seal: encrypt p[0..n) then MAC it; open: MAC then decrypt */
ALWAYS_INLINE void aead_region(struct poly1305 *P, const uint32x4_t *ks, int nv, unsigned skip,
			       uint8_t *p, size_t n, bool open)
{
	if (open)
		poly_update(P, p, n);
	xor_ks(ks, nv, skip, p, n);
	if (!open)
		poly_update(P, p, n);
}

static __attribute__((noinline)) void aead(const uint8_t key[32], const uint8_t nonce[12],
					   const uint8_t *aad, size_t aadlen, uint8_t *buf,
					   size_t len, uint8_t tag[16], bool open)
{
	struct chacha_rows s;
	uint32_t pub[12];
	struct poly1305 P = { 0 };	/* keyed by the first pass */
	uint32_t ctr = 0;
	uint32x4_t ctrv = vld1q_u32(chacha_iota);	/* ctr + {0, 1, 2, 3} */
	size_t pos = 0, n, need = len + 64;	/* keystream bytes still needed */
	unsigned skip;

	chacha_rows_init(&s, pub, key, nonce);
	if (need > 192)
		chacha_pre(&s);
	while (need > 192) {
		uint32x4_t ks[16];

		chacha_v(&s, ctrv, ks);
		n = 256;
		skip = 0;
		if (!ctr) {
			aead_key(&P, ks[0], ks[1], aad, aadlen, tag);
			n = 192;
			skip = 1;
		}
		ctr += 4;
		ctrv = vaddq_u32(ctrv, vdupq_n_u32(4));
		if (n > len - pos)
			n = len - pos;
		aead_region(&P, ks, 16, skip, buf + pos, n, open);
		pos += n;
		need = len - pos;
	}
	if (need) {
		/* blocks 1, 2 zeroed: only to keep them defined on every path */
		uint32x4_t z = vdupq_n_u32(0);
		uint32x4_t ks[12] = { z, z, z, z, z, z, z, z, z, z, z, z };

		if (need > 128)
			chacha_h(&s, ctr, 3, ks);
		else if (need > 64)
			chacha_h(&s, ctr, 2, ks);
		else
			chacha_h(&s, ctr, 1, ks);
		skip = 0;
		if (!ctr) {
			aead_key(&P, ks[0], ks[1], aad, aadlen, tag);
			skip = 1;
		}
		if (len > pos)	/* (buf may be NULL when len is 0) */
			aead_region(&P, ks, 12, skip, buf + pos, len - pos, open);
	}
	poly_block(&P, aadlen, len, 1);
	poly_finish(&P, tag);
}

void arm64_chacha20_poly1305_seal(const uint8_t key[32], const uint8_t nonce[12],
				  const uint8_t *aad, size_t aadlen,
				  uint8_t *buf, size_t len, uint8_t tag[16])
{
	aead(key, nonce, aad, aadlen, buf, len, tag, false);
}

int arm64_chacha20_poly1305_open(const uint8_t key[32], const uint8_t nonce[12],
				 const uint8_t *aad, size_t aadlen,
				 uint8_t *buf, size_t len, const uint8_t tag[16])
{
	uint8_t mac[16];
	bool ok;

	aead(key, nonce, aad, aadlen, buf, len, mac, true);
	ok = crypto_equal(mac, tag, 16);
	crypto_wipe(mac, sizeof(mac));
	return ok ? 0 : -1;
}

/* ---------------------------------------------------------------- header protection */

/* masks for 4 samples per pass, groups passes */
static __attribute__((noinline)) void hp_mask4(const uint8_t key[32],
					       const uint8_t (*samples)[16],
					       uint8_t (*masks)[5], size_t groups)
{
	const uint8x16_t r8 = vld1q_u8(chacha_rot8);
	const uint32x4_t sigma = vld1q_u32(chacha_sigma);

	for (; groups; groups--, samples += 4, masks += 4) {
		/* loaded per pass (the mask stores might alias the key), so
		 * the 8 key DUPs are not hoisted and spilled */
		const uint32x4_t k0 = vreinterpretq_u32_u8(vld1q_u8(key));
		const uint32x4_t k1 = vreinterpretq_u32_u8(vld1q_u8(key + 16));
		const uint8x16_t g0 = vld1q_u8(hp_gather), g1 = vld1q_u8(hp_gather + 16);
		uint32x4_t x0 = vdupq_laneq_u32(sigma, 0), x1 = vdupq_laneq_u32(sigma, 1);
		uint32x4_t x2 = vdupq_laneq_u32(sigma, 2), x3 = vdupq_laneq_u32(sigma, 3);
		uint32x4_t x4 = vdupq_laneq_u32(k0, 0), x5 = vdupq_laneq_u32(k0, 1);
		uint32x4_t x6 = vdupq_laneq_u32(k0, 2), x7 = vdupq_laneq_u32(k0, 3);
		uint32x4_t x8 = vdupq_laneq_u32(k1, 0), x9 = vdupq_laneq_u32(k1, 1);
		uint32x4_t x10 = vdupq_laneq_u32(k1, 2), x11 = vdupq_laneq_u32(k1, 3);
		uint32x4_t s0 = vreinterpretq_u32_u8(vld1q_u8(samples[0]));
		uint32x4_t s1 = vreinterpretq_u32_u8(vld1q_u8(samples[1]));
		uint32x4_t s2 = vreinterpretq_u32_u8(vld1q_u8(samples[2]));
		uint32x4_t s3 = vreinterpretq_u32_u8(vld1q_u8(samples[3]));
		uint32x4_t t[16], x12, x13, x14, x15;
		uint8x16x2_t m;
		int i;

		/* the 4x4 transpose turns sample j into lane j of words 12-15 */
		transpose_add(t, s0, s1, s2, s3, vdupq_n_u32(0));
		x12 = t[0];
		x13 = t[4];
		x14 = t[8];
		x15 = t[12];
#pragma GCC unroll 10
		for (i = 0; i < 10; i++) {
			VCOLUMN();
			VDIAGONAL();
		}
		/* mask j = bytes 0-3 of word 0 and byte 0 of word 1, lane j */
		m.val[0] = vreinterpretq_u8_u32(vaddq_u32(x0, vdupq_laneq_u32(sigma, 0)));
		m.val[1] = vreinterpretq_u8_u32(vaddq_u32(x1, vdupq_laneq_u32(sigma, 1)));
		vst1q_u8(masks[0], vqtbl2q_u8(m, g0));
		st32(masks[3] + 1, vgetq_lane_u32(vreinterpretq_u32_u8(vqtbl2q_u8(m, g1)), 0));
	}
}

void arm64_chacha20_hp_mask(const uint8_t key[32], const uint8_t (*samples)[16],
			    uint8_t (*masks)[5], size_t n)
{
	uint8x16_t r8;
	uint32x4_t sigma, k0, k1;

	if (n >= 4) {
		hp_mask4(key, samples, masks, n / 4);
		samples += n & ~(size_t)3;
		masks += n & ~(size_t)3;
		n &= 3;
	}
	r8 = vld1q_u8(chacha_rot8);
	sigma = vld1q_u32(chacha_sigma);
	k0 = vreinterpretq_u32_u8(vld1q_u8(key));
	k1 = vreinterpretq_u32_u8(vld1q_u8(key + 16));
	/* the rest one block at a time (1-3 blocks cost less than a 4-lane
	 * pass); only word 0 and byte 0 of word 1 of row a are needed, so
	 * the compiler drops the tail of the last round */
	for (; n; n--, samples++, masks++) {
		uint32x4_t a = sigma, b = k0, c = k1;
		uint32x4_t d = vreinterpretq_u32_u8(vld1q_u8(samples[0]));
		int i;

#pragma GCC unroll 10
		for (i = 0; i < 10; i++) {
			QR1(a, b, c, d);
			b = vextq_u32(b, b, 1);
			c = vextq_u32(c, c, 2);
			d = vextq_u32(d, d, 3);
			QR1(a, b, c, d);
			b = vextq_u32(b, b, 3);
			c = vextq_u32(c, c, 2);
			d = vextq_u32(d, d, 1);
		}
		a = vaddq_u32(a, sigma);
		st32(masks[0], vgetq_lane_u32(a, 0));
		masks[0][4] = (uint8_t)vgetq_lane_u32(a, 1);
	}
}
