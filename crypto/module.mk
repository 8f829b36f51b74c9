# crypto/: the crypto seam (crypto.h) and its backends; wolfSSL's glue to
# tern's arena and port (wolfSSL itself is built by mk/wolfssl.mk).
core-y += crypto/wolfssl_glue.c
