/* quic/conn-internal.h: what quic/conn.c shares with the files that hold
 * parts of a connection: quic/conn_cid.c (connection IDs) and
 * quic/conn_stream.c (streams, their frames, the application's stream
 * API). Not for use outside quic/conn*.c. */
#ifndef TERN_QUIC_CONN_INTERNAL_H
#define TERN_QUIC_CONN_INTERNAL_H

#include "lib/buf.h"
#include "quic/conn.h"
#include "quic/frame.h"

#define MAX_DATAGRAM    1200                /* until path MTU discovery */

/* Stream limits we give the peer: room for HTTP/3's three unidirectional
 * streams each way and requests on the rest of the slots; a stream's
 * window is what its receive chunks hold, the connection's what all
 * slots' windows hold (no credit without memory behind it). */
#define PEER_UNI_STREAMS  3
#define OUR_STREAMS       (3 + 6)
#define PEER_BIDI_STREAMS (QUIC_STREAMS_SLOTS > OUR_STREAMS + PEER_UNI_STREAMS + 1 ? \
			   QUIC_STREAMS_SLOTS - OUR_STREAMS - PEER_UNI_STREAMS : 1)
#define CONN_WINDOW       ((uint64_t)QUIC_STREAMS_SLOTS * QUIC_STREAM_RX_WINDOW)

/* conn_cid.c */
void conn_issue_cids(struct quic_conn *c);
void conn_queue_retire(struct quic_conn *c, uint64_t seq);
int conn_on_new_cid(struct quic_conn *c, const struct quic_frame *f);
int conn_on_retire_cid(struct quic_conn *c, const struct quic_frame *f);
bool conn_peer_token_matches(const struct quic_conn *c, const uint8_t *tail);
bool conn_write_cid_frames(struct quic_conn *c, struct buf_writer *w, struct quic_sent *rec);
bool conn_cids_waiting(const struct quic_conn *c);

/* conn_stream.c */
int conn_on_stream_frame(struct quic_conn *c, const struct quic_frame *f);
void conn_sweep_streams(struct quic_conn *c);
bool conn_write_stream_frames(struct quic_conn *c, struct buf_writer *w, struct quic_sent *rec);
bool conn_streams_waiting(struct quic_conn *c);
void conn_stream_frames_acked(struct quic_conn *c, struct quic_sent *rec);
void conn_stream_frames_lost(struct quic_conn *c, struct quic_sent *rec);

/* conn_path.c */
bool conn_switch_dcid(struct quic_conn *c);
/* May a packet from `from` to our `dcid` be processed at all? */
bool conn_path_accept(struct quic_conn *c, const struct quic_addr *from,
		      const struct quic_cid *dcid, bool long_header);
/* After a 1-RTT packet's frames: follow the peer to a new address. */
void conn_path_on_packet(struct quic_conn *c, const struct quic_addr *from,
			 const struct quic_cid *dcid, size_t dgram_len, bool largest,
			 bool non_probing, uint64_t now);
void conn_path_on_challenge(struct quic_conn *c, const struct quic_frame *f,
			    const struct quic_addr *from);
void conn_path_on_response(struct quic_conn *c, const struct quic_frame *f);
void conn_path_timeout(struct quic_conn *c, uint64_t now);
bool conn_write_path_frames(struct quic_conn *c, struct buf_writer *w, struct quic_sent *rec);
bool conn_path_waiting(const struct quic_conn *c);
void conn_path_lost(struct quic_conn *c, const struct quic_sent *p);

#endif
