#!/usr/bin/env bash
# tools/deps.sh — install what tern's build needs on Debian 12, idempotently.
#
#   1. Debian packages (only the missing ones; apt-get update only if needed)
#   2. a deb-src entry derived from the machine's own apt sources (Signed-By kept)
#   3. Debian source packages unpacked (Debian patches applied) into third_party/:
#      wolfssl, lwip, cmocka; our own patches from third_party/patches/<pkg>/
#   4. one header from the qemu source package (the version of the installed
#      qemu-user): QEMU's TCG plugin API, include/qemu/qemu-plugin.h, as
#      third_party/qemu-plugin/qemu-plugin.h (tools/qemu-plugin/, make
#      bench-crypto). Only that file is kept; the 23 MB download is deleted.
#
# Usage: tools/deps.sh [--check] [--run]
#   --check: report what is missing, change nothing
#   --run:   only what `make run` needs (the host build and its demo
#            certificate: compiler, kconfiglib, openssl, wolfSSL's source),
#            so a fresh machine serves within a minute; `make test` and the
#            other goals install the rest
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tp="$top/third_party"
check_only=0 run_only=0
for a; do
  case $a in
  --check) check_only=1 ;;
  --run) run_only=1 ;;
  *) printf 'deps: unknown option %s (usage: tools/deps.sh [--check] [--run])\n' "$a" >&2; exit 2 ;;
  esac
done

# Packages: build, cross, emulators, config tools, tests (tmux drives
# menuconfig in tests/config/menuconfig.sh; python3-cryptography generates
# tests/unit/data/crypto_oracle.h, tools/gen_crypto_oracle.py; ngtcp2's
# gtlsclient/gtlsserver are the real peers of tests/interop).
PKGS=(
  build-essential make pkg-config dpkg-dev xz-utils file
  gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
  picolibc-aarch64-linux-gnu
  qemu-user qemu-system-arm
  python3-kconfiglib python3-cryptography
  openssl tmux
  ngtcp2-client ngtcp2-server
)
# Source packages unpacked into third_party/: name -> directory glob
SRCS=(wolfssl lwip cmocka)
if [ $run_only = 1 ]; then
  PKGS=(build-essential make dpkg-dev xz-utils python3-kconfiglib openssl)
  SRCS=(wolfssl)
fi

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="__none__"; fi
fi
as_root() {
  [ "$SUDO" = "__none__" ] && die "need root (or sudo) to run: $*"
  $SUDO "$@"
}

missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$st" in *"install ok installed"*) ;; *) missing+=("$p") ;; esac
done

