#!/usr/bin/env bash
# Bad input (issue 15): each case is a usage error (exit 2) with its exact message, found before
# any traffic. A listener of our own (on a free port) counts the connections it accepts, and
# every bad run names it as a target: it must see none, while one good run at the end must be
# seen (so the check can fail). Repeated targets are probed and reported once, with a warning.
. "$(dirname "$0")/../lib.sh"

# The listener binds a free port of its own and says which (the lab's ports are taken).
CONNS=$TEST_TMP/connections
PORTFILE=$TEST_TMP/port
: > "$CONNS"
python3 - "$PORTFILE" "$CONNS" <<'PY' &
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(sys.argv[1] + ".new", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".new", sys.argv[1])
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("connection\n")
    c.close()
PY
LISTENER=$!
trap 'kill "$LISTENER" 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$PORTFILE" ] && break; sleep 0.1; done
PORT=$(cat "$PORTFILE" 2>/dev/null)
if [ -z "$PORT" ]; then
  not_ok "the listener started" "no port"
  exit 0
fi
T="127.0.0.1:$PORT"

# bad LABEL EXPECTED_STDERR ARGS...: exit 2, exactly that stderr, nothing on stdout.
bad() {
  local label=$1 want=$2; shift 2
  tp "$label" "$@"
  assert_rc "$label: exit 2" 2
  assert_eq "$label: the message" "$want" "$(cat "$TP_ERR")"
  assert_eq "$label: nothing on stdout" "" "$(head -c 200 "$TP_OUT")"
}
# tv LABEL ARGS...: `tlsprobe validate ARGS`.
tv() {
  local label=$1; shift
  TP_OUT=$TEST_TMP/$label.out
  TP_ERR=$TEST_TMP/$label.err
  timeout -k 5 "$TP_DEADLINE_S" "$TLSPROBE" validate "$@" </dev/null >"$TP_OUT" 2>"$TP_ERR"
  TP_RC=$?
}
D=$TEST_TMP
cd "$D" || exit 1

# ---- NUL and control characters in YAML scalars (libyaml gives the length; C strings would cut)
printf 'targets:\n  - host: "127.0.0.1\\0.evil.example"\n    port: %s\n' "$PORT" > nul.yaml
bad nul-host "tlsprobe: nul.yaml:2:11: field 'host': '127.0.0.1\\0.evil.example' holds a NUL byte (\\0): a string would end there, so it is refused" -f nul.yaml
printf 'targets:\n  - "%s"\n  - host: 127.0.0.1\n    sni: "a\\0b"\n    tags: ["x\\e]0;title\\a", "y\\u202ez"]\n' "$T" > ctl.yaml
bad control-chars "tlsprobe: ctl.yaml:4:10: field 'sni': 'a\\0b' holds a NUL byte (\\0): a string would end there, so it is refused
tlsprobe: ctl.yaml:5:12: field 'tags': 'x\\x1b]0;title\\x07' holds a control character (0x1B): refused
tlsprobe: ctl.yaml:5:29: field 'tags': 'y\\u202ez' holds a control character (U+202E): refused" -f ctl.yaml
printf 'waivers:\n  - requirement: "12.1.1\\0x"\n    until: 2099-01-01\n    reason: test\n' > nul-policy.yaml
bad nul-policy "tlsprobe: nul-policy.yaml:2:18: field 'requirement': '12.1.1\\0x' holds a NUL byte (\\0): a string would end there, so it is refused" \
  --policy nul-policy.yaml "$T"
tv validate-nul nul.yaml
assert_rc "validate: NUL in a scalar, exit 2" 2
assert_file_contains "validate: NUL in a scalar, FILE:LINE:COLUMN" "$TP_ERR" "nul.yaml:2:11: field 'host': "

