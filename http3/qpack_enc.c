/* http3/qpack_enc: the QPACK encoder (RFC 9204; see qpack.h).
 *
 * Single pass (Appendix C): Base is the Insert Count when the section
 * starts; entries inserted while encoding it are referenced post-Base,
 * and the prefix is written last, in front of the field lines.
 *
 * What the encoder keeps to stay safe (2.1.1, 2.1.2): the Known Received
 * Count, and for every section with dynamic references not acknowledged
 * yet its stream, Required Insert Count and smallest reference. Entries
 * are evicted oldest first, so an entry may go only when it is below the
 * Known Received Count and below every such section's smallest reference
 * (and the current section's): no reference count per entry is needed.
 */
#include <string.h>

#include "http3/qpack-internal.h"

#define DSE QPACK_DECODER_STREAM_ERROR

void qpack_encoder_init(struct qpack_encoder *e)
{
	memset(e, 0, sizeof(*e));
	qpack_table_init(&e->t);
}

void qpack_encoder_set_peer_settings(struct qpack_encoder *e, uint64_t max_capacity,
				     uint64_t blocked_streams)
{
	e->peer_max_capacity = max_capacity;
	e->peer_blocked = blocked_streams;
	e->max_entries = max_capacity / QPACK_ENTRY_OVERHEAD;
	e->capacity = (uint32_t)qpack_min(max_capacity, CONFIG_H3_QPACK_TABLE_CAPACITY);
}

static bool enc_dynamic(const struct qpack_encoder *e)
{
	return !(e->flags & QPACK_ENC_STATIC_ONLY) && e->capacity > QPACK_ENTRY_OVERHEAD;
}

/* Entries below this may be evicted: acknowledged, and older than every
 * reference of an unacknowledged section and of the current one. */
static uint64_t enc_evict_limit(const struct qpack_encoder *e, uint64_t cur_min_ref)
{
	uint64_t lim = e->known_received < cur_min_ref ? e->known_received : cur_min_ref;

	for (uint32_t i = 0; i < e->n_sections; i++)
		if (e->sections[i].min_ref < lim)
			lim = e->sections[i].min_ref;
	return lim;
}

/* Would an entry of size bytes fit, evicting only entries below limit? */
static bool enc_room_for(const struct qpack_encoder *e, uint32_t size, uint64_t limit)
{
	uint32_t used = e->t.size;
	uint64_t a = e->t.dropped;

	if (size > e->capacity)
		return false;
	while (used + size > e->capacity) {
		if (a >= limit || a >= e->t.inserted)
			return false;
		used -= qpack_entry_size(qpack_table_centry(&e->t, a));
		a++;
	}
	return true;
}

/* May a section on stream_id reference entries not acknowledged yet?
 * Only if the streams that could then be blocked at the decoder stay
 * within its SETTINGS_QPACK_BLOCKED_STREAMS (2.1.2). */
static bool enc_may_block(const struct qpack_encoder *e, uint64_t stream_id)
{
	uint64_t streams = 0;

	for (uint32_t i = 0; i < e->n_sections; i++) {
		const struct qpack_enc_section *s = &e->sections[i];
		bool counted = false;

		if (s->ric <= e->known_received)
			continue;
		if (s->stream_id == stream_id)
			return true;
		for (uint32_t j = 0; j < i && !counted; j++)
			counted = e->sections[j].stream_id == s->stream_id &&
				  e->sections[j].ric > e->known_received;
		streams += !counted;
	}
	return streams < e->peer_blocked;
}

/* The oldest entry the encoder still references: entries before it make
 * up the oldest quarter of the capacity (the draining entries of
 * 2.1.1.1), which the next inserts will want to evict. */
static uint64_t enc_draining(struct qpack_encoder *e)
{
	uint32_t keep = e->capacity - e->capacity / 4, sum = 0;
	uint64_t a = e->t.inserted;

	while (a > e->t.dropped) {
		uint32_t sz = qpack_entry_size(qpack_table_entry(&e->t, a - 1));

		if (sum + sz > keep)
			break;
		sum += sz;
		a--;
	}
	return a;
}

