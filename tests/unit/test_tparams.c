/* quic/tparams: transport parameters (RFC 9000 7.3, 7.4, 18): round
 * trips of full server and client sets, defaults, a hand-encoded set,
 * every invalid value, length, truncation, duplicate and server-only
 * case, unknown and reserved IDs, preferred_address, the connection ID
 * checks of 7.3, and a randomized robustness run. */
#include <string.h>

#include "unit.h"
#include "lib/buf.h"
#include "quic/tparams.h"

#define TPE QUIC_TRANSPORT_PARAMETER_ERROR
#define ALL_PARAMS (QUIC_TP_BIT(QUIC_TP_COUNT) - 1)

static void set_cid(struct quic_cid *cid, const char *hex)
{
	memset(cid, 0, sizeof(*cid));
	cid->len = (uint8_t)unit_unhex(hex, cid->b, sizeof(cid->b));
}

static bool cid_equal(const struct quic_cid *a, const struct quic_cid *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static void assert_tp_equal(const struct quic_tparams *a, const struct quic_tparams *b)
{
	const struct quic_preferred_address *pa = &a->preferred_address;
	const struct quic_preferred_address *pb = &b->preferred_address;

	assert_int_equal(a->present, b->present);
	assert_int_equal(a->max_idle_timeout, b->max_idle_timeout);
	assert_int_equal(a->max_udp_payload_size, b->max_udp_payload_size);
	assert_int_equal(a->initial_max_data, b->initial_max_data);
	assert_int_equal(a->initial_max_stream_data_bidi_local,
			 b->initial_max_stream_data_bidi_local);
	assert_int_equal(a->initial_max_stream_data_bidi_remote,
			 b->initial_max_stream_data_bidi_remote);
	assert_int_equal(a->initial_max_stream_data_uni, b->initial_max_stream_data_uni);
	assert_int_equal(a->initial_max_streams_bidi, b->initial_max_streams_bidi);
	assert_int_equal(a->initial_max_streams_uni, b->initial_max_streams_uni);
	assert_int_equal(a->ack_delay_exponent, b->ack_delay_exponent);
	assert_int_equal(a->max_ack_delay, b->max_ack_delay);
	assert_int_equal(a->active_connection_id_limit, b->active_connection_id_limit);
	if (quic_tparams_has(a, QUIC_TP_ORIGINAL_DCID))
		assert_true(cid_equal(&a->original_dcid, &b->original_dcid));
	if (quic_tparams_has(a, QUIC_TP_INITIAL_SCID))
		assert_true(cid_equal(&a->initial_scid, &b->initial_scid));
	if (quic_tparams_has(a, QUIC_TP_RETRY_SCID))
		assert_true(cid_equal(&a->retry_scid, &b->retry_scid));
	if (quic_tparams_has(a, QUIC_TP_STATELESS_RESET_TOKEN))
		assert_memory_equal(a->stateless_reset_token, b->stateless_reset_token, 16);
	if (quic_tparams_has(a, QUIC_TP_PREFERRED_ADDRESS)) {
		assert_memory_equal(pa->ipv4, pb->ipv4, 4);
		assert_int_equal(pa->ipv4_port, pb->ipv4_port);
		assert_memory_equal(pa->ipv6, pb->ipv6, 16);
		assert_int_equal(pa->ipv6_port, pb->ipv6_port);
		assert_true(cid_equal(&pa->cid, &pb->cid));
		assert_memory_equal(pa->reset_token, pb->reset_token, 16);
	}
}

static void assert_defaults(const struct quic_tparams *tp)
{
	assert_int_equal(tp->present, 0);
	assert_int_equal(tp->max_idle_timeout, 0);
	assert_int_equal(tp->max_udp_payload_size, 65527);
	assert_int_equal(tp->initial_max_data, 0);
	assert_int_equal(tp->initial_max_stream_data_bidi_local, 0);
	assert_int_equal(tp->initial_max_stream_data_bidi_remote, 0);
	assert_int_equal(tp->initial_max_stream_data_uni, 0);
	assert_int_equal(tp->initial_max_streams_bidi, 0);
	assert_int_equal(tp->initial_max_streams_uni, 0);
	assert_int_equal(tp->ack_delay_exponent, 3);
	assert_int_equal(tp->max_ack_delay, 25);
	assert_int_equal(tp->active_connection_id_limit, 2);
}

/* Every parameter, each away from its default and some at the edge of
 * their valid range. */
static void full_server(struct quic_tparams *tp)
{
	struct quic_preferred_address *pa = &tp->preferred_address;

	quic_tparams_init(tp);
	tp->present = ALL_PARAMS;
	set_cid(&tp->original_dcid, "8394c8f03e515708");
	tp->max_idle_timeout = 30000;
	unit_unhex("00112233445566778899aabbccddeeff", tp->stateless_reset_token, 16);
	tp->max_udp_payload_size = 1200;
	tp->initial_max_data = BUF_VARINT_MAX;
	tp->initial_max_stream_data_bidi_local = 1u << 20;
	tp->initial_max_stream_data_bidi_remote = 65536;
	tp->initial_max_stream_data_uni = 63;
	tp->initial_max_streams_bidi = QUIC_TP_MAX_STREAMS_LIMIT;
	tp->initial_max_streams_uni = 3;
	tp->ack_delay_exponent = 20;
	tp->max_ack_delay = 16383;
	unit_unhex("c0000201", pa->ipv4, 4);
	pa->ipv4_port = 4433;
	unit_unhex("20010db8000000000000000000000001", pa->ipv6, 16);
	pa->ipv6_port = 443;
	set_cid(&pa->cid, "0102030405060708090a0b0c0d0e0f1011121314");
	unit_unhex("ffeeddccbbaa99887766554433221100", pa->reset_token, 16);
	tp->active_connection_id_limit = 8;
	set_cid(&tp->initial_scid, "f067a5502a4262b5");
	set_cid(&tp->retry_scid, "");  /* zero length is allowed for these */
}

static void full_client(struct quic_tparams *tp)
{
	quic_tparams_init(tp);
	tp->present = ALL_PARAMS & ~QUIC_TP_SERVER_ONLY;
	tp->max_idle_timeout = 1;
	tp->max_udp_payload_size = BUF_VARINT_MAX;
	tp->initial_max_data = 16384;
	tp->initial_max_stream_data_bidi_local = 16383;
	tp->initial_max_stream_data_bidi_remote = 1u << 30;
	tp->initial_max_stream_data_uni = (1u << 30) - 1;
	tp->initial_max_streams_bidi = 100;
	tp->initial_max_streams_uni = QUIC_TP_MAX_STREAMS_LIMIT;
	tp->ack_delay_exponent = 0;
	tp->max_ack_delay = 0;
	tp->active_connection_id_limit = BUF_VARINT_MAX;
	set_cid(&tp->initial_scid, "0102030405060708090a0b0c0d0e0f1011121314");
}

static size_t encode_ok(const struct quic_tparams *tp, bool server, uint8_t *out, size_t cap)
{
	size_t len = 0;

	assert_int_equal(quic_tparams_encode(tp, server, out, cap, &len), 0);
	assert_true(len <= cap);
	return len;
}

static int decode_hex(const char *hex, bool from_server, struct quic_tparams *tp)
{
	uint8_t b[256];
	size_t n = unit_unhex(hex, b, sizeof(b));

	return quic_tparams_decode(b, n, from_server, tp);
}

/* a parameter written by hand: ID, length, value */
static void put_param(struct buf_writer *w, uint64_t id, const void *v, size_t n)
{
	buf_put_varint(w, id);
	buf_put_varint(w, n);
	buf_put_bytes(w, v, n);
}

static void put_int_param(struct buf_writer *w, uint64_t id, uint64_t v)
{
	buf_put_varint(w, id);
	buf_put_varint(w, buf_varint_len(v));
	buf_put_varint(w, v);
}

static void test_init_and_empty(void **state)
{
	struct quic_tparams tp;

	quic_tparams_init(&tp);
	assert_defaults(&tp);
	memset(&tp, 0xa5, sizeof(tp));
	assert_int_equal(quic_tparams_decode(NULL, 0, true, &tp), 0);
	assert_defaults(&tp);
	memset(&tp, 0xa5, sizeof(tp));
	assert_int_equal(quic_tparams_decode((const uint8_t *)"", 0, false, &tp), 0);
	assert_defaults(&tp);
}

static void test_roundtrip_server(void **state)
{
	struct quic_tparams tp, got;
	uint8_t b[512];
	size_t len;

	full_server(&tp);
	len = encode_ok(&tp, true, b, sizeof(b));
	assert_int_equal(quic_tparams_decode(b, len, true, &got), 0);
	assert_tp_equal(&tp, &got);
	/* the same bytes from a client carry server-only parameters */
	assert_int_equal(quic_tparams_decode(b, len, false, &got), TPE);
	/* a set encoded into exactly its length, and one byte short */
	assert_int_equal(encode_ok(&tp, true, b, len), len);
	assert_int_equal(quic_tparams_encode(&tp, true, b, len - 1, &len), -1);
}

static void test_roundtrip_client(void **state)
{
	struct quic_tparams tp, got;
	uint8_t b[512];
	size_t len;

	full_client(&tp);
	len = encode_ok(&tp, false, b, sizeof(b));
	assert_int_equal(quic_tparams_decode(b, len, false, &got), 0);
	assert_tp_equal(&tp, &got);
	assert_int_equal(quic_tparams_decode(b, len, true, &got), 0);
	assert_tp_equal(&tp, &got);
}

/* defaults are left out unless marked present; other values are sent */
static void test_defaults_omitted(void **state)
{
	struct quic_tparams tp, got;
	uint8_t b[128];
	size_t len;

	quic_tparams_init(&tp);
	assert_int_equal(encode_ok(&tp, false, b, sizeof(b)), 0);
	assert_int_equal(quic_tparams_encode(&tp, true, NULL, 0, &len), 0);
	assert_int_equal(len, 0);

	tp.present = QUIC_TP_BIT(QUIC_TP_MAX_ACK_DELAY) | QUIC_TP_BIT(QUIC_TP_INITIAL_MAX_DATA);
	len = encode_ok(&tp, false, b, sizeof(b));
	assert_int_equal(len, 6);
	assert_memory_equal(b, "\x04\x01\x00\x0b\x01\x19", 6);
	assert_int_equal(quic_tparams_decode(b, len, false, &got), 0);
	assert_tp_equal(&tp, &got);

	/* a value off its default is sent without its bit, and comes back
	 * with it */
	quic_tparams_init(&tp);
	tp.ack_delay_exponent = 10;
	len = encode_ok(&tp, false, b, sizeof(b));
	assert_memory_equal(b, "\x0a\x01\x0a", 3);
	assert_int_equal(len, 3);
	assert_int_equal(quic_tparams_decode(b, len, false, &got), 0);
	assert_int_equal(got.present, QUIC_TP_BIT(QUIC_TP_ACK_DELAY_EXPONENT));
	assert_int_equal(got.ack_delay_exponent, 10);
	assert_int_equal(got.max_ack_delay, 25);
}

/* A small server set written by hand from RFC 9000 18 (Figure 21: ID
 * varint, length varint, value) and 16 (varint prefixes). */
static void test_known_encoding(void **state)
{
	static const char hex[] =
		"00" "08" "8394c8f03e515708"  /* original_destination_connection_id */
		"01" "04" "80007530"          /* max_idle_timeout 30000 */
		"04" "04" "80100000"          /* initial_max_data 1048576 */
		"08" "02" "4064"              /* initial_max_streams_bidi 100 */
		"0c" "00"                     /* disable_active_migration */
		"0f" "04" "a1a2a3a4";         /* initial_source_connection_id */
	struct quic_tparams tp, got;
	uint8_t want[64], b[64];
	size_t n = unit_unhex(hex, want, sizeof(want));

	quic_tparams_init(&tp);
	tp.present = QUIC_TP_BIT(QUIC_TP_ORIGINAL_DCID) |
		     QUIC_TP_BIT(QUIC_TP_DISABLE_ACTIVE_MIGRATION) |
		     QUIC_TP_BIT(QUIC_TP_INITIAL_SCID);
	set_cid(&tp.original_dcid, "8394c8f03e515708");
	tp.max_idle_timeout = 30000;
	tp.initial_max_data = 1048576;
	tp.initial_max_streams_bidi = 100;
	set_cid(&tp.initial_scid, "a1a2a3a4");
	assert_int_equal(encode_ok(&tp, true, b, sizeof(b)), n);
	assert_memory_equal(b, want, n);

	assert_int_equal(quic_tparams_decode(want, n, true, &got), 0);
	tp.present |= QUIC_TP_BIT(QUIC_TP_MAX_IDLE_TIMEOUT) |
		      QUIC_TP_BIT(QUIC_TP_INITIAL_MAX_DATA) |
		      QUIC_TP_BIT(QUIC_TP_INITIAL_MAX_STREAMS_BIDI);
	assert_tp_equal(&tp, &got);
	assert_true(quic_tparams_has(&got, QUIC_TP_DISABLE_ACTIVE_MIGRATION));
	assert_false(quic_tparams_has(&got, QUIC_TP_STATELESS_RESET_TOKEN));

	/* any varint width fills a length that matches it (RFC 9000 16),
	 * parameters in any order */
	assert_int_equal(decode_hex("0a024005" "0108c000000000007530", false, &got), 0);
	assert_int_equal(got.ack_delay_exponent, 5);
	assert_int_equal(got.max_idle_timeout, 30000);
}

/* each value just out of range, then on the edge (RFC 9000 18.2, 4.6) */
static void test_invalid_values(void **state)
{
	static const char *const bad[] = {
		"03024000",                /* max_udp_payload_size 0 */
		"030244af",                /* max_udp_payload_size 1199 */
		"0808d000000000000001",    /* initial_max_streams_bidi 2^60+1 */
		"0908d000000000000001",    /* initial_max_streams_uni 2^60+1 */
		"0908ffffffffffffffff",    /* initial_max_streams_uni 2^62-1 */
		"0a0115",                  /* ack_delay_exponent 21 */
		"0a013f",                  /* ack_delay_exponent 63 */
		"0b0480004000",            /* max_ack_delay 2^14 */
		"0e0101",                  /* active_connection_id_limit 1 */
		"0e0100",                  /* active_connection_id_limit 0 */
	};
	static const char *const edge[] = {
		"030244b0",                /* max_udp_payload_size 1200 */
		"0808d000000000000000",    /* initial_max_streams_bidi 2^60 */
		"0908d000000000000000",    /* initial_max_streams_uni 2^60 */
		"0a0114",                  /* ack_delay_exponent 20 */
		"0b027fff",                /* max_ack_delay 16383 */
		"0e0102",                  /* active_connection_id_limit 2 */
		"0308ffffffffffffffff",    /* max_udp_payload_size 2^62-1 */
	};
	struct quic_tparams tp;
	uint8_t b[64];
	size_t len;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(decode_hex(bad[i], true, &tp), TPE);
		assert_int_equal(decode_hex(bad[i], false, &tp), TPE);
	}
	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		assert_int_equal(decode_hex(edge[i], false, &tp), 0);

	/* nothing the peer would reject is encoded */
	struct { size_t off; uint64_t v; } enc_bad[] = {
		{ offsetof(struct quic_tparams, max_udp_payload_size), 1199 },
		{ offsetof(struct quic_tparams, initial_max_streams_bidi),
		  QUIC_TP_MAX_STREAMS_LIMIT + 1 },
		{ offsetof(struct quic_tparams, initial_max_streams_uni),
		  QUIC_TP_MAX_STREAMS_LIMIT + 1 },
		{ offsetof(struct quic_tparams, ack_delay_exponent), 21 },
		{ offsetof(struct quic_tparams, max_ack_delay), 16384 },
		{ offsetof(struct quic_tparams, active_connection_id_limit), 1 },
		{ offsetof(struct quic_tparams, initial_max_data), BUF_VARINT_MAX + 1 },
		{ offsetof(struct quic_tparams, max_idle_timeout), UINT64_MAX },
	};
	for (size_t i = 0; i < sizeof(enc_bad) / sizeof(enc_bad[0]); i++) {
		quic_tparams_init(&tp);
		memcpy((uint8_t *)&tp + enc_bad[i].off, &enc_bad[i].v, sizeof(uint64_t));
		assert_int_equal(quic_tparams_encode(&tp, true, b, sizeof(b), &len), -1);
	}
	quic_tparams_init(&tp);
	tp.present = QUIC_TP_BIT(QUIC_TP_INITIAL_SCID);
	tp.initial_scid.len = QUIC_MAX_CID_LEN + 1;
	assert_int_equal(quic_tparams_encode(&tp, true, b, sizeof(b), &len), -1);
}

