/* Shared ClientHello shapes for the raw probes. */
#include "hello_profile.h"

#include <string.h>

#include "iana.h"

static const uint16_t first_groups[] = { 29 /* x25519 */, 23 /* secp256r1 */, 30 /* x448 */,
                                         24 /* secp384r1 */, 25 /* secp521r1 */ };
static const uint16_t first_sigalgs[] = {
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0603,
    0x0807, 0x0808, 0x0809, 0x080A, 0x080B,
};
/* TLS 1.2 hash/signature pairs gone from the IANA SignatureScheme registry (DSA, SHA-224),
 * still the only ones a server with a DSA certificate can sign with. */
static const uint16_t legacy_sigalgs[] = { 0x0402, 0x0502, 0x0602, 0x0202, 0x0301, 0x0302, 0x0303 };
/* Their names, from the RFC 5246 HashAlgorithm and SignatureAlgorithm registries. */
static const char *const legacy_sigalg_names[] = { "dsa_sha256", "dsa_sha384", "dsa_sha512", "dsa_sha1",
                                                   "rsa_sha224", "dsa_sha224", "ecdsa_sha224" };

const char *hello_legacy_sigalg_name(uint16_t code)
{
    for (size_t i = 0; i < sizeof legacy_sigalgs / sizeof *legacy_sigalgs; i++)
        if (legacy_sigalgs[i] == code)
            return legacy_sigalg_names[i];
    return NULL;
}

static void add(uint16_t *list, size_t *n, size_t cap, uint16_t code)
{
    for (size_t i = 0; i < *n; i++)
        if (list[i] == code)
            return;
    if (*n < cap)
        list[(*n)++] = code;
}

/* TLS 1.3 takes every named group; older versions only elliptic curves and finite-field
 * groups (no post-quantum, no TLS 1.3-only brainpool, no explicit curves). */
static bool group_usable(const iana_group_t *g, bool tls13)
{
    if (g->code >= 0xFF01)
        return false;
    if (tls13)
        return true;
    if (strcmp(g->kind, "ecdhe") != 0 && strcmp(g->kind, "ffdhe") != 0)
        return false;
    return strstr(g->name, "tls13") == NULL;
}

size_t hello_usable_groups(uint16_t version, uint16_t *out, size_t cap)
{
    bool tls13 = version == WIRE_TLS13;
    size_t n = 0;
    for (size_t i = 0; i < sizeof first_groups / sizeof *first_groups; i++)
        add(out, &n, cap, first_groups[i]);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < iana_groups_count; i++) {
            const iana_group_t *g = &iana_groups[i];
            bool pq = strstr(g->kind, "pq") != NULL;
            if (group_usable(g, tls13) && pq == (pass == 1))
                add(out, &n, cap, g->code);
        }
    return n;
}

void hello_profile_init(hello_profile_t *p, const char *sni, uint16_t version)
{
    memset(p, 0, sizeof *p);
    p->version = version;
    wire_hello_opts_t *h = &p->opts;
    h->padding = true;
    h->suites = p->suites;
    if (version == WIRE_SSL3) {
        /* SSLv3 clients sent no extensions, and some SSLv3 servers reject them. */
        h->client_version = WIRE_SSL3;
        h->no_extensions = true;
        return;
    }
    p->ngroups = hello_usable_groups(version, p->groups, HELLO_MAX_CODES);
    h->groups = p->groups;
    h->ngroups = p->ngroups;
    h->sni = sni;
    if (version >= WIRE_TLS12) {
        for (size_t i = 0; i < sizeof first_sigalgs / sizeof *first_sigalgs; i++)
            add(p->sigalgs, &p->nsigalgs, HELLO_MAX_CODES, first_sigalgs[i]);
        for (size_t i = 0; i < iana_sigschemes_count; i++)
            add(p->sigalgs, &p->nsigalgs, HELLO_MAX_CODES, iana_sigschemes[i].code);
        for (size_t i = 0; i < sizeof legacy_sigalgs / sizeof *legacy_sigalgs; i++)
            add(p->sigalgs, &p->nsigalgs, HELLO_MAX_CODES, legacy_sigalgs[i]);
        h->sigalgs = p->sigalgs;
        h->nsigalgs = p->nsigalgs;
    }
    if (version == WIRE_TLS13) {
        h->client_version = WIRE_TLS12;
        h->session_id_len = 32; /* RFC 8446 middlebox compatibility mode */
        p->versions[0] = WIRE_TLS13;
        h->versions = p->versions;
        h->nversions = 1;
        p->shares[0].group = 29;
        p->shares[1].group = 23;
        h->key_shares = p->shares;
        h->nkey_shares = 2;
        h->psk_key_exchange_modes = true;
    } else {
        h->client_version = version;
        h->ec_point_formats = true;
    }
}

