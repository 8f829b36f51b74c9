/* crypto/wolfssl_check.h: compile-time proof that the wolfSSL settings
 * generated from .config (tools/gen_user_settings.py -> user_settings.h)
 * follow it exactly. Included after wolfSSL's settings.h by the glue (so
 * every build checks it) and by the wolfSSL unit test. */
#ifndef TERN_CRYPTO_WOLFSSL_CHECK_H
#define TERN_CRYPTO_WOLFSSL_CHECK_H

#include "lib/kconfig.h"

#if defined(WOLFSSL_EARLY_DATA) != IS_ENABLED(CONFIG_QUIC_0RTT)
#error "WOLFSSL_EARLY_DATA must be defined iff CONFIG_QUIC_0RTT"
#endif
#if defined(HAVE_AESCCM) != IS_ENABLED(CONFIG_CIPHER_AES_128_CCM)
#error "HAVE_AESCCM must follow CONFIG_CIPHER_AES_128_CCM"
#endif
#if (defined(HAVE_CHACHA) && defined(HAVE_POLY1305)) != IS_ENABLED(CONFIG_CIPHER_CHACHA20_POLY1305)
#error "HAVE_CHACHA/HAVE_POLY1305 must follow CONFIG_CIPHER_CHACHA20_POLY1305"
#endif
#if defined(WOLFSSL_SHA384) != IS_ENABLED(CONFIG_CIPHER_AES_256_GCM)
#error "WOLFSSL_SHA384 must follow CONFIG_CIPHER_AES_256_GCM"
#endif
#if defined(WOLFSSL_ARMASM)
#error "WOLFSSL_ARMASM runs AES/SHA-256 instructions without a CPU probe"
#endif
#if defined(WOLFSSL_SP_ARM64_ASM) != IS_ENABLED(CONFIG_CRYPTO_ARM64)
#error "WOLFSSL_SP_ARM64_ASM must follow CONFIG_CRYPTO_ARM64"
#endif
/* quic/tls.c seals tickets itself and saves client sessions through
 * wolfSSL_i2d/d2i_SSL_SESSION, which need the session cache compiled in */
#if !defined(HAVE_SESSION_TICKET) || !defined(WOLFSSL_NO_DEF_TICKET_ENC_CB) || \
	!defined(HAVE_EXT_CACHE) || defined(NO_SESSION_CACHE) || !defined(MAX_TICKET_AGE_DIFF)
#error "user_settings.h: session tickets as quic/tls.c needs them"
#endif
#if !defined(WOLFSSL_QUIC) || !defined(HAVE_AESGCM) || !defined(XMALLOC_USER) || \
	!defined(WOLFSSL_NO_TLS12) || !defined(SINGLE_THREADED)
#error "user_settings.h lacks a setting tern relies on"
#endif

#endif
