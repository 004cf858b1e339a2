/* The requirement catalogue (texts from data/asvs, rules from rules_*.c), and the scoring of
 * an endpoint: standards and level selected, waivers applied, the endpoint's result. */
#include "scoring.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "grade.h"
#include "profile.h"
#include "requirements_data.h"
#include "rules.h"

#define A5 "ASVS 5.0.0"
#define A4 "ASVS 4.0.3"

const requirement_t requirements[] = {
    { A5, "12.1.1", rule_versions,
      "FAIL when SSLv2, SSLv3, TLS 1.0 or 1.1 is accepted (raw hellos, versions probe), or when TLS 1.3 is "
      "accepted but a hello offering every version gets another one. ERROR when no version is accepted, when a "
      "version is undetermined (accepted null: neither accepted nor refused) and none of the legacy ones is "
      "accepted, or when TLS 1.3 is accepted and the preferred version is unknown. PASS only with every version "
      "decided." },
    { A5, "12.1.2", rule_suites_recommended,
      "FAIL when any accepted suite (ciphers probe, every version) is not labelled recommended (approved AEAD "
      "with ECDHE/DHE), when the server's own order puts a weaker suite first, when the client's order decides "
      "between suites of different strength, and at level 3 when a suite lacks forward secrecy. ERROR (unless a "
      "failure is found) when a version is undetermined or an accepted version's suites were not enumerated to the "
      "end (complete not true, or undecided suites), or a suite's class, the order between suites of different "
      "strength, or (level 3) forward secrecy is unknown." },
    { A5, "12.1.3", rule_mtls_validated,
      "NOT_APPLICABLE when the server requests no client certificate (FAIL if the inventory says mtls: "
      "required). FAIL when it completes a handshake with a freshly generated, untrusted self-signed client "
      "certificate (mtls probe). ERROR when whether it requests one, or whether it lets the untrusted one in, is "
      "unknown." },
    { A5, "12.1.4", rule_revocation,
      "PASS with a valid OCSP staple (signed by the issuer or a delegated responder, for this leaf, good, "
      "current). FAIL without a staple, with a stale, wrong, unknown or invalid one, or when the leaf is revoked "
      "(staple, OCSP responder or CRL). ERROR without a full handshake or an unjudged staple." },
    { A5, "12.1.5", rule_ech,
      "MANUAL until the ech probe exists: Encrypted Client Hello acceptance cannot be decided otherwise." },
    { A5, "12.2.1", rule_http_external,
      "External HTTP services (http probe): FAIL when the port speaks no TLS but cleartext HTTP, when cleartext "
      "HTTP (port 80 or http_port:) answers without redirecting to https:// (any host), when the TLS port answers "
      "cleartext HTTP with content, or when the HTTPS response lacks a valid Strict-Transport-Security header with "
      "max-age of at least one year (also without a cleartext listener). PASS only with the upgrade seen or the "
      "cleartext port refused: ERROR when a listener does not answer HTTP (no answer, garbage, endless headers, "
      "a redirect loop) or HSTS was not observed; MANUAL for a cleartext redirect to another host (never "
      "contacted) or a port that neither refuses nor accepts. NOT_APPLICABLE for internal services and non-HTTP "
      "ones." },
    { A5, "12.2.2", rule_public_trust,
      "External services: FAIL unless the chain verifies against the trust store in use (the system store, or "
      "--ca-file), the SANs cover the name, any pin-sha256 matches, the leaf is not revoked (staple, OCSP responder "
      "or CRL), and the chain is complete as served (a chain that verifies only after fetching an intermediate via "
      "AIA fails). ERROR when any of these is unknown and nothing fails; unknown revocation is said, not failed." },
    { A5, "12.3.1", rule_no_cleartext,
      "STARTTLS services: FAIL when STARTTLS is not offered, authentication is offered before it, or the service "
      "accepts clients without TLS (PostgreSQL plain StartupMessage, MySQL). Unknown: ERROR when the probe met an "
      "error, MANUAL when the cleartext dialogue cannot show it (FTP and LDAP logins, MySQL without an error). "
      "Implicit TLS passes when a TLS version is accepted on the port (FAIL when every version is "
      "refused, ERROR when undetermined). HTTP services: as 12.3.3 (no HSTS needed)." },
    { A5, "12.3.2", rule_manual_clients,
      "MANUAL: how the application's own TLS clients validate certificates cannot be seen from the network." },
    { A5, "12.3.3", rule_http_internal,
      "Internal HTTP services: as 12.2.1 without HSTS (the audit guidance asks only for TLS internally): FAIL "
      "when the port speaks only cleartext HTTP, cleartext HTTP does not redirect to https://, or the TLS port "
      "serves cleartext; ERROR or MANUAL when the upgrade is unknown. NOT_APPLICABLE for external services." },
    { A5, "12.3.4", rule_internal_trust,
      "Internal services: FAIL unless the chain verifies against the target's CA (ca:), or the run's store, the "
      "name matches, any pin-sha256 matches and the leaf is not revoked. ERROR when any is unknown and nothing "
      "fails (unknown revocation is said, not failed). NOT_APPLICABLE for external services." },
    { A5, "12.3.5", rule_mutual_internal,
      "Internal services: FAIL unless the server requires a client certificate and rejects an untrusted one; "
      "ERROR when either is unknown." },
    { A4, "9.1.1", rule_no_cleartext,
      "FAIL when the service falls back to cleartext: a port speaking only cleartext HTTP, HTTP content without "
      "an HTTPS redirect, STARTTLS missing or optional with authentication before it, plaintext database "
      "connections. HTTP services as 12.3.3 (no HSTS needed); an unknown upgrade is ERROR or MANUAL." },
    { A4, "9.1.2", rule_suites_strong,
      "FAIL when a weak or insecure suite is accepted (CBC, no forward secrecy, SHA-1 MAC, NULL, anonymous, export, "
      "RC4, DES, 3DES, MD5), or when the strongest suites are not the preferred ones. ERROR as 12.1.2 when the "
      "enumeration is incomplete or a version undetermined." },
    { A4, "9.1.3", rule_versions, "As ASVS 5.0.0 12.1.1." },
    { A4, "9.2.1", rule_trusted_any,
      "FAIL unless the chain verifies against the trust store in use (the target's ca:, --ca-file or the system "
      "store), the name matches, any pin-sha256 matches and the leaf is not revoked. ERROR when any is unknown and "
      "nothing fails (unknown revocation is said, not failed)." },
    { A4, "9.2.2", rule_no_cleartext, "As ASVS 5.0.0 12.3.1." },
    { A4, "9.2.3", rule_server_authenticated,
      "FAIL unless the server authenticates: trusted chain, matching name, not expired, not revoked. ERROR when "
      "any is unknown and nothing fails (unknown revocation is said, not failed)." },
    { A4, "9.2.4", rule_revocation, "As ASVS 5.0.0 12.1.4." },
    { A4, "9.2.5", rule_manual_logging, "MANUAL: logging of backend TLS failures cannot be seen from the network." },
};
const size_t requirements_count = sizeof requirements / sizeof *requirements;

