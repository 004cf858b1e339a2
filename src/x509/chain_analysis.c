/* Chain analysis and AIA completion. */
#include "chain_analysis.h"
#include "chain_aia.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include "fetch_cache.h"
#include "http_fetch.h"

/* A caIssuers file is one certificate (DER or PEM) or a PKCS#7 bundle: never large. */
#define AIA_MAX_BYTES (64 * 1024)
#define AIA_MAX_FETCHES 3

static bool issued_by(X509 *subject, X509 *issuer)
{
    return X509_check_issued(issuer, subject) == X509_V_OK;
}

static bool self_signed(X509 *c)
{
    return issued_by(c, c);
}

bool chain_ca_issuers_url(X509 *cert, char *out, size_t outlen)
{
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL);
    bool found = false;
    for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia) && !found; i++) {
        ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers || ad->location->type != GEN_URI)
            continue;
        const ASN1_IA5STRING *uri = ad->location->d.uniformResourceIdentifier;
        const char *u = (const char *)ASN1_STRING_get0_data(uri);
        int len = ASN1_STRING_length(uri);
        if (len > 0 && (size_t)len < outlen && (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0) &&
            memchr(u, '\0', (size_t)len) == NULL) {
            memcpy(out, u, (size_t)len);
            out[len] = '\0';
            found = true;
        }
    }
    AUTHORITY_INFO_ACCESS_free(aia);
    return found;
}

void chain_parse_issuers(const uint8_t *buf, size_t len, STACK_OF(X509) *out)
{
    if (len == 0 || len > AIA_MAX_BYTES)
        return;
    const unsigned char *p = buf;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x) {
        if (!sk_X509_push(out, x))
            X509_free(x);
        return;
    }
    BIO *b = BIO_new_mem_buf(buf, (int)len);
    while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
        if (!sk_X509_push(out, x))
            X509_free(x);
    BIO_free(b);
    if (sk_X509_num(out) > 0) {
        ERR_clear_error();
        return;
    }
    p = buf;
    PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
    if (p7 && OBJ_obj2nid(p7->type) == NID_pkcs7_signed && p7->d.sign && p7->d.sign->cert)
        for (int i = 0; i < sk_X509_num(p7->d.sign->cert); i++) {
            X509 *c = sk_X509_value(p7->d.sign->cert, i);
            if (X509_up_ref(c) && !sk_X509_push(out, c))
                X509_free(c);
        }
    PKCS7_free(p7);
    ERR_clear_error();
}

static void add_issue(json_object *issues, const char *fmt, int n)
{
    char text[128];
    snprintf(text, sizeof text, fmt, n);
    json_object_array_add(issues, json_object_new_string(text));
}

/* What the AIA completion did, so the issue text says only what happened. */
typedef struct aia_outcome {
    bool complete_known;     /* the served chain was shown complete (only the root was missing) */
    int issuers_fetched;     /* issuer certificates obtained and added */
    char why[600];           /* why it stopped short, when the chain is still untrusted */
} aia_outcome_t;

/* One caIssuers fetch (through the run's cache): the certificates it gave, into got; false with why set on failure. */
static bool fetch_issuers(const char *url, double timeout_s, STACK_OF(X509) *got, char *why, size_t whylen)
{
    http_request_t req = { .url = url, .timeout_s = timeout_s, .max_bytes = AIA_MAX_BYTES };
    http_response_t resp;
    bool ok = fetch_cached(&req, &resp) == 0;
    if (!ok)
        snprintf(why, whylen, "fetching %.300s failed: %.250s", url, resp.error);
    else if (resp.status != 200)
        snprintf(why, whylen, "fetching %.300s gave HTTP %ld", url, resp.status);
    else
        chain_parse_issuers(resp.body, resp.len, got);
    ok = ok && resp.status == 200;
    http_response_free(&resp);
    return ok;
}

/* Fetches issuers one at a time from cur (the top of the served path) up and stops as soon
 * as the chain verifies: a root fetched from AIA proves nothing about trust, it only shows
 * the served chain was complete. Updates out->trust and out->fetched. */
