/* A worker pool over (endpoint, probe) work items and the tasks probes fan out. Of what may
 * start on an endpoint (its needs done, a per-host slot free), the longest chain of hellos
 * goes first (probe.h: chain, probe_fanout's hellos); results never depend on the
 * concurrency because each probe only reads facts of probes it needs. */
#include "scheduler.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "probe.h"

typedef enum { ITEM_PENDING, ITEM_RUNNING, ITEM_DONE } item_state_t;

/* The tasks of one probe_fanout call: lives on the calling probe's stack until all are done. */
typedef struct fanout_job {
    probe_fanout_call_t call;  /* first: what its tasks see (probe_fanout_grow) */
    struct sched *s;
    struct fanout_job *next;
    size_t ep;
    probe_task_fn fn;
    void *arg;
    const double *hellos;  /* expected hellos of each task; NULL: 1 each */
    size_t n, taken, done;
    unsigned char *started;    /* per task (room for cap): taken; NULL (out of memory): taken
                                * in index order, and the call cannot grow */
    size_t cap;
    bool tcp_reached, answered;
} fanout_job_t;

typedef struct sched {
    endpoint_t *eps;
    size_t n;
    const options_t *opts;
    endpoint_done_fn on_done;
    void *arg;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    item_state_t *state;   /* n × probe_registry_count */
    size_t *host_group;    /* endpoint → index of the first endpoint with the same address:port */
    int *group_running;    /* per host group: probes running now */
    int *group_resuming;   /* per host group: probes waiting to take a slot back (fanout_run):
                            * the next free slot is theirs */
    size_t *left;          /* per endpoint: probes not yet done */
    bool *silent;          /* per endpoint: answered no hello; only after_silence probes start */
    int *ep_running;       /* per endpoint: its probes running now */
    int *planning;         /* per endpoint: its probes that fan out, started, tasks not yet given */
    bool *prefetched;      /* n × probe_registry_count: its prefetch has started (probe.h) */
    double *idle_since;    /* per endpoint started: when its last running probe ended (0: one runs) */
    size_t first_open;     /* endpoints before this one have nothing pending */
    size_t open_items;     /* pending + running */
    size_t running;
    size_t idle_workers;   /* workers waiting for something to start */
    double stop_at;        /* when a worker first saw the stop request (0: not yet) */
    fanout_job_t *jobs;    /* probe_fanout calls with tasks not yet done */
} sched_t;

/* What a running probe's ctx->fanout points to. */
typedef struct fanout_link {
    probe_fanout_host_t host;  /* first: the probe sees only this */
    sched_t *s;
    size_t ep;
    bool planning;             /* counted in s->planning until its first probe_fanout */
} fanout_link_t;

/* Called with mu held: the probe gave its tasks (or ended), the choice of what runs next can
 * weigh them. */
static void planned(fanout_link_t *link)
{
    if (link->planning) {
        link->planning = false;
        link->s->planning[link->ep]--;
        pthread_cond_broadcast(&link->s->cv);
    }
}

/* Lock-free, so storing it is async-signal-safe (a signal handler requests the stop).
 * 1: stop with a grace for endpoints in progress; 2: halt, nothing more starts. */
static atomic_int stop_requested;

void scheduler_request_stop(void)
{
    int none = 0;
    atomic_compare_exchange_strong(&stop_requested, &none, 1);
}

void scheduler_request_halt(void)
{
    atomic_store(&stop_requested, 2);
}

bool scheduler_stop_requested(void)
{
    return atomic_load(&stop_requested) != 0;
}

static item_state_t *item(sched_t *s, size_t ep, size_t probe)
{
    return &s->state[ep * probe_registry_count + probe];
}

static int needs_done(sched_t *s, size_t ep, const probe_module_t *p)
{
    if (!p->needs)
        return 1;
    for (const char *const *need = p->needs; *need; need++) {
        for (size_t j = 0; j < probe_registry_count; j++)
            if (strcmp(probe_registry[j]->name, *need) == 0 && *item(s, ep, j) != ITEM_DONE)
                return 0;
    }
    return 1;
}

