/* Rules on cleartext fallback (12.2.1, 12.3.1, 12.3.3, 9.1.1, 9.2.2), mutual TLS (12.1.3,
 * 12.3.5), ECH (12.1.5) and what a network probe cannot observe (12.3.2, 9.2.5). */
#include "rules.h"

#include <string.h>

/* The http facts when this is an HTTP service; NULL (with a verdict in *v) otherwise. */
static json_object *http_facts(const rule_ctx_t *c, char *ev, size_t evlen, verdict_t *v)
{
    json_object *http = jr_at(c->facts, "http");
    if (!http) {
        rf_ev(ev, evlen, "cleartext HTTP fallback was not probed");
        *v = VERDICT_MANUAL;
        return NULL;
    }
    if (!rf_probe(c, "http", ev, evlen)) {
        *v = VERDICT_ERROR;
        return NULL;
    }
    if (!rf_true(http, "applicable")) {
        rf_ev(ev, evlen, "not an HTTP service");
        *v = VERDICT_NOT_APPLICABLE;
        return NULL;
    }
    return http;
}

/* Cleartext HTTP that serves content or redirects elsewhere than to HTTPS. */
static bool http_fallback(json_object *http, char *ev, size_t evlen)
{
    bool found = false;
    json_object *clear = jr_at(http, "cleartext"), *on_tls = jr_at(http, "cleartext_on_tls_port");
    bool upgrades = true;
    if (rf_true(clear, "listening") && rf_bool(clear, "upgrades", &upgrades) && !upgrades) {
        json_object *chain = jr_at(clear, "chain");
        json_object *last = chain && json_object_array_length(chain) ? json_object_array_get_idx(chain, json_object_array_length(chain) - 1) : NULL;
        rf_ev(ev, evlen, "cleartext HTTP on port %d does not upgrade to HTTPS", json_object_get_int(jr_at(clear, "port")));
        if (last) {
            const char *loc = jr_str(last, "location");
            rf_ev(ev, evlen, " (%s: %d%s%s)", jr_str(last, "url") ? jr_str(last, "url") : "?",
                  json_object_get_int(jr_at(last, "status")), loc ? " -> " : "", loc ? loc : "");
        }
        found = true;
    }
    if (rf_true(on_tls, "serves_content")) {
        rf_ev(ev, evlen, "%scleartext HTTP served on the TLS port (status %d)", found ? "; " : "",
              json_object_get_int(jr_at(on_tls, "status")));
        found = true;
    }
    return found;
}

static verdict_t judge_http(const rule_ctx_t *c, bool need_hsts, char *ev, size_t evlen)
{
    verdict_t v;
    json_object *http = http_facts(c, ev, evlen, &v);
    if (!http)
        return v;
    if (http_fallback(http, ev, evlen))
        return VERDICT_FAIL;
    /* A redirect to HTTPS is only as good as HSTS: without it the first cleartext request can be
     * answered by an attacker instead (SSL stripping). With no cleartext listener at all, there
     * is nothing to strip. */
    json_object *hsts = jr_at(jr_at(http, "https"), "hsts");
    bool hsts_ok = rf_true(hsts, "present") && rf_true(hsts, "valid");
    if (need_hsts && rf_true(jr_at(http, "cleartext"), "listening") && !hsts_ok) {
        if (!rf_true(hsts, "present"))
            rf_ev(ev, evlen, "cleartext HTTP redirects to HTTPS but there is no Strict-Transport-Security header: "
                             "the redirect can be stripped");
        else
            rf_ev(ev, evlen, "cleartext HTTP redirects to HTTPS but the Strict-Transport-Security header is malformed (%s)",
                  jr_str(hsts, "raw") ? jr_str(hsts, "raw") : "?");
        return VERDICT_FAIL;
    }
    json_object *clear = jr_at(http, "cleartext");
    if (rf_true(clear, "listening"))
        rf_ev(ev, evlen, "cleartext HTTP on port %d redirects to HTTPS", json_object_get_int(jr_at(clear, "port")));
    else
        rf_ev(ev, evlen, "no cleartext HTTP listener");
    if (need_hsts && hsts_ok)
        rf_ev(ev, evlen, "; HSTS max-age=%lld", (long long)json_object_get_int64(jr_at(hsts, "max_age")));
    else if (need_hsts)
        rf_ev(ev, evlen, "; no valid HSTS header");
    return VERDICT_PASS;
}

verdict_t rule_http_external(const rule_ctx_t *c, char *ev, size_t evlen)
{
    if (rf_internal(c)) {
        rf_ev(ev, evlen, "internal service: see 12.3.3");
        return VERDICT_NOT_APPLICABLE;
    }
    return judge_http(c, true, ev, evlen);
}

verdict_t rule_http_internal(const rule_ctx_t *c, char *ev, size_t evlen)
{
    if (!rf_internal(c)) {
        rf_ev(ev, evlen, "external service: see 12.2.1");
        return VERDICT_NOT_APPLICABLE;
    }
    return judge_http(c, false, ev, evlen);
}

