#!/usr/bin/env bash
# Restructuring guard: the reports of this build equal those of a reference revision on the
# whole lab. The reference (tests/golden/REF, a commit) is built from git; both scan every
# lab server (tests/golden/lab_inventory.sh, minus tests/golden/unstable) in JSON, compared
# endpoint by endpoint after tests/golden/normalize.sh; then both render the reference's JSON
# in every format, compared byte for byte. A change meant to change reports moves REF to
# itself (the commit that made the change), with the reason in its message.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$TESTS_DIR/.." && pwd)
REF=$(grep -v '^#' "$ROOT/tests/golden/REF" | head -1)
REF_DIR=$TEST_TMP/ref
if ! git -C "$ROOT" cat-file -e "$REF^{commit}" 2>/dev/null; then
  skip "identical reports" "no git history with $REF here (a clone of the repository has it)"
  exit 0
fi
mkdir -p "$REF_DIR"
if ! git -C "$ROOT" archive "$REF" | tar -x -C "$REF_DIR" ||
   ! make -C "$REF_DIR" -j"$(nproc)" tlsprobe CFLAGS="-O1" >"$TEST_TMP/ref-build.log" 2>&1; then
  not_ok "reference build" "$(oneline "$(tail -5 "$TEST_TMP/ref-build.log")")"
  exit 0
fi
ok "reference build ($REF)"

INV=$TEST_TMP/lab.yaml
python3 - "$ROOT/tests/golden/unstable" > "$INV" <<PY
import re, subprocess, sys
unstable = {l.split('#')[0].strip() for l in open(sys.argv[1]) if l.split('#')[0].strip()}
text = subprocess.run(["$ROOT/tests/golden/lab_inventory.sh"], capture_output=True, text=True, check=True).stdout
head, *items = text.split("\n  - ")
keep = [i for i in items if re.search(r"tags: \[(.*)\]", i).group(1) not in unstable]
print("\n  - ".join([head] + keep), end="")
PY
count=$(grep -c '^  - host' "$INV")
[ "$count" -ge 100 ] && ok "lab corpus: $count endpoints" || not_ok "lab corpus" "only $count endpoints"

SCAN=(--timeout 3 -q -j 32 --level 3 --standard all -f "$INV" --format json)
timeout -k 5 600 "$REF_DIR/tlsprobe" "${SCAN[@]}" -o "$TEST_TMP/ref.json" </dev/null 2>"$TEST_TMP/ref.err"
tp new_scan "${SCAN[@]}" -o "$TEST_TMP/new.json"
# differing REF_JSON NEW_JSON: the tags of the endpoints whose normalized reports differ.
differing() {
  paste -d '\n' <("$ROOT/tests/golden/normalize.sh" < "$1" | jq -c '.endpoints[]') \
                 <("$ROOT/tests/golden/normalize.sh" < "$2" | jq -c '.endpoints[]') | python3 -c '
import json, sys
lines = sys.stdin.read().split("\n")
for a, b in zip(lines[0::2], lines[1::2]):
    if a != b:
        print(json.loads(a)["tags"][0], end=" ")'
}
# only_tags TAG...: the corpus inventory reduced to those endpoints.
only_tags() {
  python3 - "$INV" "$@" <<'PY'
import re, sys
head, *items = open(sys.argv[1]).read().split("\n  - ")
keep = [i for i in items if re.search(r"tags: \[(.*)\]", i).group(1) in sys.argv[2:]]
print("\n  - ".join([head] + keep), end="")
PY
}
nref=$(jq '.endpoints | length' "$TEST_TMP/ref.json" 2>/dev/null || echo 0)
nnew=$(jq '.endpoints | length' "$TEST_TMP/new.json" 2>/dev/null || echo 0)
if [ "$nref" -ne "$count" ] || [ "$nnew" -ne "$count" ]; then
  not_ok "scan reports" "endpoints: ref $nref, new $nnew, corpus $count"
else
  differ=$(differing "$TEST_TMP/ref.json" "$TEST_TMP/new.json")
  first=$differ
  # A loaded machine can change a timing-bound answer in either scan: what differs is scanned
  # again by both (twice at most), and only a difference that persists is one.
  for round in 1 2; do
    [ -z "$differ" ] && break
    # shellcheck disable=SC2086
    only_tags $differ > "$TEST_TMP/again.yaml"
    SCAN[${#SCAN[@]}-3]=$TEST_TMP/again.yaml
    timeout -k 5 300 "$REF_DIR/tlsprobe" "${SCAN[@]}" -o "$TEST_TMP/ref-again.json" </dev/null 2>/dev/null
    timeout -k 5 300 "$TLSPROBE" "${SCAN[@]}" -o "$TEST_TMP/new-again.json" </dev/null 2>/dev/null
    differ=$(differing "$TEST_TMP/ref-again.json" "$TEST_TMP/new-again.json")
  done
  if [ -n "$differ" ]; then
    not_ok "scan reports" "differ from the reference's on: $differ"
  else
    ok "scan reports equal the reference's on $count endpoints${first:+ (rescanned: $first)}"
  fi
fi
if [ -n "${first:-}" ]; then
  skip "run summary" "endpoints were rescanned ($first): the first scans' counts may differ by timing"
else
  for side in ref new; do
    "$ROOT/tests/golden/normalize.sh" < "$TEST_TMP/$side.json" | jq -S 'del(.endpoints)' > "$TEST_TMP/$side.run"
  done
  cmp -s "$TEST_TMP/ref.run" "$TEST_TMP/new.run" && ok "run summary equals the reference's" ||
    not_ok "run summary" "$(oneline "$(diff "$TEST_TMP/ref.run" "$TEST_TMP/new.run" | head -20)")"
fi

formats=$("$TLSPROBE" --list-formats | awk '{print $1}')
[ "$(wc -w <<<"$formats")" -ge 6 ] && ok "every registered format is compared ($(echo $formats))" ||
  not_ok "registered formats" "--list-formats gave '$(oneline "$formats")'"
for format in $formats; do
  "$REF_DIR/tlsprobe" render --format "$format" "$TEST_TMP/ref.json" > "$TEST_TMP/rendered-ref.$format" 2>&1
  "$TLSPROBE" render --format "$format" "$TEST_TMP/ref.json" > "$TEST_TMP/rendered-new.$format" 2>&1
  if cmp -s "$TEST_TMP/rendered-ref.$format" "$TEST_TMP/rendered-new.$format" && [ -s "$TEST_TMP/rendered-new.$format" ]; then
    ok "$format rendering equals the reference's ($(wc -c < "$TEST_TMP/rendered-new.$format") bytes)"
  else
    not_ok "$format rendering" "$(oneline "$(diff "$TEST_TMP/rendered-ref.$format" "$TEST_TMP/rendered-new.$format" | head -20)")"
  fi
done
