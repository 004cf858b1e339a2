/* HTML writer: one self-contained page (inline CSS, no script, no external resource; a
 * Content-Security-Policy forbids loading any) with the targets × requirements matrix and
 * then each endpoint's details, each probe's in its own sections (its render_html, with the
 * pen defined here). Everything from the document is escaped. */
#include "report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "render.h"
#include "report_doc.h"
#include "report_overview.h"

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b;background:#fff}"
    "h1{font-size:1.5em}h2{font-size:1.25em;margin-top:2em}h3{font-size:1.05em;margin:1.2em 0 .4em}"
    "table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
    "thead th{background:#f0f0f0}table.kv th{background:#f7f7f7;font-weight:600;white-space:nowrap}"
    ".matrix td.r{text-align:center;font-weight:600;white-space:nowrap}"
    ".r-pass{background:#d7f5dd;color:#0b5d1e}.r-fail{background:#fbd5d5;color:#8b0000}"
    ".r-error{background:#ffe9b3;color:#6b4500}.r-not_applicable{background:#eee;color:#555}"
    ".r-manual{background:#dbe9ff;color:#113f7a}.r-waived{background:#efe0ff;color:#4b1d78}"
    ".r-none{background:#fafafa;color:#999}.r-other{background:#eee;color:#333}"
    ".badge{display:inline-block;padding:0 .4em;border-radius:3px;font-weight:600}"
    ".c-recommended{color:#0b5d1e}.c-acceptable{color:#333}.c-weak{color:#8a5a00;font-weight:600}"
    ".c-insecure{color:#8b0000;font-weight:700}"
    "code,pre{font:12px/1.3 ui-monospace,monospace}pre{background:#f7f7f7;padding:.5em;overflow:auto;max-height:40em}"
    "section.endpoint{border-top:2px solid #ddd;margin-top:2em}.muted{color:#777}"
    /* The overview's charts (report_html_overview.c). */
    ".overview{display:flex;flex-wrap:wrap;gap:20px}.overview svg{max-width:100%;height:auto;border:1px solid #ddd}"
    ".chart text{font:12px system-ui,sans-serif;fill:#1b1b1b}.chart .heading{font-size:15px;font-weight:600}"
    ".chart .axis{stroke:#777;stroke-width:1}.chart .muted{fill:#666}.chart rect.bar,.chart rect.key{shape-rendering:crispEdges}";

static void esc(FILE *f, const char *s)
{
    escape_markup(f, s);
}

static void esc_attr(FILE *f, const char *s)
{
    escape_markup(f, s);
}

/* json-c's pretty text, line by line: its line breaks are its own (it writes those inside
 * strings as \n), every other character goes through esc. */
static void esc_json_lines(FILE *f, const char *s)
{
    for (const char *nl; s && (nl = strchr(s, '\n')); s = nl + 1) {
        char *line = strndup(s, (size_t)(nl - s));
        esc(f, line ? line : "?");
        free(line);
        fputc('\n', f);
    }
    esc(f, s);
}

/* Escaped display text of any value; "-" when absent or null. */
static void esc_value(FILE *f, json_object *v)
{
    char *text = doc_value_text(v);
    esc(f, text ? text : "-");
    free(text);
}

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

