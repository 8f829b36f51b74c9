/* board/qemu-virt-arm64/link.ld.S: the images' memory layout, run through
 * the C preprocessor with autoconf.h (board.mk). QEMU's -kernel loads the
 * ELF at its link addresses, so everything runs where it is loaded: no
 * copy of .data, .tdata is the initial TLS block in place.
 *
 *   RAM_BASE  .text .rodata .data .tdata | .tbss .bss (zeroed by boot.S)
 *             guard page (unmapped) | stack | exception stack
 *             [heap: selftest image only, up to the end of RAM]
 */
#define RAM_BASE	CONFIG_BOARD_RAM_BASE
#define RAM_SIZE	(CONFIG_BOARD_RAM_SIZE_MB * 0x100000)
#define STACK_SIZE	(CONFIG_BOARD_STACK_SIZE_KB * 1024)
#define EXC_STACK_SIZE	4096

ENTRY(_start)

MEMORY
{
	ram (rwx) : ORIGIN = RAM_BASE, LENGTH = RAM_SIZE
}

PHDRS
{
	text PT_LOAD;
	data PT_LOAD;
	tls PT_TLS;
	bss PT_LOAD;
}

SECTIONS
{
	.text : {
		__image_start = .;
		KEEP(*(.text.boot))
		KEEP(*(.text.vectors))
		*(.text.unlikely .text.unlikely.*)
		*(.text.startup .text.startup.*)
		*(.text .text.*)
		KEEP(*(.init .init.*))
		KEEP(*(.fini .fini.*))
		__text_end = .;
	} >ram :text

	.rodata : ALIGN(16) {
		*(.rodata .rodata.*)
	} >ram :text

	/* Writable sections: also the constructor lists and what the
	 * compiler wants writable before relocation (GOT, .data.rel.ro). */
	.data : ALIGN(16) {
		__data_start = .;
		. = ALIGN(8);
		PROVIDE_HIDDEN(__preinit_array_start = .);
		KEEP(*(.preinit_array))
		PROVIDE_HIDDEN(__preinit_array_end = .);
		PROVIDE_HIDDEN(__init_array_start = .);
		KEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*) SORT_BY_INIT_PRIORITY(.ctors.*)))
		KEEP(*(.init_array .ctors))
		PROVIDE_HIDDEN(__init_array_end = .);
		PROVIDE_HIDDEN(__fini_array_start = .);
		KEEP(*(SORT_BY_INIT_PRIORITY(.fini_array.*) SORT_BY_INIT_PRIORITY(.dtors.*)))
		KEEP(*(.fini_array .dtors))
		PROVIDE_HIDDEN(__fini_array_end = .);
		*(.data.rel.ro .data.rel.ro.*)
		*(.got .got.*)
		*(.data .data.*)
		*(.sdata .sdata.*)
		. = ALIGN(16);
	} >ram :data

	/* The initial TLS block: .tdata then .tbss, as picolibc's
	 * _set_tls() and the AArch64 local-exec model expect (TPIDR_EL0 =
	 * __tls_base - __arm64_tls_tcb_offset). */
	.tdata : ALIGN(16) {
		__tls_base = .;
		*(.tdata .tdata.*)
		__tdata_end = .;
	} >ram :data :tls
	__data_end = .;

	.tbss (NOLOAD) : ALIGN(16) {
		__bss_start = .;
		*(.tbss .tbss.*)
		*(.tcommon)
		__tls_end = .;
	} >ram :data :tls
	/* ld does not advance `.` over .tbss; make room for it. */
	.tbss_space (NOLOAD) : {
		. = ADDR(.tbss) + SIZEOF(.tbss);
	} >ram :data

	.bss (NOLOAD) : ALIGN(16) {
		*(.bss .bss.*)
		*(.sbss .sbss.*)
		*(COMMON)
		. = ALIGN(16);
		__bss_end = .;
	} >ram :bss

	/* A stack overflow faults on the guard page (mmu.c leaves it
	 * unmapped) and the exception is reported on its own stack. */
	.stack (NOLOAD) : ALIGN(4096) {
		__stack_guard = .;
		. += 4096;
		__stack_bottom = .;
		. += STACK_SIZE;
		__stack = .;
		board_exc_stack_bottom = .;
		. += EXC_STACK_SIZE;
		board_exc_stack_top = .;
	} >ram :bss

	__image_end = .;
#ifdef BOARD_HEAP
	/* picolibc's malloc (sbrk) takes the rest of RAM. */
	__heap_start = ALIGN(16);
	__heap_end = RAM_BASE + RAM_SIZE;
	ASSERT(__heap_end - __heap_start >= 0x100000, "selftest: less than 1 MiB of heap")
#endif

	/* picolibc's TLS layout symbols (picolibc.ld names) */
	__tdata_source = LOADADDR(.tdata);
	__tdata_size = SIZEOF(.tdata);
	__tbss_size = SIZEOF(.tbss);
	__tbss_offset = ADDR(.tbss) - ADDR(.tdata);
	__tls_size = __tls_end - __tls_base;
	__tls_align = MAX(ALIGNOF(.tdata), ALIGNOF(.tbss));
	__arm64_tls_tcb_offset = MAX(16, __tls_align);

	/DISCARD/ : {
		*(.note .note.*)
		*(.eh_frame .eh_frame.*)
		*(.interp .dynamic .dynsym .dynstr .hash .gnu.hash)
	}

	.comment 0 : { *(.comment) }
	.debug 0 : { *(.debug) }
	.debug_aranges 0 : { *(.debug_aranges) }
	.debug_info 0 : { *(.debug_info .gnu.linkonce.wi.*) }
	.debug_abbrev 0 : { *(.debug_abbrev) }
	.debug_line 0 : { *(.debug_line .debug_line.* .debug_line_end) }
	.debug_frame 0 : { *(.debug_frame) }
	.debug_str 0 : { *(.debug_str) }
	.debug_loc 0 : { *(.debug_loc) }
	.debug_ranges 0 : { *(.debug_ranges) }
	.debug_addr 0 : { *(.debug_addr) }
	.debug_line_str 0 : { *(.debug_line_str) }
	.debug_loclists 0 : { *(.debug_loclists) }
	.debug_rnglists 0 : { *(.debug_rnglists) }
	.debug_str_offsets 0 : { *(.debug_str_offsets) }
	.gnu.attributes 0 : { KEEP(*(.gnu.attributes)) }
}

ASSERT(__image_end <= RAM_BASE + RAM_SIZE, "image does not fit in CONFIG_BOARD_RAM_SIZE_MB")
ASSERT(__tls_base - __arm64_tls_tcb_offset >= RAM_BASE, "TLS block too close to RAM base")
