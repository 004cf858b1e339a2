/* Offer-and-remove over one version's suites that holds on misbehaving servers; see
 * suite_enum.h for the method. */
#include "suite_enum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hello_memo.h"
#include "iana.h"
#include "tls_raw.h"
#include "wire.h"

/* Hellos one version may cost once the server closed on a hello in a shape it answers. Every
 * hello decides at least one code or splits a set in parts, so deciding n codes never takes
 * more than about 3n; dovecot's DHE suites (closes on picks and on refusals, client's order)
 * take about 90 for TLS 1.2. What is left when it is spent stays undecided. */
#define SPLIT_BUDGET 128
/* Timeouts tolerated per version: each costs the whole --timeout. */
#define MAX_TIMEOUTS 3

static const char WHY_TIMEOUT[] = "no answer before the deadline";
static const char WHY_TIMEOUTS[] = "not offered again after repeated timeouts";
static const char WHY_MALFORMED[] = "the answer when offered alone did not parse";
static const char WHY_CLOSED_ALONE[] = "closed when offered alone, and the server closes on refusals too";
static const char WHY_BUDGET[] = "hello budget spent on a server that closes on hellos";
static const char WHY_STOPPED[] = "enumeration stopped: no connection";
static const char WHY_CLOSES_ANCHOR[] = "closed when it was the first offered suite the server lists, "
                                        "before one it accepts";
static const char WHY_CLOSES_ALONE[] = "closed when offered alone; the server refuses others with an alert";
const char suite_enum_why_unfinished[] = "part stopped before deciding it";
static const char WHY_CLOSES_BEFORE[] = "closed when offered before a suite the server accepts";

/* Sets of codes still to enumerate, first in first out: the parts of a set the server closed
 * on are tried after every set of the same round, so suites that coarse hellos find are found
 * before the budget goes into isolating the closes. */
typedef struct pending {
    uint16_t *codes;
    size_t n;
} pending_t;

typedef struct eng {
    suite_enum_run_t *run;
    pending_t *queue;       /* a ring of SUITE_ENUM_MAX: the sets queued are disjoint, not empty */
    size_t head, tail;      /* taken, queued so far */
    suite_enum_t *vr;
    size_t budget;          /* hellos left once the server misbehaved */
    int timeouts;
    bool misbehaved;        /* a hello was closed in a shape the endpoint answers */
    bool order_tested;      /* the server's order was tested (test_order) */
    uint16_t first_offer[SUITE_ENUM_MAX]; /* the suites of the hello found[0] was picked from */
    size_t nfirst_offer;
    bool refusal_alerts;    /* suites of this version were refused with an alert */
    size_t hellos;          /* hellos of the zigzag, for its parity */
    size_t chunk, find_chunk; /* which hello set a find came from (chunks_with_finds) */
    bool part;              /* suite_enum_part: stop at the first misbehaviour */
    bool reversed;          /* the last offer listed its suites last to first (the zigzag) */
    bool aborted;           /* ... which happened */
} eng_t;

static void note(suite_note_t *list, size_t *n, uint16_t code, const char *why)
{
    if (*n < SUITE_ENUM_MAX)
        list[(*n)++] = (suite_note_t){ .code = code, .why = why };
}

static void undecided(eng_t *e, const uint16_t *c, size_t n, const char *why)
{
    for (size_t i = 0; i < n; i++)
        note(e->vr->undecided, &e->vr->nundecided, c[i], why);
}

/* What the hello just sent offered (the renegotiation SCSV not counted): the pick recorded
 * next was preferred over every other suite of it the server accepts. */
static void keep_first_offer(eng_t *e)
{
    const wire_hello_opts_t *o = &e->run->p->opts;
    e->nfirst_offer = 0;
    for (size_t i = 0; i < o->nsuites && e->nfirst_offer < SUITE_ENUM_MAX; i++)
        if (o->suites[i] != IANA_SCSV_EMPTY_RENEGOTIATION_INFO)
            e->first_offer[e->nfirst_offer++] = o->suites[i];
}

static void record_found(eng_t *e, const hello_answer_t *a)
{
    suite_enum_t *vr = e->vr;
    if (vr->nfound == SUITE_ENUM_MAX)
        return;
    if (vr->nfound == 0)
        keep_first_offer(e);
    suite_found_t *s = &vr->found[vr->nfound++];
    s->code = a->cipher;
    snprintf(s->kx_group, sizeof s->kx_group, "%s", a->kx_group);
    if (e->find_chunk != e->chunk) {
        vr->chunks_with_finds++;
        e->find_chunk = e->chunk;
    }
}

