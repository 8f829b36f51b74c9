/* term/term: requests to the responder or a backend (see term.h). */
#include <stdio.h>
#include <string.h>

#include "lib/kconfig.h"
#include "lib/pool.h"
#include "quic/conn.h"
#include "quic/endpoint.h"
#include "term/backend.h"
#include "term/term.h"

#define BYTES_MAX (UINT64_C(1) << 40)
#define BYTES_PERIOD 251

static struct term_req *req_of(const struct h3_stream *hs)
{
	return pool_get(&pool_termreq, hs->app);
}

static bool str_is(const struct h3_str *s, const char *lit)
{
	size_t n = strlen(lit);

	return s->len == n && !memcmp(s->p, lit, n);
}

/* The path without its query. */
static size_t path_len(const struct h3_str *path)
{
	const uint8_t *q = memchr(path->p, '?', path->len);

	return q ? (size_t)(q - path->p) : path->len;
}

static bool parse_u64(const uint8_t *p, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (!n || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(p[i] - '0');
		if (x > max)
			return false;
	}
	*v = x;
	return true;
}

void term_count_status(struct term *t, unsigned status)
{
	if (status >= 500)
		t->st.status_5xx++;
	else if (status >= 400)
		t->st.status_4xx++;
	else if (status >= 200)
		t->st.status_2xx++;
}

/* ---------------------------------------------------------------- the status page */

struct page {
	char *p;
	size_t len, cap;
};

static void page_line(void *ctx, const char *line)
{
	struct page *pg = ctx;
	int n = snprintf(pg->p + pg->len, pg->cap - pg->len, "%s\n", line);

	if (n > 0 && (size_t)n < pg->cap - pg->len)
		pg->len += (size_t)n;
}

void term_report(const struct term *t, void (*emit)(void *ctx, const char *line), void *ctx)
{
	const struct quic_tls_stats *k = &t->ep->tls.st;
	const struct h3_server_stats *h = &t->h3.st;
	char line[384];

	snprintf(line, sizeof(line),
		 "tickets: %u issued, %u resumed, %u refused; 0-RTT %s: %u accepted, refused %u "
		 "replayed, %u register full, %u otherwise", (unsigned)k->tickets_issued,
		 (unsigned)k->resumed, (unsigned)k->tickets_bad,
		 IS_ENABLED(CONFIG_QUIC_0RTT) ? "on" : "not built", (unsigned)k->early_accepted,
		 (unsigned)k->early_replay, (unsigned)k->early_full, (unsigned)k->early_refused);
	emit(ctx, line);
	snprintf(line, sizeof(line),
		 "http3: %u requests (%u responder, %u backend, %u not found, %u bad, %u too early, "
		 "%u aborted); 2xx %u, 4xx %u, 5xx %u; %llu bytes out, %llu in; %u stream errors, "
		 "%u connection errors, %u rejected, %u GOAWAY, %u QPACK-blocked",
		 (unsigned)t->st.requests, (unsigned)t->st.responder, (unsigned)t->st.backend,
		 (unsigned)t->st.not_found, (unsigned)t->st.bad_request, (unsigned)t->st.too_early,
		 (unsigned)t->st.aborted, (unsigned)t->st.status_2xx, (unsigned)t->st.status_4xx,
		 (unsigned)t->st.status_5xx, (unsigned long long)t->st.bytes_out,
		 (unsigned long long)t->st.bytes_in, (unsigned)h->stream_errors,
		 (unsigned)h->conn_errors, (unsigned)h->rejected, (unsigned)h->goaways,
		 (unsigned)h->qpack_blocked);
	emit(ctx, line);
	snprintf(line, sizeof(line),
		 "backends: %u open, %u idle; %u connects (%u failed), %u reused, %u retried, "
		 "%u idle closed for room, %u 502, %u 504, %u no slot, %u too large",
		 (unsigned)t->be.open, (unsigned)t->be.idle, (unsigned)t->be.connects,
		 (unsigned)t->be.connect_fail, (unsigned)t->be.reused, (unsigned)t->be.retried,
		 (unsigned)t->be.evicted, (unsigned)t->be.bad_gateway, (unsigned)t->be.timeouts,
		 (unsigned)t->be.busy, (unsigned)t->be.too_large);
	emit(ctx, line);
}

