# Helpers for tests/integration/*.sh (sourced, not run).
# Every assertion prints exactly one line, `ok - NAME` or `not ok - NAME: details`
# (`ok - NAME # SKIP why` for a skip); tests/run.sh counts those lines.
# Needs: TLSPROBE (the binary), LAB_DIR (a started lab: tests/lab/start.sh), jq, python3 with
# jsonschema (every JSON and JSONL report a test makes is validated against the schema at exit).

set -uo pipefail

: "${TLSPROBE:?TLSPROBE must name the tlsprobe binary}"
: "${LAB_DIR:?LAB_DIR must name a started lab (tests/lab/start.sh)}"
# shellcheck source=/dev/null
. "$LAB_DIR/env"

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEST_NAME=$(basename "${0%.sh}")
TEST_TMP=$(mktemp -d "$LAB_DIR/test-$TEST_NAME.XXXXXX")
# Every run gets a deadline far above what the lab needs, so a hang is a failure, not a stall.
TP_DEADLINE_S=${TP_DEADLINE_S:-120}
# Options every test run uses unless it says otherwise.
TP_COMMON=(--timeout 3 --no-color)

ok()     { printf 'ok - %s\n' "$1"; }
not_ok() { printf 'not ok - %s: %s\n' "$1" "$2"; }
skip()   { printf 'ok - %s # SKIP %s\n' "$1" "$2"; }

# One line of possibly multi-line text, bounded, for `not ok` details.
oneline() { tr '\n' ' ' <<<"$1" | cut -c1-600; }

# tp LABEL ARGS...: runs tlsprobe ARGS (after TP_COMMON) with stdin closed and a deadline.
# Sets TP_OUT/TP_ERR (files) and TP_RC, and asserts the process itself behaved: it exited
# (no signal, no deadline), with a documented status (0-3), and no sanitizer report.
tp() {
  local label=$1; shift
  TP_OUT=$TEST_TMP/$label.out
  TP_ERR=$TEST_TMP/$label.err
  TP_CMD="tlsprobe ${TP_COMMON[*]} $*"
  # --foreground: stay in the test's process group, so stopping the test stops tlsprobe too.
  timeout --foreground -k 5 "$TP_DEADLINE_S" "$TLSPROBE" "${TP_COMMON[@]}" "$@" </dev/null >"$TP_OUT" 2>"$TP_ERR"
  TP_RC=$?
  local problem=""
  if [ "$TP_RC" -eq 124 ] || [ "$TP_RC" -eq 137 ]; then
    problem="did not finish within ${TP_DEADLINE_S}s"
  elif [ "$TP_RC" -gt 3 ]; then
    problem="exit status $TP_RC (crash or signal?)"
  fi
  if grep -qE 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:' "$TP_ERR"; then
    problem="${problem:+$problem; }sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error:' "$TP_ERR")"
  fi
  if [ -n "$problem" ]; then
    not_ok "$label: tlsprobe ran cleanly" "$problem; command: $TP_CMD; stderr: $(oneline "$(tail -n 15 "$TP_ERR")")"
  else
    ok "$label: tlsprobe ran cleanly (exit $TP_RC)"
  fi
  record_report "$label" "$@"
}

# ---- every JSON / JSONL report a test produces is validated against the schema
REPORT_SCHEMA=$(cd "$TESTS_DIR/.." && pwd)/schema/tlsprobe-report.schema.json
REPORT_VALIDATOR=$TESTS_DIR/schema/validate_report.py
REPORTS_TO_VALIDATE=$TEST_TMP/reports-to-validate

# record_report LABEL ARGS...: after a tp run, notes its JSON or JSONL report (stdout, or a
# copy of the -o file as it is now) for validation when the test script ends.
record_report() {
  local label=$1; shift
  local format="" out="" prev=""
  for a in "$@"; do
    case $prev in --format) format=$a ;; -o|--output) out=$a ;; esac
    case $a in --format=*) format=${a#--format=} ;; --output=*) out=${a#--output=} ;; esac
    prev=$a
  done
  case $format in json|jsonl) ;; *) return 0 ;; esac
  local file=$TP_OUT
  if [ -n "$out" ]; then
    [ -s "$out" ] || return 0
    file=$TEST_TMP/$label.report
    cp "$out" "$file" || return 0
  fi
  [ -s "$file" ] && printf '%s\t%s\t%s\n' "$format" "$label" "$file" >>"$REPORTS_TO_VALIDATE"
  return 0
}

# A python3 that has jsonschema (the Debian package python3-jsonschema), or nothing.
schema_python() {
  local py
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import jsonschema' 2>/dev/null; then
      printf '%s' "$py"
      return 0
    fi
  done
  return 1
}

# validate_reports FORMAT LABEL=FILE...: one `ok`/`not ok` line per file.
validate_reports() {
  local format=$1; shift
  local py
  if ! py=$(schema_python); then
    for a in "$@"; do not_ok "${a%%=*}: report validates against the schema" "python3-jsonschema not installed (tools/install-deps.sh)"; done
    return 0
  fi
  local opt=()
  [ "$format" = jsonl ] && opt=(--jsonl)
  "$py" "$REPORT_VALIDATOR" "$REPORT_SCHEMA" "${opt[@]}" "$@" 2>&1 |
    sed -E '/^(not )?ok - /!s/^/not ok - schema validator: /'
}

