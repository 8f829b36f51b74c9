# tern — the one entry point. `make help` lists the targets.
#
# Every build happens in an output directory O (default: build) from one
# configuration file (default: .config for O=build, O/.config otherwise).
# The configuration generates O/include/{generated/autoconf.h,
# generated/user_settings.h, generated/lwipopts.h, config/auto.conf}.

.DEFAULT_GOAL := all
TOP     := $(CURDIR)
PYTHON  := /usr/bin/python3
SAN     ?=
V       ?=
Q       := $(if $(V),,@)
O       ?= build$(if $(SAN),-san)
# The config follows O (never the environment: a sub-make with another O
# must not pick up its parent's .config); KCONFIG_CONFIG=file on the
# command line overrides.
ifneq ($(origin KCONFIG_CONFIG),command line)
ifeq ($(filter build build-san,$(O)),$(O))
KCONFIG_CONFIG := .config
else
KCONFIG_CONFIG := $(O)/.config
endif
endif
unexport KCONFIG_CONFIG
KCONFIG  := $(PYTHON) tools/kconfig.py
KCONFIG_FILES := Kconfig $(shell find board port lib crypto quic http3 term -name Kconfig 2>/dev/null)
TERN_VERSION := $(shell cat VERSION)
export TERN_VERSION

# Goals that need no configuration (and must not generate one).
NOCONFIG_GOALS := help deps deps-run menuconfig olddefconfig savedefconfig %_defconfig \
                  clean distclean test build-matrix kconfig-lint run size \
                  test-config test-unit-% test-summary bench-crypto interop
CONFIG_GOALS := $(filter-out $(NOCONFIG_GOALS),$(or $(MAKECMDGOALS),all))
ifneq ($(filter %_defconfig,$(MAKECMDGOALS)),)
CONFIG_GOALS := $(filter-out %_defconfig,$(CONFIG_GOALS))
endif

# ---------------------------------------------------------------- deps
# tools/deps.sh is idempotent and fast when everything is present; sub-makes
# skip it (TERN_DEPS_DONE).
.PHONY: deps
deps:
ifneq ($(TERN_DEPS_DONE),1)
	$(Q)bash tools/deps.sh
endif
# make run: only what the host build needs (tools/deps.sh --run)
.PHONY: deps-run
deps-run:
ifneq ($(TERN_DEPS_DONE),1)
	$(Q)bash tools/deps.sh --run
endif
export TERN_DEPS_DONE := 1

# ---------------------------------------------------------------- configuration
.PHONY: menuconfig olddefconfig savedefconfig kconfig-lint
menuconfig: deps
	$(Q)test -f $(KCONFIG_CONFIG) || $(KCONFIG) defconfig --config $(KCONFIG_CONFIG) configs/host_defconfig
	$(Q)KCONFIG_CONFIG=$(KCONFIG_CONFIG) MENUCONFIG_STYLE=aquatic $(PYTHON) -m menuconfig Kconfig

olddefconfig: deps
	$(Q)$(KCONFIG) olddefconfig --config $(KCONFIG_CONFIG)

savedefconfig: deps
	$(Q)$(KCONFIG) savedefconfig --config $(KCONFIG_CONFIG) --defconfig $(O)/defconfig

%_defconfig: deps
	$(Q)$(KCONFIG) defconfig --config $(KCONFIG_CONFIG) configs/$@ $(FRAGMENTS)

kconfig-lint: deps
	$(Q)$(KCONFIG) lint

ifneq ($(CONFIG_GOALS),)
$(KCONFIG_CONFIG):
	@echo "  CONFIG  no $(KCONFIG_CONFIG): using configs/host_defconfig"
	$(Q)$(KCONFIG) defconfig --config $@ configs/host_defconfig

$(O)/include/config/auto.conf: $(KCONFIG_CONFIG) $(KCONFIG_FILES) tools/kconfig.py \
                               tools/gen_header.py tools/gen_user_settings.py \
                               tools/gen_lwipopts.py | deps
	$(Q)$(KCONFIG) genconfig --config $(KCONFIG_CONFIG) --out $(O)
	$(Q)touch $@

include $(O)/include/config/auto.conf
endif

# ---------------------------------------------------------------- toolchain
BOARD := $(CONFIG_BOARD)
ifeq ($(CONFIG_ARCH_ARM64),y)
CROSS ?= aarch64-linux-gnu-
ARCH  := arm64
else
CROSS ?=
ARCH  := $(shell uname -m)
endif
CC      := $(CROSS)gcc
AR      := $(CROSS)ar
NM      := $(CROSS)nm
SIZE    := $(CROSS)size
OBJCOPY := $(CROSS)objcopy
QEMU_USER := qemu-aarch64 -L /usr/aarch64-linux-gnu

