/* Inside src/x509: the two readers of server-chosen AIA data in chain_analysis.c, apart from
 * their fetches so they can be fuzzed (fuzz/fuzz_aia.c). */
#ifndef TLSPROBE_CHAIN_AIA_H
#define TLSPROBE_CHAIN_AIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

/* The first http(s) caIssuers URI of cert's AIA extension, copied into out (NUL-terminated);
 * false when there is none that fits (outlen) and holds no NUL. */
bool chain_ca_issuers_url(X509 *cert, char *out, size_t outlen);

/* The certificates of a caIssuers response body (DER, PEM, or a PKCS#7 certs-only bundle;
 * at most 64 KB, else none), pushed onto out. */
void chain_parse_issuers(const uint8_t *buf, size_t len, STACK_OF(X509) *out);

#endif
