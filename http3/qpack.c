/* http3/qpack: the wire primitives, the static and dynamic tables and
 * the decoder of RFC 9204 (see qpack.h). The encoder is qpack_enc.c. */
#include <string.h>

#include "http3/qpack-internal.h"

#define DF  QPACK_DECOMPRESSION_FAILED
#define ESE QPACK_ENCODER_STREAM_ERROR

/* ---------------------------------------------------------------- integers */

size_t qpack_int_len(unsigned n, uint64_t v)
{
	uint64_t mask = (UINT64_C(1) << n) - 1;
	size_t len = 1;

	if (v < mask)
		return 1;
	for (v -= mask; v >= 0x80; v >>= 7)
		len++;
	return len + 1;
}

void qpack_put_int(struct buf_writer *w, uint8_t first, unsigned n, uint64_t v)
{
	uint8_t mask = (uint8_t)((1u << n) - 1);
	size_t len = qpack_int_len(n, v);
	uint8_t *p = buf_put_space(w, len);

	if (!p)
		return;
	first &= (uint8_t)~mask;
	if (v < mask) {
		*p = first | (uint8_t)v;
		return;
	}
	*p++ = first | mask;
	for (v -= mask; v >= 0x80; v >>= 7)
		*p++ = (uint8_t)(v | 0x80);
	*p = (uint8_t)v;
}

int qpack_int_step(struct qpack_int_state *s, uint8_t b)
{
	uint64_t add = b & 0x7f;

	/* RFC 9204 4.1.1 asks for 62 bits: nine 7-bit groups cover any
	 * value up to there after the largest prefix; a tenth group, or a
	 * group that takes the value past 2^62 - 1, is refused (7.4) */
	if (s->shift > 56 || add > QPACK_INT_MAX >> s->shift)
		return QPACK_INT_OVERFLOW;
	s->v += add << s->shift;
	if (s->v > QPACK_INT_MAX)
		return QPACK_INT_OVERFLOW;
	s->shift += 7;
	return !(b & 0x80);
}

int qpack_get_int(struct buf_reader *r, unsigned n, uint64_t *v)
{
	struct qpack_int_state s;
	int ret;

	if (r->err || !buf_left(r)) {
		r->err = true;
		return QPACK_INT_TRUNCATED;
	}
	ret = qpack_int_start(&s, *r->p++, n);
	while (!ret) {
		if (!buf_left(r)) {
			r->err = true;
			return QPACK_INT_TRUNCATED;
		}
		ret = qpack_int_step(&s, *r->p++);
		if (ret < 0) {
			r->err = true;
			return ret;
		}
	}
	*v = s.v;
	return QPACK_OK;
}

/* ---------------------------------------------------------------- strings */

size_t qpack_string_len(unsigned n, size_t len, size_t huffman_len, bool huffman)
{
	size_t l = huffman ? huffman_len : len;

	return qpack_int_len(n - 1, l) + l;
}

void qpack_put_string(struct buf_writer *w, uint8_t first, unsigned n, const uint8_t *s,
		      size_t len, bool huffman)
{
	uint8_t hbit = (uint8_t)(1u << (n - 1));
	size_t hlen = huffman ? qpack_huff_encoded_len(s, len) : len;
	uint8_t *p;

	if (w->err || buf_room(w) < qpack_string_len(n, len, hlen, huffman)) {
		w->err = true;
		return;
	}
	first = (uint8_t)((first & ~(hbit | (hbit - 1))) | (huffman ? hbit : 0));
	qpack_put_int(w, first, n - 1, hlen);
	p = buf_put_space(w, hlen);
	if (huffman)
		qpack_huff_encode(s, len, p);
	else if (len)
		memcpy(p, s, len);
}

/* ---------------------------------------------------------------- static table */

struct qpack_static_entry {
	const char *name, *value;
	uint8_t name_len, value_len;
};

#define S(n, v) { n, v, sizeof(n) - 1, sizeof(v) - 1 }

