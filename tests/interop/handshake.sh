#!/usr/bin/env bash
# tests/interop/handshake.sh TERN: ngtcp2's gtlsclient (Debian
# ngtcp2-client 0.12.1, GnuTLS) against the host board's tern on
# loopback. Cases:
#  - the QUIC handshake completes for each TLS 1.3 suite offered alone,
#    with tern forcing a Retry, after Version Negotiation (the client
#    first tries a version tern does not speak, then picks v1 from tern's
#    list), and across a key update the client starts (tern answers in
#    the new phase);
#  - under loss (the client's --tx-loss/--rx-loss): the handshake
#    completes and is confirmed, and a 256 KB request body sent in 1-RTT
#    is acknowledged in full (RFC 9002 recovery on both sides);
#  - migration (--change-local-addr): the client moves to a new port with
#    a new CID and validates it; tern follows, validates it too, and a
#    request sent after the move is acknowledged (RFC 9000 9);
#  - NAT rebinding (--nat-rebinding): tern notices the new address, sends
#    a PATH_CHALLENGE there itself and keeps the connection (9.3);
#  - resumption: two client runs against one tern (tickets are per tern
#    process), the second resumes with the ticket of the first
#    (docs/notes/0rtt-wolfssl.md 5).
# Judged from both sides (shared/FACTS.md: gtlsclient exits 0 even when
# nothing answered): the client's log must show what the case is about
# (handshake completed and confirmed, suite, ALPN h3, frames acknowledged,
# path validated ...), and tern's exit log must count it (handshakes,
# Retry, VN, migrations, failed validations).
# Prints cmocka-style lines for tools/run-tests.sh. Every run is bounded:
# tern stops by itself (-t), every gtlsclient run has `timeout`, and the
# longer ones are stopped as soon as their log shows what was waited for.
# TERN_RUNNER: a prefix for tern (e.g. "qemu-aarch64 -L ... -cpu max" for
# the linux-arm64 build, whose packet protection is then the arm64 code).
# ONLY: an extended regex; only the cases whose name matches run.
# INTEROP_LOGS: a directory to keep the logs in.
set -u
# shellcheck source=tests/interop/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init tests/interop/handshake.sh "$@"
# the new cases offer one suite (tern's preference differs with the CPU)
AES128=--ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM

# want_case, tern_start, tern_stop, tern_count, check_tern: lib.sh

# client LOG SECONDS UNTIL [gtlsclient args and positional arguments...]:
# gtlsclient against tern (127.0.0.1 $port come after the options given
# here, then CLIENT_URI). It runs until it exits, at most SECONDS, or until
# the shell command UNTIL (run with the log as $1) succeeds: then it is
# stopped HOLD seconds later (default 0.2: a moment for the last packets).
client() {
	local log=$1 secs=$2 until=$3 cpid
	shift 3
	: >"$log"
	timeout "$secs" gtlsclient --no-quic-dump --no-http-dump "$@" \
		127.0.0.1 $port ${CLIENT_URI:-} >"$log" 2>&1 &
	cpid=$!
	while kill -0 $cpid 2>/dev/null; do
		if [ "$until" != : ] && $until "$log"; then
			sleep "${HOLD:-0.2}"
			kill -TERM $cpid 2>/dev/null
			break
		fi
		sleep 0.1
	done
	wait $cpid 2>/dev/null
}

