/* HTTP/3 end to end over the link simulator: tern's server side
 * (http3/h3conn under term/'s responder) on the server endpoint, the
 * test client tests/sim/h3_client on the client endpoint (harness in
 * sim_h3_util.h; the errors are in test_sim_h3_errors.c).
 *
 * The status page, /bytes/N (pattern and hash), /echo of 1 MB, 100
 * requests on one connection (as MAX_STREAMS allows), the same under 5%
 * loss, 200 requests in a row, HEAD, 404, 400, 405, requests that use
 * the QPACK dynamic table (blocked until their encoder instructions
 * arrive, or cancelled while blocked), a graceful GOAWAY during a
 * download, 0-RTT; reserved frame types, stream types and settings are
 * ignored.
 *
 * Memory: chunks running out while the server sets up its streams, and
 * (CONFIG_FAULT_INJECTION) every allocation of a short scenario failing
 * in turn.
 *
 * After every test both endpoints are torn down (teardown_pair audits
 * their registries) and the HTTP/3 pools are idle.
 */
#include "sim_h3_util.h"

/* ---------------------------------------------------------------- positive */

static void test_status_page(void **state)
{
	int r;

	(void)state;
	h3_setup(1, &clean_link, H3C_DEFAULT);
	r = h3c_get("/");
	run_req(r);
	assert_response(r, 200);
	assert_true(h3c.req[r].keep_len > 23);
	assert_memory_equal(h3c.req[r].keep, "tern: HTTP/3 terminator", 23);
	assert_true(h3c.req[r].has_cl);
	assert_int_equal(h3c.req[r].content_length, h3c.req[r].body_bytes);
	assert_int_equal(term.st.requests, 1);
	h3_teardown();
}

static void fetches(uint64_t seed, const struct sim_link_cfg *link)
{
	int a, b, e, st;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = pattern(7, i);
	h3_setup(seed, link, H3C_DEFAULT);
	st = h3c_get("/");
	a = h3c_get("/bytes/1000");
	b = h3c_get("/bytes/1000000");
	e = h3c_post("/echo", big, sizeof(big));
	run_all(300 * S);
	assert_response(st, 200);
	assert_bytes(a, 1000);
	assert_bytes(b, 1000000);
	assert_response(e, 200);
	assert_int_equal(h3c.req[e].body_bytes, sizeof(big));
	assert_int_equal(h3c.req[e].body_hash, pair_hash(PAIR_FNV_OFFSET, big, sizeof(big)));
	assert_int_equal(h3c.error, 0);
	print_message("  fetches at %u/1000 loss: %.1f s virtual, %llu + %llu datagrams, %llu lost\n",
		      link->loss_pm, (double)(sim.now - SIM_T0) / 1e9,
		      (unsigned long long)sim.dir[0].stats.sent,
		      (unsigned long long)sim.dir[1].stats.sent,
		      (unsigned long long)(sim.dir[0].stats.lost_random +
					   sim.dir[1].stats.lost_random));
	h3_teardown();
}

static void test_fetches(void **state)
{
	(void)state;
	fetches(2, &clean_link);
}

static void test_fetches_loss_5(void **state)
{
	(void)state;
	fetches(3, &lossy_link);
}

/* 100 requests at once: they go out as the server's MAX_STREAMS allows */
static void hundred(uint64_t seed, const struct sim_link_cfg *link, bool insert_all)
{
	int r[100];
	char path[32];
	struct h3_conn *h;

	h3_setup(seed, link, H3C_DEFAULT);
	if (insert_all)  /* every field by reference: blocked sections under loss */
		h3c.qenc.flags |= QPACK_ENC_INSERT_ALL;
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/bytes/%d", 1000 + 37 * i);
		r[i] = h3c_get(path);
	}
	run_all(300 * S);
	for (int i = 0; i < 100; i++)
		assert_bytes(r[i], 1000 + 37 * (uint64_t)i);
	assert_int_equal(term.st.requests, 100);
	assert_int_equal(h3c.error, 0);
	/* the same fields 100 times: both encoders used their tables */
	h = server_h3();
	assert_non_null(h);
	assert_true(h->qdec.t.inserted > 0);
	assert_true(h3c.qdec.t.inserted > 0);
	/* as many at once as the server allows (its MAX_STREAMS) */
	assert_int_equal(h3c.max_open, server_conn()->streams.target[0]);
	assert_settled();
	print_message("  100 requests at %u/1000 loss%s: %u open at most, %.1f s virtual\n",
		      link->loss_pm, insert_all ? ", every field in the table" : "", h3c.max_open,
		      (double)(sim.now - SIM_T0) / 1e9);
	h3_teardown();
}

