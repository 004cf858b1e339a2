/* OCSP staple validation and OCSP/CRL revocation checks. The signature, responder
 * authorisation and CertID checks are done by hand rather than by a full OCSP_basic_verify:
 * that one also demands a trusted path for the responder at the current time, which would make
 * the staple verdict depend on the trust store and on the real clock instead of on `now`. */
#include "ocsp_check.h"

#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "fetch_cache.h"
#include "http_fetch.h"
#include "net.h"

#define URL_MAX 2048

/* What one OCSP basic response says about the leaf, once checked. */
typedef struct ocsp_result {
    const char *verdict;        /* "valid" "stale" "wrong" "revoked" "unknown" "invalid" */
    int cert_status;            /* V_OCSP_CERTSTATUS_*, -1 before a matching SingleResponse */
    int reason;                 /* CRL reason code, -1 when none given */
    char this_update[32];       /* "" when unknown */
    char next_update[32];
    const char *responder;      /* "issuer" "delegated", NULL before the signer is authorised */
    char error[256];
} ocsp_result_t;

static void result_init(ocsp_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->cert_status = -1;
    r->reason = -1;
}

__attribute__((format(printf, 3, 4)))
static void fail(ocsp_result_t *r, const char *verdict, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    r->verdict = verdict;
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    ERR_clear_error(); /* the reason is in r->error; leave nothing queued for the next caller */
}

