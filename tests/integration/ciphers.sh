#!/usr/bin/env bash
# The ciphers and groups probes (issue #3) against the lab: for every accepted version the
# exact suite set, whether the server imposes its own order (and then that order), labels,
# forward secrecy, the connection budget, and the groups / DH parameters each server accepts.
# The servers are configured in tests/lab/start.sh; change both together.
#
# How each expectation was checked by hand against the running lab (OpenSSL 3.0.19, nginx
# 1.22.1, GnuTLS 3.7.9; OPENSSL_CONF=/dev/null so no system policy interferes):
#  - Suite sets (OpenSSL, nginx, GnuTLS servers): one
#      openssl s_client -connect 127.0.0.1:PORT -tls1_2 -cipher 'NAME:@SECLEVEL=0'
#    per name of `openssl ciphers 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'` (158 names; -tls1 and
#    -tls1_1 for legacy), and `-tls1_3 -ciphersuites NAME` per TLS 1.3 suite. The sets below
#    are exactly the names that handshook. PSK and SRP suites, which s_client cannot offer,
#    were offered in a hand-built ClientHello (python) to legacy: handshake_failure.
#  - Server order: the remaining set offered forwards and reversed, dropping the pick each
#    round. Same pick both ways every round: server order (the picks give the order below);
#    different picks: the client decides (server_order false).
#  - Curves (TLS 1.2): `-cipher ECDHE -groups G` per X25519 X448 P-256 P-384 P-521 secp224r1
#    secp192r1 secp256k1 secp160r1 sect571r1 brainpoolP256r1/384r1/512r1. TLS 1.3 groups:
#    `-tls1_3 -groups G` per group; the preferred one from a hand-built TLS 1.3 hello with an
#    empty key_share, whose HelloRetryRequest names x25519 whatever the client's order.
#  - DH: the ServerKeyExchange of a hand-built hello offering the DHE suite: the prime was
#    compared byte for byte with `openssl genpkey -genparam -pkeyopt group:ffdhe2048`.
#  - Scripted servers (fake_server.py suites mode): hand-built ClientHellos: each listed suite
#    is chosen, suites outside the list get handshake_failure, server order as listed
#    (offering the list reversed, dropping the pick each round), older versions get
#    protocol_version, newer ones a downgraded ServerHello; sizelimit answers a 512-byte hello
#    payload and closes on 513.
#  - Labels and forward secrecy: from `tlsprobe --list-ciphers` (src/wire/cipher_class.c).
. "$(dirname "$0")/../lib.sh"

# ------------------------------------------------------------------------------- helpers

# pairs CODE:NAME...: the JSON list [[code, name], ...] in the given order.
pairs() { printf '%s\n' "$@" | jq -R 'split(":")' | jq -sc .; }
sorted() { jq -c 'sort' <<<"$1"; }
names_of() { jq -c '[.[][1]]' <<<"$1"; }

# run LABEL PORT: one tlsprobe run against localhost:PORT; sets E (the endpoint), C (its
# ciphers facts) and G (its groups facts) as jq expressions.
run() {
  LABEL=$1
  local t="localhost:$2"
  tp "$LABEL" --format json --ca-file "$LAB_CA" "$t"
  E=$(ep "$t")
  C="$E.facts.ciphers"
  G="$E.facts.groups"
  assert_jq "$LABEL: endpoint status ok" "$TP_OUT" "$E.status" '"ok"'
  assert_jq "$LABEL: ciphers probe status ok" "$TP_OUT" "$C.status" '"ok"'
  # Every server here answers every hello: each version complete, nothing closes when picked.
  assert_jq "$LABEL: every version complete, nothing undecided or closed on" "$TP_OUT" \
    "[$C.protocols[] | [.complete, .undecided, .closes_when_picked]] | unique" '[[true,[],[]]]'
}

# proto NAME: jq expression for the protocols[] entry of that version (exactly one).
proto() {
  printf '(%s.protocols | map(select(.name == "%s")) | if length == 1 then .[0] else error("\\(length) protocols named %s") end)' "$C" "$1" "$1"
}

