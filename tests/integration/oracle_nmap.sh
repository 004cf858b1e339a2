#!/usr/bin/env bash
# An independent oracle for suite enumeration (issue #11): nmap 7.93's ssl-enum-ciphers (and
# its sslv2 script for SSLv2) enumerates every TLS server of the lab, implicit TLS and
# STARTTLS, and tlsprobe's suite set must equal nmap's for every server and every version
# SSLv2 .. TLSv1.3 (one ok / not ok line each; a mismatch prints both differences).
#
# The table SERVERS below is the whole list. To add a server (e.g. from a new lab module):
# one line `ROW LAB_SERVER PORT_VARIABLE SCHEME NMAP_SERVICE`:
#   ROW            a unique name for the lines this test prints (the lab name if it has one port)
#   LAB_SERVER     the name start.sh knows it by (rows of servers not started are skipped)
#   PORT_VARIABLE  its LAB_PORT_... variable from $LAB_DIR/env
#   SCHEME         tlsprobe's target scheme (smtp, imap, pop3, ftp, ldap, xmpp, postgres,
#                  mysql), or - for implicit TLS (target 127.0.0.1:PORT)
#   NMAP_SERVICE   for STARTTLS, the service name nmap's nselib/sslcert.lua dispatches its
#                  STARTTLS on (smtp, imap, pop3, ftp, ldap, xmpp, postgresql, mysql); - for
#                  implicit TLS
# A server nmap cannot speak to goes into EXCLUDED instead, with the reason (it prints a
# SKIP line). Where nmap is wrong about a server, NMAP_ERRORS names the exact suites it
# misses or adds for that row and version, with the evidence: the assertion then still
# checks everything else and fails if nmap's error changes. Where tlsprobe is wrong, nothing
# goes in a table: the assertion fails until tlsprobe is fixed.
# In the three tables (single-quoted strings: no single quote inside) a line starting with #
# is a comment; a malformed line fails the test.
#
# How nmap is run (each choice checked on this lab with nmap 7.93):
#  - One nmap per server, ORACLE_JOBS (4) at once, each under a hard deadline
#    (ORACLE_NMAP_DEADLINE_S) and a script timeout below it. -Pn -n -sT: no ping, no DNS,
#    a plain connect scan of the one port, 127.0.0.1 only (no SNI, as for tlsprobe below).
#  - `--script +ssl-enum-ciphers,+sslv2`: the `+` runs the scripts whatever their portrule
#    (it only matches well-known ports or -sV results). ssl-enum-ciphers does not try SSLv2;
#    nmap's sslv2 script does (one SSLv2 CLIENT-HELLO with the nine kinds nmap knows; the
#    SERVER-HELLO lists the shared ones, which is what tlsprobe reports too).
#  - STARTTLS: sslcert.lua picks the STARTTLS dialect from the port's service name (or a
#    well-known port number). -sV would name them, but took 165 s for ten ports here and
#    still left PostgreSQL and the scripted LDAP server unrecognised. Instead the test writes
#    an nmap-services file naming each STARTTLS port's service and passes its directory as
#    --datadir (nmap looks there first and takes every other data file from its own).
#    (--servicedb cannot be used: it implies -F, which nmap refuses together with -p.)
# tlsprobe runs once over every target: --format json --probes ciphers, 127.0.0.1:PORT or
# SCHEME://127.0.0.1:PORT.
# Cost: one nmap per row, about 0.4 s of CPU and 0.5 to 4.5 s of wall time each (s_server
# answers one connection at a time); on the shared 2-core box the whole script took 30 to
# 55 s for 58 servers, tlsprobe 2 to 4 s of it.
#
# Names: nmap's are the keys of tls.CIPHERS in nselib/tls.lua and SSL2_* in nselib/sslv2.lua;
# tests/nmap_suites.py maps them to IANA names (TLS_AKE_WITH_X -> TLS_X; TLS_AKE_WITH_NULL_SHA256
# / _SHA384 -> TLS_SHA256_SHA256 / TLS_SHA384_SHA384 (RFC 9150); 0x001E's double name;
# SSL2_X -> SSL_CK_X). Every other code both tools know has the same name (checked code by
# code against `tlsprobe --list-ciphers`). Codes only one side knows (no lab server serves
# any): nmap offers ~57 draft / FORTEZZA / EXPORT1024 / GOST codes tlsprobe has no name for;
# tlsprobe offers the ASCON drafts (0x006E..0x0071) and AEGIS (0x1306, 0x1307), nmap does not.
. "$(dirname "$0")/../lib.sh"

