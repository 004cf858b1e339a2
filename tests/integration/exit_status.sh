#!/usr/bin/env bash
# Exit status 0 / 1 / 3, and targets that cannot be reached do not stop the others.
. "$(dirname "$0")/../lib.sh"

NGINX="localhost:$LAB_PORT_NGINX"
REFUSED="localhost:$LAB_PORT_REFUSED"
NXDOMAIN="nosuch.invalid:443"

# ---- nginx + refused port + NXDOMAIN name: exit 3, nginx fully reported, in input order
tp mixed --format json --ca-file "$LAB_CA" --resolver "$LAB_RESOLVER" "$NGINX" "$REFUSED" "$NXDOMAIN"
assert_rc "mixed: exit 3" 3
assert_jq "mixed: endpoints in input order with their status" "$TP_OUT" \
  '[.endpoints[] | [.target, .status]]' \
  "[[\"$NGINX\",\"ok\"],[\"$REFUSED\",\"unreachable\"],[\"$NXDOMAIN\",\"unresolved\"]]"
assert_jq "mixed: summary" "$TP_OUT" \
  '.summary | [.endpoints, .reachable, .unreachable, .passed, .failed, .errors, .exit_status]' '[3,1,2,1,0,2,3]'
E=$(ep "$NGINX")
assert_jq "mixed: nginx fully probed and passing" "$TP_OUT" \
  "$E | [.error, .facts.versions.accepted, .facts.certificate.trust.verified, .facts.certificate.name.matched, .result]" \
  '[null,["TLSv1.2","TLSv1.3"],true,true,"PASS"]'
E=$(ep "$REFUSED")
assert_jq "mixed: refused port: error says why, verdicts ERROR, result ERROR" "$TP_OUT" \
  "$E | [(.error | type), ([.verdicts[].result] | unique), .result, .address]" '["string",["ERROR"],"ERROR","127.0.0.1"]'
E=$(ep "$NXDOMAIN")
assert_jq "mixed: NXDOMAIN: unresolved, no address, result ERROR" "$TP_OUT" \
  "$E | [(.error | type), .address, .result]" '["string",null,"ERROR"]'
assert_jq "mixed: NXDOMAIN: no connection attempted" "$TP_OUT" "$E.connections" 0

# ---- every requirement passes: exit 0 (web servers with HSTS: 12.2.1 needs it; gnutls-serv and
# s_server -www cannot send it)
tp all-good --format json --ca-file "$LAB_CA" "$NGINX" "localhost:$LAB_PORT_WEB_HSTS" "localhost:$LAB_PORT_WEB2"
assert_rc "all good: exit 0" 0
assert_jq "all good: summary" "$TP_OUT" '.summary | [.endpoints, .passed, .failed, .errors, .exit_status]' '[3,3,0,0,0]'

# ---- a requirement fails: exit 1 (the expired certificate fails 12.2.2)
tp one-fails --format json --ca-file "$LAB_CA" "$NGINX" "localhost:$LAB_PORT_EXPIRED"
assert_rc "a failing requirement: exit 1" 1
assert_jq "a failing requirement: summary" "$TP_OUT" '.summary | [.passed, .failed, .exit_status]' '[1,1,1]'

# ---- legacy versions fail 12.1.1: exit 1
tp legacy-fails --format json --ca-file "$LAB_CA" "localhost:$LAB_PORT_LEGACY"
assert_rc "legacy server: exit 1" 1

# ---- unreachable takes precedence over a failed requirement
tp fail-and-refused --format json --ca-file "$LAB_CA" "localhost:$LAB_PORT_EXPIRED" "$REFUSED"
assert_rc "failed requirement + refused: exit 3" 3
assert_jq "failed requirement + refused: expired still scored FAIL" "$TP_OUT" \
  "$(ep "localhost:$LAB_PORT_EXPIRED").result" '"FAIL"'

# ---- the text report: same exit status
tp mixed-text --format text --ca-file "$LAB_CA" --resolver "$LAB_RESOLVER" "$NGINX" "$REFUSED" "$NXDOMAIN"
assert_rc "mixed, text format: exit 3" 3
