/* One version's walk over key exchange groups that holds on misbehaving servers; see
 * group_walk.h for the method. */
#include "group_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "hello_memo.h"
#include "iana.h"
#include "tls_raw.h"
#include "wire.h"

/* Hellos a walk may spend once the server closed on one in a shape it answers: every
 * candidate alone (54 in TLS 1.3), or anchored halves, and the order hello. What is left when
 * it is spent stays undecided. */
#define GW_BUDGET 72
/* Hellos spent looking for suites the server answers when every hello with all of them is
 * closed on and the versions probe saw no suite of this kind picked. */
#define GW_SUITE_SPLITS 16
/* Timeouts tolerated per walk: each costs the whole --timeout. */
#define GW_MAX_TIMEOUTS 3
/* No server has this many groups; a bound keeps a confused one from looping. */
#define GW_MAX_ROUNDS 64

static const char WHY_STOPPED[] = "enumeration stopped: no connection";
static const char WHY_TIMEOUT[] = "no answer before the deadline";
static const char WHY_TIMEOUTS[] = "not offered again after repeated timeouts";
static const char WHY_MALFORMED[] = "the answer did not parse";
static const char WHY_BUDGET[] = "hello budget spent on a server that closes on hellos";
static const char WHY_NONE_CHOSEN[] = "closed on hellos offering it, and the server chose no group from such a hello";
static const char WHY_ROUNDS[] = "more rounds than any server needs";

/* What one hello taught. */
typedef struct answer {
    tls_raw_outcome_t o;
    uint16_t pick;       /* the group the server chose among those offered; 0: none */
    bool no_pick;        /* accepted, but without a group that was offered */
    size_t suites;       /* suites the hello carried (SCSV not counted) */
} answer_t;

static bool contains(const uint16_t *v, size_t n, uint16_t code)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == code)
            return true;
    return false;
}

static bool stopped(const answer_t *a)
{
    return a->o == TLS_RAW_CONNECT_FAILED || a->o == TLS_RAW_LOCAL_ERROR;
}

/* An answer that says no to every group offered. */
static bool refused(const answer_t *a)
{
    return a->o == TLS_RAW_ALERT || a->o == TLS_RAW_OTHER_VERSION || (a->o == TLS_RAW_ACCEPTED && a->no_pick);
}

/* The TLS code of an EC key's named curve, or 0. OpenSSL names two curves the X9.62 way. */
static uint16_t ec_key_curve(EVP_PKEY *pk)
{
    char name[80];
    size_t len = 0;
    if (!pk || !EVP_PKEY_is_a(pk, "EC") ||
        !EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len))
        return 0;
    const char *iana = strcmp(name, "prime256v1") == 0 ? "secp256r1"
                       : strcmp(name, "prime192v1") == 0 ? "secp192r1" : name;
    const iana_group_t *g = iana_group_by_name(iana);
    return g && strcmp(g->kind, "ecdhe") == 0 ? g->code : 0;
}

/* What an accepted answer says about curves the server needs offered: an ECDSA suite is
 * signed with the leaf's key, whose curve must be in supported_groups; any other suite shows
 * a key (or none) that does not depend on the curves offered. The flight is NULL for the
 * versions probe's kept answers, which hold no certificate. */
static void note_leaf(group_walk_t *w, uint16_t cipher, const wire_flight_t *f)
{
    const iana_suite_t *s = iana_suite_by_code(cipher);
    if (!s || w->leaf == GW_LEAF_OTHER)
        return;
    if (strcmp(s->au, "ECDSA") != 0) {
        w->leaf = GW_LEAF_OTHER;
        return;
    }
    if (!f || !f->have_certificate || f->certificate.ncerts == 0)
        return;
    const uint8_t *p = f->certificate.certs[0].der;
    size_t len = f->certificate.certs[0].len;
    X509 *leaf = len <= 0x7FFFFFFF ? d2i_X509(NULL, &p, (long)len) : NULL;
    w->leaf = GW_LEAF_EC;
    w->leaf_curve = leaf ? ec_key_curve(X509_get0_pubkey(leaf)) : 0;
    X509_free(leaf);
    ERR_clear_error();
}