# ORACLE_ROWS="ROW..." compares only those rows (for debugging one server).
ORACLE_JOBS=${ORACLE_JOBS:-4}
ORACLE_NMAP_DEADLINE_S=${ORACLE_NMAP_DEADLINE_S:-150}
ORACLE_SCRIPT_TIMEOUT_S=${ORACLE_SCRIPT_TIMEOUT_S:-120}
VERSIONS=(SSLv2 SSLv3 TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3)

# ROW                   LAB_SERVER            PORT_VARIABLE                  SCHEME    NMAP_SERVICE
SERVERS='
tls12                   tls12                 LAB_PORT_TLS12                 -         -
tls13                   tls13                 LAB_PORT_TLS13                 -         -
legacy                  legacy                LAB_PORT_LEGACY                -         -
nginx                   nginx                 LAB_PORT_NGINX                 -         -
gnutls                  gnutls                LAB_PORT_GNUTLS                -         -
expired                 expired               LAB_PORT_EXPIRED               -         -
wrongname               wrongname             LAB_PORT_WRONGNAME             -         -
selfsigned              selfsigned            LAB_PORT_SELFSIGNED            -         -
sslv3                   sslv3                 LAB_PORT_SSLV3                 -         -
sslv2                   sslv2                 LAB_PORT_SSLV2                 -         -
ciphers12               ciphers12             LAB_PORT_CIPHERS12             -         -
ciphers13               ciphers13             LAB_PORT_CIPHERS13             -         -
nginx_pref              nginx_pref            LAB_PORT_NGINX_PREF            -         -
nginx_nopref            nginx_nopref          LAB_PORT_NGINX_NOPREF          -         -
gnutls_chacha           gnutls_chacha         LAB_PORT_GNUTLS_CHACHA         -         -
legacy_dh1024           legacy_dh1024         LAB_PORT_LEGACY_DH1024         -         -
insecure                insecure              LAB_PORT_INSECURE              -         -
lastsuite               lastsuite             LAB_PORT_LASTSUITE             -         -
sizelimit               sizelimit             LAB_PORT_SIZELIMIT             -         -
nginx_staple_good       nginx_staple_good     LAB_PORT_NGINX_STAPLE_GOOD     -         -
nginx_staple_revoked    nginx_staple_revoked  LAB_PORT_NGINX_STAPLE_REVOKED  -         -
nginx_staple_expired    nginx_staple_expired  LAB_PORT_NGINX_STAPLE_EXPIRED  -         -
sserver_status          sserver_status        LAB_PORT_SSERVER_STATUS        -         -
staple_wrong            staple_wrong          LAB_PORT_STAPLE_WRONG          -         -
revoked_nostaple        revoked_nostaple      LAB_PORT_REVOKED_NOSTAPLE      -         -
crlonly                 crlonly               LAB_PORT_CRLONLY               -         -
leafonly                leafonly              LAB_PORT_LEAFONLY              -         -
dualcert                dualcert              LAB_PORT_DUALCERT              -         -
muststaple_nostaple     muststaple_nostaple   LAB_PORT_MUSTSTAPLE_NOSTAPLE   -         -
internal                internal              LAB_PORT_INTERNAL              -         -
sha1                    sha1                  LAB_PORT_SHA1                  -         -
weakkey                 weakkey               LAB_PORT_WEAKKEY               -         -
longvalid               longvalid             LAB_PORT_LONGVALID             -         -
nosan_eku               nosan_eku             LAB_PORT_NOSAN_EKU             -         -
smtp_auth               exim                  LAB_PORT_SMTP_AUTH             smtp      smtp
smtp_tlsauth            exim                  LAB_PORT_SMTP_TLSAUTH          smtp      smtp
imap                    dovecot               LAB_PORT_IMAP                  imap      imap
pop3                    dovecot               LAB_PORT_POP3                  pop3      pop3
pg_ssl_only             pg_ssl_only           LAB_PORT_PG_SSL_ONLY           postgres  postgresql
pg_plain_ok             pg_plain_ok           LAB_PORT_PG_PLAIN_OK           postgres  postgresql
imap_strict             starttls_fake         LAB_PORT_IMAP_STRICT           imap      imap
ldap                    starttls_fake         LAB_PORT_LDAP                  ldap      ldap
mysql                   starttls_fake         LAB_PORT_MYSQL                 mysql     mysql
xmpp                    starttls_fake         LAB_PORT_XMPP                  xmpp      xmpp
slapd                   slapd                 LAB_PORT_SLAPD                 ldap      ldap
vsftpd                  vsftpd                LAB_PORT_VSFTPD                ftp       ftp
mariadb                 mariadb               LAB_PORT_MARIADB               mysql     mysql
mariadb_plain           mariadb_plain         LAB_PORT_MARIADB_PLAIN         mysql     mysql
web_hsts                web_hsts              LAB_PORT_WEB_HSTS              -         -
web_nohsts              web_nohsts            LAB_PORT_WEB_NOHSTS            -         -
web_badhsts             web_badhsts           LAB_PORT_WEB_BADHSTS           -         -
web_shorthsts           web_shorthsts         LAB_PORT_WEB_SHORTHSTS         -         -
mtls_on                 mtls_on               LAB_PORT_MTLS_ON               -         -
mtls_optional           mtls_optional         LAB_PORT_MTLS_OPTIONAL         -         -
mtls_optional_no_ca     mtls_optional_no_ca   LAB_PORT_MTLS_OPTIONAL_NO_CA   -         -
mtls_strict             mtls_strict           LAB_PORT_MTLS_STRICT           -         -
web_chain               web_chain             LAB_PORT_WEB_CHAIN             -         -
web_otherhost           web_otherhost         LAB_PORT_WEB_OTHERHOST         -         -
# Issue #11 servers of tests/lab/mod_enum.sh, mod_groups.sh, mod_mutual.sh, mod_web2.sh and mod_groups2.sh
# (written against those modules while they were being written, in other branches).
dovecot_dhe             dovecot_dhe           LAB_PORT_DOVECOT_DHE           -         -
poison                  poison                LAB_PORT_POISON                -         -
limit128                limit128              LAB_PORT_LIMIT128              -         -
limit64                 limit64               LAB_PORT_LIMIT64               -         -
sizewindow              sizewindow            LAB_PORT_SIZEWINDOW            -         -
extintolerant           extintolerant         LAB_PORT_EXTINTOLERANT         -         -
closerefusal            closerefusal          LAB_PORT_CLOSEREFUSAL          -         -
splitorder              splitorder            LAB_PORT_SPLITORDER            -         -
splitorder_client       splitorder_client     LAB_PORT_SPLITORDER_CLIENT     -         -
splitorder_mid          splitorder_mid        LAB_PORT_SPLITORDER_MID        -         -
splitorder_last         splitorder_last       LAB_PORT_SPLITORDER_LAST       -         -
dhersa                  dhersa                LAB_PORT_DHERSA                -         -
dheonly10               dheonly10             LAB_PORT_DHEONLY10             -         -
grp_ecdsa               grp_ecdsa             LAB_PORT_GRP_ECDSA             -         -
grp_ecdsa_pref          grp_ecdsa_pref        LAB_PORT_GRP_ECDSA_PREF        -         -
grp_ecdsa_p384          grp_ecdsa_p384        LAB_PORT_GRP_ECDSA_P384        -         -
grp13_client            grp13_client          LAB_PORT_GRP13_CLIENT          -         -
grp13_server            grp13_server          LAB_PORT_GRP13_SERVER          -         -
grp_nginx_pref          grp_nginx_pref        LAB_PORT_GRP_NGINX_PREF        -         -
grp_nginx_nopref        grp_nginx_nopref      LAB_PORT_GRP_NGINX_NOPREF      -         -
grp_gnutls_pref         grp_gnutls_pref       LAB_PORT_GRP_GNUTLS_PREF       -         -
grp_gnutls              grp_gnutls            LAB_PORT_GRP_GNUTLS            -         -
grp_pq                  grp_pq                LAB_PORT_GRP_PQ                -         -
mutual_silent13         mutual_silent13       LAB_PORT_MUTUAL_SILENT13       -         -
mutual_silent12         mutual_silent12       LAB_PORT_MUTUAL_SILENT12       -         -
mutual_reject13         mutual_reject13       LAB_PORT_MUTUAL_REJECT13       -         -
mutual_reject12         mutual_reject12       LAB_PORT_MUTUAL_REJECT12       -         -
smtp_longehlo           mutual_starttls       LAB_PORT_SMTP_LONGEHLO         smtp      smtp
imap_longcap            mutual_starttls       LAB_PORT_IMAP_LONGCAP          imap      imap
aia_404                 aia_404               LAB_PORT_AIA_404               -         -
web2_tls10              web2_tls10            LAB_PORT_WEB2_TLS10            -         -
web2_tls10_www          web2_tls10_www        LAB_PORT_WEB2_TLS10_WWW        -         -
web2                    web2                  LAB_PORT_WEB2                  -         -
web2_slowbody           web2_slowbody         LAB_PORT_WEB2_SLOWBODY         -         -
web2_tlssilent          web2_tlssilent        LAB_PORT_WEB2_TLSSILENT        -         -
web2_close444           web2                  LAB_PORT_WEB2_CLOSE444         -         -
grp_poison              grp_poison            LAB_PORT_GRP_POISON            -         -
grp13_closer            grp13_closer          LAB_PORT_GRP13_CLOSER          -         -
grp13_closer_client     grp13_closer_client   LAB_PORT_GRP13_CLOSER_CLIENT   -         -
dovecot_ecdsa           dovecot_ecdsa         LAB_PORT_DOVECOT_ECDSA         -         -
dovecot_pref            dovecot_pref          LAB_PORT_DOVECOT_PREF          -         -
relay64                 relay64               LAB_PORT_RELAY64               -         -
relaystall              relaystall            LAB_PORT_RELAYSTALL            -         -
mutual_noca403          mutual_noca403        LAB_PORT_MUTUAL_NOCA403        -         -
'

