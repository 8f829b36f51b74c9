/* tests/sim: the link simulator with toy nodes (no QUIC): a ping-pong pair
 * with retransmission under loss, exact delays, jitter and reordering,
 * duplication, corruption, MTU, loss patterns, the bottleneck's rate and
 * queue, addresses and injection, determinism by seed, the run limits, and
 * a randomized run over random links checking that every datagram is
 * accounted for. Every node callback checks that time never goes back. */
#include <string.h>

#include "unit.h"
#include "tests/sim/sim.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MS 1000000ull
#define PEER_MAX 2048

static struct sim sim;  /* about 1.6 MiB */

static const struct sim_addr addr_a = { .ip = { 10, 0, 0, 1 }, .port = 50000, .family = 4 };
static const struct sim_addr addr_b = {
	.ip = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 }, .port = 443, .family = 6,
};

/* every callback: time as the simulator has it, never earlier than before */
static void check_time(uint64_t *last, uint64_t now)
{
	assert_int_equal(now, sim.now);
	assert_true(now >= *last);
	*last = now;
}

/* sent == every drop + delivered originals + in flight */
static void assert_conserved(const struct sim_stats *st)
{
	assert_int_equal(st->sent + st->duplicated,
			 st->lost_random + st->lost_pattern + st->drop_mtu + st->drop_queue +
			 st->drop_addr + st->delivered + st->in_flight);
}

/* ---------------------------------------------------------------- peer
 * Sends datagram k (k < n) at start + (k / burst) * interval, sizes[k %
 * n_sizes] bytes: its number, then bytes that depend on it; records what
 * arrives, with how many bits differ from what was sent. */
struct arrival {
	uint64_t at;
	uint32_t seq;
	uint16_t len;
	uint16_t bits;
};

struct peer {
	uint64_t last;
	/* sending */
	struct sim_addr to;
	uint32_t n, sent, burst;
	uint64_t start, interval;
	const uint16_t *sizes;
	uint32_t n_sizes;
	uint32_t bad_every;	/* every bad_every-th datagram to a wrong port */
	uint32_t timeouts;
	uint64_t sent_at[PEER_MAX];
	/* receiving */
	struct sim_addr from;
	bool any_from;
	uint32_t got, reordered, max_seq1;
	struct arrival a[PEER_MAX];
};

static struct peer pa, pb;
static const uint16_t size_200[] = { 200 };
static const uint16_t size_4[] = { 4 };

/* every bit of seq changes about half the bits of every byte: a flipped
 * bit in the number cannot pass for another number's datagram (len >= 8) */
static uint8_t body_byte(uint32_t seq, size_t k)
{
	uint32_t x = seq * 0x9e3779b1u + (uint32_t)k * 0x85ebca6bu;

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	x *= 0x297a2d39u;
	x ^= x >> 15;
	return (uint8_t)x;
}

static void fill(uint8_t *out, uint32_t seq, size_t len)
{
	for (size_t k = 0; k < len; k++)
		out[k] = k < 4 ? (uint8_t)(seq >> (24 - 8 * k)) : body_byte(seq, k);
}

static unsigned int diff_bits(const uint8_t *d, uint32_t seq, size_t len)
{
	unsigned int bits = 0;

	for (size_t k = 0; k < len; k++) {
		uint8_t want = k < 4 ? (uint8_t)(seq >> (24 - 8 * k)) : body_byte(seq, k);

		bits += (unsigned int)__builtin_popcount((unsigned int)(d[k] ^ want));
	}
	return bits;
}

static uint64_t peer_when(const struct peer *p, uint32_t k)
{
	return p->start + (k / p->burst) * p->interval;
}

static size_t peer_output(void *node, struct sim_addr *to, uint8_t *out, size_t cap,
			  uint64_t now)
{
	struct peer *p = node;
	size_t len;

	check_time(&p->last, now);
	assert_int_equal(cap, SIM_OUT_MAX);
	if (p->sent == p->n || now < peer_when(p, p->sent))
		return 0;
	len = p->sizes[p->sent % p->n_sizes];
	assert_true(len >= 4 && len <= cap);
	fill(out, p->sent, len);
	*to = p->to;
	if (p->bad_every && p->sent % p->bad_every == p->bad_every - 1)
		to->port++;
	p->sent_at[p->sent++] = now;
	return len;
}

static uint64_t peer_deadline(void *node)
{
	struct peer *p = node;

	return p->sent < p->n ? peer_when(p, p->sent) : UINT64_MAX;
}

static void peer_timeout(void *node, uint64_t now)
{
	struct peer *p = node;

	check_time(&p->last, now);
	assert_true(now >= peer_when(p, p->sent));
	p->timeouts++;
}

/* A flipped bit may be in the number: the sender is the candidate (the
 * number as read, or it with one bit flipped back) closest to the bytes. */
static void peer_input(void *node, const struct sim_addr *from, const uint8_t *d, size_t len,
		       uint64_t now)
{
	struct peer *p = node;
	uint32_t read, seq;
	unsigned int best;

	check_time(&p->last, now);
	assert_true(p->any_from || sim_addr_equal(from, &p->from));
	assert_true(len >= 4 && len <= SIM_DGRAM_MAX);
	assert_true(p->got < PEER_MAX);
	read = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
	seq = read;
	best = diff_bits(d, read, len);
	for (int b = 0; b < 32 && best; b++) {
		unsigned int bits = diff_bits(d, read ^ (1u << b), len);

		if (bits < best) {
			best = bits;
			seq = read ^ (1u << b);
		}
	}
	p->a[p->got].at = now;
	p->a[p->got].seq = seq;
	p->a[p->got].len = (uint16_t)len;
	p->a[p->got].bits = (uint16_t)best;
	p->got++;
	if (seq + 1 < p->max_seq1)
		p->reordered++;
	else
		p->max_seq1 = seq + 1;
}

