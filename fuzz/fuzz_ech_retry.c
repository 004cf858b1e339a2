/* libFuzzer target: what the ech probe reads after a rejection (src/ech/ech_retry.c): a
 * ServerHello and an "encrypted" record (which garbage never authenticates: the checks before
 * decryption are what is reached), and the decrypted plaintext's EncryptedExtensions with its
 * retry_configs ECHConfigList. Malformed input must give a reason, never a bad read or a crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ech_hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ech_retry_t out;
    ech_retry_from_plaintext(data, size, &out);
    /* The same bytes split into a ServerHello message and a record, with kept keys. */
    if (size < 2)
        return 0;
    size_t cut = data[0] < size - 1 ? data[0] : size - 1;
    static ech_hello_t h;   /* large: static, zeroed; only its outer hello bytes are read */
    static ech_key_share_t keys[2];
    if (!keys[0].group && (ech_key_share_new(29, &keys[0]) != 0 || ech_key_share_new(23, &keys[1]) != 0))
        return 0;
    h.record_len = WIRE_RECORD_HEADER + 4;
    ech_retry_configs(&h, data + 1, cut, keys, 2, data + 1 + cut, size - 1 - cut, &out);
    return 0;
}