# acked LOG MODE: from a gtlsclient log (its ngtcp2 frame lines), what of
# the client's data tern acknowledged (1-RTT ACK ranges against the 0-RTT
# and 1-RTT packets the frames went in):
#  stream: "BYTES fin|nofin": stream 0's bytes acknowledged contiguously
#          from offset 0, and whether that reaches its FIN;
#  after:  "yes" if a STREAM frame of stream 0 sent after the client
#          changed its address went in a packet tern acknowledged;
#  pathresp: "yes" if a PATH_RESPONSE sent after the change did.
acked() {
	awk -v mode="$2" '
	/Changing local address/ { moved = 1 }
	/ frm tx [0-9]+ [01]RTT / {  # 0-RTT and 1-RTT share a number space
		pn = $5
		if ($0 ~ / STREAM\(0x0[89a-f]\) id=0x0 /) {
			off = len = fin = 0
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^offset=/) off = substr($i, 8) + 0
				if ($i ~ /^len=/) len = substr($i, 5) + 0
				if ($i ~ /^fin=/) fin = substr($i, 5) + 0
			}
			n = ++cnt[pn]; so[pn, n] = off; sl[pn, n] = len; sf[pn, n] = fin
			if (moved) mark[pn] = mark[pn] " stream"
		}
		if ($0 ~ / PATH_RESPONSE\(/ && moved) mark[pn] = mark[pn] " pathresp"
		sent[pn] = 1
	}
	/ frm rx [0-9]+ 1RTT ACK\([0-9a-fx]+\) range=\[/ {
		r = $0; sub(/.*range=\[/, "", r); sub(/\].*/, "", r)
		split(r, ab, /\.\./); hi = ab[1] + 0; lo = ab[2] + 0
		for (p in sent) if (p + 0 >= lo && p + 0 <= hi) acked[p] = 1
	}
	END {
		if (mode == "after" || mode == "pathresp") {
			want = mode == "after" ? "stream" : "pathresp"
			for (p in acked) if (index(mark[p], want)) { print "yes"; exit }
			print "no"; exit
		}
		m = 0; finat = -1
		for (p in acked) for (k = 1; k <= cnt[p]; k++) {
			m++; o[m] = so[p, k]; e[m] = so[p, k] + sl[p, k]
			if (sf[p, k]) finat = e[m]
		}
		reach = 0; changed = 1
		while (changed) {
			changed = 0
			for (i = 1; i <= m; i++) if (o[i] <= reach && e[i] > reach) { reach = e[i]; changed = 1 }
		}
		printf "%d %s\n", reach, (finat >= 0 && reach >= finat) ? "fin" : "nofin"
	}' "$1"
}

# the end of the server's Handshake CRYPTO data the client received: about
# 660 bytes for a full handshake (certificate), about 140 when resumed
hs_crypto_len() {
	awk '/ frm rx [0-9]+ Handshake CRYPTO\(/ {
		off = len = 0
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^offset=/) off = substr($i, 8) + 0
			if ($i ~ /^len=/) len = substr($i, 5) + 0
		}
		if (off + len > end) end = off + len
	} END { print end + 0 }' "$1"
}

# conditions to stop a client at
confirmed() { grep -q "QUIC handshake has been confirmed" "$1"; }
stream_acked() { confirmed "$1" && [ "$(acked "$1" stream | cut -d' ' -f2)" = fin ]; }
migrated_acked() {
	stream_acked "$1" && grep -q "Path validation against path .* succeeded" "$1"
}
ticket_saved() { confirmed "$1" && [ -s "$dir/sess.pem" ] && [ -s "$dir/tp.txt" ]; }
ticket_saved0() { confirmed "$1" && [ -s "$dir/sess0.pem" ] && [ -s "$dir/tp0.txt" ]; }

# check_client NAME LOG SUITE: the handshake lines every case needs
check_client() {
	local want_line
	for want_line in "QUIC handshake has completed" "QUIC handshake has been confirmed" \
			 "Negotiated cipher suite is $3" "Negotiated ALPN is h3"; do
		grep -q "$want_line" "$2" || { echo "interop $1: client never said: $want_line"; ok=0; }
	done
}

# verdict NAME DETAIL CLIENT_LOG...: count the case, show the logs if it failed
verdict() {
	local name=$1 detail=$2 clog
	shift 2
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
		echo "interop $name: ok ($detail)"
		return
	fi
	fail=$((fail + 1))
	sed 's/^/    tern: /' "$tlog" | grep -v "^    tern: [a-z_0-9]* *[0-9]" | tail -6
	for clog; do
		grep -v "^I0\|packet:\|Set timer\|^ *[0-9a-f]\{8\}  " "$clog" | sed 's/^/    client: /' | tail -8
		grep -E "frm (tx|rx) [0-9]+ 1RTT (PATH_|STREAM\(0x0[89a-f]\) id=0x0 .*fin=1)|Changing local|Path validation" \
			"$clog" | cut -c1-160 | sed 's/^/    client: /' | tail -8
	done
}

