/* Shared by the X.509 fuzz targets: the compiled-in test PKI (fuzz_pki.h) as X509 objects,
 * parsed once; and FUZZ_PRINT=1 in the environment prints each result (to check seeds). */
#ifndef FUZZ_PKI_LOAD_H
#define FUZZ_PKI_LOAD_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/pem.h>

#include "fuzz_pki.h"

static inline X509 *fuzz_pem_cert(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!x)
        abort();
    return x;
}

/* Printable ASCII only, as the facts promise for server-chosen text (no control, no 8-bit byte,
 * no NUL inside). */
static inline void fuzz_require_ascii(json_object *s)
{
    const char *p = json_object_get_string(s);
    int len = json_object_get_string_len(s);
    for (int i = 0; p && i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            abort();
}

/* Every string in o, at any depth, is printable ASCII: facts carry server-chosen text only in
 * escaped form. */
static inline void fuzz_require_ascii_all(json_object *o)
{
    if (json_object_is_type(o, json_type_string)) {
        fuzz_require_ascii(o);
    } else if (json_object_is_type(o, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(o); i++)
            fuzz_require_ascii_all(json_object_array_get_idx(o, i));
    } else if (json_object_is_type(o, json_type_object)) {
        json_object_object_foreach(o, key, val) {
            (void)key;
            fuzz_require_ascii_all(val);
        }
    }
}

/* Consumes o: prints it when asked, checks it serialises and holds printable ASCII only. */
static inline void fuzz_json_done(json_object *o)
{
    fuzz_require_ascii_all(o);
    const char *s = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : "null";
    if (!s)
        abort();
    if (getenv("FUZZ_PRINT"))
        printf("%s\n", s);
    json_object_put(o);
}

#endif
