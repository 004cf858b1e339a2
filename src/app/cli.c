/* Command-line parsing: turns argv into options and a target list, nothing else. One table
 * lists the options; getopt_long's array and the --help text are both made from it. */
#include "cli.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory.h"
#include "list_ciphers.h"
#include "output_check.h"
#include "report.h"
#include "select.h"
#include "shard.h"
#include "probe.h"
#include "profile.h"
#include "scoring.h"
#include "text_echo.h"
#include "version.h"

/* A repeatable option's values. */
typedef struct name_list {
    const char *items[64];
    size_t count;
} name_list_t;

/* What parsing collects: the options, and what only applies to the targets once all are read. */
typedef struct cli_state {
    options_t opts;
    const char *inventories[64];
    size_t ninventories;
    const char *sni, *ip;
    const char *exposure;
    const char *ech_config_list;
    name_list_t tags, exclude_tags;   /* --tag, --exclude-tag */
    bool format_given;
} cli_state_t;

typedef struct cli_option cli_option_t;
/* CLI_RUN: parsing goes on; CLI_DONE: printed what was asked (exit 0); CLI_ERROR: said why. */
typedef cli_result_t (*cli_handler_fn)(const cli_option_t *o, const char *arg, cli_state_t *st);

struct cli_option {
    const char *name;              /* --NAME */
    char short_name;               /* -C, or 0 */
    const char *arg;               /* the argument as --help names it; NULL: takes none */
    const char *help;              /* --help text; each '\n' continues under the help column */
    void (*print_help)(FILE *f);   /* when help is NULL: text made at run time */
    cli_handler_fn handle;
    size_t dest;                   /* offset in cli_state_t of what the set_* handlers write */
    long lo, hi;                   /* accepted range of a number */
    bool (*valid)(const char *);   /* accepted values of set_checked ... */
    const char *expected;          /* ... and the message's "'X' is not <expected>" */
};

#define OPT(member) offsetof(cli_state_t, opts.member)

static void *dest_of(const cli_option_t *o, cli_state_t *st)
{
    return (char *)st + o->dest;
}

static cli_result_t set_string(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    *(const char **)dest_of(o, st) = arg;
    return CLI_RUN;
}

static cli_result_t set_int(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || v < o->lo || v > o->hi) {
        char echo[TEXT_ECHO_SIZE];
        fprintf(stderr, "tlsprobe: --%s: '%s' is not a number from %ld to %ld\n", o->name, text_echo(echo, arg),
                o->lo, o->hi);
        return CLI_ERROR;
    }
    *(int *)dest_of(o, st) = (int)v;
    return CLI_RUN;
}

/* Seconds in (lo, hi]: a deadline of 0 would be none. */
static cli_result_t set_seconds(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    char *end;
    double t = strtod(arg, &end);
    if (*arg == '\0' || *end != '\0' || !(t > (double)o->lo && t <= (double)o->hi)) {
        char echo[TEXT_ECHO_SIZE];
        fprintf(stderr, "tlsprobe: --%s: '%s' is not a number of seconds from %ld to %ld\n", o->name,
                text_echo(echo, arg), o->lo, o->hi);
        return CLI_ERROR;
    }
    *(double *)dest_of(o, st) = t;
    return CLI_RUN;
}

static cli_result_t set_checked(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    if (!o->valid(arg)) {
        char echo[TEXT_ECHO_SIZE];
        fprintf(stderr, "tlsprobe: --%s: '%s' is not %s\n", o->name, text_echo(echo, arg), o->expected);
        return CLI_ERROR;
    }
    return set_string(o, arg, st);
}

static cli_result_t set_true(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    (void)arg;
    *(bool *)dest_of(o, st) = true;
    return CLI_RUN;
}

static cli_result_t set_false(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    (void)arg;
    *(bool *)dest_of(o, st) = false;
    return CLI_RUN;
}

static cli_result_t quiet(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    (void)o, (void)arg;
    st->opts.verbosity = -1;
    return CLI_RUN;
}

