/* libFuzzer target: client-certificate CA names (the mtls probe's "ca_names"): the input is a
 * CertificateRequest's certificate_authorities vector (RFC 8446 4.2.4, RFC 5246 7.4.4: a 2-byte
 * length, then DER DistinguishedNames each behind a 2-byte length), split and decoded as
 * OpenSSL does, then rendered by x509_name_list_add (src/x509/x509_facts.c): printable ASCII,
 * each name once. */
#include <stddef.h>
#include <stdint.h>

#include <openssl/err.h>

#include "fuzz_pki_load.h"
#include "x509_facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t total = (size_t)data[0] << 8 | data[1];
    const uint8_t *p = data + 2, *end = data + 2 + (total < size - 2 ? total : size - 2);
    STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
    while (end - p >= 2) {
        size_t n = (size_t)p[0] << 8 | p[1];
        p += 2;
        if (n > (size_t)(end - p))
            break;
        const unsigned char *q = p;
        X509_NAME *name = d2i_X509_NAME(NULL, &q, (long)n);
        if (name && !sk_X509_NAME_push(names, name))
            X509_NAME_free(name);
        p += n;
    }
    json_object *list = json_object_new_array();
    x509_name_list_add(names, list);
    x509_name_list_add(names, list);   /* again: every name is already listed */
    if (json_object_array_length(list) > (size_t)sk_X509_NAME_num(names))
        abort();
    fuzz_json_done(list);
    sk_X509_NAME_pop_free(names, X509_NAME_free);
    ERR_clear_error();
    return 0;
}
