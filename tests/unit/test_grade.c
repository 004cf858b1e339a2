/* Letter grades on hand-written facts: the grade, the score, the components and every cap. */
#include <stdio.h>
#include <string.h>

#include "grade.h"

static int failures;

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

static json_object *field(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (o)
        json_object_object_get_ex(o, k, &v);
    return v;
}

/* want: "GRADE/IF_TRUSTED score P/K/C | cap; cap; ..." */
static void expect(const char *name, const char *facts_json, const char *want)
{
    json_object *facts = json_tokener_parse(facts_json);
    json_object *g = facts ? grade_endpoint(facts) : NULL;
    char got[4096] = "NULL", detail[8400];
    if (g) {
        json_object *comp = field(g, "components"), *caps = field(g, "caps");
        int n = snprintf(got, sizeof got, "%s/%s %d %d/%d/%d |", json_object_get_string(field(g, "grade")),
                         json_object_get_string(field(g, "grade_if_trusted")), json_object_get_int(field(g, "score")),
                         json_object_get_int(field(comp, "protocol")), json_object_get_int(field(comp, "key_exchange")),
                         json_object_get_int(field(comp, "cipher")));
        for (size_t i = 0; caps && i < json_object_array_length(caps) && n > 0 && (size_t)n < sizeof got; i++)
            n += snprintf(got + n, sizeof got - (size_t)n, "%s%s", i ? "; " : " ",
                          json_object_get_string(json_object_array_get_idx(caps, i)));
    }
    snprintf(detail, sizeof detail, "got '%s', want '%s'%s", got, want, facts ? "" : " (facts do not parse)");
    check(strcmp(got, want) == 0, name, detail);
    json_object_put(g);
    json_object_put(facts);
}

#define S(n, bits, fs, aead, au)                                                                    \
    "{\"name\":\"" n "\",\"bits\":" #bits ",\"forward_secrecy\":" #fs ",\"aead\":" #aead ",\"au\":\"" au "\"}"
#define ECDHE_GCM S("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 256, true, true, "RSA")
#define ECDHE_GCM128 S("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 128, true, true, "RSA")
#define T13 S("TLS_AES_256_GCM_SHA384", 256, true, true, "ANY")
#define T13_128 S("TLS_AES_128_GCM_SHA256", 128, true, true, "ANY")
#define V(list) "\"versions\":{\"status\":\"ok\",\"accepted\":[" list "]},"
#define P(name, suites) "{\"name\":\"" name "\",\"suites\":[" suites "]}"
#define C(list) "\"ciphers\":{\"status\":\"ok\",\"protocols\":[" list "]},"
#define GROUPS(t13, t12, dh) "\"groups\":{\"status\":\"ok\",\"tls13\":" t13 ",\"tls12_curves\":" t12 ",\"dh\":" dh "},"
#define CERT(type, bits, sig, extra)                                                                  \
    "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\",\"key_type\":\"" type "\","  \
    "\"key_bits\":" #bits ",\"signature_algorithm\":\"" sig "\",\"not_after\":\"2030-01-01T00:00:00Z\"}]," \
    "\"trust\":{\"store\":\"system\",\"verified\":true},\"name\":{\"checked\":\"a.test\",\"matched\":true}," \
    "\"expired\":false" extra "}"
#define GOOD_CERT CERT("EC", 256, "ecdsa-with-SHA256", "")
#define HTTP(hsts) ",\"http\":{\"status\":\"ok\",\"applicable\":true,\"https\":{\"hsts\":" hsts "}}"
#define HSTS_1Y "{\"present\":true,\"valid\":true,\"max_age\":31536000}"

