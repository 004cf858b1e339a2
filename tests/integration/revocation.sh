#!/usr/bin/env bash
# OCSP stapling and revocation (issue #4, JSON contract in the issue's notes): the staple of
# each stapling server parsed and judged (valid / revoked / stale / wrong / none), the leaf's
# status asked from the AIA OCSP responder, the CRL used when the leaf has no OCSP URL, and
# --offline fetching nothing. Servers: tests/lab/mod_cert.sh; leaves and CA databases:
# tests/lab/pki.sh; staples: $LAB_OCSP_DIR/{good,revoked,stale}.der, made at lab start.
#
# How each expectation was checked by hand against the running lab (OpenSSL 3.0.19, nginx
# 1.22.1, curl 7.88; OPENSSL_CONF=/dev/null; P=$LAB_PKI):
#  - Staples: `openssl s_client -connect 127.0.0.1:PORT -servername localhost -status` over
#    TLS 1.3 and -tls1_2 prints "OCSP Response Status: successful", Cert Status good
#    (nginx_staple_good, sserver_status), revoked + "Revocation Reason: keyCompromise (0x1)"
#    for serial 2003 (nginx_staple_revoked; staple_wrong, whose leaf is serial 2000), good with
#    This Update two days and Next Update one day in the past (nginx_staple_expired), and "OCSP
#    response: no response sent" (revoked_nostaple, muststaple_nostaple). The responder ID is
#    the intermediate itself (byName), so "responder" is "issuer".
#  - The staple files: `openssl ocsp -respin $LAB_OCSP_DIR/NAME.der -issuer $P/intermediate.pem
#    -cert $P/good.pem -CAfile $LAB_CA`: good.der "Response verify OK ... good"; revoked.der
#    "No Status found" for the good leaf (it answers for revoked.pem); stale.der "Status times
#    invalid ... status expired".
#  - Responder: `openssl ocsp -issuer $P/intermediate.pem -cert $P/LEAF.pem -url $LAB_OCSP_URL
#    -CAfile $LAB_CA`: good -> good; revoked -> revoked, Reason keyCompromise; each query is one
#    "ocsp: POST / ... -> ok" line in $LAB_DIR/logs/ocsp.log.
#  - CRL: `openssl x509 -in $P/crlonly.pem -noout -ocsp_uri` is empty and its CRL DP is
#    $LAB_HTTP_URL/int.crl; `curl` of it is a DER CRL (application/pkix-crl) signed by the
#    intermediate (`openssl crl -CAfile <int> -noout`: verify OK) listing serials 2003 (revoked)
#    and 2004 (crlonly), reason keyCompromise; `openssl verify -crl_check -CRLfile <it>` gives
#    error 23 for crlonly.pem, OK for good.pem.
#  - --offline: the lab's http.log and ocsp.log gain no line during the run.
# Then the verdicts (issue #11): a revoked leaf fails 12.2.2 / 12.3.4 / 9.2.1 / 9.2.3 whichever
# route found it, and --offline (revocation unknown) neither fails trust nor says "not revoked".
. "$(dirname "$0")/../lib.sh"

C=".facts.certificate"
# The contract puts revocation inside the certificate facts (it needs the leaf and issuer).
R=".facts.certificate.revocation"
OCSP_LOG="$LAB_DIR/logs/ocsp.log"
HTTP_LOG="$LAB_DIR/logs/http.log"
ocsp_requests() { grep -cE '^ocsp: (POST|GET) ' "$OCSP_LOG" 2>/dev/null || true; }
http_requests() { grep -c '"GET ' "$HTTP_LOG" 2>/dev/null || true; }
crl_requests() { grep -c '"GET /int.crl ' "$HTTP_LOG" 2>/dev/null || true; }

# staple_time FILE This|Next: the response's thisUpdate / nextUpdate as ISO 8601 UTC.
staple_time() {
  local d
  d=$(OPENSSL_CONF=/dev/null openssl ocsp -respin "$1" -resp_text -noverify 2>/dev/null |
      sed -n "s/^ *$2 Update: //p" | head -n1)
  date -u -d "$d" +%Y-%m-%dT%H:%M:%SZ
}
GOOD_THIS=$(staple_time "$LAB_OCSP_DIR/good.der" This)
GOOD_NEXT=$(staple_time "$LAB_OCSP_DIR/good.der" Next)
REVOKED_THIS=$(staple_time "$LAB_OCSP_DIR/revoked.der" This)
REVOKED_NEXT=$(staple_time "$LAB_OCSP_DIR/revoked.der" Next)
STALE_THIS=$(staple_time "$LAB_OCSP_DIR/stale.der" This)
STALE_NEXT=$(staple_time "$LAB_OCSP_DIR/stale.der" Next)
STAPLE_KEYS='{present, verdict, cert_status, this_update, next_update, responder, revocation_reason}'