/* Called with mu held. Marks the item done; when the endpoint is finished, returns 1. */
static int finish_item(sched_t *s, size_t ep, size_t probe)
{
    *item(s, ep, probe) = ITEM_DONE;
    s->open_items--;
    return --s->left[ep] == 0;
}

/* An endpoint that refused every connection: its remaining probes cannot learn anything. */
static int skip_remaining(sched_t *s, size_t ep)
{
    int finished = 0;
    for (size_t j = 0; j < probe_registry_count; j++)
        if (*item(s, ep, j) == ITEM_PENDING)
            finished |= finish_item(s, ep, j);
    return finished;
}

/* Whether a probe that runs after silence (probe.h) is still to finish on this endpoint. */
static bool silence_pending(sched_t *s, size_t ep)
{
    for (size_t j = 0; j < probe_registry_count; j++)
        if (probe_registry[j]->after_silence && *item(s, ep, j) != ITEM_DONE)
            return true;
    return false;
}

/* Called with mu held, after a probe of ep finished. An endpoint that accepted connections but
 * answered no hello is silent: only the probes that speak first in cleartext run on it; if one
 * got an answer, the endpoint is reachable after all and its other probes run, else they are
 * skipped as for a refusal. Returns 1 when that finished the endpoint. */
static int after_probe(sched_t *s, size_t ep, size_t probe, probe_status_t st, bool reached)
{
    if (st != PROBE_UNREACHABLE || probe_registry[probe]->needs) {
        if (!s->silent[ep] || silence_pending(s, ep))
            return 0;
    } else if (!reached) {
        return skip_remaining(s, ep);
    }
    s->silent[ep] = silence_pending(s, ep);
    if (s->silent[ep])
        return 0;
    endpoint_t *e = &s->eps[ep];
    pthread_mutex_lock(&e->lock);
    bool unreachable = e->status == ENDPOINT_UNREACHABLE;
    pthread_mutex_unlock(&e->lock);
    return unreachable ? skip_remaining(s, ep) : 0;
}

/* Called with mu held. After a stop request only endpoints already started go on, for a grace
 * of one --timeout, so that what is nearly done can still be reported whole. */
static bool may_start(sched_t *s, size_t ep)
{
    if (!scheduler_stop_requested())
        return true;
    if (s->stop_at == 0)
        s->stop_at = net_now();
    return atomic_load(&stop_requested) == 1 && s->eps[ep].started != 0 &&
           net_now() < s->stop_at + s->opts->timeout_s;
}

static bool stopped(sched_t *s)
{
    return scheduler_stop_requested() && s->running == 0;
}

/* Called with mu held: whether a slot of this host group is free for new work (a probe taking
 * its slot back goes first). */
static bool group_free(const sched_t *s, size_t group)
{
    return s->group_running[group] + s->group_resuming[group] < s->opts->per_host;
}

/* The task of j to start next: the longest not started (the first of equals); j->taken < j->n. */
static size_t next_task(const fanout_job_t *j)
{
    if (!j->started || !j->hellos)
        return j->taken;
    size_t best = j->n;
    for (size_t i = 0; i < j->n; i++)
        if (!j->started[i] && (best == j->n || j->hellos[i] > j->hellos[best]))
            best = i;
    return best;
}

static double next_task_hellos(const fanout_job_t *j)
{
    return j->hellos ? j->hellos[next_task(j)] : 1.0;
}

/* Called with mu held: marks the task to start next as taken, and returns it. */
static size_t take_task(fanout_job_t *j)
{
    size_t i = next_task(j);
    if (j->started)
        j->started[i] = 1;
    j->taken++;
    return i;
}

/* Called with mu held. A task of a started probe, when its address:port has a slot free: these
 * go before the probes of endpoints not started yet, as parts of a chain already on an endpoint's
 * critical path (a started endpoint's probes go first: pick). Of several, the longest (the
 * critical path first, the short ones fill the gaps), then the call with the most tasks left.
 * NULL: none may start now. */