static void iso_time(const ASN1_TIME *t, char *out, size_t outlen)
{
    struct tm tm;
    out[0] = '\0';
    if (!t || !ASN1_TIME_to_tm(t, &tm) || strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        out[0] = '\0';
}

static json_object *string_or_null(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}

static const char *cert_status_name(int status)
{
    switch (status) {
    case V_OCSP_CERTSTATUS_GOOD: return "good";
    case V_OCSP_CERTSTATUS_REVOKED: return "revoked";
    case V_OCSP_CERTSTATUS_UNKNOWN: return "unknown";
    default: return NULL;
    }
}

/* RFC 5280 CRLReason names (OCSP_crl_reason_str lacks the last two). */
static const char *reason_name(int reason)
{
    static const char *const names[] = {
        "unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
        "cessationOfOperation", "certificateHold", NULL, "removeFromCRL", "privilegeWithdrawn",
        "aACompromise",
    };
    if (reason < 0 || reason >= (int)(sizeof names / sizeof names[0]))
        return NULL;
    return names[reason];
}

/* The leaf's issuer among untrusted, else in store; up-ref'd, or NULL. */
static X509 *lookup_issuer(X509 *leaf, STACK_OF(X509) *untrusted, X509_STORE *store)
{
    for (int i = 0; untrusted && i < sk_X509_num(untrusted); i++) {
        X509 *c = sk_X509_value(untrusted, i);
        if (X509_cmp(c, leaf) != 0 && X509_check_issued(c, leaf) == X509_V_OK && X509_up_ref(c))
            return c;
    }
    X509 *found = NULL;
    X509_STORE_CTX *ctx = store ? X509_STORE_CTX_new() : NULL;
    if (ctx && X509_STORE_CTX_init(ctx, store, leaf, NULL) && X509_STORE_CTX_get1_issuer(&found, ctx, leaf) <= 0)
        found = NULL;
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return found;
}

static bool same_key_and_name(X509 *a, X509 *b)
{
    if (X509_cmp(a, b) == 0)
        return true;
    /* A re-issued issuer certificate (same name, same key) signs for the same CA. */
    EVP_PKEY *ka = X509_get0_pubkey(a), *kb = X509_get0_pubkey(b);
    return ka && kb && X509_NAME_cmp(X509_get_subject_name(a), X509_get_subject_name(b)) == 0 &&
           EVP_PKEY_eq(ka, kb) == 1;
}

/* The certificate named by the responderID: in the response, else issuer or untrusted. */
static X509 *find_signer(OCSP_BASICRESP *bs, X509 *issuer, STACK_OF(X509) *untrusted)
{
    STACK_OF(X509) *extra = sk_X509_new_null(); /* borrowed pointers: no up-refs */
    X509 *signer = NULL;
    if (!extra)
        return NULL;
    sk_X509_push(extra, issuer);
    for (int i = 0; untrusted && i < sk_X509_num(untrusted); i++)
        sk_X509_push(extra, sk_X509_value(untrusted, i));
    if (OCSP_resp_get0_signer(bs, &signer, extra) != 1)
        signer = NULL;
    sk_X509_free(extra);
    return signer;
}

/* Signature of the response with signer's key only (OCSP_NOVERIFY: no path building). */
static bool signature_ok(OCSP_BASICRESP *bs, X509 *signer)
{
    STACK_OF(X509) *one = sk_X509_new_null();
    bool ok = one && sk_X509_push(one, signer) > 0 &&
              OCSP_basic_verify(bs, one, NULL, OCSP_NOVERIFY | OCSP_NOINTERN) == 1;
    sk_X509_free(one);
    return ok;
}

/* RFC 6960 4.2.2.2: the CA itself, or a certificate it issued with EKU id-kp-OCSPSigning. */
static bool authorise_signer(X509 *signer, X509 *issuer, time_t now, ocsp_result_t *r)
{
    if (same_key_and_name(signer, issuer)) {
        r->responder = "issuer";
        return true;
    }
    EVP_PKEY *issuer_key = X509_get0_pubkey(issuer);
    if (X509_check_issued(issuer, signer) != X509_V_OK || !issuer_key || X509_verify(signer, issuer_key) != 1) {
        fail(r, "invalid", "response signed by a certificate that is neither the issuer nor issued by it");
        return false;
    }
    if (!(X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) || !(X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN)) {
        fail(r, "invalid", "delegated responder certificate lacks extendedKeyUsage OCSPSigning");
        return false;
    }
    if (X509_cmp_time(X509_get0_notBefore(signer), &now) > 0) {
        fail(r, "invalid", "delegated responder certificate is not yet valid");
        return false;
    }
    if (X509_cmp_time(X509_get0_notAfter(signer), &now) < 0) {
        fail(r, "invalid", "delegated responder certificate has expired");
        return false;
    }
    r->responder = "delegated";
    return true;
}

/* The SingleResponse whose CertID is the leaf's, hashed with whatever digest the responder used. */
static OCSP_SINGLERESP *find_single(OCSP_BASICRESP *bs, X509 *leaf, X509 *issuer)
{
    OCSP_SINGLERESP *match = NULL;
    OCSP_CERTID *mine = NULL;
    const EVP_MD *mine_md = NULL;
    int n = OCSP_resp_count(bs);
    for (int i = 0; i < n && !match; i++) {
        OCSP_SINGLERESP *single = OCSP_resp_get0(bs, i);
        const OCSP_CERTID *cid = single ? OCSP_SINGLERESP_get0_id(single) : NULL;
        ASN1_OBJECT *md_oid = NULL;
        if (!cid || !OCSP_id_get0_info(NULL, &md_oid, NULL, NULL, (OCSP_CERTID *)cid) || !md_oid)
            continue;
        const EVP_MD *md = EVP_get_digestbyobj(md_oid);
        if (!md)
            continue;
        if (md != mine_md) {
            OCSP_CERTID_free(mine);
            mine = OCSP_cert_to_id(md, leaf, issuer);
            mine_md = md;
        }
        if (mine && OCSP_id_cmp(mine, cid) == 0)
            match = single;
    }
    OCSP_CERTID_free(mine);
    ERR_clear_error();
    return match;
}

/* thisUpdate/nextUpdate at now, with skew, as OCSP_check_validity does against the real clock. */
static void check_times(ASN1_GENERALIZEDTIME *thisupd, ASN1_GENERALIZEDTIME *nextupd, time_t now, ocsp_result_t *r)
{
    int future = thisupd ? ASN1_TIME_cmp_time_t(thisupd, now + OCSP_CHECK_SKEW_S) : -2;
    if (future == -2) {
        fail(r, "invalid", "unreadable thisUpdate");
        return;
    }
    if (future > 0) {
        fail(r, "stale", "thisUpdate %s is in the future", r->this_update);
        return;
    }
    if (nextupd) {
        int passed = ASN1_TIME_cmp_time_t(nextupd, now - OCSP_CHECK_SKEW_S);
        if (passed == -2) {
            fail(r, "invalid", "unreadable nextUpdate");
        } else if (ASN1_TIME_compare(nextupd, thisupd) < 0) {
            fail(r, "invalid", "nextUpdate %s is before thisUpdate", r->next_update);
        } else if (passed < 0) {
            fail(r, "stale", "nextUpdate %s has passed", r->next_update);
        }
        return;
    }
    if (ASN1_TIME_cmp_time_t(thisupd, now - OCSP_CHECK_SKEW_S - OCSP_CHECK_MAX_AGE_S) < 0)
        fail(r, "stale", "no nextUpdate and thisUpdate %s is older than 7 days", r->this_update);
}

/* Everything about a basic response, in the order a failure is reported. */
static void check_basic(OCSP_BASICRESP *bs, X509 *leaf, X509 *issuer, STACK_OF(X509) *untrusted, time_t now,
                        ocsp_result_t *r)
{
    X509 *signer = find_signer(bs, issuer, untrusted);
    if (!signer) {
        fail(r, "invalid", "responder certificate not found (responderID is neither the issuer nor a certificate in the response)");
        return;
    }
    if (!signature_ok(bs, signer)) {
        fail(r, "invalid", "response signature does not verify");
        return;
    }
    if (!authorise_signer(signer, issuer, now, r))
        return;
    OCSP_SINGLERESP *single = find_single(bs, leaf, issuer);
    if (!single) {
        char serial[80] = "?";
        const OCSP_CERTID *cid = OCSP_resp_count(bs) > 0 ? OCSP_SINGLERESP_get0_id(OCSP_resp_get0(bs, 0)) : NULL;
        ASN1_INTEGER *sn = NULL;
        if (cid && OCSP_id_get0_info(NULL, NULL, NULL, &sn, (OCSP_CERTID *)cid) && sn) {
            BIGNUM *bn = ASN1_INTEGER_to_BN(sn, NULL);
            char *hex = bn && BN_num_bits(bn) <= 256 ? BN_bn2hex(bn) : NULL;
            for (char *c = hex; c && *c; c++)
                *c = (char)tolower((unsigned char)*c); /* as x509_facts prints serials */
            if (hex)
                snprintf(serial, sizeof serial, "serial %s%s", hex,
                         ASN1_INTEGER_cmp(sn, X509_get0_serialNumber(leaf)) == 0 ? " of another issuer" : "");
            OPENSSL_free(hex);
            BN_free(bn);
        }
        if (OCSP_resp_count(bs) > 0)
            fail(r, "wrong", "response is for another certificate (%s)", serial);
        else
            fail(r, "wrong", "response contains no SingleResponse");
        return;
    }
    int reason = -1;
    ASN1_GENERALIZEDTIME *revtime = NULL, *thisupd = NULL, *nextupd = NULL;
    int status = OCSP_single_get0_status(single, &reason, &revtime, &thisupd, &nextupd);
    r->cert_status = status;
    iso_time(thisupd, r->this_update, sizeof r->this_update);
    iso_time(nextupd, r->next_update, sizeof r->next_update);
    if (status == V_OCSP_CERTSTATUS_REVOKED)
        r->reason = reason;
    if (!cert_status_name(status)) {
        fail(r, "invalid", "unrecognised certificate status");
        return;
    }
    check_times(thisupd, nextupd, now, r);
    if (r->verdict)
        return;
    r->verdict = status == V_OCSP_CERTSTATUS_GOOD ? "valid" : cert_status_name(status);
}

/* Parses an OCSPResponse and checks it; returns the basic response (caller frees) when it
 * parsed, so the caller can look at the nonce. */
static OCSP_BASICRESP *check_response_der(const unsigned char *der, size_t len, X509 *leaf, X509 *issuer,
                                          STACK_OF(X509) *untrusted, time_t now, ocsp_result_t *r)
{
    result_init(r);
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = len <= LONG_MAX ? d2i_OCSP_RESPONSE(NULL, &p, (long)len) : NULL;
    if (!resp) {
        fail(r, "invalid", "cannot parse the OCSP response (%zu bytes)", len);
        return NULL;
    }
    if (p != der + len) {
        fail(r, "invalid", "%zu bytes after the OCSP response", len - (size_t)(p - der));
        OCSP_RESPONSE_free(resp);
        return NULL;
    }
    int rstatus = OCSP_response_status(resp);
    if (rstatus != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        fail(r, "invalid", "OCSP response status: %s", OCSP_response_status_str(rstatus));
        OCSP_RESPONSE_free(resp);
        return NULL;
    }
    OCSP_BASICRESP *bs = OCSP_response_get1_basic(resp);
    OCSP_RESPONSE_free(resp);
    if (!bs) {
        fail(r, "invalid", "not a basic OCSP response");
        return NULL;
    }
    if (!leaf || !issuer) {
        fail(r, "invalid", "%s certificate not available", leaf ? "issuer" : "leaf");
        return bs;
    }
    check_basic(bs, leaf, issuer, untrusted, now, r);
    return bs;
}

json_object *ocsp_staple_facts(const unsigned char *der, size_t len, X509 *leaf, X509 *issuer,
                               STACK_OF(X509) *untrusted, X509_STORE *store, time_t now)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    ocsp_result_t r;
    result_init(&r);
    bool present = der && len > 0;
    if (present) {
        X509 *iss = issuer ? (X509_up_ref(issuer) ? issuer : NULL) : leaf ? lookup_issuer(leaf, untrusted, store) : NULL;
        OCSP_BASICRESP_free(check_response_der(der, len, leaf, iss, untrusted, now, &r));
        X509_free(iss);
    }
    json_object_object_add(o, "present", json_object_new_boolean(present));
    json_object_object_add(o, "verdict", json_object_new_string(present ? r.verdict : "none"));
    json_object_object_add(o, "cert_status", string_or_null(cert_status_name(r.cert_status)));
    json_object_object_add(o, "this_update", string_or_null(r.this_update));
    json_object_object_add(o, "next_update", string_or_null(r.next_update));
    json_object_object_add(o, "responder", string_or_null(r.responder));
    json_object_object_add(o, "revocation_reason", string_or_null(reason_name(r.reason)));
    json_object_object_add(o, "error", string_or_null(r.error));
    return o;
}

