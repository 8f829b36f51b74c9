/* board/qemu-virt-arm64/virtio_net.c: polled virtio-net over virtio-mmio
 * (see virtio_net.h for the layout and the choices). Queue 0 receives,
 * queue 1 transmits (5.1.2). Slot i of either direction is the
 * descriptor chain 2i (header) -> 2i+1 (frame), written once at init;
 * the queues move only the heads.
 */
#include <string.h>

#include "lib/kconfig.h"
#include "board/qemu-virt-arm64/board.h"
#include "board/qemu-virt-arm64/virtio_net.h"

#define VIRTIO_NET_F_MAC	5
#define RXQ			0
#define TXQ			1
#define ETH_HLEN		14U

/* 5.1.6: legacy header without VIRTIO_NET_F_MRG_RXBUF, and the 1.x one
 * (num_buffers is always there with VIRTIO_F_VERSION_1). */
#define HDR_LEN_LEGACY		10
#define HDR_LEN_MODERN		12

BUILD_ASSERT((VIRTIO_NET_RX_BUFS & (VIRTIO_NET_RX_BUFS - 1)) == 0,
	     "CONFIG_VIRTIO_NET_RX_BUFFERS must be a power of 2");
BUILD_ASSERT((VIRTIO_NET_TX_BUFS & (VIRTIO_NET_TX_BUFS - 1)) == 0,
	     "CONFIG_VIRTIO_NET_TX_BUFFERS must be a power of 2");
BUILD_ASSERT(VIRTIO_NET_HDR_AREA >= HDR_LEN_MODERN, "header area holds the 12-byte header");
BUILD_ASSERT(VIRTIO_NET_FRAME_MAX >= VIRTIO_NET_MTU + ETH_HLEN + 4,
	     "a receive buffer holds a whole (VLAN-tagged) frame");
BUILD_ASSERT(VIRTIO_NET_SLOT % 64 == 0, "slots start on cache lines");

/* Slot i's chain: the header descriptor, then the frame descriptor. */
static void chain_init(struct virtq *vq, unsigned int slot, uint8_t *buf,
		       uint8_t hdr_len, uint32_t frame_len, uint16_t write)
{
	struct vring_desc *h = virtq_desc(vq, (uint16_t)(2 * slot));
	struct vring_desc *f = virtq_desc(vq, (uint16_t)(2 * slot + 1));

	memset(buf, 0, VIRTIO_NET_HDR_AREA);	/* a TX header stays all zero */
	h->addr = (uintptr_t)buf;
	h->len = hdr_len;
	h->flags = VRING_DESC_F_NEXT | write;
	h->next = (uint16_t)(2 * slot + 1);
	f->addr = (uintptr_t)(buf + VIRTIO_NET_HDR_AREA);
	f->len = frame_len;
	f->flags = write;
	f->next = 0;
}

/* A locally administered unicast address when the device has none. */
static void random_mac(uint8_t mac[6])
{
	uint64_t c = timer_count();

	if (virtio_rng_read(mac, 6) != 0)
		for (int i = 0; i < 6; i++)
			mac[i] = (uint8_t)(c >> (8 * i));
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
}

int virtio_net_init(struct virtio_net *n)
{
	struct virtio_dev *dev = &n->dev;

	memset(&n->stats, 0, sizeof(n->stats));
	if (virtio_probe(dev, VIRTIO_ID_NET, 0) != 0)
		return -1;
	if (virtio_negotiate(dev, 1ULL << VIRTIO_NET_F_MAC) != 0)
		return -1;
	n->hdr_len = virtio_has(dev, VIRTIO_F_VERSION_1) ? HDR_LEN_MODERN : HDR_LEN_LEGACY;

	if (virtq_setup(&n->rxq, dev, RXQ, n->rx_ring, 2 * VIRTIO_NET_RX_BUFS) != 0 ||
	    virtq_setup(&n->txq, dev, TXQ, n->tx_ring, 2 * VIRTIO_NET_TX_BUFS) != 0) {
		virtio_fail(dev);
		return -1;
	}

	n->mac_from_device = (uint8_t)virtio_has(dev, VIRTIO_NET_F_MAC);
	if (n->mac_from_device)
		virtio_config_read(dev, 0, n->mac, sizeof(n->mac));	/* mac[6] at 0 */
	else
		random_mac(n->mac);

	for (unsigned int i = 0; i < VIRTIO_NET_RX_BUFS; i++) {
		chain_init(&n->rxq, i, n->rx_buf[i], n->hdr_len, VIRTIO_NET_FRAME_MAX,
			   VRING_DESC_F_WRITE);
		virtq_add(&n->rxq, (uint16_t)(2 * i));
	}
	for (unsigned int i = 0; i < VIRTIO_NET_TX_BUFS; i++) {
		chain_init(&n->txq, i, n->tx_buf[i], n->hdr_len, 0, 0);
		n->tx_free[i] = (uint16_t)i;
	}
	n->tx_nfree = VIRTIO_NET_TX_BUFS;
	n->tx_taken = -1;

	virtio_driver_ok(dev);
	virtq_kick(&n->rxq);	/* buffers are there: QEMU flushes what it queued */
	return 0;
}