/* a value's length must be exactly what its encoding takes */
static void test_length_mismatch(void **state)
{
	static const char *const bad[] = {
		"040205" "00",             /* varint (1 byte) shorter than the length */
		"04014000",                /* 2-byte varint in a 1-byte value */
		"0400",                    /* empty integer */
		"01088000753000000000",    /* 4-byte varint in 8 bytes */
		"0c0100",                  /* disable_active_migration is empty */
		"020f000102030405060708090a0b0c0d0e",          /* token of 15 */
		"0211000102030405060708090a0b0c0d0e0f10",      /* token of 17 */
		"0f15000102030405060708090a0b0c0d0e0f1011121314",  /* CID of 21 */
		"0015000102030405060708090a0b0c0d0e0f1011121314",
		"1015000102030405060708090a0b0c0d0e0f1011121314",
	};
	struct quic_tparams tp;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(decode_hex(bad[i], true, &tp), TPE);
	/* 20 bytes and 0 bytes are fine */
	assert_int_equal(decode_hex("0f14000102030405060708090a0b0c0d0e0f10111213", false, &tp),
			 0);
	assert_int_equal(tp.initial_scid.len, 20);
	assert_int_equal(decode_hex("0f00", false, &tp), 0);
	assert_int_equal(tp.initial_scid.len, 0);
	assert_true(quic_tparams_has(&tp, QUIC_TP_INITIAL_SCID));
}

