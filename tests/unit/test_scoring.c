/* Scoring rules on hand-written facts: each verdict and its evidence line, and score_endpoint
 * (probes left out, the grade member). Unknown facts in general: test_unknown.c. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "probe.h"
#include "scoring.h"

static int failures;

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

/* Runs one requirement's rule on hand-written facts, for a target of this exposure and level. */
static void expect_ctx(const char *name, const char *id, const char *facts_json, bool internal, bool mtls_expected,
                       int level, verdict_t want, const char *want_evidence)
{
    json_object *facts = json_tokener_parse(facts_json);
    target_t t = { .host = "a.test", .port = 443, .internal = internal, .mtls_expected = mtls_expected };
    rule_ctx_t ctx = { .facts = facts, .target = &t, .level = level };
    char ev[768] = "", detail[1600];
    const requirement_t *r = requirement_by_id(id);
    verdict_t got = r ? r->rule(&ctx, ev, sizeof ev) : VERDICT_ERROR;
    snprintf(detail, sizeof detail, "got %s '%s', want %s '%s'", verdict_name(got), ev, verdict_name(want), want_evidence);
    check(facts && r && got == want && strcmp(ev, want_evidence) == 0, name, detail);
    json_object_put(facts);
}

static void expect(const char *name, const char *id, const char *facts_json, verdict_t want, const char *want_evidence)
{
    expect_ctx(name, id, facts_json, false, false, 1, want, want_evidence);
}

#define PROTO(n, a) "{\"name\":\"" n "\",\"accepted\":" a ",\"result\":\"r\"}"
#define VERSIONS_OBJ(ssl2, ssl3, t10, t11, t12, t13, pref)                                        \
    "{\"status\":\"ok\",\"protocols\":[" PROTO("SSLv2", ssl2) "," PROTO("SSLv3", ssl3)                   \
    "," PROTO("TLSv1.0", t10) "," PROTO("TLSv1.1", t11) "," PROTO("TLSv1.2", t12) ","              \
    PROTO("TLSv1.3", t13) "],\"preferred\":" pref "}"
#define VERSIONS(ssl2, ssl3, t10, t11, t12, t13, pref) "{\"versions\":" VERSIONS_OBJ(ssl2, ssl3, t10, t11, t12, t13, pref) "}"

/* --probes versions: the certificate requirements are MANUAL (theirs to check), the grade
 * says why there is none, and the endpoint is not an ERROR. */
static void score_not_selected(void)
{
    target_t t = { .host = "a.test", .port = 443 };
    options_t o;
    cli_set_defaults(&o);
    o.probe_mask = 1ul << probe_index("versions");
    endpoint_t ep = { .target = &t, .opts = &o, .status = ENDPOINT_OK, .verdicts = json_object_new_array() };
    /* What the scheduler records for the run: scoring reads the endpoint, not the registry. */
    check(probe_registry_count <= ENDPOINT_MAX_PROBES, "endpoint_t.left_out has room for every probe", "");
    const char *left_out[ENDPOINT_MAX_PROBES + 1] = { 0 };
    for (size_t i = 0, k = 0; i < probe_registry_count && k < ENDPOINT_MAX_PROBES; i++)
        if (!probe_selected(&o, i))
            left_out[k++] = probe_registry[i]->name;
    ep.left_out = left_out;
    pthread_mutex_init(&ep.lock, NULL);
    ep.facts = json_tokener_parse(VERSIONS("false", "false", "false", "false", "true", "true", "\"TLSv1.3\""));
    const scoring_t sc = { .opts = &o };
    score_endpoint(&sc, &ep);
    char got[1200] = "";
    for (size_t i = 0; i < json_object_array_length(ep.verdicts); i++) {
        json_object *v = json_object_array_get_idx(ep.verdicts, i), *id, *res, *evid;
        json_object_object_get_ex(v, "id", &id);
        json_object_object_get_ex(v, "result", &res);
        json_object_object_get_ex(v, "evidence", &evid);
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s %s %s; ", json_object_get_string(id),
                 json_object_get_string(res), json_object_get_string(evid));
    }
    const char *want = "12.1.1 PASS only TLSv1.2 and TLSv1.3 accepted; TLSv1.3 preferred; "
                       "12.2.1 MANUAL cleartext HTTP fallback was not probed; "
                       "12.2.2 MANUAL certificate probe not selected (--probes); ";
    char detail[2600];
    snprintf(detail, sizeof detail, "got '%s', want '%s'", got, want);
    check(strcmp(got, want) == 0, "score_endpoint --probes versions: MANUAL where a probe was left out", detail);
    json_object *reason = NULL, *letter = NULL;
    json_object_object_get_ex(ep.grade, "grade", &letter);
    json_object_object_get_ex(ep.grade, "reason", &reason);
    snprintf(detail, sizeof detail, "result %s, grade %s", ep.result, json_object_to_json_string(ep.grade));
    check(ep.result && strcmp(ep.result, "PASS") == 0 && ep.grade && !letter && reason &&
          strcmp(json_object_get_string(reason), "ciphers probe did not run; certificate probe did not run; groups probe did not run") == 0,
          "score_endpoint --probes versions: result PASS, no grade, with the reason", detail);
    json_object_put(ep.grade);
    json_object_put(ep.verdicts);
    json_object_put(ep.warnings);
    json_object_put(ep.facts);
}

