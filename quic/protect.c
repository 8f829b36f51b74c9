/* quic/protect: QUIC packet protection, RFC 9001 section 5 and RFC 9369
 * section 3.3. See quic/protect.h. */
#include <string.h>

#include "quic/protect.h"

struct label {
	const char *s;
	size_t len;
};

#define LABEL(str) { str, sizeof(str) - 1 }

/* What differs between versions: the Initial salt, the HKDF labels and
 * the fixed Retry integrity key and nonce. */
struct version_params {
	uint32_t version;
	uint8_t initial_salt[20];
	struct label key, iv, hp, ku;
	uint8_t retry_key[16];
	uint8_t retry_nonce[CRYPTO_AEAD_NONCE_LEN];
};

static const struct version_params versions[] = {
	{	/* RFC 9001 5.2, 5.8 */
		.version = QUIC_VERSION_1,
		.initial_salt = { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
				  0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a },
		.key = LABEL("quic key"), .iv = LABEL("quic iv"),
		.hp = LABEL("quic hp"), .ku = LABEL("quic ku"),
		.retry_key = { 0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a,
			       0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e },
		.retry_nonce = { 0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63,
				 0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb },
	},
	{	/* RFC 9369 3.3 */
		.version = QUIC_VERSION_2,
		.initial_salt = { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
				  0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 },
		.key = LABEL("quicv2 key"), .iv = LABEL("quicv2 iv"),
		.hp = LABEL("quicv2 hp"), .ku = LABEL("quicv2 ku"),
		.retry_key = { 0x8f, 0xb4, 0xb0, 0x1b, 0x56, 0xac, 0x48, 0xe2,
			       0x60, 0xfb, 0xcb, 0xce, 0xad, 0x7c, 0xcc, 0x92 },
		.retry_nonce = { 0xd8, 0x69, 0x69, 0xbc, 0x2d, 0x7c,
				 0x6d, 0x99, 0x90, 0xef, 0xb0, 0x4a },
	},
};

static const struct version_params *version_params(uint32_t version)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i].version == version)
			return &versions[i];
	return NULL;
}

bool quic_version_supported(uint32_t version)
{
	return version_params(version) != NULL;
}

static int expand(enum crypto_hash hash, const uint8_t *secret, size_t secretlen,
		  const struct label *l, uint8_t *out, size_t outlen)
{
	return crypto_hkdf_expand_label(hash, secret, secretlen, l->s, l->len,
					NULL, 0, out, outlen);
}

int quic_initial_secrets(uint32_t version, const uint8_t *dcid, size_t dcidlen,
			 uint8_t client[32], uint8_t server[32])
{
	static const struct label client_in = LABEL("client in");
	static const struct label server_in = LABEL("server in");
	const struct version_params *v = version_params(version);
	uint8_t initial[32];
	int ret = -1;

	if (!v || dcidlen > QUIC_MAX_CID_LEN)
		return -1;
	if (crypto_hkdf_extract(CRYPTO_SHA256, v->initial_salt, sizeof(v->initial_salt),
				dcid, dcidlen, initial) == 0 &&
	    (!client || expand(CRYPTO_SHA256, initial, 32, &client_in, client, 32) == 0) &&
	    (!server || expand(CRYPTO_SHA256, initial, 32, &server_in, server, 32) == 0))
		ret = 0;
	crypto_wipe(initial, sizeof(initial));
	return ret;
}

int quic_derive_keys(uint32_t version, enum crypto_aead alg,
		     const uint8_t *secret, size_t secretlen,
		     uint8_t *key, uint8_t iv[CRYPTO_AEAD_NONCE_LEN], uint8_t *hp)
{
	const struct version_params *v = version_params(version);
	enum crypto_hash hash = crypto_aead_hash(alg);
	size_t keylen = crypto_aead_keylen(alg);

	if (!v || !keylen)
		return -1;
	if (key && expand(hash, secret, secretlen, &v->key, key, keylen) != 0)
		return -1;
	if (iv && expand(hash, secret, secretlen, &v->iv, iv, CRYPTO_AEAD_NONCE_LEN) != 0)
		return -1;
	if (hp && expand(hash, secret, secretlen, &v->hp, hp, keylen) != 0)
		return -1;
	return 0;
}

int quic_key_update_secret(uint32_t version, enum crypto_aead alg,
			   const uint8_t *secret, size_t secretlen, uint8_t *next)
{
	const struct version_params *v = version_params(version);
	enum crypto_hash hash = crypto_aead_hash(alg);
	size_t hlen = crypto_hash_len(hash);
	uint8_t out[CRYPTO_HASH_MAX_LEN];
	int ret;

	if (!v || !hlen || secretlen != hlen)
		return -1;
	/* through a copy: next may be secret */
	ret = expand(hash, secret, secretlen, &v->ku, out, hlen);
	if (ret == 0)
		memcpy(next, out, hlen);
	crypto_wipe(out, sizeof(out));
	return ret;
}

