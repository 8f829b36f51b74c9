/* quic/token: stateless reset tokens and address validation tokens; see
 * quic/token.h for the formats. */
#include <string.h>

#include "crypto/crypto.h"
#include "lib/buf.h"
#include "quic/token.h"

int quic_token_key_init(struct quic_token_key *k, const uint8_t secret[QUIC_TOKEN_SECRET_LEN])
{
	uint8_t aead_key[16];
	int ret;

	memset(k, 0, sizeof(*k));
	ret = crypto_hkdf_expand_label(CRYPTO_SHA256, secret, QUIC_TOKEN_SECRET_LEN,
				       "tern token", 10, NULL, 0, aead_key, sizeof(aead_key));
	if (!ret)
		ret = crypto_hkdf_expand_label(CRYPTO_SHA256, secret, QUIC_TOKEN_SECRET_LEN,
					       "tern reset", 10, NULL, 0, k->reset_key,
					       sizeof(k->reset_key));
	if (!ret)
		ret = crypto_aead_init(&k->aead, CRYPTO_AES_128_GCM, aead_key, sizeof(aead_key));
	crypto_wipe(aead_key, sizeof(aead_key));
	if (ret)
		quic_token_key_deinit(k);
	return ret ? -1 : 0;
}

void quic_token_key_deinit(struct quic_token_key *k)
{
	crypto_aead_deinit(&k->aead);
	crypto_wipe(k, sizeof(*k));
}

int quic_reset_token(const struct quic_token_key *k, const struct quic_cid *cid,
		     uint8_t token[QUIC_STATELESS_RESET_TOKEN_LEN])
{
	uint8_t mac[32];

	/* HKDF-Extract(salt = key, ikm = cid) is HMAC-SHA-256(key, cid) */
	if (cid->len > QUIC_MAX_CID_LEN ||
	    crypto_hkdf_extract(CRYPTO_SHA256, k->reset_key, sizeof(k->reset_key), cid->b,
				cid->len, mac) != 0)
		return -1;
	memcpy(token, mac, QUIC_STATELESS_RESET_TOKEN_LEN);
	crypto_wipe(mac, sizeof(mac));
	return 0;
}

/* the associated data: kind || address */
static size_t token_aad(uint8_t aad[1 + QUIC_TOKEN_MAX_ADDR], uint8_t kind, const uint8_t *addr,
			size_t addrlen)
{
	aad[0] = kind;
	memcpy(aad + 1, addr, addrlen);
	return 1 + addrlen;
}

static void put_cid(struct buf_writer *w, const struct quic_cid *c)
{
	buf_put_u8(w, c ? c->len : 0);
	if (c)
		buf_put_bytes(w, c->b, c->len);
}

static bool get_cid(struct buf_reader *r, struct quic_cid *c)
{
	uint8_t n = buf_get_u8(r);
	const uint8_t *p = buf_get_bytes(r, n);

	if (!p || n > QUIC_MAX_CID_LEN)
		return false;
	c->len = n;
	memcpy(c->b, p, n);
	return true;
}

size_t quic_token_make(struct quic_token_key *k, enum quic_token_kind kind,
		       const uint8_t nonce[QUIC_TOKEN_NONCE_LEN],
		       const uint8_t *addr, size_t addrlen, uint64_t expiry_ns,
		       const struct quic_cid *odcid, const struct quic_cid *rscid,
		       uint8_t *out, size_t cap)
{
	uint8_t aad[1 + QUIC_TOKEN_MAX_ADDR];
	struct buf_writer w;
	uint8_t *body;
	size_t bodylen;

	if ((kind != QUIC_TOKEN_RETRY && kind != QUIC_TOKEN_NEW) ||
	    (kind == QUIC_TOKEN_RETRY) != (odcid && rscid) ||
	    addrlen > QUIC_TOKEN_MAX_ADDR || (addrlen && !addr) ||
	    (odcid && odcid->len > QUIC_MAX_CID_LEN) || (rscid && rscid->len > QUIC_MAX_CID_LEN))
		return 0;
	buf_writer_init(&w, out, cap);
	buf_put_u8(&w, (uint8_t)kind);
	buf_put_bytes(&w, nonce, QUIC_TOKEN_NONCE_LEN);
	body = w.p;
	buf_put_uint(&w, expiry_ns, 8);
	put_cid(&w, odcid);
	put_cid(&w, rscid);
	bodylen = (size_t)(w.p - body);
	buf_put_space(&w, CRYPTO_AEAD_TAG_LEN);
	if (w.err ||
	    crypto_aead_seal(&k->aead, nonce, aad, token_aad(aad, (uint8_t)kind, addr, addrlen),
			     body, bodylen, body + bodylen) != 0)
		return 0;
	return buf_written(&w);
}

int quic_token_check(struct quic_token_key *k, const uint8_t *tok, size_t len,
		     const uint8_t *addr, size_t addrlen, uint64_t now_ns,
		     enum quic_token_kind *kind, struct quic_cid *odcid, struct quic_cid *rscid)
{
	uint8_t body[QUIC_TOKEN_MAX_LEN], aad[1 + QUIC_TOKEN_MAX_ADDR];
	size_t bodylen;
	struct buf_reader r;
	struct quic_cid o, s;
	uint64_t expiry;
	int ret = -1;

	if (len < 1 + QUIC_TOKEN_NONCE_LEN + CRYPTO_AEAD_TAG_LEN || len > QUIC_TOKEN_MAX_LEN ||
	    (tok[0] != QUIC_TOKEN_RETRY && tok[0] != QUIC_TOKEN_NEW) ||
	    addrlen > QUIC_TOKEN_MAX_ADDR || (addrlen && !addr))
		return -1;
	/* open a copy: the packet's token stays as received */
	bodylen = len - 1 - QUIC_TOKEN_NONCE_LEN - CRYPTO_AEAD_TAG_LEN;
	memcpy(body, tok + 1 + QUIC_TOKEN_NONCE_LEN, bodylen);
	if (crypto_aead_open(&k->aead, tok + 1, aad, token_aad(aad, tok[0], addr, addrlen),
			     body, bodylen, tok + len - CRYPTO_AEAD_TAG_LEN) != 0)
		goto out;
	buf_reader_init(&r, body, bodylen);
	expiry = buf_get_uint(&r, 8);
	if (!get_cid(&r, &o) || !get_cid(&r, &s) || buf_left(&r) || now_ns >= expiry)
		goto out;
	if (tok[0] == QUIC_TOKEN_NEW && (o.len || s.len))
		goto out;
	*kind = (enum quic_token_kind)tok[0];
	if (odcid)
		*odcid = o;
	if (rscid)
		*rscid = s;
	ret = 0;
out:
	crypto_wipe(body, sizeof(body));
	return ret;
}
