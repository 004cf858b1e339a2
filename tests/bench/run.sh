#!/usr/bin/env bash
# Side-by-side cipher-suite enumeration benchmark: tlsprobe vs sslscan vs testssl on a few lab
# servers (its own lab, stopped on exit). A report, not a test: disagreements are printed,
# never turned into a failing status (exit 1 only when the lab itself cannot start).
# Usage: tests/bench/run.sh /path/to/tlsprobe       (`make bench`)
# Env:   BENCH_SERVERS   lab servers to measure (default: ciphers12 nginx_pref gnutls_chacha tls13 legacy)
#        BENCH_TIMEOUT_S deadline of each tool run (default 600)
#        BENCH_STRACE=0  skip the connection-counting runs
#        BENCH_REPEAT    timed runs per tool and server, the median is reported (default 7; a
#                        tool whose first run takes over 2 s, testssl, runs once)
#
# Per server and tool it prints the wall time, the TCP connections made, the (version, suite)
# pairs found, and whether that set equals tlsprobe's; then tlsprobe's ratios to each tool.
# Commands: tlsprobe --format json --probes ciphers,groups,signatures; sslscan --no-colour (plus --xml to read its findings);
# testssl --quiet --color 0 -E (plus --jsonfile to read them, --nodns none so it asks no DNS
# server, --warnings off so it never prompts).
# Connections: tlsprobe reports its own (.endpoints[0].connections). For all three, a second
# run under `strace -f -e trace=connect` counts connect() calls to the server's port: exact
# whatever the tool is made of (testssl forks openssl and bash /dev/tcp), while the lab's
# servers do not log every connection. That run is not timed (strace slows forks down), so
# the timed run comes first, alone.
# Suites are compared by IANA code: sslscan's XML and testssl's JSON ids both carry it.
set -uo pipefail

TLSPROBE=${1:-}
if [ -z "$TLSPROBE" ] || [ ! -x "$TLSPROBE" ]; then
  echo "usage: $0 /path/to/tlsprobe" >&2
  exit 2
fi
TLSPROBE=$(cd "$(dirname "$TLSPROBE")" && pwd)/$(basename "$TLSPROBE")
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_SRC=$(cd "$BENCH_DIR/../lab" && pwd)
read -r -a SERVERS <<<"${BENCH_SERVERS:-ciphers12 nginx_pref gnutls_chacha tls13 legacy}"
TIMEOUT_S=${BENCH_TIMEOUT_S:-600}
TOOLS=(tlsprobe sslscan testssl)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsprobe-bench.XXXXXX")
LAB_DIR=$WORK/lab
cleanup() { "$LAB_SRC/stop.sh" "$LAB_DIR"; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! LAB_DIR=$LAB_DIR "$LAB_SRC/start.sh" "${SERVERS[@]}" >"$WORK/start.log" 2>&1; then
  cat "$WORK/start.log" >&2
  echo "bench: the lab did not start" >&2
  exit 1
fi
# shellcheck source=/dev/null
. "$LAB_DIR/env"

have() { command -v "$1" >/dev/null 2>&1; }
# The port of a lab server: LAB_PORT_<NAME in capitals>.
port_of() { local v="LAB_PORT_${1^^}"; printf '%s' "${!v:-}"; }

# tool_cmd TOOL PORT OUTBASE: prints nothing; fills the array CMD with the command to run.
tool_cmd() {
  local tool=$1 port=$2 out=$3
  case $tool in
    # The enumeration probes (versions, ciphers, groups, signatures): what sslscan's suite, group
    # and signature-algorithm listing covers. Certificate, revocation (an OCSP fetch from the lab's
    # responder), HTTP and mTLS checks are not part of the comparison.
    tlsprobe) CMD=("$TLSPROBE" --format json -q --probes ciphers,groups,signatures --ca-file "$LAB_CA" -o "$out.json" "127.0.0.1:$port") ;;
    sslscan)  CMD=(sslscan --no-colour --xml="$out.xml" "127.0.0.1:$port") ;;
    testssl)  CMD=(testssl --quiet --color 0 -E --nodns none --warnings off --jsonfile "$out.json" "127.0.0.1:$port") ;;
  esac
}

