/* lib/arena: size classes, spill, realloc, foreign frees, fault injection. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "lib/arena.h"

static int setup(void **state)
{
	arena_stats_reset();
	return unit_pools_setup(state);
}

#define ARENA_TEST(f) cmocka_unit_test_setup_teardown(f, setup, unit_pools_teardown)

static void test_size_classes(void **state)
{
	static const struct { size_t n; struct pool *p; uint32_t sz; } cases[] = {
		{ 0, &pool_tls_64, 64 },      { 1, &pool_tls_64, 64 },
		{ 64, &pool_tls_64, 64 },     { 65, &pool_tls_128, 128 },
		{ 256, &pool_tls_256, 256 },  { 257, &pool_tls_512, 512 },
		{ 1000, &pool_tls_1k, 1024 }, { 2048, &pool_tls_2k, 2048 },
		{ 4000, &pool_tls_4k, 4096 }, { 8192, &pool_tls_8k, 8192 },
		{ 16384, &pool_tls_16k, 16384 }, { 32768, &pool_tls_32k, 32768 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (pool_stats_of(cases[i].p)->capacity == 0)
			continue;
		void *b = arena_alloc(cases[i].n);

		assert_non_null(b);
		assert_true(pool_contains(cases[i].p, b));
		assert_int_equal(arena_block_size(b), cases[i].sz);
		assert_int_equal(arena_bytes_in_use(), cases[i].sz);
		memset(b, 0x5a, cases[i].n); /* the whole request is usable */
		arena_free(b);
		assert_int_equal(arena_bytes_in_use(), 0);
	}
	assert_int_equal(arena_stats()->spilled, 0);
}

static void test_too_big(void **state)
{
	assert_null(arena_alloc(32769));
	assert_null(arena_alloc((size_t)-1));
	assert_int_equal(arena_stats()->too_big, 2);
	assert_int_equal(arena_stats()->failed, 2);
}

static void test_spill_to_larger_class(void **state)
{
	uint32_t cap = pool_stats_of(&pool_tls_64)->capacity;
	void **b = calloc(cap + 1, sizeof(*b));

	assert_non_null(b);
	for (uint32_t i = 0; i < cap; i++)
		assert_non_null(b[i] = arena_alloc(10));
	assert_int_equal(arena_stats()->spilled, 0);
	b[cap] = arena_alloc(10);
	assert_non_null(b[cap]);
	assert_false(pool_contains(&pool_tls_64, b[cap]));
	assert_int_equal(arena_stats()->spilled, 1);
	assert_int_equal(arena_block_size(b[cap]), 128);
	for (uint32_t i = 0; i <= cap; i++)
		arena_free(b[i]);
	assert_int_equal(arena_bytes_in_use(), 0);
	assert_true(arena_stats()->bytes_high >= (size_t)cap * 64 + 128);
	free(b);
}

static void test_arena_realloc(void **state)
{
	uint8_t *a = arena_realloc(NULL, 40); /* realloc(NULL) allocates */

	assert_non_null(a);
	for (int i = 0; i < 40; i++)
		a[i] = (uint8_t)i;
	assert_ptr_equal(arena_realloc(a, 60), a); /* fits: same block */
	uint8_t *b = arena_realloc(a, 3000);       /* grows: moves, keeps data */

	assert_non_null(b);
	assert_int_equal(arena_block_size(b), 4096);
	for (int i = 0; i < 40; i++)
		assert_int_equal(b[i], i);
	assert_int_equal(pool_stats_of(&pool_tls_64)->in_use, 0);
	/* a failed grow leaves the old block alive and intact */
	assert_null(arena_realloc(b, 100000));
	assert_int_equal(b[39], 39);
	assert_int_equal(pool_stats_of(&pool_tls_4k)->in_use, 1);
	assert_null(arena_realloc(b, 0));           /* realloc(p, 0) frees */
	assert_int_equal(arena_bytes_in_use(), 0);
}

static void test_foreign_and_null_free(void **state)
{
	static uint8_t not_ours[32];

	arena_free(NULL);
	assert_int_equal(arena_stats()->foreign, 0);
	arena_free(not_ours);
	assert_int_equal(arena_stats()->foreign, 1);
	assert_null(arena_realloc(not_ours, 10));
	assert_int_equal(arena_stats()->foreign, 2);
	assert_int_equal(arena_block_size(not_ours), 0);
	void *a = arena_alloc(8);

	arena_free(a);
	arena_free(a); /* double free: counted by the pool, bytes unchanged */
	assert_int_equal(pool_stats_of(&pool_tls_64)->bad_frees, 1);
	assert_int_equal(arena_bytes_in_use(), 0);
}

static void test_injected_failure_does_not_spill(void **state)
{
	if (!IS_ENABLED(CONFIG_FAULT_INJECTION))
		skip();
	pool_fault_arm(2);
	void *a = arena_alloc(10);

	assert_non_null(a);
	assert_null(arena_alloc(10)); /* the 2nd allocation fails outright */
	assert_int_equal(arena_stats()->failed, 1);
	assert_int_equal(arena_stats()->spilled, 0);
	void *b = arena_alloc(10);

	assert_non_null(b);
	arena_free(a);
	arena_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ARENA_TEST(test_size_classes),
		ARENA_TEST(test_too_big),
		ARENA_TEST(test_spill_to_larger_class),
		ARENA_TEST(test_arena_realloc),
		ARENA_TEST(test_foreign_and_null_free),
		ARENA_TEST(test_injected_failure_does_not_spill),
	};

	return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
