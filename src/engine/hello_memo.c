/* Kept answers of the versions probe; see hello_memo.h for when one may stand in for a hello. */
#include "hello_memo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dh_groups.h"
#include "probe_raw.h"
#include "iana.h"

/* The versions probe sends seven hellos; more than this many kept answers is a bug. */
#define MEMO_MAX 16

typedef struct codes {
    uint16_t *v;
    size_t n;
} codes_t;

struct hello_memo_entry {
    bool no_extensions;
    codes_t suites, groups, sigalgs, shares;
    bool key_share_empty;
    hello_answer_t answer;
};

/* The group the key exchange used: TLS 1.3 key_share, else the ServerKeyExchange. */
static void kx_group_of(const tls_raw_result_t *r, char *out, size_t outlen)
{
    const wire_flight_t *f = &r->flight;
    out[0] = '\0';
    if (r->version == WIRE_TLS13 && f->have_server_hello && f->server_hello.has_key_share) {
        const iana_group_t *g = iana_group_by_code(f->server_hello.key_share_group);
        if (g)
            snprintf(out, outlen, "%s", g->name);
        else
            snprintf(out, outlen, "0x%04X", f->server_hello.key_share_group);
        return;
    }
    if (!f->have_server_key_exchange)
        return;
    if (f->ske.kind == WIRE_SKE_ECDHE) {
        const iana_group_t *g = f->ske.curve_type == 3 ? iana_group_by_code(f->ske.named_curve) : NULL;
        if (g)
            snprintf(out, outlen, "%s", g->name);
        else if (f->ske.curve_type == 3)
            snprintf(out, outlen, "0x%04X", f->ske.named_curve);
        else
            snprintf(out, outlen, "explicit curve");
    } else if (f->ske.kind == WIRE_SKE_DHE) {
        const char *name = dh_group_name(f->ske.dh_p, f->ske.dh_p_len);
        if (name)
            snprintf(out, outlen, "%s", name);
        else
            snprintf(out, outlen, "DH %u (custom)", f->ske.dh_p_bits);
    }
}

/* What an accepted exchange tells the later probes. */
static void answer_from(const tls_raw_result_t *r, hello_answer_t *a)
{
    const wire_flight_t *f = &r->flight;
    memset(a, 0, sizeof *a);
    a->version = r->version;
    a->cipher = r->cipher;
    kx_group_of(r, a->kx_group, sizeof a->kx_group);
    if (f->have_server_key_exchange && f->ske.kind == WIRE_SKE_ECDHE && f->ske.curve_type == 3) {
        a->has_curve = true;
        a->curve = f->ske.named_curve;
    }
    if (f->have_server_key_exchange && f->ske.has_sig_scheme) {
        a->has_sig_scheme = true;
        a->sig_scheme = f->ske.sig_scheme;
    }
    a->flight_complete = f->have_server_hello_done;
    a->certificate_request = f->have_certificate_request;
}

static int codes_copy(codes_t *c, const uint16_t *v, size_t n)
{
    c->n = 0;
    c->v = malloc((n ? n : 1) * sizeof *v);
    if (!c->v)
        return -1;
    if (n)
        memcpy(c->v, v, n * sizeof *v);
    c->n = n;
    return 0;
}

static void entry_free(struct hello_memo_entry *e)
{
    free(e->suites.v);
    free(e->groups.v);
    free(e->sigalgs.v);
    free(e->shares.v);
}

/* The endpoint's finaliser: its probes are done, nothing reads the answers any more. */
static void memo_clear(endpoint_t *ep)
{
    pthread_mutex_lock(&ep->lock);
    for (size_t i = 0; i < ep->nmemo; i++)
        entry_free(&ep->memo[i]);
    free(ep->memo);
    ep->memo = NULL;
    ep->nmemo = 0;
    pthread_mutex_unlock(&ep->lock);
}

void hello_memo_record(endpoint_t *ep, const hello_profile_t *p, const tls_raw_result_t *r)
{
    if (r->outcome != TLS_RAW_ACCEPTED || r->version == WIRE_SSL2 || !r->flight.have_server_hello)
        return;
    const wire_hello_opts_t *h = &p->opts;
    struct hello_memo_entry e = { .no_extensions = h->no_extensions, .key_share_empty = h->key_share_empty };
    uint16_t shares[8];
    size_t nshares = 0;
    for (size_t i = 0; i < h->nkey_shares && nshares < 8; i++)
        shares[nshares++] = h->key_shares[i].group;
    answer_from(r, &e.answer);
    /* Out of memory: nothing is kept, the later probes just ask the server. */
    if (codes_copy(&e.suites, h->suites, h->nsuites) || codes_copy(&e.groups, h->groups, h->ngroups) ||
        codes_copy(&e.sigalgs, h->sigalgs, h->nsigalgs) || codes_copy(&e.shares, shares, nshares)) {
        entry_free(&e);
        return;
    }
    pthread_mutex_lock(&ep->lock);
    struct hello_memo_entry *grown = ep->nmemo < MEMO_MAX ? realloc(ep->memo, (ep->nmemo + 1) * sizeof *grown) : NULL;
    if (grown) {
        ep->memo = grown;
        ep->memo[ep->nmemo++] = e;
    } else {
        entry_free(&e);
    }
    pthread_mutex_unlock(&ep->lock);
    if (grown)
        endpoint_add_finaliser(ep, memo_clear);
}

static bool contains(const uint16_t *v, size_t n, uint16_t code)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == code)
            return true;
    return false;
}

