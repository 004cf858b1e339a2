#!/usr/bin/env bash
# Enumeration on servers that misbehave the way deployed ones do (issue #11): the versions and
# ciphers probes against tests/lab/mod_enum.sh's servers, each of which closes the connection
# without a word on some hellos. Per server: the versions accepted (exactly, true/false/null),
# the suites per version (exact), complete / closes_when_picked / undecided, the 12.1.2 verdict
# and the grade at level 2, the exact connection cost (explained), what the scripted servers
# logged about the hellos they dropped, and the suite sets against nmap's ssl-enum-ciphers.
#
# How the expectations were checked by hand (OpenSSL 3.0, dovecot 2.3.19, nmap 7.93;
# OPENSSL_CONF=/dev/null):
#  - dovecot_dhe: `openssl s_client -tls1_2 -cipher NAME:@SECLEVEL=0` for every name of
#    `openssl ciphers 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'`: 11 handshake (the ECDHE-RSA suites
#    below), every other one ends in "unexpected eof" (dovecot never sends an alert), and its
#    log says "Diffie-Hellman key exchange requested, but no DH parameters provided" for the
#    DHE ones. The 17 suites it closes on when picked are exactly the Kx=DH Au=RSA lines of
#    `openssl ciphers -V -tls1_2 "$LIST"` (its ssl_cipher_list); asserted below from that command.
#  - every server: `nmap -p PORT --script +ssl-enum-ciphers 127.0.0.1` lists the same suites.
#  - scripted servers (fake_server.py): hand-built hellos show each listed suite chosen, the
#    --closes-on ones closed, and each drop rule exactly at its bound.
. "$(dirname "$0")/../lib.sh"

# The suites TLS 1.2 candidates tlsprobe offers, in its order (for the undecided count).
TLS12_CANDIDATES=$("$TLSPROBE" --list-ciphers | awk 'NR > 1 && $0 ~ /1\.2/' | wc -l)

# run LABEL PORT: one full run at level 2; sets E, V (versions facts), C (ciphers facts).
run() {
  LABEL=$1
  local t="localhost:$2"
  tp "$LABEL" --format json --level 2 --ca-file "$LAB_CA" "$t"
  E=$(ep "$t")
  V="$E.facts.versions"
  C="$E.facts.ciphers"
  assert_jq "$LABEL: versions and ciphers probes ok" "$TP_OUT" "[$V.status, $C.status]" '["ok","ok"]'
}

proto() {
  printf '(%s.protocols | map(select(.name == "%s")) | if length == 1 then .[0] else error("\\(length) protocols named %s") end)' "$C" "$1" "$1"
}

# check_versions ACCEPTED6_JSON: protocols[].accepted for SSLv2 .. TLSv1.3, exactly.
check_versions() {
  assert_jq "$LABEL: versions accepted (SSLv2..TLSv1.3)" "$TP_OUT" "[$V.protocols[].accepted]" "$1"
  assert_jq "$LABEL: accepted list agrees" "$TP_OUT" \
    "[$V.protocols[] | select(.accepted == true) | .name] == $V.accepted" 'true'
}

# check_suites VERSION SERVER_ORDER CODES_JSON: exact codes (in order with server order).
check_suites() {
  local p; p=$(proto "$1")
  assert_jq "$LABEL: $1 server_order" "$TP_OUT" "$p.server_order" "$2"
  if [ "$2" = true ]; then
    assert_jq "$LABEL: $1 suites, in server order" "$TP_OUT" "[$p.suites[].code]" "$3"
  else
    assert_jq "$LABEL: $1 suite set" "$TP_OUT" "[$p.suites[].code] | sort" "$(jq -c sort <<<"$3")"
  fi
}

