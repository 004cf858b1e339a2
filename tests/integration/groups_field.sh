#!/usr/bin/env bash
# The groups probe on servers that behave as real deployments do (issue #11), servers in
# tests/lab/mod_groups.sh: TLS 1.2 curves behind an ECDSA P-256 certificate (the server refuses
# hellos without P-256), who orders the groups (server or client, TLS 1.3 and TLS 1.2), and a
# TLS 1.3 server whose only group (X25519MLKEM768) the local OpenSSL cannot negotiate: its
# certificate requirements are ERROR with that reason, and it gets no good grade.
#
# Every expectation is also checked against an independent client, OpenSSL's s_client (3.0,
# OPENSSL_CONF=/dev/null), in the oracle section at the end, live on every run:
#  - a curve is accepted in TLS 1.2 when `-tls1_2 -cipher ECDHE -groups G` negotiates G
#    (`-groups G:P-256` on the ECDSA servers, which need P-256 offered: a client-order server
#    then takes G; a server-order one takes G only when it prefers G to P-256, so what it
#    passes over P-256 for is undecided, as tlsprobe says);
#  - a group is accepted in TLS 1.3 when `-tls1_3 -groups G` completes;
#  - order: the two first groups found offered both ways round (TLS 1.2: `-groups A:B` and
#    `B:A`; TLS 1.3: `-groups X448:A:B` and `X448:B:A`, X448 being a group none of these
#    servers has, so the key share is useless and the server names its choice in a
#    HelloRetryRequest, which is what tlsprobe observes): the same pick both ways is the
#    server's order, different picks the client's.
# What the servers showed by hand (s_client, OpenSSL 3.0.19, nginx 1.22.1, GnuTLS 3.7.9):
#  - s_server with an ECDSA P-256 key, TLS 1.2: `-groups P-384` or `P-521` alone: handshake
#    failure (alert 40); `P-384:P-256` gets P-384 without -serverpref. With -serverpref and
#    P-256 first every list holding P-256 gets P-256: P-384 and P-521 cannot be decided.
#  - OpenSSL 3.0 servers (s_server, nginx) pick the HelloRetryRequest group by their own list
#    with or without -serverpref / ssl_prefer_server_ciphers (ssl/statem/extensions_srvr.c
#    takes the first server group the client lists); in TLS 1.2 those options decide.
#    GnuTLS follows the client unless %SERVER_PRECEDENCE, in both versions.
. "$(dirname "$0")/../lib.sh"

INV=$TEST_TMP/groups.yaml
cat > "$INV" <<YAML
defaults:
  ca: $LAB_CA
targets:
  - { host: localhost, port: $LAB_PORT_GRP_ECDSA, tags: [ecdsa] }
  - { host: localhost, port: $LAB_PORT_GRP_ECDSA_PREF, tags: [ecdsa_pref] }
  - { host: localhost, port: $LAB_PORT_GRP_ECDSA_P384, tags: [ecdsa_p384] }
  - { host: localhost, port: $LAB_PORT_GRP13_CLIENT, tags: [t13_client] }
  - { host: localhost, port: $LAB_PORT_GRP13_SERVER, tags: [t13_server] }
  - { host: localhost, port: $LAB_PORT_GRP_NGINX_PREF, tags: [nginx_pref] }
  - { host: localhost, port: $LAB_PORT_GRP_NGINX_NOPREF, tags: [nginx_nopref] }
  - { host: localhost, port: $LAB_PORT_GRP_GNUTLS_PREF, tags: [gnutls_pref] }
  - { host: localhost, port: $LAB_PORT_GRP_GNUTLS, tags: [gnutls] }
  - { host: localhost, port: $LAB_PORT_GRP_PQ, tags: [pq] }
YAML
tp groups --format json --standard all --level 3 -f "$INV"
REPORT=$TP_OUT
assert_rc "groups run: exit 3 (the post-quantum-only server's certificate could not be checked)" 3

