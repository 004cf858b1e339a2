/* `tlsprobe diff [--format text|json] [--expiry-days N] [-o FILE] OLD NEW`: what changed between
 * two saved reports (JSON or JSONL), as text or as a JSON document; exit 1 on a regression so
 * that a cron job alerts on it. Strings from the reports are escaped (escape.h) in both. */
#include "diff_cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escape.h"
#include "output_check.h"
#include "json_read.h"
#include "report.h"

static const char diff_usage[] =
    "usage: tlsprobe diff [--format text|json] [--expiry-days N] [-o FILE] OLD NEW\n"
    "  OLD, NEW: reports (--format json or jsonl). Exit 0 no regression, 1 a regression, 2 bad input.\n";

/* "null" values read as "none" in text. */
static const char *or_none(json_object *v)
{
    return v ? json_object_get_string(v) : "none";
}

/* A version's accepted value before it was accepted. */
static const char *was(json_object *v)
{
    return !v ? "unknown" : json_object_get_boolean(v) ? "accepted" : "refused";
}

/* The text of one change, after the target. */
static void change_text(json_object *ch, char *buf, size_t len)
{
    const char *kind = jr_str(ch, "kind"), *item = jr_or_q(jr_str(ch, "item")), *change = jr_or_q(jr_str(ch, "change"));
    json_object *o = jr_at(ch, "old"), *n = jr_at(ch, "new");
    if (jr_eq(kind, "endpoint") && jr_eq(change, "gone"))
        snprintf(buf, len, "endpoint gone (was %s)", or_none(o));
    else if (jr_eq(kind, "endpoint"))
        snprintf(buf, len, "endpoint new: %s", or_none(n));
    else if (jr_eq(kind, "requirement"))
        snprintf(buf, len, "requirement %s: %s -> %s (%s)", item, or_none(o), or_none(n), change);
    else if (jr_eq(kind, "result") || jr_eq(kind, "grade"))
        snprintf(buf, len, "%s: %s -> %s (%s)", kind, or_none(o), or_none(n), change);
    else if (jr_eq(kind, "version") && jr_eq(change, "accepted"))
        snprintf(buf, len, "version %s newly accepted (was %s)", item, was(o));
    else if (jr_eq(kind, "version"))
        snprintf(buf, len, "version %s %s (was accepted)", item, change);
    else if (jr_eq(kind, "suite"))
        snprintf(buf, len, "suite %s %s (%s) %s", jr_or_q(jr_str(ch, "version")), item,
                 jr_or_q(jr_str(ch, "class")), jr_eq(change, "accepted") ? "newly accepted" : "dropped");
    else if (jr_eq(kind, "expiring") && n && json_object_get_int(n) < 0)
        snprintf(buf, len, "certificate expired %d days ago", -json_object_get_int(n));
    else if (jr_eq(kind, "expiring"))
        snprintf(buf, len, "certificate expires in %d days", n ? json_object_get_int(n) : 0);
    else
        snprintf(buf, len, "%s%s%s: %s -> %s", jr_or_q(kind), jr_str(ch, "item") ? " " : "",
                 jr_str(ch, "item") ? item : "", or_none(o), or_none(n));
}

/* One line of the text output: everything in it may come from the reports (targets, issuers,
 * file names), so all of it is escape_text's. */
static int put_line(FILE *f, const char *line)
{
    escape_text(f, line);
    return fputc('\n', f) == EOF ? -1 : 0;
}

int diff_write_text(FILE *f, json_object *diff)
{
    json_object *changes = jr_at(diff, "changes"), *sum = jr_at(diff, "summary");
    char line[2048], text[1600];
    snprintf(line, sizeof line, "tlsprobe diff: %s (%s) -> %s (%s)", jr_or_q(jr_str(jr_at(diff, "old"), "file")),
             jr_or_q(jr_str(jr_at(diff, "old"), "started_at")), jr_or_q(jr_str(jr_at(diff, "new"), "file")),
             jr_or_q(jr_str(jr_at(diff, "new"), "started_at")));
    int bad = put_line(f, line);
    for (size_t i = 0; i < jr_len(changes); i++) {
        json_object *ch = jr_idx(changes, i);
        change_text(ch, text, sizeof text);
        snprintf(line, sizeof line, "%s: %s%s", jr_or_q(jr_str(ch, "target")),
                 jr_bool_is(ch, "regression", true) ? "! " : "  ", text);
        bad |= put_line(f, line);
    }
    if (jr_len(changes) == 0)
        bad |= fputs("no changes\n", f) < 0;
    else {
        size_t n = jr_len(changes);
        int r = json_object_get_int(jr_at(sum, "regressions"));
        bad |= fprintf(f, "%zu change%s, %d regression%s (marked !); %d endpoints gone, %d new\n", n, n == 1 ? "" : "s",
                       r, r == 1 ? "" : "s", json_object_get_int(jr_at(sum, "endpoints_gone")),
                       json_object_get_int(jr_at(sum, "endpoints_new"))) < 0;
    }
    return bad ? -1 : 0;
}

