#!/usr/bin/env bash
# The groups probe on servers that behave as real deployments do (issue #11), servers in
# tests/lab/mod_groups.sh: TLS 1.2 curves behind an ECDSA P-256 certificate (the server refuses
# hellos without P-256), who orders the groups (server or client, TLS 1.3 and TLS 1.2), and a
# TLS 1.3 server whose only group (X25519MLKEM768) the local OpenSSL cannot negotiate: its
# certificate requirements are ERROR with that reason, and it gets no good grade.
# Then servers that close the connection instead of refusing (tests/lab/mod_groups2.sh, and
# the real dovecot and slapd of mod_mail.sh / mod_mail2.sh): every set exact and decided, what
# no answer decides undecided with its reason, the DH group of a server that serves DHE only to
# hellos listing FFDHE groups (slapd), and the exact connections of the groups probe on each.
#
# Every expectation is also checked against an independent client, OpenSSL's s_client (3.0,
# OPENSSL_CONF=/dev/null), in the oracle section at the end, live on every run:
#  - a curve is accepted in TLS 1.2 when `-tls1_2 -cipher ECDHE -groups G` negotiates G
#    (`-groups G:P-256` on the ECDSA servers, which need P-256 offered: a client-order server
#    then takes G; a server-order one takes G only when it prefers G to P-256);
#  - a curve tlsprobe reports never chosen gets a handshake failure (or a close) alone, and
#    P-256 with P-256 listed after it: no client negotiates it with that server;
#  - a group is accepted in TLS 1.3 when `-tls1_3 -groups G` completes;
#  - order: the two first groups found offered both ways round (TLS 1.2: `-groups A:B` and
#    `B:A`; TLS 1.3: `-groups X448:A:B` and `X448:B:A`, X448 being a group the server lacks,
#    so the key share is useless and the server names its choice in a HelloRetryRequest,
#    which is what tlsprobe observes; not on servers that have every group s_client can
#    offer in TLS 1.3: dovecot, slapd): the same pick both ways is the server's order;
#  - FFDHE groups in TLS 1.2 (slapd): OpenSSL 3.0 offers none below TLS 1.3, so gnutls-cli
#    `--priority NORMAL:...:+DHE-RSA:-GROUP-ALL:+GROUP-FFDHEn` per group, and with curves only.
# What the servers showed by hand (s_client, OpenSSL 3.0.19, nginx 1.22.1, GnuTLS 3.7.9,
# dovecot 2.3.19, slapd 2.5):
#  - s_server with an ECDSA P-256 key, TLS 1.2: `-groups P-384` or `P-521` alone: handshake
#    failure (alert 40); `P-384:P-256` gets P-384 without -serverpref. With -serverpref and
#    P-256 first every list holding P-256 gets P-256: no client ever gets P-384 or P-521.
#  - OpenSSL 3.0 servers (s_server, nginx, dovecot) pick the HelloRetryRequest group by their
#    own list with or without -serverpref / ssl_prefer_server_ciphers (ssl/statem/
#    extensions_srvr.c takes the first server group the client lists); in TLS 1.2 those
#    options decide. GnuTLS follows the client unless %SERVER_PRECEDENCE, in both versions.
#  - dovecot and slapd never send an alert: a hello they refuse ends in "unexpected eof"
#    (s_client -groups brainpoolP256r1). slapd (GnuTLS, no DH parameters) serves DHE only to
#    a hello listing an FFDHE group, and uses the one listed.
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
FIRST=$TP_OUT
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