static const struct sim_node_ops peer_ops = {
	.input = peer_input, .output = peer_output,
	.deadline = peer_deadline, .timeout = peer_timeout,
};

static void peer_reset(struct peer *p, const struct sim_addr *other)
{
	memset(p, 0, sizeof(*p));
	p->to = *other;
	p->from = *other;
	p->start = SIM_T0;
	p->burst = 1;
	p->sizes = size_200;
	p->n_sizes = 1;
}

/* node 0 = pa at addr_a, node 1 = pb at addr_b, both silent */
static void pair_init(uint64_t seed)
{
	sim_init(&sim, seed);
	peer_reset(&pa, &addr_b);
	peer_reset(&pb, &addr_a);
	sim_set_node(&sim, 0, &peer_ops, &pa, &addr_a);
	sim_set_node(&sim, 1, &peer_ops, &pb, &addr_b);
}

/* until nothing is left to happen */
static void run_idle(void)
{
	assert_int_equal(sim_run(&sim, UINT64_MAX, NULL, NULL), -1);
	assert_int_equal(sim.n_heap, 0);
	assert_int_equal(sim.n_free, SIM_QUEUE_CAP);
}

static bool got_seq(const struct peer *p, uint32_t seq)
{
	for (uint32_t i = 0; i < p->got; i++)
		if (p->a[i].seq == seq)
			return true;
	return false;
}

/* ---------------------------------------------------------------- ping-pong
 * A sends ping k, retransmits it every rto until pong k arrives, then sends
 * k + 1. B answers every ping. A message: type, number, body, xor of all:
 * a flipped bit always breaks the xor. */
#define PP_LEN 32
#define PP_PENDING 64

struct pinger {
	uint64_t last;
	uint32_t n, cur, sends, retrans;
	bool want_send, retransmitted;
	uint64_t rto, sent_at, rto_at;
	uint64_t rtt_min, rtt_max;
	uint32_t rtt_samples;
};

struct ponger {
	uint64_t last;
	uint32_t pending[PP_PENDING];
	uint32_t head, count, pings;
};

static struct pinger pp_a;
static struct ponger pp_b;

static void pp_build(uint8_t *out, uint8_t type, uint32_t seq)
{
	uint8_t x = 0;

	out[0] = type;
	for (int k = 0; k < 4; k++)
		out[1 + k] = (uint8_t)(seq >> (24 - 8 * k));
	for (int k = 5; k < PP_LEN - 1; k++)
		out[k] = (uint8_t)(seq + (uint32_t)k);
	for (int k = 0; k < PP_LEN - 1; k++)
		x ^= out[k];
	out[PP_LEN - 1] = x;
}

/* the number of a valid message of this type, or -1 */
static int64_t pp_parse(const uint8_t *d, size_t len, uint8_t type)
{
	uint8_t x = 0;
	uint32_t seq = 0;

	if (len != PP_LEN || d[0] != type)
		return -1;
	for (int k = 0; k < PP_LEN; k++)
		x ^= d[k];
	if (x)
		return -1;
	for (int k = 0; k < 4; k++)
		seq = seq << 8 | d[1 + k];
	return seq;
}

static size_t pinger_output(void *node, struct sim_addr *to, uint8_t *out, size_t cap,
			    uint64_t now)
{
	struct pinger *p = node;

	check_time(&p->last, now);
	if (!p->want_send || p->cur == p->n)
		return 0;
	p->want_send = false;
	if (p->sent_at)
		p->retransmitted = true;
	else
		p->sent_at = now;
	p->rto_at = now + p->rto;
	p->sends++;
	pp_build(out, 'P', p->cur);
	*to = addr_b;
	return PP_LEN;
}

static void pinger_input(void *node, const struct sim_addr *from, const uint8_t *d, size_t len,
			 uint64_t now)
{
	struct pinger *p = node;

	check_time(&p->last, now);
	assert_true(sim_addr_equal(from, &addr_b));
	if (p->cur == p->n || pp_parse(d, len, 'O') != p->cur)
		return;  /* late duplicate, corrupted */
	if (!p->retransmitted) {
		uint64_t rtt = now - p->sent_at;

		if (!p->rtt_samples || rtt < p->rtt_min)
			p->rtt_min = rtt;
		if (rtt > p->rtt_max)
			p->rtt_max = rtt;
		p->rtt_samples++;
	}
	p->cur++;
	p->sent_at = 0;
	p->retransmitted = false;
	p->want_send = true;
}

static uint64_t pinger_deadline(void *node)
{
	struct pinger *p = node;

	return p->cur < p->n && p->sent_at ? p->rto_at : UINT64_MAX;
}

static void pinger_timeout(void *node, uint64_t now)
{
	struct pinger *p = node;

	check_time(&p->last, now);
	assert_true(now >= p->rto_at);
	p->want_send = true;
	p->retrans++;
	p->rto_at = UINT64_MAX;
}

