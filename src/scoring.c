/* The requirement catalogue and the rules that decide each verdict from facts.
 * Every verdict carries one line of evidence a person can act on. */
#include "scoring.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const legacy_protocols[] = { "SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1" };

/* Appends to a bounded evidence line. */
static void evf(char *ev, size_t evlen, const char *fmt, ...)
{
    size_t used = strlen(ev);
    if (used + 1 >= evlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev + used, evlen - used, fmt, ap);
    va_end(ap);
}

static const char *str_at(json_object *o, const char *key)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static json_object *obj_at(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* A probe that did not record "status": "ok" cannot support a verdict. */
static int probe_failed(json_object *probe, const char *name, char *ev, size_t evlen)
{
    if (!probe) {
        evf(ev, evlen, "%s probe did not run", name);
        return 1;
    }
    const char *status = str_at(probe, "status");
    if (!status || strcmp(status, "ok") != 0) {
        const char *why = str_at(probe, "error");
        evf(ev, evlen, "%s probe failed: %s", name, why ? why : "unknown error");
        return 1;
    }
    return 0;
}

static json_object *protocol_entry(json_object *versions, const char *name)
{
    json_object *list = obj_at(versions, "protocols");
    size_t n = list ? json_object_array_length(list) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *p = json_object_array_get_idx(list, i);
        const char *pn = str_at(p, "name");
        if (pn && strcmp(pn, name) == 0)
            return p;
    }
    return NULL;
}

static int accepted(json_object *versions, const char *name)
{
    json_object *p = protocol_entry(versions, name), *a;
    return p && json_object_object_get_ex(p, "accepted", &a) && json_object_get_boolean(a);
}

/* 12.1.1: only TLS 1.2 / 1.3, and the latest one the server has is the one it prefers. */
static verdict_t rule_protocol_versions(json_object *facts, char *ev, size_t evlen)
{
    json_object *v = obj_at(facts, "versions");
    if (probe_failed(v, "versions", ev, evlen))
        return VERDICT_ERROR;
    int legacy = 0;
    for (size_t i = 0; i < sizeof legacy_protocols / sizeof *legacy_protocols; i++) {
        if (!accepted(v, legacy_protocols[i]))
            continue;
        const char *cipher = str_at(protocol_entry(v, legacy_protocols[i]), "cipher");
        evf(ev, evlen, "%s%s accepted", legacy++ ? "; " : "", legacy_protocols[i]);
        if (cipher)
            evf(ev, evlen, ": %s", cipher);
    }
    if (legacy)
        return VERDICT_FAIL;
    int has12 = accepted(v, "TLSv1.2"), has13 = accepted(v, "TLSv1.3");
    if (!has12 && !has13) {
        evf(ev, evlen, "no protocol version accepted");
        return VERDICT_ERROR;
    }
    const char *preferred = str_at(v, "preferred");
    if (has13 && (!preferred || strcmp(preferred, "TLSv1.3") != 0)) {
        evf(ev, evlen, "TLSv1.3 accepted but the server prefers %s", preferred ? preferred : "nothing");
        return VERDICT_FAIL;
    }
    if (has12 && has13)
        evf(ev, evlen, "only TLSv1.2 and TLSv1.3 accepted; TLSv1.3 preferred");
    else
        evf(ev, evlen, "only %s accepted", has13 ? "TLSv1.3" : "TLSv1.2");
    return VERDICT_PASS;
}

/* 12.2.2: the chain verifies to a trusted anchor and covers the name the client asked for. */
static verdict_t rule_trusted_certificate(json_object *facts, char *ev, size_t evlen)
{
    json_object *c = obj_at(facts, "certificate");
    if (probe_failed(c, "certificate", ev, evlen))
        return VERDICT_ERROR;
    json_object *trust = obj_at(c, "trust"), *name = obj_at(c, "name"), *b;
    const char *store = str_at(trust, "store");
    int verified = json_object_object_get_ex(trust, "verified", &b) && json_object_get_boolean(b);
    int fail = 0;
    if (!verified) {
        const char *why = str_at(trust, "error");
        evf(ev, evlen, "chain not trusted by %s: %s", store ? store : "the trust store",
            why ? why : "verification failed");
        fail = 1;
    }
    const char *checked = str_at(name, "checked");
    json_object *matched = obj_at(name, "matched");
    if (checked && matched && !json_object_get_boolean(matched)) {
        evf(ev, evlen, "%scertificate does not cover '%s'", fail ? "; " : "", checked);
        json_object *chain = obj_at(c, "chain"), *san = NULL;
        json_object *leaf = chain ? json_object_array_get_idx(chain, 0) : NULL;
        if (leaf && (san = obj_at(leaf, "san")) && json_object_array_length(san) > 0) {
            evf(ev, evlen, " (SAN:");
            for (size_t i = 0; i < json_object_array_length(san) && i < 8; i++)
                evf(ev, evlen, " %s", json_object_get_string(json_object_array_get_idx(san, i)));
            evf(ev, evlen, ")");
        }
        fail = 1;
    }
    if (fail)
        return VERDICT_FAIL;
    const char *subject = str_at(json_object_array_get_idx(obj_at(c, "chain"), 0), "subject");
    evf(ev, evlen, "chain trusted by %s and valid for '%s'", store ? store : "the trust store",
        checked ? checked : "(no name)");
    if (subject)
        evf(ev, evlen, "; leaf %s", subject);
    return VERDICT_PASS;
}

const requirement_t requirements[] = {
    { "12.1.1", "ASVS 5.0.0", 1, "Only TLS 1.2/1.3 enabled, latest preferred", rule_protocol_versions },
    { "12.2.2", "ASVS 5.0.0", 1, "Publicly trusted TLS certificate", rule_trusted_certificate },
};
const size_t requirements_count = sizeof requirements / sizeof *requirements;

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

void score_endpoint(endpoint_t *ep)
{
    pthread_mutex_lock(&ep->lock);
    for (size_t i = 0; i < requirements_count; i++) {
        const requirement_t *r = &requirements[i];
        if (r->level > ep->opts->level)
            continue;
        char evidence[512] = "";
        verdict_t v;
        if (ep->status != ENDPOINT_OK) {
            v = VERDICT_ERROR;
            snprintf(evidence, sizeof evidence, "not probed: %s", ep->error);
        } else {
            v = r->rule(ep->facts, evidence, sizeof evidence);
        }
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(r->id));
        json_object_object_add(o, "standard", json_object_new_string(r->standard));
        json_object_object_add(o, "level", json_object_new_int(r->level));
        json_object_object_add(o, "title", json_object_new_string(r->title));
        json_object_object_add(o, "result", json_object_new_string(verdict_name(v)));
        json_object_object_add(o, "evidence", json_object_new_string(evidence));
        json_object_array_add(ep->verdicts, o);
    }
    pthread_mutex_unlock(&ep->lock);
}
