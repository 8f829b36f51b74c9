#!/usr/bin/env bash
# tests/qemu/h3.sh ELF: the bare-metal terminator end to end. Boots ELF
# (tern.elf) in qemu-system-aarch64 with a virtio-net device on QEMU's
# user network, a random free UDP port on 127.0.0.1 forwarded to the
# guest's CONFIG_TERM_LISTEN_PORT (443 in the qemu defconfig), and fetches from the host with
# ngtcp2's gtlsclient: the status page, /bytes/1000000 and /bytes/20000000
# (checked byte for byte against the pattern, sha256 printed), 50 requests
# on one connection; resumption and 0-RTT (accepted by a CONFIG_QUIC_0RTT=y
# image, refused and resent in 1-RTT by an n one); a flood of 20,000
# malformed datagrams (tests/qemu/flood.py), then a request; with a
# default backend at 10.0.2.2:PORT in the
# image's .config (QEMU's user network: the host), tests/interop/backend.py
# on 127.0.0.1:PORT serves /data/1000000 and /data/20000000 through it
# (lwIP TCP in the guest). Then 'q' on the guest's console: GOAWAY, drain,
# statistics; the guest must exit 0 with every tern pool back to 0 in use.
# gtlsclient exits 0 whatever happened (shared/FACTS.md): it is judged by
# its log and its downloads. Every step has a time limit. One
# cmocka-style summary; the console log is kept in ELF.h3.log.
#
# Usage: h3.sh [-t SECONDS] ELF
set -u
here=$(cd "$(dirname "$0")" && pwd)
secs=180
while getopts t: opt; do
	case $opt in
	t) secs=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] ELF" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: $0 [-t SECONDS] ELF" >&2; exit 2; }
