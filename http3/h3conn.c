/* http3/h3conn: HTTP/3 server connections (see h3conn.h).
 *
 * No frame is buffered here: the QUIC stream's receive chunks hold the
 * bytes until a whole frame header (or a whole HEADERS frame) is there,
 * looked at with quic_conn_stream_peek and only then read. A header
 * section therefore never needs a buffer per request: it is decoded
 * into the server's scratch at once, and a section QPACK cannot decode
 * yet (blocked) simply stays in the stream. The largest HEADERS frame a
 * request may send is the smaller of CONFIG_H3_MAX_FIELD_SECTION and the
 * stream's receive window.
 */
#include <string.h>

#include "http3/h3conn.h"
#include "lib/pool.h"
#include "quic/conn.h"
#include "quic/stream.h"

#define FRAME_HDR_MAX 16   /* two varints */

static struct quic_conn *qconn_of(struct h3_server *srv, const struct h3_conn *h)
{
	return quic_endpoint_conn(srv->ep, h->qc);
}

static struct quic_stream *qs_of(const struct h3_stream *hs)
{
	return pool_get(&pool_stream, hs->qs);
}

static struct h3_conn *h3c_of(const struct quic_conn *c)
{
	return pool_get(&pool_h3conn, c->app);
}

static struct h3_stream *hs_of(const struct quic_stream *s)
{
	return pool_get(&pool_h3stream, s->app);
}

/* Every byte up to the final size has arrived. */
static bool rx_all_here(const struct quic_stream *s)
{
	return s->rx_state == QUIC_STREAM_RX_DATA_RECVD || s->rx_state == QUIC_STREAM_RX_DATA_READ;
}

static bool rx_was_reset(const struct quic_stream *s)
{
	return s->rx_state == QUIC_STREAM_RX_RESET_RECVD || s->rx_state == QUIC_STREAM_RX_RESET_READ;
}

static bool tx_was_reset(const struct quic_stream *s)
{
	return s->tx_state == QUIC_STREAM_TX_RESET_SENT || s->tx_state == QUIC_STREAM_TX_RESET_RECVD;
}

/* The frame header at the head of s: 0 with its type, payload length and
 * size; 1 when it has not all arrived. */
static int peek_frame_hdr(const struct quic_conn *c, const struct quic_stream *s, uint64_t *type,
			  uint64_t *len, size_t *hlen)
{
	uint8_t b[FRAME_HDR_MAX];
	size_t n = quic_conn_stream_peek(c, s, b, sizeof(b)), l1, l2;
	struct buf_reader r;

	if (!n)
		return 1;
	l1 = buf_varint_len_of(b[0]);
	if (n < l1 + 1)
		return 1;
	l2 = buf_varint_len_of(b[l1]);
	if (n < l1 + l2)
		return 1;
	buf_reader_init(&r, b, n);
	*type = buf_get_varint(&r);
	*len = buf_get_varint(&r);
	*hlen = l1 + l2;
	return 0;
}

static void skip(struct quic_conn *c, struct quic_stream *s, size_t n)
{
	bool fin;

	quic_conn_stream_read(c, s, NULL, n, &fin);
}

/* Skip what is left of an ignored frame (unknown or reserved type, 7.2.8):
 * true while bytes of it are still to come. */
static bool skip_ignored(struct quic_conn *c, struct quic_stream *s, struct h3_stream *hs)
{
	while (hs->frame_left) {
		size_t n = quic_conn_stream_readable(c, s);

		if (n > hs->frame_left)
			n = (size_t)hs->frame_left;
		if (!n)
			return true;
		skip(c, s, n);
		hs->frame_left -= n;
	}
	return false;
}

/* ---------------------------------------------------------------- errors */

static void hs_free(struct h3_server *srv, struct h3_stream *hs, bool tell, struct quic_stream *s);

/* Take hs from the application (tell: with a `closed` call). */
static void detach(struct h3_server *srv, struct h3_stream *hs, bool tell)
{
	if (pool_handle_is_none(hs->app))
		return;
	if (tell && srv->ops && srv->ops->closed)
		srv->ops->closed(srv->ctx, hs);
	hs->app = POOL_HANDLE_NONE;
}

/* Stop a request both ways with err (stream error, or its cancellation). */
static void stream_abort(struct h3_server *srv, struct h3_stream *hs, uint64_t err, bool tell)
{
	struct quic_stream *s = qs_of(hs);
	struct h3_conn *h = pool_get(&pool_h3conn, hs->conn);
	struct quic_conn *c = h ? qconn_of(srv, h) : NULL;

	/* RFC 9204 2.2.2.2: a section not decoded yet, the header section
	 * or trailers waiting for entries (H3_SF_BLOCKED), is forgotten */
	if ((hs->rx == H3_RX_HEADERS || (hs->flags & H3_SF_BLOCKED)) && h)
		qpack_decoder_cancel_stream(&h->qdec, hs->id);
	if (c && s) {
		if (!(hs->flags & H3_SF_FIN_SENT))
			quic_conn_stream_reset(c, s, err);
		if (hs->rx != H3_RX_FIN)
			quic_conn_stream_stop(c, s, err);
	}
	hs->flags |= H3_SF_TX_ABORTED;
	hs->rx = H3_RX_ABORTED;
	detach(srv, hs, tell);
}

static void stream_error(struct h3_server *srv, struct h3_stream *hs, uint64_t err, bool tell)
{
	srv->st.stream_errors++;
	stream_abort(srv, hs, err, tell);
}

/* Every request of c loses its application (except `keep`, whose caller
 * learns it from a return value). */
static void abort_requests(struct h3_server *srv, struct quic_conn *c, struct h3_stream *keep)
{
	for (unsigned i = 0; i < QUIC_STREAMS_SLOTS; i++) {
		struct quic_stream *s = pool_get(&pool_stream, c->streams.slot[i]);
		struct h3_stream *hs = s ? hs_of(s) : NULL;

		if (hs && hs->kind == H3_SK_REQUEST) {
			hs->rx = H3_RX_ABORTED;
			detach(srv, hs, hs != keep);
		}
	}
}

