/* tests/sim/quic_pair: a tern client and server over the link simulator,
 * shared by the simulator test programs (tests/unit/test_sim_*.c).
 *
 * One struct sim, two endpoints (eps[0] the client at pair_addr[0],
 * eps[1] the server at pair_addr[1]) and one test application on both
 * sides, which reads every stream as data arrives and checks it:
 *
 *   - every byte read is compared with pattern(stream id, offset), except
 *     the requests a serving server reads (see pair_fetch_start());
 *     mismatches are counted in app.bad_bytes;
 *   - each stream's end is reported once per side (asserted);
 *   - each side keeps, per stream and direction, the bytes it wrote and
 *     read and a running FNV-1a 64 hash of them in stream order:
 *     pair_compare() checks that what one side read is what the other
 *     wrote (same length, same hash, same FIN).
 *
 * Writes that should count as "sent" go through pair_stream_write().
 * Everything big is static (struct sim is 1.6 MiB): nothing on a stack.
 * The asserts are cmocka's: this file is compiled with the unit tests'
 * flags (tests/unit/module.mk).
 */
#ifndef TERN_TESTS_QUIC_PAIR_H
#define TERN_TESTS_QUIC_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quic/conn.h"
#include "quic/endpoint.h"
#include "quic/stream.h"
#include "tests/sim/sim.h"

/* Stream ids the application follows per side: 1024 streams of each type. */
#define PAIR_STREAM_IDS 4096
/* Files one pair_fetch_start() asks for. */
#define PAIR_FILES_MAX 1024

#define PAIR_FNV_OFFSET 0xcbf29ce484222325ull

extern struct sim sim;
extern struct quic_endpoint eps[2];   /* 0 client, 1 server */
extern pool_handle_t client_conn;     /* the client's current connection */
extern const struct sim_node_ops pair_ops;  /* node ctx: &eps[i] */
extern const struct sim_addr pair_addr[2];

void to_quic(const struct sim_addr *s, struct quic_addr *q);
void to_sim(const struct quic_addr *q, struct sim_addr *s);

/* The byte at offset i of stream id's data, in both directions. */
static inline uint8_t pattern(uint64_t id, uint64_t i)
{
	return (uint8_t)(i * 7 + id * 13 + (i >> 8));
}

/* FNV-1a 64 of d[0..n) continued from h (PAIR_FNV_OFFSET to start). */
uint64_t pair_hash(uint64_t h, const uint8_t *d, size_t n);

/* One direction of one stream, as one side saw it. */
struct pair_flow {
	uint64_t bytes;   /* written (accepted by the stream) or read */
	uint64_t hash;    /* of those bytes in order: read it with pair_flow_hash() */
	bool fin;         /* the FIN was written / the end was read */
};

/* FNV-1a 64 of the flow's bytes. */
uint64_t pair_flow_hash(const struct pair_flow *f);

struct pair_stream {
	struct pair_flow tx, rx;
	uint64_t want;        /* client, serve mode: the file size it asked for */
	uint64_t req;         /* server, serve mode: the size asked, big endian */
	uint8_t req_len;      /* bytes of it read */
};

/* One response a serving server still has to write. */
struct pair_resp {
	pool_handle_t conn;
	uint64_t id, size;
};

/* What both applications saw, reset by setup_pair() and pair_fetch_start(). */
struct app_state {
	uint64_t rx_bytes[2], bad_bytes;   /* per side */
	uint32_t fins[2];          /* streams fully received, per side */
	uint32_t echoed_done;      /* client: streams whose end it read */
	bool echo;                 /* server echoes what it reads (100-stream test) */
	/* serve mode: each client stream carries an 8-byte request (a size,
	 * big endian) and FIN; the server answers with that many pattern
	 * bytes and FIN */
	bool serve;
	struct pair_stream st[2][PAIR_STREAM_IDS];  /* per side, by stream id */
	struct pair_resp resp[PAIR_FILES_MAX];
	uint32_t nresp;
	uint32_t unserved;         /* requests dropped: too many or no stream */
};
extern struct app_state app;

