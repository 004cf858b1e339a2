#!/usr/bin/env bash
# The test runner `make check` calls: unit tests, then the integration tests against a lab
# of real servers on 127.0.0.1 (started once, always stopped).
# Env: TLSPROBE (binary, required for integration tests), UNIT_DIR (dir of unit test binaries),
#      LAB_PORT_BASE (the lab's ports are BASE+offset, default 24400; inherited by pki.sh and
#      start.sh, so two runs with bases 200 apart do not collide).
# Usage: tests/run.sh [NAME...]   NAME: integration tests to run (e.g. versions), default all.
#        SKIP_UNIT=1 skips the unit binaries.
# Each test prints `ok - name` / `not ok - name: details` lines; the last line is
# `N passed, N failed` (`, N skipped` when some were skipped). Exit 0 only if none failed.
set -uo pipefail

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UNIT_TIMEOUT_S=${UNIT_TIMEOUT_S:-300}
SCRIPT_TIMEOUT_S=${SCRIPT_TIMEOUT_S:-900}

passed=0 failed=0 skipped=0

# count FILE: adds FILE's ok / not ok lines to the totals; prints how many failed.
count() {
  local p f s
  s=$(grep -cE '^ok - .*# SKIP' "$1")
  p=$(grep -cE '^ok - ' "$1")
  f=$(grep -cE '^not ok - ' "$1")
  passed=$((passed + p - s)); skipped=$((skipped + s)); failed=$((failed + f))
  LAST_FAILED=$f
}

fail_line() { echo "not ok - $1: $2"; failed=$((failed + 1)); }

finish() {
  local line="$passed passed, $failed failed"
  [ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
  echo "$line"
  [ "$failed" -eq 0 ]
  exit $?
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsprobe-tests.XXXXXX")
LAB_DIR=""
cleanup() {
  if [ -n "$LAB_DIR" ]; then "$TESTS_DIR/lab/stop.sh" "$LAB_DIR"; fi
  if [ -n "${KEEP_LAB:-}" ]; then echo "# kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
# Children run in the background and are waited for, so that Ctrl-C / TERM is handled at
# once: the running test is killed (timeout signals its whole process group), the lab is
# stopped (EXIT trap), and what ran so far is reported.
child="" child_out=""
on_signal() {
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null
    wait "$child" 2>/dev/null
    # Count what the interrupted test had reported.
    [ -f "$child_out" ] && { cat "$child_out"; count "$child_out"; }
  fi
  echo "# interrupted"
  fail_line "run" "interrupted"
  finish
}
trap on_signal INT TERM

# run_bounded SECONDS OUTFILE CMD...: runs CMD (stdin closed, stdout+stderr to OUTFILE) under
# a deadline; sets RC.
run_bounded() {
  local secs=$1 outfile=$2; shift 2
  timeout -k 5 "$secs" "$@" </dev/null >"$outfile" 2>&1 &
  child=$! child_out=$outfile
  wait "$child"
  RC=$?
  child="" child_out=""
}

# ---- unit tests
if [ -z "${SKIP_UNIT:-}" ]; then
  if [ -z "${UNIT_DIR:-}" ] || [ ! -d "${UNIT_DIR}" ]; then
    fail_line "unit tests" "UNIT_DIR '${UNIT_DIR:-}' is not a directory (run via make check)"
  else
    found=0
    for bin in "$UNIT_DIR"/*; do
      [ -f "$bin" ] && [ -x "$bin" ] || continue
      found=$((found + 1))
      name=$(basename "$bin")
      echo "# unit: $name"
      out=$WORK/unit-$name.out
      run_bounded "$UNIT_TIMEOUT_S" "$out" "$bin"
      rc=$RC
      cat "$out"
      count "$out"
      if [ "$rc" -ne 0 ] && [ "$LAST_FAILED" -eq 0 ]; then
        fail_line "unit $name" "exited with status $rc but reported no failing test"
      fi
    done
    [ "$found" -gt 0 ] || fail_line "unit tests" "no unit test binaries in $UNIT_DIR"
  fi
fi

# ---- integration tests
if [ $# -gt 0 ]; then
  scripts=()
  for n in "$@"; do scripts+=("$TESTS_DIR/integration/${n%.sh}.sh"); done
else
  scripts=("$TESTS_DIR"/integration/*.sh)
fi

if [ -z "${TLSPROBE:-}" ] || [ ! -x "${TLSPROBE}" ]; then
  fail_line "integration tests" "TLSPROBE '${TLSPROBE:-}' is not an executable (run via make check)"
  finish
fi
for tool in jq openssl nginx gnutls-serv dnsmasq python3; do
  command -v "$tool" >/dev/null 2>&1 || { fail_line "integration tests" "$tool not installed (run tools/install-deps.sh)"; finish; }
done

LAB_DIR=$WORK/lab
echo "# lab: $LAB_DIR"
if ! "$TESTS_DIR/lab/pki.sh" "$LAB_DIR" >"$WORK/pki.log" 2>&1; then
  cat "$WORK/pki.log"
  fail_line "lab PKI" "tests/lab/pki.sh failed"
  finish
fi
if ! LAB_DIR=$LAB_DIR "$TESTS_DIR/lab/start.sh"; then
  fail_line "lab" "tests/lab/start.sh failed (see above)"
  finish
fi

export TLSPROBE LAB_DIR
for t in "${scripts[@]}"; do
  name=$(basename "$t" .sh)
  if [ ! -f "$t" ]; then fail_line "$name" "no such integration test ($t)"; continue; fi
  echo "# integration: $name"
  out=$WORK/int-$name.out
  run_bounded "$SCRIPT_TIMEOUT_S" "$out" bash "$t"
  rc=$RC
  cat "$out"
  count "$out"
  if [ "$rc" -ne 0 ] && [ "$LAST_FAILED" -eq 0 ]; then
    fail_line "$name" "script exited with status $rc but reported no failing test"
  fi
  if ! grep -qE '^(not )?ok - ' "$out"; then
    fail_line "$name" "ran no assertion"
  fi
done

finish
