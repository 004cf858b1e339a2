#!/usr/bin/env bash
# The mtls probe against tests/lab/mod_web.sh: nginx ssl_verify_client on / optional /
# optional_no_ca and openssl s_server -Verify 1 -verify_return_error. Every expectation was
# first checked by hand against the lab, for TLS 1.2 and 1.3 each (U = a fresh self-signed
# pair from `openssl req -x509 -newkey ec`, L = $LAB_WEB_CLIENT_CERT/KEY):
#   curl -sk --tlsv1.X --tls-max 1.X [--cert C --key K] https://localhost:PORT/  (status, <title>)
#     on:             none 400 "No required SSL certificate was sent"; U 400 "The SSL certificate
#                     error"; L 200          (nginx completes the handshake and refuses in HTTP)
#     optional:       none 200; U 400 "The SSL certificate error"; L 200
#     optional_no_ca: none 200; U 200; L 200
#     strict:         TLS 1.2 none/U: handshake alert handshake_failure(40) / unknown_ca(48);
#                     TLS 1.3 none: alert certificate_required(116) after the handshake
#                     (openssl s_client -tls1_3: "tlsv13 alert certificate required");
#                     L 200
#   openssl s_client -connect 127.0.0.1:PORT -tls1_2: "Acceptable client certificate CA names:
#     O = tlsprobe lab, CN = tlsprobe lab root CA" (on, optional, strict); optional_no_ca: "No
#     client certificate CA names sent"; web_hsts: no CertificateRequest.
. "$(dirname "$0")/../lib.sh"

# A self-signed client pair no CA knows, for the configured-certificate cases.
OPENSSL_CONF=/dev/null openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj "/CN=tlsprobe test untrusted" -keyout "$TEST_TMP/untrusted.key" -out "$TEST_TMP/untrusted.pem" 2>/dev/null
FREE=$LAB_PORT_WEB_SHORTHSTS_HTTP   # http_port with no listener: keeps the http probe on the lab's ports
INV=$TEST_TMP/mtls.yaml
cat > "$INV" <<EOF
targets:
  - { host: localhost, port: $LAB_PORT_MTLS_ON, http_port: $FREE }
  - { host: localhost, port: $LAB_PORT_MTLS_OPTIONAL, http_port: $FREE }
  - { host: localhost, port: $LAB_PORT_MTLS_OPTIONAL_NO_CA, http_port: $FREE }
  - { host: localhost, port: $LAB_PORT_MTLS_STRICT, http_port: $FREE }
  - { host: localhost, port: $LAB_PORT_WEB_HSTS, http_port: $LAB_PORT_WEB_HSTS_HTTP }
  - { host: 127.0.0.1, port: $LAB_PORT_MTLS_ON, http_port: $FREE,
      client_cert: $LAB_WEB_CLIENT_CERT, client_key: $LAB_WEB_CLIENT_KEY }
  - { host: 127.0.0.1, port: $LAB_PORT_MTLS_STRICT, http_port: $FREE,
      client_cert: $LAB_WEB_CLIENT_CERT, client_key: $LAB_WEB_CLIENT_KEY }
  - { host: 127.0.0.1, port: $LAB_PORT_MTLS_OPTIONAL, http_port: $FREE,
      client_cert: $TEST_TMP/untrusted.pem, client_key: $TEST_TMP/untrusted.key }
  - { host: 127.0.0.1, port: $LAB_PORT_MTLS_OPTIONAL_NO_CA, http_port: $FREE,
      client_cert: $TEST_TMP/untrusted.pem, client_key: $TEST_TMP/untrusted.key }
  - { host: 127.0.0.1, port: $LAB_PORT_WEB_HSTS, http_port: $LAB_PORT_WEB_HSTS_HTTP,
      client_cert: $LAB_WEB_CLIENT_CERT, client_key: $LAB_WEB_CLIENT_KEY }
EOF
tp mtls --format json --ca-file "$LAB_CA" -f "$INV"
M=.facts.mtls
ROOT='["CN=tlsprobe lab root CA,O=tlsprobe lab"]'
TOP='[.status, .requested, .required, .accepts_untrusted, .ca_names, .configured_cert]'
BOTH='["TLSv1.3","TLSv1.2"]'

# ---- nginx ssl_verify_client on: refuses in HTTP (400) without a certificate or with an untrusted one
E=$(ep "localhost:$LAB_PORT_MTLS_ON")
assert_jq "on: requested, required, untrusted refused, root CA named" "$TP_OUT" "$E$M | $TOP" "[\"ok\",true,true,false,$ROOT,null]"
assert_jq "on: both versions tested" "$TP_OUT" "$E$M.by_version | keys_unsorted" "$BOTH"
assert_jq "on: no hello dropped" "$TP_OUT" "$E$M.dropped_hellos" 0
assert_jq "on: TLS 1.2 request seen in the raw first flight" "$TP_OUT" \
  "$E$M.by_version[\"TLSv1.2\"] | [.requested, .requested_source]" '[true,"raw hello"]'
assert_jq "on: TLS 1.3 request seen through the handshake" "$TP_OUT" \
  "$E$M.by_version[\"TLSv1.3\"] | [.requested, .requested_source]" '[true,"handshake"]'
assert_jq "on: evidence per version" "$TP_OUT" "[$E$M.by_version[] | .required_evidence, .untrusted_evidence] | unique" \
  '["self-signed certificate: handshake completed; HTTP 400 (400 The SSL certificate error)",
    "without a certificate: handshake completed; HTTP 400 (400 No required SSL certificate was sent)"]'