static fanout_job_t *pick_task(sched_t *s)
{
    fanout_job_t *best = NULL;
    if (atomic_load(&stop_requested) == 2)
        return NULL;   /* halting: the probe runs what is left itself, each I/O under its deadline */
    for (fanout_job_t *j = s->jobs; j; j = j->next) {
        /* While another probe of the endpoint plans its tasks, they may be longer: wait. */
        if (j->taken >= j->n || !group_free(s, s->host_group[j->ep]) || s->planning[j->ep])
            continue;
        double len = next_task_hellos(j), best_len = best ? next_task_hellos(best) : 0;
        if (!best || len > best_len || (len == best_len && j->n - j->taken > best->n - best->taken))
            best = j;
    }
    return best;
}

/* Called with mu held: whether probe j of endpoint i may start, its slot aside. While a probe of
 * it plans its tasks (microseconds), one that cannot fan out waits: those tasks may be longer. */
static bool probe_may_start(sched_t *s, size_t i, size_t j)
{
    return *item(s, i, j) == ITEM_PENDING && needs_done(s, i, probe_registry[j]) &&
           (!s->silent[i] || probe_registry[j]->after_silence) && (probe_registry[j]->fans_out || s->planning[i] == 0);
}

/* Called with mu held. The next probe that may start (of the first endpoint that has one; of a
 * started endpoint only when started_only), the longest chain first (probe.h, chain): *len. */
static int pick(sched_t *s, size_t *ep_out, size_t *probe_out, bool started_only, double *len)
{
    while (s->first_open < s->n && s->left[s->first_open] == 0)
        s->first_open++;
    for (size_t i = s->first_open; i < s->n; i++) {
        if (s->left[i] == 0 || !group_free(s, s->host_group[i]) || !may_start(s, i) ||
            (started_only && s->eps[i].started == 0))
            continue;
        int got = 0;
        for (size_t j = 0; j < probe_registry_count; j++) {
            if (probe_may_start(s, i, j) && (!got || probe_registry[j]->chain > *len)) {
                *ep_out = i;
                *probe_out = j;
                *len = probe_registry[j]->chain;
                got = 1;
            }
        }
        if (got)
            return 1;
    }
    return 0;
}

/* Called with mu held. A prefetch (probe.h) of a started endpoint whose slot would otherwise
 * idle: its probe waits for needs still running there, and nothing else of it may start. */
static int pick_prefetch(sched_t *s, size_t *ep_out, size_t *probe_out)
{
    if (scheduler_stop_requested())
        return 0;
    for (size_t i = s->first_open; i < s->n; i++) {
        if (s->left[i] == 0 || s->eps[i].started == 0 || s->ep_running[i] == 0 || s->silent[i] ||
            s->planning[i] || !group_free(s, s->host_group[i]))
            continue;
        for (size_t j = 0; j < probe_registry_count; j++)
            if (probe_registry[j]->prefetch && !s->prefetched[i * probe_registry_count + j] &&
                *item(s, i, j) == ITEM_PENDING && !needs_done(s, i, probe_registry[j])) {
                *ep_out = i;
                *probe_out = j;
                return 1;
            }
    }
    return 0;
}

/* Called with mu held: what a worker runs next. Of a started endpoint's probes not begun and the
 * tasks of its probes that fanned out, the longest chain first, so that the shortest fill the
 * gaps at the end instead of delaying it; then a prefetch in a slot that would idle; then the
 * probes of an endpoint not started yet. Returns 1 with *ep, *probe, 2 with *job, 3 with *ep,
 * *probe (its prefetch); 0: nothing may start now. */
static int pick_next(sched_t *s, size_t *ep, size_t *probe, fanout_job_t **job)
{
    double len = 0;
    int got = pick(s, ep, probe, true, &len);
    *job = pick_task(s);
    if (*job && (!got || next_task_hellos(*job) > len))
        return 2;
    if (got)
        return 1;
    if (pick_prefetch(s, ep, probe))
        return 3;
    return pick(s, ep, probe, false, &len);
}

/* Appends "status" (and "error" after it, when the probe failed and did not place it). */
static void add_status(json_object *o, probe_status_t st, json_object *error, bool error_placed)
{
    json_object_object_add(o, "status", json_object_new_string(st == PROBE_OK ? "ok" : "error"));
    if (st != PROBE_OK && !error_placed)
        json_object_object_add(o, "error", json_object_get(error));
}

/* The probe's facts with its status and error where probe.h says they go: first, or where the
 * probe placed them. Every failed probe says why (the schema requires it). */
