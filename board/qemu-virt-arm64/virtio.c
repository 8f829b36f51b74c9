/* board/qemu-virt-arm64/virtio.c: virtio-mmio transport and split
 * virtqueues for the board's drivers (see virtio.h for the why).
 *
 * Devices are found by probing the 32 virtio-mmio slots of QEMU virt
 * (fixed at 0x0a000000, 0x200 apart: board.h) rather than by reading the
 * device tree: the memory map is fixed for this board, the Magic,
 * Version and DeviceID registers make a probe safe (an empty slot reads
 * DeviceID 0), and QEMU does not hand an ELF image linked at the start of
 * RAM a device tree at all. A board with a variable map would parse the
 * DTB instead.
 *
 * Barriers. The device is QEMU's emulation: another host thread reading
 * and writing guest RAM coherently, an observer in the inner shareable
 * domain, like another CPU (Linux's "weak barriers" for virtio-mmio).
 *  - descriptors and the avail ring entry, then `dmb ishst`, then
 *    avail->idx: the device never sees an index before what it covers;
 *  - avail->idx, then `dmb osh`, then read used->flags and write
 *    QueueNotify: the store must be visible before the notification
 *    check (store -> load needs a full barrier) and before the MMIO store
 *    to Device memory that makes the device look (outer shareable,
 *    as Linux's writel() orders it);
 *  - used->idx, then `dmb ishld`, then the used element and the buffer
 *    contents: nothing read ahead of the index that announced it.
 */
#include <string.h>

#include "lib/kconfig.h"
#include "board/qemu-virt-arm64/board.h"
#include "board/qemu-virt-arm64/virtio.h"

#define VIRTIO_MMIO_MAGIC		0x74726976	/* "virt" */

/* Registers (4.2.2; legacy-only ones from 4.2.4) */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE	0x028	/* legacy */
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_ALIGN		0x03c	/* legacy */
#define VIRTIO_MMIO_QUEUE_PFN		0x040	/* legacy */
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc	/* 1.x only */
#define VIRTIO_MMIO_CONFIG		0x100

/* Device status (2.1) */
#define STATUS_ACKNOWLEDGE	1
#define STATUS_DRIVER		2
#define STATUS_DRIVER_OK	4
#define STATUS_FEATURES_OK	8
#define STATUS_FAILED		128

#define VRING_AVAIL_F_NO_INTERRUPT	1
#define VRING_USED_F_NO_NOTIFY		1

/* A reset QEMU completes at once; a device that never reads back 0 is
 * given up on after this many reads. */
#define RESET_POLLS		1000000

#define READ_ONCE16(x)		(*(const volatile uint16_t *)&(x))
#define WRITE_ONCE16(x, v)	(*(volatile uint16_t *)&(x) = (v))

static inline uint32_t rd(const struct virtio_dev *dev, unsigned int reg)
{
	return mmio_read32(dev->base + reg);
}

static inline void wr(const struct virtio_dev *dev, unsigned int reg, uint32_t v)
{
	mmio_write32(dev->base + reg, v);
}

static inline uint8_t mmio_read8(uintptr_t addr)
{
	uint32_t v;

	__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return (uint8_t)v;
}

int virtio_probe(struct virtio_dev *dev, uint32_t device_id, unsigned int nth)
{
	for (unsigned int i = 0; i < VIRT_MMIO_SLOTS; i++) {
		uintptr_t base = VIRT_MMIO_BASE + i * VIRT_MMIO_STRIDE;
		uint32_t version = mmio_read32(base + VIRTIO_MMIO_VERSION);

		if (mmio_read32(base + VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
		    (version != 1 && version != 2) ||
		    mmio_read32(base + VIRTIO_MMIO_DEVICE_ID) != device_id)
			continue;
		if (nth-- > 0)
			continue;
		dev->base = base;
		dev->version = version;
		dev->device_id = device_id;
		dev->features = 0;
		return 0;
	}
	return -1;
}

void virtio_fail(struct virtio_dev *dev)
{
	wr(dev, VIRTIO_MMIO_STATUS, rd(dev, VIRTIO_MMIO_STATUS) | STATUS_FAILED);
}

/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK (1.x only:
 * the legacy interface has no such step, 3.1.2). */
int virtio_negotiate(struct virtio_dev *dev, uint64_t wanted)
{
	uint64_t offered;
	unsigned int polls = 0;

	wr(dev, VIRTIO_MMIO_STATUS, 0);
	while (rd(dev, VIRTIO_MMIO_STATUS) != 0)
		if (++polls > RESET_POLLS)
			return -1;
	wr(dev, VIRTIO_MMIO_STATUS, STATUS_ACKNOWLEDGE);
	wr(dev, VIRTIO_MMIO_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);

	wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered = rd(dev, VIRTIO_MMIO_DEVICE_FEATURES);
	if (dev->version == 2) {
		wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
		offered |= (uint64_t)rd(dev, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
		wanted |= 1ULL << VIRTIO_F_VERSION_1;
		if (!(offered & (1ULL << VIRTIO_F_VERSION_1)))
			goto fail;
	} else {
		wanted &= 0xffffffffULL;
	}
	dev->features = offered & wanted;

	wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)dev->features);
	if (dev->version == 2) {
		wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
		wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(dev->features >> 32));
		wr(dev, VIRTIO_MMIO_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER |
		   STATUS_FEATURES_OK);
		if (!(rd(dev, VIRTIO_MMIO_STATUS) & STATUS_FEATURES_OK))
			goto fail;
	} else {
		/* The unit of QueuePFN (4.2.4). */
		wr(dev, VIRTIO_MMIO_GUEST_PAGE_SIZE, VIRTQ_ALIGN);
	}
	return 0;
