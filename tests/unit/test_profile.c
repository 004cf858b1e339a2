/* Mozilla profile checks on hand-written facts: the exact deviations, in order. */
#include <stdio.h>
#include <string.h>

#include "profile.h"

static int failures;

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

/* Deviations as "check=found" (with "!" for advisory), joined by "; ". */
static void summarize(json_object *r, char *out, size_t cap)
{
    json_object *devs;
    out[0] = '\0';
    if (!r || !json_object_object_get_ex(r, "deviations", &devs))
        return;
    size_t n = 0;
    for (size_t i = 0; i < json_object_array_length(devs); i++) {
        json_object *d = json_object_array_get_idx(devs, i), *c, *f, *a;
        json_object_object_get_ex(d, "check", &c);
        json_object_object_get_ex(d, "found", &f);
        bool advisory = json_object_object_get_ex(d, "advisory", &a) && json_object_get_boolean(a);
        int w = snprintf(out + n, cap - n, "%s%s=%s%s", n ? "; " : "", json_object_get_string(c),
                         json_object_get_string(f), advisory ? "!" : "");
        if (w < 0 || (size_t)w >= cap - n)
            return;
        n += (size_t)w;
    }
}

static json_object *field(json_object *o, const char *k)
{
    json_object *v = NULL;
    json_object_object_get_ex(o, k, &v);
    return v;
}

static void expect(const char *name, const char *profile, const char *facts_json, int compliant, const char *want)
{
    json_object *facts = json_tokener_parse(facts_json);
    json_object *r = facts ? profile_check(facts, profile) : NULL;
    char got[4096], detail[8400];
    summarize(r, got, sizeof got);
    int c = r ? json_object_get_boolean(field(r, "compliant")) : -1;
    snprintf(detail, sizeof detail, "compliant %d (want %d), deviations '%s', want '%s'%s", c, compliant, got, want,
             facts ? "" : " (facts do not parse)");
    check(r && c == compliant && strcmp(got, want) == 0, name, detail);
    json_object_put(r);
    json_object_put(facts);
}

#define SUITE(n) "{\"name\":\"" n "\"}"
#define LEAF(type, bits, curve, sig, days)                                                                \
    "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\",\"key_type\":\"" type "\","      \
    "\"key_bits\":" #bits ",\"curve\":" curve ",\"signature_algorithm\":\"" sig "\",\"sha256\":\"aa\"}],"  \
    "\"trust\":{\"store\":\"system\",\"verified\":true},\"name\":{\"checked\":\"a.test\",\"matched\":true}," \
    "\"leaf\":{\"validity_days\":" #days "},\"ocsp_stapled\":true}"
#define ECDSA_LEAF LEAF("EC", 256, "\"prime256v1\"", "ecdsa-with-SHA256", 90)
#define RSA_LEAF LEAF("RSA", 2048, "null", "sha256WithRSAEncryption", 365)
#define TLS13_ONLY                                                                                      \
    "\"versions\":{\"status\":\"ok\",\"accepted\":[\"TLSv1.3\"]},"                                      \
    "\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.3\",\"server_order\":false,\"complete\":true," \
    "\"suites\":[" SUITE("TLS_AES_256_GCM_SHA384") "," SUITE("TLS_AES_128_GCM_SHA256") "]}]},"
#define NOT_WEB ",\"http\":{\"status\":\"ok\",\"applicable\":false}"
#define GROUPS13 "\"groups\":{\"status\":\"ok\",\"tls13\":{\"accepted\":[\"x25519\"]},\"tls12_curves\":null,\"dh\":null},"
#define GROUPS12 "\"groups\":{\"status\":\"ok\",\"tls13\":null,\"tls12_curves\":[\"secp256r1\"],\"dh\":{\"bits\":2048}},"
#define HSTS(v) ",\"http\":{\"status\":\"ok\",\"applicable\":true,\"https\":{\"status\":200,\"hsts\":" v "}}"

