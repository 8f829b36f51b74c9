/* http3/h3msg: HTTP/3 message validation (RFC 9114 4.1-4.4, fields per
 * RFC 9110 5) on header fields as QPACK decoded them, name and value as
 * byte strings.
 *
 * Requests: fed field by field (h3_req_field) as the decoder produces
 * them, then h3_req_end; or all at once with h3_req_check. A malformed
 * request is H3_MESSAGE_ERROR, a stream error (4.1.2), with rq->reason
 * a static string for the log. Errors are sticky: after the first,
 * every call returns it again and the reason stays the first one.
 * struct h3_req keeps pointers to the pseudo-header and Host values:
 * they are valid as long as the caller's decoded fields are.
 *
 * Responses (the HTTP/1.1 -> HTTP/3 direction): h3_status_class tells
 * what a backend's status code becomes (interim, final, or not sendable
 * over HTTP/3), h3_h1_field_forward which backend fields cross, and
 * struct h3_resp validates a response field section in HTTP/3 form (the
 * built-in responder's, or one the terminator built).
 *
 * Content: h3_msg_body_check compares the DATA received against a
 * Content-Length (4.1.2).
 */
#ifndef TERN_HTTP3_H3MSG_H
#define TERN_HTTP3_H3MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http3/h3error.h"

struct h3_str {
	const uint8_t *p;
	size_t len;
};

struct h3_field {
	const uint8_t *name;
	size_t name_len;
	const uint8_t *value;
	size_t value_len;
};

struct h3_req {
	struct h3_str method, scheme, authority, path, protocol;
	struct h3_str host;          /* the Host field, if any */
	uint64_t content_length;
	bool has_content_length;
	bool connect;                /* :method CONNECT (RFC 9114 4.4) */
	bool extended_connect;       /* ... with :protocol (RFC 9220) */
	bool regular;                /* a regular field came: no pseudo-header after it */
	uint8_t pseudo;              /* pseudo-header fields seen, one bit each */
	const char *reason;
	int err;
};

void h3_req_init(struct h3_req *rq);

/* One field of the request's header section, in order. Checks: the name
 * is lowercase and a token (pseudo-headers: ':' then one of :method,
 * :scheme, :authority, :path, :protocol, each once, before any regular
 * field; :status or any other is refused); the value is field-content;
 * no connection-specific field (Connection, Keep-Alive,
 * Proxy-Connection, Transfer-Encoding, Upgrade); TE only "trailers";
 * Content-Length a number, repeated only with the same value; one Host.
 * 0 or H3_MESSAGE_ERROR. */
int h3_req_field(struct h3_req *rq, const uint8_t *name, size_t name_len, const uint8_t *value,
		 size_t value_len);

/* After the last field: the pseudo-headers a request needs. Non-CONNECT:
 * :method, :scheme and :path, no :protocol; for http and https an
 * :authority or Host (equal if both), not empty, and a :path starting
 * with '/' (or "*" for OPTIONS). CONNECT: :authority, no :scheme or
 * :path; with :protocol (extended CONNECT) all four. Values checked for
 * their syntax: :method a token, :scheme a URI scheme, :authority (and
 * Host) URI authority characters without userinfo, :path visible ASCII
 * without '#' (what an HTTP/1.1 request line can carry). */
int h3_req_end(struct h3_req *rq);

/* h3_req_init, every field, h3_req_end. */
int h3_req_check(struct h3_req *rq, const struct h3_field *f, size_t n);

/* One field of a trailer section (request or response): no
 * pseudo-headers, otherwise the regular-field rules above. 0 or
 * H3_MESSAGE_ERROR with *reason. */
int h3_trailer_field(const uint8_t *name, size_t name_len, const uint8_t *value,
		     size_t value_len, const char **reason);

/* The DATA payload received so far, total, against a Content-Length
 * (has_cl, cl): H3_MESSAGE_ERROR as soon as total passes it, or at the
 * end of the stream (fin) if it falls short. 0 without Content-Length. */
int h3_msg_body_check(bool has_cl, uint64_t cl, uint64_t total, bool fin, const char **reason);

/* ---------------------------------------------------------------- responses */

enum h3_status_class {
	H3_STATUS_INVALID,   /* not 100-599, or 101 (HTTP/3 has no Upgrade, 4.5) */
	H3_STATUS_INTERIM,   /* 1xx: a HEADERS frame before the final response */
	H3_STATUS_FINAL,
};

enum h3_status_class h3_status_class(unsigned status);

/* Does a field of a backend's HTTP/1.1 response cross into the HTTP/3
 * response? Not the connection-specific fields, not TE, not a field the
 * response's Connection value (conn, conn_len; empty if none) lists
 * (RFC 9110 7.6.1, RFC 9114 4.2). Names are lowercased by the caller
 * when it encodes them. */
bool h3_h1_field_forward(const uint8_t *name, size_t name_len, const uint8_t *conn,
			 size_t conn_len);

struct h3_resp {
	unsigned status;
	bool has_status;
	bool regular;
	bool has_content_length;
	uint64_t content_length;
	const char *reason;
	int err;
};

void h3_resp_init(struct h3_resp *rs);

/* A field of a response header section in HTTP/3 form: :status exactly
 * once, three digits, before the regular fields; no request or unknown
 * pseudo-header; the regular-field rules of h3_req_field, with TE not
 * allowed at all (it is a request field). */
int h3_resp_field(struct h3_resp *rs, const uint8_t *name, size_t name_len, const uint8_t *value,
		  size_t value_len);

/* After the last field: a :status, of class interim or final. */
int h3_resp_end(struct h3_resp *rs);

/* Does a response carry no content whatever its fields say (RFC 9110
 * 6.4.1): 1xx, 204, 304, or an answer to HEAD. */
bool h3_resp_no_content(unsigned status, bool head);

#endif
