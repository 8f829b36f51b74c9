/* tests/sim/h3_client: a minimal HTTP/3 client for the simulator tests
 * (see h3_client.h). */
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/sim/h3_client.h"
#include "tests/sim/quic_pair.h"

struct h3c h3c;

/* scratch: one event at a time (single-threaded) */
static uint8_t tmp[16 * 1024];
static uint8_t secbuf[16 * 1024];
static struct qpack_field dec_fields[CONFIG_H3_MAX_FIELD_SECTION / 32];
static uint8_t dec_arena[CONFIG_H3_MAX_FIELD_SECTION];

static const uint8_t grease_frame[] = { 0x21, 0x03, 'g', 'r', 'z' };  /* reserved type 0x21 */

/* ---------------------------------------------------------------- helpers */

static void *arena_alloc(size_t n)
{
	void *p;

	assert_true(n <= H3C_ARENA - h3c.arena_len);
	p = h3c.arena + h3c.arena_len;
	h3c.arena_len += n;
	return p;
}

static const uint8_t *arena_str(const void *s, size_t n)
{
	uint8_t *p = arena_alloc(n ? n : 1);

	if (n)
		memcpy(p, s, n);
	return p;
}

size_t h3c_varint(uint8_t *out, uint64_t v)
{
	struct buf_writer w;

	buf_writer_init(&w, out, 8);
	buf_put_varint(&w, v);
	assert_false(w.err);
	return buf_written(&w);
}

size_t h3c_frame(uint8_t *out, uint64_t type, const void *payload, size_t len)
{
	size_t n = h3c_varint(out, type);

	n += h3c_varint(out + n, len);
	if (len)
		memcpy(out + n, payload, len);
	return n + len;
}

uint64_t h3c_bytes_hash(uint64_t n)
{
	uint64_t h = PAIR_FNV_OFFSET;
	uint8_t b[H3C_BYTES_PERIOD];

	for (unsigned i = 0; i < H3C_BYTES_PERIOD; i++)
		b[i] = (uint8_t)i;
	while (n) {
		size_t k = n < H3C_BYTES_PERIOD ? (size_t)n : H3C_BYTES_PERIOD;

		h = pair_hash(h, b, k);
		n -= k;
	}
	return h;
}

static struct h3c_req *req_by_id(uint64_t id)
{
	uint64_t k = id >> 2;

	if ((id & 3) != 0 || k >= H3C_REQS || h3c.by_index[k] < 0)
		return NULL;
	return &h3c.req[h3c.by_index[k]];
}

static struct h3c_uni *uni_by_id(uint64_t id)
{
	for (uint32_t i = 0; i < h3c.nuni; i++)
		if (h3c.uni[i].opened && h3c.uni[i].id == id)
			return &h3c.uni[i];
	return NULL;
}

/* The connection's end as the client saw it, copied while it exists. */
static void sync_close(struct quic_conn *c)
{
	if (!c)
		return;
	if (c->peer_closed) {
		h3c.peer_closed = true;
		h3c.peer_close_app = c->peer_close_app;
		h3c.peer_close_error = c->peer_close_error;
	}
	if (c->state == QUIC_CONN_CLOSING || (c->close_pending && !c->peer_closed)) {
		h3c.local_closed = true;
		h3c.local_close_app = c->close_app;
		h3c.local_close_error = c->close_error;
	}
}

/* ---------------------------------------------------------------- setup */

static int uni_alloc(void)
{
	assert_true(h3c.nuni < H3C_UNIS);
	h3c.uni[h3c.nuni].used = true;
	return (int)h3c.nuni++;
}

void h3c_init(unsigned flags)
{
	uint8_t b[64];
	struct buf_writer w;
	struct h3_frame f = { .type = H3_FRAME_SETTINGS };

	memset(&h3c, 0, sizeof(h3c));
	h3c.flags = flags;
	h3c.dynamic = true;
	h3c.ctrl = h3c.enc = h3c.dec = -1;
	h3c.goaway_id = UINT64_MAX;
	for (unsigned i = 0; i < H3C_REQS; i++)
		h3c.by_index[i] = -1;
	qpack_decoder_init(&h3c.qdec, CONFIG_H3_QPACK_TABLE_CAPACITY,
			   CONFIG_H3_QPACK_BLOCKED_STREAMS);
	qpack_encoder_init(&h3c.qenc);
	h3_settings_init(&h3c.settings);
	h3c.settings.qpack_max_table_capacity = h3c.qdec.max_capacity;
	h3c.settings.qpack_blocked_streams = h3c.qdec.max_blocked;
	h3c.settings.max_field_section_size = h3c.qdec.max_field_section;
	h3_settings_init(&h3c.server);

	if (flags & H3C_OPEN_CONTROL) {
		h3c.ctrl = uni_alloc();
		buf_writer_init(&w, b, sizeof(b));
		buf_put_varint(&w, H3_STREAM_CONTROL);
		if (flags & H3C_SEND_SETTINGS) {
			f.settings = h3c.settings;
			h3_frame_write(&w, &f);
		}
		assert_false(w.err);
		h3c_uni_write(h3c.ctrl, b, buf_written(&w));
	}
	if (flags & H3C_OPEN_ENCODER) {
		h3c.enc = uni_alloc();
		b[0] = H3_STREAM_QPACK_ENCODER;
		h3c_uni_write(h3c.enc, b, 1);
	}
	if (flags & H3C_OPEN_DECODER) {
		h3c.dec = uni_alloc();
		b[0] = H3_STREAM_QPACK_DECODER;
		h3c_uni_write(h3c.dec, b, 1);
	}
}

