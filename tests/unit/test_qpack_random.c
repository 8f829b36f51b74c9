/* http3/qpack at random: encoder -> decoder round trips over random
 * field sections, dynamic table capacities (0 to the configured one),
 * blocked-stream limits and encoder policies, with both instruction
 * streams delivered in random pieces and delays, sections decoded out of
 * order and streams cancelled; then 20,000 random and mutated inputs into
 * every parser (field sections, both instruction streams, Huffman),
 * each placed at the very end of its buffer so that ASan (SAN=1) sees a
 * read past it. */
#include "qpack_util.h"

/* ---------------------------------------------------------------- round trips */

/* An encoder and a decoder joined by two byte pipes (the encoder and the
 * decoder streams) and a set of encoded sections in flight, delivered in
 * random order, pieces and delays; cancellations now and then. Every
 * decoded section must equal what was encoded; neither side may fail. */

#define RT_SECTIONS 40
#define RT_FIELDS   10
#define RT_STR      48

struct rt_section {
	uint64_t stream_id;
	unsigned seq;                /* 0 headers, 1 trailers (after 0) */
	bool ready;                  /* listed as unblocked since it blocked */
	bool blocked;
	size_t n, len;
	struct qpack_field f[RT_FIELDS];
	uint8_t str[RT_FIELDS][2][RT_STR];
	uint8_t sec[1024];
};

struct rt_pipe {
	uint8_t b[1 << 15];
	size_t len;
};

static struct rt_section rt[RT_SECTIONS];
static size_t rt_n;
static struct rt_pipe es_pipe, ds_pipe;
static uint64_t rt_rng;
static unsigned rt_decoded, rt_blocked, rt_cancelled;

static unsigned rnd(unsigned n)
{
	return (unsigned)(unit_xorshift64(&rt_rng) % n);
}

static void pipe_put(struct rt_pipe *p, const uint8_t *b, size_t n)
{
	assert_true(p->len + n <= sizeof(p->b));
	memcpy(p->b + p->len, b, n);
	p->len += n;
}

/* The first n bytes of the pipe, removed. */
static void pipe_take(struct rt_pipe *p, size_t n, uint8_t *out)
{
	memcpy(out, p->b, n);
	memmove(p->b, p->b + n, p->len - n);
	p->len -= n;
}

static void rt_field(struct rt_section *s, size_t i)
{
	static const char *const names[] = {
		":status", "content-type", "server", "cache-control", "x-request-id", "set-cookie",
		"vary", "x-custom-a", "x-custom-b", "etag", "content-length", "x", "accept-ranges",
	};
	static const char *const values[] = {
		"200", "404", "text/html", "tern/1.0", "no-cache", "max-age=3600", "", "a",
		"bytes", "accept-encoding", "0123456789012345678901234567890123456789",
	};
	const char *name = names[rnd(ARRAY_SIZE(names))];
	uint8_t *n = s->str[i][0], *v = s->str[i][1];
	size_t vl;

	memcpy(n, name, strlen(name));
	if (rnd(10) < 7) {
		const char *val = values[rnd(ARRAY_SIZE(values))];

		vl = strlen(val);
		memcpy(v, val, vl);
	} else {
		/* unique-ish, sometimes binary: every byte value goes through
		 * Huffman */
		vl = rnd(RT_STR);
		for (size_t k = 0; k < vl; k++)
			v[k] = (uint8_t)(rnd(4) ? 'a' + rnd(26) : rnd(256));
	}
	s->f[i].name = n;
	s->f[i].name_len = strlen(name);
	s->f[i].value = v;
	s->f[i].value_len = vl;
	s->f[i].flags = rnd(20) ? 0 : QPACK_FIELD_NEVER_INDEX;
}