# tls12 TAG CURVES SERVER_ORDER PREFERRED NEVER_CHOSEN CERT_CURVE [UNDECIDED]: the TLS 1.2 curve
# facts. CURVES is compared in order when the server has its own order, else as a set;
# NEVER_CHOSEN as a set; UNDECIDED (default []) as a set of names.
tls12() {
  local tag=$1 curves=$2 order=$3 preferred=$4 never=$5 cert=$6 undecided=${7:-[]} g
  g=$(G "$tag")
  assert_jq "$tag: groups status ok" "$REPORT" "$g.status" '"ok"'
  if [ "$order" = true ]; then
    assert_jq "$tag: TLS 1.2 curves, in the server's order" "$REPORT" "$g.tls12_curves" "$curves"
  else
    assert_jq "$tag: TLS 1.2 curves" "$REPORT" "$g.tls12_curves | sort" "$(jq -c sort <<<"$curves")"
  fi
  assert_jq "$tag: TLS 1.2 server_order, preferred, certificate curve" "$REPORT" \
    "[$g.tls12_curves_server_order, $g.tls12_curves_preferred, $g.tls12_certificate_curve]" "[$order,$preferred,$cert]"
  assert_jq "$tag: TLS 1.2 curves never chosen" "$REPORT" "$g.tls12_curves_never_chosen | sort" "$never"
  assert_jq "$tag: TLS 1.2 curves undecided" "$REPORT" "[$g.tls12_curves_undecided[].name] | sort" "$undecided"
}

# tls13 TAG GROUPS SERVER_ORDER PREFERRED [UNDECIDED]: the TLS 1.3 group facts (in order when
# the server has its own, else as a set); UNDECIDED (default []): [[name, reason]...] exactly.
tls13() {
  local tag=$1 groups=$2 order=$3 preferred=$4 undecided=${5:-[]} g
  g=$(G "$tag")
  if [ "$order" = true ]; then
    assert_jq "$tag: TLS 1.3 groups, in the server's order" "$REPORT" "$g.tls13.accepted" "$groups"
  else
    assert_jq "$tag: TLS 1.3 groups" "$REPORT" "$g.tls13.accepted | sort" "$(jq -c sort <<<"$groups")"
  fi
  assert_jq "$tag: TLS 1.3 server_order, preferred" "$REPORT" "[$g.tls13.server_order, $g.tls13.preferred]" \
    "[$order,$preferred]"
  assert_jq "$tag: TLS 1.3 groups undecided, and why" "$REPORT" "[$g.tls13.undecided[] | [.name, .reason]]" "$undecided"
}

# cost TAG CONNECTIONS REUSED: the groups probe's exact connections and reused answers.
cost() {
  assert_jq "$1: groups probe connections, reused answers" "$REPORT" "[$(G "$1").connections, $(G "$1").reused_answers]" "[$2,$3]"
}

# ------------------------------------------------------------------ ECDSA P-256 certificate
# Client's order: every curve is found, P-256 offered last once the refusals show it is needed.
tls12 ecdsa '["secp256r1","secp384r1","secp521r1"]' false null '[]' '"secp256r1"'
# Server's order with P-256 first: it takes P-256 from any hello that has it, and refuses any
# that has not: one curve found, the order cannot be told, and no client ever gets another
# curve: every other one is never chosen (decided, not undecided).
tls12 ecdsa_pref '["secp256r1"]' null null "$(all_but '["secp256r1"]')" '"secp256r1"'
# Server's order P-384, P-256, P-521: P-384 then P-256 are found in its order; P-521 comes
# after P-256, which must stay offered: never chosen, with the rest.
tls12 ecdsa_p384 '["secp384r1","secp256r1"]' true '"secp384r1"' "$(all_but '["secp384r1","secp256r1"]')" '"secp256r1"'
# Costs (each first pick is the versions probe's answer, reused; DH: one hello with curves
# only and one with the FFDHE groups too, both refused, on every server without DHE). ecdsa 7:
# P-256 (reused); the rest, reversed, without P-256: refused; the hello with the found curves
# last shows the certificate and finds P-384; P-521 with P-256 kept last; the rest reversed:
# P-256 taken over them (refused: the client's order); the pair hello; DH 2. ecdsa_pref 4: the
# refusal, the certificate hello (P-256 taken over everything left); DH 2. ecdsa_p384 5: P-256,
# the refusal, the certificate hello; DH 2 (the zigzag showed the server's order).
cost ecdsa 7 1
cost ecdsa_pref 4 1
cost ecdsa_p384 5 1
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
    "$(G $tag) | [.tls12_curves, .tls12_curves_server_order, .tls12_curves_preferred, .tls12_curves_undecided, .tls12_curves_never_chosen, .tls12_certificate_curve, .dh]" \
    '[null,null,null,null,null,null,null]'
