#!/usr/bin/env bash
# Hostile servers (tests/lab/chaos.py, issue #15): for each behaviour, one run probes the
# hostile endpoint together with a good lab endpoint and asserts the exit status, that the
# hostile endpoint ended within its deadline (--endpoint-timeout, plus a slack: an upper bound
# a correct implementation guarantees), and that the good endpoint's result equals its result
# in a clean run exactly (timings removed, as tests/golden/normalize.sh does). A server that
# accepts and never answers is unreachable ("unresponsive"); one that drips bytes is cut by the
# endpoint deadline, its unfinished probes errors, never a PASS.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$TESTS_DIR/.." && pwd)
ET=6              # --endpoint-timeout
SLACK_MS=2000     # scheduling, the report, a loaded machine (ASan)
TP_COMMON=(--timeout 1 --no-color -q --endpoint-timeout "$ET")
PKI=$LAB_DIR/pki
CHAOS_PIDS=()
stop_chaos() {
  local pid
  for pid in "${CHAOS_PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  cleanup_test_tmp
}
trap stop_chaos EXIT

# start_chaos NAME MODE...: starts chaos.py; sets PORT_<MODE> for each mode once it listens.
start_chaos() {
  local name=$1; shift
  local ports=$TEST_TMP/$name.ports
  python3 "$ROOT/tests/lab/chaos.py" --ports-file "$ports" "$@" >"$TEST_TMP/$name.log" 2>&1 &
  CHAOS_PIDS+=($!)
  for _ in $(seq 50); do [ -s "$ports" ] && break; sleep 0.1; done
  if [ ! -s "$ports" ]; then
    not_ok "chaos servers ($name) listen" "$(oneline "$(cat "$TEST_TMP/$name.log")")"
    exit 0
  fi
  local mode port
  while read -r mode port; do printf -v "PORT_${mode^^}" '%s' "$port"; done <"$ports"
}

start_chaos plain silent drip garbage reclen hslen rst closesh hrr "bigchain:$PKI/good-chain.pem:$PKI/good.key" \
  smtp_endless smtp_longline http_silent http_garbage http_endless stream \
  "tls_slowbody:$PKI/good-chain.pem:$PKI/good.key"

# A leaf whose OCSP, caIssuers and CRL URLs all name the stream port, served with its issuer
# (OCSP and CRL are fetched) and alone (the missing issuer is fetched from caIssuers).
URL=http://127.0.0.1:$PORT_STREAM
cat >"$TEST_TMP/urls.ext" <<EOF
subjectAltName = DNS:localhost, IP:127.0.0.1
extendedKeyUsage = serverAuth
authorityInfoAccess = OCSP;URI:$URL/ocsp, caIssuers;URI:$URL/issuer.der
crlDistributionPoints = URI:$URL/int.crl
EOF
if openssl req -new -newkey rsa:2048 -nodes -keyout "$TEST_TMP/urls.key" -subj "/CN=localhost" \
     -out "$TEST_TMP/urls.csr" 2>/dev/null &&
   openssl x509 -req -in "$TEST_TMP/urls.csr" -CA "$PKI/intermediate.pem" -CAkey "$PKI/intermediate.key" \
     -set_serial 0x$(openssl rand -hex 8) -days 30 -extfile "$TEST_TMP/urls.ext" \
     -out "$TEST_TMP/urls.pem" 2>/dev/null; then
  cat "$TEST_TMP/urls.pem" "$PKI/intermediate.pem" >"$TEST_TMP/urls-chain.pem"
  start_chaos tls "tls:$TEST_TMP/urls-chain.pem:$TEST_TMP/urls.key" "tls_leaf:$TEST_TMP/urls.pem:$TEST_TMP/urls.key"
else
  not_ok "a certificate whose URLs stream forever" "openssl could not make it"
fi

GOOD="  - host: localhost
    port: $LAB_PORT_TLS12
    ca: $LAB_DIR/ca.pem
    tags: [good]"
# inventory NAME TARGET_YAML: the good endpoint and one more, in that order.
inventory() {
  printf 'targets:\n%s\n%s\n' "$GOOD" "$2" >"$TEST_TMP/$1.yaml"
}
# The good endpoint's report without what differs between runs of different inventories.
normalized_good() { "$ROOT/tests/golden/normalize.sh" <"$1" | jq -c '.endpoints[] | select(.tags == ["good"]) | del(.index, .origin)'; }
# same_as_clean NAME REPORT: the good endpoint equals CLEAN; else the paths that differ.
same_as_clean() {
  local got
  got=$(normalized_good "$2")
  if [ "$got" == "$CLEAN" ]; then
    ok "$1"
  else
    not_ok "$1" "differs at: $(jq -n -c --argjson a "$CLEAN" --argjson b "${got:-null}" \
      '[$a, $b] as [$a, $b] | [($a | paths(scalars)) as $p | select(($a | getpath($p)) != ($b | getpath($p))) | $p | map(tostring) | join(".")] | .[:8]' 2>&1)"
  fi
}

