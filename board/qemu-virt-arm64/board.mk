# board/qemu-virt-arm64: bare metal on QEMU's virt machine (Cortex-A72).
# Own boot code and linker script (link.ld.S), picolibc as the C library,
# console on the PL011, exit through semihosting. Two ELF images:
#   $(O)/tern.elf      the terminator (no malloc at all: `make nm-check`)
#   $(O)/selftest.elf  every cmocka test of unit-y (board/.../unit.mk)
# `make qemu` boots tern.elf, `make unit` runs selftest.elf, `make
# boot-test` checks tern.elf's boot; all through tests/qemu/run.sh.

BM_DIR  := board/qemu-virt-arm64
PICOLIBC_SPECS := /usr/lib/picolibc/aarch64-linux-gnu/picolibc.specs

# Every file of the image (tern's, cmocka, wolfSSL, lwIP) is compiled and
# linked against picolibc. FP/SIMD stays usable (boot.S enables it).
# Linked at fixed addresses: no PIE (Debian's gcc defaults to it).
# TERN_CFLAGS took its copy of BASE_CFLAGS before this file was read.
BM_CFLAGS := --specs=$(PICOLIBC_SPECS) -fno-pie
BASE_CFLAGS += $(BM_CFLAGS)
TERN_CFLAGS += $(BM_CFLAGS)

# Objects shared by both images; main.c, net.c, serve.c and virtio_net.c
# only in tern.elf.
bm-common-y := $(addprefix $(BM_DIR)/,boot.S mmu.c pl011.c timer.c \
                 virtio.c virtio_rng.c board.c port_board.c syscalls.c)
board-y += $(bm-common-y) $(addprefix $(BM_DIR)/,main.c net.c serve.c virtio_net.c)
IMAGE   := $(O)/tern.elf

# The network port: lwIP (mk/lwip.mk builds liblwip.a from .config).
include port/lwip/port.mk
CFLAGS_$(BM_DIR)/main.c = $(LWIP_INC)
CFLAGS_$(BM_DIR)/net.c = $(LWIP_INC)
CFLAGS_$(BM_DIR)/serve.c = $(LWIP_INC)

# The certificate and key built into tern.elf (serve.c), from the files
# .config names (tools/gen_cert.py; both empty: the demo certificate).
# Rewritten only when its text changes.
BM_CERT_FILE := $(patsubst "%",%,$(CONFIG_BOARD_CERT_FILE))
BM_KEY_FILE  := $(patsubst "%",%,$(CONFIG_BOARD_KEY_FILE))
$(GEN)/board_cert.h: tools/gen_cert.py $(O)/include/config/auto.conf $(wildcard $(BM_CERT_FILE) $(BM_KEY_FILE))
	@echo "  GEN     $@ ($(or $(BM_CERT_FILE),the demo certificate))"
	$(Q)$(PYTHON) tools/gen_cert.py $@ "$(BM_CERT_FILE)" "$(BM_KEY_FILE)"
$(call obj,$(BM_DIR)/serve.c): $(GEN)/board_cert.h

# Code that can run with the MMU off (mmu.c before it is on; the UART and
# the exception report whenever something fails): Device memory faults on
# unaligned accesses, and picolibc's memset may use DC ZVA, which faults
# there too, so no calls to the string functions either.
BM_MMU_OFF_CFLAGS := -mstrict-align -ffreestanding -fno-tree-loop-distribute-patterns
CFLAGS_$(BM_DIR)/mmu.c   := $(BM_MMU_OFF_CFLAGS)
CFLAGS_$(BM_DIR)/pl011.c := $(BM_MMU_OFF_CFLAGS)
CFLAGS_$(BM_DIR)/board.c := -mstrict-align

# The linker scripts, from link.ld.S and the configuration; the selftest
# image also gets a heap (picolibc's malloc, for cmocka).
BM_LDS          := $(O)/board/link.ld
BM_LDS_SELFTEST := $(O)/board/link-selftest.ld
BM_LINK = $(CC) $(BASE_CFLAGS) $(LDFLAGS) -static -no-pie -nostartfiles -T $(1)

$(BM_LDS): $(BM_DIR)/link.ld.S $(O)/include/config/auto.conf
	@mkdir -p $(@D)
	@echo "  LDS     $@"
	$(Q)$(CC) -E -P -undef -x c -imacros $(GEN)/autoconf.h $< -o $@

$(BM_LDS_SELFTEST): $(BM_DIR)/link.ld.S $(O)/include/config/auto.conf
	@mkdir -p $(@D)
	@echo "  LDS     $@"
	$(Q)$(CC) -E -P -undef -x c -DBOARD_HEAP=1 -imacros $(GEN)/autoconf.h $< -o $@

