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

/* want: "GRADE/IF_TRUSTED score P/K/C | cap; cap; ...", or "NULL reason" when there is no grade. */
static void expect(const char *name, const char *facts_json, const char *want)
{
    json_object *facts = json_tokener_parse(facts_json);
    json_object *g = facts ? grade_endpoint(facts) : NULL;
    char got[4096] = "none", detail[8400];
    json_object *letter = field(g, "grade");
    if (g && !letter)
        snprintf(got, sizeof got, "NULL %s", json_object_get_string(field(g, "reason")));
    else if (g) {
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
#define PR(n, a) "{\"name\":\"" n "\",\"accepted\":" a ",\"result\":\"r\"}"
#define Y_ "true"
#define N_ "false"
/* Every version decided: SSLv2, SSLv3, TLS 1.0, 1.1, 1.2, 1.3 accepted (1) or refused (0). */
#define V(s2, s3, t10, t11, t12, t13)                                                                  \
    "\"versions\":{\"status\":\"ok\",\"protocols\":[" PR("SSLv2", s2) "," PR("SSLv3", s3) "," PR("TLSv1.0", t10) \
    "," PR("TLSv1.1", t11) "," PR("TLSv1.2", t12) "," PR("TLSv1.3", t13) "]},"
#define V13 V(N_, N_, N_, N_, N_, Y_)
#define V12_13 V(N_, N_, N_, N_, Y_, Y_)
#define P(name, suites) "{\"name\":\"" name "\",\"complete\":true,\"suites\":[" suites "]}"
#define C(list) "\"ciphers\":{\"status\":\"ok\",\"protocols\":[" list "]},"
#define GROUPS(t13, t12, dh) "\"groups\":{\"status\":\"ok\",\"tls13\":" t13 ",\"tls12_curves\":" t12 ",\"dh\":" dh "},"
#define G13 GROUPS("{\"accepted\":[\"x25519\"]}", "null", "null")
#define G12_13 GROUPS("{\"accepted\":[\"x25519\"]}", "[\"secp256r1\"]", "null")
#define G12 GROUPS("null", "[\"secp256r1\"]", "null")
#define CERT(type, bits, sig, extra)                                                                  \
    "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\",\"key_type\":\"" type "\","  \
    "\"key_bits\":" #bits ",\"signature_algorithm\":\"" sig "\",\"not_after\":\"2030-01-01T00:00:00Z\"}]," \
    "\"trust\":{\"store\":\"system\",\"verified\":true},\"name\":{\"checked\":\"a.test\",\"matched\":true}," \
    "\"expired\":false" extra "}"
#define GOOD_CERT CERT("EC", 256, "ecdsa-with-SHA256", "")
#define HTTP(hsts) ",\"http\":{\"status\":\"ok\",\"applicable\":true,\"https\":{\"hsts\":" hsts "}}"
#define NOT_WEB ",\"http\":{\"status\":\"ok\",\"applicable\":false}"
#define HSTS_1Y "{\"present\":true,\"valid\":true,\"max_age\":31536000}"

int main(void)
{
    expect("no facts: no grade, every reason",
           "{}", "NULL versions probe did not run; ciphers probe did not run; certificate probe did not run; "
           "groups probe did not run");
    expect("no suites: no grade", "{" V(N_, N_, N_, N_, Y_, N_) C("") GOOD_CERT "}",
           "NULL TLSv1.2 accepted but its suites were not enumerated; groups probe did not run");
    expect("A+: TLS 1.2+1.3, AEAD+FS only, P-256, HSTS 1 year",
           "{" V12_13 C(P("TLSv1.2", ECDHE_GCM) "," P("TLSv1.3", T13)) G12_13 GOOD_CERT HTTP(HSTS_1Y) "}",
           "A+/A+ 100 100/100/100 |");
    expect("A+ on an endpoint that is not a web server (http: applicable false)",
           "{" V13 C(P("TLSv1.3", T13 "," T13_128)) G13 GOOD_CERT NOT_WEB "}",
           "A+/A+ 96 100/100/90 |");
    /* An ECDSA-only offer that got no answer: the grade needs the ECDSA leaf known one way or
     * another (GOOD_CERT's leaf is EC, so an RSA one is the unknown here). */
    expect("an RSA leaf unknown (the RSA-only offer unanswered) and RSA suites accepted: no grade",
           "{" V12_13 C(P("TLSv1.2", ECDHE_GCM) "," P("TLSv1.3", T13))
           G12_13 CERT("EC", 256, "ecdsa-with-SHA256", ",\"certificates_complete\":false,\"certificates_unanswered\":[\"rsa\"]")
           NOT_WEB "}",
           "NULL the RSA-only offer got no answer: an RSA leaf is unknown");
    expect("an RSA leaf unanswered but no RSA suite in a complete TLS 1.2 enumeration: graded",
           "{" V12_13 C(P("TLSv1.2", S("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 256, true, true, "ECDSA")) ","
           P("TLSv1.3", T13))
           G12_13 CERT("EC", 256, "ecdsa-with-SHA256", ",\"certificates_complete\":false,\"certificates_unanswered\":[\"rsa\"]")
           NOT_WEB "}",
           "A+/A+ 100 100/100/100 |");
    expect("an RSA leaf unanswered on a TLS 1.3-only server: no grade",
           "{" V13 C(P("TLSv1.3", T13)) G13
           CERT("EC", 256, "ecdsa-with-SHA256", ",\"certificates_complete\":false,\"certificates_unanswered\":[\"rsa\"]")
           NOT_WEB "}",
           "NULL the RSA-only offer got no answer: an RSA leaf is unknown");
    expect("A: HSTS not examined when the http probe did not run",
           "{" V13 C(P("TLSv1.3", T13 "," T13_128)) G13 GOOD_CERT "}",
           "A/A 96 100/100/90 | HSTS not examined (http probe did not run): capped at A");
    expect("A: HSTS not examined when the http probe failed",
           "{" V13 C(P("TLSv1.3", T13)) G13 GOOD_CERT ",\"http\":{\"status\":\"error\",\"error\":\"timeout\"}}",
           "A/A 100 100/100/100 | HSTS not examined (http probe failed: timeout): capped at A");
    expect("A: whether it is a web server unknown",
           "{" V13 C(P("TLSv1.3", T13)) G13 GOOD_CERT ",\"http\":{\"status\":\"ok\",\"applicable\":null}}",
           "A/A 100 100/100/100 | HSTS not examined (whether this is a web server is unknown): capped at A");
    expect("A: HSTS present but its validity unknown",
           "{" V13 C(P("TLSv1.3", T13)) G13 GOOD_CERT HTTP("{\"present\":true,\"valid\":null,\"max_age\":31536000}") "}",
           "A/A 100 100/100/100 | invalid HSTS header: capped at A");
    expect("A: HSTS presence unknown",
           "{" V13 C(P("TLSv1.3", T13)) G13 GOOD_CERT HTTP("{\"present\":null}") "}",
           "A/A 100 100/100/100 | HSTS unknown (A+ needs max-age >= 15552000): capped at A");
    expect("A: HSTS too short for A+",
           "{" V13 C(P("TLSv1.3", T13)) G13 GOOD_CERT
           HTTP("{\"present\":true,\"valid\":true,\"max_age\":86400}") "}",
           "A/A 100 100/100/100 | HSTS max-age=86400 < 15552000: capped at A");
    expect("A-: RSA key exchange and CBC beside good suites, no TLS 1.3, no HSTS",
           "{" V(N_, N_, N_, N_, Y_, N_)
           C(P("TLSv1.2", ECDHE_GCM "," S("TLS_RSA_WITH_AES_128_CBC_SHA", 128, false, false, "RSA"))) G12
           CERT("RSA", 2048, "sha256WithRSAEncryption", "") HTTP("{\"present\":false,\"max_age\":null}") "}",
           "A-/A- 93 100/90/90 | TLS 1.3 not accepted: capped at A-; forward secrecy on 1 of 2 suites: capped at A-; "
           "AEAD on 1 of 2 suites: capped at A-; no HSTS (A+ needs max-age >= 15552000): capped at A");
    expect("B: TLS 1.0 accepted beside 1.2",
           "{" V(N_, N_, Y_, N_, Y_, N_) C(P("TLSv1.0", ECDHE_GCM128) "," P("TLSv1.2", ECDHE_GCM)) G12
           GOOD_CERT NOT_WEB "}",
           "B/B 94 95/100/90 | TLS 1.0 or 1.1 accepted: capped at B; TLS 1.3 not accepted: capped at A-");
    expect("C: TLS 1.0/1.1 only, CBC without FS (the legacy lab server's shape)",
           "{" V(N_, N_, Y_, Y_, N_, N_)
           C(P("TLSv1.0", S("TLS_RSA_WITH_AES_128_CBC_SHA", 128, false, false, "RSA")) ","
             P("TLSv1.1", S("TLS_RSA_WITH_AES_128_CBC_SHA", 128, false, false, "RSA")))
           GROUPS("null", "null", "null") CERT("RSA", 2048, "sha256WithRSAEncryption", "") NOT_WEB "}",
           "C/C 86 92/90/80 | TLS 1.0 or 1.1 accepted: capped at B; no TLS 1.2 or 1.3: capped at C; "
           "no forward secrecy: capped at B; no AEAD suite: capped at B");
    expect("SSLv2 F; SSLv3 best F; POODLE",
           "{" V(Y_, Y_, N_, N_, N_, N_)
           C(P("SSLv2", "{\"name\":\"SSL_CK_RC4_128_WITH_MD5\",\"bits\":128,\"forward_secrecy\":false}") ","
             P("SSLv3", S("TLS_RSA_WITH_AES_128_CBC_SHA", 128, false, false, "RSA")))
           GROUPS("null", "null", "null") CERT("RSA", 2048, "sha256WithRSAEncryption", "") NOT_WEB "}",
           "F/F 71 40/90/80 | SSLv2 accepted: capped at F; SSLv3 is the best protocol: capped at F; "
           "no TLS 1.2 or 1.3: capped at C; RC4 accepted: SSL_CK_RC4_128_WITH_MD5: capped at B; "
           "CBC suites with SSLv3 (POODLE): TLS_RSA_WITH_AES_128_CBC_SHA: capped at C; no forward secrecy: capped at B; "
           "no AEAD suite: capped at B");
    expect("SSLv3 beside TLS 1.2: B, RC4 and 3DES with TLS 1.2: C",
           "{" V(N_, Y_, N_, N_, Y_, N_)
           C(P("SSLv3", S("TLS_RSA_WITH_RC4_128_SHA", 128, false, false, "RSA")) ","
             P("TLSv1.2", ECDHE_GCM "," S("TLS_RSA_WITH_RC4_128_SHA", 128, false, false, "RSA") ","
               S("TLS_RSA_WITH_3DES_EDE_CBC_SHA", 168, false, false, "RSA")))
           G12 GOOD_CERT NOT_WEB "}",
           "C/C 93 90/100/90 | SSLv3 accepted: capped at B; TLS 1.3 not accepted: capped at A-; "
           "RC4 with TLS 1.1 or later: TLS_RSA_WITH_RC4_128_SHA: capped at C; "
           "RC4 accepted: TLS_RSA_WITH_RC4_128_SHA: capped at B; "
           "64-bit block cipher with TLS 1.1 or later (SWEET32): TLS_RSA_WITH_3DES_EDE_CBC_SHA: capped at C; "
           "forward secrecy on 1 of 3 suites: capped at A-; AEAD on 1 of 3 suites: capped at A-");
    expect("export, NULL, anon, DES: F with every reason",
           "{" V(N_, N_, N_, N_, Y_, N_)
           C(P("TLSv1.2", ECDHE_GCM "," S("TLS_RSA_EXPORT_WITH_RC4_40_MD5", 40, false, false, "RSA") ","
               S("TLS_RSA_WITH_NULL_SHA", 0, false, false, "RSA") ","
               S("TLS_DH_anon_WITH_AES_128_CBC_SHA", 128, true, false, "ANON") ","
               S("TLS_RSA_WITH_DES_CBC_SHA", 56, false, false, "RSA")))
           GROUPS("null", "[\"secp256r1\"]", "{\"bits\":2048}") GOOD_CERT NOT_WEB "}",
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
           "{" V(N_, N_, N_, N_, Y_, Y_)
           C(P("TLSv1.2", S("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 256, true, true, "RSA")) "," P("TLSv1.3", T13))
           GROUPS("{\"accepted\":[\"x25519\"]}", "null", "{\"bits\":1024}")
           CERT("RSA", 1024, "sha256WithRSAEncryption", "") NOT_WEB "}",
           "B/B 94 100/80/100 | certificate key RSA 1024 bits: capped at B; DH parameters 1024 bits: capped at B");
    expect("DH 768 and RSA 512: F",
           "{" V(N_, N_, N_, N_, Y_, Y_)
           C(P("TLSv1.2", S("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 256, true, true, "RSA")) "," P("TLSv1.3", T13))
           GROUPS("{\"accepted\":[\"x25519\"]}", "null", "{\"bits\":768}")
           CERT("RSA", 512, "sha256WithRSAEncryption", "") NOT_WEB "}",
           "F/F 82 100/40/100 | certificate key RSA 512 bits: capped at F; DH parameters 768 bits: capped at F");
    expect("TLS 1.3 ffdhe2048 and x448: key exchange 90",
           "{" V13 C(P("TLSv1.3", T13)) GROUPS("{\"accepted\":[\"x448\",\"ffdhe2048\"]}", "null", "null")
           GOOD_CERT NOT_WEB "}",
           "A+/A+ 97 100/90/100 |");
    expect("expired and untrusted: T, with the grade if trusted",
           "{" V13 C(P("TLSv1.3", T13)) G13
           "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\",\"key_type\":\"EC\",\"key_bits\":256,"
           "\"signature_algorithm\":\"ecdsa-with-SHA256\",\"not_after\":\"2021-01-01T00:00:00Z\"}],"
           "\"trust\":{\"store\":\"system\",\"verified\":false,\"error\":\"certificate has expired\"},"
           "\"name\":{\"checked\":\"a.test\",\"matched\":true},\"expired\":true}" NOT_WEB "}",
           "T/A+ 100 100/100/100 | certificate expired 2021-01-01T00:00:00Z: T; "
           "chain not trusted by system: certificate has expired: T");
    expect("name mismatch alone: M",
           "{" V13 C(P("TLSv1.3", T13)) G13
           "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"key_type\":\"EC\",\"key_bits\":256,"
           "\"signature_algorithm\":\"ecdsa-with-SHA256\"}],\"trust\":{\"store\":\"system\",\"verified\":true},"
           "\"name\":{\"checked\":\"b.test\",\"matched\":false}}" NOT_WEB "}",
           "M/A+ 100 100/100/100 | certificate does not cover b.test: M");
    expect("revoked, SHA-1 intermediate: T; MD5 leaf: F; incomplete chain: B",
           "{" V13 C(P("TLSv1.3", T13)) G13
           "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\",\"key_type\":\"EC\",\"key_bits\":256,"
           "\"signature_algorithm\":\"md5WithRSAEncryption\"},{\"subject\":\"CN=i\",\"signature_algorithm\":"
           "\"sha1WithRSAEncryption\",\"self_signed\":false},{\"subject\":\"CN=r\",\"signature_algorithm\":"
           "\"sha1WithRSAEncryption\",\"self_signed\":true}],\"trust\":{\"store\":\"system\",\"verified\":true},"
           "\"name\":{\"checked\":\"a.test\",\"matched\":true},"
           "\"revocation\":{\"result\":\"revoked\"},\"chain_analysis\":{\"complete\":false}}" NOT_WEB "}",
           "T/F 100 100/100/100 | certificate revoked: T; md5WithRSAEncryption signature on CN=a: capped at F; "
           "sha1WithRSAEncryption signature on CN=i: T; incomplete chain: capped at B");

    /* No grade without every input known: never a letter computed as if the unknown were good. */
    expect("no grade: a version undetermined",
           "{\"versions\":{\"status\":\"ok\",\"protocols\":[" PR("SSLv2", N_) "," PR("SSLv3", N_) ","
           "{\"name\":\"TLSv1.0\",\"accepted\":null,\"result\":\"timeout\"}," PR("TLSv1.1", N_) "," PR("TLSv1.2", N_) ","
           PR("TLSv1.3", Y_) "]}," C(P("TLSv1.3", T13)) G13 GOOD_CERT NOT_WEB "}",
           "NULL TLSv1.0 undetermined (timeout)");
    expect("no grade: suites undecided (a weak one may hide there)",
           "{" V13 "\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.3\",\"complete\":false,"
           "\"undecided\":[{\"code\":\"0x1303\",\"reason\":\"closed after the hello\"}],\"suites\":[" T13 "]}]},"
           G13 GOOD_CERT NOT_WEB "}",
           "NULL 1 suites of TLSv1.3 could not be decided (closed after the hello)");
    expect("no grade: no complete fact (an older report)",
           "{" V13 "\"ciphers\":{\"status\":\"ok\",\"protocols\":[{\"name\":\"TLSv1.3\",\"suites\":[" T13 "]}]},"
           G13 GOOD_CERT NOT_WEB "}",
           "NULL the suites of TLSv1.3 are not known to be all found");
    expect("no grade: the ciphers probe failed midway",
           "{" V13 "\"ciphers\":{\"status\":\"error\",\"error\":\"connection reset\",\"protocols\":[" P("TLSv1.3", T13) "]},"
           G13 GOOD_CERT NOT_WEB "}",
           "NULL ciphers probe failed: connection reset");
    expect("no grade without a checked certificate (a post-quantum-only server)",
           "{" V13 C(P("TLSv1.3", T13)) GROUPS("{\"accepted\":[\"X25519MLKEM768\"]}", "null", "null")
           "\"certificate\":{\"status\":\"error\",\"error\":\"the server accepts only key exchange groups the local OpenSSL "
           "cannot negotiate (X25519MLKEM768)\"}" NOT_WEB "}",
           "NULL certificate probe failed: the server accepts only key exchange groups the local OpenSSL cannot negotiate "
           "(X25519MLKEM768)");
    expect("no grade: trust and name unknown, leaf key unknown",
           "{" V13 C(P("TLSv1.3", T13)) G13
           "\"certificate\":{\"status\":\"ok\",\"chain\":[{\"subject\":\"CN=a\",\"signature_algorithm\":\"x\"}],"
           "\"trust\":{\"verified\":null},\"name\":{\"checked\":\"a.test\"}}" NOT_WEB "}",
           "NULL whether the chain is trusted is unknown; whether the certificate covers the name is unknown; "
           "the key of CN=a is unknown");
    expect("no grade: ECDHE and DHE accepted, the groups probe did not run",
           "{" V(N_, N_, N_, N_, Y_, N_)
           C(P("TLSv1.2", ECDHE_GCM "," S("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 256, true, true, "RSA"))) GOOD_CERT NOT_WEB "}",
           "NULL groups probe did not run");
    expect("no grade: DHE accepted, DH parameters unknown; TLS 1.3 groups unknown",
           "{" V12_13 C(P("TLSv1.2", S("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 256, true, true, "RSA")) "," P("TLSv1.3", T13))
           GROUPS("null", "null", "null") GOOD_CERT NOT_WEB "}",
           "NULL TLSv1.3 accepted but its groups are unknown; DHE suites accepted but the DH parameters are unknown");
    expect("no grade: the groups probe left candidates undecided",
           "{" V13 C(P("TLSv1.3", T13))
           "\"groups\":{\"status\":\"ok\",\"tls13\":{\"accepted\":[\"x25519\"],\"undecided\":[{\"name\":"
           "\"secp384r1\",\"reason\":\"no answer before the deadline\"}]}},"
           GOOD_CERT NOT_WEB "}",
           "NULL 1 TLSv1.3 groups could not be decided (no answer before the deadline)");
    /* The groups facts' undecided lists, by their names, where that key exchange is accepted. */
#define G_OPEN12(extra)                                                                                    \
    "\"groups\":{\"status\":\"ok\",\"tls13\":{\"accepted\":[\"x25519\"],\"undecided\":[]},"            \
    "\"tls12_curves\":[\"secp256r1\"],\"tls12_curves_undecided\":[{\"name\":\"sect571r1\",\"reason\":\"r\"}]" \
    extra ",\"dh\":null},"
    expect("no grade: ECDHE accepted and curves undecided",
           "{" V12_13 C(P("TLSv1.2", ECDHE_GCM) "," P("TLSv1.3", T13)) G_OPEN12("") GOOD_CERT HTTP(HSTS_1Y) "}",
           "NULL 1 ECDHE curves could not be decided (r)");
    expect("curves undecided do not matter without ECDHE suites",
           "{" V13 C(P("TLSv1.3", T13 "," T13_128)) G_OPEN12("") GOOD_CERT NOT_WEB "}",
           "A+/A+ 96 100/100/90 |");
    expect("curves never chosen are decided (the certificate's curve is taken over them)",
           "{" V12_13 C(P("TLSv1.2", ECDHE_GCM) "," P("TLSv1.3", T13))
           GROUPS("{\"accepted\":[\"x25519\"],\"undecided\":[]}", "[\"secp256r1\"],\"tls12_curves_undecided\":[],"
                  "\"tls12_curves_never_chosen\":[\"sect571r1\",\"x448\"]", "null") GOOD_CERT HTTP(HSTS_1Y) "}",
           "A+/A+ 100 100/100/100 |");
    expect("RSA key exchange only: the groups probe ran and found nothing to grade",
           "{" V(N_, N_, N_, N_, Y_, N_)
           C(P("TLSv1.2", S("TLS_RSA_WITH_AES_128_GCM_SHA256", 128, false, true, "RSA")))
           GROUPS("null", "null", "null") CERT("RSA", 2048, "sha256WithRSAEncryption", "") NOT_WEB "}",
           "B/B 89 100/90/80 | TLS 1.3 not accepted: capped at A-; no forward secrecy: capped at B");
    expect("hostile shapes: wrong types are unknowns, not fatal",
           "{\"versions\":{\"status\":\"ok\",\"accepted\":\"TLSv1.3\",\"protocols\":{}},\"ciphers\":{\"protocols\":{}}}",
           "NULL ciphers probe failed: ?; SSLv2 undetermined (not in the versions facts); SSLv3 undetermined (not in the "
           "versions facts); TLSv1.0 undetermined (not in the versions facts); TLSv1.1 undetermined (not in the versions "
           "facts); TLSv1.2 undetermined (not in the versions facts); TLSv1.3 undetermined (not in the versions facts); "
           "certificate probe did not run; groups probe did not run");
    expect("hostile shapes: a suite without a name",
           "{" V13 C(P("TLSv1.3", "{}" "," "7" "," T13)) G13 "\"certificate\":{\"status\":\"ok\",\"chain\":5}" NOT_WEB "}",
           "NULL TLSv1.3 suite ?: name, key bits, forward secrecy, AEAD or authentication unknown; TLSv1.3 suite ?: "
           "name, key bits, forward secrecy, AEAD or authentication unknown; no certificate chain recorded");
    expect("no grade: a suite's authentication unknown (an anonymous one would be F), a key type not graded",
           "{" V13 C(P("TLSv1.3", "{\"name\":\"TLS_AES_256_GCM_SHA384\",\"bits\":256,\"forward_secrecy\":true,\"aead\":true}"))
           G13 CERT("ML-DSA-65", 1952, "ML-DSA-65", "") NOT_WEB "}",
           "NULL TLSv1.3 suite TLS_AES_256_GCM_SHA384: name, key bits, forward secrecy, AEAD or authentication unknown; "
           "the key type ML-DSA-65 of CN=a is not one the grade scores");
    return failures ? 1 : 0;
}
