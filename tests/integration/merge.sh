#!/usr/bin/env bash
# `tlsprobe merge` joins parts of one sweep: a lab inventory of 11 endpoints is scanned whole (JSON)
# and as JSONL; the JSONL run's endpoint lines, cut into three overlapping parts (two JSONL files
# and one JSON file, each with its run and summary), merge into the whole run's report (after
# tests/golden/normalize.sh: the scans ran at other times), summary included; the duplicate is
# kept from the later argument, with a warning; what is not a 2.1 report is refused (exit 2).
. "$(dirname "$0")/../lib.sh"

NORM=$TESTS_DIR/../tests/golden/normalize.sh
INV=$TEST_TMP/inventory.yaml
{
  echo "targets:"
  for name in TLS12 TLS13 LEGACY NGINX GNUTLS EXPIRED WRONGNAME SELFSIGNED CIPHERS12 NGINX_PREF REFUSED; do
    var=LAB_PORT_$name
    printf '  - host: localhost\n    port: %s\n    ca: %s\n    tags: [%s]\n' "${!var}" "$LAB_CA" "${name,,}"
  done
} >"$INV"

# mrg LABEL ARGS...: runs tlsprobe merge ARGS; MRG_OUT, MRG_ERR (files) and MRG_RC.
mrg() {
  local label=$1; shift
  MRG_OUT=$TEST_TMP/merge-$label.out
  MRG_ERR=$TEST_TMP/merge-$label.err
  timeout -k 5 60 "$TLSPROBE" merge "$@" >"$MRG_OUT" 2>"$MRG_ERR"
  MRG_RC=$?
}

# same NAME A B: A and B equal after normalize.sh, byte for byte (member order included).
same() {
  if cmp -s <("$NORM" <"$2") <("$NORM" <"$3"); then ok "$1"
  else not_ok "$1" "$(oneline "$(diff <("$NORM" <"$2") <("$NORM" <"$3") | head -8)")"; fi
}

tp whole --format json -f "$INV"
cp "$TP_OUT" "$TEST_TMP/whole.json"
assert_jq "whole run: 11 endpoints, indexes 0..10" "$TEST_TMP/whole.json" '[.endpoints[].index]' '[0,1,2,3,4,5,6,7,8,9,10]'
tp whole-jsonl --format jsonl -o "$TEST_TMP/whole.jsonl" -f "$INV"

# ---- parts from the JSONL run: lines in completion order, cut 1-5, 5-8 (5 twice), 9-11
J=$TEST_TMP/whole.jsonl
run=$(head -1 "$J")
summary=$(tail -1 "$J")
grep '"type":"endpoint"' "$J" >"$TEST_TMP/lines"
assert_eq "the JSONL run: a run line, 11 endpoint lines, a summary line" "1 11 1" \
  "$(grep -c '"type":"run"' "$J") $(wc -l <"$TEST_TMP/lines") $(grep -c '"type":"summary"' "$J")"
{ echo "$run"; sed -n 1,5p "$TEST_TMP/lines"; echo "$summary"; } >"$TEST_TMP/p1.jsonl"
{ echo "$run"; sed -n 5,8p "$TEST_TMP/lines"; echo "$summary"; } >"$TEST_TMP/p2.jsonl"
# The third part as a JSON report (a shard written with --format json), its summary left stale.
{ echo "$run"; sed -n 9,11p "$TEST_TMP/lines"; echo "$summary"; } |
  jq -s '(.[0] | del(.type)) + {finished_at: .[-1].finished_at, summary: (.[-1] | del(.type, .finished_at, .incomplete)),
         endpoints: [.[1:-1][] | del(.type)]}' >"$TEST_TMP/p3.json"
# The duplicate's earlier copy is marked: the later one (p2's) must be the one kept.
dup=$(sed -n 5p "$TEST_TMP/lines" | jq -r .id)
jq -c --arg id "$dup" 'if .id == $id then .connections = 999 else . end' "$TEST_TMP/p1.jsonl" >"$TEST_TMP/p1m.jsonl"

mrg parts -o "$TEST_TMP/merged.json" "$TEST_TMP/p3.json" "$TEST_TMP/p1m.jsonl" "$TEST_TMP/p2.jsonl"
assert_eq "merge of 3 parts: exit 0, nothing on stdout" "0 0" "$MRG_RC $(stat -c %s "$MRG_OUT")"
same "merge of 3 parts (JSONL and JSON) equals the whole run's report" "$TEST_TMP/whole.json" "$TEST_TMP/merged.json"
assert_jq "merged summary equals the whole run's" "$TEST_TMP/merged.json" '.summary' "$(jq -c .summary "$TEST_TMP/whole.json")"
assert_jq "merged summary: 11 endpoints, 1 unreachable, exit_status 3 (an ERROR)" "$TEST_TMP/merged.json" \
  '.summary | [.endpoints, .unreachable, .exit_status]' '[11,1,3]'
assert_file_contains "the duplicate: a warning naming it and the argument kept" "$MRG_ERR" \
  "$dup is in $TEST_TMP/p1m.jsonl and $TEST_TMP/p2.jsonl: keeping $TEST_TMP/p2.jsonl's"
