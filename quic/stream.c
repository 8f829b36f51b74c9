/* quic/stream: see quic/stream.h.
 *
 * Both directions keep their data in a fixed array of chunk pointers
 * whose first entry starts at a "base": the read offset (receive) or the
 * acknowledged prefix (send) rounded down to a chunk. When the base moves
 * on, the front chunks are freed and the array shifts. Byte ranges are
 * kept relative to the base in 32 bits (a window is at most a few
 * hundred KB), sorted, disjoint and not adjacent, a few per set:
 *   rx_have  received, not yet read: a piece that would need one range
 *            too many is dropped (the peer sends it again);
 *   tx_lost  to send again: when full, the nearest ranges merge (sending
 *            a few bytes twice is harmless);
 *   tx_ackd  acknowledged above the prefix: when full, the highest range
 *            is forgotten and marked lost, so it is sent and acked again
 *            instead of holding the prefix back forever.
 */
#include <string.h>

#include "lib/pool.h"
#include "quic/stream.h"

#define CHUNK ((uint64_t)CONFIG_POOL_STREAM_CHUNK_SIZE)
#define QUIC_MAX_OFFSET ((UINT64_C(1) << 62) - 1)  /* RFC 9000 19.8 */
#define QUIC_MAX_STREAMS_COUNT (UINT64_C(1) << 60)  /* RFC 9000 19.11 */
#define NR ((uint8_t)QUIC_STREAM_RANGES)

BUILD_ASSERT((uint64_t)QUIC_STREAM_TX_WINDOW < UINT32_MAX / 2 &&
	     (uint64_t)QUIC_STREAM_RX_WINDOW < UINT32_MAX / 2, "stream windows must fit 32 bits");
BUILD_ASSERT(QUIC_STREAMS_SLOTS <= UINT16_MAX, "n_open is 16 bits");

enum {
	QUIC_STREAM_F_RX_STOPPED   = 1 << 0,  /* the app gave up reading */
	QUIC_STREAM_F_STOP_PENDING = 1 << 1,  /* STOP_SENDING to send */
	QUIC_STREAM_F_MSD_LOST     = 1 << 2,  /* MAX_STREAM_DATA to send again */
	QUIC_STREAM_F_FIN          = 1 << 3,  /* the app wrote FIN */
	QUIC_STREAM_F_FIN_SENT     = 1 << 4,
	QUIC_STREAM_F_FIN_LOST     = 1 << 5,
	QUIC_STREAM_F_FIN_ACKED    = 1 << 6,
	QUIC_STREAM_F_RESET_PENDING = 1 << 7, /* RESET_STREAM to send */
	QUIC_STREAM_F_BLOCKED_SENT = 1 << 8,  /* STREAM_DATA_BLOCKED at tx_limit */
};

/* per local type t: STREAMS_BLOCKED due / sent at the current limit;
 * per direction (0 bidi, 1 uni): our MAX_STREAMS was lost */
#define QUIC_STREAMS_F_BLOCKED(t)  (1u << (t))
#define QUIC_STREAMS_F_REPORTED(t) (1u << (4 + (t)))
#define QUIC_STREAMS_F_MS_LOST(u)  (1u << (8 + (u)))

/* ---- range sets ---- */

/* Adds [lo, hi). When a new range is needed and the set is full: false,
 * or with widen, merge with the nearest range (covering the gap). */
static bool rs_add(struct quic_stream_range *r, uint8_t *np, uint32_t lo, uint32_t hi, bool widen)
{
	int n = *np, i, j;

	if (lo >= hi)
		return true;
	for (i = 0; i < n && r[i].hi < lo; i++)
		;
	for (j = i; j < n && r[j].lo <= hi; j++)
		;
	if (i == j) {
		if (n < NR) {
			memmove(&r[i + 1], &r[i], (size_t)(n - i) * sizeof(*r));
			r[i].lo = lo;
			r[i].hi = hi;
			*np = (uint8_t)(n + 1);
			return true;
		}
		if (!widen)
			return false;
		if (i == n || (i > 0 && lo - r[i - 1].hi <= r[i].lo - hi))
			i--;
		j = i + 1;
	}
	if (r[i].lo < lo)
		lo = r[i].lo;
	if (r[j - 1].hi > hi)
		hi = r[j - 1].hi;
	memmove(&r[i + 1], &r[j], (size_t)(n - j) * sizeof(*r));
	*np = (uint8_t)(n - (j - i - 1));
	r[i].lo = lo;
	r[i].hi = hi;
	return true;
}

/* Removes [lo, hi). A range that would split in two while the set is
 * full stays whole (only used where too much is safe). */
static void rs_remove(struct quic_stream_range *r, uint8_t *np, uint32_t lo, uint32_t hi)
{
	int n = *np;

	for (int i = 0; i < n && lo < hi; i++) {
		if (r[i].hi <= lo || r[i].lo >= hi)
			continue;
		if (r[i].lo < lo && r[i].hi > hi) {
			if (n < NR) {
				memmove(&r[i + 2], &r[i + 1], (size_t)(n - i - 1) * sizeof(*r));
				r[i + 1].lo = hi;
				r[i + 1].hi = r[i].hi;
				r[i].hi = lo;
				n++;
			}
			break;
		}
		if (r[i].lo < lo) {
			r[i].hi = lo;
		} else if (r[i].hi > hi) {
			r[i].lo = hi;
		} else {
			memmove(&r[i], &r[i + 1], (size_t)(n - i - 1) * sizeof(*r));
			n--;
			i--;
		}
	}
	*np = (uint8_t)n;
}