/* The newest live entry with f's name (and value, if exact), or
 * UINT64_MAX. */
static uint64_t enc_find(struct qpack_encoder *e, const struct qpack_field *f, bool exact)
{
	for (uint64_t a = e->t.inserted; a-- > e->t.dropped;) {
		const struct qpack_entry *en = qpack_table_entry(&e->t, a);
		uint32_t voff = qpack_ring_add(en->off, en->name_len);

		if (en->name_len != f->name_len || (exact && en->value_len != f->value_len))
			continue;
		if (!qpack_table_equal(&e->t, en->off, f->name, f->name_len))
			continue;
		if (!exact || qpack_table_equal(&e->t, voff, f->value, f->value_len))
			return a;
	}
	return UINT64_MAX;
}

static bool enc_huffman(const struct qpack_encoder *e, const uint8_t *s, size_t len, size_t *hlen)
{
	*hlen = qpack_huff_encoded_len(s, len);
	return !(e->flags & QPACK_ENC_NO_HUFFMAN) && *hlen < len;
}

/* Put a string literal the shorter way. */
static void enc_string(const struct qpack_encoder *e, struct buf_writer *w, uint8_t first,
		       unsigned n, const uint8_t *s, size_t len)
{
	size_t hlen;

	qpack_put_string(w, first, n, s, len, enc_huffman(e, s, len, &hlen));
}

static size_t enc_string_len(const struct qpack_encoder *e, unsigned n, const uint8_t *s,
			     size_t len)
{
	size_t hlen;
	bool h = enc_huffman(e, s, len, &hlen);

	return qpack_string_len(n, len, hlen, h);
}

/* Room in enc for n bytes of instructions, and for Set Dynamic Table
 * Capacity before them if the table has not been set up yet; write that
 * one. */
static bool enc_stream_room(struct qpack_encoder *e, struct buf_writer *enc, size_t n)
{
	bool set = e->t.capacity != e->capacity;

	if (set)
		n += qpack_int_len(5, e->capacity);
	if (!enc || enc->err || buf_room(enc) < n)
		return false;
	if (set) {
		qpack_put_int(enc, 0x20, 5, e->capacity);  /* 4.3.1 */
		qpack_table_set_capacity(&e->t, e->capacity);
	}
	return true;
}

/* Insert (name, value) (4.3.2, 4.3.3): its name by static index
 * static_name (>= 0) or from the newest live entry with that name, else
 * literal. Evicts only below limit. */
static int enc_insert(struct qpack_encoder *e, const struct qpack_field *f, int static_name,
		      uint64_t limit, struct buf_writer *enc, uint64_t *abs)
{
	uint64_t size = (uint64_t)f->name_len + f->value_len + QPACK_ENTRY_OVERHEAD;
	uint64_t dyn = static_name < 0 ? enc_find(e, f, false) : UINT64_MAX;
	uint64_t rel = dyn != UINT64_MAX ? e->t.inserted - 1 - dyn : 0;
	size_t len = enc_string_len(e, 8, f->value, f->value_len);

	if (!enc_dynamic(e) || size > e->capacity || !enc_room_for(e, (uint32_t)size, limit))
		return QPACK_NO_BUFFER;
	if (static_name >= 0)
		len += qpack_int_len(6, (uint64_t)static_name);
	else if (dyn != UINT64_MAX)
		len += qpack_int_len(6, rel);
	else
		len += enc_string_len(e, 6, f->name, f->name_len);
	if (!enc_stream_room(e, enc, len))
		return QPACK_NO_BUFFER;

	if (static_name >= 0)
		qpack_put_int(enc, 0xc0, 6, (uint64_t)static_name);
	else if (dyn != UINT64_MAX)
		qpack_put_int(enc, 0x80, 6, rel);
	else
		enc_string(e, enc, 0x40, 6, f->name, f->name_len);
	enc_string(e, enc, 0x00, 8, f->value, f->value_len);

	/* the new bytes overwrite only entries the commit evicts */
	qpack_table_write(&e->t, e->t.head, f->name, f->name_len);
	qpack_table_write(&e->t, qpack_ring_add(e->t.head, f->name_len), f->value, f->value_len);
	qpack_table_commit(&e->t, (uint32_t)f->name_len, (uint32_t)f->value_len);
	*abs = e->t.inserted - 1;
	return QPACK_OK;
}

