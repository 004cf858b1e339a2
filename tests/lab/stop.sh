#!/usr/bin/env bash
# Stops every lab server that tests/lab/start.sh started in the lab dir.
# Usage: tests/lab/stop.sh [DIR]   (default: $LAB_DIR). Safe to run more than once.
# Only pids from DIR/run/*.pid whose command line mentions DIR are signalled, so a
# recycled pid never gets us to kill someone else's process.
set -uo pipefail

DIR=${1:-${LAB_DIR:-}}
if [ -z "$DIR" ] || [ ! -d "$DIR/run" ]; then
  exit 0
fi

ours() {   # ours PID: alive and started for this lab
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 1
  [ -r "/proc/$pid/cmdline" ] || return 0   # no /proc: trust the pidfile
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$DIR"
}

pids=()
for f in "$DIR"/run/*.pid; do
  [ -e "$f" ] || continue
  case $f in *-own.pid) rm -f "$f"; continue ;; esac   # servers' own pidfiles: same processes
  pid=$(head -c 32 "$f" | tr -dc 0-9)
  rm -f "$f"
  [ -n "$pid" ] || continue
  if ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  fi
done

running() {   # a zombie (exited, not yet reaped by whoever adopted it) counts as gone
  kill -0 "$1" 2>/dev/null || return 1
  [ -r "/proc/$1/stat" ] || return 0
  [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# Bounded wait for them to exit, then SIGKILL what is left.
for _ in $(seq 50); do
  alive=()
  for pid in "${pids[@]}"; do running "$pid" && alive+=("$pid"); done
  [ ${#alive[@]} -eq 0 ] && exit 0
  sleep 0.1
done
for pid in "${alive[@]}"; do
  echo "stop.sh: pid $pid did not exit on TERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
done
exit 0
