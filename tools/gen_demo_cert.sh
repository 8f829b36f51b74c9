#!/usr/bin/env bash
# tools/gen_demo_cert.sh DIR — a self-signed ECDSA P-256 certificate for
# "localhost" (and 127.0.0.1, ::1) with its key, as DIR/cert.pem and
# DIR/key.pem, for `make run` on a machine that has none. Kept once made
# (a client that pinned it keeps working); remove DIR to get a new one.
# A demo certificate: clients must be told not to verify it, or to trust
# it explicitly.
set -euo pipefail
dir=${1:?usage: tools/gen_demo_cert.sh DIR}
[ -s "$dir/cert.pem" ] && [ -s "$dir/key.pem" ] && exit 0
command -v openssl >/dev/null || { echo "gen_demo_cert: openssl missing (make deps)" >&2; exit 1; }
mkdir -p "$dir"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 825 -nodes \
	-subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
echo "  CERT    $dir/cert.pem (self-signed, CN localhost, 825 days)"
