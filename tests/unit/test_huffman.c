/* http3/huffman: the RFC 7541 Appendix C strings both ways (whole and a
 * byte at a time), the code table checked complete and canonical, the
 * decoder's tables checked against a bitwise decoder of the code table,
 * every RFC 7541 5.2 error (EOS, long padding, padding not ones), and
 * the decoding speed quoted in huffman.c. */
#include <string.h>

#include "unit.h"
#include "http3/huffman.h"

#if defined(__linux__) && !__has_include(<picolibc.h>)
#include <time.h>
#define HAVE_CLOCK 1
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void assert_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	assert_int_equal(alen, blen);
	if (alen)
		assert_memory_equal(a, b, alen);
}

/* RFC 7541 C.4 and C.6: every Huffman-coded string of the examples. */
static const char *const huff_vectors[][2] = {
	{ "www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff" },
	{ "no-cache", "a8eb 1064 9cbf" },
	{ "custom-key", "25a8 49e9 5ba9 7d7f" },
	{ "custom-value", "25a8 49e9 5bb8 e8b4 bf" },
	{ "302", "6402" },
	{ "private", "aec3 771a 4b" },
	{ "Mon, 21 Oct 2013 20:13:21 GMT",
	  "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff" },
	{ "https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3" },
	{ "307", "640e ff" },
	{ "Mon, 21 Oct 2013 20:13:22 GMT",
	  "d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff" },
	{ "gzip", "9bd9 ab" },
	{ "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
	  "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 "
	  "3160 65c0 03ed 4ee5 b106 3d50 07" },
};

static void test_huffman_rfc7541(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(huff_vectors); i++) {
		const uint8_t *s = (const uint8_t *)huff_vectors[i][0];
		size_t sl = strlen(huff_vectors[i][0]), n, out_len = 0;
		uint8_t code[128], out[128];
		struct qpack_huff_dec h;

		n = unit_unhex_spaced(huff_vectors[i][1], code, sizeof(code));
		/* encode */
		assert_int_equal(qpack_huff_encoded_len(s, sl), n);
		assert_int_equal(qpack_huff_encode(s, sl, out), n);
		assert_memory_equal(out, code, n);
		/* decode whole */
		assert_int_equal(qpack_huff_decode(code, n, out, sizeof(out), &out_len), 0);
		assert_bytes(out, out_len, s, sl);
		/* decode a byte at a time */
		qpack_huff_dec_init(&h);
		out_len = 0;
		for (size_t k = 0; k < n; k++)
			assert_int_equal(qpack_huff_dec_feed(&h, code + k, 1, out, sizeof(out),
							     &out_len), 0);
		assert_int_equal(qpack_huff_dec_finish(&h), 0);
		assert_bytes(out, out_len, s, sl);
		/* one byte short of room */
		assert_int_equal(qpack_huff_decode(code, n, out, sl - 1, &out_len),
				 QPACK_HUFF_FULL);
		/* counting only */
		assert_int_equal(qpack_huff_decode(code, n, NULL, 0, &out_len), 0);
		assert_int_equal(out_len, sl);
	}
}

/* A reference decoder straight from the code table, one bit at a time. */
static int naive_decode(const uint8_t *in, size_t n, uint8_t *out, size_t *out_len)
{
	uint32_t code = 0;
	unsigned len = 0;

	*out_len = 0;
	for (size_t i = 0; i < n * 8; i++) {
		code = code << 1 | ((in[i / 8] >> (7 - i % 8)) & 1);
		len++;
		for (unsigned s = 0; s <= 256; s++) {
			uint32_t c;
			unsigned l;

			qpack_huff_code(s, &c, &l);
			if (l == len && c == code) {
				if (s == 256)
					return -1;
				out[(*out_len)++] = (uint8_t)s;
				code = 0;
				len = 0;
				break;
			}
		}
		if (len > 30)
			return -1;
	}
	return len <= 7 && code == (1u << len) - 1 ? 0 : -1;
}