/* ---- revocation: OCSP responder, then CRL ---- */

/* A copy of an http(s) URI general name, or NULL (other schemes, embedded NULs, too long). */
static char *http_uri(const GENERAL_NAME *gn)
{
    if (!gn || gn->type != GEN_URI)
        return NULL;
    const ASN1_IA5STRING *s = gn->d.uniformResourceIdentifier;
    int n = s ? ASN1_STRING_length(s) : 0;
    const char *d = s ? (const char *)ASN1_STRING_get0_data(s) : NULL;
    if (!d || n <= 0 || n > URL_MAX || memchr(d, '\0', (size_t)n))
        return NULL;
    if (!(n > 7 && strncasecmp(d, "http://", 7) == 0) && !(n > 8 && strncasecmp(d, "https://", 8) == 0))
        return NULL;
    return strndup(d, (size_t)n);
}

static char *first_ocsp_url(X509 *leaf)
{
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(leaf, NID_info_access, NULL, NULL);
    char *url = NULL;
    for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia) && !url; i++) {
        ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        if (OBJ_obj2nid(ad->method) == NID_ad_OCSP)
            url = http_uri(ad->location);
    }
    AUTHORITY_INFO_ACCESS_free(aia);
    ERR_clear_error();
    return url;
}

static char *first_crl_url(X509 *leaf)
{
    STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(leaf, NID_crl_distribution_points, NULL, NULL);
    char *url = NULL;
    for (int i = 0; dps && i < sk_DIST_POINT_num(dps) && !url; i++) {
        DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        if (!dp->distpoint || dp->distpoint->type != 0) /* 0: fullName */
            continue;
        GENERAL_NAMES *names = dp->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names) && !url; j++)
            url = http_uri(sk_GENERAL_NAME_value(names, j));
    }
    sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
    ERR_clear_error();
    return url;
}

