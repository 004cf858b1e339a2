/* ech: whether the endpoint accepts Encrypted Client Hello (RFC 9849) with the configuration a
 * client would use, and whether it answers a hello carrying GREASE ECH.
 *
 * The config comes from the target (--ech-config-list, the inventory's ech_config_list:) or
 * else from the HTTPS records resolution put on the endpoint (ep->dns_https). With one, a
 * ClientHelloOuter (SNI the config's public_name) carrying the sealed ClientHelloInner (the
 * real SNI) is sent and the first answer read: acceptance is decided from the ServerHello's
 * (or HelloRetryRequest's) confirmation alone, before any handshake key exists, so retry
 * configs (in the encrypted EncryptedExtensions) are not seen. Without one, nothing is offered:
 * no client could use ECH with this endpoint. Facts only; renderers at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ech_hello.h"
#include "hello_profile.h"
#include "json_read.h"
#include "net.h"
#include "probe.h"
#include "tls_raw.h"
#include "wire.h"

static const uint16_t tls13_suites[] = { 0x1301, 0x1302, 0x1303 };
static const uint16_t tls13_version = WIRE_TLS13;

/* One connection: the record as built, the first flight read under the run's limits. */
static tls_raw_outcome_t send_record(probe_ctx_t *ctx, const uint8_t *rec, size_t len, tls_raw_result_t *res)
{
    memset(res, 0, sizeof *res);
    int fd = probe_connect(ctx);
    if (fd < 0) {
        tls_raw_set_connect_failed(res, ctx->err);
        return res->outcome;
    }
    tls_raw_opts_t o = {
        .timeout_s = ctx->ep->opts->timeout_s,
        .deadline = net_now() + NET_EXCHANGE_WAITS * ctx->ep->opts->timeout_s,
        .offered_versions = &tls13_version,
        .noffered_versions = 1,
        .offered_suites = tls13_suites,
        .noffered_suites = sizeof tls13_suites / sizeof *tls13_suites,
    };
    tls_raw_exchange(fd, rec, len, &o, res);
    net_close(fd);
    return res->outcome;
}

/* A TLS 1.3 hello as the other probes send it, for server name sni. */
static hello_profile_t *tls13_profile(const char *sni)
{
    hello_profile_t *p = malloc(sizeof *p);
    if (p) {
        hello_profile_init(p, sni, WIRE_TLS13);
        hello_profile_set_suites(p, tls13_suites, sizeof tls13_suites / sizeof *tls13_suites);
    }
    return p;
}

/* ---- where the config comes from */

typedef struct source {
    const char *name;         /* "option", "inventory", "dns", or NULL: none */
    bool found;               /* a usable config is in pick */
    bool undecided;           /* the DNS lookup failed: whether one is published is unknown */
    ech_pick_t pick;
    char why[400];            /* without a config: why */
} source_t;

/* Room for every record resolve.c keeps (it keeps 16). */
#define HTTPS_RECORDS_CAP 32

/* The ServiceMode records' indexes in SvcPriority order, as a client tries them (RFC 9460
 * 2.4.1); AliasMode records (priority 0) are not services. Stable for equal priorities. */
static size_t by_priority(json_object *records, size_t *order, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < jr_len(records) && n < cap; i++) {
        int prio = json_object_get_int(jr_at(jr_idx(records, i), "priority"));
        if (prio <= 0)
            continue;
        size_t j = n++;
        while (j > 0 && json_object_get_int(jr_at(jr_idx(records, order[j - 1]), "priority")) > prio) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return n;
}

