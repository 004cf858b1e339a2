/* HPKE base mode (RFC 9180) from OpenSSL 3.0 primitives: EVP_PKEY derive for the two DHKEMs,
 * EVP_KDF "HKDF" in EXTRACT_ONLY / EXPAND_ONLY mode for LabeledExtract / LabeledExpand, and
 * EVP_CIPHER for the AEADs. The section numbers below are RFC 9180's. */
#include "hpke.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

/* OpenSSL 3.0's HKDF refuses an info longer than this (EVP_KDF-HKDF(7)). */
#define HKDF_MAX_INFO 1024

/* ------------------------------------------------------------------------------------------
 * Algorithms */

typedef struct kdf_alg {
    uint16_t id;
    const char *md;
    size_t nh;
} kdf_alg_t;

typedef struct aead_alg {
    uint16_t id;
    const char *cipher;
    size_t nk;
} aead_alg_t;

static const kdf_alg_t kdf_algs[] = {
    { HPKE_KDF_HKDF_SHA256, "SHA256", 32 },
    { HPKE_KDF_HKDF_SHA384, "SHA384", 48 },
    { HPKE_KDF_HKDF_SHA512, "SHA512", 64 },
};

static const aead_alg_t aead_algs[] = {
    { HPKE_AEAD_AES_128_GCM, "AES-128-GCM", 16 },
    { HPKE_AEAD_AES_256_GCM, "AES-256-GCM", 32 },
    { HPKE_AEAD_CHACHA20_POLY1305, "ChaCha20-Poly1305", 32 },
};

static const kdf_alg_t *find_kdf(uint16_t id)
{
    for (size_t i = 0; i < sizeof kdf_algs / sizeof kdf_algs[0]; i++)
        if (kdf_algs[i].id == id)
            return &kdf_algs[i];
    return NULL;
}

static const aead_alg_t *find_aead(uint16_t id)
{
    for (size_t i = 0; i < sizeof aead_algs / sizeof aead_algs[0]; i++)
        if (aead_algs[i].id == id)
            return &aead_algs[i];
    return NULL;
}

size_t hpke_kem_enc_len(uint16_t kem_id)
{
    return kem_id == HPKE_KEM_P256_SHA256 ? 65 : kem_id == HPKE_KEM_X25519_SHA256 ? 32 : 0;
}

size_t hpke_aead_key_len(uint16_t aead_id)
{
    const aead_alg_t *a = find_aead(aead_id);
    return a ? a->nk : 0;
}

size_t hpke_kdf_hash_len(uint16_t kdf_id)
{
    const kdf_alg_t *k = find_kdf(kdf_id);
    return k ? k->nh : 0;
}

bool hpke_suite_supported(const hpke_suite_t *s)
{
    return s && hpke_kem_enc_len(s->kem_id) && find_kdf(s->kdf_id) && find_aead(s->aead_id);
}

const char *hpke_strerror(int err)
{
    switch (err) {
    case HPKE_OK: return "ok";
    case HPKE_ERR_SUITE: return "unsupported HPKE suite";
    case HPKE_ERR_LENGTH: return "length out of bounds";
    case HPKE_ERR_KEY: return "invalid key for the KEM";
    case HPKE_ERR_DH: return "invalid Diffie-Hellman result";
    case HPKE_ERR_DERIVE: return "DeriveKeyPair found no valid key";
    case HPKE_ERR_SEQ: return "message limit reached";
    case HPKE_ERR_OPEN: return "ciphertext does not authenticate";
    case HPKE_ERR_CRYPTO: return "OpenSSL operation failed";
    default: return "unknown HPKE error";
    }
}

/* ------------------------------------------------------------------------------------------
 * LabeledExtract / LabeledExpand (4) */

/* A KDF bound to a suite_id: "KEM" || kem_id inside a DHKEM, "HPKE" || kem || kdf || aead in
 * the key schedule. */
typedef struct lkdf {
    const char *md;
    size_t nh;
    uint8_t suite_id[10];
    size_t suite_id_len;
} lkdf_t;

static const char hpke_v1[] = "HPKE-v1";
#define HPKE_V1_LEN (sizeof hpke_v1 - 1)

