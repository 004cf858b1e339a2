/* Text writer: a readable summary per endpoint, rendered from the report document; each
 * probe writes its own lines (its render_text) with the pen defined here. Every string from the
 * document goes out through escape_text (the pen's and the writer's printf alike); only the
 * colours are written around it. */
#include "report.h"
#include "report_text.h"
#include "json_read.h"
#include "report_doc.h"
#include "probe.h"
#include "render.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text pen (render.h): the endpoint's lines go to f, except those of the service part,
 * which wait in a buffer until the TLS ones are written. */
struct render_text {
    FILE *f;
    int color;
    FILE *to;              /* where renderers write now: f, service, or NULL (lost, failed set) */
    FILE *service;
    char *service_text;
    size_t service_len;
    bool failed;           /* a buffer could not be had: the report is incomplete */
};

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

void render_text_part(render_text_t *out, render_text_part_t part)
{
    if (part == RENDER_TEXT_TLS) {
        out->to = out->f;
        return;
    }
    if (!out->service && !out->failed) {
        out->service = open_memstream(&out->service_text, &out->service_len);
        out->failed = !out->service;
    }
    out->to = out->service;
}

/* Writes the service part after the TLS one; back to f. */
static void end_parts(render_text_t *out)
{
    if (out->service) {
        if (fclose(out->service) == 0)
            fwrite(out->service_text, 1, out->service_len, out->f);
        else
            out->failed = true;
        free(out->service_text);
        out->service = NULL;
        out->service_text = NULL;
        out->service_len = 0;
    }
    out->to = out->f;
}

/* fmt's output through escape_text: the format is the writer's, its arguments may be a
 * server's. The line breaks fmt starts and ends with are kept, every other one escaped. */
static void vprint_escaped(render_text_t *out, FILE *to, const char *fmt, va_list ap)
{
    char *s = NULL;
    int n = to ? vasprintf(&s, fmt, ap) : 0;
    if (n < 0) {
        out->failed = true;
        return;
    }
    if (!to)
        return;
    size_t lead = strspn(fmt, "\n"), flen = strlen(fmt), trail = 0;
    while (lead + trail < flen && fmt[flen - 1 - trail] == '\n')
        trail++;
    fwrite(s, 1, lead, to);
    s[(size_t)n - trail] = '\0';
    escape_text(to, s + lead);
    for (size_t i = 0; i < trail; i++)
        fputc('\n', to);
    free(s);
}

void render_text_printf(render_text_t *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_escaped(out, out->to, fmt, ap);
    va_end(ap);
}

