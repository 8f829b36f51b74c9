#!/usr/bin/env bash
# tests/interop/handshake.sh TERN: ngtcp2's gtlsclient (Debian
# ngtcp2-client, GnuTLS) against the host board's tern on loopback: the
# QUIC handshake completes for each TLS 1.3 suite offered alone, with
# tern forcing a Retry, after Version Negotiation (the client first tries
# a version tern does not speak, then picks v1 from tern's list), and
# across a key update the client starts (tern answers in the new phase). Judged from both sides (shared/FACTS.md:
# gtlsclient exits 0 even when nothing answered): the client must print
# that the handshake completed and was confirmed, the suite and ALPN h3;
# tern's log must count the completed handshake (and the Retry).
# Prints cmocka-style lines for tools/run-tests.sh. Every run is bounded:
# tern stops by itself (-t), gtlsclient has --timeout and `timeout`.
# TERN_RUNNER: a prefix for tern (e.g. "qemu-aarch64 -L ... -cpu max" for
# the linux-arm64 build, whose packet protection is then the arm64 code).
set -u
tern=$(realpath "${1:?usage: tests/interop/handshake.sh TERN}")
command -v gtlsclient >/dev/null || { echo "interop: gtlsclient missing (make deps)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0

# one case: NAME GNUTLS_CIPHER SUITE_NAME [TERN_ARGS...]
case_run() {
	local name=$1 cipher=$2 want=$3
	shift 3
	local port log=$dir/$name.tern.log clog=$dir/$name.client.log ok=1 i

	for i in 1 2 3 4 5; do
		port=$(( 20000 + RANDOM % 40000 ))
		${TERN_RUNNER:-} "$tern" -l 127.0.0.1:$port -t 10 "$@" >"$log" 2>&1 &
		local pid=$!
		for _ in $(seq 100); do
			grep -q "listening on udp" "$log" 2>/dev/null && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.05
		done
		kill -0 $pid 2>/dev/null && break
		wait $pid  # port taken: try another
	done
	timeout 20 gtlsclient ${QUIC_DUMP:---no-quic-dump} --no-http-dump --timeout=1s \
		--ciphers="NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+$cipher" \
		${CLIENT_ARGS:-} 127.0.0.1 $port ${CLIENT_URI:-} >"$clog" 2>&1
	kill -INT $pid 2>/dev/null
	wait $pid
	for want_line in "QUIC handshake has completed" "QUIC handshake has been confirmed" \
			 "Negotiated cipher suite is $want" "Negotiated ALPN is h3"; do
		grep -q "$want_line" "$clog" || { echo "interop $name: client never said: $want_line"; ok=0; }
	done
	grep -q "1 handshakes completed" "$log" || { echo "interop $name: tern counted no completed handshake"; ok=0; }
	if [ "$*" = "--retry" ]; then
		grep -q "1 Retry" "$log" || { echo "interop $name: tern sent no Retry"; ok=0; }
	fi
	case "${CLIENT_ARGS:-}" in
	*--preferred-versions*)
		grep -q "1 VN" "$log" || { echo "interop $name: tern sent no Version Negotiation"; ok=0; }
		grep -q "Client selected version 0x1" "$clog" ||
			{ echo "interop $name: client did not switch to v1"; ok=0; }
		;;
	*--key-update*)
		# the client moved to key phase 1 and tern answered in it
		grep -q "Initiate key update" "$clog" || { echo "interop $name: no key update started"; ok=0; }
		grep -Eq "pkt rx .*type=1RTT k=1" "$clog" ||
			{ echo "interop $name: tern never answered in the new key phase"; ok=0; }
		;;
	esac
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
		echo "interop $name: ok ($want)"
	else
		fail=$((fail + 1))
		sed 's/^/    tern: /' "$log" | grep -v "^    tern: [a-z_0-9]* *[0-9]" | tail -5
		grep -v "^I0\|packet:\|Set timer" "$clog" | sed 's/^/    client: /' | tail -8
	fi
}

case_run aes128gcm AES-128-GCM AES-128-GCM
case_run aes256gcm AES-256-GCM AES-256-GCM
case_run chacha20 CHACHA20-POLY1305 CHACHA20-POLY1305
case_run aes128ccm AES-128-CCM AES-128-CCM
case_run retry AES-128-GCM AES-128-GCM --retry
# 0x1a2a3a4a: a reserved version (RFC 9000 15) no server speaks
CLIENT_ARGS="-v 0x1a2a3a4a --preferred-versions=v1" case_run vn AES-128-GCM AES-128-GCM
# a key update by the client (RFC 9001 6), with a request sent after it
QUIC_DUMP=" " CLIENT_ARGS="--key-update=20ms --delay-stream=300ms" CLIENT_URI=https://localhost/ \
	case_run keyupdate AES-128-GCM AES-128-GCM

[ $pass -gt 0 ] && echo "[  PASSED  ] $pass test(s)."
[ $fail -gt 0 ] && echo "[  FAILED  ] $fail test(s)."
[ $fail -eq 0 ]
