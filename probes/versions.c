/* versions: which protocol versions the endpoint accepts, from SSLv2 to TLS 1.3, each tested
 * with hand-built hellos offering every suite defined for that version, then one hello
 * offering everything to see which version and suite the server prefers. Raw hellos, not the
 * local OpenSSL, so versions it cannot speak any more are still seen.
 *
 * A version is accepted on any ServerHello for it; refused on an answer that says so (an
 * alert, a ServerHello for another version, an SSLv2 ERROR) or when every hello tried for it
 * was closed unanswered (a server that closes on every shape of a version, and on each of its
 * key exchanges alone, does not speak it); unknown otherwise (timeouts, answers that do not
 * parse, no connection, the split budget spent: see conclude), never guessed.
 * Servers misbehave, so a close is never taken at its word at once:
 *  - the hello shapes the endpoint answers (suite count, extensions) are learned here, once,
 *    and every later hello of every probe is cut to them (hello_shape.h); a version's suites
 *    are then offered chunk by chunk, and a chunk refused by handshake_failure only refuses
 *    its suites, not the version;
 *  - a close in a shape the endpoint answers is about the suites: a server may close whenever
 *    its pick is a suite it cannot serve (dovecot lists DHE suites without DH parameters), so
 *    the suites of the chunks closed on are offered again by key exchange (ECDHE, DHE, RSA,
 *    the rest), and, once the server refused a hello of the version with an alert (so that
 *    its closes are picks), each part closed on in halves, down to single suites, within a
 *    budget (closed_on).
 * Cost: the everything-hello first, alone (it teaches the shape), then the six versions at
 * once as tasks of probe_fanout over the endpoint's free per-host slots: about 6 connections
 * (the version the everything-hello was answered in is not asked again) in the time of two
 * hellos instead of seven one after another. Only the shape ties a version to the ones before
 * it, so the facts, the published shape and the recorded answers are those of asking them one
 * after another (ask_versions_fanned); an endpoint that did not answer the everything-hello
 * gets them one after another. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hello_memo.h"
#include "hello_profile.h"
#include "hello_shape.h"
#include "probe.h"
#include "probe_raw.h"
#include "iana.h"
#include "tls_raw.h"
#include "wire.h"

/* Hellos one version may spend on the parts of sets it closed on (closed_on). */
#define VERSION_SPLIT_BUDGET 16

/* Every SSLv2 cipher kind, strongest first (a stable insertion sort by key bits). */
static size_t sslv2_kinds(uint32_t *out, size_t cap)
{
    uint16_t bits[64];
    size_t n = 0;
    for (size_t i = 0; i < iana_sslv2_kinds_count && n < cap && n < 64; i++) {
        size_t j = n++;
        for (; j > 0 && bits[j - 1] < iana_sslv2_kinds[i].bits; j--) {
            bits[j] = bits[j - 1];
            out[j] = out[j - 1];
        }
        bits[j] = iana_sslv2_kinds[i].bits;
        out[j] = iana_sslv2_kinds[i].code;
    }
    return n;
}

static json_object *cipher_json(const tls_raw_result_t *r)
{
    char hex[16];
    if (r->cipher_name)
        return json_object_new_string(r->cipher_name);
    if (r->version == WIRE_SSL2)
        snprintf(hex, sizeof hex, "0x%06x", (unsigned)r->sslv2_kind);
    else
        snprintf(hex, sizeof hex, "0x%04x", r->cipher);
    return json_object_new_string(hex);
}

typedef enum { V_UNKNOWN = -1, V_REFUSED = 0, V_ACCEPTED = 1 } vstate_t;

/* What all the hellos for one version add up to. */
typedef struct vanswer {
    vstate_t state;
    tls_raw_result_t r;       /* the accepted answer (its cipher), else empty */
    char result[200];         /* "accepted", the refusal, "closed ...", or why it is unknown */
    size_t hellos;            /* answers folded in; connections for the version once concluded */
    size_t closes;            /* of them closed unanswered (or reset) */
    char refusal[200];        /* the first refusal seen, "" when none */
    char unknown[200];        /* the first timeout, malformed answer or connect failure, "" when none */
    bool reduced;             /* decided by a hello cut to a shape the endpoint answers */
    size_t unsplit;           /* suites of sets closed on that the split budget left whole */
} vanswer_t;

