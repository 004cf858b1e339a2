/* The versions' offer-and-remove chains split over the endpoint's connection budget (see
 * suite_enum.h, suite_enum_split): at internet latency a chain of hellos one after another
 * costs two round trips each, so each version's candidates are cut into parts enumerated at
 * once (probe_fanout), and the server's order over the union is then established with as few
 * hellos as possible. What a part leaves when the server misbehaves is decided by the engine
 * that holds on misbehaving servers (suite_enum.c), after the parts, with all their finds. */
#include "suite_enum.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hello_memo.h"
#include "iana.h"
#include "probe.h"
#include "tls_raw.h"
#include "wire.h"

#define MAX_VERSIONS 8
#define MAX_PARTS 16
/* Parts are cut by the suites they likely accept (a hello per accept), weighed for a server
 * with OpenSSL's defaults, the most common: fewer parts, fewer refusals. A part that finds a
 * kind of suite weighed less (regroup) weighs that kind again and hands what it now likely
 * has beyond its share to new parts, so a server that takes more is not one long chain.
 * A suite the local OpenSSL does not enable by default: */
#define RARE_WEIGHT 0.002
/* ... once the version was seen to accept one (3DES, CAMELLIA...: legacy lists take some): */
#define RARE_SEEN_WEIGHT 0.05
/* A suite of nginx's default list (HIGH:!aNULL:!MD5) but not OpenSSL's: ARIA, CAMELLIA, CCM;
 * 1 once one was seen accepted (such a server takes them all). */
#define HIGH_WEIGHT 0.1
/* A suite for another key type than the certificate's: 1 once one was seen accepted (a
 * server with both certificates). */
#define OTHER_KEY_WEIGHT 0.1
/* A suite weighed at least this is one a server likely takes (cut_points). */
#define LIKELY_WEIGHT 0.5
/* Likely accepts per part at least: below that a part's refusal costs more than it saves. */
#define MIN_PART_WEIGHT 6.0

struct split;

typedef struct part {
    struct split *sp;
    size_t v;                   /* its version's index */
    const uint16_t *codes;      /* a run of its version's candidates */
    size_t n;
    double weight;
    suite_enum_t *res;
    int rc;                     /* suite_enum_part's */
    size_t connections, reused;
    char error[256];
    suite_found_t first;        /* the order question's find when among its codes (code 0: none) */
    probe_ctx_t *task;          /* while it runs (regroup) */
    unsigned seen;              /* kinds of suites weighed less it was seen to take (regroup):
                                 * its own picks only, so that how it is cut never depends on
                                 * how far the other parts got */
    size_t spare;               /* parts it may still hand codes to (plan) */
    int top_block;              /* block_of its first find (from a hello listing its codes in
                                 * candidate order); -2: none yet */
    bool client_order;          /* the order question showed the client's order (no merge) */
} part_t;

typedef struct vstate {
    suite_enum_t *vr;
    uint16_t cand[SUITE_ENUM_MAX];
    size_t ncand;
    uint16_t seed;              /* the versions probe's pick from the first hello; 0: none */
    size_t seed_offered;        /* candidates that hello offered */
    bool whole;                 /* not split: enumerated whole by suite_enum_tls */
    bool redo;                  /* a part misbehaved: what parts left goes to suite_enum_resume */
    uint16_t left[SUITE_ENUM_MAX]; /* ... in candidate order */
    size_t nleft;
    bool stopped;               /* a part lost the endpoint (suite_enum_part -1) */
    bool recover;               /* server order, not proven over the parts' union */
    bool chunked;               /* ... nor within a part: its finds came from several hellos */
    size_t seg_end[MAX_PARTS + 1]; /* where each segment of vr->found ends (seed, then parts) */
    size_t nseg;
    size_t parts[MAX_PARTS];    /* its parts, in candidate order */
    size_t nparts;
    unsigned seen;              /* kinds of suites weighed less its seed showed it takes */
    /* The order question (ask_order), before the parts: */
    bool seed_picked;           /* the server picked the seed again, offered last: its order */
    suite_found_t first;        /* or the first of the others it takes: the client's (code 0: neither) */
    uint16_t handed[SUITE_ENUM_MAX]; /* codes parts handed to new parts (disjoint runs) */
    size_t nhanded;
    size_t connections, reused; /* of final_task */
    char error[256];
} vstate_t;

typedef struct question {
    size_t v;
    uint16_t first, second;     /* offered in this order */
    uint16_t pick;              /* 0: no answer that picks one of them */
    bool pair;                  /* test_orders: the first of two, the second follows */
    size_t connections, reused;
} question_t;

typedef struct split {
    pthread_mutex_t mu;         /* parts added while parts run (regroup) */
    double budget;              /* probe_chain_budget: the hellos one part may take */
    int per_host;
    suite_enum_run_t *run;
    vstate_t *vs;
    size_t nv;
    part_t parts[MAX_PARTS];
    part_t *order[MAX_PARTS];   /* heaviest first: the fanout's task order */
    double hellos[MAX_PARTS];   /* ... and their expected hellos (probe_fanout) */
    size_t nparts;
    question_t q[2 * MAX_VERSIONS * MAX_PARTS];
    size_t nq;
    size_t jobs[MAX_VERSIONS];  /* versions to enumerate whole or to order (final_task) */
    size_t njobs;
    const char *seed_au;        /* RSA or ECDSA when a seed (TLS <= 1.2) showed it; NULL */
} split_t;

/* A suite kind a server takes only with a certificate of that key type. */
static bool certificate_au(const char *au)
{
    return strcmp(au, "RSA") == 0 || strcmp(au, "ECDSA") == 0 || strcmp(au, "DSS") == 0;
}

