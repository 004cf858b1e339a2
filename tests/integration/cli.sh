#!/usr/bin/env bash
# Command line: usage errors, target forms, output file, text and JSON formats.
. "$(dirname "$0")/../lib.sh"

NGINX="localhost:$LAB_PORT_NGINX"
LEGACY="localhost:$LAB_PORT_LEGACY"

# ---- usage errors: exit 2, a message on stderr, nothing on stdout
usage_error() {   # usage_error LABEL ARGS...
  local label=$1; shift
  tp "$label" "$@"
  assert_rc "$label: exit 2" 2
  if [ -s "$TP_ERR" ]; then ok "$label: message on stderr"; else not_ok "$label: message on stderr" "stderr empty"; fi
  assert_eq "$label: nothing on stdout" "" "$(head -c 200 "$TP_OUT")"
}
usage_error unknown-option --bogus-option "$NGINX"
assert_file_contains "unknown option: stderr names it" "$TP_ERR" "--bogus-option"
usage_error no-target --format json
usage_error bad-format --format xml "$NGINX"
usage_error bad-level --level 4 "$NGINX"
usage_error bad-per-host --per-host 6 "$NGINX"
usage_error bad-jobs --jobs 0 "$NGINX"
usage_error bad-timeout --timeout abc "$NGINX"
usage_error bad-port "localhost:99999"
usage_error unwritable-output --format json -o "$TEST_TMP/no/such/dir/out.json" "$NGINX"

# ---- --version / --help
tp version --version
assert_rc "--version: exit 0" 0
assert_file_contains "--version prints 0.1.0" "$TP_OUT" "0.1.0"
tp help --help
assert_rc "--help: exit 0" 0
for opt in --format --resolver --ca-file --per-host --level; do
  assert_file_contains "--help mentions $opt" "$TP_OUT" "$opt"
done

# ---- --help and the man page agree with the code: the options, and the writer registry's formats
MAN=$TESTS_DIR/../man/tlsprobe.1
lines() { tr -s ', ' '\n\n' | sed '/^$/d' | sort; }   # "a, b c" -> sorted lines
in_help=$(sed -n 's/^  \(-., \|    \)\(--[a-z-]*\).*/\2/p' "$TP_OUT" | sort)
in_man=$(awk '/^\.SH OPTIONS/{on=1; next} on && /^\.SH/{exit} on && /^\.B/' "$MAN" |
  sed -n 's/.*\(\\-\\-[a-z\\-]*\).*/\1/p' | tr -d '\\' | sort)
assert_eq "man page OPTIONS: the same long options as --help" "$in_help" "$in_man"
help_formats=$(sed -n 's/^ *--format FORMAT *\(.*\) (default [a-z0-9]*)$/\1/p' "$TP_OUT" | sed 's/ or /, /' | lines)
help_default=$(sed -n 's/^ *--format FORMAT .* (default \([a-z0-9]*\))$/\1/p' "$TP_OUT")
# The registry as validation sees it: an unknown format's message lists every registered writer.
tp format-registry --format no-such-format "$NGINX"
registered=$(sed -n 's/.*unknown format .no-such-format. (known: \(.*\))$/\1/p' "$TP_ERR" | lines)
if [ "$(wc -l <<<"$registered")" -ge 2 ]; then ok "--format: the message lists the registered formats"
else not_ok "--format: the message lists the registered formats" "$(oneline "$(cat "$TP_ERR")")"; fi
assert_eq "--help lists exactly the registered formats" "$registered" "$help_formats"
format_par=$(awk '/^\.BI \\-\\-format /{on=1; next} on && /^\.TP/{exit} on' "$MAN")
man_formats=$(grep -o '\\fB[a-z0-9]*\\fR (' <<<"$format_par" | sed 's/^\\fB\(.*\)\\fR ($/\1/' | sort)
missing=$(comm -23 <(echo "$registered") <(echo "$man_formats") | tr '\n' ' ')
extra=$(comm -13 <(echo "$registered") <(echo "$man_formats") | tr '\n' ' ')
assert_eq "man page --format: no registered format missing" "" "$missing"
assert_eq "man page --format: no format that is not registered" "" "$extra"
if grep -q "\\\\fB$help_default\\\\fR (default" <<<"$format_par"; then ok "man page --format: the default is --help's ($help_default)"
else not_ok "man page --format: the default is --help's ($help_default)" "$(oneline "$format_par")"; fi
other=$(awk '/^\.SH OTHER FORMATS/{on=1; next} on && /^\.SH/{exit} on && /^\.B [a-z0-9]*$/ {print $2}' \
  "$TESTS_DIR/../man/tlsprobe-json.5" | sort)
