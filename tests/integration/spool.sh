#!/usr/bin/env bash
# The spool (issue #14): a whole-run format keeps finished endpoints in an anonymous temporary
# file in $TMPDIR, seen open (and unnamed) while the sweep runs, and the report still lists
# every endpoint in target order. Nothing is left behind, even after kill -9; a $TMPDIR where
# no file can be made is a usage error before any probing.
. "$(dirname "$0")/../lib.sh"

TARGETS=("localhost:$LAB_PORT_NGINX" "localhost:$LAB_PORT_REFUSED" "localhost:$LAB_PORT_TLS13"
         "localhost:$LAB_PORT_LEGACY" "localhost:$LAB_PORT_TLS12" "localhost:$LAB_PORT_EXPIRED")
SPOOL=$TEST_TMP/spool
OUTDIR=$TEST_TMP/out
mkdir -p "$SPOOL" "$OUTDIR"

# watch PID: prints the spool's unnamed files tlsprobe holds open, polled until it exits.
watch_fds() {
  local pid=$1 seen=""
  while kill -0 "$pid" 2>/dev/null; do
    for fd in /proc/"$pid"/fd/*; do
      link=$(readlink "$fd" 2>/dev/null) || continue
      case $link in "$SPOOL"/*"(deleted)") seen="$link" ;; esac
    done
    [ -n "$seen" ] && break
    sleep 0.05
  done
  echo "$seen"
}

# ---- a sweep in json, one probe at a time
TMPDIR=$SPOOL "$TLSPROBE" "${TP_COMMON[@]}" -j 1 --ca-file "$LAB_CA" --format json -o "$OUTDIR/r.json" \
  "${TARGETS[@]}" </dev/null 2>"$TEST_TMP/json.err" &
pid=$!
seen=$(watch_fds "$pid")
wait "$pid"
rc=$?
[ -n "$seen" ] && ok "the spool is an open file without a name in \$TMPDIR ($seen)" ||
  not_ok "spool file" "tlsprobe never held an unnamed file in $SPOOL open"
[ "$rc" -le 3 ] && ok "the sweep ran (exit $rc)" || not_ok "sweep" "exit $rc: $(oneline "$(cat "$TEST_TMP/json.err")")"
order=$(jq -r '.endpoints[].target' "$OUTDIR/r.json" 2>/dev/null | tr '\n' ' ')
[ "$order" = "${TARGETS[*]} " ] && ok "every endpoint, in target order" || not_ok "report from the spool" "targets $order"
[ "$(jq -r '.summary | "\(.endpoints) \(.reachable) \(.unreachable)"' "$OUTDIR/r.json")" = "6 5 1" ] &&
  ok "summary counted from the tally" || not_ok "summary" "$(jq -c .summary "$OUTDIR/r.json")"
left=$(ls -A "$SPOOL")
[ -z "$left" ] && ok "nothing left in \$TMPDIR" || not_ok "no stray file" "$left"

# ---- killed mid-sweep: no spool file, no report, no temporary report file
TMPDIR=$SPOOL "$TLSPROBE" "${TP_COMMON[@]}" -j 1 --ca-file "$LAB_CA" --format html -o "$OUTDIR/k.html" \
  "${TARGETS[@]}" </dev/null 2>/dev/null &
pid=$!
seen=$(watch_fds "$pid")
kill -9 "$pid" 2>/dev/null
{ wait "$pid"; } 2>/dev/null
left=$(ls -A "$SPOOL" "$OUTDIR" | grep -v -e '^r.json$' -e '^$' -e ':$')
[ -n "$seen" ] && [ -z "$left" ] && ok "kill -9 mid-sweep leaves no file behind" ||
  not_ok "kill -9" "spool seen: '${seen:-never}'; left: $(oneline "$left")"

# ---- no temporary file to be had: exit 2, said why, nothing probed, no report
TMPDIR=$TEST_TMP/missing "$TLSPROBE" "${TP_COMMON[@]}" --format csv -o "$OUTDIR/m.csv" "${TARGETS[0]}" \
  </dev/null >/dev/null 2>"$TEST_TMP/missing.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "temporary file" "$TEST_TMP/missing.err" && [ ! -e "$OUTDIR/m.csv" ] &&
  ok "no \$TMPDIR: exit 2 with the reason" ||
  not_ok "no \$TMPDIR" "exit $rc: $(oneline "$(cat "$TEST_TMP/missing.err")")"

# ---- jsonl is live: no spool, its endpoints written as they finish
TMPDIR=$TEST_TMP/missing tp live --format jsonl -o "$OUTDIR/l.jsonl" "${TARGETS[@]:0:2}"
[ "$TP_RC" -le 3 ] && [ "$(grep -c '"type":"endpoint"' "$OUTDIR/l.jsonl")" = 2 ] &&
  ok "jsonl needs no spool" || not_ok "jsonl" "exit $TP_RC: $(oneline "$(cat "$TP_ERR")")"
