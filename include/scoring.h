/* Scoring turns an endpoint's facts into verdicts, one per requirement of the selected
 * standards and level, each with one line of evidence. It is pure: it reads facts and the
 * target's context (exposure, expected mTLS), never the network. */
#ifndef TLSPROBE_SCORING_H
#define TLSPROBE_SCORING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "endpoint.h"
#include "policy.h"

typedef enum {
    VERDICT_PASS,
    VERDICT_FAIL,
    VERDICT_NOT_APPLICABLE,
    VERDICT_MANUAL,
    VERDICT_ERROR
} verdict_t;

typedef struct rule_ctx {
    json_object *facts;
    const target_t *target;   /* may be NULL (unit tests): external, no pins, no mTLS expected */
    int level;
    bool *not_selected;       /* set when a rule needed a probe --probes left out; may be NULL */
    const char *const *left_out; /* the probes --probes left out (endpoint_t.left_out); may be NULL */
} rule_ctx_t;

typedef verdict_t (*rule_fn)(const rule_ctx_t *ctx, char *evidence, size_t evlen);

/* One requirement of the catalogue: a row of data/asvs/requirements.csv, compiled in by
 * tools/gen_requirements.py, which stops the build when a row names no rule function or a rule
 * function has no row. The one table scoring, --explain and the man page's list come from. */
typedef struct requirement {
    const char *standard;  /* "ASVS 5.0.0", "ASVS 4.0.3" */
    const char *id;        /* "12.1.1"; unique across standards */
    int level;             /* lowest ASVS level that requires it */
    int cwe;               /* 0: none */
    const char *title;     /* tlsprobe's short title (reports) */
    const char *text;      /* the requirement as OWASP wrote it (CC BY-SA 4.0) */
    rule_fn rule;          /* decides it from the facts (rules_*.c) */
    const char *how;       /* how the rule decides (--explain, man/tlsprobe.1) */
} requirement_t;

extern const requirement_t requirements[];
extern const size_t requirements_count;

const requirement_t *requirement_by_id(const char *id);
const char *verdict_name(verdict_t v);

/* Checks the --standard value: "asvs-5.0", "asvs-4.0.3" or "all". */
bool scoring_standard_valid(const char *standard);
/* --explain ID: the requirement's text, level, CWE, and how it is decided. -1 if unknown. */
int scoring_explain(FILE *out, const char *id);

/* What scoring needs from the run, given with every endpoint: nothing is kept between calls. */
typedef struct scoring {
    const options_t *opts;    /* --standard, --level, --fail-on, --profile (required; cli_set_defaults) */
    const policy_t *policy;   /* waivers; NULL: none */
} scoring_t;

/* Fills ep->verdicts, ep->warnings, ep->result, ep->grade and (--profile) ep->profile. s is not NULL. */
void score_endpoint(const scoring_t *s, endpoint_t *ep);

#endif
