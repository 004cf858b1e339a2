#!/usr/bin/env bash
# The http probe and the HTTP verdicts (12.2.1, 12.3.3, 12.3.1, 9.1.1) on servers that behave as
# real deployments do (tests/lab/mod_web2.sh, issue #11): a TLS 1.0-only HTTPS server, a "TLS"
# port that speaks only cleartext HTTP, redirects to another name or host, cleartext ports that
# never answer, answer garbage, send endless headers, and an HTTPS body without end. Unknown is
# never an upgrade and never a PASS. Every expectation was first checked by hand against the lab:
#   curl -s -D- -o /dev/null http://127.0.0.1:PORT/   WEB2_PLAIN: 200; WEB2_PLAIN_REDIRECT: 301 to
#       https://127.0.0.1:<WEB2>/; WEB2_TONAME: 301 to https://good.lab.test:<WEB2>/;
#       WEB2_CLEAR_OTHERHOST: 301 to http://www.elsewhere.lab.test/; WEB2_LOOP: 302 "Location:
#       /again" (relative); WEB2_GARBAGE: curl "Received HTTP/0.9 when not allowed"; WEB2_SILENT:
#       curl -m 3 times out; WEB2_ENDLESS: curl gives up after ~300 KB of headers;
#       WEB2_FILTERED: curl times out connecting (time_connect 0)
#   curl -sk -m 2 -D- https://127.0.0.1:<WEB2_SLOWBODY>/   200, HSTS max-age=31536000, chunked,
#       then times out reading the body
#   curl -sk https://127.0.0.1:<WEB2_TLS10>/           fails (OpenSSL 3: TLS 1.0 needs security
#       level 0); with --tlsv1.0 --ciphers DEFAULT:@SECLEVEL=0: 200 and HSTS (nginx), 200
#       "HTTP/1.0 200 ok" without HSTS (s_server -www on WEB2_TLS10_WWW and the core lab's legacy)
. "$(dirname "$0")/../lib.sh"

R=$LAB_PORT_WEB2_REFUSED   # http_port with no listener
H=.facts.http
NO_HSTS='{"present":false,"max_age":null,"max_age_ok":false,"include_subdomains":false,"preload":false,"raw":null,"valid":null,"error":null}'
HSTS_1Y='{"present":true,"max_age":31536000,"max_age_ok":true,"include_subdomains":false,"preload":false,"raw":"max-age=31536000","valid":true,"error":null}'
NEED='(HTTPS responses need HSTS with max-age >= 31536000)'

# tagged TAG: the jq selector of the one endpoint with that tag.
tagged() { printf '(.endpoints | map(select(.tags == ["%s"])) | if length == 1 then .[0] else error("\\(length) endpoints tagged %s") end)' "$1" "$1"; }
# v TAG ID EXPECTED_JSON: [result, evidence] of one verdict.
v() { assert_jq "$1: $2" "$TP_OUT" "$(tagged "$1") | .verdicts[] | select(.id == \"$2\") | [.result, .evidence]" "$3"; }

# ======== the "TLS" port speaks only cleartext HTTP: the plainest failure, exit 1 (not 3)
INV=$TEST_TMP/plain.yaml
cat > "$INV" <<EOF
targets:
  - { host: localhost, port: $LAB_PORT_WEB2_PLAIN, http_port: $R, tags: [plain] }
  - { host: localhost, port: $LAB_PORT_WEB2_PLAIN_REDIRECT, http_port: $R, tags: [plain_redirect] }
  - { host: localhost, port: $LAB_PORT_WEB2_PLAIN, http_port: $R, exposure: internal, tags: [plain_internal] }
EOF
tp plain --format json --standard all --level 3 -f "$INV"
assert_rc "plain: a cleartext-only port fails (exit 1), it is no probing error" 1
P=$LAB_PORT_WEB2_PLAIN
E=$(tagged plain)
assert_jq "plain: http facts, exactly" "$TP_OUT" "$E$H | del(.duration_ms)" \
  "{\"status\":\"ok\",\"applicable\":true,\"detected\":true,\"tls\":false,
    \"https\":{\"url\":\"https://localhost:$P/\",\"status\":null,\"status_line\":null,\"error\":\"no TLS version accepted\",\"hsts\":null},
    \"cleartext\":{\"port\":$R,\"url\":\"http://localhost:$R/\",\"listening\":false,\"upgrades\":null,\"chain\":[],
      \"final_status\":null,\"final_url\":null,\"not_followed\":null,\"error\":\"no listener on port $R: connection refused\"},
    \"cleartext_on_tls_port\":{\"url\":\"http://localhost:$P/\",\"status\":200,\"status_line\":\"HTTP/1.1 200 OK\",
      \"location\":null,\"serves_content\":true,\"error\":null}}"
