/* HTTP/3 over the link simulator, what goes wrong (harness in
 * sim_h3_util.h; the working paths are in test_sim_h3.c): every error a
 * client can provoke, each with its exact code: the CONNECTION_CLOSE
 * (application, type 0x1d) the client receives, or the RESET_STREAM on
 * the request (then the connection must stay usable, and every request
 * stream must be freed on both sides); QPACK's three connection errors;
 * trailers, the client cancelling or closing, shutdown of an idle
 * connection, header sections too large.
 *
 * After every test both endpoints are torn down (teardown_pair audits
 * their registries) and the HTTP/3 pools are idle.
 */
#include "sim_h3_util.h"

/* ---------------------------------------------------------------- connection errors */

/* After the setup, bytes on the client's control stream. */
static void ctrl_error(unsigned flags, const uint8_t *p, size_t n, uint64_t code, uint64_t seed)
{
	h3_setup(seed, &clean_link, flags);
	h3c_uni_write(h3c.ctrl, p, n);
	assert_conn_error(code);
	h3_teardown();
}

#define NO_SETTINGS (H3C_OPEN_CONTROL | H3C_OPEN_ENCODER | H3C_OPEN_DECODER)

static void test_frame_unexpected_control(void **state)
{
	uint8_t b[16];

	(void)state;
	/* a second SETTINGS */
	ctrl_error(H3C_DEFAULT, b, h3c_frame(b, H3_FRAME_SETTINGS, NULL, 0), H3_FRAME_UNEXPECTED, 20);
	/* DATA, HEADERS on the control stream */
	ctrl_error(H3C_DEFAULT, b, h3c_frame(b, H3_FRAME_DATA, "x", 1), H3_FRAME_UNEXPECTED, 21);
	ctrl_error(H3C_DEFAULT, b, h3c_frame(b, H3_FRAME_HEADERS, "\0\0", 2), H3_FRAME_UNEXPECTED,
		   22);
	/* HTTP/2's PING */
	ctrl_error(H3C_DEFAULT, b, h3c_frame(b, 0x06, "12345678", 8), H3_FRAME_UNEXPECTED, 23);
}

static void request_conn_error(const uint8_t *p, size_t n, bool fin, uint64_t code,
			       uint64_t seed)
{
	h3_setup(seed, &clean_link, H3C_DEFAULT);
	h3c_raw(p, n, fin);
	assert_conn_error(code);
	h3_teardown();
}

static void test_frame_unexpected_request(void **state)
{
	uint8_t b[256];
	size_t n;

	(void)state;
	/* DATA before HEADERS */
	n = h3c_frame(b, H3_FRAME_DATA, "abc", 3);
	n += h3c_headers_frame(b + n, sizeof(b) - n, "GET", "/", NULL, 0);
	request_conn_error(b, n, true, H3_FRAME_UNEXPECTED, 24);
	/* HTTP/2's PRIORITY (type 0x02) before HEADERS */
	n = h3c_frame(b, 0x02, "x", 1);
	n += h3c_headers_frame(b + n, sizeof(b) - n, "GET", "/", NULL, 0);
	request_conn_error(b, n, true, H3_FRAME_UNEXPECTED, 25);
	/* ... and in a body the server reads */
	n = h3c_headers_frame(b, sizeof(b), "POST", "/echo", NULL, 0);
	n += h3c_frame(b + n, H3_FRAME_DATA, "abc", 3);
	n += h3c_frame(b + n, 0x02, "x", 1);
	request_conn_error(b, n, true, H3_FRAME_UNEXPECTED, 26);
	/* SETTINGS on a request stream */
	n = h3c_headers_frame(b, sizeof(b), "POST", "/echo", NULL, 0);
	n += h3c_frame(b + n, H3_FRAME_SETTINGS, NULL, 0);
	request_conn_error(b, n, true, H3_FRAME_UNEXPECTED, 27);
	/* GOAWAY, MAX_PUSH_ID, CANCEL_PUSH, PUSH_PROMISE on a request stream */
	n = h3c_frame(b, H3_FRAME_GOAWAY, "\x00", 1);
	request_conn_error(b, n, true, H3_FRAME_UNEXPECTED, 28);
	n = h3c_headers_frame(b, sizeof(b), "POST", "/echo", NULL, 0);
	n += h3c_frame(b + n, H3_FRAME_MAX_PUSH_ID, "\x00", 1);
	request_conn_error(b, n, true, H3_FRAME_UNEXPECTED, 29);
	n = h3c_frame(b, H3_FRAME_CANCEL_PUSH, "\x00", 1);
	request_conn_error(b, n, true, H3_FRAME_UNEXPECTED, 77);
	n = h3c_frame(b, H3_FRAME_PUSH_PROMISE, "\x00\x00\x00", 3);
	request_conn_error(b, n, true, H3_FRAME_UNEXPECTED, 78);
}

