/* The comparison behind `tlsprobe diff`: two reports' endpoints matched by id, and each change of
 * result, requirement verdict, grade, version, suite and certificate as one object of the diff
 * document, flagged when it is a regression (what a cron job should alert on). */
#include "diff_cmd.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"

typedef struct diff_ctx {
    json_object *changes;
    json_object *old_ep, *new_ep; /* the endpoint being compared (one may be NULL) */
    int expiry_days;
    int regressions;
} diff_ctx_t;

/* Appends a change of the current endpoint; takes old and new. */
static json_object *add_change(diff_ctx_t *c, const char *kind, const char *item, json_object *old, json_object *new_,
                               const char *change, bool regression)
{
    json_object *ep = c->new_ep ? c->new_ep : c->old_ep, *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_get(jr_at(ep, "id")));
    json_object_object_add(o, "target", json_object_get(jr_at(ep, "target")));
    json_object_object_add(o, "kind", json_object_new_string(kind));
    json_object_object_add(o, "item", item ? json_object_new_string(item) : NULL);
    json_object_object_add(o, "old", old);
    json_object_object_add(o, "new", new_);
    json_object_object_add(o, "change", json_object_new_string(change));
    json_object_object_add(o, "regression", json_object_new_boolean(regression));
    json_object_array_add(c->changes, o);
    c->regressions += regression;
    return o;
}

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static bool is_failure(const char *result)
{
    return jr_eq(result, "FAIL") || jr_eq(result, "ERROR");
}

/* "new failure", "new error", "new pass" or "changed" for a result that went from old to new. */
static const char *result_change(const char *new_)
{
    return jr_eq(new_, "FAIL")    ? "new failure"
           : jr_eq(new_, "ERROR") ? "new error"
           : jr_eq(new_, "PASS")  ? "new pass"
                                  : "changed";
}

/* Whether two strings differ; absent and null are alike. */
static bool differs(const char *a, const char *b)
{
    return (a || b) && !(a && b && strcmp(a, b) == 0);
}

/* A string member that differs: a change; with results (verdicts and results), a regression
 * when it is a new failure or error. */
static void compare_string(diff_ctx_t *c, const char *kind, const char *item, const char *old, const char *new_,
                           bool results)
{
    if (!differs(old, new_))
        return;
    add_change(c, kind, item, str_or_null(old), str_or_null(new_), results ? result_change(new_) : "changed",
               results && is_failure(new_));
}

/* The verdict of requirement id in an endpoint's verdicts, or NULL. */
static const char *verdict_result(json_object *ep, const char *id)
{
    json_object *verdicts = jr_at(ep, "verdicts");
    for (size_t i = 0; i < jr_len(verdicts); i++)
        if (jr_eq(jr_str(jr_idx(verdicts, i), "id"), id))
            return jr_str(jr_idx(verdicts, i), "result");
    return NULL;
}

static void compare_requirements(diff_ctx_t *c)
{
    json_object *nv = jr_at(c->new_ep, "verdicts"), *ov = jr_at(c->old_ep, "verdicts");
    for (size_t i = 0; i < jr_len(nv); i++) {
        const char *id = jr_str(jr_idx(nv, i), "id");
        compare_string(c, "requirement", id, verdict_result(c->old_ep, id), jr_str(jr_idx(nv, i), "result"), true);
    }
    for (size_t i = 0; i < jr_len(ov); i++) {
        const char *id = jr_str(jr_idx(ov, i), "id");
        if (!verdict_result(c->new_ep, id))
            compare_string(c, "requirement", id, jr_str(jr_idx(ov, i), "result"), NULL, true);
    }
}

/* The letter, or NULL when there is no grade. */
static const char *grade_letter(json_object *ep)
{
    json_object *g = jr_at(ep, "grade");
    return g && json_object_is_type(g, json_type_string) ? json_object_get_string(g) : jr_str(g, "grade");
}

/* Higher is better; no grade (or a letter this build does not know) is the lowest. */
static int grade_rank(const char *g)
{
    static const char *const order[] = { "M", "T", "F", "E", "D", "C", "B", "A-", "A", "A+" };
    for (size_t i = 0; g && i < sizeof order / sizeof *order; i++)
        if (strcmp(g, order[i]) == 0)
            return i == 0 ? 2 : (int)i + 1; /* M and T rank alike: a certificate problem */
    return 0;
}

