/* board/qemu-virt-arm64/mmu.c: identity map and caches on.
 *
 * 4 KiB granule, 39-bit VA (T0SZ = 25: the walk starts at level 1, one
 * entry per GiB), TTBR0 only.
 *   0 .. 1 GiB      one level-1 block, Device-nGnRnE, never executable
 *                   (PL011, GIC, virtio-mmio, PCIe windows)
 *   RAM             2 MiB level-2 blocks, Normal write-back, inner
 *                   shareable; CONFIG_BOARD_RAM_SIZE_MB exactly
 *   stack guard     the 4 KiB page below the stack is left out (its 2 MiB
 *                   block is split into level-3 pages), so an overflow
 *                   faults instead of overwriting .bss
 * Everything else faults.
 *
 * Runs from boot.S with the MMU off, where every data access is to Device
 * memory: this file is built with -mstrict-align and without calls to
 * memset/memcpy (board.mk), and touches nothing but its tables (zeroed
 * with .bss before).
 */
#include "lib/kconfig.h"
#include "board/qemu-virt-arm64/board.h"

#define GRANULE		4096UL
#define PT_ENTRIES	512
#define L1_SHIFT	30
#define L2_SHIFT	21
#define L3_SHIFT	12
#define L2_BLOCK	(1UL << L2_SHIFT)

#define DESC_BLOCK	0x1UL		/* level 1/2 block */
#define DESC_TABLE	0x3UL		/* level 1/2 table */
#define DESC_PAGE	0x3UL		/* level 3 page */
#define DESC_ATTR(i)	((uint64_t)(i) << 2)
#define DESC_SH_INNER	(3UL << 8)
#define DESC_AF		(1UL << 10)
#define DESC_PXN	(1UL << 53)
#define DESC_UXN	(1UL << 54)

/* MAIR_EL1 attribute indexes */
#define MT_DEVICE_NGNRNE	0
#define MT_NORMAL		1
#define MT_NORMAL_NC		2
#define MAIR_VALUE	((0x00UL << (8 * MT_DEVICE_NGNRNE)) |		\
			 (0xffUL << (8 * MT_NORMAL)) |			\
			 (0x44UL << (8 * MT_NORMAL_NC)))

#define TCR_T0SZ	(64UL - 39)
#define TCR_IRGN0_WBWA	(1UL << 8)
#define TCR_ORGN0_WBWA	(1UL << 10)
#define TCR_SH0_INNER	(3UL << 12)
#define TCR_TG0_4K	(0UL << 14)
#define TCR_EPD1	(1UL << 23)
#define TCR_IPS_SHIFT	32

#define DEVICE_BLOCK	(DESC_BLOCK | DESC_ATTR(MT_DEVICE_NGNRNE) | DESC_AF | \
			 DESC_PXN | DESC_UXN)
#define RAM_ATTRS	(DESC_ATTR(MT_NORMAL) | DESC_SH_INNER | DESC_AF)

#define RAM_END		(BOARD_RAM_BASE + BOARD_RAM_SIZE)
#define RAM_GIB_FIRST	(CONFIG_BOARD_RAM_BASE >> L1_SHIFT)
#define RAM_GIB_LAST	((CONFIG_BOARD_RAM_BASE + \
			  ((uint64_t)CONFIG_BOARD_RAM_SIZE_MB << 20) - 1) >> L1_SHIFT)
#define RAM_GIB_COUNT	(RAM_GIB_LAST - RAM_GIB_FIRST + 1)

BUILD_ASSERT(CONFIG_BOARD_RAM_BASE % (1UL << L2_SHIFT) == 0,
	     "CONFIG_BOARD_RAM_BASE must be 2 MiB aligned");
BUILD_ASSERT(CONFIG_BOARD_RAM_SIZE_MB % 2 == 0,
	     "CONFIG_BOARD_RAM_SIZE_MB must be a multiple of 2 (2 MiB blocks)");
BUILD_ASSERT(CONFIG_BOARD_RAM_BASE >= VIRT_DEVICE_END,
	     "RAM must start above the device GiB");

static uint64_t l1_table[PT_ENTRIES] __attribute__((aligned(GRANULE)));
static uint64_t l2_tables[RAM_GIB_COUNT][PT_ENTRIES] __attribute__((aligned(GRANULE)));
static uint64_t l3_guard[PT_ENTRIES] __attribute__((aligned(GRANULE)));

extern char __stack_guard[];

void mmu_enable(void);

static void map_ram(void)
{
	uintptr_t guard = (uintptr_t)__stack_guard;
	uintptr_t guard_block = guard & ~(L2_BLOCK - 1);

	for (uintptr_t pa = BOARD_RAM_BASE; pa < RAM_END; pa += L2_BLOCK) {
		uint64_t *l2 = l2_tables[(pa >> L1_SHIFT) - RAM_GIB_FIRST];
		unsigned int i = (pa >> L2_SHIFT) & (PT_ENTRIES - 1);

		l1_table[pa >> L1_SHIFT] = (uint64_t)(uintptr_t)l2 | DESC_TABLE;
		if (pa != guard_block) {
			l2[i] = pa | RAM_ATTRS | DESC_BLOCK;
			continue;
		}
		for (unsigned int j = 0; j < PT_ENTRIES; j++) {
			uintptr_t page = pa + ((uintptr_t)j << L3_SHIFT);

			l3_guard[j] = page == guard ? 0 : (page | RAM_ATTRS | DESC_PAGE);
		}
		l2[i] = (uint64_t)(uintptr_t)l3_guard | DESC_TABLE;
	}
}

/* Drop any stale cached copy of the tables: the walker reads them through
 * the cache (TCR IRGN/ORGN write-back) once the MMU is on. */
static void invalidate_dcache_range(const void *start, size_t len)
{
	uint64_t ctr = read_sysreg(ctr_el0);
	uintptr_t line = 4UL << ((ctr >> 16) & 0xf);
	uintptr_t p = (uintptr_t)start & ~(line - 1);

	for (; p < (uintptr_t)start + len; p += line)
		__asm__ volatile("dc ivac, %0" : : "r"(p) : "memory");
	dsb(sy);
}

void mmu_enable(void)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	uint64_t sctlr;

	l1_table[0] = 0 | DEVICE_BLOCK;
	map_ram();

	invalidate_dcache_range(l1_table, sizeof(l1_table));
	invalidate_dcache_range(l2_tables, sizeof(l2_tables));
	invalidate_dcache_range(l3_guard, sizeof(l3_guard));

	if (parange > 5)	/* 52-bit PA needs LPA2 with 4K pages */
		parange = 5;
	write_sysreg(MAIR_VALUE, mair_el1);
	write_sysreg(TCR_T0SZ | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |
		     TCR_TG0_4K | TCR_EPD1 | (parange << TCR_IPS_SHIFT), tcr_el1);
	write_sysreg((uintptr_t)l1_table, ttbr0_el1);
	isb();
	__asm__ volatile("tlbi vmalle1" : : : "memory");
	__asm__ volatile("ic iallu" : : : "memory");
	dsb(ish);
	isb();

	sctlr = read_sysreg(sctlr_el1);
	sctlr |= SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA;
	sctlr &= ~SCTLR_A;
	write_sysreg(sctlr, sctlr_el1);
	isb();
}