static lkdf_t kem_lkdf(uint16_t kem_id)
{
    lkdf_t k = { "SHA256", 32, { 'K', 'E', 'M', (uint8_t)(kem_id >> 8), (uint8_t)kem_id }, 5 };
    return k;
}

static lkdf_t suite_lkdf(const hpke_suite_t *s)
{
    const kdf_alg_t *kdf = find_kdf(s->kdf_id);
    lkdf_t k = { kdf->md, kdf->nh,
                 { 'H', 'P', 'K', 'E', (uint8_t)(s->kem_id >> 8), (uint8_t)s->kem_id, (uint8_t)(s->kdf_id >> 8),
                   (uint8_t)s->kdf_id, (uint8_t)(s->aead_id >> 8), (uint8_t)s->aead_id },
                 10 };
    return k;
}

int hpke_hkdf(int mode, const char *md, const uint8_t *key, size_t key_len, const uint8_t *salt, size_t salt_len,
                const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[6], *p = params;
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *p = OSSL_PARAM_construct_end();
    int ok = kctx && EVP_KDF_derive(kctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return ok ? HPKE_OK : HPKE_ERR_CRYPTO;
}

/* "HPKE-v1" || suite_id || label at w, the prefix both labeled functions share (RFC 9180 4);
 * returns the position after it. */
static uint8_t *put_label(uint8_t *w, const lkdf_t *k, const char *label, size_t label_len)
{
    memcpy(w, hpke_v1, HPKE_V1_LEN), w += HPKE_V1_LEN;
    memcpy(w, k->suite_id, k->suite_id_len), w += k->suite_id_len;
    memcpy(w, label, label_len);
    return w + label_len;
}

/* LabeledExtract(salt, label, ikm) into prk (k->nh bytes). An empty salt is given to HKDF as
 * Nh zero bytes, which is what RFC 5869 2.2 says an absent salt means. */
static int labeled_extract(const lkdf_t *k, const uint8_t *salt, size_t salt_len, const char *label,
                           const uint8_t *ikm, size_t ikm_len, uint8_t *prk)
{
    static const uint8_t zeros[HPKE_MAX_HASH];
    size_t label_len = strlen(label);
    if (ikm_len > HPKE_MAX_INFO)
        return HPKE_ERR_LENGTH;
    size_t n = HPKE_V1_LEN + k->suite_id_len + label_len + ikm_len;
    uint8_t *buf = OPENSSL_malloc(n);
    if (!buf)
        return HPKE_ERR_CRYPTO;
    uint8_t *w = put_label(buf, k, label, label_len);
    if (ikm_len)
        memcpy(w, ikm, ikm_len);
    if (salt_len == 0)
        salt = zeros, salt_len = k->nh;
    int rc = hpke_hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, k->md, buf, n, salt, salt_len, NULL, 0, prk, k->nh);
    OPENSSL_clear_free(buf, n);
    return rc;
}

/* LabeledExpand(prk, label, info, L) into out. */
static int labeled_expand(const lkdf_t *k, const uint8_t *prk, const char *label, const uint8_t *info,
                          size_t info_len, uint8_t *out, size_t L)
{
    uint8_t buf[HKDF_MAX_INFO];
    size_t label_len = strlen(label);
    size_t n = 2 + HPKE_V1_LEN + k->suite_id_len + label_len + info_len;
    if (L > 255 * k->nh || info_len > sizeof buf || n > sizeof buf)
        return HPKE_ERR_LENGTH;
    if (L == 0)
        return HPKE_OK;
    uint8_t *w = buf;
    *w++ = (uint8_t)(L >> 8);
    *w++ = (uint8_t)L;
    w = put_label(w, k, label, label_len);
    if (info_len)
        memcpy(w, info, info_len);
    int rc = hpke_hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, k->md, prk, k->nh, NULL, 0, buf, n, out, L);
    OPENSSL_cleanse(buf, n);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * DHKEM (4.1) */

/* A P-256 key pair from the big-endian scalar sk, with its uncompressed public point in pk.
 * HPKE_ERR_KEY when sk is 0 or not below the group order. */
