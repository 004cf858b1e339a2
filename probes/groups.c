/* groups: the key exchange groups the endpoint accepts.
 * - TLS 1.3: every named group (classical, finite-field and post-quantum hybrids), found by
 *   offering the not-yet-found groups with an empty key_share list: the server names its
 *   choice in a HelloRetryRequest, so no key is needed even for groups OpenSSL lacks.
 * - TLS <= 1.2: the ECDHE curves, read from the ServerKeyExchange, offer-and-remove.
 * - DHE: the size of the server's prime and whether it is a published group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dh_groups.h"
#include "hello_memo.h"
#include "hello_profile.h"
#include "probe.h"
#include "registry.h"
#include "tls_raw.h"
#include "wire.h"

#define MAX_CODES HELLO_MAX_CODES
/* No server has this many groups; a bound keeps a confused one from looping. */
#define MAX_ROUNDS 64

typedef struct run {
    probe_ctx_t *ctx;
    hello_profile_t *p;
    size_t connections;
    size_t reused;              /* answers the versions probe had already */
    char error[256];
} run_t;

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

static json_object *enumerate_tls13(run_t *run)
{
    uint16_t remaining[MAX_CODES], suites[MAX_CODES];
    size_t n = hello_usable_groups(WIRE_TLS13, remaining, MAX_CODES);
    size_t nsuites = registry_suites_for_version(WIRE_TLS13, suites, MAX_CODES);
    json_object *accepted = json_object_new_array();
    for (int round = 0; n > 0 && round < MAX_ROUNDS && !run->error[0]; round++) {
        tls_raw_result_t r;
        hello_profile_init(run->p, run->ctx->ep->sni, WIRE_TLS13);
        hello_profile_set_suites(run->p, suites, nsuites < MAX_CODES ? nsuites : MAX_CODES);
        hello_profile_set_groups(run->p, remaining, n, true);
        tls_raw_outcome_t o = exchange(run, &r);
        const wire_server_hello_t *sh = &r.flight.server_hello;
        bool picked = o == TLS_RAW_ACCEPTED && r.flight.have_server_hello && sh->has_key_share &&
                      codes_take(remaining, &n, sh->key_share_group);
        if (picked)
            json_object_array_add(accepted, group_name_json(sh->key_share_group));
        note_stop(run, "TLSv1.3 groups", &r);
        tls_raw_result_free(&r);
        if (!picked)
            break;
    }
    json_object *o = json_object_new_object();
    json_object *first = json_object_array_get_idx(accepted, 0);
    json_object_object_add(o, "accepted", accepted);
    json_object_object_add(o, "preferred", first ? json_object_get(first) : NULL);
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

static json_object *enumerate_tls12_curves(run_t *run, uint16_t version, const uint16_t *suites, size_t nsuites)
{
    uint16_t remaining[MAX_CODES];
    size_t n = ecdhe_curves(version, remaining);
    json_object *accepted = json_object_new_array();
    for (int round = 0; n > 0 && round < MAX_ROUNDS && !run->error[0]; round++) {
        tls_raw_result_t r;
        hello_profile_init(run->p, run->ctx->ep->sni, version);
        hello_profile_set_suites(run->p, suites, nsuites);
        hello_profile_set_groups(run->p, remaining, n, false);
        hello_answer_t a;
        tls_raw_outcome_t o = hello_ask(run->ctx, run->p, &a, &r, &run->connections, &run->reused);
        bool picked = o == TLS_RAW_ACCEPTED && a.has_curve && codes_take(remaining, &n, a.curve);
        if (picked)
            json_object_array_add(accepted, group_name_json(a.curve));
        note_stop(run, "ECDHE curves", &r);
        tls_raw_result_free(&r);
        if (!picked)
            break;
    }
    if (json_object_array_length(accepted) == 0) {
        json_object_put(accepted);
        return NULL; /* no ECDHE at all */
    }
    return accepted;
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

    uint16_t suites[MAX_CODES];
    size_t nsuites;
    json_object *curves = NULL, *dh = NULL;
    /* Curves and the DH prime: anonymous suites too, they exchange keys all the same. */
    uint16_t v = version_with(ctx->ep, "ECDHE", true, suites, &nsuites);
    if (v && !run.error[0])
        curves = enumerate_tls12_curves(&run, v, suites, nsuites);
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
    json_object_object_add(out, "tls12_curves", curves);
    json_object_object_add(out, "dh", dh);
    if (!ok)
        snprintf(ctx->err, sizeof ctx->err, "%s", run.error);
    return ok ? PROBE_OK : PROBE_ERROR;
}

static const char *const groups_needs[] = { "versions", NULL };

const probe_module_t probe_groups = {
    .name = "groups",
    .help = "key exchange groups: TLS 1.3 groups (via HelloRetryRequest), ECDHE curves, DH prime",
    .needs = groups_needs,
    .run = groups_run,
};
