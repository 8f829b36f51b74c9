/* http3/h3msg and http3/hfield: valid requests of every shape (plain,
 * OPTIONS *, CONNECT, extended CONNECT), every malformation of RFC 9114
 * 4.1-4.4 and RFC 9110 5 with its reason, Content-Length parsing and
 * the DATA total check, trailers, responses (:status, classes, which
 * HTTP/1.1 fields cross), and a randomized robustness run. */
#include <string.h>

#include "unit.h"
#include "http3/h3msg.h"
#include "http3/hfield.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define U8(s) ((const uint8_t *)(s))

/* Fields from "name", "value" string pairs ending with NULL. Values may
 * hold a NUL written as "\x00" only through field_n. */
static size_t fields_of(struct h3_field *f, size_t max, const char *const *kv)
{
	size_t n = 0;

	for (; kv[0]; kv += 2) {
		assert_true(n < max);
		f[n].name = U8(kv[0]);
		f[n].name_len = strlen(kv[0]);
		f[n].value = U8(kv[1]);
		f[n].value_len = strlen(kv[1]);
		n++;
	}
	return n;
}

static int req(struct h3_req *rq, const char *const *kv)
{
	struct h3_field f[32];

	return h3_req_check(rq, f, fields_of(f, ARRAY_SIZE(f), kv));
}

static bool str_is(const struct h3_str *s, const char *lit)
{
	return s->len == strlen(lit) && !memcmp(s->p, lit, s->len);
}

#define REQ(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define GET_HTTPS ":method", "GET", ":scheme", "https", ":authority", "example.com", ":path", "/"

/* --------------------------------------------------------------- tests */

static void test_valid_requests(void **state)
{
	struct h3_req rq;

	assert_int_equal(req(&rq, REQ(GET_HTTPS)), 0);
	assert_true(str_is(&rq.method, "GET"));
	assert_true(str_is(&rq.scheme, "https"));
	assert_true(str_is(&rq.authority, "example.com"));
	assert_true(str_is(&rq.path, "/"));
	assert_false(rq.connect);
	assert_false(rq.has_content_length);
	assert_null(rq.reason);

	assert_int_equal(req(&rq, REQ(":method", "POST", ":scheme", "https", ":authority",
				      "example.com:8443", ":path", "/a/b?c=d&e=%20", "host",
				      "example.com:8443", "content-length", "12", "content-type",
				      "text/plain", "te", "trailers", "x-empty", "",
				      "x-obs", "caf\xc3\xa9", "x-inner", "a \t b",
				      "content-length", "12")), 0);
	assert_true(rq.has_content_length);
	assert_int_equal(rq.content_length, 12);
	assert_true(str_is(&rq.host, "example.com:8443"));

	/* Host instead of :authority; an IPv6 literal; TE in any case */
	assert_int_equal(req(&rq, REQ(":method", "GET", ":scheme", "http", ":path", "/x",
				      "host", "[::1]:80", "te", "Trailers")), 0);
	assert_int_equal(rq.authority.len, 0);
	/* OPTIONS * */
	assert_int_equal(req(&rq, REQ(":method", "OPTIONS", ":scheme", "https", ":authority",
				      "a", ":path", "*")), 0);
	/* pseudo-headers in any order among themselves */
	assert_int_equal(req(&rq, REQ(":path", "/", ":authority", "a", ":scheme", "https",
				      ":method", "DELETE")), 0);
	/* a scheme without mandatory authority */
	assert_int_equal(req(&rq, REQ(":method", "GET", ":scheme", "urn+x-1.0", ":path",
				      "isbn:0451450523")), 0);
	/* CONNECT (4.4) */
	assert_int_equal(req(&rq, REQ(":method", "CONNECT", ":authority", "example.com:443")), 0);
	assert_true(rq.connect);
	assert_false(rq.extended_connect);
	/* extended CONNECT (RFC 9220) */
	assert_int_equal(req(&rq, REQ(":method", "CONNECT", ":protocol", "websocket", ":scheme",
				      "https", ":path", "/chat", ":authority", "example.com")), 0);
	assert_true(rq.connect);
	assert_true(rq.extended_connect);
	assert_true(str_is(&rq.protocol, "websocket"));
	/* Content-Length in list form, and the largest value */
	assert_int_equal(req(&rq, REQ(GET_HTTPS, "content-length", "7, 7,7")), 0);
	assert_int_equal(rq.content_length, 7);
	assert_int_equal(req(&rq, REQ(GET_HTTPS, "content-length", "18446744073709551615")), 0);
	assert_true(rq.content_length == UINT64_MAX);
	assert_int_equal(req(&rq, REQ(GET_HTTPS, "content-length", "007")), 0);
	assert_int_equal(rq.content_length, 7);

	/* field by field gives the same */
	h3_req_init(&rq);
	assert_int_equal(h3_req_field(&rq, U8(":method"), 7, U8("GET"), 3), 0);
	assert_int_equal(h3_req_field(&rq, U8(":scheme"), 7, U8("https"), 5), 0);
	assert_int_equal(h3_req_field(&rq, U8(":path"), 5, U8("/"), 1), 0);
	assert_int_equal(h3_req_field(&rq, U8("host"), 4, U8("h"), 1), 0);
	assert_int_equal(h3_req_end(&rq), 0);
}

