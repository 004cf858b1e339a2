/* ECH after the first answer (src/ech/ech_hello.c ech_build_hello2, src/ech/ech_retry.c): the
 * second hello after a HelloRetryRequest (same randoms and session id, cookie echoed, enc empty,
 * payload sealed at the next HPKE sequence number, acceptance over message_hash || HRR || CH2 ||
 * SH), and retry_configs read from an EncryptedExtensions record that this test encrypts as a
 * server would, with the key schedule computed by OpenSSL's own TLS13-KDF (not the code under
 * test's HKDF-Expand-Label) for both kept groups and the SHA-384 and ChaCha20 suites; then the
 * failures: a forged tag, a group whose key was not kept, malformed plaintexts. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>

#include "ech_hello.h"
#include "hello_profile.h"
#include "hpke.h"

#include "unit_check.h"

static const char *PUBLIC = "public.lab.test", *SECRET = "secret.lab.test";

/* One ECHConfig (version 0xfe0d, HKDF-SHA256/AES-128-GCM, maximum_name_length 32) in wire form. */
static size_t put_config(uint8_t *b, uint8_t id, const uint8_t *key, size_t key_len, const char *name)
{
    size_t n = 0, nl = strlen(name);
    b[n++] = 0xfe, b[n++] = 0x0d, n += 2;
    b[n++] = id, b[n++] = 0, b[n++] = 0x20;
    b[n++] = (uint8_t)(key_len >> 8), b[n++] = (uint8_t)key_len;
    memcpy(b + n, key, key_len);
    n += key_len;
    b[n++] = 0, b[n++] = 4, b[n++] = 0, b[n++] = 1, b[n++] = 0, b[n++] = 1, b[n++] = 32, b[n++] = (uint8_t)nl;
    memcpy(b + n, name, nl);
    n += nl;
    b[n++] = 0, b[n++] = 0;
    b[2] = (uint8_t)((n - 4) >> 8), b[3] = (uint8_t)(n - 4);
    return n;
}

static size_t put_list(uint8_t *b, const uint8_t *config, size_t len)
{
    b[0] = (uint8_t)(len >> 8), b[1] = (uint8_t)len;
    memcpy(b + 2, config, len);
    return len + 2;
}

/* A TLS 1.3 ServerHello (or, with hrr, a HelloRetryRequest with a cookie and the ECH
 * extension's 8 bytes at *conf) for suite; share: the server's key share for group. */
static size_t server_hello(uint8_t *m, uint16_t suite, uint16_t group, const uint8_t *share, size_t share_len,
                           bool hrr, size_t *conf)
{
    static const uint8_t hrr_random[32] = { 0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                            0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                            0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C };
    size_t n = 4;
    m[n++] = 3, m[n++] = 3;
    for (int i = 0; i < 32; i++)
        m[n++] = hrr ? hrr_random[i] : (uint8_t)(i * 5 + 3);
    m[n++] = 32;
    memset(m + n, 0x55, 32);
    n += 32;
    m[n++] = (uint8_t)(suite >> 8), m[n++] = (uint8_t)suite, m[n++] = 0;
    size_t ext_at = n;
    n += 2;
    m[n++] = 0, m[n++] = 43, m[n++] = 0, m[n++] = 2, m[n++] = 3, m[n++] = 4;
    m[n++] = 0, m[n++] = 51;
    if (hrr) {
        m[n++] = 0, m[n++] = 2, m[n++] = (uint8_t)(group >> 8), m[n++] = (uint8_t)group;
        m[n++] = 0, m[n++] = 44, m[n++] = 0, m[n++] = 6, m[n++] = 0, m[n++] = 4;
        memcpy(m + n, "CKIE", 4), n += 4;
        m[n++] = 0xfe, m[n++] = 0x0d, m[n++] = 0, m[n++] = 8;
        *conf = n;
        memset(m + n, 0, 8), n += 8;
    } else {
        m[n++] = (uint8_t)((4 + share_len) >> 8), m[n++] = (uint8_t)(4 + share_len);
        m[n++] = (uint8_t)(group >> 8), m[n++] = (uint8_t)group;
        m[n++] = (uint8_t)(share_len >> 8), m[n++] = (uint8_t)share_len;
        memcpy(m + n, share, share_len), n += share_len;
    }
    m[ext_at] = (uint8_t)((n - ext_at - 2) >> 8), m[ext_at + 1] = (uint8_t)(n - ext_at - 2);
    m[0] = 2, m[1] = 0, m[2] = (uint8_t)((n - 4) >> 8), m[3] = (uint8_t)(n - 4);
    return n;
}

