/* summary.overview: counts of grades, of certificates by days to expiry and of FAIL/ERROR verdicts
 * per requirement, added up from endpoint objects one at a time (a streamed run keeps only these
 * counts, never the endpoints). Read from the report's own members, so that merge and a run
 * count alike. */
#include "report_overview.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "report_doc.h"

const char *const overview_grades[OVERVIEW_NGRADES] = { "A+", "A", "A-", "B", "C", "D", "E", "F", "T", "M", "none" };
const char *const overview_expiry[OVERVIEW_NEXPIRY] = { "expired", "0-6", "7-29", "30-89", "90+", "unknown" };

/* The endpoint's letter (its "grade" string, or the grade object's "grade") as an index into
 * overview_grades; "none" without one or for a letter not in the list. */
static size_t grade_index(json_object *endpoint)
{
    json_object *g = jr_at(endpoint, "grade");
    const char *letter = g && json_object_is_type(g, json_type_string) ? json_object_get_string(g) : jr_str(g, "grade");
    for (size_t i = 0; letter && i + 1 < OVERVIEW_NGRADES; i++)
        if (strcmp(letter, overview_grades[i]) == 0)
            return i;
    return OVERVIEW_NGRADES - 1;
}

static size_t expiry_index(json_object *endpoint)
{
    long long days = 0;
    json_object *leaf;
    /* Unknown is a bucket of its own, never a good one. */
    if (!doc_soonest_leaf(jr_at(jr_at(endpoint, "facts"), "certificate"), &days, &leaf))
        return OVERVIEW_NEXPIRY - 1;
    return days < 0 ? 0 : days < 7 ? 1 : days < 30 ? 2 : days < 90 ? 3 : 4;
}

/* The entry for id, added when new; NULL when memory runs out. */
static overview_failure_t *failure_entry(report_overview_t *o, const char *id, const char *title)
{
    for (size_t i = 0; i < o->nfailures; i++)
        if (strcmp(o->failures[i].id, id) == 0)
            return &o->failures[i];
    if (o->nfailures == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 32;
        overview_failure_t *grown = realloc(o->failures, cap * sizeof *grown);
        if (!grown)
            return NULL;
        o->failures = grown;
        o->cap = cap;
    }
    overview_failure_t *e = &o->failures[o->nfailures];
    e->title = title ? strdup(title) : NULL;
    if (!(e->id = strdup(id)) || (title && !e->title)) {
        free(e->id);
        free(e->title);
        return NULL;
    }
    e->fail = e->error = 0;
    o->nfailures++;
    return e;
}

void report_overview_add(report_overview_t *o, json_object *endpoint)
{
    o->grades[grade_index(endpoint)]++;
    o->expiry[expiry_index(endpoint)]++;
    json_object *verdicts = jr_at(endpoint, "verdicts");
    for (size_t i = 0; i < jr_len(verdicts); i++) {
        json_object *v = jr_idx(verdicts, i);
        const char *id = jr_str(v, "id"), *result = jr_str(v, "result");
        bool fail = jr_eq(result, "FAIL"), error = jr_eq(result, "ERROR");
        if (!id || (!fail && !error))
            continue;
        overview_failure_t *e = failure_entry(o, id, jr_str(v, "title"));
        if (!e) {
            o->oom = 1;
            continue;
        }
        e->fail += fail;
        e->error += error;
    }
}

/* Most verdicts first, then most FAILs, then ids in version order (9.2.1 before 12.1.1). */
static int by_count(const void *a, const void *b)
{
    const overview_failure_t *x = a, *y = b;
    long tx = x->fail + x->error, ty = y->fail + y->error;
    if (tx != ty)
        return tx > ty ? -1 : 1;
    if (x->fail != y->fail)
        return x->fail > y->fail ? -1 : 1;
    return strverscmp(x->id, y->id);
}

static json_object *counts(const long *n, const char *const *keys, size_t count)
{
    json_object *o = json_object_new_object();
    for (size_t i = 0; i < count; i++)
        json_object_object_add(o, keys[i], json_object_new_int64(n[i]));
    return o;
}

json_object *report_overview_json(const report_overview_t *o)
{
    if (o->oom)
        return NULL;
    overview_failure_t *sorted = o->nfailures ? malloc(o->nfailures * sizeof *sorted) : NULL;
    if (o->nfailures && !sorted)
        return NULL;
    if (sorted) {
        memcpy(sorted, o->failures, o->nfailures * sizeof *sorted);
        qsort(sorted, o->nfailures, sizeof *sorted, by_count);
    }
    json_object *ov = json_object_new_object(), *list = json_object_new_array();
    json_object_object_add(ov, "grades", counts(o->grades, overview_grades, OVERVIEW_NGRADES));
    json_object_object_add(ov, "expiry", counts(o->expiry, overview_expiry, OVERVIEW_NEXPIRY));
    for (size_t i = 0; i < o->nfailures; i++) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "id", json_object_new_string(sorted[i].id));
        json_object_object_add(e, "title", sorted[i].title ? json_object_new_string(sorted[i].title) : NULL);
        json_object_object_add(e, "fail", json_object_new_int64(sorted[i].fail));
        json_object_object_add(e, "error", json_object_new_int64(sorted[i].error));
        json_object_array_add(list, e);
    }
    json_object_object_add(ov, "failures", list);
    free(sorted);
    return ov;
}

void report_overview_free(report_overview_t *o)
{
    for (size_t i = 0; i < o->nfailures; i++) {
        free(o->failures[i].id);
        free(o->failures[i].title);
    }
    free(o->failures);
    *o = (report_overview_t){ 0 };
}
