/* One group walk split over the endpoint's per-host budget (issue #16): its candidates in
 * disjoint parts, each enumerated by offer-and-remove at the same time (probe_fanout tasks),
 * then the server's order over the union with as few extra hellos as possible. Unsplit
 * (max_parts 1: the groups probe below --per-host 4), the whole walk is one task.
 *  - The versions probe's kept answer to the hello offering every candidate, when there is one,
 *    is the whole's first pick (no connection): with a server order, it is its favourite.
 *  - Parts are contiguous runs of our order, cut at changes of kind (elliptic curves, FFDHE,
 *    post-quantum) and balanced by the groups servers commonly accept, so that the finds, not
 *    the candidates, are spread. Each part costs its finds plus one refusal.
 *  - Order: a pick that passes over a found group proves the server's own; otherwise one hello
 *    offers a pair in reverse (found[0] of the kept answer and another, or a part's first two;
 *    two hellos, one each way, when no pair was picked from one hello).
 *  - A server with its own order: the parts' chains (each in the server's order) are glued by
 *    one hello per boundary between consecutive parts, in parallel (the last of one part and
 *    the first of the next: the former picked means every group of the one comes before every
 *    group of the next); only where a boundary fails are the pieces merged, one hello per
 *    group, offering their heads.
 *  - Parts are strict (gw_run_t.strict). A part that meets a close (timeout, garbage) stops
 *    there; once merged, the whole is where the sequential walk stood at its first close (every
 *    group found, the rest left) and the sequential engine goes on from there (gw_after_close:
 *    the robust decisions, unchanged). Where the sequential walk would do what a part cannot
 *    (walk the shape, try another chunk of suites or the certificate's curve, find nothing
 *    before a close, lose the endpoint), or an order hello gets no pick of the pair, the split
 *    is given up and the caller runs the sequential walk afresh: the facts never depend on it.
 *  - Cost: a refusal per part, and the order hellos above; the versions probe's kept answer
 *    saves the first pick as before. TLS <= 1.2 behind an ECDSA certificate (the versions
 *    probe's pick) is not split: every hello needs the certificate's curve. */
#ifndef TLSPROBE_GROUP_SPLIT_H
#define TLSPROBE_GROUP_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "group_walk.h"
#include "probe.h"

#define GS_MAX_PARTS 5

typedef enum { GS_PARTS, GS_TEST, GS_BOUNDS, GS_MERGE, GS_DONE } gs_phase_t;

/* One task of a phase: a part's enumeration, the whole walk, or hellos about the order. */
typedef struct gs_job {
    gw_run_t run;              /* its own: a copy of the probe's shape, a profile, counters */
    group_walk_t *w;           /* a part, the whole, or a copy of the whole (order hellos) */
    uint16_t offered[2];       /* GS_TEST, GS_BOUNDS: the pair offered */
    uint16_t pick;             /* the answer's pick; 0: none */
} gs_job_t;

typedef struct group_split {
    group_walk_t *whole;       /* the facts, once done */
    gw_run_t base;             /* the probe's context and the shape every job starts from */
    bool strict;               /* the whole, run unsplit, is strict too */
    group_walk_t *parts[GS_MAX_PARTS];
    size_t nparts;             /* 0: the whole runs as one job */
    gs_phase_t phase;
    gs_job_t jobs[GS_MAX_PARTS];
    size_t njobs;
    uint16_t chain[GS_MAX_PARTS][GW_MAX]; /* per part with finds, its finds in pick order */
    size_t nchain[GS_MAX_PARTS], nchains;
    uint16_t beat[GS_MAX_PARTS][2]; /* failed boundaries: [0] comes before [1] */
    size_t nbeat;
    size_t memo_picks;         /* whole->found[0..memo_picks): picked from every candidate */
    bool bailed;
    size_t connections, reused;
    hello_shape_t shape;       /* base's, with what every job learned */
    char error[256];
} group_split_t;

/* The parts candidates[0..n) is split into (at most max_parts, GS_MAX_PARTS): part i is
 * [at[i], at[i + 1]); returns how many. Deterministic: the candidates alone decide. */
size_t gs_partition(const uint16_t *candidates, size_t n, size_t max_parts, size_t *at);

/* Takes w (gw_new, nothing asked yet) and splits it into the fewest parts, at most max_parts,
 * that take about budget hellos each (probe_chain_budget) at most; strict: the
 * whole is run strict when it is not split. run gives the context, shape and hello profile
 * (for the kept answer only; the jobs have their own). False when out of memory (w freed). */
bool gs_init(group_split_t *s, gw_run_t *run, group_walk_t *w, size_t max_parts, double budget, bool strict);
/* The tasks of the current phase: 0 once done. */
size_t gs_jobs(const group_split_t *s);
/* The hellos job i is expected to take (probe_fanout: the longest first). */
size_t gs_job_weight(const group_split_t *s, size_t i);
/* Runs job i of the current phase: from a probe_fanout task (its own context). */
void gs_job_run(group_split_t *s, size_t i, probe_ctx_t *task);
/* After every job of the phase returned: takes their answers, sets up the next phase. */
void gs_advance(group_split_t *s);
/* Once done: adds the connections made to run and, unless it bailed or drop is set, the shape
 * learned, the kept answers used and the whole's error, and goes on after a close where parts
 * stopped at one (gw_after_close, in run). Returns the whole (owned by the caller), or NULL
 * when it bailed or was dropped: the caller runs the walk afresh, sequentially, in run. */
group_walk_t *gs_finish(group_split_t *s, gw_run_t *run, bool drop);

#endif
