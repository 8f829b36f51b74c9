/* term/h1parse: strict incremental HTTP/1.1 response parser (see
 * h1parse.h). */
#include <string.h>

#include "http3/hfield.h"
#include "lib/kconfig.h"
#include "term/h1parse.h"

BUILD_ASSERT(CONFIG_TERM_H1_HEADER_COUNT_MAX <= UINT16_MAX, "fields counts in a uint16_t");
BUILD_ASSERT(CONFIG_TERM_H1_CHUNK_EXT_MAX < UINT16_MAX, "ext_len counts in a uint16_t");

enum {
	S_STATUS,        /* a status line (line) */
	S_FIELDS,        /* header field lines (line) */
	S_BODY_LEN,      /* Content-Length bytes */
	S_BODY_CLOSE,    /* bytes until EOF */
	S_CHUNK_SIZE,    /* hex digits */
	S_CHUNK_EXT,     /* after them, up to CR (ext_state) */
	S_CHUNK_LF,      /* the LF of a chunk-size line */
	S_CHUNK_DATA,
	S_CHUNK_CR2,     /* the CR after chunk data */
	S_CHUNK_LF2,     /* its LF */
	S_TRAILERS,      /* trailer field lines (line) */
	S_DONE_PENDING,  /* complete: DONE is the next event */
	S_DONE,
	S_ERROR,
};

/* chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val
 * = token / quoted-string (RFC 9112 7.1.1, RFC 9110 5.6.4) */
enum {
	X_PRE,        /* BWS before ';' */
	X_NAME_PRE,   /* BWS after ';' */
	X_NAME,
	X_NAME_POST,  /* BWS after the name */
	X_VAL_PRE,    /* BWS after '=' */
	X_VAL_TOKEN,
	X_VAL_QUOTED,
	X_VAL_ESC,    /* after a backslash */
	X_VAL_END,    /* after the closing quote */
};

void h1_parser_init(struct h1_parser *p, uint8_t *line, size_t cap, bool head)
{
	memset(p, 0, sizeof(*p));
	p->line = line;
	p->line_cap = line ? cap : 0;
	p->head = head;
	p->state = S_STATUS;
}

void h1_parser_next(struct h1_parser *p, bool head)
{
	h1_parser_init(p, p->line, p->line_cap, head);
}

bool h1_parser_idle(const struct h1_parser *p)
{
	return p->state == S_STATUS && !p->received;
}

static enum h1_ev fail(struct h1_parser *p, struct h1_event *e, const char *why)
{
	p->state = S_ERROR;
	p->reason = why;
	e->reason = why;
	return H1_EV_ERROR;
}

/* Start a header or trailer section. */
static void section_start(struct h1_parser *p)
{
	p->fields = 0;
	p->section_bytes = 0;
}

/* ---------------------------------------------------------------- lines */

/* Take the current line from in: 1 with *line (without its CRLF) when it
 * is whole, 0 when in ran out first (all of it kept in the line buffer),
 * -1 when the line is longer than limit bytes with its CRLF (the bytes
 * seen show it: limit of them and no LF), -2 for an LF without CR. A
 * line that lies whole in the input is not copied. */
static int take_line(struct h1_parser *p, const uint8_t *in, size_t len, size_t *used,
		     size_t limit, const uint8_t **line, size_t *line_len)
{
	size_t room = limit > p->line_len ? limit - p->line_len : 0;
	size_t scan = len < room ? len : room;
	const uint8_t *lf = scan ? memchr(in, '\n', scan) : NULL;
	size_t n, total;

	*used = 0;
	if (!len)
		return 0;
	if (!lf) {
		if (scan == room)
			return -1;
		memcpy(p->line + p->line_len, in, len);
		p->line_len += len;
		*used = len;
		return 0;
	}
	n = (size_t)(lf - in) + 1;
	*used = n;
	if (p->line_len) {
		memcpy(p->line + p->line_len, in, n);
		*line = p->line;
		total = p->line_len + n;
		p->line_len = 0;
	} else {
		*line = in;
		total = n;
	}
	if (total < 2 || (*line)[total - 2] != '\r')
		return -2;
	*line_len = total - 2;
	return 1;
}

