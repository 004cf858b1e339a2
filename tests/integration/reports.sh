#!/usr/bin/env bash
# Report formats, each read back by a real reader: JSON by a JSON Schema validator, JSONL by jq
# line by line (also from a parallel sweep), CSV by python3's csv module, JUnit XML by xmllint
# against tests/schema/junit.xsd, HTML by headless Chromium (the rendered DOM is inspected).
# Every format must say what the JSON report of the same servers says.
. "$(dirname "$0")/../lib.sh"

NGINX="localhost:$LAB_PORT_NGINX"
LEGACY="localhost:$LAB_PORT_LEGACY"
EXPIRED="localhost:$LAB_PORT_EXPIRED"
REFUSED="localhost:$LAB_PORT_REFUSED"
TARGETS=("$NGINX" "$LEGACY" "$EXPIRED" "$REFUSED")
PY=python3

# Tags are copied into reports verbatim, so an inventory can put hostile text in every format:
# formula starters for CSV, markup for JUnit and HTML. A control character is refused in an
# inventory (bad input), so hostile_report adds one to a saved report, which `tlsprobe render`
# then writes in each format: a report read back may hold anything.
INV=$TEST_TMP/hostile.yaml
cat >"$INV" <<EOF
targets:
  - host: localhost
    port: $LAB_PORT_NGINX
    tags: ["=1+1", "<b id=\"injected\">x</b>", "ab&c'd\"e"]
  - host: localhost
    port: $LAB_PORT_LEGACY
    tags: ["-2+3", "@SUM(A1)"]
EOF

# ---- JSON: the reference every other format is compared with
tp json --format json --ca-file "$LAB_CA" -o "$TEST_TMP/ref.json" "${TARGETS[@]}"
REF=$TEST_TMP/ref.json
assert_valid_json "json: the report validates against schema/tlsprobe-report.schema.json" "$REF"
assert_jq "json: one endpoint per target, in order" "$REF" '[.endpoints[].target]' \
  "$(printf '%s\n' "${TARGETS[@]}" | jq -R . | jq -sc .)"
assert_jq "json: lab verdicts (nginx 12.1.1 PASS, legacy 12.1.1 FAIL, expired 12.2.2 FAIL, refused unreachable)" "$REF" \
  "[($(ep "$NGINX") | $(verdict 12.1.1)), ($(ep "$LEGACY") | $(verdict 12.1.1)), ($(ep "$EXPIRED") | $(verdict 12.2.2)), ($(ep "$REFUSED") | .status)]" \
  '["PASS","FAIL","FAIL","unreachable"]'
# target, requirement, result for every verdict (an endpoint without verdicts: requirement "")
jq -r '.endpoints[] | . as $e | (if (.verdicts | length) == 0 then [{id: "", result: .result}] else .verdicts end)[]
       | [$e.target, .id, .result] | @tsv' "$REF" | sort >"$TEST_TMP/ref.cells"
NCELLS=$(wc -l <"$TEST_TMP/ref.cells")
REQ_IDS=$(jq -r '[.endpoints[].verdicts[].id] | unique[]' "$REF")
if [ "$NCELLS" -ge 4 ] && [ -n "$REQ_IDS" ]; then ok "json: $NCELLS target x requirement cells"; else not_ok "json: target x requirement cells" "only $NCELLS"; fi