# Lab servers with a TLS port that are not compared, and why: ROW LAB_SERVER REASON...
EXCLUDED='
imap_inject      starttls_fake  STARTTLS injection server: tlsprobe refuses the upgrade by design (no TLS facts to compare)
ldap_inject      starttls_fake  STARTTLS injection server: tlsprobe refuses the upgrade by design (no TLS facts to compare)
mysql_inject     starttls_fake  STARTTLS injection server: tlsprobe refuses the upgrade by design (no TLS facts to compare)
postgres_inject  starttls_fake  STARTTLS injection server: tlsprobe refuses the upgrade by design (no TLS facts to compare)
dhebudget        dhebudget      tlsprobe leaves its TLS 1.0 and 1.1 undetermined by design (every part the split budget reaches holds a suite it closes on): no suite set to compare
smtp_endless     mutual_starttls  its EHLO reply never ends, so no client (nmap, tlsprobe, openssl) ever reaches STARTTLS: no TLS to compare
'
# Not TLS servers at all, so not listed: dns, http, ocsp, ocsp_root, smtp_notls (exim's port
# without STARTTLS), the cleartext HTTP listeners of mod_web.sh and mod_web2.sh, and
# mod_web2.sh's scripted HTTP servers web2_silent, web2_garbage, web2_endless, web2_hostile.

