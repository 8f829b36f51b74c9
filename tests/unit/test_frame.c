/* quic/frame: every RFC 9000 section 19 frame type built and parsed back,
 * hand-encoded frames from the RFC layouts, every truncation, every
 * validation rule with its exact error, the packet-type table (12.4
 * Table 3), ACK ranges through write_ack and the iterator, the fit
 * helpers at their boundaries, and a randomized robustness run. */
#include <string.h>

#include "unit.h"
#include "quic/frame.h"

#define FEE QUIC_FRAME_ENCODING_ERROR
#define PV  QUIC_PROTOCOL_VIOLATION
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const enum quic_pkt_type all_pkts[] = {
	QUIC_PKT_INITIAL, QUIC_PKT_0RTT, QUIC_PKT_HANDSHAKE, QUIC_PKT_RETRY,
	QUIC_PKT_VERSION_NEGOTIATION, QUIC_PKT_1RTT,
};

static void assert_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	assert_int_equal(alen, blen);
	if (alen)
		assert_memory_equal(a, b, alen);
}

static void assert_frame_equal(const struct quic_frame *a, const struct quic_frame *b)
{
	assert_int_equal(a->type, b->type);
	if (QUIC_FRAME_IS_STREAM(a->type) || a->type == QUIC_FRAME_CRYPTO) {
		assert_int_equal(a->stream.stream_id, b->stream.stream_id);
		assert_int_equal(a->stream.offset, b->stream.offset);
		assert_bytes(a->stream.data, a->stream.len, b->stream.data, b->stream.len);
		return;
	}
	switch (a->type) {
	case QUIC_FRAME_PADDING:
		assert_int_equal(a->padding.count, b->padding.count);
		break;
	case QUIC_FRAME_PING:
	case QUIC_FRAME_HANDSHAKE_DONE:
		break;
	case QUIC_FRAME_ACK:
	case QUIC_FRAME_ACK_ECN:
		assert_int_equal(a->ack.largest, b->ack.largest);
		assert_int_equal(a->ack.ack_delay, b->ack.ack_delay);
		assert_int_equal(a->ack.first_range, b->ack.first_range);
		assert_int_equal(a->ack.range_count, b->ack.range_count);
		assert_bytes(a->ack.ranges, a->ack.ranges_len, b->ack.ranges, b->ack.ranges_len);
		if (a->type == QUIC_FRAME_ACK_ECN) {
			assert_int_equal(a->ack.ect0, b->ack.ect0);
			assert_int_equal(a->ack.ect1, b->ack.ect1);
			assert_int_equal(a->ack.ce, b->ack.ce);
		}
		break;
	case QUIC_FRAME_RESET_STREAM:
		assert_int_equal(a->reset_stream.stream_id, b->reset_stream.stream_id);
		assert_int_equal(a->reset_stream.error, b->reset_stream.error);
		assert_int_equal(a->reset_stream.final_size, b->reset_stream.final_size);
		break;
	case QUIC_FRAME_STOP_SENDING:
		assert_int_equal(a->stop_sending.stream_id, b->stop_sending.stream_id);
		assert_int_equal(a->stop_sending.error, b->stop_sending.error);
		break;
	case QUIC_FRAME_NEW_TOKEN:
		assert_bytes(a->new_token.token, a->new_token.len, b->new_token.token,
			     b->new_token.len);
		break;
	case QUIC_FRAME_MAX_DATA:
		assert_int_equal(a->max_data.max, b->max_data.max);
		break;
	case QUIC_FRAME_MAX_STREAM_DATA:
		assert_int_equal(a->max_stream_data.stream_id, b->max_stream_data.stream_id);
		assert_int_equal(a->max_stream_data.max, b->max_stream_data.max);
		break;
	case QUIC_FRAME_MAX_STREAMS_BIDI:
	case QUIC_FRAME_MAX_STREAMS_UNI:
		assert_int_equal(a->max_streams.max, b->max_streams.max);
		break;
	case QUIC_FRAME_DATA_BLOCKED:
		assert_int_equal(a->data_blocked.limit, b->data_blocked.limit);
		break;
	case QUIC_FRAME_STREAM_DATA_BLOCKED:
		assert_int_equal(a->stream_data_blocked.stream_id,
				 b->stream_data_blocked.stream_id);
		assert_int_equal(a->stream_data_blocked.limit, b->stream_data_blocked.limit);
		break;
	case QUIC_FRAME_STREAMS_BLOCKED_BIDI:
	case QUIC_FRAME_STREAMS_BLOCKED_UNI:
		assert_int_equal(a->streams_blocked.limit, b->streams_blocked.limit);
		break;
	case QUIC_FRAME_NEW_CONNECTION_ID:
		assert_int_equal(a->new_cid.seq, b->new_cid.seq);
		assert_int_equal(a->new_cid.retire_prior_to, b->new_cid.retire_prior_to);
		assert_bytes(a->new_cid.cid.b, a->new_cid.cid.len, b->new_cid.cid.b,
			     b->new_cid.cid.len);
		assert_memory_equal(a->new_cid.reset_token, b->new_cid.reset_token,
				    QUIC_STATELESS_RESET_TOKEN_LEN);
		break;
	case QUIC_FRAME_RETIRE_CONNECTION_ID:
		assert_int_equal(a->retire_cid.seq, b->retire_cid.seq);
		break;
	case QUIC_FRAME_PATH_CHALLENGE:
	case QUIC_FRAME_PATH_RESPONSE:
		assert_memory_equal(a->path.data, b->path.data, 8);
		break;
	case QUIC_FRAME_CONNECTION_CLOSE:
	case QUIC_FRAME_CONNECTION_CLOSE_APP:
		assert_int_equal(a->close.error, b->close.error);
		if (a->type == QUIC_FRAME_CONNECTION_CLOSE)
			assert_int_equal(a->close.frame_type, b->close.frame_type);
		assert_bytes(a->close.reason, a->close.reason_len, b->close.reason,
			     b->close.reason_len);
		break;
	default:
		fail_msg("unexpected frame type 0x%x", a->type);
	}
}

/* Parse exactly one frame from b[0..len) */
static int parse1(const uint8_t *b, size_t len, enum quic_pkt_type pkt, struct quic_frame *f)
{
	struct buf_reader r;
	int err;

	buf_reader_init(&r, b, len);
	err = quic_frame_parse(&r, pkt, f);
	if (!err)
		assert_int_equal(buf_left(&r), 0);
	return err;
}

/* ------------------------------------------------------------ samples */

/* One or more valid frames of every type, STREAM in all eight forms.
 * Consecutive PADDING would merge on parsing, so a PING separates them. */
struct samples {
	uint8_t blob[400];
	uint8_t ackbuf[3][64];
	struct quic_frame f[48];
	size_t n;
};

static struct quic_frame *add(struct samples *s, uint8_t type)
{
	struct quic_frame *f;

	assert_true(s->n < ARRAY_SIZE(s->f));
	f = &s->f[s->n++];
	memset(f, 0, sizeof(*f));
	f->type = type;
	return f;
}

static void add_ack(struct samples *s, size_t i, const uint64_t (*ranges)[2], size_t n,
		    uint64_t delay, const uint64_t *ecn)
{
	struct buf_writer w;

	buf_writer_init(&w, s->ackbuf[i], sizeof(s->ackbuf[i]));
	assert_int_equal(quic_frame_write_ack(&w, ranges, n, delay, ecn), n);
	assert_int_equal(parse1(s->ackbuf[i], buf_written(&w), QUIC_PKT_1RTT, add(s, 0)), 0);
}

