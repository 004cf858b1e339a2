#!/usr/bin/env bash
# Latency benchmark (issue #16, `make bench-latency`; `make bench` runs it last): a full audit
# at internet round-trip times. Loopback answers in microseconds and these kernels have no
# netem, so tests/lab/delay_proxy.py sits between each tool and each server and adds the RTT
# (RTT/2 each way, one more RTT for the TCP handshake; see its header). A report, not a test:
# figures are printed, nothing is asserted (exit 1 only when the lab cannot start).
# Usage: tests/bench/latency.sh [/path/to/tlsprobe]                (default ./tlsprobe)
# Env:   LATENCY_RTTS       round-trip times in ms (default "50 150")
#        LATENCY_REPEAT     tlsprobe runs per server, RTT and --per-host; the median wall
#                           time is reported (default 3)
#        LATENCY_PER_HOST   the --per-host values measured (default "3 5")
#        LATENCY_SERVERS    servers measured (default: all five below)
#        LATENCY_TOOLS      other tools measured (default "sslscan nmap"; "" for none)
#        LATENCY_TIMEOUT_S  deadline of each tool run (default 300)
#        LATENCY_PORT_BASE  the servers listen on 127.0.0.1:BASE+0..4 (default 24800; the
#                           proxy and its control port on ports the system picks)
#        LATENCY_KEEP=1     keep every output (the directory is named on stderr)
#
# The servers (a PKI made at run time: a root CA, an RSA 2048 and an ECDSA P-256 leaf for
# localhost and 127.0.0.1, no AIA or CRL URLs, so nothing is fetched):
#   openssl      openssl s_server -www, OpenSSL's defaults (TLS 1.2 + 1.3, 23 suites), RSA
#   openssl_moz  openssl s_server -www -serverpref, Mozilla intermediate suites and groups,
#                TLS 1.2 + 1.3, ECDSA
#   nginx        nginx, TLS 1.2 + 1.3, nginx's default suites, ssl_prefer_server_ciphers on, RSA
#   nginx_dflt   nginx with OpenSSL's DEFAULT suites and ffdhe2048 (the suites of "openssl"),
#                client order, RSA: the same audit against a server that serves connections
#                in parallel
#   gnutls       gnutls-serv --http -a (no client certificate asked), GnuTLS's defaults (NORMAL), RSA
# openssl s_server serves one connection at a time, and each one holds it at least one RTT
# (the client's answer or FIN comes back one RTT after the server's flight): its audit cannot
# take less than connections x RTT whatever --per-host is ("serial floor" below); gnutls-serv
# answers one handshake at a time, the same.
#
# Printed per server and RTT, in one run:
#   tlsprobe at each --per-host: `tlsprobe -q --format json --per-host N --ca-file CA
#     --sni localhost -o F https://127.0.0.1:PROXYPORT` (every default probe; https:// names the
#     service, as port 443 does for `tlsprobe example.com`): median wall time, the
#     connections the proxy accepted (the cleartext HTTP probe's port 80 is not proxied: the
#     report's .endpoints[0].connections counts it too), the most open at once, the floor
#     (connections / per-host x 2 RTT; for s_server and gnutls-serv the larger serial floor) and wall / floor,
#     and in how many runs the ciphers, groups and signatures facts equal a run without the
#     proxy (connections, reused_answers and duration_ms aside): latency must not change results;
#   `sslscan --no-colour --sni-name=localhost 127.0.0.1:PROXYPORT` and
#     `nmap -Pn -n -sT -p PROXYPORT --script +ssl-enum-ciphers 127.0.0.1` (the `+` runs the
#     script on a port it does not know as TLS): one run each, wall time and connections.
# Then a summary, one line per server and RTT (the README's table).
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/bench_lib.inc"
bench_tlsprobe "$0" "${1:-}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
read -r -a RTTS <<<"${LATENCY_RTTS:-50 150}"
read -r -a PER_HOSTS <<<"${LATENCY_PER_HOST:-3 5}"
read -r -a SERVERS <<<"${LATENCY_SERVERS:-openssl openssl_moz nginx nginx_dflt gnutls}"
read -r -a TOOLS <<<"${LATENCY_TOOLS-sslscan nmap}"
REPEAT=${LATENCY_REPEAT:-3}
TIMEOUT_S=${LATENCY_TIMEOUT_S:-300}
BASE=${LATENCY_PORT_BASE:-24800}
for tool in openssl python3 jq; do
  command -v "$tool" >/dev/null || { echo "latency: $tool is needed" >&2; exit 1; }