# check_versions NAMES_JSON: the versions the ciphers probe covered (those versions accepted).
check_versions() {
  assert_jq "$LABEL: versions accepted" "$TP_OUT" "$E.facts.versions.accepted" "$1"
  assert_jq "$LABEL: one ciphers entry per accepted version, in order" "$TP_OUT" "[$C.protocols[].name]" "$1"
}

# check_suites VERSION SERVER_ORDER PAIRS_JSON: the exact suites of that version; with server
# order, in that order, else as a set.
check_suites() {
  local v=$1 order=$2 want=$3 p
  p=$(proto "$v")
  assert_jq "$LABEL: $v server_order" "$TP_OUT" "$p.server_order" "$order"
  if [ "$order" = true ]; then
    assert_jq "$LABEL: $v suites, in server order" "$TP_OUT" "[$p.suites[] | [.code, .name]]" "$want"
  else
    assert_jq "$LABEL: $v suite set" "$TP_OUT" "[$p.suites[] | [.code, .name]] | sort" "$(sorted "$want")"
  fi
  assert_jq "$LABEL: $v no suite listed twice" "$TP_OUT" "[$p.suites[].code] | length == (unique | length)" 'true'
}

# check_summary UNION_PAIRS_JSON FORWARD_SECRECY COUNTS_JSON SUITES_OVER_VERSIONS VERSIONS [size-limited]:
# the union, forward secrecy, label counts, and the issue's connection budget for enumerating
# suites (accepted suites summed over versions + 2 per accepted version + 10; the groups and
# signatures probes ask other questions and are not counted).
check_summary() {
  local union=$1 fs=$2 counts=$3 nsuites=$4 nversions=$5
  local budget=$((nsuites + 2 * nversions + 10))
  assert_jq "$LABEL: accepted (union, IANA names)" "$TP_OUT" "$C.accepted | sort" "$(sorted "$(names_of "$union")")"
  assert_jq "$LABEL: forward_secrecy" "$TP_OUT" "$C.forward_secrecy" "\"$fs\""
  assert_jq "$LABEL: counts" "$TP_OUT" "$C.counts | [.recommended, .acceptable, .weak, .insecure]" "$counts"
  assert_jq "$LABEL: connections within budget ($budget)" "$TP_OUT" \
    "$C.connections | (type == \"number\" and . > 0 and . <= $budget)" 'true'
  # The budget covers the whole suite enumeration, the versions hellos too; not on a server
  # that drops long hellos, where every hello-sized chunk of the suite list costs a refusal.
  [ "${6:-}" = size-limited ] && return
  assert_jq "$LABEL: versions + ciphers connections within budget ($budget)" "$TP_OUT" \
    "($E.facts.versions.connections + $C.connections) <= $budget" 'true'
}

# check_cost CONNECTIONS REUSED: the ciphers probe's exact cost. The first pick of each
# version is the versions probe's answer (reused, no connection); each further pick is one
# connection, the refusal that ends a version one more, and telling the server's order from
# the client's one more only when the zigzag picks cannot (a server that follows the client).
# A version whose candidates likely hold six accepts or more is split (at the default
# --per-host 3, up to three parts) and its parts enumerated at once (suite_split.c): each
# part's refusal is one more, and with the server's own order one hello per boundary between
# parts, then a merge of the parts' heads where the server's order interleaves them.
check_cost() {
  assert_jq "$LABEL: ciphers connections, reused answers" "$TP_OUT" "[$C.connections, $C.reused_answers]" "[$1,$2]"
}

# check_classes PAIRS_JSON: [[name, class], ...] over every version, as a set.
check_classes() {
  assert_jq "$LABEL: class of each suite" "$TP_OUT" "[$C.protocols[].suites[] | [.name, .class]] | unique" \
    "$(jq -c unique <<<"$1")"
}

