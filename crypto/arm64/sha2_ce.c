/* crypto/arm64/sha2_ce.c: HKDF (RFC 5869) over HMAC (RFC 2104) over SHA-256
 * and SHA-384 (FIPS 180-4) with the ARMv8 SHA extensions.
 *
 * Layers, bottom up:
 *  - compress256 / compress512: the block functions, nblk blocks per call
 *    with the state in registers. SHA-256 does four rounds per
 *    SHA256H/SHA256H2 pair on state vectors {a,b,c,d} {e,f,g,h}; SHA-512
 *    does two rounds per SHA512H/SHA512H2 pair on {a,b} {c,d} {e,f} {g,h}
 *    (lane 0 first), the four pairs rotating every two rounds. The
 *    message schedule runs in the same loop (SHA*SU0/SU1). SHA-384 is
 *    SHA-512 with its own IVs, truncated to 48 bytes.
 *  - struct sha_ctx: incremental hash (state, partial block, length) with
 *    sha_update / sha_final, so nothing is ever concatenated.
 *  - struct hmac_key: the states after absorbing K ^ ipad and K ^ opad,
 *    computed once per key, so each HMAC costs the message blocks + 1
 *    outer block. HKDF-Expand reuses it for every T(i), and keeps T(i-1)
 *    in the context's block buffer, where the previous MAC was finished.
 *
 * Every key-dependent buffer on our stack (one sha_ctx, one hmac_key: the
 * parts ever written) is wiped with crypto_wipe() before return; the block
 * functions keep the schedule in registers (no spills at -O2). Nothing
 * allocates; no global mutable state. The CPU is assumed to have
 * FEAT_SHA256 (and FEAT_SHA512 for hashlen 48); the caller checked
 * (arm64.h).
 */
#include <string.h>
#include <arm_neon.h>

#include "crypto/arm64/arm64.h"
#include "crypto/crypto.h"

#define SHA_MAX_BLOCK 128

/* GCC 12's arm_neon.h defines the SHA-256 intrinsics under "+crypto" and
 * the SHA-512 ones under "arch=armv8.2-a+sha3"; a caller must have every
 * flag of an always_inline callee. So each block function names its own
 * target: the file builds with -march=armv8-a+crypto (SHA-512 code only in
 * compress512, reached only when the probe found FEAT_SHA512) as well as
 * with -march=armv8.2-a+sha3 (which has SHA2 but not AES, so not
 * "+crypto"). */
#define TARGET_SHA256 __attribute__((target("+crypto")))
#define TARGET_SHA512 __attribute__((target("arch=armv8.2-a+sha3")))

/* ---------------------------------------------------------------- constants */

static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint64_t k512[80] = {
	0x428a2f98d728ae22ull, 0x7137449123ef65cdull,
	0xb5c0fbcfec4d3b2full, 0xe9b5dba58189dbbcull,
	0x3956c25bf348b538ull, 0x59f111f1b605d019ull,
	0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull,
	0xd807aa98a3030242ull, 0x12835b0145706fbeull,
	0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
	0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull,
	0x9bdc06a725c71235ull, 0xc19bf174cf692694ull,
	0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull,
	0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull,
	0x2de92c6f592b0275ull, 0x4a7484aa6ea6e483ull,
	0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
	0x983e5152ee66dfabull, 0xa831c66d2db43210ull,
	0xb00327c898fb213full, 0xbf597fc7beef0ee4ull,
	0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull,
	0x06ca6351e003826full, 0x142929670a0e6e70ull,
	0x27b70a8546d22ffcull, 0x2e1b21385c26c926ull,
	0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
	0x650a73548baf63deull, 0x766a0abb3c77b2a8ull,
	0x81c2c92e47edaee6ull, 0x92722c851482353bull,
	0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull,
	0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull,
	0xd192e819d6ef5218ull, 0xd69906245565a910ull,
	0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
	0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull,
	0x2748774cdf8eeb99ull, 0x34b0bcb5e19b48a8ull,
	0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull,
	0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull,
	0x748f82ee5defb2fcull, 0x78a5636f43172f60ull,
	0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
	0x90befffa23631e28ull, 0xa4506cebde82bde9ull,
	0xbef9a3f7b2c67915ull, 0xc67178f2e372532bull,
	0xca273eceea26619cull, 0xd186b8c721c0c207ull,
	0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull,
	0x06f067aa72176fbaull, 0x0a637dc5a2c898a6ull,
	0x113f9804bef90daeull, 0x1b710b35131c471bull,
	0x28db77f523047d84ull, 0x32caab7b40c72493ull,
	0x3c9ebe0a15c9bebcull, 0x431d67c49c100d4cull,
	0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull,
	0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};