static long elapsed_ms(double t0)
{
    return (long)((net_now() - t0) * 1000.0 + 0.5);
}

/* GET or POST with the shared bounds, through the run's cache; "" in err when an HTTP 200
 * arrived. */
static void fetch(const char *url, const void *body, size_t body_len, const char *content_type, double timeout_s,
                  http_response_t *resp, char *err, size_t errlen)
{
    http_request_t req = {
        .url = url, .post_body = body, .post_len = body_len, .content_type = content_type,
        .timeout_s = timeout_s, .max_redirects = body ? 0 : 3,
    };
    err[0] = '\0';
    if (fetch_cached(&req, resp) != 0)
        snprintf(err, errlen, "%s", resp->error);
    else if (resp->status != 200)
        snprintf(err, errlen, "HTTP status %ld", resp->status);
}

/* The nonce of a request for id: a digest of a secret drawn once per run and the CertID, so
 * that the same certificate's query is the same request within a run (answered once, through
 * the cache) and never the same across runs (a replayed answer still fails the check). */
#define NONCE_LEN 16
static unsigned char run_secret[32];
static bool run_secret_ok;
static pthread_once_t run_secret_once = PTHREAD_ONCE_INIT;

static void draw_run_secret(void)
{
    run_secret_ok = RAND_bytes(run_secret, sizeof run_secret) == 1;
}

