/* libFuzzer target: OCSP response handling (src/x509/ocsp_check.c, the checks a stapled and a
 * fetched response share): parse, status, basic response, the signer (issuer or delegated
 * responder), the single response for our leaf, times. The leaf and issuer are the test PKI the
 * seeds were made with (fuzz/make_seeds.sh), checked at a fixed time, so mutations of real
 * responses reach the deep checks. The verdict must be one the contract names. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/err.h>

#include "fuzz_pki_load.h"
#include "ocsp_check.h"

static const char *const verdicts[] = { "none", "valid", "stale", "wrong", "revoked", "unknown", "invalid" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static X509 *leaf, *issuer;
    static STACK_OF(X509) *untrusted;
    if (!leaf) {
        leaf = fuzz_pem_cert(fuzz_pki_leaf);
        issuer = fuzz_pem_cert(fuzz_pki_ca);
        untrusted = sk_X509_new_null();
        sk_X509_push(untrusted, issuer);
    }
    /* The issuer given, then looked up among the untrusted (the two ways the probe calls it). */
    for (int lookup = 0; lookup < 2; lookup++) {
        json_object *o = ocsp_staple_facts(data, size, leaf, lookup ? NULL : issuer, untrusted, NULL, FUZZ_PKI_NOW);
        const char *v = json_object_get_string(json_object_object_get(o, "verdict"));
        bool known = false;
        for (size_t i = 0; v && i < sizeof verdicts / sizeof *verdicts; i++)
            known |= strcmp(v, verdicts[i]) == 0;
        if (!known)
            abort();
        fuzz_json_done(o);
    }
    ERR_clear_error();   /* queued errors hold allocations: libFuzzer would look for leaks */
    return 0;
}
