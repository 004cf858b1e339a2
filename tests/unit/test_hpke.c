/* HPKE (src/ech/hpke.c) against published vectors for every supported KEM/KDF/AEAD combination that
 * has them (tests/unit/data/README.md names the sources), plus round trips, the error paths and
 * two threads sharing nothing. A vector file that lacks a suite it is expected to hold fails. */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "hpke.h"

#include "unit_check.h"

static const char *argv0;

/* ---- helpers */

typedef struct buf {
    uint8_t b[1024];
    size_t n;
} buf_t;

static buf_t hex(const char *s)
{
    buf_t out = { .n = 0 };
    size_t len = s ? strlen(s) : 0;
    for (size_t i = 0; i + 1 < len && out.n < sizeof out.b; i += 2) {
        unsigned v;
        if (sscanf(s + i, "%2x", &v) != 1)
            break;
        out.b[out.n++] = (uint8_t)v;
    }
    return out;
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                                                           : NULL;
}

static int jint(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_int(v) : -1;
}

static int same(const uint8_t *a, size_t an, const char *want_hex)
{
    buf_t w = hex(want_hex);
    return want_hex && an == w.n && memcmp(a, w.b, an) == 0;
}

/* The data file: $TLSPROBE_TESTDATA, tests/unit/data from the source tree (make check runs
 * there), or relative to the binary (build/tests/ -> ../../tests/unit/data). */
static json_object *load(const char *name)
{
    char path[4096];
    const char *env = getenv("TLSPROBE_TESTDATA");
    if (env) {
        snprintf(path, sizeof path, "%.2000s/%s", env, name);
        return json_object_from_file(path);
    }
    snprintf(path, sizeof path, "tests/unit/data/%s", name);
    json_object *j = json_object_from_file(path);
    const char *slash = strrchr(argv0, '/');
    if (!j && slash) {
        snprintf(path, sizeof path, "%.*s/../../tests/unit/data/%s", (int)(slash - argv0), argv0, name);
        j = json_object_from_file(path);
    }
    return j;
}

static const char *suite_name(int kem, int kdf, int aead)
{
    static char s[64];
    snprintf(s, sizeof s, "kem 0x%04x kdf 0x%04x aead 0x%04x", kem, kdf, aead);
    return s;
}

/* ---- published vectors with every value (RFC 9180's test-vectors.json and Appendix A) */

typedef struct suite_count {
    hpke_suite_t s;
    int seen;
} suite_count_t;

static void count_suite(suite_count_t *want, size_t n, const hpke_suite_t *s)
{
    for (size_t i = 0; i < n; i++)
        if (!memcmp(&want[i].s, s, sizeof *s))
            want[i].seen++;
}

static void expect_suites(const char *file, const suite_count_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check(want[i].seen > 0, "vectors present", "%s has no base-mode vector for %s", file,
              suite_name(want[i].s.kem_id, want[i].s.kdf_id, want[i].s.aead_id));
}

/* Seals every encryption of the vector in order (filling gaps in "seq" with throwaway messages)
 * and opens each with a recipient context; returns how many matched. */
