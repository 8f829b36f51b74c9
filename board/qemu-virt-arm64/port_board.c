/* board/qemu-virt-arm64/port_board.c: port.h's clock, entropy and log
 * sink on bare metal (the network half is port/lwip). */
#include <stdio.h>

#include "port/port.h"
#include "board/qemu-virt-arm64/board.h"

uint64_t port_now_ns(void)
{
	return timer_now_ns();
}

int port_entropy(void *buf, size_t len)
{
	return len ? virtio_rng_read(buf, len) : 0;
}

void port_log_line(enum port_log_level level, const char *line)
{
	static const char *const tag[] = { "", "error", "warn", "info", "debug" };

	printf("tern: %s: %s\n", tag[level <= PORT_LOG_DEBUG ? level : 0], line);
}
