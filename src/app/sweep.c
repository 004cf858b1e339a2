/* The sweep's run: endpoints are made, resolved and probed a window of targets at a time, and
 * every finished endpoint is scored, tallied and then written (a live writer) or spooled (the
 * others, written in target order at the end), and lets go of its facts, so memory stays flat
 * however long the inventory; a stop request (signal, closed reader) ends it with a report
 * marked incomplete. */
#include "sweep.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"
#include "escape.h"
#include "progress.h"
#include "resolve.h"
#include "scheduler.h"
#include "target_pack.h"

/* Endpoints exist for one window of targets at a time (each ~0.7 KB, its DNS state and the
 * scheduler's per endpoint on top): 10,000 targets cost what 1,000 do. A window ends when its
 * slowest endpoint does, so it is wide enough that its tail is a small part of it: at least
 * SWEEP_WINDOW_MIN, and SWEEP_WINDOW_PER_JOB endpoints per --jobs. */
#define SWEEP_WINDOW_MIN 1024
#define SWEEP_WINDOW_PER_JOB 16

typedef struct progress {
    pthread_mutex_t mu;
    size_t done, total;
    const options_t *opts;
    const report_writer_t *writer;
    FILE *stream;                   /* set while a live writer's sweep runs */
    report_spool_t *spool;          /* where a whole-run writer's endpoints wait for the end */
    const target_t *targets;        /* the window's targets, first of the run's from first on: */
    size_t first;                   /* spool records are numbered by place in the run */
    report_tally_t tally;           /* the summary's counts (a resumed file's included), under mu */
    int spool_errno;                /* why an endpoint could not be spooled; 0: none was lost */
    bool stream_failed;
    int stream_errno;               /* why it failed (EPIPE: the reader went away) */
    const scoring_t *scoring;       /* what score_endpoint needs from the run */
    progress_line_t line;           /* the status line on a terminal */
} progress_t;

/* What a finished endpoint no longer needs once its report object is built: only result and
 * status stay, for the exit status; the rest is in the object (written or spooled). */
static void endpoint_drop_report_data(endpoint_t *ep)
{
    pthread_mutex_lock(&ep->lock);
    json_object_put(ep->facts);
    json_object_put(ep->verdicts);
    json_object_put(ep->grade);
    json_object_put(ep->profile);
    json_object_put(ep->dns_https);
    json_object_put(ep->warnings);
    ep->facts = ep->verdicts = ep->grade = ep->profile = ep->dns_https = ep->warnings = NULL;
    pthread_mutex_unlock(&ep->lock);
}

/* Called with pr->mu held: writes obj to the live stream; a failed write stops the sweep at
 * once (nothing more can be reported). */
static void write_live(progress_t *pr, json_object *obj)
{
    if (pr->stream == stdout)
        progress_line_clear(&pr->line); /* stdout may be the same terminal: no report text after it */
    if (pr->stream && !pr->stream_failed && pr->writer->endpoint(pr->stream, obj, pr->opts) != 0) {
        pr->stream_failed = true;
        pr->stream_errno = errno;
        scheduler_request_halt();
    }
}

/* Scoring as soon as an endpoint is finished keeps memory flat and progress honest. */
static void on_endpoint_done(endpoint_t *ep, void *arg)
{
    progress_t *pr = arg;
    /* Made here, not for every endpoint at the start: a sweep holds the facts of the
     * endpoints in progress only (an unresolved one has none). */
    if (!ep->facts)
        ep->facts = json_object_new_object();
    ep->verdicts = json_object_new_array();
    score_endpoint(pr->scoring, ep);
    /* Built and spooled outside the lock: no other thread touches a finished endpoint. */
    json_object *obj = report_endpoint(ep);
    endpoint_drop_report_data(ep);
    errno = 0;
    size_t place = pr->first + (size_t)(ep->target - pr->targets);
    bool spooled = !pr->spool || report_spool_put(pr->spool, place, obj) == 0;
    int why = errno;
    pthread_mutex_lock(&pr->mu);
    pr->done++;
    report_tally_add(&pr->tally, obj);
    if (!spooled && !pr->spool_errno)
        pr->spool_errno = why ? why : EIO;
    /* One endpoint written at a time, each whole: endpoints never interleave. */
    write_live(pr, obj);
    if (pr->opts->verbosity > 0) {
        progress_line_clear(&pr->line);
        /* The target as given may come from anywhere (a list of names seen on the network). */
        char *spec = escape_text_dup(ep->target->spec);
        fprintf(stderr, "tlsprobe: [%zu/%zu] %s: %s\n", pr->done, pr->total, spec ? spec : "?",
                report_endpoint_result(ep));
        free(spec);
    }
    progress_line_update(&pr->line, report_endpoint_result(ep));
    pthread_mutex_unlock(&pr->mu);
    json_object_put(obj);
}