/* Puts c[0..n) (reversed on the zigzag's odd hellos) and the anchor, when there is one, in
 * the run's profile, cut to the endpoint's shape. Returns how many of c it offers; clears
 * *anchor when there was no room for it. */
static size_t build_offer(eng_t *e, const uint16_t *c, size_t n, uint16_t *anchor)
{
    suite_enum_run_t *run = e->run;
    hello_profile_t *p = run->p;
    const char *sni = run->ctx->ep->sni;
    uint16_t list[SUITE_ENUM_MAX + 1];
    hello_profile_init(p, sni, e->vr->version);
    size_t k = hello_shape_fit(&run->shape, p, c, n, 0);
    if (k < n)
        e->vr->zigzag = false;
    bool reversed = e->vr->zigzag && !*anchor && e->hellos++ % 2 == 1;
    e->reversed = reversed;
    if (!reversed && !*anchor)
        return k;
    for (size_t i = 0; i < k; i++)
        list[i] = reversed ? c[k - 1 - i] : c[i];
    if (*anchor) {
        list[k] = *anchor;
        hello_profile_init(p, sni, e->vr->version);
        size_t got = hello_shape_fit(&run->shape, p, list, k + 1, 0);
        if (got < 2) {
            *anchor = 0;
            hello_profile_init(p, sni, e->vr->version);
            return hello_shape_fit(&run->shape, p, c, n, 0);
        }
        if (got < k + 1) {
            k = got - 1;
            list[k] = *anchor;
        }
        hello_profile_init(p, sni, e->vr->version);
        hello_shape_fit(&run->shape, p, list, k + 1, 0);
        return k;
    }
    hello_profile_init(p, sni, e->vr->version);
    hello_shape_fit(&run->shape, p, list, k, 0);
    return k;
}

static tls_raw_outcome_t ask(eng_t *e, hello_answer_t *a, tls_raw_result_t *r)
{
    suite_enum_run_t *run = e->run;
    if (e->misbehaved && e->budget)
        e->budget--;
    return hello_shape_ask(run->ctx, &run->shape, run->p, a, r, &run->connections, &run->reused);
}

/* Offers these suites in this order, cut to the shape; the answer. */
static tls_raw_outcome_t ask_codes(eng_t *e, const uint16_t *codes, size_t n, hello_answer_t *a, tls_raw_result_t *r)
{
    hello_profile_init(e->run->p, e->run->ctx->ep->sni, e->vr->version);
    hello_shape_fit(&e->run->shape, e->run->p, codes, n, 0);
    return ask(e, a, r);
}

/* The pick of a hello offering these two suites in this order: the suite, 0 when not
 * accepted (or something else picked). */
static uint16_t pick_of(eng_t *e, uint16_t first, uint16_t second)
{
    uint16_t pair[2] = { first, second };
    tls_raw_result_t r;
    hello_answer_t a;
    tls_raw_outcome_t o = ask_codes(e, pair, 2, &a, &r);
    uint16_t pick = o == TLS_RAW_ACCEPTED && (r.cipher == first || r.cipher == second) ? r.cipher : 0;
    tls_raw_result_free(&r);
    return pick;
}

/* Where code was in the offer found[0] was picked from; SIZE_MAX when not offered there. */
static size_t first_offer_at(const eng_t *e, uint32_t code)
{
    for (size_t i = 0; i < e->nfirst_offer; i++)
        if (e->first_offer[i] == code)
            return i;
    return SIZE_MAX;
}

/* Server order or client order, from evidence that holds whatever hellos found the suites
 * (after a split they come from different parts: neither was offered with the other). The
 * server picked A = found[0] from an offer; a suite it accepts offered there before A proves
 * its own order (a server that follows the client takes the first it lists); one offered
 * after A, B, was passed over, so (B, A) gets A from a server with its own order, B from one
 * that follows the client. Without such a B, two found suites are offered both ways: the same
 * pick both times is the server's order, the first offered both times the client's. Anything
 * else (a close, a timeout) leaves the order unknown, and then no hello relies on it. */
