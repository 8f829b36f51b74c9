/* tests/sim: a deterministic link between two endpoints under virtual time.
 *
 * Two nodes exchange UDP datagrams through an in-memory link with a delay,
 * jitter, random and scripted loss, duplication, corruption, an MTU, and an
 * optional bottleneck (rate and tail-drop queue), configured per direction.
 * Nothing reads a clock or calls rand(): the same seed and the same node
 * behaviour give the same sequence of events, which sim.trace summarises.
 *
 * Every random decision about a datagram is a hash of (seed, direction,
 * decision, index of the datagram in its direction): which datagrams are
 * lost does not depend on what the other direction or other impairments do.
 *
 * struct sim is about 1.6 MiB (SIM_QUEUE_CAP datagrams of SIM_DGRAM_MAX
 * bytes): always a static object, never on a stack.
 *
 * sim_run(), exactly:
 *   loop:
 *     1. done(arg) true -> return 0 (checked before anything else, so a
 *        run whose condition already holds does nothing)
 *     2. node 0 then node 1: output() until it returns 0; each datagram
 *        goes through the link (sim_link_cfg, in the order listed there)
 *        and is queued for delivery, or dropped and counted
 *     3. t = the earliest of the next delivery, deadline(0), deadline(1);
 *        if t > until_ns (or there is no event at all): now = until_ns
 *        (if later than now) and return -1; else now = max(now, t), so a
 *        deadline in the past is served at now and time never goes back
 *     4. every datagram due at now is delivered with input(), in order of
 *        delivery time, then of queueing
 *     5. node 0 then node 1: timeout(now) if deadline() <= now (asked
 *        again here, after the deliveries)
 *   Every loop and every datagram from output() counts one step; past
 *   max_steps steps in one call, sim_run() returns -2 (a livelock: a node
 *   that always has output or a deadline it never moves).
 */
#ifndef TERN_TESTS_SIM_H
#define TERN_TESTS_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_NS_PER_S	1000000000ull
#define SIM_T0		SIM_NS_PER_S	/* sim_init()'s now: 0 often means "unset" */
#define SIM_DGRAM_MAX	1500		/* largest datagram carried (and largest MTU) */
#define SIM_OUT_MAX	2048		/* output()'s cap: a node may exceed the MTU */
#define SIM_QUEUE_CAP	1024		/* datagrams in flight, both directions */
#define SIM_MAX_STEPS	10000000u	/* default livelock bound of one sim_run() */

struct sim_addr {
	uint8_t ip[16];		/* IPv4 in ip[0..3] */
	uint16_t port;
	uint8_t family;		/* 4 or 6 */
};

struct sim_node_ops {
	/* a datagram arrives at the node */
	void (*input)(void *node, const struct sim_addr *from, const uint8_t *d, size_t len,
		      uint64_t now);
	/* the node's next datagram to send (0: nothing now); *to is its destination */
	size_t (*output)(void *node, struct sim_addr *to, uint8_t *out, size_t cap, uint64_t now);
	/* when the node wants timeout() (UINT64_MAX: never) */
	uint64_t (*deadline)(void *node);
	void (*timeout)(void *node, uint64_t now);
	/* optional, ECN (RFC 3168 codepoints: SIM_ECN_*): the codepoint of
	 * the datagram output() just returned (NULL: Not-ECT); and input()
	 * with the codepoint the datagram arrived with (used instead of
	 * input when set) */
	uint8_t (*ecn_out)(void *node);
	void (*input_ecn)(void *node, const struct sim_addr *from, const uint8_t *d, size_t len,
			  uint8_t ecn, uint64_t now);
};

#define SIM_ECN_NOT_ECT 0
#define SIM_ECN_ECT1    1
#define SIM_ECN_ECT0    2
#define SIM_ECN_CE      3

/* One direction of the link; all zero is a perfect link (no delay, no
 * loss, MTU SIM_DGRAM_MAX, unlimited rate). A datagram the node sends meets,
 * in this order: the destination address check, the MTU, the loss pattern,
 * random loss, the bottleneck queue, corruption, delay + jitter, then
 * duplication (the copy has its own jitter and skips the bottleneck). */
struct sim_link_cfg {
	uint64_t delay_ns;		/* one-way propagation delay */
	uint64_t jitter_ns;		/* plus uniform 0..jitter_ns per datagram: reorders */
	uint16_t loss_pm;		/* random loss, per mille */
	uint16_t dup_pm;		/* duplication, per mille */
	uint16_t corrupt_pm;		/* one random bit flipped, per mille */
	uint16_t mtu;			/* larger datagrams dropped; 0 or > SIM_DGRAM_MAX:
					 * SIM_DGRAM_MAX */
	uint64_t rate_Bps;		/* bottleneck, bytes per second; 0: none */
	/* bottleneck tail drop (with rate_Bps only): what is queued, the
	 * datagram on the wire included, may not exceed these; 0: no limit */
	uint32_t queue_bytes;
	uint32_t queue_dgrams;
	/* 'X' at i drops the i-th datagram sent after sim_set_link(), cyclically
	 * (or only the first strlen() with pattern_once); NULL: none. Not
	 * copied: must outlive its use. */
	const char *loss_pattern;
	bool pattern_once;
	/* ECN at the bottleneck (with rate_Bps): an ECT datagram that finds
	 * at least this many bytes queued ahead of it is marked CE instead
	 * of waiting for tail drop (step marking, as a DCTCP-style AQM);
	 * 0: never. ecn_bleach: the path clears the ECN field (a middlebox
	 * that breaks ECN). */
	uint32_t ce_queue_bytes;
	bool ecn_bleach;
};

