/* A group walk split into parts enumerated at the same time, and the server's order over the
 * union; see group_split.h for the method and its costs. */
#include "group_split.h"

#include <stdlib.h>
#include <string.h>

#include "hello_profile.h"
#include "iana.h"
#include "wire.h"

/* Groups servers in the field commonly accept: the parts are balanced by them. */
static const uint16_t common_codes[] = { 29 /* x25519 */, 23 /* secp256r1 */, 30 /* x448 */, 24 /* secp384r1 */,
                                         25 /* secp521r1 */, 4588 /* X25519MLKEM768 */ };

static bool common(uint16_t code)
{
    const iana_group_t *g = iana_group_by_code(code);
    for (size_t i = 0; i < sizeof common_codes / sizeof *common_codes; i++)
        if (common_codes[i] == code)
            return true;
    return g && strcmp(g->kind, "ffdhe") == 0;
}

/* Where parts may be cut: before a common group, unless it is in the same block as the
 * common group before it. Servers rank x25519, secp256r1 and x448 (in some order) before the
 * other curves, curves before FFDHE groups, FFDHE groups by size: cut only there, a boundary
 * between parts holds on most servers with their own order. */
static int block(uint16_t code)
{
    if (code == 29 || code == 23 || code == 30)
        return 0;
    const iana_group_t *g = iana_group_by_code(code);
    return g && strcmp(g->kind, "ecdhe") == 0 ? 1 : 2 + code; /* one block per other group */
}

/* A partition of c[0..n): part k is [at[k], at[k+1]). */
typedef struct cut {
    size_t at[GS_MAX_PARTS + 1];
    size_t n;
} cut_t;

static size_t weight(const uint16_t *c, size_t from, size_t to)
{
    size_t w = 0;
    for (size_t i = from; i < to; i++)
        w += common(c[i]);
    return w;
}

/* Contiguous parts of the atoms (cut points above), at most max, whose heaviest holds the
 * fewest common groups; of those, the fewest parts (each costs a refusal). Deterministic: the
 * candidates alone decide. */
static void partition(const uint16_t *c, size_t n, size_t max, cut_t *k)
{
    size_t at[GW_MAX + 1], na = 0;
    int last = -1;
    for (size_t i = 0; i < n; i++)
        if (common(c[i]) && block(c[i]) != last) {
            last = block(c[i]);
            at[na++] = i;
        }
    k->n = 1;
    k->at[0] = 0;
    k->at[1] = n;
    if (na < 2)
        return;
    at[0] = 0;
    at[na] = n;
    /* best[p][i]: the lightest heaviest part of atoms [0, i) in p + 1 parts; from: its cut. */
    size_t best[GS_MAX_PARTS][GW_MAX + 1], from[GS_MAX_PARTS][GW_MAX + 1];
    for (size_t i = 1; i <= na; i++)
        best[0][i] = weight(c, 0, at[i]);
    size_t use = 1;
    for (size_t p = 1; p < max && p < na; p++) {
        for (size_t i = p + 1; i <= na; i++) {
            best[p][i] = (size_t)-1;
            for (size_t j = p; j < i; j++) {
                size_t w = weight(c, at[j], at[i]), m = best[p - 1][j] > w ? best[p - 1][j] : w;
                if (m < best[p][i]) {
                    best[p][i] = m;
                    from[p][i] = j;
                }
            }
        }
        if (best[p][na] < best[use - 1][na])
            use = p + 1;
    }
    k->n = use;
    size_t i = na;
    for (size_t p = use - 1; p > 0; p--) {
        i = from[p][i];
        k->at[p] = at[i];
    }
    k->at[use] = n;
}

size_t gs_partition(const uint16_t *candidates, size_t n, size_t max_parts, size_t *at)
{
    cut_t k;
    partition(candidates, n, max_parts < GS_MAX_PARTS ? max_parts : GS_MAX_PARTS, &k);
    memcpy(at, k.at, (k.n + 1) * sizeof *at);
    return k.n;
}

/* TLS <= 1.2 behind an ECDSA certificate needs its curve in every hello: not split. */
static bool may_split(const group_walk_t *w)
{
    if (w->version == WIRE_TLS13)
        return true;
    if (w->nfound)
        return w->leaf == GW_LEAF_OTHER;
    const iana_suite_t *s = w->fallback ? iana_suite_by_code(w->fallback) : NULL;
    return !s || strcmp(s->au, "ECDSA") != 0;
}

/* A job's run: a part is strict, the whole run alongside others no_walk (group_walk.h). */
static void job_init(group_split_t *s, gs_job_t *j, group_walk_t *w, bool strict, bool no_walk)
{
    *j = (gs_job_t){ .w = w };
    j->run.shape = s->base.shape;
    j->run.strict = strict;
    j->run.no_walk = no_walk;
}

