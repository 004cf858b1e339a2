#!/usr/bin/env bash
# `tlsprobe diff OLD NEW` on real lab scans: a report against itself, and JSON against JSONL of one
# run, show no change (exit 0); a TLS 1.3-only server replaced by a TLS 1.0/1.1 one under the same
# id shows the versions, suites, failures and grade drop (exit 1); a new leaf, an endpoint gone
# and a leaf entering --expiry-days are found; what is not a report is refused (exit 2).
. "$(dirname "$0")/../lib.sh"

TLS13="localhost:$LAB_PORT_TLS13"
LEGACY="localhost:$LAB_PORT_LEGACY"
SELF="localhost:$LAB_PORT_SELFSIGNED"
NGINX="localhost:$LAB_PORT_NGINX"

# dif LABEL ARGS...: runs tlsprobe diff ARGS; DIF_OUT, DIF_ERR (files) and DIF_RC.
dif() {
  local label=$1; shift
  DIF_OUT=$TEST_TMP/diff-$label.out
  DIF_ERR=$TEST_TMP/diff-$label.err
  timeout -k 5 60 "$TLSPROBE" diff "$@" >"$DIF_OUT" 2>"$DIF_ERR"
  DIF_RC=$?
}

assert_dif_rc() {   # assert_dif_rc NAME EXPECTED
  if [ "$DIF_RC" -eq "$2" ]; then ok "$1"
  else not_ok "$1" "exit $DIF_RC, expected $2; stderr: $(oneline "$(cat "$DIF_ERR")"); out: $(oneline "$(head -5 "$DIF_OUT")")"; fi
}

tp tls13 --format json --ca-file "$LAB_CA" "$TLS13"
cp "$TP_OUT" "$TEST_TMP/tls13.json"
tp legacy --format json --ca-file "$LAB_CA" "$LEGACY"
cp "$TP_OUT" "$TEST_TMP/legacy.json"
tp self --format json --ca-file "$LAB_CA" "$SELF"
cp "$TP_OUT" "$TEST_TMP/self.json"
ID=$(jq -r '.endpoints[0].id' "$TEST_TMP/tls13.json")
# as_tls13 IN OUT: the report IN as if its endpoint were the TLS 1.3 server's (same id and target).
as_tls13() { jq --arg id "$ID" --arg t "$TLS13" '.endpoints[0].id = $id | .endpoints[0].target = $t' "$1" >"$2"; }
as_tls13 "$TEST_TMP/legacy.json" "$TEST_TMP/legacy-as-tls13.json"
as_tls13 "$TEST_TMP/self.json" "$TEST_TMP/self-as-tls13.json"

# ---- no change
dif self-same "$TEST_TMP/tls13.json" "$TEST_TMP/tls13.json"
assert_dif_rc "a report against itself: exit 0" 0
assert_eq "a report against itself: no changes" "no changes" "$(sed -n 2p "$DIF_OUT")"
"$TLSPROBE" render --format jsonl "$TEST_TMP/tls13.json" >"$TEST_TMP/tls13.jsonl"
dif json-jsonl --format json "$TEST_TMP/tls13.json" "$TEST_TMP/tls13.jsonl"
assert_dif_rc "JSON against the JSONL of the same run: exit 0" 0
assert_jq "JSON against the JSONL of the same run: no changes" "$DIF_OUT" '[.regression, .changes, .summary.changes]' \
  '[false, [], 0]'
# A live JSONL report lists endpoints as they finish; matched by id, the order does not matter.
tp live --format jsonl --ca-file "$LAB_CA" "$NGINX" "$TLS13" "$LEGACY"
cp "$TP_OUT" "$TEST_TMP/live.jsonl"
"$TLSPROBE" merge "$TEST_TMP/live.jsonl" >"$TEST_TMP/live.json"
dif live "$TEST_TMP/live.jsonl" "$TEST_TMP/live.json"
assert_dif_rc "a live JSONL run (3 endpoints) against its JSON: exit 0, no changes" 0