static void samples_init(struct samples *s)
{
	static const uint64_t r3[][2] = { { 1000, 1010 }, { 990, 997 }, { 0, 100 } };
	static const uint64_t r2[][2] = { { 70000, 70000 }, { 5, 69997 } };
	static const uint64_t r1[][2] = { { 0, 0 } };
	static const uint64_t ecn[3] = { 1, 64, 1u << 30 };
	struct quic_frame *f;

	for (size_t i = 0; i < sizeof(s->blob); i++)
		s->blob[i] = (uint8_t)(i * 7 + 3);
	s->n = 0;

	add(s, QUIC_FRAME_PADDING)->padding.count = 1;
	add(s, QUIC_FRAME_PING);
	add(s, QUIC_FRAME_PADDING)->padding.count = 37;
	add_ack(s, 0, r3, ARRAY_SIZE(r3), 25, NULL);
	add_ack(s, 1, r2, ARRAY_SIZE(r2), 1u << 20, ecn);
	add_ack(s, 2, r1, ARRAY_SIZE(r1), 0, NULL);
	f = add(s, QUIC_FRAME_RESET_STREAM);
	f->reset_stream.stream_id = 4;
	f->reset_stream.error = 0x1234;
	f->reset_stream.final_size = 100000;
	f = add(s, QUIC_FRAME_STOP_SENDING);
	f->stop_sending.stream_id = BUF_VARINT_MAX;
	f = add(s, QUIC_FRAME_CRYPTO);
	f->crypto.data = s->blob;
	f->crypto.len = 5;
	f = add(s, QUIC_FRAME_CRYPTO);
	f->crypto.offset = 70000;
	f->crypto.data = s->blob;
	f->crypto.len = 300;
	f = add(s, QUIC_FRAME_CRYPTO);
	f->crypto.offset = 9;
	f = add(s, QUIC_FRAME_NEW_TOKEN);
	f->new_token.token = s->blob + 10;
	f->new_token.len = 20;
	for (uint8_t t = QUIC_FRAME_STREAM; t <= QUIC_FRAME_STREAM_LAST; t++) {
		f = add(s, t);
		f->stream.stream_id = 4u * t + 1;
		f->stream.offset = t & QUIC_FRAME_STREAM_OFF ? 1000u * t : 0;
		f->stream.data = s->blob + t;
		f->stream.len = t == 0x0a ? 200 : t == 0x0b ? 0 : t;
	}
	f = add(s, QUIC_FRAME_STREAM | QUIC_FRAME_STREAM_OFF);
	f->stream.stream_id = 3;
	f->stream.offset = BUF_VARINT_MAX - 3;
	f->stream.data = s->blob;
	f->stream.len = 3;
	add(s, QUIC_FRAME_MAX_DATA)->max_data.max = UINT64_C(1) << 40;
	f = add(s, QUIC_FRAME_MAX_STREAM_DATA);
	f->max_stream_data.stream_id = 8;
	f->max_stream_data.max = 65536;
	add(s, QUIC_FRAME_MAX_STREAMS_BIDI)->max_streams.max = QUIC_MAX_STREAMS_LIMIT;
	add(s, QUIC_FRAME_MAX_STREAMS_UNI)->max_streams.max = 0;
	add(s, QUIC_FRAME_DATA_BLOCKED)->data_blocked.limit = 17;
	f = add(s, QUIC_FRAME_STREAM_DATA_BLOCKED);
	f->stream_data_blocked.stream_id = 3;
	f->stream_data_blocked.limit = 9;
	add(s, QUIC_FRAME_STREAMS_BLOCKED_BIDI)->streams_blocked.limit = 100;
	add(s, QUIC_FRAME_STREAMS_BLOCKED_UNI)->streams_blocked.limit = QUIC_MAX_STREAMS_LIMIT;
	for (uint8_t len = 1; len <= QUIC_MAX_CID_LEN; len += 7) {
		f = add(s, QUIC_FRAME_NEW_CONNECTION_ID);
		f->new_cid.seq = 5u * len;
		f->new_cid.retire_prior_to = len == 1 ? 5 : 2;
		f->new_cid.cid.len = len;
		memcpy(f->new_cid.cid.b, s->blob + 50, len);
		memcpy(f->new_cid.reset_token, s->blob + 80, QUIC_STATELESS_RESET_TOKEN_LEN);
	}
	add(s, QUIC_FRAME_RETIRE_CONNECTION_ID)->retire_cid.seq = 7;
	f = add(s, QUIC_FRAME_PATH_CHALLENGE);
	memcpy(f->path.data, s->blob + 100, 8);
	f = add(s, QUIC_FRAME_PATH_RESPONSE);
	memcpy(f->path.data, s->blob + 108, 8);
	f = add(s, QUIC_FRAME_CONNECTION_CLOSE);
	f->close.error = QUIC_PROTOCOL_VIOLATION;
	f->close.frame_type = 0x08;
	f->close.reason = (const uint8_t *)"bad frame";
	f->close.reason_len = 9;
	f = add(s, QUIC_FRAME_CONNECTION_CLOSE);
	f->close.error = QUIC_CRYPTO_ERROR + 40;
	f = add(s, QUIC_FRAME_CONNECTION_CLOSE_APP);
	f->close.error = 0x101;
	f->close.reason = s->blob;
	f->close.reason_len = 70;
	add(s, QUIC_FRAME_HANDSHAKE_DONE);
}

static bool stream_no_len(const struct quic_frame *f)
{
	return QUIC_FRAME_IS_STREAM(f->type) && !(f->type & QUIC_FRAME_STREAM_LEN);
}

/* --------------------------------------------------------------- tests */

/* every type built, parsed back, and refused when one byte short */
static void test_round_trip(void **state)
{
	static struct samples s;
	static uint8_t buf[2048];
	bool seen[0x1f] = { false };

	samples_init(&s);
	for (size_t i = 0; i < s.n; i++) {
		struct buf_writer w;
		struct quic_frame g;
		size_t n = quic_frame_size(&s.f[i]);

		assert_int_not_equal(n, 0);
		buf_writer_init(&w, buf, sizeof(buf));
		assert_int_equal(quic_frame_write(&w, &s.f[i]), 0);
		assert_false(w.err);
		assert_int_equal(buf_written(&w), n);
		assert_int_equal(parse1(buf, n, QUIC_PKT_1RTT, &g), 0);
		assert_frame_equal(&s.f[i], &g);
		seen[s.f[i].type] = true;

		/* one byte short: refused whole, the cursor where it was */
		buf_writer_init(&w, buf, n - 1);
		assert_int_equal(quic_frame_write(&w, &s.f[i]), -1);
		assert_true(w.err);
		assert_int_equal(buf_written(&w), 0);
		/* an errored writer stays errored */
		buf_writer_init(&w, buf, sizeof(buf));
		w.err = true;
		assert_int_equal(quic_frame_write(&w, &s.f[i]), -1);
	}
	for (unsigned t = 0; t < ARRAY_SIZE(seen); t++)
		assert_true(seen[t]);

	/* all of them in one payload (STREAM without LEN only at the end) */
	struct buf_writer w;
	struct buf_reader r;
	size_t last = 0;

	buf_writer_init(&w, buf, sizeof(buf));
	for (size_t i = 0; i < s.n; i++) {
		if (stream_no_len(&s.f[i]))
			last = i;
		else
			assert_int_equal(quic_frame_write(&w, &s.f[i]), 0);
	}
	assert_int_equal(quic_frame_write(&w, &s.f[last]), 0);
	buf_reader_init(&r, buf, buf_written(&w));
	for (size_t i = 0; i < s.n; i++) {
		struct quic_frame g;

		if (stream_no_len(&s.f[i]))
			continue;
		assert_int_equal(quic_frame_parse(&r, QUIC_PKT_1RTT, &g), 0);
		assert_frame_equal(&s.f[i], &g);
	}
	struct quic_frame g;

	assert_int_equal(quic_frame_parse(&r, QUIC_PKT_1RTT, &g), 0);
	assert_frame_equal(&s.f[last], &g);
	assert_int_equal(buf_left(&r), 0);
}