static void test_huffman_table(void **state)
{
	uint64_t kraft = 0, rng = 0x9e3779b97f4a7c15u;
	unsigned order[257], n = 0;

	/* complete (Kraft sum exactly 1) and canonical: sorted by (length,
	 * symbol), each code is the previous one + 1, shifted to its length */
	for (unsigned len = 1; len <= 30; len++)
		for (unsigned s = 0; s <= 256; s++) {
			uint32_t c;
			unsigned l;

			qpack_huff_code(s, &c, &l);
			assert_true(l >= 5 && l <= 30);
			assert_true(c < (UINT32_C(1) << l));
			if (l == len)
				order[n++] = s;
		}
	assert_int_equal(n, 257);
	for (unsigned i = 0; i < n; i++) {
		uint32_t c, pc;
		unsigned l, pl;

		qpack_huff_code(order[i], &c, &l);
		kraft += UINT64_C(1) << (30 - l);
		if (i == 0) {
			assert_int_equal(c, 0);
			continue;
		}
		qpack_huff_code(order[i - 1], &pc, &pl);
		assert_int_equal(c, (pc + 1) << (l - pl));
	}
	assert_int_equal(kraft, UINT64_C(1) << 30);
	{	/* EOS is 30 ones */
		uint32_t c;
		unsigned l;

		qpack_huff_code(256, &c, &l);
		assert_int_equal(c, 0x3fffffff);
		assert_int_equal(l, 30);
	}

	/* every symbol alone, and random strings, round trip; the table
	 * decoder agrees with the bitwise one on random garbage too */
	for (unsigned s = 0; s < 256; s++) {
		uint8_t in = (uint8_t)s, code[8], out[8];
		size_t cl = qpack_huff_encode(&in, 1, code), ol;

		assert_int_equal(qpack_huff_decode(code, cl, out, sizeof(out), &ol), 0);
		assert_int_equal(ol, 1);
		assert_int_equal(out[0], s);
	}
	for (int iter = 0; iter < 3000; iter++) {
		uint8_t s[64], code[256], out[512], out2[512];
		size_t sl = unit_xorshift64(&rng) % sizeof(s), cl, ol, ol2;
		int r1, r2;

		for (size_t i = 0; i < sl; i++)
			s[i] = (uint8_t)(iter % 3 ? 32 + unit_xorshift64(&rng) % 95 : unit_xorshift64(&rng));
		cl = qpack_huff_encode(s, sl, code);
		assert_int_equal(cl, qpack_huff_encoded_len(s, sl));
		assert_int_equal(qpack_huff_decode(code, cl, out, sizeof(out), &ol), 0);
		assert_bytes(out, ol, s, sl);
		/* garbage: a random string, or a code with a flipped bit */
		if (iter % 2) {
			cl = 1 + unit_xorshift64(&rng) % 24;
			for (size_t i = 0; i < cl; i++)
				code[i] = (uint8_t)(unit_xorshift64(&rng) | (iter % 4 == 1 ? 0xe0 : 0));
		} else if (cl) {
			code[unit_xorshift64(&rng) % cl] ^= (uint8_t)(1u << (unit_xorshift64(&rng) % 8));
		}
		r1 = qpack_huff_decode(code, cl, out, sizeof(out), &ol);
		r2 = naive_decode(code, cl, out2, &ol2);
		assert_int_equal(r1 == 0, r2 == 0);
		if (!r1)
			assert_bytes(out, ol, out2, ol2);
	}
}

