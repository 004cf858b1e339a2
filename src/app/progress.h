/* The sweep's progress on stderr, for a person watching a terminal: one line rewritten in place
 * (done/total, endpoints per second, ETA, failures so far), erased at the end. Nothing at all
 * when stderr is not a terminal or with --quiet, so cron mail stays empty on success. */
#ifndef TLSPROBE_PROGRESS_H
#define TLSPROBE_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

typedef struct progress_line {
    bool on;
    bool shown;            /* a line is on the screen now */
    size_t done, total, failed, errors;
    double started, drawn; /* monotonic seconds */
} progress_line_t;

void progress_line_init(progress_line_t *p, size_t total, const options_t *opts);
/* Shows the line at 0 done (the first endpoint may take a while). */
void progress_line_start(progress_line_t *p);
/* One more endpoint finished with result ("PASS", "FAIL", "ERROR"). Redraws at most ten times a
 * second, and always for the last one. Callers serialise the calls. */
void progress_line_update(progress_line_t *p, const char *result);
/* Erases the line: before other output to stderr, and when the sweep ends. */
void progress_line_clear(progress_line_t *p);

#endif