/* Every prefix of a full set: accepted exactly where it ends on a
 * parameter boundary (a shorter valid set), rejected anywhere else. */
static void test_truncation(void **state)
{
	struct quic_tparams tp, got;
	uint8_t b[512];
	bool boundary[513] = { false };
	size_t len;
	struct buf_reader r;

	full_server(&tp);
	len = encode_ok(&tp, true, b, sizeof(b));
	buf_reader_init(&r, b, len);
	boundary[0] = true;
	while (buf_left(&r)) {
		buf_get_varint(&r);
		buf_skip(&r, buf_get_varint(&r));
		assert_false(r.err);
		boundary[len - buf_left(&r)] = true;
	}
	for (size_t n = 0; n <= len; n++)
		assert_int_equal(quic_tparams_decode(b, n, true, &got), boundary[n] ? 0 : TPE);
	assert_int_equal(quic_tparams_decode(b, len, true, &got), 0);
	assert_tp_equal(&tp, &got);

	/* a length past the end, and one past what a size_t may hold */
	assert_int_equal(decode_hex("2005aabbccdd", true, &got), TPE);
	assert_int_equal(decode_hex("20ffffffffffffffff", true, &got), TPE);
	assert_int_equal(decode_hex("20", true, &got), TPE);
	assert_int_equal(decode_hex("c0", true, &got), TPE);
}