# Where nmap is wrong: ROW VERSION misses|adds SUITE[,SUITE...] EVIDENCE...
NMAP_ERRORS='
dheonly10 TLSv1.0 misses TLS_DHE_RSA_WITH_AES_256_CBC_SHA ssl-enum-ciphers offers its suites sorted by name in chunks and gives a version up when a chunk gets no answer (find_ciphers returns nil); dheonly10 picks 0x0033 from the chunk holding both TLS_DHE_RSA_WITH_AES_*_CBC_SHA and closes (its log shows only 0x0033 picks for the scan), so nmap sees no TLS 1.0
grp_pq TLSv1.3 misses TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256 nmap offers only secp256r1, secp384r1, secp521r1, x25519 and ffdhe2048 (tls.DEFAULT_ELLIPTIC_CURVES; ssl-enum-ciphers has no argument to change them) and grp_pq answers every hello that does not list X25519MLKEM768 with handshake_failure, so nmap sees no TLS at all; the three suites are the --suites default of fake_tls13.py
'

# ------------------------------------------------------------------------------- helpers

have() { [[ " $LAB_SERVERS " == *" $1 "* ]]; }

# Ports nmap's sslcert.lua wraps in STARTTLS by number alone, whatever the service name
# (those a LAB_PORT_BASE of 1024 or more can reach): an implicit-TLS row there cannot be
# scanned as such.
NMAP_STARTTLS_PORTS=" 3306 5222 5269 5432 5900 "

