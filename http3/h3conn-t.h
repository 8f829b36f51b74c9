/* http3/h3conn types: the HTTP/3 state of one connection (pool h3conn)
 * and of each stream the peer opened (pool h3stream). Functions in
 * http3/h3conn.h. Included by lib/pool_types.h, so it needs nothing but
 * pool and QPACK types.
 */
#ifndef TERN_HTTP3_H3CONN_T_H
#define TERN_HTTP3_H3CONN_T_H

#include <stdbool.h>
#include <stdint.h>

#include "http3/h3frame.h"
#include "http3/qpack-t.h"
#include "lib/pool-t.h"

enum h3_stream_kind {
	H3_SK_REQUEST,      /* client bidirectional: one request */
	H3_SK_UNI_PENDING,  /* unidirectional, its type not read yet */
	H3_SK_CONTROL,
	H3_SK_QPACK_ENC,    /* the peer's encoder stream: feeds our decoder */
	H3_SK_QPACK_DEC,    /* the peer's decoder stream: feeds our encoder */
	H3_SK_DISCARD,      /* unknown or reserved type: read and dropped */
};

/* Where a request stream's reading stands. */
enum h3_rx_state {
	H3_RX_HEADERS,       /* waiting for the header section */
	H3_RX_BODY,          /* between frames of the body */
	H3_RX_DATA,          /* inside a DATA payload (frame_left bytes to go) */
	H3_RX_SKIP,          /* inside an unknown frame's payload */
	H3_RX_TRAILERS,      /* after the trailers: unknown frames only */
	H3_RX_FIN,           /* the request ended; the FIN was read */
	H3_RX_ABORTED,       /* reading given up (error, reset, STOP_SENDING) */
};

enum {
	H3_SF_BLOCKED      = 1 << 0,  /* a section waits for QPACK entries */
	H3_SF_REQUESTED    = 1 << 1,  /* the app got the request */
	H3_SF_HEADERS_SENT = 1 << 2,  /* a final response's HEADERS went out */
	H3_SF_FIN_SENT     = 1 << 3,
	H3_SF_HEAD         = 1 << 4,  /* HEAD: no content in the response */
	H3_SF_HAS_CL       = 1 << 5,  /* the request has Content-Length */
	H3_SF_IN_RING      = 1 << 6,  /* queued for a ready call */
	H3_SF_EARLY        = 1 << 7,  /* the request arrived in 0-RTT */
	H3_SF_TX_ABORTED   = 1 << 8,  /* our response was reset */
};

struct h3_stream {
	pool_handle_t conn;    /* the h3 connection (pool h3conn) */
	pool_handle_t qs;      /* the QUIC stream (pool stream) */
	pool_handle_t app;     /* the application's object (NONE: none) */
	uint64_t id;
	uint64_t frame_left;   /* DATA payload or skipped bytes still to read */
	uint64_t body_rx;      /* DATA payload bytes read */
	uint64_t content_length;
	uint64_t body_tx;      /* response content bytes written */
	uint16_t flags;        /* H3_SF_* */
	uint8_t kind;          /* enum h3_stream_kind */
	uint8_t rx;            /* enum h3_rx_state */
	uint8_t req_rx;        /* enum h3_req_rx: the frame-sequence check */
};

enum {
	H3_CF_UNI_OPEN   = 1 << 0,  /* our control and QPACK streams are open */
	H3_CF_GOAWAY     = 1 << 1,  /* a GOAWAY is to be sent (or was) */
	H3_CF_GOAWAY_SENT = 1 << 2,
	H3_CF_PEER_SETTINGS = 1 << 3,
	H3_CF_CLOSING    = 1 << 4,  /* closed by us: nothing more to do */
	H3_CF_BLOCKED    = 1 << 5,  /* some stream waits for QPACK entries */
	H3_CF_QPACK_CUT  = 1 << 6,  /* a QPACK stream write came out short: close */
};

struct h3_conn {
	pool_handle_t qc;                 /* the QUIC connection */
	pool_handle_t ctrl, enc, dec;     /* our control, encoder, decoder streams */
	pool_handle_t peer_ctrl;          /* the peer's control stream (QUIC stream) */
	unsigned opened;                  /* the peer's critical streams (h3_uni_accept) */
	uint32_t flags;                   /* H3_CF_* */
	uint32_t requests;                /* requests accepted on this connection */
	uint64_t next_req;                /* lowest client bidi id not yet seen */
	uint64_t goaway_id;               /* the id our GOAWAY carries */
	uint64_t peer_goaway;             /* the peer's last GOAWAY (UINT64_MAX: none) */
	struct h3_ctrl_rx ctrl_rx;
	struct h3_settings peer;
	struct qpack_decoder qdec;
	struct qpack_encoder qenc;
};

#endif