static json_object *with_status(json_object *facts, probe_status_t st, const char *err)
{
    bool failed = st != PROBE_OK;
    json_object *error = err[0] ? json_object_new_string(err)
                         : failed ? json_object_new_string("unknown error")
                                  : NULL;
    bool status_placed = json_object_object_get_ex(facts, "status", NULL);
    bool error_placed = json_object_object_get_ex(facts, "error", NULL);
    json_object *o = json_object_new_object();
    if (!status_placed)
        add_status(o, st, error, error_placed);
    json_object_object_foreach(facts, key, value) {
        if (strcmp(key, "status") == 0)
            add_status(o, st, error, error_placed);
        else if (strcmp(key, "error") == 0)
            json_object_object_add(o, "error", json_object_get(error));
        else
            json_object_object_add(o, key, json_object_get(value));
    }
    json_object_put(error);
    json_object_put(facts);
    return o;
}

/* Runs p under the endpoint's deadline: every wait of this thread ends by it (net.h). A probe
 * the deadline overtook, or that starts after it, is an error whatever it returned: what it
 * learned before is kept, but as the facts of a failed probe, which scoring reads as unknown. */
static probe_status_t run_under_deadline(endpoint_t *ep, const probe_module_t *p, probe_ctx_t *ctx)
{
    pthread_mutex_lock(&ep->lock);
    double deadline = ep->deadline;
    pthread_mutex_unlock(&ep->lock);
    probe_status_t st = PROBE_ERROR;
    if (net_now() < deadline) {
        net_deadline_set(deadline);
        st = p->run(ctx);
        double moved = net_deadline();   /* later by this thread's waits for --rate slots */
        net_deadline_set(0);
        pthread_mutex_lock(&ep->lock);
        if (moved > ep->deadline)
            ep->deadline = moved;
        pthread_mutex_unlock(&ep->lock);
        if (net_now() < moved)
            return st;
    }
    snprintf(ctx->err, sizeof ctx->err, "endpoint deadline: unfinished after %g s (--endpoint-timeout)",
             options_endpoint_timeout(ep->opts));
    return PROBE_ERROR;
}

/* *reached: a TCP connection was made (even if the probe then found no TLS). */
static probe_status_t run_probe(endpoint_t *ep, const probe_module_t *p, probe_fanout_host_t *fanout, bool *reached)
{
    probe_ctx_t ctx = { .ep = ep, .out = json_object_new_object(), .fanout = fanout };
    double started = net_now();
    probe_status_t st = run_under_deadline(ep, p, &ctx);
    json_object *out = with_status(ctx.out, st, ctx.err);
    /* Per probe, so a slow sweep shows which check is slow. */
    json_object_object_add(out, "duration_ms", json_object_new_int64((int64_t)((net_now() - started) * 1000.0 + 0.5)));
    pthread_mutex_lock(&ep->lock);
    /* Made by the first probe to finish: an endpoint not started yet holds no facts object. */
    if (!ep->facts)
        ep->facts = json_object_new_object();
    json_object_object_add(ep->facts, p->name, out);
    /* Only a probe that needs nothing is the first contact: a later probe's failed connection
     * (while others run) must not make the outcome depend on timing. */
    if (st == PROBE_UNREACHABLE && !p->needs && ep->status == ENDPOINT_OK) {
        ep->status = ENDPOINT_UNREACHABLE;
        snprintf(ep->error, sizeof ep->error, "%.*s", (int)sizeof ep->error - 1, ctx.err);
    }
    /* Silent to TLS, but it answered in cleartext: reached after all (a port that speaks no TLS). */
    if (p->after_silence && ctx.answered && ep->status == ENDPOINT_UNREACHABLE) {
        ep->status = ENDPOINT_OK;
        ep->error[0] = '\0';
    }
    pthread_mutex_unlock(&ep->lock);
    *reached = ctx.tcp_reached;
    return st;
}

