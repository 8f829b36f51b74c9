/* term/h1parse: responses with every body framing (Content-Length,
 * chunked with extensions and trailers, none, until close), interim
 * responses, keep-alive, every error with its reason, every limit at its
 * boundary, and for each of them the same events whether the input comes
 * whole, cut at any byte, or a byte at a time; then a randomized run of
 * 20,000 mutated responses fed in random pieces. */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "term/h1parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ the trace */

/* The events of one run as text that does not depend on how the input
 * was cut: body bytes are logged one at a time, the end with the number
 * of bytes the response took. */
struct trace {
	char b[32 * 1024];
	size_t n;
	const char *reason;   /* the error, or NULL */
	bool done;
	size_t used;          /* bytes taken when DONE came */
	size_t body;          /* body bytes */
	bool keep_alive;
	enum h1_body framing;
};

static void tr_put(struct trace *t, const void *p, size_t n)
{
	assert_true(t->n + n <= sizeof(t->b));
	memcpy(t->b + t->n, p, n);
	t->n += n;
}

static void tr_printf(struct trace *t, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(tmp));
	tr_put(t, tmp, (size_t)n);
}

static uint8_t line[4096];

/* Feed in[0..len) in the pieces cuts[] makes (sorted offsets), then EOF
 * if eof. The parser uses a line buffer of cap bytes. */
static void run_cap(struct trace *t, const void *input, size_t len, bool head, const size_t *cuts,
		    size_t ncuts, bool eof, size_t cap)
{
	const uint8_t *in = input;
	struct h1_parser p;
	struct h1_event e;
	size_t at = 0;
	enum h1_ev ev = H1_EV_NONE;

	memset(t, 0, sizeof(*t));
	h1_parser_init(&p, line, cap, head);
	for (size_t c = 0; c <= ncuts; c++) {
		size_t end = c < ncuts ? cuts[c] : len;

		for (;;) {
			size_t used = 12345;

			ev = h1_parse(&p, in + at, end - at, &used, &e);
			if (ev == H1_EV_ERROR)
				break;
			assert_true(used <= end - at);
			if (ev == H1_EV_DONE) {
				at += used;
				break;
			}
			at += used;
			switch (ev) {
			case H1_EV_NONE:
				assert_int_equal(at, end);
				break;
			case H1_EV_STATUS:
				tr_printf(t, "S%u/1.%u%c[", e.status.code, e.status.minor,
					  e.status.interim ? 'i' : 'f');
				tr_put(t, e.status.reason, e.status.reason_len);
				tr_put(t, "]\n", 2);
				break;
			case H1_EV_FIELD:
			case H1_EV_TRAILER:
				tr_put(t, ev == H1_EV_FIELD ? "F" : "T", 1);
				tr_put(t, e.field.name, e.field.name_len);
				tr_put(t, "=", 1);
				tr_put(t, e.field.value, e.field.value_len);
				tr_put(t, "\n", 1);
				break;
			case H1_EV_HEADERS_DONE:
				tr_printf(t, "H%u b%d l%llu %s%s\n", e.headers.code, e.headers.body,
					  (unsigned long long)e.headers.length,
					  e.headers.interim ? "interim" : "final",
					  e.headers.keep_alive ? " ka" : "");
				if (!e.headers.interim) {
					t->keep_alive = e.headers.keep_alive;
					t->framing = e.headers.body;
				}
				break;
			case H1_EV_BODY:
				/* a slice of the input, never empty */
				assert_true(e.body.len > 0);
				assert_true(e.body.p >= in && e.body.p + e.body.len <= in + at);
				assert_ptr_equal(e.body.p + e.body.len, in + at);
				for (size_t i = 0; i < e.body.len; i++)
					tr_put(t, "b", 1), tr_put(t, &e.body.p[i], 1);
				t->body += e.body.len;
				break;
			default:
				fail_msg("event %d", ev);
			}
			if (ev == H1_EV_NONE)
				break;
		}
		if (ev == H1_EV_ERROR || ev == H1_EV_DONE)
			break;
	}
	if (ev != H1_EV_ERROR && ev != H1_EV_DONE && eof)
		ev = h1_parse_eof(&p, &e);
	if (ev == H1_EV_ERROR) {
		assert_non_null(e.reason);
		t->reason = e.reason;
		tr_printf(t, "E:%s", e.reason);
		/* sticky */
		size_t used;

		assert_int_equal(h1_parse(&p, in, len, &used, &e), H1_EV_ERROR);
		assert_string_equal(e.reason, t->reason);
		assert_int_equal(h1_parse_eof(&p, &e), H1_EV_ERROR);
	} else if (ev == H1_EV_DONE) {
		t->done = true;
		t->used = at;
		tr_printf(t, "D%zu", at);
		/* DONE again, taking nothing */
		size_t used = 99;

		assert_int_equal(h1_parse(&p, in + at, len - at, &used, &e), H1_EV_DONE);
		assert_int_equal(used, 0);
	} else {
		tr_put(t, "...", 3);
	}
}