/* Why a suite weighs less than one a server with OpenSSL's defaults takes. */
enum {
    KIND_HIGH = 1,          /* nginx's default list, not OpenSSL's */
    KIND_OTHER_KEY = 2,     /* signed with another key type than the picks showed (DSS too: a
                             * DSA certificate is rare) */
    KIND_RARE = 4,          /* in neither list */
    KIND_NEVER = 8          /* PSK, SRP, unknown: no certificate server takes those */
};

static unsigned kinds_of(const split_t *sp, uint16_t code)
{
    const iana_suite_t *s = iana_suite_by_code(code);
    if (!s || strstr(s->kx, "PSK") || strstr(s->kx, "SRP"))
        return KIND_NEVER;
    unsigned k = iana_suite_common(code) ? 0 : iana_suite_high(code) ? KIND_HIGH : KIND_RARE;
    if (sp->seed_au && certificate_au(s->au) && strcmp(s->au, sp->seed_au) != 0)
        k |= KIND_OTHER_KEY;
    return k;
}

/* How likely a server accepts the suite, by its kinds and those the version was seen to take. */
static double weight_seen(const split_t *sp, uint16_t code, unsigned seen)
{
    unsigned k = kinds_of(sp, code);
    if (k & KIND_NEVER)
        return RARE_WEIGHT;
    double w = !(k & KIND_RARE) ? 1.0 : seen & KIND_RARE ? RARE_SEEN_WEIGHT : RARE_WEIGHT;
    if ((k & KIND_HIGH) && !(seen & KIND_HIGH))
        w *= HIGH_WEIGHT;
    if ((k & KIND_OTHER_KEY) && !(seen & KIND_OTHER_KEY))
        w *= OTHER_KEY_WEIGHT;
    return w;
}

static double weight_of(const split_t *sp, const vstate_t *v, uint16_t code)
{
    return weight_seen(sp, code, v->seen);
}

/* Suites servers keeping their own order rank as a block: forward secret or not, AEAD or not
 * (nginx's default list ranks its ECDHE AEAD suites, then ECDHE CBC, then RSA AEAD, RSA CBC). */
static int block_of(uint16_t code)
{
    const iana_suite_t *s = iana_suite_by_code(code);
    if (!s)
        return -1;
    bool fs = strcmp(s->kx, "ECDHE") == 0 || strcmp(s->kx, "DHE") == 0;
    return (fs ? 0 : 2) + (s->aead ? 0 : 1);
}

/* The versions probe's answer to the hello the sequential engine would send first (all the
 * candidates, forward, in the endpoint's shape): its pick is accepted, for free. */
static void seed_from_memo(split_t *sp, vstate_t *v)
{
    suite_enum_run_t *run = sp->run;
    hello_profile_init(run->p, run->ctx->ep->sni, v->vr->version);
    v->seed_offered = hello_shape_fit(&run->shape, run->p, v->cand, v->ncand, 0);
    hello_answer_t a;
    if (!hello_memo_find(run->ctx->ep, run->p, &a) || a.version != v->vr->version)
        return;
    for (size_t i = 0; i < v->seed_offered; i++)
        if (v->cand[i] == a.cipher) {
            v->seed = a.cipher;
            const iana_suite_t *st = iana_suite_by_code(a.cipher);
            if (st && !sp->seed_au && (strcmp(st->au, "RSA") == 0 || strcmp(st->au, "ECDSA") == 0))
                sp->seed_au = st->au;
            v->seen |= kinds_of(sp, a.cipher) & ~KIND_NEVER;
            suite_found_t *f = &v->vr->found[v->vr->nfound++];
            f->code = a.cipher;
            snprintf(f->kx_group, sizeof f->kx_group, "%s", a.kx_group);
            memmove(&v->cand[i], &v->cand[i + 1], (v->ncand - i - 1) * sizeof *v->cand);
            v->ncand--;
            run->reused++;
            return;
        }
}

static bool has_code(const uint16_t *codes, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++)
        if (codes[i] == code)
            return true;
    return false;
}

/* Adds the parts of version vi ending at ends[0..n) (the last at its candidate count). */
static void add_runs(split_t *sp, size_t vi, const size_t *ends, size_t n)
{
    vstate_t *v = &sp->vs[vi];
    v->nparts = 0;
    for (size_t k = 0, from = 0; k < n; from = ends[k++]) {
        double w = 0;
        /* No room for more parts (plan leaves each version one): the last takes the rest, so
         * that no candidate goes unasked. */
        size_t to = sp->nparts + 1 < MAX_PARTS ? ends[k] : ends[n - 1];
        for (size_t i = from; i < to; i++)
            w += weight_of(sp, v, v->cand[i]);
        v->parts[v->nparts++] = sp->nparts;
        part_t *pt = &sp->parts[sp->nparts++];
        *pt = (part_t){ .sp = sp, .v = vi, .codes = v->cand + from, .n = to - from, .weight = w,
                        .seen = v->seen, .top_block = -2, .client_order = v->first.code != 0 };
        /* The order question's find is the first of its part's (enumerate_part). */
        if (v->first.code && has_code(pt->codes, pt->n, v->first.code)) {
            pt->first = v->first;
            pt->top_block = block_of(v->first.code);
        }
        if (to == ends[n - 1])
            break;
    }
}

