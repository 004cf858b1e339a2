/* JSONL writer: a "run" line, one "endpoint" line per endpoint, a "summary" line. Each line is
 * a complete JSON object written with one fwrite and flushed, so a reader tailing the file of
 * a long sweep never sees half an endpoint. The writer is live: main.c has endpoint lines
 * written as endpoints finish (then in completion order). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"

static int write_line(FILE *f, json_object *o)
{
    size_t jlen, len;
    /* PLAIN output escapes control characters, so a line never contains a newline; the rest
     * that is unsafe to show is escape_json_text's. */
    const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &jlen);
    char *safe = s ? escape_json_text(s, jlen, &len) : NULL;
    char *line = safe ? realloc(safe, len + 1) : NULL;
    if (!line) {
        free(safe);
        return -1;
    }
    line[len] = '\n';
    int ok = fwrite(line, 1, len + 1, f) == len + 1 && fflush(f) == 0;
    free(line);
    return ok ? 0 : -1;
}

/* A new object: "type" first (readers can dispatch on it), then the members of from
 * (all of them, or only those listed in keys). */
static json_object *typed(const char *type, json_object *from, const char *const *keys, size_t nkeys)
{
    json_object *o = json_object_new_object(), *v;
    json_object_object_add(o, "type", json_object_new_string(type));
    if (keys) {
        for (size_t i = 0; i < nkeys; i++)
            if (json_object_object_get_ex(from, keys[i], &v))
                json_object_object_add(o, keys[i], json_object_get(v));
        return o;
    }
    json_object_object_foreach(from, key, val)
        json_object_object_add(o, key, json_object_get(val));
    return o;
}

/* Copies schema, schema_version, tool, started_at and targets from the head. */
static int write_header(FILE *f, json_object *doc, const options_t *opts)
{
    static const char *const keys[] = { "schema", "schema_version", "tool", "started_at", "targets" };
    (void)opts;
    json_object *o = typed("run", doc, keys, sizeof keys / sizeof *keys);
    int rc = write_line(f, o);
    json_object_put(o);
    return rc;
}

static int write_endpoint(FILE *f, json_object *endpoint, const options_t *opts)
{
    (void)opts;
    json_object *o = typed("endpoint", endpoint, NULL, 0);
    int rc = write_line(f, o);
    json_object_put(o);
    return rc;
}

/* doc's finished_at, incomplete and summary members. */
static int write_summary(FILE *f, json_object *doc, const options_t *opts)
{
    static const char *const keys[] = { "finished_at", "incomplete" };
    (void)opts;
    json_object *o = typed("summary", doc, keys, sizeof keys / sizeof *keys), *sum;
    if (json_object_object_get_ex(doc, "summary", &sum) && json_object_is_type(sum, json_type_object)) {
        json_object_object_foreach(sum, key, val)
            json_object_object_add(o, key, json_object_get(val));
    }
    int rc = write_line(f, o);
    json_object_put(o);
    return rc;
}

const report_writer_t report_writer_jsonl = {
    .name = "jsonl",
    .help = "one JSON line per endpoint, written as endpoints finish, between a run and a summary line",
    .live = true,
    .begin = write_header,
    .endpoint = write_endpoint,
    .end = write_summary,
};
