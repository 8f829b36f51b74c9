/* quic/protect: QUIC packet protection (RFC 9001 section 5, RFC 9369
 * section 3.3) over crypto/crypto.h: Initial secrets, key/iv/hp
 * derivation, payload seal/open, header protection, key update secrets,
 * Retry integrity tags. QUIC v1 and v2. No heap; every buffer is the
 * caller's. Functions return 0 (or a length) on success, -1 on failure.
 *
 * Sending, with pkt[0..hdrlen) the unprotected header whose packet number
 * (pnlen bytes) ends the header:
 *   quic_packet_seal(&k->aead, pn, pkt, hdrlen, payloadlen);
 *   quic_hp_apply(&k->hp, pkt, hdrlen - pnlen, hdrlen + payloadlen + 16);
 * Receiving:
 *   pnlen = quic_hp_remove(&k->hp, pkt, pn_offset, pktlen, &truncated_pn);
 *   (decode the full pn from truncated_pn and pnlen, RFC 9000 A.3)
 *   quic_packet_open(&k->aead, pn, pkt, pn_offset + pnlen, pktlen - pn_offset - pnlen);
 */
#ifndef TERN_QUIC_PROTECT_H
#define TERN_QUIC_PROTECT_H

#include <stdbool.h>

#include "crypto/crypto.h"
#include "quic/protect-t.h"

/* Does tern implement this version's packet protection (v1, v2)? */
bool quic_version_supported(uint32_t version);

/* The client and server Initial secrets (32 bytes each, SHA-256) for the
 * Destination Connection ID of the client's first Initial (RFC 9001 5.2).
 * Either output may be NULL. */
int quic_initial_secrets(uint32_t version, const uint8_t *dcid, size_t dcidlen,
			 uint8_t client[32], uint8_t server[32]);

/* The packet protection key, IV and header-protection key of a traffic
 * secret (RFC 9001 5.1; RFC 9369 3.3.2 labels for v2). key and hp are
 * crypto_aead_keylen(alg) bytes; any output may be NULL. */
int quic_derive_keys(uint32_t version, enum crypto_aead alg,
		     const uint8_t *secret, size_t secretlen,
		     uint8_t *key, uint8_t iv[CRYPTO_AEAD_NONCE_LEN], uint8_t *hp);

/* The next key phase's secret (RFC 9001 6.1, "quic ku"), as long as the
 * suite's hash. next may be secret (updated in place). */
int quic_key_update_secret(uint32_t version, enum crypto_aead alg,
			   const uint8_t *secret, size_t secretlen, uint8_t *next);

/* Install the keys of a traffic secret. On failure k holds no key. The
 * derived key material is wiped from the stack. */
int quic_keys_init(struct quic_keys *k, uint32_t version, enum crypto_aead alg,
		   const uint8_t *secret, size_t secretlen);
void quic_keys_deinit(struct quic_keys *k);
/* Payload keys only: the next key phase (the hp key does not change). */
int quic_aead_init(struct quic_aead *a, uint32_t version, enum crypto_aead alg,
		   const uint8_t *secret, size_t secretlen);
void quic_aead_deinit(struct quic_aead *a);

/* Both directions' Initial keys for dcid (AES-128-GCM). */
int quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcidlen,
		      struct quic_keys *client, struct quic_keys *server);

/* nonce = iv XOR pn, the packet number left-padded to 12 bytes. */
void quic_nonce(const uint8_t iv[CRYPTO_AEAD_NONCE_LEN], uint64_t pn,
		uint8_t nonce[CRYPTO_AEAD_NONCE_LEN]);

/* Encrypt pkt[hdrlen..hdrlen+len) in place with pkt[0..hdrlen) (the
 * unprotected header) as associated data; the 16-byte tag is written at
 * pkt + hdrlen + len. */
int quic_packet_seal(struct quic_aead *a, uint64_t pn, uint8_t *pkt, size_t hdrlen,
		     size_t len);
/* Open pkt[hdrlen..hdrlen+len) (ciphertext and its 16-byte tag) in place,
 * the header already unprotected. 0: pkt[hdrlen..hdrlen+len-16) is the
 * plaintext. -1: not authentic; the payload bytes are zeroed. */
int quic_packet_open(struct quic_aead *a, uint64_t pn, uint8_t *pkt, size_t hdrlen,
		     size_t len);

/* Apply header protection (RFC 9001 5.4.1) to a sealed packet of len
 * bytes whose packet number starts at pn_offset: the sample is the 16
 * bytes at pn_offset + 4, the packet number length comes from the
 * unprotected first byte. */
int quic_hp_apply(struct crypto_hp_ctx *hp, uint8_t *pkt, size_t pn_offset, size_t len);
/* The same for n packets protected with one key, the masks computed in
 * batches (crypto_hp_mask). All or nothing: on -1 no packet is touched. */
int quic_hp_apply_batch(struct crypto_hp_ctx *hp, const struct quic_hp_job *jobs, size_t n);
/* Remove header protection in place. Returns the packet number length
 * (1..4) and stores the truncated packet number in *truncated_pn, or -1
 * when the packet is too short to hold a sample. */
int quic_hp_remove(struct crypto_hp_ctx *hp, uint8_t *pkt, size_t pn_offset, size_t len,
		   uint32_t *truncated_pn);

/* The Retry Integrity Tag (RFC 9001 5.8, RFC 9369 3.3.3) of the Retry
 * packet retry[0..len) (without its tag) sent in answer to an Initial
 * whose Destination Connection ID was odcid. */
int quic_retry_tag(uint32_t version, const uint8_t *odcid, size_t odcidlen,
		   const uint8_t *retry, size_t len, uint8_t tag[QUIC_RETRY_TAG_LEN]);
/* Check the tag that ends the Retry packet retry[0..len): 0 if it is
 * authentic. */
int quic_retry_verify(uint32_t version, const uint8_t *odcid, size_t odcidlen,
		      const uint8_t *retry, size_t len);

#endif
