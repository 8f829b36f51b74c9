/* quic/recovery: RFC 9002 loss detection and PTO; see quic/recovery.h.
 *
 * Each space keeps its ack-eliciting packets in a list in packet-number
 * order (sending appends). An ACK's ranges come largest first, so they
 * are matched walking the list from its tail: one pass over the ranges
 * and the records newer than the smallest acknowledged, however many
 * ranges the frame has. Loss detection walks from the head and stops at
 * the first packet not older than the largest acknowledged.
 */
#include <string.h>

#include "lib/pool.h"
#include "quic/recovery.h"

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

void quic_recovery_init(struct quic_recovery *r, uint32_t max_datagram_size)
{
	memset(r, 0, sizeof(*r));
	for (int s = 0; s < QUIC_SPACE_COUNT; s++) {
		r->sp[s].largest_acked = UINT64_MAX;
		r->sp[s].loss_time = UINT64_MAX;
	}
	r->rtt.smoothed = QUIC_INITIAL_RTT;
	r->rtt.var = QUIC_INITIAL_RTT / 2;
	r->max_ack_delay = 25 * QUIC_NS_PER_MS;  /* the default until the peer's tparams */
	quic_cc_init(&r->cc, max_datagram_size);
}

static void free_space(struct quic_recovery *r, enum quic_pn_space s)
{
	struct quic_recovery_space *sp = &r->sp[s];

	while (sp->head) {
		struct quic_sent *p = sp->head;

		sp->head = p->next;
		r->bytes_in_flight -= p->size;
		pool_free(&pool_sent, p);
	}
	sp->tail = NULL;
	sp->count = 0;
	sp->loss_time = UINT64_MAX;
	sp->probes = 0;
}

void quic_recovery_deinit(struct quic_recovery *r)
{
	for (int s = 0; s < QUIC_SPACE_COUNT; s++)
		free_space(r, (enum quic_pn_space)s);
}

struct quic_sent *quic_recovery_record(struct quic_recovery *r)
{
	struct quic_sent *p = pool_zalloc(&pool_sent);

	if (!p)
		r->stats.no_record++;
	return p;
}

void quic_recovery_release(struct quic_sent *p)
{
	if (p)
		pool_free(&pool_sent, p);
}

void quic_recovery_on_sent(struct quic_recovery *r, enum quic_pn_space s, struct quic_sent *p,
			   uint64_t now)
{
	struct quic_recovery_space *sp = &r->sp[s];

	if (!p->ack_eliciting || sp->discarded) {
		pool_free(&pool_sent, p);
		return;
	}
	p->time = now;
	/* 7.8: a window not filled by what is in flight is not evidence the
	 * network can take more (half full counts as filled: the pacer
	 * spreads a window over an RTT) */
	p->app_limited = 2 * (r->bytes_in_flight + p->size) < r->cc.cwnd;
	p->prev = sp->tail;
	p->next = NULL;
	if (sp->tail)
		sp->tail->next = p;
	else
		sp->head = p;
	sp->tail = p;
	sp->count++;
	sp->last_eliciting_time = now;
	r->bytes_in_flight += p->size;
	quic_cc_on_sent(&r->cc, p->size, now);
}

static void unlink_rec(struct quic_recovery *r, enum quic_pn_space s, struct quic_sent *p)
{
	struct quic_recovery_space *sp = &r->sp[s];

	if (p->prev)
		p->prev->next = p->next;
	else
		sp->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		sp->tail = p->prev;
	sp->count--;
	r->bytes_in_flight -= p->size;
}

uint64_t quic_recovery_pto_base(const struct quic_recovery *r, enum quic_pn_space s)
{
	uint64_t d = r->rtt.smoothed + max_u64(4 * r->rtt.var, QUIC_GRANULARITY);

	if (s == QUIC_SPACE_APP)
		d += r->max_ack_delay;
	return d;
}

/* RFC 9002 5.3 */
static void rtt_sample(struct quic_recovery *r, uint64_t latest, uint64_t ack_delay, uint64_t now)
{
	struct quic_rtt *t = &r->rtt;

	t->latest = latest;
	if (!t->have_sample) {
		t->have_sample = true;
		t->min = latest;
		t->smoothed = latest;
		t->var = latest / 2;
		r->first_sample_time = now;
		return;
	}
	if (latest < t->min)
		t->min = latest;
	if (r->confirmed && ack_delay > r->max_ack_delay)
		ack_delay = r->max_ack_delay;
	uint64_t adjusted = latest >= t->min + ack_delay ? latest - ack_delay : latest;
	uint64_t d = t->smoothed > adjusted ? t->smoothed - adjusted : adjusted - t->smoothed;

	t->var = (3 * t->var + d) / 4;
	t->smoothed = (7 * t->smoothed + adjusted) / 8;
}