fail:
	virtio_fail(dev);
	return -1;
}

static void write64(const struct virtio_dev *dev, unsigned int low, uintptr_t addr)
{
	wr(dev, low, (uint32_t)addr);
	wr(dev, low + 4, (uint32_t)((uint64_t)addr >> 32));
}

int virtq_setup(struct virtq *vq, const struct virtio_dev *dev, unsigned int index,
		void *mem, unsigned int n)
{
	uintptr_t base = (uintptr_t)mem;

	if (n == 0 || (n & (n - 1)) || n > 32768 || (base & (VIRTQ_ALIGN - 1)))
		return -1;
	wr(dev, VIRTIO_MMIO_QUEUE_SEL, index);
	if (dev->version == 2 && rd(dev, VIRTIO_MMIO_QUEUE_READY) != 0)
		return -1;
	if (rd(dev, VIRTIO_MMIO_QUEUE_NUM_MAX) < n)
		return -1;

	memset(mem, 0, VIRTQ_MEM_SIZE(n));
	vq->dev = dev;
	vq->desc = mem;
	vq->avail = (struct vring_avail *)(base + 16 * (size_t)n);
	vq->used = (struct vring_used *)(base + VIRTQ_USED_OFFSET(n));
	vq->num = (uint16_t)n;
	vq->index = (uint16_t)index;
	vq->avail_idx = 0;
	vq->used_idx = 0;
	vq->kicks = 0;
	/* Polled (virtio.h): never interrupt for this queue. */
	vq->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	/* The zeroed rings reach RAM before the device is told where they are. */
	dsb(ish);

	wr(dev, VIRTIO_MMIO_QUEUE_NUM, n);
	if (dev->version == 2) {
		write64(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, base);
		write64(dev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uintptr_t)vq->avail);
		write64(dev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uintptr_t)vq->used);
		wr(dev, VIRTIO_MMIO_QUEUE_READY, 1);
	} else {
		wr(dev, VIRTIO_MMIO_QUEUE_ALIGN, VIRTQ_ALIGN);
		wr(dev, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(base / VIRTQ_ALIGN));
	}
	return 0;
}

void virtio_driver_ok(struct virtio_dev *dev)
{
	uint32_t status = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK;

	if (dev->version == 2)
		status |= STATUS_FEATURES_OK;
	wr(dev, VIRTIO_MMIO_STATUS, status);
}

void virtio_ack_interrupt(const struct virtio_dev *dev)
{
	uint32_t pending = rd(dev, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (pending)
		wr(dev, VIRTIO_MMIO_INTERRUPT_ACK, pending);
}

void virtio_config_read(const struct virtio_dev *dev, unsigned int offset,
			void *out, size_t len)
{
	uint8_t *p = out;
	uint32_t gen;

	do {
		gen = dev->version == 2 ? rd(dev, VIRTIO_MMIO_CONFIG_GENERATION) : 0;
		for (size_t i = 0; i < len; i++)
			p[i] = mmio_read8(dev->base + VIRTIO_MMIO_CONFIG + offset + i);
	} while (dev->version == 2 && gen != rd(dev, VIRTIO_MMIO_CONFIG_GENERATION));
}

void virtq_add(struct virtq *vq, uint16_t head)
{
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	dmb(ishst);
	vq->avail_idx++;
	WRITE_ONCE16(vq->avail->idx, vq->avail_idx);
}

void virtq_kick(struct virtq *vq)
{
	dmb(osh);
	if (READ_ONCE16(vq->used->flags) & VRING_USED_F_NO_NOTIFY)
		return;
	wr(vq->dev, VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
	vq->kicks++;
}

int virtq_get_used(struct virtq *vq, uint32_t *head, uint32_t *len)
{
	const volatile struct vring_used_elem *e;

	if (READ_ONCE16(vq->used->idx) == vq->used_idx)
		return 0;
	dmb(ishld);
	e = &vq->used->ring[vq->used_idx & (vq->num - 1)];
	*head = e->id;
	*len = e->len;
	vq->used_idx++;
	return 1;
}
