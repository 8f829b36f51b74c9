/* lib/log: leveled log lines through port_log_line(). Levels above
 * CONFIG_LOG_LEVEL compile to nothing. */
#ifndef TERN_LIB_LOG_H
#define TERN_LIB_LOG_H

#include "port/port.h"

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void log_fmt(enum port_log_level level, const char *fmt, ...);

#define TERN_LOG(level, ...) \
	do { if ((level) <= CONFIG_LOG_LEVEL) log_fmt((level), __VA_ARGS__); } while (0)
#define LOG_ERR(...)   TERN_LOG(PORT_LOG_ERROR, __VA_ARGS__)
#define LOG_WARN(...)  TERN_LOG(PORT_LOG_WARN, __VA_ARGS__)
#define LOG_INFO(...)  TERN_LOG(PORT_LOG_INFO, __VA_ARGS__)
#define LOG_DEBUG(...) TERN_LOG(PORT_LOG_DEBUG, __VA_ARGS__)

#endif
