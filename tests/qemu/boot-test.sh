#!/usr/bin/env bash
# tests/qemu/boot-test.sh: boot the bare-metal image and judge its console:
# the banner, MMU and caches on, the pool statistics, the uptime line and
# exit status 0. Ends with one cmocka-style summary (tools/run-tests.sh
# counts it). The console log is kept in ELF.boot.log.
#
# Usage: boot-test.sh [-m MiB] [-t SECONDS] ELF
set -u
here=$(cd "$(dirname "$0")" && pwd)
args=()
while getopts m:t: opt; do
	case $opt in
	m | t) args+=("-$opt" "$OPTARG") ;;
	*) echo "usage: $0 [-m MiB] [-t SECONDS] ELF" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ]; then
	echo "usage: $0 [-m MiB] [-t SECONDS] ELF" >&2
	exit 2
fi
elf=$1
log=$elf.boot.log
name="bare-metal boot"

bash "$here/run.sh" "${args[@]}" "$elf" </dev/null >"$log" 2>&1
rc=$?

why=
expect() {	# expect REGEX WHAT
	[ -n "$why" ] && return
	grep -Eq "$1" "$log" || why="no $2 on the console"
}
if [ $rc -eq 124 ]; then
	why="timed out (QEMU killed)"
elif [ $rc -ne 0 ]; then
	why="exit status $rc"
fi
expect '^tern [0-9][^ ]* \(qemu-virt-arm64, bare metal\)$' "banner"
expect '^cpu: MIDR_EL1 0x[0-9a-f]{8} ' "CPU line"
expect '^counter: [1-9][0-9]* Hz$' "counter frequency"
expect '^mmu: SCTLR_EL1 0x[0-9a-f]+: MMU on, D-cache on, I-cache on$' "'MMU on, D-cache on, I-cache on'"
expect '^ram: 0x' "RAM line"
expect '^entropy: virtio-rng at 0x' "virtio-rng entropy"
expect '^pool +size +capacity +in_use' "pool statistics header"
expect '^[a-z0-9_]+ +[0-9]+ +[0-9]+ +0 +0 +0 +0 +0 +0$' "pool statistics rows"
expect '^pools: [0-9]+, [0-9]+ bytes static, 0 blocks in use$' "pool totals"
expect '^lwip pool +size +avail' "lwIP pool statistics"
expect '^lwip: [0-9]+ pools, heap [0-9]+ bytes, 0 fallback random numbers$' "lwIP initialised with real entropy"
expect '^uptime: [0-9]+ us since reset' "uptime"

# The report in one write, so that `make -j` keeps it in one piece.
{
	echo "=== suite: qemu-boot"
	sed 's/^/    | /' "$log"
	echo "[==========] $name: 1 test(s) run."
	if [ -z "$why" ]; then
		echo "[  PASSED  ] 1 test(s)."
	else
		echo "[  FAILED  ] 1 test(s), listed below:"
		echo "[  FAILED  ] $name: $why (log: $log)"
	fi
} >"$log.report"
cat "$log.report"
[ -z "$why" ]
