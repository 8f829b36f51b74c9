# quic/: the QUIC transport (DESIGN.md section 1).
core-y += quic/protect.c
