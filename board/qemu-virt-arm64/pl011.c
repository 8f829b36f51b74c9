/* board/qemu-virt-arm64/pl011.c: the console, ARM PL011 UART at
 * 0x09000000, polled, 115200 8N1 (QEMU ignores the rate; real PL011s
 * do not). */
#include "board/qemu-virt-arm64/board.h"

#define UART_DR		0x000
#define UART_FR		0x018
#define UART_IBRD	0x024
#define UART_FBRD	0x028
#define UART_LCR_H	0x02c
#define UART_CR		0x030
#define UART_IMSC	0x038
#define UART_ICR	0x044

#define FR_BUSY		(1U << 3)
#define FR_RXFE		(1U << 4)
#define FR_TXFF		(1U << 5)
#define LCR_H_FEN	(1U << 4)
#define LCR_H_WLEN_8	(3U << 5)
#define CR_UARTEN	(1U << 0)
#define CR_TXE		(1U << 8)
#define CR_RXE		(1U << 9)

#define BAUD		115200U

static inline uint32_t uart_read(unsigned int reg)
{
	return mmio_read32(VIRT_PL011_BASE + reg);
}

static inline void uart_write(unsigned int reg, uint32_t v)
{
	mmio_write32(VIRT_PL011_BASE + reg, v);
}

void pl011_init(void)
{
	/* divisor = clock / (16 * baud) in 16.6 fixed point */
	uint32_t div64 = (uint32_t)((4ULL * VIRT_PL011_CLOCK_HZ + BAUD / 2) / BAUD);

	uart_write(UART_CR, 0);
	while (uart_read(UART_FR) & FR_BUSY)
		;
	uart_write(UART_IMSC, 0);
	uart_write(UART_ICR, 0x7ff);
	uart_write(UART_IBRD, div64 >> 6);
	uart_write(UART_FBRD, div64 & 0x3f);
	uart_write(UART_LCR_H, LCR_H_WLEN_8 | LCR_H_FEN);
	uart_write(UART_CR, CR_UARTEN | CR_TXE | CR_RXE);
}

void pl011_putc(char c)
{
	while (uart_read(UART_FR) & FR_TXFF)
		;
	uart_write(UART_DR, (uint8_t)c);
}

void pl011_write(const char *s, size_t len)
{
	while (len--)
		pl011_putc(*s++);
}

void pl011_puts(const char *s)
{
	while (*s)
		pl011_putc(*s++);
}

int pl011_getc(void)
{
	while (uart_read(UART_FR) & FR_RXFE)
		;
	return (int)(uart_read(UART_DR) & 0xff);
}

int pl011_trygetc(void)
{
	if (uart_read(UART_FR) & FR_RXFE)
		return -1;
	return (int)(uart_read(UART_DR) & 0xff);
}