static void conn_error(struct h3_server *srv, struct h3_conn *h, uint64_t err,
		       struct h3_stream *keep)
{
	struct quic_conn *c = qconn_of(srv, h);

	if (!c || (h->flags & H3_CF_CLOSING))
		return;
	h->flags |= H3_CF_CLOSING;
	if (err != H3_NO_ERROR)
		srv->st.conn_errors++;
	abort_requests(srv, c, keep);
	quic_conn_close(c, err, true, srv->ep->now);
}

/* ---------------------------------------------------------------- our streams */

static struct quic_stream *own_stream(pool_handle_t h)
{
	return pool_get(&pool_stream, h);
}

/* Write all of p or nothing (the caller checked the room). */
static bool write_all(struct quic_conn *c, struct quic_stream *s, const uint8_t *p, size_t n)
{
	if (!s || quic_conn_stream_writable(c, s) < n)
		return false;
	return quic_conn_stream_write(c, s, p, n, false) == n;
}

/* QPACK instructions out on our encoder or decoder stream. They are
 * already part of the QPACK state, so a short write (the chunk pool
 * failed after all; n was within the writable room) leaves the peer's
 * view broken for good: the connection is closed with
 * H3_INTERNAL_ERROR from conn_poll, where no request is in the middle
 * of being handled. */
static void write_qpack(struct h3_server *srv, struct h3_conn *h, struct quic_conn *c,
			struct quic_stream *s, size_t n)
{
	if (n && quic_conn_stream_write(c, s, srv->enc_out, n, false) != n) {
		h->flags |= H3_CF_QPACK_CUT;
		srv->conn_work = true;
	}
}

static void open_uni(struct h3_server *srv, struct h3_conn *h, struct quic_conn *c)
{
	uint8_t b[64];
	struct buf_writer w;
	struct h3_frame f = { .type = H3_FRAME_SETTINGS };
	struct quic_stream *s;

	if (h->flags & H3_CF_UNI_OPEN)
		return;
	if (c->state != QUIC_CONN_ESTABLISHED) {
		/* requests in 0-RTT: nothing can be sent before the handshake
		 * completes; conn_poll opens them then (RFC 9114 6.2.1) */
		srv->conn_work = true;
		return;
	}
	if (pool_handle_is_none(h->ctrl)) {
		if (!(s = quic_conn_stream_open(c, false)))
			return;
		h3_settings_init(&f.settings);
		f.settings.qpack_max_table_capacity = h->qdec.max_capacity;
		f.settings.qpack_blocked_streams = h->qdec.max_blocked;
		f.settings.max_field_section_size = h->qdec.max_field_section;
		/* no more than take_section accepts: a HEADERS frame within the
		 * stream's receive window (a section is never longer encoded
		 * than its size as 4.2.2 counts it, but for its prefix) */
		if (f.settings.max_field_section_size > QUIC_STREAM_RX_WINDOW - FRAME_HDR_MAX - 32)
			f.settings.max_field_section_size = QUIC_STREAM_RX_WINDOW - FRAME_HDR_MAX - 32;
		buf_writer_init(&w, b, sizeof(b));
		buf_put_varint(&w, H3_STREAM_CONTROL);
		h3_frame_write(&w, &f);
		if (w.err || !write_all(c, s, b, buf_written(&w))) {
			quic_conn_stream_reset(c, s, H3_INTERNAL_ERROR);
			conn_error(srv, h, H3_INTERNAL_ERROR, NULL);
			return;
		}
		h->ctrl = pool_handle(&pool_stream, s);
	}
	if (pool_handle_is_none(h->enc)) {
		if (!(s = quic_conn_stream_open(c, false)))
			return;
		b[0] = H3_STREAM_QPACK_ENCODER;
		if (!write_all(c, s, b, 1)) {  /* no memory: as for the control stream */
			quic_conn_stream_reset(c, s, H3_INTERNAL_ERROR);
			conn_error(srv, h, H3_INTERNAL_ERROR, NULL);
			return;
		}
		h->enc = pool_handle(&pool_stream, s);
	}
	if (pool_handle_is_none(h->dec)) {
		if (!(s = quic_conn_stream_open(c, false)))
			return;
		b[0] = H3_STREAM_QPACK_DECODER;
		if (!write_all(c, s, b, 1)) {
			quic_conn_stream_reset(c, s, H3_INTERNAL_ERROR);
			conn_error(srv, h, H3_INTERNAL_ERROR, NULL);
			return;
		}
		h->dec = pool_handle(&pool_stream, s);
	}
	h->flags |= H3_CF_UNI_OPEN;
	(void)srv;
}

/* Queued decoder-stream instructions out (acknowledgments, increments). */
static void flush_decoder(struct h3_server *srv, struct h3_conn *h, struct quic_conn *c)
{
	struct quic_stream *s = own_stream(h->dec);
	struct buf_writer w;
	size_t room;

	if (!s || !qpack_decoder_has_output(&h->qdec))
		return;
	room = quic_conn_stream_writable(c, s);
	if (room > sizeof(srv->enc_out))
		room = sizeof(srv->enc_out);
	buf_writer_init(&w, srv->enc_out, room);
	if (qpack_decoder_write(&h->qdec, &w))
		write_qpack(srv, h, c, s, buf_written(&w));
	if (qpack_decoder_has_output(&h->qdec))
		srv->conn_work = true;
}

