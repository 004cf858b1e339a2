/* The versions' offer-and-remove chains split over the endpoint's connection budget (see
 * suite_enum.h, suite_enum_split): at internet latency a chain of hellos one after another
 * costs two round trips each, so each version's candidates are cut into parts enumerated at
 * once (probe_fanout), and the server's order over the union is then established with as few
 * hellos as possible. What a part leaves when the server misbehaves is decided by the engine
 * that holds on misbehaving servers (suite_enum.c), after the parts, with all their finds. */
#include "suite_enum.h"

#include <math.h>
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
/* Weight of a suite the local OpenSSL does not enable by default: servers seldom accept one,
 * so parts are balanced by the suites they likely accept (the cost is one hello per accept). */
#define RARE_WEIGHT 0.02
/* A suite of nginx's default list but not OpenSSL's: servers keeping nginx's default take it. */
#define HIGH_WEIGHT 0.5
/* A suite for another key type than the certificate's: dual-certificate servers take it. */
#define OTHER_KEY_WEIGHT 0.2
/* Likely accepts per part at least: below that a part's refusal costs more than it saves. */
#define MIN_PART_WEIGHT 6.0

typedef struct part {
    size_t v;                   /* its version's index */
    const uint16_t *codes;      /* a run of its version's candidates */
    size_t n;
    double weight;
    suite_enum_t *res;
    int rc;                     /* suite_enum_part's */
    size_t connections, reused;
    char error[256];
    bool anchored;              /* its first hello offers the seed last (anchored_hello) */
    bool seed_picked;           /* ... and the server picked the seed */
    suite_found_t first;        /* ... or a suite of the part (code 0: none) */
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
    size_t first_part, nparts;
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

/* How likely a server accepts the suite: enabled by OpenSSL's defaults (or less, nginx's),
 * not PSK or SRP (no certificate server takes those), and signed with the key type its picks
 * showed. */
static double weight_of(const split_t *sp, uint16_t code)
{
    const iana_suite_t *s = iana_suite_by_code(code);
    if (!s || strstr(s->kx, "PSK") || strstr(s->kx, "SRP"))
        return RARE_WEIGHT;
    double w = iana_suite_common(code) ? 1.0 : iana_suite_high(code) ? HIGH_WEIGHT : RARE_WEIGHT;
    if (w == RARE_WEIGHT)
        return w;
    if (sp->seed_au && (strcmp(s->au, "RSA") == 0 || strcmp(s->au, "ECDSA") == 0) && strcmp(s->au, sp->seed_au) != 0)
        return OTHER_KEY_WEIGHT * w;
    return w;
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
            suite_found_t *f = &v->vr->found[v->vr->nfound++];
            f->code = a.cipher;
            snprintf(f->kx_group, sizeof f->kx_group, "%s", a.kx_group);
            memmove(&v->cand[i], &v->cand[i + 1], (v->ncand - i - 1) * sizeof *v->cand);
            v->ncand--;
            run->reused++;
            return;
        }
}

/* Cuts a version's candidates into nparts runs of about equal weight. */
static void cut_parts(split_t *sp, size_t vi, size_t nparts)
{
    vstate_t *v = &sp->vs[vi];
    double total = 0, acc = 0;
    for (size_t i = 0; i < v->ncand; i++)
        total += weight_of(sp, v->cand[i]);
    v->first_part = sp->nparts;
    size_t from = 0;
    for (size_t k = 0; k < nparts && from < v->ncand && sp->nparts < MAX_PARTS; k++) {
        double goal = total * (double)(k + 1) / (double)nparts, w = 0;
        size_t to = from;
        while (to < v->ncand && (k + 1 == nparts || acc + weight_of(sp, v->cand[to]) <= goal + 1e-9 || to == from)) {
            w += weight_of(sp, v->cand[to]);
            acc += weight_of(sp, v->cand[to]);
            to++;
        }
        sp->parts[sp->nparts++] = (part_t){ .v = vi, .codes = v->cand + from, .n = to - from, .weight = w };
        from = to;
    }
    v->nparts = sp->nparts - v->first_part;
}

/* Parts per version: its expected accepts cut into chains of about the endpoint's budget
 * (probe_chain_budget), at most per_host, at least one. */