/* Where version vi's candidates are cut into nparts runs ending where a block does (block_of:
 * before a likely suite of another block than the likely one before it), each cut within a
 * quarter of a run of the even cut: a server keeping its own order ranks its blocks whole
 * (nginx, PostgreSQL, Apache: forward secret AEAD, then CBC, then the same without forward
 * secrecy), so each run's finds rank above the next's and the boundary questions hold, with no
 * merge. false when a cut has no block end near. */
static bool block_cuts(const split_t *sp, const vstate_t *v, size_t nparts, double total, size_t *ends)
{
    double share = total / (double)nparts, w = 0;
    size_t k = 1, best = 0;
    double best_gap = share / 4;
    int last_block = -2;
    for (size_t i = 0; i < v->ncand && k < nparts; i++) {
        double goal = share * (double)k, wi = weight_of(sp, v, v->cand[i]);
        if (wi >= LIKELY_WEIGHT) {
            if (last_block != -2 && block_of(v->cand[i]) != last_block && fabs(w - goal) < best_gap) {
                best_gap = fabs(w - goal);
                best = i;
            }
            last_block = block_of(v->cand[i]);
        }
        w += wi;
        /* Past the goal by more than the tolerance: this cut is decided. */
        if (w - goal > share / 4) {
            if (!best)
                return false;
            ends[k - 1] = best;
            k++;
            best = 0;
            best_gap = share / 4;
        }
    }
    if (k < nparts && best)
        ends[k++ - 1] = best;
    if (k < nparts)
        return false;
    ends[nparts - 1] = v->ncand;
    return true;
}

/* Cuts a version's candidates into nparts runs: at block ends (block_cuts) with nparts or one
 * more (a refusal more, no merge), else of about equal weight. */
static void cut_parts(split_t *sp, size_t vi, size_t nparts, int per_host)
{
    vstate_t *v = &sp->vs[vi];
    double total = 0, acc = 0;
    for (size_t i = 0; i < v->ncand; i++)
        total += weight_of(sp, v, v->cand[i]);
    size_t ends[MAX_PARTS];
    /* The client's order needs no merge: runs of equal weight are the shortest chains. */
    for (size_t n = nparts; !v->first.code && n > 1 && n <= nparts + 1 && n <= (size_t)per_host && n <= MAX_PARTS; n++)
        if (block_cuts(sp, v, n, total, ends)) {
            add_runs(sp, vi, ends, n);
            return;
        }
    size_t from = 0, n = 0;
    for (size_t k = 0; k < nparts && from < v->ncand && n < MAX_PARTS; k++) {
        double goal = total * (double)(k + 1) / (double)nparts;
        size_t to = from;
        while (to < v->ncand && (k + 1 == nparts || acc + weight_of(sp, v, v->cand[to]) <= goal + 1e-9 || to == from))
            acc += weight_of(sp, v, v->cand[to++]);
        ends[n++] = to;
        from = to;
    }
    add_runs(sp, vi, ends, n);
}

/* Parts per version: its expected accepts cut into chains of about the endpoint's budget
 * (probe_chain_budget), at most per_host, at least one. */
static void plan(split_t *sp, int per_host, double budget)
{
    double w[MAX_VERSIONS];
    for (size_t i = 0; i < sp->nv; i++) {
        w[i] = 0;
        for (size_t j = 0; j < sp->vs[i].ncand; j++)
            w[i] += weight_of(sp, &sp->vs[i], sp->vs[i].cand[j]);
    }
    for (size_t i = 0; i < sp->nv; i++) {
        /* Rounded up: a chain longer than the share is the audit's tail. */
        size_t n = (size_t)ceil(w[i] / budget);
        /* Room for one part of every version after it, and one more (cut_parts may add it). */
        size_t room = MAX_PARTS - sp->nparts - (sp->nv - i - 1);
        if (n + 1 > room)
            n = room > 1 ? room - 1 : 1;
        if (n < 1)
            n = 1;
        if (n > (size_t)per_host)
            n = (size_t)per_host;
        /* A part costs a refusal: one per few suites the version likely accepts at most. */
        if (n > 1 && (double)n > w[i] / MIN_PART_WEIGHT)
            n = w[i] / MIN_PART_WEIGHT >= 1 ? (size_t)(w[i] / MIN_PART_WEIGHT) : 1;
        cut_parts(sp, i, n, per_host);
    }
    /* Parts each may hand codes to (regroup): as many as --per-host leaves beside the version's
     * parts, for every part (which one meets more than it was weighed for is not known), fewer
     * when all of them could not fit MAX_PARTS; fixed here, so that no part's cut depends on
     * another's. */
    for (size_t spare = (size_t)per_host; spare > 0; spare--) {
        size_t most = 0;
        for (size_t i = 0; i < sp->nv; i++) {
            size_t k = sp->vs[i].nparts, each = k < (size_t)per_host ? (size_t)per_host - k : 0;
            most += k * (1 + (each < spare ? each : spare));
        }
        if (most > MAX_PARTS)
            continue;
        for (size_t i = 0; i < sp->nv; i++) {
            vstate_t *v = &sp->vs[i];
            size_t each = v->nparts < (size_t)per_host ? (size_t)per_host - v->nparts : 0;
            for (size_t k = 0; k < v->nparts; k++)
                sp->parts[v->parts[k]].spare = each < spare ? each : spare;
        }
        break;
    }
    for (size_t i = 0; i < sp->nparts; i++) {
        size_t j = i;
        for (; j > 0 && sp->order[j - 1]->weight < sp->parts[i].weight; j--)
            sp->order[j] = sp->order[j - 1];
        sp->order[j] = &sp->parts[i];
    }
    for (size_t i = 0; i < sp->nparts; i++)
        sp->hellos[i] = sp->order[i]->weight + 1;
}