static void pick_from_dns(json_object *dns, const char *host, source_t *s)
{
    const char *owner = jr_str(dns, "owner") ? jr_str(dns, "owner") : host;
    const char *result = jr_str(dns, "result") ? jr_str(dns, "result") : "?";
    if (strcmp(result, "timeout") == 0 || strcmp(result, "error") == 0) {
        s->undecided = true;
        snprintf(s->why, sizeof s->why, "the HTTPS record lookup for %s failed (%s%s%s) and no ECH configuration was given",
                 owner, result, jr_str(dns, "error") ? ": " : "", jr_str(dns, "error") ? jr_str(dns, "error") : "");
        return;
    }
    json_object *records = jr_at(dns, "records");
    char first[300] = "", malformed[200] = "";
    size_t order[HTTPS_RECORDS_CAP], n = by_priority(records, order, HTTPS_RECORDS_CAP);
    for (size_t k = 0; k < n; k++) {
        json_object *rec = json_object_array_get_idx(records, order[k]);
        const char *b64 = jr_str(rec, "ech");
        if (jr_str(rec, "malformed")) {
            if (!*malformed)
                snprintf(malformed, sizeof malformed, " (a malformed record: %s)", jr_str(rec, "malformed"));
            continue;
        }
        if (jr_str(rec, "ignored"))
            continue; /* RFC 9460 8: a client that cannot honour a mandatory key skips the record */
        if (!b64)
            continue;
        s->name = "dns";
        uint8_t *list;
        size_t len;
        char why[300];
        bool ok = ech_list_from_base64(b64, &list, &len, why, sizeof why);
        if (ok) {
            ech_pick_status_t st = ech_pick_config(list, len, &s->pick, why, sizeof why);
            free(list);
            if (st == ECH_PICK_OK) {
                s->found = true;
                return;
            }
        }
        if (!*first)
            snprintf(first, sizeof first, "%s", why);
    }
    if (s->name)
        snprintf(s->why, sizeof s->why, "no usable ECH configuration in the HTTPS records of %s: %s", owner, first);
    else
        snprintf(s->why, sizeof s->why, "no ECH configuration: no HTTPS record with ech for %s%s and none given", owner,
                 malformed);
}

static void pick_source(const endpoint_t *ep, source_t *s)
{
    const target_t *t = ep->target;
    memset(s, 0, sizeof *s);
    if (t->ech_config_list) {
        s->name = t->ech_config_origin ? t->ech_config_origin : "option";
        char why[300];
        if (ech_pick_config(t->ech_config_list, t->ech_config_list_len, &s->pick, why, sizeof why) == ECH_PICK_OK)
            s->found = true;
        else
            snprintf(s->why, sizeof s->why, "no usable ECH configuration in the list given (%s): %s", s->name, why);
    } else if (ep->dns_https) {
        pick_from_dns(ep->dns_https, t->host, s);
    } else {
        /* Nothing says whether a configuration is published: an address or a localhost name has
         * no HTTPS record to look up. */
        s->undecided = true;
        snprintf(s->why, sizeof s->why,
                 "no ECH configuration to try: no HTTPS record is looked up for %s (an address or a localhost name) "
                 "and none was given (--ech-config-list)", t->host);
    }
}

static json_object *config_json(const ech_pick_t *p)
{
    json_object *c = json_object_new_object();
    json_object_object_add(c, "config_id", json_object_new_int(p->config_id));
    json_object_object_add(c, "kem", json_object_new_int(p->kem_id));
    json_object_object_add(c, "kdf", json_object_new_int(p->kdf_id));
    json_object_object_add(c, "aead", json_object_new_int(p->aead_id));
    json_object_object_add(c, "public_name", json_object_new_string(p->public_name));
    json_object_object_add(c, "maximum_name_length", json_object_new_int(p->maximum_name_length));
    return c;
}

/* ---- the exchanges */

typedef enum { T_UNKNOWN = -1, T_FALSE = 0, T_TRUE = 1 } tri_t;

static json_object *tri_json(tri_t t)
{
    return t == T_UNKNOWN ? NULL : json_object_new_boolean(t == T_TRUE);
}

/* Offers ECH with s's config; accepted and result say what came of it. False when no
 * connection could be made. */
static bool offer_ech(probe_ctx_t *ctx, const source_t *s, tri_t *accepted, char *result, size_t cap)
{
    hello_profile_t *in = tls13_profile(ctx->ep->sni), *out = tls13_profile(s->pick.public_name);
    ech_hello_t *h = malloc(sizeof *h);
    bool connected = true;
    *accepted = T_UNKNOWN;
    char err[200];
    if (!in || !out || !h) {
        snprintf(result, cap, "out of memory");
    } else if (ech_build_hello(&s->pick, &in->opts, &out->opts, h, err, sizeof err) != 0) {
        snprintf(result, cap, "cannot build the ECH hello: %s", err);
    } else {
        tls_raw_result_t r;
        tls_raw_outcome_t o = send_record(ctx, h->record, h->record_len, &r);
        const wire_flight_t *f = &r.flight;
        if (o == TLS_RAW_ACCEPTED && f->hs_len >= 4) {
            size_t msg_len = 4 + ((size_t)f->hs[1] << 16 | (size_t)f->hs[2] << 8 | f->hs[3]);
            if (msg_len <= f->hs_len) {
                ech_verdict_t v = ech_check_answer(h, f->hs, msg_len, result, cap);
                *accepted = v == ECH_ACCEPTED ? T_TRUE : v == ECH_REJECTED ? T_FALSE : T_UNKNOWN;
            } else {
                snprintf(result, cap, "truncated ServerHello");
            }
        } else if (o == TLS_RAW_OTHER_VERSION) {
            *accepted = T_FALSE;
            snprintf(result, cap, "rejected: %s, and ECH needs TLS 1.3", r.summary);
        } else {
            /* An alert or a close may be about anything in the hello: it decides nothing. */
            connected = o != TLS_RAW_CONNECT_FAILED;
            snprintf(result, cap, "undecided: the ECH hello got no ServerHello (%s)", r.summary);
        }
        tls_raw_result_free(&r);
        ech_hello_free(h);
    }
    free(in), free(out), free(h);
    return connected;
}