# Suites found, one "VERSION 0xCODE" line each, sorted, from a tool's machine-readable output.
suites_of() {
  local tool=$1 out=$2
  case $tool in
    tlsprobe)
      [ -s "$out.json" ] || return 1
      jq -r '.endpoints[0].facts.ciphers // empty | .protocols[]? | .name as $v | .suites[]? | "\($v) \(.code)"' \
        "$out.json" 2>/dev/null | awk '{ printf "%s 0x%s\n", $1, toupper(substr($2, 3)) }' | sort -u ;;
    sslscan)
      [ -s "$out.xml" ] || return 1
      python3 - "$out.xml" <<'PY' | sort -u ;;
import sys, xml.etree.ElementTree as ET
for c in ET.parse(sys.argv[1]).iter("cipher"):
    if c.get("status") in ("accepted", "preferred") and c.get("id"):
        print(c.get("sslversion", "?"), "0x" + c.get("id")[2:].upper())
PY
    testssl)
      [ -s "$out.json" ] || return 1
      python3 - "$out.json" <<'PY' | sort -u ;;
import json, re, sys
names = {"ssl2": "SSLv2", "ssl3": "SSLv3", "tls1": "TLSv1.0", "tls1_1": "TLSv1.1", "tls1_2": "TLSv1.2", "tls1_3": "TLSv1.3"}
doc = json.load(open(sys.argv[1]))
for f in (doc if isinstance(doc, list) else doc.get("scanResult", [])):
    m = re.fullmatch(r"cipher-(ssl2|ssl3|tls1|tls1_1|tls1_2|tls1_3)_x([0-9a-fA-F]+)", f.get("id", ""))
    if m:
        print(names[m.group(1)], "0x" + m.group(2).upper().zfill(4))
PY
  esac
}

now() { date +%s.%N; }
# The median of the numbers given as arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
REPEAT=${BENCH_REPEAT:-7}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.3f", a / b; else printf "n/a" }'; }

declare -A WALL CONNS NSUITES SAME
for s in "${SERVERS[@]}"; do
  port=$(port_of "$s")
  [ -n "$port" ] || { echo "bench: no port for lab server '$s'" >&2; continue; }
  echo "# $s (127.0.0.1:$port)" >&2
  for tool in "${TOOLS[@]}"; do
    key="$s/$tool" out="$WORK/$s-$tool"
    WALL[$key]=n/a CONNS[$key]=n/a NSUITES[$key]=n/a SAME[$key]=n/a
    if [ "$tool" != tlsprobe ] && ! have "$tool"; then
      echo "#   $tool: not installed" >&2
      continue
    fi
    tool_cmd "$tool" "$port" "$out"
    t0=$(now)
    timeout -k 5 "$TIMEOUT_S" "${CMD[@]}" </dev/null >"$out.stdout" 2>"$out.stderr"
    rc=$?
    t1=$(now)
    WALL[$key]=$(elapsed "$t0" "$t1")
    if [ "$rc" -eq 124 ]; then
      WALL[$key]="${WALL[$key]}(timeout)"
    elif [ "$REPEAT" -gt 1 ] && awk -v w="${WALL[$key]}" 'BEGIN { exit !(w < 2) }'; then
      # Runs of a few tens of milliseconds vary by several ms: report the median of REPEAT.
      times=("${WALL[$key]}")
      tool_cmd "$tool" "$port" "$out-again"
      for ((i = 1; i < REPEAT; i++)); do
        t0=$(now)
        timeout -k 5 "$TIMEOUT_S" "${CMD[@]}" </dev/null >/dev/null 2>&1
        t1=$(now)
        times+=("$(elapsed "$t0" "$t1")")
      done
      WALL[$key]=$(median "${times[@]}")
    fi
    echo "#   $tool: exit $rc, ${WALL[$key]} s" >&2
    if suites_of "$tool" "$out" >"$out.suites" 2>/dev/null && [ -s "$out.suites" ]; then
      NSUITES[$key]=$(wc -l <"$out.suites")
    else
      rm -f "$out.suites"
    fi
    if [ "$tool" = tlsprobe ] && [ -s "$out.json" ]; then
      CONNS[$key]=$(jq -r '.endpoints[0].connections // "n/a"' "$out.json" 2>/dev/null || echo n/a)
    fi
    if [ "${BENCH_STRACE:-1}" != 0 ] && have strace; then
      tool_cmd "$tool" "$port" "$out-strace"
      timeout -k 5 "$TIMEOUT_S" strace -f -qq -e trace=connect -e signal=none -o "$out.strace" "${CMD[@]}" \
        </dev/null >/dev/null 2>&1
      n=$(grep -c "htons($port)" "$out.strace" 2>/dev/null)
      if [ "$tool" = tlsprobe ] && [ "${CONNS[$key]}" != n/a ]; then
        CONNS[$key]="${CONNS[$key]}/$n"   # reported / counted
      else
        CONNS[$key]=$n
      fi
    fi
  done
  for tool in "${TOOLS[@]}"; do
    key="$s/$tool"
    if [ -f "$WORK/$s-tlsprobe.suites" ] && [ -f "$WORK/$s-$tool.suites" ]; then
      if cmp -s "$WORK/$s-tlsprobe.suites" "$WORK/$s-$tool.suites"; then SAME[$key]=yes; else SAME[$key]=no; fi
    fi
  done
