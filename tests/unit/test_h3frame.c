/* http3/h3frame: every frame type built and parsed back, hand-encoded
 * frames from the RFC 9114 layouts, each payload and SETTINGS error with
 * its exact code, the incremental reader fed at every split point and a
 * byte at a time (same events as one piece), its bound and FIN checks,
 * unidirectional stream types, the control and request stream rules,
 * and a randomized robustness run. */
#include <string.h>

#include "unit.h"
#include "http3/h3frame.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Parse exactly one whole frame from hex. */
static int parse_hex(const char *hex, struct h3_frame *f)
{
	static uint8_t b[512];
	struct buf_reader r;
	size_t n = unit_unhex_spaced(hex, b, sizeof(b));
	int err;

	buf_reader_init(&r, b, n);
	err = h3_frame_parse(&r, f);
	if (!err)
		assert_int_equal(buf_left(&r), 0);
	return err;
}

static void assert_settings_equal(const struct h3_settings *a, const struct h3_settings *b)
{
	assert_int_equal(a->qpack_max_table_capacity, b->qpack_max_table_capacity);
	assert_true(a->max_field_section_size == b->max_field_section_size);
	assert_int_equal(a->qpack_blocked_streams, b->qpack_blocked_streams);
	assert_int_equal(a->enable_connect_protocol, b->enable_connect_protocol);
	assert_int_equal(a->h3_datagram, b->h3_datagram);
}

static void assert_frame_equal(const struct h3_frame *a, const struct h3_frame *b)
{
	assert_true(a->type == b->type);
	switch (a->type) {
	case H3_FRAME_SETTINGS:
		assert_settings_equal(&a->settings, &b->settings);
		break;
	case H3_FRAME_GOAWAY:
	case H3_FRAME_MAX_PUSH_ID:
	case H3_FRAME_CANCEL_PUSH:
		assert_true(a->goaway.id == b->goaway.id);
		break;
	default:
		assert_int_equal(a->data.len, b->data.len);
		if (a->data.len)
			assert_memory_equal(a->data.p, b->data.p, a->data.len);
		break;
	}
}

/* ------------------------------------------------------------ samples */

static uint8_t blob[20000];

static size_t samples(struct h3_frame *f, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 13 + 5);
#define ADD(t) (assert_true(n < max), memset(&f[n], 0, sizeof(f[n])), f[n].type = (t), &f[n++])
	ADD(H3_FRAME_DATA);
	ADD(H3_FRAME_DATA)->data = (typeof(f->data)){ blob, 1 };
	ADD(H3_FRAME_DATA)->data = (typeof(f->data)){ blob + 7, 300 };
	ADD(H3_FRAME_DATA)->data = (typeof(f->data)){ blob, 16384 };  /* 4-byte length */
	ADD(H3_FRAME_HEADERS)->data = (typeof(f->data)){ blob + 1, 40 };
	ADD(H3_FRAME_HEADERS);
	h3_settings_init(&ADD(H3_FRAME_SETTINGS)->settings);
	h3_settings_init(&ADD(H3_FRAME_SETTINGS)->settings);
	f[n - 1].settings.qpack_max_table_capacity = 4096;
	f[n - 1].settings.max_field_section_size = 8192;
	f[n - 1].settings.qpack_blocked_streams = 100;
	f[n - 1].settings.enable_connect_protocol = true;
	f[n - 1].settings.h3_datagram = true;
	h3_settings_init(&ADD(H3_FRAME_SETTINGS)->settings);
	f[n - 1].settings.max_field_section_size = 0;
	f[n - 1].settings.qpack_max_table_capacity = BUF_VARINT_MAX;
	ADD(H3_FRAME_GOAWAY)->goaway.id = 0;
	ADD(H3_FRAME_GOAWAY)->goaway.id = BUF_VARINT_MAX;
	ADD(H3_FRAME_MAX_PUSH_ID)->max_push_id.id = 63;
	ADD(H3_FRAME_CANCEL_PUSH)->cancel_push.id = 16383;
	ADD(0x21)->data = (typeof(f->data)){ blob, 3 };              /* reserved */
	ADD(H3_RESERVED(1000))->data = (typeof(f->data)){ blob, 0 };
	ADD(0x0e)->data = (typeof(f->data)){ blob + 9, 17 };         /* unknown */
	ADD(BUF_VARINT_MAX)->data = (typeof(f->data)){ blob, 2 };
#undef ADD
	return n;
}

/* --------------------------------------------------------------- tests */

/* every buildable type written, parsed back, refused one byte short */
static void test_round_trip(void **state)
{
	static struct h3_frame f[32];
	static uint8_t buf[20000 + 64];
	size_t n = samples(f, ARRAY_SIZE(f));

	for (size_t i = 0; i < n; i++) {
		struct buf_writer w;
		struct buf_reader r;
		struct h3_frame g;
		size_t sz = h3_frame_size(&f[i]);

		assert_int_not_equal(sz, 0);
		buf_writer_init(&w, buf, sizeof(buf));
		assert_int_equal(h3_frame_write(&w, &f[i]), 0);
		assert_int_equal(buf_written(&w), sz);
		buf_reader_init(&r, buf, sz);
		assert_int_equal(h3_frame_parse(&r, &g), 0);
		assert_int_equal(buf_left(&r), 0);
		assert_frame_equal(&f[i], &g);

		/* a frame cut anywhere is incomplete, the cursor unmoved */
		for (size_t cut = 0; cut < sz; cut += 1 + cut / 8) {
			buf_reader_init(&r, buf, cut);
			assert_int_equal(h3_frame_parse(&r, &g), H3_FRAME_TRUNCATED);
			assert_ptr_equal(r.p, buf);
		}

		buf_writer_init(&w, buf, sz - 1);
		assert_int_equal(h3_frame_write(&w, &f[i]), -1);
		assert_true(w.err);
		assert_int_equal(buf_written(&w), 0);
	}

	/* the header-only writer, then the payload from elsewhere */
	struct buf_writer w;
	struct buf_reader r;
	struct h3_frame g;

	buf_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(h3_frame_write_header(&w, H3_FRAME_HEADERS, 5), 0);
	assert_int_equal(buf_written(&w), h3_frame_header_size(H3_FRAME_HEADERS, 5));
	buf_put_bytes(&w, "abcde", 5);
	buf_reader_init(&r, buf, buf_written(&w));
	assert_int_equal(h3_frame_parse(&r, &g), 0);
	assert_int_equal(g.type, H3_FRAME_HEADERS);
	assert_int_equal(g.headers.len, 5);
	assert_memory_equal(g.headers.p, "abcde", 5);
	buf_writer_init(&w, buf, 1);
	assert_int_equal(h3_frame_write_header(&w, H3_FRAME_DATA, 64), -1);
	assert_int_equal(buf_written(&w), 0);
	buf_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(h3_frame_write_header(&w, BUF_VARINT_MAX + 1, 0), -1);
	assert_int_equal(h3_frame_header_size(0, BUF_VARINT_MAX + 1), 0);
}

