/* quic/packet: the RFC 9001 A.2-A.5 and RFC 9369 Appendix A packets parsed
 * (and unprotected with quic/protect to see the header underneath), their
 * headers rebuilt byte for byte; packet numbers against RFC 9000 A.2/A.3
 * and near every window and the 2^62 end; builder/parser round trips for
 * every type and both versions; coalesced packets; truncations, fixed and
 * reserved bits, length fields, Version Negotiation lists, unknown
 * versions; a randomized robustness run. */
#include <string.h>

#include "unit.h"
#include "quic/packet.h"
#include "quic/protect.h"
#include "data/quic_rfc_vectors.h"

#define N_VERSIONS (sizeof(quic_rfc_vectors) / sizeof(quic_rfc_vectors[0]))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const uint32_t both_versions[] = { QUIC_VERSION_1, QUIC_VERSION_2 };
static const enum quic_pkt_type long_types[] = {
	QUIC_PKT_INITIAL, QUIC_PKT_0RTT, QUIC_PKT_HANDSHAKE,
};

static struct quic_cid cid_of(const char *hex)
{
	struct quic_cid c;

	c.len = (uint8_t)unit_unhex(hex, c.b, sizeof(c.b));
	return c;
}

static struct quic_cid cid_pattern(size_t len, uint8_t seed)
{
	struct quic_cid c = { .len = (uint8_t)len };

	for (size_t i = 0; i < len; i++)
		c.b[i] = (uint8_t)(seed + 7 * i);
	return c;
}

static void assert_cid(const struct quic_cid *got, const struct quic_cid *want)
{
	assert_int_equal(got->len, want->len);
	assert_memory_equal(got->b, want->b, want->len);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_pn(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* The input copied to the very end of a buffer, so that ASan sees any read
 * past it. The header's pointers point into the copy. */
static int parse_tight(const uint8_t *p, size_t n, size_t short_dcid_len,
		       struct quic_pkt_hdr *h, const uint8_t **copy)
{
	static uint8_t tight[20000];
	uint8_t *d = tight + sizeof(tight) - n;

	assert_true(n <= sizeof(tight));
	memmove(d, p, n);
	if (copy)
		*copy = d;
	return quic_pkt_parse(d, n, short_dcid_len, h);
}

/* A long header packet: header, a patterned payload, 16 bytes of "tag". */
static size_t build_long(uint8_t *out, size_t cap, uint32_t version, enum quic_pkt_type type,
			 const struct quic_cid *dcid, const struct quic_cid *scid,
			 const uint8_t *token, size_t token_len, uint64_t pn, size_t pn_len,
			 size_t payload_len, size_t *pn_offset)
{
	struct buf_writer w;
	size_t length_pos, length = pn_len + payload_len + 16;
	uint8_t *p;

	buf_writer_init(&w, out, cap);
	assert_int_equal(quic_pkt_write_long(&w, type, version, dcid, scid, token, token_len,
					     pn, pn_len, &length_pos, pn_offset), 0);
	p = buf_put_space(&w, payload_len + 16);
	assert_non_null(p);
	for (size_t i = 0; i < payload_len + 16; i++)
		p[i] = (uint8_t)(i * 13 + 1);
	assert_int_equal(quic_pkt_set_length(out, length_pos, length), 0);
	return buf_written(&w);
}

static size_t build_short(uint8_t *out, size_t cap, const struct quic_cid *dcid, bool key_phase,
			  bool spin, uint64_t pn, size_t pn_len, size_t payload_len)
{
	struct buf_writer w;
	size_t pn_offset;
	uint8_t *p;

	buf_writer_init(&w, out, cap);
	assert_int_equal(quic_pkt_write_short(&w, dcid, key_phase, spin, pn, pn_len,
					      &pn_offset), 0);
	assert_int_equal(pn_offset, 1 + dcid->len);
	p = buf_put_space(&w, payload_len + 16);
	assert_non_null(p);
	memset(p, 0x5a, payload_len + 16);
	return buf_written(&w);
}

/* ------------------------------------------------------ RFC 9001 / 9369 */

static void check_rfc_initial(const struct quic_rfc_vectors *v, bool server)
{
	static uint8_t pkt[1500];
	static struct quic_keys client, server_keys;
	struct quic_cid odcid = cid_of(QUIC_RFC_DCID), none = { 0 };
	const char *hex = server ? v->server_packet : v->client_packet;
	const char *hdr_hex = server ? v->server_header : v->client_header;
	size_t pn_len = server ? 2 : 4;
	uint8_t hdr[64];
	size_t len = unit_unhex(hex, pkt, sizeof(pkt));
	size_t hdrlen = unit_unhex(hdr_hex, hdr, sizeof(hdr));
	struct quic_pkt_hdr h;
	uint32_t tpn;

	assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
	assert_int_equal(h.type, QUIC_PKT_INITIAL);
	assert_int_equal(h.version, v->version);
	assert_false(h.unknown_version);
	assert_int_equal(h.first, pkt[0]);
	assert_cid(&h.dcid, server ? &none : &odcid);
	if (server)
		assert_cid(&h.scid, &(struct quic_cid){ 8, { 0xf0, 0x67, 0xa5, 0x50, 0x2a,
							     0x42, 0x62, 0xb5 } });
	else
		assert_int_equal(h.scid.len, 0);
	assert_int_equal(h.token_len, 0);
	assert_int_equal(h.pn_offset, 18);
	assert_int_equal(h.pn_offset, hdrlen - pn_len);
	assert_int_equal(h.len, len);
	assert_int_equal(len, server ? 135 : 1200);
	assert_int_equal(quic_pkt_space(h.type), QUIC_SPACE_INITIAL);

	/* under header protection: the RFC's unprotected header */
	assert_int_equal(quic_initial_keys(v->version, odcid.b, odcid.len, &client,
					   &server_keys), 0);
	assert_int_equal(quic_hp_remove(server ? &server_keys.hp : &client.hp, pkt, h.pn_offset,
					h.len, &tpn), (int)pn_len);
	assert_memory_equal(pkt, hdr, hdrlen);
	assert_int_equal(quic_pkt_check_reserved(pkt[0]), QUIC_NO_ERROR);
	assert_int_equal(quic_pn_decode(UINT64_MAX, tpn, pn_len), server ? 1 : 2);
	quic_keys_deinit(&client);
	quic_keys_deinit(&server_keys);
}

/* RFC 9001 A.2, A.3; RFC 9369 A.2, A.3 */
static void test_rfc_initials(void **state)
{
	for (size_t i = 0; i < N_VERSIONS; i++) {
		print_message("  %s\n", quic_rfc_vectors[i].rfc);
		check_rfc_initial(&quic_rfc_vectors[i], false);
		check_rfc_initial(&quic_rfc_vectors[i], true);
	}
}

/* A.4: parsed, verified, and rebuilt byte for byte */
static void test_rfc_retry(void **state)
{
	struct quic_cid odcid = cid_of(QUIC_RFC_DCID), none = { 0 };
	struct quic_cid scid = cid_of("f067a5502a4262b5");

	for (size_t i = 0; i < N_VERSIONS; i++) {
		const struct quic_rfc_vectors *v = &quic_rfc_vectors[i];
		uint8_t pkt[64], out[64];
		size_t len = unit_unhex(v->retry_packet, pkt, sizeof(pkt));
		struct quic_pkt_hdr h;

		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
		assert_int_equal(h.type, QUIC_PKT_RETRY);
		assert_int_equal(h.version, v->version);
		assert_cid(&h.dcid, &none);
		assert_cid(&h.scid, &scid);
		assert_int_equal(h.token_len, 5);
		assert_memory_equal(h.token, "token", 5);
		assert_int_equal(h.len, len);
		assert_int_equal(quic_pkt_space(h.type), QUIC_SPACE_COUNT);
		assert_int_equal(quic_retry_verify(h.version, odcid.b, odcid.len, pkt, h.len), 0);

		assert_int_equal(quic_pkt_write_retry(out, sizeof(out), v->version, &none, &scid,
						      &odcid, (const uint8_t *)"token", 5), len);
		assert_memory_equal(out, pkt, len);
		/* one byte short of room */
		assert_int_equal(quic_pkt_write_retry(out, len - 1, v->version, &none, &scid,
						      &odcid, (const uint8_t *)"token", 5), 0);
	}
}

/* A.5: the ChaCha20-Poly1305 short header packet */
static void test_rfc_short(void **state)
{
	static struct quic_keys k;

	for (size_t i = 0; i < N_VERSIONS; i++) {
		const struct quic_rfc_vectors *v = &quic_rfc_vectors[i];
		uint8_t pkt[32], secret[32], hdr[4], out[8];
		size_t len = unit_unhex(v->cc_packet, pkt, sizeof(pkt));
		struct quic_pkt_hdr h, bad;
		struct buf_writer w;
		size_t pn_offset;
		uint32_t tpn;

		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
		assert_int_equal(h.type, QUIC_PKT_1RTT);
		assert_int_equal(h.dcid.len, 0);
		assert_int_equal(h.pn_offset, 1);
		assert_int_equal(h.len, 21);
		assert_int_equal(quic_pkt_space(h.type), QUIC_SPACE_APP);
		/* the shortest possible: one byte less cannot be sampled */
		assert_int_equal(quic_pkt_parse(pkt, len - 1, 0, &bad), -1);

		/* the unprotected header, built */
		unit_unhex(v->cc_header, hdr, sizeof(hdr));
		buf_writer_init(&w, out, sizeof(out));
		assert_int_equal(quic_pkt_write_short(&w, &(struct quic_cid){ 0 }, false, false,
						      QUIC_RFC_CC_PN, 3, &pn_offset), 0);
		assert_int_equal(buf_written(&w), 4);
		assert_int_equal(pn_offset, 1);
		assert_memory_equal(out, hdr, 4);

		if (!IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305))
			continue;
		unit_unhex(v->cc_secret, secret, sizeof(secret));
		assert_int_equal(quic_keys_init(&k, v->version, CRYPTO_CHACHA20_POLY1305,
						secret, 32), 0);
		assert_int_equal(quic_hp_remove(&k.hp, pkt, h.pn_offset, h.len, &tpn), 3);
		assert_memory_equal(pkt, hdr, 4);
		assert_int_equal(quic_pkt_check_reserved(pkt[0]), QUIC_NO_ERROR);
		assert_int_equal(quic_pn_decode(QUIC_RFC_CC_PN - 1, tpn, 3), QUIC_RFC_CC_PN);
		quic_keys_deinit(&k);
	}
}

/* The unprotected Initial headers of A.2 and A.3, built */
static void test_rfc_headers_built(void **state)
{
	struct quic_cid odcid = cid_of(QUIC_RFC_DCID), none = { 0 };
	struct quic_cid scid = cid_of("f067a5502a4262b5");

	for (size_t i = 0; i < N_VERSIONS; i++) {
		const struct quic_rfc_vectors *v = &quic_rfc_vectors[i];
		uint8_t want[64], out[64];
		size_t n, length_pos, pn_offset;
		struct buf_writer w;

		n = unit_unhex(v->client_header, want, sizeof(want));
		buf_writer_init(&w, out, sizeof(out));
		assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_INITIAL, v->version, &odcid,
						     &none, NULL, 0, 2, 4, &length_pos, &pn_offset),
				 0);
		assert_int_equal(quic_pkt_set_length(out, length_pos,
						     4 + QUIC_RFC_CLIENT_PAYLOAD_LEN + 16), 0);
		assert_int_equal(buf_written(&w), n);
		assert_int_equal(pn_offset, n - 4);
		assert_memory_equal(out, want, n);

		n = unit_unhex(v->server_header, want, sizeof(want));
		buf_writer_init(&w, out, sizeof(out));
		assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_INITIAL, v->version, &none, &scid,
						     NULL, 0, 1, 2, &length_pos, &pn_offset), 0);
		assert_int_equal(quic_pkt_set_length(out, length_pos,
						     2 + strlen(v->server_payload) / 2 + 16), 0);
		assert_int_equal(buf_written(&w), n);
		assert_int_equal(pn_offset, n - 2);
		assert_memory_equal(out, want, n);
	}
}

