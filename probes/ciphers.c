/* ciphers: the exact set of suites each accepted version takes, found by offer-and-remove
 * with hand-built hellos (so suites the local OpenSSL lacks are found too), the server's
 * order, and the key exchange group each suite really used.
 *
 * Cost: one connection per accepted suite but the first of each version (the versions probe
 * already asked that question: hello_memo.h), one refusal per hello-sized chunk, and one to
 * tell server order from client order when the zigzag picks do not show it. Chunks start as
 * large as the whole list and shrink only when a server drops a hello larger than any it has
 * answered, so a hello size limit never hides suites and never costs anything on servers
 * without one. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipher_class.h"
#include "dh_groups.h"
#include "hello_memo.h"
#include "hello_profile.h"
#include "probe.h"
#include "registry.h"
#include "tls_raw.h"
#include "wire.h"

#define MAX_SUITES HELLO_MAX_CODES
/* Hellos at most this long are never suspected of being too long for the server. */
#define SMALLEST_SUSPECT_CHUNK 32
#define MAX_SHRINKS 6

typedef struct found_suite {
    uint32_t code;          /* TLS suite, or SSLv2 cipher kind */
    char kx_group[48];      /* "" when not seen */
} found_suite_t;

typedef struct version_result {
    uint16_t version;
    found_suite_t found[MAX_SUITES];
    size_t nfound;
    int server_order;       /* -1 unknown, 0 client's order, 1 server's own */
    size_t chunks_with_finds;
    bool zigzag;            /* every pick came from one chunk, offered forward and reversed in turn */
} version_result_t;

typedef struct run {
    probe_ctx_t *ctx;
    size_t connections;
    size_t reused;          /* answers the versions probe had already */
    char error[256];        /* set when enumeration had to stop */
} run_t;

static tls_raw_outcome_t exchange(run_t *run, const hello_profile_t *p, tls_raw_result_t *r)
{
    run->connections++;
    return tls_raw_probe_hello(run->ctx, &p->opts, 0, r);
}

static void record_found(version_result_t *vr, const hello_answer_t *a)
{
    if (vr->nfound == MAX_SUITES)
        return;
    found_suite_t *s = &vr->found[vr->nfound++];
    s->code = a->cipher;
    snprintf(s->kx_group, sizeof s->kx_group, "%s", a->kx_group);
}

/* Offers these suites in this order: the answer the versions probe kept when the server must
 * give the same one (hello_memo.h), else a new connection. */
static tls_raw_outcome_t offer(run_t *run, hello_profile_t *p, uint16_t version, const uint16_t *suites,
                               size_t n, hello_answer_t *a, tls_raw_result_t *r)
{
    hello_profile_init(p, run->ctx->ep->sni, version);
    hello_profile_set_suites(p, suites, n);
    return hello_ask(run->ctx, p, a, r, &run->connections, &run->reused);
}

/* Offer-and-remove over every suite defined for the version. While the list fits one hello,
 * hellos alternate between our order and its reverse: a server that follows the client then
 * picks first-last-first..., so picks that break that pattern prove the server's own order
 * without a connection spent on it (detect_server_order). Returns 0, or -1 with run->error
 * set when the endpoint stopped answering altogether. */