static size_t suites_offered(const hello_profile_t *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->opts.nsuites; i++)
        n += p->opts.suites[i] != IANA_SCSV_EMPTY_RENEGOTIATION_INFO;
    return n;
}

/* The group the answer chose: TLS 1.3 names it in the HelloRetryRequest (or ServerHello),
 * TLS <= 1.2 in the ServerKeyExchange. */
static bool chosen_group(const group_walk_t *w, const tls_raw_result_t *r, const hello_answer_t *a, uint16_t *g)
{
    if (w->version != WIRE_TLS13) {
        *g = a->curve;
        return a->has_curve;
    }
    if (r->flight.have_server_hello) {
        *g = r->flight.server_hello.key_share_group;
        return r->flight.server_hello.has_key_share;
    }
    const iana_group_t *rg = iana_group_by_name(a->kx_group); /* a kept answer */
    *g = rg ? rg->code : 0;
    return rg != NULL;
}

void gw_bail(gw_run_t *run)
{
    run->bailed = true;
    if (!run->error[0])
        snprintf(run->error, sizeof run->error, "a strict walk met a robust path");
}

/* The hello offering these groups with the walk's suites, cut to the endpoint's shape. */
static void build(gw_run_t *run, const group_walk_t *w, const uint16_t *offered, size_t n)
{
    hello_profile_t *p = run->p;
    hello_profile_init(p, run->ctx->ep->sni, w->version);
    hello_profile_set_groups(p, offered, n, w->version == WIRE_TLS13);
    const uint16_t *s = w->on_fallback ? &w->fallback : w->suites + w->chunk_at;
    hello_shape_fit(&run->shape, p, s, w->on_fallback ? 1 : w->nsuites - w->chunk_at, HELLO_KEEP_GROUPS);
}

/* Offers these groups. A strict or no_walk run bails where the shape would be walked or the
 * endpoint was lost. */
static answer_t ask(gw_run_t *run, group_walk_t *w, const uint16_t *offered, size_t n)
{
    answer_t ans = { 0 };
    bool tls13 = w->version == WIRE_TLS13;
    hello_profile_t *p = run->p;
    build(run, w, offered, n);
    if (w->misbehaved && w->budget)
        w->budget--;
    tls_raw_result_t r;
    hello_answer_t a;
    ans.o = hello_shape_ask(run->ctx, &run->shape, p, &a, &r, &run->connections, &run->reused);
    bool walk = hello_shape_unanswered(ans.o) && hello_shape_may_walk(&run->shape) && !hello_shape_known(&run->shape, p);
    if (walk && !run->strict && !run->no_walk)
        ans.o = hello_shape_walk(run->ctx, &run->shape, p, HELLO_KEEP_GROUPS, &a, &r, &run->connections, &run->reused);
    else if ((run->strict || run->no_walk) && (walk || stopped(&ans)))
        gw_bail(run);
    ans.suites = suites_offered(p);
    if (ans.o == TLS_RAW_ACCEPTED) {
        uint16_t g;
        if (!tls13)
            note_leaf(w, a.cipher, r.flight.have_server_hello ? &r.flight : NULL);
        /* A group that was not offered answers nothing about those that were. */
        if (chosen_group(w, &r, &a, &g) && contains(offered, n, g))
            ans.pick = g;
        else
            ans.no_pick = true;
    }
    if (stopped(&ans) && !run->error[0])
        snprintf(run->error, sizeof run->error, "%s: %.200s", tls13 ? "TLSv1.3 groups" : "ECDHE curves", r.summary);
    tls_raw_result_free(&r);
    return ans;
}

