/* quic/stream: send/ack/loss round trip, reassembly with flow control,
 * the RFC 9000 4.5 errors, RESET_STREAM / STOP_SENDING, the stream set
 * (limits, implicit opening, directions, MAX_STREAMS), pool exhaustion and
 * fault injection, and a randomized run over a stream set with invariants.
 * Every byte is a function of (stream id, offset), so whatever comes out
 * can be checked. */
#include <string.h>

#include "unit.h"
#include "quic/stream.h"

#define W   QUIC_STREAM_RX_WINDOW
#define CH  ((uint64_t)CONFIG_POOL_STREAM_CHUNK_SIZE)
#define TXW QUIC_STREAM_TX_WINDOW
#define Q   (W / 8)          /* a piece: the tests scale with the chunk size */
#define N_STREAM_BLOCKS (CONFIG_POOL_CONNECTIONS * CONFIG_POOL_STREAMS_PER_CONN)

static uint32_t rng = 1;

static uint32_t rnd(void)
{
	return unit_xorshift32(&rng);
}

static uint64_t rnd64(void)
{
	return (uint64_t)rnd() << 32 | rnd();
}

static uint8_t pat(uint64_t id, uint64_t off)
{
	return (uint8_t)(off * 131 + (off >> 9) + id * 29 + (off >> 17));
}

static void fill(uint8_t *p, uint64_t id, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = pat(id, off + i);
}

static void assert_pat(const uint8_t *p, uint64_t id, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != pat(id, off + i))
			fail_msg("stream %llu byte %llu differs", (unsigned long long)id,
				 (unsigned long long)(off + i));
}

static uint32_t chunks_used(void)
{
	return pool_stats_of(&pool_chunk)->in_use;
}

static struct quic_stream *stream_new(uint64_t id, bool is_server, uint64_t tx_limit)
{
	struct quic_stream *s = pool_alloc(&pool_stream);

	assert_non_null(s);
	quic_stream_init(s, id, POOL_HANDLE_NONE, is_server, tx_limit);
	return s;
}

static void stream_free(struct quic_stream *s)
{
	quic_stream_deinit(s);
	pool_free(&pool_stream, s);
}

static void check_ranges(const struct quic_stream_range *r, unsigned n, uint64_t floor,
			 uint64_t lim)
{
	assert_true(n <= QUIC_STREAM_RANGES);
	for (unsigned i = 0; i < n; i++) {
		assert_true(r[i].lo < r[i].hi);
		assert_true(r[i].lo >= floor);
		assert_true(r[i].hi <= lim);
		if (i)
			assert_true(r[i - 1].hi < r[i].lo);
	}
}

/* The invariants of one stream; returns the chunks it holds. */
static unsigned check_stream(const struct quic_stream *s)
{
	uint64_t rb = s->rx_read - s->rx_read % CH, tb = s->tx_acked - s->tx_acked % CH;
	bool tx_live = s->tx_state <= QUIC_STREAM_TX_DATA_SENT;
	unsigned held = 0;

	assert_true(s->rx_read <= s->rx_highest);
	assert_true(s->rx_highest <= s->rx_limit);
	assert_true(s->rx_limit <= rb + W);
	if (s->rx_state != QUIC_STREAM_RX_RECV) {
		assert_true(s->rx_highest <= s->rx_final);
		assert_true(s->rx_read <= s->rx_final);
	}
	check_ranges(s->rx_have, s->rx_n, s->rx_read - rb, W);
	for (unsigned i = 0; i < QUIC_STREAM_RX_CHUNKS; i++)
		held += s->rx_chunk[i] != NULL;
	if (s->rx_state > QUIC_STREAM_RX_DATA_RECVD) {
		assert_int_equal(held, 0);
		assert_int_equal(s->rx_n, 0);
	}
	assert_true(s->tx_acked <= s->tx_sent);
	assert_true(s->tx_sent <= s->tx_written);
	assert_true(s->tx_sent <= s->tx_limit);
	assert_true(s->tx_written <= tb + TXW);
	check_ranges(s->tx_lost, s->lost_n, s->tx_acked - tb, s->tx_sent - tb);
	check_ranges(s->tx_ackd, s->ackd_n, s->tx_acked - tb + 1, s->tx_sent - tb);
	for (unsigned i = 0; i < QUIC_STREAM_TX_CHUNKS; i++) {
		/* a send chunk exists exactly where written data is kept */
		bool want = tx_live && tb + i * CH < s->tx_written;

		assert_int_equal(s->tx_chunk[i] != NULL, want);
		held += want;
	}
	return held;
}

static void test_ids(void **state)
{
	assert_int_equal(quic_stream_id_make(0, false, false), 0);
	assert_int_equal(quic_stream_id_make(0, false, true), 1);
	assert_int_equal(quic_stream_id_make(0, true, false), 2);
	assert_int_equal(quic_stream_id_make(5, true, true), 23);
	assert_true(quic_stream_id_is_uni(2) && quic_stream_id_is_uni(3));
	assert_false(quic_stream_id_is_uni(4) || quic_stream_id_is_uni(5));
	assert_true(quic_stream_id_is_server(7));
	assert_false(quic_stream_id_is_server(8));
	assert_true(quic_stream_id_is_local(4, false));
	assert_false(quic_stream_id_is_local(4, true));
	assert_true(quic_stream_id_is_local(3, true));
	assert_int_equal(quic_stream_id_type(14), 2);
	/* a block stays small and a set fits in a connection */
	assert_true(sizeof(struct quic_stream) <= 384);
	assert_true(sizeof(struct quic_streams) <= 160 + 8 * QUIC_STREAMS_SLOTS);
}

/* ---- send / ack / loss through a simulated packetizer and network ---- */

#define BIG (100 * 1024)
#define FLIGHT 64

struct flight {
	uint64_t off;
	size_t len;
	bool fin, deliver, delivered, spurious, lost_said;
	uint8_t data[1400];
};

static struct flight fl[FLIGHT];
static uint8_t big_out[BIG];
static uint8_t tmp[W > 8192 ? W : 8192];

static void flight_remove(unsigned *n, unsigned i)
{
	fl[i] = fl[--*n];
}

