/* board/qemu-virt-arm64/timer.c: the ARM generic timer's virtual counter
 * (CNTVCT_EL0 at CNTFRQ_EL0 Hz; 62.5 MHz on QEMU virt). boot.S zeroes
 * CNTVOFF_EL2 when it enters at EL2, so virtual and physical counts agree. */
#include "board/qemu-virt-arm64/board.h"

uint64_t timer_freq_hz(void)
{
	return read_sysreg(cntfrq_el0) & 0xffffffffU;
}

uint64_t timer_count(void)
{
	isb();		/* not read ahead of earlier instructions */
	return read_sysreg(cntvct_el0);
}

uint64_t timer_now_ns(void)
{
	uint64_t freq = timer_freq_hz();

	return (uint64_t)((unsigned __int128)timer_count() * 1000000000U / freq);
}

void timer_delay_us(uint64_t us)
{
	uint64_t start = timer_count();
	uint64_t ticks = (uint64_t)((unsigned __int128)us * timer_freq_hz() / 1000000U);

	while (timer_count() - start < ticks)
		;
}