static int check_encryptions(json_object *v, hpke_ctx_t *s, hpke_ctx_t *r, const char *name)
{
    json_object *encs;
    int matched = 0, total = 0;
    if (!json_object_object_get_ex(v, "encryptions", &encs))
        return 0;
    for (size_t i = 0; i < json_object_array_length(encs); i++) {
        json_object *e = json_object_array_get_idx(encs, i);
        int seq = jint(e, "seq") >= 0 ? jint(e, "seq") : (int)i;
        buf_t aad = hex(jstr(e, "aad")), pt = hex(jstr(e, "pt")), ct = { .n = 0 }, back = { .n = 0 };
        uint8_t filler[HPKE_TAG_LEN];
        size_t fl;
        while (s->seq < (uint64_t)seq && hpke_seal(s, NULL, 0, NULL, 0, filler, sizeof filler, &fl) == HPKE_OK)
            (void)0;
        while (r->seq < (uint64_t)seq)
            r->seq++; /* the recipient skips the throwaway messages the same way */
        uint8_t nonce[HPKE_NONCE_LEN];
        memcpy(nonce, s->base_nonce, sizeof nonce);
        for (int b = 0; b < 8; b++)
            nonce[HPKE_NONCE_LEN - 1 - b] ^= (uint8_t)(s->seq >> (8 * b));
        int ok = same(nonce, sizeof nonce, jstr(e, "nonce")) &&
                 hpke_seal(s, aad.b, aad.n, pt.b, pt.n, ct.b, sizeof ct.b, &ct.n) == HPKE_OK &&
                 same(ct.b, ct.n, jstr(e, "ct")) &&
                 hpke_open(r, aad.b, aad.n, ct.b, ct.n, back.b, sizeof back.b, &back.n) == HPKE_OK &&
                 back.n == pt.n && memcmp(back.b, pt.b, pt.n) == 0;
        if (!ok && total - matched < 3)
            check(0, "encryption", "%s seq %d", name, seq);
        matched += ok;
        total++;
    }
    return matched == total ? matched : -1;
}

static int check_exports(json_object *v, const hpke_ctx_t *s)
{
    json_object *exps;
    int matched = 0;
    if (!json_object_object_get_ex(v, "exports", &exps))
        return 0;
    for (size_t i = 0; i < json_object_array_length(exps); i++) {
        json_object *e = json_object_array_get_idx(exps, i);
        buf_t c = hex(jstr(e, "exporter_context")), out = { .n = (size_t)jint(e, "L") };
        if (out.n > sizeof out.b || hpke_export(s, c.b, c.n, out.b, out.n) != HPKE_OK ||
            !same(out.b, out.n, jstr(e, "exported_value")))
            return -1;
        matched++;
    }
    return matched;
}

static void check_full_vector(json_object *v, const char *file)
{
    hpke_suite_t su = { (uint16_t)jint(v, "kem_id"), (uint16_t)jint(v, "kdf_id"), (uint16_t)jint(v, "aead_id") };
    char name[160];
    const char *label = jstr(v, "name");
    snprintf(name, sizeof name, "%s %s%s%s", file, suite_name(su.kem_id, su.kdf_id, su.aead_id), label ? " " : "",
             label ? label : "");
    buf_t ikmR = hex(jstr(v, "ikmR")), ikmE = hex(jstr(v, "ikmE")), info = hex(jstr(v, "info"));
    buf_t pkRm = hex(jstr(v, "pkRm")), skRm = hex(jstr(v, "skRm")), sk = { .n = 0 }, pk = { .n = 0 };
    buf_t skE = { .n = 0 }, pkE = { .n = 0 }, enc = { .n = 0 };
    hpke_ctx_t s, r;

    int rc = hpke_derive_key_pair(su.kem_id, ikmR.b, ikmR.n, sk.b, &sk.n, pk.b, &pk.n);
    check(rc == HPKE_OK && same(sk.b, sk.n, jstr(v, "skRm")) && same(pk.b, pk.n, jstr(v, "pkRm")),
          "DeriveKeyPair(ikmR)", "%s: %s", name, hpke_strerror(rc));
    rc = hpke_derive_key_pair(su.kem_id, ikmE.b, ikmE.n, skE.b, &skE.n, pkE.b, &pkE.n);
    check(rc == HPKE_OK && same(skE.b, skE.n, jstr(v, "skEm")) && same(pkE.b, pkE.n, jstr(v, "pkEm")),
          "DeriveKeyPair(ikmE)", "%s: %s", name, hpke_strerror(rc));

    rc = hpke_setup_base_s_derand(&su, pkRm.b, pkRm.n, info.b, info.n, ikmE.b, ikmE.n, enc.b, &enc.n, &s);
    check(rc == HPKE_OK && same(enc.b, enc.n, jstr(v, "enc")), "SetupBaseS enc", "%s: %s", name, hpke_strerror(rc));
    check(same(s.shared_secret, HPKE_SECRET_LEN, jstr(v, "shared_secret")) && same(s.key, s.key_len, jstr(v, "key")) &&
              same(s.base_nonce, HPKE_NONCE_LEN, jstr(v, "base_nonce")) &&
              same(s.exporter_secret, s.exporter_secret_len, jstr(v, "exporter_secret")),
          "SetupBaseS key schedule", "%s: shared_secret, key, base_nonce or exporter_secret differ", name);
    rc = hpke_setup_base_r(&su, enc.b, enc.n, skRm.b, skRm.n, info.b, info.n, &r);
    check(rc == HPKE_OK && !memcmp(r.key, s.key, sizeof r.key) && !memcmp(r.base_nonce, s.base_nonce, HPKE_NONCE_LEN),
          "SetupBaseR", "%s: %s", name, hpke_strerror(rc));

    int n = check_encryptions(v, &s, &r, name);
    check(n > 0, "encryptions", "%s: %s", name, n < 0 ? "a ciphertext differs" : "none in the vector");
    int x = check_exports(v, &s);
    check(x >= 0, "exports", "%s: an exported value differs", name);
    printf("# %s: %d encryptions, %d exports verified\n", name, n, x);
    hpke_ctx_clear(&s);
    hpke_ctx_clear(&r);
}

