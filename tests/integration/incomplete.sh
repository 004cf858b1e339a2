#!/usr/bin/env bash
# A report of a stopped sweep ("incomplete": true) says so in every format, so that a partial
# run never reads as a clean one: text (an INCOMPLETE line), CSV (a "sweep" row with result
# ERROR), JUnit (an error testcase, counted in the root), HTML (a banner), prometheus
# (tlsprobe_run_incomplete 1); a complete report shows none of them.
. "$(dirname "$0")/../lib.sh"

tp scan --format json --ca-file "$LAB_CA" "localhost:$LAB_PORT_NGINX"
jq '.incomplete = true | .summary.not_probed = 7 | .summary.exit_status = 3' "$TP_OUT" > "$TEST_TMP/stopped.json"
cp "$TP_OUT" "$TEST_TMP/whole.json"
LINE='INCOMPLETE: the sweep was stopped before every target was probed (7 not probed)'

# shows FORMAT DESCRIPTION PATTERN: the stopped report rendered in FORMAT matches the fixed
# string PATTERN and the complete one does not.
shows() {
  "$TLSPROBE" render --format "$1" "$TEST_TMP/stopped.json" > "$TEST_TMP/stopped.$1" 2>&1
  "$TLSPROBE" render --format "$1" "$TEST_TMP/whole.json" > "$TEST_TMP/whole.$1" 2>&1
  if grep -qF -- "$3" "$TEST_TMP/stopped.$1" && ! grep -qF -- "$3" "$TEST_TMP/whole.$1"; then
    ok "$1: $2"
  else
    not_ok "$1: $2" "$(oneline "$(grep -iF incomplete "$TEST_TMP/stopped.$1" | head -3)")"
  fi
}
shows text "an INCOMPLETE line" "$LINE"
shows csv "a sweep row with result ERROR" ",,,,,,,sweep,,,ERROR,$LINE"
shows junit "an error testcase" "<testcase classname=\"tlsprobe\" name=\"sweep complete\">"
shows html "a banner" "<p class=\"summary incomplete\"><strong>$LINE</strong></p>"
shows prometheus "tlsprobe_run_incomplete 1" "tlsprobe_run_incomplete 1"
shows prometheus "tlsprobe_run_not_probed 7" "tlsprobe_run_not_probed 7"
assert_eq "prometheus: a complete run says 0" "$(grep -c '^tlsprobe_run_incomplete 0$' "$TEST_TMP/whole.prometheus")" 1

# JUnit: the root counts the stopped sweep as one more test and one more error.
counts() { xmllint --xpath 'concat(/testsuites/@tests, " ", /testsuites/@errors)' "$1"; }
read -r t0 e0 <<<"$(counts "$TEST_TMP/whole.junit")"
assert_eq "junit: the root counts the stopped sweep" "$(counts "$TEST_TMP/stopped.junit")" "$((t0 + 1)) $((e0 + 1))"