static void test_send_ack_loss_roundtrip(void **state)
{
	struct quic_stream *tx = stream_new(0, false, W);   /* the client's stream 0 */
	struct quic_stream *rx = stream_new(0, true, 0);    /* the server's view of it */
	struct quic_flow ctx = { .limit = 3 * W }, crx = { .limit = 3 * W };
	uint64_t written = 0, got = 0, lim, at;
	unsigned nfl = 0, steps = 0, spurious = 0, blocked = 0;
	bool fin_read = false;

	rng = 12345;
	while (tx->tx_state != QUIC_STREAM_TX_DATA_RECVD || !fin_read) {
		assert_true(++steps < 3000000);
		switch (rnd() % 8) {
		case 0: {      /* the app writes */
			size_t want = 1 + rnd() % 6000, n;

			if (written == BIG)
				break;
			if (want > BIG - written)
				want = BIG - written;
			fill(tmp, 0, written, want);
			n = quic_stream_write(tx, tmp, want, written + want == BIG);
			assert_true(n <= want);
			written += n;
			break;
		}
		case 1:
		case 2: {      /* the packetizer takes a frame */
			size_t maxd = 1 + rnd() % (rnd() % 2 ? 200 : sizeof(fl[0].data));
			size_t len, plen, nb;
			uint64_t off, poff;
			bool fin, pfin, peek, took;

			if (nfl == FLIGHT)
				break;
			size_t allow = (size_t)quic_flow_avail(&ctx);

			peek = quic_stream_peek_frame(tx, allow, &poff, &plen, &pfin);
			took = quic_stream_next_frame(tx, maxd, allow, &off, &len, &fin, &nb);
			assert_int_equal(peek, took);
			if (!took)
				break;
			assert_int_equal(off, poff);
			assert_int_equal(len, plen < maxd ? plen : maxd);
			if (len == plen)
				assert_int_equal(fin, pfin);
			assert_int_equal(quic_flow_consume(&ctx, nb), 0);
			struct flight *f = &fl[nfl++];

			f->off = off;
			f->len = len;
			f->fin = fin;
			assert_int_equal(quic_stream_copy(tx, off, f->data, len), len);
			assert_pat(f->data, 0, off, len);
			f->deliver = rnd() % 5 != 0;
			f->delivered = false;
			f->spurious = rnd() % 10 == 0;
			f->lost_said = false;
			break;
		}
		case 3:
		case 4: {      /* the network: deliver, ack or lose one packet */
			unsigned i;
			struct flight *f;
			uint64_t nb;

			if (!nfl)
				break;
			i = rnd() % nfl;
			f = &fl[i];
			if (f->deliver && !f->delivered) {
				int r = quic_stream_on_frame(rx, f->off, f->data, f->len, f->fin,
							     &nb);

				assert_int_equal(quic_flow_consume(&crx, nb), 0);
				if (r == QUIC_STREAM_DROPPED) {   /* not acked: lost later */
					f->deliver = false;
				} else {
					assert_int_equal(r, 0);
					f->delivered = true;
				}
			} else if (f->delivered && f->spurious && !f->lost_said) {
				quic_stream_on_lost(tx, f->off, f->len, f->fin);
				f->lost_said = true;
				spurious++;
			} else if (f->delivered) {
				quic_stream_on_acked(tx, f->off, f->len, f->fin);
				flight_remove(&nfl, i);
			} else {
				quic_stream_on_lost(tx, f->off, f->len, f->fin);
				flight_remove(&nfl, i);
			}
			break;
		}
		case 5: {      /* the app reads */
			size_t cap = rnd() % 5000, n;
			bool fin;

			if (cap > BIG - got)
				cap = BIG - got;
			n = quic_stream_read(rx, big_out + got, cap, &fin);
			assert_true(n <= cap);
			got += n;
			if (fin) {
				assert_int_equal(got, BIG);
				fin_read = true;
			}
			break;
		}
		case 6:        /* flow control both ways */
			if (quic_stream_want_max_stream_data(rx, &lim)) {
				assert_true(lim >= rx->rx_limit);
				assert_true(lim <= rx->rx_read + W);
				quic_stream_max_stream_data_sent(rx, lim);
				if (rnd() % 4)
					quic_stream_on_max_stream_data(tx, lim);
				else
					quic_stream_on_max_stream_data_lost(rx);
			}
			if (quic_flow_want_raise(&crx, got, 3 * W, &lim)) {
				quic_flow_raise(&crx, lim);
				quic_flow_raise(&ctx, lim);
			}
			if (quic_stream_blocked(tx, &at)) {
				assert_int_equal(at, tx->tx_limit);
				quic_stream_blocked_sent(tx);
				assert_false(quic_stream_blocked(tx, &at));
				blocked++;
			}
			break;
		default:
			assert_true(check_stream(tx) <= QUIC_STREAM_TX_CHUNKS);
			assert_true(check_stream(rx) <= QUIC_STREAM_RX_CHUNKS);
			assert_int_equal(chunks_used(), check_stream(tx) + check_stream(rx));
			break;
		}
	}
	assert_int_equal(written, BIG);
	assert_int_equal(tx->tx_acked, BIG);
	assert_int_equal(got, BIG);
	assert_pat(big_out, 0, 0, BIG);
	assert_int_equal(ctx.used, BIG);
	assert_int_equal(crx.used, BIG);
	assert_int_equal(rx->rx_state, QUIC_STREAM_RX_DATA_READ);
	assert_true(spurious > 0 && blocked > 0);
	/* late packets: acks and losses change nothing now, data is old */
	while (nfl) {
		struct flight *f = &fl[nfl - 1];
		uint64_t nb;

		assert_int_equal(quic_stream_on_frame(rx, f->off, f->data, f->len, f->fin, &nb), 0);
		assert_int_equal(nb, 0);
		quic_stream_on_acked(tx, f->off, f->len, f->fin);
		quic_stream_on_lost(tx, f->off, f->len, f->fin);
		nfl--;
	}
	assert_int_equal(tx->tx_state, QUIC_STREAM_TX_DATA_RECVD);
	assert_int_equal(chunks_used(), 0);
	assert_true(quic_stream_done(rx) == false);   /* the server's send side is still open */
	stream_free(tx);
	stream_free(rx);
}

/* ---- receive: pieces in any order, reads interleaved ---- */

#define RXN 60000

static void test_receive_random_pieces(void **state)
{
	rng = 99;
	for (int round = 0; round < 20; round++) {
		struct quic_stream *s = stream_new(4, true, 0);
		uint64_t got = 0, raised = 0;
		bool fin = false;
		int guard = 0;

		while (!fin) {
			uint64_t lo = s->rx_read > 300 ? s->rx_read - 300 : 0, nb, lim;
			uint64_t span = s->rx_limit - lo, high = s->rx_highest;
			uint64_t off = lo + (span ? rnd() % span : 0);
			size_t len = rnd() % 1500;
			bool f;
			int r;

			assert_true(++guard < 200000);
			if (off > RXN)
				off = RXN;
			if (off + len > s->rx_limit)
				len = (size_t)(s->rx_limit - off);
			if (off + len > RXN)
				len = (size_t)(RXN - off);
			f = off + len == RXN && rnd() % 2;
			fill(tmp, 4, off, len);
			r = quic_stream_on_frame(s, off, tmp, len, f, &nb);
			assert_true(r == 0 || r == QUIC_STREAM_DROPPED);
			assert_int_equal(nb, off + len > high ? off + len - high : 0);
			if (rnd() % 3 == 0) {
				size_t cap = rnd() % 3000, n;

				if (cap > RXN - got)
					cap = RXN - got;
				n = quic_stream_read(s, big_out + got, cap, &fin);
				got += n;
			}
			if (quic_stream_want_max_stream_data(s, &lim)) {
				/* credit only for what the chunks hold, half a window at least */
				assert_true(lim <= s->rx_read + W);
				assert_true(lim >= s->rx_limit + W / 2);
				assert_int_equal(lim % CH, 0);
				quic_stream_max_stream_data_sent(s, lim);
				assert_int_equal(s->rx_limit, lim);
				raised++;
			}
			check_stream(s);
		}
		assert_int_equal(got, RXN);
		assert_pat(big_out, 4, 0, RXN);
		assert_true(raised >= RXN / W - 1);
		assert_int_equal(s->rx_state, QUIC_STREAM_RX_DATA_READ);
		assert_int_equal(chunks_used(), 0);
		assert_false(quic_stream_want_max_stream_data(s, &raised));
		stream_free(s);
	}
}

/* ---- the exact errors ---- */