static int p256_from_scalar(const uint8_t sk[32], EVP_PKEY **out, uint8_t pk[65])
{
    int rc = HPKE_ERR_CRYPTO;
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BIGNUM *d = BN_bin2bn(sk, 32, NULL);
    EC_POINT *q = g ? EC_POINT_new(g) : NULL;
    BN_CTX *bn = BN_CTX_new();
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    *out = NULL;
    if (!g || !d || !q || !bn || !bld)
        goto done;
    if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(g)) >= 0) {
        rc = HPKE_ERR_KEY;
        goto done;
    }
    if (!EC_POINT_mul(g, q, d, NULL, NULL, bn) ||
        EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pk, 65, bn) != 65)
        goto done;
    if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, SN_X9_62_prime256v1, 0) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pk, 65) ||
        !(params = OSSL_PARAM_BLD_to_param(bld)))
        goto done;
    pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (pctx && EVP_PKEY_fromdata_init(pctx) == 1 && EVP_PKEY_fromdata(pctx, out, EVP_PKEY_KEYPAIR, params) == 1)
        rc = HPKE_OK;
done:
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_CTX_free(bn);
    EC_POINT_free(q);
    BN_clear_free(d);
    EC_GROUP_free(g);
    return rc;
}

/* DeserializePrivateKey: a key pair from sk (Nsk bytes), its serialized public key in pk. */
static int key_from_private(uint16_t kem_id, const uint8_t *sk, size_t sk_len, EVP_PKEY **out, uint8_t *pk,
                            size_t *pk_len)
{
    *out = NULL;
    if (sk_len != 32)
        return HPKE_ERR_KEY;
    if (kem_id == HPKE_KEM_P256_SHA256) {
        *pk_len = 65;
        return p256_from_scalar(sk, out, pk);
    }
    *out = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, 32);
    *pk_len = 32;
    if (!*out || EVP_PKEY_get_raw_public_key(*out, pk, pk_len) != 1 || *pk_len != 32) {
        EVP_PKEY_free(*out);
        *out = NULL;
        return HPKE_ERR_CRYPTO;
    }
    return HPKE_OK;
}

/* DeserializePublicKey, with the point validated for P-256 (on the curve, not infinity). */
static int key_from_public(uint16_t kem_id, const uint8_t *pk, size_t len, EVP_PKEY **out)
{
    *out = NULL;
    if (len != hpke_kem_enc_len(kem_id))
        return HPKE_ERR_KEY;
    if (kem_id == HPKE_KEM_X25519_SHA256) {
        *out = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pk, len);
        return *out ? HPKE_OK : HPKE_ERR_CRYPTO;
    }
    if (pk[0] != 0x04) /* SerializePublicKey is the uncompressed form (7.1.1) */
        return HPKE_ERR_KEY;
    int rc = HPKE_ERR_KEY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)SN_X9_62_prime256v1, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pk, len),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!pctx)
        return HPKE_ERR_CRYPTO;
    if (EVP_PKEY_fromdata_init(pctx) == 1 && EVP_PKEY_fromdata(pctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1) {
        EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
        if (check && EVP_PKEY_public_check(check) == 1)
            rc = HPKE_OK;
        EVP_PKEY_CTX_free(check);
    }
    EVP_PKEY_CTX_free(pctx);
    if (rc != HPKE_OK) {
        EVP_PKEY_free(*out);
        *out = NULL;
    }
    return rc;
}

/* DH(sk, pk): the X25519 output or the P-256 x-coordinate, 32 bytes either way. */
static int dh(EVP_PKEY *sk, EVP_PKEY *peer, uint8_t out[32])
{
    static const uint8_t zeros[32];
    size_t len = 32;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, sk, NULL);
    int ok = ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
             EVP_PKEY_derive(ctx, out, &len) == 1 && len == 32;
    EVP_PKEY_CTX_free(ctx);
    /* OpenSSL refuses an all-zero X25519 result itself; the check keeps that explicit. */
    if (!ok || CRYPTO_memcmp(out, zeros, 32) == 0) {
        OPENSSL_cleanse(out, 32);
        return HPKE_ERR_DH;
    }
    return HPKE_OK;
}

/* DeriveKeyPair (7.1.3): for X25519 the expanded bytes are the key; for P-256 candidates are
 * tried until one is a valid scalar (bitmask 0xff, so no bit is masked). */
