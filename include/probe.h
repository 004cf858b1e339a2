/* Probe modules, declared as structs in one registry (probes/registry.c), the way zmap
 * declares its probe modules. A probe records facts into a JSON object; it never prints
 * and never decides pass/fail. Its outcome is its run function's return value and ctx->err:
 * the scheduler alone turns them into the facts' "status" and "error". */
#ifndef TLSPROBE_PROBE_H
#define TLSPROBE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "endpoint.h"
#include "render.h"

typedef enum {
    PROBE_OK,            /* facts recorded */
    PROBE_ERROR,         /* could not complete; ctx->err says why, partial facts kept */
    PROBE_UNREACHABLE    /* not a single connection could be made */
} probe_status_t;

/* Room for why a probe failed: the certificate probe's handshake error with what followed it
 * is the longest. */
#define PROBE_ERR_LEN 400

struct probe_fanout_host;
struct probe_fanout_call;

typedef struct probe_ctx {
    endpoint_t *ep;          /* read-only for probes, except through the helpers below */
    json_object *out;        /* the probe's own facts object (already created, empty) */
    char err[PROBE_ERR_LEN]; /* why it failed: the facts' "error" (probe_status_here) */
    bool tcp_reached;        /* a TCP connection was made, even if STARTTLS then failed */
    bool answered;           /* an after_silence probe got an answer: the endpoint is reachable */
    /* The scheduler's, for probe_fanout; NULL (outside the scheduler, or in a task): a probe's
     * tasks run one after another on its own thread. */
    struct probe_fanout_host *fanout;
    /* In a task of probe_fanout: the call it belongs to (probe_fanout_grow); else NULL. */
    struct probe_fanout_call *call;
} probe_ctx_t;

/* One task of probe_fanout: task is its own context (the probe's endpoint, out NULL, its own
 * err), i its index. */
typedef void (*probe_task_fn)(probe_ctx_t *task, void *arg, size_t i);

/* One probe_fanout call, as its tasks see it: grow makes its tasks n (more than before). */
typedef struct probe_fanout_call {
    bool (*grow)(struct probe_fanout_call *call, size_t n);
} probe_fanout_call_t;

/* The scheduler's side of probe_fanout (scheduler.c). */
typedef struct probe_fanout_host {
    void (*run)(struct probe_fanout_host *host, probe_ctx_t *ctx, size_t n, probe_task_fn fn, void *arg,
                const double *hellos);
} probe_fanout_host_t;

/* Runs fn for every i in [0, n) and returns once all have returned: on the calling thread and,
 * at the same time, on idle workers while the endpoint's address:port has per-host slots free
 * (a task holds one while it runs), so that a long chain of hellos is split over the endpoint's
 * connection budget instead of waiting round trip after round trip. Tasks are taken in index
 * order: put the longest first. hellos[i] (NULL: 1 each) is how many hellos task i is expected
 * to send one after another: of the tasks waiting on an endpoint, the longest starts first, so
 * that short ones fill the gaps at the end. Each writes only its own part of arg (results must
 * never depend on how many ran at once) and runs under the endpoint's deadline. The tasks'
 * tcp_reached and answered are ORed into ctx; their err is theirs to copy into arg. */
void probe_fanout(probe_ctx_t *ctx, size_t n, probe_task_fn fn, void *arg, const double *hellos);

/* From a task: the call it belongs to now has n tasks, more than before (a chain that turned
 * out longer than planned hands its rest to new tasks). Tasks [old n, n) run as part of the
 * call, which returns only once they are done too; arg and hellos must already hold them.
 * false (out of memory, or not in a task): they will not run. */
bool probe_fanout_grow(probe_ctx_t *task, size_t n);

