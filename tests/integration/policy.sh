#!/usr/bin/env bash
# Scoring options: --standard, --level, --explain, waivers (--policy) and --fail-on.
. "$(dirname "$0")/../lib.sh"

LEGACY="localhost:$LAB_PORT_LEGACY"
NGINX="localhost:$LAB_PORT_NGINX"
ids() { echo "[.endpoints[0].verdicts[].id]"; }

# ---- standards and levels select the catalogue
tp std-4 --format json --standard asvs-4.0.3 --level 3 --ca-file "$LAB_CA" "$NGINX"
assert_jq "asvs-4.0.3 level 3: every ASVS 4.0.3 requirement of the catalogue, in its order" "$TP_OUT" "$(ids)" \
  "$(requirement_ids --standard 'ASVS 4.0.3' --level 3)"
assert_jq "asvs-4.0.3: 9.2.5 is MANUAL with its reason" "$TP_OUT" \
  '.endpoints[0].verdicts[] | select(.id == "9.2.5") | [.result, .evidence, .cwe]' \
  '["MANUAL","a network probe cannot observe whether backend TLS failures are logged",544]'
tp std-all --format json --standard all --level 3 --ca-file "$LAB_CA" "$NGINX"
assert_jq "all standards, level 3: every requirement of the catalogue, in its order" "$TP_OUT" "$(ids)" \
  "$(requirement_ids --level 3)"
tp std-5-l2 --format json --level 2 --ca-file "$LAB_CA" "$NGINX"
assert_jq "asvs-5.0 level 2: the ASVS 5.0.0 requirements of levels 1 and 2 only" "$TP_OUT" "$(ids)" \
  "$(requirement_ids --standard 'ASVS 5.0.0' --level 2)"
assert_jq "nginx (ALL ciphers) fails 12.1.2 naming a weak suite" "$TP_OUT" \
  '.endpoints[0].verdicts[] | select(.id == "12.1.2") | [.result, (.evidence | test("TLS_[A-Z0-9_]+ \\((weak|acceptable)"))]' '["FAIL",true]'
assert_jq "12.3.2 is MANUAL: clients cannot be observed" "$TP_OUT" \
  '.endpoints[0].verdicts[] | select(.id == "12.3.2") | .result' '"MANUAL"'
assert_jq "external target: 12.3.4 NOT_APPLICABLE" "$TP_OUT" \
  '.endpoints[0].verdicts[] | select(.id == "12.3.4") | .result' '"NOT_APPLICABLE"'
tp exposure-internal --format json --level 2 --exposure internal --ca-file "$LAB_CA" "$NGINX"
assert_jq "internal target: 12.2.2 NOT_APPLICABLE, 12.3.4 PASS" "$TP_OUT" \
  '[.endpoints[0].verdicts[] | select(.id == "12.2.2" or .id == "12.3.4") | .result]' '["NOT_APPLICABLE","PASS"]'

tp bad-standard --standard asvs-3 "$NGINX"
assert_rc "--standard asvs-3: exit 2" 2
tp explain --explain 12.1.4
assert_rc "--explain: exit 0" 0
assert_file_contains "--explain prints the requirement text" "$TP_OUT" "Online Certificate Status Protocol"
assert_file_contains "--explain says how tlsprobe decides" "$TP_OUT" "How tlsprobe decides"
tp explain-unknown --explain 1.2.3
assert_rc "--explain unknown id: exit 2" 2

# ---- waivers
POLICY=$TEST_TMP/policy.yaml
cat > "$POLICY" <<YAML
waivers:
  - requirement: "12.1.1"
    target: "$LEGACY"
    until: 2099-12-31
    reason: "legacy clients, migration ticket OPS-1"
  - requirement: "12.2.1"
    target: "$LEGACY"
    until: 2099-12-31
    reason: "s_server -www sends no HSTS"
YAML
tp waived --format json --ca-file "$LAB_CA" --policy "$POLICY" "$LEGACY"
assert_jq "a waived failure is WAIVED with its reason" "$TP_OUT" \
  '.endpoints[0].verdicts[] | select(.id == "12.1.1") | [.result, .waiver.reason, .waiver.until, .waiver.expired]' \
  '["WAIVED","legacy clients, migration ticket OPS-1","2099-12-31",false]'
assert_jq "waived: the endpoint passes" "$TP_OUT" '.endpoints[0].result' '"PASS"'
assert_rc "waived: exit 0" 0
tp waived-fail-on --format json --ca-file "$LAB_CA" --policy "$POLICY" --fail-on waived "$LEGACY"
assert_rc "--fail-on waived: a waived failure still exits 1" 1

cat > "$POLICY" <<YAML
waivers:
  - requirement: "12.1.1"
    tag: legacy
    until: 2020-01-31
    reason: "expired on purpose"
YAML
INV=$TEST_TMP/inv.yaml
printf 'targets:\n  - host: localhost\n    port: %s\n    ca: %s\n    tags: [legacy]\n' "$LAB_PORT_LEGACY" "$LAB_CA" > "$INV"
tp waiver-expired --format json --policy "$POLICY" -f "$INV"
assert_jq "an expired waiver fails again and says so" "$TP_OUT" \
  '.endpoints[0].verdicts[] | select(.id == "12.1.1") | [.result, .waiver.expired, (.evidence | contains("waiver expired 2020-01-31: expired on purpose"))]' \
  '["FAIL",true,true]'
assert_rc "expired waiver: exit 1" 1

tp fail-on-none --format json --ca-file "$LAB_CA" --fail-on none "$LEGACY"
assert_rc "--fail-on none: exit 0 despite FAIL" 0
assert_jq "--fail-on none: the verdict is still FAIL, the endpoint counts as passed" "$TP_OUT" \
  '[(.endpoints[0].verdicts[] | select(.id == "12.1.1") | .result), .endpoints[0].result, .summary.passed]' '["FAIL","PASS",1]'
tp fail-on-manual --format json --ca-file "$LAB_CA" --fail-on manual --level 2 --standard asvs-4.0.3 "$NGINX"
assert_rc "--fail-on manual: MANUAL verdicts exit 1" 1

# ---- policy errors: FILE:LINE:COLUMN, exit 2
bad_policy() {   # bad_policy LABEL LOCATION FIELD YAML
  local f=$TEST_TMP/$1.yaml
  printf '%s\n' "$4" > "$f"
  tp "$1" --format json --policy "$f" "$NGINX"
  assert_rc "$1: exit 2" 2
  assert_file_contains "$1: names $f:$2 and '$3'" "$TP_ERR" "$f:$2: field '$3'"
}
bad_policy policy-bad-date "4:12" until 'waivers:
  - requirement: "12.1.1"
    target: x
    until: 2026-02-30
    reason: r'
bad_policy policy-no-reason "2:5" reason 'waivers:
  - requirement: "12.1.1"
    target: x
    until: 2026-02-01'
bad_policy policy-no-target "2:5" target 'waivers:
  - requirement: "12.1.1"
    until: 2026-02-01
    reason: r'
