/* JUnit XML writer (the Jenkins / Maven Surefire dialect CI servers read): one <testsuite>
 * per endpoint, one <testcase> per requirement. FAIL is a <failure>, ERROR an <error>,
 * NOT_APPLICABLE, MANUAL and WAIVED are <skipped>, PASS has no child. An endpoint without
 * verdicts (unresolved, unreachable) gets one "reachable" testcase in error, so the CI gate
 * still shows it. A warning (--expiry-warn) is a testcase "warning ID" whose text is its
 * <system-out>, or a <failure type="warning"> when --fail-on warn counts it ("fails").
 * tests/schema/junit.xsd is the schema the tests validate this against. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "report_doc.h"

typedef struct counts {
    int tests, failures, errors, skipped;
} counts_t;

typedef enum { CASE_PASS, CASE_FAILURE, CASE_ERROR, CASE_SKIPPED } case_kind_t;

static case_kind_t case_kind(const char *result)
{
    if (!result || strcmp(result, "ERROR") == 0)
        return CASE_ERROR;
    if (strcmp(result, "PASS") == 0)
        return CASE_PASS;
    if (strcmp(result, "FAIL") == 0)
        return CASE_FAILURE;
    /* NOT_APPLICABLE, MANUAL, WAIVED, and any result a later version adds. */
    return CASE_SKIPPED;
}

static void count_endpoint(json_object *e, counts_t *c)
{
    json_object *verdicts = jr_at(e, "verdicts");
    size_t n = jr_len(verdicts);
    if (n == 0) {
        c->tests++;
        c->errors += strcmp(jr_str(e, "status") ? jr_str(e, "status") : "", "ok") != 0;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        case_kind_t k = case_kind(jr_str(jr_idx(verdicts, i), "result"));
        c->tests++;
        c->failures += k == CASE_FAILURE;
        c->errors += k == CASE_ERROR;
        c->skipped += k == CASE_SKIPPED;
    }
    json_object *warnings = jr_at(e, "warnings");
    for (size_t i = 0; i < jr_len(warnings); i++) {
        c->tests++;
        c->failures += json_object_get_boolean(jr_at(jr_idx(warnings, i), "fails"));
    }
}

static void attr(FILE *f, const char *name, const char *value)
{
    fprintf(f, " %s=\"", name);
    escape_markup(f, value);
    fputc('"', f);
}

static void property_text(FILE *f, const char *name, const char *text)
{
    if (!text || !*text)
        return;
    fputs("      <property", f);
    attr(f, "name", name);
    attr(f, "value", text);
    fputs("/>\n", f);
}

static void property(FILE *f, const char *name, json_object *value)
{
    char *text = doc_value_text(value);
    property_text(f, name, text);
    free(text);
}

/* The element's body: the evidence, then every other member of the verdict (cwe, waiver...). */
static void case_body(FILE *f, json_object *v)
{
    escape_markup(f, jr_str(v, "evidence"));
    json_object_object_foreach(v, key, val) {
        char *text;
        if (doc_verdict_core_member(key) || !(text = doc_value_text(val)))
            continue;
        fputc('\n', f);
        escape_markup(f, key);
        fputs(": ", f);
        escape_markup(f, text);
        free(text);
    }
}

static void write_case(FILE *f, const char *classname, json_object *v)
{
    const char *result = jr_str(v, "result");
    char *name = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&name, &len);
    if (m) {
        fprintf(m, "%s %s", jr_str(v, "id") ? jr_str(v, "id") : "?", jr_str(v, "title") ? jr_str(v, "title") : "");
        fclose(m);
    }
    fputs("    <testcase", f);
    attr(f, "classname", classname);
    attr(f, "name", name ? name : "?");
    fputs(" time=\"0\"", f);
    free(name);
    static const char *const element[] = { NULL, "failure", "error", "skipped" };
    case_kind_t k = case_kind(result);
    if (k == CASE_PASS) {
        fputs("/>\n", f);
        return;
    }
    fprintf(f, ">\n      <%s", element[k]);
    if (k == CASE_SKIPPED) {
        /* The message says which kind of skip it is: not applicable, manual or waived. */
        char *msg = NULL;
        size_t mlen = 0;
        FILE *mm = open_memstream(&msg, &mlen);
        if (mm) {
            fprintf(mm, "%s: %s", result ? result : "?", jr_str(v, "evidence") ? jr_str(v, "evidence") : "");
            fclose(mm);
        }
        attr(f, "message", msg ? msg : "");
        free(msg);
    } else {
        attr(f, "message", jr_str(v, "evidence"));
        attr(f, "type", result ? result : "ERROR");
    }
    fputc('>', f);
    case_body(f, v);
    fprintf(f, "</%s>\n    </testcase>\n", element[k]);
}

static void write_warning(FILE *f, const char *classname, json_object *w)
{
    const char *id = jr_str(w, "id") ? jr_str(w, "id") : "?", *text = jr_str(w, "text");
    fprintf(f, "    <testcase");
    attr(f, "classname", classname);
    fprintf(f, " name=\"warning ");
    escape_markup(f, id);
    fputs("\" time=\"0\">\n", f);
    if (json_object_get_boolean(jr_at(w, "fails"))) {
        fputs("      <failure", f);
        attr(f, "message", text);
        fputs(" type=\"warning\">", f);
        escape_markup(f, text);
        fputs("</failure>\n", f);
    } else {
        fputs("      <system-out>", f);
        escape_markup(f, text);
        fputs("</system-out>\n", f);
    }
    fputs("    </testcase>\n", f);
}