static json_object *protocol_json(const char *name, const vanswer_t *v)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "accepted", v->state == V_UNKNOWN ? NULL : json_object_new_boolean(v->state == V_ACCEPTED));
    json_object_object_add(o, "result", json_object_new_string(v->result));
    if (v->state == V_ACCEPTED)
        json_object_object_add(o, "cipher", cipher_json(&v->r));
    if (v->reduced)
        json_object_object_add(o, "hello_size_limited", json_object_new_boolean(true));
    return o;
}

/* The hellos a version's task sent and the gist of their answers (no bytes), in order. */
typedef struct vsent {
    uint16_t version;
    uint16_t *suites;           /* as offered, the SCSV included */
    size_t n;
    tls_raw_result_t gist;
} vsent_t;

typedef struct vlog {
    vsent_t *e;
    size_t n, cap;
    size_t next;                /* the next one to give again */
    size_t given;               /* given again (not sent twice) */
    bool lost;                  /* out of memory: the hellos after n were not kept */
} vlog_t;

/* What the per-version results add up to. */
typedef struct tally {
    probe_ctx_t *ctx;
    hello_profile_t *p;
    hello_shape_t shape;        /* learned here, published for the later probes */
    json_object *protocols;
    json_object *accepted;
    size_t connections;         /* tried, made or not */
    size_t failed;              /* connections that could not be made */
    size_t reused;              /* answers kept from an earlier hello (the everything-hello) */
    char last_failure[200];     /* why the last connection could not be made */
    bool unresponsive;          /* accepts connections, answers no hello (last_failure says so) */
    /* A version's task (ask_versions_fanned): the everything-hello was answered, so it
     * neither gives up nor tests for silence; it records no answer (they are recorded in order
     * afterwards) and stops (aborted) where it would walk the shape ladder. */
    bool task;
    bool aborted;
    /* A task's hellos (logged); asked again on this thread, they are given their answers
     * again instead of being sent, as long as the same hellos come in the same order. */
    vlog_t *log;
} tally_t;

/* Two failed connects and not one made: the endpoint is down or filtered, and trying the
 * remaining hellos would only cost a timeout each. So is one that answers no hello at all. */
static bool give_up(const tally_t *t)
{
    if (t->task)
        return false;
    return t->unresponsive || (t->connections == t->failed && t->failed >= 2);
}

/* Not a byte before the timeout, on a connection that was made. */
static bool silent(const tls_raw_result_t *r)
{
    return r->outcome == TLS_RAW_TIMEOUT && r->raw_len == 0;
}

/* The first hello (every suite of every version: large, and odd to some servers) got no byte:
 * one small, ordinary TLS 1.2 hello (the shape ladder's last rung) tells a server that ignores
 * such hellos from one that ignores every hello. True when that one gets no byte either: the
 * endpoint is then unresponsive, and its other hellos would each cost a timeout for nothing. */
static bool unresponsive(tally_t *t, const tls_raw_result_t *first)
{
    if (t->task || t->connections != 1 || t->reused || !silent(first))
        return false;
    hello_profile_t *p = malloc(sizeof *p);
    uint16_t *suites = malloc(HELLO_MAX_CODES * sizeof *suites);
    bool none = false;
    if (p && suites) {
        hello_shape_t small;
        hello_shape_init(&small);
        small.level = HELLO_EXT_KNOWN;
        small.max_codes = 64;
        small.avoid_window = true;
        size_t n = iana_suites_for_version(WIRE_TLS12, suites, HELLO_MAX_CODES);
        hello_profile_init(p, t->ctx->ep->sni, WIRE_TLS12);
        hello_shape_fit(&small, p, suites, n < HELLO_MAX_CODES ? n : HELLO_MAX_CODES, 0);
        tls_raw_result_t r;
        t->connections++;
        probe_raw_hello(t->ctx, &p->opts, &r);
        none = silent(&r);
        tls_raw_result_free(&r);
    }
    free(p);
    free(suites);
    if (none)
        snprintf(t->last_failure, sizeof t->last_failure, "unresponsive: no answer to a TLS hello within %g s",
                 t->ctx->ep->opts->timeout_s);
    return none;
}

