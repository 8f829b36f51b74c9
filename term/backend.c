/* term/backend: HTTP/1.1 backends (see backend.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http3/hfield.h"
#include "lib/log.h"
#include "lib/pool.h"
#include "quic/conn.h"
#include "term/backend.h"

enum term_backend_state {
	BE_CONNECTING,
	BE_BUSY,
	BE_IDLE,
};

#define CHUNK_OVERHEAD 32   /* "%zx\r\n" ... "\r\n" and the last "0\r\n\r\n" */

/* ---------------------------------------------------------------- configuration */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 4291 2.2 text form (hex groups, one "::"; no embedded IPv4). */
static int parse_ipv6(const char *s, uint8_t ip[16])
{
	uint16_t g[8];
	int n = 0, gap = -1;

	if (s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
	}
	while (*s) {
		unsigned v = 0;
		int d = 0;

		while (d < 4 && hexval(*s) >= 0)
			v = v << 4 | (unsigned)hexval(*s++), d++;
		if (!d || n == 8)
			return -1;
		g[n++] = (uint16_t)v;
		if (!*s)
			break;
		if (*s++ != ':')
			return -1;
		if (*s == ':') {
			if (gap >= 0)
				return -1;
			gap = n;
			s++;
		} else if (!*s) {
			return -1;
		}
	}
	if ((gap < 0 && n != 8) || (gap >= 0 && n > 7))
		return -1;
	memset(ip, 0, 16);
	for (int i = 0, o = 0; i < n; i++, o++) {
		if (i == gap)
			o += 8 - n;
		ip[2 * o] = (uint8_t)(g[i] >> 8);
		ip[2 * o + 1] = (uint8_t)g[i];
	}
	return 0;
}

int term_parse_addr(const char *s, struct port_addr *a)
{
	char host[64];
	const char *colon, *h = s;
	size_t hl;
	unsigned long port;
	char *end;

	memset(a, 0, sizeof(*a));
	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
		a->family = 6;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - s);
		a->family = 4;
	}
	if (!hl || hl >= sizeof(host))
		return -1;
	memcpy(host, h, hl);
	host[hl] = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || port == 0 || port > 65535)
		return -1;
	a->port = (uint16_t)port;
	if (a->family == 4) {
		unsigned b[4];
		char tail;

		if (sscanf(host, "%u.%u.%u.%u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4)
			return -1;
		for (int i = 0; i < 4; i++) {
			if (b[i] > 255)
				return -1;
			a->ip[i] = (uint8_t)b[i];
		}
		return 0;
	}
	return parse_ipv6(host, a->ip);
}

int term_set_backend(struct term *t, const char *hostport, const char **why)
{
	if (!*hostport) {
		t->has_backend = false;
		return 0;
	}
	if (term_parse_addr(hostport, &t->backend)) {
		*why = "backend: not HOST:PORT with HOST an IPv4 address or [IPv6 address]";
		return -1;
	}
	t->has_backend = true;
	return 0;
}

int term_add_route(struct term *t, const char *spec, const char **why)
{
	const char *eq = strchr(spec, '='), *slash = strchr(spec, '/');
	struct term_route *r;
	size_t al;

	if (t->nroutes == CONFIG_TERM_ROUTES_MAX) {
		*why = "route: more routes than CONFIG_TERM_ROUTES_MAX";
		return -1;
	}
	if (!eq || !slash || slash > eq) {
		*why = "route: not [AUTHORITY]/PREFIX=HOST:PORT";
		return -1;
	}
	r = &t->routes[t->nroutes];
	memset(r, 0, sizeof(*r));
	al = (size_t)(slash - spec);
	if (al >= sizeof(r->authority) || (size_t)(eq - slash) >= sizeof(r->prefix)) {
		*why = "route: authority or prefix too long";
		return -1;
	}
	for (size_t i = 0; i < al; i++)
		r->authority[i] = (char)(spec[i] >= 'A' && spec[i] <= 'Z' ? spec[i] + 32 : spec[i]);
	memcpy(r->prefix, slash, (size_t)(eq - slash));
	if (term_parse_addr(eq + 1, &r->to)) {
		*why = "route: backend not HOST:PORT with HOST an IPv4 address or [IPv6 address]";
		return -1;
	}
	t->nroutes++;
	return 0;
}

int term_config_defaults(struct term *t, const char **why)
{
	char spec[sizeof(CONFIG_TERM_ROUTES) + 1];
	char *p = spec, *e;

	if (term_set_backend(t, CONFIG_TERM_BACKEND, why))
		return -1;
	memcpy(spec, CONFIG_TERM_ROUTES, sizeof(CONFIG_TERM_ROUTES));
	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		e = strchr(p, ' ');
		if (e)
			*e = 0;
		if (term_add_route(t, p, why))
			return -1;
		if (!e)
			return 0;
		p = e + 1;
	}
}

