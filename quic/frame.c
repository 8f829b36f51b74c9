/* quic/frame: RFC 9000 section 19 frames, parsed in place and built into
 * a struct buf_writer (see frame.h). */
#include <string.h>

#include "quic/frame.h"

#define FEE QUIC_FRAME_ENCODING_ERROR
#define BIT(t) (UINT32_C(1) << (t))

/* RFC 9000 12.4 Table 3 */
#define TYPES_ALL ((BIT(QUIC_FRAME_HANDSHAKE_DONE) << 1) - 1)
#define TYPES_IH (BIT(QUIC_FRAME_PADDING) | BIT(QUIC_FRAME_PING) | BIT(QUIC_FRAME_ACK) | \
		  BIT(QUIC_FRAME_ACK_ECN) | BIT(QUIC_FRAME_CRYPTO) |                      \
		  BIT(QUIC_FRAME_CONNECTION_CLOSE))
/* 17.2.3: frames a client cannot send in 0-RTT */
#define TYPES_NOT_0RTT (BIT(QUIC_FRAME_ACK) | BIT(QUIC_FRAME_ACK_ECN) | BIT(QUIC_FRAME_CRYPTO) | \
			BIT(QUIC_FRAME_HANDSHAKE_DONE) | BIT(QUIC_FRAME_NEW_TOKEN) |           \
			BIT(QUIC_FRAME_PATH_RESPONSE) | BIT(QUIC_FRAME_RETIRE_CONNECTION_ID))

bool quic_frame_permitted(uint64_t type, enum quic_pkt_type pkt)
{
	uint32_t mask;

	if (type > QUIC_FRAME_HANDSHAKE_DONE)
		return false;
	switch (pkt) {
	case QUIC_PKT_INITIAL:
	case QUIC_PKT_HANDSHAKE:
		mask = TYPES_IH;
		break;
	case QUIC_PKT_0RTT:
		mask = TYPES_ALL & ~TYPES_NOT_0RTT;
		break;
	case QUIC_PKT_1RTT:
		mask = TYPES_ALL;
		break;
	default:  /* Retry and Version Negotiation carry no frames */
		mask = 0;
		break;
	}
	return mask >> type & 1;
}

bool quic_frame_ack_eliciting(uint64_t type)
{
	return type != QUIC_FRAME_PADDING && type != QUIC_FRAME_ACK && type != QUIC_FRAME_ACK_ECN &&
	       type != QUIC_FRAME_CONNECTION_CLOSE && type != QUIC_FRAME_CONNECTION_CLOSE_APP;
}

bool quic_frame_in_flight(uint64_t type)
{
	return type == QUIC_FRAME_PADDING || quic_frame_ack_eliciting(type);
}

/* ---------------------------------------------------------------- parse */

/* len bytes in place; a uint64_t length is checked before it becomes a
 * size_t. */
static const uint8_t *get_data(struct buf_reader *r, uint64_t len)
{
	if (len > buf_left(r)) {
		r->err = true;
		return NULL;
	}
	return buf_get_bytes(r, (size_t)len);
}

/* Walk count (gap, length) pairs below the packet number smallest (RFC
 * 9000 19.3.1). FRAME_ENCODING_ERROR if one is truncated or goes below
 * packet number 0. */
static int ack_ranges_walk(struct buf_reader *r, uint64_t smallest, uint64_t count)
{
	for (; count; count--) {
		uint64_t gap = buf_get_varint(r);
		uint64_t len = buf_get_varint(r);
		uint64_t hi;

		if (r->err || smallest < gap + 2)
			return FEE;
		hi = smallest - gap - 2;
		if (hi < len)
			return FEE;
		smallest = hi - len;
	}
	return 0;
}

static int parse_ack(struct buf_reader *r, uint64_t type, struct quic_frame_ack *a)
{
	int err;

	a->largest = buf_get_varint(r);
	a->ack_delay = buf_get_varint(r);
	a->range_count = buf_get_varint(r);
	a->first_range = buf_get_varint(r);
	if (r->err || a->first_range > a->largest)
		return FEE;
	a->ranges = r->p;
	err = ack_ranges_walk(r, a->largest - a->first_range, a->range_count);
	if (err)
		return err;
	a->ranges_len = (size_t)(r->p - a->ranges);
	if (type == QUIC_FRAME_ACK_ECN) {
		a->ect0 = buf_get_varint(r);
		a->ect1 = buf_get_varint(r);
		a->ce = buf_get_varint(r);
	}
	return 0;
}

