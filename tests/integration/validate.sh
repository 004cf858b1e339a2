#!/usr/bin/env bash
# `tlsprobe validate`: every inventory error at once (FILE:LINE:COLUMN, one per line, in the
# file's order), exit 2; a count and exit 0 for a valid file; no DNS and no socket. The sweep
# reports the same errors before anything is resolved.
. "$(dirname "$0")/../lib.sh"

ROOT=$TESTS_DIR/..
# tv LABEL ARGS...: `tlsprobe validate ARGS` (a subcommand: no TP_COMMON options before it).
tv() {
  local label=$1; shift
  TP_OUT=$TEST_TMP/$label.out
  TP_ERR=$TEST_TMP/$label.err
  TP_CMD="tlsprobe validate $*"
  timeout -k 5 "$TP_DEADLINE_S" "$TLSPROBE" validate "$@" </dev/null >"$TP_OUT" 2>"$TP_ERR"
  TP_RC=$?
}
# ---- the shipped example is valid once the files it names exist beside it
EX=$TEST_TMP/example
mkdir -p "$EX"
cp "$ROOT/targets.example.yaml" "$EX/"
cp "$LAB_CA" "$EX/internal-root.pem"
cp "$LAB_CA" "$EX/client.pem"
cp "$LAB_CA" "$EX/client.key"
cp "$LAB_DIR/ech/accept.ecl.b64" "$EX/ech.ecl"
want_targets=$(python3 -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
print(len(d["targets"]) + sum(len(g["targets"]) for g in d["groups"]))' "$EX/targets.example.yaml" 2>/dev/null)
tv validate-example "$EX/targets.example.yaml"
assert_rc "validate targets.example.yaml: exit 0" 0
if [ -n "$want_targets" ]; then
  assert_eq "validate targets.example.yaml: the count line" "$want_targets targets, 2 groups: ok" "$(cat "$TP_OUT")"
else
  assert_file_contains "validate targets.example.yaml: the count line" "$TP_OUT" " targets, 2 groups: ok"
fi
assert_eq "validate targets.example.yaml: nothing on stderr" "" "$(cat "$TP_ERR")"

# (LeakSanitizer cannot run under ptrace: an ASan build is traced with leak checks off.)
# ---- no DNS, no traffic: not one socket is opened (strace), though every name is unresolvable
if command -v strace >/dev/null; then
  NET=$TEST_TMP/net.yaml
  printf 'targets:\n  - "a.invalid"\n  - host: b.invalid\n    port: 8443\n' > "$NET"
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=socket,connect -o "$TEST_TMP/strace.out" "$TLSPROBE" validate "$NET" > "$TEST_TMP/net.out"
  assert_eq "validate: exit 0 and the count for unresolvable names" "2 targets, 0 groups: ok" "$(cat "$TEST_TMP/net.out")"
  assert_eq "validate: no socket opened (strace)" "" "$(grep -E 'socket\(|connect\(' "$TEST_TMP/strace.out")"
  # The same tracing sees the sweep's sockets: the check above could fail.
  strace -f -qq -e trace=socket -o "$TEST_TMP/strace2.out" "$TLSPROBE" --timeout 1 --probes versions \
    "127.0.0.1:$LAB_PORT_REFUSED" > /dev/null 2>&1
  if grep -q 'socket(' "$TEST_TMP/strace2.out"; then ok "strace sees a sweep's sockets"
  else not_ok "strace sees a sweep's sockets" "$(oneline "$(head -5 "$TEST_TMP/strace2.out")")"; fi
else
  skip "validate: no socket opened" "strace not installed"
fi

# ---- every error at once
BAD=$TEST_TMP/bad.yaml
cat > "$BAD" <<'EOF2'
defaults:
  port: 0
  tags: [ok, ""]
groups:
  - name: payments
    defaults: {port: 8443, colour: red}
    targets:
      - host: pay.example
        port: x
        hots: y
      - "pay2.example:0"
  - name: payments
    targets: [ok.example]
  - targets: []
targets:
  - host: a:5
    ip: nope
    mtls: maybe
  - port: 5
  - host: c.example
    ca: no-such.pem
bogus: 1
EOF2
WANT=$TEST_TMP/bad.want
cat > "$WANT" <<EOF2
$BAD:2:9: field 'port': '0' is not a port number from 1 to 65535
$BAD:3:14: field 'tags': expected a non-empty string
$BAD:6:28: field 'colour': unknown field in defaults (known: port, ca, tags, exposure)
$BAD:9:15: field 'port': 'x' is not a port number from 1 to 65535
$BAD:10:9: field 'hots': unknown field (known: host, port, sni, ip, tags, ca, pin-sha256, starttls, http_port, client_cert, client_key, exposure, mtls, ech_config_list)
$BAD:11:9: target 'pay2.example:0': port '0' is not a number from 1 to 65535
$BAD:12:11: field 'name': a second group named 'payments'
$BAD:14:5: field 'name': missing (every group needs a name)
$BAD:16:11: field 'host': 'a:5' is not a host name or address (put the port in 'port')
$BAD:17:9: field 'ip': 'nope' is not an IPv4 or IPv6 address
$BAD:18:11: field 'mtls': 'maybe' is not 'required' or 'none'
$BAD:19:5: field 'host': missing (every target needs a host)
$BAD:21:9: field 'ca': cannot read '$TEST_TMP/no-such.pem': No such file or directory
$BAD:22:1: field 'bogus': unknown top-level field (known: defaults, groups, targets)
EOF2
tv validate-bad "$BAD"
assert_rc "validate: exit 2 on errors" 2
assert_eq "validate: all 14 errors, one per line, in the file's order" "$(cat "$WANT")" "$(cat "$TP_ERR")"
assert_eq "validate: nothing on stdout when there are errors" "" "$(cat "$TP_OUT")"

# Two files: both read, each error under its own name.
tv validate-two "$BAD" "$EX/targets.example.yaml"
assert_rc "validate two files, one bad: exit 2" 2
assert_eq "validate two files: the bad one's 14 errors" "14" "$(grep -c "^$BAD:" "$TP_ERR")"

# The sweep reads with the same loader: the same lines after "tlsprobe: ", exit 2, no report.
tp validate-sweep --format json -f "$BAD"
assert_rc "sweep over the bad inventory: exit 2" 2
assert_eq "sweep: the same errors, all of them" "$(sed 's/^/tlsprobe: /' "$WANT")" "$(cat "$TP_ERR")"
assert_eq "sweep: no report" "" "$(cat "$TP_OUT")"

# A syntax error ends the reading of that file (libyaml has no document to go on with).
printf 'targets:\n  - host: a\n    tags: [a, b\n' > "$TEST_TMP/syntax.yaml"
tv validate-syntax "$TEST_TMP/syntax.yaml"
assert_rc "validate: syntax error, exit 2" 2
assert_eq "validate: syntax error at FILE:LINE:COLUMN" \
  "$TEST_TMP/syntax.yaml:4:1: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence" \
  "$(cat "$TP_ERR")"

# ---- --policy: the waiver file too
POL=$TEST_TMP/policy.yaml
printf 'waivers:\n  - requirement: "12.1.1"\n    target: a.invalid\n    until: 2099-01-01\n    reason: test\n' > "$POL"
tv validate-policy --policy "$POL" "$EX/targets.example.yaml"
assert_rc "validate --policy: exit 0" 0
assert_file_contains "validate --policy: counts the waivers" "$TP_OUT" "2 groups, 1 waiver: ok"
printf 'waivers:\n  - requirement: "12.1.1"\n    until: someday\n' > "$TEST_TMP/badpolicy.yaml"
tv validate-badpolicy --policy "$TEST_TMP/badpolicy.yaml" "$EX/targets.example.yaml"
assert_rc "validate --policy with a bad policy: exit 2" 2
assert_file_contains "validate --policy: names the policy file" "$TP_ERR" "$TEST_TMP/badpolicy.yaml:"

tv validate-usage
assert_rc "validate without a file: exit 2" 2
assert_file_contains "validate without a file: usage" "$TP_ERR" "usage: tlsprobe validate"