static void test_malformed_requests(void **state)
{
	const struct {
		const char *const *kv;
		const char *reason;
	} cases[] = {
		{ REQ(":scheme", "https", ":path", "/", ":authority", "a"), "missing :method" },
		{ REQ(":method", "GET", ":path", "/", ":authority", "a"), "missing :scheme" },
		{ REQ(":method", "GET", ":scheme", "https", ":authority", "a"), "missing :path" },
		{ REQ(GET_HTTPS, ":method", "GET"), "repeated pseudo-header" },
		{ REQ(":method", "GET", ":method", "POST", ":scheme", "https", ":path", "/"),
		  "repeated pseudo-header" },
		{ REQ(GET_HTTPS, ":path", "/"), "repeated pseudo-header" },
		{ REQ(":method", "GET", "accept", "*/*", ":scheme", "https", ":path", "/",
		      ":authority", "a"), "pseudo-header after a regular field" },
		{ REQ(GET_HTTPS, ":foo", "x"), "unknown pseudo-header" },
		{ REQ(GET_HTTPS, ":Method", "GET"), "unknown pseudo-header" },
		{ REQ(":", "x", GET_HTTPS), "unknown pseudo-header" },
		{ REQ(GET_HTTPS, ":status", "200"), "response pseudo-header in a request" },
		{ REQ(GET_HTTPS, "Accept", "*/*"), "uppercase in field name" },
		{ REQ(GET_HTTPS, "x-A", "1"), "uppercase in field name" },
		{ REQ(GET_HTTPS, "a b", "1"), "invalid character in field name" },
		{ REQ(GET_HTTPS, "a:b", "1"), "invalid character in field name" },
		{ REQ(GET_HTTPS, "a\x7f", "1"), "invalid character in field name" },
		{ REQ(GET_HTTPS, "\xc3\xa9", "1"), "invalid character in field name" },
		{ REQ(GET_HTTPS, "a(b)", "1"), "invalid character in field name" },
		{ REQ(GET_HTTPS, "", "1"), "empty field name" },
		{ REQ(GET_HTTPS, "x", "a\rb"), "invalid field value" },
		{ REQ(GET_HTTPS, "x", "a\nb"), "invalid field value" },
		{ REQ(GET_HTTPS, "x", "a\r\nb"), "invalid field value" },
		{ REQ(GET_HTTPS, "x", " a"), "invalid field value" },
		{ REQ(GET_HTTPS, "x", "a "), "invalid field value" },
		{ REQ(GET_HTTPS, "x", "\ta"), "invalid field value" },
		{ REQ(GET_HTTPS, "x", "a\t"), "invalid field value" },
		{ REQ(GET_HTTPS, "x", " "), "invalid field value" },
		{ REQ(GET_HTTPS, "x", "a\x01"), "invalid field value" },
		{ REQ(GET_HTTPS, "x", "a\x7f"), "invalid field value" },
		{ REQ(GET_HTTPS, "x", "\x1b[31m"), "invalid field value" },
		{ REQ(GET_HTTPS, "connection", "close"), "connection-specific field" },
		{ REQ(GET_HTTPS, "keep-alive", "timeout=5"), "connection-specific field" },
		{ REQ(GET_HTTPS, "proxy-connection", "keep-alive"), "connection-specific field" },
		{ REQ(GET_HTTPS, "transfer-encoding", "chunked"), "connection-specific field" },
		{ REQ(GET_HTTPS, "upgrade", "websocket"), "connection-specific field" },
		{ REQ(GET_HTTPS, "te", "gzip"), "TE other than trailers" },
		{ REQ(GET_HTTPS, "te", "trailers, gzip"), "TE other than trailers" },
		{ REQ(GET_HTTPS, "te", ""), "TE other than trailers" },
		{ REQ(GET_HTTPS, "content-length", "+5"), "invalid content-length" },
		{ REQ(GET_HTTPS, "content-length", "-5"), "invalid content-length" },
		{ REQ(GET_HTTPS, "content-length", "5 5"), "invalid content-length" },
		{ REQ(GET_HTTPS, "content-length", ""), "invalid content-length" },
		{ REQ(GET_HTTPS, "content-length", "0x10"), "invalid content-length" },
		{ REQ(GET_HTTPS, "content-length", "1e3"), "invalid content-length" },
		{ REQ(GET_HTTPS, "content-length", "18446744073709551616"),
		  "invalid content-length" },
		{ REQ(GET_HTTPS, "content-length", "99999999999999999999999"),
		  "invalid content-length" },
		{ REQ(GET_HTTPS, "content-length", "5,6"), "invalid content-length" },
		{ REQ(GET_HTTPS, "content-length", "5,,5"), "invalid content-length" },
		{ REQ(GET_HTTPS, "content-length", "5,"), "invalid content-length" },
		{ REQ(GET_HTTPS, "content-length", ",5"), "invalid content-length" },
		{ REQ(GET_HTTPS, "content-length", "5", "content-length", "6"),
		  "conflicting content-length" },
		{ REQ(GET_HTTPS, "content-length", "5", "content-length", "05, 6"),
		  "invalid content-length" },
		{ REQ(GET_HTTPS, "host", "example.com", "host", "example.com"), "repeated host" },
		{ REQ(GET_HTTPS, "host", "example.org"), ":authority and host differ" },
		{ REQ(":method", "GET", ":scheme", "https", ":path", "/", ":authority", ""),
		  "invalid :authority" },
		{ REQ(":method", "GET", ":scheme", "https", ":path", "/", ":authority",
		      "user@example.com"), "invalid :authority" },
		{ REQ(":method", "GET", ":scheme", "https", ":path", "/", ":authority",
		      "a b"), "invalid :authority" },
		{ REQ(":method", "GET", ":scheme", "https", ":path", "/", ":authority",
		      "a/b"), "invalid :authority" },
		{ REQ(":method", "GET", ":scheme", "https", ":path", "/", "host", ""),
		  "invalid host" },
		{ REQ(":method", "GET", ":scheme", "https", ":path", "/", "host", "a?b"),
		  "invalid host" },
		{ REQ(":method", "GET", ":scheme", "https", ":path", "/"),
		  "missing :authority and host" },
		{ REQ(":method", "GET", ":scheme", "https", ":authority", "a", ":path", ""),
		  "empty :path" },
		{ REQ(":method", "GET", ":scheme", "https", ":authority", "a", ":path", "x"),
		  "invalid :path" },
		{ REQ(":method", "GET", ":scheme", "https", ":authority", "a", ":path", "*"),
		  "invalid :path" },
		{ REQ(":method", "GET", ":scheme", "https", ":authority", "a", ":path", "/a b"),
		  "invalid :path" },
		{ REQ(":method", "GET", ":scheme", "https", ":authority", "a", ":path", "/a#f"),
		  "invalid :path" },
		{ REQ(":method", "GET", ":scheme", "https", ":authority", "a", ":path",
		      "/caf\xc3\xa9"), "invalid :path" },
		{ REQ(":method", "GET", ":scheme", "https", ":authority", "a", ":path", "/\t"),
		  "invalid pseudo-header value" },
		{ REQ(":method", "GET", ":scheme", "https", ":authority", "a", ":path", "/\ta"),
		  "invalid :path" },
		{ REQ(":method", "GET", ":scheme", "https", ":authority", "a", ":path", "/\r\n"),
		  "invalid pseudo-header value" },
		{ REQ(":method", "G T", ":scheme", "https", ":authority", "a", ":path", "/"),
		  "invalid :method" },
		{ REQ(":method", "", ":scheme", "https", ":authority", "a", ":path", "/"),
		  "invalid :method" },
		{ REQ(":method", "GET", ":scheme", "1http", ":authority", "a", ":path", "/"),
		  "invalid :scheme" },
		{ REQ(":method", "GET", ":scheme", "ht tp", ":authority", "a", ":path", "/"),
		  "invalid :scheme" },
		{ REQ(":method", "GET", ":scheme", "", ":authority", "a", ":path", "/"),
		  "invalid :scheme" },
		{ REQ(GET_HTTPS, ":protocol", "websocket"), ":protocol without CONNECT" },
		{ REQ(":method", "CONNECT", ":authority", "a:443", ":scheme", "https"),
		  "CONNECT with :scheme or :path" },
		{ REQ(":method", "CONNECT", ":authority", "a:443", ":path", "/"),
		  "CONNECT with :scheme or :path" },
		{ REQ(":method", "CONNECT"), "CONNECT without :authority" },
		{ REQ(":method", "CONNECT", "host", "a:443"), "CONNECT without :authority" },
		{ REQ(":method", "CONNECT", ":authority", "a b"), "invalid :authority" },
		{ REQ(":method", "CONNECT", ":protocol", "websocket", ":scheme", "https", ":path",
		      "/"), "extended CONNECT without :authority" },
		{ REQ(":method", "CONNECT", ":protocol", "websocket", ":scheme", "https",
		      ":authority", "a"), "missing :path" },
		{ REQ(":method", "CONNECT", ":protocol", "websocket", ":path", "/", ":authority",
		      "a"), "missing :scheme" },
		{ REQ(":method", "CONNECT", ":protocol", "web socket", ":scheme", "https", ":path",
		      "/", ":authority", "a"), "invalid :protocol" },
		/* CONNECT is case-sensitive: "connect" is another method, and
		 * needs :scheme and :path */
		{ REQ(":method", "connect", ":authority", "a:443"), "missing :scheme" },
	};
	struct h3_req rq;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		print_message("  case %zu: %s\n", i, cases[i].reason);
		assert_int_equal(req(&rq, cases[i].kv), H3_MESSAGE_ERROR);
		assert_non_null(rq.reason);
		assert_string_equal(rq.reason, cases[i].reason);
	}

	/* NUL inside a value or name (strings cannot hold it) */
	static const uint8_t nul_val[] = { 'a', 0, 'b' };
	h3_req_init(&rq);
	assert_int_equal(h3_req_field(&rq, U8(":method"), 7, U8("GET"), 3), 0);
	assert_int_equal(h3_req_field(&rq, U8("x"), 1, nul_val, 3), H3_MESSAGE_ERROR);
	assert_string_equal(rq.reason, "invalid field value");
	h3_req_init(&rq);
	assert_int_equal(h3_req_field(&rq, nul_val, 3, U8("v"), 1), H3_MESSAGE_ERROR);
	assert_string_equal(rq.reason, "invalid character in field name");
	h3_req_init(&rq);
	assert_int_equal(h3_req_field(&rq, U8(":path"), 5, nul_val, 3), H3_MESSAGE_ERROR);

	/* sticky: the first reason stays */
	h3_req_init(&rq);
	assert_int_equal(h3_req_field(&rq, U8("Bad"), 3, U8("v"), 1), H3_MESSAGE_ERROR);
	assert_int_equal(h3_req_field(&rq, U8(":method"), 7, U8("GET"), 3), H3_MESSAGE_ERROR);
	assert_int_equal(h3_req_end(&rq), H3_MESSAGE_ERROR);
	assert_string_equal(rq.reason, "uppercase in field name");
}

