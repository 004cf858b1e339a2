/* Command-line parsing: turns argv into options and a target list, nothing else. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory.h"
#include "list_ciphers.h"
#include "report.h"
#include "probe.h"
#include "profile.h"
#include "scoring.h"
#include "version.h"

static const char usage_text[] =
    "usage: tlsprobe [options] TARGET...\n"
    "       tlsprobe [options] -f INVENTORY.yaml\n"
    "\n"
    "TARGET: host, host:port, 1.2.3.4:port, [::1]:port or https://host[:port]/ (port 443)\n"
    "\n"
    "  -f, --file FILE        read targets from a YAML inventory (see targets.example.yaml)\n"
    "      --sni NAME         server name to send (command-line targets)\n"
    "      --ip ADDR          probe ADDR instead of resolving the name (command-line targets)\n"
    "      --ca-file PEM      trust these CAs instead of the system store\n"
    "      --resolver IP[:PORT]  DNS server to ask instead of /etc/resolv.conf\n"
    "      --format FORMAT    text, json, jsonl, csv, junit or html (default text)\n"
    "  -o, --output FILE      write the report to FILE (atomically) instead of stdout\n"
    "  -j, --jobs N           probes running at once over all endpoints (default 16)\n"
    "      --per-host N       connections at once to one endpoint (default 3, max 5)\n"
    "      --timeout SECONDS  deadline of each connect, read and write (default 5)\n"
    "      --level 1|2|3      ASVS level to score against (default 1)\n"
    "      --standard S       asvs-5.0 (default), asvs-4.0.3 or all\n"
    "      --exposure E       external (default) or internal, for command-line targets\n"
    "      --policy FILE      waivers (YAML): accepted failures with a reason and an end date\n"
    "      --fail-on WHAT     what makes the exit status 1: fail (default), manual (FAIL or\n"
    "                         MANUAL), waived (FAIL or WAIVED), none\n"
    "      --explain ID       print a requirement, what tlsprobe checks and how it decides\n"
    "      --profile P        list deviations from Mozilla's modern, intermediate or old profile\n"
    "      --probes LIST      run only these probes (and what they need), e.g. versions,ciphers\n"
    "      --expiry-warn DAYS flag certificates expiring within DAYS (default 30)\n"
    "      --offline          no OCSP, CRL or AIA fetches (revocation is not checked)\n"
    "  -q, --quiet            no progress on stderr\n"
    "  -v, --verbose          more progress on stderr\n"
    "      --no-color         no ANSI colours in the text report\n"
    "      --list-ciphers     print every cipher suite tlsprobe knows, with its label\n"
    "  -V, --version          print the version\n"
    "  -h, --help             print this help\n"
    "\n"
    "Exit status: 0 all requirements passed, 1 a requirement failed,\n"
    "2 usage or configuration error, 3 a target was unresolved, unreachable or errored.\n";

enum {
    OPT_SNI = 1000, OPT_IP, OPT_CA_FILE, OPT_RESOLVER, OPT_FORMAT, OPT_PER_HOST,
    OPT_TIMEOUT, OPT_LEVEL, OPT_NO_COLOR, OPT_LIST_CIPHERS,
    OPT_EXPIRY_WARN, OPT_OFFLINE, OPT_STANDARD, OPT_EXPOSURE, OPT_POLICY, OPT_FAIL_ON, OPT_EXPLAIN,
    OPT_PROFILE, OPT_PROBES
};

static const struct option long_options[] = {
    { "file", required_argument, NULL, 'f' },
    { "sni", required_argument, NULL, OPT_SNI },
    { "ip", required_argument, NULL, OPT_IP },
    { "ca-file", required_argument, NULL, OPT_CA_FILE },
    { "resolver", required_argument, NULL, OPT_RESOLVER },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "output", required_argument, NULL, 'o' },
    { "jobs", required_argument, NULL, 'j' },
    { "per-host", required_argument, NULL, OPT_PER_HOST },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "level", required_argument, NULL, OPT_LEVEL },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { "no-color", no_argument, NULL, OPT_NO_COLOR },
    { "list-ciphers", no_argument, NULL, OPT_LIST_CIPHERS },
    { "expiry-warn", required_argument, NULL, OPT_EXPIRY_WARN },
    { "offline", no_argument, NULL, OPT_OFFLINE },
    { "standard", required_argument, NULL, OPT_STANDARD },
    { "exposure", required_argument, NULL, OPT_EXPOSURE },
    { "policy", required_argument, NULL, OPT_POLICY },
    { "fail-on", required_argument, NULL, OPT_FAIL_ON },
    { "explain", required_argument, NULL, OPT_EXPLAIN },
    { "profile", required_argument, NULL, OPT_PROFILE },
    { "probes", required_argument, NULL, OPT_PROBES },
    { "version", no_argument, NULL, 'V' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static int parse_int(const char *opt, const char *s, long lo, long hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "tlsprobe: %s: '%s' is not a number from %ld to %ld\n", opt, s, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static void set_defaults(options_t *o)
{
    memset(o, 0, sizeof *o);
    o->format = "text";
    o->standard = "asvs-5.0";
    o->fail_on = "fail";
    o->jobs = 16;
    /* Peers stay at or below 5 connections per server (sslyze: 5); 3 is polite and fast. */
    o->per_host = 3;
    o->timeout_s = 5.0;
    o->level = 1;
    o->expiry_warn_days = 30;
    o->color = isatty(STDOUT_FILENO);
}

