#!/usr/bin/env bash
# The http probe (HSTS, cleartext HTTP on the http port and on the TLS port) against the nginx
# servers of tests/lab/mod_web.sh. Every expectation was first checked by hand against the lab:
#   curl -sk -D- -o /dev/null https://localhost:PORT/          status and Strict-Transport-Security
#   curl -s -D- -o /dev/null --max-redirs 0 http://localhost:HTTP_PORT/[step|plain]
#                                                              each hop's status line and Location;
#                                                              WEB_SHORTHSTS_HTTP: connection refused
#   curl -s -D- http://localhost:TLS_PORT/                     nginx: 400 "The plain HTTP request
#                                                              was sent to HTTPS port"
#   openssl s_server -www (mtls_strict) gets cleartext HTTP as a broken TLS record and closes:
#   curl says "Empty reply from server".
. "$(dirname "$0")/../lib.sh"

INV=$TEST_TMP/web.yaml
cat > "$INV" <<EOF
targets:
  - { host: localhost, port: $LAB_PORT_WEB_HSTS, http_port: $LAB_PORT_WEB_HSTS_HTTP }
  - { host: localhost, port: $LAB_PORT_WEB_NOHSTS, http_port: $LAB_PORT_WEB_NOHSTS_HTTP }
  - { host: localhost, port: $LAB_PORT_WEB_BADHSTS, http_port: $LAB_PORT_WEB_BADHSTS_HTTP }
  - { host: localhost, port: $LAB_PORT_WEB_SHORTHSTS, http_port: $LAB_PORT_WEB_SHORTHSTS_HTTP }
  - { host: localhost, port: $LAB_PORT_WEB_CHAIN, http_port: $LAB_PORT_WEB_CHAIN_HTTP }
  - { host: localhost, port: $LAB_PORT_WEB_OTHERHOST, http_port: $LAB_PORT_WEB_OTHERHOST_HTTP }
  - { host: 127.0.0.1, port: $LAB_PORT_WEB_HSTS, http_port: $LAB_PORT_WEB_HSTS_HTTP }
  - { host: localhost, port: $LAB_PORT_MTLS_STRICT, http_port: $LAB_PORT_WEB_SHORTHSTS_HTTP }
  - { host: 127.0.0.1, port: $LAB_PORT_MTLS_STRICT, http_port: $LAB_PORT_WEB_SHORTHSTS_HTTP,
      client_cert: $LAB_WEB_CLIENT_CERT, client_key: $LAB_WEB_CLIENT_KEY }
EOF
tp web --format json --ca-file "$LAB_CA" -f "$INV"
H=.facts.http
NGINX_400='{"status":400,"status_line":"HTTP/1.1 400 Bad Request","location":null,"serves_content":false,"error":null}'
NO_HSTS='{"present":false,"max_age":null,"max_age_ok":false,"include_subdomains":false,"preload":false,"raw":null,"valid":null,"error":null}'

# ---- web_hsts: full HSTS, cleartext 301 straight to https on the same host
P=$LAB_PORT_WEB_HSTS Q=$LAB_PORT_WEB_HSTS_HTTP
E=$(ep "localhost:$P")
assert_jq "hsts: probe ok, applicable, detected on an unknown port, speaks TLS" "$TP_OUT" \
  "$E$H | [.status, .applicable, .detected, .tls]" '["ok",true,true,true]'
assert_jq "hsts: https status 200" "$TP_OUT" "$E$H.https | [.url, .status, .error]" "[\"https://localhost:$P/\",200,null]"
assert_jq "hsts: header parsed" "$TP_OUT" "$E$H.https.hsts" \
  '{"present":true,"max_age":63072000,"max_age_ok":true,"include_subdomains":true,"preload":true,
    "raw":"max-age=63072000; includeSubDomains; preload","valid":true,"error":null}'
assert_jq "hsts: cleartext listens and upgrades" "$TP_OUT" \
  "$E$H.cleartext | [.port, .url, .listening, .upgrades, .final_status, .final_url, .error]" \
  "[$Q,\"http://localhost:$Q/\",true,true,301,\"https://localhost:$P/\",null]"
assert_jq "hsts: chain is one 301 hop with its Location" "$TP_OUT" "$E$H.cleartext.chain" \
  "[{\"url\":\"http://localhost:$Q/\",\"status\":301,\"status_line\":\"HTTP/1.1 301 Moved Permanently\",\"location\":\"https://localhost:$P/\"}]"
assert_jq "hsts: cleartext on the TLS port is nginx's 400, not content" "$TP_OUT" \
  "$E$H.cleartext_on_tls_port | del(.url)" "$NGINX_400"
assert_jq "hsts: cleartext on the TLS port URL" "$TP_OUT" "$E$H.cleartext_on_tls_port.url" "\"http://localhost:$P/\""

