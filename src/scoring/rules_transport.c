/* Rules on cleartext fallback (12.2.1, 12.3.1, 12.3.3, 9.1.1, 9.2.2), mutual TLS (12.1.3,
 * 12.3.5), ECH (12.1.5) and what a network probe cannot observe (12.3.2, 9.2.5). */
#include "rules.h"

#include <string.h>

#include "hsts.h"

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
    bool applicable = false;
    if (!rf_bool(http, "applicable", &applicable)) {
        const char *why = jr_str(http, "reason");
        bool tls_failed = rf_true(http, "tls_handshake_failed");
        rf_ev(ev, evlen, "whether this is an HTTP service is unknown%s%s%s", why ? ": " : "", why ? why : "",
              tls_failed ? " (no HTTPS request got past TLS: check HTTP by hand, or give the target's client_cert "
                           "if it requires one)" : "");
        /* tlsprobe cannot learn it (MANUAL); no answer in time is a failure to learn it (ERROR). */
        *v = tls_failed ? VERDICT_MANUAL : VERDICT_ERROR;
        return NULL;
    }
    if (!applicable) {
        rf_ev(ev, evlen, "not an HTTP service");
        *v = VERDICT_NOT_APPLICABLE;
        return NULL;
    }
    return http;
}

/* Appends one more part to the evidence, "; " between parts. */
static void part(char *ev, size_t evlen)
{
    if (ev[0])
        rf_ev(ev, evlen, "; ");
}

/* Cleartext HTTP served: by a "TLS" port that speaks only HTTP, on the http port (content, or a
 * chain that stays in the clear), or on the TLS port. Each is positive evidence of a failure. */
static bool http_fallback(const rule_ctx_t *c, json_object *http, char *ev, size_t evlen)
{
    bool found = false, tls = true, upgrades = true;
    json_object *clear = jr_at(http, "cleartext"), *on_tls = jr_at(http, "cleartext_on_tls_port");
    if (rf_bool(http, "tls", &tls) && !tls && jr_at(on_tls, "status")) {
        const char *line = jr_str(on_tls, "status_line");
        rf_ev(ev, evlen, "cleartext HTTP served on port %u, no TLS (%s)", c->target ? c->target->port : 0u,
              line ? line : "?");
        found = true;
    }
    if (rf_true(clear, "listening") && rf_bool(clear, "upgrades", &upgrades) && !upgrades) {
        json_object *chain = jr_at(clear, "chain");
        size_t n = chain && json_object_is_type(chain, json_type_array) ? json_object_array_length(chain) : 0;
        json_object *last = n ? json_object_array_get_idx(chain, n - 1) : NULL;
        part(ev, evlen);
        rf_ev(ev, evlen, "cleartext HTTP on port %d does not upgrade to HTTPS", json_object_get_int(jr_at(clear, "port")));
        if (last) {
            const char *loc = jr_str(last, "location");
            rf_ev(ev, evlen, " (%s: %d%s%s)", jr_str(last, "url") ? jr_str(last, "url") : "?",
                  json_object_get_int(jr_at(last, "status")), loc ? " -> " : "", loc ? loc : "");
        }
        found = true;
    }
    if (tls && rf_true(on_tls, "serves_content")) {
        part(ev, evlen);
        rf_ev(ev, evlen, "cleartext HTTP served on the TLS port (status %d)", json_object_get_int(jr_at(on_tls, "status")));
        found = true;
    }
    return found;
}

/* HSTS as 12.2.1's audit guidance asks: on the HTTPS response, well-formed, max-age of at least
 * one year. Without it a browser's first http:// request can be answered by an attacker (SSL
 * stripping), whether or not the server itself listens in the clear. False when it is fine or
 * was not observed (an unknown, see http_unknowns). */
/* The HSTS facts as a verdict needs them: whether the header is there, and when it is, whether
 * it is valid and its max-age. False when any of that is unknown. */