static void rt_encode(uint64_t stream_id, unsigned seq)
{
	struct rt_section *s = &rt[rt_n++];
	static uint8_t encb[4096];
	struct buf_writer sw, ew;
	unsigned room = rnd(10);

	memset(s, 0, sizeof(*s));
	s->stream_id = stream_id;
	s->seq = seq;
	s->n = rnd(RT_FIELDS + 1);
	for (size_t i = 0; i < s->n; i++)
		rt_field(s, i);
	buf_writer_init(&sw, s->sec, sizeof(s->sec));
	/* the encoder stream's credit: none, a little, plenty */
	buf_writer_init(&ew, encb, room == 0 ? 0 : room == 1 ? rnd(24) : sizeof(encb));
	assert_int_equal(qpack_encode(&enc, stream_id, s->f, s->n, &sw, room == 0 ? NULL : &ew),
			 QPACK_OK);
	s->len = buf_written(&sw);
	pipe_put(&es_pipe, encb, buf_written(&ew));
}

static void rt_check(const struct rt_section *s)
{
	assert_int_equal(list.count, s->n);
	for (size_t i = 0; i < s->n; i++) {
		assert_bytes(list.fields[i].name, list.fields[i].name_len, s->f[i].name,
			     s->f[i].name_len);
		assert_bytes(list.fields[i].value, list.fields[i].value_len, s->f[i].value,
			     s->f[i].value_len);
		assert_int_equal(list.fields[i].flags, s->f[i].flags);
	}
}

static void rt_flush_decoder(size_t room)
{
	uint8_t out[256];
	size_t n = dec_out(&dec, out, room < sizeof(out) ? room : sizeof(out));

	pipe_put(&ds_pipe, out, n);
}

static void rt_remove(size_t i)
{
	rt[i] = rt[--rt_n];
	/* the fields point into the section's own strings */
	for (size_t k = 0; k < rt[i].n; k++) {
		rt[i].f[k].name = rt[i].str[k][0];
		rt[i].f[k].value = rt[i].str[k][1];
	}
}

/* Is section i next on its stream? */
static bool rt_first_of_stream(size_t i)
{
	for (size_t k = 0; k < rt_n; k++)
		if (rt[k].stream_id == rt[i].stream_id && rt[k].seq < rt[i].seq)
			return false;
	return true;
}

static void rt_feed_decoder(size_t n)
{
	static uint8_t tmp[sizeof(es_pipe.b)];
	uint64_t ids[QPACK_BLOCKED_SLOTS];
	size_t k;

	if (n > es_pipe.len)
		n = es_pipe.len;
	pipe_take(&es_pipe, n, tmp);
	assert_int_equal(qpack_decoder_feed(&dec, tmp, n), QPACK_OK);
	/* note the streams that may go on (qpack.h: after every feed) */
	k = qpack_decoder_unblocked(&dec, ids, ARRAY_SIZE(ids));
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < rt_n; j++)
			if (rt[j].stream_id == ids[i] && rt[j].blocked)
				rt[j].ready = true;
}

static void rt_feed_encoder(size_t n)
{
	static uint8_t tmp[sizeof(es_pipe.b)];

	if (n > ds_pipe.len)
		n = ds_pipe.len;
	pipe_take(&ds_pipe, n, tmp);
	assert_int_equal(qpack_encoder_feed(&enc, tmp, n), QPACK_OK);
}

/* Decode section i; true when it is done with (removed). */
static bool rt_decode(size_t i)
{
	struct rt_section *s = &rt[i];
	int ret;

	qpack_field_list_init(&list, fbuf, ARRAY_SIZE(fbuf), arena, sizeof(arena));
	ret = qpack_decode(&dec, s->stream_id, s->sec, s->len, &list);
	if (ret == QPACK_NO_BUFFER) {
		rt_flush_decoder(1024);
		ret = qpack_decode(&dec, s->stream_id, s->sec, s->len, &list);
	}
	if (ret == QPACK_BLOCKED) {
		/* a section the decoder said could go on never blocks again */
		assert_false(s->ready);
		rt_blocked += !s->blocked;
		s->blocked = true;
		return false;
	}
	assert_int_equal(ret, QPACK_OK);
	rt_check(s);
	rt_decoded++;
	rt_remove(i);
	return true;
}

