/* quic/protect against RFC 9001 Appendix A (QUIC v1) and RFC 9369
 * Appendix A (QUIC v2): Initial keys, the client and server Initial
 * packets byte for byte (built from the RFC's header and payload,
 * protected, compared, unprotected again), the Retry integrity tags, the
 * ChaCha20-Poly1305 short header packet; plus nonces, key update, batched
 * header protection and failure paths. */
#include <string.h>

#include "unit.h"
#include "unit_crypto.h"
#include "quic/protect.h"
#include "data/quic_rfc_vectors.h"

#define N_VERSIONS (sizeof(quic_rfc_vectors) / sizeof(quic_rfc_vectors[0]))

static uint8_t dcid[8];

static void load_dcid(void)
{
	assert_int_equal(unit_unhex(QUIC_RFC_DCID, dcid, sizeof(dcid)), sizeof(dcid));
}

static void assert_hex(const uint8_t *got, const char *hex, size_t len)
{
	uint8_t want[1500];

	assert_int_equal(unit_unhex(hex, want, sizeof(want)), len);
	assert_memory_equal(got, want, len);
}

static void test_version_supported(void **state)
{
	assert_true(quic_version_supported(QUIC_VERSION_1));
	assert_true(quic_version_supported(QUIC_VERSION_2));
	assert_false(quic_version_supported(0));
	assert_false(quic_version_supported(0xff00001d));  /* draft-29 */
	assert_int_equal(quic_initial_secrets(0xff00001d, dcid, 8, NULL, NULL), -1);
}

/* A.1 */
static void test_initial_keys(void **state)
{
	load_dcid();
	for (size_t i = 0; i < N_VERSIONS; i++) {
		const struct quic_rfc_vectors *v = &quic_rfc_vectors[i];
		uint8_t cs[32], ss[32], key[16], iv[12], hp[16];

		print_message("  %s\n", v->rfc);
		assert_int_equal(quic_initial_secrets(v->version, dcid, sizeof(dcid), cs, ss), 0);
		assert_hex(cs, v->client_secret, 32);
		assert_hex(ss, v->server_secret, 32);

		assert_int_equal(quic_derive_keys(v->version, CRYPTO_AES_128_GCM, cs, 32, key, iv, hp), 0);
		assert_hex(key, v->client_key, 16);
		assert_hex(iv, v->client_iv, 12);
		assert_hex(hp, v->client_hp, 16);
		assert_int_equal(quic_derive_keys(v->version, CRYPTO_AES_128_GCM, ss, 32, key, iv, hp), 0);
		assert_hex(key, v->server_key, 16);
		assert_hex(iv, v->server_iv, 12);
		assert_hex(hp, v->server_hp, 16);
	}
}

/* Protect a packet the way a sender does and compare it with the RFC,
 * then take it apart the way the receiver does. */
static void check_initial_packet(uint32_t version, struct quic_keys *k,
				 const char *header_hex, const uint8_t *payload, size_t payloadlen,
				 uint64_t pn, size_t pnlen, const char *sample_hex,
				 const char *mask_hex, const char *packet_hex)
{
	static uint8_t pkt[1500];
	uint8_t hdr[64], sample[1][16], mask[1][5];
	size_t hdrlen = unit_unhex(header_hex, hdr, sizeof(hdr));
	size_t pn_offset = hdrlen - pnlen;
	size_t len = hdrlen + payloadlen + CRYPTO_AEAD_TAG_LEN;
	uint32_t tpn = 0;

	memcpy(pkt, hdr, hdrlen);
	memcpy(pkt + hdrlen, payload, payloadlen);
	assert_int_equal(quic_packet_seal(&k->aead, pn, pkt, hdrlen, payloadlen), 0);

	/* the sample and its mask, as the RFC lists them */
	assert_hex(pkt + pn_offset + 4, sample_hex, 16);
	memcpy(sample[0], pkt + pn_offset + 4, 16);
	assert_int_equal(crypto_hp_mask(&k->hp, (const uint8_t (*)[16])sample, mask, 1), 0);
	assert_hex(mask[0], mask_hex, 5);

	assert_int_equal(quic_hp_apply(&k->hp, pkt, pn_offset, len), 0);
	assert_hex(pkt, packet_hex, len);

	/* receive it */
	assert_int_equal(quic_hp_remove(&k->hp, pkt, pn_offset, len, &tpn), (int)pnlen);
	assert_int_equal(tpn, pn);
	assert_memory_equal(pkt, hdr, hdrlen);
	assert_int_equal(quic_packet_open(&k->aead, pn, pkt, hdrlen, len - hdrlen), 0);
	assert_memory_equal(pkt + hdrlen, payload, payloadlen);
	(void)version;
}

