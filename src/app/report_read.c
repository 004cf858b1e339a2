/* Reads a saved report, JSON or JSONL, into its run members and its endpoints. A report is input
 * like any other: its size, its lines and its nesting are bounded, and the members the
 * subcommands read are checked for type before anyone reads them. */
#include "report_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json_read.h"
#include "report.h"

#define T(t) (1u << (t))

/* Whether member key of o is absent, null or of one of the types in mask. */
static bool member_is(json_object *o, const char *key, unsigned mask)
{
    json_object *v;
    return !json_object_object_get_ex(o, key, &v) || !v || (mask >> json_object_get_type(v)) & 1u;
}

/* What is wrong with an endpoint object, or NULL: the members every reader of reports relies on. */
static const char *endpoint_problem(json_object *ep)
{
    json_object *verdicts;
    if (!json_object_is_type(ep, json_type_object))
        return "not an object";
    if (!member_is(ep, "facts", T(json_type_object)) || !member_is(ep, "profile", T(json_type_object)))
        return "facts or profile not an object";
    if (!member_is(ep, "grade", T(json_type_object) | T(json_type_string)) ||
        !member_is(ep, "tags", T(json_type_array)) || !member_is(ep, "verdicts", T(json_type_array)))
        return "grade, tags or verdicts of the wrong type";
    if (!member_is(ep, "id", T(json_type_string)) || !member_is(ep, "target", T(json_type_string)) ||
        !member_is(ep, "sni", T(json_type_string)) || !member_is(ep, "result", T(json_type_string)) ||
        !member_is(ep, "status", T(json_type_string)))
        return "id, target, sni, result or status not a string";
    if (!member_is(ep, "index", T(json_type_int)) || !member_is(ep, "port", T(json_type_int)))
        return "index or port not an integer";
    json_object *index;
    if (json_object_object_get_ex(ep, "index", &index) && index && json_object_get_int64(index) < 0)
        return "index is negative";
    if (json_object_object_get_ex(ep, "verdicts", &verdicts) && verdicts)
        for (size_t j = 0; j < json_object_array_length(verdicts); j++) {
            json_object *v = json_object_array_get_idx(verdicts, j), *id;
            if (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, "id", &id) ||
                !json_object_is_type(id, json_type_string) || !member_is(v, "result", T(json_type_string)))
                return "a verdict without a string id and result";
        }
    return NULL;
}

/* Whether head names this schema and its major version. */
static bool schema_ok(json_object *head)
{
    json_object *schema, *version;
    return json_object_object_get_ex(head, "schema", &schema) && json_object_is_type(schema, json_type_string) &&
           strcmp(json_object_get_string(schema), REPORT_SCHEMA) == 0 &&
           json_object_object_get_ex(head, "schema_version", &version) &&
           json_object_is_type(version, json_type_string) &&
           strncmp(json_object_get_string(version), REPORT_SCHEMA_VERSION,
                   strcspn(REPORT_SCHEMA_VERSION, ".") + 1) == 0;
}

static size_t line_of(const char *text, size_t offset)
{
    size_t line = 1;
    for (size_t i = 0; i < offset; i++)
        line += text[i] == '\n';
    return line;
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* One JSON value filling s[0..len) (whitespace around it allowed), or NULL with *at the offset
 * where parsing stopped. */
static json_object *parse_whole(const char *s, size_t len, size_t *at)
{
    json_tokener *tok = json_tokener_new_ex(REPORT_READ_MAX_DEPTH);
    if (!tok) {
        *at = 0;
        return NULL;
    }
    json_object *o = len <= (size_t)INT32_MAX ? json_tokener_parse_ex(tok, s, (int)len) : NULL;
    size_t end = (size_t)json_tokener_get_parse_end(tok);
    if (o && !blank(s + end, len - end)) {
        json_object_put(o);
        o = NULL;
    } else if (!o && json_tokener_get_error(tok) == json_tokener_continue) {
        end = len; /* ran out of text mid-value */
    }
    json_tokener_free(tok);
    *at = end;
    return o;
}

static const char *type_of_line(json_object *o)
{
    json_object *t;
    return json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "type", &t) &&
                   json_object_is_type(t, json_type_string)
               ? json_object_get_string(t)
               : NULL;
}

