/* certificate: one full handshake (SNI = the endpoint's; the endpoint's default handshake,
 * default_hs.h, which the mtls probe reads too), then the chain exactly as served,
 * its verification against the effective trust anchors, the name check and the leaf's
 * validity. The handshake is shaped like hellos the endpoint answers and sent again in a
 * smaller shape when the server drops it (known_hello.h); when OpenSSL cannot complete one,
 * the chain is read from the clear first flight of a raw hello. Facts only; scoring decides
 * what they mean. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "cert_quality.h"
#include "chain_analysis.h"
#include "default_hs.h"
#include "hello_profile.h"
#include "known_hello.h"
#include "net.h"
#include "ocsp_check.h"
#include "probe.h"
#include "probe_raw.h"
#include "iana.h"
#include "tls_handshake.h"
#include "tls_raw.h"
#include "wire.h"
#include "x509_facts.h"

static json_object *nullable_string(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}

/* A failure after the facts gathered so far: status and error come after them. */
static probe_status_t record_error(probe_ctx_t *ctx, probe_status_t st, const char *why)
{
    probe_status_here(ctx);
    if (why != ctx->err)
        snprintf(ctx->err, sizeof ctx->err, "%s", why);
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

static json_object *handshake_json(const tls_hs_result_t *hs, const char *sni, bool reduced)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "protocol", nullable_string(hs->protocol));
    json_object_object_add(o, "cipher", nullable_string(hs->cipher));
    json_object_object_add(o, "openssl_cipher", nullable_string(hs->openssl_cipher));
    json_object_object_add(o, "sni", nullable_string(sni));
    json_object_object_add(o, "reduced_hello", json_object_new_boolean(reduced));
    return o;
}

/* The newest version below TLS 1.3 the versions probe saw accepted (the Certificate message
 * is in clear there), or 0. */
static uint16_t clear_certificate_version(endpoint_t *ep)
{
    static const uint16_t newest_first[] = { WIRE_TLS12, WIRE_TLS11, WIRE_TLS10, WIRE_SSL3, WIRE_SSL2 };
    unsigned accepted = probe_versions_accepted(ep);
    for (size_t i = 0; i < sizeof newest_first / sizeof *newest_first; i++)
        if (accepted & probe_version_bit(newest_first[i]))
            return newest_first[i];
    return 0;
}

static void push_der(STACK_OF(X509) *chain, const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = len <= 0x7FFFFFFF ? d2i_X509(NULL, &p, (long)len) : NULL;
    if (x && !sk_X509_push(chain, x))
        X509_free(x);
}

/* Suites that authenticate the server with a certificate, for a raw hello of this version. */
static size_t certificate_suites(uint16_t version, uint16_t *out)
{
    uint16_t all[HELLO_MAX_CODES];
    size_t k = iana_suites_for_version(version, all, HELLO_MAX_CODES), n = 0;
    for (size_t i = 0; i < k && i < HELLO_MAX_CODES; i++) {
        const iana_suite_t *s = iana_suite_by_code(all[i]);
        if (s && (strcmp(s->au, "RSA") == 0 || strcmp(s->au, "DSS") == 0 || strcmp(s->au, "ECDSA") == 0))
            out[n++] = all[i];
    }
    return n;
}

/* The OCSP response of a CertificateStatus message in a first flight (RFC 6066 8: status_type
 * ocsp(1), a 24-bit length, the DER), or false. */
static bool flight_staple(const wire_flight_t *f, const uint8_t **der, size_t *len)
{
    for (size_t at = 0; f->hs && at < f->hs_len;) {
        uint8_t type;
        const uint8_t *body;
        size_t body_len, used;
        if (wire_parse_handshake(f->hs + at, f->hs_len - at, &type, &body, &body_len, &used, NULL, 0) != WIRE_OK)
            return false;
        at += used;
        if (type != WIRE_HS_CERTIFICATE_STATUS)
            continue;
        size_t n = body_len >= 4 ? ((size_t)body[1] << 16 | (size_t)body[2] << 8 | body[3]) : 0;
        if (body_len < 4 || body[0] != 1 || n == 0 || n > body_len - 4)
            return false;
        *der = body + 4;
        *len = n;
        return true;
    }
    return false;
}

/* What a raw hello showed: the chain, and the staple when the hello asked for one. */
typedef struct raw_answer {
    STACK_OF(X509) *chain;
    json_object *handshake;
    bool staple_asked;          /* the answered hello carried status_request */
    unsigned char *staple;      /* the CertificateStatus's OCSP response (a copy); NULL: none */
    size_t staple_len;
    size_t dropped;
} raw_answer_t;