# staple_case LABEL PORT EXPECTED_STAPLE_JSON: one run; ocsp_stapled and the staple's verdict.
staple_case() {
  local label=$1 port=$2 want=$3
  T="localhost:$port"
  tp "$label" --format json --ca-file "$LAB_CA" "$T"
  E=$(ep "$T")
  assert_jq "$label: ocsp_staple" "$TP_OUT" "$E$C.ocsp_staple | $STAPLE_KEYS" "$want"
}

# ---- staples
staple_case nginx_staple_good "$LAB_PORT_NGINX_STAPLE_GOOD" \
  "{\"present\":true,\"verdict\":\"valid\",\"cert_status\":\"good\",\"this_update\":\"$GOOD_THIS\",
    \"next_update\":\"$GOOD_NEXT\",\"responder\":\"issuer\",\"revocation_reason\":null}"
assert_jq "nginx_staple_good: ocsp_stapled, no staple error" "$TP_OUT" "$E$C | [.ocsp_stapled, .ocsp_staple.error]" '[true,null]'

staple_case sserver_status "$LAB_PORT_SSERVER_STATUS" \
  "{\"present\":true,\"verdict\":\"valid\",\"cert_status\":\"good\",\"this_update\":\"$GOOD_THIS\",
    \"next_update\":\"$GOOD_NEXT\",\"responder\":\"issuer\",\"revocation_reason\":null}"
assert_jq "sserver_status: ocsp_stapled" "$TP_OUT" "$E$C.ocsp_stapled" 'true'

staple_case nginx_staple_revoked "$LAB_PORT_NGINX_STAPLE_REVOKED" \
  "{\"present\":true,\"verdict\":\"revoked\",\"cert_status\":\"revoked\",\"this_update\":\"$REVOKED_THIS\",
    \"next_update\":\"$REVOKED_NEXT\",\"responder\":\"issuer\",\"revocation_reason\":\"keyCompromise\"}"

staple_case nginx_staple_expired "$LAB_PORT_NGINX_STAPLE_EXPIRED" \
  "{\"present\":true,\"verdict\":\"stale\",\"cert_status\":\"good\",\"this_update\":\"$STALE_THIS\",
    \"next_update\":\"$STALE_NEXT\",\"responder\":\"issuer\",\"revocation_reason\":null}"

# The revoked leaf's response stapled to the good leaf: signed and current, but for another certificate.
T="localhost:$LAB_PORT_STAPLE_WRONG"
tp staple_wrong --format json --ca-file "$LAB_CA" "$T"
E=$(ep "$T")
assert_jq "staple_wrong: present, verdict wrong" "$TP_OUT" "$E$C.ocsp_staple | [.present, .verdict]" '[true,"wrong"]'

# ---- the revoked leaf, no staple: the AIA OCSP responder says revoked
T="localhost:$LAB_PORT_REVOKED_NOSTAPLE"
before=$(ocsp_requests)
tp revoked_nostaple --format json --ca-file "$LAB_CA" "$T"
after=$(ocsp_requests)
E=$(ep "$T")
assert_jq "revoked_nostaple: no staple" "$TP_OUT" "$E$C | [.ocsp_stapled, .ocsp_staple.present, .ocsp_staple.verdict]" '[false,false,"none"]'
assert_jq "revoked_nostaple: revocation via OCSP (no CRL needed): revoked" "$TP_OUT" \
  "$E$R | [.offline, .method, .crl, .result]" '[false,"ocsp",null,"revoked"]'
assert_jq "revoked_nostaple: the responder's answer" "$TP_OUT" \
  "$E$R.ocsp | [.url, .cert_status, .revocation_reason, .error, (.ms | type), (.this_update | type), (.next_update | type)]" \
  "[\"$LAB_OCSP_URL\",\"revoked\",\"keyCompromise\",null,\"number\",\"string\",\"string\"]"
if [ "$after" -gt "$before" ]; then ok "revoked_nostaple: the responder logged the query"; else
  not_ok "revoked_nostaple: the responder logged the query" "ocsp.log requests before $before, after $after"; fi

# ---- the good leaf (nginx): good through OCSP
T="localhost:$LAB_PORT_NGINX"
tp good --format json --ca-file "$LAB_CA" "$T"
E=$(ep "$T")
assert_jq "good: revocation via OCSP: good" "$TP_OUT" \
  "$E$R | [.offline, .method, .ocsp.url, .ocsp.cert_status, .ocsp.revocation_reason, .ocsp.error, .result]" \
  "[false,\"ocsp\",\"$LAB_OCSP_URL\",\"good\",null,null,\"good\"]"

