/* ClientHello builders: TLS (SSLv3 to TLS 1.3, any suites and extensions) and SSLv2 CLIENT-HELLO.
 * A bounded writer records overflow instead of writing past its buffer, so the builders check
 * once at the end. Key shares are real public keys from OpenSSL, because servers validate
 * the points they receive. */
#include "wire.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

typedef struct writer {
    uint8_t *p;
    size_t cap;
    size_t len;
    bool overflow;
} writer_t;

static void put_bytes(writer_t *w, const void *src, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    if (n)
        memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void put_u8(writer_t *w, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put_bytes(w, &b, 1);
}

static void put_u16(writer_t *w, unsigned v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    put_bytes(w, b, 2);
}

static void put_u24(writer_t *w, size_t v)
{
    uint8_t b[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    put_bytes(w, b, 3);
}

/* Length prefixes are written as placeholders and filled once the contents are known. */
static size_t open_len(writer_t *w, int width)
{
    size_t at = w->len;
    for (int i = 0; i < width; i++)
        put_u8(w, 0);
    return at;
}

/* Fills the placeholder at `at`; false when the contents do not fit the prefix width. */
static bool close_len(writer_t *w, size_t at, int width)
{
    if (w->overflow)
        return false;
    size_t n = w->len - at - (size_t)width;
    if (width < 3 && n >> (8 * width))
        return false;
    if (n >> 24)
        return false;
    for (int i = 0; i < width; i++)
        w->p[at + i] = (uint8_t)(n >> (8 * (width - 1 - i)));
    return true;
}

static int fail(char *err, size_t errlen, const char *why)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", why);
    return -1;
}

/* --------------------------------------------------------------------------------------------
 * Key shares */

/* Largest public value sent: an ffdhe8192 element. */
#define KEY_SHARE_MAX 1024

static int ffdhe_public(const char *group_name, size_t prime_bytes, uint8_t *out, size_t *out_len)
{
    int ok = 0;
    EVP_PKEY *pkey = NULL;
    BIGNUM *pub = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    if (ctx && EVP_PKEY_keygen_init(ctx) > 0) {
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group_name, 0),
            OSSL_PARAM_construct_end(),
        };
        /* RFC 8446 4.2.8.1: the public value is left-padded to the size of the prime. */
        if (EVP_PKEY_CTX_set_params(ctx, params) > 0 && EVP_PKEY_generate(ctx, &pkey) > 0 &&
            EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, &pub) > 0 &&
            prime_bytes <= KEY_SHARE_MAX && BN_bn2binpad(pub, out, (int)prime_bytes) > 0) {
            *out_len = prime_bytes;
            ok = 1;
        }
    }
    BN_free(pub);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : -1;
}

/* A fresh public key for the group, in its key_share encoding. -1 when unsupported. */
static int generate_key_share(uint16_t group, uint8_t *out, size_t *out_len)
{
    EVP_PKEY *pkey = NULL;
    int ok = 0;
    switch (group) {
    case 23: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); break;
    case 24: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"); break;
    case 25: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521"); break;
    case 29: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "X25519"); break;
    case 30: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "X448"); break;
    case 256: return ffdhe_public("ffdhe2048", 256, out, out_len);
    case 257: return ffdhe_public("ffdhe3072", 384, out, out_len);
    case 258: return ffdhe_public("ffdhe4096", 512, out, out_len);
    case 259: return ffdhe_public("ffdhe6144", 768, out, out_len);
    case 260: return ffdhe_public("ffdhe8192", 1024, out, out_len);
    default: return -1;
    }
    if (!pkey)
        return -1;
    size_t n = 0;
    if (group == 29 || group == 30) {
        n = KEY_SHARE_MAX;
        ok = EVP_PKEY_get_raw_public_key(pkey, out, &n) > 0;
    } else {
        /* The encoded EC public key is the uncompressed point TLS 1.3 requires. */
        ok = EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out,
                                             KEY_SHARE_MAX, &n) > 0;
    }
    EVP_PKEY_free(pkey);
    if (!ok)
        return -1;
    *out_len = n;
    return 0;
}

/* --------------------------------------------------------------------------------------------
 * Extensions */

static void ext_u16_list(writer_t *w, uint16_t type, const uint16_t *v, size_t n)
{
    put_u16(w, type);
    size_t ext = open_len(w, 2);
    size_t list = open_len(w, 2);
    for (size_t i = 0; i < n; i++)
        put_u16(w, v[i]);
    if (!close_len(w, list, 2) || !close_len(w, ext, 2))
        w->overflow = true;
}

static void ext_empty(writer_t *w, uint16_t type)
{
    put_u16(w, type);
    put_u16(w, 0);
}

