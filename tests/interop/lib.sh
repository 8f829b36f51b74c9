# shellcheck shell=bash
# shellcheck disable=SC2034  # pass, fail, ok ...: used by the scripts that source this
# tests/interop/lib.sh: what the interop scripts (handshake.sh, h3.sh)
# share; sourced, not run. Conventions:
#  - every tern runs on a random free port and stops by itself (-t);
#  - TERN_RUNNER: a prefix for tern (e.g. "qemu-aarch64 -L ... -cpu max"
#    for the linux-arm64 build);
#  - ONLY: an extended regex; only the cases whose name matches run;
#  - INTEROP_LOGS: a directory to keep the logs in.

# interop_init SCRIPT TERN: $tern (absolute path), $dir (a scratch
# directory, removed at exit; its *.log first copied to $INTEROP_LOGS),
# the pass/fail counters
interop_init() {
	[ -n "${2:-}" ] || { echo "usage: $1 TERN"; exit 2; }
	tern=$(realpath "$2")
	[ -f "$tern" ] || { echo "interop: no such file: $2"; exit 2; }
	command -v gtlsclient >/dev/null || { echo "interop: gtlsclient missing (make deps)"; exit 1; }
	dir=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "interop_cleanup '$dir'" EXIT
	pass=0 fail=0
}

interop_cleanup() {
	if [ -n "${INTEROP_LOGS:-}" ]; then
		mkdir -p "$INTEROP_LOGS" && cp "$1"/*.log "$INTEROP_LOGS"/ 2>/dev/null
	fi
	rm -rf "$1"
}

want_case() { [[ $1 =~ ^(${ONLY:-.*})$ ]]; }

# tern_start NAME SECONDS [TERN_ARGS...]: a fresh tern on a free port
# ($port), stopping by itself after SECONDS; its log in $tlog, pid $tpid.
tern_start() {
	local name=$1 secs=$2 i
	shift 2
	tlog=$dir/$name.tern.log
	for i in 1 2 3 4 5; do
		port=$(( 20000 + RANDOM % 40000 ))
		${TERN_RUNNER:-} "$tern" -l 127.0.0.1:$port -t "$secs" "$@" >"$tlog" 2>&1 &
		tpid=$!
		for _ in $(seq 200); do  # 10 s: qemu-aarch64 on a loaded machine
			grep -q "listening on udp" "$tlog" 2>/dev/null && break
			kill -0 $tpid 2>/dev/null || break
			sleep 0.05
		done
		kill -0 $tpid 2>/dev/null && return 0
		wait $tpid  # port taken: try another
	done
	return 1
}

# tern_stop: SIGINT, and tern's exit status
tern_stop() {
	kill -INT $tpid 2>/dev/null
	wait $tpid
}

# tern's exit counters: "N handshakes completed", "N migrations followed", ...
tern_count() {
	grep -o "[0-9][0-9]* $1" "$tlog" | tail -1 | cut -d' ' -f1
}

# check_tern NAME WHAT WANT: tern's exit log counted WANT of WHAT
# (WANT: a number, or ">0"); clears $ok if not
check_tern() {
	local n
	n=$(tern_count "$2")
	case $3 in
	'>0') [ "${n:-0}" -gt 0 ] ;;
	*) [ "${n:-x}" = "$3" ] ;;
	esac || { echo "interop $1: tern counted ${n:-no} $2 (want $3)"; ok=0; }
}
