/* Helpers shared by the QPACK unit tests (test_qpack.c,
 * test_qpack_random.c): hex in and out, the decoder and encoder under
 * test and the field list they decode into, table comparisons, and the
 * bytes of the RFC 9204 Appendix B exchange. Each test program includes
 * it once. */
#ifndef TERN_TESTS_UNIT_QPACK_UTIL_H
#define TERN_TESTS_UNIT_QPACK_UTIL_H

#include <string.h>

#include "unit.h"
#include "http3/qpack.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DF  QPACK_DECOMPRESSION_FAILED
#define ESE QPACK_ENCODER_STREAM_ERROR
#define DSE QPACK_DECODER_STREAM_ERROR

/* The tests that use the dynamic table need the RFC's 220 bytes. */
#define HAVE_TABLE (CONFIG_H3_QPACK_TABLE_CAPACITY >= 220 && CONFIG_H3_QPACK_BLOCKED_STREAMS >= 2)

#define F(n, v) { (const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1, 0 }
#define FN(n, v) { (const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1, \
		   QPACK_FIELD_NEVER_INDEX }

/* Big state lives here, not on the stack (bare-metal stacks are small);
 * not every program uses all of it. */
#define QPACK_UTIL_STATE static __attribute__((unused))
QPACK_UTIL_STATE struct qpack_decoder dec, dec2;
QPACK_UTIL_STATE struct qpack_encoder enc, enc2;
QPACK_UTIL_STATE struct qpack_field fbuf[512];
QPACK_UTIL_STATE uint8_t arena[CONFIG_H3_MAX_FIELD_SECTION];
QPACK_UTIL_STATE struct qpack_field_list list;

static inline void assert_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	assert_int_equal(alen, blen);
	if (alen)
		assert_memory_equal(a, b, alen);
}

static inline void assert_hex(const uint8_t *p, size_t n, const char *hex)
{
	uint8_t want[1024];
	size_t wn = unit_unhex_spaced(hex, want, sizeof(want));

	assert_bytes(p, n, want, wn);
}

static inline int decode_hex(struct qpack_decoder *d, uint64_t stream_id, const char *hex)
{
	uint8_t in[1024];
	size_t n = unit_unhex_spaced(hex, in, sizeof(in));

	qpack_field_list_init(&list, fbuf, ARRAY_SIZE(fbuf), arena, sizeof(arena));
	return qpack_decode(d, stream_id, in, n, &list);
}

static inline int feed_hex(struct qpack_decoder *d, const char *hex)
{
	uint8_t in[1024];
	size_t n = unit_unhex_spaced(hex, in, sizeof(in));

	return qpack_decoder_feed(d, in, n);
}

static inline int enc_feed_hex(struct qpack_encoder *e, const char *hex)
{
	uint8_t in[1024];
	size_t n = unit_unhex_spaced(hex, in, sizeof(in));

	return qpack_encoder_feed(e, in, n);
}

/* The decoder stream bytes d writes now, as hex-comparable bytes. */
static inline size_t dec_out(struct qpack_decoder *d, uint8_t *out, size_t cap)
{
	struct buf_writer w;

	buf_writer_init(&w, out, cap);
	return qpack_decoder_write(d, &w);
}

static inline void assert_field(const struct qpack_field *f, const char *name, const char *value)
{
	assert_bytes(f->name, f->name_len, (const uint8_t *)name, strlen(name));
	assert_bytes(f->value, f->value_len, (const uint8_t *)value, strlen(value));
}

/* The dynamic table entry abs of t. */
static inline void assert_entry(const struct qpack_table *t, uint64_t abs, const char *name,
			 const char *value)
{
	const struct qpack_entry *e = &t->e[abs % QPACK_TABLE_SLOTS];
	uint8_t buf[QPACK_TABLE_BYTES];

	assert_true(abs >= t->dropped && abs < t->inserted);
	assert_int_equal(e->name_len, strlen(name));
	assert_int_equal(e->value_len, strlen(value));
	for (size_t i = 0; i < e->name_len + e->value_len; i++)
		buf[i] = t->ring[(e->off + i) % QPACK_TABLE_BYTES];
	assert_memory_equal(buf, name, e->name_len);
	if (e->value_len)
		assert_memory_equal(buf + e->name_len, value, e->value_len);
}

