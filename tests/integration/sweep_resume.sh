#!/usr/bin/env bash
# --resume FILE.jsonl: an interrupted sweep, resumed, ends with the endpoints an uninterrupted
# run has (order and times aside) and a summary over all of them; a complete file probes
# nothing; a line cut short at the end is dropped with a warning, any other bad line is exit 2.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sweep_common.inc"

INV=$TEST_TMP/inventory.yaml
sweep_inventory "$INV" 5   # 40 targets that all FAIL (names not covered), and one refused: ERROR
printf '  - host: localhost\n    port: %s\n' "$LAB_PORT_REFUSED" >>"$INV"
TOTAL=41
NORMALIZE="bash $TESTS_DIR/golden/normalize.sh"

# endpoints FILE: the endpoint lines, sorted by id, times and durations normalised.
endpoints() { jq -c 'select(.type == "endpoint")' "$1" | $NORMALIZE | jq -sc 'sort_by(.id)'; }
# same_endpoints NAME A B
same_endpoints() {
  local a b
  a=$(endpoints "$2") b=$(endpoints "$3")
  if [ -n "$a" ] && [ "$a" == "$b" ]; then ok "$1"
  else not_ok "$1" "$(oneline "$(diff <(jq -c '.[] | [.id, .result]' <<<"$a") <(jq -c '.[] | [.id, .result]' <<<"$b") | head -n 8)")"; fi
}
summary_counts='select(.type == "summary") | [.endpoints, .reachable, .unreachable, .passed, .failed, .errors, .not_probed, .incomplete, .exit_status]'

# ---- the reference: one uninterrupted run
tp full --format jsonl -j 4 -o "$TEST_TMP/full.jsonl" -f "$INV"
FULL_RC=$TP_RC
assert_jq "uninterrupted run: summary" "$TEST_TMP/full.jsonl" "$summary_counts" "[$TOTAL,40,1,0,40,1,0,false,3]"

# ---- interrupted after 6 endpoints, then resumed
PART=$TEST_TMP/part.jsonl
bg_start part --format jsonl -j 1 -o "$PART" -f "$INV"
if wait_count "$PART" '"type":"endpoint"' 6; then
  kill -INT "$BG_PID"
  bg_wait
  assert_jq "interrupted run: an incomplete summary" "$PART" 'select(.type == "summary") | [.incomplete, .not_probed > 0]' '[true,true]'
  done_before=$(grep -c '"type":"endpoint"' "$PART")
  tp resume -v -j 4 -f "$INV" --resume "$PART"
  assert_eq "resume: exit status of the uninterrupted run" "$FULL_RC" "$TP_RC"
  assert_file_contains "resume: says how many targets were done" "$TP_ERR" "$done_before targets done, $((TOTAL - done_before)) to probe"
  same_endpoints "resume: the same endpoints as the uninterrupted run (sorted by id, times aside)" "$TEST_TMP/full.jsonl" "$PART"
  assert_jq "resume: one run line first, one summary line last, over old and new endpoints" "$PART" \
    '[.[0].type, ([.[] | select(.type == "run")] | length), ([.[] | select(.type == "summary")] | length), .[-1].type]' \
    '["run",1,1,"summary"]' -s
  assert_jq "resume: the summary is the uninterrupted run's" "$PART" "$summary_counts" "[$TOTAL,40,1,0,40,1,0,false,3]"
  assert_eq "resume: every summary member but finished_at equals the uninterrupted run's" \
    "$(jq -cS 'select(.type == "summary") | del(.finished_at)' "$TEST_TMP/full.jsonl")" \
    "$(jq -cS 'select(.type == "summary") | del(.finished_at)' "$PART")"
  note_report jsonl resumed "$PART"

  # ---- resuming a complete file probes nothing and keeps every endpoint line as it was
  head -n -1 "$PART" >"$TEST_TMP/before"
  tp resume-again -v -f "$INV" --resume "$PART"
  assert_eq "resume of a complete file: same exit status" "$FULL_RC" "$TP_RC"
  assert_file_contains "resume of a complete file: nothing to probe" "$TP_ERR" "$TOTAL targets done, 0 to probe"
  assert_eq "resume of a complete file: endpoint lines unchanged" "" "$(head -n -1 "$PART" | cmp - "$TEST_TMP/before" 2>&1)"
  assert_jq "resume of a complete file: the summary recomputed from the file alone" "$PART" "$summary_counts" "[$TOTAL,40,1,0,40,1,0,false,3]"
else
  kill -KILL "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null
  not_ok "interrupted run: 6 endpoint lines appear" "$(oneline "$(tail -n 3 "$BG_ERR")")"
fi

# ---- a crash mid-write: the last line is cut short; it is dropped with a warning, then probed
CUT=$TEST_TMP/cut.jsonl
head -n 10 "$TEST_TMP/full.jsonl" >"$CUT"
sed -n 11p "$TEST_TMP/full.jsonl" | head -c 300 >>"$CUT"
tp resume-cut -j 4 -f "$INV" --resume "$CUT"
assert_file_contains "cut-short last line: a warning naming FILE:LINE" "$TP_ERR" "$CUT:11: last line cut short"
same_endpoints "cut-short last line: the resumed file has every endpoint once" "$TEST_TMP/full.jsonl" "$CUT"
note_report jsonl resumed-cut "$CUT"