/* -------------------------------------------------------- packet numbers */

/* RFC 9000 A.2, A.3 and 17.1 */
static void test_pn_rfc_examples(void **state)
{
	assert_int_equal(quic_pn_decode(0xa82f30ea, 0x9b32, 2), 0xa82f9b32);
	assert_int_equal(quic_pn_encode_len(0xac5c02, 0xabe8b3), 2);
	assert_int_equal(quic_pn_encode_len(0xace8fe, 0xabe8b3), 3);

	/* nothing acknowledged yet */
	assert_int_equal(quic_pn_encode_len(0, UINT64_MAX), 1);
	assert_int_equal(quic_pn_encode_len(126, UINT64_MAX), 1);
	assert_int_equal(quic_pn_encode_len(127, UINT64_MAX), 2);
	/* "more than twice": 2 * 127 < 256, 2 * 128 is not */
	assert_int_equal(quic_pn_encode_len(227, 100), 1);
	assert_int_equal(quic_pn_encode_len(228, 100), 2);
	assert_int_equal(quic_pn_encode_len(100 + 32767, 100), 2);
	assert_int_equal(quic_pn_encode_len(100 + 32768, 100), 3);
	assert_int_equal(quic_pn_encode_len(100 + (1u << 23) - 1, 100), 3);
	assert_int_equal(quic_pn_encode_len(100 + (1u << 23), 100), 4);
	assert_int_equal(quic_pn_encode_len(QUIC_MAX_PN, 0), 4);

	/* nothing received yet: the window is around 0 */
	assert_int_equal(quic_pn_decode(UINT64_MAX, 0, 1), 0);
	assert_int_equal(quic_pn_decode(UINT64_MAX, 0xff, 1), 0xff);
	assert_int_equal(quic_pn_decode(UINT64_MAX, 0xffffffff, 4), 0xffffffff);
	/* pn_len outside 1..4 */
	assert_int_equal(quic_pn_decode(5, 6, 0), UINT64_MAX);
	assert_int_equal(quic_pn_decode(5, 6, 5), UINT64_MAX);
	/* bits above pn_len bytes are ignored */
	assert_int_equal(quic_pn_decode(0x1000, 0xab12, 1), 0x1012);
}

/* A.3 the slow way: the value with these low bits in the window
 * (expected - hwin, expected + hwin], moved by a window where that falls
 * outside 0..2^62-1. */
static uint64_t decode_slow(uint64_t largest, uint64_t truncated, size_t pn_len)
{
	int64_t win = INT64_C(1) << (8 * pn_len), hwin = win / 2;
	int64_t lo = (int64_t)(largest + 1) - hwin + 1;
	int64_t v = lo + ((((int64_t)truncated - lo) % win) + win) % win;

	if (v < 0)
		v += win;
	if (v > (int64_t)QUIC_MAX_PN)
		v -= win;
	return (uint64_t)v;
}

/* Every truncated value for 1 and 2 bytes, samples for 3 and 4, around
 * window boundaries and the end of the packet number space. */
