/* Report writers on a hand-written document: members later versions add (grade, cwe, waiver,
 * WAIVED), hostile text (markup, formula starters, control characters, invalid UTF-8), an
 * endpoint without verdicts. The integration test reads real reports with real readers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_doc.h"

static int failures;

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%.300s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

static void contains(const char *out, const char *what, const char *name)
{
    char detail[512];
    snprintf(detail, sizeof detail, "'%s' not in the output", what);
    check(out && strstr(out, what) != NULL, name, detail);
}

static void lacks(const char *out, const char *what, const char *name)
{
    char detail[512];
    snprintf(detail, sizeof detail, "'%s' in the output", what);
    check(out && strstr(out, what) == NULL, name, detail);
}

static int count(const char *out, const char *what)
{
    int n = 0;
    for (const char *p = out; p && (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static const char document[] =
    "{ \"schema\": \"tlsprobe-report\", \"schema_version\": \"2.0\","
    "  \"tool\": { \"name\": \"tlsprobe\", \"version\": \"0.1.0\" },"
    "  \"started_at\": \"2026-11-23T05:00:00Z\", \"finished_at\": \"2026-11-23T05:00:09Z\","
    "  \"summary\": { \"endpoints\": 2, \"reachable\": 1, \"unreachable\": 1, \"passed\": 0, \"failed\": 0,"
    "               \"errors\": 2, \"warnings\": 0, \"not_probed\": 0, \"exit_status\": 3 },"
    "  \"endpoints\": ["
    "    { \"target\": \"a.example:443\", \"host\": \"a.example\", \"port\": 443, \"sni\": \"a.example\","
    "      \"address\": \"192.0.2.1\", \"addresses\": [\"192.0.2.1\"], \"service\": null, \"starttls\": false,"
    "      \"origin\": \"t.yaml:3\", \"tags\": [\"=cmd|' /C calc'!A0\", \"web\"], \"status\": \"ok\", \"error\": null,"
    "      \"connections\": 9, \"duration_ms\": 1500, \"facts\": {},"
    "      \"grade\": { \"grade\": \"A-\", \"score\": 88, \"caps\": [] },"
    "      \"verdicts\": ["
    "        { \"id\": \"12.1.1\", \"standard\": \"ASVS 5.0.0\", \"level\": 1, \"title\": \"TLS 1.2+\","
    "          \"result\": \"PASS\", \"evidence\": \"only TLSv1.3\", \"cwe\": 326 },"
    "        { \"id\": \"12.1.2\", \"standard\": \"ASVS 5.0.0\", \"level\": 2, \"title\": \"Strong suites\","
    "          \"result\": \"FAIL\", \"evidence\": \"weak: <b>&\\\"x\\\", 'y'\", \"cwe\": 327 },"
    "        { \"id\": \"12.1.3\", \"standard\": \"ASVS 5.0.0\", \"level\": 2, \"title\": \"mTLS\","
    "          \"result\": \"WAIVED\", \"evidence\": \"client certificates not checked\", \"waived\": true,"
    "          \"waiver\": { \"reason\": \"legacy clients\", \"until\": \"2027-01-01\" } },"
    "        { \"id\": \"12.1.4\", \"standard\": \"ASVS 5.0.0\", \"level\": 3, \"title\": \"OCSP\","
    "          \"result\": \"MANUAL\", \"evidence\": \"-1 staples\" },"
    "        { \"id\": \"12.2.1\", \"standard\": \"ASVS 5.0.0\", \"level\": 1, \"title\": \"HTTPS only\","
    "          \"result\": \"NOT_APPLICABLE\", \"evidence\": \"not HTTP\" },"
    "        { \"id\": \"12.2.2\", \"standard\": \"ASVS 5.0.0\", \"level\": 1, \"title\": \"Trusted\","
    "          \"result\": \"ERROR\", \"evidence\": \"PLACEHOLDER\" } ],"
    "      \"result\": \"ERROR\" },"
    "    { \"target\": \"b.example:443\", \"host\": \"b.example\", \"port\": 443, \"sni\": \"b.example\","
    "      \"address\": \"192.0.2.2\", \"addresses\": [\"192.0.2.2\"], \"service\": null, \"starttls\": false,"
    "      \"origin\": \"command line\", \"tags\": [], \"status\": \"unreachable\", \"error\": \"connect failed\","
    "      \"connections\": 1, \"duration_ms\": 3, \"facts\": {}, \"verdicts\": [], \"result\": \"ERROR\" } ] }";

static char *render_opts(const report_writer_t *w, json_object *doc, bool color)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    options_t opts = { .format = "test", .color = color };
    int rc = f ? report_write_document(w, f, doc, &opts) : -1;
    if (f)
        fclose(f);
    check(rc == 0, "writer returns 0", "returned -1");
    return buf;
}

static char *render(const report_writer_t *w, json_object *doc)
{
    return render_opts(w, doc, false);
}

static char *escaped(const char *in)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    escape_markup(f, in);
    fclose(f);
    return buf;
}

static void test_markup(void)
{
    struct { const char *in, *want; const char *name; } cases[] = {
        { "a<b>&\"c'", "a&lt;b&gt;&amp;&quot;c&#39;", "markup: the five specials" },
        { "x\x01y\x1fz\x7f", "x\\x01y\\x1fz\\x7f", "markup: C0 controls and DEL shown as \\xHH" },
        { "t\tn\nr\r", "t\\x09n\\x0ar\\x0d", "markup: tab/LF/CR shown as \\xHH" },
        { "\xff" "a", "\\xffa", "markup: a stray byte shown as \\xHH" },
        { "\xC0\xAF", "\\xc0\\xaf", "markup: overlong form rejected" },
        { "\xED\xA0\x80", "\\xed\\xa0\\x80", "markup: surrogate rejected" },
        { "\xE2\x9C\x93 \xF0\x9F\x94\x92", "\xE2\x9C\x93 \xF0\x9F\x94\x92", "markup: valid UTF-8 kept" },
        { "\xE2\x9C", "\\xe2\\x9c", "markup: truncated sequence at the end" },
        { "\xC2\x85<", "\\u0085&lt;", "markup: C1 control shown as \\uHHHH" },
        { "a\xE2\x80\xAE" "b", "a\\u202eb", "markup: RLO shown as \\uHHHH" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = escaped(cases[i].in), detail[256];
        snprintf(detail, sizeof detail, "got '%s', want '%s'", got, cases[i].want);
        check(strcmp(got, cases[i].want) == 0, cases[i].name, detail);
        free(got);
    }
}

static void test_value_text(void)
{
    json_object *v = json_tokener_parse("{\"reason\": \"r\", \"until\": \"2027\", \"n\": [1, \"x\"], \"o\": {\"k\": 1}}");
    char *t = doc_value_text(v);
    check(t && strcmp(t, "reason: r; until: 2027; n: 1, x; o: {\"k\":1}") == 0, "value text: object", t ? t : "NULL");
    free(t);
    json_object_put(v);
    check(doc_value_text(NULL) == NULL, "value text: null is NULL", "not NULL");
}

/* Facts of every probe but groups, written by the probes' own renderers (probes/NAME_render.c):
 * the STARTTLS dialogue ran first but its line follows the TLS ones; signatures join the
 * groups' HTML section, which shows with the groups' rows though groups did not run. */
