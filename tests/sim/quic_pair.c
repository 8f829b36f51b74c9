/* tests/sim/quic_pair: a tern client and server over the link simulator
 * (see quic_pair.h). */
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/unit/data/test_cert.h"
#include "tests/sim/quic_pair.h"

#define PAIR_FNV_PRIME 0x100000001b3ull

struct sim sim;
struct quic_endpoint eps[2];
pool_handle_t client_conn;
struct app_state app;
struct pair_knobs pair_next;
struct pair_taps pair_tap;

/* the client's side of pair_fetch_start() */
static struct {
	uint32_t n, nsizes, opened;
	uint64_t sizes[PAIR_FILES_MAX];
	bool writing;             /* cur_id's request is not fully written */
	uint64_t cur_id;
	uint8_t cur_off;
} fetch;

void to_quic(const struct sim_addr *s, struct quic_addr *q)
{
	memset(q, 0, sizeof(*q));
	q->family = s->family;
	q->port = s->port;
	memcpy(q->ip, s->ip, sizeof(q->ip));
}

void to_sim(const struct quic_addr *q, struct sim_addr *s)
{
	memset(s, 0, sizeof(*s));
	s->family = q->family;
	s->port = q->port;
	memcpy(s->ip, q->ip, sizeof(s->ip));
}

uint64_t pair_hash(uint64_t h, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ d[i]) * PAIR_FNV_PRIME;
	return h;
}

/* A flow's hash is kept xor the FNV offset basis, so that a zeroed record
 * is the hash of nothing. */
static void flow_add(struct pair_flow *f, const uint8_t *d, size_t n)
{
	f->hash = pair_hash(f->hash ^ PAIR_FNV_OFFSET, d, n) ^ PAIR_FNV_OFFSET;
	f->bytes += n;
}

uint64_t pair_flow_hash(const struct pair_flow *f)
{
	return f->hash ^ PAIR_FNV_OFFSET;
}

static int node_index(const void *node)
{
	return node == &eps[1];
}

static uint8_t last_ecn[2];  /* of each node's last datagram out */

/* pair_next.server_poll of the current pair (pair_next is reset) */
static void (*server_poll)(uint64_t now);

static void node_poll(void *node, uint64_t now)
{
	if (node == &eps[1] && server_poll)
		server_poll(now);
}

static void node_input(void *node, const struct sim_addr *from, const uint8_t *d, size_t len,
		       uint8_t ecn, uint64_t now)
{
	static uint8_t buf[SIM_DGRAM_MAX];  /* decrypted in place: a copy */
	struct quic_addr a;

	if (pair_tap.received)
		pair_tap.received(node_index(node), d, len, now);
	to_quic(from, &a);
	memcpy(buf, d, len);
	quic_endpoint_input_ecn(node, &a, buf, len, ecn, now);
	node_poll(node, now);
}

static size_t node_output(void *node, struct sim_addr *to, uint8_t *out, size_t cap,
			  uint64_t now)
{
	struct quic_addr a;
	size_t n = quic_endpoint_output_ecn(node, &a, out, cap, &last_ecn[node_index(node)], now);

	if (n) {
		to_sim(&a, to);
		if (pair_tap.sent)
			pair_tap.sent(node_index(node), out, n, now);
	}
	return n;
}

static uint64_t node_deadline(void *node)
{
	return quic_endpoint_deadline(node);
}

uint32_t pair_audits;

/* DESIGN.md 4.1: after a connection is freed no registry may name it */
static void audit(const struct quic_endpoint *ep)
{
	uint32_t bad = quic_endpoint_audit(ep);

	pair_audits++;
	if (bad)
		fail_msg("%s: %u registry entries name no live object after a close",
			 ep == &eps[0] ? "client" : "server", bad);
}

static void node_timeout(void *node, uint64_t now)
{
	uint32_t before = ((struct quic_endpoint *)node)->nconns;

	quic_endpoint_timeout(node, now);
	if (((struct quic_endpoint *)node)->nconns < before)
		audit(node);
	node_poll(node, now);
}

static uint8_t node_ecn_out(void *node)
{
	return last_ecn[node_index(node)];
}

const struct sim_node_ops pair_ops = {
	.input_ecn = node_input, .output = node_output,
	.deadline = node_deadline, .timeout = node_timeout, .ecn_out = node_ecn_out,
};

const struct sim_addr pair_addr[2] = {
	{ .ip = { 10, 0, 0, 1 }, .port = 50000, .family = 4 },
	{ .ip = { 10, 0, 0, 2 }, .port = 4433, .family = 4 },
};

/* ---------------------------------------------------------------- the application */

static struct pair_stream *stream_of(int side, uint64_t id)
{
	/* ids the records do not cover would go unchecked */
	assert_true(id < PAIR_STREAM_IDS);
	return &app.st[side][id];
}