/* Checks each endpoint of out; lines[i] is the JSONL line of endpoint i (NULL for JSON). */
static int check_endpoints(report_file_t *out, const size_t *lines, const char *name, char *err, size_t errlen)
{
    for (size_t i = 0; i < json_object_array_length(out->endpoints); i++) {
        const char *bad = endpoint_problem(json_object_array_get_idx(out->endpoints, i));
        if (!bad)
            continue;
        if (lines)
            snprintf(err, errlen, "%s:%zu: endpoint %zu: %s", name, lines[i], i + 1, bad);
        else
            snprintf(err, errlen, "%s: endpoint %zu: %s", name, i + 1, bad);
        return -1;
    }
    return 0;
}

static int read_json(const char *text, size_t len, const char *name, report_file_t *out, char *err, size_t errlen)
{
    size_t at;
    json_object *doc = parse_whole(text, len, &at), *endpoints;
    if (!doc) {
        snprintf(err, errlen, "%s:%zu: not a JSON report (invalid JSON near byte %zu)", name, line_of(text, at), at);
        return -1;
    }
    if (!json_object_is_type(doc, json_type_object) || !schema_ok(doc) ||
        !json_object_object_get_ex(doc, "endpoints", &endpoints) || !json_object_is_type(endpoints, json_type_array)) {
        snprintf(err, errlen, "%s: not a %s %.*s.x report (schema, schema_version, endpoints)", name, REPORT_SCHEMA,
                 (int)strcspn(REPORT_SCHEMA_VERSION, "."), REPORT_SCHEMA_VERSION);
        json_object_put(doc);
        return -1;
    }
    out->endpoints = json_object_get(endpoints);
    json_object_object_del(doc, "endpoints");
    out->head = doc;
    return check_endpoints(out, NULL, name, err, errlen);
}

/* A summary line: finished_at and incomplete belong to the run, the rest to its summary. */
static void add_summary_line(report_file_t *out, json_object *line)
{
    json_object *sum = json_object_new_object();
    json_object_object_foreach(line, key, val) {
        if (strcmp(key, "type") == 0)
            continue;
        bool run_member = strcmp(key, "finished_at") == 0 || strcmp(key, "incomplete") == 0;
        json_object_object_add(run_member ? out->head : sum, key, json_object_get(val));
    }
    json_object_object_add(out->head, "summary", sum);
}

typedef struct jsonl_state {
    report_file_t *out;
    size_t *lines; /* JSONL line of each endpoint */
    size_t cap;
    bool summary_seen;
} jsonl_state_t;

/* One parsed line (not the first); 0, or -1 with why in err. */
static int jsonl_line(jsonl_state_t *st, json_object *o, size_t lineno, const char *name, char *err, size_t errlen)
{
    const char *type = type_of_line(o);
    if (st->summary_seen || !type || (strcmp(type, "endpoint") != 0 && strcmp(type, "summary") != 0)) {
        snprintf(err, errlen, "%s:%zu: %s", name, lineno,
                 st->summary_seen ? "a line after the summary line"
                                  : "not an endpoint or summary line (an object with \"type\")");
        return -1;
    }
    if (strcmp(type, "summary") == 0) {
        add_summary_line(st->out, o);
        st->summary_seen = true;
        return 0;
    }
    size_t n = json_object_array_length(st->out->endpoints);
    if (n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 64;
        size_t *lines = realloc(st->lines, cap * sizeof *lines);
        if (!lines) {
            snprintf(err, errlen, "%s: out of memory", name);
            return -1;
        }
        st->lines = lines;
        st->cap = cap;
    }
    st->lines[n] = lineno;
    json_object_object_del(o, "type");
    json_object_array_add(st->out->endpoints, json_object_get(o));
    return 0;
}

static int read_jsonl(const char *text, size_t len, const char *name, report_file_t *out, char *err, size_t errlen)
{
    jsonl_state_t st = { .out = out };
    out->jsonl = true;
    out->endpoints = json_object_new_array();
    int rc = 0;
    size_t lineno = 0;
    for (size_t pos = 0; rc == 0 && pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len, at;
        lineno++;
        if (blank(text + pos, end - pos)) {
            pos = end + 1;
            continue;
        }
        json_object *o = end - pos <= REPORT_READ_MAX_LINE ? parse_whole(text + pos, end - pos, &at) : NULL;
        if (!o) {
            snprintf(err, errlen, "%s:%zu: %s", name, lineno,
                     end - pos > REPORT_READ_MAX_LINE ? "line longer than 16 MiB" : "not a JSON object");
            rc = -1;
        } else if (!out->head) {
            out->head = o; /* the run line, checked by the caller */
            json_object_object_del(o, "type");
            o = NULL;
        } else {
            rc = jsonl_line(&st, o, lineno, name, err, errlen);
        }
        json_object_put(o);
        pos = end + 1;
    }
    out->truncated = !st.summary_seen;
    if (rc == 0)
        rc = check_endpoints(out, st.lines, name, err, errlen);
    free(st.lines);
    return rc;
}