/* A.2 */
static void test_client_initial(void **state)
{
	static struct quic_keys client, server;
	static uint8_t payload[QUIC_RFC_CLIENT_PAYLOAD_LEN];

	load_dcid();
	for (size_t i = 0; i < N_VERSIONS; i++) {
		const struct quic_rfc_vectors *v = &quic_rfc_vectors[i];

		print_message("  %s\n", v->rfc);
		memset(payload, 0, sizeof(payload));  /* PADDING */
		unit_unhex(v->client_crypto_frame, payload, sizeof(payload));
		assert_int_equal(quic_initial_keys(v->version, dcid, sizeof(dcid), &client, &server), 0);
		check_initial_packet(v->version, &client, v->client_header, payload, sizeof(payload),
				     2, 4, v->client_sample, v->client_mask, v->client_packet);
		quic_keys_deinit(&client);
		quic_keys_deinit(&server);
	}
}

/* A.3 */
static void test_server_initial(void **state)
{
	static struct quic_keys client, server;
	uint8_t payload[200];

	load_dcid();
	for (size_t i = 0; i < N_VERSIONS; i++) {
		const struct quic_rfc_vectors *v = &quic_rfc_vectors[i];
		size_t n = unit_unhex(v->server_payload, payload, sizeof(payload));

		print_message("  %s\n", v->rfc);
		assert_int_equal(quic_initial_keys(v->version, dcid, sizeof(dcid), &client, &server), 0);
		check_initial_packet(v->version, &server, v->server_header, payload, n,
				     1, 2, v->server_sample, v->server_mask, v->server_packet);
		quic_keys_deinit(&client);
		quic_keys_deinit(&server);
	}
}

/* Each direction and version has its own keys: a packet sealed with one
 * does not open with another, and the failed open leaves zeros, never
 * plaintext. */
static void test_initial_wrong_direction(void **state)
{
	static struct quic_keys client, server;
	static uint8_t pkt[1500];
	size_t len;
	uint32_t tpn;
	int pnlen;

	load_dcid();
	len = unit_unhex(quic_rfc_vectors[0].server_packet, pkt, sizeof(pkt));
	assert_int_equal(quic_initial_keys(QUIC_VERSION_1, dcid, sizeof(dcid), &client, &server), 0);
	assert_int_equal(quic_hp_remove(&server.hp, pkt, 18, len, &tpn), 2);
	assert_int_equal(quic_packet_open(&client.aead, tpn, pkt, 20, len - 20), -1);
	for (size_t i = 20; i < len - 16; i++)
		assert_int_equal(pkt[i], 0);
	/* the v2 keys do not open a v1 packet */
	quic_keys_deinit(&server);
	assert_int_equal(quic_initial_keys(QUIC_VERSION_2, dcid, sizeof(dcid), &client, &server), 0);
	len = unit_unhex(quic_rfc_vectors[0].server_packet, pkt, sizeof(pkt));
	pnlen = quic_hp_remove(&server.hp, pkt, 18, len, &tpn);
	assert_int_equal(pnlen, (pkt[0] & 3) + 1);  /* garbage, but consistent */
	assert_int_equal(quic_packet_open(&server.aead, 1, pkt, 18 + (size_t)pnlen,
					  len - 18 - (size_t)pnlen), -1);
	quic_keys_deinit(&client);
	quic_keys_deinit(&server);
}

