/* groups: the key exchange groups the endpoint accepts, and whose order picks among them.
 * - TLS 1.3: every named group (classical, finite-field and post-quantum hybrids), found by
 *   offering the not-yet-found groups with an empty key_share list: the server names its
 *   choice in a HelloRetryRequest, so no key is needed even for groups OpenSSL lacks.
 * - TLS <= 1.2: the ECDHE curves, read from the ServerKeyExchange, offer-and-remove, the
 *   certificate's curve kept offered where an ECDSA certificate needs it.
 *   Both walks (src/engine/group_walk.c) hold on servers that drop hellos of some shapes, close
 *   instead of refusing, or close on a suite they list but cannot serve; what no answer
 *   decides is reported undecided with the reason, never refused.
 * - DHE: the server's own prime (no FFDHE group offered); a server that serves DHE only to
 *   hellos listing FFDHE groups (RFC 7919) gets them, and the FFDHE groups it uses are found
 *   by offer-and-remove.
 * The three run at the same time as probe_fanout tasks and, from --per-host 4 on, each walk is
 * split into parts (one fewer than --per-host; group_split.h): at internet latency the probe
 * then takes about the round trips of its longest part plus one or two for the order, not one
 * per group found. Cost: a refusal per part (one in all sequentially) and, on a server with
 * its own order, a hello per boundary between parts with finds (and one per group where a
 * boundary fails); unsplit, the sequential walks' exactly. The facts are the sequential
 * walks' on every server: where one misbehaved, the sequential engine decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dh_groups.h"
#include "group_split.h"
#include "group_walk.h"
#include "hello_memo.h"
#include "hello_profile.h"
#include "probe.h"
#include "probe_raw.h"
#include "iana.h"
#include "tls_raw.h"
#include "wire.h"

#define MAX_CODES HELLO_MAX_CODES
/* RFC 7919 defines five groups. */
#define MAX_FFDHE 8

static json_object *group_name_json(uint16_t code)
{
    const iana_group_t *g = iana_group_by_code(code);
    char hex[8];
    snprintf(hex, sizeof hex, "0x%04X", code);
    return json_object_new_string(g ? g->name : hex);
}

static bool contains(const uint16_t *v, size_t n, uint16_t code)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == code)
            return true;
    return false;
}

static json_object *names_json(const uint16_t *codes, size_t n)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, group_name_json(codes[i]));
    return a;
}

/* The accepted groups: in the server's order when it has its own, else in ours. */
static json_object *accepted_json(const group_walk_t *w)
{
    if (w->server_order == 1)
        return names_json(w->found, w->nfound);
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < w->norder; i++)
        if (contains(w->found, w->nfound, w->order[i]))
            json_object_array_add(a, group_name_json(w->order[i]));
    return a;
}

static json_object *server_order_json(const group_walk_t *w)
{
    return w->server_order < 0 ? NULL : json_object_new_boolean(w->server_order == 1);
}

/* The server's favourite: its first pick from everything, known only when it has its own order. */
static json_object *preferred_json(const group_walk_t *w)
{
    return w->server_order == 1 && w->nfound ? group_name_json(w->found[0]) : NULL;
}

/* [{name, reason}] in our order. */
static json_object *undecided_json(const group_walk_t *w)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < w->norder; i++)
        for (size_t j = 0; j < w->nundecided; j++)
            if (w->undecided[j].code == w->order[i]) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", group_name_json(w->order[i]));
                json_object_object_add(o, "reason", json_object_new_string(w->undecided[j].why));
                json_object_array_add(a, o);
            }
    return a;
}

/* The suite the versions probe saw this version accept, when its key exchange is kx (NULL:
 * any); 0 otherwise. Offered alone when a hello with every suite is closed on. */
