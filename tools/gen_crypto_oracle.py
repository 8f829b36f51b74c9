#!/usr/bin/python3
"""tests/unit/data/crypto_oracle.h: AEAD and header-protection vectors from
an implementation independent of wolfCrypt (issue 4, "an independent
oracle"; DESIGN.md 4.6).

The vectors come from Python's `cryptography` package (Debian's
python3-cryptography, which calls OpenSSL), from a fixed seed, so the
output is the same on every run. tests/unit/test_crypto_oracle.c checks
every backend against them; the tests need no Python, the header is
checked in.

  AEADs (RFC 9001 5.3): AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305,
    AES-128-CCM (16-byte tag); 12-byte nonces; random key, nonce, AAD
    (0..40 bytes) and plaintext; the result is ciphertext || tag.
  Header protection (RFC 9001 5.4): AES-128-ECB, AES-256-ECB and
    ChaCha20, 16 random samples per key; the mask is 5 bytes.

Before writing, the generator checks its own header-protection recipe on
RFC 9001 A.2 and A.5 and opens every AEAD vector again.

Usage (Debian's interpreter: it has python3-cryptography):
  /usr/bin/python3 tools/gen_crypto_oracle.py [--seed N] [--out FILE] [--check]
  --check: exit 1 if FILE differs from what would be generated.
"""

import argparse
import os
import random
import sys

import cryptography
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import (AESCCM, AESGCM,
                                                          ChaCha20Poly1305)

DEFAULT_SEED = 9001
DEFAULT_OUT = "tests/unit/data/crypto_oracle.h"

# Plaintext lengths: empty, one byte, around one and four 16-byte blocks
# (ChaCha20 blocks are 64 bytes), a long odd length and a typical packet.
# The first case is also the empty AAD: nothing at all to encrypt or
# authenticate.
PT_LENS = [0, 0, 1, 15, 16, 17, 63, 64, 65, 255, 1200]
AAD_MAX = 40
HP_SAMPLES = 16

# (C enum, name, key length, constructor of the AEAD object)
AEADS = [
    ("CRYPTO_AES_128_GCM", "AES-128-GCM", 16, AESGCM),
    ("CRYPTO_AES_256_GCM", "AES-256-GCM", 32, AESGCM),
    ("CRYPTO_CHACHA20_POLY1305", "ChaCha20-Poly1305", 32, ChaCha20Poly1305),
    ("CRYPTO_AES_128_CCM", "AES-128-CCM", 16, lambda k: AESCCM(k, tag_length=16)),
]

# (name, key length, the suites whose header protection it is)
HPS = [
    ("AES-128-ECB", 16, ["CRYPTO_AES_128_GCM", "CRYPTO_AES_128_CCM"]),
    ("AES-256-ECB", 32, ["CRYPTO_AES_256_GCM"]),
    ("ChaCha20", 32, ["CRYPTO_CHACHA20_POLY1305"]),
]


def hp_mask(name, key, sample):
    """RFC 9001 5.4.3 / 5.4.4: the 5-byte header-protection mask."""
    assert len(sample) == 16
    if name.startswith("AES"):
        enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
        return (enc.update(sample) + enc.finalize())[:5]
    # cryptography's ChaCha20 takes a 16-byte nonce: the 32-bit block
    # counter (little endian) then the 96-bit nonce, exactly the layout
    # of the sample (counter = sample[0..3] little endian, nonce =
    # sample[4..15]).
    enc = Cipher(algorithms.ChaCha20(key, sample), mode=None).encryptor()
    return enc.update(bytes(5)) + enc.finalize()


def self_check():
    """The recipes above against RFC 9001 A.2 (AES) and A.5 (ChaCha20)."""
    h = bytes.fromhex
    got = hp_mask("AES-128-ECB", h("9f50449e04a0e810283a1e9933adedd2"),
                  h("d1b1c98dd7689fb8ec11d242b123dc9b"))
    assert got == h("437b9aec36"), got.hex()
    got = hp_mask("ChaCha20",
                  h("25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4"),
                  h("5e5cd55c41f69080575d7999c25a5bfb"))
    assert got == h("aefefe7d03"), got.hex()


def gen_aead(rng, keylen, make):
    rb = rng.randbytes
    # AAD lengths: the first case none; the others shuffled, with both
    # ends of 0..AAD_MAX among them.
    n = len(PT_LENS) - 1
    aad_lens = [0, AAD_MAX] + [rng.randint(1, AAD_MAX - 1) for _ in range(n - 2)]
    rng.shuffle(aad_lens)
    aad_lens = [0] + aad_lens
    cases = []
    for ptlen, aadlen in zip(PT_LENS, aad_lens):
        key, nonce, aad, pt = rb(keylen), rb(12), rb(aadlen), rb(ptlen)
        aead = make(key)
        ct_tag = aead.encrypt(nonce, pt, aad)
        assert len(ct_tag) == ptlen + 16
        assert aead.decrypt(nonce, ct_tag, aad) == pt
        cases.append((key, nonce, aad, pt, ct_tag))
    return cases


def gen_hp(rng, name, keylen):
    key = rng.randbytes(keylen)
    samples = [rng.randbytes(16) for _ in range(HP_SAMPLES)]
    return key, [(s, hp_mask(name, key, s)) for s in samples]


