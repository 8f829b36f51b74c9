/* port/lwip/netif.c: an lwIP Ethernet netif over a board's NIC driver,
 * and its addressing (static IPv4 or DHCP, IPv6 link-local and SLAAC).
 * See netif.h. */
#include <stdio.h>
#include <string.h>

#include "lib/kconfig.h"
#include "port/port.h"
#include "port/lwip/netif.h"

#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/ip4_addr.h"
#include "lwip/ip6_addr.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

/* Frames taken from the driver per port_netif_poll(): lwIP's timers and
 * the application get their turn even under a flood. */
#define POLL_BUDGET		32

/* After the link-local address is usable, how long port_netif_wait()
 * also waits for a SLAAC address: lwIP solicits a router at once and
 * QEMU's user network answers at once; duplicate detection of the new
 * address takes about a second more. A network without a router costs
 * this much at start. */
#define SLAAC_WAIT_MS		5000

void port_netif_config_default(struct port_netif_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->dhcp = IS_ENABLED(CONFIG_NET_DHCP);
#ifndef CONFIG_NET_DHCP
	cfg->ip4_addr = CONFIG_NET_IPV4_ADDR;
	cfg->ip4_netmask = CONFIG_NET_IPV4_NETMASK;
	cfg->ip4_gateway = CONFIG_NET_IPV4_GATEWAY;
#endif
	cfg->up_timeout_ms = CONFIG_NET_UP_TIMEOUT_MS;
}

/* A dotted quad, strictly: four decimal numbers 0-255 (lwIP's
 * ip4addr_aton also takes inet_aton's shorter forms, where "10.0.2" means
 * 10.0.0.2: a typo would quietly become another address). 1 or 0. */
static int parse_quad(const char *s, ip4_addr_t *out)
{
	unsigned int parts = 0, digits = 0, value = 0;

	if (!s)
		return 0;
	for (const char *c = s;; c++) {
		if (*c >= '0' && *c <= '9') {
			value = value * 10 + (unsigned int)(*c - '0');
			if (++digits > 3 || value > 255)
				return 0;
		} else if ((*c == '.' || *c == '\0') && digits > 0) {
			parts++;
			digits = value = 0;
			if (*c == '\0')
				break;
		} else {
			return 0;
		}
	}
	return parts == 4 && ip4addr_aton(s, out);
}

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
	struct port_netif *pn = netif->state;
	void *buf;

	if (p->tot_len > pn->ops->mtu + SIZEOF_ETH_HDR) {
		pn->stats.tx_err++;
		LINK_STATS_INC(link.lenerr);
		LINK_STATS_INC(link.drop);
		return ERR_IF;
	}
	buf = pn->ops->tx_buffer(pn->drv);
	if (!buf) {
		pn->stats.tx_full++;
		LINK_STATS_INC(link.memerr);
		LINK_STATS_INC(link.drop);
		return ERR_MEM;
	}
	pbuf_copy_partial(p, buf, p->tot_len, 0);
	if (pn->ops->tx_submit(pn->drv, p->tot_len) != 0) {
		pn->stats.tx_err++;
		LINK_STATS_INC(link.err);
		LINK_STATS_INC(link.drop);
		return ERR_IF;
	}
	pn->stats.tx_frames++;
	LINK_STATS_INC(link.xmit);
	return ERR_OK;
}

static void rx_frame(void *ctx, const void *frame, size_t len)
{
	struct port_netif *pn = ctx;
	struct pbuf *p;

	if (len > 0xffff) {
		pn->stats.rx_input_err++;
		LINK_STATS_INC(link.lenerr);
		LINK_STATS_INC(link.drop);
		return;
	}
	p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		pn->stats.rx_no_pbuf++;
		LINK_STATS_INC(link.memerr);
		LINK_STATS_INC(link.drop);
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	LINK_STATS_INC(link.recv);
	if (pn->netif.input(p, &pn->netif) != ERR_OK) {
		pn->stats.rx_input_err++;
		LINK_STATS_INC(link.drop);
		pbuf_free(p);
		return;
	}
	pn->stats.rx_frames++;
}