# one case: NAME GNUTLS_CIPHER SUITE_NAME [TERN_ARGS...]
# (CLIENT_ARGS, CLIENT_URI: more for gtlsclient)
case_run() {
	local name=$1 cipher=$2 want=$3
	shift 3
	want_case "$name" || return 0
	local clog=$dir/$name.client.log ok=1

	tern_start "$name" 10 "$@" || { echo "interop $name: tern did not start"; fail=$((fail + 1)); return; }
	# shellcheck disable=SC2086
	client "$clog" 20 : --timeout=1s --ciphers="NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+$cipher" \
		${CLIENT_ARGS:-}
	tern_stop
	check_client "$name" "$clog" "$want"
	check_tern "$name" "handshakes completed" 1
	if [ "$*" = "--retry" ]; then
		grep -q "1 Retry" "$tlog" || { echo "interop $name: tern sent no Retry"; ok=0; }
	fi
	case "${CLIENT_ARGS:-}" in
	*--preferred-versions*)
		grep -q "1 VN" "$tlog" || { echo "interop $name: tern sent no Version Negotiation"; ok=0; }
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
	verdict "$name" "$want" "$clog"
}

# loss NAME P RUNS SECONDS [DATA]: the client drops P of what it sends
# and of what it receives; RUNS connections one after the other against
# one tern, each handshake complete and confirmed within SECONDS (whether
# a run loses anything is chance: the ok line says what happened). DATA:
# also a 256 KB request body (POST /echo) in 1-RTT (a few hundred
# packets, tern answering with ACKs and flow control credit), acknowledged
# in full, and tern's own recovery must have acted (a packet declared lost
# or a PTO).
# The client's idle timeout is long (a 1 s one expires between PTOs);
# it is stopped once its log shows what was waited for.
case_loss() {
	local name=$1 p=$2 runs=$3 secs=$4 data=${5:-} ok=1 until=confirmed a i drops=0 clog lost ptos
	want_case "$name" || return 0
	local args=("$AES128" --timeout=15s --handshake-timeout=$((secs + 5))s --tx-loss="$p" --rx-loss="$p")
	local logs=()

	if [ -n "$data" ]; then
		head -c 262144 /dev/zero | tr '\0' x >"$dir/body"
		# POST to /echo: tern reads the whole body (GET / with a body is
		# answered at once and the rest refused with STOP_SENDING)
		args+=(--delay-stream=100ms -m POST -d "$dir/body")
		until=stream_acked
	fi
	tern_start "$name" $((runs * secs + 5)) ||
		{ echo "interop $name: tern did not start"; fail=$((fail + 1)); return; }
	for i in $(seq "$runs"); do
		clog=$dir/$name.$i.client.log
		logs+=("$clog")
		CLIENT_URI=${data:+https://localhost/echo} client "$clog" "$secs" $until "${args[@]}"
	done
	tern_stop
	for clog in "${logs[@]}"; do
		check_client "$name (${clog##*/})" "$clog" AES-128-GCM
		drops=$((drops + $(grep -c "Simulated .* packet loss" "$clog")))
		[ -z "$data" ] && continue
		a=$(acked "$clog" stream)
		# HEADERS, the DATA frame header and the body
		[ "${a#* }" = fin ] && [ "${a% *}" -gt 262144 ] ||
			{ echo "interop $name: tern acknowledged only ${a% *} bytes of the request (${a#* })"; ok=0; }
	done
	check_tern "$name" "handshakes completed" "$runs"
	if [ -n "$data" ]; then
		[ $drops -gt 0 ] || { echo "interop $name: the client lost nothing"; ok=0; }
		lost=$(tern_count "packets lost") ptos=$(tern_count PTOs)
		[ $(( ${lost:-0} + ${ptos:-0} )) -gt 0 ] ||
			{ echo "interop $name: tern declared nothing lost and sent no PTO probe"; ok=0; }
	fi
	verdict "$name" "$runs run(s), $drops packets dropped by the client; tern: $(tern_count "packets lost") lost, $(tern_count PTOs) PTOs" "${logs[@]}"
}

# migrate NAME [--nat-rebinding]: the client changes its local address
# 200 ms after the handshake and sends a request 400 ms later (with
# --nat-rebinding the first packet from the new address); once that is
# acknowledged both stay up 3 s more, past the point where tern's path
# validation would have given up (2 s or more, RFC 9000 8.2.4), so that
# tern's exit log shows whether it failed.
case_migrate() {
	local name=$1 nat=${2:-} ok=1 clog=$dir/$1.client.log
	want_case "$name" || return 0

	tern_start "$name" 20 || { echo "interop $name: tern did not start"; fail=$((fail + 1)); return; }
	local until=migrated_acked
	[ -n "$nat" ] && until=stream_acked
	CLIENT_URI=https://localhost/ HOLD=3 client "$clog" 15 $until "$AES128" --timeout=10s \
		--change-local-addr=200ms $nat --delay-stream=600ms
	tern_stop
	check_client "$name" "$clog" AES-128-GCM
	grep -q "Changing local address" "$clog" || { echo "interop $name: the client never moved"; ok=0; }
	[ "$(acked "$clog" after)" = yes ] ||
		{ echo "interop $name: the request sent after the move was not acknowledged"; ok=0; }
	if [ -z "$nat" ]; then
		# the client validated its new path (8.2)
		sed -n '/Changing local address/,$p' "$clog" | grep -q "Path validation against path .* succeeded" ||
			{ echo "interop $name: the client's new path was not validated"; ok=0; }
		# 9.5: tern must not send to the new address with the connection
		# ID it used on the old one
		local old new
		old=$(sed -n '/Changing local address/q; s/.* pkt rx .* dcid=\(0x[0-9a-f]*\) type=1RTT.*/\1/p' "$clog" | tail -1)
		new=$(sed -n '/Changing local address/,$s/.* pkt rx .* dcid=\(0x[0-9a-f]*\) type=1RTT.*/\1/p' "$clog" | sort -u)
		if [ -n "$old" ] && echo "$new" | grep -qx "$old"; then
			echo "interop $name: tern sent to the new address with the client's connection ID" \
			     "of the old path ($old; RFC 9000 9.5)"
			ok=0
		fi
	fi
	# tern validated the new address itself (9.3; with --nat-rebinding the
	# client does not even validate its side), got the answer and
	# acknowledged it
	sed -n '/Changing local address/,$p' "$clog" | grep -Eq "frm rx [0-9]+ 1RTT PATH_CHALLENGE" ||
		{ echo "interop $name: tern sent no PATH_CHALLENGE to the new address"; ok=0; }
	[ "$(acked "$clog" pathresp)" = yes ] ||
		{ echo "interop $name: the client's PATH_RESPONSE was not acknowledged"; ok=0; }
	check_tern "$name" "handshakes completed" 1
	check_tern "$name" "migrations followed" ">0"
	check_tern "$name" "path validations failed" 0
	verdict "$name" "tern: $(tern_count "migrations followed") migration(s), $(tern_count "path validations failed") failed validations" "$clog"
}

# resumption: one tern, two client runs sharing a session (the ticket)
# and transport parameters file; the second resumes (no 0-RTT: tern has
# none by default, and the client would try it with a loaded session).
case_resume() {
	local name=resumption ok=1 c1=$dir/resume1.client.log c2=$dir/resume2.client.log l1 l2
	want_case "$name" || return 0
	local files=(--session-file="$dir/sess.pem" --tp-file="$dir/tp.txt")

	rm -f "$dir/sess.pem" "$dir/tp.txt"
	tern_start "$name" 20 || { echo "interop $name: tern did not start"; fail=$((fail + 1)); return; }
	client "$c1" 10 ticket_saved "$AES128" --timeout=5s "${files[@]}"
	client "$c2" 10 confirmed "$AES128" --timeout=5s "${files[@]}" --disable-early-data
	tern_stop
	check_client "$name (first run)" "$c1" AES-128-GCM
	check_client "$name (second run)" "$c2" AES-128-GCM
	[ -s "$dir/sess.pem" ] || { echo "interop $name: the first run saved no session (no ticket from tern)"; ok=0; }
	l1=$(hs_crypto_len "$c1") l2=$(hs_crypto_len "$c2")
	[ "$l1" -gt 300 ] || { echo "interop $name: first run: server Handshake flight of $l1 bytes (want a full one)"; ok=0; }
	[ "$l2" -gt 0 ] && [ "$l2" -lt 300 ] ||
		{ echo "interop $name: second run: server Handshake flight of $l2 bytes (not resumed: want < 300)"; ok=0; }
	! grep -q "type=0RTT" "$c2" || { echo "interop $name: second run sent 0-RTT despite --disable-early-data"; ok=0; }
	check_tern "$name" "handshakes completed" 2
	verdict "$name" "server Handshake flight $l1 bytes, then $l2 resumed" "$c1" "$c2"
}

# 0-RTT (RFC 9001 4.6): a session from a first run, then a request in
# 0-RTT. With CONFIG_QUIC_0RTT=y tern takes it (no "Early data was
# rejected", its count of accepted 0-RTT); without, tern refuses it, the
# client sends the request again in 1-RTT and it is still acknowledged.
case_zerortt() {
	local name=zerortt ok=1 c1=$dir/0rtt1.client.log c2=$dir/0rtt2.client.log early
	want_case "$name" || return 0
	local files=(--session-file="$dir/sess0.pem" --tp-file="$dir/tp0.txt")

	rm -f "$dir/sess0.pem" "$dir/tp0.txt"
	tern_start "$name" 20 || { echo "interop $name: tern did not start"; fail=$((fail + 1)); return; }
	client "$c1" 10 ticket_saved0 "$AES128" --timeout=5s "${files[@]}"
	CLIENT_URI=https://localhost/ client "$c2" 10 stream_acked "$AES128" --timeout=5s "${files[@]}"
	tern_stop
	check_client "$name (first run)" "$c1" AES-128-GCM
	check_client "$name (second run)" "$c2" AES-128-GCM
	grep -q "type=0RTT" "$c2" || { echo "interop $name: the client sent no 0-RTT packet"; ok=0; }
	[ "$(acked "$c2" stream | cut -d' ' -f2)" = fin ] ||
		{ echo "interop $name: the request was not acknowledged"; ok=0; }
	early=$(sed -n 's/.*0-RTT on: \([0-9]*\) accepted.*/\1/p' "$tlog" | tail -1)
	if grep -q "0-RTT on:" "$tlog"; then
		! grep -q "Early data was rejected" "$c2" ||
			{ echo "interop $name: tern (0-RTT built) rejected the early data"; ok=0; }
		[ "${early:-0}" = 1 ] || { echo "interop $name: tern accepted ${early:-no} 0-RTT"; ok=0; }
		verdict "$name" "0-RTT accepted" "$c1" "$c2"
	else
		grep -q "Early data was rejected" "$c2" ||
			{ echo "interop $name: tern without 0-RTT did not reject it"; ok=0; }
		verdict "$name" "0-RTT not built: rejected, request resent in 1-RTT" "$c1" "$c2"
	fi
}

# ECN (RFC 9000 13.4): tern marks its datagrams ECT(0) and the client
# validates them against tern's ACK_ECN counts ("path is ECN capable");
# tern reads the client's marks from the socket and validates its own
case_ecn() {
	local name=ecn ok=1 clog=$dir/ecn.client.log n
	want_case "$name" || return 0
	tern_start "$name" 15 || { echo "interop $name: tern did not start"; fail=$((fail + 1)); return; }
	CLIENT_URI=https://localhost/ client "$clog" 10 stream_acked "$AES128" --timeout=5s
	tern_stop
	check_client "$name" "$clog" AES-128-GCM
	grep -q "path is ECN capable" "$clog" ||
		{ echo "interop $name: the client did not find the path ECN capable"; ok=0; }
	grep -q "^Received packet: .* ecn=0x2 " "$clog" ||
		{ echo "interop $name: no datagram from tern arrived marked ECT(0)"; ok=0; }
	n=$(sed -n 's/.*datagrams received \([0-9]*\) ECT(0).*/\1/p' "$tlog" | tail -1)
	[ "${n:-0}" -gt 0 ] || { echo "interop $name: tern read no ECT(0) mark from the client"; ok=0; }
	check_tern "$name" "connections validated ECN" 1
	verdict "$name" "$n ECT(0) datagrams read by tern; both sides validated" "$clog"
}

case_run aes128gcm AES-128-GCM AES-128-GCM
case_run aes256gcm AES-256-GCM AES-256-GCM
case_run chacha20 CHACHA20-POLY1305 CHACHA20-POLY1305
case_run aes128ccm AES-128-CCM AES-128-CCM
case_run retry AES-128-GCM AES-128-GCM --retry
# 0x1a2a3a4a: a reserved version (RFC 9000 15) no server speaks
CLIENT_ARGS="-v 0x1a2a3a4a --preferred-versions=v1" case_run vn AES-128-GCM AES-128-GCM
# a key update by the client (RFC 9001 6), with a request sent after it
CLIENT_ARGS="--key-update=20ms --delay-stream=300ms" CLIENT_URI=https://localhost/ \
	case_run keyupdate AES-128-GCM AES-128-GCM
case_loss loss10 0.1 3 20
case_loss loss25 0.25 3 60
case_loss loss10-data 0.1 1 20 data
case_migrate migration
case_migrate nat-rebinding --nat-rebinding
case_resume
case_zerortt
case_ecn

[ $pass -gt 0 ] && echo "[  PASSED  ] $pass test(s)."
[ $fail -gt 0 ] && echo "[  FAILED  ] $fail test(s)."
[ $fail -eq 0 ]