# ---- the shape and size of YAML files
python3 -c "print('targets: ' + '[' * 100000)" > deep.yaml
bad deep-nesting "tlsprobe: deep.yaml:1:73: nested deeper than 64 levels: refused" -f deep.yaml
printf 'targets: ["%s"]\n---\ntargets: ["127.0.0.2:1"]\n' "$T" > two-docs.yaml
bad two-documents "tlsprobe: two-docs.yaml:2:1: a second YAML document (---): one document per inventory" -f two-docs.yaml
python3 - > laughs.yaml <<'PY'
print('a: &a ["%s"]' % ','.join(['x'] * 10))
for i, n in enumerate('bcdefgh'):
    prev = 'abcdefgh'[i]
    print('%s: &%s [%s]' % (n, n, ','.join(['*' + prev] * 10)))
print('targets: ["127.0.0.1:1"]')
PY
bad alias-bomb "tlsprobe: laughs.yaml:8:8: more than 4000000 nodes (an alias counts what it repeats): refused" -f laughs.yaml
printf 'targets: [*nowhere]\n' > alias.yaml
bad undefined-alias "tlsprobe: alias.yaml:1:11: alias '*nowhere' names no anchor before it" -f alias.yaml
# Each alias is looked up among the anchors: past 100,000 of them the file is refused at once.
python3 -c "print('a: &a x'); print('targets:'); print('\n'.join(['  - *a'] * 100001))" > aliases.yaml
bad many-aliases "tlsprobe: aliases.yaml:100003:5: more than 100000 aliases (*name): refused" -f aliases.yaml
printf 'targets:\n  - "%s"\n  - host: \xff\xfe\n' "$T" > latin.yaml
bad not-utf8 "tlsprobe: latin.yaml:3:11: not YAML text: invalid leading UTF-8 octet (0xFF)" -f latin.yaml
mkdir -p dir.yaml
bad inventory-directory "tlsprobe: dir.yaml: cannot read inventory: Is a directory" -f dir.yaml
truncate -s 33M huge.yaml
bad huge-inventory "tlsprobe: huge.yaml: inventory larger than 32 MiB: not read" -f huge.yaml
rm -f huge.yaml
python3 -c "print('targets:\n  - host: 127.0.0.1\n    tags: [' + ','.join('t%d' % i for i in range(65)) + ']')" > tags.yaml
bad too-many-tags "tlsprobe: tags.yaml:3:11: field 'tags': 65 items: at most 64" -f tags.yaml

printf 'targets: ["%s"]\ndefaults:\n  port: 1\n  port: 2\ntargets: ["127.0.0.2:1"]\n' "$T" > twice.yaml
bad keys-twice "tlsprobe: twice.yaml:4:3: field 'port': given twice
tlsprobe: twice.yaml:5:1: field 'targets': given twice" -f twice.yaml

# ---- ports and hosts
printf 'targets:\n  - host: 127.0.0.1\n    port: 0\n  - host: 127.0.0.1\n    port: 65536\n  - host: ""\n  - ":443"\n' > ports.yaml
bad inventory-ports "tlsprobe: ports.yaml:3:11: field 'port': '0' is not a port number from 1 to 65535
tlsprobe: ports.yaml:5:11: field 'port': '65536' is not a port number from 1 to 65535
tlsprobe: ports.yaml:6:11: field 'host': expected a non-empty string
tlsprobe: ports.yaml:7:5: target ':443': '' is not a valid host name" -f ports.yaml
bad port-0 "tlsprobe: target '127.0.0.1:0': port '0' is not a number from 1 to 65535" 127.0.0.1:0
bad port-65536 "tlsprobe: target '127.0.0.1:65536': port '65536' is not a number from 1 to 65535" 127.0.0.1:65536
bad ipv6-ambiguous "tlsprobe: target '::1:443': ambiguous: write [::1]:443 for port 443, or [::1:443] for the address" "::1:443" "$T"
printf 'targets:\n  - host: "::1:443"\n    port: %s\n' "$PORT" > v6host.yaml
tv v6-host-field v6host.yaml
assert_rc "an IPv6 host field is not ambiguous (its port is a field): exit 0" 0
bad target-control "tlsprobe: target 'a\\x1b]0;x\\x07': holds a control character" "$(printf 'a\033]0;x\007')" "$T"
bad url-control "tlsprobe: target 'https://a.example/\\x1b[2J': holds a control character" "$(printf 'https://a.example/\033[2J')" "$T"

