/* escape.h: the one rule for strings servers chose, and each format's function on it; the text
 * writer and its probe pen on a document whose strings carry terminal attacks. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "unit_check.h"

typedef void write_fn(FILE *f, const char *s);

static char *written(write_fn *fn, const char *in)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fn(f, in);
    fclose(f);
    return buf;
}

static void expect(write_fn *fn, const char *in, const char *want, const char *name)
{
    char *got = written(fn, in);
    check(got && strcmp(got, want) == 0, name, "got '%s', want '%s'", got ? got : "(null)", want);
    free(got);
}

static void test_text(void)
{
    expect(escape_text, "plain ASCII, a \\ and caf\xC3\xA9 \xE2\x9C\x93", "plain ASCII, a \\ and caf\xC3\xA9 \xE2\x9C\x93",
           "text: printable ASCII, backslash and UTF-8 kept");
    expect(escape_text, "\x1b]0;title\x07", "\\x1b]0;title\\x07", "text: OSC 0 window title");
    expect(escape_text, "ab\b\bcd", "ab\\x08\\x08cd", "text: backspaces");
    expect(escape_text, "\x1b[8mhidden\x1b[0m", "\\x1b[8mhidden\\x1b[0m", "text: conceal SGR");
    expect(escape_text, "a\rb\nc\td\x7f", "a\\x0db\\x0ac\\x09d\\x7f", "text: CR, LF, tab, DEL");
    expect(escape_text, "\x9b" "31m", "\\x9b31m", "text: raw C1 byte (not UTF-8)");
    expect(escape_text, "\xC2\x9b" "31m\xC2\x80\xC2\x9F", "\\u009b31m\\u0080\\u009f", "text: C1 controls as UTF-8");
    expect(escape_text, "\xE2\x80\xAE" "exe.txt", "\\u202eexe.txt", "text: RLO");
    expect(escape_text, "\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD",
           "\\u202a\\u202b\\u202c\\u202d", "text: LRE, RLE, PDF, LRO");
    expect(escape_text, "\xE2\x81\xA6\xE2\x81\xA7\xE2\x81\xA8\xE2\x81\xA9", "\\u2066\\u2067\\u2068\\u2069",
           "text: isolates LRI, RLI, FSI, PDI");
    expect(escape_text, "\xE2\x80\x8E\xE2\x80\x8F\xD8\x9C\xE2\x80\xA8\xE2\x80\xA9", "\\u200e\\u200f\\u061c\\u2028\\u2029",
           "text: LRM, RLM, ALM, line and paragraph separators");
    expect(escape_text, "\xC0\xAF|\xED\xA0\x80|\xF4\x90\x80\x80|\xE2\x9C", "\\xc0\\xaf|\\xed\\xa0\\x80|\\xf4\\x90\\x80\\x80|\\xe2\\x9c",
           "text: overlong, surrogate, past U+10FFFF, truncated");
    expect(escape_text, "\xE2\x80\xAF", "\xE2\x80\xAF", "text: U+202F (a space, not bidi) kept");
    check(escape_text_clean("caf\xC3\xA9 ok"), "text: clean string is clean", "said not clean");
    check(!escape_text_clean("a\xE2\x80\xAE"), "text: RLO is not clean", "said clean");
    char *d = escape_text_dup("x\x1b");
    check(d && strcmp(d, "x\\x1b") == 0, "text: dup", "got '%s'", d ? d : "(null)");
    free(d);
    check(escape_text_dup(NULL) == NULL, "text: dup of NULL is NULL", "not NULL");
}

static void test_formats(void)
{
    expect(escape_csv, "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"", "csv: formula defused and quoted");
    expect(escape_csv, "+1", "'+1", "csv: + defused");
    expect(escape_csv, "@SUM(A1)", "'@SUM(A1)", "csv: @ defused");
    expect(escape_csv, "-2", "'-2", "csv: - defused");
    expect(escape_csv, "a,b", "\"a,b\"", "csv: comma quoted");
    expect(escape_csv, "\x1b[2Jline\r\nnext", "\\x1b[2Jline\\x0d\\x0anext", "csv: controls in the text form, no line break");
    expect(escape_csv, "\tcmd", "\\x09cmd", "csv: a leading tab is shown, not kept");
    expect(escape_csv, "", "", "csv: empty");
    expect(escape_markup, "<a href='x'>\x1b\xE2\x80\xAE</a>", "&lt;a href=&#39;x&#39;&gt;\\x1b\\u202e&lt;/a&gt;",
           "markup: specials as references, controls and RLO shown");
    expect(escape_prom_label, "a\"b\\c\nd\x1b\xff", "a\\\"b\\\\c\\\\x0ad\\\\x1b\\\\xff",
           "prometheus: quote and backslash escaped, the text form's backslashes too");
}

static void expect_json(const char *in, const char *want, const char *name)
{
    size_t len = 0;
    char *got = escape_json_text(in, strlen(in), &len);
    check(got && len == strlen(want) && strcmp(got, want) == 0, name, "got '%s', want '%s'", got ? got : "(null)", want);
    free(got);
}

static void test_json(void)
{
    expect_json("{\"a\": \"x\\u001b\\\\y\"}", "{\"a\": \"x\\u001b\\\\y\"}", "json: json-c's own escapes kept");
    expect_json("[\"\x7f\xC2\x9b\xE2\x80\xAE\"]", "[\"\\u007f\\u009b\\u202e\"]", "json: DEL, C1 and RLO as \\uHHHH");
    expect_json("[\"\x9b\xff\"]", "[\"\\ufffd\\ufffd\"]", "json: bytes that are not UTF-8 as \\ufffd");
    expect_json("[\"caf\xC3\xA9 \xF0\x9F\x94\x92\"]", "[\"caf\xC3\xA9 \xF0\x9F\x94\x92\"]", "json: other UTF-8 kept");
    json_object *o = json_tokener_parse("[\"\\u202e\\u009b\"]");
    size_t len;
    const char *raw = "[\"\xE2\x80\xAE\xC2\x9b\"]";
    char *safe = escape_json_text(raw, strlen(raw), &len);
    json_object *back = safe ? json_tokener_parse(safe) : NULL;
    check(o && back && json_object_equal(o, back), "json: the same value to a JSON reader", "%s", safe ? safe : "(null)");
    json_object_put(o);
    json_object_put(back);
    free(safe);
}

/* Every string of this document carries an attack; the text writer must show none raw, also
 * in the probes' lines (the pen) and the matrix, and keep its own line breaks. */