int quic_aead_init(struct quic_aead *a, uint32_t version, enum crypto_aead alg,
		   const uint8_t *secret, size_t secretlen)
{
	uint8_t key[CRYPTO_AEAD_MAX_KEY];
	int ret;

	memset(a, 0, sizeof(*a));
	ret = quic_derive_keys(version, alg, secret, secretlen, key, a->iv, NULL);
	if (ret == 0)
		ret = crypto_aead_init(&a->ctx, alg, key, crypto_aead_keylen(alg));
	crypto_wipe(key, sizeof(key));
	if (ret != 0)
		quic_aead_deinit(a);
	return ret;
}

void quic_aead_deinit(struct quic_aead *a)
{
	crypto_aead_deinit(&a->ctx);
	crypto_wipe(a->iv, sizeof(a->iv));
}

int quic_keys_init(struct quic_keys *k, uint32_t version, enum crypto_aead alg,
		   const uint8_t *secret, size_t secretlen)
{
	uint8_t hp[CRYPTO_AEAD_MAX_KEY];
	int ret;

	memset(&k->hp, 0, sizeof(k->hp));
	ret = quic_aead_init(&k->aead, version, alg, secret, secretlen);
	if (ret == 0)
		ret = quic_derive_keys(version, alg, secret, secretlen, NULL, NULL, hp);
	if (ret == 0)
		ret = crypto_hp_init(&k->hp, alg, hp, crypto_aead_keylen(alg));
	crypto_wipe(hp, sizeof(hp));
	if (ret != 0)
		quic_keys_deinit(k);
	return ret;
}

void quic_keys_deinit(struct quic_keys *k)
{
	crypto_hp_deinit(&k->hp);
	quic_aead_deinit(&k->aead);
}

int quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcidlen,
		      struct quic_keys *client, struct quic_keys *server)
{
	uint8_t cs[32], ss[32];
	int ret;

	ret = quic_initial_secrets(version, dcid, dcidlen, cs, ss);
	if (ret == 0)
		ret = quic_keys_init(client, version, CRYPTO_AES_128_GCM, cs, sizeof(cs));
	if (ret == 0) {
		ret = quic_keys_init(server, version, CRYPTO_AES_128_GCM, ss, sizeof(ss));
		if (ret != 0)
			quic_keys_deinit(client);
	}
	crypto_wipe(cs, sizeof(cs));
	crypto_wipe(ss, sizeof(ss));
	return ret;
}

void quic_nonce(const uint8_t iv[CRYPTO_AEAD_NONCE_LEN], uint64_t pn,
		uint8_t nonce[CRYPTO_AEAD_NONCE_LEN])
{
	memcpy(nonce, iv, CRYPTO_AEAD_NONCE_LEN);
	for (int i = 0; i < 8; i++)
		nonce[CRYPTO_AEAD_NONCE_LEN - 1 - i] ^= (uint8_t)(pn >> (8 * i));
}

int quic_packet_seal(struct quic_aead *a, uint64_t pn, uint8_t *pkt, size_t hdrlen,
		     size_t len)
{
	uint8_t nonce[CRYPTO_AEAD_NONCE_LEN];

	quic_nonce(a->iv, pn, nonce);
	return crypto_aead_seal(&a->ctx, nonce, pkt, hdrlen, pkt + hdrlen, len,
				pkt + hdrlen + len);
}

int quic_packet_open(struct quic_aead *a, uint64_t pn, uint8_t *pkt, size_t hdrlen,
		     size_t len)
{
	uint8_t nonce[CRYPTO_AEAD_NONCE_LEN];

	if (len < CRYPTO_AEAD_TAG_LEN)
		return -1;
	quic_nonce(a->iv, pn, nonce);
	return crypto_aead_open(&a->ctx, nonce, pkt, hdrlen, pkt + hdrlen,
				len - CRYPTO_AEAD_TAG_LEN,
				pkt + hdrlen + len - CRYPTO_AEAD_TAG_LEN);
}

/* ---------------------------------------------------------------- header protection */

/* RFC 9001 5.4.2: the sample starts 4 bytes after the packet number. */
#define SAMPLE_OFFSET 4

static bool sample_fits(size_t pn_offset, size_t len)
{
	return pn_offset <= len && len - pn_offset >= SAMPLE_OFFSET + CRYPTO_HP_SAMPLE_LEN;
}

/* 4 bits of a long header's first byte are protected, 5 of a short's
 * (RFC 9001 5.4.1). */
static uint8_t first_byte_mask(uint8_t first)
{
	return (first & 0x80) ? 0x0f : 0x1f;
}

/* A batch of masks computed at once; more packets go in several. */
#define HP_BATCH 8

