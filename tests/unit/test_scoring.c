/* Scoring rules on hand-written facts: each verdict and its evidence line. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

#define PROTO(n, a) "{\"name\":\"" n "\",\"accepted\":" a "}"
#define VERSIONS(ssl2, ssl3, t10, t11, t12, t13, pref)                                            \
    "{\"versions\":{\"status\":\"ok\",\"protocols\":[" PROTO("SSLv2", ssl2) "," PROTO("SSLv3", ssl3) \
    "," PROTO("TLSv1.0", t10) "," PROTO("TLSv1.1", t11) "," PROTO("TLSv1.2", t12) ","              \
    PROTO("TLSv1.3", t13) "],\"preferred\":" pref "}}"

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
           VERDICT_FAIL, "SSLv3 accepted; TLSv1.0 accepted: TLS_RSA_WITH_AES_128_CBC_SHA");
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
           "\"trust\":{\"store\":\"system\",\"verified\":true},"
           "\"name\":{\"checked\":\"a.test\",\"matched\":true}}}",
           VERDICT_PASS, "chain trusted by system and valid for 'a.test'");
    expect("12.2.2 fail expired", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\"}],"
           "\"trust\":{\"store\":\"file:/ca.pem\",\"verified\":false,\"error\":\"certificate has expired\"},"
           "\"name\":{\"checked\":\"a.test\",\"matched\":true}}}",
           VERDICT_FAIL, "chain not trusted by file:/ca.pem: certificate has expired");
    expect("12.2.2 fail name", "12.2.2",
           "{\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\",\"san\":[\"DNS:wrong.example\"]}],"
           "\"trust\":{\"store\":\"system\",\"verified\":true},"
           "\"name\":{\"checked\":\"localhost\",\"matched\":false}}}",
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
           "\"pin\":{\"matched\":false}},\"name\":{\"checked\":\"a.test\",\"matched\":true}}}",
           VERDICT_FAIL, "no certificate of the chain matches the configured pin-sha256");
    expect_ctx("12.2.2 not applicable internally", "12.2.2", "{}", true, false, 1, VERDICT_NOT_APPLICABLE,
               "internal service (exposure: internal): see 12.3.4");
    expect_ctx("12.3.4 pass internal CA", "12.3.4",
               "{\"certificate\":{\"status\":\"ok\",\"trust\":{\"store\":\"file:/int.pem\",\"verified\":true,"
               "\"anchor\":\"CN=int\"},\"name\":{\"checked\":\"a.test\",\"matched\":true}}}",
               true, false, 2, VERDICT_PASS,
               "chain trusted by file:/int.pem (anchor CN=int) and valid for 'a.test'; no internal CA (ca:) or pin "
               "given: trusted through the run's store");

#define SUITE(n, c, fs) "{\"name\":\"" n "\",\"class\":\"" c "\",\"why\":\"w\",\"forward_secrecy\":" fs "}"
    expect_ctx("12.1.2 pass all recommended", "12.1.2",
               "{\"ciphers\":{\"status\":\"ok\",\"forward_secrecy\":\"all\",\"protocols\":[{\"name\":\"TLSv1.2\","
               "\"server_order\":false,\"suites\":[" SUITE("A", "recommended", "true") "," SUITE("B", "recommended", "true") "]}]}}",
               false, false, 2, VERDICT_PASS, "2 suites accepted, all recommended; forward secrecy: all");
    expect_ctx("12.1.2 fail weak suite", "12.1.2",
               "{\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.2\",\"server_order\":true,"
               "\"suites\":[" SUITE("A", "recommended", "true") "," SUITE("B", "weak", "false") "]}]}}",
               false, false, 2, VERDICT_FAIL, "TLSv1.2 B (weak: w)");
    expect_ctx("9.1.2 fail server prefers acceptable", "9.1.2",
               "{\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.2\",\"server_order\":true,"
               "\"suites\":[" SUITE("C", "acceptable", "true") "," SUITE("A", "recommended", "true") "]}]}}",
               false, false, 1, VERDICT_FAIL, "TLSv1.2: the server prefers C over stronger suites");
    expect_ctx("9.1.2 fail client order mixed", "9.1.2",
               "{\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.2\",\"server_order\":false,"
               "\"suites\":[" SUITE("A", "recommended", "true") "," SUITE("C", "acceptable", "true") "]}]}}",
               false, false, 1, VERDICT_FAIL,
               "TLSv1.2: the client's order decides, and suites of different strength are accepted");
    expect_ctx("12.1.2 level 3 wants forward secrecy", "12.1.2",
               "{\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.3\",\"server_order\":null,"
               "\"suites\":[" SUITE("A", "recommended", "false") "]}]}}",
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
           VERDICT_FAIL, "certificate revoked (crl)");

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

    /* Every requirement of both standards has a rule and its text. */
    const char *ids[] = { "12.1.1", "12.1.2", "12.1.3", "12.1.4", "12.1.5", "12.2.1", "12.2.2", "12.3.1", "12.3.2",
                          "12.3.3", "12.3.4", "12.3.5", "9.1.1", "9.1.2", "9.1.3", "9.2.1", "9.2.2", "9.2.3", "9.2.4",
                          "9.2.5" };
    int all = 1;
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        all &= requirement_by_id(ids[i]) != NULL;
    check(all && requirements_count == 20, "catalogue: 20 requirements", "missing");
    FILE *null = fopen("/dev/null", "w");
    check(scoring_explain(null, "12.1.2") == 0 && scoring_explain(null, "V9.2.5") == 0 && scoring_explain(null, "1.2.3") == -1,
          "explain known and unknown ids", "wrong");
    fclose(null);
    return failures ? 1 : 0;
}