static void test_100_requests(void **state)
{
	(void)state;
	hundred(4, &clean_link, false);
	hundred(21, &clean_link, true);
}

static void test_100_requests_loss_5(void **state)
{
	(void)state;
	hundred(5, &lossy_link, false);
	for (uint64_t seed = 22; seed < 25; seed++)
		hundred(seed, &lossy_link, true);
}

/* 200 requests one after the other: stream credit comes back again and
 * again, nothing stays behind on either side. */
static void test_sequential_requests(void **state)
{
	(void)state;
	h3_setup(25, &clean_link, H3C_DEFAULT);
	for (int i = 0; i < 200; i++) {
		int r = h3c_get(i % 2 ? "/bytes/100" : "/nothing");

		run_req(r);
		if (i % 2)
			assert_bytes(r, 100);
		else
			assert_response(r, 404);
	}
	assert_settled();
	assert_int_equal(term.st.requests, 200);
	h3_teardown();
}

static void test_head_404_400(void **state)
{
	int h, nf, bad, m;

	(void)state;
	h3_setup(6, &clean_link, H3C_DEFAULT);
	h = h3c_head("/bytes/5000");
	nf = h3c_get("/nothing/here");
	bad = h3c_get("/bytes/abc");
	m = h3c_post("/bytes/10", NULL, 0);
	run_all(30 * S);
	assert_response(h, 200);
	assert_true(h3c.req[h].has_cl);
	assert_int_equal(h3c.req[h].content_length, 5000);
	assert_int_equal(h3c.req[h].body_bytes, 0);
	assert_int_equal(h3c.req[h].data_frames, 0);
	assert_response(nf, 404);
	assert_response(bad, 400);
	assert_response(m, 405);
	h3_teardown();
}

/* More of the responder's corners, one connection. */
static void test_responder_corners(void **state)
{
	static uint8_t value[3000];
	const struct qpack_field big_field = { (const uint8_t *)"x-large", 7, value, sizeof(value),
					       0 };
	const struct qpack_field te = { (const uint8_t *)"te", 2, (const uint8_t *)"trailers", 8,
					0 };
	const struct qpack_field cl = { (const uint8_t *)"content-length", 14,
					(const uint8_t *)"1000", 4, 0 };
	struct h3c_spec sp = { .method = "GET", .scheme = "https", .authority = "localhost",
			       .path = "/bytes/77" };
	int head_status, zero, query, empty, huge, post_root, echo0, echo_cl, large, with_te;

	(void)state;
	memset(value, 'L', sizeof(value));
	for (size_t i = 0; i < 1000; i++)
		big[i] = (uint8_t)(i ^ 0x5a);
	h3_setup(13, &clean_link, H3C_DEFAULT);
	head_status = h3c_head("/");
	zero = h3c_get("/bytes/0");
	query = h3c_get("/bytes/1?x=y");
	empty = h3c_get("/bytes/");
	huge = h3c_get("/bytes/1099511627777");  /* 2^40 + 1 */
	post_root = h3c_post("/", NULL, 0);
	echo0 = h3c_post("/echo", NULL, 0);
	sp.method = "POST";
	sp.path = "/echo";
	sp.fields = &cl;
	sp.nfields = 1;
	sp.body = big;
	sp.body_len = 1000;
	echo_cl = h3c_request(&sp);
	sp.method = "GET";
	sp.path = "/bytes/77";
	sp.fields = &big_field;
	sp.body = NULL;
	sp.body_len = 0;
	large = h3c_request(&sp);
	sp.fields = &te;
	with_te = h3c_request(&sp);
	run_all(30 * S);
	assert_response(head_status, 200);
	assert_true(h3c.req[head_status].has_cl);
	assert_true(h3c.req[head_status].content_length > 0);
	assert_int_equal(h3c.req[head_status].body_bytes, 0);
	assert_bytes(zero, 0);
	assert_bytes(query, 1);
	assert_response(empty, 404);
	assert_response(huge, 400);
	assert_response(post_root, 405);
	assert_response(echo0, 200);
	assert_int_equal(h3c.req[echo0].body_bytes, 0);
	assert_response(echo_cl, 200);
	assert_true(h3c.req[echo_cl].has_cl);
	assert_int_equal(h3c.req[echo_cl].content_length, 1000);
	assert_int_equal(h3c.req[echo_cl].body_hash, pair_hash(PAIR_FNV_OFFSET, big, 1000));
	assert_bytes(large, 77);
	assert_bytes(with_te, 77);
	assert_settled();
	h3_teardown();
}

