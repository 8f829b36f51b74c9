/* port/lwip/arch/cc.h: lwIP 2.1.3's compiler and platform header for tern
 * (GCC, AArch64 bare metal with picolibc; builds for any GCC target).
 * lwip/arch.h includes it first; lwIP's defaults cover the rest: fixed-width
 * types from <stdint.h>, <inttypes.h> formats, GCC packed structs. */
#ifndef TERN_LWIP_ARCH_CC_H
#define TERN_LWIP_ARCH_CC_H

#include <limits.h>
#include <sys/types.h>

#include "../lwip_port.h"

/* picolibc's <limits.h> has no SSIZE_MAX; without it lwip/arch.h typedefs
 * ssize_t as int, which clashes with <sys/types.h> (long on AArch64) in
 * every file that includes both. */
#ifndef SSIZE_MAX
#define SSIZE_MAX ((ssize_t)(__SIZE_MAX__ >> 1))
#endif

/* LITTLE_ENDIAN/BIG_ENDIAN get lwIP's values in lwip/arch.h when the C
 * library has not defined them. */
#ifndef BYTE_ORDER
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define BYTE_ORDER BIG_ENDIAN
#else
#define BYTE_ORDER LITTLE_ENDIAN
#endif
#endif

/* Byte swaps as single instructions (rev16/rev on AArch64) instead of
 * lwIP's C functions in def.c. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))
#endif

/* Diagnostics and assertions through tern's log sink (port_log_line), never
 * printf/abort: x is a parenthesised printf argument list. */
#define LWIP_PLATFORM_DIAG(x) do { tern_lwip_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) tern_lwip_assert((x), __FILE__, __LINE__)

#endif
