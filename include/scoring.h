/* Scoring turns an endpoint's facts into verdicts. It is pure: it reads facts, never the network. */
#ifndef TLSPROBE_SCORING_H
#define TLSPROBE_SCORING_H

#include <stddef.h>

#include "endpoint.h"

typedef enum {
    VERDICT_PASS,
    VERDICT_FAIL,
    VERDICT_NOT_APPLICABLE,
    VERDICT_MANUAL,
    VERDICT_ERROR
} verdict_t;

typedef struct requirement {
    const char *id;        /* "12.1.1" */
    const char *standard;  /* "ASVS 5.0.0" */
    int level;             /* lowest ASVS level that requires it */
    const char *title;     /* short, for reports */
    verdict_t (*rule)(json_object *facts, char *evidence, size_t evlen);
} requirement_t;

extern const requirement_t requirements[];
extern const size_t requirements_count;

const char *verdict_name(verdict_t v);

/* Fills ep->verdicts (requirements up to opts->level). */
void score_endpoint(endpoint_t *ep);

#endif