static void test_missing_settings(void **state)
{
	uint8_t b[16];

	(void)state;
	ctrl_error(NO_SETTINGS, b, h3c_frame(b, H3_FRAME_GOAWAY, "\0", 1), H3_MISSING_SETTINGS, 30);
	/* a reserved frame first is not SETTINGS either (6.2.1) */
	ctrl_error(NO_SETTINGS, b, h3c_frame(b, H3_RESERVED(0), "", 0), H3_MISSING_SETTINGS, 31);
}

static void test_settings_error(void **state)
{
	static const uint8_t h2[] = { 0x02, 0x00 };              /* HTTP/2's ENABLE_PUSH */
	static const uint8_t dup[] = { 0x01, 0x00, 0x06, 0x10, 0x01, 0x00 };
	static const uint8_t dup_reserved[] = { 0x40, 0x40, 0x01, 0x40, 0x40, 0x02 };
	static const uint8_t datagram2[] = { 0x33, 0x02 };      /* H3_DATAGRAM = 2 */
	uint8_t b[16];

	(void)state;
	ctrl_error(NO_SETTINGS, b, h3c_frame(b, H3_FRAME_SETTINGS, h2, sizeof(h2)),
		   H3_SETTINGS_ERROR, 32);
	ctrl_error(NO_SETTINGS, b, h3c_frame(b, H3_FRAME_SETTINGS, dup, sizeof(dup)),
		   H3_SETTINGS_ERROR, 33);
	ctrl_error(NO_SETTINGS, b, h3c_frame(b, H3_FRAME_SETTINGS, dup_reserved,
					     sizeof(dup_reserved)), H3_SETTINGS_ERROR, 34);
	ctrl_error(NO_SETTINGS, b, h3c_frame(b, H3_FRAME_SETTINGS, datagram2, sizeof(datagram2)),
		   H3_SETTINGS_ERROR, 79);
}

static void test_frame_error(void **state)
{
	/* MAX_FIELD_SECTION_SIZE, then a 2-byte varint cut after 1 byte */
	static const uint8_t cut[] = { 0x06, 0x40 };
	uint8_t b[256];
	size_t n;

	(void)state;
	ctrl_error(NO_SETTINGS, b, h3c_frame(b, H3_FRAME_SETTINGS, cut, sizeof(cut)),
		   H3_FRAME_ERROR, 35);
	/* a GOAWAY whose payload is not one varint */
	n = h3c_frame(b, H3_FRAME_GOAWAY, "\x01\x02", 2);
	ctrl_error(H3C_DEFAULT, b, n, H3_FRAME_ERROR, 36);
	/* a request stream ends (FIN) inside a HEADERS frame */
	n = h3c_headers_frame(b, sizeof(b), "GET", "/", NULL, 0);
	request_conn_error(b, n - 2, true, H3_FRAME_ERROR, 37);
	/* ... inside a frame header, in a body the server reads */
	n = h3c_headers_frame(b, sizeof(b), "POST", "/echo", NULL, 0);
	b[n++] = 0x21;
	b[n++] = 0x40;  /* a 2-byte length cut short */
	request_conn_error(b, n, true, H3_FRAME_ERROR, 38);
	/* ... inside a DATA frame of a body the server reads */
	n = h3c_headers_frame(b, sizeof(b), "POST", "/echo", NULL, 0);
	n += h3c_frame(b + n, H3_FRAME_DATA, "0123456789", 10);
	request_conn_error(b, n - 4, true, H3_FRAME_ERROR, 39);
	/* ... inside a reserved frame before HEADERS */
	n = h3c_frame(b, H3_RESERVED(5), "0123456789", 10);
	request_conn_error(b, n - 4, true, H3_FRAME_ERROR, 68);
	/* ... inside a reserved frame in a body the server reads */
	n = h3c_headers_frame(b, sizeof(b), "POST", "/echo", NULL, 0);
	n += h3c_frame(b + n, H3_FRAME_DATA, "abc", 3);
	n += h3c_frame(b + n, H3_RESERVED(6), "0123456789", 10);
	request_conn_error(b, n - 4, true, H3_FRAME_ERROR, 69);
}