/* Read by the next setup_pair(), then reset to zero by it. */
struct pair_knobs {
	uint32_t client_version;          /* 0: v1 */
	bool server_v1_only;
	uint64_t client_key_update;       /* packets; 0: CONFIG default */
	uint64_t idle_timeout_ms;         /* both endpoints; 0: CONFIG default */
	bool server_no_migration;         /* server sends disable_active_migration */
	bool no_ecn;                      /* both: the "port" cannot do ECN */
	bool server_early_data;           /* server accepts 0-RTT (CONFIG_QUIC_0RTT) */
	/* another application than the checking one (NULL: that one), e.g.
	 * HTTP/3: h3_server_app_ops() with &term.h3 on the server, the test
	 * client of tests/sim/h3_client on the client */
	const struct quic_app_ops *server_app, *client_app;
	void *server_app_ctx, *client_app_ctx;
	/* called after every delivery to the server and every server
	 * timeout, as a board's loop calls term_poll() after each round of
	 * endpoint input and timers (NULL: nothing) */
	void (*server_poll)(uint64_t now);
};
extern struct pair_knobs pair_next;

/* Optional per-datagram observers, reset by setup_pair(): node i sent
 * d[0..len) (before the link), or d arrived at node i (before the
 * endpoint reads it: the bytes as they crossed the link). */
struct pair_taps {
	void (*sent)(int node, const uint8_t *d, size_t len, uint64_t now);
	void (*received)(int node, const uint8_t *d, size_t len, uint64_t now);
};
extern struct pair_taps pair_tap;

/* A fresh simulator (seed), client and server (retry policy, pair_next),
 * both links set to *link, and the client's connection started. */
void setup_pair(uint64_t seed, enum quic_retry_policy retry, const struct sim_link_cfg *link);
/* Audits both endpoints' registries (quic_endpoint_audit), then frees
 * everything. */
void teardown_pair(void);
/* Registry audits run so far: after every timeout that freed a
 * connection, and in teardown_pair(). */
extern uint32_t pair_audits;
/* Another client connection to the server (client_conn is now it). */
void pair_connect(void);

struct quic_conn *client(void);        /* NULL once gone */
struct quic_conn *server_conn(void);   /* the server's first connection, or NULL */

/* quic_conn_stream_write(), counting what the stream took (and the FIN,
 * once all of data was taken) into app.st[side][id].tx. */
size_t pair_stream_write(struct quic_conn *c, struct quic_stream *s, const uint8_t *data,
			 size_t len, bool fin);

/* Done conditions for sim_run() (arg unused). */
bool confirmed(void *arg);        /* both sides confirmed */
bool both_gone(void *arg);        /* no connection left on either side */
bool client_gone(void *arg);

/* ---- fetching files (the interop runner's model: the client asks, the
 * server sends) ---- */

/* Reset the application to serve mode and ask for n files, file i of
 * sizes[i % nsizes] bytes, each on its own bidirectional stream of the
 * client's current connection, opened as the server's stream limit
 * allows. */
void pair_fetch_start(const uint64_t *sizes, uint32_t nsizes, uint32_t n);
/* A sim_run() done condition: opens streams and writes requests on the
 * client, writes responses on the server; true once every file was read
 * to its end by the client. */
bool pair_fetch_step(void *arg);
/* Files read to their end so far, and their bytes. */
uint32_t pair_files_done(void);
uint64_t pair_files_bytes(void);

/* Every stream direction one side wrote with a FIN was read to its end by
 * the other, and every one read was written: same length, same hash.
 * Mismatches are printed; returns their number, *compared the number of
 * directions compared (may be NULL). */
uint32_t pair_compare(uint32_t *compared);
/* Every file read had the size asked. */
void pair_assert_files(void);

/* Both connections and the link on one line each (for a failure). */
void pair_dump(const char *why);

#endif