# The hash of our patches for a source package: a tree unpacked with
# another set (a patch added since) is unpacked again.
patch_hash() {
  { cat "$top/third_party/patches/$1"/*.patch 2>/dev/null || true; } | sha256sum | cut -c1-16
}
src_missing=()
for s in "${SRCS[@]}"; do
  [ -f "$tp/.$s.stamp" ] && [ -d "$tp/$(cat "$tp/.$s.stamp")" ] &&
    [ "$(cat "$tp/.$s.patches" 2>/dev/null)" = "$(patch_hash "$s")" ] || src_missing+=("$s")
done

# QEMU's plugin header (stamp names the directory, as for the sources)
QEMU_HDR=qemu-plugin
hdr_missing=0
if [ $run_only = 0 ]; then
  [ -f "$tp/.$QEMU_HDR.stamp" ] && [ -f "$tp/$(cat "$tp/.$QEMU_HDR.stamp")/qemu-plugin.h" ] \
    || hdr_missing=1
fi

if [ $check_only = 1 ]; then
  [ ${#missing[@]} -eq 0 ] && [ ${#src_missing[@]} -eq 0 ] && [ $hdr_missing = 0 ] \
    && { say "all present"; exit 0; }
  [ ${#missing[@]} -gt 0 ] && say "missing packages: ${missing[*]}"
  [ ${#src_missing[@]} -gt 0 ] && say "missing sources: ${src_missing[*]}"
  [ $hdr_missing = 1 ] && say "missing: third_party/$QEMU_HDR/qemu-plugin.h"
  exit 1
fi

updated=0
apt_update() {
  [ $updated = 1 ] && return 0
  say "apt-get update"
  as_root apt-get update -qq >/dev/null || die "apt-get update failed"
  updated=1
}

if [ ${#missing[@]} -gt 0 ]; then
  apt_update
  say "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null || die "apt-get install failed: ${missing[*]}"
fi

[ ${#src_missing[@]} -eq 0 ] && [ $hdr_missing = 0 ] && exit 0

# --- deb-src: derive from the machine's own sources, keeping Signed-By ---
have_debsrc() {
  grep -rqsE '^\s*(deb-src\s|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}
if ! have_debsrc; then
  out=/etc/apt/sources.list.d/tern-deb-src.sources
  tmp=$(mktemp)
  # deb822 files: copy every stanza whose Types has "deb", as deb-src.
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush() { if (n && isdeb) { for (i = 1; i <= n; i++) print buf[i]; print "" } n = 0; isdeb = 0 }
      /^[ \t]*$/ { flush(); next }
      /^#/ { next }
      /^Types:/ { if ($0 ~ /(^|[ \t])deb([ \t]|$)/) isdeb = 1; buf[++n] = "Types: deb-src"; next }
      /^Architectures:/ { next }
      { buf[++n] = $0 }
      END { flush() }' "$f" >>"$tmp"
  done
  # one-line .list files: "deb [opts] uri suite comp..." -> deb822 stanza
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '
      /^[ \t]*deb[ \t]/ {
        opts = ""; i = 2
        if ($2 ~ /^\[/) { while (i <= NF) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } i++ } }
        signed = ""
        if (match(opts, /signed-by=[^] ]+/)) signed = substr(opts, RSTART + 10, RLENGTH - 10)
        uri = $i; suite = $(i + 1); comps = ""
        for (j = i + 2; j <= NF; j++) comps = comps (comps ? " " : "") $j
        print "Types: deb-src"; print "URIs: " uri; print "Suites: " suite
        if (comps != "") print "Components: " comps
        if (signed != "") print "Signed-By: " signed
        print ""
      }' "$f" >>"$tmp"
  done
  # Only Debian archives carry the source packages we want.
  [ -s "$tmp" ] || die "no apt source found to derive a deb-src entry from"
  say "adding deb-src entries derived from the machine's apt sources ($out)"
  as_root install -m 0644 "$tmp" "$out"
  rm -f "$tmp"
  updated=0
fi
apt_update

# --- unpack source packages ---
mkdir -p "$tp"
for s in "${src_missing[@]}"; do
  work=$(mktemp -d "$tp/.unpack-$s.XXXXXX")
  say "fetching Debian source package $s"
  ( cd "$work" && apt-get source -qq "$s" >/dev/null 2>"$work/.log" ) \
    || { cat "$work/.log" >&2; rm -rf "$work"; die "apt-get source $s failed"; }
  d=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "$s*" | head -n 1)
  [ -n "$d" ] || { rm -rf "$work"; die "apt-get source $s: no directory unpacked"; }
  name=$(basename "$d")
  rm -rf "${tp:?}/$name"
  mv "$d" "$tp/$name"
  rm -rf "$work"
  # our patches, in order, each with a comment saying why
  if [ -d "$top/third_party/patches/$s" ]; then
    for p in "$top/third_party/patches/$s"/*.patch; do
      [ -f "$p" ] || continue
      say "  applying $(basename "$p")"
      patch -d "$tp/$name" -p1 -s --forward <"$p" || die "patch $p failed on $name"
    done
  fi
  echo "$name" >"$tp/.$s.stamp"
  patch_hash "$s" >"$tp/.$s.patches"
  say "  $s -> third_party/$name"
done

# --- QEMU's plugin API header, from the qemu source package ---
# The source version of the installed qemu-user first (its plugin API is
# what the plugin is loaded by), the candidate version if that one is gone.
if [ $hdr_missing = 1 ]; then
  work=$(mktemp -d "$tp/.unpack-qemu.XXXXXX")
  ver=$(dpkg-query -W -f='${source:Version}' qemu-user 2>/dev/null || true)
  say "fetching Debian source package qemu${ver:+ $ver} (download only, for qemu-plugin.h)"
  ( cd "$work" && { { [ -n "$ver" ] && apt-get source -qq --download-only "qemu=$ver"; } \
                    || apt-get source -qq --download-only qemu; } >/dev/null 2>"$work/.log" ) \
    || { cat "$work/.log" >&2; rm -rf "$work"; die "apt-get source --download-only qemu failed"; }
  orig=$(find "$work" -maxdepth 1 -name 'qemu_*.orig.tar.*' | head -n 1)
  [ -n "$orig" ] || { rm -rf "$work"; die "qemu source: no orig tarball"; }
  member=$(tar -tf "$orig" | grep '/include/qemu/qemu-plugin\.h$' | head -n 1 || true)
  [ -n "$member" ] || { rm -rf "$work"; die "qemu source: no include/qemu/qemu-plugin.h in $(basename "$orig")"; }
  tar -xf "$orig" -C "$work" "$member" || { rm -rf "$work"; die "tar: cannot extract $member"; }
  rm -rf "${tp:?}/$QEMU_HDR"
  mkdir -p "$tp/$QEMU_HDR"
  install -m 0644 "$work/$member" "$tp/$QEMU_HDR/qemu-plugin.h"
  rm -rf "$work"
  echo "$QEMU_HDR" >"$tp/.$QEMU_HDR.stamp"
  say "  qemu $member -> third_party/$QEMU_HDR/qemu-plugin.h"
fi
