/* What an endpoint taught about hello shapes, and the retry ladder; see hello_shape.h. */
#include "hello_shape.h"

#include <stdlib.h>
#include <string.h>

#include "iana.h"
#include "wire.h"

/* Shapes tried after a full hello got no answer, each also keeping what was learned before.
 * Every rung keeps unpadded hellos out of 256..511 bytes. */
static const struct rung {
    hello_ext_level_t level;
    size_t codes;            /* 0: no limit */
} ladder[] = {
    { HELLO_EXT_FULL, 0 },
    { HELLO_EXT_FULL, 128 },
    { HELLO_EXT_COMPACT, 64 },
    { HELLO_EXT_KNOWN, 0 },
    { HELLO_EXT_KNOWN, 64 },
};
#define NRUNGS ((int)(sizeof ladder / sizeof *ladder))

/* Extension types in a hello, as bits. */
enum {
    X_SNI = 1 << 0, X_GROUPS = 1 << 1, X_ECPF = 1 << 2, X_SIGALGS = 1 << 3, X_VERSIONS = 1 << 4,
    X_PSK = 1 << 5, X_KEY_SHARE = 1 << 6, X_PADDING = 1 << 7, X_ALPN = 1 << 8, X_STATUS = 1 << 9,
    X_RENEG = 1 << 10, X_EMS = 1 << 11, X_ETM = 1 << 12, X_TICKET = 1 << 13, X_ANY = 1 << 14,
};

void hello_shape_init(hello_shape_t *s)
{
    memset(s, 0, sizeof *s);
    s->level = HELLO_EXT_FULL;
}

void hello_shape_load(endpoint_t *ep, hello_shape_t *s)
{
    hello_shape_init(s);
    pthread_mutex_lock(&ep->lock);
    if (ep->shape)
        *s = *ep->shape;
    pthread_mutex_unlock(&ep->lock);
}

/* The endpoint's finaliser: its probes are done, nothing reads the shape any more. */
static void shape_forget(endpoint_t *ep)
{
    pthread_mutex_lock(&ep->lock);
    free(ep->shape);
    ep->shape = NULL;
    pthread_mutex_unlock(&ep->lock);
}

void hello_shape_publish(endpoint_t *ep, const hello_shape_t *s)
{
    pthread_mutex_lock(&ep->lock);
    if (!ep->shape)
        ep->shape = malloc(sizeof *ep->shape);
    /* Out of memory: later probes start from nothing learned, and learn it again. */
    bool kept = ep->shape != NULL;
    if (kept)
        *ep->shape = *s;
    pthread_mutex_unlock(&ep->lock);
    if (kept)
        endpoint_add_finaliser(ep, shape_forget);
}

bool hello_shape_unanswered(tls_raw_outcome_t o)
{
    return o == TLS_RAW_CLOSED || o == TLS_RAW_TIMEOUT;
}

/* The server read the hello and said something (malformed counts: it was not a drop). */
static bool answered(tls_raw_outcome_t o)
{
    return o == TLS_RAW_ACCEPTED || o == TLS_RAW_OTHER_VERSION || o == TLS_RAW_ALERT || o == TLS_RAW_MALFORMED;
}

bool hello_shape_may_walk(const hello_shape_t *s)
{
    return s->next_rung < NRUNGS;
}

/* The load-balancer window: a hello whose handshake message is 256..511 bytes long. */
static bool in_window(size_t len)
{
    return len >= 256 && len <= 511;
}

static uint32_t ext_mask(const wire_hello_opts_t *o, bool padded)
{
    if (o->no_extensions)
        return 0;
    uint32_t m = 0;
    m |= o->sni ? X_SNI : 0;
    m |= o->ngroups ? X_GROUPS : 0;
    m |= o->ec_point_formats ? X_ECPF : 0;
    m |= o->nsigalgs ? X_SIGALGS : 0;
    m |= o->nversions ? X_VERSIONS : 0;
    m |= o->psk_key_exchange_modes ? X_PSK : 0;
    m |= o->nkey_shares || o->key_share_empty ? X_KEY_SHARE : 0;
    m |= padded ? X_PADDING : 0;
    m |= o->nalpn ? X_ALPN : 0;
    m |= o->status_request ? X_STATUS : 0;
    m |= o->renegotiation_info ? X_RENEG : 0;
    m |= o->extended_master_secret ? X_EMS : 0;
    m |= o->encrypt_then_mac ? X_ETM : 0;
    m |= o->session_ticket ? X_TICKET : 0;
    return m;
}