done

echo
echo "Cipher-suite enumeration, lab on 127.0.0.1 (wall: median of $REPEAT runs under 2 s; suites: (version, suite) pairs;"
echo "conns: TCP connections to the server, tlsprobe as reported/counted by strace)"
printf '%-14s %-9s %10s %12s %7s %13s\n' SERVER TOOL WALL_S CONNS SUITES SAME_AS_TLSPROBE
for s in "${SERVERS[@]}"; do
  for tool in "${TOOLS[@]}"; do
    key="$s/$tool"
    printf '%-14s %-9s %10s %12s %7s %13s\n' "$s" "$tool" "${WALL[$key]}" "${CONNS[$key]}" "${NSUITES[$key]}" \
      "$([ "$tool" = tlsprobe ] && echo - || echo "${SAME[$key]}")"
  done
done

echo
echo "tlsprobe relative to each tool (below 1: tlsprobe is faster / uses fewer connections)"
printf '%-14s %-9s %10s %12s\n' SERVER VS TIME_RATIO CONN_RATIO
for s in "${SERVERS[@]}"; do
  tp_conns=${CONNS[$s/tlsprobe]%%/*}
  for tool in sslscan testssl; do
    other=${CONNS[$s/$tool]%%/*}
    printf '%-14s %-9s %10s %12s\n' "$s" "$tool" "$(ratio "${WALL[$s/tlsprobe]%%(*}" "${WALL[$s/$tool]%%(*}")" \
      "$(ratio "$tp_conns" "$other")"
  done
done

# tlsprobe's total covers all its probes (sslscan's also covers more than suites: groups,
# renegotiation, heartbleed...; testssl -E only suites); here is what each probe used, and the
# suite enumeration (versions + ciphers) against the issue's budget: accepted (version, suite)
# pairs + 2 per accepted version + 10.
echo
echo "tlsprobe connections by probe"
for s in "${SERVERS[@]}"; do
  f=$WORK/$s-tlsprobe.json
  line=n/a
  if [ -s "$f" ]; then
    line=$(jq -r '.endpoints[0].facts | (to_entries | map("\(.key)=\(.value.connections // "n/a")") | join(" "))
      + "  reused=" + ([.[].reused_answers // 0] | add | tostring)
      + "  suites: \((.versions.connections // 0) + (.ciphers.connections // 0)) of budget \(
          ([.ciphers.protocols[]?.suites | length] | add // 0) + 2 * (.versions.accepted | length) + 10)"' "$f" 2>/dev/null)
  fi
  printf '%-14s %s\n' "$s" "${line:-n/a}"
done

# Where the sets differ, say how.
for s in "${SERVERS[@]}"; do
  for tool in sslscan testssl; do
    if [ "${SAME[$s/$tool]}" = no ]; then
      echo
      echo "$s: tlsprobe vs $tool differ (< only tlsprobe, > only $tool):"
      diff "$WORK/$s-tlsprobe.suites" "$WORK/$s-$tool.suites" | grep -E '^[<>]' | sed 's/^/  /'
    fi
  done
done
exit 0