static void test_write_invalid(void **state)
{
	uint8_t buf[64];
	struct buf_writer w;
	struct h3_frame f;

	const uint64_t refused[] = { H3_FRAME_PUSH_PROMISE, 0x02, 0x06, 0x08, 0x09 };

	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		memset(&f, 0, sizeof(f));
		f.type = refused[i];
		buf_writer_init(&w, buf, sizeof(buf));
		assert_int_equal(h3_frame_write(&w, &f), -1);
		assert_int_equal(h3_frame_size(&f), 0);
		assert_int_equal(buf_written(&w), 0);
	}
	memset(&f, 0, sizeof(f));
	f.type = H3_FRAME_GOAWAY;
	f.goaway.id = BUF_VARINT_MAX + 1;
	assert_int_equal(h3_frame_size(&f), 0);
	f.type = H3_FRAME_SETTINGS;
	h3_settings_init(&f.settings);
	f.settings.qpack_blocked_streams = BUF_VARINT_MAX + 1;
	assert_int_equal(h3_frame_size(&f), 0);
	h3_settings_init(&f.settings);
	f.settings.max_field_section_size = BUF_VARINT_MAX + 1;
	assert_int_equal(h3_frame_size(&f), 0);
	f.type = H3_FRAME_DATA;
	f.data.p = NULL;
	f.data.len = 3;
	assert_int_equal(h3_frame_size(&f), 0);
	/* an errored writer stays errored */
	f.data.len = 0;
	buf_writer_init(&w, buf, sizeof(buf));
	w.err = true;
	assert_int_equal(h3_frame_write(&w, &f), -1);
}

/* RFC 9114 7.2 layouts by hand */
static void test_known_encodings(void **state)
{
	struct h3_frame f;
	uint8_t buf[64], want[64];
	struct buf_writer w;
	size_t n;

	assert_int_equal(parse_hex("00 03 616263", &f), 0);
	assert_int_equal(f.type, H3_FRAME_DATA);
	assert_int_equal(f.data.len, 3);
	assert_memory_equal(f.data.p, "abc", 3);
	/* a two-byte type encoding and a 2-byte length (not the shortest) */
	assert_int_equal(parse_hex("4001 4002 0000", &f), 0);
	assert_int_equal(f.type, H3_FRAME_HEADERS);
	assert_int_equal(f.headers.len, 2);

	/* SETTINGS: capacity 4096 (0x5000 as 2 bytes), field section 16384
	 * (4 bytes), blocked 16, a reserved id, an unknown id */
	assert_int_equal(parse_hex("04 0f 01 5000 06 80004000 07 10 21 00 4123 03", &f), 0);
	assert_int_equal(f.type, H3_FRAME_SETTINGS);
	assert_int_equal(f.settings.qpack_max_table_capacity, 4096);
	assert_int_equal(f.settings.max_field_section_size, 16384);
	assert_int_equal(f.settings.qpack_blocked_streams, 16);
	assert_int_equal(f.settings.ignored, 2);
	assert_false(f.settings.enable_connect_protocol);
	/* empty SETTINGS: the defaults */
	assert_int_equal(parse_hex("04 00", &f), 0);
	assert_true(f.settings.max_field_section_size == H3_SETTING_UNLIMITED);
	assert_int_equal(f.settings.qpack_max_table_capacity, 0);
	assert_int_equal(parse_hex("04 04 08 01 33 01", &f), 0);
	assert_true(f.settings.enable_connect_protocol);
	assert_true(f.settings.h3_datagram);
	assert_int_equal(parse_hex("04 04 08 00 33 00", &f), 0);
	assert_false(f.settings.enable_connect_protocol);

	assert_int_equal(parse_hex("07 01 3c", &f), 0);
	assert_int_equal(f.goaway.id, 60);
	assert_int_equal(parse_hex("07 08 c000000000000004", &f), 0);
	assert_int_equal(f.goaway.id, 4);
	assert_int_equal(parse_hex("0d 02 4100", &f), 0);
	assert_int_equal(f.max_push_id.id, 256);
	assert_int_equal(parse_hex("03 01 05", &f), 0);
	assert_int_equal(f.cancel_push.id, 5);
	/* PUSH_PROMISE is parsed (a server then refuses it by stream rule) */
	assert_int_equal(parse_hex("05 04 07 0000 d1", &f), 0);
	assert_int_equal(f.push_promise.push_id, 7);
	assert_int_equal(f.push_promise.len, 3);

	/* what the writer produces */
	memset(&f, 0, sizeof(f));
	f.type = H3_FRAME_SETTINGS;
	h3_settings_init(&f.settings);
	f.settings.qpack_max_table_capacity = 4096;
	f.settings.qpack_blocked_streams = 16;
	f.settings.max_field_section_size = 8192;
	buf_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(h3_frame_write(&w, &f), 0);
	n = unit_unhex_spaced("04 08 01 5000 06 6000 07 10", want, sizeof(want));
	assert_int_equal(buf_written(&w), n);
	assert_memory_equal(buf, want, n);
	memset(&f, 0, sizeof(f));
	f.type = H3_FRAME_GOAWAY;
	f.goaway.id = 64;
	buf_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(h3_frame_write(&w, &f), 0);
	n = unit_unhex_spaced("07 02 4040", want, sizeof(want));
	assert_int_equal(buf_written(&w), n);
	assert_memory_equal(buf, want, n);
}

