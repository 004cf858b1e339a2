/* Reading the requirement catalogue (the table generated from data/asvs/requirements.csv),
 * and the scoring of an endpoint: standards and level selected, waivers applied, the
 * endpoint's result. */
#include "scoring.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "grade.h"
#include "profile.h"
#include "rules.h"
#include "warnings.h"

#define A5 "ASVS 5.0.0"
#define A4 "ASVS 4.0.3"

const requirement_t *requirement_by_id(const char *id)
{
    for (size_t i = 0; i < requirements_count; i++)
        if (strcmp(requirements[i].id, id) == 0)
            return &requirements[i];
    return NULL;
}

const char *verdict_name(verdict_t v)
{
    switch (v) {
    case VERDICT_PASS: return "PASS";
    case VERDICT_FAIL: return "FAIL";
    case VERDICT_NOT_APPLICABLE: return "NOT_APPLICABLE";
    case VERDICT_MANUAL: return "MANUAL";
    case VERDICT_ERROR: return "ERROR";
    }
    return "ERROR";
}

bool scoring_standard_valid(const char *standard)
{
    return strcmp(standard, "asvs-5.0") == 0 || strcmp(standard, "asvs-4.0.3") == 0 || strcmp(standard, "all") == 0;
}

int scoring_explain(FILE *out, const char *id)
{
    const char *bare = strncmp(id, "V", 1) == 0 ? id + 1 : id;
    const requirement_t *r = requirement_by_id(bare);
    if (!r)
        return -1;
    char cwe[24] = "";
    if (r->cwe)
        snprintf(cwe, sizeof cwe, ", CWE-%d", r->cwe);
    fprintf(out, "%s %s (level %d%s): %s\n\n", r->standard, r->id, r->level, cwe, r->title);
    fprintf(out, "Requirement:\n  %s\n\nHow tlsprobe decides:\n  %s\n", r->text, r->how);
    return 0;
}

static bool selected(const requirement_t *r, const options_t *o)
{
    const char *std = o->standard;
    bool in_std = strcmp(std, "all") == 0 || (strcmp(std, "asvs-5.0") == 0 && strcmp(r->standard, A5) == 0) ||
                  (strcmp(std, "asvs-4.0.3") == 0 && strcmp(r->standard, A4) == 0);
    return in_std && r->level <= o->level;
}

/* A waived failure is WAIVED; a waiver past its date leaves the FAIL and says so. */
static const char *apply_waiver(const policy_t *policy, const requirement_t *r, const target_t *t, verdict_t v,
                                json_object *o, char *ev, size_t evlen)
{
    const waiver_t *w = v == VERDICT_FAIL ? policy_find(policy, r->id, t) : NULL;
    if (!w)
        return verdict_name(v);
    json_object *wj = json_object_new_object();
    json_object_object_add(wj, "reason", json_object_new_string(w->reason));
    json_object_object_add(wj, "until", json_object_new_string(w->until));
    json_object_object_add(wj, "origin", w->origin ? json_object_new_string(w->origin) : NULL);
    bool expired = time(NULL) > w->until_end;
    json_object_object_add(wj, "expired", json_object_new_boolean(expired));
    json_object_object_add(o, "waiver", wj);
    if (expired) {
        rf_ev(ev, evlen, " (waiver expired %s: %s)", w->until, w->reason);
        return "FAIL";
    }
    return "WAIVED";
}

/* A service that speaks only cleartext was reached: a STARTTLS service that does not offer
 * STARTTLS, or a "TLS" port that accepts no TLS version and answers plain HTTP. That is a
 * finding about the service (a failure), not a failure to probe it; why says which. */
static bool cleartext_only(endpoint_t *ep, char *why, size_t whylen)
{
    json_object *st = jr_at(ep->facts, "starttls"), *http = jr_at(ep->facts, "http");
    bool offered = true, tls = true;
    if (rf_true(st, "applicable") && rf_bool(st, "starttls_offered", &offered) && !offered) {
        snprintf(why, whylen, "the service does not offer STARTTLS");
        return true;
    }
    const char *status = jr_str(http, "status");
    if (status && strcmp(status, "ok") == 0 && rf_true(http, "applicable") && rf_bool(http, "tls", &tls) && !tls &&
        jr_at(jr_at(http, "cleartext_on_tls_port"), "status")) {
        snprintf(why, whylen, "cleartext HTTP served on port %u", ep->target->port);
        return true;
    }
    return false;
}