static const char hostile_doc[] =
    "{ \"schema\": \"tlsprobe-report\", \"schema_version\": \"2.1\", \"started_at\": \"x\","
    "  \"tool\": { \"name\": \"tlsprobe\", \"version\": \"0\" }, \"summary\": { \"endpoints\": 1 },"
    "  \"endpoints\": [ { \"target\": \"t\\u001b]0;T\\u0007:443\", \"address\": \"a\\u202e\", \"sni\": \"s\\n\","
    "    \"status\": \"ok\", \"result\": \"FAIL\", \"connections\": 1, \"duration_ms\": 1,"
    "    \"facts\": { \"certificate\": { \"status\": \"ok\", \"chain\": [ { \"subject\": \"CN=x\\nFAKE LINE\\u001b[8m\","
    "                 \"issuer\": \"CN=\\u009b\\u2066y\" } ] },"
    "      \"http\": { \"status\": \"ok\", \"applicable\": true, \"tls\": true, \"https\": { \"hsts\": { \"present\": true,"
    "                 \"raw\": \"max-age=1\\b\\b\\u001b[2J\", \"valid\": false } },"
    "                 \"cleartext\": { \"port\": 80, \"listening\": true, \"upgrades\": false } } },"
    "    \"verdicts\": [ { \"id\": \"1\\u001b[31m\", \"result\": \"FAIL\", \"evidence\": \"e\\u007f\\u202e\" } ] } ] }";

static void test_text_writer(void)
{
    json_object *doc = json_tokener_parse(hostile_doc);
    check(doc != NULL, "writer: the hostile document parses", "no");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    options_t opts = { .format = "text" };
    int rc = doc ? report_write_document(report_writer_by_name("text"), f, doc, &opts) : -1;
    fclose(f);
    check(rc == 0, "writer: text written", "rc %d", rc);
    bool raw = false;
    for (size_t i = 0; buf && i < len; i++)
        raw |= (unsigned char)buf[i] < 0x20 && buf[i] != '\n';
    check(buf && !raw && !strstr(buf, "\xE2\x80\xAE") && !strstr(buf, "\xC2\x9b") && !strstr(buf, "\x7f"),
          "writer: no control character but its line breaks, no bidi control", "%s", buf ? buf : "");
    static const char *const shown[] = {
        "t\\x1b]0;T\\x07:443", "a\\u202e, SNI s\\x0a]", "CN=x\\x0aFAKE LINE\\x1b[8m", "issuer CN=\\u009b\\u2066y",
        "HSTS max-age=1\\x08\\x08\\x1b[2J (malformed)", "FAIL   1\\x1b[31m", " e\\x7f\\u202e\n",
    };
    for (size_t i = 0; i < sizeof shown / sizeof *shown; i++) {
        char name[160];
        snprintf(name, sizeof name, "writer: shows %s", shown[i]);
        check(buf && strstr(buf, shown[i]), name, "%s", buf ? buf : "");
    }
    check(buf && !strstr(buf, "\nFAKE LINE"), "writer: a line break in a fact does not start a line", "%s", buf ? buf : "");
    free(buf);
    json_object_put(doc);
}

int main(void)
{
    test_text();
    test_formats();
    test_json();
    test_text_writer();
    printf("%d failed\n", failures);
    return failures ? 1 : 0;
}
