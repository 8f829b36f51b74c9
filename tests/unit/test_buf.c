/* lib/buf: cursors, sticky errors, QUIC varints (RFC 9000 16 and A.1). */
#include <string.h>

#include "unit.h"
#include "lib/buf.h"

/* RFC 9000 A.1's examples, each in its encoding */
static void test_varint_rfc_examples(void **state)
{
	static const struct { const char *hex; uint64_t v; } ex[] = {
		{ "c2197c5eff14e88c", 151288809941952652ull },
		{ "9d7f3e7d", 494878333 },
		{ "7bbd", 15293 },
		{ "25", 37 },
		{ "4025", 37 },  /* a two-byte encoding of 37 is valid too */
	};
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		uint8_t b[8], out[8];
		size_t n = unit_unhex(ex[i].hex, b, sizeof(b));
		struct buf_reader r;
		struct buf_writer w;

		buf_reader_init(&r, b, n);
		assert_int_equal(buf_get_varint(&r), ex[i].v);
		assert_false(r.err);
		assert_int_equal(buf_left(&r), 0);
		/* written back in the same width */
		buf_writer_init(&w, out, sizeof(out));
		buf_put_varint_n(&w, ex[i].v, n);
		assert_false(w.err);
		assert_int_equal(buf_written(&w), n);
		assert_memory_equal(out, b, n);
	}
}

/* every boundary value round-trips in its shortest form and every wider one */
static void test_varint_boundaries(void **state)
{
	static const uint64_t vals[] = {
		0, 1, 63, 64, 16383, 16384, (1u << 30) - 1, 1u << 30, BUF_VARINT_MAX - 1,
		BUF_VARINT_MAX,
	};
	static const size_t widths[] = { 1, 2, 4, 8 };

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		size_t shortest = buf_varint_len(vals[i]);

		for (size_t j = 0; j < 4; j++) {
			uint8_t b[8];
			struct buf_writer w;
			struct buf_reader r;

			buf_writer_init(&w, b, sizeof(b));
			buf_put_varint_n(&w, vals[i], widths[j]);
			assert_int_equal(w.err, widths[j] < shortest);
			if (w.err)
				continue;
			assert_int_equal(buf_written(&w), widths[j]);
			buf_reader_init(&r, b, buf_written(&w));
			assert_int_equal(buf_get_varint(&r), vals[i]);
			assert_false(r.err);
		}
	}
	assert_int_equal(buf_varint_len(BUF_VARINT_MAX + 1), 0);
	uint8_t b[8];
	struct buf_writer w;

	buf_writer_init(&w, b, sizeof(b));
	buf_put_varint(&w, BUF_VARINT_MAX + 1);
	assert_true(w.err);
	buf_writer_init(&w, b, sizeof(b));
	buf_put_varint_n(&w, 5, 3);  /* no 3-byte varint */
	assert_true(w.err);
}

/* a read past the end fails, moves nothing, and stays failed */
static void test_reader_sticky(void **state)
{
	static const uint8_t b[] = { 0x40, 0x25, 0x01, 0x02, 0x03, 0xc0 };
	struct buf_reader r;
	uint8_t copy[4] = { 9, 9, 9, 9 };

	buf_reader_init(&r, b, sizeof(b));
	assert_int_equal(buf_get_varint(&r), 37);
	assert_int_equal(buf_get_u16(&r), 0x0102);
	assert_int_equal(buf_left(&r), 2);
	assert_int_equal(buf_get_varint(&r), 3);  /* 0x03 */
	assert_int_equal(buf_get_varint(&r), 0);  /* 0xc0 needs 8 bytes */
	assert_true(r.err);
	assert_int_equal(buf_left(&r), 1);
	assert_null(buf_get_bytes(&r, 0));       /* sticky, even for 0 bytes */
	buf_get_copy(&r, copy, sizeof(copy));
	assert_memory_equal(copy, "\0\0\0\0", 4);

	buf_reader_init(&r, b, 2);
	assert_non_null(buf_get_bytes(&r, 2));
	assert_non_null(buf_get_bytes(&r, 0));   /* empty at the end is fine */
	assert_false(r.err);
	assert_int_equal(buf_get_u8(&r), 0);
	assert_true(r.err);

	buf_reader_init(&r, NULL, 0);
	assert_int_equal(buf_get_varint(&r), 0);
	assert_true(r.err);
}

static void test_writer_sticky(void **state)
{
	uint8_t b[5];
	struct buf_writer w;

	memset(b, 0xee, sizeof(b));
	buf_writer_init(&w, b, 4);
	buf_put_u16(&w, 0xabcd);
	buf_put_u8(&w, 1);
	buf_put_u16(&w, 0x2233);  /* one byte of room: fails, writes nothing */
	assert_true(w.err);
	assert_int_equal(buf_written(&w), 3);
	buf_put_u8(&w, 7);        /* sticky */
	assert_int_equal(buf_written(&w), 3);
	assert_int_equal(b[3], 0xee);
	assert_int_equal(b[4], 0xee);
	assert_memory_equal(b, "\xab\xcd\x01", 3);

	buf_writer_init(&w, b, sizeof(b));
	buf_put_u32(&w, 0x01020304);
	buf_put_bytes(&w, "x", 1);
	assert_false(w.err);
	assert_int_equal(buf_room(&w), 0);
	assert_memory_equal(b, "\x01\x02\x03\x04x", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint_rfc_examples),
		cmocka_unit_test(test_varint_boundaries),
		cmocka_unit_test(test_reader_sticky),
		cmocka_unit_test(test_writer_sticky),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