/* 40 uploads echoed at once: backpressure both ways on many streams. */
static void test_concurrent_echoes(void **state)
{
	int r[40];

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = pattern(3, i);
	h3_setup(14, &clean_link, H3C_DEFAULT);
	for (int i = 0; i < 40; i++)
		r[i] = h3c_post("/echo", big + 1000 * i, 30000);
	run_all(120 * S);
	for (int i = 0; i < 40; i++) {
		assert_response(r[i], 200);
		assert_int_equal(h3c.req[r[i]].body_bytes, 30000);
		assert_int_equal(h3c.req[r[i]].body_hash,
				 pair_hash(PAIR_FNV_OFFSET, big + 1000 * i, 30000));
	}
	assert_settled();
	h3_teardown();
}

/* Reserved frames far larger than a stream's window, on the control
 * stream and before a request's HEADERS, are skipped as they arrive. */
static void test_large_reserved_frames(void **state)
{
	static uint8_t frame[10100];
	size_t n;
	int r;

	(void)state;
	n = h3c_varint(frame, H3_RESERVED(7));
	n += h3c_varint(frame + n, 10000);
	memset(frame + n, 'z', 10000);
	n += 10000;
	h3_setup(15, &clean_link, H3C_DEFAULT);
	h3c_uni_write(h3c.ctrl, frame, n);
	r = h3c_raw(frame, n + h3c_headers_frame(frame + n, sizeof(frame) - n, "GET", "/bytes/5",
						   NULL, 0), true);
	run_req(r);
	assert_bytes(r, 5);
	assert_conn_usable();
	h3_teardown();
}

/* A header section within the SETTINGS_MAX_FIELD_SECTION_SIZE the
 * server advertises is accepted (RFC 9114 4.2.2): the server may not
 * refuse what it said it takes. */
static void test_field_section_limit(void **state)
{
	static uint8_t value[16384];
	struct qpack_field f = { (const uint8_t *)"x-fill", 6, value, 0, 0 };
	struct h3c_spec sp = { .method = "GET", .scheme = "https", .authority = "localhost",
			       .path = "/bytes/9", .fields = &f, .nfields = 1 };
	uint64_t limit;
	int r;

	(void)state;
	memset(value, 'f', sizeof(value));
	h3_setup(16, &clean_link, H3C_DEFAULT);
	h3c.dynamic = false;  /* the value as a literal, not in the table */
	h3_connect();
	limit = h3c.server.max_field_section_size;
	assert_true(limit > 200 && limit < sizeof(value));
	/* the pseudo-headers and this field: under the limit by a margin
	 * (each field counts its name, its value and 32) */
	f.value_len = (size_t)limit - 200;
	r = h3c_request(&sp);
	run_req(r);
	assert_bytes(r, 9);
	assert_conn_usable();
	h3_teardown();
}

/* The client's encoder inserts every field: the requests reference the
 * server decoder's dynamic table. */
static void test_qpack_dynamic(void **state)
{
	static const struct qpack_field extra[] = {
		{ (const uint8_t *)"user-agent", 10, (const uint8_t *)"tern-test/1", 11, 0 },
		{ (const uint8_t *)"x-custom", 8, (const uint8_t *)"dynamic-table", 13, 0 },
	};
	struct h3c_spec sp = { .method = "GET", .scheme = "https", .authority = "localhost",
			       .path = "/bytes/300", .fields = extra, .nfields = 2 };
	struct h3_conn *h;
	int a, b;

	(void)state;
	h3_setup(7, &clean_link, H3C_DEFAULT);
	h3c.qenc.flags |= QPACK_ENC_INSERT_ALL;
	h3_connect();
	assert_true(h3c.server.qpack_max_table_capacity > 0);
	a = h3c_request(&sp);
	run_req(a);
	assert_bytes(a, 300);
	assert_true(h3c.qenc.t.inserted >= 3);
	b = h3c_request(&sp);  /* all by reference now */
	run_req(b);
	assert_bytes(b, 300);
	h = server_h3();
	assert_non_null(h);
	assert_int_equal(h->qdec.t.inserted, h3c.qenc.t.inserted);
	/* the server acknowledged both sections */
	assert_int_equal(h3c.qenc.n_sections, 0);
	assert_int_equal(h3c.error, 0);
	h3_teardown();
}

static size_t blocked_count;

static bool server_blocked(void)
{
	return term.h3.st.qpack_blocked > blocked_count;
}

/* The encoder-stream instructions a request needs are held back: its
 * HEADERS waits at the server (blocked) and is answered once they come. */