/* The order question, one hello per version with a seed, all at once before the parts are cut:
 * every candidate but the seed, then the seed. A server keeping its own order picks the seed
 * again (its favourite); one following the client picks the first of the others it takes,
 * which is then a find. The parts are then cut for that order (plan: at block ends for the
 * server's, by weight for the client's). Not sent when the shape would cut the seed off. */
static void ask_order(probe_ctx_t *task, void *arg, size_t i)
{
    split_t *sp = arg;
    vstate_t *v = &sp->vs[sp->jobs[i]];
    hello_profile_t *p = malloc(sizeof *p);
    uint16_t *list = malloc((v->ncand + 1) * sizeof *list);
    if (!p || !list) {
        free(p);
        free(list);
        return;
    }
    /* The seed is no candidate any more (seed_from_memo): it goes last. */
    memcpy(list, v->cand, v->ncand * sizeof *list);
    size_t n = v->ncand;
    list[n++] = v->seed;
    hello_shape_t shape = sp->run->shape;
    hello_profile_init(p, task->ep->sni, v->vr->version);
    size_t offered = hello_shape_fit(&shape, p, list, n, 0);
    free(list);
    if (offered == n) {
        tls_raw_result_t r;
        hello_answer_t a;
        tls_raw_outcome_t o = hello_shape_ask(task, &shape, p, &a, &r, &v->connections, &v->reused);
        if (o == TLS_RAW_ACCEPTED && r.cipher == v->seed) {
            v->seed_picked = true;
        } else if (o == TLS_RAW_ACCEPTED && has_code(v->cand, v->ncand, r.cipher)) {
            v->first.code = r.cipher;
            snprintf(v->first.kx_group, sizeof v->first.kx_group, "%s", a.kx_group);
            v->seen |= kinds_of(sp, r.cipher) & ~KIND_NEVER;
        }
        tls_raw_result_free(&r);
    }
    free(p);
}

/* The part's codes less the order question's find, enumerated; that find first. */
static int enumerate_part(suite_enum_run_t *run, part_t *pt)
{
    if (!pt->first.code)
        return suite_enum_part(run, pt->res, pt->codes, pt->n);
    uint16_t *rest = malloc(pt->n * sizeof *rest);
    if (!rest) {
        /* Out of memory: the whole part again, that find among them (asked once more). */
        pt->first.code = 0;
        return suite_enum_part(run, pt->res, pt->codes, pt->n);
    }
    size_t n = 0;
    for (size_t i = 0; i < pt->n; i++)
        if (pt->codes[i] != pt->first.code)
            rest[n++] = pt->codes[i];
    int rc = suite_enum_part(run, pt->res, rest, n);
    free(rest);
    suite_enum_t *r = pt->res;
    size_t keep = r->nfound < SUITE_ENUM_MAX ? r->nfound : SUITE_ENUM_MAX - 1;
    memmove(&r->found[1], &r->found[0], keep * sizeof *r->found);
    r->found[0] = pt->first;
    r->nfound = keep + 1;
    /* Its picks no longer follow the zigzag from its first hello: the order is the order
     * question's to prove (order_proof). */
    r->zigzag = false;
    return rc;
}

/* Called with sp->mu held: codes[0..n), the run of candidates a part hands on, as a new part
 * right after the part at list position at. */
static void add_part(split_t *sp, vstate_t *v, size_t at, const uint16_t *codes, size_t n, double w,
                     unsigned seen)
{
    uint16_t *mine = v->handed + v->nhanded;
    memcpy(mine, codes, n * sizeof *codes);
    v->nhanded += n;
    size_t idx = sp->nparts++;
    sp->parts[idx] = (part_t){ .sp = sp, .v = (size_t)(v - sp->vs), .codes = mine, .n = n, .weight = w,
                               .seen = seen, .top_block = -2, .client_order = v->first.code != 0 };
    memmove(&v->parts[at + 2], &v->parts[at + 1], (v->nparts - at - 1) * sizeof *v->parts);
    v->parts[at + 1] = idx;
    v->nparts++;
    sp->order[idx] = &sp->parts[idx];
    sp->hellos[idx] = w + 1;
}

/* A server keeping its own order picks its favourite of what a hello offers: suites of a
 * block it would rank above the pick's (block_of), offered and passed over, it likely does
 * not take (nginx lists DHE suites and has no DH parameters). For planning only. above: the
 * pick's block, -1 for none. */
static double plan_weight(const split_t *sp, unsigned seen, uint16_t code, int above)
{
    int b = block_of(code);
    return above >= 0 && b >= 0 && b < above ? 0 : weight_seen(sp, code, seen);
}

/* Where c[0..n) is cut into at most pieces runs of about equal weight (rest in all, as
 * plan_weight weighs them): ends[k] is where run k ends, the last at n; returns how many runs.
 * The client's order (!by_block) needs no merge: anywhere near the even cut. Else only right
 * before a likely suite (LIKELY_WEIGHT) of another block (block_of) than the likely
 * one before it, within half a run of the even cut, so that a server ranking blocks whole
 * ranks each run above the next (the boundary questions hold, no merge); a cut with no such
 * place near is not made. Unlikely suites between are no block's: servers seldom rank them. */
