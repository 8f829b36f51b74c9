# tests/fuzz/fuzz.mk: make fuzz and make fuzz-replay (the top Makefile
# includes this). The harnesses need only the sources they test and the
# autoconf.h of a host configuration; they are built here, outside
# libtern.a, into $(O)/fuzz/bin-{libfuzzer,replay}/, and tests/fuzz/run.sh
# runs them (seeds from tests/fuzz/make_seeds.py, corpus, crash files and
# logs all under $(O)/fuzz/).
#
#   make fuzz          clang that links -fsanitize=fuzzer,address,undefined:
#                      libFuzzer, FUZZ_SECONDS per harness on a corpus that
#                      starts from the seeds and grows run after run; else
#                      gcc + ASan/UBSan: the seeds, then up to FUZZ_RUNS
#                      mutants (tests/fuzz/fuzz_main.h) in FUZZ_SECONDS
#   make fuzz-replay   gcc + ASan/UBSan: the seeds, then FUZZ_REPLAY_RUNS
#                      mutants of them from FUZZ_SEED (the host step of
#                      make test runs it)
#
# With a .config for another board both go to a host configuration in
# FUZZ_HOST_O. FUZZ_TARGETS picks harnesses; FUZZ_ENGINE=replay makes
# make fuzz use gcc where clang could do.

FUZZ_TARGETS     ?= h1parse h3frame qpack
FUZZ_SECONDS     ?= 60
FUZZ_RUNS        ?= 50000000
FUZZ_REPLAY_RUNS ?= 100000
FUZZ_SEED        ?= 1
FUZZ_ENGINE      ?= auto
FUZZ_CLANG       ?= clang
FUZZ_HOST_O      ?= build/fuzz

.PHONY: fuzz fuzz-replay
ifeq ($(CONFIG_BOARD_HOST),y)
FUZZ_O := $(O)/fuzz

fuzz-srcs-h1parse := term/h1parse.c http3/hfield.c
fuzz-srcs-h3frame := http3/h3frame.c
fuzz-srcs-qpack   := http3/qpack.c http3/qpack_enc.c http3/huffman.c

# one compile and link per program: a harness is a few sources, and the
# headers they may include are all prerequisites
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer $(WARN) \
               -imacros $(GEN)/autoconf.h -I$(TOP) -I$(O)/include
FUZZ_DEPS   := tests/fuzz/fuzz_main.h $(wildcard lib/*.h http3/*.h term/*.h) \
               $(O)/include/config/auto.conf tests/fuzz/fuzz.mk

define fuzz-rules
$(FUZZ_O)/bin-replay/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(fuzz-srcs-$(1)) $(FUZZ_DEPS)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$(Q)$(CC) $(FUZZ_CFLAGS) -DTERN_FUZZ_MAIN -fsanitize=address,undefined \
		-fno-sanitize-recover=all tests/fuzz/fuzz_$(1).c $(fuzz-srcs-$(1)) -o $$@
$(FUZZ_O)/bin-libfuzzer/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(fuzz-srcs-$(1)) $(FUZZ_DEPS)
	@mkdir -p $$(@D)
	@echo "  CLANG   $$@"
	$(Q)$(FUZZ_CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined tests/fuzz/fuzz_$(1).c $(fuzz-srcs-$(1)) -o $$@
endef
$(foreach h,h1parse h3frame qpack,$(eval $(call fuzz-rules,$(h))))

FUZZ_ENV = FUZZ_BUILD="$(MAKE) $(if $(V),,-s) --no-print-directory O=$(O)" FUZZ_ENGINE=$(FUZZ_ENGINE) \
           FUZZ_CLANG=$(FUZZ_CLANG) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(FUZZ_SEED)
fuzz:
	+$(Q)$(FUZZ_ENV) FUZZ_RUNS=$(FUZZ_RUNS) bash tests/fuzz/run.sh fuzz $(FUZZ_O) $(FUZZ_TARGETS)
fuzz-replay:
	+$(Q)$(FUZZ_ENV) FUZZ_RUNS=$(FUZZ_REPLAY_RUNS) bash tests/fuzz/run.sh replay $(FUZZ_O) $(FUZZ_TARGETS)
else
fuzz fuzz-replay:
	@echo "  FUZZ    $(KCONFIG_CONFIG) is for another board: the host defconfig in $(FUZZ_HOST_O)"
	$(Q)[ -f $(FUZZ_HOST_O)/.config ] || $(MAKE) --no-print-directory O=$(FUZZ_HOST_O) host_defconfig
	$(Q)grep -q '^CONFIG_BOARD_HOST=y' $(FUZZ_HOST_O)/.config || \
		{ echo "  FUZZ    $(FUZZ_HOST_O)/.config is not a host configuration"; exit 1; }
	$(Q)$(MAKE) --no-print-directory O=$(FUZZ_HOST_O) $@
endif