# check_suite_fields VERSION CODE FIELDS_JSON: the listed fields of one suite.
check_suite_fields() {
  local p keys
  p=$(proto "$1")
  keys=$(jq -c 'keys_unsorted' <<<"$3")
  assert_jq "$LABEL: $1 $2 fields" "$TP_OUT" \
    "$p.suites | map(select(.code == \"$2\")) | if length == 1 then .[0] else error(\"\\(length) suites $2\") end | . as \$s | \$k | map({(.): \$s[.]}) | add" \
    "$3" --argjson k "$keys"
}

# check_groups TLS13_JSON TLS12_CURVES_JSON DH_JSON: the groups facts; the accepted lists
# are compared as sets (null stays null).
check_groups() {
  assert_jq "$LABEL: groups probe status ok" "$TP_OUT" "$G.status" '"ok"'
  assert_jq "$LABEL: groups tls13" "$TP_OUT" "$G.tls13 | if . == null then null else {accepted: (.accepted | sort), preferred} end" "$1"
  assert_jq "$LABEL: groups tls12_curves" "$TP_OUT" "$G.tls12_curves | if . == null then null else sort end" "$2"
  assert_jq "$LABEL: groups dh" "$TP_OUT" "$G.dh | if . == null then null else {bits, group, well_known} end" "$3"
}

# ------------------------------------------------------------------------------- ciphers12
# s_server -tls1_2 -serverpref, five suites listed CBC first, DHE over ffdhe2048.
S=$(pairs 0xC013:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA 0x009C:TLS_RSA_WITH_AES_128_GCM_SHA256 \
  0xC030:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 0x009F:TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 \
  0xC02F:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
run ciphers12 "$LAB_PORT_CIPHERS12"
# OpenSSL 3.0 at SECLEVEL 1 refuses SHA-1 but still signs with RSA+SHA224 (checked with
# openssl s_client -tls1_2 -sigalgs RSA+SHA224 / RSA+SHA1 at SECLEVEL=0: the second fails).
assert_jq "$LABEL: TLS 1.2 signature schemes" "$TP_OUT" "$E.facts.signatures.tls12 | sort" \
  '["rsa_pkcs1_sha256","rsa_pkcs1_sha384","rsa_pkcs1_sha512","rsa_pss_rsae_sha256","rsa_pss_rsae_sha384","rsa_pss_rsae_sha512","rsa_sha224"]'
assert_jq "$LABEL: no TLS 1.3, no TLS 1.3 signature schemes" "$TP_OUT" "$E.facts.signatures.tls13" null
check_versions '["TLSv1.2"]'
check_suites TLSv1.2 true "$S"
check_summary "$S" some '[3,0,2,0]' 5 1
# 11, one answer kept: the order question first (every candidate but the kept answer, then it:
# picked again, the server's order), then three parts cut where a block of suites ends
# (suite_split.c: forward secrecy or not, AEAD or not; a part more than the share asks, so
# that each part's finds rank above the next's), their refusals and the boundary questions.
check_cost 11 1
check_classes '[["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA","weak"],["TLS_RSA_WITH_AES_128_GCM_SHA256","weak"],
  ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384","recommended"],["TLS_DHE_RSA_WITH_AES_256_GCM_SHA384","recommended"],
  ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256","recommended"]]'
check_suite_fields TLSv1.2 0xC02F '{"openssl_name":"ECDHE-RSA-AES128-GCM-SHA256","kx":"ECDHE","au":"RSA",
  "cipher":"AES_128_GCM","bits":128,"mac":"AEAD","aead":true,"forward_secrecy":true,"class":"recommended","why":""}'
check_suite_fields TLSv1.2 0x009C '{"openssl_name":"AES128-GCM-SHA256","kx":"RSA","forward_secrecy":false,
  "class":"weak","why":"no forward secrecy","kx_group":null}'
check_suite_fields TLSv1.2 0xC013 '{"aead":false,"mac":"SHA1","class":"weak","why":"CBC mode; SHA-1 MAC"}'
check_suite_fields TLSv1.2 0x009F '{"kx":"DHE","kx_group":"ffdhe2048"}'
# s_server's default TLS 1.2 curves.
check_groups null '["secp256r1","secp384r1","secp521r1","x25519","x448"]' '{"bits":2048,"group":"ffdhe2048","well_known":true}'