# The schema rejects what it must: it is not a schema that accepts everything.
SCHEMA_PY=$(schema_python || echo python3)
if py_out=$($SCHEMA_PY - "$REPORT_SCHEMA" "$REF" 2>&1 <<'EOF'
import copy, json, sys
import jsonschema
schema, doc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
v = jsonschema.Draft202012Validator(schema)
ok_ep = next(i for i, e in enumerate(doc["endpoints"]) if e["status"] == "ok")
def drop(path):
    def f(d):
        o = d
        for k in path[:-1]:
            o = o[k]
        del o[path[-1]]
    return f
cases = {
    "no summary": drop(["summary"]),
    "no verdict result": drop(["endpoints", ok_ep, "verdicts", 0, "result"]),
    "no versions.protocols": drop(["endpoints", ok_ep, "facts", "versions", "protocols"]),
    "no certificate sha256": drop(["endpoints", ok_ep, "facts", "certificate", "chain", 0, "sha256"]),
    "no trust.verified": drop(["endpoints", ok_ep, "facts", "certificate", "trust", "verified"]),
    "port as string": lambda d: d["endpoints"][ok_ep].update(port="443"),
    "unknown verdict result": lambda d: d["endpoints"][ok_ep]["verdicts"][0].update(result="MAYBE"),
}
missed = [name for name, f in cases.items() if not list(v.iter_errors((lambda d: (f(d), d)[1])(copy.deepcopy(doc))))]
# And accepts what a minor version may add.
d = copy.deepcopy(doc)
d["endpoints"][ok_ep]["grade"] = "A"
d["endpoints"][ok_ep]["facts"]["newprobe"] = {"status": "ok", "duration_ms": 1, "x": 1}
d["endpoints"][ok_ep]["verdicts"][0].update(cwe=326, waiver={"reason": "r", "until": "2030-01-01"}, result="WAIVED")
rejected = [e.message for e in v.iter_errors(d)]
print("missed: %s; rejected additions: %s" % (missed, rejected[:2]))
sys.exit(1 if missed or rejected else 0)
EOF
); then ok "json schema: rejects missing or mistyped members, accepts additions"; else not_ok "json schema: rejects missing or mistyped members, accepts additions" "$(oneline "$py_out")"; fi

# ---- JSONL: a run line, one line per endpoint, a summary line; every line complete JSON
check_jsonl() {   # check_jsonl LABEL FILE N_ENDPOINTS
  local label=$1 file=$2 n=$3 types
  # -R: each line is parsed on its own, so a line broken in two cannot pass as one value.
  types=$(jq -R -r 'try (fromjson | .type) catch "BROKEN"' "$file" 2>&1 | tr '\n' ' ')
  local want="run $(yes endpoint | head -n "$n" | tr '\n' ' ')summary "
  assert_eq "$label: every line is JSON; run, $n endpoints, summary" "$want" "$types"
  assert_eq "$label: $((n + 2)) lines" "$((n + 2))" "$(wc -l <"$file" | tr -d ' ')"
  if [ -s "$file" ] && [ "$(tail -c1 "$file" | od -An -c | tr -d ' ')" = '\n' ]; then
    ok "$label: newline-terminated"
  else
    not_ok "$label: newline-terminated" "last byte: $(tail -c1 "$file" | od -An -c)"
  fi
}
tp jsonl --format jsonl --ca-file "$LAB_CA" "${TARGETS[@]}"
check_jsonl "jsonl (stdout)" "$TP_OUT" 4
assert_jq "jsonl: run line has the schema and tool" "$TP_OUT" \
  'select(.type == "run") | [.schema, .schema_version, .tool.name, (.started_at | test("Z$"))]' \
  "[\"tlsprobe-report\",\"$REPORT_VERSION\",\"tlsprobe\",true]"
assert_jq "jsonl: summary line counts and exit status" "$TP_OUT" \
  "select(.type == \"summary\") | [.endpoints, .unreachable, .exit_status == $TP_RC]" '[4,1,true]'
jq -r 'select(.type == "endpoint") | . as $e | (if (.verdicts | length) == 0 then [{id: "", result: .result}] else .verdicts end)[]
       | [$e.target, .id, .result] | @tsv' "$TP_OUT" | sort >"$TEST_TMP/jsonl.cells"
assert_eq "jsonl: endpoint lines say what the JSON report says" "" "$(diff "$TEST_TMP/ref.cells" "$TEST_TMP/jsonl.cells" | head -5)"
assert_jq "jsonl: endpoint lines have the document's endpoint members" "$TP_OUT" \
  '[.[] | select(.type == "endpoint") | del(.type) | keys] | unique' "$(jq -c '[.endpoints[] | keys] | unique' "$REF")" -s