/* After a hello with GREASE ECH went unanswered (got: what it got), the same hello without the
 * extension says whether ECH is what broke it: false when that one is answered, else unknown
 * (the server answers neither). */
static tri_t control_hello(probe_ctx_t *ctx, const wire_hello_opts_t *opts, const char *got, char *result,
                           size_t cap)
{
    uint8_t *rec = malloc(WIRE_HELLO_MAX + WIRE_RECORD_HEADER);
    size_t len;
    char err[200];
    tri_t answered = T_UNKNOWN;
    if (!rec || wire_build_client_hello(opts, rec, WIRE_HELLO_MAX + WIRE_RECORD_HEADER, &len, err, sizeof err) != 0) {
        snprintf(result, cap, "a hello with GREASE ECH got %.150s; the same hello without it could not be built", got);
        free(rec);
        return answered;
    }
    tls_raw_result_t r;
    tls_raw_outcome_t o = send_record(ctx, rec, len, &r);
    if (o == TLS_RAW_ACCEPTED || o == TLS_RAW_OTHER_VERSION) {
        answered = T_FALSE;
        snprintf(result, cap, "a hello with GREASE ECH got %.150s; the same hello without it was answered: the server "
                 "breaks on ECH", got);
    } else {
        snprintf(result, cap, "a hello with GREASE ECH got %.100s, and the same hello without it %.100s: undecided", got,
                 r.summary);
    }
    tls_raw_result_free(&r);
    free(rec);
    return answered;
}

/* A normal TLS 1.3 hello with GREASE ECH: answered normally, or broken on. Sent only where the
 * versions probe saw TLS 1.3 answered: elsewhere a refusal would say nothing about ECH. */
static json_object *grease(probe_ctx_t *ctx, bool tls13_seen, bool *connected)
{
    json_object *g = json_object_new_object();
    tri_t answered = T_UNKNOWN;
    char result[300];
    *connected = true;
    hello_profile_t *p = tls13_profile(ctx->ep->sni);
    uint8_t *rec = malloc(WIRE_HELLO_MAX + WIRE_RECORD_HEADER);
    size_t len;
    char err[200];
    if (!tls13_seen) {
        snprintf(result, sizeof result, "not tried: the versions probe did not see TLS 1.3 accepted");
    } else if (!p || !rec) {
        snprintf(result, sizeof result, "out of memory");
    } else if (ech_build_grease(&p->opts, rec, WIRE_HELLO_MAX + WIRE_RECORD_HEADER, &len, err, sizeof err) != 0) {
        snprintf(result, sizeof result, "cannot build the hello: %s", err);
    } else {
        tls_raw_result_t r;
        tls_raw_outcome_t o = send_record(ctx, rec, len, &r);
        if (o == TLS_RAW_ACCEPTED || o == TLS_RAW_OTHER_VERSION) {
            answered = T_TRUE;
            snprintf(result, sizeof result, "answered normally (%s %s)", wire_version_name(r.version) ? wire_version_name(r.version) : "?",
                     r.cipher_name ? r.cipher_name : "?");
        } else if (o == TLS_RAW_ALERT || o == TLS_RAW_CLOSED || o == TLS_RAW_TIMEOUT || o == TLS_RAW_MALFORMED) {
            answered = control_hello(ctx, &p->opts, r.summary, result, sizeof result);
        } else {
            *connected = o != TLS_RAW_CONNECT_FAILED;
            snprintf(result, sizeof result, "%s", r.summary);
        }
        tls_raw_result_free(&r);
    }
    free(p), free(rec);
    json_object_object_add(g, "answered", tri_json(answered));
    json_object_object_add(g, "result", json_object_new_string(result));
    return g;
}

