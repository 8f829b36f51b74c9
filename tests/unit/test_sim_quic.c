/* The tern endpoint over the link simulator (tests/sim): a client and a
 * server handshake under loss, reordering, duplication and corruption,
 * with and without Retry, for several seeds; idle timeout and close both
 * ways. Every scenario ends with both endpoints gone and every pool idle
 * (UNIT_TEST's teardown). With streams: 10 MB on one stream and 100
 * streams echoed, at 0% and 5% loss. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "data/test_cert.h"
#include "quic/conn.h"
#include "quic/endpoint.h"
#include "quic/stream.h"
#include "tests/sim/quic_pair.h"

/* The pair (sim, eps[], client_conn), the checking application (app)
 * and setup_pair() are tests/sim/quic_pair's. */

static void handshake_under(const struct sim_link_cfg *link, enum quic_retry_policy retry,
			    int seeds)
{
	for (int seed = 1; seed <= seeds; seed++) {
		setup_pair((uint64_t)seed, retry, link);
		if (sim_run(&sim, sim.now + 20 * SIM_NS_PER_S, confirmed, NULL) != 0)
			fail_msg("seed %d: no handshake in 20 s (loss %u/1000)", seed, link->loss_pm);
		assert_int_equal(quic_endpoint_conn(&eps[0], client_conn)->state,
				 QUIC_CONN_ESTABLISHED);
		assert_int_equal(server_conn()->aead, quic_endpoint_conn(&eps[0], client_conn)->aead);
		teardown_pair();
	}
}

static void test_clean(void **state)
{
	struct sim_link_cfg link = { .delay_ns = 10000000 };

	handshake_under(&link, QUIC_RETRY_NEVER, 1);
}

static void test_loss_5(void **state)
{
	struct sim_link_cfg link = { .delay_ns = 10000000, .loss_pm = 50 };

	handshake_under(&link, QUIC_RETRY_NEVER, 20);
}

static void test_loss_30(void **state)
{
	struct sim_link_cfg link = { .delay_ns = 5000000, .loss_pm = 300 };

	handshake_under(&link, QUIC_RETRY_NEVER, 10);
}

static void test_retry_loss_5(void **state)
{
	struct sim_link_cfg clean = { .delay_ns = 10000000 };
	struct sim_link_cfg link = { .delay_ns = 10000000, .loss_pm = 50 };

	handshake_under(&clean, QUIC_RETRY_ALWAYS, 1);
	handshake_under(&link, QUIC_RETRY_ALWAYS, 10);
}

static void test_reorder_dup_corrupt(void **state)
{
	struct sim_link_cfg link = {
		.delay_ns = 10000000, .jitter_ns = 20000000, .dup_pm = 100, .corrupt_pm = 50,
	};

	handshake_under(&link, QUIC_RETRY_NEVER, 10);
}

/* every datagram of the first flight lost: the PTO brings it back */
static void test_first_flights_lost(void **state)
{
	struct sim_link_cfg link = { .delay_ns = 10000000, .loss_pattern = "XXX",
				     .pattern_once = true };

	handshake_under(&link, QUIC_RETRY_NEVER, 1);
}

/* no traffic after the handshake: both sides close silently after the
 * idle timeout (30 s by default) and free their connections */
static void idle_timeout(uint16_t loss_pm, uint64_t seed)
{
	struct sim_link_cfg link = { .delay_ns = 10000000, .loss_pm = loss_pm };
	uint64_t t0;

	setup_pair(seed, QUIC_RETRY_NEVER, &link);
	assert_int_equal(sim_run(&sim, sim.now + 20 * SIM_NS_PER_S, confirmed, NULL), 0);
	t0 = sim.now;
	assert_int_equal(sim_run(&sim, t0 + 90 * SIM_NS_PER_S, both_gone, NULL), 0);
	/* 30 s after the last packet each side received (a lost final ACK
	 * may move that by a few PTOs) */
	assert_true(sim.now - t0 >= 29 * SIM_NS_PER_S);
	assert_true(sim.now - t0 <= (loss_pm ? 40 : 32) * SIM_NS_PER_S);
	assert_int_equal(eps[0].cids.count, 0);
	assert_int_equal(eps[1].cids.count, 0);
	teardown_pair();
}

static void test_idle_timeout(void **state)
{
	idle_timeout(0, 7);
	for (uint64_t seed = 70; seed < 74; seed++)
		idle_timeout(50, seed);
}

