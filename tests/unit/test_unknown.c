/* Unknown never passes, over every requirement (man/tlsprobe.1, VERDICTS). Each row starts
 * from a facts tree on which its rule PASSes (asserted first, so the table can fail), makes
 * each deciding fact unknown in turn (null, absent, of another type, or said undecided) and
 * asserts ERROR or MANUAL with evidence naming the reason. A generic pass then makes every
 * node of the passing tree unknown in turn: the rule may still PASS only when it did not read
 * the node (the evidence is unchanged) or the node only feeds the evidence (the row's
 * "informative" paths); anything else must be ERROR or MANUAL with evidence. Rows marked [web]
 * judge HTTP facts (rules_transport.c's HTTP functions, the "web" slice's). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scoring.h"

static int failures;

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

/* A server that passes everything tlsprobe can observe: TLS 1.2 + 1.3, recommended suites,
 * a trusted complete chain, a valid staple, client certificates required and validated,
 * cleartext HTTP redirecting to HTTPS with long-lived HSTS. */
static const char base_facts[] =
    "{\"starttls\":{\"status\":\"ok\",\"applicable\":false},"
    "\"versions\":{\"status\":\"ok\",\"protocols\":["
    "{\"name\":\"SSLv2\",\"accepted\":false,\"result\":\"closed\"},"
    "{\"name\":\"SSLv3\",\"accepted\":false,\"result\":\"alert handshake_failure(40)\"},"
    "{\"name\":\"TLSv1.0\",\"accepted\":false,\"result\":\"alert protocol_version(70)\"},"
    "{\"name\":\"TLSv1.1\",\"accepted\":false,\"result\":\"alert protocol_version(70)\"},"
    "{\"name\":\"TLSv1.2\",\"accepted\":true,\"result\":\"accepted\",\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\"},"
    "{\"name\":\"TLSv1.3\",\"accepted\":true,\"result\":\"accepted\",\"cipher\":\"TLS_AES_256_GCM_SHA384\"}],"
    "\"accepted\":[\"TLSv1.2\",\"TLSv1.3\"],\"preferred\":\"TLSv1.3\",\"preferred_cipher\":\"TLS_AES_256_GCM_SHA384\","
    "\"preference_result\":\"accepted\"},"
    "\"ciphers\":{\"status\":\"ok\",\"protocols\":["
    "{\"name\":\"TLSv1.2\",\"server_order\":true,\"complete\":true,\"undecided\":[],\"closes_when_picked\":[],\"suites\":["
    "{\"code\":\"0xC030\",\"name\":\"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\",\"kx\":\"ECDHE\",\"au\":\"RSA\",\"bits\":256,"
    "\"aead\":true,\"forward_secrecy\":true,\"class\":\"recommended\",\"why\":\"AEAD with forward secrecy\"},"
    "{\"code\":\"0xC02F\",\"name\":\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\"kx\":\"ECDHE\",\"au\":\"RSA\",\"bits\":128,"
    "\"aead\":true,\"forward_secrecy\":true,\"class\":\"recommended\",\"why\":\"AEAD with forward secrecy\"}]},"
    "{\"name\":\"TLSv1.3\",\"server_order\":null,\"complete\":true,\"undecided\":[],\"closes_when_picked\":[],\"suites\":["
    "{\"code\":\"0x1302\",\"name\":\"TLS_AES_256_GCM_SHA384\",\"kx\":\"ANY\",\"au\":\"ANY\",\"bits\":256,"
    "\"aead\":true,\"forward_secrecy\":true,\"class\":\"recommended\",\"why\":\"AEAD with forward secrecy\"}]}],"
    "\"accepted\":[\"TLS_AES_256_GCM_SHA384\",\"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\","
    "\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"],\"forward_secrecy\":\"all\"},"
    "\"certificate\":{\"status\":\"ok\",\"source\":\"handshake\","
    "\"chain\":[{\"subject\":\"CN=a.test\",\"san\":[\"DNS:a.test\"],\"key_type\":\"RSA\",\"key_bits\":2048,"
    "\"signature_algorithm\":\"sha256WithRSAEncryption\",\"self_signed\":false}],"
    "\"chain_analysis\":{\"served\":2,\"complete\":true,\"completed_via_aia\":false,\"issues\":[]},"
    "\"trust\":{\"store\":\"system\",\"verified\":true,\"error\":null,\"anchor\":\"CN=root\",\"pin\":null},"
    "\"name\":{\"checked\":\"a.test\",\"type\":\"dns\",\"matched\":true,\"wildcard\":false},"
    "\"expired\":false,\"not_yet_valid\":false,\"leaf\":{\"must_staple\":false},\"ocsp_stapled\":true,"
    "\"ocsp_staple\":{\"present\":true,\"verdict\":\"valid\",\"cert_status\":\"good\",\"this_update\":\"2026-01-01T00:00:00Z\","
    "\"next_update\":\"2027-01-01T00:00:00Z\",\"responder\":\"issuer\",\"revocation_reason\":null,\"error\":null},"
    "\"revocation\":{\"offline\":false,\"method\":\"ocsp\",\"ocsp\":{\"url\":\"http://ocsp.a.test\",\"cert_status\":\"good\","
    "\"revocation_reason\":null},\"crl\":null,\"result\":\"good\",\"error\":null}},"
    "\"http\":{\"status\":\"ok\",\"applicable\":true,\"detected\":true,\"tls\":true,"
    "\"https\":{\"url\":\"https://a.test/\",\"status\":200,\"hsts\":{\"present\":true,\"max_age\":63072000,\"max_age_ok\":true,"
    "\"include_subdomains\":true,\"preload\":false,\"raw\":\"max-age=63072000\",\"valid\":true,\"error\":null}},"
    "\"cleartext\":{\"port\":80,\"url\":\"http://a.test/\",\"listening\":true,\"upgrades\":true,"
    "\"chain\":[{\"url\":\"http://a.test/\",\"status\":301,\"location\":\"https://a.test/\"}],"
    "\"final_status\":200,\"final_url\":\"https://a.test/\",\"error\":null},"
    "\"cleartext_on_tls_port\":{\"url\":\"http://a.test:443/\",\"status\":400,\"serves_content\":false,\"error\":null}},"
    "\"mtls\":{\"status\":\"ok\",\"requested\":true,\"required\":true,\"accepts_untrusted\":false,\"ca_names\":[],"
    "\"by_version\":{\"TLSv1.3\":{\"requested\":true,\"required\":true,\"required_evidence\":\"without a certificate: alert\","
    "\"accepts_untrusted\":false,\"untrusted_evidence\":\"self-signed certificate: alert\"}}}}";

