/* http3/qpack: the RFC 7541 Appendix C integer examples and integer
 * limits, the static table, the RFC 9204 Appendix B exchange byte for
 * byte from both sides, every error path with a crafted input and its
 * exact RFC 9204 code, blocked streams, size limits and full buffers,
 * encoder and decoder streams fed split at every byte, and the
 * encoder's policy (what it inserts, references, duplicates, never
 * evicts; the N bit). Random round trips and the robustness run are in
 * test_qpack_random.c, the Huffman code in test_huffman.c. */
#include "qpack_util.h"

/* ---------------------------------------------------------------- integers */

static void test_integers(void **state)
{
	static const uint64_t values[] = {
		0, 1, 30, 31, 32, 126, 127, 128, 254, 255, 256, 1337, 16383, 16384,
		(UINT64_C(1) << 32) - 1, UINT64_C(1) << 32, QPACK_INT_MAX - 1, QPACK_INT_MAX,
	};
	uint8_t b[32];
	struct buf_writer w;
	struct buf_reader r;
	uint64_t v;

	/* RFC 7541 C.1: 10 and 1337 with a 5-bit prefix, 42 with 8 bits */
	buf_writer_init(&w, b, sizeof(b));
	qpack_put_int(&w, 0xe0, 5, 10);
	qpack_put_int(&w, 0x00, 5, 1337);
	qpack_put_int(&w, 0x00, 8, 42);
	assert_hex(b, buf_written(&w), "ea 1f9a0a 2a");

	for (unsigned n = 1; n <= 8; n++)
		for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
			uint64_t mask = (UINT64_C(1) << n) - 1;
			uint64_t vals[] = {
				values[i], mask - 1, mask, mask + 1, mask + 127, mask + 128,
			};

			for (size_t k = 0; k < ARRAY_SIZE(vals); k++) {
				if (vals[k] > QPACK_INT_MAX)
					continue;
				buf_writer_init(&w, b, sizeof(b));
				qpack_put_int(&w, 0xff, n, vals[k]);
				assert_false(w.err);
				assert_int_equal(buf_written(&w), qpack_int_len(n, vals[k]));
				/* the bits above the prefix are kept */
				assert_int_equal(b[0] & ~mask & 0xff, 0xff & ~mask);
				buf_reader_init(&r, b, buf_written(&w));
				assert_int_equal(qpack_get_int(&r, n, &v), 0);
				assert_int_equal(v, vals[k]);
				assert_int_equal(buf_left(&r), 0);
				/* every truncation */
				for (size_t cut = 0; cut < buf_written(&w); cut++) {
					buf_reader_init(&r, b, cut);
					assert_int_equal(qpack_get_int(&r, n, &v),
							 QPACK_INT_TRUNCATED);
					assert_true(r.err);
				}
			}
		}
	/* 2^62 - 1 with a 5-bit prefix needs 9 continuation bytes */
	buf_writer_init(&w, b, sizeof(b));
	qpack_put_int(&w, 0, 5, QPACK_INT_MAX);
	assert_int_equal(buf_written(&w), 10);
	/* 2^62 is refused, so are 2^64 and beyond, and a tenth byte */
	{
		static const char *const over[] = {
			"1f e1 ff ff ff ff ff ff ff 3f",        /* 31 + 2^62 - 31: 2^62 */
			"1f ff ff ff ff ff ff ff ff ff 01",     /* past 2^64 */
			"1f 80 80 80 80 80 80 80 80 80 00",     /* ten zero groups */
			"ff ff ff ff ff ff ff ff ff 7f",        /* 255 + 2^63-ish */
		};

		for (size_t i = 0; i < ARRAY_SIZE(over); i++) {
			size_t n = unit_unhex_spaced(over[i], b, sizeof(b));

			buf_reader_init(&r, b, n);
			assert_int_equal(qpack_get_int(&r, i == 3 ? 8 : 5, &v), QPACK_INT_OVERFLOW);
		}
		/* 2^62 - 1 exactly: 31 + (2^62 - 32) */
		unit_unhex_spaced("1f e0 ff ff ff ff ff ff ff 3f", b, sizeof(b));
		buf_reader_init(&r, b, 10);
		assert_int_equal(qpack_get_int(&r, 5, &v), 0);
		assert_int_equal(v, QPACK_INT_MAX);
		/* a redundant zero group is allowed (RFC 7541 does not forbid it) */
		unit_unhex_spaced("1f 80 00", b, sizeof(b));
		buf_reader_init(&r, b, 3);
		assert_int_equal(qpack_get_int(&r, 5, &v), 0);
		assert_int_equal(v, 31);
	}
	/* strings: the H flag sits above the length prefix */
	buf_writer_init(&w, b, sizeof(b));
	qpack_put_string(&w, 0x20, 4, (const uint8_t *)"302", 3, true);
	assert_hex(b, buf_written(&w), "2a 6402");   /* 001 0 1 010 */
	buf_writer_init(&w, b, 3);
	qpack_put_string(&w, 0x00, 8, (const uint8_t *)"abc", 3, false);
	assert_true(w.err);                          /* needs 4: nothing written */
	assert_int_equal(buf_written(&w), 0);
}

/* ---------------------------------------------------------------- static table */

static void test_static_table(void **state)
{
	static const struct { unsigned idx; const char *name, *value; } spot[] = {
		{ 0, ":authority", "" }, { 1, ":path", "/" }, { 14, "set-cookie", "" },
		{ 17, ":method", "GET" }, { 25, ":status", "200" }, { 31, "accept-encoding",
		"gzip, deflate, br" }, { 52, "content-type", "text/html; charset=utf-8" },
		{ 58, "strict-transport-security", "max-age=31536000; includesubdomains; preload" },
		{ 73, "access-control-allow-credentials", "FALSE" },
		{ 85, "content-security-policy",
		  "script-src 'none'; object-src 'none'; base-uri 'none'" },
		{ 92, "server", "" },
		{ 98, "x-frame-options", "sameorigin" },
	};
	struct qpack_field f;
	int name_idx;

	for (size_t i = 0; i < ARRAY_SIZE(spot); i++) {
		assert_true(qpack_static_get(spot[i].idx, &f));
		assert_field(&f, spot[i].name, spot[i].value);
	}
	assert_false(qpack_static_get(QPACK_STATIC_COUNT, &f));
	/* names are lowercase tokens or pseudo-headers; every entry finds
	 * itself, the first of its name as the name match */
	for (unsigned i = 0; i < QPACK_STATIC_COUNT; i++) {
		assert_true(qpack_static_get(i, &f));
		for (size_t k = 0; k < f.name_len; k++)
			assert_false(f.name[k] >= 'A' && f.name[k] <= 'Z');
		assert_int_equal(qpack_static_find(f.name, f.name_len, f.value, f.value_len,
						   &name_idx), (int)i);
		assert_true(name_idx >= 0 && (unsigned)name_idx <= i);
	}
	assert_int_equal(qpack_static_find((const uint8_t *)":status", 7, (const uint8_t *)"201", 3,
					   &name_idx), -1);
	assert_int_equal(name_idx, 24);
	assert_int_equal(qpack_static_find((const uint8_t *)"x-custom", 8, (const uint8_t *)"", 0,
					   &name_idx), -1);
	assert_int_equal(name_idx, -1);
}

/* ---------------------------------------------------------------- RFC 9204 Appendix B */

/* The decoder's side: our decoder (advertising 220 bytes) fed the
 * encoder's bytes, writing the RFC's decoder stream bytes. */
