/* quic/ticket: ticket keys and format, the 0-RTT strike register and the
 * ClientHello scan; see quic/ticket.h. */
#include <string.h>

#include "crypto/crypto.h"
#include "quic/ticket.h"

#define NS_PER_S 1000000000ull
#define META_VERSION 1

/* mac[16..32): wolfSSL refuses an all-zero mac and gives the callback 32
 * bytes; GCM's tag needs 16. The rest is a constant, checked on open so
 * that a ticket has exactly one valid encoding. */
static const uint8_t mac_trailer[QUIC_TICKET_MAC_LEN - CRYPTO_AEAD_TAG_LEN] = "tern ticket v1";

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int expand(const uint8_t *secret, const char *label, uint8_t *out, size_t outlen)
{
	return crypto_hkdf_expand_label(CRYPTO_SHA256, secret, 32, label, strlen(label), NULL, 0,
					out, outlen);
}

/* ---------------------------------------------------------------- keys */

/* The key of the epoch master belongs to, into slot. */
static int derive_key(struct quic_ticket_keys *k, int slot)
{
	uint8_t key[16];
	int ret;

	crypto_aead_deinit(&k->key[slot]);
	ret = expand(k->master, "tern tk key", key, sizeof(key));
	if (!ret)
		ret = crypto_aead_init(&k->key[slot], CRYPTO_AES_128_GCM, key, sizeof(key));
	crypto_wipe(key, sizeof(key));
	return ret;
}

/* master -> next master: one way, so once both keys derived from an
 * older master are gone, nothing left in memory opens their tickets. */
static int ratchet(struct quic_ticket_keys *k)
{
	uint8_t next[32];
	int ret = expand(k->master, "tern tk next", next, sizeof(next));

	memcpy(k->master, next, sizeof(next));
	crypto_wipe(next, sizeof(next));
	return ret;
}

int quic_ticket_keys_init(struct quic_ticket_keys *k, const uint8_t *seed, uint32_t lifetime_s)
{
	uint8_t ivkey[16];
	int ret;

	memset(k, 0, sizeof(*k));
	if (!seed || !lifetime_s)
		return -1;
	k->lifetime_s = lifetime_s;
	ret = expand(seed, "tern tk instance", k->instance, sizeof(k->instance));
	if (!ret)
		ret = expand(seed, "tern tk master", k->master, sizeof(k->master));
	if (!ret)
		ret = expand(seed, "tern tk iv", ivkey, sizeof(ivkey));
	if (!ret)
		ret = crypto_aead_init(&k->ivgen, CRYPTO_AES_128_GCM, ivkey, sizeof(ivkey));
	crypto_wipe(ivkey, sizeof(ivkey));
	if (!ret)
		ret = derive_key(k, 0);
	if (!ret)
		ret = quic_ticket_set_config(k, NULL, 0);
	if (ret) {
		quic_ticket_keys_deinit(k);
		return -1;
	}
	return 0;
}

void quic_ticket_keys_deinit(struct quic_ticket_keys *k)
{
	crypto_aead_deinit(&k->key[0]);
	crypto_aead_deinit(&k->key[1]);
	crypto_aead_deinit(&k->ivgen);
	crypto_wipe(k, sizeof(*k));
}

void quic_ticket_keys_tick(struct quic_ticket_keys *k, uint64_t now_ns)
{
	uint64_t period = (uint64_t)k->lifetime_s * NS_PER_S, n;
	int slot;

	if (!k->clock) {
		k->clock = true;
		k->now_ns = k->epoch_start_ns = now_ns;
		return;
	}
	if (now_ns <= k->now_ns)
		return;
	k->now_ns = now_ns;
	if (!k->lifetime_s || now_ns - k->epoch_start_ns < period)
		return;
	n = (now_ns - k->epoch_start_ns) / period;
	slot = (int)((k->epoch + n) & 1);
	/* a failed derivation leaves that slot without a key: tickets are
	 * then neither issued nor accepted on it, nothing worse */
	if (ratchet(k) == 0)
		derive_key(k, slot);
	else
		crypto_aead_deinit(&k->key[slot]);
	if (n == 1) {
		k->have_prev = true;  /* the old current key, in the other slot */
	} else {
		/* the other slot holds a key older than the previous epoch */
		crypto_aead_deinit(&k->key[slot ^ 1]);
		k->have_prev = false;
	}
	k->epoch += n;
	k->epoch_start_ns += n * period;
}

int quic_ticket_set_config(struct quic_ticket_keys *k, const uint8_t *tp, size_t tplen)
{
	static const uint8_t salt[] = "tern ticket config";
	uint8_t prk[32];
	int ret;

	if (tplen && !tp)
		return -1;
	/* ALPN is always h3 (the server refuses anything else): it goes into
	 * the label, so a future second protocol gets other hashes */
	ret = crypto_hkdf_extract(CRYPTO_SHA256, salt, sizeof(salt) - 1, tp, tplen, prk);
	if (!ret)
		ret = expand(prk, "tern tk tp h3", k->cfg_hash, sizeof(k->cfg_hash));
	crypto_wipe(prk, sizeof(prk));
	return ret ? -1 : 0;
}