/* One task on a worker that is not the probe's own: under the endpoint's deadline, like the probe. */
static void run_task(endpoint_t *e, fanout_job_t *job, size_t i, bool *reached, bool *answered)
{
    probe_ctx_t task = { .ep = e, .call = &job->call };
    pthread_mutex_lock(&e->lock);
    double deadline = e->deadline;
    pthread_mutex_unlock(&e->lock);
    net_deadline_set(deadline);
    job->fn(&task, job->arg, i);
    double moved = net_deadline();
    net_deadline_set(0);
    pthread_mutex_lock(&e->lock);
    if (moved > e->deadline)
        e->deadline = moved;
    pthread_mutex_unlock(&e->lock);
    *reached = task.tcp_reached;
    *answered = task.answered;
}

/* Called with mu held: a per-host slot of ep's address:port given back (a task or prefetch
 * ended, a probe waits), or taken (the endpoint's clock resumes if none of its work ran: see
 * worker). */
static void slot_give(sched_t *s, size_t ep)
{
    s->running--;
    s->group_running[s->host_group[ep]]--;
    if (--s->ep_running[ep] == 0)
        s->idle_since[ep] = net_now();
    pthread_cond_broadcast(&s->cv);
}

static void slot_take(sched_t *s, size_t ep)
{
    s->running++;
    s->group_running[s->host_group[ep]]++;
    if (s->ep_running[ep]++ == 0 && s->idle_since[ep] > 0) {
        endpoint_t *e = &s->eps[ep];
        pthread_mutex_lock(&e->lock);
        e->deadline += net_now() - s->idle_since[ep];
        pthread_mutex_unlock(&e->lock);
    }
    s->idle_since[ep] = 0;
}

/* Called with mu held: takes task i of job and runs it with the slot it holds. */
static void worker_task(sched_t *s, fanout_job_t *job)
{
    size_t i = take_task(job), ep = job->ep;
    slot_take(s, ep);
    /* A probe's own thread may have deferred to this task while this worker counted as idle:
     * it looks again (own_turn). */
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    bool reached = false, answered = false;
    run_task(&s->eps[ep], job, i, &reached, &answered);
    pthread_mutex_lock(&s->mu);
    slot_give(s, ep);
    job->tcp_reached |= reached;
    job->answered |= answered;
    job->done++;
    pthread_cond_broadcast(&s->cv);
}

/* Called with mu held, after slot_take on the probe's own thread: the endpoint's deadline moved
 * while none of its work ran (the sweep's pace); the thread's waits follow it (a later one that
 * --rate waits already set stays). */
static void own_deadline_follow(sched_t *s, size_t ep)
{
    endpoint_t *e = &s->eps[ep];
    pthread_mutex_lock(&e->lock);
    double deadline = e->deadline;
    pthread_mutex_unlock(&e->lock);
    if (net_deadline() > 0 && deadline > net_deadline())
        net_deadline_set(deadline);
}

/* A task made its call's tasks n: idle workers may take the new ones at once. */
static bool job_grow(probe_fanout_call_t *call, size_t n)
{
    fanout_job_t *job = (fanout_job_t *)call;
    bool grown = true;
    pthread_mutex_lock(&job->s->mu);
    if (n > job->cap) {
        unsigned char *more = job->started ? realloc(job->started, n) : NULL;
        if (more) {
            memset(more + job->cap, 0, n - job->cap);
            job->started = more;
            job->cap = n;
        } else {
            grown = false;
        }
    }
    if (grown && n > job->n) {
        job->n = n;
        pthread_cond_broadcast(&job->s->cv);
    }
    pthread_mutex_unlock(&job->s->mu);
    return grown;
}

/* Called with mu held: whether job's next task is the longest work that may start on its
 * endpoint's address:port now: no other call's task there and no probe of its endpoint is
 * longer (pick_next's choice, seen from the probe's own thread), and no probe of its endpoint
 * is still planning tasks. Always when no worker is idle to start that other work instead. */
static bool own_turn(sched_t *s, const fanout_job_t *job)
{
    /* No worker is free to start the other work (--jobs): its own goes on. */
    if (s->idle_workers == 0)
        return true;
    if (s->planning[job->ep])
        return false;
    double len = next_task_hellos(job);
    size_t group = s->host_group[job->ep];
    for (const fanout_job_t *j = s->jobs; j; j = j->next)
        if (j != job && j->taken < j->n && s->host_group[j->ep] == group && !s->planning[j->ep] &&
            next_task_hellos(j) > len)
            return false;
    for (size_t p = 0; p < probe_registry_count && may_start(s, job->ep); p++)
        if (probe_may_start(s, job->ep, p) && probe_registry[p]->chain > len)
            return false;
    return true;
}