static uint16_t version_pick(endpoint_t *ep, uint16_t version, const char *kx)
{
    json_object *v = endpoint_probe_facts(ep, "versions"), *list = NULL;
    if (!v || !json_object_object_get_ex(v, "protocols", &list) || !json_object_is_type(list, json_type_array))
        return 0;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *e = json_object_array_get_idx(list, i), *name, *cipher;
        if (!json_object_object_get_ex(e, "name", &name) ||
            strcmp(json_object_get_string(name), wire_version_name(version)) != 0 ||
            !json_object_object_get_ex(e, "cipher", &cipher) || !json_object_is_type(cipher, json_type_string))
            continue;
        const iana_suite_t *s = iana_suite_by_name(json_object_get_string(cipher));
        return s && (!kx || strcmp(s->kx, kx) == 0) ? s->code : 0;
    }
    return 0;
}

static group_walk_t *tls13_walk(gw_run_t *run)
{
    uint16_t groups[MAX_CODES], suites[MAX_CODES];
    size_t n = hello_usable_groups(WIRE_TLS13, groups, MAX_CODES);
    size_t nsuites = iana_suites_for_version(WIRE_TLS13, suites, MAX_CODES);
    group_walk_t *w = gw_new(WIRE_TLS13, groups, n, suites, nsuites < MAX_CODES ? nsuites : MAX_CODES,
                             version_pick(run->ctx->ep, WIRE_TLS13, NULL));
    if (!w)
        snprintf(run->error, sizeof run->error, "TLSv1.3 groups: out of memory");
    return w;
}

static json_object *tls13_json(const group_walk_t *w)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "accepted", accepted_json(w));
    json_object_object_add(o, "preferred", preferred_json(w));
    json_object_object_add(o, "server_order", server_order_json(w));
    json_object_object_add(o, "undecided", undecided_json(w));
    return o;
}

/* Highest version up to TLS 1.2 the versions probe saw accepted, with the registry's suites
 * of that key exchange ("ECDHE", "DHE", anonymous ones too: they exchange keys all the same)
 * for it. Taken from the registry, not from the ciphers probe, so this probe runs alongside
 * it and its result does not depend on which finished first. */
static uint16_t version_with(endpoint_t *ep, const char *kx, uint16_t *suites, size_t *nsuites)
{
    static const uint16_t order[] = { WIRE_TLS12, WIRE_TLS11, WIRE_TLS10, WIRE_SSL3 };
    *nsuites = 0;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        if (!probe_version_accepted(ep, order[i]))
            continue;
        uint16_t all[MAX_CODES];
        size_t n = iana_suites_for_version(order[i], all, MAX_CODES);
        for (size_t j = 0; j < n && j < MAX_CODES; j++) {
            const iana_suite_t *rs = iana_suite_by_code(all[j]);
            if (rs && strcmp(rs->kx, kx) == 0)
                suites[(*nsuites)++] = rs->code;
        }
        return *nsuites ? order[i] : 0;
    }
    return 0;
}

static bool is_ecdhe_curve(uint16_t code)
{
    const iana_group_t *g = iana_group_by_code(code);
    return g && strcmp(g->kind, "ecdhe") == 0 && strstr(g->name, "tls13") == NULL && code < 0xFF01;
}

/* Every group of this kind a client could offer in this version, in the hello's order. */
static size_t usable_of_kind(uint16_t version, bool ecdhe, uint16_t *out)
{
    uint16_t all[MAX_CODES];
    size_t nall = hello_usable_groups(version, all, MAX_CODES), n = 0;
    for (size_t i = 0; i < nall; i++) {
        const iana_group_t *g = iana_group_by_code(all[i]);
        if (ecdhe ? is_ecdhe_curve(all[i]) : g && strcmp(g->kind, "ffdhe") == 0)
            out[n++] = all[i];
    }
    return n;
}

/* The tls12_curves* facts, each NULL when no curve was accepted nor left undecided. */
typedef struct curves_facts {
    json_object *accepted, *server_order, *preferred, *undecided, *never_chosen, *certificate_curve;
} curves_facts_t;