#define SMTP_FACTS                                                                                                  \
    "{\"starttls\":{\"status\":\"ok\",\"applicable\":true,\"protocol\":\"smtp\",\"implicit_tls\":false,"           \
    "\"starttls_offered\":true,\"auth_before_starttls\":false,\"plaintext_accepted\":null,\"error\":null}}"
/* Implicit TLS: the scheme says TLS from the first byte; PASS needs a version seen accepted. */
#define IMPLICIT_FACTS "{\"starttls\":{\"status\":\"ok\",\"applicable\":true,\"protocol\":\"smtp\",\"implicit_tls\":true}}"
#define PG_FACTS                                                                                                    \
    "{\"starttls\":{\"status\":\"ok\",\"applicable\":true,\"protocol\":\"postgres\",\"implicit_tls\":false,"       \
    "\"starttls_offered\":true,\"auth_before_starttls\":null,\"plaintext_accepted\":false,\"error\":null}}"
/* 9.1.2: an acceptable suite after the recommended ones, in the server's order. */
#define ORDERED_FACTS                                                                                               \
    "{\"ciphers\":{\"protocols\":[{\"name\":\"TLSv1.2\",\"server_order\":true,\"complete\":true,\"suites\":["      \
    "{\"name\":\"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\",\"class\":\"recommended\",\"forward_secrecy\":true},"      \
    "{\"name\":\"TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384\",\"class\":\"acceptable\",\"forward_secrecy\":true}]},"  \
    "{\"name\":\"TLSv1.3\",\"complete\":true,\"suites\":[{\"name\":\"TLS_AES_256_GCM_SHA384\","                  \
    "\"class\":\"recommended\",\"forward_secrecy\":true}]}]}}"