/* ---- the server's side, from OpenSSL's TLS13-KDF */

static int tls13_kdf(int mode, const char *md, const uint8_t *key, size_t key_len, const uint8_t *salt,
                     size_t salt_len, const char *label, const uint8_t *data, size_t data_len, uint8_t *out,
                     size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
    EVP_KDF_CTX *c = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM p[8], *q = p;
    *q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
    if (key)
        *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt)
        *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, (void *)"tls13 ", 6);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label));
    if (data)
        *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA, (void *)data, data_len);
    *q = OSSL_PARAM_construct_end();
    int ok = c && EVP_KDF_derive(c, out, out_len, p) == 1;
    EVP_KDF_CTX_free(c);
    EVP_KDF_free(kdf);
    return ok;
}

typedef struct srv_suite {
    uint16_t cipher;
    const char *md, *aead;
    size_t hlen, key_len;
} srv_suite_t;

/* The EncryptedExtensions record: plaintext pt, then content type 22 and 3 zeros, sealed under
 * the server handshake traffic key of transcript (ClientHelloOuter || ServerHello). */
static size_t seal_ee(const srv_suite_t *s, const uint8_t *ecdhe, const uint8_t *t, size_t tlen, const uint8_t *pt,
                      size_t pt_len, uint8_t *rec)
{
    uint8_t early[64], hs[64], th[64], shs[64], key[32], iv[12], inner[600];
    unsigned dl;
    EVP_MD *md = EVP_MD_fetch(NULL, s->md, NULL);
    EVP_Digest(t, tlen, th, &dl, md, NULL);
    EVP_MD_free(md);
    int ok = tls13_kdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, s->md, NULL, 0, NULL, 0, "derived", NULL, 0, early, s->hlen) &&
             tls13_kdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, s->md, ecdhe, 32, early, s->hlen, "derived", NULL, 0, hs,
                       s->hlen) &&
             tls13_kdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, s->md, hs, s->hlen, NULL, 0, "s hs traffic", th, s->hlen, shs,
                       s->hlen) &&
             tls13_kdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, s->md, shs, s->hlen, NULL, 0, "key", NULL, 0, key, s->key_len) &&
             tls13_kdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, s->md, shs, s->hlen, NULL, 0, "iv", NULL, 0, iv, 12);
    if (!ok)
        return 0;
    memcpy(inner, pt, pt_len);
    inner[pt_len] = 22, memset(inner + pt_len + 1, 0, 3);
    size_t n = pt_len + 4;
    rec[0] = 23, rec[1] = 3, rec[2] = 3, rec[3] = (uint8_t)((n + 16) >> 8), rec[4] = (uint8_t)(n + 16);
    EVP_CIPHER *ci = EVP_CIPHER_fetch(NULL, s->aead, NULL);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l = 0;
    ok = EVP_EncryptInit_ex2(c, ci, key, iv, NULL) == 1 && EVP_EncryptUpdate(c, NULL, &l, rec, 5) == 1 &&
         EVP_EncryptUpdate(c, rec + 5, &l, inner, (int)n) == 1 && EVP_EncryptFinal_ex(c, rec + 5 + l, &l) == 1 &&
         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, rec + 5 + n) == 1;
    EVP_CIPHER_CTX_free(c);
    EVP_CIPHER_free(ci);
    return ok ? 5 + n + 16 : 0;
}

