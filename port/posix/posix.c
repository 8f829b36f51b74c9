/* port/posix: port.h on Linux. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

#include "port/port.h"

uint64_t port_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int port_entropy(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void port_log_line(enum port_log_level level, const char *line)
{
	static const char *const tag[] = { "", "error", "warn", "info", "debug" };

	fprintf(stderr, "tern: %s: %s\n", tag[level <= PORT_LOG_DEBUG ? level : 0], line);
}