static size_t status_page(struct term *t, char *buf, size_t cap)
{
	struct page pg = { buf, 0, cap };
	const struct quic_endpoint_stats *e = &t->ep->st;
	char line[160];

	page_line(&pg, "tern: HTTP/3 terminator");
	snprintf(line, sizeof(line), "connections: %u open, %u accepted, %u handshakes, %u refused",
		 (unsigned)t->ep->nconns, (unsigned)e->conns_accepted, (unsigned)e->handshakes,
		 (unsigned)e->conns_refused);
	page_line(&pg, line);
	term_report(t, page_line, &pg);
	page_line(&pg, "");
	pool_stats_format(page_line, &pg);
	return pg.len;
}

/* ---------------------------------------------------------------- responses */

static const struct qpack_field f_server = { (const uint8_t *)"server", 6,
					     (const uint8_t *)"tern", 4, 0 };

static struct qpack_field field(const char *name, const char *value)
{
	return (struct qpack_field){ (const uint8_t *)name, strlen(name), (const uint8_t *)value,
				     strlen(value), 0 };
}

static void req_free(struct term_req *r)
{
	pool_free(&pool_termreq, r);
}

/* The response is complete: the request is over for us. */
static void finish(struct term *t, struct term_req *r, struct h3_stream *hs)
{
	h3_release(&t->h3, hs);
	req_free(r);
}

static void gone(struct term *t, struct term_req *r)
{
	t->st.aborted++;
	req_free(r);
}

/* Headers with a content length (UINT64_MAX: none). 0, 1 later, -1 gone. */
static int send_head(struct term *t, struct term_req *r, struct h3_stream *hs, unsigned status,
		     const char *ctype, uint64_t clen, bool fin)
{
	struct qpack_field f[3];
	char cl[24];
	size_t n = 0;
	int ret;

	f[n++] = f_server;
	if (ctype)
		f[n++] = field("content-type", ctype);
	if (clen != UINT64_MAX) {
		snprintf(cl, sizeof(cl), "%llu", (unsigned long long)clen);
		f[n++] = field("content-length", cl);
	}
	ret = h3_send_headers(&t->h3, hs, status, f, n, fin);
	if (ret == 0) {
		r->headers_sent = true;
		term_count_status(t, status);
	}
	return ret;
}

static const char *simple_text(unsigned status)
{
	switch (status) {
	case 400: return "bad request\n";
	case 404: return "not found\n";
	case 405: return "method not allowed\n";
	case 425: return "too early: send this request again after the handshake\n";
	case 431: return "request header fields too large for the backend\n";
	case 502: return "bad gateway: the backend failed\n";
	case 503: return "busy: no room for another request\n";
	case 504: return "gateway timeout: the backend did not answer in time\n";
	default:  return "\n";
	}
}

/* A short fixed answer: headers and body in one go. */
static void serve_simple(struct term *t, struct term_req *r, struct h3_stream *hs)
{
	const char *txt = simple_text(r->status);
	size_t n = strlen(txt);
	int ret;

	if (h3_send_room(&t->h3, hs) < n + 128) {
		h3_want_ready(&t->h3, hs);
		return;
	}
	ret = send_head(t, r, hs, r->status, "text/plain", n, false);
	if (ret > 0)
		return;
	if (ret < 0 || h3_send_data(&t->h3, hs, (const uint8_t *)txt, n, true) < 0) {
		gone(t, r);
		return;
	}
	finish(t, r, hs);
}

static void serve_status(struct term *t, struct term_req *r, struct h3_stream *hs)
{
	char *buf = (char *)t->scratch;
	size_t n = status_page(t, buf, sizeof(t->scratch));
	int ret;

	/* the page is a snapshot: it goes in one piece */
	if (h3_send_room(&t->h3, hs) < n + 256) {
		h3_want_ready(&t->h3, hs);
		return;
	}
	ret = send_head(t, r, hs, 200, "text/plain", n, false);
	if (ret > 0)
		return;
	if (ret < 0 || h3_send_data(&t->h3, hs, t->scratch, n, true) < 0) {
		gone(t, r);
		return;
	}
	t->st.bytes_out += n;
	finish(t, r, hs);
}