# check_decided VERSION CLOSES_JSON: complete, nothing undecided, exactly these close when picked.
check_decided() {
  local p; p=$(proto "$1")
  assert_jq "$LABEL: $1 complete, nothing undecided" "$TP_OUT" "[$p.complete, $p.undecided]" '[true,[]]'
  assert_jq "$LABEL: $1 closes_when_picked" "$TP_OUT" "[$p.closes_when_picked[].code]" "$(jq -c sort <<<"$2")"
}

# check_cost VERSIONS CIPHERS REUSED: exact connections of both probes.
check_cost() {
  assert_jq "$LABEL: connections: versions, ciphers, reused answers" "$TP_OUT" \
    "[$V.connections, $C.connections, $C.reused_answers]" "[$1,$2,$3]"
}

# check_1_1_2 VERDICT: 12.1.2 (cipher suites) at level 2, and the grade is not A+.
check_verdict() {
  assert_jq "$LABEL: 12.1.2 $1" "$TP_OUT" "[$E.verdicts[] | select(.id == \"12.1.2\") | .result]" "[\"$1\"]"
  assert_jq "$LABEL: grade is not A+ (weak suites found)" "$TP_OUT" "$E.grade.grade != \"A+\"" 'true'
}

# nmap_sets PORT: {"TLSv1.2": [IANA names...], ...} from nmap's ssl-enum-ciphers (TLS 1.3
# suites are TLS_AKE_WITH_* there).
nmap_sets() {
  timeout 120 nmap -Pn -n -p "$1" --script +ssl-enum-ciphers 127.0.0.1 2>/dev/null |
    awk '/^\|   (SSLv3|TLSv1\.[0-3]):/ { v = $2; sub(":", "", v) }
         v != "" && /^\|       TLS_/ { print v, $2 }' |
    sed 's/ TLS_AKE_WITH_/ TLS_/' |
    jq -R -s -c 'split("\n") | map(select(length > 0) | split(" ")) | group_by(.[0]) |
                 map({key: .[0][0], value: (map(.[1]) | sort)}) | from_entries'
}

# check_nmap PORT: tlsprobe's suites per version equal nmap's.
check_nmap() {
  if ! command -v nmap >/dev/null 2>&1; then
    skip "$LABEL: suites equal nmap's" "nmap not installed"
    return
  fi
  local want; want=$(nmap_sets "$1")
  assert_jq "$LABEL: suites per version equal nmap ssl-enum-ciphers" "$TP_OUT" \
    "[$C.protocols[] | {key: .name, value: ([.suites[].name] | sort)}] | from_entries" "${want:-null}"
}

# logged NAME PORT PATTERN...: a run of the versions and ciphers probes alone (the other
# probes' hellos are theirs), then how many new lines of the scripted server's log match each
# PATTERN, as a JSON array. The server writes its line before it closes the connection, so
# every drop of a finished run is in the log.
logged() {
  local name=$1 port=$2 from p counts=()
  shift 2
  from=$(wc -l <"$LAB_DIR/logs/$name.log")
  tp "$name-enum-only" --format json --probes versions,ciphers --ca-file "$LAB_CA" "localhost:$port" >&2
  for p in "$@"; do
    counts+=("$(tail -n +"$((from + 1))" "$LAB_DIR/logs/$name.log" | grep -c -- "$p")")
  done
  (IFS=,; echo "[${counts[*]}]")
}

in_lab() { [[ " $LAB_SERVERS " == *" $1 "* ]]; }

