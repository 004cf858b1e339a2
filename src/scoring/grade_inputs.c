/* Whether the facts decide every input of the grade: every protocol version accepted or refused,
 * every accepted version's suites enumerated to the end, a checked certificate, and the key
 * exchange groups of every kind of key exchange accepted. A grade computed without one of them
 * would read an unknown as "nothing weak there", so there is then no grade, and the reasons
 * say why (man/tlsprobe.1, GRADING). Pure. */
#include "grade.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json_read.h"
#include "iana.h"


typedef struct why {
    char *buf;
    size_t cap;
    int count;
} why_t;

static void missing(why_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void missing(why_t *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jr_vlist_add(w->buf, w->cap, &w->count, fmt, ap);
    va_end(ap);
}

/* The probe's facts when it ran and said "ok"; else NULL, with the reason noted. */
static json_object *probe_ok(json_object *facts, const char *probe, why_t *w)
{
    json_object *p = jr_at(facts, probe);
    if (!p)
        missing(w, "%s probe did not run", probe);
    else if (!jr_status_ok(p))
        missing(w, "%s probe failed: %s", probe, jr_or_q(jr_str(p, "error")));
    return jr_status_ok(p) ? p : NULL;
}

/* What the key exchanges of the accepted suites need from the groups probe. */
typedef struct kx_needs {
    bool tls13, ecdhe, dhe;
} kx_needs_t;

static void suite_known(json_object *s, const char *version, kx_needs_t *need, why_t *w)
{
    const char *name = jr_str(s, "name");
    bool sslv2 = jr_eq(version, "SSLv2");
    if (!name || !jr_is(s, "bits", json_type_int) || !jr_is(s, "forward_secrecy", json_type_boolean) ||
        (!sslv2 && (!jr_is(s, "aead", json_type_boolean) || !jr_str(s, "au")))) {
        missing(w, "%s suite %s: name, key bits, forward secrecy, AEAD or authentication unknown", jr_or_q(version),
                jr_or_q(name ? name : jr_str(s, "code")));
        return;
    }
    const iana_suite_t *rs = iana_suite_by_name(name);
    const char *kx = jr_str(s, "kx") ? jr_str(s, "kx") : rs ? rs->kx : NULL;
    need->tls13 |= jr_eq(version, "TLSv1.3");
    need->ecdhe |= !jr_eq(version, "TLSv1.3") && jr_eq(kx, "ECDHE");
    need->dhe |= !jr_eq(version, "TLSv1.3") && jr_eq(kx, "DHE");
}

/* One version's suites: enumerated to the end, each suite's graded members known. */
static void version_suites_known(json_object *ciphers, const char *name, kx_needs_t *need, why_t *w)
{
    json_object *p = jr_named(ciphers, "protocols", name), *undecided = jr_at(p, "undecided");
    if (!p) {
        missing(w, "%s accepted but its suites were not enumerated", name);
        return;
    }
    if (jr_len(undecided))
        missing(w, "%zu suites of %s could not be decided (%s)", jr_len(undecided), name,
                jr_or_q(jr_str(jr_idx(undecided, 0), "reason")));
    else if (!jr_is(p, "complete", json_type_boolean) || !json_object_get_boolean(jr_at(p, "complete")))
        missing(w, "the suites of %s are not known to be all found", name);
    json_object *suites = jr_at(p, "suites");
    for (size_t i = 0; i < jr_len(suites); i++)
        suite_known(jr_idx(suites, i), name, need, w);
}

static void protocols_known(json_object *facts, kx_needs_t *need, why_t *w)
{
    json_object *versions = probe_ok(facts, "versions", w), *ciphers = probe_ok(facts, "ciphers", w);
    for (size_t i = 0; versions && i < JR_NPROTOCOLS; i++) {
        json_object *p = jr_named(versions, "protocols", jr_protocols[i]);
        if (!jr_is(p, "accepted", json_type_boolean))
            missing(w, "%s undetermined (%s)", jr_protocols[i], p ? jr_or_q(jr_str(p, "result")) : "not in the versions facts");
        else if (ciphers && json_object_get_boolean(jr_at(p, "accepted")))
            version_suites_known(ciphers, jr_protocols[i], need, w);
    }
}

/* The key types the grade scores (grade.c, kx_certificate); another one would count as nothing weak. */
static bool graded_key_type(const char *type)
{
    static const char *const types[] = { "RSA", "RSA-PSS", "DSA", "EC", "Ed25519", "Ed448", "SM2" };
    for (size_t i = 0; type && i < sizeof types / sizeof *types; i++)
        if (strcmp(type, types[i]) == 0)
            return true;
    return false;
}

static void key_known(json_object *leaf, why_t *w)
{
    json_object *bits = jr_at(leaf, "key_bits");
    const char *type = jr_str(leaf, "key_type");
    if (!type || !jr_is(leaf, "key_bits", json_type_int) || json_object_get_int(bits) <= 0)
        missing(w, "the key of %s is unknown", jr_or_q(jr_str(leaf, "subject")));
    else if (!graded_key_type(type))
        missing(w, "the key type %s of %s is not one the grade scores", type, jr_or_q(jr_str(leaf, "subject")));
}

/* Whether a leaf of this key kind ("rsa", "ecdsa") is known, present or absent, although the
 * certificate probe's offer for that kind got no answer: a leaf of that kind was seen anyway,
 * or a TLS <= 1.2 suite enumeration completed to the end without any suite it authenticates. */
bool grade_leaf_kind_known(json_object *facts, const char *kind)
{
    bool rsa = jr_eq(kind, "rsa");
    json_object *leaves = jr_at(jr_at(facts, "certificate"), "certificates");
    for (size_t i = 0; i < jr_len(leaves); i++) {
        const char *type = jr_str(jr_idx(leaves, i), "key_type");
        if (rsa ? jr_eq(type, "RSA") || jr_eq(type, "RSA-PSS") : jr_eq(type, "EC"))
            return true;
    }
    json_object *ciphers = jr_at(facts, "ciphers");
    bool complete_below13 = false;
    for (size_t i = 0; jr_status_ok(ciphers) && i < JR_NPROTOCOLS - 1; i++) {
        json_object *p = jr_named(ciphers, "protocols", jr_protocols[i]), *suites = jr_at(p, "suites");
        if (!p)
            continue;
        if (!jr_bool_is(p, "complete", true))
            return false;
        complete_below13 = true;
        for (size_t j = 0; j < jr_len(suites); j++)
            if (jr_eq(jr_str(jr_idx(suites, j), "au"), rsa ? "RSA" : "ECDSA"))
                return false;
    }
    return complete_below13;
}

static void certificate_known(json_object *facts, why_t *w)
{
    json_object *cert = probe_ok(facts, "certificate", w);
    if (!cert)
        return;
    json_object *chain = jr_at(cert, "chain"), *name = jr_at(cert, "name"), *leaves = jr_at(cert, "certificates");
    if (!jr_len(chain)) {
        missing(w, "no certificate chain recorded");
        return;
    }
    if (!jr_is(jr_at(cert, "trust"), "verified", json_type_boolean))
        missing(w, "whether the chain is trusted is unknown");
    if (!jr_str(name, "checked") || !jr_is(name, "matched", json_type_boolean))
        missing(w, "whether the certificate covers the name is unknown");
    for (size_t i = 0; i < jr_len(chain); i++) {
        json_object *c = jr_idx(chain, i);
        bool root = i > 0 && json_object_get_boolean(jr_at(c, "self_signed"));
        if (!root && !jr_str(c, "signature_algorithm"))
            missing(w, "the signature algorithm of %s is unknown", jr_or_q(jr_str(c, "subject")));
    }
    if (jr_len(leaves))
        for (size_t i = 0; i < jr_len(leaves); i++)
            key_known(jr_idx(leaves, i), w);
    else
        key_known(jr_idx(chain, 0), w);
    json_object *unanswered = jr_at(cert, "certificates_unanswered");
    if (jr_bool_is(cert, "certificates_complete", false) && !jr_len(unanswered))
        missing(w, "a leaf the server may serve is unknown (an offer got no answer)");
    for (size_t i = 0; i < jr_len(unanswered); i++) {
        const char *kind = json_object_get_string(jr_idx(unanswered, i));
        if (!grade_leaf_kind_known(facts, kind))
            missing(w, "the %s-only offer got no answer: an %s leaf is unknown", jr_eq(kind, "rsa") ? "RSA" : "ECDSA",
                    jr_eq(kind, "rsa") ? "RSA" : "ECDSA");
    }
}

static void group_names_known(json_object *list, const char *what, why_t *w)
{
    for (size_t i = 0; i < jr_len(list); i++) {
        const char *name = json_object_get_string(jr_idx(list, i));
        if (!name || !json_object_is_type(jr_idx(list, i), json_type_string) || !iana_group_by_name(name))
            missing(w, "%s group %s unknown to tlsprobe", what, jr_or_q(name));
    }
}

/* An undecided list of the groups facts ([{name, reason}]): a group left open may be weak. */
static void none_undecided(json_object *list, const char *what, why_t *w)
{
    if (jr_len(list))
        missing(w, "%zu %s could not be decided (%s)", jr_len(list), what, jr_or_q(jr_str(jr_idx(list, 0), "reason")));
}

/* The groups probe must have run and succeeded; what it found matters for each kind of key
 * exchange accepted (with RSA key exchange only, the certificate's key is the key exchange). */
static void groups_known(json_object *facts, const kx_needs_t *need, why_t *w)
{
    json_object *g = probe_ok(facts, "groups", w);
    if (!g)
        return;
    json_object *t13 = jr_at(jr_at(g, "tls13"), "accepted"), *curves = jr_at(g, "tls12_curves"), *dh = jr_at(g, "dh");
    if (need->tls13 && !jr_len(t13))
        missing(w, "TLSv1.3 accepted but its groups are unknown");
    if (need->ecdhe && !jr_len(curves))
        missing(w, "ECDHE suites accepted but their curves are unknown");
    json_object *bits = jr_at(dh, "bits");
    if (need->dhe && (!jr_is(dh, "bits", json_type_int) || json_object_get_int(bits) <= 0))
        missing(w, "DHE suites accepted but the DH parameters are unknown");
    group_names_known(t13, "TLSv1.3", w);
    group_names_known(curves, "ECDHE", w);
    /* Undecided groups matter where suites of that key exchange are accepted. The curves the
     * server never chooses (tls12_curves_never_chosen) are decided: no client gets them. */
    if (need->tls13)
        none_undecided(jr_at(jr_at(g, "tls13"), "undecided"), "TLSv1.3 groups", w);
    if (need->ecdhe)
        none_undecided(jr_at(g, "tls12_curves_undecided"), "ECDHE curves", w);
}

bool grade_inputs_known(json_object *facts, char *why, size_t whylen)
{
    why_t w = { .buf = why, .cap = whylen };
    kx_needs_t need = { false, false, false };
    if (whylen)
        why[0] = '\0';
    protocols_known(facts, &need, &w);
    certificate_known(facts, &w);
    groups_known(facts, &need, &w);
    return w.count == 0;
}