static bool pinger_done(void *arg)
{
	const struct pinger *p = arg;

	return p->cur == p->n;
}

static void ponger_input(void *node, const struct sim_addr *from, const uint8_t *d, size_t len,
			 uint64_t now)
{
	struct ponger *p = node;
	int64_t seq = pp_parse(d, len, 'P');

	check_time(&p->last, now);
	assert_true(sim_addr_equal(from, &addr_a));
	if (seq < 0 || p->count == PP_PENDING)
		return;
	p->pending[(p->head + p->count++) % PP_PENDING] = (uint32_t)seq;
	p->pings++;
}

static size_t ponger_output(void *node, struct sim_addr *to, uint8_t *out, size_t cap,
			    uint64_t now)
{
	struct ponger *p = node;

	check_time(&p->last, now);
	if (!p->count)
		return 0;
	pp_build(out, 'O', p->pending[p->head]);
	p->head = (p->head + 1) % PP_PENDING;
	p->count--;
	*to = addr_a;
	return PP_LEN;
}

static const struct sim_node_ops pinger_ops = {
	.input = pinger_input, .output = pinger_output,
	.deadline = pinger_deadline, .timeout = pinger_timeout,
};

/* no deadline, no timeout: the simulator must do without */
static const struct sim_node_ops ponger_ops = {
	.input = ponger_input, .output = ponger_output,
};

static void pp_init(uint64_t seed, uint32_t n, uint64_t rto)
{
	sim_init(&sim, seed);
	memset(&pp_a, 0, sizeof(pp_a));
	memset(&pp_b, 0, sizeof(pp_b));
	pp_a.n = n;
	pp_a.rto = rto;
	pp_a.want_send = true;
	sim_set_node(&sim, 0, &pinger_ops, &pp_a, &addr_a);
	sim_set_node(&sim, 1, &ponger_ops, &pp_b, &addr_b);
}

static void test_pingpong_clean(void **state)
{
	struct sim_link_cfg ab = { .delay_ns = 10 * MS }, ba = { .delay_ns = 15 * MS };

	pp_init(1, 100, 100 * MS);
	sim_set_link(&sim, 0, &ab);
	sim_set_link(&sim, 1, &ba);
	assert_int_equal(sim_run(&sim, SIM_T0 + 60 * SIM_NS_PER_S, pinger_done, &pp_a), 0);
	assert_int_equal(pp_a.retrans, 0);
	assert_int_equal(pp_a.sends, 100);
	assert_int_equal(pp_b.pings, 100);
	assert_int_equal(pp_a.rtt_samples, 100);
	assert_int_equal(pp_a.rtt_min, 25 * MS);
	assert_int_equal(pp_a.rtt_max, 25 * MS);
	assert_int_equal(sim.now, SIM_T0 + 100 * 25 * MS);
	for (int d = 0; d < 2; d++) {
		assert_int_equal(sim.dir[d].stats.sent, 100);
		assert_int_equal(sim.dir[d].stats.delivered, 100);
		assert_int_equal(sim.dir[d].stats.bytes_delivered, 100 * PP_LEN);
		assert_conserved(&sim.dir[d].stats);
	}
}

static void test_pingpong_loss30(void **state)
{
	struct sim_link_cfg c = { .delay_ns = 10 * MS, .loss_pm = 300 };

	pp_init(7, 100, 50 * MS);
	sim_set_link(&sim, 0, &c);
	sim_set_link(&sim, 1, &c);
	assert_int_equal(sim_run(&sim, SIM_T0 + 120 * SIM_NS_PER_S, pinger_done, &pp_a), 0);
	assert_int_equal(pp_a.cur, 100);
	assert_true(pp_a.retrans > 0);
	assert_int_equal(pp_a.sends, 100 + pp_a.retrans);
	assert_int_equal(pp_a.rtt_min, 20 * MS);
	assert_int_equal(pp_a.rtt_max, 20 * MS);
	for (int d = 0; d < 2; d++) {
		const struct sim_stats *st = &sim.dir[d].stats;

		/* 30 % of a few hundred, loosely */
		assert_true(st->lost_random * 100 >= st->sent * 15);
		assert_true(st->lost_random * 100 <= st->sent * 45);
		assert_conserved(st);
	}
	assert_int_equal(sim.dir[0].stats.sent, pp_a.sends);
	assert_int_equal(sim.dir[0].stats.delivered, pp_b.pings);
}

/* ---------------------------------------------------------------- delays */

static void test_delay_exact(void **state)
{
	struct sim_link_cfg ab = { .delay_ns = 25 * MS }, ba = { .delay_ns = 3 * MS + 7 };

	pair_init(2);
	sim_set_link(&sim, 0, &ab);
	sim_set_link(&sim, 1, &ba);
	pa.n = 20;
	pa.interval = 3 * MS;
	pb.n = 30;
	pb.interval = 1 * MS + 1;
	pb.start = SIM_T0 + 500 * MS;
	run_idle();
	assert_int_equal(pb.got, 20);
	assert_int_equal(pa.got, 30);
	for (uint32_t i = 0; i < 20; i++) {
		assert_int_equal(pa.sent_at[i], SIM_T0 + i * 3 * MS);
		assert_int_equal(pb.a[i].seq, i);
		assert_int_equal(pb.a[i].at, pa.sent_at[i] + 25 * MS);
		assert_int_equal(pb.a[i].bits, 0);
	}
	for (uint32_t i = 0; i < 30; i++) {
		assert_int_equal(pa.a[i].seq, i);
		assert_int_equal(pa.a[i].at, SIM_T0 + 500 * MS + i * (MS + 1) + 3 * MS + 7);
	}
	assert_int_equal(sim.dir[0].stats.reordered + sim.dir[1].stats.reordered, 0);
	assert_int_equal(sim.now, pa.a[29].at);
}