static bool hsts_known(json_object *hsts)
{
    bool present = false, valid = false;
    json_object *max_age = jr_at(hsts, "max_age");
    if (!rf_bool(hsts, "present", &present))
        return false;
    if (!present)
        return true;
    if (!rf_bool(hsts, "valid", &valid))
        return false;
    return !valid || (max_age && json_object_is_type(max_age, json_type_int));
}

static bool hsts_fails(json_object *http, char *ev, size_t evlen)
{
    json_object *hsts = jr_at(jr_at(http, "https"), "hsts"), *clear = jr_at(http, "cleartext");
    json_object *max_age = jr_at(hsts, "max_age");
    if (!hsts_known(hsts) || (rf_true(hsts, "present") && rf_true(hsts, "valid") &&
                              json_object_get_int64(max_age) >= (int64_t)HSTS_MIN_MAX_AGE))
        return false;
    bool listening = true, upgrades = false;
    bool redirects = rf_true(clear, "listening") && rf_bool(clear, "upgrades", &upgrades) && upgrades;
    bool no_listener = rf_bool(clear, "listening", &listening) && !listening;
    part(ev, evlen);
    if (redirects)
        rf_ev(ev, evlen, "cleartext HTTP redirects to HTTPS but ");
    else if (no_listener)
        rf_ev(ev, evlen, "no cleartext HTTP listener on port %d, but ", json_object_get_int(jr_at(clear, "port")));
    if (!rf_true(hsts, "present"))
        rf_ev(ev, evlen, "there is no Strict-Transport-Security header");
    else if (!rf_true(hsts, "valid"))
        rf_ev(ev, evlen, "the Strict-Transport-Security header is malformed (%s: %s)",
              jr_str(hsts, "raw") ? jr_str(hsts, "raw") : "?", jr_str(hsts, "error") ? jr_str(hsts, "error") : "?");
    else if (!max_age)
        rf_ev(ev, evlen, "the Strict-Transport-Security header has no max-age");
    else
        rf_ev(ev, evlen, "HSTS max-age=%lld is under one year", (long long)json_object_get_int64(max_age));
    if (redirects)
        rf_ev(ev, evlen, ": the redirect can be stripped");
    else
        rf_ev(ev, evlen, " (HTTPS responses need HSTS with max-age >= %llu)", (unsigned long long)HSTS_MIN_MAX_AGE);
    return true;
}

static void worst(verdict_t *v, verdict_t kind)
{
    if (*v == VERDICT_PASS || kind == VERDICT_ERROR)
        *v = kind;
}

/* The cleartext port's unknowns (see http_unknowns). */
static void cleartext_unknowns(json_object *clear, verdict_t *v, char *ev, size_t evlen)
{
    bool listening = false, upgrades = false;
    int port = json_object_get_int(jr_at(clear, "port"));
    const char *why = jr_str(clear, "error") ? jr_str(clear, "error") : "unknown";
    if (!clear) {
        part(ev, evlen);
        rf_ev(ev, evlen, "cleartext HTTP on the http port was not checked");
        worst(v, VERDICT_ERROR);
    } else if (!rf_bool(clear, "listening", &listening)) {
        part(ev, evlen);
        rf_ev(ev, evlen, "cleartext HTTP on port %d unknown: %s", port, why);
        worst(v, VERDICT_MANUAL);
    } else if (listening && !rf_bool(clear, "upgrades", &upgrades) && jr_str(clear, "not_followed")) {
        part(ev, evlen);
        rf_ev(ev, evlen, "cleartext HTTP on port %d redirects to %s, another host tlsprobe does not contact: "
                         "check that it leads to https://", port, jr_str(clear, "not_followed"));
        worst(v, VERDICT_MANUAL);
    } else if (listening && !rf_bool(clear, "upgrades", &upgrades)) {
        part(ev, evlen);
        rf_ev(ev, evlen, "cleartext HTTP on port %d, upgrade to HTTPS unknown: %s", port, why);
        worst(v, VERDICT_ERROR);
    }
}

