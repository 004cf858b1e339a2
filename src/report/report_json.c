/* JSON writer: the report document as it is, pretty-printed, slashes unescaped. */
#include "report.h"

static int write_json(FILE *f, json_object *doc, const options_t *opts)
{
    (void)opts;
    const char *s = json_object_to_json_string_ext(
        doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    return fputs(s, f) < 0 || fputc('\n', f) == EOF ? -1 : 0;
}

const report_writer_t report_writer_json = {
    .name = "json",
    .help = "the whole report: facts and verdicts (schema tlsprobe-report)",
    .write = write_json,
};