static void test_full_file(const char *file, suite_count_t *want, size_t nwant)
{
    json_object *arr = load(file);
    check(arr && json_object_is_type(arr, json_type_array), "load vectors", "cannot read %s", file);
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        json_object *v = json_object_array_get_idx(arr, i);
        hpke_suite_t su = { (uint16_t)jint(v, "kem_id"), (uint16_t)jint(v, "kdf_id"), (uint16_t)jint(v, "aead_id") };
        if (jint(v, "mode") != 0 || !hpke_suite_supported(&su))
            continue;
        count_suite(want, nwant, &su);
        check_full_vector(v, file);
    }
    expect_suites(file, want, nwant);
    json_object_put(arr);
}

/* ---- accumulated vectors: 1000 Seals and 1000 Exports over inputs drawn from a SHAKE128
 * stream, each output absorbed into a second SHAKE128 whose first 16 bytes are published. */

#define DRAW_MAX (1000 * 2 * 256)

typedef struct stream {
    uint8_t *b;
    size_t off;
} stream_t;

/* SHAKE128 of the empty string, long enough for every draw (OpenSSL 3.0 cannot squeeze twice). */
static uint8_t *shake_empty(void)
{
    uint8_t *b = malloc(DRAW_MAX);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    int ok = b && m && EVP_DigestInit_ex(m, EVP_shake128(), NULL) && EVP_DigestFinalXOF(m, b, DRAW_MAX);
    EVP_MD_CTX_free(m);
    if (!ok) {
        free(b);
        return NULL;
    }
    return b;
}

static const uint8_t *draw(stream_t *st, size_t *n)
{
    *n = st->b[st->off++];
    const uint8_t *p = st->b + st->off;
    st->off += *n;
    return p;
}

static int sink_digest(EVP_MD_CTX *sink, const char *want)
{
    uint8_t d[16];
    return EVP_DigestFinalXOF(sink, d, sizeof d) == 1 && same(d, sizeof d, want);
}

static int accumulated_encryptions(hpke_ctx_t *s, hpke_ctx_t *r, const uint8_t *stream, const char *want)
{
    stream_t st = { (uint8_t *)stream, 0 };
    EVP_MD_CTX *sink = EVP_MD_CTX_new();
    int ok = sink && EVP_DigestInit_ex(sink, EVP_shake128(), NULL);
    for (int i = 0; ok && i < 1000; i++) {
        size_t an, pn, cn, bn;
        const uint8_t *aad = draw(&st, &an), *pt = draw(&st, &pn);
        uint8_t ct[256 + HPKE_TAG_LEN], back[256];
        ok = hpke_seal(s, aad, an, pt, pn, ct, sizeof ct, &cn) == HPKE_OK && EVP_DigestUpdate(sink, ct, cn) &&
             hpke_open(r, aad, an, ct, cn, back, sizeof back, &bn) == HPKE_OK && bn == pn && !memcmp(back, pt, pn);
    }
    ok = ok && sink_digest(sink, want);
    EVP_MD_CTX_free(sink);
    return ok;
}

