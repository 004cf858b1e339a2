/* Encrypted Client Hello, client side (src/ech/ech_hello.c): config choice, the outer hello's
 * ECH extension and AAD, the EncodedClientHelloInner's padding, the payload opened with the
 * recipient's key (hpke_setup_base_r) giving back the inner hello, the acceptance confirmation
 * of hand-made ServerHellos and HelloRetryRequests (computed here again with HMAC, RFC 5869's
 * definition of HKDF, rather than with the code under test), and GREASE ECH. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ech_hello.h"
#include "hello_profile.h"
#include "hpke.h"

#include "unit_check.h"


static const char *PUBLIC = "public.lab.test", *SECRET = "secret.lab.test";
static uint8_t sk[HPKE_MAX_SK], pk[HPKE_MAX_PK];
static size_t sk_len, pk_len;

/* One ECHConfig (version 0xfe0d) in wire form. */
static size_t put_config(uint8_t *b, uint8_t id, uint16_t kem, const uint8_t *key, size_t key_len, const char *name)
{
    size_t n = 0, nl = strlen(name);
    b[n++] = 0xfe, b[n++] = 0x0d;
    size_t len_at = n;
    n += 2;
    b[n++] = id;
    b[n++] = (uint8_t)(kem >> 8), b[n++] = (uint8_t)kem;
    b[n++] = (uint8_t)(key_len >> 8), b[n++] = (uint8_t)key_len;
    memcpy(b + n, key, key_len);
    n += key_len;
    b[n++] = 0, b[n++] = 4, b[n++] = 0, b[n++] = 1, b[n++] = 0, b[n++] = 1; /* (HKDF-SHA256, AES-128-GCM) */
    b[n++] = 32;                                                               /* maximum_name_length */
    b[n++] = (uint8_t)nl;
    memcpy(b + n, name, nl);
    n += nl;
    b[n++] = 0, b[n++] = 0; /* no extensions */
    b[len_at] = (uint8_t)((n - 4) >> 8), b[len_at + 1] = (uint8_t)(n - 4);
    return n;
}

static size_t put_list(uint8_t *b, const uint8_t *configs, size_t len)
{
    b[0] = (uint8_t)(len >> 8), b[1] = (uint8_t)len;
    memcpy(b + 2, configs, len);
    return len + 2;
}

/* The data of an extension in a ClientHello body (walked here independently of the code). */
static const uint8_t *hello_ext(const uint8_t *b, size_t len, uint16_t type, size_t *ext_len)
{
    size_t p = 34;
    p += 1 + b[p];
    p += 2 + (b[p] << 8 | b[p + 1]);
    p += 1 + b[p];
    size_t end = p + 2 + (b[p] << 8 | b[p + 1]);
    if (end != len)
        return NULL;
    for (p += 2; p + 4 <= end;) {
        size_t l = (size_t)b[p + 2] << 8 | b[p + 3];
        if ((b[p] << 8 | b[p + 1]) == type) {
            *ext_len = l;
            return b + p + 4;
        }
        p += 4 + l;
    }
    return NULL;
}

static void test_padding(void)
{
    check(ech_padding_len(100, 15, 32) == 28, "padding: SNI shorter than maximum_name_length", "%zu", ech_padding_len(100, 15, 32));
    check(ech_padding_len(100, 0, 32) == 60, "padding: no SNI (L + 9)", "%zu", ech_padding_len(100, 0, 32));
    check(ech_padding_len(96, 40, 32) == 0, "padding: SNI longer, already a multiple of 32", "%zu", ech_padding_len(96, 40, 32));
    check(ech_padding_len(97, 40, 0) == 31, "padding: to the next multiple of 32", "%zu", ech_padding_len(97, 40, 0));
}

