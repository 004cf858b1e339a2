#!/usr/bin/env bash
# --expiry-warn is a finding in every format: a served leaf expiring within DAYS is a warning
# (JSON "warnings", summary "warnings", a text WARN line, a CSV row, a JUnit testcase, HTML),
# the verdicts and grade stay, and --fail-on warn turns the exit status to 1.
# The test's own server: nginx on LAB_PORT_BASE+200 (past the lab's BASE..BASE+199) with two
# leaves made here from the lab's intermediate, RSA valid 14 days and ECDSA 41 days from now
# (so 13 and 40 whole days left), each with the lab's CRL (which does not list them). The
# warnings come in the order of the leaves found (the server's default first): compared sorted.
. "$(dirname "$0")/../lib.sh"

PORT=$((LAB_PORT_BASE + 200))
SOON="localhost:$PORT"
D=$TEST_TMP/soon
mkdir -p "$D/logs" "$D/tmp"
NGINX_PID=""
stop_soon() {
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  cleanup_test_tmp
}
trap stop_soon EXIT

# leaf NAME DAYS KEYALG KEYUSAGE: a leaf signed by the lab intermediate, valid DAYS from now.
leaf() {
  local name=$1 days=$2 alg=$3 usage=$4
  openssl genpkey -quiet -algorithm "$alg" ${5:+-pkeyopt "$5"} -out "$D/$name.key" 2>/dev/null ||
    openssl genpkey -algorithm "$alg" ${5:+-pkeyopt "$5"} -out "$D/$name.key" 2>/dev/null
  cat > "$D/$name.ext" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, $usage
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1
authorityInfoAccess = caIssuers;URI:http://127.0.0.1:$((LAB_PORT_BASE + 60))/int.der
crlDistributionPoints = URI:http://127.0.0.1:$((LAB_PORT_BASE + 60))/int.crl
EOF
  openssl req -new -key "$D/$name.key" -subj "/O=tlsprobe lab/CN=localhost" -out "$D/$name.csr" 2>/dev/null &&
    openssl x509 -req -in "$D/$name.csr" -CA "$LAB_PKI/intermediate.pem" -CAkey "$LAB_PKI/intermediate.key" \
      -set_serial "0x$(openssl rand -hex 8)" -days "$days" -sha256 -extfile "$D/$name.ext" -out "$D/$name.pem" \
      2>/dev/null && cat "$D/$name.pem" "$LAB_PKI/intermediate.pem" > "$D/$name-chain.pem"
}
leaf rsa 14 RSA "digitalSignature, keyEncipherment" rsa_keygen_bits:2048 &&
  leaf ecdsa 41 EC digitalSignature ec_paramgen_curve:P-256 || { not_ok "soon leaves made" "openssl failed"; exit 0; }
# Whole days left: 13 and 40 once a second has passed since notBefore (never 14 and 41).
sleep 1

user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user nobody nogroup;"
cat > "$D/nginx.conf" <<EOF
$user_line
worker_processes 1;
daemon off;
pid $D/nginx.pid;
error_log $D/logs/error.log info;
events { worker_connections 64; }
http {
  access_log $D/logs/access.log;
  client_body_temp_path $D/tmp/body;
  proxy_temp_path $D/tmp/proxy;
  fastcgi_temp_path $D/tmp/fastcgi;
  uwsgi_temp_path $D/tmp/uwsgi;
  scgi_temp_path $D/tmp/scgi;
  server {
    listen 127.0.0.1:$PORT ssl;
    server_name localhost;
    ssl_certificate $D/rsa-chain.pem;
    ssl_certificate_key $D/rsa.key;
    ssl_certificate $D/ecdsa-chain.pem;
    ssl_certificate_key $D/ecdsa.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    add_header Strict-Transport-Security "max-age=31536000" always;
    location / { return 200 "tlsprobe expiry_warn\n"; }
  }
}
EOF
nginx -p "$D" -e "$D/logs/error.log" -c "$D/nginx.conf" 2>"$D/logs/start.log" &
NGINX_PID=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
if ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  not_ok "nginx with the soon leaves listens on $PORT" "$(oneline "$(cat "$D/logs/start.log" "$D/logs/error.log")")"
  exit 0
fi

RSA_DATE=$(cert_date "$D/rsa.pem" notAfter | cut -c1-10)
EC_DATE=$(cert_date "$D/ecdsa.pem" notAfter | cut -c1-10)
RSA_TEXT="RSA leaf expires in 13 days ($RSA_DATE), within --expiry-warn 60"
EC_TEXT="ECDSA leaf expires in 40 days ($EC_DATE), within --expiry-warn 60"
E=$(ep "$SOON")
ALL_PASS="($E | [.verdicts[].result] | unique)"