static int accumulated_exports(const hpke_ctx_t *s, const hpke_ctx_t *r, const uint8_t *stream, const char *want)
{
    stream_t st = { (uint8_t *)stream, 0 };
    EVP_MD_CTX *sink = EVP_MD_CTX_new();
    int ok = sink && EVP_DigestInit_ex(sink, EVP_shake128(), NULL);
    static uint8_t out[1000], back[1000];
    for (size_t l = 0; ok && l < 1000; l++) {
        size_t cn;
        const uint8_t *c = draw(&st, &cn);
        ok = hpke_export(s, c, cn, out, l) == HPKE_OK && EVP_DigestUpdate(sink, out, l) &&
             hpke_export(r, c, cn, back, l) == HPKE_OK && !memcmp(out, back, l);
    }
    ok = ok && sink_digest(sink, want);
    EVP_MD_CTX_free(sink);
    return ok;
}

static void test_accumulated(const char *file, suite_count_t *want, size_t nwant)
{
    json_object *arr = load(file);
    uint8_t *stream = shake_empty();
    check(arr && stream, "load accumulated vectors", "cannot read %s", file);
    for (size_t i = 0; arr && stream && i < json_object_array_length(arr); i++) {
        json_object *v = json_object_array_get_idx(arr, i);
        hpke_suite_t su = { (uint16_t)jint(v, "kem_id"), (uint16_t)jint(v, "kdf_id"), (uint16_t)jint(v, "aead_id") };
        if (jint(v, "mode") != 0 || !hpke_suite_supported(&su))
            continue;
        count_suite(want, nwant, &su);
        const char *name = suite_name(su.kem_id, su.kdf_id, su.aead_id);
        buf_t ikmR = hex(jstr(v, "ikmR")), ikmE = hex(jstr(v, "ikmE")), info = hex(jstr(v, "info"));
        buf_t pkRm = hex(jstr(v, "pkRm")), skRm = hex(jstr(v, "skRm")), sk = { .n = 0 }, pk = { .n = 0 };
        buf_t enc = { .n = 0 };
        hpke_ctx_t s, r;
        int rc = hpke_derive_key_pair(su.kem_id, ikmR.b, ikmR.n, sk.b, &sk.n, pk.b, &pk.n);
        check(rc == HPKE_OK && same(sk.b, sk.n, jstr(v, "skRm")) && same(pk.b, pk.n, jstr(v, "pkRm")),
              "accumulated DeriveKeyPair", "%s", name);
        rc = hpke_setup_base_s_derand(&su, pkRm.b, pkRm.n, info.b, info.n, ikmE.b, ikmE.n, enc.b, &enc.n, &s);
        check(rc == HPKE_OK && same(enc.b, enc.n, jstr(v, "enc")), "accumulated enc", "%s", name);
        rc = hpke_setup_base_r(&su, enc.b, enc.n, skRm.b, skRm.n, info.b, info.n, &r);
        check(rc == HPKE_OK, "accumulated SetupBaseR", "%s: %s", name, hpke_strerror(rc));
        check(accumulated_encryptions(&s, &r, stream, jstr(v, "encryptions")), "accumulated encryptions",
              "%s: 1000 ciphertexts do not hash to %s", name, jstr(v, "encryptions"));
        check(accumulated_exports(&s, &r, stream, jstr(v, "exports")), "accumulated exports",
              "%s: 1000 exports do not hash to %s", name, jstr(v, "exports"));
        hpke_ctx_clear(&s);
        hpke_ctx_clear(&r);
    }
    expect_suites(file, want, nwant);
    free(stream);
    json_object_put(arr);
}

/* ---- every suite round trips, including HKDF-SHA384, for which no vector is published */

