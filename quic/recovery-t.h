/* quic/recovery types: the sent-packet record (pool `sent`, shared by all
 * connections and sized by CONFIG_POOL_SENT_PACKETS) and a connection's
 * loss-recovery state. The functions are in quic/recovery.h. Every pool
 * user includes this file (lib/pool_types.h via quic/conn-t.h). */
#ifndef TERN_QUIC_RECOVERY_T_H
#define TERN_QUIC_RECOVERY_T_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/pool-t.h"
#include "quic/cc.h"
#include "quic/quic-t.h"

/* A stream-related frame a packet carried, to act on its fate. */
enum quic_sent_kind {
	QUIC_SENT_STREAM = 1,   /* STREAM data [off, off + len), fin */
	QUIC_SENT_MSD,          /* MAX_STREAM_DATA */
	QUIC_SENT_RESET,        /* RESET_STREAM */
	QUIC_SENT_STOP,         /* STOP_SENDING */
};

#define QUIC_SENT_FRAMES 4

struct quic_sent_frame {
	pool_handle_t stream;
	uint64_t off;
	uint16_t len;
	uint8_t kind, fin;
};

/* One ack-eliciting packet in flight: what it carried, by reference (no
 * payload copies: CRYPTO bytes stay in the handshake block, STREAM bytes
 * in the stream's chunks until acknowledged), linked in packet-number
 * order in its space. */
struct quic_sent {
	struct quic_sent *prev, *next;
	uint64_t pn;
	uint64_t time;
	uint64_t retire_seq;             /* RETIRE_CONNECTION_ID carried */
	uint32_t crypto_off, crypto_len;  /* CRYPTO data carried */
	uint16_t size;                   /* bytes counted in flight */
	uint16_t ncid_mask;              /* NEW_CONNECTION_ID of lcid[i] carried */
	uint8_t retire : 1, handshake_done : 1, max_data : 1, max_streams_bidi : 1,
		max_streams_uni : 1, new_token : 1, ping : 1, path_challenge : 1;
	uint8_t ack_eliciting : 1,
		app_limited : 1,         /* the window was not filled when sent */
		requeued : 1,            /* frames already queued again by a PTO */
		gap_after : 1,           /* a later packet was acked while this one
		                          * was not (breaks a persistent-congestion run) */
		ect : 1;                 /* sent marked ECT(0) */
	uint8_t nframes;
	struct quic_sent_frame f[QUIC_SENT_FRAMES];
};

struct quic_recovery_space {
	struct quic_sent *head, *tail;   /* oldest first */
	uint32_t count;                  /* records (all ack-eliciting) */
	uint64_t largest_acked;          /* UINT64_MAX: nothing acked yet */
	uint64_t last_eliciting_time;    /* time_of_last_ack_eliciting_packet */
	uint64_t loss_time;              /* time-threshold loss timer; UINT64_MAX: off */
	uint64_t peer_ecn[3];            /* ECT(0), ECT(1), CE counts the peer reported */
	uint8_t probes;                  /* PTO probes owed (sent beyond cwnd) */
	bool discarded;
};

/* ECN on the path (RFC 9000 13.4.2): marked ECT(0) while testing (the
 * first QUIC_ECN_TESTING datagrams) and once ACKs showed the marks
 * arrive; never again once they showed they do not. */
enum quic_ecn_state {
	QUIC_ECN_TESTING,
	QUIC_ECN_UNKNOWN,    /* testing done, no verdict yet: not marking */
	QUIC_ECN_CAPABLE,
	QUIC_ECN_FAILED,
};

#define QUIC_ECN_TESTING_DGRAMS 10

/* RFC 9002 appendix A, one per connection. */
struct quic_recovery {
	struct quic_recovery_space sp[QUIC_SPACE_COUNT];
	struct quic_rtt rtt;
	struct quic_cc cc;
	uint64_t bytes_in_flight;
	uint64_t first_sample_time;      /* when the first RTT sample was taken */
	uint64_t max_ack_delay;          /* the peer's, ns */
	uint32_t pto_count;
	uint8_t ecn;                     /* enum quic_ecn_state */
	uint32_t ecn_tested;             /* datagrams marked while testing */
	bool ecn_off;                    /* the port cannot do ECN: never test */
	/* set by the connection */
	bool confirmed;                  /* handshake confirmed (App PTO armed) */
	bool peer_validated;             /* PeerCompletedAddressValidation (A.6) */
	bool handshake_keys;             /* client: Handshake keys to probe with */
	struct {
		uint32_t lost, pto, persistent, early_probe;
		uint32_t no_record;      /* packets not sent: the sent pool was empty */
		uint32_t ecn_fail;       /* why ECN was given up: 1 no counts, 2 too few,
		                          * 3 counts went down or ECT(1) seen */
	} stats;
};

#endif
