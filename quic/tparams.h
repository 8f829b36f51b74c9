/* quic/tparams: QUIC transport parameters (RFC 9000 sections 7.3, 7.4,
 * 18): the value of the quic_transport_parameters TLS extension (RFC 9001
 * 8.2), encoded, decoded, validated, and the connection IDs in them
 * checked against those of the handshake's Initial packets.
 *
 * Sending (a server):
 *   quic_tparams_init(&tp);
 *   tp.initial_max_data = ...;
 *   tp.initial_scid = scid; tp.present |= QUIC_TP_BIT(QUIC_TP_INITIAL_SCID);
 *   quic_tparams_encode(&tp, true, buf, sizeof(buf), &len);
 * Receiving (a client):
 *   err = quic_tparams_decode(ext, extlen, true, &peer);
 *   if (!err) err = quic_tparams_check_cids(&peer, true, &server_scid, &odcid, retry_scid);
 *   (close with err, an enum quic_error, if it is not 0)
 */
#ifndef TERN_QUIC_TPARAMS_H
#define TERN_QUIC_TPARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quic/quic-t.h"

/* Transport parameter IDs (RFC 9000 18.2); also bit numbers in
 * quic_tparams.present. */
enum quic_tp_id {
	QUIC_TP_ORIGINAL_DCID                       = 0x00,
	QUIC_TP_MAX_IDLE_TIMEOUT                    = 0x01,
	QUIC_TP_STATELESS_RESET_TOKEN               = 0x02,
	QUIC_TP_MAX_UDP_PAYLOAD_SIZE                = 0x03,
	QUIC_TP_INITIAL_MAX_DATA                    = 0x04,
	QUIC_TP_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL  = 0x05,
	QUIC_TP_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE = 0x06,
	QUIC_TP_INITIAL_MAX_STREAM_DATA_UNI         = 0x07,
	QUIC_TP_INITIAL_MAX_STREAMS_BIDI            = 0x08,
	QUIC_TP_INITIAL_MAX_STREAMS_UNI             = 0x09,
	QUIC_TP_ACK_DELAY_EXPONENT                  = 0x0a,
	QUIC_TP_MAX_ACK_DELAY                       = 0x0b,
	QUIC_TP_DISABLE_ACTIVE_MIGRATION            = 0x0c,
	QUIC_TP_PREFERRED_ADDRESS                   = 0x0d,
	QUIC_TP_ACTIVE_CONNECTION_ID_LIMIT          = 0x0e,
	QUIC_TP_INITIAL_SCID                        = 0x0f,
	QUIC_TP_RETRY_SCID                          = 0x10,
	QUIC_TP_COUNT
};

#define QUIC_TP_BIT(id) (UINT32_C(1) << (id))

/* The parameters only a server may send (RFC 9000 18.2, last paragraph). */
#define QUIC_TP_SERVER_ONLY                                                \
	(QUIC_TP_BIT(QUIC_TP_ORIGINAL_DCID) |                              \
	 QUIC_TP_BIT(QUIC_TP_STATELESS_RESET_TOKEN) |                      \
	 QUIC_TP_BIT(QUIC_TP_PREFERRED_ADDRESS) |                          \
	 QUIC_TP_BIT(QUIC_TP_RETRY_SCID))

/* Defaults when absent (RFC 9000 18.2) and the limits of valid values. */
#define QUIC_TP_DEFAULT_MAX_UDP_PAYLOAD_SIZE 65527
#define QUIC_TP_MIN_MAX_UDP_PAYLOAD_SIZE     1200
#define QUIC_TP_DEFAULT_ACK_DELAY_EXPONENT   3
#define QUIC_TP_MAX_ACK_DELAY_EXPONENT       20
#define QUIC_TP_DEFAULT_MAX_ACK_DELAY        25          /* ms */
#define QUIC_TP_MAX_ACK_DELAY_LIMIT          (1u << 14)  /* values >= are invalid */
#define QUIC_TP_DEFAULT_ACTIVE_CID_LIMIT     2           /* also the minimum */
#define QUIC_TP_MAX_STREAMS_LIMIT            (UINT64_C(1) << 60)  /* RFC 9000 4.6 */

