/* lib/arena: see arena.h. */
#include <string.h>

#include "lib/arena.h"
#include "lib/pool.h"

static const struct arena_class {
	struct pool *pool;
	uint32_t size;
} classes[] = {
#define ARENA_CLASS(name, bytes) { &pool_##name, bytes },
	TERN_ARENA_CLASSES(ARENA_CLASS)
#undef ARENA_CLASS
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

static struct arena_stats stats;

const struct arena_stats *arena_stats(void) { return &stats; }

/* Derived from the class pools, which only the arena allocates from. */
size_t arena_bytes_in_use(void)
{
	size_t n = 0;

	for (unsigned i = 0; i < NCLASSES; i++)
		n += (size_t)classes[i].pool->st.in_use * classes[i].size;
	return n;
}
void arena_stats_reset(void) { memset(&stats, 0, sizeof(stats)); }

static const struct arena_class *class_of(const void *ptr)
{
	for (unsigned i = 0; i < NCLASSES; i++)
		if (pool_contains(classes[i].pool, ptr))
			return &classes[i];
	return NULL;
}

void *arena_alloc(size_t n)
{
	unsigned i = 0;

	if (n == 0)
		n = 1;
	while (i < NCLASSES && classes[i].size < n)
		i++;
	if (i == NCLASSES) {
		stats.too_big++;
		stats.failed++;
		return NULL;
	}
	uint32_t faults = pool_fault_count();

	for (unsigned best = i; i < NCLASSES; i++) {
		void *b = pool_alloc(classes[i].pool);

		if (!b && pool_fault_count() != faults)
			break; /* an injected failure fails the request, no spill */
		if (b) {
			if (i != best)
				stats.spilled++;
			size_t now = arena_bytes_in_use();

			if (now > stats.bytes_high)
				stats.bytes_high = now;
			return b;
		}
	}
	stats.failed++;
	return NULL;
}

void arena_free(void *ptr)
{
	if (!ptr)
		return;
	const struct arena_class *c = class_of(ptr);

	if (!c) {
		stats.foreign++;
		return;
	}
	pool_free(c->pool, ptr); /* a double free is counted by the pool */
}

size_t arena_block_size(const void *ptr)
{
	const struct arena_class *c = ptr ? class_of(ptr) : NULL;

	return c ? c->size : 0;
}

void *arena_realloc(void *ptr, size_t n)
{
	if (!ptr)
		return arena_alloc(n);
	if (n == 0) {
		arena_free(ptr);
		return NULL;
	}
	size_t have = arena_block_size(ptr);

	if (have == 0) {
		stats.foreign++;
		return NULL;
	}
	if (n <= have)
		return ptr;
	void *nb = arena_alloc(n);

	if (!nb)
		return NULL;
	memcpy(nb, ptr, have);
	arena_free(ptr);
	return nb;
}