done
# Costs: TLS 1.3, three groups found (the HelloRetryRequests answer nothing the versions probe
# asked) and the refusal; TLS 1.2 the same less the first pick (reused); the pair hello where
# the zigzag picks cannot show the order (a server that follows the client); DH 2.
cost t13_client 4 0
cost t13_server 4 0
cost nginx_pref 9 1
cost nginx_nopref 10 1
cost gnutls_pref 9 1
cost gnutls 11 1

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
# No grade without a checked certificate (the verdicts slice of issue #11, src/scoring/grade.c).
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
assert_file_contains "text: curves never chosen, and why" "$TP_OUT" \
  "ECDHE: 36 more curves never chosen: the server takes its certificate's curve secp256r1 over them"
if grep -q "undecided" "$TP_OUT"; then not_ok "text: nothing undecided" "$(grep -m1 undecided "$TP_OUT")"; else ok "text: nothing undecided"; fi
tp html --format html --ca-file "$LAB_CA" --probes groups "localhost:$LAB_PORT_GRP_ECDSA_P384"
assert_file_contains "html: curve order" "$TP_OUT" "<tr><th>ECDHE curve order</th><td>server&#39;s order</td></tr>"
assert_file_contains "html: never chosen" "$TP_OUT" "(the server takes its certificate's curve secp256r1 over them)</td></tr>"

# ------------------------------------------------------------------ servers that close instead of refusing
# tests/lab/mod_groups2.sh, and the real dovecot (IMAP STARTTLS) and slapd (LDAP StartTLS): no
# alert ever leaves them. A close is no refusal: each set below is exact and decided, and the
# full runs give a grade where nothing is left open.
in_lab() { [[ " $LAB_SERVERS " == *" $1 "* ]]; }
INV2=$TEST_TMP/closers.yaml
{
  echo "defaults:"
  echo "  ca: $LAB_CA"
  echo "targets:"
  echo "  - { host: localhost, port: $LAB_PORT_GRP_POISON, tags: [poison] }"
  echo "  - { host: localhost, port: $LAB_PORT_GRP13_CLOSER_CLIENT, tags: [closer_client] }"
  echo "  - { host: localhost, port: $LAB_PORT_DOVECOT_ECDSA, tags: [dovecot_ecdsa] }"
  in_lab dovecot && echo "  - { host: localhost, port: $LAB_PORT_IMAP, starttls: imap, tags: [dovecot] }"
  in_lab slapd && echo "  - { host: localhost, port: $LAB_PORT_SLAPD, starttls: ldap, tags: [slapd] }"
} >"$INV2"
tp closers --format json --level 2 -f "$INV2"
REPORT=$TP_OUT
CLOSERS=$TP_OUT
OPENSSL_GROUPS='["x25519","secp256r1","x448","secp521r1","secp384r1","ffdhe2048","ffdhe3072","ffdhe4096","ffdhe6144","ffdhe8192"]'
DEFAULT_CURVES='["x25519","secp256r1","x448","secp384r1","secp521r1"]'

# poison: TLS 1.2, server order 0xC030 0xC02F 0x009C, closes when it picks 0xC030. The hello
# with every ECDHE suite is closed on; the versions probe's pick is 0x009C (not ECDHE), so
# halves of the ECDHE suites are offered until one without 0xC030 is answered.
tls12 poison '["x25519","secp256r1"]' false null '[]' null
# 14: the closed hello; halves 22, 11, 5, 2 closed, 1 (0xC030 alone) closed, its sibling
# refused, the other part of the five (3 suites) refused, the other part of the eleven (6
# suites, with 0xC02F) answered: x25519; secp256r1; the rest refused; the pair hello; DH 2.
cost poison 14 0

