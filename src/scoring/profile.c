/* Every deviation of an endpoint's facts from a Mozilla Server Side TLS profile, after the
 * checks sslyze makes (mozilla_config_checker.py) plus the profile fields it leaves out, which
 * are reported too. Curves and OCSP stapling are "advisory": sslyze does not enforce them (no
 * large site complies with the curve list; Mozilla calls stapling optional), so they never make
 * an endpoint non-compliant. Rules: man/tlsprobe.1, PROFILES. */
#include "profile.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mozilla_data.h"
#include "iana.h"
#include "grade.h"
#include "json_read.h"

/* sslyze's tolerance: OpenSSL reports X25519 as 253 bits, and Mozilla counts it as 256. */
#define ECDH_SIZE_TOLERANCE 3

static const mozilla_profile_t *profile_by_name(const char *name)
{
    for (size_t i = 0; name && i < mozilla_profiles_count; i++)
        if (strcmp(mozilla_profiles[i].name, name) == 0)
            return &mozilla_profiles[i];
    return NULL;
}

bool profile_known(const char *name)
{
    return profile_by_name(name) != NULL;
}

static bool in_list(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* "a, b, c", or none when the profile allows nothing. */
static const char *joined(const char *const *list, const char *none, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (; *list; list++) {
        int w = snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", *list);
        if (w < 0 || (size_t)w >= cap - n)
            break;
        n += (size_t)w;
    }
    return n ? buf : none;
}

typedef struct checker {
    const mozilla_profile_t *p;
    json_object *facts;
    json_object *deviations;
    bool compliant;
} checker_t;

static void deviate(checker_t *c, const char *check, const char *expected, const char *found, bool advisory)
{
    json_object *d = json_object_new_object();
    json_object_object_add(d, "check", json_object_new_string(check));
    json_object_object_add(d, "expected", json_object_new_string(expected));
    json_object_object_add(d, "found", json_object_new_string(found));
    if (advisory)
        json_object_object_add(d, "advisory", json_object_new_boolean(true));
    json_object_array_add(c->deviations, d);
    c->compliant &= advisory;
}

static void not_examined(checker_t *c, const char *check, const char *expected, const char *probe)
{
    char found[200];
    json_object *p = jr_at(c->facts, probe);
    if (p)
        snprintf(found, sizeof found, "not examined: %s probe failed: %s", probe, jr_str(p, "error") ? jr_str(p, "error") : "?");
    else
        snprintf(found, sizeof found, "not examined: %s probe did not run", probe);
    deviate(c, check, expected, found, false);
}

static void check_protocols(checker_t *c)
{
    char expected[256];
    joined(c->p->tls_versions, "none", expected, sizeof expected);
    json_object *v = jr_at(c->facts, "versions");
    if (!jr_status_ok(v)) {
        not_examined(c, "protocol", expected, "versions");
        return;
    }
    json_object *acc = jr_at(v, "accepted"), *protos = jr_at(v, "protocols");
    for (size_t i = 0; i < jr_len(acc); i++)
        if (jr_str_idx(acc, i) && !in_list(c->p->tls_versions, jr_str_idx(acc, i)))
            deviate(c, "protocol", expected, jr_str_idx(acc, i), false);
    /* A version neither accepted nor refused may be one the profile forbids. */
    for (size_t i = 0; i < jr_len(protos); i++) {
        json_object *pv = jr_idx(protos, i);
        const char *name = jr_str(pv, "name");
        if (jr_is(pv, "accepted", json_type_boolean) || in_list(c->p->tls_versions, name))
            continue;
        char found[200];
        snprintf(found, sizeof found, "not examined: %s undetermined (%s)", name ? name : "?",
                 jr_str(pv, "result") ? jr_str(pv, "result") : "no result");
        deviate(c, "protocol", expected, found, false);
    }
}

/* One version's enumeration ended with every suite decided; else more deviations may hide. */
static void suites_complete(checker_t *c, json_object *pv, const char *expected)
{
    json_object *undecided = jr_at(pv, "undecided");
    const char *name = jr_str(pv, "name") ? jr_str(pv, "name") : "?";
    char found[300];
    if (jr_len(undecided))
        snprintf(found, sizeof found, "not examined: %zu suites of %s undecided (%s)", jr_len(undecided), name,
                 jr_str(jr_idx(undecided, 0), "reason") ? jr_str(jr_idx(undecided, 0), "reason") : "?");
    else if (!jr_bool_is(pv, "complete", true))
        snprintf(found, sizeof found, "not examined: the suites of %s are not known to be all found", name);
    else
        return;
    deviate(c, "cipher_suite", expected, found, false);
}

/* Each suite outside the profile once, even when several versions accept it. */
static void check_suites(checker_t *c)
{
    char exp13[1024], exp12[2048];
    joined(c->p->ciphersuites, "none", exp13, sizeof exp13);
    joined(c->p->ciphers, "none (TLS 1.3 only)", exp12, sizeof exp12);
    json_object *ci = jr_at(c->facts, "ciphers");
    if (!ci || !jr_at(ci, "protocols")) {
        not_examined(c, "cipher_suite", exp12, "ciphers");
        return;
    }
    json_object *seen = json_object_new_object();
    json_object *protos = jr_at(ci, "protocols");
    for (size_t i = 0; i < jr_len(protos); i++) {
        json_object *pv = jr_idx(protos, i), *suites = jr_at(pv, "suites");
        bool tls13 = jr_str(pv, "name") && strcmp(jr_str(pv, "name"), "TLSv1.3") == 0;
        for (size_t j = 0; j < jr_len(suites); j++) {
            const char *name = jr_str(jr_idx(suites, j), "name");
            if (!name || jr_has(seen, name))
                continue;
            json_object_object_add(seen, name, NULL);
            if (tls13 && !in_list(c->p->ciphersuites, name))
                deviate(c, "tls13_cipher_suite", exp13, name, false);
            else if (!tls13 && !in_list(c->p->ciphers, name))
                deviate(c, "cipher_suite", exp12, name, false);
        }
    }
    json_object_put(seen);
    /* A partial enumeration may hide more deviations: say so. */
    if (!jr_status_ok(ci))
        not_examined(c, "cipher_suite", exp12, "ciphers");
    for (size_t i = 0; i < jr_len(protos); i++)
        suites_complete(c, jr_idx(protos, i), exp12);
}

/* The server's order only matters below TLS 1.3, where Mozilla's ssl_prefer_server_ciphers
 * applies. Enforcing an order the profile does not ask for is harmless: advisory. */
static void check_server_order(checker_t *c)
{
    json_object *protos = jr_at(jr_at(c->facts, "ciphers"), "protocols");
    for (size_t i = 0; i < jr_len(protos); i++) {
        json_object *pv = jr_idx(protos, i), *order = jr_at(pv, "server_order");
        const char *name = jr_str(pv, "name");
        if (!name || strcmp(name, "TLSv1.3") == 0)
            continue;
        if (!jr_is(pv, "server_order", json_type_boolean)) {
            /* Unknown with two suites or more: it matters only to a profile that wants the server's order. */
            if (jr_len(jr_at(pv, "suites")) > 1 && c->p->server_preferred_order) {
                char found[96];
                snprintf(found, sizeof found, "not examined: %s order undetermined", name);
                deviate(c, "server_preferred_order", "server's order", found, false);
            }
            continue;
        }
        bool enforced = json_object_get_boolean(order);
        if (enforced == c->p->server_preferred_order)
            continue;
        char found[96];
        snprintf(found, sizeof found, "%s: %s", name, enforced ? "server's order" : "client's order");
        deviate(c, "server_preferred_order", c->p->server_preferred_order ? "server's order" : "client's order",
                found, !c->p->server_preferred_order);
    }
}

/* Groups the probe left undecided may be smaller than the profile allows: say so. */
static void groups_decided(checker_t *c, json_object *g)
{
    json_object *lists[2] = { jr_at(jr_at(g, "tls13"), "undecided"), jr_at(g, "tls12_curves_undecided") };
    static const char *const what[2] = { "TLSv1.3 groups", "ECDHE curves" };
    for (size_t l = 0; l < 2 && c->p->ecdh_param_size; l++) {
        if (!jr_len(lists[l]))
            continue;
        char exp[64], found[300];
        const char *why = jr_str(jr_idx(lists[l], 0), "reason");
        snprintf(exp, sizeof exp, ">= %d bits", c->p->ecdh_param_size);
        snprintf(found, sizeof found, "not examined: %zu %s undecided (%s)", jr_len(lists[l]), what[l], why ? why : "?");
        deviate(c, "ecdh_param_size", exp, found, false);
    }
}

static void check_groups(checker_t *c)
{
    json_object *g = jr_at(c->facts, "groups");
    if (!jr_status_ok(g)) {
        char exp[64];
        snprintf(exp, sizeof exp, ">= %d bits", c->p->dh_param_size ? c->p->dh_param_size : c->p->ecdh_param_size);
        not_examined(c, c->p->dh_param_size ? "dh_param_size" : "ecdh_param_size", exp, "groups");
        return;
    }
    char expected[512];
    joined(c->p->tls_curves, "none", expected, sizeof expected);
    json_object *lists[2] = { jr_at(jr_at(g, "tls13"), "accepted"), jr_at(g, "tls12_curves") };
    json_object *seen = json_object_new_object();
    int smallest_ec = 0, smallest_dh = 0;
    const char *smallest_ec_name = NULL;
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < jr_len(lists[l]); i++) {
            const char *name = jr_str_idx(lists[l], i);
            if (!name || jr_has(seen, name))
                continue;
            json_object_object_add(seen, name, NULL);
            if (!in_list(c->p->tls_curves, name))
                deviate(c, "group", expected, name, true);
            const iana_group_t *rg = iana_group_by_name(name);
            if (!rg || !rg->bits)
                continue;
            if ((strcmp(rg->kind, "ecdhe") == 0 || strcmp(rg->kind, "hybrid-pq") == 0) &&
                (!smallest_ec || rg->bits < smallest_ec)) {
                smallest_ec = rg->bits;
                smallest_ec_name = name;
            }
            if (strcmp(rg->kind, "ffdhe") == 0 && (!smallest_dh || rg->bits < smallest_dh))
                smallest_dh = rg->bits;
        }
    json_object_put(seen);
    groups_decided(c, g);

    json_object *dh = jr_at(g, "dh");
    int dh12 = dh ? json_object_get_int(jr_at(dh, "bits")) : 0;
    if (dh12 > 0 && (!smallest_dh || dh12 < smallest_dh))
        smallest_dh = dh12;
    char exp[64], found[96];
    if (c->p->dh_param_size && smallest_dh && smallest_dh < c->p->dh_param_size) {
        snprintf(exp, sizeof exp, ">= %d bits", c->p->dh_param_size);
        snprintf(found, sizeof found, "%d bits", smallest_dh);
        deviate(c, "dh_param_size", exp, found, false);
    }
    if (c->p->ecdh_param_size && smallest_ec && smallest_ec + ECDH_SIZE_TOLERANCE < c->p->ecdh_param_size) {
        snprintf(exp, sizeof exp, ">= %d bits", c->p->ecdh_param_size);
        snprintf(found, sizeof found, "%d bits (%s)", smallest_ec, smallest_ec_name);
        deviate(c, "ecdh_param_size", exp, found, false);
    }
}