static void test_pn_decode_windows(void **state)
{
	static const uint64_t largest[] = {
		UINT64_MAX, 0, 1, 126, 127, 128, 255, 256, 257, 32767, 32768, 65535, 65536,
		0x7fffff, 0x800000, 0xffffff, 0x1000000, 0x7fffffff, 0x80000000, 0xffffffff,
		UINT64_C(0x100000000), UINT64_C(0x1234567890), QUIC_MAX_PN - 0x80000000,
		QUIC_MAX_PN - 0x10000, QUIC_MAX_PN - 256, QUIC_MAX_PN - 128, QUIC_MAX_PN - 2,
		QUIC_MAX_PN - 1,
	};

	for (size_t i = 0; i < ARRAY_LEN(largest); i++) {
		for (size_t n = 1; n <= 4; n++) {
			uint64_t win = UINT64_C(1) << (8 * n);
			uint64_t step = n <= 2 ? 1 : win / 4096 + 3;

			for (uint64_t t = 0; t < win; t += step)
				assert_int_equal(quic_pn_decode(largest[i], t, n),
						 decode_slow(largest[i], t, n));
		}
	}
	/* A.3's guard: the window does not run past 2^62 - 1 */
	assert_int_equal(quic_pn_decode(QUIC_MAX_PN - 9, 0x00, 1), (UINT64_C(1) << 62) - 256);
	assert_int_equal(quic_pn_decode(QUIC_MAX_PN - 1, 0xff, 1), QUIC_MAX_PN);
	assert_int_equal(quic_pn_decode(QUIC_MAX_PN - 1, 0xfffffffe, 4), QUIC_MAX_PN - 1);
	/* past it: not a packet number, the caller drops the packet */
	assert_int_equal(quic_pn_decode(QUIC_MAX_PN, 0x00, 1), UINT64_C(1) << 62);
	/* and below zero */
	assert_int_equal(quic_pn_decode(0, 0xff, 1), 0xff);
	assert_int_equal(quic_pn_decode(100, 0xfffe, 2), 0xfffe);
}

/* What the sender picks always decodes, at every receiver state between
 * the largest acknowledged and the packet before. */
static void test_pn_encode_decode(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15;

	for (int i = 0; i < 20000; i++) {
		uint64_t acked, pn, recv;
		size_t n;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		acked = (x >> 2) % (QUIC_MAX_PN - (1u << 31));
		if (i % 4 == 0)
			acked = x % 1000;
		pn = acked + 1 + (x >> 33) % ((i % 3 == 0) ? (1u << 30) : 40000);
		n = quic_pn_encode_len(pn, acked);
		assert_true(n >= 1 && n <= 4);
		assert_true(2 * (pn - acked) < UINT64_C(1) << (8 * n));
		recv = acked + (x >> 7) % (pn - acked);
		assert_int_equal(quic_pn_decode(recv, pn & ((UINT64_C(1) << (8 * n)) - 1), n), pn);
		assert_int_equal(quic_pn_decode(acked, pn & ((UINT64_C(1) << (8 * n)) - 1), n), pn);
	}
	/* from the start: nothing acknowledged, nothing received */
	for (uint64_t pn = 0; pn < 70000; pn++) {
		size_t n = quic_pn_encode_len(pn, UINT64_MAX);

		assert_int_equal(quic_pn_decode(UINT64_MAX, pn & ((UINT64_C(1) << (8 * n)) - 1), n),
				 pn);
	}
}

/* ------------------------------------------------------------- builders */

static void test_long_round_trip(void **state)
{
	static uint8_t pkt[16384 + 128];
	static const size_t cid_lens[] = { 0, 1, 8, 20 };
	static const uint8_t v1_bits[] = { 0x00, 0x10, 0x20 }, v2_bits[] = { 0x10, 0x20, 0x30 };
	const uint8_t token[] = "a retry token, or one from NEW_TOKEN";

	for (size_t vi = 0; vi < 2; vi++)
	for (size_t ti = 0; ti < ARRAY_LEN(long_types); ti++)
	for (size_t ci = 0; ci < ARRAY_LEN(cid_lens); ci++)
	for (size_t pn_len = 1; pn_len <= 4; pn_len++)
	for (int pi = 0; pi < 3; pi++) {
		uint32_t version = both_versions[vi];
		enum quic_pkt_type type = long_types[ti];
		struct quic_cid dcid = cid_pattern(cid_lens[ci], 0x10);
		struct quic_cid scid = cid_pattern(cid_lens[(ci + 1) % 4], 0x80);
		size_t token_len = type == QUIC_PKT_INITIAL ? (ci % 2 ? sizeof(token) : 0) : 0;
		/* the shortest Length (20), a middling one, the longest (16383) */
		size_t payload = pi == 0 ? 4 - pn_len : pi == 1 ? 1000 : 16383 - 16 - pn_len;
		uint64_t pn = UINT64_C(0x0123456789) + ci * 977 + pn_len;
		size_t pn_offset, len;
		struct quic_pkt_hdr h;

		len = build_long(pkt, sizeof(pkt), version, type, &dcid, &scid, token, token_len,
				 pn, pn_len, payload, &pn_offset);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
		assert_int_equal(h.type, type);
		assert_int_equal(h.version, version);
		assert_false(h.unknown_version);
		assert_int_equal(h.first, 0xc0 | (vi ? v2_bits : v1_bits)[ti] | (pn_len - 1));
		assert_cid(&h.dcid, &dcid);
		assert_cid(&h.scid, &scid);
		assert_int_equal(h.token_len, token_len);
		if (token_len)
			assert_memory_equal(h.token, token, token_len);
		assert_int_equal(h.pn_offset, pn_offset);
		assert_int_equal(h.len, len);
		assert_int_equal(len - pn_offset, pn_len + payload + 16);
		assert_int_equal(get_pn(pkt + pn_offset, pn_len),
				 pn & ((UINT64_C(1) << (8 * pn_len)) - 1));
		assert_int_equal(quic_pkt_check_reserved(h.first), QUIC_NO_ERROR);
		assert_int_equal(quic_pkt_space(type), type == QUIC_PKT_INITIAL ?
				 QUIC_SPACE_INITIAL : type == QUIC_PKT_HANDSHAKE ?
				 QUIC_SPACE_HANDSHAKE : QUIC_SPACE_APP);
		/* trailing bytes belong to the next packet */
		pkt[len] = 0xee;
		assert_int_equal(quic_pkt_parse(pkt, len + 1, 0, &h), 0);
		assert_int_equal(h.len, len);
	}
}

static void test_short_round_trip(void **state)
{
	static const size_t cid_lens[] = { 0, 4, 8, 20 };
	uint8_t pkt[128];

	for (size_t ci = 0; ci < ARRAY_LEN(cid_lens); ci++)
	for (size_t pn_len = 1; pn_len <= 4; pn_len++)
	for (int bits = 0; bits < 4; bits++) {
		struct quic_cid dcid = cid_pattern(cid_lens[ci], 0x33);
		bool key_phase = bits & 1, spin = bits & 2;
		uint64_t pn = 0xfedcba98 + pn_len;
		size_t len = build_short(pkt, sizeof(pkt), &dcid, key_phase, spin, pn, pn_len,
					 4 - pn_len);
		struct quic_pkt_hdr h;

		assert_int_equal(quic_pkt_parse(pkt, len, dcid.len, &h), 0);
		assert_int_equal(h.type, QUIC_PKT_1RTT);
		assert_int_equal(h.first, 0x40 | (spin ? 0x20 : 0) | (key_phase ? 0x04 : 0) |
				 (pn_len - 1));
		assert_cid(&h.dcid, &dcid);
		assert_int_equal(h.pn_offset, 1 + dcid.len);
		assert_int_equal(h.len, len);
		assert_int_equal(get_pn(pkt + h.pn_offset, pn_len),
				 pn & ((UINT64_C(1) << (8 * pn_len)) - 1));
		assert_int_equal(quic_pkt_check_reserved(h.first), QUIC_NO_ERROR);
	}
}