# scan ROW PORT: nmap on 127.0.0.1:PORT; writes $TEST_TMP/nmap-ROW.{xml,out,rc}.
scan() {
  local row=$1 port=$2 d=$TEST_TMP/nmap-$1
  # --foreground: stay in the test's process group, so stopping the test stops nmap too.
  timeout --foreground -k 5 "$ORACLE_NMAP_DEADLINE_S" nmap -Pn -n -sT -p "$port" --datadir "$NMAP_DATADIR" \
    --script '+ssl-enum-ciphers,+sslv2' --script-timeout "${ORACLE_SCRIPT_TIMEOUT_S}s" \
    -oX "$d.xml" 127.0.0.1 </dev/null >"$d.out" 2>&1
  echo $? >"$d.rc"
}

# scan_all ROW:PORT...: the scans, at most ORACLE_JOBS at once.
scan_all() {
  local item
  for item in "$@"; do
    while [ "$(jobs -rp | wc -l)" -ge "$ORACLE_JOBS" ]; do wait -n; done
    scan "${item%%:*}" "${item#*:}" &
  done
  wait
}

# tlsprobe_sets: from the report in $TP_OUT, per target: "status" (endpoint/versions/ciphers:
# the ciphers probe builds on the versions probe, so both must be ok for its sets to be
# known), the first error, and the sorted suite names per version.
tlsprobe_sets() {
  jq -c '[.endpoints[] | {key: .target, value: {
      status: "\(.status)/\(.facts.versions.status // "absent")/\(.facts.ciphers.status // "absent")",
      error: (.error // .facts.versions.error // .facts.ciphers.error),
      versions: ((.facts.ciphers.protocols // []) | map({key: .name, value: ([.suites[].name] | sort)})
                 | from_entries)}}] | from_entries' "$TP_OUT"
}

# errors_json: NMAP_ERRORS as [{row, version, kind, suites: [...], why}].
errors_json() {
  # One program over all lines (-n, inputs): jq 1.6 exits 0 when only an earlier input failed.
  jq -Rnc '[inputs | select(test("^\\s*[^\\s#]")) | . as $line
          | (first(capture("^\\s*(?<row>\\S+)\\s+(?<version>\\S+)\\s+(?<kind>misses|adds)\\s+(?<s>\\S+)\\s+(?<why>\\S.*)$"))
             // error("malformed NMAP_ERRORS line: \($line)"))
          | {row, version, kind, suites: (.s | split(",")), why}]' <<<"$NMAP_ERRORS"
}