/* Public key length in a key share (0: unknown, then a real key is generated). */
static size_t share_len(uint16_t group)
{
    switch (group) {
    case 29: return 32;
    case 30: return 56;
    case 23: return 65;
    case 24: return 97;
    case 25: return 133;
    case 256: return 256;
    case 257: return 384;
    case 258: return 512;
    case 259: return 768;
    case 260: return 1024;
    default: return 0;
    }
}

/* The hello's handshake message length and whether it carries padding, from a build with
 * placeholder key shares (no key generation: only the length matters). */
static bool measure(const wire_hello_opts_t *opts, size_t *len, bool *padded)
{
    static const uint8_t zeros[1024];
    wire_hello_opts_t o = *opts;
    wire_key_share_t ks[8];
    size_t nks = o.nkey_shares < 8 ? o.nkey_shares : 8;
    for (size_t i = 0; i < nks; i++) {
        ks[i] = o.key_shares[i];
        size_t n = share_len(ks[i].group);
        if (!ks[i].key && n) {
            ks[i].key = zeros;
            ks[i].key_len = n;
        }
    }
    o.key_shares = ks;
    o.nkey_shares = nks;
    uint8_t buf[WIRE_HELLO_MAX + 64];
    size_t with, without;
    char err[160];
    if (wire_build_client_hello(&o, buf, sizeof buf, &with, err, sizeof err) != 0)
        return false;
    o.padding = false;
    if (wire_build_client_hello(&o, buf, sizeof buf, &without, err, sizeof err) != 0)
        return false;
    *len = with - WIRE_RECORD_HEADER;
    *padded = with != without;
    return true;
}

static bool dominates(const hello_seen_t *big, const hello_seen_t *small)
{
    return (big->ext_mask & small->ext_mask) == small->ext_mask && big->codes >= small->codes &&
           big->len >= small->len && (!in_window(small->len) || in_window(big->len));
}

static bool seen_of(const hello_profile_t *p, hello_seen_t *out)
{
    bool padded;
    if (!measure(&p->opts, &out->len, &padded))
        return false;
    out->ext_mask = ext_mask(&p->opts, padded);
    out->codes = p->opts.nsuites;
    return true;
}

bool hello_shape_known(const hello_shape_t *s, const hello_profile_t *p)
{
    hello_seen_t h;
    if (!seen_of(p, &h))
        return false;
    for (size_t i = 0; i < s->nseen; i++)
        if (dominates(&s->seen[i], &h))
            return true;
    return false;
}

/* Keeps the largest answered hellos: a new one replaces those it dominates. */
static void add_seen(hello_shape_t *s, const hello_seen_t *h)
{
    for (size_t i = 0; i < s->nseen; i++)
        if (dominates(&s->seen[i], h))
            return;
    size_t k = 0;
    for (size_t i = 0; i < s->nseen; i++)
        if (!dominates(h, &s->seen[i]))
            s->seen[k++] = s->seen[i];
    s->nseen = k;
    if (s->nseen == HELLO_SHAPE_SEEN) {
        memmove(&s->seen[0], &s->seen[1], (HELLO_SHAPE_SEEN - 1) * sizeof *s->seen);
        s->nseen--;
    }
    s->seen[s->nseen++] = *h;
}

void hello_shape_note(hello_shape_t *s, const hello_profile_t *p, tls_raw_outcome_t o)
{
    hello_seen_t h;
    if (o == TLS_RAW_ALERT)
        s->alerts = true;
    if (!answered(o) || !seen_of(p, &h))
        return;
    s->answered_any = true;
    add_seen(s, &h);
}

void hello_shape_merge(hello_shape_t *s, const hello_shape_t *learned)
{
    s->alerts |= learned->alerts;
    s->answered_any |= learned->answered_any;
    for (size_t i = 0; i < learned->nseen; i++)
        add_seen(s, &learned->seen[i]);
}