static bool add_nonce(OCSP_REQUEST *req, OCSP_CERTID *id)
{
    pthread_once(&run_secret_once, draw_run_secret);
    unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
    int len = run_secret_ok ? i2d_OCSP_CERTID(id, &der) : -1;
    EVP_MD_CTX *ctx = len > 0 ? EVP_MD_CTX_new() : NULL;
    bool made = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
                EVP_DigestUpdate(ctx, run_secret, sizeof run_secret) &&
                EVP_DigestUpdate(ctx, der, (size_t)len) && EVP_DigestFinal_ex(ctx, md, NULL);
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    /* Without the digest: a random nonce (correct, only not shared with the other queries). */
    return made ? OCSP_request_add1_nonce(req, md, NONCE_LEN) : OCSP_request_add1_nonce(req, NULL, -1);
}

/* The "ocsp" object; *answer is the cert_status once a response was accepted, else NULL. */
static json_object *query_ocsp(const char *url, X509 *leaf, X509 *issuer, double timeout_s, time_t now,
                               const char **answer, char *err, size_t errlen)
{
    json_object *o = json_object_new_object();
    ocsp_result_t r;
    result_init(&r);
    long ms = -1;
    *answer = NULL;
    err[0] = '\0';
    if (!issuer) {
        snprintf(err, errlen, "issuer certificate not available");
    } else {
        OCSP_REQUEST *req = OCSP_REQUEST_new();
        OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), leaf, issuer); /* SHA-1 CertIDs: what every responder knows */
        unsigned char *der = NULL;
        int der_len = -1;
        if (req && id && add_nonce(req, id) && OCSP_request_add0_id(req, id)) {
            id = NULL; /* owned by req now */
            der_len = i2d_OCSP_REQUEST(req, &der);
        }
        OCSP_CERTID_free(id);
        if (der_len <= 0) {
            snprintf(err, errlen, "cannot build the OCSP request");
        } else {
            http_response_t resp;
            double t0 = net_now();
            fetch(url, der, (size_t)der_len, "application/ocsp-request", timeout_s, &resp, err, errlen);
            ms = elapsed_ms(t0);
            if (!err[0]) {
                OCSP_BASICRESP *bs = check_response_der(resp.body, resp.len, leaf, issuer, NULL, now, &r);
                bool accepted = r.verdict && (strcmp(r.verdict, "valid") == 0 || strcmp(r.verdict, "revoked") == 0 ||
                                              strcmp(r.verdict, "unknown") == 0);
                /* -1 (nonce not echoed) is common and allowed; 0 is a replayed or foreign response. */
                if (accepted && OCSP_check_nonce(req, bs) == 0) {
                    accepted = false;
                    snprintf(r.error, sizeof r.error, "nonce in the response does not match the request");
                }
                if (accepted)
                    *answer = cert_status_name(r.cert_status);
                else
                    snprintf(err, errlen, "%s", r.error[0] ? r.error : "response not accepted");
                OCSP_BASICRESP_free(bs);
            }
            http_response_free(&resp);
        }
        OPENSSL_free(der);
        OCSP_REQUEST_free(req);
        ERR_clear_error();
    }
    if (!o)
        return NULL;
    json_object_object_add(o, "url", json_object_new_string(url));
    json_object_object_add(o, "cert_status", string_or_null(*answer));
    json_object_object_add(o, "error", string_or_null(err));
    json_object_object_add(o, "ms", ms >= 0 ? json_object_new_int64(ms) : NULL);
    json_object_object_add(o, "this_update", string_or_null(r.this_update));
    json_object_object_add(o, "next_update", string_or_null(r.next_update));
    json_object_object_add(o, "revocation_reason", string_or_null(*answer ? reason_name(r.reason) : NULL));
    return o;
}

