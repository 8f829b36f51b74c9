/* lib/buf: bounded byte cursors for parsing and building wire formats,
 * with QUIC variable-length integers (RFC 9000 section 16).
 *
 * Errors are sticky: a read past the end (or a write past the end of the
 * buffer) sets err, returns 0 / NULL and leaves the cursor where it was,
 * and every later call fails the same way. A parser reads field after
 * field and checks err once, at the end or where it must decide:
 *
 *   struct buf_reader r;
 *   buf_reader_init(&r, pkt, len);
 *   uint64_t type = buf_get_varint(&r);
 *   const uint8_t *cid = buf_get_bytes(&r, buf_get_u8(&r));
 *   if (r.err) return -1;
 *
 * Everything is inline and allocation free; big-endian ("network order")
 * throughout, as in every QUIC, TLS and HTTP/3 encoding.
 */
#ifndef TERN_LIB_BUF_H
#define TERN_LIB_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The largest QUIC varint: 2^62 - 1. */
#define BUF_VARINT_MAX ((UINT64_C(1) << 62) - 1)

struct buf_reader {
	const uint8_t *p, *end;
	bool err;
};

struct buf_writer {
	uint8_t *start, *p, *end;
	bool err;
};

static inline void buf_reader_init(struct buf_reader *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->end = p ? p + len : p;
	r->err = false;
}

static inline size_t buf_left(const struct buf_reader *r)
{
	return (size_t)(r->end - r->p);
}

/* n bytes in place (NULL and err if fewer are left; a valid pointer,
 * possibly to the end, for n == 0). */
static inline const uint8_t *buf_get_bytes(struct buf_reader *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->err || n > buf_left(r)) {
		r->err = true;
		return NULL;
	}
	r->p += n;
	return p;
}

static inline bool buf_skip(struct buf_reader *r, size_t n)
{
	return buf_get_bytes(r, n) != NULL;
}

/* Copy n bytes out (zeros and err if fewer are left). */
static inline void buf_get_copy(struct buf_reader *r, void *out, size_t n)
{
	const uint8_t *p = buf_get_bytes(r, n);

	if (p)
		memcpy(out, p, n);
	else if (n)
		memset(out, 0, n);
}

/* An unsigned big-endian integer of n (1..8) bytes. */
static inline uint64_t buf_get_uint(struct buf_reader *r, size_t n)
{
	const uint8_t *p = buf_get_bytes(r, n);
	uint64_t v = 0;

	if (!p)
		return 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static inline uint8_t buf_get_u8(struct buf_reader *r)
{
	return (uint8_t)buf_get_uint(r, 1);
}

static inline uint16_t buf_get_u16(struct buf_reader *r)
{
	return (uint16_t)buf_get_uint(r, 2);
}

static inline uint32_t buf_get_u32(struct buf_reader *r)
{
	return (uint32_t)buf_get_uint(r, 4);
}

/* The length in bytes (1, 2, 4, 8) of the varint starting with byte b. */
static inline size_t buf_varint_len_of(uint8_t b)
{
	return (size_t)1 << (b >> 6);
}

/* A QUIC varint. Any of the four encodings of a value is accepted (RFC
 * 9000 16: the shortest is not required, except where a caller says so;
 * see buf_get_varint_min). */
static inline uint64_t buf_get_varint(struct buf_reader *r)
{
	size_t n;
	uint64_t v;

	if (r->err || !buf_left(r)) {
		r->err = true;
		return 0;
	}
	n = buf_varint_len_of(r->p[0]);
	v = buf_get_uint(r, n);
	return v & (n == 8 ? BUF_VARINT_MAX : (UINT64_C(1) << (8 * n - 2)) - 1);
}

/* The bytes the shortest encoding of v takes (1, 2, 4, 8); 0 if v is
 * above BUF_VARINT_MAX. */
static inline size_t buf_varint_len(uint64_t v)
{
	if (v < 64)
		return 1;
	if (v < 16384)
		return 2;
	if (v < (UINT64_C(1) << 30))
		return 4;
	if (v <= BUF_VARINT_MAX)
		return 8;
	return 0;
}

/* ---------------------------------------------------------------- writer */

static inline void buf_writer_init(struct buf_writer *w, uint8_t *p, size_t cap)
{
	w->start = w->p = p;
	w->end = p ? p + cap : p;
	w->err = false;
}

static inline size_t buf_written(const struct buf_writer *w)
{
	return (size_t)(w->p - w->start);
}

static inline size_t buf_room(const struct buf_writer *w)
{
	return (size_t)(w->end - w->p);
}

/* n bytes of room reserved and returned (NULL and err if there is not). */
static inline uint8_t *buf_put_space(struct buf_writer *w, size_t n)
{
	uint8_t *p = w->p;

	if (w->err || n > buf_room(w)) {
		w->err = true;
		return NULL;
	}
	w->p += n;
	return p;
}

static inline void buf_put_bytes(struct buf_writer *w, const void *src, size_t n)
{
	uint8_t *p = buf_put_space(w, n);

	if (p && n)
		memcpy(p, src, n);
}

static inline void buf_put_uint(struct buf_writer *w, uint64_t v, size_t n)
{
	uint8_t *p = buf_put_space(w, n);

	if (!p)
		return;
	for (size_t i = n; i-- > 0; v >>= 8)
		p[i] = (uint8_t)v;
}

static inline void buf_put_u8(struct buf_writer *w, uint8_t v)
{
	buf_put_uint(w, v, 1);
}

static inline void buf_put_u16(struct buf_writer *w, uint16_t v)
{
	buf_put_uint(w, v, 2);
}

static inline void buf_put_u32(struct buf_writer *w, uint32_t v)
{
	buf_put_uint(w, v, 4);
}

/* v as a varint of exactly n bytes (1, 2, 4 or 8; for length fields
 * written before their value is known). err if v does not fit. */
static inline void buf_put_varint_n(struct buf_writer *w, uint64_t v, size_t n)
{
	static const uint8_t prefix[9] = { [1] = 0x00, [2] = 0x40, [4] = 0x80, [8] = 0xc0 };

	if ((n != 1 && n != 2 && n != 4 && n != 8) || buf_varint_len(v) == 0 ||
	    buf_varint_len(v) > n) {
		w->err = true;
		return;
	}
	buf_put_uint(w, v | (uint64_t)prefix[n] << (8 * n - 8), n);
}

/* v as the shortest varint. err if v > BUF_VARINT_MAX. */
static inline void buf_put_varint(struct buf_writer *w, uint64_t v)
{
	size_t n = buf_varint_len(v);

	if (!n) {
		w->err = true;
		return;
	}
	buf_put_varint_n(w, v, n);
}

#endif