static void test_closed_critical_stream(void **state)
{
	(void)state;
	/* the client asks the server to stop its control stream (6.2.1) */
	h3_setup(70, &clean_link, H3C_DEFAULT);
	h3_connect();
	assert_true(h3c_peer_stop(H3_STREAM_CONTROL, H3_NO_ERROR));
	assert_conn_error(H3_CLOSED_CRITICAL_STREAM);
	h3_teardown();
	/* ... or its QPACK encoder stream */
	h3_setup(71, &clean_link, H3C_DEFAULT);
	h3_connect();
	sim_run(&sim, sim.now + S / 10, NULL, NULL);  /* the server's streams are all here */
	assert_true(h3c_peer_stop(H3_STREAM_QPACK_ENCODER, H3_NO_ERROR));
	assert_conn_error(H3_CLOSED_CRITICAL_STREAM);
	h3_teardown();
	/* the client ends its control stream */
	h3_setup(40, &clean_link, H3C_DEFAULT);
	h3_connect();
	h3c_uni_fin(h3c.ctrl);
	assert_conn_error(H3_CLOSED_CRITICAL_STREAM);
	h3_teardown();
	/* the client resets its QPACK encoder stream */
	h3_setup(41, &clean_link, H3C_DEFAULT);
	h3_connect();
	h3c_uni_reset(h3c.enc, H3_NO_ERROR);
	assert_conn_error(H3_CLOSED_CRITICAL_STREAM);
	h3_teardown();
	/* ... and its decoder stream, with FIN */
	h3_setup(42, &clean_link, H3C_DEFAULT);
	h3_connect();
	h3c_uni_fin(h3c.dec);
	assert_conn_error(H3_CLOSED_CRITICAL_STREAM);
	h3_teardown();
}

static void uni_error(uint64_t type, uint64_t code, uint64_t seed)
{
	uint8_t b[8];
	int u;

	/* no decoder stream: the server allows three unidirectional streams */
	h3_setup(seed, &clean_link, H3C_OPEN_CONTROL | H3C_SEND_SETTINGS | H3C_OPEN_ENCODER);
	u = h3c_uni_new();
	h3c_uni_write(u, b, h3c_varint(b, type));
	assert_conn_error(code);
	h3_teardown();
}

static void test_stream_creation_error(void **state)
{
	(void)state;
	uni_error(H3_STREAM_CONTROL, H3_STREAM_CREATION_ERROR, 43);
	uni_error(H3_STREAM_PUSH, H3_STREAM_CREATION_ERROR, 44);
	uni_error(H3_STREAM_QPACK_ENCODER, H3_STREAM_CREATION_ERROR, 45);
}

static void test_id_error(void **state)
{
	uint8_t b[16];
	size_t n;

	(void)state;
	ctrl_error(H3C_DEFAULT, b, h3c_frame(b, H3_FRAME_CANCEL_PUSH, "\x00", 1), H3_ID_ERROR, 46);
	/* GOAWAY push ids may only go down */
	n = h3c_frame(b, H3_FRAME_GOAWAY, "\x05", 1);
	n += h3c_frame(b + n, H3_FRAME_GOAWAY, "\x07", 1);
	ctrl_error(H3C_DEFAULT, b, n, H3_ID_ERROR, 47);
}

/* A control frame the server does not buffer whole (h3frame.h: a frame
 * longer than the buffer is H3_EXCESSIVE_LOAD, not H3_FRAME_ERROR). */
static void test_excessive_load_control(void **state)
{
	uint8_t b[16];
	size_t n;

	(void)state;
	/* a SETTINGS frame longer than the server buffers */
	n = h3c_varint(b, H3_FRAME_SETTINGS);
	n += h3c_varint(b + n, 60000);
	ctrl_error(NO_SETTINGS, b, n, H3_EXCESSIVE_LOAD, 48);
}

/* ---------------------------------------------------------------- stream errors */

static void test_request_incomplete(void **state)
{
	uint8_t b[16];
	int r;

	(void)state;
	h3_setup(50, &clean_link, H3C_DEFAULT);
	r = h3c_raw(NULL, 0, true);
	run_req(r);
	assert_stream_error(r, H3_REQUEST_INCOMPLETE);
	assert_conn_usable();
	/* a reserved frame and the end: still no HEADERS */
	r = h3c_raw(b, h3c_frame(b, H3_RESERVED(4), "abc", 3), true);
	run_req(r);
	assert_stream_error(r, H3_REQUEST_INCOMPLETE);
	assert_conn_usable();
	h3_teardown();
}