/* DER first, then PEM; NULL when neither. */
static X509_CRL *parse_crl(const unsigned char *data, size_t len)
{
    if (len == 0 || len > INT_MAX)
        return NULL;
    const unsigned char *p = data;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
    if (!crl) {
        BIO *bio = BIO_new_mem_buf(data, (int)len);
        crl = bio ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
    }
    ERR_clear_error();
    return crl;
}

/* The checks on a parsed CRL; err "" when it can be relied on. */
static void check_crl(X509_CRL *crl, X509 *issuer, time_t now, bool *verified, char *err, size_t errlen)
{
    char when[32];
    EVP_PKEY *key = issuer ? X509_get0_pubkey(issuer) : NULL;
    *verified = false;
    if (!issuer) {
        snprintf(err, errlen, "issuer certificate not available");
        return;
    }
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0) {
        snprintf(err, errlen, "CRL issuer is not the certificate's issuer (indirect CRLs are not supported)");
        return;
    }
    if (!key || X509_CRL_verify(crl, key) != 1) {
        snprintf(err, errlen, "CRL signature does not verify with the issuer's key");
        return;
    }
    *verified = true;
    const ASN1_TIME *last = X509_CRL_get0_lastUpdate(crl), *next = X509_CRL_get0_nextUpdate(crl);
    int future = last ? ASN1_TIME_cmp_time_t(last, now + OCSP_CHECK_SKEW_S) : -2;
    int passed = next ? ASN1_TIME_cmp_time_t(next, now - OCSP_CHECK_SKEW_S) : 0;
    if (future == -2 || passed == -2) {
        snprintf(err, errlen, "unreadable CRL thisUpdate/nextUpdate");
    } else if (future > 0) {
        iso_time(last, when, sizeof when);
        snprintf(err, errlen, "CRL thisUpdate %s is in the future", when);
    } else if (passed < 0) {
        iso_time(next, when, sizeof when);
        snprintf(err, errlen, "CRL expired: nextUpdate %s has passed", when);
    }
}