/* the writer refuses what the parser would reject */
static void test_write_invalid(void **state)
{
	static const uint8_t ranges_bad[] = { 0x00, 0x06 };  /* gap 0, len 6: below 0 */
	static const uint8_t ranges_ok[] = { 0x00, 0x05 };
	uint8_t buf[64], tok[1] = { 1 };
	struct quic_frame f;
	struct buf_writer w;

	const struct { struct quic_frame f; bool ok; } cases[] = {
		{ { .type = QUIC_FRAME_PADDING, .padding = { 0 } }, false },
		{ { .type = 0x1f }, false },
		{ { .type = 0xff }, false },
		{ { .type = QUIC_FRAME_NEW_TOKEN, .new_token = { tok, 0 } }, false },
		{ { .type = QUIC_FRAME_NEW_TOKEN, .new_token = { NULL, 1 } }, false },
		{ { .type = QUIC_FRAME_MAX_STREAMS_UNI,
		    .max_streams = { .max = QUIC_MAX_STREAMS_LIMIT + 1 } }, false },
		{ { .type = QUIC_FRAME_STREAMS_BLOCKED_BIDI,
		    .streams_blocked = { .limit = QUIC_MAX_STREAMS_LIMIT + 1 } }, false },
		{ { .type = QUIC_FRAME_MAX_DATA,
		    .max_data = { .max = BUF_VARINT_MAX + 1 } }, false },
		{ { .type = QUIC_FRAME_MAX_DATA, .max_data = { .max = BUF_VARINT_MAX } }, true },
		{ { .type = QUIC_FRAME_NEW_CONNECTION_ID,
		    .new_cid = { .seq = 1, .retire_prior_to = 2, .cid = { .len = 4 } } }, false },
		{ { .type = QUIC_FRAME_NEW_CONNECTION_ID,
		    .new_cid = { .seq = 1, .cid = { .len = 0 } } }, false },
		{ { .type = QUIC_FRAME_NEW_CONNECTION_ID,
		    .new_cid = { .seq = 1, .cid = { .len = 21 } } }, false },
		{ { .type = QUIC_FRAME_STREAM, .stream = { .offset = 1 } }, false },
		{ { .type = QUIC_FRAME_STREAM | QUIC_FRAME_STREAM_OFF,
		    .stream = { .offset = BUF_VARINT_MAX, .data = tok, .len = 1 } }, false },
		{ { .type = QUIC_FRAME_STREAM | QUIC_FRAME_STREAM_OFF,
		    .stream = { .offset = BUF_VARINT_MAX } }, true },
		{ { .type = QUIC_FRAME_CRYPTO,
		    .crypto = { .offset = BUF_VARINT_MAX, .data = tok, .len = 1 } }, false },
		{ { .type = QUIC_FRAME_CRYPTO, .crypto = { .data = NULL, .len = 1 } }, false },
		{ { .type = QUIC_FRAME_ACK, .ack = { .largest = 5, .first_range = 6 } }, false },
		{ { .type = QUIC_FRAME_ACK, .ack = { .largest = 5, .first_range = 5 } }, true },
		{ { .type = QUIC_FRAME_ACK,
		    .ack = { .largest = 5, .range_count = 1, .ranges = ranges_bad,
			     .ranges_len = 2 } }, false },
		{ { .type = QUIC_FRAME_ACK,
		    .ack = { .largest = 7, .range_count = 1, .ranges = ranges_ok,
			     .ranges_len = 2 } }, true },
		{ { .type = QUIC_FRAME_ACK,  /* range_count disagrees with the bytes */
		    .ack = { .largest = 7, .range_count = 0, .ranges = ranges_ok,
			     .ranges_len = 2 } }, false },
		{ { .type = QUIC_FRAME_ACK,
		    .ack = { .largest = 7, .range_count = 2, .ranges = ranges_ok,
			     .ranges_len = 2 } }, false },
		{ { .type = QUIC_FRAME_ACK_ECN, .ack = { .ce = BUF_VARINT_MAX + 1 } }, false },
		{ { .type = QUIC_FRAME_CONNECTION_CLOSE,
		    .close = { .frame_type = BUF_VARINT_MAX + 1 } }, false },
		{ { .type = QUIC_FRAME_CONNECTION_CLOSE_APP,
		    .close = { .frame_type = BUF_VARINT_MAX + 1 } }, true },  /* not sent */
		{ { .type = QUIC_FRAME_CONNECTION_CLOSE_APP,
		    .close = { .reason = NULL, .reason_len = 3 } }, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		print_message("  case %zu\n", i);
		buf_writer_init(&w, buf, sizeof(buf));
		assert_int_equal(quic_frame_write(&w, &cases[i].f), cases[i].ok ? 0 : -1);
		assert_int_equal(w.err, !cases[i].ok);
		assert_int_equal(quic_frame_size(&cases[i].f) != 0, cases[i].ok);
		if (!cases[i].ok) {
			assert_int_equal(buf_written(&w), 0);
			continue;
		}
		assert_int_equal(parse1(buf, buf_written(&w), QUIC_PKT_1RTT, &f), 0);
		assert_frame_equal(&cases[i].f, &f);
	}
}

/* frames encoded by hand from the RFC 9000 section 19 layouts */
static void test_known_encodings(void **state)
{
	static const uint8_t token[16] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};
	static const struct { const char *hex; struct quic_frame f; } known[] = {
		{ "01", { .type = QUIC_FRAME_PING } },
		{ "1e", { .type = QUIC_FRAME_HANDSHAKE_DONE } },
		{ "0000000000", { .type = QUIC_FRAME_PADDING, .padding = { 5 } } },
		/* 65536 needs the 4-byte form (2 bits 10, 30 bits value) */
		{ "10 80010000", { .type = QUIC_FRAME_MAX_DATA, .max_data = { .max = 65536 } } },
		{ "12 d000000000000000",
		  { .type = QUIC_FRAME_MAX_STREAMS_BIDI,
		    .max_streams = { .max = UINT64_C(1) << 60 } } },
		{ "17 0a", { .type = QUIC_FRAME_STREAMS_BLOCKED_UNI,
			     .streams_blocked = { .limit = 10 } } },
		/* OFF|LEN|FIN, stream 4, offset 64 (2 bytes), length 3 */
		{ "0f 04 4040 03 616263",
		  { .type = 0x0f, .stream = { .stream_id = 4, .offset = 64,
					      .data = (const uint8_t *)"abc", .len = 3 } } },
		/* no OFF, no LEN: the data runs to the end */
		{ "08 01 7879", { .type = 0x08, .stream = { .stream_id = 1,
					     .data = (const uint8_t *)"xy", .len = 2 } } },
		{ "06 00 05 68656c6c6f",
		  { .type = QUIC_FRAME_CRYPTO, .crypto = { .data = (const uint8_t *)"hello",
							   .len = 5 } } },
		{ "07 03 616263",
		  { .type = QUIC_FRAME_NEW_TOKEN,
		    .new_token = { .token = (const uint8_t *)"abc", .len = 3 } } },
		/* stream 4, error 0x123, final size 50000 */
		{ "04 04 4123 8000c350",
		  { .type = QUIC_FRAME_RESET_STREAM,
		    .reset_stream = { .stream_id = 4, .error = 0x123, .final_size = 50000 } } },
		{ "05 08 00", { .type = QUIC_FRAME_STOP_SENDING,
				.stop_sending = { .stream_id = 8 } } },
		/* largest 100, delay 10, 1 more range, first range 2 (98..100),
		 * gap 1, length 3 (92..95) */
		{ "02 4064 0a 01 02 01 03",
		  { .type = QUIC_FRAME_ACK,
		    .ack = { .largest = 100, .ack_delay = 10, .first_range = 2, .range_count = 1,
			     .ranges = (const uint8_t *)"\x01\x03", .ranges_len = 2 } } },
		{ "03 4064 0a 01 02 01 03 01 02 03",
		  { .type = QUIC_FRAME_ACK_ECN,
		    .ack = { .largest = 100, .ack_delay = 10, .first_range = 2, .range_count = 1,
			     .ranges = (const uint8_t *)"\x01\x03", .ranges_len = 2,
			     .ect0 = 1, .ect1 = 2, .ce = 3 } } },
		{ "18 05 02 04 a1a2a3a4 00112233445566778899aabbccddeeff",
		  { .type = QUIC_FRAME_NEW_CONNECTION_ID,
		    .new_cid = { .seq = 5, .retire_prior_to = 2,
				 .cid = { 4, { 0xa1, 0xa2, 0xa3, 0xa4 } } } } },
		{ "19 4100", { .type = QUIC_FRAME_RETIRE_CONNECTION_ID,
			       .retire_cid = { .seq = 256 } } },
		{ "1a 0102030405060708",
		  { .type = QUIC_FRAME_PATH_CHALLENGE, .path = { { 1, 2, 3, 4, 5, 6, 7, 8 } } } },
		/* PROTOCOL_VIOLATION caused by a STREAM frame, reason "bad" */
		{ "1c 0a 08 03 626164",
		  { .type = QUIC_FRAME_CONNECTION_CLOSE,
		    .close = { .error = QUIC_PROTOCOL_VIOLATION, .frame_type = 8,
			       .reason = (const uint8_t *)"bad", .reason_len = 3 } } },
		{ "1d 4101 00", { .type = QUIC_FRAME_CONNECTION_CLOSE_APP,
				  .close = { .error = 0x101 } } },
	};
	static const uint64_t ack_ranges[][2] = { { 98, 100 }, { 92, 95 } };
	static const uint64_t ecn[3] = { 1, 2, 3 };

	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		uint8_t want[64], out[64];
		struct quic_frame f = known[i].f, g;
		struct buf_writer w;
		size_t n = unit_unhex_spaced(known[i].hex, want, sizeof(want));

		print_message("  %s\n", known[i].hex);
		if (f.type == QUIC_FRAME_NEW_CONNECTION_ID)
			memcpy(f.new_cid.reset_token, token, sizeof(token));
		assert_int_equal(parse1(want, n, QUIC_PKT_1RTT, &g), 0);
		assert_frame_equal(&f, &g);
		buf_writer_init(&w, out, sizeof(out));
		assert_int_equal(quic_frame_write(&w, &f), 0);
		assert_bytes(out, buf_written(&w), want, n);
		if (f.type != QUIC_FRAME_ACK && f.type != QUIC_FRAME_ACK_ECN)
			continue;
		/* the same from the ranges */
		const uint64_t *counts = f.type == QUIC_FRAME_ACK_ECN ? ecn : NULL;

		buf_writer_init(&w, out, sizeof(out));
		assert_int_equal(quic_frame_write_ack(&w, ack_ranges, 2, 10, counts), 2);
		assert_bytes(out, buf_written(&w), want, n);
	}

	/* fields other than the type need not be in their shortest form */
	struct quic_frame g;
	uint8_t b[32];
	size_t n = unit_unhex_spaced("10 c000000000000001", b, sizeof(b));

	assert_int_equal(parse1(b, n, QUIC_PKT_1RTT, &g), 0);
	assert_int_equal(g.max_data.max, 1);
	n = unit_unhex_spaced("0f 4004 80000040 4003 616263", b, sizeof(b));
	assert_int_equal(parse1(b, n, QUIC_PKT_1RTT, &g), 0);
	assert_int_equal(g.stream.stream_id, 4);
	assert_int_equal(g.stream.offset, 64);
	assert_bytes(g.stream.data, g.stream.len, (const uint8_t *)"abc", 3);
}

