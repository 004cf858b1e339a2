#!/usr/bin/env bash
# `make demo`: scans a few local lab servers with tlsprobe and prints the text report.
# Everything runs on 127.0.0.1; no internet needed. The servers are stopped on exit.
# Usage: tests/lab/demo.sh [PATH/TO/tlsprobe]
set -euo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TLSPROBE=${1:-${TLSPROBE:-$LAB_SRC/../../tlsprobe}}
[ -x "$TLSPROBE" ] || { echo "demo: tlsprobe binary not found at $TLSPROBE (run: make)" >&2; exit 2; }

LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tlsprobe-demo.XXXXXX")
export LAB_DIR
cleanup() {
  "$LAB_SRC/stop.sh" "$LAB_DIR" || true
  rm -rf "$LAB_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== tlsprobe demo: making a test PKI and starting lab servers on 127.0.0.1"
"$LAB_SRC/pki.sh" "$LAB_DIR" >/dev/null
"$LAB_SRC/start.sh" nginx legacy expired sslv3 >/dev/null
. "$LAB_DIR/env"

INVENTORY=$LAB_DIR/demo.yaml
cat > "$INVENTORY" <<EOF
# tlsprobe demo inventory: four local servers, trusted through the lab's own root CA.
targets:
  - host: localhost
    port: $LAB_PORT_NGINX
    tags: [nginx, good]
    ca: $LAB_CA
  - host: localhost
    port: $LAB_PORT_LEGACY
    tags: [openssl, legacy-tls]
    ca: $LAB_CA
  - host: localhost
    port: $LAB_PORT_EXPIRED
    tags: [openssl, expired-certificate]
    ca: $LAB_CA
  - host: localhost
    port: $LAB_PORT_SSLV3
    tags: [scripted, sslv3]
    ca: $LAB_CA
EOF

cat <<EOF
   nginx, TLS 1.2 + 1.3, good chain           localhost:$LAB_PORT_NGINX
   openssl s_server, TLS 1.0 + 1.1 only       localhost:$LAB_PORT_LEGACY
   openssl s_server, expired certificate      localhost:$LAB_PORT_EXPIRED
   scripted SSLv3-only server                 localhost:$LAB_PORT_SSLV3

== inventory ($INVENTORY):
$(sed 's/^/   /' "$INVENTORY")

== tlsprobe --format text --timeout 3 -f demo.yaml
EOF

status=0
"$TLSPROBE" --format text --timeout 3 -f "$INVENTORY" || status=$?

echo
case $status in
  0) echo "== tlsprobe exited 0: every requirement passed (unexpected for this demo: three servers are misconfigured on purpose)" ;;
  1) echo "== tlsprobe exited 1: a requirement failed. That is the expected result here: the legacy, expired and SSLv3 servers are bad on purpose." ;;
  3) echo "== tlsprobe exited 3: a target could not be fully probed or a verdict is ERROR (not expected in this demo)." ;;
  *) echo "== tlsprobe exited $status: that is a usage or internal error, not a demo finding" >&2; exit "$status" ;;
esac
echo "== demo done; lab servers stopped."
exit 0