# An IP-literal target: no SNI, Host is the address, and the redirect to https://127.0.0.1 is
# the same host.
E=$(ep "127.0.0.1:$P")
assert_jq "hsts by address: upgrades to https://127.0.0.1" "$TP_OUT" \
  "$E$H.cleartext | [.url, .upgrades, .final_url]" "[\"http://127.0.0.1:$Q/\",true,\"https://127.0.0.1:$P/\"]"
assert_jq "hsts by address: HSTS seen" "$TP_OUT" "$E$H.https.hsts | [.valid, .max_age]" '[true,63072000]'

# ---- web_nohsts: no HSTS, cleartext content (200)
P=$LAB_PORT_WEB_NOHSTS Q=$LAB_PORT_WEB_NOHSTS_HTTP
E=$(ep "localhost:$P")
assert_jq "nohsts: https 200 without HSTS" "$TP_OUT" "$E$H.https | [.status, .hsts]" "[200,$NO_HSTS]"
assert_jq "nohsts: cleartext serves content, does not upgrade" "$TP_OUT" \
  "$E$H.cleartext | [.listening, .upgrades, .final_status, .final_url, .error]" \
  '[true,false,200,null,"served over cleartext: HTTP/1.1 200 OK"]'
assert_jq "nohsts: evidence is the 200 status line" "$TP_OUT" "$E$H.cleartext.chain" \
  "[{\"url\":\"http://localhost:$Q/\",\"status\":200,\"status_line\":\"HTTP/1.1 200 OK\",\"location\":null}]"
assert_jq "nohsts: cleartext on the TLS port is nginx's 400" "$TP_OUT" "$E$H.cleartext_on_tls_port | del(.url)" "$NGINX_400"

# ---- web_badhsts: malformed HSTS; cleartext redirects to another cleartext URL serving content
P=$LAB_PORT_WEB_BADHSTS Q=$LAB_PORT_WEB_BADHSTS_HTTP
E=$(ep "localhost:$P")
assert_jq "badhsts: malformed header reported" "$TP_OUT" "$E$H.https.hsts" \
  '{"present":true,"max_age":null,"max_age_ok":false,"include_subdomains":false,"preload":false,
    "raw":"max-age=abc","valid":false,"error":"max-age value '"'abc'"' is not a number of seconds"}'
assert_jq "badhsts: cleartext redirect to cleartext does not upgrade" "$TP_OUT" \
  "$E$H.cleartext | [.listening, .upgrades, .final_status, .error]" \
  '[true,false,200,"served over cleartext: HTTP/1.1 200 OK"]'