/* The fewest parts, up to max, whose heaviest takes at most budget hellos (its common groups
 * and its refusal); the lightest heaviest when none does. */
static void cut_to_budget(const group_walk_t *w, size_t max, double budget, cut_t *k)
{
    for (size_t p = 1; p <= max; p++) {
        k->n = gs_partition(w->left, w->nleft, p, k->at);
        size_t heaviest = 0;
        for (size_t i = 0; i < k->n; i++) {
            size_t h = weight(w->left, k->at[i], k->at[i + 1]);
            heaviest = h > heaviest ? h : heaviest;
        }
        if ((double)(heaviest + 1) <= budget)
            return;
    }
}

bool gs_init(group_split_t *s, gw_run_t *run, group_walk_t *w, size_t max_parts, double budget, bool strict)
{
    memset(s, 0, sizeof *s);
    s->whole = w;
    s->strict = strict;
    s->base = (gw_run_t){ .ctx = run->ctx, .p = run->p, .shape = run->shape };
    s->shape = run->shape;
    int first = gw_first_from_memo(&s->base, w);
    s->reused = s->base.reused;
    s->memo_picks = first == 1;
    cut_t k = { .n = 1, .at = { 0, w->nleft } };
    if (first >= 0 && max_parts >= 2 && may_split(w))
        cut_to_budget(w, max_parts, budget, &k);
    if (k.n >= 2) {
        for (size_t i = 0; i < k.n; i++) {
            s->parts[i] = gw_new(w->version, w->left + k.at[i], k.at[i + 1] - k.at[i], w->suites, w->nsuites, w->fallback);
            if (!s->parts[i]) {
                for (size_t j = 0; j < i; j++)
                    free(s->parts[j]);
                free(w);
                return false;
            }
            job_init(s, &s->jobs[i], s->parts[i], true, false);
        }
        s->nparts = s->njobs = k.n;
    } else {
        job_init(s, &s->jobs[0], w, false, strict);
        s->njobs = 1;
    }
    return true;
}

size_t gs_jobs(const group_split_t *s)
{
    return s->phase == GS_DONE ? 0 : s->njobs;
}

size_t gs_job_weight(const group_split_t *s, size_t i)
{
    if (s->phase != GS_PARTS)
        return s->phase == GS_MERGE ? s->whole->nfound : 1;
    const group_walk_t *w = s->jobs[i].w;
    return weight(w->left, 0, w->nleft) + 1;
}

static bool locate(const group_split_t *s, uint16_t code, size_t *piece, size_t *idx)
{
    for (size_t c = 0; c < s->nchains; c++)
        for (size_t i = 0; i < s->nchain[c]; i++)
            if (s->chain[c][i] == code) {
                *piece = c;
                *idx = i;
                return true;
            }
    return false;
}

/* a comes before b in the server's order by what a failed boundary showed: a at or before its
 * winner in one piece, b at or after its loser in another (each piece in the server's order). */
static bool known_before(const group_split_t *s, uint16_t a, uint16_t b)
{
    size_t pa, ia, pb, ib, pw, iw, pl, il;
    if (!locate(s, a, &pa, &ia) || !locate(s, b, &pb, &ib))
        return false;
    for (size_t k = 0; k < s->nbeat; k++)
        if (locate(s, s->beat[k][0], &pw, &iw) && locate(s, s->beat[k][1], &pl, &il) && pw == pa && ia <= iw &&
            pl == pb && il <= ib)
            return true;
    return false;
}

/* The heads of the pieces, offered until one piece is left (a head known to come before the
 * others is taken without a hello): the server's order over them. */
static void merge_heads(group_split_t *s, gs_job_t *j)
{
    uint16_t *out = s->whole->found + s->memo_picks;
    size_t at[GS_MAX_PARTS] = { 0 }, n = 0;
    for (;;) {
        uint16_t heads[GS_MAX_PARTS];
        size_t from[GS_MAX_PARTS], nh = 0;
        for (size_t c = 0; c < s->nchains; c++)
            if (at[c] < s->nchain[c]) {
                from[nh] = c;
                heads[nh++] = s->chain[c][at[c]];
            }
        if (nh == 1) {
            size_t c = from[0];
            while (at[c] < s->nchain[c])
                out[n++] = s->chain[c][at[c]++];
            return;
        }
        uint16_t pick = 0;
        for (size_t h = 0; h < nh && !pick; h++) {
            size_t beaten = 0;
            for (size_t o = 0; o < nh; o++)
                beaten += o != h && known_before(s, heads[h], heads[o]);
            if (beaten == nh - 1)
                pick = heads[h];
        }
        if (!pick)
            pick = gw_ask(&j->run, j->w, heads, nh);
        size_t h = 0;
        while (h < nh && heads[h] != pick)
            h++;
        if (j->run.bailed || h == nh) {
            gw_bail(&j->run);
            return;
        }
        out[n++] = pick;
        at[from[h]]++;
    }
}

