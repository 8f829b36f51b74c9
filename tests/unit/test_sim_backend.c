/* term/backend end to end over the link simulator: the test client
 * (tests/sim/h3_client) asks tern's server (term/ over http3/h3conn, as
 * in test_sim_h3.c, harness sim_h3_util.h), and the HTTP/1.1 backends
 * behind it are scripted peers (tests/sim/tcp_fake: port_tcp_* in
 * virtual time, with port/posix/tcp.c's event semantics). The server
 * node runs the peers and term's own deadlines, as a board's loop waits
 * on the sockets and calls term_poll.
 *
 * What it proves, every case checked from both ends (what the client
 * got, what the backend received, term's counters, every pool idle and
 * every backend connection closed at the end):
 *  - the request head the backend gets, byte for byte: request line,
 *    Host from :authority, the client's fields (Cookie joined, TE
 *    dropped), Via, X-Forwarded-For, Forwarded; the response head the
 *    client gets: hop-by-hop fields (and those Connection names)
 *    dropped, Via added, a 1xx left out;
 *  - bodies: Content-Length, chunked (odd chunks, extensions, trailer,
 *    read 1, 7, 61 bytes at a time: every chunk line cut), to the
 *    close; bytes after an answer, or HTTP/1.0, end the connection;
 *  - keep-alive (one connection, HEAD included), its idle timeout, and
 *    an idle connection the backend closes, closed by tern at once;
 *  - a kept-alive connection the backend closed (EOF, RST, FAILED, or
 *    reset before the request) is dialled again once for a GET, never
 *    for a POST, a fresh connection, or an answer that had begun;
 *  - 502 (refused, no socket, garbage, a head too large), a reset
 *    stream after a cut body; 504 at the timeout (connect or answer),
 *    none for a slow backend that keeps coming, none while the client
 *    is the slow side;
 *  - backpressure: a 10 GB body through a slow client moves only as the
 *    client reads, tern holding at most its buffer and the stream
 *    windows; the client's cancel (or STOP_SENDING alone) closes the
 *    backend connection;
 *  - deadlines from the time a request came, after a quiet spell with
 *    no poll;
 *  - every slot taken: the idle connection nearest its end makes room
 *    for a new backend (503 needs every slot busy: interop be-no-slot),
 *    431 for a head
 *    larger than the buffer (the connection not leaked, an idle one
 *    kept), request bodies chunked or by Content-Length, through a
 *    socket that takes them in small pieces.
 *
 * The bare-metal selftest image links the fake ahead of the board's TCP
 * (libtern.a's port/lwip/tcp.c) and runs it too; a fake built with
 * TCP_FAKE_NO_PORT leaves the board's in place and the program skips
 * itself (tests/unit/module.mk).
 */
#include "sim_h3_util.h"
#include "term/backend.h"
#include "tests/sim/tcp_fake.h"

#define MS (S / 1000)

#define QF(n, v) { (const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1, 0 }

/* tern's buffering between the backend's socket and what the client
 * read: the connection's receive buffer, the stream's send buffer at
 * the server and its receive window at the client */
#define TERN_HOLDS ((uint64_t)CONFIG_TERM_BACKEND_BUF + QUIC_STREAM_TX_WINDOW + \
		    QUIC_STREAM_RX_WINDOW)

static const struct sim_link_cfg fast_link = { .delay_ns = 1000000 };

/* ---------------------------------------------------------------- the server node */

/* pair_ops, but also woken for the backends' sockets and term's
 * timeouts, then term_poll as after any round of input */
static struct sim_node_ops be_node_ops;

static uint64_t be_node_deadline(void *node)
{
	uint64_t d = pair_ops.deadline(node), f = tcp_fake_deadline(), t = term_deadline(&term);

	if (f < d)
		d = f;
	return t < d ? t : d;
}

static void be_node_timeout(void *node, uint64_t now)
{
	tcp_fake_tick(now);
	if (pair_ops.deadline(node) <= now)
		pair_ops.timeout(node, now);  /* term_poll after it */
	else
		poll_term(now);
}

/* Counters at setup, for the checks of what one test changed. */
static uint32_t failures0[POOL_ID_COUNT];

/* term with the default backend on the server, the client connected;
 * connections no plan names follow dflt (NULL: connects fail). */
static void be_setup(uint64_t seed, const struct sim_link_cfg *link,
		     const struct tcp_fake_script *dflt)
{
	const char *why = NULL;

	h3_setup(seed, link, H3C_DEFAULT);
	be_node_ops = pair_ops;
	be_node_ops.deadline = be_node_deadline;
	be_node_ops.timeout = be_node_timeout;
	sim_set_node(&sim, 1, &be_node_ops, &eps[1], &pair_addr[1]);
	tcp_fake_init(&sim.now, dflt);
	assert_int_equal(term_set_backend(&term, "127.0.0.1:8080", &why), 0);
	term.timeout_ns = 2 * S;
	term.idle_ns = 1 * S;
	for (int i = 0; i < POOL_ID_COUNT; i++)
		failures0[i] = pool_all[i]->st.failures;
	h3_connect();
}

static bool backends_closed(void)
{
	return !pool_stats_of(&pool_backend)->in_use;
}

/* Idle connections run out (term.idle_ns), then h3_teardown's checks;
 * no backend connection left on either side, no pool ran dry. */
static void be_teardown(void)
{
	assert_settled();
	if (h3c_run(backends_closed, term.idle_ns + 2 * S) != 0)
		fail_msg("%u backend connections still open (%u idle)",
			 (unsigned)pool_stats_of(&pool_backend)->in_use, term.be.idle);
	h3_teardown();
	assert_int_equal(pool_stats_of(&pool_backend)->in_use, 0);
	assert_int_equal(tcp_fake_open(), 0);
	for (int i = 0; i < POOL_ID_COUNT; i++)
		if (pool_all[i]->st.failures != failures0[i])
			fail_msg("pool %s: %u allocations refused", pool_all[i]->st.name,
				 pool_all[i]->st.failures - failures0[i]);
}

/* ---------------------------------------------------------------- helpers */

/* A fresh pair (connections follow dflt) and one GET, run to its end. */
static int get_one(uint64_t seed, const struct tcp_fake_script *dflt)
{
	int r;

	be_setup(seed, &clean_link, dflt);
	r = h3c_get("/app/x");
	run_req(r);
	return r;
}

