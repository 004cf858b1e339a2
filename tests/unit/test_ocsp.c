/* OCSP staple verdicts and the offline/no-source revocation paths, against a PKI and OCSP
 * responses built in-process (root -> issuer -> leaf, a delegated responder, an unrelated CA). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "http_fetch.h"
#include "net.h"
#include "ocsp_check.h"

static int failures;
static time_t now;

static void check(int cond, const char *name, const char *fmt, ...)
{
    char detail[1024] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

/* ---- a tiny PKI ---- */

typedef struct ca {
    X509 *cert;
    EVP_PKEY *key;
} ca_t;

static void add_ext(X509 *cert, X509 *issuer, const char *name, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_nconf(NULL, &ctx, name, value);
    if (!ext || !X509_add_ext(cert, ext, -1)) {
        fprintf(stderr, "cannot add %s=%s\n", name, value);
        exit(2);
    }
    X509_EXTENSION_free(ext);
}

/* exts: "name", "value" pairs, NULL-terminated. issuer NULL: self-signed. */
static ca_t make_cert(const char *cn, const ca_t *issuer, long serial, long not_before_off, long not_after_off,
                      const char *const *exts)
{
    ca_t c = { X509_new(), EVP_EC_gen("P-256") };
    X509_NAME *name = X509_NAME_new();
    if (!c.cert || !c.key || !name) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"tlsprobe unit", -1, -1, 0);
    X509_set_version(c.cert, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(c.cert), serial);
    X509_set_subject_name(c.cert, name);
    X509_set_issuer_name(c.cert, issuer ? X509_get_subject_name(issuer->cert) : name);
    X509_time_adj_ex(X509_getm_notBefore(c.cert), 0, not_before_off, &now);
    X509_time_adj_ex(X509_getm_notAfter(c.cert), 0, not_after_off, &now);
    X509_set_pubkey(c.cert, c.key);
    add_ext(c.cert, c.cert, "subjectKeyIdentifier", "hash");
    add_ext(c.cert, issuer ? issuer->cert : c.cert, "authorityKeyIdentifier", "keyid");
    for (int i = 0; exts && exts[i]; i += 2)
        add_ext(c.cert, issuer ? issuer->cert : c.cert, exts[i], exts[i + 1]);
    if (!X509_sign(c.cert, issuer ? issuer->key : c.key, EVP_sha256())) {
        fprintf(stderr, "cannot sign %s\n", cn);
        exit(2);
    }
    X509_NAME_free(name);
    return c;
}

static void ca_free(ca_t *c)
{
    X509_free(c->cert);
    EVP_PKEY_free(c->key);
}

static const char *const CA_EXTS[] = { "basicConstraints", "critical,CA:TRUE", "keyUsage", "critical,keyCertSign,cRLSign", NULL };
static const char *const LEAF_EXTS[] = { "basicConstraints", "CA:FALSE", "extendedKeyUsage", "serverAuth",
                                         "subjectAltName", "DNS:leaf.test", NULL };
static const char *const RESPONDER_EXTS[] = { "basicConstraints", "CA:FALSE", "keyUsage", "critical,digitalSignature",
                                              "extendedKeyUsage", "OCSPSigning", NULL };
static const char *const NOT_RESPONDER_EXTS[] = { "basicConstraints", "CA:FALSE", "extendedKeyUsage", "serverAuth", NULL };

static ca_t root, issuer, leaf, other_leaf, responder, responder_no_eku, responder_expired, responder_by_root,
    unrelated;

/* ---- OCSP responses ---- */

#define NO_NEXT_UPDATE 0x7fffffffL

typedef struct response_spec {
    X509 *subject, *subject_issuer;  /* the CertID */
    const EVP_MD *certid_md;         /* NULL: SHA-1 */
    int status, reason;
    long this_off, next_off;         /* seconds from now; next_off NO_NEXT_UPDATE: absent */
    const ca_t *signer;
    unsigned long sign_flags;        /* OCSP_NOCERTS: signer certificate left out */
    bool decoy_first;                /* a SingleResponse for other_leaf before the real one */
    int response_status;             /* OCSP_RESPONSE_STATUS_*; anything but SUCCESSFUL has no body */
} response_spec_t;