static void test_pick(const uint8_t *good, size_t good_len)
{
    uint8_t cfgs[512], list[520];
    ech_pick_t p;
    char why[300];
    /* An unsupported KEM first: skipped, the second used. */
    size_t n = put_config(cfgs, 7, 0x0012, pk, pk_len, PUBLIC);
    memcpy(cfgs + n, good, good_len);
    size_t l = put_list(list, cfgs, n + good_len);
    ech_pick_status_t st = ech_pick_config(list, l, &p, why, sizeof why);
    check(st == ECH_PICK_OK && p.config_id == 0x2a && p.kem_id == 0x0020 && p.kdf_id == 1 && p.aead_id == 1 &&
              p.maximum_name_length == 32 && strcmp(p.public_name, PUBLIC) == 0 && p.config_len == good_len &&
              memcmp(p.config, good, good_len) == 0,
          "pick: the first usable config", "st %d id %u why %s", st, p.config_id, why);
    ech_pick_free(&p);
    l = put_list(list, cfgs, n);
    st = ech_pick_config(list, l, &p, why, sizeof why);
    check(st == ECH_PICK_NONE && strstr(why, "unsupported KEM 0x0012"), "pick: none usable, with the reason", "%d %s", st, why);
    n = put_config(cfgs, 8, 0x0020, pk, pk_len, "192.0.2.1");
    l = put_list(list, cfgs, n);
    st = ech_pick_config(list, l, &p, why, sizeof why);
    check(st == ECH_PICK_NONE && strstr(why, "public_name"), "pick: invalid public_name skipped", "%d %s", st, why);
    list[1] ^= 1;
    st = ech_pick_config(list, l, &p, why, sizeof why);
    check(st == ECH_PICK_MALFORMED, "pick: malformed list", "%d %s", st, why);

    /* The same list as wire bytes and as base64 text; garbage neither. */
    l = put_list(list, good, good_len);
    uint8_t *out;
    size_t out_len;
    bool ok = ech_list_decode(list, l, &out, &out_len, why, sizeof why);
    check(ok && out_len == l && memcmp(out, list, l) == 0, "decode: wire form", "%s", why);
    free(out);
    char b64[1024];
    EVP_EncodeBlock((unsigned char *)b64, list, (int)l);
    strcat(b64, "\n");
    ok = ech_list_decode((const uint8_t *)b64, strlen(b64), &out, &out_len, why, sizeof why);
    check(ok && out_len == l && memcmp(out, list, l) == 0, "decode: base64 with a newline", "%s", why);
    free(out);
    ok = ech_list_decode((const uint8_t *)"not base64!", 11, &out, &out_len, why, sizeof why);
    check(!ok && out == NULL, "decode: garbage refused", "%s", why);
}

/* HKDF-Expand-Label(HKDF-Extract(0, random), label, hash(transcript), 8) from HMAC alone. */
static void confirmation_by_hmac(const EVP_MD *md, const uint8_t *random, const char *label, const uint8_t *t,
                                 size_t tlen, uint8_t out[8])
{
    uint8_t zeros[64] = { 0 }, prk[64], th[64], info[300], block[64];
    unsigned hl = (unsigned)EVP_MD_get_size(md), l;
    HMAC(md, zeros, (int)hl, random, 32, prk, &l);
    EVP_Digest(t, tlen, th, &l, md, NULL);
    size_t n = 0, ll = 6 + strlen(label);
    info[n++] = 0, info[n++] = 8, info[n++] = (uint8_t)ll;
    memcpy(info + n, "tls13 ", 6), memcpy(info + n + 6, label, ll - 6);
    n += ll;
    info[n++] = (uint8_t)hl;
    memcpy(info + n, th, hl);
    n += hl;
    info[n++] = 1;
    HMAC(md, prk, (int)hl, info, n, block, &l);
    memcpy(out, block, 8);
}

static const uint8_t hrr_random[32] = { 0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                        0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                        0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C };

/* A ServerHello (hrr: a HelloRetryRequest) message for suite; ech_len >= 0 adds an ECH
 * extension of that many zero bytes (HRR), tls13 false leaves out supported_versions. Returns
 * its length; *conf is the offset of the confirmation bytes. */