static void test_order(eng_t *e)
{
    suite_enum_t *vr = e->vr;
    uint16_t a = (uint16_t)vr->found[0].code, b = 0;
    size_t at_a = first_offer_at(e, a);
    e->order_tested = true;
    for (size_t j = 1; j < vr->nfound && at_a != SIZE_MAX; j++) {
        size_t at = first_offer_at(e, vr->found[j].code);
        if (at < at_a) {
            vr->server_order = 1;
            return;
        }
        if (at != SIZE_MAX && !b)
            b = (uint16_t)vr->found[j].code;
    }
    if (b) {
        uint16_t pick = pick_of(e, b, a);
        vr->server_order = pick == a ? 1 : pick == b ? 0 : -1;
        return;
    }
    b = (uint16_t)vr->found[1].code;
    uint16_t pick = pick_of(e, b, a);
    if (pick == a) {
        vr->server_order = 1;
        return;
    }
    if (pick != b)
        return;
    pick = pick_of(e, a, b);
    vr->server_order = pick == b ? 1 : pick == a ? 0 : -1;
}

/* A single suite the server closed on: listed but unservable when that is certain. */
static int decide_single(eng_t *e, uint16_t code, tls_raw_outcome_t o, uint16_t anchor)
{
    suite_enum_t *vr = e->vr;
    if (o != TLS_RAW_CLOSED) {
        note(vr->undecided, &vr->nundecided, code, o == TLS_RAW_TIMEOUT ? WHY_TIMEOUT : WHY_MALFORMED);
        return 0;
    }
    /* Before a suite it accepts, the server could only have picked this one. */
    if (anchor) {
        note(vr->closes, &vr->ncloses, code, WHY_CLOSES_ANCHOR);
        return 0;
    }
    /* A server that refuses this version's suites with alerts would have refused this one
     * with an alert too. */
    if (e->refusal_alerts) {
        note(vr->closes, &vr->ncloses, code, WHY_CLOSES_ALONE);
        return 0;
    }
    if (!vr->nfound || !e->budget) {
        note(vr->undecided, &vr->nundecided, code, WHY_CLOSED_ALONE);
        return 0;
    }
    /* Before a suite it accepts: a close says it picked this one (in its own order too). */
    uint16_t pair[2] = { code, (uint16_t)vr->found[0].code };
    tls_raw_result_t r;
    hello_answer_t a;
    o = ask_codes(e, pair, 2, &a, &r);
    int rc = 0;
    if (o == TLS_RAW_ACCEPTED && r.cipher == code)
        record_found(e, &a);
    else if (o == TLS_RAW_CLOSED)
        note(vr->closes, &vr->ncloses, code, WHY_CLOSES_BEFORE);
    else if (o == TLS_RAW_CONNECT_FAILED || o == TLS_RAW_LOCAL_ERROR) {
        snprintf(e->run->error, sizeof e->run->error, "%s enumeration stopped: %.180s",
                 wire_version_name(vr->version), r.summary);
        note(vr->undecided, &vr->nundecided, code, WHY_STOPPED);
        rc = -1;
    } else if (o != TLS_RAW_ALERT && o != TLS_RAW_OTHER_VERSION)
        note(vr->undecided, &vr->nundecided, code, WHY_CLOSED_ALONE);
    tls_raw_result_free(&r);
    return rc;
}

/* Queues a copy of codes[0..n) to be enumerated. */
static int push(eng_t *e, const uint16_t *codes, size_t n)
{
    uint16_t *c = malloc((n ? n : 1) * sizeof *c);
    if (!c || e->tail - e->head == SUITE_ENUM_MAX) {
        free(c);
        snprintf(e->run->error, sizeof e->run->error, "out of memory");
        return -1;
    }
    memcpy(c, codes, n * sizeof *c);
    e->queue[e->tail++ % SUITE_ENUM_MAX] = (pending_t){ .codes = c, .n = n };
    return 0;
}

/* The server closed (or worse) on a hello offering c[0..k) in a shape it answers. */
static int decide_closed(eng_t *e, const uint16_t *c, size_t k, tls_raw_outcome_t o, uint16_t anchor)
{
    if (o == TLS_RAW_TIMEOUT && ++e->timeouts > MAX_TIMEOUTS) {
        undecided(e, c, k, WHY_TIMEOUTS);
        return 0;
    }
    if (k == 1)
        return decide_single(e, c[0], o, anchor);
    if (!e->budget) {
        undecided(e, c, k, WHY_BUDGET);
        return 0;
    }
    uint16_t parts[SUITE_ENUM_MAX];
    size_t ends[4], from = 0;
    size_t np = hello_split_suites(c, k, false, parts, ends);
    for (size_t i = 0; i < np; from = ends[i++])
        if (push(e, parts + from, ends[i] - from) != 0)
            return -1;
    return 0;
}

static void drop(uint16_t *c, size_t *n, size_t at, size_t count)
{
    memmove(&c[at], &c[at + count], (*n - at - count) * sizeof *c);
    *n -= count;
}

