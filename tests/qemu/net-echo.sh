#!/usr/bin/env bash
# tests/qemu/net-echo.sh: the bare-metal image's network, end to end. Boots
# ELF (tern.elf) with a virtio-net device on QEMU's user network, with a
# random free host UDP port on 127.0.0.1 forwarded to the guest's port 7
# (the guest itself sends only to QEMU's own 10.0.2.2: DHCP, neighbour
# discovery, the echoes; restrict=on would be tighter, but QEMU 7.2's
# slirp then drops the guest's replies to a forwarded UDP port), waits for the
# guest's "net: addresses" line, sends datagrams of sizes 1 to 1400 bytes
# from the host and checks every echo byte for byte (and reports round-trip
# times), sends "quit", and checks that the guest exits 0 after printing
# its echo, NIC, lwIP and pool statistics. Everything has a time limit.
# Ends with one cmocka-style summary; the console log is kept in
# ELF.net-echo.log.
#
# Usage: net-echo.sh [-m MiB] [-t SECONDS] [-n DATAGRAMS] [-M] ELF
#   -M   the virtio 1.x transport (-global virtio-mmio.force-legacy=false)
#        instead of QEMU's default legacy one
set -u
here=$(cd "$(dirname "$0")" && pwd)
args=()
count=20
modern=
usage() { echo "usage: $0 [-m MiB] [-t SECONDS] [-n DATAGRAMS] [-M] ELF" >&2; exit 2; }
while getopts m:t:n:M opt; do
	case $opt in
	m | t) args+=("-$opt" "$OPTARG") ;;
	n) count=$OPTARG ;;
	M) modern=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
elf=$1
log=$elf.net-echo.log
name="bare-metal UDP echo over virtio-net${modern:+ (virtio 1.x transport)}"
[ ${#args[@]} -gt 0 ] || args=(-t 120)

# A free UDP port on the loopback address (a race with other programs is
# possible but harmless: QEMU then fails to forward and the test says so).
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export QEMU_NET="-netdev user,id=n0,hostfwd=udp:127.0.0.1:$port-:7 -device virtio-net-device,netdev=n0${modern:+ -global virtio-mmio.force-legacy=false}"

rm -f "$log"
bash "$here/run.sh" "${args[@]}" "$elf" </dev/null >"$log" 2>&1 &
qpid=$!

why=
# The guest's addresses (DHCP takes about a second), at most 60 s.
for _ in $(seq 600); do
	grep -q '^net: addresses ' "$log" && break
	kill -0 $qpid 2>/dev/null || break
	sleep 0.1
done
if ! grep -q '^net: addresses ipv4 [0-9]' "$log"; then
	why="no 'net: addresses ipv4' line from the guest"
fi

if [ -z "$why" ]; then
	out=$(timeout 60 python3 - "$port" "$count" <<'EOF'
import os, socket, sys, time

port, count = int(sys.argv[1]), int(sys.argv[2])
sizes = [1, 1400, 2, 3, 7, 63, 64, 65, 127, 128, 255, 256, 511, 512, 999,
         1000, 1023, 1024, 1200, 1399]
while len(sizes) < count:
    sizes.append(1 + (len(sizes) * 397) % 1400)
sizes = sizes[:count]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", port))
s.settimeout(2.0)
rtts, bad = [], []
for i, n in enumerate(sizes):
    msg = os.urandom(n)
    if msg == b"quit":
        msg = b"tiuq"
    t = time.monotonic()
    s.send(msg)
    try:
        got = s.recv(2048)
    except (socket.timeout, ConnectionRefusedError):
        got = None
    if got is None:
        bad.append("datagram %d (%d bytes): no echo" % (i, n))
        continue
    rtts.append((time.monotonic() - t) * 1000)
    if got != msg:
        bad.append("datagram %d (%d bytes): echo differs (%d bytes back)" % (i, n, len(got)))
s.send(b"quit")
print("sent %d datagrams of %d to %d bytes (%d bytes), %d echoed intact"
      % (len(sizes), min(sizes), max(sizes), sum(sizes), len(sizes) - len(bad)))
if rtts:
    r = sorted(rtts)
    print("round trip: min %.2f ms, median %.2f ms, max %.2f ms"
          % (r[0], r[len(r) // 2], r[-1]))
for b in bad:
    print("BAD " + b)
sys.exit(1 if bad else 0)
EOF
)
	prc=$?
	echo "$out" >"$log.host"
	[ $prc -ne 0 ] && why="echo check failed: $(grep -m1 BAD "$log.host" || echo "host side exit $prc")"
fi

# The guest stops at "quit" (or at its own time limit, or run.sh's).
wait $qpid
rc=$?

expect() {	# expect REGEX WHAT
	[ -n "$why" ] && return
	grep -Eq "$1" "$log" || why="no $2 on the console"
}
if [ -z "$why" ]; then
	if [ $rc -eq 124 ]; then
		why="timed out (QEMU killed)"
	elif [ $rc -ne 0 ]; then
		why="exit status $rc"
	fi
fi
expect '^net: virtio-net at 0x[0-9a-f]+ \(' "virtio-net line"
if [ -n "$modern" ]; then
	expect '\(virtio 1\.x transport, 12-byte header\)' "virtio 1.x transport with the 12-byte header"
else
	expect '\(legacy transport, 10-byte header\)' "legacy transport with the 10-byte header"
fi
expect "^echo: $((count + 1)) datagrams, [0-9]+ bytes echoed, 0 send errors$" "echo summary"
expect '^virtio-net: rx [1-9][0-9]* frames' "virtio-net statistics"
expect '^lwip udp +xmit [1-9]' "lwIP UDP statistics"
expect '^lwip pool +size +avail' "lwIP pool statistics"
expect '^UDP_PCB +[0-9]+ +[0-9]+ +0 ' "lwIP UDP pcbs all freed"
expect '^pools: [0-9]+, [0-9]+ bytes static, 0 blocks in use$' "pool totals"
expect '^uptime: ' "uptime"

{
	echo "=== suite: qemu-net-echo"
	sed 's/^/    | /' "$log"
	[ -f "$log.host" ] && sed 's/^/    host| /' "$log.host"
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