/* The extensions a server that knows nothing newer than TLS 1.2 has seen. */
static void known_only(hello_profile_t *p)
{
    wire_hello_opts_t *o = &p->opts;
    o->padding = false;
    o->psk_key_exchange_modes = false;
    o->nalpn = 0;
    o->status_request = false;
    o->extended_master_secret = false;
    o->encrypt_then_mac = false;
    if (p->version != WIRE_TLS13) {
        /* The everything-hello becomes a TLS 1.2 one: a server that cannot take
         * supported_versions speaks nothing newer. */
        o->nversions = 0;
        o->nkey_shares = 0;
        o->key_share_empty = false;
    }
}

static size_t scsv_codes(const hello_profile_t *p)
{
    return p->version != WIRE_TLS13 ? 1 : 0;
}

size_t hello_shape_fit(const hello_shape_t *s, hello_profile_t *p, const uint16_t *suites, size_t n,
                       unsigned keep)
{
    if (s->level >= HELLO_EXT_COMPACT)
        hello_profile_compact(p, keep & HELLO_KEEP_GROUPS, keep & HELLO_KEEP_SIGALGS);
    if (s->level >= HELLO_EXT_KNOWN)
        known_only(p);
    size_t scsv = scsv_codes(p), k = n;
    if (s->max_codes && k + scsv > s->max_codes)
        k = s->max_codes > scsv + 1 ? s->max_codes - scsv : 1;
    hello_profile_set_suites(p, suites, k);
    /* Padding keeps a hello out of the window; one that cannot be padded is made shorter. */
    size_t len;
    bool padded;
    if (s->avoid_window && k > 1 && (!p->opts.padding || p->opts.no_extensions) && measure(&p->opts, &len, &padded) &&
        in_window(len)) {
        size_t base = len - 2 * p->opts.nsuites;
        size_t room = base < 255 ? (255 - base) / 2 : 0;
        size_t k2 = room > scsv + 1 ? room - scsv : 1;
        if (k2 < k) {
            k = k2;
            hello_profile_set_suites(p, suites, k);
        }
    }
    return k < n ? k : n;
}

tls_raw_outcome_t hello_shape_ask(probe_ctx_t *ctx, hello_shape_t *s, const hello_profile_t *p, hello_answer_t *a,
                                  tls_raw_result_t *r, size_t *connections, size_t *reused)
{
    size_t before = *reused;
    tls_raw_outcome_t o = hello_ask(ctx, p, a, r, connections, reused);
    if (*reused == before)
        hello_shape_note(s, p, o);
    return o;
}

tls_raw_outcome_t hello_shape_walk(probe_ctx_t *ctx, hello_shape_t *s, hello_profile_t *p, unsigned keep,
                                   hello_answer_t *a, tls_raw_result_t *r, size_t *connections, size_t *reused)
{
    uint16_t want[HELLO_MAX_CODES];
    size_t n = 0;
    for (size_t i = 0; i < p->opts.nsuites; i++)
        if (p->opts.suites[i] != IANA_SCSV_EMPTY_RENEGOTIATION_INFO)
            want[n++] = p->opts.suites[i];
    tls_raw_outcome_t o = r->outcome;
    hello_seen_t tried[NRUNGS + 1];
    size_t ntried = seen_of(p, &tried[0]) ? 1 : 0;
    while (n > 0 && s->next_rung < NRUNGS) {
        const struct rung *g = &ladder[s->next_rung++];
        hello_shape_t t = *s;
        t.avoid_window = true;
        if (g->level > t.level)
            t.level = g->level;
        if (g->codes && (!t.max_codes || g->codes < t.max_codes))
            t.max_codes = g->codes;
        hello_shape_fit(&t, p, want, n, keep);
        /* A rung that gives a hello already sent would only ask the same question again. */
        hello_seen_t now;
        bool again = false;
        if (seen_of(p, &now)) {
            for (size_t i = 0; i < ntried && !again; i++)
                again = now.ext_mask == tried[i].ext_mask && now.codes == tried[i].codes && now.len == tried[i].len;
            if (!again)
                tried[ntried++] = now;
        }
        if (again)
            continue;
        tls_raw_result_free(r);
        o = hello_shape_ask(ctx, s, p, a, r, connections, reused);
        if (!hello_shape_unanswered(o)) {
            if (answered(o)) {
                s->level = t.level;
                s->max_codes = t.max_codes;
                s->avoid_window = true;
            }
            return o;
        }
    }
    return o;
}