static int derive_key(uint16_t kem_id, const uint8_t *ikm, size_t ikm_len, uint8_t sk[32], EVP_PKEY **key,
                      uint8_t *pk, size_t *pk_len)
{
    lkdf_t k = kem_lkdf(kem_id);
    uint8_t prk[32];
    *key = NULL;
    if (!hpke_kem_enc_len(kem_id))
        return HPKE_ERR_SUITE;
    if (ikm_len > HPKE_MAX_IKM)
        return HPKE_ERR_LENGTH;
    int rc = labeled_extract(&k, NULL, 0, "dkp_prk", ikm, ikm_len, prk);
    if (rc == HPKE_OK && kem_id == HPKE_KEM_X25519_SHA256) {
        rc = labeled_expand(&k, prk, "sk", NULL, 0, sk, 32);
        if (rc == HPKE_OK)
            rc = key_from_private(kem_id, sk, 32, key, pk, pk_len);
    } else if (rc == HPKE_OK) {
        rc = HPKE_ERR_DERIVE;
        for (unsigned counter = 0; counter < 256; counter++) {
            uint8_t c = (uint8_t)counter;
            int r = labeled_expand(&k, prk, "candidate", &c, 1, sk, 32);
            sk[0] &= 0xff;
            if (r == HPKE_OK) {
                *pk_len = 65;
                r = p256_from_scalar(sk, key, pk);
            }
            if (r != HPKE_ERR_KEY) {
                rc = r;
                break;
            }
        }
    }
    OPENSSL_cleanse(prk, sizeof prk);
    if (rc != HPKE_OK)
        OPENSSL_cleanse(sk, 32);
    return rc;
}

int hpke_derive_key_pair(uint16_t kem_id, const uint8_t *ikm, size_t ikm_len, uint8_t *sk, size_t *sk_len,
                         uint8_t *pk, size_t *pk_len)
{
    EVP_PKEY *key = NULL;
    int rc = derive_key(kem_id, ikm, ikm_len, sk, &key, pk, pk_len);
    EVP_PKEY_free(key);
    *sk_len = rc == HPKE_OK ? 32 : 0;
    return rc;
}

/* ExtractAndExpand(dh, kem_context) = shared_secret (4.1). enc and pkRm make the context. */
static int extract_and_expand(uint16_t kem_id, const uint8_t dhv[32], const uint8_t *enc, size_t enc_len,
                              const uint8_t *pkRm, size_t pkRm_len, uint8_t shared[HPKE_SECRET_LEN])
{
    lkdf_t k = kem_lkdf(kem_id);
    uint8_t kem_context[2 * HPKE_MAX_ENC], prk[32];
    memcpy(kem_context, enc, enc_len);
    memcpy(kem_context + enc_len, pkRm, pkRm_len);
    int rc = labeled_extract(&k, NULL, 0, "eae_prk", dhv, 32, prk);
    if (rc == HPKE_OK)
        rc = labeled_expand(&k, prk, "shared_secret", kem_context, enc_len + pkRm_len, shared, HPKE_SECRET_LEN);
    OPENSSL_cleanse(prk, sizeof prk);
    return rc;
}

/* Encap(pkR) with the ephemeral key from ikmE, or from fresh random bytes when ikmE is NULL
 * (DeriveKeyPair over Nsk random bytes is a GenerateKeyPair, 7.1.3). */
static int encap(uint16_t kem_id, const uint8_t *pkR, size_t pkR_len, const uint8_t *ikmE, size_t ikmE_len,
                 uint8_t *enc, size_t *enc_len, uint8_t shared[HPKE_SECRET_LEN])
{
    uint8_t rnd[32], skE[32], dhv[32];
    EVP_PKEY *peer = NULL, *eph = NULL;
    int rc = key_from_public(kem_id, pkR, pkR_len, &peer);
    if (rc == HPKE_OK && !ikmE) {
        if (RAND_priv_bytes(rnd, sizeof rnd) != 1)
            rc = HPKE_ERR_CRYPTO;
        ikmE = rnd, ikmE_len = sizeof rnd;
    }
    if (rc == HPKE_OK)
        rc = derive_key(kem_id, ikmE, ikmE_len, skE, &eph, enc, enc_len);
    if (rc == HPKE_OK)
        rc = dh(eph, peer, dhv);
    if (rc == HPKE_OK)
        rc = extract_and_expand(kem_id, dhv, enc, *enc_len, pkR, pkR_len, shared);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(eph);
    OPENSSL_cleanse(rnd, sizeof rnd);
    OPENSSL_cleanse(skE, sizeof skE);
    OPENSSL_cleanse(dhv, sizeof dhv);
    return rc;
}

