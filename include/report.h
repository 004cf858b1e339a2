/* Reports. The run becomes one JSON document (the versioned schema in man/tlsprobe-json.5);
 * every writer renders that document, so all formats say the same thing. The document is
 * never whole in memory during a sweep: writers get its head, then one endpoint at a time. */
#ifndef TLSPROBE_REPORT_H
#define TLSPROBE_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "endpoint.h"
#include "report_overview.h"

#define REPORT_SCHEMA "tlsprobe-report"
#define REPORT_SCHEMA_VERSION "2.2"

typedef struct run_info {
    time_t started_at, finished_at;
    int exit_status;
    /* The sweep was stopped (a signal, a closed output): the report lists only the endpoints
     * scoring saw (result set) and counts the others as not_probed. */
    bool incomplete;
    size_t not_probed;
    /* The targets the run set out to probe (its selection, resumed ones included): written
     * first, so that a reader of a cut-off JSONL file knows how many it never got. */
    size_t targets;
} run_info_t;

/* The endpoint's object in the report (target, address, status, facts, verdicts, result). */
json_object *report_endpoint(endpoint_t *ep);
/* "PASS", "FAIL" or "ERROR" for an endpoint whose verdicts are filled. */
const char *report_endpoint_result(endpoint_t *ep);

/* The summary's counts, added up one finished endpoint at a time, so that nothing but the
 * counts is kept for it. */
typedef struct report_tally {
    int endpoints, reachable, passed, failed, errors, warned;
    size_t not_probed;  /* targets a stopped run never finished (set by the run, not counted here) */
    report_overview_t overview;
} report_tally_t;
/* Counts one endpoint object (report_endpoint()'s shape: its "status" and "result"). */
void report_tally_add(report_tally_t *t, json_object *endpoint);
/* The "summary" object (new reference): endpoints, reachable, unreachable, passed, failed,
 * errors, warnings (endpoints with any), not_probed, exit_status, overview (report_overview.h). */
json_object *report_tally_json(const report_tally_t *t, int exit_status);
/* Frees what the tally holds (the overview's ids). */
void report_tally_free(report_tally_t *t);

/* The report document without "endpoints" (new reference): schema, schema_version, tool,
 * started_at, finished_at and summary (taken: the head owns it). Writers get this "head";
 * endpoints come to them one at a time. */
json_object *report_head(const run_info_t *run, json_object *summary);

/* One writer per format: report_<name>.c exports `const report_writer_t report_writer_<name>`,
 * listed once in report.c (REPORT_WRITERS). A writer renders the document; it decides nothing.
 * Every writer streams: begin once with the head (the document without "endpoints", with its
 * "summary"), endpoint once per endpoint object (calls serialised), end once with the head.
 * After the sweep, whole-run writers get the endpoints in index order from the spool, with the
 * final head at begin; a live writer gets them during the sweep, in completion order, and its
 * begin head's summary is not yet known (zeros). A writer keeps only what it still has to
 * print (in memory if small, else in a report_scratch_file()); its state lasts from begin to
 * end, so one document at a time per writer. After a begin that returned 0, the drivers call
 * end even when an endpoint failed, so that the writer frees its state. Each returns 0 or -1. */
typedef struct report_writer {
    const char *name;                  /* --format NAME */
    const char *help;                  /* one line: what the format holds */
    bool live;                         /* endpoints written as they finish (jsonl) */
    int (*begin)(FILE *f, json_object *head, const options_t *opts);
    int (*endpoint)(FILE *f, json_object *endpoint, const options_t *opts);
    int (*end)(FILE *f, json_object *head, const options_t *opts);
} report_writer_t;

/* Every writer, in --help order; the first is the default format. */
extern const report_writer_t *const report_writers[];
extern const size_t report_writer_count;
const report_writer_t *report_writer_by_name(const char *name);
/* "text, json, ..." */
const char *report_writer_names(void);

/* Drives w over a whole document in memory (tlsprobe render, tests): begin with doc minus its
 * "endpoints", each endpoint, end. 0 or -1. */
int report_write_document(const report_writer_t *w, FILE *f, json_object *doc, const options_t *opts);

/* The spool: each finished endpoint's object serialised once into an anonymous temporary file
 * (unlinked from the start, so a kill leaves nothing behind; in $TMPDIR, else /tmp), so that a
 * sweep holds the facts of the endpoints in progress only. Records are numbered by the caller
 * (the endpoint's place in the sweep); put is thread-safe, get is not. */
typedef struct report_spool report_spool_t;
/* NULL when no temporary file can be had (errno says why). */
report_spool_t *report_spool_open(void);
/* Serialises o as record index (a record is written once). 0 or -1. */
int report_spool_put(report_spool_t *s, size_t index, json_object *o);
/* Record index, parsed again (new reference); NULL when it was never put or cannot be read. */
json_object *report_spool_get(report_spool_t *s, size_t index);
/* One more than the highest index put; 0 for an empty spool. */
size_t report_spool_count(const report_spool_t *s);
void report_spool_close(report_spool_t *s);
/* Drives w over head and the spool's records in index order, one parsed at a time. A record
 * never put (an endpoint that did not finish) is left out; one that cannot be read again is an
 * error. 0 or -1. */
int report_write_spool(const report_writer_t *w, FILE *f, json_object *head, report_spool_t *s,
                       const options_t *opts);
/* An anonymous temporary file for a writer's deferred output ("w+", unlinked), or NULL. */
FILE *report_scratch_file(void);
/* Copies all of scratch (from its start) to f. 0 or -1. */
int report_scratch_copy(FILE *scratch, FILE *f);

/* Runs write on opts->output_path (atomically) or on stdout (then flushed). 0, or -1 with err. */
typedef int (*file_writer_fn)(FILE *f, void *arg);
int report_output(const options_t *opts, file_writer_fn write, void *arg, char *err, size_t errlen);
/* Renders a whole document in opts->format to opts->output_path (atomically) or stdout. 0 or -1. */
int report_emit(json_object *doc, const options_t *opts, char *err, size_t errlen);

/* Writes a file so that readers see either the old or the complete new content. */
int atomic_write_file(const char *path, file_writer_fn write, void *arg, char *err, size_t errlen);
/* Opens path for a file written in place (a live JSONL report, a resumed one) and takes an
 * exclusive lock on it, without waiting: two runs writing one file would interleave their
 * lines. The lock lasts until the descriptor is closed. A path that exists and is not a regular
 * file (a pipe, a device) is opened for writing only, without a lock. The fd, or -1 with err. */
int report_open_locked(const char *path, char *err, size_t errlen);
/* Removes the temporary file of an atomic_write_file in progress, if any: for a process about to
 * _exit from a signal handler. Async-signal-safe. */
void atomic_write_abandon(void);

#endif
