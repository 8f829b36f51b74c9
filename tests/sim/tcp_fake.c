/* tests/sim/tcp_fake: scripted backend peers behind port/port.h's TCP
 * (see tcp_fake.h). */
#include <string.h>

#include "tests/sim/tcp_fake.h"

struct tcp_fake tcp_fake;

static uint64_t now_ns(void)
{
	return *tcp_fake.clock;
}

void tcp_fake_init(const uint64_t *clock, const struct tcp_fake_script *dflt)
{
	memset(&tcp_fake, 0, sizeof(tcp_fake));
	tcp_fake.clock = clock;
	tcp_fake.dflt = dflt;
}

void tcp_fake_plan(uint32_t k, const struct tcp_fake_script *sc)
{
	if (k < TCP_FAKE_RECORDS)
		tcp_fake.plan[k] = sc;
}

static struct tcp_fake_conn *conn_of(int id)
{
	if (id < 0 || id >= CONFIG_TERM_BACKEND_CONNS || !tcp_fake.slot[id])
		return NULL;
	return &tcp_fake.conn[tcp_fake.slot[id] - 1];
}

static const struct tcp_fake_exchange *ex_cur(const struct tcp_fake_conn *c)
{
	return c->ex < c->sc->nex ? &c->sc->ex[c->ex] : NULL;
}

static uint32_t sndbuf(const struct tcp_fake_conn *c)
{
	return c->sc->sndbuf ? c->sc->sndbuf : TCP_FAKE_BUF;
}

static uint32_t rcvbuf(const struct tcp_fake_conn *c)
{
	return c->sc->rcvbuf ? c->sc->rcvbuf : TCP_FAKE_BUF;
}

/* Something came in for tern: READABLE once, if it waits for input. */
static void arrive(struct tcp_fake_conn *c)
{
	if (c->want_in) {
		c->events |= PORT_TCP_READABLE;
		c->want_in = false;
	}
}

/* An answer kept the connection open and tern has read all of it: the
 * next request is the next exchange's. */
static void ex_advance(struct tcp_fake_conn *c)
{
	const struct tcp_fake_exchange *e = ex_cur(c);

	if (!e || !c->ended || e->end != TCP_FAKE_KEEP_OPEN || c->rcvq)
		return;
	c->ex++;
	if (c->ex < sizeof(c->ex_start) / sizeof(c->ex_start[0]))
		c->ex_start[c->ex] = c->sent;
	c->req_bytes = c->after_left = 0;
	c->win_len = 0;
	c->matched = c->answering = c->ended = false;
	c->resp_total = c->resp_off = 0;
}

static void start_answer(struct tcp_fake_conn *c, const struct tcp_fake_exchange *e)
{
	uint64_t total = e->resp_len + e->body;

	c->answering = true;
	c->answer_at = now_ns() + e->delay_ns;
	c->resp_total = e->cut && e->cut_at < total ? e->cut_at : total;
	c->resp_off = 0;
	c->exchanges++;
}

/* One request byte for the exchange under way. */
static void ex_byte(struct tcp_fake_conn *c, const struct tcp_fake_exchange *e, uint8_t b)
{
	const char *u = e->until ? e->until : "\r\n\r\n";
	size_t ul = strlen(u);

	c->req_bytes++;
	if (c->answering || c->ended)
		return;  /* a body after the request's end: recorded only */
	if (!c->matched) {
		/* the last bytes, to compare with `until` */
		if (c->win_len == sizeof(c->win))
			memmove(c->win, c->win + 1, --c->win_len);
		c->win[c->win_len++] = b;
		if (c->win_len < ul || memcmp(c->win + c->win_len - ul, u, ul))
			return;
		c->matched = true;
		c->after_left = e->after;
		if (c->after_left || e->manual)
			return;
	} else if (c->after_left && --c->after_left) {
		return;
	}
	if (!e->manual)
		start_answer(c, e);
}

static void record(struct tcp_fake_conn *c, const uint8_t *p, size_t n)
{
	const struct tcp_fake_exchange *e;
	size_t k = TCP_FAKE_KEEP - c->keep_len < n ? TCP_FAKE_KEEP - c->keep_len : n;

	memcpy(c->keep + c->keep_len, p, k);
	c->keep_len += k;
	for (size_t i = 0; i < n; i++, c->sent++) {
		ex_advance(c);
		if ((e = ex_cur(c)))
			ex_byte(c, e, p[i]);
	}
}

/* ---------------------------------------------------------------- the socket calls */

