/* ciphers: the exact set of suites each accepted version takes, found by offer-and-remove
 * with hand-built hellos (so suites the local OpenSSL lacks are found too), the server's
 * order, and the key exchange group each suite really used; per version also whether every
 * candidate code was decided, the suites the server lists but closes on when it picks them,
 * and those no answer decided (src/engine/suite_enum.c, which holds on servers that misbehave).
 *
 * Cost on a server that answers every hello: one connection per accepted suite but the first
 * of each version (the versions probe already asked that question: hello_memo.h), one refusal
 * per hello-sized chunk (one chunk unless the endpoint taught the versions probe a smaller
 * hello shape: hello_shape.h), and one to tell server order from client order when the zigzag
 * picks do not show it (two when the suites found were never offered in one hello). Servers
 * that close on some hellos cost more, within a budget.
 *
 * At internet latency each hello costs two round trips, so the versions are enumerated at
 * once and a version with many likely accepts is cut into parts enumerated in parallel on the
 * endpoint's --per-host budget (suite_split.c): one more refusal per part, and for a server
 * with its own order one hello per boundary between parts. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipher_class.h"
#include "dh_groups.h"
#include "hello_memo.h"
#include "hello_profile.h"
#include "hello_shape.h"
#include "probe.h"
#include "probe_raw.h"
#include "iana.h"
#include "suite_enum.h"
#include "tls_raw.h"
#include "wire.h"

#define MAX_SUITES SUITE_ENUM_MAX

typedef suite_enum_t version_result_t;
typedef suite_found_t found_suite_t;

/* SSLv2: the SERVER-HELLO lists every offered kind the server has, in one connection. */
static int enumerate_sslv2(suite_enum_run_t *run, version_result_t *vr)
{
    uint32_t kinds[64];
    size_t n = 0;
    for (size_t i = 0; i < iana_sslv2_kinds_count && n < 64; i++)
        kinds[n++] = iana_sslv2_kinds[i].code;
    wire_sslv2_hello_opts_t h = { .version = WIRE_SSL2, .kinds = kinds, .nkinds = n };
    tls_raw_result_t r;
    run->connections++;
    tls_raw_outcome_t o = probe_raw_sslv2(run->ctx, &h, &r);
    if (o == TLS_RAW_ACCEPTED && r.flight.have_sslv2_server_hello) {
        const wire_sslv2_server_hello_t *sh = &r.flight.sslv2_hello;
        for (size_t i = 0; i < sh->nkinds && vr->nfound < MAX_SUITES; i++)
            vr->found[vr->nfound++] = (found_suite_t){ .code = sh->kinds[i] };
    }
    int rc = 0;
    if (o == TLS_RAW_CONNECT_FAILED || o == TLS_RAW_LOCAL_ERROR) {
        snprintf(run->error, sizeof run->error, "SSLv2 enumeration stopped: %.180s", r.summary);
        rc = -1;
    }
    /* One hello decides every kind: without a SERVER-HELLO none is decided. */
    for (size_t i = 0; i < n && !r.flight.have_sslv2_server_hello; i++)
        vr->undecided[vr->nundecided++] = (suite_note_t){ .code = kinds[i],
            .why = "no SERVER-HELLO to a CLIENT-HELLO offering every kind" };
    tls_raw_result_free(&r);
    return rc;
}

typedef struct totals {
    json_object *accepted;      /* unique IANA names */
    size_t counts[4];
    size_t with_fs, without_fs;
} totals_t;

static void count_once(totals_t *t, const char *name, suite_class_t c, bool fs)
{
    for (size_t i = 0; i < json_object_array_length(t->accepted); i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(t->accepted, i)), name) == 0)
            return;
    json_object_array_add(t->accepted, json_object_new_string(name));
    t->counts[c]++;
    if (fs)
        t->with_fs++;
    else
        t->without_fs++;
}

