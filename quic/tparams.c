/* quic/tparams: QUIC transport parameters, RFC 9000 sections 7.3, 7.4
 * and 18. See quic/tparams.h. */
#include <stddef.h>
#include <string.h>

#include "lib/buf.h"
#include "quic/tparams.h"

/* How each parameter's value is encoded (RFC 9000 18.2). */
enum tp_kind {
	TP_INT,       /* one varint filling the value */
	TP_CID,       /* 0..20 bytes */
	TP_TOKEN,     /* exactly 16 bytes */
	TP_FLAG,      /* zero-length */
	TP_PREFADDR,  /* Figure 22 */
};

struct tp_desc {
	uint8_t kind;
	uint16_t off;  /* of the field in struct quic_tparams */
	uint64_t def, min, max;
};

#define TP_INTEGER(field, d, lo, hi) \
	{ TP_INT, offsetof(struct quic_tparams, field), (d), (lo), (hi) }
#define TP_FIELD(k, field) { k, offsetof(struct quic_tparams, field), 0, 0, 0 }

/* Defaults and valid ranges: RFC 9000 18.2; the stream limits, 4.6 (a
 * larger value would allow a stream ID that is no varint). */
static const struct tp_desc tp_descs[QUIC_TP_COUNT] = {
	[QUIC_TP_ORIGINAL_DCID] = TP_FIELD(TP_CID, original_dcid),
	[QUIC_TP_MAX_IDLE_TIMEOUT] = TP_INTEGER(max_idle_timeout, 0, 0, BUF_VARINT_MAX),
	[QUIC_TP_STATELESS_RESET_TOKEN] = TP_FIELD(TP_TOKEN, stateless_reset_token),
	[QUIC_TP_MAX_UDP_PAYLOAD_SIZE] =
		TP_INTEGER(max_udp_payload_size, QUIC_TP_DEFAULT_MAX_UDP_PAYLOAD_SIZE,
			   QUIC_TP_MIN_MAX_UDP_PAYLOAD_SIZE, BUF_VARINT_MAX),
	[QUIC_TP_INITIAL_MAX_DATA] = TP_INTEGER(initial_max_data, 0, 0, BUF_VARINT_MAX),
	[QUIC_TP_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL] =
		TP_INTEGER(initial_max_stream_data_bidi_local, 0, 0, BUF_VARINT_MAX),
	[QUIC_TP_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE] =
		TP_INTEGER(initial_max_stream_data_bidi_remote, 0, 0, BUF_VARINT_MAX),
	[QUIC_TP_INITIAL_MAX_STREAM_DATA_UNI] =
		TP_INTEGER(initial_max_stream_data_uni, 0, 0, BUF_VARINT_MAX),
	[QUIC_TP_INITIAL_MAX_STREAMS_BIDI] =
		TP_INTEGER(initial_max_streams_bidi, 0, 0, QUIC_TP_MAX_STREAMS_LIMIT),
	[QUIC_TP_INITIAL_MAX_STREAMS_UNI] =
		TP_INTEGER(initial_max_streams_uni, 0, 0, QUIC_TP_MAX_STREAMS_LIMIT),
	[QUIC_TP_ACK_DELAY_EXPONENT] =
		TP_INTEGER(ack_delay_exponent, QUIC_TP_DEFAULT_ACK_DELAY_EXPONENT, 0,
			   QUIC_TP_MAX_ACK_DELAY_EXPONENT),
	[QUIC_TP_MAX_ACK_DELAY] =
		TP_INTEGER(max_ack_delay, QUIC_TP_DEFAULT_MAX_ACK_DELAY, 0,
			   QUIC_TP_MAX_ACK_DELAY_LIMIT - 1),
	[QUIC_TP_DISABLE_ACTIVE_MIGRATION] = { TP_FLAG, 0, 0, 0, 0 },
	[QUIC_TP_PREFERRED_ADDRESS] = TP_FIELD(TP_PREFADDR, preferred_address),
	[QUIC_TP_ACTIVE_CONNECTION_ID_LIMIT] =
		TP_INTEGER(active_connection_id_limit, QUIC_TP_DEFAULT_ACTIVE_CID_LIMIT,
			   QUIC_TP_DEFAULT_ACTIVE_CID_LIMIT, BUF_VARINT_MAX),
	[QUIC_TP_INITIAL_SCID] = TP_FIELD(TP_CID, initial_scid),
	[QUIC_TP_RETRY_SCID] = TP_FIELD(TP_CID, retry_scid),
};

/* IPv4 address and port, IPv6 address and port, CID length, token */
#define PREFADDR_FIXED_LEN (4 + 2 + 16 + 2 + 1 + QUIC_STATELESS_RESET_TOKEN_LEN)

static uint64_t *tp_int(struct quic_tparams *tp, const struct tp_desc *d)
{
	return (uint64_t *)((uint8_t *)tp + d->off);
}

