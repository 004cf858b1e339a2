/* tlsprobe: targets → resolve → probes → facts → scoring → reports. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"
#include "diff_cmd.h"
#include "fetch_cache.h"
#include "host_gate.h"
#include "http_fetch.h"
#include "merge_cmd.h"
#include "net_rate.h"
#include "output_check.h"
#include "render_cmd.h"
#include "resolve.h"
#include "resume.h"
#include "scheduler.h"
#include "signals.h"
#include "sweep.h"
#include "target_pack.h"
#include "validate_cmd.h"
#include "x509_facts.h"

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

/* Subcommands on saved reports and inventories; -1: none named. */
static int subcommand(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } cmds[] = { { "render", render_main }, { "diff", diff_main }, { "merge", merge_main }, { "validate", validate_main } };
    for (size_t i = 0; argc > 1 && i < sizeof cmds / sizeof *cmds; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].run(argc - 1, argv + 1);
    return -1;
}

/* Resolves and sweeps the targets; the process exit status. */
static int probe_targets(target_list_t *targets, const options_t *opts, const scoring_t *scoring, resume_t *resume)
{
    time_t started_at = time(NULL);
    /* The sweep keeps its targets packed and unpacks a window at a time (sweep.c). */
    target_pack_t pack;
    if (target_pack_from_list(&pack, targets) != 0) {
        fprintf(stderr, "tlsprobe: out of memory\n");
        return EXIT_USAGE;
    }
    target_list_free(targets);
#ifdef __GLIBC__
    /* The inventory's document, the targets and the identities their checks made are freed,
     * but in holes between what lives on: glibc keeps such pages until asked to give them back,
     * and the sweep would carry them all along. */
    malloc_trim(0);
#endif
    net_rate_set(opts->rate);
    resolve_set_stop(scheduler_stop_requested);
    host_gate_set(opts->per_host);
    int status = sweep_run(&pack, opts, scoring, resume, started_at);
    target_pack_free(&pack);
    return status;
}

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* A fixed trim threshold (128 KiB, glibc's default): otherwise glibc raises it up to 64 MiB
     * once a large block is freed (the target list, when packed), and the worker threads' arenas
     * then keep what they freed: a sweep's RSS crept up by ~0.3 KB per endpoint probed. */
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
    /* A server that resets mid-write must be that endpoint's finding, not our death. */
    signal(SIGPIPE, SIG_IGN);
    int sub = subcommand(argc, argv);
    if (sub >= 0)
        return sub;
    options_t opts;
    target_list_t targets = { 0 };
    cli_result_t cr = cli_parse(argc, argv, &opts, &targets);
    if (cr != CLI_RUN) {
        target_list_free(&targets);
        x509_store_cache_clear();   /* --ca-file and ca: were loaded to be checked */
        return cr == CLI_DONE ? EXIT_PASSED : EXIT_USAGE;
    }

    /* The policy is read before any traffic: a broken waiver file is a usage error. */
    policy_t policy = { 0 };
    char perr[512];
    bool bad = opts.output_path && output_writable("tlsprobe: ", opts.output_path, strcmp(opts.format, "jsonl") == 0);
    if (!bad && opts.policy_path && policy_load(opts.policy_path, &policy, perr, sizeof perr) != 0) {
        fprintf(stderr, "tlsprobe: %s\n", perr);
        bad = true;
    }
    if (bad) {
        target_list_free(&targets);
        x509_store_cache_clear();
        return EXIT_USAGE;
    }
    const scoring_t scoring = { .opts = &opts, .policy = &policy };
    resume_t resume = { 0 };
    int status = EXIT_USAGE;
    if (!opts.resume_path || prepare_resume(&resume, &opts, &targets) == 0) {
        /* From here on a first SIGINT/SIGTERM stops the sweep and still writes the report. */
        signals_install();
        status = probe_targets(&targets, &opts, &scoring, opts.resume_path ? &resume : NULL);
    }
    resume_free(&resume);
    target_list_free(&targets);
    /* Cached trust stores are freed so that leak checkers see a clean exit. */
    policy_free(&policy);
    x509_store_cache_clear();
    fetch_cache_free();
    http_global_cleanup();
    return status;
}
