/* tlsprobe: targets → resolve → probes → facts → scoring → reports. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "http_fetch.h"
#include "endpoint.h"
#include "report.h"
#include "resolve.h"
#include "scheduler.h"
#include "scoring.h"
#include "x509_facts.h"

typedef struct progress {
    pthread_mutex_t mu;
    size_t done, total;
    int verbosity;
} progress_t;

/* Scoring as soon as an endpoint is finished keeps memory flat and progress honest. */
static void on_endpoint_done(endpoint_t *ep, void *arg)
{
    progress_t *pr = arg;
    score_endpoint(ep);
    pthread_mutex_lock(&pr->mu);
    pr->done++;
    if (pr->verbosity > 0)
        fprintf(stderr, "tlsprobe: [%zu/%zu] %s: %s\n", pr->done, pr->total, ep->target->spec,
                report_endpoint_result(ep));
    pthread_mutex_unlock(&pr->mu);
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

int main(int argc, char **argv)
{
    /* A server that resets mid-write must be that endpoint's finding, not our death. */
    signal(SIGPIPE, SIG_IGN);
    /* libcurl's global state must be set up before any worker thread exists. */
    http_global_init();

    options_t opts;
    target_list_t targets = { 0 };
    cli_result_t cr = cli_parse(argc, argv, &opts, &targets);
    if (cr != CLI_RUN) {
        target_list_free(&targets);
        return cr == CLI_DONE ? EXIT_PASSED : EXIT_USAGE;
    }

    run_info_t run = { .started_at = time(NULL) };
    size_t n = targets.count;
    endpoint_t *eps = calloc(n, sizeof *eps);
    if (!eps) {
        fprintf(stderr, "tlsprobe: out of memory\n");
        return EXIT_USAGE;
    }
    endpoints_init(eps, &targets, &opts);

    char err[512];
    if (resolve_endpoints(eps, n, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "tlsprobe: %s\n", err);
        endpoints_free(eps, n);
        target_list_free(&targets);
        return EXIT_USAGE;
    }

    progress_t pr = { .total = n, .verbosity = opts.verbosity };
    pthread_mutex_init(&pr.mu, NULL);
    if (scheduler_run(eps, n, &opts, on_endpoint_done, &pr) != 0) {
        fprintf(stderr, "tlsprobe: out of memory\n");
        return EXIT_USAGE;
    }
    pthread_mutex_destroy(&pr.mu);

    run.finished_at = time(NULL);
    run.exit_status = exit_status(eps, n);
    json_object *doc = report_document(eps, n, &run);
    int status = run.exit_status;
    if (report_emit(doc, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "tlsprobe: %s\n", err);
        status = EXIT_USAGE;
    }
    json_object_put(doc);
    endpoints_free(eps, n);
    target_list_free(&targets);
    /* Cached trust stores are freed so that leak checkers see a clean exit. */
    x509_store_cache_clear();
    http_global_cleanup();
    return status;
}