static cli_result_t verbose(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    (void)o, (void)arg;
    st->opts.verbosity++;
    return CLI_RUN;
}

static cli_result_t add_inventory(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    (void)o;
    if (st->ninventories == sizeof st->inventories / sizeof *st->inventories) {
        fprintf(stderr, "tlsprobe: too many -f options\n");
        return CLI_ERROR;
    }
    st->inventories[st->ninventories++] = arg;
    return CLI_RUN;
}

static cli_result_t add_name(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    name_list_t *l = dest_of(o, st);
    if (l->count == sizeof l->items / sizeof *l->items) {
        fprintf(stderr, "tlsprobe: --%s: given more than %zu times\n", o->name, l->count);
        return CLI_ERROR;
    }
    l->items[l->count++] = arg;
    return CLI_RUN;
}

/* The index may come from the job engine's environment: read once, here, before any work. */
static cli_result_t set_shard(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    char err[300];
    shard_t sh;
    if (shard_parse(arg, &sh, err, sizeof err) != 0) {
        fprintf(stderr, "tlsprobe: --%s: %s\n", o->name, err);
        return CLI_ERROR;
    }
    st->opts.shard_index = sh.index;
    st->opts.shard_count = sh.count;
    return CLI_RUN;
}

/* Trust anchors are loaded here (and cached for the sweep): a file without a certificate
 * would fail every verification of the run. */
static cli_result_t set_ca_file(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    char err[512];
    if (inventory_check_ca(arg, err, sizeof err) != 0) {
        fprintf(stderr, "tlsprobe: --%s: %s\n", o->name, err);
        return CLI_ERROR;
    }
    return set_string(o, arg, st);
}

static cli_result_t set_sni(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    char err[512];
    if (target_check_sni(arg, err, sizeof err) != 0) {
        fprintf(stderr, "tlsprobe: --%s: %s\n", o->name, err);
        return CLI_ERROR;
    }
    return set_string(o, arg, st);
}

static bool port_valid(const char *p, size_t n)
{
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    return n > 0 && n <= 5 && v >= 1 && v <= 65535;
}

/* One server of --resolver: IP, IP:PORT or [IP]:PORT (c-ares' form); a bare IPv6 address
 * takes no port. */
static bool resolver_item_valid(const char *s, size_t len)
{
    const char *host = s, *port = NULL, *end = s + len;
    size_t hlen = len;
    if (len && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close || (close + 1 < end && close[1] != ':'))
            return false;
        host = s + 1, hlen = (size_t)(close - host);
        port = close + 1 < end ? close + 2 : NULL;
    } else {
        const char *colon = memchr(s, ':', len);
        if (colon && !memchr(colon + 1, ':', (size_t)(end - colon - 1)))
            hlen = (size_t)(colon - s), port = colon + 1;
    }
    char ip[64];
    unsigned char addr[16];
    if (hlen == 0 || hlen >= sizeof ip)
        return false;
    memcpy(ip, host, hlen);
    ip[hlen] = '\0';
    if (inet_pton(AF_INET, ip, addr) != 1 && inet_pton(AF_INET6, ip, addr) != 1)
        return false;
    return !port || port_valid(port, (size_t)(end - port));
}

static cli_result_t set_resolver(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    bool ok = *arg != '\0';
    for (const char *p = arg; ok && *p; p += *p == ',') {
        size_t len = strcspn(p, ",");
        ok = resolver_item_valid(p, len);
        p += len;
        ok = ok && !(*p == ',' && p[1] == '\0');
    }
    if (!ok) {
        char echo[TEXT_ECHO_SIZE];
        fprintf(stderr, "tlsprobe: --%s: '%s' is not IP, IP:PORT or [IPv6]:PORT with a port from 1 to 65535\n",
                o->name, text_echo(echo, arg));
        return CLI_ERROR;
    }
    return set_string(o, arg, st);
}

static cli_result_t set_format(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    if (!report_writer_by_name(arg)) {
        char echo[TEXT_ECHO_SIZE];
        fprintf(stderr, "tlsprobe: --%s: unknown format '%s' (known: %s)\n", o->name, text_echo(echo, arg),
                report_writer_names());
        return CLI_ERROR;
    }
    st->format_given = true;
    return set_string(o, arg, st);
}