int quic_hp_apply_batch(struct crypto_hp_ctx *hp, const struct quic_hp_job *jobs, size_t n)
{
	uint8_t samples[HP_BATCH][CRYPTO_HP_SAMPLE_LEN];
	uint8_t masks[HP_BATCH][CRYPTO_HP_MASK_LEN];

	for (size_t i = 0; i < n; i++)
		if (!sample_fits(jobs[i].pn_offset, jobs[i].len))
			return -1;

	for (size_t done = 0; done < n; ) {
		size_t m = n - done < HP_BATCH ? n - done : HP_BATCH;

		for (size_t i = 0; i < m; i++)
			memcpy(samples[i], jobs[done + i].pkt + jobs[done + i].pn_offset +
			       SAMPLE_OFFSET, CRYPTO_HP_SAMPLE_LEN);
		if (crypto_hp_mask(hp, samples, masks, m) != 0)
			return -1;
		for (size_t i = 0; i < m; i++) {
			uint8_t *pkt = jobs[done + i].pkt;
			uint8_t *pn = pkt + jobs[done + i].pn_offset;
			size_t pnlen = (size_t)(pkt[0] & 0x03) + 1;

			pkt[0] ^= masks[i][0] & first_byte_mask(pkt[0]);
			for (size_t j = 0; j < pnlen; j++)
				pn[j] ^= masks[i][1 + j];
		}
		done += m;
	}
	return 0;
}

int quic_hp_apply(struct crypto_hp_ctx *hp, uint8_t *pkt, size_t pn_offset, size_t len)
{
	struct quic_hp_job job = { .pkt = pkt, .pn_offset = pn_offset, .len = len };

	return quic_hp_apply_batch(hp, &job, 1);
}

int quic_hp_remove(struct crypto_hp_ctx *hp, uint8_t *pkt, size_t pn_offset, size_t len,
		   uint32_t *truncated_pn)
{
	uint8_t sample[1][CRYPTO_HP_SAMPLE_LEN];
	uint8_t mask[1][CRYPTO_HP_MASK_LEN];
	uint32_t tpn = 0;
	size_t pnlen;

	if (!sample_fits(pn_offset, len))
		return -1;
	memcpy(sample[0], pkt + pn_offset + SAMPLE_OFFSET, CRYPTO_HP_SAMPLE_LEN);
	if (crypto_hp_mask(hp, sample, mask, 1) != 0)
		return -1;
	pkt[0] ^= mask[0][0] & first_byte_mask(pkt[0]);
	pnlen = (size_t)(pkt[0] & 0x03) + 1;
	for (size_t j = 0; j < pnlen; j++) {
		pkt[pn_offset + j] ^= mask[0][1 + j];
		tpn = tpn << 8 | pkt[pn_offset + j];
	}
	if (truncated_pn)
		*truncated_pn = tpn;
	return (int)pnlen;
}

/* ---------------------------------------------------------------- Retry */

int quic_retry_tag(uint32_t version, const uint8_t *odcid, size_t odcidlen,
		   const uint8_t *retry, size_t len, uint8_t tag[QUIC_RETRY_TAG_LEN])
{
	/* the Retry Pseudo-Packet: ODCID Length (8), ODCID, then the Retry
	 * packet without its tag; it is the associated data of an AEAD over
	 * an empty plaintext */
	uint8_t pseudo[1 + QUIC_MAX_CID_LEN + QUIC_RETRY_MAX_LEN];
	const struct version_params *v = version_params(version);
	struct crypto_aead_ctx ctx;
	int ret;

	if (!v || odcidlen > QUIC_MAX_CID_LEN || len > QUIC_RETRY_MAX_LEN)
		return -1;
	pseudo[0] = (uint8_t)odcidlen;
	memcpy(pseudo + 1, odcid, odcidlen);
	memcpy(pseudo + 1 + odcidlen, retry, len);
	ret = crypto_aead_init(&ctx, CRYPTO_AES_128_GCM, v->retry_key, sizeof(v->retry_key));
	if (ret == 0)
		ret = crypto_aead_seal(&ctx, v->retry_nonce, pseudo, 1 + odcidlen + len,
				       NULL, 0, tag);
	crypto_aead_deinit(&ctx);
	return ret;
}

int quic_retry_verify(uint32_t version, const uint8_t *odcid, size_t odcidlen,
		      const uint8_t *retry, size_t len)
{
	uint8_t tag[QUIC_RETRY_TAG_LEN];

	if (len < QUIC_RETRY_TAG_LEN ||
	    quic_retry_tag(version, odcid, odcidlen, retry, len - QUIC_RETRY_TAG_LEN, tag) != 0)
		return -1;
	return crypto_equal(tag, retry + len - QUIC_RETRY_TAG_LEN, QUIC_RETRY_TAG_LEN) ? 0 : -1;
}