static void serve_bytes(struct term *t, struct term_req *r, struct h3_stream *hs)
{
	if (!r->headers_sent) {
		int ret = send_head(t, r, hs, 200, "application/octet-stream", r->len, r->len == 0);

		if (ret < 0) {
			gone(t, r);
			return;
		}
		if (ret > 0)
			return;
		if (!r->len || (hs->flags & H3_SF_HEAD)) {
			if (r->len && h3_send_data(&t->h3, hs, NULL, 0, true) < 0) {
				gone(t, r);
				return;
			}
			finish(t, r, hs);
			return;
		}
	}
	while (r->off < r->len) {
		size_t room = h3_send_room(&t->h3, hs), n = sizeof(t->scratch);
		long sent;

		if (n > room)
			n = room;
		if (n > r->len - r->off)
			n = (size_t)(r->len - r->off);
		if (!n) {
			h3_want_ready(&t->h3, hs);
			return;
		}
		for (size_t i = 0; i < n; i++)
			t->scratch[i] = (uint8_t)((r->off + i) % BYTES_PERIOD);
		sent = h3_send_data(&t->h3, hs, t->scratch, n, r->off + n == r->len);
		if (sent < 0) {
			gone(t, r);
			return;
		}
		r->off += (uint64_t)sent;
		t->st.bytes_out += (uint64_t)sent;
	}
	finish(t, r, hs);
}

static void serve_echo(struct term *t, struct term_req *r, struct h3_stream *hs)
{
	if (!r->headers_sent) {
		int ret = send_head(t, r, hs, 200, "application/octet-stream",
				    (hs->flags & H3_SF_HAS_CL) ? hs->content_length : UINT64_MAX,
				    false);

		if (ret < 0) {
			gone(t, r);
			return;
		}
		if (ret > 0)
			return;
	}
	/* read only what the response can take now: the client's window
	 * stays closed while its own reading is slow (backpressure) */
	for (;;) {
		size_t room = h3_send_room(&t->h3, hs), cap = sizeof(t->scratch);
		long n, sent;
		bool fin;

		if (cap > room)
			cap = room;
		if (!cap) {
			h3_want_ready(&t->h3, hs);
			return;
		}
		n = h3_body_read(&t->h3, hs, t->scratch, cap, &fin);
		if (n < 0) {
			gone(t, r);
			return;
		}
		if (!n && !fin)
			return;  /* more comes with a ready call */
		t->st.bytes_in += (uint64_t)n;
		sent = h3_send_data(&t->h3, hs, t->scratch, (size_t)n, fin);
		if (sent < 0) {
			gone(t, r);
			return;
		}
		t->st.bytes_out += (uint64_t)sent;
		if (fin) {
			finish(t, r, hs);
			return;
		}
	}
}

static void serve(struct term *t, struct term_req *r, struct h3_stream *hs)
{
	switch (r->kind) {
	case TERM_REQ_STATUS:
		serve_status(t, r, hs);
		break;
	case TERM_REQ_BYTES:
		serve_bytes(t, r, hs);
		break;
	case TERM_REQ_ECHO:
		serve_echo(t, r, hs);
		break;
	case TERM_REQ_BACKEND:
		term_backend_ready(t, r, hs);
		break;
	default:
		serve_simple(t, r, hs);
		break;
	}
}

/* ---------------------------------------------------------------- routing */

/* The built-in responder's paths. */
static bool responder_path(const struct h3_str *path)
{
	return str_is(path, "/") || str_is(path, "/echo") ||
	       (path->len > 7 && !memcmp(path->p, "/bytes/", 7));
}

