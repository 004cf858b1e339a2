/* Hellos an endpoint is known to answer: OpenSSL handshakes and raw hellos shaped by what the
 * versions probe saw, sent again in a smaller shape when the server dropped them; see
 * known_hello.h. */
#include "known_hello.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "net.h"
#include "probe_raw.h"
#include "iana.h"
#include "wire.h"

/* The first groups and signature schemes of hello_profile's lists, as OpenSSL names: what a
 * compact shape keeps (hello_profile_compact). */
#define COMPACT_GROUPS "X25519:P-256:X448:P-384:P-521:ffdhe2048"
#define COMPACT_SIGALGS                                                                        \
    "ECDSA+SHA256:rsa_pss_rsae_sha256:RSA+SHA256:ECDSA+SHA384:rsa_pss_rsae_sha384:RSA+SHA384:" \
    "rsa_pss_rsae_sha512:RSA+SHA512:ECDSA+SHA512:ed25519:ed448:rsa_pss_pss_sha256:"            \
    "rsa_pss_pss_sha384:rsa_pss_pss_sha512"

/* ---- what the versions probe saw */

static bool suite_code(const char *name, uint16_t *code)
{
    const iana_suite_t *s = name ? iana_suite_by_name(name) : NULL;
    if (s) {
        *code = s->code;
        return true;
    }
    /* A suite the registry does not name is recorded as "0x00ff". */
    char *end = NULL;
    unsigned long v = name && strncmp(name, "0x", 2) == 0 ? strtoul(name + 2, &end, 16) : 0x10000;
    if (v > 0xFFFF || !end || *end)
        return false;
    *code = (uint16_t)v;
    return true;
}

static void add_pick(known_hello_t *k, const char *version_name, const char *cipher)
{
    uint16_t version = version_name ? wire_version_by_name(version_name) : 0, code;
    if (!version || version == WIRE_SSL2 || !suite_code(cipher, &code))
        return;
    for (size_t i = 0; i < k->npicks; i++)
        if (k->picks[i].version == version && k->picks[i].code == code)
            return;
    if (k->npicks < KNOWN_MAX_PICKS)
        k->picks[k->npicks++] = (known_pick_t){ .version = version, .code = code };
}

static const char *str_at(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

void known_hello_load(endpoint_t *ep, known_hello_t *k)
{
    memset(k, 0, sizeof *k);
    hello_shape_load(ep, &k->shape);
    json_object *v = endpoint_probe_facts(ep, "versions"), *list, *accepted;
    if (!v || !json_object_object_get_ex(v, "protocols", &list))
        return;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        if (json_object_object_get_ex(p, "accepted", &accepted) && json_object_get_boolean(accepted))
            add_pick(k, str_at(p, "name"), str_at(p, "cipher"));
    }
    add_pick(k, str_at(v, "preferred"), str_at(v, "preferred_cipher"));
}

size_t known_hello_picks(const known_hello_t *k, uint16_t version, uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < k->npicks && n < cap; i++)
        if (k->picks[i].version == version)
            out[n++] = k->picks[i].code;
    return n;
}

/* ---- OpenSSL handshakes */

void known_hs_shape(const known_hello_t *k, tls_hs_options_t *o)
{
    if (k->shape.level >= HELLO_EXT_COMPACT) {
        if (!o->groups)
            o->groups = COMPACT_GROUPS;
        if (!o->sigalgs)
            o->sigalgs = COMPACT_SIGALGS;
    }
    if (k->shape.level >= HELLO_EXT_KNOWN) {
        /* Only what a TLS 1.2 server knows: server_name, supported_groups, ec_point_formats,
         * signature_algorithms (renegotiation is signalled by the SCSV). */
        o->no_padding = o->no_ticket = o->no_etm_ems = true;
        o->request_ocsp = false;
        o->alpn = NULL;
        int lo = o->min_version ? o->min_version : TLS1_VERSION;
        if (lo <= TLS1_2_VERSION && (!o->max_version || o->max_version > TLS1_2_VERSION))
            o->max_version = TLS1_2_VERSION;
    }
}