/* "rsa", "ecdsa" as Mozilla names certificate types; other key types lowercased. */
static void cert_type(const char *key_type, char *out, size_t cap)
{
    if (!key_type)
        snprintf(out, cap, "unknown");
    else if (strcmp(key_type, "EC") == 0)
        snprintf(out, cap, "ecdsa");
    else {
        size_t i = 0;
        for (; key_type[i] && i + 1 < cap; i++)
            out[i] = (char)(key_type[i] >= 'A' && key_type[i] <= 'Z' ? key_type[i] - 'A' + 'a' : key_type[i]);
        out[i] = '\0';
    }
}

/* One leaf's type, curve and RSA size. */
static void check_leaf_key(checker_t *c, const char *key_type, int bits, const char *curve, const char *subject)
{
    char type[32], exp[256], found[512];
    cert_type(key_type, type, sizeof type);
    const char *who = subject ? subject : "leaf";
    if (!in_list(c->p->certificate_types, type)) {
        snprintf(found, sizeof found, "%s (%s)", type, who);
        deviate(c, "certificate_type", joined(c->p->certificate_types, "none", exp, sizeof exp), found, false);
    }
    if (strcmp(type, "ecdsa") == 0 && curve && !in_list(c->p->certificate_curves, curve)) {
        snprintf(found, sizeof found, "%s (%s)", curve, who);
        deviate(c, "certificate_curve", joined(c->p->certificate_curves, "none", exp, sizeof exp), found, false);
    }
    if (strcmp(type, "rsa") == 0 && c->p->rsa_key_size && bits < c->p->rsa_key_size) {
        snprintf(exp, sizeof exp, ">= %d bits", c->p->rsa_key_size);
        snprintf(found, sizeof found, "%d bits (%s)", bits, who);
        deviate(c, "rsa_key_size", exp, found, false);
    }
}