/* 7.6.1: (smoothed_rtt + max(4 * rttvar, kGranularity) + max_ack_delay)
 * * kPersistentCongestionThreshold */
static uint64_t persistent_duration(const struct quic_recovery *r)
{
	return 3 * quic_recovery_pto_base(r, QUIC_SPACE_APP);
}

/* A.10: packets older than the largest acknowledged by the packet or
 * time threshold are lost; the others arm the space's loss timer. */
static void detect_lost(struct quic_recovery *r, enum quic_pn_space s,
			const struct quic_recovery_ops *ops, void *arg, uint64_t now)
{
	struct quic_recovery_space *sp = &r->sp[s];
	uint64_t delay = max_u64(r->rtt.latest, r->rtt.smoothed) * 9 / 8;
	uint64_t lost_send_time, newest_lost = 0, run_start = 0, run_end = 0;
	uint64_t pc_period = persistent_duration(r);
	bool any = false, in_run = false, persistent = false;
	struct quic_sent *p, *next;

	sp->loss_time = UINT64_MAX;
	if (sp->largest_acked == UINT64_MAX)
		return;
	delay = max_u64(delay, QUIC_GRANULARITY);
	lost_send_time = now > delay ? now - delay : 0;
	for (p = sp->head; p && p->pn < sp->largest_acked; p = next) {
		next = p->next;
		if (p->time > lost_send_time && p->pn + QUIC_PACKET_THRESHOLD > sp->largest_acked) {
			/* not yet: the loss timer takes it when it ages */
			if (p->time + delay < sp->loss_time)
				sp->loss_time = p->time + delay;
			in_run = false;
			continue;
		}
		/* 7.6.2: a run of lost packets with no acknowledged one between
		 * them, all sent after the first RTT sample */
		if (r->rtt.have_sample && p->time > r->first_sample_time) {
			if (!in_run)
				run_start = p->time;
			run_end = p->time;
			in_run = true;
			if (run_end - run_start > pc_period)
				persistent = true;
		} else {
			in_run = false;
		}
		if (p->gap_after)
			in_run = false;
		if (p->time > newest_lost)
			newest_lost = p->time;
		any = true;
		r->stats.lost++;
		unlink_rec(r, s, p);
		if (!p->requeued)
			ops->lost(arg, s, p);
		pool_free(&pool_sent, p);
	}
	if (!any)
		return;
	quic_cc_on_congestion(&r->cc, newest_lost, false, now);
	if (persistent) {
		r->stats.persistent++;
		quic_cc_on_persistent_congestion(&r->cc, now);
	}
}

static void ecn_fail(struct quic_recovery *r, uint32_t why)
{
	r->ecn = QUIC_ECN_FAILED;
	r->stats.ecn_fail = why;
}

/* 13.4.2.1: do the counts of this ACK account for the ECT(0) packets it
 * newly acknowledges? true when the counts may be acted on. */
static bool ecn_validate(struct quic_recovery *r, const struct quic_recovery_space *sp,
			 const struct quic_frame *f, uint64_t newly_ect)
{
	if (r->ecn == QUIC_ECN_FAILED)
		return false;
	if (f->type != QUIC_FRAME_ACK_ECN) {
		if (newly_ect)
			ecn_fail(r, 1);  /* marked packets acked without counts: bleached */
		return false;
	}
	/* counts never go down; we never send ECT(1) */
	if (f->ack.ect0 < sp->peer_ecn[0] || f->ack.ce < sp->peer_ecn[2] || f->ack.ect1) {
		ecn_fail(r, 3);
		return false;
	}
	if (f->ack.ect0 - sp->peer_ecn[0] + f->ack.ce - sp->peer_ecn[2] < newly_ect) {
		ecn_fail(r, 2);  /* marks lost on the way (or re-marked Not-ECT) */
		return false;
	}
	if (newly_ect && r->ecn != QUIC_ECN_CAPABLE)
		r->ecn = QUIC_ECN_CAPABLE;
	return true;
}

bool quic_recovery_ecn_mark(const struct quic_recovery *r)
{
	return r->ecn == QUIC_ECN_CAPABLE || r->ecn == QUIC_ECN_TESTING;
}