typedef enum { M_NULL, M_DEL, M_WRONG, M_SET } mut_t;

typedef struct mutation {
    const char *path;    /* "a.b[1].c" */
    mut_t kind;
    const char *value;   /* M_SET: JSON */
    const char *want;    /* the evidence must contain this */
} mutation_t;

typedef struct row {
    const char *name, *id;
    bool internal, mtls_expected;
    int lo, hi;                   /* levels the row holds at (a rule is run at every level, scored or not) */
    const char *service;          /* the target's scheme, or NULL */
    int npins;
    const char *patch;            /* merged into the base facts (JSON object), or NULL */
    const char *informative[8];   /* path globs ('*' matches anything) read only for evidence */
    mutation_t deciding[20];
} row_t;

#define CERT_INFO "certificate.trust.store", "certificate.trust.anchor", "certificate.revocation*", "certificate.ocsp_staple*"
#define CERT_DECIDING                                                                            \
    { "certificate", M_DEL, NULL, "certificate probe did not run" },                                           \
    { "certificate.status", M_SET, "\"error\"", "certificate probe failed" },                                  \
    { "certificate.status", M_NULL, NULL, "certificate probe recorded no status" },                            \
    { "certificate.trust.verified", M_NULL, NULL, "verification result is unknown" },                          \
    { "certificate.trust.verified", M_WRONG, NULL, "verification result is unknown" },                         \
    { "certificate.trust", M_DEL, NULL, "verification result is unknown" },                                    \
    { "certificate.name.matched", M_NULL, NULL, "whether the certificate covers 'a.test' is unknown" },        \
    { "certificate.name.checked", M_NULL, NULL, "no name was checked" },                                       \
    { "certificate.name", M_DEL, NULL, "no name was checked" },                                                \
    { "certificate.trust.pin", M_SET, "{\"configured\":1,\"matched\":null}", "pin-sha256 is unknown" }
#define VERSIONS_DECIDING                                                                                      \
    { "versions", M_DEL, NULL, "versions probe did not run" },                                                 \
    { "versions.status", M_SET, "\"error\"", "versions probe failed" },                                        \
    { "versions.protocols", M_NULL, NULL, "SSLv2 not in the versions facts" },                                 \
    { "versions.protocols[0].accepted", M_NULL, NULL, "SSLv2 undetermined (closed)" },                         \
    { "versions.protocols[1].accepted", M_DEL, NULL, "SSLv3 undetermined" },                                   \
    { "versions.protocols[2].accepted", M_NULL, NULL, "TLSv1.0 undetermined (alert protocol_version(70))" },    \
    { "versions.protocols[3].accepted", M_WRONG, NULL, "TLSv1.1 undetermined" },                               \
    { "versions.protocols[3]", M_DEL, NULL, "TLSv1.1 not in the versions facts" },                             \
    { "versions.protocols[4].accepted", M_NULL, NULL, "TLSv1.2 undetermined" },                                \
    { "versions.protocols[5].accepted", M_NULL, NULL, "TLSv1.3 undetermined" }
#define SUITES_DECIDING                                                                                        \
    { "ciphers", M_DEL, NULL, "ciphers probe did not run" },                                                   \
    { "ciphers.status", M_SET, "\"error\"", "ciphers probe failed" },                                          \
    { "ciphers.protocols[0].complete", M_NULL, NULL, "TLSv1.2: the suites enumeration is not known to be complete" }, \
    { "ciphers.protocols[0].complete", M_SET, "false", "the suites of TLSv1.2 were not all decided" },          \
    { "ciphers.protocols[1].complete", M_DEL, NULL, "TLSv1.3: the suites enumeration is not known to be complete" }, \
    { "ciphers.protocols[0].undecided", M_SET, "[{\"code\":\"0x009C\",\"name\":\"TLS_RSA_WITH_AES_128_GCM_SHA256\","  \
      "\"reason\":\"closed after the hello\"}]", "1 suites of TLSv1.2 could not be decided (closed after the hello)" }, \
    { "ciphers.protocols[0]", M_DEL, NULL, "TLSv1.2 accepted but its suites were not enumerated" },             \
    { "ciphers.protocols[0].suites[0].class", M_NULL, NULL, "has no known class" },                            \
    { "ciphers.protocols[0].suites[1]", M_NULL, NULL, "has no known class" },                                  \
    { "versions", M_DEL, NULL, "versions probe did not run" },                                                 \
    { "versions.protocols[2].accepted", M_NULL, NULL, "TLSv1.0 undetermined (alert protocol_version(70)): its suites are unknown" }
