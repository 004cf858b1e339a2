/* OCSP stapling validation and revocation checks (OCSP responder from the AIA, else the CRL
 * distribution point) as the json-c objects of the certificate contract. Both entry points
 * share one verification of OCSP basic responses: signed by the issuer itself or by a
 * delegated responder it certified for OCSPSigning (RFC 6960 4.2.2.2), for the leaf, current.
 * Chain trust is not judged here (the certificate probe reports it): a staple signed by the
 * issuer is valid even when the issuer itself is not trusted. */
#ifndef TLSPROBE_OCSP_CHECK_H
#define TLSPROBE_OCSP_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/x509.h>

/* Clock skew allowed on thisUpdate/nextUpdate, and the maximum age of a response (or CRL)
 * without nextUpdate. */
#define OCSP_CHECK_SKEW_S (5 * 60)
#define OCSP_CHECK_MAX_AGE_S (7L * 24 * 3600)

/* The contract's "ocsp_staple" object for a stapled response (der, len) at time now:
 * { "present", "verdict" ("none"|"valid"|"stale"|"wrong"|"revoked"|"unknown"|"invalid"),
 *   "cert_status", "this_update", "next_update", "responder" ("issuer"|"delegated"),
 *   "revocation_reason", "error" }, null where unknown. der NULL or len 0: no staple.
 * issuer NULL: looked for among untrusted, then in store (either may be NULL); when not found,
 * verdict "invalid" with "issuer certificate not available". Delegated responder certificates
 * are taken from the response (and untrusted). Pure: no network. NULL only on allocation failure. */
json_object *ocsp_staple_facts(const unsigned char *der, size_t len, X509 *leaf, X509 *issuer,
                               STACK_OF(X509) *untrusted, X509_STORE *store, time_t now);

/* The contract's "revocation" object, plus "error" (null unless nothing could be checked):
 * { "offline", "method" ("ocsp"|"crl"|null: the method that answered), "ocsp", "crl",
 *   "result" ("good"|"revoked"|"unknown"|"not_checked"|"error"), "error" }.
 * offline: nothing fetched, result "not_checked". Otherwise the leaf's first http(s) AIA OCSP
 * URL is queried (POST, a nonce that is the same for one certificate within a run); when there
 * is none or the query fails, the first http(s) CRL distribution point is fetched, verified with
 * the issuer's key and searched. issuer NULL: looked up in store. Each fetch is bounded by
 * timeout_s (> 0) and HTTP_DEFAULT_MAX_BYTES, and goes through the run's cache (fetch_cache.h):
 * the same query or CRL is fetched once per run.
 * NULL only on allocation failure. */
json_object *revocation_facts(X509 *leaf, X509 *issuer, X509_STORE *store, bool offline, double timeout_s);

#endif
