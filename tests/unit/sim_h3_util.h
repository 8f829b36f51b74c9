/* tests/unit/sim_h3_util.h: the harness the HTTP/3 simulator programs
 * share (test_sim_h3.c, test_sim_h3_errors.c): tern's server (term/ over
 * http3/h3conn) on the server endpoint, tests/sim/h3_client on the
 * client, runs until a request ends, and the checks every test makes
 * (responses, the exact error codes, streams freed, pools idle).
 * Included once per program: its state is the program's own.
 */
#ifndef TERN_TESTS_SIM_H3_UTIL_H
#define TERN_TESTS_SIM_H3_UTIL_H

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

static inline void poll_term(uint64_t now)
{
	term_poll(&term, now);
}

static const struct sim_link_cfg clean_link = { .delay_ns = 5000000 };
static const struct sim_link_cfg lossy_link = { .delay_ns = 5000000, .loss_pm = 50 };

/* The server's poll hook for the next h3_setup (NULL: term_poll). */
static void (*h3_poll_next)(uint64_t now);

/* A fresh pair: term on the server, the test client (flags H3C_*). */
static inline void h3_setup(uint64_t seed, const struct sim_link_cfg *link, unsigned flags)
{
	const char *why = NULL;

	assert_int_equal(term_init(&term, &why), 0);
	/* the board's defconfig may name a backend or routes (the qemu
	 * board's does): these tests set their own */
	term.has_backend = false;
	term.nroutes = 0;
	h3c_init(flags);
	pair_next.server_app = h3_server_app_ops();
	pair_next.server_app_ctx = &term.h3;
	pair_next.server_poll = h3_poll_next ? h3_poll_next : poll_term;
	h3_poll_next = NULL;
	pair_next.client_app = h3c_app_ops();
	setup_pair(seed, QUIC_RETRY_NEVER, link);
	term_attach(&term, &eps[1]);
}

static inline void h3_teardown(void)
{
	teardown_pair();
	assert_int_equal(pool_stats_of(&pool_h3conn)->in_use, 0);
	assert_int_equal(pool_stats_of(&pool_h3stream)->in_use, 0);
	assert_int_equal(pool_stats_of(&pool_termreq)->in_use, 0);
}

/* Handshake, both control streams and the server's SETTINGS. */
static inline void h3_connect(void)
{
	if (h3c_run(h3c_ready, 20 * S) != 0) {
		pair_dump("no HTTP/3 setup");
		fail_msg("client: started %d, server SETTINGS %d", h3c.started, h3c.peer_settings);
	}
}

static int waiting = -1;

static inline bool one_done(void)
{
	return h3c_req_done(waiting);
}

static inline void run_req(int r)
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

static inline void run_all(uint64_t ns)
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
static inline void assert_response(int r, unsigned status)
{
	const struct h3c_req *q = &h3c.req[r];

	if (q->status != status || !q->complete || q->reset || q->error)
		fail_msg("request %d: status %u (want %u), complete %d (end read %d), reset %d "
			 "(code 0x%llx), error 0x%x, connection closed %d (0x%llx)", r, q->status,
			 status, q->complete, q->fin_read, q->reset, (unsigned long long)q->reset_code,
			 q->error, h3c.peer_closed, (unsigned long long)h3c.peer_close_error);
}

/* A /bytes/n response: 200, Content-Length n, n bytes of i % 251. */
static inline void assert_bytes(int r, uint64_t n)
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
static inline void assert_conn_error(uint64_t code)
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
static inline void assert_stream_error(int r, uint64_t code)
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
static inline unsigned bidi_streams(struct quic_conn *c)
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
static inline bool settled(void)
{
	return !bidi_streams(server_conn()) && !bidi_streams(client()) &&
	       !pool_stats_of(&pool_termreq)->in_use;
}

static inline void assert_settled(void)
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
static inline void assert_conn_usable(void)
{
	int r = h3c_get("/");

	run_req(r);
	assert_response(r, 200);
	assert_false(h3c.peer_closed);
	assert_settled();
}

/* A HEADERS frame of these field lines after a zero prefix (Required
 * Insert Count 0, Base 0). */
static inline size_t sec_frame(uint8_t *out, const uint8_t *lines, size_t n)
{
	uint8_t sec[256];

	assert_true(n + 2 <= sizeof(sec));
	sec[0] = sec[1] = 0;
	memcpy(sec + 2, lines, n);
	return h3c_frame(out, H3_FRAME_HEADERS, sec, n + 2);
}

static inline struct h3_conn *server_h3(void)
{
	struct quic_conn *c = server_conn();

	return c ? pool_get(&pool_h3conn, c->app) : NULL;
}

/* Some body of request `waiting` arrived (or it ended). */
static inline bool got_body(void)
{
	return h3c.req[waiting].body_bytes > 0 || h3c_req_done(waiting);
}

#endif
