/* quic/conn-t.h: the connection, its handshake block and the endpoint
 * (DESIGN.md 3: everything by value, no pointer to an encryption level
 * that can be NULL; the handshake block is a separate pool object,
 * released once the handshake is confirmed). Functions: quic/conn.h,
 * quic/endpoint.h. */
#ifndef TERN_QUIC_CONN_T_H
#define TERN_QUIC_CONN_T_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lib/kconfig.h"
#include "lib/pool-t.h"
#include "quic/ackrange.h"
#include "quic/protect-t.h"
#include "quic/quic-t.h"
#include "quic/reasm.h"
#include "quic/recovery-t.h"
#include "quic/stream-t.h"
#include "quic/tls.h"

/* A UDP address as the port delivers it. */
struct quic_addr {
	uint8_t family;   /* 4 or 6 */
	uint16_t port;
	uint8_t ip[16];   /* 4 bytes used for IPv4 */
};

/* Same family and address (the port aside). */
static inline bool quic_addr_same_host(const struct quic_addr *a, const struct quic_addr *b)
{
	return a->family == b->family && !memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16);
}

static inline bool quic_addr_equal(const struct quic_addr *a, const struct quic_addr *b)
{
	return a->port == b->port && quic_addr_same_host(a, b);
}

struct quic_space {
	uint64_t next_pn;
	struct quic_ackrange rx;         /* packet numbers received */
	uint64_t largest_rx_time;
	uint64_t ack_deadline;           /* UINT64_MAX: no ACK owed */
	uint16_t unacked_eliciting;      /* ack-eliciting packets since our last ACK */
	/* CRYPTO send side: the handshake block's out[] bytes */
	uint32_t crypto_sent;            /* next new byte */
	uint32_t resend_lo, resend_hi;   /* lost bytes to send again ([lo, hi)) */
	bool rx_keys, tx_keys, discarded;
	uint64_t ecn_rx[3];              /* packets received ECT(0), ECT(1), CE */
};

/* The longest Retry token a client keeps (tokens are the server's). */
#define QUIC_CLIENT_TOKEN_MAX 256

#define QUIC_HS_RX_BUF  4096   /* RFC 9000 7.5: at least 4096 bytes */
#define QUIC_HS_TX_INITIAL 2048

/* What only a handshake needs: TLS state and CRYPTO buffers. */
struct quic_hs {
	struct quic_tls tls;
	uint8_t tx_initial[QUIC_HS_TX_INITIAL];
	uint8_t tx_handshake[CONFIG_QUIC_TLS_FLIGHT_BUF];
	uint8_t tx_app[1024];
	uint8_t rx_buf[QUIC_LEVEL_COUNT][QUIC_HS_RX_BUF];
	struct quic_reasm rx[QUIC_LEVEL_COUNT];
	/* the keys of the levels before 1-RTT (Initial, 0-RTT, Handshake):
	 * gone with this block once the handshake is confirmed, so an idle
	 * connection carries only its 1-RTT keys */
	struct quic_keys rx_keys[QUIC_LEVEL_APP], tx_keys[QUIC_LEVEL_APP];
};

/* Connection IDs we issued (seq 0 is scid), announced with
 * NEW_CONNECTION_ID, and the peer's, which we may switch to (RFC 9000 5.1). */
struct quic_local_cid {
	struct quic_cid cid;
	uint64_t seq;
	bool used, announce;
};

struct quic_peer_cid {
	struct quic_cid cid;
	uint64_t seq;
	uint8_t token[QUIC_STATELESS_RESET_TOKEN_LEN];
	bool used;
};

#define QUIC_RETIRE_QUEUE 8

enum quic_conn_state {
	QUIC_CONN_HANDSHAKE,
	QUIC_CONN_ESTABLISHED,   /* handshake complete (confirmed: see flag) */
	QUIC_CONN_CLOSING,       /* we sent CONNECTION_CLOSE (RFC 9000 10.2.1) */
	QUIC_CONN_DRAINING,      /* the peer closed (10.2.2) */
	QUIC_CONN_CLOSED,        /* nothing left: the endpoint frees it */
};

struct quic_endpoint;

