/* libFuzzer target: the YAML inventory loader (src/app/inventory.c, inventory_target.c) on a
 * hostile file: every error is "FILE:LINE:COLUMN: ..." and bounded in number, a valid file's
 * targets all parse, nothing leaks. Relative paths in it (ca:, client_cert:...) resolve next to
 * the input, in /proc/self/fd, so they are errors. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_memfd.h"
#include "fuzz_service_stubs.h"
#include "inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_memfd_path(data, size);
    target_list_t list = { 0 };
    inventory_errors_t errs = { 0 };
    size_t ngroups = 0;
    size_t n = inventory_load_all(path, &list, &errs, &ngroups);
    if (n != errs.count + errs.dropped || errs.count > INVENTORY_MAX_ERRORS)
        abort();
    for (size_t i = 0; i < errs.count; i++)
        if (strncmp(errs.lines[i], path, strlen(path)) != 0)
            abort();
    for (size_t i = 0; n == 0 && i < list.count; i++)
        if (!list.items[i].host || !list.items[i].port)
            abort();
    FILE *null = fopen("/dev/null", "w");
    inventory_errors_print(null, "", &errs);
    fclose(null);
    inventory_errors_free(&errs);
    target_list_free(&list);
    return 0;
}
