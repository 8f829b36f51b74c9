/* crypto/wolfssl_glue: the functions wolfSSL's user_settings.h
 * (tools/gen_user_settings.py) maps onto tern.
 *
 *   XMALLOC/XREALLOC/XFREE      -> lib/arena (size-class pools, no heap)
 *   CUSTOM_RAND_GENERATE_SEED   -> port_entropy()
 *   USER_TICKS                  -> wolfSSL's session/ticket clocks over
 *                                  port_now_ns()
 *   XTIME (bare metal only)     -> port_now_ns() from a fixed floor
 *
 * wolfSSL's `heap` hint and allocation type are not used: every wolfSSL
 * object comes from the one arena. A failed allocation returns NULL and
 * wolfSSL reports MEMORY_E.
 */
#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/types.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "crypto/wolfssl_check.h"

#include "lib/arena.h"
#include "port/port.h"

void *tern_wolfssl_malloc(size_t n, void *heap, int type)
{
	return arena_alloc(n);
}

void *tern_wolfssl_realloc(void *p, size_t n, void *heap, int type)
{
	return arena_realloc(p, n);
}

void tern_wolfssl_free(void *p, void *heap, int type)
{
	arena_free(p);
}

/* wolfSSL's DRBG seed: 0 on success, as wc_GenerateSeed() returns. */
int tern_wolfssl_seed(unsigned char *output, unsigned int sz)
{
	return port_entropy(output, sz) == 0 ? 0 : RNG_FAILURE_E;
}

/* wolfSSL's clocks for session lifetimes and ticket ages (USER_TICKS):
 * seconds and milliseconds from any origin. They read the monotonic clock
 * through the port, as the board loop does; wolfSSL has no `now` argument
 * to pass it in. */
sword64 TimeNowInMilliseconds(void);
word32 LowResTimer(void);

sword64 TimeNowInMilliseconds(void)
{
	/* + 1: wolfSSL takes 0 for a failed clock (GETTIME_ERROR), which
	 * would fail a ticket issued or presented in the first millisecond
	 * of a clock that starts at 0 (bare metal, a simulator) */
	return (sword64)(port_now_ns() / 1000000u) + 1;
}

word32 LowResTimer(void)
{
	return (word32)(port_now_ns() / 1000000000u);
}

#ifdef CONFIG_BARE_METAL
/* Certificate dates (XTIME, seconds since 1970). The bare-metal board has
 * no wall clock yet, so time counts from TERN_WOLFSSL_TIME_FLOOR
 * (2025-01-01) on: certificates issued before it validate, and expiry is
 * checked against a clock that starts there. A real wall clock (the PL031
 * RTC on QEMU virt, or SNTP) replaces this later. */
#define TERN_WOLFSSL_TIME_FLOOR 1735689600u

time_t tern_wolfssl_time(time_t *t)
{
	time_t now = (time_t)(TERN_WOLFSSL_TIME_FLOOR + port_now_ns() / 1000000000u);

	if (t)
		*t = now;
	return now;
}
#endif
