/* http3/qpack: QPACK field compression for HTTP/3 (RFC 9204).
 *
 * A connection holds one struct qpack_decoder (for the peer's field
 * sections and its encoder stream) and one struct qpack_encoder (for
 * ours), by value; types in http3/qpack-t.h. Neither allocates, calls
 * a clock or keeps a pointer to anything of the caller's. The HTTP/3
 * layer moves bytes between them and the streams:
 *
 * Decoding (the peer's requests):
 *   qpack_decoder_init(&d, CONFIG_H3_QPACK_TABLE_CAPACITY, CONFIG_H3_QPACK_BLOCKED_STREAMS);
 *   advertise d.max_capacity and d.max_blocked (and d.max_field_section) in SETTINGS
 *   peer encoder stream bytes   -> qpack_decoder_feed(&d, p, n)          (any split)
 *   a HEADERS frame's payload   -> qpack_decode(&d, stream_id, p, n, &list)
 *         QPACK_BLOCKED: keep the payload; after later feeds,
 *         qpack_decoder_unblocked() names the streams to decode again
 *   stream reset / abandoned    -> qpack_decoder_cancel_stream(&d, stream_id)
 *   then, when qpack_decoder_has_output(&d):
 *         qpack_decoder_write(&d, &w) -> our decoder stream
 *
 * Encoding (our responses):
 *   qpack_encoder_init(&e);
 *   the peer's SETTINGS         -> qpack_encoder_set_peer_settings(&e, capacity, blocked)
 *   qpack_encode(&e, stream_id, fields, n, &frame_writer, &encoder_stream_writer)
 *   peer decoder stream bytes   -> qpack_encoder_feed(&e, p, n)          (any split)
 *
 * The encoder uses the dynamic table only once the peer's SETTINGS allow
 * it (capacity > 0), and inserts fields it has seen before (the second
 * "server: tern" is inserted, a unique "date" never is). It references
 * an entry the decoder has not acknowledged only within the peer's
 * blocked-streams limit, never references an entry it may have to evict
 * soon (the oldest quarter of the table: it duplicates it instead), and
 * never evicts an entry that an unacknowledged section references.
 *
 * Every error is one of the three RFC 9204 section 6 codes and closes the
 * connection; it is sticky (every later call returns it). Other
 * statuses are in enum qpack_status. Not checked here: the HTTP rules on
 * names and values (lowercase, pseudo-headers; http3/h3msg does that).
 */
#ifndef TERN_HTTP3_QPACK_H
#define TERN_HTTP3_QPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http3/qpack-t.h"
#include "lib/buf.h"

/* ---------------------------------------------------------------- decoder */

/* Our decoder, advertising a dynamic table of max_capacity bytes and
 * max_blocked blocked streams (each clamped to its CONFIG_ value). */
void qpack_decoder_init(struct qpack_decoder *d, uint64_t max_capacity, uint32_t max_blocked);

/* Bytes of the peer's encoder stream, in order, split anywhere: an
 * instruction cut short is resumed by the next call. QPACK_OK or
 * QPACK_ENCODER_STREAM_ERROR (a capacity above ours, a bad index, an
 * entry larger than the capacity, bad Huffman, an integer past 62 bits). */
int qpack_decoder_feed(struct qpack_decoder *d, const uint8_t *p, size_t n);

/* Decode one whole encoded field section (a HEADERS frame's payload)
 * received on stream_id into out (set up with qpack_field_list_init).
 * QPACK_OK: out holds the fields, in order; a Section Acknowledgment is
 *   queued if the section used the dynamic table.
 * QPACK_BLOCKED: the stream waits for entries (nothing decoded); call
 *   again with the same bytes once qpack_decoder_unblocked() lists it.
 * QPACK_TOO_LARGE: see enum qpack_status (fields incomplete; the
 *   section was valid and is acknowledged like a decoded one).
 * QPACK_NO_BUFFER: the queue of decoder-stream instructions is full:
 *   nothing was done; qpack_decoder_write() and call again.
 * QPACK_DECOMPRESSION_FAILED: malformed or truncated section, invalid
 *   Required Insert Count or Base, a reference to an entry that is
 *   evicted, past the Required Insert Count or not in the static table,
 *   bad Huffman, an integer past 62 bits, a Required Insert Count larger
 *   than the section needed, or one blocked stream more than advertised. */
int qpack_decode(struct qpack_decoder *d, uint64_t stream_id, const uint8_t *p, size_t n,
		 struct qpack_field_list *out);

/* Up to max blocked streams that can now be decoded (their Required
 * Insert Count has arrived), into ids; returns how many. Call it after
 * every qpack_decoder_feed() and decode them again (or note them): the
 * decoder lists them until qpack_decode succeeds on them or they are
 * cancelled, but no longer counts them as blocked, and may forget them
 * when another stream blocks and needs their place. */
size_t qpack_decoder_unblocked(const struct qpack_decoder *d, uint64_t *ids, size_t max);

/* The stream was reset or its reading abandoned before all its sections
 * were decoded (RFC 9204 2.2.2.2): forget it if blocked, and queue a
 * Stream Cancellation (not needed, so not sent, when our capacity is 0).
 * QPACK_OK, or QPACK_NO_BUFFER when the queue is full (nothing done). */