static group_walk_t *curves_walk(gw_run_t *run, uint16_t version, const uint16_t *suites, size_t nsuites)
{
    uint16_t curves[MAX_CODES];
    size_t n = usable_of_kind(version, true, curves);
    group_walk_t *w = gw_new(version, curves, n, suites, nsuites, version_pick(run->ctx->ep, version, "ECDHE"));
    if (!w)
        snprintf(run->error, sizeof run->error, "ECDHE curves: out of memory");
    return w;
}

static void curves_json(const group_walk_t *w, curves_facts_t *cf)
{
    uint16_t never[GW_MAX];
    if (w->nfound || w->nundecided) {
        size_t nnever = gw_never_chosen(w, never);
        cf->accepted = accepted_json(w);
        cf->server_order = server_order_json(w);
        cf->preferred = preferred_json(w);
        cf->undecided = undecided_json(w);
        cf->never_chosen = names_json(never, nnever);
        cf->certificate_curve = w->kept ? group_name_json(w->kept) : NULL;
    }
}

/* ------------------------------------------------------------------ DHE */

/* Where a run of DH hellos stands: the suites' chunk the shape allows, or the fallback. */
typedef struct dh_walk {
    uint16_t version;
    const uint16_t *suites;
    size_t nsuites, at;
    uint16_t fallback;          /* the versions probe's DHE pick; 0: none */
    bool on_fallback;
    uint16_t curves[MAX_CODES]; /* offered in every hello, as clients do */
    size_t ncurves;
} dh_walk_t;

/* A DHE ServerKeyExchange seen. */
typedef struct dh_seen {
    unsigned bits;
    const char *name;           /* a published group's name, or NULL */
    uint16_t ffdhe;             /* the RFC 7919 group's code, or 0 */
} dh_seen_t;

static size_t suites_offered(const hello_profile_t *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->opts.nsuites; i++)
        n += p->opts.suites[i] != IANA_SCSV_EMPTY_RENEGOTIATION_INFO;
    return n;
}

/* One DH hello: the flight is needed (the prime), so never a kept answer. */
static tls_raw_outcome_t dh_exchange(gw_run_t *run, tls_raw_result_t *r)
{
    run->connections++;
    tls_raw_outcome_t o = probe_raw_hello(run->ctx, &run->p->opts, r);
    hello_shape_note(&run->shape, run->p, o);
    bool walk = hello_shape_unanswered(o) && hello_shape_may_walk(&run->shape) && !hello_shape_known(&run->shape, run->p);
    if (run->no_walk && (walk || o == TLS_RAW_CONNECT_FAILED || o == TLS_RAW_LOCAL_ERROR)) {
        gw_bail(run); /* run again after the walks before it */
        return o;
    }
    if (walk) {
        hello_answer_t a;
        o = hello_shape_walk(run->ctx, &run->shape, run->p, HELLO_KEEP_GROUPS, &a, r, &run->connections, &run->reused);
        if (o == TLS_RAW_ACCEPTED && !r->flight.have_server_hello) {
            tls_raw_result_free(r); /* a kept answer: no prime in it */
            run->connections++;
            o = probe_raw_hello(run->ctx, &run->p->opts, r);
        }
    }
    return o;
}

/* Offers the DHE suites with the curves and these FFDHE groups: the next chunk of suites when
 * the shape cut them and the hello was refused; the versions probe's DHE pick alone when it
 * was closed on. True with *s filled when a DHE ServerKeyExchange came. */
