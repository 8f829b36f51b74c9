# http3/: HTTP/3 and QPACK (DESIGN.md section 1).
# HTTP/3 frames (RFC 9114 7), unidirectional stream types and frame-sequence
# rules; request/response validation (4.1-4.4) over RFC 9110 field syntax
# (hfield, shared with term/h1parse)
core-y += http3/h3frame.c http3/h3msg.c http3/hfield.c
# QPACK (RFC 9204): prefixed integers, strings, the static and dynamic
# tables and the decoder (qpack.c), the encoder (qpack_enc.c), and the
# HPACK Huffman code they share (RFC 7541 5.2, Appendix B)
core-y += http3/qpack.c http3/qpack_enc.c http3/huffman.c
# the server's HTTP/3 connections: control and QPACK streams, requests,
# responses, GOAWAY (RFC 9114 3-7 over quic/conn's stream API)
core-y += http3/h3conn.c