int tcp_fake_connect(const struct port_addr *to)
{
	const struct tcp_fake_script *sc;
	struct tcp_fake_conn *c;
	uint32_t k = tcp_fake.nconn;
	int id;

	for (id = 0; id < CONFIG_TERM_BACKEND_CONNS && tcp_fake.slot[id]; id++)
		;
	sc = k < TCP_FAKE_RECORDS && tcp_fake.plan[k] ? tcp_fake.plan[k] : tcp_fake.dflt;
	if (id == CONFIG_TERM_BACKEND_CONNS || k == TCP_FAKE_RECORDS || !sc) {
		tcp_fake.refused_sockets++;
		return -1;
	}
	tcp_fake.nconn++;
	c = &tcp_fake.conn[k];
	memset(c, 0, sizeof(*c));
	c->sc = sc;
	c->to = *to;
	c->opened_at = now_ns();
	if (sc->connect == TCP_FAKE_NO_SOCKET) {
		c->id = -1;
		c->state = TCP_FAKE_CLOSED;
		c->closed_at = c->opened_at;
		tcp_fake.refused_sockets++;
		return -1;
	}
	c->id = id;
	c->state = TCP_FAKE_CONNECTING;
	c->connect_at = c->opened_at + sc->connect_ns;
	c->want_in = true;  /* as posix: input is wanted from the start */
	tcp_fake.slot[id] = (int)k + 1;
	return id;
}

unsigned tcp_fake_events(int id)
{
	struct tcp_fake_conn *c = conn_of(id);
	unsigned ev;

	if (!c)
		return PORT_TCP_FAILED;
	ev = c->events;
	c->events = 0;
	return ev;
}

long tcp_fake_send(int id, const void *p, size_t n)
{
	struct tcp_fake_conn *c = conn_of(id);
	const struct tcp_fake_exchange *e;
	uint32_t room;
	size_t take;

	if (!c)
		return -1;
	if (c->state == TCP_FAKE_CONNECTING || !n)
		return c->state == TCP_FAKE_REFUSED ? -1 : 0;
	if (c->state != TCP_FAKE_OPEN || c->reset || c->failed)
		return -1;
	ex_advance(c);
	e = ex_cur(c);
	if (e && e->send_fails && !c->req_bytes) {
		c->reset = true;  /* a RST came back */
		c->rcvq = 0;
		return -1;
	}
	room = sndbuf(c) - c->sndq;
	take = n < room ? n : room;
	if (take < n) {
		c->want_out = true;
		c->sends_short++;
	}
	if (!take)
		return 0;
	if (!c->sndq)
		c->read_at = now_ns() + c->sc->read_ns;
	c->sndq += (uint32_t)take;
	record(c, p, take);
	return (long)take;
}

long tcp_fake_recv(int id, void *p, size_t cap)
{
	struct tcp_fake_conn *c = conn_of(id);
	const struct tcp_fake_exchange *e;
	uint8_t *out = p;
	uint64_t off;
	size_t n;

	if (!c)
		return -1;
	if (c->state == TCP_FAKE_CONNECTING || !cap)
		return 0;
	if (c->state != TCP_FAKE_OPEN || c->failed)
		return -1;
	if (c->rcvq) {
		e = ex_cur(c);
		n = c->rcvq < cap ? (size_t)c->rcvq : cap;
		off = c->resp_off - c->rcvq;
		for (size_t i = 0; i < n; i++, off++)
			out[i] = off < e->resp_len ? e->resp[off] : tcp_fake_gen(off - e->resp_len);
		c->rcvq -= n;
		c->recvd += n;
		return (long)n;
	}
	if (c->reset)
		return -1;
	if (c->eof)
		return PORT_TCP_EOF;
	c->want_in = true;  /* drained: the next arrival is reported */
	return 0;
}

void tcp_fake_close(int id)
{
	struct tcp_fake_conn *c = conn_of(id);

	if (!c)
		return;
	c->close_unread = c->rcvq > 0;
	c->state = TCP_FAKE_CLOSED;
	c->closed_at = now_ns();
	c->events = 0;
	tcp_fake.slot[id] = 0;
}

/* ---------------------------------------------------------------- the peers */

static void end(struct tcp_fake_conn *c, uint8_t how)
{
	c->ended = true;
	c->answering = false;
	switch (how) {
	case TCP_FAKE_EOF:
		c->eof = true;
		arrive(c);
		break;
	case TCP_FAKE_RESET:
		c->reset = true;
		c->rcvq = 0;  /* a RST drops what was not read */
		arrive(c);
		break;
	case TCP_FAKE_FAIL:
		c->failed = true;
		c->events |= PORT_TCP_FAILED;
		break;
	default:
		break;
	}
}