static const char probe_document[] =
    "{ \"schema\": \"tlsprobe-report\", \"schema_version\": \"2.0\", \"started_at\": \"x\","
    "  \"tool\": { \"name\": \"tlsprobe\", \"version\": \"0.1.0\" }, \"summary\": { \"endpoints\": 2 },"
    "  \"endpoints\": ["
    "    { \"target\": \"c.example:25\", \"status\": \"ok\", \"connections\": 3, \"duration_ms\": 10,"
    "      \"result\": \"PASS\", \"verdicts\": [], \"facts\": {"
    "        \"starttls\": { \"status\": \"ok\", \"applicable\": true, \"protocol\": \"smtp\","
    "                       \"starttls_offered\": true, \"auth_before_starttls\": null },"
    "        \"versions\": { \"status\": \"ok\", \"preferred\": \"TLSv1.2\", \"preferred_cipher\": \"RC4-SHA\","
    "                       \"protocols\": [ { \"name\": \"TLSv1.0\", \"accepted\": false, \"result\": \"alert\" },"
    "                                    { \"name\": \"TLSv1.2\", \"accepted\": true, \"result\": \"accepted\" } ] },"
    "        \"ciphers\": { \"status\": \"ok\", \"forward_secrecy\": \"none\", \"connections\": 4,"
    "                      \"counts\": { \"weak\": 1 }, \"protocols\": [ { \"name\": \"TLSv1.2\", \"server_order\": true,"
    "                      \"suites\": [ { \"code\": \"0x0005\", \"name\": \"TLS_RSA_WITH_RC4_128_SHA\", \"class\": \"weak\","
    "                                      \"why\": \"RC4\" } ] } ] },"
    "        \"signatures\": { \"status\": \"error\", \"error\": \"timed out <x>\", \"tls12\": [\"rsa_pss_rsae_sha256\"] },"
    "        \"certificate\": { \"status\": \"ok\", \"trust\": { \"verified\": true, \"store\": \"system\" },"
    "                          \"chain\": [ { \"subject\": \"CN=<script>alert(1)</script>\", \"issuer\": \"CN=ca\","
    "                                         \"key_type\": \"RSA\", \"key_bits\": 2048 } ] },"
    "        \"mtls\": { \"status\": \"ok\", \"requested\": true, \"required\": false } } },"
    "    { \"target\": \"d.example:443\", \"status\": \"ok\", \"connections\": 1, \"duration_ms\": 1,"
    "      \"result\": \"PASS\", \"verdicts\": [], \"facts\": {} } ] }";

