# wolfSSL 5.5.4 from Debian's source package (third_party/, see tools/deps.sh),
# compiled per build into $(O)/lib/libwolfssl.a. There is no configure run:
# the whole configuration is $(GEN)/user_settings.h, generated from .config by
# tools/gen_user_settings.py.
#
# Only real translation units are listed. Several .c files are #included by
# others and must not be compiled on their own: src/ssl.c includes
# src/{ssl_misc,pk,bio,x509,conf,x509_str}.c and wolfcrypt/src/evp.c; most
# files include wolfcrypt/src/misc.c; tfm.c includes asm.c.
# Files whose algorithm the settings turn off compile to empty objects, so
# the list only has to name what any supported configuration can use.

WOLFSSL_DIR  = $(TOP)/third_party/$(shell cat $(TOP)/third_party/.wolfssl.stamp 2>/dev/null)
WOLFSSL_OBJ  := $(O)/obj/third_party/wolfssl
WOLFSSL_LIB  := $(O)/lib/libwolfssl.a

# wolfSSL's headers for the few tern files that talk to wolfSSL (the glue in
# crypto/, tests). -isystem: wolfSSL's headers are not held to tern's -Werror.
WOLFSSL_INC  = -DWOLFSSL_USER_SETTINGS -I$(GEN) -isystem $(WOLFSSL_DIR)

# Third-party code: GCC's default warnings, not tern's -Werror set. Not -w:
# it would also silence implicit declarations, which stay errors here (a
# missing prototype would be called as returning int).
WOLFSSL_CFLAGS = $(BASE_CFLAGS) -Werror=implicit-function-declaration \
                 -Werror=implicit-int $(WOLFSSL_INC)
# SAN=1: wolfSSL 5.5.4's sp_c64.c does its limb arithmetic on signed
# 64-bit words and expects them to wrap: UBSan reports left shifts of large
# values ("left shift of 2367328185285422 by 51 places") and products that
# overflow ("140737488355328 * 571347909858961602"), ~20 per handshake test.
# ISO C leaves both undefined. Those two checks are off for wolfSSL only;
# every other UBSan check stays fatal there, and all stay on for tern.
# (Open question, docs/ROADMAP.md: build sp_c64.c with -fwrapv.)
ifneq ($(SAN),)
WOLFSSL_CFLAGS += -fno-sanitize=shift-base,signed-integer-overflow
endif

wolfssl-src-y := \
	src/internal.c src/keys.c src/ssl.c src/tls.c src/tls13.c src/quic.c \
	src/wolfio.c \
	wolfcrypt/src/aes.c wolfcrypt/src/asn.c wolfcrypt/src/chacha.c \
	wolfcrypt/src/chacha20_poly1305.c wolfcrypt/src/coding.c \
	wolfcrypt/src/curve25519.c wolfcrypt/src/ecc.c wolfcrypt/src/error.c \
	wolfcrypt/src/fe_operations.c wolfcrypt/src/hash.c wolfcrypt/src/hmac.c \
	wolfcrypt/src/kdf.c wolfcrypt/src/logging.c wolfcrypt/src/memory.c \
	wolfcrypt/src/poly1305.c wolfcrypt/src/random.c wolfcrypt/src/sha.c \
	wolfcrypt/src/sha256.c wolfcrypt/src/sha512.c wolfcrypt/src/signature.c \
	wolfcrypt/src/sp_int.c wolfcrypt/src/sp_c64.c wolfcrypt/src/wc_encrypt.c \
	wolfcrypt/src/wc_port.c wolfcrypt/src/wolfmath.c

# CONFIG_CRYPTO_ARM64: wolfSSL's arm64 big-number code (WOLFSSL_SP_ARM64_ASM,
# integer instructions only). Not WOLFSSL_ARMASM's port files: they run the
# Crypto Extensions without asking the CPU (tools/gen_user_settings.py).
wolfssl-src-$(CONFIG_CRYPTO_ARM64) += wolfcrypt/src/sp_arm64.c

WOLFSSL_OBJS := $(patsubst %,$(WOLFSSL_OBJ)/%.o,$(basename $(wolfssl-src-y)))

# user_settings.h is rewritten only when its text changes; the .d files
# (-MMD) name it too, this makes the first build and a lost .d safe.
$(WOLFSSL_OBJ)/%.o: $(WOLFSSL_DIR)/%.c $(GEN)/user_settings.h mk/wolfssl.mk
	@mkdir -p $(@D)
	@echo "  CC      $*.c (wolfssl)"
	$(Q)$(CC) $(WOLFSSL_CFLAGS) $(WOLFSSL_CFLAGS_$*.c) -c $< -o $@

$(WOLFSSL_OBJ)/%.o: $(WOLFSSL_DIR)/%.S $(GEN)/user_settings.h mk/wolfssl.mk
	@mkdir -p $(@D)
	@echo "  AS      $*.S (wolfssl)"
	$(Q)$(CC) $(WOLFSSL_CFLAGS) -c $< -o $@

$(WOLFSSL_LIB): $(WOLFSSL_OBJS)
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# The glue (crypto/wolfssl_glue.c, in libtern.a) and tests include wolfSSL.
CFLAGS_crypto/wolfssl_glue.c = $(WOLFSSL_INC)

# Links: libwolfssl.a needs the glue (tern_wolfssl_malloc, ...) from
# libtern.a, which the link command names first, so libtern.a follows it
# again. The board's image rule was read before this file: name the library
# as its prerequisite here.
IMAGE_LIBS += $(WOLFSSL_LIB) $(O)/lib/libtern.a
UNIT_LIBS  += $(WOLFSSL_LIB) $(O)/lib/libtern.a
$(IMAGE): $(WOLFSSL_LIB)

.PHONY: wolfssl
wolfssl: $(WOLFSSL_LIB)