/* A TLS hello of this version (SSLv3 .. TLS 1.2) shaped like hellos the endpoint answers, the
 * suites it was seen to pick first, asking for a staple (its ServerHello then says whether it
 * staples) unless that is what the server drops. */
static tls_raw_outcome_t raw_tls_hello(probe_ctx_t *ctx, known_hello_t *k, uint16_t version, tls_raw_result_t *r,
                                       bool *reduced, raw_answer_t *ra)
{
    hello_profile_t *p = malloc(sizeof *p);
    uint16_t *suites = malloc(HELLO_MAX_CODES * sizeof *suites);
    tls_raw_outcome_t o = TLS_RAW_LOCAL_ERROR;
    memset(r, 0, sizeof *r);
    r->outcome = o;
    bool ask_staple = version != WIRE_SSL3;   /* SSLv3 hellos carry no extensions */
    for (int pass = 0; p && suites && pass < 2; pass++) {
        size_t n = certificate_suites(version, suites);
        hello_profile_init(p, ctx->ep->sni, version);
        p->opts.status_request = ask_staple;
        known_raw_t info = { 0 };
        hello_answer_t a;
        o = known_raw_ask(ctx, k, p, suites, n, 0, KNOWN_PICKS_FIRST | KNOWN_NEED_FLIGHT, &a, r, &info);
        ra->dropped += info.dropped;
        *reduced = info.reduced;
        /* The shape may have cut the extension (a server that knows nothing newer). */
        ra->staple_asked = o == TLS_RAW_ACCEPTED && p->opts.status_request && r->flight.have_server_hello;
        if (!hello_shape_unanswered(o) || !ask_staple)
            break;
        /* Dropped in every shape: perhaps for the extension; once more without it. */
        tls_raw_result_free(r);
        ask_staple = false;
    }
    free(p);
    free(suites);
    return o;
}

/* When OpenSSL cannot complete a handshake (SSLv2, SSLv3, export or NULL suites only, or a
 * server that never finishes one), the chain is still in the clear in the server's first
 * flight: read it from a raw hello. False when there is none. */
static bool raw_chain(probe_ctx_t *ctx, known_hello_t *k, raw_answer_t *ra)
{
    endpoint_t *ep = ctx->ep;
    uint16_t version = clear_certificate_version(ep);
    if (!version)
        return false;
    tls_raw_result_t r;
    bool reduced = false;
    if (version == WIRE_SSL2) {
        uint32_t kinds[64];
        size_t n = 0;
        for (size_t i = 0; i < iana_sslv2_kinds_count && n < 64; i++)
            kinds[n++] = iana_sslv2_kinds[i].code;
        wire_sslv2_hello_opts_t h = { .version = WIRE_SSL2, .kinds = kinds, .nkinds = n };
        probe_raw_sslv2(ctx, &h, &r);
    } else {
        raw_tls_hello(ctx, k, version, &r, &reduced, ra);
    }
    STACK_OF(X509) *chain = sk_X509_new_null();
    const wire_flight_t *f = &r.flight;
    if (chain && r.outcome == TLS_RAW_ACCEPTED) {
        if (f->have_sslv2_server_hello)
            push_der(chain, f->sslv2_hello.cert, f->sslv2_hello.cert_len);
        for (size_t i = 0; f->have_certificate && i < f->certificate.ncerts; i++)
            push_der(chain, f->certificate.certs[i].der, f->certificate.certs[i].len);
    }
    if (!chain || sk_X509_num(chain) == 0) {
        sk_X509_pop_free(chain, X509_free);
        tls_raw_result_free(&r);
        return false;
    }
    const uint8_t *der;
    size_t len;
    if (ra->staple_asked && flight_staple(f, &der, &len) && (ra->staple = malloc(len)) != NULL) {
        memcpy(ra->staple, der, len);
        ra->staple_len = len;
    }
    ra->chain = chain;
    ra->handshake = json_object_new_object();
    json_object_object_add(ra->handshake, "protocol", json_object_new_string(wire_version_name(r.version)));
    json_object_object_add(ra->handshake, "cipher", nullable_string(r.cipher_name));
    json_object_object_add(ra->handshake, "openssl_cipher", NULL);
    json_object_object_add(ra->handshake, "sni", nullable_string(ep->sni));
    json_object_object_add(ra->handshake, "reduced_hello", json_object_new_boolean(reduced));
    tls_raw_result_free(&r);
    return true;
}