/* RFC 9204 Appendix A */
static const struct qpack_static_entry qpack_static[QPACK_STATIC_COUNT] = {
	S(":authority", ""),
	S(":path", "/"),
	S("age", "0"),
	S("content-disposition", ""),
	S("content-length", "0"),
	S("cookie", ""),
	S("date", ""),
	S("etag", ""),
	S("if-modified-since", ""),
	S("if-none-match", ""),
	S("last-modified", ""),                                          /* 10 */
	S("link", ""),
	S("location", ""),
	S("referer", ""),
	S("set-cookie", ""),
	S(":method", "CONNECT"),
	S(":method", "DELETE"),
	S(":method", "GET"),
	S(":method", "HEAD"),
	S(":method", "OPTIONS"),
	S(":method", "POST"),                                            /* 20 */
	S(":method", "PUT"),
	S(":scheme", "http"),
	S(":scheme", "https"),
	S(":status", "103"),
	S(":status", "200"),
	S(":status", "304"),
	S(":status", "404"),
	S(":status", "503"),
	S("accept", "*/*"),
	S("accept", "application/dns-message"),                          /* 30 */
	S("accept-encoding", "gzip, deflate, br"),
	S("accept-ranges", "bytes"),
	S("access-control-allow-headers", "cache-control"),
	S("access-control-allow-headers", "content-type"),
	S("access-control-allow-origin", "*"),
	S("cache-control", "max-age=0"),
	S("cache-control", "max-age=2592000"),
	S("cache-control", "max-age=604800"),
	S("cache-control", "no-cache"),
	S("cache-control", "no-store"),                                  /* 40 */
	S("cache-control", "public, max-age=31536000"),
	S("content-encoding", "br"),
	S("content-encoding", "gzip"),
	S("content-type", "application/dns-message"),
	S("content-type", "application/javascript"),
	S("content-type", "application/json"),
	S("content-type", "application/x-www-form-urlencoded"),
	S("content-type", "image/gif"),
	S("content-type", "image/jpeg"),
	S("content-type", "image/png"),                                  /* 50 */
	S("content-type", "text/css"),
	S("content-type", "text/html; charset=utf-8"),
	S("content-type", "text/plain"),
	S("content-type", "text/plain;charset=utf-8"),
	S("range", "bytes=0-"),
	S("strict-transport-security", "max-age=31536000"),
	S("strict-transport-security", "max-age=31536000; includesubdomains"),
	S("strict-transport-security", "max-age=31536000; includesubdomains; preload"),
	S("vary", "accept-encoding"),
	S("vary", "origin"),                                             /* 60 */
	S("x-content-type-options", "nosniff"),
	S("x-xss-protection", "1; mode=block"),
	S(":status", "100"),
	S(":status", "204"),
	S(":status", "206"),
	S(":status", "302"),
	S(":status", "400"),
	S(":status", "403"),
	S(":status", "421"),
	S(":status", "425"),                                             /* 70 */
	S(":status", "500"),
	S("accept-language", ""),
	S("access-control-allow-credentials", "FALSE"),
	S("access-control-allow-credentials", "TRUE"),
	S("access-control-allow-headers", "*"),
	S("access-control-allow-methods", "get"),
	S("access-control-allow-methods", "get, post, options"),
	S("access-control-allow-methods", "options"),
	S("access-control-expose-headers", "content-length"),
	S("access-control-request-headers", "content-type"),             /* 80 */
	S("access-control-request-method", "get"),
	S("access-control-request-method", "post"),
	S("alt-svc", "clear"),
	S("authorization", ""),
	S("content-security-policy", "script-src 'none'; object-src 'none'; base-uri 'none'"),
	S("early-data", "1"),
	S("expect-ct", ""),
	S("forwarded", ""),
	S("if-range", ""),
	S("origin", ""),                                                 /* 90 */
	S("purpose", "prefetch"),
	S("server", ""),
	S("timing-allow-origin", "*"),
	S("upgrade-insecure-requests", "1"),
	S("user-agent", ""),
	S("x-forwarded-for", ""),
	S("x-frame-options", "deny"),
	S("x-frame-options", "sameorigin"),
};

#undef S

bool qpack_static_get(uint64_t idx, struct qpack_field *f)
{
	const struct qpack_static_entry *s;

	if (idx >= QPACK_STATIC_COUNT)
		return false;
	s = &qpack_static[idx];
	f->name = (const uint8_t *)s->name;
	f->name_len = s->name_len;
	f->value = (const uint8_t *)s->value;
	f->value_len = s->value_len;
	f->flags = 0;
	return true;
}

/* A linear scan: 99 entries, most rejected on the name's length or first
 * byte. The encoder does it once per field. */
