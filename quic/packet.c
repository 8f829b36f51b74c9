/* quic/packet: packet headers and packet numbers, RFC 9000 section 17 and
 * appendix A, RFC 8999, RFC 9369 3.2. See quic/packet.h. */
#include <string.h>

#include "quic/packet.h"
#include "quic/protect.h"

#define HDR_FORM        0x80
#define HDR_FIXED       0x40
#define LONG_RESERVED   0x0c
#define SHORT_SPIN      0x20
#define SHORT_RESERVED  0x18
#define SHORT_KEY_PHASE 0x04
/* Retry's four unused bits: all set, as in the RFC 9001 and 9369 examples */
#define RETRY_UNUSED    0x0f

/* The long-header Type bits of Initial, 0-RTT, Handshake and Retry */
static const uint8_t type_bits_v1[4] = { 0, 1, 2, 3 };
static const uint8_t type_bits_v2[4] = { 1, 2, 3, 0 };  /* RFC 9369 3.2 */

static const uint8_t *type_bits_of(uint32_t version)
{
	if (version == QUIC_VERSION_1)
		return type_bits_v1;
	if (version == QUIC_VERSION_2)
		return type_bits_v2;
	return NULL;
}

/* A CID of len bytes, copied; false past the end or above 20 bytes. */
static bool get_cid(struct buf_reader *r, size_t len, struct quic_cid *c)
{
	const uint8_t *p = buf_get_bytes(r, len);

	if (!p || len > QUIC_MAX_CID_LEN)
		return false;
	c->len = (uint8_t)len;
	memcpy(c->b, p, len);
	return true;
}

static void put_cid(struct buf_writer *w, const struct quic_cid *c)
{
	buf_put_u8(w, c->len);
	buf_put_bytes(w, c->b, c->len);
}

static int parse_short(struct buf_reader *r, const uint8_t *d, size_t short_dcid_len,
		       struct quic_pkt_hdr *h)
{
	if (!(h->first & HDR_FIXED) || !get_cid(r, short_dcid_len, &h->dcid) ||
	    buf_left(r) < QUIC_PKT_MIN_PROTECTED)
		return -1;
	h->type = QUIC_PKT_1RTT;
	h->pn_offset = (size_t)(r->p - d);
	return 0;
}

static int parse_version_negotiation(struct buf_reader *r, struct quic_pkt_hdr *h)
{
	size_t left = buf_left(r);

	if (!left || left % 4)
		return -1;
	h->type = QUIC_PKT_VERSION_NEGOTIATION;
	h->versions = r->p;
	h->n_versions = left / 4;
	return 0;
}

/* After the CIDs of a v1 or v2 Initial, 0-RTT or Handshake packet. */
static int parse_long_rest(struct buf_reader *r, const uint8_t *d, struct quic_pkt_hdr *h)
{
	uint64_t length;

	if (h->type == QUIC_PKT_INITIAL) {
		uint64_t token_len = buf_get_varint(r);

		if (r->err || token_len > buf_left(r))
			return -1;
		h->token_len = (size_t)token_len;
		h->token = buf_get_bytes(r, h->token_len);
	}
	length = buf_get_varint(r);
	if (r->err || length > buf_left(r) || length < QUIC_PKT_MIN_PROTECTED)
		return -1;
	h->pn_offset = (size_t)(r->p - d);
	h->len = h->pn_offset + (size_t)length;
	return 0;
}

int quic_pkt_parse(const uint8_t *d, size_t len, size_t short_dcid_len,
		   struct quic_pkt_hdr *h)
{
	struct buf_reader r;
	const uint8_t *bits, *dcid, *scid;
	size_t dcid_len, scid_len;

	memset(h, 0, sizeof(*h));
	buf_reader_init(&r, d, len);
	h->first = buf_get_u8(&r);
	if (r.err)
		return -1;
	h->len = len;
	if (!quic_pkt_is_long(h->first))
		return parse_short(&r, d, short_dcid_len, h);

