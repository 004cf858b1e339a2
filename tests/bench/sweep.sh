#!/usr/bin/env bash
# Sweep benchmark (issue #14, `make bench`): how fast and how lean a sweep of many endpoints is,
# and how tlsprobe compares with testssl.sh and sslscan on a subset. A report, not a test:
# figures are printed, nothing is asserted (exit 1 only when the sweep lab cannot start).
# Usage: tests/bench/sweep.sh [/path/to/tlsprobe]                 (default ./tlsprobe)
# Env:   BENCH_SWEEP_N       endpoints of the --jobs table (default 1000; --jobs 1 over 1,000
#                            endpoints takes a while: a smaller N is printed with the figures)
#        BENCH_SWEEP_JOBS    --jobs values (default "1 4 16 64 256")
#        BENCH_SWEEP_PROBES  --probes of the --jobs table (default: all, the full audit)
#        BENCH_SWEEP_SIZES   inventory sizes of the peak-RSS table (default "1000 10000"; --probes
#                            versions,certificate --jobs 64, as sweep_mem.sh: memory per endpoint is
#                            what is measured; "" skips it)
#        BENCH_SWEEP_PEERS_N endpoints of the testssl.sh / sslscan subset (default 100; 0 skips)
#        BENCH_SWEEP_TESTSSL_ARGS  what testssl runs on each endpoint (default "-p": protocols)
#        BENCH_SWEEP_PARALLEL      sslscan processes at once (xargs -P, default 16)
#        BENCH_SWEEP_KEEP=1        keep every output (the directory is named on stderr)
#
# The lab: a network namespace of its own (unshare -n: nothing leaves it, nothing outside sees it)
# where, on 0.0.0.0 (so every 127.x.y.z address reaches them):
#   nginx #1  :443  TLS 1.2 + 1.3, RSA       :8443  TLS 1.2 only       :9443  TLS 1.3 only
#             :11443 TLS 1.2 + 1.3, ECDSA P-256
#   nginx #2  :10443 legacy: TLS 1.0 to 1.2, CBC and RSA key exchange, @SECLEVEL=0
#   openssl s_server :12443 TLS 1.3 only, ECDSA P-384;  :13443 TLS 1.2 only, RSA
#   port 444  nothing listens (refused)
#   python    :7443  accepts and never answers (silent: costs --timeout per connection)
#   names     nxN.sweep.invalid:443 (unresolvable: the namespace has no route to any DNS server,
#             so the lookup fails at once)
# Endpoint i of an inventory is on 127.(1 + a/65536).(a/256 % 256).(a % 256), a = i + 1 + i/255
# (no .0 address); in every 40 endpoints: 12 on :443, 6 :8443, 6 :9443, 4 :10443, 4 :11443,
# 2 :12443, 2 :13443, 2 refused, 1 silent, 1 unresolvable, interleaved so that every kind is
# among the first 11 (sweep_inventory.py), and any prefix, the peer subset too, mixes them.
#
# Printed:
#  1. per --jobs: tlsprobe --format jsonl -o FILE --timeout 2 --offline over N endpoints: wall
#     time, endpoints per minute, peak RSS (GNU time's "Maximum resident set size"), exit status,
#     and whether the JSONL holds every endpoint (one line per index 0..N-1, each with its id).
#  2. peak RSS at each BENCH_SWEEP_SIZES inventory size, json (endpoints wait in the spool) and
#     jsonl (live), the method of sweep_mem.sh on this mixed lab.
#  3. the first BENCH_SWEEP_PEERS_N endpoints (every kind above) through tlsprobe's full audit
#     (--format json), `testssl --jsonfile-pretty OUT --file F --parallel` (F: one `--quiet --color 0
#     --warnings off --nodns none --connect-timeout 2 --openssl-timeout 2 ARGS TARGET` line per
#     endpoint: without the timeouts its openssl waits for the silent listener for ever; OUT is
#     one document for all: a --jsonfile-pretty per line gives fragments without the target) and
#     `xargs -P16 -L1 sslscan --no-colour --timeout=2` (one `--xml=OUT TARGET` line each): wall time, the ratio to tlsprobe, and per
#     tool how many endpoints got a complete, valid result: a parseable output that names the
#     target and, for a listening TLS server, its protocols without an error; for a refused,
#     silent or unresolvable one, the failure stated in that output. "missing" counts targets
#     with no output or an unparseable one, "wrong" a TLS server reported as failed or a dead
#     target reported as scanned.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/bench_lib.inc"
bench_tlsprobe "$0" "${1:-}"
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
N=${BENCH_SWEEP_N:-1000}
JOBS=${BENCH_SWEEP_JOBS:-1 4 16 64 256}
PROBES=${BENCH_SWEEP_PROBES:-}
SIZES=${BENCH_SWEEP_SIZES-1000 10000}
PEERS_N=${BENCH_SWEEP_PEERS_N:-100}
TESTSSL_ARGS=${BENCH_SWEEP_TESTSSL_ARGS:--p}
PARALLEL=${BENCH_SWEEP_PARALLEL:-16}
for tool in nginx openssl unshare ip /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "sweep: $tool is needed" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsprobe-sweep.XXXXXX")
if [ "${BENCH_SWEEP_KEEP:-0}" = 1 ]; then echo "sweep: outputs kept in $WORK" >&2; else trap 'rm -rf "$WORK"' EXIT; fi
trap 'exit 130' INT TERM