/* RFC 9000 7.4: each known parameter twice, even with equal values */
static void test_duplicate(void **state)
{
	struct quic_tparams tp, got;
	uint8_t one[512], two[1024];
	struct buf_reader r;
	size_t len;

	full_server(&tp);
	len = encode_ok(&tp, true, one, sizeof(one));
	buf_reader_init(&r, one, len);
	for (unsigned id = 0; id < QUIC_TP_COUNT; id++) {
		const uint8_t *start = r.p;

		assert_int_equal(buf_get_varint(&r), id);
		buf_skip(&r, buf_get_varint(&r));
		assert_false(r.err);
		/* the whole set, then that parameter once more */
		memcpy(two, one, len);
		memcpy(two + len, start, (size_t)(r.p - start));
		assert_int_equal(quic_tparams_decode(two, len + (size_t)(r.p - start), true, &got),
				 TPE);
	}
	assert_int_equal(decode_hex("0e0103" "0e0103", false, &got), TPE);
	assert_int_equal(decode_hex("0c00" "010100" "0c00", false, &got), TPE);
	/* unknown IDs may repeat */
	assert_int_equal(decode_hex("2100" "2100" "1b0101" "1b0102", false, &got), 0);
}

/* RFC 9000 18.2: a client MUST NOT send these; a server MUST reject them */
static void test_server_only(void **state)
{
	static const unsigned ids[] = {
		QUIC_TP_ORIGINAL_DCID, QUIC_TP_STATELESS_RESET_TOKEN, QUIC_TP_PREFERRED_ADDRESS,
		QUIC_TP_RETRY_SCID,
	};
	struct quic_tparams full, tp, got;
	uint8_t b[512];
	size_t len;

	full_server(&full);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		quic_tparams_init(&tp);
		tp.original_dcid = full.original_dcid;
		memcpy(tp.stateless_reset_token, full.stateless_reset_token, 16);
		tp.preferred_address = full.preferred_address;
		tp.retry_scid = full.retry_scid;
		tp.initial_scid = full.initial_scid;
		tp.present = QUIC_TP_BIT(ids[i]) | QUIC_TP_BIT(QUIC_TP_INITIAL_SCID);
		len = encode_ok(&tp, true, b, sizeof(b));
		assert_int_equal(quic_tparams_decode(b, len, true, &got), 0);
		assert_tp_equal(&tp, &got);
		assert_int_equal(quic_tparams_decode(b, len, false, &got), TPE);
		assert_int_equal(quic_tparams_encode(&tp, false, b, sizeof(b), &len), -1);
	}
	assert_int_equal(quic_tparams_encode(&full, false, b, sizeof(b), &len), -1);
	/* even a malformed one is refused for being there */
	assert_int_equal(decode_hex("0200", false, &got), TPE);
}