/* probe_fanout inside the scheduler: the probe's own thread takes its tasks in turn with idle
 * workers (pick_task), when it is their turn (own_turn: it gives its slot to longer work
 * meanwhile), and waits for those still running elsewhere, which may add more. */
static void fanout_run(probe_fanout_host_t *host, probe_ctx_t *ctx, size_t n, probe_task_fn fn, void *arg,
                       const double *hellos)
{
    fanout_link_t *link = (fanout_link_t *)host;
    sched_t *s = link->s;
    fanout_job_t job = { .call = { .grow = job_grow }, .s = s, .ep = link->ep, .fn = fn, .arg = arg,
                         .hellos = hellos, .n = n, .started = calloc(n ? n : 1, 1), .cap = n ? n : 1 };
    size_t group = s->host_group[link->ep];
    bool holding = true;   /* the probe's per-host slot */
    pthread_mutex_lock(&s->mu);
    job.next = s->jobs;
    s->jobs = &job;
    planned(link);
    pthread_cond_broadcast(&s->cv);
    while (job.done < job.n) {
        /* Halting: no worker takes tasks any more, the probe runs what is left itself. */
        bool halting = atomic_load(&stop_requested) == 2;
        bool mine = job.taken < job.n && (halting || own_turn(s, &job)) &&
                    (holding || group_free(s, group));
        if (!mine) {
            /* Nothing of its own to take now while tasks end elsewhere, or longer work waits:
             * the slot serves that (the chain still running may be long), and is taken again
             * for what follows. */
            if (holding) {
                slot_give(s, link->ep);
                holding = false;
            }
            pthread_cond_wait(&s->cv, &s->mu);
            continue;
        }
        if (!holding) {
            slot_take(s, link->ep);
            own_deadline_follow(s, link->ep);
            holding = true;
        }
        size_t i = take_task(&job);
        pthread_mutex_unlock(&s->mu);
        probe_ctx_t task = { .ep = ctx->ep, .call = &job.call };
        fn(&task, arg, i);
        pthread_mutex_lock(&s->mu);
        job.tcp_reached |= task.tcp_reached;
        job.answered |= task.answered;
        job.done++;
    }
    for (fanout_job_t **at = &s->jobs; *at; at = &(*at)->next)
        if (*at == &job) {
            *at = job.next;
            break;
        }
    if (!holding) {
        /* The probe goes on (more tasks, or its facts): the next free slot is its own. */
        s->group_resuming[group]++;
        while (s->group_running[group] >= s->opts->per_host)
            pthread_cond_wait(&s->cv, &s->mu);
        s->group_resuming[group]--;
        slot_take(s, link->ep);
        own_deadline_follow(s, link->ep);
    }
    pthread_mutex_unlock(&s->mu);
    free(job.started);
    ctx->tcp_reached |= job.tcp_reached;
    ctx->answered |= job.answered;
}

/* Called with mu held, after an item of ep ended: when that finished the endpoint, its modules'
 * state is released and it is reported (mu dropped meanwhile). */
static void after_item(sched_t *s, size_t ep, int finished)
{
    endpoint_t *e = &s->eps[ep];
    if (finished) {
        e->finished = net_now();
        /* No probe of this endpoint is left to read what modules kept on it: a sweep
         * holds only the state of the endpoints in progress. */
        endpoint_finalise(e);
    }
    pthread_cond_broadcast(&s->cv);
    if (finished && s->on_done) {
        pthread_mutex_unlock(&s->mu);
        s->on_done(e, s->arg);
        pthread_mutex_lock(&s->mu);
    }
}

/* Called with mu held: runs probe's prefetch on ep in the slot it takes. It counts as one of
 * the endpoint's open items, so the endpoint is reported only after it. Its waits end by the
 * endpoint's deadline, and by two --timeout: a silent endpoint is found so by the versions
 * probe in that time, and must not be held longer by what it was never going to answer. */