struct quic_conn {
	struct quic_endpoint *ep;
	pool_handle_t self;
	pool_handle_t app;               /* the application's object (HTTP/3 connection) */
	bool server;
	enum quic_conn_state state;
	uint32_t version;
	struct quic_addr peer;
	/* CIDs: ours (routed to us), the peer's (we send to) */
	struct quic_cid scid, dcid;
	struct quic_cid odcid;           /* the client's first DCID */
	struct quic_cid initial_dcid;    /* server: the DCID of the client's Initials */
	struct quic_local_cid lcid[CONFIG_POOL_CIDS_PER_CONN];
	uint64_t lcid_next_seq;
	struct quic_peer_cid pcid[CONFIG_POOL_CIDS_PER_CONN];
	uint64_t dcid_seq;               /* the peer CID we send to */
	uint64_t peer_retire_prior_to;
	uint64_t retire_q[QUIC_RETIRE_QUEUE];  /* RETIRE_CONNECTION_ID to send */
	uint8_t retire_n;
	uint64_t peer_cid_limit;         /* its active_connection_id_limit */
	struct quic_cid retry_scid;      /* client: the Retry's SCID; server: ours */
	bool retried;
	uint8_t token[QUIC_CLIENT_TOKEN_MAX];  /* client: Retry token to echo */
	uint16_t token_len;
	/* 1-RTT keys (those of the other levels are in the handshake block) */
	struct quic_keys app_rx, app_tx;
	/* key update (RFC 9001 6): the 1-RTT secrets of the current phase,
	 * the next phase's receive keys ready, the previous ones kept for
	 * reordered packets until prev_until */
	uint8_t app_secret[2][QUIC_TLS_SECRET_MAX];   /* [0] rx, [1] tx */
	uint8_t app_secret_len;
	struct quic_aead rx_next, rx_prev;
	bool key_phase, rx_phase, have_rx_next, have_rx_prev;
	uint64_t prev_until;
	uint64_t rx_phase_first_pn;      /* first packet decrypted in the rx phase */
	uint64_t aead_fail;              /* packets failing authentication (6.6) */
	uint64_t phase_first_pn;         /* our first packet in the current phase */
	bool update_acked;               /* a packet of the current phase was acked */
	enum crypto_aead aead;
	/* 0-RTT (CONFIG_QUIC_0RTT): server, early read keys in rx[EARLY];
	 * client, early write keys in tx[EARLY] (0-RTT packets until the
	 * handshake completes) */
	bool early_rx, early_tx;
	uint32_t early_pkts;             /* 0-RTT packets sent (client) / accepted (server) */
	uint32_t tickets_seen;           /* client: NewSessionTickets saved */
	uint32_t early_streams;          /* server: streams with data from 0-RTT */
	bool rx_in_early;                /* the frames being handled came in 0-RTT */
	struct quic_space space[QUIC_SPACE_COUNT];
	pool_handle_t hs;                /* struct quic_hs while handshaking */
	bool complete, confirmed, handshake_done_pending;
	bool new_token_pending;          /* server: NEW_TOKEN to send (RFC 9000 8.1.3) */
	bool address_validated;
	uint64_t bytes_rx, bytes_tx;     /* anti-amplification (RFC 9000 8.1) */
	/* the peer's transport parameters that matter here */
	uint64_t peer_idle_ms, peer_max_ack_delay_ms, peer_ack_delay_exp;
	bool have_peer_tp;
	bool have_reset_token;           /* client: the server's stateless reset token */
	uint8_t reset_token[QUIC_STATELESS_RESET_TOKEN_LEN];
	/* timers (ns, UINT64_MAX: off) */
	uint64_t idle_deadline, close_deadline;
	bool eliciting_since_rx;         /* idle timer restarted by a send already */
	struct quic_recovery rec;        /* RFC 9002: sent packets, RTT, cc */
	uint64_t pace_wait;              /* the pacer holds data until then */
	uint8_t tx_ecn;                  /* ECN codepoint of the last datagram out */
	bool ping_pending;
	/* paths (RFC 9000 8.2, 9): the peer's address is c->peer; a move to
	 * a new one is validated with PATH_CHALLENGE, the last validated one
	 * kept to fall back to if that fails */
	bool path_response_pending;
	uint8_t path_response[8];
	struct quic_addr path_response_to;  /* where the PATH_CHALLENGE came from */
	bool challenge_pending, challenge_out;
	uint8_t challenge[8];
	uint64_t challenge_deadline;     /* validation gives up (8.2.4) */
	struct quic_addr prev_peer;
	bool have_prev_peer;
	struct quic_cid rx_dcid;         /* our CID the peer used last (largest pn) */
	bool peer_no_migration;          /* client: the server sent disable_active_migration */
	bool probe_only, probe_pad;      /* building a PATH_RESPONSE to another address */
	/* streams and connection-level flow control (RFC 9000 4.1) */
	struct quic_streams streams;
	struct quic_flow rx_flow;        /* limit we gave, bytes the peer used */
	struct quic_flow tx_flow;        /* the peer's MAX_DATA, bytes we sent */
	uint64_t rx_consumed;            /* bytes the application read */
	uint64_t data_blocked_at;        /* DATA_BLOCKED sent for this limit */
	bool max_data_resend;
	uint32_t stream_rr;              /* round-robin start for STREAM frames */
	/* closing */
	uint64_t close_error;
	bool close_app, close_pending;
	/* the CONNECTION_CLOSE the peer sent, if any: its error code and
	 * whether it was the application's (type 0x1d) */
	uint64_t peer_close_error;
	bool peer_close_app, peer_closed;
	uint8_t alert;
	struct {
		uint32_t pkts_rx, pkts_tx, dropped, decrypt_fail, dup, key_updates;
		uint32_t migrations, path_fail, path_drop;
	} stats;
};

#endif
