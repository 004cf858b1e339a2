/* Rules on certificates (12.2.2, 12.3.4, 9.2.1, 9.2.3) and revocation (12.1.4, 9.2.4). */
#include "rules.h"

#include <string.h>

/* The reasons a client would reject the certificate; "" when it would accept it. */
static void rejection(json_object *cert, char *ev, size_t evlen, bool *rejected)
{
    json_object *trust = jr_at(cert, "trust"), *name = jr_at(cert, "name");
    const char *store = jr_str(trust, "store");
    *rejected = false;
    if (!rf_true(trust, "verified")) {
        const char *why = jr_str(trust, "error");
        rf_ev(ev, evlen, "chain not trusted by %s: %s", store ? store : "the trust store", why ? why : "verification failed");
        *rejected = true;
    }
    bool matched = true;
    const char *checked = jr_str(name, "checked");
    if (checked && rf_bool(name, "matched", &matched) && !matched) {
        rf_ev(ev, evlen, "%scertificate does not cover '%s'", *rejected ? "; " : "", checked);
        json_object *leaf = json_object_array_get_idx(jr_at(cert, "chain"), 0), *san = jr_at(leaf, "san");
        if (san && json_object_array_length(san) > 0) {
            rf_ev(ev, evlen, " (SAN:");
            for (size_t i = 0; i < json_object_array_length(san) && i < 8; i++)
                rf_ev(ev, evlen, " %s", json_object_get_string(json_object_array_get_idx(san, i)));
            rf_ev(ev, evlen, ")");
        }
        *rejected = true;
    }
    json_object *pin = jr_at(trust, "pin");
    if (pin && !rf_true(pin, "matched")) {
        rf_ev(ev, evlen, "%sno certificate of the chain matches the configured pin-sha256", *rejected ? "; " : "");
        *rejected = true;
    }
}

static void accepted_evidence(json_object *cert, char *ev, size_t evlen)
{
    json_object *trust = jr_at(cert, "trust");
    const char *store = jr_str(trust, "store"), *anchor = jr_str(trust, "anchor");
    const char *checked = jr_str(jr_at(cert, "name"), "checked");
    rf_ev(ev, evlen, "chain trusted by %s", store ? store : "the trust store");
    if (anchor)
        rf_ev(ev, evlen, " (anchor %s)", anchor);
    rf_ev(ev, evlen, " and valid for '%s'", checked ? checked : "(no name)");
    if (jr_at(trust, "pin"))
        rf_ev(ev, evlen, "; pin matched");
}

/* The certificate facts when a client would accept the certificate; else NULL with the verdict
 * (ERROR: not probed, FAIL: rejected) in *v and the reasons in ev. */
static json_object *accepted_cert(const rule_ctx_t *c, char *ev, size_t evlen, verdict_t *v)
{
    json_object *cert = rf_probe(c, "certificate", ev, evlen);
    bool rejected = false;
    if (cert)
        rejection(cert, ev, evlen, &rejected);
    *v = !cert ? VERDICT_ERROR : VERDICT_FAIL;
    return cert && !rejected ? cert : NULL;
}

/* A chain that verifies only because tlsprobe fetched a missing intermediate. */
static bool completed_via_aia(json_object *cert)
{
    return rf_true(jr_at(cert, "chain_analysis"), "completed_via_aia");
}

verdict_t rule_public_trust(const rule_ctx_t *c, char *ev, size_t evlen)
{
    if (rf_internal(c)) {
        rf_ev(ev, evlen, "internal service (exposure: internal): see 12.3.4");
        return VERDICT_NOT_APPLICABLE;
    }
    verdict_t v;
    json_object *cert = accepted_cert(c, ev, evlen, &v);
    if (!cert)
        return v;
    if (completed_via_aia(cert)) {
        rf_ev(ev, evlen, "incomplete chain (completed via AIA): clients that do not fetch missing intermediates reject it");
        return VERDICT_FAIL;
    }
    accepted_evidence(cert, ev, evlen);
    return VERDICT_PASS;
}

verdict_t rule_internal_trust(const rule_ctx_t *c, char *ev, size_t evlen)
{
    if (!rf_internal(c)) {
        rf_ev(ev, evlen, "external service (exposure: external): see 12.2.2");
        return VERDICT_NOT_APPLICABLE;
    }
    verdict_t v;
    json_object *cert = accepted_cert(c, ev, evlen, &v);
    if (!cert)
        return v;
    accepted_evidence(cert, ev, evlen);
    const target_t *t = c->target;
    if (t && !t->ca_file && t->npins == 0)
        rf_ev(ev, evlen, "; no internal CA (ca:) or pin given: trusted through the run's store");
    return VERDICT_PASS;
}

verdict_t rule_trusted_any(const rule_ctx_t *c, char *ev, size_t evlen)
{
    verdict_t v;
    json_object *cert = accepted_cert(c, ev, evlen, &v);
    if (!cert)
        return v;
    accepted_evidence(cert, ev, evlen);
    return VERDICT_PASS;
}

/* As rule_trusted_any, saying "expired" first: verification reports only the first error it
 * meets, which can hide the expiry behind a chain error. */
verdict_t rule_server_authenticated(const rule_ctx_t *c, char *ev, size_t evlen)
{
    json_object *cert = jr_at(c->facts, "certificate");
    if (cert && rf_true(cert, "expired")) {
        rf_ev(ev, evlen, "certificate expired; ");
        rule_trusted_any(c, ev, evlen);
        return VERDICT_FAIL;
    }
    return rule_trusted_any(c, ev, evlen);
}

/* Revocation must be served (OCSP stapling) and say good; a revoked leaf fails however found. */
verdict_t rule_revocation(const rule_ctx_t *c, char *ev, size_t evlen)
{
    json_object *cert = rf_probe(c, "certificate", ev, evlen);
    if (!cert)
        return VERDICT_ERROR;
    json_object *rev = jr_at(cert, "revocation"), *staple = jr_at(cert, "ocsp_staple");
    const char *result = jr_str(rev, "result");
    if (result && strcmp(result, "revoked") == 0) {
        const char *method = jr_str(rev, "method");
        rf_ev(ev, evlen, "certificate revoked (%s)", method ? method : "revocation check");
        return VERDICT_FAIL;
    }
    if (!staple) {
        rf_ev(ev, evlen, "no full handshake: stapling unknown");
        return VERDICT_ERROR;
    }
    const char *verdict = jr_str(staple, "verdict");
    if (verdict && strcmp(verdict, "valid") == 0) {
        const char *next = jr_str(staple, "next_update");
        rf_ev(ev, evlen, "valid OCSP staple (%s, %s responder%s%s)", jr_str(staple, "cert_status"),
              jr_str(staple, "responder") ? jr_str(staple, "responder") : "?", next ? ", next update " : "", next ? next : "");
        return VERDICT_PASS;
    }
    if (!verdict || strcmp(verdict, "none") == 0) {
        rf_ev(ev, evlen, "no OCSP staple");
        if (rf_true(jr_at(cert, "leaf"), "must_staple"))
            rf_ev(ev, evlen, " although the certificate requires one (must-staple)");
    } else {
        const char *why = jr_str(staple, "error");
        rf_ev(ev, evlen, "OCSP staple %s", verdict);
        if (why)
            rf_ev(ev, evlen, ": %s", why);
    }
    if (result)
        rf_ev(ev, evlen, "; revocation check: %s", result);
    return VERDICT_FAIL;
}