static json_object *suite_json(uint16_t version, const found_suite_t *f, totals_t *t)
{
    json_object *o = json_object_new_object();
    char code[16], why[200];
    if (version == WIRE_SSL2) {
        const iana_sslv2_kind_t *k = iana_sslv2_kind_by_code(f->code);
        suite_class_t c = k ? sslv2_kind_classify(k, why, sizeof why) : SUITE_INSECURE;
        snprintf(code, sizeof code, "0x%06X", (unsigned)f->code);
        if (!k)
            snprintf(why, sizeof why, "SSLv2");
        const char *name = k ? k->name : code;
        json_object_object_add(o, "code", json_object_new_string(code));
        json_object_object_add(o, "name", json_object_new_string(name));
        json_object_object_add(o, "openssl_name", NULL);
        json_object_object_add(o, "bits", json_object_new_int(k ? k->bits : 0));
        json_object_object_add(o, "forward_secrecy", json_object_new_boolean(false));
        json_object_object_add(o, "class", json_object_new_string(suite_class_name(c)));
        json_object_object_add(o, "why", json_object_new_string(why));
        count_once(t, name, c, false);
        return o;
    }
    const iana_suite_t *s = iana_suite_by_code((uint16_t)f->code);
    snprintf(code, sizeof code, "0x%04X", (unsigned)f->code);
    json_object_object_add(o, "code", json_object_new_string(code));
    if (!s) {
        /* A server picked a code no registry assigns: report it, call it insecure. */
        json_object_object_add(o, "name", json_object_new_string(code));
        json_object_object_add(o, "class", json_object_new_string("insecure"));
        json_object_object_add(o, "why", json_object_new_string("unassigned code"));
        count_once(t, code, SUITE_INSECURE, false);
        return o;
    }
    suite_class_t c = suite_classify(s, why, sizeof why);
    const char *ossl = iana_openssl_name(s->code);
    json_object_object_add(o, "name", json_object_new_string(s->name));
    json_object_object_add(o, "openssl_name", ossl ? json_object_new_string(ossl) : NULL);
    json_object_object_add(o, "kx", json_object_new_string(s->kx));
    json_object_object_add(o, "au", json_object_new_string(s->au));
    json_object_object_add(o, "cipher", json_object_new_string(s->cipher));
    json_object_object_add(o, "bits", json_object_new_int(s->key_bits));
    json_object_object_add(o, "mac", json_object_new_string(s->mac));
    json_object_object_add(o, "aead", json_object_new_boolean(s->aead));
    json_object_object_add(o, "forward_secrecy", json_object_new_boolean(s->forward_secrecy));
    json_object_object_add(o, "class", json_object_new_string(suite_class_name(c)));
    json_object_object_add(o, "why", json_object_new_string(why));
    json_object_object_add(o, "kx_group", f->kx_group[0] ? json_object_new_string(f->kx_group) : NULL);
    count_once(t, s->name, c, s->forward_secrecy);
    return o;
}

/* Position of each suite code in the strength order; built once, shared by every thread.
 * Suites of a server that follows the client are listed in that order, whatever hellos found
 * them, so the report is stable. */
static size_t rank[65536];
static pthread_once_t rank_once = PTHREAD_ONCE_INIT;

static void build_rank(void)
{
    for (size_t i = 0; i < iana_suites_count; i++)
        rank[iana_suites[iana_suite_preference[i]].code] = i + 1;
}

static void sort_by_strength(version_result_t *vr)
{
    if (vr->version == WIRE_SSL2)
        return;
    pthread_once(&rank_once, build_rank);
    for (size_t i = 1; i < vr->nfound; i++) {
        found_suite_t x = vr->found[i];
        size_t j = i;
        for (; j > 0 && rank[vr->found[j - 1].code & 0xFFFF] > rank[x.code & 0xFFFF]; j--)
            vr->found[j] = vr->found[j - 1];
        vr->found[j] = x;
    }
}

/* [{"code", "name", KEY: why}, ...] in code order. */
static json_object *notes_json(uint16_t version, suite_note_t *notes, size_t n, const char *key)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && notes[j - 1].code > notes[j].code; j--) {
            suite_note_t x = notes[j];
            notes[j] = notes[j - 1];
            notes[j - 1] = x;
        }
    json_object *list = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        char code[16];
        const char *name;
        if (version == WIRE_SSL2) {
            const iana_sslv2_kind_t *k = iana_sslv2_kind_by_code(notes[i].code);
            snprintf(code, sizeof code, "0x%06X", (unsigned)notes[i].code);
            name = k ? k->name : code;
        } else {
            const iana_suite_t *s = iana_suite_by_code((uint16_t)notes[i].code);
            snprintf(code, sizeof code, "0x%04X", (unsigned)notes[i].code);
            name = s ? s->name : code;
        }
        json_object_object_add(o, "code", json_object_new_string(code));
        json_object_object_add(o, "name", json_object_new_string(name));
        json_object_object_add(o, key, json_object_new_string(notes[i].why));
        json_object_array_add(list, o);
    }
    return list;
}

static json_object *version_json(version_result_t *vr, totals_t *t)
{
    if (vr->server_order != 1)
        sort_by_strength(vr);
    json_object *o = json_object_new_object(), *suites = json_object_new_array();
    json_object_object_add(o, "name", json_object_new_string(wire_version_name(vr->version)));
    json_object_object_add(o, "server_order",
                           vr->server_order < 0 ? NULL : json_object_new_boolean(vr->server_order == 1));
    for (size_t i = 0; i < vr->nfound; i++)
        json_object_array_add(suites, suite_json(vr->version, &vr->found[i], t));
    json_object_object_add(o, "suites", suites);
    json_object_object_add(o, "complete", json_object_new_boolean(vr->nundecided == 0));
    json_object_object_add(o, "closes_when_picked", notes_json(vr->version, vr->closes, vr->ncloses, "why"));
    json_object_object_add(o, "undecided", notes_json(vr->version, vr->undecided, vr->nundecided, "reason"));
    return o;
}

