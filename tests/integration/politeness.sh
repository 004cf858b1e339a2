#!/usr/bin/env bash
# --per-host covers every connection tlsprobe opens, and third-party fetches are made once per
# run. Twelve TLS endpoints (openssl s_server on 127.0.0.1, twelve ports) all name one server
# for OCSP, CRL and caIssuers and share it as their http_port: tests/lab/fetch_counter.py, which
# answers every request after 0.2 s and counts the connections open at once and the requests
# per path. The endpoints serve their leaf alone (the intermediate comes from caIssuers). Four
# leaves, made here from the lab's intermediate, three endpoints each:
#   ocsp1, ocsp2  OCSP (answered good by `openssl ocsp` over this test's index), CRL, caIssuers
#   crl           CRL (the lab's int.crl, which does not list it) and caIssuers only
#   dead          CRL at /dead.crl, which the server closes unanswered, and caIssuers only
# With --per-host 2 --jobs 16 the server never sees more than 2 connections at once, and every
# document is fetched once: 2 OCSP queries (one per certificate), 1 CRL, 1 broken CRL (a failure
# is kept for the run), 1 caIssuers; the cleartext port, asked about each endpoint, 12 times.
# The broken CRL leaves revocation unknown, never good. tlsprobe before issue 15 opened 16
# connections at once to that server and fetched the CRL 3 times (fe59163): both assertions fail on it.
# Ports (free in the lab's BASE..BASE+199): the counter +157; TLS +165..169, +174..179, +187.
. "$(dirname "$0")/../lib.sh"

COUNTER_PORT=$((LAB_PORT_BASE + 157))
TLS_OFFSETS=(165 166 167 168 169 174 175 176 177 178 179 187)
LEAVES=(ocsp1 ocsp2 crl dead)
D=$TEST_TMP/polite
mkdir -p "$D/files"
PIDS=()
stop_servers() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  cleanup_test_tmp
}
trap stop_servers EXIT

URL=http://127.0.0.1:$COUNTER_PORT
# leaf NAME AIA CRL_PATH: an ECDSA leaf for localhost signed by the lab's intermediate.
leaf() {
  local name=$1 aia=$2 crl=$3
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$D/$name.key" 2>/dev/null &&
    cat > "$D/$name.ext" <<EOF &&
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1
authorityInfoAccess = $aia
crlDistributionPoints = URI:$URL/$crl
EOF
    openssl req -new -key "$D/$name.key" -subj "/O=tlsprobe politeness/OU=$name/CN=localhost" -out "$D/$name.csr" 2>/dev/null &&
    openssl x509 -req -in "$D/$name.csr" -CA "$LAB_PKI/intermediate.pem" -CAkey "$LAB_PKI/intermediate.key" \
      -set_serial "0x$(openssl rand -hex 8 | tr a-f A-F)" -days 30 -sha256 -extfile "$D/$name.ext" \
      -out "$D/$name.pem" 2>/dev/null
}
# index_line NAME: the leaf as a valid certificate in an `openssl ocsp -index` file.
index_line() {
  local serial end
  serial=$(openssl x509 -in "$D/$1.pem" -noout -serial | sed 's/^serial=//')
  end=$(date -u -d "$(openssl x509 -in "$D/$1.pem" -noout -enddate | sed 's/^[^=]*=//')" +%y%m%d%H%M%SZ)
  printf 'V\t%s\t\t%s\tunknown\t/O=tlsprobe politeness/OU=%s/CN=localhost\n' "$end" "$serial" "$1"
}
WITH_OCSP="OCSP;URI:$URL/ocsp, caIssuers;URI:$URL/int.der"
if ! { leaf ocsp1 "$WITH_OCSP" int.crl && leaf ocsp2 "$WITH_OCSP" int.crl &&
       leaf crl "caIssuers;URI:$URL/int.der" int.crl && leaf dead "caIssuers;URI:$URL/int.der" dead.crl; }; then
  not_ok "politeness: leaves made" "openssl failed"
  exit 0
fi
{ index_line ocsp1; index_line ocsp2; } > "$D/index.txt"
cp "$LAB_DIR/http/int.der" "$LAB_DIR/http/int.crl" "$D/files/"

