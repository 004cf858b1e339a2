/* The chain as served, judged the way a person fixing a server needs: order, duplicates,
 * extra certificates, the root sent or not, and missing intermediates completed through the
 * AIA caIssuers URL (so "incomplete chain" is told apart from "untrusted"). */
#ifndef TLSPROBE_CHAIN_ANALYSIS_H
#define TLSPROBE_CHAIN_ANALYSIS_H

#include <stdbool.h>

#include <json-c/json.h>
#include <openssl/x509.h>

#include "x509_facts.h"

typedef struct chain_result {
    x509_verify_result_t trust;   /* verification of the served chain plus what AIA supplied */
    STACK_OF(X509) *fetched;      /* certificates fetched via AIA (owned), may be empty */
    json_object *analysis;        /* the "chain_analysis" facts object */
} chain_result_t;

/* served: leaf first, as the server sent it. ca_file NULL: the system store. offline: no AIA
 * fetches. Always fills out; free with chain_result_free. */
void chain_analyse(STACK_OF(X509) *served, const char *ca_file, bool offline, double timeout_s,
                   chain_result_t *out);
void chain_result_free(chain_result_t *r);

/* The issuer of leaf: from the verified path when there is one, else among candidates. NULL
 * when unknown. Not up-ref'd. */
X509 *chain_issuer_of(X509 *leaf, const x509_verify_result_t *trust, STACK_OF(X509) *candidates);

#endif
