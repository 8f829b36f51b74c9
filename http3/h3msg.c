/* http3/h3msg: HTTP/3 request and response validation (see h3msg.h). */
#include <string.h>

#include "http3/h3msg.h"
#include "http3/hfield.h"

enum {
	PH_METHOD    = 1 << 0,
	PH_SCHEME    = 1 << 1,
	PH_AUTHORITY = 1 << 2,
	PH_PATH      = 1 << 3,
	PH_PROTOCOL  = 1 << 4,
	PH_HOST      = 1 << 5,   /* not a pseudo-header: the Host field, seen once */
};

static bool lit_eq(const uint8_t *p, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(p, lit, n);
}

static int msg_fail(int *err, const char **reason, const char *why)
{
	if (!*err) {
		*err = H3_MESSAGE_ERROR;
		*reason = why;
	}
	return *err;
}

/* A regular field name: token characters, lowercase (4.2). */
static const char *check_name(const uint8_t *p, size_t n)
{
	if (!n)
		return "empty field name";
	for (size_t i = 0; i < n; i++) {
		if (hfield_is(p[i], HFIELD_UPPER))
			return "uppercase in field name";
		if (!hfield_is(p[i], HFIELD_TCHAR))
			return "invalid character in field name";
	}
	return NULL;
}

/* The rules every regular field follows, in requests, responses and
 * trailers. *cl, *has_cl: Content-Length so far (NULL: not tracked). */
static const char *check_regular(const uint8_t *name, size_t nlen, const uint8_t *value,
				 size_t vlen, bool te_ok, uint64_t *cl, bool *has_cl)
{
	const char *why = check_name(name, nlen);
	uint64_t v;

	if (why)
		return why;
	if (!hfield_value(value, vlen))
		return "invalid field value";
	if (hfield_connection_specific(name, nlen))
		return "connection-specific field";
	if (lit_eq(name, nlen, "te")) {
		if (!te_ok)
			return "TE in a response";
		if (!hfield_eq_ci(value, vlen, "trailers"))
			return "TE other than trailers";
	}
	if (cl && lit_eq(name, nlen, "content-length")) {
		if (hfield_content_length(value, vlen, &v))
			return "invalid content-length";
		if (*has_cl && v != *cl)
			return "conflicting content-length";
		*cl = v;
		*has_cl = true;
	}
	return NULL;
}

/* ---------------------------------------------------------------- requests */

void h3_req_init(struct h3_req *rq)
{
	memset(rq, 0, sizeof(*rq));
}

static int req_fail(struct h3_req *rq, const char *why)
{
	return msg_fail(&rq->err, &rq->reason, why);
}

static int req_pseudo(struct h3_req *rq, const uint8_t *name, size_t nlen, const uint8_t *value,
		      size_t vlen)
{
	static const struct {
		const char *name;
		uint8_t bit;
		size_t off;
	} known[] = {
		{ ":method", PH_METHOD, offsetof(struct h3_req, method) },
		{ ":scheme", PH_SCHEME, offsetof(struct h3_req, scheme) },
		{ ":authority", PH_AUTHORITY, offsetof(struct h3_req, authority) },
		{ ":path", PH_PATH, offsetof(struct h3_req, path) },
		{ ":protocol", PH_PROTOCOL, offsetof(struct h3_req, protocol) },
	};

	if (rq->regular)
		return req_fail(rq, "pseudo-header after a regular field");
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		struct h3_str *s;

		if (!lit_eq(name, nlen, known[i].name))
			continue;
		if (rq->pseudo & known[i].bit)
			return req_fail(rq, "repeated pseudo-header");
		if (!hfield_value(value, vlen))
			return req_fail(rq, "invalid pseudo-header value");
		rq->pseudo |= known[i].bit;
		s = (struct h3_str *)((uint8_t *)rq + known[i].off);
		s->p = value;
		s->len = vlen;
		return 0;
	}
	if (lit_eq(name, nlen, ":status"))
		return req_fail(rq, "response pseudo-header in a request");
	return req_fail(rq, "unknown pseudo-header");
}

int h3_req_field(struct h3_req *rq, const uint8_t *name, size_t name_len, const uint8_t *value,
		 size_t value_len)
{
	const char *why;

	if (rq->err)
		return rq->err;
	if (name_len && name[0] == ':')
		return req_pseudo(rq, name, name_len, value, value_len);
	rq->regular = true;
	why = check_regular(name, name_len, value, value_len, true, &rq->content_length,
			    &rq->has_content_length);
	if (why)
		return req_fail(rq, why);
	if (lit_eq(name, name_len, "host")) {
		if (rq->pseudo & PH_HOST)
			return req_fail(rq, "repeated host");
		rq->pseudo |= PH_HOST;
		rq->host.p = value;
		rq->host.len = value_len;
	}
	return 0;
}