/* A.4 */
static void test_retry(void **state)
{
	uint8_t retry[64], tag[16];

	load_dcid();
	for (size_t i = 0; i < N_VERSIONS; i++) {
		const struct quic_rfc_vectors *v = &quic_rfc_vectors[i];
		size_t len = unit_unhex(v->retry_packet, retry, sizeof(retry));

		print_message("  %s\n", v->rfc);
		assert_int_equal(quic_retry_tag(v->version, dcid, sizeof(dcid), retry, len - 16, tag), 0);
		assert_memory_equal(tag, retry + len - 16, 16);
		assert_int_equal(quic_retry_verify(v->version, dcid, sizeof(dcid), retry, len), 0);

		/* another version, another ODCID, a flipped bit: not authentic */
		assert_int_equal(quic_retry_verify(v->version ^ QUIC_VERSION_1 ^ QUIC_VERSION_2,
						   dcid, sizeof(dcid), retry, len), -1);
		assert_int_equal(quic_retry_verify(v->version, dcid, sizeof(dcid) - 1, retry, len), -1);
		retry[len - 20] ^= 0x01;
		assert_int_equal(quic_retry_verify(v->version, dcid, sizeof(dcid), retry, len), -1);
		retry[len - 20] ^= 0x01;
		retry[len - 1] ^= 0x80;
		assert_int_equal(quic_retry_verify(v->version, dcid, sizeof(dcid), retry, len), -1);
		assert_int_equal(quic_retry_verify(v->version, dcid, sizeof(dcid), retry, 15), -1);
	}
	assert_int_equal(quic_retry_tag(QUIC_VERSION_1, dcid, 21, retry, 10, tag), -1);
	assert_int_equal(quic_retry_tag(QUIC_VERSION_1, dcid, 8, retry, QUIC_RETRY_MAX_LEN + 1, tag), -1);
}

/* A.5: the whole 21-byte packet */
static void test_chacha20_short_header(void **state)
{
	static struct quic_keys k;
	uint8_t secret[32], key[32], iv[12], hp[32], ku[32], nonce[12], hdr[4], pkt[21];
	uint32_t tpn;

	if (!IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305))
		skip();
	for (size_t i = 0; i < N_VERSIONS; i++) {
		const struct quic_rfc_vectors *v = &quic_rfc_vectors[i];

		print_message("  %s\n", v->rfc);
		unit_unhex(v->cc_secret, secret, sizeof(secret));
		assert_int_equal(quic_derive_keys(v->version, CRYPTO_CHACHA20_POLY1305, secret, 32,
						  key, iv, hp), 0);
		assert_hex(key, v->cc_key, 32);
		assert_hex(iv, v->cc_iv, 12);
		assert_hex(hp, v->cc_hp, 32);
		assert_int_equal(quic_key_update_secret(v->version, CRYPTO_CHACHA20_POLY1305,
							secret, 32, ku), 0);
		assert_hex(ku, v->cc_ku, 32);
		quic_nonce(iv, QUIC_RFC_CC_PN, nonce);
		assert_hex(nonce, v->cc_nonce, 12);

		assert_int_equal(quic_keys_init(&k, v->version, CRYPTO_CHACHA20_POLY1305, secret, 32), 0);
		unit_unhex(v->cc_header, hdr, sizeof(hdr));
		memcpy(pkt, hdr, 4);
		pkt[4] = 0x01;  /* PING */
		assert_int_equal(quic_packet_seal(&k.aead, QUIC_RFC_CC_PN, pkt, 4, 1), 0);
		assert_hex(pkt + 5, v->cc_sample, 16);
		assert_int_equal(quic_hp_apply(&k.hp, pkt, 1, sizeof(pkt)), 0);
		assert_hex(pkt, v->cc_packet, sizeof(pkt));

		assert_int_equal(quic_hp_remove(&k.hp, pkt, 1, sizeof(pkt), &tpn), 3);
		assert_int_equal(tpn, QUIC_RFC_CC_PN & 0xffffff);
		assert_memory_equal(pkt, hdr, 4);
		assert_int_equal(quic_packet_open(&k.aead, QUIC_RFC_CC_PN, pkt, 4, 17), 0);
		assert_int_equal(pkt[4], 0x01);
		quic_keys_deinit(&k);
	}
}