# An interrupted run (a JSONL file cut before its summary line): the endpoints it never reached
# are gone, and the diff says the report is incomplete.
head -2 "$TEST_TMP/live.jsonl" >"$TEST_TMP/cut.jsonl"
dif cut --format json "$TEST_TMP/live.json" "$TEST_TMP/cut.jsonl"
assert_dif_rc "against a JSONL report cut before its summary: exit 1" 1
assert_jq "against a cut JSONL report: new is incomplete, 2 endpoints gone" "$DIF_OUT" \
  '[.old.incomplete, .new.incomplete, .summary.endpoints_gone, .summary.changes]' '[false,true,2,2]'

# ---- TLS 1.3 only -> TLS 1.0 + 1.1 under one id: a regression
dif legacy --format json "$TEST_TMP/tls13.json" "$TEST_TMP/legacy-as-tls13.json"
assert_dif_rc "tls13 -> legacy: exit 1" 1
assert_jq "tls13 -> legacy: TLS 1.0 and 1.1 newly accepted (regressions), TLS 1.3 dropped" "$DIF_OUT" \
  '[.changes[] | select(.kind == "version") | [.item, .change, .regression]]' \
  '[["TLSv1.0","accepted",true],["TLSv1.1","accepted",true],["TLSv1.3","dropped",false]]'
assert_jq "tls13 -> legacy: 12.1.1 a new failure" "$DIF_OUT" \
  '[.changes[] | select(.kind == "requirement" and .item == "12.1.1") | [.old, .new, .change, .regression]]' \
  '[["PASS","FAIL","new failure",true]]'
assert_jq "tls13 -> legacy: grade down" "$DIF_OUT" \
  '[.changes[] | select(.kind == "grade") | [.change, .regression]]' '[["down",true]]'
assert_jq "tls13 -> legacy: the TLS 1.0 suites newly accepted, each weak and a regression" "$DIF_OUT" \
  '[.changes[] | select(.kind == "suite" and .version == "TLSv1.0") | [.change, .class, .regression]] | unique' \
  '[["accepted","weak",true]]'
assert_jq "tls13 -> legacy: the same leaf: no certificate change" "$DIF_OUT" \
  '[.changes[] | select(.kind == "certificate")]' '[]'
assert_jq "tls13 -> legacy: every change names the endpoint's id and target" "$DIF_OUT" \
  "[.changes[] | [.id, .target]] | unique" "[[\"$ID\",\"$TLS13\"]]"
dif legacy-text "$TEST_TMP/tls13.json" "$TEST_TMP/legacy-as-tls13.json"
assert_file_contains "text: one line per change, target first, regressions marked" "$DIF_OUT" \
  "$TLS13: ! version TLSv1.0 newly accepted (was refused)"
assert_file_contains "text: a new failure" "$DIF_OUT" "$TLS13: ! requirement 12.1.1: PASS -> FAIL (new failure)"
dif legacy-back --format json "$TEST_TMP/legacy-as-tls13.json" "$TEST_TMP/tls13.json"
assert_dif_rc "legacy -> tls13 (the fix): exit 0" 0
assert_jq "legacy -> tls13: new passes, grade up, no regression" "$DIF_OUT" \
  '[.regression, ([.changes[] | select(.kind == "requirement" and .item == "12.1.1") | .change]), ([.changes[] | select(.kind == "grade") | .change])]' \
  '[false, ["new pass"], ["up"]]'

# ---- a new leaf (the self-signed server): fingerprint and issuer changed
dif self --format json "$TEST_TMP/tls13.json" "$TEST_TMP/self-as-tls13.json"
assert_jq "new leaf: sha256 and issuer changed, as the certificate facts say" "$DIF_OUT" \
  '[.changes[] | select(.kind == "certificate") | .item] | contains(["sha256","issuer"])' 'true'