static void note_failure(tally_t *t, const tls_raw_result_t *r)
{
    if (r->outcome != TLS_RAW_CONNECT_FAILED && r->outcome != TLS_RAW_LOCAL_ERROR)
        return;
    t->failed++;
    snprintf(t->last_failure, sizeof t->last_failure, "%s", r->summary);
}

static void set_given_up(tally_t *t, tls_raw_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->outcome = TLS_RAW_CONNECT_FAILED;
    snprintf(r->summary, sizeof r->summary, "%s", t->last_failure);
}

static bool same_hello(const vsent_t *e, const hello_profile_t *p)
{
    return e->version == p->version && e->n == p->opts.nsuites &&
           memcmp(e->suites, p->opts.suites, e->n * sizeof *e->suites) == 0;
}

/* A task's hello and answer, kept for asking again. Out of memory, the log ends there: the
 * hellos after it are sent again. */
static void log_sent(tally_t *t, const tls_raw_result_t *r)
{
    vlog_t *l = t->log;
    if (l->lost)
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap * 2 + 8;
        vsent_t *e = realloc(l->e, cap * sizeof *e);
        if (!e) {
            l->lost = true;
            return;
        }
        l->e = e;
        l->cap = cap;
    }
    vsent_t *e = &l->e[l->n];
    if (!(e->suites = malloc((t->p->opts.nsuites + 1) * sizeof *e->suites))) {
        l->lost = true;
        return;
    }
    l->n++;
    e->version = t->p->version;
    e->n = t->p->opts.nsuites;
    memcpy(e->suites, t->p->opts.suites, e->n * sizeof *e->suites);
    e->gist = *r;
    e->gist.raw = NULL;
    memset(&e->gist.flight, 0, sizeof e->gist.flight);
}

static void vlog_free(vlog_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->e[i].suites);
    free(l->e);
}

/* The answer a task got to this very hello, when it is the next one it sent: no answer that
 * decides a version (a task sends nothing after one), so the gist is all that is read. */
static bool replayed(tally_t *t, tls_raw_result_t *r)
{
    vlog_t *l = t->task ? NULL : t->log;
    if (!l || l->next == l->n)
        return false;
    const vsent_t *e = &l->e[l->next];
    if (!same_hello(e, t->p) || e->gist.outcome == TLS_RAW_ACCEPTED || e->gist.outcome == TLS_RAW_OTHER_VERSION) {
        l->next = l->n;
        return false;
    }
    l->next++;
    l->given++;
    *r = e->gist;
    t->connections++;
    hello_shape_note(&t->shape, t->p, r->outcome);
    return true;
}

/* Sends p as the endpoint's shape allows (p's suites already fitted); when it gets no answer
 * in a shape never answered, walks the shape ladder. */
static tls_raw_outcome_t send_shaped(tally_t *t, tls_raw_result_t *r)
{
    if (give_up(t)) {
        set_given_up(t, r);
        return r->outcome;
    }
    hello_answer_t a;
    tls_raw_outcome_t o = replayed(t, r) ? r->outcome
                                         : hello_shape_ask(t->ctx, &t->shape, t->p, &a, r, &t->connections, &t->reused);
    if (t->task)
        log_sent(t, r);
    note_failure(t, r);
    if ((t->unresponsive = unresponsive(t, r)))
        return o;
    if (hello_shape_unanswered(o) && hello_shape_may_walk(&t->shape) && !hello_shape_known(&t->shape, t->p)) {
        /* What a walk learns changes the hellos of the versions after this one: a task leaves
         * it to the sequential engine (ask_versions_fanned). */
        if ((t->aborted = t->task))
            return o;
        o = hello_shape_walk(t->ctx, &t->shape, t->p, 0, &a, r, &t->connections, &t->reused);
        note_failure(t, r);
    }
    return o;
}

/* Folds one answer into v (cut: to a hello with fewer suites or extensions than asked, for
 * the endpoint's shape); true when it decides the version. */
