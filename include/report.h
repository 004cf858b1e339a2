/* Reports. The run becomes one JSON document (the versioned schema in man/tlsprobe-json.5);
 * every writer renders that document, so all formats say the same thing. */
#ifndef TLSPROBE_REPORT_H
#define TLSPROBE_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "endpoint.h"

#define REPORT_SCHEMA "tlsprobe-report"
#define REPORT_SCHEMA_VERSION "2.1"

typedef struct run_info {
    time_t started_at, finished_at;
    int exit_status;
    /* The sweep was stopped (a signal, a closed output): the report lists only the endpoints
     * scoring saw (result set) and counts the others as not_probed. */
    bool incomplete;
    size_t not_probed;
} run_info_t;

/* The endpoint's object in the report (target, address, status, facts, verdicts, result). */
json_object *report_endpoint(endpoint_t *ep);
/* "PASS", "FAIL" or "ERROR" for an endpoint whose verdicts are filled. */
const char *report_endpoint_result(endpoint_t *ep);
json_object *report_document(endpoint_t *eps, size_t n, const run_info_t *run);

/* One writer per format: report_<name>.c exports `const report_writer_t report_writer_<name>`,
 * listed once in report.c (REPORT_WRITERS). A writer renders the document; it decides nothing. */
typedef struct report_writer {
    const char *name;                  /* --format NAME */
    const char *help;                  /* one line: what the format holds */
    /* The whole report from a finished document. 0 or -1. */
    int (*write)(FILE *f, json_object *doc, const options_t *opts);
    /* Optional streaming, for a format that can start before the sweep ends; NULL endpoint:
     * it does not stream. main.c calls begin once with a document of no endpoints (the run
     * members only), endpoint with each endpoint's object as it finishes (completion order,
     * calls serialised), end once with the finished document. Each writes whole units and
     * flushes them. begin and end may be NULL. 0 or -1. */
    int (*begin)(FILE *f, json_object *doc, const options_t *opts);
    int (*endpoint)(FILE *f, json_object *endpoint, const options_t *opts);
    int (*end)(FILE *f, json_object *doc, const options_t *opts);
} report_writer_t;

/* Every writer, in --help order; the first is the default format. */
extern const report_writer_t *const report_writers[];
extern const size_t report_writer_count;
const report_writer_t *report_writer_by_name(const char *name);
/* "text, json, ..." */
const char *report_writer_names(void);

/* Runs write on opts->output_path (atomically) or on stdout (then flushed). 0, or -1 with err. */
typedef int (*file_writer_fn)(FILE *f, void *arg);
int report_output(const options_t *opts, file_writer_fn write, void *arg, char *err, size_t errlen);
/* Renders doc in opts->format to opts->output_path (atomically) or stdout. 0 or -1. */
int report_emit(json_object *doc, const options_t *opts, char *err, size_t errlen);

/* Writes a file so that readers see either the old or the complete new content. */
int atomic_write_file(const char *path, file_writer_fn write, void *arg, char *err, size_t errlen);
/* Removes the temporary file of an atomic_write_file in progress, if any: for a process about to
 * _exit from a signal handler. Async-signal-safe. */
void atomic_write_abandon(void);

#endif