/* EncryptedExtensions with one extension (type, data) or none (type 0). */
static size_t put_ee(uint8_t *b, uint16_t type, const uint8_t *data, size_t len)
{
    size_t exts = type ? 4 + len : 0, n = 0;
    b[n++] = 8, b[n++] = 0, b[n++] = (uint8_t)((2 + exts) >> 8), b[n++] = (uint8_t)(2 + exts);
    b[n++] = (uint8_t)(exts >> 8), b[n++] = (uint8_t)exts;
    if (type) {
        b[n++] = (uint8_t)(type >> 8), b[n++] = (uint8_t)type, b[n++] = (uint8_t)(len >> 8), b[n++] = (uint8_t)len;
        memcpy(b + n, data, len), n += len;
    }
    return n;
}

static void test_retry(const ech_hello_t *h, const ech_key_share_t *keys)
{
    static const srv_suite_t suites[] = {
        { 0x1302, "SHA384", "AES-256-GCM", 48, 32 },
        { 0x1303, "SHA256", "ChaCha20-Poly1305", 32, 32 },
        { 0x1301, "SHA256", "AES-128-GCM", 32, 16 },
    };
    static const uint16_t groups[] = { 23, 29, 23 };
    uint8_t cfg[200], list[210], ee[300], rec[400], sh[300], t[WIRE_HELLO_MAX + 400], ecdhe[32];
    uint8_t other_pk[32] = { 9 };
    size_t ll = put_list(list, cfg, put_config(cfg, 0x2b, other_pk, 32, "retry.lab.test"));
    size_t outer_len = h->record_len - WIRE_RECORD_HEADER, conf;
    memcpy(t, h->record + WIRE_RECORD_HEADER, outer_len);
    for (size_t i = 0; i < 3; i++) {
        ech_key_share_t srv;
        const ech_key_share_t *mine = groups[i] == 23 ? &keys[1] : &keys[0];
        ech_key_share_new(groups[i], &srv);
        size_t shn = server_hello(sh, suites[i].cipher, groups[i], srv.pk, srv.pk_len, false, &conf);
        hpke_dh_serialized(groups[i] == 23 ? HPKE_KEM_P256_SHA256 : HPKE_KEM_X25519_SHA256, srv.sk, 32, mine->pk,
                           mine->pk_len, ecdhe);
        memcpy(t + outer_len, sh, shn);
        size_t en = put_ee(ee, 0xfe0d, list, ll);
        size_t rn = seal_ee(&suites[i], ecdhe, t, outer_len + shn, ee, en, rec);
        ech_retry_t r;
        ech_retry_configs(h, sh, shn, keys, 2, rec, rn, &r);
        check(rn && r.status == ECH_RETRY_FOUND && r.nconfigs == 1 && r.configs[0].config_id == 0x2b &&
                  !strcmp(r.configs[0].public_name, "retry.lab.test") && r.configs[0].kem_id == 0x20 &&
                  r.configs[0].nsuites == 1 && r.configs[0].kdf_id[0] == 1 && r.configs[0].aead_id[0] == 1,
              "retry_configs decrypted", "group %u suite 0x%04x: %d %s", groups[i], suites[i].cipher, r.status, r.why);
        rec[rn - 1] ^= 1;
        ech_retry_configs(h, sh, shn, keys, 2, rec, rn, &r);
        check(r.status == ECH_RETRY_FAILED && strstr(r.why, "does not authenticate"), "forged tag", "%s", r.why);
        ech_retry_configs(h, sh, shn, groups[i] == 23 ? &keys[0] : &keys[1], 1, rec, rn, &r);
        check(r.status == ECH_RETRY_FAILED && strstr(r.why, "private key"), "no kept key for the group", "%s", r.why);
        ech_retry_configs(h, sh, shn, keys, 2, rec, rn - 20, &r);
        check(r.status == ECH_RETRY_FAILED && strstr(r.why, "not an encrypted record"), "short record", "%s", r.why);
        if (i == 0) { /* an EncryptedExtensions without the extension: none sent */
            rn = seal_ee(&suites[i], ecdhe, t, outer_len + shn, ee, put_ee(ee, 0, NULL, 0), rec);
            ech_retry_configs(h, sh, shn, keys, 2, rec, rn, &r);
            check(r.status == ECH_RETRY_NONE && strstr(r.why, "server sent none"), "no retry_configs", "%s", r.why);
        }
        ech_key_share_clear(&srv);
    }
}