static void test_jitter_reorders(void **state)
{
	struct sim_link_cfg c = { .delay_ns = 10 * MS, .jitter_ns = 8 * MS };
	uint64_t prev = 0;
	bool saw_low = false, saw_high = false;

	pair_init(3);
	sim_set_link(&sim, 0, &c);
	pa.n = 300;
	pa.interval = 1 * MS;
	run_idle();
	assert_int_equal(pb.got, 300);
	for (uint32_t i = 0; i < pb.got; i++) {
		const struct arrival *a = &pb.a[i];
		uint64_t sent = pa.sent_at[a->seq];

		assert_true(a->at >= sent + 10 * MS && a->at <= sent + 18 * MS);
		saw_low |= a->at < sent + 12 * MS;
		saw_high |= a->at > sent + 16 * MS;
		assert_true(a->at >= prev);
		prev = a->at;
	}
	assert_true(saw_low && saw_high);
	assert_true(pb.reordered > 0);
	assert_int_equal(sim.dir[0].stats.reordered, pb.reordered);
	for (uint32_t s = 0; s < 300; s++)
		assert_true(got_seq(&pb, s));
}

/* ---------------------------------------------------------------- impairments */

static void test_duplication(void **state)
{
	struct sim_link_cfg c = { .delay_ns = 5 * MS, .jitter_ns = 2 * MS, .dup_pm = 300 };
	uint8_t count[200] = { 0 };
	uint32_t twice = 0;

	pair_init(4);
	sim_set_link(&sim, 0, &c);
	pa.n = 200;
	pa.interval = MS;
	run_idle();
	for (uint32_t i = 0; i < pb.got; i++) {
		assert_int_equal(pb.a[i].bits, 0);  /* exact copies */
		assert_int_equal(pb.a[i].len, 200);
		count[pb.a[i].seq]++;
	}
	for (uint32_t s = 0; s < 200; s++) {
		assert_true(count[s] == 1 || count[s] == 2);
		twice += count[s] == 2;
	}
	assert_true(twice > 20 && twice < 100);
	assert_int_equal(sim.dir[0].stats.duplicated, twice);
	assert_int_equal(sim.dir[0].stats.delivered, 200 + twice);
	assert_int_equal(pb.got, 200 + twice);
	assert_conserved(&sim.dir[0].stats);
}

static void test_corruption(void **state)
{
	static const uint16_t sizes[] = { 8, 9, 100, 1200, 33 };
	struct sim_link_cfg c = { .delay_ns = 1 * MS, .corrupt_pm = 250 };
	uint32_t one = 0;

	pair_init(5);
	sim_set_link(&sim, 0, &c);
	pa.n = 400;
	pa.interval = 100000;
	pa.sizes = sizes;
	pa.n_sizes = ARRAY_SIZE(sizes);
	run_idle();
	assert_int_equal(pb.got, 400);
	for (uint32_t i = 0; i < pb.got; i++) {
		assert_true(pb.a[i].bits <= 1);
		one += pb.a[i].bits;
		assert_int_equal(pb.a[i].len, sizes[pb.a[i].seq % ARRAY_SIZE(sizes)]);
	}
	assert_true(one > 50 && one < 150);
	assert_int_equal(sim.dir[0].stats.corrupted, one);
	for (uint32_t s = 0; s < 400; s++)
		assert_true(got_seq(&pb, s));
}

static void test_mtu(void **state)
{
	static const uint16_t sizes[] = { 100, 1200, 1201, 1500, 1501, 2048, 1199 };
	struct sim_link_cfg c = { .mtu = 1200 };

	pair_init(6);
	sim_set_link(&sim, 0, &c);
	pa.n = 70;
	pa.interval = MS;
	pa.sizes = sizes;
	pa.n_sizes = ARRAY_SIZE(sizes);
	run_idle();
	assert_int_equal(pb.got, 30);
	for (uint32_t i = 0; i < pb.got; i++)
		assert_true(pb.a[i].len <= 1200);
	assert_int_equal(sim.dir[0].stats.drop_mtu, 40);

	/* 0: the largest datagram carried, SIM_DGRAM_MAX */
	pair_init(6);
	sim_set_link(&sim, 0, NULL);
	pa.n = 70;
	pa.sizes = sizes;
	pa.n_sizes = ARRAY_SIZE(sizes);
	run_idle();
	assert_int_equal(pb.got, 50);
	assert_int_equal(sim.dir[0].stats.drop_mtu, 20);
	assert_int_equal(sim.dir[0].stats.bytes_delivered, 10 * (100 + 1200 + 1201 + 1500 + 1199));
}

