/* libFuzzer harness for term/h1parse.
 *
 * Byte 0 picks the flags (HEAD request, EOF at the end, line buffer
 * size), byte 1 the piece size; the rest is the backend's response. It
 * is parsed twice, whole and in pieces, and both runs must report the
 * same events (a hash of them) and end the same way.
 *
 * Build (from the top directory, after `make O=build/h-h3p ...`):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *     -imacros build/h-h3p/include/generated/autoconf.h \
 *     tests/fuzz/fuzz_h1parse.c term/h1parse.c http3/hfield.c \
 *     -o build/h-h3p/fuzz_h1parse
 *   build/h-h3p/fuzz_h1parse -max_len=8192 corpus_dir/
 * Without libFuzzer (gcc), add -DTERN_FUZZ_MAIN: the program then runs
 * each file named on its command line once, then -runs=N mutants of them
 * (tests/fuzz/fuzz_main.h). `make fuzz` and `make fuzz-replay` do all
 * this (tests/fuzz/fuzz.mk); the seeds: tests/fuzz/make_seeds.py DIR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "term/h1parse.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

struct outcome {
	uint64_t hash;   /* FNV-1a over the events; body bytes one by one */
	enum h1_ev end;
	const char *reason;
	size_t used;
};

static void mix(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 0x100000001b3u;
}

static void parse(struct outcome *o, const uint8_t *in, size_t len, size_t piece, bool head,
		  bool eof, size_t cap)
{
	static uint8_t line[4096];
	struct h1_parser p;
	struct h1_event e;
	size_t at = 0;
	enum h1_ev ev = H1_EV_NONE;

	memset(o, 0, sizeof(*o));
	o->hash = 0xcbf29ce484222325u;
	h1_parser_init(&p, line, cap, head);
	while (ev != H1_EV_DONE && ev != H1_EV_ERROR) {
		size_t end = len - at < piece ? len : at + piece, used;

		for (;;) {
			ev = h1_parse(&p, in + at, end - at, &used, &e);
			if (ev == H1_EV_ERROR || ev == H1_EV_DONE || ev == H1_EV_NONE)
				break;
			at += used;
			/* body events depend on the cuts: only their bytes count */
			if (ev != H1_EV_BODY)
				mix(&o->hash, &ev, sizeof(ev));
			if (ev == H1_EV_STATUS) {
				mix(&o->hash, &e.status.code, sizeof(e.status.code));
				mix(&o->hash, e.status.reason, e.status.reason_len);
			} else if (ev == H1_EV_FIELD || ev == H1_EV_TRAILER) {
				mix(&o->hash, e.field.name, e.field.name_len);
				mix(&o->hash, ":", 1);
				mix(&o->hash, e.field.value, e.field.value_len);
			} else if (ev == H1_EV_HEADERS_DONE) {
				mix(&o->hash, &e.headers.body, sizeof(e.headers.body));
				mix(&o->hash, &e.headers.length, sizeof(e.headers.length));
				mix(&o->hash, &e.headers.keep_alive, sizeof(e.headers.keep_alive));
			} else if (ev == H1_EV_BODY) {
				CHECK(e.body.len && e.body.p >= in);
				CHECK(e.body.p + e.body.len <= in + at);
				for (size_t i = 0; i < e.body.len; i++)
					mix(&o->hash, e.body.p + i, 1);
			}
		}
		if (ev == H1_EV_DONE)
			at += used;
		if (ev == H1_EV_NONE) {
			CHECK(at + used == end);
			at = end;
			if (at == len)
				break;
		}
	}
	if (ev == H1_EV_NONE && eof)
		ev = h1_parse_eof(&p, &e);
	o->end = ev;
	o->reason = ev == H1_EV_ERROR ? e.reason : NULL;
	o->used = ev == H1_EV_DONE ? at : 0;
	if (ev == H1_EV_ERROR)
		CHECK(e.reason != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 4096, 256, 64, 24 };
	struct outcome a, b;
	bool head, eof;
	size_t piece, cap;

	if (size < 2)
		return 0;
	head = data[0] & 1;
	eof = data[0] & 2;
	cap = caps[(data[0] >> 2) & 3];
	piece = 1 + data[1] % 64;
	data += 2;
	size -= 2;

	parse(&a, data, size, size ? size : 1, head, eof, cap);
	parse(&b, data, size, piece, head, eof, cap);
	CHECK(a.hash == b.hash && a.end == b.end && a.used == b.used);
	CHECK(a.reason == b.reason);   /* the same static string */
	return 0;
}

#include "fuzz_main.h"
