/* lib/pool: see pool.h. */
#include <string.h>
#include <stdio.h>  /* snprintf only: the core formats, boards print */

#include "lib/pool.h"
#include "lib/kconfig.h"

#if defined(TERN_SAN) && defined(__has_include)
#if __has_include(<sanitizer/asan_interface.h>)
#include <sanitizer/asan_interface.h>
#define POOL_ASAN_POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define POOL_ASAN_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#endif
#endif
#ifndef POOL_ASAN_POISON
#define POOL_ASAN_POISON(p, n)   ((void)(p), (void)(n))
#define POOL_ASAN_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define POOL_NIL UINT32_MAX
#define POOL_ALIGN 16u
#define POOL_ROUND(sz) (((sz) + POOL_ALIGN - 1) / POOL_ALIGN * POOL_ALIGN)

/* Storage: blocks, generations and free-list links apart, so that a whole
 * freed block can be poisoned and checked. */
#define POOL_DEFINE(id, type, count)                                          \
	BUILD_ASSERT((count) >= 0 && (uint64_t)(count) < POOL_NIL,             \
		     "pool " #id ": bad count");                             \
	static _Alignas(POOL_ALIGN) uint8_t                                    \
		pool_mem_##id[(count) ? (count) : 1][POOL_ROUND(sizeof(type))]; \
	static uint32_t pool_gen_##id[(count) ? (count) : 1];                \
	static uint32_t pool_next_##id[(count) ? (count) : 1];               \
	struct pool pool_##id = {                                            \
		.st = { .name = #id, .elem_size = POOL_ROUND(sizeof(type)),  \
			.capacity = (count) },                                 \
		.base = &pool_mem_##id[0][0],                                \
		.gen = pool_gen_##id,                                        \
		.next = pool_next_##id,                                      \
		.obj_size = sizeof(type),                                      \
	};
TERN_POOLS(POOL_DEFINE)
#undef POOL_DEFINE

struct pool *const pool_all[POOL_ID_COUNT] = {
#define POOL_PTR(name, type, count) [POOL_ID_##name] = &pool_##name,
	TERN_POOLS(POOL_PTR)
#undef POOL_PTR
};

#if IS_ENABLED(CONFIG_FAULT_INJECTION)
static uint32_t fault_countdown; /* 0: disarmed */
static bool fault_fired;
static uint32_t fault_total;     /* injected failures since init */
#endif

static inline uint8_t *block_at(const struct pool *p, uint32_t i)
{
	return p->base + (size_t)i * p->st.elem_size;
}

static void pool_init_one(struct pool *p)
{
	uint32_t n = p->st.capacity;

	p->free_head = n ? 0 : POOL_NIL;
	for (uint32_t i = 0; i < n; i++) {
		p->next[i] = i + 1 < n ? i + 1 : POOL_NIL;
		p->gen[i] = 0;
		POOL_ASAN_UNPOISON(block_at(p, i), p->st.elem_size);
		if (IS_ENABLED(CONFIG_DEBUG_POOL_POISON))
			memset(block_at(p, i), POOL_POISON_FREE, p->st.elem_size);
		POOL_ASAN_POISON(block_at(p, i), p->st.elem_size);
	}
	p->st.in_use = 0;
	p->st.high_water = 0;
	p->st.failures = 0;
	p->st.stale = 0;
	p->st.bad_frees = 0;
	p->st.corrupt = 0;
}

void pool_init_all(void)
{
	for (unsigned i = 0; i < POOL_ID_COUNT; i++)
		pool_init_one(pool_all[i]);
#if IS_ENABLED(CONFIG_FAULT_INJECTION)
	fault_countdown = 0;
	fault_fired = false;
	fault_total = 0;
#endif
}

static bool fault_injected(void)
{
#if IS_ENABLED(CONFIG_FAULT_INJECTION)
	if (fault_countdown && --fault_countdown == 0) {
		fault_fired = true;
		fault_total++;
		return true;
	}
#endif
	return false;
}

void pool_fault_arm(uint32_t n)
{
#if IS_ENABLED(CONFIG_FAULT_INJECTION)
	fault_countdown = n;
	fault_fired = false;
#else
	(void)n;
#endif
}

bool pool_fault_fired(void)
{
#if IS_ENABLED(CONFIG_FAULT_INJECTION)
	return fault_fired;
#else
	return false;
#endif
}

uint32_t pool_fault_count(void)
{
#if IS_ENABLED(CONFIG_FAULT_INJECTION)
	return fault_total;
#else
	return 0;
#endif
}

/* Poison builds: a freed block must still hold the free fill. */
static void check_poison(struct pool *p, const uint8_t *b)
{
	for (uint32_t k = 0; k < p->st.elem_size; k++) {
		if (b[k] != POOL_POISON_FREE) {
			p->st.corrupt++;
			return;
		}
	}
}