/* What could not be learned never counts as the good case: ERROR when an answer was missing or
 * unusable, MANUAL when tlsprobe did not look by design (a cleartext hop to another host) or
 * cannot tell (a connection neither refused nor accepted in time). PASS when nothing is unknown. */
static verdict_t http_unknowns(json_object *http, bool need_hsts, char *ev, size_t evlen)
{
    verdict_t v = VERDICT_PASS;
    json_object *https = jr_at(http, "https"), *on_tls = jr_at(http, "cleartext_on_tls_port");
    bool content = false, tls = true;
    const char *why;
    if (need_hsts && !jr_at(https, "hsts")) {
        why = jr_str(https, "error");
        part(ev, evlen);
        rf_ev(ev, evlen, "HSTS not observed: %s", why ? why : "no HTTPS response");
        worst(&v, VERDICT_ERROR);
    } else if (need_hsts && !hsts_known(jr_at(https, "hsts"))) {
        part(ev, evlen);
        rf_ev(ev, evlen, "HSTS unknown: whether the header is present, valid, or its max-age is not in the facts");
        worst(&v, VERDICT_ERROR);
    }
    cleartext_unknowns(jr_at(http, "cleartext"), &v, ev, evlen);
    /* PASS needs TLS seen on the port; without it only a cleartext HTTP answer (a failure,
     * judged before) would say what the port speaks. */
    if (!rf_bool(http, "tls", &tls) || !tls) {
        why = jr_str(on_tls, "error") ? jr_str(on_tls, "error") : jr_str(https, "error");
        part(ev, evlen);
        rf_ev(ev, evlen, "%s, and no HTTP answer in cleartext (%s)",
              rf_bool(http, "tls", &tls) ? "no TLS version accepted" : "whether the port speaks TLS is unknown",
              why ? why : "?");
        worst(&v, VERDICT_ERROR);
    } else if (!rf_bool(on_tls, "serves_content", &content)) {
        why = jr_str(on_tls, "error");
        part(ev, evlen);
        rf_ev(ev, evlen, "cleartext request to the TLS port: %s", on_tls ? why ? why : "no answer" : "not checked");
        worst(&v, VERDICT_ERROR);
    }
    return v;
}

static verdict_t judge_http(const rule_ctx_t *c, bool need_hsts, char *ev, size_t evlen)
{
    verdict_t v;
    json_object *http = http_facts(c, ev, evlen, &v);
    if (!http)
        return v;
    /* Failures first: a known failure stands whatever else is unknown. */
    bool failed = http_fallback(c, http, ev, evlen);
    if (need_hsts)
        failed |= hsts_fails(http, ev, evlen);
    if (failed)
        return VERDICT_FAIL;
    v = http_unknowns(http, need_hsts, ev, evlen);
    if (v != VERDICT_PASS)
        return v;
    json_object *clear = jr_at(http, "cleartext");
    if (rf_true(clear, "listening"))
        rf_ev(ev, evlen, "cleartext HTTP on port %d redirects to HTTPS", json_object_get_int(jr_at(clear, "port")));
    else
        rf_ev(ev, evlen, "no cleartext HTTP listener on port %d", json_object_get_int(jr_at(clear, "port")));
    if (need_hsts)
        rf_ev(ev, evlen, "; HSTS max-age=%lld",
              (long long)json_object_get_int64(jr_at(jr_at(jr_at(http, "https"), "hsts"), "max_age")));
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

/* An implicit-TLS port is only as good as the TLS seen on it: the scheme alone proves nothing
 * (a cleartext greeter behind smtps:// would pass). PASS when a version was accepted, FAIL when
 * every version was refused, ERROR otherwise. */
static verdict_t judge_implicit(const rule_ctx_t *c, const char *proto, char *ev, size_t evlen)
{
    json_object *versions = rf_probe(c, "versions", ev, evlen);
    if (!versions)
        return VERDICT_ERROR;
    json_object *list = jr_at(versions, "protocols");
    size_t n = list && json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
    size_t refused = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *p = json_object_array_get_idx(list, i);
        rf_tri_t accepted = rf_tri(p, "accepted");
        if (accepted == RF_YES) {
            rf_ev(ev, evlen, "implicit TLS (%s): %s accepted", proto, jr_str(p, "name") ? jr_str(p, "name") : "?");
            return VERDICT_PASS;
        }
        refused += accepted == RF_NO;
    }
    if (n && refused == n) {
        rf_ev(ev, evlen, "implicit TLS (%s) expected, but the port accepts no TLS version", proto);
        return VERDICT_FAIL;
    }
    rf_ev(ev, evlen, "implicit TLS (%s) expected, but no TLS version was seen accepted (some undetermined)", proto);
    return VERDICT_ERROR;
}