static void add_status(OCSP_BASICRESP *bs, X509 *subject, X509 *subject_issuer, const EVP_MD *md, int status,
                       int reason, long this_off, long next_off)
{
    OCSP_CERTID *id = OCSP_cert_to_id(md ? md : EVP_sha1(), subject, subject_issuer);
    ASN1_GENERALIZEDTIME *thisupd = ASN1_GENERALIZEDTIME_adj(NULL, now, 0, this_off);
    ASN1_GENERALIZEDTIME *nextupd = next_off == NO_NEXT_UPDATE ? NULL : ASN1_GENERALIZEDTIME_adj(NULL, now, 0, next_off);
    ASN1_GENERALIZEDTIME *revtime = ASN1_GENERALIZEDTIME_adj(NULL, now, -1, 0);
    if (!id || !OCSP_basic_add1_status(bs, id, status, reason, status == V_OCSP_CERTSTATUS_REVOKED ? revtime : NULL,
                                       thisupd, nextupd)) {
        fprintf(stderr, "cannot add a status\n");
        exit(2);
    }
    OCSP_CERTID_free(id);
    ASN1_TIME_free(thisupd);
    ASN1_TIME_free(nextupd);
    ASN1_TIME_free(revtime);
}

static unsigned char *build_response(const response_spec_t *s, size_t *len)
{
    OCSP_BASICRESP *bs = NULL;
    if (s->response_status == OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        bs = OCSP_BASICRESP_new();
        if (s->decoy_first)
            add_status(bs, other_leaf.cert, issuer.cert, NULL, V_OCSP_CERTSTATUS_GOOD, 0, -3600, 86400);
        add_status(bs, s->subject ? s->subject : leaf.cert, s->subject_issuer ? s->subject_issuer : issuer.cert,
                   s->certid_md, s->status, s->reason, s->this_off, s->next_off);
        const ca_t *signer = s->signer ? s->signer : &issuer;
        if (!OCSP_basic_sign(bs, signer->cert, signer->key, EVP_sha256(), NULL, s->sign_flags)) {
            fprintf(stderr, "cannot sign the response\n");
            exit(2);
        }
    }
    OCSP_RESPONSE *resp = OCSP_response_create(s->response_status, bs);
    unsigned char *der = NULL;
    int n = resp ? i2d_OCSP_RESPONSE(resp, &der) : -1;
    OCSP_RESPONSE_free(resp);
    OCSP_BASICRESP_free(bs);
    if (n <= 0) {
        fprintf(stderr, "cannot encode the response\n");
        exit(2);
    }
    *len = (size_t)n;
    return der;
}

/* The defaults: good, for the leaf, signed by the issuer without certificates, current. */
static response_spec_t spec_good(void)
{
    return (response_spec_t){ .status = V_OCSP_CERTSTATUS_GOOD, .reason = -1, .this_off = -3600, .next_off = 86400,
                              .sign_flags = OCSP_NOCERTS, .response_status = OCSP_RESPONSE_STATUS_SUCCESSFUL };
}

/* ---- JSON checks ---- */