# ------------------------------------------------------------------------------- dovecot_dhe
# dovecot 2.3, Debian's default cipher list with the DHE suites first, no ssl_dh, client's
# order: it closes whenever the client's first suite it lists is DHE, and on every refusal.
if in_lab dovecot_dhe; then
  run dovecot_dhe "$LAB_PORT_DOVECOT_DHE"
  # TLS 1.0 and 1.1 (and SSLv3) are closed on every hello tried: refused.
  check_versions '[false,false,false,false,true,true]'
  assert_jq "$LABEL: TLSv1.0 closed on every hello tried" "$TP_OUT" "$V.protocols[2].result" \
    '"closed on every hello tried (3 hellos)"'
  check_suites TLSv1.2 false '["0xC030","0xCCA8","0xC02F","0xC061","0xC060","0xC028","0xC014","0xC027","0xC013","0xC077","0xC076"]'
  DOVECOT_LIST='DHE:ALL:!kRSA:!SRP:!kDHd:!DSS:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!MD5:!PSK:!RC4:!ADH:!LOW'
  DHE_LISTED=$(OPENSSL_CONF=/dev/null openssl ciphers -V -tls1_2 "$DOVECOT_LIST" |
    awk '/Kx=DH / && /Au=RSA/ { sub(/,0x/, "", $1); print toupper(substr($1, 3)) }' | sed 's/^/0x/' | jq -R -s -c 'split("\n") | map(select(length > 0))')
  assert_jq "$LABEL: openssl lists 17 DHE-RSA suites in dovecot's cipher list" "$TP_OUT" "$DHE_LISTED | length" 17
  check_decided TLSv1.2 "$DHE_LISTED"
  check_suites TLSv1.3 false '["0x1302","0x1303","0x1301"]'
  check_decided TLSv1.3 '[]'
  # The CBC and SHA-1 suites that were missed before are found: 12.1.2 fails, no A+.
  check_verdict FAIL
  assert_jq "$LABEL: 12.1.2 names a CBC suite" "$TP_OUT" \
    "[$E.verdicts[] | select(.id == \"12.1.2\") | .evidence | test(\"CBC\")]" '[true]'
  # versions 14: the everything-hello (TLS 1.3, kept for TLS 1.3), SSLv2 (closed); SSLv3: its
  # 295-byte hello (no extensions, no padding: in the 256..511 window) closed, the ladder's two
  # new shapes (105 suites under 256 bytes, then 63) closed, the 125 suites in halves closed
  # (5); TLS 1.0 and 1.1: the hello, then ECDHE suites and the rest, all closed (3 + 3); TLS 1.2
  # accepted (1).
  # ciphers 92: TLS 1.3: two picks, the close that ends them, the pair hello that shows the
  # client's order, the 16 others in two halves offered before an accepted suite (the anchor),
  # which it picks: refused (6). TLS 1.2 (86): ten picks; every set it closed on split by key
  # exchange and in halves, each part offered before the anchor: picked (refused) or closed
  # again, down to each of the 17 DHE suites alone before the anchor. Reused: the first pick of
  # each version.
  check_cost 14 92 2
  check_nmap "$LAB_PORT_DOVECOT_DHE"
  # Its own log says why it closed (written by its login process: wait for it, bounded).
  for _ in $(seq 50); do
    grep -q "no DH parameters provided" "$LAB_DIR/logs/dovecot_dhe-server.log" 2>/dev/null && break
    sleep 0.1
  done
  if grep -q "no DH parameters provided" "$LAB_DIR/logs/dovecot_dhe-server.log" 2>/dev/null; then
    ok "$LABEL: dovecot logged the DHE picks it could not serve"
  else
    not_ok "$LABEL: dovecot logged the DHE picks it could not serve" "no 'no DH parameters provided' in its log"
  fi
else
  skip "dovecot_dhe" "not in this lab"
fi