static int enc_duplicate(struct qpack_encoder *e, uint64_t abs, uint64_t limit,
			 struct buf_writer *enc, uint64_t *new_abs)
{
	const struct qpack_entry *en;
	uint64_t rel;

	if (!enc_dynamic(e) || abs < e->t.dropped || abs >= e->t.inserted)
		return QPACK_NO_BUFFER;
	en = qpack_table_entry(&e->t, abs);
	rel = e->t.inserted - 1 - abs;
	if (!enc_room_for(e, qpack_entry_size(en), limit) ||
	    !enc_stream_room(e, enc, qpack_int_len(5, rel)))
		return QPACK_NO_BUFFER;
	qpack_put_int(enc, 0x00, 5, rel);  /* 4.3.4 */
	qpack_table_move(&e->t, e->t.head, en->off, (uint64_t)en->name_len + en->value_len);
	qpack_table_commit(&e->t, en->name_len, en->value_len);
	*new_abs = e->t.inserted - 1;
	return QPACK_OK;
}

int qpack_encoder_insert(struct qpack_encoder *e, const struct qpack_field *f,
			 struct buf_writer *enc, uint64_t *abs)
{
	int name_idx;

	if (e->err)
		return e->err;
	qpack_static_find(f->name, f->name_len, f->value, f->value_len, &name_idx);
	return enc_insert(e, f, name_idx, enc_evict_limit(e, UINT64_MAX), enc, abs);
}

int qpack_encoder_duplicate(struct qpack_encoder *e, uint64_t abs, struct buf_writer *enc,
			    uint64_t *new_abs)
{
	if (e->err)
		return e->err;
	return enc_duplicate(e, abs, enc_evict_limit(e, UINT64_MAX), enc, new_abs);
}

/* ---------------------------------------------------------------- sections */

struct enc_ctx {
	uint64_t stream_id;
	uint64_t base;               /* Insert Count at the start */
	uint64_t ric;                /* largest absolute index referenced, + 1 */
	uint64_t min_ref;            /* smallest referenced, UINT64_MAX if none */
	uint64_t draining;
	bool dyn;                    /* may use the dynamic table */
	bool may_block;              /* may reference entries not acknowledged */
};

/* Is entry a safe and worth referencing in this section? Live, not
 * draining (unless inserted for this section), and acknowledged unless
 * the section may block. */
static bool enc_referenceable(const struct qpack_encoder *e, const struct enc_ctx *c, uint64_t a)
{
	return a != UINT64_MAX && a >= e->t.dropped && (a >= c->base || a >= c->draining) &&
	       (a < e->known_received || c->may_block);
}

static void enc_use(struct enc_ctx *c, uint64_t a)
{
	if (a + 1 > c->ric)
		c->ric = a + 1;
	if (a < c->min_ref)
		c->min_ref = a;
}

/* Fields whose values are secrets or unique per message: never inserted
 * (7.1.3 suggests Cookie and Authorization; the N bit is the sender's
 * own way to ask). */
static bool enc_sensitive(const struct qpack_field *f)
{
	static const char *const names[] = {
		"authorization", "cookie", "set-cookie", "proxy-authorization",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f->name_len == strlen(names[i]) && !memcmp(f->name, names[i], f->name_len))
			return true;
	return false;
}

/* Has this field been seen before (then it is worth inserting)? FNV-1a
 * over name and value into a small direct-mapped memory of hashes. */
