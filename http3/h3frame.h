/* http3/h3frame: the HTTP/3 frame layer of RFC 9114 section 7, the
 * unidirectional stream types of section 6.2 and the frame-sequence rules
 * of sections 4.1 and 6.2.1, for a server.
 *
 * Frames are parsed in place: DATA pieces and HEADERS / PUSH_PROMISE
 * field sections point into the caller's bytes (or the reader's buffer),
 * nothing is copied twice. Everything returns 0 or an enum h3_error code
 * to close the connection (or reset the stream) with.
 *
 * Stream data arrives in pieces; struct h3_frame_reader takes them as
 * they come:
 *
 *   h3_frame_reader_init(&rd, buf, sizeof(buf));
 *   ...for every piece of stream data:
 *   buf_reader_init(&in, piece, len);
 *   do {
 *           err = h3_frame_read(&rd, &in, &ev);
 *           if (err) close the connection with err;
 *           H3_RD_START: check the type against the stream's rules
 *                        (h3_req_rx_frame, h3_ctrl_rx_frame);
 *           H3_RD_DATA:  ev.f.data is a piece of DATA payload;
 *           H3_RD_FRAME: ev.f is a whole frame (DATA and unknown types:
 *                        only the type, the payload went by already).
 *   } while (ev.kind != H3_RD_NONE);
 * DATA pieces point into the input; a HEADERS field section into the
 * reader's buffer, valid until the next h3_frame_read.
 *   ...at FIN: h3_frame_reader_fin(&rd) says whether a frame was cut.
 *
 * Bound on buffered frames: HEADERS, SETTINGS and PUSH_PROMISE are
 * buffered whole in the caller's buffer; one longer than the buffer is
 * H3_EXCESSIVE_LOAD, not H3_FRAME_ERROR: the frame is well formed, the
 * peer only asks more than we accept (RFC 9114 10.5 lists H3_EXCESSIVE_LOAD
 * for that). A GOAWAY, MAX_PUSH_ID or CANCEL_PUSH longer than 8 bytes
 * cannot be one varint, so it is H3_FRAME_ERROR as soon as its length is
 * read. DATA is never buffered; unknown and reserved types are skipped
 * as they arrive, whatever their length (flow control bounds them).
 */
#ifndef TERN_HTTP3_H3FRAME_H
#define TERN_HTTP3_H3FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http3/h3error.h"
#include "lib/buf.h"

/* RFC 9114 7.2, 11.2.1. The error codes H3_FRAME_ERROR and
 * H3_FRAME_UNEXPECTED (h3error.h) keep the RFC's names: they are not
 * frame types. */
enum h3_frame_type {
	H3_FRAME_DATA         = 0x00,
	H3_FRAME_HEADERS      = 0x01,
	H3_FRAME_CANCEL_PUSH  = 0x03,
	H3_FRAME_SETTINGS     = 0x04,
	H3_FRAME_PUSH_PROMISE = 0x05,
	H3_FRAME_GOAWAY       = 0x07,
	H3_FRAME_MAX_PUSH_ID  = 0x0d,
};

/* HTTP/2's PRIORITY, PING, WINDOW_UPDATE and CONTINUATION: reserved in
 * HTTP/3, an error to receive (7.2.8). */
#define H3_FRAME_IS_H2_ONLY(t) ((t) == 0x02 || (t) == 0x06 || (t) == 0x08 || (t) == 0x09)

/* Reserved ("grease") values 0x1f * N + 0x21 of frame types, setting
 * identifiers, stream types and error codes: never meaningful. */
#define H3_IS_RESERVED(v) ((v) >= 0x21 && ((v) - 0x21) % 0x1f == 0)
#define H3_RESERVED(n)    (UINT64_C(0x1f) * (n) + 0x21)

/* RFC 9114 7.2.4.1, RFC 9204 5, RFC 9220 3, RFC 9297 2.1.1 */
enum h3_setting_id {
	H3_SETTING_QPACK_MAX_TABLE_CAPACITY = 0x01,
	H3_SETTING_MAX_FIELD_SECTION_SIZE   = 0x06,
	H3_SETTING_QPACK_BLOCKED_STREAMS    = 0x07,
	H3_SETTING_ENABLE_CONNECT_PROTOCOL  = 0x08,
	H3_SETTING_H3_DATAGRAM              = 0x33,
};

/* HTTP/2 setting identifiers 0x00, 0x02-0x05: an error in HTTP/3 (7.2.4.1) */
#define H3_SETTING_IS_H2_ONLY(id) ((id) == 0x00 || ((id) >= 0x02 && (id) <= 0x05))

/* max_field_section_size when the peer sent none */
#define H3_SETTING_UNLIMITED UINT64_MAX

/* The peer's SETTINGS, or ours to send. h3_settings_init gives the values
 * that hold before SETTINGS arrives (the RFC defaults). */