# All reports recorded by tp, validated in one run per format (one python start, not one per run).
validate_recorded_reports() {
  [ -s "$REPORTS_TO_VALIDATE" ] || return 0
  local format args
  for format in json jsonl; do
    args=()
    while IFS=$'\t' read -r f label file; do
      [ "$f" = "$format" ] && args+=("$label=$file")
    done <"$REPORTS_TO_VALIDATE"
    [ ${#args[@]} -gt 0 ] && validate_reports "$format" "${args[@]}"
  done
  rm -f "$REPORTS_TO_VALIDATE"
}

assert_eq() {   # assert_eq NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected '$2', got '$3'"; fi
}

assert_rc() {   # assert_rc NAME EXPECTED  (the last tp's exit status)
  if [ "$TP_RC" -eq "$2" ]; then
    ok "$1"
  else
    not_ok "$1" "expected exit status $2, got $TP_RC; command: $TP_CMD; stderr: $(oneline "$(tail -n 5 "$TP_ERR")")"
  fi
}

# jqc FILE FILTER [jq args...]: compact jq output, or "<jq error: ...>" (so assertions fail
# with a reason instead of matching an empty string).
jqc() {
  local file=$1 filter=$2; shift 2
  local out
  if [ ! -s "$file" ]; then
    printf '<empty output>'
  elif out=$(jq -c "$@" "$filter" "$file" 2>&1); then
    printf '%s' "$out"
  else
    printf '<jq error: %s>' "$(oneline "$out")"
  fi
}

# assert_jq NAME FILE FILTER EXPECTED_JSON [jq args...]: jq -c FILTER FILE must equal
# EXPECTED_JSON exactly (EXPECTED is normalised with jq -c, so spacing does not matter).
assert_jq() {
  local name=$1 file=$2 filter=$3 expected=$4; shift 4
  local want got
  want=$(jq -c . <<<"$expected" 2>/dev/null) || want=$expected
  got=$(jqc "$file" "$filter" "$@")
  if [ "$got" == "$want" ]; then
    ok "$name"
  else
    not_ok "$name" "expected $want, got $(oneline "$got") [jq: $(short_filter "$filter")]"
  fi
}

# A filter for messages: the endpoint selector from ep() shown as EP(target).
short_filter() {
  sed -E 's/\(\.endpoints \| map\(select\(\.target == "([^"]*)"\)\) \| if length == 1 then \.\[0\] else error\("[^"]*"\) end\)/EP(\1)/g' <<<"$1" | cut -c1-300
}

# ep TARGET: the jq expression selecting that endpoint of a report (exactly one must exist).
ep() { printf '(.endpoints | map(select(.target == "%s")) | if length == 1 then .[0] else error("\\(length) endpoints with target %s") end)' "$1" "$1"; }

# verdict ID: jq expression (applied to an endpoint) giving that verdict's result.
verdict() { printf '(.verdicts | map(select(.id == "%s")) | if length == 1 then .[0].result else "no single verdict %s" end)' "$1" "$1"; }
# requirement_ids [--standard 'ASVS 4.0.3'] [--level N] [--fields id,standard,level]: the
# catalogue's requirements (data/asvs/requirements.csv, the table scoring is built from) in
# table order, as JSON: ids, or [field, ...] per requirement.
requirement_ids() {
  python3 "$TESTS_DIR/../tools/gen_requirements.py" list "$TESTS_DIR/../data/asvs/requirements.csv" "$@"
}

assert_file_contains() {   # assert_file_contains NAME FILE FIXED_STRING
  if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1" "'$3' not in $(basename "$2"): $(oneline "$(head -c 400 "$2")")"; fi
}

# The schema version this build writes (include/report.h).
REPORT_VERSION=$(sed -n 's/^#define REPORT_SCHEMA_VERSION "\(.*\)"/\1/p' "$TESTS_DIR/../include/report.h")
# assert_valid_json NAME FILE: a tlsprobe-report document of this build's version that validates
# against schema/tlsprobe-report.schema.json.
assert_valid_json() {
  if ! jq -e --arg v "$REPORT_VERSION" '.schema == "tlsprobe-report" and .schema_version == $v' "$2" >/dev/null 2>&1; then
    not_ok "$1" "not a tlsprobe-report $REPORT_VERSION JSON document: $(oneline "$(head -c 300 "$2")")"
    return
  fi
  local out
  out=$(validate_reports json "$1=$2")
  if grep -q '^not ok' <<<"$out"; then
    not_ok "$1" "$(oneline "$(sed 's/^not ok - //' <<<"$out")")"
  else
    ok "$1"
  fi
}

# Lowercase hex SHA-256 of a PEM certificate's DER, as openssl computes it.
cert_sha256() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'; }
# A certificate date (notBefore|notAfter) as ISO 8601 UTC.
cert_date() {
  local d opt=-startdate
  [ "$2" = notAfter ] && opt=-enddate
  d=$(openssl x509 -in "$1" -noout "$opt" | sed 's/^[^=]*=//')
  date -u -d "$d" +%Y-%m-%dT%H:%M:%SZ
}

cleanup_test_tmp() {
  validate_recorded_reports
  [ -n "${KEEP_LAB:-}" ] || rm -rf "$TEST_TMP"
}
trap cleanup_test_tmp EXIT