static void test_trailers_and_body(void **state)
{
	const char *why = NULL;

	assert_int_equal(h3_trailer_field(U8("x-checksum"), 10, U8("abc"), 3, &why), 0);
	assert_null(why);
	assert_int_equal(h3_trailer_field(U8(":path"), 5, U8("/"), 1, &why), H3_MESSAGE_ERROR);
	assert_string_equal(why, "pseudo-header in trailers");
	assert_int_equal(h3_trailer_field(U8("X"), 1, U8("1"), 1, &why), H3_MESSAGE_ERROR);
	assert_string_equal(why, "uppercase in field name");
	assert_int_equal(h3_trailer_field(U8("connection"), 10, U8("x"), 1, &why),
			 H3_MESSAGE_ERROR);
	assert_int_equal(h3_trailer_field(U8("x"), 1, U8("a\n"), 2, &why), H3_MESSAGE_ERROR);

	/* DATA against Content-Length (4.1.2) */
	why = NULL;
	assert_int_equal(h3_msg_body_check(false, 0, 1000, true, &why), 0);
	assert_int_equal(h3_msg_body_check(true, 5, 0, false, &why), 0);
	assert_int_equal(h3_msg_body_check(true, 5, 5, false, &why), 0);
	assert_int_equal(h3_msg_body_check(true, 5, 5, true, &why), 0);
	assert_int_equal(h3_msg_body_check(true, 0, 0, true, &why), 0);
	assert_null(why);
	assert_int_equal(h3_msg_body_check(true, 5, 3, true, &why), H3_MESSAGE_ERROR);
	assert_string_equal(why, "less content than content-length");
	assert_int_equal(h3_msg_body_check(true, 5, 6, false, &why), H3_MESSAGE_ERROR);
	assert_string_equal(why, "more content than content-length");
	assert_int_equal(h3_msg_body_check(true, 0, 1, false, &why), H3_MESSAGE_ERROR);
	assert_int_equal(h3_msg_body_check(true, UINT64_MAX, UINT64_MAX, true, &why), 0);
}