void quic_recovery_ecn_marked(struct quic_recovery *r)
{
	if (r->ecn == QUIC_ECN_TESTING && ++r->ecn_tested >= QUIC_ECN_TESTING_DGRAMS)
		r->ecn = QUIC_ECN_UNKNOWN;
}

void quic_recovery_ecn_disable(struct quic_recovery *r)
{
	r->ecn = QUIC_ECN_FAILED;
	r->ecn_off = true;
}

void quic_recovery_on_ack(struct quic_recovery *r, enum quic_pn_space s,
			  const struct quic_frame *f, uint64_t ack_delay,
			  const struct quic_recovery_ops *ops, void *arg, uint64_t now)
{
	struct quic_recovery_space *sp = &r->sp[s];
	struct quic_ack_iter it;
	struct quic_sent *cur = sp->tail, *prev;
	uint64_t lo, hi;
	bool newly = false, eliciting_newly = false;
	uint64_t newly_ect = 0;

	if (sp->discarded)
		return;
	if (sp->largest_acked == UINT64_MAX || f->ack.largest > sp->largest_acked)
		sp->largest_acked = f->ack.largest;
	/* the RTT sample: the largest acknowledged, newly, ack-eliciting */
	while (cur && cur->pn > f->ack.largest)
		cur = cur->prev;
	if (cur && cur->pn == f->ack.largest)
		rtt_sample(r, now - cur->time, ack_delay, now);
	/* newly acknowledged packets; the loss detection below must not see
	 * them, the controller must see the losses first (A.7) so that a
	 * packet sent before the event does not grow the window; so acks are
	 * unlinked now and given to the controller after */
	struct quic_sent *acked = NULL;

	quic_ack_iter_init(&it, f);
	while (cur && quic_ack_iter_next(&it, &lo, &hi)) {
		while (cur && cur->pn > hi)
			cur = cur->prev;
		while (cur && cur->pn >= lo) {
			prev = cur->prev;
			if (cur->prev)
				cur->prev->gap_after = 1;
			unlink_rec(r, s, cur);
			cur->next = acked;   /* a private list, newest first */
			acked = cur;
			newly = true;
			eliciting_newly |= cur->ack_eliciting;
			newly_ect += cur->ect;
			cur = prev;
		}
	}
	if (!newly)
		return;
	if (s == QUIC_SPACE_HANDSHAKE)
		r->peer_validated = true;  /* A.6: a Handshake ACK proves it */
	/* ECN (RFC 9000 13.4.2, RFC 9002 7.1): a new CE count is a
	 * congestion event for the packet with the largest acknowledged */
	if (ecn_validate(r, sp, f, newly_ect) && f->ack.ce > sp->peer_ecn[2])
		quic_cc_on_congestion(&r->cc, acked->time, true, now);
	if (f->type == QUIC_FRAME_ACK_ECN) {
		sp->peer_ecn[0] = f->ack.ect0;
		sp->peer_ecn[1] = f->ack.ect1;
		sp->peer_ecn[2] = f->ack.ce;
	}
	detect_lost(r, s, ops, arg, now);
	while (acked) {
		struct quic_sent *p = acked;

		acked = p->next;
		quic_cc_on_acked(&r->cc, p->size, p->time, &r->rtt, p->app_limited, now);
		ops->acked(arg, s, p);
		pool_free(&pool_sent, p);
	}
	/* A.7: pto_count restarts unless a client is unsure the server
	 * validated its address */
	if (r->peer_validated && eliciting_newly)
		r->pto_count = 0;
}

void quic_recovery_discard(struct quic_recovery *r, enum quic_pn_space s)
{
	free_space(r, s);
	r->sp[s].discarded = true;
	r->pto_count = 0;
}

void quic_recovery_reset_space(struct quic_recovery *r, enum quic_pn_space s)
{
	free_space(r, s);
}

void quic_recovery_new_path(struct quic_recovery *r)
{
	memset(&r->rtt, 0, sizeof(r->rtt));
	r->rtt.smoothed = QUIC_INITIAL_RTT;
	r->rtt.var = QUIC_INITIAL_RTT / 2;
	r->first_sample_time = 0;
	quic_cc_init(&r->cc, r->cc.mds);
	/* ECN is a property of the path: test the new one */
	if (!r->ecn_off) {
		r->ecn = QUIC_ECN_TESTING;
		r->ecn_tested = 0;
	}
}

bool quic_recovery_has_crypto(const struct quic_recovery *r, enum quic_pn_space s)
{
	for (const struct quic_sent *p = r->sp[s].head; p; p = p->next)
		if (p->crypto_len)
			return true;
	return false;
}