void gs_job_run(group_split_t *s, size_t i, probe_ctx_t *task)
{
    gs_job_t *j = &s->jobs[i];
    j->run.ctx = task;
    j->run.p = malloc(sizeof *j->run.p);
    if (!j->run.p) {
        gw_bail(&j->run);
        return;
    }
    if (s->phase == GS_PARTS && !s->nparts) {
        gw_run(&j->run, j->w);
    } else if (s->phase == GS_PARTS) {
        gw_enumerate(&j->run, j->w);
        if (j->w->version != WIRE_TLS13 && j->w->nfound && j->w->leaf != GW_LEAF_OTHER)
            gw_bail(&j->run);
    } else if (s->phase == GS_MERGE) {
        merge_heads(s, j);
    } else {
        j->pick = gw_ask(&j->run, j->w, j->offered, 2);
    }
    free(j->run.p);
    j->run.p = NULL;
}

/* Order hellos are asked on a copy of the whole: ask notes what answers teach in its walk. */
static bool question(group_split_t *s, uint16_t first, uint16_t second)
{
    gs_job_t *j = &s->jobs[s->njobs];
    group_walk_t *copy = malloc(sizeof *copy);
    if (!copy)
        return false;
    *copy = *s->whole;
    job_init(s, j, copy, true, false);
    j->offered[0] = first;
    j->offered[1] = second;
    s->njobs++;
    return true;
}

/* Every part's finds into the whole, in part order; the chains kept for the order. */
static void merge_parts(group_split_t *s)
{
    group_walk_t *w = s->whole;
    for (size_t i = 0; i < s->nparts; i++) {
        const group_walk_t *p = s->parts[i];
        for (size_t h = 0; h < p->hellos && w->hellos < GW_ROUNDS; h++) {
            memcpy(w->passed[w->hellos], p->passed[h], p->npassed[h] * sizeof **p->passed);
            w->npassed[w->hellos++] = p->npassed[h];
        }
        for (size_t f = 0; f < p->nfound; f++)
            if (codes_take(w->left, &w->nleft, p->found[f]) && w->nfound < GW_MAX)
                w->found[w->nfound++] = p->found[f];
        if (p->leaf == GW_LEAF_OTHER)
            w->leaf = GW_LEAF_OTHER;
        w->closed |= p->closed;
        w->chunk_refused |= p->chunk_refused;
        if (p->nfound) {
            memcpy(s->chain[s->nchains], p->found, p->nfound * sizeof *p->found);
            s->nchain[s->nchains++] = p->nfound;
        }
    }
}

/* Out of memory while setting up a phase: the order hellos made so far are not asked. */
static void give_up(group_split_t *s)
{
    for (size_t i = 0; i < s->njobs; i++) {
        free(s->jobs[i].w);
        s->jobs[i].w = NULL;
    }
    s->njobs = 0;
    s->bailed = true;
    s->phase = GS_DONE;
}

/* A server with its own order: the chains glued where one hello per boundary shows it. */
static void bounds_start(group_split_t *s)
{
    s->whole->server_order = 1;
    s->njobs = 0;
    if (s->nchains < 2) {
        s->phase = GS_DONE;
        return;
    }
    for (size_t c = 0; c + 1 < s->nchains; c++)
        if (!question(s, s->chain[c][s->nchain[c] - 1], s->chain[c + 1][0])) {
            give_up(s);
            return;
        }
    s->phase = GS_BOUNDS;
}

/* Whose order: proven by a pick that passed over a found group, else asked (group_split.h). */
static void order_start(group_split_t *s)
{
    group_walk_t *w = s->whole;
    s->njobs = 0;
    s->phase = GS_DONE;
    if (w->nfound < 2)
        return;
    if (gw_passed_over_found(w)) {
        bounds_start(s);
        return;
    }
    size_t two = 0;
    while (two < s->nchains && s->nchain[two] < 2)
        two++;
    bool ok;
    if (s->memo_picks)
        ok = question(s, s->chain[0][0], w->found[0]);
    else if (two < s->nchains)
        ok = question(s, s->chain[two][1], s->chain[two][0]);
    else
        ok = question(s, s->chain[0][0], s->chain[1][0]) && question(s, s->chain[1][0], s->chain[0][0]);
    if (ok)
        s->phase = GS_TEST;
    else
        give_up(s);
}