int main(void)
{
    check(profile_known("modern") && profile_known("intermediate") && profile_known("old") && !profile_known("x"),
          "known profiles", "modern, intermediate, old only");
    json_object *empty = json_object_new_object();
    json_object *r = profile_check(empty, "nonesuch");
    check(r == NULL, "unknown profile: NULL", "got an object");

    r = profile_check(empty, "old");
    check(r && strcmp(json_object_get_string(field(r, "guidelines_version")), "5.8") == 0 &&
              strcmp(json_object_get_string(field(r, "name")), "old") == 0,
          "old comes from guidelines 5.8", r ? json_object_to_json_string(r) : "NULL");
    json_object_put(r);
    r = profile_check(empty, "intermediate");
    check(r && strcmp(json_object_get_string(field(r, "guidelines_version")), "6.0") == 0,
          "intermediate comes from guidelines 6.0", r ? json_object_to_json_string(r) : "NULL");
    json_object_put(r);
    json_object_put(empty);

    expect("modern: compliant TLS 1.3 ECDSA endpoint", "modern",
           "{" TLS13_ONLY "\"groups\":{\"status\":\"ok\",\"tls13\":{\"accepted\":[\"x25519\",\"secp256r1\"]},"
           "\"tls12_curves\":null,\"dh\":null}," ECDSA_LEAF HSTS("{\"present\":true,\"valid\":true,\"max_age\":63072000}") "}",
           1, "");
    expect("modern: groups left undecided may hide a small one: not examined", "modern",
           "{" TLS13_ONLY "\"groups\":{\"status\":\"ok\",\"tls13\":{\"accepted\":[\"x25519\",\"secp256r1\"],"
           "\"undecided\":[{\"name\":\"secp224r1\",\"reason\":\"no answer before the deadline\"}]},"
           "\"tls12_curves\":null,\"dh\":null}," ECDSA_LEAF HSTS("{\"present\":true,\"valid\":true,\"max_age\":63072000}") "}",
           0, "ecdh_param_size=not examined: 1 TLSv1.3 groups undecided (no answer before the deadline)");
    expect("modern: advisory items only stay compliant", "modern",
           "{" TLS13_ONLY "\"groups\":{\"status\":\"ok\",\"tls13\":{\"accepted\":[\"x25519\",\"x448\",\"ffdhe2048\"]},"
           "\"tls12_curves\":null,\"dh\":null},"
           "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"key_type\":\"EC\",\"key_bits\":256,\"curve\":\"prime256v1\","
           "\"signature_algorithm\":\"ecdsa-with-SHA384\"}],\"trust\":{\"verified\":true},\"leaf\":{\"validity_days\":90},"
           "\"name\":{\"checked\":\"a.test\",\"matched\":true},\"ocsp_stapled\":false}" NOT_WEB "}",
           1, "group=x448!; group=ffdhe2048!; ocsp_staple=no OCSP staple!");
    expect("modern: RSA certificate, long lifespan, no HSTS", "modern",
           "{" TLS13_ONLY GROUPS13 RSA_LEAF HSTS("{\"present\":false,\"max_age\":null}") "}", 0,
           "certificate_type=rsa (CN=a); certificate_signature=sha256WithRSAEncryption; "
           "certificate_lifespan=365 days; hsts=no HSTS");
    expect("intermediate: legacy versions, extra suites each once, DH 1024, short HSTS", "intermediate",
           "{\"versions\":{\"status\":\"ok\",\"accepted\":[\"TLSv1.0\",\"TLSv1.1\",\"TLSv1.2\"]},"
           "\"ciphers\":{\"status\":\"ok\",\"protocols\":["
           "{\"name\":\"TLSv1.0\",\"server_order\":true,\"complete\":true,\"suites\":[" SUITE("TLS_RSA_WITH_AES_128_CBC_SHA") "]},"
           "{\"name\":\"TLSv1.1\",\"server_order\":null,\"complete\":true,\"suites\":[" SUITE("TLS_RSA_WITH_AES_128_CBC_SHA") "]},"
           "{\"name\":\"TLSv1.2\",\"server_order\":false,\"complete\":true,\"suites\":["
           SUITE("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") "," SUITE("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256") ","
           SUITE("TLS_RSA_WITH_AES_128_CBC_SHA") "]}]},"
           "\"groups\":{\"status\":\"ok\",\"tls13\":null,\"tls12_curves\":[\"secp256r1\",\"secp224r1\"],"
           "\"dh\":{\"bits\":1024}}," RSA_LEAF HSTS("{\"present\":true,\"valid\":true,\"max_age\":31536000}") "}",
           0,
           "protocol=TLSv1.0; protocol=TLSv1.1; cipher_suite=TLS_RSA_WITH_AES_128_CBC_SHA; "
           "cipher_suite=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256; server_preferred_order=TLSv1.0: server's order!; "
           "group=secp224r1!; dh_param_size=1024 bits; ecdh_param_size=224 bits (secp224r1); hsts=max-age=31536000");
    expect("intermediate: certificate problems", "intermediate",
           "{\"versions\":{\"status\":\"ok\",\"accepted\":[\"TLSv1.2\"]},"
           "\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.2\",\"complete\":true,\"suites\":["
           SUITE("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") "]}]}," GROUPS12
           "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"key_type\":\"EC\",\"key_bits\":521,\"curve\":\"secp521r1\","
           "\"signature_algorithm\":\"sha1WithRSAEncryption\",\"sha256\":\"aa\"}],"
           "\"certificates\":[{\"key_type\":\"EC\",\"key_bits\":521,\"subject\":\"CN=e\",\"sha256\":\"aa\"},"
           "{\"key_type\":\"RSA\",\"key_bits\":1024,\"subject\":\"CN=r\",\"sha256\":\"bb\"}],"
           "\"trust\":{\"store\":\"system\",\"verified\":false,\"error\":\"self-signed certificate\"},"
           "\"name\":{\"checked\":\"a.test\",\"matched\":false},\"leaf\":{\"validity_days\":398},\"ocsp_stapled\":null},"
           "\"http\":{\"status\":\"ok\",\"applicable\":false}}",
           0,
           "certificate_trust=not trusted by system: self-signed certificate; certificate_name=does not cover a.test; "
           "certificate_curve=secp521r1 (CN=e); rsa_key_size=1024 bits (CN=r); "
           "certificate_signature=sha1WithRSAEncryption; certificate_lifespan=398 days; "
           "ocsp_staple=not observed (no full handshake)!");
    expect("old: server order required, 3DES allowed, TLS 1.3 suite outside", "old",
           "{\"versions\":{\"status\":\"ok\",\"accepted\":[\"TLSv1.0\",\"TLSv1.3\"]},"
           "\"ciphers\":{\"status\":\"ok\",\"protocols\":["
           "{\"name\":\"TLSv1.0\",\"server_order\":false,\"complete\":true,\"suites\":[" SUITE("TLS_RSA_WITH_3DES_EDE_CBC_SHA") ","
           SUITE("TLS_RSA_WITH_RC4_128_SHA") "]},"
           "{\"name\":\"TLSv1.3\",\"server_order\":true,\"complete\":true,\"suites\":[" SUITE("TLS_AES_128_CCM_SHA256") "]}]},"
           GROUPS13 RSA_LEAF NOT_WEB "}",
           0,
           "cipher_suite=TLS_RSA_WITH_RC4_128_SHA; tls13_cipher_suite=TLS_AES_128_CCM_SHA256; "
           "server_preferred_order=TLSv1.0: client's order");
    expect("missing probes are not compliance", "intermediate",
           "{\"versions\":{\"status\":\"error\",\"error\":\"connect: refused\"}}", 0,
           "protocol=not examined: versions probe failed: connect: refused; "
           "cipher_suite=not examined: ciphers probe did not run; "
           "dh_param_size=not examined: groups probe did not run; "
           "certificate_type=not examined: certificate probe did not run; hsts=not examined: http probe did not run");
    expect("HSTS invalid and unobserved", "intermediate",
           "{\"versions\":{\"status\":\"ok\",\"accepted\":[\"TLSv1.2\"]},\"ciphers\":{\"status\":\"ok\",\"protocols\":[]},"
           GROUPS12 RSA_LEAF HSTS("{\"present\":true,\"valid\":false,\"max_age\":63072000,\"error\":\"duplicate max-age\"}") "}",
           0, "hsts=invalid HSTS header: duplicate max-age");
    expect("HSTS: the HTTPS request failed: not observed is not compliance", "intermediate",
           "{\"versions\":{\"status\":\"ok\",\"accepted\":[\"TLSv1.2\"]},\"ciphers\":{\"status\":\"ok\",\"protocols\":[]},"
           GROUPS12 RSA_LEAF ",\"http\":{\"status\":\"ok\",\"applicable\":true,\"https\":{\"error\":\"timeout\",\"hsts\":null}}}",
           0, "hsts=not observed: timeout");
    expect("HSTS: presence unknown, validity unknown", "intermediate",
           "{\"versions\":{\"status\":\"ok\",\"accepted\":[\"TLSv1.2\"]},\"ciphers\":{\"status\":\"ok\",\"protocols\":[]},"
           GROUPS12 RSA_LEAF HSTS("{\"present\":null}") "}", 0, "hsts=not observed: HSTS presence unknown");
    expect("HSTS: valid unknown is not valid", "intermediate",
           "{\"versions\":{\"status\":\"ok\",\"accepted\":[\"TLSv1.2\"]},\"ciphers\":{\"status\":\"ok\",\"protocols\":[]},"
           GROUPS12 RSA_LEAF HSTS("{\"present\":true,\"valid\":null,\"max_age\":63072000}") "}", 0, "hsts=invalid HSTS header: ?");
    expect("unknowns are not compliance: a version undetermined, suites undecided, order unknown, trust unknown", "old",
           "{\"versions\":{\"status\":\"ok\",\"accepted\":[\"TLSv1.2\"],\"protocols\":[{\"name\":\"SSLv3\","
           "\"accepted\":null,\"result\":\"timeout\"},{\"name\":\"TLSv1.2\",\"accepted\":true}]},"
           "\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.2\",\"server_order\":null,\"complete\":false,"
           "\"undecided\":[{\"code\":\"0x0005\",\"reason\":\"closed\"}],\"suites\":["
           SUITE("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") "," SUITE("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384") "]}]},"
           GROUPS12 "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\",\"key_type\":\"RSA\","
           "\"key_bits\":2048,\"signature_algorithm\":\"sha256WithRSAEncryption\"}],\"trust\":{\"verified\":null},"
           "\"name\":{\"checked\":\"a.test\",\"matched\":null},\"leaf\":{\"validity_days\":null},\"ocsp_stapled\":true}"
           NOT_WEB "}",
           0,
           "protocol=not examined: SSLv3 undetermined (timeout); "
           "cipher_suite=not examined: 1 suites of TLSv1.2 undecided (closed); "
           "server_preferred_order=not examined: TLSv1.2 order undetermined; "
           "certificate_trust=not examined: verification result unknown; certificate_name=not examined: name not checked; "
           "certificate_lifespan=not examined: validity unknown");

    /* Every deviation carries check, expected and found. */
    json_object *facts = json_tokener_parse("{" TLS13_ONLY GROUPS13 RSA_LEAF "}");
    r = profile_check(facts, "modern");
    json_object *d = json_object_array_get_idx(field(r, "deviations"), 0);
    check(d && strcmp(json_object_get_string(field(d, "expected")), "ecdsa") == 0 && field(d, "advisory") == NULL,
          "deviation: expected names the profile's values", d ? json_object_to_json_string(d) : "none");
    json_object_put(r);
    json_object_put(facts);

    return failures ? 1 : 0;
}