# ------------------------------------------------------------------------------- poison
# Scripted, TLS 1.2, server order 0x009F 0x0033 0xC030 0xC013 0x009C 0x002F; closes when it
# picks either DHE suite, refuses with an alert otherwise. Its favourite is one it cannot
# serve, so every full hello is closed: only the split finds TLS 1.2 at all.
if in_lab poison; then
  run poison "$LAB_PORT_POISON"
  check_versions '[false,false,false,false,true,false]'
  check_suites TLSv1.2 true '["0xC030","0xC013","0x009C","0x002F"]'
  check_decided TLSv1.2 '["0x009F","0x0033"]'
  assert_jq "$LABEL: why: alone, on a server that refuses with an alert" "$TP_OUT" \
    "[$(proto TLSv1.2).closes_when_picked[].why] | unique" '["closed when offered alone; the server refuses others with an alert"]'
  check_verdict FAIL
  # versions 12: the everything-hello closed, the ladder's 4 shapes closed (each keeps 0x009F),
  # its ECDHE suites accepted (6); SSLv2 closed, SSLv3 / 1.0 / 1.1 protocol_version (4); TLS
  # 1.2 closed, its ECDHE part the kept answer (1); TLS 1.3 handshake_failure (1).
  # ciphers 30: the full list closed (1); ECDHE: kept answer, 0xC013, the pair hello (server
  # order), refusal (3); DHE closed (1), then its 63 codes bisected until 0x009F and 0x0033
  # are alone (18); RSA: two picks and the refusal (3); the rest refused (1); the server's
  # order over the four sets recovered (3).
  check_cost 12 30 1
  check_nmap "$LAB_PORT_POISON"
  # Closes logged: 5 everything-hellos, the TLS 1.2 hello, 12 in the enumeration; all picks.
  got=$(logged poison "$LAB_PORT_POISON" 'picked 0x009F\|picked 0x0033' 'closed without an alert')
  assert_jq "$LABEL: it closed only on 0x009F / 0x0033 picks, 18 times" "$TP_OUT" "$got" '[18,18]'
else
  skip "poison" "not in this lab"
fi

# ------------------------------------------------------------------------------- limit128 / limit64
# Scripted, TLS 1.2, only TLS_RSA_WITH_CAMELLIA_256_CBC_SHA (0x0084, 225th of tlsprobe's 319
# TLS 1.2 suites) and TLS_RSA_WITH_AES_128_GCM_SHA256 (0x009C, 167th), client's order; closes
# on hellos with more than 128 (64) cipher suite codes. Before, neither was found and the
# server was reported as speaking no TLS at all.
if in_lab limit128; then
  run limit128 "$LAB_PORT_LIMIT128"
  check_versions '[false,false,false,false,true,false]'
  assert_jq "$LABEL: TLS 1.2 decided by a hello cut to 128 codes" "$TP_OUT" "$V.protocols[4].hello_size_limited" 'true'
  assert_jq "$LABEL: preferred" "$TP_OUT" "[$V.preferred, $V.preferred_cipher]" '["TLSv1.2","TLS_RSA_WITH_AES_128_GCM_SHA256"]'
  check_suites TLSv1.2 false '["0x009C","0x0084"]'
  check_decided TLSv1.2 '[]'
  check_verdict FAIL
  # versions 10: everything (353 codes) closed, then 127 + SCSV refused (handshake_failure) and
  # the next 127 accepted 0x009C (3); SSLv2 closed; SSLv3, 1.0, 1.1 protocol_version; TLS 1.2:
  # chunk 1 refused, chunk 2 accepted (2); TLS 1.3 handshake_failure.
  # ciphers 5: chunk 1 refused, chunk 2 (kept answer: 0x009C) then 0x0084 then refused, chunk
  # 3 refused, the pair hello (client's order).
  check_cost 10 5 1
  check_nmap "$LAB_PORT_LIMIT128"
  got=$(logged limit128 "$LAB_PORT_LIMIT128" 'dropped: .* > --max-suites')
  assert_jq "$LABEL: one hello dropped for its size (the first)" "$TP_OUT" "$got" '[1]'
else
  skip "limit128" "not in this lab"
