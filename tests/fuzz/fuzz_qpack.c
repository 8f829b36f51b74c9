/* libFuzzer harness for http3/qpack and http3/huffman.
 *
 * The first input byte picks what the rest goes into:
 *   0  a field section, into a decoder holding the RFC 9204 B.2-B.5
 *      table (its fields, when accepted, are checked for sanity)
 *   1  encoder stream bytes, into a decoder, in pieces whose sizes the
 *      second byte seeds; the table must stay within its capacity
 *   2  decoder stream bytes, into an encoder with sections outstanding
 *   3  a Huffman string: decoded, and re-encoded when valid: the same bytes
 *      must come back (valid padding is unique)
 *   4  fields made of the bytes, encoded with a dynamic table and decoded
 *      back through both instruction streams: they must be equal
 * Any other value is taken modulo 5.
 *
 * Build (from the top directory, after `make O=build/h-qpack ...`):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *     -imacros build/h-qpack/include/generated/autoconf.h \
 *     tests/fuzz/fuzz_qpack.c http3/qpack.c http3/qpack_enc.c http3/huffman.c \
 *     -o build/h-qpack/fuzz_qpack
 *   build/h-qpack/fuzz_qpack -max_len=2048 corpus_dir/
 * Without libFuzzer (gcc), add -DTERN_FUZZ_MAIN: the program then runs
 * each file named on its command line once, then -runs=N mutants of them
 * (tests/fuzz/fuzz_main.h). `make fuzz` and `make fuzz-replay` do all
 * this (tests/fuzz/fuzz.mk); the seeds: tests/fuzz/make_seeds.py DIR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http3/qpack.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* RFC 9204 Appendix B, encoder stream B.2-B.5 */
static const uint8_t rfc_es[] = {
	0x3f, 0xbd, 0x01, 0xc0, 0x0f, 'w', 'w', 'w', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	'.', 'c', 'o', 'm', 0xc1, 0x0c, '/', 's', 'a', 'm', 'p', 'l', 'e', '/', 'p', 'a',
	't', 'h', 0x4a, 'c', 'u', 's', 't', 'o', 'm', '-', 'k', 'e', 'y', 0x0c, 'c', 'u',
	's', 't', 'o', 'm', '-', 'v', 'a', 'l', 'u', 'e', 0x02, 0x81, 0x0d, 'c', 'u', 's',
	't', 'o', 'm', '-', 'v', 'a', 'l', 'u', 'e', '2',
};

static struct qpack_decoder dec;
static struct qpack_encoder enc;
static struct qpack_field fields[64], out_fields[64];
static uint8_t arena[CONFIG_H3_MAX_FIELD_SECTION];

static void fuzz_section(const uint8_t *p, size_t n)
{
	struct qpack_field_list l;
	int ret;

	qpack_decoder_init(&dec, 220, 2);
	if (CONFIG_H3_QPACK_TABLE_CAPACITY >= 220)
		CHECK(qpack_decoder_feed(&dec, rfc_es, sizeof(rfc_es)) == QPACK_OK);
	qpack_field_list_init(&l, out_fields, 64, arena, sizeof(arena));
	ret = qpack_decode(&dec, 0, p, n, &l);
	CHECK(ret == QPACK_OK || ret == QPACK_BLOCKED || ret == QPACK_TOO_LARGE ||
	      ret == QPACK_DECOMPRESSION_FAILED);
	if (ret == QPACK_OK)
		for (size_t i = 0; i < l.count; i++)
			CHECK(l.fields[i].name && l.fields[i].value &&
			      l.fields[i].name_len + l.fields[i].value_len <= l.section_size);
}

static void fuzz_encoder_stream(const uint8_t *p, size_t n)
{
	uint32_t seed = n ? p[0] | 1u : 1;
	size_t at = n ? 1 : 0;
	int ret = QPACK_OK;

	qpack_decoder_init(&dec, CONFIG_H3_QPACK_TABLE_CAPACITY, 2);
	while (at < n && ret == QPACK_OK) {
		size_t piece = 1 + seed % 17;

		seed = seed * 1103515245u + 12345u;
		if (piece > n - at)
			piece = n - at;
		ret = qpack_decoder_feed(&dec, p + at, piece);
		at += piece;
		CHECK(dec.t.size <= dec.t.capacity && dec.t.capacity <= dec.max_capacity);
	}
	CHECK(ret == QPACK_OK || ret == QPACK_ENCODER_STREAM_ERROR);
}