/* The position of what in out, or -1. */
static long at(const char *out, const char *what)
{
    const char *p = out ? strstr(out, what) : NULL;
    return p ? p - out : -1;
}

static void test_probe_renderers(void)
{
    json_object *doc = json_tokener_parse(probe_document);
    check(doc != NULL, "the probe document parses", "json_tokener_parse failed");
    if (!doc)
        return;
    char *text = render(report_writer_by_name("text"), doc);
    long accepted = at(text, "\n  Accepted     TLSv1.2  (prefers TLSv1.2, RC4-SHA)\n  Not accepted TLSv1.0\n");
    long certificate = at(text, "\n  Certificate  CN=<script>alert(1)</script>\n");
    long service = at(text, "\n  Service      smtp with STARTTLS: offered yes; authentication before STARTTLS ?\n");
    long client = at(text, "\n  Client certs requested; required no; untrusted one accepted ?\n");
    check(accepted >= 0 && certificate > accepted, "text: versions, then certificate lines", text);
    check(service > certificate && client > service, "text: the service part (starttls, mtls) after the TLS one", text);
    contains(text, "\n  Suites       TLSv1.2, 1 suites, server's order\n                 TLS_RSA_WITH_RC4_128_SHA",
             "text: suites under their label, indented");
    contains(text, "\n  Signatures   TLSv1.2: rsa_pss_rsae_sha256\n", "text: signatures line");
    lacks(text, "Groups", "text: no groups line without groups facts");
    free(text);

    char *tty = render_opts(report_writer_by_name("text"), doc, true);
    contains(tty, "\033[33mweak       \033[0m", "text: a weak suite in the warning colour");
    free(tty);

    char *html = render(report_writer_by_name("html"), doc);
    const char *joint = "<h3>Key exchange groups and signatures</h3>\n"
                        "<p class=\"r-error\">probe error: timed out &lt;x&gt;</p>\n"
                        "<table class=\"kv groups\">\n<tr><th>TLS 1.3 groups</th><td>-</td></tr>\n";
    contains(html, joint, "html: signatures show the joint section, its error first, the groups' rows");
    contains(html, "<tr><th>TLS 1.2 signature schemes</th><td>rsa_pss_rsae_sha256</td></tr>\n"
                   "<tr><th>TLS 1.3 signature schemes</th><td>-</td></tr>\n</table>\n<h3>Certificate</h3>\n",
             "html: one table for both, ended with the section");
    check(count(html, "<h3>Key exchange groups") == 1 && count(html, "<h3>Protocol versions</h3>") == 1 &&
              count(html, "<h3>Verdicts</h3>") == 2,
          "html: no section for an endpoint without facts", html);
    check(count(html, "<table class=\"kv certificate\">") == 1 && at(html, "CN=&lt;script&gt;alert(1)") > 0,
          "html: certificate table, subject escaped", html);
    lacks(html, "<script", "html: no script from the facts");
    contains(html, "<summary>All facts (JSON)</summary><pre>{\n  &quot;", "html: all facts, json-c's lines kept");
    lacks(html, "Client certs", "html: probes without an HTML renderer only in all facts");
    free(html);
    json_object_put(doc);
}

