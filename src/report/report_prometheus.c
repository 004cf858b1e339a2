/* Prometheus text exposition format (0.0.4) for node_exporter's textfile collector: per
 * endpoint, days to the soonest leaf's expiry, the grade as a number, the lowest accepted
 * version, failing requirements, warnings, probe duration and whether it was reached; per run,
 * counts, duration and when it finished. -o writes the file atomically, so the collector never
 * reads half of it. A value the report does not know is absent, never 0. The mapping of grades
 * and versions to numbers is documented in man/tlsprobe.1 (PROMETHEUS METRICS). */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_doc.h"
#include "wire.h"

enum family {
    F_UP, F_EXPIRY_DAYS, F_NOT_AFTER, F_GRADE, F_LOWEST_VERSION, F_FAILED, F_WARNINGS, F_DURATION, NFAMILIES
};

static const struct {
    const char *name, *help;
} families[NFAMILIES] = {
    [F_UP] = { "tlsprobe_endpoint_up", "1 when the endpoint was reached and probed, 0 when not" },
    [F_EXPIRY_DAYS] = { "tlsprobe_certificate_expiry_days",
                        "Whole days until the soonest served leaf expires (negative: expired)" },
    [F_NOT_AFTER] = { "tlsprobe_certificate_not_after_timestamp_seconds",
                      "notAfter of the soonest served leaf, Unix time" },
    [F_GRADE] = { "tlsprobe_grade", "Grade as a number: A+ 9, A 8, A- 7, B 6, C 5, D 4, E 3, F 2, T 1, M 0" },
    [F_LOWEST_VERSION] = { "tlsprobe_lowest_version", "Lowest accepted protocol version, wire code: "
                                                      "SSLv2 2, SSLv3 768, TLSv1.0 769 .. TLSv1.3 772" },
    [F_FAILED] = { "tlsprobe_failed_requirements", "Requirements whose verdict is FAIL" },
    [F_WARNINGS] = { "tlsprobe_warnings", "Warnings (--expiry-warn)" },
    [F_DURATION] = { "tlsprobe_probe_duration_seconds", "Wall time of the endpoint's probes" },
};

/* Each family's samples until end: the format wants a family's lines together, endpoints come
 * one at a time. The hooks have no context argument and are called one after another. */
static struct {
    FILE *m[NFAMILIES];
    char *buf[NFAMILIES];
    size_t len[NFAMILIES];
} samples;