int qpack_static_find(const uint8_t *name, size_t name_len, const uint8_t *value,
		      size_t value_len, int *name_idx)
{
	*name_idx = -1;
	if (!name_len)
		return -1;
	for (int i = 0; i < QPACK_STATIC_COUNT; i++) {
		const struct qpack_static_entry *s = &qpack_static[i];

		if (s->name_len != name_len || s->name[0] != name[0] ||
		    memcmp(s->name, name, name_len))
			continue;
		if (*name_idx < 0)
			*name_idx = i;
		if (s->value_len == value_len && !memcmp(s->value, value, value_len))
			return i;
	}
	return -1;
}

/* ---------------------------------------------------------------- dynamic table */

void qpack_table_init(struct qpack_table *t)
{
	memset(t, 0, sizeof(*t));
}

void qpack_table_evict_to(struct qpack_table *t, uint32_t limit)
{
	while (t->size > limit && t->dropped < t->inserted) {
		t->size -= qpack_entry_size(qpack_table_entry(t, t->dropped));
		t->dropped++;
	}
}

void qpack_table_set_capacity(struct qpack_table *t, uint32_t capacity)
{
	t->capacity = capacity;
	qpack_table_evict_to(t, capacity);
}

void qpack_table_write(struct qpack_table *t, uint32_t off, const uint8_t *src, size_t n)
{
	size_t first = QPACK_TABLE_BYTES - off;

	if (n <= first) {
		memcpy(t->ring + off, src, n);
	} else {
		memcpy(t->ring + off, src, first);
		memcpy(t->ring, src + first, n - first);
	}
}

void qpack_table_read(const struct qpack_table *t, uint32_t off, uint8_t *dst, size_t n)
{
	size_t first = QPACK_TABLE_BYTES - off;

	if (n <= first) {
		memcpy(dst, t->ring + off, n);
	} else {
		memcpy(dst, t->ring + off, first);
		memcpy(dst + first, t->ring, n - first);
	}
}

void qpack_table_move(struct qpack_table *t, uint32_t dst, uint32_t src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		t->ring[dst] = t->ring[src];
		dst = qpack_ring_add(dst, 1);
		src = qpack_ring_add(src, 1);
	}
}

bool qpack_table_equal(const struct qpack_table *t, uint32_t off, const uint8_t *s, size_t n)
{
	size_t first = QPACK_TABLE_BYTES - off;

	if (n <= first)
		return !memcmp(t->ring + off, s, n);
	return !memcmp(t->ring + off, s, first) && !memcmp(t->ring, s + first, n - first);
}

void qpack_table_commit(struct qpack_table *t, uint32_t name_len, uint32_t value_len)
{
	uint32_t size = name_len + value_len + QPACK_ENTRY_OVERHEAD;
	struct qpack_entry *e;

	/* 3.2.2: evict until the table holds at most capacity - size. The
	 * bytes just written at the head overwrote only entries this evicts:
	 * those left take at most capacity - size - 32 * (count + 1) bytes,
	 * so the free bytes after the head hold the new name and value. */
	qpack_table_evict_to(t, t->capacity - size);
	e = qpack_table_entry(t, t->inserted);
	e->off = (uint16_t)t->head;
	e->name_len = (uint16_t)name_len;
	e->value_len = (uint16_t)value_len;
	t->head = qpack_ring_add(t->head, (uint64_t)name_len + value_len);
	t->size += size;
	t->inserted++;
}

/* ---------------------------------------------------------------- decoder */

void qpack_decoder_init(struct qpack_decoder *d, uint64_t max_capacity, uint32_t max_blocked)
{
	memset(d, 0, sizeof(*d));
	qpack_table_init(&d->t);
	d->max_capacity = (uint32_t)qpack_min(max_capacity, CONFIG_H3_QPACK_TABLE_CAPACITY);
	d->max_blocked = (uint32_t)qpack_min(max_blocked, CONFIG_H3_QPACK_BLOCKED_STREAMS);
	d->max_field_section = CONFIG_H3_MAX_FIELD_SECTION;
}

static int dec_fail(struct qpack_decoder *d, int err)
{
	if (!d->err)
		d->err = err;
	return d->err;
}

/* ------------------------------------------------ the peer's encoder stream */

enum {
	ES_OP,          /* the first byte of an instruction */
	ES_INT,         /* the rest of its integer */
	ES_NAME,        /* a literal name's bytes */
	ES_VALUE_HDR,   /* the value's H flag and length prefix */
	ES_VALUE_LEN,   /* the rest of its length */
	ES_VALUE,       /* the value's bytes */
};