static void test_qpack_blocked(void **state)
{
	static const struct qpack_field extra[] = {
		{ (const uint8_t *)"x-blocked", 9, (const uint8_t *)"until-the-insert", 16, 0 },
	};
	struct h3c_spec sp = { .method = "GET", .scheme = "https", .authority = "localhost",
			       .path = "/bytes/2000", .fields = extra, .nfields = 1 };
	int r;

	(void)state;
	h3_setup(8, &clean_link, H3C_DEFAULT);
	h3c.qenc.flags |= QPACK_ENC_INSERT_ALL;
	h3_connect();
	blocked_count = term.h3.st.qpack_blocked;
	h3c.uni[h3c.enc].hold = true;
	r = h3c_request(&sp);
	assert_int_equal(h3c_run(server_blocked, 10 * S), 0);
	/* nothing can be answered while the entries are missing */
	sim_run(&sim, sim.now + S / 2, NULL, NULL);
	assert_int_equal(h3c.req[r].status, 0);
	assert_int_equal(term.st.requests, 0);
	h3c.uni[h3c.enc].hold = false;
	run_req(r);
	assert_bytes(r, 2000);
	assert_int_equal(term.h3.st.qpack_blocked, blocked_count + 1);
	assert_conn_usable();
	/* blocked again, then cancelled by the client before the entries
	 * come: the server forgets it (RFC 9204 2.2.2.2) */
	blocked_count = term.h3.st.qpack_blocked;
	h3c.uni[h3c.enc].hold = true;
	sp.path = "/bytes/3000";  /* a new entry */
	r = h3c_request(&sp);
	assert_int_equal(h3c_run(server_blocked, 10 * S), 0);
	h3c_cancel(r, H3_REQUEST_CANCELLED, true, true);
	sim_run(&sim, sim.now + S / 2, NULL, NULL);
	h3c.uni[h3c.enc].hold = false;
	assert_settled();
	assert_int_equal(term.st.requests, 2);
	assert_conn_usable();
	h3_teardown();
}

static bool session_taken(void)
{
	return eps[0].session_len > 0;
}

/* A resumed connection whose requests leave in 0-RTT (with
 * CONFIG_QUIC_0RTT and a server that takes early data): the GET is
 * served from 0-RTT, the POST is answered 425 Too Early (RFC 8470 5.2).
 * The server cannot send before its handshake completes: its control
 * and QPACK streams and the responses wait for that. Without
 * CONFIG_QUIC_0RTT the requests go in 1-RTT and both are served. */
static void test_zero_rtt(void **state)
{
	int a, g, p;

	(void)state;
	pair_next.server_early_data = true;
	h3_setup(26, &clean_link, H3C_DEFAULT);
	a = h3c_get("/bytes/10");
	run_req(a);
	assert_bytes(a, 10);
	assert_int_equal(h3c_run(session_taken, 30 * S), 0);
	quic_conn_close(client(), H3_NO_ERROR, true, sim.now);
	assert_int_equal(sim_run(&sim, sim.now + 30 * S, both_gone, NULL), 0);
	/* the second connection: its requests written before its first
	 * datagram leaves */
	h3c_init(H3C_DEFAULT);
	pair_connect();
	g = h3c_get("/bytes/1000");
	p = h3c_post("/echo", (const uint8_t *)"early", 5);
	h3c_step();
	run_all(30 * S);
	assert_int_equal(eps[1].tls.st.resumed, 1);
	assert_bytes(g, 1000);
	if (IS_ENABLED(CONFIG_QUIC_0RTT)) {
		assert_true(client()->early_pkts > 0);
		assert_true(server_conn()->early_streams >= 2);
		assert_response(p, 425);
		assert_int_equal(term.st.too_early, 1);
	} else {
		assert_int_equal(client()->early_pkts, 0);
		assert_response(p, 200);
		assert_memory_equal(h3c.req[p].keep, "early", 5);
	}
	h3_connect();  /* the server's SETTINGS came after all */
	assert_conn_usable();
	h3_teardown();
}

/* Trailers that wait for a QPACK entry, then the client cancels the
 * request: the server must forget the blocked section (and tell the
 * client's encoder, RFC 9204 2.2.2.2), or each such request keeps one of
 * the SETTINGS_QPACK_BLOCKED_STREAMS places for ever and a later request
 * that blocks finds none (H3_QPACK_DECOMPRESSION_FAILED). */
