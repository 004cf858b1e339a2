#!/usr/bin/env bash
# The HTML report of a sweep opens with an overview drawn as inline SVG (grades, certificates by
# days to expiry, failures per requirement), and headless Chromium draws it: 11 lab endpoints
# (failing ones, an expired leaf, leaves expiring in 3 and 19 days, a refused port) at --level 3
# of every standard (more than the 15 failure rows the chart shows) are scanned to JSON, JSONL
# and HTML; summary.overview has the expected counts (the JSONL summary line the same);
# Chromium's DOM has the 3 charts with one bar per non-zero count, of the summary's counts and
# heights; a screenshot (1200x1600) has each bar's pixels, in its colour, at its place in its
# chart, the charts laid out as the page says.
# A single-endpoint report has no overview.
# The test's own server: openssl s_server on LAB_PORT_BASE+200 (past the lab's BASE..BASE+199;
# tests run one at a time, expiry_warn.sh uses the same port) with a leaf valid 20 days, and for
# SNI short.lab.test one valid 4 days, both made here from the lab's intermediate.
. "$(dirname "$0")/../lib.sh"

PORT=$((LAB_PORT_BASE + 200))
D=$TEST_TMP/soon
mkdir -p "$D"
SSERVER_PID=""
stop_server() {
  [ -n "$SSERVER_PID" ] && kill "$SSERVER_PID" 2>/dev/null && wait "$SSERVER_PID" 2>/dev/null
  cleanup_test_tmp
}
trap stop_server EXIT

# leaf NAME DNSNAME DAYS: an RSA leaf for DNSNAME signed by the lab intermediate, valid DAYS from now.
leaf() {
  openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$D/$1.key" 2>/dev/null &&
    printf 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\n%s\n%s\n' \
      "extendedKeyUsage = serverAuth" "subjectAltName = DNS:$2" >"$D/$1.ext" &&
    openssl req -new -key "$D/$1.key" -subj "/O=tlsprobe lab/CN=$2" -out "$D/$1.csr" 2>/dev/null &&
    openssl x509 -req -in "$D/$1.csr" -CA "$LAB_PKI/intermediate.pem" -CAkey "$LAB_PKI/intermediate.key" \
      -set_serial "0x$(openssl rand -hex 8)" -days "$3" -sha256 -extfile "$D/$1.ext" -out "$D/$1.pem" 2>/dev/null
}
if leaf soon localhost 20 && leaf short short.lab.test 4; then
  OPENSSL_CONF=$LAB_DIR/openssl.cnf openssl s_server -accept "127.0.0.1:$PORT" -www -cert "$D/soon.pem" \
    -key "$D/soon.key" -cert_chain "$LAB_PKI/intermediate.pem" -servername short.lab.test -cert2 "$D/short.pem" \
    -key2 "$D/short.key" </dev/null >"$D/s_server.log" 2>&1 &
  SSERVER_PID=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then ok "test server up on $PORT (leaves valid 20 and 4 days)"
else not_ok "test server up on $PORT (leaves valid 20 and 4 days)" "$(oneline "$(tail -5 "$D/s_server.log" 2>/dev/null)")"; fi

INV=$TEST_TMP/sweep.yaml
{
  echo "targets:"
  for p in TLS12 TLS13 LEGACY NGINX EXPIRED WRONGNAME SELFSIGNED INSECURE REFUSED; do
    v=LAB_PORT_$p
    echo "  - localhost:${!v}"
  done
  echo "  - localhost:$PORT"
  printf '  - host: short.lab.test\n    ip: 127.0.0.1\n    port: %s\n' "$PORT"
} >"$INV"
SCAN=(--level 3 --standard all --ca-file "$LAB_CA" -f "$INV")
tp sweep-json --format json -o "$TEST_TMP/r.json" "${SCAN[@]}"
tp sweep-html --format html -o "$TEST_TMP/r.html" "${SCAN[@]}"
tp sweep-jsonl --format jsonl -o "$TEST_TMP/r.jsonl" "${SCAN[@]}"