# -o: written atomically (nothing else left in the directory), same lines.
mkdir -p "$TEST_TMP/jsonl-out"
tp jsonl-file --format jsonl --ca-file "$LAB_CA" -o "$TEST_TMP/jsonl-out/r.jsonl" "${TARGETS[@]}"
check_jsonl "jsonl -o" "$TEST_TMP/jsonl-out/r.jsonl" 4
assert_eq "jsonl -o: only the report in the directory, nothing on stdout" "r.jsonl|" \
  "$(ls -A "$TEST_TMP/jsonl-out" | tr '\n' ' ' | sed 's/ $//')|$(head -c 100 "$TP_OUT")"

# A parallel sweep: 30 endpoints, 16 jobs, lines written as endpoints finish.
SWEEP=()
for port in "$LAB_PORT_NGINX" "$LAB_PORT_LEGACY" "$LAB_PORT_EXPIRED" "$LAB_PORT_TLS12" "$LAB_PORT_TLS13" \
            "$LAB_PORT_GNUTLS" "$LAB_PORT_CIPHERS12" "$LAB_PORT_CIPHERS13"; do
  SWEEP+=("localhost:$port" "127.0.0.1:$port" "https://localhost:$port/")
done
SWEEP+=("localhost:$LAB_PORT_REFUSED" "127.0.0.1:$LAB_PORT_REFUSED" "[::1]:$LAB_PORT_REFUSED"
        "https://localhost:$LAB_PORT_REFUSED/" "localhost:$LAB_PORT_SELFSIGNED" "127.0.0.1:$LAB_PORT_WRONGNAME")
tp jsonl-sweep --format jsonl --jobs 16 --ca-file "$LAB_CA" "${SWEEP[@]}"
check_jsonl "jsonl sweep (${#SWEEP[@]} endpoints, --jobs 16)" "$TP_OUT" "${#SWEEP[@]}"
assert_eq "jsonl sweep: each target exactly once" \
  "$(printf '%s\n' "${SWEEP[@]}" | sort | tr '\n' ' ')" \
  "$(jq -R -r 'try (fromjson | select(.type == "endpoint") | .target) catch "BROKEN"' "$TP_OUT" | sort | tr '\n' ' ')"
assert_jq "jsonl sweep: summary counts ${#SWEEP[@]} endpoints, 4 unreachable" "$TP_OUT" \
  'select(.type == "summary") | [.endpoints, .unreachable]' "[${#SWEEP[@]},4]"

# ---- CSV: python3's csv module reads what the JSON says, one row per target x requirement
tp csv --format csv --ca-file "$LAB_CA" -o "$TEST_TMP/r.csv" "${TARGETS[@]}"
assert_rc "csv: exit status as with json" "$(jq .summary.exit_status "$REF")"
if py_out=$($PY - "$TEST_TMP/r.csv" "$REF" 2>&1 <<'EOF'
import csv, json, sys
raw = open(sys.argv[1], newline="").read()
doc = json.load(open(sys.argv[2]))
problems = []
if not raw.endswith("\r\n") or "\n" in raw.replace("\r\n", ""):
    problems.append("records are not CRLF-terminated")
rows = list(csv.reader(raw.splitlines(True)))
head = ["target", "host", "port", "address", "service", "tags", "endpoint_status", "requirement",
        "standard", "level", "result", "evidence"]
if rows[0][:12] != head:
    problems.append("header %r" % rows[0])
recs = [dict(zip(rows[0], r)) for r in rows[1:]]
if any(len(r) != len(rows[0]) for r in rows):
    problems.append("rows of different widths")
want = {}
for e in doc["endpoints"]:
    for v in e["verdicts"] or [{"id": "", "result": e["result"], "evidence": e["error"] or ""}]:
        want[(e["target"], v["id"])] = (v["result"], v["evidence"], e["status"], str(e["port"]))
got = {(r["target"], r["requirement"]): (r["result"], r["evidence"], r["endpoint_status"], r["port"]) for r in recs}
if len(recs) != len(want):
    problems.append("%d rows, want %d" % (len(recs), len(want)))
for k in want:
    if got.get(k) != want[k]:
        problems.append("%s: got %r, want %r" % (k, got.get(k), want[k]))
commas = [v for v in want.values() if "," in v[1]]
if not commas:
    problems.append("no evidence with a comma to check quoting with")
print("; ".join(problems[:4]) or "%d rows match; %d evidences with commas survived" % (len(recs), len(commas)))
sys.exit(1 if problems else 0)
EOF
); then ok "csv: $(oneline "$py_out")"; else not_ok "csv: rows match the JSON report" "$(oneline "$py_out")"; fi