# ------------------------------------------------------------------------------- ciphers13
# s_server -tls1_3 -serverpref, three suites, groups X25519:P-384. (The order differs from
# tlsprobe's strength order, which puts CHACHA20 before AES_128_GCM, so it proves the
# reported order is the server's.)
S=$(pairs 0x1301:TLS_AES_128_GCM_SHA256 0x1303:TLS_CHACHA20_POLY1305_SHA256 0x1304:TLS_AES_128_CCM_SHA256)
run ciphers13 "$LAB_PORT_CIPHERS13"
check_versions '["TLSv1.3"]'
check_suites TLSv1.3 true "$S"
check_summary "$S" all '[3,0,0,0]' 3 1
# 4: the kept answer 0x1301 (reused); the order question offers the versions probe's pick
# last (suite_split.c, ask_order): the server takes it again, its own order; then the two
# other picks and the refusal.
check_cost 4 1
check_suite_fields TLSv1.3 0x1304 '{"cipher":"AES_128_CCM","aead":true,"forward_secrecy":true,"class":"recommended","why":""}'
check_groups '{"accepted":["secp384r1","x25519"],"preferred":"x25519"}' null null

# ------------------------------------------------------------------------------- nginx
S=$(pairs 0xC013:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA 0xC030:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 \
  0xCCA8:TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256)
run nginx_pref "$LAB_PORT_NGINX_PREF"
check_versions '["TLSv1.2"]'
check_suites TLSv1.2 true "$S"
check_summary "$S" all '[2,0,1,0]' 3 1
# As ciphers12 (the server's order, three parts at block ends): 6, one answer kept.
check_cost 6 1
# The everything-hello negotiated TLS 1.2, so TLS 1.2 got no hello of its own; its answer (an
# ECDHE suite on secp384r1, signed) is also the first pick of the curve and signature rounds.
assert_jq "$LABEL: versions connections: five versions alone plus the everything-hello" "$TP_OUT" \
  "$E.facts.versions.connections" 6
assert_jq "$LABEL: groups and signatures reuse the versions answer" "$TP_OUT" \
  "[$G.reused_answers, $E.facts.signatures.reused_answers]" '[1,1]'
# With server preference OpenSSL also picks the curve in the server's order (s_client
# -groups P-256:P-384 still got P-384).
check_suite_fields TLSv1.2 0xC030 '{"kx_group":"secp384r1"}'
check_groups null '["secp256r1","secp384r1"]' null

run nginx_nopref "$LAB_PORT_NGINX_NOPREF"
check_versions '["TLSv1.2"]'
check_suites TLSv1.2 false "$S"
check_summary "$S" all '[2,0,1,0]' 3 1
# 4: the kept answer 0xC030 (reused); the order question offers 0xC030 last: 0xCCA8 picked,
# the client's order and a find (no other order hello); two parts of equal weight (the
# client's order needs no merge): 0xC013 and a refusal, the other part a refusal.
check_cost 4 1
check_groups null '["secp256r1","secp384r1"]' null

# ------------------------------------------------------------------------------- gnutls_chacha
# GnuTLS with an RSA key keeps ECDHE-RSA, RSA and DHE-RSA of its CHACHA20 / AES-128-GCM list,
# in its priority order (kx ECDHE before RSA before DHE). Its DHE group follows RFC 7919: the
# RFC 7919 ffdhe2048 prime for hand-built hellos whose supported_groups had no FFDHE group,
# none at all, {ffdhe2048}, or ffdhe2048 with others in any order; only a list of larger FFDHE
# groups without ffdhe2048 (e.g. {ffdhe3072}) gets a larger one. So dh is ffdhe2048 unless the
# probe offers just the larger groups.
S=$(pairs 0xCCA8:TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 0xC02F:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 \
  0x009C:TLS_RSA_WITH_AES_128_GCM_SHA256 0xCCAA:TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 \
  0x009E:TLS_DHE_RSA_WITH_AES_128_GCM_SHA256)