static void test_loss_pattern(void **state)
{
	struct sim_link_cfg c = { .delay_ns = MS, .loss_pattern = "..X.X" };
	struct sim_link_cfg once = { .loss_pattern = "XX.X", .pattern_once = true };

	pair_init(8);
	sim_set_link(&sim, 0, &c);
	pa.n = 23;
	pa.interval = MS;
	run_idle();
	for (uint32_t s = 0; s < 23; s++)
		assert_int_equal(got_seq(&pb, s), s % 5 != 2 && s % 5 != 4);
	assert_int_equal(pb.got, 23 - 9);
	assert_int_equal(sim.dir[0].stats.lost_pattern, 9);

	/* once, from sim_set_link(): datagrams 10, 11 and 13 of 20 */
	pair_init(8);
	pa.n = 20;
	pa.interval = MS;
	assert_int_equal(sim_run(&sim, SIM_T0 + 9 * MS + MS / 2, NULL, NULL), -1);
	assert_int_equal(pa.sent, 10);
	sim_set_link(&sim, 0, &once);
	run_idle();
	for (uint32_t s = 0; s < 20; s++)
		assert_int_equal(got_seq(&pb, s), s != 10 && s != 11 && s != 13);
	assert_int_equal(sim.dir[0].stats.lost_pattern, 3);
	assert_conserved(&sim.dir[0].stats);
}

static void test_bandwidth(void **state)
{
	static const uint16_t sizes[] = { 1000, 500, 250, 1000, 1250 };
	/* 1 MB/s: a byte takes 1 us on the wire */
	struct sim_link_cfg c = { .delay_ns = 5 * MS, .rate_Bps = 1000000 };
	uint64_t cum = 0;

	pair_init(9);
	sim_set_link(&sim, 0, &c);
	pa.n = 10;
	pa.burst = 5;
	pa.interval = 100 * MS;
	pa.sizes = sizes;
	pa.n_sizes = ARRAY_SIZE(sizes);
	run_idle();
	assert_int_equal(pb.got, 10);
	for (uint32_t i = 0; i < 10; i++) {
		if (i == 5)
			cum = 0;  /* the link was idle again */
		cum += sizes[i % 5];
		assert_int_equal(pb.a[i].seq, i);
		assert_int_equal(pb.a[i].at, peer_when(&pa, i) + cum * 1000 + 5 * MS);
	}

	/* rounded up to the ns: 4 bytes at 3 B/s take 1333333334 ns */
	c.rate_Bps = 3;
	c.delay_ns = 0;
	pair_init(9);
	sim_set_link(&sim, 0, &c);
	pa.n = 3;
	pa.burst = 3;
	pa.sizes = size_4;
	run_idle();
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(pb.a[i].at, SIM_T0 + (i + 1) * 1333333334ull);
}

static void test_queue_limit(void **state)
{
	static const uint16_t size_1000[] = { 1000 };
	struct sim_link_cfg c = { .delay_ns = MS, .rate_Bps = 1000000, .queue_bytes = 5000 };

	for (int round = 0; round < 2; round++) {
		uint32_t keep = round ? 3 : 5;

		pair_init(10);
		if (round) {
			c.queue_bytes = 0;
			c.queue_dgrams = 3;
		}
		sim_set_link(&sim, 0, &c);
		pa.n = 20;
		pa.burst = 10;
		pa.interval = 50 * MS;
		pa.sizes = size_1000;
		run_idle();
		assert_int_equal(pb.got, 2 * keep);
		for (uint32_t i = 0; i < pb.got; i++) {
			uint32_t want = i < keep ? i : 10 + i - keep;

			assert_int_equal(pb.a[i].seq, want);
			/* its turn on the wire, then the delay */
			assert_int_equal(pb.a[i].at,
					 peer_when(&pa, want) + (want % 10 + 1) * MS + MS);
		}
		assert_int_equal(sim.dir[0].stats.drop_queue, 20 - 2 * keep);
		assert_conserved(&sim.dir[0].stats);
	}

	/* no bottleneck: the limits do nothing */
	c.rate_Bps = 0;
	pair_init(10);
	sim_set_link(&sim, 0, &c);
	pa.n = 20;
	pa.burst = 20;
	run_idle();
	assert_int_equal(pb.got, 20);
}

/* the store is full: drops are counted, nothing is lost track of */
static void test_store_full(void **state)
{
	struct sim_link_cfg c = { .delay_ns = 10 * MS, .dup_pm = 500 };

	pair_init(11);
	sim_set_link(&sim, 0, &c);
	pa.n = PEER_MAX;
	pa.burst = PEER_MAX;
	pa.sizes = size_4;
	run_idle();
	assert_int_equal(sim.dir[0].stats.delivered, SIM_QUEUE_CAP);
	assert_int_equal(pb.got, SIM_QUEUE_CAP);
	assert_true(sim.dir[0].stats.drop_queue >= PEER_MAX - SIM_QUEUE_CAP);
	assert_conserved(&sim.dir[0].stats);
}

/* ---------------------------------------------------------------- addresses */