/* STREAM and CRYPTO: offset + length may not pass 2^62 - 1 (19.6, 19.8) */
static int parse_data(struct buf_reader *r, uint64_t type, struct quic_frame *f)
{
	uint64_t len;

	if (type == QUIC_FRAME_CRYPTO) {
		f->crypto.offset = buf_get_varint(r);
		len = buf_get_varint(r);
	} else {
		f->stream.stream_id = buf_get_varint(r);
		if (type & QUIC_FRAME_STREAM_OFF)
			f->stream.offset = buf_get_varint(r);
		/* without LEN the data runs to the end of the packet */
		len = type & QUIC_FRAME_STREAM_LEN ? buf_get_varint(r) : buf_left(r);
	}
	f->stream.data = get_data(r, len);
	if (r->err || f->stream.offset + len > BUF_VARINT_MAX)
		return FEE;
	f->stream.len = (size_t)len;
	return 0;
}

static int parse_new_cid(struct buf_reader *r, struct quic_frame *f)
{
	uint8_t len;

	f->new_cid.seq = buf_get_varint(r);
	f->new_cid.retire_prior_to = buf_get_varint(r);
	len = buf_get_u8(r);
	if (r->err || len < 1 || len > QUIC_MAX_CID_LEN ||
	    f->new_cid.retire_prior_to > f->new_cid.seq)
		return FEE;
	f->new_cid.cid.len = len;
	buf_get_copy(r, f->new_cid.cid.b, len);
	buf_get_copy(r, f->new_cid.reset_token, sizeof(f->new_cid.reset_token));
	return 0;
}

int quic_frame_parse(struct buf_reader *r, enum quic_pkt_type pkt, struct quic_frame *f)
{
	const uint8_t *start = r->p;
	uint64_t type, v;
	int err = 0;

	if (r->err || !buf_left(r))
		return FEE;
	type = buf_get_varint(r);
	if (r->err || type > QUIC_FRAME_HANDSHAKE_DONE)
		return FEE;
	/* 12.4: the type must be in its shortest form */
	if ((size_t)(r->p - start) != buf_varint_len(type))
		return QUIC_PROTOCOL_VIOLATION;
	if (!quic_frame_permitted(type, pkt))
		return QUIC_PROTOCOL_VIOLATION;

	memset(f, 0, sizeof(*f));
	f->type = (uint8_t)type;
	switch (type) {
	case QUIC_FRAME_PADDING:
		f->padding.count = 1;
		while (buf_left(r) && r->p[0] == QUIC_FRAME_PADDING) {
			r->p++;
			f->padding.count++;
		}
		break;
	case QUIC_FRAME_PING:
	case QUIC_FRAME_HANDSHAKE_DONE:
		break;
	case QUIC_FRAME_ACK:
	case QUIC_FRAME_ACK_ECN:
		err = parse_ack(r, type, &f->ack);
		break;
	case QUIC_FRAME_RESET_STREAM:
		f->reset_stream.stream_id = buf_get_varint(r);
		f->reset_stream.error = buf_get_varint(r);
		f->reset_stream.final_size = buf_get_varint(r);
		break;
	case QUIC_FRAME_STOP_SENDING:
		f->stop_sending.stream_id = buf_get_varint(r);
		f->stop_sending.error = buf_get_varint(r);
		break;
	case QUIC_FRAME_NEW_TOKEN:
		v = buf_get_varint(r);
		f->new_token.token = get_data(r, v);
		f->new_token.len = (size_t)v;
		if (!r->err && !v)
			err = FEE;  /* 19.7: an empty token */
		break;
	case QUIC_FRAME_MAX_DATA:
		f->max_data.max = buf_get_varint(r);
		break;
	case QUIC_FRAME_MAX_STREAM_DATA:
		f->max_stream_data.stream_id = buf_get_varint(r);
		f->max_stream_data.max = buf_get_varint(r);
		break;
	case QUIC_FRAME_MAX_STREAMS_BIDI:
	case QUIC_FRAME_MAX_STREAMS_UNI:
		f->max_streams.max = buf_get_varint(r);
		if (f->max_streams.max > QUIC_MAX_STREAMS_LIMIT)
			err = FEE;
		break;
	case QUIC_FRAME_DATA_BLOCKED:
		f->data_blocked.limit = buf_get_varint(r);
		break;
	case QUIC_FRAME_STREAM_DATA_BLOCKED:
		f->stream_data_blocked.stream_id = buf_get_varint(r);
		f->stream_data_blocked.limit = buf_get_varint(r);
		break;
	case QUIC_FRAME_STREAMS_BLOCKED_BIDI:
	case QUIC_FRAME_STREAMS_BLOCKED_UNI:
		f->streams_blocked.limit = buf_get_varint(r);
		if (f->streams_blocked.limit > QUIC_MAX_STREAMS_LIMIT)
			err = FEE;
		break;
	case QUIC_FRAME_NEW_CONNECTION_ID:
		err = parse_new_cid(r, f);
		break;
	case QUIC_FRAME_RETIRE_CONNECTION_ID:
		f->retire_cid.seq = buf_get_varint(r);
		break;
	case QUIC_FRAME_PATH_CHALLENGE:
	case QUIC_FRAME_PATH_RESPONSE:
		buf_get_copy(r, f->path.data, sizeof(f->path.data));
		break;
	case QUIC_FRAME_CONNECTION_CLOSE:
	case QUIC_FRAME_CONNECTION_CLOSE_APP:
		f->close.error = buf_get_varint(r);
		if (type == QUIC_FRAME_CONNECTION_CLOSE)
			f->close.frame_type = buf_get_varint(r);
		v = buf_get_varint(r);
		f->close.reason = get_data(r, v);
		f->close.reason_len = (size_t)v;
		break;
	default:  /* CRYPTO, STREAM */
		err = parse_data(r, type, f);
		break;
	}
	if (err)
		return err;
	return r->err ? FEE : 0;
}