static void endpoints_init(endpoint_t *eps, const target_t *targets, size_t n, const options_t *opts)
{
    memset(eps, 0, n * sizeof *eps);
    for (size_t i = 0; i < n; i++) {
        endpoint_t *ep = &eps[i];
        const target_t *t = &targets[i];
        ep->target = t;
        ep->opts = opts;
        ep->sni = t->sni;
        ep->ca_file = t->ca_file ? t->ca_file : opts->ca_file;
        ep->status = ENDPOINT_OK;
        pthread_mutex_init(&ep->lock, NULL);
        atomic_init(&ep->connections, 0);
    }
}

static void endpoints_free(endpoint_t *eps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < eps[i].nall_addrs; j++)
            free(eps[i].all_addrs[j]);
        free(eps[i].all_addrs);
        endpoint_drop_report_data(&eps[i]);
        endpoint_finalise(&eps[i]);
        pthread_mutex_destroy(&eps[i].lock);
    }
}

typedef struct sweep {
    const target_pack_t *pack;
    size_t n;                  /* pack->count */
    size_t at;                 /* where in the pack the next window's targets are */
    target_t *targets;         /* the window's targets, unpacked: room for width */
    endpoint_t *eps;           /* and their endpoints */
    size_t width;
    size_t first, count;       /* the window: the run's targets first .. first + count - 1, resolved */
    size_t not_probed;         /* endpoints without a result, windows never started included */
    bool any_error, any_failed;
    const options_t *opts;
    progress_t *pr;
    run_info_t *run;
    resume_t *resume;      /* --resume: what the file already holds; NULL: a fresh run */
    json_object *head;     /* the report without its endpoints, once every endpoint is done */
    bool out_of_memory;
    char resolve_err[512]; /* a later window's resolver could not be set up: why */
} sweep_t;

/* Frees the window's endpoints and targets. */
static void window_free(sweep_t *s)
{
    endpoints_free(s->eps, s->count);
    for (size_t i = 0; i < s->count; i++)
        target_free(&s->targets[i]);
    s->count = 0;
}

/* Makes and resolves the window of targets from first on. 0, or -1 with why in err (the
 * resolver cannot be set up; the window is freed). */