static void send_goaway(struct h3_server *srv, struct h3_conn *h, struct quic_conn *c)
{
	uint8_t b[16];
	struct buf_writer w;
	struct h3_frame f = { .type = H3_FRAME_GOAWAY };

	if (!(h->flags & H3_CF_GOAWAY) || (h->flags & H3_CF_GOAWAY_SENT))
		return;
	f.goaway.id = h->next_req;
	buf_writer_init(&w, b, sizeof(b));
	h3_frame_write(&w, &f);
	if (write_all(c, own_stream(h->ctrl), b, buf_written(&w))) {
		h->goaway_id = f.goaway.id;
		h->flags |= H3_CF_GOAWAY_SENT;
		srv->st.goaways++;
	} else {
		srv->conn_work = true;
	}
}

/* ---------------------------------------------------------------- the ring */

void h3_want_ready(struct h3_server *srv, struct h3_stream *hs)
{
	if (hs->flags & H3_SF_IN_RING || srv->ring_n == H3_RING_SLOTS)
		return;
	hs->flags |= H3_SF_IN_RING;
	srv->ring[(srv->ring_head + srv->ring_n++) % H3_RING_SLOTS] =
		pool_handle(&pool_h3stream, hs);
}

static void ready(struct h3_server *srv, struct h3_stream *hs)
{
	if (!pool_handle_is_none(hs->app) && srv->ops && srv->ops->ready)
		srv->ops->ready(srv->ctx, hs);
}

/* ---------------------------------------------------------------- header sections */

static void dispatch(struct h3_server *srv, struct h3_stream *hs, struct qpack_field_list *fl)
{
	struct h3_req rq;
	struct h3_field f;

	h3_req_init(&rq);
	for (size_t i = 0; i < fl->count; i++) {
		f.name = fl->fields[i].name;
		f.name_len = fl->fields[i].name_len;
		f.value = fl->fields[i].value;
		f.value_len = fl->fields[i].value_len;
		if (h3_req_field(&rq, f.name, f.name_len, f.value, f.value_len))
			break;
	}
	if (rq.err || h3_req_end(&rq)) {
		stream_error(srv, hs, H3_MESSAGE_ERROR, false);
		return;
	}
	if (rq.has_content_length) {
		hs->flags |= H3_SF_HAS_CL;
		hs->content_length = rq.content_length;
	}
	if (rq.method.len == 4 && !memcmp(rq.method.p, "HEAD", 4))
		hs->flags |= H3_SF_HEAD;
	hs->flags |= H3_SF_REQUESTED;
	srv->st.requests++;
	if (srv->ops && srv->ops->request)
		srv->ops->request(srv->ctx, hs, &rq, fl);
	else
		stream_error(srv, hs, H3_INTERNAL_ERROR, false);
}

/* Answer a request whose header section is larger than we accept: 431
 * (RFC 9114 4.2.2), and read no more of it: h3_release stops the rest
 * (STOP_SENDING(H3_NO_ERROR) unless it is all here), so that the stream
 * can close. */
static void too_large(struct h3_server *srv, struct h3_stream *hs)
{
	hs->flags |= H3_SF_REQUESTED;
	if (h3_send_headers(srv, hs, 431, NULL, 0, true) != 0) {
		stream_error(srv, hs, H3_EXCESSIVE_LOAD, false);
		return;
	}
	h3_release(srv, hs);
}

/* The HEADERS frame (hlen + len bytes) at the head of a request stream:
 * decode it. 0 done (consumed), 1 waiting (nothing consumed), -1 failed
 * (the stream or connection was closed). */
static int take_section(struct h3_server *srv, struct h3_conn *h, struct quic_conn *c,
			struct quic_stream *s, struct h3_stream *hs, size_t hlen, uint64_t len,
			bool trailers)
{
	struct qpack_field_list fl;
	size_t limit = sizeof(srv->sec);
	int st;

	if (limit > QUIC_STREAM_RX_WINDOW - hlen)
		limit = QUIC_STREAM_RX_WINDOW - hlen;
	if (len > limit) {
		stream_error(srv, hs, H3_EXCESSIVE_LOAD, trailers);
		return -1;
	}
	if (quic_conn_stream_peek(c, s, srv->out, hlen + (size_t)len) < hlen + len) {
		if (rx_all_here(s)) {
			conn_error(srv, h, H3_FRAME_ERROR, hs);
			return -1;
		}
		return 1;
	}
	qpack_field_list_init(&fl, srv->fields, sizeof(srv->fields) / sizeof(srv->fields[0]),
			      srv->arena, sizeof(srv->arena));
	st = qpack_decode(&h->qdec, hs->id, srv->out + hlen, (size_t)len, &fl);
	if (st == QPACK_NO_BUFFER) {
		flush_decoder(srv, h, c);
		st = qpack_decode(&h->qdec, hs->id, srv->out + hlen, (size_t)len, &fl);
	}
	if (st == QPACK_NO_BUFFER)
		return 1;
	if (st == QPACK_BLOCKED) {
		if (!(hs->flags & H3_SF_BLOCKED))
			srv->st.qpack_blocked++;
		hs->flags |= H3_SF_BLOCKED;
		h->flags |= H3_CF_BLOCKED;
		return 1;
	}
	if (qpack_is_error(st)) {
		conn_error(srv, h, (uint64_t)st, hs);
		return -1;
	}
	hs->flags &= (uint16_t)~H3_SF_BLOCKED;
	skip(c, s, hlen + (size_t)len);
	flush_decoder(srv, h, c);
	if (trailers) {
		const char *why;

		for (size_t i = 0; st == QPACK_OK && i < fl.count; i++) {
			if (h3_trailer_field(fl.fields[i].name, fl.fields[i].name_len,
					     fl.fields[i].value, fl.fields[i].value_len, &why)) {
				stream_error(srv, hs, H3_MESSAGE_ERROR, false);
				return -1;
			}
		}
		return 0;  /* checked and dropped: HTTP/1.1 backends get no trailers */
	}
	hs->rx = H3_RX_BODY;
	if (st == QPACK_TOO_LARGE)
		too_large(srv, hs);
	else
		dispatch(srv, hs, &fl);
	return hs->rx == H3_RX_ABORTED ? -1 : 0;
}

