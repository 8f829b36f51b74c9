/* quic/endpoint + quic/conn: a tern client and a tern server complete the
 * QUIC handshake over datagrams handed across directly (virtual time, no
 * loss), with and without a Retry; Version Negotiation and stateless
 * reset answers; every pool idle again after both endpoints go. The
 * link simulator (tests/sim) runs the lossy scenarios. */
#include <string.h>

#include "unit.h"
#include "data/test_cert.h"
#include "quic/conn.h"
#include "quic/endpoint.h"
#include "quic/packet.h"

static struct quic_endpoint server, client;
static uint8_t dg[1500];
static const struct quic_addr sv_addr = { .family = 4, .port = 4433, .ip = { 127, 0, 0, 1 } };
static const struct quic_addr cl_addr = { .family = 4, .port = 50000, .ip = { 127, 0, 0, 1 } };

static void endpoints_init(enum quic_retry_policy retry)
{
	struct quic_endpoint_cfg s = {
		.server = true, .cert = test_server_cert_der, .certlen = sizeof(test_server_cert_der),
		.key = test_server_key_der, .keylen = sizeof(test_server_key_der),
		.static_secret = { 1 }, .seed = { 2 }, .retry = retry,
	};
	struct quic_endpoint_cfg c = {
		.server = false, .ca = test_ca_der, .calen = sizeof(test_ca_der),
		.sni = "localhost", .static_secret = { 3 }, .seed = { 4 },
	};

	assert_int_equal(quic_endpoint_init(&server, &s), 0);
	assert_int_equal(quic_endpoint_init(&client, &c), 0);
}

static void endpoints_deinit(void)
{
	quic_endpoint_deinit(&client);
	quic_endpoint_deinit(&server);
}

/* everything from -> to; returns datagrams moved */
static int pump(struct quic_endpoint *from, const struct quic_addr *from_addr,
		struct quic_endpoint *to, uint64_t now)
{
	struct quic_addr dst;
	size_t n;
	int k = 0;

	while ((n = quic_endpoint_output(from, &dst, dg, sizeof(dg), now))) {
		assert_true(n <= 1200);
		quic_endpoint_input(to, from_addr, dg, n, now);
		k++;
		assert_true(k < 100);
	}
	return k;
}

/* run until the client's connection is confirmed (or 10 s virtual) */
static uint64_t run_handshake(pool_handle_t h, uint64_t now)
{
	for (int i = 0; i < 10000; i++, now += 1000000) {
		struct quic_conn *c = quic_endpoint_conn(&client, h);

		assert_non_null(c);
		if (c->confirmed && server.nconns == 1 &&
		    quic_endpoint_conn(&server, server.conns[0])->confirmed)
			return now;
		pump(&client, &cl_addr, &server, now);
		pump(&server, &sv_addr, &client, now);
		if (quic_endpoint_deadline(&client) <= now)
			quic_endpoint_timeout(&client, now);
		if (quic_endpoint_deadline(&server) <= now)
			quic_endpoint_timeout(&server, now);
	}
	fail_msg("handshake did not complete");
	return now;
}

static void check_established(pool_handle_t h)
{
	struct quic_conn *c = quic_endpoint_conn(&client, h);
	struct quic_conn *s = quic_endpoint_conn(&server, server.conns[0]);

	assert_int_equal(c->state, QUIC_CONN_ESTABLISHED);
	assert_int_equal(s->state, QUIC_CONN_ESTABLISHED);
	assert_true(c->complete && s->complete && s->confirmed);
	assert_int_equal(c->aead, s->aead);
	/* each side sends to the CID the other chose */
	assert_memory_equal(c->dcid.b, s->scid.b, s->scid.len);
	assert_memory_equal(s->dcid.b, c->scid.b, c->scid.len);
	/* Initial and Handshake keys are gone on both sides */
	assert_true(c->space[QUIC_SPACE_INITIAL].discarded);
	assert_true(c->space[QUIC_SPACE_HANDSHAKE].discarded);
	assert_true(s->space[QUIC_SPACE_INITIAL].discarded);
	assert_true(s->space[QUIC_SPACE_HANDSHAKE].discarded);
	assert_int_equal(c->stats.decrypt_fail + s->stats.decrypt_fail, 0);
}

static void test_handshake(void **state)
{
	pool_handle_t h;
	uint64_t now = 1000000000;

	endpoints_init(QUIC_RETRY_NEVER);
	h = quic_endpoint_connect(&client, &sv_addr, now);
	assert_false(pool_handle_is_none(h));
	now = run_handshake(h, now);
	check_established(h);
	assert_int_equal(server.st.conns_accepted, 1);
	assert_int_equal(server.st.retry_sent, 0);
	/* a few more rounds: the server's handshake block is released once
	 * its tickets are acknowledged */
	for (int i = 0; i < 200 && pool_stats_of(&pool_hs)->in_use > 1; i++, now += 1000000) {
		pump(&client, &cl_addr, &server, now);
		pump(&server, &sv_addr, &client, now);
		quic_endpoint_timeout(&client, now);
		quic_endpoint_timeout(&server, now);
	}
	assert_int_equal(pool_stats_of(&pool_hs)->in_use, 1);  /* the client's only */
	/* RFC 9000 5.1.1: the server issued CIDs up to the client's limit
	 * (active_connection_id_limit = CIDS_PER_CONN), each routed to it,
	 * and the client stored the ones beyond the first */
	{
		struct quic_conn *s = quic_endpoint_conn(&server, server.conns[0]);
		struct quic_conn *c = quic_endpoint_conn(&client, h);
		int issued = 0, stored = 0;

		for (int i = 0; i < CONFIG_POOL_CIDS_PER_CONN; i++) {
			issued += s->lcid[i].used;
			stored += c->pcid[i].used;
			if (s->lcid[i].used)
				assert_int_equal(quic_cid_lookup(&server.cids, s->lcid[i].cid.b,
								 s->lcid[i].cid.len).idx, s->self.idx);
		}
		assert_int_equal(issued, CONFIG_POOL_CIDS_PER_CONN);
		assert_int_equal(stored, CONFIG_POOL_CIDS_PER_CONN - 1);
		/* the client's initial DCID route stays with the server's conn too */
		assert_int_equal(quic_cid_count_conn(&server.cids, s->self), issued + 1);
	}
	assert_true(pool_handle_is_none(quic_endpoint_conn(&server, server.conns[0])->hs));
	endpoints_deinit();
}