/* A status line, `fields` (each with its CRLF) and Content-Length n. */
static size_t head_cl(char *out, size_t cap, unsigned status, const char *fields, uint64_t n)
{
	int k = snprintf(out, cap, "HTTP/1.1 %u X\r\n%sContent-Length: %llu\r\n\r\n", status,
			 fields, (unsigned long long)n);

	assert_true(k > 0 && (size_t)k < cap);
	return (size_t)k;
}

/* A GET run to its end: 200. Its index. */
static int get_ok(const char *path)
{
	int r = h3c_get(path);

	run_req(r);
	assert_response(r, 200);
	return r;
}

/* 200 with 10 generated bytes, and the connection kept */
static const char ok10[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
static const struct tcp_fake_exchange ok_ex = {
	.resp = (const uint8_t *)ok10, .resp_len = sizeof(ok10) - 1, .body = 10 };
static const struct tcp_fake_script answering = { .ex = &ok_ex, .nex = 1 };

/* An exchange answering resp (a head) and n generated body bytes. */
static struct tcp_fake_exchange answer(const char *resp, size_t len, uint64_t n, uint8_t end)
{
	return (struct tcp_fake_exchange){ .resp = (const uint8_t *)resp, .resp_len = len,
					   .body = n, .end = end };
}

static const struct tcp_fake_conn *fconn(uint32_t k)
{
	assert_true(k < tcp_fake.nconn);
	return &tcp_fake.conn[k];
}

/* Request i on connection k is exactly `want`. */
static void assert_request(uint32_t k, uint32_t i, const char *want)
{
	size_t n;
	const uint8_t *p = tcp_fake_request(k, i, &n);

	if (n != strlen(want) || memcmp(p, want, n))
		fail_msg("connection %u, request %u: got %zu bytes\n%.*s\nwant %zu bytes\n%s", k, i,
			 n, (int)n, (const char *)p, strlen(want), want);
}

/* A whole /bytes-like body of n bytes (generated i % 251). */
static void assert_gen_body(int r, uint64_t n)
{
	const struct h3c_req *q = &h3c.req[r];

	assert_int_equal(q->body_bytes, n);
	assert_int_equal(q->pattern_bad, 0);
	assert_int_equal(q->body_hash, h3c_bytes_hash(n));
}

/* Where str ends in p[0..n) (its first occurrence), or 0. */
static size_t find_end(const uint8_t *p, size_t n, const char *str)
{
	size_t k = strlen(str);

	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(p + i, str, k))
			return i + k;
	return 0;
}

/* h3c_run for a while: nothing to wait for */
static bool run_on(void)
{
	return false;
}

static bool conn_closed_0(void)
{
	return tcp_fake.nconn && tcp_fake.conn[0].state == TCP_FAKE_CLOSED;
}

/* ---------------------------------------------------------------- heads and bodies */

static void test_get_content_length(void **state)
{
	static const struct qpack_field fields[] = {
		QF("user-agent", "sim/1"), QF("cookie", "a=1"), QF("accept", "*/*"),
		QF("cookie", "b=2"), QF("te", "trailers"),
	};
	static char head[256];
	static struct tcp_fake_exchange ex[1];
	static const struct tcp_fake_script sc = { .ex = ex, .nex = 1 };
	const uint64_t n = 100000;
	struct h3c_spec sp = { .method = "GET", .scheme = "https", .authority = "Example.test:4433",
			       .path = "/app/one?q=1", .fields = fields, .nfields = 5 };
	char want[512];
	int r;

	(void)state;
	ex[0] = answer(head, head_cl(head, sizeof(head), 200,
				     "Content-Type: text/plain\r\nX-Backend: fake\r\n"
				     "Connection: keep-alive, X-Hop\r\nX-Hop: dropped\r\n"
				     "Keep-Alive: timeout=5\r\n", n), n, TCP_FAKE_KEEP_OPEN);
	be_setup(101, &clean_link, &sc);
	r = h3c_request(&sp);
	run_req(r);
	assert_response(r, 200);
	assert_true(h3c.req[r].has_cl);
	assert_int_equal(h3c.req[r].content_length, n);
	assert_gen_body(r, n);
	/* hop-by-hop fields and the ones Connection names stay behind */
	snprintf(want, sizeof(want), "content-type: text/plain\nx-backend: fake\n"
		 "content-length: %llu\nvia: 1.1 tern\n", (unsigned long long)n);
	assert_int_equal(h3c.req[r].fields_len, strlen(want));
	assert_memory_equal(h3c.req[r].fields_text, want, strlen(want));
	/* the head the backend got, byte for byte */
	snprintf(want, sizeof(want),
		 "GET /app/one?q=1 HTTP/1.1\r\nHost: Example.test:4433\r\nuser-agent: sim/1\r\n"
		 "accept: */*\r\nCookie: a=1; b=2\r\nVia: 3 tern\r\nX-Forwarded-For: %u.%u.%u.%u\r\n"
		 "Forwarded: for=%u.%u.%u.%u;proto=https;host=\"Example.test:4433\"\r\n\r\n",
		 pair_addr[0].ip[0], pair_addr[0].ip[1], pair_addr[0].ip[2], pair_addr[0].ip[3],
		 pair_addr[0].ip[0], pair_addr[0].ip[1], pair_addr[0].ip[2], pair_addr[0].ip[3]);
	assert_request(0, 0, want);
	assert_int_equal(fconn(0)->sent, strlen(want));
	assert_int_equal(fconn(0)->to.port, 8080);
	assert_int_equal(fconn(0)->recvd, ex[0].resp_len + n);
	assert_int_equal(term.be.connects, 1);
	assert_int_equal(term.st.backend, 1);
	assert_int_equal(term.st.status_2xx, 1);
	assert_int_equal(term.st.bytes_out, n);
	be_teardown();
	/* kept for term.idle_ns after the answer, then closed by tern */
	assert_true(fconn(0)->closed_at - fconn(0)->opened_at >= 1 * S);
	assert_false(fconn(0)->close_unread);
}

/* Odd chunk sizes, extensions, a trailer; read through receive buffers
 * of 1, 7 and 61 bytes (every chunk line cut somewhere) and a large one. */
