/* port/posix: what a Linux board's loop needs beyond port/port.h: the
 * backend connections' file descriptors to wait on, and what poll()
 * said of them. */
#ifndef TERN_PORT_POSIX_H
#define TERN_PORT_POSIX_H

#include <poll.h>
#include <stddef.h>

/* Fill pfd[0..max) with the backend sockets that wait for something
 * (POLLIN once the terminator read everything, POLLOUT while connecting
 * or after a short send); ids[i] names each. Returns how many. */
size_t port_posix_tcp_pollfds(struct pollfd *pfd, int *ids, size_t max);
/* poll()'s revents for connection id. */
void port_posix_tcp_revents(int id, short revents);
/* Connections open (for statistics). */
unsigned port_posix_tcp_open(void);

#endif
