#!/usr/bin/env bash
# Letter grades and Mozilla profile deviations from real facts (rules: man/tlsprobe.1, GRADING
# and PROFILES). The lab's leaves are RSA 2048, 365 days, signed sha256WithRSAEncryption.
. "$(dirname "$0")/../lib.sh"

NGINX="localhost:$LAB_PORT_NGINX"
TLS13="localhost:$LAB_PORT_TLS13"
LEGACY="localhost:$LAB_PORT_LEGACY"
EXPIRED="localhost:$LAB_PORT_EXPIRED"

# complete_known FILE: every ciphers.protocols entry says whether its enumeration is complete
# (the "enum" slice's fact, issue #11). Without it there is no grade, by design (man
# tlsprobe(1), GRADING): then the reason is asserted instead of the letters, which need it.
complete_known() { jq -e '[.endpoints[].facts.ciphers.protocols[]? | has("complete")] | all' "$1" >/dev/null 2>&1; }
# no_grade LABEL FILE TARGET REASON_PREFIX: grade null, no score or caps, the reason given.
no_grade() {
  assert_jq "$1" "$2" "$(ep "$3").grade | [.grade, .grade_if_trusted, .score, .components, .caps, (.reason | startswith(\"$4\"))]" \
    '[null,null,null,null,[],true]'
}
INCOMPLETE12="the suites of TLSv1.2 are not known to be all found"
INCOMPLETE13="the suites of TLSv1.3 are not known to be all found"

tp grade --format json --profile intermediate --ca-file "$LAB_CA" "$NGINX" "$LEGACY" "$EXPIRED"
REPORT=$TP_OUT

# nginx: TLS 1.2 + 1.3, OpenSSL's whole DEFAULT list below 1.3 (RSA key exchange, CBC), HSTS one year.
E=$(ep "$NGINX")
if complete_known "$REPORT"; then
  COMPLETE=1
  assert_jq "nginx: grade A- (score 93: protocol 100, key exchange 90, cipher 90)" "$REPORT" \
    "$E.grade | [.grade, .grade_if_trusted, .score, .components, .reason]" \
    '["A-","A-",93,{"protocol":100,"key_exchange":90,"cipher":90},null]'
  assert_jq "nginx: every cap (some suites without FS or AEAD: A-; HSTS a year is enough for A+)" "$REPORT" "$E.grade.caps" \
    '["forward secrecy on 14 of 30 suites: capped at A-","AEAD on 16 of 30 suites: capped at A-"]'
  assert_jq "nginx: every version's suites complete, no cipher_suite deviation 'not examined'" "$REPORT" \
    "[$E.profile.deviations[] | select(.found | startswith(\"not examined\"))]" '[]'
else
  COMPLETE=""
  skip "grade letters of nginx, legacy, expired and tls13" "ciphers.protocols[].complete not in the facts yet (enum slice)"
  no_grade "nginx: no grade while its suites are not known complete" "$REPORT" "$NGINX" "$INCOMPLETE12"
  assert_jq "nginx: the profile says the suites were not all examined" "$REPORT" \
    "[$E.profile.deviations[] | select(.found | startswith(\"not examined\")) | [.check, .found]]" \
    "[[\"cipher_suite\",\"not examined: $INCOMPLETE12\"],[\"cipher_suite\",\"not examined: $INCOMPLETE13\"]]"
fi
assert_jq "nginx: intermediate 6.0, not compliant" "$REPORT" \
  "$E.profile | [.name, .guidelines_version, .compliant]" '["intermediate","6.0",false]'
assert_jq "nginx: the 24 suites below TLS 1.3 outside intermediate, each once" "$REPORT" \
  "[$E.profile.deviations[] | select(.check == \"cipher_suite\") | .found | select(startswith(\"not examined\") | not)] | sort" \
  '["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA","TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA","TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256","TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256","TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384",
    "TLS_RSA_WITH_AES_128_CBC_SHA","TLS_RSA_WITH_AES_128_CBC_SHA256","TLS_RSA_WITH_AES_128_CCM",
    "TLS_RSA_WITH_AES_128_CCM_8","TLS_RSA_WITH_AES_128_GCM_SHA256","TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA256","TLS_RSA_WITH_AES_256_CCM","TLS_RSA_WITH_AES_256_CCM_8",
    "TLS_RSA_WITH_AES_256_GCM_SHA384","TLS_RSA_WITH_ARIA_128_GCM_SHA256","TLS_RSA_WITH_ARIA_256_GCM_SHA384",
    "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA","TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256",
    "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA","TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256"]'