int main(void)
{
    expect("12.1.1 pass 1.2+1.3", "12.1.1",
           VERSIONS("false", "false", "false", "false", "true", "true", "\"TLSv1.3\""), VERDICT_PASS,
           "only TLSv1.2 and TLSv1.3 accepted; TLSv1.3 preferred");
    expect("12.1.1 pass 1.2 only", "12.1.1",
           VERSIONS("false", "false", "false", "false", "true", "false", "\"TLSv1.2\""), VERDICT_PASS,
           "only TLSv1.2 accepted");
    expect("12.1.1 fail legacy", "12.1.1",
           "{\"versions\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.0\",\"accepted\":true,"
           "\"cipher\":\"TLS_RSA_WITH_AES_128_CBC_SHA\"},{\"name\":\"SSLv3\",\"accepted\":true}],"
           "\"preferred\":\"TLSv1.0\"}}",
           VERDICT_FAIL, "SSLv3 accepted; TLSv1.0 accepted: TLS_RSA_WITH_AES_128_CBC_SHA (also undetermined: SSLv2 not in the "
           "versions facts; TLSv1.1 not in the versions facts; TLSv1.2 not in the versions facts; TLSv1.3 not in the "
           "versions facts)");
    expect("12.1.1 error: TLSv1.0 undetermined is not refused", "12.1.1",
           VERSIONS("false", "false", "null", "false", "true", "true", "\"TLSv1.3\""), VERDICT_ERROR,
           "TLSv1.0 undetermined (r)");
    expect("12.1.1 error: TLS 1.3 accepted, preference unknown", "12.1.1",
           VERSIONS("false", "false", "false", "false", "true", "true", "null"), VERDICT_ERROR,
           "TLSv1.3 accepted but the version the server prefers is undetermined (no answer recorded)");
    expect("12.1.1 fail 1.3 not preferred", "12.1.1",
           VERSIONS("false", "false", "false", "false", "true", "true", "\"TLSv1.2\""), VERDICT_FAIL,
           "TLSv1.3 accepted but the server prefers TLSv1.2");
    expect("12.1.1 error nothing accepted", "12.1.1",
           VERSIONS("false", "false", "false", "false", "false", "false", "null"), VERDICT_ERROR,
           "no protocol version accepted");
    expect("12.1.1 error probe failed", "12.1.1",
           "{\"versions\":{\"status\":\"error\",\"error\":\"connect: Connection refused\"}}", VERDICT_ERROR,
           "versions probe failed: connect: Connection refused");
    expect("12.1.1 error probe missing", "12.1.1", "{}", VERDICT_ERROR, "versions probe did not run");

    expect("12.2.2 pass", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\"}],"
           "\"trust\":{\"store\":\"system\",\"verified\":true},\"chain_analysis\":{\"completed_via_aia\":false},"
           "\"name\":{\"checked\":\"a.test\",\"matched\":true},\"revocation\":{\"result\":\"good\",\"method\":\"crl\"}}}",
           VERDICT_PASS, "chain trusted by system and valid for 'a.test'; not revoked (CRL)");
    expect("12.2.2 pass, revocation not checked offline: not called good", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\",\"trust\":{\"store\":\"system\",\"verified\":true},"
           "\"chain_analysis\":{\"completed_via_aia\":false},\"name\":{\"checked\":\"a.test\",\"matched\":true},"
           "\"ocsp_staple\":{\"verdict\":\"none\"},\"revocation\":{\"offline\":true,\"result\":\"not_checked\"}}}",
           VERDICT_PASS, "chain trusted by system and valid for 'a.test'; revocation not checked (--offline)");
    expect("12.2.2 pass, revocation check failed: unknown", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\",\"trust\":{\"store\":\"system\",\"verified\":true},"
           "\"chain_analysis\":{\"completed_via_aia\":false},\"name\":{\"checked\":\"a.test\",\"matched\":true},"
           "\"revocation\":{\"offline\":false,\"result\":\"error\",\"error\":\"OCSP: timeout\"}}}",
           VERDICT_PASS, "chain trusted by system and valid for 'a.test'; revocation status unknown (error: OCSP: timeout)");
#define TRUSTED "\"trust\":{\"store\":\"system\",\"verified\":true},\"chain_analysis\":{\"completed_via_aia\":false}," \
                "\"name\":{\"checked\":\"a.test\",\"matched\":true}"
    expect("12.2.2 fail revoked staple, reason", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\"," TRUSTED ",\"ocsp_staple\":{\"verdict\":\"revoked\","
           "\"revocation_reason\":\"keyCompromise\"},\"revocation\":{\"result\":\"revoked\",\"method\":\"ocsp\"}}}",
           VERDICT_FAIL, "certificate revoked (stapled OCSP response, reason keyCompromise)");
    expect("9.2.1 fail revoked by the OCSP responder", "9.2.1",
           "{\"certificate\":{\"status\":\"ok\"," TRUSTED ",\"ocsp_staple\":{\"verdict\":\"none\"},"
           "\"revocation\":{\"result\":\"revoked\",\"method\":\"ocsp\",\"ocsp\":{\"url\":\"http://o.test\","
           "\"revocation_reason\":\"keyCompromise\"}}}}",
           VERDICT_FAIL, "certificate revoked (OCSP responder http://o.test, reason keyCompromise)");
    expect("9.2.3 fail revoked by CRL", "9.2.3",
           "{\"certificate\":{\"status\":\"ok\"," TRUSTED ",\"revocation\":{\"result\":\"revoked\",\"method\":\"crl\","
           "\"crl\":{\"url\":\"http://c.test/int.crl\"}}}}",
           VERDICT_FAIL, "certificate revoked (CRL http://c.test/int.crl)");
    expect_ctx("12.3.4 fail revoked, internal", "12.3.4",
               "{\"certificate\":{\"status\":\"ok\"," TRUSTED ",\"revocation\":{\"result\":\"revoked\",\"method\":\"crl\"}}}",
               true, false, 2, VERDICT_FAIL, "certificate revoked (CRL)");
    expect("12.2.2 error: trust unknown", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\",\"trust\":{\"store\":\"system\",\"verified\":null},"
           "\"chain_analysis\":{\"completed_via_aia\":false},\"name\":{\"checked\":\"a.test\",\"matched\":true}}}",
           VERDICT_ERROR, "the chain's verification result is unknown");
    expect("12.2.2 error: name match unknown", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\",\"trust\":{\"store\":\"system\",\"verified\":true},"
           "\"chain_analysis\":{\"completed_via_aia\":false},\"name\":{\"checked\":\"a.test\"}}}",
           VERDICT_ERROR, "whether the certificate covers 'a.test' is unknown");
    expect("12.2.2 fail stays fail with an unknown beside it", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\",\"trust\":{\"store\":\"system\",\"verified\":false,\"error\":\"e\"},"
           "\"chain_analysis\":{\"completed_via_aia\":false},\"name\":{\"checked\":\"a.test\",\"matched\":null}}}",
           VERDICT_FAIL, "chain not trusted by system: e (also unknown: whether the certificate covers 'a.test' is unknown)");
    expect("12.2.2 fail expired", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\"}],"
           "\"trust\":{\"store\":\"file:/ca.pem\",\"verified\":false,\"error\":\"certificate has expired\"},"
           "\"name\":{\"checked\":\"a.test\",\"matched\":true},\"chain_analysis\":{\"completed_via_aia\":false}}}",
           VERDICT_FAIL, "chain not trusted by file:/ca.pem: certificate has expired");
    expect("12.2.2 fail name", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\",\"san\":[\"DNS:wrong.example\"]}],"
           "\"trust\":{\"store\":\"system\",\"verified\":true},"
           "\"name\":{\"checked\":\"localhost\",\"matched\":false},\"chain_analysis\":{\"completed_via_aia\":false}}}",
           VERDICT_FAIL, "certificate does not cover 'localhost' (SAN: DNS:wrong.example)");
    expect("12.2.2 error handshake", "12.2.2",
           "{\"certificate\":{\"status\":\"error\",\"error\":\"handshake failed\"}}", VERDICT_ERROR,
           "certificate probe failed: handshake failed");
    expect("12.2.2 fail incomplete chain completed via AIA", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\",\"trust\":{\"store\":\"system\",\"verified\":true},"
           "\"name\":{\"checked\":\"a.test\",\"matched\":true},\"chain_analysis\":{\"completed_via_aia\":true}}}",
           VERDICT_FAIL, "incomplete chain (completed via AIA): clients that do not fetch missing intermediates reject it");
    expect("12.2.2 fail pin", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\",\"trust\":{\"store\":\"system\",\"verified\":true,"
           "\"pin\":{\"matched\":false}},\"name\":{\"checked\":\"a.test\",\"matched\":true},"
           "\"chain_analysis\":{\"completed_via_aia\":false}}}",
           VERDICT_FAIL, "no certificate of the chain matches the configured pin-sha256");
    expect_ctx("12.2.2 not applicable internally", "12.2.2", "{}", true, false, 1, VERDICT_NOT_APPLICABLE,
               "internal service (exposure: internal): see 12.3.4");
    expect_ctx("12.3.4 pass internal CA", "12.3.4",
               "{\"certificate\":{\"status\":\"ok\",\"trust\":{\"store\":\"file:/int.pem\",\"verified\":true,"
               "\"anchor\":\"CN=int\"},\"name\":{\"checked\":\"a.test\",\"matched\":true},"
               "\"ocsp_staple\":{\"verdict\":\"valid\"}}}",
               true, false, 2, VERDICT_PASS,
               "chain trusted by file:/int.pem (anchor CN=int) and valid for 'a.test'; not revoked (valid OCSP staple); "
               "no internal CA (ca:) or pin given: trusted through the run's store");

#define SUITE(n, c, fs) "{\"name\":\"" n "\",\"class\":\"" c "\",\"why\":\"w\",\"forward_secrecy\":" fs "}"
/* TLS 1.2 alone accepted (or 1.3 alone), every version decided; the suites' enumeration complete. */
#define V12 "\"versions\":" VERSIONS_OBJ("false", "false", "false", "false", "true", "false", "\"TLSv1.2\"")
#define V13 "\"versions\":" VERSIONS_OBJ("false", "false", "false", "false", "false", "true", "\"TLSv1.3\"")
#define CIPHERS(version, order, complete, suites)                                                                \
    "\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"" version "\",\"server_order\":" order      \
    ",\"complete\":" complete ",\"suites\":[" suites "]}]}"
    expect_ctx("12.1.2 pass all recommended", "12.1.2",
               "{" V12 "," CIPHERS("TLSv1.2", "false", "true", SUITE("A", "recommended", "true") "," SUITE("B", "recommended", "true")) "}",
               false, false, 2, VERDICT_PASS, "2 suites accepted, all recommended; forward secrecy: all");
    expect_ctx("12.1.2 fail weak suite", "12.1.2",
               "{" V12 "," CIPHERS("TLSv1.2", "true", "true", SUITE("A", "recommended", "true") "," SUITE("B", "weak", "false")) "}",
               false, false, 2, VERDICT_FAIL, "TLSv1.2 B (weak: w)");
    expect_ctx("12.1.2 fail weak suite stays FAIL when the enumeration is incomplete", "12.1.2",
               "{" V12 ",\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.2\",\"complete\":false,"
               "\"undecided\":[{\"code\":\"0x0035\",\"name\":\"X\",\"reason\":\"closed\"},{\"code\":\"0x002F\"}],"
               "\"suites\":[" SUITE("B", "weak", "false") "]}]}}",
               false, false, 2, VERDICT_FAIL,
               "TLSv1.2 B (weak: w) (enumeration incomplete: 2 suites of TLSv1.2 could not be decided (closed))");
    expect_ctx("12.1.2 error: suites undecided", "12.1.2",
               "{" V12 ",\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.2\",\"complete\":false,"
               "\"undecided\":[{\"code\":\"0x0035\",\"name\":\"X\",\"reason\":\"timeout\"}],"
               "\"suites\":[" SUITE("A", "recommended", "true") "]}]}}",
               false, false, 2, VERDICT_ERROR, "1 suites of TLSv1.2 could not be decided (timeout)");
    expect_ctx("12.1.2 error: no complete fact (older report)", "12.1.2",
               "{" V13 ",\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.3\","
               "\"suites\":[" SUITE("A", "recommended", "true") "]}]}}",
               false, false, 2, VERDICT_ERROR, "TLSv1.3: the suites enumeration is not known to be complete");
    expect_ctx("9.1.2 error: an accepted version without suites", "9.1.2",
               "{\"versions\":" VERSIONS_OBJ("false", "false", "false", "true", "true", "false", "\"TLSv1.2\"") ","
               CIPHERS("TLSv1.2", "null", "true", SUITE("A", "recommended", "true")) "}",
               false, false, 1, VERDICT_ERROR, "TLSv1.1 accepted but its suites were not enumerated");
    expect_ctx("9.1.2 fail server prefers acceptable", "9.1.2",
               "{" V12 "," CIPHERS("TLSv1.2", "true", "true", SUITE("C", "acceptable", "true") "," SUITE("A", "recommended", "true")) "}",
               false, false, 1, VERDICT_FAIL, "TLSv1.2: the server prefers C over stronger suites");
    expect_ctx("9.1.2 fail client order mixed", "9.1.2",
               "{" V12 "," CIPHERS("TLSv1.2", "false", "true", SUITE("A", "recommended", "true") "," SUITE("C", "acceptable", "true")) "}",
               false, false, 1, VERDICT_FAIL,
               "TLSv1.2: the client's order decides, and suites of different strength are accepted");
    expect_ctx("9.1.2 error: order unknown between suites of different strength", "9.1.2",
               "{" V12 "," CIPHERS("TLSv1.2", "null", "true", SUITE("A", "recommended", "true") "," SUITE("C", "acceptable", "true")) "}",
               false, false, 1, VERDICT_ERROR,
               "TLSv1.2: whether the server or the client picks among suites of different strength is undetermined");
    expect_ctx("12.1.2 level 3 wants forward secrecy", "12.1.2",
               "{" V13 "," CIPHERS("TLSv1.3", "null", "true", SUITE("A", "recommended", "false")) "}",
               false, false, 3, VERDICT_FAIL, "1 suite(s) without forward secrecy (required at level 3)");

    expect("12.1.4 pass valid staple", "12.1.4",
           "{\"certificate\":{\"status\":\"ok\",\"ocsp_staple\":{\"verdict\":\"valid\",\"cert_status\":\"good\","
           "\"responder\":\"issuer\",\"next_update\":\"2027-01-01T00:00:00Z\"},\"revocation\":{\"result\":\"good\"}}}",
           VERDICT_PASS, "valid OCSP staple (good, issuer responder, next update 2027-01-01T00:00:00Z)");
    expect("12.1.4 fail no staple, must-staple", "12.1.4",
           "{\"certificate\":{\"status\":\"ok\",\"ocsp_staple\":{\"verdict\":\"none\"},\"leaf\":{\"must_staple\":true},"
           "\"revocation\":{\"result\":\"good\"}}}",
           VERDICT_FAIL, "no OCSP staple although the certificate requires one (must-staple); revocation check: good");
    expect("12.1.4 fail revoked via CRL", "12.1.4",
           "{\"certificate\":{\"status\":\"ok\",\"ocsp_staple\":{\"verdict\":\"none\"},"
           "\"revocation\":{\"result\":\"revoked\",\"method\":\"crl\"}}}",
           VERDICT_FAIL, "certificate revoked (CRL)");
    expect("12.1.4 error: staple not judged", "12.1.4",
           "{\"certificate\":{\"status\":\"ok\",\"ocsp_staple\":{\"present\":true,\"verdict\":null}}}",
           VERDICT_ERROR, "the OCSP staple was not judged");

    expect("12.2.1 fail cleartext content", "12.2.1",
           "{\"http\":{\"status\":\"ok\",\"applicable\":true,\"cleartext\":{\"port\":80,\"listening\":true,"
           "\"upgrades\":false,\"chain\":[{\"url\":\"http://a.test/\",\"status\":200}]}}}",
           VERDICT_FAIL, "cleartext HTTP on port 80 does not upgrade to HTTPS (http://a.test/: 200)");
    expect("12.2.1 fail without a cleartext listener, no HSTS", "12.2.1",
           "{\"http\":{\"status\":\"ok\",\"applicable\":true,\"cleartext\":{\"port\":80,\"listening\":false},"
           "\"https\":{\"hsts\":{\"present\":false}}}}",
           VERDICT_FAIL, "no cleartext HTTP listener on port 80, but there is no Strict-Transport-Security header "
           "(HTTPS responses need HSTS with max-age >= 31536000)");
    expect("12.2.1 fail redirect without HSTS", "12.2.1",
           "{\"http\":{\"status\":\"ok\",\"applicable\":true,\"cleartext\":{\"port\":80,\"listening\":true,\"upgrades\":true},"
           "\"https\":{\"hsts\":{\"present\":false}}}}",
           VERDICT_FAIL, "cleartext HTTP redirects to HTTPS but there is no Strict-Transport-Security header: the redirect can be stripped");
    expect("12.2.1 pass", "12.2.1",
           "{\"http\":{\"status\":\"ok\",\"applicable\":true,\"cleartext\":{\"port\":80,\"listening\":true,"
           "\"upgrades\":true},\"tls\":true,\"https\":{\"hsts\":{\"present\":true,\"valid\":true,\"max_age\":63072000}},"
           "\"cleartext_on_tls_port\":{\"serves_content\":false}}}",
           VERDICT_PASS, "cleartext HTTP on port 80 redirects to HTTPS; HSTS max-age=63072000");
    expect("12.2.1 manual when not probed", "12.2.1", "{}", VERDICT_MANUAL, "cleartext HTTP fallback was not probed");

    expect_ctx("12.3.1 fail auth before STARTTLS", "12.3.1",
               "{\"starttls\":{\"status\":\"ok\",\"applicable\":true,\"protocol\":\"smtp\",\"starttls_offered\":true,"
               "\"auth_before_starttls\":true}}", false, false, 2, VERDICT_FAIL, "smtp offers authentication before STARTTLS");
    expect_ctx("12.3.1 fail plaintext postgres", "12.3.1",
               "{\"starttls\":{\"status\":\"ok\",\"applicable\":true,\"protocol\":\"postgres\",\"starttls_offered\":true,"
               "\"plaintext_accepted\":true}}", false, false, 2, VERDICT_FAIL, "postgres accepts clients without TLS");

    /* Implicit TLS passes on TLS seen, never on the scheme alone (a cleartext greeter on smtps://). */
#define IMPLICIT "\"starttls\":{\"status\":\"ok\",\"applicable\":true,\"protocol\":\"smtp\",\"implicit_tls\":true}"
    expect_ctx("12.3.1 implicit TLS with TLS 1.2 accepted passes", "12.3.1",
               "{" IMPLICIT ",\"versions\":" VERSIONS_OBJ("false", "false", "false", "false", "true", "false", "\"TLSv1.2\"") "}",
               false, false, 2, VERDICT_PASS, "implicit TLS (smtp): TLSv1.2 accepted");
    expect_ctx("12.3.1 implicit TLS, every version refused: fail", "12.3.1",
               "{" IMPLICIT ",\"versions\":" VERSIONS_OBJ("false", "false", "false", "false", "false", "false", "null") "}",
               false, false, 2, VERDICT_FAIL, "implicit TLS (smtp) expected, but the port accepts no TLS version");
    expect_ctx("12.3.1 implicit TLS, versions undetermined (a cleartext greeter): error", "12.3.1",
               "{" IMPLICIT ",\"versions\":" VERSIONS_OBJ("null", "null", "null", "null", "null", "null", "null") "}",
               false, false, 2, VERDICT_ERROR,
               "implicit TLS (smtp) expected, but no TLS version was seen accepted (some undetermined)");
    expect_ctx("12.3.1 implicit TLS without versions facts: error", "12.3.1", "{" IMPLICIT "}", false, false, 2,
               VERDICT_ERROR, "versions probe did not run");
#undef IMPLICIT

    expect_ctx("12.3.1 manual: LDAP cannot show logins before STARTTLS", "12.3.1",
               "{\"starttls\":{\"status\":\"ok\",\"applicable\":true,\"protocol\":\"ldap\",\"implicit_tls\":false,"
               "\"starttls_offered\":true,\"auth_before_starttls\":null,\"error\":null}}", false, false, 2, VERDICT_MANUAL,
               "ldap: whether authentication is refused before STARTTLS cannot be seen in the cleartext dialogue; check the "
               "server's configuration");
    expect_ctx("12.3.1 error: SMTP capabilities unread", "12.3.1",
               "{\"starttls\":{\"status\":\"ok\",\"applicable\":true,\"protocol\":\"smtp\",\"starttls_offered\":null,"
               "\"auth_before_starttls\":null,\"error\":\"EHLO: timeout\"}}", false, false, 2, VERDICT_ERROR,
               "smtp: whether STARTTLS is offered is unknown: EHLO: timeout");
    expect_ctx("9.2.2 manual: MySQL plaintext login undecided", "9.2.2",
               "{\"starttls\":{\"status\":\"ok\",\"applicable\":true,\"protocol\":\"mysql\",\"starttls_offered\":true,"
               "\"plaintext_accepted\":null,\"plaintext_reply\":\"1045 Access denied\"}}", false, false, 2, VERDICT_MANUAL,
               "mysql: whether clients without TLS are refused cannot be seen in the cleartext dialogue; check the server's "
               "configuration (the server answered: 1045 Access denied)");
    expect_ctx("9.2.2 pass: postgres refuses plaintext", "9.2.2",
               "{\"starttls\":{\"status\":\"ok\",\"applicable\":true,\"protocol\":\"postgres\",\"starttls_offered\":true,"
               "\"auth_before_starttls\":null,\"plaintext_accepted\":false}}", false, false, 2, VERDICT_PASS,
               "postgres refuses clients without TLS");
    expect_ctx("12.1.3 error: untrusted certificate outcome unknown", "12.1.3",
               "{\"mtls\":{\"status\":\"ok\",\"requested\":true,\"required\":false,\"accepts_untrusted\":null,"
               "\"by_version\":{\"TLSv1.3\":{\"untrusted_evidence\":\"self-signed certificate: connection reset\"}}}}",
               false, false, 2, VERDICT_ERROR,
               "whether the server rejects an untrusted client certificate is undetermined: self-signed certificate: connection reset");
    expect_ctx("12.3.5 fail optional client certificates", "12.3.5",
               "{\"mtls\":{\"status\":\"ok\",\"requested\":true,\"required\":false,\"accepts_untrusted\":false}}",
               true, false, 3, VERDICT_FAIL, "client certificates are optional");
    expect_ctx("12.1.3 fail accepts untrusted", "12.1.3",
               "{\"mtls\":{\"status\":\"ok\",\"requested\":true,\"required\":false,\"accepts_untrusted\":true}}",
               false, false, 2, VERDICT_FAIL, "the server accepts an untrusted, self-signed client certificate");
    expect_ctx("12.1.3 n/a when not requested", "12.1.3", "{\"mtls\":{\"status\":\"ok\",\"requested\":false}}",
               false, false, 2, VERDICT_NOT_APPLICABLE, "the server does not request client certificates");
    expect_ctx("12.1.3 fail when expected but not requested", "12.1.3", "{\"mtls\":{\"status\":\"ok\",\"requested\":false}}",
               false, true, 2, VERDICT_FAIL, "the server does not request client certificates");
    expect_ctx("12.3.5 pass internal required", "12.3.5",
               "{\"mtls\":{\"status\":\"ok\",\"requested\":true,\"required\":true,\"accepts_untrusted\":false}}",
               true, false, 3, VERDICT_PASS, "client certificates required and validated");
    expect("12.3.2 manual", "12.3.2", "{}", VERDICT_MANUAL,
           "a network probe cannot observe how the application's own TLS clients validate certificates");
    expect("9.2.5 manual", "9.2.5", "{}", VERDICT_MANUAL, "a network probe cannot observe whether backend TLS failures are logged");

    score_not_selected();

    /* The catalogue as generated: each id found as itself, with its texts and its rule. */
    int whole = requirements_count > 0;
    for (size_t i = 0; i < requirements_count; i++) {
        const requirement_t *r = &requirements[i];
        whole &= requirement_by_id(r->id) == r && r->rule && r->level >= 1 && r->level <= 3 && r->title[0] &&
                 r->text[0] && r->how[0];
    }
    check(whole, "catalogue: every requirement found by its id, with level, texts and rule", "incomplete row");
    FILE *null = fopen("/dev/null", "w");
    check(scoring_explain(null, "12.1.2") == 0 && scoring_explain(null, "V9.2.5") == 0 && scoring_explain(null, "1.2.3") == -1,
          "explain known and unknown ids", "wrong");
    fclose(null);
    return failures ? 1 : 0;
}