/* A fact the cleartext dialogue left unknown: ERROR when the probe met an error, else MANUAL
 * (the protocol's dialogue cannot show it, e.g. FTP or LDAP logins before STARTTLS). */
static verdict_t starttls_unknown(json_object *st, const char *what, char *ev, size_t evlen)
{
    const char *proto = jr_str(st, "protocol") ? jr_str(st, "protocol") : "service";
    const char *err = jr_str(st, "error");
    if (err) {
        rf_ev(ev, evlen, "%s: whether %s is unknown: %s", proto, what, err);
        return VERDICT_ERROR;
    }
    rf_ev(ev, evlen, "%s: whether %s cannot be seen in the cleartext dialogue; check the server's configuration", proto, what);
    return VERDICT_MANUAL;
}

/* Databases: a client without TLS must be refused. */
static verdict_t judge_database(json_object *st, const char *proto, char *ev, size_t evlen)
{
    rf_tri_t plain = rf_tri(st, "plaintext_accepted");
    if (plain == RF_UNKNOWN) {
        verdict_t v = starttls_unknown(st, "clients without TLS are refused", ev, evlen);
        if (jr_str(st, "plaintext_reply"))
            rf_ev(ev, evlen, " (the server answered: %s)", jr_str(st, "plaintext_reply"));
        return v;
    }
    if (plain == RF_YES) {
        rf_ev(ev, evlen, "%s accepts clients without TLS", proto);
        return VERDICT_FAIL;
    }
    rf_ev(ev, evlen, "%s refuses clients without TLS", proto);
    return VERDICT_PASS;
}

/* STARTTLS services: TLS must be offered, and nothing secret may pass before it. */
static verdict_t judge_starttls(json_object *st, char *ev, size_t evlen)
{
    const char *proto = jr_str(st, "protocol");
    if (!proto) {   /* the protocol says which facts decide */
        rf_ev(ev, evlen, "the service's protocol is unknown");
        return VERDICT_ERROR;
    }
    if (rf_true(st, "implicit_tls")) {
        rf_ev(ev, evlen, "implicit TLS (%s)", proto);
        return VERDICT_PASS;
    }
    rf_tri_t offered = rf_tri(st, "starttls_offered");
    if (offered == RF_UNKNOWN)
        return starttls_unknown(st, "STARTTLS is offered", ev, evlen);
    if (offered == RF_NO) {
        rf_ev(ev, evlen, "%s does not offer STARTTLS", proto);
        return VERDICT_FAIL;
    }
    if (strcmp(proto, "postgres") == 0 || strcmp(proto, "mysql") == 0)
        return judge_database(st, proto, ev, evlen);
    rf_tri_t auth = rf_tri(st, "auth_before_starttls");
    if (auth == RF_UNKNOWN)
        return starttls_unknown(st, "authentication is refused before STARTTLS", ev, evlen);
    if (auth == RF_YES) {
        rf_ev(ev, evlen, "%s offers authentication before STARTTLS", proto);
        return VERDICT_FAIL;
    }
    rf_ev(ev, evlen, "%s requires STARTTLS before authentication", proto);
    return VERDICT_PASS;
}

/* STARTTLS and implicit-TLS services are judged on the starttls facts; *v is set when this is
 * one (or when that cannot be told). The target's service says so when the probe did not run. */
static bool starttls_service(const rule_ctx_t *c, char *ev, size_t evlen, verdict_t *v)
{
    json_object *st = jr_at(c->facts, "starttls");
    const service_t *svc = c->target ? c->target->service : NULL;
    bool named = svc && svc->protocol && strcmp(svc->protocol, "http") != 0;
    rf_tri_t applicable = rf_tri(st, "applicable");
    if (st ? applicable == RF_NO : !named)
        return false;
    if (!rf_probe(c, "starttls", ev, evlen))
        *v = VERDICT_ERROR;
    else if (applicable == RF_UNKNOWN) {
        rf_ev(ev, evlen, "whether this is a STARTTLS service is unknown");
        *v = VERDICT_ERROR;
    } else
        *v = judge_starttls(st, ev, evlen);
    return true;
}

/* STARTTLS services by their cleartext facts, HTTP services by the http facts. */
verdict_t rule_no_cleartext(const rule_ctx_t *c, char *ev, size_t evlen)
{
    verdict_t v;
    if (starttls_service(c, ev, evlen, &v))
        return v;
    return judge_http(c, false, ev, evlen);
}

static json_object *mtls_facts(const rule_ctx_t *c, char *ev, size_t evlen, verdict_t *v)
{
    json_object *m = jr_at(c->facts, "mtls");
    if (!m) {
        rf_ev(ev, evlen, "client certificate handling was not probed");
        *v = VERDICT_MANUAL;
        return NULL;
    }
    if (!rf_probe(c, "mtls", ev, evlen)) {
        *v = VERDICT_ERROR;
        return NULL;
    }
    return m;
}