static size_t cut_points(const split_t *sp, unsigned seen, const uint16_t *c, size_t n, size_t pieces,
                         double rest, int above, bool by_block, size_t *ends)
{
    size_t runs = 0, from = 0;
    double acc = 0, share = rest / (double)pieces;
    for (size_t k = 1; k < pieces && from < n; k++) {
        double goal = share * (double)k, best_gap = share / 2, w = acc;
        size_t best = 0;
        int last_block = -2;
        for (size_t i = from; i < n; i++) {
            double wi = plan_weight(sp, seen, c[i], above);
            if (!by_block && i > from && fabs(w - goal) < best_gap) {
                best_gap = fabs(w - goal);
                best = i;
            }
            if (wi >= LIKELY_WEIGHT) {
                if (by_block && last_block != -2 && block_of(c[i]) != last_block && fabs(w - goal) < best_gap) {
                    best_gap = fabs(w - goal);
                    best = i;
                }
                last_block = block_of(c[i]);
            }
            w += wi;
        }
        if (!best)
            continue;
        for (size_t i = from; i < best; i++)
            acc += plan_weight(sp, seen, c[i], above);
        ends[runs++] = best;
        from = best;
    }
    ends[runs++] = n;
    return runs;
}

/* After each find of a part (suite_enum_run.regroup). A find of a kind weighed less shows the
 * server takes that kind: the part's codes are weighed again, and what it now likely has beyond
 * a chain's share goes to new parts (at most its spare ones), runs of its codes in their order,
 * which start as slots free. Each costs a refusal, so only once per kind the part sees, never
 * below MIN_PART_WEIGHT. A server keeping its own order has the runs' finds merged after (a
 * question per boundary, more hellos where their orders cross): runs end only where a block
 * ends (cut_points). The part's first hello listed its codes in candidate order: the suites of
 * blocks before its first find's were passed over (a server following the client takes none
 * of them; one keeping its own order ranks them higher, so likely takes none either): weighed
 * nothing. Only the part's own picks count, so that the facts and the hellos never depend on
 * timing. Returns how many of c the part keeps. */
static size_t regroup(void *arg, const uint16_t *c, size_t n, uint16_t pick, bool forward)
{
    part_t *pt = arg;
    split_t *sp = pt->sp;
    vstate_t *v = &sp->vs[pt->v];
    if (pt->top_block == -2 && forward)
        pt->top_block = block_of(pick);
    unsigned kinds = kinds_of(sp, pick) & ~KIND_NEVER;
    if (!(kinds & ~pt->seen))
        return n;
    pt->seen |= kinds;
    if (!pt->spare)
        return n;
    int above = pt->top_block >= 0 ? pt->top_block : -1;
    double rest = 0;
    for (size_t i = 0; i < n; i++)
        rest += plan_weight(sp, pt->seen, c[i], above);
    size_t pieces = (size_t)ceil(rest / sp->budget);
    if ((double)pieces > rest / MIN_PART_WEIGHT)
        pieces = (size_t)(rest / MIN_PART_WEIGHT);
    if (pieces > 1 + pt->spare)
        pieces = 1 + pt->spare;
    if (pieces <= 1)
        return n;
    size_t ends[MAX_PARTS + 1];
    size_t runs = cut_points(sp, pt->seen, c, n, pieces, rest, above, !pt->client_order, ends);
    if (runs <= 1)
        return n;
    pthread_mutex_lock(&sp->mu);
    size_t at = 0, handed = v->nhanded, nparts = sp->nparts;
    while (at < v->nparts && &sp->parts[v->parts[at]] != pt)
        at++;
    /* Room: the runs are disjoint and not cut again, so never more than the candidates. */
    if (v->nhanded + (n - ends[0]) > SUITE_ENUM_MAX || at == v->nparts) {
        pthread_mutex_unlock(&sp->mu);
        return n;
    }
    for (size_t k = 1; k < runs; k++) {
        double w = 0;
        for (size_t i = ends[k - 1]; i < ends[k]; i++)
            w += plan_weight(sp, pt->seen, c[i], above);
        add_part(sp, v, at + k - 1, c + ends[k - 1], ends[k] - ends[k - 1], w, pt->seen);
    }
    /* The new parts' codes are no longer the part's only if they will run (nothing the scheduler
     * reads of sp is written here: lock order sp->mu, then the scheduler's). */
    size_t keep = ends[0];
    if (!probe_fanout_grow(pt->task, sp->nparts)) {
        memmove(&v->parts[at + 1], &v->parts[at + runs], (v->nparts - at - runs) * sizeof *v->parts);
        v->nparts -= runs - 1;
        sp->nparts = nparts;
        v->nhanded = handed;
        keep = n;
    } else {
        pt->spare -= runs - 1;
    }
    pthread_mutex_unlock(&sp->mu);
    return keep;
}

static void part_task(probe_ctx_t *task, void *arg, size_t i)
{
    split_t *sp = arg;
    part_t *pt = sp->order[i];
    hello_profile_t *p = malloc(sizeof *p);
    pt->res = calloc(1, sizeof *pt->res);
    if (!p || !pt->res) {
        free(p);
        pt->rc = -1;
        snprintf(pt->error, sizeof pt->error, "out of memory");
        return;
    }
    suite_enum_run_t run = { .ctx = task, .p = p, .shape = sp->run->shape, .regroup = regroup, .regroup_arg = pt };
    pt->task = task;
    pt->res->version = sp->vs[pt->v].vr->version;
    pt->rc = enumerate_part(&run, pt);
    pt->connections = run.connections;
    pt->reused = run.reused;
    memcpy(pt->error, run.error, sizeof pt->error);
    free(p);
}

/* Codes no hello decided because the enumeration could not go on: undecided, never refused. */
static const char WHY_UNDONE[] = "enumeration stopped before deciding it";

static void leave_undecided(suite_enum_t *vr, const uint16_t *codes, size_t n)
{
    for (size_t i = 0; i < n && vr->nundecided < SUITE_ENUM_MAX; i++)
        vr->undecided[vr->nundecided++] = (suite_note_t){ .code = codes[i], .why = WHY_UNDONE };
}