tp hostile-json --format json --ca-file "$LAB_CA" -o "$TEST_TMP/hostile-scan.json" -f "$INV"
jq '.endpoints[0].tags[2] = "a\u0001b&c'"'"'d\"e"' "$TEST_TMP/hostile-scan.json" >"$TEST_TMP/hostile-report.json"
# hostile_render FORMAT OUT: the hostile report rendered in FORMAT.
hostile_render() { "$TLSPROBE" render --format "$1" -o "$2" "$TEST_TMP/hostile-report.json" 2>"$TEST_TMP/render-$1.err"; }
hostile_render csv "$TEST_TMP/hostile.csv"
if py_out=$($PY - "$TEST_TMP/hostile.csv" 2>&1 <<'EOF'
import csv, sys
recs = list(csv.DictReader(open(sys.argv[1], newline="")))
tags = sorted({r["tags"] for r in recs})
# The control character in its text form (\x01: man/tlsprobe.1 SERVER TEXT IN REPORTS).
want = sorted(["'=1+1;<b id=\"injected\">x</b>;a\\x01b&c'd\"e", "'-2+3;@SUM(A1)"])
bad = [c for r in recs for c in r.values() if c[:1] in ("=", "+", "-", "@")]
print("tags %r; formula cells %r" % (tags, bad[:3]))
sys.exit(0 if tags == want and not bad else 1)
EOF
); then ok "csv: cells starting with = + - @ are defused with a quote, quotes doubled"; else not_ok "csv: formula cells defused" "$(oneline "$py_out")"; fi

# ---- JUnit XML: valid against the schema, counts match the JSON report
tp junit --format junit --ca-file "$LAB_CA" -o "$TEST_TMP/r.xml" "${TARGETS[@]}"
XSD=$TESTS_DIR/schema/junit.xsd
if out=$(xmllint --noout --schema "$XSD" "$TEST_TMP/r.xml" 2>&1); then ok "junit: validates against tests/schema/junit.xsd"; else not_ok "junit: validates against tests/schema/junit.xsd" "$(oneline "$out")"; fi
xp() { xmllint --xpath "$1" "$2" 2>&1; }
count_result() { jq "[.endpoints[] | if (.verdicts | length) == 0 then {result: (if .status == \"ok\" then \"PASS\" else \"ERROR\" end)} else .verdicts[] end | select($1)] | length" "$REF"; }
WANT_TESTS=$(count_result true)
WANT_FAIL=$(count_result '.result == "FAIL"')
WANT_ERR=$(count_result '.result == "ERROR"')
WANT_SKIP=$(count_result '.result != "PASS" and .result != "FAIL" and .result != "ERROR"')
assert_eq "junit: testsuites totals (tests failures errors skipped) = JSON verdicts" \
  "$WANT_TESTS $WANT_FAIL $WANT_ERR $WANT_SKIP" \
  "$(xp 'string(/testsuites/@tests)' "$TEST_TMP/r.xml") $(xp 'string(/testsuites/@failures)' "$TEST_TMP/r.xml") $(xp 'string(/testsuites/@errors)' "$TEST_TMP/r.xml") $(xp 'string(/testsuites/@skipped)' "$TEST_TMP/r.xml")"