/* The first per-version evidence of what the server did with FIELD ("untrusted_evidence"). */
static const char *mtls_evidence(json_object *m, const char *field)
{
    json_object *by = jr_at(m, "by_version");
    if (!by || !json_object_is_type(by, json_type_object))
        return NULL;
    json_object_object_foreach(by, name, facts) {
        (void)name;
        if (jr_str(facts, field))
            return jr_str(facts, field);
    }
    return NULL;
}

static verdict_t mtls_unknown(json_object *m, const char *what, const char *field, char *ev, size_t evlen)
{
    const char *why = mtls_evidence(m, field);
    rf_ev(ev, evlen, "%s is undetermined%s%s", what, why ? ": " : "", why ? why : "");
    return VERDICT_ERROR;
}

/* An untrusted, self-signed client certificate must be refused. */
static verdict_t judge_untrusted(json_object *m, char *ev, size_t evlen)
{
    rf_tri_t accepts = rf_tri(m, "accepts_untrusted");
    if (accepts == RF_YES) {
        rf_ev(ev, evlen, "the server accepts an untrusted, self-signed client certificate");
        return VERDICT_FAIL;
    }
    if (accepts == RF_UNKNOWN)
        return mtls_unknown(m, "whether the server rejects an untrusted client certificate", "untrusted_evidence", ev, evlen);
    return VERDICT_PASS;
}

verdict_t rule_mtls_validated(const rule_ctx_t *c, char *ev, size_t evlen)
{
    verdict_t v;
    json_object *m = mtls_facts(c, ev, evlen, &v);
    if (!m)
        return v;
    bool expected = c->target && c->target->mtls_expected;
    rf_tri_t requested = rf_tri(m, "requested");
    if (requested == RF_UNKNOWN)
        return mtls_unknown(m, "whether the server requests client certificates", "required_evidence", ev, evlen);
    if (requested == RF_NO) {
        rf_ev(ev, evlen, "the server does not request client certificates");
        return expected ? VERDICT_FAIL : VERDICT_NOT_APPLICABLE;
    }
    v = judge_untrusted(m, ev, evlen);
    if (v == VERDICT_PASS)
        rf_ev(ev, evlen, "client certificates requested%s; an untrusted one is rejected",
              rf_true(m, "required") ? " and required" : "");
    return v;
}

verdict_t rule_mutual_internal(const rule_ctx_t *c, char *ev, size_t evlen)
{
    if (!rf_internal(c)) {
        rf_ev(ev, evlen, "external service");
        return VERDICT_NOT_APPLICABLE;
    }
    verdict_t v;
    json_object *m = mtls_facts(c, ev, evlen, &v);
    if (!m)
        return v;
    rf_tri_t required = rf_tri(m, "required");
    if (required == RF_UNKNOWN)
        return mtls_unknown(m, "whether client certificates are required", "required_evidence", ev, evlen);
    if (required == RF_NO) {
        rf_tri_t requested = rf_tri(m, "requested");
        rf_ev(ev, evlen, "%s", requested == RF_YES ? "client certificates are optional"
                               : requested == RF_NO ? "no client authentication" : "client certificates are not required");
        return VERDICT_FAIL;
    }
    v = judge_untrusted(m, ev, evlen);
    if (v == VERDICT_PASS)
        rf_ev(ev, evlen, "client certificates required and validated");
    return v;
}

verdict_t rule_ech(const rule_ctx_t *c, char *ev, size_t evlen)
{
    json_object *ech = jr_at(c->facts, "ech");
    if (!ech) {
        rf_ev(ev, evlen, "Encrypted Client Hello is not probed by this version of tlsprobe");
        return VERDICT_MANUAL;
    }
    if (!rf_probe(c, "ech", ev, evlen))
        return VERDICT_ERROR;
    rf_tri_t accepted = rf_tri(ech, "accepted");
    if (accepted == RF_UNKNOWN) {
        rf_ev(ev, evlen, "whether ECH is accepted is undetermined");
        return VERDICT_ERROR;
    }
    rf_ev(ev, evlen, accepted == RF_YES ? "ECH accepted" : "ECH not offered or not accepted");
    return accepted == RF_YES ? VERDICT_PASS : VERDICT_FAIL;
}

verdict_t rule_manual_clients(const rule_ctx_t *c, char *ev, size_t evlen)
{
    (void)c;
    rf_ev(ev, evlen, "a network probe cannot observe how the application's own TLS clients validate certificates");
    return VERDICT_MANUAL;
}

verdict_t rule_manual_logging(const rule_ctx_t *c, char *ev, size_t evlen)
{
    (void)c;
    rf_ev(ev, evlen, "a network probe cannot observe whether backend TLS failures are logged");
    return VERDICT_MANUAL;
}
