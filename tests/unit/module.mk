# cmocka unit tests: one program per tests/unit/test_<module>.c.
# Linux boards build each as its own program (run directly or under
# qemu-aarch64); a bare-metal board links them all into one selftest image
# (see board/<board>/board.mk, which sets UNIT_BAREMETAL). This file is
# the list only; tests/unit/rules.mk, read after it, builds and runs it.
unit-y += tests/unit/test_pool.c tests/unit/test_arena.c tests/unit/test_buf.c
# crypto/crypto.h on the linked backend; quic/protect against RFC 9001/9369
unit-y += tests/unit/test_crypto.c tests/unit/test_protect.c
# QUIC wire formats
unit-y += tests/unit/test_packet.c tests/unit/test_frame.c tests/unit/test_tparams.c
unit-y += tests/unit/test_token.c tests/unit/test_cid.c tests/unit/test_reasm.c \
	tests/unit/test_ackrange.c
# the TLS handshake through quic/tls (wolfSSL's QUIC API)
unit-y += tests/unit/test_tls.c
CFLAGS_tests/unit/test_tls.c = $(WOLFSSL_INC)
# crypto/crypto.h against vectors from an independent implementation
# (tests/unit/data/crypto_oracle.h, tools/gen_crypto_oracle.py)
unit-y += tests/unit/test_crypto_oracle.c
# wolfSSL as built by mk/wolfssl.mk (its headers, tern's user_settings.h)
unit-y += tests/unit/test_wolfssl.c
CFLAGS_tests/unit/test_wolfssl.c = $(WOLFSSL_INC)

# the endpoint and its connections, end to end in memory
unit-y += tests/unit/test_endpoint.c
# 100,000 random and mutated datagrams into a server (run under ASan in host-san)
unit-y += tests/unit/test_endpoint_fuzz.c

# the link simulator (tests/sim) and its own test
unit-y += tests/unit/test_sim.c
UNIT_SIM_SRCS := tests/sim/sim.c
# unit programs link their own object and libtern.a: test_sim adds the simulator
$(O)/tests/unit/test_sim: $(call obj,$(UNIT_SIM_SRCS))
$(O)/tests/unit/test_sim: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_SIM_SRCS))
unit-y += tests/unit/test_stream.c
# tern client and server over the simulator
unit-y += tests/unit/test_sim_quic.c
$(O)/tests/unit/test_sim_quic: $(call obj,$(UNIT_SIM_SRCS))
$(O)/tests/unit/test_sim_quic: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_SIM_SRCS))
CFLAGS_tests/unit/test_sim_quic.c = -I$(TOP)
# RFC 9002 loss detection and PTO (quic/recovery) on hand-made packets
unit-y += tests/unit/test_recovery.c