v plain 12.2.1 "[\"FAIL\",\"cleartext HTTP served on port $P, no TLS (HTTP/1.1 200 OK)\"]"
v plain 9.1.1 "[\"FAIL\",\"cleartext HTTP served on port $P, no TLS (HTTP/1.1 200 OK)\"]"
v plain 12.3.1 "[\"FAIL\",\"cleartext HTTP served on port $P, no TLS (HTTP/1.1 200 OK)\"]"
v plain 12.1.1 "[\"FAIL\",\"no TLS: cleartext HTTP served on port $P\"]"
v plain 12.2.2 "[\"FAIL\",\"no TLS: cleartext HTTP served on port $P\"]"
v plain 9.1.3 "[\"FAIL\",\"no TLS: cleartext HTTP served on port $P\"]"
assert_jq "plain: no verdict is PASS or ERROR" "$TP_OUT" \
  "[$E.verdicts[].result | select(. == \"PASS\" or . == \"ERROR\")]" '[]'
assert_jq "plain: endpoint FAIL, no grade: no TLS" "$TP_OUT" "$E | [.result, .grade.grade, .grade.reason]" \
  "[\"FAIL\",null,\"no TLS: cleartext HTTP served on port $P\"]"
v plain_internal 12.3.3 "[\"FAIL\",\"cleartext HTTP served on port $P, no TLS (HTTP/1.1 200 OK)\"]"
v plain_internal 12.2.1 '["NOT_APPLICABLE","internal service: see 12.3.3"]'
# A port that only redirects to https in the clear is still a cleartext port, not a TLS one.
P=$LAB_PORT_WEB2_PLAIN_REDIRECT
E=$(tagged plain_redirect)
assert_jq "plain_redirect: no TLS, the cleartext 301 recorded" "$TP_OUT" \
  "$E$H | [.applicable, .detected, .tls, .https.error, .cleartext_on_tls_port]" \
  "[true,true,false,\"no TLS version accepted\",{\"url\":\"http://localhost:$P/\",\"status\":301,
    \"status_line\":\"HTTP/1.1 301 Moved Permanently\",\"location\":\"https://localhost:$LAB_PORT_WEB2/\",
    \"serves_content\":false,\"error\":null}]"
v plain_redirect 12.2.1 "[\"FAIL\",\"cleartext HTTP served on port $P, no TLS (HTTP/1.1 301 Moved Permanently)\"]"
v plain_redirect 12.1.1 "[\"FAIL\",\"no TLS: cleartext HTTP served on port $P\"]"
assert_jq "plain_redirect: endpoint FAIL" "$TP_OUT" "$E.result" '"FAIL"'

tp plain-text -f "$INV"
assert_file_contains "plain: the text report says the port has no TLS" "$TP_OUT" \
  "HTTP         NO TLS: the port answers cleartext HTTP (HTTP/1.1 200 OK); no cleartext listener on port $R; HSTS not observed (no TLS version accepted)"