cli_result_t cli_parse(int argc, char **argv, options_t *opts, target_list_t *targets)
{
    const char *inventories[64];
    size_t ninventories = 0;
    const char *sni = NULL, *ip = NULL;
    bool internal = false;
    char err[512];

    set_defaults(opts);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "f:o:j:qvVh", long_options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (ninventories == sizeof inventories / sizeof *inventories) {
                fprintf(stderr, "tlsprobe: too many -f options\n");
                return CLI_ERROR;
            }
            inventories[ninventories++] = optarg;
            break;
        case OPT_SNI: sni = optarg; break;
        case OPT_IP: ip = optarg; break;
        case OPT_CA_FILE:
            if (access(optarg, R_OK) != 0) {
                fprintf(stderr, "tlsprobe: --ca-file: cannot read '%s'\n", optarg);
                return CLI_ERROR;
            }
            opts->ca_file = optarg;
            break;
        case OPT_RESOLVER: opts->resolver = optarg; break;
        case OPT_FORMAT:
            if (!report_writer_by_name(optarg)) {
                fprintf(stderr, "tlsprobe: --format: unknown format '%s' (known: %s)\n", optarg, report_writer_names());
                return CLI_ERROR;
            }
            opts->format = optarg;
            break;
        case 'o': opts->output_path = optarg; break;
        case 'j':
            if (parse_int("--jobs", optarg, 1, 1024, &opts->jobs))
                return CLI_ERROR;
            break;
        case OPT_PER_HOST:
            if (parse_int("--per-host", optarg, 1, 5, &opts->per_host))
                return CLI_ERROR;
            break;
        case OPT_TIMEOUT: {
            char *end;
            double t = strtod(optarg, &end);
            if (*optarg == '\0' || *end != '\0' || !(t > 0 && t <= 300)) {
                fprintf(stderr, "tlsprobe: --timeout: '%s' is not a number of seconds from 0 to 300\n", optarg);
                return CLI_ERROR;
            }
            opts->timeout_s = t;
            break;
        }
        case OPT_LEVEL:
            if (parse_int("--level", optarg, 1, 3, &opts->level))
                return CLI_ERROR;
            break;
        case 'q': opts->verbosity = -1; break;
        case 'v': opts->verbosity++; break;
        case OPT_NO_COLOR: opts->color = false; break;
        case OPT_EXPIRY_WARN:
            if (parse_int("--expiry-warn", optarg, 0, 3650, &opts->expiry_warn_days))
                return CLI_ERROR;
            break;
        case OPT_OFFLINE: opts->offline = true; break;
        case OPT_STANDARD:
            if (!scoring_standard_valid(optarg)) {
                fprintf(stderr, "tlsprobe: --standard: '%s' is not asvs-5.0, asvs-4.0.3 or all\n", optarg);
                return CLI_ERROR;
            }
            opts->standard = optarg;
            break;
        case OPT_EXPOSURE:
            if (strcmp(optarg, "internal") != 0 && strcmp(optarg, "external") != 0) {
                fprintf(stderr, "tlsprobe: --exposure: '%s' is not external or internal\n", optarg);
                return CLI_ERROR;
            }
            internal = strcmp(optarg, "internal") == 0;
            break;
        case OPT_POLICY:
            opts->policy_path = optarg;
            break;
        case OPT_FAIL_ON:
            if (strcmp(optarg, "fail") != 0 && strcmp(optarg, "manual") != 0 && strcmp(optarg, "waived") != 0 &&
                strcmp(optarg, "none") != 0) {
                fprintf(stderr, "tlsprobe: --fail-on: '%s' is not fail, manual, waived or none\n", optarg);
                return CLI_ERROR;
            }
            opts->fail_on = optarg;
            break;
        case OPT_PROBES:
            if (!(opts->probe_mask = probe_parse_list(optarg, err, sizeof err))) {
                fprintf(stderr, "tlsprobe: --probes: %s\n", err);
                return CLI_ERROR;
            }
            break;
        case OPT_PROFILE:
            if (!profile_known(optarg)) {
                fprintf(stderr, "tlsprobe: --profile: '%s' is not modern, intermediate or old\n", optarg);
                return CLI_ERROR;
            }
            opts->profile = optarg;
            break;
        case OPT_EXPLAIN:
            if (scoring_explain(stdout, optarg) != 0) {
                fprintf(stderr, "tlsprobe: --explain: no requirement '%s' (ASVS 5.0.0 12.1.1-12.3.5, 4.0.3 9.1.1-9.2.5)\n",
                        optarg);
                return CLI_ERROR;
            }
            return CLI_DONE;
        case OPT_LIST_CIPHERS:
            list_ciphers(stdout);
            return CLI_DONE;
        case 'V':
            printf("tlsprobe %s\n", TLSPROBE_VERSION);
            return CLI_DONE;
        case 'h':
            fputs(usage_text, stdout);
            return CLI_DONE;
        default:
            fprintf(stderr, "Try 'tlsprobe --help'.\n");
            return CLI_ERROR;
        }
    }
    if (opts->output_path && strcmp(opts->format, "text") == 0)
        opts->color = false;

    for (int i = optind; i < argc; i++) {
        target_t *t = target_list_add(targets);
        if (!t || target_parse(argv[i], t, err, sizeof err) != 0 ||
            (sni && target_set_sni(t, sni) != 0) ||
            (ip && target_set_ip(t, ip, err, sizeof err) != 0)) {
            fprintf(stderr, "tlsprobe: %s\n", t ? err : "out of memory");
            return CLI_ERROR;
        }
    }
    for (size_t i = 0; i < targets->count; i++)
        targets->items[i].internal = internal;
    for (size_t i = 0; i < ninventories; i++) {
        if (inventory_load(inventories[i], targets, err, sizeof err) != 0) {
            fprintf(stderr, "tlsprobe: %s\n", err);
            return CLI_ERROR;
        }
    }
    if (targets->count == 0) {
        fprintf(stderr, "tlsprobe: no targets given\n%s", usage_text);
        return CLI_ERROR;
    }
    return CLI_RUN;
}