/* Records what the server passed over to pick, and moves a new pick from left to found. */
void gw_record_pick(group_walk_t *w, const uint16_t *offered, size_t n, uint16_t pick)
{
    if (w->hellos < GW_ROUNDS) {
        size_t k = 0;
        for (size_t i = 0; i < n && k < GW_MAX && offered[i] != pick; i++)
            w->passed[w->hellos][k++] = offered[i];
        w->npassed[w->hellos++] = k;
    }
    if (codes_take(w->left, &w->nleft, pick) && w->nfound < GW_MAX)
        w->found[w->nfound++] = pick;
}

static void undecided(group_walk_t *w, const uint16_t *codes, size_t n, const char *why)
{
    uint16_t c[GW_MAX];
    n = n < GW_MAX ? n : GW_MAX;
    memcpy(c, codes, n * sizeof *c); /* codes may be w->left itself */
    for (size_t i = 0; i < n; i++)
        if (codes_take(w->left, &w->nleft, c[i]) && w->nundecided < GW_MAX)
            w->undecided[w->nundecided++] = (gw_note_t){ .code = c[i], .why = why };
}

/* The server took the certificate's curve over every one of these. */
static void passed_for_kept(group_walk_t *w, const uint16_t *codes, size_t n)
{
    uint16_t c[GW_MAX];
    n = n < GW_MAX ? n : GW_MAX;
    memcpy(c, codes, n * sizeof *c);
    for (size_t i = 0; i < n; i++)
        if (codes_take(w->left, &w->nleft, c[i]) && w->nkept_over < GW_MAX)
            w->kept_over[w->nkept_over++] = c[i];
}

/* What is left, forwards or reversed, then the kept curve. */
static size_t offer_list(const group_walk_t *w, bool reversed, uint16_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < w->nleft; i++)
        out[n++] = w->left[reversed ? w->nleft - 1 - i : i];
    if (w->kept)
        out[n++] = w->kept;
    return n;
}

/* A refusal or close after curves were found: is it the certificate's curve missing? When no
 * answer so far came with a flight (the first is often the versions probe's), one more hello
 * with the found curves last shows the certificate, and may find a curve as well. Returns
 * whether the walk goes on (with w->kept set, or after a find). */
static bool keep_certificate_curve(gw_run_t *run, group_walk_t *w)
{
    if (w->version == WIRE_TLS13 || w->kept || !w->nfound || w->leaf == GW_LEAF_OTHER)
        return false;
    if (run->strict) {
        gw_bail(run);
        return false;
    }
    bool found_more = false;
    if (w->leaf == GW_LEAF_UNKNOWN) {
        uint16_t offered[2 * GW_MAX];
        size_t n = offer_list(w, false, offered);
        for (size_t i = 0; i < w->nfound; i++)
            offered[n++] = w->found[i];
        answer_t a = ask(run, w, offered, n);
        if (!a.pick)
            return false;
        found_more = contains(w->left, w->nleft, a.pick);
        gw_record_pick(w, offered, n, a.pick);
        if (w->leaf == GW_LEAF_EC && a.pick == w->leaf_curve && !found_more) {
            w->kept = a.pick;
            passed_for_kept(w, w->left, w->nleft);
            return false;
        }
    }
    if (w->leaf == GW_LEAF_EC && contains(w->found, w->nfound, w->leaf_curve))
        w->kept = w->leaf_curve;
    return w->kept || found_more;
}

/* A pick that passed over a group the server accepts: it does not follow the client. */
bool gw_passed_over_found(const group_walk_t *w)
{
    for (size_t h = 0; h < w->hellos; h++)
        for (size_t i = 0; i < w->npassed[h]; i++)
            if (contains(w->found, w->nfound, w->passed[h][i]))
                return true;
    return false;
}

/* The first two found, offered in reverse: a server with its own order picks the first
 * again (it took it over the second before), one that follows the client the second. */
