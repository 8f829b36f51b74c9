/* Resumption and 0-RTT over the simulator (the interop runner's
 * resumption and zerortt cases), in both CONFIG_QUIC_0RTT settings:
 *
 *   - a first connection fetches a file and takes a session ticket; a
 *     second resumes (no certificate: the server counts a resumption);
 *   - zerortt: the second connection's requests leave in 0-RTT packets
 *     before the handshake completes; with CONFIG_QUIC_0RTT=y and a
 *     server that takes early data they are read from 0-RTT, otherwise
 *     (n, or a server that refuses) they are dropped unread and the
 *     client sends them again in 1-RTT: every file arrives either way,
 *     hash compared.
 */
#include <string.h>

#include "unit.h"
#include "quic/tls.h"
#include "tests/sim/quic_pair.h"

static bool ticket_taken(void *arg)
{
	(void)arg;
	return eps[0].session_len > 0;
}

/* first connection: a file, a ticket, a clean close */
static void first_connection(uint64_t seed, bool early, const struct sim_link_cfg *link)
{
	const uint64_t sizes[1] = { 20000 };

	pair_next.server_early_data = early;
	setup_pair(seed, QUIC_RETRY_NEVER, link);
	pair_fetch_start(sizes, 1, 1);
	if (sim_run(&sim, sim.now + 30 * SIM_NS_PER_S, pair_fetch_step, NULL) != 0)
		fail_msg("first connection: no file");
	if (sim_run(&sim, sim.now + 30 * SIM_NS_PER_S, ticket_taken, NULL) != 0)
		fail_msg("first connection: no session ticket");
	assert_int_equal(eps[1].tls.st.tickets_issued, 1);
	quic_conn_close(client(), 0, true, sim.now);
	if (sim_run(&sim, sim.now + 30 * SIM_NS_PER_S, both_gone, NULL) != 0)
		fail_msg("first connection did not close");
}

/* second connection: n files requested at once (0-RTT when allowed) */
static void second_connection(uint32_t n)
{
	const uint64_t sizes[2] = { 3000, 40000 };

	pair_connect();
	pair_fetch_start(sizes, 2, n);
	/* the requests are written before the first datagram leaves */
	pair_fetch_step(NULL);
	if (sim_run(&sim, sim.now + 30 * SIM_NS_PER_S, pair_fetch_step, NULL) != 0) {
		pair_dump("second connection");
		fail_msg("second connection: %u of %u files", pair_files_done(), n);
	}
	assert_int_equal(app.bad_bytes, 0);
	assert_int_equal(pair_compare(NULL), 0);
	pair_assert_files();
}

static void test_resumption(void **state)
{
	(void)state;
	first_connection(1, false, NULL);
	second_connection(1);
	assert_int_equal(eps[1].tls.st.resumed, 1);
	assert_int_equal(client()->early_pkts, 0);  /* the ticket allowed no 0-RTT */
	teardown_pair();
}

static void zerortt(uint64_t seed, const struct sim_link_cfg *link)
{
	struct quic_conn *s;

	first_connection(seed, true, link);
	second_connection(4);
	s = server_conn();
	assert_int_equal(eps[1].tls.st.resumed, 1);
	if (IS_ENABLED(CONFIG_QUIC_0RTT)) {
		/* the requests went out in 0-RTT and were read from it */
		assert_true(client()->early_pkts > 0);
		assert_int_equal(eps[1].tls.st.early_accepted, 1);
		assert_true(s->early_pkts > 0);
		/* the four requests came in 0-RTT, their streams know it
		 * (unless loss moved one into 1-RTT) */
		assert_true(s->early_streams > 0 && s->early_streams <= 4);
	} else {
		/* no early data built: a full 1-RTT exchange after resuming */
		assert_int_equal(client()->early_pkts, 0);
		assert_int_equal(s->early_pkts, 0);
	}
	print_message("  zerortt seed %llu: client sent %u 0-RTT packets, server read %u (%u streams); "
		      "%.3f s virtual\n", (unsigned long long)seed, client()->early_pkts,
		      s->early_pkts, s->early_streams, (double)(sim.now - SIM_T0) / 1e9);
	teardown_pair();
}

static void test_zerortt(void **state)
{
	struct sim_link_cfg lossy = { .delay_ns = 20000000, .loss_pm = 100 };

	(void)state;
	zerortt(2, NULL);
	zerortt(3, &lossy);
	zerortt(4, &lossy);
}

/* The server stops taking 0-RTT between the connections (its ticket
 * still allows it): the client's 0-RTT packets are dropped unread and
 * their data arrives in 1-RTT. */
static void test_zerortt_rejected(void **state)
{
	uint8_t tp[256];
	size_t tplen;
	struct quic_conn *s;

	(void)state;
	first_connection(5, true, NULL);
	assert_int_equal(quic_conn_ticket_tparams(&eps[1], tp, sizeof(tp), &tplen), 0);
	assert_int_equal(quic_tls_ctx_ticket_config(&eps[1].tls, tp, tplen, false), 0);
	second_connection(4);
	s = server_conn();
	assert_int_equal(eps[1].tls.st.resumed, 1);
	assert_int_equal(s->early_pkts, 0);
	assert_int_equal(s->early_streams, 0);
	assert_int_equal(eps[1].tls.st.early_accepted, 0);
	if (IS_ENABLED(CONFIG_QUIC_0RTT)) {
		assert_true(client()->early_pkts > 0);   /* it tried */
		assert_true(s->stats.dropped >= client()->early_pkts);  /* unread */
	}
	teardown_pair();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_resumption),
		UNIT_TEST(test_zerortt),
		UNIT_TEST(test_zerortt_rejected),
	};

	return cmocka_run_group_tests_name("sim_0rtt", tests, NULL, NULL);
}