static err_t netif_init_cb(struct netif *netif)
{
	struct port_netif *pn = netif->state;

	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->output = etharp_output;
#if LWIP_IPV6
	netif->output_ip6 = ethip6_output;
#endif
	netif->linkoutput = linkoutput;
	netif->mtu = pn->ops->mtu;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, pn->ops->mac(pn->drv), ETH_HWADDR_LEN);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
#if LWIP_IPV6_MLD
	netif->flags |= NETIF_FLAG_MLD6;
#endif
	return ERR_OK;
}

int port_netif_add(struct port_netif *pn, const struct port_netif_ops *ops, void *drv,
		   const struct port_netif_config *cfg)
{
	ip4_addr_t addr, mask, gw;

	memset(pn, 0, sizeof(*pn));
	pn->ops = ops;
	pn->drv = drv;
	pn->cfg = *cfg;
	ip4_addr_set_zero(&addr);
	ip4_addr_set_zero(&mask);
	ip4_addr_set_zero(&gw);
	if (!cfg->dhcp && (!parse_quad(cfg->ip4_addr, &addr) ||
			   !parse_quad(cfg->ip4_netmask, &mask) ||
			   !parse_quad(cfg->ip4_gateway, &gw)))
		return -1;

	if (!netif_add(&pn->netif, &addr, &mask, &gw, pn, netif_init_cb, ethernet_input))
		return -2;
	pn->up_ns = port_now_ns();
	netif_set_default(&pn->netif);
	netif_set_up(&pn->netif);
	netif_set_link_up(&pn->netif);
#if LWIP_IPV6
	netif_create_ip6_linklocal_address(&pn->netif, 1);
	netif_set_ip6_autoconfig_enabled(&pn->netif, 1);
#endif
	if (cfg->dhcp) {
		dhcp_set_struct(&pn->netif, &pn->dhcp);
		if (dhcp_start(&pn->netif) != ERR_OK) {
			port_netif_remove(pn);
			return -2;
		}
	}
	return 0;
}

void port_netif_remove(struct port_netif *pn)
{
	if (pn->cfg.dhcp && netif_dhcp_data(&pn->netif)) {
		dhcp_stop(&pn->netif);
		dhcp_remove_struct(&pn->netif);
	}
	netif_set_link_down(&pn->netif);
	netif_set_down(&pn->netif);
	netif_remove(&pn->netif);
}

unsigned int port_netif_poll(struct port_netif *pn)
{
	unsigned int n = pn->ops->poll(pn->drv, rx_frame, pn, POLL_BUDGET);

	sys_check_timeouts();
	return n;
}

static int ip4_ready(const struct port_netif *pn)
{
	return pn->cfg.dhcp ? dhcp_supplied_address(&pn->netif) : 1;
}

/* IPv6 done: the link-local address (slot 0) preferred, and a further
 * preferred address or SLAAC_WAIT_MS gone by. */
static int ip6_ready(const struct port_netif *pn, uint64_t elapsed_ms)
{
#if LWIP_IPV6
	int global = 0;

	if (!ip6_addr_ispreferred(netif_ip6_addr_state(&pn->netif, 0)))
		return 0;
	for (int i = 1; i < LWIP_IPV6_NUM_ADDRESSES; i++)
		if (ip6_addr_ispreferred(netif_ip6_addr_state(&pn->netif, i)))
			global = 1;
	return global || elapsed_ms >= SLAAC_WAIT_MS;
#else
	(void)pn, (void)elapsed_ms;
	return 1;
#endif
}

int port_netif_wait(struct port_netif *pn)
{
	for (;;) {
		uint64_t elapsed_ms;

		port_netif_poll(pn);
		elapsed_ms = (port_now_ns() - pn->up_ns) / 1000000u;
		if (ip4_ready(pn) && ip6_ready(pn, elapsed_ms))
			return 0;
		if (elapsed_ms >= pn->cfg.up_timeout_ms)
			return ip4_ready(pn) ? 0 : -1;
	}
}

static unsigned int prefix_len(const ip4_addr_t *mask)
{
	return (unsigned int)__builtin_popcount(ip4_addr_get_u32(mask));
}