static void test_chunked_response(void **state)
{
	static uint8_t resp[40000];
	static struct tcp_fake_exchange ex[1];
	static struct tcp_fake_script sc[4];
	static const uint32_t rcvbuf[4] = { 1, 7, 61, 0 };
	size_t len = 0;
	uint64_t body = 0;
	int r[4];

	(void)state;
	len = (size_t)snprintf((char *)resp, sizeof(resp),
			       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
			       "\r\n");
	for (unsigned i = 0; body < 20000; i++) {
		uint64_t c = (i * 37 + 1) % 613 + 1;

		len += (size_t)snprintf((char *)resp + len, sizeof(resp) - len,
					i % 3 == 1 ? "%llX;ext=\"v\"\r\n" : "%llx\r\n",
					(unsigned long long)c);
		for (uint64_t j = 0; j < c; j++)
			resp[len++] = tcp_fake_gen(body + j);
		memcpy(resp + len, "\r\n", 2);
		len += 2;
		body += c;
	}
	len += (size_t)snprintf((char *)resp + len, sizeof(resp) - len, "0\r\nX-Sum: 1\r\n\r\n");
	assert_true(len < sizeof(resp) - 1);
	ex[0] = (struct tcp_fake_exchange){ .resp = resp, .resp_len = len, .end = TCP_FAKE_EOF };
	be_setup(102, &clean_link, NULL);
	for (int i = 0; i < 4; i++) {
		sc[i] = (struct tcp_fake_script){ .rcvbuf = rcvbuf[i], .ex = ex, .nex = 1 };
		tcp_fake_plan((uint32_t)i, &sc[i]);
	}
	for (int i = 0; i < 4; i++) {
		r[i] = h3c_get("/app/chunked");
		run_req(r[i]);
		assert_response(r[i], 200);
		assert_false(h3c.req[r[i]].has_cl);  /* HTTP/3 ends the body itself */
		assert_gen_body(r[i], body);
		assert_int_equal(fconn((uint32_t)i)->recvd, len);
	}
	/* "Connection: close": one connection each */
	assert_int_equal(term.be.connects, 4);
	assert_int_equal(term.be.reused, 0);
	/* and once more to a client that reads at 50 KB/s */
	tcp_fake_plan(4, &sc[2]);
	r[0] = h3c_get("/app/chunked");
	h3c_throttle(r[0], 50000);
	run_req(r[0]);
	assert_response(r[0], 200);
	assert_gen_body(r[0], body);
	/* the client read the end between two datagrams: its stream goes
	 * at the next one (quic/conn sweeps streams after input) */
	assert_conn_usable();
	be_teardown();
}

/* A 1xx before the answer (not forwarded), bytes after an answer (that
 * connection is not kept), a body that runs to the close, HTTP/1.0
 * (not kept either). */