static bool authority_is(const struct h3_str *a, const char *want)
{
	size_t n = strlen(want), hl = a->len;
	const uint8_t *colon = memchr(a->p, ':', a->len);

	if (colon && a->p[0] != '[')
		hl = (size_t)(colon - a->p);  /* without the port */
	if (hl != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = a->p[i];

		if ((ch >= 'A' && ch <= 'Z' ? ch + 32 : ch) != (uint8_t)want[i])
			return false;
	}
	return true;
}

const struct port_addr *term_route(const struct term *t, const struct h3_req *rq,
				   bool responder_path)
{
	const struct term_route *best = NULL;
	const struct h3_str *auth = rq->authority.len ? &rq->authority : &rq->host;

	for (uint32_t i = 0; i < t->nroutes; i++) {
		const struct term_route *r = &t->routes[i];
		size_t pl = strlen(r->prefix);

		if (rq->path.len < pl || memcmp(rq->path.p, r->prefix, pl))
			continue;
		if (r->authority[0] && !authority_is(auth, r->authority))
			continue;
		if (!best || pl > strlen(best->prefix))
			best = r;
	}
	if (best)
		return &best->to;
	return !responder_path && t->has_backend ? &t->backend : NULL;
}

/* ---------------------------------------------------------------- connections */

static struct term_backend *be_of(const struct term_req *r)
{
	return pool_get(&pool_backend, r->be);
}

static void be_close(struct term *t, struct term_backend *be)
{
	pool_handle_t h = pool_handle(&pool_backend, be);

	for (unsigned i = 0; i < CONFIG_TERM_BACKEND_CONNS; i++) {
		if (t->bes[i].idx == h.idx && t->bes[i].gen == h.gen) {
			t->bes[i] = POOL_HANDLE_NONE;
			break;
		}
	}
	port_tcp_close(be->port_id);
	pool_free(&pool_backend, be);
}

static struct term_backend *be_new(struct term *t, const struct port_addr *to)
{
	struct term_backend *be = NULL;
	unsigned slot;

	for (slot = 0; slot < CONFIG_TERM_BACKEND_CONNS; slot++)
		if (pool_handle_is_none(t->bes[slot]))
			break;
	if (slot == CONFIG_TERM_BACKEND_CONNS) {
		/* every slot taken: the idle connection whose keep-alive
		 * ends first (to whatever backend) makes room */
		struct term_backend *old = NULL;

		for (unsigned i = 0; i < CONFIG_TERM_BACKEND_CONNS; i++) {
			struct term_backend *o = pool_get(&pool_backend, t->bes[i]);

			if (o && o->state == BE_IDLE && (!old || o->deadline < old->deadline)) {
				old = o;
				slot = i;
			}
		}
		if (!old)
			return NULL;
		be_close(t, old);
		t->be.evicted++;
	}
	if (!(be = pool_alloc(&pool_backend)))
		return NULL;
	memset(be, 0, offsetof(struct term_backend, f));
	be->to = *to;
	be->port_id = port_tcp_connect(to);
	if (be->port_id < 0) {
		pool_free(&pool_backend, be);
		return NULL;
	}
	be->state = BE_CONNECTING;
	t->bes[slot] = pool_handle(&pool_backend, be);
	t->be.connects++;
	return be;
}

