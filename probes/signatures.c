/* signatures: the signature schemes the server signs with, in the order it chooses them.
 * TLS 1.2: the ServerKeyExchange names the scheme picked from our list (raw hellos); remove
 * it and ask again. TLS 1.3: the scheme is in the encrypted CertificateVerify, so OpenSSL
 * does those handshakes, offered every scheme TLS 1.3 allows less those found. A probe of
 * its own so that it runs alongside ciphers and groups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "hello_memo.h"
#include "hello_profile.h"
#include "net.h"
#include "probe.h"
#include "registry.h"
#include "tls_handshake.h"
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

/* TLS 1.3 offer-and-remove with full handshakes. Returns the schemes (NULL when none
 * completed); error is set when a connection could not be made. */
static json_object *enumerate_tls13(probe_ctx_t *ctx, size_t *connections, char *error, size_t errlen)
{
    uint16_t remaining[sizeof tls13_schemes / sizeof *tls13_schemes];
    size_t n = sizeof tls13_schemes / sizeof *tls13_schemes;
    memcpy(remaining, tls13_schemes, sizeof tls13_schemes);
    json_object *found = json_object_new_array();
    for (int round = 0; n > 0 && round < MAX_ROUNDS; round++) {
        char list[512] = "";
        size_t used = 0;
        for (size_t i = 0; i < n; i++) {
            const registry_sigscheme_t *r = registry_sigscheme_by_code(remaining[i]);
            if (r && used < sizeof list)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ":" : "", r->name);
        }
        (*connections)++;
        int fd = probe_connect(ctx);
        if (fd < 0) {
            snprintf(error, errlen, "TLSv1.3 signature schemes: %.200s", ctx->err);
            break;
        }
        tls_hs_options_t opts = { .min_version = TLS1_3_VERSION, .max_version = TLS1_3_VERSION,
                                  .sni = ctx->ep->sni, .sigalgs = list, .timeout_s = ctx->ep->opts->timeout_s };
        tls_hs_result_t hs;
        uint16_t used_scheme = 0;
        if (tls_hs_connect(fd, &opts, &hs) == 0) {
            used_scheme = tls13_scheme_used(hs.ssl, hs.chain && sk_X509_num(hs.chain) ? sk_X509_value(hs.chain, 0) : NULL);
            tls_hs_close_notify(&hs);
        }
        tls_hs_result_free(&hs);
        net_close(fd);
        /* A refusal (or a scheme we did not offer) ends it. */
        if (!used_scheme || !codes_take(remaining, &n, used_scheme))
            break;
        json_object_array_add(found, sigalg_name_json(used_scheme));
    }
    if (json_object_array_length(found) == 0) {
        json_object_put(found);
        return NULL;
    }
    return found;
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
            tls_raw_outcome_t o = hello_ask(ctx, p, &a, &r, &connections, &reused_answers);
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
    json_object *tls13 = NULL;
    if (!error[0] && probe_version_accepted(ctx->ep, "TLSv1.3"))
        tls13 = enumerate_tls13(ctx, &connections, error, sizeof error);
    json_object_object_add(out, "status", json_object_new_string(error[0] ? "error" : "ok"));
    if (error[0]) {
        json_object_object_add(out, "error", json_object_new_string(error));
        snprintf(ctx->err, sizeof ctx->err, "%s", error);
    }
    json_object_object_add(out, "connections", json_object_new_int((int)connections));
    json_object_object_add(out, "reused_answers", json_object_new_int((int)reused_answers));
    json_object_object_add(out, "tls12", tls12);
    json_object_object_add(out, "tls13", tls13);
    return error[0] ? PROBE_ERROR : PROBE_OK;
}

static const char *const signatures_needs[] = { "versions", NULL };

const probe_module_t probe_signatures = {
    .name = "signatures",
    .help = "signature schemes the server signs with, in its order (TLS 1.2 ServerKeyExchange, TLS 1.3 CertificateVerify)",
    .needs = signatures_needs,
    .run = signatures_run,
};
