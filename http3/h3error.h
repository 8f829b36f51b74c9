/* http3/h3error.h: HTTP/3 error codes (RFC 9114 section 8.1), the values
 * a CONNECTION_CLOSE of type 0x1d or a RESET_STREAM / STOP_SENDING on an
 * HTTP/3 connection carries. Parsers return them as a positive value
 * (0 = no error), like quic/error.h for the transport.
 *
 * RFC 9204 section 6 puts the QPACK codes in the same registry; they are
 * listed here so that one enum covers every application error code a
 * connection can close with.
 */
#ifndef TERN_HTTP3_H3ERROR_H
#define TERN_HTTP3_H3ERROR_H

enum h3_error {
	H3_NO_ERROR                   = 0x0100,
	H3_GENERAL_PROTOCOL_ERROR     = 0x0101,
	H3_INTERNAL_ERROR             = 0x0102,
	H3_STREAM_CREATION_ERROR      = 0x0103,
	H3_CLOSED_CRITICAL_STREAM     = 0x0104,
	H3_FRAME_UNEXPECTED           = 0x0105,
	H3_FRAME_ERROR                = 0x0106,
	H3_EXCESSIVE_LOAD             = 0x0107,
	H3_ID_ERROR                   = 0x0108,
	H3_SETTINGS_ERROR             = 0x0109,
	H3_MISSING_SETTINGS           = 0x010a,
	H3_REQUEST_REJECTED           = 0x010b,
	H3_REQUEST_CANCELLED          = 0x010c,
	H3_REQUEST_INCOMPLETE         = 0x010d,
	H3_MESSAGE_ERROR              = 0x010e,
	H3_CONNECT_ERROR              = 0x010f,
	H3_VERSION_FALLBACK           = 0x0110,
	/* RFC 9204 6 */
	H3_QPACK_DECOMPRESSION_FAILED = 0x0200,
	H3_QPACK_ENCODER_STREAM_ERROR = 0x0201,
	H3_QPACK_DECODER_STREAM_ERROR = 0x0202,
};

/* Reserved codes 0x1f * N + 0x21 (RFC 9114 8.1): sent to exercise the
 * peer's handling of unknown codes, never to mean anything. */
#define H3_ERROR_IS_RESERVED(c) ((c) >= 0x21 && ((c) - 0x21) % 0x1f == 0)

#endif
