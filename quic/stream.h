/* quic/stream: QUIC streams (RFC 9000 2-4): data in pooled chunks, the
 * send and receive state machines, stream and connection flow control,
 * and the per-connection set of streams with MAX_STREAMS.
 *
 * Receive: quic_stream_on_frame() takes STREAM frames in any order; the
 * app reads in order; credit (MAX_STREAM_DATA) is only given for what the
 * receive chunks can hold, so in-window data never needs more memory
 * than QUIC_STREAM_RX_CHUNKS chunks. A chunk that cannot be allocated, or
 * a piece that would need one more tracked range, is dropped silently:
 * the peer sends it again.
 *
 * Send: the app writes into chunks (short writes when they are full or
 * the pool is empty); the packetizer asks for the next frame (lost
 * ranges first, then new data within both flow-control limits, then a
 * bare FIN), copies its bytes with quic_stream_copy() and reports acks
 * and losses per frame. Chunks are freed as the acknowledged prefix
 * passes them.
 *
 * Functions returning int give 0 or an enum quic_error (quic/error.h)
 * for CONNECTION_CLOSE, or QUIC_STREAM_DROPPED.
 */
#ifndef TERN_QUIC_STREAM_H
#define TERN_QUIC_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quic/stream-t.h"
#include "quic/error.h"

/* Not an error: the frame was fine but (some of) its bytes could not be
 * kept for want of memory. The packet must not be acknowledged, so that
 * the peer sends them again. */
#define QUIC_STREAM_DROPPED (-1)

/* ---- stream IDs (RFC 9000 2.1) ---- */

static inline bool quic_stream_id_is_uni(uint64_t id) { return id & 2; }
static inline bool quic_stream_id_is_server(uint64_t id) { return id & 1; }
/* Opened by us (is_server: we are the server)? */
static inline bool quic_stream_id_is_local(uint64_t id, bool is_server)
{
	return quic_stream_id_is_server(id) == is_server;
}
static inline unsigned quic_stream_id_type(uint64_t id) { return (unsigned)(id & 3); }
/* The id of the index-th stream of a type (index < 2^60). */
static inline uint64_t quic_stream_id_make(uint64_t index, bool uni, bool server)
{
	return index << 2 | (uni ? 2u : 0u) | (server ? 1u : 0u);
}

/* ---- one stream ---- */

/* A zeroed stream for id. A side the stream lacks (unidirectional) starts
 * in its terminal state. tx_limit: the peer's initial MAX_STREAM_DATA;
 * our receive limit starts at QUIC_STREAM_RX_WINDOW. */
void quic_stream_init(struct quic_stream *s, uint64_t id, pool_handle_t conn, bool is_server,
		      uint64_t tx_limit);
/* Frees the stream's chunks (not the stream block). */
void quic_stream_deinit(struct quic_stream *s);
/* Both sides terminal (Data Read / Reset Read, Data Recvd / Reset Recvd):
 * the stream can be closed. */
bool quic_stream_done(const struct quic_stream *s);

/* Receive side */
/* STREAM frame: 0, FLOW_CONTROL_ERROR, FINAL_SIZE_ERROR (RFC 9000 4.5) or
 * QUIC_STREAM_DROPPED. *new_bytes: growth of the highest offset received
 * (counted even when dropped), to charge to the connection. */
int quic_stream_on_frame(struct quic_stream *s, uint64_t off, const uint8_t *data, size_t len,
			 bool fin, uint64_t *new_bytes);
/* Up to cap bytes in order (out NULL: skip them). *fin: every byte up
 * to the final size was read (state Data Read). */
size_t quic_stream_read(struct quic_stream *s, uint8_t *out, size_t cap, bool *fin);
/* Bytes the app could read now. */
size_t quic_stream_readable(const struct quic_stream *s);
/* Copies up to cap of them without reading them (a frame header, or a
 * whole HTTP/3 HEADERS frame, looked at before it is taken). */
size_t quic_stream_peek(const struct quic_stream *s, uint8_t *out, size_t cap);
/* RESET_STREAM: final size checks as for STREAM (RFC 9000 4.5). */
int quic_stream_on_reset(struct quic_stream *s, uint64_t err, uint64_t final_size,
			 uint64_t *new_bytes);
/* The app takes note of a received reset (Reset Recvd -> Reset Read). */
bool quic_stream_read_reset(struct quic_stream *s, uint64_t *err);
/* The app gives up reading: buffered data is dropped, later data is
 * counted and skipped, STOP_SENDING(err) becomes pending (RFC 9000 3.5). */