void *pool_alloc(struct pool *p)
{
	if (p->free_head == POOL_NIL || fault_injected()) {
		p->st.failures++;
		return NULL;
	}
	uint32_t i = p->free_head;
	uint8_t *b = block_at(p, i);

	p->free_head = p->next[i];
	p->next[i] = POOL_NIL;
	p->gen[i] = (p->gen[i] + 1) | 1u; /* odd: allocated */
	POOL_ASAN_UNPOISON(b, p->obj_size);
	if (IS_ENABLED(CONFIG_DEBUG_POOL_POISON)) {
		POOL_ASAN_UNPOISON(b, p->st.elem_size);
		check_poison(p, b);
		memset(b, POOL_POISON_ALLOC, p->st.elem_size);
		POOL_ASAN_POISON(b + p->obj_size, p->st.elem_size - p->obj_size);
	}
	if (++p->st.in_use > p->st.high_water)
		p->st.high_water = p->st.in_use;
	return b;
}

void *pool_zalloc(struct pool *p)
{
	void *b = pool_alloc(p);

	if (b)
		memset(b, 0, p->obj_size);
	return b;
}

bool pool_contains(const struct pool *p, const void *ptr)
{
	const uint8_t *c = ptr;

	return c >= p->base && c < p->base + (size_t)p->st.capacity * p->st.elem_size;
}

uint32_t pool_index(const struct pool *p, const void *obj)
{
	return (uint32_t)(((const uint8_t *)obj - p->base) / p->st.elem_size);
}

/* obj is the start of a block of p that is allocated now. */
static bool is_live_block(const struct pool *p, const void *obj, uint32_t *idx)
{
	if (!obj || !pool_contains(p, obj))
		return false;
	uint32_t i = pool_index(p, obj);

	if (block_at(p, i) != (const uint8_t *)obj || !(p->gen[i] & 1u))
		return false;
	*idx = i;
	return true;
}

void pool_free(struct pool *p, void *obj)
{
	uint32_t i;

	if (!is_live_block(p, obj, &i)) {
		p->st.bad_frees++;
		return;
	}
	p->gen[i]++; /* even: free; every handle to this block is now stale */
	if (IS_ENABLED(CONFIG_DEBUG_POOL_POISON)) {
		POOL_ASAN_UNPOISON(obj, p->st.elem_size);
		memset(obj, POOL_POISON_FREE, p->st.elem_size);
	}
	POOL_ASAN_POISON(obj, p->st.elem_size);
	p->next[i] = p->free_head;
	p->free_head = i;
	p->st.in_use--;
}

pool_handle_t pool_handle(const struct pool *p, const void *obj)
{
	uint32_t i;

	if (!is_live_block(p, obj, &i))
		return POOL_HANDLE_NONE;
	return (pool_handle_t){ .idx = i, .gen = p->gen[i] };
}

bool pool_handle_live(const struct pool *p, pool_handle_t h)
{
	return h.gen && h.idx < p->st.capacity && p->gen[h.idx] == h.gen;
}

void *pool_get(struct pool *p, pool_handle_t h)
{
	if (h.gen == 0)
		return NULL; /* "no object" is not a stale reference */
	if (h.idx >= p->st.capacity || p->gen[h.idx] != h.gen) {
		p->st.stale++;
		return NULL;
	}
	return block_at(p, h.idx);
}

uint32_t pool_total_in_use(void)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < POOL_ID_COUNT; i++)
		n += pool_all[i]->st.in_use;
	return n;
}

size_t pool_total_bytes(void)
{
	size_t n = 0;

	for (unsigned i = 0; i < POOL_ID_COUNT; i++) {
		const struct pool *p = pool_all[i];

		n += (size_t)p->st.capacity * (p->st.elem_size + 2 * sizeof(uint32_t));
	}
	return n;
}

void pool_stats_format(void (*emit)(void *ctx, const char *line), void *ctx)
{
	char line[128];

	snprintf(line, sizeof(line), "%-10s %7s %8s %8s %8s %8s %6s %6s %6s",
		 "pool", "size", "capacity", "in_use", "high", "fail", "stale",
		 "badfree", "corrupt");
	emit(ctx, line);
	for (unsigned i = 0; i < POOL_ID_COUNT; i++) {
		const struct pool_stats *s = &pool_all[i]->st;

		snprintf(line, sizeof(line),
			 "%-10s %7lu %8lu %8lu %8lu %8lu %6lu %6lu %6lu", s->name,
			 (unsigned long)s->elem_size, (unsigned long)s->capacity,
			 (unsigned long)s->in_use, (unsigned long)s->high_water,
			 (unsigned long)s->failures, (unsigned long)s->stale,
			 (unsigned long)s->bad_frees, (unsigned long)s->corrupt);
		emit(ctx, line);
	}
	snprintf(line, sizeof(line), "pools: %u, %lu bytes static, %lu blocks in use",
		 (unsigned)POOL_ID_COUNT, (unsigned long)pool_total_bytes(),
		 (unsigned long)pool_total_in_use());
	emit(ctx, line);
}