def c_hex(b, indent, first_width):
    """b as one C string literal, or several (64 hex digits each) on
    continuation lines."""
    x = b.hex()
    if len(x) <= first_width:
        return '"%s"' % x
    parts = [x[i:i + 64] for i in range(0, len(x), 64)]
    return ("\n" + indent).join('"%s"' % p for p in parts)


def render(seed):
    rng = random.Random(seed)
    aeads = [(enum, name, gen_aead(rng, keylen, make))
             for enum, name, keylen, make in AEADS]
    hps = [(name, algs) + gen_hp(rng, name, keylen) for name, keylen, algs in HPS]

    o = []
    w = o.append
    w("/* Independent oracle vectors for crypto/crypto.h (issue 4; DESIGN.md 4.6).")
    w(" *")
    w(" * GENERATED by tools/gen_crypto_oracle.py with seed %d from" % seed)
    w(" * python3-cryptography %s (OpenSSL). Do not edit: change the" % cryptography.__version__)
    w(" * generator and run /usr/bin/python3 tools/gen_crypto_oracle.py.")
    w(" *")
    w(" * AEAD: random key, 12-byte nonce, AAD (0..%d bytes) and plaintext;" % AAD_MAX)
    w(" * ct_tag is the ciphertext followed by the 16-byte tag. Header")
    w(" * protection (RFC 9001 5.4): mask = the first 5 bytes of")
    w(" * AES-ECB(key, sample), or of ChaCha20(key, counter = sample[0..3]")
    w(" * little endian, nonce = sample[4..15]) over 5 zero bytes. All values")
    w(" * are hex strings (tests/unit/unit.h: unit_unhex). */")
    w("#ifndef TERN_TESTS_UNIT_DATA_CRYPTO_ORACLE_H")
    w("#define TERN_TESTS_UNIT_DATA_CRYPTO_ORACLE_H")
    w("")
    w("#include <stddef.h>")
    w("")
    w('#include "crypto/crypto-t.h"')
    w("")
    w("#define CRYPTO_ORACLE_AEAD_CASES %d" % len(PT_LENS))
    w("#define CRYPTO_ORACLE_MAX_PT     %d" % max(PT_LENS))
    w("#define CRYPTO_ORACLE_MAX_AAD    %d" % AAD_MAX)
    w("#define CRYPTO_ORACLE_HP_SAMPLES %d" % HP_SAMPLES)
    w("")
    w("struct crypto_oracle_aead_case {")
    w("\tconst char *key, *nonce, *aad, *pt, *ct_tag;")
    w("};")
    w("")
    w("struct crypto_oracle_aead {")
    w("\tenum crypto_aead alg;")
    w("\tconst char *name;")
    w("\tstruct crypto_oracle_aead_case c[CRYPTO_ORACLE_AEAD_CASES];")
    w("};")
    w("")
    w("/* The header-protection cipher of the suites in algs (ended by")
    w(" * CRYPTO_AEAD_NONE). */")
    w("struct crypto_oracle_hp {")
    w("\tconst char *name;")
    w("\tenum crypto_aead algs[3];")
    w("\tconst char *key;")
    w("\tstruct { const char *sample, *mask; } v[CRYPTO_ORACLE_HP_SAMPLES];")
    w("};")
    w("")
    w("static const struct crypto_oracle_aead crypto_oracle_aead[] = {")
    for enum, name, cases in aeads:
        w("\t{")
        w("\t\t.alg = %s," % enum)
        w('\t\t.name = "%s",' % name)
        w("\t\t.c = {")
        for key, nonce, aad, pt, ct_tag in cases:
            ind = "\t\t\t\t   "
            w("\t\t\t{\t/* %d-byte plaintext, %d-byte AAD */" % (len(pt), len(aad)))
            w("\t\t\t\t.key = %s," % c_hex(key, ind, 64))
            w("\t\t\t\t.nonce = %s," % c_hex(nonce, ind, 64))
            w("\t\t\t\t.aad = %s," % c_hex(aad, ind, 64))
            w("\t\t\t\t.pt = %s," % c_hex(pt, ind, 64))
            w("\t\t\t\t.ct_tag = %s," % c_hex(ct_tag, ind, 64))
            w("\t\t\t},")
        w("\t\t},")
        w("\t},")
    w("};")
    w("")
    w("static const struct crypto_oracle_hp crypto_oracle_hp[] = {")
    for name, algs, key, vs in hps:
        w("\t{")
        w('\t\t.name = "%s",' % name)
        w("\t\t.algs = { %s }," % ", ".join(algs))
        w("\t\t.key = %s," % c_hex(key, "\t\t       ", 64))
        w("\t\t.v = {")
        for s, m in vs:
            w('\t\t\t{ "%s", "%s" },' % (s.hex(), m.hex()))
        w("\t\t},")
        w("\t},")
    w("};")
    w("")
    w("#endif")
    return "\n".join(o) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", default=None,
                    help="default: %s in the source tree" % DEFAULT_OUT)
    ap.add_argument("--check", action="store_true",
                    help="compare with --out instead of writing it")
    a = ap.parse_args()
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = a.out or os.path.join(top, DEFAULT_OUT)

    self_check()
    text = render(a.seed)
    if a.check:
        try:
            with open(out) as f:
                same = f.read() == text
        except FileNotFoundError:
            same = False
        if not same:
            print("gen_crypto_oracle: %s is not what seed %d generates" % (out, a.seed),
                  file=sys.stderr)
            return 1
        return 0
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