# Inventories: the N of the --jobs table, the peak-RSS sizes and the peer subset; targets.txt
# lists the peer subset as KIND TARGET.
python3 "$BENCH_DIR/sweep_inventory.py" "$WORK" "$N" "$PEERS_N" $SIZES || exit 1

# Certificates: RSA, ECDSA P-256 and P-384, self-signed; ca.pem trusts all three.
for k in rsa:rsa_keygen_bits:2048 p256:ec_paramgen_curve:P-256 p384:ec_paramgen_curve:P-384; do
  name=${k%%:*} opt=${k#*:}
  alg=ec; [ "$name" = rsa ] && alg=rsa
  openssl req -x509 -newkey "$alg" -pkeyopt "$opt" -nodes -subj "/CN=sweep-$name.bench" -days 7 \
    -keyout "$WORK/$name.key" -out "$WORK/$name.pem" 2>/dev/null || { echo "sweep: no certificate" >&2; exit 1; }
  cat "$WORK/$name.pem" >>"$WORK/ca.pem"
done
for i in 1 2; do nginx_head "nginx$i" 1 8192 "$WORK/rsa.pem" "$WORK/rsa.key" >"$WORK/nginx$i.conf"; done
cat >>"$WORK/nginx1.conf" <<EOF
  server { listen 443 ssl backlog=4096; ssl_protocols TLSv1.2 TLSv1.3; return 200 "ok\n"; }
  server { listen 8443 ssl backlog=4096; ssl_protocols TLSv1.2; return 200 "ok\n"; }
  server { listen 9443 ssl backlog=4096; ssl_protocols TLSv1.3; return 200 "ok\n"; }
  server { listen 11443 ssl backlog=4096; ssl_protocols TLSv1.2 TLSv1.3;
           ssl_certificate $WORK/p256.pem; ssl_certificate_key $WORK/p256.key; return 200 "ok\n"; }
}
EOF
cat >>"$WORK/nginx2.conf" <<EOF
  server { listen 10443 ssl backlog=4096; ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
           ssl_ciphers 'AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-SHA:DES-CBC3-SHA:@SECLEVEL=0'; return 200 "ok\n"; }
}
EOF

# Inside the namespace: the lab up, then every measured run; one result line per run.
cat >"$WORK/inside.sh" <<'EOF'
set -u
ip link set lo up
pids=()
stop_lab() {
  for i in 1 2; do [ -s "$WORK/nginx$i.pid" ] && kill "$(cat "$WORK/nginx$i.pid")" 2>/dev/null; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
}
trap stop_lab EXIT
for i in 1 2; do nginx -c "$WORK/nginx$i.conf" || { echo "sweep: nginx #$i did not start" >&2; exit 1; }; done
openssl s_server -quiet -www -accept 12443 -tls1_3 -cert "$WORK/p384.pem" -key "$WORK/p384.key" \
  </dev/null >/dev/null 2>&1 & pids+=($!)