/* The base moved up by delta. */
static void rs_rebase(struct quic_stream_range *r, uint8_t *np, uint64_t delta)
{
	int n = *np, k = 0;

	for (int i = 0; i < n; i++) {
		if (r[i].hi <= delta)
			continue;
		r[k].lo = r[i].lo > delta ? r[i].lo - (uint32_t)delta : 0;
		r[k].hi = r[i].hi - (uint32_t)delta;
		k++;
	}
	*np = (uint8_t)k;
}

/* ---- chunks ---- */

static void chunks_drop_front(struct chunk_block **c, unsigned n, uint64_t k)
{
	if (k > n)
		k = n;
	for (unsigned i = 0; i < k; i++)
		if (c[i])
			pool_free(&pool_chunk, c[i]);
	memmove(c, c + k, (n - k) * sizeof(*c));
	memset(c + (n - k), 0, k * sizeof(*c));
}

static void chunks_put(struct chunk_block **c, uint64_t rel, const uint8_t *src, size_t len)
{
	while (len) {
		size_t o = (size_t)(rel % CHUNK), k = (size_t)CHUNK - o;

		if (k > len)
			k = len;
		memcpy(c[rel / CHUNK]->data + o, src, k);
		src += k;
		rel += k;
		len -= k;
	}
}

/* Copies what the chunks hold; stops at a missing chunk. */
static size_t chunks_get(struct chunk_block *const *c, uint64_t rel, uint8_t *dst, size_t len)
{
	size_t done = 0;

	while (done < len) {
		const struct chunk_block *b = c[rel / CHUNK];
		size_t o = (size_t)(rel % CHUNK), k = (size_t)CHUNK - o;

		if (!b)
			break;
		if (k > len - done)
			k = len - done;
		memcpy(dst + done, b->data + o, k);
		rel += k;
		done += k;
	}
	return done;
}

/* ---- stream life ---- */

void quic_stream_init(struct quic_stream *s, uint64_t id, pool_handle_t conn, bool is_server,
		      uint64_t tx_limit)
{
	bool local = quic_stream_id_is_local(id, is_server);

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->conn = conn;
	s->rx_limit = QUIC_STREAM_RX_WINDOW;
	s->tx_limit = tx_limit;
	s->rx_state = QUIC_STREAM_RX_RECV;
	s->tx_state = QUIC_STREAM_TX_READY;
	if (quic_stream_id_is_uni(id) && local) {   /* send only */
		s->rx_limit = 0;
		s->rx_state = QUIC_STREAM_RX_DATA_READ;
	} else if (quic_stream_id_is_uni(id)) {     /* receive only */
		s->tx_limit = 0;
		s->tx_state = QUIC_STREAM_TX_DATA_RECVD;
	}
}

void quic_stream_deinit(struct quic_stream *s)
{
	chunks_drop_front(s->rx_chunk, QUIC_STREAM_RX_CHUNKS, QUIC_STREAM_RX_CHUNKS);
	chunks_drop_front(s->tx_chunk, QUIC_STREAM_TX_CHUNKS, QUIC_STREAM_TX_CHUNKS);
	s->rx_n = s->lost_n = s->ackd_n = 0;
}

bool quic_stream_done(const struct quic_stream *s)
{
	return (s->rx_state == QUIC_STREAM_RX_DATA_READ ||
		s->rx_state == QUIC_STREAM_RX_RESET_READ) &&
	       (s->tx_state == QUIC_STREAM_TX_DATA_RECVD ||
		s->tx_state == QUIC_STREAM_TX_RESET_RECVD);
}

/* ---- receive side ---- */

static uint64_t rx_base(const struct quic_stream *s)
{
	return s->rx_read - s->rx_read % CHUNK;
}

/* rx_have[0] never starts below the read offset */
static uint64_t rx_contig(const struct quic_stream *s)
{
	uint64_t base = rx_base(s);

	if (s->rx_n && base + s->rx_have[0].lo == s->rx_read)
		return base + s->rx_have[0].hi;
	return s->rx_read;
}

static void rx_finish(struct quic_stream *s, enum quic_stream_rx_state st)
{
	chunks_drop_front(s->rx_chunk, QUIC_STREAM_RX_CHUNKS, QUIC_STREAM_RX_CHUNKS);
	s->rx_n = 0;
	s->flags &= (uint16_t)~QUIC_STREAM_F_STOP_PENDING;
	s->rx_state = (uint8_t)st;
}

static size_t rx_consume(struct quic_stream *s, uint8_t *out, size_t cap)
{
	uint64_t base = rx_base(s), nb, avail = rx_contig(s) - s->rx_read;
	size_t n = avail < cap ? (size_t)avail : cap;

	if (n) {
		if (out)
			n = chunks_get(s->rx_chunk, s->rx_read - base, out, n);
		s->rx_read += n;
		nb = rx_base(s);
		if (nb != base) {
			chunks_drop_front(s->rx_chunk, QUIC_STREAM_RX_CHUNKS, (nb - base) / CHUNK);
			rs_rebase(s->rx_have, &s->rx_n, nb - base);
		}
		rs_remove(s->rx_have, &s->rx_n, 0, (uint32_t)(s->rx_read - nb));
	}
	if (s->rx_state == QUIC_STREAM_RX_DATA_RECVD && s->rx_read == s->rx_final)
		rx_finish(s, QUIC_STREAM_RX_DATA_READ);
	return n;
}

