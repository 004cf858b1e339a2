/* One sweep: probes the resolved endpoints, scores each as it finishes, and writes the report
 * (live, in place, or from the spool), stopping cleanly on a signal or a closed reader. */
#ifndef TLSPROBE_SWEEP_H
#define TLSPROBE_SWEEP_H

#include <stddef.h>
#include <time.h>

#include "endpoint.h"
#include "options.h"
#include "report.h"
#include "resume.h"
#include "scoring.h"

void sweep_endpoints_init(endpoint_t *eps, const target_list_t *targets, const options_t *opts);
void sweep_endpoints_free(endpoint_t *eps, size_t n);
/* Probes eps and writes the report. resume: --resume's state, or NULL; started_at: when the run
 * started (before resolution). Returns the process exit status (messages said on stderr). */
int sweep_run(endpoint_t *eps, size_t n, const options_t *opts, const scoring_t *scoring, resume_t *resume,
              time_t started_at);

#endif