static void learn_order(gw_run_t *run, group_walk_t *w)
{
    if (w->server_order >= 0 || w->order_tested)
        return;
    if (gw_passed_over_found(w)) {
        w->server_order = 1;
        return;
    }
    if (w->nfound < 2 || run->error[0])
        return;
    w->order_tested = true;
    uint16_t pair[3] = { w->found[1], w->found[0] };
    size_t n = 2;
    if (w->kept && !contains(pair, 2, w->kept))
        pair[n++] = w->kept;
    answer_t a = ask(run, w, pair, n);
    w->server_order = a.pick == w->found[0] ? 1 : a.pick == w->found[1] ? 0 : -1;
}

/* A group closed on when it was the server's only possible pick (alone, or before the anchor
 * of a server that takes the first group it lists), after it chose other groups from such
 * hellos: refused or chosen and failed, it is not accepted either way (it stays in left). A
 * timeout or garbage decides nothing. */
static void closed_alone(group_walk_t *w, uint16_t code, tls_raw_outcome_t o)
{
    if (o == TLS_RAW_TIMEOUT)
        undecided(w, &code, 1, WHY_TIMEOUT);
    else if (o != TLS_RAW_CLOSED)
        undecided(w, &code, 1, WHY_MALFORMED);
}

/* Whether the walk may spend another hello on set[0..n); else the set is undecided. */
static bool may_ask(gw_run_t *run, group_walk_t *w, const uint16_t *set, size_t n)
{
    if (run->error[0])
        undecided(w, set, n, WHY_STOPPED);
    else if (w->timeouts > GW_MAX_TIMEOUTS)
        undecided(w, set, n, WHY_TIMEOUTS);
    else if (!w->budget)
        undecided(w, set, n, WHY_BUDGET);
    else
        return true;
    return false;
}

/* Decides set[0..n) with an accepted group offered last (the certificate's curve, or a group
 * found on a server that follows the client's order): offer-and-remove while the server
 * picks from the set; the anchor picked decides the rest; a close splits the set. */
static void decide_anchored(gw_run_t *run, group_walk_t *w, const uint16_t *codes, size_t n, uint16_t anchor)
{
    uint16_t set[GW_MAX + 1];
    n = n < GW_MAX ? n : GW_MAX;
    memcpy(set, codes, n * sizeof *set);
    while (n > 0 && may_ask(run, w, set, n)) {
        set[n] = anchor;
        answer_t a = ask(run, w, set, n + 1);
        if (a.pick == anchor) {
            if (anchor == w->kept)
                passed_for_kept(w, set, n);
            return; /* else refused: the server takes the first group it lists */
        }
        if (a.pick) {
            gw_record_pick(w, set, n + 1, a.pick);
            codes_take(set, &n, a.pick);
            w->split_finds = true;
            continue;
        }
        if (stopped(&a)) {
            undecided(w, set, n, WHY_STOPPED);
            return;
        }
        if (refused(&a))
            return;
        w->timeouts += a.o == TLS_RAW_TIMEOUT;
        if (n == 1) {
            closed_alone(w, set[0], a.o);
            return;
        }
        decide_anchored(run, w, set, n / 2, anchor);
        decide_anchored(run, w, set + n / 2, n - n / 2, anchor);
        return;
    }
}

/* Decides each of set[0..n) offered alone (a server with its own order, or whose order is
 * unknown: a group offered last would decide nothing). */
static void decide_alone(gw_run_t *run, group_walk_t *w, const uint16_t *codes, size_t n)
{
    uint16_t set[GW_MAX];
    n = n < GW_MAX ? n : GW_MAX;
    memcpy(set, codes, n * sizeof *set);
    for (size_t i = 0; i < n; i++) {
        if (!may_ask(run, w, set + i, n - i))
            return;
        answer_t a = ask(run, w, &set[i], 1);
        if (a.pick) {
            gw_record_pick(w, &set[i], 1, a.pick);
            w->split_finds = true;
        } else if (stopped(&a)) {
            undecided(w, set + i, n - i, WHY_STOPPED);
            return;
        } else if (!refused(&a)) {
            w->timeouts += a.o == TLS_RAW_TIMEOUT;
            closed_alone(w, set[i], a.o);
        }
    }
}