static bool cipher_allowed(const STACK_OF(SSL_CIPHER) *allowed, uint16_t code)
{
    for (int i = 0; i < sk_SSL_CIPHER_num(allowed); i++)
        if ((SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(allowed, i)) & 0xFFFF) == code)
            return true;
    return false;
}

static void append(char *buf, size_t cap, const char *name)
{
    size_t used = strlen(buf);
    if (used + strlen(name) + 2 < cap)
        snprintf(buf + used, cap - used, "%s%s", used ? ":" : "", name);
}

/* o offering only the picks in its version range that its own suite lists allow (OpenSSL
 * knows them, the caller did not exclude them), and only those versions. False when there is
 * no such pick: nothing smaller is known to be answered. */
static bool reduce_to_picks(const known_hello_t *k, tls_hs_options_t *o, known_hs_t *info)
{
    int lo = o->min_version ? o->min_version : TLS1_VERSION;
    int hi = o->max_version ? o->max_version : TLS1_3_VERSION;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return false;
    SSL_CTX_set_security_level(ctx, 0);
    bool lists_ok = SSL_CTX_set_cipher_list(ctx, o->ciphers ? o->ciphers : TLS_HS_DEFAULT_CIPHERS) &&
                    SSL_CTX_set_ciphersuites(ctx, o->ciphersuites ? o->ciphersuites : TLS_HS_DEFAULT_CIPHERSUITES);
    const STACK_OF(SSL_CIPHER) *allowed = lists_ok ? SSL_CTX_get_ciphers(ctx) : NULL;
    int newlo = 0, newhi = 0;
    info->ciphers[0] = info->ciphersuites[0] = '\0';
    for (size_t i = 0; allowed && i < k->npicks; i++) {
        int v = k->picks[i].version;   /* wire versions are OpenSSL's */
        const char *name = iana_openssl_name(k->picks[i].code);
        if (v < TLS1_VERSION || v < lo || v > hi || !name || !cipher_allowed(allowed, k->picks[i].code))
            continue;
        if (v == TLS1_3_VERSION)
            append(info->ciphersuites, sizeof info->ciphersuites, name);
        else
            append(info->ciphers, sizeof info->ciphers, name);
        newlo = !newlo || v < newlo ? v : newlo;
        newhi = v > newhi ? v : newhi;
    }
    SSL_CTX_free(ctx);
    ERR_clear_error();
    if (!newhi)
        return false;
    o->min_version = newlo;
    o->max_version = newhi;
    if (info->ciphers[0]) {
        append(info->ciphers, sizeof info->ciphers, "@SECLEVEL=0");
        o->ciphers = info->ciphers;
    }
    if (info->ciphersuites[0])
        o->ciphersuites = info->ciphersuites;
    return true;
}

/* The hello to send: opts cut to the shape, and to the picks when asked or when the full offer
 * is one the endpoint is known to drop (more codes than it takes, extensions it does not know). */
static bool shaped(const known_hello_t *k, const tls_hs_options_t *opts, bool picks, tls_hs_options_t *o,
                   known_hs_t *info)
{
    *o = *opts;
    known_hs_shape(k, o);
    bool too_long = false;
    if (!picks && k->shape.max_codes) {
        int codes = tls_hs_offered_codes(o);
        too_long = codes > 0 && (size_t)codes > k->shape.max_codes;
    }
    if (picks || too_long || k->shape.level >= HELLO_EXT_KNOWN || k->prefer_picks)
        return reduce_to_picks(k, o, info);
    return false;
}

