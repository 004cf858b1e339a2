/* JSON writer: the report document, pretty-printed, slashes unescaped, streamed: the head's
 * members, then "endpoints" one at a time. The bytes are json-c's for the whole document
 * (json_object_to_json_string_ext, two spaces a level), with "endpoints" its last member,
 * made safe to show by escape_json_text (the same strings to a JSON reader). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"

#define FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

static size_t written;  /* endpoints written since begin (one document at a time) */

/* The head as json-c writes it, without its closing "\n}", then the list's opening. */
static int json_begin(FILE *f, json_object *head, const options_t *opts)
{
    (void)opts;
    size_t jlen, len = 0;
    const char *js = json_object_to_json_string_length(head, FLAGS, &jlen);
    char *s = js ? escape_json_text(js, jlen, &len) : NULL;
    written = 0;
    /* An empty head would print "{\n}": no member to follow with a comma. */
    const char *sep = len > 3 ? ",\n" : "\n";
    int rc = !s || len < 2 || strcmp(s + len - 2, "\n}") != 0 || fwrite(s, 1, len - 2, f) != len - 2 ||
                     fprintf(f, "%s  \"endpoints\": [\n", sep) < 0 ? -1 : 0;
    free(s);
    return rc;
}

/* The endpoint as json-c writes it at the top level, each line indented two levels more (a
 * newline inside a string is escaped, so every one in the text is json-c's own). */
static int json_endpoint(FILE *f, json_object *endpoint, const options_t *opts)
{
    (void)opts;
    size_t jlen, len;
    const char *js = json_object_to_json_string_length(endpoint, FLAGS, &jlen);
    char *safe = js ? escape_json_text(js, jlen, &len) : NULL, *s = safe;
    int rc = !s || (written++ > 0 && fputs(",\n", f) < 0) || fputs("    ", f) < 0 ? -1 : 0;
    for (char *nl; rc == 0 && (nl = strchr(s, '\n')); s = nl + 1)
        if (fwrite(s, 1, (size_t)(nl - s) + 1, f) != (size_t)(nl - s) + 1 || fputs("    ", f) < 0)
            rc = -1;
    rc = rc == 0 && fputs(s, f) >= 0 ? 0 : -1;
    free(safe);
    return rc;
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