/* The request stream before its header section. */
static void rx_headers(struct h3_server *srv, struct h3_conn *h, struct quic_conn *c,
		       struct quic_stream *s, struct h3_stream *hs)
{
	uint64_t type, len;
	size_t hlen;
	int err;

	while (hs->rx == H3_RX_HEADERS) {
		if (skip_ignored(c, s, hs)) {  /* an unknown frame before HEADERS */
			if (rx_all_here(s))  /* the stream ended inside it (7.1) */
				conn_error(srv, h, H3_FRAME_ERROR, NULL);
			break;
		}
		if (peek_frame_hdr(c, s, &type, &len, &hlen)) {
			if (!rx_all_here(s))
				return;
			if (!quic_conn_stream_readable(c, s)) {  /* FIN before HEADERS: 4.1.1 */
				stream_error(srv, hs, H3_REQUEST_INCOMPLETE, false);
				return;
			}
			conn_error(srv, h, H3_FRAME_ERROR, NULL);
			return;
		}
		{
			enum h3_req_rx st = (enum h3_req_rx)hs->req_rx;

			if ((err = h3_req_rx_frame(&st, type))) {
				conn_error(srv, h, (uint64_t)err, NULL);
				return;
			}
			if (type != H3_FRAME_HEADERS) {  /* unknown or reserved: skipped */
				skip(c, s, hlen);
				hs->frame_left = len;
				continue;
			}
			/* the state moves first: the application may read the
			 * body from inside take_section */
			hs->req_rx = (uint8_t)st;
			if ((err = take_section(srv, h, c, s, hs, hlen, len, false)) > 0)
				hs->req_rx = H3_REQ_RX_HEADERS;  /* not taken yet */
			if (err)
				return;
		}
	}
}

/* ---------------------------------------------------------------- peer streams */

static struct h3_stream *hs_new(struct h3_server *srv, struct h3_conn *h, struct quic_stream *s,
				enum h3_stream_kind kind)
{
	struct h3_stream *hs = pool_zalloc(&pool_h3stream);

	(void)srv;
	if (!hs)
		return NULL;
	hs->conn = pool_handle(&pool_h3conn, h);
	hs->qs = pool_handle(&pool_stream, s);
	hs->id = s->id;
	hs->kind = (uint8_t)kind;
	hs->rx = H3_RX_HEADERS;
	hs->req_rx = H3_REQ_RX_HEADERS;
	s->app = pool_handle(&pool_h3stream, hs);
	return hs;
}

static void hs_free(struct h3_server *srv, struct h3_stream *hs, bool tell, struct quic_stream *s)
{
	detach(srv, hs, tell);
	if (s)
		s->app = POOL_HANDLE_NONE;
	pool_free(&pool_h3stream, hs);
}

static void critical_closed(struct h3_server *srv, struct h3_conn *h)
{
	conn_error(srv, h, H3_CLOSED_CRITICAL_STREAM, NULL);
}

/* Decode again the requests whose sections waited for entries. */
static void retry_blocked(struct h3_server *srv, struct h3_conn *h, struct quic_conn *c)
{
	uint64_t ids[QPACK_BLOCKED_SLOTS];
	size_t n = qpack_decoder_unblocked(&h->qdec, ids, QPACK_BLOCKED_SLOTS);

	for (size_t i = 0; i < n; i++) {
		struct quic_stream *s = quic_streams_find(&c->streams, ids[i]);
		struct h3_stream *hs = s ? hs_of(s) : NULL;

		if (!hs || !(hs->flags & H3_SF_BLOCKED))
			continue;
		if (hs->rx == H3_RX_HEADERS)
			rx_headers(srv, h, c, s, hs);
		else
			ready(srv, hs);  /* trailers: the application reads on */
		if (h->flags & H3_CF_CLOSING)
			return;
	}
}

/* The peer's encoder or decoder stream: everything into QPACK. */
static void rx_qpack(struct h3_server *srv, struct h3_conn *h, struct quic_conn *c,
		     struct quic_stream *s, bool encoder)
{
	size_t n;
	bool fin;
	int st;

	while ((n = quic_conn_stream_read(c, s, srv->out, sizeof(srv->out), &fin))) {
		st = encoder ? qpack_decoder_feed(&h->qdec, srv->out, n)
			     : qpack_encoder_feed(&h->qenc, srv->out, n);
		if (st) {
			conn_error(srv, h, (uint64_t)st, NULL);
			return;
		}
	}
	if (fin || rx_was_reset(s)) {
		critical_closed(srv, h);
		return;
	}
	if (encoder) {
		retry_blocked(srv, h, c);
		if (!(h->flags & H3_CF_CLOSING))
			flush_decoder(srv, h, c);
	}
}

/* The peer's control stream. */
static void rx_control(struct h3_server *srv, struct h3_conn *h, struct quic_conn *c,
		       struct quic_stream *s, struct h3_stream *hs)
{
	uint64_t type, len;
	size_t hlen;
	struct h3_frame f;
	int err;