static void header(FILE *f, const char *name, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* name="value": the value is escape_prom_label's. */
static void label(FILE *f, const char *name, const char *value, bool first)
{
    fprintf(f, "%s%s=\"", first ? "" : ",", name);
    escape_prom_label(f, value ? value : "");
    fputc('"', f);
}

/* "YYYY-MM-DDTHH:MM:SSZ" as Unix time; -1 when absent or not that. */
static long long iso_seconds(const char *s)
{
    struct tm tm = { 0 };
    const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
    return end && *end == '\0' ? (long long)timegm(&tm) : -1;
}

static int grade_number(const char *letter)
{
    static const char *const order[] = { "M", "T", "F", "E", "D", "C", "B", "A-", "A", "A+" };
    for (int i = 0; letter && i < (int)(sizeof order / sizeof *order); i++)
        if (strcmp(order[i], letter) == 0)
            return i;
    return -1;
}

/* The lowest version accepted, when no lower one is undetermined; 0 when not known. */
static unsigned lowest_version(json_object *versions)
{
    json_object *protocols = jr_at(versions, "protocols");
    if (!jr_status_ok(versions))
        return 0;
    for (size_t i = 0; i < jr_len(protocols); i++) {
        json_object *p = jr_idx(protocols, i), *accepted = jr_at(p, "accepted");
        if (!accepted || !json_object_is_type(accepted, json_type_boolean))
            return 0;
        if (json_object_get_boolean(accepted))
            return wire_version_by_name(jr_str(p, "name"));
    }
    return 0;
}

static int prom_begin(FILE *f, json_object *head, const options_t *opts)
{
    (void)f, (void)head, (void)opts;
    for (int i = 0; i < NFAMILIES; i++) {
        samples.buf[i] = NULL;
        samples.len[i] = 0;
        if (!(samples.m[i] = open_memstream(&samples.buf[i], &samples.len[i])))
            return -1;
    }
    return 0;
}

static void sample(enum family fam, const char *labels, const char *fmt, long long v)
{
    fprintf(samples.m[fam], "%s{%s} ", families[fam].name, labels);
    fprintf(samples.m[fam], fmt, v);
    fputc('\n', samples.m[fam]);
}

static int prom_endpoint(FILE *f, json_object *e, const options_t *opts)
{
    (void)f, (void)opts;
    char *labels = NULL, port[16];
    size_t len = 0;
    FILE *m = open_memstream(&labels, &len);
    if (!m)
        return -1;
    snprintf(port, sizeof port, "%d", json_object_get_int(jr_at(e, "port")));
    label(m, "id", jr_str(e, "id"), true);
    label(m, "target", jr_str(e, "target"), false);
    label(m, "address", jr_str(e, "address"), false);
    label(m, "port", port, false);
    if (fclose(m) != 0)
        return -1;
    json_object *facts = jr_at(e, "facts"), *verdicts = jr_at(e, "verdicts");
    const char *status = jr_str(e, "status");
    sample(F_UP, labels, "%lld", status && strcmp(status, "ok") == 0);
    long long days = 0, not_after = -1;
    json_object *leaf = NULL;
    if (doc_soonest_leaf(jr_at(facts, "certificate"), &days, &leaf)) {
        not_after = iso_seconds(jr_str(leaf, "not_after"));
        sample(F_EXPIRY_DAYS, labels, "%lld", days);
        if (not_after >= 0)
            sample(F_NOT_AFTER, labels, "%lld", not_after);
    }
    int grade = grade_number(jr_str(jr_at(e, "grade"), "grade"));
    if (grade >= 0)
        sample(F_GRADE, labels, "%lld", grade);
    unsigned lowest = lowest_version(jr_at(facts, "versions"));
    if (lowest)
        sample(F_LOWEST_VERSION, labels, "%lld", lowest);
    long long failed = 0;
    for (size_t i = 0; i < jr_len(verdicts); i++)
        failed += jr_eq(jr_str(jr_idx(verdicts, i), "result"), "FAIL");
    sample(F_FAILED, labels, "%lld", failed);
    sample(F_WARNINGS, labels, "%lld", (long long)jr_len(jr_at(e, "warnings")));
    long long ms = json_object_get_int64(jr_at(e, "duration_ms"));
    fprintf(samples.m[F_DURATION], "%s{%s} %lld.%03lld\n", families[F_DURATION].name, labels, ms / 1000, ms % 1000);
    free(labels);
    return 0;
}

/* The run's families, then each endpoint family with its samples (none: HELP and TYPE only). */
static int prom_end(FILE *f, json_object *head, const options_t *opts)
{
    (void)opts;
    json_object *sum = jr_at(head, "summary");
    static const struct {
        const char *key, *name, *help;
    } counts[] = {
        { "endpoints", "tlsprobe_run_endpoints", "Endpoints in the run" },
        { "failed", "tlsprobe_run_failed", "Endpoints whose result is FAIL" },
        { "errors", "tlsprobe_run_errors", "Endpoints whose result is ERROR (not reached or a verdict ERROR)" },
        { "warnings", "tlsprobe_run_warnings", "Endpoints with a warning" },
        { "not_probed", "tlsprobe_run_not_probed", "Targets a stopped sweep did not finish" },
    };
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
        header(f, counts[i].name, counts[i].help);
        fprintf(f, "%s %d\n", counts[i].name, json_object_get_int(jr_at(sum, counts[i].key)));
    }
    header(f, "tlsprobe_run_incomplete", "Whether the sweep was stopped before every target was probed (1) or not (0)");
    fprintf(f, "tlsprobe_run_incomplete %d\n", json_object_get_boolean(jr_at(head, "incomplete")));
    long long started = iso_seconds(jr_str(head, "started_at")), finished = iso_seconds(jr_str(head, "finished_at"));
    if (started >= 0 && finished >= started) {
        header(f, "tlsprobe_run_duration_seconds", "Wall time of the run (whole seconds)");
        fprintf(f, "tlsprobe_run_duration_seconds %lld\n", finished - started);
        header(f, "tlsprobe_run_last_timestamp_seconds", "When the run finished, Unix time");
        fprintf(f, "tlsprobe_run_last_timestamp_seconds %lld\n", finished);
    }
    int rc = 0;
    for (int i = 0; i < NFAMILIES; i++) {
        rc |= !samples.m[i] || fclose(samples.m[i]) != 0;
        samples.m[i] = NULL;
        header(f, families[i].name, families[i].help);
        if (samples.buf[i])
            fwrite(samples.buf[i], 1, samples.len[i], f);
        free(samples.buf[i]);
        samples.buf[i] = NULL;
    }
    return rc || ferror(f) ? -1 : 0;
}

const report_writer_t report_writer_prometheus = {
    .name = "prometheus",
    .help = "node_exporter textfile metrics: expiry, grade, lowest version, failures",
    .begin = prom_begin,
    .endpoint = prom_endpoint,
    .end = prom_end,
};
