#!/usr/bin/env bash
# Peak memory of a sweep as the inventory grows (issue #14): the peak RSS of tlsprobe over
# inventories of N targets (default 1,000 and 10,000), in a whole-run format (json: endpoints
# wait in the spool) and the live one (jsonl), for this build and, side by side, for a
# "before" build. A report, not a test: figures are printed, nothing is asserted (exit 1 only
# when the sweep lab cannot start).
# Usage: tests/bench/sweep_mem.sh [/path/to/tlsprobe]             (default ./tlsprobe)
# Env:   SWEEP_SIZES    inventory sizes (default "1000 10000")
#        SWEEP_FORMATS  formats measured (default "json jsonl")
#        SWEEP_PROBES   --probes of each sweep (default versions,certificate: the full audit of
#                       10,000 endpoints takes too long on two shared cores; memory per endpoint
#                       is what is measured, and every endpoint is a real TLS sweep)
#        SWEEP_JOBS     --jobs (default 16)
#        BEFORE         the tlsprobe to compare with; default: built from git revision
#                       SWEEP_BEFORE_REV (default c84415b, before the spool) in a temporary
#                       directory when the history has it; BEFORE=none skips it
# The lab: a network namespace of its own (unshare -n; nothing leaves it) where one nginx
# listens on 0.0.0.0:443 (TLS 1.2 + 1.3, ECDSA P-256) and 0.0.0.0:8443 (TLS 1.2 only); the
# inventory spreads its targets over distinct 127.x.y.z addresses: 8 in 10 on 443, 1 in 10
# on 8443, 1 in 10 on port 444 where nothing listens (refused). Peak RSS is GNU time's
# "Maximum resident set size".
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/bench_lib.inc"
bench_tlsprobe "$0" "${1:-}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
read -r -a SIZES <<<"${SWEEP_SIZES:-1000 10000}"
read -r -a FORMATS <<<"${SWEEP_FORMATS:-json jsonl}"
PROBES=${SWEEP_PROBES:-versions,certificate}
JOBS=${SWEEP_JOBS:-16}
for tool in nginx openssl unshare ip /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "sweep_mem: $tool is needed" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsprobe-sweepmem.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

BEFORE=${BEFORE:-}
if [ -z "$BEFORE" ]; then
  REV=${SWEEP_BEFORE_REV:-c84415b}
  if git -C "$ROOT" cat-file -e "$REV^{commit}" 2>/dev/null; then
    mkdir -p "$WORK/before"
    echo "sweep_mem: building the 'before' tlsprobe ($REV)..." >&2
    if git -C "$ROOT" archive "$REV" | tar -x -C "$WORK/before" &&
       make -C "$WORK/before" -j2 tlsprobe >"$WORK/before.log" 2>&1; then
      BEFORE=$WORK/before/tlsprobe
    else
      echo "sweep_mem: the 'before' build failed; only this build is measured" >&2
    fi
  fi
fi
[ "$BEFORE" = none ] && BEFORE=

# The inventories: target i on 127.(1 + i/65536).(i/256 % 256).(i % 256), none ending in 0.
for n in "${SIZES[@]}"; do
  python3 - "$n" >"$WORK/inv-$n.yaml" <<'PY'
import sys
n = int(sys.argv[1])
print("targets:")
for i in range(n):
    a = i + 1 + i // 255          # skips the .0 addresses
    port = 444 if i % 10 == 9 else 8443 if i % 10 == 8 else 443
    print(f'  - "127.{1 + a // 65536}.{a // 256 % 256}.{a % 256}:{port}"')
PY
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=sweep.bench -days 7 \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null || { echo "sweep_mem: no certificate" >&2; exit 1; }
{ nginx_head nginx 2 4096 "$WORK/cert.pem" "$WORK/key.pem"; cat <<EOF; } >"$WORK/nginx.conf"
  server { listen 443 ssl backlog=4096; ssl_protocols TLSv1.2 TLSv1.3; return 200 "ok\n"; }
  server { listen 8443 ssl backlog=4096; ssl_protocols TLSv1.2; ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA; return 200 "ok\n"; }
}
EOF

# Inside the namespace: loopback up, nginx started, every sweep run, nginx stopped.
# One line per run: LABEL N FORMAT PEAK_KB WALL_S ENDPOINTS EXIT
cat >"$WORK/inside.sh" <<'EOF'
set -u
ip link set lo up
nginx -c "$WORK/nginx.conf" || { echo "sweep_mem: nginx did not start" >&2; exit 1; }
trap 'kill "$(cat "$WORK/nginx.pid")" 2>/dev/null' EXIT
for n in $SIZES; do
  for fmt in $FORMATS; do
    for label in before after; do
      bin=$TLSPROBE_AFTER
      [ "$label" = before ] && bin=$TLSPROBE_BEFORE
      [ -n "$bin" ] || continue
      out=$WORK/out-$label-$n.$fmt
      start=$(date +%s.%N)
      /usr/bin/time -v -o "$WORK/time.txt" "$bin" -q --timeout 5 -j "$JOBS" --probes "$PROBES" \
        -f "$WORK/inv-$n.yaml" --format "$fmt" -o "$out" </dev/null 2>"$WORK/err.txt"
      rc=$?
      end=$(date +%s.%N)
      peak=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
      status=$(awk -F': ' '/Exit status/ {print $2}' "$WORK/time.txt")
      if [ "$fmt" = jsonl ]; then
        count=$(grep -c '"type":"endpoint"' "$out" 2>/dev/null)
      else
        count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["endpoints"]))' "$out" 2>/dev/null)
      fi
      echo "$label $n $fmt ${peak:-?} $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') ${count:-0} ${status:-$rc}"
      rm -f "$out"
    done
  done
done
EOF

echo "sweep_mem: $PROBES, --jobs $JOBS, sizes ${SIZES[*]}, formats ${FORMATS[*]}" >&2
UNSHARE=(unshare -n)
[ "$(id -u)" = 0 ] || UNSHARE=(unshare -rn)
WORK=$WORK SIZES="${SIZES[*]}" FORMATS="${FORMATS[*]}" PROBES=$PROBES JOBS=$JOBS \
  TLSPROBE_AFTER=$TLSPROBE TLSPROBE_BEFORE=$BEFORE \
  "${UNSHARE[@]}" bash "$WORK/inside.sh" >"$WORK/results.txt" || { cat "$WORK/results.txt"; exit 1; }

python3 - "$WORK/results.txt" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print(f"{'build':<7} {'targets':>8} {'format':<6} {'peak RSS':>10} {'wall':>8} {'endpoints':>10} {'exit':>5}")
for label, n, fmt, peak, wall, count, status in rows:
    mib = f"{int(peak) / 1024:.1f} MiB" if peak.isdigit() else "?"
    print(f"{label:<7} {int(n):>8} {fmt:<6} {mib:>10} {float(wall):>7.1f}s {count:>10} {status:>5}")
peaks = {(r[0], r[2], int(r[1])): int(r[3]) for r in rows if r[3].isdigit()}
for (label, fmt, n), kb in sorted(peaks.items()):
    small = min(k[2] for k in peaks if k[0] == label and k[1] == fmt)
    if n != small:
        print(f"{label} {fmt}: peak RSS at {n} targets is {kb / peaks[(label, fmt, small)]:.2f}x that at {small}")
PY
