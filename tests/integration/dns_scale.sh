#!/usr/bin/env bash
# DNS at sweep scale (issue #14): 20,000 names through a local dnsmasq of the test's own, most of
# them NXDOMAIN, must come back with their real answers: no name "unresolved" for a timeout. A
# resolver that drops every query ends as "timeout", after the retries, within a bounded time.
# The dnsmasq answers locally (--local=/sweep.test/, --no-resolv): 2,000 names from an
# --addn-hosts file are 127.0.0.1, every other name under sweep.test is NXDOMAIN. The existing
# names point at the refused port, so their probing is a fast "unreachable".
. "$(dirname "$0")/../lib.sh"

NAMES=2000      # in the hosts file: resolved
MISSING=18000   # not in it: NXDOMAIN
DNS_DIR=$TEST_TMP/dns
mkdir -p "$DNS_DIR"
chmod 755 "$TEST_TMP" "$DNS_DIR" # dnsmasq reads the hosts file as nobody

# A port free for both UDP and TCP on 127.0.0.1 (dnsmasq listens on both).
free_port() {
  python3 - <<'EOF'
import socket
for _ in range(100):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break
EOF
}

if ! command -v dnsmasq >/dev/null 2>&1; then
  skip "dns_scale" "dnsmasq not installed"
  exit 0
fi

for i in $(seq 1 "$NAMES"); do printf '127.0.0.1 host%05d.sweep.test\n' "$i"; done >"$DNS_DIR/hosts"
{
  echo "targets:"
  for i in $(seq 1 "$NAMES"); do printf '  - "host%05d.sweep.test:%s"\n' "$i" "$LAB_PORT_REFUSED"; done
  for i in $(seq 1 "$MISSING"); do printf '  - "nx%05d.sweep.test:%s"\n' "$i" "$LAB_PORT_REFUSED"; done
} >"$DNS_DIR/inventory.yaml"
chmod 644 "$DNS_DIR/hosts"

DNS_PORT=$(free_port)
user=()
[ "$(id -u)" -eq 0 ] && user=(--user=nobody --group=nogroup)
# Default --dns-forward-max and cache: only the name space is the test's.
dnsmasq --keep-in-foreground --conf-file=/dev/null --pid-file= "${user[@]}" \
  --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces \
  --no-resolv --no-hosts --local=/sweep.test/ --addn-hosts="$DNS_DIR/hosts" \
  >"$DNS_DIR/dnsmasq.log" 2>&1 &
DNSMASQ_PID=$!
DROP_PID=
cleanup() {
  kill "$DNSMASQ_PID" 2>/dev/null
  [ -n "$DROP_PID" ] && kill "$DROP_PID" 2>/dev/null
  wait 2>/dev/null
}
trap 'cleanup; validate_recorded_reports' EXIT

# Up when it answers a name of its hosts file.
up=
for _ in $(seq 1 50); do
  if python3 - "$DNS_PORT" <<'EOF' 2>/dev/null; then up=1; break; fi
import socket, sys
name = b"".join(bytes([len(l)]) + l for l in b"host00001.sweep.test".split(b".")) + b"\0"
q = bytes.fromhex("123401000001000000000000") + name + bytes.fromhex("00010001")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
r = s.recv(512)
sys.exit(0 if r[:2] == q[:2] and r[3] & 15 == 0 and r[7] == 1 else 1)
EOF
  sleep 0.1
done
if [ -z "$up" ]; then
  not_ok "dns_scale: dnsmasq answers on 127.0.0.1:$DNS_PORT" "$(oneline "$(tail -n 5 "$DNS_DIR/dnsmasq.log")")"
  exit 0
fi

# ---- 20,000 names, one run (--probes versions: resolution is what is measured)
TP_DEADLINE_S=600 tp sweep --format json --resolver "127.0.0.1:$DNS_PORT" --probes versions --jobs 64 \
  -f "$DNS_DIR/inventory.yaml"
assert_rc "20,000 names: exit 3 (unresolved and unreachable targets)" 3
assert_jq "20,000 names: every endpoint reported" "$TP_OUT" '.endpoints | length' $((NAMES + MISSING))
assert_jq "20,000 names: $NAMES resolved to 127.0.0.1, none unresolved" "$TP_OUT" \
  '[.endpoints[] | select(.host | startswith("host"))] | [length, ([.[].status] | unique), ([.[].address] | unique)]' \
  "[$NAMES,[\"unreachable\"],[\"127.0.0.1\"]]"
assert_jq "20,000 names: $MISSING unresolved, each for NXDOMAIN" "$TP_OUT" \
  '[.endpoints[] | select(.host | startswith("nx"))] | [length, ([.[].status] | unique),
    ([.[] | select(.error == "cannot resolve '"'"'\(.host)'"'"': Domain name not found")] | length)]' \
  "[$MISSING,[\"unresolved\"],$MISSING]"
assert_jq "20,000 names: no timeout anywhere" "$TP_OUT" \
  '[.endpoints[] | select((.error // "") | test("timeout|no answer"; "i"))] | length' 0

# ---- a resolver that reads every query and never answers: "timeout", after the retries
# It binds a port of its own choosing and says which (a port picked beforehand may be taken
# in between by another socket on a busy machine): first line "port N", then one line per query.
python3 - >"$DNS_DIR/drop.log" 2>&1 <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("port", s.getsockname()[1], flush=True)
n = 0
while True:
    s.recv(4096)
    n += 1
    print(n, flush=True)
