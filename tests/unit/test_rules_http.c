/* The HTTP rules (12.2.1 external, 12.3.3 internal, 12.3.1 / 9.1.1 / 9.2.2 no cleartext) on
 * hand-written http facts: each failure, each unknown (never PASS), the passes; and
 * http_printable, which makes the server's strings safe for every report. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "http_fetch.h"
#include "scoring.h"

static int failures;

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

static void expect_at(const char *name, const char *id, bool internal, const char *facts_json, verdict_t want,
                      const char *want_evidence)
{
    json_object *facts = json_tokener_parse(facts_json);
    target_t t = { .host = "a.test", .port = 443, .internal = internal };
    rule_ctx_t ctx = { .facts = facts, .target = &t, .level = 3 };
    char ev[768] = "", detail[1800];
    const requirement_t *r = requirement_by_id(id);
    verdict_t got = r ? r->rule(&ctx, ev, sizeof ev) : VERDICT_ERROR;
    snprintf(detail, sizeof detail, "got %s '%s', want %s '%s'%s", verdict_name(got), ev, verdict_name(want),
             want_evidence, facts ? "" : " (facts do not parse)");
    check(facts && r && got == want && strcmp(ev, want_evidence) == 0, name, detail);
    json_object_put(facts);
}

static void expect(const char *name, const char *id, const char *facts_json, verdict_t want, const char *want_evidence)
{
    expect_at(name, id, false, facts_json, want, want_evidence);
}

/* The http facts of an endpoint, piece by piece. */
#define HTTP(tls, https, clear, on_tls)                                                                  \
    "{\"http\":{\"status\":\"ok\",\"applicable\":true,\"detected\":false,\"tls\":" tls ",\"https\":" https \
    ",\"cleartext\":" clear ",\"cleartext_on_tls_port\":" on_tls "}}"
#define HSTS(present, valid, max_age, raw, err)                                                         \
    "{\"status\":200,\"error\":null,\"hsts\":{\"present\":" present ",\"valid\":" valid ",\"max_age\":" max_age \
    ",\"raw\":" raw ",\"error\":" err "}}"
#define HTTPS_1Y HSTS("true", "true", "31536000", "\"max-age=31536000\"", "null")
#define HTTPS_NONE(why) "{\"status\":null,\"error\":\"" why "\",\"hsts\":null}"
#define CLEAR(listening, upgrades, not_followed, err)                                                   \
    "{\"port\":80,\"listening\":" listening ",\"upgrades\":" upgrades ",\"chain\":[],\"not_followed\":" not_followed \
    ",\"error\":" err "}"
#define CLEAR_UPGRADES CLEAR("true", "true", "null", "null")
#define CLEAR_NONE CLEAR("false", "null", "null", "\"no listener on port 80: connection refused\"")
#define CLEAR_CONTENT                                                                                     \
    "{\"port\":80,\"listening\":true,\"upgrades\":false,\"not_followed\":null,\"error\":\"served over cleartext\"," \
    "\"chain\":[{\"url\":\"http://a.test/\",\"status\":200,\"location\":null}]}"
#define ON_TLS(status, line, content, err)                                                              \
    "{\"status\":" status ",\"status_line\":" line ",\"serves_content\":" content ",\"error\":" err "}"
#define ON_TLS_400 ON_TLS("400", "\"HTTP/1.1 400 Bad Request\"", "false", "null")
#define ON_TLS_200 ON_TLS("200", "\"HTTP/1.1 200 OK\"", "true", "null")

static void passes(void)
{
    expect("12.2.1 pass: redirect and HSTS one year", "12.2.1", HTTP("true", HTTPS_1Y, CLEAR_UPGRADES, ON_TLS_400),
           VERDICT_PASS, "cleartext HTTP on port 80 redirects to HTTPS; HSTS max-age=31536000");
    expect("12.2.1 pass: no listener and HSTS", "12.2.1", HTTP("true", HTTPS_1Y, CLEAR_NONE, ON_TLS_400),
           VERDICT_PASS, "no cleartext HTTP listener on port 80; HSTS max-age=31536000");
    expect_at("12.3.3 pass without HSTS (internal: not asked for)", "12.3.3", true,
              HTTP("true", HSTS("false", "null", "null", "null", "null"), CLEAR_UPGRADES, ON_TLS_400),
              VERDICT_PASS, "cleartext HTTP on port 80 redirects to HTTPS");
    expect_at("12.3.3 pass with HTTPS unanswered (HSTS not needed)", "12.3.3", true,
              HTTP("true", HTTPS_NONE("no response within 3 s"), CLEAR_NONE, ON_TLS_400),
              VERDICT_PASS, "no cleartext HTTP listener on port 80");
    expect("9.1.1 pass without HSTS", "9.1.1", HTTP("true", HSTS("false", "null", "null", "null", "null"), CLEAR_NONE, ON_TLS_400),
           VERDICT_PASS, "no cleartext HTTP listener on port 80");
}