/* ---------------------------------------------------------------- status line */

static enum h1_ev status_line(struct h1_parser *p, const uint8_t *l, size_t n,
			      struct h1_event *e)
{
	unsigned code;

	if (n < 8 || memcmp(l, "HTTP/1.", 7) || (l[7] != '0' && l[7] != '1'))
		return fail(p, e, "not an HTTP/1.1 or HTTP/1.0 status line");
	if (n < 12 || l[8] != ' ' || !hfield_is(l[9], HFIELD_DIGIT) ||
	    !hfield_is(l[10], HFIELD_DIGIT) || !hfield_is(l[11], HFIELD_DIGIT) || l[9] == '0')
		return fail(p, e, "invalid status code");
	if (n > 12 && l[12] != ' ')
		return fail(p, e, "invalid status line");
	for (size_t i = 13; i < n; i++)
		if (!hfield_is(l[i], HFIELD_VCHAR | HFIELD_WS))
			return fail(p, e, "invalid character in reason phrase");
	code = (unsigned)(l[9] - '0') * 100 + (unsigned)(l[10] - '0') * 10 +
	       (unsigned)(l[11] - '0');
	if (code == 101)
		return fail(p, e, "101 Switching Protocols (no upgrade was asked)");

	p->code = (uint16_t)code;
	p->minor = (uint8_t)(l[7] - '0');
	p->has_cl = p->chunked = p->conn_close = p->conn_keep_alive = false;
	section_start(p);
	p->state = S_FIELDS;

	e->status.code = code;
	e->status.minor = p->minor;
	e->status.interim = code < 200;
	e->status.reason = n > 13 ? l + 13 : l + n;
	e->status.reason_len = n > 13 ? n - 13 : 0;
	return H1_EV_STATUS;
}

/* ---------------------------------------------------------------- fields */

/* The framing and connection fields of a response's header section. */
static const char *framing_field(struct h1_parser *p, const uint8_t *name, size_t nlen,
				 const uint8_t *v, size_t vlen)
{
	const uint8_t *it = v, *el;
	uint64_t cl;
	size_t len;
	bool any = false;

	if (hfield_eq_ci(name, nlen, "content-length")) {
		if (hfield_content_length(v, vlen, &cl))
			return "invalid content-length";
		if (p->has_cl && cl != p->content_length)
			return "conflicting content-length";
		p->has_cl = true;
		p->content_length = cl;
	} else if (hfield_eq_ci(name, nlen, "transfer-encoding")) {
		while (hfield_list_next(&it, v + vlen, &el, &len)) {
			any = true;
			/* chunked must be the last coding, once (9112 6.1) */
			if (p->chunked)
				return "transfer coding after chunked";
			if (!hfield_eq_ci(el, len, "chunked"))
				return "unsupported transfer coding";
			p->chunked = true;
		}
		if (!any)
			return "empty transfer-encoding";
	} else if (hfield_eq_ci(name, nlen, "connection")) {
		while (hfield_list_next(&it, v + vlen, &el, &len)) {
			if (hfield_eq_ci(el, len, "close"))
				p->conn_close = true;
			else if (hfield_eq_ci(el, len, "keep-alive"))
				p->conn_keep_alive = true;
		}
	}
	return NULL;
}

/* The empty line after the header fields: the body's framing (9112 6.3). */
static enum h1_ev headers_done(struct h1_parser *p, struct h1_event *e)
{
	bool interim = p->code < 200;

	if (p->chunked && p->minor == 0)
		return fail(p, e, "transfer-encoding in an HTTP/1.0 response");
	if (p->chunked && p->has_cl)
		return fail(p, e, "both transfer-encoding and content-length");