/* The writer's own lines (outside the probes' parts) go the same way. */
static void text_printf(render_text_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_printf(render_text_t *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_escaped(out, out->f, fmt, ap);
    va_end(ap);
}

void render_text_label(render_text_t *out, const char *label)
{
    render_text_printf(out, "  %-12s", label);
}

void render_text_indent(render_text_t *out)
{
    render_text_printf(out, "%14s", "");
}

void render_text_names(render_text_t *out, json_object *arr)
{
    for (size_t i = 0; i < jr_len(arr); i++)
        render_text_printf(out, " %s", json_object_get_string(jr_idx(arr, i)));   /* escaped there */
}

void render_text_tone(render_text_t *out, render_tone_t tone, const char *fmt, ...)
{
    static const char *const colour[] = { [RENDER_GOOD] = "32", [RENDER_WARN] = "33", [RENDER_BAD] = "31" };
    bool coloured = out->color && tone != RENDER_PLAIN && out->to;
    va_list ap;
    va_start(ap, fmt);
    if (coloured)
        fprintf(out->to, "\033[%sm", colour[tone]);
    vprint_escaped(out, out->to, fmt, ap);
    if (coloured)
        fputs("\033[0m", out->to);
    va_end(ap);
}

const char *render_yes_no(json_object *o, const char *key)
{
    json_object *v = jr_at(o, key);
    return !v || !json_object_is_type(v, json_type_boolean) ? "?" : json_object_get_boolean(v) ? "yes" : "no";
}

static void result_word(render_text_t *p, const char *r)
{
    const char *c = strcmp(r, "PASS") == 0 ? "32" : strcmp(r, "FAIL") == 0 ? "31"
                  : strcmp(r, "ERROR") == 0 || strcmp(r, "WARN") == 0 ? "33" : strcmp(r, "WAIVED") == 0 ? "35" : "36";
    /* Short words keep the evidence column aligned. */
    const char *w = strcmp(r, "NOT_APPLICABLE") == 0 ? "n/a" : r;
    if (p->color)
        fprintf(p->f, "\033[1;%sm", c);
    text_printf(p, "%-6s", w);
    if (p->color)
        fputs("\033[0m", p->f);
}

/* Every probe's lines, in registry order within each part. */
static void write_facts(render_text_t *p, json_object *e)
{
    json_object *facts = jr_at(e, "facts");
    for (size_t i = 0; i < probe_registry_count; i++) {
        const probe_module_t *m = probe_registry[i];
        if (!m->render_text)
            continue;
        render_text_part(p, RENDER_TEXT_TLS);
        m->render_text(p, jr_at(facts, m->name), e);
    }
    end_parts(p);
}

/* "Grade  A- (score 93: protocol 100, key exchange 90, cipher 90)" and every cap below it. */
static void write_grade(render_text_t *p, json_object *g)
{
    if (g && json_object_is_type(g, json_type_object) && !jr_str(g, "grade")) {
        /* Never silent: a missing letter must not read as a good one. */
        text_printf(p, "  Grade        no grade: %s\n", or_dash(jr_str(g, "reason")));
        return;
    }
    if (!g || !jr_str(g, "grade"))
        return;
    const char *grade = jr_str(g, "grade"), *if_trusted = jr_str(g, "grade_if_trusted");
    json_object *comp = jr_at(g, "components"), *caps = jr_at(g, "caps");
    const char *c = grade[0] == 'A' ? "32" : grade[0] == 'B' ? "33" : "31";
    text_printf(p, "  Grade        ");
    if (p->color)
        fprintf(p->f, "\033[1;%sm", c);
    text_printf(p, "%s", grade);
    if (p->color)
        fputs("\033[0m", p->f);
    if (if_trusted && strcmp(if_trusted, grade) != 0)
        text_printf(p, " (%s if trusted)", if_trusted);
    text_printf(p, "  score %d: protocol %d, key exchange %d, cipher %d\n", json_object_get_int(jr_at(g, "score")),
            json_object_get_int(jr_at(comp, "protocol")), json_object_get_int(jr_at(comp, "key_exchange")),
            json_object_get_int(jr_at(comp, "cipher")));
    for (size_t i = 0; caps && i < jr_len(caps); i++)
        text_printf(p, "               %s\n", json_object_get_string(jr_idx(caps, i)));
}

/* "Mozilla intermediate (6.0): N deviations", then one line each; a run of one check (the
 * suites outside the profile) names what is expected once. */
static void write_profile(render_text_t *p, json_object *prof)
{
    if (!prof)
        return;
    json_object *devs = jr_at(prof, "deviations");
    size_t n = devs ? jr_len(devs) : 0, advisory = 0;
    for (size_t i = 0; i < n; i++)
        advisory += json_object_get_boolean(jr_at(jr_idx(devs, i), "advisory"));
    text_printf(p, "  Mozilla %s (%s): %zu deviation%s", or_dash(jr_str(prof, "name")),
            or_dash(jr_str(prof, "guidelines_version")), n, n == 1 ? "" : "s");
    if (advisory)
        text_printf(p, " (%zu advisory)", advisory);
    text_printf(p, "; %s\n", json_object_get_boolean(jr_at(prof, "compliant")) ? "compliant" : "not compliant");
    const char *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        json_object *d = jr_idx(devs, i);
        const char *check = or_dash(jr_str(d, "check"));
        text_printf(p, "    %-22s %s", check, or_dash(jr_str(d, "found")));
        if (!prev || strcmp(prev, check) != 0)
            text_printf(p, " (expected: %s)", or_dash(jr_str(d, "expected")));
        if (json_object_get_boolean(jr_at(d, "advisory")))
            text_printf(p, " [advisory]");
        text_printf(p, "\n");
        prev = check;
    }
}

