#!/usr/bin/env bash
# Connections the certificate and mtls probes open (issue #16: no connection only to confirm
# what another answer already showed), and the facts where the shortcuts must not apply.
#  - certificate: the first handshake, then the RSA-only and ECDSA-only offers, less the offer of
#    the first leaf's own key type (rsaEncryption: "rsa"; EC: "ecdsa"), which can only show that
#    leaf again. An RSA-PSS leaf is neither: both offers are made.
#  - mtls, TLS 1.2: whether a CertificateRequest comes is read from the versions probe's TLS 1.2
#    flight when it was read to ServerHelloDone with a certificate suite ("raw hello"; no request
#    there: no TLS 1.2 connection at all); else from the handshake without a certificate
#    ("handshake"); a raw hello of its own only when neither settled it. An anonymous suite's
#    flight never says "not asked" (RFC 5246 7.4.4).
#  - certificate and mtls together: one default handshake for both (default_hs.h); mtls takes it
#    for TLS 1.3 when it completed there without a request.
# Per probe: the endpoint's connections less those of the probes it needs (versions, groups).
# Checked by hand: `openssl s_client -connect 127.0.0.1:PORT -tls1_2 -cipher AECDH-AES128-SHA:@SECLEVEL=0`
# gets AECDH-AES128-SHA from the anonymous-first server below (no Certificate, no request);
# with -cipher ECDHE-RSA-AES128-GCM-SHA256 (-verify 1 server) "Acceptable client certificate CA
# names" is printed. Own servers: openssl s_server on LAB_PORT_BASE+158 and +159, then
# tests/lab/fake_server.py on +159.
. "$(dirname "$0")/../lib.sh"

PSS_PORT=$((LAB_PORT_BASE + 158))
ANON_PORT=$((LAB_PORT_BASE + 159))
D=$TEST_TMP/conns
mkdir -p "$D"
PIDS=()
stop_servers() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  cleanup_test_tmp
}
trap stop_servers EXIT

listens() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# start PORT CMD...: runs CMD in the background; false unless PORT listens within 10 s.
start() {
  local port=$1; shift
  if listens "$port"; then
    not_ok "probe_conns: port $port is free" "something listens there already"
    return 1
  fi
  "$@" </dev/null >"$D/server-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do listens "$port" && return 0; sleep 0.1; done
  not_ok "probe_conns: a server listens on $port" "$(oneline "$(tail -n 5 "$D/server-$port.log")")"
  return 1
}
stop_last() {
  kill "${PIDS[-1]}" 2>/dev/null
  wait "${PIDS[-1]}" 2>/dev/null
  unset 'PIDS[-1]'
}

OWN='(.connections - .facts.versions.connections - (.facts.groups.connections // 0))'
C=.facts.certificate
M=.facts.mtls

# probe LABEL PROBE PORT: one probe (and what it needs) on localhost:PORT; sets E.
probe() {
  tp "$1" --format json --ca-file "$LAB_CA" --probes "$2" "localhost:$3"
  E=$(ep "localhost:$3")
}

# ---- certificate
probe cert-nginx certificate "$LAB_PORT_NGINX"
assert_jq "nginx (RSA leaf): certificate: 2 connections (first handshake, the ECDSA-only offer)" "$TP_OUT" "$E | $OWN" 2
assert_jq "nginx: one leaf, every offer answered" "$TP_OUT" \
  "$E$C | [.status, [.certificates[] | [.key_type, .found_with]], .certificates_complete, .certificates_unanswered]" \
  '["ok",[["RSA","default"]],true,[]]'

if [ -n "${LAB_PORT_DUALCERT:-}" ]; then
  probe cert-dual certificate "$LAB_PORT_DUALCERT"
  assert_jq "dualcert (EC leaf first): certificate: 2 connections (first handshake, the RSA-only offer)" "$TP_OUT" \
    "$E | $OWN" 2
  assert_jq "dualcert: both leaves still found, every offer answered" "$TP_OUT" \
    "$E$C | [[.certificates[] | [.key_type, .found_with]], .certificates_complete]" '[[["EC","default"],["RSA","rsa"]],true]'
else
  skip "dualcert" "not in this lab"
fi

# An RSA-PSS leaf: neither offer is of its key type, both are made.
if openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$D/pss.key" 2>/dev/null &&
   OPENSSL_CONF=/dev/null openssl req -x509 -new -key "$D/pss.key" -subj "/CN=localhost" -days 2 \
     -addext "subjectAltName = DNS:localhost" -out "$D/pss.pem" 2>/dev/null &&
   start "$PSS_PORT" env OPENSSL_CONF=/dev/null openssl s_server -accept "127.0.0.1:$PSS_PORT" -www \
     -cert "$D/pss.pem" -key "$D/pss.key"; then
  probe cert-pss certificate "$PSS_PORT"
  assert_jq "RSA-PSS leaf: certificate: 3 connections (both offers made)" "$TP_OUT" "$E | $OWN" 3
  assert_jq "RSA-PSS leaf: the one leaf, both offers answered" "$TP_OUT" \
    "$E$C | [.status, [.certificates[] | [.key_type, .found_with]], .certificates_complete, .certificates_unanswered]" \
    '["ok",[["RSA-PSS","default"]],true,[]]'
  stop_last
fi

# ---- mtls
probe mtls-nginx mtls "$LAB_PORT_NGINX"
assert_jq "nginx (no request): mtls: 1 connection (the TLS 1.3 handshake; TLS 1.2 none)" "$TP_OUT" "$E | $OWN" 1
assert_jq "nginx: not requested; TLS 1.2 from the versions probe's clear flight" "$TP_OUT" \
  "$E$M | [.requested, .required, [.by_version | to_entries[] | [.key, .value.requested, .value.requested_source]]]" \
  '[false,false,[["TLSv1.3",false,"handshake"],["TLSv1.2",false,"raw hello"]]]'