static void test_vn_round_trip(void **state)
{
	static const uint32_t versions[] = { QUIC_VERSION_2, QUIC_VERSION_1, 0x1a2a3a4a };
	struct quic_cid dcid = cid_pattern(8, 1), scid = cid_pattern(20, 2);
	uint8_t pkt[128];
	struct quic_pkt_hdr h;
	size_t len;

	for (size_t n = 1; n <= ARRAY_LEN(versions); n++) {
		len = quic_pkt_write_version_negotiation(pkt, sizeof(pkt), &dcid, &scid, versions,
							 n, (uint8_t)(n * 0x55));
		assert_int_equal(len, 7 + 8 + 20 + 4 * n);
		assert_int_equal(pkt[0], 0xc0 | ((n * 0x55) & 0x3f));
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
		assert_int_equal(h.type, QUIC_PKT_VERSION_NEGOTIATION);
		assert_int_equal(h.version, 0);
		assert_false(h.unknown_version);
		assert_cid(&h.dcid, &dcid);
		assert_cid(&h.scid, &scid);
		assert_int_equal(h.n_versions, n);
		assert_int_equal(h.len, len);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(quic_pkt_vn_version(&h, i), versions[i]);
		assert_int_equal(quic_pkt_space(h.type), QUIC_SPACE_COUNT);
		/* exactly enough room, then one byte less */
		assert_int_equal(quic_pkt_write_version_negotiation(pkt, len, &dcid, &scid,
								    versions, n, 0), len);
		assert_int_equal(quic_pkt_write_version_negotiation(pkt, len - 1, &dcid, &scid,
								    versions, n, 0), 0);
	}
	assert_int_equal(quic_pkt_write_version_negotiation(pkt, sizeof(pkt), &dcid, &scid,
							    versions, 0, 0), 0);
	/* the unused bits are the peer's business: all of them set or clear */
	len = quic_pkt_write_version_negotiation(pkt, sizeof(pkt), &dcid, &scid, versions, 1, 0);
	pkt[0] = 0x80;
	assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
	assert_int_equal(h.type, QUIC_PKT_VERSION_NEGOTIATION);
	pkt[0] = 0xff;
	assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
	assert_int_equal(h.type, QUIC_PKT_VERSION_NEGOTIATION);
}

static void test_retry_round_trip(void **state)
{
	static uint8_t pkt[QUIC_RETRY_MAX_LEN + 64];
	static uint8_t token[QUIC_RETRY_MAX_LEN];
	static const size_t token_lens[] = { 1, 16, 100, QUIC_RETRY_MAX_LEN - 7 - 16 - 20 };

	for (size_t i = 0; i < sizeof(token); i++)
		token[i] = (uint8_t)(i ^ 0xa5);
	for (size_t vi = 0; vi < 2; vi++)
	for (size_t ti = 0; ti < ARRAY_LEN(token_lens); ti++) {
		uint32_t version = both_versions[vi];
		struct quic_cid dcid = cid_pattern(ti * 5, 9), scid = cid_pattern(20 - ti * 5, 3);
		struct quic_cid odcid = cid_pattern(8 + ti, 4);
		size_t len = quic_pkt_write_retry(pkt, sizeof(pkt), version, &dcid, &scid, &odcid,
						  token, token_lens[ti]);
		struct quic_pkt_hdr h;

		assert_int_equal(len, 7 + dcid.len + scid.len + token_lens[ti] + 16);
		assert_int_equal(pkt[0], vi ? 0xcf : 0xff);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
		assert_int_equal(h.type, QUIC_PKT_RETRY);
		assert_int_equal(h.version, version);
		assert_cid(&h.dcid, &dcid);
		assert_cid(&h.scid, &scid);
		assert_int_equal(h.token_len, token_lens[ti]);
		assert_memory_equal(h.token, token, token_lens[ti]);
		assert_int_equal(h.len, len);
		assert_int_equal(quic_retry_verify(version, odcid.b, odcid.len, pkt, len), 0);
		assert_int_equal(quic_retry_verify(version, dcid.b, dcid.len, pkt, len), -1);
	}
}

static void test_builder_errors(void **state)
{
	struct quic_cid cid = cid_pattern(8, 1), big = cid_pattern(20, 2);
	uint8_t out[256], tok[4] = { 1, 2, 3, 4 };
	struct buf_writer w;
	size_t lp = 99, po = 99;

	big.len = 21;
	buf_writer_init(&w, out, sizeof(out));
	/* not a long type with a Length */
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_RETRY, QUIC_VERSION_1, &cid, &cid,
					     NULL, 0, 0, 1, &lp, &po), -1);
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_VERSION_NEGOTIATION, QUIC_VERSION_1,
					     &cid, &cid, NULL, 0, 0, 1, &lp, &po), -1);
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_1RTT, QUIC_VERSION_1, &cid, &cid,
					     NULL, 0, 0, 1, &lp, &po), -1);
	/* a version whose type bits we do not know */
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_INITIAL, 0xff00001d, &cid, &cid,
					     NULL, 0, 0, 1, &lp, &po), -1);
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_INITIAL, 0, &cid, &cid,
					     NULL, 0, 0, 1, &lp, &po), -1);
	/* packet number length and range */
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_HANDSHAKE, QUIC_VERSION_1, &cid, &cid,
					     NULL, 0, 0, 0, &lp, &po), -1);
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_HANDSHAKE, QUIC_VERSION_1, &cid, &cid,
					     NULL, 0, 0, 5, &lp, &po), -1);
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_HANDSHAKE, QUIC_VERSION_1, &cid, &cid,
					     NULL, 0, QUIC_MAX_PN + 1, 4, &lp, &po), -1);
	/* a token outside Initial, a token without bytes, a CID too long */
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_HANDSHAKE, QUIC_VERSION_2, &cid, &cid,
					     tok, 4, 0, 1, &lp, &po), -1);
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_INITIAL, QUIC_VERSION_2, &cid, &cid,
					     NULL, 4, 0, 1, &lp, &po), -1);
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_INITIAL, QUIC_VERSION_2, &big, &cid,
					     NULL, 0, 0, 1, &lp, &po), -1);
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_INITIAL, QUIC_VERSION_2, &cid, &big,
					     NULL, 0, 0, 1, &lp, &po), -1);
	/* none of that wrote anything */
	assert_false(w.err);
	assert_int_equal(buf_written(&w), 0);
	/* ok */
	assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_INITIAL, QUIC_VERSION_2, &cid, &cid,
					     tok, 4, QUIC_MAX_PN, 4, &lp, &po), 0);
	assert_int_equal(lp, 1 + 4 + 9 + 9 + 1 + 4);
	assert_int_equal(po, lp + 2);

	/* no room: every shorter buffer fails */
	for (size_t cap = 0; cap < po + 4; cap++) {
		buf_writer_init(&w, out, cap);
		assert_int_equal(quic_pkt_write_long(&w, QUIC_PKT_INITIAL, QUIC_VERSION_2, &cid,
						     &cid, tok, 4, 7, 4, &lp, &po), -1);
		assert_true(w.err);
	}
	for (size_t cap = 0; cap < 1 + 8 + 2; cap++) {
		buf_writer_init(&w, out, cap);
		assert_int_equal(quic_pkt_write_short(&w, &cid, true, true, 7, 2, &po), -1);
	}

	/* Length: room for the sample and a 2-byte varint */
	assert_int_equal(quic_pkt_set_length(out, 0, QUIC_PKT_MIN_PROTECTED - 1), -1);
	assert_int_equal(quic_pkt_set_length(out, 0, 16384), -1);
	assert_int_equal(quic_pkt_set_length(out, 0, QUIC_PKT_LENGTH_MAX), 0);
	assert_memory_equal(out, "\x7f\xff", 2);
	assert_int_equal(quic_pkt_set_length(out, 0, 20), 0);
	assert_memory_equal(out, "\x40\x14", 2);

	buf_writer_init(&w, out, sizeof(out));
	assert_int_equal(quic_pkt_write_short(&w, &cid, false, false, 0, 0, &po), -1);
	assert_int_equal(quic_pkt_write_short(&w, &cid, false, false, 0, 5, &po), -1);
	assert_int_equal(quic_pkt_write_short(&w, &cid, false, false, QUIC_MAX_PN + 1, 4, &po), -1);
	assert_int_equal(quic_pkt_write_short(&w, &big, false, false, 0, 1, &po), -1);
	assert_int_equal(buf_written(&w), 0);

	assert_int_equal(quic_pkt_write_version_negotiation(out, sizeof(out), &big, &cid,
							    &(uint32_t){ 1 }, 1, 0), 0);
	assert_int_equal(quic_pkt_write_version_negotiation(out, sizeof(out), &cid, &big,
							    &(uint32_t){ 1 }, 1, 0), 0);

	/* Retry: empty token, unknown version, CIDs, too long for the tag */
	assert_int_equal(quic_pkt_write_retry(out, sizeof(out), QUIC_VERSION_1, &cid, &cid, &cid,
					      tok, 0), 0);
	assert_int_equal(quic_pkt_write_retry(out, sizeof(out), 0xff00001d, &cid, &cid, &cid,
					      tok, 4), 0);
	assert_int_equal(quic_pkt_write_retry(out, sizeof(out), QUIC_VERSION_1, &big, &cid, &cid,
					      tok, 4), 0);
	assert_int_equal(quic_pkt_write_retry(out, sizeof(out), QUIC_VERSION_1, &cid, &cid, &big,
					      tok, 4), 0);
	{
		static uint8_t big_out[QUIC_RETRY_MAX_LEN + 64], big_tok[QUIC_RETRY_MAX_LEN];

		assert_int_equal(quic_pkt_write_retry(big_out, sizeof(big_out), QUIC_VERSION_1,
						      &cid, &cid, &cid, big_tok,
						      QUIC_RETRY_MAX_LEN - 7 - 16 + 1), 0);
		assert_int_equal(quic_pkt_write_retry(big_out, sizeof(big_out), QUIC_VERSION_1,
						      &cid, &cid, &cid, big_tok,
						      QUIC_RETRY_MAX_LEN - 7 - 16),
				 QUIC_RETRY_MAX_LEN + 16);
	}
}