static void compare_grade(diff_ctx_t *c)
{
    const char *old = grade_letter(c->old_ep), *new_ = grade_letter(c->new_ep);
    if (!differs(old, new_))
        return;
    int ro = grade_rank(old), rn = grade_rank(new_);
    add_change(c, "grade", NULL, str_or_null(old), str_or_null(new_), rn < ro ? "down" : rn > ro ? "up" : "changed",
               rn < ro);
}

/* accepted of version name in the versions facts: 1, 0, or -1 unknown (null, absent). */
static int version_accepted(json_object *versions, const char *name)
{
    json_object *a = jr_at(jr_named(versions, "protocols", name), "accepted");
    return a && json_object_is_type(a, json_type_boolean) ? json_object_get_boolean(a) : -1;
}

static json_object *tri(int v)
{
    return v < 0 ? NULL : json_object_new_boolean(v);
}

/* Versions newly accepted (a regression below TLS 1.2) or no longer accepted. Only when both
 * reports ran the versions probe. */
static void compare_versions(diff_ctx_t *c)
{
    json_object *ov = jr_at(jr_at(c->old_ep, "facts"), "versions"), *nv = jr_at(jr_at(c->new_ep, "facts"), "versions");
    if (!ov || !nv)
        return;
    for (size_t i = 0; i < JR_NPROTOCOLS; i++) {
        const char *name = jr_protocols[i];
        int o = version_accepted(ov, name), n = version_accepted(nv, name);
        bool legacy = i < JR_NPROTOCOLS - 2; /* below TLS 1.2 */
        if (n == 1 && o != 1)
            add_change(c, "version", name, tri(o), tri(n), "accepted", legacy);
        else if (o == 1 && n != 1)
            add_change(c, "version", name, tri(o), tri(n), n == 0 ? "dropped" : "undetermined", false);
    }
}

/* The suite named name in a ciphers protocol entry, or NULL. */
static json_object *find_suite(json_object *proto, const char *name)
{
    return jr_named(proto, "suites", name);
}

static void add_suite(diff_ctx_t *c, const char *version, json_object *suite, bool accepted)
{
    const char *cls = jr_str(suite, "class");
    bool weak = jr_eq(cls, "weak") || jr_eq(cls, "insecure");
    json_object *o = add_change(c, "suite", jr_str(suite, "name"), json_object_new_boolean(!accepted),
                                json_object_new_boolean(accepted), accepted ? "accepted" : "dropped", accepted && weak);
    json_object_object_add(o, "version", json_object_new_string(version));
    json_object_object_add(o, "class", str_or_null(cls));
}

/* Suites of one version: each one new now accepted; each one gone dropped only when the new
 * enumeration of that version is complete (a missing suite of an incomplete enumeration may be
 * undecided, not refused). A version no longer accepted is one change of its own, not one per
 * suite. */
static void compare_version_suites(diff_ctx_t *c, const char *version, json_object *op, json_object *np)
{
    json_object *ns = jr_at(np, "suites"), *os = jr_at(op, "suites");
    for (size_t i = 0; i < jr_len(ns); i++)
        if (jr_str(jr_idx(ns, i), "name") && !find_suite(op, jr_str(jr_idx(ns, i), "name")))
            add_suite(c, version, jr_idx(ns, i), true);
    for (size_t i = 0; jr_bool_is(np, "complete", true) && i < jr_len(os); i++)
        if (jr_str(jr_idx(os, i), "name") && !find_suite(np, jr_str(jr_idx(os, i), "name")))
            add_suite(c, version, jr_idx(os, i), false);
}

static void compare_suites(diff_ctx_t *c)
{
    json_object *oc = jr_at(jr_at(c->old_ep, "facts"), "ciphers"), *nc = jr_at(jr_at(c->new_ep, "facts"), "ciphers");
    if (!oc || !nc)
        return;
    for (size_t i = 0; i < JR_NPROTOCOLS; i++) {
        json_object *op = jr_named(oc, "protocols", jr_protocols[i]), *np = jr_named(nc, "protocols", jr_protocols[i]);
        if (op || np)
            compare_version_suites(c, jr_protocols[i], op, np);
    }
}