static const char *str(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !v || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static bool is_null(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v == NULL;
}

static bool same(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

static bool iso8601(const char *s)
{
    int y, mo, d, h, mi, se;
    char z;
    return s && strlen(s) == 20 && sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) == 7 && z == 'Z';
}

static const char *const STAPLE_KEYS[] = { "present", "verdict", "cert_status", "this_update", "next_update",
                                           "responder", "revocation_reason", "error" };

static bool exact_keys(json_object *o, const char *const *keys, size_t n)
{
    if (!o || json_object_object_length(o) != (int)n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!json_object_object_get_ex(o, keys[i], NULL))
            return false;
    return true;
}

/* Checks verdict, cert_status, responder, reason; error must be null exactly when want_error is false. */
static void expect(const char *name, json_object *o, const char *verdict, const char *cert_status,
                   const char *responder, const char *reason, bool want_error)
{
    const char *js = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : "(null)";
    bool dates_ok = !cert_status || (iso8601(str(o, "this_update")) && (str(o, "next_update") == NULL ||
                                                                        iso8601(str(o, "next_update"))));
    if (getenv("TEST_OCSP_VERBOSE"))
        printf("# %s\n", js);
    check(o && exact_keys(o, STAPLE_KEYS, 8) && json_object_get_boolean(json_object_object_get(o, "present")) &&
              same(str(o, "verdict"), verdict) && same(str(o, "cert_status"), cert_status) &&
              same(str(o, "responder"), responder) && same(str(o, "revocation_reason"), reason) &&
              (want_error ? str(o, "error") != NULL : is_null(o, "error")) && dates_ok,
          name, "got %s", js);
    json_object_put(o);
}

static json_object *staple(const response_spec_t *s)
{
    size_t len;
    unsigned char *der = build_response(s, &len);
    json_object *o = ocsp_staple_facts(der, len, leaf.cert, issuer.cert, NULL, NULL, now);
    OPENSSL_free(der);
    return o;
}

/* ---- staple tests ---- */

static void test_no_staple(void)
{
    json_object *o = ocsp_staple_facts(NULL, 0, leaf.cert, issuer.cert, NULL, NULL, now);
    bool ok = exact_keys(o, STAPLE_KEYS, 8) && !json_object_get_boolean(json_object_object_get(o, "present")) &&
              same(str(o, "verdict"), "none");
    for (size_t i = 2; i < 8; i++)
        ok = ok && is_null(o, STAPLE_KEYS[i]);
    check(ok, "no staple: present false, verdict none, the rest null", "got %s", json_object_to_json_string(o));
    json_object_put(o);
    unsigned char byte = 0x30;
    o = ocsp_staple_facts(&byte, 0, leaf.cert, NULL, NULL, NULL, now);
    check(o && same(str(o, "verdict"), "none"), "zero-length staple is no staple", "got %s", json_object_to_json_string(o));
    json_object_put(o);
}

static void test_verdicts(void)
{
    response_spec_t s = spec_good();
    expect("good, signed by the issuer: valid", staple(&s), "valid", "good", "issuer", NULL, false);

    s = spec_good();
    s.sign_flags = 0;
    expect("good, signed by the issuer, issuer certificate included: valid", staple(&s), "valid", "good", "issuer", NULL, false);

    s = spec_good();
    s.signer = &responder;
    s.sign_flags = 0;
    expect("good, signed by a delegated responder: valid/delegated", staple(&s), "valid", "good", "delegated", NULL, false);

    s = spec_good();
    s.sign_flags = OCSP_NOCERTS | OCSP_RESPID_KEY;
    expect("responderID by key hash (issuer): valid", staple(&s), "valid", "good", "issuer", NULL, false);

    s = spec_good();
    s.signer = &responder;
    s.sign_flags = OCSP_RESPID_KEY;
    expect("responderID by key hash (delegated): valid/delegated", staple(&s), "valid", "good", "delegated", NULL, false);

    s = spec_good();
    s.signer = &responder;
    s.sign_flags = OCSP_NOCERTS;
    expect("delegated responder certificate not in the response: invalid", staple(&s), "invalid", NULL, NULL, NULL, true);

    s = spec_good();
    s.signer = &responder_no_eku;
    s.sign_flags = 0;
    expect("responder issued by the issuer without EKU OCSPSigning: invalid", staple(&s), "invalid", NULL, NULL, NULL, true);

    s = spec_good();
    s.signer = &responder_by_root;
    s.sign_flags = 0;
    expect("OCSPSigning responder issued by another CA (the root): invalid", staple(&s), "invalid", NULL, NULL, NULL, true);

    s = spec_good();
    s.signer = &responder_expired;
    s.sign_flags = 0;
    expect("expired delegated responder: invalid", staple(&s), "invalid", NULL, NULL, NULL, true);

    s = spec_good();
    s.status = V_OCSP_CERTSTATUS_REVOKED;
    s.reason = OCSP_REVOKED_STATUS_KEYCOMPROMISE;
    expect("revoked keyCompromise: revoked + reason", staple(&s), "revoked", "revoked", "issuer", "keyCompromise", false);

    s = spec_good();
    s.status = V_OCSP_CERTSTATUS_REVOKED;
    s.reason = 10;
    expect("revoked aACompromise (reason 10)", staple(&s), "revoked", "revoked", "issuer", "aACompromise", false);

    s = spec_good();
    s.status = V_OCSP_CERTSTATUS_REVOKED;
    s.reason = -1;
    expect("revoked without a reason: reason null", staple(&s), "revoked", "revoked", "issuer", NULL, false);

    s = spec_good();
    s.status = V_OCSP_CERTSTATUS_UNKNOWN;
    expect("status unknown: unknown", staple(&s), "unknown", "unknown", "issuer", NULL, false);

    s = spec_good();
    s.this_off = -2 * 86400;
    s.next_off = -86400;
    expect("nextUpdate in the past: stale", staple(&s), "stale", "good", "issuer", NULL, true);

    s = spec_good();
    s.this_off = -86400;
    s.next_off = -120;
    expect("nextUpdate 2 minutes ago (within skew): valid", staple(&s), "valid", "good", "issuer", NULL, false);

    s = spec_good();
    s.this_off = 3600;
    s.next_off = 2 * 86400;
    expect("thisUpdate an hour in the future: stale", staple(&s), "stale", "good", "issuer", NULL, true);

    s = spec_good();
    s.this_off = 120;
    expect("thisUpdate 2 minutes in the future (within skew): valid", staple(&s), "valid", "good", "issuer", NULL, false);

    s = spec_good();
    s.this_off = -8 * 86400;
    s.next_off = NO_NEXT_UPDATE;
    expect("no nextUpdate, thisUpdate 8 days old: stale", staple(&s), "stale", "good", "issuer", NULL, true);

    s = spec_good();
    s.this_off = -86400;
    s.next_off = NO_NEXT_UPDATE;
    expect("no nextUpdate, thisUpdate 1 day old: valid", staple(&s), "valid", "good", "issuer", NULL, false);

    s = spec_good();
    s.this_off = -3600;
    s.next_off = -7200;
    expect("nextUpdate before thisUpdate: invalid", staple(&s), "invalid", "good", "issuer", NULL, true);

    s = spec_good();
    s.status = V_OCSP_CERTSTATUS_REVOKED;
    s.reason = OCSP_REVOKED_STATUS_KEYCOMPROMISE;
    s.this_off = -2 * 86400;
    s.next_off = -86400;
    expect("stale revoked response: stale, status and reason still shown", staple(&s), "stale", "revoked", "issuer",
           "keyCompromise", true);

    s = spec_good();
    s.subject = other_leaf.cert;
    expect("response for another certificate: wrong", staple(&s), "wrong", NULL, "issuer", NULL, true);

    s = spec_good();
    s.subject = leaf.cert;
    s.subject_issuer = root.cert; /* same serial, CertID of another CA */
    expect("CertID with another issuer's hashes: wrong", staple(&s), "wrong", NULL, "issuer", NULL, true);

    s = spec_good();
    s.decoy_first = true;
    expect("several SingleResponses, the leaf's second: valid", staple(&s), "valid", "good", "issuer", NULL, false);

    s = spec_good();
    s.certid_md = EVP_sha256();
    expect("SHA-256 CertID: valid", staple(&s), "valid", "good", "issuer", NULL, false);

    s = spec_good();
    s.signer = &unrelated;
    s.sign_flags = 0;
    expect("signed by an unrelated key (its certificate included): invalid", staple(&s), "invalid", NULL, NULL, NULL, true);

    s = spec_good();
    s.signer = &unrelated;
    s.sign_flags = OCSP_NOCERTS;
    expect("signed by an unrelated key, no certificate: invalid", staple(&s), "invalid", NULL, NULL, NULL, true);

    s = spec_good();
    s.response_status = OCSP_RESPONSE_STATUS_TRYLATER;
    json_object *o = staple(&s);
    check(o && same(str(o, "verdict"), "invalid") && str(o, "error") && strstr(str(o, "error"), "trylater"),
          "responseStatus tryLater: invalid", "got %s", json_object_to_json_string(o));
    json_object_put(o);
}

static void test_tampered_and_garbage(void)
{
    response_spec_t s = spec_good();
    size_t len;
    unsigned char *der = build_response(&s, &len);

    /* The ECDSA signature is the last bytes of the response (no certificates follow). */
    unsigned char *bad = malloc(len + 8);
    memcpy(bad, der, len);
    bad[len - 3] ^= 0x01;
    json_object *o = ocsp_staple_facts(bad, len, leaf.cert, issuer.cert, NULL, NULL, now);
    check(o && same(str(o, "verdict"), "invalid") && str(o, "error"), "tampered signature: invalid", "got %s",
          json_object_to_json_string(o));
    json_object_put(o);

    memcpy(bad, der, len);
    memcpy(bad + len, "garbage!", 8);
    o = ocsp_staple_facts(bad, len + 8, leaf.cert, issuer.cert, NULL, NULL, now);
    check(o && same(str(o, "verdict"), "invalid"), "trailing bytes after the response: invalid", "got %s",
          json_object_to_json_string(o));
    json_object_put(o);

    int all_invalid = 1;
    size_t bad_prefix = 0;
    for (size_t n = 1; n < len; n++) {
        o = ocsp_staple_facts(der, n, leaf.cert, issuer.cert, NULL, NULL, now);
        if (!o || !same(str(o, "verdict"), "invalid") || !str(o, "error")) {
            all_invalid = 0;
            bad_prefix = n;
        }
        json_object_put(o);
    }
    check(all_invalid, "every truncation of a good response: invalid", "prefix of %zu bytes was not", bad_prefix);

    srand(4);
    unsigned char junk[4096];
    int junk_ok = 1;
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + (size_t)rand() % sizeof junk;
        for (size_t i = 0; i < n; i++)
            junk[i] = (unsigned char)rand();
        if (round % 2)
            junk[0] = 0x30; /* looks like a SEQUENCE */
        o = ocsp_staple_facts(junk, n, leaf.cert, issuer.cert, NULL, NULL, now);
        junk_ok &= o && same(str(o, "verdict"), "invalid");
        json_object_put(o);
    }
    check(junk_ok, "200 garbage staples: invalid", "one was not");

    /* A SEQUENCE header claiming 4 GiB: no over-read, no huge allocation. */
    const unsigned char huge[] = { 0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x0a, 0x01, 0x00 };
    o = ocsp_staple_facts(huge, sizeof huge, leaf.cert, issuer.cert, NULL, NULL, now);
    check(o && same(str(o, "verdict"), "invalid"), "length field claiming 4 GiB: invalid", "got %s",
          json_object_to_json_string(o));
    json_object_put(o);

    /* A bit flipped at every offset: the response is signed (tbsResponseData) or framed (status,
     * type, lengths) everywhere, so no flip may leave it valid; each still gets a verdict. */
    int flips_verdict = 1;
    size_t flipped_valid = SIZE_MAX;
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            memcpy(bad, der, len);
            bad[i] ^= (unsigned char)(1u << bit);
            o = ocsp_staple_facts(bad, len, leaf.cert, issuer.cert, NULL, NULL, now);
            flips_verdict &= o != NULL && str(o, "verdict") != NULL;
            if (o && same(str(o, "verdict"), "valid"))
                flipped_valid = i;
            json_object_put(o);
        }
    }
    check(flips_verdict, "a bit flipped at every offset: a verdict each time", "missing verdict");
    check(flipped_valid == SIZE_MAX, "a bit flipped at every offset: never valid",
          "a flip at offset %zu was still valid", flipped_valid);
    free(bad);
    OPENSSL_free(der);
}