static int resp(struct h3_resp *rs, const char *const *kv)
{
	struct h3_field f[16];
	size_t n = fields_of(f, ARRAY_SIZE(f), kv);

	h3_resp_init(rs);
	for (size_t i = 0; i < n; i++)
		if (h3_resp_field(rs, f[i].name, f[i].name_len, f[i].value, f[i].value_len))
			return rs->err;
	return h3_resp_end(rs);
}

static void test_responses(void **state)
{
	const struct {
		const char *const *kv;
		const char *reason;
	} bad[] = {
		{ REQ("content-type", "x"), "missing :status" },
		{ REQ(":status", "20"), "invalid :status" },
		{ REQ(":status", "2000"), "invalid :status" },
		{ REQ(":status", "2o0"), "invalid :status" },
		{ REQ(":status", " 200"), "invalid :status" },
		{ REQ(":status", "200", ":status", "200"), "repeated :status" },
		{ REQ("server", "x", ":status", "200"), "pseudo-header after a regular field" },
		{ REQ(":status", "200", ":path", "/"), "request pseudo-header in a response" },
		{ REQ(":method", "GET"), "request pseudo-header in a response" },
		{ REQ(":status", "200", ":x", "1"), "unknown pseudo-header" },
		{ REQ(":status", "200", "te", "trailers"), "TE in a response" },
		{ REQ(":status", "200", "transfer-encoding", "chunked"),
		  "connection-specific field" },
		{ REQ(":status", "200", "Server", "x"), "uppercase in field name" },
		{ REQ(":status", "200", "content-length", "1", "content-length", "2"),
		  "conflicting content-length" },
		{ REQ(":status", "101"), "status not allowed in HTTP/3" },
		{ REQ(":status", "099"), "status not allowed in HTTP/3" },
		{ REQ(":status", "600"), "status not allowed in HTTP/3" },
		{ REQ(":status", "000"), "status not allowed in HTTP/3" },
	};
	struct h3_resp rs;

	assert_int_equal(resp(&rs, REQ(":status", "200", "content-type", "text/html",
				       "content-length", "42")), 0);
	assert_int_equal(rs.status, 200);
	assert_true(rs.has_content_length);
	assert_int_equal(rs.content_length, 42);
	assert_int_equal(resp(&rs, REQ(":status", "103", "link", "</a.css>; rel=preload")), 0);
	assert_int_equal(rs.status, 103);
	assert_int_equal(resp(&rs, REQ(":status", "599")), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		print_message("  case %zu: %s\n", i, bad[i].reason);
		assert_int_equal(resp(&rs, bad[i].kv), H3_MESSAGE_ERROR);
		assert_string_equal(rs.reason, bad[i].reason);
	}

	assert_int_equal(h3_status_class(0), H3_STATUS_INVALID);
	assert_int_equal(h3_status_class(99), H3_STATUS_INVALID);
	assert_int_equal(h3_status_class(100), H3_STATUS_INTERIM);
	assert_int_equal(h3_status_class(101), H3_STATUS_INVALID);
	assert_int_equal(h3_status_class(102), H3_STATUS_INTERIM);
	assert_int_equal(h3_status_class(103), H3_STATUS_INTERIM);
	assert_int_equal(h3_status_class(199), H3_STATUS_INTERIM);
	assert_int_equal(h3_status_class(200), H3_STATUS_FINAL);
	assert_int_equal(h3_status_class(204), H3_STATUS_FINAL);
	assert_int_equal(h3_status_class(599), H3_STATUS_FINAL);
	assert_int_equal(h3_status_class(600), H3_STATUS_INVALID);
	assert_int_equal(h3_status_class(999), H3_STATUS_INVALID);

	assert_true(h3_resp_no_content(100, false));
	assert_true(h3_resp_no_content(204, false));
	assert_true(h3_resp_no_content(304, false));
	assert_true(h3_resp_no_content(200, true));
	assert_false(h3_resp_no_content(200, false));
	assert_false(h3_resp_no_content(205, false));
	assert_false(h3_resp_no_content(404, false));

	static const char conn[] = "close, X-Secret ,,keep-alive";
	size_t cl = strlen(conn);

	assert_true(h3_h1_field_forward(U8("Content-Type"), 12, U8(conn), cl));
	assert_true(h3_h1_field_forward(U8("x-secret2"), 9, U8(conn), cl));
	assert_false(h3_h1_field_forward(U8("x-secret"), 8, U8(conn), cl));
	assert_false(h3_h1_field_forward(U8("X-SECRET"), 8, U8(conn), cl));
	assert_false(h3_h1_field_forward(U8("Connection"), 10, NULL, 0));
	assert_false(h3_h1_field_forward(U8("Keep-Alive"), 10, NULL, 0));
	assert_false(h3_h1_field_forward(U8("proxy-connection"), 16, NULL, 0));
	assert_false(h3_h1_field_forward(U8("Transfer-Encoding"), 17, NULL, 0));
	assert_false(h3_h1_field_forward(U8("UPGRADE"), 7, NULL, 0));
	assert_false(h3_h1_field_forward(U8("TE"), 2, NULL, 0));
	assert_true(h3_h1_field_forward(U8("trailer"), 7, NULL, 0));
	assert_true(h3_h1_field_forward(U8("close"), 5, NULL, 0));
}

