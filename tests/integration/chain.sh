#!/usr/bin/env bash
# Chains and leaf quality (issue #4, JSON contract in the issue's notes): chain_analysis as
# served and completed through AIA caIssuers, trust anchors (lab root, an internal CA given by
# `ca:`), pin-sha256 pins, every certificate of a dual RSA/ECDSA endpoint, and the leaf facts.
# Servers: tests/lab/mod_cert.sh; leaves: tests/lab/pki.sh. Every expected value comes from
# the lab's own files.
#
# How each expectation was checked by hand against the running lab (OpenSSL 3.0.19, nginx
# 1.22.1, curl 7.88; OPENSSL_CONF=/dev/null; P=$LAB_PKI):
#  - Served chains: `openssl s_client -connect 127.0.0.1:PORT -servername localhost -showcerts`
#    counts 2 certificates for nginx (good leaf + intermediate) and 1 for leafonly; leafonly
#    alone gives verify error 20 then 21 against $LAB_CA.
#  - AIA: `openssl x509 -in $P/good.pem -noout -ext authorityInfoAccess` names
#    caIssuers $LAB_HTTP_URL/int.der; `curl $LAB_HTTP_URL/int.der` is the intermediate in DER
#    (1007 bytes), and `openssl verify -CAfile $LAB_CA -untrusted <it> <leafonly's leaf>` is OK.
#  - Internal CA: `s_client ... -CAfile $LAB_OTHER_CA` on internal: depth 1 "tlsprobe lab other
#    root CA", verify 0; with -CAfile $LAB_CA: verify 21 (20 at depth 0 in openssl verify).
#  - Pins: $P/good.spki-sha256 is `openssl x509 -pubkey | openssl pkey -pubin -outform DER |
#    openssl dgst -sha256 -binary | base64`; `curl -k --pinnedpubkey sha256//<it>` to nginx
#    succeeds, with the internal leaf's pin it fails (curl exit 90).
#  - dualcert: s_client -sigalgs rsa_pss_rsae_sha256:rsa_pkcs1_sha256 (TLS 1.3) and
#    -sigalgs RSA+SHA256 (TLS 1.2) get the good leaf (RSA 2048); ecdsa_secp256r1_sha256 /
#    ECDSA+SHA256 get the ecdsa leaf (256-bit key); fingerprints = openssl x509 -fingerprint.
#  - Leaf facts (`openssl x509 -noout -text` on what s_client received): longvalid notBefore ..
#    notAfter is 825 days; sha1 is sha1WithRSAEncryption (s_client at the default security
#    level: verify error 68 "CA signature digest algorithm too weak"); weakkey is RSA 1024
#    (verify error 66 "EE certificate key too weak"); nosan_eku has EKU clientAuth only (verify
#    with -purpose sslserver: 26); muststaple has "TLS Feature: status_request" and its server
#    sends no staple (s_client -status: "OCSP response: no response sent"); good is 365 days.
. "$(dirname "$0")/../lib.sh"

C=".facts.certificate"
ROOT_SUBJ="CN=tlsprobe lab root CA,O=tlsprobe lab"
INT_SUBJ="CN=tlsprobe lab intermediate CA,O=tlsprobe lab"
OTHER_SUBJ="CN=tlsprobe lab other root CA,O=tlsprobe lab"
LEAF_SUBJ="CN=localhost,O=tlsprobe lab"
GOOD_SHA=$(cert_sha256 "$LAB_PKI/good.pem")
ECDSA_SHA=$(cert_sha256 "$LAB_PKI/ecdsa.pem")
INTERNAL_SHA=$(cert_sha256 "$LAB_PKI/internal.pem")
GOOD_PIN=$(cat "$LAB_PKI/good.spki-sha256")
INTERNAL_PIN=$(cat "$LAB_PKI/internal.spki-sha256")
INT_URL="$LAB_HTTP_URL/int.der"
HTTP_LOG="$LAB_DIR/logs/http.log"
# The contract's keys of chain_analysis and leaf (the objects may grow more).
CA_KEYS='{served, order_ok, duplicates, root_included, unrelated, complete, completed_via_aia, aia_fetched, issues}'
LEAF_KEYS='{key_weak, signature_weak, validity_days, validity_too_long, expiring_soon, expiry_warn_days,
  eku_server_auth, basic_constraints_ca, must_staple, sct_count}'