static void test_qpack_blocked_trailers_cancelled(void **state)
{
	/* Required Insert Count 1 (encoded 2 with 128 entries), Base 1, a
	 * reference to the entry not inserted yet */
	static const uint8_t wait_entry[] = { 0x80 };
	static const struct qpack_field extra[] = {
		{ (const uint8_t *)"x-blocked", 9, (const uint8_t *)"after-the-stale-ones", 20, 0 },
	};
	struct h3c_spec sp = { .method = "GET", .scheme = "https", .authority = "localhost",
			       .path = "/bytes/10", .fields = extra, .nfields = 1 };
	uint8_t b[256], sec[8];
	struct h3_conn *h;
	size_t n;
	int r;

	(void)state;
	h3_setup(80, &clean_link, H3C_DEFAULT);
	h3_connect();
	for (uint32_t i = 0; i < CONFIG_H3_QPACK_BLOCKED_STREAMS; i++) {
		n = h3c_headers_frame(b, sizeof(b), "POST", "/echo", NULL, 0);
		n += h3c_frame(b + n, H3_FRAME_DATA, "abc", 3);
		sec[0] = 2;
		sec[1] = 0;
		memcpy(sec + 2, wait_entry, sizeof(wait_entry));
		n += h3c_frame(b + n, H3_FRAME_HEADERS, sec, 2 + sizeof(wait_entry));
		blocked_count = term.h3.st.qpack_blocked;
		r = h3c_raw(b, n, false);
		assert_int_equal(h3c_run(server_blocked, 10 * S), 0);
		h3c_cancel(r, H3_REQUEST_CANCELLED, true, true);
		assert_settled();
	}
	h = server_h3();
	assert_non_null(h);
	assert_int_equal(h->qdec.n_blocked, 0);
	/* a request that blocks now still has its place */
	h3c.qenc.flags |= QPACK_ENC_INSERT_ALL;
	h3c.uni[h3c.enc].hold = true;
	blocked_count = term.h3.st.qpack_blocked;
	r = h3c_request(&sp);
	if (h3c_run(server_blocked, 10 * S) != 0)
		fail_msg("the request did not wait for its entries: connection closed %d (0x%llx)",
			 h3c_close_seen(), (unsigned long long)h3c.peer_close_error);
	h3c.uni[h3c.enc].hold = false;
	run_req(r);
	assert_bytes(r, 10);
	assert_conn_usable();
	h3_teardown();
}

static bool got_goaway(void)
{
	return h3c.goaways > 0 || h3c.peer_closed;
}

/* term_shutdown during a download: GOAWAY with the next request id, the
 * download completes, a request after it is rejected, and the server
 * closes with H3_NO_ERROR once idle. */
static void goaway(uint64_t seed, const struct sim_link_cfg *link)
{
	int dl, late;

	h3_setup(seed, link, H3C_DEFAULT);
	dl = h3c_get("/bytes/2000000");
	waiting = dl;
	assert_int_equal(h3c_run(got_body, 20 * S), 0);
	assert_true(h3c.req[dl].body_bytes < 2000000);
	term_shutdown(&term, sim.now);
	assert_int_equal(h3c_run(got_goaway, 10 * S), 0);
	assert_int_equal(h3c.goaways, 1);
	assert_int_equal(h3c.goaway_id, h3c.req[dl].id + 4);
	late = h3c_get("/");
	run_req(late);
	assert_stream_error(late, H3_REQUEST_REJECTED);
	assert_int_equal(h3c.req[late].id, h3c.goaway_id);
	run_req(dl);
	assert_bytes(dl, 2000000);
	assert_int_equal(h3c_run(h3c_close_seen, 20 * S), 0);
	assert_true(h3c.peer_closed);
	assert_true(h3c.peer_close_app);
	assert_int_equal(h3c.peer_close_error, H3_NO_ERROR);
	assert_int_equal(sim_run(&sim, sim.now + 10 * S, both_gone, NULL), 0);
	assert_true(term_idle(&term));
	assert_int_equal(term.h3.st.conn_errors, 0);
	h3_teardown();
}

static void test_goaway(void **state)
{
	(void)state;
	goaway(9, &clean_link);
	goaway(17, &lossy_link);
}

/* Reserved frame types before HEADERS and between DATA frames, on a
 * request whose body the server reads (echo) and one it does not. */
