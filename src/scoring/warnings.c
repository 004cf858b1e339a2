/* Warnings: findings a sweep operator must act on that fail no requirement. Today one kind,
 * "certificate-expiry": a leaf the endpoint serves (every one: RSA, ECDSA, ...) expires within
 * --expiry-warn days. A leaf already expired is not a warning: the requirements fail on it.
 * Pure like the rules: reads the certificate probe's facts, never the network. */
#include "warnings.h"

#include <stdio.h>
#include <string.h>

#include "json_read.h"

/* "RSA", "ECDSA" (an EC key: what operators call such a certificate); "the" when unknown. */
static const char *leaf_kind(const char *key_type)
{
    if (!key_type)
        return "the";
    return strcmp(key_type, "EC") == 0 ? "ECDSA" : key_type;
}

static json_object *expiry_warning(json_object *leaf, long days, int warn_days, bool fails)
{
    const char *key_type = jr_str(leaf, "key_type"), *not_after = jr_str(leaf, "not_after");
    char when[32] = "", text[160];
    if (days == 0)
        snprintf(when, sizeof when, "in less than a day");
    else
        snprintf(when, sizeof when, "in %ld day%s", days, days == 1 ? "" : "s");
    char date[24] = "";
    if (not_after)
        snprintf(date, sizeof date, " (%.10s)", not_after);
    snprintf(text, sizeof text, "%s leaf expires %s%s, within --expiry-warn %d", leaf_kind(key_type), when, date,
             warn_days);
    json_object *ev = json_object_new_object();
    json_object_object_add(ev, "sha256", json_object_get(jr_at(leaf, "sha256")));
    json_object_object_add(ev, "key_type", json_object_get(jr_at(leaf, "key_type")));
    json_object_object_add(ev, "not_after", json_object_get(jr_at(leaf, "not_after")));
    json_object_object_add(ev, "days_to_expiry", json_object_new_int64(days));
    json_object_object_add(ev, "expiry_warn_days", json_object_new_int(warn_days));
    json_object *w = json_object_new_object();
    json_object_object_add(w, "id", json_object_new_string("certificate-expiry"));
    json_object_object_add(w, "text", json_object_new_string(text));
    json_object_object_add(w, "evidence", ev);
    json_object_object_add(w, "fails", json_object_new_boolean(fails));
    return w;
}

/* A leaf's days to expiry when known (an integer fact); false when unknown: no warning then,
 * since a warning is never made up from missing facts. */
static bool leaf_days(json_object *days_fact, long *days)
{
    if (!days_fact || !json_object_is_type(days_fact, json_type_int))
        return false;
    *days = (long)json_object_get_int64(days_fact);
    return true;
}

static void warn_leaf(json_object *list, json_object *leaf, json_object *days_fact, int warn_days, bool fails)
{
    long days;
    /* Negative days: expired, which is a failure of the requirements, not a warning. */
    if (leaf_days(days_fact, &days) && days >= 0 && days < warn_days)
        json_object_array_add(list, expiry_warning(leaf, days, warn_days, fails));
}

json_object *warnings_collect(json_object *facts, int expiry_warn_days, bool fails)
{
    json_object *list = json_object_new_array();
    json_object *cert = jr_at(facts, "certificate");
    if (!jr_status_ok(cert))
        return list;
    json_object *leaves = jr_at(cert, "certificates");
    for (size_t i = 0; i < jr_len(leaves); i++)
        warn_leaf(list, jr_idx(leaves, i), jr_at(jr_idx(leaves, i), "days_to_expiry"), expiry_warn_days, fails);
    /* A chain read from a raw hello lists no leaves by key type: its one leaf is the chain's first. */
    if (jr_len(leaves) == 0)
        warn_leaf(list, jr_idx(jr_at(cert, "chain"), 0), jr_at(cert, "days_to_expiry"), expiry_warn_days, fails);
    return list;
}