static void plan(split_t *sp, int per_host, double budget)
{
    double w[MAX_VERSIONS];
    for (size_t i = 0; i < sp->nv; i++) {
        w[i] = 0;
        for (size_t j = 0; j < sp->vs[i].ncand; j++)
            w[i] += weight_of(sp, sp->vs[i].cand[j]);
    }
    for (size_t i = 0; i < sp->nv; i++) {
        /* Rounded up: a chain longer than the share is the audit's tail. */
        size_t n = (size_t)ceil(w[i] / budget);
        if (n < 1)
            n = 1;
        if (n > (size_t)per_host)
            n = (size_t)per_host;
        /* A part costs a refusal: one per few suites the version likely accepts at most. */
        if (n > 1 && (double)n > w[i] / MIN_PART_WEIGHT)
            n = w[i] / MIN_PART_WEIGHT >= 1 ? (size_t)(w[i] / MIN_PART_WEIGHT) : 1;
        cut_parts(sp, i, n);
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

static bool has_code(const uint16_t *codes, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++)
        if (codes[i] == code)
            return true;
    return false;
}

/* The part's first hello with the version's seed offered after its suites: the question that
 * tells the server's order from the client's, asked with the parts instead of after them. A
 * server keeping its own order picks the seed (its favourite); one following the client picks
 * the first of the part's suites it takes, which is then the part's first find. Not sent when
 * the shape would cut the seed off. */
static void anchored_hello(suite_enum_run_t *run, const split_t *sp, part_t *pt)
{
    const vstate_t *v = &sp->vs[pt->v];
    uint16_t *list = malloc((pt->n + 1) * sizeof *list);
    if (!list)
        return;
    memcpy(list, pt->codes, pt->n * sizeof *list);
    list[pt->n] = v->seed;
    hello_profile_init(run->p, run->ctx->ep->sni, v->vr->version);
    size_t offered = hello_shape_fit(&run->shape, run->p, list, pt->n + 1, 0);
    free(list);
    if (offered != pt->n + 1)
        return;
    tls_raw_result_t r;
    hello_answer_t a;
    tls_raw_outcome_t o = hello_shape_ask(run->ctx, &run->shape, run->p, &a, &r, &run->connections, &run->reused);
    if (o == TLS_RAW_ACCEPTED && r.cipher == v->seed) {
        pt->seed_picked = true;
    } else if (o == TLS_RAW_ACCEPTED && has_code(pt->codes, pt->n, r.cipher)) {
        pt->first.code = r.cipher;
        snprintf(pt->first.kx_group, sizeof pt->first.kx_group, "%s", a.kx_group);
    }
    tls_raw_result_free(&r);
}

/* The part's codes less the anchored hello's find, enumerated; that find first. */
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
    /* Its picks no longer follow the zigzag from its first hello: the order is the anchored
     * hello's to prove (anchored_proof). */
    r->zigzag = false;
    return rc;
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
    suite_enum_run_t run = { .ctx = task, .p = p, .shape = sp->run->shape };
    pt->res->version = sp->vs[pt->v].vr->version;
    if (pt->anchored)
        anchored_hello(&run, sp, pt);
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
        part_t *pt = &sp->parts[v->first_part + k];
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
        suite_enum_t *r = sp->parts[v->first_part + k].res;
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

/* One part per version with a seed asks the order question in its first hello
 * (anchored_hello): the first in candidate order, the strongest suites, which a server that
 * takes any suite at all takes first. */
static void plan_anchors(split_t *sp)
{
    for (size_t i = 0; i < sp->nv; i++) {
        vstate_t *v = &sp->vs[i];
        if (!v->whole && v->seed && v->nparts)
            sp->parts[v->first_part].anchored = true;
    }
}

/* What the anchored part proved. Its find picked with the seed offered after it: a server
 * keeping its own order would have picked the seed, its favourite among what the seed's hello
 * offered, which must have held the find (not before the seed: the client's order would have
 * picked it there). The seed picked, with a find of the part offered before it: the client's
 * order would have picked that find. */
static int anchored_proof(const split_t *sp, const vstate_t *v)
{
    for (size_t k = 0; k < v->nparts; k++) {
        const part_t *pt = &sp->parts[v->first_part + k];
        if (!pt->anchored || !pt->res)
            continue;
        if (pt->first.code) {
            size_t at = rank_in(v, pt->first.code), at_seed = rank_in(v, v->seed);
            return at > at_seed && at < v->seed_offered ? 0 : -1;
        }
        return pt->seed_picked && pt->res->nfound ? 1 : -1;
    }
    return -1;
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
        v->vr->server_order = anchored_proof(sp, v);
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
    if (!sp || !vs || nv > MAX_VERSIONS) {
        free(sp);
        free(vs);
        for (size_t i = 0; i < nv; i++)
            if (suite_enum_tls(run, vrs[i]) != 0)
                return -1;
        return 0;
    }
    *sp = (split_t){ .run = run, .vs = vs, .nv = nv };
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
        plan(sp, run->ctx->ep->opts ? run->ctx->ep->opts->per_host : 1, probe_chain_budget(run->ctx->ep));
        plan_anchors(sp);
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
    free(vs);
    free(sp);
    return rc;
}