/* RFC 9000 7.4.2 and 18.1: unknown and reserved IDs are skipped */
static void test_unknown_skipped(void **state)
{
	static const uint64_t ids[] = {
		27, 31 + 27, 31 * 1000 + 27, 31 * (UINT64_C(1) << 57) + 27, 0x11, 0x20,
		0x2ab2, 0xff73db, BUF_VARINT_MAX,
	};
	static const struct { unsigned id; uint64_t v; } known[] = {
		{ QUIC_TP_MAX_IDLE_TIMEOUT, 5 },
		{ QUIC_TP_INITIAL_MAX_DATA, 1000 },
		{ QUIC_TP_INITIAL_MAX_STREAM_DATA_UNI, 7 },
		{ QUIC_TP_INITIAL_MAX_STREAMS_UNI, 8 },
		{ QUIC_TP_MAX_ACK_DELAY, 9 },
		{ QUIC_TP_ACTIVE_CONNECTION_ID_LIMIT, 10 },
	};
	uint8_t big[1500], b[2048];
	struct quic_tparams tp, got;
	struct buf_writer w;
	size_t cut;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	quic_tparams_init(&tp);
	tp.present = QUIC_TP_BIT(QUIC_TP_INITIAL_SCID);
	set_cid(&tp.initial_scid, "0102");
	buf_writer_init(&w, b, sizeof(b));
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		put_param(&w, ids[i], big, i * 3);
		if (i < sizeof(known) / sizeof(known[0])) {
			put_int_param(&w, known[i].id, known[i].v);
			tp.present |= QUIC_TP_BIT(known[i].id);
		}
	}
	tp.max_idle_timeout = 5;
	tp.initial_max_data = 1000;
	tp.initial_max_stream_data_uni = 7;
	tp.initial_max_streams_uni = 8;
	tp.max_ack_delay = 9;
	tp.active_connection_id_limit = 10;
	put_param(&w, 31 * 77 + 27, big, sizeof(big));  /* a large one */
	cut = buf_written(&w) - 1;
	put_param(&w, QUIC_TP_INITIAL_SCID, "\x01\x02", 2);
	assert_false(w.err);

	assert_int_equal(quic_tparams_decode(b, buf_written(&w), false, &got), 0);
	assert_tp_equal(&tp, &got);
	assert_int_equal(quic_tparams_decode(b, buf_written(&w), true, &got), 0);
	assert_tp_equal(&tp, &got);

	/* an unknown parameter cut short is still truncation */
	assert_int_equal(quic_tparams_decode(b, cut, false, &got), TPE);
}