# ---- options
bad empty-sni "tlsprobe: --sni: an empty server name (leave it out to send none)" --sni "" "$T"
bad ip-sni "tlsprobe: --sni: '192.0.2.1' is not a host name (RFC 6066: no IP address)" --sni 192.0.2.1 "$T"
bad resolver-port "tlsprobe: --resolver: '127.0.0.1:99999' is not IP, IP:PORT or [IPv6]:PORT with a port from 1 to 65535" \
  --resolver 127.0.0.1:99999 "$T"
bad resolver-name "tlsprobe: --resolver: 'dns.example' is not IP, IP:PORT or [IPv6]:PORT with a port from 1 to 65535" \
  --resolver dns.example "$T"
bad empty-probes "tlsprobe: --probes: an empty list (name the probes to run, see --list-probes)" --probes "" "$T"
: > empty.pem
bad empty-ca-file "tlsprobe: --ca-file: cannot load trust anchors from empty.pem: no certificate or crl found" \
  --ca-file empty.pem "$T"
printf 'targets:\n  - host: 127.0.0.1\n    port: %s\n    ca: empty.pem\n' "$PORT" > ca.yaml
bad empty-ca-field "tlsprobe: ca.yaml:4:9: field 'ca': cannot load trust anchors from ./empty.pem: no certificate or crl found" -f ca.yaml
bad shard-control "tlsprobe: --shard: '1\\x1b[2J/2' is not K/N or env/N (K a number from 0 to N-1)" \
  --shard "$(printf '1\033[2J/2')" "$T"
X200=$(printf 'x%.0s' $(seq 200))
bad long-value "tlsprobe: --jobs: '$(printf 'x%.0s' $(seq 60))…' is not a number from 1 to 1024" --jobs "$X200" "$T"
bad long-target "tlsprobe: target '$(printf 'x%.0s' $(seq 60))…': '$(printf 'x%.0s' $(seq 60))…' is not a valid host name" \
  "$X200:1:2" "$T"

# ---- the output path, before any probing
bad output-missing-dir "tlsprobe: -o missing/dir/r.json: cannot write the report there: No such file or directory (nothing was done)" \
  -o missing/dir/r.json "$T"
bad output-empty "tlsprobe: -o : cannot write the report there: an empty file name (nothing was done)" -o "" "$T"
bad output-directory "tlsprobe: -o dir.yaml: cannot write the report there: is a directory (nothing was done)" -o dir.yaml "$T"
mkdir -p ro && chmod 555 ro
if [ "$(id -u)" -eq 0 ] && touch ro/probe 2>/dev/null; then
  rm -f ro/probe
  skip "output in a read-only directory" "root writes anywhere"
else
  bad output-readonly "tlsprobe: -o ro/r.json: cannot write the report there: Permission denied (nothing was done)" -o ro/r.json "$T"
fi
printf 'targets: ["%s"]\n' "$T" > inv.yaml
cp inv.yaml inv.copy
mkdir -p sub
bad output-is-inventory "tlsprobe: -o sub/../inv.yaml is the inventory ./inv.yaml: the report would replace it" \
  -f ./inv.yaml -o sub/../inv.yaml
ln -f inv.yaml hard.yaml
bad output-is-inventory-link "tlsprobe: -o hard.yaml is the inventory inv.yaml: the report would replace it" -f inv.yaml -o hard.yaml
assert_eq "the inventory is unchanged" "$(cat inv.copy)" "$(cat inv.yaml)"
printf 'waivers: []\n' > policy.yaml
bad output-is-policy "tlsprobe: -o ./policy.yaml is the policy policy.yaml: the report would replace it" \
  --policy policy.yaml -o ./policy.yaml "$T"