/* ---------------------------------------------------------------- requests */

static struct h3c_req *req_new(int *idx)
{
	struct h3c_req *r;

	assert_true(h3c.nreq < H3C_REQS);
	*idx = (int)h3c.nreq;
	r = &h3c.req[h3c.nreq++];
	memset(r, 0, sizeof(*r));
	r->state = H3C_R_QUEUED;
	r->body_hash = PAIR_FNV_OFFSET;
	r->rx_rate = UINT64_MAX;
	r->fin = true;
	h3_frame_reader_init(&r->rd, r->rdbuf, sizeof(r->rdbuf));
	return r;
}

static void add_field(struct h3c_req *r, const char *name, const char *value)
{
	struct qpack_field *f = &r->fields[r->nfields++];

	f->name = arena_str(name, strlen(name));
	f->name_len = strlen(name);
	f->value = arena_str(value, strlen(value));
	f->value_len = strlen(value);
	f->flags = 0;
}

int h3c_request(const struct h3c_spec *sp)
{
	int idx;
	struct h3c_req *r = req_new(&idx);

	assert_true(sp->nfields <= H3C_FIELDS);
	if (sp->method)
		add_field(r, ":method", sp->method);
	if (sp->scheme)
		add_field(r, ":scheme", sp->scheme);
	if (sp->authority)
		add_field(r, ":authority", sp->authority);
	if (sp->path)
		add_field(r, ":path", sp->path);
	for (size_t i = 0; i < sp->nfields; i++) {
		struct qpack_field *f = &r->fields[r->nfields++];

		*f = sp->fields[i];
		f->name = arena_str(f->name, f->name_len);
		f->value = arena_str(f->value, f->value_len);
	}
	r->body = sp->body;
	r->body_len = sp->body_len;
	r->data_frame = sp->data_frame ? sp->data_frame : 16384;
	r->fin = !sp->no_fin;
	r->grease = sp->grease;
	return idx;
}

static int simple(const char *method, const char *path, const uint8_t *body, uint64_t len)
{
	struct h3c_spec sp = {
		.method = method, .scheme = "https", .authority = "localhost", .path = path,
		.body = body, .body_len = len,
	};

	return h3c_request(&sp);
}

int h3c_get(const char *path)
{
	return simple("GET", path, NULL, 0);
}

int h3c_head(const char *path)
{
	return simple("HEAD", path, NULL, 0);
}

int h3c_post(const char *path, const uint8_t *body, uint64_t len)
{
	return simple("POST", path, body, len);
}

int h3c_raw(const uint8_t *p, size_t n, bool fin)
{
	int idx;
	struct h3c_req *r = req_new(&idx);

	r->raw = true;
	r->pre = arena_alloc(n ? n : 1);
	if (n)
		memcpy(r->pre, p, n);
	r->pre_len = n;
	r->fin = fin;
	return idx;
}

size_t h3c_headers_frame(uint8_t *out, size_t cap, const char *method, const char *path,
			 const struct qpack_field *fields, size_t n)
{
	static struct qpack_encoder e;  /* static only: no table, nothing to send */
	struct qpack_field list[4 + H3C_FIELDS];
	struct buf_writer sec, w;
	size_t k = 0;

	assert_true(n <= H3C_FIELDS);
	qpack_encoder_init(&e);
	e.flags = QPACK_ENC_STATIC_ONLY;
	if (method)
		list[k++] = (struct qpack_field){ (const uint8_t *)":method", 7,
						  (const uint8_t *)method, strlen(method), 0 };
	list[k++] = (struct qpack_field){ (const uint8_t *)":scheme", 7,
					  (const uint8_t *)"https", 5, 0 };
	list[k++] = (struct qpack_field){ (const uint8_t *)":authority", 10,
					  (const uint8_t *)"localhost", 9, 0 };
	if (path)
		list[k++] = (struct qpack_field){ (const uint8_t *)":path", 5,
						  (const uint8_t *)path, strlen(path), 0 };
	for (size_t i = 0; i < n; i++)
		list[k++] = fields[i];
	buf_writer_init(&sec, secbuf, sizeof(secbuf));
	assert_int_equal(qpack_encode(&e, 0, list, k, &sec, NULL), QPACK_OK);
	buf_writer_init(&w, out, cap);
	h3_frame_write_header(&w, H3_FRAME_HEADERS, buf_written(&sec));
	buf_put_bytes(&w, secbuf, buf_written(&sec));
	assert_false(w.err);
	return buf_written(&w);
}