static void rt_cancel(size_t i)
{
	uint64_t id = rt[i].stream_id;
	int ret = qpack_decoder_cancel_stream(&dec, id);

	if (ret == QPACK_NO_BUFFER) {
		rt_flush_decoder(1024);
		ret = qpack_decoder_cancel_stream(&dec, id);
	}
	assert_int_equal(ret, QPACK_OK);
	for (size_t k = rt_n; k-- > 0;)
		if (rt[k].stream_id == id)
			rt_remove(k);
	rt_cancelled++;
}

static void rt_run(uint32_t dec_cap, uint32_t blocked, uint32_t flags, unsigned steps)
{
	uint64_t next_id = 0;

	qpack_decoder_init(&dec, dec_cap, blocked);
	qpack_encoder_init(&enc);
	enc.flags = flags;
	rt_n = 0;
	es_pipe.len = ds_pipe.len = 0;
	/* the peer's SETTINGS: the decoder's, after a few sections or not */
	for (unsigned step = 0; step < steps; step++) {
		unsigned r = rnd(100);

		if (step == 20)
			qpack_encoder_set_peer_settings(&enc, dec.max_capacity, dec.max_blocked);
		if (r < 25 && rt_n + 2 <= RT_SECTIONS) {
			rt_encode(next_id, 0);
			if (rnd(5) == 0)
				rt_encode(next_id, 1);
			next_id += 4;
		} else if (r < 40) {
			rt_feed_decoder(rnd(4) ? rnd(48) : es_pipe.len);
		} else if (r < 70 && rt_n) {
			size_t i = rnd((unsigned)rt_n);

			if (rt_first_of_stream(i))
				rt_decode(i);
		} else if (r < 80) {
			rt_flush_decoder(rnd(4) ? rnd(16) : 1024);
		} else if (r < 95) {
			rt_feed_encoder(rnd(4) ? rnd(16) : ds_pipe.len);
		} else if (rt_n && rnd(3) == 0) {
			rt_cancel(rnd((unsigned)rt_n));
		}
		assert_true(enc.t.size <= enc.t.capacity);
		assert_true(dec.t.size <= dec.t.capacity);
	}
	/* drain: every section decodes once the encoder stream is through */
	rt_feed_decoder(es_pipe.len);
	while (rt_n) {
		bool progress = false;

		for (size_t i = 0; i < rt_n; i++)
			if (rt_first_of_stream(i) && rt_decode(i)) {
				progress = true;
				break;
			}
		assert_true(progress);
	}
	rt_flush_decoder(1024);
	rt_flush_decoder(1024);
	rt_feed_encoder(ds_pipe.len);
	assert_false(qpack_decoder_has_output(&dec));
	assert_int_equal(dec.n_blocked, 0);
	assert_int_equal(enc.n_sections, 0);
	assert_int_equal(enc.known_received, enc.t.inserted);
	assert_tables_equal(&enc.t, &dec.t);
}

static void test_round_trip(void **state)
{
	static const uint32_t caps[] = { 0, 32, 63, 64, 100, 220, 256, 1000, 4096, 32768 };
	unsigned inserted = 0, runs = 0;

	rt_rng = 0xc0ffee1234567ull;
	rt_decoded = rt_blocked = rt_cancelled = 0;
	for (size_t c = 0; c < ARRAY_SIZE(caps); c++)
		for (uint32_t blocked = 0; blocked <= 3; blocked++) {
			uint32_t flags = rnd(4) == 0 ? QPACK_ENC_INSERT_ALL : 0;

			if (rnd(4) == 0)
				flags |= QPACK_ENC_NO_HUFFMAN;
			rt_run(caps[c], blocked, flags, 1500);
			inserted += (unsigned)enc.t.inserted;
			runs++;
		}
	print_message("  %u runs: %u sections decoded (%u blocked first), %u streams cancelled, "
		      "%u entries inserted\n", runs, rt_decoded, rt_blocked, rt_cancelled,
		      inserted);
	assert_true(rt_decoded > 5000);
	if (CONFIG_H3_QPACK_TABLE_CAPACITY >= 220) {
		assert_true(inserted > 1000);
		if (CONFIG_H3_QPACK_BLOCKED_STREAMS)
			assert_true(rt_blocked > 50);
	}
}

