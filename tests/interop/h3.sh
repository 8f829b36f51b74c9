#!/usr/bin/env bash
# tests/interop/h3.sh TERN: HTTP/3 requests through tern from ngtcp2's
# gtlsclient (Debian ngtcp2-client 0.12.1, GnuTLS) on loopback.
#  - the built-in responder: the status page; /bytes/N downloads of 1 KB,
#    1 MB and 50 MB (MB/s printed); 100 requests on one connection, every
#    body checked; a 10 MB POST to /echo; a 1 MB GET and POST with each
#    TLS 1.3 suite offered alone and behind a Retry (each also through
#    the backend on the same connection); 404, 400 and HEAD (headers only);
#  - goaway: SIGTERM while a large download runs: tern sends GOAWAY,
#    lets the request finish (the body is complete and right), exits 0;
#  - be-*: requests tern forwards to an HTTP/1.1 backend
#    (tests/interop/backend.py): GET of 1 KB, 1 MB, 50 MB; chunked; POST
#    10 MB; 100 concurrent; 502 (down, garbage), 504; the headers it adds;
#    a kept-alive connection closed under a request (sent again); a 10 GB
#    body to a client that reads slowly (memory stays flat, the hang-up
#    closes the backend connection). Skipped while `tern --help` does not
#    mention --backend.
# Bodies are judged by length and sha256 against the pattern (byte i of
# /bytes/N and of the backend's /data/N is i % 251) or against the upload;
# each case also checks the status lines in the client's log and tern's
# exit counters (requests, 2xx/4xx/5xx, stream and connection errors,
# handshakes): gtlsclient exits 0 whatever happened (shared/FACTS.md).
# Prints cmocka-style lines for tools/run-tests.sh ([ RUN ], [ OK ],
# [ FAILED ], [ SKIPPED ] and the summary).
# TERN_RUNNER: a prefix for tern (qemu-aarch64 for the linux-arm64 build):
# time limits grow and the two biggest transfers shrink (get-50m fetches
# 5 MB, goaway 5 MB instead of 20; the ok line says so).
# ONLY: an extended regex; only the cases whose name matches run.
# INTEROP_LOGS: a directory to keep the logs in.
set -u
# shellcheck source=tests/interop/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init tests/interop/h3.sh "$@"
backend_py=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/backend.py
# Debian's interpreter when there is one (a pyenv shim first on PATH costs
# half a second per start); the standard library is all these need
py=$(command -v /usr/bin/python3 || command -v python3)
skip=0
failed=() skipped=()
# under an emulator everything takes 5-10 times longer
mul=1 slow=
if [ -n "${TERN_RUNNER:-}" ]; then
	mul=8 slow=1
fi
SUITE_PRIO=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL

# ---------------------------------------------------------------- helpers

# seconds since $1 (an $EPOCHREALTIME), two decimals
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
# MB/s for BYTES in SECONDS
mbps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0) ? n / s / 1e6 : 0 }'; }

# begin NAME: start a case if ONLY lets it run (prints [ RUN ]); the
# checks below clear $ok; bodies land in $dl
begin() {
	want_case "$1" || return 1
	echo "[ RUN      ] $1"
	cname=$1 ok=1 case_t0=$EPOCHREALTIME blog=
	dl=$dir/$1.dl
	rm -rf "$dl"
	mkdir -p "$dl"
	clogs=()
	return 0
}

bad() { echo "interop $cname: $*"; ok=0; }

# end DETAIL: the verdict of the case begun last (the logs if it failed)
end() {
	local clog
	rm -rf "$dl"
	if [ "$ok" = 1 ]; then
		pass=$((pass + 1))
		echo "interop $cname: ok ($1; $(since "$case_t0") s)"
		echo "[       OK ] $cname"
		return
	fi
	fail=$((fail + 1))
	failed+=("$cname")
	if [ -n "${tlog:-}" ] && [ -f "$tlog" ]; then
		sed 's/^/    tern: /' "$tlog" | grep -v "^    tern: [a-z_0-9]* *[0-9]" | tail -8
	fi
	for clog in "${clogs[@]}"; do
		grep -v "^I0\|packet:\|Set timer\|Timer has\|^ *[0-9a-f]\{8\}  \|^\[" "$clog" |
			sed "s|^|    ${clog##*/}: |" | tail -10
	done
	if [ -n "${blog:-}" ] && [ -f "$blog" ]; then
		sed 's/^/    backend: /' "$blog" | tail -5
	fi
	echo "[  FAILED  ] $cname"
}

# skip_case NAME WHY
skip_case() {
	want_case "$1" || return 0
	echo "[ RUN      ] $1"
	echo "interop $1: skipped ($2)"
	echo "[  SKIPPED ] $1"
	skip=$((skip + 1))
	skipped+=("$1")
}

# start NAME [TERN_ARGS...]: tern for the case begun last (it stops by
# itself after 30 s, times $mul)
start() {
	tlog=
	tern_start "$cname" $((30 * mul)) "$@" && return 0
	bad "tern did not start"
	return 1
}