# closer_client: TLS 1.3, the client's order, x25519 secp384r1 x448 secp256r1, closes when it
# picks x448 and instead of refusing. Three found; the rest closed on (x448 comes first in it),
# then offered before x25519 (the anchor), in halves down to x448 alone, closed: not accepted.
tls13 closer_client '["x25519","secp256r1","secp384r1"]' false null
# 16: three picks, the close, the pair hello (client's order), the rest before the anchor and
# its halves (52, 26, 13, 7, 4, 2 closed; x448 alone closed), the other halves picked the anchor
# (refused: 5 hellos).
cost closer_client 16 0

# dovecot_ecdsa: its own order P-384, P-256, P-521, an ECDSA P-256 certificate, closes on
# every refusal. TLS 1.3: the three, in its order; every other group closed on alone (51),
# not accepted. TLS 1.2: P-384, P-256; without P-256 closed on (the certificate needs it);
# with P-256 kept last it takes P-256 over the rest, P-521 too: never chosen.
if in_lab dovecot_ecdsa; then
  tls13 dovecot_ecdsa '["secp384r1","secp256r1","secp521r1"]' true '"secp384r1"'
  tls12 dovecot_ecdsa '["secp384r1","secp256r1"]' true '"secp384r1"' "$(all_but '["secp384r1","secp256r1"]')" '"secp256r1"'
  # 60: TLS 1.3 three picks, the close, 51 groups alone (55); TLS 1.2 P-256 (P-384 reused), the
  # close, the certificate hello (P-256 over the rest) (3); DH 2, both closed.
  cost dovecot_ecdsa 60 1
  assert_jq "dovecot_ecdsa: no DHE" "$REPORT" "$(G dovecot_ecdsa).dh" null
fi

# dovecot: OpenSSL's default groups, the HelloRetryRequest group in its own order; curves in
# the client's order (ssl_prefer_server_ciphers = no); its DH group ffdhe2048 (ssl_dh).
if in_lab dovecot; then
  tls13 dovecot "$OPENSSL_GROUPS" true '"x25519"'
  tls12 dovecot "$DEFAULT_CURVES" false null '[]' null
  assert_jq "dovecot: dh, its own group" "$REPORT" "$(G dovecot).dh" \
    '{"bits":2048,"group":"ffdhe2048","well_known":true,"needs_ffdhe_offer":false,"ffdhe_accepted":null}'
  # 63: TLS 1.3 ten picks, the close, the 44 others alone (55; the zigzag showed its order);
  # TLS 1.2 four picks (the first reused), the close, the pair hello, the rest before the
  # anchor, taken (7); DH 1.
  cost dovecot 63 1
  assert_jq "dovecot: graded, nothing left open" "$REPORT" "[$(E dovecot).grade.reason, ($(E dovecot).grade.grade | type)]" '[null,"string"]'
else
  skip "dovecot groups" "not in this lab"
fi

# slapd: GnuTLS, the client's order in both versions, no DH parameters: DHE only to a hello
# listing FFDHE groups, over the group listed. Before, dh was null and the grade said "DHE
# suites accepted but the DH parameters are unknown".
if in_lab slapd; then
  tls13 slapd "$OPENSSL_GROUPS" false null
  tls12 slapd "$DEFAULT_CURVES" false null '[]' null
  assert_jq "slapd: dh, from the FFDHE groups listed" "$REPORT" "$(G slapd).dh" \
    '{"bits":2048,"group":"ffdhe2048","well_known":true,"needs_ffdhe_offer":true,"ffdhe_accepted":["ffdhe2048","ffdhe3072","ffdhe4096","ffdhe6144","ffdhe8192"]}'
  # 26: TLS 1.3 ten picks, the close, the pair hello, the rest before the anchor (13); TLS 1.2
  # four picks, the close, the pair hello, the anchor (7); DH: curves only closed, then the five
  # FFDHE groups picked one by one (6).
  cost slapd 26 1
  assert_jq "slapd: graded, DH known" "$REPORT" "[$(E slapd).grade.reason, ($(E slapd).grade.grade | type)]" '[null,"string"]'
  assert_jq "slapd: the ciphers probe's DHE suites are over ffdhe2048" "$REPORT" \
    "[$(E slapd).facts.ciphers.protocols[].suites[] | select(.kx == \"DHE\") | .kx_group] | unique" '["ffdhe2048"]'
  tp slapd-text --ca-file "$LAB_CA" --probes groups "ldap://localhost:$LAB_PORT_SLAPD"
  assert_file_contains "slapd text: DH only to hellos listing FFDHE groups" "$TP_OUT" \
    "DH 2048 bits ffdhe2048 (only to hellos listing FFDHE groups; ffdhe2048 ffdhe3072 ffdhe4096 ffdhe6144 ffdhe8192)"
