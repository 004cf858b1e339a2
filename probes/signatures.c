/* signatures: the signature schemes the server signs with, in the order it chooses them.
 * TLS 1.2: the ServerKeyExchange names the scheme picked from our list (raw hellos); remove
 * it and ask again. TLS 1.3: the scheme is in the encrypted CertificateVerify, so OpenSSL
 * does those handshakes, offered every scheme TLS 1.3 allows less those found. Hellos are
 * shaped like hellos the endpoint answers (known_hello.h); a hello the server drops ends a
 * version's enumeration undecided (tls12_complete / tls13_complete false), never refused. A
 * probe of its own so that it runs alongside ciphers and groups.
 * Cost: one connection per scheme found and one for the refusal, per version (about 11 on a
 * server with an RSA key); the two versions' chains run at once as tasks of probe_fanout, so
 * the probe takes as long as the longer chain (about 6 x 2 round trips), not both
 * (enumerate_both keeps the facts of running them in turn). Each chain stays whole: its picks
 * come in the order the server chooses them, which the picks of parts offered apart would not
 * give without more hellos to order them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "hello_memo.h"
#include "hello_profile.h"
#include "known_hello.h"
#include "net.h"
#include "probe.h"
#include "iana.h"
#include "tls_handshake.h"
#include "tls_raw.h"
#include "wire.h"

/* No server has this many schemes; a bound keeps a confused one from looping. */
#define MAX_ROUNDS 64

static json_object *sigalg_name_json(uint16_t code)
{
    const iana_sigscheme_t *r = iana_sigscheme_by_code(code);
    const char *legacy = hello_legacy_sigalg_name(code);
    char hex[8];
    snprintf(hex, sizeof hex, "0x%04X", code);
    return json_object_new_string(r ? r->name : legacy ? legacy : hex);
}

/* Every TLS 1.2 suite whose ServerKeyExchange is signed: (EC)DHE with a certificate. */
static size_t signed_kx_suites(uint16_t *out, size_t cap)
{
    uint16_t all[HELLO_MAX_CODES];
    size_t n = iana_suites_for_version(WIRE_TLS12, all, HELLO_MAX_CODES), k = 0;
    for (size_t i = 0; i < n && i < HELLO_MAX_CODES && k < cap; i++) {
        const iana_suite_t *s = iana_suite_by_code(all[i]);
        if (s && (strcmp(s->kx, "ECDHE") == 0 || strcmp(s->kx, "DHE") == 0) &&
            (strcmp(s->au, "RSA") == 0 || strcmp(s->au, "ECDSA") == 0 || strcmp(s->au, "DSS") == 0))
            out[k++] = s->code;
    }
    return k;
}

/* The schemes TLS 1.3 allows in a CertificateVerify (RFC 8446 4.2.3) that OpenSSL 3.0 can
 * verify, by their registry names (which are OpenSSL's names too). */
static const uint16_t tls13_schemes[] = { 0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804,
                                          0x0805, 0x0806, 0x0809, 0x080A, 0x080B };

/* The scheme of a completed TLS 1.3 handshake, from what OpenSSL says the peer signed with
 * and the leaf's key type (rsa_pss_rsae and rsa_pss_pss differ only by the key); 0: unknown. */
static uint16_t tls13_scheme_used(SSL *ssl, X509 *leaf)
{
    int type = NID_undef, md = NID_undef;
    if (!SSL_get_peer_signature_type_nid(ssl, &type))
        return 0;
    SSL_get_peer_signature_nid(ssl, &md);
    int hash = md == NID_sha256 ? 0 : md == NID_sha384 ? 1 : md == NID_sha512 ? 2 : -1;
    if (type == EVP_PKEY_ED25519)
        return 0x0807;
    if (type == EVP_PKEY_ED448)
        return 0x0808;
    if (hash < 0)
        return 0;
    if (type == EVP_PKEY_EC)
        return (uint16_t)(0x0403 + 0x0100 * hash);
    if (type == EVP_PKEY_RSA_PSS) {
        EVP_PKEY *key = leaf ? X509_get0_pubkey(leaf) : NULL;
        bool pss_key = key && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA_PSS;
        return (uint16_t)((pss_key ? 0x0809 : 0x0804) + hash);
    }
    return 0;
}