static int write_extensions(writer_t *w, const wire_hello_opts_t *o, char *err, size_t errlen)
{
    if (o->sni) {
        size_t n = strlen(o->sni);
        if (n == 0 || n > 255)
            return fail(err, errlen, "server name empty or longer than 255 bytes");
        put_u16(w, WIRE_EXT_SERVER_NAME);
        put_u16(w, n + 5);
        put_u16(w, n + 3);
        put_u8(w, 0); /* host_name */
        put_u16(w, n);
        put_bytes(w, o->sni, n);
    }
    if (o->renegotiation_info) {
        put_u16(w, WIRE_EXT_RENEGOTIATION_INFO);
        put_u16(w, 1);
        put_u8(w, 0);
    }
    if (o->ngroups)
        ext_u16_list(w, WIRE_EXT_SUPPORTED_GROUPS, o->groups, o->ngroups);
    if (o->ec_point_formats) {
        put_u16(w, WIRE_EXT_EC_POINT_FORMATS);
        put_u16(w, 2);
        put_u8(w, 1);
        put_u8(w, 0); /* uncompressed */
    }
    if (o->session_ticket)
        ext_empty(w, WIRE_EXT_SESSION_TICKET);
    if (o->nalpn) {
        put_u16(w, WIRE_EXT_ALPN);
        size_t ext = open_len(w, 2);
        size_t list = open_len(w, 2);
        for (size_t i = 0; i < o->nalpn; i++) {
            size_t n = o->alpn[i] ? strlen(o->alpn[i]) : 0;
            if (n == 0 || n > 255)
                return fail(err, errlen, "ALPN protocol name empty or longer than 255 bytes");
            put_u8(w, n);
            put_bytes(w, o->alpn[i], n);
        }
        if (!close_len(w, list, 2) || !close_len(w, ext, 2))
            w->overflow = true;
    }
    if (o->encrypt_then_mac)
        ext_empty(w, WIRE_EXT_ENCRYPT_THEN_MAC);
    if (o->extended_master_secret)
        ext_empty(w, WIRE_EXT_EXTENDED_MASTER_SECRET);
    if (o->status_request) {
        put_u16(w, WIRE_EXT_STATUS_REQUEST);
        put_u16(w, 5);
        put_u8(w, 1);  /* ocsp */
        put_u16(w, 0); /* no responder ids */
        put_u16(w, 0); /* no request extensions */
    }
    if (o->nsigalgs)
        ext_u16_list(w, WIRE_EXT_SIGNATURE_ALGORITHMS, o->sigalgs, o->nsigalgs);
    if (o->nversions) {
        if (o->nversions > 127)
            return fail(err, errlen, "too many supported_versions");
        put_u16(w, WIRE_EXT_SUPPORTED_VERSIONS);
        put_u16(w, 1 + 2 * o->nversions);
        put_u8(w, 2 * o->nversions);
        for (size_t i = 0; i < o->nversions; i++)
            put_u16(w, o->versions[i]);
    }
    if (o->psk_key_exchange_modes) {
        put_u16(w, WIRE_EXT_PSK_KEY_EXCHANGE_MODES);
        put_u16(w, 2);
        put_u8(w, 1);
        put_u8(w, 1); /* psk_dhe_ke */
    }
    if (o->nkey_shares || o->key_share_empty) {
        put_u16(w, WIRE_EXT_KEY_SHARE);
        size_t ext = open_len(w, 2);
        size_t list = open_len(w, 2);
        for (size_t i = 0; i < o->nkey_shares; i++) {
            const wire_key_share_t *ks = &o->key_shares[i];
            uint8_t key[KEY_SHARE_MAX];
            const uint8_t *k = ks->key;
            size_t klen = ks->key_len;
            if (!k) {
                if (generate_key_share(ks->group, key, &klen) != 0) {
                    char why[96];
                    snprintf(why, sizeof why, "cannot generate a key share for group 0x%04x",
                             ks->group);
                    return fail(err, errlen, why);
                }
                k = key;
            }
            if (klen == 0 || klen > 0xFFFF)
                return fail(err, errlen, "key share empty or too long");
            put_u16(w, ks->group);
            put_u16(w, klen);
            put_bytes(w, k, klen);
        }
        if (!close_len(w, list, 2) || !close_len(w, ext, 2))
            w->overflow = true;
    }
    for (size_t i = 0; i < o->nextra_extensions; i++) {
        const wire_extension_t *x = &o->extra_extensions[i];
        if (x->len > 0xFFFF)
            return fail(err, errlen, "extension too long");
        put_u16(w, x->type);
        put_u16(w, x->len);
        put_bytes(w, x->data, x->len);
    }
    return 0;
}

/* --------------------------------------------------------------------------------------------
 * ClientHello */

/* RFC 7685 section 4 as clients apply it: lengths 256..511 become 512. */
static void add_padding(writer_t *w)
{
    size_t msg_len = w->len; /* the handshake message starts the buffer */
    if (msg_len < 256 || msg_len >= 512)
        return;
    size_t pad = 512 - msg_len;
    pad = pad >= 5 ? pad - 4 : 1;
    put_u16(w, WIRE_EXT_PADDING);
    put_u16(w, pad);
    for (size_t i = 0; i < pad; i++)
        put_u8(w, 0);
}