listens() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# start PORT CMD...: runs CMD in the background; false unless PORT listens within 10 s.
start() {
  local port=$1; shift
  if listens "$port"; then
    not_ok "politeness: port $port is free" "something listens there already"
    return 1
  fi
  "$@" </dev/null >"$D/server-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do listens "$port" && return 0; sleep 0.1; done
  not_ok "politeness: a server listens on $port" "$(oneline "$(tail -n 5 "$D/server-$port.log")")"
  return 1
}

STATS=$D/stats.json
start "$COUNTER_PORT" python3 "$TESTS_DIR/lab/fetch_counter.py" --port "$COUNTER_PORT" --dir "$D/files" \
  --stats "$STATS" --delay 0.2 --index "$D/index.txt" --ca "$LAB_PKI/intermediate.pem" \
  --rsigner "$LAB_PKI/intermediate.pem" --rkey "$LAB_PKI/intermediate.key" || exit 0
INV=$D/inventory.yaml
echo "targets:" > "$INV"
i=0
for off in "${TLS_OFFSETS[@]}"; do
  port=$((LAB_PORT_BASE + off)) name=${LEAVES[$((i % 4))]}
  # -www: answers HTTPS requests and never reads stdin. The leaf alone: caIssuers is needed.
  start "$port" env OPENSSL_CONF=/dev/null openssl s_server -accept "127.0.0.1:$port" -www \
    -cert "$D/$name.pem" -key "$D/$name.key" || exit 0
  printf '  - { host: localhost, port: %s, http_port: %s, tags: [%s] }\n' "$port" "$COUNTER_PORT" "$name" >> "$INV"
  i=$((i + 1))
done

tp polite --format json --standard all --level 3 --ca-file "$LAB_CA" --timeout 10 --per-host 2 --jobs 16 \
  --probes certificate,http -f "$INV"

# The counts are final once every connection the server accepted is closed.
for _ in $(seq 50); do [ "$(jq -r .open "$STATS" 2>/dev/null)" = 0 ] && break; sleep 0.1; done
assert_jq "politeness: at most 2 connections at once to the shared OCSP/CRL/AIA/http_port server (--per-host 2)" \
  "$STATS" '.max_active <= 2' true
assert_jq "politeness: the CRL was fetched once for the 3 endpoints that needed it" "$STATS" \
  '.requests["GET /int.crl"]' 1
assert_jq "politeness: the broken CRL was asked for once (a failure is kept for the run)" "$STATS" \
  '.requests["GET /dead.crl"]' 1
assert_jq "politeness: caIssuers fetched once for 12 endpoints" "$STATS" '.requests["GET /int.der"]' 1
assert_jq "politeness: OCSP asked once per certificate (2), not once per endpoint (6)" "$STATS" \
  '.requests["POST /ocsp"]' 2
assert_jq "politeness: the cleartext port was asked about every endpoint (never cached)" "$STATS" \
  '.requests["GET /"]' 12

R=.facts.certificate.revocation
tagged() { printf '[.endpoints[] | select(.tags == ["%s"])]' "$1"; }
for name in ocsp1 ocsp2; do
  assert_jq "politeness: $name: good by OCSP on each of its 3 endpoints" "$TP_OUT" \
    "[$(tagged $name)[] | $R | [.method, .result]] | unique" '[["ocsp","good"]]'
done
assert_jq "politeness: crl: good by CRL on each of its 3 endpoints" "$TP_OUT" \
  "[$(tagged crl)[] | $R | [.method, .result]] | unique" '[["crl","good"]]'
assert_jq "politeness: dead: revocation unknown (error) on each of its 3 endpoints, never good" "$TP_OUT" \
  "[$(tagged dead)[] | $R | [.method, .result, (.crl.error | test(\"Empty reply\"))]] | unique" '[[null,"error",true]]'
assert_jq "politeness: dead: 12.1.4 is not PASS on any endpoint" "$TP_OUT" \
  "[$(tagged dead)[] | .verdicts[] | select(.id == \"12.1.4\") | .result] | map(select(. == \"PASS\"))" '[]'
assert_jq "politeness: every chain completed from caIssuers and verified" "$TP_OUT" \
  '[.endpoints[].facts.certificate | [.trust.verified, .chain_analysis.aia_fetched]] | unique' \
  "[[true,[\"$URL/int.der\"]]]"
assert_jq "politeness: every cleartext port answered and upgrades (no fetch lost to the gate)" "$TP_OUT" \
  '[.endpoints[].facts.http.cleartext | [.listening, .upgrades]] | unique' '[[true,true]]'