/* ---------------------------------------------------------------- unidirectional streams */

int h3c_uni_new(void)
{
	return uni_alloc();
}

void h3c_uni_write(int u, const void *p, size_t n)
{
	struct h3c_uni *x;

	assert_true(u >= 0 && (uint32_t)u < h3c.nuni);
	x = &h3c.uni[u];
	if (x->off && x->off == x->len)
		x->off = x->len = 0;
	assert_true(n <= H3C_TXQ - x->len);
	if (n)
		memcpy(x->q + x->len, p, n);
	x->len += n;
}

void h3c_uni_fin(int u)
{
	assert_true(u >= 0 && (uint32_t)u < h3c.nuni);
	h3c.uni[u].fin = true;
}

void h3c_uni_reset(int u, uint64_t code)
{
	assert_true(u >= 0 && (uint32_t)u < h3c.nuni);
	h3c.uni[u].reset_pending = true;
	h3c.uni[u].reset_code = code;
}

/* Room at the end of u's queue, compacted first. */
static void uni_compact(struct h3c_uni *x)
{
	if (!x->off)
		return;
	memmove(x->q, x->q + x->off, x->len - x->off);
	x->len -= x->off;
	x->off = 0;
}

/* The decoder's instructions (acknowledgments, increments) into the
 * decoder stream's queue. */
static void dec_output(void)
{
	struct h3c_uni *x;
	struct buf_writer w;

	if (h3c.dec < 0 || !qpack_decoder_has_output(&h3c.qdec))
		return;
	x = &h3c.uni[h3c.dec];
	uni_compact(x);
	buf_writer_init(&w, x->q + x->len, H3C_TXQ - x->len);
	x->len += qpack_decoder_write(&h3c.qdec, &w);
}

static void uni_flush(struct quic_conn *c, struct h3c_uni *x)
{
	struct quic_stream *s = quic_streams_find(&c->streams, x->id);
	size_t n;

	if (!s)
		return;
	if (x->reset_pending) {
		x->reset_pending = false;
		x->reset_done = true;
		quic_conn_stream_reset(c, s, x->reset_code);
		return;
	}
	if (x->hold || x->reset_done)
		return;
	if (x->off < x->len) {
		n = quic_conn_stream_writable(c, s);
		if (n > x->len - x->off)
			n = x->len - x->off;
		x->off += quic_conn_stream_write(c, s, x->q + x->off, n, false);
	}
	if (x->off == x->len && x->fin && !x->fin_sent) {
		quic_conn_stream_write(c, s, NULL, 0, true);
		x->fin_sent = true;
	}
}

/* ---------------------------------------------------------------- sending requests */

/* Encode r's header section now that its stream id is known. */
static void encode_req(struct h3c_req *r)
{
	struct buf_writer sec, enc, w;
	struct h3c_uni *x = h3c.enc >= 0 ? &h3c.uni[h3c.enc] : NULL;
	size_t hl;

	buf_writer_init(&sec, secbuf, sizeof(secbuf));
	if (x) {
		uni_compact(x);
		buf_writer_init(&enc, x->q + x->len, H3C_TXQ - x->len);
	}
	assert_int_equal(qpack_encode(&h3c.qenc, r->id, r->fields, r->nfields, &sec,
				      x ? &enc : NULL), QPACK_OK);
	if (x)
		x->len += buf_written(&enc);
	hl = h3_frame_header_size(H3_FRAME_HEADERS, buf_written(&sec));
	r->pre_len = (r->grease ? sizeof(grease_frame) : 0) + hl + buf_written(&sec);
	r->pre = arena_alloc(r->pre_len);
	buf_writer_init(&w, r->pre, r->pre_len);
	if (r->grease)
		buf_put_bytes(&w, grease_frame, sizeof(grease_frame));
	h3_frame_write_header(&w, H3_FRAME_HEADERS, buf_written(&sec));
	buf_put_bytes(&w, secbuf, buf_written(&sec));
	assert_false(w.err);
}