static void test_plaintexts(void)
{
    uint8_t b[300], cfg[200], list[210];
    uint8_t pk[32] = { 7 };
    size_t ll = put_list(list, cfg, put_config(cfg, 0x11, pk, 32, "p.example"));
    ech_retry_t r;
    size_t n = put_ee(b, 0xfe0d, list, ll);
    b[n++] = 22, b[n++] = 0;
    ech_retry_from_plaintext(b, n, &r);
    check(r.status == ECH_RETRY_FOUND && r.configs[0].config_id == 0x11, "plaintext: padded EE", "%s", r.why);
    n = put_ee(b, 0xfe0d, list, ll - 1);
    b[n++] = 22;
    ech_retry_from_plaintext(b, n, &r);
    check(r.status == ECH_RETRY_FAILED && strstr(r.why, "retry_configs malformed"), "plaintext: a list cut short",
          "%s", r.why);
    n = put_ee(b, 0xfe0d, list, ll);
    b[n++] = 23;
    ech_retry_from_plaintext(b, n, &r);
    check(r.status == ECH_RETRY_FAILED, "plaintext: application data, not handshake", "%s", r.why);
    ech_retry_from_plaintext(b, 0, &r);
    check(r.status == ECH_RETRY_FAILED, "plaintext: empty", "%s", r.why);
    memset(b, 0, 40);
    ech_retry_from_plaintext(b, 40, &r);
    check(r.status == ECH_RETRY_FAILED, "plaintext: all zeros", "%s", r.why);
    n = put_ee(b, 0xfe0d, list, ll);
    b[0] = 11, b[n++] = 22;
    ech_retry_from_plaintext(b, n, &r);
    check(r.status == ECH_RETRY_FAILED && strstr(r.why, "not EncryptedExtensions"), "plaintext: a Certificate first",
          "%s", r.why);
    n = put_ee(b, 0x0010, (const uint8_t *)"\x00\x03\x02h2", 5);
    b[9] = 0x40, b[n++] = 22; /* the extension claims more than the message holds */
    ech_retry_from_plaintext(b, n, &r);
    check(r.status == ECH_RETRY_FAILED && strstr(r.why, "overruns"), "plaintext: an extension overruns", "%s", r.why);
    n = put_ee(b, 0xfe0d, list, ll);
    b[3] += 1, b[n++] = 22; /* EncryptedExtensions longer than the record */
    ech_retry_from_plaintext(b, n, &r);
    check(r.status == ECH_RETRY_FAILED && strstr(r.why, "lengths"), "plaintext: message longer than the record", "%s",
          r.why);
}

/* HKDF-Expand-Label(HKDF-Extract(0, random), label, hash(t), 8), by HMAC (RFC 5869). */
static void confirmation(const uint8_t *random, const char *label, const uint8_t *t, size_t tlen, uint8_t out[8])
{
    uint8_t zeros[32] = { 0 }, prk[32], th[32];
    unsigned l;
    HMAC(EVP_sha256(), zeros, 32, random, 32, prk, &l);
    EVP_Digest(t, tlen, th, &l, EVP_sha256(), NULL);
    tls13_kdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, "SHA256", prk, 32, NULL, 0, label, th, 32, out, 8);
}

static const uint8_t *ext_of(const uint8_t *body, size_t len, uint16_t type, size_t *xl)
{
    size_t p = 34;
    p += 1 + body[p];
    p += 2 + (body[p] << 8 | body[p + 1]);
    p += 1 + body[p];
    size_t end = p + 2 + (body[p] << 8 | body[p + 1]);
    for (p += 2; end == len && p + 4 <= end; p += 4 + ((size_t)body[p + 2] << 8 | body[p + 3]))
        if ((body[p] << 8 | body[p + 1]) == type)
            return *xl = (size_t)body[p + 2] << 8 | body[p + 3], body + p + 4;
    return NULL;
}