run gnutls_chacha "$LAB_PORT_GNUTLS_CHACHA"
# GnuTLS NORMAL still signs with SHA-1 when asked (checked: openssl s_client -tls1_2
# -cipher ALL:@SECLEVEL=0 -sigalgs RSA+SHA1 gets "Peer signing digest: SHA1").
assert_jq "$LABEL: TLS 1.2 signature schemes" "$TP_OUT" "$E.facts.signatures.tls12 | sort" \
  '["rsa_pkcs1_sha1","rsa_pkcs1_sha256","rsa_pkcs1_sha384","rsa_pkcs1_sha512","rsa_pss_rsae_sha256","rsa_pss_rsae_sha384","rsa_pss_rsae_sha512"]'
check_versions '["TLSv1.2"]'
check_suites TLSv1.2 true "$S"
check_summary "$S" some '[4,0,1,0]' 5 1
# The server's order (see ciphers12): 11.
check_cost 11 2
check_groups null '["secp256r1","secp384r1","secp521r1","x25519","x448"]' '{"bits":2048,"group":"ffdhe2048","well_known":true}'

# ------------------------------------------------------------------------------- legacy_dh1024
S=$(pairs 0x0033:TLS_DHE_RSA_WITH_AES_128_CBC_SHA)
run legacy_dh1024 "$LAB_PORT_LEGACY_DH1024"
check_versions '["TLSv1.2"]'
check_suites TLSv1.2 null "$S"
check_summary "$S" all '[0,0,1,0]' 1 1
check_suite_fields TLSv1.2 0x0033 '{"kx_group":"DH 1024 (custom)"}'
check_groups null null '{"bits":1024,"group":null,"well_known":false}'

# ------------------------------------------------------------------------------- insecure
# Scripted TLS 1.0 server, server order: export, anonymous, NULL, RC4 and DES suites.
S=$(pairs 0x0003:TLS_RSA_EXPORT_WITH_RC4_40_MD5 0x0019:TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA \
  0x0002:TLS_RSA_WITH_NULL_SHA 0x0001:TLS_RSA_WITH_NULL_MD5 0x0005:TLS_RSA_WITH_RC4_128_SHA \
  0x0009:TLS_RSA_WITH_DES_CBC_SHA 0x0034:TLS_DH_anon_WITH_AES_128_CBC_SHA)
run insecure "$LAB_PORT_INSECURE"
assert_jq "$LABEL: no TLS 1.2, no signature schemes" "$TP_OUT" "$E.facts.signatures.tls12" 'null'
check_versions '["TLSv1.0"]'
check_suites TLSv1.0 true "$S"
# Anonymous DH is ephemeral: the two DH_anon suites count as forward secret.
check_summary "$S" some '[0,0,0,7]' 7 1
assert_jq "$LABEL: every suite insecure" "$TP_OUT" "[$C.protocols[].suites[].class] | unique" '["insecure"]'
assert_jq "$LABEL: export suites say export grade" "$TP_OUT" \
  "[$C.protocols[].suites[] | select(.code == \"0x0003\" or .code == \"0x0019\") | .why | contains(\"export grade\")]" '[true,true]'
assert_jq "$LABEL: other suites do not say export grade" "$TP_OUT" \
  "[$C.protocols[].suites[] | select(.code != \"0x0003\" and .code != \"0x0019\") | .why | contains(\"export grade\")] | unique" '[false]'
assert_jq "$LABEL: no suite has an empty why" "$TP_OUT" "[$C.protocols[].suites[] | select(.why == \"\")] | length" '0'
check_suite_fields TLSv1.0 0x0003 '{"openssl_name":null,"cipher":"RC4_40","bits":40,"mac":"MD5","forward_secrecy":false}'
check_suite_fields TLSv1.0 0x0034 '{"au":"ANON","forward_secrecy":true,"why":"no authentication; CBC mode; SHA-1 MAC"}'