static void test_round_trips(void)
{
    static const uint16_t kems[] = { HPKE_KEM_P256_SHA256, HPKE_KEM_X25519_SHA256 };
    uint8_t info[1200];
    memset(info, 0xA5, sizeof info); /* longer than OpenSSL's 1024-byte HKDF info limit */
    for (size_t k = 0; k < 2; k++)
        for (uint16_t kdf = 1; kdf <= 3; kdf++)
            for (uint16_t aead = 1; aead <= 3; aead++) {
                hpke_suite_t su = { kems[k], kdf, aead };
                uint8_t ikm[32], sk[HPKE_MAX_SK], pk[HPKE_MAX_PK], enc[HPKE_MAX_ENC], ct[64], pt[64];
                size_t skn, pkn, encn = 0, ctn = 0, ptn = 0;
                hpke_ctx_t s, r;
                memset(ikm, (int)(k * 16 + kdf * 4 + aead), sizeof ikm);
                int ok = hpke_derive_key_pair(su.kem_id, ikm, sizeof ikm, sk, &skn, pk, &pkn) == HPKE_OK &&
                         hpke_setup_base_s(&su, pk, pkn, info, sizeof info, enc, &encn, &s) == HPKE_OK &&
                         hpke_setup_base_r(&su, enc, encn, sk, skn, info, sizeof info, &r) == HPKE_OK &&
                         s.key_len == hpke_aead_key_len(aead) && s.exporter_secret_len == hpke_kdf_hash_len(kdf) &&
                         hpke_seal(&s, (const uint8_t *)"aad", 3, (const uint8_t *)"hello", 5, ct, sizeof ct, &ctn) ==
                             HPKE_OK &&
                         hpke_open(&r, (const uint8_t *)"aad", 3, ct, ctn, pt, sizeof pt, &ptn) == HPKE_OK &&
                         ptn == 5 && !memcmp(pt, "hello", 5) && s.seq == 1 && r.seq == 1;
                check(ok, "round trip", "%s", suite_name(su.kem_id, kdf, aead));
                hpke_ctx_clear(&s);
                hpke_ctx_clear(&r);
            }
}

/* ---- errors */

