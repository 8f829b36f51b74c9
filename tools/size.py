#!/usr/bin/python3
"""text/data/bss per source directory of a linked image, from its GNU ld
map file (so it counts what --gc-sections kept, not whole objects).

usage: size.py IMAGE.map [--srcs "lib/pool.c port/posix/posix.c ..."]

Archive members (libtern.a(pool.o)) are mapped back to their directory
through --srcs; wolfSSL, lwIP, cmocka and libc/libgcc get their own rows."""
import re
import sys
import os
import argparse

SECTION_CLASS = [
    (re.compile(r"^\.(text|rodata|init|fini|eh_frame|gcc_except_table|ARM\.|plt|iplt|rela|got)"), "text"),
    (re.compile(r"^\.(tdata|data|init_array|fini_array|preinit_array|sdata)"), "data"),
    (re.compile(r"^\.(tbss|bss|sbss|noinit)|^COMMON"), "bss"),
]


def classify(sec):
    for rx, c in SECTION_CLASS:
        if rx.match(sec):
            return c
    return None


def group_of(path, member, by_base):
    p = path.replace("\\", "/")
    if member:
        lib = os.path.basename(p)
        if lib == "libtern.a":
            return by_base.get(member, "tern:" + member)
        if lib == "libwolfssl.a":
            return "third_party/wolfssl"
        if lib == "liblwip.a":
            return "third_party/lwip"
        if lib == "libcmocka.a":
            return "third_party/cmocka"
        if "picolibc" in p or lib in ("libc.a", "libm.a", "libsemihost.a"):
            return "libc"
        if lib in ("libgcc.a", "libgcc_eh.a"):
            return "libgcc"
        return "other:" + lib
    m = re.search(r"/obj/(.*)$", p)
    if m:
        rel = m.group(1)
        if rel.startswith("third_party/"):
            return "/".join(rel.split("/")[:2]).replace("third_party/wolfssl-", "third_party/wolfssl")
        return os.path.dirname(rel) or rel
    if "picolibc" in p or "crt" in os.path.basename(p):
        return "libc"
    return "other"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("map")
    ap.add_argument("--srcs", default="")
    ap.add_argument("--title", default="")
    ap.add_argument("--only", default="",
                    help="rows whose directory starts with one of these words")
    a = ap.parse_args()
    by_base = {}
    for s in a.srcs.split():
        base = os.path.splitext(os.path.basename(s))[0] + ".o"
        d = os.path.dirname(s)
        by_base[base] = d if base not in by_base or by_base[base] == d else by_base[base] + "|" + d
    sizes = {}
    in_map = False
    pending = None
    line_rx = re.compile(r"^\s*(\S+)?\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S.*)$")
    with open(a.map, errors="replace") as f:
        for line in f:
            if line.startswith("Linker script and memory map"):
                in_map = True
                continue
            if not in_map or line.startswith("/DISCARD/"):
                if line.startswith("/DISCARD/"):
                    break
                continue
            # input section lines start with one space and a section name
            m = re.match(r"^ (\.\S+|COMMON)\s*$", line)
            if m:
                pending = m.group(1)
                continue
            m = re.match(r"^ (\.\S+|COMMON)\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S.*)$", line)
            if m:
                sec, size, src = m.group(1), int(m.group(3), 16), m.group(4).strip()
            elif pending:
                m = re.match(r"^\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S.*)$", line)
                if not m:
                    pending = None
                    continue
                sec, size, src = pending, int(m.group(2), 16), m.group(3).strip()
            else:
                continue
            pending = None
            c = classify(sec)
            if c is None or size == 0:
                continue
            mm = re.match(r"^(.*)\((.*)\)$", src)
            g = group_of(mm.group(1), mm.group(2), by_base) if mm else group_of(src, None, by_base)
            sizes.setdefault(g, {"text": 0, "data": 0, "bss": 0})[c] += size
    if a.title:
        print(a.title)
    print("%-24s %9s %9s %9s %9s" % ("directory", "text", "data", "bss", "total"))
    tot = {"text": 0, "data": 0, "bss": 0}
    only = a.only.split()
    if only:
        sizes = {g: v for g, v in sizes.items() if any(g.startswith(o) for o in only)}
    for g in sorted(sizes, key=lambda k: -(sizes[k]["text"] + sizes[k]["data"] + sizes[k]["bss"])):
        s = sizes[g]
        for k in tot:
            tot[k] += s[k]
        print("%-24s %9d %9d %9d %9d" % (g, s["text"], s["data"], s["bss"], s["text"] + s["data"] + s["bss"]))
    print("%-24s %9d %9d %9d %9d" % ("total", tot["text"], tot["data"], tot["bss"], sum(tot.values())))


if __name__ == "__main__":
    main()