static void test_rfc9204_decoder(void **state)
{
	uint8_t out[64];
	size_t n;

	if (!HAVE_TABLE)
		skip();
	qpack_decoder_init(&dec, 220, 2);

	/* B.1 */
	assert_int_equal(decode_hex(&dec, 0, B1_SEC), QPACK_OK);
	assert_int_equal(list.count, 1);
	assert_field(&list.fields[0], ":path", "/index.html");
	assert_false(qpack_decoder_has_output(&dec));

	/* B.2: the section would block without the encoder stream */
	assert_int_equal(feed_hex(&dec, B2_ENC), QPACK_OK);
	assert_int_equal(dec.t.capacity, 220);
	assert_int_equal(dec.t.size, 106);
	assert_entry(&dec.t, 0, ":authority", "www.example.com");
	assert_entry(&dec.t, 1, ":path", "/sample/path");
	assert_int_equal(decode_hex(&dec, 4, B2_SEC), QPACK_OK);
	assert_int_equal(list.count, 2);
	assert_field(&list.fields[0], ":authority", "www.example.com");
	assert_field(&list.fields[1], ":path", "/sample/path");
	n = dec_out(&dec, out, sizeof(out));
	assert_hex(out, n, "84");                 /* Section Acknowledgment (stream=4) */
	assert_false(qpack_decoder_has_output(&dec));

	/* B.3 */
	assert_int_equal(feed_hex(&dec, B3_ENC), QPACK_OK);
	assert_int_equal(dec.t.size, 160);
	assert_entry(&dec.t, 2, "custom-key", "custom-value");
	n = dec_out(&dec, out, sizeof(out));
	assert_hex(out, n, "01");                 /* Insert Count Increment (1) */

	/* B.4: the section arrives before the Duplicate and blocks; the
	 * stream is cancelled */
	assert_int_equal(decode_hex(&dec, 8, B4_SEC), QPACK_BLOCKED);
	assert_int_equal(dec.n_blocked, 1);
	assert_int_equal(qpack_decoder_unblocked(&dec, (uint64_t[1]){ 0 }, 1), 0);
	assert_int_equal(qpack_decoder_cancel_stream(&dec, 8), QPACK_OK);
	assert_int_equal(dec.n_blocked, 0);
	n = dec_out(&dec, out, sizeof(out));
	assert_hex(out, n, "48");                 /* Stream Cancellation (Stream=8) */
	assert_int_equal(feed_hex(&dec, B4_ENC), QPACK_OK);
	assert_int_equal(dec.t.size, 217);
	assert_entry(&dec.t, 3, ":authority", "www.example.com");
	/* had it not been cancelled, it would decode now */
	assert_int_equal(decode_hex(&dec, 12, B4_SEC), QPACK_OK);
	assert_int_equal(list.count, 3);
	assert_field(&list.fields[0], ":authority", "www.example.com");
	assert_field(&list.fields[1], ":path", "/");
	assert_field(&list.fields[2], "custom-key", "custom-value");

	/* B.5: the insert evicts entry 0 */
	assert_int_equal(feed_hex(&dec, B5_ENC), QPACK_OK);
	assert_int_equal(dec.t.size, 215);
	assert_int_equal(dec.t.dropped, 1);
	assert_int_equal(dec.t.inserted, 5);
	assert_entry(&dec.t, 1, ":path", "/sample/path");
	assert_entry(&dec.t, 2, "custom-key", "custom-value");
	assert_entry(&dec.t, 3, ":authority", "www.example.com");
	assert_entry(&dec.t, 4, "custom-key", "custom-value2");
	/* the acknowledgment of stream 12 (Required Insert Count 4) and an
	 * increment for entry 4 */
	n = dec_out(&dec, out, sizeof(out));
	assert_hex(out, n, "8c 01");
	assert_int_equal(dec.known_received, 5);
	/* entry 0 is gone: a section referencing it fails */
	assert_int_equal(decode_hex(&dec, 16, "0200 80"), DF);
}

/* The encoder's side: our encoder, told to insert everything and not to
 * use Huffman, produces the RFC's bytes and follows its table. */
static void test_rfc9204_encoder(void **state)
{
	static const struct qpack_field b1[] = { F(":path", "/index.html") };
	static const struct qpack_field b2[] = {
		F(":authority", "www.example.com"), F(":path", "/sample/path"),
	};
	static const struct qpack_field b3 = F("custom-key", "custom-value");
	static const struct qpack_field b4[] = {
		F(":authority", "www.example.com"), F(":path", "/"),
		F("custom-key", "custom-value"),
	};
	static const struct qpack_field b5 = F("custom-key", "custom-value2");
	uint8_t secb[256], encb[256];
	struct buf_writer sw, ew;
	uint64_t abs;

	if (!HAVE_TABLE)
		skip();
	qpack_encoder_init(&enc);
	enc.flags = QPACK_ENC_NO_HUFFMAN | QPACK_ENC_INSERT_ALL;

	/* B.1: before SETTINGS, static table and literals only */
	buf_writer_init(&sw, secb, sizeof(secb));
	buf_writer_init(&ew, encb, sizeof(encb));
	assert_int_equal(qpack_encode(&enc, 0, b1, 1, &sw, &ew), QPACK_OK);
	assert_hex(secb, buf_written(&sw), B1_SEC);
	assert_int_equal(buf_written(&ew), 0);

	/* B.2 */
	qpack_encoder_set_peer_settings(&enc, 220, 2);
	buf_writer_init(&sw, secb, sizeof(secb));
	buf_writer_init(&ew, encb, sizeof(encb));
	assert_int_equal(qpack_encode(&enc, 4, b2, 2, &sw, &ew), QPACK_OK);
	assert_hex(encb, buf_written(&ew), B2_ENC);
	assert_hex(secb, buf_written(&sw), B2_SEC);
	assert_int_equal(enc.t.size, 106);
	assert_int_equal(enc.n_sections, 1);
	assert_int_equal(enc_feed_hex(&enc, "84"), QPACK_OK);
	assert_int_equal(enc.n_sections, 0);
	assert_int_equal(enc.known_received, 2);

	/* B.3: a speculative insert */
	buf_writer_init(&ew, encb, sizeof(encb));
	assert_int_equal(qpack_encoder_insert(&enc, &b3, &ew, &abs), QPACK_OK);
	assert_int_equal(abs, 2);
	assert_hex(encb, buf_written(&ew), B3_ENC);
	assert_int_equal(enc.t.size, 160);
	assert_int_equal(enc_feed_hex(&enc, "01"), QPACK_OK);
	assert_int_equal(enc.known_received, 3);

	/* B.4: Duplicate, then a section using it */
	buf_writer_init(&ew, encb, sizeof(encb));
	assert_int_equal(qpack_encoder_duplicate(&enc, 0, &ew, &abs), QPACK_OK);
	assert_int_equal(abs, 3);
	assert_hex(encb, buf_written(&ew), B4_ENC);
	assert_int_equal(enc.t.size, 217);
	buf_writer_init(&sw, secb, sizeof(secb));
	buf_writer_init(&ew, encb, sizeof(encb));
	assert_int_equal(qpack_encode(&enc, 8, b4, 3, &sw, &ew), QPACK_OK);
	assert_int_equal(buf_written(&ew), 0);
	assert_hex(secb, buf_written(&sw), B4_SEC);
	assert_int_equal(enc.n_sections, 1);
	assert_int_equal(enc_feed_hex(&enc, "48"), QPACK_OK);    /* Stream Cancellation */
	assert_int_equal(enc.n_sections, 0);
	assert_int_equal(enc.known_received, 3);  /* a cancellation acknowledges nothing */

	/* B.5: entry 0 is acknowledged and unreferenced: evictable */
	buf_writer_init(&ew, encb, sizeof(encb));
	assert_int_equal(qpack_encoder_insert(&enc, &b5, &ew, &abs), QPACK_OK);
	assert_int_equal(abs, 4);
	assert_hex(encb, buf_written(&ew), B5_ENC);
	assert_int_equal(enc.t.size, 215);
	assert_int_equal(enc.t.dropped, 1);
	assert_entry(&enc.t, 4, "custom-key", "custom-value2");

	/* the encoder's table is the decoder's after the same bytes */
	qpack_decoder_init(&dec, 220, 2);
	assert_int_equal(feed_hex(&dec, B2_ENC B3_ENC B4_ENC B5_ENC), QPACK_OK);
	assert_tables_equal(&enc.t, &dec.t);
}