static void run(struct trace *t, const void *in, size_t len, bool head, const size_t *cuts,
		size_t ncuts, bool eof)
{
	run_cap(t, in, len, head, cuts, ncuts, eof, sizeof(line));
}

static void assert_same(const struct trace *a, const struct trace *b)
{
	if (a->n != b->n || memcmp(a->b, b->b, a->n))
		fail_msg("traces differ:\n%.*s\n---\n%.*s", (int)a->n, a->b, (int)b->n, b->b);
}

/* The same trace for in cut at every byte, a byte at a time, and (for
 * short inputs) at every pair of points. */
static void check_splits_cap(const void *in, size_t len, bool head, bool eof, size_t cap)
{
	static struct trace whole, part;
	static size_t cuts[8192];

	run_cap(&whole, in, len, head, NULL, 0, eof, cap);
	for (size_t c = 0; c <= len; c++) {
		cuts[0] = c;
		run_cap(&part, in, len, head, cuts, 1, eof, cap);
		assert_same(&whole, &part);
	}
	assert_true(len <= ARRAY_SIZE(cuts));
	for (size_t c = 0; c < len; c++)
		cuts[c] = c + 1;
	run_cap(&part, in, len, head, cuts, len ? len - 1 : 0, eof, cap);
	assert_same(&whole, &part);
	if (len <= 120)
		for (size_t a = 0; a <= len; a++)
			for (size_t b = a; b <= len; b++) {
				cuts[0] = a;
				cuts[1] = b;
				run_cap(&part, in, len, head, cuts, 2, eof, cap);
				assert_same(&whole, &part);
			}
}

static void check_splits(const void *in, size_t len, bool head, bool eof)
{
	check_splits_cap(in, len, head, eof, sizeof(line));
}

/* Run s whole and split; the trace must be want (exactly). */
static void expect(const char *s, bool head, bool eof, const char *want)
{
	static struct trace t;

	print_message("  %.60s\n", want);
	run(&t, s, strlen(s), head, NULL, 0, eof);
	if (t.n != strlen(want) || memcmp(t.b, want, t.n))
		fail_msg("trace:\n%.*s\nwanted:\n%s", (int)t.n, t.b, want);
	check_splits(s, strlen(s), head, eof);
}

/* Run s; it must fail with reason why (after any events). */
static void expect_error(const char *s, size_t len, bool head, bool eof, const char *why)
{
	static struct trace t;

	print_message("  error: %s\n", why);
	run(&t, s, len, head, NULL, 0, eof);
	if (!t.reason)
		fail_msg("no error for: %.*s (trace %.*s)", (int)len, s, (int)t.n, t.b);
	assert_string_equal(t.reason, why);
	check_splits(s, len, head, eof);
}

#define EXPECT_ERROR(s, why) expect_error(s, sizeof(s) - 1, false, true, why)

/* --------------------------------------------------------------- tests */