fi
if in_lab limit64; then
  run limit64 "$LAB_PORT_LIMIT64"
  check_versions '[false,false,false,false,true,false]'
  check_suites TLSv1.2 false '["0x009C","0x0084"]'
  check_decided TLSv1.2 '[]'
  check_verdict FAIL
  # versions 13: everything closed, 127 closed, 63 (compact extensions) refused, then two more
  # chunks of 63 to the accept (5); SSLv2; SSLv3, 1.0, 1.1 (3); TLS 1.2: chunks 1 and 2
  # refused, chunk 3 accepted (3); TLS 1.3 (1).
  # ciphers 8: five chunks of 63 refused (chunk 3 after the kept answer, chunk 4 after 0x0084),
  # 0x0084, the pair hello.
  check_cost 13 8 1
  check_nmap "$LAB_PORT_LIMIT64"
  got=$(logged limit64 "$LAB_PORT_LIMIT64" 'dropped: .* > --max-suites')
  assert_jq "$LABEL: two hellos dropped for their size (the first and the ladder's 128)" "$TP_OUT" "$got" '[2]'
else
  skip "limit64" "not in this lab"
fi

# ------------------------------------------------------------------------------- sizewindow
# Scripted, TLS 1.2, server order; drops hellos whose record payload is 256..511 bytes (the F5
# bug). Hellos with extensions are padded to 512 (RFC 7685); the SSLv3 hello (no extensions)
# is 295 bytes: dropped once, which teaches the endpoint, and never again.
if in_lab sizewindow; then
  run sizewindow "$LAB_PORT_SIZEWINDOW"
  check_versions '[false,false,false,false,true,false]'
  assert_jq "$LABEL: SSLv3 refused by a hello cut below 256 bytes" "$TP_OUT" \
    "[$V.protocols[1].result, $V.protocols[1].hello_size_limited]" '["alert protocol_version(70)",true]'
  check_suites TLSv1.2 true '["0xC02F","0xC013","0x009C","0x002F"]'
  check_decided TLSv1.2 '[]'
  check_verdict FAIL
  # versions 7: everything accepted (its answer stands for TLS 1.2), SSLv2, SSLv3 dropped then
  # 105 suites refused (2), 1.0, 1.1, 1.3 refused. ciphers 4: three picks after the kept answer,
  # the refusal; the zigzag picks show the server's order.
  check_cost 7 4 1
  check_nmap "$LAB_PORT_SIZEWINDOW"
  got=$(logged sizewindow "$LAB_PORT_SIZEWINDOW" 'in the window' 'payload of 295 bytes')
  assert_jq "$LABEL: only the first SSLv3 hello fell in the window" "$TP_OUT" "$got" '[1,1]'
else
  skip "sizewindow" "not in this lab"
fi

# ------------------------------------------------------------------------------- extintolerant
# Scripted, TLS 1.2, server order; drops hellos with any extension outside server_name,
# supported_groups, ec_point_formats, signature_algorithms, session_ticket, renegotiation_info.
if in_lab extintolerant; then
  run extintolerant "$LAB_PORT_EXTINTOLERANT"
  # TLS 1.3 needs supported_versions and key_share: closed on every hello, so refused.
  check_versions '[false,false,false,false,true,false]'
  assert_jq "$LABEL: TLSv1.3 closed on every hello tried" "$TP_OUT" "$V.protocols[5].result" \
    '"closed on every hello tried (3 hellos)"'
  check_suites TLSv1.2 true '["0xC02F","0xC013","0x009C"]'
  check_decided TLSv1.2 '[]'
  check_verdict FAIL
  # versions 11: everything closed, with 128 codes closed, compact closed, only old extensions
  # (a TLS 1.2 hello, no padding) accepted (4); SSLv2; SSLv3, 1.0, 1.1 refused (3); TLS 1.2 the
  # kept answer; TLS 1.3 closed, then in halves (3). ciphers 3: two picks, the refusal.
  check_cost 11 3 1
  check_nmap "$LAB_PORT_EXTINTOLERANT"
  got=$(logged extintolerant "$LAB_PORT_EXTINTOLERANT" 'unknown extension types')
  assert_jq "$LABEL: dropped for unknown extensions: three everything-hellos, three TLS 1.3" "$TP_OUT" "$got" '[6]'
else
  skip "extintolerant" "not in this lab"
fi