int qpack_decoder_cancel_stream(struct qpack_decoder *d, uint64_t stream_id);

/* Does the decoder have instructions to write? */
bool qpack_decoder_has_output(const struct qpack_decoder *d);

/* Write pending decoder-stream instructions into w, whole ones only and
 * as many as fit: acknowledgments and cancellations in the order they
 * arose, then an Insert Count Increment for entries no acknowledgment
 * covered. Returns the bytes written (w->err is never set; what did not
 * fit waits for the next call). */
size_t qpack_decoder_write(struct qpack_decoder *d, struct buf_writer *w);

static inline void qpack_field_list_init(struct qpack_field_list *l, struct qpack_field *fields,
					 size_t max_fields, uint8_t *arena, size_t arena_cap)
{
	l->fields = fields;
	l->max_fields = max_fields;
	l->count = 0;
	l->arena = arena;
	l->arena_cap = arena_cap;
	l->arena_len = 0;
	l->section_size = 0;
}

/* ---------------------------------------------------------------- encoder */

/* Our encoder: static table and literals until the peer's SETTINGS. */
void qpack_encoder_init(struct qpack_encoder *e);

/* The peer's SETTINGS_QPACK_MAX_TABLE_CAPACITY and
 * SETTINGS_QPACK_BLOCKED_STREAMS (0 when absent). Call once, when its
 * SETTINGS frame arrives. */
void qpack_encoder_set_peer_settings(struct qpack_encoder *e, uint64_t max_capacity,
				     uint64_t blocked_streams);

/* Encode fields[0..n) for stream_id: the encoded field section (the
 * HEADERS payload) is appended to sec, instructions for the encoder
 * stream to enc. enc may be NULL or have no room: the encoder then
 * inserts nothing (instructions are written whole, and only when they
 * fit: give it the encoder stream's flow-control credit).
 * QPACK_OK, or QPACK_NO_BUFFER when the section does not fit in sec
 * (sec unchanged, sec->err set). Either way, whatever was appended to
 * enc is part of the encoder stream and must be sent.
 * QPACK_DECODER_STREAM_ERROR if the encoder already failed. */
int qpack_encode(struct qpack_encoder *e, uint64_t stream_id, const struct qpack_field *fields,
		 size_t n, struct buf_writer *sec, struct buf_writer *enc);

/* Bytes of the peer's decoder stream, in order, split anywhere. QPACK_OK
 * or QPACK_DECODER_STREAM_ERROR (an acknowledgment for a stream with no
 * section outstanding, an Insert Count Increment of 0 or past what we
 * inserted, an integer past 62 bits). */
int qpack_encoder_feed(struct qpack_encoder *e, const uint8_t *p, size_t n);

/* Lower level (tests, speculative inserts): insert f into the table now,
 * its name by static or dynamic reference when there is one, preceded
 * by Set Dynamic Table Capacity if not sent yet. QPACK_OK with its
 * absolute index in *abs; QPACK_NO_BUFFER when the peer allows no table,
 * the entry would need evicting an entry still referenced or not
 * acknowledged, or enc has no room (nothing written). */
int qpack_encoder_insert(struct qpack_encoder *e, const struct qpack_field *f,
			 struct buf_writer *enc, uint64_t *abs);

/* The same for a Duplicate of the live entry abs. */
int qpack_encoder_duplicate(struct qpack_encoder *e, uint64_t abs, struct buf_writer *enc,
			    uint64_t *new_abs);

/* ---------------------------------------------------------------- primitives */

/* Prefixed integers (RFC 7541 5.1) with an n-bit prefix (1..8): the
 * bytes v takes; append v, the bits above the prefix in the first byte
 * taken from first; read one (QPACK_OK, or -1 when r runs out, -2 when
 * the value passes QPACK_INT_MAX or takes more than 9 bytes after the
 * prefix; r->err is set either way). */
size_t qpack_int_len(unsigned n, uint64_t v);
void qpack_put_int(struct buf_writer *w, uint8_t first, unsigned n, uint64_t v);
int qpack_get_int(struct buf_reader *r, unsigned n, uint64_t *v);

#define QPACK_INT_TRUNCATED (-1)
#define QPACK_INT_OVERFLOW  (-2)

/* A string literal (RFC 9204 4.1.2) whose length has an (n-1)-bit prefix
 * and whose H flag is bit n-1 of the first byte (n in 2..8), the bits
 * above it from first: Huffman-coded if huffman is true. */
void qpack_put_string(struct buf_writer *w, uint8_t first, unsigned n, const uint8_t *s,
		      size_t len, bool huffman);

/* Static table entry idx (0..98) into *f (flags 0); false past the end. */
bool qpack_static_get(uint64_t idx, struct qpack_field *f);

/* The static entry equal to (name, value), or -1; *name_idx gets an
 * entry with that name (-1 if none). */
int qpack_static_find(const uint8_t *name, size_t name_len, const uint8_t *value,
		      size_t value_len, int *name_idx);

#endif