/* Does an entry of name + value bytes (so far) fit in the capacity? */
static bool es_fits(const struct qpack_decoder *d, uint64_t name, uint64_t value)
{
	return name + value + QPACK_ENTRY_OVERHEAD <= d->t.capacity;
}

/* The table entry a relative index on the encoder stream names (3.2.5):
 * NULL when there is none (never inserted, or evicted). */
static struct qpack_entry *es_relative(struct qpack_decoder *d, uint64_t rel)
{
	if (rel >= d->t.inserted - d->t.dropped)
		return NULL;
	return qpack_table_entry(&d->t, d->t.inserted - 1 - rel);
}

/* Where the next decoded byte of the entry being received goes. */
static uint32_t es_wpos(const struct qpack_decoder *d)
{
	return qpack_ring_add(d->t.head, (uint64_t)d->es.name_len + d->es.value_len);
}

static void es_string_start(struct qpack_es_parser *es, uint64_t len, bool huffman, uint8_t state)
{
	es->str_left = len;
	es->huffman = huffman;
	qpack_huff_dec_init(&es->huff);
	es->state = state;
}

static int es_commit(struct qpack_decoder *d)
{
	/* strings were checked as they came, but an empty Huffman one
	 * decodes nothing: the entry's 32 bytes alone may not fit */
	if (!es_fits(d, d->es.name_len, d->es.value_len))
		return ESE;
	qpack_table_commit(&d->t, d->es.name_len, d->es.value_len);
	d->es.state = ES_OP;
	return 0;
}

/* The instruction's first integer is in es->in.v. */
static int es_int_done(struct qpack_decoder *d)
{
	struct qpack_es_parser *es = &d->es;
	struct qpack_table *t = &d->t;
	uint64_t v = es->in.v;
	struct qpack_entry *e;
	struct qpack_field sf;

	es->name_len = es->value_len = 0;
	if (es->op & 0x80) {
		/* Insert with Name Reference (4.3.2): copy the name to the
		 * head first; the entry it comes from may be the one this
		 * insert evicts (3.2.2) */
		if (es->op & 0x40) {
			if (!qpack_static_get(v, &sf) || !es_fits(d, sf.name_len, 0))
				return ESE;
			qpack_table_write(t, t->head, sf.name, sf.name_len);
			es->name_len = (uint32_t)sf.name_len;
		} else {
			e = es_relative(d, v);
			if (!e || !es_fits(d, e->name_len, 0))
				return ESE;
			qpack_table_move(t, t->head, e->off, e->name_len);
			es->name_len = e->name_len;
		}
		es->state = ES_VALUE_HDR;
	} else if (es->op & 0x40) {
		/* Insert with Literal Name (4.3.3): a raw length is checked
		 * now; a Huffman one as it decodes */
		if (!(es->op & 0x20) && !es_fits(d, v, 0))
			return ESE;
		es_string_start(es, v, es->op & 0x20, ES_NAME);
	} else if (es->op & 0x20) {
		/* Set Dynamic Table Capacity (4.3.1) */
		if (v > d->max_capacity)
			return ESE;
		qpack_table_set_capacity(t, (uint32_t)v);
		es->state = ES_OP;
	} else {
		/* Duplicate (4.3.4): a live entry fits the capacity, which
		 * evicts down to it whenever it shrinks */
		e = es_relative(d, v);
		if (!e)
			return ESE;
		qpack_table_move(t, t->head, e->off, (uint64_t)e->name_len + e->value_len);
		es->name_len = e->name_len;
		es->value_len = e->value_len;
		return es_commit(d);
	}
	return 0;
}

static int es_value_len_done(struct qpack_decoder *d)
{
	struct qpack_es_parser *es = &d->es;

	if (!es->huffman && !es_fits(d, es->name_len, es->in.v))
		return ESE;
	es_string_start(es, es->in.v, es->huffman, ES_VALUE);
	return 0;
}

/* The name or value bytes in [*p, end): to the ring after what is
 * already there, Huffman-decoded if so; at the end of the string, on to
 * the value or the commit. */
