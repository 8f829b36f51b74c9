/* term/backend: requests forwarded to HTTP/1.1 backends over TCP
 * (port/port.h), for term/term.c. Routing configuration is in term.h.
 *
 * One request per backend connection at a time; connections are kept
 * for the next request to the same backend (keep-alive) for
 * CONFIG_TERM_BACKEND_IDLE_MS. Both bodies stream through the
 * connection's two buffers: the client's request body is read from
 * HTTP/3 only as the buffer empties into the socket (QUIC credit follows
 * reading), and the backend's socket is read only as far as the client's
 * stream can take (the TCP window closes when the client is slow).
 *
 * Failures, as the client sees them: connection refused or unreachable,
 * a response that is not HTTP/1.1 or breaks its limits -> 502; no
 * connection, response head or next piece within the timeout -> 504; no
 * backend connection free -> 503; a request head larger than the buffer
 * -> 431. Once the response has begun, a failure resets the stream
 * (H3_INTERNAL_ERROR): the client must not take a cut body for a whole one.
 */
#ifndef TERN_TERM_BACKEND_H
#define TERN_TERM_BACKEND_H

#include "term/term.h"

/* The backend a request goes to (routes first, then, if responder_path
 * is false, the default backend), or NULL. */
const struct port_addr *term_route(const struct term *t, const struct h3_req *rq,
				   bool responder_path);
/* Start forwarding: 0 (r->be set, the request is the backend's now), or
 * the status to answer instead (431, 502, 503). */
unsigned term_backend_start(struct term *t, struct term_req *r, struct h3_stream *hs,
			    const struct port_addr *to, const struct h3_req *rq,
			    const struct qpack_field_list *fields);
/* Move the request on (HTTP/3 room or body arrived). */
void term_backend_ready(struct term *t, struct term_req *r, struct h3_stream *hs);
/* The client went away: the connection is closed, not reused. */
void term_backend_abort(struct term *t, struct term_req *r);
/* Socket events, timeouts, idle connections: once per loop. */
void term_backend_poll(struct term *t);
/* Every backend connection closed, kept-alive ones too (term_stop). */
void term_backend_close_all(struct term *t);
/* A final response's status into the counters (term.c). */
void term_count_status(struct term *t, unsigned status);
/* Routes and backend from Kconfig. */
int term_config_defaults(struct term *t, const char **why);

#endif
