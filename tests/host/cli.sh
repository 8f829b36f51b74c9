#!/usr/bin/env bash
# tests/host/cli.sh TERN: the host board's command line and --config file.
# --cert/--key: good PEM and DER files start tern (it names the file it
# serves); every bad case exits 2 with one line naming the file and the
# reason. --config: a good file starts tern with its settings, the
# command line wins over it, and every mistake in it exits 2 with one line
# "tern: FILE:LINE: reason". Certificates are made here with openssl
# (tools/deps.sh installs it). Each tern run stops by itself (-t) on a
# port of its own on 127.0.0.1.
set -u
tern=$(realpath "${1:?usage: tests/host/cli.sh TERN}")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
cd "$dir" || exit 1

mk() {  # mk NAME: an EC P-256 self-signed certificate and key, PEM
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 30 -nodes \
		-subj "/CN=$1" -keyout "$1.key" -out "$1.crt" 2>/dev/null
}
mk localhost && mk other || { echo "cli: openssl could not make certificates"; exit 1; }
openssl x509 -in localhost.crt -outform DER -out localhost.der
openssl pkey -in localhost.key -outform DER -out localhost.kder
echo garbage > garbage.pem

port() { echo $(( 20000 + RANDOM % 40000 )); }

# matches OUTPUT PATTERNS: each line of PATTERNS (grep) matches a line of
# OUTPUT, in this order
matches() {
	local rest=$1 p n
	while IFS= read -r p; do
		n=$(grep -n -m1 -- "$p" <<<"$rest" | cut -d: -f1)
		[ -n "$n" ] || return 1
		rest=$(tail -n +$((n + 1)) <<<"$rest")
	done <<<"$2"
}

