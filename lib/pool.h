/* lib/pool: fixed-size block pools in .bss, declared once in
 * lib/pool_list.h (DESIGN.md section 3; lwIP's memp is the model).
 *
 *   void *c = pool_alloc(&pool_chunk);      NULL when exhausted (counted)
 *   pool_handle_t h = pool_handle(&pool_chunk, c);
 *   pool_free(&pool_chunk, c);
 *   pool_get(&pool_chunk, h) == NULL        stale handle (counted)
 *
 * Exhaustion is a normal result, never a crash. With CONFIG_DEBUG_POOL_POISON
 * freed blocks are filled with POOL_POISON_FREE and checked when handed out
 * again; under SAN=1 freed blocks are also ASan-poisoned. With
 * CONFIG_FAULT_INJECTION, pool_fault_arm(n) makes the n-th allocation from
 * now fail, whichever pool it is from.
 */
#ifndef TERN_LIB_POOL_H
#define TERN_LIB_POOL_H

#include <stdbool.h>
#include "lib/pool-t.h"
#include "lib/pool_list.h"

#define POOL_POISON_FREE  0xDB   /* fill of a freed block */
#define POOL_POISON_ALLOC 0xA5   /* fill of a block just handed out (poison builds) */

enum pool_id {
#define POOL_ENUM(name, type, count) POOL_ID_##name,
	TERN_POOLS(POOL_ENUM)
#undef POOL_ENUM
	POOL_ID_COUNT
};

#define POOL_EXTERN(name, type, count) extern struct pool pool_##name;
TERN_POOLS(POOL_EXTERN)
#undef POOL_EXTERN

/* All pools, indexed by enum pool_id. */
extern struct pool *const pool_all[POOL_ID_COUNT];

/* Build every free list and clear every counter. Call once at start (and
 * from test setup). Every block must be free. */
void pool_init_all(void);

void *pool_alloc(struct pool *p);
void *pool_zalloc(struct pool *p);
/* Frees obj. A pointer that is not an allocated block of p (double free,
 * foreign pointer) is counted in bad_frees and otherwise ignored. */
void pool_free(struct pool *p, void *obj);

pool_handle_t pool_handle(const struct pool *p, const void *obj);
/* The object h refers to, or NULL when h is stale or none (counted). */
void *pool_get(struct pool *p, pool_handle_t h);
/* Does h name a live block? (for audits: not counted as a stale use) */
bool pool_handle_live(const struct pool *p, pool_handle_t h);
static inline bool pool_handle_is_none(pool_handle_t h) { return h.gen == 0; }

/* Is ptr inside p's storage (any block, allocated or not)? */
bool pool_contains(const struct pool *p, const void *ptr);
/* Index of the block holding obj (obj must be inside p). */
uint32_t pool_index(const struct pool *p, const void *obj);

static inline const struct pool_stats *pool_stats_of(const struct pool *p) { return &p->st; }
/* Sum of in_use over all pools; 0 when nothing is allocated. */
uint32_t pool_total_in_use(void);
/* Total static bytes of all pools (blocks and metadata). */
size_t pool_total_bytes(void);

/* Writes one header line and one line per pool, each NUL-terminated and
 * without newline, through emit(). Every board prints it its own way. */
void pool_stats_format(void (*emit)(void *ctx, const char *line), void *ctx);

/* Fault injection: the n-th allocation from now (1 = the next) fails, once.
 * n = 0 disarms. Without CONFIG_FAULT_INJECTION these do nothing and
 * pool_fault_fired() is always false. */
void pool_fault_arm(uint32_t n);
bool pool_fault_fired(void);
/* Injected failures since pool_init_all(): lets a caller that tries
 * several pools tell an injected failure from plain exhaustion. */
uint32_t pool_fault_count(void);

#endif