# ---- summary.overview: what the 11 endpoints are
assert_jq "overview: certificates by days to expiry (expired, 3 and 19 days, 7 at 90+, the refused one unknown)" \
  "$TEST_TMP/r.json" '.summary.overview.expiry' '{"expired":1,"0-6":1,"7-29":1,"30-89":0,"90+":7,"unknown":1}'
assert_jq "overview: grades count every endpoint once, the refused one as none" "$TEST_TMP/r.json" \
  '.summary.overview.grades | [([.[]] | add), .none]' '[11,1]'
assert_jq "overview: grades equal the endpoints' letters" "$TEST_TMP/r.json" \
  '[.endpoints[] | .grade.grade // "none"] | group_by(.) | map({(.[0]): length}) | add' \
  "$(jq -cS '.summary.overview.grades | with_entries(select(.value > 0))' "$TEST_TMP/r.json")" -S
assert_jq "overview: failures equal the FAIL and ERROR verdicts per requirement, most first" "$TEST_TMP/r.json" \
  '[.endpoints[].verdicts[] | select(.result == "FAIL" or .result == "ERROR")] | group_by(.id)
   | map({id: .[0].id, n: length}) | sort_by(-.n) | map(.n)' \
  "$(jq -c '.summary.overview.failures | map(.fail + .error)' "$TEST_TMP/r.json")"
assert_jq "overview: the JSONL summary line has the same overview" "$TEST_TMP/r.jsonl" \
  '.[-1] | [.type, .overview]' "$(jq -c '["summary", .summary.overview]' "$TEST_TMP/r.json")" --slurp
NFAIL=$(jq '.summary.overview.failures | length' "$TEST_TMP/r.json")
if [ "${NFAIL:-0}" -gt 15 ]; then ok "overview: $NFAIL requirements failing (more than the chart's 15 rows)"
else not_ok "overview: more than 15 requirements failing" "$NFAIL"; fi
# The HTML scan drew the same overview as the JSON scan's report renders to.
"$TLSPROBE" render --format html "$TEST_TMP/r.json" >"$TEST_TMP/rendered.html" 2>/dev/null
overview_of() { sed -n '/<div class="overview"/,/^<\/div>/p' "$1"; }
if [ -n "$(overview_of "$TEST_TMP/r.html")" ] && cmp -s <(overview_of "$TEST_TMP/r.html") <(overview_of "$TEST_TMP/rendered.html")
then ok "html: the scan's overview equals the rendered JSON report's"
else not_ok "html: the scan's overview equals the rendered JSON report's" \
  "$(oneline "$(diff <(overview_of "$TEST_TMP/r.html") <(overview_of "$TEST_TMP/rendered.html") | head -6)")"; fi
if overview_of "$TEST_TMP/r.html" | grep -qE 'href|src=|url\(|https?:|<script|@font|<image|<use'; then
  not_ok "html: the overview loads nothing (no link, URL, script, font, image)" \
    "$(oneline "$(overview_of "$TEST_TMP/r.html" | grep -oE '.{30}(href|src=|url\(|https?:|<script|@font|<image|<use).{30}' | head -2)")"
else ok "html: the overview loads nothing (no link, URL, script, font, image)"; fi

tp single --format html -o "$TEST_TMP/one.html" --ca-file "$LAB_CA" "localhost:$LAB_PORT_TLS12"
assert_eq "html: a single-endpoint report has no overview (no svg)" "0 0" \
  "$(grep -c '<svg' "$TEST_TMP/one.html") $(grep -c 'id="overview"' "$TEST_TMP/one.html")"

# ---- Chromium: the DOM it builds, and a screenshot
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
PY=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import PIL' 2>/dev/null; then PY=$p; break; fi
done
chromium_run() {   # chromium_run ARGS...: headless, no profile of the user's, a deadline
  timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
    --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$TEST_TMP/chromium-profile" "$@"
}
if [ -z "$CHROMIUM" ]; then
  if apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    not_ok "html overview: rendered by headless Chromium" "chromium not installed (tools/install-deps.sh)"
  else
    skip "html overview: rendered by headless Chromium" "no chromium package can be installed here"
  fi
  exit 0