static bool dh_ask(gw_run_t *run, dh_walk_t *d, const uint16_t *ffdhe, size_t nffdhe, dh_seen_t *s)
{
    for (;;) {
        uint16_t groups[MAX_CODES + MAX_FFDHE];
        memcpy(groups, d->curves, d->ncurves * sizeof *groups);
        if (nffdhe)
            memcpy(groups + d->ncurves, ffdhe, nffdhe * sizeof *groups);
        hello_profile_init(run->p, run->ctx->ep->sni, d->version);
        hello_profile_set_groups(run->p, groups, d->ncurves + nffdhe, false);
        hello_shape_fit(&run->shape, run->p, d->on_fallback ? &d->fallback : d->suites + d->at,
                        d->on_fallback ? 1 : d->nsuites - d->at, HELLO_KEEP_GROUPS);
        tls_raw_result_t r;
        tls_raw_outcome_t o = dh_exchange(run, &r);
        size_t k = suites_offered(run->p);
        const wire_ske_t *ske = &r.flight.ske;
        bool dhe = o == TLS_RAW_ACCEPTED && r.flight.have_server_key_exchange && ske->kind == WIRE_SKE_DHE;
        if (dhe) {
            const iana_group_t *g = NULL;
            s->bits = ske->dh_p_bits;
            s->name = dh_group_name(ske->dh_p, ske->dh_p_len);
            g = s->name ? iana_group_by_name(s->name) : NULL;
            s->ffdhe = g && strcmp(g->kind, "ffdhe") == 0 ? g->code : 0;
        }
        if ((o == TLS_RAW_CONNECT_FAILED || o == TLS_RAW_LOCAL_ERROR) && !run->error[0])
            snprintf(run->error, sizeof run->error, "DH group: %.200s", r.summary);
        tls_raw_result_free(&r);
        if (dhe || run->error[0])
            return dhe;
        if ((o == TLS_RAW_ALERT || o == TLS_RAW_OTHER_VERSION) && !d->on_fallback && k && d->at + k < d->nsuites) {
            d->at += k;
            continue;
        }
        if (o != TLS_RAW_ALERT && o != TLS_RAW_OTHER_VERSION && o != TLS_RAW_ACCEPTED && d->fallback && !d->on_fallback) {
            d->on_fallback = true;
            continue;
        }
        return false;
    }
}

static json_object *dh_json(const dh_seen_t *s, bool needs_ffdhe, json_object *ffdhe_accepted)
{
    json_object *dh = json_object_new_object();
    json_object_object_add(dh, "bits", json_object_new_int((int)s->bits));
    json_object_object_add(dh, "group", s->name ? json_object_new_string(s->name) : NULL);
    json_object_object_add(dh, "well_known", json_object_new_boolean(s->name != NULL));
    json_object_object_add(dh, "needs_ffdhe_offer", json_object_new_boolean(needs_ffdhe));
    json_object_object_add(dh, "ffdhe_accepted", ffdhe_accepted);
    return dh;
}

/* Offer-and-remove over the FFDHE groups of a server that chose first, a group it picked from
 * all of them; then each group weaker than the weakest found, alone (a close may have hidden
 * it). *weakest is the weakest group seen. Returns the groups found, in pick order. */
static json_object *ffdhe_walk(gw_run_t *run, dh_walk_t *d, const uint16_t *all, size_t nall, dh_seen_t *weakest)
{
    uint16_t left[MAX_FFDHE], found[MAX_FFDHE];
    size_t nleft = nall < MAX_FFDHE ? nall : MAX_FFDHE, nfound = 0;
    memcpy(left, all, nleft * sizeof *left);
    dh_seen_t s = *weakest;
    do {
        found[nfound++] = s.ffdhe;
        if (s.bits < weakest->bits)
            *weakest = s;
    } while (codes_take(left, &nleft, s.ffdhe) && nleft && dh_ask(run, d, left, nleft, &s) && s.ffdhe &&
             contains(left, nleft, s.ffdhe));
    for (size_t i = 0; i < nleft && !run->error[0]; i++) {
        const iana_group_t *g = iana_group_by_code(left[i]);
        if (g && g->bits < weakest->bits && dh_ask(run, d, &left[i], 1, &s) && s.ffdhe == left[i]) {
            found[nfound++] = s.ffdhe;
            *weakest = s;
        }
    }
    return names_json(found, nfound);
}

