/* quic/conn_stream: a connection's streams (RFC 9000 2-4 over
 * quic/stream): the frames about them received and sent, connection-level
 * flow control, what happens to their frames when a packet is
 * acknowledged or lost, and the stream API for the application. Part of
 * quic/conn. */
#include <string.h>

#include "lib/pool.h"
#include "quic/conn-internal.h"
#include "quic/endpoint.h"
#include "quic/stream.h"

static void app_event(struct quic_conn *c, struct quic_stream *s)
{
	if (c->ep->app && c->ep->app->stream_event)
		c->ep->app->stream_event(c->ep->app_ctx, c, s);
	else  /* nobody reads: consume so credit keeps flowing */
		quic_conn_stream_read(c, s, NULL, SIZE_MAX, &(bool){ false });
}

/* Frames about streams (RFC 9000 19.4-19.14). QUIC_STREAM_DROPPED asks
 * the caller not to acknowledge the packet: memory ran out, the peer
 * sends it again. */
int conn_on_stream_frame(struct quic_conn *c, const struct quic_frame *f)
{
	uint64_t id = f->stream.stream_id, nb = 0;
	bool recv = QUIC_FRAME_IS_STREAM(f->type) || f->type == QUIC_FRAME_RESET_STREAM ||
		    f->type == QUIC_FRAME_STREAM_DATA_BLOCKED;
	int err = 0, ret;
	struct quic_stream *s;

	if (f->type == QUIC_FRAME_RESET_STREAM)
		id = f->reset_stream.stream_id;
	else if (f->type == QUIC_FRAME_STOP_SENDING)
		id = f->stop_sending.stream_id;
	else if (f->type == QUIC_FRAME_MAX_STREAM_DATA)
		id = f->max_stream_data.stream_id;
	else if (f->type == QUIC_FRAME_STREAM_DATA_BLOCKED)
		id = f->stream_data_blocked.stream_id;
	s = quic_streams_get_or_open(&c->streams, c->self, id,
				     recv ? QUIC_STREAM_PART_RECV : QUIC_STREAM_PART_SEND, &err);
	if (!s)
		return err;
	if (QUIC_FRAME_IS_STREAM(f->type)) {
		if (c->rx_in_early && !s->rx_early) {
			s->rx_early = true;
			c->early_streams++;
		}
		ret = quic_stream_on_frame(s, f->stream.offset, f->stream.data, f->stream.len,
					   f->type & QUIC_FRAME_STREAM_FIN, &nb);
	} else if (f->type == QUIC_FRAME_RESET_STREAM) {
		ret = quic_stream_on_reset(s, f->reset_stream.error, f->reset_stream.final_size, &nb);
	} else if (f->type == QUIC_FRAME_STOP_SENDING) {
		quic_stream_on_stop_sending(s, f->stop_sending.error);
		app_event(c, s);
		return 0;
	} else if (f->type == QUIC_FRAME_MAX_STREAM_DATA) {
		quic_stream_on_max_stream_data(s, f->max_stream_data.max);
		return 0;
	} else {
		return 0;  /* STREAM_DATA_BLOCKED: credit follows reading anyway */
	}
	/* the connection's limit counts the highest offset of every stream */
	if (nb && quic_flow_consume(&c->rx_flow, nb) != 0)
		return QUIC_FLOW_CONTROL_ERROR;
	if (ret)
		return ret;
	/* only news: a retransmitted frame for a stream whose end the
	 * application has read already tells it nothing */
	if (s->rx_state != QUIC_STREAM_RX_DATA_READ && s->rx_state != QUIC_STREAM_RX_RESET_READ)
		app_event(c, s);
	return 0;
}

/* Streams finished both ways leave (after the application has seen their
 * last event: never while a callback may hold the pointer). */
static void sweep_one(void *ctx, struct quic_stream *s)
{
	struct quic_conn *c = ctx;

	if (!quic_stream_done(s))
		return;
	if (c->ep->app && c->ep->app->stream_closed)
		c->ep->app->stream_closed(c->ep->app_ctx, c, s);
	quic_streams_close(&c->streams, s);
}

void conn_sweep_streams(struct quic_conn *c)
{
	quic_streams_for_each(&c->streams, sweep_one, c);
}


void conn_stream_frames_acked(struct quic_conn *c, struct quic_sent *rec)
{
	(void)c;
	for (int i = 0; i < rec->nframes; i++) {
		struct quic_sent_frame *f = &rec->f[i];
		struct quic_stream *st = pool_get(&pool_stream, f->stream);

		if (!st)
			continue;  /* closed since: nothing to do */
		if (f->kind == QUIC_SENT_STREAM)
			quic_stream_on_acked(st, f->off, f->len, f->fin);
		else if (f->kind == QUIC_SENT_RESET)
			quic_stream_on_reset_acked(st);
	}
}