static void peer(struct tcp_fake_conn *c, uint64_t now)
{
	const struct tcp_fake_exchange *e;

	if (c->state == TCP_FAKE_CONNECTING && c->sc->connect != TCP_FAKE_SILENT &&
	    now >= c->connect_at) {
		if (c->sc->connect == TCP_FAKE_ACCEPT) {
			c->state = TCP_FAKE_OPEN;
			c->events |= PORT_TCP_CONNECTED;
		} else {
			c->state = TCP_FAKE_REFUSED;
			c->events |= PORT_TCP_FAILED;
			c->want_in = false;
		}
	}
	if (c->state != TCP_FAKE_OPEN || c->failed)
		return;
	if (c->sndq && now >= c->read_at) {
		c->sndq = 0;
		if (c->want_out) {
			c->events |= PORT_TCP_WRITABLE;
			c->want_out = false;
		}
	}
	ex_advance(c);
	e = ex_cur(c);
	if (!e || !c->answering || now < c->answer_at || now < c->fill_at)
		return;
	if (c->resp_off < c->resp_total && c->rcvq < rcvbuf(c)) {
		uint64_t k = rcvbuf(c) - c->rcvq;

		if (k > c->resp_total - c->resp_off)
			k = c->resp_total - c->resp_off;
		c->rcvq += k;
		c->resp_off += k;
		c->fill_at = now + c->sc->fill_ns;
		arrive(c);
	}
	/* a RST would drop what tern did not read yet: it comes after */
	if (c->resp_off == c->resp_total && (e->end != TCP_FAKE_RESET || !c->rcvq))
		end(c, e->end);
}

void tcp_fake_tick(uint64_t now)
{
	for (uint32_t k = 0; k < tcp_fake.nconn; k++)
		if (tcp_fake.conn[k].state != TCP_FAKE_CLOSED)
			peer(&tcp_fake.conn[k], now);
}

uint64_t tcp_fake_deadline(void)
{
	uint64_t d = UINT64_MAX;

	for (uint32_t k = 0; k < tcp_fake.nconn; k++) {
		const struct tcp_fake_conn *c = &tcp_fake.conn[k];

		if (c->state == TCP_FAKE_CLOSED)
			continue;
		if (c->events)
			return now_ns();
		if (c->state == TCP_FAKE_CONNECTING && c->sc->connect != TCP_FAKE_SILENT &&
		    c->connect_at < d)
			d = c->connect_at;
		if (c->state != TCP_FAKE_OPEN || c->failed)
			continue;
		if (c->sndq && c->read_at < d)
			d = c->read_at;
		if (c->answering && c->answer_at < d && c->fill_at < d &&
		    (c->resp_off < c->resp_total ? c->rcvq < rcvbuf(c) :
		     c->sc->ex[c->ex].end != TCP_FAKE_RESET || !c->rcvq))
			d = c->answer_at > c->fill_at ? c->answer_at : c->fill_at;
	}
	return d;
}

void tcp_fake_answer(uint32_t k)
{
	struct tcp_fake_conn *c;
	const struct tcp_fake_exchange *e;

	if (k >= tcp_fake.nconn)
		return;
	c = &tcp_fake.conn[k];
	e = c->state == TCP_FAKE_CLOSED ? NULL : ex_cur(c);
	if (e && !c->answering && !c->ended)
		start_answer(c, e);
}

void tcp_fake_end(uint32_t k, uint8_t how)
{
	if (k < tcp_fake.nconn && tcp_fake.conn[k].state == TCP_FAKE_OPEN)
		end(&tcp_fake.conn[k], how);
}

uint32_t tcp_fake_open(void)
{
	uint32_t n = 0;

	for (uint32_t k = 0; k < tcp_fake.nconn; k++)
		n += tcp_fake.conn[k].state != TCP_FAKE_CLOSED;
	return n;
}

const uint8_t *tcp_fake_request(uint32_t k, uint32_t i, size_t *len)
{
	const struct tcp_fake_conn *c = &tcp_fake.conn[k < tcp_fake.nconn ? k : 0];
	const size_t nst = sizeof(c->ex_start) / sizeof(c->ex_start[0]);
	uint64_t a, b;

	*len = 0;
	if (k >= tcp_fake.nconn || i >= nst || i > c->ex)
		return c->keep;
	a = c->ex_start[i];
	b = i < c->ex && i + 1 < nst ? c->ex_start[i + 1] : c->sent;
	if (b > c->keep_len)
		b = c->keep_len;
	*len = b > a ? (size_t)(b - a) : 0;
	return c->keep + (a < c->keep_len ? a : c->keep_len);
}

/* ---------------------------------------------------------------- port/port.h */

#ifndef TCP_FAKE_NO_PORT
bool tcp_fake_is_port(void)
{
	return true;
}

int port_tcp_connect(const struct port_addr *to)
{
	return tcp_fake_connect(to);
}

unsigned port_tcp_events(int id)
{
	return tcp_fake_events(id);
}

long port_tcp_send(int id, const void *p, size_t n)
{
	return tcp_fake_send(id, p, n);
}

long port_tcp_recv(int id, void *p, size_t cap)
{
	return tcp_fake_recv(id, p, cap);
}

void port_tcp_close(int id)
{
	tcp_fake_close(id);
}
#else
bool tcp_fake_is_port(void)
{
	return false;
}
#endif