# ------------------------------------------------------------------------------- closerefusal
# Scripted, TLS 1.2, server order 0x0033 0xC02F 0x009C, closes when it picks 0x0033 and on
# every refusal (no alert ever). Refused and "closes when picked" cannot be told apart: what
# is found must be right, and the rest undecided, never refused.
if in_lab closerefusal; then
  run closerefusal "$LAB_PORT_CLOSEREFUSAL"
  check_versions '[false,false,false,false,true,false]'
  check_suites TLSv1.2 true '["0xC02F","0x009C"]'
  P=$(proto TLSv1.2)
  assert_jq "$LABEL: TLSv1.2 not complete" "$TP_OUT" "$P.complete" 'false'
  assert_jq "$LABEL: every other candidate undecided (none refused, none claimed)" "$TP_OUT" \
    "[($P.undecided | length), ($P.closes_when_picked | length)]" "[$((TLS12_CANDIDATES - 2)),0]"
  assert_jq "$LABEL: undecided reasons" "$TP_OUT" "[$P.undecided[].reason] | unique" \
    '["closed when offered alone, and the server closes on refusals too","hello budget spent on a server that closes on hellos"]'
  assert_jq "$LABEL: 0x0033 undecided" "$TP_OUT" "[$P.undecided[] | select(.code == \"0x0033\")] | length" 1
  assert_jq "$LABEL: 12.1.2 not PASS" "$TP_OUT" "[$E.verdicts[] | select(.id == \"12.1.2\") | .result != \"PASS\"]" '[true]'
  # ciphers 130: the budget (128 hellos once a hello was closed) and the two before it.
  check_cost 22 130 1
  check_nmap "$LAB_PORT_CLOSEREFUSAL"
else
  skip "closerefusal" "not in this lab"
fi

# ------------------------------------------------------------------------------- hangpick
# Scripted, TLS 1.2, server order 0xC030 0xC02F 0x009C; when it picks 0xC02F it answers
# nothing. A timeout is no refusal: what hellos that time out leave open is undecided, and
# after three timeouts (each costs the whole --timeout) no more hellos are spent on it.
if in_lab hangpick; then
  run hangpick "$LAB_PORT_HANGPICK"
  check_versions '[false,false,false,false,true,false]'
  check_suites TLSv1.2 true '["0xC030","0x009C"]'
  P=$(proto TLSv1.2)
  assert_jq "$LABEL: TLSv1.2 not complete, 0xC02F undecided" "$TP_OUT" \
    "[$P.complete, ([$P.undecided[] | select(.code == \"0xC02F\")] | length)]" '[false,1]'
  # The ECDHE suites left once 0xC030 was found, halved twice: the quarter with 0xC02F timed
  # out the fourth time, its sibling quarter was not offered (2 x 11). Everything else was
  # decided by an answer.
  assert_jq "$LABEL: undecided: 22 ECDHE suites, after repeated timeouts" "$TP_OUT" \
    "[($P.undecided | length), ([$P.undecided[].name | startswith(\"TLS_ECDHE_\")] | all), ([$P.undecided[].reason] | unique)]" \
    '[22,true,["not offered again after repeated timeouts"]]'
  assert_jq "$LABEL: 12.1.2 not PASS" "$TP_OUT" "[$E.verdicts[] | select(.id == \"12.1.2\") | .result != \"PASS\"]" '[true]'
  # versions 6, as any server that answers. ciphers 11: five hellos unanswered (the list
  # without 0xC030; its ECDHE part, twice: no padded TLS 1.2 hello had been answered yet, so
  # the ladder tried its compact shape once; the ECDHE half and quarter with 0xC02F), 0x009C,
  # the pair hello, the refusals of the DHE part, the rest of RSA, the other part and the
  # ECDHE half without 0xC02F; reused: the first pick and the order recovery's hello (the
  # everything-hello's answer).
  check_cost 6 11 2
  check_nmap "$LAB_PORT_HANGPICK"
else
  skip "hangpick" "not in this lab"
fi