void conn_stream_frames_lost(struct quic_conn *c, struct quic_sent *rec)
{
	(void)c;
	for (int i = 0; i < rec->nframes; i++) {
		struct quic_sent_frame *f = &rec->f[i];
		struct quic_stream *st = pool_get(&pool_stream, f->stream);

		if (!st)
			continue;
		if (f->kind == QUIC_SENT_STREAM)
			quic_stream_on_lost(st, f->off, f->len, f->fin);
		else if (f->kind == QUIC_SENT_MSD)
			quic_stream_on_max_stream_data_lost(st);
		else if (f->kind == QUIC_SENT_RESET)
			quic_stream_on_reset_lost(st);
		else if (f->kind == QUIC_SENT_STOP)
			quic_stream_on_stop_sending_lost(st);
	}
}

static bool add_sent_frame(struct quic_sent *rec, const struct quic_stream *st,
			   enum quic_sent_kind kind, uint64_t off, size_t len, bool fin)
{
	struct quic_sent_frame *f;

	if (rec->nframes == QUIC_SENT_FRAMES)
		return false;
	f = &rec->f[rec->nframes++];
	f->stream = pool_handle(&pool_stream, st);
	f->kind = (uint8_t)kind;
	f->off = off;
	f->len = (uint16_t)len;
	f->fin = fin;
	return true;
}

struct stream_writer {
	struct quic_conn *c;
	struct buf_writer *w;
	struct quic_sent *rec;
	bool eliciting;
};

/* Control frames of one stream: MAX_STREAM_DATA, RESET_STREAM,
 * STOP_SENDING (each recorded to be resent if lost). */
static void stream_control(void *ctx, struct quic_stream *st)
{
	struct stream_writer *sw = ctx;
	struct quic_frame f;
	uint64_t v, size;

	if (sw->rec->nframes == QUIC_SENT_FRAMES)
		return;
	if (quic_stream_want_max_stream_data(st, &v)) {
		f = (struct quic_frame){ .type = QUIC_FRAME_MAX_STREAM_DATA };
		f.max_stream_data.stream_id = st->id;
		f.max_stream_data.max = v;
		if (quic_frame_write(sw->w, &f) == 0 &&
		    add_sent_frame(sw->rec, st, QUIC_SENT_MSD, 0, 0, false)) {
			quic_stream_max_stream_data_sent(st, v);
			sw->eliciting = true;
		}
	}
	if (sw->rec->nframes < QUIC_SENT_FRAMES && quic_stream_want_reset(st, &v, &size)) {
		f = (struct quic_frame){ .type = QUIC_FRAME_RESET_STREAM };
		f.reset_stream.stream_id = st->id;
		f.reset_stream.error = v;
		f.reset_stream.final_size = size;
		if (quic_frame_write(sw->w, &f) == 0 &&
		    add_sent_frame(sw->rec, st, QUIC_SENT_RESET, 0, 0, false)) {
			quic_stream_reset_sent(st);
			sw->eliciting = true;
		}
	}
	if (quic_stream_blocked(st, &v)) {
		/* RFC 9000 4.1: a signal, not resent if lost (the next write
		 * after a new limit... or the next blocked moment says it) */
		f = (struct quic_frame){ .type = QUIC_FRAME_STREAM_DATA_BLOCKED };
		f.stream_data_blocked.stream_id = st->id;
		f.stream_data_blocked.limit = v;
		if (quic_frame_write(sw->w, &f) == 0) {
			quic_stream_blocked_sent(st);
			sw->eliciting = true;
		}
	}
	if (sw->rec->nframes < QUIC_SENT_FRAMES && quic_stream_want_stop_sending(st, &v)) {
		f = (struct quic_frame){ .type = QUIC_FRAME_STOP_SENDING };
		f.stop_sending.stream_id = st->id;
		f.stop_sending.error = v;
		if (quic_frame_write(sw->w, &f) == 0 &&
		    add_sent_frame(sw->rec, st, QUIC_SENT_STOP, 0, 0, false)) {
			quic_stream_stop_sending_sent(st);
			sw->eliciting = true;
		}
	}
}

/* One STREAM frame of st, as much as fits (lost bytes first, then new
 * ones within the stream's and the connection's credit). */