static void test_huffman_invalid(void **state)
{
	static const struct { const char *hex; int ok; } cases[] = {
		{ "", 0 },                /* empty: fine */
		{ "1f", 0 },              /* 'a' (00011) + 111 padding */
		{ "18", -1 },             /* 'a' + 000: padding not ones */
		{ "1e", -1 },             /* 'a' + 110 */
		{ "ff", -1 },             /* 8 bits of padding */
		{ "1fff", -1 },           /* 'a' + 11 bits of ones */
		{ "fe", -1 },             /* 11111110: an unfinished 10-bit code */
		{ "ffffffff", -1 },       /* EOS (30 ones) + 11 */
		{ "ffffffff 00", -1 },    /* EOS then more */
		{ "07ffffffff", -1 },     /* '0' (00000), EOS, 11111 */
		{ "fffffffc", -1 },       /* EOS + 00 */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t in[16], out[32];
		size_t n = unit_unhex_spaced(cases[i].hex, in, sizeof(in)), ol;

		assert_int_equal(qpack_huff_decode(in, n, out, sizeof(out), &ol) == 0,
				 cases[i].ok == 0);
	}
	/* the 30-bit symbols that are not EOS decode: 10, 13, 22 */
	for (unsigned s = 0; s < 256; s++) {
		uint8_t in = (uint8_t)s, code[8], out[8];
		uint32_t c;
		unsigned l;
		size_t ol;

		qpack_huff_code(s, &c, &l);
		if (l != 30)
			continue;
		assert_int_equal(qpack_huff_encode(&in, 1, code), 4);
		assert_int_equal(qpack_huff_decode(code, 4, out, sizeof(out), &ol), 0);
		assert_int_equal(out[0], s);
		/* the same code with its 2 padding bits zero: refused */
		code[3] &= 0xfc;
		assert_int_equal(qpack_huff_decode(code, 4, out, sizeof(out), &ol),
				 QPACK_HUFF_INVALID);
	}
	/* an unfinished long code at the end: more than 7 bits left */
	{
		uint8_t in = 0x5c, code[8], out[8];  /* '\' 19 bits */
		size_t cl = qpack_huff_encode(&in, 1, code), ol;

		assert_int_equal(cl, 3);
		assert_int_equal(qpack_huff_decode(code, 2, out, sizeof(out), &ol),
				 QPACK_HUFF_INVALID);
	}
}

/* Decoding speed on header-like text, for the comment in huffman.c. */
static void test_huffman_speed(void **state)
{
#ifdef HAVE_CLOCK
	static const char *const text[] = {
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"gzip, deflate, br", "en-US,en;q=0.5", "https://www.example.com/index.html",
		"max-age=0, private, must-revalidate", "Mon, 21 Oct 2013 20:13:21 GMT",
		"session=8f14e45fceea167a5a36dedd4bea2543; Path=/; HttpOnly",
		"/api/v1/items?id=12345&sort=desc", "W/\"5e15153d-120f\"",
	};
	static uint8_t src[1024], code[1024], out[2048];
	size_t cl, plain = 0, ol = 0;
	struct timespec t0, t1;
	unsigned reps = 20000;
	double secs, mbs;

	for (size_t i = 0; i < ARRAY_SIZE(text); i++) {
		memcpy(src + plain, text[i], strlen(text[i]));
		plain += strlen(text[i]);
	}
	cl = qpack_huff_encode(src, plain, code);
	assert_int_equal(qpack_huff_decode(code, cl, out, sizeof(out), &ol), 0);
	assert_int_equal(ol, plain);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned r = 0; r < reps; r++) {
		assert_int_equal(qpack_huff_decode(code, cl, out, sizeof(out), &ol), 0);
		out[r % ol] ^= 1;  /* keep the loop honest */
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	mbs = (double)plain * reps / secs / 1e6;
	print_message("  Huffman decode: %.0f MB/s of decoded text (%zu -> %zu bytes x %u)\n",
		      mbs, cl, plain, reps);
	assert_true(mbs > 1.0);
#else
	skip();
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_huffman_rfc7541),
		UNIT_TEST(test_huffman_table),
		UNIT_TEST(test_huffman_invalid),
		UNIT_TEST(test_huffman_speed),
	};

	return cmocka_run_group_tests_name("huffman", tests, NULL, NULL);
}