static int es_string(struct qpack_decoder *d, const uint8_t **p, const uint8_t *end)
{
	struct qpack_es_parser *es = &d->es;
	bool name = es->state == ES_NAME;
	uint32_t *len = name ? &es->name_len : &es->value_len;
	size_t avail = (size_t)(end - *p);
	size_t k = avail < es->str_left ? avail : (size_t)es->str_left;

	if (!es->huffman) {
		/* its whole length was checked against the capacity */
		qpack_table_write(&d->t, es_wpos(d), *p, k);
		*len += (uint32_t)k;
		*p += k;
		es->str_left -= k;
	}
	while (es->huffman && k) {
		/* in pieces of 32 bytes: with the up to 29 bits left from the
		 * piece before, at most 57 symbols each */
		uint8_t sym[QPACK_HUFF_MAX_EXPANSION(32 + 4)];
		size_t chunk = k < 32 ? k : 32, out = 0;

		if (qpack_huff_dec_feed(&es->huff, *p, chunk, sym, sizeof(sym), &out) ||
		    !es_fits(d, es->name_len, (uint64_t)es->value_len + out))
			return ESE;
		qpack_table_write(&d->t, es_wpos(d), sym, out);
		*len += (uint32_t)out;
		*p += chunk;
		es->str_left -= chunk;
		k -= chunk;
	}
	if (es->str_left)
		return 0;
	if (es->huffman && qpack_huff_dec_finish(&es->huff))
		return ESE;
	if (!name)
		return es_commit(d);
	es->state = ES_VALUE_HDR;
	return 0;
}

int qpack_decoder_feed(struct qpack_decoder *d, const uint8_t *p, size_t n)
{
	struct qpack_es_parser *es = &d->es;
	const uint8_t *end = p + n;
	int ret = 0;

	if (d->err)
		return d->err;
	while (p < end && !ret) {
		uint8_t b;

		switch (es->state) {
		case ES_OP:
			b = *p++;
			es->op = b;
			/* '1' 6-bit name index; '01' 5-bit name length; '001'
			 * 5-bit capacity; '000' 5-bit duplicate index */
			es->state = ES_INT;
			if (qpack_int_start(&es->in, b, b & 0x80 ? 6 : 5))
				ret = es_int_done(d);
			break;
		case ES_INT:
			ret = qpack_int_step(&es->in, *p++);
			ret = ret < 0 ? ESE : ret ? es_int_done(d) : 0;
			break;
		case ES_VALUE_HDR:
			b = *p++;
			es->huffman = b & 0x80;
			es->state = ES_VALUE_LEN;
			if (qpack_int_start(&es->in, b, 7))
				ret = es_value_len_done(d);
			break;
		case ES_VALUE_LEN:
			ret = qpack_int_step(&es->in, *p++);
			ret = ret < 0 ? ESE : ret ? es_value_len_done(d) : 0;
			break;
		default:  /* ES_NAME, ES_VALUE */
			ret = es_string(d, &p, end);
			break;
		}
		/* a string may be empty: finish it without waiting for a byte */
		if (!ret && (es->state == ES_NAME || es->state == ES_VALUE) && !es->str_left)
			ret = es_string(d, &p, end);
	}
	return ret ? dec_fail(d, ret) : QPACK_OK;
}

/* ------------------------------------------------ field sections */

/* RFC 9204 4.5.1.1: the Required Insert Count from its encoding. */
static int dec_ric(const struct qpack_decoder *d, uint64_t enc, uint64_t *ric)
{
	uint64_t max_entries = d->max_capacity / QPACK_ENTRY_OVERHEAD;
	uint64_t full = 2 * max_entries, max_value, v;

	*ric = 0;
	if (!enc)
		return 0;
	if (enc > full)
		return DF;
	max_value = d->t.inserted + max_entries;
	v = max_value / full * full + enc - 1;
	if (v > max_value) {
		if (v <= full)
			return DF;
		v -= full;
	}
	if (!v)
		return DF;
	*ric = v;
	return 0;
}

struct dec_ctx {
	struct qpack_decoder *d;
	struct qpack_field_list *out;
	struct buf_reader r;
	uint64_t ric, base;
	uint64_t max_ref;            /* the largest absolute index referenced, + 1 */
	bool full;                   /* too large: check, count, store nothing */
};

/* The dynamic entry with absolute index abs, which the section may
 * reference (2.2.3): below the Required Insert Count, not evicted. */