assert_jq "badhsts: both hops recorded (302 then 200)" "$TP_OUT" "$E$H.cleartext.chain" \
  "[{\"url\":\"http://localhost:$Q/\",\"status\":302,\"status_line\":\"HTTP/1.1 302 Moved Temporarily\",\"location\":\"http://localhost:$Q/plain\"},
    {\"url\":\"http://localhost:$Q/plain\",\"status\":200,\"status_line\":\"HTTP/1.1 200 OK\",\"location\":null}]"

# ---- web_shorthsts: max-age 300 (valid, too short); nothing listens on its http port
P=$LAB_PORT_WEB_SHORTHSTS Q=$LAB_PORT_WEB_SHORTHSTS_HTTP
E=$(ep "localhost:$P")
assert_jq "shorthsts: max-age 300 valid but not ok" "$TP_OUT" \
  "$E$H.https.hsts | [.present, .max_age, .max_age_ok, .valid, .include_subdomains, .preload, .error]" \
  '[true,300,false,true,false,false,null]'
assert_jq "shorthsts: no cleartext listener" "$TP_OUT" \
  "$E$H.cleartext | [.port, .listening, .upgrades, .chain, .final_status]" "[$Q,false,null,[],null]"
assert_jq "shorthsts: the refusal is the evidence" "$TP_OUT" "$E$H.cleartext.error" \
  "\"no listener on port $Q: connection refused\""

# ---- web_chain: 302 to a cleartext path on the same host, then 308 to https: upgrades
P=$LAB_PORT_WEB_CHAIN Q=$LAB_PORT_WEB_CHAIN_HTTP
E=$(ep "localhost:$P")
assert_jq "chain: two hops end on https for the same host" "$TP_OUT" \
  "$E$H.cleartext | [.upgrades, .final_status, .final_url, .error, [.chain[] | [.url, .status, .location]]]" \
  "[true,308,\"https://localhost:$P/\",null,[[\"http://localhost:$Q/\",302,\"http://localhost:$Q/step\"],[\"http://localhost:$Q/step\",308,\"https://localhost:$P/\"]]]"

# ---- web_otherhost: 301 to https on another host (as www redirects do): the chain ends on
# https://, an upgrade whatever the host; the other host is never contacted (one hop)
P=$LAB_PORT_WEB_OTHERHOST Q=$LAB_PORT_WEB_OTHERHOST_HTTP
E=$(ep "localhost:$P")
assert_jq "otherhost: redirect to https on another host upgrades" "$TP_OUT" \
  "$E$H.cleartext | [.upgrades, .final_status, .final_url, .not_followed, .error, (.chain | length), .chain[0].location]" \
  '[true,301,"https://elsewhere.lab.test/",null,null,1,"https://elsewhere.lab.test/"]'

# ---- a TLS port whose HTTP cannot be seen (s_server -Verify refuses us in TLS): unknown, never
# "not HTTP" (that it would answer HTTP with a client certificate is shown just below)
P=$LAB_PORT_MTLS_STRICT
E=$(ep "localhost:$P")
assert_jq "no HTTP past TLS on an unknown port: applicability unknown, TLS failed" "$TP_OUT" \
  "$E$H | [.status, .applicable, .detected, .tls_handshake_failed, (.reason | startswith(\"whether the TLS port answers HTTP is unknown: \")), .https]" \
  '["ok",null,false,true,true,null]'
# The same server with the lab client certificate answers (s_server -www): detected, and
# cleartext on its TLS port gets no HTTP at all.
E=$(ep "127.0.0.1:$P")
assert_jq "with the client certificate: detected, https 200" "$TP_OUT" \
  "$E$H | [.applicable, .detected, .https.status, .https.status_line]" '[true,true,200,"HTTP/1.0 200 ok"]'
assert_jq "s_server: cleartext on the TLS port gets no HTTP" "$TP_OUT" \
  "$E$H.cleartext_on_tls_port | [.status, .serves_content, .error]" '[null,false,"Empty reply from server"]'

# ---- verdicts: 12.2.1 needs a valid HSTS header of at least a year on the HTTPS response,
# with or without a cleartext listener; a redirect chain ending on https:// upgrades, whatever
# the host
v121() { assert_jq "$1: 12.2.1 $3" "$TP_OUT" "$(ep "$2") | .verdicts[] | select(.id == \"12.2.1\") | [.result, .evidence]" "$4"; }
v121 hsts "localhost:$LAB_PORT_WEB_HSTS" PASS \
  "[\"PASS\",\"cleartext HTTP on port $LAB_PORT_WEB_HSTS_HTTP redirects to HTTPS; HSTS max-age=63072000\"]"
v121 nohsts "localhost:$LAB_PORT_WEB_NOHSTS" FAIL \
  "[\"FAIL\",\"cleartext HTTP on port $LAB_PORT_WEB_NOHSTS_HTTP does not upgrade to HTTPS (http://localhost:$LAB_PORT_WEB_NOHSTS_HTTP/: 200); there is no Strict-Transport-Security header (HTTPS responses need HSTS with max-age >= 31536000)\"]"
v121 badhsts "localhost:$LAB_PORT_WEB_BADHSTS" FAIL \
  "[\"FAIL\",\"cleartext HTTP on port $LAB_PORT_WEB_BADHSTS_HTTP does not upgrade to HTTPS (http://localhost:$LAB_PORT_WEB_BADHSTS_HTTP/plain: 200); the Strict-Transport-Security header is malformed (max-age=abc: max-age value 'abc' is not a number of seconds) (HTTPS responses need HSTS with max-age >= 31536000)\"]"
v121 "shorthsts (no cleartext listener)" "localhost:$LAB_PORT_WEB_SHORTHSTS" FAIL \
  "[\"FAIL\",\"no cleartext HTTP listener on port $LAB_PORT_WEB_SHORTHSTS_HTTP, but HSTS max-age=300 is under one year (HTTPS responses need HSTS with max-age >= 31536000)\"]"
v121 chain "localhost:$LAB_PORT_WEB_CHAIN" PASS \
  "[\"PASS\",\"cleartext HTTP on port $LAB_PORT_WEB_CHAIN_HTTP redirects to HTTPS; HSTS max-age=31536000\"]"
v121 otherhost "localhost:$LAB_PORT_WEB_OTHERHOST" PASS \
  "[\"PASS\",\"cleartext HTTP on port $LAB_PORT_WEB_OTHERHOST_HTTP redirects to HTTPS; HSTS max-age=31536000\"]"
assert_jq "HTTP unseen past TLS: 12.2.1 MANUAL, saying why and what to do" "$TP_OUT" \
  "$(ep "localhost:$LAB_PORT_MTLS_STRICT") | .verdicts[] | select(.id == \"12.2.1\") | [.result, (.evidence | endswith(\"(no HTTPS request got past TLS: check HTTP by hand, or give the target's client_cert if it requires one)\"))]" \
  '["MANUAL",true]'

# ---- an https:// target is HTTPS by its scheme, not by detection
T="https://localhost:$LAB_PORT_WEB_SHORTHSTS/"
tp scheme --format json --ca-file "$LAB_CA" "$T"
E=$(ep "$T")
assert_jq "https:// target: applicable, not detected" "$TP_OUT" "$E$H | [.applicable, .detected, .https.status]" '[true,false,200]'
assert_jq "https:// target: cleartext defaults to port 80" "$TP_OUT" "$E$H.cleartext | [.port, .url]" '[80,"http://localhost/"]'