/* Decides every code of codes[0..n): offer, remove the pick, again; refused as a whole on a
 * refusal (or on the anchor picked by a server that follows the client); split on a close. */
static int enumerate(eng_t *e, uint16_t *c, size_t n)
{
    suite_enum_run_t *run = e->run;
    suite_enum_t *vr = e->vr;
    e->chunk++;
    int rc = 0;
    while (n > 0 && rc == 0) {
        if (e->misbehaved && !e->budget) {
            undecided(e, c, n, WHY_BUDGET);
            break;
        }
        if (e->timeouts > MAX_TIMEOUTS) {
            undecided(e, c, n, WHY_TIMEOUTS);
            break;
        }
        if (e->misbehaved && vr->server_order < 0 && !e->order_tested && vr->nfound >= 2)
            test_order(e);
        uint16_t anchor = e->misbehaved && vr->server_order == 0 && vr->nfound ? (uint16_t)vr->found[0].code : 0;
        size_t k = build_offer(e, c, n, &anchor);
        tls_raw_result_t r;
        hello_answer_t a;
        tls_raw_outcome_t o = ask(e, &a, &r);
        bool walk = hello_shape_unanswered(o) && hello_shape_may_walk(&run->shape) && !hello_shape_known(&run->shape, run->p);
        if (walk && e->part) {
            e->aborted = true;
            undecided(e, c, n, suite_enum_why_unfinished);
            tls_raw_result_free(&r);
            break;
        }
        if (walk) {
            o = hello_shape_walk(run->ctx, &run->shape, run->p, 0, &a, &r, &run->connections, &run->reused);
            if (o == TLS_RAW_ACCEPTED || o == TLS_RAW_ALERT || o == TLS_RAW_OTHER_VERSION) {
                /* A smaller shape is answered: offer the same suites again in it. */
                vr->zigzag = false;
                tls_raw_result_free(&r);
                continue;
            }
        }
        size_t at = k;
        for (size_t i = 0; o == TLS_RAW_ACCEPTED && i < k; i++)
            if (c[i] == r.cipher)
                at = i;
        bool anchor_picked = o == TLS_RAW_ACCEPTED && anchor && r.cipher == anchor;
        if (o == TLS_RAW_CONNECT_FAILED || o == TLS_RAW_LOCAL_ERROR) {
            snprintf(run->error, sizeof run->error, "%s enumeration stopped: %.180s",
                     wire_version_name(vr->version), r.summary);
            undecided(e, c, n, WHY_STOPPED);
            rc = -1;
        } else if (at < k) {
            record_found(e, &a);
            drop(c, &n, at, 1);
            if (e->part && run->regroup && n > 1) {
                size_t keep = run->regroup(run->regroup_arg, c, n, (uint16_t)r.cipher, !e->reversed);
                if (keep < n) {
                    n = keep;
                    /* The next offers are a part of what the zigzag would offer: the order
                     * is the caller's to prove. */
                    vr->zigzag = false;
                }
            }
        } else if (anchor_picked || o == TLS_RAW_ALERT || o == TLS_RAW_OTHER_VERSION) {
            e->refusal_alerts |= o == TLS_RAW_ALERT;
            /* Refused: an answer, or the anchor chosen over all of them by a server that
             * takes the first suite it lists in the client's order. */
            drop(c, &n, 0, k);
            e->chunk++;
        } else if (e->part) {
            /* Not decided in parts: what is left goes to the engine that holds. */
            e->aborted = true;
            undecided(e, c, n, suite_enum_why_unfinished);
        } else {
            /* Closed, timed out or garbled, in a shape the endpoint answers. */
            e->misbehaved = true;
            vr->zigzag = false;
            rc = decide_closed(e, c, k, o == TLS_RAW_ACCEPTED ? TLS_RAW_MALFORMED : o, anchor);
            drop(c, &n, 0, k);
            e->chunk++;
        }
        tls_raw_result_free(&r);
        if (e->aborted)
            break;
    }
    return rc;
}

/* Whether the picks are what a server following the client's order gives the zigzag offers:
 * the first of what is left in our order, then the last, and so on. */
bool suite_enum_picks_follow_client(const suite_enum_t *vr)
{
    uint16_t cand[SUITE_ENUM_MAX], ours[SUITE_ENUM_MAX];
    size_t ncand = iana_suites_for_version(vr->version, cand, SUITE_ENUM_MAX), m = 0;
    for (size_t i = 0; i < ncand && i < SUITE_ENUM_MAX; i++)
        for (size_t j = 0; j < vr->nfound; j++)
            if (vr->found[j].code == cand[i])
                ours[m++] = cand[i];
    if (m != vr->nfound || m == 0)
        return false;
    size_t lo = 0, hi = m - 1;
    for (size_t k = 0; k < m; k++)
        if (vr->found[k].code != (k % 2 == 0 ? ours[lo++] : ours[hi--]))
            return false;
    return true;
}