static void test_nonce(void **state)
{
	uint8_t iv[12], nonce[12];

	for (int i = 0; i < 12; i++)
		iv[i] = (uint8_t)(0x10 * i);
	quic_nonce(iv, 0, nonce);
	assert_memory_equal(nonce, iv, 12);
	quic_nonce(iv, 0x0102030405060708ull, nonce);
	for (int i = 0; i < 4; i++)
		assert_int_equal(nonce[i], iv[i]);
	for (int i = 4; i < 12; i++)
		assert_int_equal(nonce[i], iv[i] ^ (i - 3));
	quic_nonce(iv, (1ull << 62) - 1, nonce);  /* the largest packet number */
	assert_int_equal(nonce[4], iv[4] ^ 0x3f);
	assert_int_equal(nonce[11], iv[11] ^ 0xff);
}

/* "quic ku" chains: in place equals out of place, each step differs,
 * and the next phase's payload keys open what they sealed while the old
 * keys cannot. */
static void test_key_update(void **state)
{
	static struct quic_aead cur, next;
	uint8_t s[32], n1[32], n2[32], pkt[64];

	for (int i = 0; i < 32; i++)
		s[i] = (uint8_t)i;
	assert_int_equal(quic_key_update_secret(QUIC_VERSION_1, CRYPTO_AES_128_GCM, s, 32, n1), 0);
	assert_int_equal(quic_key_update_secret(QUIC_VERSION_1, CRYPTO_AES_128_GCM, n1, 32, n2), 0);
	assert_memory_not_equal(s, n1, 32);
	assert_memory_not_equal(n1, n2, 32);
	assert_int_equal(quic_key_update_secret(QUIC_VERSION_1, CRYPTO_AES_128_GCM, s, 32, s), 0);
	assert_memory_equal(s, n1, 32);
	/* v2 uses its own label */
	assert_int_equal(quic_key_update_secret(QUIC_VERSION_2, CRYPTO_AES_128_GCM, n1, 32, s), 0);
	assert_memory_not_equal(s, n2, 32);
	/* the secret must be as long as the suite's hash */
	assert_int_equal(quic_key_update_secret(QUIC_VERSION_1, CRYPTO_AES_128_GCM, n1, 31, s), -1);

	assert_int_equal(quic_aead_init(&cur, QUIC_VERSION_1, CRYPTO_AES_128_GCM, n1, 32), 0);
	assert_int_equal(quic_aead_init(&next, QUIC_VERSION_1, CRYPTO_AES_128_GCM, n2, 32), 0);
	memset(pkt, 0x41, sizeof(pkt));
	pkt[0] = 0x44;  /* short header, key phase 1 */
	assert_int_equal(quic_packet_seal(&next, 7, pkt, 4, 20), 0);
	assert_int_equal(quic_packet_open(&cur, 7, pkt, 4, 36), -1);
	memset(pkt + 4, 0x41, 20);
	assert_int_equal(quic_packet_seal(&next, 7, pkt, 4, 20), 0);
	assert_int_equal(quic_packet_open(&next, 7, pkt, 4, 36), 0);
	assert_int_equal(quic_packet_open(&next, 7, pkt, 4, 15), -1);  /* shorter than a tag */
	quic_aead_deinit(&cur);
	quic_aead_deinit(&next);
}

/* Batched header protection gives the same bytes as one packet at a time,
 * across the batch size (8) and for long and short headers alike. */