/* The JSON writer streams the document json-c would print whole: the same bytes, also with
 * empty lists and objects at every depth. */
static void test_json_bytes(json_object *doc)
{
    char *streamed = render(report_writer_by_name("json"), doc);
    size_t jlen, wlen;
    const char *js = json_object_to_json_string_length(
        doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE, &jlen);
    char *safe = escape_json_text(js, jlen, &wlen);
    const char *whole = safe ? safe : "";
    check(streamed && strncmp(streamed, whole, strlen(whole)) == 0 && strcmp(streamed + strlen(whole), "\n") == 0,
          "json: streamed bytes equal json-c's whole document, made safe to show", streamed);
    check(strstr(whole, "bad \\ufffd byte\\u0001 here") != NULL, "json: invalid UTF-8 as \\ufffd", whole);
    free(safe);
    free(streamed);
    json_object *empty = json_tokener_parse("{ \"schema\": \"tlsprobe-report\", \"summary\": {}, \"endpoints\": [] }");
    streamed = render(report_writer_by_name("json"), empty);
    whole = json_object_to_json_string_ext(
        empty, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    check(streamed && strncmp(streamed, whole, strlen(whole)) == 0, "json: no endpoints, same bytes", streamed);
    free(streamed);
    json_object_put(empty);
}

/* Every writer driven from a spool (as a sweep does) writes what it writes from the document. */
static void test_spool(json_object *doc)
{
    report_spool_t *spool = report_spool_open();
    check(spool != NULL, "spool: opens", "no temporary file");
    if (!spool)
        return;
    json_object *eps = NULL, *head = json_object_new_object();
    json_object_object_foreach(doc, key, val)
        if (strcmp(key, "endpoints") == 0)
            eps = val;
        else
            json_object_object_add(head, key, json_object_get(val));
    /* Put out of order, as endpoints finish. */
    for (size_t i = json_object_array_length(eps); i-- > 0;)
        check(report_spool_put(spool, i, json_object_array_get_idx(eps, i)) == 0, "spool: put", "failed");
    check(report_spool_count(spool) == json_object_array_length(eps), "spool: count", "wrong");
    check(report_spool_put(spool, 0, json_object_array_get_idx(eps, 0)) != 0, "spool: a record is written once",
          "put twice");
    check(report_spool_get(spool, 99) == NULL, "spool: no record past the end", "got one");
    for (size_t w = 0; w < report_writer_count; w++) {
        char *buf = NULL, name[96];
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        options_t opts = { .format = "test" };
        int rc = report_write_spool(report_writers[w], f, head, spool, &opts);
        fclose(f);
        char *want = render(report_writers[w], doc);
        snprintf(name, sizeof name, "spool: %s from the spool equals %s from the document", report_writers[w]->name,
                 report_writers[w]->name);
        check(rc == 0 && want && buf && strcmp(buf, want) == 0, name, buf);
        free(buf);
        free(want);
    }
    report_spool_close(spool);

    /* An endpoint that never finished (record 0 never put) is left out, not an error. */
    spool = report_spool_open();
    report_spool_put(spool, 1, json_object_array_get_idx(eps, 1));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    options_t opts = { .format = "test" };
    int rc = report_write_spool(report_writer_by_name("jsonl"), f, head, spool, &opts);
    fclose(f);
    check(rc == 0 && count(buf, "\"type\":\"endpoint\"") == 1 && strstr(buf, "b.example:443"),
          "spool: a record never put is left out", buf);
    free(buf);
    report_spool_close(spool);
    json_object_put(head);
}

static void test_tally(json_object *doc)
{
    report_tally_t t = { 0 };
    json_object *eps = jr_at(doc, "endpoints");
    for (size_t i = 0; i < jr_len(eps); i++)
        report_tally_add(&t, jr_idx(eps, i));
    json_object *sum = report_tally_json(&t, 3);
    report_tally_free(&t);
    /* The overview's own counts are test_overview's; here: it is there, last. */
    check(jr_at(sum, "overview") != NULL, "tally: the summary has the overview", "none");
    json_object_object_del(sum, "overview");
    const char *got = json_object_to_json_string_ext(sum, JSON_C_TO_STRING_PLAIN);
    check(strcmp(got, json_object_to_json_string_ext(jr_at(doc, "summary"), JSON_C_TO_STRING_PLAIN)) == 0,
          "tally: the summary's members, order and counts", got);
    json_object_put(sum);
}

int main(void)
{
    test_markup();
    test_value_text();
    test_probe_renderers();

    json_object *doc = json_tokener_parse(document);
    check(doc != NULL, "the test document parses", "json_tokener_parse failed");
    if (!doc)
        return 1;
    /* Bytes a server could send: invalid UTF-8 and a control character in an evidence. */
    json_object *eps, *verdicts;
    json_object_object_get_ex(doc, "endpoints", &eps);
    json_object_object_get_ex(json_object_array_get_idx(eps, 0), "verdicts", &verdicts);
    json_object_object_add(json_object_array_get_idx(verdicts, 5), "evidence",
                           json_object_new_string("bad \xff byte\x01 here"));

    test_json_bytes(doc);
    test_spool(doc);
    test_tally(doc);

    char *csv = render(report_writer_by_name("csv"), doc);
    contains(csv, "target,host,port,address,service,tags,endpoint_status,requirement,standard,level,result,evidence,"
                  "title,cwe,waiver,grade\r\n", "csv: header, CRLF");
    check(count(csv, "\r\n") == 8, "csv: header + 6 verdict rows + 1 row for the unreachable endpoint", csv);
    contains(csv, ",'=cmd|' /C calc'!A0;web,", "csv: a formula in tags is defused");
    contains(csv, ",\"weak: <b>&\"\"x\"\", 'y'\",", "csv: comma and quotes quoted, quotes doubled");
    contains(csv, ",'-1 staples,", "csv: a cell starting with - is defused");
    contains(csv, "WAIVED,client certificates not checked,mTLS,,reason: legacy clients; until: 2027-01-01,A-\r\n",
             "csv: waiver and grade columns");
    contains(csv, ",327,", "csv: cwe column");
    contains(csv, "b.example:443,b.example,443,192.0.2.2,,,unreachable,,,,ERROR,connect failed,,,,\r\n",
             "csv: endpoint without verdicts: one row, empty requirement, its error");
    free(csv);

    char *xml = render(report_writer_by_name("junit"), doc);
    contains(xml, "<testsuites name=\"tlsprobe\" tests=\"7\" failures=\"1\" errors=\"2\" skipped=\"3\"",
             "junit: totals (WAIVED, MANUAL, NOT_APPLICABLE skipped; unreachable endpoint an error)");
    contains(xml, "<testsuite name=\"a.example:443\" tests=\"6\" failures=\"1\" errors=\"1\" skipped=\"3\" time=\"1.500\"",
             "junit: testsuite counts and time");
    contains(xml, "<testcase classname=\"tlsprobe.a.example:443\" name=\"12.1.2 Strong suites\" time=\"0\">",
             "junit: testcase classname and name");
    contains(xml, "<failure message=\"weak: &lt;b&gt;&amp;&quot;x&quot;, &#39;y&#39;\" type=\"FAIL\">",
             "junit: failure message escaped");
    contains(xml, "<skipped message=\"WAIVED: client certificates not checked\">", "junit: waived is skipped");
    contains(xml, "waiver: reason: legacy clients; until: 2027-01-01</skipped>", "junit: waiver in the body");
    contains(xml, "<error message=\"bad \\xff byte\\x01 here\" type=\"ERROR\">", "junit: invalid UTF-8 and control shown as \\xHH");
    contains(xml, "<property name=\"grade\" value=\"A-\"/>", "junit: grade property");
    contains(xml, "name=\"reachable\" time=\"0\">\n      <error message=\"connect failed\" type=\"unreachable\"/>",
             "junit: endpoint without verdicts: a reachable testcase in error");
    lacks(xml, "\x01", "junit: no control character");
    free(xml);

    char *html = render(report_writer_by_name("html"), doc);
    contains(html, "<th>Grade</th>", "html: grade column when an endpoint has a grade");
    contains(html, ">A-</td>", "html: the grade letter");
    contains(html, "class=\"r r-waived\" data-requirement=\"12.1.3\" title=\"client certificates not checked\">WAIVED</td>",
             "html: waived cell");
    contains(html, "class=\"r r-not_applicable\" data-requirement=\"12.2.1\" title=\"not HTTP\">N/A</td>", "html: N/A cell");
    contains(html, "class=\"r r-none\" data-requirement=\"12.1.1\" title=\"no verdict\">", "html: no verdict cell");
    contains(html, "weak: &lt;b&gt;&amp;&quot;x&quot;, &#39;y&#39;", "html: evidence escaped");
    contains(html, "waiver: reason: legacy clients; until: 2027-01-01", "html: waiver shown");
    contains(html, "cwe: 327", "html: cwe shown");
    lacks(html, "<script", "html: no script");
    lacks(html, "<b>", "html: no markup from the document");
    free(html);

    char *jsonl = render(report_writer_by_name("jsonl"), doc);
    check(count(jsonl, "\n") == 4, "jsonl: 4 lines", jsonl);
    const char *types[] = { "run", "endpoint", "endpoint", "summary" };
    char *save = NULL, *copy = jsonl ? strdup(jsonl) : NULL;
    int i = 0;
    for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line && i < 4; line = strtok_r(NULL, "\n", &save), i++) {
        json_object *o = json_tokener_parse(line);
        char name[64];
        snprintf(name, sizeof name, "jsonl: line %d is a complete %s object", i + 1, types[i]);
        check(o && strcmp(jr_str(o, "type") ? jr_str(o, "type") : "", types[i]) == 0, name, line);
        json_object_put(o);
    }
    contains(jsonl, "{\"type\":\"summary\",\"finished_at\":\"2026-11-23T05:00:09Z\",\"endpoints\":2,",
             "jsonl: summary line");
    free(copy);
    free(jsonl);

    json_object_put(doc);
    printf("%d failed\n", failures);
    return failures ? 1 : 0;
}