static void add_notes(suite_note_t *to, size_t *n, const suite_note_t *from, size_t m)
{
    for (size_t i = 0; i < m && *n < SUITE_ENUM_MAX; i++)
        to[(*n)++] = from[i];
}

static size_t cand_at(const uint16_t *cand, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++)
        if (cand[i] == code)
            return i;
    return SIZE_MAX;
}

/* Where code stands in the version's candidates (the first hello's order); SIZE_MAX: none. */
static size_t rank_in(const vstate_t *v, uint32_t code)
{
    uint16_t all[SUITE_ENUM_MAX];
    size_t n = iana_suites_for_version(v->vr->version, all, SUITE_ENUM_MAX);
    return cand_at(all, n < SUITE_ENUM_MAX ? n : SUITE_ENUM_MAX, code);
}

/* The parts' finds after the seed, in part order; notes joined. */
static void merge_parts(split_t *sp, vstate_t *v)
{
    suite_enum_t *vr = v->vr;
    vr->zigzag = true;
    v->nseg = 0;
    if (v->seed)
        v->seg_end[v->nseg++] = vr->nfound;
    for (size_t k = 0; k < v->nparts; k++) {
        part_t *pt = &sp->parts[v->parts[k]];
        sp->run->connections += pt->connections;
        sp->run->reused += pt->reused;
        if (pt->rc == 1)
            v->redo = true;
        if (pt->rc < 0 && !v->stopped) {
            v->stopped = true;
            memcpy(v->error, pt->error, sizeof v->error);
        }
        if (!pt->res) {
            leave_undecided(vr, pt->codes, pt->n);
            continue;
        }
        for (size_t i = 0; i < pt->res->nfound && vr->nfound < SUITE_ENUM_MAX; i++)
            vr->found[vr->nfound++] = pt->res->found[i];
        if (pt->res->nfound)
            v->seg_end[v->nseg++] = vr->nfound;
        add_notes(vr->closes, &vr->ncloses, pt->res->closes, pt->res->ncloses);
        for (size_t i = 0; i < pt->res->nundecided; i++) {
            const suite_note_t *u = &pt->res->undecided[i];
            if (u->why == suite_enum_why_unfinished)
                v->left[v->nleft++] = (uint16_t)u->code;
            else
                add_notes(vr->undecided, &vr->nundecided, u, 1);
        }
        vr->zigzag &= pt->res->zigzag;
        vr->chunks_with_finds += pt->res->chunks_with_finds;
        /* A part whose finds came from several hellos' sets has them in no proven order. */
        if (pt->res->chunks_with_finds >= 2)
            v->recover = v->chunked = true;
    }
    for (size_t i = 1; i < v->nleft; i++)
        for (size_t j = i; j > 0 && rank_in(v, v->left[j - 1]) > rank_in(v, v->left[j]); j--) {
            uint16_t x = v->left[j];
            v->left[j] = v->left[j - 1];
            v->left[j - 1] = x;
        }
}

/* Order proven by the picks already made: a part's zigzag picks that a server following the
 * client could not have made, or a suite accepted that the first hello offered before the
 * seed (a server following the client picks the first it lists). -1: not proven. */
static int order_from_picks(split_t *sp, vstate_t *v)
{
    for (size_t k = 0; k < v->nparts; k++) {
        suite_enum_t *r = sp->parts[v->parts[k]].res;
        if (r && r->zigzag && r->nfound >= 2 && !suite_enum_picks_follow_client(r))
            return 1;
    }
    if (v->seed) {
        size_t at_seed = rank_in(v, v->seed);
        for (size_t i = 1; i < v->vr->nfound; i++)
            if (rank_in(v, v->vr->found[i].code) < at_seed)
                return 1;
    }
    return -1;
}

/* What the order question proved. Its find picked with the seed offered after it: a server
 * keeping its own order would have picked the seed, its favourite among what the seed's hello
 * offered, which must have held the find (not before the seed: the client's order would have
 * picked it there). The seed picked, with another find (every one was offered before it): the
 * client's order would have picked that find. */
static int order_proof(const vstate_t *v)
{
    if (v->first.code) {
        size_t at = rank_in(v, v->first.code), at_seed = rank_in(v, v->seed);
        return at > at_seed && at < v->seed_offered ? 0 : -1;
    }
    return v->seed_picked && v->vr->nfound >= 2 ? 1 : -1;
}

/* A find the first hello offered after the seed: the server passed it over for the seed. */
static uint32_t passed_over(const vstate_t *v)
{
    if (!v->seed)
        return 0;
    size_t at_seed = rank_in(v, v->seed);
    for (size_t i = 1; i < v->vr->nfound; i++) {
        size_t at = rank_in(v, v->vr->found[i].code);
        if (at > at_seed && at < v->seed_offered)
            return v->vr->found[i].code;
    }
    return 0;
}

/* Offers q's pair in its order; q->pick: the one picked, 0 for any other answer. */
static void ask_question(probe_ctx_t *task, void *arg, size_t i)
{
    split_t *sp = arg;
    question_t *q = &sp->q[i];
    hello_profile_t *p = malloc(sizeof *p);
    if (!p)
        return;
    hello_shape_t shape = sp->run->shape;
    uint16_t pair[2] = { q->first, q->second };
    hello_profile_init(p, task->ep->sni, sp->vs[q->v].vr->version);
    hello_shape_fit(&shape, p, pair, 2, 0);
    tls_raw_result_t r;
    hello_answer_t a;
    tls_raw_outcome_t o = hello_shape_ask(task, &shape, p, &a, &r, &q->connections, &q->reused);
    if (o == TLS_RAW_ACCEPTED && (r.cipher == q->first || r.cipher == q->second))
        q->pick = r.cipher;
    tls_raw_result_free(&r);
    free(p);
}

