/* quic/token: what a server derives from its static secret (one 32-byte
 * key shared by every instance behind the same address, so they agree):
 *
 * - stateless reset tokens (RFC 9000 10.3): HMAC-SHA-256 of the CID under
 *   a key derived from the secret, first 16 bytes; no state per CID;
 * - address validation tokens (RFC 9000 8.1): Retry tokens carrying the
 *   original DCID and the Retry's SCID (for the transport parameters,
 *   7.3), and NEW_TOKEN tokens for later connections. Both are AEAD
 *   protected (AES-128-GCM), bound to the client address through the
 *   associated data, and carry an expiry time.
 *
 * Token layout: kind (1) || nonce (12) || sealed(expiry (8, ns) ||
 * odcid len (1) || odcid || rscid len (1) || rscid) || tag (16); the
 * associated data is kind || the address bytes. The nonce comes from the
 * caller (the endpoint's random source), so tokens are deterministic in
 * the simulator. Time is the caller's nanosecond clock.
 */
#ifndef TERN_QUIC_TOKEN_H
#define TERN_QUIC_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto-t.h"
#include "quic/quic-t.h"

#define QUIC_TOKEN_SECRET_LEN 32
#define QUIC_TOKEN_NONCE_LEN  CRYPTO_AEAD_NONCE_LEN
#define QUIC_TOKEN_MAX_LEN \
	(1 + QUIC_TOKEN_NONCE_LEN + 8 + 1 + QUIC_MAX_CID_LEN + 1 + QUIC_MAX_CID_LEN + \
	 CRYPTO_AEAD_TAG_LEN)
#define QUIC_TOKEN_MAX_ADDR   32  /* longest address binding (IPv6 + port, ...) */

enum quic_token_kind {
	QUIC_TOKEN_RETRY = 1,
	QUIC_TOKEN_NEW   = 2,  /* sent in NEW_TOKEN */
};

struct quic_token_key {
	struct crypto_aead_ctx aead;
	uint8_t reset_key[32];
};

/* Derive both keys from the static secret (HKDF-Expand-Label, SHA-256,
 * labels "tern token" and "tern reset"). */
int quic_token_key_init(struct quic_token_key *k, const uint8_t secret[QUIC_TOKEN_SECRET_LEN]);
void quic_token_key_deinit(struct quic_token_key *k);

/* The stateless reset token of cid. */
int quic_reset_token(const struct quic_token_key *k, const struct quic_cid *cid,
		     uint8_t token[QUIC_STATELESS_RESET_TOKEN_LEN]);

/* Make a token of kind for the client address addr[0..addrlen), valid
 * until expiry_ns; odcid and rscid only for QUIC_TOKEN_RETRY (NULL
 * otherwise). Returns its length (<= QUIC_TOKEN_MAX_LEN), 0 on failure. */
size_t quic_token_make(struct quic_token_key *k, enum quic_token_kind kind,
		       const uint8_t nonce[QUIC_TOKEN_NONCE_LEN],
		       const uint8_t *addr, size_t addrlen, uint64_t expiry_ns,
		       const struct quic_cid *odcid, const struct quic_cid *rscid,
		       uint8_t *out, size_t cap);

/* Check a token from a client at addr: 0 if it is one of ours, for this
 * address, not expired at now_ns; *kind, and for a Retry token *odcid and
 * *rscid, are then set. -1 otherwise (forged, altered, another address,
 * expired, malformed). */
int quic_token_check(struct quic_token_key *k, const uint8_t *tok, size_t len,
		     const uint8_t *addr, size_t addrlen, uint64_t now_ns,
		     enum quic_token_kind *kind, struct quic_cid *odcid, struct quic_cid *rscid);

#endif
