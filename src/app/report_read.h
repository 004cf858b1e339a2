/* Reading a saved report (JSON or JSONL, told apart by the first line) into its run members and
 * its endpoints, for the subcommands that work on reports: diff, merge. */
#ifndef TLSPROBE_REPORT_READ_H
#define TLSPROBE_REPORT_READ_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/* Bounds on what is read: a report file, one JSONL line, the nesting of a JSON value. */
#define REPORT_READ_MAX_BYTES ((size_t)2 << 30)
#define REPORT_READ_MAX_LINE ((size_t)16 << 20)
#define REPORT_READ_MAX_DEPTH 64

typedef struct report_file {
    /* The document without "endpoints": schema, schema_version, tool, started_at, finished_at,
     * summary (a JSONL file's summary line, split back into finished_at and summary). */
    json_object *head;
    json_object *endpoints; /* array of endpoint objects, in file order (JSONL: no "type") */
    bool jsonl;
    bool truncated; /* a JSONL file without its summary line: the run did not finish writing */
} report_file_t;

/* Reads and checks a tlsprobe-report of this major version: each endpoint an object with its
 * facts, verdicts, grade and tags of the right types. 0, or -1 with "PATH:LINE: why" in err. */
int report_read(const char *path, report_file_t *out, char *err, size_t errlen);
/* The same from text in memory; name stands for the path in messages. */
int report_read_text(const char *text, size_t len, const char *name, report_file_t *out, char *err, size_t errlen);
void report_file_free(report_file_t *r);

/* Whether the report says it is incomplete ("incomplete": true at the top or in the summary),
 * or is a JSONL file without its summary line. */
bool report_file_incomplete(const report_file_t *r);

/* Whether every endpoint has a string "id" (2.1 and later). */
bool report_file_has_ids(const report_file_t *r);
/* The key endpoints are matched by across reports: "id" when by_id, else (a 2.0 report has no
 * id) "TARGET/sni=SNI/port=PORT". Written to buf (bounded); false when the member is missing. */
bool report_endpoint_key(json_object *ep, bool by_id, char *buf, size_t len);

#endif
