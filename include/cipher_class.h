/* Strength labels for cipher suites: what 12.1.2 / 9.1.2 scoring and the reports use.
 * Derived from the registry's structured fields, following ASVS 5.0 Appendix C (approved
 * AEADs; CBC legacy; CCM-8, 3DES, RC4, DES disallowed) and Mozilla's intermediate profile. */
#ifndef TLSPROBE_CIPHER_CLASS_H
#define TLSPROBE_CIPHER_CLASS_H

#include <stddef.h>

#include "iana.h"

typedef enum {
    SUITE_RECOMMENDED,  /* approved AEAD with forward secrecy and authentication */
    SUITE_ACCEPTABLE,   /* AEAD, but outside the recommended set (ARIA, CAMELLIA, CCM-8, PSK) */
    SUITE_WEAK,         /* CBC, no forward secrecy, or a SHA-1 MAC */
    SUITE_INSECURE      /* NULL, anonymous, export, RC4, DES, 64-bit blocks, MD5, < 112-bit keys */
} suite_class_t;

/* Label of a suite, and in why (may be NULL) the reasons, "CBC mode; no forward secrecy". */
suite_class_t suite_classify(const iana_suite_t *s, char *why, size_t whylen);
const char *suite_class_name(suite_class_t c);

/* Label of an SSLv2 cipher kind: always insecure (the protocol is), with the reason. */
suite_class_t sslv2_kind_classify(const iana_sslv2_kind_t *k, char *why, size_t whylen);

#endif
