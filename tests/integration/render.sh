#!/usr/bin/env bash
# `tlsprobe render`: a saved JSON report in every format equals what the scan itself wrote in that
# format (after tests/golden/normalize.sh: the scans ran at other times), and a file that is not
# a report, or one whose members have the wrong types, is a usage error (exit 2), never a crash.
. "$(dirname "$0")/../lib.sh"

T="localhost:$LAB_PORT_NGINX"
NORM=$TESTS_DIR/../tests/golden/normalize.sh
tp scan-json --format json --ca-file "$LAB_CA" "$T"
cp "$TP_OUT" "$TEST_TMP/saved.json"
# The Prometheus samples that are times and durations, as normalize.sh does for the other formats.
norm() { "$NORM" | sed -E 's/^(tlsprobe_(run_duration|run_last_timestamp|probe_duration)_seconds(\{.*\})?) .*/\1 N/'; }
for format in $("$TLSPROBE" --list-formats | awk '{print $1}'); do
  tp "scan-$format" --format "$format" --ca-file "$LAB_CA" "$T"
  "$TLSPROBE" render --format "$format" "$TEST_TMP/saved.json" > "$TEST_TMP/rendered.$format" 2>"$TEST_TMP/render.err"
  rc=$?
  if [ "$rc" -eq 0 ] && cmp -s <(norm < "$TP_OUT") <(norm < "$TEST_TMP/rendered.$format"); then
    ok "render --format $format equals the scan's $format report"
  else
    not_ok "render --format $format equals the scan's $format report" \
      "rc $rc; $(oneline "$(diff <(norm < "$TP_OUT") <(norm < "$TEST_TMP/rendered.$format") | head -8)")"
  fi
done

# refused RC DESCRIPTION JSON: render of JSON exits RC, with a message and no crash.
refused() {
  printf '%s' "$3" > "$TEST_TMP/bad.json"
  "$TLSPROBE" render --format text "$TEST_TMP/bad.json" > /dev/null 2>"$TEST_TMP/bad.err"
  local rc=$?
  if [ "$rc" -eq "$1" ] && [ -s "$TEST_TMP/bad.err" ]; then ok "render: $2: exit $1 with a message"
  else not_ok "render: $2: exit $1 with a message" "rc $rc: $(oneline "$(cat "$TEST_TMP/bad.err")")"; fi
}
V='"schema":"tlsprobe-report","schema_version":"2.1"'
refused 2 "not JSON" '{"schema":'
refused 2 "another schema" '{"schema":"other","schema_version":"2.0","endpoints":[]}'
refused 2 "an endpoint that is not an object" "{$V,\"endpoints\":[7]}"
refused 2 "verdicts that are not an array" "{$V,\"endpoints\":[{\"verdicts\":{}}]}"
refused 2 "a verdict without an id" "{$V,\"endpoints\":[{\"verdicts\":[{\"result\":\"PASS\"}]}]}"
refused 2 "facts that are not an object" "{$V,\"endpoints\":[{\"facts\":[1]}]}"

# Members of any type inside facts, grades and verdicts: every format renders or refuses.
crashes=$(python3 - "$TLSPROBE" "$TEST_TMP/saved.json" "$TEST_TMP/mut.json" <<'PY'
import json, random, subprocess, sys
tlsprobe, saved, out = sys.argv[1:]
random.seed(12)
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
    for f in ("text", "json", "jsonl", "csv", "junit", "html", "prometheus"):
        rc = subprocess.run([tlsprobe, "render", "--format", f, out], capture_output=True).returncode
        if rc not in (0, 2):
            bad.append("%d/%s:rc%d" % (i, f, rc))
print(" ".join(bad[:10]))
PY
)
[ -z "$crashes" ] && ok "render: 40 mutated reports in every format: rendered or refused, never a crash" ||
  not_ok "render: mutated reports" "$crashes"
