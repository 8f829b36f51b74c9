#!/usr/bin/env bash
# tools/run-tests.sh — what `make test` runs. Each step builds in its own
# output directory under build/test/ from a board defconfig plus
# tests/configs/test.config, runs, and is logged to build/test/logs/.
# The end is a table per suite and one line "test: N passed, N failed, N skipped".
#
# Usage: tools/run-tests.sh [STEP...]   (default: all steps; see STEPS below)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
T=build/test
logs=$T/logs
mkdir -p "$logs"
JOBS=${JOBS:-$(nproc)}
MAKE="make --no-print-directory -j$JOBS"
FRAG=tests/configs/test.config

STEPS=(kconfig config host host-san aarch64 aarch64-portable bulk 0rtt baremetal interop)
[ $# -gt 0 ] && STEPS=("$@")

rows=()
tp=0 tf=0 ts=0
# make test builds only under build/test/: the user's .config must not change
cfg_before=$(cat .config 2>/dev/null | md5sum)
start_all=$(date +%s)

# record NAME LOG RC: sum cmocka's per-suite lines in LOG into rows/totals.
# Suites are announced by the runners as "=== suite: NAME".
record() {
	local step=$1 log=$2 rc=$3
	local out
	out=$(awk -v step="$step" '
		function flush() {
			if (suite != "")
				printf "%s\t%s\t%d\t%d\t%d\n", step, suite, p, f, s
			suite = ""; p = f = s = 0
		}
		/^=== suite: / { flush(); suite = $3; next }
		/^\[  PASSED  \] [0-9]+ test/ { p += $4 }
		/^\[  FAILED  \] [0-9]+ test/ { f += $4 }
		/^\[  SKIPPED \] [0-9]+ test/ { s += $4 }
		/^\[  ERROR   \] / { f += 1 }
		END { flush() }' "$log")
	local any=0 stepf=0
	while IFS=$'\t' read -r st su p f s; do
		[ -z "$st" ] && continue
		any=1
		rows+=("$(printf '%-16s %-18s %5d %6d %7d' "$st" "$su" "$p" "$f" "$s")")
		tp=$((tp + p)); tf=$((tf + f)); ts=$((ts + s)); stepf=$((stepf + f))
	done <<<"$out"
	# a step whose make failed without a failing suite to show for it, or
	# that reported no suite at all, is one failure of its own
	if [ "$rc" -ne 0 ] && [ $stepf -eq 0 ]; then
		local why
		why=$(grep -m1 -E 'error|Error|FAILED|config error|Abort|timeout' "$log" | cut -c1-100)
		rows+=("$(printf '%-16s %-18s %5s %6d %7s  (exit %d: %s; see %s)' "$step" "(step)" "" 1 "" "$rc" "$why" "$log")")
		tf=$((tf + 1))
	elif [ $any = 0 ]; then
		rows+=("$(printf '%-16s %-18s %5s %6d %7s  (no suite ran; see %s)' "$step" "(step)" "" 1 "" "$log")")
		tf=$((tf + 1))
	fi
}

run_step() {
	local name=$1; shift
	local log=$logs/$name.log t0 rc
	t0=$(date +%s)
	printf 'test: %-16s ... ' "$name"
	"$@" >"$log" 2>&1
	rc=$?
	printf '%s (%ds)\n' "$([ $rc = 0 ] && echo ok || echo FAILED)" $(( $(date +%s) - t0 ))
	[ $rc = 0 ] || tail -n 15 "$log" | sed 's/^/    | /'
	record "$name" "$log" "$rc"
}

# One board build + its unit tests in O=build/test/NAME.
board_unit() {
	local o=$T/$1 defconfig=$2; shift 2
	$MAKE O="$o" "$@" "$defconfig" FRAGMENTS="$FRAG" &&
	$MAKE O="$o" "$@" all &&
	$MAKE O="$o" "$@" unit
}

step_kconfig() {
	echo "=== suite: kconfig-lint"; $MAKE kconfig-lint && echo "[  PASSED  ] 1 test(s)." || return 1
	# checked-in oracle vectors are exactly what their generator makes
	echo "=== suite: oracle-data"
	/usr/bin/python3 tools/gen_crypto_oracle.py --check && echo "[  PASSED  ] 1 test(s)."
}
step_config() { bash tests/config/run.sh; }
# the unit tests, then the host board's command line (--cert/--key), then
# the tests/fuzz/ harnesses on their seeds and mutants (gcc, ASan+UBSan)
step_host() {
	board_unit host host_defconfig &&
	echo "=== suite: host-cli" && bash tests/host/cli.sh $T/host/tern &&
	echo "=== suite: fuzz-replay" && $MAKE O=$T/host fuzz-replay
}
step_host_san() { board_unit host-san host_defconfig SAN=1; }
step_aarch64() { board_unit linux-arm64 linux-arm64_defconfig; }
# the other arm64 backend choice: CRYPTO_PORTABLE=y links no arm64 code at all
step_aarch64_portable() {
	FRAG="$FRAG configs/fragments/crypto-portable.config" \
		board_unit linux-arm64-portable linux-arm64_defconfig &&
	grep -q '^CONFIG_CRYPTO_PORTABLE=y' "$T/linux-arm64-portable/.config"
}
# bulk transfers need big stream windows (configs/fragments/bulk.config):
# the throughput check with the default controller (CUBIC), and the
# other controller's build (NewReno) through the transfer tests
step_bulk() {
	local frag="$FRAG configs/fragments/bulk.config"
	FRAG="$frag" board_unit host-bulk host_defconfig UNIT_BULK=y UNIT_ONLY="sim_bulk" &&
	FRAG="$frag configs/fragments/newreno.config" board_unit host-newreno host_defconfig \
		UNIT_BULK=y UNIT_ONLY="sim_bulk sim_quic sim_path recovery" &&
	grep -q '^CONFIG_QUIC_CC_NEWRENO=y' "$T/host-newreno/.config"
}
# the other CONFIG_QUIC_0RTT setting (the default is n): the TLS, ticket
# and transport suites with early data compiled in, and the interop
# resumption case against that build
step_0rtt() {
	FRAG="$FRAG configs/fragments/0rtt.config" board_unit host-0rtt host_defconfig \
		UNIT_ONLY="tls tls_resume wolfssl endpoint sim_quic sim_interop sim_0rtt sim_h3 sim_h3_errors sim_backend" &&
	grep -q '^CONFIG_QUIC_0RTT=y' "$T/host-0rtt/.config" &&
	echo "=== suite: interop-0rtt" &&
	ONLY="resumption|zerortt|aes128gcm" bash tests/interop/handshake.sh $T/host-0rtt/tern
}
# ngtcp2's gtlsclient against tern on loopback: the host build, then the
# linux-arm64 build under qemu-aarch64 (its arm64 crypto with a real peer)
step_interop() {
	$MAKE O=$T/host all && $MAKE O=$T/linux-arm64 all || return 1
	echo "=== suite: interop-host"
	bash tests/interop/handshake.sh $T/host/tern || true
	echo "=== suite: interop-h3-host"
	bash tests/interop/h3.sh $T/host/tern || true
	echo "=== suite: make-run"
	bash tests/interop/run.sh || true
	echo "=== suite: interop-arm64"
	TERN_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu -cpu max" \
		bash tests/interop/handshake.sh $T/linux-arm64/tern || true
	echo "=== suite: interop-h3-arm64"
	TERN_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu -cpu max" \
		bash tests/interop/h3.sh $T/linux-arm64/tern || true
}
step_baremetal() {
	board_unit qemu-virt-arm64 qemu-virt-arm64_defconfig &&
	$MAKE O=$T/qemu-virt-arm64 nm-check boot-test &&
	echo "=== suite: lwip-check" &&
	$MAKE O=$T/qemu-virt-arm64 lwip-check && echo "[  PASSED  ] 1 test(s)." &&
	$MAKE O=$T/qemu-virt-arm64 qemu-test &&
	# the image again with CONFIG_QUIC_0RTT=y: the client's 0-RTT request taken
	$MAKE O=$T/qemu-virt-arm64-0rtt qemu-virt-arm64_defconfig \
		FRAGMENTS="$FRAG configs/fragments/0rtt.config" &&
	$MAKE O=$T/qemu-virt-arm64-0rtt all &&
	grep -q '^CONFIG_QUIC_0RTT=y' "$T/qemu-virt-arm64-0rtt/.config" &&
	echo "=== suite: qemu-h3-0rtt" && bash tests/qemu/h3.sh $T/qemu-virt-arm64-0rtt/tern.elf
}

for s in "${STEPS[@]}"; do
	case $s in
	kconfig) run_step kconfig step_kconfig ;;
	config) run_step config step_config ;;
	host) run_step host step_host ;;
	host-san) run_step host-san step_host_san ;;
	aarch64) run_step aarch64 step_aarch64 ;;
	aarch64-portable) run_step aarch64-portable step_aarch64_portable ;;
	bulk) run_step bulk step_bulk ;;
	0rtt) run_step 0rtt step_0rtt ;;
	baremetal) run_step baremetal step_baremetal ;;
	interop) run_step interop step_interop ;;
	*) echo "test: unknown step '$s' (steps: kconfig config host host-san aarch64 aarch64-portable bulk 0rtt baremetal interop)"; exit 2 ;;
	esac
done

echo "=== suite: own-config" >"$logs/own-config.log"
if [ "$(cat .config 2>/dev/null | md5sum)" = "$cfg_before" ]; then
	echo "[  PASSED  ] 1 test(s)." >>"$logs/own-config.log"
else
	echo "[  FAILED  ] 1 test(s): make test changed ./.config" >>"$logs/own-config.log"
fi
record tree "$logs/own-config.log" 0

echo
printf '%-16s %-18s %5s %6s %7s\n' step suite passed failed skipped
for r in "${rows[@]}"; do echo "$r"; done
echo "test: took $(( $(date +%s) - start_all ))s; logs in $logs/"
echo "test: $tp passed, $tf failed, $ts skipped"
[ "$tf" -eq 0 ]