/* Keeps what it can of [off, off + len): below the read offset is old,
 * beyond the window cannot be credited. false: a missing chunk or range
 * made it drop bytes it needed. */
static bool rx_store(struct quic_stream *s, uint64_t off, const uint8_t *data, size_t len)
{
	uint64_t base = rx_base(s), end = off + len, wend = base + QUIC_STREAM_RX_WINDOW;
	bool stopped = s->flags & QUIC_STREAM_F_RX_STOPPED, all = true;
	uint32_t lo, hi;

	if (off < s->rx_read) {
		if (end <= s->rx_read)
			return true;
		data += s->rx_read - off;
		off = s->rx_read;
	}
	if (end > wend)
		end = wend;
	if (off >= end)
		return true;
	lo = (uint32_t)(off - base);
	hi = (uint32_t)(end - base);
	if (!stopped) {
		for (uint32_t i = lo / (uint32_t)CHUNK; i <= (hi - 1) / (uint32_t)CHUNK; i++) {
			if (!s->rx_chunk[i] && !(s->rx_chunk[i] = pool_alloc(&pool_chunk))) {
				hi = i * (uint32_t)CHUNK;
				all = false;
				break;
			}
		}
		if (hi <= lo)
			return false;
	}
	if (!rs_add(s->rx_have, &s->rx_n, lo, hi, false))
		return false;
	if (!stopped)
		chunks_put(s->rx_chunk, lo, data, hi - lo);
	return all;
}

int quic_stream_on_frame(struct quic_stream *s, uint64_t off, const uint8_t *data, size_t len,
			 bool fin, uint64_t *new_bytes)
{
	uint64_t end = off + len;
	bool kept;

	*new_bytes = 0;
	if (off > QUIC_MAX_OFFSET || len > QUIC_MAX_OFFSET - off)
		return QUIC_FLOW_CONTROL_ERROR;
	if (s->rx_state != QUIC_STREAM_RX_RECV) {    /* final size known */
		if (end > s->rx_final || (fin && end != s->rx_final))
			return QUIC_FINAL_SIZE_ERROR;
	} else if (fin && end < s->rx_highest) {
		return QUIC_FINAL_SIZE_ERROR;
	}
	if (end > s->rx_limit)
		return QUIC_FLOW_CONTROL_ERROR;
	if (end > s->rx_highest) {
		*new_bytes = end - s->rx_highest;
		s->rx_highest = end;
	}
	if (fin && s->rx_state == QUIC_STREAM_RX_RECV) {
		s->rx_final = end;
		s->rx_state = QUIC_STREAM_RX_SIZE_KNOWN;
	}
	if (s->rx_state != QUIC_STREAM_RX_RECV && s->rx_state != QUIC_STREAM_RX_SIZE_KNOWN)
		return 0;
	kept = rx_store(s, off, data, len);
	if (s->rx_state == QUIC_STREAM_RX_SIZE_KNOWN && rx_contig(s) == s->rx_final)
		s->rx_state = QUIC_STREAM_RX_DATA_RECVD;
	if (s->flags & QUIC_STREAM_F_RX_STOPPED)
		rx_consume(s, NULL, SIZE_MAX);
	return kept ? 0 : QUIC_STREAM_DROPPED;
}

size_t quic_stream_read(struct quic_stream *s, uint8_t *out, size_t cap, bool *fin)
{
	size_t n = 0;

	if (s->rx_state <= QUIC_STREAM_RX_DATA_RECVD)
		n = rx_consume(s, out, cap);
	*fin = s->rx_state == QUIC_STREAM_RX_DATA_READ;
	return n;
}

size_t quic_stream_peek(const struct quic_stream *s, uint8_t *out, size_t cap)
{
	size_t n = quic_stream_readable(s);

	if (n > cap)
		n = cap;
	return n ? chunks_get(s->rx_chunk, s->rx_read - rx_base(s), out, n) : 0;
}

size_t quic_stream_readable(const struct quic_stream *s)
{
	if (s->rx_state > QUIC_STREAM_RX_DATA_RECVD)
		return 0;
	return (size_t)(rx_contig(s) - s->rx_read);
}

int quic_stream_on_reset(struct quic_stream *s, uint64_t err, uint64_t final_size,
			 uint64_t *new_bytes)
{
	*new_bytes = 0;
	if (s->rx_state != QUIC_STREAM_RX_RECV && final_size != s->rx_final)
		return QUIC_FINAL_SIZE_ERROR;
	if (final_size < s->rx_highest)
		return QUIC_FINAL_SIZE_ERROR;
	if (final_size > s->rx_limit)
		return QUIC_FLOW_CONTROL_ERROR;
	*new_bytes = final_size - s->rx_highest;
	s->rx_highest = final_size;
	s->rx_final = final_size;
	/* in Data Recvd every byte is here already: the app still gets them */
	if (s->rx_state == QUIC_STREAM_RX_RECV || s->rx_state == QUIC_STREAM_RX_SIZE_KNOWN) {
		s->rx_err = err;
		rx_finish(s, s->flags & QUIC_STREAM_F_RX_STOPPED ? QUIC_STREAM_RX_RESET_READ
								 : QUIC_STREAM_RX_RESET_RECVD);
	}
	return 0;
}

