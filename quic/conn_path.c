/* quic/conn_path: the peer's address and its changes (RFC 9000 8.2, 9):
 * PATH_CHALLENGE / PATH_RESPONSE, NAT rebinding and active migration
 * followed with path validation, anti-amplification on a path not yet
 * validated, a fresh peer CID when the peer moved to a fresh one of ours,
 * the congestion controller restarted when the address (not only the
 * port) changed, and the fall-back to the last validated path when
 * validation fails. Part of quic/conn.
 *
 * disable_active_migration (server config) is read as RFC 9000 9 allows
 * it: a peer that moved on purpose uses a new connection ID (9.5), so a
 * packet from a new address with a new CID is dropped; one with the same
 * CID is a NAT rebinding, which the client cannot prevent, and is
 * followed.
 */
#include <string.h>

#include "quic/conn-internal.h"
#include "quic/endpoint.h"
#include "quic/recovery.h"

/* 8.2.4: give a validation max(3 PTO, 6 * initial RTT). */
static uint64_t validation_period(const struct quic_conn *c)
{
	uint64_t pto = 3 * quic_recovery_pto_base(&c->rec, QUIC_SPACE_APP);

	return pto > 6 * QUIC_INITIAL_RTT ? pto : 6 * QUIC_INITIAL_RTT;
}

static void start_validation(struct quic_conn *c, uint64_t now)
{
	quic_endpoint_random(c->ep, c->challenge, sizeof(c->challenge));
	c->challenge_pending = true;
	c->challenge_out = true;
	c->challenge_deadline = now + validation_period(c);
}

/* Our next peer CID (9.5: not the one used on the old path), retiring
 * the current one. false when the peer gave us no spare. */
bool conn_switch_dcid(struct quic_conn *c)
{
	for (int i = 0; i < CONFIG_POOL_CIDS_PER_CONN; i++) {
		struct quic_peer_cid *p = &c->pcid[i];

		if (!p->used)
			continue;
		conn_queue_retire(c, c->dcid_seq);
		c->dcid = p->cid;
		c->dcid_seq = p->seq;
		memcpy(c->reset_token, p->token, sizeof(c->reset_token));
		c->have_reset_token = true;
		p->used = false;
		return true;
	}
	return false;
}

/* Move to `to` (9.3): validate it, limit what we send there to three
 * times what it sent until then, keep the old path if it was validated. */
static void migrate(struct quic_conn *c, const struct quic_addr *to, size_t dgram_len,
		    bool new_cid, uint64_t now)
{
	if (c->address_validated) {
		c->prev_peer = c->peer;
		c->have_prev_peer = true;
	}
	/* 9.4: a new address is a new network path; a new port alone is most
	 * likely the same path behind a NAT */
	if (!quic_addr_same_host(&c->peer, to))
		quic_recovery_new_path(&c->rec);
	c->peer = *to;
	c->address_validated = false;
	c->bytes_rx = dgram_len;
	c->bytes_tx = 0;
	if (new_cid)
		conn_switch_dcid(c);
	start_validation(c, now);
	c->stats.migrations++;
}

bool conn_path_accept(struct quic_conn *c, const struct quic_addr *from,
		      const struct quic_cid *dcid, bool long_header)
{
	if (quic_addr_equal(from, &c->peer))
		return true;
	/* 9: no migration before the handshake is confirmed; and a server
	 * that disabled active migration drops a peer that moved on purpose */
	if (long_header || !c->confirmed || !c->server ||
	    (c->server && c->ep->no_migration && !quic_cid_equal(dcid, &c->rx_dcid))) {
		c->stats.path_drop++;
		return false;
	}
	return true;
}

