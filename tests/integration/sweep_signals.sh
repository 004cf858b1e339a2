#!/usr/bin/env bash
# SIGINT / SIGTERM during a sweep: no endpoint starts after the signal, every finished endpoint is
# written, the report says "incomplete": true with "not_probed", exit status 3, and no temporary
# file is left; a second signal ends the run at once (128 + signal number).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sweep_common.inc"

INV=$TEST_TMP/inventory.yaml
sweep_inventory "$INV" 5   # 40 targets
TOTAL=40

# ---- an uninterrupted run says so
tp complete --format jsonl -j 4 -f "$INV"
assert_jq "complete run: summary line says complete, nothing left unprobed" "$TP_OUT" \
  'select(.type == "summary") | [.incomplete, .not_probed, .endpoints]' "[false,0,$TOTAL]"
assert_jq "complete run: each target has its place in the inventory as index" "$TP_OUT" \
  '[.[] | select(.type == "endpoint") | .index] | sort == [range(40)]' true -s
tp complete-json --format json "localhost:$LAB_PORT_NGINX" --ca-file "$LAB_CA"
assert_jq "complete run (json): incomplete false, not_probed 0" "$TP_OUT" '[.incomplete, .summary.not_probed]' '[false,0]'

# ---- SIGINT while a JSONL sweep streams to stdout, one probe at a time
bg_start int-jsonl --format jsonl -j 1 -f "$INV"
if wait_count "$BG_OUT" '"type":"endpoint"' 5; then
  kill -INT "$BG_PID"
  bg_wait
  assert_eq "SIGINT: exit status 3" 3 "$BG_RC"
  assert_jq "SIGINT: the last line is an incomplete summary" "$BG_OUT" \
    '.[-1] | [.type, .incomplete, .exit_status]' '["summary",true,3]' -s
  assert_jq "SIGINT: summary counts the endpoint lines written, the rest not probed" "$BG_OUT" \
    "[.[-1].endpoints == ([.[] | select(.type == \"endpoint\")] | length), .[-1].endpoints + .[-1].not_probed == $TOTAL, .[-1].not_probed > 0, .[-1].endpoints >= 5]" \
    '[true,true,true,true]' -s
  assert_jq "SIGINT: every endpoint written is whole and scored" "$BG_OUT" \
    '[.[] | select(.type == "endpoint") | (.result | IN("PASS","FAIL","ERROR")) and (.facts.versions.status == "ok")] | all' true -s
  assert_file_contains "SIGINT: stderr says the run was interrupted" "$BG_ERR" "interrupted:"
  note_report jsonl int-jsonl "$BG_OUT"
else
  kill -KILL "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null
  not_ok "SIGINT: sweep wrote 5 endpoints" "$(oneline "$(tail -n 3 "$BG_ERR")")"
fi

# ---- SIGTERM while a whole-run format (JSON) is going to a file
OUTDIR=$TEST_TMP/term
mkdir -p "$OUTDIR"
bg_start term-json --format json -j 2 -v -o "$OUTDIR/report.json" -f "$INV"
if wait_count "$BG_ERR" "^tlsprobe: \\[[0-9]+/$TOTAL\\]" 5; then
  kill -TERM "$BG_PID"
  bg_wait
  assert_eq "SIGTERM: exit status 3" 3 "$BG_RC"
  assert_jq "SIGTERM: the JSON report is marked incomplete and lists what finished" "$OUTDIR/report.json" \
    "[.incomplete, .summary.exit_status, (.endpoints | length) == .summary.endpoints, .summary.endpoints + .summary.not_probed == $TOTAL, .summary.not_probed > 0]" \
    '[true,3,true,true,true]'
  assert_jq "SIGTERM: endpoints stay in inventory order" "$OUTDIR/report.json" '[.endpoints[].index] | . == sort' true
  no_temp_files "SIGTERM: no temporary file left" "$OUTDIR"
  note_report json term-json "$OUTDIR/report.json"
else
  kill -KILL "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null
  not_ok "SIGTERM: sweep finished 5 endpoints" "$(oneline "$(tail -n 3 "$BG_ERR")")"
fi

# ---- a second signal ends the run at once: the first waits for a probe of a silent server
# (deadline 60 s), the second does not
if silent_start; then
  OUTDIR=$TEST_TMP/twice
  mkdir -p "$OUTDIR"
  bg_start twice --format json --timeout 60 -o "$OUTDIR/report.json" "127.0.0.1:$SILENT_PORT"
  if wait_count "$SILENT_ACCEPTED" accepted 1; then
    kill -INT "$BG_PID"
    sleep 1
    if kill -0 "$BG_PID" 2>/dev/null; then
      ok "first signal: the run waits for the probe in progress"
    else
      not_ok "first signal: the run waits for the probe in progress" "it ended: $(oneline "$(cat "$BG_ERR")")"
    fi
    kill -INT "$BG_PID"
    bg_wait
    assert_eq "second signal: exit status 130 (128 + SIGINT)" 130 "$BG_RC"
    if [ -e "$OUTDIR/report.json" ]; then not_ok "second signal: no report written" "report.json exists"; else ok "second signal: no report written"; fi
    no_temp_files "second signal: no temporary file left" "$OUTDIR"
  else
    kill -KILL "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null
    not_ok "second signal: the sweep reached the silent server" "$(oneline "$(cat "$BG_ERR")")"
  fi
  silent_stop
else
  not_ok "silent server started" "python3 listener did not come up"
fi