/* An idle connection to `to` whose keep-alive has not run out. */
static struct term_backend *be_idle(struct term *t, const struct port_addr *to)
{
	for (unsigned i = 0; i < CONFIG_TERM_BACKEND_CONNS; i++) {
		struct term_backend *be = pool_get(&pool_backend, t->bes[i]);

		if (be && be->state == BE_IDLE && be->to.family == to->family &&
		    be->to.port == to->port && !memcmp(be->to.ip, to->ip, 16) &&
		    be->deadline > t->now)
			return be;
	}
	return NULL;
}

/* Ready for a new request (fresh or reused connection). */
static void be_reset(struct term_backend *be, bool head)
{
	be->head = head;
	be->body_out = be->chunked_out = be->req_done = false;
	be->hdrs_ready = be->hdrs_sent = be->keep_alive = be->body_none = false;
	be->resp_done = be->eof = false;
	be->status = 0;
	be->nfields = 0;
	be->hdr_len = 0;
	be->tx_off = be->tx_len = 0;
	be->rx_off = be->rx_len = 0;
	be->pend_off = be->pend_len = 0;
	h1_parser_init(&be->p, be->line, sizeof(be->line), head);
}

/* ---------------------------------------------------------------- the request head */

struct txw {
	uint8_t *p;
	size_t len, cap;
	bool err;
};

static void put(struct txw *w, const void *p, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return;
	}
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

static void puts_(struct txw *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_field(struct txw *w, const char *name, const uint8_t *v, size_t vl)
{
	puts_(w, name);
	puts_(w, ": ");
	put(w, v, vl);
	puts_(w, "\r\n");
}

static size_t addr_text(const struct quic_addr *a, char *out, size_t cap, bool brackets)
{
	if (a->family == 4)
		return (size_t)snprintf(out, cap, "%u.%u.%u.%u", a->ip[0], a->ip[1], a->ip[2],
					a->ip[3]);
	{
		size_t n = 0;

		if (brackets)
			out[n++] = '[';
		for (int i = 0; i < 16; i += 2)
			n += (size_t)snprintf(out + n, cap - n, "%s%x", i ? ":" : "",
					      (unsigned)(a->ip[i] << 8 | a->ip[i + 1]));
		if (brackets)
			out[n++] = ']';
		out[n] = 0;
		return n;
	}
}

static bool method_in(const struct h3_req *rq, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rq->method.len == strlen(list[i]) && !memcmp(rq->method.p, list[i], rq->method.len))
			return true;
	return false;
}

static bool method_has_body(const struct h3_req *rq)
{
	static const char *const none[] = { "GET", "HEAD", "DELETE", "OPTIONS", "TRACE" };

	return !method_in(rq, none, sizeof(none) / sizeof(none[0]));
}

/* Safe methods (RFC 9110 9.2.1): sending one twice changes nothing. */
static bool retry_safe(const struct h3_req *rq)
{
	static const char *const safe[] = { "GET", "HEAD", "OPTIONS", "TRACE" };

	return method_in(rq, safe, sizeof(safe) / sizeof(safe[0]));
}