	for (;;) {
		if (skip_ignored(c, s, hs))
			break;
		if (peek_frame_hdr(c, s, &type, &len, &hlen))
			break;
		if ((err = h3_ctrl_rx_frame(&h->ctrl_rx, type, true))) {
			conn_error(srv, h, (uint64_t)err, NULL);
			return;
		}
		if (type != H3_FRAME_SETTINGS && type != H3_FRAME_GOAWAY &&
		    type != H3_FRAME_MAX_PUSH_ID && type != H3_FRAME_CANCEL_PUSH) {
			skip(c, s, hlen);  /* unknown or reserved: ignored (7.2.8) */
			hs->frame_left = len;
			continue;
		}
		if (len > sizeof(srv->out) - hlen) {
			conn_error(srv, h, type == H3_FRAME_SETTINGS ? H3_EXCESSIVE_LOAD
								       : H3_FRAME_ERROR, NULL);
			return;
		}
		if (quic_conn_stream_peek(c, s, srv->out, hlen + (size_t)len) < hlen + len)
			break;
		if ((err = h3_frame_parse_payload(type, srv->out + hlen, (size_t)len, &f))) {
			conn_error(srv, h, (uint64_t)err, NULL);
			return;
		}
		skip(c, s, hlen + (size_t)len);
		switch (type) {
		case H3_FRAME_SETTINGS:
			h->peer = f.settings;
			h->flags |= H3_CF_PEER_SETTINGS;
			qpack_encoder_set_peer_settings(&h->qenc, f.settings.qpack_max_table_capacity,
							f.settings.qpack_blocked_streams);
			break;
		case H3_FRAME_GOAWAY:  /* from a client: a push ID (5.2) */
			if ((err = h3_goaway_check(h->peer_goaway, f.goaway.id, false))) {
				conn_error(srv, h, (uint64_t)err, NULL);
				return;
			}
			h->peer_goaway = f.goaway.id;
			break;
		case H3_FRAME_CANCEL_PUSH:
			/* we never promise a push: every push ID is unknown (7.2.3) */
			conn_error(srv, h, H3_ID_ERROR, NULL);
			return;
		default:  /* MAX_PUSH_ID: we do not push */
			break;
		}
	}
	if (rx_all_here(s) || rx_was_reset(s))
		critical_closed(srv, h);
}

/* A unidirectional stream of the peer: its type first (6.2). */
static void rx_uni(struct h3_server *srv, struct h3_conn *h, struct quic_conn *c,
		   struct quic_stream *s, struct h3_stream *hs)
{
	if (hs->kind == H3_SK_UNI_PENDING) {
		uint8_t b[8];
		size_t n = quic_conn_stream_peek(c, s, b, sizeof(b));
		enum h3_uni_kind kind;
		struct buf_reader r;
		uint64_t type;
		int err;

		if (!n || n < buf_varint_len_of(b[0])) {
			uint64_t code;

			if (!rx_all_here(s) && !rx_was_reset(s))
				return;
			/* ended before its type: nothing (6.2), but its end is
			 * read so that the stream closes and its credit returns */
			hs->kind = H3_SK_DISCARD;
			skip(c, s, SIZE_MAX);
			quic_stream_read_reset(s, &code);
			return;
		}
		buf_reader_init(&r, b, n);
		type = buf_get_varint(&r);
		skip(c, s, buf_varint_len_of(b[0]));
		if ((err = h3_uni_accept(type, true, &h->opened, &kind))) {
			conn_error(srv, h, (uint64_t)err, NULL);
			return;
		}
		switch (kind) {
		case H3_UNI_CONTROL:
			hs->kind = H3_SK_CONTROL;
			h->peer_ctrl = hs->qs;
			break;
		case H3_UNI_QPACK_ENCODER:
			hs->kind = H3_SK_QPACK_ENC;
			break;
		case H3_UNI_QPACK_DECODER:
			hs->kind = H3_SK_QPACK_DEC;
			break;
		default:  /* unknown or reserved: 6.2 lets us refuse it */
			hs->kind = H3_SK_DISCARD;
			quic_conn_stream_stop(c, s, H3_STREAM_CREATION_ERROR);
			break;
		}
	}
	switch (hs->kind) {
	case H3_SK_CONTROL:
		rx_control(srv, h, c, s, hs);
		break;
	case H3_SK_QPACK_ENC:
		rx_qpack(srv, h, c, s, true);
		break;
	case H3_SK_QPACK_DEC:
		rx_qpack(srv, h, c, s, false);
		break;
	default:
		skip(c, s, SIZE_MAX);
		break;
	}
}

/* A request stream had an event. */
static void rx_request(struct h3_server *srv, struct h3_conn *h, struct quic_conn *c,
		       struct quic_stream *s, struct h3_stream *hs)
{
	uint64_t err;

	if (hs->rx == H3_RX_ABORTED) {
		skip(c, s, SIZE_MAX);
		quic_stream_read_reset(s, &err);
		return;
	}
	if (quic_stream_read_reset(s, &err) ||
	    (tx_was_reset(s) && !(hs->flags & H3_SF_TX_ABORTED))) {
		/* the client cancelled (RESET_STREAM or STOP_SENDING, 4.1.1) */
		stream_abort(srv, hs, H3_REQUEST_CANCELLED, true);
		return;
	}
	if (hs->rx == H3_RX_HEADERS) {
		rx_headers(srv, h, c, s, hs);
		return;
	}
	ready(srv, hs);
}

static struct h3_conn *conn_get(struct h3_server *srv, struct quic_conn *c)
{
	struct h3_conn *h = h3c_of(c);

	if (h)
		return h;
	if (!(h = pool_zalloc(&pool_h3conn))) {
		quic_conn_close(c, H3_INTERNAL_ERROR, true, srv->ep->now);
		return NULL;
	}
	h->qc = c->self;
	h->peer_goaway = UINT64_MAX;
	h->goaway_id = UINT64_MAX;
	h3_settings_init(&h->peer);
	qpack_decoder_init(&h->qdec, CONFIG_H3_QPACK_TABLE_CAPACITY,
			   CONFIG_H3_QPACK_BLOCKED_STREAMS);
	qpack_encoder_init(&h->qenc);
	if (srv->shutting_down)
		h->flags |= H3_CF_GOAWAY;
	c->app = pool_handle(&pool_h3conn, h);
	return h;
}

/* A new request stream: accepted, or refused (GOAWAY sent, no memory). */
static struct h3_stream *request_new(struct h3_server *srv, struct h3_conn *h,
				     struct quic_conn *c, struct quic_stream *s)
{
	struct h3_stream *hs = NULL;

