/* lib/log: see log.h. Lines longer than the buffer are cut and end in "...". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"

void log_fmt(enum port_log_level level, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		memcpy(line + sizeof(line) - 4, "...", 4);
	port_log_line(level, line);
}
