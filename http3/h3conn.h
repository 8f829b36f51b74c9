/* http3/h3conn: the server side of HTTP/3 (RFC 9114) over tern's QUIC
 * connections: our control stream with SETTINGS, the QPACK encoder and
 * decoder streams both ways (RFC 9204 4.2), the peer's control stream
 * and its frame rules, critical-stream closure, request streams (header
 * section, body, trailers, each checked as RFC 9114 4.1 says), responses
 * written as HEADERS and DATA frames, and GOAWAY for a graceful stop.
 *
 * struct h3_server sits between the QUIC endpoint and the application
 * (term/): h3_server_app_ops() is the endpoint's quic_app_ops. The
 * application hears of requests through struct h3_server_ops and answers
 * with h3_send_*; every request is a struct h3_stream (pool h3stream),
 * named by handle. The board's loop calls h3_server_poll() after each
 * round of input and timers: it opens streams, sends what waited for room
 * and gives queued requests their `ready` call.
 *
 * Errors: a connection error closes the QUIC connection with its HTTP/3
 * code (CONNECTION_CLOSE type 0x1d); a stream error resets the request
 * stream and stops reading it with its code. Either way the application
 * gets `closed` for each request it holds. Nothing here allocates beyond
 * the two pools; an empty h3stream pool refuses a request with
 * H3_REQUEST_REJECTED (RFC 9114 4.1.1: the client may retry it).
 */
#ifndef TERN_HTTP3_H3CONN_H
#define TERN_HTTP3_H3CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http3/h3conn-t.h"
#include "http3/h3msg.h"
#include "http3/qpack.h"
#include "quic/endpoint.h"

struct h3_server;

struct h3_server_ops {
	/* A request's header section arrived and is valid. hs is the
	 * application's from now on (set hs->app), until it calls
	 * h3_release() or gets `closed`. rq and fields live during the call
	 * only; the body, if any, is read with h3_body_read. */
	void (*request)(void *ctx, struct h3_stream *hs, const struct h3_req *rq,
			const struct qpack_field_list *fields);
	/* hs may go on: body bytes or its end arrived, room to write opened,
	 * or the application asked with h3_want_ready. */
	void (*ready)(void *ctx, struct h3_stream *hs);
	/* hs is taken away: the peer reset or stopped it, a stream or
	 * connection error, the connection closed. Not called for an
	 * h3_* call that itself returned the failure. */
	void (*closed)(void *ctx, struct h3_stream *hs);
};

struct h3_server_stats {
	uint32_t requests, responses, rejected, early_refused;
	uint32_t stream_errors, conn_errors, goaways;
	uint32_t qpack_blocked;           /* sections that waited for entries */
};

#define H3_RING_SLOTS (CONFIG_POOL_CONNECTIONS * CONFIG_POOL_STREAMS_PER_CONN)

struct h3_server {
	struct quic_endpoint *ep;
	const struct h3_server_ops *ops;
	void *ctx;
	bool shutting_down;
	bool conn_work;                   /* some connection has setup to do */
	struct h3_server_stats st;
	/* requests waiting for their ready call */
	pool_handle_t ring[H3_RING_SLOTS];
	uint32_t ring_head, ring_n;
	/* scratch for one header section at a time (single-threaded) */
	uint8_t sec[CONFIG_H3_MAX_FIELD_SECTION];
	uint8_t arena[CONFIG_H3_MAX_FIELD_SECTION];
	struct qpack_field fields[CONFIG_H3_MAX_FIELD_SECTION / 32];
	uint8_t out[CONFIG_H3_MAX_FIELD_SECTION + 16];
	uint8_t enc_out[1024];
};

void h3_server_init(struct h3_server *srv, const struct h3_server_ops *ops, void *ctx);
/* The ops to put in the endpoint's quic_endpoint_cfg (app_ctx = srv),
 * and the endpoint itself once it is up. */
const struct quic_app_ops *h3_server_app_ops(void);
void h3_server_attach(struct h3_server *srv, struct quic_endpoint *ep);
/* After every round of endpoint input and timers. */
void h3_server_poll(struct h3_server *srv, uint64_t now);
/* Graceful stop: GOAWAY on every connection (no new requests), each
 * closed with H3_NO_ERROR once its last request is done. */
void h3_server_shutdown(struct h3_server *srv, uint64_t now);
/* Connections still open. */
uint32_t h3_server_conns(const struct h3_server *srv);

/* ---- for the application, on a request it holds ---- */

/* Up to cap body bytes (DATA payloads, frames taken apart). *fin: the
 * request is complete (trailers checked and dropped). Returns the bytes,
 * or -1: the request failed here (malformed body, Content-Length
 * mismatch) and was reset; hs is no longer the application's. */
long h3_body_read(struct h3_server *srv, struct h3_stream *hs, uint8_t *out, size_t cap,
		  bool *fin);
/* The response's header section (status and fields, names lowercase),
 * fin: no content follows. 0 sent; 1 no room now (try again at the next
 * ready; h3_want_ready is implied); -1 the request is gone. Interim
 * (1xx) responses may come first. */
int h3_send_headers(struct h3_server *srv, struct h3_stream *hs, unsigned status,
		    const struct qpack_field *fields, size_t n, bool fin);
/* Content bytes h3_send_data takes now. */
size_t h3_send_room(struct h3_server *srv, struct h3_stream *hs);
/* Content as one DATA frame (at most h3_send_room bytes are taken;
 * fin once all are taken ends the response). Returns the bytes taken, or
 * -1: the request is gone. With len 0 and fin: just the end. */
long h3_send_data(struct h3_server *srv, struct h3_stream *hs, const uint8_t *p, size_t len,
		  bool fin);
/* A ready call at the next h3_server_poll. */
void h3_want_ready(struct h3_server *srv, struct h3_stream *hs);
/* The application is done with hs (the response ended): an unread body
 * is refused with STOP_SENDING(H3_NO_ERROR) (RFC 9114 4.1). */
void h3_release(struct h3_server *srv, struct h3_stream *hs);
/* Abort: reset the response and stop reading with err; hs is no longer
 * the application's. */
void h3_abort(struct h3_server *srv, struct h3_stream *hs, uint64_t err);
/* The QUIC connection of hs (for addresses and statistics), or NULL. */
struct quic_conn *h3_stream_quic_conn(struct h3_server *srv, const struct h3_stream *hs);

#endif