static void write_req(struct quic_conn *c, struct h3c_req *r)
{
	struct quic_stream *s = quic_streams_find(&c->streams, r->id);

	if (!s || s->tx_state > QUIC_STREAM_TX_SEND) {
		r->state = H3C_R_SENT;  /* gone or reset: nothing more to write */
		return;
	}
	for (;;) {
		size_t room = quic_conn_stream_writable(c, s), n;

		if (r->pre_off < r->pre_len) {
			n = r->pre_len - r->pre_off < room ? r->pre_len - r->pre_off : room;
			if (!n)
				return;
			r->pre_off += quic_conn_stream_write(c, s, r->pre + r->pre_off, n, false);
			continue;
		}
		if (r->body_off < r->body_len) {
			if (!r->data_left) {
				uint8_t hdr[16 + sizeof(grease_frame)];
				struct buf_writer w;
				uint64_t chunk = r->body_len - r->body_off;

				if (chunk > r->data_frame)
					chunk = r->data_frame;
				buf_writer_init(&w, hdr, sizeof(hdr));
				if (r->grease && r->body_off)
					buf_put_bytes(&w, grease_frame, sizeof(grease_frame));
				h3_frame_write_header(&w, H3_FRAME_DATA, chunk);
				if (room < buf_written(&w) + 1)
					return;
				assert_int_equal(quic_conn_stream_write(c, s, hdr, buf_written(&w), false),
						 buf_written(&w));
				room -= buf_written(&w);
				r->data_left = (size_t)chunk;
			}
			n = r->data_left < room ? r->data_left : room;
			if (!n)
				return;
			n = quic_conn_stream_write(c, s, r->body + r->body_off, n, false);
			r->body_off += n;
			r->data_left -= n;
			if (!n)
				return;
			continue;
		}
		if (r->fin && !r->fin_sent) {
			quic_conn_stream_write(c, s, NULL, 0, true);
			r->fin_sent = true;
		}
		r->state = H3C_R_SENT;
		return;
	}
}

static void rx_req(struct quic_conn *c, struct quic_stream *s, struct h3c_req *r);
static size_t rx_allowed(const struct h3c_req *r);

void h3c_step(void)
{
	struct quic_conn *c = client();

	sync_close(c);
	/* 0-RTT: streams and requests go out early when the client may */
	if (!c || (c->state != QUIC_CONN_ESTABLISHED &&
		   !(c->state == QUIC_CONN_HANDSHAKE && c->early_tx)))
		return;
	h3c.conn = c->self;
	if (!h3c.started) {
		/* The client role keeps stream slots for the bidirectional
		 * streams its transport parameters let the server open; an
		 * HTTP/3 server never opens one (RFC 9114 6.1). Given up here
		 * (no more allowed, none offered again), every slot can carry a
		 * request and the server's MAX_STREAMS is what limits them. */
		unsigned sb = quic_stream_id_type(quic_stream_id_make(0, false, true));

		c->streams.target[0] = 0;
		c->streams.max[sb] = c->streams.next[sb];
	}
	h3c.started = true;
	/* the client's unidirectional streams, in the order they were made */
	for (uint32_t i = 0; i < h3c.nuni; i++) {
		struct h3c_uni *x = &h3c.uni[i];
		struct quic_stream *s;

		if (x->opened)
			continue;
		if (!(s = quic_conn_stream_open(c, false)))
			break;
		x->opened = true;
		x->id = s->id;
	}
	/* requests, as the server's MAX_STREAMS allows */
	while (h3c.next_open < h3c.nreq) {
		struct h3c_req *r = &h3c.req[h3c.next_open];
		struct quic_stream *s;

		if (!(s = quic_conn_stream_open(c, true)))
			break;
		r->id = s->id;
		assert_true((s->id >> 2) < H3C_REQS);
		h3c.by_index[s->id >> 2] = (int16_t)h3c.next_open;
		r->state = H3C_R_OPEN;
		if (!r->raw)
			encode_req(r);
		h3c.next_open++;
	}
	{
		uint32_t open = 0;

		for (uint32_t i = 0; i < QUIC_STREAMS_SLOTS; i++) {
			struct quic_stream *s = pool_get(&pool_stream, c->streams.slot[i]);

			open += s && !quic_stream_id_is_uni(s->id);
		}
		if (open > h3c.max_open)
			h3c.max_open = open;
	}
	dec_output();
	for (uint32_t i = 0; i < h3c.nuni; i++)
		if (h3c.uni[i].opened)
			uni_flush(c, &h3c.uni[i]);
	for (uint32_t i = 0; i < h3c.next_open; i++)
		if (h3c.req[i].state == H3C_R_OPEN)
			write_req(c, &h3c.req[i]);
	/* slow readers read on as their rate allows (no stream event comes
	 * for bytes that arrived while they were behind) */
	for (uint32_t i = 0; i < h3c.next_open; i++) {
		struct h3c_req *r = &h3c.req[i];
		struct quic_stream *s;

		if (!r->rx_behind || h3c_req_done((int)i) || !rx_allowed(r) ||
		    !(s = quic_streams_find(&c->streams, r->id)))
			continue;
		rx_req(c, s, r);
	}
}

