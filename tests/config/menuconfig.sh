#!/usr/bin/env bash
# Drive the real `make menuconfig` in a terminal (tmux): jump to
# POOL_CONNECTIONS, set it to 123, save, quit; then `make` must carry the
# value into .config and autoconf.h. Output: one line "ok" or "FAILED: why".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
o=${1:?usage: menuconfig.sh OUTDIR}
sock=tern-mc-$$
mkdir -p "$o"
make -C "$top" --no-print-directory O="$o" host_defconfig >/dev/null 2>&1 || { echo "FAILED: defconfig"; exit 1; }
tm() { tmux -L "$sock" "$@"; }
cleanup() { tm kill-server 2>/dev/null; }
trap cleanup EXIT
tm new-session -d -x 120 -y 40 "make -C '$top' --no-print-directory O='$o' menuconfig; echo MC-EXIT-\$?; sleep 60"
# wait_for TEXT: poll the screen for up to 20 s
wait_for() {
	for _ in $(seq 1 100); do
		tm capture-pane -p 2>/dev/null | grep -qF -- "$1" && return 0
		sleep 0.2
	done
	echo "FAILED: menuconfig screen never showed '$1'"
	tm capture-pane -p | sed '/^ *$/d' | tail -5 | sed 's/^/    /'
	exit 1
}
wait_for "(Top)"
tm send-keys /; wait_for "narrow the search"
tm send-keys POOL_CONNECTIONS; sleep 0.3; tm send-keys Enter
wait_for "Connections"
tm send-keys Enter; wait_for "Range: 1-65535"
tm send-keys C-u BSpace BSpace BSpace BSpace BSpace BSpace 123 Enter
wait_for "(123) Connections"
tm send-keys S; sleep 0.5; tm send-keys Enter; wait_for "saved"; tm send-keys Enter
tm send-keys Q; wait_for "MC-EXIT-0"
make -C "$top" --no-print-directory O="$o" "$o/include/config/auto.conf" >/dev/null 2>&1
if grep -q '^CONFIG_POOL_CONNECTIONS=123$' "$o/.config" &&
   grep -q '^#define CONFIG_POOL_CONNECTIONS 123$' "$o/include/generated/autoconf.h"; then
	echo ok
else
	echo "FAILED: value 123 not in $o/.config and autoconf.h"
	exit 1
fi