static const uint32_t iv256[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static const uint64_t iv384[8] = {
	0xcbbb9d5dc1059ed8ull, 0x629a292a367cd507ull,
	0x9159015a3070dd17ull, 0x152fecd8f70e5939ull,
	0x67332667ffc00b31ull, 0x8eb44a8768581511ull,
	0xdb0c2e0d64f98fa7ull, 0x47b5481dbefa4fa4ull,
};

/* ---------------------------------------------------------------- block functions */

/* SHA-256: v[0] = {a,b,c,d}, v[1] = {e,f,g,h}. SHA-512: w[0] = {a,b},
 * w[1] = {c,d}, w[2] = {e,f}, w[3] = {g,h}. */
union sha_state {
	uint32x4_t v[2];
	uint64x2_t w[4];
};

TARGET_SHA256 static void compress256(union sha_state *s, const uint8_t *p, size_t nblk)
{
	uint32x4_t abcd = s->v[0], efgh = s->v[1];

	do {
		uint32x4_t m[4], abcd0 = abcd, efgh0 = efgh;
		int i;

#pragma GCC unroll 4
		for (i = 0; i < 4; i++)
			m[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));

		/* m[i % 4] holds W[4i..4i+3]; four rounds per step */
#pragma GCC unroll 16
		for (i = 0; i < 16; i++) {
			uint32x4_t wk = vaddq_u32(m[i % 4], vld1q_u32(k256 + 4 * i));
			uint32x4_t t = abcd, s0;

			if (i < 12) {
				s0 = vsha256su0q_u32(m[i % 4], m[(i + 1) % 4]);
				m[i % 4] = vsha256su1q_u32(s0, m[(i + 2) % 4], m[(i + 3) % 4]);
			}
			abcd = vsha256hq_u32(abcd, efgh, wk);
			efgh = vsha256h2q_u32(efgh, t, wk);
		}
		abcd = vaddq_u32(abcd, abcd0);
		efgh = vaddq_u32(efgh, efgh0);
		p += 64;
	} while (--nblk);

	s->v[0] = abcd;
	s->v[1] = efgh;
}

/*
 * Two rounds t, t+1 per step. SHA512H Qd, Qn, Vm takes Qd = {g + KW[t+1],
 * h + KW[t]}, Qn = {f,g}, Vm = {d,e} and yields {T1[t+1], T1[t]}; SHA512H2
 * takes that, Qn = {c,d}, Vm = {a,b} and yields the new {a,b}. The new
 * {e,f} is {c,d} + {T1[t+1], T1[t]}; old {a,b} and {e,f} become {c,d} and
 * {g,h}.
 */
TARGET_SHA512 static void compress512(union sha_state *s, const uint8_t *p, size_t nblk)
{
	uint64x2_t ab = s->w[0], cd = s->w[1], ef = s->w[2], gh = s->w[3];

	do {
		uint64x2_t m[8], ab0 = ab, cd0 = cd, ef0 = ef, gh0 = gh;
		int i;

#pragma GCC unroll 8
		for (i = 0; i < 8; i++)
			m[i] = vreinterpretq_u64_u8(vrev64q_u8(vld1q_u8(p + 16 * i)));

		/* m[i % 8] holds W[2i], W[2i+1] */
#pragma GCC unroll 40
		for (i = 0; i < 40; i++) {
			uint64x2_t kw = vaddq_u64(m[i % 8], vld1q_u64(k512 + 2 * i));
			uint64x2_t t, nab;

			if (i < 32) {
				t = vsha512su0q_u64(m[i % 8], m[(i + 1) % 8]);
				m[i % 8] = vsha512su1q_u64(t, m[(i + 7) % 8],
							   vextq_u64(m[(i + 4) % 8],
								     m[(i + 5) % 8], 1));
			}
			t = vaddq_u64(gh, vextq_u64(kw, kw, 1));
			t = vsha512hq_u64(t, vextq_u64(ef, gh, 1), vextq_u64(cd, ef, 1));
			nab = vsha512h2q_u64(t, cd, ab);
			gh = ef;
			ef = vaddq_u64(cd, t);
			cd = ab;
			ab = nab;
		}
		ab = vaddq_u64(ab, ab0);
		cd = vaddq_u64(cd, cd0);
		ef = vaddq_u64(ef, ef0);
		gh = vaddq_u64(gh, gh0);
		p += 128;
	} while (--nblk);

	s->w[0] = ab;
	s->w[1] = cd;
	s->w[2] = ef;
	s->w[3] = gh;
}