static int attempt(probe_ctx_t *ctx, const tls_hs_options_t *o, bool reduced, tls_hs_result_t *r, known_hs_t *info)
{
    info->reduced = reduced;
    info->status_request = o->request_ocsp;
    info->connections++;
    int fd = probe_connect(ctx);
    if (fd < 0) {
        memset(r, 0, sizeof *r);
        r->alert_received = r->alert_sent = -1;
        snprintf(r->error, sizeof r->error, "%.*s", (int)sizeof r->error - 1, ctx->err);
        info->connect_failed = true;
        return -1;
    }
    int rc = tls_hs_connect(fd, o, r);
    if (rc == 0) {
        info->fd = fd;
        return 0;
    }
    net_close(fd);
    if (r->dropped)
        info->dropped++;
    return -1;
}

int known_hs_connect(probe_ctx_t *ctx, known_hello_t *k, const tls_hs_options_t *opts, tls_hs_result_t *r,
                     known_hs_t *info)
{
    memset(info, 0, offsetof(known_hs_t, ciphers));
    info->fd = -1;
    tls_hs_options_t o;
    bool reduced = shaped(k, opts, false, &o, info);
    bool cut = reduced || k->shape.level >= HELLO_EXT_COMPACT;
    int rc = attempt(ctx, &o, cut, r, info);
    int lo = o.min_version ? o.min_version : TLS1_VERSION, hi = o.max_version ? o.max_version : TLS1_3_VERSION;
    if (!reduced && (rc == 0 || !r->dropped)) {
        k->answered_lo = lo;
        k->answered_hi = hi;
    }
    bool asked_before = k->answered_lo == lo && k->answered_hi == hi;
    if (rc == 0 || !r->dropped || reduced || asked_before)
        return rc;
    /* Dropped: once more, offering only what the server was seen to pick. */
    char first[sizeof info->first_error];
    snprintf(first, sizeof first, "%s", r->error);
    if (!shaped(k, opts, true, &o, info))
        return rc;
    tls_hs_result_free(r);
    snprintf(info->first_error, sizeof info->first_error, "%s", first);
    rc = attempt(ctx, &o, true, r, info);
    if (rc == 0 || !r->dropped)
        k->prefer_picks = true;
    return rc;
}

/* ---- raw hellos */

size_t known_offered(const hello_profile_t *p, uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < p->opts.nsuites && n < cap; i++)
        if (p->opts.suites[i] != IANA_SCSV_EMPTY_RENEGOTIATION_INFO)
            out[n++] = p->opts.suites[i];
    return n;
}

static bool has_code(const uint16_t *list, size_t n, uint16_t code)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == code)
            return true;
    return false;
}

/* One hello over a new connection when the server's messages are wanted, else possibly a
 * kept answer; what it teaches about shapes is noted either way. */
static tls_raw_outcome_t ask(probe_ctx_t *ctx, known_hello_t *k, const hello_profile_t *p, unsigned flags,
                             hello_answer_t *a, tls_raw_result_t *r, known_raw_t *info)
{
    tls_raw_outcome_t o;
    if (flags & KNOWN_NEED_FLIGHT) {
        info->connections++;
        o = probe_raw_hello(ctx, &p->opts, r);
        hello_shape_note(&k->shape, p, o);
        if (o == TLS_RAW_ACCEPTED) {
            /* The caller reads the flight; the answer's gist, as hello_ask gives it. */
            memset(a, 0, sizeof *a);
            a->version = r->version;
            a->cipher = r->cipher;
            a->has_sig_scheme = r->flight.have_server_key_exchange && r->flight.ske.has_sig_scheme;
            a->sig_scheme = r->flight.ske.sig_scheme;
        }
    } else {
        o = hello_shape_ask(ctx, &k->shape, p, a, r, &info->connections, &info->reused);
    }
    if (hello_shape_unanswered(o))
        info->dropped++;
    return o;
}