static cli_result_t set_probes(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    char err[512] = "an empty list (name the probes to run, see --list-probes)";
    if (!*arg || !(st->opts.probe_mask = probe_parse_list(arg, err, sizeof err))) {
        fprintf(stderr, "tlsprobe: --%s: %s\n", o->name, err);
        return CLI_ERROR;
    }
    return CLI_RUN;
}

static cli_result_t explain(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    (void)st;
    if (scoring_explain(stdout, arg) != 0) {
        /* The ids come from the catalogue, so a new row is named here without an edit. */
        char echo[TEXT_ECHO_SIZE];
        fprintf(stderr, "tlsprobe: --%s: no requirement '%s' (known:", o->name, text_echo(echo, arg));
        for (size_t i = 0; i < requirements_count; i++)
            fprintf(stderr, " %s", requirements[i].id);
        fputs(")\n", stderr);
        return CLI_ERROR;
    }
    return CLI_DONE;
}

static cli_result_t print_ciphers(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    (void)o, (void)arg, (void)st;
    list_ciphers(stdout);
    return CLI_DONE;
}

/* The probe registry: name, what it finds, what it needs first, what it reads after the run. */
static cli_result_t print_probes(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    (void)o, (void)arg, (void)st;
    for (size_t i = 0; i < probe_registry_count; i++) {
        const probe_module_t *p = probe_registry[i];
        printf("%-12s %s", p->name, p->help);
        for (const char *const *need = p->needs; need && *need; need++)
            printf("%s%s", need == p->needs ? " (needs " : ", ", *need);
        for (const char *const *use = p->uses; use && *use; use++)
            printf("%s%s", use == p->uses ? "; reads " : ", ", *use);
        printf("%s\n", p->needs && *p->needs ? ")" : "");
    }
    return CLI_DONE;
}

/* The writer registry: name and what the format holds. */
static cli_result_t print_formats(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    (void)o, (void)arg, (void)st;
    for (size_t i = 0; i < report_writer_count; i++)
        printf("%-12s %s\n", report_writers[i]->name, report_writers[i]->help);
    return CLI_DONE;
}

static cli_result_t print_version(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    (void)o, (void)arg, (void)st;
    printf("tlsprobe %s\n", TLSPROBE_VERSION);
    return CLI_DONE;
}

static cli_result_t print_help(const cli_option_t *o, const char *arg, cli_state_t *st);

static bool exposure_valid(const char *s)
{
    return strcmp(s, "external") == 0 || strcmp(s, "internal") == 0;
}

static bool fail_on_valid(const char *s)
{
    return strcmp(s, "fail") == 0 || strcmp(s, "manual") == 0 || strcmp(s, "waived") == 0 ||
           strcmp(s, "warn") == 0 || strcmp(s, "none") == 0;
}

/* "text, json, ... or html (default text)": the writer registry's names, the first the default. */
static void format_help(FILE *f)
{
    for (size_t i = 0; i < report_writer_count; i++)
        fprintf(f, "%s%s", i == 0 ? "" : i + 1 < report_writer_count ? ", " : " or ", report_writers[i]->name);
    fprintf(f, " (default %s)", report_writers[0]->name);
}

