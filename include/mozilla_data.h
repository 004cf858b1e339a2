/* Mozilla Server Side TLS profiles, compiled in from data/mozilla by tools/gen_mozilla.py.
 * Names are in the vocabulary of tlsprobe's facts: versions "TLSv1.0".."TLSv1.3", suites by
 * IANA name, tls_curves by IANA group name ("secp256r1" where Mozilla writes "prime256v1"),
 * certificate types "rsa"/"ecdsa", certificate curves and signatures as OpenSSL names them. */
#ifndef TLSPROBE_MOZILLA_DATA_H
#define TLSPROBE_MOZILLA_DATA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mozilla_profile {
    const char *name;                          /* "modern", "intermediate", "old" */
    const char *guidelines_version;            /* "6.0" (old: "5.8") */
    /* NULL-terminated lists */
    const char *const *tls_versions;
    const char *const *ciphersuites;           /* TLS 1.3 */
    const char *const *ciphers;                /* TLS 1.2 and below (Mozilla's ciphers.iana) */
    const char *const *tls_curves;
    const char *const *certificate_types;
    const char *const *certificate_curves;
    const char *const *certificate_signatures;
    /* 0: the guidelines set no value (null) */
    int rsa_key_size;
    int dh_param_size;
    int ecdh_param_size;
    long hsts_min_age;                         /* seconds */
    bool ocsp_staple;
    bool server_preferred_order;
    int maximum_certificate_lifespan;          /* days */
} mozilla_profile_t;

extern const mozilla_profile_t mozilla_profiles[];
extern const size_t mozilla_profiles_count;

#endif
