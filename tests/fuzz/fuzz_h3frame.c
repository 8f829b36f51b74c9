/* libFuzzer harness for http3/h3frame (and the request rules it feeds).
 *
 * The first input byte picks the piece size the incremental reader gets
 * the rest in; the same bytes then go through the whole-frame parser,
 * and every frame it accepts must re-encode to one that parses the same.
 *
 * Build (from the top directory, after `make O=build/h-h3p ...`):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *     -imacros build/h-h3p/include/generated/autoconf.h \
 *     tests/fuzz/fuzz_h3frame.c http3/h3frame.c -o build/h-h3p/fuzz_h3frame
 *   build/h-h3p/fuzz_h3frame -max_len=4096 corpus_dir/
 * Without libFuzzer (gcc), add -DTERN_FUZZ_MAIN: the program then runs
 * each file named on its command line once, then -runs=N mutants of them
 * (tests/fuzz/fuzz_main.h). `make fuzz` and `make fuzz-replay` do all
 * this (tests/fuzz/fuzz.mk); the seeds: tests/fuzz/make_seeds.py DIR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http3/h3frame.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void settings_equal(const struct h3_settings *a, const struct h3_settings *b)
{
	CHECK(a->qpack_max_table_capacity == b->qpack_max_table_capacity);
	CHECK(a->max_field_section_size == b->max_field_section_size);
	CHECK(a->qpack_blocked_streams == b->qpack_blocked_streams);
	CHECK(a->enable_connect_protocol == b->enable_connect_protocol);
	CHECK(a->h3_datagram == b->h3_datagram);
}

static void reencode(const struct h3_frame *f)
{
	static uint8_t buf[8192];
	struct buf_writer w;
	struct buf_reader r;
	struct h3_frame g;

	if (f->type == H3_FRAME_PUSH_PROMISE)
		return;   /* parse only */
	buf_writer_init(&w, buf, sizeof(buf));
	if (h3_frame_write(&w, f))
		return;   /* larger than buf */
	buf_reader_init(&r, buf, buf_written(&w));
	CHECK(h3_frame_parse(&r, &g) == 0 && !buf_left(&r));
	CHECK(g.type == f->type);
	if (f->type == H3_FRAME_SETTINGS)
		settings_equal(&f->settings, &g.settings);
	else if (f->type == H3_FRAME_GOAWAY || f->type == H3_FRAME_MAX_PUSH_ID ||
		 f->type == H3_FRAME_CANCEL_PUSH)
		CHECK(f->goaway.id == g.goaway.id);
	else
		CHECK(f->data.len == g.data.len && !memcmp(f->data.p, g.data.p, f->data.len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rbuf[1024];
	struct h3_frame_reader rd;
	enum h3_req_rx st = H3_REQ_RX_HEADERS;
	struct h3_ctrl_rx ctrl = { false };
	size_t piece, at = 0;
	int err = 0;

	if (!size)
		return 0;
	piece = 1 + data[0] % 32;
	data++;
	size--;

	h3_frame_reader_init(&rd, rbuf, sizeof(rbuf));
	while (at < size && !err) {
		size_t n = size - at < piece ? size - at : piece;
		struct buf_reader r;
		struct h3_rd_event ev;

		buf_reader_init(&r, data + at, n);
		do {
			err = h3_frame_read(&rd, &r, &ev);
			if (err)
				break;
			if (ev.kind == H3_RD_START) {
				/* the rules never crash and give only their codes */
				int e1 = h3_req_rx_frame(&st, ev.f.type);
				int e2 = h3_ctrl_rx_frame(&ctrl, ev.f.type, true);

				CHECK(!e1 || e1 == H3_FRAME_UNEXPECTED);
				CHECK(!e2 || e2 == H3_FRAME_UNEXPECTED ||
				      e2 == H3_MISSING_SETTINGS);
			}
			if (ev.kind == H3_RD_DATA)
				CHECK(ev.f.data.p >= data + at &&
				      ev.f.data.p + ev.f.data.len <= data + at + n);
		} while (ev.kind != H3_RD_NONE);
		at += n;
	}
	CHECK(!err || err == H3_FRAME_ERROR || err == H3_FRAME_UNEXPECTED ||
	      err == H3_EXCESSIVE_LOAD || err == H3_SETTINGS_ERROR);

	struct buf_reader r;

	buf_reader_init(&r, data, size);
	while (buf_left(&r)) {
		struct h3_frame f;

		if (h3_frame_parse(&r, &f))
			break;
		reencode(&f);
	}
	return 0;
}

#include "fuzz_main.h"
