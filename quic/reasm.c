/* quic/reasm: see quic/reasm.h. Ranges are kept relative to base, sorted
 * and merged, so peek is the first range when it starts at 0. */
#include <string.h>

#include "quic/reasm.h"

void quic_reasm_init(struct quic_reasm *q, uint8_t *buf, uint32_t cap)
{
	memset(q, 0, sizeof(*q));
	q->buf = buf;
	q->cap = cap;
}

enum quic_reasm_result quic_reasm_add(struct quic_reasm *q, uint64_t off, const uint8_t *data,
				      size_t len)
{
	uint64_t end = off + len;
	uint32_t lo, hi;
	int i, j;

	if (end < off)
		return QUIC_REASM_EXCEEDED;
	if (end <= q->base || !len)
		return QUIC_REASM_OK;      /* all consumed already */
	if (end - q->base > q->cap)
		return QUIC_REASM_EXCEEDED;
	if (off < q->base) {               /* the part below base was consumed */
		data += q->base - off;
		off = q->base;
	}
	lo = (uint32_t)(off - q->base);
	hi = (uint32_t)(end - q->base);
	/* first range that ends at or after lo, then every range it touches */
	for (i = 0; i < q->n && q->r[i].hi < lo; i++)
		;
	for (j = i; j < q->n && q->r[j].lo <= hi; j++)
		;
	if (i == j && q->n == QUIC_REASM_RANGES)
		return QUIC_REASM_DROPPED;  /* would be a new, separate range */
	memcpy(q->buf + lo, data, hi - lo);
	if (i < j) {                        /* merge ranges i..j-1 into one */
		if (q->r[i].lo < lo)
			lo = q->r[i].lo;
		if (q->r[j - 1].hi > hi)
			hi = q->r[j - 1].hi;
		memmove(&q->r[i + 1], &q->r[j], (size_t)(q->n - j) * sizeof(q->r[0]));
		q->n = (uint8_t)(q->n - (j - i - 1));
	} else {                            /* insert at i */
		memmove(&q->r[i + 1], &q->r[i], (size_t)(q->n - i) * sizeof(q->r[0]));
		q->n++;
	}
	q->r[i].lo = lo;
	q->r[i].hi = hi;
	return QUIC_REASM_OK;
}

size_t quic_reasm_peek(const struct quic_reasm *q, const uint8_t **p)
{
	*p = q->buf;
	return q->n && q->r[0].lo == 0 ? q->r[0].hi : 0;
}

void quic_reasm_consume(struct quic_reasm *q, size_t n)
{
	uint32_t used;

	if (!n || !q->n || q->r[0].lo != 0 || n > q->r[0].hi)
		return;
	/* shift what is buffered down to the new base */
	used = q->r[q->n - 1].hi;
	memmove(q->buf, q->buf + n, used - n);
	q->base += n;
	for (int i = 0; i < q->n; i++) {
		q->r[i].lo = q->r[i].lo > n ? q->r[i].lo - (uint32_t)n : 0;
		q->r[i].hi -= (uint32_t)n;
	}
	if (q->r[0].hi == 0) {
		memmove(&q->r[0], &q->r[1], (size_t)(q->n - 1) * sizeof(q->r[0]));
		q->n--;
	}
}