/* every payload rule with its code */
static void test_payload_errors(void **state)
{
	static const struct {
		const char *hex;
		int err;
	} cases[] = {
		/* HTTP/2-only types, whatever their payload */
		{ "02 00", H3_FRAME_UNEXPECTED },
		{ "06 08 0000000000000000", H3_FRAME_UNEXPECTED },
		{ "08 04 00000001", H3_FRAME_UNEXPECTED },
		{ "09 00", H3_FRAME_UNEXPECTED },
		{ "4009 00", H3_FRAME_UNEXPECTED },   /* in a longer encoding too */
		/* one-varint frames: empty, short, extra bytes */
		{ "07 00", H3_FRAME_ERROR },
		{ "07 02 00 00", H3_FRAME_ERROR },
		{ "07 01 40", H3_FRAME_ERROR },
		{ "0d 00", H3_FRAME_ERROR },
		{ "0d 03 4000 01", H3_FRAME_ERROR },
		{ "03 00", H3_FRAME_ERROR },
		{ "03 02 05 05", H3_FRAME_ERROR },
		{ "03 03 800000", H3_FRAME_ERROR },
		/* PUSH_PROMISE without a whole push ID */
		{ "05 00", H3_FRAME_ERROR },
		{ "05 01 40", H3_FRAME_ERROR },
		/* SETTINGS: a truncated pair */
		{ "04 01 06", H3_FRAME_ERROR },
		{ "04 02 06 40", H3_FRAME_ERROR },
		{ "04 03 01 00 06", H3_FRAME_ERROR },
		{ "04 01 40", H3_FRAME_ERROR },
		/* ...which wins over a duplicate before it */
		{ "04 05 01 00 01 00 06", H3_FRAME_ERROR },
		/* SETTINGS: duplicates (known, reserved, unknown; any encoding) */
		{ "04 04 01 00 01 00", H3_SETTINGS_ERROR },
		{ "04 05 06 00 4006 01", H3_SETTINGS_ERROR },
		{ "04 04 21 00 21 05", H3_SETTINGS_ERROR },
		{ "04 06 4123 00 4123 00", H3_SETTINGS_ERROR },
		{ "04 06 07 01 01 01 07 01", H3_SETTINGS_ERROR },
		/* SETTINGS: HTTP/2 identifiers */
		{ "04 02 00 00", H3_SETTINGS_ERROR },
		{ "04 02 02 01", H3_SETTINGS_ERROR },
		{ "04 02 03 24", H3_SETTINGS_ERROR },
		{ "04 02 04 00", H3_SETTINGS_ERROR },
		{ "04 02 05 00", H3_SETTINGS_ERROR },
		{ "04 05 01 00 4005 00", H3_SETTINGS_ERROR },
		/* boolean settings other than 0 or 1 */
		{ "04 02 08 02", H3_SETTINGS_ERROR },
		{ "04 02 33 3f", H3_SETTINGS_ERROR },
	};
	struct h3_frame f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		print_message("  case %zu: %s\n", i, cases[i].hex);
		assert_int_equal(parse_hex(cases[i].hex, &f), cases[i].err);
	}
	/* settings ids around the HTTP/2 range are fine */
	assert_int_equal(parse_hex("04 08 01 00 06 00 07 00 09 00", &f), 0);
	assert_int_equal(f.settings.ignored, 1);
	/* unknown types: any payload, no error */
	assert_int_equal(parse_hex("0a 02 ffff", &f), 0);
	assert_int_equal(parse_hex("21 00", &f), 0);
	assert_int_equal(parse_hex("c000000000000040 01 00", &f), 0);
	/* h3_frame_parse_payload directly */
	assert_int_equal(h3_frame_parse_payload(H3_FRAME_GOAWAY, NULL, 0, &f), H3_FRAME_ERROR);
	assert_int_equal(h3_frame_parse_payload(H3_FRAME_SETTINGS, NULL, 0, &f), 0);
	assert_int_equal(h3_frame_parse_payload(H3_FRAME_DATA, NULL, 0, &f), 0);
	assert_int_equal(h3_frame_parse_payload(0x02, NULL, 0, &f), H3_FRAME_UNEXPECTED);
	/* truncated frame headers */
	assert_int_equal(parse_hex("", &f), H3_FRAME_TRUNCATED);
	assert_int_equal(parse_hex("40", &f), H3_FRAME_TRUNCATED);
	assert_int_equal(parse_hex("00", &f), H3_FRAME_TRUNCATED);
	assert_int_equal(parse_hex("00 05 0102", &f), H3_FRAME_TRUNCATED);
}

static void test_settings_reserved_ids(void **state)
{
	/* every reserved id up to a few thousand is ignored */
	for (uint64_t k = 0; k < 200; k++) {
		uint8_t buf[32];
		struct buf_writer w;
		struct h3_settings s;

		buf_writer_init(&w, buf, sizeof(buf));
		buf_put_varint(&w, H3_RESERVED(k));
		buf_put_varint(&w, k * 1000);
		h3_settings_init(&s);
		assert_true(H3_IS_RESERVED(H3_RESERVED(k)));
		assert_false(H3_IS_RESERVED(H3_RESERVED(k) + 1));
		assert_int_equal(h3_settings_parse(buf, buf_written(&w), &s), 0);
		assert_int_equal(s.ignored, 1);
	}
	assert_false(H3_IS_RESERVED(0));
	assert_false(H3_IS_RESERVED(0x20));
	assert_true(H3_IS_RESERVED(0x40));
}

/* ------------------------------------------------------------ the reader */

/* What the reader reports, as a byte log that does not depend on how
 * the input was split: DATA pieces are logged a byte at a time. */