static void test_addresses(void **state)
{
	static const struct sim_addr evil = { .ip = { 192, 0, 2, 66 }, .port = 4444, .family = 4 };
	static const struct sim_addr nat = { .ip = { 10, 0, 0, 1 }, .port = 50001, .family = 4 };
	static const uint8_t spoof[] = { 0, 0, 0, 9, 1, 2, 3 };
	struct sim_addr v4 = addr_a;
	uint64_t h;

	/* only the family's bytes count */
	v4.ip[10] = 0xff;
	assert_true(sim_addr_equal(&v4, &addr_a));
	v4.port++;
	assert_false(sim_addr_equal(&v4, &addr_a));
	v4 = addr_b;
	v4.ip[10] = 0xff;
	assert_false(sim_addr_equal(&v4, &addr_b));

	pair_init(12);
	pa.n = 12;
	pa.interval = MS;
	pa.bad_every = 4;
	pb.any_from = true;
	assert_int_equal(sim_inject(&sim, 1, &evil, spoof, sizeof(spoof), SIM_T0 + 20 * MS), 0);
	assert_int_equal(sim_inject(&sim, 2, &evil, spoof, sizeof(spoof), SIM_T0), -1);
	assert_int_equal(sim_run(&sim, SIM_T0 + 5 * MS + MS / 2, NULL, NULL), -1);
	sim_set_addr(&sim, 0, &nat);
	h = sim.trace;
	run_idle();
	assert_true(sim.trace != h);
	assert_int_equal(sim.dir[0].stats.drop_addr, 3);
	assert_int_equal(sim.dir[0].stats.injected, 1);
	assert_int_equal(sim.dir[0].stats.delivered, 9);
	assert_int_equal(pb.got, 10);
	assert_conserved(&sim.dir[0].stats);
	/* the injected one, at its time; the rest from where they were sent */
	for (uint32_t i = 0; i < pb.got; i++) {
		if (pb.a[i].len == sizeof(spoof)) {
			assert_int_equal(pb.a[i].at, SIM_T0 + 20 * MS);
			continue;
		}
		assert_true(pb.a[i].seq % 4 != 3);
		assert_int_equal(pb.a[i].at, pa.sent_at[pb.a[i].seq]);
	}
}

/* sources as the receiver sees them: before and after a rebinding */
static const struct sim_addr *seen_from;
static uint32_t seen_count;

static void from_input(void *node, const struct sim_addr *from, const uint8_t *d, size_t len,
		       uint64_t now)
{
	struct peer *p = node;

	check_time(&p->last, now);
	assert_true(sim_addr_equal(from, seen_from));
	seen_count++;
}

static void test_rebinding(void **state)
{
	static const struct sim_addr nat = { .ip = { 10, 0, 0, 1 }, .port = 50001, .family = 4 };
	static const struct sim_node_ops sink_ops = { .input = from_input };
	struct sim_link_cfg c = { .delay_ns = 10 * MS };

	pair_init(13);
	sim_set_node(&sim, 1, &sink_ops, &pb, &addr_b);
	sim_set_link(&sim, 0, &c);
	pa.n = 10;
	pa.interval = MS;
	seen_from = &addr_a;
	seen_count = 0;
	/* 0..4 sent, none delivered yet: they keep the old source */
	assert_int_equal(sim_run(&sim, SIM_T0 + 4 * MS + MS / 2, NULL, NULL), -1);
	sim_set_addr(&sim, 0, &nat);
	assert_int_equal(sim_run(&sim, SIM_T0 + 14 * MS + MS / 2, NULL, NULL), -1);
	assert_int_equal(seen_count, 5);
	seen_from = &nat;
	run_idle();
	assert_int_equal(seen_count, 10);
}

/* ---------------------------------------------------------------- determinism */

struct outcome {
	uint64_t trace, now;
	uint32_t sends;
	struct sim_stats st[2];
};

static void lossy_run(uint64_t seed, struct outcome *o)
{
	struct sim_link_cfg c = {
		.delay_ns = 10 * MS, .jitter_ns = 5 * MS, .loss_pm = 200,
		.dup_pm = 50, .corrupt_pm = 50, .rate_Bps = 100000, .queue_dgrams = 8,
	};

	pp_init(seed, 200, 40 * MS);
	sim_set_link(&sim, 0, &c);
	c.loss_pattern = "....X";
	sim_set_link(&sim, 1, &c);
	assert_int_equal(sim_run(&sim, SIM_T0 + 600 * SIM_NS_PER_S, pinger_done, &pp_a), 0);
	o->trace = sim.trace;
	o->now = sim.now;
	o->sends = pp_a.sends;
	memcpy(o->st, &sim.dir[0].stats, sizeof(o->st[0]));
	memcpy(&o->st[1], &sim.dir[1].stats, sizeof(o->st[1]));
	assert_true(o->st[0].lost_random && o->st[0].duplicated && o->st[0].corrupted);
	assert_true(o->st[1].lost_pattern && o->st[0].reordered + o->st[1].reordered);
}

static void test_determinism(void **state)
{
	static struct outcome a, b, c;

	lossy_run(42, &a);
	lossy_run(42, &b);
	assert_int_equal(a.trace, b.trace);
	assert_int_equal(a.now, b.now);
	assert_int_equal(a.sends, b.sends);
	assert_memory_equal(a.st, b.st, sizeof(a.st));
	lossy_run(43, &c);
	assert_true(c.trace != a.trace);

	/* sim_random: from the seed, and only from it */
	sim_init(&sim, 42);
	uint64_t r0 = sim_random(&sim), r1 = sim_random(&sim);

	assert_true(r0 != r1);
	sim_init(&sim, 42);
	assert_int_equal(sim_random(&sim), r0);
	sim_init(&sim, 43);
	assert_true(sim_random(&sim) != r0);
}