/* ------------------------------------------------------------- datagrams */

/* Initial + Handshake + 1-RTT in one datagram, walked by len */
static void test_coalesced(void **state)
{
	static uint8_t d[1500];

	for (size_t vi = 0; vi < 2; vi++) {
		uint32_t version = both_versions[vi];
		struct quic_cid dcid = cid_pattern(8, 0x40), scid = cid_pattern(5, 0x90);
		size_t n = 0, off, po[3], len[3];
		struct quic_pkt_hdr h;

		len[0] = build_long(d, sizeof(d), version, QUIC_PKT_INITIAL, &dcid, &scid, NULL, 0,
				    0, 1, 300, &po[0]);
		n += len[0];
		len[1] = build_long(d + n, sizeof(d) - n, version, QUIC_PKT_HANDSHAKE, &dcid, &scid,
				    NULL, 0, 1, 2, 500, &po[1]);
		n += len[1];
		len[2] = build_short(d + n, sizeof(d) - n, &dcid, false, true, 2, 1, 100);
		po[2] = 1 + dcid.len;
		n += len[2];

		off = 0;
		for (int i = 0; i < 3; i++) {
			assert_int_equal(quic_pkt_parse(d + off, n - off, dcid.len, &h), 0);
			assert_int_equal(h.type, i == 0 ? QUIC_PKT_INITIAL : i == 1 ?
					 QUIC_PKT_HANDSHAKE : QUIC_PKT_1RTT);
			assert_int_equal(h.pn_offset, po[i]);
			assert_int_equal(h.len, len[i]);
			assert_cid(&h.dcid, &dcid);
			off += h.len;
		}
		assert_int_equal(off, n);

		/* a Handshake Length running past the datagram: the rest is dropped */
		d[len[0] + po[1] - 2] = 0x45;
		assert_int_equal(quic_pkt_parse(d + len[0], n - len[0], dcid.len, &h), -1);
		assert_int_equal(quic_pkt_parse(d, n, dcid.len, &h), 0);
		assert_int_equal(h.len, len[0]);
	}
}

/* ---------------------------------------------------------- malformed */

/* Whether the prefix of k bytes of a packet parsed as *full is a packet:
 * Length fields must be complete, Retry needs its tag and a token, VN a
 * whole list, short headers room for the sample. */
static bool prefix_ok(const uint8_t *pkt, const struct quic_pkt_hdr *full, size_t k)
{
	size_t end;

	if (!quic_pkt_is_long(full->first))
		return k >= full->pn_offset + QUIC_PKT_MIN_PROTECTED;
	end = 7 + (size_t)pkt[5] + pkt[6 + pkt[5]];
	if (full->unknown_version)
		return k >= end;
	switch (full->type) {
	case QUIC_PKT_VERSION_NEGOTIATION:
		return k > end && (k - end) % 4 == 0;
	case QUIC_PKT_RETRY:
		return k > end + QUIC_RETRY_TAG_LEN;
	default:
		return k >= full->len;
	}
}

static void check_truncations(const uint8_t *pkt, size_t len, size_t short_dcid_len)
{
	struct quic_pkt_hdr full, h;

	assert_int_equal(parse_tight(pkt, len, short_dcid_len, &full, NULL), 0);
	for (size_t k = 0; k < len; k++) {
		int r = parse_tight(pkt, k, short_dcid_len, &h, NULL);

		assert_int_equal(r, prefix_ok(pkt, &full, k) ? 0 : -1);
		if (r == 0) {
			assert_int_equal(h.type, full.type);
			assert_int_equal(h.version, full.version);
			assert_cid(&h.dcid, &full.dcid);
		}
	}
}

static void test_truncations(void **state)
{
	static uint8_t pkt[1500];
	struct quic_cid c8 = cid_pattern(8, 0x11), c20 = cid_pattern(20, 0x22), c0 = { 0 };
	size_t len, po;

	for (size_t i = 0; i < N_VERSIONS; i++) {
		const struct quic_rfc_vectors *v = &quic_rfc_vectors[i];

		len = unit_unhex(v->client_packet, pkt, sizeof(pkt));
		check_truncations(pkt, len, 0);
		len = unit_unhex(v->server_packet, pkt, sizeof(pkt));
		check_truncations(pkt, len, 0);
		len = unit_unhex(v->retry_packet, pkt, sizeof(pkt));
		check_truncations(pkt, len, 0);
		len = unit_unhex(v->cc_packet, pkt, sizeof(pkt));
		check_truncations(pkt, len, 0);
	}
	for (size_t vi = 0; vi < 2; vi++)
	for (size_t ti = 0; ti < ARRAY_LEN(long_types); ti++) {
		len = build_long(pkt, sizeof(pkt), both_versions[vi], long_types[ti], &c20, &c8,
				 (const uint8_t *)"tok", long_types[ti] == QUIC_PKT_INITIAL ? 3 : 0,
				 77, 3, 40, &po);
		check_truncations(pkt, len, 0);
	}
	len = build_short(pkt, sizeof(pkt), &c20, true, false, 5, 4, 30);
	check_truncations(pkt, len, 20);
	len = quic_pkt_write_version_negotiation(pkt, sizeof(pkt), &c0, &c8,
						 (const uint32_t[]){ 1, 2, 3 }, 3, 0);
	check_truncations(pkt, len, 0);
	len = quic_pkt_write_retry(pkt, sizeof(pkt), QUIC_VERSION_2, &c8, &c20, &c8,
				   (const uint8_t *)"tok", 3);
	check_truncations(pkt, len, 0);
	/* an unknown version: the invariants only */
	memcpy(pkt, "\xc0\xff\x00\x00\x1d\x02\xaa\xbb\x01\xcc\x00\x01\x02", 13);
	check_truncations(pkt, 13, 0);
}

