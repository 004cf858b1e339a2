/* tlsprobe: targets → resolve → probes → facts → scoring → reports. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "diff_cmd.h"
#include "http_fetch.h"
#include "endpoint.h"
#include "merge_cmd.h"
#include "net_rate.h"
#include "render_cmd.h"
#include "report.h"
#include "resolve.h"
#include "scheduler.h"
#include "scoring.h"
#include "validate_cmd.h"
#include "x509_facts.h"

typedef struct progress {
    pthread_mutex_t mu;
    size_t done, total;
    const options_t *opts;
    const report_writer_t *writer;
    FILE *stream;                   /* set while a live writer's sweep runs */
    report_spool_t *spool;          /* where a whole-run writer's endpoints wait for the end */
    const endpoint_t *eps;          /* spool records are numbered by place in eps */
    report_tally_t tally;           /* the summary's counts, under mu */
    int spool_errno;                /* why an endpoint could not be spooled; 0: none was lost */
    bool stream_failed;
    const scoring_t *scoring;  /* what score_endpoint needs from the run */
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

/* Scoring as soon as an endpoint is finished keeps memory flat and progress honest; its report
 * object goes to the live writer or to the spool, and the endpoint lets go of its facts. */
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
    bool spooled = !pr->spool || report_spool_put(pr->spool, (size_t)(ep - pr->eps), obj) == 0;
    int why = errno;
    pthread_mutex_lock(&pr->mu);
    pr->done++;
    report_tally_add(&pr->tally, obj);
    if (!spooled && !pr->spool_errno)
        pr->spool_errno = why ? why : EIO;
    /* One endpoint written at a time, each whole: endpoints never interleave. */
    if (pr->stream && !pr->stream_failed && pr->writer->endpoint(pr->stream, obj, pr->opts) != 0)
        pr->stream_failed = true;
    if (pr->opts->verbosity > 0)
        fprintf(stderr, "tlsprobe: [%zu/%zu] %s: %s\n", pr->done, pr->total, ep->target->spec,
                report_endpoint_result(ep));
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
        json_object_put(eps[i].warnings);
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
    json_object *head;     /* the report without its endpoints, once every endpoint is done */
    bool out_of_memory;
} sweep_t;

/* Probes every endpoint, then builds the report's head from the tally. */
static int sweep(sweep_t *s)
{
    if (scheduler_run(s->eps, s->n, s->opts, on_endpoint_done, s->pr) != 0) {
        s->out_of_memory = true;
        return -1;
    }
    s->run->finished_at = time(NULL);
    s->run->exit_status = exit_status(s->eps, s->n);
    s->head = report_head(s->run, report_tally_json(&s->pr->tally, s->run->exit_status));
    return 0;
}

/* A live writer writes while the sweep runs: its beginning, each endpoint as it finishes,
 * its end. With -o this is atomic_write_file's writer, so the file appears complete. */
static int sweep_live(FILE *f, void *arg)
{
    sweep_t *s = arg;
    const report_writer_t *w = s->pr->writer;
    /* The summary is not known yet: the head at begin has zeros. */
    report_tally_t none = { 0 };
    json_object *head = report_head(s->run, report_tally_json(&none, 0));
    int rc = w->begin(f, head, s->opts);
    json_object_put(head);
    if (rc != 0)
        return -1;
    s->pr->stream = f;
    rc = sweep(s);
    s->pr->stream = NULL;
    if (rc != 0 || s->pr->stream_failed)
        return -1;
    return w->end(f, s->head, s->opts);
}

/* A whole-run writer gets the finished head, then the spooled endpoints in order. */
static int write_spooled(FILE *f, void *arg)
{
    sweep_t *s = arg;
    return report_write_spool(s->pr->writer, f, s->head, s->pr->spool, s->opts);
}

/* Probes every endpoint and writes the report: as endpoints finish when the writer is live,
 * else from the spool once the sweep is done. 0, or -1 with err. */
static int sweep_and_write(sweep_t *s, char *err, size_t errlen)
{
    if (s->pr->writer->live)
        return report_output(s->opts, sweep_live, s, err, errlen);
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

int main(int argc, char **argv)
{
    /* A server that resets mid-write must be that endpoint's finding, not our death. */
    signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && strcmp(argv[1], "render") == 0)
        return render_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "diff") == 0)
        return diff_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return merge_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "validate") == 0)
        return validate_main(argc - 1, argv + 1);
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

    run_info_t run = { .started_at = time(NULL) };
    size_t n = targets.count;
    endpoint_t *eps = calloc(n, sizeof *eps);
    if (!eps) {
        fprintf(stderr, "tlsprobe: out of memory\n");
        target_list_free(&targets);
        policy_free(&policy);
        return EXIT_USAGE;
    }
    endpoints_init(eps, &targets, &opts);

    char err[512];
    net_rate_set(opts.rate);
    if (resolve_endpoints(eps, n, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "tlsprobe: %s\n", err);
        endpoints_free(eps, n);
        target_list_free(&targets);
        policy_free(&policy);
        return EXIT_USAGE;
    }

    progress_t pr = { .total = n, .opts = &opts, .writer = report_writer_by_name(opts.format), .eps = eps,
                      .scoring = &scoring };
    pthread_mutex_init(&pr.mu, NULL);
    sweep_t s = { .eps = eps, .n = n, .opts = &opts, .pr = &pr, .run = &run };
    int written = sweep_and_write(&s, err, sizeof err);
    pthread_mutex_destroy(&pr.mu);
    int status = run.exit_status;
    if (s.out_of_memory) {
        fprintf(stderr, "tlsprobe: out of memory\n");
        status = EXIT_USAGE;
    } else if (written != 0) {
        fprintf(stderr, "tlsprobe: %s\n", err);
        status = EXIT_USAGE;
    }
    json_object_put(s.head);
    endpoints_free(eps, n);
    target_list_free(&targets);
    /* Cached trust stores are freed so that leak checkers see a clean exit. */
    policy_free(&policy);
    x509_store_cache_clear();
    http_global_cleanup();
    return status;
}