static void fuzz_decoder_stream(const uint8_t *p, size_t n)
{
	static const struct qpack_field f[] = {
		{ (const uint8_t *)"x-a", 3, (const uint8_t *)"1", 1, 0 },
		{ (const uint8_t *)"x-b", 3, (const uint8_t *)"2", 1, 0 },
	};
	uint8_t sec[256], es[256];
	struct buf_writer sw, ew;
	int ret;

	qpack_encoder_init(&enc);
	enc.flags = QPACK_ENC_INSERT_ALL;
	qpack_encoder_set_peer_settings(&enc, 220, 4);
	for (uint64_t id = 0; id < 16; id += 4) {
		buf_writer_init(&sw, sec, sizeof(sec));
		buf_writer_init(&ew, es, sizeof(es));
		CHECK(qpack_encode(&enc, id, f, 2, &sw, &ew) == QPACK_OK);
	}
	ret = qpack_encoder_feed(&enc, p, n);
	CHECK(ret == QPACK_OK || ret == QPACK_DECODER_STREAM_ERROR);
	CHECK(enc.known_received <= enc.t.inserted);
}

static void fuzz_huffman(const uint8_t *p, size_t n)
{
	static uint8_t out[4096], again[2048];
	size_t ol;

	if (n > 2048)
		return;
	if (qpack_huff_decode(p, n, out, sizeof(out), &ol) == 0) {
		CHECK(qpack_huff_encoded_len(out, ol) == n);
		CHECK(qpack_huff_encode(out, ol, again) == n && !memcmp(again, p, n));
	}
}

/* The bytes as fields: a length byte then that many bytes for a name,
 * the same for a value; a flag byte's low bit is the N bit. */
static void fuzz_round_trip(const uint8_t *p, size_t n)
{
	static uint8_t sec[8192], es[4096], ds[256];
	struct qpack_field_list l;
	struct buf_writer sw, ew, dw;
	size_t nf = 0, at = 0;
	int ret;

	while (nf < 64 && at + 3 <= n) {
		size_t nl = p[at] % 24, vl;

		if (at + 1 + nl + 2 > n)
			break;
		fields[nf].name = p + at + 1;
		fields[nf].name_len = nl;
		at += 1 + nl;
		vl = p[at] % 48;
		if (at + 1 + vl + 1 > n)
			break;
		fields[nf].value = p + at + 1;
		fields[nf].value_len = vl;
		at += 1 + vl;
		fields[nf].flags = p[at++] & QPACK_FIELD_NEVER_INDEX;
		nf++;
	}
	qpack_encoder_init(&enc);
	qpack_decoder_init(&dec, CONFIG_H3_QPACK_TABLE_CAPACITY, CONFIG_H3_QPACK_BLOCKED_STREAMS);
	qpack_encoder_set_peer_settings(&enc, dec.max_capacity, dec.max_blocked);
	enc.flags = n % 3 == 0 ? QPACK_ENC_INSERT_ALL : 0;
	/* twice, so that repeated fields go into the table */
	for (uint64_t id = 0; id < 8; id += 4) {
		buf_writer_init(&sw, sec, sizeof(sec));
		buf_writer_init(&ew, es, sizeof(es));
		CHECK(qpack_encode(&enc, id, fields, nf, &sw, &ew) == QPACK_OK);
		CHECK(qpack_decoder_feed(&dec, es, buf_written(&ew)) == QPACK_OK);
		qpack_field_list_init(&l, out_fields, 64, arena, sizeof(arena));
		dec.max_field_section = UINT64_MAX;
		ret = qpack_decode(&dec, id, sec, buf_written(&sw), &l);
		CHECK(ret == QPACK_OK);
		CHECK(l.count == nf);
		for (size_t i = 0; i < nf; i++) {
			CHECK(l.fields[i].name_len == fields[i].name_len &&
			      !memcmp(l.fields[i].name, fields[i].name, fields[i].name_len));
			CHECK(l.fields[i].value_len == fields[i].value_len &&
			      !memcmp(l.fields[i].value, fields[i].value, fields[i].value_len));
			CHECK(l.fields[i].flags == fields[i].flags);
		}
		buf_writer_init(&dw, ds, sizeof(ds));
		qpack_decoder_write(&dec, &dw);
		CHECK(qpack_encoder_feed(&enc, ds, buf_written(&dw)) == QPACK_OK);
	}
	CHECK(enc.n_sections == 0 && enc.known_received == enc.t.inserted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 5) {
	case 0:
		fuzz_section(data + 1, size - 1);
		break;
	case 1:
		fuzz_encoder_stream(data + 1, size - 1);
		break;
	case 2:
		fuzz_decoder_stream(data + 1, size - 1);
		break;
	case 3:
		fuzz_huffman(data + 1, size - 1);
		break;
	default:
		fuzz_round_trip(data + 1, size - 1);
		break;
	}
	return 0;
}

#include "fuzz_main.h"