/* RFC 9000 18.2, Figure 22 */
static void test_preferred_address(void **state)
{
	static const char good[] =
		"0d" "2d"
		"c0000201" "115c"
		"20010db8000000000000000000000001" "01bb"
		"04" "aabbccdd"
		"000102030405060708090a0b0c0d0e0f";
	struct quic_tparams tp, got;
	const struct quic_preferred_address *pa = &got.preferred_address;
	uint8_t want[64], b[64];
	size_t n = unit_unhex(good, want, sizeof(want)), len;

	assert_int_equal(quic_tparams_decode(want, n, true, &got), 0);
	assert_true(quic_tparams_has(&got, QUIC_TP_PREFERRED_ADDRESS));
	assert_memory_equal(pa->ipv4, "\xc0\x00\x02\x01", 4);
	assert_int_equal(pa->ipv4_port, 4444);
	assert_int_equal(pa->ipv6[0], 0x20);
	assert_int_equal(pa->ipv6[15], 0x01);
	assert_int_equal(pa->ipv6_port, 443);
	assert_int_equal(pa->cid.len, 4);
	assert_memory_equal(pa->cid.b, "\xaa\xbb\xcc\xdd", 4);
	assert_int_equal(pa->reset_token[15], 0x0f);
	assert_int_equal(encode_ok(&got, true, b, sizeof(b)), n);
	assert_memory_equal(b, want, n);

	/* zero-length CID (length and value adjusted to match) */
	assert_int_equal(decode_hex("0d29c0000201115c20010db800000000000000000000000101bb00"
				    "000102030405060708090a0b0c0d0e0f", true, &got), TPE);
	/* CID of 21 */
	assert_int_equal(decode_hex("0d3ec0000201115c20010db800000000000000000000000101bb15"
				    "000102030405060708090a0b0c0d0e0f1011121314"
				    "000102030405060708090a0b0c0d0e0f", true, &got), TPE);
	/* one byte too few, one too many, a CID length past the value */
	want[1] = 0x2c;
	assert_int_equal(quic_tparams_decode(want, n - 1, true, &got), TPE);
	want[1] = 0x2e;
	want[n] = 0;
	assert_int_equal(quic_tparams_decode(want, n + 1, true, &got), TPE);
	want[1] = 0x2d;
	want[26] = 5;
	assert_int_equal(quic_tparams_decode(want, n, true, &got), TPE);

	/* zero-length CID: never encoded */
	full_server(&tp);
	tp.preferred_address.cid.len = 0;
	assert_int_equal(quic_tparams_encode(&tp, true, b, sizeof(b), &len), -1);
}