static void test_issuer_lookup(void)
{
    response_spec_t s = spec_good();
    size_t len;
    unsigned char *der = build_response(&s, &len);

    json_object *o = ocsp_staple_facts(der, len, leaf.cert, NULL, NULL, NULL, now);
    check(o && same(str(o, "verdict"), "invalid") && same(str(o, "error"), "issuer certificate not available"),
          "issuer unknown: invalid, 'issuer certificate not available'", "got %s", json_object_to_json_string(o));
    json_object_put(o);

    STACK_OF(X509) *served = sk_X509_new_null();
    sk_X509_push(served, leaf.cert);
    sk_X509_push(served, issuer.cert);
    o = ocsp_staple_facts(der, len, leaf.cert, NULL, served, NULL, now);
    check(o && same(str(o, "verdict"), "valid") && same(str(o, "responder"), "issuer"),
          "issuer NULL, found among the served certificates: valid", "got %s", json_object_to_json_string(o));
    json_object_put(o);
    sk_X509_free(served);

    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, issuer.cert);
    o = ocsp_staple_facts(der, len, leaf.cert, NULL, NULL, store, now);
    check(o && same(str(o, "verdict"), "valid"), "issuer NULL, found in the store: valid", "got %s",
          json_object_to_json_string(o));
    json_object_put(o);
    X509_STORE_free(store);

    o = ocsp_staple_facts(der, len, NULL, issuer.cert, NULL, NULL, now);
    check(o && same(str(o, "verdict"), "invalid") && same(str(o, "error"), "leaf certificate not available"),
          "leaf NULL: invalid, no crash", "got %s", json_object_to_json_string(o));
    json_object_put(o);
    o = revocation_facts(NULL, issuer.cert, NULL, false, 1.0);
    check(o && same(str(o, "result"), "error") && same(str(o, "error"), "leaf certificate not available"),
          "revocation with leaf NULL: error, no crash", "got %s", json_object_to_json_string(o));
    json_object_put(o);

    o = ocsp_staple_facts(der, len, leaf.cert, root.cert, NULL, NULL, now);
    check(o && same(str(o, "verdict"), "invalid"), "the wrong issuer given (the root): invalid", "got %s",
          json_object_to_json_string(o));
    json_object_put(o);
    OPENSSL_free(der);
}

