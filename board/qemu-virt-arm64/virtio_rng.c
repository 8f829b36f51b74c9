/* board/qemu-virt-arm64/virtio_rng.c: entropy from a virtio-rng device
 * (`-device virtio-rng-device`) over virtio-mmio.
 *
 * Probes the 32 virtio-mmio slots of QEMU virt on first use. Speaks the
 * legacy transport (version 1, QEMU's default) and the virtio 1.x one
 * (version 2, with -global virtio-mmio.force-legacy=false). One
 * virtqueue with a single device-writable descriptor over a static
 * bounce buffer, polled: no interrupts. A missing device, a refused
 * negotiation or a device that does not answer within a second makes
 * every later call fail (-1).
 */
#include <string.h>

#include "lib/kconfig.h"
#include "board/qemu-virt-arm64/board.h"

#define VIRTIO_MMIO_MAGIC		0x74726976	/* "virt" */
#define VIRTIO_ID_RNG			4

#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
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
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW	0x090
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_USED_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_USED_HIGH	0x0a4

#define STATUS_ACKNOWLEDGE	1
#define STATUS_DRIVER		2
#define STATUS_DRIVER_OK	4
#define STATUS_FEATURES_OK	8
#define STATUS_FAILED		128

#define VIRTIO_F_VERSION_1_HI	(1U << 0)	/* feature bit 32 */

#define VRING_DESC_F_WRITE	2
#define VRING_AVAIL_F_NO_INTERRUPT 1

#define QUEUE_SIZE	4
#define QUEUE_ALIGN	4096
#define BOUNCE_SIZE	256
#define TIMEOUT_NS	1000000000ULL

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[QUEUE_SIZE];
	uint16_t used_event;
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[QUEUE_SIZE];
	uint16_t avail_event;
};

/* The legacy layout (descriptors, available ring, then the used ring on
 * the next QUEUE_ALIGN boundary) serves both transports. */
struct vring {
	struct vring_desc desc[QUEUE_SIZE];
	struct vring_avail avail;
	uint8_t pad[QUEUE_ALIGN - sizeof(struct vring_desc) * QUEUE_SIZE -
		    sizeof(struct vring_avail)];
	struct vring_used used;
} __attribute__((aligned(QUEUE_ALIGN)));

BUILD_ASSERT(offsetof(struct vring, used) == QUEUE_ALIGN, "legacy vring layout");

enum rng_state { RNG_UNPROBED, RNG_READY, RNG_ABSENT };

static struct {
	enum rng_state state;
	uintptr_t base;
	uint16_t avail_idx;
	uint16_t used_idx;
} rng;

static struct vring vq;
static uint8_t bounce[BOUNCE_SIZE] __attribute__((aligned(64)));

static inline uint32_t rd(unsigned int reg)
{
	return mmio_read32(rng.base + reg);
}

static inline void wr(unsigned int reg, uint32_t v)
{
	mmio_write32(rng.base + reg, v);
}

static uintptr_t find_device(void)
{
	for (unsigned int i = 0; i < VIRT_MMIO_SLOTS; i++) {
		uintptr_t base = VIRT_MMIO_BASE + i * VIRT_MMIO_STRIDE;
		uint32_t version = mmio_read32(base + VIRTIO_MMIO_VERSION);

		if (mmio_read32(base + VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC &&
		    (version == 1 || version == 2) &&
		    mmio_read32(base + VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_RNG)
			return base;
	}
	return 0;
}

static int device_init(void)
{
	uint32_t version = rd(VIRTIO_MMIO_VERSION);
	uintptr_t desc = (uintptr_t)vq.desc;
	uintptr_t avail = (uintptr_t)&vq.avail;
	uintptr_t used = (uintptr_t)&vq.used;

	wr(VIRTIO_MMIO_STATUS, 0);
	while (rd(VIRTIO_MMIO_STATUS) != 0)
		;
	wr(VIRTIO_MMIO_STATUS, STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);

	/* virtio-rng has no feature bits; virtio 1.x needs VERSION_1. */
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	if (version == 2) {
		wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
		wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
		wr(VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_F_VERSION_1_HI);
		wr(VIRTIO_MMIO_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER |
		   STATUS_FEATURES_OK);
		if (!(rd(VIRTIO_MMIO_STATUS) & STATUS_FEATURES_OK))
			goto fail;
	} else {
		wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, QUEUE_ALIGN);
	}

	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	if (rd(VIRTIO_MMIO_QUEUE_NUM_MAX) < QUEUE_SIZE)
		goto fail;
	memset(&vq, 0, sizeof(vq));
	vq.avail.flags = VRING_AVAIL_F_NO_INTERRUPT;
	rng.avail_idx = 0;
	rng.used_idx = 0;
	dsb(sy);
	wr(VIRTIO_MMIO_QUEUE_NUM, QUEUE_SIZE);
	if (version == 2) {
		wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
		wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
		wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
		wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
		wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
		wr(VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
		wr(VIRTIO_MMIO_QUEUE_READY, 1);
		wr(VIRTIO_MMIO_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER |
		   STATUS_FEATURES_OK | STATUS_DRIVER_OK);
	} else {
		wr(VIRTIO_MMIO_QUEUE_ALIGN, QUEUE_ALIGN);
		wr(VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(desc / QUEUE_ALIGN));
		wr(VIRTIO_MMIO_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER |
		   STATUS_DRIVER_OK);
	}
	return 0;
fail:
	wr(VIRTIO_MMIO_STATUS, STATUS_FAILED);
	return -1;
}

/* One request: up to len (<= BOUNCE_SIZE) bytes into out. Returns the
 * count the device wrote, -1 on timeout. */
static int request(uint8_t *out, size_t len)
{
	volatile struct vring_used *used = &vq.used;
	uint64_t start;
	uint32_t n;

	vq.desc[0].addr = (uintptr_t)bounce;
	vq.desc[0].len = (uint32_t)len;
	vq.desc[0].flags = VRING_DESC_F_WRITE;
	vq.desc[0].next = 0;
	vq.avail.ring[rng.avail_idx % QUEUE_SIZE] = 0;
	dmb(sy);
	rng.avail_idx++;
	*(volatile uint16_t *)&vq.avail.idx = rng.avail_idx;
	dsb(sy);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);

	start = timer_now_ns();
	while (used->idx == rng.used_idx) {
		if (timer_now_ns() - start > TIMEOUT_NS)
			return -1;
	}
	dmb(sy);
	n = used->ring[rng.used_idx % QUEUE_SIZE].len;
	rng.used_idx++;
	wr(VIRTIO_MMIO_INTERRUPT_ACK, rd(VIRTIO_MMIO_INTERRUPT_STATUS));
	if (n > len)
		n = (uint32_t)len;
	memcpy(out, bounce, n);
	return (int)n;
}

uintptr_t virtio_rng_base(void)
{
	return rng.state == RNG_READY ? rng.base : 0;
}

int virtio_rng_read(void *buf, size_t len)
{
	uint8_t *p = buf;
	unsigned int empty = 0;

	if (rng.state == RNG_UNPROBED) {
		rng.base = find_device();
		rng.state = rng.base && device_init() == 0 ? RNG_READY : RNG_ABSENT;
	}
	if (rng.state != RNG_READY)
		return -1;

	while (len) {
		size_t want = len < BOUNCE_SIZE ? len : BOUNCE_SIZE;
		int n = request(p, want);

		if (n < 0 || (n == 0 && ++empty > 16)) {
			rng.state = RNG_ABSENT;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