static void test_content_length(void **state)
{
	expect("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello", false, false,
	       "S200/1.1f[OK]\nFContent-Length=5\nFServer=x\nH200 b1 l5 final ka\n"
	       "bhbeblblbo" "D54");
	/* OWS around values removed; empty values; obs-text; repeated equal
	 * lengths; a reason with spaces; no reason at all */
	expect("HTTP/1.1 404 Not  Found \r\nA:\t x y \t\r\nB:\r\nC: \xe9\r\n"
	       "content-length: 2\r\nCONTENT-LENGTH: 2, 2\r\n\r\nokEXTRA", false, false,
	       "S404/1.1f[Not  Found ]\nFA=x y\nFB=\nFC=\xe9\nFcontent-length=2\n"
	       "FCONTENT-LENGTH=2, 2\nH404 b1 l2 final ka\nbobk" "D92");
	expect("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false, false,
	       "S200/1.1f[]\nFContent-Length=0\nH200 b1 l0 final ka\nD35");
	expect("HTTP/1.1 200 \r\nContent-Length: 00\r\n\r\n", false, false,
	       "S200/1.1f[]\nFContent-Length=00\nH200 b1 l0 final ka\nD37");
	/* short body at EOF */
	expect("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", false, true,
	       "S200/1.1f[OK]\nFContent-Length=5\nH200 b1 l5 final ka\nbhbebl"
	       "E:connection closed inside the response");
	/* HTTP/1.0 keeps the connection only with keep-alive; Connection:
	 * close ends it in 1.1 */
	expect("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", false, false,
	       "S200/1.0f[OK]\nFContent-Length=1\nH200 b1 l1 final\nbxD39");
	expect("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx", false,
	       false,
	       "S200/1.0f[OK]\nFConnection=Keep-Alive\nFContent-Length=1\nH200 b1 l1 final ka\n"
	       "bxD63");
	expect("HTTP/1.1 200 OK\r\nConnection: foo, close\r\nContent-Length: 1\r\n\r\nx", false,
	       false,
	       "S200/1.1f[OK]\nFConnection=foo, close\nFContent-Length=1\nH200 b1 l1 final\n"
	       "bxD63");
}

static void test_chunked(void **state)
{
	expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "5\r\nhello\r\n1;a=b\r\n!\r\n0\r\n\r\n", false, false,
	       "S200/1.1f[OK]\nFTransfer-Encoding=chunked\nH200 b2 l0 final ka\n"
	       "bhbeblblbob!D72");
	/* hex digits in both cases, leading zeros (16 digits), trailers */
	expect("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
	       "A\r\n0123456789\r\n000000000000000b\r\nabcdefghijk\r\n"
	       "000\r\nX-Sum: 1\r\nX-Empty:\r\n\r\n", false, false,
	       "S200/1.1f[OK]\nFtransfer-encoding=Chunked\nH200 b2 l0 final ka\n"
	       "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfbgbhbibjbkTX-Sum=1\nTX-Empty=\nD120");
	/* chunk extensions of every form */
	expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "1;a\r\nx\r\n1 ;a\r\nx\r\n1; a\r\nx\r\n1;a=b;c\r\nx\r\n1;a = b\r\nx\r\n"
	       "1;a=\"q \\\" ;\"\r\nx\r\n1;a=\"\"\r\nx\r\n1\t;\tn=v\t;m\r\nx\r\n"
	       "0;last=\"\xff\"\r\n\r\n", false, false,
	       "S200/1.1f[OK]\nFTransfer-Encoding=chunked\nH200 b2 l0 final ka\n"
	       "bxbxbxbxbxbxbxbxD154");
	/* a chunk split across pieces, zero-length body */
	expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, false,
	       "S200/1.1f[OK]\nFTransfer-Encoding=chunked\nH200 b2 l0 final ka\nD52");
	/* TE repeated across fields: still one chunked */
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		     "Transfer-Encoding: chunked\r\n\r\n", "transfer coding after chunked");
	/* the largest chunk size: data runs until EOF, then truncated */
	expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nab",
	       false, true,
	       "S200/1.1f[OK]\nFTransfer-Encoding=chunked\nH200 b2 l0 final ka\nbabb"
	       "E:connection closed inside the response");
	/* missing final CRLF after the trailers: truncated */
	expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: b\r\n", false, true,
	       "S200/1.1f[OK]\nFTransfer-Encoding=chunked\nH200 b2 l0 final ka\nTA=b\n"
	       "E:connection closed inside the response");
}