# ---- no OCSP URL in the leaf: the CRL distribution point
T="localhost:$LAB_PORT_CRLONLY"
before=$(crl_requests)
tp crlonly --format json --ca-file "$LAB_CA" "$T"
after=$(crl_requests)
E=$(ep "$T")
assert_jq "crlonly: revocation via CRL: revoked" "$TP_OUT" \
  "$E$R | [.offline, .method, .ocsp, .result]" '[false,"crl",null,"revoked"]'
assert_jq "crlonly: the CRL: fetched, verified, lists the leaf" "$TP_OUT" \
  "$E$R.crl | [.url, .verified, .listed, .error, (.ms | type), (.next_update | type)]" \
  "[\"$LAB_HTTP_URL/int.crl\",true,true,null,\"number\",\"string\"]"
if [ "$after" -gt "$before" ]; then ok "crlonly: the http server logged GET /int.crl"; else
  not_ok "crlonly: the http server logged GET /int.crl" "int.crl requests before $before, after $after"; fi

# ---- --offline: nothing fetched at all
T="localhost:$LAB_PORT_REVOKED_NOSTAPLE"
ocsp_before=$(ocsp_requests) http_before=$(http_requests)
tp offline --format json --ca-file "$LAB_CA" --offline "$T" "localhost:$LAB_PORT_CRLONLY"
ocsp_after=$(ocsp_requests) http_after=$(http_requests)
E=$(ep "$T")
assert_jq "--offline: revoked_nostaple not checked" "$TP_OUT" \
  "$E$R | [.offline, .method, .ocsp, .crl, .result]" '[true,null,null,null,"not_checked"]'
E=$(ep "localhost:$LAB_PORT_CRLONLY")
assert_jq "--offline: crlonly not checked" "$TP_OUT" \
  "$E$R | [.offline, .method, .ocsp, .crl, .result]" '[true,null,null,null,"not_checked"]'
# The comparisons mean something only if the logs record requests (earlier runs made some).
assert_file_contains "--offline: the responder's log records requests" "$OCSP_LOG" "ocsp: POST "
assert_file_contains "--offline: the HTTP log records requests" "$HTTP_LOG" '"GET /int.crl '
assert_eq "--offline: no OCSP request reached the responder" "$ocsp_before" "$ocsp_after"
assert_eq "--offline: no HTTP request reached the lab" "$http_before" "$http_after"

# ---- verdicts: a revoked leaf is not a valid certificate (issue #11). 12.2.2 (external),
# 12.3.4 (internal), 9.2.1 and 9.2.3 FAIL with the route and the reason, whichever route found
# it: the staple (nginx_staple_revoked), the OCSP responder (revoked_nostaple), the CRL (crlonly).
REV_INV=$TEST_TMP/revoked.yaml
cat > "$REV_INV" <<YAML
defaults:
  ca: $LAB_CA
targets:
  - { host: localhost, port: $LAB_PORT_NGINX_STAPLE_REVOKED, tags: [staple] }
  - { host: localhost, port: $LAB_PORT_REVOKED_NOSTAPLE, tags: [ocsp] }
  - { host: localhost, port: $LAB_PORT_CRLONLY, tags: [crl] }
  - { host: localhost, port: $LAB_PORT_NGINX_STAPLE_REVOKED, exposure: internal, tags: [staple_internal] }
  - { host: localhost, port: $LAB_PORT_REVOKED_NOSTAPLE, exposure: internal, tags: [ocsp_internal] }
  - { host: localhost, port: $LAB_PORT_CRLONLY, exposure: internal, tags: [crl_internal] }
  - { host: localhost, port: $LAB_PORT_NGINX_STAPLE_GOOD, tags: [good] }