/* every proper prefix of every frame is FRAME_ENCODING_ERROR, except
 * where the prefix is itself a whole frame (PADDING, STREAM without LEN) */
static void test_truncation(void **state)
{
	static struct samples s;
	static uint8_t buf[1024], cut[1024];

	samples_init(&s);
	for (size_t i = 0; i < s.n; i++) {
		const struct quic_frame *f = &s.f[i];
		struct buf_writer w;
		size_t n;

		buf_writer_init(&w, buf, sizeof(buf));
		assert_int_equal(quic_frame_write(&w, f), 0);
		n = buf_written(&w);
		for (size_t k = 0; k < n; k++) {
			struct quic_frame g;
			/* at the end of cut[] so a read past it is out of bounds */
			uint8_t *p = cut + sizeof(cut) - k;
			int err;

			memcpy(p, buf, k);
			err = parse1(p, k, QUIC_PKT_1RTT, &g);
			if (k && f->type == QUIC_FRAME_PADDING) {
				assert_int_equal(err, 0);
				assert_int_equal(g.padding.count, k);
			} else if (stream_no_len(f) && k >= n - f->stream.len) {
				assert_int_equal(err, 0);
				assert_int_equal(g.stream.len, k - (n - f->stream.len));
			} else {
				assert_int_equal(err, FEE);
			}
		}
	}
}

