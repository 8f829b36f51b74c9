# cmocka 1.1.5 from Debian's source package (third_party/), built for the
# configured board with our own config.h (tests/unit/cmocka_config.h).
CMOCKA_DIR  = $(TOP)/third_party/$(shell cat $(TOP)/third_party/.cmocka.stamp 2>/dev/null)
CMOCKA_INC  = -I$(CMOCKA_DIR)/include
CMOCKA_OBJ  := $(O)/obj/third_party/cmocka.o
CMOCKA_LIB  := $(O)/lib/libcmocka.a

$(CMOCKA_OBJ): $(O)/include/config/auto.conf tests/unit/cmocka_config.h
	@mkdir -p $(@D)
	@echo "  CC      cmocka.c (third_party)"
	$(Q)$(CC) $(BASE_CFLAGS) -w -include $(TOP)/tests/unit/cmocka_config.h \
		$(CMOCKA_INC) -c $(CMOCKA_DIR)/src/cmocka.c -o $@

$(CMOCKA_LIB): $(CMOCKA_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