assert_jq "nginx: the suite deviations name intermediate's six suites as expected" "$REPORT" \
  "[$E.profile.deviations[] | select(.check == \"cipher_suite\") | .expected] | unique" \
  '["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"]'
assert_jq "nginx: beyond the suites only HSTS counts; groups and stapling are advisory" "$REPORT" \
  "[$E.profile.deviations[] | select(.check != \"cipher_suite\") | [.check, (.advisory // false)]] | unique" \
  '[["group",true],["hsts",false],["ocsp_staple",true]]'
assert_jq "nginx: HSTS deviation says one year against two" "$REPORT" \
  "$E.profile.deviations[] | select(.check == \"hsts\") | [.expected, .found]" '["max-age >= 63072000","max-age=31536000"]'
assert_jq "nginx: the groups outside tls_curves are the ones the lab's OpenSSL adds" "$REPORT" \
  "[$E.profile.deviations[] | select(.check == \"group\") | .found] - [\"x448\",\"secp521r1\",\"ffdhe2048\",\"ffdhe3072\",\"ffdhe4096\",\"ffdhe6144\",\"ffdhe8192\"]" '[]'

# legacy: TLS 1.0 + 1.1 only (SECLEVEL=0), CBC suites; a web server (s_server -www) without HSTS.
E=$(ep "$LEGACY")
if [ -n "$COMPLETE" ]; then
  assert_jq "legacy: capped at C (no TLS 1.2), with TLS 1.0/1.1 at B" "$REPORT" \
    "$E.grade | [.grade, .score, .components]" '["C",90,{"protocol":92,"key_exchange":90,"cipher":90}]'
  assert_jq "legacy: every cap" "$REPORT" "$E.grade.caps" \
    '["TLS 1.0 or 1.1 accepted: capped at B","no TLS 1.2 or 1.3: capped at C",
      "forward secrecy on 4 of 6 suites: capped at A-","no AEAD suite: capped at B",
      "no HSTS (A+ needs max-age >= 15552000): capped at A"]'
else
  no_grade "legacy: no grade while its suites are not known complete" "$REPORT" "$LEGACY" \
    "the suites of TLSv1.0 are not known to be all found"
fi
assert_jq "legacy: intermediate protocol deviations TLSv1.0 and TLSv1.1" "$REPORT" \
  "[$E.profile.deviations[] | select(.check == \"protocol\") | .found]" '["TLSv1.0","TLSv1.1"]'

# expired: the good configuration behind an expired leaf is T, and says what it would be.
E=$(ep "$EXPIRED")
if [ -n "$COMPLETE" ]; then
  assert_jq "expired: grade T, A- if trusted" "$REPORT" "$E.grade | [.grade, .grade_if_trusted]" '["T","A-"]'
  assert_jq "expired: the trust reasons are listed" "$REPORT" \
    "[$E.grade.caps[] | select(endswith(\": T\")) | sub(\" [0-9T:Z-]+: T$\"; \": T\")]" \
    '["certificate expired: T","chain not trusted by file:'"$LAB_CA"': certificate has expired: T"]'
else
  no_grade "expired: no grade while its suites are not known complete" "$REPORT" "$EXPIRED" "$INCOMPLETE12"
fi
assert_jq "expired: intermediate names the untrusted chain" "$REPORT" \
  "[$E.profile.deviations[] | select(.check == \"certificate_trust\") | .found]" \
  '["not trusted by file:'"$LAB_CA"': certificate has expired"]'

# tls13 (s_server -tls1_3) against modern: versions, suites and groups comply; what deviates
# is the lab's RSA 365-day leaf (modern wants ECDSA, <= 90 days) and the missing HSTS.
tp grade_modern --format json --profile modern --ca-file "$LAB_CA" "$TLS13"
E=$(ep "$TLS13")
if [ -n "$COMPLETE" ]; then
  assert_jq "tls13: grade A (no HSTS keeps it from A+)" "$TP_OUT" "$E.grade | [.grade, .score, .caps]" \
    '["A",93,["no HSTS (A+ needs max-age >= 15552000): capped at A"]]'
  assert_jq "tls13: modern 6.0, no protocol, suite or size deviation" "$TP_OUT" \
    "$E.profile | [.name, .guidelines_version, ([.deviations[] | select(.check | test(\"protocol|cipher_suite|param_size|server_preferred\"))] | length)]" \
    '["modern","6.0",0]'
else
  no_grade "tls13: no grade while its suites are not known complete" "$TP_OUT" "$TLS13" "$INCOMPLETE13"