/* The "crl" object; *answer "good"/"revoked" once a verified, current CRL was searched. */
static json_object *query_crl(const char *url, X509 *leaf, X509 *issuer, double timeout_s, time_t now,
                              const char **answer, char *err, size_t errlen)
{
    json_object *o = json_object_new_object();
    bool verified = false;
    int listed = -1;
    char next_update[32] = "";
    http_response_t resp;
    double t0 = net_now();
    *answer = NULL;
    fetch(url, NULL, 0, NULL, timeout_s, &resp, err, errlen);
    long ms = elapsed_ms(t0);
    if (!err[0]) {
        X509_CRL *crl = parse_crl(resp.body, resp.len);
        if (!crl) {
            snprintf(err, errlen, "cannot parse the CRL (%zu bytes, neither DER nor PEM)", resp.len);
        } else {
            iso_time(X509_CRL_get0_nextUpdate(crl), next_update, sizeof next_update);
            check_crl(crl, issuer, now, &verified, err, errlen);
            if (verified) {
                X509_REVOKED *rev = NULL;
                /* 2 is an entry with reason removeFromCRL (delta CRLs): not revoked. */
                listed = X509_CRL_get0_by_serial(crl, &rev, X509_get0_serialNumber(leaf)) == 1;
            }
            if (verified && !err[0])
                *answer = listed ? "revoked" : "good";
            X509_CRL_free(crl);
        }
    }
    http_response_free(&resp);
    ERR_clear_error();
    if (!o)
        return NULL;
    json_object_object_add(o, "url", json_object_new_string(url));
    json_object_object_add(o, "verified", json_object_new_boolean(verified));
    json_object_object_add(o, "listed", listed >= 0 ? json_object_new_boolean(listed) : NULL);
    json_object_object_add(o, "error", string_or_null(err));
    json_object_object_add(o, "ms", json_object_new_int64(ms));
    json_object_object_add(o, "next_update", string_or_null(next_update));
    return o;
}

json_object *revocation_facts(X509 *leaf, X509 *issuer, X509_STORE *store, bool offline, double timeout_s)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object *ocsp = NULL, *crl = NULL;
    const char *method = NULL, *result = "not_checked";
    char error[600] = "";
    char *ocsp_url = offline || !leaf ? NULL : first_ocsp_url(leaf);
    char *crl_url = offline || !leaf ? NULL : first_crl_url(leaf);
    if (!offline && !leaf) {
        result = "error";
        snprintf(error, sizeof error, "leaf certificate not available");
    } else if (!offline && !ocsp_url && !crl_url) {
        snprintf(error, sizeof error, "no OCSP responder or CRL distribution point in the certificate");
    } else if (!offline) {
        X509 *iss = issuer ? (X509_up_ref(issuer) ? issuer : NULL) : lookup_issuer(leaf, NULL, store);
        time_t now = time(NULL);
        const char *answer = NULL;
        char ocsp_err[256] = "", crl_err[256] = "";
        if (ocsp_url) {
            ocsp = query_ocsp(ocsp_url, leaf, iss, timeout_s, now, &answer, ocsp_err, sizeof ocsp_err);
            if (answer)
                method = "ocsp";
        }
        if (!answer && crl_url) {
            crl = query_crl(crl_url, leaf, iss, timeout_s, now, &answer, crl_err, sizeof crl_err);
            if (answer)
                method = "crl";
        }
        result = answer ? answer : "error";
        if (!answer)
            snprintf(error, sizeof error, "%s%s%s%s%s", ocsp_url ? "OCSP: " : "", ocsp_url ? ocsp_err : "",
                     ocsp_url && crl_url ? "; " : "", crl_url ? "CRL: " : "", crl_url ? crl_err : "");
        X509_free(iss);
    }
    free(ocsp_url);
    free(crl_url);
    json_object_object_add(o, "offline", json_object_new_boolean(offline));
    json_object_object_add(o, "method", method ? json_object_new_string(method) : NULL);
    json_object_object_add(o, "ocsp", ocsp);
    json_object_object_add(o, "crl", crl);
    json_object_object_add(o, "result", json_object_new_string(result));
    json_object_object_add(o, "error", string_or_null(error));
    return o;
}