# Requests the caIssuers/CRL server has logged so far (python http.server: one line each).
http_requests() { grep -c '"GET ' "$HTTP_LOG" 2>/dev/null || true; }
int_der_requests() { grep -c '"GET /int.der ' "$HTTP_LOG" 2>/dev/null || true; }

# ---- good chain (nginx: leaf + intermediate, the root not served)
T="localhost:$LAB_PORT_NGINX"
tp good --format json --ca-file "$LAB_CA" "$T"
E=$(ep "$T")
assert_jq "good: chain_analysis complete as served, no AIA" "$TP_OUT" "$E$C.chain_analysis | $CA_KEYS" \
  '{"served":2,"order_ok":true,"duplicates":0,"root_included":false,"unrelated":0,"complete":true,
    "completed_via_aia":false,"aia_fetched":[],"issues":[]}'
assert_jq "good: anchor is the lab root" "$TP_OUT" "$E$C.trust | [.verified, .anchor]" "[true,\"$ROOT_SUBJ\"]"
assert_jq "good: path leaf..anchor" "$TP_OUT" "$E$C.trust.path" "[\"$LEAF_SUBJ\",\"$INT_SUBJ\",\"$ROOT_SUBJ\"]"
assert_jq "good: no pin configured" "$TP_OUT" "$E$C.trust.pin" 'null'
assert_jq "good: leaf facts (RSA 2048, SHA-256, 365 days, serverAuth)" "$TP_OUT" "$E$C.leaf | $LEAF_KEYS" \
  '{"key_weak":false,"signature_weak":false,"validity_days":365,"validity_too_long":false,
    "expiring_soon":false,"expiry_warn_days":30,"eku_server_auth":true,"basic_constraints_ca":false,
    "must_staple":false,"sct_count":0}'
assert_jq "good: one certificate served (RSA, the good leaf)" "$TP_OUT" \
  "[$E$C.certificates[] | [.key_type, .sha256]]" "[[\"RSA\",\"$GOOD_SHA\"]]"

# --expiry-warn: the good leaf has about 364 days left.
tp expiry-warn --format json --ca-file "$LAB_CA" --expiry-warn 400 "$T"
E=$(ep "$T")
assert_jq "good --expiry-warn 400: expiring_soon" "$TP_OUT" "$E$C.leaf | [.expiring_soon, .expiry_warn_days]" '[true,400]'
tp expiry-warn-short --format json --ca-file "$LAB_CA" --expiry-warn 300 "$T"
assert_jq "good --expiry-warn 300: not expiring_soon" "$TP_OUT" "$E$C.leaf | [.expiring_soon, .expiry_warn_days]" '[false,300]'

# ---- leaf only: the intermediate comes from the leaf's AIA caIssuers URL
T="localhost:$LAB_PORT_LEAFONLY"
before=$(int_der_requests)
tp leafonly --format json --ca-file "$LAB_CA" "$T"
after=$(int_der_requests)
E=$(ep "$T")
assert_jq "leafonly: one certificate served, incomplete, completed via AIA" "$TP_OUT" \
  "$E$C.chain_analysis | [.served, .order_ok, .root_included, .complete, .completed_via_aia]" '[1,true,false,false,true]'
# Only int.der: the intermediate's own caIssuers (root.der) need not be fetched, its issuer is
# the anchor already in the store.
assert_jq "leafonly: fetched exactly the leaf's caIssuers URL" "$TP_OUT" "$E$C.chain_analysis.aia_fetched" "[\"$INT_URL\"]"
assert_jq "leafonly: issue says incomplete chain (completed via AIA)" "$TP_OUT" \
  "$E$C.chain_analysis.issues | index(\"incomplete chain (completed via AIA)\") != null" 'true'
assert_jq "leafonly: served chain is the leaf alone" "$TP_OUT" "[$E$C.chain[].sha256]" "[\"$GOOD_SHA\"]"
assert_jq "leafonly: trusted through the fetched intermediate" "$TP_OUT" \
  "$E$C.trust | [.verified, .anchor, .path]" "[true,\"$ROOT_SUBJ\",[\"$LEAF_SUBJ\",\"$INT_SUBJ\",\"$ROOT_SUBJ\"]]"