/* which datagrams are lost depends on the seed and their index only */
static void test_loss_independent(void **state)
{
	static uint8_t lost[2][300];
	struct sim_link_cfg c = { .delay_ns = 3 * MS, .loss_pm = 500 };

	for (int round = 0; round < 2; round++) {
		pair_init(14);
		sim_set_link(&sim, 0, &c);
		if (round) {
			struct sim_link_cfg other = { .jitter_ns = 9 * MS, .loss_pm = 900 };

			/* traffic and impairments in the other direction */
			sim_set_link(&sim, 1, &other);
			pb.n = 300;
			pb.interval = 333333;
		}
		pa.n = 300;
		pa.interval = MS;
		run_idle();
		for (uint32_t s = 0; s < 300; s++)
			lost[round][s] = !got_seq(&pb, s);
	}
	assert_memory_equal(lost[0], lost[1], sizeof(lost[0]));
}

/* ---------------------------------------------------------------- run limits */

struct ticker {
	uint64_t last, next, period;
	uint32_t timeouts;
	bool spin_output;	/* output() never runs dry */
};

static size_t ticker_output(void *node, struct sim_addr *to, uint8_t *out, size_t cap,
			    uint64_t now)
{
	struct ticker *t = node;

	check_time(&t->last, now);
	if (!t->spin_output)
		return 0;
	*to = addr_b;
	memset(out, 0x5a, 64);
	return 64;
}

static uint64_t ticker_deadline(void *node)
{
	const struct ticker *t = node;

	return t->next;
}

static void ticker_timeout(void *node, uint64_t now)
{
	struct ticker *t = node;

	check_time(&t->last, now);
	t->timeouts++;
	if (t->period)
		t->next += t->period;
}

static const struct sim_node_ops ticker_ops = {
	.output = ticker_output, .deadline = ticker_deadline, .timeout = ticker_timeout,
};

static bool always(void *arg)
{
	return true;
}

static bool never(void *arg)
{
	return false;
}

static void test_time_limit(void **state)
{
	static struct ticker t;

	/* done at once: nothing happens */
	sim_init(&sim, 15);
	memset(&t, 0, sizeof(t));
	t.next = SIM_T0;
	sim_set_node(&sim, 0, &ticker_ops, &t, &addr_a);
	assert_int_equal(sim_run(&sim, SIM_T0 + SIM_NS_PER_S, always, NULL), 0);
	assert_int_equal(t.timeouts, 0);
	assert_int_equal(sim.now, SIM_T0);

	/* a node that never finishes: -1 at the limit, every tick served */
	t.next = SIM_T0 + MS;
	t.period = MS;
	assert_int_equal(sim_run(&sim, SIM_T0 + SIM_NS_PER_S, never, NULL), -1);
	assert_int_equal(t.timeouts, 1000);
	assert_int_equal(sim.now, SIM_T0 + SIM_NS_PER_S);
	/* and again from there */
	assert_int_equal(sim_run(&sim, SIM_T0 + 2 * SIM_NS_PER_S, NULL, NULL), -1);
	assert_int_equal(t.timeouts, 2000);

	/* nothing at all to do: -1, now at the limit (never past UINT64_MAX) */
	sim_init(&sim, 15);
	assert_int_equal(sim_run(&sim, SIM_T0 + 7 * MS, NULL, NULL), -1);
	assert_int_equal(sim.now, SIM_T0 + 7 * MS);
	assert_int_equal(sim_run(&sim, UINT64_MAX, NULL, NULL), -1);
	assert_int_equal(sim.now, SIM_T0 + 7 * MS);
	/* a limit in the past moves nothing back */
	assert_int_equal(sim_run(&sim, SIM_T0, NULL, NULL), -1);
	assert_int_equal(sim.now, SIM_T0 + 7 * MS);
}

static void test_past_deadline(void **state)
{
	static struct ticker t;

	sim_init(&sim, 16);
	memset(&t, 0, sizeof(t));
	t.next = SIM_T0 - SIM_NS_PER_S / 2;
	t.period = SIM_NS_PER_S / 4;
	sim_set_node(&sim, 1, &ticker_ops, &t, &addr_b);
	/* three at SIM_T0: for T0 - 0.5 s, T0 - 0.25 s and T0 */
	assert_int_equal(sim_run(&sim, SIM_T0, NULL, NULL), -1);
	assert_int_equal(t.timeouts, 3);
	assert_int_equal(t.last, SIM_T0);
	assert_int_equal(sim.now, SIM_T0);
	assert_int_equal(sim_run(&sim, SIM_T0 + SIM_NS_PER_S / 4, NULL, NULL), -1);
	assert_int_equal(t.timeouts, 4);
	assert_int_equal(t.last, SIM_T0 + SIM_NS_PER_S / 4);
}

static void test_livelock(void **state)
{
	static struct ticker t;

	/* a deadline that never moves */
	sim_init(&sim, 17);
	memset(&t, 0, sizeof(t));
	sim.max_steps = 1000;
	sim_set_node(&sim, 0, &ticker_ops, &t, &addr_a);
	assert_int_equal(sim_run(&sim, UINT64_MAX, never, NULL), -2);
	assert_int_equal(t.timeouts, 1000);
	assert_int_equal(sim.now, SIM_T0);

	/* output that never runs dry */
	sim_init(&sim, 17);
	memset(&t, 0, sizeof(t));
	t.next = UINT64_MAX;
	t.spin_output = true;
	sim.max_steps = 5000;
	sim_set_node(&sim, 0, &ticker_ops, &t, &addr_a);
	sim_set_node(&sim, 1, NULL, NULL, &addr_b);  /* a black hole */
	assert_int_equal(sim_run(&sim, UINT64_MAX, NULL, NULL), -2);
	assert_int_equal(sim.dir[0].stats.sent, 5000);
	assert_int_equal(sim.dir[0].stats.drop_queue, 5000 - SIM_QUEUE_CAP);
	assert_conserved(&sim.dir[0].stats);
	assert_int_equal(sim.dir[0].stats.in_flight, SIM_QUEUE_CAP);
	assert_int_equal(sim.now, SIM_T0);
}