	e->headers.code = p->code;
	e->headers.interim = interim;
	e->headers.length = 0;
	if (interim) {
		e->headers.body = H1_BODY_NONE;
		p->state = S_STATUS;
	} else if (p->head || p->code == 204 || p->code == 304) {
		e->headers.body = H1_BODY_NONE;
		p->state = S_DONE_PENDING;
	} else if (p->chunked) {
		e->headers.body = H1_BODY_CHUNKED;
		p->chunk = 0;
		p->chunk_digits = 0;
		p->state = S_CHUNK_SIZE;
	} else if (p->has_cl) {
		e->headers.body = H1_BODY_LENGTH;
		e->headers.length = p->content_length;
		p->left = p->content_length;
		p->state = p->left ? S_BODY_LEN : S_DONE_PENDING;
	} else {
		e->headers.body = H1_BODY_CLOSE;
		p->state = S_BODY_CLOSE;
	}
	e->headers.keep_alive = e->headers.body != H1_BODY_CLOSE && !p->conn_close &&
				(p->minor == 1 || p->conn_keep_alive);
	return H1_EV_HEADERS_DONE;
}

/* A header or trailer field line (or the empty line that ends them). */
static enum h1_ev field_line(struct h1_parser *p, const uint8_t *l, size_t n,
			     struct h1_event *e)
{
	bool trailer = p->state == S_TRAILERS;
	const uint8_t *colon, *v, *ve;
	const char *why;
	size_t nlen;

	if (!n) {
		if (trailer) {
			p->state = S_DONE;
			return H1_EV_DONE;
		}
		return headers_done(p, e);
	}
	if (hfield_is(l[0], HFIELD_WS))
		return fail(p, e, p->fields ? "obs-fold (line folding)" :
			    "whitespace before the first field");
	if (++p->fields > CONFIG_TERM_H1_HEADER_COUNT_MAX)
		return fail(p, e, trailer ? "too many trailer fields" : "too many header fields");
	colon = memchr(l, ':', n);
	if (!colon)
		return fail(p, e, "field line without a colon");
	nlen = (size_t)(colon - l);
	if (!nlen)
		return fail(p, e, "empty field name");
	if (hfield_is(l[nlen - 1], HFIELD_WS))
		return fail(p, e, "whitespace before the colon");
	if (!hfield_token(l, nlen))
		return fail(p, e, "invalid character in field name");
	v = colon + 1;
	ve = l + n;
	while (v < ve && hfield_is(*v, HFIELD_WS))
		v++;
	while (ve > v && hfield_is(ve[-1], HFIELD_WS))
		ve--;
	if (!hfield_value(v, (size_t)(ve - v)))
		return fail(p, e, "invalid character in field value");
	if (!trailer) {
		why = framing_field(p, l, nlen, v, (size_t)(ve - v));
		if (why)
			return fail(p, e, why);
	}
	e->field.name = l;
	e->field.name_len = nlen;
	e->field.value = v;
	e->field.value_len = (size_t)(ve - v);
	return trailer ? H1_EV_TRAILER : H1_EV_FIELD;
}

/* Take and handle one line in a line state; H1_EV_NONE when in ran out. */
static enum h1_ev line_state(struct h1_parser *p, const uint8_t *in, size_t len, size_t *used,
			     struct h1_event *e)
{
	size_t limit, line_len = 0;
	const uint8_t *line = NULL;
	const char *too_long;
	int r;

	if (p->state == S_STATUS) {
		limit = CONFIG_TERM_H1_STATUS_LINE_MAX;
		too_long = "status line too long";
	} else {
		limit = CONFIG_TERM_H1_HEADER_BYTES_MAX - p->section_bytes;
		too_long = p->state == S_TRAILERS ? "trailer section too large" :
						    "header section too large";
	}
	if (limit > p->line_cap) {
		limit = p->line_cap;
		too_long = "line longer than the line buffer";
	}
	r = take_line(p, in, len, used, limit, &line, &line_len);
	if (len)
		p->received = true;
	if (r == 0)
		return H1_EV_NONE;
	if (r == -1)
		return fail(p, e, too_long);
	if (r == -2)
		return fail(p, e, "bare LF (lines end in CR LF)");
	if (p->state == S_STATUS)
		return status_line(p, line, line_len, e);
	p->section_bytes += (uint32_t)(line_len + 2);
	return field_line(p, line, line_len, e);
}