if [ -n "$other" ]; then
  assert_eq "tlsprobe-json(5) OTHER FORMATS: only registered formats" "" "$(comm -13 <(echo "$registered") <(echo "$other") | tr '\n' ' ')"
else not_ok "tlsprobe-json(5) OTHER FORMATS: only registered formats" "no .B FORMAT entry found"; fi
tp list-formats --list-formats
assert_eq "--list-formats lists exactly the registered formats" "$registered" "$(awk '{print $1}' "$TP_OUT" | sort)"
# The probe registry: --list-probes, the man page's PROBES entries and --probes' message agree.
tp list-probes --list-probes
listed=$(awk '{print $1}' "$TP_OUT")
tp probe-registry --probes no-such-probe "$NGINX"
known=$(sed -n 's/.*unknown probe .no-such-probe. (known: \(.*\))$/\1/p' "$TP_ERR" | tr ' ' '\n')
assert_eq "--list-probes lists the registry in order" "$known" "$listed"
if [ "$(wc -l <<<"$listed")" -ge 8 ] && ! grep -qv '^[a-z0-9]* .\{20,\}' "$TP_OUT"; then
  ok "--list-probes: each probe with its help line"
else not_ok "--list-probes: each probe with its help line" "$(oneline "$(cat "$TP_OUT")")"; fi
man_probes=$(awk '/^\.SH PROBES/{on=1; next} on && /^\.SH/{exit} on && prev ~ /^\.TP/ && /^\.B /{print $2} {prev=$0}' "$MAN")
assert_eq "man page PROBES: one entry per registered probe, in registry order" "$listed" "$man_probes"

# ---- target forms
tp url-target --format json --ca-file "$LAB_CA" "https://localhost:$LAB_PORT_NGINX/"
E=$(ep "https://localhost:$LAB_PORT_NGINX/")
assert_jq "https://host:port/ target parsed" "$TP_OUT" "$E | [.host, .port, .sni, .status]" "[\"localhost\",$LAB_PORT_NGINX,\"localhost\",\"ok\"]"
tp v6-target --format json "[::1]:$LAB_PORT_REFUSED"
E=$(ep "[::1]:$LAB_PORT_REFUSED")
assert_jq "[::1]:port target parsed, nothing listens there" "$TP_OUT" \
  "$E | [.host, .port, .sni, .status]" "[\"::1\",$LAB_PORT_REFUSED,null,\"unreachable\"]"
assert_rc "[::1]:port unreachable: exit 3" 3

# ---- -o FILE: valid JSON, atomically written, nothing on stdout, no temporary left behind
OUTDIR=$TEST_TMP/outdir
mkdir -p "$OUTDIR"
tp output-file --format json --ca-file "$LAB_CA" -o "$OUTDIR/out.json" "$NGINX"
assert_rc "-o: exit 0" 0
if jq -e . "$OUTDIR/out.json" >/dev/null 2>&1; then ok "-o: file is valid JSON"; else not_ok "-o: file is valid JSON" "$(oneline "$(head -c 300 "$OUTDIR/out.json" 2>&1)")"; fi
assert_valid_json "-o: file is a tlsprobe-report 1.0" "$OUTDIR/out.json"
assert_eq "-o: only out.json in the directory" "out.json" "$(ls -A "$OUTDIR" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "-o: nothing on stdout" "" "$(head -c 200 "$TP_OUT")"
assert_jq "-o: report has the target" "$OUTDIR/out.json" '[.endpoints[].target]' "[\"$NGINX\"]"
# Overwriting an existing report replaces it whole.
tp output-overwrite --format json --ca-file "$LAB_CA" -o "$OUTDIR/out.json" "$LEGACY"
assert_jq "-o over an existing file: replaced" "$OUTDIR/out.json" '[.endpoints[].target]' "[\"$LEGACY\"]"
assert_eq "-o over an existing file: no temporary left" "out.json" "$(ls -A "$OUTDIR" | tr '\n' ' ' | sed 's/ $//')"