/* ---------------------------------------------------------------- responses */

static void on_body(struct h3c_req *r, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)((r->body_bytes + i) % H3C_BYTES_PERIOD))
			r->pattern_bad++;
	if (r->keep_len < H3C_KEEP) {
		size_t k = H3C_KEEP - r->keep_len < n ? H3C_KEEP - r->keep_len : n;

		memcpy(r->keep + r->keep_len, p, k);
		r->keep_len += k;
	}
	r->body_hash = pair_hash(r->body_hash, p, n);
	r->body_bytes += n;
}

static bool field_is(const struct qpack_field *f, const char *name)
{
	size_t n = strlen(name);

	return f->name_len == n && !memcmp(f->name, name, n);
}

static uint64_t field_num(const struct qpack_field *f, bool *ok)
{
	uint64_t v = 0;

	*ok = f->value_len > 0 && f->value_len <= 19;
	for (size_t i = 0; *ok && i < f->value_len; i++) {
		if (f->value[i] < '0' || f->value[i] > '9')
			*ok = false;
		v = v * 10 + (uint64_t)(f->value[i] - '0');
	}
	return v;
}

/* A response header section: 0 decoded, 1 blocked, -1 error. */
static int decode_section(struct h3c_req *r, const uint8_t *p, size_t n)
{
	struct qpack_field_list fl;
	unsigned status = 0;
	int st;

	qpack_field_list_init(&fl, dec_fields, sizeof(dec_fields) / sizeof(dec_fields[0]),
			      dec_arena, sizeof(dec_arena));
	st = qpack_decode(&h3c.qdec, r->id, p, n, &fl);
	if (st == QPACK_NO_BUFFER) {
		dec_output();
		st = qpack_decode(&h3c.qdec, r->id, p, n, &fl);
	}
	if (st == QPACK_BLOCKED) {
		r->blocked = r->was_blocked = true;
		r->sec = p;
		r->sec_len = n;
		return 1;
	}
	r->blocked = false;
	if (st != QPACK_OK) {
		r->error = qpack_is_error(st) ? st : H3_EXCESSIVE_LOAD;
		h3c.error = r->error;
		return -1;
	}
	dec_output();
	for (size_t i = 0; i < fl.count; i++) {
		const struct qpack_field *f = &fl.fields[i];
		bool ok;

		if (field_is(f, ":status")) {
			status = (unsigned)field_num(f, &ok);
			if (!ok || f->value_len != 3)
				r->error = H3_MESSAGE_ERROR;
		}
	}
	if (!status) {  /* trailers */
		if (!r->status)
			r->error = H3_MESSAGE_ERROR;
		r->trailers++;
		return 0;
	}
	if (status < 200) {
		r->interim++;
		return 0;
	}
	if (r->status) {
		r->error = H3_FRAME_UNEXPECTED;  /* a second final response */
		return 0;
	}
	r->status = status;
	r->headers++;
	for (size_t i = 0; i < fl.count; i++) {
		const struct qpack_field *f = &fl.fields[i];
		size_t room = H3C_FIELDS_TEXT - r->fields_len;
		bool ok;

		if (f->name_len && f->name[0] != ':' && f->name_len + f->value_len + 3 <= room) {
			char *t = r->fields_text + r->fields_len;

			memcpy(t, f->name, f->name_len);
			memcpy(t + f->name_len, ": ", 2);
			memcpy(t + f->name_len + 2, f->value, f->value_len);
			t[f->name_len + 2 + f->value_len] = '\n';
			r->fields_len += f->name_len + f->value_len + 3;
		}
		if (field_is(f, "content-length")) {
			r->content_length = field_num(f, &ok);
			r->has_cl = ok;
			if (!ok)
				r->error = H3_MESSAGE_ERROR;
		}
	}
	return 0;
}

void h3c_cancel(int i, uint64_t code, bool reset, bool stop)
{
	struct quic_conn *c = client();
	struct h3c_req *r = &h3c.req[i];
	struct quic_stream *s = c ? quic_streams_find(&c->streams, r->id) : NULL;

	assert_non_null(s);
	r->cancelled = true;
	r->state = H3C_R_SENT;
	if (reset)
		quic_conn_stream_reset(c, s, code);
	if (stop)
		quic_conn_stream_stop(c, s, code);
}