static const struct qpack_entry *dec_entry(struct dec_ctx *c, uint64_t abs)
{
	struct qpack_table *t = &c->d->t;

	if (abs >= c->ric || abs < t->dropped)
		return NULL;
	if (abs + 1 > c->max_ref)
		c->max_ref = abs + 1;
	return qpack_table_entry(t, abs);
}

/* A relative index (4.5.2, 4.5.4): Base - 1 - rel. */
static const struct qpack_entry *dec_relative(struct dec_ctx *c, uint64_t rel)
{
	return rel < c->base ? dec_entry(c, c->base - 1 - rel) : NULL;
}

/* A post-Base index (4.5.3, 4.5.5): Base + idx (below 2^63 + 2^62: no
 * overflow). */
static const struct qpack_entry *dec_post_base(struct dec_ctx *c, uint64_t idx)
{
	return dec_entry(c, c->base + idx);
}

/* Room for n more bytes in the arena, or NULL (the section is then too
 * large for the caller: only checked from here on). */
static uint8_t *dec_arena(struct dec_ctx *c, size_t n)
{
	struct qpack_field_list *o = c->out;

	if (c->full || !o->arena || o->arena_cap - o->arena_len < n) {
		c->full = true;
		return NULL;
	}
	return o->arena + o->arena_len;
}

/* n bytes of the ring at off into the arena. */
static const uint8_t *dec_copy_ring(struct dec_ctx *c, uint32_t off, size_t n)
{
	uint8_t *dst = dec_arena(c, n);

	if (!dst)
		return NULL;
	qpack_table_read(&c->d->t, off, dst, n);
	c->out->arena_len += n;
	return dst;
}

/* A string literal with an n-bit prefix (its H flag the top bit of the
 * prefix) at the cursor, into the arena (or only checked and measured). */
static int dec_literal(struct dec_ctx *c, unsigned n, const uint8_t **s, size_t *len)
{
	bool huffman = buf_left(&c->r) && (*c->r.p & (1u << (n - 1)));
	struct qpack_field_list *o = c->out;
	const uint8_t *src;
	uint64_t l;
	uint8_t *dst;
	int ret;

	if (qpack_get_int(&c->r, n - 1, &l) || l > buf_left(&c->r))
		return DF;
	src = buf_get_bytes(&c->r, (size_t)l);
	*s = NULL;
	if (!huffman) {
		*len = (size_t)l;
		dst = dec_arena(c, *len);
		if (dst) {
			memcpy(dst, src, *len);
			o->arena_len += *len;
			*s = dst;
		}
		return 0;
	}
	dst = dec_arena(c, 0);
	if (dst) {
		ret = qpack_huff_decode(src, (size_t)l, dst, o->arena_cap - o->arena_len, len);
		if (!ret) {
			o->arena_len += *len;
			*s = dst;
			return 0;
		}
		if (ret != QPACK_HUFF_FULL)
			return DF;
		c->full = true;
	}
	/* no room: decode again only to check it and measure it */
	return qpack_huff_decode(src, (size_t)l, NULL, 0, len) ? DF : 0;
}

/* One decoded field line: count it against the limit, store it. */
static void dec_emit(struct dec_ctx *c, const uint8_t *name, size_t name_len,
		     const uint8_t *value, size_t value_len, uint32_t flags)
{
	struct qpack_field_list *o = c->out;
	struct qpack_field *f;

	o->section_size += (uint64_t)name_len + value_len + QPACK_ENTRY_OVERHEAD;
	if (o->section_size > c->d->max_field_section || o->count >= o->max_fields)
		c->full = true;
	/* every string that found no room in the arena set full */
	if (c->full)
		return;
	f = &o->fields[o->count++];
	f->name = name;
	f->name_len = name_len;
	f->value = value;
	f->value_len = value_len;
	f->flags = flags;
}

/* The name of a static or dynamic entry, for a field line: static names
 * stay in the table, dynamic ones are copied (the entry may be evicted
 * before the caller is done). */
static void dec_entry_name(struct dec_ctx *c, const struct qpack_entry *e,
			   const struct qpack_field *sf, const uint8_t **name, size_t *len)
{
	if (sf) {
		*name = sf->name;
		*len = sf->name_len;
	} else {
		*len = e->name_len;
		*name = dec_copy_ring(c, e->off, e->name_len);
	}
}

