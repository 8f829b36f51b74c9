/* http3/qpack-internal.h: what http3/qpack.c (primitives, tables,
 * decoder) shares with http3/qpack_enc.c (encoder). Not an API. */
#ifndef TERN_HTTP3_QPACK_INTERNAL_H
#define TERN_HTTP3_QPACK_INTERNAL_H

#include "http3/qpack.h"

BUILD_ASSERT(CONFIG_H3_QPACK_TABLE_CAPACITY <= 32768,
	     "struct qpack_entry keeps ring offsets and lengths in 16 bits");

static inline struct qpack_entry *qpack_table_entry(struct qpack_table *t, uint64_t abs)
{
	return &t->e[abs % QPACK_TABLE_SLOTS];
}

static inline const struct qpack_entry *qpack_table_centry(const struct qpack_table *t,
							     uint64_t abs)
{
	return &t->e[abs % QPACK_TABLE_SLOTS];
}

static inline uint32_t qpack_entry_size(const struct qpack_entry *e)
{
	return (uint32_t)e->name_len + e->value_len + QPACK_ENTRY_OVERHEAD;
}

static inline uint32_t qpack_ring_add(uint32_t off, uint64_t n)
{
	return (uint32_t)((off + n) % QPACK_TABLE_BYTES);
}

/* A function, not a macro: with a configured limit of 0, "v < 0" would
 * trip -Wtype-limits. */
static inline uint64_t qpack_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

void qpack_table_init(struct qpack_table *t);
/* Evict the oldest entries until the size is at most limit. */
void qpack_table_evict_to(struct qpack_table *t, uint32_t limit);
/* Set the capacity (at most QPACK_TABLE_BYTES), evicting as needed. */
void qpack_table_set_capacity(struct qpack_table *t, uint32_t capacity);
/* n bytes into / out of the ring at off, wrapping at its end. */
void qpack_table_write(struct qpack_table *t, uint32_t off, const uint8_t *src, size_t n);
void qpack_table_read(const struct qpack_table *t, uint32_t off, uint8_t *dst, size_t n);
/* Copy n ring bytes from src to dst, byte by byte forward: safe when dst
 * comes first going round the ring from dst (the bytes of a new entry
 * overwriting the old entry they copy from, which they never overtake). */
void qpack_table_move(struct qpack_table *t, uint32_t dst, uint32_t src, size_t n);
/* Do the n ring bytes at off equal s? */
bool qpack_table_equal(const struct qpack_table *t, uint32_t off, const uint8_t *s, size_t n);
/* The new entry's name and value (name_len + value_len + 32 at most the
 * capacity) are at the head: evict what it needs (3.2.2), add it. */
void qpack_table_commit(struct qpack_table *t, uint32_t name_len, uint32_t value_len);

/* One byte after the prefix of a prefixed integer: 1 when it was the
 * last, 0 when more follow, QPACK_INT_OVERFLOW past QPACK_INT_MAX or 9
 * continuation bytes. */
int qpack_int_step(struct qpack_int_state *s, uint8_t b);

/* The prefix byte b of an integer with an n-bit prefix: 1 when the
 * integer is complete in it, 0 when continuation bytes follow. */
static inline int qpack_int_start(struct qpack_int_state *s, uint8_t b, unsigned n)
{
	uint8_t mask = (uint8_t)((1u << n) - 1);

	s->v = b & mask;
	s->shift = 0;
	return s->v < mask;
}

/* The bytes qpack_put_string would write. */
size_t qpack_string_len(unsigned n, size_t len, size_t huffman_len, bool huffman);

#endif