/* What one run shares: the hellos the endpoint answers, the costs. */
typedef struct sig_run {
    probe_ctx_t *ctx;
    known_hello_t known;
    size_t connections, reused, dropped;
    char error[256];
    bool unreachable;   /* a connection could not be made: nothing more is tried */
} sig_run_t;

/* One version's enumeration: the schemes in the server's order, and whether it ended on an
 * answer (complete) or on a hello that got none. */
typedef struct sig_list {
    json_object *found;   /* NULL until one is found */
    bool complete;
} sig_list_t;

static void add_found(sig_list_t *l, uint16_t code)
{
    if (!l->found)
        l->found = json_object_new_array();
    json_object_array_add(l->found, sigalg_name_json(code));
}

/* The OpenSSL list of these schemes ("rsa_pss_rsae_sha256:..."). */
static void scheme_list(const uint16_t *codes, size_t n, char *list, size_t cap)
{
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const iana_sigscheme_t *r = iana_sigscheme_by_code(codes[i]);
        if (r && used < cap)
            used += (size_t)snprintf(list + used, cap - used, "%s%s", used ? ":" : "", r->name);
    }
}

/* TLS 1.3 offer-and-remove with full handshakes. The enumeration is complete when it ends on
 * the server's refusal (an alert, or a failure after it answered) or with nothing left. */
static void enumerate_tls13(sig_run_t *run, sig_list_t *out)
{
    probe_ctx_t *ctx = run->ctx;
    uint16_t remaining[sizeof tls13_schemes / sizeof *tls13_schemes];
    size_t n = sizeof tls13_schemes / sizeof *tls13_schemes;
    memcpy(remaining, tls13_schemes, sizeof tls13_schemes);
    out->complete = false;
    for (int round = 0; n > 0 && round < MAX_ROUNDS; round++) {
        char list[512];
        scheme_list(remaining, n, list, sizeof list);
        tls_hs_options_t opts = { .min_version = TLS1_3_VERSION, .max_version = TLS1_3_VERSION,
                                  .sni = ctx->ep->sni, .sigalgs = list, .timeout_s = ctx->ep->opts->timeout_s };
        tls_hs_result_t hs;
        known_hs_t info;
        uint16_t used_scheme = 0;
        int rc = known_hs_connect(ctx, &run->known, &opts, &hs, &info);
        run->connections += info.connections;
        run->dropped += info.dropped;
        if (rc == 0) {
            used_scheme = tls13_scheme_used(hs.ssl, hs.chain && sk_X509_num(hs.chain) ? sk_X509_value(hs.chain, 0) : NULL);
            tls_hs_close_notify(&hs);
            net_close(info.fd);
        } else if (info.connect_failed) {
            snprintf(run->error, sizeof run->error, "TLSv1.3 signature schemes: %.200s", ctx->err);
            run->unreachable = true;
        } else {
            /* The server refused what was left with an alert: nothing more to find. */
            out->complete = hs.alert_received >= 0;
        }
        tls_hs_result_free(&hs);
        /* A refusal (or a scheme we did not offer) ends it. */
        if (!used_scheme || !codes_take(remaining, &n, used_scheme))
            break;
        add_found(out, used_scheme);
    }
    if (n == 0)
        out->complete = true;
}

/* The first TLS 1.2 round: every signed key exchange suite, in hellos the endpoint answers
 * (a cut list chunk by chunk, the picks alone after a drop). p keeps the hello answered. */
static tls_raw_outcome_t tls12_first(sig_run_t *run, hello_profile_t *p, const uint16_t *sigalgs, size_t n,
                                     hello_answer_t *a, tls_raw_result_t *r)
{
    uint16_t suites[HELLO_MAX_CODES];
    size_t nsuites = signed_kx_suites(suites, HELLO_MAX_CODES);
    hello_profile_init(p, run->ctx->ep->sni, WIRE_TLS12);
    hello_profile_set_sigalgs(p, sigalgs, n);
    known_raw_t info = { 0 };
    tls_raw_outcome_t o = known_raw_ask(run->ctx, &run->known, p, suites, nsuites, HELLO_KEEP_SIGALGS, 0, a, r, &info);
    run->connections += info.connections;
    run->reused += info.reused;
    run->dropped += info.dropped;
    return o;
}

