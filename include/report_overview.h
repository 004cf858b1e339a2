/* The run's overview (summary.overview): grades, certificates by days to expiry and failures per
 * requirement, accumulated one endpoint object at a time so that a streamed run needs nothing
 * but the counts; the HTML writer draws it as charts. Shape in man/tlsprobe-json.5. */
#ifndef TLSPROBE_REPORT_OVERVIEW_H
#define TLSPROBE_REPORT_OVERVIEW_H

#include <stdio.h>
#include <json-c/json.h>

/* The grade keys, best first, then "none" (no grade, or a letter this version does not know). */
#define OVERVIEW_NGRADES 11
extern const char *const overview_grades[OVERVIEW_NGRADES];
/* The expiry buckets of the soonest served leaf: "expired" (days_to_expiry < 0), "0-6", "7-29",
 * "30-89", "90+", "unknown" (no leaf's days known, the endpoint not reached included). */
#define OVERVIEW_NEXPIRY 6
extern const char *const overview_expiry[OVERVIEW_NEXPIRY];

typedef struct overview_failure {
    char *id, *title;   /* title: the first verdict's, or NULL */
    long fail, error;
} overview_failure_t;

/* Zero-initialise ({0}); report_overview_free releases it. */
typedef struct report_overview {
    long grades[OVERVIEW_NGRADES];
    long expiry[OVERVIEW_NEXPIRY];
    overview_failure_t *failures;   /* one per requirement id with a FAIL or ERROR verdict */
    size_t nfailures, cap;
    int oom;                        /* an id could not be recorded: the overview is left out */
} report_overview_t;

/* Counts one endpoint object of the report (report_endpoint()'s, or one read from a file). */
void report_overview_add(report_overview_t *o, json_object *endpoint);
/* {"grades": {...}, "expiry": {...}, "failures": [{"id", "title", "fail", "error"}, ...]}, failures by
 * FAIL + ERROR descending, then FAIL descending, then id in version order; NULL when an id
 * could not be recorded (out of memory). New reference. */
json_object *report_overview_json(const report_overview_t *o);
void report_overview_free(report_overview_t *o);


#endif