struct log {
	uint8_t b[64 * 1024];
	struct buf_writer w;
	int err;
	size_t frames;
};

static void log_event(struct log *l, const struct h3_rd_event *ev)
{
	struct buf_writer *w = &l->w;

	switch (ev->kind) {
	case H3_RD_START:
		buf_put_u8(w, 'S');
		buf_put_varint(w, ev->f.type);
		buf_put_varint(w, ev->len);
		break;
	case H3_RD_DATA:
		assert_true(ev->f.data.len > 0);
		for (size_t i = 0; i < ev->f.data.len; i++) {
			buf_put_u8(w, 'd');
			buf_put_u8(w, ev->f.data.p[i]);
		}
		break;
	case H3_RD_FRAME:
		l->frames++;
		buf_put_u8(w, 'F');
		buf_put_varint(w, ev->f.type);
		switch (ev->f.type) {
		case H3_FRAME_HEADERS:
			buf_put_varint(w, ev->f.headers.len);
			buf_put_bytes(w, ev->f.headers.p, ev->f.headers.len);
			break;
		case H3_FRAME_PUSH_PROMISE:
			buf_put_varint(w, ev->f.push_promise.push_id);
			buf_put_bytes(w, ev->f.push_promise.p, ev->f.push_promise.len);
			break;
		case H3_FRAME_SETTINGS:
			buf_put_bytes(w, &ev->f.settings, sizeof(ev->f.settings));
			break;
		case H3_FRAME_GOAWAY:
		case H3_FRAME_MAX_PUSH_ID:
		case H3_FRAME_CANCEL_PUSH:
			buf_put_varint(w, ev->f.goaway.id);
			break;
		default:
			break;
		}
		break;
	default:
		fail_msg("unexpected event kind %d", ev->kind);
	}
	assert_false(w->err);
}

/* Feed in[0..len) cut at the given points (sorted, within len). */
static void feed(struct log *l, uint8_t *rbuf, size_t cap, const uint8_t *in, size_t len,
		 const size_t *cuts, size_t ncuts)
{
	struct h3_frame_reader rd;
	size_t at = 0;

	buf_writer_init(&l->w, l->b, sizeof(l->b));
	l->err = 0;
	l->frames = 0;
	h3_frame_reader_init(&rd, rbuf, cap);
	for (size_t c = 0; c <= ncuts && !l->err; c++) {
		size_t end = c < ncuts ? cuts[c] : len;
		struct buf_reader r;
		struct h3_rd_event ev;

		buf_reader_init(&r, in + at, end - at);
		do {
			l->err = h3_frame_read(&rd, &r, &ev);
			if (l->err) {
				/* sticky */
				assert_int_equal(h3_frame_read(&rd, &r, &ev), l->err);
				break;
			}
			if (ev.kind != H3_RD_NONE)
				log_event(l, &ev);
		} while (ev.kind != H3_RD_NONE);
		if (!l->err)
			assert_int_equal(buf_left(&r), 0);
		at = end;
	}
	if (!l->err)
		l->err = h3_frame_reader_fin(&rd) ? -1 : 0;
}

static void assert_same_log(const struct log *a, const struct log *b)
{
	assert_int_equal(a->err, b->err);
	assert_int_equal(buf_written(&a->w), buf_written(&b->w));
	assert_memory_equal(a->b, b->b, buf_written(&a->w));
}

/* a stream of every frame kind, fed whole, at every single split point,
 * at every pair of split points near the varints, and a byte at a time */
static void test_reader_split(void **state)
{
	static struct log whole, part;
	static uint8_t stream[2048], rbuf[256];
	static size_t cuts[2048];
	struct buf_writer w;
	struct h3_frame f;
	size_t len;

	buf_writer_init(&w, stream, sizeof(stream));
	memset(&f, 0, sizeof(f));
	f.type = H3_FRAME_SETTINGS;
	h3_settings_init(&f.settings);
	f.settings.qpack_max_table_capacity = 70000;
	f.settings.qpack_blocked_streams = 3;
	assert_int_equal(h3_frame_write(&w, &f), 0);
	/* a reserved frame with a padded 8-byte type and 2-byte length */
	buf_put_varint_n(&w, H3_RESERVED(3), 8);
	buf_put_varint_n(&w, 4, 2);
	buf_put_bytes(&w, "grea", 4);
	memset(&f, 0, sizeof(f));
	f.type = H3_FRAME_HEADERS;
	f.headers.p = (const uint8_t *)"\x00\x00\xd1\xd7";
	f.headers.len = 4;
	assert_int_equal(h3_frame_write(&w, &f), 0);
	f.type = H3_FRAME_DATA;
	f.data.p = (const uint8_t *)"hello, world";
	f.data.len = 12;
	assert_int_equal(h3_frame_write(&w, &f), 0);
	f.data.len = 0;
	assert_int_equal(h3_frame_write(&w, &f), 0);
	f.type = 0x0e;   /* unknown, skipped */
	f.data.p = blob;
	f.data.len = 100;
	assert_int_equal(h3_frame_write(&w, &f), 0);
	f.type = H3_FRAME_DATA;
	f.data.p = blob + 1000;
	f.data.len = 200;
	assert_int_equal(h3_frame_write(&w, &f), 0);
	/* DATA with a 4-byte length */
	buf_put_varint(&w, H3_FRAME_DATA);
	buf_put_varint_n(&w, 3, 4);
	buf_put_bytes(&w, "xyz", 3);
	memset(&f, 0, sizeof(f));
	f.type = H3_FRAME_HEADERS;   /* trailers, empty */
	assert_int_equal(h3_frame_write(&w, &f), 0);
	f.type = H3_FRAME_GOAWAY;
	f.goaway.id = 1u << 20;
	assert_int_equal(h3_frame_write(&w, &f), 0);
	f.type = H3_FRAME_MAX_PUSH_ID;
	f.max_push_id.id = 9;
	assert_int_equal(h3_frame_write(&w, &f), 0);
	f.type = H3_FRAME_CANCEL_PUSH;
	f.cancel_push.id = BUF_VARINT_MAX;
	assert_int_equal(h3_frame_write(&w, &f), 0);
	/* PUSH_PROMISE (buffered, parsed) */
	buf_put_varint(&w, H3_FRAME_PUSH_PROMISE);
	buf_put_varint(&w, 3);
	buf_put_bytes(&w, "\x41\x00\x00", 3);
	assert_false(w.err);
	len = buf_written(&w);

	feed(&whole, rbuf, sizeof(rbuf), stream, len, NULL, 0);
	assert_int_equal(whole.err, 0);
	assert_int_equal(whole.frames, 13);

	for (size_t c = 0; c <= len; c++) {
		cuts[0] = c;
		feed(&part, rbuf, sizeof(rbuf), stream, len, cuts, 1);
		assert_same_log(&whole, &part);
	}
	/* pairs of cuts in the first 64 bytes (every header split two ways) */
	for (size_t a = 0; a < 64; a++)
		for (size_t b = a; b < 64; b++) {
			cuts[0] = a;
			cuts[1] = b;
			feed(&part, rbuf, sizeof(rbuf), stream, len, cuts, 2);
			assert_same_log(&whole, &part);
		}
	for (size_t c = 0; c < len; c++)
		cuts[c] = c;
	feed(&part, rbuf, sizeof(rbuf), stream, len, cuts, len);
	assert_same_log(&whole, &part);

	/* cut short at every point: FIN inside a frame is an error, FIN
	 * between frames (where h3_frame_parse stops) is not */
	static bool boundary[2048];
	struct buf_reader r;

	memset(boundary, 0, sizeof(boundary));
	boundary[0] = true;
	buf_reader_init(&r, stream, len);
	while (buf_left(&r)) {
		assert_int_equal(h3_frame_parse(&r, &f), 0);
		boundary[r.p - stream] = true;
	}
	for (size_t c = 0; c <= len; c++) {
		feed(&part, rbuf, sizeof(rbuf), stream, c, NULL, 0);
		assert_int_equal(part.err, boundary[c] ? 0 : -1);
		/* and the events so far are a prefix of the whole stream's */
		assert_true(buf_written(&part.w) <= buf_written(&whole.w));
		assert_memory_equal(part.b, whole.b, buf_written(&part.w));
	}
}

