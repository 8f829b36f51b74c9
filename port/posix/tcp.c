/* port/posix: backend TCP (port/port.h) over non-blocking sockets.
 *
 * Readiness is edge-like on purpose: POLLIN is asked for only after a
 * recv found nothing, and reported once. A terminator that stops reading
 * (its client is slow) then makes the loop sleep instead of spinning on
 * a readable socket, and the unread bytes stay in the kernel: the TCP
 * window closes and the backend waits (backpressure).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/kconfig.h"
#include "port/port.h"
#include "port/posix/posix.h"

#define CONNS CONFIG_TERM_BACKEND_CONNS

static struct tcp_slot {
	int fd;              /* -1: free (slots start zeroed: fd + 1 stored) */
	unsigned events;     /* PORT_TCP_* not yet collected */
	bool connecting, want_in, want_out;
} slots[CONNS];

static struct tcp_slot *slot_of(int id)
{
	return id >= 0 && id < CONNS && slots[id].fd > 0 ? &slots[id] : NULL;
}

static int fd_of(const struct tcp_slot *s)
{
	return s->fd - 1;
}

int port_tcp_connect(const struct port_addr *to)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int id, fd, one = 1;

	for (id = 0; id < CONNS && slots[id].fd > 0; id++)
		;
	if (id == CONNS)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (to->family == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(to->port);
		memcpy(&a->sin_addr, to->ip, 4);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(to->port);
		memcpy(&a->sin6_addr, to->ip, 16);
		sl = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	slots[id] = (struct tcp_slot){ .fd = fd + 1, .want_in = true };
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
		slots[id].events = PORT_TCP_CONNECTED;
	} else if (errno == EINPROGRESS) {
		slots[id].connecting = true;
		slots[id].want_out = true;
	} else {
		slots[id].events = PORT_TCP_FAILED;
		slots[id].want_in = false;
	}
	return id;
}

unsigned port_tcp_events(int id)
{
	struct tcp_slot *s = slot_of(id);
	unsigned ev;

	if (!s)
		return PORT_TCP_FAILED;
	ev = s->events;
	s->events = 0;
	return ev;
}

long port_tcp_send(int id, const void *p, size_t n)
{
	struct tcp_slot *s = slot_of(id);
	ssize_t r;

	if (!s)
		return -1;
	if (s->connecting || !n)
		return 0;
	r = send(fd_of(s), p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			s->want_out = true;
			return 0;
		}
		return -1;
	}
	if ((size_t)r < n)
		s->want_out = true;
	return (long)r;
}

long port_tcp_recv(int id, void *p, size_t cap)
{
	struct tcp_slot *s = slot_of(id);
	ssize_t r;

	if (!s)
		return -1;
	if (s->connecting || !cap)
		return 0;
	r = recv(fd_of(s), p, cap, MSG_DONTWAIT);
	if (r > 0)
		return (long)r;
	if (r == 0)
		return PORT_TCP_EOF;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		s->want_in = true;  /* drained: wait for more */
		return 0;
	}
	return -1;
}

void port_tcp_close(int id)
{
	struct tcp_slot *s = slot_of(id);

	if (!s)
		return;
	close(fd_of(s));
	memset(s, 0, sizeof(*s));
}

size_t port_posix_tcp_pollfds(struct pollfd *pfd, int *ids, size_t max)
{
	size_t n = 0;

	for (int id = 0; id < CONNS && n < max; id++) {
		struct tcp_slot *s = &slots[id];

		if (s->fd <= 0 || s->events || (!s->want_in && !s->want_out))
			continue;  /* events not collected yet: the loop does not sleep */
		pfd[n] = (struct pollfd){ .fd = fd_of(s),
					  .events = (short)((s->want_in ? POLLIN : 0) |
							    (s->want_out ? POLLOUT : 0)) };
		ids[n++] = id;
	}
	return n;
}

void port_posix_tcp_revents(int id, short revents)
{
	struct tcp_slot *s = slot_of(id);

	if (!s || !revents)
		return;
	if (s->connecting && (revents & (POLLOUT | POLLERR | POLLHUP))) {
		int err = 0;
		socklen_t l = sizeof(err);

		getsockopt(fd_of(s), SOL_SOCKET, SO_ERROR, &err, &l);
		s->connecting = false;
		s->want_out = false;
		if (err) {
			s->events |= PORT_TCP_FAILED;
			s->want_in = false;
			return;
		}
		s->events |= PORT_TCP_CONNECTED;
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		s->events |= PORT_TCP_READABLE;
		s->want_in = false;
	}
	if (revents & POLLOUT) {
		s->events |= PORT_TCP_WRITABLE;
		s->want_out = false;
	}
}

unsigned port_posix_tcp_open(void)
{
	unsigned n = 0;

	for (int id = 0; id < CONNS; id++)
		n += slots[id].fd > 0;
	return n;
}