static void test_hfield(void **state)
{
	uint64_t v = 0;

	/* character classes against RFC 9110 5.6.2 */
	for (unsigned c = 0; c < 256; c++) {
		bool tchar = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			     (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", (int)c));
		bool vchar = (c >= 0x21 && c <= 0x7e) || c >= 0x80;
		uint8_t b = (uint8_t)c;

		assert_int_equal(hfield_is(b, HFIELD_TCHAR), tchar);
		assert_int_equal(hfield_is(b, HFIELD_VCHAR), vchar);
		assert_int_equal(hfield_is(b, HFIELD_WS), c == ' ' || c == '\t');
		assert_int_equal(hfield_is(b, HFIELD_UPPER), c >= 'A' && c <= 'Z');
		assert_int_equal(hfield_is(b, HFIELD_HEX), (c >= '0' && c <= '9') ||
				 (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
		assert_int_equal(hfield_token(&b, 1), tchar);
		assert_int_equal(hfield_value(&b, 1), vchar);
	}
	assert_false(hfield_token(U8(""), 0));
	assert_true(hfield_value(U8(""), 0));
	assert_true(hfield_eq_ci(U8("Content-LENGTH"), 14, "content-length"));
	assert_false(hfield_eq_ci(U8("content-lengt"), 13, "content-length"));
	assert_false(hfield_eq_ci(U8("content-lengths"), 15, "content-length"));
	assert_false(hfield_eq_ci(U8("k"), 1, "\x4b"));   /* literals are lowercase */

	static const struct {
		const char *s;
		int ok;
		uint64_t v;
	} cls[] = {
		{ "0", 0, 0 }, { "1", 0, 1 }, { "00000000000000000000000042", 0, 42 },
		{ "18446744073709551615", 0, UINT64_MAX }, { "18446744073709551616", -1, 0 },
		{ "18446744073709551620", -1, 0 }, { "184467440737095516150", -1, 0 },
		{ "42,42", 0, 42 }, { "42 , 42", 0, 42 }, { "42,\t42, 042", 0, 42 },
		{ "", -1, 0 }, { "+1", -1, 0 }, { "-0", -1, 0 }, { " 1", -1, 0 },
		{ "1 ", -1, 0 }, { "1 2", -1, 0 }, { "1,2", -1, 0 }, { "1,", -1, 0 },
		{ ",1", -1, 0 }, { "1,,1", -1, 0 }, { "1, ,1", -1, 0 }, { "0x1", -1, 0 },
		{ "1.0", -1, 0 }, { "\xd9\xa1", -1, 0 }, { "1;q=1", -1, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cls); i++) {
		print_message("  content-length \"%s\"\n", cls[i].s);
		assert_int_equal(hfield_content_length(U8(cls[i].s), strlen(cls[i].s), &v),
				 cls[i].ok);
		if (!cls[i].ok)
			assert_true(v == cls[i].v);
	}

	/* lists */
	const char *list = " a ,, b\t,c d ,";
	const uint8_t *p = U8(list), *el;
	size_t len;
	const char *want[] = { "a", "b", "c d" };

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		assert_true(hfield_list_next(&p, U8(list) + strlen(list), &el, &len));
		assert_int_equal(len, strlen(want[i]));
		assert_memory_equal(el, want[i], len);
	}
	assert_false(hfield_list_next(&p, U8(list) + strlen(list), &el, &len));
	assert_true(hfield_connection_lists(U8("a, B"), 4, U8("b"), 1));
	assert_false(hfield_connection_lists(U8("a, B"), 4, U8("c"), 1));
	assert_false(hfield_connection_lists(U8("ab"), 2, U8("a"), 1));
	assert_false(hfield_connection_lists(NULL, 0, U8("a"), 1));
}

/* 20,000 random and mutated header sections: no crash, no read outside
 * the fields (each sits at the end of its own array for ASan), and what
 * is accepted holds what the rules promise. */
static void test_robustness(void **state)
{
	static const char *const names[] = {
		":method", ":scheme", ":authority", ":path", ":protocol", ":status", ":foo",
		"host", "content-length", "te", "connection", "transfer-encoding", "cookie",
		"accept", "x-a", "Host", "a b", "", ":",
	};
	static const char *const values[] = {
		"GET", "CONNECT", "OPTIONS", "https", "http", "example.com", "a:1", "/", "*",
		"/x?y", "trailers", "5", "5, 5", "6", "", " x", "x\r\n", "websocket", "a@b",
		"18446744073709551616",
	};
	static uint8_t nbuf[24][32], vbuf[24][64];
	uint64_t rng = 0x1234567887654321u;
	size_t ok = 0, bad = 0;

	for (unsigned iter = 0; iter < 20000; iter++) {
		struct h3_field f[24];
		size_t n = 1 + unit_xorshift64(&rng) % 10;
		struct h3_req rq;
		struct h3_resp rs;

		/* mostly a valid base, sometimes shuffled or mutated */
		for (size_t i = 0; i < n; i++) {
			const char *nm, *vl;
			size_t nl, vlen;

			if (i < 4 && unit_xorshift64(&rng) % 8) {
				static const char *const base[4][2] = {
					{ ":method", "GET" }, { ":scheme", "https" },
					{ ":authority", "a.example" }, { ":path", "/p" },
				};
				nm = base[i][0];
				vl = base[i][1];
			} else if (i >= 4 && unit_xorshift64(&rng) % 2) {
				nm = "accept";
				vl = "*/*";
			} else {
				nm = names[unit_xorshift64(&rng) % ARRAY_SIZE(names)];
				vl = values[unit_xorshift64(&rng) % ARRAY_SIZE(values)];
			}
			nl = strlen(nm);
			vlen = strlen(vl);
			uint8_t *np = nbuf[i] + sizeof(nbuf[i]) - nl;
			uint8_t *vp = vbuf[i] + sizeof(vbuf[i]) - vlen;

			memcpy(np, nm, nl);
			memcpy(vp, vl, vlen);
			if (vlen && unit_xorshift64(&rng) % 16 == 0)
				vp[unit_xorshift64(&rng) % vlen] = (uint8_t)unit_xorshift64(&rng);
			if (nl && unit_xorshift64(&rng) % 32 == 0)
				np[unit_xorshift64(&rng) % nl] = (uint8_t)unit_xorshift64(&rng);
			f[i] = (struct h3_field){ np, nl, vp, vlen };
		}
		if (h3_req_check(&rq, f, n) == 0) {
			ok++;
			assert_null(rq.reason);
			assert_true(rq.method.len > 0);
			if (!rq.connect || rq.extended_connect) {
				assert_true(rq.scheme.len > 0 && rq.path.len > 0);
				for (size_t k = 0; k < rq.path.len; k++)
					assert_true(rq.path.p[k] > 0x20 && rq.path.p[k] < 0x7f);
			} else {
				assert_true(rq.authority.len > 0);
				assert_int_equal(rq.path.len, 0);
			}
			for (size_t i = 0; i < n; i++) {
				assert_true(f[i].name_len > 0);
				for (size_t k = 0; k < f[i].name_len; k++)
					assert_false(f[i].name[k] >= 'A' && f[i].name[k] <= 'Z');
				for (size_t k = 0; k < f[i].value_len; k++)
					assert_true(!memchr("\r\n", f[i].value[k], 3));
			}
		} else {
			bad++;
			assert_int_equal(rq.err, H3_MESSAGE_ERROR);
			assert_non_null(rq.reason);
		}
		h3_resp_init(&rs);
		for (size_t i = 0; i < n; i++)
			h3_resp_field(&rs, f[i].name, f[i].name_len, f[i].value, f[i].value_len);
		if (h3_resp_end(&rs) == 0)
			assert_true(rs.status >= 100 && rs.status <= 599 && rs.status != 101);

		/* Content-Length on random bytes from a small alphabet */
		uint8_t cl[24];
		size_t cn = unit_xorshift64(&rng) % sizeof(cl);
		uint64_t v;

		for (size_t k = 0; k < cn; k++)
			cl[k] = (uint8_t)"0123456789 ,+-\t9x"[unit_xorshift64(&rng) % 17];
		uint8_t *cp = vbuf[0] + sizeof(vbuf[0]) - cn;

		memcpy(cp, cl, cn);
		if (hfield_content_length(cp, cn, &v) == 0) {
			assert_true(hfield_is(cp[0], HFIELD_DIGIT));
			assert_true(hfield_is(cp[cn - 1], HFIELD_DIGIT));
			for (size_t k = 0; k < cn; k++)
				assert_true(hfield_is(cp[k], HFIELD_DIGIT | HFIELD_WS) ||
					    cp[k] == ',');
		}
	}
	print_message("  %zu requests accepted, %zu refused\n", ok, bad);
	assert_true(ok > 1000);
	assert_true(bad > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_valid_requests),
		UNIT_TEST(test_malformed_requests),
		UNIT_TEST(test_trailers_and_body),
		UNIT_TEST(test_responses),
		UNIT_TEST(test_hfield),
		UNIT_TEST(test_robustness),
	};

	return cmocka_run_group_tests_name("h3msg", tests, NULL, NULL);
}