typedef struct probe_module {
    const char *name;                 /* key of its facts in the report */
    const char *help;                 /* one line for --help / man */
    const char *const *needs;         /* probes that must finish first (NULL-terminated), or NULL */
    /* Probes selected with it (--probes) whose facts it reads, if they ran, only once all of the
     * endpoint's probes are done (an endpoint finaliser, endpoint.h): not waited for. */
    const char *const *uses;
    probe_status_t (*run)(probe_ctx_t *ctx);
    /* Hellos its run is expected to send one after another (a full handshake counts 1.5; one
     * that fans its chains out, probe_fanout: the longest it would run unsplit): the scheduler
     * starts the longest chains first, so that the short ones fill the gaps at the end. */
    double chain;
    /* It splits its chains into tasks (probe_fanout) right after it starts: until then the
     * endpoint's probes that cannot are not started (the tasks may be longer). */
    bool fans_out;
    /* Work it may start before the probes it needs are done, in a per-host slot that would
     * otherwise idle meanwhile (while the versions probe's first hello goes alone, which
     * --jobs 1 never allows): at most one connection that takes no longer than that hello,
     * kept on the endpoint for run. Only what run then does whatever its needs show, and counted
     * when run takes it, so that facts and connection counts never depend on whether it ran.
     * NULL: none. At most once; never after run started. */
    void (*prefetch)(probe_ctx_t *ctx);
    /* Still runs when the probes that need nothing found the endpoint unreachable although
     * connections were made (it answered no TLS hello, "unresponsive"): a port that speaks only
     * a cleartext protocol waits for the client's first words. */
    bool after_silence;
    /* How its facts appear in the text and HTML reports (render.h); NULL: not in that
     * format. A probe declares them next to run, defined in probes/<name>_render.c:
     *     render_text_fn versions_render_text;
     *     render_html_fn versions_render_html;
     *     ... .run = versions_run, .render_text = versions_render_text,
     *         .render_html = versions_render_html,
     * The writers call them for every endpoint, facts NULL when the probe did not run. */
    render_text_fn *render_text;
    render_html_fn *render_html;
} probe_module_t;

extern const probe_module_t *const probe_registry[];
extern const size_t probe_registry_count;
/* The registry index of a probe, or -1. */
int probe_index(const char *name);
/* Whether the run selected probe i (--probes), needs included. */
bool probe_selected(const options_t *opts, size_t i);
/* Parses "versions,ciphers": the mask of those probes and every probe they need. 0 with a
 * message in err when a name is unknown. */
unsigned long probe_parse_list(const char *list, char *err, size_t errlen);

/* The scheduler writes each probe's "status" ("ok" for PROBE_OK, else "error") and, when it
 * failed, its "error" (ctx->err; "unknown error" when empty) first in its facts. A probe whose
 * facts show them further down calls this at that point: "status" goes there, "error" right
 * after it. */
void probe_status_here(probe_ctx_t *ctx);
/* For a probe whose "error" is a fact whatever the outcome: "error" goes here, holding ctx->err
 * (null when empty and the probe succeeded), before "status" wherever that goes. */
void probe_error_here(probe_ctx_t *ctx);

/* Opens a TCP connection to the endpoint (counted, deadline from options), and for STARTTLS
 * services negotiates the upgrade. Returns fd or -1 with ctx->err set. */
int probe_connect(probe_ctx_t *ctx);
/* PROBE_ERROR when a TCP connection was made (a STARTTLS refusal is a finding), else
 * PROBE_UNREACHABLE: what a probe returns when no TLS connection could be had. */
probe_status_t probe_no_connection(const probe_ctx_t *ctx);

/* The versions the versions probe saw accepted, as a mask of probe_version_bit(); 0 when it
 * accepted none or has not run. */
unsigned probe_versions_accepted(endpoint_t *ep);
/* A wire version's bit in that mask (WIRE_SSL2 .. WIRE_TLS13); 0 for any other. */
unsigned probe_version_bit(uint16_t version);
/* Whether the versions probe saw this wire version (WIRE_TLS12, ...) accepted. */
bool probe_version_accepted(endpoint_t *ep, uint16_t version);
/* The hellos a chain may take in one piece (src/engine/chain_budget.c): the connections the
 * endpoint's selected probes are expected to take after versions, by the versions it accepts,
 * shared by --per-host; at least 6. A longer chain is cut into parts of about this length. */
double probe_chain_budget(endpoint_t *ep);

#endif