/* JSONL when the first non-blank line is one whole object with "type": "run". */
static bool looks_jsonl(const char *text, size_t len)
{
    size_t pos = 0;
    while (pos < len && blank(text + pos, 1))
        pos++;
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - text) : len, at;
    if (end - pos > REPORT_READ_MAX_LINE)
        return false;
    json_object *o = parse_whole(text + pos, end - pos, &at);
    const char *type = type_of_line(o);
    bool run = type && strcmp(type, "run") == 0;
    json_object_put(o);
    return run;
}

int report_read_text(const char *text, size_t len, const char *name, report_file_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int rc = looks_jsonl(text, len) ? read_jsonl(text, len, name, out, err, errlen)
                                    : read_json(text, len, name, out, err, errlen);
    if (rc == 0 && out->jsonl && !schema_ok(out->head)) {
        snprintf(err, errlen, "%s:1: not a %s %.*s.x run line (schema, schema_version)", name, REPORT_SCHEMA,
                 (int)strcspn(REPORT_SCHEMA_VERSION, "."), REPORT_SCHEMA_VERSION);
        rc = -1;
    }
    if (rc == 0 && (!member_is(out->head, "targets", T(json_type_int)) ||
                    json_object_get_int64(jr_at(out->head, "targets")) < 0)) {
        snprintf(err, errlen, "%s: targets is not a count", name);
        rc = -1;
    }
    if (rc != 0)
        report_file_free(out);
    return rc;
}

int report_read(const char *path, report_file_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    /* A pipe or a device has no size: read it up to the bound all the same. */
    size_t cap = (size_t)1 << 20, len = 0;
    char *text = malloc(cap);
    while (text) {
        len += fread(text + len, 1, cap - len, f);
        if (len < cap || cap >= REPORT_READ_MAX_BYTES)
            break;
        char *bigger = realloc(text, cap * 2);
        if (!bigger)
            free(text);
        text = bigger;
        cap *= 2;
    }
    int rc = -1;
    if (!text)
        snprintf(err, errlen, "%s: out of memory", path);
    else if (ferror(f))
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
    else if (len == cap && fgetc(f) != EOF)
        snprintf(err, errlen, "%s: larger than %zu MiB", path, REPORT_READ_MAX_BYTES >> 20);
    else
        rc = report_read_text(text, len, path, out, err, errlen);
    free(text);
    fclose(f);
    return rc;
}

void report_file_free(report_file_t *r)
{
    json_object_put(r->head);
    json_object_put(r->endpoints);
    memset(r, 0, sizeof *r);
}

static bool true_member(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_boolean) &&
           json_object_get_boolean(v);
}

bool report_file_incomplete(const report_file_t *r)
{
    json_object *sum = NULL;
    json_object_object_get_ex(r->head, "summary", &sum);
    return r->truncated || true_member(r->head, "incomplete") || true_member(sum, "incomplete");
}

bool report_file_has_ids(const report_file_t *r)
{
    json_object *id;
    for (size_t i = 0; i < json_object_array_length(r->endpoints); i++)
        if (!json_object_object_get_ex(json_object_array_get_idx(r->endpoints, i), "id", &id) ||
            !json_object_is_type(id, json_type_string))
            return false;
    return true;
}

bool report_endpoint_key(json_object *ep, bool by_id, char *buf, size_t len)
{
    json_object *id, *target, *sni = NULL, *port = NULL;
    if (by_id && json_object_object_get_ex(ep, "id", &id) && json_object_is_type(id, json_type_string)) {
        snprintf(buf, len, "%s", json_object_get_string(id));
        return true;
    }
    if (!json_object_object_get_ex(ep, "target", &target) || !json_object_is_type(target, json_type_string))
        return false;
    json_object_object_get_ex(ep, "sni", &sni);
    json_object_object_get_ex(ep, "port", &port);
    snprintf(buf, len, "%s/sni=%s/port=%d", json_object_get_string(target), sni ? json_object_get_string(sni) : "-",
             port ? json_object_get_int(port) : 0);
    return true;
}
