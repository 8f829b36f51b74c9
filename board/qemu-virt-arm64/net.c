/* board/qemu-virt-arm64/net.c: virtio-net under lwIP's netif, addressed
 * from .config. See net.h. */
#include <stdio.h>

#include "board/qemu-virt-arm64/board.h"
#include "board/qemu-virt-arm64/net.h"

/* port/lwip/netif.h's ops over the virtio-net driver. */
static void *nic_tx_buffer(void *drv)
{
	return virtio_net_tx_buffer(drv);
}

static int nic_tx_submit(void *drv, size_t len)
{
	return virtio_net_tx_submit(drv, len);
}

static unsigned int nic_poll(void *drv, void (*rx)(void *ctx, const void *frame, size_t len),
			     void *ctx, unsigned int budget)
{
	return virtio_net_poll(drv, rx, ctx, budget);
}

static const uint8_t *nic_mac(const void *drv)
{
	return virtio_net_mac(drv);
}

static const struct port_netif_ops nic_ops = {
	.tx_buffer = nic_tx_buffer,
	.tx_submit = nic_tx_submit,
	.poll = nic_poll,
	.mac = nic_mac,
	.mtu = VIRTIO_NET_MTU,
};

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

enum board_net_status board_net_up(struct board_net *net)
{
	struct port_netif_config cfg;
	const uint8_t *mac;
	int rc;

	if (virtio_net_init(&net->nic) != 0) {
		printf("net: no virtio-net device (QEMU: -device virtio-net-device,netdev=...): network off\n");
		return BOARD_NET_NO_DEVICE;
	}
	mac = virtio_net_mac(&net->nic);
	printf("net: virtio-net at 0x%08lx (%s transport, %u-byte header), "
	       "mac %02x:%02x:%02x:%02x:%02x:%02x (%s), rx %u x %u, tx %u x %u bytes\n",
	       (unsigned long)net->nic.dev.base,
	       net->nic.dev.version == 2 ? "virtio 1.x" : "legacy", (unsigned)net->nic.hdr_len,
	       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
	       net->nic.mac_from_device ? "from device" : "random",
	       (unsigned)VIRTIO_NET_RX_BUFS, (unsigned)VIRTIO_NET_SLOT,
	       (unsigned)VIRTIO_NET_TX_BUFS, (unsigned)VIRTIO_NET_SLOT);

	port_netif_config_default(&cfg);
	rc = port_netif_add(&net->netif, &nic_ops, &net->nic, &cfg);
	if (rc == -1) {
		printf("net: static IPv4 address \"%s\", netmask \"%s\", gateway \"%s\" "
		       "(CONFIG_NET_IPV4_*): each must be a dotted quad\n",
		       cfg.ip4_addr ? cfg.ip4_addr : "", cfg.ip4_netmask ? cfg.ip4_netmask : "",
		       cfg.ip4_gateway ? cfg.ip4_gateway : "");
		return BOARD_NET_BAD_CONFIG;
	}
	if (rc != 0) {
		printf("net: lwIP refused the netif\n");
		return BOARD_NET_FAILED;
	}
	rc = port_netif_wait(&net->netif);
	port_netif_addrs_format(&net->netif, print_line, NULL);
	if (rc != 0) {
		printf("net: no DHCP lease within %u ms\n", (unsigned)cfg.up_timeout_ms);
		return BOARD_NET_NO_ADDRESS;
	}
	return BOARD_NET_UP;
}

void board_net_poll(struct board_net *net)
{
	port_netif_poll(&net->netif);
}

void board_net_stats_format(const struct board_net *net,
			    void (*emit)(void *ctx, const char *line), void *ctx)
{
	const struct virtio_net_stats *s = &net->nic.stats;
	char line[256];

	snprintf(line, sizeof(line),
		 "virtio-net: rx %lu frames %llu bytes (dropped %lu), tx %lu frames %llu bytes "
		 "(ring full %lu), notifications rx %lu tx %lu",
		 (unsigned long)s->rx_frames, (unsigned long long)s->rx_bytes,
		 (unsigned long)s->rx_dropped, (unsigned long)s->tx_frames,
		 (unsigned long long)s->tx_bytes, (unsigned long)s->tx_full,
		 (unsigned long)net->nic.rxq.kicks, (unsigned long)net->nic.txq.kicks);
	emit(ctx, line);
	port_netif_stats_format(&net->netif, emit, ctx);
}

void board_net_down(struct board_net *net)
{
	port_netif_remove(&net->netif);
}
