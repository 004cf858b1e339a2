/* Fact readers shared by the rules. */
#include "rules.h"

#include "json_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool rf_bool(json_object *o, const char *key, bool *value)
{
    json_object *v = jr_at(o, key);
    if (!v || !json_object_is_type(v, json_type_boolean))
        return false;
    *value = json_object_get_boolean(v);
    return true;
}

bool rf_true(json_object *o, const char *key)
{
    bool v = false;
    return rf_bool(o, key, &v) && v;
}

rf_tri_t rf_tri(json_object *o, const char *key)
{
    bool v = false;
    return rf_bool(o, key, &v) ? (v ? RF_YES : RF_NO) : RF_UNKNOWN;
}

void rf_unknown(rf_unknown_t *u, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jr_vlist_add(u->text, sizeof u->text, &u->count, fmt, ap);
    va_end(ap);
}

verdict_t rf_settle(bool failed, const rf_unknown_t *u, const char *word, char *ev, size_t evlen)
{
    if (failed) {
        if (u->count)
            rf_ev(ev, evlen, " (also %s: %s)", word, u->text);
        return VERDICT_FAIL;
    }
    if (u->count) {
        rf_ev(ev, evlen, "%s", u->text);
        return VERDICT_ERROR;
    }
    return VERDICT_PASS;
}

void rf_ev(char *ev, size_t evlen, const char *fmt, ...)
{
    size_t used = strlen(ev);
    if (used + 1 >= evlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev + used, evlen - used, fmt, ap);
    va_end(ap);
}

static bool left_out(const rule_ctx_t *c, const char *probe)
{
    for (size_t i = 0; c->left_out && c->left_out[i]; i++)
        if (strcmp(c->left_out[i], probe) == 0)
            return true;
    return false;
}

json_object *rf_probe(const rule_ctx_t *c, const char *probe, char *ev, size_t evlen)
{
    json_object *p = jr_at(c->facts, probe);
    if (!p) {
        if (left_out(c, probe)) {
            rf_ev(ev, evlen, "%s probe not selected (--probes)", probe);
            if (c->not_selected)
                *c->not_selected = true;
        } else
            rf_ev(ev, evlen, "%s probe did not run", probe);
        return NULL;
    }
    const char *status = jr_str(p, "status");
    if (!status || strcmp(status, "ok") != 0) {
        const char *why = jr_str(p, "error");
        if (!status)
            rf_ev(ev, evlen, "%s probe recorded no status", probe);
        else
            rf_ev(ev, evlen, "%s probe failed: %s", probe, why ? why : "unknown error");
        return NULL;
    }
    return p;
}

bool rf_internal(const rule_ctx_t *c)
{
    return c->target && c->target->internal;
}