assert_jq "new leaf: the old and new fingerprints are the chains' leaves" "$DIF_OUT" \
  '[.changes[] | select(.kind == "certificate" and .item == "sha256") | [.old, .new]][0]' \
  "$(jq -cn --slurpfile a "$TEST_TMP/tls13.json" --slurpfile b "$TEST_TMP/self.json" \
     '[$a[0].endpoints[0].facts.certificate.chain[0].sha256, $b[0].endpoints[0].facts.certificate.chain[0].sha256]')"

# ---- endpoints gone and new
jq '.endpoints += input.endpoints' "$TEST_TMP/tls13.json" "$TEST_TMP/legacy.json" >"$TEST_TMP/two.json"
dif gone --format json "$TEST_TMP/two.json" "$TEST_TMP/tls13.json"
assert_dif_rc "an endpoint gone: exit 1" 1
assert_jq "an endpoint gone: listed, a regression" "$DIF_OUT" \
  '[.changes[] | [.target, .kind, .change, .regression]]' "[[\"$LEGACY\",\"endpoint\",\"gone\",true]]"
dif new --format json "$TEST_TMP/tls13.json" "$TEST_TMP/two.json"
assert_dif_rc "an endpoint new: exit 0" 0
assert_jq "an endpoint new: listed with its result" "$DIF_OUT" \
  '[[.changes[] | [.target, .change, .new]], .summary.endpoints_new]' "[[[\"$LEGACY\",\"new\",\"FAIL\"]],1]"

# ---- certificates expiring within --expiry-days (the lab leaf: about a year)
DAYS=$(jq '.endpoints[0].facts.certificate.days_to_expiry' "$TEST_TMP/tls13.json")
jq '.endpoints[0].facts.certificate.days_to_expiry = 4000' "$TEST_TMP/tls13.json" >"$TEST_TMP/far.json"
dif expiring --format json --expiry-days $((DAYS + 10)) "$TEST_TMP/far.json" "$TEST_TMP/tls13.json"
assert_dif_rc "leaf now within --expiry-days: exit 1" 1
assert_jq "leaf now within --expiry-days: listed with its days, a regression" "$DIF_OUT" \
  '[.changes[] | select(.kind == "expiring") | [.new, .regression]]' "[[${DAYS},true]]"
dif expiring-still --expiry-days $((DAYS + 10)) "$TEST_TMP/tls13.json" "$TEST_TMP/tls13.json"
assert_dif_rc "leaf already within --expiry-days in OLD: listed, exit 0" 0
assert_file_contains "leaf within --expiry-days: a text line" "$DIF_OUT" "$TLS13:   certificate expires in $DAYS days"
dif not-expiring --format json "$TEST_TMP/far.json" "$TEST_TMP/tls13.json"
assert_jq "default window (30 days): a year away is not listed" "$DIF_OUT" '[.changes[] | select(.kind == "expiring")]' '[]'

# ---- -o writes atomically
mkdir -p "$TEST_TMP/outdir"
dif output -o "$TEST_TMP/outdir/d.json" --format json "$TEST_TMP/tls13.json" "$TEST_TMP/legacy-as-tls13.json"
assert_eq "-o: exit 1, nothing on stdout, the file and nothing else written" "1 0 d.json" \
  "$DIF_RC $(stat -c %s "$DIF_OUT") $(ls "$TEST_TMP/outdir" | tr '\n' ' ' | sed 's/ $//')"
assert_jq "-o: the diff document" "$TEST_TMP/outdir/d.json" '[.schema, .schema_version, .regression]' \
  '["tlsprobe-diff","1.0",true]'

# ---- bad input: exit 2 with a message
bad() {   # bad NAME CONTENT EXPECTED_IN_MESSAGE
  printf '%s' "$2" >"$TEST_TMP/bad.json"
  dif bad "$TEST_TMP/tls13.json" "$TEST_TMP/bad.json"
  if [ "$DIF_RC" -eq 2 ] && grep -qF -- "$3" "$DIF_ERR"; then ok "bad input: $1: exit 2 with a message"
  else not_ok "bad input: $1: exit 2 with a message" "rc $DIF_RC: $(oneline "$(cat "$DIF_ERR")")"; fi
}
bad "not JSON" '{"schema":' "bad.json:1: not a JSON report"
bad "another major version" '{"schema":"tlsprobe-report","schema_version":"3.0","endpoints":[]}' "not a tlsprobe-report 2.x"
bad "verdicts not an array" '{"schema":"tlsprobe-report","schema_version":"2.1","endpoints":[{"verdicts":{}}]}' \
  "endpoint 1: grade, tags or verdicts"
