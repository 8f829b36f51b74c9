/* lib/pool: exhaustion, stale handles, poisoning, high-water marks, bad
 * frees, fault injection, stats. Runs on host, aarch64 and bare metal. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#if defined(TERN_SAN)
#include <sanitizer/asan_interface.h>
#endif

/* Every pool: take every block, then one more; give them all back. */
static void test_exhaustion_every_pool(void **state)
{
	for (unsigned id = 0; id < POOL_ID_COUNT; id++) {
		struct pool *p = pool_all[id];
		const struct pool_stats *s = pool_stats_of(p);
		uint32_t cap = s->capacity;
		void **blk = calloc(cap ? cap : 1, sizeof(*blk));

		assert_non_null(blk);
		for (uint32_t i = 0; i < cap; i++) {
			blk[i] = pool_alloc(p);
			assert_non_null(blk[i]);
			assert_true(pool_contains(p, blk[i]));
			assert_int_equal((uintptr_t)blk[i] % 16, 0);
		}
		assert_int_equal(s->in_use, cap);
		assert_int_equal(s->failures, 0);
		assert_null(pool_alloc(p));
		assert_null(pool_alloc(p));
		assert_int_equal(s->failures, 2);
		assert_int_equal(s->high_water, cap);
		/* all distinct: every index handed out exactly once */
		uint8_t *seen = calloc(cap ? cap : 1, 1);

		assert_non_null(seen);
		for (uint32_t i = 0; i < cap; i++) {
			uint32_t ix = pool_index(p, blk[i]);

			assert_true(ix < cap);
			assert_int_equal(seen[ix], 0);
			seen[ix] = 1;
		}
		for (uint32_t i = 0; i < cap; i++)
			pool_free(p, blk[i]);
		assert_int_equal(s->in_use, 0);
		assert_int_equal(s->high_water, cap);
		assert_int_equal(s->bad_frees, 0);
		assert_int_equal(s->corrupt, 0);
		free(seen);
		free(blk);
	}
	assert_int_equal(pool_total_in_use(), 0);
}

static void test_stale_handle(void **state)
{
	struct pool *p = &pool_pktbuf;
	void *a = pool_alloc(p);

	assert_non_null(a);
	pool_handle_t h = pool_handle(p, a);

	assert_false(pool_handle_is_none(h));
	assert_ptr_equal(pool_get(p, h), a);
	assert_int_equal(pool_stats_of(p)->stale, 0);

	pool_free(p, a);
	assert_null(pool_get(p, h));
	assert_int_equal(pool_stats_of(p)->stale, 1);

	/* the block comes back (LIFO), the old handle stays stale */
	void *b = pool_alloc(p);

	assert_ptr_equal(b, a);
	assert_null(pool_get(p, h));
	assert_int_equal(pool_stats_of(p)->stale, 2);
	pool_handle_t h2 = pool_handle(p, b);

	assert_int_not_equal(h2.gen, h.gen);
	assert_ptr_equal(pool_get(p, h2), b);

	/* "no object" and nonsense handles */
	assert_null(pool_get(p, POOL_HANDLE_NONE));
	assert_int_equal(pool_stats_of(p)->stale, 2);
	assert_null(pool_get(p, (pool_handle_t){ .idx = UINT32_MAX - 1, .gen = 1 }));
	assert_int_equal(pool_stats_of(p)->stale, 3);
	assert_true(pool_handle_is_none(pool_handle(p, (uint8_t *)b + 1)));
	pool_free(p, b);
	assert_null(pool_get(p, h2));
}

static void test_handle_of_other_pool(void **state)
{
	void *c = pool_alloc(&pool_chunk);

	assert_non_null(c);
	pool_handle_t h = pool_handle(&pool_chunk, c);

	/* a handle is only meaningful with its own pool; another pool's block at
	 * the same index is not the object (generations differ: never allocated) */
	assert_null(pool_get(&pool_pktbuf, h));
	assert_true(pool_handle_is_none(pool_handle(&pool_pktbuf, c)));
	pool_free(&pool_chunk, c);
}

static void test_poison_on_free(void **state)
{
	if (!IS_ENABLED(CONFIG_DEBUG_POOL_POISON))
		skip();
	struct pool *p = &pool_pktbuf;
	uint8_t *a = pool_alloc(p);

	assert_non_null(a);
	/* a fresh block carries the allocation fill, not old data */
	for (uint32_t i = 0; i < p->obj_size; i++)
		assert_int_equal(a[i], POOL_POISON_ALLOC);
	memset(a, 0x11, p->obj_size);
	pool_free(p, a);
#if defined(TERN_SAN)
	/* under ASan the freed block is unaddressable */
	assert_true(__asan_address_is_poisoned(a));
	assert_true(__asan_address_is_poisoned(a + p->obj_size - 1));
	ASAN_UNPOISON_MEMORY_REGION(a, pool_stats_of(p)->elem_size);
#endif
	for (uint32_t i = 0; i < pool_stats_of(p)->elem_size; i++)
		assert_int_equal(a[i], POOL_POISON_FREE);
#if defined(TERN_SAN)
	ASAN_POISON_MEMORY_REGION(a, pool_stats_of(p)->elem_size);
#endif
}