	if (tx_was_reset(s) || s->rx_state == QUIC_STREAM_RX_RESET_READ)
		return NULL;  /* refused before: what is left of it goes by */
	if (s->id >= h->next_req)
		h->next_req = s->id + 4;
	if (!(h->flags & H3_CF_GOAWAY_SENT) || s->id < h->goaway_id)
		hs = hs_new(srv, h, s, H3_SK_REQUEST);
	if (!hs) {
		srv->st.rejected++;
		quic_conn_stream_reset(c, s, H3_REQUEST_REJECTED);
		quic_conn_stream_stop(c, s, H3_REQUEST_REJECTED);
		return NULL;
	}
	h->requests++;
	if (s->rx_early)
		hs->flags |= H3_SF_EARLY;
	return hs;
}

static void on_stream_event(void *ctx, struct quic_conn *c, struct quic_stream *s)
{
	struct h3_server *srv = ctx;
	struct h3_conn *h = conn_get(srv, c);
	struct h3_stream *hs;

	if (!h || (h->flags & H3_CF_CLOSING)) {
		skip(c, s, SIZE_MAX);
		return;
	}
	open_uni(srv, h, c);
	if (quic_stream_id_is_local(s->id, true)) {
		/* one of ours: the peer may not stop a critical stream (6.2.1) */
		if (tx_was_reset(s))
			critical_closed(srv, h);
		return;
	}
	hs = hs_of(s);
	if (!hs) {
		if (quic_stream_id_is_uni(s->id))
			hs = hs_new(srv, h, s, H3_SK_UNI_PENDING);
		else
			hs = request_new(srv, h, c, s);
		if (!hs) {
			if (quic_stream_id_is_uni(s->id)) {  /* no memory for it: refuse */
				quic_conn_stream_stop(c, s, H3_STREAM_CREATION_ERROR);
			}
			skip(c, s, SIZE_MAX);
			return;
		}
	}
	if (hs->kind == H3_SK_REQUEST)
		rx_request(srv, h, c, s, hs);
	else
		rx_uni(srv, h, c, s, hs);
}

static void on_stream_closed(void *ctx, struct quic_conn *c, struct quic_stream *s)
{
	struct h3_server *srv = ctx;
	struct h3_stream *hs = hs_of(s);
	struct h3_conn *h = h3c_of(c);

	if (h && !(h->flags & H3_CF_CLOSING) && hs && hs->kind >= H3_SK_CONTROL &&
	    hs->kind <= H3_SK_QPACK_DEC)
		critical_closed(srv, h);  /* cannot normally happen: it needs a FIN */
	if (hs)
		hs_free(srv, hs, true, s);
	if (h && srv->shutting_down)
		srv->conn_work = true;
}

static void free_stream_cb(void *ctx, struct quic_stream *s)
{
	struct h3_stream *hs = hs_of(s);

	if (hs)
		hs_free(ctx, hs, true, s);
}

static void on_conn_closed(void *ctx, struct quic_conn *c)
{
	struct h3_server *srv = ctx;
	struct h3_conn *h = h3c_of(c);

	quic_streams_for_each(&c->streams, free_stream_cb, srv);
	if (h)
		pool_free(&pool_h3conn, h);
	c->app = POOL_HANDLE_NONE;
}

static const struct quic_app_ops app_ops = {
	.stream_event = on_stream_event,
	.stream_closed = on_stream_closed,
	.conn_closed = on_conn_closed,
};

const struct quic_app_ops *h3_server_app_ops(void)
{
	return &app_ops;
}

/* ---------------------------------------------------------------- server */

void h3_server_init(struct h3_server *srv, const struct h3_server_ops *ops, void *ctx)
{
	memset(srv, 0, sizeof(*srv));
	srv->ops = ops;
	srv->ctx = ctx;
}

void h3_server_attach(struct h3_server *srv, struct quic_endpoint *ep)
{
	srv->ep = ep;
}

static uint32_t live_requests(struct quic_conn *c)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < QUIC_STREAMS_SLOTS; i++) {
		struct quic_stream *s = pool_get(&pool_stream, c->streams.slot[i]);
		struct h3_stream *hs = s ? hs_of(s) : NULL;

		n += hs && hs->kind == H3_SK_REQUEST;
	}
	return n;
}

static void conn_poll(struct h3_server *srv, struct quic_conn *c)
{
	struct h3_conn *h = h3c_of(c);

	/* shutting down, a connection that has sent nothing yet (no HTTP/3
	 * state) is given its GOAWAY and closed like the others, not left
	 * to its idle timeout */
	if (!h && srv->shutting_down && c->state == QUIC_CONN_ESTABLISHED)
		h = conn_get(srv, c);
	if (h && !(h->flags & H3_CF_CLOSING) && c->state == QUIC_CONN_HANDSHAKE)
		srv->conn_work = true;  /* 0-RTT: its streams open once it is established */
	if (!h || (h->flags & H3_CF_CLOSING) || c->state != QUIC_CONN_ESTABLISHED)
		return;
	if (h->flags & H3_CF_QPACK_CUT) {
		conn_error(srv, h, H3_INTERNAL_ERROR, NULL);
		return;
	}
	open_uni(srv, h, c);
	flush_decoder(srv, h, c);
	if (h->flags & H3_CF_UNI_OPEN)
		send_goaway(srv, h, c);
	if ((h->flags & H3_CF_GOAWAY_SENT) && !live_requests(c))
		conn_error(srv, h, H3_NO_ERROR, NULL);
}

