# lwIP 2.1.3 from Debian's source package (third_party/, see tools/deps.sh),
# compiled per build into $(O)/lib/liblwip.a for boards with CONFIG_PORT_LWIP.
# Its whole configuration is $(GEN)/lwipopts.h, generated from .config by
# tools/gen_lwipopts.py; the platform header is port/lwip/arch/cc.h.
#
#   make lwip         the library
#   make lwip-check   the options lwIP sees match .config, liblwip.a needs
#                     no malloc/free (nor printf), and its size

ifeq ($(CONFIG_PORT_LWIP),y)

LWIP_DIR := $(TOP)/third_party/$(shell cat $(TOP)/third_party/.lwip.stamp 2>/dev/null)
LWIP_OBJ := $(O)/obj/third_party/lwip
LWIP_LIB := $(O)/lib/liblwip.a

# Bare-metal flags for what is compiled against lwIP, each only when the
# board's BASE_CFLAGS lacks it: picolibc's specs (the qemu-virt-arm64 board
# sets them) and -mstrict-align (that board gives it only to the code that
# runs with the MMU off, which lwIP never does; it costs lwIP about 6% of
# its text).
LWIP_TARGET_CFLAGS :=
ifeq ($(CONFIG_BARE_METAL),y)
LWIP_TARGET_CFLAGS += $(if $(filter --specs=%picolibc.specs,$(BASE_CFLAGS)),,--specs=picolibc.specs)
LWIP_TARGET_CFLAGS += $(if $(filter -mstrict-align,$(BASE_CFLAGS)),,-mstrict-align)
endif

# What tern's own files that include lwIP headers need (port/lwip, below;
# board files add it with CFLAGS_<file> += $(LWIP_INC)). -I, not -isystem:
# lwIP's headers pass tern's -Werror set, and -MMD leaves headers found
# through -isystem (lwipopts.h, arch/cc.h among them) out of the .d files,
# so a changed lwipopts.h would not rebuild tern's files.
LWIP_INC = $(LWIP_TARGET_CFLAGS) -I$(GEN) -I$(TOP)/port/lwip -I$(LWIP_DIR)/src/include

# lwIP itself: -Wall -Wextra, which it passes cleanly; implicit declarations
# stay errors.
LWIP_CFLAGS = $(BASE_CFLAGS) $(LWIP_TARGET_CFLAGS) -Wall -Wextra \
              -Werror=implicit-function-declaration -Werror=implicit-int \
              -I$(GEN) -I$(TOP)/port/lwip -I$(LWIP_DIR)/src/include

# Files for disabled features compile to (nearly) empty objects; only IPv6
# is left out as a directory.
lwip-src-y := $(wildcard $(LWIP_DIR)/src/core/*.c $(LWIP_DIR)/src/core/ipv4/*.c) \
              $(LWIP_DIR)/src/netif/ethernet.c
ifeq ($(CONFIG_LWIP_IPV6),y)
lwip-src-y += $(wildcard $(LWIP_DIR)/src/core/ipv6/*.c)
endif
LWIP_OBJS := $(patsubst $(LWIP_DIR)/%.c,$(LWIP_OBJ)/%.o,$(lwip-src-y))

# lwipopts.h is rewritten only when its text changes; the .d files (-MMD)
# name it too, this makes the first build and a lost .d safe.
$(LWIP_OBJ)/%.o: $(LWIP_DIR)/%.c $(GEN)/lwipopts.h mk/lwip.mk
	@mkdir -p $(@D)
	@echo "  CC      $*.c (lwip)"
	$(Q)$(CC) $(LWIP_CFLAGS) -c $< -o $@

$(LWIP_LIB): $(LWIP_OBJS)
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# tern's files in port/lwip include lwIP's headers.
$(foreach f,$(wildcard port/lwip/*.c),$(eval CFLAGS_$(f) += $$(LWIP_INC)))

# Links: liblwip.a needs sys_now() and tern_lwip_*() from libtern.a, which
# the link command names first, so libtern.a follows it again. The board's
# image rule was read before this file: name the library as its
# prerequisite here.
IMAGE_LIBS += $(LWIP_LIB) $(O)/lib/libtern.a
UNIT_LIBS  += $(LWIP_LIB) $(O)/lib/libtern.a
$(IMAGE): $(LWIP_LIB)

.PHONY: lwip lwip-check
lwip: $(LWIP_LIB)

# What liblwip.a must not reference: an allocator (DESIGN.md 3), stdio or
# abort (arch/cc.h routes lwIP's diagnostics and assertions to tern's log).
LWIP_FORBIDDEN := malloc|calloc|realloc|free|printf|vprintf|fprintf|puts|putchar|fflush|abort

lwip-check: $(LWIP_LIB) $(O)/obj/port/lwip/lwip_check.o
	@echo "  CHECK   lwipopts.h matches $(KCONFIG_CONFIG) (port/lwip/lwip_check.c compiled)"
	$(Q)bad=$$($(NM) -u $(LWIP_LIB) | awk '{ print $$NF }' | sort -u | \
		grep -xE '$(LWIP_FORBIDDEN)'); \
	if [ -n "$$bad" ]; then \
		echo "lwip-check: liblwip.a references" $$bad >&2; exit 1; fi
	@echo "  CHECK   liblwip.a references none of: $(subst |, ,$(LWIP_FORBIDDEN))"
	$(Q)echo "  CHECK   liblwip.a needs from outside:" $$($(NM) $(LWIP_LIB) | \
		awk '$$1 == "U" { u[$$2] = 1; next } NF == 3 { d[$$3] = 1 } \
		     END { for (s in u) if (!(s in d)) print s }' | sort)
	$(Q)$(SIZE) -t $(LWIP_LIB) | awk 'END { printf "  SIZE    liblwip.a: text %d data %d bss %d (IPv6 %s)\n", \
		$$1, $$2, $$3, "$(if $(CONFIG_LWIP_IPV6),on,off)" }'

else

.PHONY: lwip lwip-check
lwip lwip-check:
	@echo "  SKIP    $@: CONFIG_PORT_LWIP is not set in $(KCONFIG_CONFIG) (board $(BOARD))"

endif
