/* tlsprobe: targets → resolve → probes → facts → scoring → reports. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "http_fetch.h"
#include "endpoint.h"
#include "progress.h"
#include "render_cmd.h"
#include "report.h"
#include "resolve.h"
#include "resume.h"
#include "scheduler.h"
#include "scoring.h"
#include "signals.h"
#include "x509_facts.h"

typedef struct progress {
    pthread_mutex_t mu;
    size_t done, total;
    const options_t *opts;
    const report_writer_t *writer;  /* a streaming writer: each endpoint goes to stream as it finishes */
    FILE *stream;                   /* set while a streaming writer's sweep runs */
    bool stream_failed;
    int stream_errno;               /* why it failed (EPIPE: the reader went away) */
    const scoring_t *scoring;  /* what score_endpoint needs from the run */
    progress_line_t line;      /* the status line on a terminal */
} progress_t;

/* Scoring as soon as an endpoint is finished keeps memory flat and progress honest. */
static void on_endpoint_done(endpoint_t *ep, void *arg)
{
    progress_t *pr = arg;
    score_endpoint(pr->scoring, ep);
    /* Built outside the lock: no other thread touches a finished endpoint. */
    json_object *obj = pr->stream ? report_endpoint(ep) : NULL;
    pthread_mutex_lock(&pr->mu);
    pr->done++;
    /* One endpoint written at a time, each whole: endpoints never interleave. */
    if (pr->stream == stdout)
        progress_line_clear(&pr->line); /* stdout may be the same terminal: no report text after it */
    if (obj && !pr->stream_failed && pr->writer->endpoint(pr->stream, obj, pr->opts) != 0) {
        /* Nothing more can be reported: stop starting work at once. */
        pr->stream_failed = true;
        pr->stream_errno = errno;
        scheduler_request_halt();
    }
    if (pr->opts->verbosity > 0) {
        progress_line_clear(&pr->line);
        fprintf(stderr, "tlsprobe: [%zu/%zu] %s: %s\n", pr->done, pr->total, ep->target->spec,
                report_endpoint_result(ep));
    }
    progress_line_update(&pr->line, report_endpoint_result(ep));
    pthread_mutex_unlock(&pr->mu);
    json_object_put(obj);
}

static void endpoints_init(endpoint_t *eps, const target_list_t *targets, const options_t *opts)
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
        ep->facts = json_object_new_object();
        ep->verdicts = json_object_new_array();
        atomic_init(&ep->connections, 0);
    }
}

static void endpoints_free(endpoint_t *eps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < eps[i].nall_addrs; j++)
            free(eps[i].all_addrs[j]);
        free(eps[i].all_addrs);
        json_object_put(eps[i].facts);
        json_object_put(eps[i].verdicts);
        json_object_put(eps[i].grade);
        json_object_put(eps[i].profile);
        json_object_put(eps[i].dns_https);
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
    json_object *doc;      /* the report, once every endpoint is done */
    bool out_of_memory;
} sweep_t;

/* A sweep that was asked to stop reports what finished (scored endpoints), counts the rest as
 * not probed and exits 3: a partial run never looks like a clean one. */
static void note_interruption(sweep_t *s)
{
    if (!scheduler_stop_requested())
        return;
    s->run->incomplete = true;
    for (size_t i = 0; i < s->n; i++)
        s->run->not_probed += s->eps[i].result == NULL;
    s->run->exit_status = EXIT_UNREACHABLE;
    if (s->pr->stream_failed)
        fprintf(stderr, "tlsprobe: the report could not be written (%s): stopped with %zu of %zu endpoints not probed\n",
                strerror(s->pr->stream_errno), s->run->not_probed, s->n);
    else
        fprintf(stderr, "tlsprobe: interrupted: %zu of %zu endpoints not probed; the report is marked incomplete\n",
                s->run->not_probed, s->n);
}

/* Probes every endpoint, then builds the report document. */
static int sweep(sweep_t *s)
{
    progress_line_start(&s->pr->line); /* after a streaming writer's first line */
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
    s->doc = report_document(s->eps, s->n, s->run);
    if (s->resume)
        resume_add_to_summary(s->resume, s->doc);
    return 0;
}

/* Notes why the stream failed (errno of the failed write); -1. */
static int stream_failed(progress_t *pr)
{
    pr->stream_failed = true;
    pr->stream_errno = errno;
    return -1;
}

/* A streaming writer writes while the sweep runs: its beginning, each endpoint as it finishes,
 * its end. On stdout, on a file written in place (jsonl), or as atomic_write_file's writer (-o
 * with another streaming format), where the file appears complete. */