# ---- JSON on stdout: the documented top level
tp json-stdout --format json --ca-file "$LAB_CA" "$NGINX"
assert_valid_json "--format json on stdout: tlsprobe-report 1.0" "$TP_OUT"
assert_jq "--format json: tool and timestamps" "$TP_OUT" \
  '[.tool, (.started_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")), (.finished_at | test("Z$"))]' \
  '[{"name":"tlsprobe","version":"0.1.0"},true,true]'
assert_jq "--format json: summary.exit_status is the exit status" "$TP_OUT" '.summary.exit_status' "$TP_RC"

# ---- text report: mentions every target and verdict, no colour with --no-color
tp text --format text --ca-file "$LAB_CA" "$NGINX" "$LEGACY" "localhost:$LAB_PORT_REFUSED"
assert_rc "text: exit 3" 3
for t in "$NGINX" "$LEGACY" "localhost:$LAB_PORT_REFUSED"; do
  assert_file_contains "text: mentions $t" "$TP_OUT" "$t"
done
assert_file_contains "text: mentions 12.1.1" "$TP_OUT" "12.1.1"
assert_file_contains "text: mentions 12.2.2" "$TP_OUT" "12.2.2"
assert_file_contains "text: mentions TLSv1.0 for the legacy server" "$TP_OUT" "TLSv1.0"
if grep -q $'\x1b' "$TP_OUT"; then not_ok "text --no-color: no ANSI escapes" "found ESC"; else ok "text --no-color: no ANSI escapes"; fi
# Text is the default format.
tp text-default --ca-file "$LAB_CA" "$NGINX"
assert_file_contains "default format is text (mentions the target)" "$TP_OUT" "$NGINX"
if jq -e . "$TP_OUT" >/dev/null 2>&1; then not_ok "default format is not JSON" "stdout parsed as JSON"; else ok "default format is not JSON"; fi

# ---- -q: nothing on stderr for a clean run
tp quiet -q --format json --ca-file "$LAB_CA" "$NGINX"
assert_eq "-q: nothing on stderr" "" "$(head -c 300 "$TP_ERR")"

# ---- -o to a pipe or device: written in place, never replaced by a regular file
FIFO=$TEST_TMP/report.fifo
mkfifo "$FIFO"
timeout 60 cat "$FIFO" > "$TEST_TMP/fifo.out" &
reader=$!
tp output-fifo --format json --ca-file "$LAB_CA" -o "$FIFO" "$NGINX"
wait "$reader"
if [ -p "$FIFO" ]; then ok "-o FIFO: still a FIFO"; else not_ok "-o FIFO: still a FIFO" "$(ls -la "$FIFO")"; fi
assert_jq "-o FIFO: the report came through the pipe" "$TEST_TMP/fifo.out" '[.endpoints[].target]' "[\"$NGINX\"]"

# ---- --probes: only those (and what they need); left-out requirements are MANUAL
tp probes-subset --format json --ca-file "$LAB_CA" --probes ciphers "$NGINX"
assert_jq "--probes ciphers: ciphers and the versions it needs, nothing else" "$TP_OUT" \
  "[$(ep "$NGINX").facts | keys[]]" '["ciphers","versions"]'
assert_jq "--probes: 12.2.2 is MANUAL, not ERROR" "$TP_OUT" \
  "$(ep "$NGINX").verdicts[] | select(.id == \"12.2.2\") | [.result, .evidence]" \
  '["MANUAL","certificate probe not selected (--probes)"]'
tp probes-unknown --probes versions,bogus "$NGINX"
assert_rc "--probes with an unknown name: exit 2" 2
assert_file_contains "--probes: the message lists the known probes" "$TP_ERR" "unknown probe 'bogus' (known: starttls versions"