static size_t server_hello(uint8_t *m, uint16_t suite, bool hrr, int ech_len, bool tls13, size_t *conf)
{
    size_t n = 4;
    m[n++] = 3, m[n++] = 3;
    for (int i = 0; i < 32; i++)
        m[n++] = hrr ? hrr_random[i] : (uint8_t)(i * 7 + 1);
    if (!hrr)
        memset(m + n - 8, 0, 8), *conf = n - 8;
    m[n++] = 32;
    memset(m + n, 0x55, 32);
    n += 32;
    m[n++] = (uint8_t)(suite >> 8), m[n++] = (uint8_t)suite, m[n++] = 0;
    size_t ext_at = n;
    n += 2;
    if (tls13) {
        m[n++] = 0, m[n++] = 43, m[n++] = 0, m[n++] = 2, m[n++] = 3, m[n++] = 4;
        m[n++] = 0, m[n++] = 51;
        if (hrr) {
            m[n++] = 0, m[n++] = 2, m[n++] = 0, m[n++] = 23;
        } else {
            m[n++] = 0, m[n++] = 36, m[n++] = 0, m[n++] = 29, m[n++] = 0, m[n++] = 32;
            memset(m + n, 9, 32);
            n += 32;
        }
    }
    if (ech_len >= 0) {
        m[n++] = 0xfe, m[n++] = 0x0d, m[n++] = 0, m[n++] = (uint8_t)ech_len;
        *conf = n;
        memset(m + n, 0, (size_t)ech_len);
        n += (size_t)ech_len;
    }
    m[ext_at] = (uint8_t)((n - ext_at - 2) >> 8), m[ext_at + 1] = (uint8_t)(n - ext_at - 2);
    m[0] = 2, m[1] = 0, m[2] = (uint8_t)((n - 4) >> 8), m[3] = (uint8_t)(n - 4);
    return n;
}

static void test_acceptance(const ech_hello_t *h)
{
    uint8_t m[400], t[WIRE_HELLO_MAX + 600], c[8];
    size_t conf = 0;
    char why[300];
    struct { uint16_t suite; const EVP_MD *md; const char *name; } suites[] = {
        { 0x1301, EVP_sha256(), "accept: TLS_AES_128_GCM_SHA256" },
        { 0x1302, EVP_sha384(), "accept: TLS_AES_256_GCM_SHA384" },
    };
    for (size_t i = 0; i < 2; i++) {
        size_t n = server_hello(m, suites[i].suite, false, -1, true, &conf);
        memcpy(t, h->inner, h->inner_len);
        memcpy(t + h->inner_len, m, n);
        confirmation_by_hmac(suites[i].md, h->inner_random, "ech accept confirmation", t, h->inner_len + n, c);
        memcpy(m + conf, c, 8);
        ech_verdict_t v = ech_check_answer(h, m, n, why, sizeof why);
        check(v == ECH_ACCEPTED, suites[i].name, "%d %s", v, why);
        m[conf + 7] ^= 1;
        v = ech_check_answer(h, m, n, why, sizeof why);
        check(v == ECH_REJECTED, "reject: one confirmation bit wrong", "%d %s", v, why);
        v = ech_check_answer(h, m, n - 1, why, sizeof why);
        check(v == ECH_UNDECIDED, "undecided: truncated ServerHello", "%d %s", v, why);
    }
    size_t n = server_hello(m, 0xc02f, false, -1, false, &conf);
    ech_verdict_t v = ech_check_answer(h, m, n, why, sizeof why);
    check(v == ECH_REJECTED && strstr(why, "TLS 1.3"), "reject: a TLS 1.2 ServerHello", "%d %s", v, why);

    /* HRR: the transcript starts with message_hash(ClientHelloInner) (RFC 8446 4.4.1). */
    n = server_hello(m, 0x1301, true, 8, true, &conf);
    size_t tn = 0;
    unsigned dl;
    t[tn++] = 254, t[tn++] = 0, t[tn++] = 0, t[tn++] = 32;
    EVP_Digest(h->inner, h->inner_len, t + tn, &dl, EVP_sha256(), NULL);
    tn += 32;
    memcpy(t + tn, m, n);
    confirmation_by_hmac(EVP_sha256(), h->inner_random, "hrr ech accept confirmation", t, tn + n, c);
    memcpy(m + conf, c, 8);
    v = ech_check_answer(h, m, n, why, sizeof why);
    check(v == ECH_ACCEPTED, "accept: HelloRetryRequest confirmation", "%d %s", v, why);
    m[conf] ^= 0x80;
    v = ech_check_answer(h, m, n, why, sizeof why);
    check(v == ECH_REJECTED, "reject: HelloRetryRequest confirmation wrong", "%d %s", v, why);
    n = server_hello(m, 0x1301, true, -1, true, &conf);
    v = ech_check_answer(h, m, n, why, sizeof why);
    check(v == ECH_REJECTED, "reject: HelloRetryRequest without the ECH extension", "%d %s", v, why);
    n = server_hello(m, 0x1301, true, 7, true, &conf);
    v = ech_check_answer(h, m, n, why, sizeof why);
    check(v == ECH_UNDECIDED && strstr(why, "decode_error"), "undecided: HRR ECH extension of 7 bytes", "%d %s", v, why);
}