static int sweep_streaming(FILE *f, void *arg)
{
    sweep_t *s = arg;
    const report_writer_t *w = s->pr->writer;
    /* A resumed file goes on after its own run line. */
    if (w->begin && !(s->resume && s->resume->has_run_line)) {
        json_object *head = report_document(NULL, 0, s->run);
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
    return w->end && w->end(f, s->doc, s->opts) != 0 ? stream_failed(s->pr) : 0;
}

/* -o FILE --format jsonl is written in place as the sweep runs, not renamed at the end: a
 * reader can follow a long sweep, and an interrupted one leaves every finished endpoint. The
 * stream is unbuffered so that each line (one fwrite) reaches the file in one write(2). */
static bool writes_in_place(const options_t *opts)
{
    return opts->output_path && strcmp(opts->format, "jsonl") == 0;
}

static int sweep_in_place(sweep_t *s, FILE *f, char *err, size_t errlen)
{
    if (!f)
        return -1;
    setvbuf(f, NULL, _IONBF, 0);
    errno = 0;
    int rc = sweep_streaming(f, s);
    int saved = s->pr->stream_failed ? s->pr->stream_errno : errno;
    if (fclose(f) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot write: %s", s->opts->output_path, strerror(saved ? saved : EIO));
    return rc;
}

/* Probes every endpoint and writes the report: as endpoints finish when the writer streams,
 * else from the finished document. 0, or -1 with err. */
static int sweep_and_write(sweep_t *s, char *err, size_t errlen)
{
    if (s->resume)
        return sweep_in_place(s, resume_open(s->resume, err, errlen), err, errlen);
    if (writes_in_place(s->opts)) {
        FILE *f = fopen(s->opts->output_path, "w");
        if (!f)
            snprintf(err, errlen, "%s: cannot write: %s", s->opts->output_path, strerror(errno));
        return sweep_in_place(s, f, err, errlen);
    }
    if (s->pr->writer->endpoint)
        return report_output(s->opts, sweep_streaming, s, err, errlen);
    return sweep(s) == 0 ? report_emit(s->doc, s->opts, err, errlen) : -1;
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

/* --resume: reads the earlier run's file and leaves out the targets it already has. Before any
 * traffic, so a malformed file is a usage error. 0, or -1 (said why). */
static int prepare_resume(resume_t *r, const options_t *opts, target_list_t *targets)
{
    char err[512];
    if (resume_load(opts->resume_path, r, err, sizeof err) != 0) {
        fprintf(stderr, "tlsprobe: %s\n", err);
        return -1;
    }
    size_t done = resume_skip_done(r, targets);
    if (opts->verbosity > 0)
        fprintf(stderr, "tlsprobe: resuming %s: %zu targets done, %zu to probe\n", opts->resume_path, done,
                targets->count);
    return 0;
}

int main(int argc, char **argv)
{
    /* A server that resets mid-write must be that endpoint's finding, not our death. */
    signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && strcmp(argv[1], "render") == 0)
        return render_main(argc - 1, argv + 1);
    options_t opts;
    target_list_t targets = { 0 };
    cli_result_t cr = cli_parse(argc, argv, &opts, &targets);
    if (cr != CLI_RUN) {
        target_list_free(&targets);
        return cr == CLI_DONE ? EXIT_PASSED : EXIT_USAGE;
    }

    /* The policy is read before any traffic: a broken waiver file is a usage error. */
    policy_t policy = { 0 };
    char perr[512];
    if (opts.policy_path && policy_load(opts.policy_path, &policy, perr, sizeof perr) != 0) {
        fprintf(stderr, "tlsprobe: %s\n", perr);
        target_list_free(&targets);
        return EXIT_USAGE;
    }
    const scoring_t scoring = { .opts = &opts, .policy = &policy };
    resume_t resume = { 0 };
    if (opts.resume_path && prepare_resume(&resume, &opts, &targets) != 0) {
        resume_free(&resume);
        target_list_free(&targets);
        policy_free(&policy);
        return EXIT_USAGE;
    }
    /* From here on a first SIGINT/SIGTERM stops the sweep and still writes the report. */
    signals_install();

    run_info_t run = { .started_at = time(NULL) };
    size_t n = targets.count;
    endpoint_t *eps = calloc(n ? n : 1, sizeof *eps);
    if (!eps) {
        fprintf(stderr, "tlsprobe: out of memory\n");
        resume_free(&resume);
        target_list_free(&targets);
        policy_free(&policy);
        return EXIT_USAGE;
    }
    endpoints_init(eps, &targets, &opts);

    char err[512];
    if (resolve_endpoints(eps, n, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "tlsprobe: %s\n", err);
        endpoints_free(eps, n);
        resume_free(&resume);
        target_list_free(&targets);
        policy_free(&policy);
        return EXIT_USAGE;
    }

    progress_t pr = { .total = n, .opts = &opts, .writer = report_writer_by_name(opts.format), .scoring = &scoring };
    pthread_mutex_init(&pr.mu, NULL);
    progress_line_init(&pr.line, n, &opts);
    sweep_t s = { .eps = eps, .n = n, .opts = &opts, .pr = &pr, .run = &run,
                  .resume = opts.resume_path ? &resume : NULL };
    int written = sweep_and_write(&s, err, sizeof err);
    pthread_mutex_destroy(&pr.mu);
    int status = final_status(&s, written, err);
    json_object_put(s.doc);
    resume_free(&resume);
    endpoints_free(eps, n);
    target_list_free(&targets);
    /* Cached trust stores are freed so that leak checkers see a clean exit. */
    policy_free(&policy);
    x509_store_cache_clear();
    http_global_cleanup();
    return status;
}
