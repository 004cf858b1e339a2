#!/usr/bin/env bash
# --format prometheus: node_exporter textfile metrics. Every line must parse as the Prometheus
# text exposition format (a strict parser below; also `promtool check metrics` when installed),
# values equal the JSON report's for known lab servers, a hostile SNI (quote, backslash,
# newline) is escaped in the labels, and -o leaves the complete file and nothing else.
. "$(dirname "$0")/../lib.sh"

NGINX="localhost:$LAB_PORT_NGINX"
EXPIRED="localhost:$LAB_PORT_EXPIRED"
LEGACY="localhost:$LAB_PORT_LEGACY"
SSLV3="localhost:$LAB_PORT_SSLV3"
REFUSED="localhost:$LAB_PORT_REFUSED"
TARGETS=("$NGINX" "$EXPIRED" "$LEGACY" "$SSLV3" "$REFUSED")

# prom_parse FILE: parses the text format strictly; prints the samples as JSON
# [[name, {labels}, value], ...] or "ERROR: line N: why".
PARSER=$TEST_TMP/prom_parse.py
cat > "$PARSER" <<'EOF'
import json, re, sys
NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
def fail(n, why):
    print("ERROR: line %d: %s" % (n, why)); sys.exit(0)
def value(n, s):
    if s in ("NaN", "+Inf", "-Inf"): return float(s)
    if not re.fullmatch(r'[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?', s): fail(n, "bad value %r" % s)
    return float(s)
def labels(n, s, i):
    out = {}
    i += 1
    while s[i] != '}':
        m = LABEL.match(s, i)
        if not m: fail(n, "bad label name at %d" % i)
        name, i = m.group(0), m.end()
        if s[i:i+2] != '="': fail(n, "expected =\" after label %s" % name)
        i += 2; v = []
        while s[i] != '"':
            if s[i] == '\\':
                esc = s[i+1]
                if esc not in '\\"n': fail(n, "bad escape \\%s" % esc)
                v.append({'\\': '\\', '"': '"', 'n': '\n'}[esc]); i += 2
            else:
                v.append(s[i]); i += 1
        i += 1
        if name in out: fail(n, "label %s twice" % name)
        out[name] = ''.join(v)
        if s[i] == ',': i += 1
        elif s[i] != '}': fail(n, "expected , or } at %d" % i)
    return out, i + 1
samples, seen_series, help_, type_, done, current = [], set(), {}, {}, set(), None
data = open(sys.argv[1], 'rb').read()
try: text = data.decode('utf-8')
except UnicodeDecodeError: fail(0, "not UTF-8")
if not text.endswith('\n'): fail(0, "no final newline")
for n, line in enumerate(text[:-1].split('\n'), 1):
    if line.startswith('#'):
        parts = line.split(' ', 3)
        if len(parts) >= 3 and parts[1] in ('HELP', 'TYPE'):
            name = parts[2]
            if not NAME.fullmatch(name): fail(n, "bad name in %s" % parts[1])
            table = help_ if parts[1] == 'HELP' else type_
            if name in table: fail(n, "second %s for %s" % (parts[1], name))
            if name in done or (current == name and parts[1] == 'TYPE' and any(s[0] == name for s in samples)):
                fail(n, "%s for %s after its samples" % (parts[1], name))
            if parts[1] == 'TYPE' and parts[3] not in ('counter', 'gauge', 'histogram', 'summary', 'untyped'):
                fail(n, "bad type %s" % parts[3])
            table[name] = parts[3] if len(parts) > 3 else ''
            if current != name and current is not None: done.add(current)
            current = name
        continue
    if line == '': fail(n, "empty line")
    m = NAME.match(line)
    if not m: fail(n, "bad metric name")
    name, i = m.group(0), m.end()
    if name != current:
        if current is not None: done.add(current)
        if name in done: fail(n, "samples of %s not together" % name)
        current = name
    lab = {}
    if i < len(line) and line[i] == '{': lab, i = labels(n, line, i)
    if line[i:i+1] != ' ': fail(n, "expected a space before the value")
    rest = line[i+1:].split(' ')
    if len(rest) > 2: fail(n, "trailing text")
    v = value(n, rest[0])
    key = (name, tuple(sorted(lab.items())))
    if key in seen_series: fail(n, "series twice: %s" % (key,))
    seen_series.add(key)
    if name not in type_: fail(n, "no TYPE before the samples of %s" % name)
    samples.append([name, lab, v])
print(json.dumps({"samples": samples, "help": help_, "type": type_}))
EOF

# prom FILE METRIC TARGET: the sample's value (as jq prints it), or "absent"; TARGET "" for a run metric.
prom() {
  jq -r --arg m "$2" --arg t "$3" '[.samples[] | select(.[0] == $m and (if $t == "" then .[1] == {} else .[1].target == $t end)) | .[2]]
    | if length == 0 then "absent" elif length == 1 then .[0] else "\(length) samples" end' "$1"
}

