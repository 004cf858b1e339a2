/* libFuzzer target: HPKE's receiver side (the half that reads attacker-chosen bytes: enc and a
 * ciphertext) for every supported suite; bad points, short inputs and forged tags must be
 * errors, never out-of-bounds reads, leaks or crashes. */
#include <stddef.h>
#include <stdint.h>

#include "hpke.h"

static const hpke_suite_t suites[] = {
    { 0x0020, 0x0001, 0x0001 }, { 0x0020, 0x0001, 0x0003 }, { 0x0010, 0x0001, 0x0001 },
    { 0x0010, 0x0003, 0x0002 }, { 0x0020, 0x0002, 0x0003 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const hpke_suite_t *suite = &suites[data[0] % (sizeof suites / sizeof *suites)];
    size_t enc_len = hpke_kem_enc_len(suite->kem_id);
    data++, size--;
    /* A receiver key derived from fixed input keeps the target deterministic. */
    static const uint8_t ikm[32] = { 1 };
    uint8_t sk[66], pk[133], pt[512];
    size_t sk_len = sizeof sk, pk_len = sizeof pk, pt_len = 0;
    if (hpke_derive_key_pair(suite->kem_id, ikm, sizeof ikm, sk, &sk_len, pk, &pk_len) != HPKE_OK)
        return 0;
    hpke_ctx_t ctx;
    size_t take = size < enc_len ? size : enc_len;
    if (hpke_setup_base_r(suite, data, take, sk, sk_len, (const uint8_t *)"info", 4, &ctx) == HPKE_OK) {
        hpke_open(&ctx, data, size > 8 ? 8 : size, data + take, size - take, pt, sizeof pt, &pt_len);
        hpke_ctx_clear(&ctx);
    }
    return 0;
}
