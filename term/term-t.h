/* term types: one struct term_req per request the terminator holds
 * (pool termreq). Functions in term/term.h. Included by
 * lib/pool_types.h.
 */
#ifndef TERN_TERM_TERM_T_H
#define TERN_TERM_TERM_T_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/pool-t.h"
#include "port/port.h"
#include "term/h1parse.h"

enum term_req_kind {
	TERM_REQ_STATUS,     /* the status page */
	TERM_REQ_BYTES,      /* /bytes/N */
	TERM_REQ_ECHO,       /* /echo */
	TERM_REQ_SIMPLE,     /* a fixed answer (404, 400, 425, ...) */
	TERM_REQ_BACKEND,    /* forwarded to an HTTP/1.1 backend */
};

struct term_req {
	pool_handle_t hs;            /* the HTTP/3 request (pool h3stream) */
	pool_handle_t be;            /* the backend connection, if any */
	uint64_t off;                /* content bytes sent */
	uint64_t len;                /* content length to send (BYTES) */
	uint16_t status;
	uint8_t kind;                /* enum term_req_kind */
	bool headers_sent;
	bool body_done;              /* the request body was read to its end */
};

/* One TCP connection to a backend (pool backend): busy with one
 * request, or idle between two (keep-alive). */
struct term_backend_field {
	uint16_t name_off, name_len, value_off, value_len;
};

struct term_backend {
	pool_handle_t req;           /* the term_req it serves (NONE: idle) */
	struct port_addr to;
	int port_id;
	uint8_t state;               /* enum term_backend_state (backend.c) */
	bool head;                   /* the request was HEAD */
	bool body_out;               /* the request has a body to forward */
	bool chunked_out;            /* ... sent with chunked framing */
	bool req_done;               /* the whole request went out */
	bool hdrs_ready;             /* the response head is parsed, not yet sent */
	bool hdrs_sent;              /* ... and sent to the client */
	bool keep_alive;
	bool eof;                    /* the backend closed its side */
	bool body_none;              /* the response has no content */
	bool resp_done;              /* the whole response was parsed */
	bool reused;                 /* the request went on a kept-alive connection */
	bool retry_ok;               /* ... and may go again on a fresh one (no body, safe method) */
	uint16_t status;
	uint16_t nfields;
	uint32_t hdr_len;
	uint32_t head_len;           /* tx[0, head_len): the request head, kept for a retry */
	uint32_t tx_off, tx_len;     /* tx[tx_off, tx_len) waits to be sent */
	uint32_t rx_off, rx_len;     /* rx[rx_off, rx_len) not parsed yet */
	uint32_t pend_off, pend_len; /* parsed content the client could not take yet */
	uint64_t deadline;           /* timeout (busy) or end of keep-alive (idle) */
	uint64_t bytes_in, bytes_out;
	struct h1_parser p;
	struct term_backend_field f[CONFIG_TERM_H1_HEADER_COUNT_MAX];
	uint8_t line[CONFIG_TERM_BACKEND_HEADERS];
	uint8_t hdr[CONFIG_TERM_BACKEND_HEADERS];
	uint8_t tx[CONFIG_TERM_BACKEND_BUF];
	uint8_t rx[CONFIG_TERM_BACKEND_BUF];
};

#endif