# E TAG: the endpoint with that tag; G TAG: its groups facts.
E() { printf '(.endpoints | map(select(.tags == ["%s"])) | if length == 1 then .[0] else error("\\(length) endpoints tagged %s") end)' "$1" "$1"; }
G() { printf '%s.facts.groups' "$(E "$1")"; }

# Every TLS 1.2 curve tlsprobe offers (the registry's elliptic curves below 0xFF01, without
# the TLS 1.3-only brainpool codes), for the undecided sets.
ALL_CURVES='["x25519","secp256r1","x448","secp384r1","secp521r1","sect163k1","sect163r1",
  "sect163r2","sect193r1","sect193r2","sect233k1","sect233r1","sect239k1","sect283k1","sect283r1",
  "sect409k1","sect409r1","sect571k1","sect571r1","secp160k1","secp160r1","secp160r2","secp192k1",
  "secp192r1","secp224k1","secp224r1","secp256k1","brainpoolP256r1","brainpoolP384r1",
  "brainpoolP512r1","GC256A","GC256B","GC256C","GC256D","GC512A","GC512B","GC512C","curveSM2"]'
# all_but NAMES_JSON: ALL_CURVES less those, sorted.
all_but() { jq -nc --argjson all "$ALL_CURVES" --argjson out "$1" '$all - $out | sort'; }

# tls12 TAG CURVES SERVER_ORDER PREFERRED UNDECIDED CERT_CURVE: the TLS 1.2 curve facts. CURVES
# is compared in order when the server has its own order, else as a set; UNDECIDED as a set.
tls12() {
  local tag=$1 curves=$2 order=$3 preferred=$4 undecided=$5 cert=$6 g
  g=$(G "$tag")
  assert_jq "$tag: groups status ok" "$REPORT" "$g.status" '"ok"'
  if [ "$order" = true ]; then
    assert_jq "$tag: TLS 1.2 curves, in the server's order" "$REPORT" "$g.tls12_curves" "$curves"
  else
    assert_jq "$tag: TLS 1.2 curves" "$REPORT" "$g.tls12_curves | sort" "$(jq -c sort <<<"$curves")"
  fi
  assert_jq "$tag: TLS 1.2 server_order, preferred, certificate curve" "$REPORT" \
    "[$g.tls12_curves_server_order, $g.tls12_curves_preferred, $g.tls12_certificate_curve]" "[$order,$preferred,$cert]"
  assert_jq "$tag: TLS 1.2 curves undecided" "$REPORT" "$g.tls12_curves_undecided | sort" "$undecided"
}

# tls13 TAG GROUPS SERVER_ORDER PREFERRED: the TLS 1.3 group facts (in order when the server
# has its own, else as a set).
tls13() {
  local tag=$1 groups=$2 order=$3 preferred=$4 g
  g=$(G "$tag")
  if [ "$order" = true ]; then
    assert_jq "$tag: TLS 1.3 groups, in the server's order" "$REPORT" "$g.tls13.accepted" "$groups"
  else
    assert_jq "$tag: TLS 1.3 groups" "$REPORT" "$g.tls13.accepted | sort" "$(jq -c sort <<<"$groups")"
  fi
  assert_jq "$tag: TLS 1.3 server_order, preferred" "$REPORT" "[$g.tls13.server_order, $g.tls13.preferred]" \
    "[$order,$preferred]"
}