assert_jq "the duplicate: the later argument's copy kept" "$TEST_TMP/merged.json" \
  "[.endpoints[] | select(.id == \"$dup\") | .connections != 999]" '[true]'
assert_eq "-o: only the merged file written (no temporary file)" "0" "$(ls "$TEST_TMP" | grep -c '\.tmp')"
mrg reversed "$TEST_TMP/p2.jsonl" "$TEST_TMP/p1m.jsonl" "$TEST_TMP/p3.json"
assert_jq "the other argument order: p1's copy kept" "$MRG_OUT" \
  "[.endpoints[] | select(.id == \"$dup\") | .connections]" '[999]'

# ---- JSONL out: one line per endpoint, in index order, between the run and summary lines
mrg jsonl --format jsonl "$TEST_TMP/p1.jsonl" "$TEST_TMP/p2.jsonl" "$TEST_TMP/p3.json"
assert_jq "--format jsonl: run, 11 endpoints in index order, summary" "$MRG_OUT" \
  '[.[] | if .type == "endpoint" then .index else .type end]' '["run",0,1,2,3,4,5,6,7,8,9,10,"summary"]' --slurp
assert_jq "--format jsonl: the summary line is the whole run's" "$MRG_OUT" \
  '.[-1] | del(.type, .finished_at, .incomplete)' "$(jq -c .summary "$TEST_TMP/whole.json")" --slurp
# The merged JSONL is a report like any other: it diffs clean against the whole run.
"$TLSPROBE" diff "$MRG_OUT" "$TEST_TMP/whole.json" >/dev/null 2>&1
assert_eq "the merged JSONL against the whole run: tlsprobe diff exit 0" 0 $?
mrg single "$J"
same "the JSONL run alone, merged, equals the JSON run" "$TEST_TMP/whole.json" "$MRG_OUT"

# ---- a part cut before its summary line (an interrupted sweep, a shard killed): the merge is
# incomplete, and the targets its run line names but it never finished count as not probed.
{ echo "$run" | jq -c '.targets = 5'; sed -n 9,11p "$TEST_TMP/lines"; } >"$TEST_TMP/cut.jsonl"
mrg incomplete "$TEST_TMP/p1.jsonl" "$TEST_TMP/p2.jsonl" "$TEST_TMP/cut.jsonl"
assert_jq "a part without its summary line: merged report incomplete, 11 endpoints, 2 not probed, 13 targets" \
  "$MRG_OUT" '[.incomplete, .summary.endpoints, .summary.not_probed, .targets, .summary.exit_status]' '[true,11,2,13,3]'
jq -c 'del(.targets)' "$TEST_TMP/cut.jsonl" >"$TEST_TMP/cut-old.jsonl"
mrg incomplete-old "$TEST_TMP/p1.jsonl" "$TEST_TMP/p2.jsonl" "$TEST_TMP/cut-old.jsonl"
assert_jq "a cut part whose run line has no targets (before 2.2): incomplete, not_probed unknown as 0" \
  "$MRG_OUT" '[.incomplete, .summary.not_probed]' '[true,0]'

# ---- bad input: exit 2 with a message, nothing written
bad() {   # bad NAME FILE EXPECTED_IN_MESSAGE
  mrg bad -o "$TEST_TMP/bad-out.json" "$TEST_TMP/p1.jsonl" "$2"
  if [ "$MRG_RC" -eq 2 ] && grep -qF -- "$3" "$MRG_ERR" && [ ! -e "$TEST_TMP/bad-out.json" ]; then
    ok "bad input: $1: exit 2 with a message, nothing written"
  else not_ok "bad input: $1: exit 2 with a message, nothing written" "rc $MRG_RC: $(oneline "$(cat "$MRG_ERR")")"; fi
}
jq 'del(.endpoints[0].index)' "$TEST_TMP/p3.json" >"$TEST_TMP/noindex.json"
bad "an endpoint without index" "$TEST_TMP/noindex.json" "endpoint 1 has no id or index"
jq '.started_at = "yesterday"' "$TEST_TMP/p3.json" >"$TEST_TMP/badtime.json"
bad "a start that is not a time" "$TEST_TMP/badtime.json" "started_at or finished_at is not a time"
{ echo "$run"; echo '{"type":"endpoint",'; } >"$TEST_TMP/cutline.jsonl"
bad "a half-written JSONL line" "$TEST_TMP/cutline.jsonl" "cutline.jsonl:2: not a JSON object"
bad "a missing file" "$TEST_TMP/nonexistent.json" "nonexistent.json: cannot read"
jq '.targets = "many"' "$TEST_TMP/p3.json" >"$TEST_TMP/badtargets.json"
bad "targets that is not a count" "$TEST_TMP/badtargets.json" "badtargets.json: targets is not a count"
mrg none
assert_eq "no report: usage, exit 2" 2 "$MRG_RC"
mrg fmt --format csv "$TEST_TMP/p1.jsonl"
assert_eq "--format csv: exit 2" 2 "$MRG_RC"

validate_reports json merged="$TEST_TMP/merged.json"
validate_recorded_reports