done
have() { command -v "$1" >/dev/null 2>&1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsprobe-latency.XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  [ -s "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
  wait 2>/dev/null
  if [ "${LATENCY_KEEP:-0}" = 1 ]; then echo "latency: outputs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "latency: $*" >&2; exit 1; }

# ---- the PKI
pki() {
  local ext="subjectAltName=DNS:localhost,IP:127.0.0.1
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth"
  openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=tlsprobe latency bench CA" -days 400 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$WORK/ca.key" -out "$WORK/ca.pem" || return 1
  openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$WORK/rsa.key" -out "$WORK/rsa.csr" &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
      -keyout "$WORK/ecdsa.key" -out "$WORK/ecdsa.csr" || return 1
  local k
  for k in rsa ecdsa; do
    openssl x509 -req -in "$WORK/$k.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
      -days 400 -extfile <(printf '%s\n' "$ext") -out "$WORK/$k.pem" || return 1
  done
  openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$WORK/ffdhe2048.pem"
}
pki >"$WORK/pki.log" 2>&1 || { cat "$WORK/pki.log" >&2; fail "no PKI"; }

# ---- the servers: NAME -> port BASE+i
declare -A PORT SERIAL
MOZ_SUITES=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305
i=0
for s in openssl openssl_moz nginx nginx_dflt gnutls; do PORT[$s]=$((BASE + i)); i=$((i + 1)); done
want() { local s; for s in "${SERVERS[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
for s in "${SERVERS[@]}"; do [ -n "${PORT[$s]:-}" ] || fail "unknown server '$s' (LATENCY_SERVERS)"; done
for s in "${SERVERS[@]}"; do
  (exec 3<>"/dev/tcp/127.0.0.1/${PORT[$s]}") 2>/dev/null && fail "127.0.0.1:${PORT[$s]} is taken (set LATENCY_PORT_BASE)"
done
launch() {   # launch NAME CMD...: in the background, its output in $WORK/NAME.log
  local name=$1
  shift
  "$@" </dev/null >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
if want openssl; then
  launch openssl openssl s_server -www -quiet -accept "127.0.0.1:${PORT[openssl]}" \
    -cert "$WORK/rsa.pem" -key "$WORK/rsa.key"
  SERIAL[openssl]=1
fi
if want openssl_moz; then
  launch openssl_moz openssl s_server -www -quiet -accept "127.0.0.1:${PORT[openssl_moz]}" \
    -cert "$WORK/ecdsa.pem" -key "$WORK/ecdsa.key" -serverpref -min_protocol TLSv1.2 \
    -cipher "$MOZ_SUITES" -groups X25519:P-256:P-384
  SERIAL[openssl_moz]=1
fi
if want nginx || want nginx_dflt; then
  have nginx || fail "nginx is needed (or leave nginx and nginx_dflt out of LATENCY_SERVERS)"
  { nginx_head nginx 2 1024 "$WORK/rsa.pem" "$WORK/rsa.key"
    want nginx && echo "  server { listen 127.0.0.1:${PORT[nginx]} ssl; ssl_protocols TLSv1.2 TLSv1.3;
           ssl_prefer_server_ciphers on; return 200 \"ok\\n\"; }"
    want nginx_dflt && echo "  server { listen 127.0.0.1:${PORT[nginx_dflt]} ssl; ssl_protocols TLSv1.2 TLSv1.3;
           ssl_ciphers DEFAULT; ssl_dhparam $WORK/ffdhe2048.pem; ssl_prefer_server_ciphers off; return 200 \"ok\\n\"; }"
    echo "}"; } >"$WORK/nginx.conf"
  nginx -c "$WORK/nginx.conf" >"$WORK/nginx.log" 2>&1 || { cat "$WORK/nginx.log" >&2; fail "nginx did not start"; }
fi
if want gnutls; then
  have gnutls-serv || fail "gnutls-serv is needed (or leave gnutls out of LATENCY_SERVERS)"
  # gnutls-serv has no listen-address option: it binds the wildcard address (only ever
  # connected to over loopback).
  launch gnutls gnutls-serv --http -a -q -p "${PORT[gnutls]}" --x509certfile "$WORK/rsa.pem" --x509keyfile "$WORK/rsa.key"
  # It accepts connections at once but answers one handshake at a time: an accepted hello
  # takes 0.105 s alone at 50 ms, 0.23-0.25 s with five at once (traced), and its audit
  # about connections x RTT at any --per-host, as s_server's.
  SERIAL[gnutls]=1
fi
for s in "${SERVERS[@]}"; do
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/${PORT[$s]}") 2>/dev/null && continue 2; sleep 0.1; done
  cat "$WORK/$s.log" >&2 2>/dev/null
  fail "$s did not start on 127.0.0.1:${PORT[$s]}"
done

# ---- the proxy: one listen port per server, RTT set per block through its control port
maps=()
for s in "${SERVERS[@]}"; do maps+=(--map "127.0.0.1:0=127.0.0.1:${PORT[$s]}"); done
python3 "$ROOT/tests/lab/delay_proxy.py" --rtt-ms "${RTTS[0]}" --control 127.0.0.1:0 \
  --ports-file "$WORK/proxy.ports" "${maps[@]}" >"$WORK/proxy.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$WORK/proxy.ports" ] && break; sleep 0.1; done
[ -s "$WORK/proxy.ports" ] || { cat "$WORK/proxy.log" >&2; fail "the delay proxy did not start"; }
CTL=$(awk '$1 == "control" { sub(/.*:/, "", $2); print $2 }' "$WORK/proxy.ports")
declare -A LPORT
for s in "${SERVERS[@]}"; do
  LPORT[$s]=$(awk -v u="127.0.0.1:${PORT[$s]}" '$1 == "map" && $3 == u { sub(/.*:/, "", $2); print $2 }' "$WORK/proxy.ports")
done

# ctl COMMAND: the proxy's JSON answer.
ctl() {
  local fd line
  exec {fd}<>"/dev/tcp/127.0.0.1/$CTL" || return 1
  printf '%s\n' "$1" >&"$fd"
  IFS= read -r -t 5 line <&"$fd"
  exec {fd}>&-
  printf '%s\n' "$line"
}
# Waits (up to 10 s) until no connection is left in the proxy (nor, so, on a server that serves
# one at a time), then zeroes its counters.
settle() {
  local _
  for _ in $(seq 100); do
    [ "$(ctl stats | jq '[.ports[].active] | add')" = 0 ] && break
    sleep 0.1
  done
  ctl reset >/dev/null
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# run SERVER LABEL CMD...: one timed run through the proxy; sets R_WALL, R_CONNS, R_MAXOPEN
# (from the proxy) and R_RC.
run() {
  local s=$1 label=$2 t0 t1 st
  shift 2
  settle
  t0=$(now)
  timeout -k 5 "$TIMEOUT_S" "$@" </dev/null >"$WORK/$label.out" 2>"$WORK/$label.err"
  R_RC=$?
  t1=$(now)
  R_WALL=$(elapsed "$t0" "$t1")
  [ "$R_RC" = 124 ] && R_WALL="$R_WALL(timeout)"
  st=$(ctl stats)
  R_CONNS=$(jq -r --arg p "${LPORT[$s]}" '.ports[$p].accepted' <<<"$st")
  R_MAXOPEN=$(jq -r --arg p "${LPORT[$s]}" '.ports[$p].max_open' <<<"$st")
}

FACTS='.endpoints[0].facts // {} | {ciphers, groups, signatures}
  | walk(if type == "object" then del(.connections, .reused_answers, .duration_ms) else . end)'
tp() {   # tp PORT PER_HOST OUT: the tlsprobe command
  CMD=("$TLSPROBE" -q --format json --per-host "$2" --ca-file "$WORK/ca.pem" --sni localhost -o "$3" "https://127.0.0.1:$1")
}

# ---- the baseline: each server without the proxy (the facts latency must not change)
for s in "${SERVERS[@]}"; do
  tp "${PORT[$s]}" 3 "$WORK/$s-direct.json"
  timeout -k 5 "$TIMEOUT_S" "${CMD[@]}" </dev/null >/dev/null 2>"$WORK/$s-direct.err"
  jq -cS "$FACTS" "$WORK/$s-direct.json" >"$WORK/$s-direct.facts" 2>/dev/null || : >"$WORK/$s-direct.facts"
done

# ---- the runs. Row per tool: SERVER RTT TOOL WALL CONNS REPORTED MAXOPEN FLOOR RATIO SAME
ROWS=()
declare -A SUM
for rtt in "${RTTS[@]}"; do
  ctl "rtt $rtt" >/dev/null || fail "the delay proxy does not answer"
  for s in "${SERVERS[@]}"; do
    echo "# $s at $rtt ms RTT (127.0.0.1:${LPORT[$s]} -> ${PORT[$s]})" >&2
    for ph in "${PER_HOSTS[@]}"; do
      walls=() conns=() reported=() maxopen=0 same=0
      for r in $(seq "$REPEAT"); do
        out=$WORK/$s-$rtt-p$ph-$r.json
        tp "${LPORT[$s]}" "$ph" "$out"
        run "$s" "$s-$rtt-p$ph-$r" "${CMD[@]}"
        walls+=("${R_WALL%%(*}") conns+=("$R_CONNS")
        reported+=("$(jq -r '.endpoints[0].connections // "n/a"' "$out" 2>/dev/null || echo n/a)")
        [ "$R_MAXOPEN" -gt "$maxopen" ] && maxopen=$R_MAXOPEN
        if [ -s "$WORK/$s-direct.facts" ] && [ "$(jq -cS "$FACTS" "$out" 2>/dev/null)" = "$(cat "$WORK/$s-direct.facts")" ]; then
          same=$((same + 1))
        fi
        echo "#   tlsprobe --per-host $ph: exit $R_RC, $R_WALL s, $R_CONNS connections" >&2
      done
      wall=$(median "${walls[@]}") conn=$(median "${conns[@]}")
      floor=$(calc "%.2f" "$conn / $ph * 2 * $rtt / 1000")
      [ -n "${SERIAL[$s]:-}" ] && floor=$(calc "%.2f" "($conn * $rtt / 1000 > $floor) ? $conn * $rtt / 1000 : $floor")
      ratio=$(calc "%.2f" "$wall / $floor")
      ROWS+=("$s $rtt tlsprobe-p$ph $wall $conn $(median "${reported[@]}") $maxopen $floor $ratio $same/$REPEAT")
      SUM[$s/$rtt/p$ph]="$wall s $conn c ${ratio}x"
    done
    for tool in "${TOOLS[@]}"; do
      SUM[$s/$rtt/$tool]=n/a
      if ! have "$tool"; then echo "#   $tool: not installed" >&2; continue; fi
      case $tool in
        sslscan) CMD=(sslscan --no-colour --sni-name=localhost "127.0.0.1:${LPORT[$s]}") ;;
        nmap) CMD=(nmap -Pn -n -sT -p "${LPORT[$s]}" --script +ssl-enum-ciphers 127.0.0.1) ;;
        *) echo "#   $tool: unknown tool" >&2; continue ;;
      esac
      run "$s" "$s-$rtt-$tool" "${CMD[@]}"
      echo "#   $tool: exit $R_RC, $R_WALL s, $R_CONNS connections" >&2
      ROWS+=("$s $rtt $tool $R_WALL $R_CONNS - $R_MAXOPEN - - -")
      SUM[$s/$rtt/$tool]="$R_WALL s $R_CONNS c"
    done
  done
done

echo
echo "Full audit through tests/lab/delay_proxy.py (wall: tlsprobe the median of $REPEAT runs, the others one run;"
echo "conns: accepted by the proxy, reported: tlsprobe's own count (+1: the HTTP probe's port 80, not proxied);"
echo "floor: conns / per-host x 2 RTT, for s_server (one connection at a time) at least conns x RTT;"
echo "same: runs whose ciphers, groups and signatures facts equal a run without the proxy)"
printf '%-12s %4s %-12s %9s %6s %9s %8s %8s %7s %6s\n' SERVER RTT TOOL WALL_S CONNS REPORTED MAX_OPEN FLOOR_S /FLOOR SAME
for row in "${ROWS[@]}"; do
  # shellcheck disable=SC2086
  printf '%-12s %4s %-12s %9s %6s %9s %8s %8s %7s %6s\n' $row
done

echo
echo "Summary (wall, connections, wall / floor)"
head=$(printf '%-12s %4s' server RTT)
for ph in "${PER_HOSTS[@]}"; do head+=$(printf '  %-20s' "tlsprobe -p$ph"); done
for tool in "${TOOLS[@]}"; do head+=$(printf '  %-15s' "$tool"); done
echo "$head"
for rtt in "${RTTS[@]}"; do
  for s in "${SERVERS[@]}"; do
    line=$(printf '%-12s %4s' "$s" "$rtt")
    for ph in "${PER_HOSTS[@]}"; do line+=$(printf '  %-20s' "${SUM[$s/$rtt/p$ph]}"); done
    for tool in "${TOOLS[@]}"; do line+=$(printf '  %-15s' "${SUM[$s/$rtt/$tool]}"); done
    echo "$line"
  done
done
if [ -s "$WORK/proxy.log" ]; then
  echo
  echo "The delay proxy wrote on stderr (the figures may be off):"
  head -20 "$WORK/proxy.log"
fi
exit 0