static void message_error(const struct h3c_spec *sp, uint64_t seed)
{
	int r;

	h3_setup(seed, &clean_link, H3C_DEFAULT);
	r = h3c_request(sp);
	run_req(r);
	assert_stream_error(r, H3_MESSAGE_ERROR);
	assert_conn_usable();
	h3_teardown();
}

static void test_message_error(void **state)
{
	static const struct qpack_field upper[] = {
		{ (const uint8_t *)"X-Upper", 7, (const uint8_t *)"1", 1, 0 } };
	static const struct qpack_field conn[] = {
		{ (const uint8_t *)"connection", 10, (const uint8_t *)"close", 5, 0 } };
	static const struct qpack_field cl10[] = {
		{ (const uint8_t *)"content-length", 14, (const uint8_t *)"10", 2, 0 } };
	static const struct qpack_field cl3[] = {
		{ (const uint8_t *)"content-length", 14, (const uint8_t *)"3", 1, 0 } };
	static const struct qpack_field status[] = {
		{ (const uint8_t *)":status", 7, (const uint8_t *)"200", 3, 0 } };
	struct h3c_spec sp = { .method = "GET", .scheme = "https", .authority = "localhost",
			       .path = "/" };

	(void)state;
	sp.fields = upper;
	sp.nfields = 1;
	message_error(&sp, 51);
	sp.fields = conn;
	message_error(&sp, 52);
	sp.fields = NULL;
	sp.nfields = 0;
	sp.path = NULL;
	message_error(&sp, 53);
	sp.path = "/";
	sp.fields = status;  /* a response pseudo-header in a request */
	sp.nfields = 1;
	message_error(&sp, 54);
	/* content-length 10, 5 bytes of body */
	memset(big, 'b', 10);
	sp.method = "POST";
	sp.path = "/echo";
	sp.fields = cl10;
	sp.body = big;
	sp.body_len = 5;
	message_error(&sp, 55);
	/* content-length 3, 5 bytes */
	sp.fields = cl3;
	message_error(&sp, 56);
}

/* Trailers are checked and dropped; DATA after them is a connection
 * error, a pseudo-header in them a stream error. */
static void test_trailers(void **state)
{
	static const uint8_t age0[] = { 0xc0 | 2 };        /* age: 0 */
	static const uint8_t method[] = { 0xc0 | 17 };     /* :method GET */
	uint8_t b[256];
	size_t n;
	int r;

	(void)state;
	h3_setup(72, &clean_link, H3C_DEFAULT);
	n = h3c_headers_frame(b, sizeof(b), "POST", "/echo", NULL, 0);
	n += h3c_frame(b + n, H3_FRAME_DATA, "hello", 5);
	n += sec_frame(b + n, age0, sizeof(age0));
	r = h3c_raw(b, n, true);
	run_req(r);
	assert_response(r, 200);
	assert_int_equal(h3c.req[r].body_bytes, 5);
	assert_memory_equal(h3c.req[r].keep, "hello", 5);
	/* a pseudo-header in the trailers */
	n = h3c_headers_frame(b, sizeof(b), "POST", "/echo", NULL, 0);
	n += h3c_frame(b + n, H3_FRAME_DATA, "hello", 5);
	n += sec_frame(b + n, method, sizeof(method));
	r = h3c_raw(b, n, true);
	run_req(r);
	assert_stream_error(r, H3_MESSAGE_ERROR);
	assert_conn_usable();
	h3_teardown();
	/* DATA after the trailers */
	n = h3c_headers_frame(b, sizeof(b), "POST", "/echo", NULL, 0);
	n += h3c_frame(b + n, H3_FRAME_DATA, "hello", 5);
	n += sec_frame(b + n, age0, sizeof(age0));
	n += h3c_frame(b + n, H3_FRAME_DATA, "x", 1);
	request_conn_error(b, n, true, H3_FRAME_UNEXPECTED, 73);
}

/* The client gives up a download: RESET_STREAM and STOP_SENDING, or
 * STOP_SENDING alone; the server lets the request go at once. */