static bool enc_seen(struct qpack_encoder *e, const struct qpack_field *f)
{
	uint32_t h = 2166136261u;
	uint32_t *slot;

	for (size_t i = 0; i < f->name_len; i++)
		h = (h ^ f->name[i]) * 16777619u;
	h = (h ^ 0xff) * 16777619u;  /* name and value apart: "ab","c" != "a","bc" */
	for (size_t i = 0; i < f->value_len; i++)
		h = (h ^ f->value[i]) * 16777619u;
	h |= 1;                      /* 0 is an empty slot */
	slot = &e->seen[h % QPACK_ENCODER_SEEN];
	if (*slot == h)
		return true;
	*slot = h;
	return false;
}

static bool enc_should_insert(struct qpack_encoder *e, const struct qpack_field *f)
{
	uint64_t size = (uint64_t)f->name_len + f->value_len + QPACK_ENTRY_OVERHEAD;

	/* one entry may not push out most of the table */
	if (size > e->capacity - e->capacity / 4 || enc_sensitive(f))
		return false;
	return (e->flags & QPACK_ENC_INSERT_ALL) || enc_seen(e, f);
}

/* A reference to entry a as a field line (4.5.2, 4.5.3). */
static void enc_put_indexed(struct enc_ctx *c, struct buf_writer *w, uint64_t a)
{
	enc_use(c, a);
	if (a < c->base)
		qpack_put_int(w, 0x80, 6, c->base - 1 - a);
	else
		qpack_put_int(w, 0x10, 4, a - c->base);
}

static void enc_field(struct qpack_encoder *e, struct enc_ctx *c, const struct qpack_field *f,
		      struct buf_writer *w, struct buf_writer *enc)
{
	bool never = f->flags & QPACK_FIELD_NEVER_INDEX;
	uint64_t a = UINT64_MAX;
	int sidx, name_idx;

	sidx = qpack_static_find(f->name, f->name_len, f->value, f->value_len, &name_idx);
	/* 4.5.4: a never-indexed field is always a literal */
	if (sidx >= 0 && !never) {
		qpack_put_int(w, 0xc0, 6, (uint64_t)sidx);
		return;
	}
	if (c->dyn && !never) {
		uint64_t limit = enc_evict_limit(e, c->min_ref);

		a = enc_find(e, f, true);
		if (a != UINT64_MAX && !enc_referenceable(e, c, a) && a >= e->t.dropped &&
		    a < c->draining) {
			/* about to be evicted: reference a fresh copy (2.1.1.1) */
			if (enc_duplicate(e, a, limit, enc, &a))
				a = UINT64_MAX;
		} else if (a == UINT64_MAX && enc_should_insert(e, f)) {
			if (enc_insert(e, f, name_idx, limit, enc, &a))
				a = UINT64_MAX;
		}
		if (enc_referenceable(e, c, a)) {
			enc_put_indexed(c, w, a);
			return;
		}
	}

	/* a literal, its name by reference if one is at hand (4.5.4-4.5.6) */
	if (name_idx >= 0) {
		qpack_put_int(w, 0x50 | (never ? 0x20 : 0), 4, (uint64_t)name_idx);
	} else if (c->dyn && enc_referenceable(e, c, a = enc_find(e, f, false))) {
		enc_use(c, a);
		if (a < c->base)
			qpack_put_int(w, 0x40 | (never ? 0x20 : 0), 4, c->base - 1 - a);
		else
			qpack_put_int(w, 0x00 | (never ? 0x08 : 0), 3, a - c->base);
	} else {
		enc_string(e, w, 0x20 | (never ? 0x10 : 0), 4, f->name, f->name_len);
	}
	enc_string(e, w, 0x00, 8, f->value, f->value_len);
}