/* Per direction (index = the sending node). Every datagram sent ends up in
 * exactly one of: a drop counter, delivered (minus duplicated), in flight. */
struct sim_stats {
	uint64_t sent;			/* datagrams output() returned */
	uint64_t delivered;		/* input() calls, copies included */
	uint64_t bytes_delivered;
	uint64_t lost_random;
	uint64_t lost_pattern;
	uint64_t duplicated;		/* extra copies queued */
	uint64_t corrupted;
	uint64_t drop_mtu;		/* longer than the MTU */
	uint64_t drop_queue;		/* bottleneck tail drop, or SIM_QUEUE_CAP reached */
	uint64_t drop_addr;		/* *to was not the other node's address */
	uint64_t reordered;		/* delivered after a datagram sent later */
	uint64_t injected;		/* sim_inject() towards the other node */
	uint64_t ect_sent;		/* datagrams sent ECT(0) or ECT(1) */
	uint64_t ce_marked;		/* marked CE by the bottleneck */
	uint32_t in_flight;
};

struct sim_node {
	const struct sim_node_ops *ops;	/* NULL or any NULL op: that part does nothing */
	void *ctx;
	struct sim_addr addr;
};

/* a datagram in flight (data in sim.data[slot]) */
struct sim_dgram {
	uint64_t at;			/* delivery time */
	uint64_t seq;			/* queueing order: ties at the same time */
	uint64_t idx;			/* index in its direction (UINT64_MAX: injected) */
	struct sim_addr from;
	uint16_t len;
	uint8_t dir;			/* sending node: delivered to node 1 - dir */
	uint8_t ecn;			/* codepoint as it arrives */
};

/* the bottleneck's FIFO: a datagram occupies it until its last bit is sent */
struct sim_wire {
	uint64_t busy_until;		/* end of the last queued transmission */
	uint64_t end[SIM_QUEUE_CAP];	/* ring: when each queued datagram leaves */
	uint16_t len[SIM_QUEUE_CAP];
	uint32_t head, count, bytes;
};

struct sim_dir {
	struct sim_link_cfg cfg;
	size_t pattern_len;
	uint64_t pattern_base;		/* stats.sent at sim_set_link() */
	uint64_t max_idx_delivered;	/* + 1; 0: none yet */
	struct sim_wire wire;
	struct sim_stats stats;
};

/* Fields are read-only for tests except max_steps. */
struct sim {
	uint64_t now;			/* ns, starts at SIM_T0 */
	uint64_t seed;
	uint64_t rng;			/* sim_random()'s state */
	uint64_t trace;			/* FNV-1a of every delivery: time, dir, len, bytes */
	uint64_t seq;
	uint64_t steps;			/* of the last sim_run() */
	uint64_t max_steps;		/* SIM_MAX_STEPS after sim_init() */
	struct sim_node node[2];
	struct sim_dir dir[2];
	uint32_t n_heap, n_free;
	uint16_t heap[SIM_QUEUE_CAP];	/* slots by (at, seq) */
	uint16_t free[SIM_QUEUE_CAP];
	struct sim_dgram dg[SIM_QUEUE_CAP];
	uint8_t out[SIM_OUT_MAX];
	/* last: sim_init() leaves it as it is */
	uint8_t data[SIM_QUEUE_CAP][SIM_DGRAM_MAX];
};

/* Everything reset: now = SIM_T0, perfect links, no nodes (they do nothing). */
void sim_init(struct sim *s, uint64_t seed);
/* Node i (0 or 1); ops and ctx stay the caller's. */
void sim_set_node(struct sim *s, int i, const struct sim_node_ops *ops, void *ctx,
		  const struct sim_addr *addr);
/* Node i's address from now on (a NAT rebinding); datagrams in flight
 * keep the source they were sent from. */
void sim_set_addr(struct sim *s, int i, const struct sim_addr *addr);
/* The link from node `from` to the other, for datagrams sent from now on
 * (NULL: perfect). Restarts the loss pattern. */
void sim_set_link(struct sim *s, int from, const struct sim_link_cfg *cfg);
/* See the top of this file. done may be NULL (never done). */
int sim_run(struct sim *s, uint64_t until_ns, bool (*done)(void *arg), void *arg);
/* Queue d for node `to` at time at (>= now), from any address, past every
 * impairment (an attacker, a stray packet). Counted as injected, not sent
 * or delivered. -1 if the queue is full or len > SIM_DGRAM_MAX. */
int sim_inject(struct sim *s, int to, const struct sim_addr *from, const uint8_t *d,
	       size_t len, uint64_t at);
/* Deterministic random numbers for nodes (CIDs, tokens), from the seed. */
uint64_t sim_random(struct sim *s);
/* Same family, port and address (the family's bytes only). */
bool sim_addr_equal(const struct sim_addr *a, const struct sim_addr *b);

#endif