void h3_server_poll(struct h3_server *srv, uint64_t now)
{
	uint32_t n = srv->ring_n;

	(void)now;
	if (srv->conn_work || srv->shutting_down) {
		srv->conn_work = false;
		for (uint32_t i = 0; i < CONFIG_POOL_CONNECTIONS; i++) {
			struct quic_conn *c = quic_endpoint_conn(srv->ep, srv->ep->conns[i]);

			if (c)
				conn_poll(srv, c);
		}
	}
	while (n--) {
		struct h3_stream *hs = pool_get(&pool_h3stream, srv->ring[srv->ring_head]);

		srv->ring_head = (srv->ring_head + 1) % H3_RING_SLOTS;
		srv->ring_n--;
		if (!hs)
			continue;
		hs->flags &= (uint16_t)~H3_SF_IN_RING;
		ready(srv, hs);
	}
}

void h3_server_shutdown(struct h3_server *srv, uint64_t now)
{
	srv->shutting_down = true;
	for (uint32_t i = 0; i < CONFIG_POOL_CONNECTIONS; i++) {
		struct quic_conn *c = quic_endpoint_conn(srv->ep, srv->ep->conns[i]);
		struct h3_conn *h = c ? h3c_of(c) : NULL;

		if (h)
			h->flags |= H3_CF_GOAWAY;
		else if (c && c->state != QUIC_CONN_ESTABLISHED)
			quic_conn_close(c, QUIC_NO_ERROR, false, now);  /* not serving yet */
	}
	h3_server_poll(srv, now);
}

uint32_t h3_server_conns(const struct h3_server *srv)
{
	return srv->ep ? srv->ep->nconns : 0;
}

/* ---------------------------------------------------------------- for the application */

static bool usable(struct h3_server *srv, struct h3_stream *hs, struct quic_conn **c,
		   struct quic_stream **s, struct h3_conn **h)
{
	*h = pool_get(&pool_h3conn, hs->conn);
	*c = *h ? qconn_of(srv, *h) : NULL;
	*s = qs_of(hs);
	return *c && *s && !((*h)->flags & H3_CF_CLOSING) && hs->rx != H3_RX_ABORTED;
}

struct quic_conn *h3_stream_quic_conn(struct h3_server *srv, const struct h3_stream *hs)
{
	struct h3_conn *h = pool_get(&pool_h3conn, hs->conn);

	return h ? qconn_of(srv, h) : NULL;
}

static int body_end(struct h3_server *srv, struct h3_stream *hs, struct quic_conn *c,
		    struct quic_stream *s)
{
	const char *why;
	bool fin;

	quic_conn_stream_read(c, s, NULL, 0, &fin);
	if (h3_req_rx_fin((enum h3_req_rx)hs->req_rx) ||
	    h3_msg_body_check(hs->flags & H3_SF_HAS_CL, hs->content_length, hs->body_rx, true,
			      &why)) {
		stream_error(srv, hs, H3_MESSAGE_ERROR, false);
		return -1;
	}
	hs->rx = H3_RX_FIN;
	return 0;
}

long h3_body_read(struct h3_server *srv, struct h3_stream *hs, uint8_t *out, size_t cap,
		  bool *fin)
{
	struct h3_conn *h;
	struct quic_conn *c;
	struct quic_stream *s;
	size_t total = 0;
	uint64_t type, len, err;
	size_t hlen;
	const char *why;
	int e;

	*fin = false;
	if (hs->rx == H3_RX_FIN) {
		*fin = true;
		return 0;
	}
	if (!usable(srv, hs, &c, &s, &h)) {
		detach(srv, hs, false);
		return -1;
	}
	if (quic_stream_read_reset(s, &err)) {
		stream_abort(srv, hs, H3_REQUEST_CANCELLED, false);
		return -1;
	}
	for (;;) {
		if (hs->rx != H3_RX_DATA && skip_ignored(c, s, hs)) {
			if (rx_all_here(s))  /* the stream ended inside the frame */
				goto cut;
			break;
		}
		if (hs->rx == H3_RX_DATA) {
			size_t want = cap - total, n;

			if (want > hs->frame_left)
				want = (size_t)hs->frame_left;
			if (!want)
				break;
			n = quic_conn_stream_read(c, s, out + total, want, &(bool){ false });
			if (!n) {
				if (rx_all_here(s))  /* ... inside a DATA frame */
					goto cut;
				break;
			}
			total += n;
			hs->body_rx += n;
			hs->frame_left -= n;
			if (!hs->frame_left)
				hs->rx = H3_RX_BODY;
			if (h3_msg_body_check(hs->flags & H3_SF_HAS_CL, hs->content_length,
					      hs->body_rx, false, &why)) {
				stream_error(srv, hs, H3_MESSAGE_ERROR, false);
				return -1;
			}
			continue;
		}
		if (peek_frame_hdr(c, s, &type, &len, &hlen)) {
			if (!rx_all_here(s))
				break;
			if (quic_conn_stream_readable(c, s)) {
				conn_error(srv, h, H3_FRAME_ERROR, hs);
				detach(srv, hs, false);
				return -1;
			}
			if (body_end(srv, hs, c, s))
				return -1;
			*fin = true;
			break;
		}
		{
			enum h3_req_rx st = (enum h3_req_rx)hs->req_rx;

			if ((e = h3_req_rx_frame(&st, type))) {
				conn_error(srv, h, (uint64_t)e, hs);
				detach(srv, hs, false);
				return -1;
			}
			if (type == H3_FRAME_HEADERS) {  /* trailers */
				e = take_section(srv, h, c, s, hs, hlen, len, true);
				if (e < 0) {
					detach(srv, hs, false);
					return -1;
				}
				if (e > 0)
					break;
				hs->rx = H3_RX_TRAILERS;
			} else {
				skip(c, s, hlen);
				hs->frame_left = len;
				if (type == H3_FRAME_DATA && len)
					hs->rx = H3_RX_DATA;
			}
			hs->req_rx = (uint8_t)st;
		}
	}
	return (long)total;
cut:	/* a frame cut short by the stream's end: H3_FRAME_ERROR (RFC 9114 7.1) */
	conn_error(srv, h, H3_FRAME_ERROR, hs);
	detach(srv, hs, false);
	return -1;
}

