/* board/qemu-virt-arm64/net.h: the board's network, brought up apart from
 * what runs over it (main.c's UDP echo today, the QUIC endpoint later):
 * the virtio-net device (virtio_net.c) under lwIP's netif
 * (port/lwip/netif.c), addressed from .config (static IPv4 or DHCP,
 * IPv6 link-local and SLAAC). The board loop calls board_net_poll().
 */
#ifndef TERN_BOARD_QEMU_VIRT_ARM64_NET_H
#define TERN_BOARD_QEMU_VIRT_ARM64_NET_H

#include "board/qemu-virt-arm64/virtio_net.h"
#include "port/lwip/netif.h"

struct board_net {
	struct virtio_net nic;
	struct port_netif netif;
};

enum board_net_status {
	BOARD_NET_UP = 0,
	BOARD_NET_NO_DEVICE = -1,	/* no virtio-net: the network is off */
	BOARD_NET_BAD_CONFIG = -2,	/* a static address does not parse */
	BOARD_NET_NO_ADDRESS = -3,	/* no DHCP lease within the bound */
	BOARD_NET_FAILED = -4,		/* lwIP refused the netif */
};

/* Finds and starts the NIC, adds the netif, waits (bounded by
 * CONFIG_NET_UP_TIMEOUT_MS) for the addresses and prints, one line each,
 * the NIC (slot, transport, MAC) and the addresses ("net: addresses ...").
 * After port_lwip_init(). BOARD_NET_UP and BOARD_NET_NO_ADDRESS leave
 * the netif added (board_net_down() removes it), the others nothing. */
enum board_net_status board_net_up(struct board_net *net);

/* The board loop's network turn: received frames into lwIP, lwIP's timers. */
void board_net_poll(struct board_net *net);

/* The NIC's and the netif's counters, one line each, through emit(). */
void board_net_stats_format(const struct board_net *net,
			    void (*emit)(void *ctx, const char *line), void *ctx);

/* Removes the netif (the NIC is left running, its buffers are static). */
void board_net_down(struct board_net *net);

#endif
