/* quic/ticket: what a server needs for TLS 1.3 session tickets and 0-RTT
 * that is not wolfSSL (quic/tls.c plugs it into wolfSSL's ticket
 * callback; docs/notes/0rtt-wolfssl.md sections 2 and 8):
 *
 * - ticket keys: AES-128-GCM, a current and a previous key. They come
 *   from a random seed at start and rotate every lifetime seconds by a
 *   one-way ratchet (HKDF), so a key that is gone cannot be recomputed
 *   from what stays in memory. A ticket is valid while its key is one of
 *   the two and it is at most lifetime old, so key rotation and ticket
 *   expiry agree. Keys are per process: a restart invalidates every
 *   ticket, which is what lets the strike register below live in memory.
 * - the ticket format around wolfSSL's InternalTicket (the callback's
 *   buffer): key_name (16) = instance id (8) || key epoch (8); iv (16), a
 *   unique value per ticket whose first 12 bytes are the GCM nonce;
 *   sealed(internal ticket || meta (16)); mac (32) = GCM tag || a fixed
 *   trailer. meta = version (1) || flags (1, bit 0: issued allowing
 *   0-RTT) || internal length (2) || issue time (4, seconds of the
 *   caller's clock) || config hash (8). The associated data is key_name
 *   || iv || sealed length (2).
 * - the config hash: 8 bytes of HKDF over the transport parameters the
 *   server gives (RFC 9000 7.4.1: a client may use remembered values for
 *   0-RTT, so 0-RTT on a ticket issued under other values is refused).
 * - CONFIG_QUIC_0RTT only: the strike register (RFC 8446 8.2) keyed by
 *   the ticket's iv, and a scan of the ClientHello that decides 0-RTT
 *   before wolfSSL sees the message (see quic_ch_scan below).
 *
 * Time is the caller's nanosecond clock (the core has no clock): pass it
 * to quic_ticket_keys_tick() as it advances.
 */
#ifndef TERN_QUIC_TICKET_H
#define TERN_QUIC_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto-t.h"
#include "lib/kconfig.h"

#define QUIC_TICKET_SEED_LEN  32
#define QUIC_TICKET_NAME_LEN  16  /* WOLFSSL_TICKET_NAME_SZ */
#define QUIC_TICKET_IV_LEN    16  /* WOLFSSL_TICKET_IV_SZ */
#define QUIC_TICKET_MAC_LEN   32  /* WOLFSSL_TICKET_MAC_SZ */
#define QUIC_TICKET_META_LEN  16
/* the largest sealed part wolfSSL lets a callback produce
 * (WOLFSSL_TICKET_ENC_SZ: its InternalTicket plus 32 bytes of padding) */
#define QUIC_TICKET_ENC_MAX   112
/* a ticket on the wire: key_name || iv || length (2) || sealed || mac */
#define QUIC_TICKET_FIXED_LEN (QUIC_TICKET_NAME_LEN + QUIC_TICKET_IV_LEN + 2 + QUIC_TICKET_MAC_LEN)
#define QUIC_TICKET_MAX_LEN   (QUIC_TICKET_FIXED_LEN + QUIC_TICKET_ENC_MAX)
#define QUIC_TICKET_HASH_LEN  8

#define QUIC_TICKET_F_EARLY   0x01  /* meta flags: issued allowing 0-RTT */

struct quic_ticket_keys {
	uint8_t master[32];          /* the current epoch's ratchet secret */
	uint8_t instance[8];         /* first half of every key_name */
	struct crypto_aead_ctx key[2];  /* epoch e lives in key[e & 1] */
	uint64_t epoch;              /* the current key's */
	bool have_prev;              /* key[(epoch - 1) & 1] still valid */
	bool clock;                  /* ticked at least once */
	uint64_t epoch_start_ns;     /* when the current key took over */
	uint64_t now_ns;             /* the caller's clock, as last ticked */
	uint32_t lifetime_s;
	struct crypto_aead_ctx ivgen;   /* AES in counter mode: ticket ivs */
	uint64_t ivctr;
	uint8_t cfg_hash[QUIC_TICKET_HASH_LEN];
};

/* What a ticket carries besides wolfSSL's own state. */
struct quic_ticket_meta {
	uint8_t flags;
	uint32_t issued_s;
	uint8_t cfg_hash[QUIC_TICKET_HASH_LEN];
};

/* Keys from seed (random, QUIC_TICKET_SEED_LEN bytes; wiped by the
 * caller), rotating every lifetime_s once the clock runs. */
int quic_ticket_keys_init(struct quic_ticket_keys *k, const uint8_t *seed, uint32_t lifetime_s);
void quic_ticket_keys_deinit(struct quic_ticket_keys *k);
/* The clock moved on: rotate the keys if an epoch ended (several: both
 * keys are replaced). The first call sets the origin (the clock reads 0
 * until then). Time never goes back; an earlier now_ns is ignored. */
void quic_ticket_keys_tick(struct quic_ticket_keys *k, uint64_t now_ns);
/* The hash tickets issued from now on carry: of tp[0..tplen), the
 * server's transport parameters as a client may remember them. */