static int dec_line(struct dec_ctx *c)
{
	uint8_t b = *c->r.p;
	const struct qpack_entry *e = NULL;
	const uint8_t *name, *value;
	size_t name_len, value_len;
	struct qpack_field sf;
	bool is_static = false;
	uint32_t flags = 0;
	uint64_t idx;

	if (b & 0x80 || (b & 0xf0) == 0x10) {
		/* Indexed Field Line '1T' (4.5.2), post-Base '0001' (4.5.3) */
		if (qpack_get_int(&c->r, b & 0x80 ? 6 : 4, &idx))
			return DF;
		if ((b & 0xc0) == 0xc0) {
			if (!qpack_static_get(idx, &sf))
				return DF;
			dec_emit(c, sf.name, sf.name_len, sf.value, sf.value_len, 0);
			return 0;
		}
		e = b & 0x80 ? dec_relative(c, idx) : dec_post_base(c, idx);
		if (!e)
			return DF;
		name = dec_copy_ring(c, e->off, e->name_len);
		value = dec_copy_ring(c, qpack_ring_add(e->off, e->name_len), e->value_len);
		dec_emit(c, name, e->name_len, value, e->value_len, 0);
		return 0;
	}
	if (b & 0x40) {
		/* Literal Field Line with Name Reference '01NT' (4.5.4) */
		flags = b & 0x20 ? QPACK_FIELD_NEVER_INDEX : 0;
		is_static = b & 0x10;
		if (qpack_get_int(&c->r, 4, &idx))
			return DF;
		if (is_static) {
			if (!qpack_static_get(idx, &sf))
				return DF;
		} else if (!(e = dec_relative(c, idx))) {
			return DF;
		}
	} else if (b & 0x20) {
		/* Literal Field Line with Literal Name '001N' (4.5.6) */
		flags = b & 0x10 ? QPACK_FIELD_NEVER_INDEX : 0;
		if (dec_literal(c, 4, &name, &name_len))
			return DF;
	} else {
		/* Literal Field Line with Post-Base Name Reference '0000N' (4.5.5) */
		flags = b & 0x08 ? QPACK_FIELD_NEVER_INDEX : 0;
		if (qpack_get_int(&c->r, 3, &idx) || !(e = dec_post_base(c, idx)))
			return DF;
	}
	if (e || is_static)
		dec_entry_name(c, e, is_static ? &sf : NULL, &name, &name_len);
	if (dec_literal(c, 8, &value, &value_len))
		return DF;
	dec_emit(c, name, name_len, value, value_len, flags);
	return 0;
}

static struct qpack_blocked *dec_find_blocked(struct qpack_decoder *d, uint64_t stream_id)
{
	for (uint32_t i = 0; i < d->n_blocked; i++)
		if (d->blocked[i].stream_id == stream_id)
			return &d->blocked[i];
	return NULL;
}

/* A place for one more blocked stream, or NULL when max_blocked streams
 * are blocked already. Only streams whose entries have not all arrived
 * count: one whose Required Insert Count has been reached is unblocked
 * (2.2.1) even before the caller decodes it again, and the peer's
 * encoder, told so by our Insert Count Increment, counts it no more.
 * Its place is reused if needed: qpack_decoder_unblocked() has listed
 * it since the feed that unblocked it. */
static struct qpack_blocked *dec_add_blocked(struct qpack_decoder *d)
{
	struct qpack_blocked *reuse = NULL;
	uint32_t blocked = 0;

	for (uint32_t i = 0; i < d->n_blocked; i++) {
		if (d->blocked[i].ric > d->t.inserted)
			blocked++;
		else
			reuse = &d->blocked[i];
	}
	if (blocked >= d->max_blocked)
		return NULL;
	return d->n_blocked < d->max_blocked ? &d->blocked[d->n_blocked++] : reuse;
}

static void dec_unblock(struct qpack_decoder *d, uint64_t stream_id)
{
	struct qpack_blocked *b = dec_find_blocked(d, stream_id);

	if (b)
		*b = d->blocked[--d->n_blocked];
}

static void dec_pend(struct qpack_decoder *d, uint64_t stream_id, uint64_t ric)
{
	struct qpack_pending *p = &d->pend[(d->pend_head + d->pend_n) % QPACK_DECODER_PENDING];

	p->stream_id = stream_id;
	p->ric = ric;
	d->pend_n++;
}

int qpack_decode(struct qpack_decoder *d, uint64_t stream_id, const uint8_t *p, size_t n,
		 struct qpack_field_list *out)
{
	struct dec_ctx c = { .d = d, .out = out };
	uint64_t enc_ric, delta;
	struct qpack_blocked *b;
	bool sign;