/* Before the client's address is validated the server sends at most
 * three times what it received (RFC 9000 8.1): everything after the
 * client's first datagram is lost, the server keeps probing within it. */
static void test_anti_amplification(void **state)
{
	static char pattern[400];
	struct sim_link_cfg up = { .delay_ns = 10000000, .loss_pattern = pattern,
				   .pattern_once = true };
	struct sim_link_cfg down = { .delay_ns = 10000000 };
	struct quic_conn *s;

	memset(pattern, 'X', sizeof(pattern) - 1);
	pattern[0] = '.';
	setup_pair(81, QUIC_RETRY_NEVER, &down);
	sim_set_link(&sim, 0, &up);
	sim_run(&sim, sim.now + 10 * SIM_NS_PER_S, NULL, NULL);
	s = server_conn();
	assert_non_null(s);
	assert_false(s->address_validated);
	assert_int_equal(s->bytes_rx, 1200);
	assert_true(s->bytes_tx > 0);
	assert_true(s->bytes_tx <= 3 * s->bytes_rx);
	teardown_pair();
}

/* Retry only above a load: with retry_load 1, a second client arriving
 * while the first is still handshaking gets a Retry, and both finish. */
static bool both_confirmed(void *arg)
{
	pool_handle_t *h = arg;
	struct quic_conn *a = quic_endpoint_conn(&eps[0], h[0]);
	struct quic_conn *b = quic_endpoint_conn(&eps[0], h[1]);

	return a && b && a->confirmed && b->confirmed;
}

static void test_retry_above_load(void **state)
{
	struct sim_link_cfg link = { .delay_ns = 10000000 };
	struct quic_addr server_addr;
	pool_handle_t h[2];

	setup_pair(91, QUIC_RETRY_ABOVE_LOAD, &link);
	eps[1].retry_load = 1;
	h[0] = client_conn;
	to_quic(&pair_addr[1], &server_addr);
	h[1] = quic_endpoint_connect(&eps[0], &server_addr, sim.now);
	assert_false(pool_handle_is_none(h[1]));
	assert_int_equal(sim_run(&sim, sim.now + 20 * SIM_NS_PER_S, both_confirmed, h), 0);
	assert_int_equal(eps[1].st.retry_sent, 1);
	assert_int_equal(eps[1].st.handshakes, 2);
	teardown_pair();
}

/* one side closes: the other drains, both free within a few PTOs (the
 * closing side's CONNECTION_CLOSE may be lost: then the peer's next
 * packet, or its idle timeout, ends it; bounded below) */
static void close_by(int side, uint16_t loss_pm, uint64_t seed)
{
	struct sim_link_cfg link = { .delay_ns = 10000000, .loss_pm = loss_pm };
	struct quic_conn *c;
	uint64_t t0;

	setup_pair(seed, QUIC_RETRY_NEVER, &link);
	assert_int_equal(sim_run(&sim, sim.now + 20 * SIM_NS_PER_S, confirmed, NULL), 0);
	t0 = sim.now;
	c = side ? server_conn() : quic_endpoint_conn(&eps[0], client_conn);
	quic_conn_close(c, 0x42, true, sim.now);
	assert_int_equal(sim_run(&sim, t0 + 40 * SIM_NS_PER_S, both_gone, NULL), 0);
	if (!loss_pm)
		assert_true(sim.now - t0 < 5 * SIM_NS_PER_S);
	assert_int_equal(eps[0].st.conns_closed, 1);
	assert_int_equal(eps[1].st.conns_closed, 1);
	/* no registry keeps a trace (DESIGN.md 4.1) */
	assert_int_equal(eps[0].cids.count, 0);
	assert_int_equal(eps[1].cids.count, 0);
	teardown_pair();
}

static void test_close(void **state)
{
	close_by(0, 0, 9);
	close_by(1, 0, 10);
	for (uint64_t seed = 11; seed < 16; seed++) {
		close_by(0, 50, seed);
		close_by(1, 50, seed + 100);
	}
}

/* The server loses its state (restarts with the same static secret): the
 * client's next packet gets a stateless reset, which the client knows by
 * the token the server gave in its transport parameters, and drops the
 * connection at once. */