static int enumerate_tls(run_t *run, uint16_t version, hello_profile_t *p, version_result_t *vr)
{
    uint16_t cand[MAX_SUITES];
    bool done[MAX_SUITES] = { false };
    size_t ncand = registry_suites_for_version(version, cand, MAX_SUITES);
    if (ncand > MAX_SUITES)
        ncand = MAX_SUITES;
    size_t cap = ncand, largest_answered = 0, left = ncand, hellos = 0;
    int shrinks = 0;
    vr->zigzag = true;

    while (left > 0) {
        uint16_t chunk[MAX_SUITES];
        size_t chunk_idx[MAX_SUITES], n = 0;
        for (size_t i = 0; i < ncand && n < cap; i++)
            if (!done[i]) {
                chunk_idx[n] = i;
                chunk[n++] = cand[i];
            }
        if (n < left)
            vr->zigzag = false;
        bool found_in_chunk = false, reshape = false;
        while (n > 0) {
            uint16_t offered[MAX_SUITES];
            bool reversed = vr->zigzag && hellos++ % 2 == 1;
            for (size_t i = 0; i < n; i++)
                offered[i] = reversed ? chunk[n - 1 - i] : chunk[i];
            tls_raw_result_t r;
            hello_answer_t a;
            tls_raw_outcome_t o = offer(run, p, version, offered, n, &a, &r);
            if (o == TLS_RAW_ACCEPTED) {
                size_t at = n;
                for (size_t i = 0; i < n; i++)
                    if (chunk[i] == r.cipher)
                        at = i;
                if (at < n) {
                    record_found(vr, &a);
                    found_in_chunk = true;
                    if (n > largest_answered)
                        largest_answered = n;
                    done[chunk_idx[at]] = true;
                    left--;
                    memmove(&chunk[at], &chunk[at + 1], (n - at - 1) * sizeof *chunk);
                    memmove(&chunk_idx[at], &chunk_idx[at + 1], (n - at - 1) * sizeof *chunk_idx);
                    n--;
                    tls_raw_result_free(&r);
                    continue;
                }
            }
            if (o == TLS_RAW_CONNECT_FAILED || o == TLS_RAW_LOCAL_ERROR) {
                snprintf(run->error, sizeof run->error, "%s %s: %.180s", wire_version_name(version),
                         "enumeration stopped", r.summary);
                tls_raw_result_free(&r);
                return -1;
            }
            /* No answer to a hello longer than any answered so far: maybe too long for it. */
            bool dropped = o == TLS_RAW_CLOSED || o == TLS_RAW_TIMEOUT || o == TLS_RAW_MALFORMED;
            tls_raw_result_free(&r);
            if (dropped && n > largest_answered && n > SMALLEST_SUSPECT_CHUNK && shrinks < MAX_SHRINKS) {
                cap = n / 2;
                shrinks++;
                reshape = true;
                vr->zigzag = false;
                break;
            }
            /* A refusal: nothing left in this chunk is accepted. */
            if (!dropped && n > largest_answered)
                largest_answered = n;
            for (size_t i = 0; i < n; i++) {
                done[chunk_idx[i]] = true;
                left--;
            }
            n = 0;
        }
        if (found_in_chunk && !reshape)
            vr->chunks_with_finds++;
        else if (found_in_chunk)
            vr->chunks_with_finds += 2; /* finds before a reshape: order across chunks is unknown */
    }
    return 0;
}

/* Whether the picks are what a server following the client's order gives the zigzag offers:
 * the first of what is left in our order, then the last, and so on. */
