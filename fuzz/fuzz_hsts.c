/* libFuzzer target: the Strict-Transport-Security value grammar (src/http/hsts.c) on hostile
 * header text: a verdict and a bounded, NUL-terminated error, never a bad read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "hsts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *value = fuzz_strdup(data, size);
    hsts_policy_t p;
    bool valid = hsts_parse(value, &p);
    if (valid != p.valid || (valid && p.error[0]) || (!valid && !p.error[0]) ||
        strnlen(p.error, sizeof p.error) == sizeof p.error)
        abort();
    free(value);
    return 0;
}