/* Decap(enc, skR). */
static int decap(uint16_t kem_id, const uint8_t *enc, size_t enc_len, const uint8_t *skR, size_t skR_len,
                 uint8_t shared[HPKE_SECRET_LEN])
{
    uint8_t pkRm[HPKE_MAX_PK], dhv[32];
    size_t pkRm_len = 0;
    EVP_PKEY *eph = NULL, *key = NULL;
    int rc = key_from_public(kem_id, enc, enc_len, &eph);
    if (rc == HPKE_OK)
        rc = key_from_private(kem_id, skR, skR_len, &key, pkRm, &pkRm_len);
    if (rc == HPKE_OK)
        rc = dh(key, eph, dhv);
    if (rc == HPKE_OK)
        rc = extract_and_expand(kem_id, dhv, enc, enc_len, pkRm, pkRm_len, shared);
    EVP_PKEY_free(eph);
    EVP_PKEY_free(key);
    OPENSSL_cleanse(dhv, sizeof dhv);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Key schedule (5.1), base mode: psk and psk_id are empty */

static int key_schedule(const hpke_suite_t *s, const uint8_t shared[HPKE_SECRET_LEN], const uint8_t *info,
                        size_t info_len, hpke_ctx_t *ctx)
{
    lkdf_t k = suite_lkdf(s);
    uint8_t ksc[1 + 2 * HPKE_MAX_HASH], secret[HPKE_MAX_HASH];
    ksc[0] = 0x00; /* mode_base */
    int rc = labeled_extract(&k, NULL, 0, "psk_id_hash", NULL, 0, ksc + 1);
    if (rc == HPKE_OK)
        rc = labeled_extract(&k, NULL, 0, "info_hash", info, info_len, ksc + 1 + k.nh);
    if (rc == HPKE_OK)
        rc = labeled_extract(&k, shared, HPKE_SECRET_LEN, "secret", NULL, 0, secret);
    size_t ksc_len = 1 + 2 * k.nh;
    ctx->suite = *s;
    ctx->key_len = hpke_aead_key_len(s->aead_id);
    ctx->exporter_secret_len = k.nh;
    ctx->seq = 0;
    memcpy(ctx->shared_secret, shared, HPKE_SECRET_LEN);
    if (rc == HPKE_OK)
        rc = labeled_expand(&k, secret, "key", ksc, ksc_len, ctx->key, ctx->key_len);
    if (rc == HPKE_OK)
        rc = labeled_expand(&k, secret, "base_nonce", ksc, ksc_len, ctx->base_nonce, HPKE_NONCE_LEN);
    if (rc == HPKE_OK)
        rc = labeled_expand(&k, secret, "exp", ksc, ksc_len, ctx->exporter_secret, k.nh);
    OPENSSL_cleanse(secret, sizeof secret);
    return rc;
}

static int check_setup(const hpke_suite_t *s, size_t info_len)
{
    if (!hpke_suite_supported(s))
        return HPKE_ERR_SUITE;
    return info_len > HPKE_MAX_INFO ? HPKE_ERR_LENGTH : HPKE_OK;
}

static int setup_s(const hpke_suite_t *s, const uint8_t *pkR, size_t pkR_len, const uint8_t *info, size_t info_len,
                   const uint8_t *ikmE, size_t ikmE_len, uint8_t *enc, size_t *enc_len, hpke_ctx_t *ctx)
{
    uint8_t shared[HPKE_SECRET_LEN];
    memset(ctx, 0, sizeof *ctx);
    *enc_len = 0;
    int rc = check_setup(s, info_len);
    if (rc == HPKE_OK)
        rc = encap(s->kem_id, pkR, pkR_len, ikmE, ikmE_len, enc, enc_len, shared);
    if (rc == HPKE_OK)
        rc = key_schedule(s, shared, info, info_len, ctx);
    OPENSSL_cleanse(shared, sizeof shared);
    if (rc != HPKE_OK) {
        hpke_ctx_clear(ctx);
        *enc_len = 0;
    }
    return rc;
}

int hpke_setup_base_s(const hpke_suite_t *suite, const uint8_t *pkR, size_t pkR_len, const uint8_t *info,
                      size_t info_len, uint8_t *enc, size_t *enc_len, hpke_ctx_t *ctx)
{
    return setup_s(suite, pkR, pkR_len, info, info_len, NULL, 0, enc, enc_len, ctx);
}

int hpke_setup_base_s_derand(const hpke_suite_t *suite, const uint8_t *pkR, size_t pkR_len, const uint8_t *info,
                             size_t info_len, const uint8_t *ikmE, size_t ikmE_len, uint8_t *enc, size_t *enc_len,
                             hpke_ctx_t *ctx)
{
    if (!ikmE) {
        memset(ctx, 0, sizeof *ctx);
        *enc_len = 0;
        return HPKE_ERR_LENGTH;
    }
    return setup_s(suite, pkR, pkR_len, info, info_len, ikmE, ikmE_len, enc, enc_len, ctx);
}

int hpke_setup_base_r(const hpke_suite_t *suite, const uint8_t *enc, size_t enc_len, const uint8_t *skR,
                      size_t skR_len, const uint8_t *info, size_t info_len, hpke_ctx_t *ctx)
{
    uint8_t shared[HPKE_SECRET_LEN];
    memset(ctx, 0, sizeof *ctx);
    int rc = check_setup(suite, info_len);
    if (rc == HPKE_OK)
        rc = decap(suite->kem_id, enc, enc_len, skR, skR_len, shared);
    if (rc == HPKE_OK)
        rc = key_schedule(suite, shared, info, info_len, ctx);
    OPENSSL_cleanse(shared, sizeof shared);
    if (rc != HPKE_OK)
        hpke_ctx_clear(ctx);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Encryption (5.2) and export (5.3) */

/* ComputeNonce(seq): base_nonce XOR I2OSP(seq, Nn). */
static void compute_nonce(const hpke_ctx_t *ctx, uint8_t nonce[HPKE_NONCE_LEN])
{
    memcpy(nonce, ctx->base_nonce, HPKE_NONCE_LEN);
    for (int i = 0; i < 8; i++)
        nonce[HPKE_NONCE_LEN - 1 - i] ^= (uint8_t)(ctx->seq >> (8 * i));
}

/* One AEAD operation; tag is written when encrypting and checked when decrypting. */
static int aead(const hpke_ctx_t *ctx, int encrypt, const uint8_t *aad, size_t aad_len, const uint8_t *in,
                size_t in_len, uint8_t *out, uint8_t tag[HPKE_TAG_LEN])
{
    uint8_t nonce[HPKE_NONCE_LEN], none[1];
    const aead_alg_t *alg = find_aead(ctx->suite.aead_id);
    EVP_CIPHER *cipher = alg ? EVP_CIPHER_fetch(NULL, alg->cipher, NULL) : NULL;
    EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0, ok = 0;
    compute_nonce(ctx, nonce);
    if (!cipher || !cc || EVP_CipherInit_ex2(cc, cipher, NULL, NULL, encrypt, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_AEAD_SET_IVLEN, HPKE_NONCE_LEN, NULL) != 1 ||
        EVP_CipherInit_ex2(cc, NULL, ctx->key, nonce, encrypt, NULL) != 1)
        goto done;
    if (!encrypt && EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_AEAD_SET_TAG, HPKE_TAG_LEN, tag) != 1)
        goto done;
    if (aad_len && EVP_CipherUpdate(cc, NULL, &n, aad, (int)aad_len) != 1)
        goto done;
    n = 0;
    if (in_len && EVP_CipherUpdate(cc, out, &n, in, (int)in_len) != 1)
        goto done;
    /* the AEADs' Final writes nothing; a local byte keeps NULL + 0 out of an empty Open */
    if (EVP_CipherFinal_ex(cc, out ? out + n : none, &fin) != 1) {
        ok = encrypt ? 0 : -1;
        goto done;
    }
    ok = encrypt ? EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_AEAD_GET_TAG, HPKE_TAG_LEN, tag) == 1 : 1;
done:
    EVP_CIPHER_CTX_free(cc);
    EVP_CIPHER_free(cipher);
    OPENSSL_cleanse(nonce, sizeof nonce);
    return ok == 1 ? HPKE_OK : ok < 0 ? HPKE_ERR_OPEN : HPKE_ERR_CRYPTO;
}

