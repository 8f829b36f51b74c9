/* board/qemu-virt-arm64/virtio.h: the virtio-mmio transport and split
 * virtqueues shared by the board's virtio drivers (virtio_rng.c,
 * virtio_net.c), written against the virtio 1.x specification: 2.1
 * device status, 2.2 feature bits, 2.7 split virtqueues, 3.1 device
 * initialisation, 4.2 virtio over MMIO (4.2.4 for the legacy interface).
 *
 * Both register layouts of QEMU's virtio-mmio are spoken: the legacy one
 * (Version 1, QEMU's default) and the virtio 1.x one (Version 2, with
 * `-global virtio-mmio.force-legacy=false`). A driver sees one interface:
 * probe, negotiate, set up its queues on static memory, go live.
 *
 * Polled, no interrupts. This board runs lwIP with NO_SYS: one loop that
 * polls the NIC, runs lwIP's timers and the application. Taking virtio
 * interrupts would need the GIC set up, an exception handler that hands
 * work to that same loop, and locking between the two, for nothing the
 * loop would do differently. Every queue asks the device not to
 * interrupt (VRING_AVAIL_F_NO_INTERRUPT) and the drivers look at the
 * used rings in RAM. The cost: the CPU spins even when idle (QEMU burns
 * a host core for the guest's vCPU), and a frame waits in the ring until
 * the loop comes round, so latency is one loop iteration on top.
 *
 * Memory: the rings live in the caller's static storage (VIRTQ_MEM()).
 * The MMU maps RAM write-back cacheable and QEMU's (and KVM's) virtio
 * devices read and write guest RAM coherently, so no cache maintenance
 * is needed, only ordering barriers (see virtio.c).
 */
#ifndef TERN_BOARD_QEMU_VIRT_ARM64_VIRTIO_H
#define TERN_BOARD_QEMU_VIRT_ARM64_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

/* Device IDs (virtio 1.x section 5) */
#define VIRTIO_ID_NET		1
#define VIRTIO_ID_RNG		4

/* Device-independent feature bits (section 6) */
#define VIRTIO_F_VERSION_1	32

/* Descriptor flags (2.7.5) */
#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2

/* One virtio-mmio device as probed and negotiated. */
struct virtio_dev {
	uintptr_t base;		/* the slot's registers */
	uint32_t version;	/* 1: legacy, 2: virtio 1.x */
	uint32_t device_id;
	uint64_t features;	/* negotiated (virtio_negotiate) */
};

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

/* The two rings' fixed heads; ring[] follows each. */
struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

/* One split virtqueue. Descriptors belong to the driver, which keeps
 * them (and their buffers) fixed; the queue only moves heads. */
struct virtq {
	const struct virtio_dev *dev;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t num;		/* queue size, a power of 2 */
	uint16_t index;		/* the device's queue number */
	uint16_t avail_idx;	/* next avail->idx to publish */
	uint16_t used_idx;	/* next used entry to consume */
	uint32_t kicks;		/* notifications written */
};

/* Memory for a queue of n descriptors in the legacy layout (2.7.2 of
 * virtio 0.9.5, which the modern transport accepts too): the descriptor
 * table and the available ring, then the used ring on the next
 * VIRTQ_ALIGN boundary. The legacy transport takes the whole area as one
 * guest page number, hence page alignment. */
#define VIRTQ_ALIGN		4096
#define VIRTQ_ROUND(x)		(((x) + VIRTQ_ALIGN - 1) & ~(size_t)(VIRTQ_ALIGN - 1))
#define VIRTQ_USED_OFFSET(n)	VIRTQ_ROUND(16 * (size_t)(n) + 6 + 2 * (size_t)(n))
#define VIRTQ_MEM_SIZE(n)	(VIRTQ_USED_OFFSET(n) + VIRTQ_ROUND(6 + 8 * (size_t)(n)))
#define VIRTQ_MEM(name, n) \
	uint8_t name[VIRTQ_MEM_SIZE(n)] __attribute__((aligned(VIRTQ_ALIGN)))

/* Finds the nth (0: first) virtio-mmio slot of QEMU virt holding a device
 * of this ID, transport version 1 or 2. 0, or -1 when there is none. */
int virtio_probe(struct virtio_dev *dev, uint32_t device_id, unsigned int nth);

/* Resets the device, sets ACKNOWLEDGE and DRIVER, and accepts the
 * features in `wanted` the device offers (VIRTIO_F_VERSION_1 added, and
 * required, on the 1.x transport; never offered on the legacy one, whose
 * device features are 32 bits). On 1.x sets FEATURES_OK and checks the
 * device kept it. 0 with dev->features set, or -1 (device marked FAILED). */
int virtio_negotiate(struct virtio_dev *dev, uint64_t wanted);

static inline int virtio_has(const struct virtio_dev *dev, unsigned int bit)
{
	return (dev->features >> bit) & 1;
}

/* Sets up queue `index` of n descriptors (a power of 2, at most what the
 * device allows) in mem (VIRTQ_MEM(mem, n)), zeroed, interrupts
 * suppressed. Between virtio_negotiate() and virtio_driver_ok(). 0 or -1. */
int virtq_setup(struct virtq *vq, const struct virtio_dev *dev, unsigned int index,
		void *mem, unsigned int n);

/* DRIVER_OK: the device is live. */
void virtio_driver_ok(struct virtio_dev *dev);

/* Marks the device FAILED (a driver that gives up after negotiating). */
void virtio_fail(struct virtio_dev *dev);

/* Acknowledges whatever the device flagged in InterruptStatus (the line
 * is not routed anywhere; this only keeps the register clean). */
void virtio_ack_interrupt(const struct virtio_dev *dev);

/* Device configuration space, byte at a time (with the 1.x transport's
 * generation counter, a multi-byte read is retried until consistent). */
void virtio_config_read(const struct virtio_dev *dev, unsigned int offset,
			void *out, size_t len);

/* The driver's descriptor table, to fill before virtq_add(). */
static inline struct vring_desc *virtq_desc(struct virtq *vq, uint16_t i)
{
	return &vq->desc[i];
}

/* Makes the chain starting at descriptor `head` available to the device
 * (descriptors first, then the ring entry, then the index: ordered).
 * The device is not told: batch several, then virtq_kick(). */
void virtq_add(struct virtq *vq, uint16_t head);

/* Notifies the device of what was added, unless it asked not to be
 * (VRING_USED_F_NO_NOTIFY: it is processing the queue already). */
void virtq_kick(struct virtq *vq);

/* The next used chain: in *head its head descriptor (as the device said
 * it: check it), in *len the bytes the device wrote into it. 1, or 0
 * when the device has returned nothing new. */
int virtq_get_used(struct virtq *vq, uint32_t *head, uint32_t *len);

#endif
