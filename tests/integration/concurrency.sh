#!/usr/bin/env bash
# Results do not depend on --jobs / --per-host: one probe at a time and many at once over the
# same lab targets give identical reports, timing aside. --per-host also sets how many parts a
# long enumeration is cut into (suite_split.c), so at another --per-host only the connection
# counts may differ.
. "$(dirname "$0")/../lib.sh"

TARGETS=(
  "localhost:$LAB_PORT_TLS12" "localhost:$LAB_PORT_TLS13" "localhost:$LAB_PORT_LEGACY"
  "localhost:$LAB_PORT_NGINX" "localhost:$LAB_PORT_GNUTLS" "localhost:$LAB_PORT_EXPIRED"
  "localhost:$LAB_PORT_SSLV3" "localhost:$LAB_PORT_SSLV2"
)
STRIP='del(.started_at, .finished_at) | del(.. | .duration_ms?, .ms?, .this_update?, .next_update?)'

tp serial --format json --ca-file "$LAB_CA" --jobs 1 --per-host 3 "${TARGETS[@]}"
SERIAL=$TP_OUT SERIAL_RC=$TP_RC
tp polite --format json --ca-file "$LAB_CA" --jobs 1 --per-host 1 "${TARGETS[@]}"
POLITE=$TP_OUT
tp parallel --format json --ca-file "$LAB_CA" --jobs 8 --per-host 3 "${TARGETS[@]}"
PARALLEL=$TP_OUT

assert_eq "--jobs 1 and --jobs 8 --per-host 3: same exit status" "$SERIAL_RC" "$TP_RC"
# same_reports LABEL FILTER A B: the two reports equal through the jq filter.
same_reports() {
  local want got
  want=$(jq -S "$2" "$3" 2>&1)
  got=$(jq -S "$2" "$4" 2>&1)
  if [ "$want" == "$got" ] && [ -n "$want" ]; then
    ok "$1"
  else
    not_ok "$1" "$(oneline "$(diff <(echo "$want") <(echo "$got") | head -n 30)")"
  fi
}
same_reports "--per-host 1 and 3: identical reports but for connection counts" \
  "$STRIP | del(.. | .connections?, .reused_answers?)" "$SERIAL" "$POLITE"
assert_jq "serial run: every endpoint reached" "$SERIAL" '[.endpoints[].status] | unique' '["ok"]'
assert_jq "serial run: endpoints in input order" "$SERIAL" '[.endpoints[].target]' "$(printf '%s\n' "${TARGETS[@]}" | jq -R . | jq -cs .)"
same_reports "--jobs 1 and --jobs 8 --per-host 3: identical reports" "$STRIP" "$SERIAL" "$PARALLEL"

# https:// targets: the http probe's cleartext request to the TLS port is made early when a
# slot idles while the versions probe's first hello goes alone (probe.h, prefetch), which
# --jobs 1 never allows, and is counted when the probe takes it: reports, connection counts
# included, do not depend on whether it was (a refused port: the probe never runs; a port that
# speaks only cleartext HTTP; TLS with and without HTTP behind it).
HTTPS_TARGETS=("https://localhost:$LAB_PORT_NGINX" "https://localhost:$LAB_PORT_WEB2"
  "https://localhost:$LAB_PORT_WEB2_PLAIN" "https://localhost:$LAB_PORT_TLS13" "https://localhost:$LAB_PORT_REFUSED")
tp https-serial --format json --ca-file "$LAB_CA" --jobs 1 --per-host 3 "${HTTPS_TARGETS[@]}"
HTTPS_SERIAL=$TP_OUT
tp https-parallel --format json --ca-file "$LAB_CA" --jobs 8 --per-host 3 "${HTTPS_TARGETS[@]}"
same_reports "https:// targets, --jobs 1 and 8: identical reports, connections included" "$STRIP" "$HTTPS_SERIAL" "$TP_OUT"
assert_jq "https:// targets: the cleartext request to each TLS port that answered, counted" "$TP_OUT" \
  '[.endpoints[] | .facts.http.cleartext_on_tls_port.url != null]' '[true,true,true,true,false]'

# The same accepted versions whatever the concurrency (the facts the lab fixes).
assert_jq "parallel run: accepted versions per server" "$PARALLEL" '[.endpoints[].facts.versions.accepted]' \
  '[["TLSv1.2"],["TLSv1.3"],["TLSv1.0","TLSv1.1"],["TLSv1.2","TLSv1.3"],["TLSv1.2","TLSv1.3"],["TLSv1.2","TLSv1.3"],["SSLv3"],["SSLv2"]]'

# Many copies of one target at once stay polite and give the same answer every time.
MANY=()
for _ in 1 2 3 4 5 6; do MANY+=("localhost:$LAB_PORT_NGINX"); done
tp same-target --format json --ca-file "$LAB_CA" --jobs 16 --per-host 2 "${MANY[@]}"
assert_jq "six copies of one target: identical facts" "$TP_OUT" \
  "[.endpoints[] | {facts, verdicts, result} | del(.. | .duration_ms?, .ms?, .this_update?, .next_update?)] | unique | length" 1
assert_rc "six copies of one target: exit 0" 0
