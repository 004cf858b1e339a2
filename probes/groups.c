/* groups: the key exchange groups the endpoint accepts, and whose order picks among them.
 * - TLS 1.3: every named group (classical, finite-field and post-quantum hybrids), found by
 *   offering the not-yet-found groups with an empty key_share list: the server names its
 *   choice in a HelloRetryRequest, so no key is needed even for groups OpenSSL lacks.
 * - TLS <= 1.2: the ECDHE curves, read from the ServerKeyExchange, offer-and-remove. A server
 *   whose ECDSA certificate needs its curve offered (RFC 8422 5.1) refuses hellos without it:
 *   after such a refusal that curve is offered again, last, so that a server following the
 *   client's order still picks the others first. Where the server's own order puts it first,
 *   the curves left cannot be decided: they are reported as undecided, never as refused.
 * - Order, as the ciphers probe decides it for suites: hellos alternate between our order and
 *   its reverse; a pick that passes over a group found accepted proves the server's own order,
 *   else the first two found, offered in reverse, tell it from the client's.
 * - DHE: the size of the server's prime and whether it is a published group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dh_groups.h"
#include "hello_memo.h"
#include "hello_profile.h"
#include "probe.h"
#include "registry.h"
#include "tls_raw.h"
#include "wire.h"

#define MAX_CODES HELLO_MAX_CODES
/* More than every group of the registry a hello can offer. */
#define MAX_GROUPS 128
/* No server has this many groups; a bound keeps a confused one from looping. */
#define MAX_ROUNDS 64

typedef struct run {
    probe_ctx_t *ctx;
    hello_profile_t *p;
    size_t connections;
    size_t reused;              /* answers the versions probe had already */
    char error[256];
} run_t;

/* What authenticated the server in the flights seen (TLS <= 1.2). */
typedef enum { LEAF_UNKNOWN, LEAF_EC, LEAF_OTHER } leaf_kind_t;

/* One version's offer-and-remove walk over the groups. */
typedef struct walk {
    uint16_t version;                   /* WIRE_TLS13, or the version the curves are sought in */
    const uint16_t *suites;
    size_t nsuites;
    uint16_t order[MAX_GROUPS];         /* every candidate, in our order */
    size_t norder;
    uint16_t left[MAX_GROUPS];          /* candidates not found yet, in our order */
    size_t nleft;
    uint16_t found[MAX_GROUPS];         /* in pick order */
    size_t nfound;
    /* For each accepted hello, the groups offered before the one picked. */
    uint16_t passed[MAX_ROUNDS][MAX_GROUPS];
    size_t npassed[MAX_ROUNDS];
    size_t hellos;
    uint16_t kept;                      /* the certificate's curve, offered last; 0: none */
    bool kept_won;                      /* the walk ended on the server taking kept over the rest */
    leaf_kind_t leaf;
    uint16_t leaf_curve;                /* LEAF_EC: the leaf's curve (0: not a named TLS curve) */
    int server_order;                   /* -1 unknown, 0 the client's, 1 the server's own */
} walk_t;

static tls_raw_outcome_t exchange(run_t *run, tls_raw_result_t *r)
{
    run->connections++;
    return tls_raw_probe_hello(run->ctx, &run->p->opts, 0, r);
}

static json_object *group_name_json(uint16_t code)
{
    const registry_group_t *g = registry_group_by_code(code);
    char hex[8];
    snprintf(hex, sizeof hex, "0x%04X", code);
    return json_object_new_string(g ? g->name : hex);
}

static void note_stop(run_t *run, const char *what, const tls_raw_result_t *r)
{
    if (r->outcome == TLS_RAW_CONNECT_FAILED || r->outcome == TLS_RAW_LOCAL_ERROR)
        snprintf(run->error, sizeof run->error, "%s: %.200s", what, r->summary);
}

static bool contains(const uint16_t *v, size_t n, uint16_t code)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == code)
            return true;
    return false;
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
    const registry_group_t *g = registry_group_by_name(iana);
    return g && strcmp(g->kind, "ecdhe") == 0 ? g->code : 0;
}