static void test_hello(const uint8_t *config, size_t config_len)
{
    uint8_t list[600];
    size_t l = put_list(list, config, config_len);
    ech_pick_t p;
    char why[300];
    if (ech_pick_config(list, l, &p, why, sizeof why) != ECH_PICK_OK) {
        check(0, "hello: config", "%s", why);
        return;
    }
    static hello_profile_t in, out;
    hello_profile_init(&in, SECRET, WIRE_TLS13);
    hello_profile_init(&out, PUBLIC, WIRE_TLS13);
    static const uint16_t suites[] = { 0x1301, 0x1302, 0x1303 };
    hello_profile_set_suites(&in, suites, 3);
    hello_profile_set_suites(&out, suites, 3);
    static ech_hello_t h;
    int rc = ech_build_hello(&p, &in.opts, &out.opts, &h, why, sizeof why);
    check(rc == 0, "hello: built", "%s", why);
    if (rc != 0)
        return;
    const uint8_t *rec = h.record, *body = rec + 9;
    size_t body_len = h.record_len - 9;
    check(rec[0] == 22 && (size_t)(rec[3] << 8 | rec[4]) == h.record_len - 5 && rec[5] == 1 &&
              ((size_t)rec[6] << 16 | (size_t)rec[7] << 8 | rec[8]) == body_len,
          "hello: one handshake record", "len %zu", h.record_len);
    check(memmem(rec, h.record_len, PUBLIC, strlen(PUBLIC)) && !memmem(rec, h.record_len, SECRET, strlen(SECRET)),
          "hello: the outer names only the public name", "");
    check(memmem(h.inner, h.inner_len, SECRET, strlen(SECRET)) != NULL, "hello: the inner names the real server", "");
    check(body[34] == 32 && h.inner[4 + 34] == 32 && memcmp(body + 35, h.inner + 4 + 35, 32) == 0,
          "hello: inner and outer share legacy_session_id", "");
    check(memcmp(body + 2, h.inner_random, 32) != 0 && memcmp(h.inner + 6, h.inner_random, 32) == 0,
          "hello: the outer random is its own", "");

    size_t xl;
    const uint8_t *x = hello_ext(body, body_len, 0xfe0d, &xl);
    check(x != NULL, "outer: has the ECH extension", "");
    if (!x)
        return;
    size_t enc_len = (size_t)x[6] << 8 | x[7], pl = (size_t)x[8 + enc_len] << 8 | x[9 + enc_len];
    const uint8_t *enc = x + 8, *payload = x + 10 + enc_len;
    check(x[0] == 0 && (x[1] << 8 | x[2]) == 1 && (x[3] << 8 | x[4]) == 1 && x[5] == 0x2a && enc_len == 32 &&
              10 + enc_len + pl == xl && pl == h.payload_len,
          "outer: ECHClientHello fields (outer, suite, config_id, enc, payload)", "xl %zu enc %zu pl %zu", xl, enc_len, pl);
    /* AAD: the outer ClientHello with exactly the payload zeroed. */
    uint8_t *aad = malloc(body_len);
    memcpy(aad, body, body_len);
    memset(aad + (payload - body), 0, pl);
    check(h.aad_len == body_len && memcmp(aad, h.aad, body_len) == 0 && (size_t)(payload - body) == h.payload_off,
          "outer: AAD is the outer hello with the payload zeroed", "");

    /* The inner hello: its ECH extension is inner(1); the encoded form is padded to 32. */
    size_t il;
    const uint8_t *ix = hello_ext(h.inner + 4, h.inner_len - 4, 0xfe0d, &il);
    check(ix && il == 1 && ix[0] == 1, "inner: ECH extension type inner", "");
    size_t enc_body = h.inner_len - 4 - 32;
    size_t L = 32 - strlen(SECRET);
    check(h.encoded_len % 32 == 0 && h.encoded_len == enc_body + h.padding_len && h.padding_len >= L &&
              h.padding_len < L + 32 && h.payload_len == h.encoded_len + 16,
          "inner: padded to maximum_name_length, then to a multiple of 32", "encoded %zu padding %zu", h.encoded_len,
          h.padding_len);

    /* The recipient opens the payload and finds EncodedClientHelloInner. */
    uint8_t info[600];
    memcpy(info, "tls ech", 8);
    memcpy(info + 8, config, config_len);
    hpke_suite_t s = { HPKE_KEM_X25519_SHA256, HPKE_KDF_HKDF_SHA256, HPKE_AEAD_AES_128_GCM };
    hpke_ctx_t ctx;
    int hr = hpke_setup_base_r(&s, enc, enc_len, sk, sk_len, info, 8 + config_len, &ctx);
    uint8_t *pt = malloc(pl);
    size_t pt_len = 0;
    if (hr == HPKE_OK)
        hr = hpke_open(&ctx, aad, body_len, payload, pl, pt, pl, &pt_len);
    bool same = hr == HPKE_OK && pt_len == h.encoded_len && pt[34] == 0 && memcmp(pt, h.inner + 4, 34) == 0 &&
                memcmp(pt + 35, h.inner + 4 + 35 + 32, enc_body - 35) == 0;
    for (size_t i = enc_body; same && i < pt_len; i++)
        same = pt[i] == 0;
    check(same, "open: payload is EncodedClientHelloInner (empty session id, zero padding)", "hpke %d len %zu", hr,
          pt_len);
    hpke_ctx_clear(&ctx);
    /* A payload opened against another AAD does not authenticate. */
    aad[0] ^= 1;
    hpke_setup_base_r(&s, enc, enc_len, sk, sk_len, info, 8 + config_len, &ctx);
    hr = hpke_open(&ctx, aad, body_len, payload, pl, pt, pl, &pt_len);
    check(hr == HPKE_ERR_OPEN, "open: the AAD binds the outer hello", "%d", hr);
    hpke_ctx_clear(&ctx);
    free(pt), free(aad);

    test_acceptance(&h);
    ech_hello_free(&h);
    ech_pick_free(&p);
}