assert_eq "junit: testcase elements: all, with <failure>, <error>, <skipped>" \
  "$WANT_TESTS $WANT_FAIL $WANT_ERR $WANT_SKIP" \
  "$(xp 'count(//testcase)' "$TEST_TMP/r.xml") $(xp 'count(//testcase[failure])' "$TEST_TMP/r.xml") $(xp 'count(//testcase[error])' "$TEST_TMP/r.xml") $(xp 'count(//testcase[skipped])' "$TEST_TMP/r.xml")"
assert_eq "junit: one testsuite per endpoint, named by target" "$(printf '%s ' "${TARGETS[@]}")" \
  "$(for i in 1 2 3 4; do printf '%s ' "$(xp "string(/testsuites/testsuite[$i]/@name)" "$TEST_TMP/r.xml")"; done)"
assert_eq "junit: testcase classname and name (tlsprobe.<target>, '<id> <title>')" \
  "tlsprobe.$LEGACY|$(jq -r "$(ep "$LEGACY") | .verdicts[0] | \"\(.id) \(.title)\"" "$REF")" \
  "$(xp "string(/testsuites/testsuite[2]/testcase[1]/@classname)" "$TEST_TMP/r.xml")|$(xp "string(/testsuites/testsuite[2]/testcase[1]/@name)" "$TEST_TMP/r.xml")"
assert_eq "junit: legacy 12.1.1 failure message is the evidence" \
  "$(jq -r "$(ep "$LEGACY") | .verdicts[] | select(.id == \"12.1.1\") | .evidence" "$REF")" \
  "$(xp "string(/testsuites/testsuite[2]/testcase[starts-with(@name, '12.1.1 ')]/failure/@message)" "$TEST_TMP/r.xml")"

hostile_render junit "$TEST_TMP/hostile.xml"
if out=$(xmllint --noout --schema "$XSD" "$TEST_TMP/hostile.xml" 2>&1); then ok "junit: hostile tags: still valid XML"; else not_ok "junit: hostile tags: still valid XML" "$(oneline "$out")"; fi
assert_eq "junit: markup in a property round-trips, the control character shown as \\x01" \
  "=1+1, <b id=\"injected\">x</b>, a\\x01b&c'd\"e" \
  "$(xp "string(/testsuites/testsuite[1]/properties/property[@name='tags']/@value)" "$TEST_TMP/hostile.xml")"

# ---- HTML: rendered by headless Chromium; the DOM has the matrix and the details
tp html --format html --ca-file "$LAB_CA" -o "$TEST_TMP/r.html" "${TARGETS[@]}"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
render() {   # render FILE: the DOM Chromium builds from FILE, on stdout
  timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
    --user-data-dir="$TEST_TMP/chromium-profile" --dump-dom "file://$1" 2>"$TEST_TMP/chromium.err"
}
if [ -z "$CHROMIUM" ]; then
  not_ok "html: rendered by headless Chromium" "chromium not installed (tools/install-deps.sh)"
elif ! render "$TEST_TMP/r.html" >"$TEST_TMP/r.dom.html" || ! [ -s "$TEST_TMP/r.dom.html" ]; then
  not_ok "html: rendered by headless Chromium" "$(oneline "$(tail -n 5 "$TEST_TMP/chromium.err")")"