size_t pair_stream_write(struct quic_conn *c, struct quic_stream *s, const uint8_t *data,
			 size_t len, bool fin)
{
	struct pair_flow *f = &stream_of(c->server, s->id)->tx;
	/* a FIN alone is taken (and 0 returned) exactly when the stream can
	 * still send: the same tests quic_conn_stream_write() (0-RTT too) and
	 * quic_stream_write() make */
	bool open = (c->state == QUIC_CONN_ESTABLISHED ||
		     (c->state == QUIC_CONN_HANDSHAKE && c->early_tx)) && !f->fin &&
		    (s->tx_state == QUIC_STREAM_TX_READY || s->tx_state == QUIC_STREAM_TX_SEND);
	size_t n = quic_conn_stream_write(c, s, data, len, fin);

	flow_add(f, data, n);
	if (fin && open && n == len)
		f->fin = true;
	return n;
}

/* serve mode, server: the request's size read so far (8 bytes, big endian) */
static void take_request(struct pair_stream *ps, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n && ps->req_len < 8; i++, ps->req_len++)
		ps->req = ps->req << 8 | d[i];
}

static void queue_response(struct quic_conn *c, struct quic_stream *s, struct pair_stream *ps)
{
	if (ps->req_len != 8 || app.nresp == PAIR_FILES_MAX) {
		app.unserved++;
		return;
	}
	app.resp[app.nresp++] = (struct pair_resp){ .conn = c->self, .id = s->id, .size = ps->req };
}

/* Both sides: every byte read is checked against the pattern (but a
 * serving server's requests) and hashed. The server echoes what it reads
 * when app.echo is set and ends each stream with a FIN after the
 * client's; in serve mode it reads a request and queues its answer. */
static void app_stream_event(void *ctx, struct quic_conn *c, struct quic_stream *s)
{
	int side = c->server ? 1 : 0;
	bool request = c->server && app.serve;
	struct pair_stream *ps = stream_of(side, s->id);
	uint8_t buf[4096];
	size_t n;
	bool fin = false;

	(void)ctx;
	do {
		uint64_t base = s->rx_read;  /* the stream offset of buf[0] */

		n = quic_conn_stream_read(c, s, buf, sizeof(buf), &fin);
		if (request)
			take_request(ps, buf, n);
		else
			for (size_t i = 0; i < n; i++)
				if (buf[i] != pattern(s->id, base + i))
					app.bad_bytes++;
		flow_add(&ps->rx, buf, n);
		app.rx_bytes[side] += n;
		if (c->server && app.echo && n)
			assert_int_equal(pair_stream_write(c, s, buf, n, false), n);
	} while (n);
	if (!fin)
		return;
	/* each stream's end is reported once, retransmissions or not */
	assert_false(ps->rx.fin);
	ps->rx.fin = true;
	app.fins[side]++;
	if (request)
		queue_response(c, s, ps);
	else if (c->server)
		pair_stream_write(c, s, NULL, 0, true);  /* end the echo (or the reply) */
	else
		app.echoed_done++;
}

static const struct quic_app_ops app_ops = { .stream_event = app_stream_event };

/* ---------------------------------------------------------------- the pair */

void setup_pair(uint64_t seed, enum quic_retry_policy retry, const struct sim_link_cfg *link)
{
	struct quic_endpoint_cfg s = {
		.server = true, .cert = test_server_cert_der, .certlen = sizeof(test_server_cert_der),
		.key = test_server_key_der, .keylen = sizeof(test_server_key_der),
		.static_secret = { 1 }, .seed = { 2, (uint8_t)seed }, .retry = retry,
		.app = pair_next.server_app ? pair_next.server_app : &app_ops,
		.app_ctx = pair_next.server_app_ctx, .v1_only = pair_next.server_v1_only,
		.idle_timeout_ms = pair_next.idle_timeout_ms,
		.disable_active_migration = pair_next.server_no_migration,
		.early_data = pair_next.server_early_data,
		.no_ecn = pair_next.no_ecn,
	};
	struct quic_endpoint_cfg c = {
		.server = false, .ca = test_ca_der, .calen = sizeof(test_ca_der),
		.sni = "localhost", .static_secret = { 3 }, .seed = { 4, (uint8_t)seed },
		.app = pair_next.client_app ? pair_next.client_app : &app_ops,
		.app_ctx = pair_next.client_app_ctx, .version = pair_next.client_version,
		.key_update_packets = pair_next.client_key_update,
		.idle_timeout_ms = pair_next.idle_timeout_ms, .no_ecn = pair_next.no_ecn,
	};

	memset(&app, 0, sizeof(app));
	server_poll = pair_next.server_poll;
	memset(&pair_next, 0, sizeof(pair_next));
	memset(&pair_tap, 0, sizeof(pair_tap));
	memset(&fetch, 0, sizeof(fetch));

	sim_init(&sim, seed);
	assert_int_equal(quic_endpoint_init(&eps[0], &c), 0);
	assert_int_equal(quic_endpoint_init(&eps[1], &s), 0);
	sim_set_node(&sim, 0, &pair_ops, &eps[0], &pair_addr[0]);
	sim_set_node(&sim, 1, &pair_ops, &eps[1], &pair_addr[1]);
	sim_set_link(&sim, 0, link);
	sim_set_link(&sim, 1, link);
	pair_connect();
}

