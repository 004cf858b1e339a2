#!/usr/bin/env bash
# Progress on stderr: one line rewritten in place (done/total, rate, ETA, FAIL and ERROR so far)
# when stderr is a terminal (a pty from util-linux script), erased at the end; nothing at all
# when it is not a terminal, or with --quiet.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sweep_common.inc"

INV=$TEST_TMP/inventory.yaml
sweep_inventory "$INV" 2   # 16 targets that FAIL, and one refused: ERROR
printf '  - host: localhost\n    port: %s\n' "$LAB_PORT_REFUSED" >>"$INV"
TOTAL=17

# on_pty LABEL ARGS...: tlsprobe ARGS with stdin, stdout and stderr on a pty; what the terminal
# received in $TEST_TMP/LABEL.pty, the exit status in PTY_RC.
on_pty() {
  local label=$1; shift
  local cmd
  cmd=$(printf '%q ' timeout -k 5 "$TP_DEADLINE_S" "$TLSPROBE" "${TP_COMMON[@]}" "$@")
  script -qefc "$cmd" /dev/null </dev/null >"$TEST_TMP/$label.pty" 2>&1
  PTY_RC=$?
}

# py_check NAME FILE PYTHON-EXPRESSION (over t, the terminal's bytes as text): ok when true.
py_check() {
  local got
  got=$(python3 -c 'import sys; t = open(sys.argv[1], "rb").read().decode("utf-8", "replace"); print("yes" if eval(sys.argv[2]) else "no: " + repr(t[-300:]))' "$2" "$3" 2>&1)
  if [ "$got" = yes ]; then ok "$1"; else not_ok "$1" "$(oneline "$got")"; fi
}

if ! command -v script >/dev/null 2>&1; then
  not_ok "util-linux script installed" "script not found (bsdutils)"
  exit 0
fi

# ---- a terminal: the line, its final state, erased at the end, nothing else
on_pty tty --format jsonl -j 2 -o "$TEST_TMP/tty.jsonl" -f "$INV"
assert_eq "terminal: exit status as without one (3: a refused target)" 3 "$PTY_RC"
F=$TEST_TMP/tty.pty
py_check "terminal: starts with the line at 0 done" "$F" "t.startswith('\\r\\x1b[Ktlsprobe: 0/$TOTAL endpoints, ')"
py_check "terminal: the last state counts every endpoint, the FAIL and the ERROR" "$F" \
  "'\\r\\x1b[Ktlsprobe: $TOTAL/$TOTAL endpoints, ' in t and t.split('\\r\\x1b[Ktlsprobe: $TOTAL/$TOTAL endpoints, ')[1].split(', ', 2)[2].startswith('16 FAIL, 1 ERROR')"
py_check "terminal: each redraw has a rate and an ETA" "$F" \
  "all(__import__('re').match(r'tlsprobe: \\d+/$TOTAL endpoints, \\d+\\.\\d/s, ETA (\\?|\\d+s|\\d+:\\d\\d), \\d+ FAIL, \\d+ ERROR\$', d) for d in t.split('\\r\\x1b[K') if d)"
py_check "terminal: one updating line (no newline), erased at the end" "$F" "'\\n' not in t and t.endswith('\\r\\x1b[K')"

# ---- --quiet on a terminal: nothing
on_pty quiet -q --format jsonl -j 2 -o "$TEST_TMP/quiet.jsonl" -f "$INV"
assert_eq "terminal, --quiet: nothing on the terminal" "" "$(cat "$TEST_TMP/quiet.pty")"

# ---- the report on the same terminal: the line is erased before the report is printed
on_pty text --format text -j 2 --no-color -f "$INV"
py_check "terminal, text report on stdout: the line erased before the report" "$TEST_TMP/text.pty" \
  "t.rsplit('tlsprobe: $TOTAL/$TOTAL endpoints', 1)[1].split('\\r\\x1b[K', 1)[0].endswith('1 ERROR') and len(t.rsplit('\\r\\x1b[K', 1)[1]) > 200"
on_pty stream --format jsonl -j 2 -f "$INV"
# Pieces of what the terminal shows: never a progress line and report text in one piece.
py_check "terminal, JSONL on stdout: report lines never share a line with the progress" "$TEST_TMP/stream.pty" \
  "not any('tlsprobe: ' in p and '{' in p for p in __import__('re').split(r'\\r\\x1b\\[K|\\n', t)) and t.count('{\"type\":\"endpoint\"') == $TOTAL"

# ---- not a terminal: nothing on stderr (cron mail stays empty)
tp no-tty --format jsonl -j 2 -o "$TEST_TMP/notty.jsonl" -f "$INV"
assert_eq "not a terminal: nothing on stderr" "0" "$(wc -c <"$TP_ERR")"
tp no-tty-text --format text -j 2 -f "$INV"
assert_eq "not a terminal, text report: nothing on stderr" "0" "$(wc -c <"$TP_ERR")"
