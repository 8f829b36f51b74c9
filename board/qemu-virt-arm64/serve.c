/* board/qemu-virt-arm64/serve.c: the terminator on bare metal.
 *
 * The QUIC endpoint and term/ (HTTP/3, the built-in responder, HTTP/1.1
 * backends over lwIP TCP) on the board's network: datagrams come in
 * through lwIP's UDP (port/lwip/udp.c) on CONFIG_TERM_LISTEN_PORT of
 * every address the netif has. One polled loop (NO_SYS): the NIC, lwIP's
 * timers, the endpoint's deadline, term_poll, the datagrams out.
 *
 * Stopping: a 'q' on the console (the serial line), a datagram "quit"
 * to the diagnostic echo (CONFIG_BOARD_NET_ECHO) or the end of
 * CONFIG_BOARD_SERVE_SECONDS (0: never) starts the same shutdown as
 * SIGTERM on the host board: GOAWAY to every connection, requests in
 * progress finish (at most DRAIN_NS), the last datagrams go out
 * (TAIL_NS more of the loop), then the statistics and pools are printed
 * and board_serve returns.
 */
#include <stdio.h>

#include "crypto/crypto.h"
#include "lib/kconfig.h"
#include "lib/log.h"
#include "lib/pool.h"
#include "port/port.h"
#include "port/lwip/lwip_port.h"
#include "port/lwip/udp.h"
#include "quic/endpoint.h"
#include "term/term.h"
#include "board/qemu-virt-arm64/board.h"
#include "board/qemu-virt-arm64/serve.h"
#include "board_cert.h"   /* generated: CONFIG_BOARD_CERT_FILE / _KEY_FILE */

#include "lwip/pbuf.h"
#include "lwip/udp.h"

#define DRAIN_NS (10ULL * 1000000000ULL)
#define TAIL_NS  200000000ULL
#define ECHO_PORT 7

static struct quic_endpoint ep;
static struct term term;
static bool quit;

static struct {
	struct udp_pcb *pcb;
	uint32_t datagrams, send_errors;
	uint64_t bytes;
} echo;

/* RFC 862: each datagram back as it came (udp_sendto prepends the
 * headers in the room the received frame left). */
static void echo_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		      u16_t port)
{
	(void)arg;
	if (p->tot_len == 4 && pbuf_memcmp(p, 0, "quit", 4) == 0)
		quit = true;
	echo.datagrams++;
	echo.bytes += p->tot_len;
	if (udp_sendto(pcb, p, addr, port) != ERR_OK)
		echo.send_errors++;
	pbuf_free(p);
}