static void write_endpoint(render_text_t *p, json_object *e)
{
    text_printf(p, "\n");
    result_word(p, or_dash(jr_str(e, "result")));
    text_printf(p, " %s", or_dash(jr_str(e, "target")));
    if (jr_str(e, "address"))
        text_printf(p, "  [%s", jr_str(e, "address"));
    if (jr_str(e, "address") && jr_str(e, "sni"))
        text_printf(p, ", SNI %s", jr_str(e, "sni"));
    text_printf(p, "%s\n", jr_str(e, "address") ? "]" : "");
    if (strcmp(or_dash(jr_str(e, "status")), "ok") != 0) {
        text_printf(p, "  %s: %s\n", or_dash(jr_str(e, "status")), or_dash(jr_str(e, "error")));
    } else {
        write_facts(p, e);
        write_grade(p, jr_at(e, "grade"));
        write_profile(p, jr_at(e, "profile"));
    }
    json_object *verdicts = jr_at(e, "verdicts");
    size_t n = verdicts ? jr_len(verdicts) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *v = jr_idx(verdicts, i);
        text_printf(p, "    ");
        result_word(p, or_dash(jr_str(v, "result")));
        text_printf(p, " %-7s %s\n", or_dash(jr_str(v, "id")), or_dash(jr_str(v, "evidence")));
    }
    /* Warnings (--expiry-warn): not requirements, so after the verdicts, each on a WARN line. */
    json_object *warnings = jr_at(e, "warnings");
    for (size_t i = 0; i < jr_len(warnings); i++) {
        json_object *w = jr_idx(warnings, i);
        text_printf(p, "    ");
        result_word(p, "WARN");
        text_printf(p, " %s: %s\n", or_dash(jr_str(w, "id")), or_dash(jr_str(w, "text")));
    }
    text_printf(p, "  %d connections, %lld ms\n", json_object_get_int(jr_at(e, "connections")),
            (long long)json_object_get_int64(jr_at(e, "duration_ms")));
}

/* The run's pen and matrix, from begin to end (one document at a time). */
static struct {
    render_text_t pen;
    text_matrix_t *matrix;
    bool failed;
} run;

static int text_begin(FILE *f, json_object *head, const options_t *opts)
{
    text_matrix_free(run.matrix);
    run.pen = (render_text_t){ .f = f, .color = opts->color, .to = f };
    run.failed = false;
    if (!(run.matrix = text_matrix_new()))
        return -1;
    json_object *tool = jr_at(head, "tool");
    text_printf(&run.pen, "%s %s  report of %s\n", or_dash(jr_str(tool, "name")), or_dash(jr_str(tool, "version")),
            or_dash(jr_str(head, "started_at")));
    return 0;
}

static int text_endpoint(FILE *f, json_object *endpoint, const options_t *opts)
{
    (void)opts;
    run.pen.f = run.pen.to = f;
    write_endpoint(&run.pen, endpoint);
    run.failed |= run.matrix && text_matrix_add(run.matrix, endpoint) != 0;
    return ferror(f) || run.pen.failed || run.failed ? -1 : 0;
}

static int text_end(FILE *f, json_object *head, const options_t *opts)
{
    (void)opts;
    run.pen.f = run.pen.to = f;
    json_object *sum = jr_at(head, "summary");
    run.failed |= !run.matrix || text_matrix_write(run.matrix, f, run.pen.color) != 0;
    text_matrix_free(run.matrix);
    run.matrix = NULL;
    char why[160];
    if (doc_incomplete_text(head, why, sizeof why))
        text_printf(&run.pen, "\n%s\n", why);
    text_printf(&run.pen, "\n%d endpoints: %d passed, %d failed, %d errors", json_object_get_int(jr_at(sum, "endpoints")),
            json_object_get_int(jr_at(sum, "passed")), json_object_get_int(jr_at(sum, "failed")),
            json_object_get_int(jr_at(sum, "errors")));
    if (json_object_get_int(jr_at(sum, "warnings")) > 0)
        text_printf(&run.pen, ", %d with warnings", json_object_get_int(jr_at(sum, "warnings")));
    text_printf(&run.pen, " (exit status %d)\n", json_object_get_int(jr_at(sum, "exit_status")));
    return ferror(f) || run.pen.failed || run.failed ? -1 : 0;
}

const report_writer_t report_writer_text = {
    .name = "text",
    .help = "a readable summary per endpoint (the default)",
    .begin = text_begin,
    .endpoint = text_endpoint,
    .end = text_end,
};