static void test_reserved_frames_ignored(void **state)
{
	struct h3c_spec sp = { .method = "POST", .scheme = "https", .authority = "localhost",
			       .path = "/echo", .body = big, .body_len = 3000, .data_frame = 700,
			       .grease = true };
	struct h3c_spec gp = { .method = "GET", .scheme = "https", .authority = "localhost",
			       .path = "/bytes/10", .grease = true };
	int e, g;

	(void)state;
	for (size_t i = 0; i < 3000; i++)
		big[i] = (uint8_t)(i * 5 + 1);
	h3_setup(10, &clean_link, H3C_DEFAULT);
	e = h3c_request(&sp);
	g = h3c_request(&gp);
	run_all(30 * S);
	assert_response(e, 200);
	assert_int_equal(h3c.req[e].body_bytes, 3000);
	assert_int_equal(h3c.req[e].body_hash, pair_hash(PAIR_FNV_OFFSET, big, 3000));
	assert_bytes(g, 10);
	h3_teardown();
}

/* A reserved unidirectional stream type: refused with STOP_SENDING
 * (H3_STREAM_CREATION_ERROR, RFC 9114 6.2), the connection goes on. The
 * server allows three unidirectional streams: the decoder stream is left
 * out to make room. */
static void test_reserved_stream_ignored(void **state)
{
	uint8_t b[16];
	size_t n;
	int u;

	(void)state;
	h3_setup(11, &clean_link, H3C_OPEN_CONTROL | H3C_SEND_SETTINGS | H3C_OPEN_ENCODER);
	u = h3c_uni_new();
	n = h3c_varint(b, H3_RESERVED(1));
	memcpy(b + n, "ignored", 7);
	h3c_uni_write(u, b, n + 7);
	assert_conn_usable();
	assert_int_equal(sim_run(&sim, sim.now + S, NULL, NULL), -1);
	assert_true(h3c.uni[u].stopped);
	assert_int_equal(h3c.uni[u].stop_code, H3_STREAM_CREATION_ERROR);
	assert_false(h3c.peer_closed);
	h3_teardown();
}

static int uni_waited = -1;

/* The client's stream uni_waited is over at the client (the server
 * acknowledged its end: it has seen it) and at the server. */
static bool uni_gone_at_server(void)
{
	struct quic_conn *c = server_conn(), *cc = client();
	uint64_t id = h3c.uni[uni_waited].id;

	return h3c.uni[uni_waited].opened && c && cc && !quic_streams_find(&cc->streams, id) &&
	       !quic_streams_find(&c->streams, id);
}

/* A unidirectional stream that ends (reset, or FIN) before its type is
 * tolerated (RFC 9114 6.2), and closed at the server: it must not hold
 * a stream slot (and its HTTP/3 state) for the connection's life. */
static void uni_ends_before_type(bool reset, uint64_t seed)
{
	int u;

	h3_setup(seed, &clean_link, H3C_OPEN_CONTROL | H3C_SEND_SETTINGS | H3C_OPEN_ENCODER);
	uni_waited = u = h3c_uni_new();
	if (reset)
		h3c_uni_reset(u, H3_RESERVED(9));
	else
		h3c_uni_fin(u);
	if (h3c_run(uni_gone_at_server, 5 * S) != 0)
		fail_msg("an empty %s stream is still open at the server",
			 reset ? "reset" : "ended");
	assert_conn_usable();
	h3_teardown();
}

static void test_uni_stream_ends_before_type(void **state)
{
	(void)state;
	uni_ends_before_type(true, 18);
	uni_ends_before_type(false, 19);
}

/* Reserved and unknown setting identifiers are ignored (7.2.4.1). */
static void test_reserved_setting_ignored(void **state)
{
	uint8_t p[32], f[40];
	size_t n = 0;

	(void)state;
	h3_setup(12, &clean_link, H3C_OPEN_CONTROL | H3C_OPEN_ENCODER | H3C_OPEN_DECODER);
	n += h3c_varint(p + n, H3_RESERVED(3));
	n += h3c_varint(p + n, 12345);
	n += h3c_varint(p + n, H3_SETTING_QPACK_MAX_TABLE_CAPACITY);
	n += h3c_varint(p + n, 4096);
	n += h3c_varint(p + n, 0x3fff);  /* unknown, not reserved */
	n += h3c_varint(p + n, 1);
	n += h3c_varint(p + n, H3_SETTING_QPACK_BLOCKED_STREAMS);
	n += h3c_varint(p + n, 8);
	h3c_uni_write(h3c.ctrl, f, h3c_frame(f, H3_FRAME_SETTINGS, p, n));
	/* and a reserved frame type on the control stream; MAX_PUSH_ID
	 * (allowed, we never push) */
	h3c_uni_write(h3c.ctrl, f, h3c_frame(f, H3_RESERVED(2), "x", 1));
	h3c_uni_write(h3c.ctrl, f, h3c_frame(f, H3_FRAME_MAX_PUSH_ID, "\x05", 1));
	assert_conn_usable();
	h3_teardown();
}