# ============================================================ groups facts (issue #11, groups2)
# The groups probe on the same servers (only assertions about the groups facts here): its
# hellos are cut to the shapes each server answers, a close is no refusal, and every set is
# exact and decided. One run of the groups probe (and the versions probe it needs) over every
# server of this module in the lab; the exact connections of the groups probe on each.
GROUPS_INV=$TEST_TMP/enum-groups.yaml
{
  echo "defaults:"
  echo "  ca: $LAB_CA"
  echo "targets:"
  for s in dovecot_dhe poison limit128 limit64 sizewindow extintolerant closerefusal hangpick; do
    v=LAB_PORT_${s^^}
    in_lab "$s" && echo "  - { host: localhost, port: ${!v}, tags: [$s] }"
  done
} >"$GROUPS_INV"
tp enum-groups --format json --probes groups -f "$GROUPS_INV"
GR=$TP_OUT
GG() { printf '(.endpoints | map(select(.tags == ["%s"])) | if length == 1 then .[0] else error("%s") end).facts.groups' "$1" "$1"; }
CURVES2='["secp256r1","x25519"]'

# groups_of NAME CURVES_SORTED_JSON CONNECTIONS REUSED: status ok, no DH group, no TLS 1.3 (but
# on dovecot_dhe), the TLS 1.2 curves (a set; every one of these servers follows the client's
# curve order, or has none), nothing undecided or never chosen, and the exact cost.
groups_of() {
  local g; g=$(GG "$1")
  assert_jq "$1 groups: status ok, no DH group" "$GR" "[$g.status, $g.dh]" '["ok",null]'
  [ "$1" = dovecot_dhe ] || assert_jq "$1 groups: no TLS 1.3" "$GR" "$g.tls13" null
  if [ "$2" = null ]; then
    assert_jq "$1 groups: no ECDHE curve, nothing open" "$GR" \
      "[$g.tls12_curves, $g.tls12_curves_undecided, $g.tls12_curves_never_chosen, $g.tls12_curves_server_order]" '[null,null,null,null]'
  else
    assert_jq "$1 groups: TLS 1.2 curves, the client's order" "$GR" "[($g.tls12_curves | sort), $g.tls12_curves_server_order]" "[$2,false]"
    assert_jq "$1 groups: nothing undecided or never chosen" "$GR" \
      "[$g.tls12_curves_undecided, $g.tls12_curves_never_chosen, $g.tls12_certificate_curve]" '[[],[],null]'
  fi
  assert_jq "$1 groups: connections, reused answers" "$GR" "[$g.connections, $g.reused_answers]" "[$3,$4]"
}