bool h3c_peer_stop(uint64_t type, uint64_t code)
{
	struct quic_conn *c = client();

	for (unsigned i = 0; c && i < H3C_PEER_UNIS; i++) {
		struct h3c_peer_uni *p = &h3c.peer[i];
		struct quic_stream *s;

		if (!p->used || !p->typed || p->type != type)
			continue;
		if (!(s = quic_streams_find(&c->streams, p->id)))
			return false;
		quic_conn_stream_stop(c, s, code);
		return true;
	}
	return false;
}

void h3c_throttle(int i, uint64_t bytes_per_s)
{
	struct h3c_req *r = &h3c.req[i];

	r->rx_rate = bytes_per_s;
	r->rx_t0 = sim.now;
	r->rx_base = r->rx_read;
}

/* Stream bytes r may read now (SIZE_MAX: any). */
static size_t rx_allowed(const struct h3c_req *r)
{
	uint64_t ok;

	if (r->rx_rate == UINT64_MAX)
		return SIZE_MAX;
	ok = r->rx_base + r->rx_rate * ((sim.now - r->rx_t0) / 1000000) / 1000;
	return ok > r->rx_read ? (size_t)(ok - r->rx_read) : 0;
}

static void req_check_stop(struct quic_stream *s, struct h3c_req *r)
{
	if (!r->stopped && !r->cancelled && (s->tx_state == QUIC_STREAM_TX_RESET_SENT ||
			    s->tx_state == QUIC_STREAM_TX_RESET_RECVD)) {
		r->stopped = true;  /* the client never resets a request itself */
		r->stop_code = s->tx_err;
	}
}

/* The stream's end was read: the response is over once its last header
 * section is decoded (it may wait for QPACK entries). */
static void req_end(struct h3c_req *r)
{
	if (!r->end_seen || r->blocked || r->fin_read)
		return;
	r->fin_read = true;
	r->complete = !r->error && r->status && !h3_frame_reader_fin(&r->rd);
}

static void rx_req(struct quic_conn *c, struct quic_stream *s, struct h3c_req *r)
{
	uint64_t err;
	bool fin = false;

	req_check_stop(s, r);
	if (quic_stream_read_reset(s, &err)) {
		if (!r->reset) {
			r->reset = true;
			r->reset_code = err;
		}
		return;
	}
	while (!r->blocked && !r->fin_read) {
		size_t n = rx_allowed(r);
		struct buf_reader in;
		struct h3_rd_event ev;

		r->rx_behind = !n;
		if (!n && !r->error)
			break;  /* a slow client: the rest waits (h3c_step reads on) */
		n = quic_conn_stream_peek(c, s, tmp, n < sizeof(tmp) ? n : sizeof(tmp));
		if (r->error) {  /* nothing more is parsed: read it away */
			quic_conn_stream_read(c, s, NULL, SIZE_MAX, &fin);
			r->fin_read = fin;
			return;
		}
		buf_reader_init(&in, tmp, n);
		for (;;) {
			int e = h3_frame_read(&r->rd, &in, &ev);

			if (e) {
				r->error = e;
				break;
			}
			if (ev.kind == H3_RD_NONE)
				break;
			if (ev.kind == H3_RD_START) {
				if (ev.f.type == H3_FRAME_DATA && !r->status)
					r->error = H3_FRAME_UNEXPECTED;
				else if (ev.f.type == H3_FRAME_SETTINGS || ev.f.type == H3_FRAME_GOAWAY ||
					 ev.f.type == H3_FRAME_MAX_PUSH_ID ||
					 ev.f.type == H3_FRAME_CANCEL_PUSH ||
					 ev.f.type == H3_FRAME_PUSH_PROMISE)
					r->error = H3_FRAME_UNEXPECTED;
			} else if (ev.kind == H3_RD_DATA) {
				on_body(r, ev.f.data.p, ev.f.data.len);
			} else if (ev.f.type == H3_FRAME_HEADERS) {
				if (decode_section(r, ev.f.headers.p, ev.f.headers.len) > 0)
					break;  /* blocked: the rest waits in the stream */
			} else if (ev.f.type == H3_FRAME_DATA) {
				r->data_frames++;
			}
			if (r->error)
				break;
		}
		quic_conn_stream_read(c, s, NULL, (size_t)(in.p - tmp), &fin);
		r->rx_read += (uint64_t)(in.p - tmp);
		if (fin)
			r->end_seen = true;
		if (!n)
			break;
	}
	req_end(r);
}

/* Decode again the responses that waited for the entries now here. */
static void retry_blocked(struct quic_conn *c)
{
	uint64_t ids[QPACK_BLOCKED_SLOTS];
	size_t n = qpack_decoder_unblocked(&h3c.qdec, ids, QPACK_BLOCKED_SLOTS);

	for (size_t i = 0; i < n; i++) {
		struct h3c_req *r = req_by_id(ids[i]);
		struct quic_stream *s = quic_streams_find(&c->streams, ids[i]);

		if (!r || !r->blocked || decode_section(r, r->sec, r->sec_len) > 0)
			continue;
		if (s)
			rx_req(c, s, r);
		req_end(r);  /* the stream may be gone: its end was read before */
	}
}

