/* board/qemu-virt-arm64: what the board's files share. Bare metal on
 * QEMU's `virt` machine (Cortex-A72): memory map, system registers, MMIO,
 * and the board's own functions. */
#ifndef TERN_BOARD_QEMU_VIRT_ARM64_BOARD_H
#define TERN_BOARD_QEMU_VIRT_ARM64_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* QEMU virt memory map (hw/arm/virt.c) */
#define VIRT_PL011_BASE		0x09000000UL
#define VIRT_PL011_CLOCK_HZ	24000000U
#define VIRT_MMIO_BASE		0x0a000000UL
#define VIRT_MMIO_STRIDE	0x200UL
#define VIRT_MMIO_SLOTS		32
#define VIRT_DEVICE_END		0x40000000UL	/* 0..1 GiB: devices */

#define BOARD_RAM_BASE		((uintptr_t)CONFIG_BOARD_RAM_BASE)
#define BOARD_RAM_SIZE		((uintptr_t)CONFIG_BOARD_RAM_SIZE_MB << 20)

/* Exit status of an image that took an unexpected exception. */
#define BOARD_EXIT_EXCEPTION	70

#define read_sysreg(reg) ({						\
	uint64_t __val;							\
	__asm__ volatile("mrs %0, " #reg : "=r"(__val));		\
	__val;								\
})
#define write_sysreg(val, reg)						\
	__asm__ volatile("msr " #reg ", %x0" : : "rZ"((uint64_t)(val)) : "memory")

#define isb()		__asm__ volatile("isb" : : : "memory")
#define dsb(opt)	__asm__ volatile("dsb " #opt : : : "memory")
#define dmb(opt)	__asm__ volatile("dmb " #opt : : : "memory")

/* Device registers through single plain loads and stores (no writeback
 * addressing, which a hypervisor cannot emulate). */
static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

/* SCTLR_EL1 bits */
#define SCTLR_M		(1UL << 0)
#define SCTLR_A		(1UL << 1)
#define SCTLR_C		(1UL << 2)
#define SCTLR_SA	(1UL << 3)
#define SCTLR_I		(1UL << 12)

/* mmu.c: identity map (devices nGnRnE, RAM write-back), caches on.
 * Called from boot.S with the MMU off, before any other C. */
void mmu_enable(void);

/* pl011.c: the console UART. */
void pl011_init(void);
void pl011_putc(char c);
void pl011_write(const char *s, size_t len);
void pl011_puts(const char *s);
int pl011_getc(void);		/* blocks */
int pl011_trygetc(void);	/* -1: nothing received */

/* timer.c: the ARM generic timer (virtual counter). */
uint64_t timer_freq_hz(void);
uint64_t timer_count(void);
uint64_t timer_now_ns(void);
void timer_delay_us(uint64_t us);

/* virtio_rng.c: virtio-rng over virtio-mmio, polled. 0 or -1 (no device). */
int virtio_rng_read(void *buf, size_t len);
/* The slot's base address once probed, 0 when there is none. */
uintptr_t virtio_rng_base(void);

/* board.c: console streams, exception report, exit through semihosting. */
void board_init(void);
__attribute__((noreturn)) void board_exception(uint64_t vector, uint64_t esr,
					       uint64_t elr, uint64_t far,
					       uint64_t spsr, uint64_t sp);
__attribute__((noreturn)) void semihost_exit(int status);

#endif
