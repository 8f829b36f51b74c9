/* port/lwip/udp.h: QUIC datagrams over lwIP's raw UDP API (bare metal).
 *
 * One UDP pcb bound to the endpoint's port on every address (IPv4 and,
 * with CONFIG_LWIP_IPV6, IPv6). lwIP's receive callback hands each
 * datagram to quic_endpoint_input_ecn() in place: a received frame is
 * one pbuf of the pool (PBUF_POOL_BUFSIZE holds a whole 1500-byte frame),
 * so the QUIC packet is decrypted where the NIC driver put it, without a
 * copy; a chained pbuf (not produced by tern's netif) is copied once
 * into a static buffer. The ECN field comes from the IP header lwIP is
 * processing (ip_current_header()).
 *
 * Output: port_lwip_udp_flush() takes each datagram the endpoint has,
 * written straight into a PBUF_RAM pbuf from lwIP's heap, and sends it
 * with the codepoint the endpoint asked for (the pcb's TOS / traffic
 * class). When lwIP's heap is full the endpoint is simply not asked for
 * more: nothing is dropped after the endpoint produced it, except what
 * lwIP itself refuses to send (counted; QUIC's loss recovery resends).
 *
 * Board loop (NO_SYS): NIC poll -> netif input (callbacks run here),
 * sys_check_timeouts(), quic_endpoint_timeout() at its deadline, the
 * application's poll, port_lwip_udp_flush().
 */
#ifndef TERN_PORT_LWIP_UDP_H
#define TERN_PORT_LWIP_UDP_H

#include <stdint.h>

struct quic_endpoint;

struct port_lwip_udp_stats {
	uint32_t rx, rx_copied, rx_dropped;  /* datagrams in; copied (chained); unusable */
	uint32_t tx, tx_no_mem, tx_err;      /* out; held back (heap full); refused by lwIP */
	uint32_t ecn_rx[4];                  /* by codepoint received */
	uint64_t rx_bytes, tx_bytes;
};

extern struct port_lwip_udp_stats port_lwip_udp_stats;

/* Bind port on every address and feed ep. 0, or -1 (no pcb, port busy). */
int port_lwip_udp_start(struct quic_endpoint *ep, uint16_t port);
/* Everything the endpoint has to send now. Returns datagrams sent. */
uint32_t port_lwip_udp_flush(uint64_t now);
/* Unbind (the endpoint is going away). */
void port_lwip_udp_stop(void);

#endif