	/* the invariants (RFC 8999 5.1): lengths up to 255 */
	h->version = buf_get_u32(&r);
	dcid_len = buf_get_u8(&r);
	dcid = buf_get_bytes(&r, dcid_len);
	scid_len = buf_get_u8(&r);
	scid = buf_get_bytes(&r, scid_len);
	if (r.err)
		return -1;
	bits = type_bits_of(h->version);
	if (dcid_len > QUIC_MAX_CID_LEN || scid_len > QUIC_MAX_CID_LEN) {
		/* v1, v2 (17.2) and VN answering our own CIDs: drop */
		if (bits || h->version == 0)
			return -1;
		h->cid_too_long = true;
	} else {
		h->dcid.len = (uint8_t)dcid_len;
		memcpy(h->dcid.b, dcid, dcid_len);
		h->scid.len = (uint8_t)scid_len;
		memcpy(h->scid.b, scid, scid_len);
	}
	if (h->version == 0)
		return parse_version_negotiation(&r, h);
	if (!bits) {
		h->unknown_version = true;
		return 0;
	}
	if (!(h->first & HDR_FIXED))
		return -1;
	for (int t = QUIC_PKT_INITIAL; t <= QUIC_PKT_RETRY; t++)
		if (bits[t] == ((h->first >> 4) & 3))
			h->type = (enum quic_pkt_type)t;
	if (h->type != QUIC_PKT_RETRY)
		return parse_long_rest(&r, d, h);

	/* Retry: the token, then the integrity tag; an empty token is invalid
	 * (17.2.5.2) */
	if (buf_left(&r) <= QUIC_RETRY_TAG_LEN)
		return -1;
	h->token = r.p;
	h->token_len = buf_left(&r) - QUIC_RETRY_TAG_LEN;
	return 0;
}

enum quic_error quic_pkt_check_reserved(uint8_t first)
{
	uint8_t mask = quic_pkt_is_long(first) ? LONG_RESERVED : SHORT_RESERVED;

	return first & mask ? QUIC_PROTOCOL_VIOLATION : QUIC_NO_ERROR;
}

enum quic_pn_space quic_pkt_space(enum quic_pkt_type type)
{
	switch (type) {
	case QUIC_PKT_INITIAL:
		return QUIC_SPACE_INITIAL;
	case QUIC_PKT_HANDSHAKE:
		return QUIC_SPACE_HANDSHAKE;
	case QUIC_PKT_0RTT:
	case QUIC_PKT_1RTT:
		return QUIC_SPACE_APP;
	default:
		return QUIC_SPACE_COUNT;
	}
}

static bool pn_args_ok(uint64_t pn, size_t pn_len)
{
	return pn_len >= 1 && pn_len <= 4 && pn <= QUIC_MAX_PN;
}

int quic_pkt_write_long(struct buf_writer *w, enum quic_pkt_type type, uint32_t version,
			const struct quic_cid *dcid, const struct quic_cid *scid,
			const uint8_t *token, size_t token_len, uint64_t pn, size_t pn_len,
			size_t *length_pos, size_t *pn_offset)
{
	const uint8_t *bits = type_bits_of(version);
	size_t start = buf_written(w);

	if (!bits || type > QUIC_PKT_HANDSHAKE || !pn_args_ok(pn, pn_len) ||
	    dcid->len > QUIC_MAX_CID_LEN || scid->len > QUIC_MAX_CID_LEN ||
	    (token_len && (type != QUIC_PKT_INITIAL || !token)))
		return -1;
	buf_put_u8(w, (uint8_t)(HDR_FORM | HDR_FIXED | bits[type] << 4 | (pn_len - 1)));
	buf_put_u32(w, version);
	put_cid(w, dcid);
	put_cid(w, scid);
	if (type == QUIC_PKT_INITIAL) {
		buf_put_varint(w, token_len);
		buf_put_bytes(w, token, token_len);
	}
	*length_pos = buf_written(w) - start;
	buf_put_varint_n(w, 0, 2);
	*pn_offset = buf_written(w) - start;
	buf_put_uint(w, pn, pn_len);
	return w->err ? -1 : 0;
}

int quic_pkt_set_length(uint8_t *pkt, size_t length_pos, size_t length)
{
	/* what the parser needs: room for the header-protection sample */
	if (length < QUIC_PKT_MIN_PROTECTED || length > QUIC_PKT_LENGTH_MAX)
		return -1;
	pkt[length_pos] = (uint8_t)(0x40 | length >> 8);
	pkt[length_pos + 1] = (uint8_t)length;
	return 0;
}