# ======== everything else, one run
INV=$TEST_TMP/field.yaml
cat > "$INV" <<EOF
targets:
  - { host: localhost, port: $LAB_PORT_WEB2_TLS10, http_port: $R, tags: [tls10] }
  - { host: localhost, port: $LAB_PORT_WEB2_TLS10_WWW, http_port: $R, tags: [tls10_www] }
  - { host: localhost, port: $LAB_PORT_LEGACY, http_port: $R, tags: [legacy] }
  - { host: localhost, port: $LAB_PORT_WEB2_SLOWBODY, http_port: $R, tags: [slowbody] }
  - { host: 127.0.0.1, port: $LAB_PORT_WEB2, http_port: $LAB_PORT_WEB2_TONAME, tags: [toname] }
  - { host: localhost, port: $LAB_PORT_WEB2, http_port: $LAB_PORT_WEB2_CLEAR_OTHERHOST, tags: [clear_otherhost] }
  - { host: localhost, port: $LAB_PORT_WEB2, http_port: $LAB_PORT_WEB2_LOOP, tags: [loop] }
  - { host: localhost, port: $LAB_PORT_WEB2, http_port: $LAB_PORT_WEB2_SILENT, tags: [silent] }
  - { host: localhost, port: $LAB_PORT_WEB2, http_port: $LAB_PORT_WEB2_GARBAGE, tags: [garbage] }
  - { host: localhost, port: $LAB_PORT_WEB2, http_port: $LAB_PORT_WEB2_ENDLESS, tags: [endless] }
  - { host: localhost, port: $LAB_PORT_WEB2, http_port: $LAB_PORT_WEB2_HOSTILE, tags: [hostile] }
  - { host: localhost, port: $LAB_PORT_WEB2, http_port: $LAB_PORT_WEB2_FILTERED, tags: [filtered] }
  - { host: localhost, port: $LAB_PORT_WEB2, http_port: $LAB_PORT_WEB2_SILENT, exposure: internal, tags: [silent_internal] }
  - { host: localhost, port: $LAB_PORT_WEB2_GARBAGE, http_port: $R, tags: [neither] }
  - { host: localhost, port: $LAB_PORT_WEB2_TLSSILENT, http_port: $R, tags: [tlssilent] }
  - { host: 127.0.0.1, port: $LAB_PORT_WEB2_CLOSE444, http_port: $R, tags: [close444] }
EOF
tp field --format json --standard all --level 3 --ca-file "$LAB_CA" -f "$INV"
assert_rc "field: exit 3 (some cleartext answers are unknown: ERROR)" 3

# ---- TLS 1.0-only HTTPS: curl is let speak it (probing, not trusting), so HSTS is examined
P=$LAB_PORT_WEB2_TLS10
E=$(tagged tls10)
assert_jq "tls10 (nginx): detected, TLS 1.0 only, HSTS read" "$TP_OUT" \
  "$E | [.facts.versions.accepted, $H.applicable, $H.detected, $H.tls, $H.https.url, $H.https.status, $H.https.error, $H.https.hsts]" \
  "[[\"TLSv1.0\"],true,true,true,\"https://localhost:$P/\",200,null,$HSTS_1Y]"
v tls10 12.2.1 "[\"PASS\",\"no cleartext HTTP listener on port $R; HSTS max-age=31536000\"]"
E=$(tagged tls10_www)
assert_jq "tls10_www (s_server -www): detected, 200, no HSTS" "$TP_OUT" \
  "$E | [.facts.versions.accepted, $H.applicable, $H.detected, $H.https.status_line, $H.https.hsts]" \
  "[[\"TLSv1.0\"],true,true,\"HTTP/1.0 200 ok\",$NO_HSTS]"
v tls10_www 12.2.1 "[\"FAIL\",\"no cleartext HTTP listener on port $R, but there is no Strict-Transport-Security header $NEED\"]"
v tls10_www 12.3.1 "[\"PASS\",\"no cleartext HTTP listener on port $R\"]"
E=$(tagged legacy)
assert_jq "legacy (TLS 1.0 + 1.1, s_server -www): detected as HTTP" "$TP_OUT" \
  "$E | [.facts.versions.accepted, $H.applicable, $H.detected, $H.https.status, $H.https.hsts.present]" \
  '[["TLSv1.0","TLSv1.1"],true,true,200,false]'

# ---- an HTTPS body one byte at a time without end: status and headers are read, then we stop
E=$(tagged slowbody)
assert_jq "slowbody: headers read, HSTS seen, the body never waited for" "$TP_OUT" \
  "$E$H | [.applicable, .detected, .tls, .https.status, .https.status_line, .https.error, .https.hsts]" \
  "[true,true,true,200,\"HTTP/1.1 200 OK\",null,$HSTS_1Y]"
v slowbody 12.2.1 "[\"PASS\",\"no cleartext HTTP listener on port $R; HSTS max-age=31536000\"]"

# ---- http://ADDRESS -> https://NAME: an upgrade, whatever the host
P=$LAB_PORT_WEB2 Q=$LAB_PORT_WEB2_TONAME
E=$(tagged toname)
assert_jq "toname: 301 to https on another name upgrades" "$TP_OUT" "$E$H.cleartext" \
  "{\"port\":$Q,\"url\":\"http://127.0.0.1:$Q/\",\"listening\":true,\"upgrades\":true,
    \"chain\":[{\"url\":\"http://127.0.0.1:$Q/\",\"status\":301,\"status_line\":\"HTTP/1.1 301 Moved Permanently\",
      \"location\":\"https://good.lab.test:$P/\"}],
    \"final_status\":301,\"final_url\":\"https://good.lab.test:$P/\",\"not_followed\":null,\"error\":null}"