# ---- the other commands' -o: render and diff refuse to write over a report they read
printf '{"tool":"tlsprobe"}\n' > r.json
cp r.json r.copy
tr_sub() {   # tr_sub LABEL WANT ARGS...: a subcommand run, exit 2 and exactly that stderr
  local label=$1 want=$2; shift 2
  timeout -k 5 "$TP_DEADLINE_S" "$TLSPROBE" "$@" </dev/null >"$label.out" 2>"$label.err"
  TP_RC=$?
  assert_rc "$label: exit 2" 2
  assert_eq "$label: the message" "$want" "$(cat "$label.err")"
}
tr_sub render-over-input "tlsprobe: render: -o ./r.json is the report read r.json: the report would replace it" \
  render --format html -o ./r.json r.json
tr_sub diff-over-input "tlsprobe: diff: -o r.json is the new report ./r.json: the report would replace it" \
  diff other.json ./r.json -o r.json
assert_eq "render and diff left their input alone" "$(cat r.copy)" "$(cat r.json)"
tr_sub render-missing-dir "tlsprobe: render: -o no/such/r.html: cannot write the report there: No such file or directory (nothing was done)" \
  render --format html -o no/such/r.html r.json
tr_sub merge-missing-dir "tlsprobe: merge: -o no/such/m.json: cannot write the report there: No such file or directory (nothing was done)" \
  merge -o no/such/m.json r.json r.json

ls -a . sub missing 2>/dev/null | grep -F '.tmp.' > stray.txt
assert_eq "no temporary file left beside any output" "" "$(cat stray.txt)"

assert_eq "no bad run opened a connection" "" "$(cat "$CONNS")"

# ---- repeated targets: probed once, reported once, a warning naming both places
printf 'targets:\n  - "%s"\n  - host: 127.0.0.1\n    port: %s\n  - "127.0.0.2:%s"\n' "$T" "$PORT" "$PORT" > dup.yaml
tp duplicates --format json --probes versions "$T" -f dup.yaml
assert_rc "duplicates: exit 3 (the listener speaks no TLS)" 3
assert_jq "duplicates: one endpoint per identity, the first kept with its index" "$TP_OUT" \
  '[.endpoints[] | [.index, .origin]]' "[[0,\"command line\"],[3,\"dup.yaml:5\"]]"
assert_eq "duplicates: the warnings" \
  "tlsprobe: dup.yaml:2: warning: target '$T' repeats '$T' (command line): both are $T/sni=-/ip=-/service=-; probed and reported once
tlsprobe: dup.yaml:3: warning: target '$T' repeats '$T' (command line): both are $T/sni=-/ip=-/service=-; probed and reported once" \
  "$(grep warning "$TP_ERR")"
if [ -s "$CONNS" ]; then ok "a good run is seen by the listener (the check above can fail)"
else not_ok "a good run is seen by the listener" "no connection logged"; fi
tv validate-duplicates dup.yaml
assert_rc "validate: repeated targets are a warning, exit 0" 0
assert_eq "validate: the count line" "2 targets, 0 groups, 1 repeated target left out: ok" "$(cat "$TP_OUT")"
assert_eq "validate: the warning" \
  "dup.yaml:3: warning: target '$T' repeats '$T' (dup.yaml:2): both are $T/sni=-/ip=-/service=-; probed and reported once" \
  "$(cat "$TP_ERR")"
printf 'targets:\n  - "%s"\n  - host: 127.0.0.1\n    port: %s\n    tags: [other]\n' "$T" "$PORT" > dup-settings.yaml
tv validate-duplicate-settings dup-settings.yaml
assert_eq "validate: a target of the same id set up otherwise is kept, and said to share the id" \
  "dup-settings.yaml:3: warning: target '$T' has the report id of '$T' (dup-settings.yaml:2), $T/sni=-/ip=-/service=-, with other settings: both are probed, but --resume, diff and merge take endpoints of one id for one (a distinct sni or ip tells them apart)" \
  "$(cat "$TP_ERR")"