/* ---------------------------------------------------------------- seal, open */

static size_t ticket_aad(uint8_t aad[QUIC_TICKET_NAME_LEN + QUIC_TICKET_IV_LEN + 2],
			 const uint8_t *name, const uint8_t *iv, size_t sealed_len)
{
	memcpy(aad, name, QUIC_TICKET_NAME_LEN);
	memcpy(aad + QUIC_TICKET_NAME_LEN, iv, QUIC_TICKET_IV_LEN);
	put_be(aad + QUIC_TICKET_NAME_LEN + QUIC_TICKET_IV_LEN, sealed_len, 2);
	return QUIC_TICKET_NAME_LEN + QUIC_TICKET_IV_LEN + 2;
}

int quic_ticket_seal(struct quic_ticket_keys *k, uint8_t name[QUIC_TICKET_NAME_LEN],
		     uint8_t iv[QUIC_TICKET_IV_LEN], uint8_t mac[QUIC_TICKET_MAC_LEN],
		     uint8_t *buf, size_t inlen, size_t cap, uint8_t flags, size_t *outlen)
{
	struct crypto_aead_ctx *key = &k->key[k->epoch & 1];
	uint8_t aad[QUIC_TICKET_NAME_LEN + QUIC_TICKET_IV_LEN + 2];
	uint8_t nonce[CRYPTO_AEAD_NONCE_LEN] = { 0 }, tag[CRYPTO_AEAD_TAG_LEN];
	size_t len = inlen + QUIC_TICKET_META_LEN;
	uint8_t *m = buf + inlen;

	if (!inlen || len > cap || len > QUIC_TICKET_ENC_MAX)
		goto fail;
	/* iv: the next block of AES-CTR under a key of its own. Distinct
	 * counters give distinct blocks (AES is a permutation), so every
	 * ticket of this process has its own iv: the strike register's key
	 * and, in its first 12 bytes, a GCM nonce no other ticket uses. */
	put_be(nonce + 4, ++k->ivctr, 8);
	memset(iv, 0, QUIC_TICKET_IV_LEN);
	if (crypto_aead_seal(&k->ivgen, nonce, NULL, 0, iv, QUIC_TICKET_IV_LEN, tag) != 0)
		goto fail;
	memcpy(name, k->instance, sizeof(k->instance));
	put_be(name + sizeof(k->instance), k->epoch, 8);
	m[0] = META_VERSION;
	m[1] = flags;
	put_be(m + 2, inlen, 2);
	put_be(m + 4, (uint32_t)(k->now_ns / NS_PER_S), 4);
	memcpy(m + 8, k->cfg_hash, QUIC_TICKET_HASH_LEN);
	if (crypto_aead_seal(key, iv, aad, ticket_aad(aad, name, iv, len), buf, len, mac) != 0)
		goto fail;
	memcpy(mac + CRYPTO_AEAD_TAG_LEN, mac_trailer, sizeof(mac_trailer));
	*outlen = len;
	return 0;
fail:
	crypto_wipe(buf, cap);
	return -1;
}

int quic_ticket_open(struct quic_ticket_keys *k, const uint8_t name[QUIC_TICKET_NAME_LEN],
		     const uint8_t iv[QUIC_TICKET_IV_LEN], const uint8_t mac[QUIC_TICKET_MAC_LEN],
		     uint8_t *buf, size_t len, size_t *outlen, struct quic_ticket_meta *meta)
{
	uint8_t aad[QUIC_TICKET_NAME_LEN + QUIC_TICKET_IV_LEN + 2];
	uint64_t epoch = get_be(name + sizeof(k->instance), 8);
	uint32_t now_s = (uint32_t)(k->now_ns / NS_PER_S);
	const uint8_t *m;

	if (len <= QUIC_TICKET_META_LEN || len > QUIC_TICKET_ENC_MAX ||
	    !crypto_equal(name, k->instance, sizeof(k->instance)) ||
	    !crypto_equal(mac + CRYPTO_AEAD_TAG_LEN, mac_trailer, sizeof(mac_trailer)))
		goto fail;
	if (epoch != k->epoch && !(k->have_prev && epoch + 1 == k->epoch))
		goto fail;  /* a key that is gone, or never was */
	if (crypto_aead_open(&k->key[epoch & 1], iv, aad, ticket_aad(aad, name, iv, len), buf,
			     len, mac) != 0)
		goto fail;
	m = buf + len - QUIC_TICKET_META_LEN;
	meta->flags = m[1];
	meta->issued_s = (uint32_t)get_be(m + 4, 4);
	memcpy(meta->cfg_hash, m + 8, QUIC_TICKET_HASH_LEN);
	if (m[0] != META_VERSION || get_be(m + 2, 2) != len - QUIC_TICKET_META_LEN ||
	    meta->issued_s > now_s || now_s - meta->issued_s > k->lifetime_s)
		goto fail;
	crypto_wipe(buf + len - QUIC_TICKET_META_LEN, QUIC_TICKET_META_LEN);
	*outlen = len - QUIC_TICKET_META_LEN;
	return 0;
fail:
	crypto_wipe(buf, len);
	return -1;
}