static void stateless_reset(uint16_t loss_pm, uint64_t seed)
{
	struct sim_link_cfg link = { .delay_ns = 10000000, .loss_pm = loss_pm };
	struct quic_endpoint_cfg s = {
		.server = true, .cert = test_server_cert_der, .certlen = sizeof(test_server_cert_der),
		.key = test_server_key_der, .keylen = sizeof(test_server_key_der),
		.static_secret = { 1 }, .seed = { 99 },
	};
	uint64_t t0;

	setup_pair(seed, QUIC_RETRY_NEVER, &link);
	assert_int_equal(sim_run(&sim, sim.now + 20 * SIM_NS_PER_S, confirmed, NULL), 0);
	/* let the handshake's last packets settle, then the server restarts */
	sim_run(&sim, sim.now + SIM_NS_PER_S, NULL, NULL);
	quic_endpoint_deinit(&eps[1]);
	assert_int_equal(quic_endpoint_init(&eps[1], &s), 0);
	t0 = sim.now;
	quic_endpoint_conn(&eps[0], client_conn)->ping_pending = true;
	int r = sim_run(&sim, t0 + 20 * SIM_NS_PER_S, client_gone, NULL);

	if (r != 0)
		print_error("reset: client %u conns, sent %llu dgrams after restart; server %u resets,"
			    " %u dropped, %u dgrams; client reset token %d, dropped %u\n",
			    eps[0].nconns, (unsigned long long)sim.dir[0].stats.sent,
			    eps[1].st.reset_sent, eps[1].st.pkts_dropped, eps[1].st.dgrams_rx,
			    quic_endpoint_conn(&eps[0], client_conn)->have_reset_token,
			    eps[0].st.pkts_dropped);
	assert_int_equal(r, 0);
	assert_int_equal(eps[0].st.resets_received, 1);
	assert_true(eps[1].st.reset_sent >= 1);
	if (!loss_pm)
		assert_true(sim.now - t0 < SIM_NS_PER_S);
	teardown_pair();
}

static void test_stateless_reset(void **state)
{
	stateless_reset(0, 41);
	for (uint64_t seed = 42; seed < 47; seed++)
		stateless_reset(50, seed);
}

/* ---------------------------------------------------------------- stream scenarios */

#define BIG (10u << 20)

static struct {
	uint64_t sent;     /* bytes of the big stream written so far */
	uint64_t big_id;
	bool opened, fin;
	uint32_t opened_n, target_n;
	uint64_t per_stream;
	bool writing;              /* cur_id has bytes left to write from cur_off */
	uint64_t cur_id, cur_off;
} drv;

/* the client's side of the 10 MB test, run before every simulator step */
static bool big_transfer(void *arg)
{
	struct quic_conn *c = quic_endpoint_conn(&eps[0], client_conn);
	struct quic_stream *s;
	uint8_t buf[4096];

	(void)arg;
	if (!c || !c->confirmed)
		return false;
	if (!drv.opened) {
		s = quic_conn_stream_open(c, true);
		assert_non_null(s);
		drv.big_id = s->id;
		drv.opened = true;
	}
	s = quic_streams_find(&c->streams, drv.big_id);
	while (s && !drv.fin) {
		size_t n = BIG - drv.sent < sizeof(buf) ? (size_t)(BIG - drv.sent) : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(drv.big_id, drv.sent + i);
		n = pair_stream_write(c, s, buf, n, drv.sent + n == BIG);
		drv.sent += n;
		drv.fin = drv.sent == BIG;
		if (!n)
			break;
	}
	/* done: the server has all of it and the client its FIN back */
	return app.fins[1] == 1 && app.fins[0] == 1;
}

static void transfer_10mb(uint16_t loss_pm, uint64_t seed)
{
	struct sim_link_cfg link = { .delay_ns = 5000000, .loss_pm = loss_pm };

	memset(&drv, 0, sizeof(drv));
	setup_pair(seed, QUIC_RETRY_NEVER, &link);
	if (sim_run(&sim, sim.now + 600 * SIM_NS_PER_S, big_transfer, NULL) != 0)
		fail_msg("10 MB at %u/1000 loss: %llu bytes written, %llu received", loss_pm,
			 (unsigned long long)drv.sent, (unsigned long long)app.rx_bytes[1]);
	assert_int_equal(app.rx_bytes[1], BIG);
	assert_int_equal(app.bad_bytes, 0);
	print_message("  10 MB at %u/1000 loss: %.1f s virtual, %llu datagrams c->s, %llu lost\n",
		      loss_pm, (double)(sim.now - SIM_T0) / 1e9,
		      (unsigned long long)sim.dir[0].stats.sent,
		      (unsigned long long)(sim.dir[0].stats.lost_random + sim.dir[1].stats.lost_random));
	teardown_pair();
}