int quic_ticket_set_config(struct quic_ticket_keys *k, const uint8_t *tp, size_t tplen);

/* Seal buf[0..inlen) (wolfSSL's InternalTicket) in place with meta
 * (flags, now, the config hash) appended: buf must hold inlen +
 * QUIC_TICKET_META_LEN bytes (cap). Fills key_name, iv and mac; *outlen
 * is the sealed length. 0, or -1 (buf wiped). */
int quic_ticket_seal(struct quic_ticket_keys *k, uint8_t name[QUIC_TICKET_NAME_LEN],
		     uint8_t iv[QUIC_TICKET_IV_LEN], uint8_t mac[QUIC_TICKET_MAC_LEN],
		     uint8_t *buf, size_t inlen, size_t cap, uint8_t flags, size_t *outlen);
/* Open a sealed ticket in place: 0 with buf[0..*outlen) wolfSSL's
 * InternalTicket and *meta filled, when the key is current or previous,
 * the ticket authentic, well formed and at most lifetime old. -1
 * otherwise, buf wiped. */
int quic_ticket_open(struct quic_ticket_keys *k, const uint8_t name[QUIC_TICKET_NAME_LEN],
		     const uint8_t iv[QUIC_TICKET_IV_LEN], const uint8_t mac[QUIC_TICKET_MAC_LEN],
		     uint8_t *buf, size_t len, size_t *outlen, struct quic_ticket_meta *meta);

#if IS_ENABLED(CONFIG_QUIC_0RTT)

/* ---------------------------------------------------------------- strike register */

/* Every ticket 0-RTT was accepted on in the last window_s seconds, oldest
 * first (a ring). A replayed ClientHello carries the ticket age of the
 * original, so wolfSSL's freshness check (MAX_TICKET_AGE_DIFF) refuses it
 * once the original is older than that plus 2 s: the window only has to
 * cover that long. Full of live entries, it refuses (fails closed). */
struct quic_strike_entry {
	uint8_t iv[QUIC_TICKET_IV_LEN];
	uint32_t t_s;
};

struct quic_strike {
	struct quic_strike_entry e[CONFIG_QUIC_0RTT_REPLAY_ENTRIES];
	uint32_t head, count;   /* oldest entry, live entries */
	uint32_t window_s;
};

enum quic_strike_result {
	QUIC_STRIKE_NEW,     /* recorded: 0-RTT may go ahead */
	QUIC_STRIKE_REPLAY,  /* seen within the window */
	QUIC_STRIKE_FULL,    /* no room: refuse */
};

void quic_strike_init(struct quic_strike *s, uint32_t window_s);
/* Forget entries older than the window, then look iv up and record it. */
enum quic_strike_result quic_strike_check(struct quic_strike *s,
					  const uint8_t iv[QUIC_TICKET_IV_LEN], uint64_t now_ns);

/* ---------------------------------------------------------------- ClientHello scan */

/* A server decides 0-RTT before wolfSSL processes the ClientHello (it
 * cannot be changed afterwards, notes 3), so it reads the message itself
 * as the CRYPTO bytes stream in, in pieces of any size, and keeps:
 *
 * - whether early_data and pre_shared_key are there, and the first PSK
 *   identity when it is no longer than a ticket of ours: the one wolfSSL
 *   would accept 0-RTT on (RFC 8446 4.2.10);
 * - the key-share groups wolfSSL can use without a HelloRetryRequest
 *   (a share for X25519 or P-256 whose group is also in supported_groups,
 *   tls.c TLSX_KeyShare_Establish). wolfSSL 5.5.4 mishandles 0-RTT after
 *   an HRR (notes D4), so 0-RTT is refused when one would follow.
 *
 * Anything malformed ends the scan with ok false: no 0-RTT, and wolfSSL
 * reports the error itself. */
#define QUIC_CH_SCAN_MAX 16384  /* a longer ClientHello gets no 0-RTT */

struct quic_ch_scan {
	uint32_t seen;        /* bytes consumed, the 4-byte header included */
	uint32_t total;       /* 4 + the message length, once known */
	uint32_t skip;        /* bytes to pass over before the next field */
	uint32_t exts_end, ext_end, list_end;  /* where blocks end (in seen) */
	uint8_t acc[4], acc_len, want;         /* the field being read */
	uint8_t state;
	uint16_t ext_type;
	uint8_t shares, groups;  /* bit 0: X25519, bit 1: P-256 */
	bool done, ok;
	bool early_data, psk;
	uint16_t id_len, id_have;
	uint8_t id[QUIC_TICKET_MAX_LEN];
};

void quic_ch_scan_init(struct quic_ch_scan *s);
/* The next len bytes of the Initial CRYPTO stream (bytes after the
 * ClientHello are ignored). */
void quic_ch_scan_feed(struct quic_ch_scan *s, const uint8_t *p, size_t len);
/* Done and well formed, with a key share that needs no HRR. */
static inline bool quic_ch_scan_no_hrr(const struct quic_ch_scan *s)
{
	return s->done && s->ok && (s->shares & s->groups);
}

#endif /* CONFIG_QUIC_0RTT */

#endif
