/* Packet protection types. See quic/protect.h for the functions. */
#ifndef TERN_QUIC_PROTECT_T_H
#define TERN_QUIC_PROTECT_T_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto-t.h"

#define QUIC_VERSION_1 0x00000001u  /* RFC 9000 */
#define QUIC_VERSION_2 0x6b3343cfu  /* RFC 9369 */

#define QUIC_RETRY_TAG_LEN 16
/* The longest Retry packet (without its tag) quic_retry_tag() accepts. */
#define QUIC_RETRY_MAX_LEN 1200
#define QUIC_MAX_CID_LEN   20

/* Payload protection for one direction and key phase: the AEAD key
 * schedule and the IV the packet number is XORed into (RFC 9001 5.3). A
 * key update replaces this and keeps the header-protection key. */
struct quic_aead {
	struct crypto_aead_ctx ctx;
	uint8_t iv[CRYPTO_AEAD_NONCE_LEN];
};

/* Everything that protects one direction at one encryption level. */
struct quic_keys {
	struct quic_aead aead;
	struct crypto_hp_ctx hp;
};

/* One packet for quic_hp_apply_batch(): the packet starts at pkt, is len
 * bytes long (tag included) and its packet number starts at pn_offset. */
struct quic_hp_job {
	uint8_t *pkt;
	size_t pn_offset;
	size_t len;
};

#endif