static void stream_data(struct stream_writer *sw, struct quic_stream *st)
{
	struct quic_conn *c = sw->c;
	uint8_t data[MAX_DATAGRAM];
	uint64_t off;
	size_t len, fit, nb;
	bool fin, use_len;
	struct quic_frame f = { .type = QUIC_FRAME_STREAM };

	if (sw->rec->nframes == QUIC_SENT_FRAMES || buf_room(sw->w) < 8 ||
	    !quic_stream_peek_frame(st, quic_flow_avail(&c->tx_flow), &off, &len, &fin))
		return;
	/* always with a length field (more frames may follow): size it
	 * for a 2-byte one, which any packet's data fits */
	fit = quic_frame_stream_fit(st->id, off, buf_room(sw->w) - 2, len, &use_len);
	if (!fit && len)
		return;
	if (!quic_stream_next_frame(st, fit, quic_flow_avail(&c->tx_flow), &off, &len, &fin, &nb))
		return;
	quic_stream_copy(st, off, data, len);
	f.type = (uint8_t)(QUIC_FRAME_STREAM | QUIC_FRAME_STREAM_LEN | (off ? QUIC_FRAME_STREAM_OFF : 0) |
			   (fin ? QUIC_FRAME_STREAM_FIN : 0));
	f.stream.stream_id = st->id;
	f.stream.offset = off;
	f.stream.data = data;
	f.stream.len = len;
	if (quic_frame_write(sw->w, &f) != 0) {
		quic_stream_on_lost(st, off, len, fin);  /* give the range back */
		return;
	}
	c->tx_flow.used += nb;
	add_sent_frame(sw->rec, st, QUIC_SENT_STREAM, off, len, fin);
	sw->eliciting = true;
}

static void stream_control_cb(void *ctx, struct quic_stream *st)
{
	stream_control(ctx, st);
}

/* Would a stream send new data if the connection's credit allowed? */
static bool streams_want_credit(struct quic_conn *c)
{
	uint64_t off;
	size_t len;
	bool fin;

	for (uint32_t i = 0; i < QUIC_STREAMS_SLOTS; i++) {
		struct quic_stream *st = pool_get(&pool_stream, c->streams.slot[i]);

		if (st && quic_stream_peek_frame(st, SIZE_MAX, &off, &len, &fin) && len)
			return true;
	}
	return false;
}

/* Connection-level credit, MAX_STREAMS, then per stream its control
 * frames and data, round-robin from where the last packet stopped.
 * Returns whether anything ack-eliciting was written. */
bool conn_write_stream_frames(struct quic_conn *c, struct buf_writer *w, struct quic_sent *rec)
{
	struct stream_writer sw = { c, w, rec, false };
	struct quic_frame f;
	uint64_t v;

	if (quic_flow_want_raise(&c->rx_flow, c->rx_consumed, CONN_WINDOW, &v) ||
	    c->max_data_resend) {
		if (!c->max_data_resend)
			c->rx_flow.limit = v;
		f = (struct quic_frame){ .type = QUIC_FRAME_MAX_DATA };
		f.max_data.max = c->rx_flow.limit;
		if (quic_frame_write(w, &f) == 0) {
			c->max_data_resend = false;
			rec->max_data = 1;
			sw.eliciting = true;
		}
	}
	for (int bidi = 1; bidi >= 0; bidi--) {
		if (!quic_streams_want_max_streams(&c->streams, bidi, &v))
			continue;
		f = (struct quic_frame){ .type = bidi ? QUIC_FRAME_MAX_STREAMS_BIDI :
							QUIC_FRAME_MAX_STREAMS_UNI };
		f.max_streams.max = v;
		if (quic_frame_write(w, &f) == 0) {
			quic_streams_max_streams_sent(&c->streams, bidi, v);
			if (bidi)
				rec->max_streams_bidi = 1;
			else
				rec->max_streams_uni = 1;
			sw.eliciting = true;
		}
	}
	for (int bidi = 1; bidi >= 0; bidi--) {
		if (!quic_streams_blocked(&c->streams, bidi, &v))
			continue;
		f = (struct quic_frame){ .type = bidi ? QUIC_FRAME_STREAMS_BLOCKED_BIDI :
							QUIC_FRAME_STREAMS_BLOCKED_UNI };
		f.streams_blocked.limit = v;
		if (quic_frame_write(w, &f) == 0) {
			quic_streams_blocked_sent(&c->streams, bidi);
			sw.eliciting = true;
		}
	}
	/* the connection's credit is used up while data waits: DATA_BLOCKED,
	 * once per limit */
	if (!quic_flow_avail(&c->tx_flow) && c->data_blocked_at != c->tx_flow.limit &&
	    streams_want_credit(c)) {
		f = (struct quic_frame){ .type = QUIC_FRAME_DATA_BLOCKED };
		f.data_blocked.limit = c->tx_flow.limit;
		if (quic_frame_write(w, &f) == 0) {
			c->data_blocked_at = c->tx_flow.limit;
			sw.eliciting = true;
		}
	}
	quic_streams_for_each(&c->streams, stream_control_cb, &sw);
	for (uint32_t k = 0; k < QUIC_STREAMS_SLOTS && rec->nframes < QUIC_SENT_FRAMES; k++) {
		uint32_t i = (c->stream_rr + k) % QUIC_STREAMS_SLOTS;
		struct quic_stream *st = pool_get(&pool_stream, c->streams.slot[i]);

		if (st)
			stream_data(&sw, st);
	}
	c->stream_rr = (c->stream_rr + 1) % QUIC_STREAMS_SLOTS;
	return sw.eliciting;
}