static void test_chunked_errors(void **state)
{
	static char buf[1024];
	const char *hdr = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	static const struct {
		const char *body;
		const char *why;
	} cases[] = {
		{ "zz\r\n", "invalid chunk size" },
		{ "\r\n", "invalid chunk size" },
		{ ";a\r\n", "invalid chunk size" },
		{ "-1\r\n", "invalid chunk size" },
		{ "+1\r\n", "invalid chunk size" },
		{ "0x5\r\n", "invalid chunk size" },
		{ "5\n", "bare LF (lines end in CR LF)" },
		{ "5\rhello", "CR without LF after chunk size" },
		{ "5;a\n", "invalid chunk extension" },
		{ "10000000000000000\r\n", "chunk size too long" },
		{ "00000000000000001\r\n", "chunk size too long" },
		{ "fffffffffffffffff\r\n", "chunk size too long" },
		{ "5\r\nhelloX\r\n", "missing CRLF after chunk data" },
		{ "5\r\nhello\rX", "missing CRLF after chunk data" },
		{ "5\r\nhello\n0\r\n\r\n", "missing CRLF after chunk data" },
		{ "5\r\nhello\r\r\n", "missing CRLF after chunk data" },
		{ "5 \r\n", "invalid chunk extension" },
		{ "5;\r\n", "invalid chunk extension" },
		{ "5;a=\r\n", "invalid chunk extension" },
		{ "5;=b\r\n", "invalid chunk extension" },
		{ "5;a b\r\n", "invalid chunk extension" },
		{ "5;a=b c\r\n", "invalid chunk extension" },
		{ "5;a=\"x\r\n", "invalid chunk extension" },
		{ "5;a=\"x\"y\r\n", "invalid chunk extension" },
		{ "5;a=\"\x01\"\r\n", "invalid chunk extension" },
		{ "5;a=\"\\\x01\"\r\n", "invalid chunk extension" },
		{ "5;a@=b\r\n", "invalid chunk extension" },
		{ "5;a=b@\r\n", "invalid chunk extension" },
		{ "5 ;a \r\n", "invalid chunk extension" },
		{ "0\r\n\n", "bare LF (lines end in CR LF)" },
		{ "0\r\nA: b\r\n c\r\n\r\n", "obs-fold (line folding)" },
		{ "0\r\n A: b\r\n\r\n", "whitespace before the first field" },
		{ "0\r\nA : b\r\n\r\n", "whitespace before the colon" },
		{ "0\r\nA: \x7f\r\n\r\n", "invalid character in field value" },
		{ "0\r\nAb\r\n\r\n", "field line without a colon" },
		{ "0\r\nX\r\n", "field line without a colon" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = (size_t)snprintf(buf, sizeof(buf), "%s%s", hdr, cases[i].body);

		expect_error(buf, n, false, true, cases[i].why);
	}

	/* extensions up to the limit pass, one byte more fails */
	size_t h = strlen(hdr);

	for (int extra = 0; extra <= 1; extra++) {
		size_t n = h;

		memcpy(buf, hdr, h);
		buf[n++] = '1';
		buf[n++] = ';';
		for (size_t k = 1; k < CONFIG_TERM_H1_CHUNK_EXT_MAX + (size_t)extra; k++)
			buf[n++] = 'e';
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\nx\r\n0\r\n\r\n");
		if (CONFIG_TERM_H1_CHUNK_EXT_MAX == 0) {
			expect_error(buf, n, false, true, "chunk extension too long");
			break;
		}
		if (extra) {
			expect_error(buf, n, false, true, "chunk extension too long");
		} else {
			static struct trace t;

			run(&t, buf, n, false, NULL, 0, true);
			assert_null(t.reason);
			assert_true(t.done);
			assert_int_equal(t.body, 1);
			check_splits(buf, n, false, true);
		}
	}
}

static void test_no_body(void **state)
{
	/* 204, 304 and HEAD: framing fields checked, no body taken */
	expect("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nHTTP", false, false,
	       "S204/1.1f[No Content]\nFContent-Length=5\nH204 b0 l0 final ka\nD46");
	expect("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", false, false,
	       "S304/1.1f[Not Modified]\nFTransfer-Encoding=chunked\nH304 b0 l0 final ka\nD57");
	expect("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", true, false,
	       "S200/1.1f[OK]\nFContent-Length=1000\nH200 b0 l0 final ka\nD41");
	expect("HTTP/1.1 200 OK\r\n\r\n", true, false, "S200/1.1f[OK]\nH200 b0 l0 final ka\nD19");
	/* interim responses, then the final one */
	expect("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
	       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", false, false,
	       "S100/1.1i[Continue]\nH100 b0 l0 interim ka\n"
	       "S103/1.1i[Early Hints]\nFLink=</s.css>\nH103 b0 l0 interim ka\n"
	       "S200/1.1f[OK]\nFContent-Length=2\nH200 b1 l2 final ka\nbhbiD109");
	/* an interim response to HEAD is still interim */
	expect("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", true,
	       false,
	       "S100/1.1i[Continue]\nH100 b0 l0 interim ka\n"
	       "S200/1.1f[OK]\nFContent-Length=2\nH200 b0 l0 final ka\nD63");
	/* EOF after an interim response: truncated */
	expect("HTTP/1.1 100 Continue\r\n\r\n", false, true,
	       "S100/1.1i[Continue]\nH100 b0 l0 interim ka\n"
	       "E:connection closed inside the response");
}

static void test_until_close(void **state)
{
	expect("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nabc", false, true,
	       "S200/1.1f[OK]\nFServer=x\nH200 b3 l0 final\nbabbbcD33");
	expect("HTTP/1.0 200 OK\r\n\r\n", false, true, "S200/1.0f[OK]\nH200 b3 l0 final\nD19");
	expect("HTTP/1.1 500 Oops\r\n\r\n", false, true,
	       "S500/1.1f[Oops]\nH500 b3 l0 final\nD21");
}

static void test_errors(void **state)
{
	EXPECT_ERROR("HTTP/1.1 200 OK\n\n", "bare LF (lines end in CR LF)");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nA: b\n\r\n", "bare LF (lines end in CR LF)");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nA: b\r\n\n", "bare LF (lines end in CR LF)");
	EXPECT_ERROR("\n", "bare LF (lines end in CR LF)");
	EXPECT_ERROR("\r\nHTTP/1.1 200 OK\r\n\r\n", "not an HTTP/1.1 or HTTP/1.0 status line");
	EXPECT_ERROR("HTTP/2.0 200 OK\r\n\r\n", "not an HTTP/1.1 or HTTP/1.0 status line");
	EXPECT_ERROR("HTTP/1.2 200 OK\r\n\r\n", "not an HTTP/1.1 or HTTP/1.0 status line");
	EXPECT_ERROR("http/1.1 200 OK\r\n\r\n", "not an HTTP/1.1 or HTTP/1.0 status line");
	EXPECT_ERROR("HTTP/1.\r\n\r\n", "not an HTTP/1.1 or HTTP/1.0 status line");
	EXPECT_ERROR("<html>\r\n", "not an HTTP/1.1 or HTTP/1.0 status line");
	EXPECT_ERROR("HTTP/1.1 20 OK\r\n\r\n", "invalid status code");
	EXPECT_ERROR("HTTP/1.1 099 OK\r\n\r\n", "invalid status code");
	EXPECT_ERROR("HTTP/1.1  200 OK\r\n\r\n", "invalid status code");
	EXPECT_ERROR("HTTP/1.1 2x0 OK\r\n\r\n", "invalid status code");
	EXPECT_ERROR("HTTP/1.1\t200 OK\r\n\r\n", "invalid status code");
	EXPECT_ERROR("HTTP/1.1 2000 OK\r\n\r\n", "invalid status line");
	EXPECT_ERROR("HTTP/1.1 200OK\r\n\r\n", "invalid status line");
	EXPECT_ERROR("HTTP/1.1 200\tOK\r\n\r\n", "invalid status line");
	EXPECT_ERROR("HTTP/1.1 200 O\x01K\r\n\r\n", "invalid character in reason phrase");
	EXPECT_ERROR("HTTP/1.1 200 O\rK\r\n\r\n", "invalid character in reason phrase");
	EXPECT_ERROR("HTTP/1.1 200 OK\x7f\r\n\r\n", "invalid character in reason phrase");
	EXPECT_ERROR("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
		     "101 Switching Protocols (no upgrade was asked)");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\n A: b\r\n\r\n", "whitespace before the first field");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\n\tA: b\r\n\r\n", "whitespace before the first field");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", "obs-fold (line folding)");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nA: b\r\n\tc\r\n\r\n", "obs-fold (line folding)");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nA : b\r\n\r\n", "whitespace before the colon");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nA\t: b\r\n\r\n", "whitespace before the colon");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nA b: c\r\n\r\n", "invalid character in field name");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nA\"b: c\r\n\r\n", "invalid character in field name");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\n\xc3\xa9: c\r\n\r\n", "invalid character in field name");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\n: c\r\n\r\n", "empty field name");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nAb\r\n\r\n", "field line without a colon");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", "invalid character in field value");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nA: b\x7f\r\n\r\n", "invalid character in field value");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nA: \x1b[0m\r\n\r\n", "invalid character in field value");
	expect_error("HTTP/1.1 200 OK\r\nA: b\0c\r\n\r\n", 29, false, true,
		     "invalid character in field value");
	expect_error("HTTP/1.1 200 OK\r\nA\0: c\r\n\r\n", 26, false, true,
		     "invalid character in field name");
	/* Content-Length */
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", "invalid content-length");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid content-length");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 5 5\r\n\r\n", "invalid content-length");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", "invalid content-length");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\n", "invalid content-length");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 5;\r\n\r\n", "invalid content-length");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n",
		     "invalid content-length");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", "invalid content-length");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\n", "invalid content-length");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		     "conflicting content-length");
	EXPECT_ERROR("HTTP/1.1 204 OK\r\nContent-Length: x\r\n\r\n", "invalid content-length");
	/* Transfer-Encoding */
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		     "unsupported transfer coding");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		     "unsupported transfer coding");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n",
		     "unsupported transfer coding");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
		     "transfer coding after chunked");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked,chunked\r\n\r\n",
		     "transfer coding after chunked");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\n", "empty transfer-encoding");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\n\r\n", "empty transfer-encoding");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
		     "both transfer-encoding and content-length");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
		     "both transfer-encoding and content-length");
	EXPECT_ERROR("HTTP/1.1 304 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
		     "both transfer-encoding and content-length");
	EXPECT_ERROR("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		     "transfer-encoding in an HTTP/1.0 response");
	/* EOF */
	EXPECT_ERROR("", "connection closed before the response");
	EXPECT_ERROR("H", "connection closed inside the response");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\n", "connection closed inside the response");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n",
		     "connection closed inside the response");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
		     "connection closed inside the response");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a",
		     "connection closed inside the response");
	EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r",
		     "connection closed inside the response");

	/* idle: nothing came */
	struct h1_parser p;
	struct h1_event e;
	size_t used;

	h1_parser_init(&p, line, sizeof(line), false);
	assert_true(h1_parser_idle(&p));
	assert_int_equal(h1_parse(&p, NULL, 0, &used, &e), H1_EV_NONE);
	assert_true(h1_parser_idle(&p));
	assert_int_equal(h1_parse(&p, (const uint8_t *)"H", 1, &used, &e), H1_EV_NONE);
	assert_false(h1_parser_idle(&p));
}