/* What an accepted answer says about curves the server needs offered: an ECDSA suite is
 * signed with the leaf's key, whose curve must be in supported_groups; any other suite shows
 * a key (or none) that does not depend on the curves offered. The flight is NULL for the
 * versions probe's kept answers, which hold no certificate. */
static void note_leaf(walk_t *w, uint16_t cipher, const wire_flight_t *f)
{
    const registry_suite_t *s = registry_suite_by_code(cipher);
    if (!s || w->leaf == LEAF_OTHER)
        return;
    if (strcmp(s->au, "ECDSA") != 0) {
        w->leaf = LEAF_OTHER;
        return;
    }
    if (!f || !f->have_certificate || f->certificate.ncerts == 0)
        return;
    const uint8_t *p = f->certificate.certs[0].der;
    size_t len = f->certificate.certs[0].len;
    X509 *leaf = len <= 0x7FFFFFFF ? d2i_X509(NULL, &p, (long)len) : NULL;
    w->leaf = LEAF_EC;
    w->leaf_curve = leaf ? ec_key_curve(X509_get0_pubkey(leaf)) : 0;
    X509_free(leaf);
    ERR_clear_error();
}

/* Offers these groups; *pick is the group the server chose among them, or 0. */
static tls_raw_outcome_t ask(run_t *run, walk_t *w, const uint16_t *offered, size_t n, uint16_t *pick)
{
    tls_raw_result_t r;
    tls_raw_outcome_t o;
    bool tls13 = w->version == WIRE_TLS13;
    *pick = 0;
    hello_profile_init(run->p, run->ctx->ep->sni, w->version);
    hello_profile_set_suites(run->p, w->suites, w->nsuites);
    hello_profile_set_groups(run->p, offered, n, tls13);
    if (tls13) {
        o = exchange(run, &r);
        const wire_server_hello_t *sh = &r.flight.server_hello;
        if (o == TLS_RAW_ACCEPTED && r.flight.have_server_hello && sh->has_key_share)
            *pick = sh->key_share_group;
    } else {
        hello_answer_t a;
        o = hello_ask(run->ctx, run->p, &a, &r, &run->connections, &run->reused);
        if (o == TLS_RAW_ACCEPTED && a.has_curve)
            *pick = a.curve;
        if (o == TLS_RAW_ACCEPTED)
            note_leaf(w, a.cipher, r.flight.have_server_hello ? &r.flight : NULL);
    }
    if (*pick && !contains(offered, n, *pick))
        *pick = 0; /* a group that was not offered answers nothing */
    note_stop(run, tls13 ? "TLSv1.3 groups" : "ECDHE curves", &r);
    tls_raw_result_free(&r);
    return o;
}

/* Records what the server passed over to pick, and moves a new pick from left to found. */
static void record_pick(walk_t *w, const uint16_t *offered, size_t n, uint16_t pick)
{
    if (w->hellos < MAX_ROUNDS) {
        size_t k = 0;
        for (size_t i = 0; i < n && k < MAX_GROUPS && offered[i] != pick; i++)
            w->passed[w->hellos][k++] = offered[i];
        w->npassed[w->hellos++] = k;
    }
    if (codes_take(w->left, &w->nleft, pick) && w->nfound < MAX_GROUPS)
        w->found[w->nfound++] = pick;
}

/* What is left, forwards or reversed, then the kept curve. */
static size_t offer_list(const walk_t *w, bool reversed, uint16_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < w->nleft; i++)
        out[n++] = w->left[reversed ? w->nleft - 1 - i : i];
    if (w->kept)
        out[n++] = w->kept;
    return n;
}

/* A refusal after curves were found: is it the certificate's curve missing? When no answer
 * so far came with a flight (the first is often the versions probe's), one more hello with
 * the found curves last shows the certificate, and may find a curve as well. Returns
 * whether the walk goes on (with w->kept set, or after a find). */