GEN     := $(O)/include/generated
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
OPT     ?= -O2
BASE_CFLAGS := -std=gnu11 $(OPT) -g -ffunction-sections -fdata-sections -MMD -MP
ifeq ($(CONFIG_ARCH_ARM64),y)
# Plain ARMv8-A: the image runs on any arm64 CPU. Files that use the Crypto
# Extensions add +crypto for themselves (crypto/module.mk) and run only
# where the CPU probe found them.
BASE_CFLAGS += -march=armv8-a
endif
ifneq ($(SAN),)
# UBSan findings abort (a warning alone would not fail a test)
BASE_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined \
               -fno-omit-frame-pointer -DTERN_SAN=1
SAN_LDFLAGS := -fsanitize=address,undefined
endif
# tern's own code: strict warnings, config macros everywhere.
TERN_CFLAGS := $(BASE_CFLAGS) $(WARN) -Werror -imacros $(GEN)/autoconf.h -I$(TOP) -I$(O)/include -DTERN_VERSION=\"$(TERN_VERSION)\"
LDFLAGS   = -Wl,--gc-sections -Wl,-Map=$@.map $(SAN_LDFLAGS)
LDLIBS    :=

# ---------------------------------------------------------------- modules
# Each directory's module.mk appends sources to:
#   core-y   the portable core (lib/ crypto/ quic/ http3/ term/) -> libtern.a
#   port-y   port/<port>/                                        -> libtern.a
#   board-y  board/<board>/ objects linked into the image
#   image    the image file name (set by the board)
#   unit-y   tests/unit/test_*.c, one cmocka program each
obj = $(patsubst %.c,$(O)/obj/%.o,$(patsubst %.S,$(O)/obj/%.o,$(1)))

core-y  :=
port-y  :=
board-y :=
unit-y  :=
LIBS    :=
include lib/module.mk
-include crypto/module.mk quic/module.mk http3/module.mk term/module.mk
ifneq ($(BOARD),)
include board/$(BOARD)/board.mk
-include mk/wolfssl.mk
-include mk/lwip.mk
include mk/cmocka.mk
include tests/unit/module.mk
include tests/unit/rules.mk
# a bare-metal board's rules for its unit-test image need the whole unit-y
-include board/$(BOARD)/unit.mk
endif

CORE_OBJS := $(call obj,$(core-y) $(port-y))
$(O)/lib/libtern.a: $(CORE_OBJS)
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(O)/obj/%.o: %.c $(O)/include/config/auto.conf
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(TERN_CFLAGS) $(CFLAGS_$(<)) $(EXTRA_CFLAGS) -c $< -o $@

$(O)/obj/%.o: %.S $(O)/include/config/auto.conf
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(TERN_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- top targets
.PHONY: all unit
all: $(IMAGE)
unit: $(UNIT_RUN)

.PHONY: help
help:
	@sed -n '/^## /s/^## //p' Makefile
## Targets (O=dir picks the output directory, SAN=1 builds with ASan+UBSan):
##   make run              the host terminator on 127.0.0.1:4433
##   make test             everything that must pass before a change lands
##   make interop          build the host tern, run tests/interop/{handshake,h3}.sh on it
##   make fuzz             tests/fuzz/'s harnesses: libFuzzer FUZZ_SECONDS (60) each if clang
##                         has it, else gcc + ASan/UBSan on seeds and mutants (tests/fuzz/fuzz.mk)
##   make fuzz-replay      the harnesses on their seeds + 100000 mutants each, gcc + ASan/UBSan
##   make                  the image for the board in .config (host defconfig if none)
##   make unit             build and run the unit tests for the board in .config
##                         (bare metal: all suites in build/selftest.elf under QEMU)
##   make menuconfig       edit .config;  make olddefconfig / savedefconfig
##   make <board>_defconfig   host, linux-arm64, qemu-virt-arm64 (configs/)
##   make qemu             boot the bare-metal image (qemu-virt-arm64 board)
##   make boot-test        boot it and check banner, pool stats, exit status
##   make nm-check         prove the bare-metal image links no malloc/free
##   make size             text/data/bss per directory of the arm64 images
##   make build-matrix     every defconfig x QUIC_0RTT y/n x crypto backend
##   make bench-crypto     AEAD+HP: host MB/s, aarch64 insn/byte (qemu plugin), per backend
##   make deps             install Debian packages and unpack third_party/
##   make clean            remove O;  make distclean  also .config and third_party/

# ---------------------------------------------------------------- run, size, matrix
RUN_ARGS ?=
# make run serves a self-signed certificate of its own (made once, kept in
# build/demo-cert/); --cert/--key in RUN_ARGS come later and win
DEMO_CERT := build/demo-cert
RUN_CERT = --cert $(DEMO_CERT)/cert.pem --key $(DEMO_CERT)/key.pem
.PHONY: run
# the build in parallel unless -j was given (a first `make run` compiles
# wolfSSL: about half the time on 2 cores)
RUN_JOBS = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 2))
run: deps-run
	$(Q)bash tools/gen_demo_cert.sh $(DEMO_CERT)
	$(Q)if [ ! -f $(KCONFIG_CONFIG) ] || grep -q '^CONFIG_BOARD_HOST=y' $(KCONFIG_CONFIG); then \
		$(MAKE) --no-print-directory $(RUN_JOBS) all && echo "  RUN     $(O)/tern $(RUN_CERT) $(RUN_ARGS)" && \
		exec $(O)/tern $(RUN_CERT) $(RUN_ARGS); \
	else \
		echo "  RUN     $(KCONFIG_CONFIG) is for another board: running the host defconfig from build/run"; \
		[ -f build/run/.config ] || $(MAKE) --no-print-directory O=build/run host_defconfig; \
		$(MAKE) --no-print-directory O=build/run $(RUN_JOBS) all && exec build/run/tern $(RUN_CERT) $(RUN_ARGS); \
	fi

