#!/usr/bin/env bash
# The certificate probe: chain as served, trust, name check and validity, against leaves made
# by tests/lab/pki.sh; every expected value is computed from the lab's own files.
. "$(dirname "$0")/../lib.sh"

GOOD_SHA=$(cert_sha256 "$LAB_PKI/good.pem")
INTER_SHA=$(cert_sha256 "$LAB_PKI/intermediate.pem")
GOOD_SERIAL=$(openssl x509 -in "$LAB_PKI/good.pem" -noout -serial | sed 's/.*=//' | tr 'A-F' 'a-f' | sed 's/^0*//')
GOOD_NB=$(cert_date "$LAB_PKI/good.pem" notBefore)
GOOD_NA=$(cert_date "$LAB_PKI/good.pem" notAfter)
SELF_SHA=$(cert_sha256 "$LAB_PKI/selfsigned.pem")
EXPIRED_SHA=$(cert_sha256 "$LAB_PKI/expired.pem")
WRONG_SHA=$(cert_sha256 "$LAB_PKI/wrongname.pem")
STORE="file:$LAB_CA"
C=".facts.certificate"

# ---- good chain (nginx), trusted through --ca-file
T="localhost:$LAB_PORT_NGINX"
tp good --format json --ca-file "$LAB_CA" "$T"
E=$(ep "$T")
assert_rc "good: exit 0" 0
assert_jq "good: certificate probe status ok" "$TP_OUT" "$E$C.status" '"ok"'
assert_jq "good: chain length 2" "$TP_OUT" "$E$C.chain | length" 2
assert_jq "good: leaf sha256 matches openssl" "$TP_OUT" "$E$C.chain[0].sha256" "\"$GOOD_SHA\""
assert_jq "good: intermediate sha256 matches openssl" "$TP_OUT" "$E$C.chain[1].sha256" "\"$INTER_SHA\""
assert_jq "good: leaf SANs" "$TP_OUT" "$E$C.chain[0].san" '["DNS:localhost","DNS:good.lab.test","IP:127.0.0.1"]'
assert_jq "good: leaf serial" "$TP_OUT" "$E$C.chain[0].serial | ascii_downcase | gsub(\":\"; \"\") | sub(\"^0+\"; \"\")" "\"$GOOD_SERIAL\""
assert_jq "good: leaf validity dates" "$TP_OUT" "$E$C.chain[0] | [.not_before, .not_after]" "[\"$GOOD_NB\",\"$GOOD_NA\"]"
assert_jq "good: leaf key RSA 2048, no curve" "$TP_OUT" "$E$C.chain[0] | [.key_type, .key_bits, .curve]" '["RSA",2048,null]'
assert_jq "good: leaf signature algorithm" "$TP_OUT" "$E$C.chain[0].signature_algorithm" '"sha256WithRSAEncryption"'
assert_jq "good: leaf and intermediate subjects name their CN" "$TP_OUT" \
  "$E$C.chain | map(.subject | test(\"CN ?= ?(localhost|tlsprobe lab intermediate CA)\"))" '[true,true]'
assert_jq "good: leaf issued by the intermediate" "$TP_OUT" "$E$C.chain[0].issuer == $E$C.chain[1].subject" 'true'
assert_jq "good: is_ca / self_signed per certificate" "$TP_OUT" \
  "$E$C.chain | map([.is_ca, .self_signed])" '[[false,false],[true,false]]'
assert_jq "good: trust verified by the lab CA file" "$TP_OUT" \
  "$E$C.trust | [.store, .verified, .error, .error_code]" "[\"$STORE\",true,null,0]"
assert_jq "good: name localhost matched (dns, no wildcard)" "$TP_OUT" \
  "$E$C.name" '{"checked":"localhost","type":"dns","matched":true,"wildcard":false}'
assert_jq "good: not expired, not self-signed" "$TP_OUT" \
  "$E$C | [.expired, .not_yet_valid, .self_signed]" '[false,false,false]'
assert_jq "good: days_to_expiry within the 1-year validity" "$TP_OUT" \
  "$E$C.days_to_expiry | (. >= 363 and . <= 366)" 'true'