/* ------------------------------------------------------------ ACK ranges */

void quic_ack_iter_init(struct quic_ack_iter *it, const struct quic_frame *ack)
{
	const struct quic_frame_ack *a = &ack->ack;

	buf_reader_init(&it->r, a->ranges, a->ranges_len);
	it->hi = a->largest;
	it->len = a->first_range;
	it->left = a->first_range <= a->largest ? a->range_count + 1 : 0;
}

bool quic_ack_iter_next(struct quic_ack_iter *it, uint64_t *lo, uint64_t *hi)
{
	uint64_t gap, len;

	if (!it->left)
		return false;
	*hi = it->hi;
	*lo = it->hi - it->len;
	if (--it->left) {
		gap = buf_get_varint(&it->r);
		len = buf_get_varint(&it->r);
		if (it->r.err || *lo < gap + 2 || *lo - gap - 2 < len) {
			it->left = 0;
		} else {
			it->hi = *lo - gap - 2;
			it->len = len;
		}
	}
	return true;
}

/* ---------------------------------------------------------------- build */

/* n += the varint's length; false if v is above 2^62 - 1 */
static bool add_varint(size_t *n, uint64_t v)
{
	size_t l = buf_varint_len(v);

	*n += l;
	return l != 0;
}

/* n += len payload bytes at p; false if they cannot be */
static bool add_data(size_t *n, const void *p, size_t len)
{
	if ((len && !p) || len > BUF_VARINT_MAX || len > SIZE_MAX - *n)
		return false;
	*n += len;
	return true;
}

static bool ack_size(const struct quic_frame_ack *a, uint64_t type, size_t *n)
{
	struct buf_reader r;
	bool ok = add_varint(n, a->largest) & add_varint(n, a->ack_delay) &
		  add_varint(n, a->range_count) & add_varint(n, a->first_range) &
		  add_data(n, a->ranges, a->ranges_len);

	if (!ok || a->first_range > a->largest)
		return false;
	buf_reader_init(&r, a->ranges, a->ranges_len);
	if (ack_ranges_walk(&r, a->largest - a->first_range, a->range_count) || buf_left(&r))
		return false;
	if (type == QUIC_FRAME_ACK_ECN)
		return add_varint(n, a->ect0) & add_varint(n, a->ect1) & add_varint(n, a->ce);
	return true;
}

