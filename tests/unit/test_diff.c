/* The comparison of `tlsprobe diff` and the join of `tlsprobe merge` on small report literals:
 * each kind of change found and flagged as a regression exactly when the man page says, and the
 * report reader (JSON and JSONL) refusing what is not a report with FILE:LINE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_cmd.h"
#include "json_read.h"
#include "merge_cmd.h"
#include "report_read.h"
#include "unit_check.h"

#define HEAD "{\"schema\":\"tlsprobe-report\",\"schema_version\":\"2.1\",\"started_at\":\"2026-01-01T00:00:00Z\"," \
             "\"finished_at\":\"2026-01-01T00:01:00Z\",\"endpoints\":["
#define EP(id, rest) "{\"id\":\"" id "\",\"index\":0,\"target\":\"" id "\",\"status\":\"ok\",\"result\":\"PASS\"" rest "}"

static report_file_t parse(const char *text)
{
    report_file_t r;
    char err[512];
    if (report_read_text(text, strlen(text), "lit", &r, err, sizeof err) != 0) {
        printf("not ok - parse a literal: %s\n", err);
        exit(1);
    }
    return r;
}

/* The diff of two reports of one endpoint each (endpoint members after id...result). */
static json_object *diff_of(const char *old_ep, const char *new_ep, int days)
{
    char a[4096], b[4096];
    snprintf(a, sizeof a, HEAD "%s]}", old_ep);
    snprintf(b, sizeof b, HEAD "%s]}", new_ep);
    report_file_t o = parse(a), n = parse(b);
    json_object *d = diff_reports(&o, "old", &n, "new", days);
    report_file_free(&o);
    report_file_free(&n);
    return d;
}

/* The change of kind (and item, when given), or NULL. */
static json_object *change(json_object *d, const char *kind, const char *item)
{
    json_object *ch = jr_at(d, "changes");
    for (size_t i = 0; i < jr_len(ch); i++)
        if (jr_eq(jr_str(jr_idx(ch, i), "kind"), kind) && (!item || jr_eq(jr_str(jr_idx(ch, i), "item"), item)))
            return jr_idx(ch, i);
    return NULL;
}

static bool is(json_object *ch, const char *what, bool regression)
{
    return ch && jr_eq(jr_str(ch, "change"), what) && jr_bool_is(ch, "regression", regression);
}

static size_t nchanges(json_object *d)
{
    return jr_len(jr_at(d, "changes"));
}

#define VERS(v10, v13) ",\"facts\":{\"versions\":{\"protocols\":[{\"name\":\"TLSv1.0\",\"accepted\":" v10 "}," \
                       "{\"name\":\"TLSv1.3\",\"accepted\":" v13 "}]}}"
#define SUITES(complete, list) ",\"facts\":{\"ciphers\":{\"protocols\":[{\"name\":\"TLSv1.2\",\"complete\":" complete \
                               ",\"suites\":[" list "]}]}}"
#define GCM "{\"name\":\"GCM\",\"class\":\"recommended\"}"
#define CBC "{\"name\":\"CBC\",\"class\":\"weak\"}"
#define CERT(sha, days) ",\"facts\":{\"certificate\":{\"days_to_expiry\":" days ",\"chain\":[{\"sha256\":\"" sha \
                        "\",\"issuer\":\"CN=ca\",\"not_after\":\"2027\"}]}}"
#define VERDICT(r) ",\"verdicts\":[{\"id\":\"12.1.1\",\"result\":\"" r "\"}]"

static void test_requirements_and_grade(void)
{
    json_object *d = diff_of(EP("a", VERDICT("PASS")), EP("a", VERDICT("PASS")), 30);
    check(d && nchanges(d) == 0 && jr_bool_is(d, "regression", false), "same report: no change, no regression",
          "%zu changes", nchanges(d));
    json_object_put(d);
    d = diff_of(EP("a", VERDICT("PASS")), EP("a", VERDICT("FAIL")), 30);
    check(is(change(d, "requirement", "12.1.1"), "new failure", true) && jr_bool_is(d, "regression", true),
          "PASS -> FAIL: a new failure, a regression", "%s", json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", VERDICT("ERROR")), EP("a", VERDICT("PASS")), 30);
    check(is(change(d, "requirement", "12.1.1"), "new pass", false) && jr_bool_is(d, "regression", false),
          "ERROR -> PASS: a new pass, no regression", "%s", json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", VERDICT("NOT_APPLICABLE")), EP("a", VERDICT("ERROR")), 30);
    check(is(change(d, "requirement", "12.1.1"), "new error", true), "NOT_APPLICABLE -> ERROR: a new error, a regression",
          "%s", json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", ",\"grade\":{\"grade\":\"A\"}"), EP("a", ",\"grade\":{\"grade\":\"B\"}"), 30);
    check(is(change(d, "grade", NULL), "down", true), "grade A -> B: down, a regression", "%s", json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", ",\"grade\":{\"grade\":\"T\"}"), EP("a", ",\"grade\":{\"grade\":\"A+\"}"), 30);
    check(is(change(d, "grade", NULL), "up", false), "grade T -> A+: up", "%s", json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", ",\"grade\":{\"grade\":\"F\"}"), EP("a", ",\"grade\":{\"grade\":null}"), 30);
    check(is(change(d, "grade", NULL), "down", true), "grade F -> no grade: down (unknown is never better)", "%s",
          json_object_to_json_string(d));
    json_object_put(d);
}

