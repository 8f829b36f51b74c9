/* http3/h3frame: RFC 9114 frames, stream types and frame-sequence rules
 * (see h3frame.h). */
#include <string.h>

#include "http3/h3frame.h"

void h3_settings_init(struct h3_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->max_field_section_size = H3_SETTING_UNLIMITED;
}

/* ---------------------------------------------------------------- parse */

int h3_settings_parse(const uint8_t *p, size_t len, struct h3_settings *s)
{
	struct buf_reader r, prev;

	/* syntax first, so that the error does not depend on where the
	 * payload happens to be cut */
	buf_reader_init(&r, p, len);
	while (buf_left(&r)) {
		buf_get_varint(&r);
		buf_get_varint(&r);
		if (r.err)
			return H3_FRAME_ERROR;
	}

	buf_reader_init(&r, p, len);
	while (buf_left(&r)) {
		const uint8_t *at = r.p;
		uint64_t id = buf_get_varint(&r);
		uint64_t v = buf_get_varint(&r);

		if (H3_SETTING_IS_H2_ONLY(id))
			return H3_SETTINGS_ERROR;
		/* Duplicates of any identifier, known or not (7.2.4). The
		 * payload is bounded by the reader's buffer, so the quadratic
		 * walk is too; a SETTINGS frame comes once per connection. */
		buf_reader_init(&prev, p, (size_t)(at - p));
		while (buf_left(&prev)) {
			if (buf_get_varint(&prev) == id)
				return H3_SETTINGS_ERROR;
			buf_get_varint(&prev);
		}
		switch (id) {
		case H3_SETTING_QPACK_MAX_TABLE_CAPACITY:
			s->qpack_max_table_capacity = v;
			break;
		case H3_SETTING_MAX_FIELD_SECTION_SIZE:
			s->max_field_section_size = v;
			break;
		case H3_SETTING_QPACK_BLOCKED_STREAMS:
			s->qpack_blocked_streams = v;
			break;
		case H3_SETTING_ENABLE_CONNECT_PROTOCOL:
		case H3_SETTING_H3_DATAGRAM:
			/* RFC 9220 3 (after RFC 8441 3), RFC 9297 2.1.1 */
			if (v > 1)
				return H3_SETTINGS_ERROR;
			if (id == H3_SETTING_H3_DATAGRAM)
				s->h3_datagram = v;
			else
				s->enable_connect_protocol = v;
			break;
		default:
			s->ignored++;
			break;
		}
	}
	return 0;
}

/* A payload that is exactly one varint (GOAWAY, MAX_PUSH_ID, CANCEL_PUSH) */
static int parse_one_varint(const uint8_t *p, size_t len, uint64_t *v)
{
	struct buf_reader r;

	buf_reader_init(&r, p, len);
	*v = buf_get_varint(&r);
	if (r.err || buf_left(&r))
		return H3_FRAME_ERROR;
	return 0;
}

int h3_frame_parse_payload(uint64_t type, const uint8_t *p, size_t len, struct h3_frame *f)
{
	struct buf_reader r;

	memset(f, 0, sizeof(*f));
	f->type = type;
	if (H3_FRAME_IS_H2_ONLY(type))
		return H3_FRAME_UNEXPECTED;
	switch (type) {
	case H3_FRAME_SETTINGS:
		h3_settings_init(&f->settings);
		return h3_settings_parse(p, len, &f->settings);
	case H3_FRAME_GOAWAY:
		return parse_one_varint(p, len, &f->goaway.id);
	case H3_FRAME_MAX_PUSH_ID:
		return parse_one_varint(p, len, &f->max_push_id.id);
	case H3_FRAME_CANCEL_PUSH:
		return parse_one_varint(p, len, &f->cancel_push.id);
	case H3_FRAME_PUSH_PROMISE:
		buf_reader_init(&r, p, len);
		f->push_promise.push_id = buf_get_varint(&r);
		if (r.err)
			return H3_FRAME_ERROR;
		f->push_promise.p = r.p;
		f->push_promise.len = buf_left(&r);
		return 0;
	default:
		/* DATA, HEADERS: any bytes; unknown types: ignored (9) */
		f->data.p = p;
		f->data.len = len;
		return 0;
	}
}

