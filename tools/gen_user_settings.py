"""wolfSSL user_settings.h from tern's .config (see tools/kconfig.py).

wolfSSL is compiled with -DWOLFSSL_USER_SETTINGS, so every wolfSSL
translation unit includes this header first (through
wolfssl/wolfcrypt/settings.h). It is the whole wolfSSL configuration: there
is no configure run. Each group below says why it is there; the config
symbols it depends on are named in the group's comment.
"""


from gen_header import HeaderWriter, on as _on


def generate(kconf, header):
    arm64 = _on(kconf, "CRYPTO_ARM64")
    bare = _on(kconf, "BARE_METAL")
    zero_rtt = _on(kconf, "QUIC_0RTT")
    aes256 = _on(kconf, "CIPHER_AES_256_GCM")
    chacha = _on(kconf, "CIPHER_CHACHA20_POLY1305")
    ccm = _on(kconf, "CIPHER_AES_128_CCM")

    o = HeaderWriter()
    o.raw(header.rstrip("\n"))
    o.raw("#ifndef TERN_USER_SETTINGS_H\n#define TERN_USER_SETTINGS_H")
    o.group("""Fixed-width types before anything else: with WOLFSSL_USER_IO and
WOLFSSL_NO_SOCK no wolfSSL header includes <stdint.h> before wolfssl/quic.h,
and src/quic.c uses UINT32_MAX (wolfSSL_set_quic_early_data_enabled). Every
wolfSSL file includes this header first, so this covers them all.
C declarations here are hidden from the assembler: the ARMv8 .S files
include this header too.""")
    o.raw("#ifndef __ASSEMBLER__\n#include <stddef.h>\n#include <stdint.h>\n#endif")

    o.group("""Protocol: TLS 1.3 only, through wolfSSL's QUIC API (RFC 9001).
WOLFSSL_QUIC needs HAVE_EX_DATA and OPENSSL_EXTRA (quic.c calls
wolfSSL_EVP_*), as configure's --enable-quic sets them.""",
            "WOLFSSL_TLS13", "WOLFSSL_NO_TLS12", "NO_OLD_TLS",
            "WOLFSSL_QUIC", "HAVE_EX_DATA", "OPENSSL_EXTRA")

    o.group("""TLS extensions a QUIC server needs: ALPN (h3), SNI, key-share
groups, resumption by session ticket, HKDF for the key schedule.""",
            "HAVE_TLS_EXTENSIONS", "HAVE_SUPPORTED_CURVES", "HAVE_ALPN",
            "HAVE_SNI", "HAVE_SESSION_TICKET", "HAVE_HKDF")

    o.group("""Session tickets and resumption (quic/tls.c, docs/notes/0rtt-wolfssl.md 8.1):
- WOLFSSL_NO_DEF_TICKET_ENC_CB: tern seals tickets itself (quic/ticket.c, its
  own rotating AES-GCM keys and metadata); wolfSSL's default callback and the
  random generator it would allocate for itself are not built.
- SMALL_SESSION_CACHE: TLS 1.3 tickets are stateless, the server turns its
  cache off and the client keeps its session itself; the cache stays compiled
  (wolfSSL_set_session needs it) but small (bss 33.8 KB -> 6.2 KB).
- HAVE_EXT_CACHE: wolfSSL_i2d/d2i_SSL_SESSION, so a client can save its
  session into a fixed buffer and load it again (no callbacks are set).
- MAX_TICKET_AGE_DIFF: how far a ticket's age may be off (s); quic/tls.c
  sizes the 0-RTT strike register's window from it.""",
            "WOLFSSL_NO_DEF_TICKET_ENC_CB", "SMALL_SESSION_CACHE", "HAVE_EXT_CACHE",
            ("MAX_TICKET_AGE_DIFF", "10"))

    if zero_rtt:
        o.group("""CONFIG_QUIC_0RTT=y: early data on resumed connections
(DESIGN.md 4.5). Without it no early-data code is compiled.""",
                "WOLFSSL_EARLY_DATA")
    else:
        o.group("""CONFIG_QUIC_0RTT is off: WOLFSSL_EARLY_DATA stays undefined, so
no early-data code is compiled and tickets never allow early data.""")

    o.group("""Key exchange and signatures: ECDSA/ECDHE on P-256 only
(ECC_USER_CURVES keeps the curve table to 256 bits) and X25519, in SP math
with constant-time ECC. No RSA, DH or DSA: tern serves ECDSA P-256
certificates.""",
            "HAVE_ECC", "ECC_USER_CURVES", "ECC_TIMING_RESISTANT",
            "ECC_SHAMIR", "HAVE_CURVE25519",
            "WOLFSSL_SP_MATH_ALL", "WOLFSSL_HAVE_SP_ECC",
            "NO_RSA", "NO_DH", "NO_DSA")
    o.group("""Every target tern builds for (x86_64, aarch64) is 64-bit with GCC's
__int128: without this SP math falls back to 32-bit words and sp_ecc_*_256
go missing.""",
            "HAVE___UINT128_T")

    suites = ["AES-128-GCM (always: Initial packets, RFC 9001 5.2)"]
    defs = ["HAVE_AESGCM"]
    if ccm:
        suites.append("AES-128-CCM (CONFIG_CIPHER_AES_128_CCM)")
        defs.append("HAVE_AESCCM")
    if chacha:
        suites.append("ChaCha20-Poly1305 (CONFIG_CIPHER_CHACHA20_POLY1305)")
        defs += ["HAVE_CHACHA", "HAVE_POLY1305"]
    if aes256:
        suites.append("AES-256-GCM with SHA-384 (CONFIG_CIPHER_AES_256_GCM)")
        defs += ["WOLFSSL_SHA384", "WOLFSSL_SHA512"]
    o.group("TLS 1.3 cipher suites built:\n" +
            "\n".join("  " + s for s in suites), *defs)

    o.group("""QUIC header protection (RFC 9001 5.4): AES in counter mode over a
single block, as quic.c does it through wolfSSL_EVP_aes_*_ctr.""",
            "WOLFSSL_AES_DIRECT", "WOLFSSL_AES_COUNTER")

    o.group("""Random numbers: Hash DRBG seeded from port_entropy() through
tern_wolfssl_seed() in crypto/wolfssl_glue.c (getrandom on Linux,
virtio-rng bare metal); wolfSSL never opens /dev/urandom.""",
            "HAVE_HASHDRBG",
            ("CUSTOM_RAND_GENERATE_SEED", "tern_wolfssl_seed"))
    o.raw("#ifndef __ASSEMBLER__\n"
          "int tern_wolfssl_seed(unsigned char *output, unsigned int sz);\n"
          "#endif")

    o.group("""Memory: every wolfSSL allocation goes to lib/arena's size-class
pools through crypto/wolfssl_glue.c; wolfSSL never calls system malloc.
XMALLOC_USER makes wolfssl/wolfcrypt/types.h declare
  extern void *XMALLOC(size_t n, void *heap, int type);
so the names are mapped as plain (object-like) macros: the declaration and
every call then name the tern functions.""",
            "XMALLOC_USER",
            ("XMALLOC", "tern_wolfssl_malloc"),
            ("XREALLOC", "tern_wolfssl_realloc"),
            ("XFREE", "tern_wolfssl_free"))

    o.group("""The platform: certificates and keys come as buffers (no files),
QUIC carries the TLS bytes (no sockets, no writev), one thread.""",
            "NO_FILESYSTEM", "WOLFSSL_USER_IO", "WOLFSSL_NO_SOCK",
            "NO_WRITEV", "SINGLE_THREADED", "HAVE_GMTIME_R")

    o.group("""Clocks: USER_TICKS makes wolfSSL take its session and ticket-age
clocks (LowResTimer in seconds, TimeNowInMilliseconds; any origin) from
crypto/wolfssl_glue.c over port_now_ns() instead of time()/gettimeofday().
Certificate dates still use XTIME (time() unless bare metal, below).""",
            "USER_TICKS")

    o.group("""Algorithms nothing in TLS 1.3 over QUIC uses.""",
            "NO_RC4", "NO_MD4", "NO_MD5", "NO_DES3", "NO_PSK",
            "NO_PWDBASED")

    if arm64:
        o.group("""CONFIG_CRYPTO_ARM64: wolfSSL's arm64 big-number assembly for the
handshake's P-256 (plain A64 integer instructions, safe on every arm64 CPU).
Not WOLFSSL_ARMASM: its AES and SHA-256 code runs the Crypto Extensions
unconditionally and would fault on a CPU without them; packet protection
is tern's own arm64 code (crypto/arm64/, behind a CPU probe).""",
                "WOLFSSL_AARCH64_BUILD", "WOLFSSL_SP_ARM64_ASM",
                "WOLFSSL_SP_ARM64")

    if bare:
        o.group("""CONFIG_BARE_METAL (picolibc): no gettimeofday, no time(), no
/dev/urandom (seed and ticks come from the glue, above), no stdio for
errors, no directories. XTIME (certificate dates) comes from
crypto/wolfssl_glue.c too, until the board has a wall clock. <stdio.h>
for XSNPRINTF (snprintf into buffers; glibc's headers pull it in on
Linux, picolibc's do not): it formats, it does no I/O.""",
                ("XTIME(t)", "tern_wolfssl_time(t)"),
                "NO_ERROR_STRINGS", "NO_STDIO_FILESYSTEM",
                "NO_WOLFSSL_DIR")
        o.raw("#ifndef __ASSEMBLER__\n#include <stdio.h>\n#include <time.h>\n"
              "time_t tern_wolfssl_time(time_t *t);\n#endif")

    o.raw("\n#endif")
    return o.text()