/* Does any stream have something to send? */
bool conn_streams_waiting(struct quic_conn *c)
{
	uint64_t off, v, size;
	size_t len;
	bool fin;

	if (c->max_data_resend)
		return true;
	if (quic_flow_want_raise(&c->rx_flow, c->rx_consumed, CONN_WINDOW, &v))
		return true;
	if (quic_streams_want_max_streams(&c->streams, true, &v) ||
	    quic_streams_want_max_streams(&c->streams, false, &v) ||
	    quic_streams_blocked(&c->streams, true, &v) ||
	    quic_streams_blocked(&c->streams, false, &v))
		return true;
	for (uint32_t i = 0; i < QUIC_STREAMS_SLOTS; i++) {
		struct quic_stream *st = pool_get(&pool_stream, c->streams.slot[i]);

		if (st && (quic_stream_peek_frame(st, quic_flow_avail(&c->tx_flow), &off, &len, &fin) ||
			   quic_stream_want_max_stream_data(st, &v) ||
			   quic_stream_blocked(st, &v) ||
			   quic_stream_want_reset(st, &v, &size) ||
			   quic_stream_want_stop_sending(st, &v)))
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------- streams, for the application */

struct quic_stream *quic_conn_stream_open(struct quic_conn *c, bool bidi)
{
	/* before the handshake completes only in 0-RTT (RFC 9001 4.6.1) */
	if (!(c->complete && c->state == QUIC_CONN_ESTABLISHED) &&
	    !(c->early_tx && c->state == QUIC_CONN_HANDSHAKE))
		return NULL;
	return quic_streams_open_local(&c->streams, c->self, bidi);
}

size_t quic_conn_stream_write(struct quic_conn *c, struct quic_stream *s, const uint8_t *data,
			      size_t len, bool fin)
{
	if (c->state != QUIC_CONN_ESTABLISHED && !(c->early_tx && c->state == QUIC_CONN_HANDSHAKE))
		return 0;
	return quic_stream_write(s, data, len, fin);
}

size_t quic_conn_stream_writable(const struct quic_conn *c, const struct quic_stream *s)
{
	const struct pool_stats *ps = pool_stats_of(&pool_chunk);
	size_t room, part, backed;

	if (c->state != QUIC_CONN_ESTABLISHED && !(c->early_tx && c->state == QUIC_CONN_HANDSHAKE))
		return 0;
	room = quic_stream_writable(s);
	/* the chunk tx_written falls in is allocated already, unless it is
	 * on a chunk boundary */
	part = (size_t)(s->tx_written % CONFIG_POOL_STREAM_CHUNK_SIZE);
	part = part ? CONFIG_POOL_STREAM_CHUNK_SIZE - part : 0;
	backed = part + (size_t)(ps->capacity - ps->in_use) * CONFIG_POOL_STREAM_CHUNK_SIZE;
	return room < backed ? room : backed;
}

size_t quic_conn_stream_readable(const struct quic_conn *c, const struct quic_stream *s)
{
	(void)c;
	return quic_stream_readable(s);
}

size_t quic_conn_stream_peek(const struct quic_conn *c, const struct quic_stream *s, uint8_t *out,
			     size_t cap)
{
	(void)c;
	return quic_stream_peek(s, out, cap);
}

size_t quic_conn_stream_read(struct quic_conn *c, struct quic_stream *s, uint8_t *out, size_t cap,
			     bool *fin)
{
	size_t n = quic_stream_read(s, out, cap, fin);

	c->rx_consumed += n;
	return n;
}

void quic_conn_stream_reset(struct quic_conn *c, struct quic_stream *s, uint64_t err)
{
	(void)c;
	quic_stream_reset(s, err);
}

void quic_conn_stream_stop(struct quic_conn *c, struct quic_stream *s, uint64_t err)
{
	(void)c;
	quic_stream_stop(s, err);
}