fi
if [ -z "$PY" ]; then
  not_ok "html overview: screenshot read" "python3-pil not installed (tools/install-deps.sh)"
  exit 0
fi
chromium_run --dump-dom "file://$TEST_TMP/r.html" >"$TEST_TMP/r.dom.html" 2>"$TEST_TMP/chromium.err"
chromium_run --screenshot="$TEST_TMP/r.png" --window-size=1200,1600 "file://$TEST_TMP/r.html" 2>>"$TEST_TMP/chromium.err"
if [ -s "$TEST_TMP/r.dom.html" ] && [ -s "$TEST_TMP/r.png" ]; then
  ok "html overview: Chromium built the DOM and took a 1200x1600 screenshot"
else
  not_ok "html overview: Chromium built the DOM and took a 1200x1600 screenshot" \
    "$(oneline "$(grep -v dbus "$TEST_TMP/chromium.err" | tail -n 5)")"
  exit 0
fi

"$PY" - "$TEST_TMP/r.dom.html" "$TEST_TMP/r.json" "$TEST_TMP/r.png" <<'EOF'
import json, sys
from html.parser import HTMLParser
from PIL import Image

dom, doc, png = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), Image.open(sys.argv[3]).convert("RGB")
ov = doc["summary"]["overview"]

def ok(cond, name, detail=""):
    print(("ok - " if cond else "not ok - ") + name + ("" if cond else ": " + str(detail)[:600]))

class Charts(HTMLParser):
    """The overview's svg elements (id, size) and each one's rect elements (attributes)."""
    def __init__(self):
        super().__init__()
        self.svgs, self.in_overview, self.texts, self.svg, self.tag = [], False, [], None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and a.get("id") == "overview":
            self.in_overview = True
        if tag == "svg" and self.in_overview:
            self.svg = {"id": a.get("id"), "w": int(a["width"]), "h": int(a["height"]), "rects": [], "title": None}
            self.svgs.append(self.svg)
        if tag == "rect" and self.svg is not None and "fill" in a and a.get("class") != "frame":
            self.svg["rects"].append({k: a.get(k) for k in ("class", "data-key", "data-id", "data-count", "fill")}
                                     | {k: int(a[k]) for k in ("x", "y", "width", "height")})
        self.tag = tag
    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None
    def handle_data(self, data):
        if self.svg is not None and self.tag == "title" and self.svg["title"] is None:
            self.svg["title"] = data
        elif self.svg is not None:
            self.texts.append(data)

p = Charts()
p.feed(dom)
ids = [s["id"] for s in p.svgs]
ok(ids == ["ov-grades", "ov-expiry", "ov-failures"], "dom: 3 svg charts in #overview: grades, expiry, failures", ids)
charts = {s["id"]: s for s in p.svgs}
if len(charts) != 3:
    sys.exit(0)
ok(all(s["title"] for s in p.svgs), "dom: every chart has a <title>", [s["title"] for s in p.svgs])

def height(n, top):   # report_html_overview.c: round(n / max * 160), at least 2 px
    return 0 if n <= 0 else max(2, min(160, int(n / top * 160 + 0.5)))

for cid, key in (("ov-grades", "grades"), ("ov-expiry", "expiry")):
    bars = [r for r in charts[cid]["rects"] if r["class"] == "bar"]
    want = {k: n for k, n in ov[key].items() if n > 0}
    got = {r["data-key"]: int(r["data-count"]) for r in bars}
    ok(got == want and len(bars) == len(want), f"dom: {cid}: one bar per non-zero count, with the summary's counts",
       f"{got} != {want}")
    top = max(ov[key].values())
    wrong = [(r["data-key"], r["height"]) for r in bars if r["height"] != height(int(r["data-count"]), top)]
    ok(not wrong and len({r["y"] + r["height"] for r in bars}) == 1,
       f"dom: {cid}: bar heights proportional to the counts, on one baseline", wrong)
    ok(len({r["fill"] for r in bars}) == len(bars), f"dom: {cid}: each bar its own colour", [r["fill"] for r in bars])

