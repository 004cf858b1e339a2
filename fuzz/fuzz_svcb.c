/* libFuzzer target: the DNS answer reader and the HTTPS/SVCB RDATA parser on hostile bytes (a
 * resolver's answer is server-controlled). They must reject or parse, never read out of bounds,
 * loop on compression pointers, leak or grow without bound. */
#include <stddef.h>
#include <stdint.h>

#include <ares.h>
#include <json-c/json.h>

#include "https_rr.h"
#include "svcb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256], alias[256];
    svcb_t rec;
    if (svcb_parse(data, size, &rec, why, sizeof why))
        svcb_free(&rec);
    json_object_put(https_rr_from_answer("fuzz.example", ARES_SUCCESS, data, size, alias, sizeof alias));
    return 0;
}
