/* board/qemu-virt-arm64/main.c: the bare-metal image (tern.elf).
 *
 * Banner, pools, lwIP initialised, the network brought up (net.c:
 * virtio-net, lwIP netif, addresses), then the terminator (serve.c:
 * HTTP/3 on CONFIG_TERM_LISTEN_PORT until 'q' on the console, "quit" to
 * the diagnostic UDP echo, or CONFIG_BOARD_SERVE_SECONDS), statistics,
 * uptime, exit 0. Without a virtio-net device the image says so and
 * exits 0 (boot-test).
 */
#include <stdio.h>
#include <string.h>

#include "lib/kconfig.h"
#include "lib/pool.h"
#include "port/port.h"
#include "port/lwip/lwip_port.h"
#include "board/qemu-virt-arm64/board.h"
#include "board/qemu-virt-arm64/net.h"
#include "board/qemu-virt-arm64/serve.h"

extern char __image_start[], __image_end[], __stack_bottom[], __stack[];
extern uint64_t board_boot_count;

int main(void);

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

static void banner(void)
{
	uint64_t midr = read_sysreg(midr_el1);
	uint64_t sctlr = read_sysreg(sctlr_el1);
	uint64_t el = (read_sysreg(CurrentEL) >> 2) & 3;
	uint8_t probe[16];
	int rng = port_entropy(probe, sizeof(probe));

	printf("tern %s (qemu-virt-arm64, bare metal)\n", TERN_VERSION);
	printf("cpu: MIDR_EL1 0x%08lx (implementer 0x%02lx part 0x%03lx r%lup%lu), EL%lu\n",
	       (unsigned long)midr, (unsigned long)(midr >> 24) & 0xff,
	       (unsigned long)(midr >> 4) & 0xfff, (unsigned long)(midr >> 20) & 0xf,
	       (unsigned long)midr & 0xf, (unsigned long)el);
	printf("counter: %lu Hz\n", (unsigned long)timer_freq_hz());
	printf("mmu: SCTLR_EL1 0x%08lx: MMU %s, D-cache %s, I-cache %s\n",
	       (unsigned long)sctlr, sctlr & SCTLR_M ? "on" : "off",
	       sctlr & SCTLR_C ? "on" : "off", sctlr & SCTLR_I ? "on" : "off");
	printf("ram: 0x%08lx-0x%08lx (%u MiB), image 0x%08lx-0x%08lx (%lu KiB), stack %u KiB\n",
	       (unsigned long)BOARD_RAM_BASE,
	       (unsigned long)(BOARD_RAM_BASE + BOARD_RAM_SIZE - 1),
	       (unsigned)CONFIG_BOARD_RAM_SIZE_MB, (unsigned long)(uintptr_t)__image_start,
	       (unsigned long)(uintptr_t)__image_end - 1,
	       (unsigned long)((uintptr_t)(__image_end - __image_start) >> 10),
	       (unsigned)((uintptr_t)(__stack - __stack_bottom) >> 10));
	if (rng == 0)
		printf("entropy: virtio-rng at 0x%08lx\n", (unsigned long)virtio_rng_base());
	else
		printf("entropy: none (no virtio-rng device)\n");
}

static struct board_net net;

/* Where the RAM goes, all of it fixed at link time: the image (code,
 * data, and in .bss every pool: tern's, lwIP's heap and pools, the NIC's
 * buffers), the one stack inside it, and what is left of the board's RAM. */
static void ram_budget(void)
{
	unsigned long image = (unsigned long)(__image_end - __image_start);
	unsigned long stack = (unsigned long)(__stack - __stack_bottom);
	unsigned long ram = (unsigned long)BOARD_RAM_SIZE;
	unsigned long base = (unsigned long)((uintptr_t)__image_start - BOARD_RAM_BASE);

	printf("ram budget: %lu KiB image (tern pools %lu KiB for %u connections, lwIP heap "
	       "%u KiB, stack %lu KiB, the rest code, data and lwIP's pools), %lu KiB of %u MiB "
	       "free\n", image >> 10, (unsigned long)pool_total_bytes() >> 10,
	       (unsigned)CONFIG_POOL_CONNECTIONS, (unsigned)CONFIG_LWIP_MEM_SIZE_KB, stack >> 10,
	       (ram - base - image) >> 10, (unsigned)CONFIG_BOARD_RAM_SIZE_MB);
}

int main(void)
{
	uint64_t t0 = timer_count();
	uint64_t freq = timer_freq_hz();

	banner();
	pool_init_all();
	pool_stats_format(print_line, NULL);
	ram_budget();
	port_lwip_init(); /* after the clock and entropy: lwIP draws at init */
	port_lwip_stats_format(print_line, NULL);

	int status = 0;

	switch (board_net_up(&net)) {
	case BOARD_NET_UP:
		status = board_serve(&net) ? 1 : 0;
		board_net_stats_format(&net, print_line, NULL);
		board_net_down(&net);
		pool_stats_format(print_line, NULL);
		port_lwip_stats_format(print_line, NULL);
		break;
	case BOARD_NET_NO_DEVICE:
		break;
	case BOARD_NET_BAD_CONFIG:
		return 2;
	case BOARD_NET_NO_ADDRESS:
		board_net_down(&net);
		status = 1;
		break;
	default:
		status = 1;
		break;
	}

	uint64_t now = timer_count();

	printf("uptime: %lu us since reset, %lu us since _start, %lu us in main\n",
	       (unsigned long)(now * 1000000U / freq),
	       (unsigned long)((now - board_boot_count) * 1000000U / freq),
	       (unsigned long)((now - t0) * 1000000U / freq));
	return status;
}