const uint8_t *virtio_net_mac(const struct virtio_net *n)
{
	return n->mac;
}

/* The slot behind a used head, or -1 for an id the driver never gave. */
static int used_slot(uint32_t head, unsigned int slots)
{
	if ((head & 1) || head / 2 >= slots)
		return -1;
	return (int)(head / 2);
}

static void tx_reclaim(struct virtio_net *n)
{
	uint32_t head, len;

	while (virtq_get_used(&n->txq, &head, &len)) {
		int slot = used_slot(head, VIRTIO_NET_TX_BUFS);

		if (slot >= 0 && n->tx_nfree < VIRTIO_NET_TX_BUFS)
			n->tx_free[n->tx_nfree++] = (uint16_t)slot;
	}
}

unsigned int virtio_net_poll(struct virtio_net *n,
			     void (*rx)(void *ctx, const void *frame, size_t len),
			     void *ctx, unsigned int budget)
{
	unsigned int handed = 0, requeued = 0, seen;
	uint32_t head, len;

	tx_reclaim(n);
	for (seen = 0; seen < budget && virtq_get_used(&n->rxq, &head, &len); seen++) {
		int slot = used_slot(head, VIRTIO_NET_RX_BUFS);

		if (slot < 0) {
			n->stats.rx_dropped++;
			continue;
		}
		if (len < n->hdr_len + ETH_HLEN || len > n->hdr_len + VIRTIO_NET_FRAME_MAX) {
			n->stats.rx_dropped++;
		} else {
			size_t flen = len - n->hdr_len;

			n->stats.rx_frames++;
			n->stats.rx_bytes += flen;
			handed++;
			rx(ctx, n->rx_buf[slot] + VIRTIO_NET_HDR_AREA, flen);
		}
		virtq_add(&n->rxq, (uint16_t)head);
		requeued++;
	}
	if (requeued)
		virtq_kick(&n->rxq);
	return handed;
}

void *virtio_net_tx_buffer(struct virtio_net *n)
{
	if (n->tx_taken < 0) {
		if (n->tx_nfree == 0)
			tx_reclaim(n);
		if (n->tx_nfree == 0) {
			n->stats.tx_full++;
			return NULL;
		}
		n->tx_taken = n->tx_free[--n->tx_nfree];
	}
	return n->tx_buf[n->tx_taken] + VIRTIO_NET_HDR_AREA;
}

int virtio_net_tx_submit(struct virtio_net *n, size_t len)
{
	unsigned int slot;

	if (n->tx_taken < 0 || len < ETH_HLEN || len > VIRTIO_NET_FRAME_MAX)
		return -1;
	slot = (unsigned int)n->tx_taken;
	n->tx_taken = -1;
	virtq_desc(&n->txq, (uint16_t)(2 * slot + 1))->len = (uint32_t)len;
	virtq_add(&n->txq, (uint16_t)(2 * slot));
	virtq_kick(&n->txq);
	n->stats.tx_frames++;
	n->stats.tx_bytes += len;
	return 0;
}

int virtio_net_send(struct virtio_net *n, const void *frame, size_t len)
{
	void *buf;

	if (len < ETH_HLEN || len > VIRTIO_NET_FRAME_MAX)
		return -1;
	buf = virtio_net_tx_buffer(n);
	if (!buf)
		return -1;
	memcpy(buf, frame, len);
	return virtio_net_tx_submit(n, len);
}
