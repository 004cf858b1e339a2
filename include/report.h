/* Reports. The run becomes one JSON document (the versioned schema in man/tlsprobe-json.5);
 * every writer renders that document, so all formats say the same thing. */
#ifndef TLSPROBE_REPORT_H
#define TLSPROBE_REPORT_H

#include <stdio.h>
#include <time.h>

#include "endpoint.h"

#define REPORT_SCHEMA "tlsprobe-report"
#define REPORT_SCHEMA_VERSION "2.0"

typedef struct run_info {
    time_t started_at, finished_at;
    int exit_status;
} run_info_t;

/* The endpoint's object in the report (target, address, status, facts, verdicts, result). */
json_object *report_endpoint(endpoint_t *ep);
/* "PASS", "FAIL" or "ERROR" for an endpoint whose verdicts are filled. */
const char *report_endpoint_result(endpoint_t *ep);
json_object *report_document(endpoint_t *eps, size_t n, const run_info_t *run);

int report_json_write(FILE *f, json_object *doc, const options_t *opts);
int report_text_write(FILE *f, json_object *doc, const options_t *opts);
int report_jsonl_write(FILE *f, json_object *doc, const options_t *opts);
int report_csv_write(FILE *f, json_object *doc, const options_t *opts);
int report_junit_write(FILE *f, json_object *doc, const options_t *opts);
int report_html_write(FILE *f, json_object *doc, const options_t *opts);

/* JSONL streaming (main.c writes endpoints as they finish). Each call writes one complete,
 * newline-terminated line with one fwrite and flushes; callers serialise calls. 0 or -1.
 * The header copies schema, schema_version, tool and started_at from doc (a document of no
 * endpoints will do); the summary is doc's finished_at and summary members. */
int report_jsonl_header(FILE *f, json_object *doc);
int report_jsonl_endpoint(FILE *f, json_object *endpoint);
int report_jsonl_summary(FILE *f, json_object *doc);

/* One writer per format, each in its own report_<name>.c, listed in report.c. */
typedef struct report_writer {
    const char *name;                  /* --format NAME */
    const char *help;
    int (*write)(FILE *f, json_object *doc, const options_t *opts);
} report_writer_t;
const report_writer_t *report_writer_by_name(const char *name);
/* "text, json, ..." */
const char *report_writer_names(void);

/* Renders doc in opts->format to opts->output_path (atomically) or stdout. 0 or -1. */
int report_emit(json_object *doc, const options_t *opts, char *err, size_t errlen);

/* Writes a file so that readers see either the old or the complete new content. */
typedef int (*file_writer_fn)(FILE *f, void *arg);
int atomic_write_file(const char *path, file_writer_fn write, void *arg, char *err, size_t errlen);

#endif
