# make size's crypto footprint (the top Makefile's size target runs these
# in build/size/crypto-{arm64,portable}): tools/size/crypto_footprint.c
# reaches all of crypto/crypto.h, so its link map, after --gc-sections, is
# what a backend costs. Read after mk/wolfssl.mk (UNIT_LIBS).

# this O's crypto footprint program and its table (any Linux board)
ifneq ($(BOARD),)
ifeq ($(UNIT_BAREMETAL),)
CRYPTO_FP := $(O)/size/crypto_footprint
.PHONY: size-crypto size-crypto-report
size-crypto: $(CRYPTO_FP)
$(CRYPTO_FP): $(call obj,tools/size/crypto_footprint.c) $(O)/lib/libtern.a $(UNIT_LIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/lib/libtern.a $(UNIT_LIBS) $(LDLIBS)
# an idle established connection, measured (tools/size/conn_footprint.c)
CONN_FP := $(O)/size/conn_footprint
.PHONY: size-conn
$(CONN_FP): $(call obj,tools/size/conn_footprint.c) $(O)/lib/libtern.a $(UNIT_LIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/lib/libtern.a $(UNIT_LIBS) $(LDLIBS)
size-conn: $(CONN_FP)
	$(Q)$(UNIT_RUNNER) $(CONN_FP)
size-crypto-report: $(CRYPTO_FP)
	$(Q)$(PYTHON) tools/size.py $(CRYPTO_FP).map --srcs "$(core-y)" --only "crypto third_party/wolfssl" \
		--title "== crypto footprint, $(BOARD), backend $(if $(CONFIG_CRYPTO_ARM64),arm64 (+ wolfCrypt fallback),portable): all of crypto/crypto.h"
endif
endif