int quic_pkt_write_short(struct buf_writer *w, const struct quic_cid *dcid, bool key_phase,
			 bool spin, uint64_t pn, size_t pn_len, size_t *pn_offset)
{
	if (!pn_args_ok(pn, pn_len) || dcid->len > QUIC_MAX_CID_LEN)
		return -1;
	buf_put_u8(w, (uint8_t)(HDR_FIXED | (spin ? SHORT_SPIN : 0) |
				(key_phase ? SHORT_KEY_PHASE : 0) | (pn_len - 1)));
	buf_put_bytes(w, dcid->b, dcid->len);
	*pn_offset = 1 + dcid->len;
	buf_put_uint(w, pn, pn_len);
	return w->err ? -1 : 0;
}

size_t quic_pkt_write_version_negotiation(uint8_t *out, size_t cap, const struct quic_cid *dcid,
					  const struct quic_cid *scid, const uint32_t *versions,
					  size_t n, uint8_t random_byte)
{
	struct buf_writer w;

	if (!n || dcid->len > QUIC_MAX_CID_LEN || scid->len > QUIC_MAX_CID_LEN)
		return 0;
	buf_writer_init(&w, out, cap);
	buf_put_u8(&w, (uint8_t)(HDR_FORM | HDR_FIXED | (random_byte & 0x3f)));
	buf_put_u32(&w, 0);
	put_cid(&w, dcid);
	put_cid(&w, scid);
	for (size_t i = 0; i < n; i++)
		buf_put_u32(&w, versions[i]);
	return w.err ? 0 : buf_written(&w);
}

size_t quic_pkt_write_retry(uint8_t *out, size_t cap, uint32_t version,
			    const struct quic_cid *dcid, const struct quic_cid *scid,
			    const struct quic_cid *odcid, const uint8_t *token, size_t token_len)
{
	const uint8_t *bits = type_bits_of(version);
	struct buf_writer w;
	uint8_t *tag;
	size_t len;

	if (!bits || !token_len || dcid->len > QUIC_MAX_CID_LEN ||
	    scid->len > QUIC_MAX_CID_LEN || odcid->len > QUIC_MAX_CID_LEN)
		return 0;
	buf_writer_init(&w, out, cap);
	buf_put_u8(&w, (uint8_t)(HDR_FORM | HDR_FIXED | bits[QUIC_PKT_RETRY] << 4 | RETRY_UNUSED));
	buf_put_u32(&w, version);
	put_cid(&w, dcid);
	put_cid(&w, scid);
	buf_put_bytes(&w, token, token_len);
	len = buf_written(&w);
	tag = buf_put_space(&w, QUIC_RETRY_TAG_LEN);
	if (!tag || quic_retry_tag(version, odcid->b, odcid->len, out, len, tag) != 0)
		return 0;
	return len + QUIC_RETRY_TAG_LEN;
}

size_t quic_pn_encode_len(uint64_t pn, uint64_t largest_acked)
{
	uint64_t unacked = largest_acked == UINT64_MAX ? pn + 1 : pn - largest_acked;

	/* 17.1: the n-byte window 2^(8n) must be more than twice as large */
	for (size_t n = 1; n < 4; n++)
		if (unacked < UINT64_C(1) << (8 * n - 1))
			return n;
	return 4;
}

uint64_t quic_pn_decode(uint64_t largest_pn, uint64_t truncated, size_t pn_len)
{
	uint64_t expected = largest_pn + 1;  /* 0 when none: UINT64_MAX wraps */
	uint64_t win, hwin, mask, cand;

	if (pn_len < 1 || pn_len > 4)
		return UINT64_MAX;
	win = UINT64_C(1) << (8 * pn_len);
	hwin = win / 2;
	mask = win - 1;
	cand = (expected & ~mask) | (truncated & mask);
	/* A.3, with "cand <= expected - hwin" kept from going below zero */
	if (cand + hwin <= expected && cand < (UINT64_C(1) << 62) - win)
		return cand + win;
	if (cand > expected + hwin && cand >= win)
		return cand - win;
	return cand;
}