/* STARTTLS services: TLS must be offered, and nothing secret may pass before it. */
static verdict_t judge_starttls(const rule_ctx_t *c, json_object *st, char *ev, size_t evlen)
{
    const char *proto = jr_str(st, "protocol");
    if (!proto) {   /* the protocol says which facts decide */
        rf_ev(ev, evlen, "the service's protocol is unknown");
        return VERDICT_ERROR;
    }
    if (rf_true(st, "implicit_tls"))
        return judge_implicit(c, proto, ev, evlen);
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
        *v = judge_starttls(c, st, ev, evlen);
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
    json_object *ech = rf_probe(c, "ech", ev, evlen);
    if (!ech) {
        /* Facts from before the probe existed (render, --diff of an old report): nobody tried. */
        if (!jr_at(c->facts, "ech") && !(c->not_selected && *c->not_selected)) {
            rf_ev(ev, evlen, "Encrypted Client Hello was not probed (a report from before the ech probe)");
            return VERDICT_MANUAL;
        }
        return VERDICT_ERROR;
    }
    /* The evidence names where the config came from and the probe's own account of what
     * happened (a rejection, no config published, an undecided answer). */
    const char *source = jr_str(ech, "source");
    json_object *cfg = jr_at(ech, "config");
    const char *result = jr_str(ech, "result") ? jr_str(ech, "result") : "no result recorded";
    char from[200] = "";
    if (cfg)
        snprintf(from, sizeof from, " (config %d from %s, public name %s)", json_object_get_int(jr_at(cfg, "config_id")),
                 source ? source : "?", jr_str(cfg, "public_name") ? jr_str(cfg, "public_name") : "?");
    else if (source)
        snprintf(from, sizeof from, " (config from %s)", source);
    rf_tri_t accepted = rf_tri(ech, "accepted");
    /* No configuration to try, and none looked up (an address, a localhost name): whether one
     * exists is for the user to say (--ech-config-list), not a failure tlsprobe saw. */
    if (accepted == RF_UNKNOWN && !source && !jr_at(ech, "dns_https")) {
        rf_ev(ev, evlen, "whether ECH is accepted is undetermined: %s", result);
        return VERDICT_MANUAL;
    }
    if (accepted == RF_UNKNOWN) {
        rf_ev(ev, evlen, "whether ECH is accepted is undetermined%s: %s", from, result);
        return VERDICT_ERROR;
    }
    /* Nothing published is a failure for an external HTTPS service, whose clients find ECH
     * keys in DNS; an internal or non-HTTPS service gets its keys some other way. */
    const service_t *svc = c->target ? c->target->service : NULL;
    bool https = !svc || !svc->dialogue;
    if (accepted == RF_NO && !source && (rf_internal(c) || !https)) {
        rf_ev(ev, evlen, "no ECH configuration is published for this %s service (%s); give its configuration "
                         "(--ech-config-list, ech_config_list:) to test ECH", rf_internal(c) ? "internal" : "non-HTTPS",
              result);
        return VERDICT_MANUAL;
    }
    rf_ev(ev, evlen, "%s%s: %s", accepted == RF_YES ? "ECH accepted" : "ECH not accepted", from, result);
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
