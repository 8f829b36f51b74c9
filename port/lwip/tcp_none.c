/* port/lwip: backend TCP (port/port.h) is not there yet on bare metal.
 *
 * The lwIP raw-API version (tcp_connect, tcp_recv holding pbufs until
 * the terminator takes them, tcp_recved as the backpressure valve) is
 * issue 8's work. Until then every connection attempt fails at once:
 * a request routed to a backend is answered 502, nothing else changes,
 * and no backend is configured by default (CONFIG_TERM_BACKEND "").
 */
#include "port/port.h"

int port_tcp_connect(const struct port_addr *to)
{
	(void)to;
	return -1;
}

unsigned port_tcp_events(int id)
{
	(void)id;
	return PORT_TCP_FAILED;
}

long port_tcp_send(int id, const void *p, size_t n)
{
	(void)id, (void)p, (void)n;
	return -1;
}

long port_tcp_recv(int id, void *p, size_t cap)
{
	(void)id, (void)p, (void)cap;
	return -1;
}

void port_tcp_close(int id)
{
	(void)id;
}