int qpack_encode(struct qpack_encoder *e, uint64_t stream_id, const struct qpack_field *fields,
		 size_t n, struct buf_writer *sec, struct buf_writer *enc)
{
	struct enc_ctx c = { .stream_id = stream_id, .min_ref = UINT64_MAX };
	uint8_t prefix[2 * 10];
	struct buf_writer pw, lw;
	size_t resv, plen, llen;

	if (e->err)
		return e->err;
	c.base = e->t.inserted;
	/* without a free section record the decoder's acknowledgment could
	 * not be matched: no dynamic references then */
	c.dyn = enc_dynamic(e) && e->n_sections < CONFIG_H3_QPACK_ENCODER_SECTIONS;
	c.may_block = c.dyn && enc_may_block(e, stream_id);
	c.draining = c.dyn ? enc_draining(e) : 0;

	/* the lines go after room for the largest prefix they can need:
	 * Required Insert Count + 1 and either Delta Base are at most
	 * Base + n + 1 */
	resv = c.dyn ? qpack_int_len(8, c.base + n + 1) + qpack_int_len(7, c.base + n + 1) : 2;
	if (sec->err || buf_room(sec) < resv) {
		sec->err = true;
		return QPACK_NO_BUFFER;
	}
	buf_writer_init(&lw, sec->p + resv, buf_room(sec) - resv);
	for (size_t i = 0; i < n && !lw.err; i++)
		enc_field(e, &c, &fields[i], &lw, enc);
	if (lw.err) {
		sec->err = true;
		return QPACK_NO_BUFFER;
	}

	/* the prefix (4.5.1) */
	buf_writer_init(&pw, prefix, sizeof(prefix));
	if (!c.ric) {
		qpack_put_int(&pw, 0x00, 8, 0);
		qpack_put_int(&pw, 0x00, 7, 0);
	} else {
		qpack_put_int(&pw, 0x00, 8, c.ric % (2 * e->max_entries) + 1);
		if (c.base >= c.ric)
			qpack_put_int(&pw, 0x00, 7, c.base - c.ric);
		else
			qpack_put_int(&pw, 0x80, 7, c.ric - c.base - 1);
	}
	plen = buf_written(&pw);
	llen = buf_written(&lw);
	memmove(sec->p + plen, sec->p + resv, llen);
	memcpy(sec->p, prefix, plen);
	sec->p += plen + llen;

	if (c.ric) {
		struct qpack_enc_section *s = &e->sections[e->n_sections++];

		s->stream_id = stream_id;
		s->ric = c.ric;
		s->min_ref = c.min_ref;
	}
	return QPACK_OK;
}

/* ---------------------------------------------------------------- decoder stream */

static void enc_drop_section(struct qpack_encoder *e, uint32_t i)
{
	memmove(&e->sections[i], &e->sections[i + 1],
		(e->n_sections - i - 1) * sizeof(e->sections[0]));
	e->n_sections--;
}

/* A whole decoder instruction: its first byte e->ds_op, its integer. */
static int enc_ds_done(struct qpack_encoder *e)
{
	uint64_t v = e->ds.v;
	uint32_t i;

	if (e->ds_op & 0x80) {
		/* Section Acknowledgment (4.4.1): the oldest unacknowledged
		 * section on the stream */
		for (i = 0; i < e->n_sections && e->sections[i].stream_id != v; i++)
			;
		if (i == e->n_sections)
			return DSE;
		if (e->sections[i].ric > e->known_received)
			e->known_received = e->sections[i].ric;
		enc_drop_section(e, i);
	} else if (e->ds_op & 0x40) {
		/* Stream Cancellation (4.4.2): its references are gone */
		for (i = e->n_sections; i-- > 0;)
			if (e->sections[i].stream_id == v)
				enc_drop_section(e, i);
	} else {
		/* Insert Count Increment (4.4.3) */
		if (!v || v > e->t.inserted - e->known_received)
			return DSE;
		e->known_received += v;
	}
	return 0;
}

int qpack_encoder_feed(struct qpack_encoder *e, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && !e->err; i++) {
		int ret;

		if (!e->ds_mid) {
			/* '1' 7-bit stream ID; '01' 6-bit stream ID; '00' 6-bit increment */
			e->ds_op = p[i];
			ret = qpack_int_start(&e->ds, p[i], p[i] & 0x80 ? 7 : 6);
		} else {
			ret = qpack_int_step(&e->ds, p[i]);
		}
		e->ds_mid = ret == 0;
		if (ret < 0)
			e->err = DSE;
		else if (ret)
			e->err = enc_ds_done(e);
	}
	return e->err;
}
