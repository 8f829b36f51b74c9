#!/usr/bin/env bash
# tools/build-matrix.sh — build every configs/*_defconfig x QUIC_0RTT y/n x
# crypto backend (portable everywhere, arm64 on arm64 boards), each in
# build/matrix/<name>. Prints one line per build and exits non-zero if any
# failed. Logs: build/matrix/<name>.log
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
M=build/matrix
mkdir -p "$M"
MAKE="make --no-print-directory -j${JOBS:-$(nproc)}"
ok=0 failed=0 n=0
builds=()
for d in configs/*_defconfig; do
	b=$(basename "$d" _defconfig)
	# the arm64 backend exists where Kconfig makes the board ARCH_ARM64
	arm64=$(/usr/bin/python3 -c "
import sys; sys.path.insert(0, 'tools'); import kconfig
k = kconfig.load_kconfig(); k.load_config('$d'); print(k.syms['ARCH_ARM64'].str_value)")
	backends=portable
	[ "$arm64" = y ] && backends="portable arm64"
	for be in $backends; do
		for z in n y; do builds+=("$b:$be:$z"); done
	done
done
total=${#builds[@]}
t0=$(date +%s)
for spec in "${builds[@]}"; do
	IFS=: read -r b be z <<<"$spec"
	n=$((n + 1))
	name=$b-$be-0rtt_$z
	o=$M/$name
	BE=$(echo "$be" | tr a-z A-Z)
	printf '[%2d/%d] %-40s ' "$n" "$total" "$name"
	s=$(date +%s)
	if { $MAKE O="$o" "${b}_defconfig" &&
	     /usr/bin/python3 tools/kconfig.py set --config "$o/.config" "CRYPTO_$BE=y" "QUIC_0RTT=$z" &&
	     $MAKE O="$o" all; } >"$o.log" 2>&1; then
		img=$(sed -n 's/^IMAGE=//p' <($MAKE -s O="$o" print-image 2>/dev/null))
		printf 'ok   %4ds  %s\n' $(( $(date +%s) - s )) "$( [ -n "$img" ] && size "$img" 2>/dev/null | awk 'NR==2{print "text " $1 " data " $2 " bss " $3}')"
		ok=$((ok + 1))
	else
		printf 'FAILED (%s)\n' "$o.log"
		tail -n 5 "$o.log" | sed 's/^/    | /'
		failed=$((failed + 1))
	fi
done
echo "build-matrix: $ok of $total built, $failed failed, $(( $(date +%s) - t0 ))s"
[ $failed -eq 0 ]