static void check_certificate(checker_t *c)
{
    json_object *cert = jr_at(c->facts, "certificate");
    json_object *leaf = jr_idx(jr_at(cert, "chain"), 0);
    if (!jr_status_ok(cert) || !leaf) {
        char exp[256];
        not_examined(c, "certificate_type", joined(c->p->certificate_types, "none", exp, sizeof exp), "certificate");
        return;
    }
    json_object *trust = jr_at(cert, "trust"), *name = jr_at(cert, "name");
    char found[300];
    if (jr_bool_is(trust, "verified", false)) {
        snprintf(found, sizeof found, "not trusted by %s: %s", jr_str(trust, "store") ? jr_str(trust, "store") : "?",
                 jr_str(trust, "error") ? jr_str(trust, "error") : "?");
        deviate(c, "certificate_trust", "a chain trusted by the store", found, false);
    } else if (!jr_bool_is(trust, "verified", true)) {
        deviate(c, "certificate_trust", "a chain trusted by the store", "not examined: verification result unknown", false);
    }
    if (!jr_str(name, "checked") || !jr_is(name, "matched", json_type_boolean)) {
        deviate(c, "certificate_name", "the name covered", "not examined: name not checked", false);
    } else if (jr_bool_is(name, "matched", false)) {
        snprintf(found, sizeof found, "does not cover %s", jr_str(name, "checked"));
        deviate(c, "certificate_name", "the name covered", found, false);
    }

    /* Every distinct leaf served (RSA and ECDSA); the chain's leaf when that list is absent. */
    json_object *leaves = jr_at(cert, "certificates");
    if (jr_len(leaves)) {
        for (size_t i = 0; i < jr_len(leaves); i++) {
            json_object *l = jr_idx(leaves, i);
            const char *curve = jr_str(l, "curve");
            if (!curve && jr_str(l, "sha256") && jr_str(leaf, "sha256") && strcmp(jr_str(l, "sha256"), jr_str(leaf, "sha256")) == 0)
                curve = jr_str(leaf, "curve");
            check_leaf_key(c, jr_str(l, "key_type"), json_object_get_int(jr_at(l, "key_bits")), curve, jr_str(l, "subject"));
        }
    } else {
        check_leaf_key(c, jr_str(leaf, "key_type"), json_object_get_int(jr_at(leaf, "key_bits")), jr_str(leaf, "curve"),
                       jr_str(leaf, "subject"));
    }
    /* A leaf an unanswered offer would have shown is not examined (certificates_unanswered). */
    json_object *unanswered = jr_at(cert, "certificates_unanswered");
    for (size_t i = 0; i < jr_len(unanswered); i++) {
        if (grade_leaf_kind_known(c->facts, json_object_get_string(jr_idx(unanswered, i))))
            continue;
        snprintf(found, sizeof found, "not examined: the %s-only offer got no answer",
                 jr_or_q(json_object_get_string(jr_idx(unanswered, i))));
        deviate(c, "certificate_type", "every leaf served examined", found, false);
    }

    const char *sig = jr_str(leaf, "signature_algorithm");
    if (!in_list(c->p->certificate_signatures, sig)) {
        char exp[512];
        deviate(c, "certificate_signature", joined(c->p->certificate_signatures, "none", exp, sizeof exp),
                sig ? sig : "unknown", false);
    }

    json_object *validity = jr_at(jr_at(cert, "leaf"), "validity_days");
    if (c->p->maximum_certificate_lifespan &&
        (!validity || !json_object_is_type(validity, json_type_int) ||
         json_object_get_int(validity) > c->p->maximum_certificate_lifespan)) {
        char exp[64], life[64];
        snprintf(exp, sizeof exp, "<= %d days", c->p->maximum_certificate_lifespan);
        if (validity && json_object_is_type(validity, json_type_int))
            snprintf(life, sizeof life, "%d days", json_object_get_int(validity));
        else
            snprintf(life, sizeof life, "not examined: validity unknown");
        deviate(c, "certificate_lifespan", exp, life, false);
    }

    if (c->p->ocsp_staple) {
        json_object *stapled = jr_at(cert, "ocsp_stapled");
        if (!stapled)
            deviate(c, "ocsp_staple", "stapled", "not observed (no full handshake)", true);
        else if (!json_object_get_boolean(stapled))
            deviate(c, "ocsp_staple", "stapled", "no OCSP staple", true);
    }
}

