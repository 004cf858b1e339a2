/* versions: which protocol versions the endpoint accepts, from SSLv2 to TLS 1.3, each tested
 * with one hand-built hello offering every suite defined for that version, then one hello
 * offering everything to see which version and suite the server prefers. Raw hellos, not the
 * local OpenSSL, so versions it cannot speak any more are still seen. */
#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "registry.h"
#include "tls_raw.h"
#include "wire.h"

/* More than every registry suite, group and signature scheme. */
#define MAX_CODES 1024

/* Offered first, in this order; the rest of each registry follows. */
static const uint16_t preferred_groups[] = { 29 /* x25519 */, 23 /* secp256r1 */, 30 /* x448 */,
                                             24 /* secp384r1 */, 25 /* secp521r1 */ };
static const uint16_t preferred_sigalgs[] = {
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0603,
    0x0807, 0x0808, 0x0809, 0x080A, 0x080B,
};
/* TLS 1.2 hash/signature pairs no longer in the IANA SignatureScheme registry (DSA, SHA-224),
 * still the only ones a server with a DSA certificate can use. */
static const uint16_t legacy_sigalgs[] = { 0x0402, 0x0502, 0x0602, 0x0202, 0x0301, 0x0302, 0x0303 };
/* Key shares sent with TLS 1.3 hellos: what nearly every server supports. */
static const wire_key_share_t key_shares[] = { { .group = 29 }, { .group = 23 } };

typedef struct code_list {
    uint16_t v[MAX_CODES];
    size_t n;
} code_list_t;

static void add_code(code_list_t *l, uint16_t code)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] == code)
            return;
    if (l->n < MAX_CODES)
        l->v[l->n++] = code;
}

static void add_suites(code_list_t *l, uint16_t version)
{
    uint16_t codes[MAX_CODES];
    size_t n = registry_suites_for_version(version, codes, MAX_CODES);
    for (size_t i = 0; i < n && i < MAX_CODES; i++)
        add_code(l, codes[i]);
}

/* Groups worth listing: TLS 1.3 takes every named group; older versions only the elliptic
 * curves and finite-field groups they can use (no post-quantum, no TLS 1.3-only brainpool,
 * no explicit curves). */
static bool group_usable(const registry_group_t *g, bool tls13)
{
    if (g->code >= 0xFF01)
        return false;
    if (tls13)
        return true;
    if (strcmp(g->kind, "ecdhe") != 0 && strcmp(g->kind, "ffdhe") != 0)
        return false;
    return strstr(g->name, "tls13") == NULL;
}

static void collect_groups(code_list_t *l, bool tls13)
{
    l->n = 0;
    for (size_t i = 0; i < sizeof preferred_groups / sizeof *preferred_groups; i++)
        add_code(l, preferred_groups[i]);
    /* Classical groups before post-quantum ones, so a server does not pick one we send no
     * key share for unless it insists. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < registry_groups_count; i++) {
            const registry_group_t *g = &registry_groups[i];
            bool pq = strstr(g->kind, "pq") != NULL;
            if (group_usable(g, tls13) && pq == (pass == 1))
                add_code(l, g->code);
        }
}

static void collect_sigalgs(code_list_t *l)
{
    l->n = 0;
    for (size_t i = 0; i < sizeof preferred_sigalgs / sizeof *preferred_sigalgs; i++)
        add_code(l, preferred_sigalgs[i]);
    for (size_t i = 0; i < registry_sigschemes_count; i++)
        add_code(l, registry_sigschemes[i].code);
    for (size_t i = 0; i < sizeof legacy_sigalgs / sizeof *legacy_sigalgs; i++)
        add_code(l, legacy_sigalgs[i]);
}

typedef struct hello_lists {
    code_list_t suites, groups, sigalgs;
} hello_lists_t;

/* The hello for one TLS version (SSLv3 .. TLS 1.3), offering every suite defined for it. */
static void single_version_hello(const endpoint_t *ep, uint16_t version, hello_lists_t *l,
                                 wire_hello_opts_t *h)
{
    static const uint16_t tls13_only[] = { WIRE_TLS13 };
    memset(h, 0, sizeof *h);
    l->suites.n = 0;
    add_suites(&l->suites, version);
    collect_sigalgs(&l->sigalgs);
    h->suites = l->suites.v;
    h->padding = true;
    if (version == WIRE_TLS13) {
        collect_groups(&l->groups, true);
        h->client_version = WIRE_TLS12;
        h->session_id_len = 32; /* RFC 8446 middlebox compatibility mode */
        h->nsuites = l->suites.n;
        h->versions = tls13_only;
        h->nversions = 1;
        h->key_shares = key_shares;
        h->nkey_shares = sizeof key_shares / sizeof *key_shares;
        h->psk_key_exchange_modes = true;
    } else {
        collect_groups(&l->groups, false);
        add_code(&l->suites, REGISTRY_SCSV_EMPTY_RENEGOTIATION_INFO);
        h->client_version = version;
        h->nsuites = l->suites.n;
        /* SSLv3 clients sent no extensions, and some SSLv3 servers reject them. */
        if (version == WIRE_SSL3) {
            h->no_extensions = true;
            return;
        }
        h->ec_point_formats = true;
    }
    h->sni = ep->sni;
    h->groups = l->groups.v;
    h->ngroups = l->groups.n;
    if (version >= WIRE_TLS12) {
        h->sigalgs = l->sigalgs.v;
        h->nsigalgs = l->sigalgs.n;
    }
}

/* One hello offering every version and every suite: what the server picks is its preference. */
static void everything_hello(const endpoint_t *ep, hello_lists_t *l, wire_hello_opts_t *h)
{
    static const uint16_t all_versions[] = { WIRE_TLS13, WIRE_TLS12, WIRE_TLS11, WIRE_TLS10, WIRE_SSL3 };
    l->suites.n = 0;
    for (size_t i = 0; i < sizeof all_versions / sizeof *all_versions; i++)
        add_suites(&l->suites, all_versions[i]);
    add_code(&l->suites, REGISTRY_SCSV_EMPTY_RENEGOTIATION_INFO);
    collect_groups(&l->groups, true);
    collect_sigalgs(&l->sigalgs);
    *h = (wire_hello_opts_t){
        .client_version = WIRE_TLS12,
        .session_id_len = 32,
        .suites = l->suites.v,
        .nsuites = l->suites.n,
        .sni = ep->sni,
        .versions = all_versions,
        .nversions = sizeof all_versions / sizeof *all_versions,
        .groups = l->groups.v,
        .ngroups = l->groups.n,
        .key_shares = key_shares,
        .nkey_shares = sizeof key_shares / sizeof *key_shares,
        .sigalgs = l->sigalgs.v,
        .nsigalgs = l->sigalgs.n,
        .ec_point_formats = true,
        .psk_key_exchange_modes = true,
        .padding = true,
    };
}

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

static json_object *protocol_json(const char *name, const tls_raw_result_t *r)
{
    json_object *o = json_object_new_object();
    bool accepted = r->outcome == TLS_RAW_ACCEPTED;
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "accepted", json_object_new_boolean(accepted));
    json_object_object_add(o, "result", json_object_new_string(r->summary));
    if (accepted)
        json_object_object_add(o, "cipher", cipher_json(r));
    return o;
}