YAML
# revoked_verdicts LABEL FILE TAG WANT: the [id, result, evidence] of the four requirements.
revoked_verdicts() {
  assert_jq "$1" "$2" "[.endpoints[] | select(.tags == [\"$3\"]) | .verdicts[] | select(.id | test(\"^(12.2.2|12.3.4|9.2.1|9.2.3)$\")) | [.id, .result, .evidence]]" "$4"
}
STAPLED="certificate revoked (stapled OCSP response, reason keyCompromise)"
BY_OCSP="certificate revoked (OCSP responder $LAB_OCSP_URL, reason keyCompromise)"
BY_CRL="certificate revoked (CRL $LAB_HTTP_URL/int.crl)"
ext() { printf '[["12.2.2","FAIL","%s"],["12.3.4","NOT_APPLICABLE","external service (exposure: external): see 12.2.2"],["9.2.1","FAIL","%s"],["9.2.3","FAIL","%s"]]' "$1" "$1" "$1"; }
int() { printf '[["12.2.2","NOT_APPLICABLE","internal service (exposure: internal): see 12.3.4"],["12.3.4","FAIL","%s"],["9.2.1","FAIL","%s"],["9.2.3","FAIL","%s"]]' "$1" "$1" "$1"; }
tp revoked_verdicts --format json --level 3 --standard all -f "$REV_INV"
# (the servers accept CBC suites: 12.1.2 FAILs whether or not their enumeration is known complete)
assert_rc "revoked leaves: exit 1 (failures, no error)" 1
revoked_verdicts "revoked staple: 12.2.2, 9.2.1, 9.2.3 FAIL" "$TP_OUT" staple "$(ext "$STAPLED")"
revoked_verdicts "revoked by the OCSP responder: 12.2.2, 9.2.1, 9.2.3 FAIL" "$TP_OUT" ocsp "$(ext "$BY_OCSP")"
revoked_verdicts "revoked by the CRL: 12.2.2, 9.2.1, 9.2.3 FAIL" "$TP_OUT" crl "$(ext "$BY_CRL")"
revoked_verdicts "internal, revoked staple: 12.3.4, 9.2.1, 9.2.3 FAIL" "$TP_OUT" staple_internal "$(int "$STAPLED")"
revoked_verdicts "internal, revoked by the OCSP responder: 12.3.4, 9.2.1, 9.2.3 FAIL" "$TP_OUT" ocsp_internal "$(int "$BY_OCSP")"
revoked_verdicts "internal, revoked by the CRL: 12.3.4, 9.2.1, 9.2.3 FAIL" "$TP_OUT" crl_internal "$(int "$BY_CRL")"
assert_jq "revoked leaves: 12.1.4 and 9.2.4 FAIL with the same evidence" "$TP_OUT" \
  "[.endpoints[] | select(.tags == [\"staple\"] or .tags == [\"ocsp\"] or .tags == [\"crl\"]) | [.verdicts[] | select(.id == \"12.1.4\" or .id == \"9.2.4\") | [.result, .evidence]] | unique] " \
  "[[[\"FAIL\",\"$STAPLED\"]],[[\"FAIL\",\"$BY_OCSP\"]],[[\"FAIL\",\"$BY_CRL\"]]]"
assert_jq "the good leaf with a valid staple: trusted, not revoked" "$TP_OUT" \
  "[.endpoints[] | select(.tags == [\"good\"]) | .verdicts[] | select(.id == \"12.2.2\" or .id == \"9.2.3\") | [.result, (.evidence | endswith(\"; not revoked (valid OCSP staple)\"))]]" \
  '[["PASS",true],["PASS",true]]'
if jq -e '[.endpoints[].facts.ciphers.protocols[]? | has("complete")] | all' "$TP_OUT" >/dev/null 2>&1; then
  assert_jq "revoked leaves grade T (certificate revoked: T)" "$TP_OUT" \
    "[.endpoints[] | select(.tags != [\"good\"]) | .grade | [.grade, (.caps | index(\"certificate revoked: T\") != null)]] | unique" \
    '[["T",true]]'
else
  skip "revoked leaves grade T" "ciphers.protocols[].complete not in the facts yet (enum slice): no grade"
fi

# --offline: no revocation check, so revocation is unknown: trust does not fail on it, and the
# evidence says it was not checked, never "not revoked". The staple is part of the handshake:
# a revoked staple still fails.
tp revoked_offline --format json --level 3 --standard all --offline -f "$REV_INV"
OFFLINE_PASS="revocation not checked (--offline)"
assert_jq "--offline, OCSP-only revoked leaf: 12.2.2, 9.2.1, 9.2.3 PASS saying revocation was not checked" "$TP_OUT" \
  "[.endpoints[] | select(.tags == [\"ocsp\"] or .tags == [\"crl\"]) | .verdicts[] | select(.id | test(\"^(12.2.2|9.2.1|9.2.3)$\")) | [.result, (.evidence | endswith(\"; $OFFLINE_PASS\")), (.evidence | contains(\"not revoked\"))]] | unique" \
  '[["PASS",true,false]]'
assert_jq "--offline: 12.1.4 FAIL (no staple), saying the check was not made" "$TP_OUT" \
  "[.endpoints[] | select(.tags == [\"ocsp\"] or .tags == [\"crl\"]) | .verdicts[] | select(.id == \"12.1.4\") | [.result, .evidence]] | unique" \
  '[["FAIL","no OCSP staple; revocation check: not_checked"]]'
revoked_verdicts "--offline, revoked staple: still FAIL" "$TP_OUT" staple "$(ext "$STAPLED")"