# COMPARE (jq): for every row (input: [{row, target}]) and version, one line, as
# {row, line, rescan}: rescan is true when the line fails on nmap's side of the comparison
# (see the rescan below). With a documented nmap error, what nmap would have found is its
# set minus what it adds plus what it misses; the error itself must still be there exactly,
# or the line fails (so the table never outlives the error).
COMPARE='
  def lines($row; $tp; $nm):
    $VERSIONS[] as $v
    | "\($row) \($v): tlsprobe'"'"'s suites equal nmap'"'"'s" as $name
    | [$errors[] | select(.row == $row and .version == $v)] as $known
    | ([$known[] | select(.kind == "misses") | .suites[]] | unique) as $m
    | ([$known[] | select(.kind == "adds") | .suites[]] | unique) as $a
    | ($tp.versions[$v] // []) as $t
    | ($nm.versions[$v]) as $n
    | (($n - $a) + $m | unique) as $want
    | (if $known == [] then "" else " (nmap'"'"'s documented error: misses \($m), adds \($a))" end) as $note
    | if $tp.status != "ok/ok/ok" then
        {rescan: false, line: "not ok - \($name): tlsprobe endpoint/versions/ciphers status \($tp.status): \($tp.error)"}
      elif ($m - ($m - $n)) != [] then
        {rescan: true, line: "not ok - \($name): nmap now finds what it is documented to miss: \($m - ($m - $n))\($note)"}
      elif ($a - $n) != [] then
        {rescan: true, line: "not ok - \($name): nmap no longer finds what it is documented to add: \($a - $n)\($note)"}
      elif $t == $want then {rescan: false, line: "ok - \($name) (\($t | length) suites)\($note)"}
      else {rescan: true, line: "not ok - \($name): only tlsprobe: \($t - $want); only nmap: \($want - $t)\($note)"} end
    | . + {row: $row};
  .[] | .row as $row | .target as $target
  | ($nmap[0][$row]) as $nm
  | ($tp[0][$target] // {status: "no endpoint in the report", error: null}) as $tp
  | ([$nm.versions[]? | length] | add // 0) as $found
  | if $nm.error then {row: $row, rescan: true, line: "not ok - \($row): nmap scan: \($nm.error)"}
    elif $nm.port_state != "open" then {row: $row, rescan: true, line: "not ok - \($row): nmap scan: port \($nm.port_state)"}
    elif $found == 0 and ([$errors[] | select(.row == $row and .kind == "misses")] == []) then
      # A row is a TLS server: nmap finding nothing (and not documented to miss anything)
      # would make every comparison vacuous.
      {row: $row, rescan: true, line: "not ok - \($row): nmap scan: no suite found (scripts that answered: \($nm.scripts))"}
    else {row: $row, rescan: false,
          line: "ok - \($row): nmap scan (\($found) suites over \([$nm.versions | to_entries[] | select(.value != []) | .key]))"},
      lines($row; $tp; $nm) end'

# nmap_json ROW:PORT...: the suites each scan found ($TEST_TMP/nmap.json, keyed by row); a
# scan that did not finish cleanly is reported as such, whatever its XML holds.
nmap_json() {
  local item row d rc reports=() failed='{}'
  for item in "$@"; do
    row=${item%%:*} d=$TEST_TMP/nmap-${item%%:*}
    rc=$(cat "$d.rc" 2>/dev/null || echo none)
    if [ "$rc" = 0 ]; then
      reports+=("$row=$d.xml")
    else
      failed=$(jq -c --arg r "$row" --arg e "nmap exit status $rc: $(oneline "$(tail -n 5 "$d.out")")" \
        '. + {($r): {error: $e}}' <<<"$failed")
    fi
  done
  if [ ${#reports[@]} -eq 0 ]; then
    echo '{}' >"$TEST_TMP/nmap-ok.json"
  elif ! python3 "$TESTS_DIR/nmap_suites.py" "${reports[@]}" >"$TEST_TMP/nmap-ok.json" 2>"$TEST_TMP/nmap.err"; then
    not_ok "nmap reports" "tests/nmap_suites.py failed: $(oneline "$(cat "$TEST_TMP/nmap.err")")"
    echo '{}' >"$TEST_TMP/nmap-ok.json"
  fi
  jq -c --argjson f "$failed" '. + $f' "$TEST_TMP/nmap-ok.json" >"$TEST_TMP/nmap.json"
}

# compare_all: COMPARE over every row, as JSON lines ({row, line, rescan}).
compare_all() {
  printf '%s\n' "${rows[@]}" | jq -R 'capture("^(?<row>[^:]+):(?<target>.*)$")' | jq -s . |
    jq -c --slurpfile nmap "$TEST_TMP/nmap.json" --slurpfile tp "$TEST_TMP/tlsprobe.json" \
      --argjson errors "$ERRORS_JSON" --argjson VERSIONS "$(printf '%s\n' "${VERSIONS[@]}" | jq -R . | jq -sc .)" \
      "$COMPARE" || echo '{"row": "", "rescan": false, "line": "not ok - comparison: jq failed"}'
}

# ------------------------------------------------------------------------------- run

if ! command -v nmap >/dev/null 2>&1; then
  not_ok "nmap oracle" "nmap not installed (tools/install-deps.sh)"
  exit 0
fi

rows=() items=() targets=()
NMAP_DATADIR=$TEST_TMP/nmap-datadir
mkdir -p "$NMAP_DATADIR"
: >"$NMAP_DATADIR/nmap-services"
while read -r row server portvar scheme service; do
  if [ -z "$row" ] || [ "${row#\#}" != "$row" ]; then continue; fi
  [ -z "${ORACLE_ROWS:-}" ] || [[ " $ORACLE_ROWS " == *" $row "* ]] || continue
  if [ -z "$service" ]; then not_ok "$row" "malformed SERVERS row (five fields)"; continue; fi
  if ! have "$server"; then skip "$row" "lab server $server not started"; continue; fi
  port=${!portvar:-}
  if [ -z "$port" ]; then not_ok "$row" "$portvar not set by the lab"; continue; fi
  if [ "$scheme" = - ]; then
    if [[ "$NMAP_STARTTLS_PORTS" == *" $port "* ]]; then
      skip "$row" "port $port is one nmap always wraps in STARTTLS; choose another LAB_PORT_BASE"
      continue
    fi
    target=127.0.0.1:$port
  else
    target=$scheme://127.0.0.1:$port
    printf '%s\t%s/tcp\t0.5\n' "$service" "$port" >>"$NMAP_DATADIR/nmap-services"
  fi
  rows+=("$row:$target") items+=("$row:$port") targets+=("$target")
done <<<"$SERVERS"
while read -r row server reason; do
  [ -n "$row" ] && [ "${row#\#}" = "$row" ] && skip "$row" "excluded: $reason"
done <<<"$EXCLUDED"

started=$SECONDS
tp all --format json --probes ciphers "${targets[@]}"
tp_s=$((SECONDS - started))
scan_all "${items[@]}"
echo "# oracle_nmap: ${#items[@]} servers; tlsprobe ${tp_s}s, nmap $((SECONDS - started - tp_s))s ($ORACLE_JOBS at once)"
tlsprobe_sets >"$TEST_TMP/tlsprobe.json"
if ! ERRORS_JSON=$(errors_json); then
  not_ok "NMAP_ERRORS" "a line is malformed (see the jq error above)"
  exit 0
fi
nmap_json "${items[@]}"
compare_all >"$TEST_TMP/lines.json"

# nmap does not retry a connection: one dropped while a server starts its worker processes
# (dovecot's login processes, for one) ends that chunk of up to 64 suites for it, and the
# suites left in it go missing. So a row that fails on nmap's side is scanned once more,
# alone, and that scan decides; its lines say so. A real difference fails both times.
mapfile -t again < <(jq -r 'select(.rescan) | .row' "$TEST_TMP/lines.json" | sort -u)
if [ ${#again[@]} -gt 0 ]; then
  items_again=()
  for item in "${items[@]}"; do
    [[ " ${again[*]} " == *" ${item%%:*} "* ]] && items_again+=("$item")
  done
  for item in "${items_again[@]}"; do scan "${item%%:*}" "${item#*:}"; done
  nmap_json "${items[@]}"
  compare_all >"$TEST_TMP/lines.json"
  echo "# oracle_nmap: scanned again, the first scan disagreeing: ${again[*]}"
fi
jq -r --arg again " ${again[*]} " \
  '.row as $r | .line + (if $r != "" and ($again | contains(" \($r) ")) then " [nmap scanned twice]" else "" end)' \
  "$TEST_TMP/lines.json" || not_ok "comparison" "jq failed on $TEST_TMP/lines.json"
