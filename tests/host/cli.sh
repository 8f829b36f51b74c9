#!/usr/bin/env bash
# tests/host/cli.sh TERN: the host board's --cert/--key handling. Good PEM
# and DER files start tern (it names the file it serves); every bad case
# exits 2 with one line naming the file and the reason. Certificates are
# made here with openssl (tools/deps.sh installs it). Each tern run stops
# by itself (-t) on a port of its own on 127.0.0.1.
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

# expect NAME STATUS PATTERN ARGS...: tern's exit status and a line of its output
expect() {
	local name=$1 want=$2 pattern=$3 out rc
	shift 3
	out=$(timeout 10 "$tern" -l 127.0.0.1:$(( 20000 + RANDOM % 40000 )) -t 0.3 "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && grep -q -- "$pattern" <<<"$out"; then
		pass=$((pass + 1))
		echo "cli $name: ok"
	else
		fail=$((fail + 1))
		echo "cli $name: exit $rc (want $want), output:"
		sed 's/^/    /' <<<"$out" | head -5
	fi
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

[ $pass -gt 0 ] && echo "[  PASSED  ] $pass test(s)."
[ $fail -gt 0 ] && echo "[  FAILED  ] $fail test(s)."
[ $fail -eq 0 ]
