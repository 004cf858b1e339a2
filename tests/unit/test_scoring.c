/* Scoring rules on hand-written facts: each verdict and its evidence line. */
#include <stdio.h>
#include <string.h>

#include "scoring.h"

static int failures;

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

static const requirement_t *req(const char *id)
{
    for (size_t i = 0; i < requirements_count; i++)
        if (strcmp(requirements[i].id, id) == 0)
            return &requirements[i];
    return NULL;
}

static void expect(const char *name, const char *id, const char *facts_json, verdict_t want,
                   const char *want_evidence)
{
    json_object *facts = json_tokener_parse(facts_json);
    char ev[512] = "", detail[1024];
    verdict_t got = req(id)->rule(facts, ev, sizeof ev);
    snprintf(detail, sizeof detail, "got %s '%s', want %s '%s'", verdict_name(got), ev,
             verdict_name(want), want_evidence);
    check(got == want && strcmp(ev, want_evidence) == 0, name, detail);
    json_object_put(facts);
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
           VERDICT_PASS, "chain trusted by system and valid for 'a.test'; leaf CN=a");
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
    return failures ? 1 : 0;
}