/* The HTTP/1.1 request head into be->tx: 0 or -1 (too large). */
static int request_head(struct term_backend *be, struct h3_stream *hs, const struct h3_req *rq,
			const struct qpack_field_list *fl, const struct quic_conn *qc)
{
	struct txw w = { be->tx, 0, sizeof(be->tx) - CHUNK_OVERHEAD, false };
	const struct h3_str *auth = rq->authority.len ? &rq->authority : &rq->host;
	char ip[64];
	size_t iplen = 0;
	bool cookie = false;

	put(&w, rq->method.p, rq->method.len);
	puts_(&w, " ");
	put(&w, rq->path.p, rq->path.len);
	puts_(&w, " HTTP/1.1\r\n");
	put_field(&w, "Host", auth->p, auth->len);
	for (size_t i = 0; i < fl->count; i++) {
		const struct qpack_field *f = &fl->fields[i];

		if (!f->name_len || f->name[0] == ':' || hfield_eq_ci(f->name, f->name_len, "host") ||
		    hfield_eq_ci(f->name, f->name_len, "te") ||
		    hfield_connection_specific(f->name, f->name_len))
			continue;
		if (hfield_eq_ci(f->name, f->name_len, "cookie"))
			continue;  /* joined into one line below (RFC 9114 4.2.1) */
		put(&w, f->name, f->name_len);
		puts_(&w, ": ");
		put(&w, f->value, f->value_len);
		puts_(&w, "\r\n");
	}
	for (size_t i = 0; i < fl->count; i++) {
		const struct qpack_field *f = &fl->fields[i];

		if (!hfield_eq_ci(f->name, f->name_len, "cookie"))
			continue;
		puts_(&w, cookie ? "; " : "Cookie: ");
		put(&w, f->value, f->value_len);
		cookie = true;
	}
	if (cookie)
		puts_(&w, "\r\n");
	be->body_out = rq->has_content_length ? rq->content_length > 0 : method_has_body(rq);
	if (be->body_out && !rq->has_content_length) {
		be->chunked_out = true;
		puts_(&w, "Transfer-Encoding: chunked\r\n");
	}
	puts_(&w, "Via: 3 tern\r\n");
	if (qc) {
		iplen = addr_text(&qc->peer, ip, sizeof(ip), false);
		put_field(&w, "X-Forwarded-For", (const uint8_t *)ip, iplen);
		puts_(&w, "Forwarded: for=");
		if (qc->peer.family == 6) {
			iplen = addr_text(&qc->peer, ip, sizeof(ip), true);
			puts_(&w, "\"");
			put(&w, ip, iplen);
			puts_(&w, "\"");
		} else {
			put(&w, ip, iplen);
		}
		puts_(&w, ";proto=https;host=\"");
		put(&w, auth->p, auth->len);
		puts_(&w, "\"\r\n");
	}
	if (hs->flags & H3_SF_EARLY)
		puts_(&w, "Early-Data: 1\r\n");  /* RFC 8470 5.1 */
	if (!CONFIG_TERM_BACKEND_IDLE_MS)
		puts_(&w, "Connection: close\r\n");
	puts_(&w, "\r\n");
	if (w.err)
		return -1;
	be->tx_len = (uint32_t)w.len;
	return 0;
}

unsigned term_backend_start(struct term *t, struct term_req *r, struct h3_stream *hs,
			    const struct port_addr *to, const struct h3_req *rq,
			    const struct qpack_field_list *fields)
{
	struct term_backend *be = be_idle(t, to);

	if (be) {
		be->state = BE_BUSY;
	} else if (!(be = be_new(t, to))) {
		t->be.busy++;
		return pool_stats_of(&pool_backend)->in_use == CONFIG_TERM_BACKEND_CONNS ? 503 : 502;
	}
	be_reset(be, hs->flags & H3_SF_HEAD);
	be->reused = be->state == BE_BUSY;
	if (request_head(be, hs, rq, fields, h3_stream_quic_conn(&t->h3, hs))) {
		t->be.too_large++;
		if (be->state == BE_CONNECTING)
			be_close(t, be);
		else
			be->state = BE_IDLE;  /* nothing was sent on it */
		return 431;
	}
	if (be->reused)
		t->be.reused++;
	/* a request with no body and a safe method may go again on a fresh
	 * connection when a kept-alive one turns out closed (RFC 9112 9.3.1) */
	be->retry_ok = !be->body_out && retry_safe(rq);
	be->head_len = be->tx_len;
	be->req = pool_handle(&pool_termreq, r);
	be->deadline = t->now + t->timeout_ns;
	r->be = pool_handle(&pool_backend, be);
	r->kind = TERM_REQ_BACKEND;
	t->st.backend++;
	term_backend_ready(t, r, hs);
	return 0;
}