static void test_flow_and_final_size_errors(void **state)
{
	struct quic_stream *s = stream_new(0, true, 0);
	uint64_t nb;
	bool fin;
	size_t n;

	fill(tmp, 0, 0, 64);
	assert_int_equal(s->rx_limit, W);
	/* beyond our MAX_STREAM_DATA */
	assert_int_equal(quic_stream_on_frame(s, W - 1, tmp, 2, false, &nb),
			 QUIC_FLOW_CONTROL_ERROR);
	assert_int_equal(quic_stream_on_frame(s, W, tmp, 1, true, &nb), QUIC_FLOW_CONTROL_ERROR);
	/* beyond 2^62 - 1 and wrapping */
	assert_int_equal(quic_stream_on_frame(s, (UINT64_C(1) << 62) - 1, tmp, 2, false, &nb),
			 QUIC_FLOW_CONTROL_ERROR);
	assert_int_equal(quic_stream_on_frame(s, UINT64_MAX - 1, tmp, 4, false, &nb),
			 QUIC_FLOW_CONTROL_ERROR);
	assert_int_equal(s->rx_highest, 0);
	assert_int_equal(quic_stream_on_frame(s, W - 1, tmp, 1, false, &nb), 0);
	assert_int_equal(nb, W);
	assert_int_equal(quic_stream_on_frame(s, W, tmp, 0, false, &nb), 0);   /* up to the limit */
	assert_int_equal(quic_stream_on_frame(s, 0, tmp, 10, false, &nb), 0);
	assert_int_equal(nb, 0);
	/* a final size below what was received */
	assert_int_equal(quic_stream_on_frame(s, 0, tmp, 20, true, &nb), QUIC_FINAL_SIZE_ERROR);
	assert_int_equal(s->rx_state, QUIC_STREAM_RX_RECV);
	stream_free(s);

	s = stream_new(0, true, 0);
	assert_int_equal(quic_stream_on_frame(s, 0, tmp, 10, false, &nb), 0);
	assert_int_equal(nb, 10);
	assert_int_equal(quic_stream_on_frame(s, 0, tmp, 5, true, &nb), QUIC_FINAL_SIZE_ERROR);
	assert_int_equal(quic_stream_on_frame(s, 10, tmp + 10, 10, true, &nb), 0);
	assert_int_equal(nb, 10);
	assert_int_equal(s->rx_state, QUIC_STREAM_RX_DATA_RECVD);
	assert_int_equal(s->rx_final, 20);
	/* data beyond the final size; a FIN that moves it */
	assert_int_equal(quic_stream_on_frame(s, 15, tmp, 10, false, &nb), QUIC_FINAL_SIZE_ERROR);
	assert_int_equal(quic_stream_on_frame(s, 20, tmp, 1, false, &nb), QUIC_FINAL_SIZE_ERROR);
	assert_int_equal(quic_stream_on_frame(s, 0, tmp, 19, true, &nb), QUIC_FINAL_SIZE_ERROR);
	assert_int_equal(quic_stream_on_frame(s, 20, tmp, 0, true, &nb), 0);   /* the same FIN */
	assert_int_equal(quic_stream_on_frame(s, 0, tmp, 20, true, &nb), 0);
	assert_int_equal(nb, 0);
	/* RESET_STREAM with another final size; with the same one it is
	 * ignored in Data Recvd: the app still reads everything */
	assert_int_equal(quic_stream_on_reset(s, 1, 21, &nb), QUIC_FINAL_SIZE_ERROR);
	assert_int_equal(quic_stream_on_reset(s, 1, 19, &nb), QUIC_FINAL_SIZE_ERROR);
	assert_int_equal(quic_stream_on_reset(s, 1, 20, &nb), 0);
	assert_int_equal(nb, 0);
	assert_int_equal(s->rx_state, QUIC_STREAM_RX_DATA_RECVD);
	assert_int_equal(quic_stream_readable(s), 20);
	n = quic_stream_read(s, big_out, sizeof(big_out), &fin);
	assert_int_equal(n, 20);
	assert_true(fin);
	assert_pat(big_out, 0, 0, 20);
	assert_int_equal(s->rx_state, QUIC_STREAM_RX_DATA_READ);
	assert_int_equal(chunks_used(), 0);
	stream_free(s);

	/* RESET_STREAM alone: below the highest offset, beyond the limit */
	s = stream_new(0, true, 0);
	assert_int_equal(quic_stream_on_frame(s, 100, tmp, 50, false, &nb), 0);
	assert_int_equal(quic_stream_on_reset(s, 3, 149, &nb), QUIC_FINAL_SIZE_ERROR);
	assert_int_equal(quic_stream_on_reset(s, 3, W + 1, &nb), QUIC_FLOW_CONTROL_ERROR);
	assert_int_equal(quic_stream_on_reset(s, 3, UINT64_MAX, &nb), QUIC_FLOW_CONTROL_ERROR);
	assert_int_equal(s->rx_state, QUIC_STREAM_RX_RECV);
	stream_free(s);

	/* connection level */
	struct quic_flow f = { .limit = 100 };

	assert_int_equal(quic_flow_consume(&f, 60), 0);
	assert_int_equal(quic_flow_consume(&f, 41), QUIC_FLOW_CONTROL_ERROR);
	assert_int_equal(quic_flow_consume(&f, 40), 0);
	assert_int_equal(quic_flow_avail(&f), 0);
	assert_int_equal(quic_flow_consume(&f, UINT64_MAX), QUIC_FLOW_CONTROL_ERROR);
	quic_flow_raise(&f, 50);
	assert_int_equal(f.limit, 100);
	quic_flow_raise(&f, 150);
	assert_int_equal(quic_flow_avail(&f), 50);
}

/* ---- RESET_STREAM and STOP_SENDING ---- */

static void test_reset_stream_received(void **state)
{
	struct quic_stream *s = stream_new(0, true, 5000);
	uint64_t nb, err, fs;
	bool fin;

	fill(tmp, 0, 0, 6 * Q);
	assert_int_equal(quic_stream_on_frame(s, 0, tmp, 100, false, &nb), 0);
	assert_int_equal(quic_stream_on_frame(s, 4 * Q, tmp + 4 * Q, Q, false, &nb), 0);
	assert_true(chunks_used() > 0);
	assert_int_equal(quic_stream_on_reset(s, 7, 6 * Q, &nb), 0);
	assert_int_equal(nb, Q);     /* the final size counts against flow control */
	assert_int_equal(s->rx_state, QUIC_STREAM_RX_RESET_RECVD);
	assert_int_equal(chunks_used(), 0);
	assert_int_equal(quic_stream_read(s, big_out, 100, &fin), 0);
	assert_false(fin);
	/* later frames: checked against the final size, otherwise ignored */
	assert_int_equal(quic_stream_on_frame(s, 0, tmp, 6 * Q, true, &nb), 0);
	assert_int_equal(nb, 0);
	assert_int_equal(quic_stream_on_frame(s, 6 * Q - 10, tmp, 20, false, &nb),
			 QUIC_FINAL_SIZE_ERROR);
	assert_int_equal(quic_stream_on_reset(s, 7, 6 * Q, &nb), 0);
	assert_int_equal(quic_stream_on_reset(s, 7, 6 * Q - 1, &nb), QUIC_FINAL_SIZE_ERROR);
	assert_int_equal(chunks_used(), 0);
	assert_true(quic_stream_read_reset(s, &err));
	assert_int_equal(err, 7);
	assert_int_equal(s->rx_state, QUIC_STREAM_RX_RESET_READ);
	assert_false(quic_stream_done(s));
	/* our side resets too: RESET_STREAM until acknowledged */
	assert_int_equal(quic_stream_write(s, tmp, 10, false), 10);
	quic_stream_reset(s, 9);
	assert_int_equal(s->tx_state, QUIC_STREAM_TX_RESET_SENT);
	assert_int_equal(chunks_used(), 0);
	assert_true(quic_stream_want_reset(s, &err, &fs));
	assert_int_equal(err, 9);
	assert_int_equal(fs, 0);       /* nothing was sent */
	assert_int_equal(quic_stream_final_size(s), 0);
	quic_stream_reset_sent(s);
	assert_false(quic_stream_want_reset(s, &err, &fs));
	quic_stream_on_reset_lost(s);
	assert_true(quic_stream_want_reset(s, &err, &fs));
	quic_stream_reset_sent(s);
	quic_stream_on_reset_acked(s);
	assert_int_equal(s->tx_state, QUIC_STREAM_TX_RESET_RECVD);
	assert_true(quic_stream_done(s));
	stream_free(s);
}

