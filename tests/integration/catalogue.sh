#!/usr/bin/env bash
# The requirement catalogue is one table, data/asvs/requirements.csv: --explain prints every
# row as it is there, the man page's requirement list is generated from it and current, and
# the generator stops the build on a rule without a row or a row without a rule.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$TESTS_DIR/.." && pwd)
CSV=$ROOT/data/asvs/requirements.csv
GEN=$ROOT/tools/gen_requirements.py
RULE_FILES=("$ROOT/src/scoring/rules.h" "$ROOT"/src/scoring/rules_*.c)

# assert_has NAME TEXT FIXED_STRING
assert_has() { if grep -qF -- "$3" <<<"$2"; then ok "$1"; else not_ok "$1" "no '$3' in: $(oneline "$2")"; fi; }
# gen_c CSV: runs the generator as the build does; sets OUT and RC.
gen_c() { OUT=$(python3 "$GEN" c "$1" "$TEST_TMP/gen" "${RULE_FILES[@]}" 2>&1); RC=$?; }

# ---- --explain: every requirement of the table, byte for byte
python3 - "$CSV" "$TEST_TMP/want" <<'EOF'
import csv, os, sys
os.makedirs(sys.argv[2])
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
    cwe = ", CWE-" + r["cwe"] if r["cwe"] else ""
    with open(os.path.join(sys.argv[2], r["id"]), "w", encoding="utf-8") as f:
        f.write("%s %s (level %s%s): %s\n\nRequirement:\n  %s\n\nHow tlsprobe decides:\n  %s\n"
                % (r["standard"], r["id"], r["level"], cwe, r["title"], r["text"], r["how"]))
EOF
n=0
for id in $(requirement_ids | jq -r '.[]'); do
  n=$((n + 1))
  tp "explain-$id" --explain "$id"
  if [ "$TP_RC" -eq 0 ] && cmp -s "$TEST_TMP/want/$id" "$TP_OUT"; then
    ok "--explain $id: the table's row, exit 0"
  else
    not_ok "--explain $id: the table's row, exit 0" "exit $TP_RC; $(oneline "$(diff "$TEST_TMP/want/$id" "$TP_OUT" | head -n 6)")"
  fi
done
files=$(find "$TEST_TMP/want" -type f | wc -l)
if [ "$n" -gt 0 ] && [ "$n" -eq "$files" ]; then ok "--explain: $n requirements, one expected text each"
else not_ok "--explain: requirements, one expected text each" "$n ids, $files texts"; fi
FIRST=$(requirement_ids | jq -r '.[0]')
tp explain-v --explain "V$FIRST"
if cmp -s "$TEST_TMP/want/$FIRST" "$TP_OUT"; then ok "--explain V$FIRST: the same as $FIRST"
else not_ok "--explain V$FIRST: the same as $FIRST" "$(oneline "$(diff "$TEST_TMP/want/$FIRST" "$TP_OUT" | head -n 6)")"; fi
tp explain-none --explain 12.9.9
assert_rc "--explain an id not in the table: exit 2" 2

# ---- the man page's requirement list is the table's
if out=$(python3 "$GEN" man "$CSV" "$ROOT/man/tlsprobe.1" --check 2>&1); then
  ok "man/tlsprobe.1: the requirement list is generated from the table and current"
else
  not_ok "man/tlsprobe.1: the requirement list is generated from the table and current" "$(oneline "$out")"
fi
cp "$ROOT/man/tlsprobe.1" "$TEST_TMP/stale.1"
sed -i '0,/^\\fB'"$FIRST"'\\fR/s//\\fB'"$FIRST"'\\fR stale/' "$TEST_TMP/stale.1"
out=$(python3 "$GEN" man "$CSV" "$TEST_TMP/stale.1" --check 2>&1)
assert_eq "man --check: an edited list is stale, exit 1" "1" "$?"
assert_has "man --check: the message says how to regenerate" "$out" "the requirement list is stale; run tools/gen_requirements.py man"
python3 "$GEN" man "$CSV" "$TEST_TMP/stale.1"
assert_eq "man: regenerating gives the checked-in page" "" "$(diff "$ROOT/man/tlsprobe.1" "$TEST_TMP/stale.1")"

# ---- the generator: a rule without a row, or a row without a rule, is a build error
gen_c "$CSV"
assert_eq "generator: the table as it is builds" "0 " "$RC $OUT"
# A rule that decides one requirement only: without that row it decides none.
LONE=$(python3 -c 'import csv, collections, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
n = collections.Counter(r["rule"] for r in rows)
print(next(r["id"] + " " + r["rule"] for r in rows if n[r["rule"]] == 1))' "$CSV")
read -r LONE_ID LONE_RULE <<<"$LONE"
awk -F, -v id="$LONE_ID" 'NR == 1 || $2 != id' "$CSV" >"$TEST_TMP/norow.csv"
gen_c "$TEST_TMP/norow.csv"
assert_eq "generator: $LONE_ID's row deleted, exit 1" "1" "$RC"
assert_has "generator: $LONE_RULE has no row, said so" "$OUT" \
  "gen_requirements.py: $LONE_RULE ($ROOT/src/scoring/rules.h"
assert_has "generator: the message says to give it a row" "$OUT" "decides no requirement: give it a row"
sed "s/,$LONE_RULE,/,${LONE_RULE}_gone,/" "$CSV" >"$TEST_TMP/norule.csv"
gen_c "$TEST_TMP/norule.csv"
assert_eq "generator: a row naming no rule function, exit 1" "1" "$RC"
assert_has "generator: the message names the row and the rule" "$OUT" "$LONE_ID names ${LONE_RULE}_gone, which no rule file"
{ cat "$CSV"; grep -m1 ",$LONE_ID," "$CSV"; } >"$TEST_TMP/dup.csv"
gen_c "$TEST_TMP/dup.csv"
assert_eq "generator: an id twice, exit 1" "1" "$RC"
assert_has "generator: the message names the id" "$OUT" "id $LONE_ID is already in the catalogue"
