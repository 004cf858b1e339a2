/* known_hello and the handshake options it shapes: the suites the versions probe saw picked
 * (IANA names and hex codes, per version, SSLv2 and refused versions left out), the options a
 * learned shape cuts, and how many codes OpenSSL's hello carries (what the hello limit is
 * compared with). No network. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "known_hello.h"
#include "wire.h"

static int failures;

static void check(int cond, const char *name)
{
    printf("%s - %s\n", cond ? "ok" : "not ok", name);
    failures += !cond;
}

static const char VERSIONS_FACTS[] =
    "{ \"status\": \"ok\", \"accepted\": [\"TLSv1.0\", \"TLSv1.2\", \"TLSv1.3\"],"
    "  \"preferred\": \"TLSv1.2\", \"preferred_cipher\": \"TLS_RSA_WITH_AES_128_GCM_SHA256\","
    "  \"protocols\": ["
    "    { \"name\": \"SSLv2\", \"accepted\": true, \"cipher\": \"SSL_CK_RC4_128_WITH_MD5\" },"
    "    { \"name\": \"SSLv3\", \"accepted\": false, \"result\": \"closed\" },"
    "    { \"name\": \"TLSv1.0\", \"accepted\": true, \"cipher\": \"0xfefe\" },"
    "    { \"name\": \"TLSv1.1\", \"accepted\": null, \"cipher\": \"TLS_RSA_WITH_AES_128_CBC_SHA\" },"
    "    { \"name\": \"TLSv1.2\", \"accepted\": true, \"cipher\": \"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\" },"
    "    { \"name\": \"TLSv1.3\", \"accepted\": true, \"cipher\": \"TLS_AES_256_GCM_SHA384\" } ] }";

static void test_picks(void)
{
    endpoint_t ep;
    memset(&ep, 0, sizeof ep);
    pthread_mutex_init(&ep.lock, NULL);
    ep.facts = json_object_new_object();
    known_hello_t k;
    known_hello_load(&ep, &k);
    check(k.npicks == 0 && k.shape.level == HELLO_EXT_FULL, "no versions facts: nothing known");

    json_object_object_add(ep.facts, "versions", json_tokener_parse(VERSIONS_FACTS));
    known_hello_load(&ep, &k);
    uint16_t out[8];
    size_t n = known_hello_picks(&k, WIRE_TLS12, out, 8);
    check(n == 2 && out[0] == 0xC030 && out[1] == 0x009C, "TLS 1.2: its pick, then the preferred suite");
    n = known_hello_picks(&k, WIRE_TLS13, out, 8);
    check(n == 1 && out[0] == 0x1302, "TLS 1.3: its pick");
    n = known_hello_picks(&k, WIRE_TLS10, out, 8);
    check(n == 1 && out[0] == 0xFEFE, "a suite the registry does not name, by its code");
    check(known_hello_picks(&k, WIRE_TLS11, out, 8) == 0, "a version not accepted has no pick");
    check(known_hello_picks(&k, WIRE_SSL2, out, 8) == 0, "SSLv2 kinds are no suites");
    check(k.npicks == 4, "four picks in all");
    json_object_put(ep.facts);
    pthread_mutex_destroy(&ep.lock);
}

static void test_shape_options(void)
{
    known_hello_t k;
    memset(&k, 0, sizeof k);
    hello_shape_init(&k.shape);
    tls_hs_options_t o = { .request_ocsp = true, .alpn = "h2" };
    known_hs_shape(&k, &o);
    check(!o.groups && !o.sigalgs && !o.no_padding && o.request_ocsp && o.max_version == 0,
          "full shape: nothing cut");

    k.shape.level = HELLO_EXT_COMPACT;
    o = (tls_hs_options_t){ .sigalgs = "ECDSA+SHA256" };
    known_hs_shape(&k, &o);
    check(o.groups && strcmp(o.sigalgs, "ECDSA+SHA256") == 0 && !o.no_padding,
          "compact: fewer groups, the caller's signature schemes kept");

    k.shape.level = HELLO_EXT_KNOWN;
    o = (tls_hs_options_t){ .request_ocsp = true, .alpn = "h2" };
    known_hs_shape(&k, &o);
    check(o.no_padding && o.no_ticket && o.no_etm_ems && !o.request_ocsp && !o.alpn &&
              o.max_version == TLS1_2_VERSION,
          "old extensions only: no padding, ticket, ETM, EMS, status_request, ALPN; TLS 1.2 at most");
    o = (tls_hs_options_t){ .min_version = TLS1_3_VERSION, .max_version = TLS1_3_VERSION };
    known_hs_shape(&k, &o);
    check(o.max_version == TLS1_3_VERSION && o.no_padding, "a TLS 1.3 handshake stays TLS 1.3");
}

static void test_offered_codes(void)
{
    tls_hs_options_t o = { .min_version = TLS1_2_VERSION, .max_version = TLS1_2_VERSION,
                           .ciphers = "ECDHE-RSA-AES256-GCM-SHA384:AES128-GCM-SHA256" };
    check(tls_hs_offered_codes(&o) == 3, "two suites and the SCSV");
    o = (tls_hs_options_t){ .min_version = TLS1_3_VERSION, .max_version = TLS1_3_VERSION };
    check(tls_hs_offered_codes(&o) == 6, "TLS 1.3 only: OpenSSL's five suites and the SCSV");
    o = (tls_hs_options_t){ .ciphers = "ALL:COMPLEMENTOFALL:!aNULL:@SECLEVEL=0" };
    int full = tls_hs_offered_codes(&o);
    check(full > 64 && full < 128, "the certificate probe's full list: more than 64 codes, fewer than 128");
    o = (tls_hs_options_t){ .ciphers = "NO-SUCH-SUITE" };
    check(tls_hs_offered_codes(&o) == -1, "an unusable list: -1");
}

int main(void)
{
    test_picks();
    test_shape_options();
    test_offered_codes();
    return failures ? 1 : 0;
}
