/* HTTP/3 end to end over the link simulator: tern's server side
 * (http3/h3conn under term/'s responder) on the server endpoint, the
 * test client tests/sim/h3_client on the client endpoint.
 *
 * Positive: the status page, /bytes/N (pattern and hash), /echo of 1 MB,
 * 100 requests on one connection (as MAX_STREAMS allows), the same
 * under 5% loss, 200 requests in a row, HEAD, 404, 400, 405, trailers,
 * requests that use the QPACK dynamic table (blocked until their
 * encoder instructions arrive, or cancelled while blocked), a graceful
 * GOAWAY during a download, the client cancelling or closing.
 *
 * Negative: every error a client can provoke, each with its exact code:
 * the CONNECTION_CLOSE (application, type 0x1d) the client receives, or
 * the RESET_STREAM on the request (then the connection must stay
 * usable, and every request stream must be freed on both sides).
 * Reserved frame types, stream types and settings are ignored.
 *
 * Memory: chunks running out while the server sets up its streams, and
 * (CONFIG_FAULT_INJECTION) every allocation of a short scenario failing
 * in turn.
 *
 * After every test both endpoints are torn down (teardown_pair audits
 * their registries) and the HTTP/3 pools are idle.
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "http3/h3conn.h"
#include "quic/conn.h"
#include "quic/endpoint.h"
#include "term/term.h"
#include "tests/sim/h3_client.h"
#include "tests/sim/quic_pair.h"

#define S SIM_NS_PER_S

static struct term term;
static uint8_t big[1 << 20];   /* request bodies */

static void poll_term(uint64_t now)
{
	term_poll(&term, now);
}

static const struct sim_link_cfg clean_link = { .delay_ns = 5000000 };
static const struct sim_link_cfg lossy_link = { .delay_ns = 5000000, .loss_pm = 50 };

/* The server's poll hook for the next h3_setup (NULL: term_poll). */
static void (*h3_poll_next)(uint64_t now);

/* A fresh pair: term on the server, the test client (flags H3C_*). */
static void h3_setup(uint64_t seed, const struct sim_link_cfg *link, unsigned flags)
{
	const char *why = NULL;

	assert_int_equal(term_init(&term, &why), 0);
	h3c_init(flags);
	pair_next.server_app = h3_server_app_ops();
	pair_next.server_app_ctx = &term.h3;
	pair_next.server_poll = h3_poll_next ? h3_poll_next : poll_term;
	h3_poll_next = NULL;
	pair_next.client_app = h3c_app_ops();
	setup_pair(seed, QUIC_RETRY_NEVER, link);
	term_attach(&term, &eps[1]);
}

static void h3_teardown(void)
{
	teardown_pair();
	assert_int_equal(pool_stats_of(&pool_h3conn)->in_use, 0);
	assert_int_equal(pool_stats_of(&pool_h3stream)->in_use, 0);
	assert_int_equal(pool_stats_of(&pool_termreq)->in_use, 0);
}

/* Handshake, both control streams and the server's SETTINGS. */
static void h3_connect(void)
{
	if (h3c_run(h3c_ready, 20 * S) != 0) {
		pair_dump("no HTTP/3 setup");
		fail_msg("client: started %d, server SETTINGS %d", h3c.started, h3c.peer_settings);
	}
}

static int waiting = -1;

static bool one_done(void)
{
	return h3c_req_done(waiting);
}

static void run_req(int r)
{
	waiting = r;
	if (h3c_run(one_done, 60 * S) != 0) {
		pair_dump("request not done");
		h3c_dump(server_conn());
		fail_msg("request %d (stream %llu): status %u, %llu body bytes", r,
			 (unsigned long long)h3c.req[r].id, h3c.req[r].status,
			 (unsigned long long)h3c.req[r].body_bytes);
	}
}

static void run_all(uint64_t ns)
{
	if (h3c_run(h3c_all_done, ns) != 0) {
		uint32_t done = 0;

		for (uint32_t i = 0; i < h3c.nreq; i++)
			done += h3c_req_done((int)i);
		pair_dump("requests not done");
		h3c_dump(server_conn());
		fail_msg("%u of %u requests done", done, h3c.nreq);
	}
}

/* A complete response with this status and no error. */
static void assert_response(int r, unsigned status)
{
	const struct h3c_req *q = &h3c.req[r];

	if (q->status != status || !q->complete || q->reset || q->error)
		fail_msg("request %d: status %u (want %u), complete %d (end read %d), reset %d "
			 "(code 0x%llx), error 0x%x, connection closed %d (0x%llx)", r, q->status,
			 status, q->complete, q->fin_read, q->reset, (unsigned long long)q->reset_code,
			 q->error, h3c.peer_closed, (unsigned long long)h3c.peer_close_error);
}