# ------------------------------------------------------------------ ECDSA P-256 certificate
# Client's order: every curve is found, P-256 offered last once the refusals show it is needed.
tls12 ecdsa '["secp256r1","secp384r1","secp521r1"]' false null '[]' '"secp256r1"'
# Server's order with P-256 first: it takes P-256 from any hello that has it, and refuses any
# that has not: one curve found, the order cannot be told, every other curve undecided.
tls12 ecdsa_pref '["secp256r1"]' null null "$(all_but '["secp256r1"]')" '"secp256r1"'
# Server's order P-384, P-256, P-521: P-384 then P-256 are found in its order; P-521 comes
# after P-256, which must stay offered: undecided with the rest.
tls12 ecdsa_p384 '["secp384r1","secp256r1"]' true '"secp384r1"' "$(all_but '["secp384r1","secp256r1"]')" '"secp256r1"'
for tag in ecdsa ecdsa_pref ecdsa_p384; do
  assert_jq "$tag: no TLS 1.3, no DHE" "$REPORT" "[$(G $tag).tls13, $(G $tag).dh]" '[null,null]'
done

# ------------------------------------------------------------------ who orders the groups
tls13 t13_client '["secp384r1","x25519","secp521r1"]' true '"secp384r1"'
tls13 t13_server '["secp521r1","x25519","secp384r1"]' true '"secp521r1"'
tls13 nginx_pref '["secp521r1","x25519","secp384r1"]' true '"secp521r1"'
tls13 nginx_nopref '["secp521r1","x25519","secp384r1"]' true '"secp521r1"'
tls13 gnutls_pref '["secp384r1","x25519","secp521r1"]' true '"secp384r1"'
tls13 gnutls '["x25519","secp384r1","secp521r1"]' false null
tls12 nginx_pref '["secp521r1","x25519","secp384r1"]' true '"secp521r1"' '[]' null
tls12 nginx_nopref '["x25519","secp384r1","secp521r1"]' false null '[]' null
tls12 gnutls_pref '["secp384r1","x25519","secp521r1"]' true '"secp384r1"' '[]' null
tls12 gnutls '["x25519","secp384r1","secp521r1"]' false null '[]' null
for tag in t13_client t13_server; do
  assert_jq "$tag: TLS 1.3 only: no TLS 1.2 curve facts" "$REPORT" \
    "$(G $tag) | [.tls12_curves, .tls12_curves_server_order, .tls12_curves_preferred, .tls12_curves_undecided, .tls12_certificate_curve]" \
    '[null,null,null,null,null]'
done

# ------------------------------------------------------------------ post-quantum only
PQ=$(E pq)
MSG="the server accepts only key exchange groups the local OpenSSL cannot negotiate (X25519MLKEM768)"
tls13 pq '["X25519MLKEM768"]' null null
assert_jq "pq: versions: TLS 1.3 only (the HelloRetryRequest answers it)" "$REPORT" "$PQ.facts.versions.accepted" '["TLSv1.3"]'
assert_jq "pq: ciphers: the three TLS 1.3 suites, each over X25519MLKEM768" "$REPORT" \
  "[$PQ.facts.ciphers.protocols[] | .name, ([.suites[] | [.name, .kx_group]] | sort)]" \
  '["TLSv1.3",[["TLS_AES_128_GCM_SHA256","X25519MLKEM768"],["TLS_AES_256_GCM_SHA384","X25519MLKEM768"],["TLS_CHACHA20_POLY1305_SHA256","X25519MLKEM768"]]]'
assert_jq "pq: certificate probe: error, and exactly why" "$REPORT" "$PQ.facts.certificate | [.status, .error]" \
  "[\"error\",\"$MSG\"]"
assert_jq "pq: certificate probe keeps OpenSSL's own reason" "$REPORT" \
  "$PQ.facts.certificate.handshake_error | test(\"handshake failure\")" 'true'
for id in 12.2.2 9.2.1 9.2.3 9.2.4 12.1.4; do
  assert_jq "pq: $id ERROR with the reason" "$REPORT" \
    "$PQ.verdicts | map(select(.id == \"$id\")) | map([.result, .evidence])" "[[\"ERROR\",\"certificate probe failed: $MSG\"]]"