# run NAME STATUS PATTERNS ARGS...: tern's exit status and lines of its
# output (PATTERNS: one a line, in this order); exit status 2 must come
# with exactly one line. No -l of its own: ARGS or a config file give it.
run() {
	local name=$1 want=$2 pattern=$3 out rc
	shift 3
	out=$(timeout 10 "$tern" -t 0.3 "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && matches "$out" "$pattern" &&
	   { [ "$want" != 2 ] || [ "$(wc -l <<<"$out")" = 1 ]; }; then
		pass=$((pass + 1))
		echo "cli $name: ok"
	else
		fail=$((fail + 1))
		echo "cli $name: exit $rc (want $want), output:"
		sed 's/^/    /' <<<"$out" | head -5
	fi
}

# expect NAME STATUS PATTERNS ARGS...: run, on a port of its own
expect() {
	local name=$1 want=$2 pattern=$3
	shift 3
	run "$name" "$want" "$pattern" -l 127.0.0.1:$(port) "$@"
}

expect pem 0 "certificate: localhost.crt" --cert localhost.crt --key localhost.key
expect der 0 "certificate: localhost.der" --cert localhost.der --key localhost.kder
expect default 0 "certificate: built-in demo"
expect missing 2 "^tern: --cert nope.crt: No such file or directory" --cert nope.crt --key localhost.key
expect mismatch 2 "^tern: --key other.key does not belong to --cert localhost.crt" \
	--cert localhost.crt --key other.key
expect key-as-cert 2 "^tern: --cert localhost.key: neither DER nor a PEM CERTIFICATE block" \
	--cert localhost.key --key localhost.key
expect cert-as-key 2 "^tern: --key localhost.crt: neither DER nor a PEM PRIVATE KEY block" \
	--cert localhost.crt --key localhost.crt
expect garbage 2 "^tern: --cert garbage.pem: neither DER" --cert garbage.pem --key localhost.key
expect alone 2 "^tern: --cert and --key go together" --cert localhost.crt
expect bad-listen 2 "^tern: --listen: 'nowhere'" -l nowhere

# ---- --config FILE ----
# every setting; comments (one indented), blank lines, a CRLF line, an
# alt-svc value with spaces and a '#' in it
p=$(port)
printf '%s\n' "# tern settings for the test" "" "listen 127.0.0.1:$p" \
	"	# an indented comment" "cert localhost.crt" "key	localhost.key" \
	"backend 127.0.0.1:8080" "route /file=127.0.0.1:8081" $'backend-timeout 2.5\r' \
	'alt-svc h3=":443"; ma=86400 # not a comment  ' "retry yes" "crypto portable" "   " \
	>good.conf
run conf-good 0 "listening on udp 127.0.0.1:$p
config file: good.conf
crypto (portable forced):
route /file -> port 8081
backend: 127.0.0.1:8080 (timeout 2.5 s)
alt-svc: h3=\":443\"; ma=86400 # not a comment (added
certificate: localhost.crt" --config good.conf
# the command line wins, before or after --config; routes add up, the
# file's first
q=$(port)
run conf-override 0 "listening on udp 127.0.0.1:$q
route /file -> port 8081
route /cli -> port 8082
backend: 127.0.0.1:9090 (timeout 2.5 s)
certificate: other.crt" \
	-l 127.0.0.1:$q --cert other.crt -f good.conf --key other.key -b 127.0.0.1:9090 \
	--route /cli=127.0.0.1:8082
# a value the command line overrides is not used, not even checked
printf 'listen nowhere\n' >overridden.conf
expect conf-overridden 0 "certificate: built-in" --config overridden.conf
# relative cert and key paths: from the file's directory, not the cwd
mkdir etc elsewhere && cp localhost.crt localhost.key etc/ &&
	printf 'cert localhost.crt\nkey localhost.key\n' >etc/rel.conf || exit 1
cd elsewhere || exit 1
expect conf-relative 0 "certificate: ../etc/localhost.crt" -f ../etc/rel.conf
printf 'cert %s/localhost.crt\nkey %s/localhost.key\n' "$dir" "$dir" >abs.conf
expect conf-absolute 0 "certificate: $dir/localhost.crt" -f abs.conf
cd "$dir" || exit 1

# conf NAME PATTERN TEXT: NAME.conf holds TEXT (printf escapes); tern -f
# NAME.conf exits 2 with the one line PATTERN. No -l: it would override
# the file's listen (and tern stops before it binds, but for mismatch)
conf() {
	printf "$3" >"$1.conf"
	run "conf-$1" 2 "$2" -f "$1.conf"
}
conf unknown "^tern: unknown.conf:3: unknown setting 'lisen'$" \
	'# comment\n\nlisen 127.0.0.1:4433\n'
conf equals "^tern: equals.conf:1: listen: '= 127.0.0.1:4433' is not ADDR:PORT" \
	'listen = 127.0.0.1:4433\n'
conf bad-listen "^tern: bad-listen.conf:2: listen: 'nowhere' is not ADDR:PORT (e.g. 127.0.0.1:4433 or \[::1\]:4433)$" \
	'# where\nlisten nowhere\n'
conf twice "^tern: twice.conf:4: 'backend' given twice (first on line 2)$" \
	'route /a=127.0.0.1:1\nbackend 127.0.0.1:1\nroute /b=127.0.0.1:2\nbackend 127.0.0.1:2\n'
conf no-value "^tern: no-value.conf:2: backend: no value$" '# x\nbackend  \t \n'
conf timeout "^tern: timeout.conf:1: backend-timeout: '0' is not a number of seconds from 0.1 to 3600$" \
	'backend-timeout 0\n'
conf retry "^tern: retry.conf:1: retry: 'maybe' is not yes or no (or on/off, true/false)$" \
	'retry maybe\n'
conf crypto "^tern: crypto.conf:1: crypto: 'fast' is not auto or portable$" 'crypto fast\n'
conf bad-backend "^tern: bad-backend.conf:1: backend 'x': backend: not HOST:PORT" 'backend x\n'
conf bad-route "^tern: bad-route.conf:2: route 'nope': route: not \[AUTHORITY\]/PREFIX=HOST:PORT$" \
	'route /a=127.0.0.1:1\nroute nope\n'
# more routes than CONFIG_TERM_ROUTES_MAX can be (64)
conf routes "^tern: routes.conf:[0-9]*: route: more than [0-9]* routes (CONFIG_TERM_ROUTES_MAX)$" \
	"$(for i in $(seq 65); do printf 'route /r%d=127.0.0.1:1\\n' "$i"; done)"
conf nul "^tern: nul.conf:2: a NUL byte: not a text file$" 'backend 127.0.0.1:1\nret\0ry yes\n'
conf cert-missing "^tern: cert-missing.conf:2: cert nope.crt: No such file or directory$" \
	'key localhost.key\ncert nope.crt\n'
conf cert-alone "^tern: cert-alone.conf:1: cert and key go together$" 'cert localhost.crt\n'
conf garbage "^tern: garbage.conf:1: cert garbage.pem: neither DER nor a PEM CERTIFICATE block$" \
	'cert garbage.pem\nkey localhost.key\n'
conf mismatch "^tern: mismatch.conf:3: key other.key does not belong to cert localhost.crt (mismatch.conf:2)$" \
	"listen 127.0.0.1:$(port)\ncert localhost.crt\nkey other.key\n"
head -c 70000 /dev/zero | tr '\0' '#' >big.conf
expect conf-big 2 "^tern: --config big.conf: larger than 65536 bytes" -f big.conf
expect conf-missing 2 "^tern: --config nope.conf: No such file or directory$" --config nope.conf
expect conf-dir 2 "^tern: --config etc: Is a directory$" --config etc

[ $pass -gt 0 ] && echo "[  PASSED  ] $pass test(s)."
[ $fail -gt 0 ] && echo "[  FAILED  ] $fail test(s)."
[ $fail -eq 0 ]
