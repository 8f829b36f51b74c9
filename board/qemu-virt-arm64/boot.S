/* board/qemu-virt-arm64/boot.S: entry, exception vectors.
 *
 * QEMU's -kernel with an ELF jumps to _start at EL1 with the MMU off (at
 * EL2 with -M virt,virtualization=on: we drop to EL1). Before any C runs:
 * interrupts masked, FP/SIMD enabled (the compiler uses it anywhere), the
 * stack from the linker script, .bss zeroed (page tables and .tbss are in
 * it), the vector table installed. Then the MMU and caches go on, TLS is
 * pointed at the initial block as picolibc's crt0 does, constructors run,
 * and main's return value goes to exit().
 */

#define CURRENTEL_EL2		(2 << 2)
#define CURRENTEL_EL1		(1 << 2)
#define HCR_EL2_RW		(1 << 31)
#define CNTHCTL_EL1PCTEN_PCEN	0x3
#define CPTR_EL2_RES1		0x33ff		/* TFP (bit 10) clear */
#define SCTLR_EL1_RES1		0x30d00800	/* MMU, caches off */
#define SPSR_EL1H_MASKED	0x3c5		/* EL1h, D A I F masked */
#define CPACR_FPEN		(3 << 20)
#define BOOT_EXIT_BAD_EL	71
#define SEMIHOST_SYS_EXIT	0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

	.section .text.boot, "ax"
	.global	_start
	.type	_start, %function
_start:
	msr	daifset, #0xf
	isb
	mrs	x19, cntvct_el0			/* board_boot_count, below */
	mrs	x0, CurrentEL
	and	x0, x0, #0xc
	cmp	x0, #CURRENTEL_EL1
	b.eq	el1_entry
	cmp	x0, #CURRENTEL_EL2
	b.eq	from_el2
	adr	x1, bad_el_exit			/* EL3: not supported */
	mov	x0, #SEMIHOST_SYS_EXIT
	hlt	#0xf000
	b	.
	.balign	8
bad_el_exit:
	.quad	ADP_STOPPED_APPLICATION_EXIT, BOOT_EXIT_BAD_EL

from_el2:
	mov	x0, #HCR_EL2_RW			/* EL1 is AArch64, no traps */
	msr	hcr_el2, x0
	mrs	x0, cnthctl_el2			/* EL1 may read the counters */
	orr	x0, x0, #CNTHCTL_EL1PCTEN_PCEN
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr		/* virtual count = physical */
	isb
	mrs	x19, cntvct_el0			/* again, without the offset */
	mov	x0, #CPTR_EL2_RES1		/* no FP/SIMD trap to EL2 */
	msr	cptr_el2, x0
	mrs	x0, midr_el1
	msr	vpidr_el2, x0
	mrs	x0, mpidr_el1
	msr	vmpidr_el2, x0
	ldr	x0, =SCTLR_EL1_RES1
	msr	sctlr_el1, x0
	mov	x0, #SPSR_EL1H_MASKED
	msr	spsr_el2, x0
	adr	x0, el1_entry
	msr	elr_el2, x0
	isb
	eret

el1_entry:
	mov	x0, #CPACR_FPEN
	msr	cpacr_el1, x0
	isb

	adrp	x0, __stack
	add	x0, x0, :lo12:__stack
	mov	sp, x0
	mov	x29, xzr
	mov	x30, xzr

	/* .bss (with .tbss and the page tables): the linker script aligns
	 * both ends to 16 bytes, so aligned pairs of stores cover it even
	 * with the MMU off (all data accesses are Device memory then). */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:
	adrp	x0, board_boot_count
	str	x19, [x0, :lo12:board_boot_count]

	adrp	x0, vectors
	add	x0, x0, :lo12:vectors
	msr	vbar_el1, x0
	isb

	bl	mmu_enable

	/* picolibc TLS (errno): the initial block is .tdata + .tbss in place
	 * (QEMU loaded .tdata, .tbss was zeroed with .bss); TPIDR_EL0 points
	 * at it as picolibc's crt0 does. */
	adrp	x0, __tls_base
	add	x0, x0, :lo12:__tls_base
	bl	_set_tls

	bl	board_init
	bl	__libc_init_array
	mov	w0, #0
	mov	x1, xzr
	bl	main
	bl	exit
	b	.
	.size	_start, . - _start

/* Exception vectors: every entry reports and stops. The report runs on
 * its own stack, so a stack overflow (a fault on the guard page below the
 * stack, see mmu.c) is reported too. */
	.macro	vector n
	.balign	0x80
	mov	x0, #\n
	b	exception_common
	.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global	vectors
vectors:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vector	\n
	.endr

exception_common:
	mov	x5, sp
	adrp	x1, board_exc_stack_top
	add	x1, x1, :lo12:board_exc_stack_top
	mov	sp, x1
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	mrs	x4, spsr_el1
	bl	board_exception
	b	.