static void test_versions_and_suites(void)
{
    json_object *d = diff_of(EP("a", VERS("false", "true")), EP("a", VERS("true", "null")), 30);
    check(is(change(d, "version", "TLSv1.0"), "accepted", true), "TLS 1.0 newly accepted: a regression", "%s",
          json_object_to_json_string(d));
    check(is(change(d, "version", "TLSv1.3"), "undetermined", false), "TLS 1.3 accepted -> unknown: undetermined", "%s",
          json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", VERS("true", "false")), EP("a", VERS("false", "true")), 30);
    check(is(change(d, "version", "TLSv1.3"), "accepted", false) && is(change(d, "version", "TLSv1.0"), "dropped", false) &&
              jr_bool_is(d, "regression", false),
          "TLS 1.3 newly accepted, TLS 1.0 dropped: no regression", "%s", json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", VERS("null", "true")), EP("a", VERS("false", "true")), 30);
    check(nchanges(d) == 0, "unknown -> refused is not a change of what is accepted", "%s", json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", SUITES("true", GCM)), EP("a", SUITES("true", CBC)), 30);
    check(is(change(d, "suite", "CBC"), "accepted", true) && is(change(d, "suite", "GCM"), "dropped", false) &&
              jr_eq(jr_str(change(d, "suite", "CBC"), "version"), "TLSv1.2"),
          "weak suite newly accepted: a regression; the other dropped", "%s", json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", SUITES("true", CBC "," GCM)), EP("a", SUITES("false", CBC)), 30);
    check(nchanges(d) == 0, "a suite missing from an incomplete enumeration is not dropped", "%s",
          json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", SUITES("true", CBC)), EP("a", SUITES("true", CBC "," GCM)), 30);
    check(is(change(d, "suite", "GCM"), "accepted", false) && jr_bool_is(d, "regression", false),
          "recommended suite newly accepted: no regression", "%s", json_object_to_json_string(d));
    json_object_put(d);
}

static void test_certificates_and_endpoints(void)
{
    json_object *d = diff_of(EP("a", CERT("aa", "300")), EP("a", CERT("bb", "20")), 30);
    check(is(change(d, "certificate", "sha256"), "changed", false) && !change(d, "certificate", "issuer"),
          "leaf fingerprint changed, issuer not", "%s", json_object_to_json_string(d));
    check(is(change(d, "expiring", NULL), "expiring", true), "leaf now within 30 days: a regression", "%s",
          json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", CERT("aa", "25")), EP("a", CERT("aa", "20")), 30);
    check(is(change(d, "expiring", NULL), "expiring", false) && jr_bool_is(d, "regression", false),
          "leaf already within the window: listed, not a new regression", "%s", json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", CERT("aa", "25")), EP("a", CERT("aa", "20")), 10);
    check(nchanges(d) == 0, "--expiry-days 10: 20 days is outside", "%s", json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", ""), EP("b", ""), 30);
    check(is(change(d, "endpoint", NULL), "new", false) && jr_bool_is(d, "regression", true) &&
              json_object_get_int(jr_at(jr_at(d, "summary"), "endpoints_gone")) == 1,
          "a gone, b new: the gone one is a regression", "%s", json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", ""), EP("a", ",\"status\":\"unreachable\"") "," EP("a", VERDICT("FAIL")), 30);
    check(nchanges(d) == 1 && is(change(d, "requirement", "12.1.1"), "new failure", true),
          "an endpoint listed twice in NEW counts once, as its last copy", "%s", json_object_to_json_string(d));
    json_object_put(d);
    d = diff_of(EP("a", ""), EP("a", ",\"status\":\"unreachable\""), 30);
    check(is(change(d, "status", NULL), "changed", true), "status ok -> unreachable: a regression", "%s",
          json_object_to_json_string(d));
    json_object_put(d);
    /* 2.0 reports have no id: target, sni and port match them. */
    const char *old20 = HEAD "{\"target\":\"h:1\",\"port\":1,\"sni\":\"h\",\"result\":\"PASS\"}]}";
    const char *new20 = HEAD "{\"target\":\"h:1\",\"port\":1,\"sni\":\"h\",\"result\":\"FAIL\"}]}";
    report_file_t o = parse(old20), n = parse(new20);
    d = diff_reports(&o, "o", &n, "n", 30);
    check(is(change(d, "result", NULL), "new failure", true) && !change(d, "endpoint", NULL),
          "no id: matched by target, sni and port", "%s", json_object_to_json_string(d));
    json_object_put(d);
    report_file_free(&o);
    report_file_free(&n);
}

#define RUNLINE "{\"type\":\"run\",\"schema\":\"tlsprobe-report\",\"schema_version\":\"2.1\",\"started_at\":\"%s\"}\n"
#define EPLINE "{\"type\":\"endpoint\",\"id\":\"%s\",\"index\":%d,\"status\":\"ok\",\"result\":\"%s\"}\n"
#define SUMLINE "{\"type\":\"summary\",\"finished_at\":\"%s\",\"endpoints\":9}\n"

/* Whether text is refused, with "lit:LINE" in the message when line > 0. */
static bool refused(const char *text, int line)
{
    report_file_t r;
    char err[512] = "", want[32];
    int rc = report_read_text(text, strlen(text), "lit", &r, err, sizeof err);
    snprintf(want, sizeof want, "lit:%d:", line);
    if (rc == 0)
        report_file_free(&r);
    return rc != 0 && (line == 0 || strstr(err, want));
}

static void test_reader(void)
{
    char text[1024];
    snprintf(text, sizeof text, RUNLINE EPLINE SUMLINE, "2026-01-01T00:00:00Z", "x", 1, "FAIL", "2026-01-01T00:02:00Z");
    report_file_t r = parse(text);
    check(r.jsonl && !r.truncated && json_object_array_length(r.endpoints) == 1 &&
              !jr_has(jr_idx(r.endpoints, 0), "type") && jr_eq(jr_str(r.head, "finished_at"), "2026-01-01T00:02:00Z") &&
              json_object_get_int(jr_at(jr_at(r.head, "summary"), "endpoints")) == 9,
          "JSONL: endpoints without type, finished_at and summary from the summary line", "%s",
          json_object_to_json_string(r.head));
    report_file_free(&r);
    check(refused("{\"schema\":\"other\",\"schema_version\":\"2.1\",\"endpoints\":[]}", 0), "another schema: refused", "");
    check(refused("{\"schema\":\"tlsprobe-report\",\"schema_version\":\"3.0\",\"endpoints\":[]}", 0),
          "another major version: refused", "");
    check(refused(HEAD "{\"verdicts\":[{\"result\":\"PASS\"}]}]}", 0), "a verdict without id: refused", "");
    check(refused(HEAD "{\"index\":\"1\"}]}", 0), "an index that is not a number: refused", "");
    check(refused("{\"schema\":\n\"tlsprobe-report\",\n", 3), "cut JSON: refused at its last line", "");
    snprintf(text, sizeof text, RUNLINE SUMLINE EPLINE, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "x", 1, "PASS");
    check(refused(text, 3), "JSONL: a line after the summary line: refused, with its line", "");
    snprintf(text, sizeof text, RUNLINE "{\"type\":\"endpoint\",\"tags\":7}\n", "2026-01-01T00:00:00Z");
    check(refused(text, 2), "JSONL: an endpoint of the wrong shape: refused, with its line", "");
    snprintf(text, sizeof text, RUNLINE "not json\n", "2026-01-01T00:00:00Z");
    check(refused(text, 2), "JSONL: a line that is not JSON: refused, with its line", "");
}

static void test_merge(void)
{
    char a[1024], b[1024], err[256] = "";
    snprintf(a, sizeof a, RUNLINE EPLINE EPLINE SUMLINE, "2026-01-01T00:05:00Z", "c", 2, "FAIL", "a", 0, "PASS",
             "2026-01-01T00:06:00Z");
    snprintf(b, sizeof b, RUNLINE EPLINE EPLINE, "2026-01-01T00:01:00Z", "b", 1, "ERROR", "c", 2, "PASS");
    report_file_t in[2] = { parse(a), parse(b) };
    const char *paths[] = { "a", "b" };
    json_object *m = merge_reports(in, paths, 2, err, sizeof err), *eps = jr_at(m, "endpoints"),
                *sum = jr_at(m, "summary");
    check(m && jr_len(eps) == 3 && jr_eq(jr_str(jr_idx(eps, 0), "id"), "a") && jr_eq(jr_str(jr_idx(eps, 1), "id"), "b") &&
              jr_eq(jr_str(jr_idx(eps, 2), "result"), "PASS"),
          "merge: by index, c from the later input", "%s %s", err, m ? json_object_to_json_string(m) : "");
    check(jr_eq(jr_str(m, "started_at"), "2026-01-01T00:01:00Z") && jr_eq(jr_str(m, "finished_at"), "2026-01-01T00:06:00Z"),
          "merge: earliest start, latest finish", "%s", m ? json_object_to_json_string(m) : "");
    check(json_object_get_int(jr_at(sum, "endpoints")) == 3 && json_object_get_int(jr_at(sum, "passed")) == 2 &&
              json_object_get_int(jr_at(sum, "errors")) == 1 && json_object_get_int(jr_at(sum, "exit_status")) == 3 &&
              jr_bool_is(m, "incomplete", true),
          "merge: summary counted again (an ERROR: exit 3); b has no summary line: incomplete", "%s",
          sum ? json_object_to_json_string(sum) : "");
    json_object_put(m);
    report_file_free(&in[0]);
    report_file_free(&in[1]);
}

int main(void)
{
    test_requirements_and_grade();
    test_versions_and_suites();
    test_certificates_and_endpoints();
    test_reader();
    test_merge();
    return failures ? 1 : 0;
}
