/* Helpers the report writers share to read the report document. */
#include "report_doc.h"

#include <stdlib.h>
#include <string.h>

static void write_value(FILE *f, json_object *v, int depth)
{
    if (!v) {
        fputs("null", f);
        return;
    }
    switch (json_object_get_type(v)) {
    case json_type_string:
        fputs(json_object_get_string(v), f);
        return;
    case json_type_array:
        for (size_t i = 0; i < jr_len(v); i++) {
            fputs(i ? ", " : "", f);
            write_value(f, jr_idx(v, i), depth + 1);
        }
        return;
    case json_type_object:
        /* Nested objects stay JSON: one level of "key: value" reads well, more does not. */
        if (depth > 0) {
            fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), f);
            return;
        }
        {
            int first = 1;
            json_object_object_foreach(v, key, val) {
                fprintf(f, "%s%s: ", first ? "" : "; ", key);
                write_value(f, val, depth + 1);
                first = 0;
            }
        }
        return;
    default:
        fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), f);
    }
}

char *doc_value_text(json_object *v)
{
    if (!v)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    write_value(f, v, 0);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* An endpoint's letter grade: its "grade" member when that is a string, or the "grade" member
 * of an object (the grade with its score and caps); NULL without one. */
static const char *doc_grade_letter(json_object *endpoint)
{
    json_object *g = jr_at(endpoint, "grade");
    if (g && json_object_is_type(g, json_type_string))
        return json_object_get_string(g);
    return jr_str(g, "grade");
}

bool doc_soonest_leaf(json_object *cert, long long *days, json_object **leaf)
{
    if (!jr_status_ok(cert))
        return false;
    json_object *leaves = jr_at(cert, "certificates");
    size_t n = jr_len(leaves);
    bool found = false;
    for (size_t i = 0; i < (n ? n : 1); i++) {
        json_object *one = n ? jr_idx(leaves, i) : jr_idx(jr_at(cert, "chain"), 0);
        json_object *d = jr_at(n ? one : cert, "days_to_expiry");
        if (!d || !json_object_is_type(d, json_type_int) || (found && json_object_get_int64(d) >= *days))
            continue;
        *days = json_object_get_int64(d);
        *leaf = one;
        found = true;
    }
    return found;
}

const char *doc_incomplete_text(json_object *head, char *buf, size_t buflen)
{
    if (!json_object_get_boolean(jr_at(head, "incomplete")))
        return NULL;
    snprintf(buf, buflen, "INCOMPLETE: the sweep was stopped before every target was probed (%lld not probed)",
             (long long)json_object_get_int64(jr_at(jr_at(head, "summary"), "not_probed")));
    return buf;
}

const char *doc_grade_text(json_object *endpoint, char *buf, size_t buflen)
{
    json_object *g = jr_at(endpoint, "grade");
    if (doc_grade_letter(endpoint))
        return doc_grade_letter(endpoint);
    if (!g || !json_object_is_type(g, json_type_object))
        return NULL;
    snprintf(buf, buflen, "no grade: %s", jr_str(g, "reason") ? jr_str(g, "reason") : "no reason given");
    return buf;
}

bool doc_verdict_core_member(const char *key)
{
    static const char *const core[] = { "id", "standard", "level", "title", "result", "evidence" };
    for (size_t i = 0; i < sizeof core / sizeof *core; i++)
        if (strcmp(key, core[i]) == 0)
            return true;
    return false;
}

json_object *doc_verdict(json_object *endpoint, const char *id)
{
    json_object *list = jr_at(endpoint, "verdicts");
    for (size_t i = 0; i < jr_len(list); i++) {
        json_object *v = jr_idx(list, i);
        const char *vid = jr_str(v, "id");
        if (vid && strcmp(vid, id) == 0)
            return v;
    }
    return NULL;
}

void doc_requirements_add(json_object *reqs, json_object *endpoint)
{
    json_object *verdicts = jr_at(endpoint, "verdicts");
    for (size_t j = 0; j < jr_len(verdicts); j++) {
        json_object *v = jr_idx(verdicts, j);
        const char *id = jr_str(v, "id");
        size_t k = 0;
        while (id && k < jr_len(reqs) && strcmp(jr_str(jr_idx(reqs, k), "id"), id) != 0)
            k++;
        if (!id || k < jr_len(reqs))
            continue;
        json_object *r = json_object_new_object();
        static const char *const keep[] = { "id", "standard", "level", "title" };
        for (size_t m = 0; m < sizeof keep / sizeof *keep; m++)
            json_object_object_add(r, keep[m], json_object_get(jr_at(v, keep[m])));
        json_object_array_add(reqs, r);
    }
}