else
  skip "slapd groups" "not in this lab"
fi

# closer: TLS 1.3, its own order secp521r1 x448 x25519 ffdhe2048, closes when it picks x448,
# answers nothing when it picks ffdhe2048, closes instead of refusing. secp521r1 is found; the
# rest is closed on (x448); each group alone then: x25519 found, x448 and 50 others closed on
# (not accepted), ffdhe2048 timed out: undecided, and the grade is refused for it. The order is
# recovered with both found offered. --timeout 4 bounds the one hung hello.
CLOSER_LOG=$LAB_DIR/logs/grp13_closer.log
from=$(wc -l <"$CLOSER_LOG")
tp closer --format json --timeout 4 --probes groups --ca-file "$LAB_CA" "localhost:$LAB_PORT_GRP13_CLOSER"
REPORT=$TP_OUT
assert_jq "closer: one endpoint" "$REPORT" '.endpoints | length' 1
G() { printf '.endpoints[0].facts.groups'; }
tls13 closer '["secp521r1","x25519"]' true '"secp521r1"' '[["ffdhe2048","no answer before the deadline"]]'
# 56: secp521r1, the close, 53 groups alone, the order hello.
cost closer 56 0
# The server wrote its line before it closed: every drop of the finished run is in its log.
counts=$(tail -n +"$((from + 1))" "$CLOSER_LOG" | awk '/picked 0x001E: closed/ {a++} /picked 0x0100: hung/ {b++}
  /no common suite or group: closed/ {c++} END {printf "[%d,%d,%d]", a, b, c}')
assert_jq "closer: closed twice on x448, hung once on ffdhe2048, closed on 50 refusals" "$REPORT" "$counts" '[2,1,50]'
tp closer-text --timeout 4 --ca-file "$LAB_CA" "localhost:$LAB_PORT_GRP13_CLOSER"
assert_file_contains "closer text: undecided, and why" "$TP_OUT" "TLSv1.3: 1 groups undecided (no answer before the deadline)"
assert_file_contains "closer text: no grade while a group is undecided" "$TP_OUT" \
  "1 TLSv1.3 groups could not be decided (no answer before the deadline)"
G() { printf '%s.facts.groups' "$(E "$1")"; }
REPORT=$CLOSERS

# ------------------------------------------------------------------ split over --per-host 5
# From --per-host 4 on, each walk is split into parts enumerated at the same time (issue #16,
# group_split.h; --per-host - 1 parts at most): on every server above, the closers and the
# hung one included, the groups facts are the sequential walks' (everything but connections
# and duration), and the connections are the sequential walks' plus a refusal per part and the
# order hellos: more on some servers (the split took place), at most 12 more on any.
# split_same LABEL SEQUENTIAL_REPORT ARGS...: scans again with --per-host 5 and compares.
split_same() {
  local label=$1 seq=$2 cmp; shift 2
  tp "$label" --format json --per-host 5 --probes groups "$@"
  cmp=$(jq -nc --slurpfile a "$seq" --slurpfile b "$TP_OUT" '[$a[0].endpoints, $b[0].endpoints] | transpose |
    { differ: map(select((.[0].facts.groups | del(.connections, .duration_ms)) != (.[1].facts.groups | del(.connections, .duration_ms))) | .[0].tags[0]),
      more: map(select(.[1].facts.groups.connections > .[0].facts.groups.connections)) | length,
      over: map(select(.[1].facts.groups.connections > .[0].facts.groups.connections + 12) | .[0].tags[0]) }')
  assert_eq "$label: the groups facts of the split walks equal the sequential ones" '[]' "$(jq -c .differ <<<"$cmp")"
  assert_eq "$label: connections: at most 12 more than the sequential walks'" '[]' "$(jq -c .over <<<"$cmp")"
  if [ "$(jq .more <<<"$cmp")" -gt 0 ]; then ok "$label: the split took place (more connections on $(jq .more <<<"$cmp") endpoints)"
  else not_ok "$label: the split took place" "no endpoint has more connections than sequentially"; fi
}
split_same split-groups "$FIRST" -f "$INV"
split_same split-closers "$CLOSERS" -f "$INV2"

# ------------------------------------------------------------------ oracle: openssl s_client
# kx PORT S_CLIENT_ARGS...: the group the handshake used, IANA-named, or "none" (KX_ARGS:
# s_client options for every handshake, e.g. -starttls imap).
KX_ARGS=()
kx() {
  local port=$1; shift
  local line
  line=$(echo | OPENSSL_CONF=/dev/null timeout 10 openssl s_client -connect "127.0.0.1:$port" "${KX_ARGS[@]}" "$@" 2>/dev/null |
         grep -m1 '^Server Temp Key:')
  case $line in
    *X25519*) echo x25519 ;; *X448*) echo x448 ;;
    *prime256v1*) echo secp256r1 ;;
    # OpenSSL names no finite-field group: "DH, 2048 bits" (in TLS 1.3 always an FFDHE group).
    *"Key: DH, "*) echo "ffdhe$(sed -E 's/.*Key: DH, ([0-9]+) bits.*/\1/' <<<"$line")" ;;
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
  # Never chosen: alone no handshake, with the needed curve after it that curve.
  if [ -n "$need" ]; then
    local never=() got=()
    for c in "${ORACLE_CURVES[@]}"; do
      [ "$(jqc "$REPORT" "$(G "$tag").tls12_curves_never_chosen | index(\"$c\") != null")" = true ] || continue
      never+=("[\"$c\",\"none\",\"$need\"]")
      got+=("[\"$c\",\"$(kx "$port" -tls1_2 -cipher 'ECDHE:@SECLEVEL=0' -groups "$(ossl_name "$c")")\",\"$(kx "$port" -tls1_2 -cipher 'ECDHE:@SECLEVEL=0' -groups "$(ossl_name "$c"):$(ossl_name "$need")")\"]")
    done
    assert_jq "oracle $tag: curves never chosen: alone refused, the needed curve taken over them" "$REPORT" \
      "[$(IFS=,; echo "${got[*]}")]" "[$(IFS=,; echo "${never[*]}")]"
  fi
  local a b tail=""
  a=$(jqc "$REPORT" "$(G "$tag").tls12_curves[0]" -r) b=$(jqc "$REPORT" "$(G "$tag").tls12_curves[1] // empty" -r)
  [ -n "$b" ] || return 0
  [ -n "$need" ] && [ "$need" != "$a" ] && [ "$need" != "$b" ] && tail=":$(ossl_name "$need")"
  if [ "$(kx "$port" -tls1_2 -groups "$(ossl_name "$a"):$(ossl_name "$b")$tail")" = \
       "$(kx "$port" -tls1_2 -groups "$(ossl_name "$b"):$(ossl_name "$a")$tail")" ]; then order=true; else order=false; fi
  assert_jq "oracle $tag: s_client's TLS 1.2 order" "$REPORT" "$(G "$tag").tls12_curves_server_order" "$order"
}