void quic_stream_stop(struct quic_stream *s, uint64_t err);
bool quic_stream_want_stop_sending(const struct quic_stream *s, uint64_t *err);
void quic_stream_stop_sending_sent(struct quic_stream *s);
void quic_stream_on_stop_sending_lost(struct quic_stream *s);
/* MAX_STREAM_DATA: due once the app has read half a window since the
 * last limit (or that frame was lost); new limit = read offset rounded
 * down to a chunk + QUIC_STREAM_RX_WINDOW. Not raised while the chunk
 * pool could not hold the new credit. */
bool quic_stream_want_max_stream_data(const struct quic_stream *s, uint64_t *new_limit);
void quic_stream_max_stream_data_sent(struct quic_stream *s, uint64_t limit);
void quic_stream_on_max_stream_data_lost(struct quic_stream *s);

/* Send side */
/* Accepts what fits (0 when the chunks are full or the pool is empty);
 * fin is taken only with the last byte, i.e. when everything was taken. */
size_t quic_stream_write(struct quic_stream *s, const uint8_t *data, size_t len, bool fin);
/* Free space for quic_stream_write (chunks not yet allocated included). */
size_t quic_stream_writable(const struct quic_stream *s);
/* The frame next_frame would give, without taking it: its offset, the
 * most bytes it can carry, fin if it would end the stream. Lets the
 * caller size the header (quic_frame_stream_fit) for that offset. */
bool quic_stream_peek_frame(const struct quic_stream *s, size_t conn_allowance, uint64_t *off,
			    size_t *len, bool *fin);
/* Takes the next frame of at most max_data bytes: lost ranges first,
 * then new data within MAX_STREAM_DATA and conn_allowance (the bytes
 * connection flow control still allows), then a bare FIN. *new_bytes:
 * new data in it, to charge to the connection. The caller copies the
 * bytes with quic_stream_copy() now and reports the frame acked or lost
 * later (or lost at once if it could not send it). */
bool quic_stream_next_frame(struct quic_stream *s, size_t max_data, size_t conn_allowance,
			    uint64_t *off, size_t *len, bool *fin, size_t *new_bytes);
/* Copies [off, off + len) of sent data; returns the bytes copied (less
 * only for a range that is no longer or not yet buffered). */
size_t quic_stream_copy(const struct quic_stream *s, uint64_t off, uint8_t *out, size_t len);
void quic_stream_on_acked(struct quic_stream *s, uint64_t off, size_t len, bool fin);
void quic_stream_on_lost(struct quic_stream *s, uint64_t off, size_t len, bool fin);
void quic_stream_on_max_stream_data(struct quic_stream *s, uint64_t limit);
/* Data waits for the peer's MAX_STREAM_DATA: send STREAM_DATA_BLOCKED
 * at *at, then call quic_stream_blocked_sent (once per limit). */
bool quic_stream_blocked(const struct quic_stream *s, uint64_t *at);
void quic_stream_blocked_sent(struct quic_stream *s);
/* App abort: Reset Sent, send chunks freed, RESET_STREAM(err,
 * quic_stream_final_size) pending. No-op once all data was acked. */
void quic_stream_reset(struct quic_stream *s, uint64_t err);
uint64_t quic_stream_final_size(const struct quic_stream *s);
bool quic_stream_want_reset(const struct quic_stream *s, uint64_t *err, uint64_t *final_size);
void quic_stream_reset_sent(struct quic_stream *s);
void quic_stream_on_reset_lost(struct quic_stream *s);
void quic_stream_on_reset_acked(struct quic_stream *s);
/* STOP_SENDING received: reset with its code (RFC 9000 3.5). */
void quic_stream_on_stop_sending(struct quic_stream *s, uint64_t err);

/* ---- the streams of a connection ---- */

/* Which side of a stream a received frame concerns: RECV for STREAM,
 * RESET_STREAM, STREAM_DATA_BLOCKED; SEND for MAX_STREAM_DATA and
 * STOP_SENDING (RFC 9000 19.4-19.13: the other side of a unidirectional
 * stream is STREAM_STATE_ERROR). */
enum quic_stream_part {
	QUIC_STREAM_PART_RECV,
	QUIC_STREAM_PART_SEND,
};