/* The value of preferred_address (RFC 9000 18.2, Figure 22). An all-zero
 * address and port means the server offers no address of that family. */
struct quic_preferred_address {
	uint8_t ipv4[4];
	uint16_t ipv4_port;
	uint8_t ipv6[16];
	uint16_t ipv6_port;
	struct quic_cid cid;  /* 1..20 bytes, sequence number 1 (RFC 9000 5.1.1) */
	uint8_t reset_token[QUIC_STATELESS_RESET_TOKEN_LEN];
};

/* One endpoint's transport parameters. Integer values are always valid
 * (defaults when absent). present has QUIC_TP_BIT(id) set for each
 * parameter that was received; when encoding, a parameter is sent if its
 * bit is set or (integers only) its value differs from the default, so
 * the CIDs, stateless_reset_token, disable_active_migration and
 * preferred_address are sent only with their bit set. */
struct quic_tparams {
	uint32_t present;
	uint64_t max_idle_timeout;                     /* ms, 0 = none */
	uint64_t max_udp_payload_size;
	uint64_t initial_max_data;
	uint64_t initial_max_stream_data_bidi_local;
	uint64_t initial_max_stream_data_bidi_remote;
	uint64_t initial_max_stream_data_uni;
	uint64_t initial_max_streams_bidi;
	uint64_t initial_max_streams_uni;
	uint64_t ack_delay_exponent;
	uint64_t max_ack_delay;                        /* ms */
	uint64_t active_connection_id_limit;
	struct quic_cid original_dcid;
	struct quic_cid initial_scid;
	struct quic_cid retry_scid;
	uint8_t stateless_reset_token[QUIC_STATELESS_RESET_TOKEN_LEN];
	struct quic_preferred_address preferred_address;
};

static inline bool quic_tparams_has(const struct quic_tparams *tp, enum quic_tp_id id)
{
	return tp->present & QUIC_TP_BIT(id);
}

/* Every parameter absent: the RFC 9000 18.2 defaults, nothing present. */
void quic_tparams_init(struct quic_tparams *tp);

/* Encode tp, parameters in ID order, into out[0..cap); *len gets the
 * length. -1 if it does not fit, if an integer is out of its valid range,
 * a CID is longer than 20 bytes or the preferred address's CID is empty,
 * or if !server and a server-only parameter is present. */
int quic_tparams_encode(const struct quic_tparams *tp, bool server, uint8_t *out, size_t cap,
			size_t *len);

/* Decode the peer's parameters into tp (which is initialised first, so
 * absent parameters have their defaults). Returns 0 or
 * QUIC_TRANSPORT_PARAMETER_ERROR: truncated input, a value whose length
 * does not match its encoding, a value out of range, a known parameter
 * twice, or a server-only parameter from a client (!from_server).
 * Unknown IDs, reserved ones (31 * N + 27) included, are skipped. On
 * error tp is left partly filled and must not be used. */
int quic_tparams_decode(const uint8_t *p, size_t len, bool from_server, struct quic_tparams *tp);

/* The connection ID authentication of RFC 9000 7.3 on the peer's decoded
 * parameters. peer_scid is the Source Connection ID of the peer's first
 * Initial packet. For a server's parameters (from_server), odcid is the
 * Destination Connection ID of the client's first Initial and retry_scid
 * the Source Connection ID of the Retry packet, or NULL if there was no
 * Retry; both are ignored otherwise. Returns 0 or
 * QUIC_TRANSPORT_PARAMETER_ERROR. */
int quic_tparams_check_cids(const struct quic_tparams *tp, bool from_server,
			    const struct quic_cid *peer_scid, const struct quic_cid *odcid,
			    const struct quic_cid *retry_scid);

#endif