static void test_other_framings(void **state)
{
	static const char interim[] = "HTTP/1.1 100 Continue\r\nX-I: 1\r\n\r\n"
				      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
	static const char junk[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n\x00\x01\x02JUNK";
	static const char to_close[] = "HTTP/1.1 200 OK\r\n\r\n";
	static const char http10[] = "HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n";
	static struct tcp_fake_exchange ex0[2], ex1[1], ex2[1];
	static const struct tcp_fake_script sc0 = { .ex = ex0, .nex = 2 };
	static const struct tcp_fake_script sc1 = { .rcvbuf = 500, .ex = ex1, .nex = 1 };
	static const struct tcp_fake_script sc2 = { .ex = ex2, .nex = 1 };
	int r;

	(void)state;
	ex0[0] = answer(interim, sizeof(interim) - 1, 10, TCP_FAKE_KEEP_OPEN);
	ex0[1] = answer(junk, sizeof(junk) - 1, 0, TCP_FAKE_KEEP_OPEN);
	ex1[0] = answer(to_close, sizeof(to_close) - 1, 30000, TCP_FAKE_EOF);
	ex2[0] = answer(http10, sizeof(http10) - 1, 100, TCP_FAKE_KEEP_OPEN);
	be_setup(131, &clean_link, &answering);
	tcp_fake_plan(0, &sc0);
	tcp_fake_plan(1, &sc1);
	tcp_fake_plan(2, &sc2);
	r = get_ok("/app/interim");
	assert_int_equal(h3c.req[r].interim, 0);
	assert_gen_body(r, 10);
	/* nothing of the 1xx in the final head */
	assert_int_equal(h3c.req[r].fields_len, 33);
	assert_memory_equal(h3c.req[r].fields_text, "content-length: 10\nvia: 1.1 tern\n", 33);
	r = get_ok("/app/junk");
	assert_gen_body(r, 3);
	assert_int_equal(fconn(0)->state, TCP_FAKE_CLOSED);
	r = get_ok("/app/to-close");
	assert_false(h3c.req[r].has_cl);
	assert_gen_body(r, 30000);
	r = get_ok("/app/http10");
	assert_gen_body(r, 100);
	assert_int_equal(fconn(2)->state, TCP_FAKE_CLOSED);
	get_ok("/app/last");
	assert_int_equal(term.be.connects, 4);
	assert_int_equal(term.be.reused, 1);
	be_teardown();
}

/* ---------------------------------------------------------------- keep-alive and retries */

static void test_keep_alive(void **state)
{
	static char h1[128], h2[128];
	static struct tcp_fake_exchange ex[3];
	static const struct tcp_fake_script sc = { .ex = ex, .nex = 3 };
	int r;

	(void)state;
	ex[0] = answer(h1, head_cl(h1, sizeof(h1), 200, "", 3000), 3000, TCP_FAKE_KEEP_OPEN);
	/* HEAD: the length of what GET would send, and nothing */
	ex[1] = answer(h2, head_cl(h2, sizeof(h2), 200, "", 5000), 0, TCP_FAKE_KEEP_OPEN);
	ex[2] = ex[0];
	be_setup(103, &clean_link, &sc);
	r = get_ok("/app/a");
	assert_gen_body(r, 3000);
	r = h3c_head("/app/b");
	run_req(r);
	assert_response(r, 200);
	assert_int_equal(h3c.req[r].content_length, 5000);
	assert_int_equal(h3c.req[r].body_bytes, 0);
	r = get_ok("/app/c");
	assert_gen_body(r, 3000);
	assert_int_equal(term.be.connects, 1);
	assert_int_equal(term.be.reused, 2);
	assert_int_equal(fconn(0)->exchanges, 3);
	assert_int_equal(fconn(0)->state, TCP_FAKE_OPEN);
	assert_memory_equal(tcp_fake_request(0, 1, &(size_t){ 0 }), "HEAD /app/b HTTP/1.1\r\n", 22);
	assert_memory_equal(tcp_fake_request(0, 2, &(size_t){ 0 }), "GET /app/c HTTP/1.1\r\n", 21);
	/* idle for longer than term.idle_ns: closed, the next request dials */
	assert_int_equal(h3c_run(conn_closed_0, 3 * S), 0);
	assert_int_equal(term.be.idle, 0);
	tcp_fake_plan(1, &sc);
	get_ok("/app/d");
	assert_int_equal(term.be.connects, 2);
	assert_int_equal(term.be.reused, 2);
	be_teardown();
}

/* A GET answered on connection 0 (script sc0, whose first exchange is
 * ok_ex), then another request there (a GET, or a POST of 100 bytes):
 * its index. Connection 1 follows sc1 (NULL: `answering`), later ones
 * `answering`: a retry too many would get through. */
static int again_on_kept(uint64_t seed, const struct tcp_fake_script *sc0,
			 const struct tcp_fake_script *sc1, bool post)
{
	int r;

	be_setup(seed, &clean_link, &answering);
	tcp_fake_plan(0, sc0);
	if (sc1)
		tcp_fake_plan(1, sc1);
	get_ok("/app/same");
	r = post ? h3c_post("/app/same", big, 100) : h3c_get("/app/same");
	run_req(r);
	return r;
}

/* The second GET finds its kept-alive connection closed by the backend
 * (how: the end of exchange 1, or send failing): dialled again, the same
 * head sent, the client never knows. */
static void retried(uint64_t seed, uint8_t how, bool send_fails)
{
	static struct tcp_fake_exchange ex[2];
	static const struct tcp_fake_script sc = { .ex = ex, .nex = 2 };
	size_t a, b;
	const uint8_t *p, *q;
	int r;

	ex[0] = ok_ex;
	ex[1] = (struct tcp_fake_exchange){ .end = how, .send_fails = send_fails };
	r = again_on_kept(seed, &sc, NULL, false);
	assert_response(r, 200);
	assert_gen_body(r, 10);
	assert_int_equal(term.be.connects, 2);
	assert_int_equal(term.be.reused, 1);
	assert_int_equal(term.be.retried, 1);
	assert_int_equal(term.be.bad_gateway, 0);
	assert_int_equal(fconn(0)->state, TCP_FAKE_CLOSED);
	/* the new connection got the head the first request had (the
	 * same request), and the old one got it too unless send failed */
	p = tcp_fake_request(0, 0, &a);
	q = tcp_fake_request(1, 0, &b);
	assert_int_equal(a, b);
	assert_memory_equal(p, q, a);
	q = tcp_fake_request(0, 1, &b);
	assert_int_equal(b, send_fails ? 0 : a);
	be_teardown();
}

/* The backend closes the idle connection while nothing is asked: tern
 * hears it (READABLE on the connection it keeps) and closes its end;
 * the next request dials, nothing to retry. */
static void idle_close_noticed(uint64_t seed, uint8_t how)
{
	static struct tcp_fake_exchange ex[2];
	static const struct tcp_fake_script sc = { .ex = ex, .nex = 2 };
	uint64_t t0;

	ex[0] = ex[1] = ok_ex;
	be_setup(seed, &clean_link, &sc);
	get_ok("/app/a");
	assert_int_equal(h3c_run(run_on, 100 * MS), -1);
	assert_int_equal(fconn(0)->state, TCP_FAKE_OPEN);
	t0 = sim.now;
	tcp_fake_end(0, how);
	assert_int_equal(h3c_run(conn_closed_0, 100 * MS), 0);
	assert_int_equal(sim.now, t0);  /* at once, not at the idle timeout */
	get_ok("/app/b");
	assert_int_equal(term.be.connects, 2);
	assert_int_equal(term.be.reused, 0);
	assert_int_equal(term.be.retried, 0);
	be_teardown();
}

static void test_retry_idle_closed(void **state)
{
	(void)state;
	retried(104, TCP_FAKE_EOF, false);
	retried(105, TCP_FAKE_RESET, false);
	retried(106, TCP_FAKE_FAIL, false);
	retried(107, TCP_FAKE_KEEP_OPEN, true);
	idle_close_noticed(124, TCP_FAKE_EOF);
	idle_close_noticed(125, TCP_FAKE_RESET);
	idle_close_noticed(126, TCP_FAKE_FAIL);
}

/* Not sent again: a POST with a body, a request on a fresh connection,
 * a second retry, a request whose answer had begun. */
static void test_no_retry(void **state)
{
	static const char part[] = "HTTP/1.1 200";
	static struct tcp_fake_exchange ex[2], cut[2];
	static const struct tcp_fake_script sc = { .ex = ex, .nex = 2 };
	static const struct tcp_fake_script sc_eof = { .ex = &ex[1], .nex = 1 };
	static const struct tcp_fake_script sc_cut = { .ex = cut, .nex = 2 };
	const uint8_t *p;
	size_t n;
	int r;

	(void)state;
	ex[0] = ok_ex;
	ex[1] = (struct tcp_fake_exchange){ .end = TCP_FAKE_EOF };
	cut[0] = ok_ex;
	cut[1] = answer(part, sizeof(part) - 1, 0, TCP_FAKE_EOF);
	for (size_t i = 0; i < 100; i++)
		big[i] = (uint8_t)i;

	r = again_on_kept(108, &sc, NULL, true);
	assert_response(r, 502);
	assert_int_equal(term.be.retried, 0);
	assert_int_equal(term.be.bad_gateway, 1);
	assert_int_equal(tcp_fake.nconn, 1);
	p = tcp_fake_request(0, 1, &n);  /* the POST went, body and all */
	assert_true(n > 5 && !memcmp(p + n - 5, "0\r\n\r\n", 5));
	be_teardown();

	r = get_one(109, &sc_eof);  /* a retry would meet sc_eof again: counted */
	assert_response(r, 502);
	assert_int_equal(term.be.retried, 0);
	assert_int_equal(tcp_fake.nconn, 1);
	be_teardown();

	r = again_on_kept(110, &sc, &sc_eof, false);
	assert_response(r, 502);
	assert_int_equal(term.be.retried, 1);
	assert_int_equal(term.be.bad_gateway, 1);
	assert_int_equal(tcp_fake.nconn, 2);
	be_teardown();

	r = again_on_kept(127, &sc_cut, NULL, false);
	assert_response(r, 502);
	assert_int_equal(term.be.reused, 1);
	assert_int_equal(term.be.retried, 0);
	assert_int_equal(tcp_fake.nconn, 1);
	be_teardown();
}

/* ---------------------------------------------------------------- failures */

static void test_bad_gateway(void **state)
{
	static const char garbage[] = "HELLO 200 OK\r\n\r\n";
	static uint8_t huge[CONFIG_TERM_BACKEND_HEADERS + 64];
	static char h[128];
	static struct tcp_fake_exchange bad[1], cut[2];
	static const struct tcp_fake_script refuse = { .connect = TCP_FAKE_REFUSE,
						       .connect_ns = 3 * MS };
	static const struct tcp_fake_script nosock = { .connect = TCP_FAKE_NO_SOCKET };
	static const struct tcp_fake_script sc_bad = { .ex = bad, .nex = 1 };
	static struct tcp_fake_script sc_cut[2];
	int r;

	(void)state;
	r = get_one(111, &refuse);
	assert_response(r, 502);
	assert_memory_equal(h3c.req[r].keep, "bad gateway", 11);
	assert_int_equal(term.be.connect_fail, 1);
	assert_int_equal(term.be.bad_gateway, 1);
	be_teardown();

	r = get_one(112, &nosock);
	assert_response(r, 502);
	assert_int_equal(term.be.busy, 1);
	assert_int_equal(tcp_fake.refused_sockets, 1);
	be_teardown();

	/* a response head larger than CONFIG_TERM_BACKEND_HEADERS */
	memset(huge, 'h', sizeof(huge));
	memcpy(huge, "HTTP/1.1 200 OK\r\nX-Big: ", 25);
	memcpy(huge + sizeof(huge) - 4, "\r\n\r\n", 4);
	bad[0] = answer((const char *)huge, sizeof(huge), 0, TCP_FAKE_KEEP_OPEN);
	r = get_one(132, &sc_bad);
	assert_response(r, 502);
	assert_int_equal(term.be.bad_gateway, 1);
	be_teardown();

	bad[0] = answer(garbage, sizeof(garbage) - 1, 0, TCP_FAKE_KEEP_OPEN);
	r = get_one(113, &sc_bad);
	assert_response(r, 502);
	assert_int_equal(term.be.bad_gateway, 1);
	assert_int_equal(fconn(0)->state, TCP_FAKE_CLOSED);
	be_teardown();

	/* the head went to the client, then the body is cut (EOF, RST): the
	 * stream is reset, the client does not take a short body for a whole */
	cut[0] = answer(h, head_cl(h, sizeof(h), 200, "", 100000), 100000, TCP_FAKE_EOF);
	cut[0].cut = true;
	cut[0].cut_at = cut[0].resp_len + 50000;
	cut[1] = cut[0];
	cut[1].end = TCP_FAKE_RESET;
	for (int i = 0; i < 2; i++) {
		sc_cut[i] = (struct tcp_fake_script){ .ex = &cut[i], .nex = 1 };
		r = get_one(114 + (uint64_t)i, &sc_cut[i]);
		assert_int_equal(h3c.req[r].status, 200);
		assert_false(h3c.req[r].complete);
		assert_stream_error(r, H3_INTERNAL_ERROR);
		assert_true(h3c.req[r].body_bytes <= 50000);
		assert_int_equal(h3c.req[r].pattern_bad, 0);
		assert_int_equal(term.be.bad_gateway, 1);
		assert_int_equal(term.st.aborted, 1);
		be_teardown();
	}
}

/* No answer within term.timeout_ns: 504, at that time: from the
 * request's arrival at tern to the answer's at the client, the timeout
 * and one way of the link, less the time since term's last poll (its
 * clock: here the handshake's last round trip). Once the connect
 * itself, once the answer. */
static void test_timeout(void **state)
{
	static struct tcp_fake_exchange never[1];
	static const struct tcp_fake_script silent = { .connect = TCP_FAKE_SILENT };
	static const struct tcp_fake_script mute = { .ex = never, .nex = 1 };
	const struct tcp_fake_script *sc[2] = { &silent, &mute };
	uint64_t took;
	int r;

	(void)state;
	never[0] = (struct tcp_fake_exchange){ .manual = true };
	for (int i = 0; i < 2; i++) {
		r = get_one(116 + (uint64_t)i, sc[i]);
		took = sim.now - fconn(0)->opened_at;
		assert_response(r, 504);
		assert_memory_equal(h3c.req[r].keep, "gateway timeout", 15);
		if (took + 4 * clean_link.delay_ns < term.timeout_ns ||
		    took > term.timeout_ns + clean_link.delay_ns + 1 * MS)
			fail_msg("504 after %llu ms (timeout %llu ms)", (unsigned long long)(took / MS),
				 (unsigned long long)(term.timeout_ns / MS));
		assert_int_equal(term.be.timeouts, 1);
		assert_int_equal(term.be.bad_gateway, 0);
		assert_int_equal(fconn(0)->state, TCP_FAKE_CLOSED);
		/* the connect never completed / the request was all there */
		assert_int_equal(fconn(0)->sent > 0, i);
		assert_int_equal(fconn(0)->matched, i);
		be_teardown();
	}
}

/* A backend that answers slowly, every piece within the timeout: no
 * 504, whatever the whole takes; a pause longer than the timeout in the
 * middle of the body: the stream is reset. */
static void test_slow_backend(void **state)
{
	static char h[128];
	static struct tcp_fake_exchange ex[1];
	static struct tcp_fake_script sc[2];
	const uint64_t n = 25000;
	int r;

	(void)state;
	ex[0] = answer(h, head_cl(h, sizeof(h), 200, "", n), n, TCP_FAKE_KEEP_OPEN);
	sc[0] = (struct tcp_fake_script){ .rcvbuf = 1000, .fill_ns = 300 * MS, .ex = ex, .nex = 1 };
	sc[1] = sc[0];
	sc[1].fill_ns = 3 * S;  /* longer than be_setup's timeout */
	r = get_one(128, &sc[0]);
	assert_response(r, 200);
	assert_gen_body(r, n);
	assert_true(sim.now - fconn(0)->opened_at > 3 * term.timeout_ns);
	assert_int_equal(term.be.timeouts, 0);
	be_teardown();

	r = get_one(129, &sc[1]);
	assert_int_equal(h3c.req[r].status, 200);
	assert_stream_error(r, H3_INTERNAL_ERROR);
	assert_true(h3c.req[r].body_bytes < n);
	assert_int_equal(term.be.timeouts, 1);
	be_teardown();
}

static bool client_has_head(void)
{
	return h3c.req[waiting].status != 0;
}

/* The client holds its window closed for ten timeouts: tern waits for
 * it, not for the backend, and no 504 comes; then it reads everything. */
static void test_slow_client_no_timeout(void **state)
{
	static char h[128];
	static struct tcp_fake_exchange ex[1];
	static const struct tcp_fake_script sc = { .ex = ex, .nex = 1 };
	const uint64_t n = 1000000;
	uint64_t pulled;
	int r;

	(void)state;
	ex[0] = answer(h, head_cl(h, sizeof(h), 200, "", n), n, TCP_FAKE_KEEP_OPEN);
	be_setup(118, &clean_link, &sc);
	term.timeout_ns = 1 * S;
	r = h3c_get("/app/big");
	waiting = r;
	h3c_throttle(r, 0);
	assert_int_equal(h3c_run(client_has_head, 10 * term.timeout_ns), -1);
	assert_int_equal(h3c.req[r].rx_read, 0);
	pulled = fconn(0)->recvd;
	assert_true(pulled > 0 && pulled - ex[0].resp_len <= TERN_HOLDS);
	assert_int_equal(term.be.timeouts, 0);
	assert_int_equal(term.be.open, 1);
	assert_int_equal(fconn(0)->state, TCP_FAKE_OPEN);
	h3c_throttle(r, UINT64_MAX);
	run_req(r);
	assert_response(r, 200);
	assert_gen_body(r, n);
	assert_int_equal(term.be.timeouts, 0);
	be_teardown();
}

/* ---------------------------------------------------------------- backpressure */

static uint64_t big_head, big_target, lag_max;

/* Until the client has big_target body bytes, tracking how far the
 * backend's bytes tern took ran ahead of what the client read. */
static bool big_progress(void)
{
	const struct h3c_req *q = &h3c.req[waiting];
	uint64_t pulled = tcp_fake.nconn ? tcp_fake.conn[0].recvd : 0, lag;

	pulled = pulled > big_head ? pulled - big_head : 0;
	lag = pulled > q->body_bytes ? pulled - q->body_bytes : 0;
	if (lag > lag_max)
		lag_max = lag;
	return q->body_bytes >= big_target || h3c_req_done(waiting);
}

static void test_backpressure_10gb(void **state)
{
	static char h[128];
	static struct tcp_fake_exchange ex[1];
	static const struct tcp_fake_script sc = { .ex = ex, .nex = 1 };
	const uint64_t n = 10000000000ull, rate = 1000000;
	uint32_t aborted;
	uint64_t t0;
	int r;

	(void)state;
	ex[0] = answer(h, head_cl(h, sizeof(h), 200, "", n), n, TCP_FAKE_KEEP_OPEN);
	big_head = ex[0].resp_len;
	big_target = 3 * rate;
	lag_max = 0;
	be_setup(119, &fast_link, &sc);
	aborted = term.st.aborted;
	r = h3c_get("/app/10g");
	h3c_throttle(r, rate);
	waiting = r;
	t0 = sim.now;
	if (h3c_run(big_progress, 60 * S) != 0)
		fail_msg("%llu body bytes after 60 s", (unsigned long long)h3c.req[r].body_bytes);
	assert_int_equal(h3c.req[r].status, 200);
	assert_int_equal(h3c.req[r].content_length, n);
	assert_false(h3c_req_done(r));
	assert_int_equal(h3c.req[r].pattern_bad, 0);
	/* the client's pace, not the backend's: 3 MB in about 3 s */
	assert_true(sim.now - t0 >= 2 * S);
	if (lag_max > TERN_HOLDS)
		fail_msg("tern took %llu bytes more from the backend than the client read "
			 "(at most %llu)", (unsigned long long)lag_max,
			 (unsigned long long)TERN_HOLDS);
	assert_true(lag_max >= QUIC_STREAM_RX_WINDOW);  /* the windows did fill */
	assert_true(fconn(0)->recvd < n / 1000);
	/* memory: one request, one backend connection, and stream chunks
	 * no more than the open streams' buffers (both endpoints: the
	 * control and QPACK streams each way and the request) */
	assert_int_equal(pool_stats_of(&pool_termreq)->high_water, 1);
	assert_int_equal(pool_stats_of(&pool_backend)->high_water, 1);
	assert_true(pool_stats_of(&pool_chunk)->high_water <=
		    8 * (QUIC_STREAM_TX_CHUNKS + QUIC_STREAM_RX_CHUNKS));
	/* the client gives up: the backend connection is closed, unread */
	h3c_cancel(r, H3_REQUEST_CANCELLED, true, true);
	if (h3c_run(conn_closed_0, 5 * S) != 0)
		fail_msg("backend connection still open after the client's cancel");
	assert_true(fconn(0)->close_unread);
	assert_settled();
	assert_int_equal(term.st.aborted, aborted + 1);
	assert_int_equal(term.be.connects, 1);
	print_message("  10 GB body, client at 1 MB/s: %llu KB moved in %.1f s virtual, tern ahead "
		      "by %llu bytes at most (bound %llu)\n",
		      (unsigned long long)(fconn(0)->recvd >> 10), (double)(sim.now - t0) / 1e9,
		      (unsigned long long)lag_max, (unsigned long long)TERN_HOLDS);
	be_teardown();
}

/* The client stops reading mid-response (STOP_SENDING only): the
 * backend connection is closed, not kept. */
static void test_client_stops_mid_response(void **state)
{
	static char h[128];
	static struct tcp_fake_exchange ex[1];
	static const struct tcp_fake_script sc = { .ex = ex, .nex = 1 };
	int r;

	(void)state;
	ex[0] = answer(h, head_cl(h, sizeof(h), 200, "", 1000000), 1000000, TCP_FAKE_KEEP_OPEN);
	be_setup(120, &clean_link, &sc);
	r = h3c_get("/app/x");
	waiting = r;
	h3c_throttle(r, 200000);
	assert_int_equal(h3c_run(got_body, 10 * S), 0);
	h3c_cancel(r, H3_REQUEST_CANCELLED, false, true);
	assert_int_equal(h3c_run(conn_closed_0, 5 * S), 0);
	assert_true(fconn(0)->recvd < ex[0].resp_len + 1000000);
	assert_true(h3c.req[r].body_bytes < 1000000);
	assert_int_equal(term.st.aborted, 1);
	assert_int_equal(term.be.idle, 0);
	be_teardown();
}

/* ---------------------------------------------------------------- limits */

static uint32_t held_from;

/* Every slot taken, the requests from connection held_from on arrived. */
static bool all_held(void)
{
	uint32_t n = 0;

	for (uint32_t k = held_from; k < tcp_fake.nconn; k++)
		n += tcp_fake.conn[k].matched;
	return tcp_fake.nconn == CONFIG_TERM_BACKEND_CONNS &&
	       n == CONFIG_TERM_BACKEND_CONNS - held_from;
}

/* A request after 5 s of silence (no datagram, no deadline: nothing
 * woke term_poll) to a backend that takes 100 ms to accept: the timeout
 * runs from the request's arrival, not from the last poll (which would
 * give a 504 at once). */
static void test_deadline_after_quiet(void **state)
{
	static const struct tcp_fake_script slow_accept = { .ex = &ok_ex, .nex = 1,
							    .connect_ns = 100 * MS };

	(void)state;
	be_setup(131, &clean_link, &slow_accept);
	assert_int_not_equal(h3c_run(run_on, 5 * S), 0);  /* nothing to wait for: runs 5 s */
	get_ok("/app/x");
	assert_int_equal(term.be.timeouts, 0);
	assert_int_equal(term.be.connects, 1);
	be_teardown();
}

/* Every backend connection slot taken, none free for a new backend:
 * the idle connection whose keep-alive ends first is closed for it (a
 * request finds 503 only when every slot is busy, which one client
 * connection cannot reach: it has 20 requests at once at most, quic/conn's
 * PEER_BIDI_STREAMS, for CONFIG_TERM_BACKEND_CONNS (64) slots; the
 * interop case be-no-slot reaches it with four clients). The slots are
 * filled by rounds of concurrent requests to three routed backends, left
 * idle, then requests to the default backend held unanswered. */
static void test_no_slot_evicts_idle(void **state)
{
	static char h[128];
	static struct tcp_fake_exchange ex[2], held[2];
	static const struct tcp_fake_script sc = { .ex = ex, .nex = 2 };
	static const struct tcp_fake_script hold = { .ex = held, .nex = 2 };
	const uint32_t conns = CONFIG_TERM_BACKEND_CONNS;
	const char *why = NULL;
	char path[32];
	uint32_t rest, k = 0;
	int r;

	(void)state;
	ex[0] = answer(h, head_cl(h, sizeof(h), 200, "", 100), 100, TCP_FAKE_KEEP_OPEN);
	ex[0].delay_ns = 200 * MS;  /* all of a round at once */
	ex[1] = ex[0];
	held[0] = ex[0];
	held[0].manual = true;  /* answered when the test says */
	held[1] = ex[0];
	be_setup(121, &clean_link, &sc);
	term.idle_ns = 5 * S;
	term.timeout_ns = 5 * S;
	for (int b = 0; b < 3; b++) {
		snprintf(path, sizeof(path), "/r%d/=127.0.0.1:%d", b, 8081 + b);
		assert_int_equal(term_add_route(&term, path, &why), 0);
	}
	for (int b = 0; b < 3 && k < conns; b++) {
		uint32_t first = h3c.nreq, n = 0;

		for (; n < 20 && k < conns; n++, k++) {
			snprintf(path, sizeof(path), "/r%d/%u", b, n);
			h3c_get(path);
		}
		run_all(20 * S);
		for (uint32_t i = first; i < first + n; i++)
			assert_response((int)i, 200);
	}
	assert_int_equal(term.be.connects, k);
	assert_int_equal(term.be.reused, 0);
	assert_int_equal(pool_stats_of(&pool_backend)->in_use, k);
	rest = conns - k;
	assert_true(rest <= 20);
	for (uint32_t i = 0; i < rest; i++)
		tcp_fake_plan(k + i, &hold);
	for (uint32_t i = 0; i < rest; i++)
		h3c_get("/app/held");
	held_from = k;
	if (h3c_run(all_held, 10 * S) != 0)
		fail_msg("%u of %u backend connections up", tcp_fake.nconn, conns);
	assert_int_equal(pool_stats_of(&pool_backend)->in_use, conns);
	r = h3c_get("/app/one-more");
	run_req(r);
	assert_response(r, 200);
	assert_int_equal(term.be.busy, 0);
	assert_int_equal(term.be.evicted, 1);
	assert_int_equal(tcp_fake.nconn, conns + 1);
	/* the one closed for it went idle in the first round */
	for (uint32_t i = 0, closed = 0; i < conns; i++) {
		closed += tcp_fake.conn[i].state == TCP_FAKE_CLOSED;
		if (i == 19)
			assert_int_equal(closed, 1);
		if (i == conns - 1)
			assert_int_equal(closed, 1);
	}
	/* the held ones are answered in the end; then every backend has
	 * idle connections, and the next requests reuse them */
	for (uint32_t i = 0; i < rest; i++)
		tcp_fake_answer(k + i);
	run_all(10 * S);
	for (uint32_t i = h3c.nreq - rest - 1; i < h3c.nreq - 1; i++)
		assert_response((int)i, 200);
	get_ok("/app/again");
	get_ok("/r1/again");
	assert_int_equal(tcp_fake.nconn, conns + 1);
	assert_int_equal(term.be.reused, 2);
	be_teardown();
}

/* A request head larger than the connection's buffer: 431, and the
 * connection it took is closed (a new one) or kept (an idle one). */
static void test_head_too_large(void **state)
{
	static char value[CONFIG_TERM_BACKEND_BUF + 100];
	static struct qpack_field fields[1];
	static char h[128];
	static struct tcp_fake_exchange ex[3];
	static const struct tcp_fake_script sc = { .ex = ex, .nex = 3 };
	struct h3c_spec sp = { .method = "GET", .scheme = "https", .authority = "localhost",
			       .path = "/app/x", .fields = fields, .nfields = 1 };
	int r;

	(void)state;
	memset(value, 'v', sizeof(value));
	fields[0] = (struct qpack_field){ (const uint8_t *)"x-big", 5, (const uint8_t *)value,
					  sizeof(value), 0 };
	ex[0] = answer(h, head_cl(h, sizeof(h), 200, "", 10), 10, TCP_FAKE_KEEP_OPEN);
	ex[1] = ex[2] = ex[0];
	be_setup(122, &clean_link, &sc);
	r = h3c_request(&sp);
	run_req(r);
	assert_response(r, 431);
	assert_int_equal(term.be.too_large, 1);
	assert_int_equal(tcp_fake.nconn, 1);
	assert_int_equal(fconn(0)->state, TCP_FAKE_CLOSED);
	assert_int_equal(fconn(0)->sent, 0);
	assert_int_equal(pool_stats_of(&pool_backend)->in_use, 0);
	/* on a kept-alive connection: nothing sent, it stays for the next */
	get_ok("/app/x");
	r = h3c_request(&sp);
	run_req(r);
	assert_response(r, 431);
	assert_int_equal(term.be.idle, 1);
	get_ok("/app/x");
	assert_int_equal(tcp_fake.nconn, 2);
	assert_int_equal(fconn(1)->exchanges, 2);
	be_teardown();
}

/* ---------------------------------------------------------------- request bodies */

static int hexval_of(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The body of a chunked request as the backend got it, decoded into out
 * (checking the framing): its length, or -1. */
static long dechunk(const uint8_t *p, size_t n, uint8_t *out, size_t cap, uint32_t *chunks)
{
	size_t i = 0, len = 0;

	*chunks = 0;
	for (;;) {
		size_t c = 0, d = 0;

		while (i < n && hexval_of(p[i]) >= 0)
			c = c * 16 + (size_t)hexval_of(p[i++]), d++;
		if (!d || i + 2 > n || p[i] != '\r' || p[i + 1] != '\n')
			return -1;
		i += 2;
		if (!c)
			return i + 2 == n && p[i] == '\r' && p[i + 1] == '\n' ? (long)len : -1;
		if (i + c + 2 > n || len + c > cap || p[i + c] != '\r' || p[i + c + 1] != '\n')
			return -1;
		memcpy(out + len, p + i, c);
		len += c;
		i += c + 2;
		(*chunks)++;
	}
}

/* Request sp, answered 201; what the backend got for it (request i of
 * connection 0): *n bytes, the head *he of them. */
static const uint8_t *posted(const struct h3c_spec *sp, uint32_t i, size_t *n, size_t *he)
{
	int r = h3c_request(sp);
	const uint8_t *p;

	run_req(r);
	assert_response(r, 201);
	p = tcp_fake_request(0, i, n);
	*he = find_end(p, *n, "\r\n\r\n");
	assert_true(*he > 0);
	return p;
}

/* POST bodies in DATA frames of 1000 bytes, through a socket that takes
 * 1500 bytes at a time: without Content-Length chunked, with it as is;
 * one connection for both. */
static void test_request_bodies(void **state)
{
	static const struct qpack_field cl[] = { QF("content-length", "12000") };
	static uint8_t got[16384];
	static char h[128];
	static struct tcp_fake_exchange ex[2];
	static const struct tcp_fake_script sc = { .sndbuf = 1500, .read_ns = 1 * MS,
						   .ex = ex, .nex = 2 };
	struct h3c_spec sp = { .method = "POST", .scheme = "https", .authority = "localhost",
			       .path = "/app/up", .body = big, .body_len = 12000,
			       .data_frame = 1000 };
	const uint8_t *p;
	size_t n, he;
	uint32_t chunks;

	(void)state;
	for (size_t i = 0; i < 12000; i++)
		big[i] = pattern(5, i);
	ex[0] = answer(h, head_cl(h, sizeof(h), 201, "", 2), 2, TCP_FAKE_KEEP_OPEN);
	ex[0].until = "\r\n0\r\n\r\n";  /* the last chunk */
	ex[1] = answer(h, head_cl(h, sizeof(h), 201, "", 2), 2, TCP_FAKE_KEEP_OPEN);
	ex[1].after = 12000;
	be_setup(123, &clean_link, &sc);

	p = posted(&sp, 0, &n, &he);
	assert_memory_equal(p, "POST /app/up HTTP/1.1\r\n", 23);
	assert_true(find_end(p, he, "\r\nTransfer-Encoding: chunked\r\n"));
	assert_false(find_end(p, he, "ontent-"));
	assert_int_equal(dechunk(p + he, n - he, got, sizeof(got), &chunks), 12000);
	assert_memory_equal(got, big, 12000);
	assert_true(chunks >= 12000 / CONFIG_TERM_BACKEND_BUF + 1);
	assert_true(fconn(0)->sends_short > 0);  /* the socket was full, WRITABLE came */
	assert_int_equal(term.st.bytes_in, 12000);

	sp.fields = cl;
	sp.nfields = 1;
	p = posted(&sp, 1, &n, &he);
	assert_true(find_end(p, he, "\r\ncontent-length: 12000\r\n"));
	assert_false(find_end(p, he, "Transfer-Encoding"));
	assert_int_equal(n - he, 12000);
	assert_memory_equal(p + he, big, 12000);
	assert_int_equal(term.be.connects, 1);
	assert_int_equal(term.be.reused, 1);
	be_teardown();
}

static void test_no_fake_here(void **state)
{
	(void)state;
	print_message("  skipped: port_tcp_* in this image are the board's TCP (libtern.a), "
		      "not tests/sim/tcp_fake: a bare-metal selftest\n");
	skip();
}

int main(void)
{
	const struct CMUnitTest skipped[] = { UNIT_TEST(test_no_fake_here) };
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_get_content_length),
		UNIT_TEST(test_chunked_response),
		UNIT_TEST(test_other_framings),
		UNIT_TEST(test_keep_alive),
		UNIT_TEST(test_retry_idle_closed),
		UNIT_TEST(test_no_retry),
		UNIT_TEST(test_bad_gateway),
		UNIT_TEST(test_timeout),
		UNIT_TEST(test_deadline_after_quiet),
		UNIT_TEST(test_slow_backend),
		UNIT_TEST(test_slow_client_no_timeout),
		UNIT_TEST(test_backpressure_10gb),
		UNIT_TEST(test_client_stops_mid_response),
		UNIT_TEST(test_no_slot_evicts_idle),
		UNIT_TEST(test_head_too_large),
		UNIT_TEST(test_request_bodies),
	};

	if (!tcp_fake_is_port())
		return cmocka_run_group_tests(skipped, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