/* A /bytes/n response: 200, Content-Length n, n bytes of i % 251. */
static void assert_bytes(int r, uint64_t n)
{
	const struct h3c_req *q = &h3c.req[r];

	assert_response(r, 200);
	assert_true(q->has_cl);
	assert_int_equal(q->content_length, n);
	assert_int_equal(q->body_bytes, n);
	assert_int_equal(q->pattern_bad, 0);
	assert_int_equal(q->body_hash, h3c_bytes_hash(n));
}

/* The server closed the connection with this HTTP/3 code (an
 * application CONNECTION_CLOSE), and says so itself. */
static void assert_conn_error(uint64_t code)
{
	if (h3c_run(h3c_close_seen, 20 * S) != 0) {
		pair_dump("no CONNECTION_CLOSE");
		fail_msg("connection still open; want code 0x%llx", (unsigned long long)code);
	}
	if (!h3c.peer_closed || !h3c.peer_close_app || h3c.peer_close_error != code)
		fail_msg("close: received %d app %d code 0x%llx; want app code 0x%llx",
			 h3c.peer_closed, h3c.peer_close_app,
			 (unsigned long long)h3c.peer_close_error, (unsigned long long)code);
	assert_int_equal(term.h3.st.conn_errors, 1);
	/* both sides finish the close */
	assert_int_equal(sim_run(&sim, sim.now + 10 * S, both_gone, NULL), 0);
}

/* A request reset by the server with this code (its STOP_SENDING too,
 * where the request was still being sent). */
static void assert_stream_error(int r, uint64_t code)
{
	const struct h3c_req *q = &h3c.req[r];

	if (!q->reset || q->reset_code != code)
		fail_msg("request %d: reset %d code 0x%llx (want 0x%llx); status %u, closed %d "
			 "(0x%llx)", r, q->reset, (unsigned long long)q->reset_code,
			 (unsigned long long)code, q->status, h3c.peer_closed,
			 (unsigned long long)h3c.peer_close_error);
	if (q->stopped)
		assert_int_equal(q->stop_code, code);
}

/* Bidirectional (request) streams open on a connection. */
static unsigned bidi_streams(struct quic_conn *c)
{
	unsigned n = 0;

	for (unsigned i = 0; c && i < QUIC_STREAMS_SLOTS; i++) {
		struct quic_stream *s = pool_get(&pool_stream, c->streams.slot[i]);

		n += s && !quic_stream_id_is_uni(s->id);
	}
	return n;
}

/* Every request is over on both sides: no request stream left open, no
 * request held by term or by http3 (the connection itself goes on). */
static bool settled(void)
{
	return !bidi_streams(server_conn()) && !bidi_streams(client()) &&
	       !pool_stats_of(&pool_termreq)->in_use;
}

static void assert_settled(void)
{
	if (h3c_run(settled, 10 * S) != 0) {
		pair_dump("requests not settled");
		fail_msg("request streams left: server %u, client %u; term requests %u",
			 bidi_streams(server_conn()), bidi_streams(client()),
			 (unsigned)pool_stats_of(&pool_termreq)->in_use);
	}
}

/* The connection is still fine: a status page comes back, and every
 * request stream so far is freed on both sides. */
static void assert_conn_usable(void)
{
	int r = h3c_get("/");

	run_req(r);
	assert_response(r, 200);
	assert_false(h3c.peer_closed);
	assert_settled();
}

/* A HEADERS frame of these field lines after a zero prefix (Required
 * Insert Count 0, Base 0). */
static size_t sec_frame(uint8_t *out, const uint8_t *lines, size_t n)
{
	uint8_t sec[256];

	assert_true(n + 2 <= sizeof(sec));
	sec[0] = sec[1] = 0;
	memcpy(sec + 2, lines, n);
	return h3c_frame(out, H3_FRAME_HEADERS, sec, n + 2);
}

static struct h3_conn *server_h3(void)
{
	struct quic_conn *c = server_conn();

	return c ? pool_get(&pool_h3conn, c->app) : NULL;
}

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

static bool got_body(void)
{
	return h3c.req[waiting].body_bytes > 0 || h3c_req_done(waiting);
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
		UNIT_TEST(test_no_memory_for_stream_type),
		UNIT_TEST(test_fault_injection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