bool quic_stream_read_reset(struct quic_stream *s, uint64_t *err)
{
	if (s->rx_state != QUIC_STREAM_RX_RESET_RECVD && s->rx_state != QUIC_STREAM_RX_RESET_READ)
		return false;
	s->rx_state = QUIC_STREAM_RX_RESET_READ;
	*err = s->rx_err;
	return true;
}

void quic_stream_stop(struct quic_stream *s, uint64_t err)
{
	switch (s->rx_state) {
	case QUIC_STREAM_RX_RECV:
	case QUIC_STREAM_RX_SIZE_KNOWN:
		if (!(s->flags & QUIC_STREAM_F_RX_STOPPED)) {
			s->flags |= QUIC_STREAM_F_RX_STOPPED | QUIC_STREAM_F_STOP_PENDING;
			s->stop_err = err;
		}
		chunks_drop_front(s->rx_chunk, QUIC_STREAM_RX_CHUNKS, QUIC_STREAM_RX_CHUNKS);
		rx_consume(s, NULL, SIZE_MAX);
		break;
	case QUIC_STREAM_RX_DATA_RECVD:    /* all here: nothing to stop */
		s->flags |= QUIC_STREAM_F_RX_STOPPED;
		chunks_drop_front(s->rx_chunk, QUIC_STREAM_RX_CHUNKS, QUIC_STREAM_RX_CHUNKS);
		rx_consume(s, NULL, SIZE_MAX);
		break;
	case QUIC_STREAM_RX_RESET_RECVD:
		s->rx_state = QUIC_STREAM_RX_RESET_READ;
		break;
	default:
		break;
	}
}

bool quic_stream_want_stop_sending(const struct quic_stream *s, uint64_t *err)
{
	if (!(s->flags & QUIC_STREAM_F_STOP_PENDING))
		return false;
	*err = s->stop_err;
	return true;
}

void quic_stream_stop_sending_sent(struct quic_stream *s)
{
	s->flags &= (uint16_t)~QUIC_STREAM_F_STOP_PENDING;
}

void quic_stream_on_stop_sending_lost(struct quic_stream *s)
{
	if ((s->flags & QUIC_STREAM_F_RX_STOPPED) && s->rx_state <= QUIC_STREAM_RX_SIZE_KNOWN)
		s->flags |= QUIC_STREAM_F_STOP_PENDING;
}

bool quic_stream_want_max_stream_data(const struct quic_stream *s, uint64_t *new_limit)
{
	uint64_t cand = rx_base(s) + QUIC_STREAM_RX_WINDOW, need;
	const struct pool_stats *ps = pool_stats_of(&pool_chunk);

	/* Size Known: the peer needs no more credit (RFC 9000 3.2) */
	if (s->rx_state != QUIC_STREAM_RX_RECV || (s->flags & QUIC_STREAM_F_RX_STOPPED))
		return false;
	if (cand < s->rx_limit)
		cand = s->rx_limit;
	if (cand < s->rx_limit + QUIC_STREAM_RX_WINDOW / 2 && !(s->flags & QUIC_STREAM_F_MSD_LOST))
		return false;
	need = (cand - s->rx_limit + CHUNK - 1) / CHUNK;
	if (need > ps->capacity - ps->in_use)
		return false;
	*new_limit = cand;
	return true;
}

void quic_stream_max_stream_data_sent(struct quic_stream *s, uint64_t limit)
{
	uint64_t most = rx_base(s) + QUIC_STREAM_RX_WINDOW;

	if (limit > most)
		limit = most;
	if (limit > s->rx_limit)
		s->rx_limit = limit;
	s->flags &= (uint16_t)~QUIC_STREAM_F_MSD_LOST;
}

void quic_stream_on_max_stream_data_lost(struct quic_stream *s)
{
	s->flags |= QUIC_STREAM_F_MSD_LOST;
}

/* ---- send side ---- */

static uint64_t tx_base(const struct quic_stream *s)
{
	return s->tx_acked - s->tx_acked % CHUNK;
}

static bool tx_active(const struct quic_stream *s)
{
	return s->tx_state == QUIC_STREAM_TX_READY || s->tx_state == QUIC_STREAM_TX_SEND ||
	       s->tx_state == QUIC_STREAM_TX_DATA_SENT;
}

static void tx_drop_all(struct quic_stream *s)
{
	chunks_drop_front(s->tx_chunk, QUIC_STREAM_TX_CHUNKS, QUIC_STREAM_TX_CHUNKS);
	s->lost_n = s->ackd_n = 0;
}

size_t quic_stream_writable(const struct quic_stream *s)
{
	uint64_t room;

	if ((s->tx_state != QUIC_STREAM_TX_READY && s->tx_state != QUIC_STREAM_TX_SEND) ||
	    (s->flags & QUIC_STREAM_F_FIN))
		return 0;
	room = tx_base(s) + QUIC_STREAM_TX_WINDOW - s->tx_written;
	if (room > QUIC_MAX_OFFSET - s->tx_written)
		room = QUIC_MAX_OFFSET - s->tx_written;
	return (size_t)room;
}