int h3_frame_parse(struct buf_reader *r, struct h3_frame *f)
{
	struct buf_reader t = *r;
	uint64_t type, len;
	int err;

	if (r->err)
		return H3_FRAME_TRUNCATED;
	type = buf_get_varint(&t);
	len = buf_get_varint(&t);
	if (t.err || len > buf_left(&t))
		return H3_FRAME_TRUNCATED;
	err = h3_frame_parse_payload(type, t.p, (size_t)len, f);
	if (err)
		return err;
	r->p = t.p + len;
	return 0;
}

/* ---------------------------------------------------------------- write */

size_t h3_frame_header_size(uint64_t type, uint64_t len)
{
	size_t a = buf_varint_len(type), b = buf_varint_len(len);

	return a && b ? a + b : 0;
}

int h3_frame_write_header(struct buf_writer *w, uint64_t type, uint64_t len)
{
	size_t n = h3_frame_header_size(type, len);

	if (w->err || !n || n > buf_room(w)) {
		w->err = true;
		return -1;
	}
	buf_put_varint(w, type);
	buf_put_varint(w, len);
	return 0;
}

/* The SETTINGS pairs for s (values checked by payload_len), into w
 * (NULL: only counted). Returns the payload length. */
static size_t settings_payload(struct buf_writer *w, const struct h3_settings *s)
{
	struct { uint64_t id, v; bool send; } pairs[] = {
		{ H3_SETTING_QPACK_MAX_TABLE_CAPACITY, s->qpack_max_table_capacity,
		  s->qpack_max_table_capacity != 0 },
		{ H3_SETTING_MAX_FIELD_SECTION_SIZE, s->max_field_section_size,
		  s->max_field_section_size != H3_SETTING_UNLIMITED },
		{ H3_SETTING_QPACK_BLOCKED_STREAMS, s->qpack_blocked_streams,
		  s->qpack_blocked_streams != 0 },
		{ H3_SETTING_ENABLE_CONNECT_PROTOCOL, 1, s->enable_connect_protocol },
		{ H3_SETTING_H3_DATAGRAM, 1, s->h3_datagram },
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (!pairs[i].send)
			continue;
		n += buf_varint_len(pairs[i].id) + buf_varint_len(pairs[i].v);
		if (w) {
			buf_put_varint(w, pairs[i].id);
			buf_put_varint(w, pairs[i].v);
		}
	}
	return n;
}

/* The payload length of f, or -1 if it cannot be built. */
static int64_t payload_len(const struct h3_frame *f)
{
	const struct h3_settings *s = &f->settings;
	size_t n;

	if (H3_FRAME_IS_H2_ONLY(f->type) || f->type == H3_FRAME_PUSH_PROMISE)
		return -1;
	switch (f->type) {
	case H3_FRAME_SETTINGS:
		if ((s->qpack_max_table_capacity > BUF_VARINT_MAX) ||
		    (s->max_field_section_size != H3_SETTING_UNLIMITED &&
		     s->max_field_section_size > BUF_VARINT_MAX) ||
		    s->qpack_blocked_streams > BUF_VARINT_MAX)
			return -1;
		return (int64_t)settings_payload(NULL, s);
	case H3_FRAME_GOAWAY:
	case H3_FRAME_MAX_PUSH_ID:
	case H3_FRAME_CANCEL_PUSH:
		n = buf_varint_len(f->goaway.id);
		return n ? (int64_t)n : -1;
	default:
		if (f->data.len && !f->data.p)
			return -1;
		return (int64_t)f->data.len;
	}
}

size_t h3_frame_size(const struct h3_frame *f)
{
	int64_t len = payload_len(f);
	size_t h;

	if (len < 0)
		return 0;
	h = h3_frame_header_size(f->type, (uint64_t)len);
	return h ? h + (size_t)len : 0;
}

int h3_frame_write(struct buf_writer *w, const struct h3_frame *f)
{
	size_t n = h3_frame_size(f);
	int64_t len = payload_len(f);

	if (w->err || !n || n > buf_room(w)) {
		w->err = true;
		return -1;
	}
	buf_put_varint(w, f->type);
	buf_put_varint(w, (uint64_t)len);
	switch (f->type) {
	case H3_FRAME_SETTINGS:
		settings_payload(w, &f->settings);
		break;
	case H3_FRAME_GOAWAY:
	case H3_FRAME_MAX_PUSH_ID:
	case H3_FRAME_CANCEL_PUSH:
		buf_put_varint(w, f->goaway.id);
		break;
	default:
		buf_put_bytes(w, f->data.p, f->data.len);
		break;
	}
	return 0;
}

