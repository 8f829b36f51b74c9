# make bench-crypto: packet protection through crypto/crypto.h (issue 4).
# Host throughput, and instructions per byte on aarch64 under qemu-aarch64
# with a TCG plugin counting instructions, for the portable and the arm64
# path side by side. tools/bench-crypto.sh configures and builds
# $(O)/bench/{host,arm64}, runs every case and prints the table;
# BENCH_COUNT sets the packets per counted aarch64 run.

BENCH_DIR    := $(O)/bench
BENCH_PLUGIN := $(BENCH_DIR)/insn_count.so
BENCH_COUNT  ?= 200
HOSTCC       ?= gcc
QEMU_PLUGIN_INC = $(TOP)/third_party/$(shell cat $(TOP)/third_party/.qemu-plugin.stamp 2>/dev/null)

.PHONY: bench-crypto
bench-crypto: deps $(BENCH_PLUGIN)
	$(Q)BENCH_COUNT=$(BENCH_COUNT) bash tools/bench-crypto.sh $(BENCH_PLUGIN) $(BENCH_DIR)

# The plugin runs inside qemu-aarch64, so it is built for the build
# machine, from QEMU's plugin API header only (tools/deps.sh); no glib.
$(BENCH_PLUGIN): tools/qemu-plugin/insn_count.c | deps
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(HOSTCC) -O2 -Wall -Wextra -Wno-unused-parameter -Werror -shared -fPIC \
		-I$(QEMU_PLUGIN_INC) -o $@ $<

# The benchmark program, in a configured O (any Linux board), linked like
# a unit test: libtern.a and wolfSSL.
ifneq ($(BOARD),)
ifeq ($(UNIT_BAREMETAL),)
BENCH_PROG := $(O)/bench/bench_crypto
$(BENCH_PROG): $(call obj,tools/bench/bench_crypto.c) $(O)/lib/libtern.a $(UNIT_LIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/lib/libtern.a $(UNIT_LIBS) $(LDLIBS)

.PHONY: bench-build
bench-build: $(BENCH_PROG)
endif
endif