static json_object *leaf(json_object *ep)
{
    return jr_idx(jr_at(jr_at(jr_at(ep, "facts"), "certificate"), "chain"), 0);
}

/* days_to_expiry as a number, or false. */
static bool expiry_days(json_object *ep, int *days)
{
    json_object *d = jr_at(jr_at(jr_at(ep, "facts"), "certificate"), "days_to_expiry");
    if (!d || !json_object_is_type(d, json_type_int))
        return false;
    *days = json_object_get_int(d);
    return true;
}

/* The leaf's fingerprint, issuer and end date, as the certificate facts hold them. Only when
 * both reports ran the certificate probe. */
static void compare_certificate(diff_ctx_t *c)
{
    static const char *const fields[] = { "sha256", "issuer", "not_after" };
    if (!jr_at(jr_at(c->old_ep, "facts"), "certificate") || !jr_at(jr_at(c->new_ep, "facts"), "certificate"))
        return;
    json_object *ol = leaf(c->old_ep), *nl = leaf(c->new_ep);
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        compare_string(c, "certificate", fields[i], jr_str(ol, fields[i]), jr_str(nl, fields[i]), false);
}

/* A leaf of new expiring within the window is listed; it is a regression when it was not
 * already within the window in old (an alert once, when it enters the window). */
static void check_expiry(diff_ctx_t *c)
{
    int n, o;
    if (!expiry_days(c->new_ep, &n) || n > c->expiry_days)
        return;
    bool was = c->old_ep && expiry_days(c->old_ep, &o) && o <= c->expiry_days;
    add_change(c, "expiring", NULL, was ? json_object_new_int(o) : NULL, json_object_new_int(n),
               n < 0 ? "expired" : "expiring", !was);
}

static void compare_endpoint(diff_ctx_t *c)
{
    if (!c->new_ep || !c->old_ep) {
        const char *r = jr_str(c->new_ep ? c->new_ep : c->old_ep, "result");
        add_change(c, "endpoint", NULL, c->old_ep ? str_or_null(r) : NULL, c->new_ep ? str_or_null(r) : NULL,
                   c->new_ep ? "new" : "gone", !c->new_ep);
        if (c->new_ep)
            check_expiry(c);
        return;
    }
    const char *os = jr_str(c->old_ep, "status"), *ns = jr_str(c->new_ep, "status");
    if (differs(os, ns))
        add_change(c, "status", NULL, str_or_null(os), str_or_null(ns), "changed", !jr_eq(ns, "ok"));
    compare_string(c, "result", NULL, jr_str(c->old_ep, "result"), jr_str(c->new_ep, "result"), true);
    compare_grade(c);
    compare_requirements(c);
    compare_versions(c);
    compare_suites(c);
    compare_certificate(c);
    check_expiry(c);
}

/* An object mapping each endpoint's key to the endpoint (json-c objects are hash tables). */
static json_object *by_key(const report_file_t *r, bool by_id)
{
    json_object *map = json_object_new_object();
    char key[1200];
    for (size_t i = 0; i < json_object_array_length(r->endpoints); i++) {
        json_object *ep = json_object_array_get_idx(r->endpoints, i);
        if (report_endpoint_key(ep, by_id, key, sizeof key))
            json_object_object_add(map, key, json_object_get(ep));
    }
    return map;
}

static int cmp_index(const void *a, const void *b)
{
    json_object *x = jr_at(*(json_object *const *)a, "index"), *y = jr_at(*(json_object *const *)b, "index");
    int64_t i = x ? json_object_get_int64(x) : 0, j = y ? json_object_get_int64(y) : 0;
    const char *a_id = jr_str(*(json_object *const *)a, "id"), *b_id = jr_str(*(json_object *const *)b, "id");
    /* Equal indexes (parts of different inventories) are ordered by id, so output never
     * depends on qsort's luck. */
    return i != j ? (i > j) - (i < j) : a_id && b_id ? strcmp(a_id, b_id) : 0;
}