#define HTTP_DECIDING                                                                                          \
    { "http", M_DEL, NULL, "not probed" },                                                                     \
    { "http.status", M_SET, "\"error\"", "http probe failed" },                                                \
    { "http.applicable", M_NULL, NULL, "" },                                                                   \
    { "http.tls", M_NULL, NULL, "" },                                                                          \
    { "http.cleartext.upgrades", M_NULL, NULL, "" },                                                           \
    { "http.cleartext.listening", M_NULL, NULL, "" },                                                          \
    { "http.cleartext", M_DEL, NULL, "" },                                                                     \
    { "http.cleartext_on_tls_port.serves_content", M_NULL, NULL, "" },                                        \
    { "http.cleartext_on_tls_port", M_DEL, NULL, "" }
#define HSTS_DECIDING                                                                                          \
    { "http.https.hsts.present", M_NULL, NULL, "" },                                                           \
    { "http.https.hsts.valid", M_NULL, NULL, "" },                                                             \
    { "http.https.hsts.max_age", M_NULL, NULL, "" },                                                           \
    { "http.https.hsts", M_DEL, NULL, "" }
#define HTTP_INFO "http.cleartext.port", "http.cleartext.chain*", "http.cleartext_on_tls_port.status"
#define MTLS_DECIDING(field)                                                                                   \
    { "mtls", M_DEL, NULL, "client certificate handling was not probed" },                                     \
    { "mtls.status", M_SET, "\"error\"", "mtls probe failed" },                                                \
    { "mtls.accepts_untrusted", M_NULL, NULL, "whether the server rejects an untrusted client certificate is undetermined: self-signed certificate: alert" }, \
    { "mtls." field, M_NULL, NULL, "is undetermined: without a certificate: alert" }

