/* tests/sim: the link simulator (see sim.h for the model and the order of
 * events). Datagrams in flight sit in fixed slots, ordered by a binary
 * min-heap on (delivery time, queueing order). */
#include <string.h>

#include "sim.h"

/* the independent random decisions about one datagram */
enum sim_draw {
	SIM_DRAW_LOSS,
	SIM_DRAW_CORRUPT,
	SIM_DRAW_BIT,
	SIM_DRAW_JITTER,
	SIM_DRAW_DUP,
	SIM_DRAW_DUP_JITTER,
};

#define SIM_FNV_OFFSET	0xcbf29ce484222325ull
#define SIM_FNV_PRIME	0x100000001b3ull

/* splitmix64's finaliser: every input bit reaches every output bit */
static uint64_t sim_mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* a function of the datagram's identity only, not of the order in which
 * the simulator happens to ask */
static uint64_t sim_draw(const struct sim *s, int dir, enum sim_draw k, uint64_t idx)
{
	uint64_t key = sim_mix(s->seed + 0x9e3779b97f4a7c15ull * (uint64_t)(dir * 8 + k + 1));

	return sim_mix(key ^ sim_mix(idx + 0x9e3779b97f4a7c15ull));
}

static bool sim_per_mille(const struct sim *s, int dir, enum sim_draw k, uint64_t idx,
			  uint16_t pm)
{
	return pm && sim_draw(s, dir, k, idx) % 1000 < pm;
}

static uint64_t sim_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t sim_random(struct sim *s)
{
	s->rng += 0x9e3779b97f4a7c15ull;
	return sim_mix(s->rng);
}

bool sim_addr_equal(const struct sim_addr *a, const struct sim_addr *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	return !memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16);
}

/* ---------------------------------------------------------------- the heap */

static bool sim_before(const struct sim *s, uint16_t a, uint16_t b)
{
	const struct sim_dgram *x = &s->dg[a], *y = &s->dg[b];

	return x->at < y->at || (x->at == y->at && x->seq < y->seq);
}

static void sim_heap_push(struct sim *s, uint16_t slot)
{
	uint32_t i = s->n_heap++;

	s->dg[slot].seq = s->seq++;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!sim_before(s, slot, s->heap[parent]))
			break;
		s->heap[i] = s->heap[parent];
		i = parent;
	}
	s->heap[i] = slot;
}