/* The endpoints of r in index order (JSONL files list them in completion order). */
static json_object **in_index_order(const report_file_t *r, size_t *n)
{
    *n = json_object_array_length(r->endpoints);
    json_object **v = malloc((*n ? *n : 1) * sizeof *v);
    for (size_t i = 0; v && i < *n; i++)
        v[i] = json_object_array_get_idx(r->endpoints, i);
    /* qsort is not stable: equal indexes (2.0 reports have none) keep file order only by luck,
     * so they are sorted only when every endpoint has one. */
    bool all = true;
    for (size_t i = 0; v && i < *n; i++)
        all &= jr_is(v[i], "index", json_type_int);
    if (v && all)
        qsort(v, *n, sizeof *v, cmp_index);
    return v;
}

/* Compares new's endpoints in index order, then lists old's that new lacks. */
static int compare_all(diff_ctx_t *c, const report_file_t *old, const report_file_t *new_)
{
    bool by_id = report_file_has_ids(old) && report_file_has_ids(new_);
    json_object *om = by_key(old, by_id), *nm = by_key(new_, by_id);
    size_t nn, on;
    json_object **nv = in_index_order(new_, &nn), **ov = in_index_order(old, &on);
    char key[1200];
    for (size_t i = 0; nv && ov && i < nn; i++) {
        /* An endpoint listed twice counts once, as its last copy (as merge keeps it). */
        if (!report_endpoint_key(nv[i], by_id, key, sizeof key) || jr_at(nm, key) != nv[i])
            continue;
        c->new_ep = nv[i];
        c->old_ep = jr_at(om, key);
        compare_endpoint(c);
    }
    for (size_t i = 0; nv && ov && i < on; i++) {
        c->old_ep = ov[i];
        c->new_ep = NULL;
        if (report_endpoint_key(ov[i], by_id, key, sizeof key) && jr_at(om, key) == ov[i] && !jr_at(nm, key))
            compare_endpoint(c);
    }
    int rc = nv && ov ? 0 : -1;
    free(nv);
    free(ov);
    json_object_put(om);
    json_object_put(nm);
    return rc;
}

static json_object *side(const report_file_t *r, const char *path)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "file", json_object_new_string(path));
    json_object_object_add(o, "started_at", str_or_null(jr_str(r->head, "started_at")));
    json_object_object_add(o, "finished_at", str_or_null(jr_str(r->head, "finished_at")));
    json_object_object_add(o, "endpoints", json_object_new_int((int)json_object_array_length(r->endpoints)));
    /* Endpoints an interrupted run never reached show as gone: the reader should know why. */
    json_object_object_add(o, "incomplete", json_object_new_boolean(report_file_incomplete(r)));
    return o;
}

/* Counts of changes by kind and change, for the summary. */
static json_object *summary(json_object *changes, int regressions)
{
    int gone = 0, added = 0;
    for (size_t i = 0; i < json_object_array_length(changes); i++) {
        json_object *ch = json_object_array_get_idx(changes, i);
        if (jr_eq(jr_str(ch, "kind"), "endpoint")) {
            gone += jr_eq(jr_str(ch, "change"), "gone");
            added += jr_eq(jr_str(ch, "change"), "new");
        }
    }
    json_object *s = json_object_new_object();
    json_object_object_add(s, "changes", json_object_new_int((int)json_object_array_length(changes)));
    json_object_object_add(s, "regressions", json_object_new_int(regressions));
    json_object_object_add(s, "endpoints_gone", json_object_new_int(gone));
    json_object_object_add(s, "endpoints_new", json_object_new_int(added));
    return s;
}

json_object *diff_reports(const report_file_t *old, const char *old_path, const report_file_t *new_,
                          const char *new_path, int expiry_days)
{
    diff_ctx_t c = { .changes = json_object_new_array(), .expiry_days = expiry_days };
    if (compare_all(&c, old, new_) != 0) {
        json_object_put(c.changes);
        return NULL;
    }
    json_object *d = json_object_new_object();
    json_object_object_add(d, "schema", json_object_new_string(DIFF_SCHEMA));
    json_object_object_add(d, "schema_version", json_object_new_string(DIFF_SCHEMA_VERSION));
    json_object_object_add(d, "old", side(old, old_path));
    json_object_object_add(d, "new", side(new_, new_path));
    json_object_object_add(d, "expiry_days", json_object_new_int(expiry_days));
    json_object_object_add(d, "regression", json_object_new_boolean(c.regressions > 0));
    json_object_object_add(d, "summary", summary(c.changes, c.regressions));
    json_object_object_add(d, "changes", c.changes);
    return d;
}