$(IMAGE): $(call obj,$(board-y)) $(O)/lib/libtern.a $(BM_LDS)
	@echo "  LD      $@"
	$(Q)$(call BM_LINK,$(BM_LDS)) -o $@ $(call obj,$(board-y)) \
		$(O)/lib/libtern.a $(IMAGE_LIBS) $(LDLIBS)

# ---------------------------------------------------------------- QEMU
# QEMU's RAM starts at 0x40000000; -m covers up to the end of ours.
QEMU_MEM_MB := $(shell echo $$(( ($(CONFIG_BOARD_RAM_BASE) - 0x40000000) / 1048576 + $(CONFIG_BOARD_RAM_SIZE_MB) )))
QEMU_TIMEOUT ?= 120
# The one QEMU command line is in tests/qemu/run.sh.
QEMU_RUN = bash tests/qemu/run.sh -m $(QEMU_MEM_MB) -t $(QEMU_TIMEOUT)

# make qemu: the terminator on QEMU's user network, UDP 127.0.0.1:$(QEMU_HOST_PORT)
# on the host forwarded to the guest's CONFIG_TERM_LISTEN_PORT ('q' stops
# it cleanly, Ctrl-A x at once); QEMU_TIMEOUT=0 for no time limit.
QEMU_HOST_PORT ?= 4433
.PHONY: qemu qemu-test boot-test nm-check
qemu: $(IMAGE)
	@echo "  QEMU    $(IMAGE): HTTP/3 on udp 127.0.0.1:$(QEMU_HOST_PORT) ('q' stops, Ctrl-A x quits)"
	$(Q)QEMU_NET="-netdev user,id=n0,hostfwd=udp:127.0.0.1:$(QEMU_HOST_PORT)-:$(CONFIG_TERM_LISTEN_PORT) \
		-device virtio-net-device,netdev=n0" $(QEMU_RUN) $(IMAGE)

# make qemu-test: the image booted with virtio-net, driven from the host:
# the UDP echo (tests/qemu/net-echo.sh), then HTTP/3 from gtlsclient
# (tests/qemu/h3.sh)
qemu-test: $(IMAGE)
	$(Q)bash tests/qemu/net-echo.sh -m $(QEMU_MEM_MB) $(IMAGE) && \
	echo "=== suite: qemu-h3" && bash tests/qemu/h3.sh $(IMAGE)

boot-test: $(IMAGE)
	$(Q)bash tests/qemu/boot-test.sh -m $(QEMU_MEM_MB) -t $(QEMU_TIMEOUT) $(IMAGE)

# The bare-metal image links no allocator (DESIGN.md section 3): none of
# these may be defined or referenced in tern.elf.
NM_FORBIDDEN := malloc calloc realloc reallocf reallocarray free cfree \
                memalign aligned_alloc posix_memalign valloc pvalloc \
                malloc_usable_size mallinfo sbrk
bm_empty :=
bm_space := $(bm_empty) $(bm_empty)
NM_FORBIDDEN_RE := ^_*($(subst $(bm_space),|,$(strip $(NM_FORBIDDEN))))(_r)? |^__malloc_
# One write of the whole report, so that `make -j` keeps it in one piece.
nm-check: $(IMAGE)
	$(Q)bad=$$($(NM) $(IMAGE) | awk '{ print $$NF, $$(NF-1) }' | grep -E '$(NM_FORBIDDEN_RE)'); \
	out="=== suite: nm-check"; \
	out="$$out\n[==========] nm-check: 1 test(s) run."; \
	if [ -n "$$bad" ]; then \
		out="$$out\n$$(echo "$$bad" | while read -r sym type; do \
			echo "nm-check: $(notdir $(IMAGE)) has $$sym (nm type $$type)"; done)"; \
		out="$$out\n[  FAILED  ] 1 test(s), listed below:"; \
		out="$$out\n[  FAILED  ] nm-check: $(notdir $(IMAGE)) links an allocator"; \
		printf '%b\n' "$$out"; exit 1; \
	fi; \
	out="$$out\nnm-check: $(notdir $(IMAGE)) neither defines nor references $(NM_FORBIDDEN) (nor their _r variants)"; \
	printf '%b\n' "$$out\n[  PASSED  ] 1 test(s)."

# ---------------------------------------------------------------- unit tests
# tests/unit/module.mk skips its Linux rules; board/.../unit.mk (read
# after it, when unit-y is complete) builds selftest.elf.
UNIT_BAREMETAL := 1
UNIT_RUN := unit-run-qemu