/* Everything said about a served chain: analysis (with AIA completion), trust, pins, name,
 * dates, leaf quality, the staple (when the hello asked for one) and revocation. */
static void record_chain_facts(probe_ctx_t *ctx, STACK_OF(X509) *served, bool staple_asked,
                               const unsigned char *staple, size_t staple_len)
{
    endpoint_t *ep = ctx->ep;
    const options_t *o = ep->opts;
    json_object *out = ctx->out;
    X509 *leaf = sk_X509_value(served, 0);
    time_t now = time(NULL);
    json_object *chain = x509_chain_facts(served);
    json_object_object_add(out, "chain", chain);

    chain_result_t cr;
    chain_analyse(served, ep->ca_file, o->offline, o->timeout_s, &cr);
    json_object_object_add(out, "chain_analysis", cr.analysis);
    json_object *trust = x509_verify_result_json(&cr.trust);
    /* Pins may match any certificate a client would see: served, fetched or the anchor. */
    STACK_OF(X509) *all = sk_X509_dup(served);
    for (int i = 0; all && cr.fetched && i < sk_X509_num(cr.fetched); i++)
        sk_X509_push(all, sk_X509_value(cr.fetched, i));
    for (int i = 0; all && cr.trust.path && i < sk_X509_num(cr.trust.path); i++)
        sk_X509_push(all, sk_X509_value(cr.trust.path, i));
    const target_t *t = ep->target;
    json_object_object_add(trust, "pin", t ? cert_pin_facts(all, t->pins, t->npins) : NULL);
    json_object_object_add(out, "trust", trust);

    json_object_object_add(out, "name", x509_name_json(leaf, name_to_check(ep)));

    bool expired, not_yet_valid;
    long days;
    int dates_ok = x509_validity(leaf, now, &expired, &not_yet_valid, &days) == 0;
    json_object_object_add(out, "expired", dates_ok ? json_object_new_boolean(expired) : NULL);
    json_object_object_add(out, "not_yet_valid", dates_ok ? json_object_new_boolean(not_yet_valid) : NULL);
    json_object_object_add(out, "days_to_expiry", dates_ok ? json_object_new_int64(days) : NULL);
    json_object *leaf_self_signed = NULL;
    json_object_object_get_ex(json_object_array_get_idx(chain, 0), "self_signed", &leaf_self_signed);
    json_object_object_add(out, "self_signed", json_object_get(leaf_self_signed));
    json_object_object_add(out, "leaf", cert_leaf_facts(leaf, served, now, o->expiry_warn_days));

    char err[256];
    X509_STORE *store = x509_store_ref(ep->ca_file, err, sizeof err);
    X509 *issuer = chain_issuer_of(leaf, &cr.trust, all);
    /* Without a hello that asked for one, whether the server staples is not known. */
    json_object_object_add(out, "ocsp_stapled", staple_asked ? json_object_new_boolean(staple_len > 0) : NULL);
    json_object_object_add(out, "ocsp_staple",
                           staple_asked ? ocsp_staple_facts(staple, staple_len, leaf, issuer, all, store, now) : NULL);
    json_object_object_add(out, "revocation", revocation_facts(leaf, issuer, store, o->offline, o->timeout_s));
    X509_STORE_free(store);
    sk_X509_free(all);
    chain_result_free(&cr);
}

/* Whether the offer of this kind can only show the first leaf again: its key type is the
 * offer's own (rsaEncryption for "rsa", EC for "ecdsa"). A server keeps one certificate per
 * key type for a name (OpenSSL's slots: RSA, RSA-PSS, EC, ...) and chose this one among
 * everything; an offer narrowed to its key type leaves it the best choice. An RSA-PSS or
 * EdDSA leaf is none of these: both offers are made. */
static bool offer_shows_first_leaf(const char *kind, X509 *first_leaf)
{
    const EVP_PKEY *key = X509_get0_pubkey(first_leaf);
    int id = key ? EVP_PKEY_get_base_id(key) : EVP_PKEY_NONE;
    return strcmp(kind, "rsa") == 0 ? id == EVP_PKEY_RSA : id == EVP_PKEY_EC;
}