# stop: SIGINT; tern must exit 0 (after its GOAWAY and drain)
stop() {
	local rc
	tern_stop
	rc=$?
	[ $rc = 0 ] || bad "tern exited with status $rc"
}

# h3 LOG SECONDS [gtlsclient options...] -- PATH...: gtlsclient against
# tern on $port (at most SECONDS, times $mul), bodies saved in $dl under
# the last component of each path (gtlsclient's --download naming)
h3() {
	local log=$1 secs=$2 opts=() uris=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	for p; do uris+=("https://localhost:$port$p"); done
	clogs+=("$log")
	timeout $((secs * mul)) gtlsclient --no-quic-dump --no-http-dump --exit-on-all-streams-close \
		--download "$dl" "${opts[@]}" 127.0.0.1 "$port" "${uris[@]}" >"$log" 2>&1
}

# hs LOG [SUITE]: one connection, handshake completed, ALPN h3 (and SUITE)
hs() {
	local n
	n=$(grep -c "QUIC handshake has completed" "$1")
	[ "$n" = 1 ] || bad "${1##*/}: $n completed handshakes in the client's log (want 1)"
	grep -q "Negotiated ALPN is h3" "$1" || bad "${1##*/}: ALPN h3 not negotiated"
	if [ -n "${2:-}" ]; then
		grep -q "Negotiated cipher suite is $2\$" "$1" ||
			bad "${1##*/}: suite $(sed -n 's/Negotiated cipher suite is //p' "$1" | head -1) (want $2)"
	fi
}

# status LOG CODE COUNT: COUNT responses in the log, every one CODE
status() {
	local all want
	all=$(grep -c "^http: stream 0x[0-9a-f]* \[:status: [0-9]*\]" "$1")
	want=$(grep -c "^http: stream 0x[0-9a-f]* \[:status: $2\]" "$1")
	[ "$all" = "$3" ] && [ "$want" = "$3" ] ||
		bad "${1##*/}: $want responses $2 among $all (want $3 x $2):" \
		    "$(grep -o ':status: [0-9]*' "$1" | sort | uniq -c | tr -s ' \n' ' ')"
}

# pattern FILE:N...: each FILE must hold the N bytes of the pattern (byte i
# is i % 251). Prints "ok NAME SHA256" or "bad NAME: why" per file.
pattern() {
	"$py" - "$@" <<'EOF'
import hashlib, os, sys
period = bytes(i % 251 for i in range(251)) * 4096  # whole periods
def want(n):
    h = hashlib.sha256()
    while n > 0:
        k = min(n, len(period))
        h.update(period[:k])
        n -= k
    return h.hexdigest()
for a in sys.argv[1:]:
    f, n = a.rsplit(":", 1)
    n = int(n)
    name = os.path.basename(f)
    if not os.path.exists(f):
        print("bad %s: no such download" % name)
        continue
    h = hashlib.sha256()
    size = 0
    with open(f, "rb") as fp:
        for blk in iter(lambda: fp.read(1 << 20), b""):
            h.update(blk)
            size += len(blk)
    got, exp = h.hexdigest(), want(n)
    if size != n or got != exp:
        print("bad %s: %d bytes, sha256 %s (want %d bytes, %s)" % (name, size, got[:16], n, exp[:16]))
    else:
        print("ok %s %s" % (name, got))
EOF
}

# body FILE N: one download checked against the pattern; $sha its sha256
body() {
	local r
	r=$(pattern "$1:$2")
	case $r in
	ok*) sha=${r##* } ;;
	*) sha=; bad "$r" ;;
	esac
}

# same FILE UPLOAD: the echo of UPLOAD
same() {
	local a b
	a=$(sha256sum <"$2" | cut -d' ' -f1)
	b=$( [ -f "$1" ] && sha256sum <"$1" | cut -d' ' -f1)
	[ "$a" = "$b" ] || bad "${1##*/}: $(stat -c %s "$1" 2>/dev/null || echo no) bytes, sha256 ${b:0:16}" \
			       "(the upload: $(stat -c %s "$2") bytes, ${a:0:16})"
}

# http REQUESTS 2XX 4XX 5XX: tern's exit line counted these (and no
# stream or connection errors)
http() {
	local line got
	line=$(grep "http3: [0-9]* requests" "$tlog" | tail -1)
	got="$(grep -o '[0-9]* requests' <<<"$line") $(grep -o '2xx [0-9]*, 4xx [0-9]*, 5xx [0-9]*' <<<"$line")"
	[ "$got" = "$1 requests 2xx $2, 4xx $3, 5xx $4" ] ||
		bad "tern counted ${got:-nothing} (want $1 requests 2xx $2, 4xx $3, 5xx $4)"
	check_tern "$cname" "stream errors" 0
	check_tern "$cname" "connection errors" 0
}

# make_upload FILE BYTES: random data (once per size)
make_upload() {
	[ -s "$1" ] || head -c "$2" /dev/urandom >"$1"
}