static void test_transfer_10mb(void **state)
{
	transfer_10mb(0, 21);
}

static void test_transfer_10mb_loss_5(void **state)
{
	transfer_10mb(50, 22);
}

/* 100 streams of 5000 bytes, opened as MAX_STREAMS allows, each echoed */
static bool many_streams(void *arg)
{
	struct quic_conn *c = quic_endpoint_conn(&eps[0], client_conn);
	uint8_t buf[5000];

	(void)arg;
	if (!c || !c->confirmed)
		return false;
	for (;;) {
		struct quic_stream *s;
		size_t n;

		if (drv.writing) {
			/* a stream not fully written yet (memory was short) */
			s = quic_streams_find(&c->streams, drv.cur_id);
			if (!s)
				return app.echoed_done == drv.target_n;
		} else {
			if (drv.opened_n == drv.target_n)
				break;
			s = quic_conn_stream_open(c, true);
			if (!s)
				break;  /* the peer's limit: more after streams close */
			drv.opened_n++;
			drv.writing = true;
			drv.cur_id = s->id;
			drv.cur_off = 0;
		}
		for (size_t i = drv.cur_off; i < drv.per_stream; i++)
			buf[i - drv.cur_off] = pattern(s->id, i);
		n = pair_stream_write(c, s, buf, drv.per_stream - drv.cur_off, true);
		drv.cur_off += n;
		if (drv.cur_off < drv.per_stream)
			break;  /* the rest at the next step */
		drv.writing = false;
	}
	return app.echoed_done == drv.target_n;
}

static void hundred_streams(uint16_t loss_pm, uint64_t seed)
{
	struct sim_link_cfg link = { .delay_ns = 5000000, .loss_pm = loss_pm };

	memset(&drv, 0, sizeof(drv));
	drv.target_n = 100;
	drv.per_stream = 5000;
	setup_pair(seed, QUIC_RETRY_NEVER, &link);
	app.echo = true;
	if (sim_run(&sim, sim.now + 120 * SIM_NS_PER_S, many_streams, NULL) != 0)
		fail_msg("100 streams at %u/1000 loss: %u opened, %u echoed back", loss_pm,
			 drv.opened_n, app.echoed_done);
	assert_int_equal(app.rx_bytes[1], 100 * 5000);
	assert_int_equal(app.rx_bytes[0], 100 * 5000);
	assert_int_equal(app.bad_bytes, 0);
	teardown_pair();
}

static void test_100_streams(void **state)
{
	hundred_streams(0, 31);
}

static void test_100_streams_loss_5(void **state)
{
	hundred_streams(50, 32);
}

/* QUIC v2 (RFC 9369) end to end, then a v2 client meeting a v1-only
 * server: Version Negotiation, and the client starts over in v1 */
static void versions(uint32_t client_v, bool server_v1_only, uint32_t want, uint16_t loss_pm,
		     uint64_t seed)
{
	struct sim_link_cfg link = { .delay_ns = 10000000, .loss_pm = loss_pm };

	/* read by setup_pair's configurations, then reset by it */
	pair_next.client_version = client_v;
	pair_next.server_v1_only = server_v1_only;
	setup_pair(seed, QUIC_RETRY_NEVER, &link);
	if (sim_run(&sim, sim.now + 20 * SIM_NS_PER_S, confirmed, NULL) != 0)
		fail_msg("version %08x -> %08x at %u/1000: no handshake", client_v, want, loss_pm);
	assert_int_equal(quic_endpoint_conn(&eps[0], client_conn)->version, want);
	assert_int_equal(server_conn()->version, want);
	if (server_v1_only && client_v != QUIC_VERSION_1)
		assert_true(eps[1].st.vn_sent >= 1);
	teardown_pair();
}