/* ---- revocation_facts without a network ---- */

static const char *const REVOCATION_KEYS[] = { "offline", "method", "ocsp", "crl", "result", "error" };

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static void test_revocation(void)
{
    json_object *o = revocation_facts(leaf.cert, issuer.cert, NULL, true, 1.0);
    check(exact_keys(o, REVOCATION_KEYS, 6) && json_object_get_boolean(member(o, "offline")) && is_null(o, "method") &&
              is_null(o, "ocsp") && is_null(o, "crl") && same(str(o, "result"), "not_checked") && is_null(o, "error"),
          "offline: nothing fetched, not_checked", "got %s", json_object_to_json_string(o));
    json_object_put(o);

    o = revocation_facts(leaf.cert, issuer.cert, NULL, false, 1.0);
    check(exact_keys(o, REVOCATION_KEYS, 6) && !json_object_get_boolean(member(o, "offline")) &&
              is_null(o, "method") && is_null(o, "ocsp") && is_null(o, "crl") && same(str(o, "result"), "not_checked") &&
              same(str(o, "error"), "no OCSP responder or CRL distribution point in the certificate"),
          "no AIA OCSP and no CRL DP: not_checked with the reason", "got %s", json_object_to_json_string(o));
    json_object_put(o);

    const char *const ldap_exts[] = { "authorityInfoAccess", "OCSP;URI:ldap://127.0.0.1/cn=ocsp",
                                      "crlDistributionPoints", "URI:ldap://127.0.0.1/cn=crl", NULL };
    ca_t ldap_leaf = make_cert("ldap.test", &issuer, 300, -60, 86400, ldap_exts);
    o = revocation_facts(ldap_leaf.cert, issuer.cert, NULL, false, 1.0);
    check(o && same(str(o, "result"), "not_checked") && is_null(o, "ocsp"),
          "only ldap:// URLs: not_checked, nothing fetched", "got %s", json_object_to_json_string(o));
    json_object_put(o);
    ca_free(&ldap_leaf);

    /* Port 1 on loopback refuses at once: the failure path without any server. */
    const char *const dead_exts[] = { "authorityInfoAccess", "OCSP;URI:http://127.0.0.1:1/", NULL };
    ca_t dead_leaf = make_cert("dead.test", &issuer, 301, -60, 86400, dead_exts);
    double t0 = net_now();
    o = revocation_facts(dead_leaf.cert, issuer.cert, NULL, false, 2.0);
    json_object *ocsp = member(o, "ocsp");
    check(o && same(str(o, "result"), "error") && is_null(o, "method") && is_null(o, "crl") && ocsp &&
              same(str(ocsp, "url"), "http://127.0.0.1:1/") && str(ocsp, "error") && is_null(ocsp, "cert_status") &&
              str(o, "error") && net_now() - t0 < 3.0,
          "OCSP responder unreachable, no CRL DP: error, ocsp.error set", "got %s", json_object_to_json_string(o));
    json_object_put(o);
    ca_free(&dead_leaf);

    const char *const both_dead[] = { "authorityInfoAccess", "OCSP;URI:http://127.0.0.1:1/ocsp",
                                      "crlDistributionPoints", "URI:ldap://x/,URI:http://127.0.0.1:1/int.crl", NULL };
    dead_leaf = make_cert("dead2.test", &issuer, 302, -60, 86400, both_dead);
    o = revocation_facts(dead_leaf.cert, issuer.cert, NULL, false, 2.0);
    json_object *crl = member(o, "crl");
    check(o && same(str(o, "result"), "error") && is_null(o, "method") && member(o, "ocsp") && crl &&
              same(str(crl, "url"), "http://127.0.0.1:1/int.crl") && str(crl, "error") &&
              !json_object_get_boolean(member(crl, "verified")) && is_null(crl, "listed"),
          "OCSP fails, then the (first http) CRL DP is tried: error with both objects", "got %s",
          json_object_to_json_string(o));
    json_object_put(o);

    o = revocation_facts(dead_leaf.cert, NULL, NULL, false, 2.0);
    ocsp = member(o, "ocsp");
    check(o && same(str(o, "result"), "error") && ocsp && same(str(ocsp, "error"), "issuer certificate not available"),
          "issuer unknown: OCSP not attempted, error", "got %s", json_object_to_json_string(o));
    json_object_put(o);
    ca_free(&dead_leaf);
}