# ---- a scan of known lab servers, written with -o
OUTDIR=$TEST_TMP/textfile
mkdir -p "$OUTDIR"
echo "old content" > "$OUTDIR/tlsprobe.prom"
tp prom --format prometheus -o "$OUTDIR/tlsprobe.prom" --ca-file "$LAB_CA" "${TARGETS[@]}"
assert_rc "prometheus: exit 3 (a refused target)" 3
assert_eq "-o: the file replaced, nothing else left in the directory" "tlsprobe.prom" "$(ls -A "$OUTDIR" | tr '\n' ' ' | sed 's/ $//')"
python3 "$PARSER" "$OUTDIR/tlsprobe.prom" > "$TEST_TMP/prom.json"
if grep -q '^ERROR' "$TEST_TMP/prom.json"; then
  not_ok "every line parses as the text exposition format" "$(cat "$TEST_TMP/prom.json")"
else
  ok "every line parses as the text exposition format"
fi
P=$TEST_TMP/prom.json
assert_jq "HELP and TYPE for every family, all gauges, all prefixed tlsprobe_" "$P" \
  '[(.type | keys) == (.help | keys), ([.type[]] | unique), ([.type | keys[] | startswith("tlsprobe_")] | unique)]' \
  '[true,["gauge"],[true]]'
assert_jq "labels of every endpoint sample: id, target, address, port" "$P" \
  '[.samples[] | select(.[1] != {}) | .[1] | keys] | unique' '[["address","id","port","target"]]'

# promtool parses, then lints: its one objection is the unit of the days metric (the issue asks
# for days; the notAfter timestamp is the base-unit one). Anything else, a parse error above all, fails.
DAYS_LINT='tlsprobe_certificate_expiry_days use base unit "seconds" instead of "days"'
promtool_check() {
  local out
  out=$(promtool check metrics < "$2" 2>&1 | grep -vxF "$DAYS_LINT")
  if [ -z "$out" ]; then ok "$1"; else not_ok "$1" "$(oneline "$out")"; fi
}
if command -v promtool >/dev/null; then
  promtool_check "promtool check metrics" "$OUTDIR/tlsprobe.prom"
else
  skip "promtool check metrics" "promtool not installed (apt-get install prometheus)"
fi

# The same targets as JSON: the metrics must say what the report says.
tp json --format json --ca-file "$LAB_CA" "${TARGETS[@]}"
J=$TP_OUT
days() { jqc "$J" "$(ep "$1").facts.certificate.days_to_expiry"; }
assert_eq "nginx: up, grade A- = 7, lowest TLSv1.2 = 771, 0 failed, 0 warnings" "1 7 771 0 0 A-" \
  "$(for m in endpoint_up grade lowest_version failed_requirements warnings; do prom "$P" "tlsprobe_$m" "$NGINX"; done | tr '\n' ' ')$(jqc "$J" "$(ep "$NGINX").grade.grade" -r)"
assert_eq "nginx: days to expiry as in the report" "$(days "$NGINX")" "$(prom "$P" tlsprobe_certificate_expiry_days "$NGINX")"
assert_eq "nginx: notAfter as the certificate says" "$(date -u -d "$(cert_date "$LAB_PKI/good.pem" notAfter)" +%s)" \
  "$(prom "$P" tlsprobe_certificate_not_after_timestamp_seconds "$NGINX")"
got=$(prom "$P" tlsprobe_certificate_expiry_days "$EXPIRED")
assert_eq "expired: days negative, as in the report" "$(days "$EXPIRED") true" "$got $([ "$got" -lt 0 ] 2>/dev/null && echo true)"
assert_eq "expired: notAfter 2021-01-01, grade T = 1" "1609459200 1" \
  "$(prom "$P" tlsprobe_certificate_not_after_timestamp_seconds "$EXPIRED") $(prom "$P" tlsprobe_grade "$EXPIRED")"