static void test_stop_sending(void **state)
{
	struct quic_stream *s = stream_new(1, true, 10000);   /* our bidi stream */
	uint64_t off, nb, err, fs;
	size_t len, newb;
	bool fin;

	/* STOP_SENDING received: reset with its code, final size = sent */
	fill(tmp, 1, 0, 6 * Q);
	assert_int_equal(quic_stream_write(s, tmp, 6 * Q, false), 6 * Q);
	assert_true(quic_stream_next_frame(s, 2 * Q, SIZE_MAX, &off, &len, &fin, &newb));
	assert_int_equal(len, 2 * Q);
	assert_int_equal(s->tx_state, QUIC_STREAM_TX_SEND);
	quic_stream_on_stop_sending(s, 0x10c);
	assert_int_equal(s->tx_state, QUIC_STREAM_TX_RESET_SENT);
	assert_true(quic_stream_want_reset(s, &err, &fs));
	assert_int_equal(err, 0x10c);
	assert_int_equal(fs, 2 * Q);
	assert_int_equal(quic_stream_write(s, tmp, 10, false), 0);
	assert_false(quic_stream_next_frame(s, 1000, SIZE_MAX, &off, &len, &fin, &newb));
	assert_int_equal(quic_stream_copy(s, 0, big_out, 10), 0);
	quic_stream_on_acked(s, 0, 2 * Q, false);     /* ignored after the reset */
	quic_stream_on_lost(s, 0, 2 * Q, false);
	assert_int_equal(s->tx_acked, 0);
	quic_stream_on_stop_sending(s, 1);            /* again: no change */
	assert_true(quic_stream_want_reset(s, &err, &fs));
	assert_int_equal(err, 0x10c);
	quic_stream_on_reset_acked(s);

	/* our STOP_SENDING: buffered data dropped, later data counted and
	 * skipped without memory, FIN completes the receive side */
	assert_int_equal(quic_stream_on_frame(s, 0, tmp, Q, false, &nb), 0);
	assert_int_equal(quic_stream_on_frame(s, 3 * Q, tmp + 3 * Q, Q, false, &nb), 0);
	assert_true(chunks_used() > 0);
	quic_stream_stop(s, 0x10b);
	assert_int_equal(chunks_used(), 0);
	assert_true(quic_stream_want_stop_sending(s, &err));
	assert_int_equal(err, 0x10b);
	quic_stream_stop_sending_sent(s);
	assert_false(quic_stream_want_stop_sending(s, &err));
	quic_stream_on_stop_sending_lost(s);
	assert_true(quic_stream_want_stop_sending(s, &err));
	assert_false(quic_stream_want_max_stream_data(s, &nb));
	assert_int_equal(quic_stream_on_frame(s, Q, tmp + Q, 2 * Q, false, &nb), 0);
	assert_int_equal(nb, 0);
	assert_int_equal(chunks_used(), 0);
	assert_int_equal(s->rx_read, 4 * Q);
	assert_int_equal(quic_stream_on_frame(s, 4 * Q, tmp + 4 * Q, 2 * Q, true, &nb), 0);
	assert_int_equal(nb, 2 * Q);
	assert_int_equal(s->rx_state, QUIC_STREAM_RX_DATA_READ);
	assert_false(quic_stream_want_stop_sending(s, &err));
	assert_true(quic_stream_done(s));
	stream_free(s);

	/* STOP_SENDING then RESET_STREAM: straight to Reset Read */
	s = stream_new(0, true, 100);
	quic_stream_stop(s, 5);
	assert_int_equal(quic_stream_on_reset(s, 6, 0, &nb), 0);
	assert_int_equal(s->rx_state, QUIC_STREAM_RX_RESET_READ);
	assert_false(quic_stream_want_stop_sending(s, &err));
	/* STOP_SENDING once everything is acknowledged changes nothing */
	fill(tmp, 0, 0, 10);
	assert_int_equal(quic_stream_write(s, tmp, 10, true), 10);
	assert_true(quic_stream_next_frame(s, 100, SIZE_MAX, &off, &len, &fin, &newb));
	assert_true(fin);
	assert_int_equal(s->tx_state, QUIC_STREAM_TX_DATA_SENT);
	quic_stream_on_acked(s, off, len, fin);
	assert_int_equal(s->tx_state, QUIC_STREAM_TX_DATA_RECVD);
	quic_stream_on_stop_sending(s, 1);
	assert_int_equal(s->tx_state, QUIC_STREAM_TX_DATA_RECVD);
	assert_false(quic_stream_want_reset(s, &err, &fs));
	assert_true(quic_stream_done(s));
	stream_free(s);
}