static struct h3c_peer_uni *peer_uni(uint64_t id)
{
	struct h3c_peer_uni *free_slot = NULL;

	for (unsigned i = 0; i < H3C_PEER_UNIS; i++) {
		if (h3c.peer[i].used && h3c.peer[i].id == id)
			return &h3c.peer[i];
		if (!h3c.peer[i].used && !free_slot)
			free_slot = &h3c.peer[i];
	}
	assert_non_null(free_slot);
	free_slot->used = true;
	free_slot->id = id;
	return free_slot;
}

static void rx_control(struct h3c_peer_uni *p, const uint8_t *d, size_t n)
{
	struct buf_reader in;
	struct h3_rd_event ev;

	buf_reader_init(&in, d, n);
	for (;;) {
		int e = h3_frame_read(&p->rd, &in, &ev);

		if (e) {
			h3c.error = e;
			return;
		}
		if (ev.kind == H3_RD_NONE)
			return;
		if (ev.kind == H3_RD_START) {
			if ((e = h3_ctrl_rx_frame(&h3c.ctrl_rx, ev.f.type, false))) {
				h3c.error = e;
				return;
			}
			continue;
		}
		if (ev.kind != H3_RD_FRAME)
			continue;
		h3c.peer_ctrl_frames++;
		if (ev.f.type == H3_FRAME_SETTINGS) {
			h3c.server = ev.f.settings;
			h3c.peer_settings = true;
			if (h3c.dynamic)
				qpack_encoder_set_peer_settings(&h3c.qenc,
								ev.f.settings.qpack_max_table_capacity,
								ev.f.settings.qpack_blocked_streams);
		} else if (ev.f.type == H3_FRAME_GOAWAY) {
			if (h3_goaway_check(h3c.goaway_id, ev.f.goaway.id, true))
				h3c.error = H3_ID_ERROR;
			h3c.goaways++;
			h3c.goaway_id = ev.f.goaway.id;
		}
	}
}

static void rx_peer_uni(struct quic_conn *c, struct quic_stream *s)
{
	struct h3c_peer_uni *p = peer_uni(s->id);
	uint64_t err;
	size_t n;
	bool fin = false;
	int st;

	if (quic_stream_read_reset(s, &err)) {
		p->reset = true;
		return;
	}
	if (!p->typed) {
		uint8_t b[8];
		struct buf_reader r;

		n = quic_conn_stream_peek(c, s, b, sizeof(b));
		if (!n || n < buf_varint_len_of(b[0]))
			return;
		buf_reader_init(&r, b, n);
		p->type = buf_get_varint(&r);
		p->typed = true;
		quic_conn_stream_read(c, s, NULL, buf_varint_len_of(b[0]), &fin);
		if (p->type == H3_STREAM_CONTROL)
			h3_frame_reader_init(&p->rd, p->rdbuf, sizeof(p->rdbuf));
	}
	while ((n = quic_conn_stream_read(c, s, tmp, sizeof(tmp), &fin))) {
		switch (p->type) {
		case H3_STREAM_CONTROL:
			rx_control(p, tmp, n);
			break;
		case H3_STREAM_QPACK_ENCODER:
			if ((st = qpack_decoder_feed(&h3c.qdec, tmp, n)))
				h3c.error = st;
			break;
		case H3_STREAM_QPACK_DECODER:
			if ((st = qpack_encoder_feed(&h3c.qenc, tmp, n)))
				h3c.error = st;
			break;
		default:
			break;
		}
	}
	if (fin)
		p->fin = true;
	if (p->type == H3_STREAM_QPACK_ENCODER) {
		retry_blocked(c);
		dec_output();
	}
}

static void on_stream_event(void *ctx, struct quic_conn *c, struct quic_stream *s)
{
	(void)ctx;
	if (quic_stream_id_is_uni(s->id)) {
		if (quic_stream_id_is_local(s->id, false)) {
			struct h3c_uni *x = uni_by_id(s->id);

			if (x && !x->stopped && !x->reset_done &&
			    (s->tx_state == QUIC_STREAM_TX_RESET_SENT ||
			     s->tx_state == QUIC_STREAM_TX_RESET_RECVD)) {
				x->stopped = true;
				x->stop_code = s->tx_err;
			}
			return;
		}
		rx_peer_uni(c, s);
		return;
	}
	if (quic_stream_id_is_local(s->id, false)) {
		struct h3c_req *r = req_by_id(s->id);

		if (r) {
			rx_req(c, s, r);
			return;
		}
	}
	/* the server opened a bidirectional stream (never in HTTP/3), or
	 * one the client does not follow: read away */
	quic_conn_stream_read(c, s, NULL, SIZE_MAX, &(bool){ false });
}