# oracle13 TAG PORT [noorder]: the same for TLS 1.3 (the order through HelloRetryRequests;
# not with noorder: the server has X448).
oracle13() {
  local tag=$1 port=$2 found=() c a b order
  for c in x25519 x448 secp256r1 secp384r1 secp521r1 ffdhe2048 ffdhe3072; do
    [ "$(kx "$port" -tls1_3 -groups "$(ossl_name "$c")")" = "$c" ] && found+=("$c")
  done
  assert_jq "oracle $tag: s_client's TLS 1.3 groups" "$REPORT" \
    "[$(G "$tag").tls13.accepted[] | select(IN(\"x25519\",\"x448\",\"secp256r1\",\"secp384r1\",\"secp521r1\",\"ffdhe2048\",\"ffdhe3072\"))] | sort" \
    "$(printf '%s\n' "${found[@]}" | jq -R . | jq -sc sort)"
  [ "${3:-}" = noorder ] && return 0
  a=$(ossl_name "$(jqc "$REPORT" "$(G "$tag").tls13.accepted[0]" -r)")
  b=$(ossl_name "$(jqc "$REPORT" "$(G "$tag").tls13.accepted[1]" -r)")
  if [ "$(kx "$port" -tls1_3 -groups "X448:$a:$b")" = "$(kx "$port" -tls1_3 -groups "X448:$b:$a")" ]; then
    order=true
  else
    order=false
  fi
  assert_jq "oracle $tag: s_client's TLS 1.3 order (HelloRetryRequest)" "$REPORT" "$(G "$tag").tls13.server_order" "$order"
}