/* HSTS where the http probe found a web server on the endpoint, or could not tell. */
static void check_hsts(checker_t *c)
{
    json_object *http = jr_at(c->facts, "http");
    if (jr_status_ok(http) && jr_bool_is(http, "applicable", false))
        return;
    char exp[64], found[300];
    snprintf(exp, sizeof exp, "max-age >= %ld", c->p->hsts_min_age);
    if (!http || !jr_status_ok(http)) {
        not_examined(c, "hsts", exp, "http");
        return;
    }
    json_object *https = jr_at(http, "https"), *hsts = jr_at(https, "hsts");
    if (!jr_bool_is(http, "applicable", true) || !hsts) {
        snprintf(found, sizeof found, "not observed: %s", !jr_bool_is(http, "applicable", true) ? "whether this is a web server is unknown"
                 : jr_str(https, "error") ? jr_str(https, "error") : "no HTTPS response");
        deviate(c, "hsts", exp, found, false);
        return;
    }
    json_object *max_age = jr_at(hsts, "max_age");
    if (!jr_is(hsts, "present", json_type_boolean))
        snprintf(found, sizeof found, "not observed: HSTS presence unknown");
    else if (jr_bool_is(hsts, "present", false))
        snprintf(found, sizeof found, "no HSTS");
    else if (!jr_bool_is(hsts, "valid", true))
        snprintf(found, sizeof found, "invalid HSTS header: %s", jr_str(hsts, "error") ? jr_str(hsts, "error") : "?");
    else if (!jr_is(hsts, "max_age", json_type_int))
        snprintf(found, sizeof found, "HSTS without max-age");
    else if (json_object_get_int64(max_age) < c->p->hsts_min_age)
        snprintf(found, sizeof found, "max-age=%lld", (long long)json_object_get_int64(max_age));
    else
        return;
    deviate(c, "hsts", exp, found, false);
}

json_object *profile_check(json_object *facts, const char *name)
{
    const mozilla_profile_t *p = profile_by_name(name);
    if (!p)
        return NULL;
    checker_t c = { .p = p, .facts = facts, .deviations = json_object_new_array(), .compliant = true };
    check_protocols(&c);
    check_suites(&c);
    check_server_order(&c);
    check_groups(&c);
    check_certificate(&c);
    check_hsts(&c);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(p->name));
    json_object_object_add(o, "guidelines_version", json_object_new_string(p->guidelines_version));
    json_object_object_add(o, "compliant", json_object_new_boolean(c.compliant));
    json_object_object_add(o, "deviations", c.deviations);
    return o;
}