/* Two tables hold the same entries. */
static inline void assert_tables_equal(const struct qpack_table *a, const struct qpack_table *b)
{
	assert_int_equal(a->inserted, b->inserted);
	assert_int_equal(a->dropped, b->dropped);
	assert_int_equal(a->size, b->size);
	assert_int_equal(a->capacity, b->capacity);
	for (uint64_t i = a->dropped; i < a->inserted; i++) {
		const struct qpack_entry *ea = &a->e[i % QPACK_TABLE_SLOTS];
		const struct qpack_entry *eb = &b->e[i % QPACK_TABLE_SLOTS];

		assert_int_equal(ea->name_len, eb->name_len);
		assert_int_equal(ea->value_len, eb->value_len);
		for (size_t k = 0; k < (size_t)ea->name_len + ea->value_len; k++)
			assert_int_equal(a->ring[(ea->off + k) % QPACK_TABLE_BYTES],
					 b->ring[(eb->off + k) % QPACK_TABLE_BYTES]);
	}
}

/* The exchange of Appendix B, its bytes as the RFC prints them. */
#define B1_SEC   "0000 510b 2f69 6e64 6578 2e68 746d 6c"
#define B2_ENC   "3fbd01 c00f 7777 772e 6578 616d 706c 652e 636f 6d " \
		 "c10c 2f73 616d 706c 652f 7061 7468"
#define B2_SEC   "0381 10 11"
#define B3_ENC   "4a63 7573 746f 6d2d 6b65 790c 6375 7374 6f6d 2d76 616c 7565"
#define B4_ENC   "02"
#define B4_SEC   "0500 80 c1 81"
#define B5_ENC   "810d 6375 7374 6f6d 2d76 616c 7565 32"

/* Encoder stream bytes that exercise every instruction and every
 * integer and string boundary: B.2-B.5, then long and Huffman-coded
 * strings (across the decoder's 32-byte pieces), two-byte integers, a
 * Duplicate and a name reference whose source the insert itself evicts,
 * capacity changes, empty names and values. For a decoder of 220. */
static inline size_t split_stream(uint8_t *out, size_t cap)
{
	uint8_t v[160];
	struct buf_writer w;
	size_t n;

	for (size_t i = 0; i < sizeof(v); i++)
		v[i] = (uint8_t)("abcdefghijklmnopqrstuvwxyz0123456789-_/. ;=,"[i % 44]);
	n = unit_unhex_spaced(B2_ENC B3_ENC B4_ENC B5_ENC, out, cap);
	buf_writer_init(&w, out + n, cap - n);
	qpack_put_string(&w, 0x40, 6, (const uint8_t *)"x-huff", 6, true);
	qpack_put_string(&w, 0x00, 8, v, 60, true);
	qpack_put_int(&w, 0xc0, 6, 92);                        /* server, 150 raw bytes */
	qpack_put_string(&w, 0x00, 8, v, 150, false);
	qpack_put_int(&w, 0x00, 5, 0);                         /* Duplicate: evicts its source */
	qpack_put_int(&w, 0x80, 6, 0);                         /* server by name, evicting it */
	qpack_put_string(&w, 0x00, 8, (const uint8_t *)"tern", 4, true);
	qpack_put_int(&w, 0x20, 5, 100);
	qpack_put_int(&w, 0x20, 5, 0);
	qpack_put_int(&w, 0x20, 5, 220);
	qpack_put_string(&w, 0x40, 6, v, 40, true);            /* Huffman name, empty value */
	qpack_put_string(&w, 0x00, 8, v, 0, true);
	qpack_put_string(&w, 0x40, 6, v, 0, false);            /* empty name */
	qpack_put_string(&w, 0x00, 8, v, 3, false);
	qpack_put_int(&w, 0x00, 5, 1);                         /* Duplicate of the Huffman name */
	assert_false(w.err);
	return n + buf_written(&w);
}

#endif