static bool keep_certificate_curve(run_t *run, walk_t *w)
{
    bool found_more = false;
    if (w->leaf == LEAF_UNKNOWN) {
        uint16_t offered[2 * MAX_GROUPS];
        size_t n = offer_list(w, false, offered);
        for (size_t i = 0; i < w->nfound; i++)
            offered[n++] = w->found[i];
        uint16_t pick;
        ask(run, w, offered, n, &pick);
        if (!pick)
            return false;
        found_more = contains(w->left, w->nleft, pick);
        record_pick(w, offered, n, pick);
        if (w->leaf == LEAF_EC && pick == w->leaf_curve && !found_more) {
            w->kept = pick;
            w->kept_won = true;
            return false;
        }
    }
    if (w->leaf == LEAF_EC && contains(w->found, w->nfound, w->leaf_curve))
        w->kept = w->leaf_curve;
    return w->kept || found_more;
}

static void walk_enumerate(run_t *run, walk_t *w)
{
    for (size_t round = 0; w->nleft > 0 && round < MAX_ROUNDS && !run->error[0]; round++) {
        uint16_t offered[MAX_GROUPS + 1], pick;
        size_t n = offer_list(w, round % 2 == 1, offered);
        tls_raw_outcome_t o = ask(run, w, offered, n, &pick);
        if (pick && pick == w->kept) {
            w->kept_won = true;
            break;
        }
        if (pick) {
            record_pick(w, offered, n, pick);
            continue;
        }
        bool refused = o != TLS_RAW_ACCEPTED && !run->error[0];
        if (!refused || w->kept || w->nfound == 0 || w->version == WIRE_TLS13 || !keep_certificate_curve(run, w))
            break;
    }
}

/* A pick that passed over a group the server accepts: it does not follow the client. */
static bool passed_over_found(const walk_t *w)
{
    for (size_t h = 0; h < w->hellos; h++)
        for (size_t i = 0; i < w->npassed[h]; i++)
            if (contains(w->found, w->nfound, w->passed[h][i]))
                return true;
    return false;
}

/* The first two found, offered in reverse: a server with its own order picks the first
 * again (it took it over the second before), one that follows the client the second. */
static void walk_order(run_t *run, walk_t *w)
{
    w->server_order = -1;
    if (passed_over_found(w)) {
        w->server_order = 1;
        return;
    }
    if (w->nfound < 2 || run->error[0])
        return;
    uint16_t pair[3] = { w->found[1], w->found[0] }, pick;
    size_t n = 2;
    if (w->kept && !contains(pair, 2, w->kept))
        pair[n++] = w->kept;
    ask(run, w, pair, n, &pick);
    w->server_order = pick == w->found[0] ? 1 : pick == w->found[1] ? 0 : -1;
}

static walk_t *walk_new(uint16_t version, const uint16_t *candidates, size_t n, const uint16_t *suites,
                        size_t nsuites)
{
    walk_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->version = version;
    w->suites = suites;
    w->nsuites = nsuites;
    for (size_t i = 0; i < n && w->norder < MAX_GROUPS; i++)
        w->order[w->norder++] = candidates[i];
    memcpy(w->left, w->order, w->norder * sizeof *w->order);
    w->nleft = w->norder;
    return w;
}

/* The accepted groups: in the server's order when it has its own, else in ours. */
static json_object *accepted_json(const walk_t *w)
{
    json_object *a = json_object_new_array();
    if (w->server_order == 1) {
        for (size_t i = 0; i < w->nfound; i++)
            json_object_array_add(a, group_name_json(w->found[i]));
        return a;
    }
    for (size_t i = 0; i < w->norder; i++)
        if (contains(w->found, w->nfound, w->order[i]))
            json_object_array_add(a, group_name_json(w->order[i]));
    return a;
}

static json_object *server_order_json(const walk_t *w)
{
    return w->server_order < 0 ? NULL : json_object_new_boolean(w->server_order == 1);
}

/* The server's favourite: its first pick from everything, known only when it has its own order. */
static json_object *preferred_json(const walk_t *w)
{
    return w->server_order == 1 && w->nfound ? group_name_json(w->found[0]) : NULL;
}

