#!/usr/bin/env bash
# -o FILE --format jsonl is written in place as the sweep runs (each line whole), so the file is
# usable mid-run and an interrupted run leaves a file ending in an incomplete summary; a closed
# standard output stops the sweep at once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sweep_common.inc"

INV=$TEST_TMP/inventory.yaml
sweep_inventory "$INV" 5   # 40 targets
TOTAL=40

# ---- the file grows while the sweep runs; SIGINT leaves it ending in an incomplete summary
OUTDIR=$TEST_TMP/live
mkdir -p "$OUTDIR"
F=$OUTDIR/sweep.jsonl
bg_start live --format jsonl -j 1 -o "$F" -f "$INV"
if wait_count "$F" '"type":"endpoint"' 3; then
  cp "$F" "$TEST_TMP/midrun.jsonl"
  running=no
  kill -0 "$BG_PID" 2>/dev/null && running=yes
  assert_eq "-o jsonl: endpoint lines are in the file while the sweep runs" yes "$running"
  # Every line written so far is whole: a partial line has no newline yet, so all but a last
  # unterminated fragment must parse.
  assert_eq "-o jsonl: every finished line in the file mid-run is whole JSON" "" \
    "$(head -n "$(wc -l <"$TEST_TMP/midrun.jsonl")" "$TEST_TMP/midrun.jsonl" | jq -c 'empty' 2>&1 | head -n 2)"
  assert_jq "-o jsonl: mid-run the file starts with the run line, no summary yet" "$TEST_TMP/midrun.jsonl" \
    '[.[0].type, (map(select(.type == "summary")) | length)]' '["run",0]' -s
  no_temp_files "-o jsonl: written in place, no temporary file" "$OUTDIR"
  kill -INT "$BG_PID"
  bg_wait
  assert_eq "-o jsonl, SIGINT: exit status 3" 3 "$BG_RC"
  assert_jq "-o jsonl, SIGINT: last line an incomplete summary counting the endpoint lines" "$F" \
    "[.[-1].type, .[-1].incomplete, .[-1].endpoints == ([.[] | select(.type == \"endpoint\")] | length), .[-1].endpoints + .[-1].not_probed == $TOTAL, .[-1].not_probed > 0]" \
    '["summary",true,true,true,true]' -s
  assert_eq "-o jsonl, SIGINT: nothing on stdout" "" "$(head -c 100 "$BG_OUT")"
  no_temp_files "-o jsonl, SIGINT: no temporary file" "$OUTDIR"
  note_report jsonl live "$F"
else
  kill -KILL "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null
  not_ok "-o jsonl: 3 endpoint lines appear in the file" "$(oneline "$(tail -n 3 "$BG_ERR")")"
fi

# ---- an uninterrupted run to a file: complete, same endpoints as on stdout
tp whole-file --format jsonl -j 4 -o "$OUTDIR/whole.jsonl" -f "$INV"
assert_jq "-o jsonl, complete: run line, $TOTAL endpoint lines, a complete summary" "$OUTDIR/whole.jsonl" \
  '[.[0].type, ([.[] | select(.type == "endpoint")] | length), .[-1].type, .[-1].incomplete]' \
  "[\"run\",$TOTAL,\"summary\",false]" -s

# ---- a closed standard output stops the sweep at once
"$TLSPROBE" "${TP_COMMON[@]}" --format jsonl -j 1 -f "$INV" </dev/null 2>"$TEST_TMP/pipe.err" | head -n 1 >"$TEST_TMP/pipe.out"
rc=${PIPESTATUS[0]}
assert_eq "closed stdout: exit status 3" 3 "$rc"
assert_jq "closed stdout: the reader got the run line" "$TEST_TMP/pipe.out" '.type' '"run"'
left=$(sed -nE 's/.*stopped with ([0-9]+) of [0-9]+ endpoints not probed.*/\1/p' "$TEST_TMP/pipe.err")
if [ -n "$left" ] && [ "$left" -ge 30 ]; then
  ok "closed stdout: the sweep stopped at once ($left of $TOTAL not probed)"
else
  not_ok "closed stdout: the sweep stopped at once" "stderr: $(oneline "$(cat "$TEST_TMP/pipe.err")")"
fi

# ---- a second signal while writing in place: the lines so far stay, no summary, no temporary file
if silent_start; then
  OUTDIR=$TEST_TMP/twice
  mkdir -p "$OUTDIR"
  bg_start twice --format jsonl --timeout 60 -o "$OUTDIR/r.jsonl" "127.0.0.1:$SILENT_PORT"
  if wait_count "$SILENT_ACCEPTED" accepted 1; then
    kill -INT "$BG_PID"
    sleep 0.5
    kill -TERM "$BG_PID"
    bg_wait
    assert_eq "second signal (SIGTERM): exit status 143" 143 "$BG_RC"
    assert_jq "second signal: the file keeps its whole lines, without a summary" "$OUTDIR/r.jsonl" \
      '[.[].type]' '["run"]' -s
    no_temp_files "second signal: no temporary file" "$OUTDIR"
  else
    kill -KILL "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null
    not_ok "second signal: the sweep reached the silent server" "$(oneline "$(cat "$BG_ERR")")"
  fi
  silent_stop
else
  not_ok "silent server started" "python3 listener did not come up"
fi