# ------------------------------------------------------------------------------- lastsuite
# Scripted TLS 1.2 server whose only suite sorts last in any strength order (331 of 354 in
# tlsprobe's; only PSK, KRB5-export and NULL-NULL suites come after it).
S=$(pairs 0x003B:TLS_RSA_WITH_NULL_SHA256)
run lastsuite "$LAB_PORT_LASTSUITE"
check_versions '["TLSv1.2"]'
check_suites TLSv1.2 null "$S"
check_summary "$S" none '[0,0,0,1]' 1 1
check_suite_fields TLSv1.2 0x003B '{"class":"insecure","why":"no encryption; no forward secrecy"}'

# ------------------------------------------------------------------------------- sizelimit
# Scripted TLS 1.2 server that closes on ClientHellos with more than 512 bytes of record
# payload: a prober offering every TLS 1.2 suite (over 600 bytes of suites alone) in one
# hello sees nothing, so both probes must keep their hellos small (RFC 7685 padding to
# exactly 512 is fine).
S=$(pairs 0xC02F:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 0x009C:TLS_RSA_WITH_AES_128_GCM_SHA256 \
  0x002F:TLS_RSA_WITH_AES_128_CBC_SHA)
run sizelimit "$LAB_PORT_SIZELIMIT"
check_versions '["TLSv1.2"]'
check_suites TLSv1.2 true "$S"
check_summary "$S" some '[1,0,2,0]' 3 1 size-limited
# The versions probe learned the endpoint's shape (63 suites and the SCSV, compact extensions:
# 512 bytes with padding); the ciphers probe starts from it: five chunks of 63 and one of 4
# over the 319 TLS 1.2 suites, each ended by a refusal (6); 0xC02F in chunk 1 is the versions
# probe's kept answer, 0x009C (chunk 3) and 0x002F (chunk 4) cost one each (2); the pair hello
# tells the server's order (1), which finds from three chunks only show in part: two hellos
# offering the rest recover it (2).
check_cost 11 1
assert_jq "$LABEL: TLS 1.2 decided by a hello cut to the endpoint's shape" "$TP_OUT" \
  "$E.facts.versions.protocols[4] | [.accepted, .hello_size_limited]" '[true,true]'


# ------------------------------------------------------------------------------- tls13
# s_server -tls1_3 with OpenSSL 3.0's defaults: three suites, the client's order wins.
S=$(pairs 0x1302:TLS_AES_256_GCM_SHA384 0x1303:TLS_CHACHA20_POLY1305_SHA256 0x1301:TLS_AES_128_GCM_SHA256)
run tls13 "$LAB_PORT_TLS13"
check_versions '["TLSv1.3"]'
check_suites TLSv1.3 false "$S"
check_summary "$S" all '[3,0,0,0]' 3 1
# 3: the kept answer 0x1302 (reused); the first hello offers the other suites and 0x1302 last:
# 0x1303 picked, the client's order (no order hello); 0x1301, the refusal.
check_cost 3 1
# TLS 1.3 signature schemes, from full handshakes: an RSA key signs only with RSA-PSS in TLS 1.3
# (checked: openssl s_client -tls1_3 -sigalgs rsa_pss_rsae_sha384 gets "Peer signing digest:
# SHA384"; -sigalgs rsa_pss_pss_sha256 or ecdsa_secp256r1_sha256 gets handshake_failure).
assert_jq "$LABEL: TLS 1.3 signature schemes" "$TP_OUT" "$E.facts.signatures | [.tls12, (.tls13 | sort)]" \
  '[null,["rsa_pss_rsae_sha256","rsa_pss_rsae_sha384","rsa_pss_rsae_sha512"]]'
assert_jq "$LABEL: signatures connections: three schemes and the refusal" "$TP_OUT" "$E.facts.signatures.connections" 4
# OpenSSL 3.0's default groups, FFDHE included (s_client -tls1_3 -groups G handshook with each).
# (Group order: OpenSSL servers name their own favourite in a HelloRetryRequest even without
# -serverpref; tests/integration/groups_field.sh asserts orders.)
assert_jq "$LABEL: groups tls13 accepted" "$TP_OUT" "$G.tls13.accepted | sort" \
  '["ffdhe2048","ffdhe3072","ffdhe4096","ffdhe6144","ffdhe8192","secp256r1","secp384r1","secp521r1","x25519","x448"]'