/* ---------------------------------------------------------------- errors */

/* A decoder with 220 bytes advertised after B.2 and B.3: entries 0-2,
 * MaxEntries 6 (Required Insert Count encoded modulo 12). */
static void dec_b3(struct qpack_decoder *d, uint32_t blocked)
{
	/* without room for the RFC's table, a static-only decoder: every
	 * vector below is then invalid for its Required Insert Count alone */
	qpack_decoder_init(d, HAVE_TABLE ? 220 : 0, blocked);
	if (!HAVE_TABLE)
		return;
	assert_int_equal(feed_hex(d, B2_ENC B3_ENC), QPACK_OK);
	assert_int_equal(d->t.inserted, 3);
}

static void test_section_errors(void **state)
{
	static const struct { const char *hex, *why; } bad[] = {
		{ "", "empty" },
		{ "00", "no Base" },
		{ "ff", "Required Insert Count truncated" },
		{ "0d00", "encoded Required Insert Count 13 > FullRange 12" },
		{ "0b00", "wraps to 10 > MaxValue 9, not past FullRange" },
		{ "0100", "Required Insert Count 0 encoded as 1" },
		{ "0382 10", "Sign with Delta Base 2 >= Required Insert Count 2" },
		{ "ff80 ffffffffffffffff7f 00", "Required Insert Count past 62 bits" },
		{ "0000 ff24", "indexed static 99" },
		{ "0000 ff", "index truncated" },
		{ "0000 ffffffffffffffffff7f", "index past 62 bits" },
		{ "0000 5f54 00", "name reference static 99" },
		{ "0000 5f", "name index truncated" },
		{ "0200 81", "relative index 1 >= Base 1" },
		{ "0201 80", "absolute index 1 >= Required Insert Count 1 (Base 2)" },
		{ "0200 10", "post-Base: absolute 1 >= Required Insert Count 1" },
		{ "0200 41 00", "name reference: relative 1 >= Base 1" },
		{ "0200 00 00", "post-Base name reference: absolute 1 >= 1" },
		{ "0381 12", "post-Base 2: absolute 2 >= Required Insert Count 2" },
		{ "0000 5103 2f", "value length past the end" },
		{ "0000 51", "value missing" },
		{ "0000 2361 62", "literal name length past the end" },
		{ "0000 5181 ff", "value: 8 bits of Huffman padding" },
		{ "0000 5181 18", "value: Huffman padding not ones" },
		{ "0000 5184 ffffffff", "value: Huffman EOS" },
		{ "0000 29ff 00", "literal name: bad Huffman" },
		{ "0000 2f00", "literal name length 7 + ... truncated" },
		{ "0300 81", "Required Insert Count 2 but only entry 0 referenced" },
		{ "0300", "Required Insert Count 2, no reference" },
		{ "0300 c1", "Required Insert Count 2, static references only" },
		{ "0400 80 81 82", "Required Insert Count 3, all there, then more: ok?" },
	};

	for (size_t i = 0; i + 1 < ARRAY_SIZE(bad); i++) {
		dec_b3(&dec, 2);
		print_message("  %s\n", bad[i].why);
		assert_int_equal(decode_hex(&dec, 0, bad[i].hex), DF);
		/* connection errors are sticky */
		assert_int_equal(decode_hex(&dec, 4, "0000 d1"), DF);
		assert_int_equal(feed_hex(&dec, "20"), DF);
		assert_int_equal(qpack_decoder_cancel_stream(&dec, 4), DF);
	}
	if (!HAVE_TABLE)
		return;
	/* the last one is valid: entries 2, 1, 0 */
	dec_b3(&dec, 2);
	assert_int_equal(decode_hex(&dec, 0, bad[ARRAY_SIZE(bad) - 1].hex), QPACK_OK);
	assert_int_equal(list.count, 3);
	assert_field(&list.fields[2], ":authority", "www.example.com");
	/* and the ones next to the failures that are valid */
	dec_b3(&dec, 2);
	assert_int_equal(decode_hex(&dec, 0, "0381 10 11"), QPACK_OK);      /* B.2 */
	assert_int_equal(decode_hex(&dec, 4, "0200 80"), QPACK_OK);         /* entry 0 */
	assert_int_equal(decode_hex(&dec, 8, "0200 40 00"), QPACK_OK);      /* its name, "" */
	assert_field(&list.fields[0], ":authority", "");
	assert_int_equal(decode_hex(&dec, 12, "0000 d1 c0"), QPACK_OK);
	assert_int_equal(decode_hex(&dec, 16, "0000 5f53 00"), QPACK_OK);   /* static 98 */
	assert_field(&list.fields[0], "x-frame-options", "");
	assert_int_equal(decode_hex(&dec, 20, "0000 ff23"), QPACK_OK);      /* static 98 */
	assert_field(&list.fields[0], "x-frame-options", "sameorigin");
	/* Required Insert Count wrap (4.5.1.1), the RFC's example: 100 bytes,
	 * MaxEntries 3, encoded modulo 6; with 10 inserts, an encoded 4 means
	 * 9. Entries of 42 bytes: entries 8 and 9 are left. */
	qpack_decoder_init(&dec, 100, 2);
	assert_int_equal(feed_hex(&dec, "3f45"), QPACK_OK);
	for (int i = 0; i < 10; i++)
		assert_int_equal(feed_hex(&dec, "c000"), QPACK_OK);  /* :authority "" */
	assert_int_equal(dec.t.inserted, 10);
	assert_int_equal(dec.t.dropped, 8);
	assert_int_equal(decode_hex(&dec, 0, "0400 80"), QPACK_OK);   /* 9, Base 9: entry 8 */
	assert_int_equal(decode_hex(&dec, 4, "0500 80"), QPACK_OK);   /* 10: entry 9 */
	assert_int_equal(decode_hex(&dec, 8, "0600 80"), QPACK_BLOCKED);  /* 11 */
	assert_int_equal(decode_hex(&dec, 12, "0200 80"), QPACK_BLOCKED); /* 13 */
	assert_int_equal(decode_hex(&dec, 16, "0300 80"), DF);        /* 8: entry 7 evicted */
	qpack_decoder_init(&dec, 100, 2);
	assert_int_equal(decode_hex(&dec, 0, "0700"), DF);            /* 7 > FullRange 6 */
}