/* The server closed (or timed out, or garbled) on a hello offering what is left, in a shape
 * it answers. */
static void decide_closed(gw_run_t *run, group_walk_t *w)
{
    if (!w->misbehaved) {
        w->misbehaved = true;
        w->budget = GW_BUDGET;
    }
    if (!w->nfound) {
        /* No group chosen from hellos of this kind: a close proves nothing. */
        undecided(w, w->left, w->nleft, WHY_NONE_CHOSEN);
        return;
    }
    learn_order(run, w);
    uint16_t left[GW_MAX];
    size_t n = w->nleft;
    memcpy(left, w->left, n * sizeof *left);
    if (w->kept)
        decide_anchored(run, w, left, n, w->kept);
    else if (w->server_order == 0)
        decide_anchored(run, w, left, n, w->found[0]);
    else
        decide_alone(run, w, left, n);
}

/* Every hello offering all these suites was closed on: a suite the server lists but closes on
 * when it picks it may be among them. Halves of them are offered (depth first, a bounded
 * number of hellos) until one is answered with a group: its suites are the walk's from then
 * on (left in w->suites). */
static bool split_suites(gw_run_t *run, group_walk_t *w, const uint16_t *s, size_t n, const uint16_t *offered,
                         size_t noffered, answer_t *a, int *budget)
{
    for (int half = 0; half < 2 && n >= 2; half++) {
        const uint16_t *part = half ? s + n / 2 : s;
        size_t np = half ? n - n / 2 : n / 2;
        if ((*budget)-- <= 0 || run->error[0])
            return false;
        memcpy(w->suites, part, np * sizeof *part);
        w->nsuites = np;
        w->chunk_at = 0;
        *a = ask(run, w, offered, noffered);
        if (a->pick)
            return true;
        if (!stopped(a) && !refused(a) && split_suites(run, w, part, np, offered, noffered, a, budget))
            return true;
    }
    return false;
}

/* The first hellos were closed on: is it a suite? The versions probe's pick alone, else halves
 * of the suites. Returns whether the walk goes on. */
static bool other_suites(gw_run_t *run, group_walk_t *w, const uint16_t *offered, size_t n)
{
    if (w->fallback && !w->on_fallback) {
        w->on_fallback = true;
        return true;
    }
    if (w->suites_split)
        return false;
    w->suites_split = true;
    w->on_fallback = false;
    uint16_t all[HELLO_MAX_CODES];
    size_t nall = w->nsuites - w->chunk_at;
    memcpy(all, w->suites + w->chunk_at, nall * sizeof *all);
    answer_t a;
    int budget = GW_SUITE_SPLITS;
    if (split_suites(run, w, all, nall, offered, n, &a, &budget)) {
        gw_record_pick(w, offered, n, a.pick);
        return true;
    }
    memcpy(w->suites, all, nall * sizeof *all); /* none answered: all of them again */
    w->nsuites = nall;
    w->chunk_at = 0;
    return false;
}

void gw_enumerate(gw_run_t *run, group_walk_t *w)
{
    for (size_t round = 0; w->nleft > 0 && !run->error[0]; round++) {
        if (round == GW_MAX_ROUNDS) {
            undecided(w, w->left, w->nleft, WHY_ROUNDS);
            return;
        }
        uint16_t offered[GW_MAX + 1];
        size_t n = offer_list(w, round % 2 == 1, offered);
        answer_t a = ask(run, w, offered, n);
        if (a.pick && a.pick == w->kept) {
            passed_for_kept(w, w->left, w->nleft);
            return;
        }
        if (a.pick) {
            gw_record_pick(w, offered, n, a.pick);
            continue;
        }
        if (stopped(&a)) {
            undecided(w, w->left, w->nleft, WHY_STOPPED);
            return;
        }
        if (refused(&a)) {
            /* Suites the shape left out of the hello, before any group was found. */
            if (!w->nfound && !w->on_fallback && w->chunk_at + a.suites < w->nsuites && a.suites) {
                if (run->strict) {
                    w->chunk_refused = true; /* the whole decides whether it would go on */
                    return;
                }
                w->chunk_at += a.suites;
                continue;
            }
            if (keep_certificate_curve(run, w))
                continue;
            return; /* what is left is refused */
        }
        /* Closed, timed out or garbled in a shape the endpoint answers: first, is it the
         * suite the server picks from these? A strict run leaves that to gw_after_close. */
        if (run->strict) {
            w->closed = true;
            return;
        }
        if (!w->nfound && other_suites(run, w, offered, n))
            continue;
        if (keep_certificate_curve(run, w))
            continue;
        decide_closed(run, w);
        return;
    }
}

