/* What a certificate says about its own quality: key and signature strength, lifetime,
 * purpose, must-staple, embedded SCTs; and SPKI pins. Pure: no network. */
#ifndef TLSPROBE_CERT_QUALITY_H
#define TLSPROBE_CERT_QUALITY_H

#include <stddef.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/x509.h>

/* The "leaf" facts object. chain: the served chain (signature strength is judged on every
 * certificate in it but self-signed roots, whose signatures nobody checks). */
json_object *cert_leaf_facts(X509 *leaf, STACK_OF(X509) *chain, time_t now, int expiry_warn_days);

/* { "configured": [...], "matched": bool, "matched_subject": ... } against every certificate
 * in certs; NULL when no pins are configured. Pins may be written with or without "sha256/". */
json_object *cert_pin_facts(STACK_OF(X509) *certs, char *const *pins, size_t npins);

#endif
