/* port/lwip/lwip_port.c: what tern supplies to lwIP (sys_now, randomness,
 * diagnostics, assertions) and lwIP's start and statistics for the board.
 * See lwip_port.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "port/port.h"
#include "port/lwip/lwip_port.h"

#include "lwip/init.h"
#include "lwip/memp.h"
#include "lwip/stats.h"
#include "lwip/sys.h"

/* Relationships that involve lwIP's derived values (opt.h), lwIP-style;
 * those between the configured values are at the end of lwipopts.h. */
#if !MEMP_STATS || !MEM_STATS
#error "port_lwip_stats_format() needs MEMP_STATS and MEM_STATS (tools/gen_lwipopts.py)"
#endif
#if PBUF_POOL_BUFSIZE < 1500 + PBUF_LINK_HLEN
#error "PBUF_POOL_BUFSIZE must hold a whole 1500-byte-MTU frame"
#endif
#if LWIP_TCP && PBUF_POOL_SIZE * (PBUF_POOL_BUFSIZE - (PBUF_LINK_ENCAPSULATION_HLEN + \
	PBUF_LINK_HLEN + PBUF_IP_HLEN + PBUF_TRANSPORT_HLEN)) < TCP_WND
#error "CONFIG_LWIP_PBUF_POOL_SIZE pbufs cannot hold one TCP window: raise it or lower CONFIG_LWIP_TCP_WND_MSS"
#endif
#if MEMP_NUM_UDP_PCB < 1 + LWIP_DHCP + LWIP_IPV6
#error "MEMP_NUM_UDP_PCB: one QUIC listener per address family plus DHCP"
#endif

u32_t sys_now(void)
{
	return (u32_t)(port_now_ns() / 1000000u);
}

static uint64_t rand_state;
static uint32_t rand_fallbacks;

uint32_t port_lwip_rand_fallbacks(void)
{
	return rand_fallbacks;
}

/* Only when port_entropy() fails: splitmix64 over the clock. Good enough to
 * spread local ports and DHCP transaction IDs, not to hide TCP sequence
 * numbers from an attacker, hence counted and logged. */
static uint32_t rand_fallback(void)
{
	uint64_t z;

	rand_fallbacks++;
	if ((rand_fallbacks & (rand_fallbacks - 1)) == 0)
		LOG_WARN("lwip: no entropy, %lu random numbers from the fallback generator",
			 (unsigned long)rand_fallbacks);
	rand_state += 0x9e3779b97f4a7c15u + port_now_ns();
	z = rand_state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return (uint32_t)(z ^ (z >> 31));
}

uint32_t tern_lwip_rand(void)
{
	uint32_t v;

	if (port_entropy(&v, sizeof(v)) == 0)
		return v;
	return rand_fallback();
}

void tern_lwip_diag(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n > 0)
		port_log_line(PORT_LOG_DEBUG, line);
}

_Noreturn void tern_lwip_assert(const char *msg, const char *file, int line)
{
	/* log_fmt, not LOG_ERR: reported whatever CONFIG_LOG_LEVEL says */
	log_fmt(PORT_LOG_ERROR, "lwip: assertion \"%s\" failed at %s:%d", msg, file, line);
	for (;;)
		__builtin_trap();
}

void port_lwip_init(void)
{
	lwip_init();
}

/* Pool names in MEMP_* order, from the list lwIP builds its enum from. */
static const char *const memp_names[MEMP_MAX] = {
#define LWIP_MEMPOOL(name, num, size, desc) #name,
#include "lwip/priv/memp_std.h"
};

static void stats_line(char *line, size_t len, const char *name, unsigned long size,
		       const struct stats_mem *s)
{
	snprintf(line, len, "%-16s %6lu %8lu %8lu %8lu %8lu %7lu", name, size,
		 (unsigned long)s->avail, (unsigned long)s->used, (unsigned long)s->max,
		 (unsigned long)s->err, (unsigned long)s->illegal);
}

void port_lwip_stats_format(void (*emit)(void *ctx, const char *line), void *ctx)
{
	static const struct stats_mem none;
	char line[128];

	snprintf(line, sizeof(line), "%-16s %6s %8s %8s %8s %8s %7s", "lwip pool", "size",
		 "avail", "used", "max", "err", "illegal");
	emit(ctx, line);
	for (unsigned i = 0; i < MEMP_MAX; i++) {
		/* set by lwip_init(); all zero before */
		const struct stats_mem *s = lwip_stats.memp[i] ? lwip_stats.memp[i] : &none;

		stats_line(line, sizeof(line), memp_names[i], memp_pools[i]->size, s);
		emit(ctx, line);
	}
	/* lwIP's heap: size is the whole heap, avail/used/max in bytes */
	stats_line(line, sizeof(line), "HEAP", (unsigned long)MEM_SIZE, &lwip_stats.mem);
	emit(ctx, line);
	snprintf(line, sizeof(line), "lwip: %u pools, heap %lu bytes, %lu fallback random numbers",
		 (unsigned)MEMP_MAX, (unsigned long)MEM_SIZE, (unsigned long)rand_fallbacks);
	emit(ctx, line);
}