/* ---------------------------------------------------------------- robustness */

static void mutate(uint8_t *b, size_t *len, size_t cap, uint64_t *rng)
{
	static const uint8_t interesting[] = {
		0x00, 0x01, 0x1f, 0x20, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xbf, 0xc0, 0xff,
	};
	unsigned muts = 1 + (unsigned)(unit_xorshift64(rng) % 4);

	for (unsigned m = 0; m < muts && *len; m++) {
		size_t at = unit_xorshift64(rng) % *len;

		switch (unit_xorshift64(rng) % 6) {
		case 0:
			b[at] ^= (uint8_t)(1u << (unit_xorshift64(rng) % 8));
			break;
		case 1:
			b[at] = interesting[unit_xorshift64(rng) % sizeof(interesting)];
			break;
		case 2:
			*len = at;
			break;
		case 3:
			memmove(b + at, b + at + 1, *len - at - 1);
			(*len)--;
			break;
		case 4:
			if (*len < cap) {
				memmove(b + at + 1, b + at, *len - at);
				b[at] = (uint8_t)unit_xorshift64(rng);
				(*len)++;
			}
			break;
		default:
			b[at] += (uint8_t)(unit_xorshift64(rng) % 3) - 1;
			break;
		}
	}
}

static void test_robustness(void **state)
{
	static uint8_t seeds[64][512];
	static size_t seed_len[64];
	static uint8_t buf[600];
	static struct qpack_decoder base;
	static struct qpack_encoder ebase;
	uint64_t rng = 0x2545f4914f6cdd1du;
	size_t nseeds = 0;
	unsigned ok[4] = { 0 }, bad[4] = { 0 };

	/* seeds: the RFC's bytes, our encoder's sections and both streams */
	nseeds = 0;
	seed_len[nseeds] = unit_unhex_spaced(B1_SEC, seeds[nseeds], 512), nseeds++;
	seed_len[nseeds] = unit_unhex_spaced(B2_SEC, seeds[nseeds], 512), nseeds++;
	seed_len[nseeds] = unit_unhex_spaced(B4_SEC, seeds[nseeds], 512), nseeds++;
	seed_len[nseeds] = unit_unhex_spaced(B2_ENC B3_ENC B4_ENC B5_ENC, seeds[nseeds], 512), nseeds++;
	seed_len[nseeds] = unit_unhex_spaced("84 01 48 c4 7f81 00", seeds[nseeds], 512), nseeds++;
	if (HAVE_TABLE) {
		seed_len[nseeds] = split_stream(seeds[nseeds], 512), nseeds++;
		rt_rng = 77;
		qpack_decoder_init(&dec, 220, 2);
		qpack_encoder_init(&enc);
		qpack_encoder_set_peer_settings(&enc, 220, 2);
		enc.flags = QPACK_ENC_INSERT_ALL;
		while (nseeds < ARRAY_SIZE(seeds)) {
			rt_n = 0;
			es_pipe.len = 0;
			rt_encode(nseeds, 0);
			memcpy(seeds[nseeds], rt[0].sec, rt[0].len);
			seed_len[nseeds++] = rt[0].len;
			if (es_pipe.len && es_pipe.len <= 512 && nseeds < ARRAY_SIZE(seeds)) {
				memcpy(seeds[nseeds], es_pipe.b, es_pipe.len);
				seed_len[nseeds++] = es_pipe.len;
			}
		}
	}
	/* the states inputs go into: a decoder after B.2-B.5 (entries 1-4,
	 * some dropped), an encoder with sections outstanding */
	qpack_decoder_init(&base, 220, 2);
	if (HAVE_TABLE)
		assert_int_equal(feed_hex(&base, B2_ENC B3_ENC B4_ENC B5_ENC), QPACK_OK);
	memcpy(&ebase, &enc, sizeof(ebase));

	for (unsigned iter = 0; iter < 20000; iter++) {
		uint8_t tmp[512];
		size_t len, at;
		int ret;

		if (iter % 5 == 0) {
			len = unit_xorshift64(&rng) % 64;
			for (size_t i = 0; i < len; i++)
				tmp[i] = (uint8_t)unit_xorshift64(&rng);
		} else {
			size_t k = unit_xorshift64(&rng) % nseeds;

			len = seed_len[k];
			memcpy(tmp, seeds[k], len);
			mutate(tmp, &len, sizeof(tmp), &rng);
		}
		/* at the very end of buf: a read past it is out of bounds */
		uint8_t *p = buf + sizeof(buf) - len;

		memcpy(p, tmp, len);

		/* a field section */
		memcpy(&dec, &base, sizeof(dec));
		qpack_field_list_init(&list, fbuf, 16, arena, 256);
		ret = qpack_decode(&dec, iter, p, len, &list);
		assert_true(ret == QPACK_OK || ret == QPACK_BLOCKED || ret == QPACK_TOO_LARGE ||
			    ret == DF);
		if (ret == QPACK_OK) {
			assert_true(list.count <= 16 && list.arena_len <= 256);
			for (size_t i = 0; i < list.count; i++)
				assert_true(list.fields[i].name && list.fields[i].value);
		}
		ok[0] += ret == QPACK_OK;
		bad[0] += ret == DF;

		/* encoder stream bytes, in two pieces */
		memcpy(&dec, &base, sizeof(dec));
		at = len ? unit_xorshift64(&rng) % (len + 1) : 0;
		ret = qpack_decoder_feed(&dec, p, at);
		if (ret == QPACK_OK)
			ret = qpack_decoder_feed(&dec, p + at, len - at);
		assert_true(ret == QPACK_OK || ret == ESE);
		assert_true(dec.t.size <= dec.t.capacity && dec.t.capacity <= dec.max_capacity);
		assert_true(dec.t.inserted - dec.t.dropped <= QPACK_TABLE_SLOTS);
		ok[1] += ret == QPACK_OK;
		bad[1] += ret == ESE;

		/* decoder stream bytes */
		memcpy(&enc, &ebase, sizeof(enc));
		ret = qpack_encoder_feed(&enc, p, len);
		assert_true(ret == QPACK_OK || ret == DSE);
		assert_true(enc.known_received <= enc.t.inserted);
		ok[2] += ret == QPACK_OK;
		bad[2] += ret == DSE;

		/* Huffman */
		{
			size_t ol;

			ret = qpack_huff_decode(p, len, tmp, sizeof(tmp), &ol);
			assert_true(ret == 0 || ret == QPACK_HUFF_INVALID ||
				    ret == QPACK_HUFF_FULL);
			ok[3] += ret == 0;
			bad[3] += ret != 0;
		}
	}
	print_message("  accepted/rejected: sections %u/%u, encoder stream %u/%u, "
		      "decoder stream %u/%u, Huffman %u/%u\n", ok[0], bad[0], ok[1], bad[1],
		      ok[2], bad[2], ok[3], bad[3]);
	for (int i = 0; i < 4; i++)
		assert_true(ok[i] > 500 && bad[i] > 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_round_trip),
		UNIT_TEST(test_robustness),
	};

	return cmocka_run_group_tests_name("qpack_random", tests, NULL, NULL);
}
