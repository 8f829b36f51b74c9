/* quic/packet: QUIC packet headers (RFC 9000 section 17, the version
 * independent invariants of RFC 8999, the v2 long-header types of RFC 9369
 * 3.2) and packet numbers (RFC 9000 17.1, A.2, A.3).
 *
 * The parser reads the header as it is on the wire, still under header
 * protection: the packet number, its length and the reserved bits are only
 * known after quic_hp_remove() (quic/protect.h). Receiving:
 *
 *   for (off = 0; off < dlen; off += h.len) {
 *           if (quic_pkt_parse(d + off, dlen - off, my_cid_len, &h))
 *                   break;  (drop the rest of the datagram, RFC 9000 12.2)
 *           pnlen = quic_hp_remove(hp, d + off, h.pn_offset, h.len, &tpn);
 *           if (quic_pkt_check_reserved(d[off])) -> PROTOCOL_VIOLATION
 *           pn = quic_pn_decode(largest, tpn, pnlen);
 *           ...
 *   }
 *
 * Sending a long header packet at p (offsets are from p):
 *
 *   quic_pkt_write_long(&w, type, ver, &dcid, &scid, tok, toklen, pn, pnlen,
 *                       &length_pos, &pn_offset);
 *   (frames, then 16 bytes for the tag)
 *   quic_pkt_set_length(p, length_pos, pnlen + payload + 16);
 *   (seal, then quic_hp_apply(hp, p, pn_offset, ...))
 */
#ifndef TERN_QUIC_PACKET_H
#define TERN_QUIC_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "quic/quic-t.h"

/* The shortest protected payload after the packet number offset: header
 * protection samples 16 bytes, 4 bytes past it (RFC 9001 5.4.2). */
#define QUIC_PKT_MIN_PROTECTED (4 + 16)
/* Length fields are written as 2-byte varints: below 16384. */
#define QUIC_PKT_LENGTH_MAX    16383

/* One parsed packet header. Pointers point into the parsed datagram. */
struct quic_pkt_hdr {
	enum quic_pkt_type type;
	uint32_t version;          /* 0 for short headers and VN */
	size_t pn_offset;          /* 0 for Retry, VN and unknown versions */
	size_t len;                /* the packet's bytes in the datagram */
	const uint8_t *token;      /* Initial token, Retry token */
	size_t token_len;
	const uint8_t *versions;   /* VN: n_versions big-endian 32-bit words */
	size_t n_versions;
	/* An unknown version (RFC 8999 5.1): only version and the CIDs are
	 * parsed; type says nothing and len is the rest of the datagram. Its
	 * CIDs may be up to 255 bytes; dcid/scid hold copies when they fit in
	 * 20 bytes, cid_too_long is set when they do not. */
	bool unknown_version;
	bool cid_too_long;
	uint8_t first;             /* the first byte, still protected */
	struct quic_cid dcid, scid;
};

static inline bool quic_pkt_is_long(uint8_t first)
{
	return first & 0x80;
}

/* The n-th version of a Version Negotiation list. */
static inline uint32_t quic_pkt_vn_version(const struct quic_pkt_hdr *h, size_t i)
{
	const uint8_t *p = h->versions + 4 * i;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Parse the header of the packet at d, len bytes left in the datagram;
 * short_dcid_len is the length of our CIDs (short headers carry none). 0, or
 * -1: drop it (and, for a coalesced packet, the rest of the datagram). */
int quic_pkt_parse(const uint8_t *d, size_t len, size_t short_dcid_len,
		   struct quic_pkt_hdr *h);

/* After header protection is removed: QUIC_PROTOCOL_VIOLATION if the
 * reserved bits are not zero (RFC 9000 17.2, 17.3.1), else QUIC_NO_ERROR.
 * Only for Initial, 0-RTT, Handshake and 1-RTT packets. */
enum quic_error quic_pkt_check_reserved(uint8_t first);

/* The packet number space of a packet type; QUIC_SPACE_COUNT for Retry and
 * Version Negotiation, which have none. */
enum quic_pn_space quic_pkt_space(enum quic_pkt_type type);

/* The unprotected header of an Initial, 0-RTT or Handshake packet of
 * version v1 or v2, with a 2-byte Length placeholder and the low pn_len
 * (1..4) bytes of pn. *length_pos and *pn_offset are offsets from the first
 * byte written. A token is allowed for Initial only. 0, or -1 (bad
 * argument: nothing written; no room: w->err). */
int quic_pkt_write_long(struct buf_writer *w, enum quic_pkt_type type, uint32_t version,
			const struct quic_cid *dcid, const struct quic_cid *scid,
			const uint8_t *token, size_t token_len, uint64_t pn, size_t pn_len,
			size_t *length_pos, size_t *pn_offset);
/* Fill in the Length: pn_len + payload + 16-byte tag. -1 if it is not
 * below 16384. */
int quic_pkt_set_length(uint8_t *pkt, size_t length_pos, size_t length);

/* The unprotected short header; *pn_offset as above. */
int quic_pkt_write_short(struct buf_writer *w, const struct quic_cid *dcid, bool key_phase,
			 bool spin, uint64_t pn, size_t pn_len, size_t *pn_offset);

/* A Version Negotiation packet (RFC 9000 17.2.1) listing n >= 1 versions;
 * dcid/scid are the client's scid/dcid. The unused bits come from
 * random_byte, with 0x40 set (17.2.1 SHOULD). Its length, or 0. */
size_t quic_pkt_write_version_negotiation(uint8_t *out, size_t cap, const struct quic_cid *dcid,
					  const struct quic_cid *scid, const uint32_t *versions,
					  size_t n, uint8_t random_byte);

/* A Retry packet (RFC 9000 17.2.5) with its integrity tag, in answer to an
 * Initial whose DCID was odcid; the token must not be empty. Its length,
 * or 0. */
size_t quic_pkt_write_retry(uint8_t *out, size_t cap, uint32_t version,
			    const struct quic_cid *dcid, const struct quic_cid *scid,
			    const struct quic_cid *odcid, const uint8_t *token, size_t token_len);

/* Bytes (1..4) to send pn with: more than twice the range of packet
 * numbers not yet acknowledged (RFC 9000 17.1). largest_acked is
 * UINT64_MAX before anything is acknowledged. */
size_t quic_pn_encode_len(uint64_t pn, uint64_t largest_acked);

/* The full packet number (RFC 9000 A.3) of the pn_len-byte truncated one,
 * nearest the largest received so far (UINT64_MAX if none). A result above
 * QUIC_MAX_PN cannot be a real packet number: drop the packet. UINT64_MAX
 * for a pn_len outside 1..4. */
uint64_t quic_pn_decode(uint64_t largest_pn, uint64_t truncated, size_t pn_len);

#endif
