/* Rules on certificates (12.2.2, 12.3.4, 9.2.1, 9.2.3) and revocation (12.1.4, 9.2.4). A
 * certificate passes only when the facts show a client would accept it: verified chain, the
 * name checked and covered, any pin matched, not revoked. A revoked leaf fails whichever route
 * found it; an unknown revocation status neither fails nor is reported as "not revoked". */
#include "rules.h"

#include <string.h>

/* "certificate revoked (...)" when the staple, the OCSP responder or the CRL says so. */
static bool revoked(json_object *cert, char *ev, size_t evlen)
{
    json_object *staple = jr_at(cert, "ocsp_staple"), *rev = jr_at(cert, "revocation");
    if (jr_eq(jr_str(staple, "verdict"), "revoked")) {
        const char *reason = jr_str(staple, "revocation_reason");
        rf_ev(ev, evlen, "certificate revoked (stapled OCSP response%s%s)", reason ? ", reason " : "", reason ? reason : "");
        return true;
    }
    if (!jr_eq(jr_str(rev, "result"), "revoked"))
        return false;
    bool crl = jr_eq(jr_str(rev, "method"), "crl");
    json_object *via = jr_at(rev, crl ? "crl" : "ocsp");
    const char *url = jr_str(via, "url"), *reason = jr_str(via, "revocation_reason");
    rf_ev(ev, evlen, "certificate revoked (%s%s%s%s%s)", crl ? "CRL" : "OCSP responder", url ? " " : "", url ? url : "",
          reason ? ", reason " : "", reason ? reason : "");
    return true;
}

static void san_list(json_object *cert, char *ev, size_t evlen)
{
    json_object *chain = jr_at(cert, "chain");
    json_object *san = jr_len(chain) ? jr_at(json_object_array_get_idx(chain, 0), "san") : NULL;
    if (!jr_len(san))
        return;
    rf_ev(ev, evlen, " (SAN:");
    for (size_t i = 0; i < jr_len(san) && i < 8; i++) {
        const char *entry = json_object_get_string(json_object_array_get_idx(san, i));
        rf_ev(ev, evlen, " %s", entry ? entry : "?");
    }
    rf_ev(ev, evlen, ")");
}

/* The name: checked, and covered by the SANs. */
static bool name_rejected(json_object *cert, bool sep, char *ev, size_t evlen, rf_unknown_t *u)
{
    json_object *name = jr_at(cert, "name");
    const char *checked = jr_str(name, "checked");
    rf_tri_t matched = rf_tri(name, "matched");
    if (!checked) {
        rf_unknown(u, "no name was checked against the certificate");
    } else if (matched == RF_UNKNOWN) {
        rf_unknown(u, "whether the certificate covers '%s' is unknown", checked);
    } else if (matched == RF_NO) {
        rf_ev(ev, evlen, "%scertificate does not cover '%s'", sep ? "; " : "", checked);
        san_list(cert, ev, evlen);
        return true;
    }
    return false;
}

/* The configured pins (the target's, or any the facts say were checked). */
static bool pin_rejected(const rule_ctx_t *c, json_object *trust, bool sep, char *ev, size_t evlen, rf_unknown_t *u)
{
    json_object *pin = jr_at(trust, "pin");
    bool configured = c->target && c->target->npins > 0;
    if (!pin) {
        if (configured)
            rf_unknown(u, "pin-sha256 configured but not checked");
        return false;
    }
    rf_tri_t matched = rf_tri(pin, "matched");
    if (matched == RF_NO) {
        rf_ev(ev, evlen, "%sno certificate of the chain matches the configured pin-sha256", sep ? "; " : "");
        return true;
    }
    if (matched == RF_UNKNOWN)
        rf_unknown(u, "whether the chain matches the configured pin-sha256 is unknown");
    return false;
}

/* The reasons a client would reject the certificate, in ev; the facts that could not be read,
 * in u. True when rejected. */
static bool rejection(const rule_ctx_t *c, json_object *cert, char *ev, size_t evlen, rf_unknown_t *u)
{
    json_object *trust = jr_at(cert, "trust");
    const char *store = jr_str(trust, "store");
    bool rejected = revoked(cert, ev, evlen);
    rf_tri_t verified = rf_tri(trust, "verified");
    if (verified == RF_NO) {
        const char *why = jr_str(trust, "error");
        rf_ev(ev, evlen, "%schain not trusted by %s: %s", rejected ? "; " : "", store ? store : "the trust store",
              why ? why : "verification failed");
        rejected = true;
    } else if (verified == RF_UNKNOWN) {
        rf_unknown(u, "the chain's verification result is unknown");
    }
    rejected |= name_rejected(cert, rejected, ev, evlen, u);
    rejected |= pin_rejected(c, trust, rejected, ev, evlen, u);
    return rejected;
}

/* "; not revoked (ocsp)", or why that is not known: revocation never counts as good unchecked. */
static void revocation_note(json_object *cert, char *ev, size_t evlen)
{
    json_object *rev = jr_at(cert, "revocation");
    const char *result = jr_str(rev, "result"), *method = jr_str(rev, "method"), *err = jr_str(rev, "error");
    if (jr_eq(jr_str(jr_at(cert, "ocsp_staple"), "verdict"), "valid"))
        rf_ev(ev, evlen, "; not revoked (valid OCSP staple)");
    else if (jr_eq(result, "good"))
        rf_ev(ev, evlen, "; not revoked (%s)", jr_eq(method, "crl") ? "CRL" : "OCSP responder");
    else if (jr_eq(result, "not_checked"))
        rf_ev(ev, evlen, "; revocation not checked%s",
              rf_true(rev, "offline") ? " (--offline)" : " (no OCSP responder or CRL in the certificate)");
    else
        rf_ev(ev, evlen, "; revocation status unknown (%s%s%s)", result ? result : "not recorded", err ? ": " : "",
              err ? err : "");
}