static void test_versions(void **state)
{
	versions(QUIC_VERSION_2, false, QUIC_VERSION_2, 0, 51);
	versions(QUIC_VERSION_2, true, QUIC_VERSION_1, 0, 52);
	for (uint64_t seed = 53; seed < 58; seed++) {
		versions(QUIC_VERSION_2, false, QUIC_VERSION_2, 50, seed);
		versions(QUIC_VERSION_2, true, QUIC_VERSION_1, 50, seed + 10);
	}
}

/* NEW_TOKEN (RFC 9000 8.1.3): a server that always asks for a Retry gives
 * the client a token after the handshake; the client's next connection
 * carries it and gets in without a second Retry. */
static bool got_token(void *arg)
{
	(void)arg;
	return eps[0].token_len > 0;
}

static void new_token(uint16_t loss_pm, uint64_t seed)
{
	struct sim_link_cfg link = { .delay_ns = 10000000, .loss_pm = loss_pm };
	struct quic_addr server_addr;

	setup_pair(seed, QUIC_RETRY_ALWAYS, &link);
	assert_int_equal(sim_run(&sim, sim.now + 20 * SIM_NS_PER_S, confirmed, NULL), 0);
	assert_int_equal(sim_run(&sim, sim.now + 20 * SIM_NS_PER_S, got_token, NULL), 0);
	assert_int_equal(eps[1].st.retry_sent, 1);
	quic_conn_close(quic_endpoint_conn(&eps[0], client_conn), 0, true, sim.now);
	assert_int_equal(sim_run(&sim, sim.now + 40 * SIM_NS_PER_S, both_gone, NULL), 0);
	/* the second connection */
	to_quic(&pair_addr[1], &server_addr);
	client_conn = quic_endpoint_connect(&eps[0], &server_addr, sim.now);
	assert_false(pool_handle_is_none(client_conn));
	assert_int_equal(sim_run(&sim, sim.now + 20 * SIM_NS_PER_S, confirmed, NULL), 0);
	assert_int_equal(eps[1].st.retry_sent, 1);
	assert_true(eps[1].st.tokens_good >= 1);
	assert_false(quic_endpoint_conn(&eps[0], client_conn)->retried);
	teardown_pair();
}

static void test_new_token(void **state)
{
	new_token(0, 61);
	for (uint64_t seed = 62; seed < 66; seed++)
		new_token(50, seed);
}

/* Fault injection (DESIGN.md 3): the n-th allocation after the client
 * started fails, for every n the scenario reaches (connection and
 * handshake blocks, wolfSSL's arena, streams, chunks). Each run either
 * completes (memory came back in time: dropped stream data is resent)
 * or ends with both connections closed; never a crash, never a leak. */
static bool echoes_or_gone(void *arg)
{
	(void)arg;
	return app.echoed_done == drv.target_n || both_gone(NULL);
}

static bool fault_step(void *arg)
{
	many_streams(arg);
	return echoes_or_gone(arg);
}

static void test_fault_injection(void **state)
{
	struct sim_link_cfg link = { .delay_ns = 10000000 };
	uint32_t completed = 0, failed = 0, n;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION))
		skip();
	for (n = getenv("FI_N") ? (uint32_t)atoi(getenv("FI_N")) : 1; n < 2000; n++) {
		bool fired;

		memset(&drv, 0, sizeof(drv));
		drv.target_n = 3;
		drv.per_stream = 3000;
		setup_pair(n, QUIC_RETRY_NEVER, &link);
		/* the server checks the bytes and answers each stream with a
		 * bare FIN (an echo would need the test to buffer what a
		 * short write leaves over) */
		app.echo = false;
		pool_fault_arm(n);
		if (sim_run(&sim, sim.now + 200 * SIM_NS_PER_S, fault_step, NULL) != 0)
			fail_msg("fault at allocation %u: neither finished nor closed", n);
		fired = pool_fault_fired();
		pool_fault_arm(0);
		if (app.echoed_done == drv.target_n) {
			completed++;
			assert_int_equal(app.rx_bytes[1], drv.target_n * drv.per_stream);
		} else {
			failed++;
		}
		assert_int_equal(app.bad_bytes, 0);
		teardown_pair();
		if (pool_total_in_use()) {
			for (int k = 0; k < POOL_ID_COUNT; k++)
				if (pool_stats_of(pool_all[k])->failures)
					print_error("  injected into pool %s\n",
						    pool_stats_of(pool_all[k])->name);
		}
		if (pool_total_in_use())
			fail_msg("fault at allocation %u: %u pool blocks still in use after teardown",
				 n, (unsigned)pool_total_in_use());
		if (!fired)
			break;  /* n is past the scenario's last allocation */
	}
	print_message("  %u allocation sites failed in turn: %u runs completed anyway, "
		      "%u ended closed\n", n - 1, completed, failed);
	assert_true(n > 50);  /* the scenario allocates; the loop really ran */
}

