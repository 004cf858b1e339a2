#!/usr/bin/env bash
# Terminal and file safety (issue 15): strings a server chose reach every report format through
# that format's escaping (include/escape.h), with stdout a pipe and a terminal (script -qc).
#  1. A live hostile server (tests/lab/fake_hostile.py, started here on LAB_PORT_BASE+195..197,
#     offsets no lab server uses) puts ESC, an OSC 0 window title, backspaces, conceal, DEL, C1
#     controls (raw 0x9b and UTF-8 U+009B) and RLO in the HSTS header, the Server header, a
#     cleartext redirect's status line and Location, and the SMTP greeting, EHLO lines and
#     STARTTLS reply: no such byte is in any format, and what the formats show of them is the
#     escaped form.
#  2. tlsprobe render of that report with every string made hostile (a saved report is input
#     too): every format, pipe and terminal, shows the escaped forms and no raw control.
#  3. tlsprobe diff, text and JSON, of two reports whose leaf issuers differ, one hostile.
#  4. an SNI that is not UTF-8 is refused (no id can hold such a byte).
. "$(dirname "$0")/../lib.sh"

P=$((LAB_PORT_BASE + 195)) C=$((LAB_PORT_BASE + 196)) S=$((LAB_PORT_BASE + 197))
FORMATS=(text json jsonl csv junit html prometheus)

python3 "$TESTS_DIR/lab/fake_hostile.py" --cert "$LAB_PKI/good-chain.pem" --key "$LAB_PKI/good.key" \
  --https-port "$P" --listen "https:$P" --listen "clear:$C" --listen "smtp:$S" >"$TEST_TMP/hostile.log" 2>&1 &
HOSTILE_PID=$!
trap 'kill "$HOSTILE_PID" 2>/dev/null; wait "$HOSTILE_PID" 2>/dev/null; cleanup_test_tmp' EXIT
for _ in $(seq 50); do
  [ "$(grep -c listening "$TEST_TMP/hostile.log")" -eq 3 ] && break
  sleep 0.1
done
if [ "$(grep -c listening "$TEST_TMP/hostile.log")" -ne 3 ]; then
  not_ok "hostile server listening" "$(oneline "$(cat "$TEST_TMP/hostile.log")")"
  exit 0
fi
ok "hostile server listening on $P, $C, $S"

# clean FILE MODE: "" when FILE is valid UTF-8 with no C0 control but LF (and CR before LF when
# MODE is crlf or tty; CR CR LF, a CSV line end on a terminal, when tty-crlf), no DEL, C1 control, bidi control or line/paragraph separator; with MODE
# tty-color, tlsprobe's own colours (ESC [ 3N m, ESC [ 1;3N m, ESC [ 0m) are allowed too.
# Else what was found, and where.
cat >"$TEST_TMP/clean.py" <<'EOF'
import re, sys
data, mode = open(sys.argv[1], "rb").read(), sys.argv[2]
if mode == "tty-crlf":
    data = data.replace(b"\r\r\n", b"\n")
elif mode in ("crlf", "tty", "tty-color"):
    data = data.replace(b"\r\n", b"\n")
if mode == "tty-color":
    data = re.sub(rb"\x1b\[(?:1;)?3[1-7]m|\x1b\[0m", b"", data)
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("invalid UTF-8 at %d: %r" % (e.start, data[max(0, e.start - 30):e.start + 10]))
bad = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
m = bad.search(text)
if m:
    sys.exit("U+%04X at %d: %r" % (ord(m.group()), m.start(), text[max(0, m.start() - 40):m.start() + 10]))
EOF
assert_clean() {   # assert_clean NAME FILE MODE
  local why
  if [ ! -s "$2" ]; then not_ok "$1" "$2 is empty"; return; fi
  if why=$(python3 "$TEST_TMP/clean.py" "$2" "$3" 2>&1); then ok "$1"; else not_ok "$1" "$why"; fi
}
assert_has() {   # assert_has NAME FILE FIXED_STRING...: every string is in FILE
  local s
  for s in "${@:3}"; do
    if ! grep -qaF -- "$s" "$2"; then not_ok "$1" "'$s' not in $2: $(oneline "$(head -c 600 "$2")")"; return; fi
  done
  ok "$1"
}

# sanitizer FILE: true when FILE has a sanitizer's report (an ASan build's stderr).
sanitizer() { grep -qE 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:' "$1"; }

# The clean mode of a format's output on a terminal.
tty_mode() { case $1 in text) echo tty-color ;; csv) echo tty-crlf ;; *) echo tty ;; esac; }

# on_tty LABEL RC CMD...: runs CMD with stdout a terminal (stderr to a file), which must exit
# with RC and write something; TTY_OUT.
on_tty() {
  local label=$1 want=$2; shift 2
  TTY_OUT=$TEST_TMP/$label.tty
  local cmd
  cmd=$(printf '%q ' timeout -k 5 "$TP_DEADLINE_S" "$@")
  script -qefc "$cmd 2>$(printf '%q' "$TEST_TMP/$label.tty-err")" /dev/null </dev/null >"$TTY_OUT" 2>&1
  local rc=$?
  if [ "$rc" -eq "$want" ] && [ -s "$TTY_OUT" ] && ! sanitizer "$TEST_TMP/$label.tty-err"; then ok "$label: ran on a terminal (exit $rc)"
  else not_ok "$label: ran on a terminal" "exit $rc (expected $want): $(oneline "$(tail -5 "$TEST_TMP/$label.tty-err")")"; fi
}