fi
assert_jq "tls13: the non-advisory deviations are the certificate's and HSTS" "$TP_OUT" \
  "[$E.profile.deviations[] | select(.advisory | not) | select(.found | startswith(\"not examined\") | not) | [.check, .found]]" \
  '[["certificate_type","rsa (CN=localhost,O=tlsprobe lab)"],["certificate_signature","sha256WithRSAEncryption"],
    ["certificate_lifespan","365 days"],["hsts","no HSTS"]]'
assert_jq "tls13: the rest is advisory (groups, stapling)" "$TP_OUT" \
  "[$E.profile.deviations[] | select(.advisory) | .check] | unique" '["group","ocsp_staple"]'

# The text report shows the grade and the deviations.
tp grade_text --profile intermediate --ca-file "$LAB_CA" "$NGINX"
N=$(jqc "$REPORT" "$(ep "$NGINX").profile.deviations | length")
A=$(jqc "$REPORT" "[$(ep "$NGINX").profile.deviations[] | select(.advisory)] | length")
if [ -n "$COMPLETE" ]; then
  assert_file_contains "text: Grade line" "$TP_OUT" "  Grade        A-  score 93: protocol 100, key exchange 90, cipher 90"
  assert_file_contains "text: a cap line" "$TP_OUT" "               AEAD on 16 of 30 suites: capped at A-"
else
  assert_file_contains "text: Grade line says there is none, and why" "$TP_OUT" "  Grade        no grade: $INCOMPLETE12"
fi
assert_file_contains "text: profile heading with the count" "$TP_OUT" \
  "  Mozilla intermediate (6.0): $N deviations ($A advisory); not compliant"
assert_jq "text: one line per deviation" "$TP_OUT" \
  "[split(\"\n\")[] | select(test(\"^    (cipher_suite|group|ocsp_staple|hsts) \"))] | length" "$N" -R -s
assert_file_contains "text: the HSTS deviation line" "$TP_OUT" \
  "    hsts                   max-age=31536000 (expected: max-age >= 63072000)"

# ---- no grade, in every format: the ciphers probe left out (--probes). Never a letter, never
# silence: "no grade: <reason>" wherever a letter would be.
WHY="ciphers probe did not run"
tp nograde_json --format json --probes versions,certificate --ca-file "$LAB_CA" "$NGINX"
no_grade "json: no grade without the ciphers facts" "$TP_OUT" "$NGINX" "$WHY"
assert_jq "json: the reason is exactly that" "$TP_OUT" "$(ep "$NGINX").grade.reason" "\"$WHY\""
assert_jq "json: 12.2.2 still decided from the certificate facts, the result PASS (no grade is no error)" "$TP_OUT" \
  "$(ep "$NGINX") | [$(verdict 12.2.2), .result]" '["PASS","PASS"]'
tp nograde_text --probes versions,certificate --ca-file "$LAB_CA" "$NGINX"
assert_file_contains "text: no grade and why" "$TP_OUT" "  Grade        no grade: $WHY"
tp nograde_csv --format csv --probes versions,certificate --ca-file "$LAB_CA" "$NGINX"
assert_eq "csv: every row's grade column says no grade and why" "no grade: $WHY" \
  "$(python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(";".join(sorted({r["grade"] for r in rows})) if rows else "no rows")' "$TP_OUT")"
tp nograde_junit --format junit --probes versions,certificate --ca-file "$LAB_CA" "$NGINX"
assert_file_contains "junit: the grade property says no grade and why" "$TP_OUT" \
  "<property name=\"grade\" value=\"no grade: $WHY\"/>"
tp nograde_html --format html --probes versions,certificate --ca-file "$LAB_CA" "$NGINX"
assert_file_contains "html: the matrix's grade cell says no grade and why" "$TP_OUT" ">no grade: $WHY</td>"

# ---- the http probe left out: HSTS not examined is no A+ (capped at A, and said so).
tp nohttp --format json --probes versions,ciphers,groups,certificate --ca-file "$LAB_CA" "$TLS13"
if complete_known "$TP_OUT"; then
  assert_jq "tls13 without the http probe: A, HSTS not examined" "$TP_OUT" "$(ep "$TLS13").grade | [.grade, .score, .caps]" \
    '["A",93,["HSTS not examined (http probe did not run): capped at A"]]'
else
  no_grade "tls13 without the http probe: no grade while its suites are not known complete" "$TP_OUT" "$TLS13" "$INCOMPLETE13"
fi