static bool fold(vanswer_t *v, tls_raw_result_t *r, bool cut)
{
    tls_raw_outcome_t o = r->outcome;
    v->hellos++;
    if (o == TLS_RAW_ACCEPTED || o == TLS_RAW_OTHER_VERSION ||
        (o == TLS_RAW_ALERT && r->alert == 70 /* protocol_version */)) {
        v->state = o == TLS_RAW_ACCEPTED ? V_ACCEPTED : V_REFUSED;
        snprintf(v->result, sizeof v->result, "%s", r->summary);
        v->reduced = cut;
        tls_raw_result_free(&v->r);
        v->r = *r;
        return true;
    }
    if (o == TLS_RAW_ALERT && !v->refusal[0])
        snprintf(v->refusal, sizeof v->refusal, "%s", r->summary);
    if (o == TLS_RAW_CLOSED)
        v->closes++;
    else if (o != TLS_RAW_ALERT && !v->unknown[0])
        snprintf(v->unknown, sizeof v->unknown, "%s", r->summary);
    tls_raw_result_free(r);
    return false;
}

/* A version not decided by an answer: refused when every hello was refused or closed, else
 * unknown. A server that refused some of its hellos with an alert reads this version's
 * suites, so its closes are picks of suites it cannot serve: when the split budget left some
 * of them in parts, a suite it serves may be among them, and the version is unknown. One that
 * closed on every hello, each key exchange on its own too, behaves as a server that does not
 * speak the version: refused. */
static void conclude(vanswer_t *v, size_t hellos)
{
    v->hellos = hellos;
    if (v->state != V_UNKNOWN || v->result[0])
        return;
    if (!v->unknown[0] && v->refusal[0] && v->unsplit)
        snprintf(v->unknown, sizeof v->unknown,
                 "%.80s; closed on the other hellos, %zu suites not offered apart when the split "
                 "budget ran out (%zu hellos)", v->refusal, v->unsplit, v->hellos);
    if (v->unknown[0])
        snprintf(v->result, sizeof v->result, "%s", v->unknown);
    else if (v->refusal[0] && !v->closes)
        snprintf(v->result, sizeof v->result, "%s", v->refusal);
    else if (v->refusal[0])
        snprintf(v->result, sizeof v->result, "%.120s; closed on the other hellos (%zu hellos)", v->refusal, v->hellos);
    else if (v->hellos == 1)
        snprintf(v->result, sizeof v->result, "closed");
    else
        snprintf(v->result, sizeof v->result, "closed on every hello tried (%zu hellos)", v->hellos);
    v->state = v->unknown[0] ? V_UNKNOWN : V_REFUSED;
}

/* Suites p offers, the renegotiation SCSV not counted. */
static size_t offered(const hello_profile_t *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->opts.nsuites; i++)
        n += p->opts.suites[i] != IANA_SCSV_EMPTY_RENEGOTIATION_INFO;
    return n;
}

/* A set of one version's suites to offer; depth: how many splits made it. */
typedef struct vset {
    uint16_t *codes;
    size_t n;
    int depth;
} vset_t;

/* Sets first in first out: the parts of a set closed on are offered after the sets queued
 * before them. They are disjoint and not empty: at most HELLO_MAX_CODES at once. */
typedef struct vqueue {
    vset_t sets[HELLO_MAX_CODES];
    size_t head, tail;
} vqueue_t;

/* The hellos of one version. */
typedef struct vask {
    tally_t *t;
    uint16_t version;
    vanswer_t *v;
    vqueue_t todo;          /* sets to offer */
    vqueue_t later;         /* sets closed on, split only once the version refused a hello */
    uint16_t closed[HELLO_MAX_CODES]; /* the whole list's suites in hellos closed on */
    size_t nclosed;
    size_t budget;          /* hellos left for the parts of sets closed on */
    bool done;              /* an answer decided the version, or no connection */
} vask_t;

static bool vq_push(vask_t *k, vqueue_t *q, const uint16_t *codes, size_t n, int depth)
{
    uint16_t *c = malloc(n * sizeof *c);
    if (!c || q->tail - q->head == HELLO_MAX_CODES) {
        free(c);
        snprintf(k->v->unknown, sizeof k->v->unknown, "out of memory");
        k->done = true;
        return false;
    }
    memcpy(c, codes, n * sizeof *c);
    q->sets[q->tail++ % HELLO_MAX_CODES] = (vset_t){ .codes = c, .n = n, .depth = depth };
    return true;
}