	if (d->err)
		return d->err;
	out->count = 0;
	out->arena_len = 0;
	out->section_size = 0;
	buf_reader_init(&c.r, p, n);

	/* the prefix (4.5.1) */
	if (qpack_get_int(&c.r, 8, &enc_ric) || !buf_left(&c.r))
		return dec_fail(d, DF);
	sign = *c.r.p & 0x80;
	if (qpack_get_int(&c.r, 7, &delta) || dec_ric(d, enc_ric, &c.ric))
		return dec_fail(d, DF);
	if (sign) {
		/* 4.5.1.2: a negative Base is invalid */
		if (delta >= c.ric)
			return dec_fail(d, DF);
		c.base = c.ric - delta - 1;
	} else {
		c.base = c.ric + delta;
	}

	/* blocked (2.2.1): one more stream than we advertised is an error */
	if (c.ric > d->t.inserted) {
		b = dec_find_blocked(d, stream_id);
		if (!b)
			b = dec_add_blocked(d);
		if (!b)
			return dec_fail(d, DF);
		b->stream_id = stream_id;
		b->ric = c.ric;
		return QPACK_BLOCKED;
	}
	if (c.ric && d->pend_n == QPACK_DECODER_PENDING)
		return QPACK_NO_BUFFER;

	while (buf_left(&c.r))
		if (dec_line(&c))
			return dec_fail(d, DF);
	/* 2.2.1: a Required Insert Count larger than the section needed
	 * (no reference to entry ric - 1) could not come from a conformant
	 * encoder; we treat it as the error it MAY be */
	if (c.max_ref != c.ric)
		return dec_fail(d, DF);

	dec_unblock(d, stream_id);
	if (c.ric)
		dec_pend(d, stream_id, c.ric);
	return c.full ? QPACK_TOO_LARGE : QPACK_OK;
}

size_t qpack_decoder_unblocked(const struct qpack_decoder *d, uint64_t *ids, size_t max)
{
	size_t n = 0;

	for (uint32_t i = 0; i < d->n_blocked && n < max; i++)
		if (d->blocked[i].ric <= d->t.inserted)
			ids[n++] = d->blocked[i].stream_id;
	return n;
}

int qpack_decoder_cancel_stream(struct qpack_decoder *d, uint64_t stream_id)
{
	if (d->err)
		return d->err;
	/* 2.2.2.2: a decoder with no dynamic table MAY omit it: the
	 * encoder cannot have references to release */
	if (!d->max_capacity) {
		dec_unblock(d, stream_id);
		return QPACK_OK;
	}
	if (d->pend_n == QPACK_DECODER_PENDING)
		return QPACK_NO_BUFFER;
	dec_unblock(d, stream_id);
	dec_pend(d, stream_id, 0);
	return QPACK_OK;
}

bool qpack_decoder_has_output(const struct qpack_decoder *d)
{
	return d->pend_n || d->t.inserted > d->known_received;
}

size_t qpack_decoder_write(struct qpack_decoder *d, struct buf_writer *w)
{
	size_t start = buf_written(w);

	if (w->err)
		return 0;
	while (d->pend_n) {
		struct qpack_pending *p = &d->pend[d->pend_head];

		if (buf_room(w) < qpack_int_len(p->ric ? 7 : 6, p->stream_id))
			return buf_written(w) - start;
		if (p->ric) {
			/* Section Acknowledgment (4.4.1): the encoder's Known
			 * Received Count rises to the section's (2.1.4) */
			qpack_put_int(w, 0x80, 7, p->stream_id);
			if (p->ric > d->known_received)
				d->known_received = p->ric;
		} else {
			qpack_put_int(w, 0x40, 6, p->stream_id);  /* Stream Cancellation (4.4.2) */
		}
		d->pend_head = (d->pend_head + 1) % QPACK_DECODER_PENDING;
		d->pend_n--;
	}
	/* Insert Count Increment (4.4.3) for what no acknowledgment covered */
	if (d->t.inserted > d->known_received) {
		uint64_t inc = d->t.inserted - d->known_received;

		if (buf_room(w) >= qpack_int_len(6, inc)) {
			qpack_put_int(w, 0x00, 6, inc);
			d->known_received = d->t.inserted;
		}
	}
	return buf_written(w) - start;
}