size_t quic_stream_write(struct quic_stream *s, const uint8_t *data, size_t len, bool fin)
{
	size_t room = quic_stream_writable(s), n = len < room ? len : room, done = 0;
	uint64_t rel = s->tx_written - tx_base(s);

	/* a FIN alone needs no room, but a state that takes it */
	if ((s->tx_state != QUIC_STREAM_TX_READY && s->tx_state != QUIC_STREAM_TX_SEND) ||
	    (s->flags & QUIC_STREAM_F_FIN))
		return 0;
	while (done < n) {
		uint64_t at = rel + done;
		struct chunk_block **c = &s->tx_chunk[at / CHUNK];
		size_t o = (size_t)(at % CHUNK), k = (size_t)CHUNK - o;

		if (!*c && !(*c = pool_alloc(&pool_chunk)))
			break;
		if (k > n - done)
			k = n - done;
		memcpy((*c)->data + o, data + done, k);
		done += k;
	}
	s->tx_written += done;
	if (fin && done == len)
		s->flags |= QUIC_STREAM_F_FIN;
	return done;
}

/* The next frame's offset and largest length; *fresh for new data. */
static bool tx_pick(const struct quic_stream *s, size_t conn_allowance, uint64_t *off,
		    uint64_t *len, bool *fresh)
{
	uint64_t base = tx_base(s);
	uint32_t floor = (uint32_t)(s->tx_acked - base);

	if (!tx_active(s))
		return false;
	/* lost ranges first, without the parts acked since */
	for (int i = 0; i < s->lost_n; i++) {
		uint32_t lo = s->tx_lost[i].lo > floor ? s->tx_lost[i].lo : floor;
		uint32_t hi = s->tx_lost[i].hi;

		for (int j = 0; j < s->ackd_n && lo < hi; j++) {
			if (s->tx_ackd[j].hi <= lo)
				continue;
			if (s->tx_ackd[j].lo <= lo) {
				lo = s->tx_ackd[j].hi;
				continue;
			}
			if (s->tx_ackd[j].lo < hi)
				hi = s->tx_ackd[j].lo;
			break;
		}
		if (lo < hi) {
			*off = base + lo;
			*len = hi - lo;
			*fresh = false;
			return true;
		}
	}
	if (s->tx_sent < s->tx_written) {
		uint64_t lim = s->tx_written < s->tx_limit ? s->tx_written : s->tx_limit;

		if (lim <= s->tx_sent || !conn_allowance)
			return false;
		*off = s->tx_sent;
		*len = lim - s->tx_sent < conn_allowance ? lim - s->tx_sent : conn_allowance;
		*fresh = true;
		return true;
	}
	if ((s->flags & QUIC_STREAM_F_FIN) && !(s->flags & QUIC_STREAM_F_FIN_ACKED) &&
	    (!(s->flags & QUIC_STREAM_F_FIN_SENT) || (s->flags & QUIC_STREAM_F_FIN_LOST))) {
		*off = s->tx_written;
		*len = 0;
		*fresh = false;
		return true;
	}
	return false;
}

bool quic_stream_peek_frame(const struct quic_stream *s, size_t conn_allowance, uint64_t *off,
			    size_t *len, bool *fin)
{
	uint64_t n;
	bool fresh;

	if (!tx_pick(s, conn_allowance, off, &n, &fresh))
		return false;
	*len = n > SIZE_MAX ? SIZE_MAX : (size_t)n;
	*fin = (s->flags & QUIC_STREAM_F_FIN) && *off + n == s->tx_written;
	return true;
}

bool quic_stream_next_frame(struct quic_stream *s, size_t max_data, size_t conn_allowance,
			    uint64_t *off, size_t *len, bool *fin, size_t *new_bytes)
{
	uint64_t n, base = tx_base(s);
	bool fresh;

	*new_bytes = 0;
	if (!tx_pick(s, conn_allowance, off, &n, &fresh))
		return false;
	if (n > max_data)
		n = max_data;
	if (!n && *off != s->tx_written)
		return false;      /* no room for a data byte */
	*len = (size_t)n;
	*fin = (s->flags & QUIC_STREAM_F_FIN) && *off + n == s->tx_written;
	if (fresh) {
		s->tx_sent += n;
		*new_bytes = (size_t)n;
	} else {
		/* every lost byte below *off was acked since (tx_pick skipped it):
		 * dropping the whole prefix never splits a range */
		rs_remove(s->tx_lost, &s->lost_n, 0, (uint32_t)(*off + n - base));
	}
	if (*fin) {
		s->flags |= QUIC_STREAM_F_FIN_SENT;
		s->flags &= (uint16_t)~QUIC_STREAM_F_FIN_LOST;
	}
	if (s->tx_state == QUIC_STREAM_TX_READY)
		s->tx_state = QUIC_STREAM_TX_SEND;
	if (s->tx_state == QUIC_STREAM_TX_SEND && (s->flags & QUIC_STREAM_F_FIN_SENT) &&
	    s->tx_sent == s->tx_written)
		s->tx_state = QUIC_STREAM_TX_DATA_SENT;
	return true;
}

size_t quic_stream_copy(const struct quic_stream *s, uint64_t off, uint8_t *out, size_t len)
{
	uint64_t base = tx_base(s);

	if (!tx_active(s) || off < base || off >= s->tx_written)
		return 0;
	if (len > s->tx_written - off)
		len = (size_t)(s->tx_written - off);
	return chunks_get(s->tx_chunk, off - base, out, len);
}

