/* quic/conn_cid: a connection's IDs (RFC 9000 5.1): those we issue up to
 * the peer's active_connection_id_limit, announced with
 * NEW_CONNECTION_ID; the peer's, with retire_prior_to honoured and
 * RETIRE_CONNECTION_ID sent; stateless reset tokens. Part of quic/conn. */
#include <string.h>

#include "crypto/crypto.h"
#include "lib/pool.h"
#include "quic/conn-internal.h"
#include "quic/endpoint.h"
#include "quic/token.h"

/* Issue CIDs until the peer holds as many as it allows (at most our
 * slots): each routed to us, announced with NEW_CONNECTION_ID and a reset
 * token derived from it (RFC 9000 5.1.1). Once the handshake is done. */
void conn_issue_cids(struct quic_conn *c)
{
	uint64_t limit = c->peer_cid_limit < CONFIG_POOL_CIDS_PER_CONN ?
			 c->peer_cid_limit : CONFIG_POOL_CIDS_PER_CONN;
	uint32_t active = 0;

	if (!c->complete || c->state != QUIC_CONN_ESTABLISHED || !c->scid.len)
		return;
	for (int i = 0; i < CONFIG_POOL_CIDS_PER_CONN; i++)
		active += c->lcid[i].used;
	for (int i = 0; i < CONFIG_POOL_CIDS_PER_CONN && active < limit; i++) {
		struct quic_local_cid *l = &c->lcid[i];

		if (l->used)
			continue;
		l->cid.len = c->scid.len;
		quic_endpoint_random(c->ep, l->cid.b, l->cid.len);
		if (quic_cid_add(&c->ep->cids, &l->cid, c->self) != 0)
			return;  /* table full (or a collision): try again later */
		l->seq = c->lcid_next_seq++;
		l->used = l->announce = true;
		active++;
	}
}

void conn_queue_retire(struct quic_conn *c, uint64_t seq)
{
	if (c->retire_n < QUIC_RETIRE_QUEUE)
		c->retire_q[c->retire_n++] = seq;
}

/* NEW_CONNECTION_ID (RFC 9000 19.15, 5.1.2). */
int conn_on_new_cid(struct quic_conn *c, const struct quic_frame *f)
{
	struct quic_peer_cid *free_slot = NULL;
	uint32_t active = 0;

	if (!c->dcid.len)
		return QUIC_PROTOCOL_VIOLATION;  /* we use a zero-length CID to it */
	for (int i = 0; i < CONFIG_POOL_CIDS_PER_CONN; i++) {
		struct quic_peer_cid *p = &c->pcid[i];

		if (!p->used) {
			if (!free_slot)
				free_slot = p;
			continue;
		}
		if (p->seq == f->new_cid.seq) {
			/* a repeat must be identical */
			return quic_cid_equal(&p->cid, &f->new_cid.cid) ? 0 : QUIC_PROTOCOL_VIOLATION;
		}
	}
	if (f->new_cid.seq < c->peer_retire_prior_to) {
		conn_queue_retire(c, f->new_cid.seq);  /* retired on arrival */
		return 0;
	}
	if (f->new_cid.retire_prior_to > c->peer_retire_prior_to)
		c->peer_retire_prior_to = f->new_cid.retire_prior_to;
	if (!free_slot)
		return QUIC_CONNECTION_ID_LIMIT_ERROR;
	free_slot->used = true;
	free_slot->seq = f->new_cid.seq;
	free_slot->cid = f->new_cid.cid;
	memcpy(free_slot->token, f->new_cid.reset_token, sizeof(free_slot->token));
	/* retire what retire_prior_to asks for; move off it if we use it */
	for (int i = 0; i < CONFIG_POOL_CIDS_PER_CONN; i++) {
		struct quic_peer_cid *p = &c->pcid[i];

		if (p->used && p->seq < c->peer_retire_prior_to) {
			conn_queue_retire(c, p->seq);
			p->used = false;
		}
		active += p->used;
	}
	if (c->dcid_seq < c->peer_retire_prior_to && !conn_switch_dcid(c))
		conn_queue_retire(c, c->dcid_seq);  /* and keep using it: no other */
	/* active CIDs (the one in use included) beyond our limit */
	return active + 1 > CONFIG_POOL_CIDS_PER_CONN ? QUIC_CONNECTION_ID_LIMIT_ERROR : 0;
}

/* RETIRE_CONNECTION_ID (19.16): the peer is done with one of ours. */
int conn_on_retire_cid(struct quic_conn *c, const struct quic_frame *f)
{
	if (f->retire_cid.seq >= c->lcid_next_seq)
		return QUIC_PROTOCOL_VIOLATION;  /* never issued */
	for (int i = 0; i < CONFIG_POOL_CIDS_PER_CONN; i++) {
		struct quic_local_cid *l = &c->lcid[i];

		if (l->used && l->seq == f->retire_cid.seq) {
			quic_cid_remove(&c->ep->cids, &l->cid);
			l->used = l->announce = false;
			break;
		}
	}
	conn_issue_cids(c);
	return 0;
}

/* Does any of the peer's reset tokens end d? (RFC 9000 10.3.1) */
bool conn_peer_token_matches(const struct quic_conn *c, const uint8_t *tail)
{
	if (c->have_reset_token && crypto_equal(tail, c->reset_token, QUIC_STATELESS_RESET_TOKEN_LEN))
		return true;
	for (int i = 0; i < CONFIG_POOL_CIDS_PER_CONN; i++)
		if (c->pcid[i].used &&
		    crypto_equal(tail, c->pcid[i].token, QUIC_STATELESS_RESET_TOKEN_LEN))
			return true;
	return false;
}

/* NEW_CONNECTION_ID for CIDs not yet announced, one queued
 * RETIRE_CONNECTION_ID (both recorded, to be resent if lost). */
bool conn_write_cid_frames(struct quic_conn *c, struct buf_writer *w, struct quic_sent *rec)
{
	bool wrote = false;
	struct quic_frame f;

	for (int i = 0; i < CONFIG_POOL_CIDS_PER_CONN; i++) {
		struct quic_local_cid *l = &c->lcid[i];

		if (!l->used || !l->announce)
			continue;
		f = (struct quic_frame){ .type = QUIC_FRAME_NEW_CONNECTION_ID };
		f.new_cid.seq = l->seq;
		f.new_cid.cid = l->cid;
		if (quic_reset_token(&c->ep->tokens, &l->cid, f.new_cid.reset_token) != 0 ||
		    quic_frame_write(w, &f) != 0)
			break;
		l->announce = false;
		rec->ncid_mask |= (uint16_t)(1u << i);
		wrote = true;
	}
	if (c->retire_n && !rec->retire) {
		f = (struct quic_frame){ .type = QUIC_FRAME_RETIRE_CONNECTION_ID };
		f.retire_cid.seq = c->retire_q[0];
		if (quic_frame_write(w, &f) == 0) {
			rec->retire = 1;
			rec->retire_seq = c->retire_q[0];
			memmove(c->retire_q, c->retire_q + 1, --c->retire_n * sizeof(c->retire_q[0]));
			wrote = true;
		}
	}
	return wrote;
}

bool conn_cids_waiting(const struct quic_conn *c)
{
	if (c->retire_n)
		return true;
	for (int i = 0; i < CONFIG_POOL_CIDS_PER_CONN; i++)
		if (c->lcid[i].used && c->lcid[i].announce)
			return true;
	return false;
}