/* In --help order. */
static const cli_option_t options[] = {
    { "file", 'f', "FILE", "read targets from a YAML inventory (see targets.example.yaml)",
      .handle = add_inventory },
    { "tag", 0, "TAG", "probe only targets with this tag (repeatable: any of them);\na group's name is a tag",
      .handle = add_name, .dest = offsetof(cli_state_t, tags) },
    { "exclude-tag", 0, "TAG", "skip targets with this tag (repeatable)", .handle = add_name,
      .dest = offsetof(cli_state_t, exclude_tags) },
    { "shard", 0, "K/N", "probe only shard K (0 to N-1) of N, split by a hash of each\ntarget; env/N: K from "
      "JOB_COMPLETION_INDEX or\nSLURM_ARRAY_TASK_ID", .handle = set_shard },
    { "sni", 0, "NAME", "server name to send (command-line targets)", .handle = set_sni,
      .dest = offsetof(cli_state_t, sni) },
    { "ip", 0, "ADDR", "probe ADDR instead of resolving the name (command-line targets)", .handle = set_string,
      .dest = offsetof(cli_state_t, ip) },
    { "ech-config-list", 0, "FILE|BASE64", "ECHConfigList to try ECH with (command-line targets;\nelse the DNS HTTPS records' ech)",
      .handle = set_string, .dest = offsetof(cli_state_t, ech_config_list) },
    { "ca-file", 0, "PEM", "trust these CAs instead of the system store", .handle = set_ca_file,
      .dest = OPT(ca_file) },
    { "resolver", 0, "IP[:PORT]", "DNS server to ask instead of /etc/resolv.conf", .handle = set_resolver,
      .dest = OPT(resolver) },
    { "format", 0, "FORMAT", .print_help = format_help, .handle = set_format, .dest = OPT(format) },
    { "output", 'o', "FILE", "write the report to FILE (atomically; jsonl: in place, line\nby line, as the sweep runs) instead of stdout", .handle = set_string,
      .dest = OPT(output_path) },
    { "resume", 0, "FILE", "finish an earlier, interrupted run's JSONL report FILE: probe\nonly the targets it lacks and append them (-o FILE --format jsonl)",
      .handle = set_string, .dest = OPT(resume_path) },
    { "jobs", 'j', "N", "probes running at once over all endpoints (default 16)", .handle = set_int,
      .dest = OPT(jobs), .lo = 1, .hi = 1024 },
    { "per-host", 0, "N", "connections at once to one address:port: an endpoint, its\nhttp_port, an OCSP, CRL or caIssuers server (default 3, max 5)", .handle = set_int,
      .dest = OPT(per_host), .lo = 1, .hi = 5 },
    { "rate", 0, "N", "at most N new connections per second over the whole run\n(default: no limit)",
      .handle = set_int, .dest = OPT(rate), .lo = 1, .hi = 100000 },
    { "timeout", 0, "SECONDS", "deadline of each connect, read and write (default 5)", .handle = set_seconds,
      .dest = OPT(timeout_s), .lo = 0, .hi = 300 },
    { "endpoint-timeout", 0, "SECONDS", "deadline of all of one endpoint's probes together; the\nprobes unfinished then end in error (default 8 x --timeout)",
      .handle = set_seconds, .dest = OPT(endpoint_timeout_s), .lo = 0, .hi = 86400 },
    { "level", 0, "1|2|3", "ASVS level to score against (default 1)", .handle = set_int, .dest = OPT(level),
      .lo = 1, .hi = 3 },
    { "standard", 0, "S", "asvs-5.0 (default), asvs-4.0.3 or all", .handle = set_checked,
      .dest = OPT(standard), .valid = scoring_standard_valid, .expected = "asvs-5.0, asvs-4.0.3 or all" },
    { "exposure", 0, "E", "external (default) or internal, for command-line targets", .handle = set_checked,
      .dest = offsetof(cli_state_t, exposure), .valid = exposure_valid, .expected = "external or internal" },
    { "policy", 0, "FILE", "waivers (YAML): accepted failures with a reason and an end date",
      .handle = set_string, .dest = OPT(policy_path) },
    { "fail-on", 0, "WHAT",
      "what makes the exit status 1: fail (default), manual (FAIL or\nMANUAL), waived (FAIL or WAIVED), "
      "warn (FAIL or a\nwarning, e.g. --expiry-warn), none",
      .handle = set_checked, .dest = OPT(fail_on), .valid = fail_on_valid,
      .expected = "fail, manual, waived, warn or none" },
    { "explain", 0, "ID", "print a requirement, what tlsprobe checks and how it decides", .handle = explain },
    { "profile", 0, "P", "list deviations from Mozilla's modern, intermediate or old profile",
      .handle = set_checked, .dest = OPT(profile), .valid = profile_known,
      .expected = "modern, intermediate or old" },
    { "probes", 0, "LIST", "run only these probes (and what they need), e.g. versions,ciphers",
      .handle = set_probes },
    { "expiry-warn", 0, "DAYS", "warn of leaves expiring within DAYS (default 30)", .handle = set_int,
      .dest = OPT(expiry_warn_days), .lo = 0, .hi = 3650 },
    { "offline", 0, NULL, "no OCSP, CRL or AIA fetches (revocation is not checked)", .handle = set_true,
      .dest = OPT(offline) },
    { "quiet", 'q', NULL, "no progress on stderr", .handle = quiet },
    { "verbose", 'v', NULL, "more progress on stderr", .handle = verbose },
    { "no-color", 0, NULL, "no ANSI colours in the text report", .handle = set_false, .dest = OPT(color) },
    { "list-ciphers", 0, NULL, "print every cipher suite tlsprobe knows, with its label",
      .handle = print_ciphers },
    { "list-probes", 0, NULL, "print every probe, what it finds and what it needs", .handle = print_probes },
    { "list-formats", 0, NULL, "print every report format", .handle = print_formats },
    { "version", 'V', NULL, "print the version", .handle = print_version },
    { "help", 'h', NULL, "print this help", .handle = print_help },
};
enum { NOPTIONS = sizeof options / sizeof *options, LONG_ONLY = 1000, HELP_COLUMN = 25 };

