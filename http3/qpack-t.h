/* http3/qpack-t.h: QPACK (RFC 9204) types, apart from the functions
 * (http3/qpack.h) so that a connection can embed its encoder and decoder
 * by value without pulling in the API.
 *
 * Everything is sized at compile time: the dynamic table by
 * CONFIG_H3_QPACK_TABLE_CAPACITY, the blocked-stream list by
 * CONFIG_H3_QPACK_BLOCKED_STREAMS and the encoder's record of
 * unacknowledged sections by CONFIG_H3_QPACK_ENCODER_SECTIONS.
 */
#ifndef TERN_HTTP3_QPACK_T_H
#define TERN_HTTP3_QPACK_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http3/huffman.h"
#include "lib/kconfig.h"

/* What the qpack_* functions return. The three errors are the RFC 9204
 * section 6 codes (equal to H3_QPACK_* in http3/h3error.h): the
 * connection closes with them. The other values are not errors. */
enum qpack_status {
	QPACK_OK = 0,
	/* qpack_decode: the section needs dynamic table entries not received
	 * yet; the stream is now blocked. Keep the section and decode it
	 * again once qpack_decoder_unblocked() lists the stream. */
	QPACK_BLOCKED = 1,
	/* qpack_decode: the decoded section is larger than the decoder's
	 * max_field_section (or than the caller's field array or arena).
	 * The section was checked to its end and acknowledged; the fields are
	 * incomplete. The connection goes on: answer 431 (RFC 9114 4.2.2). */
	QPACK_TOO_LARGE = 2,
	/* An output buffer is too small: nothing was consumed or changed
	 * (see each function). Drain the output and call again. */
	QPACK_NO_BUFFER = 3,
	QPACK_DECOMPRESSION_FAILED = 0x200,
	QPACK_ENCODER_STREAM_ERROR = 0x201,
	QPACK_DECODER_STREAM_ERROR = 0x202,
};

static inline bool qpack_is_error(int status)
{
	return status >= QPACK_DECOMPRESSION_FAILED;
}

/* The largest integer QPACK decodes (RFC 9204 4.1.1: 62 bits). */
#define QPACK_INT_MAX ((UINT64_C(1) << 62) - 1)

/* Entries of the static table (RFC 9204 Appendix A). */
#define QPACK_STATIC_COUNT 99

/* Bytes an entry takes in the table besides its name and value (3.2.1). */
#define QPACK_ENTRY_OVERHEAD 32

/* Table storage; at least one element so that a static-only build
 * (capacity 0) still compiles to valid C. */
#define QPACK_TABLE_BYTES (CONFIG_H3_QPACK_TABLE_CAPACITY > 0 ? CONFIG_H3_QPACK_TABLE_CAPACITY : 1)
#define QPACK_TABLE_SLOTS (CONFIG_H3_QPACK_TABLE_CAPACITY >= QPACK_ENTRY_OVERHEAD ?           \
			   CONFIG_H3_QPACK_TABLE_CAPACITY / QPACK_ENTRY_OVERHEAD : 1)
#define QPACK_BLOCKED_SLOTS (CONFIG_H3_QPACK_BLOCKED_STREAMS > 0 ?                          \
			     CONFIG_H3_QPACK_BLOCKED_STREAMS : 1)

/* Decoder-stream instructions (acknowledgments, cancellations) the
 * decoder holds until qpack_decoder_write() sends them. */
#define QPACK_DECODER_PENDING 32

/* Fields the encoder remembers having seen once (its "insert what
 * repeats" policy). */
#define QPACK_ENCODER_SEEN 64

/* A field line: name and value as byte strings (not NUL-terminated).
 * The first four members are laid out like http3/h3msg's struct
 * h3_field. */
struct qpack_field {
	const uint8_t *name;
	size_t name_len;
	const uint8_t *value;
	size_t value_len;
	uint32_t flags;
};

/* The field must never be indexed, here or by any later hop (the N bit,
 * RFC 9204 4.5.4, 7.1.3). The decoder sets it as received; the encoder
 * then sends the field as a literal with N set and never inserts it. */
#define QPACK_FIELD_NEVER_INDEX 0x1

/* Where qpack_decode puts a decoded section: fields[0..count), their
 * strings in arena[0..arena_len) or in the static table (read-only,
 * valid for ever). An arena of max_field_section bytes and
 * max_field_section / 32 fields always suffice (each field counts its
 * name, its value and 32 bytes against the limit). */
struct qpack_field_list {
	struct qpack_field *fields;
	size_t max_fields;
	size_t count;
	uint8_t *arena;
	size_t arena_cap;
	size_t arena_len;
	/* RFC 9114 4.2.2: the sum over the fields of name + value + 32, as
	 * far as decoding got (all of it when the section was checked). */
	uint64_t section_size;
};

/* A dynamic table entry: its name, then its value, at ring[off...]
 * (wrapping at the end of the ring). 16 bits are enough: the capacity is
 * at most 32768 (http3/Kconfig). */