done
assert_jq "pq: no verdict about the certificate passes" "$REPORT" \
  "[$PQ.verdicts[] | select(.result == \"PASS\") | .id] - [\"12.1.1\",\"12.1.2\",\"9.1.2\",\"9.1.3\"]" '[]'
assert_jq "pq: endpoint result ERROR" "$REPORT" "$PQ.result" '"ERROR"'
# No grade without a checked certificate (the verdicts slice of issue #11, src/grade.c).
assert_jq "pq: no A grade without a checked certificate" "$REPORT" \
  "($PQ.grade // {}) | (.grade // \"none\") | test(\"^A\")" 'false'

tp pq-text --ca-file "$LAB_CA" "localhost:$LAB_PORT_GRP_PQ"
assert_file_contains "pq text: the certificate line says why" "$TP_OUT" "$MSG"
assert_file_contains "pq text: the group" "$TP_OUT" "TLSv1.3: X25519MLKEM768"

# ------------------------------------------------------------------ text and HTML reports
tp text --ca-file "$LAB_CA" --probes groups "localhost:$LAB_PORT_GRP_GNUTLS" "localhost:$LAB_PORT_GRP_ECDSA_P384"
assert_file_contains "text: client's order" "$TP_OUT" \
  "TLSv1.3: x25519 secp384r1 secp521r1 (client's order); ECDHE: x25519 secp384r1 secp521r1 (client's order)"
assert_file_contains "text: server's order" "$TP_OUT" "ECDHE: secp384r1 secp256r1 (server's order, prefers secp384r1)"
assert_file_contains "text: undecided curves, and why" "$TP_OUT" \
  "ECDHE: 36 more curves undecided: the server chose its certificate's curve secp256r1 over them"
tp html --format html --ca-file "$LAB_CA" --probes groups "localhost:$LAB_PORT_GRP_ECDSA_P384"
assert_file_contains "html: curve order" "$TP_OUT" "<tr><th>ECDHE curve order</th><td>server&#39;s order</td></tr>"
assert_file_contains "html: undecided" "$TP_OUT" "(the server chose its certificate's curve secp256r1 over them)</td></tr>"

# ------------------------------------------------------------------ oracle: openssl s_client
# kx PORT S_CLIENT_ARGS...: the group the handshake used, IANA-named, or "none".
kx() {
  local port=$1; shift
  local line
  line=$(echo | OPENSSL_CONF=/dev/null timeout 10 openssl s_client -connect "127.0.0.1:$port" "$@" 2>/dev/null |
         grep -m1 '^Server Temp Key:')
  case $line in
    *X25519*) echo x25519 ;; *X448*) echo x448 ;;
    *prime256v1*) echo secp256r1 ;;
    *ECDH,*|*DH,*) sed -E 's/^Server Temp Key: E?C?DH, ([^,]+),.*/\1/' <<<"$line" ;;
    *) echo none ;;
  esac
}
ossl_name() { case $1 in x25519) echo X25519 ;; x448) echo X448 ;; secp256r1) echo P-256 ;;
  secp384r1) echo P-384 ;; secp521r1) echo P-521 ;; *) echo "$1" ;; esac; }
ORACLE_CURVES=(x25519 x448 secp256r1 secp384r1 secp521r1 secp256k1 secp224r1 brainpoolP256r1
  brainpoolP384r1 brainpoolP512r1 sect571r1)

