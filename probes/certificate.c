/* certificate: one full handshake (SNI = the endpoint's), then the chain exactly as served,
 * its verification against the effective trust anchors, the name check and the leaf's
 * validity. Facts only; scoring decides what they mean. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "net.h"
#include "probe.h"
#include "tls_handshake.h"
#include "x509_facts.h"

/* Everything the local OpenSSL can negotiate except suites without server authentication:
 * an anonymous suite would complete the handshake without the chain this probe is for. */
#define CERTIFICATE_CIPHERS "ALL:COMPLEMENTOFALL:!aNULL:@SECLEVEL=0"

static json_object *nullable_string(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}

static probe_status_t record_error(probe_ctx_t *ctx, probe_status_t st, const char *why)
{
    json_object_object_add(ctx->out, "status", json_object_new_string("error"));
    json_object_object_add(ctx->out, "error", json_object_new_string(why));
    if (why != ctx->err)
        snprintf(ctx->err, sizeof ctx->err, "%.*s", (int)sizeof ctx->err - 1, why);
    return st;
}

/* The name a client would check: the SNI it sends, else the IP literal it connected to. */
static const char *name_to_check(const endpoint_t *ep)
{
    if (ep->sni && *ep->sni)
        return ep->sni;
    if (ep->target && ep->target->host && is_ip_literal(ep->target->host))
        return ep->target->host;
    return NULL;
}

static json_object *handshake_json(const tls_hs_result_t *hs, const char *sni)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "protocol", nullable_string(hs->protocol));
    json_object_object_add(o, "cipher", nullable_string(hs->cipher));
    json_object_object_add(o, "openssl_cipher", nullable_string(hs->openssl_cipher));
    json_object_object_add(o, "sni", nullable_string(sni));
    return o;
}

static probe_status_t certificate_run(probe_ctx_t *ctx)
{
    endpoint_t *ep = ctx->ep;
    int fd = probe_connect(ctx);
    if (fd < 0)
        return record_error(ctx, PROBE_UNREACHABLE, ctx->err);

    tls_hs_options_t opts = {
        .sni = ep->sni,
        .ciphers = CERTIFICATE_CIPHERS,
        .request_ocsp = true,
        .timeout_s = ep->opts->timeout_s,
    };
    tls_hs_result_t hs;
    int rc = tls_hs_connect(fd, &opts, &hs);
    if (rc != 0 || !hs.chain) {
        const char *why = rc != 0 ? hs.error : "the server completed the handshake without a certificate";
        probe_status_t st = record_error(ctx, PROBE_ERROR, why);
        if (rc == 0)
            json_object_object_add(ctx->out, "handshake", handshake_json(&hs, ep->sni));
        tls_hs_result_free(&hs);
        net_close(fd);
        return st;
    }

    X509 *leaf = sk_X509_value(hs.chain, 0);
    json_object *out = ctx->out;
    json_object_object_add(out, "status", json_object_new_string("ok"));
    json_object_object_add(out, "handshake", handshake_json(&hs, ep->sni));
    json_object *chain = x509_chain_facts(hs.chain);
    json_object_object_add(out, "chain", chain);

    x509_verify_result_t trust;
    x509_verify_chain(hs.chain, ep->ca_file, &trust);
    json_object_object_add(out, "trust", x509_verify_result_json(&trust));
    x509_verify_result_free(&trust);

    json_object_object_add(out, "name", x509_name_json(leaf, name_to_check(ep)));

    bool expired, not_yet_valid;
    long days;
    int dates_ok = x509_validity(leaf, time(NULL), &expired, &not_yet_valid, &days) == 0;
    json_object_object_add(out, "expired", dates_ok ? json_object_new_boolean(expired) : NULL);
    json_object_object_add(out, "not_yet_valid", dates_ok ? json_object_new_boolean(not_yet_valid) : NULL);
    json_object_object_add(out, "days_to_expiry", dates_ok ? json_object_new_int64(days) : NULL);
    json_object *leaf_self_signed = NULL;
    json_object_object_get_ex(json_object_array_get_idx(chain, 0), "self_signed", &leaf_self_signed);
    json_object_object_add(out, "self_signed", json_object_get(leaf_self_signed));
    json_object_object_add(out, "ocsp_stapled", json_object_new_boolean(hs.ocsp_response_len > 0));

    tls_hs_close_notify(&hs);
    tls_hs_result_free(&hs);
    net_close(fd);
    return PROBE_OK;
}

const probe_module_t probe_certificate = {
    .name = "certificate",
    .help = "certificate chain as served, trust, name match, validity (one full handshake)",
    .needs = NULL,
    .run = certificate_run,
};
