#!/usr/bin/env bash
# The versions probe against every lab server: exactly which protocol versions each accepts.
. "$(dirname "$0")/../lib.sh"

ALL_NAMES='["SSLv2","SSLv3","TLSv1.0","TLSv1.1","TLSv1.2","TLSv1.3"]'
SSL3_SUITES='["TLS_RSA_WITH_3DES_EDE_CBC_SHA","TLS_RSA_WITH_RC4_128_SHA","TLS_RSA_WITH_RC4_128_MD5","TLS_RSA_WITH_AES_128_CBC_SHA"]'

# check_versions LABEL PORT ACCEPTED_JSON PREFERRED_JSON
check_versions() {
  local label=$1 port=$2 accepted=$3 preferred=$4
  local t="localhost:$port"
  tp "$label" --format json --ca-file "$LAB_CA" "$t"
  local e; e=$(ep "$t")
  assert_jq "$label: endpoint status ok" "$TP_OUT" "$e.status" '"ok"'
  assert_jq "$label: host, port, sni, address, origin, tags" "$TP_OUT" \
    "$e | [.host, .port, .sni, .address, .origin, .tags]" '["localhost",'"$port"',"localhost","127.0.0.1","command line",[]]'
  assert_jq "$label: versions probe status ok" "$TP_OUT" "$e.facts.versions.status" '"ok"'
  assert_jq "$label: six protocols in order" "$TP_OUT" "[$e.facts.versions.protocols[].name]" "$ALL_NAMES"
  assert_jq "$label: accepted" "$TP_OUT" "$e.facts.versions.accepted" "$accepted"
  assert_jq "$label: accepted list agrees with protocols[].accepted" "$TP_OUT" \
    "[$e.facts.versions.protocols[] | select(.accepted == true) | .name]" "$accepted"
  assert_jq "$label: every accepted version has result \"accepted\" and a cipher" "$TP_OUT" \
    "[$e.facts.versions.protocols[] | select(.accepted == true) | [.result, (.cipher | type)]] | unique" \
    "$(jq -c 'if length == 0 then [] else [["accepted","string"]] end' <<<"$accepted")"
  assert_jq "$label: no refused version claims \"accepted\"" "$TP_OUT" \
    "[$e.facts.versions.protocols[] | select(.accepted == false) | .result | select(. == \"accepted\" or . == null)]" '[]'
  # Every lab server here answers or closes: no version is left unknown.
  assert_jq "$label: no version undetermined (null)" "$TP_OUT" \
    "[$e.facts.versions.protocols[] | select(.accepted == null) | .name]" '[]'
  assert_jq "$label: preferred" "$TP_OUT" "$e.facts.versions.preferred" "$preferred"
  assert_jq "$label: connections counted" "$TP_OUT" "$e.connections > 0" 'true'
}

check_versions tls12  "$LAB_PORT_TLS12"  '["TLSv1.2"]'           '"TLSv1.2"'
# s_server -tls1_2 answers a TLS 1.3-only hello with protocol_version (checked with openssl s_client).
assert_jq "tls12: TLSv1.3 refused with protocol_version" "$TP_OUT" \
  "$(ep "localhost:$LAB_PORT_TLS12").facts.versions.protocols[5].result" '"alert protocol_version(70)"'

check_versions tls13  "$LAB_PORT_TLS13"  '["TLSv1.3"]'           '"TLSv1.3"'
assert_jq "tls13: TLSv1.2 refused with protocol_version" "$TP_OUT" \
  "$(ep "localhost:$LAB_PORT_TLS13").facts.versions.protocols[4].result" '"alert protocol_version(70)"'
assert_jq "tls13: TLSv1.3 cipher is a TLS 1.3 suite" "$TP_OUT" \
  "$(ep "localhost:$LAB_PORT_TLS13").facts.versions.protocols[5].cipher | test(\"^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$\")" 'true'

check_versions legacy "$LAB_PORT_LEGACY" '["TLSv1.0","TLSv1.1"]' '"TLSv1.1"'
check_versions nginx  "$LAB_PORT_NGINX"  '["TLSv1.2","TLSv1.3"]' '"TLSv1.3"'
assert_jq "nginx: preferred_cipher is a TLS 1.3 suite" "$TP_OUT" \
  "$(ep "localhost:$LAB_PORT_NGINX").facts.versions.preferred_cipher | test(\"^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$\")" 'true'
check_versions gnutls "$LAB_PORT_GNUTLS" '["TLSv1.2","TLSv1.3"]' '"TLSv1.3"'
check_versions expired    "$LAB_PORT_EXPIRED"    '["TLSv1.2","TLSv1.3"]' '"TLSv1.3"'
check_versions selfsigned "$LAB_PORT_SELFSIGNED" '["TLSv1.2","TLSv1.3"]' '"TLSv1.3"'

# The scripted SSLv3-only server answers every hello with an SSLv3 ServerHello, so only the
# SSLv3 probe is accepted; the suite must be one the server can pick.
check_versions sslv3  "$LAB_PORT_SSLV3"  '["SSLv3"]'             '"SSLv3"'
assert_jq "sslv3: SSLv3 cipher is one the scripted server chooses from" "$TP_OUT" \
  "$(ep "localhost:$LAB_PORT_SSLV3").facts.versions.protocols[1].cipher | IN(\$s[])" 'true' --argjson s "$SSL3_SUITES"
assert_jq "sslv3: TLSv1.2 answered with SSLv3 is not TLSv1.2" "$TP_OUT" \
  "$(ep "localhost:$LAB_PORT_SSLV3").facts.versions.protocols[4].result" '"server chose SSLv3"'

# The scripted SSLv2-only server closes every connection that is not an SSLv2 CLIENT-HELLO.
check_versions sslv2  "$LAB_PORT_SSLV2"  '["SSLv2"]'             'null'
assert_jq "sslv2: TLSv1.2 hello is closed" "$TP_OUT" \
  "$(ep "localhost:$LAB_PORT_SSLV2").facts.versions.protocols[4].result" '"closed"'

# A version is unknown (null), never refused, when no connection could be made: the reason is
# in its result.
tp refused --format json "localhost:$LAB_PORT_REFUSED"
e=$(ep "localhost:$LAB_PORT_REFUSED")
assert_jq "refused port: every version null with the connect failure" "$TP_OUT" \
  "[$e.facts.versions.protocols[] | [.accepted, (.result | startswith(\"connect failed: \"))]] | unique" '[[null,true]]'
assert_jq "refused port: nothing accepted, no preference" "$TP_OUT" "$e.facts.versions | [.accepted, .preferred, .status]" '[[],null,"error"]'