static void ask_all(split_t *sp)
{
    if (!sp->nq)
        return;
    probe_fanout(sp->run->ctx, sp->nq, ask_question, sp, NULL);
    for (size_t i = 0; i < sp->nq; i++) {
        sp->run->connections += sp->q[i].connections;
        sp->run->reused += sp->q[i].reused;
    }
}

static void add_question(split_t *sp, size_t v, uint32_t first, uint32_t second)
{
    if (sp->nq < sizeof sp->q / sizeof *sp->q)
        sp->q[sp->nq++] = (question_t){ .v = v, .first = (uint16_t)first, .second = (uint16_t)second };
}

/* Versions whose order no pick proved. A find B the server passed over for the seed, offered
 * before it: the seed again is the server's order, B the client's. Else the first two finds
 * offered both ways, at once: the same pick both times is the server's order, the first
 * offered both times the client's. */
static void test_orders(split_t *sp)
{
    sp->nq = 0;
    for (size_t i = 0; i < sp->nv; i++) {
        vstate_t *v = &sp->vs[i];
        if (v->whole || v->redo || v->stopped || v->vr->nfound < 2)
            continue;
        v->vr->server_order = order_from_picks(sp, v);
        if (v->vr->server_order >= 0)
            continue;
        v->vr->server_order = order_proof(v);
        if (v->vr->server_order >= 0)
            continue;
        uint32_t b = passed_over(v);
        if (b) {
            add_question(sp, i, b, v->seed);
        } else {
            add_question(sp, i, v->vr->found[1].code, v->vr->found[0].code);
            add_question(sp, i, v->vr->found[0].code, v->vr->found[1].code);
            sp->q[sp->nq - 2].pair = true;
        }
    }
    ask_all(sp);
    for (size_t k = 0; k < sp->nq; k++) {
        question_t *q = &sp->q[k];
        vstate_t *v = &sp->vs[q->v];
        if (!q->pair) {
            v->vr->server_order = q->pick == q->second ? 1 : q->pick == q->first ? 0 : -1;
            continue;
        }
        /* The pair: (found[1], found[0]) then (found[0], found[1]). */
        question_t *q2 = &sp->q[++k];
        uint16_t a = q->second, b = q->first, p1 = q->pick, p2 = q2->pick;
        v->vr->server_order = p1 == b && p2 == a ? 0 : p1 && p1 == p2 ? 1 : -1;
    }
}

/* Server order over several segments: each part's finds are in the server's order; the union
 * is when the last of each segment beats the first of the next (its order is total), which one
 * hello per boundary proves, all at once. The seed of a hello that offered every candidate is
 * the server's favourite and needs none. A boundary that fails: the segments are merged. */
static void check_boundaries(split_t *sp)
{
    sp->nq = 0;
    for (size_t i = 0; i < sp->nv; i++) {
        vstate_t *v = &sp->vs[i];
        if (v->whole || v->redo || v->stopped || v->recover || v->vr->server_order != 1)
            continue;
        for (size_t s = 0; s + 1 < v->nseg; s++) {
            if (s == 0 && v->seed && v->seed_offered >= v->ncand + 1)
                continue;
            add_question(sp, i, v->vr->found[v->seg_end[s] - 1].code, v->vr->found[v->seg_end[s]].code);
        }
    }
    ask_all(sp);
    for (size_t k = 0; k < sp->nq; k++)
        if (sp->q[k].pick != sp->q[k].first)
            sp->vs[sp->q[k].v].recover = true;
}


/* Server order over segments each in the server's order, where a boundary failed: their
 * heads offered together, the pick is next; until one segment is left, which follows. */
static void merge_segments(suite_enum_run_t *run, vstate_t *v)
{
    suite_enum_t *vr = v->vr;
    suite_found_t *out = malloc(vr->nfound * sizeof *out);
    if (!out)
        return;
    size_t head[MAX_PARTS + 1], start = 0, nout = 0;
    for (size_t s = 0; s < v->nseg; s++) {
        head[s] = start;
        start = v->seg_end[s];
    }
    for (;;) {
        uint16_t offer[MAX_PARTS + 1];
        size_t from[MAX_PARTS + 1], n = 0;
        for (size_t s = 0; s < v->nseg; s++)
            if (head[s] < v->seg_end[s]) {
                from[n] = s;
                offer[n++] = (uint16_t)vr->found[head[s]].code;
            }
        if (n <= 1)
            break;
        hello_profile_init(run->p, run->ctx->ep->sni, vr->version);
        hello_shape_fit(&run->shape, run->p, offer, n, 0);
        tls_raw_result_t r;
        hello_answer_t a;
        tls_raw_outcome_t o = hello_shape_ask(run->ctx, &run->shape, run->p, &a, &r, &run->connections, &run->reused);
        size_t k = n;
        for (size_t i = 0; o == TLS_RAW_ACCEPTED && i < n; i++)
            if (offer[i] == r.cipher)
                k = i;
        tls_raw_result_free(&r);
        if (k == n) {
            /* No answer orders them: the order stays unproven, not guessed. */
            vr->server_order = -1;
            free(out);
            return;
        }
        out[nout++] = vr->found[head[from[k]]++];
    }
    for (size_t s = 0; s < v->nseg; s++)
        while (head[s] < v->seg_end[s])
            out[nout++] = vr->found[head[s]++];
    memcpy(vr->found, out, nout * sizeof *out);
    free(out);
}