inventory clean ""
tp clean -f "$TEST_TMP/clean.yaml" --format json
CLEAN=$(normalized_good "$TP_OUT")
assert_eq "clean run: the good endpoint alone" "ok" "$(jq -r .status <<<"$CLEAN" 2>/dev/null)"

# chaos NAME EXPECTED_RC TARGET_YAML [JQ_CHECK EXPECTED]: one run, the good endpoint and this one.
chaos() {
  local name=$1 rc=$2 target=$3
  inventory "$name" "$target
    tags: [chaos]"
  tp "$name" -f "$TEST_TMP/$name.yaml" --format json
  assert_rc "$name: exit status" "$rc"
  local c='(.endpoints[] | select(.tags == ["chaos"]))'
  assert_jq "$name: ended within --endpoint-timeout $ET s (+${SLACK_MS} ms)" "$TP_OUT" \
    "$c | .duration_ms <= $((ET * 1000 + SLACK_MS))" true
  same_as_clean "$name: the good endpoint's result equals its clean run's" "$TP_OUT"
  if [ $# -ge 5 ]; then
    assert_jq "$name: $4" "$TP_OUT" "$c | $4" "$5"
  fi
}
tls() { printf '  - host: 127.0.0.1\n    port: %s\n    ca: %s' "$1" "$LAB_DIR/ca.pem"; }
# Every fact of an endpoint the deadline cut is unknown: no probe ok after it, no PASS.
CUT='[([.facts[] | select(.status == "ok")] | length > 1), ([.verdicts[].result] | index("PASS")), ([.facts[].error // "" | select(startswith("endpoint deadline"))] | length > 0)]'

# Two hellos, then only the http probe (a cleartext HTTP server on the port would wait for a
# request): no answer there either.
chaos silent 3 "$(tls "$PORT_SILENT")" '[.status, .error, .facts.versions.connections, (.facts | keys), .facts.http.detected]' \
  '["unreachable", "unresponsive: no answer to a TLS hello within 1 s", 2, ["http", "starttls", "versions"], false]'
chaos drip 3 "$(tls "$PORT_DRIP")" "$CUT" '[false, null, true]'
# The protocol and certificate verdicts (12.1.1, 12.2.2): never a PASS from what was not seen.
V='[.verdicts[] | select(.id == "12.1.1" or .id == "12.2.2") | .result]'
for m in garbage reclen hslen rst; do
  port=PORT_${m^^}
  chaos "$m" 3 "$(tls "${!port}")" "$V" '["ERROR", "ERROR"]'
done
# A ServerHello (or HelloRetryRequest) is seen, so the version is known; the certificate not.
for m in closesh hrr bigchain; do
  port=PORT_${m^^}
  chaos "$m" 3 "$(tls "${!port}")" "$V | .[1]" '"ERROR"'
done
for m in smtp_endless smtp_longline; do
  port=PORT_${m^^}
  chaos "$m" 3 "$(tls "${!port}")
    starttls: smtp" '[.facts.starttls.error, '"$V"']' \
    '["SMTP greeting: reply too long (over 16384 bytes)", ["ERROR", "ERROR"]]'
done
# The cleartext HTTP port: no answer, garbage, endless headers: 12.2.1 unknown.
for m in http_silent http_garbage http_endless; do
  port=PORT_${m^^}
  chaos "$m" 3 "  - host: localhost
    port: $LAB_PORT_NGINX
    ca: $LAB_DIR/ca.pem
    http_port: ${!port}" '[.facts.http.status, (.verdicts[] | select(.id == "12.2.1") | .result)]' '["ok", "ERROR"]'
done
# An HTTPS body without end: its headers (HSTS) are read all the same.
chaos tls_slowbody 1 "$(tls "$PORT_TLS_SLOWBODY")
    http_port: $LAB_PORT_WEB2_REFUSED" '.facts.http.https.hsts.valid' true
if [ -n "${PORT_TLS:-}" ]; then
  chaos urls_ocsp_crl 3 "  - host: localhost
    port: $PORT_TLS
    ca: $LAB_DIR/ca.pem" '.facts.certificate.revocation | [.result, .ocsp.cert_status, .crl.listed]' '["error", null, null]'
  chaos urls_aia 3 "  - host: localhost
    port: $PORT_TLS_LEAF
    ca: $LAB_DIR/ca.pem" '.facts.certificate | [(.chain_analysis.aia_fetched | length), .chain_analysis.completed_via_aia, .revocation.result]' \
    '[1, false, "error"]'
fi

# Without --endpoint-timeout the deadline is 8 x --timeout: the drip ends within it too.
TP_COMMON=(--timeout 1 --no-color -q)
inventory default_deadline "$(tls "$PORT_DRIP")
    tags: [chaos]"
tp default_deadline -f "$TEST_TMP/default_deadline.yaml" --format json
assert_jq "drip, default deadline: cut by 8 x --timeout" "$TP_OUT" \
  '.endpoints[] | select(.tags == ["chaos"]) | [.duration_ms >= 8000, .duration_ms <= 8000 + '"$SLACK_MS"', .facts.versions.error]' \
  '[true, true, "endpoint deadline: unfinished after 8 s (--endpoint-timeout)"]'