/* The leaves an endpoint serves to RSA-only and to ECDSA-only clients (servers with two
 * certificates, or one per key type), beside the one the first handshake got; the offer of the
 * first leaf's own key type is not sent (offer_shows_first_leaf). An offer that neither
 * completes nor gets a refusing alert from the server (a close, a reset, a timeout, a local
 * failure) is added to unanswered: a leaf it would have shown stays unknown. */
static json_object *all_certificates(probe_ctx_t *ctx, known_hello_t *known, X509 *first_leaf, size_t *dropped,
                                     json_object *unanswered)
{
    static const struct {
        const char *kind, *ciphers, *sigalgs;
    } offers[] = {
        { "rsa", "aRSA:@SECLEVEL=0", "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
                                     "rsa_pss_pss_sha256:RSA+SHA256:RSA+SHA384:RSA+SHA512:RSA+SHA1" },
        { "ecdsa", "aECDSA:@SECLEVEL=0", "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ECDSA+SHA1" },
    };
    endpoint_t *ep = ctx->ep;
    json_object *list = json_object_new_array();
    X509 *seen[3] = { first_leaf, NULL, NULL };
    time_t now = time(NULL);
    size_t nseen = 1;
    const char *found_with[3] = { "default", NULL, NULL };
    for (size_t i = 0; i < sizeof offers / sizeof *offers; i++) {
        if (offer_shows_first_leaf(offers[i].kind, first_leaf))
            continue;
        tls_hs_options_t opts = { .sni = ep->sni, .ciphers = offers[i].ciphers, .sigalgs = offers[i].sigalgs,
                                  .timeout_s = ep->opts->timeout_s };
        tls_hs_result_t hs;
        known_hs_t info;
        int rc = known_hs_connect(ctx, known, &opts, &hs, &info);
        *dropped += info.dropped;
        if (rc != 0 && hs.alert_received <= 0)
            json_object_array_add(unanswered, json_object_new_string(offers[i].kind));
        if (rc == 0 && hs.chain && sk_X509_num(hs.chain) > 0) {
            X509 *leaf = sk_X509_value(hs.chain, 0);
            bool known_leaf = false;
            for (size_t k = 0; k < nseen; k++)
                known_leaf |= X509_cmp(seen[k], leaf) == 0;
            if (!known_leaf && nseen < 3 && X509_up_ref(leaf)) {
                found_with[nseen] = offers[i].kind;
                seen[nseen++] = leaf;
            }
        }
        if (rc == 0) {
            tls_hs_close_notify(&hs);
            net_close(info.fd);
        }
        tls_hs_result_free(&hs);
        if (info.connect_failed) {
            for (size_t j = i + 1; j < sizeof offers / sizeof *offers; j++)
                json_object_array_add(unanswered, json_object_new_string(offers[j].kind));
            break;
        }
    }
    for (size_t k = 0; k < nseen; k++) {
        json_object *facts = x509_cert_facts(seen[k]), *o = json_object_new_object(), *v;
        static const char *const keep[] = { "key_type", "key_bits", "subject", "sha256", "not_after" };
        for (size_t j = 0; j < sizeof keep / sizeof *keep; j++)
            if (json_object_object_get_ex(facts, keep[j], &v))
                json_object_object_add(o, keep[j], json_object_get(v));
        /* Each leaf's own expiry: scoring warns about every leaf served, not only the first. */
        bool expired, not_yet_valid;
        long days;
        json_object_object_add(o, "days_to_expiry", x509_validity(seen[k], now, &expired, &not_yet_valid, &days) == 0
                                                        ? json_object_new_int64(days) : NULL);
        json_object_object_add(o, "found_with", json_object_new_string(found_with[k]));
        json_object_array_add(list, o);
        json_object_put(facts);
        if (k > 0)
            X509_free(seen[k]);
    }
    return list;
}

/* Whether the local OpenSSL knows this group (by its IANA name) and so could offer it. */
static bool openssl_has_group(const char *name)
{
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    bool has = c && SSL_CTX_set1_groups_list(c, name) == 1;
    SSL_CTX_free(c);
    ERR_clear_error();
    return has;
}

/* The groups probe's TLS 1.3 groups, when the server speaks nothing older and every one of
 * them is a group the local OpenSSL cannot negotiate: then no handshake of ours can succeed,
 * and that is why. Writes "A, B" to out; false otherwise. */