v toname 12.2.1 "[\"PASS\",\"cleartext HTTP on port $Q redirects to HTTPS; HSTS max-age=31536000\"]"

# ---- a cleartext hop to another host: never contacted, so unknown: MANUAL, not PASS
Q=$LAB_PORT_WEB2_CLEAR_OTHERHOST
E=$(tagged clear_otherhost)
assert_jq "clear_otherhost: not followed, upgrade unknown" "$TP_OUT" \
  "$E$H.cleartext | [.listening, .upgrades, (.chain | length), .final_status, .final_url, .not_followed, .error]" \
  "[true,null,1,301,null,\"http://www.elsewhere.lab.test/\",\"redirect over cleartext to another host (www.elsewhere.lab.test), not followed: tlsprobe connects only to the endpoint's address\"]"
MANUAL_OTHER="[\"MANUAL\",\"cleartext HTTP on port $Q redirects to http://www.elsewhere.lab.test/, another host tlsprobe does not contact: check that it leads to https://\"]"
v clear_otherhost 12.2.1 "$MANUAL_OTHER"
v clear_otherhost 9.1.1 "$MANUAL_OTHER"

# ---- a redirect loop (relative Location, resolved against each request): unknown, ERROR
Q=$LAB_PORT_WEB2_LOOP
E=$(tagged loop)
assert_jq "loop: 11 hops followed, then given up" "$TP_OUT" \
  "$E$H.cleartext | [.listening, .upgrades, (.chain | length), .chain[0].location, .chain[1].url, .chain[10].url, .final_url, .error]" \
  "[true,null,11,\"/again\",\"http://localhost:$Q/again\",\"http://localhost:$Q/again\",null,\"more than 10 redirects without reaching https\"]"
v loop 12.2.1 "[\"ERROR\",\"cleartext HTTP on port $Q, upgrade to HTTPS unknown: more than 10 redirects without reaching https\"]"

