/* port/port.h: the seam between tern's core and the world.
 *
 * The core (lib/ crypto/ quic/ http3/ term/) reaches the outside only
 * through these functions; each port (port/posix, port/lwip) implements
 * them, and tests/sim implements them over a virtual clock and an
 * in-memory link. Datagrams stay in the boards (the endpoint takes them
 * as arguments); backend TCP is below.
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

/* ---- TCP to backends (term/backend) ----
 *
 * Non-blocking client connections, named by a small integer the port
 * gives (0 .. CONFIG_TERM_BACKEND_CONNS - 1). The port never calls back:
 * the terminator asks port_tcp_events() after each round of the board's
 * loop (the board waits on the connections as well as on UDP), and
 * reads and writes only what the other side of the proxy can take, so a
 * slow client leaves the bytes in the backend's socket (backpressure).
 */
struct port_addr {
	uint8_t family;   /* 4 or 6 */
	uint16_t port;
	uint8_t ip[16];   /* 4 bytes used for IPv4 */
};

enum {
	PORT_TCP_CONNECTED = 1 << 0,  /* the connection is up (once) */
	PORT_TCP_READABLE  = 1 << 1,  /* bytes, the end or an error to read */
	PORT_TCP_WRITABLE  = 1 << 2,  /* room to send again */
	PORT_TCP_FAILED    = 1 << 3,  /* refused, reset, unreachable */
};

/* Start a connection: its number, or -1 (no slot or socket). */
int port_tcp_connect(const struct port_addr *to);
/* What happened since the last call (PORT_TCP_* bits); clears them. */
unsigned port_tcp_events(int id);
/* Bytes taken (0: nothing now, a WRITABLE event follows), -1 broken. */
long port_tcp_send(int id, const void *p, size_t n);
/* Bytes read; 0 nothing now; PORT_TCP_EOF the peer closed; -1 error. */
#define PORT_TCP_EOF (-2)
long port_tcp_recv(int id, void *p, size_t cap);
/* Close (abortively when unread data or an error remains). */
void port_tcp_close(int id);

#endif