static int check_crypt(const hpke_ctx_t *ctx, size_t aad_len, size_t msg_len)
{
    if (!ctx || !hpke_suite_supported(&ctx->suite) || ctx->key_len == 0)
        return HPKE_ERR_SUITE;
    if (aad_len > HPKE_MAX_AAD || msg_len > HPKE_MAX_MSG)
        return HPKE_ERR_LENGTH;
    return ctx->seq == UINT64_MAX ? HPKE_ERR_SEQ : HPKE_OK;
}

int hpke_seal(hpke_ctx_t *ctx, const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *ct,
              size_t ct_cap, size_t *ct_len)
{
    *ct_len = 0;
    int rc = check_crypt(ctx, aad_len, pt_len);
    if (rc == HPKE_OK && ct_cap < pt_len + HPKE_TAG_LEN)
        rc = HPKE_ERR_LENGTH;
    if (rc == HPKE_OK)
        rc = aead(ctx, 1, aad, aad_len, pt, pt_len, ct, ct + pt_len);
    if (rc == HPKE_OK) {
        *ct_len = pt_len + HPKE_TAG_LEN;
        ctx->seq++;
    }
    return rc;
}

int hpke_open(hpke_ctx_t *ctx, const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *pt,
              size_t pt_cap, size_t *pt_len)
{
    *pt_len = 0;
    if (ct_len < HPKE_TAG_LEN)
        return HPKE_ERR_OPEN;
    size_t n = ct_len - HPKE_TAG_LEN;
    int rc = check_crypt(ctx, aad_len, n);
    if (rc == HPKE_OK && pt_cap < n)
        rc = HPKE_ERR_LENGTH;
    if (rc == HPKE_OK) {
        uint8_t tag[HPKE_TAG_LEN];
        memcpy(tag, ct + n, HPKE_TAG_LEN);
        rc = aead(ctx, 0, aad, aad_len, ct, n, pt, tag);
    }
    if (rc == HPKE_OK) {
        *pt_len = n;
        ctx->seq++;
    } else if (pt_cap) {
        OPENSSL_cleanse(pt, n < pt_cap ? n : pt_cap); /* no unauthenticated plaintext leaks out */
    }
    return rc;
}