typedef struct diff_out {
    json_object *diff;
    bool json;
} diff_out_t;

static int write_diff(FILE *f, void *arg)
{
    diff_out_t *d = arg;
    if (!d->json)
        return diff_write_text(f, d->diff);
    size_t jlen, len;
    const char *js = json_object_to_json_string_length(
        d->diff, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE, &jlen);
    char *s = js ? escape_json_text(js, jlen, &len) : NULL;
    int rc = !s || fwrite(s, 1, len, f) != len || fputc('\n', f) == EOF ? -1 : 0;
    free(s);
    return rc;
}

/* N in 0..3650, the range of --expiry-warn. */
static bool parse_days(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0 || v > 3650)
        return false;
    *out = (int)v;
    return true;
}

/* Options into opts, *json and *days; optind left on OLD. 0, 1 (--help done) or -1. */
static int parse_args(int argc, char **argv, options_t *opts, bool *json, int *days)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'F' },  { "output", required_argument, NULL, 'o' },
        { "expiry-days", required_argument, NULL, 'E' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'F':
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
                fprintf(stderr, "tlsprobe: diff: --format: '%s' is not text or json\n", optarg);
                return -1;
            }
            *json = strcmp(optarg, "json") == 0;
            break;
        case 'E':
            if (!parse_days(optarg, days)) {
                fprintf(stderr, "tlsprobe: diff: --expiry-days: '%s' is not a number of days (0-3650)\n", optarg);
                return -1;
            }
            break;
        case 'o': opts->output_path = optarg; break;
        case 'h': fputs(diff_usage, stdout); return 1;
        default: fputs(diff_usage, stderr); return -1;
        }
    }
    if (optind != argc - 2) {
        fputs(diff_usage, stderr);
        return -1;
    }
    return 0;
}

int diff_main(int argc, char **argv)
{
    options_t opts;
    cli_set_defaults(&opts);
    bool json = false;
    int days = opts.expiry_warn_days;
    int rc = parse_args(argc, argv, &opts, &json, &days);
    if (rc != 0)
        return rc > 0 ? EXIT_PASSED : EXIT_USAGE;
    const char *old_path = argv[optind], *new_path = argv[optind + 1];
    const output_input_t inputs[] = { { "the old report", old_path }, { "the new report", new_path } };
    if (opts.output_path && (output_not_an_input("tlsprobe: diff: ", opts.output_path, inputs, 2) != 0 ||
                             output_writable("tlsprobe: diff: ", opts.output_path, false) != 0))
        return EXIT_USAGE;
    report_file_t old, new_;
    char err[1024];
    if (report_read(old_path, &old, err, sizeof err) != 0) {
        fprintf(stderr, "tlsprobe: diff: %s\n", err);
        return EXIT_USAGE;
    }
    if (report_read(new_path, &new_, err, sizeof err) != 0) {
        fprintf(stderr, "tlsprobe: diff: %s\n", err);
        report_file_free(&old);
        return EXIT_USAGE;
    }
    diff_out_t out = { diff_reports(&old, old_path, &new_, new_path, days), json };
    int status = EXIT_USAGE;
    if (!out.diff)
        fprintf(stderr, "tlsprobe: diff: out of memory\n");
    else if (report_output(&opts, write_diff, &out, err, sizeof err) != 0)
        fprintf(stderr, "tlsprobe: diff: %s\n", err);
    else
        status = jr_bool_is(out.diff, "regression", true) ? EXIT_REQUIREMENT_FAILED : EXIT_PASSED;
    json_object_put(out.diff);
    report_file_free(&old);
    report_file_free(&new_);
    return status;
}