/* ---------------------------------------------------------------- moving bytes */

/* The request is over for the backend side: keep the connection for the
 * next one, or close it. */
static void be_done(struct term *t, struct term_backend *be, bool reusable)
{
	uint8_t probe;

	be->req = POOL_HANDLE_NONE;
	/* the probe also arms the port's read interest: a backend that
	 * closes the idle connection is noticed (and it is not reused) */
	if (reusable && be->keep_alive && be->req_done && !be->eof && be->rx_off == be->rx_len &&
	    t->idle_ns && port_tcp_recv(be->port_id, &probe, 1) == 0) {
		be->state = BE_IDLE;
		be->deadline = t->now + t->idle_ns;
		return;
	}
	be_close(t, be);
}

/* A kept-alive connection failed before a byte of the answer came: the
 * backend had closed it while it sat idle. When the request may go
 * twice, the same block gets a new connection and the head again. 0
 * done, -1 not this time. */
static int redial(struct term *t, struct term_backend *be)
{
	if (!be->reused || !be->retry_ok || be->p.received || be->rx_len)
		return -1;
	port_tcp_close(be->port_id);
	be->port_id = port_tcp_connect(&be->to);
	if (be->port_id < 0)
		return -1;
	be_reset(be, be->head);
	be->reused = false;  /* once */
	be->tx_len = be->head_len;
	be->state = BE_CONNECTING;
	be->deadline = t->now + t->timeout_ns;
	t->be.connects++;
	t->be.retried++;
	return 0;
}

static void req_end(struct term *t, struct term_req *r, struct h3_stream *hs, bool ok)
{
	if (ok)
		h3_release(&t->h3, hs);
	else
		t->st.aborted++;
	pool_free(&pool_termreq, r);
}

/* The backend failed this request: 502 / 504 if nothing was answered
 * yet, else the stream is reset. */
static void fail(struct term *t, struct term_req *r, struct h3_stream *hs,
		 struct term_backend *be, unsigned status, const char *why)
{
	bool answered = be->hdrs_sent || r->headers_sent;

	if (status == 502 && !answered && redial(t, be) == 0) {
		LOG_INFO("backend: %s on a kept-alive connection before any answer: sent again "
			 "on a new one", why);
		return;
	}
	LOG_INFO("backend: %s: %s", why, answered ? "stream reset" : status == 504 ? "504" : "502");
	if (status == 504)
		t->be.timeouts++;
	else
		t->be.bad_gateway++;
	be_close(t, be);
	r->be = POOL_HANDLE_NONE;
	if (!answered) {
		/* the term.c simple answer takes it from here */
		r->kind = TERM_REQ_SIMPLE;
		r->status = (uint16_t)status;
		h3_want_ready(&t->h3, hs);
		return;
	}
	h3_abort(&t->h3, hs, H3_INTERNAL_ERROR);
	req_end(t, r, hs, false);
}