static json_object *enumerate_tls13(run_t *run)
{
    uint16_t groups[MAX_CODES], suites[MAX_CODES];
    size_t n = hello_usable_groups(WIRE_TLS13, groups, MAX_CODES);
    size_t nsuites = registry_suites_for_version(WIRE_TLS13, suites, MAX_CODES);
    walk_t *w = walk_new(WIRE_TLS13, groups, n, suites, nsuites < MAX_CODES ? nsuites : MAX_CODES);
    if (!w) {
        snprintf(run->error, sizeof run->error, "TLSv1.3 groups: out of memory");
        return NULL;
    }
    walk_enumerate(run, w);
    walk_order(run, w);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "accepted", accepted_json(w));
    json_object_object_add(o, "preferred", preferred_json(w));
    json_object_object_add(o, "server_order", server_order_json(w));
    free(w);
    return o;
}

/* Highest version up to TLS 1.2 the versions probe saw accepted, with the registry's
 * authenticated suites of that key exchange ("ECDHE", "DHE") for it. Taken from the registry,
 * not from the ciphers probe, so this probe runs alongside it and its result does not depend
 * on which finished first. */
static uint16_t version_with(endpoint_t *ep, const char *kx, bool with_anon, uint16_t *suites, size_t *nsuites)
{
    static const uint16_t order[] = { WIRE_TLS12, WIRE_TLS11, WIRE_TLS10, WIRE_SSL3 };
    *nsuites = 0;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        if (!probe_version_accepted(ep, wire_version_name(order[i])))
            continue;
        uint16_t all[MAX_CODES];
        size_t n = registry_suites_for_version(order[i], all, MAX_CODES);
        for (size_t j = 0; j < n && j < MAX_CODES; j++) {
            const registry_suite_t *rs = registry_suite_by_code(all[j]);
            if (rs && strcmp(rs->kx, kx) == 0 && (with_anon || strcmp(rs->au, "ANON") != 0))
                suites[(*nsuites)++] = rs->code;
        }
        return *nsuites ? order[i] : 0;
    }
    return 0;
}

static bool is_ecdhe_curve(uint16_t code)
{
    const registry_group_t *g = registry_group_by_code(code);
    return g && strcmp(g->kind, "ecdhe") == 0 && strstr(g->name, "tls13") == NULL && code < 0xFF01;
}

/* Every ECDHE curve a client could offer in this version, in the hello's order. */
static size_t ecdhe_curves(uint16_t version, uint16_t *out)
{
    uint16_t all[MAX_CODES];
    size_t nall = hello_usable_groups(version, all, MAX_CODES), n = 0;
    for (size_t i = 0; i < nall; i++)
        if (is_ecdhe_curve(all[i]))
            out[n++] = all[i];
    return n;
}

static json_object *names_json(const uint16_t *codes, size_t n)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, group_name_json(codes[i]));
    return a;
}

/* The tls12_curves* facts, each NULL when no curve was accepted. */
typedef struct curves_facts {
    json_object *accepted, *server_order, *preferred, *undecided, *certificate_curve;
} curves_facts_t;

static void enumerate_tls12_curves(run_t *run, curves_facts_t *cf, uint16_t version, const uint16_t *suites,
                                   size_t nsuites)
{
    uint16_t curves[MAX_CODES];
    size_t n = ecdhe_curves(version, curves);
    walk_t *w = walk_new(version, curves, n, suites, nsuites);
    if (!w) {
        snprintf(run->error, sizeof run->error, "ECDHE curves: out of memory");
        return;
    }
    walk_enumerate(run, w);
    walk_order(run, w);
    if (w->nfound) {
        cf->accepted = accepted_json(w);
        cf->server_order = server_order_json(w);
        cf->preferred = preferred_json(w);
        /* Curves the server passed over for the certificate's: refused only when it is
         * proven to follow the client's order (it would have taken any of them first). */
        bool open = w->kept_won && w->server_order != 0;
        cf->undecided = names_json(w->left, open ? w->nleft : 0);
        cf->certificate_curve = w->kept ? group_name_json(w->kept) : NULL;
    }
    free(w);
}

