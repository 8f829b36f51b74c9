/* quic/reasm: in-order delivery of CRYPTO data (RFC 9000 19.6, 7.5) in a
 * fixed buffer the caller owns. Frames may arrive in any order, overlap
 * or repeat; the bytes from base on that have arrived contiguously can
 * be read (peek) and released (consume). Data beyond base + cap is
 * refused: the caller closes with CRYPTO_BUFFER_EXCEEDED (RFC 9000 7.5
 * asks for at least 4096 bytes of buffer). Only a few gaps are tracked;
 * a frame that would open one more is dropped and comes back when the
 * peer retransmits it.
 */
#ifndef TERN_QUIC_REASM_H
#define TERN_QUIC_REASM_H

#include <stddef.h>
#include <stdint.h>

#define QUIC_REASM_RANGES 8

enum quic_reasm_result {
	QUIC_REASM_OK = 0,        /* stored (or already had it all) */
	QUIC_REASM_EXCEEDED = -1, /* beyond the buffer: CRYPTO_BUFFER_EXCEEDED */
	QUIC_REASM_DROPPED = -2,  /* too many gaps: not stored, not an error */
};

struct quic_reasm {
	uint8_t *buf;
	uint32_t cap;
	uint64_t base;   /* stream offset of buf[0]; all below was consumed */
	uint8_t n;       /* ranges in use */
	struct { uint32_t lo, hi; } r[QUIC_REASM_RANGES];  /* [lo, hi) from base, sorted */
};

void quic_reasm_init(struct quic_reasm *q, uint8_t *buf, uint32_t cap);
enum quic_reasm_result quic_reasm_add(struct quic_reasm *q, uint64_t off, const uint8_t *data,
				      size_t len);
/* The contiguous bytes at base: *p and the count (0 if none yet). */
size_t quic_reasm_peek(const struct quic_reasm *q, const uint8_t **p);
/* Release n (<= what peek returned) bytes at base. */
void quic_reasm_consume(struct quic_reasm *q, size_t n);

#endif