/* Request bytes out: the head, then the body as HTTP/3 gives it. */
static int pump_out(struct term *t, struct term_req *r, struct h3_stream *hs,
		    struct term_backend *be)
{
	for (;;) {
		long n;

		if (be->tx_off < be->tx_len) {
			n = port_tcp_send(be->port_id, be->tx + be->tx_off, be->tx_len - be->tx_off);
			if (n < 0)
				return -1;
			be->tx_off += (uint32_t)n;
			be->bytes_out += (uint64_t)n;
			if (n)
				be->deadline = t->now + t->timeout_ns;
			if (be->tx_off < be->tx_len)
				return 0;  /* the socket is full: WRITABLE comes */
		}
		be->tx_off = be->tx_len = 0;
		if (be->req_done)
			return 0;
		if (!be->body_out) {
			be->req_done = true;
			return 0;
		}
		{
			size_t off = be->chunked_out ? 18 : 0;  /* room for the chunk size line */
			size_t cap = sizeof(be->tx) - off - CHUNK_OVERHEAD;
			bool fin;
			long got = h3_body_read(&t->h3, hs, be->tx + off, cap, &fin);

			if (got < 0)
				return -2;
			t->st.bytes_in += (uint64_t)got;
			if (be->chunked_out && got) {
				char sz[20];
				int l = snprintf(sz, sizeof(sz), "%lx\r\n", (unsigned long)got);

				memmove(be->tx + l, be->tx + off, (size_t)got);
				memcpy(be->tx, sz, (size_t)l);
				be->tx_len = (uint32_t)(l + got);
				memcpy(be->tx + be->tx_len, "\r\n", 2);
				be->tx_len += 2;
			} else {
				be->tx_len = (uint32_t)got;
			}
			if (fin) {
				if (be->chunked_out) {
					memcpy(be->tx + be->tx_len, "0\r\n\r\n", 5);
					be->tx_len += 5;
				}
				be->req_done = true;
			}
			if (!be->tx_len)
				return 0;  /* the body waits for the client */
		}
	}
}

/* Keep one response field (lowercased name) for the HTTP/3 head. */
static int keep_field(struct term_backend *be, const struct h1_event *e)
{
	struct term_backend_field *f;

	if (be->nfields == CONFIG_TERM_H1_HEADER_COUNT_MAX ||
	    e->field.name_len + e->field.value_len > sizeof(be->hdr) - be->hdr_len)
		return -1;
	f = &be->f[be->nfields++];
	f->name_off = (uint16_t)be->hdr_len;
	f->name_len = (uint16_t)e->field.name_len;
	for (size_t i = 0; i < e->field.name_len; i++) {
		uint8_t ch = e->field.name[i];

		be->hdr[be->hdr_len++] = ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch + 32) : ch;
	}
	f->value_off = (uint16_t)be->hdr_len;
	f->value_len = (uint16_t)e->field.value_len;
	memcpy(be->hdr + be->hdr_len, e->field.value, e->field.value_len);
	be->hdr_len += (uint32_t)e->field.value_len;
	return 0;
}

#define RESP_FIELDS_MAX 60

/* The response head to the client: 0 sent, 1 no room yet, -1 gone, -2
 * the backend's head cannot be sent (502). */
static int send_head(struct term *t, struct term_req *r, struct h3_stream *hs,
		     struct term_backend *be)
{
	struct qpack_field out[RESP_FIELDS_MAX + 2];
	const uint8_t *conn = (const uint8_t *)"";
	size_t conn_len = 0, n = 0;
	int ret;

	for (unsigned i = 0; i < be->nfields; i++) {
		const struct term_backend_field *f = &be->f[i];

		if (f->name_len == 10 && !memcmp(be->hdr + f->name_off, "connection", 10)) {
			conn = be->hdr + f->value_off;
			conn_len = f->value_len;
		}
	}
	for (unsigned i = 0; i < be->nfields; i++) {
		const struct term_backend_field *f = &be->f[i];

		if (!h3_h1_field_forward(be->hdr + f->name_off, f->name_len, conn, conn_len))
			continue;
		if (n == RESP_FIELDS_MAX)
			return -2;
		out[n++] = (struct qpack_field){ be->hdr + f->name_off, f->name_len,
						 be->hdr + f->value_off, f->value_len, 0 };
	}
	out[n++] = (struct qpack_field){ (const uint8_t *)"via", 3,
					 (const uint8_t *)"1.1 tern", 8, 0 };
	if (t->alt_svc[0])
		out[n++] = (struct qpack_field){ (const uint8_t *)"alt-svc", 7,
						 (const uint8_t *)t->alt_svc, strlen(t->alt_svc),
						 0 };
	ret = h3_send_headers(&t->h3, hs, be->status, out, n, be->body_none);
	if (ret == 0) {
		be->hdrs_sent = true;
		r->headers_sent = true;
		term_count_status(t, be->status);
	}
	return ret;
}