/* A class name from a result: "r-pass", "r-not_applicable"; unknown words become "r-other". */
static void result_class(FILE *f, const char *result)
{
    static const char *const known[] = { "PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "MANUAL", "WAIVED" };
    for (size_t i = 0; result && i < sizeof known / sizeof *known; i++)
        if (strcmp(result, known[i]) == 0) {
            fputs("r-", f);
            for (const char *p = known[i]; *p; p++)
                fputc(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p, f);
            return;
        }
    fputs(result ? "r-other" : "r-none", f);
}

static const char *result_short(const char *result)
{
    return !result ? "\xE2\x80\x94" : strcmp(result, "NOT_APPLICABLE") == 0 ? "N/A" : result;
}

static void badge(FILE *f, const char *result)
{
    fputs("<span class=\"badge ", f);
    result_class(f, result);
    fputs("\">", f);
    esc(f, or_dash(result));
    fputs("</span>", f);
}

static void kv_row(FILE *f, const char *label, json_object *v)
{
    fprintf(f, "<tr><th>%s</th><td>", label);
    esc_value(f, v);
    fputs("</td></tr>\n", f);
}

static void kv_text(FILE *f, const char *label, const char *text)
{
    fprintf(f, "<tr><th>%s</th><td>", label);
    esc(f, or_dash(text));
    fputs("</td></tr>\n", f);
}

/* ---- matrix ---- */

static void matrix_head(FILE *f, json_object *reqs, bool grades)
{
    fputs("<h2 id=\"matrix-title\">Requirements</h2>\n<table class=\"matrix\" id=\"matrix\">\n<thead><tr><th>Target</th>"
          "<th>Result</th>", f);
    if (grades)
        fputs("<th>Grade</th>", f);
    for (size_t j = 0; j < jr_len(reqs); j++) {
        json_object *r = jr_idx(reqs, j);
        fputs("<th class=\"req\" title=\"", f);
        esc_attr(f, or_dash(jr_str(r, "standard")));
        fputs(" ", f);
        esc_attr(f, or_dash(jr_str(r, "title")));
        fputs("\">", f);
        esc(f, jr_str(r, "id"));
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
}

static void matrix_row(FILE *f, json_object *e, size_t i, json_object *reqs, bool grades)
{
    fputs("<tr data-target=\"", f);
    esc_attr(f, jr_str(e, "target"));
    fprintf(f, "\"><th><a href=\"#ep-%zu\">", i + 1);
    esc(f, or_dash(jr_str(e, "target")));
    fputs("</a></th><td class=\"r ", f);
    result_class(f, jr_str(e, "result"));
    fputs("\" title=\"", f);
    esc_attr(f, jr_str(e, "error") ? jr_str(e, "error") : or_dash(jr_str(e, "status")));
    fputs("\">", f);
    esc(f, result_short(jr_str(e, "result")));
    fputs("</td>", f);
    if (grades) {
        char *full = doc_value_text(jr_at(e, "grade"));
        fputs("<td class=\"grade\" title=\"", f);
        esc_attr(f, full ? full : "");
        fputs("\">", f);
        char grade[600];
        const char *shown = doc_grade_text(e, grade, sizeof grade);
        esc(f, shown ? shown : "\xE2\x80\x94");
        fputs("</td>", f);
        free(full);
    }
    for (size_t j = 0; j < jr_len(reqs); j++) {
        const char *id = jr_str(jr_idx(reqs, j), "id");
        json_object *v = doc_verdict(e, id);
        const char *result = jr_str(v, "result");
        fputs("<td class=\"r ", f);
        result_class(f, result);
        fputs("\" data-requirement=\"", f);
        esc_attr(f, id);
        fputs("\" title=\"", f);
        esc_attr(f, v ? or_dash(jr_str(v, "evidence")) : "no verdict");
        fputs("\">", f);
        esc(f, result_short(result));
        fputs("</td>", f);
    }
    fputs("</tr>\n", f);
}

static void matrix_legend(FILE *f, json_object *reqs)
{
    fputs("</tbody>\n</table>\n", f);
    fputs("<table class=\"legend\"><thead><tr><th>Requirement</th><th>Standard</th><th>Level</th><th>Title</th></tr></thead><tbody>\n", f);
    for (size_t j = 0; j < jr_len(reqs); j++) {
        json_object *r = jr_idx(reqs, j);
        fputs("<tr><td>", f);
        esc(f, jr_str(r, "id"));
        fputs("</td><td>", f);
        esc_value(f, jr_at(r, "standard"));
        fputs("</td><td>", f);
        esc_value(f, jr_at(r, "level"));
        fputs("</td><td>", f);
        esc_value(f, jr_at(r, "title"));
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

/* What the matrix shows of an endpoint (new reference): its row, kept until every endpoint
 * has been seen. */
static json_object *matrix_subset(json_object *e)
{
    static const char *const keep[] = { "target", "result", "error", "status", "grade" };
    static const char *const keep_verdict[] = { "id", "result", "evidence" };
    json_object *row = json_object_new_object(), *verdicts = json_object_new_array(), *v;
    for (size_t k = 0; k < sizeof keep / sizeof *keep; k++)
        if (json_object_object_get_ex(e, keep[k], &v))
            json_object_object_add(row, keep[k], json_object_get(v));
    for (size_t i = 0; i < jr_len(jr_at(e, "verdicts")); i++) {
        json_object *from = jr_idx(jr_at(e, "verdicts"), i), *to = json_object_new_object();
        for (size_t k = 0; k < sizeof keep_verdict / sizeof *keep_verdict; k++)
            if (json_object_object_get_ex(from, keep_verdict[k], &v))
                json_object_object_add(to, keep_verdict[k], json_object_get(v));
        json_object_array_add(verdicts, to);
    }
    json_object_object_add(row, "verdicts", verdicts);
    return row;
}

/* ---- the HTML pen (render.h) ---- */

/* The section being written: its heading comes first, then the probes' errors, then their
 * content, so both wait in buffers until the section ends. */
struct render_html {
    FILE *f;
    const char *title;     /* NULL: no section started */
    bool shown;            /* a contributor had facts */
    bool kv_open;
    FILE *notes, *body;    /* NULL outside a section (content lost) */
    char *notes_text, *body_text;
    size_t notes_len, body_len;
    bool failed;           /* a buffer could not be had: the report is incomplete */
};

/* Closes a section's buffer: whether its text is complete. */
static bool close_buffer(render_html_t *out, FILE **stream)
{
    bool complete = *stream && fclose(*stream) == 0;
    out->failed |= *stream && !complete;
    *stream = NULL;
    return complete;
}

static void end_section(render_html_t *out)
{
    if (out->kv_open && out->body)
        fputs("</table>\n", out->body);
    bool notes = close_buffer(out, &out->notes), body = close_buffer(out, &out->body);
    if (out->title && out->shown && notes && body) {
        fputs("<h3>", out->f);
        esc(out->f, out->title);
        fputs("</h3>\n", out->f);
        fwrite(out->notes_text, 1, out->notes_len, out->f);
        fwrite(out->body_text, 1, out->body_len, out->f);
    }
    free(out->notes_text);
    free(out->body_text);
    *out = (render_html_t){ .f = out->f, .failed = out->failed };
}

void render_html_section(render_html_t *out, const char *title, json_object *facts)
{
    if (!out->title || strcmp(out->title, title) != 0) {
        end_section(out);
        out->title = title;
        out->notes = open_memstream(&out->notes_text, &out->notes_len);
        out->body = open_memstream(&out->body_text, &out->body_len);
        out->failed |= !out->notes || !out->body;
    }
    out->shown |= facts != NULL;
    /* status and error are every probe's (the scheduler's contract), not one probe's shape. */
    const char *status = jr_str(facts, "status");
    if (out->notes && status && strcmp(status, "ok") != 0) {
        fputs("<p class=\"r-error\">probe error: ", out->notes);
        esc(out->notes, or_dash(jr_str(facts, "error")));
        fputs("</p>\n", out->notes);
    }
}

void render_html_printf(render_html_t *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (out->body)
        vfprintf(out->body, fmt, ap);
    va_end(ap);
}

void render_html_text(render_html_t *out, const char *s)
{
    if (out->body)
        esc(out->body, s);
}

void render_html_attr(render_html_t *out, const char *s)
{
    if (out->body)
        esc_attr(out->body, s);
}

void render_html_value(render_html_t *out, json_object *v)
{
    if (out->body)
        esc_value(out->body, v);
}

void render_html_kv_begin(render_html_t *out, const char *class_name)
{
    if (out->kv_open || !out->body)
        return;
    fputs("<table class=\"kv ", out->body);
    esc_attr(out->body, class_name);
    fputs("\">\n", out->body);
    out->kv_open = true;
}

void render_html_kv_end(render_html_t *out)
{
    if (out->kv_open && out->body)
        fputs("</table>\n", out->body);
    out->kv_open = false;
}

void render_html_kv_value(render_html_t *out, const char *label, json_object *value)
{
    if (out->body)
        kv_row(out->body, label, value);
}

void render_html_kv_text(render_html_t *out, const char *label, const char *text)
{
    if (out->body)
        kv_text(out->body, label, text);
}

void render_html_kv_row(render_html_t *out, const char *label)
{
    render_html_printf(out, "<tr><th>%s</th><td>", label);
}

void render_html_kv_row_end(render_html_t *out)
{
    render_html_printf(out, "</td></tr>\n");
}

/* ---- endpoint details ---- */

/* Every probe's sections, in registry order. */
static int write_facts(FILE *f, json_object *e)
{
    render_html_t out = { .f = f };
    json_object *facts = jr_at(e, "facts");
    for (size_t i = 0; i < probe_registry_count; i++) {
        const probe_module_t *m = probe_registry[i];
        if (m->render_html)
            m->render_html(&out, jr_at(facts, m->name), e);
    }
    end_section(&out);
    return out.failed ? -1 : 0;
}

static void write_verdicts(FILE *f, json_object *e)
{
    json_object *verdicts = jr_at(e, "verdicts");
    fputs("<h3>Verdicts</h3>\n", f);
    if (!jr_len(verdicts)) {
        fputs("<p class=\"muted\">no verdicts</p>\n", f);
        return;
    }
    fputs("<table class=\"verdicts\"><thead><tr><th>Requirement</th><th>Level</th><th>Title</th><th>Result</th>"
          "<th>Evidence</th><th>Notes</th></tr></thead><tbody>\n", f);
    for (size_t i = 0; i < jr_len(verdicts); i++) {
        json_object *v = jr_idx(verdicts, i);
        fputs("<tr><td>", f);
        esc(f, or_dash(jr_str(v, "id")));
        fputs("</td><td>", f);
        esc_value(f, jr_at(v, "level"));
        fputs("</td><td>", f);
        esc(f, or_dash(jr_str(v, "title")));
        fputs("</td><td class=\"r ", f);
        result_class(f, jr_str(v, "result"));
        fputs("\">", f);
        esc(f, or_dash(jr_str(v, "result")));
        fputs("</td><td>", f);
        esc(f, or_dash(jr_str(v, "evidence")));
        fputs("</td><td>", f);
        /* Members beyond the core ones (cwe, waiver, ...), whatever they are. */
        int first = 1;
        json_object_object_foreach(v, key, val) {
            if (doc_verdict_core_member(key) || !val)
                continue;
            fputs(first ? "" : "<br>", f);
            esc(f, key);
            fputs(": ", f);
            esc_value(f, val);
            first = 0;
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

/* Warnings (--expiry-warn): a list after the verdicts, only when there are some. */
static void write_warnings(FILE *f, json_object *warnings)
{
    if (!jr_len(warnings))
        return;
    fputs("<h3>Warnings</h3>\n<ul class=\"warnings\">\n", f);
    for (size_t i = 0; i < jr_len(warnings); i++) {
        fputs("<li>", f);
        esc(f, or_dash(jr_str(jr_idx(warnings, i), "id")));
        fputs(": ", f);
        esc(f, or_dash(jr_str(jr_idx(warnings, i), "text")));
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

static bool endpoint_core_member(const char *key)
{
    static const char *const core[] = { "target", "host", "port", "sni", "address", "addresses", "service",
                                        "starttls", "origin", "tags", "status", "error", "connections",
                                        "duration_ms", "facts", "verdicts", "warnings", "result" };
    for (size_t i = 0; i < sizeof core / sizeof *core; i++)
        if (strcmp(key, core[i]) == 0)
            return true;
    return false;
}

/* 0, or -1 when part of it could not be written. */
static int write_endpoint(FILE *f, json_object *e, size_t index)
{
    fprintf(f, "<section class=\"endpoint\" id=\"ep-%zu\">\n<h2>", index + 1);
    badge(f, jr_str(e, "result"));
    fputs(" ", f);
    esc(f, or_dash(jr_str(e, "target")));
    fputs("</h2>\n<table class=\"kv\">\n", f);
    kv_row(f, "Address", jr_at(e, "address"));
    kv_row(f, "All addresses", jr_at(e, "addresses"));
    kv_row(f, "SNI", jr_at(e, "sni"));
    kv_row(f, "Service", jr_at(e, "service"));
    kv_row(f, "Origin", jr_at(e, "origin"));
    kv_row(f, "Tags", jr_len(jr_at(e, "tags")) ? jr_at(e, "tags") : NULL);
    kv_row(f, "Status", jr_at(e, "status"));
    if (jr_at(e, "error"))
        kv_row(f, "Error", jr_at(e, "error"));
    fprintf(f, "<tr><th>Probing</th><td>%d connections, %lld ms</td></tr>\n", json_object_get_int(jr_at(e, "connections")),
            (long long)json_object_get_int64(jr_at(e, "duration_ms")));
    /* Members later versions add (a grade, ...): shown as they are. */
    json_object_object_foreach(e, key, val) {
        if (endpoint_core_member(key))
            continue;
        fputs("<tr><th>", f);
        esc(f, key);
        fputs("</th><td>", f);
        esc_value(f, val);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    int rc = write_facts(f, e);
    write_verdicts(f, e);
    write_warnings(f, jr_at(e, "warnings"));
    json_object *facts = jr_at(e, "facts");
    if (facts && json_object_object_length(facts) > 0) {
        fputs("<details><summary>All facts (JSON)</summary><pre>", f);
        esc_json_lines(f, json_object_to_json_string_ext(facts, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
        fputs("</pre></details>\n", f);
    }
    fputs("</section>\n", f);
    return rc;
}

/* The page opens with the matrix, whose columns and rows need every endpoint: rows wait in a
 * spool (what the matrix shows of each endpoint), the endpoints' sections in a scratch file,
 * until the end. One document at a time. */
static struct {
    report_spool_t *rows;
    FILE *details;
    json_object *reqs;     /* requirements seen so far (doc_requirements_add) */
    bool grades;           /* an endpoint has a grade: the matrix has a grade column */
    size_t n;
    int rc;
} run;

static void run_free(void)
{
    report_spool_close(run.rows);
    if (run.details)
        fclose(run.details);
    json_object_put(run.reqs);
    memset(&run, 0, sizeof run);
}

static int html_begin(FILE *f, json_object *head, const options_t *opts)
{
    (void)opts;
    run_free();
    run.rows = report_spool_open();
    run.details = report_scratch_file();
    run.reqs = json_object_new_array();
    if (!run.rows || !run.details) {
        run_free();
        return -1;
    }
    json_object *tool = jr_at(head, "tool"), *sum = jr_at(head, "summary");
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          /* The page is a record: nothing in it may load or run anything. */
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>tlsprobe report ", f);
    esc(f, or_dash(jr_str(head, "started_at")));
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>tlsprobe report</h1>\n<p class=\"run\">", style);
    esc(f, or_dash(jr_str(tool, "name")));
    fputs(" ", f);
    esc(f, or_dash(jr_str(tool, "version")));
    fputs(", schema ", f);
    esc(f, or_dash(jr_str(head, "schema")));
    fputs(" ", f);
    esc(f, or_dash(jr_str(head, "schema_version")));
    fputs("; started ", f);
    esc(f, or_dash(jr_str(head, "started_at")));
    fputs(", finished ", f);
    esc(f, or_dash(jr_str(head, "finished_at")));
    fprintf(f, ".</p>\n<p class=\"summary\">%d endpoints (%d reachable): %d passed, %d failed, %d errors",
            json_object_get_int(jr_at(sum, "endpoints")), json_object_get_int(jr_at(sum, "reachable")),
            json_object_get_int(jr_at(sum, "passed")), json_object_get_int(jr_at(sum, "failed")),
            json_object_get_int(jr_at(sum, "errors")));
    if (json_object_get_int(jr_at(sum, "warnings")) > 0)
        fprintf(f, ", %d with warnings", json_object_get_int(jr_at(sum, "warnings")));
    fprintf(f, "; exit status %d.</p>\n", json_object_get_int(jr_at(sum, "exit_status")));
    char why[160];
    if (doc_incomplete_text(head, why, sizeof why)) {
        fputs("<p class=\"summary incomplete\"><strong>", f);
        esc(f, why);
        fputs("</strong></p>\n", f);
    }
    html_overview(f, sum);
    return ferror(f) ? -1 : 0;
}

static int html_endpoint(FILE *f, json_object *e, const options_t *opts)
{
    (void)f;
    (void)opts;
    if (!run.rows)
        return -1;
    doc_requirements_add(run.reqs, e);
    run.grades |= jr_at(e, "grade") != NULL;
    json_object *row = matrix_subset(e);
    run.rc |= report_spool_put(run.rows, run.n, row);
    json_object_put(row);
    run.rc |= write_endpoint(run.details, e, run.n++);
    return run.rc || ferror(run.details) ? -1 : 0;
}

static int html_end(FILE *f, json_object *head, const options_t *opts)
{
    (void)head;
    (void)opts;
    if (!run.rows)
        return -1;
    int rc = run.rc;
    matrix_head(f, run.reqs, run.grades);
    for (size_t i = 0; rc == 0 && i < run.n; i++) {
        json_object *row = report_spool_get(run.rows, i);
        if (row)
            matrix_row(f, row, i, run.reqs, run.grades);
        rc |= !row;
        json_object_put(row);
    }
    matrix_legend(f, run.reqs);
    rc |= report_scratch_copy(run.details, f);
    run_free();
    fputs("</body>\n</html>\n", f);
    return ferror(f) || rc ? -1 : 0;
}

const report_writer_t report_writer_html = {
    .name = "html",
    .help = "one self-contained page: requirements matrix and endpoint details",
    .begin = html_begin,
    .endpoint = html_endpoint,
    .end = html_end,
};
