/* term/h1parse: a strict, incremental parser of HTTP/1.1 responses (RFC
 * 9112), for the bytes a backend sends the terminator.
 *
 * The caller feeds whatever the socket gave it and takes one event per
 * call; bytes not yet used are offered again:
 *
 *   h1_parser_init(&p, line, sizeof(line), request_was_head);
 *   ...for every piece of input:
 *   do {
 *           ev = h1_parse(&p, in, len, &used, &e);
 *           in += used; len -= used;
 *           H1_EV_STATUS, H1_EV_FIELD, H1_EV_HEADERS_DONE, H1_EV_BODY,
 *           H1_EV_TRAILER: handle e;
 *           H1_EV_DONE: the response is complete (bytes after it belong
 *                       to no request); H1_EV_ERROR: e.reason, 502;
 *           H1_EV_NONE: all of in was used, wait for more.
 *   } while (ev != H1_EV_NONE && ev != H1_EV_DONE && ev != H1_EV_ERROR);
 *   ...at EOF: h1_parse_eof(&p, &e).
 * Loop on the event, not on len: some events need no input (DONE right
 * after a HEADERS_DONE without body). To stop taking body bytes
 * (backpressure), pass a shorter len.
 *
 * Slices: a field's name and value point into the input when its whole
 * line is there, else into the caller's line buffer; either way they are
 * valid until the next call. Body bytes are always slices of the input,
 * never copied. The parser holds no pointer into the input between calls.
 *
 * Decisions (strict where a proxy that accepts more than the next hop
 * could be fooled, RFC 9112 11.2):
 * - Lines end in CR LF. A bare LF is refused (9112 2.2 lets a recipient
 *   accept it; a backend that sends it is broken, and accepting it is
 *   how response splitting starts); so is a bare CR.
 * - obs-fold, whitespace between a field name and its colon, and
 *   whitespace between the status line and the first field are errors.
 * - Names are tokens, values field-content (http3/hfield.h: no control
 *   character but HTAB); the OWS around a value is removed.
 * - The status line is "HTTP/1.1" or "HTTP/1.0", SP, three digits (100
 *   to 999), then SP and a reason phrase. "HTTP/1.1 200" without the SP
 *   and reason is accepted: the reason carries nothing (9112 4) and
 *   servers do omit it.
 * - 1xx responses are reported (status, fields, HEADERS_DONE with
 *   interim set) and the parser goes on to the next status line. 101 is
 *   an error: tern never asks to upgrade.
 * - Framing (9112 6.3): Transfer-Encoding must be exactly "chunked" (any
 *   other coding, or chunked twice, is an error: HTTP/3 has no transfer
 *   codings to pass them on in); Transfer-Encoding with Content-Length is
 *   an error, as is Transfer-Encoding in an HTTP/1.0 response;
 *   Content-Length is one number or the same number repeated (in
 *   several fields or a list). These rules hold for every response,
 *   even one whose status or request says it has no body.
 * - No body for 1xx, 204, 304 and answers to HEAD; a chunked or
 *   Content-Length body otherwise; without either, the body runs to the
 *   connection's close (H1_BODY_CLOSE, completed by h1_parse_eof).
 * - A chunk size is at most 16 hex digits (a 64-bit number: no
 *   overflow); extensions are checked against their grammar and skipped,
 *   bounded by CONFIG_TERM_H1_CHUNK_EXT_MAX bytes; trailer fields are
 *   reported as H1_EV_TRAILER under the header limits.
 * - Limits: CONFIG_TERM_H1_STATUS_LINE_MAX, CONFIG_TERM_H1_HEADER_COUNT_MAX,
 *   CONFIG_TERM_H1_HEADER_BYTES_MAX and the line buffer's size (the
 *   longest line). Every error happens at the same byte however the
 *   input is split.
 */
#ifndef TERN_TERM_H1PARSE_H
#define TERN_TERM_H1PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum h1_ev {
	H1_EV_NONE,          /* the input is used up */
	H1_EV_STATUS,        /* e.status */
	H1_EV_FIELD,         /* e.field: a header field */
	H1_EV_HEADERS_DONE,  /* e.headers: the end of a header section */
	H1_EV_BODY,          /* e.body: body bytes, in the input */
	H1_EV_TRAILER,       /* e.field: a trailer field (chunked only) */
	H1_EV_DONE,          /* the response is complete */
	H1_EV_ERROR,         /* e.reason; every later call returns it again */
};

enum h1_body {
	H1_BODY_NONE,        /* no body (or an interim response) */
	H1_BODY_LENGTH,      /* e.headers.length bytes */
	H1_BODY_CHUNKED,
	H1_BODY_CLOSE,       /* until the backend closes the connection */
};

struct h1_event {
	union {
		struct {
			unsigned code;
			uint8_t minor;   /* HTTP/1.<minor> */
			bool interim;    /* 1xx */
			const uint8_t *reason;
			size_t reason_len;
		} status;
		struct {
			const uint8_t *name, *value;
			size_t name_len, value_len;
		} field;
		struct {
			enum h1_body body;
			uint64_t length;     /* H1_BODY_LENGTH */
			unsigned code;
			bool interim;        /* more responses follow: back to a status line */
			/* the connection can carry another request after this
			 * response (HTTP/1.1 without "Connection: close", HTTP/1.0
			 * with "Connection: keep-alive", and not H1_BODY_CLOSE) */
			bool keep_alive;
		} headers;
		struct {
			const uint8_t *p;
			size_t len;
		} body;
	};
	const char *reason;  /* H1_EV_ERROR */
};

struct h1_parser {
	uint8_t *line;           /* the caller's buffer for lines split across calls */
	size_t line_cap, line_len;
	uint64_t content_length; /* Content-Length seen */
	uint64_t left;           /* body or chunk bytes to come */
	uint64_t chunk;          /* chunk size being read */
	uint32_t section_bytes;  /* of the header or trailer section so far */
	uint16_t fields;         /* field lines in that section */
	uint16_t ext_len;        /* chunk extension bytes so far */
	uint16_t code;
	uint8_t state, ext_state, chunk_digits, minor;
	bool head;               /* the request was HEAD */
	bool received;           /* a byte of this response came */
	bool has_cl, chunked, conn_close, conn_keep_alive;
	const char *reason;      /* the error */
};

/* Ready for the response to one request (head: it was a HEAD request).
 * line, cap: the line buffer, which also bounds the longest line. */
void h1_parser_init(struct h1_parser *p, uint8_t *line, size_t cap, bool head);

/* Ready for the next response on the same connection, after H1_EV_DONE. */
void h1_parser_next(struct h1_parser *p, bool head);

/* One event from in[0..len); *used: the bytes it took (all of them for
 * H1_EV_NONE, none after DONE or ERROR). */
enum h1_ev h1_parse(struct h1_parser *p, const uint8_t *in, size_t len, size_t *used,
		    struct h1_event *e);

/* The backend closed the connection: H1_EV_DONE for a body that runs to
 * the close (or a response already complete), else H1_EV_ERROR (a
 * truncated response). */
enum h1_ev h1_parse_eof(struct h1_parser *p, struct h1_event *e);

/* No byte of the response has come yet: a close now is an idle
 * keep-alive connection the backend dropped, and the request can be
 * retried on another. */
bool h1_parser_idle(const struct h1_parser *p);

#endif