static bool only_unnegotiable_groups(endpoint_t *ep, char *out, size_t outlen)
{
    json_object *g = endpoint_probe_facts(ep, "groups"), *status, *tls13, *accepted;
    if (!g || !json_object_object_get_ex(g, "status", &status) ||
        strcmp(json_object_get_string(status), "ok") != 0 || !json_object_object_get_ex(g, "tls13", &tls13) ||
        !json_object_object_get_ex(tls13, "accepted", &accepted) || clear_certificate_version(ep) != 0)
        return false;
    size_t n = json_object_array_length(accepted), used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *name = json_object_get_string(json_object_array_get_idx(accepted, i));
        if (!name || openssl_has_group(name))
            return false;
        int w = snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", name);
        used = w < 0 || (size_t)w >= outlen - used ? outlen - 1 : used + (size_t)w;
    }
    return n > 0;
}

/* Failed handshakes waiting for the groups probe's facts to say why (explain_by_groups): kept
 * beside the facts, never in them, so an interrupted run reports no half-explained member. */
typedef struct pending_explain {
    struct pending_explain *next;
    endpoint_t *ep;
    char handshake_error[400];
} pending_explain_t;

static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static pending_explain_t *pending;

static bool take_pending(endpoint_t *ep, char *handshake_error, size_t len)
{
    pthread_mutex_lock(&pending_lock);
    pending_explain_t *found = NULL;
    for (pending_explain_t **at = &pending; *at; at = &(*at)->next)
        if ((*at)->ep == ep) {
            found = *at;
            *at = found->next;
            break;
        }
    pthread_mutex_unlock(&pending_lock);
    if (found)
        snprintf(handshake_error, len, "%s", found->handshake_error);
    free(found);
    return found != NULL;
}

/* An endpoint finaliser: once every probe is done, a handshake that failed because the server
 * takes only groups the local OpenSSL lacks says so, with OpenSSL's own reason kept beside it.
 * Not a need: certificate would otherwise wait for the whole groups enumeration. */
static void explain_by_groups(endpoint_t *ep)
{
    char handshake_error[400], groups[200], why[400];
    json_object *c = NULL;
    if (!take_pending(ep, handshake_error, sizeof handshake_error) ||
        !(c = endpoint_probe_facts(ep, "certificate")) || !only_unnegotiable_groups(ep, groups, sizeof groups))
        return;
    snprintf(why, sizeof why, "the server accepts only key exchange groups the local OpenSSL cannot negotiate (%s)",
             groups);
    json_object *out = json_object_new_object();
    json_object_object_foreach(c, key, val) {
        if (strcmp(key, "status") == 0)
            json_object_object_add(out, "handshake_error", json_object_new_string(handshake_error));
        json_object_object_add(out, key, strcmp(key, "error") == 0 ? json_object_new_string(why) : json_object_get(val));
    }
    pthread_mutex_lock(&ep->lock);
    json_object_object_add(ep->facts, "certificate", out);
    pthread_mutex_unlock(&ep->lock);
}

static void explain_later(endpoint_t *ep, const char *handshake_error)
{
    pending_explain_t *p = calloc(1, sizeof *p);
    if (!p)
        return;   /* out of memory: the error stays OpenSSL's own, still true */
    p->ep = ep;
    snprintf(p->handshake_error, sizeof p->handshake_error, "%s", handshake_error);
    pthread_mutex_lock(&pending_lock);
    p->next = pending;
    pending = p;
    pthread_mutex_unlock(&pending_lock);
    endpoint_add_finaliser(ep, explain_by_groups);
}

/* The OpenSSL handshake failed: the chain from a raw hello, if the server sends one in clear. */
static probe_status_t fall_back_to_raw(probe_ctx_t *ctx, known_hello_t *k, const char *handshake_error,
                                       size_t dropped)
{
    raw_answer_t ra = { .dropped = dropped };
    bool served = raw_chain(ctx, k, &ra);
    json_object_object_add(ctx->out, "dropped_hellos", json_object_new_int((int)ra.dropped));
    if (!served) {
        explain_later(ctx->ep, handshake_error);
        return record_error(ctx, PROBE_ERROR, handshake_error);
    }
    json_object *out = ctx->out;
    probe_status_here(ctx);
    json_object_object_add(out, "source", json_object_new_string("raw hello"));
    json_object_object_add(out, "handshake_error", json_object_new_string(handshake_error));
    json_object_object_add(out, "handshake", ra.handshake);
    record_chain_facts(ctx, ra.chain, ra.staple_asked, ra.staple, ra.staple_len);
    sk_X509_pop_free(ra.chain, X509_free);
    free(ra.staple);
    return PROBE_OK;
}