static void test_second_hello(const ech_pick_t *p, hello_profile_t *in, hello_profile_t *out, ech_hello_t *h,
                              const uint8_t *sk, const uint8_t *config, size_t config_len)
{
    static ech_hello_t h2;
    uint8_t hrr[200], t[2 * WIRE_HELLO_MAX + 400], c[8];
    size_t conf, hn = server_hello(hrr, 0x1301, 23, NULL, 0, true, &conf);
    unsigned dl;
    size_t tn = 4;
    t[0] = 254, t[1] = 0, t[2] = 0, t[3] = 32;
    EVP_Digest(h->inner, h->inner_len, t + 4, &dl, EVP_sha256(), NULL);
    tn += 32;
    memcpy(t + tn, hrr, hn);
    confirmation(h->inner_random, "hrr ech accept confirmation", t, tn + hn, c);
    memcpy(hrr + conf, c, 8);
    char why[300];
    check(ech_check_answer(h, hrr, hn, why, sizeof why) == ECH_ACCEPTED, "HRR confirmation", "%s", why);
    memcpy(t + tn, hrr, hn);
    tn += hn;

    wire_key_share_t share = { 23, NULL, 0 };
    in->opts.key_shares = out->opts.key_shares = &share;
    in->opts.nkey_shares = out->opts.nkey_shares = 1;
    int rc = ech_build_hello2(h, p, &in->opts, &out->opts, hrr, hn, &h2, why, sizeof why);
    check(rc == 0, "second hello: built", "%s", why);
    if (rc != 0)
        return;
    const uint8_t *b1 = h->record + 9, *b2 = h2.record + 9;
    size_t n2 = h2.record_len - 9, xl, cl, icl;
    check(!memcmp(b1 + 2, b2 + 2, 32) && !memcmp(h2.inner + 6, h->inner_random, 32) && !memcmp(b1 + 35, b2 + 35, 32),
          "second hello: the first's randoms and session id", "");
    const uint8_t *x = ext_of(b2, n2, 0xfe0d, &xl), *ck = ext_of(b2, n2, 44, &cl);
    const uint8_t *ick = ext_of(h2.inner + 4, h2.inner_len - 4, 44, &icl);
    check(ck && cl == 6 && !memcmp(ck + 2, "CKIE", 4) && ick && icl == 6 && !memcmp(ick + 2, "CKIE", 4),
          "second hello: the cookie echoed, inner and outer", "");
    check(x && x[0] == 0 && x[5] == 0x2a && x[6] == 0 && x[7] == 0 && xl == 10 + h2.payload_len,
          "second hello: same config id, enc empty", "");
    /* The recipient's context opens the first payload (seq 0), then the second (seq 1). */
    uint8_t info[300], pt[WIRE_HELLO_MAX];
    memcpy(info, "tls ech", 8), memcpy(info + 8, config, config_len);
    hpke_suite_t su = { 0x20, 1, 1 };
    hpke_ctx_t r;
    const uint8_t *x1 = ext_of(b1, h->record_len - 9, 0xfe0d, &xl);
    size_t ptn;
    int ok = x1 && hpke_setup_base_r(&su, x1 + 8, 32, sk, 32, info, 8 + config_len, &r) == HPKE_OK &&
             hpke_open(&r, h->aad, h->aad_len, h->record + 9 + h->payload_off, h->payload_len, pt, sizeof pt, &ptn) ==
                 HPKE_OK &&
             x &&
             hpke_open(&r, h2.aad, h2.aad_len, h2.record + 9 + h2.payload_off, h2.payload_len, pt, sizeof pt, &ptn) ==
                 HPKE_OK &&
             ptn == h2.encoded_len && !memcmp(pt, h2.inner + 4, 35 - 1);
    check(ok, "second hello: the payload opens with the same context at sequence number 1", "");
    hpke_ctx_clear(&r);

    /* The ServerHello to it decides, over message_hash(CH1) || HRR || CH2 || SH. */
    uint8_t sh[300], pk[65] = { 4 };
    size_t sn = server_hello(sh, 0x1301, 23, pk, 65, false, &conf);
    memcpy(t + tn, h2.inner, h2.inner_len);
    memset(sh + 4 + 2 + 24, 0, 8);
    memcpy(t + tn + h2.inner_len, sh, sn);
    confirmation(h->inner_random, "ech accept confirmation", t, tn + h2.inner_len + sn, c);
    memcpy(sh + 4 + 2 + 24, c, 8);
    ech_verdict_t v = ech_check_answer(&h2, sh, sn, why, sizeof why);
    check(v == ECH_ACCEPTED && strstr(why, "after the HelloRetryRequest"), "second ServerHello: accepted", "%s", why);
    sh[4 + 2 + 31] ^= 1;
    v = ech_check_answer(&h2, sh, sn, why, sizeof why);
    check(v == ECH_REJECTED && strstr(why, "second outer hello"), "second ServerHello: rejected", "%s", why);
    v = ech_check_answer(&h2, hrr, hn, why, sizeof why);
    check(v == ECH_UNDECIDED && strstr(why, "second HelloRetryRequest"), "a second HRR: undecided", "%s", why);
    ech_hello_free(&h2);
    rc = ech_build_hello2(h, p, &in->opts, &out->opts, hrr, 10, &h2, why, sizeof why);
    check(rc != 0, "second hello: a truncated HRR refused", "");
}