/* the reader's own checks: codes and where they fire */
static void test_reader_errors(void **state)
{
	static uint8_t rbuf[16];
	static const struct {
		const char *hex;
		int err;
		size_t starts;   /* H3_RD_START events before the error */
	} cases[] = {
		{ "02 00", H3_FRAME_UNEXPECTED, 0 },
		{ "09 05 0000000000", H3_FRAME_UNEXPECTED, 0 },
		{ "00 01 61 08 00", H3_FRAME_UNEXPECTED, 1 },
		/* one-varint frames longer than 8 bytes: at their payload */
		{ "07 09", H3_FRAME_ERROR, 1 },
		{ "0d 4100", H3_FRAME_ERROR, 1 },
		{ "03 c0ffffffffffffff", H3_FRAME_ERROR, 1 },
		/* ...and with a bad payload within 8 bytes */
		{ "07 02 0000", H3_FRAME_ERROR, 1 },
		{ "07 00", H3_FRAME_ERROR, 1 },
		/* buffered frames over the bound (16 bytes here) */
		{ "01 11", H3_EXCESSIVE_LOAD, 1 },
		{ "04 4100", H3_EXCESSIVE_LOAD, 1 },
		{ "05 c000000000001000", H3_EXCESSIVE_LOAD, 1 },
		/* at the bound: fine */
		{ "01 10 00000000000000000000000000000000", 0, 1 },
		/* DATA and unknown types have no bound */
		{ "00 4100", 0, 1 },
		{ "21 4100", 0, 1 },
		/* SETTINGS errors come with the whole frame */
		{ "04 04 01 00 01 00", H3_SETTINGS_ERROR, 1 },
		{ "04 01 01", H3_FRAME_ERROR, 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		static uint8_t in[600];
		struct h3_frame_reader rd;
		struct buf_reader r;
		struct h3_rd_event ev;
		size_t n = unit_unhex_spaced(cases[i].hex, in, sizeof(in)), starts = 0;
		int err;

		print_message("  case %zu: %s\n", i, cases[i].hex);
		h3_frame_reader_init(&rd, rbuf, sizeof(rbuf));
		buf_reader_init(&r, in, n);
		do {
			err = h3_frame_read(&rd, &r, &ev);
			if (!err && ev.kind == H3_RD_START)
				starts++;
		} while (!err && ev.kind != H3_RD_NONE);
		assert_int_equal(err, cases[i].err);
		assert_int_equal(starts, cases[i].starts);
		if (err) {
			/* sticky, with more input too */
			buf_reader_init(&r, in, n);
			assert_int_equal(h3_frame_read(&rd, &r, &ev), err);
			assert_int_equal(ev.kind, H3_RD_NONE);
		}
	}

	/* no buffer at all: HEADERS of length 0 is still fine, 1 is not */
	struct h3_frame_reader rd;
	struct buf_reader r;
	struct h3_rd_event ev;
	uint8_t in[] = { 0x01, 0x00, 0x01, 0x01, 0xff };

	h3_frame_reader_init(&rd, NULL, 100);
	buf_reader_init(&r, in, sizeof(in));
	assert_int_equal(h3_frame_read(&rd, &r, &ev), 0);
	assert_int_equal(ev.kind, H3_RD_START);
	assert_int_equal(h3_frame_read(&rd, &r, &ev), 0);
	assert_int_equal(ev.kind, H3_RD_FRAME);
	assert_int_equal(ev.f.headers.len, 0);
	assert_int_equal(h3_frame_read(&rd, &r, &ev), 0);
	assert_int_equal(ev.kind, H3_RD_START);
	assert_int_equal(h3_frame_read(&rd, &r, &ev), H3_EXCESSIVE_LOAD);

	/* FIN: between frames, inside a type, a length, a payload */
	static const struct {
		const char *hex;
		int fin;
	} fins[] = {
		{ "", 0 }, { "00 00", 0 }, { "40", H3_FRAME_ERROR }, { "00", H3_FRAME_ERROR },
		{ "00 40", H3_FRAME_ERROR }, { "00 02 61", H3_FRAME_ERROR },
		{ "21 02 61", H3_FRAME_ERROR }, { "21 02 6161", 0 }, { "07 01", H3_FRAME_ERROR },
	};
	for (size_t i = 0; i < ARRAY_SIZE(fins); i++) {
		uint8_t b[16];
		size_t n = unit_unhex_spaced(fins[i].hex, b, sizeof(b));

		h3_frame_reader_init(&rd, rbuf, sizeof(rbuf));
		buf_reader_init(&r, b, n);
		do
			assert_int_equal(h3_frame_read(&rd, &r, &ev), 0);
		while (ev.kind != H3_RD_NONE);
		assert_int_equal(h3_frame_reader_fin(&rd), fins[i].fin);
	}
}

static void test_varint_read(void **state)
{
	static const uint64_t values[] = { 0, 63, 64, 16383, 16384, (1u << 30) - 1, 1u << 30,
					   BUF_VARINT_MAX };

	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		for (size_t enc = 1; enc <= 8; enc *= 2) {
			uint8_t b[8];
			struct buf_writer w;
			size_t n;

			buf_writer_init(&w, b, sizeof(b));
			buf_put_varint_n(&w, values[i], enc);
			if (w.err)
				continue;
			n = buf_written(&w);
			/* every way of cutting it in two, and byte by byte */
			for (size_t c = 0; c <= n; c++) {
				struct h3_varint_rd vr;
				struct buf_reader r;
				uint64_t v = 12345;

				h3_varint_rd_init(&vr);
				buf_reader_init(&r, b, c);
				bool done = h3_varint_read(&vr, &r, &v);

				assert_int_equal(done, c == n);
				assert_int_equal(buf_left(&r), 0);
				if (!done) {
					buf_reader_init(&r, b + c, n - c);
					assert_true(h3_varint_read(&vr, &r, &v));
				}
				assert_true(v == values[i]);
				assert_int_equal(vr.have, 0);
			}
			struct h3_varint_rd vr;
			uint64_t v = 0;

			h3_varint_rd_init(&vr);
			for (size_t k = 0; k < n; k++) {
				struct buf_reader r;

				buf_reader_init(&r, b + k, 1);
				assert_int_equal(h3_varint_read(&vr, &r, &v), k == n - 1);
			}
			assert_true(v == values[i]);
		}
	}
	/* an empty or errored input gives nothing */
	struct h3_varint_rd vr;
	struct buf_reader r;
	uint64_t v;

	h3_varint_rd_init(&vr);
	buf_reader_init(&r, NULL, 0);
	assert_false(h3_varint_read(&vr, &r, &v));
	r.err = true;
	assert_false(h3_varint_read(&vr, &r, &v));
}

