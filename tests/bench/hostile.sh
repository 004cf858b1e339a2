#!/usr/bin/env bash
# Hostile sweep benchmark (issue #15, `make bench`): a sweep of good endpoints mixed with dead and
# hostile ones must finish within the sum of its endpoint deadlines divided by --jobs, every good
# endpoint must get exactly the result it gets in a run without the hostile ones, and the JSON and
# JSONL reports must be valid. A report, not a test: figures are printed, nothing is asserted
# (exit 1 only when the lab cannot start).
# Usage: tests/bench/hostile.sh [/path/to/tlsprobe]                (default ./tlsprobe)
# Env:   BENCH_HOSTILE_GOOD  good endpoints (default 200)
#        BENCH_HOSTILE_BAD   dead or hostile endpoints (default 100)
#        BENCH_HOSTILE_JOBS  --jobs (default 16)
#        BENCH_HOSTILE_TIMEOUT  --timeout (default 2; --endpoint-timeout is its default, 8 x)
#        BENCH_HOSTILE_KEEP=1   keep every output (the directory is named on stderr)
#
# The lab: a network namespace of its own (unshare -n: nothing leaves it) where nginx listens on
# 0.0.0.0:443 (TLS 1.2 + 1.3) and tests/lab/chaos.py on 0.0.0.0 (so every 127.x.y.z address
# reaches them, and each target is a host of its own for --per-host). Good endpoint i is
# 127.1.(i / 250).(1 + i % 250):443; the bad ones, on 127.2.x.y, cycle through the chaos
# behaviours silent, drip, garbage, reclen, hslen, rst, closesh, hrr, bigchain, smtp_endless and
# smtp_longline (the last two as SMTP STARTTLS), a refused port and an unresolvable name.
#
# Printed: the run over the good endpoints alone (wall, peak RSS), then the mixed run in JSON and
# in JSONL (wall, peak RSS, exit status), the bound ((bad x --endpoint-timeout + good x their
# longest clean duration) / --jobs, plus one deadline for the last endpoint to start), how many
# good endpoints equal their clean result (tests/golden/normalize.sh; index, origin and
# days_to_expiry aside), how many bad ones ended within their deadline (+2 s), and whether each
# report validates against the JSON Schema.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/bench_lib.inc"
bench_tlsprobe "$0" "${1:-}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GOOD=${BENCH_HOSTILE_GOOD:-200}
BAD=${BENCH_HOSTILE_BAD:-100}
JOBS=${BENCH_HOSTILE_JOBS:-16}
TIMEOUT=${BENCH_HOSTILE_TIMEOUT:-2}
for tool in nginx openssl unshare ip /usr/bin/time python3 jq; do
  command -v "$tool" >/dev/null || { echo "hostile: $tool is needed" >&2; exit 1; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsprobe-hostile.XXXXXX")
if [ "${BENCH_HOSTILE_KEEP:-0}" = 1 ]; then echo "hostile: outputs kept in $WORK" >&2; else trap 'rm -rf "$WORK"' EXIT; fi
trap 'exit 130' INT TERM

openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=hostile.bench" -days 400 \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null || { echo "hostile: no certificate" >&2; exit 1; }
{ nginx_head nginx 1 4096 "$WORK/cert.pem" "$WORK/key.pem"; cat <<EOF; } >"$WORK/nginx.conf"
  server { listen 443 ssl backlog=4096; ssl_protocols TLSv1.2 TLSv1.3; return 200 "ok\n"; }
}
EOF

cat >"$WORK/inside.sh" <<'EOF'
set -u
ip link set lo up
nginx -c "$WORK/nginx.conf" || { echo "hostile: nginx did not start" >&2; exit 1; }
MODES="silent drip garbage reclen hslen rst closesh hrr bigchain smtp_endless smtp_longline"
specs=()
for m in $MODES; do
  if [ "$m" = bigchain ]; then specs+=("bigchain:$WORK/cert.pem:$WORK/key.pem"); else specs+=("$m"); fi