/* TLS 1.2 offer-and-remove: later rounds offer the suites of the hello first answered. */
static void enumerate_tls12(sig_run_t *run, hello_profile_t *p, sig_list_t *out)
{
    probe_ctx_t *ctx = run->ctx;
    uint16_t remaining[HELLO_MAX_CODES], suites[HELLO_MAX_CODES];
    hello_profile_init(p, ctx->ep->sni, WIRE_TLS12);
    size_t n = p->nsigalgs, nsuites = 0;
    memcpy(remaining, p->sigalgs, n * sizeof *remaining);
    out->complete = false;
    for (int round = 0; n > 0 && round < MAX_ROUNDS; round++) {
        tls_raw_result_t r;
        hello_answer_t a;
        tls_raw_outcome_t o;
        if (round == 0) {
            o = tls12_first(run, p, remaining, n, &a, &r);
            nsuites = known_offered(p, suites, HELLO_MAX_CODES);
        } else {
            hello_profile_init(p, ctx->ep->sni, WIRE_TLS12);
            hello_profile_set_sigalgs(p, remaining, n);
            hello_shape_fit(&run->known.shape, p, suites, nsuites, HELLO_KEEP_SIGALGS);
            o = hello_shape_ask(ctx, &run->known.shape, p, &a, &r, &run->connections, &run->reused);
            run->dropped += hello_shape_unanswered(o) ? 1 : 0;
        }
        bool picked = o == TLS_RAW_ACCEPTED && a.has_sig_scheme && codes_take(remaining, &n, a.sig_scheme);
        if (picked)
            add_found(out, a.sig_scheme);
        /* Refused (or, first round, no signed key exchange at all): decided. */
        out->complete = o == TLS_RAW_ALERT || (o == TLS_RAW_ACCEPTED && round == 0 && !a.has_sig_scheme);
        if (o == TLS_RAW_CONNECT_FAILED || o == TLS_RAW_LOCAL_ERROR) {
            snprintf(run->error, sizeof run->error, "TLSv1.2 signature schemes: %.200s", r.summary);
            run->unreachable = true;
        }
        tls_raw_result_free(&r);
        if (!picked)
            break;
    }
    if (n == 0)
        out->complete = true;
}

/* Nothing decided about a version whose first hello got no answer: an error, with why. */
static void undecided_error(sig_run_t *run, const char *version, const sig_list_t *l)
{
    if (!run->error[0] && !l->found && !l->complete)
        snprintf(run->error, sizeof run->error,
                 "%s signature schemes: no hello the server answered (it dropped %zu without a word)", version,
                 run->dropped);
}

/* The two versions' enumerations, as tasks of probe_fanout: each its own run (a copy of
 * what the versions probe learned), TLS 1.2 first (the longer chain, and the first in the
 * sequential order). */
typedef struct sig_fan {
    sig_run_t run[2];
    sig_list_t list[2];
    bool todo[2];
    bool no_memory;
} sig_fan_t;

static void tls12_chain(sig_run_t *run, sig_list_t *l, bool *no_memory)
{
    hello_profile_t *p = malloc(sizeof *p);
    if (!p) {
        *no_memory = true;
        return;
    }
    enumerate_tls12(run, p, l);
    undecided_error(run, "TLSv1.2", l);
    free(p);
}

static void version_task(probe_ctx_t *task, void *arg, size_t i)
{
    sig_fan_t *f = arg;
    f->run[i].ctx = task;
    if (!f->todo[i])
        return;
    if (i == 0)
        tls12_chain(&f->run[0], &f->list[0], &f->no_memory);
    else
        enumerate_tls13(&f->run[1], &f->list[1]);
}

/* Whether the hellos of TLS 1.3 depend on what TLS 1.2's taught: a walk of the shape ladder
 * that cut the extensions or the suites per hello (known_hs_connect reads only those). */
