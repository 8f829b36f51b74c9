/* Pool types. See lib/pool.h for the functions and DESIGN.md section 3. */
#ifndef TERN_LIB_POOL_T_H
#define TERN_LIB_POOL_T_H

#include <stddef.h>
#include <stdint.h>

/* A reference to a pooled object that survives the object: after the block
 * is freed (and even after it is reused) pool_get() returns NULL for it.
 * gen is odd while the block is allocated, so the all-zero handle is never
 * valid and serves as "no object". */
typedef struct pool_handle {
	uint32_t idx;
	uint32_t gen;
} pool_handle_t;

#define POOL_HANDLE_NONE ((pool_handle_t){0, 0})

struct pool_stats {
	const char *name;
	uint32_t elem_size;   /* bytes per block as stored (rounded up) */
	uint32_t capacity;
	uint32_t in_use;
	uint32_t high_water;  /* largest in_use since init / stats reset */
	uint32_t failures;    /* allocations refused: exhausted or injected */
	uint32_t stale;       /* pool_get() calls with a stale handle */
	uint32_t bad_frees;   /* frees of a block not allocated (double free) */
	uint32_t corrupt;     /* blocks written to while free: poison broken */
};

/* Descriptor of one pool. Instances come from lib/pool_list.h; only
 * lib/pool.c touches the fields. */
struct pool {
	struct pool_stats st;
	uint8_t *base;      /* capacity blocks of st.elem_size bytes */
	uint32_t *gen;      /* per block: generation, odd while allocated */
	uint32_t *next;     /* per block: free-list link (index or POOL_NIL) */
	uint32_t free_head;
	uint32_t obj_size;  /* sizeof(type) as declared */
};

#endif