assert_jq "nginx: TLS 1.2's evidence says no handshake was needed" "$TP_OUT" "$E$M.by_version[\"TLSv1.2\"].required_evidence" \
  "\"without a certificate: not tried: the versions probe's TLS 1.2 answer, read to ServerHelloDone, asked for no client certificate\""


if [ -n "${LAB_PORT_MTLS_STRICT:-}" ]; then
  probe mtls-strict mtls "$LAB_PORT_MTLS_STRICT"
  assert_jq "strict: mtls: 4 connections (without and with an untrusted certificate, per version)" "$TP_OUT" \
    "$E | $OWN" 4
  assert_jq "strict: requested and required; TLS 1.2's request from the versions probe's clear flight" "$TP_OUT" \
    "$E$M | [.requested, .required, .by_version[\"TLSv1.2\"].requested_source]" '[true,true,"raw hello"]'
else
  skip "mtls strict" "not in this lab"
fi

# ---- certificate and mtls together: the endpoint's default handshake (default_hs.h) is made once
# and read by both; mtls takes it for TLS 1.3 when it completed there without a request.
probe both-nginx certificate,mtls "$LAB_PORT_NGINX"
assert_jq "nginx: certificate and mtls: 2 connections (one default handshake for both, the ECDSA-only offer)" \
  "$TP_OUT" "$E | $OWN" 2
assert_jq "nginx: mtls's TLS 1.3 facts from the default handshake; the certificate's leaf" "$TP_OUT" \
  "$E | [.facts.mtls.by_version[\"TLSv1.3\"] | .requested, .requested_source, .required_evidence], [$C.certificates[].found_with], $C.handshake.protocol" \
  '[false,"handshake","without a certificate: handshake completed; no client certificate requested"]
   ["default"] "TLSv1.3"'
if [ -n "${LAB_PORT_MTLS_ON:-}" ]; then
  # The default handshake saw a TLS 1.3 request: mtls judges it on connections of its own.
  probe both-on certificate,mtls "$LAB_PORT_MTLS_ON"
  assert_jq "mtls on: certificate and mtls: 6 connections (2 of the certificate's, 4 of mtls's own)" "$TP_OUT" \
    "$E | $OWN" 6
  assert_jq "mtls on: requested and required, refused in HTTP after TLS 1.3's own handshake" "$TP_OUT" \
    "$E$M | [.requested, .required, .by_version[\"TLSv1.3\"].required_evidence]" \
    '[true,true,"without a certificate: handshake completed; HTTP 400 (400 No required SSL certificate was sent)"]'
else
  skip "certificate and mtls on mtls on" "not in this lab"
fi

# Anonymous suite first in the server's order: the versions probe's TLS 1.2 flight has no
# Certificate and cannot hold a request, so it is not used; the handshake (no anonymous suite
# offered) decides, and no raw hello is sent.
ANON_CIPHERS='AECDH-AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0'
anon_server() {
  start "$ANON_PORT" env OPENSSL_CONF=/dev/null openssl s_server -accept "127.0.0.1:$ANON_PORT" -www -tls1_2 \
    -serverpref -cipher "$ANON_CIPHERS" -cert "$LAB_PKI/good.pem" -key "$LAB_PKI/good.key" "$@"
}
if anon_server; then
  probe mtls-anon mtls "$ANON_PORT"
  assert_jq "anonymous first: the versions probe saw the anonymous suite" "$TP_OUT" \
    "$E.facts.versions.protocols[] | select(.name == \"TLSv1.2\") | .cipher" '"TLS_ECDH_anon_WITH_AES_128_CBC_SHA"'
  assert_jq "anonymous first, no request: mtls: 1 connection (the handshake)" "$TP_OUT" "$E | $OWN" 1
  assert_jq "anonymous first, no request: not requested, seen in the handshake" "$TP_OUT" \
    "$E$M | [.requested, .by_version[\"TLSv1.2\"].requested_source]" '[false,"handshake"]'
  stop_last
fi
if anon_server -verify 1 -CAfile "$LAB_CA"; then
  probe mtls-anon-verify mtls "$ANON_PORT"
  assert_jq "anonymous first, optional request: mtls: 2 connections (without, then an untrusted certificate)" \
    "$TP_OUT" "$E | $OWN" 2
  assert_jq "anonymous first, optional request: requested, not required, seen in the handshake" "$TP_OUT" \
    "$E$M | [.requested, .required, .by_version[\"TLSv1.2\"].requested_source]" '[true,false,"handshake"]'
  stop_last
fi

# Anonymous suite first again, and no handshake of OpenSSL's completes (tests/lab/fake_server.py:
# a dummy ServerKeyExchange signature): neither the versions probe's flight nor the handshake
# settles it, so a raw hello of the probe's own (certificate suites only) reads the flight.
if start "$ANON_PORT" python3 "$TESTS_DIR/lab/fake_server.py" --mode suites --port "$ANON_PORT" \
     --cert-der "$LAB_PKI/good.der" --version 0x0303 --suites 0xC018,0xC02F --server-order; then
  probe mtls-fake mtls "$ANON_PORT"
  assert_jq "scripted, anonymous first: mtls: 2 connections (the failed handshake, then the raw hello)" "$TP_OUT" \
    "$E | $OWN" 2
  assert_jq "scripted, anonymous first: not requested, seen in the raw hello; the handshake failed" "$TP_OUT" \
    "$E$M | [.requested, .by_version[\"TLSv1.2\"].requested_source, (.by_version[\"TLSv1.2\"].required_evidence | startswith(\"without a certificate: handshake failed: \"))]" \
    '[false,"raw hello",true]'
  stop_last
fi