void hello_profile_set_suites(hello_profile_t *p, const uint16_t *suites, size_t n)
{
    p->nsuites = 0;
    for (size_t i = 0; i < n; i++)
        add(p->suites, &p->nsuites, HELLO_MAX_CODES, suites[i]);
    if (p->version != WIRE_TLS13)
        add(p->suites, &p->nsuites, HELLO_MAX_CODES, IANA_SCSV_EMPTY_RENEGOTIATION_INFO);
    p->opts.nsuites = p->nsuites;
}

void hello_profile_set_groups(hello_profile_t *p, const uint16_t *groups, size_t n, bool no_key_shares)
{
    p->ngroups = 0;
    for (size_t i = 0; i < n; i++)
        add(p->groups, &p->ngroups, HELLO_MAX_CODES, groups[i]);
    p->opts.groups = p->groups;
    p->opts.ngroups = p->ngroups;
    if (p->version != WIRE_TLS13)
        return;
    size_t ns = 0;
    if (!no_key_shares)
        for (size_t i = 0; i < p->ngroups && ns < 2; i++)
            if (p->groups[i] == 29 || p->groups[i] == 23)
                p->shares[ns++].group = p->groups[i];
    p->opts.nkey_shares = ns;
    /* An empty key_share list, not a missing one: the server then asks for its choice. */
    p->opts.key_share_empty = ns == 0;
}

void hello_profile_init_all_versions(hello_profile_t *p, const char *sni)
{
    static const uint16_t all[] = { WIRE_TLS13, WIRE_TLS12, WIRE_TLS11, WIRE_TLS10, WIRE_SSL3 };
    hello_profile_init(p, sni, WIRE_TLS13);
    p->version = 0; /* below TLS 1.3 too: the renegotiation SCSV goes in */
    memcpy(p->versions, all, sizeof all);
    p->opts.nversions = sizeof all / sizeof *all;
    p->opts.ec_point_formats = true;
}

void hello_profile_compact(hello_profile_t *p, bool keep_groups, bool keep_sigalgs)
{
    if (!keep_groups && p->opts.ngroups > 6)
        p->opts.ngroups = 6;
    if (!keep_sigalgs && p->opts.nsigalgs > 14)
        p->opts.nsigalgs = 14;
    p->opts.psk_key_exchange_modes = false;
    if (p->opts.nkey_shares > 1)
        p->opts.nkey_shares = 1;
}

void hello_profile_set_sigalgs(hello_profile_t *p, const uint16_t *sigalgs, size_t n)
{
    p->nsigalgs = 0;
    for (size_t i = 0; i < n; i++)
        add(p->sigalgs, &p->nsigalgs, HELLO_MAX_CODES, sigalgs[i]);
    p->opts.sigalgs = p->sigalgs;
    p->opts.nsigalgs = p->nsigalgs;
}

bool codes_take(uint16_t *list, size_t *n, uint16_t code)
{
    for (size_t i = 0; i < *n; i++)
        if (list[i] == code) {
            memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof *list);
            (*n)--;
            return true;
        }
    return false;
}

/* 0 ECDHE, 1 DHE, 2 RSA, 3 anything else (TLS 1.3 suites, PSK, SRP, static DH, ...). */
static int kx_family(uint16_t code, bool two_families)
{
    const iana_suite_t *s = iana_suite_by_code(code);
    const char *kx = s ? s->kx : "";
    int f = strcmp(kx, "ECDHE") == 0 ? 0 : strcmp(kx, "DHE") == 0 ? 1 : strcmp(kx, "RSA") == 0 ? 2 : 3;
    return two_families && f > 0 ? 1 : f;
}

size_t hello_split_suites(const uint16_t *suites, size_t n, bool two_families, uint16_t *out, size_t ends[4])
{
    size_t nparts = 0, k = 0;
    for (int f = 0; f < 4; f++) {
        size_t start = k;
        for (size_t i = 0; i < n; i++)
            if (kx_family(suites[i], two_families) == f)
                out[k++] = suites[i];
        if (k > start)
            ends[nparts++] = k;
    }
    if (nparts == 1 && n >= 2) {
        ends[0] = n / 2;
        ends[1] = n;
        nparts = 2;
    }
    return nparts;
}