assert_jq "good: handshake TLSv1.3 with SNI localhost" "$TP_OUT" \
  "$E$C.handshake | [.protocol, .sni]" '["TLSv1.3","localhost"]'
# A server that answers every hello: the full hello, nothing dropped, both key-type offers answered.
assert_jq "good: full hello, nothing dropped, every leaf offer answered" "$TP_OUT" \
  "$E$C | [.handshake.reduced_hello, .dropped_hellos, .certificates_complete]" '[false,0,true]'

# ---- the same chain from openssl s_server and gnutls-serv (the chain as served)
for spec in tls12:TLSv1.2 gnutls:TLSv1.3; do
  name=${spec%%:*} proto=${spec#*:}
  port_var=LAB_PORT_${name^^}
  T="localhost:${!port_var}"
  tp "$name-chain" --format json --ca-file "$LAB_CA" "$T"
  E=$(ep "$T")
  assert_jq "$name: chain is leaf + intermediate" "$TP_OUT" "[$E$C.chain[].sha256]" "[\"$GOOD_SHA\",\"$INTER_SHA\"]"
  assert_jq "$name: verified, name matched" "$TP_OUT" "$E$C | [.trust.verified, .name.matched]" '[true,true]'
  assert_jq "$name: handshake protocol $proto" "$TP_OUT" "$E$C.handshake.protocol" "\"$proto\""
done

# ---- legacy TLS 1.0/1.1 server: the certificate is still collected (TLS 1.0 and up)
T="localhost:$LAB_PORT_LEGACY"
tp legacy-cert --format json --ca-file "$LAB_CA" "$T"
E=$(ep "$T")
assert_jq "legacy: certificate collected over TLSv1.1, verified" "$TP_OUT" \
  "$E$C | [.status, .handshake.protocol, .chain[0].sha256, .trust.verified]" "[\"ok\",\"TLSv1.1\",\"$GOOD_SHA\",true]"

# ---- expired leaf
T="localhost:$LAB_PORT_EXPIRED"
tp expired --format json --ca-file "$LAB_CA" "$T"
E=$(ep "$T")
assert_jq "expired: leaf is the expired one" "$TP_OUT" "$E$C.chain[0].sha256" "\"$EXPIRED_SHA\""
assert_jq "expired: expired true, not_yet_valid false" "$TP_OUT" "$E$C | [.expired, .not_yet_valid]" '[true,false]'
assert_jq "expired: validity 2020-01-01 .. 2021-01-01" "$TP_OUT" \
  "$E$C.chain[0] | [.not_before, .not_after]" '["2020-01-01T00:00:00Z","2021-01-01T00:00:00Z"]'
assert_jq "expired: days_to_expiry negative" "$TP_OUT" "$E$C.days_to_expiry < 0" 'true'
assert_jq "expired: trust fails with X509_V_ERR_CERT_HAS_EXPIRED (10) at depth 0" "$TP_OUT" \
  "$E$C.trust | [.verified, .error_code, .error_depth, (.error | type)]" '[false,10,0,"string"]'
assert_jq "expired: name still matched" "$TP_OUT" "$E$C.name.matched" 'true'
assert_jq "expired: 12.2.2 FAIL" "$TP_OUT" "$E | $(verdict 12.2.2)" '"FAIL"'

# ---- wrong name
T="localhost:$LAB_PORT_WRONGNAME"
tp wrongname --format json --ca-file "$LAB_CA" "$T"
E=$(ep "$T")
assert_jq "wrongname: leaf is the wrong-name one, SAN wrong.example" "$TP_OUT" \
  "$E$C.chain[0] | [.sha256, .san]" "[\"$WRONG_SHA\",[\"DNS:wrong.example\"]]"
assert_jq "wrongname: name localhost not matched" "$TP_OUT" \
  "$E$C.name | [.checked, .type, .matched]" '["localhost","dns",false]'
assert_jq "wrongname: chain itself verifies (name is checked separately)" "$TP_OUT" \
  "$E$C.trust | [.verified, .error_code]" '[true,0]'
assert_jq "wrongname: 12.2.2 FAIL" "$TP_OUT" "$E | $(verdict 12.2.2)" '"FAIL"'

# --sni: asking for the name the certificate has makes it match.
T="127.0.0.1:$LAB_PORT_WRONGNAME"
tp wrongname-sni --format json --ca-file "$LAB_CA" --sni wrong.example "$T"
E=$(ep "$T")
assert_jq "wrongname --sni wrong.example: sni sent and matched" "$TP_OUT" \
  "$E | [.sni, $C.handshake.sni, $C.name.checked, $C.name.matched]" '["wrong.example","wrong.example","wrong.example",true]'
assert_jq "wrongname --sni wrong.example: 12.2.2 PASS" "$TP_OUT" "$E | $(verdict 12.2.2)" '"PASS"'

# ---- self-signed leaf
T="localhost:$LAB_PORT_SELFSIGNED"
tp selfsigned --format json --ca-file "$LAB_CA" "$T"
E=$(ep "$T")
assert_jq "selfsigned: chain is the one self-signed leaf" "$TP_OUT" \
  "$E$C.chain | map([.sha256, .self_signed])" "[[\"$SELF_SHA\",true]]"
assert_jq "selfsigned: self_signed true" "$TP_OUT" "$E$C.self_signed" 'true'
assert_jq "selfsigned: trust fails with X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT (18)" "$TP_OUT" \
  "$E$C.trust | [.verified, .error_code]" '[false,18]'
assert_jq "selfsigned: 12.2.2 FAIL" "$TP_OUT" "$E | $(verdict 12.2.2)" '"FAIL"'

# ---- the system store does not know the lab root
T="localhost:$LAB_PORT_NGINX"
tp system-store --format json "$T"
E=$(ep "$T")
assert_rc "system store: exit 1" 1
assert_jq "system store: not verified, unable to get local issuer (20)" "$TP_OUT" \
  "$E$C.trust | [.store, .verified, .error_code]" '["system",false,20]'
assert_jq "system store: 12.2.2 FAIL" "$TP_OUT" "$E | $(verdict 12.2.2)" '"FAIL"'

# ---- IP literal target: no SNI, the IP SAN is checked
T="127.0.0.1:$LAB_PORT_NGINX"
tp ip-literal --format json --ca-file "$LAB_CA" "$T"
E=$(ep "$T")
assert_jq "ip literal: no SNI" "$TP_OUT" "$E | [.host, .sni, $C.handshake.sni]" '["127.0.0.1",null,null]'
assert_jq "ip literal: IP SAN matched" "$TP_OUT" "$E$C.name | [.checked, .type, .matched]" '["127.0.0.1","ip",true]'

# ---- a lab DNS name through the lab resolver
T="good.lab.test:$LAB_PORT_NGINX"
tp dns-name --format json --ca-file "$LAB_CA" --resolver "$LAB_RESOLVER" "$T"
E=$(ep "$T")
assert_rc "good.lab.test via lab resolver: exit 0" 0
assert_jq "good.lab.test: resolved to 127.0.0.1 only" "$TP_OUT" "$E | [.status, .address, .addresses]" '["ok","127.0.0.1",["127.0.0.1"]]'
assert_jq "good.lab.test: sni and name matched" "$TP_OUT" \
  "$E | [.sni, $C.name.checked, $C.name.matched]" '["good.lab.test","good.lab.test",true]'

# --ip: probe an address under a name that does not resolve (the lab resolver says NXDOMAIN
# for .invalid, so any lookup would show up as "unresolved").
T="pinned.invalid:$LAB_PORT_NGINX"
tp ip-option --format json --ca-file "$LAB_CA" --resolver "$LAB_RESOLVER" --ip 127.0.0.1 --sni localhost "$T"
E=$(ep "$T")
assert_jq "--ip: probed 127.0.0.1 without resolving" "$TP_OUT" "$E | [.status, .address]" '["ok","127.0.0.1"]'
assert_jq "--ip --sni localhost: chain verified, name matched" "$TP_OUT" \
  "$E | [.sni, $C.trust.verified, $C.name.matched]" '["localhost",true,true]'