static bool vq_pop(vqueue_t *q, vset_t *out)
{
    if (q->head == q->tail)
        return false;
    *out = q->sets[q->head++ % HELLO_MAX_CODES];
    return true;
}

/* Queues the parts of c[0..n), a set the server closed on: by key exchange (ECDHE, DHE, RSA,
 * the rest), a single one in halves, as the ciphers probe splits (hello_split_suites). */
static void split(vask_t *k, const uint16_t *c, size_t n, int depth)
{
    uint16_t parts[HELLO_MAX_CODES];
    size_t ends[4], from = 0;
    size_t np = hello_split_suites(c, n, false, parts, ends);
    for (size_t i = 0; i < np && vq_push(k, &k->todo, parts + from, ends[i] - from, depth + 1); from = ends[i++])
        ;
}

/* The server closed on c[0..n) although the endpoint answers hellos: maybe its pick was a suite
 * it cannot serve, and a part that leaves that suite out is answered. The whole list's suites
 * in hellos closed on are split together once the list has been offered (into key exchanges,
 * or halves); the parts of those parts only once the server refused a hello of this version
 * with an alert, which shows it reads this version's suites, so that its closes are picks. A
 * server that closes on every hello of a version gets one hello per key exchange (TLS 1.3:
 * two halves), or per chunk of one, no more. */
static void closed_on(vask_t *k, const uint16_t *c, size_t n, int depth)
{
    if (depth == 0) {
        memcpy(k->closed + k->nclosed, c, n * sizeof *c);
        k->nclosed += n;
    } else if (k->v->refusal[0]) {
        split(k, c, n, depth);
    } else {
        vq_push(k, &k->later, c, n, depth);
    }
}

/* Offers the set in the endpoint's shape, chunk by chunk. */
static void offer_set(vask_t *k, const vset_t *set)
{
    tally_t *t = k->t;
    endpoint_t *ep = t->ctx->ep;
    for (size_t at = 0; at < set->n && !k->done;) {
        if (set->depth > 0 && !k->budget) {
            k->v->unsplit += set->n - at;
            return;
        }
        k->budget -= set->depth > 0;
        tls_raw_result_t r;
        hello_profile_init(t->p, ep->sni, k->version);
        size_t n = hello_shape_fit(&t->shape, t->p, set->codes + at, set->n - at, 0);
        tls_raw_outcome_t o = send_shaped(t, &r);
        if (t->aborted) {
            tls_raw_result_free(&r);
            k->done = true;
            return;
        }
        /* A walk that got an answer may have sent fewer suites: what p offers last is what
         * was asked. One that got none tried them all. */
        if (!hello_shape_unanswered(o) && offered(t->p) > 0)
            n = offered(t->p);
        if (o == TLS_RAW_ACCEPTED && !t->task)
            hello_memo_record(ep, t->p, &r);
        /* A part that times out ends the splitting: each more could cost the whole timeout,
         * and the version is unknown now unless a part is accepted. */
        k->done = fold(k->v, &r, n < set->n - at || t->shape.level != HELLO_EXT_FULL) ||
                  o == TLS_RAW_CONNECT_FAILED || o == TLS_RAW_LOCAL_ERROR ||
                  (o == TLS_RAW_TIMEOUT && set->depth > 0);
        if (!k->done && o == TLS_RAW_CLOSED && t->shape.answered_any && n > 1)
            closed_on(k, set->codes + at, n, set->depth);
        at += n;
    }
}

/* Offers suites[0..n) of version: the whole list chunk by chunk, then the parts of the sets
 * closed on, within the budget. */