/* max_bidi, max_uni: the peer's concurrent streams we allow (our initial
 * MAX_STREAMS, kept as streams close). Together they must leave slots for
 * the streams we open: -1 if they exceed QUIC_STREAMS_SLOTS. */
int quic_streams_init(struct quic_streams *ss, bool is_server, uint32_t max_bidi,
		      uint32_t max_uni);
/* Closes every stream (connection close). */
void quic_streams_deinit(struct quic_streams *ss);
/* The peer's transport parameters; raises limits of open streams too. */
void quic_streams_set_peer_params(struct quic_streams *ss, uint64_t max_streams_bidi,
				  uint64_t max_streams_uni, uint64_t msd_bidi_local,
				  uint64_t msd_bidi_remote, uint64_t msd_uni);
/* The stream a received frame names. A peer-initiated id within our
 * limit is opened with every lower id of its type (RFC 9000 3.2), each
 * its own block at once (our MAX_STREAMS never exceeds the free slots).
 * NULL with *err = 0: closed already (ignore the frame); with
 * QUIC_STREAM_DROPPED: no block free now (those opened stay open; do not
 * acknowledge the packet); with an error: STREAM_LIMIT_ERROR beyond our
 * MAX_STREAMS, STREAM_STATE_ERROR for our id not opened yet or the wrong
 * side of a unidirectional stream. */
struct quic_stream *quic_streams_get_or_open(struct quic_streams *ss, pool_handle_t conn,
					     uint64_t id, enum quic_stream_part part, int *err);
/* An open stream by id, NULL if none. */
struct quic_stream *quic_streams_find(struct quic_streams *ss, uint64_t id);
/* A new stream of ours; NULL when the peer's MAX_STREAMS, the free slots
 * (those kept for the peer's credit excluded) or the pool say no. */
struct quic_stream *quic_streams_open_local(struct quic_streams *ss, pool_handle_t conn,
					    bool bidi);
/* Frees s (its chunks and block) and forgets its id. */
void quic_streams_close(struct quic_streams *ss, struct quic_stream *s);
/* MAX_STREAMS received. FRAME_ENCODING_ERROR above 2^60 (19.11). */
int quic_streams_on_max_streams(struct quic_streams *ss, bool bidi, uint64_t max);
/* Our MAX_STREAMS for the peer: due when half its concurrency has closed;
 * never more credit than free slots and free stream blocks. */
bool quic_streams_want_max_streams(const struct quic_streams *ss, bool bidi, uint64_t *new_max);
void quic_streams_max_streams_sent(struct quic_streams *ss, bool bidi, uint64_t max);
/* Our MAX_STREAMS frame was lost: want_max_streams gives it again. */
void quic_streams_on_max_streams_lost(struct quic_streams *ss, bool bidi);
/* open_local hit the peer's limit: send STREAMS_BLOCKED(*at), then call
 * blocked_sent (once per limit). */
bool quic_streams_blocked(const struct quic_streams *ss, bool bidi, uint64_t *at);
void quic_streams_blocked_sent(struct quic_streams *ss, bool bidi);
/* Calls fn for every open stream (fn may close it). */
void quic_streams_for_each(struct quic_streams *ss, void (*fn)(void *ctx, struct quic_stream *s),
			   void *ctx);

/* ---- connection flow control ---- */

/* Counts n more received bytes; FLOW_CONTROL_ERROR beyond the limit. */
static inline int quic_flow_consume(struct quic_flow *f, uint64_t n)
{
	if (n > f->limit - f->used)
		return QUIC_FLOW_CONTROL_ERROR;
	f->used += n;
	return 0;
}

/* Bytes still allowed (send side). */
static inline uint64_t quic_flow_avail(const struct quic_flow *f)
{
	return f->limit > f->used ? f->limit - f->used : 0;
}

/* MAX_DATA received or sent: limits only grow. */
static inline void quic_flow_raise(struct quic_flow *f, uint64_t limit)
{
	if (limit > f->limit)
		f->limit = limit;
}

/* Receive side: with consumed bytes read by the app, is a new limit of
 * consumed + window due (half a window since the last one)? */
static inline bool quic_flow_want_raise(const struct quic_flow *f, uint64_t consumed,
					uint64_t window, uint64_t *new_limit)
{
	if (consumed + window <= f->limit || consumed + window < f->limit + window / 2)
		return false;
	*new_limit = consumed + window;
	return true;
}

#endif
