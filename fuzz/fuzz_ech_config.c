/* libFuzzer target: ECHConfigList parsing (binary and base64) on hostile bytes. The parser must
 * reject or parse, never read out of bounds, leak or allocate beyond its input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ech_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256];
    ech_config_list_t list;
    if (ech_config_list_parse(data, size, &list, why, sizeof why))
        ech_config_list_free(&list);
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    if (ech_config_list_from_base64(text, &raw, &raw_len, why, sizeof why) &&
        ech_config_list_parse(raw, raw_len, &list, why, sizeof why))
        ech_config_list_free(&list);
    free(raw);
    free(text);
    return 0;
}