static void test_handshake_with_retry(void **state)
{
	pool_handle_t h;

	endpoints_init(QUIC_RETRY_ALWAYS);
	h = quic_endpoint_connect(&client, &sv_addr, 1000000000);
	run_handshake(h, 1000000000);
	check_established(h);
	assert_int_equal(server.st.retry_sent, 1);
	assert_int_equal(server.st.tokens_bad, 0);
	assert_true(quic_endpoint_conn(&client, h)->retried);
	endpoints_deinit();
}

static void test_version_negotiation(void **state)
{
	struct quic_addr to;
	struct quic_pkt_hdr h;
	size_t n;

	endpoints_init(QUIC_RETRY_NEVER);
	memset(dg, 0, sizeof(dg));
	/* long header, version 0x1a2a3a4a, DCID 8 bytes, SCID 4 bytes */
	memcpy(dg, "\xc0\x1a\x2a\x3a\x4a\x08" "ABCDEFGH" "\x04" "wxyz", 19);
	quic_endpoint_input(&server, &cl_addr, dg, 1200, 1);
	n = quic_endpoint_output(&server, &to, dg, sizeof(dg), 1);
	assert_int_not_equal(n, 0);
	assert_int_equal(quic_pkt_parse(dg, n, 0, &h), 0);
	assert_int_equal(h.type, QUIC_PKT_VERSION_NEGOTIATION);
	assert_memory_equal(h.dcid.b, "wxyz", 4);     /* the client's SCID */
	assert_memory_equal(h.scid.b, "ABCDEFGH", 8);
	assert_int_equal(quic_pkt_vn_version(&h, 0), QUIC_VERSION_1);
	/* a short datagram gets none (RFC 9000 6.1) */
	memcpy(dg, "\xc0\x1a\x2a\x3a\x4a\x08" "ABCDEFGH" "\x04" "wxyz", 19);
	quic_endpoint_input(&server, &cl_addr, dg, 100, 1);
	assert_int_equal(quic_endpoint_output(&server, &to, dg, sizeof(dg), 1), 0);
	assert_int_equal(server.st.vn_sent, 1);
	endpoints_deinit();
}

static void test_stateless_reset(void **state)
{
	struct quic_addr to;
	struct quic_cid cid = { 8, "QRSTUVWX" };
	uint8_t token[16];
	size_t n;

	endpoints_init(QUIC_RETRY_NEVER);
	memset(dg, 0x55, 60);
	dg[0] = 0x41;  /* short header */
	memcpy(dg + 1, cid.b, 8);
	quic_endpoint_input(&server, &cl_addr, dg, 60, 1);
	n = quic_endpoint_output(&server, &to, dg, sizeof(dg), 1);
	assert_true(n >= 21 && n < 60);
	assert_int_equal(dg[0] & 0xc0, 0x40);
	assert_int_equal(quic_reset_token(&server.tokens, &cid, token), 0);
	assert_memory_equal(dg + n - 16, token, 16);
	/* too small to answer without risking a loop */
	memset(dg, 0x55, 21);
	dg[0] = 0x41;
	quic_endpoint_input(&server, &cl_addr, dg, 21, 1);
	assert_int_equal(quic_endpoint_output(&server, &to, dg, sizeof(dg), 1), 0);
	endpoints_deinit();
}

/* a small Initial is dropped, not answered (anti-amplification) */
static void test_small_initial_dropped(void **state)
{
	struct quic_addr to;
	pool_handle_t h;
	size_t n;

	endpoints_init(QUIC_RETRY_NEVER);
	h = quic_endpoint_connect(&client, &sv_addr, 1);
	assert_false(pool_handle_is_none(h));
	n = quic_endpoint_output(&client, &to, dg, sizeof(dg), 1);
	assert_int_equal(n, 1200);  /* padded */
	quic_endpoint_input(&server, &cl_addr, dg, 1199, 1);
	assert_int_equal(server.nconns, 0);
	assert_int_equal(quic_endpoint_output(&server, &to, dg, sizeof(dg), 1), 0);
	endpoints_deinit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_handshake),
		UNIT_TEST(test_handshake_with_retry),
		UNIT_TEST(test_version_negotiation),
		UNIT_TEST(test_stateless_reset),
		UNIT_TEST(test_small_initial_dropped),
	};

	return cmocka_run_group_tests_name("endpoint", tests, NULL, NULL);
}