# ======== 1. the live hostile server
INV=$TEST_TMP/hostile.yaml
cat >"$INV" <<EOF
targets:
  - { host: localhost, port: $P, http_port: $C, tags: [web] }
  - { host: localhost, port: $S, starttls: smtp, tags: [smtp] }
EOF
# What a live report shows of the hostile text: the facts keep it escaped (\xHH, '?' in
# STARTTLS text), and each format shows that form.
SHOWN='\x1b]0;PWNED-TITLE\x07XY\x08\x08\x1b[8mCONCEALED\x1b[0m\x7f\x9bC1RAW\xc2\x9bC1UTF8\xe2\x80\xaeRLO'
for fmt in "${FORMATS[@]}"; do
  tp "live-$fmt" --ca-file "$LAB_CA" -f "$INV" --format "$fmt"
  assert_rc "live $fmt: the hostile HSTS fails its requirement (exit 1)" 1
  mode=plain; [ "$fmt" = csv ] && mode=crlf
  assert_clean "live $fmt, pipe: no raw control or bidi character" "$TP_OUT" "$mode"
  # Colours on (a terminal): a text report has tlsprobe's own and nothing else.
  on_tty "live-$fmt" 1 "$TLSPROBE" --timeout 3 --ca-file "$LAB_CA" -f "$INV" --format "$fmt"
  assert_clean "live $fmt, terminal: no raw control or bidi character" "$TTY_OUT" "$(tty_mode "$fmt")"
  case $fmt in
    text) assert_has "live text: the HSTS value and the Location shown escaped" "$TP_OUT" \
            "HSTS max-age=31536000; $SHOWN" "301 -> https://localhost:$P/$SHOWN" ;;
    csv) assert_has "live csv: the Location and the HSTS value shown escaped" "$TP_OUT" \
            "301 -> https://localhost:$P/$SHOWN" "malformed (max-age=31536000; $SHOWN" ;;
    junit|html) assert_has "live $fmt: the Location and the HSTS value shown escaped" "$TP_OUT" \
            "301 -&gt; https://localhost:$P/$SHOWN" "malformed (max-age=31536000; $SHOWN" ;;
    json|jsonl) assert_has "live $fmt: the HSTS value in the facts, escaped" "$TP_OUT" \
            "max-age=31536000; ${SHOWN//\\/\\\\}" ;;
    prometheus) ;;   # no label or value holds server text (part 2 covers its labels)
  esac
done
J=$TEST_TMP/live-json.out
assert_jq "live json: HSTS value, status line, Location escaped in the facts" "$J" \
  '.endpoints[0].facts.http | [.https.hsts.raw, .cleartext.chain[0].status_line, .cleartext.chain[0].location]
   == ["max-age=31536000; " + $s + "-gnp.exe", "HTTP/1.1 301 Moved " + $s + "-gnp.exe", "https://localhost:\($p)/" + $s + "-gnp.exe"]' \
  true --arg s "$SHOWN" --arg p "$P"
assert_jq "live json: SMTP greeting and EHLO line as the STARTTLS facts keep them" "$J" \
  '.endpoints[1].facts.starttls | [.banner, .capabilities[0], .starttls_offered]' \
  '["220 lab.test ESMTP ?]0;PWNED-TITLE?XY???[8mCONCEALED?[0m??C1RAW??C1UTF8???RLO-gnp.exe", "X-?]0;PWNED-TITLE?XY???[8mCONCEALED?[0m??C1RAW??C1UTF8???RLO-gnp.exe", true]'
# The Server header is in no fact: the clean checks above are what covers it.

# ======== 2. render of a report whose every string is hostile
# Every string but schema, schema_version and the status and result words (the writers show
# facts of "ok" endpoints only) gets the attack appended, as JSON escapes (C0), raw DEL, a raw
# 0x9b byte (not UTF-8), U+009B and U+202E as UTF-8.
python3 - "$J" >"$TEST_TMP/poisoned.json" <<'EOF'
import json, sys
KEEP = ("schema", "schema_version", "status", "result")
def walk(o, key=None):
    if isinstance(o, dict):
        return {k: walk(v, k) for k, v in o.items()}
    if isinstance(o, list):
        return [walk(v, key) for v in o]
    return o + "@@H@@" if isinstance(o, str) and key not in KEEP else o