/* every limit at its boundary */
static void test_limits(void **state)
{
	static char buf[CONFIG_TERM_H1_HEADER_BYTES_MAX + CONFIG_TERM_H1_STATUS_LINE_MAX + 256 +
			64 * (CONFIG_TERM_H1_HEADER_COUNT_MAX + 2)];
	static struct trace t;
	size_t n;

	/* status line: exactly the limit with its CRLF, then one more */
	for (int extra = 0; extra <= 1; extra++) {
		n = (size_t)snprintf(buf, sizeof(buf), "HTTP/1.1 200 ");
		while (n < CONFIG_TERM_H1_STATUS_LINE_MAX - 2 + (size_t)extra)
			buf[n++] = 'r';
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\nContent-Length: 0\r\n\r\n");
		run(&t, buf, n, false, NULL, 0, true);
		if (extra)
			assert_string_equal(t.reason, "status line too long");
		else
			assert_true(t.done);
		check_splits(buf, n, false, true);
	}

	/* header count: the limit, then one more (trailers alike) */
	for (int extra = 0; extra <= 1; extra++) {
		n = (size_t)snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\n");
		for (int i = 0; i < CONFIG_TERM_H1_HEADER_COUNT_MAX - 1 + extra; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "X-%d: %d\r\n", i, i);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "Content-Length: 0\r\n\r\n");
		run(&t, buf, n, false, NULL, 0, true);
		if (extra)
			assert_string_equal(t.reason, "too many header fields");
		else
			assert_true(t.done);
		check_splits(buf, n, false, true);

		n = (size_t)snprintf(buf, sizeof(buf),
				     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
		for (int i = 0; i < CONFIG_TERM_H1_HEADER_COUNT_MAX + extra; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "T%d: %d\r\n", i, i);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\n");
		run(&t, buf, n, false, NULL, 0, true);
		if (extra)
			assert_string_equal(t.reason, "too many trailer fields");
		else
			assert_true(t.done);
	}

	/* header bytes: fields and the empty line make exactly the limit,
	 * then one byte more; a line buffer big enough for any line */
	static uint8_t big[CONFIG_TERM_H1_HEADER_BYTES_MAX + 16];

	for (int extra = 0; extra <= 1; extra++) {
		size_t start;

		n = (size_t)snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\n");
		start = n;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "Content-Length: 0\r\nX: ");
		/* the rest of the X line, its CRLF and the final CRLF */
		while (n - start + 4 < CONFIG_TERM_H1_HEADER_BYTES_MAX + (size_t)extra)
			buf[n++] = 'v';
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\n\r\n");
		assert_int_equal(n - start, CONFIG_TERM_H1_HEADER_BYTES_MAX + (size_t)extra);

		struct h1_parser p;
		struct h1_event e;
		size_t used, at = 0;
		enum h1_ev ev;

		h1_parser_init(&p, big, sizeof(big), false);
		do {
			ev = h1_parse(&p, (uint8_t *)buf + at, n - at, &used, &e);
			at += used;
		} while (ev != H1_EV_NONE && ev != H1_EV_DONE && ev != H1_EV_ERROR);
		if (extra) {
			assert_int_equal(ev, H1_EV_ERROR);
			assert_string_equal(e.reason, "header section too large");
		} else {
			assert_int_equal(ev, H1_EV_DONE);
		}
		/* with the small line buffer: the line is too long for it */
		run(&t, buf, n, false, NULL, 0, true);
		assert_string_equal(t.reason, "line longer than the line buffer");
	}

	/* the line buffer bounds a line even when it arrives whole: a line
	 * of cap bytes with its CRLF passes, cap + 1 does not */
	for (size_t cap = 20; cap <= 44; cap += 24) {   /* the status line fits */
		for (int extra = 0; extra <= 1; extra++) {
			n = (size_t)snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\nA: ");
			size_t ls = n - 17;

			while (ls + 2 < cap + (size_t)extra)
				buf[n++] = 'x', ls++;
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\n\r\n");
			run_cap(&t, buf, n, false, NULL, 0, true, cap);
			if (extra)
				assert_string_equal(t.reason, "line longer than the line buffer");
			else
				assert_true(t.done);
			check_splits_cap(buf, n, false, true, cap);
		}
	}
}

