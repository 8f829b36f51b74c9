/* lib/arena: malloc-shaped allocation for libraries that need it (wolfSSL,
 * through XMALLOC_USER), served from the size-class pools tls_* in
 * lib/pool_list.h. A request takes the smallest class it fits; if that
 * class is empty, the next larger one. No system heap, no headers in the
 * blocks: the class of a pointer is found from the pool it lies in. */
#ifndef TERN_LIB_ARENA_H
#define TERN_LIB_ARENA_H

#include <stddef.h>
#include <stdint.h>

void *arena_alloc(size_t n);
void arena_free(void *ptr);
/* realloc semantics: NULL ptr allocates, n == 0 frees and returns NULL;
 * on failure the old block is left untouched and NULL is returned. */
void *arena_realloc(void *ptr, size_t n);
/* Usable size of an arena block (0 if ptr is not one). */
size_t arena_block_size(const void *ptr);

struct arena_stats {
	uint32_t too_big;    /* requests larger than the largest class */
	uint32_t failed;     /* requests no class could serve */
	uint32_t spilled;    /* served from a larger class than the best fit */
	uint32_t foreign;    /* frees of pointers that are not arena blocks */
	size_t bytes_high;   /* largest arena_bytes_in_use() seen at an allocation */
};
const struct arena_stats *arena_stats(void);
void arena_stats_reset(void);
/* Sum of the block sizes handed out now. */
size_t arena_bytes_in_use(void);

#endif
