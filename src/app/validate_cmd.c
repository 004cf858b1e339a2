/* `tlsprobe validate [--policy FILE] INVENTORY.yaml...`: reads inventories with the sweep's own
 * loader and prints every error at once, one "FILE:LINE:COLUMN: field 'x': what" line each (the
 * form editors jump to), so a broken inventory is fixed in one pass, not one run per error. No
 * name is resolved and nothing is sent. */
#include "validate_cmd.h"

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "inventory.h"
#include "policy.h"
#include "x509_facts.h"

static const char validate_usage[] = "usage: tlsprobe validate [--policy FILE] INVENTORY.yaml...\n";

/* The policy's waivers, or -1 after printing its error (the policy reader stops at its first). */
static long check_policy(const char *path)
{
    policy_t policy = { 0 };
    char err[512];
    if (policy_load(path, &policy, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    long n = (long)policy.count;
    policy_free(&policy);
    return n;
}

int validate_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "policy", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *policy_path = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': policy_path = optarg; break;
        case 'h': fputs(validate_usage, stdout); return EXIT_PASSED;
        default: fputs(validate_usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind == argc) {
        fputs(validate_usage, stderr);
        return EXIT_USAGE;
    }
    target_list_t targets = { 0 };
    inventory_errors_t errs = { 0 };
    size_t ngroups = 0;
    for (int i = optind; i < argc; i++)
        inventory_load_all(argv[i], &targets, &errs, &ngroups);
    bool bad = errs.count || errs.dropped;
    inventory_errors_print(stderr, "", &errs);
    inventory_errors_free(&errs);
    /* A repeated target is a warning, as in a sweep (which probes it once), not an error. */
    size_t repeated = bad ? 0 : cli_dedupe_targets(&targets, "");
    if (repeated == (size_t)-1) {
        fprintf(stderr, "out of memory\n");
        bad = true;
    }
    long waivers = policy_path ? check_policy(policy_path) : 0;
    size_t ntargets = targets.count;
    target_list_free(&targets);
    x509_store_cache_clear();   /* ca: files were loaded to be checked */
    if (bad || waivers < 0)
        return EXIT_USAGE;
    printf("%zu target%s, %zu group%s", ntargets, ntargets == 1 ? "" : "s", ngroups, ngroups == 1 ? "" : "s");
    if (repeated)
        printf(", %zu repeated target%s left out", repeated, repeated == 1 ? "" : "s");
    if (policy_path)
        printf(", %ld waiver%s", waivers, waivers == 1 ? "" : "s");
    puts(": ok");
    return EXIT_PASSED;
}
