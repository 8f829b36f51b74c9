/* port/lwip/netif.h: one lwIP Ethernet netif over a board's NIC driver
 * (bare metal, NO_SYS), with its addressing: static IPv4 or DHCP from
 * .config (CONFIG_NET_*), and with CONFIG_LWIP_IPV6 an IPv6 link-local
 * address and SLAAC from router advertisements.
 *
 * Board-independent: the board supplies a small ops struct over its
 * driver (a transmit buffer to copy a frame into, submit, poll for
 * received frames, MAC, MTU) and calls port_netif_poll() from its loop.
 * Received frames are copied into one PBUF_POOL pbuf each (a whole
 * 1500-byte-MTU frame fits one, so port/lwip/udp.c gets each datagram
 * contiguous) and given to ethernet_input; outgoing pbuf chains are
 * copied straight into the driver's transmit buffer (pbuf_copy_partial),
 * so the driver's buffer can go back to the device at once and lwIP's
 * pbuf is free when linkoutput returns.
 *
 * All state is in the caller's struct port_netif (DHCP's state included:
 * dhcp_set_struct, not lwIP's heap).
 */
#ifndef TERN_PORT_LWIP_NETIF_H
#define TERN_PORT_LWIP_NETIF_H

#include <stddef.h>
#include <stdint.h>

#include "lwip/netif.h"
#include "lwip/dhcp.h"

struct port_netif_ops {
	/* A buffer for one outgoing frame of up to mtu + 18 bytes, NULL when
	 * the driver has none free now. The same one until tx_submit(). */
	void *(*tx_buffer)(void *drv);
	/* Sends the len-byte frame written into that buffer. 0 or -1. */
	int (*tx_submit)(void *drv, size_t len);
	/* Hands up to budget received frames to rx(); each frame is valid
	 * only during its call. Returns the count handed over. */
	unsigned int (*poll)(void *drv, void (*rx)(void *ctx, const void *frame, size_t len),
			     void *ctx, unsigned int budget);
	/* The 6-byte MAC address. */
	const uint8_t *(*mac)(const void *drv);
	uint16_t mtu;		/* IP MTU, 1500 for Ethernet */
};

/* Addressing; port_netif_config_default() fills it from .config. */
struct port_netif_config {
	int dhcp;			/* 1: DHCP; 0: the static address */
	const char *ip4_addr;		/* dotted quads, static only */
	const char *ip4_netmask;
	const char *ip4_gateway;
	uint32_t up_timeout_ms;		/* port_netif_wait()'s bound */
};

struct port_netif_stats {
	uint32_t rx_frames;	/* given to lwIP */
	uint32_t rx_no_pbuf;	/* dropped: the pbuf pool was empty */
	uint32_t rx_input_err;	/* dropped: lwIP's input refused the pbuf */
	uint32_t tx_frames;	/* handed to the driver */
	uint32_t tx_full;	/* dropped: no transmit buffer free */
	uint32_t tx_err;	/* dropped: too long, or the driver refused */
};

struct port_netif {
	struct netif netif;
	struct dhcp dhcp;
	const struct port_netif_ops *ops;
	void *drv;
	struct port_netif_config cfg;
	uint64_t up_ns;		/* when port_netif_add() ran */
	struct port_netif_stats stats;
};

/* CONFIG_NET_DHCP, CONFIG_NET_IPV4_* and CONFIG_NET_UP_TIMEOUT_MS. */
void port_netif_config_default(struct port_netif_config *cfg);

/* Adds the netif (the default one), sets it and its link up, starts DHCP
 * or sets the static address, and with IPv6 creates the link-local
 * address from the MAC and enables SLAAC. After port_lwip_init().
 * 0; -1 when a static address in cfg does not parse (nothing added);
 * -2 when lwIP refuses the netif. */
int port_netif_add(struct port_netif *pn, const struct port_netif_ops *ops, void *drv,
		   const struct port_netif_config *cfg);

/* The reverse of port_netif_add(): DHCP stopped (its pcb freed, the
 * static struct detached), the netif down and removed. */
void port_netif_remove(struct port_netif *pn);

/* One turn of the board loop's network half: the driver's received
 * frames into lwIP, then lwIP's timers (sys_check_timeouts). Returns the
 * frames received. */
unsigned int port_netif_poll(struct port_netif *pn);

/* Polls until the addresses are usable: IPv4 configured (static, or
 * bound by DHCP) and, with IPv6, the link-local address past duplicate
 * detection and a SLAAC address too, if a router announces a prefix
 * within a few seconds. Bounded by cfg.up_timeout_ms from
 * port_netif_add(). 0 when IPv4 is configured, else -1 (DHCP goes on
 * in the background). */
int port_netif_wait(struct port_netif *pn);

/* One line: "net: addresses ipv4 A/len gw G (dhcp|static)[; ipv6 ADDR
 * (link-local) ADDR ...]" with what is configured now, through emit(). */
void port_netif_addrs_format(const struct port_netif *pn,
			     void (*emit)(void *ctx, const char *line), void *ctx);

/* Lines of counters: this netif's, and lwIP's link, IP, UDP and ICMP
 * protocol statistics. */
void port_netif_stats_format(const struct port_netif *pn,
			     void (*emit)(void *ctx, const char *line), void *ctx);

#endif