done
python3 "$ROOT/tests/lab/chaos.py" --bind 0.0.0.0 --ports-file "$WORK/ports" "${specs[@]}" \
  >"$WORK/chaos.log" 2>&1 &
chaos=$!
trap 'kill "$(cat "$WORK/nginx.pid")" "$chaos" 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s "$WORK/ports" ] && break; sleep 0.1; done
[ -s "$WORK/ports" ] || { echo "hostile: chaos.py did not start" >&2; cat "$WORK/chaos.log" >&2; exit 1; }
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/443) 2>/dev/null && break; sleep 0.1; done

# The inventories: good endpoints alone, and the same good endpoints then the bad ones.
good() {
  for i in $(seq 0 $((GOOD - 1))); do
    printf '  - host: 127.1.%d.%d\n    port: 443\n    sni: hostile.bench\n    ca: %s\n    tags: [good]\n' \
      $((i / 250)) $((1 + i % 250)) "$WORK/cert.pem"
  done
}
bad() {
  local kinds=($MODES refused unresolvable) k port
  for i in $(seq 0 $((BAD - 1))); do
    k=${kinds[i % ${#kinds[@]}]}
    case $k in
      refused) printf '  - host: 127.2.%d.%d\n    port: 444\n' $((i / 250)) $((1 + i % 250)) ;;
      unresolvable) printf '  - host: nx%d.hostile.invalid\n    port: 443\n' "$i" ;;
      *)
        port=$(awk -v m="$k" '$1 == m { print $2 }' "$WORK/ports")
        printf '  - host: 127.2.%d.%d\n    port: %s\n' $((i / 250)) $((1 + i % 250)) "$port"
        case $k in smtp_*) printf '    starttls: smtp\n' ;; esac ;;
    esac
    printf '    tags: [bad, %s]\n' "$k"
  done
}
{ echo "targets:"; good; } >"$WORK/good.yaml"
{ echo "targets:"; good; bad; } >"$WORK/mixed.yaml"

# run LABEL ARGS...: tlsprobe ARGS; one "LABEL PEAK_KB WALL_S EXIT" line.
run() {
  local label=$1 start end
  shift
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$WORK/$label.time" "$TLSPROBE" "$@" </dev/null >/dev/null 2>"$WORK/$label.err"
  end=$(date +%s.%N)
  echo "$label $(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$label.time") \
$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') \
$(awk -F': ' '/Exit status/ {print $2}' "$WORK/$label.time")"
}
COMMON=(-q --offline --timeout "$TIMEOUT" -j "$JOBS")
run clean "${COMMON[@]}" -f "$WORK/good.yaml" --format json -o "$WORK/clean.json"
run mixed-json "${COMMON[@]}" -f "$WORK/mixed.yaml" --format json -o "$WORK/mixed.json"
run mixed-jsonl "${COMMON[@]}" -f "$WORK/mixed.yaml" --format jsonl -o "$WORK/mixed.jsonl"
EOF

echo "hostile: $GOOD good + $BAD dead or hostile endpoints, --jobs $JOBS --timeout $TIMEOUT" >&2
UNSHARE=(unshare -n)
[ "$(id -u)" = 0 ] || UNSHARE=(unshare -rn)
WORK=$WORK ROOT=$ROOT GOOD=$GOOD BAD=$BAD JOBS=$JOBS TIMEOUT=$TIMEOUT TLSPROBE=$TLSPROBE \
  "${UNSHARE[@]}" bash "$WORK/inside.sh" >"$WORK/results.txt" 2>"$WORK/inside.err" ||
  { cat "$WORK/inside.err" "$WORK/results.txt" >&2; exit 1; }