openssl s_server -quiet -www -accept 13443 -tls1_2 -cert "$WORK/rsa.pem" -key "$WORK/rsa.key" \
  </dev/null >/dev/null 2>&1 & pids+=($!)
python3 "$BENCH_DIR/sweep_inventory.py" --silent 7443 & pids+=($!)
for port in 443 8443 9443 10443 11443 12443 13443 7443; do   # every listener up within 5 s
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
done

# run LABEL CMD...: one "LABEL PEAK_KB WALL_S EXIT" line; the command's stderr in LABEL.err.
run() {
  local label=$1 start end
  shift
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$WORK/$label.time" "$@" </dev/null >"$WORK/$label.out" 2>"$WORK/$label.err"
  end=$(date +%s.%N)
  echo "$label $(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$label.time") \
$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') \
$(awk -F': ' '/Exit status/ {print $2}' "$WORK/$label.time")"
}
PROBE_OPT=()
[ -n "$PROBES" ] && PROBE_OPT=(--probes "$PROBES")
COMMON=(-q --offline --timeout 2 --ca-file "$WORK/ca.pem")
echo "cmd jobs $TLSPROBE ${COMMON[*]} ${PROBE_OPT[*]} -j J -f inv-$N.yaml --format jsonl -o out.jsonl" >&2
for j in $JOBS; do
  run "jobs-$j" "$TLSPROBE" "${COMMON[@]}" "${PROBE_OPT[@]}" -j "$j" -f "$WORK/inv-$N.yaml" \
    --format jsonl -o "$WORK/jobs-$j.jsonl"
done
for n in $SIZES; do
  for fmt in json jsonl; do
    run "size-$n-$fmt" "$TLSPROBE" "${COMMON[@]}" --probes versions,certificate -j 64 \
      -f "$WORK/inv-$n.yaml" --format "$fmt" -o "$WORK/size-$n.$fmt"
    rm -f "$WORK/size-$n.$fmt"
  done
done
[ "$PEERS_N" -gt 0 ] || exit 0
run peer-tlsprobe "$TLSPROBE" "${COMMON[@]}" -j 16 -f "$WORK/inv-peers.yaml" --format json \
  -o "$WORK/peer-tlsprobe.json"
if command -v testssl >/dev/null; then
  awk -v a="$TESTSSL_ARGS" '{ printf "--quiet --color 0 --warnings off --nodns none --connect-timeout 2 --openssl-timeout 2 %s %s\n", a, $2 }' \
    "$WORK/targets.txt" >"$WORK/testssl.cmds"
  run peer-testssl testssl --jsonfile-pretty "$WORK/testssl.json" --file "$WORK/testssl.cmds" --parallel
fi
if command -v sslscan >/dev/null; then
  mkdir -p "$WORK/sslscan"
  awk -v d="$WORK/sslscan" '{ printf "--xml=%s/%d.xml %s\n", d, NR, $2 }' "$WORK/targets.txt" >"$WORK/sslscan.args"
  run peer-sslscan xargs -a "$WORK/sslscan.args" -P "$PARALLEL" -L1 sslscan --no-colour --timeout=2
fi
EOF

echo "sweep: lab of $N endpoints, --jobs $JOBS; peak RSS at ${SIZES:-(skipped)}; peers on $PEERS_N" >&2
UNSHARE=(unshare -n)
[ "$(id -u)" = 0 ] || UNSHARE=(unshare -rn)
WORK=$WORK N=$N JOBS=$JOBS PROBES=$PROBES SIZES=$SIZES PEERS_N=$PEERS_N TESTSSL_ARGS=$TESTSSL_ARGS \
  PARALLEL=$PARALLEL TLSPROBE=$TLSPROBE BENCH_DIR=$BENCH_DIR \
  "${UNSHARE[@]}" bash "$WORK/inside.sh" >"$WORK/results.txt" 2>"$WORK/inside.err" ||
  { cat "$WORK/inside.err" "$WORK/results.txt" >&2; exit 1; }
sed -n 's/^cmd jobs /tlsprobe command of the --jobs table: /p' "$WORK/inside.err"
python3 "$BENCH_DIR/sweep_inventory.py" --report "$WORK" "$N" "$PEERS_N" "${PROBES:-all}" "$TESTSSL_ARGS" "$PARALLEL"
exit 0