static const row_t rows[] = {
    { "12.1.1", "12.1.1", false, false, 1, 3, NULL, 0, NULL, { NULL },
      { VERSIONS_DECIDING, { "versions.preferred", M_NULL, NULL, "TLSv1.3 accepted but the version the server prefers is undetermined (accepted)" } } },
    { "9.1.3", "9.1.3", true, false, 1, 3, NULL, 0, NULL, { NULL }, { VERSIONS_DECIDING } },
    { "12.1.2 levels 1-2", "12.1.2", false, false, 1, 2, NULL, 0, NULL, { "ciphers.protocols[*].suites[*].forward_secrecy" },
      { SUITES_DECIDING } },
    { "12.1.2 level 3", "12.1.2", false, false, 3, 3, NULL, 0, NULL, { NULL },
      { SUITES_DECIDING, { "ciphers.protocols[1].suites[0].forward_secrecy", M_NULL, NULL, "forward secrecy of TLSv1.3 TLS_AES_256_GCM_SHA384 unknown" } } },
    { "9.1.2", "9.1.2", false, false, 1, 3, NULL, 0, NULL, { "ciphers.protocols[*].suites[*].forward_secrecy" },
      { SUITES_DECIDING } },
    { "9.1.2 server order", "9.1.2", true, false, 1, 3, NULL, 0, ORDERED_FACTS, { "ciphers.protocols[*].suites[*].forward_secrecy" },
      { { "ciphers.protocols[0].server_order", M_NULL, NULL, "whether the server or the client picks among suites of different strength is undetermined" },
        { "ciphers.protocols[0].suites[1].class", M_NULL, NULL, "has no known class" } } },
    { "12.1.3", "12.1.3", false, false, 1, 3, NULL, 0, NULL, { "mtls.required" }, { MTLS_DECIDING("requested") } },
    { "12.1.3 mtls expected", "12.1.3", true, true, 1, 3, NULL, 0, NULL, { "mtls.required" }, { MTLS_DECIDING("requested") } },
    { "12.1.4", "12.1.4", false, false, 1, 3, NULL, 0, NULL,
      { "certificate.ocsp_staple.cert_status", "certificate.ocsp_staple.responder", "certificate.ocsp_staple.next_update" },
      { { "certificate", M_DEL, NULL, "certificate probe did not run" },
        { "certificate.ocsp_staple", M_NULL, NULL, "stapling unknown" },
        { "certificate.ocsp_staple.verdict", M_NULL, NULL, "the OCSP staple was not judged" } } },
    { "9.2.4", "9.2.4", true, false, 1, 3, NULL, 0, NULL,
      { "certificate.ocsp_staple.cert_status", "certificate.ocsp_staple.responder", "certificate.ocsp_staple.next_update" },
      { { "certificate.ocsp_staple.verdict", M_WRONG, NULL, "the OCSP staple was not judged" } } },
    { "12.1.5", "12.1.5", false, false, 1, 3, NULL, 0, "{\"ech\":{\"status\":\"ok\",\"accepted\":true}}", { NULL },
      { { "ech", M_DEL, NULL, "not probed" }, { "ech.accepted", M_NULL, NULL, "whether ECH is accepted is undetermined" },
        { "ech.status", M_SET, "\"error\"", "ech probe failed" } } },
    { "[web] 12.2.1", "12.2.1", false, false, 1, 3, NULL, 0, NULL, { HTTP_INFO }, { HTTP_DECIDING, HSTS_DECIDING } },
    { "12.2.2", "12.2.2", false, false, 1, 3, NULL, 0, NULL, { CERT_INFO },
      { CERT_DECIDING, { "certificate.chain_analysis.completed_via_aia", M_NULL, NULL, "complete as served is unknown" },
        { "certificate.chain_analysis", M_DEL, NULL, "complete as served is unknown" } } },
    { "12.2.2 pins configured", "12.2.2", false, false, 1, 3, NULL, 1,
      "{\"certificate\":{\"trust\":{\"pin\":{\"configured\":1,\"matched\":true,\"matched_subject\":\"CN=a.test\"}}}}", { CERT_INFO },
      { { "certificate.trust.pin", M_NULL, NULL, "pin-sha256 configured but not checked" },
        { "certificate.trust.pin.matched", M_NULL, NULL, "pin-sha256 is unknown" } } },
    { "[web] 12.3.1 HTTP", "12.3.1", false, false, 1, 3, NULL, 0, NULL, { HTTP_INFO, "http.https*" }, { HTTP_DECIDING } },
    { "12.3.1 STARTTLS smtp", "12.3.1", false, false, 1, 3, "smtp", 0, SMTP_FACTS, { NULL },
      { { "starttls", M_DEL, NULL, "starttls probe did not run" },
        { "starttls.status", M_SET, "\"error\"", "starttls probe failed" },
        { "starttls.applicable", M_NULL, NULL, "whether this is a STARTTLS service is unknown" },
        { "starttls.protocol", M_NULL, NULL, "the service's protocol is unknown" },
        { "starttls.starttls_offered", M_NULL, NULL, "smtp: whether STARTTLS is offered cannot be seen" },
        { "starttls.auth_before_starttls", M_NULL, NULL, "smtp: whether authentication is refused before STARTTLS cannot be seen" },
        { "starttls.auth_before_starttls", M_DEL, NULL, "smtp: whether authentication is refused" } } },
    /* One accepted version proves TLS: which one is evidence, not a deciding fact. */
    { "12.3.1 implicit TLS", "12.3.1", false, false, 1, 3, "smtps", 0, IMPLICIT_FACTS,
      { "versions.protocols[4]*", "versions.protocols[5]*" },
      { { "versions", M_DEL, NULL, "versions probe did not run" },
        { "versions.status", M_SET, "\"error\"", "versions probe failed" },
        { "versions.protocols", M_SET, "[{\"name\":\"TLSv1.2\",\"accepted\":null,\"result\":\"timeout\"}]",
          "no TLS version was seen accepted" } } },
    { "9.2.2 STARTTLS postgres", "9.2.2", true, false, 1, 3, "postgres", 0, PG_FACTS, { NULL },
      { { "starttls.plaintext_accepted", M_NULL, NULL, "postgres: whether clients without TLS are refused cannot be seen" },
        { "starttls.starttls_offered", M_WRONG, NULL, "postgres: whether STARTTLS is offered" } } },
    { "12.3.2", "12.3.2", false, false, 1, 3, NULL, 0, NULL, { NULL }, { { NULL, M_NULL, NULL, NULL } } },
    { "[web] 12.3.3", "12.3.3", true, false, 1, 3, NULL, 0, NULL, { HTTP_INFO, "http.https*" }, { HTTP_DECIDING } },
    { "12.3.4", "12.3.4", true, false, 1, 3, NULL, 0, NULL, { CERT_INFO }, { CERT_DECIDING } },
    { "12.3.5", "12.3.5", true, false, 1, 3, NULL, 0, NULL, { NULL }, { MTLS_DECIDING("required") } },
    { "[web] 9.1.1 HTTP", "9.1.1", false, false, 1, 3, NULL, 0, NULL, { HTTP_INFO, "http.https*" }, { HTTP_DECIDING } },
    { "9.1.1 STARTTLS smtp", "9.1.1", true, false, 1, 3, "smtp", 0, SMTP_FACTS, { NULL },
      { { "starttls.auth_before_starttls", M_WRONG, NULL, "authentication is refused before STARTTLS" } } },
    { "9.2.1", "9.2.1", false, false, 1, 3, NULL, 0, NULL, { CERT_INFO }, { CERT_DECIDING } },
    { "9.2.1 internal", "9.2.1", true, false, 1, 3, NULL, 0, NULL, { CERT_INFO }, { CERT_DECIDING } },
    { "9.2.3", "9.2.3", false, false, 1, 3, NULL, 0, NULL, { CERT_INFO }, { CERT_DECIDING } },
    { "[web] 9.2.2 HTTP", "9.2.2", true, false, 1, 3, NULL, 0, NULL, { HTTP_INFO, "http.https*" }, { HTTP_DECIDING } },
    { "9.2.5", "9.2.5", false, false, 1, 3, NULL, 0, NULL, { NULL }, { { NULL, M_NULL, NULL, NULL } } },
};

