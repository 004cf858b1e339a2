#!/usr/bin/env bash
# A sweep is resolved and probed a window of targets at a time (src/app/sweep.c: 1,024, or 16 per
# --jobs): a sweep of 2,100 targets (three windows) reports each target once, the whole-run
# formats in target order from the spool, with the exit status of all windows; and the inventory
# is read one target at a time, aliases included. The targets are refused ports on distinct
# loopback addresses (nothing listens on LAB_PORT_BASE+199), so the run takes seconds.
. "$(dirname "$0")/../lib.sh"

N=2100
PORT=$((LAB_PORT_BASE + 199))
INV=$TEST_TMP/window.yaml
python3 - "$N" "$PORT" >"$INV" <<'PY'
import sys
n, port = int(sys.argv[1]), int(sys.argv[2])
print("targets:")
for i in range(n):
    a = i + 1 + i // 255          # no address ends in .0
    host = f"127.{1 + a // 65536}.{a // 256 % 256}.{a % 256}"
    if i == 0:
        print(f"  - &first {{host: {host}, port: {port}, tags: &t [w]}}")
    elif i % 700 == 1:
        print(f"  - {{host: {host}, port: {port}, tags: *t}}")   # an alias to an earlier target's anchor
    else:
        print(f'  - "{host}:{port}"')
PY

tp window-json --probes versions --timeout 2 -j 4 -f "$INV" --format json -o "$TEST_TMP/w.json"
assert_rc "three windows: exit 3 (every target refused)" 3
assert_jq "json: every target once, in target order across the windows" "$TEST_TMP/w.json" \
  "[(.endpoints | length), ([.endpoints[].index] == [range($N)]), .summary.endpoints]" "[$N,true,$N]"
assert_jq "json: the last window's last target is the inventory's last" "$TEST_TMP/w.json" \
  '.endpoints[-1].target' "\"$(tail -n 1 "$INV" | tr -d ' "-')\""
assert_jq "json: every endpoint refused, none left unprobed" "$TEST_TMP/w.json" \
  '[([.endpoints[] | select(.status == "unreachable")] | length), .summary.not_probed]' "[$N,0]"
assert_jq "inventory read a target at a time: aliases to an earlier target's anchor keep working" \
  "$TEST_TMP/w.json" '[.endpoints[] | select(.tags == ["w"]) | .index]' '[0,1,701,1401]'

tp window-jsonl --probes versions --timeout 2 -j 100 -f "$INV" --format jsonl -o "$TEST_TMP/w.jsonl"
assert_rc "jsonl, -j 100 (windows of 1,600): exit 3" 3
assert_jq "jsonl: every target once" "$TEST_TMP/w.jsonl" \
  "[([.[] | select(.type == \"endpoint\") | .index] | sort == [range($N)]), (.[-1].endpoints)]" "[true,$N]" -s