static bool stream_size(const struct quic_frame *f, size_t *n)
{
	uint64_t t = f->type;
	bool ok = add_data(n, f->stream.data, f->stream.len);

	if (t == QUIC_FRAME_CRYPTO)
		return ok & add_varint(n, f->crypto.offset) & add_varint(n, f->crypto.len) &&
		       f->crypto.offset <= BUF_VARINT_MAX - f->crypto.len;
	ok &= add_varint(n, f->stream.stream_id);
	if (t & QUIC_FRAME_STREAM_OFF)
		ok &= add_varint(n, f->stream.offset);
	else
		ok &= f->stream.offset == 0;
	if (t & QUIC_FRAME_STREAM_LEN)
		ok &= add_varint(n, f->stream.len);
	return ok && f->stream.offset <= BUF_VARINT_MAX - f->stream.len;
}

size_t quic_frame_size(const struct quic_frame *f)
{
	size_t n = 1;
	bool ok;

	switch (f->type) {
	case QUIC_FRAME_PADDING:
		return f->padding.count;
	case QUIC_FRAME_PING:
	case QUIC_FRAME_HANDSHAKE_DONE:
		return 1;
	case QUIC_FRAME_ACK:
	case QUIC_FRAME_ACK_ECN:
		ok = ack_size(&f->ack, f->type, &n);
		break;
	case QUIC_FRAME_RESET_STREAM:
		ok = add_varint(&n, f->reset_stream.stream_id) &
		     add_varint(&n, f->reset_stream.error) &
		     add_varint(&n, f->reset_stream.final_size);
		break;
	case QUIC_FRAME_STOP_SENDING:
		ok = add_varint(&n, f->stop_sending.stream_id) &
		     add_varint(&n, f->stop_sending.error);
		break;
	case QUIC_FRAME_NEW_TOKEN:
		ok = f->new_token.len && add_varint(&n, f->new_token.len) &&
		     add_data(&n, f->new_token.token, f->new_token.len);
		break;
	case QUIC_FRAME_MAX_DATA:
		ok = add_varint(&n, f->max_data.max);
		break;
	case QUIC_FRAME_MAX_STREAM_DATA:
		ok = add_varint(&n, f->max_stream_data.stream_id) &
		     add_varint(&n, f->max_stream_data.max);
		break;
	case QUIC_FRAME_MAX_STREAMS_BIDI:
	case QUIC_FRAME_MAX_STREAMS_UNI:
		ok = f->max_streams.max <= QUIC_MAX_STREAMS_LIMIT &&
		     add_varint(&n, f->max_streams.max);
		break;
	case QUIC_FRAME_DATA_BLOCKED:
		ok = add_varint(&n, f->data_blocked.limit);
		break;
	case QUIC_FRAME_STREAM_DATA_BLOCKED:
		ok = add_varint(&n, f->stream_data_blocked.stream_id) &
		     add_varint(&n, f->stream_data_blocked.limit);
		break;
	case QUIC_FRAME_STREAMS_BLOCKED_BIDI:
	case QUIC_FRAME_STREAMS_BLOCKED_UNI:
		ok = f->streams_blocked.limit <= QUIC_MAX_STREAMS_LIMIT &&
		     add_varint(&n, f->streams_blocked.limit);
		break;
	case QUIC_FRAME_NEW_CONNECTION_ID:
		ok = add_varint(&n, f->new_cid.seq) & add_varint(&n, f->new_cid.retire_prior_to) &&
		     f->new_cid.retire_prior_to <= f->new_cid.seq && f->new_cid.cid.len >= 1 &&
		     f->new_cid.cid.len <= QUIC_MAX_CID_LEN;
		n += 1 + f->new_cid.cid.len + QUIC_STATELESS_RESET_TOKEN_LEN;
		break;
	case QUIC_FRAME_RETIRE_CONNECTION_ID:
		ok = add_varint(&n, f->retire_cid.seq);
		break;
	case QUIC_FRAME_PATH_CHALLENGE:
	case QUIC_FRAME_PATH_RESPONSE:
		ok = true;
		n += sizeof(f->path.data);
		break;
	case QUIC_FRAME_CONNECTION_CLOSE:
	case QUIC_FRAME_CONNECTION_CLOSE_APP:
		ok = add_varint(&n, f->close.error) & add_varint(&n, f->close.reason_len) &
		     add_data(&n, f->close.reason, f->close.reason_len);
		if (f->type == QUIC_FRAME_CONNECTION_CLOSE)
			ok &= add_varint(&n, f->close.frame_type);
		break;
	default:
		ok = (f->type == QUIC_FRAME_CRYPTO || QUIC_FRAME_IS_STREAM(f->type)) &&
		     stream_size(f, &n);
		break;
	}
	return ok ? n : 0;
}