static bool same_codes(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

/* Every wanted code is in have, in the same relative order (have may hold more). */
static bool in_same_order(const codes_t *have, const uint16_t *want, size_t nwant)
{
    size_t at = 0;
    for (size_t i = 0; i < nwant; i++) {
        while (at < have->n && have->v[at] != want[i])
            at++;
        if (at == have->n)
            return false;
        at++;
    }
    return true;
}

static const char *group_kind(uint16_t code)
{
    const iana_group_t *g = iana_group_by_code(code);
    return g ? g->kind : "";
}

/* Whether a wanted suite's key exchange draws on groups of this kind: then leaving that kind
 * out changes which suites the server can take. In TLS 1.3 every suite does. */
static bool suites_use_kind(const wire_hello_opts_t *h, uint16_t version, const char *kind)
{
    if (version == WIRE_TLS13)
        return true;
    const char *kx = strcmp(kind, "ecdhe") == 0 ? "ECDHE" : strcmp(kind, "ffdhe") == 0 ? "DHE" : NULL;
    for (size_t i = 0; kx && i < h->nsuites; i++) {
        const iana_suite_t *s = iana_suite_by_code(h->suites[i]);
        if (s && strcmp(s->kx, kx) == 0)
            return true;
    }
    return false;
}

/* The stored groups the wanted version can use, less those of kinds the wanted hello leaves out
 * (allowed only when no wanted suite needs that kind), are exactly the wanted groups: the server
 * then sees the same choice. */
static bool same_groups(const codes_t *have, const hello_profile_t *want)
{
    const wire_hello_opts_t *h = &want->opts;
    uint16_t usable[HELLO_MAX_CODES];
    size_t nusable = hello_usable_groups(want->version, usable, HELLO_MAX_CODES), k = 0;
    for (size_t i = 0; i < have->n; i++) {
        uint16_t g = have->v[i];
        if (!contains(usable, nusable, g))
            continue;
        bool kind_wanted = false;
        for (size_t j = 0; j < h->ngroups && !kind_wanted; j++)
            kind_wanted = strcmp(group_kind(h->groups[j]), group_kind(g)) == 0;
        if (!kind_wanted) {
            if (suites_use_kind(h, want->version, group_kind(g)))
                return false;
            continue;
        }
        if (k == h->ngroups || h->groups[k] != g)
            return false;
        k++;
    }
    return k == h->ngroups;
}

static bool answers_alike(const struct hello_memo_entry *e, const hello_profile_t *want)
{
    const wire_hello_opts_t *h = &want->opts;
    if (e->answer.version != want->version || e->no_extensions != h->no_extensions)
        return false;
    if (!contains(h->suites, h->nsuites, e->answer.cipher) || !in_same_order(&e->suites, h->suites, h->nsuites))
        return false;
    if (!same_groups(&e->groups, want))
        return false;
    if (want->version >= WIRE_TLS12 && !same_codes(e->sigalgs.v, e->sigalgs.n, h->sigalgs, h->nsigalgs))
        return false;
    if (want->version == WIRE_TLS13) {
        if (e->key_share_empty != h->key_share_empty || e->shares.n != h->nkey_shares)
            return false;
        for (size_t i = 0; i < h->nkey_shares; i++)
            if (e->shares.v[i] != h->key_shares[i].group)
                return false;
    }
    return true;
}

bool hello_memo_find(endpoint_t *ep, const hello_profile_t *want, hello_answer_t *out)
{
    bool found = false;
    pthread_mutex_lock(&ep->lock);
    for (size_t i = 0; i < ep->nmemo && !found; i++)
        if (answers_alike(&ep->memo[i], want)) {
            *out = ep->memo[i].answer;
            found = true;
        }
    pthread_mutex_unlock(&ep->lock);
    return found;
}

/* A suite whose server proves itself with a certificate: with an anonymous (or PSK) one the
 * server may not ask for a client certificate (RFC 5246 7.4.4), so its flight shows nothing. */
static bool certificate_suite(uint16_t code)
{
    const iana_suite_t *s = iana_suite_by_code(code);
    return s && (strcmp(s->au, "RSA") == 0 || strcmp(s->au, "DSS") == 0 || strcmp(s->au, "ECDSA") == 0);
}

bool hello_memo_full_flight(endpoint_t *ep, uint16_t version, hello_answer_t *out)
{
    bool found = false;
    pthread_mutex_lock(&ep->lock);
    for (size_t i = 0; i < ep->nmemo && !found; i++) {
        const hello_answer_t *a = &ep->memo[i].answer;
        if (a->version == version && version <= WIRE_TLS12 && a->flight_complete && certificate_suite(a->cipher)) {
            *out = *a;
            found = true;
        }
    }
    pthread_mutex_unlock(&ep->lock);
    return found;
}

/* hello_memo_find, and r made into the accepted result it stands for (outcome, summary,
 * version, cipher and its name; no flight). */
static bool memo_result(endpoint_t *ep, const hello_profile_t *want, hello_answer_t *a, tls_raw_result_t *r)
{
    if (!hello_memo_find(ep, want, a))
        return false;
    const iana_suite_t *s = iana_suite_by_code(a->cipher);
    memset(r, 0, sizeof *r);
    r->outcome = TLS_RAW_ACCEPTED;
    snprintf(r->summary, sizeof r->summary, "accepted");
    r->version = a->version;
    r->cipher = a->cipher;
    r->cipher_name = s ? s->name : NULL;
    return true;
}

tls_raw_outcome_t hello_ask(probe_ctx_t *ctx, const hello_profile_t *p, hello_answer_t *a,
                            tls_raw_result_t *r, size_t *connections, size_t *reused)
{
    if (memo_result(ctx->ep, p, a, r)) {
        (*reused)++;
        return TLS_RAW_ACCEPTED;
    }
    (*connections)++;
    tls_raw_outcome_t o = probe_raw_hello(ctx, &p->opts, r);
    if (o == TLS_RAW_ACCEPTED)
        answer_from(r, a);
    return o;
}
