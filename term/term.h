/* term/term: the terminator. Every HTTP/3 request (http3/h3conn) goes
 * to the built-in responder or, by route, to an HTTP/1.1 backend
 * (term/backend). The responder serves
 *
 *   GET /            a status page: connections, requests, every pool
 *   GET /bytes/N     N bytes (N <= 2^40), byte i = i mod 251, for
 *                    tests and demos (the prime period catches a piece
 *                    delivered at the wrong offset)
 *   POST|PUT /echo   the request body back, as it arrives
 *
 * (HEAD for the GET ones). From 0-RTT only GET and HEAD are served;
 * anything else is answered 425 Too Early (RFC 8470 5.2).
 *
 * One struct term per endpoint; the board calls term_init, puts
 * h3_server_app_ops() / &term->h3 into its endpoint config, and after
 * each round of I/O calls term_poll.
 */
#ifndef TERN_TERM_TERM_H
#define TERN_TERM_TERM_H

#include <stdbool.h>
#include <stdint.h>

#include "http3/h3conn.h"
#include "lib/pool-t.h"
#include "term/term-t.h"

struct term_stats {
	uint32_t requests, responder, backend, not_found, bad_request, too_early;
	uint32_t status_2xx, status_4xx, status_5xx;
	uint32_t aborted;               /* requests the client or an error cut short */
	uint64_t bytes_out;             /* response content sent */
	uint64_t bytes_in;              /* request content received */
};

struct term_route {
	char authority[64];             /* "" : any */
	char prefix[128];
	struct port_addr to;
};

struct term_backend_stats {
	uint32_t connects, reused, retried, evicted, connect_fail, bad_gateway, timeouts, busy, too_large;
	uint32_t open, idle;            /* now */
};

struct term {
	struct h3_server h3;
	struct quic_endpoint *ep;
	struct term_stats st;
	struct term_backend_stats be;
	uint64_t now;
	/* routing (term_set_backend, term_add_route) */
	struct term_route routes[CONFIG_TERM_ROUTES_MAX];
	uint32_t nroutes;
	bool has_backend;
	struct port_addr backend;
	uint64_t timeout_ns, idle_ns;
	char alt_svc[256];              /* "": no alt-svc field */
	/* live backend connections (pool backend), busy and idle */
	pool_handle_t bes[CONFIG_TERM_BACKEND_CONNS];
	uint8_t scratch[8192];
};

/* Routes and the default backend from Kconfig (TERM_ROUTES,
 * TERM_BACKEND), timeouts from Kconfig. -1 (with *why) when a Kconfig
 * string is malformed. */
int term_init(struct term *t, const char **why);
/* HOST:PORT with HOST an IPv4 address or [IPv6]: 0 or -1. */
int term_parse_addr(const char *s, struct port_addr *a);
/* The default backend ("": none): 0, or -1 with *why. */
int term_set_backend(struct term *t, const char *hostport, const char **why);
/* A route "[AUTHORITY]PREFIX=HOST:PORT" (PREFIX starts with '/'): 0, or
 * -1 with *why (malformed, too long, too many routes). */
int term_add_route(struct term *t, const char *spec, const char **why);
/* When term_poll must run next at the latest (backend timeouts, idle
 * connections to close); UINT64_MAX: no such time. */
uint64_t term_deadline(const struct term *t);
/* The endpoint is up (its cfg had app = h3_server_app_ops(), app_ctx =
 * &t->h3). */
void term_attach(struct term *t, struct quic_endpoint *ep);
void term_poll(struct term *t, uint64_t now);
/* SIGTERM: GOAWAY everywhere; term_idle once every connection is gone. */
void term_shutdown(struct term *t, uint64_t now);
bool term_idle(const struct term *t);
/* The counters, one line each through emit (as pool_stats_format):
 * "tickets: ..." (TLS resumption and 0-RTT), "http3: ..." (requests,
 * statuses, bytes, errors), "backends: ...". The status page, and the
 * boards' logs at exit. */
void term_report(const struct term *t, void (*emit)(void *ctx, const char *line), void *ctx);
/* The board is going away (after the drain, before the endpoint): every
 * backend connection is closed, the kept-alive ones too, so the pools
 * show nothing in use. */
void term_stop(struct term *t);

#endif