int quic_frame_write(struct buf_writer *w, const struct quic_frame *f)
{
	size_t n = quic_frame_size(f);
	uint8_t t = f->type;
	uint8_t *p;

	if (w->err || !n || n > buf_room(w)) {
		w->err = true;
		return -1;
	}
	/* f is valid and fits: nothing below can fail */
	if (t == QUIC_FRAME_PADDING) {
		p = buf_put_space(w, n);
		memset(p, 0, n);
		return 0;
	}
	buf_put_u8(w, t);
	switch (t) {
	case QUIC_FRAME_PING:
	case QUIC_FRAME_HANDSHAKE_DONE:
		break;
	case QUIC_FRAME_ACK:
	case QUIC_FRAME_ACK_ECN:
		buf_put_varint(w, f->ack.largest);
		buf_put_varint(w, f->ack.ack_delay);
		buf_put_varint(w, f->ack.range_count);
		buf_put_varint(w, f->ack.first_range);
		buf_put_bytes(w, f->ack.ranges, f->ack.ranges_len);
		if (t == QUIC_FRAME_ACK_ECN) {
			buf_put_varint(w, f->ack.ect0);
			buf_put_varint(w, f->ack.ect1);
			buf_put_varint(w, f->ack.ce);
		}
		break;
	case QUIC_FRAME_RESET_STREAM:
		buf_put_varint(w, f->reset_stream.stream_id);
		buf_put_varint(w, f->reset_stream.error);
		buf_put_varint(w, f->reset_stream.final_size);
		break;
	case QUIC_FRAME_STOP_SENDING:
		buf_put_varint(w, f->stop_sending.stream_id);
		buf_put_varint(w, f->stop_sending.error);
		break;
	case QUIC_FRAME_NEW_TOKEN:
		buf_put_varint(w, f->new_token.len);
		buf_put_bytes(w, f->new_token.token, f->new_token.len);
		break;
	case QUIC_FRAME_MAX_DATA:
		buf_put_varint(w, f->max_data.max);
		break;
	case QUIC_FRAME_MAX_STREAM_DATA:
		buf_put_varint(w, f->max_stream_data.stream_id);
		buf_put_varint(w, f->max_stream_data.max);
		break;
	case QUIC_FRAME_MAX_STREAMS_BIDI:
	case QUIC_FRAME_MAX_STREAMS_UNI:
		buf_put_varint(w, f->max_streams.max);
		break;
	case QUIC_FRAME_DATA_BLOCKED:
		buf_put_varint(w, f->data_blocked.limit);
		break;
	case QUIC_FRAME_STREAM_DATA_BLOCKED:
		buf_put_varint(w, f->stream_data_blocked.stream_id);
		buf_put_varint(w, f->stream_data_blocked.limit);
		break;
	case QUIC_FRAME_STREAMS_BLOCKED_BIDI:
	case QUIC_FRAME_STREAMS_BLOCKED_UNI:
		buf_put_varint(w, f->streams_blocked.limit);
		break;
	case QUIC_FRAME_NEW_CONNECTION_ID:
		buf_put_varint(w, f->new_cid.seq);
		buf_put_varint(w, f->new_cid.retire_prior_to);
		buf_put_u8(w, f->new_cid.cid.len);
		buf_put_bytes(w, f->new_cid.cid.b, f->new_cid.cid.len);
		buf_put_bytes(w, f->new_cid.reset_token, sizeof(f->new_cid.reset_token));
		break;
	case QUIC_FRAME_RETIRE_CONNECTION_ID:
		buf_put_varint(w, f->retire_cid.seq);
		break;
	case QUIC_FRAME_PATH_CHALLENGE:
	case QUIC_FRAME_PATH_RESPONSE:
		buf_put_bytes(w, f->path.data, sizeof(f->path.data));
		break;
	case QUIC_FRAME_CONNECTION_CLOSE:
	case QUIC_FRAME_CONNECTION_CLOSE_APP:
		buf_put_varint(w, f->close.error);
		if (t == QUIC_FRAME_CONNECTION_CLOSE)
			buf_put_varint(w, f->close.frame_type);
		buf_put_varint(w, f->close.reason_len);
		buf_put_bytes(w, f->close.reason, f->close.reason_len);
		break;
	case QUIC_FRAME_CRYPTO:
		buf_put_varint(w, f->crypto.offset);
		buf_put_varint(w, f->crypto.len);
		buf_put_bytes(w, f->crypto.data, f->crypto.len);
		break;
	default:  /* STREAM */
		buf_put_varint(w, f->stream.stream_id);
		if (t & QUIC_FRAME_STREAM_OFF)
			buf_put_varint(w, f->stream.offset);
		if (t & QUIC_FRAME_STREAM_LEN)
			buf_put_varint(w, f->stream.len);
		buf_put_bytes(w, f->stream.data, f->stream.len);
		break;
	}
	return 0;
}