static void test_hp_apply_batch(void **state)
{
	static const enum crypto_aead algs[] = {
		CRYPTO_AES_128_GCM, CRYPTO_AES_256_GCM, CRYPTO_CHACHA20_POLY1305, CRYPTO_AES_128_CCM,
	};
	static uint8_t a[20][64], b[20][64];
	static struct quic_keys k;
	struct quic_hp_job jobs[20];
	uint8_t secret[48];

	for (size_t s = 0; s < sizeof(algs) / sizeof(algs[0]); s++) {
		enum crypto_aead alg = algs[s];
		size_t hlen = crypto_hash_len(crypto_aead_hash(alg));

		if (!crypto_aead_enabled(alg))
			continue;
		for (size_t i = 0; i < sizeof(secret); i++)
			secret[i] = (uint8_t)(i * 3 + s);
		assert_int_equal(quic_keys_init(&k, QUIC_VERSION_1, alg, secret, hlen), 0);
		for (size_t n = 1; n <= 20; n++) {
			for (size_t i = 0; i < n; i++) {
				for (size_t j = 0; j < 64; j++)
					a[i][j] = (uint8_t)(i * 31 + j * 7 + n);
				/* alternate short (0x40) and long (0xc0) headers,
				 * every packet-number length */
				a[i][0] = (uint8_t)((i & 1 ? 0xc0 : 0x40) | (i & 3));
				jobs[i] = (struct quic_hp_job){ .pkt = a[i], .pn_offset = 1 + i % 9,
								.len = 40 + i };
			}
			memcpy(b, a, sizeof(a));
			assert_int_equal(quic_hp_apply_batch(&k.hp, jobs, n), 0);
			for (size_t i = 0; i < n; i++) {
				uint32_t tpn;

				assert_int_equal(quic_hp_apply(&k.hp, b[i], 1 + i % 9, 40 + i), 0);
				assert_memory_equal(a[i], b[i], 64);
				/* and removal restores the header */
				assert_int_equal(quic_hp_remove(&k.hp, b[i], 1 + i % 9, 40 + i, &tpn),
						 (int)(i & 3) + 1);
				assert_int_equal(b[i][0] & 0x03, i & 3);
			}
		}
		/* a packet too short for its sample: nothing is touched */
		memcpy(b, a, sizeof(a));
		jobs[3].len = jobs[3].pn_offset + 19;
		assert_int_equal(quic_hp_apply_batch(&k.hp, jobs, 5), -1);
		assert_memory_equal(a, b, sizeof(a));
		assert_int_equal(quic_hp_remove(&k.hp, b[0], 10, 29, NULL), -1);
		assert_int_equal(quic_hp_remove(&k.hp, b[0], 30, 29, NULL), -1);
		quic_keys_deinit(&k);
	}
}

/* keys_init fails cleanly for a suite that is not built or a bad secret */
static void test_keys_init_failures(void **state)
{
	static struct quic_keys k;
	uint8_t secret[48] = { 0 };

	assert_int_equal(quic_keys_init(&k, 0x12345678, CRYPTO_AES_128_GCM, secret, 32), -1);
	assert_int_equal(quic_keys_init(&k, QUIC_VERSION_1, CRYPTO_AEAD_NONE, secret, 32), -1);
	assert_int_equal(quic_keys_init(&k, QUIC_VERSION_1, CRYPTO_AES_128_CCM, secret, 32),
			 IS_ENABLED(CONFIG_CIPHER_AES_128_CCM) ? 0 : -1);
	quic_keys_deinit(&k);
	for (size_t i = 0; i < sizeof(k); i++)
		assert_int_equal(((const uint8_t *)&k)[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_version_supported),
		UNIT_TEST(test_initial_keys),
		UNIT_TEST(test_client_initial),
		UNIT_TEST(test_server_initial),
		UNIT_TEST(test_initial_wrong_direction),
		UNIT_TEST(test_retry),
		UNIT_TEST(test_chacha20_short_header),
		UNIT_TEST(test_nonce),
		UNIT_TEST(test_key_update),
		UNIT_TEST(test_hp_apply_batch),
		UNIT_TEST(test_keys_init_failures),
	};

	return UNIT_CRYPTO_RUN("protect", tests);
}