static bool picks_follow_client(const version_result_t *vr)
{
    uint16_t cand[MAX_SUITES], ours[MAX_SUITES];
    size_t ncand = registry_suites_for_version(vr->version, cand, MAX_SUITES), m = 0;
    for (size_t i = 0; i < ncand && i < MAX_SUITES; i++)
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

/* Offer the first two suites found in reverse: a server that enforces its order still picks
 * its favourite, one that follows the client picks the first offered. Not needed when the
 * zigzag picks already show the server's own order. */
static void detect_server_order(run_t *run, hello_profile_t *p, version_result_t *vr)
{
    vr->server_order = -1;
    if (vr->nfound < 2)
        return;
    /* A server that follows the client could not have picked otherwise. */
    if (vr->zigzag && !picks_follow_client(vr)) {
        vr->server_order = 1;
        return;
    }
    uint16_t pair[2] = { (uint16_t)vr->found[1].code, (uint16_t)vr->found[0].code };
    tls_raw_result_t r;
    hello_profile_init(p, run->ctx->ep->sni, vr->version);
    hello_profile_set_suites(p, pair, 2);
    if (exchange(run, p, &r) == TLS_RAW_ACCEPTED)
        vr->server_order = r.cipher == pair[1] ? 1 : r.cipher == pair[0] ? 0 : -1;
    tls_raw_result_free(&r);
}

/* When finds came from several chunks, each pick was the favourite of its chunk only; the
 * server's full order is recovered by offering all found suites and removing each pick. */
static void recover_server_order(run_t *run, hello_profile_t *p, version_result_t *vr)
{
    if (vr->server_order != 1 || vr->chunks_with_finds < 2)
        return;
    for (size_t next = 0; next + 1 < vr->nfound; next++) {
        uint16_t rest[MAX_SUITES];
        size_t n = 0;
        for (size_t i = next; i < vr->nfound; i++)
            rest[n++] = (uint16_t)vr->found[i].code;
        tls_raw_result_t r;
        hello_profile_init(p, run->ctx->ep->sni, vr->version);
        hello_profile_set_suites(p, rest, n);
        tls_raw_outcome_t o = exchange(run, p, &r);
        for (size_t i = next; o == TLS_RAW_ACCEPTED && i < vr->nfound; i++)
            if (vr->found[i].code == r.cipher) {
                found_suite_t pick = vr->found[i];
                memmove(&vr->found[next + 1], &vr->found[next], (i - next) * sizeof pick);
                vr->found[next] = pick;
                break;
            }
        tls_raw_result_free(&r);
        if (o != TLS_RAW_ACCEPTED)
            return;
    }
}

/* SSLv2: the SERVER-HELLO lists every offered kind the server has, in one connection. */
static int enumerate_sslv2(run_t *run, version_result_t *vr)
{
    uint32_t kinds[64];
    size_t n = 0;
    for (size_t i = 0; i < registry_sslv2_kinds_count && n < 64; i++)
        kinds[n++] = registry_sslv2_kinds[i].code;
    wire_sslv2_hello_opts_t h = { .version = WIRE_SSL2, .kinds = kinds, .nkinds = n };
    tls_raw_result_t r;
    run->connections++;
    tls_raw_outcome_t o = tls_raw_probe_sslv2(run->ctx, &h, 0, &r);
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
        const registry_sslv2_kind_t *k = registry_sslv2_kind_by_code(f->code);
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
    const registry_suite_t *s = registry_suite_by_code((uint16_t)f->code);
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
    const char *ossl = registry_openssl_name(s->code);
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

/* Client-order servers pick our first offer, so what was found is in our strength order
 * already; this keeps the report stable when chunks were reshaped. */
/* Position of each suite code in the strength order; built once, shared by every thread. */
static size_t rank[65536];
static pthread_once_t rank_once = PTHREAD_ONCE_INIT;

static void build_rank(void)
{
    for (size_t i = 0; i < registry_suites_count; i++)
        rank[registry_suites[registry_suite_preference[i]].code] = i + 1;
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
    return o;
}

/* Versions the versions probe saw accepted, oldest first. */
static size_t accepted_versions(json_object *versions, uint16_t *out, size_t cap)
{
    json_object *list, *status;
    size_t n = 0;
    if (!versions || !json_object_object_get_ex(versions, "protocols", &list) ||
        !json_object_object_get_ex(versions, "status", &status) ||
        strcmp(json_object_get_string(status), "ok") != 0)
        return 0;
    for (size_t i = 0; i < json_object_array_length(list) && n < cap; i++) {
        json_object *p = json_object_array_get_idx(list, i), *acc, *name;
        if (json_object_object_get_ex(p, "accepted", &acc) && json_object_get_boolean(acc) &&
            json_object_object_get_ex(p, "name", &name))
            out[n++] = wire_version_by_name(json_object_get_string(name));
    }
    return n;
}

static probe_status_t ciphers_run(probe_ctx_t *ctx)
{
    json_object *versions = endpoint_probe_facts(ctx->ep, "versions");
    uint16_t vlist[8];
    size_t nv = accepted_versions(versions, vlist, 8);
    run_t run = { .ctx = ctx };
    totals_t t = { .accepted = json_object_new_array() };
    json_object *protocols = json_object_new_array();
    hello_profile_t *p = malloc(sizeof *p);
    version_result_t *vr = malloc(sizeof *vr);
    int rc = p && vr ? 0 : -1;
    if (!versions)
        snprintf(run.error, sizeof run.error, "versions probe has no result");
    if (rc)
        snprintf(run.error, sizeof run.error, "out of memory");

    /* Newest first, so the suites list of the union starts with the strongest versions. */
    for (size_t i = nv; rc == 0 && i-- > 0;) {
        memset(vr, 0, sizeof *vr);
        vr->version = vlist[i];
        vr->server_order = -1;
        if (vlist[i] == WIRE_SSL2) {
            rc = enumerate_sslv2(&run, vr);
        } else if (vlist[i]) {
            rc = enumerate_tls(&run, vlist[i], p, vr);
            if (rc == 0) {
                detect_server_order(&run, p, vr);
                recover_server_order(&run, p, vr);
            }
        }
        json_object_array_add(protocols, version_json(vr, &t));
    }
    free(p);
    free(vr);

    /* Reports list versions oldest first, as the versions probe does. */
    json_object *ordered = json_object_new_array();
    for (size_t i = json_object_array_length(protocols); i-- > 0;)
        json_object_array_add(ordered, json_object_get(json_object_array_get_idx(protocols, i)));
    json_object_put(protocols);

    bool ok = !run.error[0];
    json_object *out = ctx->out, *counts = json_object_new_object();
    json_object_object_add(out, "status", json_object_new_string(ok ? "ok" : "error"));
    if (!ok)
        json_object_object_add(out, "error", json_object_new_string(run.error));
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

const probe_module_t probe_ciphers = {
    .name = "ciphers",
    .help = "every accepted suite per version (offer-and-remove), server order, key exchange group",
    .needs = ciphers_needs,
    .run = ciphers_run,
};