assert_jq "$LABEL: groups tls12_curves, dh" "$TP_OUT" "[$G.tls12_curves, $G.dh]" '[null,null]'
# (Last in this block: the text run replaces the JSON report in TP_OUT.)
tp "$LABEL text" --no-color --probes signatures --ca-file "$LAB_CA" "localhost:$LAB_PORT_TLS13"
assert_file_contains "$LABEL: text report lists the TLS 1.3 schemes" "$TP_OUT" \
  "Signatures   TLSv1.3: rsa_pss_rsae_sha"

# ------------------------------------------------------------------------------- legacy
# s_server TLS 1.0 + 1.1, DEFAULT:@SECLEVEL=0: OpenSSL 3.0's DEFAULT has no 3DES, RC4,
# CAMELLIA or SEED, and the SHA-256 / GCM suites need TLS 1.2, so six CBC-SHA suites remain
# (PSK / SRP ones need a server callback: refused). No -serverpref: the client's order wins.
S=$(pairs 0xC014:TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA 0x0039:TLS_DHE_RSA_WITH_AES_256_CBC_SHA \
  0xC013:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA 0x0033:TLS_DHE_RSA_WITH_AES_128_CBC_SHA \
  0x0035:TLS_RSA_WITH_AES_256_CBC_SHA 0x002F:TLS_RSA_WITH_AES_128_CBC_SHA)
run legacy "$LAB_PORT_LEGACY"
check_versions '["TLSv1.0","TLSv1.1"]'
check_suites TLSv1.0 false "$S"
check_suites TLSv1.1 false "$S"
check_summary "$S" some '[0,0,6,0]' 12 2
# 12: per version the kept answer (reused), the first hello with it offered last (a pick: the
# client's order, no order hello), four more picks and the refusal: 6 each.
check_cost 12 2
# DHE without -dhparam: OpenSSL 3.0 picks RFC 3526 group 14 (the prime of `openssl genpkey
# -genparam -pkeyopt group:modp_2048`, byte for byte); curves: the defaults (checked with -tls1).
check_groups null '["secp256r1","secp384r1","secp521r1","x25519","x448"]' '{"bits":2048,"group":"RFC 3526 MODP 2048","well_known":true}'

# ------------------------------------------------------------------------------- sslv3 / sslv2
# Scripted servers (fake_server.py): SSLv3 picks the client's first of four suites; SSLv2
# lists every shared cipher kind in its SERVER-HELLO.
S=$(pairs 0x000A:TLS_RSA_WITH_3DES_EDE_CBC_SHA 0x0005:TLS_RSA_WITH_RC4_128_SHA \
  0x0004:TLS_RSA_WITH_RC4_128_MD5 0x002F:TLS_RSA_WITH_AES_128_CBC_SHA)
run sslv3 "$LAB_PORT_SSLV3"
check_versions '["SSLv3"]'
check_suites SSLv3 false "$S"
check_summary "$S" none '[0,0,1,3]' 4 1

run sslv2 "$LAB_PORT_SSLV2"
check_versions '["SSLv2"]'
S=$(pairs 0x010080:SSL_CK_RC4_128_WITH_MD5 0x0700C0:SSL_CK_DES_192_EDE3_CBC_WITH_MD5 \
  0x020080:SSL_CK_RC4_128_EXPORT40_WITH_MD5)
assert_jq "$LABEL: SSLv2 cipher kinds" "$TP_OUT" "[$(proto SSLv2).suites[] | [.code, .name]] | sort" "$(sorted "$S")"
assert_jq "$LABEL: SSLv2 kinds all insecure" "$TP_OUT" "[$(proto SSLv2).suites[].class] | unique" '["insecure"]'
assert_jq "$LABEL: the export kind says export grade" "$TP_OUT" \
  "[$(proto SSLv2).suites[] | select(.code == \"0x020080\") | .why | contains(\"export grade\")]" '[true]'
assert_jq "$LABEL: connections within budget (15)" "$TP_OUT" "$C.connections | (type == \"number\" and . > 0 and . <= 15)" 'true'
