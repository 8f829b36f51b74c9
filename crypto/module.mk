# crypto/: the crypto seam (crypto.h) and its backends; wolfSSL's glue to
# tern's arena and port (wolfSSL itself is built by mk/wolfssl.mk).
core-y += crypto/wolfssl_glue.c crypto/crypto.c

# The backends behind crypto.h (crypto/backend.h), chosen at link time by
# the Kconfig choice CRYPTO_BACKEND. wolfCrypt's C code is in every build:
# it is the portable backend and the arm64 backend's fallback.
core-y += crypto/crypto_wolfcrypt.c
CFLAGS_crypto/crypto_wolfcrypt.c = $(WOLFSSL_INC)
core-$(CONFIG_CRYPTO_PORTABLE) += crypto/backends_portable.c
# arm64: tern's own Crypto Extensions / NEON code, picked per primitive by
# the CPU probe. Only the files that need them are compiled with +crypto
# (the rest of the image is plain armv8-a, so it runs on any arm64 CPU).
core-$(CONFIG_CRYPTO_ARM64) += crypto/crypto_arm64.c crypto/arm64/cpu.c \
	crypto/arm64/aes_ce.c crypto/arm64/gcm_ce.c crypto/arm64/chacha_neon.c \
	crypto/arm64/sha2_ce.c
CFLAGS_crypto/arm64/aes_ce.c  = -march=armv8-a+crypto
CFLAGS_crypto/arm64/gcm_ce.c  = -march=armv8-a+crypto
# SHA-512 instructions (FEAT_SHA512) exist from ARMv8.2; only the SHA-384
# function takes them (a target attribute), the rest of the file is v8.0
CFLAGS_crypto/arm64/sha2_ce.c = -march=armv8-a+crypto
