# board/qemu-virt-arm64/unit.mk: the cmocka unit tests as one bare-metal
# image, $(O)/selftest.elf. Read by the top Makefile after
# tests/unit/module.mk, so unit-y is complete here.
#
# Every tests/unit/test_<name>.c has its own main(); here it is compiled as
# unit_main_test_<name>() (-Dmain=...), and selftest.c calls them in turn
# from the list generated into $(GEN)/selftest_suites.h.

SELFTEST      := $(O)/selftest.elf
SELFTEST_HDR  := $(GEN)/selftest_suites.h
SELFTEST_LIST := $(O)/tests/unit/selftest.list
UNIT_OBJS     := $(call obj,$(unit-y))

# The list file changes only when unit-y does: the header follows it.
$(shell mkdir -p $(dir $(SELFTEST_LIST)) && \
	echo '$(UNIT_NAMES)' | cmp -s - $(SELFTEST_LIST) 2>/dev/null || \
	echo '$(UNIT_NAMES)' > $(SELFTEST_LIST))

$(SELFTEST_HDR): $(SELFTEST_LIST) $(BM_DIR)/unit.mk
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q){ echo "/* generated from unit-y by $(BM_DIR)/unit.mk */"; \
	      echo "#define UNIT_SUITES(X) \\"; \
	      for n in $(UNIT_NAMES); do echo "	X($$n) \\"; done; \
	      echo; \
	      echo "#define UNIT_SUITE_DECLARE(name) int unit_main_##name(void);"; \
	      echo "UNIT_SUITES(UNIT_SUITE_DECLARE)"; } > $@.tmp && mv $@.tmp $@

# cmocka.h guesses uintptr_t from __WORDSIZE, which only glibc defines:
# without it, it typedefs a 32-bit one. picolibc's <stdint.h> has the
# right one; cmocka's own switch tells it so (cmocka and the tests alike).
CMOCKA_BM_CFLAGS := -D_UINTPTR_T_DEFINED
$(CMOCKA_OBJ): BASE_CFLAGS += $(CMOCKA_BM_CFLAGS)

$(UNIT_OBJS) $(call obj,$(BM_DIR)/selftest.c): $(SELFTEST_HDR)
$(UNIT_OBJS): EXTRA_CFLAGS += $(UNIT_CFLAGS) $(CMOCKA_BM_CFLAGS) -include $(SELFTEST_HDR)
$(foreach u,$(unit-y),$(eval $(call obj,$(u)): EXTRA_CFLAGS += -Dmain=unit_main_$(basename $(notdir $(u)))))

# UNIT_BM_OBJS (tests/unit/module.mk): objects that must come before
# libtern.a (tests/sim/tcp_fake.c's port_tcp_* over the board's)
SELFTEST_OBJS := $(call obj,$(bm-common-y) $(BM_DIR)/selftest.c tests/sim/sim.c) $(UNIT_BM_OBJS) \
		 $(UNIT_OBJS)

$(SELFTEST): $(SELFTEST_OBJS) $(O)/lib/libtern.a $(CMOCKA_LIB) $(UNIT_LIBS) $(BM_LDS_SELFTEST)
	@echo "  LD      $@"
	$(Q)$(call BM_LINK,$(BM_LDS_SELFTEST)) -o $@ $(SELFTEST_OBJS) \
		$(O)/lib/libtern.a $(UNIT_LIBS) $(CMOCKA_LIB) $(LDLIBS)

.PHONY: unit-run-qemu selftest
selftest: $(SELFTEST)
unit-run-qemu: $(SELFTEST)
	@echo "  QEMU    $(SELFTEST)"
	$(Q)$(QEMU_RUN) $(SELFTEST) </dev/null