static void run_prefetch(sched_t *s, size_t ep, size_t probe)
{
    endpoint_t *e = &s->eps[ep];
    s->prefetched[ep * probe_registry_count + probe] = true;
    slot_take(s, ep);
    s->left[ep]++;
    s->open_items++;
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_lock(&e->lock);
    double deadline = e->deadline;
    pthread_mutex_unlock(&e->lock);
    if (deadline > net_now() + 2 * s->opts->timeout_s)
        deadline = net_now() + 2 * s->opts->timeout_s;
    probe_ctx_t ctx = { .ep = e };
    net_deadline_set(deadline);
    probe_registry[probe]->prefetch(&ctx);
    net_deadline_set(0);
    pthread_mutex_lock(&s->mu);
    slot_give(s, ep);
    s->open_items--;
    after_item(s, ep, --s->left[ep] == 0);
}

static void *worker(void *arg)
{
    sched_t *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        size_t ep, probe;
        int got = 0;
        fanout_job_t *job = NULL;
        while (!(got = pick_next(s, &ep, &probe, &job)) && s->open_items > 0 && !stopped(s)) {
            s->idle_workers++;
            pthread_cond_wait(&s->cv, &s->mu);
            s->idle_workers--;
        }
        if (got == 2) {
            worker_task(s, job);
            continue;
        }
        if (got == 3) {
            run_prefetch(s, ep, probe);
            continue;
        }
        if (!got) {
            pthread_cond_broadcast(&s->cv); /* a stop: the others wait for nothing more */
            break;
        }
        endpoint_t *e = &s->eps[ep];
        *item(s, ep, probe) = ITEM_RUNNING;
        s->running++;
        s->group_running[s->host_group[ep]]++;
        if (e->started == 0) {
            e->started = net_now();
            pthread_mutex_lock(&e->lock);
            e->deadline = e->started + options_endpoint_timeout(s->opts);
            pthread_mutex_unlock(&e->lock);
        } else if (s->ep_running[ep] == 0 && s->idle_since[ep] > 0) {
            /* The clock stops while none of its probes runs: a wait for a slot (other endpoints
             * on its address:port, --jobs) is the sweep's pace, not the server's time. */
            pthread_mutex_lock(&e->lock);
            e->deadline += net_now() - s->idle_since[ep];
            pthread_mutex_unlock(&e->lock);
        }
        s->ep_running[ep]++;
        s->idle_since[ep] = 0;
        s->planning[ep] += probe_registry[probe]->fans_out;
        pthread_mutex_unlock(&s->mu);

        bool reached = false;
        fanout_link_t link = { .host = { .run = fanout_run }, .s = s, .ep = ep,
                               .planning = probe_registry[probe]->fans_out };
        probe_status_t st = run_probe(e, probe_registry[probe], &link.host, &reached);

        pthread_mutex_lock(&s->mu);
        planned(&link);
        s->running--;
        s->group_running[s->host_group[ep]]--;
        if (--s->ep_running[ep] == 0)
            s->idle_since[ep] = net_now();
        int finished = finish_item(s, ep, probe);
        finished |= after_probe(s, ep, probe, st, reached);
        after_item(s, ep, finished);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static int same_address(const endpoint_t *a, const endpoint_t *b)
{
    return a->target->port == b->target->port && strcmp(a->addr_str, b->addr_str) == 0;
}

static int cmp_by_address(const void *x, const void *y, void *ctx)
{
    const endpoint_t *eps = ctx;
    const endpoint_t *a = &eps[*(const size_t *)x], *b = &eps[*(const size_t *)y];
    int c = strcmp(a->addr_str, b->addr_str);
    if (c == 0)
        c = (int)a->target->port - (int)b->target->port;
    if (c == 0)
        c = *(const size_t *)x < *(const size_t *)y ? -1 : 1;
    return c;
}

/* Endpoints that share address:port share the per-host limit. */
static void group_hosts(sched_t *s)
{
    size_t *order = malloc((s->n ? s->n : 1) * sizeof *order);
    if (!order) {
        /* Without the sort every endpoint is its own group: still correct, less polite. */
        for (size_t i = 0; i < s->n; i++)
            s->host_group[i] = i;
        return;
    }
    for (size_t i = 0; i < s->n; i++)
        order[i] = i;
    qsort_r(order, s->n, sizeof *order, cmp_by_address, s->eps);
    for (size_t k = 0; k < s->n; k++) {
        size_t i = order[k];
        s->host_group[i] = (k > 0 && same_address(&s->eps[order[k - 1]], &s->eps[i]))
                               ? s->host_group[order[k - 1]]
                               : i;
    }
    free(order);
}

int scheduler_run(endpoint_t *eps, size_t n, const options_t *opts, endpoint_done_fn on_done, void *arg)
{
    sched_t s = { .eps = eps, .n = n, .opts = opts, .on_done = on_done, .arg = arg };
    s.state = calloc(n * probe_registry_count + 1, sizeof *s.state);
    s.host_group = calloc(n + 1, sizeof *s.host_group);
    s.group_running = calloc(n + 1, sizeof *s.group_running);
    s.group_resuming = calloc(n + 1, sizeof *s.group_resuming);
    s.left = calloc(n + 1, sizeof *s.left);
    s.silent = calloc(n + 1, sizeof *s.silent);
    s.ep_running = calloc(n + 1, sizeof *s.ep_running);
    s.idle_since = calloc(n + 1, sizeof *s.idle_since);
    s.planning = calloc(n + 1, sizeof *s.planning);
    s.prefetched = calloc(n * probe_registry_count + 1, sizeof *s.prefetched);
    if (!s.state || !s.host_group || !s.group_running || !s.group_resuming || !s.left || !s.silent || !s.ep_running || !s.idle_since ||
        !s.planning || !s.prefetched) {
        free(s.state); free(s.host_group); free(s.group_running); free(s.group_resuming); free(s.left); free(s.silent);
        free(s.ep_running); free(s.idle_since); free(s.planning); free(s.prefetched);
        return -1;
    }
    group_hosts(&s);
    size_t selected = 0;
    for (size_t j = 0; j < probe_registry_count; j++)
        selected += probe_selected(opts, j);
    /* One list for the run, not a copy per endpoint: a sweep's memory must not grow with it. */
    const char *left_out[ENDPOINT_MAX_PROBES + 1] = { 0 };
    for (size_t j = 0, k = 0; j < probe_registry_count; j++)
        if (!probe_selected(opts, j) && k < ENDPOINT_MAX_PROBES)
            left_out[k++] = probe_registry[j]->name;
    for (size_t i = 0; i < n; i++) {
        /* Probes left out by --probes count as done before they start; scoring reads which. */
        for (size_t j = 0; j < probe_registry_count; j++)
            if (!probe_selected(opts, j))
                *item(&s, i, j) = ITEM_DONE;
        eps[i].left_out = left_out;
        if (eps[i].status == ENDPOINT_OK) {
            s.left[i] = selected;
            s.open_items += selected;
        } else if (on_done) {
            on_done(&eps[i], arg); /* unresolved: nothing to probe, report at once */
        }
    }
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);

    /* Enough workers for every probe, and for the tasks a probe fans out on its endpoint's
     * per-host slots (probe_fanout), within --jobs. */
    size_t nworkers = (size_t)opts->jobs, useful = s.open_items * (size_t)(opts->per_host > 0 ? opts->per_host : 1);
    if (nworkers > useful)
        nworkers = useful ? useful : 1;
    pthread_t *threads = calloc(nworkers, sizeof *threads);
    /* Workers (and the threads they start) block the stop signals: a handler then runs on the
     * calling thread, never inside a probe's I/O. */
    sigset_t stop_signals, old;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &old);
    size_t started = 0;
    for (; threads && started < nworkers; started++)
        if (pthread_create(&threads[started], NULL, worker, &s) != 0)
            break;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started == 0)
        worker(&s); /* no thread could start: do the work here rather than not at all */
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);

    free(threads);
    for (size_t i = 0; i < n; i++)
        eps[i].left_out = NULL;  /* the list ends with this call */
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
    free(s.state); free(s.host_group); free(s.group_running); free(s.group_resuming); free(s.left); free(s.silent);
    free(s.ep_running); free(s.idle_since); free(s.planning); free(s.prefetched);
    return 0;
}