static void ask_version(tally_t *t, uint16_t version, const uint16_t *suites, size_t n, vanswer_t *v)
{
    size_t start = t->connections;
    vask_t *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(v->unknown, sizeof v->unknown, "out of memory");
        conclude(v, 0);
        return;
    }
    k->t = t;
    k->version = version;
    k->v = v;
    k->budget = VERSION_SPLIT_BUDGET;
    vset_t set = { .codes = (uint16_t *)suites, .n = n };
    offer_set(k, &set);
    if (!k->done && k->nclosed)
        split(k, k->closed, k->nclosed, 0);
    for (;;) {
        if (vq_pop(&k->todo, &set)) {
            if (!k->done)
                offer_set(k, &set);
            else
                v->unsplit += set.n;
            free(set.codes);
        } else if (vq_pop(&k->later, &set)) {
            if (!k->done && v->refusal[0])
                split(k, set.codes, set.n, set.depth);
            free(set.codes);
        } else {
            break;
        }
    }
    free(k);
    conclude(v, t->connections - start);
}

static void ask_sslv2(tally_t *t, vanswer_t *v)
{
    uint32_t kinds[64];
    wire_sslv2_hello_opts_t h2 = { .version = WIRE_SSL2, .kinds = kinds };
    h2.nkinds = sslv2_kinds(kinds, sizeof kinds / sizeof *kinds);
    tls_raw_result_t r;
    if (give_up(t)) {
        set_given_up(t, &r);
    } else {
        t->connections++;
        probe_raw_sslv2(t->ctx, &h2, &r);
        note_failure(t, &r);
    }
    /* An SSLv2 CLIENT-HELLO has one shape: closed on it is closed on every shape. An SSLv2
     * ERROR is a refusal like an alert. */
    if (!fold(v, &r, false))
        conclude(v, 1);
}

/* Every suite of every version, strongest versions' suites first. */
static size_t everything_suites(uint16_t *suites)
{
    static const uint16_t all_versions[] = { WIRE_TLS13, WIRE_TLS12, WIRE_TLS11, WIRE_TLS10, WIRE_SSL3 };
    size_t n = 0;
    for (size_t i = 0; i < sizeof all_versions / sizeof *all_versions; i++) {
        uint16_t one[HELLO_MAX_CODES];
        size_t k = iana_suites_for_version(all_versions[i], one, HELLO_MAX_CODES);
        for (size_t j = 0; j < k && j < HELLO_MAX_CODES; j++) {
            size_t x = 0;
            while (x < n && suites[x] != one[j])
                x++;
            if (x == n && n < HELLO_MAX_CODES)
                suites[n++] = one[j];
        }
    }
    return n;
}

/* The everything-hello: the server picks its preferred version and suite. An endpoint that
 * takes fewer suites per hello gets them chunk by chunk until one is not refused by
 * handshake_failure. When even the ladder gets no answer from an endpoint that answered
 * nothing, its ECDHE suites alone once more (a server whose favourite suite is one it cannot
 * serve closes on every full hello). */
static void ask_preference(tally_t *t, const uint16_t *suites, size_t n, tls_raw_result_t *pref)
{
    endpoint_t *ep = t->ctx->ep;
    tls_raw_outcome_t o;
    for (size_t at = 0;;) {
        hello_profile_init_all_versions(t->p, ep->sni);
        hello_shape_fit(&t->shape, t->p, suites + at, n - at, 0);
        o = send_shaped(t, pref);
        at += offered(t->p) ? offered(t->p) : 1;
        if (o != TLS_RAW_ALERT || pref->alert == 70 /* protocol_version */ || at >= n)
            break;
        tls_raw_result_free(pref);
    }
    if (o == TLS_RAW_CLOSED && !t->shape.answered_any) {
        uint16_t parts[HELLO_MAX_CODES];
        size_t ends[4];
        if (hello_split_suites(suites, n, true, parts, ends) > 1 && ends[0] < n) {
            tls_raw_result_free(pref);
            hello_profile_init_all_versions(t->p, ep->sni);
            hello_shape_fit(&t->shape, t->p, parts, ends[0], 0);
            o = send_shaped(t, pref);
        }
    }
    if (o == TLS_RAW_ACCEPTED)
        hello_memo_record(ep, t->p, pref);
}

/* The versions in the order the sequential engine asks them (and the report lists them). */
static const uint16_t asked_versions[] = { WIRE_SSL2, WIRE_SSL3, WIRE_TLS10, WIRE_TLS11, WIRE_TLS12, WIRE_TLS13 };
#define NVERSIONS (sizeof asked_versions / sizeof *asked_versions)