static void fails(void)
{
    expect("12.2.1 fail: no TLS, cleartext HTTP on the port", "12.2.1",
           HTTP("false", HTTPS_NONE("no TLS version accepted"), CLEAR_NONE, ON_TLS_200), VERDICT_FAIL,
           "cleartext HTTP served on port 443, no TLS (HTTP/1.1 200 OK)");
    expect("9.1.1 fail: no TLS, a cleartext redirect on the port", "9.1.1",
           HTTP("false", HTTPS_NONE("no TLS version accepted"), CLEAR_NONE,
                ON_TLS("301", "\"HTTP/1.1 301 Moved Permanently\"", "false", "null")),
           VERDICT_FAIL, "cleartext HTTP served on port 443, no TLS (HTTP/1.1 301 Moved Permanently)");
    expect_at("12.3.3 fail: no TLS", "12.3.3", true,
              HTTP("false", HTTPS_NONE("no TLS version accepted"), CLEAR_NONE, ON_TLS_200), VERDICT_FAIL,
              "cleartext HTTP served on port 443, no TLS (HTTP/1.1 200 OK)");
    expect("12.2.1 fail: content in clear and no HSTS, both said", "12.2.1",
           HTTP("true", HSTS("false", "null", "null", "null", "null"), CLEAR_CONTENT, ON_TLS_400), VERDICT_FAIL,
           "cleartext HTTP on port 80 does not upgrade to HTTPS (http://a.test/: 200); there is no "
           "Strict-Transport-Security header (HTTPS responses need HSTS with max-age >= 31536000)");
    expect("12.2.1 fail: content on the TLS port", "12.2.1", HTTP("true", HTTPS_1Y, CLEAR_NONE, ON_TLS_200),
           VERDICT_FAIL, "cleartext HTTP served on the TLS port (status 200)");
    expect("12.2.1 fail: max-age a second under a year", "12.2.1",
           HTTP("true", HSTS("true", "true", "31535999", "\"max-age=31535999\"", "null"), CLEAR_UPGRADES, ON_TLS_400),
           VERDICT_FAIL, "cleartext HTTP redirects to HTTPS but HSTS max-age=31535999 is under one year: the redirect can be stripped");
    expect("12.2.1 fail: malformed HSTS, no listener", "12.2.1",
           HTTP("true", HSTS("true", "false", "null", "\"max-age=abc\"", "\"max-age value 'abc' is not a number of seconds\""),
                CLEAR_NONE, ON_TLS_400),
           VERDICT_FAIL, "no cleartext HTTP listener on port 80, but the Strict-Transport-Security header is malformed "
           "(max-age=abc: max-age value 'abc' is not a number of seconds) (HTTPS responses need HSTS with max-age >= 31536000)");
    expect("12.2.1 fail: max-age=0 (HSTS switched off)", "12.2.1",
           HTTP("true", HSTS("true", "true", "0", "\"max-age=0\"", "null"), CLEAR_NONE, ON_TLS_400), VERDICT_FAIL,
           "no cleartext HTTP listener on port 80, but HSTS max-age=0 is under one year (HTTPS responses need HSTS with "
           "max-age >= 31536000)");
    expect("12.2.1 fail stands whatever else is unknown", "12.2.1",
           HTTP("true", HTTPS_NONE("no response within 3 s"), CLEAR_CONTENT, ON_TLS("null", "null", "null", "null")),
           VERDICT_FAIL, "cleartext HTTP on port 80 does not upgrade to HTTPS (http://a.test/: 200)");
}