assert_eq "expired: failing requirements as in the report" \
  "$(jqc "$J" "[$(ep "$EXPIRED").verdicts[] | select(.result == \"FAIL\")] | length")" \
  "$(prom "$P" tlsprobe_failed_requirements "$EXPIRED")"
assert_eq "legacy: lowest TLSv1.0 = 769; sslv3: lowest SSLv3 = 768" "769 768" \
  "$(prom "$P" tlsprobe_lowest_version "$LEGACY") $(prom "$P" tlsprobe_lowest_version "$SSLV3")"
assert_eq "refused: up 0; no expiry, grade or version (unknown is absent, never 0)" "0 absent absent absent absent" \
  "$(for m in endpoint_up certificate_expiry_days certificate_not_after_timestamp_seconds grade lowest_version; do prom "$P" "tlsprobe_$m" "$REFUSED"; done | tr '\n' ' ' | sed 's/ $//')"
run=$(for m in endpoints failed errors warnings; do prom "$P" "tlsprobe_run_$m" ""; done | tr '\n' ' ' | sed 's/ $//')
assert_eq "run: endpoints, failed, errors, warnings as the summary" \
  "$(jqc "$J" '.summary | "\(.endpoints) \(.failed) \(.errors) \(.warnings)"' -r)" "$run"
ts=$(prom "$P" tlsprobe_run_last_timestamp_seconds "")
dur=$(prom "$P" tlsprobe_run_duration_seconds "")
assert_eq "run: a timestamp within the test's run and a duration >= 0" "true" \
  "$(jq -n --argjson ts "$ts" --argjson d "$dur" --argjson now "$(date +%s)" '$ts <= $now and $ts > $now - 600 and $d >= 0' 2>&1)"

# ---- warnings counted
tp prom-warn --format prometheus --ca-file "$LAB_CA" --expiry-warn 400 "$NGINX"
python3 "$PARSER" "$TP_OUT" > "$TEST_TMP/warn.json"
assert_eq "--expiry-warn 400: the good leaf (364 days) is a warning" "1 1" \
  "$(prom "$TEST_TMP/warn.json" tlsprobe_warnings "$NGINX") $(prom "$TEST_TMP/warn.json" tlsprobe_run_warnings "")"

# ---- a hostile id (quote, backslash, newline: a saved report may hold anything; a target with
# them is refused as bad input) is escaped in the id label: the newline in the text form (\x0a,
# man/tlsprobe.1 SERVER TEXT IN REPORTS), then \ and " as the format says
HOSTILE_ID=$'localhost:'"$LAB_PORT_NGINX"$'/sni=we"ird\\name\nx/ip=-/service=-'
jq --arg t "$NGINX" --arg id "$HOSTILE_ID" '.endpoints |= map(select(.target == $t)) | .endpoints[0].id = $id' "$J" \
  >"$TEST_TMP/hostile-report.json"
"$TLSPROBE" render --format prometheus "$TEST_TMP/hostile-report.json" >"$TEST_TMP/hostile.out" 2>&1
assert_file_contains "hostile: the label escaped as the format says" "$TEST_TMP/hostile.out" \
  "tlsprobe_endpoint_up{id=\"localhost:$LAB_PORT_NGINX/sni=we\\\"ird\\\\name\\\\x0ax/ip=-/service=-\",target=\"localhost:$LAB_PORT_NGINX\""
python3 "$PARSER" "$TEST_TMP/hostile.out" > "$TEST_TMP/hostile.json"
assert_eq "hostile: the parsed id label is the report's id, its newline shown as \\x0a" \
  "$(jq -c '[.endpoints[0].id | gsub("\n"; "\\x0a")]' "$TEST_TMP/hostile-report.json")" \
  "$(jq -c '[.samples[] | select(.[0] == "tlsprobe_endpoint_up") | .[1].id]' "$TEST_TMP/hostile.json" 2>&1)"
command -v promtool >/dev/null && promtool_check "hostile: promtool check metrics" "$TEST_TMP/hostile.out"

# ---- tlsprobe render of a saved JSON report: the same metrics; times and durations are the report's
"$TLSPROBE" render --format prometheus "$J" > "$TEST_TMP/render.prom" 2>&1
python3 "$PARSER" "$TEST_TMP/render.prom" > "$TEST_TMP/render.json"
R=$TEST_TMP/render.json
assert_eq "render: run timestamp and duration from finished_at and started_at" \
  "$(jq -r '[(.finished_at | fromdate), (.finished_at | fromdate) - (.started_at | fromdate)] | map(tostring) | join(" ")' "$J")" \
  "$(prom "$R" tlsprobe_run_last_timestamp_seconds "") $(prom "$R" tlsprobe_run_duration_seconds "")"
assert_eq "render: probe duration is duration_ms in seconds" "$(jq "$(ep "$NGINX").duration_ms / 1000" "$J")" \
  "$(prom "$R" tlsprobe_probe_duration_seconds "$NGINX")"
assert_eq "render: the same samples from the JSON report" \
  "$(jq -c '[.samples[] | select(.[0] | startswith("tlsprobe_run_") | not) | select(.[0] != "tlsprobe_probe_duration_seconds")] | sort' "$TEST_TMP/render.json")" \
  "$(jq -c '[.samples[] | select(.[0] | startswith("tlsprobe_run_") | not) | select(.[0] != "tlsprobe_probe_duration_seconds")] | sort' "$P")"

# ---- label values must be UTF-8: an id (from a saved report) that is not has its byte shown as \xff
jq --arg t "$NGINX" '.endpoints |= map(select(.target == $t)) | .endpoints[0].id = "'"$NGINX"'/sni=badXFFutf/ip=-/service=-"' "$J" |
  sed 's/XFF/\xff/' >"$TEST_TMP/badutf8-report.json"
"$TLSPROBE" render --format prometheus "$TEST_TMP/badutf8-report.json" >"$TEST_TMP/badutf8.prom" 2>&1
python3 "$PARSER" "$TEST_TMP/badutf8.prom" > "$TEST_TMP/badutf8.json"
assert_jq "invalid UTF-8 in a label is shown as \\xHH" "$TEST_TMP/badutf8.json" \
  '[.samples[] | select(.[0] == "tlsprobe_endpoint_up") | .[1].id]' "[\"$NGINX/sni=bad\\\\xffutf/ip=-/service=-\"]"