static void test_fixed_and_reserved_bits(void **state)
{
	static uint8_t pkt[1500];
	struct quic_pkt_hdr h;
	size_t len;

	/* the fixed bit is 1 in v1 and v2 long headers and in short headers */
	for (size_t i = 0; i < N_VERSIONS; i++) {
		const struct quic_rfc_vectors *v = &quic_rfc_vectors[i];

		len = unit_unhex(v->client_packet, pkt, sizeof(pkt));
		pkt[0] &= ~0x40;
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
		len = unit_unhex(v->retry_packet, pkt, sizeof(pkt));
		pkt[0] &= ~0x40;
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
		len = unit_unhex(v->cc_packet, pkt, sizeof(pkt));
		pkt[0] &= ~0x40;
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
	}
	/* but not in other versions (RFC 8999: only the form bit is invariant) */
	memcpy(pkt, "\x80\x1a\x2a\x3a\x4a\x00\x00", 7);
	assert_int_equal(quic_pkt_parse(pkt, 7, 0, &h), 0);
	assert_true(h.unknown_version);

	/* reserved bits are under header protection: parsed as they come,
	 * checked once it is removed */
	len = unit_unhex(quic_rfc_vectors[0].server_packet, pkt, sizeof(pkt));
	pkt[0] ^= 0x0c;
	assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
	assert_int_equal(quic_pkt_check_reserved(0xc0), QUIC_NO_ERROR);
	assert_int_equal(quic_pkt_check_reserved(0xf3), QUIC_NO_ERROR);
	assert_int_equal(quic_pkt_check_reserved(0xc4), QUIC_PROTOCOL_VIOLATION);
	assert_int_equal(quic_pkt_check_reserved(0xc8), QUIC_PROTOCOL_VIOLATION);
	assert_int_equal(quic_pkt_check_reserved(0x67), QUIC_NO_ERROR);
	assert_int_equal(quic_pkt_check_reserved(0x48), QUIC_PROTOCOL_VIOLATION);
	assert_int_equal(quic_pkt_check_reserved(0x50), QUIC_PROTOCOL_VIOLATION);

	assert_true(quic_pkt_is_long(0x80));
	assert_true(quic_pkt_is_long(0xff));
	assert_false(quic_pkt_is_long(0x7f));
	assert_false(quic_pkt_is_long(0x40));
	assert_int_equal(quic_pkt_parse(NULL, 0, 0, &h), -1);
	assert_int_equal(quic_pkt_parse(pkt, 0, 0, &h), -1);
}

/* A v1/v2 Initial written field by field, to put odd values in them. */
static size_t raw_initial(uint8_t *out, size_t cap, uint32_t version, size_t dcid_len,
			  size_t scid_len, uint64_t token_len, size_t token_varint,
			  size_t token_bytes, uint64_t length, size_t length_varint, size_t body)
{
	struct buf_writer w;

	buf_writer_init(&w, out, cap);
	buf_put_u8(&w, version == QUIC_VERSION_1 ? 0xc0 : 0xd0);
	buf_put_u32(&w, version);
	buf_put_u8(&w, (uint8_t)dcid_len);
	memset(buf_put_space(&w, dcid_len), 0xdc, dcid_len);
	buf_put_u8(&w, (uint8_t)scid_len);
	memset(buf_put_space(&w, scid_len), 0x5c, scid_len);
	buf_put_varint_n(&w, token_len, token_varint);
	memset(buf_put_space(&w, token_bytes), 0x70, token_bytes);
	buf_put_varint_n(&w, length, length_varint);
	memset(buf_put_space(&w, body), 0xbd, body);
	assert_false(w.err);
	return buf_written(&w);
}

static void test_length_fields(void **state)
{
	static uint8_t pkt[2048];
	struct quic_pkt_hdr h;
	size_t len;

	for (size_t vi = 0; vi < 2; vi++) {
		uint32_t ver = both_versions[vi];

		/* Length: any varint width; at least 20; within the datagram */
		for (size_t wd = 1; wd <= 8; wd *= 2) {
			len = raw_initial(pkt, sizeof(pkt), ver, 8, 8, 0, 1, 0, 20, wd, 20);
			assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
			assert_int_equal(h.pn_offset, 1 + 4 + 9 + 9 + 1 + wd);
			assert_int_equal(h.len, len);
			len = raw_initial(pkt, sizeof(pkt), ver, 8, 8, 0, 1, 0, 19, wd, 19);
			assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
			len = raw_initial(pkt, sizeof(pkt), ver, 8, 8, 0, 1, 0, 41, wd, 40);
			assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
			len = raw_initial(pkt, sizeof(pkt), ver, 8, 8, 0, 1, 0, 0, wd, 0);
			assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
		}
		len = raw_initial(pkt, sizeof(pkt), ver, 0, 0, 0, 1, 0, BUF_VARINT_MAX, 8, 100);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
		/* a Length shorter than the datagram leaves the rest for the next */
		len = raw_initial(pkt, sizeof(pkt), ver, 0, 0, 0, 1, 0, 30, 1, 50);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
		assert_int_equal(h.len, len - 20);

		/* Token Length: within the datagram, any width */
		len = raw_initial(pkt, sizeof(pkt), ver, 8, 0, 5, 4, 0, 30, 1, 0);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
		len = raw_initial(pkt, sizeof(pkt), ver, 8, 0, 2, 4, 2, 20, 2, 20);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
		assert_int_equal(h.token_len, 2);
		assert_memory_equal(h.token, "\x70\x70", 2);
		assert_int_equal(h.pn_offset, 1 + 4 + 9 + 1 + 4 + 2 + 2);
		/* a token that leaves no room for the Length */
		len = raw_initial(pkt, sizeof(pkt), ver, 8, 0, 21, 1, 0, 20, 1, 20);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
		len = raw_initial(pkt, sizeof(pkt), ver, 8, 0, 1000, 2, 0, 20, 1, 20);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
		len = raw_initial(pkt, sizeof(pkt), ver, 8, 0, BUF_VARINT_MAX, 8, 0, 20, 1, 20);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);

		/* CIDs of 20 bytes are the most v1 and v2 allow (17.2) */
		len = raw_initial(pkt, sizeof(pkt), ver, 20, 20, 0, 1, 0, 20, 1, 20);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), 0);
		len = raw_initial(pkt, sizeof(pkt), ver, 21, 20, 0, 1, 0, 20, 1, 20);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
		len = raw_initial(pkt, sizeof(pkt), ver, 20, 21, 0, 1, 0, 20, 1, 20);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
		len = raw_initial(pkt, sizeof(pkt), ver, 255, 0, 0, 1, 0, 20, 1, 20);
		assert_int_equal(quic_pkt_parse(pkt, len, 0, &h), -1);
	}
	/* the short header's DCID length is ours, at most 20 */
	len = build_short(pkt, sizeof(pkt), &(struct quic_cid){ 0 }, false, false, 0, 1, 100);
	assert_int_equal(quic_pkt_parse(pkt, len, 20, &h), 0);
	assert_int_equal(quic_pkt_parse(pkt, len, 21, &h), -1);
	assert_int_equal(quic_pkt_parse(pkt, 1 + 20 + 20, 20, &h), 0);
	assert_int_equal(quic_pkt_parse(pkt, 1 + 20 + 19, 20, &h), -1);
}

static void test_vn_malformed(void **state)
{
	uint8_t pkt[64];
	struct quic_pkt_hdr h;

	/* header only: an empty list */
	memcpy(pkt, "\xc0\x00\x00\x00\x00\x01\xaa\x02\xbb\xcc", 10);
	assert_int_equal(quic_pkt_parse(pkt, 10, 0, &h), -1);
	memcpy(pkt + 10, "\x00\x00\x00\x01\x6b\x33\x43\xcf", 8);
	for (size_t extra = 1; extra <= 8; extra++)
		assert_int_equal(quic_pkt_parse(pkt, 10 + extra, 0, &h), extra % 4 ? -1 : 0);
	assert_int_equal(quic_pkt_parse(pkt, 18, 0, &h), 0);
	assert_int_equal(h.n_versions, 2);
	assert_int_equal(quic_pkt_vn_version(&h, 0), QUIC_VERSION_1);
	assert_int_equal(quic_pkt_vn_version(&h, 1), QUIC_VERSION_2);
	assert_int_equal(h.dcid.len, 1);
	assert_int_equal(h.scid.len, 2);
	/* VN answers our own CIDs, which are at most 20 bytes */
	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, "\xc0\x00\x00\x00\x00\x15", 6);
	assert_int_equal(quic_pkt_parse(pkt, 6 + 21 + 1 + 4, 0, &h), -1);
	pkt[5] = 20;
	assert_int_equal(quic_pkt_parse(pkt, 6 + 20 + 1 + 4, 0, &h), 0);
}