static void aia_complete(STACK_OF(X509) *served, X509 *cur, const char *ca_file, double timeout_s,
                         chain_result_t *out, json_object *urls, aia_outcome_t *res)
{
    char url[512];
    for (int f = 0; f < AIA_MAX_FETCHES; f++) {
        if (self_signed(cur) || !chain_ca_issuers_url(cur, url, sizeof url)) {
            snprintf(res->why, sizeof res->why, "%s", f == 0 ? "no AIA caIssuers URL to fetch it from"
                                                             : "the fetched issuer has no AIA caIssuers URL");
            return;
        }
        json_object_array_add(urls, json_object_new_string(url));
        STACK_OF(X509) *got = sk_X509_new_null();
        bool fetched = got && fetch_issuers(url, timeout_s, got, res->why, sizeof res->why);
        X509 *issuer = NULL;
        for (int i = 0; got && i < sk_X509_num(got); i++)
            if (!issuer && issued_by(cur, sk_X509_value(got, i)))
                issuer = sk_X509_value(got, i);
        if (issuer && f == 0 && self_signed(issuer)) {
            /* Only the root was missing: the served chain is complete, the root untrusted. */
            res->complete_known = true;
            sk_X509_pop_free(got, X509_free);
            return;
        }
        for (int i = 0; issuer && i < sk_X509_num(got); i++) {
            X509 *c = sk_X509_value(got, i);
            if (X509_up_ref(c) && !sk_X509_push(out->fetched, c))
                X509_free(c);
        }
        sk_X509_pop_free(got, X509_free);
        if (!issuer) {
            if (fetched)
                snprintf(res->why, sizeof res->why, "%.300s gave no certificate that issued it", url);
            return;
        }
        res->issuers_fetched++;
        STACK_OF(X509) *all = sk_X509_dup(served);
        for (int i = 0; all && i < sk_X509_num(out->fetched); i++)
            sk_X509_push(all, sk_X509_value(out->fetched, i));
        x509_verify_result_t again;
        x509_verify_chain(all, ca_file, &again);
        sk_X509_free(all);
        x509_verify_result_free(&out->trust);
        out->trust = again;
        if (again.verified || !again.missing_issuer)
            return;
        cur = issuer;
    }
    snprintf(res->why, sizeof res->why, "still incomplete after %d AIA fetches", AIA_MAX_FETCHES);
}

/* The "issues" line about completeness: exactly what was tried and what came of it. */
static void completeness_issue(json_object *issues, bool complete, bool via_aia, bool missing_issuer, bool offline,
                               const aia_outcome_t *aia)
{
    char text[700];
    if (via_aia) {
        add_issue(issues, "incomplete chain (completed via AIA)", 0);
    } else if (complete || !missing_issuer) {
        return;
    } else if (offline) {
        add_issue(issues, "issuer not served and not fetched (--offline)", 0);
    } else if (aia->issuers_fetched > 0) {
        snprintf(text, sizeof text, "incomplete chain (%d issuer(s) fetched via AIA, still not trusted%s%s)",
                 aia->issuers_fetched, aia->why[0] ? ": " : "", aia->why);
        json_object_array_add(issues, json_object_new_string(text));
    } else {
        snprintf(text, sizeof text, "issuer not served and not found via AIA: %s", aia->why);
        json_object_array_add(issues, json_object_new_string(text));
    }
}