/* The DH group: offered no FFDHE group, the server uses the one it is configured with; one
 * that then serves no DHE may choose from the FFDHE groups listed (RFC 7919). */
static json_object *probe_dh(gw_run_t *run, uint16_t version, const uint16_t *suites, size_t nsuites)
{
    dh_walk_t *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(run->error, sizeof run->error, "DH group: out of memory");
        return NULL;
    }
    *d = (dh_walk_t){ .version = version, .suites = suites, .nsuites = nsuites,
                      .fallback = version_pick(run->ctx->ep, version, "DHE") };
    d->ncurves = usable_of_kind(version, true, d->curves);
    uint16_t ffdhe[MAX_CODES];
    size_t nffdhe = usable_of_kind(version, false, ffdhe);
    nffdhe = nffdhe < MAX_FFDHE ? nffdhe : MAX_FFDHE;
    dh_seen_t s;
    json_object *dh = NULL;
    if (dh_ask(run, d, NULL, 0, &s)) {
        dh = dh_json(&s, false, NULL);
    } else if (!run->error[0] && nffdhe) {
        d->at = 0; /* every chunk of suites again, now with the FFDHE groups */
        if (dh_ask(run, d, ffdhe, nffdhe, &s)) {
            dh_seen_t weakest = s;
            /* A prime that is not one of those offered: the server's own, served only to
             * hellos that list FFDHE groups. */
            json_object *accepted =
                s.ffdhe && contains(ffdhe, nffdhe, s.ffdhe) ? ffdhe_walk(run, d, ffdhe, nffdhe, &weakest) : NULL;
            dh = dh_json(&weakest, true, accepted);
        }
    }
    free(d);
    return dh;
}

/* ------------------------------------------------------------------ at the same time */

/* The probe's walks as probe_fanout tasks: the TLS 1.3 groups and the TLS <= 1.2 curves each
 * split (group_split.h), the DH facts one task. What a walk sequentially after another would
 * have learned from it (the shape, that the endpoint stopped answering) matters only where a
 * server misbehaved: there a walk bails and runs again afterwards, in order (group_walk.h). */
typedef struct curves_args {
    uint16_t version;
    uint16_t suites[MAX_CODES];
    size_t nsuites;
} curves_args_t;

typedef struct plan_task {
    group_split_t *s;            /* NULL: the DH task */
    size_t job, weight;
} plan_task_t;

typedef struct plan {
    group_split_t *split[2];     /* TLS 1.3, curves; NULL: not run */
    bool dh_wanted, dh_done;
    uint16_t dh_version;
    uint16_t dh_suites[MAX_CODES];
    size_t dh_nsuites;
    curves_args_t curves;        /* to run the curves walk again */
    gw_run_t dh_run;             /* the DH task's own: no_walk, from the versions probe's shape */
    json_object *dh;
    plan_task_t task[2 * GS_MAX_PARTS + 1];
    double hellos[2 * GS_MAX_PARTS + 1]; /* each task's weight: probe_fanout's */
    size_t ntasks;
} plan_t;

static void plan_task(probe_ctx_t *task, void *arg, size_t i)
{
    plan_t *pl = arg;
    if (pl->task[i].s) {
        gs_job_run(pl->task[i].s, pl->task[i].job, task);
        return;
    }
    pl->dh_run.ctx = task;
    pl->dh_run.p = malloc(sizeof *pl->dh_run.p);
    if (pl->dh_run.p)
        pl->dh = probe_dh(&pl->dh_run, pl->dh_version, pl->dh_suites, pl->dh_nsuites);
    else
        gw_bail(&pl->dh_run);
    free(pl->dh_run.p);
    pl->dh_run.p = NULL;
    pl->dh_done = true;
}

