/* --resume FILE.jsonl: what an earlier (possibly interrupted) run already wrote. Its finished
 * endpoints are kept, their targets are not probed again, and the new summary counts them. */
#ifndef TLSPROBE_RESUME_H
#define TLSPROBE_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

#include "report.h"
#include "target.h"

/* The longest line read back: far above any endpoint line (tens of KiB). */
#define RESUME_MAX_LINE (16u << 20)

typedef struct resume {
    const char *path;
    int fd;                    /* the file, open and locked from load to resume_open (or free) */
    json_object *ids;          /* endpoint "id" -> how many lines carry it (object used as a map) */
    long long keep;            /* bytes of the file kept: up to the last endpoint line */
    bool has_run_line;         /* false: nothing usable, the run starts the file afresh */
    report_tally_t tally;      /* the kept endpoints, as the summary counts them */
    int exit_status;           /* what they alone would make the exit status: 0, 1 or 3 */
} resume_t;

/* Opens and locks path (another run writing it is an error), then reads it. A last line cut short (no newline) or not JSON is dropped with a warning on stderr
 * (a crash mid-write); any other malformed line is an error "FILE:LINE: why". 0, or -1 with err. */
int resume_load(const char *path, resume_t *r, char *err, size_t errlen);
/* Drops (and frees) the targets whose id the file already holds, as many times as it holds it;
 * the others keep their index. Returns how many were dropped. */
size_t resume_skip_done(resume_t *r, target_list_t *targets);
/* Cuts the file after its last endpoint line (the old summary and any partial line go) and opens
 * it for the new lines: appended, or written afresh when it had no run line. NULL, with err. */
FILE *resume_open(resume_t *r, char *err, size_t errlen);
/* The exit status of old and new endpoints together: 3 over 1 over 0. */
int resume_combine_status(const resume_t *r, int status);
void resume_free(resume_t *r);

#endif
