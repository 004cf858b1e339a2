/* Run-wide options, filled by the CLI and read (never written) by everything after it. */
#ifndef TLSPROBE_OPTIONS_H
#define TLSPROBE_OPTIONS_H

#include <stdbool.h>


typedef struct options {
    const char *format;        /* a report writer's name: "text", "json", ... (report.h) */
    const char *output_path;   /* NULL: stdout */
    const char *resume_path;   /* --resume FILE: an earlier run's JSONL to finish (then also output_path) */
    int jobs;                  /* endpoints × probes worked on at once */
    int per_host;              /* connections at once to one address:port (any server) */
    int rate;                  /* --rate: new TCP connections per second over the run; 0: no cap */
    double timeout_s;          /* deadline of each connect / read / write */
    double endpoint_timeout_s; /* --endpoint-timeout: one endpoint's probes, all together; 0: the
                                * default, options_endpoint_timeout() */
    const char *ca_file;       /* run-wide trust anchors instead of the system store */
    const char *resolver;      /* "IP[:PORT]" DNS server instead of resolv.conf; NULL: system */
    int level;                 /* ASVS level 1..3 */
    int verbosity;             /* -1 quiet, 0 normal, 1+ verbose */
    bool color;
    bool offline;              /* no fetch outside the endpoint itself (OCSP, CRL, AIA) */
    int expiry_warn_days;      /* a leaf expiring within this many days is flagged */
    const char *standard;      /* "asvs-5.0", "asvs-4.0.3" or "all" */
    const char *explain;       /* --explain ID: print the requirement and exit */
    const char *policy_path;   /* --policy FILE: waivers */
    const char *fail_on;       /* --fail-on: what turns the exit status to 1 */
    const char *profile;       /* --profile modern|intermediate|old, NULL: none */
    unsigned long probe_mask;
    unsigned shard_index;      /* --shard K/N: K (0-based) ... */
    unsigned shard_count;      /* ... and N; 0: every target */  /* --probes: bit i selects probe_registry[i]; 0: every probe */
} options_t;

/* The endpoint deadline --endpoint-timeout defaults to, in --timeout's: the slowest well-behaved
 * lab endpoints (a server that hangs on some suites: a timeout per hello it ignores; one that
 * closes on many suites: dozens of connections) take about 5; 8 leaves room for a loaded host. */
#define ENDPOINT_TIMEOUT_FACTOR 8

/* How long one endpoint's probes may take in all, in seconds. */
static inline double options_endpoint_timeout(const options_t *o)
{
    return o->endpoint_timeout_s > 0 ? o->endpoint_timeout_s : ENDPOINT_TIMEOUT_FACTOR * o->timeout_s;
}

#endif