/* two responses on one connection, read back to back */
static void test_keep_alive_next(void **state)
{
	static const char two[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
				  "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
				  "HTTP/1.1 204 No Content\r\n\r\n";
	const uint8_t *in = (const uint8_t *)two;
	size_t len = sizeof(two) - 1, at = 0, used;
	struct h1_parser p;
	struct h1_event e;
	enum h1_ev ev;
	int done = 0;
	bool heads[] = { false, true, false };

	h1_parser_init(&p, line, sizeof(line), heads[0]);
	while (at < len || ev != H1_EV_NONE) {
		ev = h1_parse(&p, in + at, len - at, &used, &e);
		at += used;
		assert_int_not_equal(ev, H1_EV_ERROR);
		if (ev == H1_EV_DONE) {
			done++;
			if (done == 3)
				break;
			assert_true(h1_parser_idle(&p) == false);
			h1_parser_next(&p, heads[done]);
			assert_true(h1_parser_idle(&p));
		}
	}
	assert_int_equal(done, 3);
	assert_int_equal(at, len);
}

/* a corpus of valid and broken responses, each checked at every split */
static void test_split_corpus(void **state)
{
	static const char *const corpus[] = {
		"HTTP/1.1 200 OK\r\nDate: Mon, 27 Jul 2009 12:28:53 GMT\r\nServer: Apache\r\n"
		"Last-Modified: Wed, 22 Jul 2009 19:15:56 GMT\r\nETag: \"34aa387-d-1568eb00\"\r\n"
		"Accept-Ranges: bytes\r\nContent-Length: 51\r\nVary: Accept-Encoding\r\n"
		"Content-Type: text/plain\r\n\r\n"
		"Hello World! My content includes a trailing CRLF.\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n"
		"1a;ext=\"v\"\r\nabcdefghijklmnopqrstuvwxyz\r\n10\r\n1234567890abcdef\r\n"
		"0\r\nX-T: done\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nLocation: /x\r\n"
		"Content-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nxy",
		"HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
	};

	for (size_t i = 0; i < ARRAY_SIZE(corpus); i++) {
		check_splits(corpus[i], strlen(corpus[i]), false, true);
		check_splits(corpus[i], strlen(corpus[i]), true, true);
		check_splits(corpus[i], strlen(corpus[i]), false, false);
	}
}

/* 20,000 random and mutated responses, each fed whole and in random
 * pieces: no crash, no read outside the input (it ends its array, for
 * ASan), the same events both ways, and sane results. */
static void test_robustness(void **state)
{
	static const char *const seeds[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"b\"\r\nhello\r\n"
		"3\r\nabc\r\n0\r\nT: v\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 204 No\r\nConnection: keep-alive\r\n\r\n",
		"HTTP/1.1 304 Not Modified\r\nContent-Length: 10, 10\r\n\r\n",
		"HTTP/1.0 200 OK\r\nX: y\r\n\r\nuntil close",
	};
	static const uint8_t interesting[] = { '\r', '\n', ' ', '\t', ':', ';', '"', '\\', ',',
					       '0', '9', 'f', 'F', 'x', 0, 0x7f, 0x80, 0xff };
	static uint8_t in[2048];
	static struct trace whole, part;
	static size_t cuts[64];
	uint64_t rng = 0xdeadbeefcafef00du;
	size_t done = 0, errors = 0;

	for (unsigned iter = 0; iter < 20000; iter++) {
		uint8_t tmp[600];
		size_t len, k = unit_xorshift64(&rng) % ARRAY_SIZE(seeds);
		unsigned muts = unit_xorshift64(&rng) % 5;
		bool head = unit_xorshift64(&rng) % 8 == 0;

		len = strlen(seeds[k]);
		memcpy(tmp, seeds[k], len);
		for (unsigned m = 0; m < muts && len; m++) {
			size_t at = unit_xorshift64(&rng) % len;

			switch (unit_xorshift64(&rng) % 6) {
			case 0:
				tmp[at] ^= (uint8_t)(1u << (unit_xorshift64(&rng) % 8));
				break;
			case 1:
				tmp[at] = interesting[unit_xorshift64(&rng) % sizeof(interesting)];
				break;
			case 2:
				len = at;
				break;
			case 3:
				memmove(tmp + at, tmp + at + 1, len - at - 1);
				len--;
				break;
			case 4:
				if (len < sizeof(tmp)) {
					memmove(tmp + at + 1, tmp + at, len - at);
					tmp[at] = interesting[unit_xorshift64(&rng) % sizeof(interesting)];
					len++;
				}
				break;
			default:   /* a run of a byte: long lines, long sizes */
				for (unsigned r = unit_xorshift64(&rng) % 64; r; r--) {
					if (len == sizeof(tmp))
						break;
					memmove(tmp + at + 1, tmp + at, len - at);
					len++;
				}
				break;
			}
		}
		uint8_t *p = in + sizeof(in) - len;
		size_t nc = unit_xorshift64(&rng) % ARRAY_SIZE(cuts);
		bool eof = unit_xorshift64(&rng) % 2;

		memcpy(p, tmp, len);
		for (size_t c = 0; c < nc; c++)
			cuts[c] = len ? unit_xorshift64(&rng) % (len + 1) : 0;
		/* sort the cut points */
		for (size_t a = 1; a < nc; a++)
			for (size_t b = a; b > 0 && cuts[b - 1] > cuts[b]; b--) {
				size_t x = cuts[b];

				cuts[b] = cuts[b - 1];
				cuts[b - 1] = x;
			}
		run_cap(&whole, p, len, head, NULL, 0, eof, 256);
		run_cap(&part, p, len, head, cuts, nc, eof, 256);
		assert_same(&whole, &part);
		if (whole.done) {
			done++;
			assert_true(whole.used <= len);
		} else if (whole.reason) {
			errors++;
		} else {
			assert_false(eof);
		}
	}
	print_message("  %zu responses complete, %zu refused\n", done, errors);
	assert_true(done > 3000);
	assert_true(errors > 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_content_length),
		UNIT_TEST(test_chunked),
		UNIT_TEST(test_chunked_errors),
		UNIT_TEST(test_no_body),
		UNIT_TEST(test_until_close),
		UNIT_TEST(test_errors),
		UNIT_TEST(test_limits),
		UNIT_TEST(test_keep_alive_next),
		UNIT_TEST(test_split_corpus),
		UNIT_TEST(test_robustness),
	};

	return cmocka_run_group_tests_name("h1parse", tests, NULL, NULL);
}