static uint16_t sim_heap_pop(struct sim *s)
{
	uint16_t top = s->heap[0], last = s->heap[--s->n_heap];
	uint32_t i = 0, n = s->n_heap;

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && sim_before(s, s->heap[c + 1], s->heap[c]))
			c++;
		if (!sim_before(s, s->heap[c], last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (n)
		s->heap[i] = last;
	return top;
}

/* A free slot holding a copy of d, not yet queued; -1 when all are taken. */
static int sim_slot_new(struct sim *s, const uint8_t *d, size_t len)
{
	uint16_t slot;

	if (!s->n_free)
		return -1;
	slot = s->free[--s->n_free];
	memcpy(s->data[slot], d, len);
	s->dg[slot].len = (uint16_t)len;
	return slot;
}

/* ---------------------------------------------------------------- the link */

/* The bottleneck: admits the datagram unless the queue is full, and says
 * when its last byte leaves. Datagrams gone by now leave the FIFO first. */
static bool sim_wire_admit(struct sim_wire *w, const struct sim_link_cfg *c, uint64_t now,
			   size_t len, uint64_t *end)
{
	uint64_t bits_ns = (uint64_t)len * SIM_NS_PER_S;
	uint64_t tx = bits_ns / c->rate_Bps + (bits_ns % c->rate_Bps != 0);
	uint32_t tail;

	while (w->count && w->end[w->head] <= now) {
		w->bytes -= w->len[w->head];
		w->head = (w->head + 1) % SIM_QUEUE_CAP;
		w->count--;
	}
	if ((c->queue_dgrams && w->count >= c->queue_dgrams) ||
	    (c->queue_bytes && w->bytes + len > c->queue_bytes) || w->count == SIM_QUEUE_CAP)
		return false;
	w->busy_until = sim_add_sat(w->busy_until > now ? w->busy_until : now, tx);
	tail = (w->head + w->count) % SIM_QUEUE_CAP;
	w->end[tail] = w->busy_until;
	w->len[tail] = (uint16_t)len;
	w->count++;
	w->bytes += (uint32_t)len;
	*end = w->busy_until;
	return true;
}

static bool sim_pattern_drops(const struct sim_dir *d, uint64_t idx)
{
	uint64_t i = idx - d->pattern_base;

	if (!d->pattern_len || (d->cfg.pattern_once && i >= d->pattern_len))
		return false;
	return d->cfg.loss_pattern[i % d->pattern_len] == 'X';
}

static uint64_t sim_jitter(const struct sim *s, int dir, enum sim_draw k, uint64_t idx)
{
	uint64_t j = s->dir[dir].cfg.jitter_ns;

	if (!j)
		return 0;
	return j == UINT64_MAX ? sim_draw(s, dir, k, idx) : sim_draw(s, dir, k, idx) % (j + 1);
}

/* Node i sent s->out[0..len) to *to: through the link, in sim_link_cfg's order. */
static void sim_link_send(struct sim *s, int i, const struct sim_addr *to, size_t len,
			  uint8_t ecn)
{
	struct sim_dir *d = &s->dir[i];
	struct sim_stats *st = &d->stats;
	size_t mtu = d->cfg.mtu && d->cfg.mtu < SIM_DGRAM_MAX ? d->cfg.mtu : SIM_DGRAM_MAX;
	uint64_t idx = st->sent++, at = s->now;
	int slot, copy;

	if (!sim_addr_equal(to, &s->node[!i].addr)) {
		st->drop_addr++;
		return;
	}
	if (len > mtu) {
		st->drop_mtu++;
		return;
	}
	if (sim_pattern_drops(d, idx)) {
		st->lost_pattern++;
		return;
	}
	if (sim_per_mille(s, i, SIM_DRAW_LOSS, idx, d->cfg.loss_pm)) {
		st->lost_random++;
		return;
	}
	if (ecn == SIM_ECN_ECT0 || ecn == SIM_ECN_ECT1)
		st->ect_sent++;
	if (!s->n_free ||
	    (d->cfg.rate_Bps && !sim_wire_admit(&d->wire, &d->cfg, s->now, len, &at))) {
		st->drop_queue++;
		return;
	}
	if (d->cfg.ecn_bleach)
		ecn = SIM_ECN_NOT_ECT;
	else if (d->cfg.rate_Bps && d->cfg.ce_queue_bytes && (ecn == SIM_ECN_ECT0 ||
		 ecn == SIM_ECN_ECT1) && d->wire.bytes - len >= d->cfg.ce_queue_bytes) {
		ecn = SIM_ECN_CE;
		st->ce_marked++;
	}
	slot = sim_slot_new(s, s->out, len);
	if (sim_per_mille(s, i, SIM_DRAW_CORRUPT, idx, d->cfg.corrupt_pm)) {
		uint64_t bit = sim_draw(s, i, SIM_DRAW_BIT, idx) % (len * 8);

		s->data[slot][bit / 8] ^= (uint8_t)(1u << (bit % 8));
		st->corrupted++;
	}
	s->dg[slot].from = s->node[i].addr;
	s->dg[slot].dir = (uint8_t)i;
	s->dg[slot].idx = idx;
	s->dg[slot].ecn = ecn;
	s->dg[slot].at = sim_add_sat(sim_add_sat(at, d->cfg.delay_ns),
				     sim_jitter(s, i, SIM_DRAW_JITTER, idx));
	sim_heap_push(s, (uint16_t)slot);
	st->in_flight++;

	if (!sim_per_mille(s, i, SIM_DRAW_DUP, idx, d->cfg.dup_pm))
		return;
	copy = sim_slot_new(s, s->data[slot], len);
	if (copy < 0)
		return;
	s->dg[copy] = s->dg[slot];
	s->dg[copy].at = sim_add_sat(sim_add_sat(at, d->cfg.delay_ns),
				     sim_jitter(s, i, SIM_DRAW_DUP_JITTER, idx));
	sim_heap_push(s, (uint16_t)copy);
	st->duplicated++;
	st->in_flight++;
}

/* ---------------------------------------------------------------- setup */

void sim_init(struct sim *s, uint64_t seed)
{
	memset(s, 0, offsetof(struct sim, data));
	s->now = SIM_T0;
	s->seed = seed;
	s->rng = sim_mix(seed ^ 0x5851f42d4c957f2dull);
	s->trace = SIM_FNV_OFFSET;
	s->max_steps = SIM_MAX_STEPS;
	/* slot 0 is taken first */
	for (uint32_t i = 0; i < SIM_QUEUE_CAP; i++)
		s->free[i] = (uint16_t)(SIM_QUEUE_CAP - 1 - i);
	s->n_free = SIM_QUEUE_CAP;
}

void sim_set_node(struct sim *s, int i, const struct sim_node_ops *ops, void *ctx,
		  const struct sim_addr *addr)
{
	if (i != 0 && i != 1)
		return;
	s->node[i].ops = ops;
	s->node[i].ctx = ctx;
	sim_set_addr(s, i, addr);
}

void sim_set_addr(struct sim *s, int i, const struct sim_addr *addr)
{
	if (i != 0 && i != 1)
		return;
	if (addr)
		s->node[i].addr = *addr;
	else
		memset(&s->node[i].addr, 0, sizeof(s->node[i].addr));
}

void sim_set_link(struct sim *s, int from, const struct sim_link_cfg *cfg)
{
	struct sim_dir *d;

	if (from != 0 && from != 1)
		return;
	d = &s->dir[from];
	if (cfg)
		d->cfg = *cfg;
	else
		memset(&d->cfg, 0, sizeof(d->cfg));
	d->pattern_len = d->cfg.loss_pattern ? strlen(d->cfg.loss_pattern) : 0;
	d->pattern_base = d->stats.sent;
}

int sim_inject(struct sim *s, int to, const struct sim_addr *from, const uint8_t *d,
	       size_t len, uint64_t at)
{
	int slot;

	if ((to != 0 && to != 1) || len > SIM_DGRAM_MAX)
		return -1;
	slot = sim_slot_new(s, d, len);
	if (slot < 0)
		return -1;
	s->dg[slot].from = *from;
	s->dg[slot].dir = (uint8_t)!to;
	s->dg[slot].idx = UINT64_MAX;
	s->dg[slot].ecn = SIM_ECN_NOT_ECT;
	s->dg[slot].at = at > s->now ? at : s->now;
	sim_heap_push(s, (uint16_t)slot);
	s->dir[!to].stats.injected++;
	return 0;
}

/* ---------------------------------------------------------------- the loop */

static uint64_t sim_deadline(const struct sim *s, int i)
{
	const struct sim_node *n = &s->node[i];

	return n->ops && n->ops->deadline ? n->ops->deadline(n->ctx) : UINT64_MAX;
}

/* -1: max_steps reached */
static int sim_pump(struct sim *s, int i)
{
	const struct sim_node *n = &s->node[i];

	if (!n->ops || !n->ops->output)
		return 0;
	for (;;) {
		struct sim_addr to;
		size_t len;

		memset(&to, 0, sizeof(to));
		len = n->ops->output(n->ctx, &to, s->out, SIM_OUT_MAX, s->now);
		if (!len)
			return 0;
		sim_link_send(s, i, &to, len, n->ops->ecn_out ? n->ops->ecn_out(n->ctx) : 0);
		if (++s->steps > s->max_steps)
			return -1;
	}
}

static void sim_trace(struct sim *s, const struct sim_dgram *g, const uint8_t *d)
{
	uint8_t head[11];
	uint64_t h = s->trace;

	for (int k = 0; k < 8; k++)
		head[k] = (uint8_t)(g->at >> (8 * k));
	head[8] = g->dir;
	head[9] = (uint8_t)g->len;
	head[10] = (uint8_t)(g->len >> 8);
	for (size_t k = 0; k < sizeof(head); k++)
		h = (h ^ head[k]) * SIM_FNV_PRIME;
	for (size_t k = 0; k < g->len; k++)
		h = (h ^ d[k]) * SIM_FNV_PRIME;
	s->trace = h;
}

static void sim_deliver_due(struct sim *s)
{
	while (s->n_heap && s->dg[s->heap[0]].at <= s->now) {
		uint16_t slot = sim_heap_pop(s);
		const struct sim_dgram *g = &s->dg[slot];
		const struct sim_node *n = &s->node[!g->dir];
		struct sim_dir *d = &s->dir[g->dir];

		sim_trace(s, g, s->data[slot]);
		if (g->idx != UINT64_MAX) {
			d->stats.delivered++;
			d->stats.bytes_delivered += g->len;
			d->stats.in_flight--;
			if (g->idx + 1 < d->max_idx_delivered)
				d->stats.reordered++;
			else
				d->max_idx_delivered = g->idx + 1;
		}
		/* the slot stays taken during input(): it may sim_inject() */
		if (n->ops && n->ops->input_ecn)
			n->ops->input_ecn(n->ctx, &g->from, s->data[slot], g->len, g->ecn, s->now);
		else if (n->ops && n->ops->input)
			n->ops->input(n->ctx, &g->from, s->data[slot], g->len, s->now);
		s->free[s->n_free++] = slot;
	}
}

int sim_run(struct sim *s, uint64_t until_ns, bool (*done)(void *arg), void *arg)
{
	s->steps = 0;
	for (;;) {
		uint64_t t;

		if (done && done(arg))
			return 0;
		if (++s->steps > s->max_steps)
			return -2;
		for (int i = 0; i < 2; i++)
			if (sim_pump(s, i) < 0)
				return -2;

		t = s->n_heap ? s->dg[s->heap[0]].at : UINT64_MAX;
		for (int i = 0; i < 2; i++) {
			uint64_t dl = sim_deadline(s, i);

			if (dl < t)
				t = dl;
		}
		if (t == UINT64_MAX || (t > s->now ? t : s->now) > until_ns) {
			if (until_ns != UINT64_MAX && until_ns > s->now)
				s->now = until_ns;
			return -1;
		}
		if (t > s->now)
			s->now = t;

		sim_deliver_due(s);
		for (int i = 0; i < 2; i++) {
			const struct sim_node *n = &s->node[i];

			if (n->ops && n->ops->timeout && sim_deadline(s, i) <= s->now)
				n->ops->timeout(n->ctx, s->now);
		}
	}
}