static void test_encoder_stream_errors(void **state)
{
	static const struct { uint32_t cap; const char *hex, *why; } bad[] = {
		{ 220, "3fbe01", "capacity 221 > 220" },
		{ 0, "21", "capacity 1 > 0" },
		{ 220, "3fbd01 ff24 00", "name reference static 99" },
		{ 220, "3fbd01 80 00", "name reference relative 0, table empty" },
		{ 220, "3fbd01 c000 81 00", "name reference relative 1, one entry" },
		{ 220, "3fbd01 01", "Duplicate relative 1, table empty" },
		{ 220, "3fbd01 c000 20 3fbd01 00", "Duplicate of an entry evicted by capacity 0" },
		{ 220, "3fbd01 5f9e01", "literal name 189 + 32 > 220" },
		{ 220, "3fbd01 c000", "fine so far" },
		{ 220, "c000", "insert into capacity 0" },
		{ 0, "6080", "empty Huffman name and value (32 bytes) into capacity 0" },
		{ 220, "3f00 6080", "the same into capacity 31" },
		{ 220, "3f01 6080", "the same into capacity 32: fits" },
		{ 220, "3f00 4080", "raw empty name, Huffman empty value, capacity 31" },
		{ 220, "3f00 00", "Duplicate into capacity 31, table empty" },
		{ 220, "3fbd01 61ff 00", "literal name: 8 bits of Huffman padding" },
		{ 220, "3fbd01 c081 18", "value: Huffman padding not ones" },
		{ 220, "3fbd01 c084 ffffffff", "value: Huffman EOS" },
		{ 220, "3fffffffffffffffffff01", "capacity past 62 bits" },
		{ 220, "3fbd01 ff ffffffffffffffffff7f", "name index past 62 bits" },
		{ 220, "3fbd01 c0ff ffffffffffffffffff7f", "value length past 62 bits" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int want = strcmp(bad[i].why, "fine so far") && !strstr(bad[i].why, "fits") ?
			   ESE : QPACK_OK;

		if (bad[i].cap > CONFIG_H3_QPACK_TABLE_CAPACITY)
			continue;
		print_message("  %s\n", bad[i].why);
		qpack_decoder_init(&dec, bad[i].cap, 1);
		assert_int_equal(feed_hex(&dec, bad[i].hex), want);
		if (want == QPACK_OK)
			continue;
		assert_int_equal(feed_hex(&dec, "20"), ESE);                     /* sticky */
		assert_int_equal(decode_hex(&dec, 0, "0000 d1"), ESE);
		/* byte by byte, the same error */
		{
			uint8_t in[512];
			size_t n = unit_unhex_spaced(bad[i].hex, in, sizeof(in));
			int ret = QPACK_OK;

			qpack_decoder_init(&dec, bad[i].cap, 1);
			for (size_t k = 0; k < n && ret == QPACK_OK; k++)
				ret = qpack_decoder_feed(&dec, in + k, 1);
			assert_int_equal(ret, ESE);
		}
	}
	if (!HAVE_TABLE)
		return;
	/* the capacity bound exactly (3.2.2): name + value + 32 <= 220 */
	for (unsigned vl = 88; vl <= 89; vl++) {
		uint8_t in[256], name[100], value[100];
		struct buf_writer w;

		memset(name, 'a', sizeof(name));
		memset(value, 'b', sizeof(value));
		buf_writer_init(&w, in, sizeof(in));
		qpack_put_int(&w, 0x20, 5, 220);
		qpack_put_string(&w, 0x40, 6, name, 100, false);
		qpack_put_string(&w, 0x00, 8, value, vl, false);
		qpack_decoder_init(&dec, 220, 1);
		assert_int_equal(qpack_decoder_feed(&dec, in, buf_written(&w)), vl == 88 ? 0 : ESE);
		/* Huffman-coded, found out while decoding */
		buf_writer_init(&w, in, sizeof(in));
		qpack_put_int(&w, 0x20, 5, 220);
		qpack_put_string(&w, 0x40, 6, name, 100, true);
		qpack_put_string(&w, 0x00, 8, value, vl, true);
		qpack_decoder_init(&dec, 220, 1);
		assert_int_equal(qpack_decoder_feed(&dec, in, buf_written(&w)), vl == 88 ? 0 : ESE);
		if (vl == 88) {
			assert_int_equal(dec.t.size, 220);
			assert_int_equal(dec.t.inserted, 1);
		}
	}
	/* capacity 64: a Huffman name of 32 bytes fits (with an empty
	 * value), one of 41 fails before its end arrives */
	for (unsigned nl = 32; nl <= 41; nl += 9) {
		uint8_t in[64], name[41];
		struct buf_writer w;

		memset(name, 'a', sizeof(name));
		buf_writer_init(&w, in, sizeof(in));
		qpack_put_int(&w, 0x20, 5, 64);
		qpack_put_string(&w, 0x40, 6, name, nl, true);
		if (nl == 32)
			qpack_put_string(&w, 0x00, 8, name, 0, false);
		qpack_decoder_init(&dec, 64, 1);
		assert_int_equal(qpack_decoder_feed(&dec, in, buf_written(&w) - (nl == 41)),
				 nl == 32 ? 0 : ESE);
	}
}

static void test_decoder_stream_errors(void **state)
{
	static const struct qpack_field f2[] = { F("x-a", "1"), F("x-b", "2") };
	uint8_t secb[128], encb[128];
	struct buf_writer sw, ew;

	/* nothing sent: no acknowledgment, no increment can be right */
	qpack_encoder_init(&enc);
	assert_int_equal(enc_feed_hex(&enc, "84"), DSE);
	assert_int_equal(enc_feed_hex(&enc, "48"), DSE);    /* sticky */
	qpack_encoder_init(&enc);
	assert_int_equal(enc_feed_hex(&enc, "00"), DSE);    /* increment 0 */
	qpack_encoder_init(&enc);
	assert_int_equal(enc_feed_hex(&enc, "01"), DSE);    /* past what was inserted */
	qpack_encoder_init(&enc);
	assert_int_equal(enc_feed_hex(&enc, "ff ffffffffffffffff7f"), DSE);
	qpack_encoder_init(&enc);
	assert_int_equal(enc_feed_hex(&enc, "48 7f00"), QPACK_OK);  /* cancelling is always fine */

	if (!HAVE_TABLE)
		return;
	/* one section with references on stream 4: one acknowledgment */
	qpack_encoder_init(&enc);
	enc.flags = QPACK_ENC_INSERT_ALL;
	qpack_encoder_set_peer_settings(&enc, 220, 1);
	buf_writer_init(&sw, secb, sizeof(secb));
	buf_writer_init(&ew, encb, sizeof(encb));
	assert_int_equal(qpack_encode(&enc, 4, f2, 2, &sw, &ew), QPACK_OK);
	assert_int_equal(enc.t.inserted, 2);
	assert_int_equal(enc_feed_hex(&enc, "88"), DSE);    /* stream 8 has none */
	qpack_encoder_init(&enc);
	enc.flags = QPACK_ENC_INSERT_ALL;
	qpack_encoder_set_peer_settings(&enc, 220, 1);
	buf_writer_init(&sw, secb, sizeof(secb));
	buf_writer_init(&ew, encb, sizeof(encb));
	assert_int_equal(qpack_encode(&enc, 4, f2, 2, &sw, &ew), QPACK_OK);
	assert_int_equal(enc_feed_hex(&enc, "84"), QPACK_OK);
	assert_int_equal(enc.known_received, 2);
	assert_int_equal(enc_feed_hex(&enc, "84"), DSE);    /* already acknowledged */
	assert_int_equal(qpack_encode(&enc, 8, f2, 2, &sw, &ew), DSE);
	/* increments: up to the insert count exactly */
	qpack_encoder_init(&enc);
	enc.flags = QPACK_ENC_INSERT_ALL;
	qpack_encoder_set_peer_settings(&enc, 220, 1);
	buf_writer_init(&sw, secb, sizeof(secb));
	buf_writer_init(&ew, encb, sizeof(encb));
	assert_int_equal(qpack_encode(&enc, 4, f2, 2, &sw, &ew), QPACK_OK);
	assert_int_equal(enc_feed_hex(&enc, "01 01"), QPACK_OK);
	assert_int_equal(enc.known_received, 2);
	assert_int_equal(enc_feed_hex(&enc, "84"), QPACK_OK);   /* Required Insert Count 2 <= 2 */
	assert_int_equal(enc_feed_hex(&enc, "01"), DSE);
}

/* ---------------------------------------------------------------- blocked, limits */

static void test_blocked_streams(void **state)
{
	uint64_t ids[8];
	uint8_t out[32];

	if (!HAVE_TABLE)
		skip();
	/* two blocked streams allowed: a third is an error */
	qpack_decoder_init(&dec, 220, 2);
	assert_int_equal(decode_hex(&dec, 4, B2_SEC), QPACK_BLOCKED);
	assert_int_equal(decode_hex(&dec, 4, B2_SEC), QPACK_BLOCKED);  /* counted once */
	assert_int_equal(decode_hex(&dec, 8, "0200 80"), QPACK_BLOCKED);
	assert_int_equal(dec.n_blocked, 2);
	assert_int_equal(qpack_decoder_unblocked(&dec, ids, 8), 0);
	assert_false(qpack_decoder_has_output(&dec));
	/* the first insert unblocks stream 8, both unblock stream 4 */
	assert_int_equal(feed_hex(&dec, "3fbd01 c00f 7777 772e 6578 616d 706c 652e 636f 6d"), 0);
	assert_int_equal(qpack_decoder_unblocked(&dec, ids, 8), 1);
	assert_int_equal(ids[0], 8);
	assert_int_equal(decode_hex(&dec, 8, "0200 80"), QPACK_OK);
	assert_field(&list.fields[0], ":authority", "www.example.com");
	assert_int_equal(dec.n_blocked, 1);
	assert_int_equal(feed_hex(&dec, "c10c 2f73 616d 706c 652f 7061 7468"), 0);
	assert_int_equal(qpack_decoder_unblocked(&dec, ids, 8), 1);
	assert_int_equal(ids[0], 4);
	assert_int_equal(decode_hex(&dec, 4, B2_SEC), QPACK_OK);
	assert_int_equal(dec.n_blocked, 0);
	assert_hex(out, dec_out(&dec, out, sizeof(out)), "88 84");
	/* full again, then one more: QPACK_DECOMPRESSION_FAILED (2.1.2) */
	assert_int_equal(decode_hex(&dec, 12, "0400 80"), QPACK_BLOCKED);
	assert_int_equal(decode_hex(&dec, 16, "0400 80"), QPACK_BLOCKED);
	assert_int_equal(decode_hex(&dec, 20, "0400 80"), DF);
	/* none allowed */
	qpack_decoder_init(&dec, 220, 0);
	assert_int_equal(decode_hex(&dec, 4, B2_SEC), DF);
	/* cancelling a blocked stream frees its place */
	qpack_decoder_init(&dec, 220, 1);
	assert_int_equal(decode_hex(&dec, 4, B2_SEC), QPACK_BLOCKED);
	assert_int_equal(qpack_decoder_cancel_stream(&dec, 4), QPACK_OK);
	assert_int_equal(decode_hex(&dec, 8, B2_SEC), QPACK_BLOCKED);
	assert_hex(out, dec_out(&dec, out, sizeof(out)), "44");
	/* a decoder without a table never sends cancellations */
	qpack_decoder_init(&dec, 0, 0);
	assert_int_equal(qpack_decoder_cancel_stream(&dec, 4), QPACK_OK);
	assert_false(qpack_decoder_has_output(&dec));
}

static void test_too_large(void **state)
{
	static const struct qpack_field big[] = {
		F(":status", "200"), F("server", "tern"), F("x-long", "0123456789abcdef"),
	};
	struct qpack_field few[2];
	uint8_t secb[256], small_arena[8], out[16];
	struct buf_writer sw;
	size_t seclen;

	qpack_encoder_init(&enc);
	buf_writer_init(&sw, secb, sizeof(secb));
	assert_int_equal(qpack_encode(&enc, 0, big, 3, &sw, NULL), QPACK_OK);
	seclen = buf_written(&sw);

	/* sizes: 7+3+32 + 6+4+32 + 6+16+32 = 138 */
	qpack_decoder_init(&dec, 0, 0);
	assert_int_equal(decode_hex(&dec, 0, "0000"), QPACK_OK);
	qpack_field_list_init(&list, fbuf, ARRAY_SIZE(fbuf), arena, sizeof(arena));
	assert_int_equal(qpack_decode(&dec, 0, secb, seclen, &list), QPACK_OK);
	assert_int_equal(list.section_size, 138);
	dec.max_field_section = 138;
	assert_int_equal(qpack_decode(&dec, 0, secb, seclen, &list), QPACK_OK);
	dec.max_field_section = 137;
	assert_int_equal(qpack_decode(&dec, 0, secb, seclen, &list), QPACK_TOO_LARGE);
	assert_int_equal(list.section_size, 138);
	assert_int_equal(list.count, 2);
	/* not an error: the decoder goes on */
	assert_int_equal(decode_hex(&dec, 4, "0000 d1"), QPACK_OK);
	/* the caller's field array or arena too small */
	dec.max_field_section = CONFIG_H3_MAX_FIELD_SECTION;
	qpack_field_list_init(&list, few, 2, arena, sizeof(arena));
	assert_int_equal(qpack_decode(&dec, 0, secb, seclen, &list), QPACK_TOO_LARGE);
	assert_int_equal(list.section_size, 138);
	qpack_field_list_init(&list, fbuf, ARRAY_SIZE(fbuf), small_arena, sizeof(small_arena));
	assert_int_equal(qpack_decode(&dec, 0, secb, seclen, &list), QPACK_TOO_LARGE);
	qpack_field_list_init(&list, fbuf, ARRAY_SIZE(fbuf), NULL, 0);
	assert_int_equal(qpack_decode(&dec, 0, secb, seclen, &list), QPACK_TOO_LARGE);
	/* ...but a malformed rest is still an error */
	qpack_field_list_init(&list, few, 1, arena, sizeof(arena));
	assert_int_equal(qpack_decode(&dec, 0, (const uint8_t *)"\0\0\xd1\xd1\x51\x81\xff", 7,
				      &list), DF);

	if (!HAVE_TABLE)
		return;
	/* a too-large section with dynamic references is acknowledged */
	dec_b3(&dec, 2);
	dec.max_field_section = 40;
	assert_int_equal(decode_hex(&dec, 4, B2_SEC), QPACK_TOO_LARGE);
	assert_hex(out, dec_out(&dec, out, sizeof(out)), "84 01");
}

static void test_no_buffer(void **state)
{
	static const struct qpack_field f[] = {
		F(":status", "200"), F("content-type", "text/x-custom"), F("x-a", "b"),
	};
	uint8_t secb[256], encb[256], out[256];
	struct buf_writer sw, ew, w;
	size_t full;

	/* a section that does not fit: nothing written, err set */
	qpack_encoder_init(&enc);
	buf_writer_init(&sw, secb, sizeof(secb));
	assert_int_equal(qpack_encode(&enc, 0, f, 3, &sw, NULL), QPACK_OK);
	full = buf_written(&sw);
	for (size_t cap = 0; cap < full; cap++) {
		buf_writer_init(&sw, secb, cap);
		assert_int_equal(qpack_encode(&enc, 0, f, 3, &sw, NULL), QPACK_NO_BUFFER);
		assert_true(sw.err);
		assert_int_equal(buf_written(&sw), 0);
	}
	buf_writer_init(&sw, secb, full);
	assert_int_equal(qpack_encode(&enc, 0, f, 3, &sw, NULL), QPACK_OK);

	if (!HAVE_TABLE)
		return;
	/* an encoder stream without room: nothing inserted, literals */
	qpack_encoder_init(&enc);
	enc.flags = QPACK_ENC_INSERT_ALL;
	qpack_encoder_set_peer_settings(&enc, 220, 2);
	for (size_t cap = 0; cap < 8; cap++) {
		buf_writer_init(&sw, secb, sizeof(secb));
		buf_writer_init(&ew, encb, cap);
		assert_int_equal(qpack_encode(&enc, 0, f, 3, &sw, &ew), QPACK_OK);
		assert_int_equal(enc.t.inserted, 0);
		assert_int_equal(buf_written(&ew), 0);
		assert_int_equal(enc.n_sections, 0);
	}
	/* the section does not fit but the inserts were made: they stay */
	buf_writer_init(&sw, secb, 4);
	buf_writer_init(&ew, encb, sizeof(encb));
	assert_int_equal(qpack_encode(&enc, 0, f, 3, &sw, &ew), QPACK_NO_BUFFER);
	assert_int_equal(enc.t.inserted, 2);
	assert_true(buf_written(&ew) > 0);
	assert_int_equal(enc.n_sections, 0);
	qpack_decoder_init(&dec, 220, 2);
	assert_int_equal(qpack_decoder_feed(&dec, encb, buf_written(&ew)), QPACK_OK);
	assert_tables_equal(&enc.t, &dec.t);

	/* the decoder's queue of instructions full: decode waits */
	dec_b3(&dec, 2);
	for (unsigned i = 0; i < QPACK_DECODER_PENDING; i++)
		assert_int_equal(decode_hex(&dec, 4 * i, "0200 80"), QPACK_OK);
	assert_int_equal(decode_hex(&dec, 400, "0200 80"), QPACK_NO_BUFFER);
	assert_int_equal(qpack_decoder_cancel_stream(&dec, 400), QPACK_NO_BUFFER);
	/* a section without dynamic references needs no acknowledgment */
	assert_int_equal(decode_hex(&dec, 400, "0000 d1"), QPACK_OK);
	/* written in pieces: whole instructions only */
	buf_writer_init(&w, out, 1);
	assert_int_equal(qpack_decoder_write(&dec, &w), 1);
	assert_hex(out, 1, "80");
	assert_false(w.err);
	buf_writer_init(&w, out, 0);
	assert_int_equal(qpack_decoder_write(&dec, &w), 0);
	buf_writer_init(&w, out, sizeof(out));
	assert_true(qpack_decoder_write(&dec, &w) > 0);
	assert_false(qpack_decoder_has_output(&dec));
	assert_int_equal(decode_hex(&dec, 400, "0200 80"), QPACK_OK);
	/* long stream IDs (3 bytes each), written only when they fit whole */
	assert_int_equal(decode_hex(&dec, 1000, "0200 80"), QPACK_OK);
	buf_writer_init(&w, out, 2);
	assert_int_equal(qpack_decoder_write(&dec, &w), 0);
	buf_writer_init(&w, out, 5);
	assert_int_equal(qpack_decoder_write(&dec, &w), 3);
	assert_hex(out, 3, "ff 9102");             /* stream 400 */
	buf_writer_init(&w, out, sizeof(out));
	assert_int_equal(qpack_decoder_write(&dec, &w), 3);
	assert_hex(out, 3, "ff e906");             /* stream 1000 */
	assert_false(qpack_decoder_has_output(&dec));
}

/* ---------------------------------------------------------------- split feeding */

static void test_split_encoder_stream(void **state)
{
	static uint8_t es[1024];
	uint64_t rng = 0x12345;
	size_t n;

	if (!HAVE_TABLE)
		skip();
	n = split_stream(es, sizeof(es));
	qpack_decoder_init(&dec2, 220, 1);
	assert_int_equal(qpack_decoder_feed(&dec2, es, n), QPACK_OK);
	assert_int_equal(dec2.t.inserted, 12);
	assert_int_equal(dec2.t.capacity, 220);
	assert_entry(&dec2.t, 9, "abcdefghijklmnopqrstuvwxyz0123456789-_/.", "");
	assert_entry(&dec2.t, 10, "", "abc");
	assert_entry(&dec2.t, 11, "abcdefghijklmnopqrstuvwxyz0123456789-_/.", "");
	assert_int_equal(dec2.t.dropped, 9);

	/* every split point, two pieces */
	for (size_t k = 0; k <= n; k++) {
		qpack_decoder_init(&dec, 220, 1);
		assert_int_equal(qpack_decoder_feed(&dec, es, k), QPACK_OK);
		assert_int_equal(qpack_decoder_feed(&dec, es + k, n - k), QPACK_OK);
		assert_tables_equal(&dec.t, &dec2.t);
		assert_int_equal(dec.es.state, 0);
	}
	/* a byte at a time, with a look at the table after each */
	qpack_decoder_init(&dec, 220, 1);
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(qpack_decoder_feed(&dec, es + k, 1), QPACK_OK);
		assert_true(dec.t.size <= dec.t.capacity);
	}
	assert_tables_equal(&dec.t, &dec2.t);
	/* random pieces, and empty feeds between them */
	for (int iter = 0; iter < 300; iter++) {
		size_t at = 0;

		qpack_decoder_init(&dec, 220, 1);
		while (at < n) {
			size_t piece = unit_xorshift64(&rng) % 40;

			if (piece > n - at)
				piece = n - at;
			assert_int_equal(qpack_decoder_feed(&dec, es + at, piece), QPACK_OK);
			at += piece;
		}
		assert_tables_equal(&dec.t, &dec2.t);
	}
}