static const uint64_t *tp_int_c(const struct quic_tparams *tp, const struct tp_desc *d)
{
	return (const uint64_t *)((const uint8_t *)tp + d->off);
}

static const void *tp_field_c(const struct quic_tparams *tp, const struct tp_desc *d)
{
	return (const uint8_t *)tp + d->off;
}

void quic_tparams_init(struct quic_tparams *tp)
{
	memset(tp, 0, sizeof(*tp));
	for (unsigned id = 0; id < QUIC_TP_COUNT; id++)
		if (tp_descs[id].kind == TP_INT)
			*tp_int(tp, &tp_descs[id]) = tp_descs[id].def;
}

/* ---------------------------------------------------------------- encode */

static void put_cid(struct buf_writer *w, const struct quic_cid *cid)
{
	if (cid->len > QUIC_MAX_CID_LEN) {
		w->err = true;
		return;
	}
	buf_put_bytes(w, cid->b, cid->len);
}

static void put_prefaddr(struct buf_writer *w, const struct quic_preferred_address *pa)
{
	/* RFC 9000 18.2: never a zero-length CID here */
	if (pa->cid.len == 0) {
		w->err = true;
		return;
	}
	buf_put_varint(w, PREFADDR_FIXED_LEN + pa->cid.len);
	buf_put_bytes(w, pa->ipv4, sizeof(pa->ipv4));
	buf_put_u16(w, pa->ipv4_port);
	buf_put_bytes(w, pa->ipv6, sizeof(pa->ipv6));
	buf_put_u16(w, pa->ipv6_port);
	buf_put_u8(w, pa->cid.len);
	put_cid(w, &pa->cid);
	buf_put_bytes(w, pa->reset_token, sizeof(pa->reset_token));
}

static void put_param(struct buf_writer *w, const struct quic_tparams *tp, unsigned id)
{
	const struct tp_desc *d = &tp_descs[id];
	bool present = tp->present & QUIC_TP_BIT(id);
	uint64_t v;

	switch (d->kind) {
	case TP_INT:
		v = *tp_int_c(tp, d);
		/* what the peer would reject is never sent */
		if (v < d->min || v > d->max) {
			w->err = true;
			return;
		}
		if (!present && v == d->def)
			return;
		buf_put_varint(w, id);
		buf_put_varint(w, buf_varint_len(v));
		buf_put_varint(w, v);
		return;
	case TP_CID:
		if (!present)
			return;
		buf_put_varint(w, id);
		buf_put_varint(w, ((const struct quic_cid *)tp_field_c(tp, d))->len);
		put_cid(w, tp_field_c(tp, d));
		return;
	case TP_TOKEN:
		if (!present)
			return;
		buf_put_varint(w, id);
		buf_put_varint(w, QUIC_STATELESS_RESET_TOKEN_LEN);
		buf_put_bytes(w, tp->stateless_reset_token, QUIC_STATELESS_RESET_TOKEN_LEN);
		return;
	case TP_FLAG:
		if (!present)
			return;
		buf_put_varint(w, id);
		buf_put_varint(w, 0);
		return;
	case TP_PREFADDR:
		if (!present)
			return;
		buf_put_varint(w, id);
		put_prefaddr(w, &tp->preferred_address);
		return;
	}
}

int quic_tparams_encode(const struct quic_tparams *tp, bool server, uint8_t *out, size_t cap,
			size_t *len)
{
	struct buf_writer w;

	/* RFC 9000 18.2: a client MUST NOT include a server-only parameter */
	if (!server && (tp->present & QUIC_TP_SERVER_ONLY))
		return -1;
	buf_writer_init(&w, out, cap);
	for (unsigned id = 0; id < QUIC_TP_COUNT && !w.err; id++)
		put_param(&w, tp, id);
	if (w.err)
		return -1;
	*len = buf_written(&w);
	return 0;
}

/* ---------------------------------------------------------------- decode */

static bool get_cid(struct buf_reader *r, size_t n, struct quic_cid *cid)
{
	if (n > QUIC_MAX_CID_LEN)
		return false;
	cid->len = (uint8_t)n;
	buf_get_copy(r, cid->b, n);
	return !r->err;
}

static bool get_prefaddr(struct buf_reader *r, struct quic_preferred_address *pa)
{
	uint8_t cidlen;

	buf_get_copy(r, pa->ipv4, sizeof(pa->ipv4));
	pa->ipv4_port = buf_get_u16(r);
	buf_get_copy(r, pa->ipv6, sizeof(pa->ipv6));
	pa->ipv6_port = buf_get_u16(r);
	cidlen = buf_get_u8(r);
	/* RFC 9000 18.2: a zero-length CID here is a TRANSPORT_PARAMETER_ERROR */
	if (r->err || cidlen == 0 || !get_cid(r, cidlen, &pa->cid))
		return false;
	buf_get_copy(r, pa->reset_token, sizeof(pa->reset_token));
	return !r->err;
}