static void test_write_after_free_detected(void **state)
{
	if (!IS_ENABLED(CONFIG_DEBUG_POOL_POISON))
		skip();
	struct pool *p = &pool_pktbuf;
	uint8_t *a = pool_alloc(p);

	assert_non_null(a);
	pool_free(p, a);
#if defined(TERN_SAN)
	ASAN_UNPOISON_MEMORY_REGION(a, pool_stats_of(p)->elem_size);
#endif
	a[100] = 0x42; /* a late writer */
	assert_int_equal(pool_stats_of(p)->corrupt, 0);
	uint8_t *b = pool_alloc(p);

	assert_ptr_equal(b, a);
	assert_int_equal(pool_stats_of(p)->corrupt, 1);
	pool_free(p, b);
}

static void test_zalloc(void **state)
{
	uint8_t *a = pool_zalloc(&pool_chunk);

	assert_non_null(a);
	for (uint32_t i = 0; i < pool_chunk.obj_size; i++)
		assert_int_equal(a[i], 0);
	pool_free(&pool_chunk, a);
}

static void test_high_water(void **state)
{
	struct pool *p = &pool_pktbuf;
	const struct pool_stats *s = pool_stats_of(p);
	void *a = pool_alloc(p), *b = pool_alloc(p), *c = pool_alloc(p);

	assert_true(a && b && c);
	assert_int_equal(s->in_use, 3);
	assert_int_equal(s->high_water, 3);
	pool_free(p, a);
	pool_free(p, b);
	assert_int_equal(s->in_use, 1);
	assert_int_equal(s->high_water, 3);
	a = pool_alloc(p);
	assert_int_equal(s->high_water, 3);
	pool_free(p, a);
	pool_free(p, c);
	assert_int_equal(s->in_use, 0);
	assert_int_equal(s->high_water, 3);
	pool_init_all();
	assert_int_equal(s->high_water, 0);
}

static void test_bad_frees_are_counted(void **state)
{
	struct pool *p = &pool_chunk;
	const struct pool_stats *s = pool_stats_of(p);
	uint8_t *a = pool_alloc(p);
	static uint8_t outside[64];

	assert_non_null(a);
	pool_free(p, a + 1);         /* inside, not a block start */
	pool_free(p, outside);       /* not in the pool */
	pool_free(p, NULL);
	assert_int_equal(s->bad_frees, 3);
	assert_int_equal(s->in_use, 1);
	pool_free(p, a);
	pool_free(p, a);             /* double free */
	assert_int_equal(s->bad_frees, 4);
	assert_int_equal(s->in_use, 0);
	/* the double free did not put the block on the free list twice */
	void *x = pool_alloc(p), *y = pool_alloc(p);

	assert_ptr_not_equal(x, y);
	pool_free(p, x);
	pool_free(p, y);
}

static void test_fault_injection(void **state)
{
	if (!IS_ENABLED(CONFIG_FAULT_INJECTION)) {
		pool_fault_arm(1);
		void *a = pool_alloc(&pool_pktbuf);

		assert_non_null(a); /* compiled out: arming does nothing */
		assert_false(pool_fault_fired());
		pool_free(&pool_pktbuf, a);
		skip();
	}
	pool_fault_arm(3);
	void *a = pool_alloc(&pool_pktbuf);
	void *b = pool_alloc(&pool_chunk);  /* counts across pools */

	assert_non_null(a);
	assert_non_null(b);
	assert_false(pool_fault_fired());
	assert_null(pool_alloc(&pool_pktbuf));
	assert_true(pool_fault_fired());
	assert_int_equal(pool_fault_count(), 1);
	assert_int_equal(pool_stats_of(&pool_pktbuf)->failures, 1);
	void *c = pool_alloc(&pool_pktbuf); /* fires once only */

	assert_non_null(c);
	pool_fault_arm(0);
	pool_free(&pool_pktbuf, a);
	pool_free(&pool_pktbuf, c);
	pool_free(&pool_chunk, b);
}

struct lines {
	unsigned n;
	int saw_pktbuf;
	int saw_total;
};

static void count_line(void *ctx, const char *line)
{
	struct lines *l = ctx;

	l->n++;
	if (strncmp(line, "pktbuf ", 7) == 0)
		l->saw_pktbuf = 1;
	if (strncmp(line, "pools: ", 7) == 0)
		l->saw_total = 1;
	assert_true(strlen(line) < 128);
}

static void test_stats_format(void **state)
{
	struct lines l = { 0 };

	pool_stats_format(count_line, &l);
	assert_int_equal(l.n, POOL_ID_COUNT + 2);
	assert_true(l.saw_pktbuf);
	assert_true(l.saw_total);
	assert_int_equal(pool_stats_of(&pool_pktbuf)->capacity, CONFIG_POOL_PACKET_BUFFERS);
	assert_int_equal(pool_stats_of(&pool_chunk)->capacity, CONFIG_POOL_STREAM_CHUNKS);
	assert_true(pool_stats_of(&pool_pktbuf)->elem_size >= CONFIG_POOL_PACKET_BUFFER_SIZE);
	assert_true(pool_total_bytes() >=
		    (size_t)CONFIG_POOL_PACKET_BUFFERS * CONFIG_POOL_PACKET_BUFFER_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_exhaustion_every_pool),
		UNIT_TEST(test_stale_handle),
		UNIT_TEST(test_handle_of_other_pool),
		UNIT_TEST(test_poison_on_free),
		UNIT_TEST(test_write_after_free_detected),
		UNIT_TEST(test_zalloc),
		UNIT_TEST(test_high_water),
		UNIT_TEST(test_bad_frees_are_counted),
		UNIT_TEST(test_fault_injection),
		UNIT_TEST(test_stats_format),
	};

	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