static void write_suite(FILE *f, json_object *e, size_t index, const char *timestamp)
{
    counts_t c = { 0 };
    count_endpoint(e, &c);
    const char *target = jr_str(e, "target") ? jr_str(e, "target") : "?";
    char seconds[32];
    snprintf(seconds, sizeof seconds, "%.3f", (double)json_object_get_int64(jr_at(e, "duration_ms")) / 1000.0);
    fputs("  <testsuite", f);
    attr(f, "name", target);
    fprintf(f, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%s\"", c.tests, c.failures,
            c.errors, c.skipped, seconds);
    attr(f, "timestamp", timestamp);
    if (jr_str(e, "host"))
        attr(f, "hostname", jr_str(e, "host"));
    fprintf(f, " id=\"%zu\" package=\"tlsprobe\">\n    <properties>\n", index);
    static const char *const shown[] = { "host", "port", "address", "sni", "service", "origin", "tags",
                                         "status", "error", "result", "connections" };
    for (size_t i = 0; i < sizeof shown / sizeof *shown; i++)
        property(f, shown[i], jr_at(e, shown[i]));
    char grade[600];
    property_text(f, "grade", doc_grade_text(e, grade, sizeof grade));
    fputs("    </properties>\n", f);

    char *classname = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&classname, &len);
    if (m) {
        fprintf(m, "tlsprobe.%s", target);
        fclose(m);
    }
    json_object *verdicts = jr_at(e, "verdicts");
    for (size_t i = 0; i < jr_len(verdicts); i++)
        write_case(f, classname ? classname : "tlsprobe", jr_idx(verdicts, i));
    json_object *warnings = jr_at(e, "warnings");
    for (size_t i = 0; i < jr_len(warnings); i++)
        write_warning(f, classname ? classname : "tlsprobe", jr_idx(warnings, i));
    if (jr_len(verdicts) == 0) {
        fputs("    <testcase", f);
        attr(f, "classname", classname ? classname : "tlsprobe");
        fputs(" name=\"reachable\" time=\"0\"", f);
        const char *status = jr_str(e, "status");
        if (status && strcmp(status, "ok") == 0) {
            fputs("/>\n", f);
        } else {
            fputs(">\n      <error", f);
            attr(f, "message", jr_str(e, "error") ? jr_str(e, "error") : status);
            attr(f, "type", status ? status : "error");
            fputs("/>\n    </testcase>\n", f);
        }
    }
    free(classname);
    fputs("  </testsuite>\n", f);
}

/* The root element's counts add up every endpoint's, and come first: the suites wait in a
 * scratch file until the end. One document at a time. */
static struct {
    FILE *suites;
    counts_t total;
    long long ms;
    size_t index;
    char *timestamp;
} run;

static void run_free(void)
{
    if (run.suites)
        fclose(run.suites);
    free(run.timestamp);
    memset(&run, 0, sizeof run);
}

static int junit_begin(FILE *f, json_object *head, const options_t *opts)
{
    (void)f;
    (void)opts;
    run_free();
    run.suites = report_scratch_file();
    const char *started = jr_str(head, "started_at");
    run.timestamp = started ? strdup(started) : NULL;
    if (!run.suites || (started && !run.timestamp)) {
        run_free();
        return -1;
    }
    return 0;
}

static int junit_endpoint(FILE *f, json_object *e, const options_t *opts)
{
    (void)f;
    (void)opts;
    count_endpoint(e, &run.total);
    run.ms += json_object_get_int64(jr_at(e, "duration_ms"));
    write_suite(run.suites, e, run.index++, run.timestamp);
    return ferror(run.suites) ? -1 : 0;
}

static int junit_end(FILE *f, json_object *head, const options_t *opts)
{
    (void)opts;
    if (!run.suites)
        return -1;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tlsprobe\"", f);
    int stopped = json_object_get_boolean(jr_at(head, "incomplete"));
    fprintf(f, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\"", run.total.tests + stopped,
            run.total.failures, run.total.errors + stopped, run.total.skipped, (double)run.ms / 1000.0);
    attr(f, "timestamp", jr_str(head, "started_at"));
    fputs(">\n", f);
    int rc = report_scratch_copy(run.suites, f);
    char why[160];
    /* A stopped sweep is an error a CI gate sees, not a smaller clean run. */
    if (doc_incomplete_text(head, why, sizeof why)) {
        fputs("  <testsuite name=\"tlsprobe sweep\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"
              "    <testcase classname=\"tlsprobe\" name=\"sweep complete\">\n      <error", f);
        attr(f, "message", why);
        fputs("/>\n    </testcase>\n  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    run_free();
    return ferror(f) || rc ? -1 : 0;
}

const report_writer_t report_writer_junit = {
    .name = "junit",
    .help = "JUnit XML: one testsuite per endpoint, one testcase per requirement",
    .begin = junit_begin,
    .endpoint = junit_endpoint,
    .end = junit_end,
};
