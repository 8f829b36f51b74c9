/* quic/cid: the endpoint's connection-ID table: datagram routing by
 * Destination Connection ID (DESIGN.md 2) to a connection handle.
 *
 * Open addressing with linear probing over a power-of-two array sized for
 * every connection's CIDs (CONFIG_POOL_CIDS_PER_CONN, plus the client's
 * original DCID while it still routes) at a load of at most 1/2; the
 * hash is SipHash-2-4 under a key the endpoint draws at start, because
 * clients choose the CIDs of their first Initials. Deletion shifts the
 * following entries back (no tombstones), so lookups stay short however
 * many connections come and go. No allocation: the table lives inside
 * its endpoint.
 *
 * A connection removes its CIDs before its memory is released
 * (DESIGN.md 4.1); quic_cid_count_conn() lets tests check that no stale
 * entry is left.
 */
#ifndef TERN_QUIC_CID_H
#define TERN_QUIC_CID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/kconfig.h"
#include "lib/pool.h"
#include "quic/quic-t.h"

/* CIDs the table must hold: each connection's issued ones plus one. */
#define QUIC_CID_CAPACITY (CONFIG_POOL_CONNECTIONS * (CONFIG_POOL_CIDS_PER_CONN + 1))
/* The next power of two at or above x (x >= 2, < 2^31), as a constant. */
#define QUIC_POW2_(x) ((((x) - 1) | ((x) - 1) >> 1 | ((x) - 1) >> 2 | ((x) - 1) >> 4 | \
			((x) - 1) >> 8 | ((x) - 1) >> 16) + 1)
#define QUIC_CID_SLOTS QUIC_POW2_(2 * QUIC_CID_CAPACITY)

struct quic_cid_slot {
	uint8_t used;
	uint8_t len;
	uint8_t b[QUIC_MAX_CID_LEN];
	pool_handle_t conn;
};

struct quic_cid_table {
	uint8_t key[16];
	uint32_t count;
	uint32_t max_probe;   /* longest probe sequence seen (stats) */
	struct quic_cid_slot slot[QUIC_CID_SLOTS];
};

void quic_cid_table_init(struct quic_cid_table *t, const uint8_t key[16]);

/* 0, or -1: already present (for any connection), table full, or a
 * zero-length or too long CID (those cannot route). */
int quic_cid_add(struct quic_cid_table *t, const struct quic_cid *cid, pool_handle_t conn);
/* 0, or -1 if cid is not in the table. */
int quic_cid_remove(struct quic_cid_table *t, const struct quic_cid *cid);
/* The connection cid[0..len) routes to; POOL_HANDLE_NONE if none. */
pool_handle_t quic_cid_lookup(const struct quic_cid_table *t, const uint8_t *cid, size_t len);
/* Remove every CID of conn; returns how many there were. */
size_t quic_cid_remove_conn(struct quic_cid_table *t, pool_handle_t conn);
/* How many CIDs route to conn (a walk of the whole table). */
size_t quic_cid_count_conn(const struct quic_cid_table *t, pool_handle_t conn);

#endif