# ---- JSON: both leaves warned, verdicts all PASS, exit 0; the grade is the grade without warnings
tp json-60 --format json --ca-file "$LAB_CA" --expiry-warn 60 "$SOON"
assert_rc "json --expiry-warn 60: exit 0" 0
assert_jq "json --expiry-warn 60: a warning per leaf, exact text, not counted" "$TP_OUT" \
  "$E | [.warnings[] | [.id, .text, .fails]] | sort_by(.[1] | test(\"^ECDSA\"))" \
  "[[\"certificate-expiry\",\"$RSA_TEXT\",false],[\"certificate-expiry\",\"$EC_TEXT\",false]]"
assert_jq "json --expiry-warn 60: evidence" "$TP_OUT" \
  "$E | [.warnings[].evidence | [.key_type, .days_to_expiry, .expiry_warn_days, .not_after[0:10], (.sha256 | length)]] | sort_by(.[1])" \
  "[[\"RSA\",13,60,\"$RSA_DATE\",64],[\"EC\",40,60,\"$EC_DATE\",64]]"
assert_jq "json --expiry-warn 60: verdicts PASS, result PASS, summary counts it" "$TP_OUT" \
  "[$ALL_PASS, $E.result, .summary.warnings, .summary.passed]" '[["PASS"],"PASS",1,1]'
GRADE_60=$(jqc "$TP_OUT" "$E.grade")
tp json-0 --format json --ca-file "$LAB_CA" --expiry-warn 0 "$SOON"
assert_jq "json --expiry-warn 0: no warning, summary 0" "$TP_OUT" "[$E.warnings, .summary.warnings]" '[[],0]'
assert_eq "the grade does not change with warnings" "$(jqc "$TP_OUT" "$E.grade")" "$GRADE_60"
assert_jq "the leaves carry not_after and days_to_expiry" "$TP_OUT" \
  "$E.facts.certificate.certificates | map([.key_type, .days_to_expiry, .not_after[0:10]]) | sort" \
  "[[\"EC\",40,\"$EC_DATE\"],[\"RSA\",13,\"$RSA_DATE\"]]"

# ---- a narrower window warns of the RSA leaf only
tp json-30 --format json --ca-file "$LAB_CA" --expiry-warn 30 "$SOON"
assert_jq "json --expiry-warn 30: the RSA leaf only" "$TP_OUT" "$E | [.warnings[].text]" \
  "[\"RSA leaf expires in 13 days ($RSA_DATE), within --expiry-warn 30\"]"
tp json-13 --format json --ca-file "$LAB_CA" --expiry-warn 13 --fail-on warn "$SOON"
assert_rc "13 days left, --expiry-warn 13 --fail-on warn: not within, exit 0" 0

# ---- --fail-on warn: exit 1, result FAIL, verdicts unchanged
tp json-warn --format json --ca-file "$LAB_CA" --expiry-warn 60 --fail-on warn "$SOON"
assert_rc "json --fail-on warn: exit 1" 1
assert_jq "json --fail-on warn: result FAIL, verdicts PASS, warnings counted" "$TP_OUT" \
  "[$ALL_PASS, $E.result, [$E.warnings[].fails], .summary.failed, .summary.exit_status]" \
  '[["PASS"],"FAIL",[true,true],1,1]'
assert_eq "json --fail-on warn: the same grade" "$(jqc "$TP_OUT" "$E.grade")" "$GRADE_60"

# ---- the lab's expired leaf is a failure, never a warning; the good leaf (364 days) warns in a wide window
tp expired --format json --ca-file "$LAB_CA" --expiry-warn 3650 --fail-on warn "localhost:$LAB_PORT_EXPIRED" \
  "localhost:$LAB_PORT_NGINX"
assert_jq "expired leaf: no warning; good leaf: a warning" "$TP_OUT" \
  "[$(ep "localhost:$LAB_PORT_EXPIRED").warnings, [$(ep "localhost:$LAB_PORT_NGINX").warnings[].evidence.days_to_expiry], .summary.warnings]" \
  '[[],[364],1]'
tp unreachable --format json --expiry-warn 60 --fail-on warn "localhost:$LAB_PORT_REFUSED"
assert_jq "unreachable: warnings is an empty array" "$TP_OUT" '[.endpoints[0].warnings, .summary.warnings]' '[[],0]'

