#!/usr/bin/env bash
# Verdicts from real facts: ASVS 5.0.0 12.1.1 (protocol versions) and 12.2.2 (trusted certificate).
. "$(dirname "$0")/../lib.sh"

NGINX="localhost:$LAB_PORT_NGINX"
LEGACY="localhost:$LAB_PORT_LEGACY"
TLS12="localhost:$LAB_PORT_TLS12"
SSLV3="localhost:$LAB_PORT_SSLV3"

tp scoring --format json --level 1 --ca-file "$LAB_CA" "$NGINX" "$LEGACY" "$TLS12" "$SSLV3"

assert_jq "level 1 scores the ASVS 5.0.0 level-1 requirements on every endpoint" "$TP_OUT" \
  '[.endpoints[] | [.verdicts[] | [.id, .standard, .level]]] | unique' \
  "[$(requirement_ids --standard 'ASVS 5.0.0' --level 1 --fields id,standard,level)]"
assert_jq "every verdict has one line of evidence" "$TP_OUT" \
  '[.endpoints[].verdicts[].evidence | type == "string" and length > 0 and (contains("\n") | not)] | unique' '[true]'

E=$(ep "$NGINX")
assert_jq "nginx: 12.1.1 PASS" "$TP_OUT" "$E | $(verdict 12.1.1)" '"PASS"'
assert_jq "nginx: 12.2.2 PASS" "$TP_OUT" "$E | $(verdict 12.2.2)" '"PASS"'
assert_jq "nginx: 12.2.2 evidence: trusted, valid for the name, not revoked (OCSP)" "$TP_OUT" \
  "$E.verdicts[] | select(.id == \"12.2.2\") | .evidence" \
  "\"chain trusted by file:$LAB_CA (anchor CN=tlsprobe lab root CA,O=tlsprobe lab) and valid for 'localhost'; not revoked (OCSP responder)\""
assert_jq "nginx: result PASS" "$TP_OUT" "$E.result" '"PASS"'

E=$(ep "$LEGACY")
assert_jq "legacy: 12.1.1 FAIL" "$TP_OUT" "$E | $(verdict 12.1.1)" '"FAIL"'
assert_jq "legacy: 12.1.1 evidence names TLSv1.0 and TLSv1.1" "$TP_OUT" \
  "$E.verdicts[] | select(.id == \"12.1.1\") | .evidence | [contains(\"TLSv1.0\"), contains(\"TLSv1.1\")]" '[true,true]'
assert_jq "legacy: 12.2.2 PASS (good chain)" "$TP_OUT" "$E | $(verdict 12.2.2)" '"PASS"'
assert_jq "legacy: result FAIL" "$TP_OUT" "$E.result" '"FAIL"'

E=$(ep "$TLS12")
assert_jq "TLS 1.2 only: 12.1.1 PASS" "$TP_OUT" "$E | $(verdict 12.1.1)" '"PASS"'

E=$(ep "$SSLV3")
assert_jq "SSLv3 only: 12.1.1 FAIL naming SSLv3" "$TP_OUT" \
  "$E.verdicts[] | select(.id == \"12.1.1\") | [.result, (.evidence | contains(\"SSLv3\"))]" '["FAIL",true]'

# OpenSSL 3 cannot do an SSLv3 handshake: the chain is read from a raw hello instead. The
# scripted server sends the leaf alone; the intermediate comes from the leaf's AIA caIssuers URL,
# so the chain verifies but is incomplete as served: 12.2.2 FAIL, not ERROR.
assert_jq "SSLv3 only: certificate read from a raw hello, completed via AIA" "$TP_OUT" \
  "$E.facts.certificate | [.status, .source, .handshake.protocol, .trust.verified, .chain_analysis.completed_via_aia]" \
  '["ok","raw hello","SSLv3",true,true]'
assert_jq "SSLv3 only: 12.2.2 FAIL naming the incomplete chain, result FAIL" "$TP_OUT" \
  "$E | [$(verdict 12.2.2), (.verdicts[] | select(.id == \"12.2.2\") | .evidence | contains(\"incomplete chain (completed via AIA)\")), .result]" '["FAIL",true,"FAIL"]'
# tls12 (s_server -www) is a web server without HSTS: 12.2.1 fails.
assert_jq "summary counts endpoints by result" "$TP_OUT" \
  '.summary | [.endpoints, .passed, .failed, .errors, .exit_status]' '[4,1,3,0,1]'
assert_rc "failed requirements: exit status 1" 1

# A TCP service that speaks no TLS and waits for more (the lab's DNS server over TCP reads a
# length-prefixed query): it never answers a hello, so it is unresponsive (unreachable), no
# verdict can be decided, 12.1.1 is ERROR and the exit status 3.
tp scoring-not-tls --format json --level 1 "127.0.0.1:$LAB_PORT_DNS"
E=$(ep "127.0.0.1:$LAB_PORT_DNS")
assert_jq "not TLS: unresponsive, nothing accepted" "$TP_OUT" "$E | [.status, (.error | startswith(\"unresponsive: \")), .facts.versions.accepted]" '["unreachable",true,[]]'
assert_jq "not TLS: 12.1.1 ERROR, result ERROR" "$TP_OUT" "$E | [$(verdict 12.1.1), .result]" '["ERROR","ERROR"]'
assert_rc "an ERROR verdict makes the exit status 3" 3

# Without the lab root, the good server fails 12.2.2 and the evidence says which store.
tp scoring-system --format json --level 1 "$NGINX"
E=$(ep "$NGINX")
assert_jq "nginx, system store: 12.2.2 FAIL" "$TP_OUT" "$E | $(verdict 12.2.2)" '"FAIL"'
assert_jq "nginx, system store: evidence names the system store" "$TP_OUT" \
  "$E.verdicts[] | select(.id == \"12.2.2\") | .evidence | contains(\"system\")" 'true'
assert_jq "nginx, system store: 12.1.1 still PASS" "$TP_OUT" "$E | $(verdict 12.1.1)" '"PASS"'