# ---------------------------------------------------------------- responder

case_status() {
	local clog=$dir/status.client.log first
	begin status || return 0
	start || { end; return; }
	h3 "$clog" 10 -- /
	stop
	hs "$clog"
	status "$clog" 200 1
	grep -q "\[content-type: text/plain" "$clog" || bad "no content-type text/plain"
	first=$(head -1 "$dl/index.html" 2>/dev/null)
	[ "$first" = "tern: HTTP/3 terminator" ] || bad "first line of the page: '$first'"
	http 1 1 0 0
	end "$(wc -l <"$dl/index.html" 2>/dev/null) lines, first: $first"
}

# case_get NAME BYTES [NOTE]: GET /bytes/BYTES
case_get() {
	local name=$1 n=$2 note=${3:-} clog=$dir/$1.client.log t secs q=()
	begin "$name" || return 0
	# the client's per-packet log costs more than tern's work on big bodies
	[ "$n" -ge 10000000 ] && q=(-q)
	start || { end; return; }
	t=$EPOCHREALTIME
	h3 "$clog" 30 "${q[@]}" -- "/bytes/$n"
	secs=$(since "$t")
	stop
	if [ ${#q[@]} = 0 ]; then
		hs "$clog"
		status "$clog" 200 1
		grep -q "\[content-length: $n\]" "$clog" || bad "no content-length $n"
	fi
	body "$dl/$n" "$n"
	check_tern "$cname" "handshakes completed" 1
	http 1 1 0 0
	local rate=
	[ "$n" -ge 1000000 ] && rate=", $(mbps "$n" "$secs") MB/s"
	end "$n bytes in $secs s$rate, sha256 ${sha:0:16}$note"
}

# case_concurrent NAME: 100 requests on one connection, every body
# checked (a file each): from the responder (/bytes/1000..1099) or, for
# a be-* NAME, through the backend (/data/10000..10099)
case_concurrent() {
	local name=$1 clog=$dir/$1.client.log paths=() args=() i t secs r nok first=1000 src=/bytes via=
	if [[ $name == be-* ]]; then
		be_begin "$name" || return 0
		first=10000 src=/data via=1
	else
		begin "$name" || return 0
	fi
	for i in $(seq $first $((first + 99))); do
		paths+=("$src/$i")
		args+=("$dl/$i:$i")
	done
	if [ -n "$via" ]; then
		be_up || { backend_stop; end; return; }
	else
		start || { end; return; }
	fi
	t=$EPOCHREALTIME
	h3 "$clog" 30 -- "${paths[@]}"
	secs=$(since "$t")
	stop
	[ -n "$via" ] && backend_stop
	hs "$clog"
	status "$clog" 200 100
	r=$(pattern "${args[@]}")
	nok=$(grep -c "^ok " <<<"$r")
	[ "$nok" = 100 ] || bad "$nok bodies right of 100: $(grep -v '^ok ' <<<"$r" | head -3 | tr '\n' ';' | sed 's/;$//')"
	check_tern "$cname" "handshakes completed" 1
	http 100 100 0 0
	end "100 requests on 1 connection, $nok bodies right${via:+, $(be_conns) backend connection(s)}, $secs s"
}

case_post() {
	local clog=$dir/post-10m.client.log up=$dir/upload.10m t secs
	begin post-10m || return 0
	make_upload "$up" 10000000
	start || { end; return; }
	t=$EPOCHREALTIME
	h3 "$clog" 30 -m POST -d "$up" -- /echo
	secs=$(since "$t")
	stop
	hs "$clog"
	status "$clog" 200 1
	same "$dl/echo" "$up"
	http 1 1 0 0
	end "10000000 bytes up and back in $secs s, $(mbps 20000000 "$secs") MB/s both ways"
}

# up_with_backend [TERN_ARGS...]: tern, with the backend when this tern
# has --backend (then $viabe is set and $blog names its log)
up_with_backend() {
	viabe=
	if [ -n "$has_backend" ]; then
		backend_start || return 1
		viabe=1
		start --backend "127.0.0.1:$bport" "$@"
	else
		start "$@"
	fi
}

down_with_backend() {
	stop
	[ -n "$viabe" ] && backend_stop
}

# case_suite NAME GNUTLS_CIPHER SUITE: GET 1 MB and POST 1 MB with only
# that suite offered (two connections), each from the responder and
# through the backend (/data, /upload) on the same connection
case_suite() {
	local name=$1 cipher=$2 suite=$3 c1=$dir/$1.get.client.log c2=$dir/$1.post.client.log
	local up=$dir/upload.1m t1 t2 gets=(/bytes/1000000) posts=(/echo) n=1
	begin "$name" || return 0
	make_upload "$up" 1000000
	up_with_backend || { end; return; }
	if [ -n "$viabe" ]; then
		gets+=(/data/1000001) posts+=(/upload) n=2
	fi
	t1=$EPOCHREALTIME
	h3 "$c1" 20 --ciphers="$SUITE_PRIO:+$cipher" -- "${gets[@]}"
	t1=$(since "$t1") t2=$EPOCHREALTIME
	h3 "$c2" 20 --ciphers="$SUITE_PRIO:+$cipher" -m POST -d "$up" -- "${posts[@]}"
	t2=$(since "$t2")
	down_with_backend
	hs "$c1" "$suite"
	hs "$c2" "$suite"
	status "$c1" 200 $n
	status "$c2" 200 $n
	body "$dl/1000000" 1000000
	same "$dl/echo" "$up"
	if [ -n "$viabe" ]; then
		body "$dl/1000001" 1000001
		same "$dl/upload" "$up"
	fi
	check_tern "$cname" "handshakes completed" 2
	http $((2 * n)) $((2 * n)) 0 0
	end "$suite: 1 MB down in $t1 s, 1 MB up and back in $t2 s${viabe:+, each from the responder and through the backend}"
}

case_retry() {
	local clog=$dir/retry.client.log t secs paths=(/bytes/1000000) n=1
	begin retry || return 0
	up_with_backend --retry || { end; return; }
	if [ -n "$viabe" ]; then
		paths+=(/data/1000001) n=2
	fi
	t=$EPOCHREALTIME
	h3 "$clog" 20 -- "${paths[@]}"
	secs=$(since "$t")
	down_with_backend
	hs "$clog"
	grep -q "type=Retry" "$clog" || bad "the client received no Retry"
	status "$clog" 200 $n
	body "$dl/1000000" 1000000
	[ -n "$viabe" ] && body "$dl/1000001" 1000001
	check_tern "$cname" "Retry" 1
	check_tern "$cname" "handshakes completed" 1
	http $n $n 0 0
	end "Retry, then 1000000 bytes in $secs s${viabe:+ (and 1000001 through the backend)}"
}

# case_error NAME PATH STATUS BODY_START: a short text/plain answer
case_error() {
	local name=$1 path=$2 code=$3 text=$4 clog=$dir/$1.client.log f
	begin "$name" || return 0
	start || { end; return; }
	h3 "$clog" 10 -- "$path"
	stop
	hs "$clog"
	status "$clog" "$code" 1
	f=$dl/${path##*/}
	[ -f "$f" ] && [ "$(head -c ${#text} "$f")" = "$text" ] ||
		bad "body '$(head -c 40 "$f" 2>/dev/null)' (want '$text...')"
	http 1 0 1 0
	end "$path -> $code, body '$(head -1 "$f" 2>/dev/null)'"
}

# HEAD: the headers of a 5000-byte answer, no body
case_head() {
	local clog=$dir/head.client.log rx
	begin head || return 0
	start || { end; return; }
	h3 "$clog" 10 -m HEAD -- /bytes/5000
	stop
	hs "$clog"
	status "$clog" 200 1
	grep -q "\[content-length: 5000\]" "$clog" || bad "no content-length 5000"
	[ -f "$dl/5000" ] && [ ! -s "$dl/5000" ] ||
		bad "a body of $(stat -c %s "$dl/5000" 2>/dev/null || echo no) bytes (want an empty one)"
	# everything on the request stream: the HEADERS frame alone
	rx=$(awk '/ frm rx [0-9]+ 1RTT STREAM\(0x0[89a-f]\) id=0x0 / {
		for (i = 1; i <= NF; i++) if ($i ~ /^len=/) n += substr($i, 5) } END { print n + 0 }' "$clog")
	[ "$rx" -gt 0 ] && [ "$rx" -lt 200 ] || bad "$rx bytes on the request stream (want HEADERS alone)"
	http 1 1 0 0
	end "200, content-length 5000, empty body ($rx bytes on the stream)"
}

# goaway: SIGTERM during a download; the download completes (tern drains),
# tern exits 0 and counted its GOAWAY, the client saw tern's control stream
# carry more than its SETTINGS (the GOAWAY frame; gtlsclient prints no line
# of its own for it). The client keeps its per-packet log here: it paces the
# download (tern alone would serve 20 MB in well under a second).
case_goaway() {
	local clog=$dir/goaway.client.log n=20000000 note="" cpid rc at t tc tt
	begin goaway || return 0
	if [ -n "$slow" ]; then
		n=5000000 note="; TERN_RUNNER: 5 MB instead of 20 MB"
	fi
	start || { end; return; }
	clogs+=("$clog")
	timeout $((30 * mul)) gtlsclient --no-quic-dump --no-http-dump --exit-on-all-streams-close \
		--download "$dl" 127.0.0.1 "$port" "https://localhost:$port/bytes/$n" >"$clog" 2>&1 &
	cpid=$!
	# wait until the download is under way (5% of it)
	for i in $(seq $((200 * mul))); do
		at=$(stat -c %s "$dl/$n" 2>/dev/null || echo 0)
		[ "$at" -ge $((n / 20)) ] && break
		kill -0 $cpid 2>/dev/null || break
		sleep 0.05
	done
	at=$(stat -c %s "$dl/$n" 2>/dev/null || echo 0)
	t=$EPOCHREALTIME
	kill -TERM "$tpid"
	wait $cpid
	tc=$(since "$t")
	wait "$tpid"
	rc=$?
	tt=$(since "$t")
	[ "$at" -gt 0 ] && [ "$at" -lt "$n" ] ||
		bad "the download was at $at of $n bytes at SIGTERM (want under way, not done)"
	[ $rc = 0 ] || bad "tern exited with status $rc"
	hs "$clog"
	status "$clog" 200 1
	body "$dl/$n" "$n"
	grep -q "HTTP stream 0 closed with error code 256" "$clog" ||
		bad "the request stream did not end with H3_NO_ERROR"
	grep -q "signal 15: GOAWAY to 1 connection" "$tlog" || bad "tern's log has no GOAWAY on SIGTERM"
	check_tern "$cname" GOAWAY 1
	http 1 1 0 0
	grep -Eq "frm rx [0-9]+ 1RTT STREAM\(0x0[89a-f]\) id=0x3 .*offset=[1-9]" "$clog" ||
		bad "nothing after SETTINGS on tern's control stream (no GOAWAY frame)"
	end "SIGTERM at $at of $n bytes; download complete $tc s later, sha256 ${sha:0:16}; tern exited 0 after $tt s$note"
}

# ---------------------------------------------------------------- backend

has_backend=
# shellcheck disable=SC2086
${TERN_RUNNER:-} "$tern" --help 2>&1 | grep -q -- --backend && has_backend=1

# backend_start: tests/interop/backend.py on a free port ($bport), its
# log in $blog, pid $bpid
backend_start() {
	local out=$dir/$cname.backend.out
	blog=$dir/$cname.backend.log
	"$py" "$backend_py" --port 0 --duration $((60 * mul)) >"$out" 2>"$blog" &
	bpid=$!
	for _ in $(seq 100); do
		grep -q "^listening on" "$out" 2>/dev/null && break
		kill -0 $bpid 2>/dev/null || break
		sleep 0.05
	done
	bport=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$out")
	[ -n "$bport" ] && return 0
	bad "the backend did not start"
	return 1
}

backend_stop() {
	kill $bpid 2>/dev/null
	wait $bpid 2>/dev/null
}

# be_begin NAME [TERN_ARGS...]: a backend case: the backend, then tern
# forwarding to it (TERN_ARGS after --backend)
be_begin() {
	if [ -z "$has_backend" ]; then
		skip_case "$1" "tern --help does not mention --backend"
		return 1
	fi
	begin "$1" || return 1
	tlog=
	return 0
}

be_up() {
	backend_start || return 1
	start --backend "127.0.0.1:$bport" "$@"
}

# backend connections used (distinct client ports in its log)
be_conns() { awk '$1 == "backend:" && NF >= 6 { print $6 }' "$blog" | sort -u | wc -l; }

# case_be_get NAME BYTES [NOTE]: GET /data/BYTES through the backend
case_be_get() {
	local name=$1 n=$2 note=${3:-} clog=$dir/$1.client.log t secs q=()
	be_begin "$name" || return 0
	[ "$n" -ge 10000000 ] && q=(-q)
	be_up || { backend_stop; end; return; }
	t=$EPOCHREALTIME
	h3 "$clog" 30 "${q[@]}" -- "/data/$n"
	secs=$(since "$t")
	stop
	backend_stop
	if [ ${#q[@]} = 0 ]; then
		hs "$clog"
		status "$clog" 200 1
	fi
	body "$dl/$n" "$n"
	grep -q "GET /data/$n 200 $n" "$blog" || bad "the backend did not serve /data/$n"
	http 1 1 0 0
	local rate=
	[ "$n" -ge 1000000 ] && rate=", $(mbps "$n" "$secs") MB/s"
	end "$n bytes through the backend in $secs s$rate, sha256 ${sha:0:16}$note"
}

case_be_chunked() {
	local clog=$dir/be-chunked.client.log t secs
	be_begin be-chunked || return 0
	be_up || { backend_stop; end; return; }
	t=$EPOCHREALTIME
	h3 "$clog" 20 -- /chunked/3000000
	secs=$(since "$t")
	stop
	backend_stop
	hs "$clog"
	status "$clog" 200 1
	body "$dl/3000000" 3000000
	http 1 1 0 0
	end "3000000 bytes chunked by the backend in $secs s, sha256 ${sha:0:16}"
}

case_be_post() {
	local clog=$dir/be-post-10m.client.log up=$dir/upload.10m t secs
	be_begin be-post-10m || return 0
	make_upload "$up" 10000000
	be_up || { backend_stop; end; return; }
	t=$EPOCHREALTIME
	h3 "$clog" 40 -m POST -d "$up" -- /upload
	secs=$(since "$t")
	stop
	backend_stop
	hs "$clog"
	status "$clog" 200 1
	same "$dl/upload" "$up"
	http 1 1 0 0
	end "10000000 bytes up and back through the backend in $secs s"
}

# be_status NAME PATH CODE [TERN_ARGS...]: one request answered CODE by tern
be_status() {
	local name=$1 path=$2 code=$3 clog=$dir/$1.client.log t secs
	shift 3
	be_begin "$name" || return 0
	be_up "$@" || { backend_stop; end; return; }
	t=$EPOCHREALTIME
	h3 "$clog" 15 -- "$path"
	secs=$(since "$t")
	stop
	backend_stop
	hs "$clog"
	status "$clog" "$code" 1
	http 1 0 0 1
	end "$path -> $code in $secs s"
}

# nothing listening on the backend's port
case_be_down() {
	local clog=$dir/be-down.client.log free
	be_begin be-down || return 0
	free=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	start --backend "127.0.0.1:$free" || { end; return; }
	h3 "$clog" 15 -- /data/1000
	stop
	hs "$clog"
	status "$clog" 502 1
	http 1 0 0 1
	end "/data/1000 with nothing on port $free -> 502"
}

# --backend-timeout 1: /slow/3000 (answered after 3 s) -> 504 in about 1 s
case_be_timeout() {
	local clog=$dir/be-timeout.client.log t secs
	be_begin be-timeout || return 0
	be_up --backend-timeout 1 || { backend_stop; end; return; }
	t=$EPOCHREALTIME
	h3 "$clog" 15 -- /slow/3000
	secs=$(since "$t")
	stop
	backend_stop
	hs "$clog"
	status "$clog" 504 1
	http 1 0 0 1
	# the backend answers at 3 s: tern must have given up well before
	if [ -z "$slow" ]; then
		awk -v s="$secs" 'BEGIN { exit !(s >= 0.9 && s < 2.5) }' || bad "answered after $secs s (want 1-2 s)"
	fi
	end "/slow/3000 with --backend-timeout 1 -> 504 after $secs s"
}

case_be_headers() {
	local clog=$dir/be-headers.client.log f
	be_begin be-headers || return 0
	be_up || { backend_stop; end; return; }
	h3 "$clog" 15 -- /headers
	stop
	backend_stop
	hs "$clog"
	status "$clog" 200 1
	http 1 1 0 0
	f=$dl/headers
	grep -qi "^via:.*tern" "$f" 2>/dev/null || bad "no Via naming tern in what the backend got"
	grep -qi "^x-forwarded-for: *127\.0\.0\.1 *$" "$f" 2>/dev/null ||
		bad "no X-Forwarded-For: 127.0.0.1 in what the backend got"
	end "the backend got: $(grep -i '^\(via\|x-forwarded-for\|forwarded\|early-data\):' "$f" 2>/dev/null | tr '\n' ';' | sed 's/;$//')"
}

# A kept-alive backend connection closed by the backend just as tern
# reuses it (backend.py's /stale: the next request on that connection
# is read, then the connection closed unanswered). The first client's
# GET /stale leaves the connection idle in tern's pool; the second
# client's GET goes out on it, meets the close, and tern sends it again
# on a new connection (a GET, nothing of the answer came): 200, not 502.
case_be_retry() {
	local c1=$dir/be-retry.1.client.log c2=$dir/be-retry.2.client.log
	be_begin be-retry || return 0
	be_up || { backend_stop; end; return; }
	h3 "$c1" 15 -- /stale
	h3 "$c2" 15 -- /data/1000
	stop
	backend_stop
	hs "$c1"
	hs "$c2"
	status "$c1" 200 1
	status "$c2" 200 1
	body "$dl/1000" 1000
	grep -q "GET /data/1000 closed 0 .*(stale connection)" "$blog" ||
		bad "the backend did not close the reused connection (no 'stale connection' line)"
	grep -q "GET /data/1000 200 1000" "$blog" || bad "the backend did not serve the retried request"
	grep -q "sent again on a new one" "$tlog" || bad "tern did not say it sent the request again"
	check_tern "$cname" "retried" 1
	check_tern "$cname" "reused" 1
	[ "$(be_conns)" = 2 ] || bad "$(be_conns) backend connections (want 2: the stale one, the new one)"
	http 2 2 0 0
	end "the reused connection was closed under the request; sent again on a new one: 200"
}

# --config: a file routes /data/ to the backend (no default backend) and
# adds alt-svc; /data/N comes from the backend with alt-svc, /bytes/N
# still from the responder
case_be_config() {
	local clog=$dir/be-config.client.log conf=$dir/be-config.conf
	be_begin be-config || return 0
	backend_start || { end; return; }
	printf '# be-config\nroute /data/=127.0.0.1:%s\nalt-svc h3=":443"; ma=60\nbackend-timeout 5\n' \
		"$bport" >"$conf"
	start --config "$conf" || { backend_stop; end; return; }
	h3 "$clog" 15 -- /data/2000 /bytes/3000
	stop
	backend_stop
	hs "$clog"
	status "$clog" 200 2
	body "$dl/2000" 2000
	body "$dl/3000" 3000
	grep -q "GET /data/2000 200 2000" "$blog" || bad "the route did not reach the backend"
	grep -q "\[alt-svc: h3=" "$clog" || bad "no alt-svc from the config file in the backend's answer"
	grep -q "config file: " "$tlog" || bad "tern did not name its config file"
	http 2 2 0 0
	end "route and alt-svc from --config: /data/2000 via the backend, /bytes/3000 from the responder"
}

# Every backend connection busy: four clients with 20 requests each to
# /slow/4000 at once (80 requests; a connection has 20 at most, tern 64
# backend connections by default): 64 answered 200 after 4 s, the other
# 16 get 503 at once, and tern counts 16 "no slot"
case_be_no_slot() {
	local i paths=() c200=0 c503=0 pids=() clog
	be_begin be-no-slot || return 0
	be_up || { backend_stop; end; return; }
	for i in $(seq 20); do paths+=("/slow/4000?$i"); done
	for i in 1 2 3 4; do clogs+=("$dir/be-no-slot.$i.client.log"); done
	for i in 1 2 3 4; do
		h3 "$dir/be-no-slot.$i.client.log" 20 -- "${paths[@]}" &
		pids+=($!)
	done
	wait "${pids[@]}"
	stop
	backend_stop
	for i in 1 2 3 4; do
		clog=$dir/be-no-slot.$i.client.log
		c200=$((c200 + $(grep -c "^http: stream 0x[0-9a-f]* \[:status: 200\]" "$clog")))
		c503=$((c503 + $(grep -c "^http: stream 0x[0-9a-f]* \[:status: 503\]" "$clog")))
	done
	[ "$c200" = 64 ] && [ "$c503" = 16 ] || bad "$c200 answered 200 and $c503 503 (want 64 and 16)"
	check_tern "$cname" "no slot" 16
	check_tern "$cname" "handshakes completed" 4
	end "80 requests at once on 4 connections: $c200 through the 64 backend connections, $c503 answered 503"
}

# rss_kb PID: resident set of a process in KiB
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null; }

# A backend body of 10 GB to a client that reads slowly (gtlsclient runs
# 50 ms of every 500, stopped by SIGSTOP the rest; about 8 s), then hangs
# up (SIGINT). Flow control, not buffering: tern reads the backend only as
# the client's window opens, so what the backend wrote minus what the
# client got stays within the kernel's socket buffers and tern's pools;
# tern's resident memory does not grow (after the first second) and no
# pool allocation fails; once the client is gone tern closes the backend
# connection (the backend sees it while still writing) and counts the
# request aborted.
case_be_huge_slow() {
	local clog=$dir/be-huge-slow.client.log f cpid i got sent gap bound rss0= rss1 t slog
	local n=10000000000
	be_begin be-huge-slow || return 0
	be_up || { backend_stop; end; return; }
	f=$dl/$n
	clogs+=("$clog")
	gtlsclient --no-quic-dump --no-http-dump --timeout=5s --max-stream-data-bidi-local=1M \
		--download "$dl" 127.0.0.1 "$port" "https://localhost:$port/huge/$n" >"$clog" 2>&1 &
	cpid=$!
	t=$EPOCHREALTIME
	for i in $(seq 16); do
		sleep 0.05
		kill -STOP $cpid 2>/dev/null || break
		[ "$i" = 2 ] && rss0=$(rss_kb "$tpid")
		sleep 0.45
		kill -CONT $cpid 2>/dev/null || break
	done
	rss1=$(rss_kb "$tpid")
	kill -INT $cpid 2>/dev/null
	wait $cpid
	got=$(stat -c %s "$f" 2>/dev/null || echo 0)
	# the backend learns that tern closed its connection
	for i in $(seq $((100 * mul))); do
		grep -q "GET /huge/$n aborted" "$blog" && break
		sleep 0.1
	done
	sent=$(awk -v p="/huge/$n" '$2 == "GET" && $3 == p && $4 == "aborted" { print $5 }' "$blog")
	# the status page from a new client: no backend connection open
	slog=$dir/be-huge-slow.status.log
	h3 "$slog" 10 -- /
	stop
	backend_stop
	hs "$clog"
	status "$clog" 200 1
	[ "$got" -ge 1000000 ] || bad "the slow client got only $got bytes in 8 s"
	[ "$got" -gt 0 ] && body "$f" "$got"  # the part it got is the right part
	if [ -z "$sent" ]; then
		bad "the backend never saw its connection closed (still writing $n bytes?)"
	else
		# kernel socket buffers (tern's receive, the backend's send, the
		# client's UDP receive) + tern's chunk pool + the client's 1 MB window
		bound=$(awk '{ s += $3 } END { print s }' /proc/sys/net/ipv4/tcp_rmem /proc/sys/net/ipv4/tcp_wmem)
		bound=$((bound + $(cat /proc/sys/net/core/rmem_max) + 1024 * 1024 + 1048576))
		gap=$((sent - got))
		[ "$gap" -le "$bound" ] || bad "the backend wrote $sent bytes, the client got $got: $gap held between (bound $bound)"
	fi
	if [ -n "$rss0" ] && [ -n "$rss1" ]; then
		[ $((rss1 - rss0)) -le 1024 ] || bad "tern's resident memory grew from $rss0 KiB to $rss1 KiB while streaming"
	else
		bad "tern's resident memory could not be read"
	fi
	grep -q "^backends: 0 open" "$dl/index.html" 2>/dev/null ||
		bad "status page after the hang-up: '$(grep '^backends:' "$dl/index.html" 2>/dev/null)' (want 0 open)"
	awk 'p && NF == 9 && $6 != 0 { bad = bad " " $1 "(" $6 ")" } $1 == "pool" { p = 1 }
	     END { if (bad != "") { print "allocation failures:" bad; exit 1 } }' "$tlog" || bad "$(awk 'p && NF == 9 && $6 != 0 { printf "%s %s; ", $1, $6 } $1 == "pool" { p = 1 }' "$tlog")"
	check_tern "$cname" "aborted" 1
	check_tern "$cname" "stream errors" 0
	check_tern "$cname" "connection errors" 0
	end "$n-byte body, client reading 10% of the time: got $got bytes in $(since "$t") s, the backend wrote $sent ($gap between, bound $bound); tern RSS $rss0 -> $rss1 KiB; backend closed after the hang-up"
}

# ---------------------------------------------------------------- run

cases=(status get-1k get-1m get-50m concurrent-100 post-10m
       suite-aes128gcm suite-aes256gcm suite-chacha20 suite-aes128ccm
       retry not-found bad-bytes head goaway
       be-get-1k be-get-1m be-get-50m be-chunked be-post-10m be-concurrent-100 be-down be-garbage
       be-timeout be-headers be-config be-retry be-no-slot be-huge-slow)

run_case() {
	case $1 in
	status) case_status ;;
	get-1k) case_get get-1k 1000 ;;
	get-1m) case_get get-1m 1000000 ;;
	get-50m)
		if [ -n "$slow" ]; then
			case_get get-50m 5000000 "; TERN_RUNNER: 5 MB instead of 50 MB"
		else
			case_get get-50m 50000000
		fi ;;
	concurrent-100) case_concurrent concurrent-100 ;;
	post-10m) case_post ;;
	suite-aes128gcm) case_suite suite-aes128gcm AES-128-GCM AES-128-GCM ;;
	suite-aes256gcm) case_suite suite-aes256gcm AES-256-GCM AES-256-GCM ;;
	suite-chacha20) case_suite suite-chacha20 CHACHA20-POLY1305 CHACHA20-POLY1305 ;;
	suite-aes128ccm) case_suite suite-aes128ccm AES-128-CCM AES-128-CCM ;;
	retry) case_retry ;;
	not-found) case_error not-found /nothing-here 404 "not found" ;;
	bad-bytes) case_error bad-bytes /bytes/xyz 400 "bad request" ;;
	head) case_head ;;
	goaway) case_goaway ;;
	be-get-1k) case_be_get be-get-1k 1000 ;;
	be-get-1m) case_be_get be-get-1m 1000000 ;;
	be-get-50m)
		if [ -n "$slow" ]; then
			case_be_get be-get-50m 5000000 "; TERN_RUNNER: 5 MB instead of 50 MB"
		else
			case_be_get be-get-50m 50000000
		fi ;;
	be-chunked) case_be_chunked ;;
	be-post-10m) case_be_post ;;
	be-concurrent-100) case_concurrent be-concurrent-100 ;;
	be-down) case_be_down ;;
	be-garbage) be_status be-garbage /garbage 502 ;;
	be-timeout) case_be_timeout ;;
	be-headers) case_be_headers ;;
	be-config) case_be_config ;;
	be-retry) case_be_retry ;;
	be-no-slot) case_be_no_slot ;;
	be-huge-slow) case_be_huge_slow ;;
	esac
}

n=0
for c in "${cases[@]}"; do want_case "$c" && n=$((n + 1)); done
t_all=$EPOCHREALTIME
echo "[==========] h3: Running $n test(s)."
for c in "${cases[@]}"; do run_case "$c"; done
echo "[==========] h3: $n test(s) run ($(since "$t_all") s${slow:+, TERN_RUNNER: ${TERN_RUNNER}})."
[ $pass -gt 0 ] && echo "[  PASSED  ] $pass test(s)."
if [ $skip -gt 0 ]; then
	echo "[  SKIPPED ] $skip test(s), listed below:"
	for c in "${skipped[@]}"; do echo "[  SKIPPED ] $c"; done
fi
if [ $fail -gt 0 ]; then
	echo "[  FAILED  ] $fail test(s), listed below:"
	for c in "${failed[@]}"; do echo "[  FAILED  ] $c"; done
	echo
	echo " $fail FAILED TEST(S)"
fi
[ $fail -eq 0 ]