static probe_status_t ech_run(probe_ctx_t *ctx)
{
    endpoint_t *ep = ctx->ep;
    json_object *out = ctx->out;
    source_t s;
    pick_source(ep, &s);
    unsigned versions = probe_versions_accepted(ep);
    bool tls13_refused = versions && !(versions & probe_version_bit(WIRE_TLS13));

    json_object_object_add(out, "source", s.name ? json_object_new_string(s.name) : NULL);
    json_object_object_add(out, "config", s.found ? config_json(&s.pick) : NULL);
    /* A copy, not a shared reference: json-c's reference counts are not atomic, and the
     * endpoint's object and the facts are released by different code. */
    json_object *dns_copy = NULL;
    if (ep->dns_https && json_object_deep_copy(ep->dns_https, &dns_copy, NULL) != 0)
        dns_copy = NULL;
    json_object_object_add(out, "dns_https", dns_copy);

    tri_t accepted = s.undecided ? T_UNKNOWN : T_FALSE;
    bool offered = false, ech_connected = true;
    char result[500];
    if (tls13_refused) {
        /* Whatever is published, ECH cannot be accepted without TLS 1.3. */
        accepted = T_FALSE;
        snprintf(result, sizeof result, "not offered: the endpoint does not accept TLS 1.3 (versions probe), which ECH needs");
    } else if (!s.found) {
        snprintf(result, sizeof result, "%s", s.why);
    } else {
        offered = true;
        ech_connected = offer_ech(ctx, &s, &accepted, result, sizeof result);
    }
    json_object_object_add(out, "offered", json_object_new_boolean(offered));
    json_object_object_add(out, "accepted", tri_json(accepted));
    json_object_object_add(out, "inner_sni", offered && ep->sni ? json_object_new_string(ep->sni) : NULL);
    json_object_object_add(out, "outer_sni", offered ? json_object_new_string(s.pick.public_name) : NULL);
    json_object_object_add(out, "result", json_object_new_string(result));
    bool grease_connected;
    json_object_object_add(out, "grease", grease(ctx, versions & probe_version_bit(WIRE_TLS13), &grease_connected));
    json_object_object_add(out, "retry_configs", NULL);
    json_object_object_add(out, "retry_configs_note",
                           json_object_new_string("not attempted: they come in EncryptedExtensions, which need the handshake keys"));
    ech_pick_free(&s.pick);
    /* The ECH answer is what the facts are for; a GREASE hello without a connection only
     * leaves grease.answered null. */
    (void)grease_connected;
    if (!ech_connected)
        return probe_no_connection(ctx);
    return PROBE_OK;
}

/* ---- renderers */

static void ech_render_text(render_text_t *out, json_object *e, json_object *endpoint)
{
    (void)endpoint;
    if (!e)
        return;
    json_object *acc = jr_at(e, "accepted"), *cfg = jr_at(e, "config"), *g = jr_at(e, "grease");
    render_text_label(out, "ECH");
    if (!acc)
        render_text_tone(out, RENDER_WARN, " undecided");
    else if (json_object_get_boolean(acc))
        render_text_tone(out, RENDER_GOOD, " accepted");
    else
        render_text_tone(out, RENDER_BAD, " not accepted");
    if (cfg)
        render_text_printf(out, " (config %d from %s, public name %s)", json_object_get_int(jr_at(cfg, "config_id")),
                           render_or_dash(jr_str(e, "source")), render_or_dash(jr_str(cfg, "public_name")));
    render_text_printf(out, "; GREASE ECH answered %s\n", render_yes_no(g, "answered"));
    render_text_indent(out);
    render_text_printf(out, " %s\n", render_or_dash(jr_str(e, "result")));
}

static void ech_render_html(render_html_t *out, json_object *e, json_object *endpoint)
{
    (void)endpoint;
    if (!e)
        return;
    render_html_section(out, "Encrypted Client Hello", e);
    render_html_kv_begin(out, "ech");
    render_html_kv_value(out, "Accepted", jr_at(e, "accepted"));
    render_html_kv_value(out, "Result", jr_at(e, "result"));
    render_html_kv_value(out, "Config source", jr_at(e, "source"));
    render_html_kv_value(out, "Config", jr_at(e, "config"));
    render_html_kv_value(out, "Outer SNI", jr_at(e, "outer_sni"));
    render_html_kv_value(out, "GREASE ECH answered", jr_at(jr_at(e, "grease"), "answered"));
    render_html_kv_value(out, "GREASE ECH", jr_at(jr_at(e, "grease"), "result"));
    render_html_kv_end(out);
}

static const char *const ech_needs[] = { "versions", NULL };

const probe_module_t probe_ech = {
    .name = "ech",
    .help = "Encrypted Client Hello: accepted with the DNS or given config, GREASE ECH answered",
    .needs = ech_needs,
    .run = ech_run,
    .render_text = ech_render_text,
    .render_html = ech_render_html,
};