struct h3_settings {
	uint64_t qpack_max_table_capacity;
	uint64_t max_field_section_size;
	uint64_t qpack_blocked_streams;
	bool enable_connect_protocol;
	bool h3_datagram;
	uint32_t ignored;   /* unknown and reserved identifiers seen (parsing only) */
};

/* One frame. type is the frame type as received (any varint); fields not
 * named for a type are unused. */
struct h3_frame {
	uint64_t type;
	union {
		/* DATA; HEADERS' encoded field section; an unknown type's payload
		 * (h3_frame_parse only) */
		struct { const uint8_t *p; size_t len; } data, headers;
		struct {
			uint64_t push_id;
			const uint8_t *p;   /* the encoded field section */
			size_t len;
		} push_promise;
		struct h3_settings settings;
		/* GOAWAY: a stream ID (from a server) or push ID (from a client) */
		struct { uint64_t id; } goaway, max_push_id, cancel_push;
	};
};

void h3_settings_init(struct h3_settings *s);

/* Parse a SETTINGS payload into s (which starts from h3_settings_init).
 * H3_FRAME_ERROR if it is not a whole number of (identifier, value)
 * pairs; H3_SETTINGS_ERROR for an identifier seen twice (known or not),
 * an HTTP/2 identifier, or ENABLE_CONNECT_PROTOCOL / H3_DATAGRAM other
 * than 0 or 1. Syntax is checked over the whole payload first: a
 * truncated payload is H3_FRAME_ERROR whatever else it holds. */
int h3_settings_parse(const uint8_t *p, size_t len, struct h3_settings *s);

/* Parse the payload of a frame of this type. Known types are checked
 * against their syntax (H3_FRAME_ERROR for missing or extra bytes);
 * HTTP/2-only types are H3_FRAME_UNEXPECTED; an unknown or reserved type
 * gives 0 with its payload in f->data (to be ignored). Role and stream
 * rules (PUSH_PROMISE at a server, SETTINGS on a request stream) are not
 * checked here: see h3_req_rx_frame / h3_ctrl_rx_frame. */
int h3_frame_parse_payload(uint64_t type, const uint8_t *p, size_t len, struct h3_frame *f);

/* A whole frame at the cursor (for buffers that hold whole frames).
 * Returns 0 with the cursor after the frame; H3_FRAME_TRUNCATED with the
 * cursor unchanged if the buffer ends inside it; or an error code as
 * h3_frame_parse_payload. */
#define H3_FRAME_TRUNCATED (-1)
int h3_frame_parse(struct buf_reader *r, struct h3_frame *f);

/* ---------------------------------------------------------------- write
 * A builder that fails (no room, a value above 2^62 - 1, a type it does
 * not build) writes nothing and sets w->err; returns 0 or -1. */

/* Type and length of a frame whose payload the caller writes next (DATA
 * and HEADERS from their own buffers). */
int h3_frame_write_header(struct buf_writer *w, uint64_t type, uint64_t len);
size_t h3_frame_header_size(uint64_t type, uint64_t len);

/* f as h3_frame_parse would return it: DATA, HEADERS, SETTINGS (every
 * value that differs from h3_settings_init's, in identifier order),
 * GOAWAY, MAX_PUSH_ID, CANCEL_PUSH, and any unknown or reserved type with
 * f->data as its payload. PUSH_PROMISE (a server that never pushes) and
 * the HTTP/2-only types are refused. */
int h3_frame_write(struct buf_writer *w, const struct h3_frame *f);
size_t h3_frame_size(const struct h3_frame *f);

/* ---------------------------------------------------------------- read */

/* A varint that may arrive a byte at a time. */
struct h3_varint_rd {
	uint8_t b[8];
	uint8_t have;
};

static inline void h3_varint_rd_init(struct h3_varint_rd *vr)
{
	vr->have = 0;
}

/* Take bytes of the varint from in; true with *v (and vr ready for the
 * next varint) once it is whole, false when in ran out first. */
bool h3_varint_read(struct h3_varint_rd *vr, struct buf_reader *in, uint64_t *v);

enum h3_rd_kind {
	H3_RD_NONE,   /* the input is used up: call again with more */
	H3_RD_START,  /* a frame begins: ev.f.type, ev.len (its payload length) */
	H3_RD_DATA,   /* ev.f.data: the next piece of a DATA payload, in the input */
	H3_RD_FRAME,  /* a frame is complete: ev.f as h3_frame_parse_payload
		       * gives it (DATA, unknown types: ev.f.type only) */
};

struct h3_rd_event {
	enum h3_rd_kind kind;
	uint64_t len;
	struct h3_frame f;
};

struct h3_frame_reader {
	uint8_t *buf;        /* the caller's, for HEADERS, SETTINGS, PUSH_PROMISE */
	size_t cap, have;
	uint64_t type, len, left;
	struct h3_varint_rd vr;
	uint8_t *dst;        /* buf or small, for the frame being buffered */
	uint8_t small[8];    /* GOAWAY, MAX_PUSH_ID, CANCEL_PUSH */
	uint8_t state, mode;
	int err;             /* sticky */
};