/* ---- trees and paths */

/* Merges patch into o, member by member (objects recursively; anything else replaces). */
static void merge(json_object *o, json_object *patch)
{
    json_object_object_foreach(patch, key, val) {
        json_object *cur = NULL;
        if (json_object_object_get_ex(o, key, &cur) && json_object_is_type(cur, json_type_object) &&
            json_object_is_type(val, json_type_object))
            merge(cur, val);
        else
            json_object_object_add(o, key, json_object_get(val));
    }
}

/* The parent of the node a path names, and its last step: a key, or an index (key NULL). */
static json_object *parent_of(json_object *root, const char *path, char *key, size_t keylen, long *index)
{
    json_object *cur = root;
    const char *p = path;
    for (;;) {
        size_t n = strcspn(p, ".[");
        char step[64];
        snprintf(step, sizeof step, "%.*s", (int)n, p);
        p += n;
        long i = -1;
        if (*p == '[') {
            i = strtol(p + 1, NULL, 10);
            p = strchr(p, ']') + 1;
        }
        bool last = !*p;
        if (last && i < 0) {
            snprintf(key, keylen, "%s", step);
            *index = -1;
            return cur;
        }
        json_object *next = NULL;
        if (!json_object_object_get_ex(cur, step, &next))
            return NULL;
        if (last) {
            key[0] = '\0';
            *index = i;
            return next;
        }
        cur = i >= 0 ? json_object_array_get_idx(next, (size_t)i) : next;
        if (*p == '.')
            p++;
    }
}

static json_object *wrong_type(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_string: return json_object_new_int(42);
    case json_type_int: case json_type_double: return json_object_new_string("7");
    case json_type_boolean: return json_object_new_string("true");
    default: return json_object_new_string("x");
    }
}