/* Every deciding fact unknown in turn: never PASS, the reason in the evidence. */
static void unknowns(void)
{
    expect("12.2.1 error: HSTS not observed", "12.2.1",
           HTTP("true", HTTPS_NONE("no response within 3 s"), CLEAR_UPGRADES, ON_TLS_400), VERDICT_ERROR,
           "HSTS not observed: no response within 3 s");
    expect("12.2.1 manual: connection to the cleartext port neither refused nor accepted", "12.2.1",
           HTTP("true", HTTPS_1Y, CLEAR("null", "null", "null", "\"port 80: no connection within 3 s (filtered, or too slow to accept)\""),
                ON_TLS_400),
           VERDICT_MANUAL, "cleartext HTTP on port 80 unknown: port 80: no connection within 3 s (filtered, or too slow to accept)");
    expect("12.2.1 manual: cleartext redirect to another host, not followed", "12.2.1",
           HTTP("true", HTTPS_1Y, CLEAR("true", "null", "\"http://www.a.test/\"", "\"redirect over cleartext to another host\""),
                ON_TLS_400),
           VERDICT_MANUAL, "cleartext HTTP on port 80 redirects to http://www.a.test/, another host tlsprobe does not "
           "contact: check that it leads to https://");
    expect("12.2.1 error: listener that never answers", "12.2.1",
           HTTP("true", HTTPS_1Y, CLEAR("true", "null", "null", "\"http://a.test/: no response within 3 s\""), ON_TLS_400),
           VERDICT_ERROR, "cleartext HTTP on port 80, upgrade to HTTPS unknown: http://a.test/: no response within 3 s");
    expect("9.1.1 error: listener that answers garbage", "9.1.1",
           HTTP("true", HTTPS_1Y, CLEAR("true", "null", "null", "\"http://a.test/: the answer is not HTTP\""), ON_TLS_400),
           VERDICT_ERROR, "cleartext HTTP on port 80, upgrade to HTTPS unknown: http://a.test/: the answer is not HTTP");
    expect_at("12.3.3 error: upgrades missing", "12.3.3", true,
              HTTP("true", HTTPS_1Y, "{\"port\":80,\"listening\":true}", ON_TLS_400), VERDICT_ERROR,
              "cleartext HTTP on port 80, upgrade to HTTPS unknown: unknown");
    expect("12.2.1 error: the TLS port's cleartext answer unknown", "12.2.1",
           HTTP("true", HTTPS_1Y, CLEAR_UPGRADES, ON_TLS("null", "null", "null", "\"no response within 3 s\"")),
           VERDICT_ERROR, "cleartext request to the TLS port: no response within 3 s");
    expect("9.1.1 error: no TLS and no HTTP answer in clear", "9.1.1",
           HTTP("false", HTTPS_NONE("no TLS version accepted"), CLEAR_NONE,
                ON_TLS("null", "null", "false", "\"the answer is not HTTP\"")),
           VERDICT_ERROR, "no TLS version accepted, and no HTTP answer in cleartext (the answer is not HTTP)");
    expect("9.1.1 error: TLS unknown", "9.1.1",
           HTTP("null", HTTPS_NONE("no response within 3 s"), CLEAR_NONE, ON_TLS_400), VERDICT_ERROR,
           "whether the port speaks TLS is unknown, and no HTTP answer in cleartext (no response within 3 s)");
    expect("12.2.1 error: cleartext facts missing", "12.2.1",
           "{\"http\":{\"status\":\"ok\",\"applicable\":true,\"tls\":true,\"https\":" HTTPS_1Y ",\"cleartext_on_tls_port\":" ON_TLS_400 "}}",
           VERDICT_ERROR, "cleartext HTTP on the http port was not checked");
    expect("12.2.1 error: the probe failed", "12.2.1", "{\"http\":{\"status\":\"error\",\"error\":\"boom\"}}",
           VERDICT_ERROR, "http probe failed: boom");
    expect("12.2.1 manual: not probed", "12.2.1", "{}", VERDICT_MANUAL, "cleartext HTTP fallback was not probed");
    expect("12.2.1 n/a: not an HTTP service", "12.2.1",
           "{\"http\":{\"status\":\"ok\",\"applicable\":false,\"reason\":\"the TLS port does not answer HTTP\"}}",
           VERDICT_NOT_APPLICABLE, "not an HTTP service");
}

static void printable(const char *in, size_t cap, const char *want)
{
    char out[64];
    http_printable(out, cap, in);
    char detail[200];
    snprintf(detail, sizeof detail, "got '%s', want '%s'", out, want);
    check(strcmp(out, want) == 0, want, detail);
}

int main(void)
{
    passes();
    fails();
    unknowns();
    printable("HTTP/1.1 200 OK", 64, "HTTP/1.1 200 OK");
    printable("a\x1b[2J\xff\\b", 64, "a\\x1b[2J\\xff\\x5cb");
    printable("ab\x01" "cd", 6, "ab");   /* an escape that does not fit is left out whole */
    printable("abcdef", 4, "abc");
    return failures ? 1 : 0;
}