/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 3.1) */
static bool scheme_ok(const struct h3_str *s)
{
	if (!s->len || !(hfield_lower(s->p[0]) >= 'a' && hfield_lower(s->p[0]) <= 'z'))
		return false;
	for (size_t i = 1; i < s->len; i++) {
		uint8_t c = hfield_lower(s->p[i]);

		if (!((c >= 'a' && c <= 'z') || hfield_is(c, HFIELD_DIGIT) || c == '+' ||
		      c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* RFC 3986 3.2: host (reg-name, IPv4, IP-literal in brackets) and port
 * characters: unreserved, pct-encoded, sub-delims, ':', '[', ']'. '@'
 * (userinfo, which 4.3.1 forbids for http and https), '/', '?', '#',
 * spaces and controls are not among them. */
static bool authority_ok(const struct h3_str *s)
{
	static const char extra[] = "-._~%!$&'()*+,;=:[]";

	if (!s->len)
		return false;
	for (size_t i = 0; i < s->len; i++) {
		uint8_t c = s->p[i];

		uint8_t lc = hfield_lower(c);

		if (hfield_is(c, HFIELD_DIGIT) || (lc >= 'a' && lc <= 'z'))
			continue;
		if (!c || !memchr(extra, c, sizeof(extra) - 1))
			return false;
	}
	return true;
}

/* What an origin-form request target can carry to a backend: visible
 * ASCII without a fragment. */
static bool path_ok(const struct h3_str *s)
{
	for (size_t i = 0; i < s->len; i++)
		if (s->p[i] <= 0x20 || s->p[i] >= 0x7f || s->p[i] == '#')
			return false;
	return true;
}

static bool str_eq(const struct h3_str *a, const struct h3_str *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->p, b->p, a->len));
}

int h3_req_end(struct h3_req *rq)
{
	unsigned ph = rq->pseudo;

	if (rq->err)
		return rq->err;
	if (!(ph & PH_METHOD))
		return req_fail(rq, "missing :method");
	if (!hfield_token(rq->method.p, rq->method.len))
		return req_fail(rq, "invalid :method");
	rq->connect = lit_eq(rq->method.p, rq->method.len, "CONNECT");
	if ((ph & PH_PROTOCOL) && !rq->connect)
		return req_fail(rq, ":protocol without CONNECT");
	if ((ph & PH_PROTOCOL) && !hfield_token(rq->protocol.p, rq->protocol.len))
		return req_fail(rq, "invalid :protocol");
	rq->extended_connect = rq->connect && (ph & PH_PROTOCOL);

	if (rq->connect && !rq->extended_connect) {
		/* 4.4: authority-form only */
		if (ph & (PH_SCHEME | PH_PATH))
			return req_fail(rq, "CONNECT with :scheme or :path");
		if (!(ph & PH_AUTHORITY))
			return req_fail(rq, "CONNECT without :authority");
		if (!authority_ok(&rq->authority))
			return req_fail(rq, "invalid :authority");
		return 0;
	}
	if (!(ph & PH_SCHEME))
		return req_fail(rq, "missing :scheme");
	if (!(ph & PH_PATH))
		return req_fail(rq, "missing :path");
	if (rq->extended_connect && !(ph & PH_AUTHORITY))
		return req_fail(rq, "extended CONNECT without :authority");
	if (!scheme_ok(&rq->scheme))
		return req_fail(rq, "invalid :scheme");
	if ((ph & PH_AUTHORITY) && !authority_ok(&rq->authority))
		return req_fail(rq, "invalid :authority");
	if ((ph & PH_HOST) && !authority_ok(&rq->host))
		return req_fail(rq, "invalid host");
	if (!rq->path.len)
		return req_fail(rq, "empty :path");
	if (!path_ok(&rq->path))
		return req_fail(rq, "invalid :path");

	/* 4.3.1: schemes with a mandatory authority */
	if (hfield_eq_ci(rq->scheme.p, rq->scheme.len, "http") ||
	    hfield_eq_ci(rq->scheme.p, rq->scheme.len, "https")) {
		if (!(ph & (PH_AUTHORITY | PH_HOST)))
			return req_fail(rq, "missing :authority and host");
		if ((ph & PH_AUTHORITY) && (ph & PH_HOST) && !str_eq(&rq->authority, &rq->host))
			return req_fail(rq, ":authority and host differ");
		if (rq->path.p[0] != '/' &&
		    !(lit_eq(rq->path.p, rq->path.len, "*") &&
		      lit_eq(rq->method.p, rq->method.len, "OPTIONS")))
			return req_fail(rq, "invalid :path");
	}
	return 0;
}

int h3_req_check(struct h3_req *rq, const struct h3_field *f, size_t n)
{
	h3_req_init(rq);
	for (size_t i = 0; i < n; i++)
		if (h3_req_field(rq, f[i].name, f[i].name_len, f[i].value, f[i].value_len))
			return rq->err;
	return h3_req_end(rq);
}

int h3_trailer_field(const uint8_t *name, size_t name_len, const uint8_t *value,
		     size_t value_len, const char **reason)
{
	const char *why;

	if (name_len && name[0] == ':')
		why = "pseudo-header in trailers";
	else
		why = check_regular(name, name_len, value, value_len, true, NULL, NULL);
	if (!why)
		return 0;
	*reason = why;
	return H3_MESSAGE_ERROR;
}

int h3_msg_body_check(bool has_cl, uint64_t cl, uint64_t total, bool fin, const char **reason)
{
	if (!has_cl)
		return 0;
	if (total > cl) {
		*reason = "more content than content-length";
		return H3_MESSAGE_ERROR;
	}
	if (fin && total < cl) {
		*reason = "less content than content-length";
		return H3_MESSAGE_ERROR;
	}
	return 0;
}

/* ---------------------------------------------------------------- responses */

enum h3_status_class h3_status_class(unsigned status)
{
	if (status < 100 || status > 599 || status == 101)
		return H3_STATUS_INVALID;
	return status < 200 ? H3_STATUS_INTERIM : H3_STATUS_FINAL;
}

bool h3_h1_field_forward(const uint8_t *name, size_t name_len, const uint8_t *conn,
			 size_t conn_len)
{
	if (hfield_connection_specific(name, name_len) || hfield_eq_ci(name, name_len, "te"))
		return false;
	return !hfield_connection_lists(conn, conn_len, name, name_len);
}

void h3_resp_init(struct h3_resp *rs)
{
	memset(rs, 0, sizeof(*rs));
}

static int resp_fail(struct h3_resp *rs, const char *why)
{
	return msg_fail(&rs->err, &rs->reason, why);
}

int h3_resp_field(struct h3_resp *rs, const uint8_t *name, size_t name_len, const uint8_t *value,
		  size_t value_len)
{
	const char *why;

	if (rs->err)
		return rs->err;
	if (name_len && name[0] == ':') {
		if (rs->regular)
			return resp_fail(rs, "pseudo-header after a regular field");
		if (!lit_eq(name, name_len, ":status")) {
			if (lit_eq(name, name_len, ":method") ||
			    lit_eq(name, name_len, ":scheme") ||
			    lit_eq(name, name_len, ":authority") ||
			    lit_eq(name, name_len, ":path") ||
			    lit_eq(name, name_len, ":protocol"))
				return resp_fail(rs, "request pseudo-header in a response");
			return resp_fail(rs, "unknown pseudo-header");
		}
		if (rs->has_status)
			return resp_fail(rs, "repeated :status");
		if (value_len != 3 || !hfield_is(value[0], HFIELD_DIGIT) ||
		    !hfield_is(value[1], HFIELD_DIGIT) || !hfield_is(value[2], HFIELD_DIGIT))
			return resp_fail(rs, "invalid :status");
		rs->status = (unsigned)(value[0] - '0') * 100 + (unsigned)(value[1] - '0') * 10 +
			     (unsigned)(value[2] - '0');
		rs->has_status = true;
		return 0;
	}
	rs->regular = true;
	why = check_regular(name, name_len, value, value_len, false, &rs->content_length,
			    &rs->has_content_length);
	return why ? resp_fail(rs, why) : 0;
}

int h3_resp_end(struct h3_resp *rs)
{
	if (rs->err)
		return rs->err;
	if (!rs->has_status)
		return resp_fail(rs, "missing :status");
	if (h3_status_class(rs->status) == H3_STATUS_INVALID)
		return resp_fail(rs, "status not allowed in HTTP/3");
	return 0;
}

bool h3_resp_no_content(unsigned status, bool head)
{
	return head || (status >= 100 && status < 200) || status == 204 || status == 304;
}
