/* board/qemu-virt-arm64/virtio_rng.c: entropy from a virtio-rng device
 * (`-device virtio-rng-device`) over virtio-mmio (virtio.c: probe,
 * negotiation and the virtqueue, legacy and 1.x transports).
 *
 * Probes on first use. virtio-rng has no feature bits of its own. One
 * virtqueue with a single device-writable descriptor over a static
 * bounce buffer, polled: no interrupts. A missing device, a refused
 * negotiation or a device that does not answer within a second makes
 * every later call fail (-1).
 */
#include <string.h>

#include "board/qemu-virt-arm64/board.h"
#include "board/qemu-virt-arm64/virtio.h"

#define QUEUE_SIZE	4
#define BOUNCE_SIZE	256
#define TIMEOUT_NS	1000000000ULL

enum rng_state { RNG_UNPROBED, RNG_READY, RNG_ABSENT };

static struct {
	enum rng_state state;
	struct virtio_dev dev;
	struct virtq vq;
} rng;

static VIRTQ_MEM(vq_mem, QUEUE_SIZE);
static uint8_t bounce[BOUNCE_SIZE] __attribute__((aligned(64)));

static int device_init(void)
{
	if (virtio_probe(&rng.dev, VIRTIO_ID_RNG, 0) != 0)
		return -1;
	if (virtio_negotiate(&rng.dev, 0) != 0)
		return -1;
	if (virtq_setup(&rng.vq, &rng.dev, 0, vq_mem, QUEUE_SIZE) != 0) {
		virtio_fail(&rng.dev);
		return -1;
	}
	virtio_driver_ok(&rng.dev);
	return 0;
}

/* One request: up to len (<= BOUNCE_SIZE) bytes into out. Returns the
 * count the device wrote, -1 on timeout. */
static int request(uint8_t *out, size_t len)
{
	struct vring_desc *d = virtq_desc(&rng.vq, 0);
	uint64_t start;
	uint32_t head, n;

	d->addr = (uintptr_t)bounce;
	d->len = (uint32_t)len;
	d->flags = VRING_DESC_F_WRITE;
	d->next = 0;
	virtq_add(&rng.vq, 0);
	virtq_kick(&rng.vq);

	start = timer_now_ns();
	while (!virtq_get_used(&rng.vq, &head, &n)) {
		if (timer_now_ns() - start > TIMEOUT_NS)
			return -1;
	}
	virtio_ack_interrupt(&rng.dev);
	if (n > len)
		n = (uint32_t)len;
	memcpy(out, bounce, n);
	return (int)n;
}

uintptr_t virtio_rng_base(void)
{
	return rng.state == RNG_READY ? rng.dev.base : 0;
}

int virtio_rng_read(void *buf, size_t len)
{
	uint8_t *p = buf;
	unsigned int empty = 0;

	if (rng.state == RNG_UNPROBED)
		rng.state = device_init() == 0 ? RNG_READY : RNG_ABSENT;
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