elf=$1
log=$elf.h3.log
dir=$(mktemp -d)
qpid=
cleanup() {
	exec 7>&- 2>/dev/null
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	[ -n "${bpid:-}" ] && kill "$bpid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
py=$(command -v /usr/bin/python3 || command -v python3)
port=$("$py" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
guest_port=$(sed -n 's/^CONFIG_TERM_LISTEN_PORT=//p' "$(dirname "$elf")/.config" 2>/dev/null)
guest_port=${guest_port:-4433}
fails=() notes=()
bad() { fails+=("$*"); }
zrtt=$(sed -n 's/^CONFIG_QUIC_0RTT=//p' "$(dirname "$elf")/.config" 2>/dev/null)
# the backend the image was built with, when it is the host
bport=$(sed -n 's/^CONFIG_TERM_BACKEND="10\.0\.2\.2:\([0-9]*\)"$/\1/p' "$(dirname "$elf")/.config" 2>/dev/null)
bpid=
if [ -n "$bport" ]; then
	"$py" "$here/../interop/backend.py" --port "$bport" --duration "$secs" >"$dir/backend.out" 2>"$dir/backend.log" &
	bpid=$!
	for _ in $(seq 100); do
		grep -q "^listening on" "$dir/backend.out" 2>/dev/null && break
		kill -0 "$bpid" 2>/dev/null || break
		sleep 0.05
	done
	grep -q "^listening on" "$dir/backend.out" ||
		bad "the backend could not listen on 127.0.0.1:$bport (the image's CONFIG_TERM_BACKEND; port busy?)"
fi

echo "[==========] qemu-h3: Running 1 test(s)."
echo "[ RUN      ] bare-metal HTTP/3"
mkfifo "$dir/console"
QEMU_NET="-netdev user,id=n0,hostfwd=udp:127.0.0.1:$port-:$guest_port -device virtio-net-device,netdev=n0" \
	bash "$here/run.sh" -t "$secs" "$elf" <"$dir/console" >"$log" 2>&1 &
qpid=$!
exec 7>"$dir/console"
for _ in $(seq 300); do  # 30 s: DHCP, SLAAC, the endpoint
	grep -q "^serve: HTTP/3 on udp port" "$log" && break
	kill -0 "$qpid" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q "^serve: HTTP/3 on udp port" "$log"; then
	bad "the guest did not start serving"
else
	# h3 NAME [gtlsclient options...] -- PATH...: one gtlsclient
	# connection (60 s at most)
	h3() {
		local name=$1 opts=() uris=()
		shift
		while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
		shift
		for p; do uris+=("https://localhost:$port$p"); done
		mkdir -p "$dir/dl"
		timeout 60 gtlsclient --no-quic-dump --no-http-dump --exit-on-all-streams-close \
			--download "$dir/dl" "${opts[@]}" 127.0.0.1 "$port" "${uris[@]}" >"$dir/$name.log" 2>&1
	}
	# ok200 NAME N: N responses 200 in the log, nothing else
	ok200() {
		local all want
		all=$(grep -c "^http: stream 0x[0-9a-f]* \[:status: [0-9]*\]" "$dir/$1.log")
		want=$(grep -c "^http: stream 0x[0-9a-f]* \[:status: 200\]" "$dir/$1.log")
		[ "$all" = "$2" ] && [ "$want" = "$2" ] || bad "$1: $want of $all responses 200 (want $2)"
	}
	# pattern FILE N: the N bytes of /bytes/N; prints its sha256
	pattern() {
		"$py" - "$1" "$2" <<'EOF'
import hashlib, sys
f, n = sys.argv[1], int(sys.argv[2])
period = bytes(i % 251 for i in range(251)) * 4096
try:
    data = open(f, "rb").read()
except OSError:
    print("missing"); sys.exit(1)
want = hashlib.sha256()
k = n
while k > 0:
    want.update(period[:min(k, len(period))]); k -= len(period)
got = hashlib.sha256(data).hexdigest()
print(got[:16] if len(data) == n and got == want.hexdigest() else "bad: %d bytes" % len(data))
sys.exit(0 if len(data) == n and got == want.hexdigest() else 1)
EOF
	}
	t=$EPOCHREALTIME
	h3 status -- /
	[ "$(head -1 "$dir/dl/index.html" 2>/dev/null)" = "tern: HTTP/3 terminator" ] || bad "no status page"
	grep -q "QUIC handshake has completed" "$dir/status.log" || bad "status: no handshake"
	ok200 status 1
	gets=(/bytes/1000000 /bytes/20000000)
	[ -n "$bpid" ] && gets+=(/data/1000000 /data/20000000)
	for g in "${gets[@]}"; do
		n=${g##*/} name=get${g//\//-}
		t=$EPOCHREALTIME
		h3 "$name" -- "$g"
		secs_n=$(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
		ok200 "$name" 1
		if sha=$(pattern "$dir/dl/$n" "$n"); then
			notes+=("$g: $n bytes in $secs_n s (sha256 $sha)")
		else
			bad "$g: $sha"
		fi
		rm -f "$dir/dl/$n"
	done
	if [ -n "$bpid" ]; then
		grep -q "GET /data/20000000 200 20000000" "$dir/backend.log" ||
			bad "the backend did not serve /data/20000000: $(tail -2 "$dir/backend.log" | tr '\n' ';')"
	fi
	paths=()
	for i in $(seq 2000 2049); do paths+=("/bytes/$i"); done
	t=$EPOCHREALTIME
	h3 many -- "${paths[@]}"
	ok200 many 50
	nok=0
	for i in $(seq 2000 2049); do pattern "$dir/dl/$i" "$i" >/dev/null && nok=$((nok + 1)); done
	[ "$nok" = 50 ] || bad "$nok of 50 concurrent bodies right"
	notes+=("50 requests on one connection in $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s")
	# resumption: a session (ticket) and transport parameters from a
	# first run; the second resumes without early data, the third sends
	# its request in 0-RTT (taken with CONFIG_QUIC_0RTT=y, refused and
	# sent again in 1-RTT without); the guest's counters are checked at
	# the end
	files=(--timeout=5s --session-file="$dir/sess.pem" --tp-file="$dir/tp.txt")
	h3 resume1 "${files[@]}" -- /
	ok200 resume1 1
	[ -s "$dir/sess.pem" ] || bad "resumption: the first run saved no session (no ticket)"
	h3 resume2 "${files[@]}" --disable-early-data -- /
	ok200 resume2 1
	h3 early "${files[@]}" -- /bytes/1000
	ok200 early 1
	pattern "$dir/dl/1000" 1000 >/dev/null || bad "0-RTT run: /bytes/1000 body wrong"
	if [ "$zrtt" = y ]; then
		! grep -q "Early data was rejected" "$dir/early.log" || bad "0-RTT built, but the early data was rejected"
	else
		grep -q "Early data was rejected" "$dir/early.log" || bad "0-RTT not built, but the client's early data was not rejected"
	fi
	# a flood of malformed datagrams (bounded), then a request: served
	t=$EPOCHREALTIME
	flood=$("$py" "$here/flood.py" "$port" 20000 20)
	h3 after-flood -- /
	ok200 after-flood 1
	[ "$(head -1 "$dir/dl/index.html" 2>/dev/null)" = "tern: HTTP/3 terminator" ] || bad "no status page after the flood"
	notes+=("${flood:-0} malformed datagrams in $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s, then served")
fi
# stop: 'q' on the console, then the guest's own exit status
echo q >&7
exec 7>&-
rc=
for _ in $(seq 300); do
	kill -0 "$qpid" 2>/dev/null || { wait "$qpid"; rc=$?; break; }
	sleep 0.1
done
qpid_left=$qpid
qpid=
if [ -z "$rc" ]; then
	kill "$qpid_left" 2>/dev/null
	bad "the guest did not stop within 30 s of 'q'"
elif [ "$rc" != 0 ]; then
	bad "the guest exited $rc"
fi
grep -q "^serve: stopping" "$log" || bad "the guest did not say it was stopping"
grep -q "^http3: .* 0 stream errors, 0 connection errors" "$log" || bad "stream or connection errors: $(grep '^http3:' "$log")"
resumed=$(sed -n 's/^tickets: [0-9]* issued, \([0-9]*\) resumed.*/\1/p' "$log")
[ "${resumed:-0}" -ge 2 ] || bad "the guest resumed ${resumed:-no} sessions (want 2: without and with early data)"
if [ "$zrtt" = y ]; then
	# (gtlsclient --disable-early-data still offers the extension, which
	# tern accepts: 1 or 2)
	grep -Eq "^tickets: .* 0-RTT on: [12] accepted" "$log" || bad "0-RTT: $(grep '^tickets:' "$log")"
fi
notes+=("guest $(grep '^tickets:' "$log")" "guest $(grep '^udp:' "$log")")
# the last pool table (after the network went down): every pool idle
busy=$(awk '/^pool +size/ { n++; delete b; next } n && NF == 9 && $4 ~ /^[0-9]+$/ && $4 != 0 { b[$1] = $4 }
	    END { for (p in b) printf "%s %s; ", p, b[p] }' "$log")
[ -z "$busy" ] || bad "pools still in use at the end: $busy"
if [ ${#fails[@]} = 0 ]; then
	echo "qemu-h3: ok ($(printf '%s; ' "${notes[@]}" | sed 's/; $//'))"
	echo "[       OK ] bare-metal HTTP/3"
	echo "[  PASSED  ] 1 test(s)."
	exit 0
fi
for f in "${fails[@]}"; do echo "qemu-h3: $f"; done
tail -25 "$log" | sed 's/^/    | /'
echo "[  FAILED  ] bare-metal HTTP/3"
echo "[  FAILED  ] 1 test(s), listed below:"
echo "[  FAILED  ] bare-metal HTTP/3"
exit 1
