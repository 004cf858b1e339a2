/* Reading the report document in writers. Lookups tolerate absent and null members, so a
 * writer shows members that later versions add (a verdict's cwe or waiver, an endpoint's
 * grade) without requiring them. */
#ifndef TLSPROBE_REPORT_DOC_H
#define TLSPROBE_REPORT_DOC_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "escape.h"   /* every writer escapes strings with its format's function */
#include "json_read.h"

/* A value as one line of display text (malloc'd, or NULL for null/absent): strings as they are,
 * arrays joined with ", ", objects as "key: value; key: value", other scalars as JSON. */
char *doc_value_text(json_object *v);
/* What a writer shows for the grade: the letter, "no grade: REASON" (composed in buf) when the
 * grade object says the facts did not support one, or NULL without a grade member (the
 * endpoint was not probed). A missing letter never reads as a good one. */
/* For a report of a sweep that was stopped ("incomplete": true): one line saying so and how many
 * targets were not probed, in buf; NULL for a complete report. Every format shows it, so a
 * partial run never looks like a clean one. */
/* Draws summary.overview as three inline SVG charts (grades, expiry, failures per requirement),
 * only when the summary counts at least 2 endpoints and has an overview; nothing otherwise
 * (report_html_overview.c). */
void html_overview(FILE *f, json_object *summary);
/* The served leaf that expires first: each of certificate.certificates, else the chain's first
 * with the certificate's own days_to_expiry. Its days in *days and the leaf (for not_after) in
 * *leaf; false when no leaf's days are known. */
bool doc_soonest_leaf(json_object *cert, long long *days, json_object **leaf);
const char *doc_incomplete_text(json_object *head, char *buf, size_t buflen);
const char *doc_grade_text(json_object *endpoint, char *buf, size_t buflen);

/* True for the members a verdict always has; writers show every other member as a note. */
bool doc_verdict_core_member(const char *key);

/* Adds to reqs every requirement endpoint has a verdict for that reqs lacks, so that reqs
 * holds them in first-seen order: { "id", "standard", "level", "title" } each. */
void doc_requirements_add(json_object *reqs, json_object *endpoint);

/* The verdict of an endpoint for requirement id, or NULL. */
json_object *doc_verdict(json_object *endpoint, const char *id);


#endif