/* The reversed pair: its second was picked over its first before. Both ways: the same pick. */
static void order_answer(group_split_t *s)
{
    const gs_job_t *a = &s->jobs[0], *b = &s->jobs[1];
    int order = -1;
    if (s->njobs == 1)
        order = a->pick == a->offered[1] ? 1 : a->pick == a->offered[0] ? 0 : -1;
    else if (a->pick == b->pick && (a->pick == a->offered[0] || a->pick == a->offered[1]))
        order = 1;
    else if (a->pick == a->offered[0] && b->pick == b->offered[0])
        order = 0;
    if (order < 0) {
        s->bailed = true; /* neither: the sequential walk decides what that means */
        s->phase = GS_DONE;
    } else if (order == 1) {
        bounds_start(s);
    } else {
        s->whole->server_order = 0;
        s->phase = GS_DONE;
    }
}

/* Glues the chains whose boundary held; the pieces left are merged by their heads. */
static void bounds_answer(group_split_t *s)
{
    size_t k = 0;
    for (size_t c = 0; c + 1 < s->nchains; c++) {
        const gs_job_t *j = &s->jobs[c];
        if (j->pick != j->offered[0] && j->pick != j->offered[1]) {
            s->bailed = true;
            s->phase = GS_DONE;
            return;
        }
        if (j->pick == j->offered[1] && s->nbeat < GS_MAX_PARTS) {
            s->beat[s->nbeat][0] = j->offered[1];
            s->beat[s->nbeat++][1] = j->offered[0];
        }
        if (j->pick == j->offered[0]) { /* chain c + 1 follows chain k */
            memcpy(&s->chain[k][s->nchain[k]], s->chain[c + 1], s->nchain[c + 1] * sizeof **s->chain);
            s->nchain[k] += s->nchain[c + 1];
        } else {
            k++;
            if (k != c + 1)
                memcpy(s->chain[k], s->chain[c + 1], s->nchain[c + 1] * sizeof **s->chain);
            s->nchain[k] = s->nchain[c + 1];
        }
    }
    s->nchains = k + 1;
    s->njobs = 0;
    s->phase = GS_DONE;
    if (s->nchains < 2)
        return; /* found is already in part order */
    group_walk_t *copy = malloc(sizeof *copy);
    if (!copy) {
        s->bailed = true;
        return;
    }
    *copy = *s->whole;
    job_init(s, &s->jobs[0], copy, true, false);
    s->njobs = 1;
    s->phase = GS_MERGE;
}

/* The jobs' counters, shapes and bails; the order hellos' copies freed. */
static void collect(group_split_t *s)
{
    for (size_t i = 0; i < s->njobs; i++) {
        gs_job_t *j = &s->jobs[i];
        s->connections += j->run.connections;
        s->reused += j->run.reused;
        if (s->phase == GS_PARTS && !s->nparts)
            s->shape = j->run.shape; /* the whole's own walk: exactly what it learned */
        else
            hello_shape_merge(&s->shape, &j->run.shape);
        if (j->run.bailed)
            s->bailed = true;
        else if (j->run.error[0] && !s->error[0])
            memcpy(s->error, j->run.error, sizeof s->error);
        if (s->phase != GS_PARTS)
            free(j->w);
        j->w = NULL;
    }
}

void gs_advance(group_split_t *s)
{
    gs_phase_t was = s->phase;
    size_t asked = s->njobs;
    collect(s);
    s->njobs = 0;
    s->phase = GS_DONE;
    if (s->bailed)
        return;
    if (was == GS_PARTS && s->nparts) {
        merge_parts(s);
        if ((s->whole->closed || s->whole->chunk_refused) && !s->whole->nfound)
            s->bailed = true; /* the sequential walk tries other suites first */
        else
            order_start(s);
    } else if (was == GS_TEST) {
        s->njobs = asked;
        order_answer(s);
    } else if (was == GS_BOUNDS) {
        bounds_answer(s);
    }
}

group_walk_t *gs_finish(group_split_t *s, gw_run_t *run, bool drop)
{
    run->connections += s->connections;
    for (size_t i = 0; i < s->nparts; i++)
        free(s->parts[i]);
    if (s->bailed || drop) { /* what it learned is not what the sequential walk would have */
        free(s->whole);
        return NULL;
    }
    if (!s->nparts && !s->strict)
        run->shape = s->shape; /* the walk itself, from run's shape: it may have walked */
    else
        hello_shape_merge(&run->shape, &s->shape);
    run->reused += s->reused;
    if (s->error[0] && !run->error[0])
        memcpy(run->error, s->error, sizeof run->error);
    if (s->whole->closed)
        gw_after_close(run, s->whole);
    return s->whole;
}
