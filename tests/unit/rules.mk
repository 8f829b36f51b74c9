# How the unit tests listed in tests/unit/module.mk (unit-y, complete
# here) are built and run on a Linux board; bare-metal boards link them
# into one image instead (board/<board>/unit.mk).

UNIT_NAMES := $(basename $(notdir $(unit-y)))
UNIT_CFLAGS = $(CMOCKA_INC) -DTERN_UNIT_TEST=1

ifeq ($(UNIT_BAREMETAL),)
UNIT_BINS := $(addprefix $(O)/tests/unit/,$(UNIT_NAMES))

$(O)/tests/unit/%: $(O)/obj/tests/unit/%.o $(O)/lib/libtern.a $(CMOCKA_LIB) $(UNIT_LIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(LDFLAGS) -o $@ $< $(UNIT_EXTRA_OBJS) $(O)/lib/libtern.a $(UNIT_LIBS) $(CMOCKA_LIB) $(LDLIBS)

$(call obj,$(unit-y)): EXTRA_CFLAGS += $(UNIT_CFLAGS)

# Run every unit program in turn (all of them, even after a failure), each
# announced for tools/run-tests.sh; the runner prefix (qemu-aarch64 ...)
# comes from the board.
# UNIT_ONLY="sim_bulk stream" runs those suites only.
UNIT_RUN_BINS = $(if $(UNIT_ONLY),$(addprefix $(O)/tests/unit/test_,$(UNIT_ONLY)),$(UNIT_BINS))
UNIT_RUN := unit-run-linux
.PHONY: unit-run-linux
unit-run-linux: $(UNIT_RUN_BINS)
	$(Q)fail=0; for t in $(UNIT_RUN_BINS); do \
		echo "=== suite: $${t##*/test_}"; \
		$(UNIT_RUNNER) $$t || fail=1; \
	done; exit $$fail
endif