static void route(struct term *t, struct term_req *r, struct h3_stream *hs,
		  const struct h3_req *rq, const struct qpack_field_list *fields, bool early)
{
	struct h3_str path = { rq->path.p, path_len(&rq->path) };
	bool get = str_is(&rq->method, "GET") || str_is(&rq->method, "HEAD");
	const struct port_addr *to;

	r->kind = TERM_REQ_SIMPLE;
	if (early && !get) {
		r->status = 425;  /* RFC 8470 5.2: only safe methods from 0-RTT */
		t->st.too_early++;
		return;
	}
	to = term_route(t, rq, responder_path(&path));
	if (to) {
		unsigned status = term_backend_start(t, r, hs, to, rq, fields);

		if (status)
			r->status = (uint16_t)status;
		return;
	}
	t->st.responder++;
	if (str_is(&path, "/")) {
		r->kind = get ? TERM_REQ_STATUS : TERM_REQ_SIMPLE;
		r->status = 405;
	} else if (path.len > 7 && !memcmp(path.p, "/bytes/", 7)) {
		if (!get) {
			r->status = 405;
		} else if (!parse_u64(path.p + 7, path.len - 7, BYTES_MAX, &r->len)) {
			r->status = 400;
			t->st.bad_request++;
		} else {
			r->kind = TERM_REQ_BYTES;
		}
	} else if (str_is(&path, "/echo")) {
		r->kind = TERM_REQ_ECHO;
	} else {
		r->status = 404;
		t->st.not_found++;
	}
}

/* HTTP/3 calls come from the endpoint's input, between term_polls: the
 * backend's deadlines are taken from the endpoint's clock (the same
 * one the board passes to term_poll), not from the last poll. */
static void tick(struct term *t)
{
	if (t->ep && t->ep->now > t->now)
		t->now = t->ep->now;
}

static void on_request(void *ctx, struct h3_stream *hs, const struct h3_req *rq,
		       const struct qpack_field_list *fields)
{
	struct term *t = ctx;
	struct term_req *r;

	tick(t);
	r = pool_zalloc(&pool_termreq);
	t->st.requests++;
	if (!r) {
		/* no request slot: 503 without holding anything */
		if (h3_send_headers(&t->h3, hs, 503, &f_server, 1, true) == 0)
			term_count_status(t, 503);
		h3_release(&t->h3, hs);
		return;
	}
	r->hs = pool_handle(&pool_h3stream, hs);
	hs->app = pool_handle(&pool_termreq, r);
	route(t, r, hs, rq, fields, hs->flags & H3_SF_EARLY);
	if (r->kind != TERM_REQ_BACKEND)  /* a backend request is on its way already */
		serve(t, r, hs);
}

static void on_ready(void *ctx, struct h3_stream *hs)
{
	struct term *t = ctx;
	struct term_req *r = req_of(hs);

	tick(t);
	if (r)
		serve(t, r, hs);
}

static void on_closed(void *ctx, struct h3_stream *hs)
{
	struct term *t = ctx;
	struct term_req *r = req_of(hs);

	tick(t);
	if (r) {
		term_backend_abort(t, r);
		gone(t, r);
	}
}

static const struct h3_server_ops term_ops = {
	.request = on_request,
	.ready = on_ready,
	.closed = on_closed,
};

int term_init(struct term *t, const char **why)
{
	memset(t, 0, sizeof(*t));
	h3_server_init(&t->h3, &term_ops, t);
	t->timeout_ns = (uint64_t)CONFIG_TERM_BACKEND_TIMEOUT_MS * 1000000u;
	t->idle_ns = (uint64_t)CONFIG_TERM_BACKEND_IDLE_MS * 1000000u;
	return term_config_defaults(t, why);
}

void term_attach(struct term *t, struct quic_endpoint *ep)
{
	t->ep = ep;
	h3_server_attach(&t->h3, ep);
}

void term_poll(struct term *t, uint64_t now)
{
	t->now = now;
	term_backend_poll(t);
	h3_server_poll(&t->h3, now);
}

void term_shutdown(struct term *t, uint64_t now)
{
	h3_server_shutdown(&t->h3, now);
}

bool term_idle(const struct term *t)
{
	return h3_server_conns(&t->h3) == 0;
}

void term_stop(struct term *t)
{
	term_backend_close_all(t);
}
