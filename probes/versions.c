/* versions: which protocol versions the endpoint accepts, from SSLv2 to TLS 1.3, each tested
 * with one hand-built hello offering every suite defined for that version, then one hello
 * offering everything to see which version and suite the server prefers. Raw hellos, not the
 * local OpenSSL, so versions it cannot speak any more are still seen.
 *
 * Some servers drop a ClientHello above a size limit without a word. A hello that got no
 * answer and is longer than any hello this server has answered is sent again with only the
 * strongest suites, so such a server is not reported as refusing a version it speaks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hello_memo.h"
#include "hello_profile.h"
#include "probe.h"
#include "registry.h"
#include "tls_raw.h"
#include "wire.h"

/* A short hello: with every extension it stays under 512 bytes. */
#define SHORT_HELLO_SUITES 64
/* Servers that close on anything (SSLv2-only ones) must not cost a retry per version. */
#define MAX_UNHELPFUL_RETRIES 2

/* Every SSLv2 cipher kind, strongest first (a stable insertion sort by key bits). */
static size_t sslv2_kinds(uint32_t *out, size_t cap)
{
    uint16_t bits[64];
    size_t n = 0;
    for (size_t i = 0; i < registry_sslv2_kinds_count && n < cap && n < 64; i++) {
        size_t j = n++;
        for (; j > 0 && bits[j - 1] < registry_sslv2_kinds[i].bits; j--) {
            bits[j] = bits[j - 1];
            out[j] = out[j - 1];
        }
        bits[j] = registry_sslv2_kinds[i].bits;
        out[j] = registry_sslv2_kinds[i].code;
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

static json_object *protocol_json(const char *name, const tls_raw_result_t *r, bool short_hello)
{
    json_object *o = json_object_new_object();
    bool accepted = r->outcome == TLS_RAW_ACCEPTED;
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "accepted", json_object_new_boolean(accepted));
    json_object_object_add(o, "result", json_object_new_string(r->summary));
    if (accepted)
        json_object_object_add(o, "cipher", cipher_json(r));
    if (short_hello)
        json_object_object_add(o, "hello_size_limited", json_object_new_boolean(true));
    return o;
}

/* What the per-version results add up to. */
typedef struct tally {
    probe_ctx_t *ctx;
    json_object *protocols;
    json_object *accepted;
    size_t reached;             /* connections made */
    size_t failed;              /* connections that could not be made */
    size_t largest_answered;    /* suites in the longest hello that got an answer */
    int unhelpful_retries;
    char last_failure[200];     /* why the last connection could not be made */
} tally_t;

/* Two failed connects and not one made: the endpoint is down or filtered, and trying the
 * remaining hellos would only cost a timeout each. */
static bool give_up(const tally_t *t)
{
    return t->reached == 0 && t->failed >= 2;
}

static void count_connection(tally_t *t, const tls_raw_result_t *r)
{
    if (r->outcome != TLS_RAW_CONNECT_FAILED && r->outcome != TLS_RAW_LOCAL_ERROR) {
        t->reached++;
    } else {
        t->failed++;
        snprintf(t->last_failure, sizeof t->last_failure, "%s", r->summary);
    }
}

static bool answered(tls_raw_outcome_t o)
{
    return o == TLS_RAW_ACCEPTED || o == TLS_RAW_OTHER_VERSION || o == TLS_RAW_ALERT;
}

/* Sends the hello with these suites; when the server drops it and it is longer than any it
 * answered, sends the strongest SHORT_HELLO_SUITES of them once more. */
static void send_hello(tally_t *t, hello_profile_t *p, const uint16_t *suites, size_t n,
                       tls_raw_result_t *r, bool *short_hello)
{
    *short_hello = false;
    if (give_up(t)) {
        memset(r, 0, sizeof *r);
        r->outcome = TLS_RAW_CONNECT_FAILED;
        snprintf(r->summary, sizeof r->summary, "%s", t->last_failure);
        return;
    }
    hello_profile_set_suites(p, suites, n);
    tls_raw_outcome_t o = tls_raw_probe_hello(t->ctx, &p->opts, 0, r);
    count_connection(t, r);
    if (answered(o) && n > t->largest_answered)
        t->largest_answered = n;
    if ((o != TLS_RAW_CLOSED && o != TLS_RAW_TIMEOUT) || n <= SHORT_HELLO_SUITES ||
        n <= t->largest_answered || t->unhelpful_retries >= MAX_UNHELPFUL_RETRIES)
        return;
    tls_raw_result_t retry;
    hello_profile_set_suites(p, suites, SHORT_HELLO_SUITES);
    hello_profile_compact(p);
    tls_raw_outcome_t o2 = tls_raw_probe_hello(t->ctx, &p->opts, 0, &retry);
    count_connection(t, &retry);
    if (!answered(o2)) {
        t->unhelpful_retries++;
        tls_raw_result_free(&retry);
        return;
    }
    if (SHORT_HELLO_SUITES > t->largest_answered)
        t->largest_answered = SHORT_HELLO_SUITES;
    tls_raw_result_free(r);
    *r = retry;
    *short_hello = true;
}

/* Records one version's result and frees it. */
static void record_version(tally_t *t, const char *name, tls_raw_result_t *r, bool short_hello)
{
    json_object_array_add(t->protocols, protocol_json(name, r, short_hello));
    if (r->outcome == TLS_RAW_ACCEPTED)
        json_object_array_add(t->accepted, json_object_new_string(name));
    tls_raw_result_free(r);
}

static probe_status_t versions_run(probe_ctx_t *ctx)
{
    static const uint16_t tls_versions[] = { WIRE_SSL3, WIRE_TLS10, WIRE_TLS11, WIRE_TLS12, WIRE_TLS13 };
    static const uint16_t all_versions[] = { WIRE_TLS13, WIRE_TLS12, WIRE_TLS11, WIRE_TLS10, WIRE_SSL3 };
    endpoint_t *ep = ctx->ep;
    tally_t t = { .ctx = ctx, .protocols = json_object_new_array(), .accepted = json_object_new_array() };
    tls_raw_result_t r, pref;
    bool short_hello;
    hello_profile_t *p = malloc(sizeof *p);
    uint16_t *suites = malloc(HELLO_MAX_CODES * sizeof *suites);
    if (!p || !suites) {
        free(p);
        free(suites);
        snprintf(ctx->err, sizeof ctx->err, "out of memory");
        json_object_put(t.protocols);
        json_object_put(t.accepted);
        json_object_object_add(ctx->out, "status", json_object_new_string("error"));
        json_object_object_add(ctx->out, "error", json_object_new_string(ctx->err));
        return PROBE_ERROR;
    }

    /* First every suite of every version, strongest versions' suites first: the server picks
     * its preferred version and suite, and that answer stands for the hello of that version
     * alone, which is then not sent (one signature fewer for the server). */
    size_t n = 0;
    for (size_t i = 0; i < sizeof all_versions / sizeof *all_versions; i++) {
        uint16_t one[HELLO_MAX_CODES];
        size_t k = registry_suites_for_version(all_versions[i], one, HELLO_MAX_CODES);
        for (size_t j = 0; j < k && j < HELLO_MAX_CODES; j++) {
            size_t x = 0;
            while (x < n && suites[x] != one[j])
                x++;
            if (x == n && n < HELLO_MAX_CODES)
                suites[n++] = one[j];
        }
    }
    hello_profile_init_all_versions(p, ep->sni);
    send_hello(&t, p, suites, n, &pref, &short_hello);
    if (!short_hello)
        hello_memo_record(ep, p, &pref);

    /* SSLv2 has its own record format and cipher kinds. */
    uint32_t kinds[64];
    wire_sslv2_hello_opts_t h2 = { .version = WIRE_SSL2, .kinds = kinds };
    h2.nkinds = sslv2_kinds(kinds, sizeof kinds / sizeof *kinds);
    tls_raw_probe_sslv2(ctx, &h2, 0, &r);
    count_connection(&t, &r);
    record_version(&t, wire_version_name(WIRE_SSL2), &r, false);

    for (size_t i = 0; i < sizeof tls_versions / sizeof *tls_versions; i++) {
        n = registry_suites_for_version(tls_versions[i], suites, HELLO_MAX_CODES);
        if (n > HELLO_MAX_CODES)
            n = HELLO_MAX_CODES;
        hello_profile_init(p, ep->sni, tls_versions[i]);
        hello_profile_set_suites(p, suites, n);
        /* The everything-hello's answer stands when the server must give this hello the same. */
        hello_answer_t a;
        if (hello_memo_result(ep, p, &a, &r)) {
            short_hello = false;
        } else {
            send_hello(&t, p, suites, n, &r, &short_hello);
            if (!short_hello)
                hello_memo_record(ep, p, &r);
        }
        record_version(&t, wire_version_name(tls_versions[i]), &r, short_hello);
    }
    free(p);
    free(suites);

    bool preferred = pref.outcome == TLS_RAW_ACCEPTED;
    json_object *out = ctx->out;
    json_object_object_add(out, "status", json_object_new_string(t.reached ? "ok" : "error"));
    if (!t.reached) {
        snprintf(ctx->err, sizeof ctx->err, "no connection could be made: %s", t.last_failure);
        json_object_object_add(out, "error", json_object_new_string(ctx->err));
    }
    json_object_object_add(out, "connections", json_object_new_int((int)(t.reached + t.failed)));
    json_object_object_add(out, "protocols", t.protocols);
    json_object_object_add(out, "accepted", t.accepted);
    json_object_object_add(out, "preferred",
                           preferred ? json_object_new_string(wire_version_name(pref.version)) : NULL);
    json_object_object_add(out, "preferred_cipher", preferred ? cipher_json(&pref) : NULL);
    /* The answer to the everything-hello: says why preferred is null when it is. */
    json_object_object_add(out, "preference_result", json_object_new_string(pref.summary));
    tls_raw_result_free(&pref);
    return t.reached ? PROBE_OK : probe_no_connection(ctx);
}

const probe_module_t probe_versions = {
    .name = "versions",
    .help = "SSLv2 to TLS 1.3 accepted or not (raw hellos), preferred version and suite",
    .needs = NULL,
    .run = versions_run,
};
