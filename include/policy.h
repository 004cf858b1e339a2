/* Waivers (--policy FILE): a requirement's failure accepted for a target or a tag until a
 * date, with a reason. A waived failure is reported as WAIVED; once the date has passed the
 * failure counts again and the report says the waiver expired. */
#ifndef TLSPROBE_POLICY_H
#define TLSPROBE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "target.h"

typedef struct waiver {
    char *requirement;   /* "12.1.1" */
    char *target;        /* matches the target as written, host:port or host; NULL: any */
    char *tag;           /* matches a target tag; NULL: any */
    char until[11];      /* "YYYY-MM-DD", last day the waiver holds (UTC) */
    time_t until_end;    /* the end of that day */
    char *reason;
    char *origin;        /* "FILE:LINE" */
} waiver_t;

typedef struct policy {
    waiver_t *waivers;
    size_t count;
} policy_t;

/* 0, or -1 with "FILE:LINE:COLUMN: field 'x': ..." in err. */
int policy_load(const char *path, policy_t *out, char *err, size_t errlen);
void policy_free(policy_t *p);

/* The first waiver for this requirement and target (expired or not), or NULL. */
const waiver_t *policy_find(const policy_t *p, const char *requirement, const target_t *t);

#endif