# ---- cleartext ports that accept and then never answer, answer garbage, or never end headers
for case in silent:SILENT:"no response within 3 s" garbage:GARBAGE:"the answer is not HTTP" \
            endless:ENDLESS:"response headers larger than 32768 bytes"; do
  tag=${case%%:*} rest=${case#*:}; var=LAB_PORT_WEB2_${rest%%:*}; why=${rest#*:}
  Q=${!var}
  E=$(tagged "$tag")
  assert_jq "$tag: listening, upgrade unknown, the reason kept" "$TP_OUT" \
    "$E$H.cleartext | [.listening, .upgrades, .chain, .final_status, .final_url, .not_followed, .error]" \
    "[true,null,[],null,null,null,\"http://localhost:$Q/: $why\"]"
  v "$tag" 12.2.1 "[\"ERROR\",\"cleartext HTTP on port $Q, upgrade to HTTPS unknown: http://localhost:$Q/: $why\"]"
  v "$tag" 9.1.1 "[\"ERROR\",\"cleartext HTTP on port $Q, upgrade to HTTPS unknown: http://localhost:$Q/: $why\"]"
done
v silent_internal 12.3.3 "[\"ERROR\",\"cleartext HTTP on port $LAB_PORT_WEB2_SILENT, upgrade to HTTPS unknown: http://localhost:$LAB_PORT_WEB2_SILENT/: no response within 3 s\"]"
assert_jq "silent: the endpoint is ERROR, not PASS" "$TP_OUT" "$(tagged silent).result" '"ERROR"'

# ---- a cleartext port that neither refuses nor accepts (a dropping firewall): cannot tell
Q=$LAB_PORT_WEB2_FILTERED
E=$(tagged filtered)
assert_jq "filtered: listening unknown, not false" "$TP_OUT" \
  "$E$H.cleartext | [.listening, .upgrades, .chain, .final_status, .error]" \
  "[null,null,[],null,\"port $Q: no connection within 3 s (filtered, or too slow to accept)\"]"
v filtered 12.2.1 "[\"MANUAL\",\"cleartext HTTP on port $Q unknown: port $Q: no connection within 3 s (filtered, or too slow to accept)\"]"

# ---- terminal escapes and bytes that are not UTF-8 from the server: escaped in every report
Q=$LAB_PORT_WEB2_HOSTILE
E=$(tagged hostile)
assert_jq "hostile: status line and Location escaped, not followed" "$TP_OUT" "$E$H.cleartext | [.upgrades, .chain, .error]" \
  "[false,[{\"url\":\"http://localhost:$Q/\",\"status\":301,\"status_line\":\"HTTP/1.1 301 Moved \\\\x1b[31mred\\\\xff\",
     \"location\":\"http://evil\\\\x1b[2J.test/\\\\xc3(\"}],\"redirect to a Location that is not an http(s) URL\"]"
v hostile 12.2.1 "[\"FAIL\",\"cleartext HTTP on port $Q does not upgrade to HTTPS (http://localhost:$Q/: 301 -> http://evil\\\\x1b[2J.test/\\\\xc3()\"]"

# ---- neither TLS nor HTTP on an unknown port: not a web endpoint
assert_jq "neither: not applicable, with the reason" "$TP_OUT" "$(tagged neither)$H | del(.duration_ms)" \
  '{"status":"ok","applicable":false,"detected":false,"reason":"no TLS version accepted, and no HTTP answer in cleartext: the answer is not HTTP; over TLS: no TLS version accepted"}'

# ---- TLS, then no HTTP answer within the timeout (a slow web server): whether it is a web
# endpoint is unknown, never "not HTTP": 12.2.1 ERROR, and no A+ (HSTS not examined)
E=$(tagged tlssilent)
assert_jq "tlssilent: applicability unknown, not a TLS failure" "$TP_OUT" \
  "$E$H | [.status, .applicable, .detected, .tls_handshake_failed, .reason]" \
  "[\"ok\",null,false,false,\"whether the TLS port answers HTTP is unknown: no response within 3 s\"]"
v tlssilent 12.2.1 "[\"ERROR\",\"whether this is an HTTP service is unknown: whether the TLS port answers HTTP is unknown: no response within 3 s\"]"
assert_jq "tlssilent: no A+ while HSTS is unexamined" "$TP_OUT" "$E.grade | (.grade != \"A+\")" 'true'

# ---- a web server that closes without a reply (nginx `return 444`): that proves nothing about
# HTTP, so 12.2.1 is ERROR (never NOT_APPLICABLE), and HSTS unexamined is no A+
E=$(tagged close444)
assert_jq "close444: applicability unknown, TLS fine" "$TP_OUT" \
  "$E$H | [.status, .applicable, .detected, .tls_handshake_failed]" '["ok",null,false,false]'
assert_jq "close444: 12.2.1 ERROR" "$TP_OUT" "$E | [.verdicts[] | select(.id == \"12.2.1\") | .result]" '["ERROR"]'
assert_jq "close444: no A+ while HSTS is unexamined" "$TP_OUT" "$E.grade | (.grade != \"A+\")" 'true'

tp field-text --standard all --ca-file "$LAB_CA" -f "$INV"
if LC_ALL=C grep -q $'\x1b' "$TP_OUT"; then
  not_ok "hostile: no terminal escape reaches the text report" "$(LC_ALL=C grep -a -m1 $'\x1b' "$TP_OUT" | cat -v)"
else
  ok "hostile: no terminal escape reaches the text report"
fi
assert_file_contains "silent: the text report says the upgrade is unknown" "$TP_OUT" \
  "cleartext port $LAB_PORT_WEB2_SILENT: upgrade to HTTPS unknown (http://localhost:$LAB_PORT_WEB2_SILENT/: no response within 3 s)"

# ---- an https:// service whose port speaks neither TLS nor HTTP: applicable by its scheme,
# HSTS unknown: ERROR (its cleartext port is 80, whatever is there)
T="https://localhost:$LAB_PORT_WEB2_GARBAGE/"
tp scheme --format json "$T"
E=$(ep "$T")
assert_jq "https:// on a garbage port: applicable, no TLS, no HTTP answer" "$TP_OUT" \
  "$E$H | [.applicable, .detected, .tls, .https.error, .cleartext_on_tls_port.status, .cleartext_on_tls_port.serves_content, .cleartext_on_tls_port.error]" \
  '[true,false,false,"no TLS version accepted",null,false,"the answer is not HTTP"]'
assert_jq "https:// on a garbage port: 12.2.1 ERROR, HSTS not observed" "$TP_OUT" \
  "$E.verdicts[] | select(.id == \"12.2.1\") | [.result, (.evidence | startswith(\"HSTS not observed: no TLS version accepted\"))]" \
  '["ERROR",true]'