#if IS_ENABLED(CONFIG_QUIC_0RTT)

/* ---------------------------------------------------------------- strike register */

#define STRIKE_N CONFIG_QUIC_0RTT_REPLAY_ENTRIES

void quic_strike_init(struct quic_strike *s, uint32_t window_s)
{
	memset(s, 0, sizeof(*s));
	s->window_s = window_s;
}

enum quic_strike_result quic_strike_check(struct quic_strike *s,
					  const uint8_t iv[QUIC_TICKET_IV_LEN], uint64_t now_ns)
{
	uint32_t now_s = (uint32_t)(now_ns / NS_PER_S), i;
	struct quic_strike_entry *e;

	/* entries go in with the clock, so the oldest are at the head.
	 * Seconds are truncated: an entry leaves after more than window_s
	 * whole seconds, i.e. no earlier than window_s - 1 s after it came */
	while (s->count) {
		e = &s->e[s->head];
		if (now_s - e->t_s <= s->window_s)
			break;
		memset(e, 0, sizeof(*e));
		s->head = (s->head + 1) % STRIKE_N;
		s->count--;
	}
	for (i = 0; i < s->count; i++) {
		e = &s->e[(s->head + i) % STRIKE_N];
		if (!memcmp(e->iv, iv, QUIC_TICKET_IV_LEN))
			return QUIC_STRIKE_REPLAY;
	}
	if (s->count == STRIKE_N)
		return QUIC_STRIKE_FULL;
	e = &s->e[(s->head + s->count) % STRIKE_N];
	memcpy(e->iv, iv, QUIC_TICKET_IV_LEN);
	e->t_s = now_s;
	s->count++;
	return QUIC_STRIKE_NEW;
}

/* ---------------------------------------------------------------- ClientHello scan */

enum {
	CH_HDR, CH_SID, CH_SUITES, CH_COMP, CH_EXTS, CH_EXT, CH_EXT_DONE,
	CH_KS_LEN, CH_KS_ENT, CH_KS_NEXT, CH_SG_LEN, CH_SG_ENT,
	CH_PSK_IDS, CH_PSK_ID, CH_PSK_ID_BYTES,
};

#define EXT_SUPPORTED_GROUPS 10
#define EXT_PRE_SHARED_KEY   41
#define EXT_EARLY_DATA       42
#define EXT_KEY_SHARE        51

/* The groups wolfSSL is built with (tools/gen_user_settings.py). */
static uint8_t group_bit(uint32_t group)
{
	switch (group) {
	case 0x001d: return 1;  /* x25519 */
	case 0x0017: return 2;  /* secp256r1 */
	default: return 0;
	}
}

void quic_ch_scan_init(struct quic_ch_scan *s)
{
	memset(s, 0, sizeof(*s));
	s->state = CH_HDR;
	s->want = 4;
}

static void scan_fail(struct quic_ch_scan *s)
{
	s->done = true;
	s->ok = false;
}

/* Pass over skip bytes, then read n bytes as field st (n = 0: go on to
 * st as soon as the skip is done). */
static void scan_next(struct quic_ch_scan *s, uint32_t skip, uint8_t st, uint8_t n)
{
	s->skip = skip;
	s->state = st;
	s->want = n;
	s->acc_len = 0;
}

static void scan_next_ext(struct quic_ch_scan *s)
{
	if (s->seen == s->exts_end) {
		s->done = true;
		s->ok = s->seen == s->total;
		return;
	}
	scan_next(s, 0, CH_EXT, 4);
}

static void scan_next_item(struct quic_ch_scan *s, uint8_t st, uint8_t n)
{
	if (s->seen == s->list_end)
		scan_next_ext(s);
	else
		scan_next(s, 0, st, n);
}

/* A field is complete in acc (or, for a state read as 0 bytes, a skip).
 * false: the message is malformed. */