/* hl is 32 (SHA-256) or 48 (SHA-384) everywhere below. */
static inline size_t sha_blocklen(size_t hl)
{
	return hl == 32 ? 64 : 128;
}

static void sha_compress(size_t hl, union sha_state *s, const uint8_t *p, size_t nblk)
{
	if (hl == 32)
		compress256(s, p, nblk);
	else
		compress512(s, p, nblk);
}

static void sha_iv(size_t hl, union sha_state *s)
{
	int i;

	if (hl == 32) {
		s->v[0] = vld1q_u32(iv256);
		s->v[1] = vld1q_u32(iv256 + 4);
	} else {
		for (i = 0; i < 4; i++)
			s->w[i] = vld1q_u64(iv384 + 2 * i);
	}
}

/* ---------------------------------------------------------------- incremental hash */

struct sha_ctx {
	union sha_state st;
	uint8_t buf[SHA_MAX_BLOCK];
	uint64_t len;  /* bytes absorbed so far, those in buf included */
	size_t n;      /* bytes in buf, < block length */
	size_t hl;
};

/* Bytes of union sha_state in use: the only part that can hold secrets. */
static inline size_t sha_statelen(size_t hl)
{
	return hl == 32 ? 32 : 64;
}

static void sha_init(struct sha_ctx *c, size_t hl)
{
	sha_iv(hl, &c->st);
	c->len = 0;
	c->n = 0;
	c->hl = hl;
}

static void sha_update(struct sha_ctx *c, const uint8_t *p, size_t len)
{
	size_t bs = sha_blocklen(c->hl), k;

	if (len == 0)
		return;
	c->len += len;
	if (c->n) {
		k = bs - c->n;
		if (k > len)
			k = len;
		memcpy(c->buf + c->n, p, k);
		c->n += k;
		p += k;
		len -= k;
		if (c->n < bs)
			return;
		sha_compress(c->hl, &c->st, c->buf, 1);
		c->n = 0;
	}
	if (len >= bs) {
		k = len / bs;
		sha_compress(c->hl, &c->st, p, k);
		p += k * bs;
		len -= k * bs;
	}
	if (len) {
		memcpy(c->buf, p, len);
		c->n = len;
	}
}

static void put_be64(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)(v >> 56);
	p[1] = (uint8_t)(v >> 48);
	p[2] = (uint8_t)(v >> 40);
	p[3] = (uint8_t)(v >> 32);
	p[4] = (uint8_t)(v >> 24);
	p[5] = (uint8_t)(v >> 16);
	p[6] = (uint8_t)(v >> 8);
	p[7] = (uint8_t)v;
}

/* out gets hl bytes; out may be c->buf. */
static void sha_final(struct sha_ctx *c, uint8_t *out)
{
	size_t bs = sha_blocklen(c->hl), n = c->n;

	/* 0x80, zeros, the bit length in the last 8 (SHA-256) or 16 bytes */
	c->buf[n++] = 0x80;
	if (n > bs - bs / 8) {
		memset(c->buf + n, 0, bs - n);
		sha_compress(c->hl, &c->st, c->buf, 1);
		n = 0;
	}
	memset(c->buf + n, 0, bs - 8 - n);
	if (bs == 128)
		put_be64(c->buf + bs - 16, c->len >> 61);
	put_be64(c->buf + bs - 8, c->len << 3);
	sha_compress(c->hl, &c->st, c->buf, 1);

	if (c->hl == 32) {
		vst1q_u8(out, vrev32q_u8(vreinterpretq_u8_u32(c->st.v[0])));
		vst1q_u8(out + 16, vrev32q_u8(vreinterpretq_u8_u32(c->st.v[1])));
	} else {
		vst1q_u8(out, vrev64q_u8(vreinterpretq_u8_u64(c->st.w[0])));
		vst1q_u8(out + 16, vrev64q_u8(vreinterpretq_u8_u64(c->st.w[1])));
		vst1q_u8(out + 32, vrev64q_u8(vreinterpretq_u8_u64(c->st.w[2])));
	}
}

/* ---------------------------------------------------------------- HMAC */