void pair_connect(void)
{
	struct quic_addr server_addr;

	to_quic(&pair_addr[1], &server_addr);
	client_conn = quic_endpoint_connect(&eps[0], &server_addr, sim.now);
	assert_false(pool_handle_is_none(client_conn));
}

void teardown_pair(void)
{
	audit(&eps[0]);
	audit(&eps[1]);
	quic_endpoint_deinit(&eps[0]);
	quic_endpoint_deinit(&eps[1]);
	server_poll = NULL;
}

struct quic_conn *client(void)
{
	return quic_endpoint_conn(&eps[0], client_conn);
}

struct quic_conn *server_conn(void)
{
	return eps[1].nconns ? quic_endpoint_conn(&eps[1], eps[1].conns[0]) : NULL;
}

bool confirmed(void *arg)
{
	struct quic_conn *c = client();
	struct quic_conn *s = server_conn();

	(void)arg;
	return c && s && c->confirmed && s->confirmed;
}

bool both_gone(void *arg)
{
	(void)arg;
	return !eps[0].nconns && !eps[1].nconns;
}

bool client_gone(void *arg)
{
	(void)arg;
	return !eps[0].nconns;
}

/* ---------------------------------------------------------------- fetching files */

void pair_fetch_start(const uint64_t *sizes, uint32_t nsizes, uint32_t n)
{
	assert_true(nsizes >= 1 && nsizes <= PAIR_FILES_MAX && n <= PAIR_FILES_MAX);
	memset(&app, 0, sizeof(app));
	memset(&fetch, 0, sizeof(fetch));
	app.serve = true;
	fetch.n = n;
	fetch.nsizes = nsizes;
	memcpy(fetch.sizes, sizes, nsizes * sizeof(sizes[0]));
}

/* the client: a stream per file while the server's limit allows, each
 * with its request; a short write (no memory) goes on at the next step */
static void fetch_requests(struct quic_conn *c)
{
	while (fetch.writing || fetch.opened < fetch.n) {
		struct quic_stream *s;
		uint8_t req[8];
		uint64_t size;

		if (fetch.writing) {
			s = quic_streams_find(&c->streams, fetch.cur_id);
			if (!s)
				return;  /* gone (reset): the file will be missing */
		} else {
			s = quic_conn_stream_open(c, true);
			if (!s)
				return;  /* the peer's limit: more after streams close */
			stream_of(0, s->id)->want = fetch.sizes[fetch.opened % fetch.nsizes];
			fetch.opened++;
			fetch.writing = true;
			fetch.cur_id = s->id;
			fetch.cur_off = 0;
		}
		size = stream_of(0, s->id)->want;
		for (int i = 0; i < 8; i++)
			req[i] = (uint8_t)(size >> (56 - 8 * i));
		fetch.cur_off += (uint8_t)pair_stream_write(c, s, req + fetch.cur_off,
							     8u - fetch.cur_off, true);
		if (fetch.cur_off < 8 || !stream_of(0, s->id)->tx.fin)
			return;
		fetch.writing = false;
	}
}

/* the server: as much of each response as its stream takes */
static void fetch_responses(void)
{
	uint8_t buf[1024];

	for (uint32_t i = 0; i < app.nresp;) {
		struct pair_resp *r = &app.resp[i];
		struct quic_conn *c = quic_endpoint_conn(&eps[1], r->conn);
		struct quic_stream *s = c ? quic_streams_find(&c->streams, r->id) : NULL;
		struct pair_flow *f = &stream_of(1, r->id)->tx;

		while (s && !f->fin) {
			uint64_t left = r->size - f->bytes;
			size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);

			/* a full stream takes nothing: no pattern to make */
			if (n > quic_stream_writable(s))
				n = quic_stream_writable(s);
			if (!n && left)
				break;
			for (size_t k = 0; k < n; k++)
				buf[k] = pattern(r->id, f->bytes + k);
			if (pair_stream_write(c, s, buf, n, n == left) < n || (n == left && !f->fin))
				break;
		}
		if (s && !f->fin) {
			i++;
			continue;
		}
		/* done, or its stream or connection is gone */
		if (!f->fin)
			app.unserved++;
		app.resp[i] = app.resp[--app.nresp];
	}
}