/* ---------------------------------------------------------------- read */

bool h3_varint_read(struct h3_varint_rd *vr, struct buf_reader *in, uint64_t *v)
{
	size_t need, n;
	struct buf_reader r;

	if (in->err)
		return false;
	/* the whole varint in the input and nothing held: no copy */
	if (!vr->have && buf_left(in) && buf_varint_len_of(in->p[0]) <= buf_left(in)) {
		*v = buf_get_varint(in);
		return true;
	}
	while (buf_left(in)) {
		if (!vr->have)
			vr->b[vr->have++] = *in->p++;
		need = buf_varint_len_of(vr->b[0]) - vr->have;
		n = need < buf_left(in) ? need : buf_left(in);
		if (n)
			memcpy(vr->b + vr->have, in->p, n);
		in->p += n;
		vr->have += (uint8_t)n;
		if (n == need) {
			buf_reader_init(&r, vr->b, vr->have);
			*v = buf_get_varint(&r);
			vr->have = 0;
			return true;
		}
	}
	return false;
}

enum { RD_TYPE, RD_LEN, RD_ENTER, RD_PAYLOAD };
enum { MODE_PASS, MODE_BUFFER, MODE_SKIP };

void h3_frame_reader_init(struct h3_frame_reader *rd, uint8_t *buf, size_t cap)
{
	memset(rd, 0, sizeof(*rd));
	rd->buf = buf;
	rd->cap = buf ? cap : 0;
	rd->state = RD_TYPE;
}

static int rd_fail(struct h3_frame_reader *rd, int err)
{
	rd->err = err;
	return err;
}

/* Choose how the payload of the frame just started is taken in. */
static int rd_enter(struct h3_frame_reader *rd)
{
	rd->have = 0;
	switch (rd->type) {
	case H3_FRAME_DATA:
		rd->mode = MODE_PASS;
		return 0;
	case H3_FRAME_GOAWAY:
	case H3_FRAME_MAX_PUSH_ID:
	case H3_FRAME_CANCEL_PUSH:
		if (rd->len > sizeof(rd->small))
			return H3_FRAME_ERROR;
		rd->mode = MODE_BUFFER;
		rd->dst = rd->small;
		return 0;
	case H3_FRAME_HEADERS:
	case H3_FRAME_SETTINGS:
	case H3_FRAME_PUSH_PROMISE:
		if (rd->len > rd->cap)
			return H3_EXCESSIVE_LOAD;
		rd->mode = MODE_BUFFER;
		rd->dst = rd->buf;
		return 0;
	default:
		rd->mode = MODE_SKIP;
		return 0;
	}
}

int h3_frame_read(struct h3_frame_reader *rd, struct buf_reader *in, struct h3_rd_event *ev)
{
	size_t n;
	int err;

	ev->kind = H3_RD_NONE;
	ev->len = 0;
	ev->f.type = 0;
	if (rd->err)
		return rd->err;
	for (;;) {
		switch (rd->state) {
		case RD_TYPE:
			if (!h3_varint_read(&rd->vr, in, &rd->type))
				return 0;
			rd->state = RD_LEN;
			/* fallthrough */
		case RD_LEN:
			if (!h3_varint_read(&rd->vr, in, &rd->len))
				return 0;
			if (H3_FRAME_IS_H2_ONLY(rd->type))
				return rd_fail(rd, H3_FRAME_UNEXPECTED);
			rd->left = rd->len;
			rd->state = RD_ENTER;
			ev->kind = H3_RD_START;
			ev->len = rd->len;
			ev->f.type = rd->type;
			return 0;
		case RD_ENTER:
			err = rd_enter(rd);
			if (err)
				return rd_fail(rd, err);
			rd->state = RD_PAYLOAD;
			/* fallthrough */
		default:
			n = rd->left < buf_left(in) ? (size_t)rd->left : buf_left(in);
			if (rd->mode == MODE_PASS && n) {
				ev->kind = H3_RD_DATA;
				ev->f.type = rd->type;
				ev->f.data.p = buf_get_bytes(in, n);
				ev->f.data.len = n;
				rd->left -= n;
				return 0;
			}
			if (rd->mode == MODE_BUFFER && n)
				memcpy(rd->dst + rd->have, in->p, n);
			buf_skip(in, n);
			rd->have += n;
			rd->left -= n;
			if (rd->left)
				return 0;
			rd->state = RD_TYPE;
			ev->kind = H3_RD_FRAME;
			if (rd->mode != MODE_BUFFER) {
				memset(&ev->f, 0, sizeof(ev->f));
				ev->f.type = rd->type;
				return 0;
			}
			err = h3_frame_parse_payload(rd->type, rd->dst, rd->have, &ev->f);
			if (err) {
				ev->kind = H3_RD_NONE;
				return rd_fail(rd, err);
			}
			return 0;
		}
	}
}