/* FIN without data, FIN lost alone, out-of-order acks past the range set */
static void test_fin_and_ack_ranges(void **state)
{
	struct quic_stream *s = stream_new(0, false, 1 << 20);
	uint64_t off, at;
	size_t len, nb;
	bool fin;

	assert_int_equal(quic_stream_write(s, NULL, 0, true), 0);
	assert_true(quic_stream_next_frame(s, 0, 0, &off, &len, &fin, &nb));
	assert_true(off == 0 && len == 0 && fin);
	assert_false(quic_stream_next_frame(s, 100, 100, &off, &len, &fin, &nb));
	quic_stream_on_lost(s, 0, 0, true);
	assert_true(quic_stream_next_frame(s, 100, 100, &off, &len, &fin, &nb));
	assert_true(off == 0 && len == 0 && fin);
	quic_stream_on_acked(s, 0, 0, true);
	assert_int_equal(s->tx_state, QUIC_STREAM_TX_DATA_RECVD);
	stream_free(s);

	/* a full window still takes a FIN (but not with a byte it cannot take) */
	s = stream_new(0, false, TXW);
	while (quic_stream_writable(s))
		assert_true(quic_stream_write(s, tmp, sizeof(tmp), false) > 0);
	assert_int_equal(s->tx_written, TXW);
	assert_int_equal(quic_stream_write(s, tmp, 1, true), 0);
	assert_int_equal(quic_stream_write(s, NULL, 0, true), 0);
	assert_true(quic_stream_next_frame(s, TXW, SIZE_MAX, &off, &len, &fin, &nb));
	assert_true(off == 0 && len == TXW && fin);
	stream_free(s);

	/* 20 frames of 100 bytes, every other one acked first: more gaps
	 * than ranges. What the set forgets is sent again. */
	s = stream_new(0, false, 2000);
	fill(tmp, 0, 0, 2000);
	assert_int_equal(quic_stream_write(s, tmp, 2000, true), 2000);
	for (int i = 0; i < 20; i++) {
		assert_true(quic_stream_next_frame(s, 100, SIZE_MAX, &off, &len, &fin, &nb));
		assert_int_equal(off, 100 * i);
		assert_int_equal(fin, i == 19);
	}
	assert_false(quic_stream_blocked(s, &at));
	for (int i = 19; i >= 1; i -= 2)
		quic_stream_on_acked(s, 100 * i, 100, i == 19);
	check_stream(s);
	assert_int_equal(s->tx_acked, 0);
	for (int i = 0; i < 20; i += 2)
		quic_stream_on_acked(s, 100 * i, 100, false);
	for (int guard = 0; s->tx_state != QUIC_STREAM_TX_DATA_RECVD; guard++) {
		assert_true(guard < 100);
		check_stream(s);
		assert_true(quic_stream_next_frame(s, 100, SIZE_MAX, &off, &len, &fin, &nb));
		assert_int_equal(nb, 0);
		assert_int_equal(quic_stream_copy(s, off, big_out, len), len);
		assert_pat(big_out, 0, off, len);
		quic_stream_on_acked(s, off, len, fin);
	}
	assert_int_equal(chunks_used(), 0);
	stream_free(s);

	/* flow control: blocked at the peer's limit, once per limit */
	s = stream_new(0, false, 100);
	assert_int_equal(quic_stream_write(s, tmp, 300, false), 300);
	assert_true(quic_stream_next_frame(s, 1000, SIZE_MAX, &off, &len, &fin, &nb));
	assert_int_equal(len, 100);
	assert_int_equal(nb, 100);
	assert_false(quic_stream_next_frame(s, 1000, SIZE_MAX, &off, &len, &fin, &nb));
	assert_true(quic_stream_blocked(s, &at));
	assert_int_equal(at, 100);
	quic_stream_blocked_sent(s);
	assert_false(quic_stream_blocked(s, &at));
	quic_stream_on_max_stream_data(s, 50);        /* never lowers */
	assert_int_equal(s->tx_limit, 100);
	quic_stream_on_max_stream_data(s, 250);
	assert_false(quic_stream_blocked(s, &at));
	/* the connection allows 70 more */
	assert_true(quic_stream_next_frame(s, 1000, 70, &off, &len, &fin, &nb));
	assert_true(off == 100 && len == 70 && nb == 70);
	assert_false(quic_stream_next_frame(s, 1000, 0, &off, &len, &fin, &nb));
	/* a lost frame goes out again before new data, free of allowance */
	quic_stream_on_lost(s, 0, 100, false);
	assert_true(quic_stream_next_frame(s, 60, 0, &off, &len, &fin, &nb));
	assert_true(off == 0 && len == 60 && nb == 0);
	quic_stream_on_acked(s, 0, 100, false);       /* the first copy arrived after all */
	assert_true(quic_stream_next_frame(s, 1000, 1000, &off, &len, &fin, &nb));
	assert_true(off == 170 && len == 80 && nb == 80);
	assert_true(quic_stream_blocked(s, &at));
	assert_int_equal(at, 250);
	stream_free(s);
}

/* ---- the stream set ---- */

#define RECV QUIC_STREAM_PART_RECV
#define SEND QUIC_STREAM_PART_SEND

static struct quic_stream *get(struct quic_streams *ss, uint64_t id, enum quic_stream_part part,
			       int *err)
{
	return quic_streams_get_or_open(ss, POOL_HANDLE_NONE, id, part, err);
}

static void test_stream_set(void **state)
{
	struct quic_streams ss, s2;
	struct quic_stream *s;
	uint64_t m;
	int err;

	assert_int_equal(quic_streams_init(&ss, true, QUIC_STREAMS_SLOTS, 1), -1);
	assert_int_equal(quic_streams_init(&ss, true, 4, 2), 0);
	/* a peer id opens every lower id of its type */
	s = get(&ss, 8, RECV, &err);
	assert_non_null(s);
	assert_int_equal(err, 0);
	assert_int_equal(s->id, 8);
	assert_int_equal(ss.n_open, 3);
	assert_non_null(quic_streams_find(&ss, 0));
	assert_non_null(quic_streams_find(&ss, 4));
	assert_ptr_equal(get(&ss, 4, QUIC_STREAM_PART_SEND,
						  &err), quic_streams_find(&ss, 4));
	assert_null(get(&ss, 16, RECV, &err));
	assert_int_equal(err, QUIC_STREAM_LIMIT_ERROR);
	assert_non_null(get(&ss, 12, QUIC_STREAM_PART_RECV,
						 &err));
	/* the peer's uni streams: receive only */
	assert_non_null(get(&ss, 6, RECV, &err));
	assert_int_equal(ss.n_open, 6);
	assert_null(get(&ss, 2, SEND, &err));
	assert_int_equal(err, QUIC_STREAM_STATE_ERROR);
	assert_null(get(&ss, 10, RECV, &err));
	assert_int_equal(err, QUIC_STREAM_LIMIT_ERROR);
	/* ours: not opened yet; data on our send-only stream */
	assert_null(get(&ss, 1, RECV, &err));
	assert_int_equal(err, QUIC_STREAM_STATE_ERROR);
	assert_null(get(&ss, 3, SEND, &err));
	assert_int_equal(err, QUIC_STREAM_STATE_ERROR);
	assert_null(get(&ss, 3, RECV, &err));
	assert_int_equal(err, QUIC_STREAM_STATE_ERROR);
	/* opening our own waits for the peer's MAX_STREAMS */
	assert_null(quic_streams_open_local(&ss, POOL_HANDLE_NONE, true));
	assert_true(quic_streams_blocked(&ss, true, &m));
	assert_int_equal(m, 0);
	quic_streams_blocked_sent(&ss, true);
	assert_null(quic_streams_open_local(&ss, POOL_HANDLE_NONE, true));
	assert_false(quic_streams_blocked(&ss, true, &m));   /* once per limit */
	quic_streams_set_peer_params(&ss, 1, 5, 1000, 2000, 3000);
	assert_int_equal(quic_streams_find(&ss, 4)->tx_limit, 1000);
	assert_int_equal(quic_streams_find(&ss, 6)->tx_limit, 0);
	s = quic_streams_open_local(&ss, POOL_HANDLE_NONE, true);
	assert_non_null(s);
	assert_int_equal(s->id, 1);
	assert_int_equal(s->tx_limit, 2000);
	assert_null(quic_streams_open_local(&ss, POOL_HANDLE_NONE, true));
	assert_true(quic_streams_blocked(&ss, true, &m));
	assert_int_equal(m, 1);
	assert_int_equal(quic_streams_on_max_streams(&ss, true, (UINT64_C(1) << 60) + 1),
			 QUIC_FRAME_ENCODING_ERROR);
	assert_int_equal(quic_streams_on_max_streams(&ss, true, 3), 0);
	assert_false(quic_streams_blocked(&ss, true, &m));
	assert_int_equal(quic_streams_on_max_streams(&ss, true, 2), 0);    /* ignored */
	assert_int_equal(ss.max[1], 3);
	assert_int_equal(quic_streams_open_local(&ss, POOL_HANDLE_NONE, true)->id, 5);
	s = quic_streams_open_local(&ss, POOL_HANDLE_NONE, false);
	assert_int_equal(s->id, 3);
	assert_int_equal(s->tx_limit, 3000);
	assert_int_equal(s->rx_state, QUIC_STREAM_RX_DATA_READ);
	assert_ptr_equal(get(&ss, 3, QUIC_STREAM_PART_SEND,
						  &err), s);
	assert_null(get(&ss, 9, SEND, &err));
	assert_int_equal(err, QUIC_STREAM_STATE_ERROR);

	/* closed streams: frames ignored; MAX_STREAMS once half has closed */
	quic_streams_close(&ss, quic_streams_find(&ss, 0));
	assert_null(get(&ss, 0, RECV, &err));
	assert_int_equal(err, 0);
	assert_false(quic_streams_want_max_streams(&ss, true, &m));
	quic_streams_close(&ss, quic_streams_find(&ss, 4));
	assert_true(quic_streams_want_max_streams(&ss, true, &m));
	assert_int_equal(m, 6);
	quic_streams_max_streams_sent(&ss, true, m);
	assert_false(quic_streams_want_max_streams(&ss, true, &m));
	quic_streams_on_max_streams_lost(&ss, true);
	assert_true(quic_streams_want_max_streams(&ss, true, &m));
	assert_int_equal(m, 6);
	quic_streams_max_streams_sent(&ss, true, m);
	s = get(&ss, 20, RECV, &err);
	assert_non_null(s);
	assert_non_null(quic_streams_find(&ss, 16));
	assert_null(get(&ss, 24, RECV, &err));
	assert_int_equal(err, QUIC_STREAM_LIMIT_ERROR);
	quic_streams_close(&ss, quic_streams_find(&ss, 2));
	assert_true(quic_streams_want_max_streams(&ss, false, &m));
	assert_int_equal(m, 3);
	quic_streams_deinit(&ss);
	assert_int_equal(pool_stats_of(&pool_stream)->in_use, 0);

	/* slots kept for the peer's credit are not ours to take */
	assert_int_equal(quic_streams_init(&s2, false, QUIC_STREAMS_SLOTS - 1, 1), 0);
	quic_streams_set_peer_params(&s2, 100, 100, 1, 1, 1);
	assert_null(quic_streams_open_local(&s2, POOL_HANDLE_NONE, true));
	assert_non_null(get(&s2,
						 quic_stream_id_make(QUIC_STREAMS_SLOTS - 2, false,
								     true),
						 RECV, &err));
	assert_non_null(get(&s2, 3, QUIC_STREAM_PART_RECV,
						 &err));
	assert_int_equal(s2.n_open, QUIC_STREAMS_SLOTS);
	assert_null(quic_streams_open_local(&s2, POOL_HANDLE_NONE, false));
	quic_streams_close(&s2, quic_streams_find(&s2, 1));
	/* one slot free: ours, or the peer's once MAX_STREAMS grows */
	assert_true(quic_streams_want_max_streams(&s2, true, &m) == (QUIC_STREAMS_SLOTS <= 2));
	assert_non_null(quic_streams_open_local(&s2, POOL_HANDLE_NONE, false));
	assert_false(quic_streams_want_max_streams(&s2, true, &m));
	quic_streams_deinit(&s2);
}