/*
 * The hash states after the K ^ ipad and K ^ opad blocks. The HMAC layer
 * works in one sha_ctx throughout: its buf is the pad block, then holds
 * the inner hash as the outer message, then the MAC, which HKDF-Expand
 * leaves there as the start of the next T(i)'s message. So the only
 * secrets on the stack are one sha_ctx and one hmac_key, wiped once.
 */
struct hmac_key {
	union sha_state in, out;
	size_t hl;
};

static void hmac_setkey(struct hmac_key *hk, struct sha_ctx *c, size_t hl,
			const uint8_t *key, size_t keylen)
{
	size_t bs = sha_blocklen(hl), i;
	uint8_t *pad = c->buf;

	if (keylen > bs) {
		sha_init(c, hl);
		sha_update(c, key, keylen);
		sha_final(c, pad);
		keylen = hl;
	} else if (keylen) {
		memcpy(pad, key, keylen);
	}
	memset(pad + keylen, 0, bs - keylen);
	c->hl = hl;

	for (i = 0; i < bs; i += 16)
		vst1q_u8(pad + i, veorq_u8(vld1q_u8(pad + i), vdupq_n_u8(0x36)));
	sha_iv(hl, &hk->in);
	sha_compress(hl, &hk->in, pad, 1);

	for (i = 0; i < bs; i += 16)
		vst1q_u8(pad + i, veorq_u8(vld1q_u8(pad + i), vdupq_n_u8(0x36 ^ 0x5c)));
	sha_iv(hl, &hk->out);
	sha_compress(hl, &hk->out, pad, 1);

	hk->hl = hl;
}

/* Start the inner hash; the message begins with c->buf[0..keep). */
static void hmac_start(struct sha_ctx *c, const struct hmac_key *hk, size_t keep)
{
	c->st = hk->in;
	c->hl = hk->hl;
	c->len = sha_blocklen(hk->hl) + keep;
	c->n = keep;
}

/* The MAC goes to c->buf[0..hl). */
static void hmac_finish(struct sha_ctx *c, const struct hmac_key *hk)
{
	size_t hl = hk->hl;

	sha_final(c, c->buf);
	c->st = hk->out;
	c->len = sha_blocklen(hl) + hl;
	c->n = hl;
	sha_final(c, c->buf);
}

static void hmac_wipe(struct hmac_key *hk, struct sha_ctx *c)
{
	size_t sl = sha_statelen(hk->hl);

	crypto_wipe(&hk->in, sl);
	crypto_wipe(&hk->out, sl);
	crypto_wipe(&c->st, sl);
	crypto_wipe(c->buf, sha_blocklen(hk->hl));
}

/* ---------------------------------------------------------------- HKDF */

int arm64_hkdf_extract(size_t hashlen, const uint8_t *salt, size_t saltlen,
		       const uint8_t *ikm, size_t ikmlen, uint8_t *prk)
{
	struct hmac_key hk;
	struct sha_ctx c;

	if (hashlen != 32 && hashlen != 48)
		return -1;
	/* HMAC zero-pads its key to the block length, so RFC 5869's default
	 * salt of HashLen zeros is the same key as the empty one. */
	hmac_setkey(&hk, &c, hashlen, salt, saltlen);
	hmac_start(&c, &hk, 0);
	sha_update(&c, ikm, ikmlen);
	hmac_finish(&c, &hk);
	memcpy(prk, c.buf, hashlen);

	hmac_wipe(&hk, &c);
	return 0;
}

/* prk is consumed into hk before out is written, so out == prk works. */
int arm64_hkdf_expand(size_t hashlen, const uint8_t *prk, size_t prklen,
		      const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen)
{
	struct hmac_key hk;
	struct sha_ctx c;
	size_t k, keep = 0;
	uint8_t ctr;

	if ((hashlen != 32 && hashlen != 48) || outlen > 255 * hashlen)
		return -1;
	if (outlen == 0)
		return 0;

	hmac_setkey(&hk, &c, hashlen, prk, prklen);
	/* T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty; T(i-1) is
	 * already in c.buf */
	for (ctr = 1;; ctr++) {
		hmac_start(&c, &hk, keep);
		sha_update(&c, info, infolen);
		sha_update(&c, &ctr, 1);
		hmac_finish(&c, &hk);
		k = outlen < hashlen ? outlen : hashlen;
		memcpy(out, c.buf, k);
		out += k;
		outlen -= k;
		if (outlen == 0)
			break;
		keep = hashlen;
	}

	hmac_wipe(&hk, &c);
	return 0;
}