static const char usage_head[] =
    "usage: tlsprobe [options] TARGET...\n"
    "       tlsprobe [options] -f INVENTORY.yaml [--tag T] [--shard K/N]\n"
    "       tlsprobe validate [--policy FILE] INVENTORY.yaml...\n"
    "\n"
    "TARGET: host, host:port, 1.2.3.4:port, [::1]:port or https://host[:port]/ (port 443)\n"
    "\n";
static const char usage_tail[] =
    "\n"
    "Exit status: 0 all requirements passed, 1 a requirement failed,\n"
    "2 usage or configuration error, 3 a target was unresolved, unreachable or errored,\n"
    "or the sweep was interrupted (the report is marked incomplete).\n";

/* "  -f, --file FILE", then the help from HELP_COLUMN (two spaces after a longer left side). */
static void usage_option(FILE *f, const cli_option_t *o)
{
    char left[64];
    int n = snprintf(left, sizeof left, "  %c%c%c --%s%s%s", o->short_name ? '-' : ' ',
                     o->short_name ? o->short_name : ' ', o->short_name ? ',' : ' ', o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
    fprintf(f, "%-*s%s", HELP_COLUMN - 1, left, n < HELP_COLUMN ? " " : "  ");
    if (!o->help) {
        o->print_help(f);
        fputc('\n', f);
        return;
    }
    for (const char *line = o->help, *nl;; line = nl + 1) {
        nl = strchr(line, '\n');
        fprintf(f, "%.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
        if (!nl)
            break;
        fprintf(f, "%*s", HELP_COLUMN, "");
    }
}

static void usage(FILE *f)
{
    fputs(usage_head, f);
    for (size_t i = 0; i < NOPTIONS; i++)
        usage_option(f, &options[i]);
    fputs(usage_tail, f);
}

static cli_result_t print_help(const cli_option_t *o, const char *arg, cli_state_t *st)
{
    (void)o, (void)arg, (void)st;
    usage(stdout);
    return CLI_DONE;
}

void cli_set_defaults(options_t *o)
{
    memset(o, 0, sizeof *o);
    o->format = report_writers[0]->name;
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

/* getopt_long's view of the table: a short option returns its letter, a long-only one
 * LONG_ONLY + its index. */
static void getopt_tables(struct option *longopts, char *shortopts)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        const cli_option_t *o = &options[i];
        int val = o->short_name ? o->short_name : LONG_ONLY + (int)i;
        longopts[i] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL, val };
        if (o->short_name) {
            *shortopts++ = o->short_name;
            if (o->arg)
                *shortopts++ = ':';
        }
    }
    longopts[NOPTIONS] = (struct option){ NULL, 0, NULL, 0 };
    *shortopts = '\0';
}