/* ---- two sets talking: requests and responses over reliable delivery,
 * where whatever cannot be kept is lost and sent again ---- */

#define PAIR_REQS 6
#define REQ_LEN 3000
#define RESP_LEN 7000

struct pair_app {
	struct quic_streams *peer;
	bool server;
	uint64_t in[PAIR_REQS], out[PAIR_REQS];
	bool done[PAIR_REQS];
};

static void pump_one(void *ctx, struct quic_stream *s)
{
	struct pair_app *a = ctx;
	uint8_t buf[1000];
	uint64_t off, nb, lim;
	size_t len, newb;
	bool fin;
	int err, r;

	while (quic_stream_next_frame(s, sizeof(buf), SIZE_MAX, &off, &len, &fin, &newb)) {
		struct quic_stream *p;

		assert_int_equal(quic_stream_copy(s, off, buf, len), len);
		p = get(a->peer, s->id, RECV, &err);
		assert_true(err == 0 || err == QUIC_STREAM_DROPPED);
		r = p ? quic_stream_on_frame(p, off, buf, len, fin, &nb) : err;
		assert_true(r == 0 || r == QUIC_STREAM_DROPPED);
		if (r == QUIC_STREAM_DROPPED)
			quic_stream_on_lost(s, off, len, fin);
		else
			quic_stream_on_acked(s, off, len, fin);
	}
	/* credit back the other way */
	if (quic_stream_want_max_stream_data(s, &lim)) {
		struct quic_stream *p = quic_streams_find(a->peer, s->id);

		quic_stream_max_stream_data_sent(s, lim);
		if (p)
			quic_stream_on_max_stream_data(p, lim);
	}
}

/* The app on one side: read, check, answer, close. */
static void app_one(void *ctx, struct quic_stream *s)
{
	struct pair_app *a = ctx;
	uint64_t i = s->id >> 2;
	uint64_t in_len = a->server ? REQ_LEN : RESP_LEN, out_len = a->server ? RESP_LEN : REQ_LEN;
	uint8_t buf[1500];
	size_t n;
	bool fin;

	assert_true(i < PAIR_REQS);
	n = quic_stream_read(s, buf, sizeof(buf), &fin);
	assert_pat(buf, s->id + a->server, a->in[i], n);
	a->in[i] += n;
	assert_true(a->in[i] <= in_len);
	assert_true(!fin || a->in[i] == in_len);
	if ((!a->server || a->in[i] == in_len) && a->out[i] < out_len) {
		size_t want = (size_t)(out_len - a->out[i]);

		if (want > sizeof(buf))
			want = sizeof(buf);
		fill(buf, s->id + !a->server, a->out[i], want);
		a->out[i] += quic_stream_write(s, buf, want, a->out[i] + want == out_len);
	}
}

static struct quic_streams *pair_self[2];

static void app_close(void *ctx, struct quic_stream *s)
{
	struct pair_app *a = ctx;

	if (quic_stream_done(s)) {
		a->done[s->id >> 2] = true;
		quic_streams_close(pair_self[a->server], s);
	}
}

/* Runs the exchange to the end; false if it did not finish in time. */
static bool run_pair(void)
{
	static struct quic_streams cs, ssv;
	struct pair_app c = { .peer = &ssv, .server = false }, sv = { .peer = &cs, .server = true };
	unsigned opened = 0;
	uint64_t m;

	pair_self[0] = &cs;
	pair_self[1] = &ssv;
	assert_int_equal(quic_streams_init(&cs, false, 0, 0), 0);
	assert_int_equal(quic_streams_init(&ssv, true, 2, 0), 0);
	quic_streams_set_peer_params(&cs, 2, 0, W, W, W);
	quic_streams_set_peer_params(&ssv, 0, 0, W, W, W);
	for (int round = 0; round < 5000; round++) {
		bool all = true;

		if (opened < PAIR_REQS && quic_streams_open_local(&cs, POOL_HANDLE_NONE, true))
			opened++;
		quic_streams_for_each(&cs, app_one, &c);
		quic_streams_for_each(&cs, pump_one, &c);
		quic_streams_for_each(&ssv, app_one, &sv);
		quic_streams_for_each(&ssv, pump_one, &sv);
		quic_streams_for_each(&cs, app_close, &c);
		quic_streams_for_each(&ssv, app_close, &sv);
		if (quic_streams_want_max_streams(&ssv, true, &m)) {
			quic_streams_max_streams_sent(&ssv, true, m);
			assert_int_equal(quic_streams_on_max_streams(&cs, true, m), 0);
		}
		for (int i = 0; i < PAIR_REQS; i++)
			all &= c.done[i] && sv.done[i];
		if (all) {
			assert_int_equal(cs.n_open + ssv.n_open, 0);
			quic_streams_deinit(&cs);
			quic_streams_deinit(&ssv);
			return true;
		}
	}
	quic_streams_deinit(&cs);
	quic_streams_deinit(&ssv);
	return false;
}

static void test_pair_exchange(void **state)
{
	assert_true(run_pair());
	assert_int_equal(pool_total_in_use(), 0);
}

/* Every allocation of the exchange fails once, in turn. */
static void test_fault_injection(void **state)
{
	uint32_t n;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION))
		skip();
	for (n = 1; n < 2000; n++) {
		pool_fault_arm(n);
		assert_true(run_pair());
		bool fired = pool_fault_fired();

		pool_fault_arm(0);
		assert_int_equal(pool_total_in_use(), 0);
		if (!fired)
			break;
	}
	assert_true(n > 10);
	assert_true(n < 2000);
}