/* The acknowledged prefix moved from old_base on: free what it passed. */
static void tx_advance(struct quic_stream *s, uint64_t old_base)
{
	uint64_t nb = tx_base(s);

	if (nb != old_base) {
		chunks_drop_front(s->tx_chunk, QUIC_STREAM_TX_CHUNKS, (nb - old_base) / CHUNK);
		rs_rebase(s->tx_lost, &s->lost_n, nb - old_base);
		rs_rebase(s->tx_ackd, &s->ackd_n, nb - old_base);
	}
	rs_remove(s->tx_lost, &s->lost_n, 0, (uint32_t)(s->tx_acked - nb));
}

void quic_stream_on_acked(struct quic_stream *s, uint64_t off, size_t len, bool fin)
{
	uint64_t base = tx_base(s), end = off + len;

	if (s->tx_state != QUIC_STREAM_TX_SEND && s->tx_state != QUIC_STREAM_TX_DATA_SENT)
		return;
	if (fin && (s->flags & QUIC_STREAM_F_FIN_SENT)) {
		s->flags |= QUIC_STREAM_F_FIN_ACKED;
		s->flags &= (uint16_t)~QUIC_STREAM_F_FIN_LOST;
	}
	if (end > s->tx_sent)
		end = s->tx_sent;
	if (off < s->tx_acked)
		off = s->tx_acked;
	if (off < end) {
		uint32_t lo = (uint32_t)(off - base), hi = (uint32_t)(end - base);

		rs_remove(s->tx_lost, &s->lost_n, lo, hi);
		if (off == s->tx_acked) {
			s->tx_acked = end;
		} else if (!rs_add(s->tx_ackd, &s->ackd_n, lo, hi, false)) {
			struct quic_stream_range top = s->tx_ackd[NR - 1];

			if (top.lo > lo) {         /* keep the lower one */
				s->ackd_n--;
				rs_add(s->tx_ackd, &s->ackd_n, lo, hi, false);
				lo = top.lo;
				hi = top.hi;
			}
			rs_add(s->tx_lost, &s->lost_n, lo, hi, true);
		}
		while (s->ackd_n && base + s->tx_ackd[0].lo <= s->tx_acked) {
			if (base + s->tx_ackd[0].hi > s->tx_acked)
				s->tx_acked = base + s->tx_ackd[0].hi;
			s->ackd_n--;
			memmove(&s->tx_ackd[0], &s->tx_ackd[1], s->ackd_n * sizeof(s->tx_ackd[0]));
		}
		tx_advance(s, base);
	}
	if (s->tx_state == QUIC_STREAM_TX_DATA_SENT && (s->flags & QUIC_STREAM_F_FIN_ACKED) &&
	    s->tx_acked == s->tx_written) {
		tx_drop_all(s);
		s->tx_state = QUIC_STREAM_TX_DATA_RECVD;
	}
}

void quic_stream_on_lost(struct quic_stream *s, uint64_t off, size_t len, bool fin)
{
	uint64_t base = tx_base(s), end = off + len;

	if (s->tx_state != QUIC_STREAM_TX_SEND && s->tx_state != QUIC_STREAM_TX_DATA_SENT)
		return;
	if (fin && (s->flags & QUIC_STREAM_F_FIN_SENT) && !(s->flags & QUIC_STREAM_F_FIN_ACKED))
		s->flags |= QUIC_STREAM_F_FIN_LOST;
	if (end > s->tx_sent)
		end = s->tx_sent;
	if (off < s->tx_acked)
		off = s->tx_acked;
	if (off >= end)
		return;
	rs_add(s->tx_lost, &s->lost_n, (uint32_t)(off - base), (uint32_t)(end - base), true);
	for (int j = 0; j < s->ackd_n; j++)
		rs_remove(s->tx_lost, &s->lost_n, s->tx_ackd[j].lo, s->tx_ackd[j].hi);
}

void quic_stream_on_max_stream_data(struct quic_stream *s, uint64_t limit)
{
	if (limit > s->tx_limit) {
		s->tx_limit = limit;
		s->flags &= (uint16_t)~QUIC_STREAM_F_BLOCKED_SENT;
	}
}

bool quic_stream_blocked(const struct quic_stream *s, uint64_t *at)
{
	if ((s->tx_state != QUIC_STREAM_TX_READY && s->tx_state != QUIC_STREAM_TX_SEND) ||
	    (s->flags & QUIC_STREAM_F_BLOCKED_SENT) || s->tx_written <= s->tx_sent ||
	    s->tx_sent < s->tx_limit)
		return false;
	*at = s->tx_limit;
	return true;
}

void quic_stream_blocked_sent(struct quic_stream *s)
{
	s->flags |= QUIC_STREAM_F_BLOCKED_SENT;
	if (s->tx_state == QUIC_STREAM_TX_READY)
		s->tx_state = QUIC_STREAM_TX_SEND;
}

void quic_stream_reset(struct quic_stream *s, uint64_t err)
{
	if (!tx_active(s))
		return;
	tx_drop_all(s);
	s->tx_err = err;
	s->tx_state = QUIC_STREAM_TX_RESET_SENT;
	s->flags |= QUIC_STREAM_F_RESET_PENDING;
}

uint64_t quic_stream_final_size(const struct quic_stream *s)
{
	return s->tx_sent;
}