fails = [r for r in charts["ov-failures"]["rects"] if r["class"] in ("bar fail", "bar error")]
rows = []
for r in fails:
    if r["data-id"] not in rows:
        rows.append(r["data-id"])
want_rows = [f["id"] for f in ov["failures"][:15]]
ok(rows == want_rows, "dom: failures: the 15 requirements with most FAIL+ERROR, in the summary's order",
   f"{rows} != {want_rows}")
by = {(r["data-id"], r["class"]): int(r["data-count"]) for r in fails}
bad = [f["id"] for f in ov["failures"][:15] if by.get((f["id"], "bar fail"), 0) != f["fail"]
       or by.get((f["id"], "bar error"), 0) != f["error"]]
ok(not bad, "dom: failures: each bar's FAIL and ERROR counts are the summary's", bad)
more = len(ov["failures"]) - 15
ok(any(f"and {more} more requirements" in t for t in p.texts), f"dom: failures: 'and {more} more requirements' said")
texts = " ".join(p.texts)
ok(all(f"{f['fail']} FAIL" in texts for f in ov["failures"][:15]), "dom: failures: counts written as text")

# ---- the screenshot: every bar colour's pixels are exactly its rects, at one offset per chart
def rgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))
W, H = png.size
wanted = {rgb(r["fill"]) for s in p.svgs for r in s["rects"]}
px = {}
for i, c in enumerate(png.getdata()):
    if c in wanted:
        px.setdefault(c, []).append((i % W, i // W))
used = {}
for s in p.svgs:
    for r in s["rects"]:
        used.setdefault(r["fill"], set()).add(s["id"])
ok(all(len(v) == 1 for v in used.values()), "dom: no bar colour is shared between charts", used)
offsets = {}
for s in p.svgs:
    for fill in sorted({r["fill"] for r in s["rects"]}):
        rects = [r for r in s["rects"] if r["fill"] == fill]
        area = sum(r["width"] * r["height"] for r in rects)
        pts = px.get(rgb(fill), [])
        name = f"screenshot: {s['id']}: {fill} drawn ({len(rects)} rect(s), {area} px)"
        if not pts:
            ok(False, name, "no pixel of that colour")
            continue
        x0, y0 = min(p[0] for p in pts), min(p[1] for p in pts)
        x1, y1 = max(p[0] for p in pts), max(p[1] for p in pts)
        ex0, ey0 = min(r["x"] for r in rects), min(r["y"] for r in rects)
        ex1, ey1 = max(r["x"] + r["width"] for r in rects) - 1, max(r["y"] + r["height"] for r in rects) - 1
        off = (x0 - ex0, y0 - ey0)
        ok(abs(len(pts) - area) <= area * 0.02 and (x1 - x0, y1 - y0) == (ex1 - ex0, ey1 - ey0), name,
           f"{len(pts)} px, box {(x1 - x0 + 1, y1 - y0 + 1)} for {(ex1 - ex0 + 1, ey1 - ey0 + 1)}")
        offsets.setdefault(s["id"], set()).add(off)
ok(all(len(v) == 1 for v in offsets.values()), "screenshot: each chart's bars at one offset (drawn where the svg says)",
   offsets)
o = {k: min(v) for k, v in offsets.items()}
if len(o) == 3:
    g, e, f = o["ov-grades"], o["ov-expiry"], o["ov-failures"]
    ok(g[1] == e[1] and e[0] >= g[0] + charts["ov-grades"]["w"] and f[1] >= g[1] + charts["ov-grades"]["h"]
       and f[1] + charts["ov-failures"]["h"] <= H,
       "screenshot: grades and expiry side by side, failures below, all in the first 1600 px", o)
EOF