void h3_frame_reader_init(struct h3_frame_reader *rd, uint8_t *buf, size_t cap);

/* Read from in up to the next event (see the top of this file). Returns
 * 0 with ev, or an error code, then the same one on every later call:
 * H3_FRAME_UNEXPECTED for an HTTP/2-only type (at its header);
 * H3_FRAME_ERROR for a payload that does not match its type;
 * H3_EXCESSIVE_LOAD for a buffered frame longer than cap (both found when
 * the call after H3_RD_START enters the payload, so that the stream's
 * rules can refuse the type first); the h3_settings_parse errors. */
int h3_frame_read(struct h3_frame_reader *rd, struct buf_reader *in, struct h3_rd_event *ev);

/* The stream ended (FIN): 0 between frames, H3_FRAME_ERROR inside one
 * (RFC 9114 7.1: a truncated last frame). */
int h3_frame_reader_fin(const struct h3_frame_reader *rd);

/* ---------------------------------------------------------------- streams */

/* Unidirectional stream types (RFC 9114 6.2, RFC 9204 4.2) */
enum h3_stream_type {
	H3_STREAM_CONTROL       = 0x00,
	H3_STREAM_PUSH          = 0x01,
	H3_STREAM_QPACK_ENCODER = 0x02,
	H3_STREAM_QPACK_DECODER = 0x03,
};

enum h3_uni_kind {
	H3_UNI_CONTROL,
	H3_UNI_PUSH,
	H3_UNI_QPACK_ENCODER,
	H3_UNI_QPACK_DECODER,
	H3_UNI_RESERVED,   /* 0x1f * N + 0x21 */
	H3_UNI_UNKNOWN,
};

enum h3_uni_kind h3_uni_kind_of(uint64_t type);

/* A peer opened a unidirectional stream of this type (its first varint,
 * read with h3_varint_read). *opened holds one bit per critical stream
 * kind the peer opened before (start at 0). Returns 0 with *kind, or
 * H3_STREAM_CREATION_ERROR (a connection error) for a second control,
 * QPACK encoder or decoder stream, or a push stream sent to a server.
 * H3_UNI_RESERVED and H3_UNI_UNKNOWN streams are the caller's to ignore:
 * STOP_SENDING with H3_STREAM_CREATION_ERROR, or read and discard (6.2). */
int h3_uni_accept(uint64_t type, bool server, unsigned *opened, enum h3_uni_kind *kind);

/* Frames on the peer's control stream (6.2.1, 7.2), as a server (server
 * true) or a client receives them, checked at H3_RD_START. Returns 0 or:
 * H3_MISSING_SETTINGS when the first frame is anything but SETTINGS (a
 * reserved type too); H3_FRAME_UNEXPECTED for a second SETTINGS, DATA,
 * HEADERS, PUSH_PROMISE, an HTTP/2-only type, or MAX_PUSH_ID at a client.
 * A FIN or reset of the control stream is H3_CLOSED_CRITICAL_STREAM,
 * the caller's to detect. */
struct h3_ctrl_rx {
	bool settings;
};

int h3_ctrl_rx_frame(struct h3_ctrl_rx *c, uint64_t type, bool server);

/* Frames on a request stream as a server receives them (4.1): HEADERS,
 * then any number of DATA, then optional trailing HEADERS; unknown and
 * reserved types anywhere. State starts at H3_REQ_RX_HEADERS. */
enum h3_req_rx {
	H3_REQ_RX_HEADERS,   /* nothing yet: HEADERS must come first */
	H3_REQ_RX_BODY,      /* after the header section: DATA or trailers */
	H3_REQ_RX_DONE,      /* after the trailers: nothing but unknown types */
};

/* Check a frame type (at H3_RD_START) and advance *st. Returns 0 or
 * H3_FRAME_UNEXPECTED: DATA before HEADERS, DATA or HEADERS after the
 * trailers, a control-stream frame (SETTINGS, GOAWAY, MAX_PUSH_ID,
 * CANCEL_PUSH), PUSH_PROMISE (clients do not push), HTTP/2-only types. */
int h3_req_rx_frame(enum h3_req_rx *st, uint64_t type);

/* The request stream ended cleanly in state st: 0, or
 * H3_REQUEST_INCOMPLETE before any HEADERS (4.1.1). */
int h3_req_rx_fin(enum h3_req_rx st);

/* A GOAWAY id (5.2): from a server, a client-initiated bidirectional
 * stream ID; from a client, a push ID. Neither may exceed the one in an
 * earlier GOAWAY (prev; UINT64_MAX if none). 0 or H3_ID_ERROR. */
int h3_goaway_check(uint64_t prev, uint64_t id, bool from_server);

#endif