/* ---------------------------------------------------------------- randomized */

static void random_cfg(uint64_t *r, struct sim_link_cfg *c)
{
	static const char *const patterns[] = { NULL, "X", "..X", "X...XX....", ".........X" };

	memset(c, 0, sizeof(*c));
	c->delay_ns = unit_xorshift64(r) % (50 * MS);
	c->jitter_ns = unit_xorshift64(r) % 3 ? unit_xorshift64(r) % (20 * MS) : 0;
	c->loss_pm = (uint16_t)(unit_xorshift64(r) % 3 ? unit_xorshift64(r) % 500 : 0);
	c->dup_pm = (uint16_t)(unit_xorshift64(r) % 3 ? unit_xorshift64(r) % 300 : 0);
	c->corrupt_pm = (uint16_t)(unit_xorshift64(r) % 3 ? unit_xorshift64(r) % 300 : 0);
	c->mtu = (uint16_t)(unit_xorshift64(r) % 2 ? 100 + unit_xorshift64(r) % 1500 : 0);
	if (unit_xorshift64(r) % 2) {
		c->rate_Bps = 10000 + unit_xorshift64(r) % 10000000;
		c->queue_bytes = (uint32_t)(unit_xorshift64(r) % 2 ? unit_xorshift64(r) % 100000 : 0);
		c->queue_dgrams = (uint32_t)(unit_xorshift64(r) % 2 ? unit_xorshift64(r) % 100 : 0);
	}
	c->loss_pattern = patterns[unit_xorshift64(r) % ARRAY_SIZE(patterns)];
	c->pattern_once = unit_xorshift64(r) % 2;
}

static void test_random_links(void **state)
{
	static uint16_t sizes[2][61];
	uint64_t r = 0x9e3779b97f4a7c15ull, total = 0;

	for (int round = 0; round < 60; round++) {
		struct sim_link_cfg c[2];
		uint64_t prev_now;

		pair_init(unit_xorshift64(&r));
		for (int d = 0; d < 2; d++) {
			struct peer *p = d ? &pb : &pa;

			random_cfg(&r, &c[d]);
			sim_set_link(&sim, d, &c[d]);
			for (size_t k = 0; k < ARRAY_SIZE(sizes[d]); k++)
				sizes[d][k] = (uint16_t)(8 + unit_xorshift64(&r) %
							 (k % 4 ? 1300 : SIM_OUT_MAX - 7));
			p->sizes = sizes[d];
			p->n_sizes = ARRAY_SIZE(sizes[d]);
			p->n = (uint32_t)(100 + unit_xorshift64(&r) % 250);
			p->burst = (uint32_t)(1 + unit_xorshift64(&r) % 20);
			p->interval = unit_xorshift64(&r) % (3 * MS);
			p->start = SIM_T0 + unit_xorshift64(&r) % (10 * MS);
			p->bad_every = (uint32_t)(unit_xorshift64(&r) % 4 ? 0 : 2 + unit_xorshift64(&r) % 30);
		}
		/* halfway, another link */
		assert_int_equal(sim_run(&sim, SIM_T0 + 50 * MS, NULL, NULL), -1);
		prev_now = sim.now;
		random_cfg(&r, &c[0]);
		sim_set_link(&sim, 0, &c[0]);
		run_idle();
		assert_true(sim.now >= prev_now);
		for (int d = 0; d < 2; d++) {
			const struct sim_stats *st = &sim.dir[d].stats;
			const struct peer *tx = d ? &pb : &pa, *rx = d ? &pa : &pb;
			uint64_t corrupted = 0, bytes = 0;

			assert_conserved(st);
			assert_int_equal(st->in_flight, 0);
			assert_int_equal(st->sent, tx->n);
			assert_int_equal(rx->got, st->delivered);
			assert_int_equal(rx->reordered, st->reordered);
			for (uint32_t i = 0; i < rx->got; i++) {
				assert_true(rx->a[i].seq < tx->n);
				corrupted += rx->a[i].bits != 0;
				bytes += rx->a[i].len;
				assert_true(rx->a[i].at >= tx->sent_at[rx->a[i].seq]);
			}
			assert_true(corrupted <= st->corrupted + st->duplicated);
			assert_int_equal(bytes, st->bytes_delivered);
			total += st->sent;
		}
	}
	assert_true(total >= 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pingpong_clean),
		cmocka_unit_test(test_pingpong_loss30),
		cmocka_unit_test(test_delay_exact),
		cmocka_unit_test(test_jitter_reorders),
		cmocka_unit_test(test_duplication),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_mtu),
		cmocka_unit_test(test_loss_pattern),
		cmocka_unit_test(test_bandwidth),
		cmocka_unit_test(test_queue_limit),
		cmocka_unit_test(test_store_full),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_rebinding),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_loss_independent),
		cmocka_unit_test(test_time_limit),
		cmocka_unit_test(test_past_deadline),
		cmocka_unit_test(test_livelock),
		cmocka_unit_test(test_random_links),
	};

	return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