void port_netif_addrs_format(const struct port_netif *pn,
			     void (*emit)(void *ctx, const char *line), void *ctx)
{
	const struct netif *nif = &pn->netif;
	char line[320], a[48], g[48];
	size_t n;

	if (ip4_ready(pn) && !ip4_addr_isany_val(*netif_ip4_addr(nif))) {
		ip4addr_ntoa_r(netif_ip4_addr(nif), a, sizeof(a));
		ip4addr_ntoa_r(netif_ip4_gw(nif), g, sizeof(g));
		n = (size_t)snprintf(line, sizeof(line), "net: addresses ipv4 %s/%u gw %s (%s)",
				     a, prefix_len(netif_ip4_netmask(nif)), g,
				     pn->cfg.dhcp ? "dhcp" : "static");
	} else {
		n = (size_t)snprintf(line, sizeof(line), "net: addresses ipv4 none (%s)",
				     pn->cfg.dhcp ? "dhcp: no lease yet" : "static");
	}
#if LWIP_IPV6
	if (n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "; ipv6");
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES && n < sizeof(line); i++) {
		u8_t state = netif_ip6_addr_state(nif, i);

		if (!ip6_addr_isvalid(state))
			continue;
		ip6addr_ntoa_r(netif_ip6_addr(nif, i), a, sizeof(a));
		for (char *c = a; *c; c++)	/* RFC 5952: lower case */
			if (*c >= 'A' && *c <= 'F')
				*c = (char)(*c - 'A' + 'a');
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s%s", a,
				      i == 0 ? " (link-local)" :
				      ip6_addr_ispreferred(state) ? "" : " (deprecated)");
	}
	if (n < sizeof(line) && !ip6_addr_isvalid(netif_ip6_addr_state(nif, 0)))
		snprintf(line + n, sizeof(line) - n, " none yet");
#else
	(void)n;
#endif
	emit(ctx, line);
}

static void proto_line(void (*emit)(void *ctx, const char *line), void *ctx,
		       const char *name, const struct stats_proto *s)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "lwip %-6s xmit %lu recv %lu drop %lu chkerr %lu lenerr %lu memerr %lu "
		 "rterr %lu proterr %lu err %lu",
		 name, (unsigned long)s->xmit, (unsigned long)s->recv, (unsigned long)s->drop,
		 (unsigned long)s->chkerr, (unsigned long)s->lenerr, (unsigned long)s->memerr,
		 (unsigned long)s->rterr, (unsigned long)s->proterr, (unsigned long)s->err);
	emit(ctx, line);
}

/* lwIP's protocol counters worth a line (those its options compiled in). */
static const struct {
	const char *name;
	const struct stats_proto *s;
} protos[] = {
#if LINK_STATS
	{ "link", &lwip_stats.link },
#endif
#if ETHARP_STATS
	{ "etharp", &lwip_stats.etharp },
#endif
#if IP_STATS
	{ "ip4", &lwip_stats.ip },
#endif
#if ICMP_STATS
	{ "icmp", &lwip_stats.icmp },
#endif
#if UDP_STATS
	{ "udp", &lwip_stats.udp },
#endif
#if LWIP_IPV6 && IP6_STATS
	{ "ip6", &lwip_stats.ip6 },
#endif
#if LWIP_IPV6 && ICMP6_STATS
	{ "icmp6", &lwip_stats.icmp6 },
#endif
#if LWIP_IPV6 && ND6_STATS
	{ "nd6", &lwip_stats.nd6 },
#endif
};

void port_netif_stats_format(const struct port_netif *pn,
			     void (*emit)(void *ctx, const char *line), void *ctx)
{
	const struct port_netif_stats *s = &pn->stats;
	char line[256];

	snprintf(line, sizeof(line),
		 "netif %c%c: rx %lu (no pbuf %lu, refused %lu), tx %lu (ring full %lu, error %lu)",
		 pn->netif.name[0], pn->netif.name[1], (unsigned long)s->rx_frames,
		 (unsigned long)s->rx_no_pbuf, (unsigned long)s->rx_input_err,
		 (unsigned long)s->tx_frames, (unsigned long)s->tx_full, (unsigned long)s->tx_err);
	emit(ctx, line);
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		proto_line(emit, ctx, protos[i].name, protos[i].s);
}
