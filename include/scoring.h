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
    const options_t *opts;    /* may be NULL (unit tests) */
    bool *not_selected;       /* set when a rule needed a probe --probes left out; may be NULL */
    const char *const *left_out; /* the probes --probes left out (endpoint_t.left_out); may be NULL */
} rule_ctx_t;

typedef verdict_t (*rule_fn)(const rule_ctx_t *ctx, char *evidence, size_t evlen);

typedef struct requirement {
    const char *standard;  /* "ASVS 5.0.0", "ASVS 4.0.3" */
    const char *id;        /* "12.1.1" */
    rule_fn rule;
    const char *how;       /* what tlsprobe checks and how it decides (--explain) */
} requirement_t;

extern const requirement_t requirements[];
extern const size_t requirements_count;

const requirement_t *requirement_by_id(const char *id);
const char *verdict_name(verdict_t v);

/* Checks the --standard value: "asvs-5.0", "asvs-4.0.3" or "all". */
bool scoring_standard_valid(const char *standard);
/* --explain ID: the requirement's text, level, CWE, and how it is decided. -1 if unknown. */
int scoring_explain(FILE *out, const char *id);

/* Run-wide scoring settings; the policy may be NULL. Call before score_endpoint. */
void scoring_configure(const options_t *opts, const policy_t *policy);
/* Fills ep->verdicts and ep->result. */
void score_endpoint(endpoint_t *ep);

#endif
