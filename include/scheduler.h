/* Runs every probe of the registry on every reachable endpoint with a pool of worker
 * threads: at most opts->jobs probes at once overall, at most opts->per_host at once
 * against one address:port, and a probe only after the probes it needs. */
#ifndef TLSPROBE_SCHEDULER_H
#define TLSPROBE_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>

#include "endpoint.h"

typedef void (*endpoint_done_fn)(endpoint_t *ep, void *arg);

/* Blocks until all work is done. on_done (may be NULL) is called once per endpoint,
 * from a worker thread, as soon as all of that endpoint's probes have finished. */
int scheduler_run(endpoint_t *eps, size_t n, const options_t *opts, endpoint_done_fn on_done, void *arg);

/* Asks the sweep to stop (a signal, a closed output): from then on no endpoint starts; those
 * already started may start their remaining probes for a grace of opts->timeout_s, then nothing
 * starts. scheduler_run returns once the probes running then have returned (each ends by its own
 * I/O deadlines); endpoints not finished get no on_done. Async-signal-safe; stays set. */
void scheduler_request_stop(void);
/* The same without the grace (the report can no longer be written: a closed output). */
void scheduler_request_halt(void);
bool scheduler_stop_requested(void);

#endif