int h3_frame_reader_fin(const struct h3_frame_reader *rd)
{
	if (rd->state == RD_TYPE && !rd->vr.have)
		return 0;
	return H3_FRAME_ERROR;
}

/* ---------------------------------------------------------------- streams */

enum h3_uni_kind h3_uni_kind_of(uint64_t type)
{
	switch (type) {
	case H3_STREAM_CONTROL:
		return H3_UNI_CONTROL;
	case H3_STREAM_PUSH:
		return H3_UNI_PUSH;
	case H3_STREAM_QPACK_ENCODER:
		return H3_UNI_QPACK_ENCODER;
	case H3_STREAM_QPACK_DECODER:
		return H3_UNI_QPACK_DECODER;
	default:
		return H3_IS_RESERVED(type) ? H3_UNI_RESERVED : H3_UNI_UNKNOWN;
	}
}

int h3_uni_accept(uint64_t type, bool server, unsigned *opened, enum h3_uni_kind *kind)
{
	*kind = h3_uni_kind_of(type);
	switch (*kind) {
	case H3_UNI_PUSH:
		/* only servers push (6.2.2) */
		return server ? H3_STREAM_CREATION_ERROR : 0;
	case H3_UNI_CONTROL:
	case H3_UNI_QPACK_ENCODER:
	case H3_UNI_QPACK_DECODER:
		/* one of each per peer (6.2.1; RFC 9204 4.2) */
		if (*opened & 1u << *kind)
			return H3_STREAM_CREATION_ERROR;
		*opened |= 1u << *kind;
		return 0;
	default:
		return 0;
	}
}

int h3_ctrl_rx_frame(struct h3_ctrl_rx *c, uint64_t type, bool server)
{
	if (!c->settings) {
		if (type != H3_FRAME_SETTINGS)
			return H3_MISSING_SETTINGS;
		c->settings = true;
		return 0;
	}
	switch (type) {
	case H3_FRAME_SETTINGS:       /* 7.2.4: once */
	case H3_FRAME_DATA:           /* 7.2.1 */
	case H3_FRAME_HEADERS:        /* 7.2.2 */
	case H3_FRAME_PUSH_PROMISE:   /* 7.2.5: request streams only */
		return H3_FRAME_UNEXPECTED;
	case H3_FRAME_MAX_PUSH_ID:    /* 7.2.7: servers do not send it */
		return server ? 0 : H3_FRAME_UNEXPECTED;
	default:
		return H3_FRAME_IS_H2_ONLY(type) ? H3_FRAME_UNEXPECTED : 0;
	}
}

int h3_req_rx_frame(enum h3_req_rx *st, uint64_t type)
{
	switch (type) {
	case H3_FRAME_HEADERS:
		if (*st == H3_REQ_RX_DONE)
			return H3_FRAME_UNEXPECTED;
		*st = *st == H3_REQ_RX_HEADERS ? H3_REQ_RX_BODY : H3_REQ_RX_DONE;
		return 0;
	case H3_FRAME_DATA:
		return *st == H3_REQ_RX_BODY ? 0 : H3_FRAME_UNEXPECTED;
	case H3_FRAME_SETTINGS:
	case H3_FRAME_GOAWAY:
	case H3_FRAME_MAX_PUSH_ID:
	case H3_FRAME_CANCEL_PUSH:
	case H3_FRAME_PUSH_PROMISE:
		return H3_FRAME_UNEXPECTED;
	default:
		return H3_FRAME_IS_H2_ONLY(type) ? H3_FRAME_UNEXPECTED : 0;
	}
}

int h3_req_rx_fin(enum h3_req_rx st)
{
	return st == H3_REQ_RX_HEADERS ? H3_REQUEST_INCOMPLETE : 0;
}

int h3_goaway_check(uint64_t prev, uint64_t id, bool from_server)
{
	/* a server names a client-initiated bidirectional stream (id % 4 == 0) */
	if (from_server && (id & 3))
		return H3_ID_ERROR;
	return id > prev ? H3_ID_ERROR : 0;
}