text = json.dumps(walk(json.load(open(sys.argv[1]))), ensure_ascii=False).encode()
hostile = b"\\u001b]0;PWNED\\u0007XY\\b\\b\\u001b[8mHID\\u001b[0m\x7f\x9bRAW\xc2\x9bUTF\xe2\x80\xaeRLO"
sys.stdout.buffer.write(text.replace(b"@@H@@", hostile))
EOF
for fmt in "${FORMATS[@]}"; do
  out=$TEST_TMP/render-$fmt.out
  timeout -k 5 60 "$TLSPROBE" render --format "$fmt" "$TEST_TMP/poisoned.json" >"$out" 2>"$out.err"
  rc=$?
  if [ $rc -eq 0 ] && ! sanitizer "$out.err"; then ok "render $fmt: exit 0"; else not_ok "render $fmt: exit 0" "exit $rc: $(oneline "$(cat "$out.err")")"; fi
  mode=plain; [ "$fmt" = csv ] && mode=crlf
  assert_clean "render $fmt, pipe: no raw control or bidi character" "$out" "$mode"
  on_tty "render-$fmt" 0 "$TLSPROBE" render --format "$fmt" "$TEST_TMP/poisoned.json"
  assert_clean "render $fmt, terminal: no raw control or bidi character" "$TTY_OUT" "$(tty_mode "$fmt")"
  case $fmt in
    json|jsonl) want=('\u001b]0;PWNED\u0007XY\b\b\u001b[8mHID\u001b[0m\u007f\ufffdRAW\u009bUTF\u202eRLO') ;;
    prometheus) want=('\\x1b]0;PWNED\\x07XY\\x08\\x08\\x1b[8mHID\\x1b[0m\\x7f\\x9bRAW\\u009bUTF\\u202eRLO') ;;
    *) want=('\x1b]0;PWNED\x07XY\x08\x08\x1b[8mHID\x1b[0m\x7f\x9bRAW\u009bUTF\u202eRLO') ;;
  esac
  assert_has "render $fmt: the escaped form is shown" "$out" "${want[@]}"
  assert_has "render $fmt, terminal: the escaped form is shown" "$TTY_OUT" "${want[@]}"
done
assert_has "render text: the HSTS value's line, escaped" "$TEST_TMP/render-text.out" \
  "; HSTS max-age=31536000; ${SHOWN}-gnp.exe"'\x1b]0;PWNED\x07'
# JSON escapes keep the strings: the rendered JSON reads back as the poisoned input (but the
# byte that is not UTF-8, which JSON cannot hold: U+FFFD).
assert_eq "render json: the same document to a JSON reader" \
  "$(python3 -c 'import json,sys; print(json.dumps(json.loads(open(sys.argv[1],"rb").read().decode("utf-8","replace")), sort_keys=True))' "$TEST_TMP/poisoned.json")" \
  "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$TEST_TMP/render-json.out")"

# ======== 3. diff with a hostile issuer
ISSUER='"CN=evil\u001b]0;PWNED\u0007\b\b\u001b[8mHID\u009b\u202eRLO"'   # as JSON
jq ".endpoints[0].facts.certificate.chain[0].issuer = $ISSUER" "$J" >"$TEST_TMP/hostile-issuer.json"
for fmt in text json; do
  out=$TEST_TMP/diff-$fmt.out
  timeout -k 5 60 "$TLSPROBE" diff --format "$fmt" "$J" "$TEST_TMP/hostile-issuer.json" >"$out" 2>"$out.err"
  rc=$?
  if [ $rc -le 1 ] && ! sanitizer "$out.err"; then ok "diff $fmt: ran (exit $rc)"; else not_ok "diff $fmt: ran" "exit $rc: $(oneline "$(cat "$out.err")")"; fi
  assert_clean "diff $fmt, pipe: no raw control or bidi character" "$out" plain
  on_tty "diff-$fmt" "$rc" "$TLSPROBE" diff --format "$fmt" "$J" "$TEST_TMP/hostile-issuer.json"
  assert_clean "diff $fmt, terminal: no raw control or bidi character" "$TTY_OUT" tty
done
assert_has "diff text: the issuer change shown escaped" "$TEST_TMP/diff-text.out" \
  'certificate issuer: CN=tlsprobe lab intermediate CA,O=tlsprobe lab -> CN=evil\x1b]0;PWNED\x07\x08\x08\x1b[8mHID\u009b\u202eRLO'
assert_jq "diff json: the issuer as it is, in JSON escapes" "$TEST_TMP/diff-json.out" \
  "[.changes[] | select(.kind == \"certificate\" and .item == \"issuer\") | .new] == [$ISSUER]" true
assert_has "diff json: RLO and U+009B as JSON escapes" "$TEST_TMP/diff-json.out" 'HID\u009b\u202eRLO'

# ======== 4. An id never holds a byte that is not UTF-8: such an SNI (or host) is refused before
# anything is probed, so --resume and diff always compare ids as written (bad_input.sh has the rest).
NGINX="localhost:$LAB_PORT_NGINX"
tp resume-first --format jsonl -o "$TEST_TMP/badsni.jsonl" --ca-file "$LAB_CA" --sni $'bad\x9bsni' "$NGINX"
assert_rc "an SNI that is not UTF-8: exit 2" 2
assert_has "an SNI that is not UTF-8: the byte shown escaped" "$TP_ERR" "--sni: 'bad\\x9bsni'"