/* The server's own DH group: offered no finite-field groups, it uses what it is configured with. */
static json_object *probe_dh(run_t *run, uint16_t version, const uint16_t *suites, size_t nsuites)
{
    uint16_t curves[MAX_CODES];
    size_t n = ecdhe_curves(version, curves);
    tls_raw_result_t r;
    hello_profile_init(run->p, run->ctx->ep->sni, version);
    hello_profile_set_suites(run->p, suites, nsuites);
    hello_profile_set_groups(run->p, curves, n, false);
    tls_raw_outcome_t o = exchange(run, &r);
    json_object *dh = NULL;
    const wire_ske_t *ske = &r.flight.ske;
    if (o == TLS_RAW_ACCEPTED && r.flight.have_server_key_exchange && ske->kind == WIRE_SKE_DHE) {
        const char *name = dh_group_name(ske->dh_p, ske->dh_p_len);
        dh = json_object_new_object();
        json_object_object_add(dh, "bits", json_object_new_int((int)ske->dh_p_bits));
        json_object_object_add(dh, "group", name ? json_object_new_string(name) : NULL);
        json_object_object_add(dh, "well_known", json_object_new_boolean(name != NULL));
    }
    note_stop(run, "DH group", &r);
    tls_raw_result_free(&r);
    return dh;
}

static probe_status_t groups_run(probe_ctx_t *ctx)
{
    run_t run = { .ctx = ctx, .p = malloc(sizeof(hello_profile_t)) };
    json_object *out = ctx->out;
    if (!run.p) {
        snprintf(ctx->err, sizeof ctx->err, "out of memory");
        json_object_object_add(out, "status", json_object_new_string("error"));
        return PROBE_ERROR;
    }
    json_object *tls13 = probe_version_accepted(ctx->ep, "TLSv1.3") ? enumerate_tls13(&run) : NULL;

    curves_facts_t cf = { 0 };
    uint16_t suites[MAX_CODES];
    size_t nsuites;
    json_object *dh = NULL;
    /* Curves and the DH prime: anonymous suites too, they exchange keys all the same. */
    uint16_t v = version_with(ctx->ep, "ECDHE", true, suites, &nsuites);
    if (v && !run.error[0])
        enumerate_tls12_curves(&run, &cf, v, suites, nsuites);
    v = version_with(ctx->ep, "DHE", true, suites, &nsuites);
    if (v && !run.error[0])
        dh = probe_dh(&run, v, suites, nsuites);
    free(run.p);

    bool ok = !run.error[0];
    json_object_object_add(out, "status", json_object_new_string(ok ? "ok" : "error"));
    if (!ok)
        json_object_object_add(out, "error", json_object_new_string(run.error));
    json_object_object_add(out, "connections", json_object_new_int((int)run.connections));
    json_object_object_add(out, "reused_answers", json_object_new_int((int)run.reused));
    json_object_object_add(out, "tls13", tls13);
    json_object_object_add(out, "tls12_curves", cf.accepted);
    json_object_object_add(out, "tls12_curves_server_order", cf.server_order);
    json_object_object_add(out, "tls12_curves_preferred", cf.preferred);
    json_object_object_add(out, "tls12_curves_undecided", cf.undecided);
    json_object_object_add(out, "tls12_certificate_curve", cf.certificate_curve);
    json_object_object_add(out, "dh", dh);
    if (!ok)
        snprintf(ctx->err, sizeof ctx->err, "%s", run.error);
    return ok ? PROBE_OK : PROBE_ERROR;
}

static const char *const groups_needs[] = { "versions", NULL };

const probe_module_t probe_groups = {
    .name = "groups",
    .help = "key exchange groups: TLS 1.3 groups (via HelloRetryRequest), ECDHE curves, DH prime, "
          "server or client order",
    .needs = groups_needs,
    .run = groups_run,
};