static void echo_start(void)
{
	if (!IS_ENABLED(CONFIG_BOARD_NET_ECHO))
		return;
	echo.pcb = udp_new_ip_type(IPADDR_TYPE_ANY);
	if (!echo.pcb || udp_bind(echo.pcb, IP_ANY_TYPE, ECHO_PORT) != ERR_OK) {
		printf("echo: cannot bind UDP port %u\n", ECHO_PORT);
		if (echo.pcb)
			udp_remove(echo.pcb);
		echo.pcb = NULL;
		return;
	}
	udp_recv(echo.pcb, echo_recv, NULL);
	printf("echo: UDP port %u (diagnostic; \"quit\" stops the image)\n", ECHO_PORT);
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

static void report(void)
{
	const struct port_lwip_udp_stats *u = &port_lwip_udp_stats;

	printf("udp: %lu datagrams in (%lu bytes, %lu copied, %lu dropped), %lu out (%lu bytes), "
	       "%lu held back (lwIP heap), %lu refused\n", (unsigned long)u->rx,
	       (unsigned long)u->rx_bytes, (unsigned long)u->rx_copied,
	       (unsigned long)u->rx_dropped, (unsigned long)u->tx, (unsigned long)u->tx_bytes,
	       (unsigned long)u->tx_no_mem, (unsigned long)u->tx_err);
	printf("connections: %u accepted, %u handshakes completed, %u refused, %u closed\n",
	       (unsigned)ep.st.conns_accepted, (unsigned)ep.st.handshakes,
	       (unsigned)ep.st.conns_refused, (unsigned)ep.st.conns_closed);
	term_report(&term, print_line, NULL);
}

int board_serve(struct board_net *net)
{
	struct quic_endpoint_cfg cfg = {
		.server = true,
		.app = h3_server_app_ops(), .app_ctx = &term.h3,
		.early_data = true,  /* only with CONFIG_QUIC_0RTT=y */
		.cert = board_cert_der, .certlen = sizeof(board_cert_der),
		.key = board_key_der, .keylen = sizeof(board_key_der),
		.retry = QUIC_RETRY_NEVER,
	};
	const char *why = "";
	uint64_t now = port_now_ns(), drain_end = 0, end = UINT64_MAX;
	int err;

	if (term_init(&term, &why)) {
		printf("serve: Kconfig: %s\n", why);
		return -1;
	}
	if (port_entropy(cfg.static_secret, sizeof(cfg.static_secret)) ||
	    port_entropy(cfg.seed, sizeof(cfg.seed))) {
		printf("serve: no entropy (virtio-rng): not serving\n");
		return -1;
	}
	err = quic_endpoint_init(&ep, &cfg);
	crypto_wipe(&cfg, sizeof(cfg));
	if (err) {
		printf("serve: the QUIC endpoint did not start: %s\n",
		       err == QUIC_TLS_E_CERT ? "CONFIG_BOARD_CERT_FILE is no X.509 certificate tern can use" :
		       err == QUIC_TLS_E_KEY ? "CONFIG_BOARD_KEY_FILE is no private key tern can use" :
		       err == QUIC_TLS_E_KEY_MISMATCH ? "CONFIG_BOARD_KEY_FILE does not belong to "
							 "CONFIG_BOARD_CERT_FILE" :
		       "entropy or memory");
		return -1;
	}
	printf("serve: certificate %s\n", BOARD_CERT_NAME);
	if (port_lwip_udp_start(&ep, CONFIG_TERM_LISTEN_PORT)) {
		printf("serve: cannot bind udp port %d\n", CONFIG_TERM_LISTEN_PORT);
		quic_endpoint_deinit(&ep);
		return -1;
	}
	term_attach(&term, &ep);
	echo_start();
	if (CONFIG_BOARD_SERVE_SECONDS)
		end = now + (uint64_t)CONFIG_BOARD_SERVE_SECONDS * 1000000000ULL;
	printf("serve: HTTP/3 on udp port %d (built-in responder%s); 'q' on the console stops\n",
	       CONFIG_TERM_LISTEN_PORT, term.has_backend ? ", default backend" : "");
	for (uint64_t tail_end = 0; !tail_end || now < tail_end;) {
		if (pl011_trygetc() == 'q')
			quit = true;
		now = port_now_ns();
		if ((quit || now >= end) && !drain_end) {
			printf("serve: stopping: GOAWAY to %u connections, draining\n",
			       (unsigned)ep.nconns);
			drain_end = now + DRAIN_NS;
			term_shutdown(&term, now);
		}
		if (drain_end && !tail_end && (term_idle(&term) || now >= drain_end))
			tail_end = now + TAIL_NS;  /* the last CONNECTION_CLOSEs and echoes go out */
		board_net_poll(net);
		now = port_now_ns();
		if (quic_endpoint_deadline(&ep) <= now)
			quic_endpoint_timeout(&ep, now);
		term_poll(&term, now);
		port_lwip_udp_flush(now);
	}
	if (echo.pcb) {
		printf("echo: %lu datagrams, %llu bytes echoed, %lu send errors\n",
		       (unsigned long)echo.datagrams, (unsigned long long)echo.bytes,
		       (unsigned long)echo.send_errors);
		udp_remove(echo.pcb);
		echo.pcb = NULL;
	}
	report();
	term_stop(&term);
	port_lwip_udp_stop();
	quic_endpoint_deinit(&ep);
	return 0;
}
