/* board/qemu-virt-arm64/board.c: picolibc's stdin/stdout/stderr on the
 * PL011, exit through semihosting, the exception report. */
#include <stdio.h>
#include <unistd.h>

#include "board/qemu-virt-arm64/board.h"

#define SEMIHOST_SYS_EXIT		0x18
#define ADP_STOPPED_APPLICATION_EXIT	0x20026

/* Counter value at _start (boot.S). */
uint64_t board_boot_count;

static int console_put(char c, FILE *f)
{
	(void)f;
	pl011_putc(c);
	return (unsigned char)c;
}

static int console_get(FILE *f)
{
	(void)f;
	return pl011_getc();
}

static FILE console = FDEV_SETUP_STREAM(console_put, console_get, NULL, _FDEV_SETUP_RW);
FILE *const stdin = &console;
__strong_reference(stdin, stdout);
__strong_reference(stdin, stderr);

void board_init(void)
{
	pl011_init();
}

/* SYS_EXIT with the AArch64 parameter block: QEMU (-semihosting-config
 * enable=on,target=native) exits with `status` as its own exit code. */
void semihost_exit(int status)
{
	uint64_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status };
	register uint64_t x0 __asm__("x0") = SEMIHOST_SYS_EXIT;
	register uint64_t x1 __asm__("x1") = (uintptr_t)block;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	for (;;)	/* no semihosting: nothing else to do */
		__asm__ volatile("wfi");
}

/* picolibc's exit() and _Exit() end here. */
void _exit(int status)
{
	semihost_exit(status);
}

/* ---------------------------------------------------------------- exceptions */

extern char __stack_guard[], __stack_bottom[];

static void put_hex(uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	char s[19];

	s[0] = '0';
	s[1] = 'x';
	for (int i = 0; i < digits; i++)
		s[2 + i] = hex[(v >> (4 * (digits - 1 - i))) & 0xf];
	s[2 + digits] = 0;
	pl011_puts(s);
}

static const char *ec_name(unsigned int ec)
{
	switch (ec) {
	case 0x00: return "unknown instruction";
	case 0x01: return "WFI/WFE trap";
	case 0x07: return "FP/SIMD access trap";
	case 0x0e: return "illegal execution state";
	case 0x15: return "SVC";
	case 0x18: return "MSR/MRS trap";
	case 0x20: return "instruction abort (lower EL)";
	case 0x21: return "instruction abort";
	case 0x22: return "PC alignment fault";
	case 0x24: return "data abort (lower EL)";
	case 0x25: return "data abort";
	case 0x26: return "SP alignment fault";
	case 0x2c: return "FP exception";
	case 0x2f: return "SError";
	case 0x3c: return "BRK";
	default: return "other";
	}
}

/* Called from the vector table (boot.S) on the exception stack. Writes to
 * the UART directly: stdio may be what failed. */
void board_exception(uint64_t vector, uint64_t esr, uint64_t elr,
		     uint64_t far, uint64_t spsr, uint64_t sp)
{
	static const char *const kind[] = { "sync", "irq", "fiq", "serror" };
	static const char *const from[] = {
		"current EL, SP_EL0", "current EL, SP_ELx",
		"lower EL, AArch64", "lower EL, AArch32",
	};
	unsigned int ec = (unsigned int)(esr >> 26) & 0x3f;
	uintptr_t guard = (uintptr_t)__stack_guard;

	pl011_puts("\n*** exception: ");
	pl011_puts(kind[vector & 3]);
	pl011_puts(" from ");
	pl011_puts(from[(vector >> 2) & 3]);
	pl011_puts("\n*** EC=");
	put_hex(ec, 2);
	pl011_puts(" (");
	pl011_puts(ec_name(ec));
	pl011_puts(")\n*** ESR=");
	put_hex(esr, 16);
	pl011_puts(" ELR=");
	put_hex(elr, 16);
	pl011_puts(" FAR=");
	put_hex(far, 16);
	pl011_puts("\n*** SPSR=");
	put_hex(spsr, 16);
	pl011_puts(" SP=");
	put_hex(sp, 16);
	pl011_puts("\n");
	if ((ec == 0x25 || ec == 0x24) && far >= guard && far < (uintptr_t)__stack_bottom)
		pl011_puts("*** stack overflow (CONFIG_BOARD_STACK_SIZE_KB)\n");
	semihost_exit(BOARD_EXIT_EXCEPTION);
}