int main(void)
{
    now = time(NULL);
    root = make_cert("unit root CA", NULL, 1, -86400, 3650L * 86400, CA_EXTS);
    issuer = make_cert("unit issuing CA", &root, 2, -86400, 3650L * 86400, CA_EXTS);
    leaf = make_cert("leaf.test", &issuer, 100, -86400, 90L * 86400, LEAF_EXTS);
    other_leaf = make_cert("other.test", &issuer, 101, -86400, 90L * 86400, LEAF_EXTS);
    responder = make_cert("unit OCSP responder", &issuer, 200, -86400, 30L * 86400, RESPONDER_EXTS);
    responder_no_eku = make_cert("unit not a responder", &issuer, 201, -86400, 30L * 86400, NOT_RESPONDER_EXTS);
    responder_expired = make_cert("unit expired responder", &issuer, 202, -30L * 86400, -86400, RESPONDER_EXTS);
    responder_by_root = make_cert("unit root's responder", &root, 203, -86400, 30L * 86400, RESPONDER_EXTS);
    unrelated = make_cert("unrelated CA", NULL, 1, -86400, 3650L * 86400, CA_EXTS);

    test_no_staple();
    test_verdicts();
    test_tampered_and_garbage();
    test_issuer_lookup();
    test_revocation();

    ca_t *all[] = { &root, &issuer, &leaf, &other_leaf, &responder, &responder_no_eku, &responder_expired,
                    &responder_by_root, &unrelated };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        ca_free(all[i]);
    http_global_cleanup();
    return failures ? 1 : 0;
}