static void test_grease(void)
{
    static hello_profile_t g;
    hello_profile_init(&g, SECRET, WIRE_TLS13);
    static const uint16_t suites[] = { 0x1301 };
    hello_profile_set_suites(&g, suites, 1);
    static uint8_t rec[WIRE_HELLO_MAX + 5];
    size_t len = 0;
    char err[200] = "";
    int rc = ech_build_grease(&g.opts, rec, sizeof rec, &len, err, sizeof err);
    check(rc == 0, "grease: built", "%s", err);
    size_t xl;
    const uint8_t *x = rc == 0 ? hello_ext(rec + 9, len - 9, 0xfe0d, &xl) : NULL;
    check(x && memmem(rec, len, SECRET, strlen(SECRET)), "grease: real SNI and an ECH extension", "");
    if (!x)
        return;
    size_t enc_len = (size_t)x[6] << 8 | x[7], pl = (size_t)x[8 + enc_len] << 8 | x[9 + enc_len];
    check(x[0] == 0 && (x[1] << 8 | x[2]) == 1 && (x[3] << 8 | x[4]) == 1 && enc_len == 32 && 10 + 32 + pl == xl &&
              pl > 16 + 64 && (pl - 16) % 32 == 0,
          "grease: outer type, supported suite, X25519 enc, a padded payload", "enc %zu payload %zu", enc_len, pl);
}

int main(void)
{
    static const uint8_t ikm[32] = "tlsprobe ech_hello unit test key";
    if (hpke_derive_key_pair(HPKE_KEM_X25519_SHA256, ikm, sizeof ikm, sk, &sk_len, pk, &pk_len) != HPKE_OK) {
        printf("not ok - derive key pair\n");
        return 1;
    }
    uint8_t config[300];
    size_t config_len = put_config(config, 0x2a, 0x0020, pk, pk_len, PUBLIC);
    test_padding();
    test_pick(config, config_len);
    test_hello(config, config_len);
    test_grease();
    return failures ? 1 : 0;
}