static bool scan_field(struct quic_ch_scan *s)
{
	const uint8_t *a = s->acc;
	uint32_t v16 = (uint32_t)a[0] << 8 | a[1], n;

	switch (s->state) {
	case CH_HDR:
		n = (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
		if (a[0] != 1 || n > QUIC_CH_SCAN_MAX - 4)
			return false;  /* not a ClientHello, or one we do not read */
		s->total = 4 + n;
		scan_next(s, 2 + 32, CH_SID, 1);  /* past legacy_version, random */
		break;
	case CH_SID:
		scan_next(s, a[0], CH_SUITES, 2);
		break;
	case CH_SUITES:
		scan_next(s, v16, CH_COMP, 1);
		break;
	case CH_COMP:
		scan_next(s, a[0], CH_EXTS, 2);
		break;
	case CH_EXTS:
		s->exts_end = s->seen + v16;
		if (s->exts_end != s->total)
			return false;
		scan_next_ext(s);
		break;
	case CH_EXT:
		s->ext_type = (uint16_t)v16;
		n = (uint32_t)a[2] << 8 | a[3];
		s->ext_end = s->seen + n;
		if (s->ext_end > s->exts_end)
			return false;
		if (v16 == EXT_KEY_SHARE) {
			scan_next(s, 0, CH_KS_LEN, 2);
		} else if (v16 == EXT_SUPPORTED_GROUPS) {
			scan_next(s, 0, CH_SG_LEN, 2);
		} else if (v16 == EXT_PRE_SHARED_KEY) {
			scan_next(s, 0, CH_PSK_IDS, 2);
		} else {
			if (v16 == EXT_EARLY_DATA)
				s->early_data = true;
			scan_next(s, n, CH_EXT_DONE, 0);
		}
		break;
	case CH_EXT_DONE:
		scan_next_ext(s);
		break;
	case CH_KS_LEN:
		s->list_end = s->seen + v16;
		if (s->list_end != s->ext_end)
			return false;
		scan_next_item(s, CH_KS_ENT, 4);
		break;
	case CH_KS_ENT:
		n = (uint32_t)a[2] << 8 | a[3];
		if (s->seen + n > s->list_end)
			return false;
		if (n)  /* wolfSSL passes over an empty share */
			s->shares |= group_bit(v16);
		scan_next(s, n, CH_KS_NEXT, 0);
		break;
	case CH_KS_NEXT:
		scan_next_item(s, CH_KS_ENT, 4);
		break;
	case CH_SG_LEN:
		s->list_end = s->seen + v16;
		if (s->list_end != s->ext_end || (v16 & 1))
			return false;
		scan_next_item(s, CH_SG_ENT, 2);
		break;
	case CH_SG_ENT:
		s->groups |= group_bit(v16);
		scan_next_item(s, CH_SG_ENT, 2);
		break;
	case CH_PSK_IDS:
		s->list_end = s->seen + v16;
		if (s->list_end > s->ext_end)
			return false;
		scan_next(s, 0, CH_PSK_ID, 2);
		break;
	case CH_PSK_ID:
		/* the first identity: length, bytes, obfuscated_ticket_age */
		if (!v16 || s->seen + v16 + 4 > s->list_end)
			return false;
		s->psk = true;
		s->id_len = (uint16_t)v16;
		if (v16 <= sizeof(s->id))
			scan_next(s, 0, CH_PSK_ID_BYTES, 0);
		else  /* longer than any ticket of ours */
			scan_next(s, s->ext_end - s->seen, CH_EXT_DONE, 0);
		break;
	default:
		return false;
	}
	return true;
}

void quic_ch_scan_feed(struct quic_ch_scan *s, const uint8_t *p, size_t len)
{
	size_t n;

	while (!s->done) {
		if (!s->skip && !s->want && s->state != CH_PSK_ID_BYTES) {
			if (!scan_field(s))
				scan_fail(s);
			continue;
		}
		if (s->total && s->seen == s->total) {
			scan_fail(s);  /* the message ends inside a field */
			return;
		}
		if (!len)
			return;
		/* never past the end of the message (the 4-byte header comes
		 * before total is known) */
		if (s->total && len > s->total - s->seen)
			len = s->total - s->seen;
		if (s->skip) {
			n = len < s->skip ? len : s->skip;
			s->skip -= (uint32_t)n;
		} else if (s->state == CH_PSK_ID_BYTES) {
			n = (size_t)(s->id_len - s->id_have);
			if (n > len)
				n = len;
			memcpy(s->id + s->id_have, p, n);
			s->id_have = (uint16_t)(s->id_have + n);
			/* the rest of the extension (ages, binders) is not needed */
			if (s->id_have == s->id_len)
				scan_next(s, s->ext_end - (s->seen + (uint32_t)n), CH_EXT_DONE, 0);
		} else {
			n = 1;
			s->acc[s->acc_len++] = *p;
		}
		p += n;
		len -= n;
		s->seen += (uint32_t)n;
		if (s->want && s->acc_len == s->want && !scan_field(s))
			scan_fail(s);
	}
}

#endif /* CONFIG_QUIC_0RTT */