/* Key updates (RFC 9001 6) while streams flow: the client starts one
 * whenever it is allowed to (the previous one acknowledged and followed),
 * the server follows each; every byte still arrives, at 0% and 5% loss. */
static bool updating_streams(void *arg)
{
	struct quic_conn *c = quic_endpoint_conn(&eps[0], client_conn);

	if (c && c->confirmed && quic_conn_key_update(c) == 0)
		(*(uint32_t *)arg)++;
	return many_streams(NULL);
}

static void key_updates(uint16_t loss_pm, uint64_t seed)
{
	struct sim_link_cfg link = { .delay_ns = 5000000, .loss_pm = loss_pm };
	uint32_t started = 0;

	memset(&drv, 0, sizeof(drv));
	drv.target_n = 40;
	drv.per_stream = 5000;
	setup_pair(seed, QUIC_RETRY_NEVER, &link);
	app.echo = true;
	if (sim_run(&sim, sim.now + 120 * SIM_NS_PER_S, updating_streams, &started) != 0)
		fail_msg("key updates at %u/1000: %u streams echoed, %u updates", loss_pm,
			 app.echoed_done, started);
	assert_int_equal(app.bad_bytes, 0);
	assert_true(started >= 3);
	assert_int_equal(quic_endpoint_conn(&eps[0], client_conn)->stats.key_updates, started);
	/* the server followed every update it saw (the last may still be
	 * on its way) */
	assert_true(server_conn()->stats.key_updates + 1 >= started);
	assert_int_equal(server_conn()->stats.decrypt_fail, 0);
	print_message("  key updates at %u/1000: %u started, server followed %u\n", loss_pm,
		      started, server_conn()->stats.key_updates);
	teardown_pair();
}

static void test_key_update(void **state)
{
	key_updates(0, 101);
	key_updates(50, 102);
}

/* Updates started by the packet count (CONFIG_QUIC_KEY_UPDATE_PACKETS,
 * here 40 for the client): 40 echoed streams move through several key
 * phases with no call from the application. */
/* RFC 9001 6.6: after the integrity limit of the suite (2^52 packets
 * failing authentication for AES-GCM, 2^36 ChaCha20, 2^21.5 CCM) the
 * connection closes with AEAD_LIMIT_REACHED. The counter is set just
 * below the limit; then every datagram from the client is corrupted. */
static bool server_closing(void *arg)
{
	(void)arg;
	return !server_conn() || server_conn()->state >= QUIC_CONN_CLOSING;
}

static void test_aead_integrity_limit(void **state)
{
	struct sim_link_cfg bad = { .corrupt_pm = 1000 };
	struct quic_conn *s;
	uint64_t limit;
	int pings;

	(void)state;
	setup_pair(31, QUIC_RETRY_NEVER, NULL);
	if (sim_run(&sim, sim.now + 10 * SIM_NS_PER_S, confirmed, NULL) != 0)
		fail_msg("no handshake");
	s = server_conn();
	limit = s->aead == CRYPTO_CHACHA20_POLY1305 ? UINT64_C(1) << 36 :
		s->aead == CRYPTO_AES_128_CCM ? 2965820 : UINT64_C(1) << 52;
	s->aead_fail = limit - 2;
	sim_set_link(&sim, 0, &bad);
	for (pings = 0; pings < 100 && !server_closing(NULL); pings++) {
		client()->ping_pending = true;
		sim_run(&sim, sim.now + 50000000, server_closing, NULL);
	}
	s = server_conn();
	assert_non_null(s);
	assert_int_equal(s->state, QUIC_CONN_CLOSING);
	assert_int_equal(s->close_error, QUIC_AEAD_LIMIT_REACHED);
	assert_true(s->aead_fail > limit);
	/* not before: at most the two failures it had left, plus the one */
	assert_int_equal(s->aead_fail, limit + 1);
	sim_set_link(&sim, 0, NULL);
	sim_run(&sim, sim.now + 60 * SIM_NS_PER_S, both_gone, NULL);
	teardown_pair();
}

