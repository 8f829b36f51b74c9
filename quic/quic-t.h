/* quic/quic-t.h: types shared by the QUIC modules (packet, frame,
 * tparams, conn, endpoint). */
#ifndef TERN_QUIC_QUIC_T_H
#define TERN_QUIC_QUIC_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "quic/error.h"
#include "quic/protect-t.h"  /* QUIC_VERSION_1/2, QUIC_MAX_CID_LEN */

/* A connection ID (RFC 9000 5.1): 0..20 bytes. */
struct quic_cid {
	uint8_t len;
	uint8_t b[QUIC_MAX_CID_LEN];
};

/* The ECN field of a datagram (RFC 3168). */
#define QUIC_ECN_NOT_ECT 0
#define QUIC_ECN_ECT1    1
#define QUIC_ECN_ECT0    2
#define QUIC_ECN_CE      3

static inline bool quic_cid_equal(const struct quic_cid *a, const struct quic_cid *b)
{
	return a->len == b->len && !memcmp(a->b, b->b, a->len);
}

/* Packet types, version independent (v1 and v2 encode the long-header
 * types differently, RFC 9369 3.2; quic/packet maps them). */
enum quic_pkt_type {
	QUIC_PKT_INITIAL,
	QUIC_PKT_0RTT,
	QUIC_PKT_HANDSHAKE,
	QUIC_PKT_RETRY,
	QUIC_PKT_VERSION_NEGOTIATION,
	QUIC_PKT_1RTT,   /* short header */
};

/* The three packet-number spaces (RFC 9000 12.3); 0-RTT and 1-RTT share
 * the application space. */
enum quic_pn_space {
	QUIC_SPACE_INITIAL,
	QUIC_SPACE_HANDSHAKE,
	QUIC_SPACE_APP,
	QUIC_SPACE_COUNT,
};

/* Encryption levels (RFC 9001 4.1.4), numbered as wolfSSL's
 * WOLFSSL_ENCRYPTION_LEVEL. The early-data level carries 0-RTT and is
 * used only with CONFIG_QUIC_0RTT. */
enum quic_level {
	QUIC_LEVEL_INITIAL,
	QUIC_LEVEL_EARLY,
	QUIC_LEVEL_HANDSHAKE,
	QUIC_LEVEL_APP,
	QUIC_LEVEL_COUNT,
};

#define QUIC_STATELESS_RESET_TOKEN_LEN 16
#define QUIC_MIN_INITIAL_DATAGRAM      1200  /* RFC 9000 14.1 */
#define QUIC_MAX_PN                    ((UINT64_C(1) << 62) - 1)

#endif