# ---- a malformed line that is not the last: exit 2 with FILE:LINE, before any probing; the file is untouched
BAD=$TEST_TMP/bad.jsonl
{ head -n 2 "$TEST_TMP/full.jsonl"; echo '{"type":"endpoint", broken'; sed -n 3,5p "$TEST_TMP/full.jsonl"; } >"$BAD"
cp "$BAD" "$TEST_TMP/bad.copy"
tp resume-bad -f "$INV" --resume "$BAD"
assert_rc "malformed middle line: exit 2" 2
assert_file_contains "malformed middle line: FILE:LINE in the message" "$TP_ERR" "$BAD:3: not JSON"
assert_eq "malformed middle line: the file is left as it was" "" "$(cmp "$BAD" "$TEST_TMP/bad.copy" 2>&1)"
{ head -n 2 "$TEST_TMP/full.jsonl"; echo '{"type":"endpoint","target":"x"}'; sed -n 3p "$TEST_TMP/full.jsonl"; } >"$BAD"
tp resume-noid -f "$INV" --resume "$BAD"
assert_rc "endpoint line without id: exit 2" 2
assert_file_contains "endpoint line without id: FILE:LINE: why" "$TP_ERR" "$BAD:3: endpoint: no \"id\""
printf '{"type":"run","schema":"other"}\n' >"$BAD"
tp resume-notours -f "$INV" --resume "$BAD"
assert_rc "not a tlsprobe report: exit 2" 2

# ---- usage: --resume is -o FILE --format jsonl
tp resume-other-o -f "$INV" --resume "$PART" -o "$TEST_TMP/other.jsonl"
assert_rc "--resume with -o naming another file: exit 2" 2
tp resume-json -f "$INV" --resume "$PART" --format json
assert_rc "--resume with --format json: exit 2" 2
tp resume-same -f "$INV" --resume "$PART" -o "$PART" --format jsonl
assert_rc "--resume with the same -o and --format jsonl: allowed" "$FULL_RC"
tp resume-missing -f "$INV" --resume "$TEST_TMP/none.jsonl"
assert_rc "--resume of a file that does not exist: exit 2" 2

# ---- edge files, over one target
ONE="localhost:$LAB_PORT_NGINX"
: >"$TEST_TMP/empty.jsonl"
tp resume-empty --ca-file "$LAB_CA" --resume "$TEST_TMP/empty.jsonl" "$ONE"
assert_jq "empty file: written afresh (run, endpoint, summary)" "$TEST_TMP/empty.jsonl" '[.[].type]' '["run","endpoint","summary"]' -s
head -n 1 "$TEST_TMP/full.jsonl" >"$TEST_TMP/runonly.jsonl"
tp resume-runonly --ca-file "$LAB_CA" --resume "$TEST_TMP/runonly.jsonl" "$ONE"
assert_jq "only a run line: it is kept, the rest appended" "$TEST_TMP/runonly.jsonl" \
  '[[.[].type], .[0].started_at == $first]' '[["run","endpoint","summary"],true]' -s \
  --arg first "$(head -n 1 "$TEST_TMP/full.jsonl" | jq -r .started_at)"
{ head -n 2 "$TEST_TMP/full.jsonl"; tail -n 1 "$TEST_TMP/full.jsonl"; sed -n 3p "$TEST_TMP/full.jsonl"; } >"$TEST_TMP/mid.jsonl"
tp resume-midsummary --ca-file "$LAB_CA" --resume "$TEST_TMP/mid.jsonl" "$ONE"
assert_rc "a line after the summary line: exit 2" 2
assert_file_contains "a line after the summary line: FILE:LINE" "$TP_ERR" "mid.jsonl:4: a line after the summary line"

# ---- a file another run is writing is locked: --resume and a live -o refuse it, and leave it be
cp "$TEST_TMP/full.jsonl" "$TEST_TMP/locked.jsonl"
before=$(sha256sum <"$TEST_TMP/locked.jsonl")
flock "$TEST_TMP/locked.jsonl" sleep 60 &
holder=$!
for _ in $(seq 50); do flock -n "$TEST_TMP/locked.jsonl" true || break; sleep 0.1; done
tp resume-locked --ca-file "$LAB_CA" --resume "$TEST_TMP/locked.jsonl" "$ONE"
assert_rc "--resume of a file another run holds locked: exit 2" 2
assert_file_contains "--resume of a locked file: says so" "$TP_ERR" "locked.jsonl: another tlsprobe is writing it (locked)"
tp live-locked --ca-file "$LAB_CA" --format jsonl -o "$TEST_TMP/locked.jsonl" "$ONE"
assert_rc "-o FILE.jsonl that another run holds locked: exit 2" 2
assert_eq "a locked file is left as it was" "$before" "$(sha256sum <"$TEST_TMP/locked.jsonl")"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
assert_jq "the run line names the run's targets" "$TEST_TMP/full.jsonl" 'select(.type == "run") | .targets' "$TOTAL"

# ---- a live -o that is not a regular file (a FIFO, /dev/null) is written as it is: not locked,
# not cut
mkfifo "$TEST_TMP/fifo"
cat "$TEST_TMP/fifo" >"$TEST_TMP/fifo.out" &
reader=$!
tp live-fifo --ca-file "$LAB_CA" --format jsonl -o "$TEST_TMP/fifo" "$ONE"
wait "$reader"
assert_jq "-o FIFO: the reader gets the run, endpoint and summary lines" "$TEST_TMP/fifo.out" '[.[].type]' \
  '["run","endpoint","summary"]' -s
tp live-null --ca-file "$LAB_CA" --format jsonl -o /dev/null "$ONE"
if [ "$TP_RC" -ne 2 ]; then ok "-o /dev/null: no usage error (exit $TP_RC)"; else not_ok "-o /dev/null: no usage error" "$(oneline "$(cat "$TP_ERR")")"; fi