# ---- the figures
ET=$("$TLSPROBE" --help | grep -A2 -e --endpoint-timeout | grep -o 'default [0-9]* x --timeout' | grep -o '[0-9][0-9]*')
ET=$(( ${ET:-8} * TIMEOUT ))
field() { awk -v l="$1" -v f="$2" '$1 == l { print $f }' "$WORK/results.txt"; }
norm() { "$ROOT/tests/golden/normalize.sh" | jq -c "$1" | sort; }
# days_to_expiry is left out too: the certificate is minutes old, so a day boundary of its
# lifetime can fall between two runs (it lasts 400 days: no expiry warning, whose text has it).
good_of() { jq -c '.endpoints[] | select(.tags == ["good"])' "$1" | norm 'del(.index, .origin, .type) | del(.. | .days_to_expiry?)'; }
clean_longest=$(jq '[.endpoints[].duration_ms] | max // 0' "$WORK/clean.json")
# The sum of the deadlines over --jobs, plus one deadline: the last endpoint to start may take
# all of its own after the others are done.
bound=$(awk -v b="$BAD" -v et="$ET" -v g="$GOOD" -v c="$clean_longest" -v j="$JOBS" \
  'BEGIN { printf "%.1f", (b * et + g * c / 1000) / j + et }')
schema_ok() {
  local opt=()
  [ "$2" = jsonl ] && opt=(--jsonl)
  if python3 -c 'import jsonschema' 2>/dev/null; then
    python3 "$ROOT/tests/schema/validate_report.py" "$ROOT/schema/tlsprobe-report.schema.json" "${opt[@]}" "r=$1" |
      grep -q '^not ok' && echo "INVALID" || echo "valid"
  else
    echo "(python3-jsonschema missing)"
  fi
}
printf '%-12s %10s %9s %5s\n' run "peak RSS" wall exit
for l in clean mixed-json mixed-jsonl; do
  printf '%-12s %7.1f MiB %7.2f s %5s\n' "$l" "$(awk -v k="$(field "$l" 2)" 'BEGIN { print k / 1024 }')" \
    "$(field "$l" 3)" "$(field "$l" 4)"
done
jq -c 'select(.type == "endpoint")' "$WORK/mixed.jsonl" | jq -s '{endpoints: .}' >"$WORK/mixed-jsonl-as-doc.json"
same_json=$(comm -12 <(good_of "$WORK/clean.json") <(good_of "$WORK/mixed.json") | wc -l)
same_jsonl=$(comm -12 <(good_of "$WORK/clean.json") <(good_of "$WORK/mixed-jsonl-as-doc.json") | wc -l)
within=$(jq --argjson lim $((ET * 1000 + 2000)) '[.endpoints[] | select(.tags[0] == "bad") | select(.duration_ms <= $lim)] | length' "$WORK/mixed.json")
slowest=$(jq -r '[.endpoints[] | select(.tags[0] == "bad")] | max_by(.duration_ms) | "\(.duration_ms) ms (\(.tags[1]))"' "$WORK/mixed.json")
echo "endpoint deadline ${ET} s; bound (bad x deadline + good x longest clean duration ${clean_longest} ms) / jobs + one deadline: ${bound} s"
echo "mixed run wall / bound: json $(awk -v w="$(field mixed-json 3)" -v b="$bound" 'BEGIN { printf "%.2f", w / b }'), jsonl $(awk -v w="$(field mixed-jsonl 3)" -v b="$bound" 'BEGIN { printf "%.2f", w / b }')"
echo "good endpoints equal to their clean run: json $same_json/$GOOD, jsonl $same_jsonl/$GOOD"
echo "bad endpoints ended within their deadline (+2 s): $within/$BAD (slowest $slowest)"
echo "reports: clean.json $(schema_ok "$WORK/clean.json" json), mixed.json $(schema_ok "$WORK/mixed.json" json), mixed.jsonl $(schema_ok "$WORK/mixed.jsonl" jsonl)"
echo "mixed run, bad endpoints by status: $(jq -c '[.endpoints[] | select(.tags[0] == "bad") | .status] | group_by(.) | map({(.[0]): length}) | add' "$WORK/mixed.json")"
exit 0