# oracle12 TAG PORT [NEEDED_CURVE]: s_client's TLS 1.2 curve set equals tlsprobe's (within
# the curves s_client can offer), and its order verdict too.
oracle12() {
  local tag=$1 port=$2 need=${3:-} found=() c groups got order
  for c in "${ORACLE_CURVES[@]}"; do
    groups=$(ossl_name "$c")
    [ -n "$need" ] && [ "$c" != "$need" ] && groups="$groups:$(ossl_name "$need")"
    got=$(kx "$port" -tls1_2 -cipher 'ECDHE:@SECLEVEL=0' -groups "$groups")
    [ "$got" = "$c" ] && found+=("$c")
  done
  assert_jq "oracle $tag: s_client's TLS 1.2 curves" "$REPORT" \
    "[$(G "$tag").tls12_curves[] | select(IN(\$o[]))] | sort" "$(printf '%s\n' "${found[@]}" | jq -R . | jq -sc sort)" \
    --argjson o "$(printf '%s\n' "${ORACLE_CURVES[@]}" | jq -R . | jq -sc .)"
  local a b tail=""
  a=$(jqc "$REPORT" "$(G "$tag").tls12_curves[0]" -r) b=$(jqc "$REPORT" "$(G "$tag").tls12_curves[1] // empty" -r)
  [ -n "$b" ] || return 0
  [ -n "$need" ] && [ "$need" != "$a" ] && [ "$need" != "$b" ] && tail=":$(ossl_name "$need")"
  if [ "$(kx "$port" -tls1_2 -groups "$(ossl_name "$a"):$(ossl_name "$b")$tail")" = \
       "$(kx "$port" -tls1_2 -groups "$(ossl_name "$b"):$(ossl_name "$a")$tail")" ]; then order=true; else order=false; fi
  assert_jq "oracle $tag: s_client's TLS 1.2 order" "$REPORT" "$(G "$tag").tls12_curves_server_order" "$order"
}

# oracle13 TAG PORT: the same for TLS 1.3 (the order through HelloRetryRequests).
oracle13() {
  local tag=$1 port=$2 found=() c a b order
  for c in x25519 x448 secp256r1 secp384r1 secp521r1 ffdhe2048 ffdhe3072; do
    [ "$(kx "$port" -tls1_3 -groups "$(ossl_name "$c")")" = "$c" ] && found+=("$c")
  done
  assert_jq "oracle $tag: s_client's TLS 1.3 groups" "$REPORT" \
    "[$(G "$tag").tls13.accepted[] | select(IN(\"x25519\",\"x448\",\"secp256r1\",\"secp384r1\",\"secp521r1\",\"ffdhe2048\",\"ffdhe3072\"))] | sort" \
    "$(printf '%s\n' "${found[@]}" | jq -R . | jq -sc sort)"
  a=$(ossl_name "$(jqc "$REPORT" "$(G "$tag").tls13.accepted[0]" -r)")
  b=$(ossl_name "$(jqc "$REPORT" "$(G "$tag").tls13.accepted[1]" -r)")
  if [ "$(kx "$port" -tls1_3 -groups "X448:$a:$b")" = "$(kx "$port" -tls1_3 -groups "X448:$b:$a")" ]; then
    order=true
  else
    order=false
  fi
  assert_jq "oracle $tag: s_client's TLS 1.3 order (HelloRetryRequest)" "$REPORT" "$(G "$tag").tls13.server_order" "$order"
}

oracle12 ecdsa "$LAB_PORT_GRP_ECDSA" secp256r1
oracle12 ecdsa_pref "$LAB_PORT_GRP_ECDSA_PREF" secp256r1
oracle12 ecdsa_p384 "$LAB_PORT_GRP_ECDSA_P384" secp256r1
for s in nginx_pref:GRP_NGINX_PREF nginx_nopref:GRP_NGINX_NOPREF gnutls_pref:GRP_GNUTLS_PREF gnutls:GRP_GNUTLS; do
  v=LAB_PORT_${s#*:}
  oracle12 "${s%%:*}" "${!v}"
  oracle13 "${s%%:*}" "${!v}"
done
oracle13 t13_client "$LAB_PORT_GRP13_CLIENT"
oracle13 t13_server "$LAB_PORT_GRP13_SERVER"
# The local OpenSSL cannot talk to the post-quantum-only server at all.
assert_eq "oracle pq: s_client -tls1_3 gets no key exchange" none "$(kx "$LAB_PORT_GRP_PQ" -tls1_3)"