static void test_unknown_version(void **state)
{
	static uint8_t pkt[1300];
	struct quic_cid want;
	struct quic_pkt_hdr h;
	struct buf_writer w;

	/* draft-29 Initial-like: only the invariants are read */
	buf_writer_init(&w, pkt, sizeof(pkt));
	buf_put_u8(&w, 0xc3);
	buf_put_u32(&w, 0xff00001d);
	buf_put_u8(&w, 8);
	buf_put_bytes(&w, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	buf_put_u8(&w, 3);
	buf_put_bytes(&w, "\x0a\x0b\x0c", 3);
	buf_put_space(&w, 1200 - buf_written(&w));
	assert_false(w.err);
	assert_int_equal(quic_pkt_parse(pkt, 1200, 0, &h), 0);
	assert_true(h.unknown_version);
	assert_false(h.cid_too_long);
	assert_int_equal(h.version, 0xff00001d);
	want = cid_of("0102030405060708");
	assert_cid(&h.dcid, &want);
	want = cid_of("0a0b0c");
	assert_cid(&h.scid, &want);
	assert_int_equal(h.len, 1200);
	assert_int_equal(h.pn_offset, 0);

	/* CIDs up to 255 bytes are valid invariants (RFC 8999 5.1) */
	memset(pkt, 0x77, sizeof(pkt));
	memcpy(pkt, "\x80\x5a\x5a\x5a\x5a\xff", 6);
	pkt[6 + 255] = 255;
	assert_int_equal(quic_pkt_parse(pkt, 7 + 255 + 255, 0, &h), 0);
	assert_true(h.unknown_version);
	assert_true(h.cid_too_long);
	assert_int_equal(h.version, 0x5a5a5a5a);
	assert_int_equal(h.dcid.len, 0);
	assert_int_equal(quic_pkt_parse(pkt, 7 + 255 + 254, 0, &h), -1);
	pkt[6 + 255] = 0;
	assert_int_equal(quic_pkt_parse(pkt, 7 + 255, 0, &h), 0);
	assert_true(h.cid_too_long);
	pkt[5] = 20;
	pkt[6 + 20] = 21;
	assert_int_equal(quic_pkt_parse(pkt, 7 + 20 + 21, 0, &h), 0);
	assert_true(h.cid_too_long);
	assert_int_equal(quic_pkt_parse(pkt, 7 + 20 + 20, 0, &h), -1);
}

/* ------------------------------------------------------------ robustness */

/* Anything accepted is consistent with its bytes and re-encodes to a
 * packet that parses the same. */
static void check_accepted(const uint8_t *d, size_t n, size_t sdl, const struct quic_pkt_hdr *h)
{
	static uint8_t out[20000];
	static uint32_t vers[512];
	struct quic_pkt_hdr h2;
	struct buf_writer w;
	size_t pn_len = (d[0] & 3) + 1, po, lp, end;

	assert_true(h->len >= 1 && h->len <= n);
	assert_int_equal(h->first, d[0]);
	if (!quic_pkt_is_long(d[0])) {
		assert_int_equal(h->type, QUIC_PKT_1RTT);
		assert_int_equal(h->len, n);
		assert_int_equal(h->pn_offset, 1 + sdl);
		assert_true(h->pn_offset + QUIC_PKT_MIN_PROTECTED <= h->len);
		assert_memory_equal(h->dcid.b, d + 1, sdl);
		buf_writer_init(&w, out, sizeof(out));
		assert_int_equal(quic_pkt_write_short(&w, &h->dcid, d[0] & 0x04, d[0] & 0x20,
						      get_pn(d + h->pn_offset, pn_len), pn_len,
						      &po), 0);
		assert_int_equal(po, h->pn_offset);
		assert_int_equal(out[0], d[0] & ~0x18);
		assert_memory_equal(out + 1, d + 1, po - 1 + pn_len);
		return;
	}
	assert_int_equal(h->version, be32(d + 1));
	end = 7 + (size_t)d[5] + d[6 + d[5]];
	if (h->unknown_version) {
		assert_true(h->version != 0 && h->version != QUIC_VERSION_1 &&
			    h->version != QUIC_VERSION_2);
		assert_int_equal(h->len, n);
		assert_int_equal(h->cid_too_long, d[5] > 20 || d[6 + d[5]] > 20);
		if (!h->cid_too_long) {
			assert_int_equal(h->dcid.len, d[5]);
			assert_memory_equal(h->dcid.b, d + 6, d[5]);
			assert_int_equal(h->scid.len, d[6 + d[5]]);
			assert_memory_equal(h->scid.b, d + 7 + d[5], h->scid.len);
		}
		return;
	}
	assert_false(h->cid_too_long);
	assert_int_equal(h->dcid.len, d[5]);
	assert_memory_equal(h->dcid.b, d + 6, h->dcid.len);
	assert_int_equal(h->scid.len, d[6 + d[5]]);
	assert_memory_equal(h->scid.b, d + 7 + d[5], h->scid.len);
	if (h->type == QUIC_PKT_VERSION_NEGOTIATION) {
		assert_int_equal(h->version, 0);
		assert_ptr_equal(h->versions, d + end);
		assert_int_equal(end + 4 * h->n_versions, n);
		assert_true(h->n_versions >= 1 && h->n_versions <= ARRAY_LEN(vers));
		for (size_t i = 0; i < h->n_versions; i++)
			vers[i] = quic_pkt_vn_version(h, i);
		assert_int_equal(quic_pkt_write_version_negotiation(out, sizeof(out), &h->dcid,
								    &h->scid, vers, h->n_versions,
								    d[0]), n);
		assert_int_equal(out[0], 0xc0 | (d[0] & 0x3f));
		assert_memory_equal(out + 1, d + 1, n - 1);
		return;
	}
	assert_true(d[0] & 0x40);
	if (h->type == QUIC_PKT_RETRY) {
		size_t len;

		assert_ptr_equal(h->token, d + end);
		assert_true(h->token_len >= 1);
		assert_int_equal(end + h->token_len + QUIC_RETRY_TAG_LEN, n);
		assert_int_equal(h->len, n);
		len = quic_pkt_write_retry(out, sizeof(out), h->version, &h->dcid, &h->scid,
					   &h->dcid, h->token, h->token_len);
		if (n - QUIC_RETRY_TAG_LEN > QUIC_RETRY_MAX_LEN) {
			assert_int_equal(len, 0);
			return;
		}
		assert_int_equal(len, n);
		assert_int_equal(out[0], (d[0] & 0xf0) | 0x0f);
		assert_memory_equal(out + 1, d + 1, n - 1 - QUIC_RETRY_TAG_LEN);
		return;
	}
	assert_true(h->type == QUIC_PKT_INITIAL || h->type == QUIC_PKT_0RTT ||
		    h->type == QUIC_PKT_HANDSHAKE);
	assert_true(h->pn_offset + QUIC_PKT_MIN_PROTECTED <= h->len);
	if (h->type == QUIC_PKT_INITIAL)
		assert_true(h->token >= d + end && h->token + h->token_len <= d + h->pn_offset);
	buf_writer_init(&w, out, sizeof(out));
	assert_int_equal(quic_pkt_write_long(&w, h->type, h->version, &h->dcid, &h->scid,
					     h->token, h->token_len,
					     get_pn(d + h->pn_offset, pn_len), pn_len, &lp, &po),
			 0);
	assert_int_equal(quic_pkt_set_length(out, lp, h->len - h->pn_offset), 0);
	buf_put_bytes(&w, d + h->pn_offset + pn_len, h->len - h->pn_offset - pn_len);
	assert_false(w.err);
	assert_int_equal(out[0], d[0] & ~0x0c);
	assert_int_equal(quic_pkt_parse(out, buf_written(&w), 0, &h2), 0);
	assert_int_equal(h2.type, h->type);
	assert_int_equal(h2.version, h->version);
	assert_cid(&h2.dcid, &h->dcid);
	assert_cid(&h2.scid, &h->scid);
	assert_int_equal(h2.token_len, h->token_len);
	if (h->token_len)
		assert_memory_equal(h2.token, h->token, h->token_len);
	assert_int_equal(h2.len - h2.pn_offset, h->len - h->pn_offset);
	assert_memory_equal(out + h2.pn_offset, d + h->pn_offset, h->len - h->pn_offset);
}

struct seed {
	uint8_t b[1500];
	size_t len, length_pos;  /* length_pos: 0 if none */
};

static size_t make_seeds(struct seed *s)
{
	struct quic_cid c8 = cid_pattern(8, 1), c4 = cid_pattern(4, 2), c0 = { 0 };
	size_t n = 0, po;

	for (size_t i = 0; i < N_VERSIONS; i++) {
		const struct quic_rfc_vectors *v = &quic_rfc_vectors[i];

		s[n].len = unit_unhex(v->client_packet, s[n].b, sizeof(s[n].b));
		s[n++].length_pos = 16;
		s[n].len = unit_unhex(v->server_packet, s[n].b, sizeof(s[n].b));
		s[n++].length_pos = 16;
		s[n].len = unit_unhex(v->retry_packet, s[n].b, sizeof(s[n].b));
		n++;
		s[n].len = unit_unhex(v->cc_packet, s[n].b, sizeof(s[n].b));
		n++;
	}
	for (size_t vi = 0; vi < 2; vi++) {
		/* Initial with a token + 0-RTT + 1-RTT */
		size_t a = build_long(s[n].b, sizeof(s[n].b), both_versions[vi], QUIC_PKT_INITIAL,
				      &c8, &c4, (const uint8_t *)"token!", 6, 3, 2, 40, &po);
		size_t b, po2;

		s[n].length_pos = po - 2;
		b = build_long(s[n].b + a, sizeof(s[n].b) - a, both_versions[vi], QUIC_PKT_0RTT,
			       &c8, &c4, NULL, 0, 9, 1, 30, &po2);
		s[n].len = a + b + build_short(s[n].b + a + b, sizeof(s[n].b) - a - b, &c8,
					       true, true, 11, 3, 20);
		n++;
		s[n].len = build_long(s[n].b, sizeof(s[n].b), both_versions[vi],
				      QUIC_PKT_HANDSHAKE, &c0, &c8, NULL, 0, 300, 4, 10, &po);
		s[n++].length_pos = po - 2;
	}
	s[n].len = quic_pkt_write_version_negotiation(s[n].b, sizeof(s[n].b), &c4, &c8,
						      (const uint32_t[]){ 1, 0x6b3343cf }, 2, 7);
	n++;
	s[n].len = 40;
	memcpy(s[n++].b, "\xc0\xfa\xce\xb0\x0c\x04\x01\x02\x03\x04\x00", 11);
	return n;
}

static void test_robustness(void **state)
{
	static struct seed seeds[32];
	static uint8_t in[1600];
	size_t n_seeds = make_seeds(seeds);
	uint64_t x = 0x2545f4914f6cdd1d;
	unsigned accepted = 0, rejected = 0, kinds[QUIC_PKT_1RTT + 2] = { 0 };

	for (int iter = 0; iter < 60000; iter++) {
		const struct seed *s = &seeds[unit_xorshift64(&x) % n_seeds];
		uint64_t r = unit_xorshift64(&x);
		size_t n = s->len, sdl = r % 4 ? 8 : (r >> 8) % 24, off;

		memcpy(in, s->b, n);
		switch ((r >> 16) % 6) {
		case 0:  /* bit flips */
			for (uint64_t k = 1 + (r >> 24) % 6; k--; ) {
				size_t pos = unit_xorshift64(&x) % (n < 64 || r & 1 ? n : 64);

				in[pos] ^= (uint8_t)(1u << (unit_xorshift64(&x) % 8));
			}
			break;
		case 1:  /* truncation */
			n = unit_xorshift64(&x) % (n + 1);
			break;
		case 2:  /* a length field changed: CID lengths, Length, by a little or a lot */
		{
			size_t pos = r >> 24 & 1 ? 5 : s->length_pos ? s->length_pos : 6;
			uint8_t v = (uint8_t)unit_xorshift64(&x);

			if (r >> 25 & 1)
				v = (uint8_t)(in[pos] + (int)(v % 7) - 3);
			if (pos == 6)
				pos += in[5] < n - 7 ? in[5] : 0;
			if (pos < n)
				in[pos] = v;
			if (s->length_pos && r >> 26 & 1)
				in[s->length_pos + 1] = (uint8_t)unit_xorshift64(&x);
			break;
		}
		case 3:  /* random bytes after a plausible first byte and version */
			n = unit_xorshift64(&x) % sizeof(in);
			for (size_t i = 0; i < n; i++)
				in[i] = (uint8_t)unit_xorshift64(&x);
			if (n >= 5 && r >> 30 & 1)
				memcpy(in + 1, r >> 31 & 1 ? "\x00\x00\x00\x01" :
				       "\x6b\x33\x43\xcf", 4);
			break;
		case 4:  /* extra bytes at the end */
			for (size_t k = (r >> 24) % 64; k-- && n < sizeof(in); )
				in[n++] = (uint8_t)unit_xorshift64(&x);
			break;
		default:  /* first byte only: form, fixed, type bits */
			if (n)
				in[0] = (uint8_t)unit_xorshift64(&x);
			break;
		}
		/* the datagram, packet after packet */
		off = 0;
		while (off < n) {
			struct quic_pkt_hdr h;
			const uint8_t *d;

			if (parse_tight(in + off, n - off, sdl, &h, &d) != 0) {
				rejected++;
				break;
			}
			accepted++;
			kinds[h.unknown_version ? QUIC_PKT_1RTT + 1 : h.type]++;
			check_accepted(d, n - off, sdl, &h);
			if (!h.len)
				break;
			off += h.len;
		}
	}
	print_message("  accepted %u, rejected %u\n", accepted, rejected);
	assert_true(accepted > 10000);
	assert_true(rejected > 10000);
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++)  /* every kind, unknown versions too */
		assert_true(kinds[i] > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_rfc_initials),
		UNIT_TEST(test_rfc_retry),
		UNIT_TEST(test_rfc_short),
		UNIT_TEST(test_rfc_headers_built),
		UNIT_TEST(test_pn_rfc_examples),
		UNIT_TEST(test_pn_decode_windows),
		UNIT_TEST(test_pn_encode_decode),
		UNIT_TEST(test_long_round_trip),
		UNIT_TEST(test_short_round_trip),
		UNIT_TEST(test_vn_round_trip),
		UNIT_TEST(test_retry_round_trip),
		UNIT_TEST(test_builder_errors),
		UNIT_TEST(test_coalesced),
		UNIT_TEST(test_truncations),
		UNIT_TEST(test_fixed_and_reserved_bits),
		UNIT_TEST(test_length_fields),
		UNIT_TEST(test_vn_malformed),
		UNIT_TEST(test_unknown_version),
		UNIT_TEST(test_robustness),
	};

	return cmocka_run_group_tests_name("packet", tests, NULL, NULL);
}