/* Versions the versions probe saw accepted, oldest first. */
static size_t accepted_versions(endpoint_t *ep, uint16_t *out)
{
    static const uint16_t oldest_first[] = { WIRE_SSL2, WIRE_SSL3, WIRE_TLS10, WIRE_TLS11, WIRE_TLS12, WIRE_TLS13 };
    unsigned accepted = probe_versions_accepted(ep);
    size_t n = 0;
    for (size_t i = 0; i < sizeof oldest_first / sizeof *oldest_first; i++)
        if (accepted & probe_version_bit(oldest_first[i]))
            out[n++] = oldest_first[i];
    return n;
}

static probe_status_t ciphers_run(probe_ctx_t *ctx)
{
    json_object *versions = endpoint_probe_facts(ctx->ep, "versions");
    uint16_t vlist[8];
    size_t nv = accepted_versions(ctx->ep, vlist);
    version_result_t *vrs[8] = { 0 };
    suite_enum_run_t run = { .ctx = ctx };
    totals_t t = { .accepted = json_object_new_array() };
    json_object *protocols = json_object_new_array();
    hello_profile_t *p = malloc(sizeof *p);
    version_result_t *vr = malloc(sizeof *vr);
    int rc = p && vr ? 0 : -1;
    run.p = p;
    /* The hello shapes the versions probe learned this endpoint answers. */
    hello_shape_load(ctx->ep, &run.shape);
    const char *vstatus = json_object_get_string(json_object_object_get(versions, "status"));
    /* Nothing to enumerate is only a finding when the versions probe could tell. */
    if (!versions)
        snprintf(run.error, sizeof run.error, "versions probe has no result");
    else if (!vstatus || strcmp(vstatus, "ok") != 0) {
        const char *why = json_object_get_string(json_object_object_get(versions, "error"));
        snprintf(run.error, sizeof run.error, "versions probe failed: %.200s", why ? why : "unknown error");
    }
    if (rc)
        snprintf(run.error, sizeof run.error, "out of memory");

    /* Every TLS version at once (suite_split.c), then SSLv2's one hello. */
    size_t ntls = 0;
    for (size_t i = nv; rc == 0 && i-- > 0;)
        if (vlist[i] != WIRE_SSL2) {
            vrs[ntls] = calloc(1, sizeof *vrs[ntls]);
            if (!vrs[ntls]) {
                rc = -1;
                snprintf(run.error, sizeof run.error, "out of memory");
                break;
            }
            vrs[ntls++]->version = vlist[i];
        }
    if (rc == 0 && ntls)
        rc = suite_enum_split(&run, vrs, ntls);
    /* Newest first, so the suites list of the union starts with the strongest versions. */
    for (size_t i = 0; i < ntls; i++)
        json_object_array_add(protocols, version_json(vrs[i], &t));
    if (rc == 0 && nv && vlist[0] == WIRE_SSL2) {
        memset(vr, 0, sizeof *vr);
        vr->version = WIRE_SSL2;
        vr->server_order = -1;
        rc = enumerate_sslv2(&run, vr);
        json_object_array_add(protocols, version_json(vr, &t));
    }
    for (size_t i = 0; i < ntls; i++)
        free(vrs[i]);
    free(p);
    free(vr);

    /* Reports list versions oldest first, as the versions probe does. */
    json_object *ordered = json_object_new_array();
    for (size_t i = json_object_array_length(protocols); i-- > 0;)
        json_object_array_add(ordered, json_object_get(json_object_array_get_idx(protocols, i)));
    json_object_put(protocols);

    bool ok = !run.error[0];
    json_object *out = ctx->out, *counts = json_object_new_object();
    json_object_object_add(out, "connections", json_object_new_int((int)run.connections));
    json_object_object_add(out, "reused_answers", json_object_new_int((int)run.reused));
    json_object_object_add(out, "protocols", ordered);
    json_object_object_add(out, "accepted", t.accepted);
    json_object_object_add(out, "forward_secrecy",
                           json_object_new_string(t.without_fs == 0 && t.with_fs ? "all"
                                                  : t.with_fs ? "some" : "none"));
    for (int c = SUITE_RECOMMENDED; c <= SUITE_INSECURE; c++)
        json_object_object_add(counts, suite_class_name((suite_class_t)c), json_object_new_int((int)t.counts[c]));
    json_object_object_add(out, "counts", counts);
    if (!ok)
        snprintf(ctx->err, sizeof ctx->err, "%s", run.error);
    return ok ? PROBE_OK : PROBE_ERROR;
}

static const char *const ciphers_needs[] = { "versions", NULL };

render_text_fn ciphers_render_text;   /* probes/ciphers_render.c */
render_html_fn ciphers_render_html;

const probe_module_t probe_ciphers = {
    .name = "ciphers",
    .help = "every accepted suite per version (offer-and-remove), server order, key exchange group",
    .needs = ciphers_needs,
    .run = ciphers_run,
    .chain = 22,
    .fans_out = true,
    .render_text = ciphers_render_text,
    .render_html = ciphers_render_html,
};