/* The first handshake: the endpoint's default one (default_hs.h), shared with the mtls probe;
 * with a client certificate configured, one of our own presenting it. Either way its
 * connection is closed; *hs and *info point to the shared handshake or to own / own_info. */
static int first_handshake(probe_ctx_t *ctx, known_hello_t *k, tls_hs_result_t *own, known_hs_t *own_info,
                           const tls_hs_result_t **hs, const known_hs_t **info)
{
    endpoint_t *ep = ctx->ep;
    memset(own, 0, sizeof *own);
    const default_hs_t *d = default_hs_get(ctx);
    if (d) {
        *k = d->known;
        *hs = &d->hs;
        *info = &d->info;
        if (d->info.connect_failed)
            snprintf(ctx->err, sizeof ctx->err, "%s", d->err);
        return d->rc;
    }
    known_hello_load(ep, k);
    tls_hs_options_t opts = {
        .sni = ep->sni,
        .ciphers = DEFAULT_HS_CIPHERS,
        .request_ocsp = true,
        .timeout_s = ep->opts->timeout_s,
        .client_cert_file = ep->target->client_cert,
        .client_key_file = ep->target->client_key,
    };
    int rc = known_hs_connect(ctx, k, &opts, own, own_info);
    if (rc == 0)
        tls_hs_close_notify(own);
    if (own_info->fd >= 0)
        net_close(own_info->fd);
    own_info->fd = -1;
    *hs = own;
    *info = own_info;
    return rc;
}

static probe_status_t certificate_run(probe_ctx_t *ctx)
{
    endpoint_t *ep = ctx->ep;
    known_hello_t k;
    tls_hs_result_t own;
    known_hs_t own_info;
    const tls_hs_result_t *hs;
    const known_hs_t *info;
    int rc = first_handshake(ctx, &k, &own, &own_info, &hs, &info);
    if (rc != 0 && info->connect_failed) {
        if (info->dropped)
            json_object_object_add(ctx->out, "dropped_hellos", json_object_new_int((int)info->dropped));
        tls_hs_result_free(&own);
        return record_error(ctx, probe_no_connection(ctx), ctx->err);
    }
    if (rc != 0 || !hs->chain) {
        char why[400];
        snprintf(why, sizeof why, "%s", rc != 0 ? hs->error : "the server completed the handshake without a certificate");
        if (info->first_error[0]) {
            char last[400];
            snprintf(last, sizeof last, "%s", why);
            snprintf(why, sizeof why, "%.140s; then, offering only what the server was seen to pick: %.190s",
                     info->first_error, last);
        }
        size_t dropped = info->dropped;
        tls_hs_result_free(&own);
        return fall_back_to_raw(ctx, &k, why, dropped);
    }

    json_object *out = ctx->out;
    json_object_object_add(out, "source", json_object_new_string("handshake"));
    json_object_object_add(out, "handshake", handshake_json(hs, ep->sni, info->reduced));
    record_chain_facts(ctx, hs->chain, info->status_request, hs->ocsp_response, hs->ocsp_response_len);
    size_t dropped = info->dropped;
    json_object *unanswered = json_object_new_array();
    json_object_object_add(out, "certificates", all_certificates(ctx, &k, sk_X509_value(hs->chain, 0), &dropped, unanswered));
    json_object_object_add(out, "certificates_complete", json_object_new_boolean(json_object_array_length(unanswered) == 0));
    json_object_object_add(out, "certificates_unanswered", unanswered);
    json_object_object_add(out, "dropped_hellos", json_object_new_int((int)dropped));
    tls_hs_result_free(&own);
    return PROBE_OK;
}

/* versions first: the raw fallback needs to know which version shows the chain in clear.
 * groups says, after the run, when the server's groups are ones the local OpenSSL lacks. */
static const char *const certificate_needs[] = { "versions", NULL };
static const char *const certificate_uses[] = { "groups", NULL };

render_text_fn certificate_render_text;   /* probes/certificate_render.c */
render_html_fn certificate_render_html;

const probe_module_t probe_certificate = {
    .name = "certificate",
    .help = "certificate chain as served, trust, name match, validity (one full handshake)",
    .needs = certificate_needs,
    .uses = certificate_uses,
    .run = certificate_run,
    .chain = 4.5,
    .render_text = certificate_render_text,
    .render_html = certificate_render_html,
};