/* A version not split, or what parts left of one, decided by the engine that holds; or the
 * order of one recovered. */
static void final_task(probe_ctx_t *task, void *arg, size_t i)
{
    split_t *sp = arg;
    vstate_t *v = &sp->vs[sp->jobs[i]];
    hello_profile_t *p = malloc(sizeof *p);
    if (!p) {
        snprintf(v->error, sizeof v->error, "out of memory");
        v->stopped = true;
        if (v->whole)
            leave_undecided(v->vr, v->cand, v->ncand);
        return;
    }
    suite_enum_run_t run = { .ctx = task, .p = p, .shape = sp->run->shape };
    if (v->whole) {
        v->stopped = suite_enum_tls(&run, v->vr) != 0;
        memcpy(v->error, run.error, sizeof v->error);
    } else if (v->redo) {
        v->stopped = suite_enum_resume(&run, v->vr, v->left, v->nleft) != 0;
        memcpy(v->error, run.error, sizeof v->error);
    } else if (v->chunked) {
        suite_enum_recover_order(&run, v->vr);
    } else {
        merge_segments(&run, v);
    }
    v->redo = false;
    free(p);
    v->connections = run.connections;
    v->reused = run.reused;
}

int suite_enum_split(suite_enum_run_t *run, suite_enum_t **vrs, size_t nv)
{
    split_t *sp = calloc(1, sizeof *sp);
    vstate_t *vs = calloc(nv ? nv : 1, sizeof *vs);
    if (!sp || !vs || nv > MAX_VERSIONS || pthread_mutex_init(&sp->mu, NULL) != 0) {
        free(sp);
        free(vs);
        for (size_t i = 0; i < nv; i++)
            if (suite_enum_tls(run, vrs[i]) != 0)
                return -1;
        return 0;
    }
    sp->run = run;
    sp->vs = vs;
    sp->nv = nv;
    /* A server that closes on refusals instead of sending an alert would make every part's
     * last hello a misbehaviour, and one that takes only short hellos would cost a hello per
     * chunk of every part: their versions go to the engine that holds, each whole. */
    bool split = run->shape.alerts && !run->shape.max_codes && !run->shape.avoid_window;
    for (size_t i = 0; i < nv; i++) {
        vs[i].vr = vrs[i];
        vrs[i]->server_order = -1;
        vs[i].whole = !split;
        vs[i].ncand = iana_suites_for_version(vrs[i]->version, vs[i].cand, SUITE_ENUM_MAX);
        if (vs[i].ncand > SUITE_ENUM_MAX)
            vs[i].ncand = SUITE_ENUM_MAX;
        if (split)
            seed_from_memo(sp, &vs[i]);
    }
    if (split) {
        sp->per_host = run->ctx->ep->opts ? run->ctx->ep->opts->per_host : 1;
        sp->budget = probe_chain_budget(run->ctx->ep);
        sp->njobs = 0;
        for (size_t i = 0; i < nv; i++)
            if (vs[i].seed)
                sp->jobs[sp->njobs++] = i;
        /* Every part waits for them: they go first (as long as the longest chain after them). */
        double gate[MAX_VERSIONS], longest = 1;
        for (size_t k = 0; k < sp->njobs; k++) {
            double w = 1;
            for (size_t c = 0; c < vs[sp->jobs[k]].ncand; c++)
                w += weight_of(sp, &vs[sp->jobs[k]], vs[sp->jobs[k]].cand[c]);
            if (w > longest)
                longest = w;
        }
        for (size_t k = 0; k < sp->njobs; k++)
            gate[k] = 1 + (longest < sp->budget ? longest : sp->budget);
        probe_fanout(run->ctx, sp->njobs, ask_order, sp, gate);
        for (size_t k = 0; k < sp->njobs; k++) {
            run->connections += vs[sp->jobs[k]].connections;
            run->reused += vs[sp->jobs[k]].reused;
            vs[sp->jobs[k]].connections = vs[sp->jobs[k]].reused = 0;
        }
        sp->njobs = 0;
        plan(sp, sp->per_host, sp->budget);
        probe_fanout(run->ctx, sp->nparts, part_task, sp, sp->hellos);
        for (size_t i = 0; i < nv; i++)
            merge_parts(sp, &vs[i]);
        test_orders(sp);
        check_boundaries(sp);
    }
    for (size_t i = 0; i < nv; i++)
        if (vs[i].whole || (vs[i].redo && !vs[i].stopped) ||
            (vs[i].recover && vs[i].vr->server_order == 1 && !vs[i].stopped))
            sp->jobs[sp->njobs++] = i;
    probe_fanout(run->ctx, sp->njobs, final_task, sp, NULL);
    for (size_t k = 0; k < sp->njobs; k++) {
        run->connections += vs[sp->jobs[k]].connections;
        run->reused += vs[sp->jobs[k]].reused;
    }
    int rc = 0;
    for (size_t i = 0; i < nv; i++) {
        /* What parts left of a version that lost the endpoint was never decided. */
        if (vs[i].redo)
            leave_undecided(vs[i].vr, vs[i].left, vs[i].nleft);
        if (vs[i].stopped && rc == 0) {
            snprintf(run->error, sizeof run->error, "%s", vs[i].error);
            rc = -1;
        }
    }
    for (size_t i = 0; i < sp->nparts; i++)
        free(sp->parts[i].res);
    pthread_mutex_destroy(&sp->mu);
    free(vs);
    free(sp);
    return rc;
}