static const cli_option_t *option_of(int c)
{
    if (c >= LONG_ONLY && c < LONG_ONLY + NOPTIONS)
        return &options[c - LONG_ONLY];
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].short_name == c)
            return &options[i];
    return NULL;    /* '?': getopt_long said what was wrong */
}

static cli_result_t parse_options(int argc, char **argv, cli_state_t *st)
{
    struct option longopts[NOPTIONS + 1];
    char shortopts[2 * NOPTIONS + 1];
    getopt_tables(longopts, shortopts);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const cli_option_t *o = option_of(c);
        if (!o) {
            fprintf(stderr, "Try 'tlsprobe --help'.\n");
            return CLI_ERROR;
        }
        cli_result_t r = o->handle(o, optarg, st);
        if (r != CLI_RUN)
            return r;
    }
    return CLI_RUN;
}

/* --tag, --exclude-tag, then --shard. A selection that leaves nothing is a mistake; an empty
 * shard is not (more shards than targets), and gives an empty report. */
static cli_result_t select_targets(const cli_state_t *st, target_list_t *targets)
{
    size_t loaded = targets->count;
    tag_selection_t sel = { st->tags.items, st->tags.count, st->exclude_tags.items, st->exclude_tags.count };
    if ((sel.ntags || sel.nexclude) && target_list_filter(targets, target_selected, &sel) == 0) {
        fprintf(stderr, "tlsprobe: --tag/--exclude-tag selected none of the %zu targets\n", loaded);
        return CLI_ERROR;
    }
    size_t selected = targets->count;
    shard_t shard = { st->opts.shard_index, st->opts.shard_count };
    if (shard.count)
        target_list_filter(targets, target_in_shard, &shard);
    if (st->opts.verbosity > 0 && targets->count != loaded)
        fprintf(stderr, "tlsprobe: probing %zu of %zu targets (%zu selected by tag, shard %u/%u)\n", targets->count,
                loaded, selected, shard.index, shard.count ? shard.count : 1);
    return CLI_RUN;
}

/* Duplicates are named up to this many times, then counted. */
enum { DUPLICATES_SHOWN = 20 };

typedef struct dup_note {
    const char *prefix;
    size_t count;
} dup_note_t;

/* "FILE:LINE: warning: ..." (or "command line: ..."), the place an editor jumps to first. */
static void note_duplicate(void *arg, const target_t *first, const target_t *again, bool left_out)
{
    dup_note_t *d = arg;
    if (d->count++ >= DUPLICATES_SHOWN)
        return;
    char id[1024], echo[TEXT_ECHO_SIZE], echo_first[TEXT_ECHO_SIZE];
    target_identity(again, id, sizeof id);
    const char *where = again->origin ? again->origin : "command line";
    const char *first_where = first->origin ? first->origin : "command line";
    if (left_out)
        fprintf(stderr, "%s%s: warning: target '%s' repeats '%s' (%s): both are %s; probed and reported once\n",
                d->prefix, where, text_echo(echo, again->spec), text_echo(echo_first, first->spec), first_where, id);
    else
        fprintf(stderr,
                "%s%s: warning: target '%s' has the report id of '%s' (%s), %s, with other settings: both are "
                "probed, but --resume, diff and merge take endpoints of one id for one (a distinct sni or ip "
                "tells them apart)\n",
                d->prefix, where, text_echo(echo, again->spec), text_echo(echo_first, first->spec), first_where, id);
}

size_t cli_dedupe_targets(target_list_t *targets, const char *prefix)
{
    dup_note_t d = { prefix, 0 };
    size_t n = target_list_dedupe(targets, note_duplicate, &d);
    if (n != (size_t)-1 && d.count > DUPLICATES_SHOWN)
        fprintf(stderr, "%s... and %zu more repeated targets or shared report ids\n", prefix, d.count - DUPLICATES_SHOWN);
    return n;
}

