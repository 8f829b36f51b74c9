/* quic/stream types: one stream per pool block (pool `stream`), the
 * per-connection stream set and connection-level flow control. The
 * functions are in quic/stream.h. Every pool user includes this file
 * (lib/pool_types.h), so it needs nothing but lib/pool-t.h and Kconfig.
 */
#ifndef TERN_QUIC_STREAM_T_H
#define TERN_QUIC_STREAM_T_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/kconfig.h"
#include "lib/pool-t.h"

/* Chunks per direction. Receive credit (MAX_STREAM_DATA) never exceeds
 * what the receive chunks hold; the send side buffers at most this many
 * chunks from the lowest unacknowledged offset. */
#define QUIC_STREAM_RX_CHUNKS CONFIG_STREAM_RX_CHUNKS
#define QUIC_STREAM_TX_CHUNKS CONFIG_STREAM_TX_CHUNKS
#define QUIC_STREAM_RX_WINDOW ((uint32_t)QUIC_STREAM_RX_CHUNKS * CONFIG_POOL_STREAM_CHUNK_SIZE)
#define QUIC_STREAM_TX_WINDOW ((uint32_t)QUIC_STREAM_TX_CHUNKS * CONFIG_POOL_STREAM_CHUNK_SIZE)
/* Byte ranges tracked per set (received, lost, acknowledged). */
#define QUIC_STREAM_RANGES 4

/* Stream slots of one connection; all four stream types share them. */
#define QUIC_STREAMS_SLOTS CONFIG_POOL_STREAMS_PER_CONN

/* RFC 9000 3.2 */
enum quic_stream_rx_state {
	QUIC_STREAM_RX_RECV,
	QUIC_STREAM_RX_SIZE_KNOWN,
	QUIC_STREAM_RX_DATA_RECVD,
	QUIC_STREAM_RX_DATA_READ,
	QUIC_STREAM_RX_RESET_RECVD,
	QUIC_STREAM_RX_RESET_READ,
};

/* RFC 9000 3.1 */
enum quic_stream_tx_state {
	QUIC_STREAM_TX_READY,
	QUIC_STREAM_TX_SEND,
	QUIC_STREAM_TX_DATA_SENT,
	QUIC_STREAM_TX_DATA_RECVD,
	QUIC_STREAM_TX_RESET_SENT,
	QUIC_STREAM_TX_RESET_RECVD,
};

/* [lo, hi) relative to the stream's chunk base; window sizes fit 32 bits */
struct quic_stream_range {
	uint32_t lo, hi;
};

struct chunk_block;

struct quic_stream {
	uint64_t id;
	pool_handle_t conn;

	/* receive side; chunk i holds [base + i * CHUNK, ...) with base the
	 * read offset rounded down to a chunk */
	uint64_t rx_read;      /* delivered to the app (or skipped) */
	uint64_t rx_highest;   /* largest offset + length seen */
	uint64_t rx_final;     /* valid from Size Known / Reset Recvd on */
	uint64_t rx_limit;     /* MAX_STREAM_DATA we advertised */
	uint64_t rx_err;       /* RESET_STREAM code received */
	uint64_t stop_err;     /* STOP_SENDING code we send */
	struct chunk_block *rx_chunk[QUIC_STREAM_RX_CHUNKS];
	struct quic_stream_range rx_have[QUIC_STREAM_RANGES];  /* received, not read */

	/* send side; chunk i holds [base + i * CHUNK, ...) with base the
	 * acknowledged prefix rounded down to a chunk */
	uint64_t tx_acked;     /* every byte below was acknowledged */
	uint64_t tx_sent;      /* every byte below was sent at least once */
	uint64_t tx_written;   /* written by the app; the final size with FIN */
	uint64_t tx_limit;     /* the peer's MAX_STREAM_DATA */
	uint64_t tx_err;       /* RESET_STREAM code we send */
	struct chunk_block *tx_chunk[QUIC_STREAM_TX_CHUNKS];
	struct quic_stream_range tx_lost[QUIC_STREAM_RANGES];  /* to send again first */
	struct quic_stream_range tx_ackd[QUIC_STREAM_RANGES];  /* acked above tx_acked */

	uint16_t flags;        /* QUIC_STREAM_F_* (stream.c) */
	uint8_t rx_state;      /* enum quic_stream_rx_state */
	uint8_t tx_state;      /* enum quic_stream_tx_state */
	uint8_t rx_n, lost_n, ackd_n;
	/* data of it arrived in 0-RTT (RFC 8470: the HTTP layer forwards
	 * only safe methods from such a request, marked Early-Data: 1) */
	bool rx_early;
	/* the application's object for this stream (HTTP/3: its h3 stream),
	 * by handle (DESIGN.md 4.2); NONE until it sets one */
	pool_handle_t app;
};

/* Connection-level flow control (MAX_DATA, RFC 9000 4.1), one per
 * direction: limit is the credit, used what was counted against it. */
struct quic_flow {
	uint64_t limit, used;
};

/* The streams of one connection. Stream type t = id & 3 (RFC 9000 2.1):
 * 0 client bidi, 1 server bidi, 2 client uni, 3 server uni. For the
 * peer's types next/max are what the peer opened and what we allow; for
 * ours what we opened and what the peer allows. */
struct quic_streams {
	pool_handle_t slot[QUIC_STREAMS_SLOTS];
	uint64_t next[4];      /* stream index (id >> 2) of the next one to open */
	uint64_t max[4];       /* MAX_STREAMS: ours for the peer's types, the peer's for ours */
	uint64_t closed[4];    /* streams closed and forgotten */
	/* the peer's initial_max_stream_data_{bidi_local, bidi_remote, uni} */
	uint64_t peer_msd[3];
	uint32_t target[2];    /* the peer's concurrent bidi, uni streams we allow */
	uint16_t n_open;
	uint16_t flags;        /* QUIC_STREAMS_F_* (stream.c) */
	bool is_server;
};

#endif
