/* quic/error.h: QUIC transport error codes (RFC 9000 section 20.1), the
 * values a CONNECTION_CLOSE of type 0x1c carries. Parsers return them
 * (as a positive value, 0 = no error) so the connection can close with
 * the right code. */
#ifndef TERN_QUIC_ERROR_H
#define TERN_QUIC_ERROR_H

enum quic_error {
	QUIC_NO_ERROR                  = 0x00,
	QUIC_INTERNAL_ERROR            = 0x01,
	QUIC_CONNECTION_REFUSED        = 0x02,
	QUIC_FLOW_CONTROL_ERROR        = 0x03,
	QUIC_STREAM_LIMIT_ERROR        = 0x04,
	QUIC_STREAM_STATE_ERROR        = 0x05,
	QUIC_FINAL_SIZE_ERROR          = 0x06,
	QUIC_FRAME_ENCODING_ERROR      = 0x07,
	QUIC_TRANSPORT_PARAMETER_ERROR = 0x08,
	QUIC_CONNECTION_ID_LIMIT_ERROR = 0x09,
	QUIC_PROTOCOL_VIOLATION        = 0x0a,
	QUIC_INVALID_TOKEN             = 0x0b,
	QUIC_APPLICATION_ERROR         = 0x0c,
	QUIC_CRYPTO_BUFFER_EXCEEDED    = 0x0d,
	QUIC_KEY_UPDATE_ERROR          = 0x0e,
	QUIC_AEAD_LIMIT_REACHED        = 0x0f,
	QUIC_NO_VIABLE_PATH            = 0x10,
	/* 0x0100-0x01ff: CRYPTO_ERROR, 0x100 + the TLS alert */
	QUIC_CRYPTO_ERROR              = 0x100,
};

#endif
