/* port/lwip/lwip_port.h: tern's side of lwIP 2.1.3 (NO_SYS, raw API).
 *
 * lwIP itself is configured by the generated lwipopts.h
 * (tools/gen_lwipopts.py) and compiled into liblwip.a (mk/lwip.mk). This
 * header names what tern supplies to lwIP (randomness, diagnostics,
 * assertions; sys_now() is declared by lwip/sys.h) and what the board calls.
 * It includes no lwIP header: arch/cc.h includes it inside every lwIP file.
 *
 * Board start-up order: entropy and clock first, then port_lwip_init()
 * (lwIP draws random numbers while it initialises), then the netif. After
 * that the board loop feeds received frames to the netif and calls
 * sys_check_timeouts(); lwIP is never called from an interrupt handler.
 */
#ifndef TERN_PORT_LWIP_LWIP_PORT_H
#define TERN_PORT_LWIP_LWIP_PORT_H

#include <stdint.h>

/* lwip_init(). Call once, before any netif is added. */
void port_lwip_init(void);

/* Writes one header line, one line per lwIP memp pool (name, size, avail,
 * used, max, err) and one for lwIP's heap, each NUL-terminated and without
 * newline, through emit(), like pool_stats_format() in lib/pool.h. */
void port_lwip_stats_format(void (*emit)(void *ctx, const char *line), void *ctx);

/* LWIP_RAND() and LWIP_HOOK_TCP_ISN(): 32 bits from port_entropy(). When
 * entropy fails, a fallback generator answers; each such answer is counted
 * (port_lwip_rand_fallbacks()) and logged at powers of two. */
uint32_t tern_lwip_rand(void);
uint32_t port_lwip_rand_fallbacks(void);

/* LWIP_PLATFORM_DIAG((fmt, ...)): lwIP's debug output, one log line at
 * PORT_LOG_DEBUG (only with LWIP_DEBUG, which tern does not set). */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void tern_lwip_diag(const char *fmt, ...);

/* LWIP_PLATFORM_ASSERT(msg): logs the failed assertion as an error and
 * stops with a breakpoint exception (brk), which the board's exception
 * vector reports. lwIP's assertions guard its own invariants: continuing
 * after one would corrupt memory. */
_Noreturn void tern_lwip_assert(const char *msg, const char *file, int line);

#endif