/* After a drop: the shape ladder, when the hello was of a shape never answered. */
static tls_raw_outcome_t walk(probe_ctx_t *ctx, known_hello_t *k, hello_profile_t *p, unsigned keep, unsigned flags,
                              hello_answer_t *a, tls_raw_result_t *r, known_raw_t *info)
{
    if (hello_shape_known(&k->shape, p) || !hello_shape_may_walk(&k->shape))
        return r->outcome;
    size_t before = info->reused, sent = info->connections;
    tls_raw_outcome_t o = hello_shape_walk(ctx, &k->shape, p, keep, a, r, &info->connections, &info->reused);
    /* Every hello the walk sent was dropped but an answered one (unless a kept answer). */
    size_t hellos = info->connections - sent;
    size_t answered = !hello_shape_unanswered(o) && info->reused == before && hellos ? 1 : 0;
    info->dropped += hellos - answered;
    if (o == TLS_RAW_ACCEPTED && (flags & KNOWN_NEED_FLIGHT) && info->reused != before) {
        /* A kept answer has no messages: ask the same hello for real. */
        tls_raw_result_free(r);
        o = ask(ctx, k, p, flags, a, r, info);
    }
    return o;
}

tls_raw_outcome_t known_raw_ask(probe_ctx_t *ctx, known_hello_t *k, hello_profile_t *p, const uint16_t *suites,
                                size_t n, unsigned keep, unsigned flags, hello_answer_t *a, tls_raw_result_t *r,
                                known_raw_t *info)
{
    uint16_t *list = malloc((n ? n : 1) * sizeof *list), picks[KNOWN_MAX_PICKS], seen[KNOWN_MAX_PICKS];
    size_t npicks = 0, nlist = 0;
    memset(r, 0, sizeof *r);
    if (!list) {
        r->outcome = TLS_RAW_LOCAL_ERROR;
        snprintf(r->summary, sizeof r->summary, "out of memory");
        return r->outcome;
    }
    size_t nseen = known_hello_picks(k, p->version, seen, KNOWN_MAX_PICKS);
    for (size_t i = 0; i < nseen; i++)
        if (has_code(suites, n, seen[i]))
            picks[npicks++] = seen[i];
    if (flags & KNOWN_PICKS_FIRST)
        for (size_t i = 0; i < npicks; i++)
            list[nlist++] = picks[i];
    for (size_t i = 0; i < n; i++)
        if (!(flags & KNOWN_PICKS_FIRST) || !has_code(picks, npicks, suites[i]))
            list[nlist++] = suites[i];
    bool only_picks = k->prefer_picks && npicks > 0;
    if (only_picks) {
        memcpy(list, picks, npicks * sizeof *picks);
        nlist = npicks;
    }
    tls_raw_outcome_t o = r->outcome = TLS_RAW_LOCAL_ERROR;
    snprintf(r->summary, sizeof r->summary, "no suite to offer");
    size_t took = 0;
    for (size_t at = 0; at < nlist;) {
        hello_shape_fit(&k->shape, p, list + at, nlist - at, keep);
        o = ask(ctx, k, p, flags, a, r, info);
        if (hello_shape_unanswered(o))
            o = walk(ctx, k, p, keep, flags, a, r, info);
        if (hello_shape_unanswered(o) && !only_picks && npicks > 0) {
            /* Dropped in every shape tried: what the server picked before, alone. */
            tls_raw_result_free(r);
            hello_shape_fit(&k->shape, p, picks, npicks, keep);
            o = ask(ctx, k, p, flags, a, r, info);
            only_picks = true;
            break;
        }
        uint16_t offered[HELLO_MAX_CODES];
        took = known_offered(p, offered, HELLO_MAX_CODES);
        /* A refusal of a cut list refuses only what it offered: the next chunk. */
        if (o != TLS_RAW_ALERT || took == 0 || at + took >= nlist) {
            took += at;
            break;
        }
        at += took;
        tls_raw_result_free(r);
    }
    /* Less than the caller's offer: the picks alone, a chunk, or fewer extensions. */
    info->reduced = only_picks || took < n || k->shape.level > HELLO_EXT_FULL;
    free(list);
    return o;
}