static void on_conn_closed(void *ctx, struct quic_conn *c)
{
	(void)ctx;
	sync_close(c);
	h3c.closed = true;
}

static const struct quic_app_ops h3c_ops = {
	.stream_event = on_stream_event,
	.conn_closed = on_conn_closed,
};

const struct quic_app_ops *h3c_app_ops(void)
{
	return &h3c_ops;
}

/* ---------------------------------------------------------------- running */

static bool (*run_until)(void);

static bool run_done(void *arg)
{
	(void)arg;
	h3c_step();
	return run_until();
}

/* A slow reader reads as time passes, not only as events come: none
 * may come while its window is closed. */
static bool slow_reader(void)
{
	for (uint32_t i = 0; i < h3c.nreq; i++)
		if (h3c.req[i].rx_rate != UINT64_MAX && h3c.req[i].rx_rate && !h3c_req_done((int)i))
			return true;
	return false;
}

#define READ_TICK_NS 1000000u  /* how often a slow reader reads */

int h3c_run(bool (*until)(void), uint64_t ns)
{
	uint64_t end = sim.now + ns;

	run_until = until;
	for (;;) {
		uint64_t to = slow_reader() && end - sim.now > READ_TICK_NS ?
			      sim.now + READ_TICK_NS : end;
		int ret = sim_run(&sim, to, run_done, NULL);

		if (ret != -1 || to == end)
			return ret;
	}
}

bool h3c_req_done(int i)
{
	const struct h3c_req *r = &h3c.req[i];

	return r->fin_read || r->reset || r->error || h3c.closed || h3c.peer_closed;
}

bool h3c_all_done(void)
{
	for (uint32_t i = 0; i < h3c.nreq; i++)
		if (!h3c_req_done((int)i))
			return false;
	return true;
}

bool h3c_conn_gone(void)
{
	return h3c.closed;
}

bool h3c_close_seen(void)
{
	sync_close(client());
	return h3c.peer_closed || h3c.closed;
}

bool h3c_ready(void)
{
	return h3c.started && h3c.peer_settings;
}

/* ---------------------------------------------------------------- diagnostics */

static void dump_stream(const char *side, const struct quic_stream *s)
{
	if (s)
		print_error("    %s stream: rx %d read %llu highest %llu; tx %d written %llu sent %llu "
			    "acked %llu\n", side, s->rx_state, (unsigned long long)s->rx_read,
			    (unsigned long long)s->rx_highest, s->tx_state,
			    (unsigned long long)s->tx_written, (unsigned long long)s->tx_sent,
			    (unsigned long long)s->tx_acked);
}

void h3c_dump(struct quic_conn *server)
{
	struct quic_conn *cc = client();

	for (uint32_t r = 0; r < h3c.nreq; r++) {
		const struct h3c_req *q = &h3c.req[r];

		print_error("  request %u (stream %llu, state %u): status %u, %llu body bytes, end %d, "
			    "complete %d, blocked %d, reset %d (0x%llx), stopped %d (0x%llx), "
			    "error 0x%x\n", r, (unsigned long long)q->id, q->state, q->status,
			    (unsigned long long)q->body_bytes, q->end_seen, q->complete, q->blocked,
			    q->reset, (unsigned long long)q->reset_code, q->stopped,
			    (unsigned long long)q->stop_code, q->error);
		if (q->state >= H3C_R_OPEN) {
			dump_stream("client", cc ? quic_streams_find(&cc->streams, q->id) : NULL);
			dump_stream("server",
				    server ? quic_streams_find(&server->streams, q->id) : NULL);
		}
	}
	for (unsigned i = 0; i < H3C_PEER_UNIS; i++) {
		if (!h3c.peer[i].used)
			continue;
		print_error("  server's stream %llu, type 0x%llx:\n", (unsigned long long)h3c.peer[i].id,
			    (unsigned long long)h3c.peer[i].type);
		dump_stream("client", cc ? quic_streams_find(&cc->streams, h3c.peer[i].id) : NULL);
	}
	print_error("  client QPACK decoder: %llu inserted, error 0x%x; client error 0x%x\n",
		    (unsigned long long)h3c.qdec.t.inserted, h3c.qdec.err, h3c.error);
	print_error("  client: closed %d, peer close %d app %d 0x%llx, local close %d 0x%llx; "
		    "server SETTINGS %d, GOAWAY %u\n", h3c.closed, h3c.peer_closed,
		    h3c.peer_close_app, (unsigned long long)h3c.peer_close_error, h3c.local_closed,
		    (unsigned long long)h3c.local_close_error, h3c.peer_settings, h3c.goaways);
}