/* The tasks of the walks' current phases, the longest first (stable: the order is fixed). */
static size_t plan_phase(plan_t *pl)
{
    pl->ntasks = 0;
    for (size_t k = 0; k < 2; k++)
        for (size_t j = 0; pl->split[k] && j < gs_jobs(pl->split[k]); j++)
            pl->task[pl->ntasks++] = (plan_task_t){ pl->split[k], j, gs_job_weight(pl->split[k], j) };
    if (pl->dh_wanted && !pl->dh_done)
        pl->task[pl->ntasks++] = (plan_task_t){ NULL, 0, 2 };
    for (size_t i = 1; i < pl->ntasks; i++)
        for (size_t j = i; j > 0 && pl->task[j].weight > pl->task[j - 1].weight; j--) {
            plan_task_t t = pl->task[j];
            pl->task[j] = pl->task[j - 1];
            pl->task[j - 1] = t;
        }
    for (size_t i = 0; i < pl->ntasks; i++)
        pl->hellos[i] = (double)pl->task[i].weight;
    return pl->ntasks;
}

/* Whether hellos are cut alike (and a ladder walked alike) from both shapes: a walk run
 * alongside others started from the versions probe's; redone when one before it walked. */
static bool same_fit(const hello_shape_t *a, const hello_shape_t *b)
{
    return a->level == b->level && a->max_codes == b->max_codes && a->avoid_window == b->avoid_window &&
           a->next_rung == b->next_rung;
}

/* A walk's facts: the split's (redo: not those), else the sequential walk's, run now from what
 * the walks before it learned. NULL with run->error set when out of memory. */
static group_walk_t *walk_done(gw_run_t *run, group_split_t *s, bool redo, group_walk_t *(*again)(gw_run_t *, void *),
                               void *arg)
{
    group_walk_t *w = gs_finish(s, run, redo);
    if (!w && (w = again(run, arg)) != NULL)
        gw_run(run, w);
    return w;
}

static group_walk_t *tls13_again(gw_run_t *run, void *arg)
{
    (void)arg;
    return tls13_walk(run);
}

static group_walk_t *curves_again(gw_run_t *run, void *arg)
{
    const curves_args_t *c = arg;
    return curves_walk(run, c->version, c->suites, c->nsuites);
}

/* Parts per walk at most: one slot is the probe's own; how many a walk gets is the endpoint's
 * budget's (gs_init, probe_chain_budget). With three or fewer connections at once the walks
 * run whole, each a task: at 50 ms RTT a split then only added refusals to a full audit (0.2 s
 * longer at --per-host 3), and on servers that close or hang on some groups each part meets
 * them again (a hang costs a whole --timeout). */
static size_t split_parts(const options_t *opts)
{
    return opts && opts->per_host > 3 ? (size_t)opts->per_host - 1 : 1;
}