int wire_build_client_hello(const wire_hello_opts_t *o, uint8_t *out, size_t cap,
                            size_t *out_len, char *err, size_t errlen)
{
    uint8_t msg[WIRE_HELLO_MAX];
    writer_t w = { .p = msg, .cap = sizeof msg };

    if (o->session_id_len > WIRE_MAX_SESSION_ID)
        return fail(err, errlen, "session id longer than 32 bytes");
    if (o->nsuites == 0)
        return fail(err, errlen, "no cipher suites to offer");

    put_u8(&w, WIRE_HS_CLIENT_HELLO);
    size_t hs_len = open_len(&w, 3);
    put_u16(&w, o->client_version);

    uint8_t random[WIRE_RANDOM_LEN];
    if (o->random)
        memcpy(random, o->random, sizeof random);
    else if (RAND_bytes(random, sizeof random) != 1)
        return fail(err, errlen, "no randomness for the hello random");
    put_bytes(&w, random, sizeof random);

    uint8_t sid[WIRE_MAX_SESSION_ID];
    if (o->session_id)
        memcpy(sid, o->session_id, o->session_id_len);
    else if (o->session_id_len && RAND_bytes(sid, (int)o->session_id_len) != 1)
        return fail(err, errlen, "no randomness for the session id");
    put_u8(&w, o->session_id_len);
    put_bytes(&w, sid, o->session_id_len);

    size_t suites = open_len(&w, 2);
    for (size_t i = 0; i < o->nsuites; i++)
        put_u16(&w, o->suites[i]);
    if (!close_len(&w, suites, 2))
        return fail(err, errlen, "too many cipher suites");
    put_u8(&w, 1); /* compression methods: null only */
    put_u8(&w, 0);

    if (!o->no_extensions) {
        size_t exts = open_len(&w, 2);
        if (write_extensions(&w, o, err, errlen) != 0)
            return -1;
        if (o->padding)
            add_padding(&w);
        if (!close_len(&w, exts, 2))
            return fail(err, errlen, "extensions too long");
    }
    if (!close_len(&w, hs_len, 3) || w.overflow)
        return fail(err, errlen, "ClientHello too long");

    /* The message is bounded by WIRE_HELLO_MAX, so it always fits one record. */
    uint16_t record_version = o->record_version;
    if (!record_version)
        record_version = o->client_version < WIRE_TLS10 ? o->client_version : WIRE_TLS10;
    writer_t r = { .p = out, .cap = cap };
    put_u8(&r, WIRE_CT_HANDSHAKE);
    put_u16(&r, record_version);
    put_u16(&r, w.len);
    put_bytes(&r, msg, w.len);
    if (r.overflow)
        return fail(err, errlen, "output buffer too small for the ClientHello");
    *out_len = r.len;
    return 0;
}

int wire_build_sslv2_hello(const wire_sslv2_hello_opts_t *o, uint8_t *out, size_t cap,
                           size_t *out_len, char *err, size_t errlen)
{
    uint8_t challenge[32];
    size_t challenge_len = o->challenge ? o->challenge_len : 16;
    if (challenge_len < 16 || challenge_len > 32)
        return fail(err, errlen, "SSLv2 challenge must be 16 to 32 bytes");
    if (o->challenge)
        memcpy(challenge, o->challenge, challenge_len);
    else if (RAND_bytes(challenge, (int)challenge_len) != 1)
        return fail(err, errlen, "no randomness for the SSLv2 challenge");
    size_t specs = 3 * (o->nkinds + o->ntls_suites);
    if (specs == 0)
        return fail(err, errlen, "no cipher kinds to offer");
    size_t body = 9 + specs + challenge_len;
    /* A 2-byte header carries at most 0x7FFF bytes. */
    if (body > 0x7FFF)
        return fail(err, errlen, "SSLv2 CLIENT-HELLO too long");

    writer_t w = { .p = out, .cap = cap };
    put_u16(&w, 0x8000 | body);
    put_u8(&w, WIRE_SSL2_MT_CLIENT_HELLO);
    put_u16(&w, o->version);
    put_u16(&w, specs);
    put_u16(&w, 0); /* no session id */
    put_u16(&w, challenge_len);
    for (size_t i = 0; i < o->nkinds; i++)
        put_u24(&w, o->kinds[i] & 0xFFFFFF);
    for (size_t i = 0; i < o->ntls_suites; i++)
        put_u24(&w, o->tls_suites[i]);
    put_bytes(&w, challenge, challenge_len);
    if (w.overflow)
        return fail(err, errlen, "output buffer too small for the SSLv2 CLIENT-HELLO");
    *out_len = w.len;
    return 0;
}
