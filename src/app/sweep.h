/* One sweep: resolves and probes the targets' endpoints a window at a time, scores each as it
 * finishes, and writes the report (live, in place, or from the spool), stopping cleanly on a
 * signal or a closed reader. */
#ifndef TLSPROBE_SWEEP_H
#define TLSPROBE_SWEEP_H

#include <stddef.h>
#include <time.h>

#include "endpoint.h"
#include "options.h"
#include "report.h"
#include "resume.h"
#include "scoring.h"
#include "target_pack.h"

/* Resolves and probes every target's endpoint and writes the report. The resolver set up for
 * the first window fails before any output (exit 2). resume: --resume's state, or NULL;
 * started_at: when the run started (before resolution). Returns the process exit status
 * (messages said on stderr). */
int sweep_run(const target_pack_t *targets, const options_t *opts, const scoring_t *scoring, resume_t *resume,
              time_t started_at);

#endif