assert_jq "leafonly: 12.2.2 FAIL (clients that do not fetch AIA reject it)" "$TP_OUT" "$E | $(verdict 12.2.2)" '"FAIL"'
if [ "$after" -gt "$before" ]; then ok "leafonly: the http server logged GET /int.der"; else
  not_ok "leafonly: the http server logged GET /int.der" "int.der requests before $before, after $after"; fi

# --offline: nothing fetched, so the chain stays incomplete (complete is false: the served
# chain plus anchor does not verify, which needs no fetch to know) and untrusted.
before=$(http_requests)
tp leafonly-offline --format json --ca-file "$LAB_CA" --offline "$T"
after=$(http_requests)
assert_jq "leafonly --offline: not completed, nothing fetched" "$TP_OUT" \
  "$E$C.chain_analysis | [.served, .complete, .completed_via_aia, .aia_fetched]" '[1,false,false,[]]'
assert_jq "leafonly --offline: not verified (20: unable to get local issuer)" "$TP_OUT" \
  "$E$C.trust | [.verified, .error_code]" '[false,20]'
# The comparison means something only if the log records requests (the online run above made some).
assert_file_contains "leafonly: the lab's HTTP log records requests" "$HTTP_LOG" '"GET /int.der '
assert_eq "leafonly --offline: no HTTP request reached the lab" "$before" "$after"

# ---- internal CA: trusted only through the target's own `ca:`
T="localhost:$LAB_PORT_INTERNAL"
INV=$TEST_TMP/internal.yaml
cat > "$INV" <<EOF
targets:
  - host: localhost
    port: $LAB_PORT_INTERNAL
    exposure: internal
    ca: $LAB_OTHER_CA
EOF
tp internal-ca --format json --level 2 -f "$INV"
E=$(ep "$T")
assert_jq "internal with ca: verified, anchor the other root" "$TP_OUT" \
  "$E$C.trust | [.store, .verified, .anchor, .path]" \
  "[\"file:$LAB_OTHER_CA\",true,\"$OTHER_SUBJ\",[\"$LEAF_SUBJ\",\"$OTHER_SUBJ\"]]"
assert_jq "internal with ca: served chain is the leaf alone, complete with the anchor" "$TP_OUT" \
  "$E$C | [[.chain[].sha256], .chain_analysis.served, .chain_analysis.complete, .chain_analysis.completed_via_aia]" \
  "[[\"$INTERNAL_SHA\"],1,true,false]"
assert_jq "internal with ca: 12.3.4 PASS (level 2)" "$TP_OUT" "$E | $(verdict 12.3.4)" '"PASS"'

cat > "$INV" <<EOF
targets:
  - host: localhost
    port: $LAB_PORT_INTERNAL
    exposure: internal
EOF
tp internal-noca --format json --level 2 -f "$INV"
assert_jq "internal without ca: (system store) not verified, no anchor" "$TP_OUT" \
  "$E$C.trust | [.store, .verified, .anchor]" '["system",false,null]'
assert_jq "internal without ca: 12.3.4 FAIL (level 2)" "$TP_OUT" "$E | $(verdict 12.3.4)" '"FAIL"'

tp internal-labca --format json --ca-file "$LAB_CA" "$T"
assert_jq "internal against the lab root: not verified (20 at depth 0)" "$TP_OUT" \
  "$E$C.trust | [.verified, .error_code, .error_depth]" '[false,20,0]'
assert_jq "internal against the lab root: 12.2.2 FAIL" "$TP_OUT" "$E | $(verdict 12.2.2)" '"FAIL"'

# ---- pins (RFC 7469 SPKI SHA-256), one must match a certificate of the chain
T="localhost:$LAB_PORT_NGINX"
INV=$TEST_TMP/pins.yaml
cat > "$INV" <<EOF
targets:
  - host: localhost
    port: $LAB_PORT_NGINX
    ca: $LAB_CA
    pin-sha256: ["sha256/$GOOD_PIN"]
