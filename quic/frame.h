/* quic/frame: parse and build the frames of RFC 9000 section 19.
 *
 * Parsing is zero copy: STREAM, CRYPTO, NEW_TOKEN data and the
 * CONNECTION_CLOSE reason point into the packet buffer, and an ACK keeps
 * its additional ranges in their encoded form (walk them with
 * quic_ack_iter), so any number of ranges needs no array.
 *
 * quic_frame_parse checks everything a frame says about itself: the
 * encoding, the value limits of section 19 and the packet types a frame
 * may appear in (12.4, Table 3). It does not check anything that needs
 * connection state or the endpoint's role (a server receiving
 * HANDSHAKE_DONE or NEW_TOKEN, a stream ID the peer may not use, flow
 * control): the connection does that.
 *
 * Receiving, for each decrypted payload:
 *   buf_reader_init(&r, payload, len);
 *   while (buf_left(&r)) {
 *           err = quic_frame_parse(&r, pkt_type, &f);
 *           if (err) close the connection with err;
 *           handle f;
 *   }
 * Sending: quic_frame_write() or the helpers below into a struct
 * buf_writer. A builder that fails writes nothing (the cursor stays where
 * it was) and sets w->err.
 */
#ifndef TERN_QUIC_FRAME_H
#define TERN_QUIC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "quic/quic-t.h"

enum quic_frame_type {
	QUIC_FRAME_PADDING              = 0x00,
	QUIC_FRAME_PING                 = 0x01,
	QUIC_FRAME_ACK                  = 0x02,
	QUIC_FRAME_ACK_ECN              = 0x03,
	QUIC_FRAME_RESET_STREAM         = 0x04,
	QUIC_FRAME_STOP_SENDING         = 0x05,
	QUIC_FRAME_CRYPTO               = 0x06,
	QUIC_FRAME_NEW_TOKEN            = 0x07,
	QUIC_FRAME_STREAM               = 0x08,  /* 0x08..0x0f: | OFF | LEN | FIN */
	QUIC_FRAME_STREAM_LAST          = 0x0f,
	QUIC_FRAME_MAX_DATA             = 0x10,
	QUIC_FRAME_MAX_STREAM_DATA      = 0x11,
	QUIC_FRAME_MAX_STREAMS_BIDI     = 0x12,
	QUIC_FRAME_MAX_STREAMS_UNI      = 0x13,
	QUIC_FRAME_DATA_BLOCKED         = 0x14,
	QUIC_FRAME_STREAM_DATA_BLOCKED  = 0x15,
	QUIC_FRAME_STREAMS_BLOCKED_BIDI = 0x16,
	QUIC_FRAME_STREAMS_BLOCKED_UNI  = 0x17,
	QUIC_FRAME_NEW_CONNECTION_ID    = 0x18,
	QUIC_FRAME_RETIRE_CONNECTION_ID = 0x19,
	QUIC_FRAME_PATH_CHALLENGE       = 0x1a,
	QUIC_FRAME_PATH_RESPONSE        = 0x1b,
	QUIC_FRAME_CONNECTION_CLOSE     = 0x1c,
	QUIC_FRAME_CONNECTION_CLOSE_APP = 0x1d,
	QUIC_FRAME_HANDSHAKE_DONE       = 0x1e,
};

/* STREAM type bits (RFC 9000 19.8) */
#define QUIC_FRAME_STREAM_OFF 0x04
#define QUIC_FRAME_STREAM_LEN 0x02
#define QUIC_FRAME_STREAM_FIN 0x01

#define QUIC_FRAME_IS_STREAM(t) (((t) & ~(uint64_t)0x07) == QUIC_FRAME_STREAM)

/* The largest MAX_STREAMS / STREAMS_BLOCKED count (19.11, 19.14). */
#define QUIC_MAX_STREAMS_LIMIT (UINT64_C(1) << 60)

struct quic_frame_ack {
	uint64_t largest;
	uint64_t ack_delay;        /* as sent: not scaled by ack_delay_exponent */
	uint64_t first_range;
	uint64_t range_count;      /* (gap, length) pairs after the first range */
	const uint8_t *ranges;     /* their encoding, ranges_len bytes */
	size_t ranges_len;
	uint64_t ect0, ect1, ce;   /* ACK_ECN only */
};

/* One frame. type is an enum quic_frame_type value; a STREAM frame keeps
 * its OFF, LEN and FIN bits in it. Fields not named for a type are
 * unused. */
