/* libFuzzer target: certificate facts and their rendering (src/x509/x509_facts.c and
 * cert_quality.c) on a certificate the server chose: the input is DER (d2i_X509; OpenSSL
 * parses, tlsprobe renders), then the facts object (names, SANs, key, dates), the chain facts,
 * validity, the RFC 6125 name check against a few names, leaf quality facts and pins. Every
 * string they hold must be printable ASCII (fuzz_json_done): server text is escaped. */
#include <stddef.h>
#include <stdint.h>

#include <openssl/err.h>

#include "cert_quality.h"
#include "fuzz_pki_load.h"
#include "x509_facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static X509 *issuer;
    if (!issuer)
        issuer = fuzz_pem_cert(fuzz_pki_ca);
    const unsigned char *p = data;
    X509 *cert = d2i_X509(NULL, &p, (long)size);
    if (!cert) {
        ERR_clear_error();   /* queued errors hold allocations: libFuzzer would look for leaks */
        return 0;
    }
    fuzz_json_done(x509_cert_facts(cert));
    STACK_OF(X509) *chain = sk_X509_new_null();
    sk_X509_push(chain, cert);
    sk_X509_push(chain, issuer);
    fuzz_json_done(x509_chain_facts(chain));
    bool expired, not_yet;
    long days;
    x509_validity(cert, FUZZ_PKI_NOW, &expired, &not_yet, &days);
    static const char *const names[] = { "www.fuzz.test", "x.api.fuzz.test", "127.0.0.1", "::1", "fuzz.test." };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        fuzz_json_done(x509_name_json(cert, names[i]));
    fuzz_json_done(cert_leaf_facts(cert, chain, FUZZ_PKI_NOW, 30));
    char *pins[] = { "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "not base64" };
    fuzz_json_done(cert_pin_facts(chain, pins, 2));
    sk_X509_free(chain);
    X509_free(cert);
    ERR_clear_error();
    return 0;
}