EOF
tp pin-match --format json -f "$INV"
E=$(ep "$T")
assert_jq "pin of the good leaf: matched" "$TP_OUT" "$E$C.trust.pin | {configured, matched}" "{\"configured\":[\"sha256/$GOOD_PIN\"],\"matched\":true}"
assert_jq "pin of the good leaf: still verified" "$TP_OUT" "$E$C.trust.verified" 'true'

cat > "$INV" <<EOF
targets:
  - host: localhost
    port: $LAB_PORT_NGINX
    ca: $LAB_CA
    pin-sha256: ["sha256/$INTERNAL_PIN"]
EOF
tp pin-wrong --format json -f "$INV"
assert_jq "pin of another key: not matched" "$TP_OUT" "$E$C.trust.pin | {configured, matched}" "{\"configured\":[\"sha256/$INTERNAL_PIN\"],\"matched\":false}"
assert_jq "pin of another key: 12.2.2 FAIL" "$TP_OUT" "$E | $(verdict 12.2.2)" '"FAIL"'

# ---- dualcert: nginx with an RSA and an ECDSA certificate
T="localhost:$LAB_PORT_DUALCERT"
tp dualcert --format json --ca-file "$LAB_CA" "$T"
E=$(ep "$T")
assert_jq "dualcert: two certificates, RSA good leaf and EC ecdsa leaf" "$TP_OUT" \
  "[$E$C.certificates[] | [.key_type, .sha256]] | sort" "[[\"EC\",\"$ECDSA_SHA\"],[\"RSA\",\"$GOOD_SHA\"]]"
assert_jq "dualcert: both are localhost leaves" "$TP_OUT" "[$E$C.certificates[].subject] | unique" "[\"$LEAF_SUBJ\"]"
# Each certificate signs with its own schemes: in TLS 1.3 the P-256 key only with
# ecdsa_secp256r1_sha256 (the curve is bound to the hash), the RSA key with RSA-PSS; nginx
# prefers the ECDSA one while offered (checked: openssl s_client -tls1_3 -sigalgs
# ecdsa_secp384r1_sha384 gets handshake_failure, ecdsa_secp256r1_sha256 "Peer signing digest: SHA256").
assert_jq "dualcert: TLS 1.3 signature schemes of both certificates, ECDSA first" "$TP_OUT" \
  "$E.facts.signatures.tls13 | [.[0], (.[1:] | sort)]" \
  '["ecdsa_secp256r1_sha256",["rsa_pss_rsae_sha256","rsa_pss_rsae_sha384","rsa_pss_rsae_sha512"]]'

# ---- leaf quality
# leaf_case LABEL SERVER_PORT FILTER EXPECTED: one run, one assertion on .leaf (and chain[0]).
leaf_case() {
  local label=$1 port=$2 filter=$3 want=$4
  T="localhost:$port"
  tp "$label" --format json --ca-file "$LAB_CA" "$T"
  E=$(ep "$T")
  assert_jq "$label: $filter" "$TP_OUT" "$E$C | $filter" "$want"
}
leaf_case longvalid "$LAB_PORT_LONGVALID" '.leaf | [.validity_days, .validity_too_long]' '[825,true]'
leaf_case sha1 "$LAB_PORT_SHA1" '[.leaf.signature_weak, .leaf.key_weak, .chain[0].signature_algorithm]' \
  '[true,false,"sha1WithRSAEncryption"]'
leaf_case weakkey "$LAB_PORT_WEAKKEY" '[.leaf.key_weak, .leaf.signature_weak, .chain[0].key_type, .chain[0].key_bits]' \
  '[true,false,"RSA",1024]'
leaf_case nosan_eku "$LAB_PORT_NOSAN_EKU" '[.leaf.eku_server_auth, .name.matched]' '[false,true]'
leaf_case muststaple "$LAB_PORT_MUSTSTAPLE_NOSTAPLE" \
  '[.leaf.must_staple, .ocsp_stapled, .ocsp_staple.present, .ocsp_staple.verdict]' '[true,false,false,"none"]'
# A default OpenSSL client (ECDSA sigalgs first) gets the P-256 leaf from dualcert: not weak.
leaf_case ecdsa-leaf "$LAB_PORT_DUALCERT" '[.chain[0].key_type, .chain[0].curve, .leaf.key_weak, .leaf.signature_weak]' \
  '["EC","prime256v1",false,false]'