static void test_check_cids(void **state)
{
	struct quic_cid client_scid, server_scid, odcid, retry_scid, other, empty;
	struct quic_tparams c, s;

	set_cid(&client_scid, "c1c2c3c4c5");
	set_cid(&server_scid, "f067a5502a4262b5");
	set_cid(&odcid, "8394c8f03e515708");
	set_cid(&retry_scid, "5300d3");
	set_cid(&empty, "");

	/* a client's parameters, checked by the server */
	quic_tparams_init(&c);
	c.present = QUIC_TP_BIT(QUIC_TP_INITIAL_SCID);
	c.initial_scid = client_scid;
	assert_int_equal(quic_tparams_check_cids(&c, false, &client_scid, NULL, NULL), 0);
	set_cid(&other, "c1c2c3c4c6");
	assert_int_equal(quic_tparams_check_cids(&c, false, &other, NULL, NULL), TPE);
	set_cid(&other, "c1c2c3c4");  /* a prefix */
	assert_int_equal(quic_tparams_check_cids(&c, false, &other, NULL, NULL), TPE);
	assert_int_equal(quic_tparams_check_cids(&c, false, &empty, NULL, NULL), TPE);
	c.present = 0;
	assert_int_equal(quic_tparams_check_cids(&c, false, &client_scid, NULL, NULL), TPE);
	c.present = QUIC_TP_BIT(QUIC_TP_INITIAL_SCID);
	c.initial_scid = empty;  /* zero length, present and matching */
	assert_int_equal(quic_tparams_check_cids(&c, false, &empty, NULL, NULL), 0);
	assert_int_equal(quic_tparams_check_cids(&c, false, &client_scid, NULL, NULL), TPE);

	/* a server's, no Retry */
	quic_tparams_init(&s);
	s.present = QUIC_TP_BIT(QUIC_TP_INITIAL_SCID) | QUIC_TP_BIT(QUIC_TP_ORIGINAL_DCID);
	s.initial_scid = server_scid;
	s.original_dcid = odcid;
	assert_int_equal(quic_tparams_check_cids(&s, true, &server_scid, &odcid, NULL), 0);
	assert_int_equal(quic_tparams_check_cids(&s, true, &client_scid, &odcid, NULL), TPE);
	assert_int_equal(quic_tparams_check_cids(&s, true, &server_scid, &server_scid, NULL),
			 TPE);
	assert_int_equal(quic_tparams_check_cids(&s, true, &server_scid, NULL, NULL), TPE);
	/* a Retry happened, but the server says nothing of it */
	assert_int_equal(quic_tparams_check_cids(&s, true, &server_scid, &odcid, &retry_scid),
			 TPE);
	s.present &= ~QUIC_TP_BIT(QUIC_TP_ORIGINAL_DCID);
	assert_int_equal(quic_tparams_check_cids(&s, true, &server_scid, &odcid, NULL), TPE);
	s.present = QUIC_TP_BIT(QUIC_TP_ORIGINAL_DCID);
	assert_int_equal(quic_tparams_check_cids(&s, true, &server_scid, &odcid, NULL), TPE);

	/* with a Retry */
	s.present = QUIC_TP_BIT(QUIC_TP_INITIAL_SCID) | QUIC_TP_BIT(QUIC_TP_ORIGINAL_DCID) |
		    QUIC_TP_BIT(QUIC_TP_RETRY_SCID);
	s.retry_scid = retry_scid;
	assert_int_equal(quic_tparams_check_cids(&s, true, &server_scid, &odcid, &retry_scid), 0);
	/* retry_source_connection_id without a Retry */
	assert_int_equal(quic_tparams_check_cids(&s, true, &server_scid, &odcid, NULL), TPE);
	set_cid(&other, "5300d4");
	assert_int_equal(quic_tparams_check_cids(&s, true, &server_scid, &odcid, &other), TPE);
	assert_int_equal(quic_tparams_check_cids(&s, true, &server_scid, &odcid, &empty), TPE);
	s.original_dcid = other;
	assert_int_equal(quic_tparams_check_cids(&s, true, &server_scid, &odcid, &retry_scid),
			 TPE);
	s.original_dcid = odcid;
	/* the client's own checks ignore what only a server sends */
	assert_int_equal(quic_tparams_check_cids(&s, false, &server_scid, NULL, NULL), 0);

	/* 18.2: preferred_address only from a server with a non-empty CID */
	s.present |= QUIC_TP_BIT(QUIC_TP_PREFERRED_ADDRESS);
	assert_int_equal(quic_tparams_check_cids(&s, true, &server_scid, &odcid, &retry_scid), 0);
	s.initial_scid = empty;
	assert_int_equal(quic_tparams_check_cids(&s, true, &empty, &odcid, &retry_scid), TPE);
	s.present &= ~QUIC_TP_BIT(QUIC_TP_PREFERRED_ADDRESS);
	assert_int_equal(quic_tparams_check_cids(&s, true, &empty, &odcid, &retry_scid), 0);

	/* end to end: a full server set through the wire and the checks */
	uint8_t b[512];
	size_t len;

	full_server(&s);
	len = encode_ok(&s, true, b, sizeof(b));
	assert_int_equal(quic_tparams_decode(b, len, true, &c), 0);
	set_cid(&other, "f067a5502a4262b5");
	set_cid(&retry_scid, "");
	assert_int_equal(quic_tparams_check_cids(&c, true, &other, &odcid, &retry_scid), 0);
	assert_int_equal(quic_tparams_check_cids(&c, true, &other, &odcid, NULL), TPE);
}

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Random and mutated inputs: decode must never crash or read out of
 * bounds (the SAN=1 build checks that), and whatever it accepts must
 * re-encode, decode to the same parameters and re-encode to the same
 * bytes. */
