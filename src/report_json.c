/* JSON writer: the report document as it is, pretty-printed, slashes unescaped. */
#include "report.h"

int report_json_write(FILE *f, json_object *doc, const options_t *opts)
{
    (void)opts;
    const char *s = json_object_to_json_string_ext(
        doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    return fputs(s, f) < 0 || fputc('\n', f) == EOF ? -1 : 0;
}