struct qpack_entry {
	uint16_t off;
	uint16_t name_len;
	uint16_t value_len;
};

/* A dynamic table (RFC 9204 3.2), the decoder's or the encoder's copy.
 * Entries are a FIFO: the live ones have absolute indices
 * [dropped, inserted), entry a in slot a % QPACK_TABLE_SLOTS. Their bytes
 * sit one after the other in a byte ring of the configured capacity,
 * oldest first: the sizes' 32-byte overhead per entry guarantees they
 * fit. */
struct qpack_table {
	uint64_t inserted;   /* Insert Count */
	uint64_t dropped;    /* entries evicted */
	uint32_t capacity;   /* as set by the encoder (Set Dynamic Table Capacity) */
	uint32_t size;       /* sum of name + value + 32 over the live entries */
	uint32_t head;       /* ring offset where the next entry's name goes */
	struct qpack_entry e[QPACK_TABLE_SLOTS];
	uint8_t ring[QPACK_TABLE_BYTES];
};

/* A prefixed integer (RFC 7541 5.1) arriving byte by byte. */
struct qpack_int_state {
	uint64_t v;
	uint8_t shift;
};

/* The decoder's parser of the peer's encoder stream: where it is inside
 * the current instruction. A string's decoded bytes go straight to the
 * table's ring after the head, so no instruction is ever buffered. */
struct qpack_es_parser {
	struct qpack_int_state in;   /* the integer being read */
	struct qpack_huff_dec huff;  /* the string being read, if Huffman */
	uint64_t str_left;           /* its encoded bytes still to come */
	uint32_t name_len;           /* decoded name bytes at the head so far */
	uint32_t value_len;          /* decoded value bytes after the name so far */
	uint8_t state;
	uint8_t op;                  /* the instruction's first byte */
	bool huffman;
};

/* An instruction for the decoder stream, waiting to be written: a
 * Section Acknowledgment of a section whose Required Insert Count was
 * ric, or a Stream Cancellation (ric 0). */
struct qpack_pending {
	uint64_t stream_id;
	uint64_t ric;
};

/* A stream blocked on its Required Insert Count. */
struct qpack_blocked {
	uint64_t stream_id;
	uint64_t ric;
};

struct qpack_decoder {
	struct qpack_table t;
	/* SETTINGS_QPACK_MAX_TABLE_CAPACITY and _BLOCKED_STREAMS we
	 * advertise: the limits the peer's encoder must keep */
	uint32_t max_capacity;
	uint32_t max_blocked;
	/* SETTINGS_MAX_FIELD_SECTION_SIZE we advertise (RFC 9114 4.2.2):
	 * init sets CONFIG_H3_MAX_FIELD_SECTION; the caller may change it */
	uint64_t max_field_section;
	/* the peer encoder's Known Received Count (2.1.4), as far as the
	 * instructions we have written tell it */
	uint64_t known_received;
	uint32_t n_blocked;
	uint32_t pend_head, pend_n;
	int err;                     /* sticky: the first connection error */
	struct qpack_es_parser es;
	struct qpack_blocked blocked[QPACK_BLOCKED_SLOTS];
	struct qpack_pending pend[QPACK_DECODER_PENDING];
};

/* A field section our encoder sent with dynamic references and the
 * decoder has not acknowledged: it holds entries [min_ref, ric) in the
 * table. */
struct qpack_enc_section {
	uint64_t stream_id;
	uint64_t ric;
	uint64_t min_ref;
};

/* Encoder policy flags (struct qpack_encoder.flags). */
#define QPACK_ENC_NO_HUFFMAN  0x1  /* send every string raw */
#define QPACK_ENC_INSERT_ALL  0x2  /* insert every field that may be, not only repeated ones */
#define QPACK_ENC_STATIC_ONLY 0x4  /* never use the dynamic table */

struct qpack_encoder {
	struct qpack_table t;
	/* the peer's SETTINGS (RFC 9204 5); 0 until they arrive */
	uint64_t peer_max_capacity;
	uint64_t peer_blocked;
	/* floor(peer_max_capacity / 32): the Required Insert Count modulus */
	uint64_t max_entries;
	/* the capacity we use: min(peer_max_capacity, ours); sent in a Set
	 * Dynamic Table Capacity before the first insert */
	uint32_t capacity;
	uint32_t flags;
	uint64_t known_received;     /* Known Received Count (2.1.4) */
	uint32_t n_sections;
	int err;                     /* sticky: the first connection error */
	/* the peer's decoder stream: an instruction split between reads */
	struct qpack_int_state ds;
	uint8_t ds_op;
	bool ds_mid;
	uint32_t seen[QPACK_ENCODER_SEEN];
	/* unacknowledged sections, oldest first */
	struct qpack_enc_section sections[CONFIG_H3_QPACK_ENCODER_SECTIONS];
};

#endif
