/* tests/sim/h3_client: a minimal HTTP/3 client (RFC 9114, QPACK RFC
 * 9204) for the simulator tests, over the client connection of
 * tests/sim/quic_pair (client()). One client at a time, all state in the
 * global h3c, everything static and bounded (no malloc).
 *
 * Setup (the server side is http3/h3conn + term/ on eps[1]):
 *
 *   h3c_init(H3C_DEFAULT);
 *   pair_next.client_app = h3c_app_ops();
 *   ...server knobs...; setup_pair(seed, QUIC_RETRY_NEVER, &link);
 *   int r = h3c_get("/bytes/1000");
 *   assert_int_equal(h3c_run(h3c_all_done, 30 * SIM_NS_PER_S), 0);
 *   h3c.req[r].status, .body_bytes, .body_hash, ...
 *
 * Once the connection is established (or may send 0-RTT data, on a
 * resumed connection whose ticket allows it) the client opens its control
 * stream (type 0x00 and SETTINGS), its QPACK encoder (0x02) and decoder
 * (0x03) streams (each one unless left out by the init flags), and then
 * its requests, each on a new bidirectional stream as the server's
 * MAX_STREAMS allows, in the order they were made. A request's header
 * section is encoded with the client's own QPACK encoder when its stream
 * opens (dynamic table once the server's SETTINGS allow it and
 * h3c.dynamic is set); its encoder-stream instructions go out on the
 * encoder stream, unless h3c.uni[h3c.enc].hold keeps them back.
 *
 * Responses are parsed frame by frame (h3_frame_reader) and their header
 * sections decoded with the client's QPACK decoder, fed from the
 * server's encoder stream: a section that is blocked waits for the
 * entries it needs. Per request the client records the status, the
 * Content-Length, the body (count, FNV-1a 64 hash, the first bytes, and
 * how many bytes differ from term's /bytes/N pattern i % 251), whether
 * the response ended cleanly, and a RESET_STREAM or STOP_SENDING code
 * from the server.
 *
 * A response can be read slowly (h3c_throttle): a client whose reading
 * lags, so that QUIC flow control closes towards the server.
 *
 * Raw access for negative tests: arbitrary bytes on a new bidirectional
 * stream (h3c_raw), on a new unidirectional stream (h3c_uni_new +
 * h3c_uni_write), or on the client's control, encoder or decoder stream
 * (h3c_uni_write(h3c.ctrl, ...)); FIN or RESET_STREAM on any of them.
 *
 * The asserts are cmocka's: compiled with the unit tests' flags.
 */
#ifndef TERN_TESTS_H3_CLIENT_H
#define TERN_TESTS_H3_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http3/h3frame.h"
#include "http3/qpack.h"
#include "quic/endpoint.h"

#define H3C_REQS      256        /* requests one test may make */
#define H3C_UNIS      8          /* unidirectional streams the client opens */
#define H3C_PEER_UNIS 8          /* the server's unidirectional streams followed */
#define H3C_SEC_MAX   2048       /* a response's header section, buffered whole */
#define H3C_KEEP      512        /* first bytes of each response body kept */
#define H3C_TXQ       (16 * 1024)  /* bytes queued on one unidirectional stream */
#define H3C_ARENA     (512 * 1024) /* encoded requests and raw bytes, per test */
#define H3C_FIELDS    64         /* regular fields of one request */
#define H3C_BYTES_PERIOD 251     /* term's /bytes/N: byte i = i % 251 */
#define H3C_FIELDS_TEXT 512      /* a final response's fields as text, kept */

/* h3c_init flags: which of its streams the client opens by itself */
enum {
	H3C_OPEN_CONTROL  = 1 << 0,  /* the control stream (type 0x00) */
	H3C_SEND_SETTINGS = 1 << 1,  /* ... and SETTINGS as its first frame */
	H3C_OPEN_ENCODER  = 1 << 2,  /* the QPACK encoder stream (0x02) */
	H3C_OPEN_DECODER  = 1 << 3,  /* the QPACK decoder stream (0x03) */
	H3C_DEFAULT = H3C_OPEN_CONTROL | H3C_SEND_SETTINGS | H3C_OPEN_ENCODER | H3C_OPEN_DECODER,
};

enum h3c_req_state {
	H3C_R_FREE,
	H3C_R_QUEUED,   /* waiting for a stream */
	H3C_R_OPEN,     /* its stream is open; bytes may still be to write */
	H3C_R_SENT,     /* everything (and the FIN, if asked) was written */
};