static void test_split_decoder_stream(void **state)
{
	static const uint64_t streams[] = { 4, 200, 1000, 20000, 8 };
	static uint8_t secb[256], encb[1024];
	uint8_t ds[64];
	struct buf_writer w, sw, ew;
	size_t n;

	if (!HAVE_TABLE)
		skip();
	/* one section with a fresh entry per stream (multi-byte stream IDs) */
	qpack_encoder_init(&enc2);
	enc2.flags = QPACK_ENC_INSERT_ALL;
	qpack_encoder_set_peer_settings(&enc2, 220, 100);
	buf_writer_init(&ew, encb, sizeof(encb));
	for (size_t i = 0; i < ARRAY_SIZE(streams); i++) {
		struct qpack_field f = F("x-s", "0");
		uint8_t val = (uint8_t)('0' + i);

		f.value = &val;
		buf_writer_init(&sw, secb, sizeof(secb));
		assert_int_equal(qpack_encode(&enc2, streams[i], &f, 1, &sw, &ew), QPACK_OK);
	}
	assert_int_equal(enc2.n_sections, 5);
	assert_int_equal(enc2.t.inserted, 5);
	/* ack 200, cancel 1000, increment 1, ack 4, ack 20000, cancel 8 */
	buf_writer_init(&w, ds, sizeof(ds));
	qpack_put_int(&w, 0x80, 7, 200);
	qpack_put_int(&w, 0x40, 6, 1000);
	qpack_put_int(&w, 0x00, 6, 1);
	qpack_put_int(&w, 0x80, 7, 4);
	qpack_put_int(&w, 0x80, 7, 20000);
	qpack_put_int(&w, 0x40, 6, 8);
	n = buf_written(&w);
	assert_true(n > 10);

	memcpy(&enc, &enc2, sizeof(enc));
	assert_int_equal(qpack_encoder_feed(&enc, ds, n), QPACK_OK);
	assert_int_equal(enc.n_sections, 0);
	assert_int_equal(enc.known_received, 4);   /* 2 (ack 200), 3 (+1), 4 (ack 20000) */
	for (size_t k = 0; k <= n; k++) {
		memcpy(&enc, &enc2, sizeof(enc));
		assert_int_equal(qpack_encoder_feed(&enc, ds, k), QPACK_OK);
		assert_int_equal(qpack_encoder_feed(&enc, ds + k, n - k), QPACK_OK);
		assert_int_equal(enc.n_sections, 0);
		assert_int_equal(enc.known_received, 4);
		assert_false(enc.ds_mid);
	}
	memcpy(&enc, &enc2, sizeof(enc));
	for (size_t k = 0; k < n; k++)
		assert_int_equal(qpack_encoder_feed(&enc, ds + k, 1), QPACK_OK);
	assert_int_equal(enc.known_received, 4);
}