/* A.8: the PTO's time and space. */
static uint64_t pto_time(const struct quic_recovery *r, enum quic_pn_space *which)
{
	uint64_t best = UINT64_MAX;
	bool in_flight = false;

	for (int s = 0; s < QUIC_SPACE_COUNT; s++) {
		const struct quic_recovery_space *sp = &r->sp[s];
		uint64_t t;

		if (!sp->head || sp->discarded)
			continue;
		in_flight = true;
		if (s == QUIC_SPACE_APP && !r->confirmed)
			continue;  /* 6.2.1: not before the handshake is confirmed */
		t = sp->last_eliciting_time +
		    (quic_recovery_pto_base(r, (enum quic_pn_space)s) << r->pto_count);
		if (t < best) {
			best = t;
			*which = (enum quic_pn_space)s;
		}
	}
	if (in_flight || r->peer_validated)
		return best;
	/* 6.2.2.1: a client whose address the server may not have validated
	 * keeps a PTO with nothing in flight, or a server blocked by the
	 * anti-amplification limit and a client with nothing to say would
	 * wait for each other; armed from the last ack-eliciting packet */
	enum quic_pn_space s = r->handshake_keys ? QUIC_SPACE_HANDSHAKE : QUIC_SPACE_INITIAL;
	uint64_t last = max_u64(r->sp[QUIC_SPACE_INITIAL].last_eliciting_time,
				r->sp[QUIC_SPACE_HANDSHAKE].last_eliciting_time);

	*which = s;
	return last + (quic_recovery_pto_base(r, s) << r->pto_count);
}

static uint64_t earliest_loss_time(const struct quic_recovery *r, enum quic_pn_space *which)
{
	uint64_t t = UINT64_MAX;

	for (int s = 0; s < QUIC_SPACE_COUNT; s++)
		if (!r->sp[s].discarded && r->sp[s].loss_time < t) {
			t = r->sp[s].loss_time;
			*which = (enum quic_pn_space)s;
		}
	return t;
}

uint64_t quic_recovery_deadline(const struct quic_recovery *r)
{
	enum quic_pn_space s;
	uint64_t t = earliest_loss_time(r, &s);

	if (t != UINT64_MAX)
		return t;
	return pto_time(r, &s);
}

static void requeue_oldest(struct quic_recovery *r, enum quic_pn_space s, uint8_t probes,
			   const struct quic_recovery_ops *ops, void *arg)
{
	struct quic_recovery_space *sp = &r->sp[s];
	int n = 0;

	if (sp->probes < probes)
		sp->probes = probes;
	for (struct quic_sent *p = sp->head; p && n < probes; p = p->next) {
		if (p->requeued)
			continue;
		p->requeued = 1;
		ops->lost(arg, s, p);
		n++;
	}
}

void quic_recovery_probe(struct quic_recovery *r, enum quic_pn_space s,
			 const struct quic_recovery_ops *ops, void *arg)
{
	if (r->sp[s].discarded || !r->sp[s].head)
		return;
	r->stats.early_probe++;
	requeue_oldest(r, s, 1, ops, arg);
}

void quic_recovery_timeout(struct quic_recovery *r, const struct quic_recovery_ops *ops,
			   void *arg, uint64_t now)
{
	enum quic_pn_space s;

	if (earliest_loss_time(r, &s) <= now) {
		detect_lost(r, s, ops, arg, now);
		return;
	}
	if (pto_time(r, &s) > now)
		return;
	/* 6.2.4: one or two probes, beyond the window; their content is
	 * the oldest unacknowledged frames (new data would be as good, but
	 * resending the oldest is what unblocks the peer fastest) */
	struct quic_recovery_space *sp = &r->sp[s];

	r->pto_count++;
	r->stats.pto++;
	requeue_oldest(r, s, 2, ops, arg);
	/* the anti-deadlock PTO (nothing in flight) restarts from now */
	if (!sp->head)
		sp->last_eliciting_time = now;
}

bool quic_recovery_can_send(struct quic_recovery *r, uint32_t bytes, uint64_t now,
			    uint64_t *when)
{
	uint64_t t;

	*when = UINT64_MAX;
	if (!quic_cc_can_send(&r->cc, r->bytes_in_flight, bytes))
		return false;
	t = quic_cc_pace_time(&r->cc, &r->rtt, now);
	if (t <= now)
		return true;
	*when = t;
	return false;
}