static void test_client_cancels(void **state)
{
	int r;

	(void)state;
	h3_setup(74, &clean_link, H3C_DEFAULT);
	r = h3c_get("/bytes/2000000");
	waiting = r;
	assert_int_equal(h3c_run(got_body, 20 * S), 0);
	h3c_cancel(r, H3_REQUEST_CANCELLED, true, true);
	assert_settled();
	assert_int_equal(term.st.aborted, 1);
	assert_conn_usable();
	r = h3c_get("/bytes/2000000");
	waiting = r;
	assert_int_equal(h3c_run(got_body, 20 * S), 0);
	h3c_cancel(r, H3_REQUEST_CANCELLED, false, true);
	assert_settled();
	assert_int_equal(term.st.aborted, 2);
	assert_conn_usable();
	h3_teardown();
}

/* The client closes its connection in the middle of a download: the
 * server frees the request, its streams and its HTTP/3 state. */
static void test_client_closes(void **state)
{
	int r;

	(void)state;
	h3_setup(75, &clean_link, H3C_DEFAULT);
	r = h3c_get("/bytes/2000000");
	h3c_get("/bytes/3000000");
	waiting = r;
	assert_int_equal(h3c_run(got_body, 20 * S), 0);
	quic_conn_close(client(), H3_NO_ERROR, true, sim.now);
	assert_int_equal(sim_run(&sim, sim.now + 10 * S, both_gone, NULL), 0);
	assert_int_equal(term.st.aborted, 2);
	assert_int_equal(pool_stats_of(&pool_termreq)->in_use, 0);
	assert_int_equal(pool_stats_of(&pool_h3stream)->in_use, 0);
	assert_int_equal(pool_stats_of(&pool_h3conn)->in_use, 0);
	h3_teardown();
}

/* term_shutdown with a connection that has sent nothing yet: it is
 * closed (H3_NO_ERROR) at once, not left to its idle timeout. */
static void test_shutdown_idle_connection(void **state)
{
	(void)state;
	h3_setup(76, &clean_link, 0);
	assert_int_equal(sim_run(&sim, sim.now + 10 * S, confirmed, NULL), 0);
	term_shutdown(&term, sim.now);
	if (h3c_run(h3c_close_seen, 5 * S) != 0)
		fail_msg("not closed 5 s after term_shutdown (server connections: %u)",
			 h3_server_conns(&term.h3));
	assert_true(h3c.peer_close_app);
	assert_int_equal(h3c.peer_close_error, H3_NO_ERROR);
	assert_int_equal(sim_run(&sim, sim.now + 10 * S, both_gone, NULL), 0);
	assert_true(term_idle(&term));
	h3_teardown();
}

static void test_excessive_load_headers(void **state)
{
	static uint8_t value[5000], frame[6000];
	struct qpack_field f = { (const uint8_t *)"x-big", 5, value, sizeof(value), 0 };
	int r;

	(void)state;
	memset(value, 'v', sizeof(value));
	h3_setup(57, &clean_link, H3C_DEFAULT);
	r = h3c_raw(frame, h3c_headers_frame(frame, sizeof(frame), "GET", "/", &f, 1), true);
	run_req(r);
	assert_stream_error(r, H3_EXCESSIVE_LOAD);
	assert_conn_usable();
	h3_teardown();
}

/* A section that decodes to more than SETTINGS_MAX_FIELD_SECTION_SIZE
 * (small on the wire: 300 static references): 431 (RFC 9114 4.2.2). */
static void test_field_section_too_large(void **state)
{
	uint8_t sec[512], b[600];
	size_t n = 0;
	int r;

	(void)state;
	sec[n++] = 0;
	sec[n++] = 0;
	sec[n++] = 0xc0 | 17;  /* :method GET */
	sec[n++] = 0xc0 | 23;  /* :scheme https */
	sec[n++] = 0xc0 | 1;   /* :path / */
	sec[n++] = 0x50;       /* :authority (static 0) = "localhost" */
	sec[n++] = 9;
	memcpy(sec + n, "localhost", 9);
	n += 9;
	for (int i = 0; i < 300; i++)
		sec[n++] = 0xc0 | 29;  /* accept: */
	h3_setup(58, &clean_link, H3C_DEFAULT);
	r = h3c_raw(b, h3c_frame(b, H3_FRAME_HEADERS, sec, n), true);
	run_req(r);
	assert_response(r, 431);
	assert_conn_usable();
	/* with a body after it: the rest of the request is not read, but
	 * the stream must not stay open */
	n = h3c_frame(b, H3_FRAME_HEADERS, sec, n);
	n += h3c_frame(b + n, H3_FRAME_DATA, "body", 4);
	r = h3c_raw(b, n, true);
	run_req(r);
	assert_response(r, 431);
	assert_conn_usable();
	h3_teardown();
}