static int window_open(sweep_t *s, size_t first, char *err, size_t errlen)
{
    size_t count = s->n - first < s->width ? s->n - first : s->width;
    if (target_pack_read(s->pack, &s->at, s->targets, count) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->first = first;
    s->count = count;
    endpoints_init(s->eps, s->targets, count, s->opts);
    if (s->pr)
        s->pr->first = first;
    if (resolve_endpoints(s->eps, count, s->opts, err, errlen) == 0)
        return 0;
    window_free(s);
    return -1;
}

/* What the exit status needs from the window's endpoints, before they are freed. */
static void window_close(sweep_t *s)
{
    for (size_t i = 0; i < s->count; i++) {
        const char *r = report_endpoint_result(&s->eps[i]);
        s->any_error |= strcmp(r, "ERROR") == 0;
        s->any_failed |= strcmp(r, "FAIL") == 0;
        s->not_probed += s->eps[i].result == NULL;
    }
    window_free(s);
}

/* Every window in turn, the first one already open; after a stop request no window opens (its
 * targets are not probed). 0, or -1 when out of memory or a resolver failed. */
static int sweep_windows(sweep_t *s)
{
    for (;;) {
        int rc = scheduler_run(s->eps, s->count, s->opts, on_endpoint_done, s->pr);
        size_t next = s->first + s->count;
        window_close(s);
#ifdef __GLIBC__
        /* What the window's threads freed stays with glibc's per-thread arenas, in holes the
         * next window's allocations do not exactly fill: without giving it back, a sweep's
         * memory would creep up window after window. */
        malloc_trim(0);
#endif
        if (rc != 0) {
            s->out_of_memory = true;
            return -1;
        }
        if (next >= s->n)
            return 0;
        if (scheduler_stop_requested()) {
            s->not_probed += s->n - next;
            return 0;
        }
        if (window_open(s, next, s->resolve_err, sizeof s->resolve_err) != 0)
            return -1;
    }
}

/* A sweep that was asked to stop reports what finished (scored endpoints), counts the rest as
 * not probed and exits 3: a partial run never looks like a clean one. */
static void note_interruption(sweep_t *s)
{
    if (!scheduler_stop_requested())
        return;
    s->run->not_probed = s->not_probed;
    /* A stop that came after the last endpoint finished missed nothing. */
    if (s->run->not_probed == 0)
        return;
    s->run->incomplete = true;
    s->run->exit_status = EXIT_UNREACHABLE;
    if (s->pr->stream_failed)
        fprintf(stderr, "tlsprobe: the report could not be written (%s): stopped with %zu of %zu endpoints not probed\n",
                strerror(s->pr->stream_errno), s->run->not_probed, s->n);
    else
        fprintf(stderr, "tlsprobe: interrupted: %zu of %zu endpoints not probed; the report is marked incomplete\n",
                s->run->not_probed, s->n);
}

/* Probes every endpoint, then builds the report's head from the tally. */
static int sweep(sweep_t *s)
{
    progress_line_start(&s->pr->line); /* after a live writer's first line */
    if (sweep_windows(s) != 0)
        return -1;
    progress_line_clear(&s->pr->line);
    s->run->finished_at = time(NULL);
    s->run->exit_status = s->any_error ? EXIT_UNREACHABLE : s->any_failed ? EXIT_REQUIREMENT_FAILED : EXIT_PASSED;
    if (s->resume)
        s->run->exit_status = resume_combine_status(s->resume, s->run->exit_status);
    note_interruption(s);
    s->pr->tally.not_probed = s->run->not_probed;
    s->head = report_head(s->run, report_tally_json(&s->pr->tally, s->run->exit_status));
    return 0;
}

/* Notes why the stream failed (errno of the failed write); -1. */
static int stream_failed(progress_t *pr)
{
    pr->stream_failed = true;
    pr->stream_errno = errno;
    return -1;
}

/* A live writer writes while the sweep runs: its beginning, each endpoint as it finishes, its
 * end. On stdout, on a file written in place, or as atomic_write_file's writer. */
static int sweep_live(FILE *f, void *arg)
{
    sweep_t *s = arg;
    const report_writer_t *w = s->pr->writer;
    /* A resumed file goes on after its own run line. The summary is not known yet: the head
     * at begin has zeros. */
    if (!(s->resume && s->resume->has_run_line)) {
        report_tally_t none = { 0 };
        json_object *head = report_head(s->run, report_tally_json(&none, 0));
        int rc = w->begin(f, head, s->opts);
        json_object_put(head);
        if (rc != 0)
            return stream_failed(s->pr);
    }
    s->pr->stream = f;
    int rc = sweep(s);
    s->pr->stream = NULL;
    if (rc != 0 || s->pr->stream_failed)
        return -1;
    return w->end(f, s->head, s->opts) != 0 ? stream_failed(s->pr) : 0;
}

/* A whole-run writer gets the finished head, then the spooled endpoints in order. */
static int write_spooled(FILE *f, void *arg)
{
    sweep_t *s = arg;
    return report_write_spool(s->pr->writer, f, s->head, s->pr->spool, s->opts);
}

/* -o FILE with the live format (jsonl) is written in place as the sweep runs, not renamed at the
 * end: a reader can follow a long sweep, and an interrupted one leaves every finished endpoint.
 * The stream is unbuffered so that each line (one fwrite) reaches the file in one write(2). */
static int sweep_in_place(sweep_t *s, FILE *f, char *err, size_t errlen)
{
    if (!f)
        return -1;
    setvbuf(f, NULL, _IONBF, 0);
    errno = 0;
    int rc = sweep_live(f, s);
    int saved = s->pr->stream_failed ? s->pr->stream_errno : errno;
    if (fclose(f) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot write: %s", s->opts->output_path, strerror(saved ? saved : EIO));
    return rc;
}

/* Whole-run formats: the sweep into the spool, then the report from it. */
static int sweep_spooled(sweep_t *s, char *err, size_t errlen)
{
    if (!(s->pr->spool = report_spool_open())) {
        snprintf(err, errlen, "cannot create a temporary file for the report: %s", strerror(errno));
        return -1;
    }
    int rc = sweep(s);
    if (rc == 0 && s->pr->spool_errno) {
        snprintf(err, errlen, "cannot keep finished endpoints in a temporary file: %s", strerror(s->pr->spool_errno));
        rc = -1;
    } else if (rc == 0) {
        rc = report_output(s->opts, write_spooled, s, err, errlen);
    }
    report_spool_close(s->pr->spool);
    s->pr->spool = NULL;
    return rc;
}

/* Probes every endpoint and writes the report. 0, or -1 with err. */
static int sweep_and_write(sweep_t *s, char *err, size_t errlen)
{
    if (s->resume)
        return sweep_in_place(s, resume_open(s->resume, err, errlen), err, errlen);
    if (!s->pr->writer->live)
        return sweep_spooled(s, err, errlen);
    if (s->opts->output_path) {
        int fd = report_open_locked(s->opts->output_path, err, errlen);
        struct stat st;
        bool regular = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        FILE *f = fd >= 0 && (!regular || ftruncate(fd, 0) == 0) ? fdopen(fd, "w") : NULL;
        if (!f && fd >= 0) {
            snprintf(err, errlen, "%s: cannot write: %s", s->opts->output_path, strerror(errno));
            close(fd);
        }
        return sweep_in_place(s, f, err, errlen);
    }
    return report_output(s->opts, sweep_live, s, err, errlen);
}

/* The exit status once the report is written (written: sweep_and_write's result). A reader that
 * went away (EPIPE) stopped the run: 3, as for a signal; any other write error is 2. */
static int final_status(const sweep_t *s, int written, const char *err)
{
    if (s->resolve_err[0]) {
        fprintf(stderr, "tlsprobe: %s\n", s->resolve_err);
        return EXIT_USAGE;
    }
    if (s->out_of_memory) {
        fprintf(stderr, "tlsprobe: out of memory\n");
        return EXIT_USAGE;
    }
    if (written != 0 && s->pr->stream_failed && s->pr->stream_errno == EPIPE)
        return EXIT_UNREACHABLE;
    if (written != 0) {
        fprintf(stderr, "tlsprobe: %s\n", err);
        return EXIT_USAGE;
    }
    return s->run->exit_status;
}

/* The window's width for this run. */
static size_t window_width(const options_t *opts, size_t n)
{
    size_t w = opts->jobs > 0 ? (size_t)opts->jobs * SWEEP_WINDOW_PER_JOB : 0;
    if (w < SWEEP_WINDOW_MIN)
        w = SWEEP_WINDOW_MIN;
    return w < n ? w : (n ? n : 1);
}

int sweep_run(const target_pack_t *targets, const options_t *opts, const scoring_t *scoring, resume_t *resume,
              time_t started_at)
{
    size_t n = targets->count;
    run_info_t run = { .started_at = started_at, .targets = n + (resume ? (size_t)resume->tally.endpoints : 0) };
    sweep_t s = { .pack = targets, .n = n, .width = window_width(opts, n), .opts = opts, .run = &run,
                  .resume = resume };
    char err[512] = "";
    s.eps = calloc(s.width, sizeof *s.eps);
    s.targets = calloc(s.width, sizeof *s.targets);
    if (!s.eps || !s.targets) {
        fprintf(stderr, "tlsprobe: out of memory\n");
        free(s.eps), free(s.targets);
        return EXIT_USAGE;
    }
    /* The first window is resolved before any output: a resolver that cannot be set up is a
     * usage error that leaves no report behind. */
    if (window_open(&s, 0, err, sizeof err) != 0) {
        fprintf(stderr, "tlsprobe: %s\n", err);
        free(s.eps), free(s.targets);
        return EXIT_USAGE;
    }
    progress_t pr = { .total = n, .opts = opts, .writer = report_writer_by_name(opts->format),
                      .targets = s.targets, .scoring = scoring };
    if (resume) {
        /* The summary counts the endpoints the file keeps: the run takes over their tally. */
        pr.tally = resume->tally;
        memset(&resume->tally, 0, sizeof resume->tally);
    }
    pthread_mutex_init(&pr.mu, NULL);
    progress_line_init(&pr.line, n, opts);
    s.pr = &pr;
    int written = sweep_and_write(&s, err, sizeof err);
    window_free(&s); /* a window still open when the writing failed first */
    free(s.eps), free(s.targets);
    pthread_mutex_destroy(&pr.mu);
    json_object_put(s.head);
    report_tally_free(&pr.tally);
    return final_status(&s, written, err);
}
