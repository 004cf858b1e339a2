/* The sweep's run: every finished endpoint is scored, tallied and then written (a live writer)
 * or spooled (the others, written in target order at the end), and the endpoint lets go of its
 * facts, so memory stays flat; a stop request (signal, closed reader) ends it with a report
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

#include "cli.h"
#include "escape.h"
#include "progress.h"
#include "scheduler.h"

typedef struct progress {
    pthread_mutex_t mu;
    size_t done, total;
    const options_t *opts;
    const report_writer_t *writer;
    FILE *stream;                   /* set while a live writer's sweep runs */
    report_spool_t *spool;          /* where a whole-run writer's endpoints wait for the end */
    const endpoint_t *eps;          /* spool records are numbered by place in eps */
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
    bool spooled = !pr->spool || report_spool_put(pr->spool, (size_t)(ep - pr->eps), obj) == 0;
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

void sweep_endpoints_init(endpoint_t *eps, const target_list_t *targets, const options_t *opts)
{
    for (size_t i = 0; i < targets->count; i++) {
        endpoint_t *ep = &eps[i];
        const target_t *t = &targets->items[i];
        ep->target = t;
        ep->opts = opts;
        ep->sni = t->sni;
        ep->ca_file = t->ca_file ? t->ca_file : opts->ca_file;
        ep->status = ENDPOINT_OK;
        pthread_mutex_init(&ep->lock, NULL);
        atomic_init(&ep->connections, 0);
    }
}

void sweep_endpoints_free(endpoint_t *eps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < eps[i].nall_addrs; j++)
            free(eps[i].all_addrs[j]);
        free(eps[i].all_addrs);
        endpoint_drop_report_data(&eps[i]);
        endpoint_finalise(&eps[i]);
        pthread_mutex_destroy(&eps[i].lock);
    }
    free(eps);
}

static int exit_status(endpoint_t *eps, size_t n)
{
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        const char *r = report_endpoint_result(&eps[i]);
        if (strcmp(r, "ERROR") == 0)
            return EXIT_UNREACHABLE;
        failed |= strcmp(r, "FAIL") == 0;
    }
    return failed ? EXIT_REQUIREMENT_FAILED : EXIT_PASSED;
}

typedef struct sweep {
    endpoint_t *eps;
    size_t n;
    const options_t *opts;
    progress_t *pr;
    run_info_t *run;
    resume_t *resume;      /* --resume: what the file already holds; NULL: a fresh run */
    json_object *head;     /* the report without its endpoints, once every endpoint is done */
    bool out_of_memory;
} sweep_t;

/* A sweep that was asked to stop reports what finished (scored endpoints), counts the rest as
 * not probed and exits 3: a partial run never looks like a clean one. */
static void note_interruption(sweep_t *s)
{
    if (!scheduler_stop_requested())
        return;
    for (size_t i = 0; i < s->n; i++)
        s->run->not_probed += s->eps[i].result == NULL;
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
    if (scheduler_run(s->eps, s->n, s->opts, on_endpoint_done, s->pr) != 0) {
        s->out_of_memory = true;
        return -1;
    }
    progress_line_clear(&s->pr->line);
    s->run->finished_at = time(NULL);
    s->run->exit_status = exit_status(s->eps, s->n);
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

int sweep_run(endpoint_t *eps, size_t n, const options_t *opts, const scoring_t *scoring, resume_t *resume,
              time_t started_at)
{
    run_info_t run = { .started_at = started_at, .targets = n + (resume ? (size_t)resume->tally.endpoints : 0) };
    progress_t pr = { .total = n, .opts = opts, .writer = report_writer_by_name(opts->format), .eps = eps,
                      .scoring = scoring };
    if (resume) {
        /* The summary counts the endpoints the file keeps: the run takes over their tally. */
        pr.tally = resume->tally;
        memset(&resume->tally, 0, sizeof resume->tally);
    }
    pthread_mutex_init(&pr.mu, NULL);
    progress_line_init(&pr.line, n, opts);
    sweep_t s = { .eps = eps, .n = n, .opts = opts, .pr = &pr, .run = &run, .resume = resume };
    char err[512] = "";
    int written = sweep_and_write(&s, err, sizeof err);
    pthread_mutex_destroy(&pr.mu);
    json_object_put(s.head);
    report_tally_free(&pr.tally);
    return final_status(&s, written, err);
}