/* ---------------------------------------------------------------- chunks */

/* One byte of a chunk extension in ext_state; false if it does not fit
 * the grammar. CR is handled by the caller. */
static bool ext_byte(struct h1_parser *p, uint8_t c)
{
	bool ws = hfield_is(c, HFIELD_WS), tchar = hfield_is(c, HFIELD_TCHAR);

	switch (p->ext_state) {
	case X_PRE:
		if (c == ';')
			p->ext_state = X_NAME_PRE;
		return ws || c == ';';
	case X_NAME_PRE:
		if (tchar)
			p->ext_state = X_NAME;
		return ws || tchar;
	case X_NAME:
	case X_NAME_POST:
		if (c == '=')
			p->ext_state = X_VAL_PRE;
		else if (c == ';')
			p->ext_state = X_NAME_PRE;
		else if (ws)
			p->ext_state = X_NAME_POST;
		else if (!(tchar && p->ext_state == X_NAME))
			return false;
		return true;
	case X_VAL_PRE:
		if (tchar)
			p->ext_state = X_VAL_TOKEN;
		else if (c == '"')
			p->ext_state = X_VAL_QUOTED;
		else if (!ws)
			return false;
		return true;
	case X_VAL_TOKEN:
	case X_VAL_END:
		if (c == ';')
			p->ext_state = X_NAME_PRE;
		else if (ws)
			p->ext_state = X_PRE;
		else if (!(tchar && p->ext_state == X_VAL_TOKEN))
			return false;
		return true;
	case X_VAL_QUOTED:
		/* qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text */
		if (c == '"')
			p->ext_state = X_VAL_END;
		else if (c == '\\')
			p->ext_state = X_VAL_ESC;
		else if (!hfield_is(c, HFIELD_VCHAR | HFIELD_WS))
			return false;
		return true;
	default:  /* X_VAL_ESC: quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
		p->ext_state = X_VAL_QUOTED;
		return hfield_is(c, HFIELD_VCHAR | HFIELD_WS);
	}
}

/* Where a CR may end a chunk-size line: after a complete extension */
static bool ext_complete(uint8_t st)
{
	return st == X_NAME || st == X_VAL_TOKEN || st == X_VAL_END;
}

static uint8_t hexval(uint8_t c)
{
	return (uint8_t)(hfield_is(c, HFIELD_DIGIT) ? c - '0' : (c | 0x20) - 'a' + 10);
}

/* Chunk framing bytes (size line, CRLF after data) from in; returns
 * H1_EV_NONE when in is used up or a state with output is reached. */
static enum h1_ev chunk_bytes(struct h1_parser *p, const uint8_t *in, size_t len, size_t *used,
			      struct h1_event *e)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t c = in[i];

		switch (p->state) {
		case S_CHUNK_SIZE:
			if (hfield_is(c, HFIELD_HEX)) {
				if (p->chunk_digits == 16)
					return fail(p, e, "chunk size too long");
				p->chunk = p->chunk << 4 | hexval(c);
				p->chunk_digits++;
				continue;
			}
			if (!p->chunk_digits)
				return fail(p, e, "invalid chunk size");
			if (c == '\r') {
				p->state = S_CHUNK_LF;
				continue;
			}
			if (c == '\n')
				return fail(p, e, "bare LF (lines end in CR LF)");
			if (c != ';' && !hfield_is(c, HFIELD_WS))
				return fail(p, e, "invalid chunk size");
			p->state = S_CHUNK_EXT;
			p->ext_state = X_PRE;
			p->ext_len = 0;
			/* fallthrough */
		case S_CHUNK_EXT:
			if (c == '\r' && ext_complete(p->ext_state)) {
				p->state = S_CHUNK_LF;
				continue;
			}
			if (++p->ext_len > CONFIG_TERM_H1_CHUNK_EXT_MAX)
				return fail(p, e, "chunk extension too long");
			if (!ext_byte(p, c))
				return fail(p, e, "invalid chunk extension");
			continue;
		case S_CHUNK_LF:
			if (c != '\n')
				return fail(p, e, "CR without LF after chunk size");
			if (!p->chunk) {
				section_start(p);
				p->state = S_TRAILERS;
			} else {
				p->left = p->chunk;
				p->state = S_CHUNK_DATA;
			}
			*used = i + 1;
			return H1_EV_NONE;
		case S_CHUNK_CR2:
			if (c != '\r')
				return fail(p, e, "missing CRLF after chunk data");
			p->state = S_CHUNK_LF2;
			continue;
		case S_CHUNK_LF2:
			if (c != '\n')
				return fail(p, e, "missing CRLF after chunk data");
			p->state = S_CHUNK_SIZE;
			p->chunk = 0;
			p->chunk_digits = 0;
			continue;
		default:
			*used = i;
			return H1_EV_NONE;
		}
	}
	*used = i;
	return H1_EV_NONE;
}