/* Command-line targets (with --sni, --ip, --exposure), then the inventories' targets. */
static cli_result_t collect_targets(int argc, char **argv, const cli_state_t *st, target_list_t *targets)
{
    char err[512];
    for (int i = optind; i < argc; i++) {
        target_t *t = target_list_add(targets);
        if (!t || target_parse(argv[i], t, err, sizeof err) != 0 ||
            (st->sni && target_set_sni(t, st->sni) != 0) ||
            (st->ip && target_set_ip(t, st->ip, err, sizeof err) != 0) ||
            (st->ech_config_list &&
             target_set_ech_config_list(t, st->ech_config_list, NULL, "option", err, sizeof err) != 0)) {
            fprintf(stderr, "tlsprobe: %s\n", t ? err : "out of memory");
            return CLI_ERROR;
        }
    }
    bool internal = st->exposure && strcmp(st->exposure, "internal") == 0;
    for (size_t i = 0; i < targets->count; i++)
        targets->items[i].internal = internal;
    /* Every inventory error at once, before anything is resolved or probed. */
    inventory_errors_t errs = { 0 };
    for (size_t i = 0; i < st->ninventories; i++)
        inventory_load_all(st->inventories[i], targets, &errs, NULL);
    bool bad = errs.count || errs.dropped;
    inventory_errors_print(stderr, "tlsprobe: ", &errs);
    inventory_errors_free(&errs);
    if (bad)
        return CLI_ERROR;
    if (cli_dedupe_targets(targets, "tlsprobe: ") == (size_t)-1) {
        fprintf(stderr, "tlsprobe: out of memory\n");
        return CLI_ERROR;
    }
    if (targets->count == 0) {
        fprintf(stderr, "tlsprobe: no targets given\n");
        usage(stderr);
        return CLI_ERROR;
    }
    return select_targets(st, targets);
}

/* --resume FILE is -o FILE --format jsonl; another file or format is a contradiction. */
static cli_result_t resume_implies(cli_state_t *st)
{
    options_t *o = &st->opts;
    if (!o->resume_path)
        return CLI_RUN;
    if (o->output_path && strcmp(o->output_path, o->resume_path) != 0) {
        fprintf(stderr, "tlsprobe: --resume %s appends to that file: -o %s names another\n", o->resume_path,
                o->output_path);
        return CLI_ERROR;
    }
    if (st->format_given && strcmp(o->format, "jsonl") != 0) {
        fprintf(stderr, "tlsprobe: --resume reads and appends JSONL: --format %s contradicts it\n", o->format);
        return CLI_ERROR;
    }
    o->output_path = o->resume_path;
    o->format = "jsonl";
    return CLI_RUN;
}

/* -o naming an input (an inventory, the policy, the trust anchors) would replace it with the
 * report. --resume's file is its output on purpose. */
static cli_result_t output_not_input(const cli_state_t *st)
{
    const options_t *o = &st->opts;
    output_input_t inputs[sizeof st->inventories / sizeof *st->inventories + 2];
    size_t n = 0;
    for (size_t i = 0; i < st->ninventories; i++)
        inputs[n++] = (output_input_t){ "the inventory", st->inventories[i] };
    inputs[n++] = (output_input_t){ "the policy", o->policy_path };
    inputs[n++] = (output_input_t){ "the --ca-file", o->ca_file };
    if (o->resume_path)
        return CLI_RUN;
    return output_not_an_input("tlsprobe: ", o->output_path, inputs, n) == 0 ? CLI_RUN : CLI_ERROR;
}

cli_result_t cli_parse(int argc, char **argv, options_t *opts, target_list_t *targets)
{
    cli_state_t st = { 0 };
    cli_set_defaults(&st.opts);
    cli_result_t r = parse_options(argc, argv, &st);
    if (r == CLI_RUN)
        r = resume_implies(&st);
    if (r == CLI_RUN)
        r = output_not_input(&st);
    /* Colour is for a terminal; only the text report uses it. */
    if (st.opts.output_path)
        st.opts.color = false;
    *opts = st.opts;
    return r == CLI_RUN ? collect_targets(argc, argv, &st, targets) : r;
}
