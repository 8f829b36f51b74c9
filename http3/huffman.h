/* http3/huffman: the static Huffman code of HPACK (RFC 7541 5.2 and
 * Appendix B), which QPACK string literals use unchanged (RFC 9204 4.1.2).
 *
 * Encoding pads the last byte with the most significant bits of EOS (all
 * ones). Decoding is incremental: a string may arrive in pieces (the
 * QPACK encoder stream splits anywhere), so the decoder keeps the bits of
 * an unfinished code between calls, never more than 37. It refuses what
 * 5.2 says a decoder MUST treat as an error: the EOS symbol, padding
 * longer than 7 bits and padding that is not a prefix of EOS.
 *
 *   struct qpack_huff_dec h;
 *   qpack_huff_dec_init(&h);
 *   qpack_huff_dec_feed(&h, piece, n, out, cap, &out_len);   any number of times
 *   qpack_huff_dec_finish(&h);                                at the end of the string
 *
 * or qpack_huff_decode() for a whole string at once.
 */
#ifndef TERN_HTTP3_HUFFMAN_H
#define TERN_HTTP3_HUFFMAN_H

#include <stddef.h>
#include <stdint.h>

/* Results of the decoder (0 is success). */
#define QPACK_HUFF_INVALID (-1)  /* EOS, or bad padding at the end */
#define QPACK_HUFF_FULL    (-2)  /* the output did not fit in cap */

/* The longest code, and the most any byte can decode to (5-bit codes). */
#define QPACK_HUFF_MAX_BITS 30
#define QPACK_HUFF_MAX_EXPANSION(n) (((size_t)(n) * 8 + 4) / 5)

struct qpack_huff_dec {
	uint64_t acc;    /* the last nbits bits received, not yet decoded */
	uint32_t nbits;
};

/* Bytes the Huffman encoding of s[0..n) takes. */
size_t qpack_huff_encoded_len(const uint8_t *s, size_t n);

/* Encode s[0..n) into out, which has room for qpack_huff_encoded_len()
 * bytes. Returns that length. */
size_t qpack_huff_encode(const uint8_t *s, size_t n, uint8_t *out);

static inline void qpack_huff_dec_init(struct qpack_huff_dec *h)
{
	h->acc = 0;
	h->nbits = 0;
}

/* Decode the next n bytes of a string, appending the symbols they
 * complete to out[*out_len..cap). out may be NULL: symbols are then
 * counted in *out_len and checked, not stored (cap is ignored).
 * 0, QPACK_HUFF_INVALID on EOS, QPACK_HUFF_FULL when out is full (out
 * then holds the first cap bytes; the decoder state is undefined). */
int qpack_huff_dec_feed(struct qpack_huff_dec *h, const uint8_t *in, size_t n, uint8_t *out,
			size_t cap, size_t *out_len);

/* The string ended: what is left must be padding (at most 7 bits, all
 * ones). 0 or QPACK_HUFF_INVALID. */
int qpack_huff_dec_finish(const struct qpack_huff_dec *h);

/* Decode a whole string: init, feed, finish. On success returns 0 with
 * the decoded length in *out_len. */
int qpack_huff_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

/* The code of symbol sym (0..256, 256 = EOS), right-aligned in *code,
 * and its length in bits. For tests: the table as transcribed. */
void qpack_huff_code(unsigned sym, uint32_t *code, unsigned *len);

#endif