static void test_uni_streams(void **state)
{
	enum h3_uni_kind k;
	unsigned opened = 0;

	assert_int_equal(h3_uni_kind_of(0x00), H3_UNI_CONTROL);
	assert_int_equal(h3_uni_kind_of(0x01), H3_UNI_PUSH);
	assert_int_equal(h3_uni_kind_of(0x02), H3_UNI_QPACK_ENCODER);
	assert_int_equal(h3_uni_kind_of(0x03), H3_UNI_QPACK_DECODER);
	assert_int_equal(h3_uni_kind_of(0x04), H3_UNI_UNKNOWN);
	assert_int_equal(h3_uni_kind_of(0x54), H3_UNI_UNKNOWN);   /* WebTransport */
	assert_int_equal(h3_uni_kind_of(0x21), H3_UNI_RESERVED);
	assert_int_equal(h3_uni_kind_of(0x40), H3_UNI_RESERVED);
	assert_int_equal(h3_uni_kind_of(H3_RESERVED(UINT64_C(1) << 50)), H3_UNI_RESERVED);

	/* server: one of each critical stream, no push, others ignored */
	assert_int_equal(h3_uni_accept(0x00, true, &opened, &k), 0);
	assert_int_equal(k, H3_UNI_CONTROL);
	assert_int_equal(h3_uni_accept(0x02, true, &opened, &k), 0);
	assert_int_equal(h3_uni_accept(0x03, true, &opened, &k), 0);
	assert_int_equal(h3_uni_accept(0x21, true, &opened, &k), 0);
	assert_int_equal(k, H3_UNI_RESERVED);
	assert_int_equal(h3_uni_accept(0x21, true, &opened, &k), 0);
	assert_int_equal(h3_uni_accept(0x1234, true, &opened, &k), 0);
	assert_int_equal(k, H3_UNI_UNKNOWN);
	assert_int_equal(h3_uni_accept(0x00, true, &opened, &k), H3_STREAM_CREATION_ERROR);
	assert_int_equal(h3_uni_accept(0x02, true, &opened, &k), H3_STREAM_CREATION_ERROR);
	assert_int_equal(h3_uni_accept(0x03, true, &opened, &k), H3_STREAM_CREATION_ERROR);
	assert_int_equal(h3_uni_accept(0x01, true, &opened, &k), H3_STREAM_CREATION_ERROR);
	/* client: push streams are fine, any number */
	opened = 0;
	assert_int_equal(h3_uni_accept(0x01, false, &opened, &k), 0);
	assert_int_equal(h3_uni_accept(0x01, false, &opened, &k), 0);
	assert_int_equal(k, H3_UNI_PUSH);
	assert_int_equal(h3_uni_accept(0x03, false, &opened, &k), 0);
	assert_int_equal(h3_uni_accept(0x03, false, &opened, &k), H3_STREAM_CREATION_ERROR);
}