int hpke_export(const hpke_ctx_t *ctx, const uint8_t *exporter_context, size_t context_len, uint8_t *out, size_t L)
{
    if (!ctx || !hpke_suite_supported(&ctx->suite) || ctx->exporter_secret_len == 0)
        return HPKE_ERR_SUITE;
    if (context_len > HPKE_MAX_EXPORT_CONTEXT)
        return HPKE_ERR_LENGTH;
    lkdf_t k = suite_lkdf(&ctx->suite);
    return labeled_expand(&k, ctx->exporter_secret, "sec", exporter_context, context_len, out, L);
}

void hpke_ctx_clear(hpke_ctx_t *ctx)
{
    if (ctx)
        OPENSSL_cleanse(ctx, sizeof *ctx);
}

int hpke_dh_serialized(uint16_t kem_id, const uint8_t *sk, size_t sk_len, const uint8_t *pk, size_t pk_len,
                       uint8_t out[HPKE_SECRET_LEN])
{
    EVP_PKEY *mine = NULL, *peer = NULL;
    uint8_t mine_pk[HPKE_MAX_PK];
    size_t mine_pk_len;
    int rc = kem_id == HPKE_KEM_X25519_SHA256 || kem_id == HPKE_KEM_P256_SHA256 ? HPKE_OK : HPKE_ERR_SUITE;
    if (rc == HPKE_OK)
        rc = key_from_private(kem_id, sk, sk_len, &mine, mine_pk, &mine_pk_len);
    if (rc == HPKE_OK)
        rc = key_from_public(kem_id, pk, pk_len, &peer);
    if (rc == HPKE_OK)
        rc = dh(mine, peer, out);
    EVP_PKEY_free(mine);
    EVP_PKEY_free(peer);
    return rc;
}