static void accepted_evidence(json_object *cert, char *ev, size_t evlen)
{
    json_object *trust = jr_at(cert, "trust");
    const char *store = jr_str(trust, "store"), *anchor = jr_str(trust, "anchor");
    rf_ev(ev, evlen, "chain trusted by %s", store ? store : "the trust store");
    if (anchor)
        rf_ev(ev, evlen, " (anchor %s)", anchor);
    rf_ev(ev, evlen, " and valid for '%s'", jr_str(jr_at(cert, "name"), "checked"));
    if (jr_at(trust, "pin"))
        rf_ev(ev, evlen, "; pin matched");
    revocation_note(cert, ev, evlen);
}

/* 12.2.2 also wants the chain complete as served: one that verifies only because tlsprobe
 * fetched a missing intermediate (AIA) is rejected by clients that do not fetch. */
static bool incomplete_as_served(json_object *cert, bool sep, char *ev, size_t evlen, rf_unknown_t *u)
{
    rf_tri_t via_aia = rf_tri(jr_at(cert, "chain_analysis"), "completed_via_aia");
    if (via_aia == RF_YES) {
        rf_ev(ev, evlen, "%sincomplete chain (completed via AIA): clients that do not fetch missing intermediates reject it",
              sep ? "; " : "");
        return true;
    }
    if (via_aia == RF_UNKNOWN)
        rf_unknown(u, "whether the chain is complete as served is unknown");
    return false;
}

/* FAIL on any reason a client would reject the certificate, ERROR when a deciding fact is
 * unknown (and nothing fails), else PASS. */
static verdict_t judge_cert(const rule_ctx_t *c, bool need_complete, char *ev, size_t evlen)
{
    json_object *cert = rf_probe(c, "certificate", ev, evlen);
    if (!cert)
        return VERDICT_ERROR;
    rf_unknown_t u = { .count = 0 };
    bool rejected = rejection(c, cert, ev, evlen, &u);
    if (need_complete)
        rejected |= incomplete_as_served(cert, rejected, ev, evlen, &u);
    verdict_t v = rf_settle(rejected, &u, "unknown", ev, evlen);
    if (v != VERDICT_PASS)
        return v;
    accepted_evidence(cert, ev, evlen);
    return VERDICT_PASS;
}

verdict_t rule_public_trust(const rule_ctx_t *c, char *ev, size_t evlen)
{
    if (rf_internal(c)) {
        rf_ev(ev, evlen, "internal service (exposure: internal): see 12.3.4");
        return VERDICT_NOT_APPLICABLE;
    }
    return judge_cert(c, true, ev, evlen);
}

verdict_t rule_internal_trust(const rule_ctx_t *c, char *ev, size_t evlen)
{
    if (!rf_internal(c)) {
        rf_ev(ev, evlen, "external service (exposure: external): see 12.2.2");
        return VERDICT_NOT_APPLICABLE;
    }
    verdict_t v = judge_cert(c, false, ev, evlen);
    const target_t *t = c->target;
    if (v == VERDICT_PASS && t && !t->ca_file && t->npins == 0)
        rf_ev(ev, evlen, "; no internal CA (ca:) or pin given: trusted through the run's store");
    return v;
}

verdict_t rule_trusted_any(const rule_ctx_t *c, char *ev, size_t evlen)
{
    return judge_cert(c, false, ev, evlen);
}

/* As rule_trusted_any, saying "expired" first: verification reports only the first error it
 * meets, which can hide the expiry behind a chain error. */
verdict_t rule_server_authenticated(const rule_ctx_t *c, char *ev, size_t evlen)
{
    json_object *cert = jr_at(c->facts, "certificate");
    if (cert && rf_true(cert, "expired")) {
        rf_ev(ev, evlen, "certificate expired; ");
        judge_cert(c, false, ev, evlen);
        return VERDICT_FAIL;
    }
    return judge_cert(c, false, ev, evlen);
}

/* Revocation must be served (OCSP stapling) and say good; a revoked leaf fails however found. */
verdict_t rule_revocation(const rule_ctx_t *c, char *ev, size_t evlen)
{
    json_object *cert = rf_probe(c, "certificate", ev, evlen);
    if (!cert)
        return VERDICT_ERROR;
    if (revoked(cert, ev, evlen))
        return VERDICT_FAIL;
    json_object *staple = jr_at(cert, "ocsp_staple");
    const char *verdict = jr_str(staple, "verdict"), *result = jr_str(jr_at(cert, "revocation"), "result");
    if (!staple || !verdict) {
        rf_ev(ev, evlen, staple ? "the OCSP staple was not judged"
                                : "stapling unknown: no hello the server answered asked for a staple");
        return VERDICT_ERROR;
    }
    if (strcmp(verdict, "valid") == 0) {
        const char *next = jr_str(staple, "next_update"), *status = jr_str(staple, "cert_status");
        rf_ev(ev, evlen, "valid OCSP staple (%s, %s responder%s%s)", status ? status : "?",
              jr_str(staple, "responder") ? jr_str(staple, "responder") : "?", next ? ", next update " : "", next ? next : "");
        return VERDICT_PASS;
    }
    if (strcmp(verdict, "none") == 0) {
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
