# quic/: the QUIC transport (DESIGN.md section 1).
core-y += quic/protect.c
# wire formats: packet headers and numbers (RFC 9000 17, A), frames (19),
# transport parameters (18)
core-y += quic/packet.c quic/frame.c quic/tparams.c
# the TLS 1.3 handshake through wolfSSL's QUIC API
core-y += quic/tls.c
CFLAGS_quic/tls.c = $(WOLFSSL_INC)
# session-ticket keys and format, the 0-RTT strike register and ClientHello scan
core-y += quic/ticket.c
# stateless reset and address validation tokens from the static secret
core-y += quic/token.c
# the connection-ID table (routing by DCID)
core-y += quic/cid.c
# in-order delivery of CRYPTO data
core-y += quic/reasm.c
# received packet numbers: ACK ranges and duplicate detection
core-y += quic/ackrange.c
# connections and the endpoint (routing, Retry, VN, stateless reset)
core-y += quic/conn.c quic/conn_cid.c quic/conn_stream.c quic/conn_path.c quic/endpoint.c
# RFC 9002 loss detection and PTO over the shared sent-packet pool
core-y += quic/recovery.c
# streams: data in pooled chunks, state machines, flow control, stream limits
core-y += quic/stream.c
# congestion control and pacing (RFC 9002 7): the shared half, then the
# algorithm chosen in Kconfig (QUIC_CC)
core-y += quic/cc.c
core-$(CONFIG_QUIC_CC_NEWRENO) += quic/cc_newreno.c
core-$(CONFIG_QUIC_CC_CUBIC) += quic/cc_cubic.c
