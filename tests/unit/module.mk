# cmocka unit tests: one program per tests/unit/test_<module>.c.
# Linux boards build each as its own program (run directly or under
# qemu-aarch64); a bare-metal board links them all into one selftest image
# (see board/<board>/board.mk, which sets UNIT_BAREMETAL).
unit-y += tests/unit/test_pool.c tests/unit/test_arena.c

UNIT_NAMES := $(basename $(notdir $(unit-y)))
UNIT_CFLAGS = $(CMOCKA_INC) -DTERN_UNIT_TEST=1

ifeq ($(UNIT_BAREMETAL),)
UNIT_BINS := $(addprefix $(O)/tests/unit/,$(UNIT_NAMES))

$(O)/tests/unit/%: $(O)/obj/tests/unit/%.o $(O)/lib/libtern.a $(CMOCKA_LIB) $(UNIT_LIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/lib/libtern.a $(UNIT_LIBS) $(CMOCKA_LIB) $(LDLIBS)

$(call obj,$(unit-y)): EXTRA_CFLAGS += $(UNIT_CFLAGS)

# run every unit program; the runner prefix (qemu-aarch64 ...) comes from the board
UNIT_RUN := $(addprefix unit-run-,$(UNIT_NAMES))
.PHONY: $(UNIT_RUN)
$(UNIT_RUN): unit-run-%: $(O)/tests/unit/%
	$(Q)$(UNIT_RUNNER) $<
endif
