/* libFuzzer target: the waiver policy loader (src/scoring/policy.c, --policy FILE) on a
 * hostile file, then a lookup: 0 or a "FILE:LINE:COLUMN: ..." error, nothing leaks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_memfd.h"
#include "fuzz_service_stubs.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_memfd_path(data, size);
    policy_t p;
    char err[512] = "";
    if (policy_load(path, &p, err, sizeof err) != 0) {
        if (strncmp(err, path, strlen(path)) != 0 || p.count != 0)
            abort();
        return 0;
    }
    char *tags[] = { "payments", "legacy" };
    target_t t = { .spec = "www.example.com:443", .host = "www.example.com", .port = 443, .tags = tags, .ntags = 2 };
    for (size_t i = 0; i < p.count; i++)
        policy_find(&p, p.waivers[i].requirement, &t);
    policy_find(&p, "12.1.1", &t);
    policy_free(&p);
    return 0;
}
