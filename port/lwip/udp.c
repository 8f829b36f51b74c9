/* port/lwip/udp.c: QUIC datagrams over lwIP's raw UDP API. See udp.h. */
#include <string.h>

#include "port/port.h"
#include "port/lwip/udp.h"
#include "quic/endpoint.h"

#include "lwip/ip.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"

/* The largest datagram tern writes: a 1500-byte MTU less the IPv4 and
 * UDP headers (quic/ sends at most 1200 until path MTU discovery). */
#define DGRAM_MAX 1472

struct port_lwip_udp_stats port_lwip_udp_stats;

static struct udp_pcb *pcb;
static struct quic_endpoint *endpoint;
static uint8_t copy_buf[DGRAM_MAX];

static void from_ip(const ip_addr_t *a, uint16_t port, struct quic_addr *q)
{
	memset(q, 0, sizeof(*q));
	q->port = port;
#if LWIP_IPV6
	if (IP_IS_V6(a)) {
		q->family = 6;
		memcpy(q->ip, ip_2_ip6(a)->addr, 16);
		return;
	}
#endif
	q->family = 4;
	memcpy(q->ip, &ip_2_ip4(a)->addr, 4);  /* network order, as stored */
}

static void to_ip(const struct quic_addr *q, ip_addr_t *a)
{
	memset(a, 0, sizeof(*a));
#if LWIP_IPV6
	if (q->family == 6) {
		IP_SET_TYPE_VAL(*a, IPADDR_TYPE_V6);
		memcpy(ip_2_ip6(a)->addr, q->ip, 16);
		ip6_addr_clear_zone(ip_2_ip6(a));
		return;
	}
#endif
	IP_SET_TYPE_VAL(*a, IPADDR_TYPE_V4);
	memcpy(&ip_2_ip4(a)->addr, q->ip, 4);
}

/* The ECN bits of the packet lwIP is delivering. */
static uint8_t current_ecn(void)
{
#if LWIP_IPV6
	if (ip_current_is_v6())
		return (uint8_t)(IP6H_TC(ip6_current_header()) & 3);
#endif
	return (uint8_t)(IPH_TOS(ip4_current_header()) & 3);
}

static void on_recv(void *arg, struct udp_pcb *upcb, struct pbuf *p, const ip_addr_t *addr,
		    u16_t port)
{
	struct port_lwip_udp_stats *st = &port_lwip_udp_stats;
	struct quic_addr from;
	uint8_t ecn = current_ecn(), *data;
	size_t len = p->tot_len;

	(void)arg;
	(void)upcb;
	if (!endpoint || !len || len > sizeof(copy_buf)) {
		st->rx_dropped++;
		pbuf_free(p);
		return;
	}
	if (p->len == p->tot_len) {
		data = p->payload;  /* one pbuf: decrypted where it landed */
	} else {
		pbuf_copy_partial(p, copy_buf, (u16_t)len, 0);
		data = copy_buf;
		st->rx_copied++;
	}
	st->rx++;
	st->rx_bytes += len;
	st->ecn_rx[ecn]++;
	from_ip(addr, port, &from);
	quic_endpoint_input_ecn(endpoint, &from, data, len, ecn, port_now_ns());
	pbuf_free(p);
}

int port_lwip_udp_start(struct quic_endpoint *ep, uint16_t port)
{
#if LWIP_IPV6
	pcb = udp_new_ip_type(IPADDR_TYPE_ANY);
#else
	pcb = udp_new();
#endif
	if (!pcb)
		return -1;
	if (udp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK) {
		udp_remove(pcb);
		pcb = NULL;
		return -1;
	}
	endpoint = ep;
	udp_recv(pcb, on_recv, NULL);
	return 0;
}

uint32_t port_lwip_udp_flush(uint64_t now)
{
	struct port_lwip_udp_stats *st = &port_lwip_udp_stats;
	uint32_t sent = 0;

	while (pcb && endpoint) {
		struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, DGRAM_MAX, PBUF_RAM);
		struct quic_addr to;
		ip_addr_t a;
		uint8_t ecn = 0;
		size_t n;
		err_t err;

		if (!p) {
			st->tx_no_mem++;  /* lwIP's heap is full: the rest waits */
			break;
		}
		n = quic_endpoint_output_ecn(endpoint, &to, p->payload, DGRAM_MAX, &ecn, now);
		if (!n) {
			pbuf_free(p);
			break;
		}
		pbuf_realloc(p, (u16_t)n);
		to_ip(&to, &a);
		pcb->tos = ecn;
		err = udp_sendto(pcb, p, &a, to.port);
		pbuf_free(p);
		if (err != ERR_OK) {
			st->tx_err++;
			continue;
		}
		st->tx++;
		st->tx_bytes += n;
		sent++;
	}
	return sent;
}

void port_lwip_udp_stop(void)
{
	if (pcb)
		udp_remove(pcb);
	pcb = NULL;
	endpoint = NULL;
}
