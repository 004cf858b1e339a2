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
#    --closes-on ones closed, and each drop rule exactly at its bound. The splitorder servers'
#    order: `openssl s_client -tls1_2 -cipher A:B -trace` with 0xC013 and 0x009C both ways
#    (0x009C both times, but splitorder_client: the first offered), 0x0033 alone closed.
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

# check_verdict_exactly VERDICT EVIDENCE [ID]: that requirement (default 12.1.2) at level 2,
# result and evidence exactly, and the grade is not A+.
check_verdict_exactly() {
  local id=${3:-12.1.2}
  assert_jq "$LABEL: $id $1, evidence exactly" "$TP_OUT" \
    "[$E.verdicts[] | select(.id == \"$id\") | [.result, .evidence]]" "$(jq -cn --arg r "$1" --arg e "$2" '[[$r, $e]]')"
  assert_jq "$LABEL: grade is not A+ ($id $1)" "$TP_OUT" "$E.grade.grade != \"A+\"" 'true'
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
  # The server logs a close after it closes: the last line may come after tlsprobe exits.
  local lines=-1 tries=0
  while [ "$lines" != "$(wc -l <"$LAB_DIR/logs/$name.log")" ] && [ $tries -lt 20 ]; do
    lines=$(wc -l <"$LAB_DIR/logs/$name.log")
    tries=$((tries + 1))
    sleep 0.1
  done
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
  # TLS 1.0 and 1.1 (and SSLv3) are closed on every hello tried, each key exchange on its
  # own too: refused.
  check_versions '[false,false,false,false,true,true]'
  assert_jq "$LABEL: TLSv1.0 closed on every hello tried" "$TP_OUT" "$V.protocols[2].result" \
    '"closed on every hello tried (5 hellos)"'
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
  # versions 20: the everything-hello (TLS 1.3, kept for TLS 1.3), SSLv2 (closed); SSLv3: its
  # 295-byte hello (no extensions, no padding: in the 256..511 window) closed, the ladder's two
  # new shapes (105 suites under 256 bytes, then 63) closed, the 125 suites as their four key
  # exchanges (ECDHE, DHE, RSA, the rest) closed (7); TLS 1.0 and 1.1: the hello, then its
  # four key exchanges, all closed (5 + 5); TLS 1.2 accepted (1).
  # ciphers 92: TLS 1.3: two picks, the close that ends them, the pair hello that shows the
  # client's order, the 16 others in two halves offered before an accepted suite (the anchor),
  # which it picks: refused (6). TLS 1.2 (86): ten picks; every set it closed on split by key
  # exchange and in halves, each part offered before the anchor: picked (refused) or closed
  # again, down to each of the 17 DHE suites alone before the anchor. Reused: the first pick of
  # each version.
  check_cost 20 92 2
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
  # Since the ciphers probe splits a version in parts (suite_split.c, #16), ciphers costs 32
  # (reused 1, the kept answer): two parts at once (the endpoint's budget, probe_chain_budget),
  # each closed on at its first hello, and the early order question asked with them; the
  # engine that holds then decides what they left (its pair hello, bisection and order
  # recovery as described next for the sequential run, which cost 30).
  # versions 12: the everything-hello closed, the ladder's 4 shapes closed (each keeps 0x009F),
  # its ECDHE suites accepted (6); SSLv2 closed, SSLv3 / 1.0 / 1.1 protocol_version (4); TLS
  # 1.2 closed, its ECDHE part the kept answer (1); TLS 1.3 handshake_failure (1).
  # ciphers 30: the full list closed (1); ECDHE: kept answer, 0xC013, the pair hello (server
  # order), refusal (3); DHE closed (1), then its 63 codes bisected until 0x009F and 0x0033
  # are alone (18); RSA: two picks and the refusal (3); the rest refused (1); the server's
  # order over the four sets recovered (3).
  # Since parts count nginx's default suites as half likely and the share is rounded up
  # (suite_split.c), the version is cut differently: 30; one close fewer (19). Since they
  # count them at a tenth until the version is seen to take one: two parts, 33, two kept.
  check_cost 12 33 2
  check_nmap "$LAB_PORT_POISON"
  # Closes logged: 5 everything-hellos, the TLS 1.2 hello, 14 in the enumeration (a part's
  # first close, then the bisection); all picks.
  got=$(logged poison "$LAB_PORT_POISON" 'picked 0x009F\|picked 0x0033' 'closed without an alert')
  # 20 with two parts in runs by hand; one pick fewer seen once in a full suite, as on dhersa
  # below (cause not found yet: issue #16's note): 19 or 20, every close a pick.
  assert_jq "$LABEL: it closed only on 0x009F / 0x0033 picks, 20 times (or 19)" "$TP_OUT" \
    "$got | (.[0] == .[1]) and (.[0] == 20 or .[0] == 19)" 'true'
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
  # ciphers 9: five chunks of 63 refused (chunk 3 after the kept answer, chunk 4 after 0x0084),
  # 0x0084, and the order: the two suites came from different chunks (neither was offered with
  # the other), so the pair is offered both ways: each time the first is picked (2).
  check_cost 13 9 1
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
  # A weak suite found is a FAIL whatever is undecided; the evidence says the set is not whole.
  check_verdict_exactly FAIL "TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256 (weak: no forward secrecy) (enumeration incomplete: $((TLS12_CANDIDATES - 2)) suites of TLSv1.2 could not be decided (closed when offered alone, and the server closes on refusals too))"
  # versions 31: the everything-hello and the ladder's 128 codes closed (both offer 0x0033),
  # its compact 64 accepted (3); SSLv2; SSLv3: two chunks of 63, then its four key exchanges
  # (15, 26, 15 and 69 suites: 5 hellos) (7); TLS 1.0 and 1.1: three chunks, then the four key
  # exchanges (15, 26, 15, 101: 5) (8 + 8), all closed; TLS 1.2 accepted; TLS 1.3 closed, then
  # in halves (3).
  # ciphers 130: the budget (128 hellos once a hello was closed) and the two before it.
  check_cost 31 130 1
  check_nmap "$LAB_PORT_CLOSEREFUSAL"
else
  skip "closerefusal" "not in this lab"
fi

# ------------------------------------------------------------------------------- splitorder*
# Scripted, TLS 1.2, the suites 0x0033 (DHE, closes when picked) 0x009C 0xC013 0x0005 (RC4),
# alerts on refusals. After a close the suites are found in different parts of a split, so
# two of them were never offered together: which order the server follows must be proven
# (the pair both ways, or a find offered before the first one), never read off two picks of
# different hellos. Read that way, a server with its own order was once judged to follow the
# client's, the set of a later part was then "refused" by the anchor, and 0x0005 (RC4) went
# missing under complete: true. The same four suites in three server orders and the client's.
SPLIT_WEAK="TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256 (weak: no forward secrecy); TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (weak: CBC mode; SHA-1 MAC); TLSv1.2 TLS_RSA_WITH_RC4_128_SHA (insecure: RC4; no forward secrecy; SHA-1 MAC)"
WHY_ALONE='closed when offered alone; the server refuses others with an alert'
# check_split WHY: the three suites, 0x0033 closes when picked (for WHY), 12.1.2 FAIL on all
# three (in the server's order when it has one).
check_split() {
  check_versions '[false,false,false,false,true,false]'
  check_decided TLSv1.2 '["0x0033"]'
  assert_jq "$LABEL: why 0x0033 closes when picked" "$TP_OUT" "[$(proto TLSv1.2).closes_when_picked[].why]" \
    "$(jq -cn --arg w "$1" '[$w]')"
}
if in_lab splitorder; then
  # Server order 0x0033 0x009C 0xC013 0x0005: every full hello is closed.
  run splitorder "$LAB_PORT_SPLITORDER"
  check_split "$WHY_ALONE"
  check_suites TLSv1.2 true '["0x009C","0xC013","0x0005"]'
  check_verdict_exactly FAIL "$SPLIT_WEAK"
  assert_jq "$LABEL: no preference (the everything-hellos offering 0x0033 closed)" "$TP_OUT" \
    "[$V.preferred, $V.preference_result]" '[null,"closed"]'
  # versions 10: the everything-hello and the ladder's 128 codes closed, its compact 64
  # refused (handshake_failure), the next 63 closed (4); SSLv2 closed; SSLv3, 1.0, 1.1
  # protocol_version (3); TLS 1.2: its first 63 accepted 0xC013; TLS 1.3 handshake_failure.
  # ciphers 25, in chunks of 63 (the endpoint's shape): chunk 1 the kept answer 0xC013, then
  # refused (1); chunk 2 closed (1); chunk 3 0x009C (1); the order: 0xC013 and 0x009C came
  # from different chunks, so the pair is offered both ways, 0x009C both times: the server's
  # own (2); chunk 3 refused, chunk 4 0x0005 and refused, chunks 5 and 6 refused (5); chunk 2
  # by key exchange, ECDHE and the rest refused, DHE closed (3), DHE halved down to 0x0033
  # alone, closed (10); the server's order over the three recovered (2).
  check_cost 10 25 1
  check_nmap "$LAB_PORT_SPLITORDER"
  # Closes logged: three everything-hellos, and the seven hellos of the ciphers probe above
  # whose server pick was 0x0033.
  got=$(logged splitorder "$LAB_PORT_SPLITORDER" 'picked 0x0033' 'closed without an alert')
  assert_jq "$LABEL: it closed only on 0x0033 picks, 10 times" "$TP_OUT" "$got" '[10,10]'
else
  skip "splitorder" "not in this lab"
fi
if in_lab splitorder_client; then
  # The client's order: the anchor (0xC013, found first) is used once that is proven.
  run splitorder_client "$LAB_PORT_SPLITORDER_CLIENT"
  check_split 'closed when it was the first offered suite the server lists, before one it accepts'
  check_suites TLSv1.2 false '["0xC013","0x009C","0x0005"]'
  check_verdict_exactly FAIL "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (weak: CBC mode; SHA-1 MAC); TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256 (weak: no forward secrecy); TLSv1.2 TLS_RSA_WITH_RC4_128_SHA (insecure: RC4; no forward secrecy; SHA-1 MAC)"
  # versions 6, as any server that answers (the everything-hello's first listed suite is 0xC013).
  # ciphers 21: the kept answer 0xC013; the list reversed 0x0005 (1), forward closed (0x0033
  # listed before 0xC013) (1); the order: 0x0005 was offered after 0xC013 in the first
  # hello, so one pair, (0x0005, 0xC013): 0x0005, the client's (1); then every part offers the
  # anchor 0xC013 last: ECDHE refused (1), DHE closed and again in the ladder's two other
  # shapes (3), RSA 0x009C then refused (2), the rest refused (1); DHE in halves down to 0x0033
  # before the anchor, closed (12, one of them a kept answer: 11).
  # Since parts count nginx's default suites as half likely and the share is rounded up
  # (suite_split.c), the version is cut differently: 21, three answers kept; with the order
  # question before the parts and parts cut for its answer: 25, two kept.
  check_cost 6 25 2
  check_nmap "$LAB_PORT_SPLITORDER_CLIENT"
else
  skip "splitorder_client" "not in this lab"
fi
if in_lab splitorder_mid; then
  # Server order 0x009C 0x0033 0xC013 0x0005.
  run splitorder_mid "$LAB_PORT_SPLITORDER_MID"
  check_split "$WHY_ALONE"
  check_suites TLSv1.2 true '["0x009C","0xC013","0x0005"]'
  check_verdict_exactly FAIL "$SPLIT_WEAK"
  # versions 6. ciphers 22: the kept answer 0x009C; reversed closed (0x0033) (1); ECDHE
  # 0xC013, refused (2); no order hello: 0xC013 was offered before 0x009C in the first hello
  # and not picked, which a server following the client would have done; DHE closed and once
  # more in the ladder's compact shape (2); RSA 0x0005, refused (2); the rest refused (1); DHE
  # in halves down to 0x0033 alone (12); the server's order recovered (2). Since the split
  # follows the endpoint's share (its parts counting nginx's default suites as half likely,
  # rounded up), the first part's first hello offering the kept answer last (suite_split.c,
  # anchored hello): 20, two answers kept. With the order question before the parts and the
  # parts cut at block ends for the server's order (suite_split.c): 27, one kept.
  check_cost 6 27 1
  check_nmap "$LAB_PORT_SPLITORDER_MID"
else
  skip "splitorder_mid" "not in this lab"
fi
if in_lab splitorder_last; then
  # Server order 0x009C 0xC013 0x0005 0x0033: 0x0033 is picked only once the others are gone.
  run splitorder_last "$LAB_PORT_SPLITORDER_LAST"
  check_split "$WHY_ALONE"
  check_suites TLSv1.2 true '["0x009C","0xC013","0x0005"]'
  check_verdict_exactly FAIL "$SPLIT_WEAK"
  # versions 6. ciphers 20: the kept answer 0x009C, then the zigzag 0xC013, 0x0005 and a
  # close (3); no order hello (0xC013 offered before 0x009C and passed over); ECDHE refused
  # (1); DHE closed and in the compact shape (2); RSA and the rest refused (2); DHE in halves
  # down to 0x0033 alone (12). Every find came from the first set: no order recovery. Split
  # by the endpoint's share (nginx's default suites counted as half likely, rounded up), the
  # first part's first hello offering the kept answer last (anchored hello): 19, three kept.
  # With the order question before the parts and the parts cut at block ends: 26, two kept.
  check_cost 6 26 2
  check_nmap "$LAB_PORT_SPLITORDER_LAST"
else
  skip "splitorder_last" "not in this lab"
fi

# ------------------------------------------------------------------------------- dhersa
# Scripted, TLS 1.2, server order 0x009F 0x0033 (DHE, both close when picked) 0x009C 0x002F
# (RSA), no ECDHE suite. Every hello offering the whole list is closed; its ECDHE suites are
# refused. The version must be found accepted, with a suite it serves: before, the list was
# split only into ECDHE and the rest, and TLS 1.2 was "refused".
if in_lab dhersa; then
  run dhersa "$LAB_PORT_DHERSA"
  check_versions '[false,false,false,false,true,false]'
  assert_jq "$LABEL: TLSv1.2 accepted with a suite it serves" "$TP_OUT" \
    "$V.protocols[4] | [.accepted, .result, .cipher, .hello_size_limited]" \
    '[true,"accepted","TLS_RSA_WITH_AES_128_GCM_SHA256",null]'
  assert_jq "$LABEL: no preference (everything-hellos closed, its ECDHE suites refused)" "$TP_OUT" \
    "[$V.preferred, $V.preference_result]" '[null,"alert handshake_failure(40)"]'
  check_suites TLSv1.2 true '["0x009C","0x002F"]'
  check_decided TLSv1.2 '["0x009F","0x0033"]'
  check_verdict_exactly FAIL "TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256 (weak: no forward secrecy); TLSv1.2 TLS_RSA_WITH_AES_128_CBC_SHA (weak: CBC mode; no forward secrecy; SHA-1 MAC)"
  check_verdict_exactly PASS "only TLSv1.2 accepted" 12.1.1
  # versions 15: the everything-hello and four shapes of the ladder closed (each offers
  # 0x009F), its ECDHE suites refused (6); SSLv2 closed; SSLv3, 1.0, 1.1 protocol_version (3);
  # TLS 1.2: the list closed, then by key exchange: ECDHE refused, DHE closed, RSA accepted
  # 0x009C (4); TLS 1.3 handshake_failure.
  # ciphers 27 since the split in parts (#16: two parts, the endpoint's budget; their first
  # closes and the early order question come before the sequential steps below, which cost
  # 25 alone, one of them then the kept answer).
  # ciphers 25: the list closed, ECDHE refused, DHE closed (3); RSA: the kept answer 0x009C,
  # 0x002F (1); the pair (0x002F, 0x009C): 0x009C, the server's order (1); RSA and the rest
  # refused (2); DHE in halves down to 0x009F and 0x0033 alone (18).
  # Since parts count nginx's default suites as half likely and the share is rounded up: 26;
  # at a tenth until the version is seen to take one (two parts): 28.
  check_cost 15 28 1
  check_nmap "$LAB_PORT_DHERSA"
  got=$(logged dhersa "$LAB_PORT_DHERSA" 'picked 0x009F\|picked 0x0033' 'closed without an alert')
  # 21 in every run by hand (alone, after the full audit, under CPU load); twice in about ten
  # runs of this script since the anchored hello (suite_split.c) one DHE pick fewer, facts and
  # costs unchanged (cause not found yet: see issue #16's note): 20 or 21, every close a pick.
  assert_jq "$LABEL: it closed only on DHE picks: 5 everything-hellos, 2 TLS 1.2, 14 enumerating (or 13)" "$TP_OUT" \
    "$got | (.[0] == .[1]) and (.[0] == 21 or .[0] == 20)" 'true'
else
  skip "dhersa" "not in this lab"
fi

# ------------------------------------------------------------------------------- dheonly10
# Scripted, TLS 1.0 only, server order 0x0033 0x0039, both DHE; closes when it picks 0x0033.
# Every part by key exchange that can reach 0x0039 also reaches 0x0033: only halving the DHE
# suites finds TLS 1.0 (the server refuses other parts with an alert, so its closes are picks).
if in_lab dheonly10; then
  run dheonly10 "$LAB_PORT_DHEONLY10"
  check_versions '[false,false,true,false,false,false]'
  assert_jq "$LABEL: TLSv1.0 accepted with 0x0039; 1.1 and 1.2 answered with TLS 1.0" "$TP_OUT" \
    "[$V.protocols[2].cipher, $V.protocols[3].result, $V.protocols[4].result]" \
    '["TLS_DHE_RSA_WITH_AES_256_CBC_SHA","server chose TLSv1.0","server chose TLSv1.0"]'
  assert_jq "$LABEL: TLSv1.0 server_order null (one suite)" "$TP_OUT" "$(proto TLSv1.0).server_order" 'null'
  assert_jq "$LABEL: TLSv1.0 suites" "$TP_OUT" "[$(proto TLSv1.0).suites[].code]" '["0x0039"]'
  check_decided TLSv1.0 '["0x0033"]'
  check_verdict_exactly FAIL "TLSv1.0 TLS_DHE_RSA_WITH_AES_256_CBC_SHA (weak: CBC mode; SHA-1 MAC)"
  check_verdict_exactly FAIL "TLSv1.0 accepted: TLS_DHE_RSA_WITH_AES_256_CBC_SHA" 12.1.1
  # versions 41: everything: the full hello and the ladder's 128 codes closed, compact 64
  # refused, the next 63 closed (4); SSLv2; SSLv3 protocol_version; TLS 1.0: three chunks of
  # 63 (the first closed, two refused), the first by key exchange (ECDHE and the rest refused,
  # DHE closed), DHE in halves, quarters and eighths (two each, one closed) down to 0x0038
  # 0x0039: accepted (11); TLS 1.1 the same down to a ServerHello for TLS 1.0 (11); TLS 1.2:
  # six chunks, then as TLS 1.1 but one halving fewer (12); TLS 1.3 handshake_failure.
  # ciphers 14: chunk 1 closed, chunks 2, 3 refused (3); chunk 1 by key exchange (3), DHE
  # halved down to 0x0038 0x0039 (4); that pair the kept answer 0x0039, then 0x0038 refused
  # (1); the other half of that quarter down to 0x0033 alone (3).
  check_cost 41 14 1
  # nmap finds nothing here: ssl-enum-ciphers offers its suites sorted by name in chunks, and
  # a chunk that gets no answer ends the version for it (find_ciphers returns nil); the chunk
  # holding both TLS_DHE_RSA_WITH_AES_*_CBC_SHA is closed, the server picking 0x0033. Asserted,
  # so that a change of nmap's shows.
  if command -v nmap >/dev/null 2>&1; then
    want=$(nmap_sets "$LAB_PORT_DHEONLY10")
    assert_jq "$LABEL: nmap ssl-enum-ciphers misses TLS 1.0 (a closed chunk ends its search)" "$TP_OUT" "${want:-null}" '{}'
  else
    skip "$LABEL: nmap misses TLS 1.0" "nmap not installed"
  fi
else
  skip "dheonly10" "not in this lab"
fi

# ------------------------------------------------------------------------------- dhebudget
# Scripted, TLS 1.0 only, server order: seven DHE suites it closes on when picked, then 0x0039.
# It refuses hellos without its suites with an alert, so its closes are picks: it speaks TLS
# 1.0, but every part the split budget (16 hellos) reaches holds a suite it closes on. What
# the budget leaves open is unknown, never refused: TLS 1.0 and 1.1 null, and 12.1.1 ERROR.
if in_lab dhebudget; then
  run dhebudget "$LAB_PORT_DHEBUDGET"
  check_versions '[false,false,null,null,false,false]'
  BUDGET_WHY='alert handshake_failure(40); closed on the other hellos, 16 suites not offered apart when the split budget ran out (19 hellos)'
  assert_jq "$LABEL: TLSv1.0 .. 1.2 results" "$TP_OUT" "[$V.protocols[2,3,4].result]" \
    "$(jq -cn --arg w "$BUDGET_WHY" '[$w, $w, "server chose TLSv1.0"]')"
  assert_jq "$LABEL: no ciphers enumerated (no version known accepted)" "$TP_OUT" "$C.protocols" '[]'
  check_verdict_exactly ERROR "TLSv1.0 undetermined ($BUDGET_WHY); TLSv1.1 undetermined ($BUDGET_WHY)" 12.1.1
  check_verdict_exactly ERROR "TLSv1.0 undetermined ($BUDGET_WHY): its suites are unknown; TLSv1.1 undetermined ($BUDGET_WHY): its suites are unknown"
  assert_jq "$LABEL: no grade, and the reason names the unknown versions first" "$TP_OUT" \
    "[$E.grade.grade, ($E.grade.reason | startswith(\"TLSv1.0 undetermined ($BUDGET_WHY); TLSv1.1 undetermined\"))]" '[null,true]'
  # versions 62: everything: the full hello and the ladder's 128 codes closed, compact 64
  # refused, the next 63 closed (4); SSLv2; SSLv3 protocol_version; TLS 1.0: three chunks of
  # 63 (the first closed), the first by key exchange (ECDHE, the rest refused; DHE closed), DHE
  # in halves (2), quarters (4) and eighths (7, all closed: the budget of 16 spent) (19); TLS
  # 1.1 the same (19); TLS 1.2: six chunks, three key exchanges, two halves, four quarters,
  # then two eighths, the second answered with TLS 1.0: refused (17); TLS 1.3.
  check_cost 62 0 0
else
  skip "dhebudget" "not in this lab"
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
  # Split in parts (suite_split.c, #16): the parts without 0xC02F are decided by their answers;
  # the part with it stops at its first timeout and the engine that holds decides what it
  # left; after its timeouts 5 ECDHE suites offered with 0xC02F stay undecided (22 when the
  # version was enumerated whole; 18 with two parts, 5 with three: the endpoint's share,
  # probe_chain_budget, rounded up). Everything else was decided by an answer. Three parts at
  # block ends since the order question comes before the parts (suite_split.c): 5.
  assert_jq "$LABEL: undecided: 5 ECDHE suites, after repeated timeouts" "$TP_OUT" \
    "[($P.undecided | length), ([$P.undecided[].name | startswith(\"TLS_ECDHE_\")] | all), ([$P.undecided[].reason] | unique)]" \
    '[5,true,["not offered again after repeated timeouts"]]'
  check_verdict_exactly FAIL "TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256 (weak: no forward secrecy) (enumeration incomplete: 5 suites of TLSv1.2 could not be decided (not offered again after repeated timeouts))"
  # versions 6, as any server that answers. ciphers 14 since the split (the parts' hellos and
  # refusals, then the resumed halving); enumerated whole it was 11: five hellos unanswered (the list
  # without 0xC030; its ECDHE part, twice: no padded TLS 1.2 hello had been answered yet, so
  # the ladder tried its compact shape once; the ECDHE half and quarter with 0xC02F), 0x009C,
  # the pair hello, the refusals of the DHE part, the rest of RSA, the other part and the
  # ECDHE half without 0xC02F; reused: the first pick and the order recovery's hello (the
  # everything-hello's answer).
  # 15 since the first part's first hello also offers the kept answer (anchored hello); 15 with
  # the order question asked before the parts.
  check_cost 6 15 2
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