/* ---------------------------------------------------------------- driver */

enum h1_ev h1_parse(struct h1_parser *p, const uint8_t *in, size_t len, size_t *used,
		    struct h1_event *e)
{
	size_t off = 0, n;
	enum h1_ev ev;

	*used = 0;
	e->reason = NULL;
	for (;;) {
		n = 0;
		switch (p->state) {
		case S_ERROR:
			e->reason = p->reason;
			return H1_EV_ERROR;
		case S_DONE:
			return H1_EV_DONE;
		case S_DONE_PENDING:
			p->state = S_DONE;
			return H1_EV_DONE;
		case S_STATUS:
		case S_FIELDS:
		case S_TRAILERS:
			ev = line_state(p, in + off, len - off, &n, e);
			if (ev != H1_EV_ERROR)
				*used = off + n;
			return ev;
		case S_BODY_LEN:
		case S_CHUNK_DATA:
		case S_BODY_CLOSE:
			n = len - off;
			if (p->state != S_BODY_CLOSE && n > p->left)
				n = (size_t)p->left;
			if (!n) {
				*used = off;
				return H1_EV_NONE;
			}
			e->body.p = in + off;
			e->body.len = n;
			*used = off + n;
			if (p->state != S_BODY_CLOSE) {
				p->left -= n;
				if (!p->left && p->state == S_BODY_LEN)
					p->state = S_DONE_PENDING;
				else if (!p->left)
					p->state = S_CHUNK_CR2;
			}
			return H1_EV_BODY;
		default:
			ev = chunk_bytes(p, in + off, len - off, &n, e);
			if (ev == H1_EV_ERROR)
				return ev;
			off += n;
			/* chunk_bytes stops in one of its own states only when
			 * the input is used up */
			if (p->state != S_CHUNK_DATA && p->state != S_TRAILERS) {
				*used = off;
				return H1_EV_NONE;
			}
			continue;
		}
	}
}

enum h1_ev h1_parse_eof(struct h1_parser *p, struct h1_event *e)
{
	e->reason = NULL;
	switch (p->state) {
	case S_ERROR:
		e->reason = p->reason;
		return H1_EV_ERROR;
	case S_BODY_CLOSE:
	case S_DONE_PENDING:
	case S_DONE:
		p->state = S_DONE;
		return H1_EV_DONE;
	default:
		return fail(p, e, h1_parser_idle(p) && !p->line_len ?
			    "connection closed before the response" :
			    "connection closed inside the response");
	}
}
