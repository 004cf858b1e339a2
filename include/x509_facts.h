/* Facts about X.509 certificates as json-c objects, chain verification against a trust store,
 * and the RFC 6125 name check (SAN only, no CN fallback). Pure: no network. */
#ifndef TLSPROBE_X509_FACTS_H
#define TLSPROBE_X509_FACTS_H

#include <stdbool.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/x509.h>

/* { "subject", "issuer" (RFC 2253), "serial" (lowercase hex), "san" (["DNS:x", "IP:y"]),
 *   "not_before", "not_after" (ISO 8601 UTC), "key_type", "key_bits", "curve",
 *   "signature_algorithm", "sha256", "self_signed", "is_ca" }. NULL only on allocation failure. */
json_object *x509_cert_facts(X509 *cert);
/* Array of x509_cert_facts, in the order given. */
json_object *x509_chain_facts(STACK_OF(X509) *chain);

/* Validity of cert at now. days_to_expiry is floor((notAfter - now) / 1 day): negative once
 * expired. Returns 0, or -1 if the dates cannot be read (outputs then false / 0). */
int x509_validity(X509 *cert, time_t now, bool *expired, bool *not_yet_valid, long *days_to_expiry);

/* The authentication security level verification enforces: OpenSSL's level 2, the default
 * of Debian's OpenSSL and so of curl and every OpenSSL client there. Keys of every certificate
 * on the path need 112 bits of security (RSA, DSA, DH >= 2048 bits; EC >= 224), signatures
 * below the trust anchor too (no SHA-1, no MD5); the anchor's own self-signature is not
 * checked, a client never relies on it. */
#define X509_AUTH_LEVEL 2
#define X509_MAX_WEAK 8
#define X509_WEAK_LEN 320

typedef struct x509_verify_result {
    bool verified;
    int error_code;            /* the first X509_V_ERR_*, X509_V_OK; -1: no verification was possible */
    int error_depth;           /* certificate the error is about (0 = leaf); -1 when verified */
    char error[512];           /* "" when verified; the first error, weak elements named */
    char store[300];           /* "system" or "file:PATH" */
    STACK_OF(X509) *path;      /* the chain built up to the anchor, up-ref'd; NULL if none */
    int auth_level;            /* X509_AUTH_LEVEL */
    size_t nerrors;            /* errors seen (verification goes on past each, to name them all) */
    bool missing_issuer;       /* some issuer was found neither served nor in the store */
    size_t nweak;              /* weak keys and signatures, named ("leaf key RSA 1024 bits is below 2048") */
    char weak[X509_MAX_WEAK][X509_WEAK_LEN];
} x509_verify_result_t;

/* Verifies served[0] at the current time for TLS server use, with all of served as untrusted
 * intermediates, against ca_file (PEM) or, when NULL, the system default store, at
 * X509_AUTH_LEVEL. Always fills out; free with x509_verify_result_free. Returns 0 when
 * verified, -1 otherwise. */
int x509_verify_chain(STACK_OF(X509) *served, const char *ca_file, x509_verify_result_t *out);
void x509_verify_result_free(x509_verify_result_t *r);
/* { "store", "verified", "error" (null when verified), "error_code",
 *   "error_depth" (null when verified), "anchor" (subject, null unless verified),
 *   "path" (subjects, leaf first), "auth_level", "weak" (descriptions, [] when none) } */
json_object *x509_verify_result_json(const x509_verify_result_t *r);

/* A reference to the (cached) store for ca_file, NULL: the system store. Free with
 * X509_STORE_free. NULL with err set when it cannot be loaded. */
X509_STORE *x509_store_ref(const char *ca_file, char *err, size_t errlen);

/* Trust stores are loaded once per path and shared (read-only) by every thread. Frees them;
 * call at exit, after all verification is done, to leave nothing behind for leak checkers. */
void x509_store_cache_clear(void);

/* Appends each name of names (RFC 2253 text) to list (a JSON array) unless the list holds it
 * already: the CA names of a CertificateRequest, which the server chose. */
void x509_name_list_add(STACK_OF(X509_NAME) *names, json_object *list);

typedef struct x509_name_match {
    bool is_ip;                /* name was an IP literal: checked against IP SANs */
    bool matched;
    bool wildcard;             /* matched through a wildcard DNS SAN ("*.example.com") */
    char matched_san[256];     /* the SAN entry that matched, "" if none */
} x509_name_match_t;

/* { "checked", "type" ("dns"|"ip"), "matched", "wildcard" }; name NULL gives
 * { "checked": null, "type": null, "matched": null, "wildcard": null }. */
json_object *x509_name_json(X509 *cert, const char *name);

#endif