/* Asks one version: SSLv2's one hello, or every suite of a TLS version. */
static void ask_one(tally_t *t, uint16_t version, uint16_t *suites, vanswer_t *v)
{
    memset(v, 0, sizeof *v);
    v->state = V_UNKNOWN;
    if (version == WIRE_SSL2) {
        ask_sslv2(t, v);
        return;
    }
    size_t n = iana_suites_for_version(version, suites, HELLO_MAX_CODES);
    ask_version(t, version, suites, n < HELLO_MAX_CODES ? n : HELLO_MAX_CODES, v);
}

/* The versions asked at once, one task each, with a copy of the shape. */
typedef struct vfan {
    tally_t t[NVERSIONS];
    vanswer_t v[NVERSIONS];
    vlog_t log[NVERSIONS];
    uint16_t suites[NVERSIONS][HELLO_MAX_CODES];
} vfan_t;

static void version_task(probe_ctx_t *task, void *arg, size_t i)
{
    vfan_t *f = arg;
    f->t[i].ctx = task;
    ask_one(&f->t[i], asked_versions[i], f->suites[i], &f->v[i]);
}

static bool same_fit(const hello_shape_t *a, const hello_shape_t *b)
{
    return a->level == b->level && a->max_codes == b->max_codes && a->avoid_window == b->avoid_window;
}

/* Version i asked again on this thread, as the sequential engine asks it, its task's hellos
 * given their answers again while they are the ones it sends (those are not sent twice). */
static void ask_again(tally_t *t, vfan_t *f, size_t i, uint16_t *suites)
{
    tally_t *k = &f->t[i];
    tls_raw_result_free(&f->v[i].r);
    t->log = &f->log[i];
    ask_one(t, asked_versions[i], suites, &f->v[i]);
    t->log = NULL;
    /* The task's hellos not given again were sent all the same (its kept answers were taken
     * again if they still stand). */
    t->connections += k->connections - f->log[i].given;
    t->failed += k->failed;
}

/* Every version once the everything-hello was answered: the versions are independent but for
 * what their hellos teach about the shape, so they run as tasks (probe_fanout), each from a
 * copy of the shape, and are then taken in the sequential order. A task whose hellos were
 * all in shapes its copy had seen answered (or that could walk no further) sent what the
 * sequential engine would have sent, which knows at least as much: its answer stands and its
 * shape is merged. One that would have walked the ladder stopped there; it is asked again on
 * this thread from the shape of the versions before it, walking if that shape still lets it
 * (the same hellos up to there get the answers the task got), and so is every version after a
 * walk that changed the fit. What is published and recorded is then what the sequential
 * engine gets. False (nothing sent): out of memory. */
static bool ask_versions_fanned(tally_t *t, uint16_t *suites, json_object *protocols[NVERSIONS])
{
    vfan_t *f = calloc(1, sizeof *f);
    bool ok = f != NULL;
    for (size_t i = 0; ok && i < NVERSIONS; i++) {
        f->t[i] = (tally_t){ .task = true, .shape = t->shape, .log = &f->log[i], .p = malloc(sizeof *f->t[i].p) };
        ok = f->t[i].p != NULL;
    }
    if (ok) {
        probe_fanout(t->ctx, NVERSIONS, version_task, f, NULL);
        hello_shape_t start = t->shape;
        for (size_t i = 0; i < NVERSIONS; i++) {
            tally_t *k = &f->t[i];
            vanswer_t *v = &f->v[i];
            if (k->last_failure[0])
                snprintf(t->last_failure, sizeof t->last_failure, "%s", k->last_failure);
            if (k->aborted || !same_fit(&t->shape, &start)) {
                ask_again(t, f, i, suites);
            } else {
                t->connections += k->connections;
                t->failed += k->failed;
                t->reused += k->reused;
                hello_shape_merge(&t->shape, &k->shape);
                if (v->state == V_ACCEPTED)
                    hello_memo_record(t->ctx->ep, k->p, &v->r);
            }
            protocols[i] = protocol_json(wire_version_name(asked_versions[i]), v);
            tls_raw_result_free(&v->r);
        }
    }
    for (size_t i = 0; f && i < NVERSIONS; i++) {
        free(f->t[i].p);
        vlog_free(&f->log[i]);
    }
    free(f);
    return ok;
}