int main(void)
{
    static const uint8_t ikm[32] = "tlsprobe ech_retry unit test key";
    uint8_t sk[32], pk[65], config[200], list[210];
    size_t sk_len, pk_len;
    ech_pick_t p;
    char why[300];
    if (hpke_derive_key_pair(HPKE_KEM_X25519_SHA256, ikm, sizeof ikm, sk, &sk_len, pk, &pk_len) != HPKE_OK)
        return printf("not ok - derive key pair\n"), 1;
    size_t config_len = put_config(config, 0x2a, pk, pk_len, PUBLIC);
    if (ech_pick_config(list, put_list(list, config, config_len), &p, why, sizeof why) != ECH_PICK_OK)
        return printf("not ok - pick: %s\n", why), 1;
    static hello_profile_t in, out;
    static const uint16_t suites[] = { 0x1301, 0x1302, 0x1303 };
    hello_profile_init(&in, SECRET, WIRE_TLS13);
    hello_profile_init(&out, PUBLIC, WIRE_TLS13);
    hello_profile_set_suites(&in, suites, 3);
    hello_profile_set_suites(&out, suites, 3);
    ech_key_share_t keys[2];
    check(ech_key_share_new(24, &keys[0]) == 0 && keys[0].pk_len == 97 && keys[0].sk_len == 48 &&
              keys[0].pk[0] == 4 && ech_key_share_new(25, &keys[1]) == 0 && keys[1].pk_len == 133 &&
              keys[1].sk_len == 66 && ech_key_share_new(30, &keys[1]) != 0 && keys[1].group == 0,
          "key shares: secp384r1 and secp521r1 uncompressed, x448 refused", "");
    check(ech_key_share_new(29, &keys[0]) == 0 && keys[0].pk_len == 32 && ech_key_share_new(23, &keys[1]) == 0 &&
              keys[1].pk_len == 65 && keys[1].pk[0] == 4,
          "key shares: x25519 and secp256r1 kept", "");
    out.shares[0].key = keys[0].pk, out.shares[0].key_len = keys[0].pk_len;
    out.shares[1].key = keys[1].pk, out.shares[1].key_len = keys[1].pk_len;
    static ech_hello_t h;
    if (ech_build_hello(&p, &in.opts, &out.opts, &h, why, sizeof why) != 0)
        return printf("not ok - hello: %s\n", why), 1;
    check(memmem(h.record, h.record_len, keys[1].pk, 65) && memmem(h.record, h.record_len, keys[0].pk, 32),
          "outer hello: carries the kept key shares", "");
    test_retry(&h, keys);
    test_plaintexts();
    test_second_hello(&p, &in, &out, &h, sk, config, config_len);
    ech_hello_free(&h);
    ech_pick_free(&p);
    ech_key_share_clear(&keys[0]), ech_key_share_clear(&keys[1]);
    return failures ? 1 : 0;
}