static void test_control_rules(void **state)
{
	static const uint64_t first_bad[] = { H3_FRAME_DATA, H3_FRAME_HEADERS, H3_FRAME_GOAWAY,
					      H3_FRAME_MAX_PUSH_ID, H3_FRAME_CANCEL_PUSH,
					      H3_FRAME_PUSH_PROMISE, 0x21, 0x0e, 0x02 };
	struct h3_ctrl_rx c;

	for (size_t i = 0; i < ARRAY_SIZE(first_bad); i++) {
		c.settings = false;
		assert_int_equal(h3_ctrl_rx_frame(&c, first_bad[i], true), H3_MISSING_SETTINGS);
	}
	c.settings = false;
	assert_int_equal(h3_ctrl_rx_frame(&c, H3_FRAME_SETTINGS, true), 0);
	assert_int_equal(h3_ctrl_rx_frame(&c, H3_FRAME_SETTINGS, true), H3_FRAME_UNEXPECTED);
	assert_int_equal(h3_ctrl_rx_frame(&c, H3_FRAME_DATA, true), H3_FRAME_UNEXPECTED);
	assert_int_equal(h3_ctrl_rx_frame(&c, H3_FRAME_HEADERS, true), H3_FRAME_UNEXPECTED);
	assert_int_equal(h3_ctrl_rx_frame(&c, H3_FRAME_PUSH_PROMISE, true), H3_FRAME_UNEXPECTED);
	for (uint64_t t = 0x02; t <= 0x09; t++)
		if (H3_FRAME_IS_H2_ONLY(t))
			assert_int_equal(h3_ctrl_rx_frame(&c, t, true), H3_FRAME_UNEXPECTED);
	assert_int_equal(h3_ctrl_rx_frame(&c, H3_FRAME_GOAWAY, true), 0);
	assert_int_equal(h3_ctrl_rx_frame(&c, H3_FRAME_GOAWAY, false), 0);
	assert_int_equal(h3_ctrl_rx_frame(&c, H3_FRAME_CANCEL_PUSH, true), 0);
	assert_int_equal(h3_ctrl_rx_frame(&c, H3_FRAME_MAX_PUSH_ID, true), 0);
	assert_int_equal(h3_ctrl_rx_frame(&c, H3_FRAME_MAX_PUSH_ID, false), H3_FRAME_UNEXPECTED);
	assert_int_equal(h3_ctrl_rx_frame(&c, 0x21, true), 0);
	assert_int_equal(h3_ctrl_rx_frame(&c, 0x0e, true), 0);
}

static void test_request_rules(void **state)
{
	static const uint64_t never[] = { H3_FRAME_SETTINGS, H3_FRAME_GOAWAY, H3_FRAME_MAX_PUSH_ID,
					  H3_FRAME_CANCEL_PUSH, H3_FRAME_PUSH_PROMISE,
					  0x02, 0x06, 0x08, 0x09 };
	enum h3_req_rx st;

	/* DATA first */
	st = H3_REQ_RX_HEADERS;
	assert_int_equal(h3_req_rx_frame(&st, H3_FRAME_DATA), H3_FRAME_UNEXPECTED);
	assert_int_equal(h3_req_rx_fin(st), H3_REQUEST_INCOMPLETE);
	/* unknown frames anywhere */
	assert_int_equal(h3_req_rx_frame(&st, 0x21), 0);
	assert_int_equal(h3_req_rx_frame(&st, 0x0e), 0);
	assert_int_equal(st, H3_REQ_RX_HEADERS);
	/* HEADERS, DATA*, trailers */
	assert_int_equal(h3_req_rx_frame(&st, H3_FRAME_HEADERS), 0);
	assert_int_equal(h3_req_rx_fin(st), 0);
	assert_int_equal(h3_req_rx_frame(&st, H3_FRAME_DATA), 0);
	assert_int_equal(h3_req_rx_frame(&st, 0x21), 0);
	assert_int_equal(h3_req_rx_frame(&st, H3_FRAME_DATA), 0);
	assert_int_equal(st, H3_REQ_RX_BODY);
	assert_int_equal(h3_req_rx_frame(&st, H3_FRAME_HEADERS), 0);
	assert_int_equal(st, H3_REQ_RX_DONE);
	assert_int_equal(h3_req_rx_fin(st), 0);
	assert_int_equal(h3_req_rx_frame(&st, 0x21), 0);
	assert_int_equal(h3_req_rx_frame(&st, H3_FRAME_DATA), H3_FRAME_UNEXPECTED);
	assert_int_equal(h3_req_rx_frame(&st, H3_FRAME_HEADERS), H3_FRAME_UNEXPECTED);
	/* headers then trailers directly */
	st = H3_REQ_RX_HEADERS;
	assert_int_equal(h3_req_rx_frame(&st, H3_FRAME_HEADERS), 0);
	assert_int_equal(h3_req_rx_frame(&st, H3_FRAME_HEADERS), 0);
	assert_int_equal(h3_req_rx_frame(&st, H3_FRAME_DATA), H3_FRAME_UNEXPECTED);
	/* control-stream frames, PUSH_PROMISE, HTTP/2 types: in every state */
	for (int s = H3_REQ_RX_HEADERS; s <= H3_REQ_RX_DONE; s++)
		for (size_t i = 0; i < ARRAY_SIZE(never); i++) {
			st = (enum h3_req_rx)s;
			assert_int_equal(h3_req_rx_frame(&st, never[i]), H3_FRAME_UNEXPECTED);
		}
}

static void test_goaway_check(void **state)
{
	assert_int_equal(h3_goaway_check(UINT64_MAX, 0, true), 0);
	assert_int_equal(h3_goaway_check(UINT64_MAX, 4, true), 0);
	assert_int_equal(h3_goaway_check(UINT64_MAX, 1, true), H3_ID_ERROR);
	assert_int_equal(h3_goaway_check(UINT64_MAX, 2, true), H3_ID_ERROR);
	assert_int_equal(h3_goaway_check(UINT64_MAX, 3, false), 0);   /* a push ID */
	assert_int_equal(h3_goaway_check(8, 8, true), 0);
	assert_int_equal(h3_goaway_check(8, 4, true), 0);
	assert_int_equal(h3_goaway_check(8, 12, true), H3_ID_ERROR);
	assert_int_equal(h3_goaway_check(8, 9, false), H3_ID_ERROR);
	assert_true(H3_ERROR_IS_RESERVED(0x21));
	assert_false(H3_ERROR_IS_RESERVED(H3_NO_ERROR));
}