static void test_robustness(void **state)
{
	struct quic_tparams seeds[3], tp, again;
	uint8_t enc[3][512], in[600], out[512], out2[512];
	size_t enclen[3], lenpos[3][40], nlen[3];
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	unsigned accepted = 0;

	full_server(&seeds[0]);
	full_client(&seeds[1]);
	quic_tparams_init(&seeds[2]);
	seeds[2].present = QUIC_TP_BIT(QUIC_TP_INITIAL_SCID) |
			   QUIC_TP_BIT(QUIC_TP_DISABLE_ACTIVE_MIGRATION);
	seeds[2].initial_max_data = 1000000;
	for (int k = 0; k < 3; k++) {
		struct buf_reader r;

		enclen[k] = encode_ok(&seeds[k], k != 1, enc[k], sizeof(enc[k]));
		/* where each length field is, for mutating it */
		nlen[k] = 0;
		buf_reader_init(&r, enc[k], enclen[k]);
		while (buf_left(&r) && nlen[k] < 40) {
			buf_get_varint(&r);
			lenpos[k][nlen[k]++] = enclen[k] - buf_left(&r);
			buf_skip(&r, buf_get_varint(&r));
		}
		assert_false(r.err);
	}

	for (int i = 0; i < 40000; i++) {
		uint64_t x = xorshift64(&rng);
		bool from_server = x & 1;
		size_t n;

		if (i % 4 == 0) {
			/* random bytes, mostly short IDs and lengths so that
			 * some parse */
			n = (size_t)(xorshift64(&rng) % 120);
			for (size_t j = 0; j < n; j++) {
				uint64_t y = xorshift64(&rng);

				in[j] = (uint8_t)((y & 0x300) ? y & 0x1f : y);
			}
		} else {
			int k = (int)((x >> 1) % 3);
			int muts = 1 + (int)((x >> 3) % 4);

			n = enclen[k];
			memcpy(in, enc[k], n);
			while (muts--) {
				uint64_t y = xorshift64(&rng);
				size_t pos = n ? (size_t)((y >> 8) % n) : 0;

				switch (y % 6) {
				case 0:  /* bit flip */
					if (n)
						in[pos] ^= (uint8_t)(1u << ((y >> 4) & 7));
					break;
				case 1:  /* truncation */
					n = pos;
					break;
				case 2:  /* a length field changed */
					pos = lenpos[k][(y >> 8) % nlen[k]];
					if (pos < n)
						in[pos] = (uint8_t)((in[pos] & 0xc0) |
								    ((y >> 32) & 0x3f));
					break;
				case 3:  /* a byte replaced */
					if (n)
						in[pos] = (uint8_t)(y >> 40);
					break;
				case 4:  /* a random tail */
					for (size_t j = 0; j < 8 && n < sizeof(in); j++)
						in[n++] = (uint8_t)(y >> (8 * j));
					break;
				case 5:  /* a chunk repeated */
					if (n && n + 16 <= sizeof(in)) {
						size_t m = 1 + (size_t)((y >> 32) % 16);

						if (pos + m > n)
							m = n - pos;
						memcpy(in + n, in + pos, m);
						n += m;
					}
					break;
				}
			}
		}

		int err = quic_tparams_decode(in, n, from_server, &tp);

		assert_true(err == 0 || err == TPE);
		if (err)
			continue;
		accepted++;
		size_t len = encode_ok(&tp, from_server, out, sizeof(out));

		assert_int_equal(quic_tparams_decode(out, len, from_server, &again), 0);
		assert_tp_equal(&tp, &again);
		assert_int_equal(encode_ok(&again, from_server, out2, sizeof(out2)), len);
		assert_memory_equal(out, out2, len);
	}
	/* the run exercised both outcomes */
	assert_true(accepted > 1000);
	assert_true(accepted < 39000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_init_and_empty),
		UNIT_TEST(test_roundtrip_server),
		UNIT_TEST(test_roundtrip_client),
		UNIT_TEST(test_defaults_omitted),
		UNIT_TEST(test_known_encoding),
		UNIT_TEST(test_invalid_values),
		UNIT_TEST(test_length_mismatch),
		UNIT_TEST(test_truncation),
		UNIT_TEST(test_duplicate),
		UNIT_TEST(test_server_only),
		UNIT_TEST(test_unknown_skipped),
		UNIT_TEST(test_preferred_address),
		UNIT_TEST(test_check_cids),
		UNIT_TEST(test_robustness),
	};

	return cmocka_run_group_tests_name("tparams", tests, NULL, NULL);
}