/* Chunk memory runs short just as the server sets up its streams: two
 * chunks are left while it handles the datagram that brings the
 * client's first streams (one for what it receives, one for its control
 * stream), so the type byte of its QPACK encoder stream finds no memory.
 * The connection must then fail cleanly (H3_INTERNAL_ERROR, as for the
 * control stream), not go on with an encoder stream whose type is
 * missing: the client would take its instructions for a stream type and
 * wait for ever for the entries its responses reference. */
static void *held[CONFIG_POOL_STREAM_CHUNKS];
static size_t nheld;
static bool squeezed;

static size_t chunks_free(void)
{
	return pool_stats_of(&pool_chunk)->capacity - pool_stats_of(&pool_chunk)->in_use;
}

static void squeeze(int node, const uint8_t *d, size_t len, uint64_t now)
{
	struct quic_conn *c = server_conn();

	(void)d;
	(void)len;
	(void)now;
	if (node != 1 || squeezed || !c || !pool_handle_is_none(c->app))
		return;
	while (chunks_free() > 2)
		held[nheld++] = pool_alloc(&pool_chunk);
}

static void poll_release(uint64_t now)
{
	if (nheld && !pool_handle_is_none(server_conn()->app))
		squeezed = true;  /* the server has set up its streams */
	while (nheld)
		pool_free(&pool_chunk, held[--nheld]);
	term_poll(&term, now);
}

static void test_no_memory_for_stream_type(void **state)
{
	int r[4];

	(void)state;
	squeezed = false;
	h3_poll_next = poll_release;
	h3_setup(20, &clean_link, H3C_DEFAULT);
	pair_tap.received = squeeze;
	for (int i = 0; i < 4; i++)
		r[i] = h3c_get("/bytes/100");  /* the same response fields: in the table */
	if (h3c_run(h3c_all_done, 20 * S) != 0) {
		pair_dump("no memory for a stream type");
		fail_msg("requests hang: 0x%x 0x%x (blocked %d %d %d %d)", h3c.req[r[0]].status,
			 h3c.req[r[3]].status, h3c.req[r[0]].blocked, h3c.req[r[1]].blocked,
			 h3c.req[r[2]].blocked, h3c.req[r[3]].blocked);
	}
	assert_true(squeezed);
	assert_true(h3c.peer_closed);
	assert_true(h3c.peer_close_app);
	assert_int_equal(h3c.peer_close_error, H3_INTERNAL_ERROR);
	h3_teardown();
}

/* Fault injection (DESIGN.md 3): the n-th pool allocation after the
 * client started fails, for every n the scenario reaches (QUIC and TLS
 * blocks, stream chunks, the HTTP/3 connection and streams, term's
 * requests). Each run ends with every request answered (its content
 * right), refused (REQUEST_REJECTED, 503), reset (H3_INTERNAL_ERROR) or
 * cut by a connection close; never a crash, a hang, a broken frame or a
 * leak. */
static void fi_report(uint32_t n)
{
	struct h3_conn *h = server_h3();

	for (int k = 0; k < POOL_ID_COUNT; k++)
		if (pool_stats_of(pool_all[k])->failures)
			print_error("  allocation %u failed in pool %s\n", n,
				    pool_stats_of(pool_all[k])->name);
	if (h)
		print_error("  server QPACK encoder: %llu inserted, known received %llu, "
			    "%u sections\n", (unsigned long long)h->qenc.t.inserted,
			    (unsigned long long)h->qenc.known_received, h->qenc.n_sections);
	h3c_dump(server_conn());
}

static bool fi_done(void)
{
	return h3c_all_done() || h3c_close_seen();
}