/* One known parameter's value, v[0..n); false if it is malformed or out
 * of range (RFC 9000 7.4: invalid values are TRANSPORT_PARAMETER_ERROR). */
static bool get_value(struct quic_tparams *tp, unsigned id, const uint8_t *v, size_t n)
{
	const struct tp_desc *d = &tp_descs[id];
	struct buf_reader r;
	uint64_t x;

	buf_reader_init(&r, v, n);
	switch (d->kind) {
	case TP_INT:
		x = buf_get_varint(&r);
		if (r.err || x < d->min || x > d->max)
			return false;
		*tp_int(tp, d) = x;
		break;
	case TP_CID:
		if (!get_cid(&r, n, (struct quic_cid *)((uint8_t *)tp + d->off)))
			return false;
		break;
	case TP_TOKEN:
		if (n != QUIC_STATELESS_RESET_TOKEN_LEN)
			return false;
		buf_get_copy(&r, tp->stateless_reset_token, n);
		break;
	case TP_FLAG:
		break;
	case TP_PREFADDR:
		if (!get_prefaddr(&r, &tp->preferred_address))
			return false;
		break;
	}
	/* the value must fill its declared length exactly */
	return !r.err && buf_left(&r) == 0;
}

int quic_tparams_decode(const uint8_t *p, size_t len, bool from_server, struct quic_tparams *tp)
{
	struct buf_reader r;

	quic_tparams_init(tp);
	buf_reader_init(&r, p, len);
	while (buf_left(&r)) {
		uint64_t id = buf_get_varint(&r);
		uint64_t n = buf_get_varint(&r);
		const uint8_t *v;
		uint32_t bit;

		/* compared before the cast: size_t may be narrower than n */
		if (r.err || n > buf_left(&r))
			return QUIC_TRANSPORT_PARAMETER_ERROR;
		v = buf_get_bytes(&r, (size_t)n);
		/* 7.4.2: unsupported parameters MUST be ignored; that includes the
		 * reserved 31 * N + 27 of 18.1 */
		if (id >= QUIC_TP_COUNT)
			continue;
		bit = QUIC_TP_BIT(id);
		/* 7.4: duplicates SHOULD be a TRANSPORT_PARAMETER_ERROR; 18.2:
		 * server-only parameters from a client MUST be */
		if ((tp->present & bit) || (!from_server && (bit & QUIC_TP_SERVER_ONLY)))
			return QUIC_TRANSPORT_PARAMETER_ERROR;
		tp->present |= bit;
		if (!get_value(tp, (unsigned)id, v, (size_t)n))
			return QUIC_TRANSPORT_PARAMETER_ERROR;
	}
	return 0;
}

/* ------------------------------------------------------------ check CIDs */

static bool cid_eq(const struct quic_cid *a, const struct quic_cid *b)
{
	return a && b && a->len <= QUIC_MAX_CID_LEN && quic_cid_equal(a, b);
}

/* RFC 9000 7.3: absent initial_source_connection_id (either side) or
 * original_destination_connection_id (server) MUST be a
 * TRANSPORT_PARAMETER_ERROR; a missing or unexpected
 * retry_source_connection_id or a mismatch MUST be TRANSPORT_PARAMETER_ERROR
 * or PROTOCOL_VIOLATION: the first is used throughout. */
int quic_tparams_check_cids(const struct quic_tparams *tp, bool from_server,
			    const struct quic_cid *peer_scid, const struct quic_cid *odcid,
			    const struct quic_cid *retry_scid)
{
	if (!quic_tparams_has(tp, QUIC_TP_INITIAL_SCID) || !cid_eq(&tp->initial_scid, peer_scid))
		return QUIC_TRANSPORT_PARAMETER_ERROR;
	if (!from_server)
		return 0;
	if (!quic_tparams_has(tp, QUIC_TP_ORIGINAL_DCID) || !cid_eq(&tp->original_dcid, odcid))
		return QUIC_TRANSPORT_PARAMETER_ERROR;
	if (retry_scid) {
		if (!quic_tparams_has(tp, QUIC_TP_RETRY_SCID) ||
		    !cid_eq(&tp->retry_scid, retry_scid))
			return QUIC_TRANSPORT_PARAMETER_ERROR;
	} else if (quic_tparams_has(tp, QUIC_TP_RETRY_SCID)) {
		return QUIC_TRANSPORT_PARAMETER_ERROR;
	}
	/* 18.2: a server that chose a zero-length CID MUST NOT send a
	 * preferred address */
	if (quic_tparams_has(tp, QUIC_TP_PREFERRED_ADDRESS) && peer_scid->len == 0)
		return QUIC_TRANSPORT_PARAMETER_ERROR;
	return 0;
}