int main(void)
{
    expect("no facts: no grade", "{}", "NULL");
    expect("no suites: no grade", "{" V("\"TLSv1.2\"") C("") "}", "NULL");
    expect("A+: TLS 1.2+1.3, AEAD+FS only, P-256, HSTS 1 year",
           "{" V("\"TLSv1.2\",\"TLSv1.3\"") C(P("TLSv1.2", ECDHE_GCM) "," P("TLSv1.3", T13))
           GROUPS("{\"accepted\":[\"x25519\"]}", "[\"secp256r1\"]", "null") GOOD_CERT HTTP(HSTS_1Y) "}",
           "A+/A+ 100 100/100/100 |");
    expect("A+ without http facts (not a web endpoint)",
           "{" V("\"TLSv1.3\"") C(P("TLSv1.3", T13 "," T13_128)) GOOD_CERT "}",
           "A+/A+ 96 100/100/90 |");
    expect("A: HSTS too short for A+",
           "{" V("\"TLSv1.3\"") C(P("TLSv1.3", T13)) GOOD_CERT
           HTTP("{\"present\":true,\"valid\":true,\"max_age\":86400}") "}",
           "A/A 100 100/100/100 | HSTS max-age=86400 < 15552000: capped at A");
    expect("A-: RSA key exchange and CBC beside good suites, no TLS 1.3, no HSTS",
           "{" V("\"TLSv1.2\"") C(P("TLSv1.2", ECDHE_GCM "," S("TLS_RSA_WITH_AES_128_CBC_SHA", 128, false, false, "RSA")))
           CERT("RSA", 2048, "sha256WithRSAEncryption", "") HTTP("{\"present\":false,\"max_age\":null}") "}",
           "A-/A- 93 100/90/90 | TLS 1.3 not accepted: capped at A-; forward secrecy on 1 of 2 suites: capped at A-; "
           "AEAD on 1 of 2 suites: capped at A-; no HSTS (A+ needs max-age >= 15552000): capped at A");
    expect("B: TLS 1.0 accepted beside 1.2",
           "{" V("\"TLSv1.0\",\"TLSv1.2\"") C(P("TLSv1.0", ECDHE_GCM128) "," P("TLSv1.2", ECDHE_GCM)) GOOD_CERT "}",
           "B/B 94 95/100/90 | TLS 1.0 or 1.1 accepted: capped at B; TLS 1.3 not accepted: capped at A-");
    expect("C: TLS 1.0/1.1 only, CBC without FS (the legacy lab server's shape)",
           "{" V("\"TLSv1.0\",\"TLSv1.1\"") C(P("TLSv1.0", S("TLS_RSA_WITH_AES_128_CBC_SHA", 128, false, false, "RSA")) ","
                                              P("TLSv1.1", S("TLS_RSA_WITH_AES_128_CBC_SHA", 128, false, false, "RSA")))
           CERT("RSA", 2048, "sha256WithRSAEncryption", "") "}",
           "C/C 86 92/90/80 | TLS 1.0 or 1.1 accepted: capped at B; no TLS 1.2 or 1.3: capped at C; "
           "no forward secrecy: capped at B; no AEAD suite: capped at B");
    expect("SSLv2 F; SSLv3 best F; POODLE",
           "{" V("\"SSLv2\",\"SSLv3\"") C(P("SSLv2", "{\"name\":\"SSL_CK_RC4_128_WITH_MD5\",\"bits\":128}") ","
                                          P("SSLv3", S("TLS_RSA_WITH_AES_128_CBC_SHA", 128, false, false, "RSA")))
           CERT("RSA", 2048, "sha256WithRSAEncryption", "") "}",
           "F/F 71 40/90/80 | SSLv2 accepted: capped at F; SSLv3 is the best protocol: capped at F; "
           "no TLS 1.2 or 1.3: capped at C; RC4 accepted: SSL_CK_RC4_128_WITH_MD5: capped at B; "
           "CBC suites with SSLv3 (POODLE): TLS_RSA_WITH_AES_128_CBC_SHA: capped at C; no forward secrecy: capped at B; "
           "no AEAD suite: capped at B");
    expect("SSLv3 beside TLS 1.2: B, RC4 and 3DES with TLS 1.2: C",
           "{" V("\"SSLv3\",\"TLSv1.2\"") C(P("SSLv3", S("TLS_RSA_WITH_RC4_128_SHA", 128, false, false, "RSA")) ","
                                            P("TLSv1.2", ECDHE_GCM "," S("TLS_RSA_WITH_RC4_128_SHA", 128, false, false, "RSA") ","
                                              S("TLS_RSA_WITH_3DES_EDE_CBC_SHA", 168, false, false, "RSA")))
           GOOD_CERT "}",
           "C/C 93 90/100/90 | SSLv3 accepted: capped at B; TLS 1.3 not accepted: capped at A-; "
           "RC4 with TLS 1.1 or later: TLS_RSA_WITH_RC4_128_SHA: capped at C; "
           "RC4 accepted: TLS_RSA_WITH_RC4_128_SHA: capped at B; "
           "64-bit block cipher with TLS 1.1 or later (SWEET32): TLS_RSA_WITH_3DES_EDE_CBC_SHA: capped at C; "
           "forward secrecy on 1 of 3 suites: capped at A-; AEAD on 1 of 3 suites: capped at A-");
    expect("export, NULL, anon, DES: F with every reason",
           "{" V("\"TLSv1.2\"") C(P("TLSv1.2", ECDHE_GCM "," S("TLS_RSA_EXPORT_WITH_RC4_40_MD5", 40, false, false, "RSA") ","
                                     S("TLS_RSA_WITH_NULL_SHA", 0, false, false, "RSA") ","
                                     S("TLS_DH_anon_WITH_AES_128_CBC_SHA", 128, true, false, "ANON") ","
                                     S("TLS_RSA_WITH_DES_CBC_SHA", 56, false, false, "RSA")))
           GOOD_CERT "}",
           "F/F 0 100/0/50 | TLS 1.3 not accepted: capped at A-; "
           "export suites accepted: TLS_RSA_EXPORT_WITH_RC4_40_MD5: capped at F; "
           "NULL encryption accepted: TLS_RSA_WITH_NULL_SHA: capped at F; "
           "anonymous suites accepted: TLS_DH_anon_WITH_AES_128_CBC_SHA: capped at F; "
           "suites under 112 bits accepted: TLS_RSA_WITH_DES_CBC_SHA: capped at F; "
           "RC4 with TLS 1.1 or later: TLS_RSA_EXPORT_WITH_RC4_40_MD5: capped at C; "
           "64-bit block cipher with TLS 1.1 or later (SWEET32): TLS_RSA_WITH_DES_CBC_SHA: capped at C; "
           "forward secrecy on 2 of 5 suites: capped at A-; AEAD on 1 of 5 suites: capped at A-; "
           "a category scores 0 (anonymous key exchange (TLS_DH_anon_WITH_AES_128_CBC_SHA)): capped at F");
    expect("DH 1024: B; RSA 1024: B",
           "{" V("\"TLSv1.3\"") C(P("TLSv1.3", T13)) GROUPS("null", "null", "{\"bits\":1024}")
           CERT("RSA", 1024, "sha256WithRSAEncryption", "") "}",
           "B/B 94 100/80/100 | certificate key RSA 1024 bits: capped at B; DH parameters 1024 bits: capped at B");
    expect("DH 768 and RSA 512: F",
           "{" V("\"TLSv1.3\"") C(P("TLSv1.3", T13)) GROUPS("null", "null", "{\"bits\":768}")
           CERT("RSA", 512, "sha256WithRSAEncryption", "") "}",
           "F/F 82 100/40/100 | certificate key RSA 512 bits: capped at F; DH parameters 768 bits: capped at F");
    expect("TLS 1.3 ffdhe2048 and x448: key exchange 90",
           "{" V("\"TLSv1.3\"") C(P("TLSv1.3", T13)) GROUPS("{\"accepted\":[\"x448\",\"ffdhe2048\"]}", "null", "null")
           GOOD_CERT "}",
           "A+/A+ 97 100/90/100 |");
    expect("expired and untrusted: T, with the grade if trusted",
           "{" V("\"TLSv1.3\"") C(P("TLSv1.3", T13))
           "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\",\"key_type\":\"EC\",\"key_bits\":256,"
           "\"signature_algorithm\":\"ecdsa-with-SHA256\",\"not_after\":\"2021-01-01T00:00:00Z\"}],"
           "\"trust\":{\"store\":\"system\",\"verified\":false,\"error\":\"certificate has expired\"},"
           "\"name\":{\"checked\":\"a.test\",\"matched\":true},\"expired\":true}}",
           "T/A+ 100 100/100/100 | certificate expired 2021-01-01T00:00:00Z: T; "
           "chain not trusted by system: certificate has expired: T");
    expect("name mismatch alone: M",
           "{" V("\"TLSv1.3\"") C(P("TLSv1.3", T13))
           "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"key_type\":\"EC\",\"key_bits\":256,"
           "\"signature_algorithm\":\"ecdsa-with-SHA256\"}],\"trust\":{\"store\":\"system\",\"verified\":true},"
           "\"name\":{\"checked\":\"b.test\",\"matched\":false}}}",
           "M/A+ 100 100/100/100 | certificate does not cover b.test: M");
    expect("revoked, SHA-1 intermediate: T; MD5 leaf: F; incomplete chain: B",
           "{" V("\"TLSv1.3\"") C(P("TLSv1.3", T13))
           "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\",\"key_type\":\"EC\",\"key_bits\":256,"
           "\"signature_algorithm\":\"md5WithRSAEncryption\"},{\"subject\":\"CN=i\",\"signature_algorithm\":"
           "\"sha1WithRSAEncryption\",\"self_signed\":false},{\"subject\":\"CN=r\",\"signature_algorithm\":"
           "\"sha1WithRSAEncryption\",\"self_signed\":true}],\"trust\":{\"store\":\"system\",\"verified\":true},"
           "\"revocation\":{\"result\":\"revoked\"},\"chain_analysis\":{\"complete\":false}}}",
           "T/F 100 100/100/100 | certificate revoked: T; md5WithRSAEncryption signature on CN=a: capped at F; "
           "sha1WithRSAEncryption signature on CN=i: T; incomplete chain: capped at B");
    expect("hostile shapes: wrong types are ignored, not fatal",
           "{\"versions\":{\"status\":\"ok\",\"accepted\":\"TLSv1.3\"},\"ciphers\":{\"protocols\":{}}}", "NULL");
    expect("hostile shapes: a suite without a name",
           "{" V("\"TLSv1.3\", 5") C(P("TLSv1.3", "{}" "," "7" "," T13)) "\"certificate\":{\"status\":\"ok\",\"chain\":5},"
           "\"groups\":{\"tls13\":[],\"tls12_curves\":{},\"dh\":7}}",
           "A+/A+ 100 100/100/100 |");
    return failures ? 1 : 0;
}
