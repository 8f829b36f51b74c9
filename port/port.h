/* port/port.h: the seam between tern's core and the world.
 *
 * The core (lib/ crypto/ quic/ http3/ term/) reaches the outside only
 * through these functions; each port (port/posix, port/lwip) implements
 * them, and tests/sim implements them over a virtual clock and an
 * in-memory link. Datagram and backend-TCP calls join this header with the
 * modules that use them (transport core, terminator).
 */
#ifndef TERN_PORT_PORT_H
#define TERN_PORT_PORT_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic time in nanoseconds since an arbitrary origin. Only the board
 * loop calls it; the core gets `now` as an argument. */
uint64_t port_now_ns(void);

/* Fill buf with len bytes from the platform's entropy source (getrandom on
 * Linux, virtio-rng bare metal). 0 on success, -1 when none is available. */
int port_entropy(void *buf, size_t len);

enum port_log_level { PORT_LOG_ERROR = 1, PORT_LOG_WARN, PORT_LOG_INFO, PORT_LOG_DEBUG };

/* The log sink: one complete line, without newline. */
void port_log_line(enum port_log_level level, const char *line);

#endif
