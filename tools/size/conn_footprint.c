/* tools/size/conn_footprint.c: what one idle established connection costs
 * a tern server, measured, not computed (make size). A server and a
 * client endpoint complete a handshake in memory; the server's handshake
 * block is released once its tickets are acknowledged; the client
 * endpoint is then destroyed, so what stays in the pools beyond the
 * server endpoint's own start-up use is the server's connection alone.
 * Prints the pool blocks and bytes per pool, the connection and handshake
 * block sizes, and exits 1 if the handshake did not complete. */
#include <stdio.h>
#include <string.h>

#include "lib/pool.h"
#include "quic/conn.h"
#include "quic/endpoint.h"
#include "tests/unit/data/test_cert.h"

static struct quic_endpoint server, client;
static uint8_t dg[1500];
static uint32_t before[POOL_ID_COUNT];

static void pump(struct quic_endpoint *from, const struct quic_addr *fa,
		 struct quic_endpoint *to, uint64_t now)
{
	struct quic_addr dst;
	size_t n;

	while ((n = quic_endpoint_output(from, &dst, dg, sizeof(dg), now)))
		quic_endpoint_input(to, fa, dg, n, now);
}

int main(void)
{
	static const struct quic_addr sa = { .family = 4, .port = 443, .ip = { 10, 0, 0, 1 } };
	static const struct quic_addr ca = { .family = 4, .port = 5000, .ip = { 10, 0, 0, 2 } };
	struct quic_endpoint_cfg s = {
		.server = true, .cert = test_server_cert_der, .certlen = sizeof(test_server_cert_der),
		.key = test_server_key_der, .keylen = sizeof(test_server_key_der),
	};
	struct quic_endpoint_cfg c = {
		.server = false, .ca = test_ca_der, .calen = sizeof(test_ca_der), .sni = "localhost",
	};
	uint64_t now = 1000000000, total = 0;
	struct quic_conn *sc;

	pool_init_all();
	if (quic_endpoint_init(&server, &s) != 0)
		return 1;
	for (int i = 0; i < POOL_ID_COUNT; i++)
		before[i] = pool_stats_of(pool_all[i])->in_use;
	if (quic_endpoint_init(&client, &c) != 0 ||
	    pool_handle_is_none(quic_endpoint_connect(&client, &sa, now)))
		return 1;
	for (int i = 0; i < 100; i++, now += 1000000) {
		pump(&client, &ca, &server, now);
		pump(&server, &sa, &client, now);
	}
	sc = server.nconns ? quic_endpoint_conn(&server, server.conns[0]) : NULL;
	if (!sc || !sc->confirmed) {
		fprintf(stderr, "conn_footprint: the handshake did not complete\n");
		return 1;
	}
	quic_endpoint_deinit(&client);
	printf("== idle established connection (server side), measured\n");
	printf("%-10s %8s %8s %10s\n", "pool", "blocks", "size", "bytes");
	for (int i = 0; i < POOL_ID_COUNT; i++) {
		const struct pool_stats *st = pool_stats_of(pool_all[i]);
		uint32_t n = st->in_use - before[i];

		if (!n)
			continue;
		printf("%-10s %8u %8u %10llu\n", st->name, (unsigned)n, (unsigned)st->elem_size,
		       (unsigned long long)n * st->elem_size);
		total += (uint64_t)n * st->elem_size;
	}
	printf("%-10s %8s %8s %10llu   (goal: <= 4096; handshake block released: %s)\n",
	       "total", "", "", (unsigned long long)total, sc->hs.gen ? "no" : "yes");
	printf("struct quic_conn %zu bytes, struct quic_hs %zu bytes (held while handshaking), "
	       "struct quic_endpoint %zu bytes\n", sizeof(struct quic_conn), sizeof(struct quic_hs),
	       sizeof(struct quic_endpoint));
	quic_endpoint_deinit(&server);
	return 0;
}