# make interop: gtlsclient against the host tern on loopback, the QUIC
# handshake cases, then the HTTP/3 ones (tests/interop/). The host build
# is $(O)'s, or build/interop from the host defconfig when $(KCONFIG_CONFIG)
# is for another board. Both scripts run; either one failing fails the goal.
.PHONY: interop
interop: deps
	$(Q)if [ ! -f $(KCONFIG_CONFIG) ] || grep -q '^CONFIG_BOARD_HOST=y' $(KCONFIG_CONFIG); then \
		o=$(O); \
	else \
		o=build/interop; echo "  INTEROP $(KCONFIG_CONFIG) is for another board: the host defconfig in $$o"; \
		[ -f $$o/.config ] || $(MAKE) --no-print-directory O=$$o host_defconfig || exit 1; \
	fi; \
	$(MAKE) --no-print-directory O=$$o all || exit 1; \
	rc=0; \
	echo "  INTEROP tests/interop/handshake.sh $$o/tern"; bash tests/interop/handshake.sh $$o/tern || rc=1; \
	echo "  INTEROP tests/interop/h3.sh $$o/tern"; bash tests/interop/h3.sh $$o/tern || rc=1; \
	exit $$rc

.PHONY: print-image size-image size build-matrix
print-image:
	@echo IMAGE=$(IMAGE)
# size of this O's image, per directory (from the link map)
size-image: $(IMAGE)
	$(Q)$(PYTHON) tools/size.py $(IMAGE).map --srcs "$(core-y) $(port-y) $(board-y)" \
		--title "== $(IMAGE) ($(BOARD), crypto $(if $(CONFIG_CRYPTO_ARM64),arm64,portable), 0-RTT $(if $(CONFIG_QUIC_0RTT),on,off))"
# the arm64 images, from their defconfigs, then the crypto footprint of
# each backend: tools/size/crypto_footprint.c reaches all of crypto/crypto.h
# (the images do not call it yet), linked for linux-arm64 with either backend
size: deps
	$(Q)for b in linux-arm64 qemu-virt-arm64; do \
		if [ -f build/size/$$b/.config ]; then $(MAKE) --no-print-directory O=build/size/$$b olddefconfig >/dev/null; \
		else $(MAKE) --no-print-directory O=build/size/$$b $${b}_defconfig >/dev/null; fi || exit 1; \
		$(MAKE) --no-print-directory O=build/size/$$b all >/dev/null || exit 1; \
		$(MAKE) --no-print-directory -s O=build/size/$$b size-image || exit 1; echo; \
	done
	$(Q)for be in arm64 portable; do o=build/size/crypto-$$be; \
		frag=; [ $$be = portable ] && frag=configs/fragments/crypto-portable.config; \
		if [ -f $$o/.config ]; then $(MAKE) --no-print-directory O=$$o olddefconfig >/dev/null; \
		else $(MAKE) --no-print-directory O=$$o linux-arm64_defconfig FRAGMENTS=$$frag >/dev/null; fi || exit 1; \
		$(MAKE) --no-print-directory O=$$o size-crypto >/dev/null || exit 1; \
		$(MAKE) --no-print-directory -s O=$$o size-crypto-report || exit 1; echo; \
	done
	$(Q)$(MAKE) --no-print-directory O=build/size/crypto-arm64 build/size/crypto-arm64/size/conn_footprint >/dev/null && \
		$(MAKE) --no-print-directory -s O=build/size/crypto-arm64 size-conn

build-matrix: deps
	$(Q)bash tools/build-matrix.sh

.PHONY: clean distclean
clean:
	rm -rf $(O)
# only what tools/deps.sh unpacked (named by its stamps); patches/ stays
distclean:
	rm -rf build build-san .config .config.old
	$(Q)for st in third_party/.*.stamp; do [ -f "$$st" ] || continue; \
		d=$$(cat "$$st"); [ -n "$$d" ] && rm -rf "third_party/$$d"; rm -f "$$st" "$${st%.stamp}.patches"; done

include mk/test.mk
include mk/bench.mk
include mk/size.mk

# ---------------------------------------------------------------- fuzz
# make fuzz, make fuzz-replay: the libFuzzer harnesses of tests/fuzz/
include tests/fuzz/fuzz.mk