/* each rule with its error, and the value just inside it accepted */
static void test_validation(void **state)
{
	static const struct { const char *hex; int err; } cases[] = {
		{ "", FEE },
		/* unknown types, including extensions not negotiated */
		{ "1f", FEE }, { "20", FEE }, { "30", FEE }, { "3f", FEE }, { "4020", FEE },
		{ "7fff", FEE }, { "8000ff00", FEE }, { "c000000000000100", FEE },
		/* a known type in a longer form than needed (12.4) */
		{ "4001", PV }, { "4000", PV }, { "8000001e", PV }, { "c000000000000008 0000", PV },
		{ "401c 00 00 00", PV },
		/* a truncated type */
		{ "40", FEE }, { "c0000000", FEE },
		/* STREAM, CRYPTO: offset + length <= 2^62 - 1 */
		{ "0e 00 fffffffffffffffe 02 abcd", FEE },
		{ "0e 00 fffffffffffffffd 02 abcd", 0 },
		{ "0c 00 ffffffffffffffff ab", FEE },
		{ "0c 00 ffffffffffffffff", 0 },
		{ "06 fffffffffffffffe 02 abcd", FEE },
		{ "06 fffffffffffffffd 02 abcd", 0 },
		/* a length past the end */
		{ "0a 00 03 abcd", FEE }, { "06 00 ffffffffffffffff ab", FEE },
		{ "07 05 abcd", FEE }, { "1c 00 00 05 6162", FEE }, { "1d 00 02 61", FEE },
		/* MAX_STREAMS, STREAMS_BLOCKED: at most 2^60 */
		{ "12 d000000000000001", FEE }, { "13 d000000000000001", FEE },
		{ "16 d000000000000001", FEE }, { "17 d000000000000001", FEE },
		{ "12 d000000000000000", 0 }, { "13 d000000000000000", 0 },
		{ "16 d000000000000000", 0 }, { "17 d000000000000000", 0 },
		{ "12 ffffffffffffffff", FEE },
		/* NEW_CONNECTION_ID: length 1..20, retire_prior_to <= seq */
		{ "18 01 00 00 00112233445566778899aabbccddeeff", FEE },
		{ "18 01 00 15 000102030405060708090a0b0c0d0e0f1011121314"
		  " 00112233445566778899aabbccddeeff", FEE },
		{ "18 01 00 14 000102030405060708090a0b0c0d0e0f10111213"
		  " 00112233445566778899aabbccddeeff", 0 },
		{ "18 01 00 01 aa 00112233445566778899aabbccddeeff", 0 },
		{ "18 01 02 04 a1a2a3a4 00112233445566778899aabbccddeeff", FEE },
		{ "18 02 02 04 a1a2a3a4 00112233445566778899aabbccddeeff", 0 },
		{ "18 01 01 ff a1a2a3a4", FEE },
		/* NEW_TOKEN: not empty */
		{ "07 00", FEE }, { "07 01 00", 0 },
		/* ACK: no packet number below 0 (19.3.1) */
		{ "02 05 00 00 06", FEE },           /* first range below 0 */
		{ "02 05 00 00 05", 0 },             /* ... down to exactly 0 */
		{ "02 05 00 01 01 03 00", FEE },     /* gap below 0 */
		{ "02 05 00 01 01 02 00", 0 },       /* gap to exactly 0 */
		{ "02 05 00 01 01 02 01", FEE },     /* length below 0 */
		{ "02 0a 00 01 02 01 05", 0 },       /* 10..8, 5..0 */
		{ "02 0a 00 01 02 01 06", FEE },
		{ "02 0a 00 02 02 01 01 00 00", 0 }, /* 10..8, 5..4, 2..2 */
		{ "02 0a 00 02 02 01 01 02 00", 0 }, /* 10..8, 5..4, 0..0 */
		{ "02 0a 00 02 02 01 01 03 00", FEE },
		{ "02 ffffffffffffffff 00 01 ffffffffffffffff ffffffffffffffff 00", FEE },
		/* 2^62-1 alone, then a gap of 2^62-3 down to exactly 0 */
		{ "02 ffffffffffffffff 00 01 00 fffffffffffffffd 00", 0 },
		{ "02 ffffffffffffffff 00 01 00 fffffffffffffffd 01", FEE },
		{ "02 ffffffffffffffff 00 01 00 fffffffffffffffe 00", FEE },
		{ "02 05 00 bfffffff 00 0000", FEE },  /* more ranges than bytes */
		{ "03 05 00 00 00 01 02", FEE },     /* ECN counts cut short */
		/* ack delay and ECN counts take any value */
		{ "03 05 ffffffffffffffff 00 00 ffffffffffffffff ffffffffffffffff"
		  " ffffffffffffffff", 0 },
		/* fixed-size fields cut short */
		{ "1a 01020304050607", FEE }, { "1b", FEE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		static uint8_t b[128];
		size_t n = unit_unhex_spaced(cases[i].hex, b, sizeof(b));
		uint8_t *p = b + sizeof(b) - n;
		struct quic_frame g;

		print_message("  %s\n", cases[i].hex);
		memmove(p, b, n);
		assert_int_equal(parse1(p, n, QUIC_PKT_1RTT, &g), cases[i].err);
	}
}

/* RFC 9000 12.4 Table 3: I Initial, H Handshake, 0 0-RTT, 1 1-RTT. 0-RTT
 * also excludes what 17.2.3 says a client cannot send there, hence
 * RETIRE_CONNECTION_ID "___1" rather than the table's "__01". */
static const char *const table3[0x1f] = {
	[0x00] = "IH01", [0x01] = "IH01", [0x02] = "IH_1", [0x03] = "IH_1",
	[0x04] = "__01", [0x05] = "__01", [0x06] = "IH_1", [0x07] = "___1",
	[0x08] = "__01", [0x09] = "__01", [0x0a] = "__01", [0x0b] = "__01",
	[0x0c] = "__01", [0x0d] = "__01", [0x0e] = "__01", [0x0f] = "__01",
	[0x10] = "__01", [0x11] = "__01", [0x12] = "__01", [0x13] = "__01",
	[0x14] = "__01", [0x15] = "__01", [0x16] = "__01", [0x17] = "__01",
	[0x18] = "__01", [0x19] = "___1", [0x1a] = "__01", [0x1b] = "___1",
	[0x1c] = "IH01", [0x1d] = "__01", [0x1e] = "___1",
};

static bool table3_allows(unsigned type, enum quic_pkt_type pkt)
{
	switch (pkt) {
	case QUIC_PKT_INITIAL:
		return table3[type][0] == 'I';
	case QUIC_PKT_HANDSHAKE:
		return table3[type][1] == 'H';
	case QUIC_PKT_0RTT:
		return table3[type][2] == '0';
	case QUIC_PKT_1RTT:
		return table3[type][3] == '1';
	default:
		return false;
	}
}

static void test_packet_types(void **state)
{
	static struct samples s;
	static uint8_t buf[1024];

	samples_init(&s);
	for (unsigned t = 0; t < ARRAY_SIZE(table3); t++) {
		const struct quic_frame *f = NULL;
		struct buf_writer w;

		for (size_t i = 0; i < s.n && !f; i++)
			if (s.f[i].type == t)
				f = &s.f[i];
		assert_non_null(f);
		buf_writer_init(&w, buf, sizeof(buf));
		assert_int_equal(quic_frame_write(&w, f), 0);
		for (size_t p = 0; p < ARRAY_SIZE(all_pkts); p++) {
			bool ok = table3_allows(t, all_pkts[p]);
			struct quic_frame g;

			assert_int_equal(quic_frame_permitted(t, all_pkts[p]), ok);
			assert_int_equal(parse1(buf, buf_written(&w), all_pkts[p], &g),
					 ok ? 0 : PV);
			if (ok)
				assert_frame_equal(f, &g);
		}
	}
	for (size_t p = 0; p < ARRAY_SIZE(all_pkts); p++) {
		assert_false(quic_frame_permitted(0x1f, all_pkts[p]));
		assert_false(quic_frame_permitted(UINT64_MAX, all_pkts[p]));
	}
	/* an unknown type is FRAME_ENCODING_ERROR in any packet */
	for (size_t p = 0; p < ARRAY_SIZE(all_pkts); p++) {
		struct quic_frame g;

		assert_int_equal(parse1((const uint8_t *)"\x21", 1, all_pkts[p], &g), FEE);
	}
}

static void test_ack_eliciting(void **state)
{
	for (unsigned t = 0; t <= QUIC_FRAME_HANDSHAKE_DONE; t++) {
		bool non = t == 0x00 || t == 0x02 || t == 0x03 || t == 0x1c || t == 0x1d;

		assert_int_equal(quic_frame_ack_eliciting(t), !non);
		assert_int_equal(quic_frame_in_flight(t), !non || t == 0x00);
	}
}

/* ranges built upward from packet number 0 with widths and gaps around
 * the varint boundaries, returned highest first */
static size_t make_ranges(uint64_t (*r)[2], size_t max, uint64_t *seed)
{
	static const uint64_t sizes[] = { 0, 1, 2, 62, 63, 64, 16382, 16383, 16384, 1u << 30 };
	uint64_t lo = 0;

	for (size_t i = 0; i < max; i++) {
		uint64_t len = i == 0 ? 5 : sizes[unit_xorshift64(seed) % ARRAY_SIZE(sizes)];
		uint64_t gap = sizes[unit_xorshift64(seed) % ARRAY_SIZE(sizes)];

		r[max - 1 - i][0] = lo;
		r[max - 1 - i][1] = lo + len;
		lo += len + gap + 2;
	}
	return max;
}

static void check_ack_ranges(const struct quic_frame *f, const uint64_t (*r)[2], size_t n)
{
	struct quic_ack_iter it;
	uint64_t lo, hi;
	size_t i = 0;

	assert_int_equal(f->ack.range_count + 1, n);
	quic_ack_iter_init(&it, f);
	while (quic_ack_iter_next(&it, &lo, &hi)) {
		assert_true(i < n);
		assert_int_equal(lo, r[i][0]);
		assert_int_equal(hi, r[i][1]);
		i++;
	}
	assert_int_equal(i, n);
	assert_false(quic_ack_iter_next(&it, &lo, &hi));
}

static void test_ack_ranges(void **state)
{
	enum { N = 300 };
	static uint64_t r[N][2];
	static uint8_t buf[8192], buf2[8192];
	static const uint64_t ecn[3] = { 10, 20, 30 };
	uint64_t seed = 0x9e3779b97f4a7c15u;
	struct buf_writer w;
	struct quic_frame f;
	size_t full;

	make_ranges(r, N, &seed);
	assert_int_equal(r[N - 1][0], 0);  /* the last range ends exactly at 0 */
	for (int e = 0; e < 2; e++) {
		buf_writer_init(&w, buf, sizeof(buf));
		assert_int_equal(quic_frame_write_ack(&w, r, N, 1234, e ? ecn : NULL), N);
		full = buf_written(&w);
		assert_int_equal(parse1(buf, full, QUIC_PKT_1RTT, &f), 0);
		assert_int_equal(f.type, e ? QUIC_FRAME_ACK_ECN : QUIC_FRAME_ACK);
		assert_int_equal(f.ack.ack_delay, 1234);
		if (e)
			assert_int_equal(f.ack.ce, 30);
		check_ack_ranges(&f, r, N);
		/* the same frame again through quic_frame_write */
		buf_writer_init(&w, buf2, sizeof(buf2));
		assert_int_equal(quic_frame_write(&w, &f), 0);
		assert_bytes(buf2, buf_written(&w), buf, full);
	}

	/* one more in the lowest range's length: below 0 (no ECN, so the
	 * last byte is that length, 5) */
	buf_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(quic_frame_write_ack(&w, r, N, 0, NULL), N);
	full = buf_written(&w);
	assert_int_equal(buf[full - 1], 5);
	buf[full - 1] = 6;
	assert_int_equal(parse1(buf, full, QUIC_PKT_1RTT, &f), FEE);
	buf[full - 1] = 5;
	assert_int_equal(parse1(buf, full, QUIC_PKT_1RTT, &f), 0);

	/* in less room: as many ranges as fit, and not one more */
	for (size_t room = 0; room <= full; room += room < 300 ? 1 : 37) {
		size_t k;

		buf_writer_init(&w, buf, room);
		k = quic_frame_write_ack(&w, r, N, 0, NULL);
		if (!k) {
			assert_true(w.err);
			assert_int_equal(buf_written(&w), 0);
			buf_writer_init(&w, buf2, sizeof(buf2));
			assert_int_equal(quic_frame_write_ack(&w, r, 1, 0, NULL), 1);
			assert_true(buf_written(&w) > room);
			continue;
		}
		assert_false(w.err);
		assert_true(buf_written(&w) <= room);
		assert_int_equal(parse1(buf, buf_written(&w), QUIC_PKT_1RTT, &f), 0);
		check_ack_ranges(&f, r, k);
		if (k < N) {
			buf_writer_init(&w, buf2, sizeof(buf2));
			assert_int_equal(quic_frame_write_ack(&w, r, k + 1, 0, NULL), k + 1);
			assert_true(buf_written(&w) > room);
		}
	}

	/* ranges not in the required form */
	static const uint64_t adjacent[][2] = { { 5, 9 }, { 3, 4 } };
	static const uint64_t overlap[][2] = { { 5, 9 }, { 3, 6 } };
	static const uint64_t upside[][2] = { { 9, 5 } };
	static const uint64_t upside2[][2] = { { 9, 12 }, { 5, 3 } };
	static const uint64_t ascending[][2] = { { 1, 2 }, { 5, 6 } };
	static const uint64_t too_big[][2] = { { 0, BUF_VARINT_MAX + 1 } };
	static const uint64_t max[][2] = { { BUF_VARINT_MAX, BUF_VARINT_MAX }, { 0, 0 } };
	static const uint64_t ok[][2] = { { 5, 9 }, { 2, 3 } };
	const struct { const uint64_t (*r)[2]; size_t n; size_t want; } bad[] = {
		{ adjacent, 2, 0 }, { overlap, 2, 0 }, { upside, 1, 0 }, { upside2, 2, 0 },
		{ ascending, 2, 0 }, { too_big, 1, 0 }, { max, 2, 2 }, { ok, 2, 2 }, { ok, 0, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		buf_writer_init(&w, buf, sizeof(buf));
		assert_int_equal(quic_frame_write_ack(&w, bad[i].r, bad[i].n, 0, NULL),
				 bad[i].want);
		assert_int_equal(w.err, !bad[i].want);
		if (!bad[i].want) {
			assert_int_equal(buf_written(&w), 0);
			continue;
		}
		assert_int_equal(parse1(buf, buf_written(&w), QUIC_PKT_1RTT, &f), 0);
		check_ack_ranges(&f, bad[i].r, bad[i].n);
	}
	/* an ECN count out of range */
	static const uint64_t bad_ecn[3] = { 0, BUF_VARINT_MAX + 1, 0 };

	buf_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(quic_frame_write_ack(&w, ok, 2, 0, bad_ecn), 0);
	/* an errored writer writes nothing */
	buf_writer_init(&w, buf, sizeof(buf));
	w.err = true;
	assert_int_equal(quic_frame_write_ack(&w, ok, 2, 0, NULL), 0);
}

/* the iterator stops at the first bad range of a hand-made frame */
static void test_ack_iter_malformed(void **state)
{
	struct quic_frame f = {
		.type = QUIC_FRAME_ACK,
		.ack = { .largest = 10, .first_range = 2, .range_count = 3,
			 .ranges = (const uint8_t *)"\x01\x02\x05", .ranges_len = 3 },
	};
	struct quic_ack_iter it;
	uint64_t lo, hi;

	quic_ack_iter_init(&it, &f);
	assert_true(quic_ack_iter_next(&it, &lo, &hi));
	assert_int_equal(lo, 8);
	assert_int_equal(hi, 10);
	assert_true(quic_ack_iter_next(&it, &lo, &hi));
	assert_int_equal(lo, 3);
	assert_int_equal(hi, 5);
	assert_false(quic_ack_iter_next(&it, &lo, &hi));  /* truncated third pair */

	f.ack.first_range = 11;
	quic_ack_iter_init(&it, &f);
	assert_false(quic_ack_iter_next(&it, &lo, &hi));
}

static const uint8_t zeros[20000];

/* What the frame with n bytes of data takes, 0 if it cannot be built */
static size_t stream_frame(struct quic_frame *f, uint64_t id, uint64_t off, size_t n,
			   bool use_len)
{
	memset(f, 0, sizeof(*f));
	f->type = QUIC_FRAME_STREAM | (off ? QUIC_FRAME_STREAM_OFF : 0) |
		  (use_len ? QUIC_FRAME_STREAM_LEN : 0);
	f->stream.stream_id = id;
	f->stream.offset = off;
	f->stream.data = zeros;
	f->stream.len = n;
	return quic_frame_size(f);
}

static size_t crypto_frame(struct quic_frame *f, uint64_t off, size_t n)
{
	memset(f, 0, sizeof(*f));
	f->type = QUIC_FRAME_CRYPTO;
	f->crypto.offset = off;
	f->crypto.data = zeros;
	f->crypto.len = n;
	return quic_frame_size(f);
}

/* the packet filled with the frame (and PADDING after it) parses back */
static void check_fill(const struct quic_frame *f, size_t avail)
{
	static uint8_t pkt[20000];
	struct buf_writer w;
	struct buf_reader r;
	struct quic_frame g;
	size_t left;

	buf_writer_init(&w, pkt, avail);
	assert_int_equal(quic_frame_write(&w, f), 0);
	left = buf_room(&w);
	if (left) {
		g = (struct quic_frame){ .type = QUIC_FRAME_PADDING, .padding = { left } };
		assert_int_equal(quic_frame_write(&w, &g), 0);
	}
	assert_int_equal(buf_room(&w), 0);
	buf_reader_init(&r, pkt, avail);
	assert_int_equal(quic_frame_parse(&r, QUIC_PKT_1RTT, &g), 0);
	assert_frame_equal(f, &g);
	if (left) {
		assert_int_equal(quic_frame_parse(&r, QUIC_PKT_1RTT, &g), 0);
		assert_int_equal(g.padding.count, left);
	}
	assert_int_equal(buf_left(&r), 0);
}

static void test_stream_fit(void **state)
{
	static const uint64_t ids[] = { 0, 63, 64, 16384, 1u << 30 };
	static const uint64_t offs[] = {
		0, 1, 63, 64, 16383, 16384, 1u << 30, BUF_VARINT_MAX - 10, BUF_VARINT_MAX,
	};
	static const size_t lens[] = { 0, 1, 2, 50, 62, 63, 64, 65, 66, 100, 16383, 16384, 19999 };
	size_t avails[340], na = 0;

	for (size_t a = 0; a <= 300; a++)
		avails[na++] = a;
	for (size_t a = 16380; a <= 16395; a++)
		avails[na++] = a;
	avails[na++] = 1200;
	avails[na++] = 1452;

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
	for (size_t o = 0; o < ARRAY_SIZE(offs); o++)
	for (size_t a = 0; a < na; a++)
	for (size_t l = 0; l < ARRAY_SIZE(lens) + 3; l++) {
		uint64_t id = ids[i], off = offs[o];
		size_t avail = avails[a];
		/* and the lengths right around the room there is */
		size_t dl = l < ARRAY_SIZE(lens) ? lens[l] : avail + l - ARRAY_SIZE(lens) - 1;
		size_t hdr0 = 1 + buf_varint_len(id) + (off ? buf_varint_len(off) : 0);
		struct quic_frame f;
		bool use_len;
		size_t n = quic_frame_stream_fit(id, off, avail, dl, &use_len), sz;

		if (dl == (size_t)-1)
			continue;
		assert_true(n <= dl);
		if (avail >= hdr0) {
			sz = stream_frame(&f, id, off, n, use_len);
			assert_int_not_equal(sz, 0);
			assert_true(sz <= avail);
			if (!use_len)
				assert_int_equal(sz, avail);  /* fills it exactly */
			if (avail == 1200 || avail == 16384 || (i == 1 && (o == 1 || o == 4)))
				check_fill(&f, avail);
		}
		/* one more byte would not fit, with or without a length */
		if (n < dl && off + n < BUF_VARINT_MAX) {
			sz = stream_frame(&f, id, off, n + 1, true);
			assert_true(sz == 0 || sz > avail);
			sz = stream_frame(&f, id, off, n + 1, false);
			assert_true(sz == 0 || sz != avail);
		}
	}

	/* boundaries by hand: hdr 2 for stream 0 at offset 0 */
	bool use_len;

	assert_int_equal(quic_frame_stream_fit(0, 0, 10, 100, &use_len), 8);
	assert_false(use_len);
	assert_int_equal(quic_frame_stream_fit(0, 0, 100, 50, &use_len), 50);
	assert_true(use_len);
	assert_int_equal(quic_frame_stream_fit(0, 0, 66, 64, &use_len), 64);
	assert_false(use_len);
	assert_int_equal(quic_frame_stream_fit(0, 0, 66, 63, &use_len), 63);  /* 2+1+63 */
	assert_true(use_len);
	assert_int_equal(quic_frame_stream_fit(0, 0, 67, 64, &use_len), 63);  /* 64 needs 2+2+64 */
	assert_true(use_len);
	assert_int_equal(quic_frame_stream_fit(0, 0, 1, 5, &use_len), 0);
	assert_int_equal(quic_frame_stream_fit(0, 0, 2, 5, &use_len), 0);
	assert_int_equal(quic_frame_stream_fit(0, 0, 3, 5, &use_len), 1);
	assert_int_equal(quic_frame_stream_fit(BUF_VARINT_MAX + 1, 0, 100, 5, &use_len), 0);
	/* nothing past 2^62 - 1 */
	assert_int_equal(quic_frame_stream_fit(0, BUF_VARINT_MAX - 2, 100, 50, &use_len), 2);
}

static void test_crypto_fit(void **state)
{
	static const uint64_t offs[] = {
		0, 63, 64, 16383, 16384, 1u << 30, BUF_VARINT_MAX - 5, BUF_VARINT_MAX,
	};
	static const size_t lens[] = { 0, 1, 62, 63, 64, 65, 16383, 16384, 19999 };

	for (size_t o = 0; o < ARRAY_SIZE(offs); o++)
	for (size_t avail = 0; avail <= 16400; avail += avail < 300 || avail > 16370 ? 1 : 97)
	for (size_t l = 0; l < ARRAY_SIZE(lens) + 3; l++) {
		uint64_t off = offs[o];
		size_t dl = l < ARRAY_SIZE(lens) ? lens[l] : avail + l - ARRAY_SIZE(lens) - 1;
		size_t hdr0 = 1 + buf_varint_len(off);
		size_t n = quic_frame_crypto_fit(off, avail, dl), sz;
		struct quic_frame f;

		if (dl == (size_t)-1)
			continue;
		assert_true(n <= dl);
		if (avail > hdr0) {
			sz = crypto_frame(&f, off, n);
			assert_int_not_equal(sz, 0);
			assert_true(sz <= avail);
			if (o == 2 && avail < 300)
				check_fill(&f, avail);
		}
		if (n < dl && off + n < BUF_VARINT_MAX) {
			sz = crypto_frame(&f, off, n + 1);
			assert_true(sz == 0 || sz > avail);
		}
	}
	assert_int_equal(quic_frame_crypto_fit(0, 66, 100), 63);   /* 1+1+1+63 */
	assert_int_equal(quic_frame_crypto_fit(0, 67, 100), 63);   /* 64 needs 1+1+2+64 */
	assert_int_equal(quic_frame_crypto_fit(0, 68, 100), 64);
	assert_int_equal(quic_frame_crypto_fit(0, 2, 100), 0);
	assert_int_equal(quic_frame_crypto_fit(0, 3, 100), 0);     /* a length but no data */
	assert_int_equal(quic_frame_crypto_fit(0, 4, 100), 1);
	assert_int_equal(quic_frame_crypto_fit(0, 100, 10), 10);
	assert_int_equal(quic_frame_crypto_fit(BUF_VARINT_MAX - 5, 100, 10), 5);
}

/* ----------------------------------------------------------- robustness */

/* An accepted frame re-encodes, and the re-encoding parses to the same
 * fields; an ACK's ranges walk cleanly. */
static void check_accepted(const struct quic_frame *f, size_t consumed)
{
	static uint8_t out[1024];
	struct buf_writer w;
	struct quic_frame g;

	buf_writer_init(&w, out, sizeof(out));
	assert_int_equal(quic_frame_write(&w, f), 0);
	assert_int_equal(buf_written(&w), quic_frame_size(f));
	assert_true(buf_written(&w) <= consumed);
	assert_int_equal(parse1(out, buf_written(&w), QUIC_PKT_1RTT, &g), 0);
	assert_frame_equal(f, &g);
	if (f->type == QUIC_FRAME_ACK || f->type == QUIC_FRAME_ACK_ECN) {
		struct quic_ack_iter it;
		uint64_t lo, hi, prev_lo = 0, n = 0;

		quic_ack_iter_init(&it, f);
		while (quic_ack_iter_next(&it, &lo, &hi)) {
			assert_true(lo <= hi);
			assert_true(n == 0 || hi + 1 < prev_lo);
			prev_lo = lo;
			n++;
		}
		assert_int_equal(n, f->ack.range_count + 1);
	}
}

static void test_robustness(void **state)
{
	static const uint8_t interesting[] = {
		0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xff, 0x14, 0x15,
	};
	static const enum quic_pkt_type pkts[] = {
		QUIC_PKT_1RTT, QUIC_PKT_INITIAL, QUIC_PKT_0RTT, QUIC_PKT_HANDSHAKE, QUIC_PKT_RETRY,
	};
	static struct samples s;
	static uint8_t seeds[64][512];
	static size_t seed_len[64];
	static uint8_t in[600];
	uint64_t rng = 0x2545f4914f6cdd1du;
	size_t nseeds = 0, accepted = 0, rejected = 0;

	samples_init(&s);
	for (size_t i = 0; i < s.n && nseeds < ARRAY_SIZE(seeds); i++) {
		struct buf_writer w;

		buf_writer_init(&w, seeds[nseeds], sizeof(seeds[0]));
		assert_int_equal(quic_frame_write(&w, &s.f[i]), 0);
		seed_len[nseeds++] = buf_written(&w);
	}
	{	/* a few frames in one payload */
		struct buf_writer w;

		assert_true(nseeds < ARRAY_SIZE(seeds));
		buf_writer_init(&w, seeds[nseeds], sizeof(seeds[0]));
		for (size_t i = 0; i < 8; i++)
			assert_int_equal(quic_frame_write(&w, &s.f[i]), 0);
		seed_len[nseeds++] = buf_written(&w);
	}

	for (unsigned iter = 0; iter < 30000; iter++) {
		uint8_t tmp[512];
		size_t len;

		if (iter % 4 == 0) {
			/* random bytes, mostly behind a known type */
			len = unit_xorshift64(&rng) % 48;
			for (size_t i = 0; i < len; i++)
				tmp[i] = (uint8_t)unit_xorshift64(&rng);
			if (len && unit_xorshift64(&rng) % 4)
				tmp[0] = (uint8_t)(unit_xorshift64(&rng) % 0x20);
		} else {
			size_t k = unit_xorshift64(&rng) % nseeds;
			unsigned muts = 1 + unit_xorshift64(&rng) % 4;

			len = seed_len[k];
			memcpy(tmp, seeds[k], len);
			for (unsigned m = 0; m < muts && len; m++) {
				size_t at = unit_xorshift64(&rng) % len;

				switch (unit_xorshift64(&rng) % 6) {
				case 0:  /* bit flip */
					tmp[at] ^= (uint8_t)(1u << (unit_xorshift64(&rng) % 8));
					break;
				case 1:  /* a length or varint prefix changed */
					tmp[at] = interesting[unit_xorshift64(&rng) % sizeof(interesting)];
					break;
				case 2:  /* truncation */
					len = at;
					break;
				case 3:  /* a byte removed */
					memmove(tmp + at, tmp + at + 1, len - at - 1);
					len--;
					break;
				case 4:  /* a byte inserted */
					if (len < sizeof(tmp)) {
						memmove(tmp + at + 1, tmp + at, len - at);
						tmp[at] = (uint8_t)unit_xorshift64(&rng);
						len++;
					}
					break;
				default:  /* small change to a byte (a length off by one) */
					tmp[at] += (uint8_t)(unit_xorshift64(&rng) % 3) - 1;
					break;
				}
			}
		}

		/* at the very end of in[]: a read past it is out of bounds */
		uint8_t *p = in + sizeof(in) - len;

		memcpy(p, tmp, len);
		for (size_t pk = 0; pk < ARRAY_SIZE(pkts); pk++) {
			struct buf_reader r;

			buf_reader_init(&r, p, len);
			while (buf_left(&r)) {
				const uint8_t *before = r.p;
				struct quic_frame f;
				int err = quic_frame_parse(&r, pkts[pk], &f);

				if (err) {
					assert_true(err == FEE || err == PV);
					rejected++;
					break;
				}
				assert_true(r.p > before && r.p <= p + len);
				assert_true(quic_frame_permitted(f.type, pkts[pk]));
				check_accepted(&f, (size_t)(r.p - before));
				accepted++;
			}
		}
	}
	print_message("  %zu frames accepted and re-encoded, %zu inputs rejected\n", accepted,
		      rejected);
	/* both sides were exercised */
	assert_true(accepted > 10000);
	assert_true(rejected > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_round_trip),
		UNIT_TEST(test_write_invalid),
		UNIT_TEST(test_known_encodings),
		UNIT_TEST(test_truncation),
		UNIT_TEST(test_validation),
		UNIT_TEST(test_packet_types),
		UNIT_TEST(test_ack_eliciting),
		UNIT_TEST(test_ack_ranges),
		UNIT_TEST(test_ack_iter_malformed),
		UNIT_TEST(test_stream_fit),
		UNIT_TEST(test_crypto_fit),
		UNIT_TEST(test_robustness),
	};

	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