static void test_errors(void)
{
    hpke_suite_t x = { HPKE_KEM_X25519_SHA256, HPKE_KDF_HKDF_SHA256, HPKE_AEAD_AES_128_GCM };
    hpke_suite_t p = { HPKE_KEM_P256_SHA256, HPKE_KDF_HKDF_SHA256, HPKE_AEAD_AES_128_GCM };
    uint8_t ikm[32] = { 1 }, sk[HPKE_MAX_SK], pk[HPKE_MAX_PK], enc[HPKE_MAX_ENC], ct[64], pt[64];
    size_t skn, pkn, encn, ctn, ptn;
    hpke_ctx_t s, r;

    hpke_suite_t bad[] = { { 0x0011, 1, 1 }, { 0x0020, 4, 1 }, { 0x0020, 1, 0xFFFF }, { 0x0021, 1, 1 } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check(hpke_setup_base_s(&bad[i], pk, 32, NULL, 0, enc, &encn, &s) == HPKE_ERR_SUITE && encn == 0,
              "unsupported suite", "%s accepted", suite_name(bad[i].kem_id, bad[i].kdf_id, bad[i].aead_id));

    hpke_derive_key_pair(x.kem_id, ikm, sizeof ikm, sk, &skn, pk, &pkn);
    check(hpke_setup_base_s(&x, pk, 31, NULL, 0, enc, &encn, &s) == HPKE_ERR_KEY, "X25519 key length", "31 bytes");
    static const uint8_t zero[32];
    check(hpke_setup_base_s(&x, zero, 32, NULL, 0, enc, &encn, &s) == HPKE_ERR_DH, "X25519 low-order key",
          "the all-zero public key gives an all-zero DH and must fail");
    static uint8_t big_info[HPKE_MAX_INFO + 1];
    check(hpke_setup_base_s(&x, pk, pkn, big_info, sizeof big_info, enc, &encn, &s) == HPKE_ERR_LENGTH,
          "info bound", "an info over HPKE_MAX_INFO accepted");

    hpke_derive_key_pair(p.kem_id, ikm, sizeof ikm, sk, &skn, pk, &pkn);
    uint8_t off[65];
    memcpy(off, pk, 65);
    off[64] ^= 1;
    check(hpke_setup_base_s(&p, off, 65, NULL, 0, enc, &encn, &s) == HPKE_ERR_KEY, "P-256 point off the curve",
          "accepted");
    pk[0] = 0x02;
    check(hpke_setup_base_s(&p, pk, 33, NULL, 0, enc, &encn, &s) == HPKE_ERR_KEY, "P-256 compressed point",
          "a compressed point is not SerializePublicKey's form");
    static const uint8_t order[32] = { 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
                                       0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17,
                                       0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51 };
    hpke_derive_key_pair(p.kem_id, ikm, sizeof ikm, sk, &skn, pk, &pkn);
    hpke_setup_base_s(&p, pk, pkn, NULL, 0, enc, &encn, &s);
    check(hpke_setup_base_r(&p, enc, encn, order, 32, NULL, 0, &r) == HPKE_ERR_KEY, "P-256 scalar = order",
          "a private key not below the group order accepted");
    check(hpke_setup_base_r(&p, enc, encn, zero, 32, NULL, 0, &r) == HPKE_ERR_KEY, "P-256 scalar 0", "accepted");
    check(hpke_setup_base_r(&p, enc, encn, sk, skn, NULL, 0, &r) == HPKE_OK, "P-256 SetupBaseR", "failed");

    check(hpke_seal(&s, NULL, 0, (const uint8_t *)"abc", 3, ct, 3 + HPKE_TAG_LEN - 1, &ctn) == HPKE_ERR_LENGTH &&
              s.seq == 0,
          "seal buffer bound", "a too small ciphertext buffer accepted");
    hpke_seal(&s, NULL, 0, (const uint8_t *)"abc", 3, ct, sizeof ct, &ctn);
    ct[0] ^= 1;
    check(hpke_open(&r, NULL, 0, ct, ctn, pt, sizeof pt, &ptn) == HPKE_ERR_OPEN && r.seq == 0 && ptn == 0,
          "tampered ciphertext", "opened, or the sequence number moved");
    ct[0] ^= 1;
    check(hpke_open(&r, (const uint8_t *)"x", 1, ct, ctn, pt, sizeof pt, &ptn) == HPKE_ERR_OPEN, "wrong aad",
          "opened");
    check(hpke_open(&r, NULL, 0, ct, HPKE_TAG_LEN - 1, pt, sizeof pt, &ptn) == HPKE_ERR_OPEN, "short ciphertext",
          "opened");
    uint8_t tag_only[HPKE_TAG_LEN];
    size_t tn;
    hpke_ctx_t s3, r3;
    hpke_setup_base_s(&p, pk, pkn, NULL, 0, enc, &encn, &s3);
    hpke_setup_base_r(&p, enc, encn, sk, skn, NULL, 0, &r3);
    check(hpke_seal(&s3, NULL, 0, NULL, 0, tag_only, sizeof tag_only, &tn) == HPKE_OK && tn == HPKE_TAG_LEN &&
              hpke_open(&r3, NULL, 0, tag_only, tn, NULL, 0, &ptn) == HPKE_OK && ptn == 0,
          "empty message", "an empty plaintext does not round trip");
    hpke_ctx_clear(&s3);
    hpke_ctx_clear(&r3);
    check(hpke_open(&r, NULL, 0, ct, ctn, pt, sizeof pt, &ptn) == HPKE_OK && ptn == 3, "open after failures",
          "the context was damaged by failed opens");
    s.seq = UINT64_MAX;
    check(hpke_seal(&s, NULL, 0, NULL, 0, ct, sizeof ct, &ctn) == HPKE_ERR_SEQ, "sequence limit", "no error");

    uint8_t enc2[HPKE_MAX_ENC];
    size_t enc2n;
    hpke_ctx_t s2;
    hpke_setup_base_s(&p, pk, pkn, NULL, 0, enc2, &enc2n, &s2);
    check(encn == enc2n && memcmp(enc, enc2, encn) != 0 && memcmp(s.key, s2.key, s.key_len) != 0, "fresh ephemeral",
          "two SetupBaseS calls gave the same enc or key");
    check(hpke_setup_base_s_derand(&p, pk, pkn, NULL, 0, NULL, 0, enc2, &enc2n, &s2) == HPKE_ERR_LENGTH,
          "derand needs ikmE", "accepted");
    hpke_ctx_clear(&s);
    check(s.key_len == 0 && s.seq == 0, "clear", "secrets left in the context");
    for (int e = HPKE_OK; e <= HPKE_ERR_CRYPTO + 1; e++)
        check(hpke_strerror(e)[0] != 0, "strerror", "%d", e);
}

/* ---- two threads, each its own context: no shared state */

static void *thread_vector(void *arg)
{
    json_object *v = arg;
    hpke_suite_t su = { (uint16_t)jint(v, "kem_id"), (uint16_t)jint(v, "kdf_id"), (uint16_t)jint(v, "aead_id") };
    buf_t pkRm = hex(jstr(v, "pkRm")), ikmE = hex(jstr(v, "ikmE")), info = hex(jstr(v, "info")), enc = { .n = 0 };
    json_object *encs;
    json_object_object_get_ex(v, "encryptions", &encs);
    intptr_t good = 0;
    for (int round = 0; round < 20; round++) {
        hpke_ctx_t s;
        if (hpke_setup_base_s_derand(&su, pkRm.b, pkRm.n, info.b, info.n, ikmE.b, ikmE.n, enc.b, &enc.n, &s) != HPKE_OK)
            return (void *)0;
        for (size_t i = 0; i < 16; i++) {
            json_object *e = json_object_array_get_idx(encs, i);
            buf_t aad = hex(jstr(e, "aad")), pt = hex(jstr(e, "pt")), ct = { .n = 0 };
            good += hpke_seal(&s, aad.b, aad.n, pt.b, pt.n, ct.b, sizeof ct.b, &ct.n) == HPKE_OK &&
                    same(ct.b, ct.n, jstr(e, "ct"));
        }
    }
    return (void *)good;
}

static void test_threads(void)
{
    json_object *arr = load("hpke-rfc9180-full-base.json");
    pthread_t t[2];
    void *res[2] = { 0, 0 };
    if (!arr || json_object_array_length(arr) < 4) {
        check(0, "threads", "no vectors");
        json_object_put(arr);
        return;
    }
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, thread_vector, json_object_array_get_idx(arr, (size_t)(i * 3)));
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], &res[i]);
    check((intptr_t)res[0] == 320 && (intptr_t)res[1] == 320, "two threads", "%ld and %ld of 320 ciphertexts matched",
          (long)(intptr_t)res[0], (long)(intptr_t)res[1]);
    json_object_put(arr);
}

int main(int argc, char **argv)
{
    (void)argc;
    argv0 = argv[0];
    suite_count_t full[] = {
        { { 0x20, 1, 1 }, 0 }, { { 0x20, 1, 2 }, 0 }, { { 0x20, 1, 3 }, 0 }, { { 0x10, 1, 1 }, 0 },
    };
    suite_count_t appendix[] = { { { 0x10, 3, 1 }, 0 }, { { 0x10, 1, 3 }, 0 } };
    suite_count_t acc[12];
    size_t nacc = 0;
    for (uint16_t kem = 0x10; kem <= 0x20; kem += 0x10)
        for (uint16_t kdf = 1; kdf <= 3; kdf += 2)
            for (uint16_t aead = 1; aead <= 3; aead++)
                acc[nacc++] = (suite_count_t){ { kem, kdf, aead }, 0 };

    test_full_file("hpke-rfc9180-full-base.json", full, sizeof full / sizeof full[0]);
    test_full_file("hpke-rfc9180-appendix-a.json", appendix, sizeof appendix / sizeof appendix[0]);
    test_accumulated("hpke-accumulated.json", acc, nacc);
    test_round_trips();
    test_errors();
    test_threads();
    return failures ? 1 : 0;
}