/* Server order or client order, unless already tested: the zigzag picks may prove the
 * server's own order without a connection spent on it. */
static void detect_server_order(eng_t *e)
{
    suite_enum_t *vr = e->vr;
    if (e->order_tested || vr->nfound < 2)
        return;
    /* A server that follows the client could not have picked otherwise. */
    if (vr->zigzag && !suite_enum_picks_follow_client(vr)) {
        vr->server_order = 1;
        return;
    }
    test_order(e);
}

/* When finds came from several hellos' sets, each pick was the favourite of its set only;
 * the server's full order is recovered by offering all found suites and removing each pick. */
void suite_enum_recover_order(suite_enum_run_t *run, suite_enum_t *vr)
{
    for (size_t next = 0; next + 1 < vr->nfound; next++) {
        uint16_t rest[SUITE_ENUM_MAX];
        size_t n = 0;
        for (size_t i = next; i < vr->nfound; i++)
            rest[n++] = (uint16_t)vr->found[i].code;
        hello_profile_init(run->p, run->ctx->ep->sni, vr->version);
        hello_shape_fit(&run->shape, run->p, rest, n, 0);
        tls_raw_result_t r;
        hello_answer_t a;
        tls_raw_outcome_t o = hello_shape_ask(run->ctx, &run->shape, run->p, &a, &r, &run->connections, &run->reused);
        for (size_t i = next; o == TLS_RAW_ACCEPTED && i < vr->nfound; i++)
            if (vr->found[i].code == r.cipher) {
                suite_found_t pick = vr->found[i];
                memmove(&vr->found[next + 1], &vr->found[next], (i - next) * sizeof pick);
                vr->found[next] = pick;
                break;
            }
        tls_raw_result_free(&r);
        if (o != TLS_RAW_ACCEPTED)
            return;
    }
}

static void recover_server_order(eng_t *e)
{
    if (e->vr->server_order == 1 && e->vr->chunks_with_finds >= 2)
        suite_enum_recover_order(e->run, e->vr);
}

/* Enumerates codes[0..n) of vr->version; in a part, stops at the first misbehaviour
 * (returns 1) and leaves the order to the caller. */
static int enumerate_codes(suite_enum_run_t *run, suite_enum_t *vr, const uint16_t *codes, size_t n, bool part)
{
    eng_t e = { .run = run, .vr = vr, .budget = SPLIT_BUDGET, .find_chunk = (size_t)-1, .part = part };
    vr->server_order = -1;
    /* Finds made before (suite_enum_resume) came from other hellos. */
    vr->zigzag = vr->nfound == 0;
    if (vr->nfound)
        vr->chunks_with_finds++;
    e.queue = malloc(SUITE_ENUM_MAX * sizeof *e.queue);
    int rc = e.queue ? push(&e, codes, n) : -1;
    if (!e.queue)
        snprintf(run->error, sizeof run->error, "out of memory");
    while (e.head < e.tail) {
        pending_t q = e.queue[e.head++ % SUITE_ENUM_MAX];
        if (rc == 0 && !e.aborted)
            rc = enumerate(&e, q.codes, q.n);
        else
            undecided(&e, q.codes, q.n, e.aborted ? suite_enum_why_unfinished : WHY_STOPPED);
        free(q.codes);
    }
    free(e.queue);
    if (part)
        return rc == 0 && e.aborted ? 1 : rc;
    if (rc == 0) {
        detect_server_order(&e);
        recover_server_order(&e);
    }
    return rc;
}

int suite_enum_part(suite_enum_run_t *run, suite_enum_t *vr, const uint16_t *codes, size_t n)
{
    return enumerate_codes(run, vr, codes, n, true);
}

int suite_enum_resume(suite_enum_run_t *run, suite_enum_t *vr, const uint16_t *codes, size_t n)
{
    return enumerate_codes(run, vr, codes, n, false);
}

int suite_enum_tls(suite_enum_run_t *run, suite_enum_t *vr)
{
    uint16_t cand[SUITE_ENUM_MAX];
    size_t ncand = iana_suites_for_version(vr->version, cand, SUITE_ENUM_MAX);
    if (ncand > SUITE_ENUM_MAX)
        ncand = SUITE_ENUM_MAX;
    return enumerate_codes(run, vr, cand, ncand, false);
}