struct quic_frame {
	uint8_t type;
	union {
		/* consecutive PADDING bytes, collapsed into one frame */
		struct { size_t count; } padding;
		struct quic_frame_ack ack;
		struct { uint64_t stream_id, error, final_size; } reset_stream;
		struct { uint64_t stream_id, error; } stop_sending;
		/* CRYPTO; STREAM also uses stream_id (offset is 0 without OFF) */
		struct {
			uint64_t stream_id, offset;
			const uint8_t *data;
			size_t len;
		} stream, crypto;
		struct { const uint8_t *token; size_t len; } new_token;
		/* stream_id for MAX_STREAM_DATA, STREAM_DATA_BLOCKED only */
		struct { uint64_t stream_id, max; } max_data, max_stream_data, max_streams;
		struct { uint64_t stream_id, limit; } data_blocked, stream_data_blocked,
			streams_blocked;
		struct {
			uint64_t seq, retire_prior_to;
			struct quic_cid cid;
			uint8_t reset_token[QUIC_STATELESS_RESET_TOKEN_LEN];
		} new_cid;
		struct { uint64_t seq; } retire_cid;
		struct { uint8_t data[8]; } path;  /* PATH_CHALLENGE, PATH_RESPONSE */
		struct {
			uint64_t error;
			uint64_t frame_type;  /* 0x1c only */
			const uint8_t *reason;
			size_t reason_len;
		} close;
	};
};

/* Parse the frame at the cursor, as received in a packet of type pkt.
 * Returns 0 with the cursor after the frame, or the transport error to
 * close the connection with (the cursor is then undefined):
 * FRAME_ENCODING_ERROR for a truncated or malformed frame, an unknown
 * type or a value out of its range; PROTOCOL_VIOLATION for a frame type
 * not in its shortest encoding or not allowed in pkt. */
int quic_frame_parse(struct buf_reader *r, enum quic_pkt_type pkt, struct quic_frame *f);

/* May a frame of this type appear in a packet of type pkt? RFC 9000 12.4
 * Table 3, with 17.2.3's list for 0-RTT (which also excludes
 * RETIRE_CONNECTION_ID: a client cannot have the server's CIDs yet). */
bool quic_frame_permitted(uint64_t type, enum quic_pkt_type pkt);

/* RFC 9002 2: everything but ACK, PADDING and CONNECTION_CLOSE elicits an
 * ACK; a packet is in flight if it holds an ack-eliciting frame or
 * PADDING. */
bool quic_frame_ack_eliciting(uint64_t type);
bool quic_frame_in_flight(uint64_t type);

/* Walk a parsed ACK's ranges from the largest down. For a frame that
 * quic_frame_parse accepted, next yields range_count + 1 ranges and never
 * fails; on a malformed hand-made frame it stops at the first bad range. */
struct quic_ack_iter {
	struct buf_reader r;
	uint64_t hi, len, left;
};

void quic_ack_iter_init(struct quic_ack_iter *it, const struct quic_frame *ack);
bool quic_ack_iter_next(struct quic_ack_iter *it, uint64_t *lo, uint64_t *hi);

/* Append f (any type, every field as quic_frame_parse would return it,
 * varints in their shortest form). A STREAM frame without the LEN bit
 * runs to the end of the packet: it must be the last frame. A frame the
 * parser would reject (a value out of range, ACK ranges that are not a
 * valid encoding, an offset without the OFF bit, PADDING of count 0) is
 * refused like one that does not fit. Returns 0, or -1 with w->err set
 * and nothing written. */
int quic_frame_write(struct buf_writer *w, const struct quic_frame *f);

/* The bytes quic_frame_write would append for f; 0 if it would refuse f. */
size_t quic_frame_size(const struct quic_frame *f);

/* An ACK (ACK_ECN if ecn, the counts ect0, ect1, ce) of ranges[i] =
 * {lo, hi}, sorted from the highest, disjoint and not adjacent. Writes
 * the first range and as many after it as fit; returns how many ranges
 * it wrote, 0 (w->err set, nothing written) if not even the first fits
 * or the ranges are not in that form. */
size_t quic_frame_write_ack(struct buf_writer *w, const uint64_t (*ranges)[2], size_t n,
			    uint64_t ack_delay, const uint64_t *ecn);

/* How many of data_len bytes a STREAM frame for stream_id at offset can
 * carry in avail bytes (header included), with *use_len telling whether
 * it has the LEN bit. Without it the frame fills avail exactly and must
 * end the packet; with it all data_len bytes fit, or the most that fit
 * with a length field (leaving fewer bytes than one more data byte
 * would need). 0: no data byte fits (for a FIN-only frame of data_len 0,
 * check quic_frame_size() against avail). */
size_t quic_frame_stream_fit(uint64_t stream_id, uint64_t offset, size_t avail,
			     size_t data_len, bool *use_len);

/* The same for a CRYPTO frame, which always has a length. */
size_t quic_frame_crypto_fit(uint64_t offset, size_t avail, size_t data_len);

#endif