else
  ok "html: rendered by headless Chromium ($(wc -c <"$TEST_TMP/r.dom.html") bytes of DOM)"
  if py_out=$($PY - "$TEST_TMP/r.dom.html" "$REF" 2>&1 <<'EOF'
import json, sys
from html.parser import HTMLParser
doc = json.load(open(sys.argv[2]))

class Matrix(HTMLParser):
    """Reads table#matrix of the rendered DOM: header ids, rows by data-target, cells' classes."""
    def __init__(self):
        super().__init__()
        self.depth = 0; self.in_th = False; self.ids = []; self.rows = {}; self.row = None; self.sections = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == "matrix":
            self.depth = 1
        elif tag == "table" and self.depth:
            self.depth += 1
        if tag == "section" and "endpoint" in (a.get("class") or ""):
            self.sections.append(a.get("id"))
        if not self.depth:
            return
        if tag == "th" and "req" in (a.get("class") or "").split():
            self.in_th = True
        if tag == "tr" and "data-target" in a:
            self.row = self.rows.setdefault(a["data-target"], {})
        if tag == "td" and self.row is not None and "data-requirement" in a:
            self.row[a["data-requirement"]] = ((a.get("class") or "").split(), a.get("title"))
    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        if tag == "th":
            self.in_th = False
    def handle_data(self, data):
        if self.in_th and data.strip():
            self.ids.append(data.strip())

m = Matrix()
m.feed(open(sys.argv[1], encoding="utf-8").read())
problems = []
want_ids = sorted({v["id"] for e in doc["endpoints"] for v in e["verdicts"]})
if sorted(m.ids) != want_ids:
    problems.append("requirement columns %r, want %r" % (m.ids, want_ids))
if sorted(m.rows) != sorted(e["target"] for e in doc["endpoints"]):
    problems.append("matrix rows %r" % sorted(m.rows))
cells = 0
for e in doc["endpoints"]:
    for v in e["verdicts"]:
        cls, title = m.rows.get(e["target"], {}).get(v["id"], ([], None))
        want = "r-" + v["result"].lower()
        if want not in cls or title != v["evidence"]:
            problems.append("%s %s: classes %r title %r, want %s %r" % (e["target"], v["id"], cls, title, want, v["evidence"]))
        cells += 1
if len(m.sections) != len(doc["endpoints"]):
    problems.append("%d endpoint sections" % len(m.sections))
print("; ".join(problems[:3]) or "%d targets x %d requirements, %d cells with result classes and evidence" % (len(m.rows), len(m.ids), cells))
sys.exit(1 if problems else 0)
EOF
  ); then ok "html: $(oneline "$py_out")"; else not_ok "html: matrix in the rendered DOM" "$(oneline "$py_out")"; fi
  for t in "${TARGETS[@]}"; do
    assert_file_contains "html: details of $t rendered" "$TEST_TMP/r.dom.html" "</span> $t</h2>"
  done
  assert_file_contains "html: legacy's TLSv1.0 shown in the details" "$TEST_TMP/r.dom.html" "<td>TLSv1.0</td><td>yes</td>"
  assert_file_contains "html: suites with their labels" "$TEST_TMP/r.dom.html" 'class="c-recommended">recommended</td>'
  assert_file_contains "html: certificate summary" "$TEST_TMP/r.dom.html" "<th>Trust</th>"

  hostile_render html "$TEST_TMP/hostile.html"
  render "$TEST_TMP/hostile.html" >"$TEST_TMP/hostile.dom.html"
  if grep -q '<b id="injected"' "$TEST_TMP/hostile.dom.html"; then
    not_ok "html: markup from an inventory is text, not elements" "an element with id=injected was rendered"
  else
    assert_file_contains "html: markup from an inventory is text, not elements" "$TEST_TMP/hostile.dom.html" '&lt;b id="injected"&gt;x&lt;/b&gt;'
  fi
fi
# Self-contained: no URL to fetch anything from, nothing loaded from elsewhere (on a page that exists).
assert_file_contains "html: the report names the matrix target" "$TEST_TMP/r.html" "$NGINX"
ext=$(grep -oiE '(src|href|action|srcset|data)[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*(https?:)?//[^"'"'"' >]*' "$TEST_TMP/r.html" | head -3)
assert_eq "html: no src/href to an external URL" "" "$ext"
assert_eq "html: no <link>, <script src> or url() loads" "" \
  "$(grep -oiE '<link[^>]*>|<script[^>]*src[^>]*>|url\([^)]*\)|@import' "$TEST_TMP/r.html" | head -3)"
assert_file_contains "html: a Content-Security-Policy forbids loading anything" "$TEST_TMP/r.html" "default-src 'none'"

# ---- --help and the error message list every format
tp help-formats --help
assert_file_contains "--help lists every format" "$TP_OUT" "text, json, jsonl, csv, junit, html or prometheus"
tp bad-format --format yaml "$NGINX"
assert_file_contains "--format yaml: the message lists the formats" "$TP_ERR" "text, json, jsonl, csv, junit, html, prometheus"