/* ---- pools run dry ---- */

static void *held[CONFIG_POOL_STREAM_CHUNKS > N_STREAM_BLOCKS ? CONFIG_POOL_STREAM_CHUNKS
							       : N_STREAM_BLOCKS];

/* Takes every free block of p but keep into held[n...]; returns the
 * new count. */
static unsigned drain(struct pool *p, unsigned keep, unsigned n)
{
	while (pool_stats_of(p)->capacity - pool_stats_of(p)->in_use > keep)
		held[n++] = pool_alloc(p);
	return n;
}

static void refill(struct pool *p, unsigned n)
{
	while (n)
		pool_free(p, held[--n]);
}

static void test_exhaustion(void **state)
{
	struct quic_stream *tx = stream_new(0, false, 1 << 20), *rx = stream_new(0, true, 0);
	struct quic_streams ss;
	uint64_t nb, lim, off;
	unsigned h;
	size_t n;
	bool fin;
	int err;

	/* no chunk: short writes, dropped frames, no credit */
	fill(tmp, 0, 0, W);
	h = drain(&pool_chunk, 0, 0);
	assert_int_equal(quic_stream_write(tx, tmp, 100, true), 0);
	assert_int_equal(quic_stream_on_frame(rx, 0, tmp, 100, false, &nb), QUIC_STREAM_DROPPED);
	assert_int_equal(nb, 100);
	assert_int_equal(quic_stream_readable(rx), 0);
	pool_free(&pool_chunk, held[--h]);
	n = quic_stream_write(tx, tmp, 3 * CH, true);
	assert_int_equal(n, CH);                      /* one chunk, no FIN */
	assert_true(quic_stream_writable(tx) > 0);
	assert_int_equal(quic_stream_on_frame(rx, 0, tmp, 100, false, &nb), QUIC_STREAM_DROPPED);
	assert_int_equal(nb, 0);
	refill(&pool_chunk, h);
	assert_int_equal(quic_stream_on_frame(rx, 0, tmp, W, false, &nb), 0);
	n = quic_stream_read(rx, big_out, W, &fin);
	assert_int_equal(n, W);
	assert_pat(big_out, 0, 0, W);
	h = drain(&pool_chunk, 0, 0);
	assert_false(quic_stream_want_max_stream_data(rx, &lim));  /* no memory for more */
	refill(&pool_chunk, h);
	assert_true(quic_stream_want_max_stream_data(rx, &lim));
	assert_int_equal(lim, 2 * W);
	stream_free(tx);
	stream_free(rx);

	/* too many gaps: the piece that needs a fifth range is dropped */
	rx = stream_new(0, true, 0);
	for (int i = 0; i < QUIC_STREAM_RANGES; i++)
		assert_int_equal(quic_stream_on_frame(rx, 10 + 20 * i, tmp, 10, false, &nb), 0);
	off = 10 + 20 * QUIC_STREAM_RANGES;
	assert_int_equal(quic_stream_on_frame(rx, off, tmp, 10, false, &nb), QUIC_STREAM_DROPPED);
	assert_int_equal(nb, 20);                     /* counted all the same */
	assert_int_equal(quic_stream_on_frame(rx, 0, tmp, 200, false, &nb), 0);
	assert_int_equal(quic_stream_readable(rx), 200);
	stream_free(rx);

	/* no stream block: nothing opens, MAX_STREAMS stays */
	assert_int_equal(quic_streams_init(&ss, true, 4, 2), 0);
	quic_streams_set_peer_params(&ss, 10, 10, 100, 100, 100);
	h = drain(&pool_stream, 2, 0);
	assert_null(get(&ss, 8, RECV, &err));
	assert_int_equal(err, QUIC_STREAM_DROPPED);
	assert_int_equal(ss.n_open, 2);               /* 0 and 4 opened, 8 could not */
	assert_null(quic_streams_open_local(&ss, POOL_HANDLE_NONE, true));
	quic_streams_close(&ss, quic_streams_find(&ss, 0));
	quic_streams_close(&ss, quic_streams_find(&ss, 4));
	h = drain(&pool_stream, 0, h);
	assert_false(quic_streams_want_max_streams(&ss, true, &lim));
	refill(&pool_stream, h);
	assert_true(quic_streams_want_max_streams(&ss, true, &lim));
	assert_int_equal(lim, 6);
	assert_null(get(&ss, 4, RECV, &err));
	assert_int_equal(err, 0);                     /* closed: ignored */
	assert_non_null(get(&ss, 8, QUIC_STREAM_PART_RECV,
						 &err));
	assert_non_null(quic_streams_open_local(&ss, POOL_HANDLE_NONE, true));
	quic_streams_deinit(&ss);

	/* the exchange with the chunk pool nearly dry still completes */
	h = drain(&pool_chunk, 3 * QUIC_STREAM_TX_CHUNKS, 0);
	assert_true(run_pair());
	refill(&pool_chunk, h);
}

/* ---- randomized operations on a stream set ---- */

#define SENT_MAX 256

struct sent_frame {
	uint64_t id, off;
	size_t len;
	bool fin;
};

static struct sent_frame sent[SENT_MAX];

static struct quic_stream *pick(struct quic_streams *ss)
{
	for (int k = 0; k < 4; k++) {
		pool_handle_t h = ss->slot[rnd() % QUIC_STREAMS_SLOTS];
		struct quic_stream *s = pool_get(&pool_stream, h);

		if (s)
			return s;
	}
	return NULL;
}

static void check_set(struct quic_streams *ss)
{
	unsigned open = 0, chunks = 0;
	uint64_t credit = 0;

	for (unsigned i = 0; i < QUIC_STREAMS_SLOTS; i++) {
		struct quic_stream *s = pool_get(&pool_stream, ss->slot[i]);

		assert_true(s || pool_handle_is_none(ss->slot[i]));
		if (!s)
			continue;
		open++;
		chunks += check_stream(s);
		assert_true((s->id >> 2) < ss->next[s->id & 3]);
	}
	assert_int_equal(open, ss->n_open);
	assert_int_equal(open, pool_stats_of(&pool_stream)->in_use);
	assert_int_equal(chunks, chunks_used());
	for (unsigned t = 0; t < 4; t++) {
		if (quic_stream_id_is_local(t, ss->is_server))
			continue;
		assert_true(ss->next[t] <= ss->max[t]);
		credit += ss->max[t] - ss->next[t];
	}
	assert_true(ss->n_open + credit <= QUIC_STREAMS_SLOTS);
	assert_int_equal(pool_stats_of(&pool_stream)->stale, 0);
}

static uint64_t rnd_off(const struct quic_stream *s)
{
	switch (rnd() % 10) {
	case 0:
		return rnd64() & ((UINT64_C(1) << 62) - 1);
	case 1:
		return s->rx_limit + rnd() % 100;
	case 2:
		return s->rx_highest ^ (UINT64_C(1) << (rnd() % 63));   /* a bit flip */
	case 3:
	case 4:
	case 5:
		return s->rx_read + quic_stream_readable(s);
	default:
		return s->rx_read + rnd() % (W + 200) - 100 * (s->rx_read >= 100);
	}
}