/* ---------------------------------------------------------------- QPACK errors */

static void test_qpack_decompression_failed(void **state)
{
	/* Required Insert Count 0, then a dynamic reference */
	static const uint8_t dyn[] = { 0x00, 0x00, 0xd1, 0x80 };
	/* static index 200 */
	static const uint8_t stat[] = { 0x00, 0x00, 0xff, 0x89, 0x01 };
	/* Required Insert Count 2 with an empty table that never fills: blocked;
	 * then the encoder stream ends up inserting only one */
	uint8_t b[32];

	(void)state;
	request_conn_error(b, h3c_frame(b, H3_FRAME_HEADERS, dyn, sizeof(dyn)), true,
			   H3_QPACK_DECOMPRESSION_FAILED, 60);
	request_conn_error(b, h3c_frame(b, H3_FRAME_HEADERS, stat, sizeof(stat)), true,
			   H3_QPACK_DECOMPRESSION_FAILED, 61);
}

static void enc_error(const uint8_t *p, size_t n, uint64_t seed)
{
	h3_setup(seed, &clean_link, H3C_DEFAULT);
	h3c.dynamic = false;  /* nothing of the client's own on the encoder stream */
	h3c_uni_write(h3c.enc, p, n);
	assert_conn_error(H3_QPACK_ENCODER_STREAM_ERROR);
	h3_teardown();
}

static void test_qpack_encoder_stream_error(void **state)
{
	/* Set Dynamic Table Capacity 1024, Insert With Name Reference to
	 * static entry 100 (there are 99) */
	static const uint8_t bad_name[] = { 0x3f, 0xe1, 0x07, 0xff, 0x25, 0x01, 'a' };
	/* Set Dynamic Table Capacity 8192: above the server's 4096 */
	static const uint8_t cap[] = { 0x3f, 0xe1, 0x3f };
	/* Duplicate of an entry that does not exist */
	static const uint8_t dup[] = { 0x3f, 0xe1, 0x07, 0x00 };

	(void)state;
	enc_error(bad_name, sizeof(bad_name), 62);
	enc_error(cap, sizeof(cap), 63);
	enc_error(dup, sizeof(dup), 64);
}

static void dec_error(const uint8_t *p, size_t n, uint64_t seed)
{
	h3_setup(seed, &clean_link, H3C_DEFAULT);
	h3_connect();
	h3c_uni_write(h3c.dec, p, n);
	assert_conn_error(H3_QPACK_DECODER_STREAM_ERROR);
	h3_teardown();
}

static void test_qpack_decoder_stream_error(void **state)
{
	static const uint8_t ack[] = { 0x80 };   /* Section Acknowledgment, stream 0 */
	static const uint8_t inc0[] = { 0x00 };  /* Insert Count Increment 0 */
	static const uint8_t inc9[] = { 0x09 };  /* ... past what was inserted */

	(void)state;
	dec_error(ack, sizeof(ack), 65);
	dec_error(inc0, sizeof(inc0), 66);
	dec_error(inc9, sizeof(inc9), 67);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_frame_unexpected_control),
		UNIT_TEST(test_frame_unexpected_request),
		UNIT_TEST(test_missing_settings),
		UNIT_TEST(test_settings_error),
		UNIT_TEST(test_frame_error),
		UNIT_TEST(test_closed_critical_stream),
		UNIT_TEST(test_stream_creation_error),
		UNIT_TEST(test_id_error),
		UNIT_TEST(test_excessive_load_control),
		UNIT_TEST(test_request_incomplete),
		UNIT_TEST(test_message_error),
		UNIT_TEST(test_trailers),
		UNIT_TEST(test_client_cancels),
		UNIT_TEST(test_client_closes),
		UNIT_TEST(test_shutdown_idle_connection),
		UNIT_TEST(test_excessive_load_headers),
		UNIT_TEST(test_field_section_too_large),
		UNIT_TEST(test_qpack_decompression_failed),
		UNIT_TEST(test_qpack_encoder_stream_error),
		UNIT_TEST(test_qpack_decoder_stream_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
