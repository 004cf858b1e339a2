/* Leaf quality facts and SPKI pins. */
#include "cert_quality.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#define MAX_VALIDITY_DAYS 398   /* CA/Browser Forum baseline since 2020-09-01 */
#define TLS_FEATURE_STATUS_REQUEST 5

static bool key_weak(X509 *c)
{
    EVP_PKEY *pk = X509_get0_pubkey(c);
    if (!pk)
        return true;
    int bits = EVP_PKEY_get_bits(pk);
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
    case EVP_PKEY_DSA:
        return bits < 2048;
    case EVP_PKEY_EC:
        return bits < 256;
    default:
        return false; /* Ed25519 / Ed448 */
    }
}

static bool signature_weak(X509 *c)
{
    int md = 0, pk = 0;
    if (!OBJ_find_sigid_algs(X509_get_signature_nid(c), &md, &pk))
        return false;
    return md == NID_md5 || md == NID_sha1 || md == NID_md2 || md == NID_md4;
}

static bool is_self_signed(X509 *c)
{
    return X509_check_issued(c, c) == X509_V_OK;
}

static bool must_staple(X509 *c)
{
    int idx = X509_get_ext_by_NID(c, NID_tlsfeature, -1);
    if (idx < 0)
        return false;
    TLS_FEATURE *f = X509_get_ext_d2i(c, NID_tlsfeature, NULL, NULL);
    bool staple = false;
    for (int i = 0; f && i < sk_ASN1_INTEGER_num(f); i++)
        staple |= ASN1_INTEGER_get(sk_ASN1_INTEGER_value(f, i)) == TLS_FEATURE_STATUS_REQUEST;
    sk_ASN1_INTEGER_pop_free(f, ASN1_INTEGER_free);
    return staple;
}

static int sct_count(X509 *c)
{
    STACK_OF(SCT) *scts = X509_get_ext_d2i(c, NID_ct_precert_scts, NULL, NULL);
    int n = scts ? sk_SCT_num(scts) : 0;
    SCT_LIST_free(scts);
    return n;
}

json_object *cert_leaf_facts(X509 *leaf, STACK_OF(X509) *chain, time_t now, int expiry_warn_days)
{
    json_object *o = json_object_new_object();
    bool sig_weak = signature_weak(leaf);
    for (int i = 1; chain && i < sk_X509_num(chain); i++)
        if (!is_self_signed(sk_X509_value(chain, i)))
            sig_weak |= signature_weak(sk_X509_value(chain, i));
    int days = 0, secs = 0;
    json_object *validity = NULL;
    if (ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(leaf), X509_get0_notAfter(leaf)))
        validity = json_object_new_int(days);
    int left_days = 0, left_secs = 0;
    ASN1_TIME *now_t = ASN1_TIME_set(NULL, now);
    bool have_left = now_t && ASN1_TIME_diff(&left_days, &left_secs, now_t, X509_get0_notAfter(leaf));
    ASN1_TIME_free(now_t);
    bool expired = have_left && (left_days < 0 || left_secs < 0);

    uint32_t flags = X509_get_extension_flags(leaf);
    json_object *eku = NULL;
    if (flags & EXFLAG_XKUSAGE)
        eku = json_object_new_boolean((X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER) != 0);

    json_object_object_add(o, "key_weak", json_object_new_boolean(key_weak(leaf)));
    json_object_object_add(o, "signature_weak", json_object_new_boolean(sig_weak));
    json_object_object_add(o, "validity_days", validity);
    json_object_object_add(o, "validity_too_long", json_object_new_boolean(validity && days > MAX_VALIDITY_DAYS));
    json_object_object_add(o, "expiring_soon",
                           json_object_new_boolean(have_left && !expired && left_days < expiry_warn_days));
    json_object_object_add(o, "expiry_warn_days", json_object_new_int(expiry_warn_days));
    json_object_object_add(o, "eku_server_auth", eku);
    json_object_object_add(o, "basic_constraints_ca", json_object_new_boolean((flags & EXFLAG_CA) != 0));
    json_object_object_add(o, "must_staple", json_object_new_boolean(must_staple(leaf)));
    json_object_object_add(o, "sct_count", json_object_new_int(sct_count(leaf)));
    ERR_clear_error();
    return o;
}

/* "sha256/BASE64" of the certificate's SubjectPublicKeyInfo (RFC 7469 pin form). */
static int cert_spki_pin(X509 *cert, char *out, size_t outlen)
{
    unsigned char *der = NULL, digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
    if (len <= 0)
        return -1;
    int ok = EVP_Digest(der, (size_t)len, digest, &dlen, EVP_sha256(), NULL);
    OPENSSL_free(der);
    unsigned char b64[64];
    if (!ok || dlen != 32 || outlen < 7 + 45)
        return -1;
    EVP_EncodeBlock(b64, digest, (int)dlen);
    snprintf(out, outlen, "sha256/%s", (const char *)b64);
    return 0;
}

static const char *pin_value(const char *pin)
{
    return strncmp(pin, "sha256/", 7) == 0 ? pin + 7 : pin;
}

static void subject_rfc2253(X509 *c, char *out, size_t outlen)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data = NULL;
    long len = b && X509_NAME_print_ex(b, X509_get_subject_name(c), 0, XN_FLAG_RFC2253) >= 0
                   ? BIO_get_mem_data(b, &data) : 0;
    snprintf(out, outlen, "%.*s", (int)(len > 0 ? len : 0), data ? data : "");
    BIO_free(b);
}

json_object *cert_pin_facts(STACK_OF(X509) *certs, char *const *pins, size_t npins)
{
    if (npins == 0)
        return NULL;
    json_object *o = json_object_new_object(), *configured = json_object_new_array();
    const char *matched_subject = NULL;
    char subject[512];
    for (size_t i = 0; i < npins; i++)
        json_object_array_add(configured, json_object_new_string(pins[i]));
    for (int c = 0; certs && c < sk_X509_num(certs) && !matched_subject; c++) {
        char pin[80];
        if (cert_spki_pin(sk_X509_value(certs, c), pin, sizeof pin) != 0)
            continue;
        for (size_t i = 0; i < npins && !matched_subject; i++)
            if (strcmp(pin_value(pin), pin_value(pins[i])) == 0) {
                subject_rfc2253(sk_X509_value(certs, c), subject, sizeof subject);
                matched_subject = subject;
            }
    }
    json_object_object_add(o, "configured", configured);
    json_object_object_add(o, "matched", json_object_new_boolean(matched_subject != NULL));
    json_object_object_add(o, "matched_subject", matched_subject ? json_object_new_string(matched_subject) : NULL);
    return o;
}
