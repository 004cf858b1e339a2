/* libFuzzer target: AIA issuer parsing (src/x509/chain_analysis.c): the input as a caIssuers
 * response body (DER certificate, PEM, PKCS#7 bundle), then the caIssuers URL of each
 * certificate it gave; and the input as a certificate whose AIA extension is read. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/err.h>

#include "chain_aia.h"

static void url_of(X509 *x)
{
    char url[512];
    if (chain_ca_issuers_url(x, url, sizeof url) &&
        (strnlen(url, sizeof url) == sizeof url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    STACK_OF(X509) *got = sk_X509_new_null();
    chain_parse_issuers(data, size, got);
    for (int i = 0; i < sk_X509_num(got); i++)
        url_of(sk_X509_value(got, i));
    sk_X509_pop_free(got, X509_free);
    const unsigned char *p = data;
    X509 *cert = d2i_X509(NULL, &p, (long)size);
    if (cert)
        url_of(cert);
    X509_free(cert);
    ERR_clear_error();
    return 0;
}
