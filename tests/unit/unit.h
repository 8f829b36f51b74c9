/* Common includes for cmocka unit tests (host, qemu-aarch64, bare metal). */
#ifndef TERN_TESTS_UNIT_H
#define TERN_TESTS_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "lib/kconfig.h"
#include "lib/pool.h"

/* xorshift32 (Marsaglia): the tests' fixed-seed random numbers; *state
 * must not be 0. */
static inline uint32_t unit_xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* xorshift64 (Marsaglia 13/7/17): 64-bit fixed-seed random numbers;
 * *state must not be 0. */
static inline uint64_t unit_xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Every test starts with all pools idle... */
static inline int unit_pools_setup(void **state)
{
	(void)state;
	pool_init_all();
	return 0;
}

/* ...and must leave them idle: a block still in use is a leak. */
static inline int unit_pools_teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < POOL_ID_COUNT; i++) {
		const struct pool_stats *s = pool_stats_of(pool_all[i]);

		if (s->in_use) {
			print_error("leak: pool %s has %u block(s) in use after the test\n",
				    s->name, (unsigned)s->in_use);
			return -1;
		}
	}
	return 0;
}

/* Bytes from a hex string (known-answer tables); fails the test on a
 * character that is not hex, an odd length or more than max bytes.
 * Returns the byte count. */
static inline size_t unit_unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;

	for (; hex[0]; hex += 2, n++) {
		uint8_t b = 0;

		for (int i = 0; i < 2; i++) {
			char c = hex[i];

			assert_true((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				    (c >= 'A' && c <= 'F'));
			b = (uint8_t)(b << 4 | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10));
		}
		assert_true(n < max);
		out[n] = b;
	}
	return n;
}

/* unit_unhex() for hex written in groups ("c0 00 0a"): spaces are skipped. */
static inline size_t unit_unhex_spaced(const char *hex, uint8_t *out, size_t max)
{
	char tight[2048];
	size_t n = 0;

	for (; *hex; hex++) {
		if (*hex == ' ')
			continue;
		assert_true(n + 1 < sizeof(tight));
		tight[n++] = *hex;
	}
	tight[n] = 0;
	return unit_unhex(tight, out, max);
}

#define UNIT_TEST(f) cmocka_unit_test_setup_teardown(f, unit_pools_setup, unit_pools_teardown)

#endif
