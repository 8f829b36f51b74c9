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

#define UNIT_TEST(f) cmocka_unit_test_setup_teardown(f, unit_pools_setup, unit_pools_teardown)

#endif