static probe_status_t groups_run(probe_ctx_t *ctx)
{
    gw_run_t run = { .ctx = ctx, .p = malloc(sizeof(hello_profile_t)) };
    plan_t *pl = calloc(1, sizeof *pl);
    group_split_t *splits = calloc(2, sizeof *splits);
    json_object *out = ctx->out;
    if (!run.p || !pl || !splits) {
        free(run.p);
        free(pl);
        free(splits);
        snprintf(ctx->err, sizeof ctx->err, "out of memory");
        return PROBE_ERROR;
    }
    hello_shape_load(ctx->ep, &run.shape);
    size_t parts = split_parts(ctx->ep->opts);
    group_walk_t *w13 = probe_version_accepted(ctx->ep, WIRE_TLS13) ? tls13_walk(&run) : NULL;
    double budget = probe_chain_budget(ctx->ep);
    if (w13 && gs_init(&splits[0], &run, w13, parts, budget, false))
        pl->split[0] = &splits[0];
    else if (w13)
        snprintf(run.error, sizeof run.error, "TLSv1.3 groups: out of memory");
    curves_args_t *ca = &pl->curves;
    ca->version = version_with(ctx->ep, "ECDHE", ca->suites, &ca->nsuites);
    group_walk_t *wc = ca->version && !run.error[0] ? curves_walk(&run, ca->version, ca->suites, ca->nsuites) : NULL;
    if (wc && gs_init(&splits[1], &run, wc, parts, budget, true))
        pl->split[1] = &splits[1];
    else if (wc)
        snprintf(run.error, sizeof run.error, "ECDHE curves: out of memory");
    pl->dh_version = version_with(ctx->ep, "DHE", pl->dh_suites, &pl->dh_nsuites);
    pl->dh_wanted = pl->dh_version && !run.error[0];
    pl->dh_run = (gw_run_t){ .shape = run.shape, .no_walk = true };
    while (plan_phase(pl)) {
        probe_fanout(ctx, pl->ntasks, plan_task, pl, pl->hellos);
        for (size_t k = 0; k < 2; k++)
            if (pl->split[k] && gs_jobs(pl->split[k]))
                gs_advance(pl->split[k]);
    }

    /* In the sequential order: a walk after one that lost the endpoint is not reported. */
    json_object *tls13 = NULL, *dh = NULL;
    curves_facts_t cf = { 0 };
    hello_shape_t loaded = run.shape;
    if (pl->split[0]) {
        group_walk_t *w = walk_done(&run, pl->split[0], false, tls13_again, NULL);
        tls13 = w ? tls13_json(w) : NULL;
        free(w);
    }
    if (pl->split[1]) {
        bool after_error = run.error[0] != 0;
        group_walk_t *w = after_error ? gs_finish(pl->split[1], &run, true)
                                      : walk_done(&run, pl->split[1], !same_fit(&loaded, &run.shape), curves_again, ca);
        if (w && !after_error)
            curves_json(w, &cf);
        free(w);
    }
    if (pl->dh_wanted) {
        bool redo = pl->dh_run.bailed || !same_fit(&loaded, &run.shape);
        run.connections += pl->dh_run.connections;
        if (run.error[0] || redo) {
            json_object_put(pl->dh);
            pl->dh = NULL;
        }
        if (!run.error[0] && redo) {
            dh = probe_dh(&run, pl->dh_version, pl->dh_suites, pl->dh_nsuites);
        } else if (!run.error[0]) {
            dh = pl->dh;
            run.reused += pl->dh_run.reused;
            hello_shape_merge(&run.shape, &pl->dh_run.shape);
            if (pl->dh_run.error[0])
                memcpy(run.error, pl->dh_run.error, sizeof run.error);
        }
    }
    free(run.p);
    free(pl);
    free(splits);

    bool ok = !run.error[0];
    json_object_object_add(out, "connections", json_object_new_int((int)run.connections));
    json_object_object_add(out, "reused_answers", json_object_new_int((int)run.reused));
    json_object_object_add(out, "tls13", tls13);
    json_object_object_add(out, "tls12_curves", cf.accepted);
    json_object_object_add(out, "tls12_curves_server_order", cf.server_order);
    json_object_object_add(out, "tls12_curves_preferred", cf.preferred);
    json_object_object_add(out, "tls12_curves_undecided", cf.undecided);
    json_object_object_add(out, "tls12_curves_never_chosen", cf.never_chosen);
    json_object_object_add(out, "tls12_certificate_curve", cf.certificate_curve);
    json_object_object_add(out, "dh", dh);
    if (!ok)
        snprintf(ctx->err, sizeof ctx->err, "%s", run.error);
    return ok ? PROBE_OK : PROBE_ERROR;
}

static const char *const groups_needs[] = { "versions", NULL };

render_text_fn groups_render_text;   /* probes/groups_render.c */
render_html_fn groups_render_html;

const probe_module_t probe_groups = {
    .name = "groups",
    .help = "key exchange groups: TLS 1.3 groups (via HelloRetryRequest), ECDHE curves, DH prime "
          "and FFDHE groups, server or client order",
    .needs = groups_needs,
    .run = groups_run,
    .chain = 11,
    .fans_out = true,
    .render_text = groups_render_text,
    .render_html = groups_render_html,
};