int h3_send_headers(struct h3_server *srv, struct h3_stream *hs, unsigned status,
		    const struct qpack_field *fields, size_t n, bool fin)
{
	struct h3_conn *h;
	struct quic_conn *c;
	struct quic_stream *s, *es;
	struct qpack_field list[1 + 64];
	char digits[4];
	size_t bound = 16, room;
	struct buf_writer sec, enc;
	uint8_t hdr[FRAME_HDR_MAX];
	struct buf_writer hw;

	if (!usable(srv, hs, &c, &s, &h) || (hs->flags & (H3_SF_FIN_SENT | H3_SF_TX_ABORTED))) {
		detach(srv, hs, false);
		return -1;
	}
	if (n > 64 || status < 100 || status > 999)
		return -1;
	digits[0] = (char)('0' + status / 100);
	digits[1] = (char)('0' + status / 10 % 10);
	digits[2] = (char)('0' + status % 10);
	list[0] = (struct qpack_field){ (const uint8_t *)":status", 7, (const uint8_t *)digits, 3, 0 };
	for (size_t i = 0; i < n; i++) {
		list[1 + i] = fields[i];
		bound += fields[i].name_len + fields[i].value_len + 12;
	}
	/* the encoded section is never longer than the literals (+ prefixes) */
	room = quic_conn_stream_writable(c, s);
	if (bound > sizeof(srv->sec))
		bound = sizeof(srv->sec);
	if (room < bound + FRAME_HDR_MAX) {
		h3_want_ready(srv, hs);
		return 1;
	}
	es = own_stream(h->enc);
	buf_writer_init(&sec, srv->sec, sizeof(srv->sec));
	room = es ? quic_conn_stream_writable(c, es) : 0;
	buf_writer_init(&enc, srv->enc_out, room < sizeof(srv->enc_out) ? room : sizeof(srv->enc_out));
	if (qpack_encode(&h->qenc, hs->id, list, n + 1, &sec, es ? &enc : NULL) != QPACK_OK) {
		write_qpack(srv, h, c, es, buf_written(&enc));
		stream_error(srv, hs, H3_INTERNAL_ERROR, false);
		return -1;
	}
	write_qpack(srv, h, c, es, buf_written(&enc));
	buf_writer_init(&hw, hdr, sizeof(hdr));
	h3_frame_write_header(&hw, H3_FRAME_HEADERS, buf_written(&sec));
	/* a short write (no memory after all) fails: the frame is cut */
	if (quic_conn_stream_write(c, s, hdr, buf_written(&hw), false) != buf_written(&hw) ||
	    quic_conn_stream_write(c, s, srv->sec, buf_written(&sec), fin) != buf_written(&sec)) {
		stream_error(srv, hs, H3_INTERNAL_ERROR, false);
		return -1;
	}
	if (status >= 200) {
		hs->flags |= H3_SF_HEADERS_SENT;
		srv->st.responses++;
	}
	if (fin)
		hs->flags |= H3_SF_FIN_SENT;
	return 0;
}

size_t h3_send_room(struct h3_server *srv, struct h3_stream *hs)
{
	struct h3_conn *h;
	struct quic_conn *c;
	struct quic_stream *s;
	size_t room;

	if (!usable(srv, hs, &c, &s, &h) || (hs->flags & (H3_SF_FIN_SENT | H3_SF_TX_ABORTED)))
		return 0;
	if (hs->flags & H3_SF_HEAD)
		return SIZE_MAX;
	room = quic_conn_stream_writable(c, s);
	if (room <= FRAME_HDR_MAX)
		return 0;
	return room - h3_frame_header_size(H3_FRAME_DATA, room);
}

long h3_send_data(struct h3_server *srv, struct h3_stream *hs, const uint8_t *p, size_t len,
		  bool fin)
{
	struct h3_conn *h;
	struct quic_conn *c;
	struct quic_stream *s;
	uint8_t hdr[FRAME_HDR_MAX];
	struct buf_writer hw;
	size_t n = len;

	if (!usable(srv, hs, &c, &s, &h) || (hs->flags & (H3_SF_FIN_SENT | H3_SF_TX_ABORTED))) {
		detach(srv, hs, false);
		return -1;
	}
	if (!(hs->flags & H3_SF_HEAD)) {  /* an answer to HEAD has no content: dropped */
		size_t room = h3_send_room(srv, hs);

		if (n > room)
			n = room;
		if (n) {
			buf_writer_init(&hw, hdr, sizeof(hdr));
			h3_frame_write_header(&hw, H3_FRAME_DATA, n);
			if (quic_conn_stream_write(c, s, hdr, buf_written(&hw), false) !=
				    buf_written(&hw) ||
			    quic_conn_stream_write(c, s, p, n, false) != n) {
				/* a short write (no memory after all): the frame is cut */
				stream_error(srv, hs, H3_INTERNAL_ERROR, false);
				return -1;
			}
			hs->body_tx += n;
		}
	}
	if (fin && n == len) {
		quic_conn_stream_write(c, s, NULL, 0, true);
		hs->flags |= H3_SF_FIN_SENT;
	}
	return (long)n;
}

void h3_release(struct h3_server *srv, struct h3_stream *hs)
{
	struct h3_conn *h;
	struct quic_conn *c;
	struct quic_stream *s;

	hs->app = POOL_HANDLE_NONE;
	if (!usable(srv, hs, &c, &s, &h))
		return;
	if (hs->rx != H3_RX_FIN) {
		/* a complete response ends the exchange (4.1) */
		quic_conn_stream_stop(c, s, H3_NO_ERROR);
		hs->rx = H3_RX_ABORTED;
	}
}

void h3_abort(struct h3_server *srv, struct h3_stream *hs, uint64_t err)
{
	stream_abort(srv, hs, err, false);
}