static probe_status_t versions_run(probe_ctx_t *ctx)
{
    endpoint_t *ep = ctx->ep;
    tally_t t = { .ctx = ctx, .protocols = json_object_new_array(), .accepted = json_object_new_array() };
    hello_shape_init(&t.shape);
    tls_raw_result_t pref;
    t.p = malloc(sizeof *t.p);
    uint16_t *suites = malloc(HELLO_MAX_CODES * sizeof *suites);
    if (!t.p || !suites) {
        free(t.p);
        free(suites);
        snprintf(ctx->err, sizeof ctx->err, "out of memory");
        json_object_put(t.protocols);
        json_object_put(t.accepted);
        return PROBE_ERROR;
    }

    /* First every suite of every version: the server picks its preferred version and suite,
     * and that answer stands for the hello of that version alone, which is then not sent (one
     * signature fewer for the server). It also learns the shape the endpoint answers. */
    ask_preference(&t, suites, everything_suites(suites), &pref);

    /* An endpoint that answered it gets the versions at once; any other one after another,
     * each learning from the ones before (it may give up, or walk the ladder on every one). */
    json_object *protocols[NVERSIONS] = { NULL };
    bool fanned = !t.unresponsive && t.connections > t.failed && t.shape.answered_any &&
                  ask_versions_fanned(&t, suites, protocols);
    for (size_t i = 0; i < NVERSIONS; i++) {
        vanswer_t v;
        if (!fanned) {
            ask_one(&t, asked_versions[i], suites, &v);
            protocols[i] = protocol_json(wire_version_name(asked_versions[i]), &v);
            tls_raw_result_free(&v.r);
        }
        json_object *accepted;
        if (json_object_object_get_ex(protocols[i], "accepted", &accepted) && json_object_get_boolean(accepted))
            json_object_array_add(t.accepted, json_object_new_string(wire_version_name(asked_versions[i])));
        json_object_array_add(t.protocols, protocols[i]);
    }
    hello_shape_publish(ep, &t.shape);
    free(t.p);
    free(suites);

    size_t reached = t.unresponsive ? 0 : t.connections - t.failed;
    /* The everything-hello degrades to a TLS 1.2 one for servers that cannot take TLS 1.3
     * extensions: a ServerHello for an older version is then its preference all the same. */
    bool preferred = pref.outcome == TLS_RAW_ACCEPTED ||
                     (pref.outcome == TLS_RAW_OTHER_VERSION && pref.version >= WIRE_SSL3 && pref.version < WIRE_TLS12);
    json_object *out = ctx->out;
    if (t.unresponsive)
        snprintf(ctx->err, sizeof ctx->err, "%s", t.last_failure);
    else if (!reached)
        snprintf(ctx->err, sizeof ctx->err, "no connection could be made: %s", t.last_failure);
    json_object_object_add(out, "connections", json_object_new_int((int)t.connections));
    json_object_object_add(out, "protocols", t.protocols);
    json_object_object_add(out, "accepted", t.accepted);
    json_object_object_add(out, "preferred",
                           preferred ? json_object_new_string(wire_version_name(pref.version)) : NULL);
    json_object_object_add(out, "preferred_cipher", preferred ? cipher_json(&pref) : NULL);
    /* The answer to the everything-hello: says why preferred is null when it is. */
    json_object_object_add(out, "preference_result", json_object_new_string(pref.summary));
    tls_raw_result_free(&pref);
    /* An endpoint that answers no hello is as unreachable as one that refuses connections. */
    return t.unresponsive ? PROBE_UNREACHABLE : reached ? PROBE_OK : probe_no_connection(ctx);
}

render_text_fn versions_render_text;   /* probes/versions_render.c */
render_html_fn versions_render_html;

const probe_module_t probe_versions = {
    .name = "versions",
    .help = "SSLv2 to TLS 1.3 accepted or not (raw hellos), preferred version and suite",
    .needs = NULL,
    .run = versions_run,
    .chain = 2,   /* its tasks come after its first hello: not planned at once (fans_out) */
    .render_text = versions_render_text,
    .render_html = versions_render_html,
};