/* A request to make (h3c_request): pseudo-headers NULL are left out. */
struct h3c_spec {
	const char *method, *scheme, *authority, *path;
	const struct qpack_field *fields;  /* regular fields after them */
	size_t nfields;
	const uint8_t *body;               /* sent as DATA frames (the caller's, static) */
	uint64_t body_len;
	size_t data_frame;                 /* largest DATA payload (0: 16384) */
	bool no_fin;                       /* leave the stream open after it */
	bool grease;                       /* a reserved frame (0x21) before HEADERS
					    * and between DATA frames */
};

struct h3c_req {
	/* sending */
	uint8_t state;                     /* enum h3c_req_state */
	bool raw;                          /* pre holds the bytes as given */
	uint64_t id;                       /* its stream, once open */
	struct qpack_field fields[4 + H3C_FIELDS];  /* to encode at open (strings in the arena) */
	size_t nfields;
	uint8_t *pre;                      /* frames before the body (in the arena) */
	size_t pre_len, pre_off;
	const uint8_t *body;
	uint64_t body_len, body_off;
	size_t data_frame, data_left;      /* the DATA frame being written: bytes to go */
	bool grease, fin, fin_sent;

	/* receiving */
	struct h3_frame_reader rd;
	uint8_t rdbuf[H3C_SEC_MAX];
	bool blocked;                      /* its header section waits for QPACK entries */
	bool was_blocked;
	const uint8_t *sec;                /* the blocked section (in rdbuf) */
	size_t sec_len;
	unsigned status;                   /* final status (0: none yet) */
	uint32_t interim;                  /* 1xx responses */
	uint32_t headers, trailers, data_frames;
	bool has_cl;
	uint64_t content_length;
	uint64_t body_bytes;               /* DATA payload bytes */
	uint64_t body_hash;                /* FNV-1a 64 of them (PAIR_FNV_OFFSET: none) */
	uint64_t pattern_bad;              /* body bytes i != i % 251 */
	uint8_t keep[H3C_KEEP];            /* the first body bytes */
	size_t keep_len;
	bool end_seen;                     /* the stream's end was read... */
	bool fin_read;                     /* ... and the last section decoded */
	bool complete;                     /* ... after a final response, no frame cut, no error */
	bool reset;                        /* RESET_STREAM from the server */
	uint64_t reset_code;
	bool stopped;                      /* STOP_SENDING from the server (our side was reset) */
	uint64_t stop_code;
	bool cancelled;                    /* the client reset / stopped it (h3c_cancel) */
	int error;                         /* what the client found wrong (an H3 code) */
	/* the final response's regular fields, "name: value\n" each, as far
	 * as H3C_FIELDS_TEXT holds them */
	char fields_text[H3C_FIELDS_TEXT];
	size_t fields_len;
	/* reading (h3c_throttle): stream bytes read (frames included), and
	 * at most rx_rate per second of them since rx_t0 beyond rx_base
	 * (UINT64_MAX: as they arrive, the default) */
	uint64_t rx_read;
	uint64_t rx_rate, rx_t0, rx_base;
	bool rx_behind;                    /* bytes may wait in the stream */
};

/* One of the client's unidirectional streams. */
struct h3c_uni {
	bool used, opened;
	bool hold;                         /* queued bytes stay until cleared */
	bool fin, fin_sent;
	bool reset_pending, reset_done;
	uint64_t reset_code;
	bool stopped;                      /* the server sent STOP_SENDING */
	uint64_t stop_code;
	uint64_t id;
	uint8_t q[H3C_TXQ];
	size_t len, off;                   /* queued bytes, of which written */
};

/* One of the server's unidirectional streams. */
struct h3c_peer_uni {
	bool used, typed;
	uint64_t id, type;
	struct h3_frame_reader rd;         /* control stream */
	uint8_t rdbuf[256];
	bool fin, reset;
};