/* 20,000 random and mutated streams into the reader (cut at random
 * points) and into h3_frame_parse: no crash, no read outside the input
 * (it sits at the very end of its array for ASan), only the documented
 * codes. */
static void test_robustness(void **state)
{
	static uint8_t in[4096], rbuf[64];
	static uint8_t seed[1024];
	static const uint8_t interesting[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
					       0x08, 0x09, 0x0d, 0x21, 0x3f, 0x40, 0x7f, 0x80,
					       0xbf, 0xc0, 0xff };
	uint64_t rng = 0x9e3779b97f4a7c15u;
	size_t seed_len, frames = 0, errors = 0;
	struct buf_writer w;
	struct h3_frame f[32];
	size_t n = samples(f, ARRAY_SIZE(f));

	/* the seed: the small samples back to back */
	buf_writer_init(&w, seed, sizeof(seed));
	for (size_t i = 0; i < n; i++)
		if (h3_frame_size(&f[i]) < 64)
			assert_int_equal(h3_frame_write(&w, &f[i]), 0);
	seed_len = buf_written(&w);

	for (unsigned iter = 0; iter < 20000; iter++) {
		uint8_t tmp[1100];
		size_t len;

		if (iter % 4 == 0) {
			len = unit_xorshift64(&rng) % 64;
			for (size_t i = 0; i < len; i++)
				tmp[i] = (uint8_t)unit_xorshift64(&rng);
			if (len && unit_xorshift64(&rng) % 2)
				tmp[0] = interesting[unit_xorshift64(&rng) % sizeof(interesting)];
		} else {
			unsigned muts = 1 + unit_xorshift64(&rng) % 6;

			len = seed_len;
			memcpy(tmp, seed, len);
			for (unsigned m = 0; m < muts && len; m++) {
				size_t at = unit_xorshift64(&rng) % len;

				switch (unit_xorshift64(&rng) % 5) {
				case 0:
					tmp[at] ^= (uint8_t)(1u << (unit_xorshift64(&rng) % 8));
					break;
				case 1:
					tmp[at] = interesting[unit_xorshift64(&rng) % sizeof(interesting)];
					break;
				case 2:
					len = at;
					break;
				case 3:
					memmove(tmp + at, tmp + at + 1, len - at - 1);
					len--;
					break;
				default:
					tmp[at] += (uint8_t)(unit_xorshift64(&rng) % 3) - 1;
					break;
				}
			}
		}
		uint8_t *p = in + sizeof(in) - len;

		memcpy(p, tmp, len);

		/* the reader, in random pieces */
		struct h3_frame_reader rd;
		size_t at = 0;
		int err = 0;

		h3_frame_reader_init(&rd, rbuf, sizeof(rbuf));
		while (at < len && !err) {
			size_t piece = 1 + unit_xorshift64(&rng) % 16;
			struct buf_reader r;
			struct h3_rd_event ev;

			if (piece > len - at)
				piece = len - at;
			buf_reader_init(&r, p + at, piece);
			do {
				err = h3_frame_read(&rd, &r, &ev);
				if (err)
					break;
				if (ev.kind == H3_RD_DATA) {
					assert_true(ev.f.data.p >= p);
					assert_true(ev.f.data.p + ev.f.data.len <= p + len);
				}
				if (ev.kind == H3_RD_FRAME)
					frames++;
			} while (ev.kind != H3_RD_NONE);
			at += piece;
		}
		if (err) {
			assert_true(err == H3_FRAME_ERROR || err == H3_FRAME_UNEXPECTED ||
				    err == H3_EXCESSIVE_LOAD || err == H3_SETTINGS_ERROR);
			errors++;
		} else {
			err = h3_frame_reader_fin(&rd);
			assert_true(err == 0 || err == H3_FRAME_ERROR);
		}

		/* whole-frame parsing over the same bytes */
		struct buf_reader r;

		buf_reader_init(&r, p, len);
		while (buf_left(&r)) {
			struct h3_frame g;
			const uint8_t *before = r.p;

			err = h3_frame_parse(&r, &g);
			if (err) {
				assert_true(err == H3_FRAME_TRUNCATED || err == H3_FRAME_ERROR ||
					    err == H3_FRAME_UNEXPECTED || err == H3_SETTINGS_ERROR);
				break;
			}
			assert_true(r.p > before && r.p <= p + len);
			/* what parsed re-encodes to something that parses the same */
			if (g.type != H3_FRAME_PUSH_PROMISE) {
				static uint8_t again[1200];
				struct buf_writer w2;
				struct buf_reader r2;
				struct h3_frame g2;

				buf_writer_init(&w2, again, sizeof(again));
				assert_int_equal(h3_frame_write(&w2, &g), 0);
				buf_reader_init(&r2, again, buf_written(&w2));
				assert_int_equal(h3_frame_parse(&r2, &g2), 0);
				assert_frame_equal(&g, &g2);
			}
		}
	}
	print_message("  %zu frames read, %zu streams refused\n", frames, errors);
	assert_true(frames > 10000);
	assert_true(errors > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_round_trip),
		UNIT_TEST(test_write_invalid),
		UNIT_TEST(test_known_encodings),
		UNIT_TEST(test_payload_errors),
		UNIT_TEST(test_settings_reserved_ids),
		UNIT_TEST(test_reader_split),
		UNIT_TEST(test_reader_errors),
		UNIT_TEST(test_varint_read),
		UNIT_TEST(test_uni_streams),
		UNIT_TEST(test_control_rules),
		UNIT_TEST(test_request_rules),
		UNIT_TEST(test_goaway_check),
		UNIT_TEST(test_robustness),
	};

	return cmocka_run_group_tests_name("h3frame", tests, NULL, NULL);
}