static void test_fault_injection(void **state)
{
	uint32_t n, completed = 0, closed = 0, refused = 0;
	int st, by, ec, big_ec;

	(void)state;
	if (!IS_ENABLED(CONFIG_FAULT_INJECTION))
		skip();
	for (size_t i = 0; i < 23000; i++)
		big[i] = (uint8_t)(i * 3);
	/* the bare-metal selftest runs every suite under one QEMU timeout:
	 * there every fourth allocation site fails */
	for (n = 1; n < 20000; n += IS_ENABLED(CONFIG_BARE_METAL) ? 4 : 1) {
		bool fired, all = true;

		h3_setup(1000 + n, &clean_link, H3C_DEFAULT);
		h3c.qenc.flags |= QPACK_ENC_INSERT_ALL;  /* both dynamic tables in use */
		st = h3c_get("/");
		by = h3c_get("/bytes/3000");
		ec = h3c_post("/echo", big, 3000);
		big_ec = h3c_post("/echo", big + 3000, 20000);
		pool_fault_arm(n);
		/* answered in well under a second without faults: 20 s with
		 * requests pending on a working connection is a hang */
		if (h3c_run(fi_done, 20 * S) != 0 && client() && client()->confirmed) {
			fi_report(n);
			pair_dump("fault injection");
			fail_msg("fault at allocation %u: requests pending after 20 s", n);
		}
		if (h3c_run(fi_done, 200 * S) != 0) {
			fi_report(n);
			pair_dump("fault injection");
			fail_msg("fault at allocation %u: neither answered nor closed", n);
		}
		fired = pool_fault_fired();
		pool_fault_arm(0);
		for (int r = 0; r < 4; r++) {
			const struct h3c_req *q = &h3c.req[r];

			if (q->complete && q->status == 503) {
				refused++;
				continue;
			}
			/* refused (the client may retry), or failed cleanly */
			if (q->reset && (q->reset_code == H3_REQUEST_REJECTED ||
					 q->reset_code == H3_INTERNAL_ERROR)) {
				refused++;
				continue;
			}
			if (!q->complete) {
				all = false;
				continue;
			}
			assert_int_equal(q->status, 200);
		}
		if (h3c.req[by].complete && h3c.req[by].status == 200)
			assert_bytes(by, 3000);
		if (h3c.req[ec].complete && h3c.req[ec].status == 200)
			assert_int_equal(h3c.req[ec].body_hash, pair_hash(PAIR_FNV_OFFSET, big, 3000));
		if (h3c.req[big_ec].complete && h3c.req[big_ec].status == 200)
			assert_int_equal(h3c.req[big_ec].body_hash,
					 pair_hash(PAIR_FNV_OFFSET, big + 3000, 20000));
		if (h3c.req[st].complete && h3c.req[st].status == 200)
			assert_memory_equal(h3c.req[st].keep, "tern: HTTP/3 terminator", 23);
		if (!all && !h3c.closed && !h3c.peer_closed && !h3c.local_closed) {
			fi_report(n);
			pair_dump("fault injection");
			fail_msg("fault at allocation %u: requests neither answered nor refused", n);
		}
		/* a connection that did its handshake is closed for a reason,
		 * not by its idle timeout (a request left hanging) */
		if (!all && !h3c.peer_closed && !h3c.local_closed && h3c.peer_settings) {
			fi_report(n);
			print_error("  server: %u connections; term: %u requests, %u aborted; "
				    "h3: %u requests, %u responses, %u rejected, %u stream errors, "
				    "%u connection errors\n", eps[1].nconns, term.st.requests,
				    term.st.aborted, term.h3.st.requests, term.h3.st.responses,
				    term.h3.st.rejected, term.h3.st.stream_errors,
				    term.h3.st.conn_errors);
		}
		if (!all && !h3c.peer_closed && !h3c.local_closed && h3c.peer_settings)
			fail_msg("fault at allocation %u: the connection timed out with requests "
				 "pending", n);
		completed += all;
		closed += !all;
		h3_teardown();
		if (pool_total_in_use())
			fail_msg("fault at allocation %u: %u pool blocks still in use after teardown",
				 n, (unsigned)pool_total_in_use());
		if (!fired)
			break;
	}
	print_message("  allocation sites up to %u failed in turn: %u runs answered everything "
		      "(%u requests refused or reset), %u ended closed\n", n - 1, completed, refused,
		      closed);
	assert_true(n > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_status_page),
		UNIT_TEST(test_fetches),
		UNIT_TEST(test_fetches_loss_5),
		UNIT_TEST(test_100_requests),
		UNIT_TEST(test_100_requests_loss_5),
		UNIT_TEST(test_sequential_requests),
		UNIT_TEST(test_head_404_400),
		UNIT_TEST(test_responder_corners),
		UNIT_TEST(test_concurrent_echoes),
		UNIT_TEST(test_large_reserved_frames),
		UNIT_TEST(test_field_section_limit),
		UNIT_TEST(test_qpack_dynamic),
		UNIT_TEST(test_qpack_blocked),
		UNIT_TEST(test_qpack_blocked_trailers_cancelled),
		UNIT_TEST(test_goaway),
		UNIT_TEST(test_zero_rtt),
		UNIT_TEST(test_reserved_frames_ignored),
		UNIT_TEST(test_reserved_stream_ignored),
		UNIT_TEST(test_reserved_setting_ignored),
		UNIT_TEST(test_uni_stream_ends_before_type),
		UNIT_TEST(test_no_memory_for_stream_type),
		UNIT_TEST(test_fault_injection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
