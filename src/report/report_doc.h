/* Reading the report document in writers. Lookups tolerate absent and null members, so a
 * writer shows members that later versions add (a verdict's cwe or waiver, an endpoint's
 * grade) without requiring them. */
#ifndef TLSPROBE_REPORT_DOC_H
#define TLSPROBE_REPORT_DOC_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

static inline json_object *doc_at(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* The member if it is a string, else NULL. */
static inline const char *doc_str(json_object *o, const char *key)
{
    json_object *v = doc_at(o, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static inline size_t doc_len(json_object *arr)
{
    return arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

/* A value as one line of display text (malloc'd, or NULL for null/absent): strings as they are,
 * arrays joined with ", ", objects as "key: value; key: value", other scalars as JSON. */
char *doc_value_text(json_object *v);

/* An endpoint's letter grade: its "grade" member when that is a string, or the "grade" member
 * of an object (the grade with its score and caps); NULL without one. */
const char *doc_grade_letter(json_object *endpoint);
/* What a writer shows for the grade: the letter, "no grade: REASON" (composed in buf) when the
 * grade object says the facts did not support one, or NULL without a grade member (the
 * endpoint was not probed). A missing letter never reads as a good one. */
const char *doc_grade_text(json_object *endpoint, char *buf, size_t buflen);

/* True for the members a verdict always has; writers show every other member as a note. */
bool doc_verdict_core_member(const char *key);

/* Every requirement any endpoint has a verdict for, in first-seen order: an array of
 * { "id", "standard", "level", "title" } (new reference). */
json_object *doc_requirements(json_object *doc);

/* The verdict of an endpoint for requirement id, or NULL. */
json_object *doc_verdict(json_object *endpoint, const char *id);

/* Writes s for an XML or HTML text node or attribute value: & < > " ' as references,
 * control characters dropped, invalid UTF-8 as U+FFFD; in attributes tab/CR/LF as
 * character references so they survive attribute normalisation. */
void markup_escape(FILE *f, const char *s, bool attribute);

#endif
