#!/usr/bin/env bash
# Configuration checks, end to end through make (cmocka-style output):
# a bad or missing .config value stops the build naming the symbol; a
# changed value lands in .config, autoconf.h and user_settings.h; with no
# .config the host defconfig is used; every defconfig loads cleanly.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
W=build/test/config
rm -rf "$W"; mkdir -p "$W"
MAKE="make --no-print-directory"
pass=0 fail=0 failed=()
echo "=== suite: config"
echo "[==========] Running config checks."

ok() { echo "[       OK ] $1"; pass=$((pass + 1)); }
bad() { echo "[  FAILED  ] $1: $2"; fail=$((fail + 1)); failed+=("$1"); }

# expect_stop NAME SED-EXPR SYMBOL: corrupt a good .config, `make` must fail
# with exit != 0 and a "config error" line naming SYMBOL.
expect_stop() {
	local name=$1 expr=$2 sym=$3 o=$W/$1
	mkdir -p "$o"
	$MAKE O="$o" host_defconfig >/dev/null 2>&1 || { bad "$name" "defconfig failed"; return; }
	sed -i "$expr" "$o/.config"
	local out rc
	out=$($MAKE O="$o" all 2>&1); rc=$?
	if [ $rc -ne 0 ] && grep -q "config error:.*$sym" <<<"$out" && [ ! -e "$o/tern" ]; then
		ok "$name"
	else
		bad "$name" "make exit $rc; output: $(grep -m2 'config error' <<<"$out" | tr '\n' ' ')"
	fi
}
echo "[ RUN      ] bad values stop the build"
expect_stop out-of-range 's/^CONFIG_POOL_CONNECTIONS=.*/CONFIG_POOL_CONNECTIONS=70000/' 'CONFIG_POOL_CONNECTIONS=70000 is outside its range'
expect_stop not-a-number 's/^CONFIG_LOG_LEVEL=.*/CONFIG_LOG_LEVEL=loud/' 'CONFIG_LOG_LEVEL=loud is not a valid int'
expect_stop unknown-board 's/^CONFIG_BOARD_HOST=y/CONFIG_BOARD_RPI9=y/' 'CONFIG_BOARD_RPI9=y: no such symbol'
expect_stop missing-symbol '/^CONFIG_POOL_CIDS_PER_CONN=/d' 'CONFIG_POOL_CIDS_PER_CONN is missing'
expect_stop arm64-crypto-on-host 's/^CONFIG_CRYPTO_PORTABLE=y/CONFIG_CRYPTO_ARM64=y/' 'CONFIG_CRYPTO_ARM64'

echo "[ RUN      ] a changed value lands in autoconf.h and user_settings.h"
o=$W/change
$MAKE O="$o" host_defconfig >/dev/null 2>&1
/usr/bin/python3 tools/kconfig.py set --config "$o/.config" POOL_CONNECTIONS=77 QUIC_0RTT=y >/dev/null 2>&1
if $MAKE O="$o" "$o/include/config/auto.conf" >/dev/null 2>&1 &&
   grep -q '^CONFIG_POOL_CONNECTIONS=77$' "$o/.config" &&
   grep -q '^#define CONFIG_POOL_CONNECTIONS 77$' "$o/include/generated/autoconf.h" &&
   grep -q '^#define CONFIG_QUIC_0RTT 1$' "$o/include/generated/autoconf.h" &&
   grep -q '^#define WOLFSSL_EARLY_DATA' "$o/include/generated/user_settings.h"; then
	ok "value-lands"
else
	bad "value-lands" "CONFIG_POOL_CONNECTIONS=77 / QUIC_0RTT=y not found in generated headers"
fi
/usr/bin/python3 tools/kconfig.py set --config "$o/.config" QUIC_0RTT=n >/dev/null 2>&1
$MAKE O="$o" "$o/include/config/auto.conf" >/dev/null 2>&1
if grep -q '^#define WOLFSSL_EARLY_DATA' "$o/include/generated/user_settings.h"; then
	bad "0rtt-off" "user_settings.h still enables WOLFSSL_EARLY_DATA with QUIC_0RTT=n"
else
	ok "0rtt-off"
fi

echo "[ RUN      ] make menuconfig in a terminal: a changed value lands"
r=$(bash tests/config/menuconfig.sh "$W/menuconfig" 2>&1)
if [ "$r" = ok ]; then ok "menuconfig"; else bad "menuconfig" "$r"; fi

echo "[ RUN      ] every defconfig loads without complaint, savedefconfig round-trips"
for d in configs/*_defconfig; do
	b=$(basename "$d" _defconfig)
	o=$W/def-$b
	if $MAKE O="$o" "${b}_defconfig" >/dev/null 2>&1 &&
	   $MAKE O="$o" "$o/include/config/auto.conf" >/dev/null 2>&1 &&
	   grep -q "^#define CONFIG_BOARD \"$b\"$" "$o/include/generated/autoconf.h" &&
	   $MAKE O="$o" savedefconfig >/dev/null 2>&1 &&
	   diff -q <(sort "$o/defconfig") <(grep -v '^#' "$d" | sed '/^$/d' | sort) >/dev/null; then
		ok "defconfig-$b"
	else
		bad "defconfig-$b" "load, generate or savedefconfig round-trip failed"
	fi
done

echo "[ RUN      ] no .config: the host defconfig is used"
rm -rf "$W/clone"; mkdir -p "$W/clone"
git ls-files -z | xargs -0 cp --parents -t "$W/clone" 2>/dev/null
ln -s "$top/third_party" "$W/clone/third_party" 2>/dev/null || true
if (cd "$W/clone" && $MAKE build/include/config/auto.conf 2>&1 | grep -q 'no .config: using configs/host_defconfig') &&
   grep -q '^CONFIG_BOARD_HOST=y' "$W/clone/.config"; then
	ok "no-config-host-default"
else
	bad "no-config-host-default" "make without .config did not fall back to host_defconfig"
fi
rm -rf "$W/clone"

echo "[==========] $((pass + fail)) config check(s) run."
echo "[  PASSED  ] $pass test(s)."
if [ $fail -gt 0 ]; then
	echo "[  FAILED  ] $fail test(s), listed below:"
	for f in "${failed[@]}"; do echo "[  FAILED  ] $f"; done
	exit 1
fi