struct h3c {
	unsigned flags;
	bool started;                      /* the client's own streams are set up */
	/* use the dynamic table once the server's SETTINGS allow it (h3c_init
	 * sets it; policy flags in qenc.flags, e.g. QPACK_ENC_INSERT_ALL) */
	bool dynamic;
	pool_handle_t conn;
	struct qpack_encoder qenc;
	struct qpack_decoder qdec;
	struct h3_settings settings;       /* what the client advertises */
	int ctrl, enc, dec;                /* indices in uni[] (-1: not opened) */
	struct h3c_uni uni[H3C_UNIS];
	uint32_t nuni;
	struct h3c_peer_uni peer[H3C_PEER_UNIS];
	/* the server's control stream */
	struct h3_ctrl_rx ctrl_rx;
	bool peer_settings;
	struct h3_settings server;         /* its SETTINGS */
	uint32_t goaways;
	uint64_t goaway_id;                /* the last GOAWAY's id */
	uint32_t peer_ctrl_frames;
	int error;                         /* a connection-level problem the client found */
	/* requests */
	struct h3c_req req[H3C_REQS];
	uint32_t nreq, next_open;
	uint32_t max_open;                 /* most request streams open at once */
	int16_t by_index[H3C_REQS];        /* request of client bidi stream index (id >> 2) */
	/* the connection's end */
	bool closed;                       /* the client's connection was freed */
	bool peer_closed, peer_close_app;  /* the server's CONNECTION_CLOSE */
	uint64_t peer_close_error;
	bool local_closed, local_close_app;  /* or the client's own */
	uint64_t local_close_error;
	/* the arena */
	uint8_t arena[H3C_ARENA];
	size_t arena_len;
};

extern struct h3c h3c;

/* Everything reset (call before setup_pair); flags H3C_*. */
void h3c_init(unsigned flags);
/* The client endpoint's quic_app_ops (app_ctx unused). */
const struct quic_app_ops *h3c_app_ops(void);

/* A request (queued); returns its index in h3c.req. */
int h3c_request(const struct h3c_spec *spec);
/* GET / HEAD / POST with :scheme https, :authority localhost. */
int h3c_get(const char *path);
int h3c_head(const char *path);
int h3c_post(const char *path, const uint8_t *body, uint64_t len);
/* Raw bytes on a new bidirectional stream (its response is read as any
 * other); fin: end the stream after them. */
int h3c_raw(const uint8_t *p, size_t n, bool fin);

/* A new unidirectional stream of the client's (opened at the next
 * step); returns its index in h3c.uni. Nothing is written on it but
 * what h3c_uni_write queues (its type too). */
int h3c_uni_new(void);
/* Queue bytes on one of the client's unidirectional streams (also
 * h3c.ctrl, h3c.enc, h3c.dec). */
void h3c_uni_write(int u, const void *p, size_t n);
/* End it after what is queued / reset it (RESET_STREAM with code). */
void h3c_uni_fin(int u);
void h3c_uni_reset(int u, uint64_t code);

/* The client gives up request r: RESET_STREAM (reset) and/or
 * STOP_SENDING (stop) with code, at once. */
void h3c_cancel(int r, uint64_t code, bool reset, bool stop);
/* From now on the client reads request r's response stream at most at
 * bytes_per_s (counted from now; 0: not at all, so that its flow-control
 * window stays closed; UINT64_MAX: as it arrives). A slow client. */
void h3c_throttle(int r, uint64_t bytes_per_s);
/* STOP_SENDING with code on the server's unidirectional stream of this
 * type (control, QPACK encoder or decoder); false if not seen yet. */
bool h3c_peer_stop(uint64_t type, uint64_t code);

/* Builders for raw bytes: each returns the bytes written at out. */
size_t h3c_varint(uint8_t *out, uint64_t v);
size_t h3c_frame(uint8_t *out, uint64_t type, const void *payload, size_t len);
/* A HEADERS frame of a request encoded static-only (no dynamic table,
 * nothing on the encoder stream): GET https://localhost<path> with the
 * extra fields. */
size_t h3c_headers_frame(uint8_t *out, size_t cap, const char *method, const char *path,
			 const struct qpack_field *fields, size_t n);

/* Opens streams, writes what waits, flushes the QPACK streams. Called
 * by h3c_run before every simulator step. */
void h3c_step(void);
/* sim_run until until() (with h3c_step before every step), at most ns
 * of virtual time: sim_run's result (0 once until() held). */
int h3c_run(bool (*until)(void), uint64_t ns);

/* Conditions for h3c_run */
bool h3c_all_done(void);      /* every request answered, reset or cut by the close */
bool h3c_conn_gone(void);     /* the client's connection was freed */
bool h3c_close_seen(void);    /* the server's CONNECTION_CLOSE arrived (or the connection is gone) */
bool h3c_ready(void);         /* established, own streams open, the server's SETTINGS read */
bool h3c_req_done(int i);

/* Every request, its stream at both ends (server: the server's
 * connection, or NULL) and the connection's state, for a failure. */
void h3c_dump(struct quic_conn *server);

/* FNV-1a 64 of term's /bytes/N body (n bytes of i % 251). */
uint64_t h3c_bytes_hash(uint64_t n);

#endif
