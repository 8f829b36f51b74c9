/* quic/endpoint under random datagrams (DESIGN.md 3, issue 5): 100,000
 * datagrams of length 0..1500 with a fixed seed (random bytes; real
 * client Initials, Handshake and 1-RTT packets mutated, truncated or
 * extended; garbage sent to the CIDs of live connections) into a server
 * that also has genuine connections going. Nothing may crash (SAN=1 runs
 * this under ASan and UBSan), and once every connection has timed out and
 * the endpoints are gone, every pool block is back (UNIT_TEST teardown). */
#include <string.h>

#include "unit.h"
#include "data/test_cert.h"
#include "quic/conn.h"
#include "quic/endpoint.h"

#define DATAGRAMS 100000
#define SAMPLES   64

static struct quic_endpoint server, client;
static uint8_t samples[SAMPLES][1500];
static size_t sample_len[SAMPLES];
static int nsamples;
static uint8_t dg[1500];
static uint32_t rng = 20261123;

static uint32_t next(void)
{
	return unit_xorshift32(&rng);
}

static const struct quic_addr sv_addr = { .family = 4, .port = 443, .ip = { 10, 0, 0, 1 } };

static void init_endpoints(void)
{
	struct quic_endpoint_cfg s = {
		.server = true, .cert = test_server_cert_der, .certlen = sizeof(test_server_cert_der),
		.key = test_server_key_der, .keylen = sizeof(test_server_key_der),
		.static_secret = { 5 }, .seed = { 6 },
	};
	struct quic_endpoint_cfg c = {
		.server = false, .ca = test_ca_der, .calen = sizeof(test_ca_der),
		.sni = "localhost", .static_secret = { 7 }, .seed = { 8 },
	};

	assert_int_equal(quic_endpoint_init(&server, &s), 0);
	assert_int_equal(quic_endpoint_init(&client, &c), 0);
}

static struct quic_addr client_addr(void)
{
	struct quic_addr a = { .family = 4, .port = (uint16_t)(1024 + next() % 8), .ip = { 10, 1 } };

	return a;
}

/* a few genuine exchanges; every datagram either way kept as a sample */
static void collect_samples(uint64_t now)
{
	for (int k = 0; k < 4; k++) {
		struct quic_addr ca = client_addr();

		assert_false(pool_handle_is_none(quic_endpoint_connect(&client, &sv_addr, now)));
		for (int round = 0; round < 20; round++, now += 1000000) {
			struct quic_addr to;
			size_t n;

			while ((n = quic_endpoint_output(&client, &to, dg, sizeof(dg), now))) {
				if (nsamples < SAMPLES) {
					memcpy(samples[nsamples], dg, n);
					sample_len[nsamples++] = n;
				}
				quic_endpoint_input(&server, &ca, dg, n, now);
			}
			while ((n = quic_endpoint_output(&server, &to, dg, sizeof(dg), now))) {
				if (nsamples < SAMPLES) {
					memcpy(samples[nsamples], dg, n);
					sample_len[nsamples++] = n;
				}
				quic_endpoint_input(&client, &sv_addr, dg, n, now);
			}
		}
	}
	assert_true(nsamples >= 8);
	assert_true(server.st.handshakes >= 1);
}

static size_t make_datagram(void)
{
	uint32_t kind = next() % 8;
	size_t n;

	if (kind < 2 || !nsamples) {            /* random bytes, any length */
		n = next() % 1501;
		for (size_t i = 0; i < n; i++)
			dg[i] = (uint8_t)next();
		return n;
	}
	int s = (int)(next() % (uint32_t)nsamples);

	n = sample_len[s];
	memcpy(dg, samples[s], n);
	switch (kind) {
	case 2:  /* bit flips */
		for (int f = 1 + (int)(next() % 4); f > 0; f--)
			dg[next() % n] ^= (uint8_t)(1u << (next() % 8));
		break;
	case 3:  /* truncated */
		n = next() % (n + 1);
		break;
	case 4:  /* extended with random bytes */
		while (n < 1500 && next() % 4)
			dg[n++] = (uint8_t)next();
		break;
	case 5:  /* header kept, payload random */
		for (size_t i = 20 + next() % 20; i < n; i++)
			dg[i] = (uint8_t)next();
		break;
	case 6:  /* a byte of the header region set to an extreme */
		dg[next() % (n < 64 ? n : 64)] = next() % 2 ? 0xff : 0x00;
		break;
	default: /* replayed as is (duplicates, old keys) */
		break;
	}
	return n;
}

static void test_random_datagrams(void **state)
{
	uint64_t now = 1000000000;

	init_endpoints();
	collect_samples(now);
	for (int i = 0; i < DATAGRAMS; i++) {
		struct quic_addr ca = client_addr(), to;
		size_t n = make_datagram();

		quic_endpoint_input(&server, &ca, dg, n, now);
		while (quic_endpoint_output(&server, &to, dg, sizeof(dg), now))
			;
		if (i % 1000 == 999) {
			now += 40ull * 1000000000;  /* past every idle timeout */
			quic_endpoint_timeout(&server, now);
			quic_endpoint_timeout(&client, now);
		}
	}
	print_message("  %d datagrams: %u connections accepted, %u handshakes, %u dropped, "
		      "%u resets, %u VN\n", DATAGRAMS, (unsigned)server.st.conns_accepted,
		      (unsigned)server.st.handshakes, (unsigned)server.st.pkts_dropped,
		      (unsigned)server.st.reset_sent, (unsigned)server.st.vn_sent);
	quic_endpoint_deinit(&client);
	quic_endpoint_deinit(&server);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_random_datagrams),
	};

	return cmocka_run_group_tests_name("endpoint_fuzz", tests, NULL, NULL);
}