bad "a JSONL endpoint line of the wrong shape" \
  "$(head -1 "$TEST_TMP/tls13.jsonl"; echo '{"type":"endpoint","facts":[]}')" "bad.json:2: endpoint 1"
dif missing "$TEST_TMP/tls13.json" "$TEST_TMP/nonexistent.json"
assert_dif_rc "a missing file: exit 2" 2
dif usage "$TEST_TMP/tls13.json"
assert_dif_rc "one report only: usage, exit 2" 2
dif days --expiry-days -3 "$TEST_TMP/tls13.json" "$TEST_TMP/tls13.json"
assert_dif_rc "--expiry-days -3: exit 2" 2

# ---- members of any type inside the endpoints: diff and merge answer or refuse, never crash
crashes=$(python3 - "$TLSPROBE" "$TEST_TMP/legacy-as-tls13.json" "$TEST_TMP/tls13.json" "$TEST_TMP/mut.json" <<'PY'
import json, random, subprocess, sys
tlsprobe, saved, other, out = sys.argv[1:]
random.seed(14)
doc = json.load(open(saved))
paths = []
def walk(o, p):
    paths.append(p)
    items = o.items() if isinstance(o, dict) else enumerate(o[:3]) if isinstance(o, list) else []
    for k, v in items:
        walk(v, p + [k])
walk(doc["endpoints"], ["endpoints"])
values = [None, 0, -1, 2.5, "x", True, [], {}, [1, None], {"a": []}]
bad = []
for i in range(40):
    d = json.loads(json.dumps(doc))
    for _ in range(random.randint(1, 5)):
        o, p = d, random.choice(paths[1:])
        try:   # a path inside what an earlier mutation replaced is simply skipped
            for k in p[:-1]:
                o = o[k]
            o[p[-1]] = random.choice(values)
        except (KeyError, IndexError, TypeError):
            pass
    json.dump(d, open(out, "w"))
    for args in (["diff", other, out], ["diff", "--format", "json", out, other], ["merge", other, out]):
        rc = subprocess.run([tlsprobe] + args, capture_output=True).returncode
        if rc not in (0, 1, 2):
            bad.append("%d/%s:rc%d" % (i, args[0], rc))
print(" ".join(bad[:10]))
PY
)
[ -z "$crashes" ] && ok "40 mutated reports: diff and merge answer or refuse, never crash" ||
  not_ok "mutated reports: diff and merge" "$crashes"

# ---- every JSON diff written above validates against schema/tlsprobe-diff.schema.json
if py=$(schema_python); then
  res=$("$py" - "$TESTS_DIR/../schema/tlsprobe-diff.schema.json" "$TEST_TMP"/diff-*.out "$TEST_TMP/outdir/d.json" <<'PY'
import json, sys, jsonschema
validator = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
n, bad = 0, []
for f in sys.argv[2:]:
    text = open(f).read()
    if not text.startswith("{"):
        continue
    n += 1
    errors = list(validator.iter_errors(json.loads(text)))
    if errors:
        bad.append("%s: %s: %s" % (f.rsplit("/", 1)[-1], list(errors[0].absolute_path), errors[0].message[:200]))
print(n, "; ".join(bad))
PY
)
  if [ "${res%% *}" -ge 8 ] && [ "$res" = "${res%% *} " ]; then ok "${res%% *} JSON diffs validate against the diff schema"
  else not_ok "JSON diffs validate against the diff schema" "$(oneline "$res")"; fi
else
  not_ok "JSON diffs validate against the diff schema" "python3-jsonschema not installed (tools/install-deps.sh)"
fi

validate_recorded_reports