# dovecot_dhe: OpenSSL's default groups (TLS 1.3: the HelloRetryRequest group in its own order)
# and curves (the client's order); it closes on every refusal and on every DHE pick, so no DH
# group at all (the ciphers probe finds its DHE suites closing when picked).
if in_lab dovecot_dhe; then
  g=$(GG dovecot_dhe)
  assert_jq "dovecot_dhe groups: status ok, TLS 1.3 groups in its order, nothing undecided" "$GR" \
    "[$g.status, $g.tls13.accepted, $g.tls13.server_order, $g.tls13.preferred, $g.tls13.undecided]" \
    '["ok",["x25519","secp256r1","x448","secp521r1","secp384r1","ffdhe2048","ffdhe3072","ffdhe4096","ffdhe6144","ffdhe8192"],true,"x25519",[]]'
  # 64: TLS 1.3 ten picks, the close, the other 44 groups alone, each closed on (55; the zigzag
  # picks showed its own order); TLS 1.2 four picks (the first reused), the close, the pair
  # hello (the client's order), the rest offered before x25519, which it took (7); DH: curves
  # only closed, with the FFDHE groups closed (2).
  groups_of dovecot_dhe '["secp256r1","secp384r1","secp521r1","x25519","x448"]' 64 1
  # s_client: each TLS 1.3 group and TLS 1.2 curve it can offer, alone.
  got13=() got12=()
  for c in X25519:x25519 X448:x448 P-256:secp256r1 P-384:secp384r1 P-521:secp521r1 ffdhe2048:ffdhe2048 \
           ffdhe3072:ffdhe3072 brainpoolP256r1:brainpoolP256r1 secp256k1:secp256k1; do
    for v in 3 2; do
      line=$(echo | OPENSSL_CONF=/dev/null timeout 10 openssl s_client -connect "127.0.0.1:$LAB_PORT_DOVECOT_DHE" \
             "-tls1_$v" -cipher 'ECDHE:@SECLEVEL=0' -groups "${c%%:*}" 2>/dev/null | grep -m1 '^Server Temp Key:')
      [ -n "$line" ] || continue
      if [ "$v" = 3 ]; then got13+=("\"${c#*:}\""); else got12+=("\"${c#*:}\""); fi
    done
  done
  assert_jq "dovecot_dhe groups: s_client's TLS 1.3 groups" "$GR" \
    "[$g.tls13.accepted[] | select(IN(\"x25519\",\"x448\",\"secp256r1\",\"secp384r1\",\"secp521r1\",\"ffdhe2048\",\"ffdhe3072\",\"brainpoolP256r1\",\"secp256k1\"))] | sort" \
    "$(jq -nc "[$(IFS=,; echo "${got13[*]}")] | sort")"
  assert_jq "dovecot_dhe groups: s_client's TLS 1.2 curves" "$GR" \
    "[$g.tls12_curves[] | select(IN(\"x25519\",\"x448\",\"secp256r1\",\"secp384r1\",\"secp521r1\",\"brainpoolP256r1\",\"secp256k1\"))] | sort" \
    "$(jq -nc "[$(IFS=,; echo "${got12[*]}")] | sort")"
else
  skip "dovecot_dhe groups" "not in this lab"
fi
# poison: the versions answer (x25519), secp256r1, the rest refused with an alert, the pair
# hello; DH: its DHE favourite closed on, with or without FFDHE groups (2).
in_lab poison && groups_of poison "$CURVES2" 5 1
# limit128 / limit64: no ECDHE suite (the hello of 45 ECDHE suites fits both limits: refused);
# DH: 63 DHE suites refused, with the FFDHE groups refused.
in_lab limit128 && groups_of limit128 null 3 0
in_lab limit64 && groups_of limit64 null 3 0
# sizewindow: padded hellos stay out of the window: as poison.
in_lab sizewindow && groups_of sizewindow "$CURVES2" 5 1
# extintolerant: hellos with the old extensions only and under 256 bytes, so 34 of the 45
# ECDHE suites in the first (answered); x25519, secp256r1, the refusal, the pair hello (4); DH:
# the DHE suites in two chunks, then with FFDHE groups in three, all refused (5). Before, its
# curves were unknown and the grade was refused for it.
if in_lab extintolerant; then
  groups_of extintolerant "$CURVES2" 9 0
  tp extintolerant-grade --format json --level 2 --ca-file "$LAB_CA" "localhost:$LAB_PORT_EXTINTOLERANT"
  assert_jq "extintolerant: the grade no longer lacks its curves" "$TP_OUT" \
    "$(ep "localhost:$LAB_PORT_EXTINTOLERANT").grade | [(.reason // \"\" | test(\"curves\")), (.grade | type)]" '[false,"string"]'
fi
# closerefusal: closes on refusals too: x25519 (a new connection: the versions probe kept no
# answer in these suites' order), secp256r1, the rest closed on, the pair hello (the client's
# order), the rest before x25519, taken: refused (5); DH: closed twice (2).
in_lab closerefusal && groups_of closerefusal "$CURVES2" 7 0
# hangpick: never picks the suite it hangs on in an ECDHE hello (0xC030 first): as poison.
in_lab hangpick && groups_of hangpick "$CURVES2" 5 1