/* What the per-version results add up to. */
typedef struct tally {
    json_object *protocols;
    json_object *accepted;
    size_t reached;             /* connections made */
    size_t failed;              /* connections that could not be made */
    char last_failure[200];     /* why the last connection could not be made */
} tally_t;

/* Two failed connects and not one made: the endpoint is down or filtered, and trying the
 * remaining hellos would only cost a timeout each. */
static bool give_up(const tally_t *t)
{
    return t->reached == 0 && t->failed >= 2;
}

/* Stands in for a hello not sent after give_up(): the same failure, not a new one. */
static tls_raw_outcome_t skipped(const tally_t *t, tls_raw_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->outcome = TLS_RAW_CONNECT_FAILED;
    snprintf(r->summary, sizeof r->summary, "%s", t->last_failure);
    return r->outcome;
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

/* Records one version's result and frees it. */
static void record_version(tally_t *t, const char *name, tls_raw_result_t *r)
{
    json_object_array_add(t->protocols, protocol_json(name, r));
    if (r->outcome == TLS_RAW_ACCEPTED)
        json_object_array_add(t->accepted, json_object_new_string(name));
    count_connection(t, r);
    tls_raw_result_free(r);
}

static probe_status_t versions_run(probe_ctx_t *ctx)
{
    static const uint16_t tls_versions[] = { WIRE_SSL3, WIRE_TLS10, WIRE_TLS11, WIRE_TLS12, WIRE_TLS13 };
    endpoint_t *ep = ctx->ep;
    tally_t t = { .protocols = json_object_new_array(), .accepted = json_object_new_array() };
    tls_raw_result_t r;
    hello_lists_t lists;
    wire_hello_opts_t h;

    /* SSLv2 has its own record format and cipher kinds. */
    uint32_t kinds[64];
    wire_sslv2_hello_opts_t h2 = { .version = WIRE_SSL2, .kinds = kinds };
    h2.nkinds = sslv2_kinds(kinds, sizeof kinds / sizeof *kinds);
    tls_raw_probe_sslv2(ctx, &h2, 0, &r);
    record_version(&t, wire_version_name(WIRE_SSL2), &r);

    for (size_t i = 0; i < sizeof tls_versions / sizeof *tls_versions; i++) {
        single_version_hello(ep, tls_versions[i], &lists, &h);
        if (give_up(&t))
            skipped(&t, &r);
        else
            tls_raw_probe_hello(ctx, &h, 0, &r);
        record_version(&t, wire_version_name(tls_versions[i]), &r);
    }

    everything_hello(ep, &lists, &h);
    if (give_up(&t))
        skipped(&t, &r);
    else
        tls_raw_probe_hello(ctx, &h, 0, &r);
    count_connection(&t, &r);
    bool preferred = r.outcome == TLS_RAW_ACCEPTED;

    json_object *out = ctx->out;
    json_object_object_add(out, "status", json_object_new_string(t.reached ? "ok" : "error"));
    if (!t.reached) {
        snprintf(ctx->err, sizeof ctx->err, "no connection could be made: %s", t.last_failure);
        json_object_object_add(out, "error", json_object_new_string(ctx->err));
    }
    json_object_object_add(out, "protocols", t.protocols);
    json_object_object_add(out, "accepted", t.accepted);
    json_object_object_add(out, "preferred",
                           preferred ? json_object_new_string(wire_version_name(r.version)) : NULL);
    json_object_object_add(out, "preferred_cipher", preferred ? cipher_json(&r) : NULL);
    /* The answer to the everything-hello: says why preferred is null when it is. */
    json_object_object_add(out, "preference_result", json_object_new_string(r.summary));
    tls_raw_result_free(&r);
    return t.reached ? PROBE_OK : PROBE_UNREACHABLE;
}

const probe_module_t probe_versions = {
    .name = "versions",
    .help = "SSLv2 to TLS 1.3 accepted or not (raw hellos), preferred version and suite",
    .needs = NULL,
    .run = versions_run,
};