REPORT=$FIRST
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
REPORT=$CLOSERS
if in_lab dovecot_ecdsa; then
  oracle12 dovecot_ecdsa "$LAB_PORT_DOVECOT_ECDSA" secp256r1
  oracle13 dovecot_ecdsa "$LAB_PORT_DOVECOT_ECDSA"
fi
if in_lab dovecot; then
  KX_ARGS=(-starttls imap)
  oracle12 dovecot "$LAB_PORT_IMAP"
  oracle13 dovecot "$LAB_PORT_IMAP" noorder
fi
if in_lab slapd; then
  KX_ARGS=(-starttls ldap)
  oracle12 slapd "$LAB_PORT_SLAPD"
  oracle13 slapd "$LAB_PORT_SLAPD" noorder
  assert_eq "oracle slapd: s_client (curves only, no FFDHE group below TLS 1.3) gets no DHE" none \
    "$(kx "$LAB_PORT_SLAPD" -tls1_2 -cipher 'DHE:@SECLEVEL=0')"
  # gnutls-cli offers FFDHE groups in TLS 1.2 (RFC 7919): DHE over each one alone, none without.
  if command -v gnutls-cli >/dev/null 2>&1; then
    ffdhe() {
      echo | timeout 10 gnutls-cli --insecure --starttls-proto=ldap --port "$LAB_PORT_SLAPD" \
        --priority "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA:-GROUP-ALL:+GROUP-$1" 127.0.0.1 2>/dev/null |
        sed -n 's/^- Description: .*(DHE-\(FFDHE[0-9]*\)).*/\1/p' | tr 'A-Z' 'a-z'
    }
    ok_groups=()
    for g in FFDHE2048 FFDHE3072 FFDHE4096 FFDHE6144 FFDHE8192; do
      [ "$(ffdhe "$g")" = "${g,,}" ] && ok_groups+=("${g,,}")
    done
    assert_jq "oracle slapd: gnutls-cli's FFDHE groups" "$REPORT" "$(G slapd).dh.ffdhe_accepted | sort" \
      "$(printf '%s\n' "${ok_groups[@]}" | jq -R . | jq -sc sort)"
  else
    skip "oracle slapd: FFDHE groups" "gnutls-cli not installed"
  fi
fi
KX_ARGS=()
# The local OpenSSL cannot talk to the post-quantum-only server at all.
assert_eq "oracle pq: s_client -tls1_3 gets no key exchange" none "$(kx "$LAB_PORT_GRP_PQ" -tls1_3)"

