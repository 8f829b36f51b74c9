/* quic/ackrange: the packet numbers a connection has received in one
 * packet-number space, as ranges, for ACK frames (RFC 9000 13.2) and
 * duplicate detection (12.3: a packet number is used once; a duplicate
 * is dropped after decryption).
 *
 * Ranges are [lo, hi], sorted descending (the order of an ACK frame),
 * disjoint and never adjacent. Only QUIC_ACK_RANGES are kept: when one
 * more is needed the lowest (oldest) range is forgotten, and every
 * packet number at or below the forgotten range's top is then treated as
 * seen: old packets are dropped rather than processed twice (RFC 9000
 * 13.2.3 lets a receiver stop acknowledging old ranges).
 */
#ifndef TERN_QUIC_ACKRANGE_H
#define TERN_QUIC_ACKRANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QUIC_ACK_RANGES 16

struct quic_ackrange {
	uint8_t n;
	uint64_t floor;        /* every pn < floor counts as seen (0: none) */
	uint64_t r[QUIC_ACK_RANGES][2];
};

void quic_ackrange_init(struct quic_ackrange *a);
/* Has pn been received (or forgotten as old)? */
bool quic_ackrange_seen(const struct quic_ackrange *a, uint64_t pn);
/* Record pn. true if it is new, false for a duplicate (nothing changes). */
bool quic_ackrange_add(struct quic_ackrange *a, uint64_t pn);
/* The largest packet number received; false if none. */
bool quic_ackrange_largest(const struct quic_ackrange *a, uint64_t *pn);
/* Forget every pn <= pn (after an ACK of ours that carried them was
 * itself acknowledged, RFC 9000 13.2.4). */
void quic_ackrange_forget_below(struct quic_ackrange *a, uint64_t pn);

#endif