static void test_key_update_by_count(void **state)
{
	struct sim_link_cfg link = { .delay_ns = 5000000, .loss_pm = 50 };

	memset(&drv, 0, sizeof(drv));
	drv.target_n = 40;
	drv.per_stream = 5000;
	pair_next.client_key_update = 40;
	setup_pair(111, QUIC_RETRY_NEVER, &link);
	app.echo = true;
	assert_int_equal(sim_run(&sim, sim.now + 120 * SIM_NS_PER_S, many_streams, NULL), 0);
	assert_int_equal(app.bad_bytes, 0);
	print_message("  by count: client %u updates, %u packets sent; server followed %u\n",
		      quic_endpoint_conn(&eps[0], client_conn)->stats.key_updates,
		      quic_endpoint_conn(&eps[0], client_conn)->stats.pkts_tx,
		      server_conn()->stats.key_updates);
	assert_true(quic_endpoint_conn(&eps[0], client_conn)->stats.key_updates >= 2);
	assert_true(server_conn()->stats.key_updates >= 1);
	teardown_pair();
}

/* Close from every state (issue 6's teardown list, the part this
 * transport has): before the server answered, mid-handshake on either
 * side, mid-transfer with streams open. Both ends free everything within
 * the closing/draining period or the idle timeout; registries empty,
 * pools idle (teardown). */
static bool server_has_conn(void *arg)
{
	(void)arg;
	return eps[1].nconns > 0;
}

static bool client_has_hs_keys(void *arg)
{
	struct quic_conn *c = quic_endpoint_conn(&eps[0], client_conn);

	(void)arg;
	return c && c->space[QUIC_SPACE_HANDSHAKE].rx_keys;
}

static bool transfer_started(void *arg)
{
	many_streams(arg);
	return app.rx_bytes[1] > 20000;
}

static void close_in_state(int state)
{
	struct sim_link_cfg link = { .delay_ns = 10000000 };
	struct quic_conn *c;
	bool (*reach[4])(void *) = { NULL, server_has_conn, client_has_hs_keys, transfer_started };

	memset(&drv, 0, sizeof(drv));
	drv.target_n = 20;
	drv.per_stream = 5000;
	setup_pair(200 + (uint64_t)state, QUIC_RETRY_NEVER, &link);
	app.echo = true;
	if (reach[state])
		assert_int_equal(sim_run(&sim, sim.now + 20 * SIM_NS_PER_S, reach[state], NULL), 0);
	/* state 1: the server closes its half-made connection; others: the client */
	c = state == 1 ? server_conn() : quic_endpoint_conn(&eps[0], client_conn);
	assert_non_null(c);
	quic_conn_close(c, QUIC_INTERNAL_ERROR, false, sim.now);
	assert_int_equal(sim_run(&sim, sim.now + 60 * SIM_NS_PER_S, both_gone, NULL), 0);
	assert_int_equal(eps[0].cids.count, 0);
	assert_int_equal(eps[1].cids.count, 0);
	teardown_pair();
}

static void test_close_every_state(void **state)
{
	for (int s = 0; s < 4; s++)
		close_in_state(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_clean),
		UNIT_TEST(test_loss_5),
		UNIT_TEST(test_loss_30),
		UNIT_TEST(test_retry_loss_5),
		UNIT_TEST(test_reorder_dup_corrupt),
		UNIT_TEST(test_first_flights_lost),
		UNIT_TEST(test_idle_timeout),
		UNIT_TEST(test_close),
		UNIT_TEST(test_stateless_reset),
		UNIT_TEST(test_versions),
		UNIT_TEST(test_new_token),
		UNIT_TEST(test_anti_amplification),
		UNIT_TEST(test_retry_above_load),
		UNIT_TEST(test_fault_injection),
		UNIT_TEST(test_key_update),
		UNIT_TEST(test_key_update_by_count),
		UNIT_TEST(test_aead_integrity_limit),
		UNIT_TEST(test_close_every_state),
		UNIT_TEST(test_transfer_10mb),
		UNIT_TEST(test_transfer_10mb_loss_5),
		UNIT_TEST(test_100_streams),
		UNIT_TEST(test_100_streams_loss_5),
	};

	return cmocka_run_group_tests_name("sim_quic", tests, NULL, NULL);
}
