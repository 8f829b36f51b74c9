# crypto/: the crypto seam (crypto.h) and its backends; wolfSSL's glue to
# tern's arena and port (wolfSSL itself is built by mk/wolfssl.mk).
core-y += crypto/wolfssl_glue.c crypto/crypto.c

# The backend behind crypto.h, chosen at link time (Kconfig choice
# CRYPTO_BACKEND). CONFIG_CRYPTO_ARM64 links the wolfCrypt backend too for
# now: wolfSSL is built with WOLFSSL_ARMASM there, so its calls run the
# Crypto Extensions and NEON code. The dedicated arm64 backend (batched
# header protection, CCM, the CPU probe) is the next slice of issue 4.
core-$(CONFIG_CRYPTO_PORTABLE) += crypto/crypto_wolfcrypt.c
core-$(CONFIG_CRYPTO_ARM64)    += crypto/crypto_wolfcrypt.c
CFLAGS_crypto/crypto_wolfcrypt.c = $(WOLFSSL_INC)