# congestion control (quic/cc.h). Each program links quic/cc.c and its own
# algorithm as objects of its own, before libtern.a, whatever QUIC_CC put
# in the library: every quic_cc_* symbol is then defined before the
# archive is searched, so neither its cc.o nor its algorithm is pulled in
# (and nothing clashes). A bare-metal image links only the library's
# algorithm; the other suite skips itself there.
unit-y += tests/unit/test_cc_newreno.c tests/unit/test_cc_cubic.c
UNIT_CC_NEWRENO_SRCS := quic/cc.c quic/cc_newreno.c
UNIT_CC_CUBIC_SRCS := quic/cc.c quic/cc_cubic.c
$(O)/tests/unit/test_cc_newreno: $(call obj,$(UNIT_CC_NEWRENO_SRCS))
$(O)/tests/unit/test_cc_newreno: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_CC_NEWRENO_SRCS))
$(O)/tests/unit/test_cc_cubic: $(call obj,$(UNIT_CC_CUBIC_SRCS))
$(O)/tests/unit/test_cc_cubic: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_CC_CUBIC_SRCS))
# tests/sim/quic_pair: a tern client and server over the simulator and the
# application that checks their streams (cmocka asserts: the unit tests'
# flags); the simulator's tern tests link it with tests/sim/sim.c
UNIT_PAIR_SRCS := tests/sim/sim.c tests/sim/quic_pair.c
$(call obj,tests/sim/quic_pair.c): EXTRA_CFLAGS += $(UNIT_CFLAGS) $(CMOCKA_BM_CFLAGS)
$(O)/tests/unit/test_sim_quic: $(call obj,$(UNIT_PAIR_SRCS))
$(O)/tests/unit/test_sim_quic: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_PAIR_SRCS))
# the QUIC interop runner's test cases (handshake, transfer, loss,
# corruption, long RTT, blackhole, key update, amplification, retry)
unit-y += tests/unit/test_sim_interop.c
$(O)/tests/unit/test_sim_interop: $(call obj,$(UNIT_PAIR_SRCS))
$(O)/tests/unit/test_sim_interop: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_PAIR_SRCS))
CFLAGS_tests/unit/test_sim_interop.c = -I$(TOP)
# a bare-metal board links tests/sim/sim.c into its one selftest image but
# not quic_pair and h3_client: they come in first among the libraries there
ifneq ($(UNIT_BAREMETAL),)
UNIT_LIBS := $(call obj,tests/sim/quic_pair.c tests/sim/h3_client.c) $(UNIT_LIBS)
endif
# bulk throughput (50 MB, 100 Mbit/s, 20 ms): built only in make test's
# `bulk` step (UNIT_BULK=y with configs/fragments/bulk.config): with the
# default 4 KB stream windows flow control, not the controller, sets the
# rate, and the test would only skip itself
unit-$(UNIT_BULK) += tests/unit/test_sim_bulk.c
$(O)/tests/unit/test_sim_bulk: $(call obj,$(UNIT_PAIR_SRCS))
$(O)/tests/unit/test_sim_bulk: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_PAIR_SRCS))
CFLAGS_tests/unit/test_sim_bulk.c = -I$(TOP)
# paths: NAT rebinding (port, address) and client migration mid-transfer
unit-y += tests/unit/test_sim_path.c
$(O)/tests/unit/test_sim_path: $(call obj,$(UNIT_PAIR_SRCS))
$(O)/tests/unit/test_sim_path: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_PAIR_SRCS))
CFLAGS_tests/unit/test_sim_path.c = -I$(TOP)
# ECN: validation, a bleaching path, CE as congestion, a port without ECN
unit-y += tests/unit/test_sim_ecn.c
$(O)/tests/unit/test_sim_ecn: $(call obj,$(UNIT_PAIR_SRCS))
$(O)/tests/unit/test_sim_ecn: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_PAIR_SRCS))
CFLAGS_tests/unit/test_sim_ecn.c = -I$(TOP)
# HTTP/3 over the simulator: tern's server side (http3/h3conn, term/) on
# the server endpoint against the test client tests/sim/h3_client:
# responses, QPACK both ways, GOAWAY, and every connection and stream
# error code a client can provoke
UNIT_H3_SRCS := $(UNIT_PAIR_SRCS) tests/sim/h3_client.c
$(call obj,tests/sim/h3_client.c): EXTRA_CFLAGS += $(UNIT_CFLAGS) $(CMOCKA_BM_CFLAGS)
unit-y += tests/unit/test_sim_h3.c
$(O)/tests/unit/test_sim_h3: $(call obj,$(UNIT_H3_SRCS))
$(O)/tests/unit/test_sim_h3: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_H3_SRCS))
CFLAGS_tests/unit/test_sim_h3.c = -I$(TOP)
unit-y += tests/unit/test_sim_h3_errors.c
$(O)/tests/unit/test_sim_h3_errors: $(call obj,$(UNIT_H3_SRCS))
$(O)/tests/unit/test_sim_h3_errors: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_H3_SRCS))
CFLAGS_tests/unit/test_sim_h3_errors.c = -I$(TOP)
# term/backend over the simulator: the same client and server, and
# scripted HTTP/1.1 backends behind (tests/sim/tcp_fake: port/port.h's
# TCP in virtual time). Linked before libtern.a, the fake defines every
# port_tcp_* first: the archive's port/posix/tcp.c (port/lwip/tcp.c
# bare metal) is not pulled in. A bare-metal selftest image takes it
# among its own objects (UNIT_BM_OBJS, ahead of libtern.a); built with
# -DTCP_FAKE_NO_PORT it would leave the board's TCP in place and the
# program would skip itself.
UNIT_BACKEND_SRCS := $(UNIT_H3_SRCS) tests/sim/tcp_fake.c
unit-y += tests/unit/test_sim_backend.c
$(O)/tests/unit/test_sim_backend: $(call obj,$(UNIT_BACKEND_SRCS))
$(O)/tests/unit/test_sim_backend: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_BACKEND_SRCS))
CFLAGS_tests/unit/test_sim_backend.c = -I$(TOP)
ifneq ($(UNIT_BAREMETAL),)
UNIT_BM_OBJS += $(call obj,tests/sim/tcp_fake.c)
endif
# session resumption and 0-RTT through quic/tls (tickets, strike register,
# ClientHello scan); run with CONFIG_QUIC_0RTT=n and =y
unit-y += tests/unit/test_tls_resume.c
CFLAGS_tests/unit/test_tls_resume.c = $(WOLFSSL_INC)
# resumption and 0-RTT (accepted, refused) over the simulator, both settings
unit-y += tests/unit/test_sim_0rtt.c
$(O)/tests/unit/test_sim_0rtt: $(call obj,$(UNIT_PAIR_SRCS))
$(O)/tests/unit/test_sim_0rtt: UNIT_EXTRA_OBJS = $(call obj,$(UNIT_PAIR_SRCS))
CFLAGS_tests/unit/test_sim_0rtt.c = -I$(TOP)
# HTTP/3 frames, stream types and frame-sequence rules; request and
# response validation; the backends' HTTP/1.1 response parser (each with a
# 20,000-input robustness run, under ASan in the san builds)
unit-y += tests/unit/test_h3frame.c tests/unit/test_h3msg.c tests/unit/test_h1parse.c
# QPACK (RFC 9204) and the HPACK Huffman code (RFC 7541): RFC examples
# both ways, every error code, split streams; random round trips and a
# 20,000-input robustness run (test_qpack_random, under ASan in the san
# builds)
unit-y += tests/unit/test_huffman.c tests/unit/test_qpack.c tests/unit/test_qpack_random.c