# ---- optional: lets anonymous clients in, refuses an untrusted certificate (400 after the handshake)
E=$(ep "localhost:$LAB_PORT_MTLS_OPTIONAL")
assert_jq "optional: requested, not required, untrusted refused" "$TP_OUT" "$E$M | $TOP" "[\"ok\",true,false,false,$ROOT,null]"
assert_jq "optional: per version" "$TP_OUT" "[$E$M.by_version[] | [.requested, .required, .accepts_untrusted]]" \
  '[[true,false,false],[true,false,false]]'
assert_jq "optional: the untrusted certificate's refusal is the evidence" "$TP_OUT" \
  "[$E$M.by_version[].untrusted_evidence] | unique" \
  '["self-signed certificate: handshake completed; HTTP 400 (400 The SSL certificate error)"]'

# ---- optional_no_ca: takes any certificate (the 12.1.3 failure); names no CA
E=$(ep "localhost:$LAB_PORT_MTLS_OPTIONAL_NO_CA")
assert_jq "optional_no_ca: requested, not required, accepts untrusted, no CA names" "$TP_OUT" "$E$M | $TOP" \
  '["ok",true,false,true,[],null]'
assert_jq "optional_no_ca: untrusted let in, per version" "$TP_OUT" "[$E$M.by_version[] | .accepts_untrusted, .untrusted_evidence]" \
  '[true,"self-signed certificate: handshake completed; HTTP 200 (HTTP/1.1 200 OK)",
    true,"self-signed certificate: handshake completed; HTTP 200 (HTTP/1.1 200 OK)"]'

# ---- s_server -Verify: refuses in the TLS 1.2 handshake, right after the TLS 1.3 one
E=$(ep "localhost:$LAB_PORT_MTLS_STRICT")
assert_jq "strict: requested, required, untrusted refused" "$TP_OUT" "$E$M | $TOP" "[\"ok\",true,true,false,$ROOT,null]"
assert_jq "strict: TLS 1.3 refusal is an alert after the handshake" "$TP_OUT" \
  "$E$M.by_version[\"TLSv1.3\"] | [.required_evidence, .untrusted_evidence]" \
  '["without a certificate: alert certificate_required(116) after the handshake",
    "self-signed certificate: alert unknown_ca(48) after the handshake"]'
assert_jq "strict: TLS 1.2 refusal is in the handshake" "$TP_OUT" \
  "$E$M.by_version[\"TLSv1.2\"] | [.required_evidence, .untrusted_evidence]" \
  '["without a certificate: handshake failed: sslv3 alert handshake failure; alert received: handshake failure (40)",
    "self-signed certificate: handshake failed: tlsv1 alert unknown ca; alert received: unknown CA (48)"]'

# ---- a server that never asks
E=$(ep "localhost:$LAB_PORT_WEB_HSTS")
assert_jq "no mTLS: not requested, not required, untrusted not applicable" "$TP_OUT" "$E$M | $TOP" '["ok",false,false,null,[],null]'
assert_jq "no mTLS: neither version requests (raw TLS 1.2, handshake TLS 1.3)" "$TP_OUT" \
  "[$E$M.by_version[] | [.requested, .requested_source]]" '[[false,"handshake"],[false,"raw hello"]]'

# ---- configured certificates
LAB_CERT_FACTS="{\"file\":\"$LAB_WEB_CLIENT_CERT\",\"accepted\":true,\"error\":null}"
E=$(ep "127.0.0.1:$LAB_PORT_MTLS_ON")
assert_jq "on + lab certificate: accepted" "$TP_OUT" "$E$M.configured_cert" "$LAB_CERT_FACTS"
assert_jq "on + lab certificate: evidence per version" "$TP_OUT" "[$E$M.by_version[] | .configured_accepted, .configured_evidence]" \
  '[true,"configured certificate: handshake completed; HTTP 200 (HTTP/1.1 200 OK)",
    true,"configured certificate: handshake completed; HTTP 200 (HTTP/1.1 200 OK)"]'
assert_jq "on + lab certificate: the certificate probe presents it" "$TP_OUT" "$E.facts.certificate.status" '"ok"'
assert_jq "on + lab certificate: the http probe presents it (200, not 400)" "$TP_OUT" "$E.facts.http.https.status" '200'
E=$(ep "127.0.0.1:$LAB_PORT_MTLS_STRICT")
assert_jq "strict + lab certificate: accepted" "$TP_OUT" "$E$M.configured_cert" "$LAB_CERT_FACTS"
E=$(ep "127.0.0.1:$LAB_PORT_MTLS_OPTIONAL")
assert_jq "optional + untrusted configured certificate: refused with evidence" "$TP_OUT" "$E$M.configured_cert" \
  "{\"file\":\"$TEST_TMP/untrusted.pem\",\"accepted\":false,
    \"error\":\"configured certificate: handshake completed; HTTP 400 (400 The SSL certificate error)\"}"
E=$(ep "127.0.0.1:$LAB_PORT_MTLS_OPTIONAL_NO_CA")
assert_jq "optional_no_ca + untrusted configured certificate: accepted" "$TP_OUT" "$E$M.configured_cert.accepted" 'true'
E=$(ep "127.0.0.1:$LAB_PORT_WEB_HSTS")
assert_jq "no mTLS + configured certificate: never asked for" "$TP_OUT" "$E$M.configured_cert" \
  "{\"file\":\"$LAB_WEB_CLIENT_CERT\",\"accepted\":null,\"error\":\"the server did not request a client certificate\"}"