/* Parsed content the client could not take yet. 0 all out, 1 some left,
 * -1 gone. */
static int flush_pending(struct term *t, struct h3_stream *hs, struct term_backend *be)
{
	long n;

	if (!be->pend_len)
		return 0;
	n = h3_send_data(&t->h3, hs, be->rx + be->pend_off, be->pend_len, false);
	if (n < 0)
		return -1;
	be->pend_off += (uint32_t)n;
	be->pend_len -= (uint32_t)n;
	t->st.bytes_out += (uint64_t)n;
	return be->pend_len ? 1 : 0;
}

/* Response bytes in, parsed, on to the client as far as it takes them.
 * 0 go on, 1 the response is complete, -1 gone, -2 bad response. */
static int pump_in(struct term *t, struct term_req *r, struct h3_stream *hs,
		   struct term_backend *be, const char **why)
{
	for (;;) {
		struct h1_event e;
		enum h1_ev ev;
		size_t used;
		int ret;

		if (be->hdrs_ready && !be->hdrs_sent) {
			ret = send_head(t, r, hs, be);
			if (ret == -2) {
				*why = "response head too large to forward";
				return -2;
			}
			if (ret) {
				be->deadline = UINT64_MAX;  /* waiting for the client */
				return ret > 0 ? 0 : -1;
			}
		}
		ret = flush_pending(t, hs, be);
		if (ret) {
			if (ret < 0)
				return -1;
			be->deadline = UINT64_MAX;
			h3_want_ready(&t->h3, hs);
			return 0;
		}
		if (be->resp_done) {
			if (!be->body_none && h3_send_data(&t->h3, hs, NULL, 0, true) < 0)
				return -1;
			return 1;
		}
		/* called with no input too: DONE can need none (a body that
		 * ended exactly at the end of the last read) */
		ev = h1_parse(&be->p, be->rx + be->rx_off, be->rx_len - be->rx_off, &used, &e);
		be->rx_off += (uint32_t)used;
		if (ev != H1_EV_NONE) {
			switch (ev) {
			case H1_EV_STATUS:
				be->status = (uint16_t)e.status.code;
				break;
			case H1_EV_FIELD:
				if (keep_field(be, &e)) {
					*why = "response head larger than CONFIG_TERM_BACKEND_HEADERS";
					return -2;
				}
				break;
			case H1_EV_HEADERS_DONE:
				if (e.headers.interim) {  /* 1xx: not forwarded */
					be->nfields = 0;
					be->hdr_len = 0;
					break;
				}
				be->keep_alive = e.headers.keep_alive;
				be->body_none = e.headers.body == H1_BODY_NONE || be->head;
				be->hdrs_ready = true;
				break;
			case H1_EV_BODY:
				be->pend_off = (uint32_t)(e.body.p - be->rx);
				be->pend_len = (uint32_t)e.body.len;
				break;
			case H1_EV_DONE:
				be->resp_done = true;
				break;
			case H1_EV_ERROR:
				*why = e.reason;
				return -2;
			default:  /* NONE, TRAILER (dropped: backends' trailers stay behind) */
				break;
			}
			continue;
		}
		/* everything parsed: more from the socket */
		be->rx_off = be->rx_len = 0;
		if (be->eof) {
			ev = h1_parse_eof(&be->p, &e);
			if (ev != H1_EV_DONE || !be->hdrs_ready) {
				*why = be->p.received ? "response cut short" : "closed without a response";
				return -2;
			}
			be->resp_done = true;
			continue;
		}
		{
			size_t cap = sizeof(be->rx);
			long n;

			if (be->hdrs_sent && !be->body_none) {
				/* content only as far as the client has room (backpressure) */
				size_t room = h3_send_room(&t->h3, hs);

				if (room < cap)
					cap = room;
				if (!cap) {
					be->deadline = UINT64_MAX;
					h3_want_ready(&t->h3, hs);
					return 0;
				}
			}
			n = port_tcp_recv(be->port_id, be->rx, cap);
			if (n == 0) {
				if (be->deadline == UINT64_MAX)
					be->deadline = t->now + t->timeout_ns;
				return 0;  /* READABLE comes */
			}
			if (n == PORT_TCP_EOF) {
				be->eof = true;
				continue;
			}
			if (n < 0) {
				*why = "connection reset";
				return -2;
			}
			be->rx_len = (uint32_t)n;
			be->bytes_in += (uint64_t)n;
			be->deadline = t->now + t->timeout_ns;  /* it is alive */
		}
	}
}