EOF
DROP_PID=$!
DROP_PORT=
for _ in $(seq 1 50); do
  DROP_PORT=$(awk '$1 == "port" { print $2; exit }' "$DNS_DIR/drop.log")
  [ -n "$DROP_PORT" ] && break
  sleep 0.1
done
TP_COMMON=(--timeout 1 --no-color)
TP_DEADLINE_S=60 tp drop --format json --resolver "127.0.0.1:$DROP_PORT" --probes versions \
  "a.sweep.test:$LAB_PORT_REFUSED" "b.sweep.test:$LAB_PORT_REFUSED" "c.sweep.test:$LAB_PORT_REFUSED"
assert_rc "dropping resolver: exit 3" 3
assert_jq "dropping resolver: every name unresolved for a timeout" "$TP_OUT" \
  '[.endpoints[] | [.status, .error]]' \
  '[["unresolved","cannot resolve '"'"'a.sweep.test'"'"': Timeout while contacting DNS servers"],
    ["unresolved","cannot resolve '"'"'b.sweep.test'"'"': Timeout while contacting DNS servers"],
    ["unresolved","cannot resolve '"'"'c.sweep.test'"'"': Timeout while contacting DNS servers"]]'
# Each name's address lookup (A and AAAA, two tries each) is asked again after a timeout: more
# than one lookup's queries (4 datagrams, and 2 for the HTTPS query) per name reached it.
queries() { awk '$1 != "port" { n = $1 } END { print n + 0 }' "$DNS_DIR/drop.log"; }
before=$(queries)
if [ "${before:-0}" -gt $((3 * (4 + 2))) ]; then
  ok "dropping resolver: lookups asked again after their timeouts ($before queries)"
else
  not_ok "dropping resolver: lookups asked again after their timeouts" "only ${before:-0} queries reached it"
fi

# A resolver that never answered anything is taken as down once a window's worth of names (40)
# has failed for good: the names not asked by then fail at once, with the reason, so a dead
# resolver costs a sweep about one lookup's retries, not one per name.
dead=()
for i in $(seq 1 300); do dead+=("dead$i.sweep.test:$LAB_PORT_REFUSED"); done
TP_DEADLINE_S=120 tp dead --format json --resolver "127.0.0.1:$DROP_PORT" --probes versions "${dead[@]}"
asked=$(( $(queries) - before ))
assert_jq "dead resolver: every name unresolved, for a timeout" "$TP_OUT" \
  '[.endpoints[] | select(.status == "unresolved" and (.error | contains("Timeout while contacting DNS servers")))] | length' 300
not_asked=$(jqc "$TP_OUT" '[.endpoints[] | select(.error | endswith("(not asked: the first 40 lookups got no answer at all)"))] | length')
if [[ "$not_asked" =~ ^[0-9]+$ ]] && [ "$not_asked" -gt 0 ] && [ "$asked" -lt $((300 * 3 * 4)) ]; then
  ok "dead resolver: $not_asked names not asked once 40 lookups failed ($asked queries in all)"
else
  not_ok "dead resolver: names not asked once 40 lookups failed" "not asked: $not_asked; queries: $asked"
fi

# A signal while names are being resolved stops at once (the resolver never answers: resolution
# alone would take the retries of every window), and the names are counted as not probed.
names=()
for i in $(seq 1 100); do names+=("stop$i.sweep.test:$LAB_PORT_REFUSED"); done
"$TLSPROBE" --timeout 5 --format json -o "$TEST_TMP/stopped.json" --resolver "127.0.0.1:$DROP_PORT" \
  --probes versions "${names[@]}" >/dev/null 2>"$TEST_TMP/stopped.err" &
stop_pid=$!
sleep 1
kill -INT "$stop_pid"
for _ in $(seq 1 50); do kill -0 "$stop_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$stop_pid" 2>/dev/null; then
  kill -KILL "$stop_pid"
  not_ok "SIGINT during resolution: the run ends within 5 s of it" "still resolving"
else
  ok "SIGINT during resolution: the run ends within 5 s of it"
fi
wait "$stop_pid"
assert_eq "SIGINT during resolution: exit 3" 3 $?
assert_jq "SIGINT during resolution: incomplete, every name not probed, none reported" "$TEST_TMP/stopped.json" \
  '[.incomplete, .summary.not_probed, .summary.endpoints, .targets]' '[true,100,0,100]'

# A resolver port where nothing listens: refused (ICMP port unreachable), asked again with the
# same backoff, then "Could not contact DNS servers", never NXDOMAIN or a made-up answer.
CLOSED_PORT=$(free_port)
TP_DEADLINE_S=60 tp closed --format json --resolver "127.0.0.1:$CLOSED_PORT" --probes versions \
  "a.sweep.test:$LAB_PORT_REFUSED" "b.sweep.test:$LAB_PORT_REFUSED"
assert_jq "closed resolver port: every name unresolved, refused" "$TP_OUT" '[.endpoints[] | [.status, .error]]' \
  '[["unresolved","cannot resolve '"'"'a.sweep.test'"'"': Could not contact DNS servers"],
    ["unresolved","cannot resolve '"'"'b.sweep.test'"'"': Could not contact DNS servers"]]'