int gw_first_from_memo(gw_run_t *run, group_walk_t *w)
{
    uint16_t offered[GW_MAX + 1];
    size_t n = offer_list(w, false, offered);
    hello_answer_t kept;
    build(run, w, offered, n);
    if (!hello_memo_find(run->ctx->ep, run->p, &kept))
        return 0;
    answer_t a = ask(run, w, offered, n); /* the kept answer again, taken as enumerate would */
    if (!a.pick) {
        run->reused--; /* not taken: gw_run asks it again */
        return -1;
    }
    gw_record_pick(w, offered, n, a.pick);
    return 1;
}

uint16_t gw_ask(gw_run_t *run, group_walk_t *w, const uint16_t *offered, size_t n)
{
    return ask(run, w, offered, n).pick;
}

group_walk_t *gw_new(uint16_t version, const uint16_t *candidates, size_t n, const uint16_t *suites, size_t nsuites,
                     uint16_t fallback)
{
    group_walk_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->version = version;
    w->nsuites = nsuites < HELLO_MAX_CODES ? nsuites : HELLO_MAX_CODES;
    memcpy(w->suites, suites, w->nsuites * sizeof *suites);
    w->fallback = fallback;
    for (size_t i = 0; i < n && w->norder < GW_MAX; i++)
        if (!contains(w->order, w->norder, candidates[i]))
            w->order[w->norder++] = candidates[i];
    memcpy(w->left, w->order, w->norder * sizeof *w->order);
    w->nleft = w->norder;
    w->server_order = -1;
    return w;
}

/* Groups found one set at a time are each the favourite of their set only: a server with its
 * own order gets them all offered, and each pick is removed, to recover its order. */
static void recover_order(gw_run_t *run, group_walk_t *w)
{
    if (w->server_order != 1 || !w->split_finds)
        return;
    for (size_t next = 0; next + 1 < w->nfound && !run->error[0]; next++) {
        uint16_t rest[GW_MAX + 1];
        size_t n = 0, at = w->nfound;
        for (size_t i = next; i < w->nfound; i++)
            rest[n++] = w->found[i];
        if (w->kept && !contains(rest, n, w->kept))
            rest[n++] = w->kept;
        answer_t a = ask(run, w, rest, n);
        for (size_t i = next; a.pick && i < w->nfound; i++)
            if (w->found[i] == a.pick)
                at = i;
        if (at == w->nfound)
            return;
        memmove(&w->found[next + 1], &w->found[next], (at - next) * sizeof *w->found);
        w->found[next] = a.pick;
    }
}

void gw_run(gw_run_t *run, group_walk_t *w)
{
    gw_enumerate(run, w);
    if (w->closed)
        return;
    learn_order(run, w);
    recover_order(run, w);
}

void gw_after_close(gw_run_t *run, group_walk_t *w)
{
    w->closed = false;
    decide_closed(run, w);
    learn_order(run, w);
    recover_order(run, w);
}

size_t gw_never_chosen(const group_walk_t *w, uint16_t *out)
{
    if (w->server_order == 0)
        return 0;
    memcpy(out, w->kept_over, w->nkept_over * sizeof *out);
    return w->nkept_over;
}