void term_backend_ready(struct term *t, struct term_req *r, struct h3_stream *hs)
{
	struct term_backend *be = be_of(r);
	const char *why = "";
	int ret;

	if (!be || be->state == BE_CONNECTING)
		return;
	ret = pump_out(t, r, hs, be);
	if (ret == -2) {  /* the client's request failed: h3 reset it */
		be_close(t, be);
		req_end(t, r, hs, false);
		return;
	}
	if (ret == -1) {
		fail(t, r, hs, be, 502, "send failed");
		return;
	}
	ret = pump_in(t, r, hs, be, &why);
	if (ret == -2) {
		fail(t, r, hs, be, 502, why);
	} else if (ret == -1) {
		be_close(t, be);
		req_end(t, r, hs, false);
	} else if (ret == 1) {
		/* a backend that answered before taking the whole body is not reused */
		be_done(t, be, true);
		req_end(t, r, hs, true);
	}
}

void term_backend_abort(struct term *t, struct term_req *r)
{
	struct term_backend *be = be_of(r);

	if (be)
		be_close(t, be);
	r->be = POOL_HANDLE_NONE;
}

void term_backend_poll(struct term *t)
{
	t->be.open = t->be.idle = 0;
	for (unsigned i = 0; i < CONFIG_TERM_BACKEND_CONNS; i++) {
		struct term_backend *be = pool_get(&pool_backend, t->bes[i]);
		struct term_req *r;
		struct h3_stream *hs;
		unsigned ev;

		if (!be)
			continue;
		ev = port_tcp_events(be->port_id);
		r = pool_get(&pool_termreq, be->req);
		hs = r ? pool_get(&pool_h3stream, r->hs) : NULL;
		if (be->state == BE_IDLE) {
			/* an idle connection that hears anything is done for */
			if ((ev & (PORT_TCP_READABLE | PORT_TCP_FAILED)) || be->deadline <= t->now)
				be_close(t, be);
			else
				t->be.idle++;
			continue;
		}
		t->be.open++;
		if (!r || !hs) {  /* its request is gone */
			be_close(t, be);
			continue;
		}
		if (ev & PORT_TCP_FAILED) {
			if (be->state == BE_CONNECTING)
				t->be.connect_fail++;
			fail(t, r, hs, be, 502, be->state == BE_CONNECTING ? "connect failed"
									   : "connection failed");
			continue;
		}
		if (ev & PORT_TCP_CONNECTED)
			be->state = BE_BUSY;
		if (be->state == BE_BUSY && ev)
			term_backend_ready(t, r, hs);
		else if (be->deadline <= t->now)
			fail(t, r, hs, be, 504, "timeout");
	}
}

void term_backend_close_all(struct term *t)
{
	for (unsigned i = 0; i < CONFIG_TERM_BACKEND_CONNS; i++) {
		struct term_backend *be = pool_get(&pool_backend, t->bes[i]);

		if (be)
			be_close(t, be);
	}
}

uint64_t term_deadline(const struct term *t)
{
	uint64_t d = UINT64_MAX;

	for (unsigned i = 0; i < CONFIG_TERM_BACKEND_CONNS; i++) {
		const struct term_backend *be = pool_get(&pool_backend, t->bes[i]);

		if (be && be->deadline < d)
			d = be->deadline;
	}
	return d;
}
