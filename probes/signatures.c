/* signatures: the TLS 1.2 signature schemes the server signs its key exchange with, in the
 * order it chooses them: the ServerKeyExchange names the scheme picked from our list; remove
 * it and ask again. A probe of its own so that it runs alongside ciphers and groups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hello_memo.h"
#include "hello_profile.h"
#include "probe.h"
#include "registry.h"
#include "tls_raw.h"
#include "wire.h"

/* No server has this many schemes; a bound keeps a confused one from looping. */
#define MAX_ROUNDS 64

static json_object *sigalg_name_json(uint16_t code)
{
    const registry_sigscheme_t *r = registry_sigscheme_by_code(code);
    const char *legacy = hello_legacy_sigalg_name(code);
    char hex[8];
    snprintf(hex, sizeof hex, "0x%04X", code);
    return json_object_new_string(r ? r->name : legacy ? legacy : hex);
}

/* Every TLS 1.2 suite whose ServerKeyExchange is signed: (EC)DHE with a certificate. */
static size_t signed_kx_suites(uint16_t *out, size_t cap)
{
    uint16_t all[HELLO_MAX_CODES];
    size_t n = registry_suites_for_version(WIRE_TLS12, all, HELLO_MAX_CODES), k = 0;
    for (size_t i = 0; i < n && i < HELLO_MAX_CODES && k < cap; i++) {
        const registry_suite_t *s = registry_suite_by_code(all[i]);
        if (s && (strcmp(s->kx, "ECDHE") == 0 || strcmp(s->kx, "DHE") == 0) &&
            (strcmp(s->au, "RSA") == 0 || strcmp(s->au, "ECDSA") == 0 || strcmp(s->au, "DSS") == 0))
            out[k++] = s->code;
    }
    return k;
}

static probe_status_t signatures_run(probe_ctx_t *ctx)
{
    json_object *out = ctx->out;
    size_t connections = 0, reused_answers = 0;
    json_object *tls12 = NULL;
    char error[256] = "";
    hello_profile_t *p = malloc(sizeof *p);
    if (!p) {
        snprintf(ctx->err, sizeof ctx->err, "out of memory");
        return PROBE_ERROR;
    }
    if (probe_version_accepted(ctx->ep, "TLSv1.2")) {
        uint16_t suites[HELLO_MAX_CODES], remaining[HELLO_MAX_CODES];
        size_t nsuites = signed_kx_suites(suites, HELLO_MAX_CODES);
        hello_profile_init(p, ctx->ep->sni, WIRE_TLS12);
        size_t n = p->nsigalgs;
        memcpy(remaining, p->sigalgs, n * sizeof *remaining);
        tls12 = json_object_new_array();
        for (int round = 0; n > 0 && round < MAX_ROUNDS; round++) {
            tls_raw_result_t r;
            hello_profile_init(p, ctx->ep->sni, WIRE_TLS12);
            hello_profile_set_suites(p, suites, nsuites);
            hello_profile_set_sigalgs(p, remaining, n);
            hello_answer_t a;
            bool reused;
            tls_raw_outcome_t o = hello_ask(ctx, p, &a, &r, &reused);
            if (reused)
                reused_answers++;
            else
                connections++;
            bool picked = o == TLS_RAW_ACCEPTED && a.has_sig_scheme && codes_take(remaining, &n, a.sig_scheme);
            if (picked)
                json_object_array_add(tls12, sigalg_name_json(a.sig_scheme));
            if (o == TLS_RAW_CONNECT_FAILED || o == TLS_RAW_LOCAL_ERROR)
                snprintf(error, sizeof error, "TLSv1.2 signature schemes: %.200s", r.summary);
            tls_raw_result_free(&r);
            if (!picked)
                break;
        }
        /* No signed key exchange at all (RSA key exchange only). */
        if (json_object_array_length(tls12) == 0) {
            json_object_put(tls12);
            tls12 = NULL;
        }
    }
    free(p);
    json_object_object_add(out, "status", json_object_new_string(error[0] ? "error" : "ok"));
    if (error[0]) {
        json_object_object_add(out, "error", json_object_new_string(error));
        snprintf(ctx->err, sizeof ctx->err, "%s", error);
    }
    json_object_object_add(out, "connections", json_object_new_int((int)connections));
    json_object_object_add(out, "reused_answers", json_object_new_int((int)reused_answers));
    json_object_object_add(out, "tls12", tls12);
    return error[0] ? PROBE_ERROR : PROBE_OK;
}

static const char *const signatures_needs[] = { "versions", NULL };

const probe_module_t probe_signatures = {
    .name = "signatures",
    .help = "TLS 1.2 signature schemes the server signs with, in its order (from the ServerKeyExchange)",
    .needs = signatures_needs,
    .run = signatures_run,
};