/* ---------------------------------------------------------------- encoder policy */

/* Encode fields on stream_id with enc, feed the encoder stream to dec and
 * decode: the fields come back. */
static size_t enc_dec(uint64_t stream_id, const struct qpack_field *f, size_t n, uint8_t *encb,
		      size_t *enc_len)
{
	static uint8_t secb[4096];
	struct buf_writer sw, ew;

	buf_writer_init(&sw, secb, sizeof(secb));
	buf_writer_init(&ew, encb, 1024);
	assert_int_equal(qpack_encode(&enc, stream_id, f, n, &sw, &ew), QPACK_OK);
	*enc_len = buf_written(&ew);
	assert_int_equal(qpack_decoder_feed(&dec, encb, *enc_len), QPACK_OK);
	qpack_field_list_init(&list, fbuf, ARRAY_SIZE(fbuf), arena, sizeof(arena));
	assert_int_equal(qpack_decode(&dec, stream_id, secb, buf_written(&sw), &list), QPACK_OK);
	assert_int_equal(list.count, n);
	for (size_t i = 0; i < n; i++) {
		assert_bytes(list.fields[i].name, list.fields[i].name_len, f[i].name,
			     f[i].name_len);
		assert_bytes(list.fields[i].value, list.fields[i].value_len, f[i].value,
			     f[i].value_len);
		assert_int_equal(list.fields[i].flags, f[i].flags);
	}
	return buf_written(&sw);
}