static const asvs_text_t *text_of(const requirement_t *r)
{
    for (size_t i = 0; i < asvs_texts_count; i++)
        if (strcmp(asvs_texts[i].id, r->id) == 0 && strcmp(asvs_texts[i].standard, r->standard) == 0)
            return &asvs_texts[i];
    return NULL;
}

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
    const asvs_text_t *t = text_of(r);
    fprintf(out, "%s %s (level %d%s%d): %s\n\n", r->standard, r->id, t ? t->level : 0, t && t->cwe ? ", CWE-" : "",
            t ? t->cwe : 0, t ? t->title : "");
    fprintf(out, "Requirement:\n  %s\n\nHow tlsprobe decides:\n  %s\n", t ? t->text : "", r->how);
    return 0;
}

static const options_t *score_opts;
static const policy_t *score_policy;

void scoring_configure(const options_t *opts, const policy_t *policy)
{
    score_opts = opts;
    score_policy = policy;
}

static bool selected(const requirement_t *r, const options_t *o, const asvs_text_t *t)
{
    const char *std = o && o->standard ? o->standard : "asvs-5.0";
    bool in_std = strcmp(std, "all") == 0 || (strcmp(std, "asvs-5.0") == 0 && strcmp(r->standard, A5) == 0) ||
                  (strcmp(std, "asvs-4.0.3") == 0 && strcmp(r->standard, A4) == 0);
    int level = o ? o->level : 1;
    return in_std && t && t->level <= level;
}

/* A waived failure is WAIVED; a waiver past its date leaves the FAIL and says so. */
static const char *apply_waiver(const requirement_t *r, const target_t *t, verdict_t v, json_object *o,
                                char *ev, size_t evlen)
{
    const waiver_t *w = v == VERDICT_FAIL ? policy_find(score_policy, r->id, t) : NULL;
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

void score_endpoint(endpoint_t *ep)
{
    const options_t *o = score_opts ? score_opts : ep->opts;
    rule_ctx_t ctx = { .facts = ep->facts, .target = ep->target, .level = o ? o->level : 1, .opts = o,
                       .left_out = ep->left_out };
    const char *fail_on = o && o->fail_on ? o->fail_on : "fail";
    bool fail = false, error = false;
    pthread_mutex_lock(&ep->lock);
    char no_tls_why[80];
    bool no_tls = cleartext_only(ep, no_tls_why, sizeof no_tls_why);
    for (size_t i = 0; i < requirements_count; i++) {
        const requirement_t *r = &requirements[i];
        const asvs_text_t *t = text_of(r);
        if (!selected(r, o, t))
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
        const char *result = apply_waiver(r, ep->target, v, vj, evidence, sizeof evidence);
        json_object_object_add(vj, "id", json_object_new_string(r->id));
        json_object_object_add(vj, "standard", json_object_new_string(r->standard));
        json_object_object_add(vj, "level", json_object_new_int(t->level));
        json_object_object_add(vj, "cwe", t->cwe ? json_object_new_int(t->cwe) : NULL);
        json_object_object_add(vj, "title", json_object_new_string(t->title));
        json_object_object_add(vj, "result", json_object_new_string(result));
        json_object_object_add(vj, "evidence", json_object_new_string(evidence));
        json_object_array_add(ep->verdicts, vj);
        error |= strcmp(result, "ERROR") == 0;
        fail |= strcmp(result, "FAIL") == 0 && strcmp(fail_on, "none") != 0;
        fail |= strcmp(result, "MANUAL") == 0 && strcmp(fail_on, "manual") == 0;
        fail |= strcmp(result, "WAIVED") == 0 && strcmp(fail_on, "waived") == 0;
    }
    ep->result = (ep->status != ENDPOINT_OK && !no_tls) || error ? "ERROR" : fail ? "FAIL" : "PASS";
    if (no_tls) {
        char why[100];
        snprintf(why, sizeof why, "no TLS: %s", no_tls_why);
        ep->grade = grade_none(why);
    } else if (ep->status == ENDPOINT_OK) {
        ep->grade = grade_endpoint(ep->facts);
        if (o && o->profile)
            ep->profile = profile_check(ep->facts, o->profile);
    }
    pthread_mutex_unlock(&ep->lock);
}