void conn_path_on_packet(struct quic_conn *c, const struct quic_addr *from,
			 const struct quic_cid *dcid, size_t dgram_len, bool largest,
			 bool non_probing, uint64_t now)
{
	bool new_cid = !quic_cid_equal(dcid, &c->rx_dcid);

	/* a PATH_RESPONSE to a probe is padded to 1200 bytes (8.2.2) when
	 * that is within three times what the probe brought (8.1) */
	if (c->path_response_pending && quic_addr_equal(from, &c->path_response_to))
		c->probe_pad = dgram_len >= 400;
	if (!largest)
		return;  /* 9.3: only the newest packet moves the connection */
	if (!quic_addr_equal(from, &c->peer) && c->server) {
		if (non_probing) {
			migrate(c, from, dgram_len, new_cid, now);
		} else if (new_cid) {
			/* a probe of a path the peer may move to, with a new
			 * CID of ours: our answer there must not carry the CID
			 * we use on the current path (9.5); the move that may
			 * follow then needs no second switch */
			conn_switch_dcid(c);
		}
	}
	c->rx_dcid = *dcid;
}

void conn_path_on_challenge(struct quic_conn *c, const struct quic_frame *f,
			    const struct quic_addr *from)
{
	memcpy(c->path_response, f->path.data, sizeof(c->path_response));
	c->path_response_to = *from;
	c->path_response_pending = true;
}

void conn_path_on_response(struct quic_conn *c, const struct quic_frame *f)
{
	if (!c->challenge_out || memcmp(f->path.data, c->challenge, sizeof(c->challenge)))
		return;  /* 8.2.3: not ours, or late: ignored */
	c->challenge_out = c->challenge_pending = false;
	c->challenge_deadline = UINT64_MAX;
	c->address_validated = true;
	c->have_prev_peer = false;
}

void conn_path_timeout(struct quic_conn *c, uint64_t now)
{
	if (now < c->challenge_deadline)
		return;
	c->challenge_out = c->challenge_pending = false;
	c->challenge_deadline = UINT64_MAX;
	c->stats.path_fail++;
	if (c->address_validated)
		return;  /* a client probing its own move: the path still works */
	if (!c->have_prev_peer) {
		/* 9.3.2: no validated path left */
		c->state = QUIC_CONN_CLOSED;
		return;
	}
	c->peer = c->prev_peer;
	c->have_prev_peer = false;
	c->address_validated = true;
}

int quic_conn_migrate(struct quic_conn *c, uint64_t now)
{
	if (c->server || !c->confirmed || c->state != QUIC_CONN_ESTABLISHED ||
	    c->peer_no_migration || !conn_switch_dcid(c))
		return -1;
	quic_recovery_new_path(&c->rec);
	start_validation(c, now);
	c->stats.migrations++;
	return 0;
}

bool conn_write_path_frames(struct quic_conn *c, struct buf_writer *w, struct quic_sent *rec)
{
	bool eliciting = false;

	if (c->challenge_pending) {
		struct quic_frame f = { .type = QUIC_FRAME_PATH_CHALLENGE };

		memcpy(f.path.data, c->challenge, sizeof(f.path.data));
		if (quic_frame_write(w, &f) == 0) {
			c->challenge_pending = false;
			rec->path_challenge = 1;
			eliciting = true;
		}
	}
	if (c->path_response_pending && quic_addr_equal(&c->path_response_to, &c->peer)) {
		struct quic_frame f = { .type = QUIC_FRAME_PATH_RESPONSE };

		memcpy(f.path.data, c->path_response, sizeof(f.path.data));
		if (quic_frame_write(w, &f) == 0) {
			c->path_response_pending = false;
			eliciting = true;
		}
	}
	return eliciting;
}

bool conn_path_waiting(const struct quic_conn *c)
{
	return c->challenge_pending ||
	       (c->path_response_pending && quic_addr_equal(&c->path_response_to, &c->peer));
}

void conn_path_lost(struct quic_conn *c, const struct quic_sent *p)
{
	if (p->path_challenge && c->challenge_out)
		c->challenge_pending = true;  /* same data again (8.2.1) */
}