bool quic_stream_want_reset(const struct quic_stream *s, uint64_t *err, uint64_t *final_size)
{
	if (s->tx_state != QUIC_STREAM_TX_RESET_SENT || !(s->flags & QUIC_STREAM_F_RESET_PENDING))
		return false;
	*err = s->tx_err;
	*final_size = s->tx_sent;
	return true;
}

void quic_stream_reset_sent(struct quic_stream *s)
{
	s->flags &= (uint16_t)~QUIC_STREAM_F_RESET_PENDING;
}

void quic_stream_on_reset_lost(struct quic_stream *s)
{
	if (s->tx_state == QUIC_STREAM_TX_RESET_SENT)
		s->flags |= QUIC_STREAM_F_RESET_PENDING;
}

void quic_stream_on_reset_acked(struct quic_stream *s)
{
	if (s->tx_state != QUIC_STREAM_TX_RESET_SENT)
		return;
	s->flags &= (uint16_t)~QUIC_STREAM_F_RESET_PENDING;
	s->tx_state = QUIC_STREAM_TX_RESET_RECVD;
}

void quic_stream_on_stop_sending(struct quic_stream *s, uint64_t err)
{
	quic_stream_reset(s, err);
}

/* ---- the streams of a connection ---- */

static unsigned peer_type(const struct quic_streams *ss, bool uni)
{
	return (uni ? 2u : 0u) | (ss->is_server ? 0u : 1u);
}

static unsigned local_type(const struct quic_streams *ss, bool uni)
{
	return (uni ? 2u : 0u) | (ss->is_server ? 1u : 0u);
}

/* Streams the peer may still open: each must find a slot. */
static uint64_t peer_credit(const struct quic_streams *ss)
{
	unsigned b = peer_type(ss, false), u = peer_type(ss, true);

	return ss->max[b] - ss->next[b] + ss->max[u] - ss->next[u];
}

int quic_streams_init(struct quic_streams *ss, bool is_server, uint32_t max_bidi,
		      uint32_t max_uni)
{
	memset(ss, 0, sizeof(*ss));
	if ((uint64_t)max_bidi + max_uni > QUIC_STREAMS_SLOTS)
		return -1;
	ss->is_server = is_server;
	ss->max[peer_type(ss, false)] = max_bidi;
	ss->max[peer_type(ss, true)] = max_uni;
	ss->target[0] = max_bidi;
	ss->target[1] = max_uni;
	return 0;
}

void quic_streams_deinit(struct quic_streams *ss)
{
	for (unsigned i = 0; i < QUIC_STREAMS_SLOTS; i++) {
		struct quic_stream *s = pool_get(&pool_stream, ss->slot[i]);

		if (s) {
			quic_stream_deinit(s);
			pool_free(&pool_stream, s);
		}
		ss->slot[i] = POOL_HANDLE_NONE;
	}
	ss->n_open = 0;
}

int quic_streams_on_max_streams(struct quic_streams *ss, bool bidi, uint64_t max)
{
	unsigned t = local_type(ss, !bidi);

	if (max > QUIC_MAX_STREAMS_COUNT)
		return QUIC_FRAME_ENCODING_ERROR;
	if (max > ss->max[t]) {
		ss->max[t] = max;
		ss->flags &= (uint16_t)~(QUIC_STREAMS_F_BLOCKED(t) | QUIC_STREAMS_F_REPORTED(t));
	}
	return 0;
}

/* The peer's initial MAX_STREAM_DATA for a stream of type t. */
static uint64_t initial_tx_limit(const struct quic_streams *ss, unsigned t)
{
	bool uni = t & 2, local = quic_stream_id_is_local(t, ss->is_server);

	if (uni)
		return local ? ss->peer_msd[2] : 0;
	return local ? ss->peer_msd[1] : ss->peer_msd[0];
}

void quic_streams_set_peer_params(struct quic_streams *ss, uint64_t max_streams_bidi,
				  uint64_t max_streams_uni, uint64_t msd_bidi_local,
				  uint64_t msd_bidi_remote, uint64_t msd_uni)
{
	ss->peer_msd[0] = msd_bidi_local;
	ss->peer_msd[1] = msd_bidi_remote;
	ss->peer_msd[2] = msd_uni;
	quic_streams_on_max_streams(ss, true, max_streams_bidi);
	quic_streams_on_max_streams(ss, false, max_streams_uni);
	for (unsigned i = 0; i < QUIC_STREAMS_SLOTS; i++) {
		struct quic_stream *s = pool_get(&pool_stream, ss->slot[i]);

		if (s)
			quic_stream_on_max_stream_data(s, initial_tx_limit(ss, s->id & 3));
	}
}

struct quic_stream *quic_streams_find(struct quic_streams *ss, uint64_t id)
{
	for (unsigned i = 0; i < QUIC_STREAMS_SLOTS; i++) {
		struct quic_stream *s = pool_get(&pool_stream, ss->slot[i]);

		if (s && s->id == id)
			return s;
	}
	return NULL;
}

static struct quic_stream *stream_new(struct quic_streams *ss, pool_handle_t conn, uint64_t id)
{
	struct quic_stream *s;
	unsigned i;

	for (i = 0; i < QUIC_STREAMS_SLOTS && !pool_handle_is_none(ss->slot[i]); i++)
		;
	if (i == QUIC_STREAMS_SLOTS || !(s = pool_alloc(&pool_stream)))
		return NULL;
	quic_stream_init(s, id, conn, ss->is_server, initial_tx_limit(ss, quic_stream_id_type(id)));
	ss->slot[i] = pool_handle(&pool_stream, s);
	ss->n_open++;
	return s;
}