static bool refit(const known_hello_t *before, const known_hello_t *after)
{
    return before->shape.level != after->shape.level || before->shape.max_codes != after->shape.max_codes;
}

/* Both versions at once. The facts are those of TLS 1.2 then TLS 1.3 one after another: TLS
 * 1.3's are dropped when TLS 1.2 found the endpoint unreachable (the sequential run stops
 * there), and asked again after TLS 1.2's when its hellos taught a shape that changes TLS
 * 1.3's (the connections of both tries are counted); its error, if any, comes after TLS
 * 1.2's, counting the hellos both dropped. */
static void enumerate_both(sig_run_t *run, bool do12, bool do13, sig_list_t *tls12, sig_list_t *tls13)
{
    sig_fan_t f = { .todo = { do12, do13 } };
    f.run[0] = f.run[1] = *run;
    /* Servers sign TLS 1.2 with more schemes than 1.3 (SHA-1, PKCS#1 v1.5): its chain first. */
    static const double hellos[2] = { 8, 4 };
    probe_fanout(run->ctx, 2, version_task, &f, hellos);
    *tls12 = f.list[0];
    snprintf(run->error, sizeof run->error, "%s", f.no_memory ? "out of memory" : f.run[0].error);
    run->unreachable = f.run[0].unreachable || f.no_memory;
    for (int i = 0; i < 2; i++) {
        run->connections += f.run[i].connections;
        run->reused += f.run[i].reused;
        run->dropped += f.run[i].dropped;
    }
    if (run->unreachable || !do13) {
        json_object_put(f.list[1].found);
        return;
    }
    if (refit(&run->known, &f.run[0].known)) {
        json_object_put(f.list[1].found);
        f.list[1] = (sig_list_t){ 0 };
        f.run[1] = *run;
        f.run[1].known = f.run[0].known;
        f.run[1].connections = f.run[1].reused = f.run[1].dropped = 0;
        enumerate_tls13(&f.run[1], &f.list[1]);
        run->connections += f.run[1].connections;
        run->dropped += f.run[1].dropped;
    }
    if (f.run[1].error[0])
        snprintf(run->error, sizeof run->error, "%s", f.run[1].error);
    run->unreachable |= f.run[1].unreachable;
    *tls13 = f.list[1];
    undecided_error(run, "TLSv1.3", tls13);
}

static probe_status_t signatures_run(probe_ctx_t *ctx)
{
    json_object *out = ctx->out;
    sig_run_t run = { .ctx = ctx };
    known_hello_load(ctx->ep, &run.known);
    sig_list_t tls12 = { 0 }, tls13 = { 0 };
    bool do12 = probe_version_accepted(ctx->ep, WIRE_TLS12), do13 = probe_version_accepted(ctx->ep, WIRE_TLS13);
    enumerate_both(&run, do12, do13, &tls12, &tls13);
    const char *error = run.error;
    if (error[0])
        snprintf(ctx->err, sizeof ctx->err, "%s", error);
    json_object_object_add(out, "connections", json_object_new_int((int)run.connections));
    json_object_object_add(out, "reused_answers", json_object_new_int((int)run.reused));
    json_object_object_add(out, "dropped_hellos", json_object_new_int((int)run.dropped));
    json_object_object_add(out, "tls12", tls12.found);
    json_object_object_add(out, "tls12_complete", do12 ? json_object_new_boolean(tls12.complete) : NULL);
    json_object_object_add(out, "tls13", tls13.found);
    json_object_object_add(out, "tls13_complete", do13 ? json_object_new_boolean(tls13.complete) : NULL);
    return error[0] ? PROBE_ERROR : PROBE_OK;
}

static const char *const signatures_needs[] = { "versions", NULL };

render_text_fn signatures_render_text;   /* probes/signatures_render.c */
render_html_fn signatures_render_html;

const probe_module_t probe_signatures = {
    .name = "signatures",
    .help = "signature schemes the server signs with, in its order (TLS 1.2 ServerKeyExchange, TLS 1.3 CertificateVerify)",
    .needs = signatures_needs,
    .run = signatures_run,
    .chain = 8,
    .fans_out = true,
    .render_text = signatures_render_text,
    .render_html = signatures_render_html,
};