/* Applies one mutation; false when the path does not exist (a broken table). */
static bool mutate(json_object *root, const char *path, mut_t kind, const char *value)
{
    char key[64];
    long i;
    json_object *parent = parent_of(root, path, key, sizeof key, &i), *old = NULL;
    if (!parent)
        return false;
    if (i >= 0) {
        if (!json_object_is_type(parent, json_type_array) || (size_t)i >= json_object_array_length(parent))
            return false;
        old = json_object_array_get_idx(parent, (size_t)i);
        if (kind == M_DEL)
            return json_object_array_del_idx(parent, (size_t)i, 1) == 0;
        json_object *nv = kind == M_NULL ? NULL : kind == M_WRONG ? wrong_type(old) : json_tokener_parse(value);
        return json_object_array_put_idx(parent, (size_t)i, nv) == 0;
    }
    if (!json_object_is_type(parent, json_type_object) || (kind != M_SET && !json_object_object_get_ex(parent, key, &old)))
        return false;
    if (kind == M_DEL) {
        json_object_object_del(parent, key);
        return true;
    }
    json_object *nv = kind == M_NULL ? NULL : kind == M_WRONG ? wrong_type(old) : json_tokener_parse(value);
    json_object_object_add(parent, key, nv);
    return true;
}

/* '*' matches any run of characters. */
static bool glob(const char *pat, const char *s)
{
    if (!*pat)
        return !*s;
    if (*pat == '*')
        return glob(pat + 1, s) || (*s && glob(pat, s + 1));
    return *s == *pat && glob(pat + 1, s + 1);
}

static bool informative(const row_t *r, const char *path)
{
    for (size_t i = 0; i < 8 && r->informative[i]; i++)
        if (glob(r->informative[i], path))
            return true;
    return false;
}

/* ---- running a rule */

static json_object *row_tree(const row_t *r)
{
    json_object *t = json_tokener_parse(base_facts);
    if (t && r->patch) {
        json_object *p = json_tokener_parse(r->patch);
        merge(t, p);
        json_object_put(p);
    }
    return t;
}

static verdict_t run(const row_t *r, int level, json_object *facts, char *ev, size_t evlen)
{
    char *pins[1] = { "sha256/AAAA" };
    target_t t = { .host = "a.test", .port = 443, .internal = r->internal, .mtls_expected = r->mtls_expected,
                   .pins = pins, .npins = (size_t)r->npins,
                   .service = r->service ? service_by_scheme(r->service, strlen(r->service)) : NULL };
    rule_ctx_t ctx = { .facts = facts, .target = &t, .level = level };
    ev[0] = '\0';
    return requirement_by_id(r->id)->rule(&ctx, ev, evlen);
}

static bool unknown_verdict(verdict_t v, const char *ev)
{
    return (v == VERDICT_ERROR || v == VERDICT_MANUAL) && ev[0];
}

static const char *const kind_names[] = { "null", "absent", "wrong type", "set" };

static void deciding_facts(const row_t *r, int level)
{
    for (size_t i = 0; i < sizeof r->deciding / sizeof *r->deciding && r->deciding[i].path; i++) {
        const mutation_t *m = &r->deciding[i];
        json_object *t = row_tree(r);
        char ev[768], name[300], detail[1200];
        bool applied = mutate(t, m->path, m->kind, m->value);
        verdict_t v = run(r, level, t, ev, sizeof ev);
        snprintf(name, sizeof name, "%s L%d: %s %s%s%s is not PASS", r->name, level, m->path, kind_names[m->kind],
                 m->kind == M_SET ? " " : "", m->kind == M_SET ? m->value : "");
        snprintf(detail, sizeof detail, "%s%s '%s' (want ERROR or MANUAL with '%s')", applied ? "" : "path not found; ",
                 verdict_name(v), ev, m->want);
        check(applied && unknown_verdict(v, ev) && strstr(ev, m->want), name, detail);
        json_object_put(t);
    }
}

/* Every path of the tree, depth first. */
static void collect(json_object *o, const char *prefix, char (*paths)[160], size_t *n, size_t max)
{
    if (json_object_is_type(o, json_type_object)) {
        json_object_object_foreach(o, key, val) {
            if (*n >= max)
                return;
            snprintf(paths[*n], 160, "%s%s%s", prefix, *prefix ? "." : "", key);
            char here[160];
            snprintf(here, sizeof here, "%s", paths[(*n)++]);
            collect(val, here, paths, n, max);
        }
    } else if (json_object_is_type(o, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(o) && *n < max; i++) {
            snprintf(paths[*n], 160, "%s[%zu]", prefix, i);
            char here[160];
            snprintf(here, sizeof here, "%s", paths[(*n)++]);
            collect(json_object_array_get_idx(o, i), here, paths, n, max);
        }
    }
}