/* Evidence is one line (the schema says so), though it may quote what a target or server
 * chose (a name with a line break): control characters become spaces. */
static void one_line(char *ev)
{
    for (unsigned char *p = (unsigned char *)ev; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

void score_endpoint(const scoring_t *s, endpoint_t *ep)
{
    const options_t *o = s->opts;
    rule_ctx_t ctx = { .facts = ep->facts, .target = ep->target, .level = o->level,
                       .left_out = ep->left_out };
    const char *fail_on = o->fail_on;
    bool fail = false, error = false;
    pthread_mutex_lock(&ep->lock);
    char no_tls_why[80];
    bool no_tls = cleartext_only(ep, no_tls_why, sizeof no_tls_why);
    for (size_t i = 0; i < requirements_count; i++) {
        const requirement_t *r = &requirements[i];
        if (!selected(r, o))
            continue;
        char evidence[768] = "";
        verdict_t v;
        if (ep->status != ENDPOINT_OK && !no_tls) {
            v = VERDICT_ERROR;
            snprintf(evidence, sizeof evidence, "not probed: %s", ep->error);
        } else {
            bool not_selected = false;
            ctx.not_selected = &not_selected;
            v = r->rule(&ctx, evidence, sizeof evidence);
            /* A requirement whose probe the user left out is theirs to check, not an error. */
            if (v == VERDICT_ERROR && not_selected)
                v = VERDICT_MANUAL;
            if (no_tls && v == VERDICT_ERROR) {
                v = VERDICT_FAIL;
                snprintf(evidence, sizeof evidence, "no TLS: %s", no_tls_why);
            }
        }
        json_object *vj = json_object_new_object();
        const char *result = apply_waiver(s->policy, r, ep->target, v, vj, evidence, sizeof evidence);
        one_line(evidence);
        json_object_object_add(vj, "id", json_object_new_string(r->id));
        json_object_object_add(vj, "standard", json_object_new_string(r->standard));
        json_object_object_add(vj, "level", json_object_new_int(r->level));
        json_object_object_add(vj, "cwe", r->cwe ? json_object_new_int(r->cwe) : NULL);
        json_object_object_add(vj, "title", json_object_new_string(r->title));
        json_object_object_add(vj, "result", json_object_new_string(result));
        json_object_object_add(vj, "evidence", json_object_new_string(evidence));
        json_object_array_add(ep->verdicts, vj);
        error |= strcmp(result, "ERROR") == 0;
        fail |= strcmp(result, "FAIL") == 0 && strcmp(fail_on, "none") != 0;
        fail |= strcmp(result, "MANUAL") == 0 && strcmp(fail_on, "manual") == 0;
        fail |= strcmp(result, "WAIVED") == 0 && strcmp(fail_on, "waived") == 0;
    }
    /* --fail-on warn: a warning counts as a failure of the endpoint; its verdicts stay. */
    bool warn_fails = strcmp(fail_on, "warn") == 0;
    ep->warnings = warnings_collect(ep->status == ENDPOINT_OK ? ep->facts : NULL, o->expiry_warn_days, warn_fails);
    fail |= warn_fails && json_object_array_length(ep->warnings) > 0;
    ep->result = (ep->status != ENDPOINT_OK && !no_tls) || error ? "ERROR" : fail ? "FAIL" : "PASS";
    if (no_tls) {
        char why[100];
        snprintf(why, sizeof why, "no TLS: %s", no_tls_why);
        ep->grade = grade_none(why);
    } else if (ep->status == ENDPOINT_OK) {
        ep->grade = grade_endpoint(ep->facts);
        if (o->profile)
            ep->profile = profile_check(ep->facts, o->profile);
    }
    pthread_mutex_unlock(&ep->lock);
}
