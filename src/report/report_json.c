/* JSON writer: the report document, pretty-printed, slashes unescaped, streamed: the head's
 * members, then "endpoints" one at a time. The bytes are json-c's for the whole document
 * (json_object_to_json_string_ext, two spaces a level), with "endpoints" its last member. */
#include "report.h"

#include <string.h>

#define FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

static size_t written;  /* endpoints written since begin (one document at a time) */

/* The head as json-c writes it, without its closing "\n}", then the list's opening. */
static int json_begin(FILE *f, json_object *head, const options_t *opts)
{
    (void)opts;
    size_t len;
    const char *s = json_object_to_json_string_length(head, FLAGS, &len);
    written = 0;
    if (!s || len < 2 || strcmp(s + len - 2, "\n}") != 0)
        return -1;
    /* An empty head would print "{\n}": no member to follow with a comma. */
    const char *sep = len > 3 ? ",\n" : "\n";
    return fwrite(s, 1, len - 2, f) != len - 2 || fprintf(f, "%s  \"endpoints\": [\n", sep) < 0 ? -1 : 0;
}

/* The endpoint as json-c writes it at the top level, each line indented two levels more (a
 * newline inside a string is escaped, so every one in the text is json-c's own). */
static int json_endpoint(FILE *f, json_object *endpoint, const options_t *opts)
{
    (void)opts;
    const char *s = json_object_to_json_string_ext(endpoint, FLAGS);
    if (!s || (written++ > 0 && fputs(",\n", f) < 0) || fputs("    ", f) < 0)
        return -1;
    for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1)
        if (fwrite(s, 1, (size_t)(nl - s) + 1, f) != (size_t)(nl - s) + 1 || fputs("    ", f) < 0)
            return -1;
    return fputs(s, f) < 0 ? -1 : 0;
}

static int json_end(FILE *f, json_object *head, const options_t *opts)
{
    (void)head;
    (void)opts;
    return fputs(written ? "\n  ]\n}\n" : "  ]\n}\n", f) < 0 || ferror(f) ? -1 : 0;
}

const report_writer_t report_writer_json = {
    .name = "json",
    .help = "the whole report: facts and verdicts (schema tlsprobe-report)",
    .begin = json_begin,
    .endpoint = json_endpoint,
    .end = json_end,
};
