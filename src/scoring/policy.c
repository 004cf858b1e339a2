/* Waiver files, read with libyaml's document API so errors carry FILE:LINE:COLUMN. */
#include "policy.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "text_echo.h"
#include "yaml_read.h"

typedef struct reader {
    const char *path;
    yaml_document_t doc;
    char *err;
    size_t errlen;
    bool said;          /* err holds the reader's first problem */
} reader_t;

static int fail_at(reader_t *r, const yaml_node_t *n, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = yaml_fail_at(r->err, r->errlen, r->path, n, field, fmt, ap);
    va_end(ap);
    return rc;
}

/* "YYYY-MM-DD", a real date; the waiver holds to the end of that day, UTC. */
static int parse_date(const char *s, time_t *end_of_day)
{
    int y, m, d;
    char extra;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 23, .tm_min = 59, .tm_sec = 59 };
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mday != d || back.tm_mon != m - 1)
        return -1; /* 2026-02-30 */
    *end_of_day = t;
    return 0;
}

static int load_waiver(reader_t *r, yaml_node_t *n, waiver_t *w)
{
    char echo[TEXT_ECHO_SIZE];
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(r, n, "waivers", "expected a mapping with requirement, target or tag, until, reason");
    yaml_node_t *req = NULL, *target = NULL, *tag = NULL, *until = NULL, *reason = NULL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&r->doc, p->key), *v = yaml_document_get_node(&r->doc, p->value);
        const char *key = yaml_scalar(k);
        yaml_node_t **slot = !key ? NULL
                           : strcmp(key, "requirement") == 0 ? &req
                           : strcmp(key, "target") == 0 ? &target
                           : strcmp(key, "tag") == 0 ? &tag
                           : strcmp(key, "until") == 0 ? &until
                           : strcmp(key, "reason") == 0 ? &reason : NULL;
        if (!slot)
            return fail_at(r, k, key ? key : "?", "unknown field (known: requirement, target, tag, until, reason)");
        if (*slot)
            return fail_at(r, k, key, "given twice");
        *slot = v;
    }
    if (!req || !yaml_scalar(req) || !*yaml_scalar(req))
        return fail_at(r, req ? req : n, "requirement", "missing (a requirement id such as 12.1.1)");
    if (!until)
        return fail_at(r, n, "until", "missing (a waiver must end: YYYY-MM-DD)");
    if (parse_date(yaml_scalar(until), &w->until_end) != 0)
        return fail_at(r, until, "until", "'%s' is not a date YYYY-MM-DD",
                       yaml_scalar(until) ? text_echo(echo, yaml_scalar(until)) : "");
    if (!reason || !yaml_scalar(reason) || !*yaml_scalar(reason))
        return fail_at(r, reason ? reason : n, "reason", "missing (say why the failure is accepted)");
    if (!target && !tag)
        return fail_at(r, n, "target", "missing (a waiver names a target or a tag)");
    if ((target && !yaml_scalar(target)) || (tag && !yaml_scalar(tag)))
        return fail_at(r, target ? target : tag, target ? "target" : "tag", "expected a string");
    snprintf(w->until, sizeof w->until, "%s", yaml_scalar(until));
    w->requirement = strdup(yaml_scalar(req));
    w->target = target ? strdup(yaml_scalar(target)) : NULL;
    w->tag = tag ? strdup(yaml_scalar(tag)) : NULL;
    w->reason = strdup(yaml_scalar(reason));
    if (asprintf(&w->origin, "%s:%zu", r->path, n->start_mark.line + 1) < 0)
        w->origin = NULL;
    return 0;
}

/* The reader's first problem is the policy's error (the policy reader stops at its first). */
static void first_problem(void *arg, const char *line)
{
    reader_t *r = arg;
    if (!r->said)
        snprintf(r->err, r->errlen, "%s", line);
    r->said = true;
}

int policy_load(const char *path, policy_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    reader_t r = { .path = path, .err = err, .errlen = errlen };
    int rc = -1;
    if (yaml_read_file(path, "policy", &r.doc, first_problem, &r) != 0)
        return -1;
    yaml_node_t *root = yaml_document_get_root_node(&r.doc), *waivers = NULL;
    if (!root || root->type != YAML_MAPPING_NODE) {
        snprintf(err, errlen, "%s:1:1: field 'waivers': missing (the policy is a mapping with 'waivers')", path);
        goto done;
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&r.doc, p->key);
        const char *key = yaml_scalar(k);
        if (key && strcmp(key, "waivers") == 0)
            waivers = yaml_document_get_node(&r.doc, p->value);
        else {
            fail_at(&r, k, key ? key : "?", "unknown top-level field (known: waivers)");
            goto done;
        }
    }
    if (!waivers || waivers->type != YAML_SEQUENCE_NODE) {
        fail_at(&r, waivers ? waivers : root, "waivers", "expected a list of waivers");
        goto done;
    }
    size_t n = (size_t)(waivers->data.sequence.items.top - waivers->data.sequence.items.start);
    out->waivers = calloc(n ? n : 1, sizeof *out->waivers);
    if (!out->waivers) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *w = yaml_document_get_node(&r.doc, waivers->data.sequence.items.start[i]);
        if (load_waiver(&r, w, &out->waivers[out->count]) != 0)
            goto done;
        out->count++;
    }
    rc = 0;
done:
    yaml_document_delete(&r.doc);
    if (rc != 0)
        policy_free(out);
    return rc;
}

void policy_free(policy_t *p)
{
    for (size_t i = 0; i < p->count; i++) {
        free(p->waivers[i].requirement);
        free(p->waivers[i].target);
        free(p->waivers[i].tag);
        free(p->waivers[i].reason);
        free(p->waivers[i].origin);
    }
    free(p->waivers);
    memset(p, 0, sizeof *p);
}

static bool target_matches(const waiver_t *w, const target_t *t)
{
    if (w->target) {
        char hostport[300];
        snprintf(hostport, sizeof hostport, "%s:%u", t->host, t->port);
        if (strcmp(w->target, t->spec) != 0 && strcmp(w->target, hostport) != 0 && strcmp(w->target, t->host) != 0)
            return false;
    }
    if (w->tag) {
        bool has = false;
        for (size_t i = 0; i < t->ntags && !has; i++)
            has = strcmp(t->tags[i], w->tag) == 0;
        if (!has)
            return false;
    }
    return true;
}

const waiver_t *policy_find(const policy_t *p, const char *requirement, const target_t *t)
{
    for (size_t i = 0; p && t && i < p->count; i++)
        if (strcmp(p->waivers[i].requirement, requirement) == 0 && target_matches(&p->waivers[i], t))
            return &p->waivers[i];
    return NULL;
}