size_t quic_frame_write_ack(struct buf_writer *w, const uint64_t (*ranges)[2], size_t n,
			    uint64_t ack_delay, const uint64_t *ecn)
{
	size_t base = 1, cost = 0, room = buf_room(w), k;
	bool ok;

	if (w->err || !n || ranges[0][0] > ranges[0][1])
		goto fail;
	ok = add_varint(&base, ranges[0][1]) & add_varint(&base, ack_delay) &
	     add_varint(&base, ranges[0][1] - ranges[0][0]);
	if (ecn)
		ok &= add_varint(&base, ecn[0]) & add_varint(&base, ecn[1]) &
		      add_varint(&base, ecn[2]);
	if (!ok || base + 1 > room)
		goto fail;
	/* k more ranges cost their (gap, length) pairs and a wider count */
	for (k = 0; k + 1 < n; k++) {
		const uint64_t *prev = ranges[k], *cur = ranges[k + 1];
		size_t c = 0;

		if (cur[0] > cur[1] || prev[0] < 2 || cur[1] > prev[0] - 2)
			goto fail;
		add_varint(&c, prev[0] - cur[1] - 2);
		add_varint(&c, cur[1] - cur[0]);
		if (base + buf_varint_len(k + 1) + cost + c > room)
			break;
		cost += c;
	}

	buf_put_u8(w, ecn ? QUIC_FRAME_ACK_ECN : QUIC_FRAME_ACK);
	buf_put_varint(w, ranges[0][1]);
	buf_put_varint(w, ack_delay);
	buf_put_varint(w, k);
	buf_put_varint(w, ranges[0][1] - ranges[0][0]);
	for (size_t i = 0; i < k; i++) {
		buf_put_varint(w, ranges[i][0] - ranges[i + 1][1] - 2);
		buf_put_varint(w, ranges[i + 1][1] - ranges[i + 1][0]);
	}
	if (ecn) {
		buf_put_varint(w, ecn[0]);
		buf_put_varint(w, ecn[1]);
		buf_put_varint(w, ecn[2]);
	}
	return k + 1;
fail:
	w->err = true;
	return 0;
}

/* ------------------------------------------------------------ fitting */

/* The most of data_len bytes that fit in room behind their length field */
static size_t fit_with_len(size_t room, size_t data_len)
{
	size_t best = 0;

	for (unsigned l = 1; l <= 8; l <<= 1) {
		uint64_t max = l == 8 ? BUF_VARINT_MAX : (UINT64_C(1) << (8 * l - 2)) - 1;
		uint64_t n;

		if (room <= l)
			break;
		n = room - l;
		if (n > max)
			n = max;
		if (n > data_len)
			n = data_len;
		if (n > best)
			best = (size_t)n;
	}
	return best;
}

/* data beyond 2^62 - 1 cannot be sent (19.6, 19.8) */
static size_t cap_data(uint64_t offset, size_t data_len)
{
	return data_len > BUF_VARINT_MAX - offset ? (size_t)(BUF_VARINT_MAX - offset) : data_len;
}

size_t quic_frame_stream_fit(uint64_t stream_id, uint64_t offset, size_t avail,
			     size_t data_len, bool *use_len)
{
	size_t hdr = 1 + buf_varint_len(stream_id) + (offset ? buf_varint_len(offset) : 0);

	*use_len = false;
	if (!buf_varint_len(stream_id) || !buf_varint_len(offset) || avail < hdr)
		return 0;
	data_len = cap_data(offset, data_len);
	if (data_len >= avail - hdr)
		return avail - hdr;
	*use_len = true;
	return fit_with_len(avail - hdr, data_len);
}

size_t quic_frame_crypto_fit(uint64_t offset, size_t avail, size_t data_len)
{
	size_t hdr = 1 + buf_varint_len(offset);

	if (!buf_varint_len(offset) || avail < hdr)
		return 0;
	return fit_with_len(avail - hdr, cap_data(offset, data_len));
}
