/* board/qemu-virt-arm64/virtio_net.h: a polled virtio-net driver
 * (`-device virtio-net-device`, device ID 1) over virtio-mmio (virtio.h),
 * for lwIP's Ethernet netif (port/lwip/netif.h).
 *
 * Nothing fancy: the only feature asked for is VIRTIO_NET_F_MAC (plus
 * VIRTIO_F_VERSION_1 on the 1.x transport). No checksum or segmentation
 * offload (lwIP computes every checksum), no mergeable receive buffers,
 * no control queue (the device then receives every frame, multicast
 * included, which IPv6 neighbour discovery needs), one queue pair.
 *
 * Every frame is preceded by struct virtio_net_hdr (5.1.6): 10 bytes
 * with the legacy transport, 12 (num_buffers added) with VIRTIO_F_VERSION_1
 * or VIRTIO_NET_F_MRG_RXBUF. Each buffer is one static slot of
 * VIRTIO_NET_SLOT bytes: the header at offset 0, the frame at
 * VIRTIO_NET_HDR_AREA, described by a two-descriptor chain (header,
 * frame). That is the layout every device accepts, legacy ones without
 * VIRTIO_F_ANY_LAYOUT included (5.1.6.6), so nothing depends on it being
 * negotiated, and the frame area stays 16-byte aligned whichever header
 * size is in use.
 *
 * Receive: every receive slot sits in the RX queue; virtio_net_poll()
 * hands each used one to a callback and puts it straight back.
 * Transmit: the frame is copied into a free static transmit slot (by
 * virtio_net_send(), or written there in place after
 * virtio_net_tx_buffer()); used transmit slots are reclaimed on the next
 * send or poll. The device state, rings and buffers are one static
 * struct of the caller's (DESIGN.md 3: no heap).
 */
#ifndef TERN_BOARD_QEMU_VIRT_ARM64_VIRTIO_NET_H
#define TERN_BOARD_QEMU_VIRT_ARM64_VIRTIO_NET_H

#include <stddef.h>
#include <stdint.h>

#include "board/qemu-virt-arm64/virtio.h"

/* Counts of buffers per direction (Kconfig, powers of 2: each is a
 * two-descriptor chain, and a split queue's size is a power of 2). */
#define VIRTIO_NET_RX_BUFS	CONFIG_VIRTIO_NET_RX_BUFFERS
#define VIRTIO_NET_TX_BUFS	CONFIG_VIRTIO_NET_TX_BUFFERS

#define VIRTIO_NET_MTU		1500
/* 1514-byte frame (MTU plus Ethernet header) with a VLAN tag, rounded. */
#define VIRTIO_NET_FRAME_MAX	1520U
#define VIRTIO_NET_HDR_AREA	16
#define VIRTIO_NET_SLOT		(VIRTIO_NET_HDR_AREA + VIRTIO_NET_FRAME_MAX)

struct virtio_net_stats {
	uint32_t rx_frames;	/* handed to the callback */
	uint32_t rx_dropped;	/* runts, bad lengths, bad descriptor ids */
	uint32_t tx_frames;	/* given to the device */
	uint32_t tx_full;	/* refused: no free transmit slot */
	uint64_t rx_bytes, tx_bytes;	/* frames, without virtio headers */
};

struct virtio_net {
	struct virtio_dev dev;
	struct virtq rxq, txq;
	uint8_t mac[6];
	uint8_t mac_from_device;	/* VIRTIO_NET_F_MAC: else made up */
	uint8_t hdr_len;		/* 10 or 12 */
	uint16_t tx_nfree;		/* tx_free[0..tx_nfree) */
	int tx_taken;			/* slot of virtio_net_tx_buffer(), or -1 */
	uint16_t tx_free[VIRTIO_NET_TX_BUFS];
	struct virtio_net_stats stats;
	VIRTQ_MEM(rx_ring, 2 * VIRTIO_NET_RX_BUFS);
	VIRTQ_MEM(tx_ring, 2 * VIRTIO_NET_TX_BUFS);
	uint8_t rx_buf[VIRTIO_NET_RX_BUFS][VIRTIO_NET_SLOT] __attribute__((aligned(64)));
	uint8_t tx_buf[VIRTIO_NET_TX_BUFS][VIRTIO_NET_SLOT] __attribute__((aligned(64)));
};

/* Finds the first virtio-net device, negotiates, fills the receive
 * queue and starts the device. 0, or -1: no device (or it refused). */
int virtio_net_init(struct virtio_net *n);

/* The MAC address: from the device's configuration space, or a random
 * locally administered one when the device offers none. */
const uint8_t *virtio_net_mac(const struct virtio_net *n);

/* Takes up to `budget` used receive buffers and hands each good frame
 * (Ethernet header first, no virtio header) to rx(); the frame is valid
 * only during the call, then the buffer goes back to the device. Reclaims
 * used transmit slots too. Returns the count handed over. */
unsigned int virtio_net_poll(struct virtio_net *n,
			     void (*rx)(void *ctx, const void *frame, size_t len),
			     void *ctx, unsigned int budget);

/* A free transmit buffer of VIRTIO_NET_FRAME_MAX bytes to write one frame
 * into, then virtio_net_tx_submit(); NULL when every slot is in flight
 * (counted in tx_full). Taken out of the free slots: the same buffer
 * until it is submitted, whatever runs in between. */
void *virtio_net_tx_buffer(struct virtio_net *n);

/* Sends the len-byte frame written into the virtio_net_tx_buffer()
 * buffer. 0, or -1 (no buffer taken, or len out of range: the buffer
 * then stays taken for the next try). */
int virtio_net_tx_submit(struct virtio_net *n, size_t len);

/* Copies the frame into a transmit slot and sends it. 0, or -1 when the
 * transmit ring is full or len is out of range. */
int virtio_net_send(struct virtio_net *n, const void *frame, size_t len);

#endif
