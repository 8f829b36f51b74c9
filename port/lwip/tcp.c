/* port/lwip/tcp.c: backend TCP (port/port.h) over lwIP's raw API.
 *
 * lwIP calls back from the board loop (the NIC poll feeds it frames;
 * NO_SYS, never from an interrupt); the callbacks only record: received
 * pbufs are queued on the connection as lwIP hands them over, and the
 * PORT_TCP_* events are set for term/backend to collect.
 *
 * Backpressure: bytes leave the queue only when the terminator reads
 * them (port_tcp_recv), which it does only as far as the QUIC client's
 * window allows; only then does tcp_recved() give the window back to
 * the backend. A slow client therefore closes the backend's TCP window
 * instead of filling memory: what waits here is at most one window
 * (TCP_WND, CONFIG_LWIP_TCP_WND_MSS segments) of pbufs from the pool.
 *
 * Readiness is edge-like, as on posix: READABLE is reported when data
 * (or the end) arrives after a read found nothing, WRITABLE when lwIP
 * frees send buffer after a send was cut short.
 *
 * Sends are copied into lwIP's heap (TCP_WRITE_FLAG_COPY): term/backend
 * reuses its buffer as soon as port_tcp_send returns. tcp_sndbuf() and
 * the segment queue length bound what is taken.
 */
#include <stdbool.h>
#include <string.h>

#include "lib/kconfig.h"
#include "port/port.h"

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"

#define CONNS CONFIG_TERM_BACKEND_CONNS

static struct tcp_slot {
	struct tcp_pcb *pcb;  /* NULL once lwIP freed it (error) or when free */
	struct pbuf *rx;      /* received, not read yet (one chain) */
	unsigned events;      /* PORT_TCP_* not yet collected */
	bool used, connecting, want_in, want_out, eof, broken;
} slots[CONNS];

static struct tcp_slot *slot_of(int id)
{
	return id >= 0 && id < CONNS && slots[id].used ? &slots[id] : NULL;
}

static void readable(struct tcp_slot *s)
{
	if (s->want_in) {
		s->events |= PORT_TCP_READABLE;
		s->want_in = false;
	}
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct tcp_slot *s = arg;

	(void)pcb;
	(void)err;  /* always ERR_OK in lwIP 2.1: failures go to on_error */
	s->connecting = false;
	s->events |= PORT_TCP_CONNECTED;
	return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct tcp_slot *s = arg;

	(void)pcb;
	if (err != ERR_OK) {  /* not produced by lwIP 2.1's tcp_in.c; be safe */
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p) {
		s->eof = true;
	} else if (!s->rx) {
		s->rx = p;
	} else if ((uint32_t)s->rx->tot_len + p->tot_len > 0xffff) {
		/* a chain's length is 16 bits: never more than a window
		 * (< 64 KiB) waits, so this cannot happen; refuse rather than
		 * wrap (lwIP keeps the pbuf and offers it again later) */
		return ERR_MEM;
	} else {
		pbuf_cat(s->rx, p);
	}
	readable(s);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct tcp_slot *s = arg;

	(void)pcb;
	(void)len;
	if (s->want_out) {
		s->events |= PORT_TCP_WRITABLE;
		s->want_out = false;
	}
	return ERR_OK;
}

/* lwIP has freed the pcb already (reset, unreachable, out of memory). */
static void on_error(void *arg, err_t err)
{
	struct tcp_slot *s = arg;

	(void)err;
	s->pcb = NULL;
	s->broken = true;
	s->events |= PORT_TCP_FAILED;
}

static int to_ip(const struct port_addr *to, ip_addr_t *a)
{
	if (to->family == 4) {
		IP_ADDR4(a, to->ip[0], to->ip[1], to->ip[2], to->ip[3]);
		return 0;
	}
#if LWIP_IPV6
	if (to->family == 6) {
		memset(a, 0, sizeof(*a));
		IP_SET_TYPE_VAL(*a, IPADDR_TYPE_V6);
		memcpy(ip_2_ip6(a)->addr, to->ip, 16);
		ip6_addr_clear_zone(ip_2_ip6(a));
		return 0;
	}
#endif
	return -1;
}