void chain_analyse(STACK_OF(X509) *served, const char *ca_file, bool offline, double timeout_s,
                   chain_result_t *out)
{
    memset(out, 0, sizeof *out);
    out->fetched = sk_X509_new_null();
    int n = sk_X509_num(served);
    json_object *a = out->analysis = json_object_new_object();
    json_object *issues = json_object_new_array(), *urls = json_object_new_array();

    /* Duplicates, root, order. */
    int duplicates = 0, roots = 0;
    bool order_ok = true, dup[64] = { false }, on_path[64] = { false };
    for (int i = 0; i < n && i < 64; i++) {
        X509 *c = sk_X509_value(served, i);
        for (int j = 0; j < i && !dup[i]; j++)
            if (X509_cmp(c, sk_X509_value(served, j)) == 0) {
                dup[i] = true;
                duplicates++;
            }
        if (!dup[i] && i > 0 && self_signed(c) && X509_check_ca(c))
            roots++;
        if (i + 1 < n && !issued_by(c, sk_X509_value(served, i + 1)))
            order_ok = false;
    }
    /* The issuance path through what was served, from the leaf up. */
    int top = 0;
    if (n > 0)
        on_path[0] = true;
    for (int hops = 0; n > 0 && hops < n && !self_signed(sk_X509_value(served, top)); hops++) {
        int next = -1;
        for (int j = 0; j < n && j < 64 && next < 0; j++)
            if (!on_path[j] && !dup[j] && issued_by(sk_X509_value(served, top), sk_X509_value(served, j)))
                next = j;
        if (next < 0)
            break;
        on_path[next] = true;
        top = next;
    }
    int unrelated = 0;
    for (int i = 0; i < n && i < 64; i++)
        unrelated += !on_path[i] && !dup[i];

    x509_verify_chain(served, ca_file, &out->trust);
    json_object *complete = NULL;
    bool completed_via_aia = false;
    /* Any missing issuer counts, not only the first error: a weak leaf key is reported first. */
    bool missing_issuer = out->trust.missing_issuer;
    aia_outcome_t aia = { .complete_known = false };
    if (out->trust.verified || (n > 0 && !missing_issuer && out->trust.error_code >= 0)) {
        complete = json_object_new_boolean(true);
    } else if (missing_issuer && n > 0) {
        if (!offline)
            aia_complete(served, sk_X509_value(served, top), ca_file, timeout_s, out, urls, &aia);
        completed_via_aia = out->trust.verified && !aia.complete_known;
        complete = json_object_new_boolean(aia.complete_known);
    }

    completeness_issue(issues, complete && json_object_get_boolean(complete), completed_via_aia, missing_issuer,
                       offline, &aia);
    if (roots)
        add_issue(issues, "root certificate served", 0);
    if (duplicates)
        add_issue(issues, "%d duplicate certificate(s) served", duplicates);
    if (unrelated)
        add_issue(issues, "%d unrelated certificate(s) served", unrelated);
    if (!order_ok && !unrelated && !duplicates)
        add_issue(issues, "chain served out of order", 0);

    json_object_object_add(a, "served", json_object_new_int(n));
    json_object_object_add(a, "order_ok", json_object_new_boolean(order_ok));
    json_object_object_add(a, "duplicates", json_object_new_int(duplicates));
    json_object_object_add(a, "root_included", json_object_new_boolean(roots > 0));
    json_object_object_add(a, "unrelated", json_object_new_int(unrelated));
    json_object_object_add(a, "complete", complete);
    json_object_object_add(a, "completed_via_aia", json_object_new_boolean(completed_via_aia));
    json_object_object_add(a, "aia_fetched", urls);
    json_object_object_add(a, "issues", issues);
    ERR_clear_error();
}

void chain_result_free(chain_result_t *r)
{
    x509_verify_result_free(&r->trust);
    sk_X509_pop_free(r->fetched, X509_free);
    r->fetched = NULL;
    /* analysis is handed to the caller's facts */
}

X509 *chain_issuer_of(X509 *leaf, const x509_verify_result_t *trust, STACK_OF(X509) *candidates)
{
    if (trust->path && sk_X509_num(trust->path) > 1 && X509_cmp(sk_X509_value(trust->path, 0), leaf) == 0)
        return sk_X509_value(trust->path, 1);
    for (int i = 0; candidates && i < sk_X509_num(candidates); i++) {
        X509 *c = sk_X509_value(candidates, i);
        if (c != leaf && issued_by(leaf, c))
            return c;
    }
    return NULL;
}