# ---- text
for fo in fail warn; do
  tp "text-$fo" --format text --ca-file "$LAB_CA" --expiry-warn 60 --fail-on "$fo" "$SOON"
  assert_rc "text --fail-on $fo: exit $([ $fo = warn ] && echo 1 || echo 0)" "$([ $fo = warn ] && echo 1 || echo 0)"
  assert_file_contains "text --fail-on $fo: the RSA WARN line" "$TP_OUT" "    WARN   certificate-expiry: $RSA_TEXT"
  assert_file_contains "text --fail-on $fo: the ECDSA WARN line" "$TP_OUT" "    WARN   certificate-expiry: $EC_TEXT"
done
assert_file_contains "text: the summary counts warnings" "$TEST_TMP/text-fail.out" \
  "1 endpoints: 1 passed, 0 failed, 0 errors, 1 with warnings (exit status 0)"

# ---- CSV: the header as before, a WARN row per warning
HEADER="target,host,port,address,service,tags,endpoint_status,requirement,standard,level,result,evidence,title,cwe,waiver,grade"
for fo in fail warn; do
  tp "csv-$fo" --format csv --ca-file "$LAB_CA" --expiry-warn 60 --fail-on "$fo" "$SOON"
  assert_rc "csv --fail-on $fo: exit status" "$([ $fo = warn ] && echo 1 || echo 0)"
  assert_eq "csv --fail-on $fo: header unchanged" "$HEADER" "$(head -n1 "$TP_OUT" | tr -d '\r')"
  got=$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
for r in rows:
    if r["result"] == "WARN":
        print(r["target"], r["requirement"], r["evidence"], r["standard"], r["grade"] != "", sep="|")
' "$TP_OUT" | sort -r)
  assert_eq "csv --fail-on $fo: a WARN row per warning" \
    "$SOON|certificate-expiry|$RSA_TEXT||True"$'\n'"$SOON|certificate-expiry|$EC_TEXT||True" "$got"
done

# ---- JUnit: system-out when not counted, failure type="warning" when --fail-on warn counts it
XSD=$TESTS_DIR/schema/junit.xsd
for fo in fail warn; do
  tp "junit-$fo" --format junit --ca-file "$LAB_CA" --expiry-warn 60 --fail-on "$fo" "$SOON"
  assert_rc "junit --fail-on $fo: exit status" "$([ $fo = warn ] && echo 1 || echo 0)"
  if out=$(xmllint --noout --schema "$XSD" "$TP_OUT" 2>&1); then ok "junit --fail-on $fo: validates"; else
    not_ok "junit --fail-on $fo: validates" "$(oneline "$out")"; fi
  if [ $fo = fail ]; then
    want="$EC_TEXT|$RSA_TEXT|0|0"
    texts=$(for i in 1 2; do xmllint --xpath "string((//testcase[@name='warning certificate-expiry'])[$i]/system-out)" "$TP_OUT"; echo; done)
  else
    want="$EC_TEXT|$RSA_TEXT|2|2"
    texts=$(for i in 1 2; do xmllint --xpath "string((//testcase[@name='warning certificate-expiry'])[$i]/failure[@type='warning']/@message)" "$TP_OUT"; echo; done)
  fi
  got="$(grep -v "^$" <<<"$texts" | sort | paste -sd'|')|$(xmllint --xpath 'string(/testsuites/@failures)' "$TP_OUT")|$(xmllint --xpath 'count(//failure[@type="warning"])' "$TP_OUT")"
  assert_eq "junit --fail-on $fo: the warning testcases" "$want" "$got"
done

# ---- HTML, and tlsprobe render of the JSON report
tp html --format html --ca-file "$LAB_CA" --expiry-warn 60 --fail-on warn "$SOON"
assert_rc "html --fail-on warn: exit 1" 1
assert_file_contains "html: the warning" "$TP_OUT" "<li>certificate-expiry: $RSA_TEXT</li>"
assert_file_contains "html: the summary counts warnings" "$TP_OUT" "0 passed, 1 failed, 0 errors, 1 with warnings"
"$TLSPROBE" render --format text --no-color "$TEST_TMP/json-60.out" > "$TEST_TMP/render.txt" 2>&1
assert_file_contains "render: the WARN line from a JSON report" "$TEST_TMP/render.txt" "WARN   certificate-expiry: $EC_TEXT"

# ---- --fail-on takes warn and names it when wrong
tp bad-fail-on --fail-on warning "$SOON"
assert_rc "--fail-on warning: usage error" 2
assert_file_contains "--fail-on: the values" "$TP_ERR" "fail, manual, waived, warn or none"