bool pair_fetch_step(void *arg)
{
	struct quic_conn *c = client();

	(void)arg;
	if (c && (c->confirmed || c->early_tx))  /* requests in 0-RTT when it may */
		fetch_requests(c);
	fetch_responses();
	return fetch.n && pair_files_done() == fetch.n;
}

uint32_t pair_files_done(void)
{
	return app.fins[0];
}

uint64_t pair_files_bytes(void)
{
	return app.rx_bytes[0];
}

/* ---------------------------------------------------------------- checks */

uint32_t pair_compare(uint32_t *compared)
{
	uint32_t bad = 0, n = 0;

	for (uint64_t id = 0; id < PAIR_STREAM_IDS; id++) {
		for (int side = 0; side < 2; side++) {
			const struct pair_flow *tx = &app.st[side][id].tx;
			const struct pair_flow *rx = &app.st[!side][id].rx;

			if (!tx->bytes && !tx->fin && !rx->bytes && !rx->fin)
				continue;
			n++;
			if (tx->fin && rx->fin && tx->bytes == rx->bytes && tx->hash == rx->hash)
				continue;
			bad++;
			print_error("stream %llu %s: wrote %llu bytes%s hash %016llx, read %llu "
				    "bytes%s hash %016llx\n", (unsigned long long)id,
				    side ? "server->client" : "client->server",
				    (unsigned long long)tx->bytes, tx->fin ? " + FIN" : "",
				    (unsigned long long)pair_flow_hash(tx), (unsigned long long)rx->bytes,
				    rx->fin ? " + FIN" : "", (unsigned long long)pair_flow_hash(rx));
		}
	}
	if (compared)
		*compared = n;
	return bad;
}

void pair_assert_files(void)
{
	uint32_t files = 0;

	for (uint64_t id = 0; id < PAIR_STREAM_IDS; id++) {
		const struct pair_stream *ps = &app.st[0][id];

		if (!ps->rx.fin)
			continue;
		files++;
		if (ps->rx.bytes != ps->want)
			fail_msg("file on stream %llu: %llu bytes read, %llu asked",
				 (unsigned long long)id, (unsigned long long)ps->rx.bytes,
				 (unsigned long long)ps->want);
	}
	assert_int_equal(files, fetch.n);
	assert_int_equal(app.unserved, 0);
}

static void dump_conn(const char *name, const struct quic_conn *c)
{
	if (!c) {
		print_error("  %s: no connection\n", name);
		return;
	}
	print_error("  %s: state %d complete %d confirmed %d validated %d; pkts rx %u tx %u, "
		    "dropped %u, decrypt_fail %u, dup %u, key updates %u; bytes rx %llu tx %llu; "
		    "streams open %u\n", name, (int)c->state, c->complete, c->confirmed,
		    c->address_validated, c->stats.pkts_rx, c->stats.pkts_tx, c->stats.dropped,
		    c->stats.decrypt_fail, c->stats.dup, c->stats.key_updates,
		    (unsigned long long)c->bytes_rx, (unsigned long long)c->bytes_tx,
		    c->streams.n_open);
}

void pair_dump(const char *why)
{
	print_error("%s: at %.3f s virtual (seed %llu, trace %016llx)\n", why,
		    (double)(sim.now - SIM_T0) / 1e9, (unsigned long long)sim.seed,
		    (unsigned long long)sim.trace);
	dump_conn("client", client());
	dump_conn("server", server_conn());
	for (int i = 0; i < 2; i++) {
		const struct sim_stats *st = &sim.dir[i].stats;

		print_error("  %s: sent %llu delivered %llu lost %llu+%llu corrupted %llu queue-drop "
			    "%llu in flight %u; endpoint dgrams rx %u tx %u, dropped %u, %u conns\n",
			    i ? "s->c" : "c->s", (unsigned long long)st->sent,
			    (unsigned long long)st->delivered, (unsigned long long)st->lost_random,
			    (unsigned long long)st->lost_pattern, (unsigned long long)st->corrupted,
			    (unsigned long long)st->drop_queue, st->in_flight, eps[i].st.dgrams_rx,
			    eps[i].st.dgrams_tx, eps[i].st.pkts_dropped, eps[i].nconns);
	}
	print_error("  files %u/%u read (%llu bytes), %u responses pending, %u unserved, "
		    "%llu bad bytes\n", pair_files_done(), fetch.n,
		    (unsigned long long)pair_files_bytes(), app.nresp, app.unserved,
		    (unsigned long long)app.bad_bytes);
}