#define MAX_PATHS 400

/* Every node made unknown in turn: no PASS where the rule reads the node. */
static void every_node(const row_t *r, int level, const char *base_ev)
{
    json_object *tree = row_tree(r);
    char (*paths)[160] = calloc(MAX_PATHS, 160);
    size_t n = 0, tried = 0, bad = 0;
    collect(tree, "", paths, &n, MAX_PATHS);
    char first[1400] = "";
    for (size_t i = 0; i < n; i++)
        for (int k = M_NULL; k <= M_WRONG; k++) {
            bool element = paths[i][strlen(paths[i]) - 1] == ']';
            if (k == M_DEL && element)
                continue;   /* one element fewer is other facts, not unknown ones */
            json_object *t = NULL;
            json_object_deep_copy(tree, &t, NULL);
            mutate(t, paths[i], (mut_t)k, NULL);
            char ev[768];
            verdict_t v = run(r, level, t, ev, sizeof ev);
            bool fine = v == VERDICT_PASS ? strcmp(ev, base_ev) == 0 || informative(r, paths[i]) : unknown_verdict(v, ev);
            tried++;
            if (!fine && bad++ < 4)
                snprintf(first + strlen(first), sizeof first - strlen(first), "%s%s %s: %s '%.160s'", bad > 1 ? "; " : "",
                         paths[i], kind_names[k], verdict_name(v), ev);
            json_object_put(t);
        }
    char name[200], detail[1600];
    snprintf(name, sizeof name, "%s L%d: every node made unknown (%zu cases): no PASS on what the rule reads", r->name,
             level, tried);
    snprintf(detail, sizeof detail, "%zu cases: %s", bad, first);
    check(n > 20 && bad == 0, name, detail);
    free(paths);
    json_object_put(tree);
}

#define NROWS (sizeof rows / sizeof *rows)

/* "Over every requirement": the catalogue's, each with a row here, and no row for another. */
static void covers_catalogue(void)
{
    char missing[400] = "", stray[400] = "";
    for (size_t i = 0; i < requirements_count; i++) {
        bool covered = false;
        for (size_t j = 0; j < NROWS; j++)
            covered |= strcmp(rows[j].id, requirements[i].id) == 0;
        if (!covered)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s", requirements[i].id);
    }
    for (size_t j = 0; j < NROWS; j++)
        if (!requirement_by_id(rows[j].id))
            snprintf(stray + strlen(stray), sizeof stray - strlen(stray), " %s", rows[j].id);
    char name[120];
    snprintf(name, sizeof name, "every requirement of the catalogue (%zu) has a row", requirements_count);
    check(!missing[0], name, missing);
    check(!stray[0], "every row names a requirement of the catalogue", stray);
}

int main(void)
{
    covers_catalogue();
    for (size_t i = 0; i < NROWS; i++) {
        const row_t *r = &rows[i];
        if (!requirement_by_id(r->id))
            continue;   /* said above */
        for (int level = r->lo; level <= r->hi; level++) {
            json_object *t = row_tree(r);
            char ev[768], name[200], detail[900];
            verdict_t v = run(r, level, t, ev, sizeof ev);
            json_object_put(t);
            bool manual_only = !r->deciding[0].path;
            snprintf(name, sizeof name, "%s L%d: the passing tree %s", r->name, level, manual_only ? "is MANUAL" : "PASSes");
            snprintf(detail, sizeof detail, "%s '%s'", verdict_name(v), ev);
            check(v == (manual_only ? VERDICT_MANUAL : VERDICT_PASS) && ev[0], name, detail);
            if (v != VERDICT_PASS && !manual_only)
                continue;   /* nothing to compare with */
            deciding_facts(r, level);
            every_node(r, level, manual_only ? "" : ev);
        }
    }
    return failures ? 1 : 0;
}