struct quic_stream *quic_streams_get_or_open(struct quic_streams *ss, pool_handle_t conn,
					     uint64_t id, enum quic_stream_part part, int *err)
{
	unsigned t = quic_stream_id_type(id);
	uint64_t idx = id >> 2;
	bool local = quic_stream_id_is_local(id, ss->is_server);
	struct quic_stream *s = NULL;

	*err = 0;
	/* our send-only stream gets no data, the peer's no credit from us */
	if (quic_stream_id_is_uni(id) && local == (part == QUIC_STREAM_PART_RECV)) {
		*err = QUIC_STREAM_STATE_ERROR;
		return NULL;
	}
	if (local) {
		if (idx >= ss->next[t]) {
			*err = QUIC_STREAM_STATE_ERROR;
			return NULL;
		}
		return quic_streams_find(ss, id);
	}
	if (idx >= ss->max[t]) {
		*err = QUIC_STREAM_LIMIT_ERROR;
		return NULL;
	}
	if (idx < ss->next[t])
		return quic_streams_find(ss, id);
	/* the lower ids of the type open too; what is opened stays open if
	 * the pool runs dry halfway */
	while (ss->next[t] <= idx) {
		s = stream_new(ss, conn, ss->next[t] << 2 | t);
		if (!s) {
			*err = QUIC_STREAM_DROPPED;
			return NULL;
		}
		ss->next[t]++;
	}
	return s;
}

struct quic_stream *quic_streams_open_local(struct quic_streams *ss, pool_handle_t conn,
					    bool bidi)
{
	unsigned t = local_type(ss, !bidi);
	struct quic_stream *s;

	if (ss->next[t] >= ss->max[t]) {
		if (!(ss->flags & QUIC_STREAMS_F_REPORTED(t)))
			ss->flags |= QUIC_STREAMS_F_BLOCKED(t);
		return NULL;
	}
	if (ss->n_open + peer_credit(ss) >= QUIC_STREAMS_SLOTS)
		return NULL;
	s = stream_new(ss, conn, ss->next[t] << 2 | t);
	if (s)
		ss->next[t]++;
	return s;
}

void quic_streams_close(struct quic_streams *ss, struct quic_stream *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < QUIC_STREAMS_SLOTS; i++) {
		if (pool_get(&pool_stream, ss->slot[i]) != s)
			continue;
		ss->closed[quic_stream_id_type(s->id)]++;
		ss->slot[i] = POOL_HANDLE_NONE;
		ss->n_open--;
		quic_stream_deinit(s);
		pool_free(&pool_stream, s);
		return;
	}
}

bool quic_streams_want_max_streams(const struct quic_streams *ss, bool bidi, uint64_t *new_max)
{
	unsigned t = peer_type(ss, !bidi);
	uint64_t conc = ss->target[bidi ? 0 : 1], want = ss->closed[t] + conc;
	uint64_t used = ss->n_open + peer_credit(ss);
	uint64_t room = used < QUIC_STREAMS_SLOTS ? QUIC_STREAMS_SLOTS - used : 0;
	const struct pool_stats *ps = pool_stats_of(&pool_stream);
	bool lost = ss->flags & QUIC_STREAMS_F_MS_LOST(bidi ? 0 : 1);

	if (room > ps->capacity - ps->in_use)
		room = ps->capacity - ps->in_use;
	if (want > ss->max[t] + room)
		want = ss->max[t] + room;
	if (want > QUIC_MAX_STREAMS_COUNT)
		want = QUIC_MAX_STREAMS_COUNT;
	if (want < ss->max[t])
		want = ss->max[t];
	if (!conc || (want < ss->max[t] + (conc + 1) / 2 && !lost))
		return false;
	*new_max = want;
	return true;
}

void quic_streams_max_streams_sent(struct quic_streams *ss, bool bidi, uint64_t max)
{
	unsigned t = peer_type(ss, !bidi);

	if (max > ss->max[t])
		ss->max[t] = max;
	ss->flags &= (uint16_t)~QUIC_STREAMS_F_MS_LOST(bidi ? 0 : 1);
}

void quic_streams_on_max_streams_lost(struct quic_streams *ss, bool bidi)
{
	ss->flags |= QUIC_STREAMS_F_MS_LOST(bidi ? 0 : 1);
}

bool quic_streams_blocked(const struct quic_streams *ss, bool bidi, uint64_t *at)
{
	unsigned t = local_type(ss, !bidi);

	if (!(ss->flags & QUIC_STREAMS_F_BLOCKED(t)))
		return false;
	*at = ss->max[t];
	return true;
}

void quic_streams_blocked_sent(struct quic_streams *ss, bool bidi)
{
	unsigned t = local_type(ss, !bidi);

	ss->flags &= (uint16_t)~QUIC_STREAMS_F_BLOCKED(t);
	ss->flags |= QUIC_STREAMS_F_REPORTED(t);
}

void quic_streams_for_each(struct quic_streams *ss, void (*fn)(void *ctx, struct quic_stream *s),
			   void *ctx)
{
	for (unsigned i = 0; i < QUIC_STREAMS_SLOTS; i++) {
		struct quic_stream *s = pool_get(&pool_stream, ss->slot[i]);

		if (s)
			fn(ctx, s);
	}
}