/* The decoder's instructions to the encoder, now. */
static void dec_to_enc(void)
{
	uint8_t out[256];
	size_t n = dec_out(&dec, out, sizeof(out));

	assert_int_equal(qpack_encoder_feed(&enc, out, n), QPACK_OK);
}

static void test_encoder_policy(void **state)
{
	static struct qpack_field resp[] = {
		F(":status", "200"), F("server", "tern/0.1"), F("content-type", "text/x-tern"),
		F("set-cookie", "id=1"), F("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
	};
	static uint8_t date[] = "Mon, 21 Oct 2013 20:13:21 GMT";
	static uint8_t encb[1024];
	size_t elen, s1, s2, s3;

	if (!HAVE_TABLE)
		skip();
	/* a new date every second: never the same twice */
	resp[4].value = date;
	qpack_encoder_init(&enc);
	qpack_decoder_init(&dec, 220, 2);
	/* before SETTINGS: static and literals */
	s1 = enc_dec(0, resp, 5, encb, &elen);
	assert_int_equal(elen, 0);
	qpack_encoder_set_peer_settings(&enc, 220, 2);
	/* first time seen: still literals */
	date[18]++;
	assert_int_equal(enc_dec(4, resp, 5, encb, &elen), s1);
	assert_int_equal(elen, 0);
	/* second time: server and content-type inserted and referenced
	 * (blocking: within the 2 streams allowed), set-cookie never */
	date[18]++;
	s2 = enc_dec(8, resp, 5, encb, &elen);
	assert_true(elen > 0);
	assert_int_equal(enc.t.inserted, 2);
	assert_entry(&enc.t, 0, "server", "tern/0.1");
	assert_entry(&enc.t, 1, "content-type", "text/x-tern");
	assert_true(s2 < s1);
	assert_int_equal(enc.n_sections, 1);
	dec_to_enc();
	assert_int_equal(enc.n_sections, 0);
	assert_int_equal(enc.known_received, 2);
	/* third: indexed references, nothing new. The date differs: a
	 * fresh value is not inserted */
	s3 = enc_dec(12, resp, 4, encb, &elen);
	assert_int_equal(elen, 0);
	assert_true(s3 < s2);
	dec_to_enc();

	/* peer allows no blocked stream: a new entry is referenced only once
	 * acknowledged */
	qpack_encoder_init(&enc);
	qpack_decoder_init(&dec, 220, 0);
	qpack_encoder_set_peer_settings(&enc, 220, 0);
	enc_dec(0, resp, 3, encb, &elen);
	s1 = enc_dec(4, resp, 3, encb, &elen);
	assert_int_equal(enc.t.inserted, 2);
	assert_int_equal(enc.n_sections, 0);           /* no reference made */
	s2 = enc_dec(8, resp, 3, encb, &elen);
	assert_int_equal(s2, s1);                      /* still not acknowledged */
	dec_to_enc();                                  /* Insert Count Increment */
	assert_int_equal(enc.known_received, 2);
	s3 = enc_dec(12, resp, 3, encb, &elen);
	assert_true(s3 < s2);
	assert_int_equal(enc.n_sections, 1);

	/* static-only by flag */
	qpack_encoder_init(&enc);
	qpack_decoder_init(&dec, 220, 2);
	qpack_encoder_set_peer_settings(&enc, 220, 2);
	enc.flags = QPACK_ENC_STATIC_ONLY;
	for (int i = 0; i < 3; i++)
		enc_dec(4 * i, resp, 5, encb, &elen);
	assert_int_equal(enc.t.inserted, 0);
}

/* A field too big for the quarter the encoder keeps free is not
 * inserted; one that needs an evicted entry still referenced waits. */
static void test_encoder_eviction(void **state)
{
	static uint8_t encb[1024], secs[4][512];
	static size_t seclen[4];
	struct qpack_field f[2] = { F("x-a", ""), F("x-b", "") };
	struct buf_writer sw, ew;
	static uint8_t vals[4][40];

	if (!HAVE_TABLE)
		skip();
	qpack_encoder_init(&enc);
	enc.flags = QPACK_ENC_INSERT_ALL;
	qpack_encoder_set_peer_settings(&enc, 220, 4);
	qpack_decoder_init(&dec, 220, 4);
	/* four sections of two fresh 73-byte entries each; the table holds
	 * three entries: each section needs evictions, and no section may
	 * evict what an unacknowledged one references */
	buf_writer_init(&ew, encb, sizeof(encb));
	for (int s = 0; s < 4; s++) {
		for (int k = 0; k < 2; k++) {
			memset(vals[s * 2 % 4 + k], 'a' + s * 2 + k, 38);
			f[k].value = vals[s * 2 % 4 + k];
			f[k].value_len = 38;
		}
		buf_writer_init(&sw, secs[s], sizeof(secs[s]));
		assert_int_equal(qpack_encode(&enc, 4 * (uint64_t)s, f, 2, &sw, &ew), QPACK_OK);
		seclen[s] = buf_written(&sw);
	}
	/* section 0 inserted and referenced both, section 1 the one more
	 * that fits; the rest could not evict them, so used literals with
	 * names by reference */
	assert_int_equal(enc.t.inserted, 3);
	assert_int_equal(enc.t.dropped, 0);
	assert_int_equal(enc.n_sections, 4);
	/* everything the encoder sent first, then the sections, in reverse */
	assert_int_equal(qpack_decoder_feed(&dec, encb, buf_written(&ew)), QPACK_OK);
	for (int s = 3; s >= 0; s--) {
		qpack_field_list_init(&list, fbuf, ARRAY_SIZE(fbuf), arena, sizeof(arena));
		assert_int_equal(qpack_decode(&dec, 4 * (uint64_t)s, secs[s], seclen[s], &list),
				 QPACK_OK);
		assert_int_equal(list.count, 2);
		assert_int_equal(list.fields[1].value[0], 'a' + s * 2 + 1);
	}
	dec_to_enc();
	assert_int_equal(enc.n_sections, 0);
	/* now acknowledged and unreferenced: the next section may evict */
	buf_writer_init(&ew, encb, sizeof(encb));
	buf_writer_init(&sw, secs[0], sizeof(secs[0]));
	memset(vals[0], 'z', 38);
	f[0].value = vals[0];
	assert_int_equal(qpack_encode(&enc, 40, f, 1, &sw, &ew), QPACK_OK);
	assert_int_equal(enc.t.inserted, 4);
	assert_int_equal(enc.t.dropped, 1);

	/* a field of more than 3/4 of the capacity is never inserted */
	{
		static uint8_t big[200];
		struct qpack_field g = { (const uint8_t *)"x-big", 5, big, 150, 0 };

		memset(big, 'q', sizeof(big));
		buf_writer_init(&sw, secs[1], sizeof(secs[1]));
		assert_int_equal(qpack_encode(&enc, 44, &g, 1, &sw, &ew), QPACK_OK);
		assert_int_equal(enc.t.inserted, 4);
	}
}

/* The oldest entries are not referenced: a duplicate is. */
static void test_encoder_duplicate(void **state)
{
	static uint8_t encb[1024];
	static const struct qpack_field f[] = {
		F("x-one", "1111111111"), F("x-two", "2222222222"), F("x-three", "3333333333"),
		F("x-four", "4444444444"),
	};
	size_t elen;

	if (!HAVE_TABLE)
		skip();
	qpack_encoder_init(&enc);
	enc.flags = QPACK_ENC_INSERT_ALL;
	qpack_encoder_set_peer_settings(&enc, 220, 2);
	qpack_decoder_init(&dec, 220, 2);
	/* four entries of 47 bytes: 188 of 220; the newest 3/4 (165) hold
	 * three, x-one is draining */
	enc_dec(0, f, 4, encb, &elen);
	dec_to_enc();
	assert_int_equal(enc.t.inserted, 4);
	enc_dec(4, f, 1, encb, &elen);
	assert_int_equal(elen, 1);
	assert_int_equal(encb[0], 0x03);               /* Duplicate, relative index 3 */
	assert_int_equal(enc.t.inserted, 5);
	assert_int_equal(enc.t.dropped, 1);            /* the original went */
	dec_to_enc();
	/* and the copy is referenced from then on */
	enc_dec(8, f, 1, encb, &elen);
	assert_int_equal(elen, 0);
	assert_int_equal(enc.t.inserted, 5);
}

static void test_never_indexed(void **state)
{
	static const struct qpack_field f[] = {
		FN(":method", "GET"),                      /* static match, still a literal */
		FN("authorization", "Basic dXNlcjpwYXNz"),
		FN("x-secret", "s3cr3t"),
		F("x-secret", "s3cr3t"),                   /* the same without N */
	};
	static uint8_t encb[1024];
	uint8_t secb[256];
	struct buf_writer sw;
	size_t elen;

	qpack_encoder_init(&enc);
	qpack_decoder_init(&dec, 220, 2);
	if (HAVE_TABLE)
		qpack_encoder_set_peer_settings(&enc, 220, 2);
	enc.flags = QPACK_ENC_INSERT_ALL;
	for (int i = 0; i < 3; i++)
		enc_dec(4 * (uint64_t)i, f, 4, encb, &elen);
	/* only the one without N went into the table */
	assert_int_equal(enc.t.inserted, HAVE_TABLE ? 1 : 0);
	/* :method GET with N: a literal naming static 15 (":method"), not
	 * the indexed static 17 */
	qpack_encoder_init(&enc);
	enc.flags = QPACK_ENC_NO_HUFFMAN;
	buf_writer_init(&sw, secb, sizeof(secb));
	assert_int_equal(qpack_encode(&enc, 0, f, 1, &sw, NULL), QPACK_OK);
	assert_hex(secb, buf_written(&sw), "0000 7f00 03474554");  /* 01 N=1 T=1 15+0 */
	/* literal name with N: 001 N=1 */
	buf_writer_init(&sw, secb, sizeof(secb));
	assert_int_equal(qpack_encode(&enc, 0, f + 2, 1, &sw, NULL), QPACK_OK);
	assert_int_equal(secb[2] & 0xf0, 0x30);
	/* the decoder reports N from every form that carries it */
	qpack_decoder_init(&dec, 220, 2);
	assert_int_equal(decode_hex(&dec, 0, "0000 7100 5100 3178 00 2178 00"), QPACK_OK);
	assert_int_equal(list.count, 4);
	assert_int_equal(list.fields[0].flags, QPACK_FIELD_NEVER_INDEX);
	assert_int_equal(list.fields[1].flags, 0);
	assert_int_equal(list.fields[2].flags, QPACK_FIELD_NEVER_INDEX);
	assert_int_equal(list.fields[3].flags, 0);
	assert_field(&list.fields[2], "x", "");
	if (HAVE_TABLE) {
		dec_b3(&dec, 2);
		/* Base 1: dynamic name with N (0110, entry 0), post-Base name
		 * with N (00001, entry 1) */
		assert_int_equal(decode_hex(&dec, 0, "0380 7000 0800"), QPACK_OK);
		assert_int_equal(list.count, 2);
		assert_int_equal(list.fields[0].flags, QPACK_FIELD_NEVER_INDEX);
		assert_int_equal(list.fields[1].flags, QPACK_FIELD_NEVER_INDEX);
		assert_field(&list.fields[0], ":authority", "");
		assert_field(&list.fields[1], ":path", "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_integers),
		UNIT_TEST(test_static_table),
		UNIT_TEST(test_rfc9204_decoder),
		UNIT_TEST(test_rfc9204_encoder),
		UNIT_TEST(test_section_errors),
		UNIT_TEST(test_encoder_stream_errors),
		UNIT_TEST(test_decoder_stream_errors),
		UNIT_TEST(test_blocked_streams),
		UNIT_TEST(test_too_large),
		UNIT_TEST(test_no_buffer),
		UNIT_TEST(test_split_encoder_stream),
		UNIT_TEST(test_split_decoder_stream),
		UNIT_TEST(test_encoder_policy),
		UNIT_TEST(test_encoder_eviction),
		UNIT_TEST(test_encoder_duplicate),
		UNIT_TEST(test_never_indexed),
	};

	return cmocka_run_group_tests_name("qpack", tests, NULL, NULL);
}