int port_tcp_connect(const struct port_addr *to)
{
	struct tcp_slot *s;
	ip_addr_t a;
	int id;

	for (id = 0; id < CONNS && slots[id].used; id++)
		;
	if (id == CONNS || to_ip(to, &a))
		return -1;
	s = &slots[id];
	*s = (struct tcp_slot){ .used = true, .want_in = true };
	s->pcb = tcp_new_ip_type(IP_GET_TYPE(&a));
	if (!s->pcb) {  /* MEMP_NUM_TCP_PCB (CONFIG_LWIP_TCP_PCBS) all in use */
		s->used = false;
		return -1;
	}
	tcp_arg(s->pcb, s);
	tcp_recv(s->pcb, on_recv);
	tcp_sent(s->pcb, on_sent);
	tcp_err(s->pcb, on_error);
	tcp_nagle_disable(s->pcb);
	if (tcp_connect(s->pcb, &a, to->port, on_connected) != ERR_OK) {
		tcp_abort(s->pcb);  /* on_error records it too */
		s->pcb = NULL;
		s->broken = true;
		s->events = PORT_TCP_FAILED;
		return id;
	}
	s->connecting = true;
	return id;
}

unsigned port_tcp_events(int id)
{
	struct tcp_slot *s = slot_of(id);
	unsigned ev;

	if (!s)
		return PORT_TCP_FAILED;
	ev = s->events;
	s->events = 0;
	return ev;
}

long port_tcp_send(int id, const void *p, size_t n)
{
	struct tcp_slot *s = slot_of(id);
	size_t room;

	if (!s || s->broken || !s->pcb)
		return -1;
	if (s->connecting || !n)
		return 0;
	room = tcp_sndbuf(s->pcb);
	if (tcp_sndqueuelen(s->pcb) >= TCP_SND_QUEUELEN)
		room = 0;
	if (room > 0xffff)
		room = 0xffff;
	if (n > room)
		n = room;
	if (!n || tcp_write(s->pcb, p, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) {
		s->want_out = true;  /* lwIP's heap or queue is full: on_sent says when */
		return 0;
	}
	tcp_output(s->pcb);
	if (n < room)
		return (long)n;
	s->want_out = true;
	return (long)n;
}

long port_tcp_recv(int id, void *p, size_t cap)
{
	struct tcp_slot *s = slot_of(id);
	u16_t n;

	if (!s)
		return -1;
	if (s->connecting || !cap)
		return 0;
	if (!s->rx) {
		if (s->eof)
			return PORT_TCP_EOF;
		if (s->broken)
			return -1;
		s->want_in = true;  /* drained: wait for more */
		return 0;
	}
	if (cap > 0xffff)
		cap = 0xffff;
	n = pbuf_copy_partial(s->rx, p, (u16_t)cap, 0);
	s->rx = pbuf_free_header(s->rx, n);
	if (s->pcb)
		tcp_recved(s->pcb, n);  /* the window opens as the reader takes */
	return (long)n;
}

void port_tcp_close(int id)
{
	struct tcp_slot *s = slot_of(id);

	if (!s)
		return;
	if (s->pcb) {
		tcp_arg(s->pcb, NULL);
		tcp_recv(s->pcb, NULL);
		tcp_sent(s->pcb, NULL);
		tcp_err(s->pcb, NULL);
		/* unread data: reset, as close(2) does; else an orderly FIN
		 * (tcp_close can fail for want of memory: then reset too) */
		if (s->rx || tcp_close(s->pcb) != ERR_OK)
			tcp_abort(s->pcb);
	}
	if (s->rx)
		pbuf_free(s->rx);
	memset(s, 0, sizeof(*s));
}
