/* Paths over the simulator (RFC 9000 8.2, 9), the interop runner's
 * rebind-port, rebind-addr and connectionmigration cases: in the middle
 * of a transfer the client's address changes (a NAT rebinding: same
 * connection ID) or the client migrates (a new connection ID from the
 * server's supply). The server must follow, validate the new path with
 * PATH_CHALLENGE, never send more than three times what the new address
 * sent before it is validated, restart its congestion controller when
 * the address (not only the port) changed, and the bytes must arrive
 * intact (hash compared). */
#include <string.h>

#include "unit.h"
#include "tests/sim/quic_pair.h"

enum move { REBIND_PORT, REBIND_ADDR, MIGRATE };

static struct {
	enum move how;
	bool moved;
	uint64_t half;                 /* bytes read by the client when it moves */
	uint64_t cwnd_before;
	uint32_t amp_violations;       /* server: over 3x on an unvalidated path */
	uint32_t unvalidated_steps;
} mv;

static bool moving_fetch(void *arg)
{
	struct quic_conn *s = server_conn();
	struct quic_conn *c = client();

	if (s && !s->address_validated) {
		mv.unvalidated_steps++;
		if (s->bytes_tx > 3 * s->bytes_rx)
			mv.amp_violations++;
	}
	if (!mv.moved && c && pair_files_bytes() >= mv.half) {
		struct sim_addr a = pair_addr[0];

		mv.moved = true;
		mv.cwnd_before = s ? s->rec.cc.cwnd : 0;
		if (mv.how == REBIND_PORT) {
			a.port = 50001;
		} else {
			a.ip[3] = 7;
			a.port = 40000;
		}
		if (mv.how == MIGRATE)
			assert_int_equal(quic_conn_migrate(c, sim.now), 0);
		sim_set_addr(&sim, 0, &a);
	}
	return pair_fetch_step(arg);
}

static void move_during_transfer(enum move how, uint16_t loss_pm, uint64_t seed)
{
	struct sim_link_cfg link = { .delay_ns = 15000000, .loss_pm = loss_pm };
	const uint64_t sizes[2] = { 600000, 250000 };
	uint64_t client_dcid_seq, server_dcid_seq;
	struct quic_conn *s, *c;

	memset(&mv, 0, sizeof(mv));
	mv.how = how;
	mv.half = 400000;
	setup_pair(seed, QUIC_RETRY_NEVER, &link);
	if (sim_run(&sim, sim.now + 10 * SIM_NS_PER_S, confirmed, NULL) != 0)
		fail_msg("no handshake");
	c = client();
	s = server_conn();
	client_dcid_seq = c->dcid_seq;
	server_dcid_seq = s->dcid_seq;
	pair_fetch_start(sizes, 2, 4);
	if (sim_run(&sim, sim.now + 60 * SIM_NS_PER_S, moving_fetch, NULL) != 0) {
		pair_dump("transfer across the move did not finish");
		fail_msg("move %d seed %llu: %u files", how, (unsigned long long)seed,
			 pair_files_done());
	}
	assert_true(mv.moved);
	assert_int_equal(app.bad_bytes, 0);
	assert_int_equal(pair_compare(NULL), 0);
	pair_assert_files();
	s = server_conn();
	c = client();
	/* the server followed and validated the new path */
	assert_int_equal(s->stats.migrations, 1);
	assert_true(s->address_validated);
	assert_false(s->have_prev_peer);
	assert_int_equal(s->peer.port, how == REBIND_PORT ? 50001 : 40000);
	assert_int_equal(s->peer.ip[3], how == REBIND_PORT ? 1 : 7);
	assert_true(mv.unvalidated_steps > 0);
	assert_int_equal(mv.amp_violations, 0);
	/* 9.5: after a migration both sides use fresh connection IDs; after a
	 * rebinding the peer kept its CID, so may the server */
	if (how == MIGRATE) {
		assert_true(c->dcid_seq != client_dcid_seq);
		assert_true(s->dcid_seq != server_dcid_seq);
		assert_int_equal(c->stats.migrations, 1);
	} else {
		assert_int_equal(s->dcid_seq, server_dcid_seq);
	}
	print_message("  %s at %u/1000 loss: %.2f s virtual; server cwnd %llu before the move, "
		      "%u steps unvalidated, %u path failures\n",
		      how == REBIND_PORT ? "rebind-port" : how == REBIND_ADDR ? "rebind-addr" :
		      "connectionmigration", loss_pm, (double)(sim.now - SIM_T0) / 1e9,
		      (unsigned long long)mv.cwnd_before, mv.unvalidated_steps, s->stats.path_fail);
	teardown_pair();
}

static void test_rebind_port(void **state)
{
	(void)state;
	move_during_transfer(REBIND_PORT, 0, 41);
	move_during_transfer(REBIND_PORT, 20, 42);
}

static void test_rebind_addr(void **state)
{
	(void)state;
	move_during_transfer(REBIND_ADDR, 0, 43);
	move_during_transfer(REBIND_ADDR, 20, 44);
}

static void test_connection_migration(void **state)
{
	(void)state;
	move_during_transfer(MIGRATE, 0, 45);
	move_during_transfer(MIGRATE, 20, 46);
}

/* A probe from another address (PATH_CHALLENGE alone, RFC 9000 9.1) is
 * answered on that path (8.2.2) without moving the connection. */
static bool probe_answered(void *arg)
{
	(void)arg;
	return client() && !client()->challenge_out && !client()->challenge_pending;
}

static void test_probe_does_not_migrate(void **state)
{
	struct sim_addr probe_from = pair_addr[0];
	struct quic_conn *c;

	(void)state;
	setup_pair(47, QUIC_RETRY_NEVER, NULL);
	/* not confirmed yet: no migration */
	assert_int_equal(quic_conn_migrate(client(), sim.now), -1);
	if (sim_run(&sim, sim.now + 10 * SIM_NS_PER_S, confirmed, NULL) != 0)
		fail_msg("no handshake");
	/* a server never migrates on its own */
	assert_int_equal(quic_conn_migrate(server_conn(), sim.now), -1);
	/* let the ACKs settle, then the client probes from another port: a
	 * packet with PATH_CHALLENGE only (the test sets the challenge the
	 * way the client's own path validation would) */
	sim_run(&sim, sim.now + SIM_NS_PER_S, NULL, NULL);
	c = client();
	memset(c->challenge, 0x5a, sizeof(c->challenge));
	c->challenge_pending = c->challenge_out = true;
	c->challenge_deadline = sim.now + 3 * SIM_NS_PER_S;
	probe_from.port = 50999;
	sim_set_addr(&sim, 0, &probe_from);
	if (sim_run(&sim, sim.now + 2 * SIM_NS_PER_S, probe_answered, NULL) != 0)
		fail_msg("the probe was not answered on its path");
	/* answered at the probing address, and the server did not move */
	assert_int_equal(server_conn()->stats.migrations, 0);
	assert_int_equal(server_conn()->peer.port, pair_addr[0].port);
	assert_true(server_conn()->address_validated);
	sim_set_addr(&sim, 0, &pair_addr[0]);
	teardown_pair();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_rebind_port),
		UNIT_TEST(test_rebind_addr),
		UNIT_TEST(test_connection_migration),
		UNIT_TEST(test_probe_does_not_migrate),
	};

	return cmocka_run_group_tests_name("sim_path", tests, NULL, NULL);
}