static void test_random_ops(void **state)
{
	struct quic_streams ss;
	unsigned nsent = 0, errors = 0, frames = 0, bytes_read = 0;
	uint64_t m, nb, off, at, err;
	size_t len, newb;
	bool fin;

	rng = 2024;
	assert_int_equal(quic_streams_init(&ss, true, 6, 3), 0);
	quic_streams_set_peer_params(&ss, 4, 4, 3000, 5000, 4000);
	for (int op = 0; op < 40000; op++) {
		struct quic_stream *s = pick(&ss);
		unsigned k = rnd() % 20;

		if (k == 0 || (!s && k < 10)) {
			unsigned t = rnd() % 4;
			uint64_t ix = ss.next[t] + rnd() % 3 - (ss.next[t] > 0);
			uint64_t id = quic_stream_id_make(ix, t & 2, t & 1);

			if (rnd() % 2)
				id = rnd() % 8 ? rnd() % 96 : rnd64() & ((UINT64_C(1) << 62) - 1);
			enum quic_stream_part part = rnd() % 2 ? QUIC_STREAM_PART_RECV
							       : QUIC_STREAM_PART_SEND;
			int e;
			struct quic_stream *g = get(&ss, id,
									 part, &e);

			assert_true(!g || (g->id == id && e == 0));
			assert_true(g || e == 0 || e == QUIC_STREAM_LIMIT_ERROR ||
				    e == QUIC_STREAM_STATE_ERROR);
		} else if (k == 1) {
			quic_streams_open_local(&ss, POOL_HANDLE_NONE, rnd() % 2);
		} else if (!s) {
			continue;
		} else if (k <= 4) {     /* STREAM, sometimes mutated */
			bool huge = false;

			off = rnd_off(s);
			len = rnd() % 4 ? rnd() % 1500 : rnd() % 4096;
			fin = rnd() % 64 == 0;
			if (quic_stream_id_is_uni(s->id) && quic_stream_id_is_local(s->id, true))
				continue;     /* the set refuses it: STREAM_STATE_ERROR */
			if (rnd() % 16 == 0)
				len = (size_t)(rnd64() >> (rnd() % 64));
			if (rnd() % 16 == 0 && s->rx_state != QUIC_STREAM_RX_RECV)
				off = s->rx_final - (len < s->rx_final ? len : s->rx_final);
			/* a length past our buffer only where it must be refused */
			if (len > sizeof(tmp)) {
				if (off + len >= off && off + len <= s->rx_limit)
					len = sizeof(tmp);
				else
					huge = true;
			}
			if (!huge)
				fill(tmp, s->id, off, len);
			int r = quic_stream_on_frame(s, off, tmp, len, fin, &nb);

			assert_true(!huge || r > 0);
			assert_true(r == 0 || r == QUIC_STREAM_DROPPED ||
				    r == QUIC_FLOW_CONTROL_ERROR || r == QUIC_FINAL_SIZE_ERROR);
			assert_true(r <= 0 || nb == 0);
			errors += r > 0;
			frames += r == 0;
		} else if (k == 5) {
			uint64_t before = s->rx_read;
			size_t n = quic_stream_read(s, tmp, rnd() % sizeof(tmp), &fin);

			assert_pat(tmp, s->id, before, n);
			bytes_read += (unsigned)n;
		} else if (k == 6) {
			uint64_t fs = rnd() % 4 ? s->rx_highest + rnd() % 50 : rnd_off(s);

			if (rnd() % 4 == 0)
				quic_stream_on_reset(s, rnd(), fs, &nb);
		} else if (k <= 8) {
			size_t want = rnd() % 3000;

			fill(tmp, s->id, s->tx_written, want);
			quic_stream_write(s, tmp, want, rnd() % 8 == 0);
		} else if (k <= 11) {
			size_t maxd = rnd() % 1400;

			size_t allow = rnd() % 3000;

			if (quic_stream_next_frame(s, maxd, allow, &off, &len, &fin, &newb)) {
				assert_true(len <= maxd);
				assert_int_equal(quic_stream_copy(s, off, tmp, len), len);
				assert_pat(tmp, s->id, off, len);
				if (nsent < SENT_MAX)
					sent[nsent++] = (struct sent_frame){ s->id, off, len, fin };
			}
		} else if (k <= 14) {
			unsigned i;
			struct quic_stream *t;

			if (!nsent)
				continue;
			i = rnd() % nsent;
			t = quic_streams_find(&ss, sent[i].id);
			if (t && rnd() % 3)
				quic_stream_on_acked(t, sent[i].off, sent[i].len, sent[i].fin);
			else if (t)
				quic_stream_on_lost(t, sent[i].off, sent[i].len, sent[i].fin);
			sent[i] = sent[--nsent];
		} else if (k == 15) {
			switch (rnd() % 8) {
			case 0:
				quic_stream_on_max_stream_data(s, s->tx_limit + rnd() % 3000);
				break;
			case 1:
				quic_stream_stop(s, rnd());
				break;
			case 2:
				if (rnd() % 4 == 0)
					quic_stream_reset(s, rnd());
				break;
			case 3:
				if (rnd() % 4 == 0)
					quic_stream_on_stop_sending(s, rnd());
				break;
			case 4:
				quic_stream_read_reset(s, &err);
				break;
			case 5:
				if (quic_stream_want_reset(s, &err, &nb)) {
					assert_int_equal(nb, s->tx_sent);
					quic_stream_reset_sent(s);
					if (rnd() % 2)
						quic_stream_on_reset_acked(s);
					else
						quic_stream_on_reset_lost(s);
				}
				break;
			case 6:
				if (quic_stream_want_stop_sending(s, &err)) {
					quic_stream_stop_sending_sent(s);
					if (rnd() % 3 == 0)
						quic_stream_on_stop_sending_lost(s);
				}
				break;
			default:
				if (quic_stream_blocked(s, &at))
					quic_stream_blocked_sent(s);
				break;
			}
		} else if (k == 16) {
			if (quic_stream_want_max_stream_data(s, &m)) {
				assert_true(m <= s->rx_read + W);
				quic_stream_max_stream_data_sent(s, m);
				if (rnd() % 4 == 0)
					quic_stream_on_max_stream_data_lost(s);
			}
		} else if (k == 17) {
			if (quic_stream_done(s) || rnd() % 3 == 0)
				quic_streams_close(&ss, s);
		} else if (k == 18) {
			bool bidi = rnd() % 2;

			if (quic_streams_want_max_streams(&ss, bidi, &m)) {
				quic_streams_max_streams_sent(&ss, bidi, m);
				if (rnd() % 4 == 0)
					quic_streams_on_max_streams_lost(&ss, bidi);
			}
		} else {
			bool bidi = rnd() % 2;

			assert_int_equal(quic_streams_on_max_streams(&ss, bidi, rnd() % 64), 0);
			if (quic_streams_blocked(&ss, bidi, &m))
				quic_streams_blocked_sent(&ss, bidi);
		}
		check_set(&ss);
	}
	if (errors < 100 || frames < 300 || bytes_read < 10000 || ss.closed[0] < 10)
		fail_msg("errors %u frames %u read %u closed %u", errors, frames, bytes_read,
			 (unsigned)ss.closed[0]);
	quic_streams_deinit(&ss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_ids),
		UNIT_TEST(test_send_ack_loss_roundtrip),
		UNIT_TEST(test_receive_random_pieces),
		UNIT_TEST(test_flow_and_final_size_errors),
		UNIT_TEST(test_reset_stream_received),
		UNIT_TEST(test_stop_sending),
		UNIT_TEST(test_fin_and_ack_ranges),
		UNIT_TEST(test_stream_set),
		UNIT_TEST(test_pair_exchange),
		UNIT_TEST(test_fault_injection),
		UNIT_TEST(test_exhaustion),
		UNIT_TEST(test_random_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
