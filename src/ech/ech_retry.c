/* retry_configs (RFC 9849 7.1): when a server rejects ECH it completes the handshake with the
 * outer hello and may send, in its EncryptedExtensions, the configs a client should retry with.
 * Those come encrypted under the outer handshake's keys, so this computes them as a TLS 1.3
 * client would (RFC 8446 7.1: (EC)DHE from our kept key share and the server's, the handshake
 * secret, the server handshake traffic secret over ClientHelloOuter..ServerHello, its key and
 * IV), opens the first encrypted record and reads the extension. OpenSSL EVP does the
 * cryptography: through the HPKE module's primitives (HKDF, X25519/P-256 DH, the AEADs), and
 * directly for the P-384/P-521 shares a HelloRetryRequest may ask for. Pure functions over byte
 * buffers; every length read is checked against the bytes present. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "ech_config.h"
#include "ech_hello.h"
#include "hpke.h"

#define TLS_CONTENT_HANDSHAKE 22
#define TLS_CONTENT_APPLICATION_DATA 23
#define TLS_HS_ENCRYPTED_EXTENSIONS 8
#define TLS_MAX_CIPHERTEXT (16384 + 256) /* RFC 8446 5.2 */

static uint16_t group_kem(uint16_t group)
{
    return group == 29 ? HPKE_KEM_X25519_SHA256 : group == 23 ? HPKE_KEM_P256_SHA256 : 0;
}

/* secp384r1 and secp521r1: OpenSSL's group name and the scalar's (and coordinate's) length. */
static const char *ec_group(uint16_t group, size_t *len)
{
    *len = group == 24 ? 48 : group == 25 ? 66 : 0;
    return group == 24 ? SN_secp384r1 : group == 25 ? SN_secp521r1 : NULL;
}

/* A P-384 or P-521 key pair by OpenSSL's keygen: the scalar, and the uncompressed point TLS sends. */
static int ec_key_new(uint16_t group, ech_key_share_t *k)
{
    size_t n;
    const char *name = ec_group(group, &n);
    EVP_PKEY *key = name ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", name) : NULL;
    BIGNUM *priv = NULL;
    int ok = key && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv) == 1 &&
             BN_bn2binpad(priv, k->sk, (int)n) == (int)n &&
             EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, k->pk, sizeof k->pk,
                                             &k->pk_len) == 1 &&
             k->pk_len == 1 + 2 * n && k->pk[0] == 4;
    k->sk_len = n;
    BN_clear_free(priv);
    EVP_PKEY_free(key);
    return ok;
}

/* An EC key of the group from OSSL_PARAMs (the peer's public point, or our key pair). */
static EVP_PKEY *ec_from(const char *name, const uint8_t *pk, size_t pk_len, const uint8_t *sk, size_t sk_len)
{
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    BIGNUM *priv = sk ? BN_bin2bn(sk, (int)sk_len, NULL) : NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (b && c && (!sk || priv) && OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, name, 0) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pk, pk_len) == 1 &&
        (!priv || OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, priv) == 1) &&
        (params = OSSL_PARAM_BLD_to_param(b)) != NULL && EVP_PKEY_fromdata_init(c) == 1 &&
        EVP_PKEY_fromdata(c, &key, sk ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) == 1 && !sk) {
        /* the server's point must be on the curve */
        EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
        if (!check || EVP_PKEY_public_check(check) != 1)
            EVP_PKEY_free(key), key = NULL;
        EVP_PKEY_CTX_free(check);
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(b);
    BN_clear_free(priv);
    EVP_PKEY_CTX_free(c);
    return key;
}

/* ECDHE with a P-384 or P-521 share: the x-coordinate, *out_len bytes. */
static int ec_dh(const ech_key_share_t *k, const uint8_t *peer_pk, size_t peer_len, uint8_t *out, size_t *out_len)
{
    size_t n;
    const char *name = ec_group(k->group, &n);
    EVP_PKEY *mine = name ? ec_from(name, k->pk, k->pk_len, k->sk, k->sk_len) : NULL;
    EVP_PKEY *peer = name && peer_len == 1 + 2 * n ? ec_from(name, peer_pk, peer_len, NULL, 0) : NULL;
    EVP_PKEY_CTX *c = mine ? EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL) : NULL;
    *out_len = n;
    int ok = c && peer && EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, peer) == 1 &&
             EVP_PKEY_derive(c, out, out_len) == 1 && *out_len == n;
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(mine);
    EVP_PKEY_free(peer);
    return ok ? 0 : -1;
}

int ech_key_share_new(uint16_t group, ech_key_share_t *k)
{
    memset(k, 0, sizeof *k);
    uint8_t ikm[32];
    uint16_t kem = group_kem(group);
    /* x25519 and secp256r1: DeriveKeyPair from fresh random bytes, a valid key of the KEM in
     * TLS's encoding; the larger curves by OpenSSL's keygen. */
    int ok = kem ? RAND_bytes(ikm, sizeof ikm) == 1 &&
                       hpke_derive_key_pair(kem, ikm, sizeof ikm, k->sk, &k->sk_len, k->pk, &k->pk_len) == HPKE_OK
                 : ec_key_new(group, k);
    OPENSSL_cleanse(ikm, sizeof ikm);
    if (!ok) {
        OPENSSL_cleanse(k, sizeof *k); /* group 0: never matches a server's key share */
        return -1;
    }
    k->group = group;
    return 0;
}

void ech_key_share_clear(ech_key_share_t *k)
{
    OPENSSL_cleanse(k, sizeof *k);
}

/* ---- the TLS 1.3 key schedule, as far as the server handshake traffic key */

typedef struct tls_suite {
    uint16_t cipher;
    const char *md;
    size_t hlen;
    uint16_t aead_id;   /* the same AEAD under its HPKE identifier */
    size_t key_len;
} tls_suite_t;

static const tls_suite_t tls_suites[] = {
    { 0x1301, "SHA256", 32, HPKE_AEAD_AES_128_GCM, 16 },
    { 0x1302, "SHA384", 48, HPKE_AEAD_AES_256_GCM, 32 },
    { 0x1303, "SHA256", 32, HPKE_AEAD_CHACHA20_POLY1305, 32 },
};

static int failf(ech_retry_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int failf(ech_retry_t *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    out->status = ECH_RETRY_FAILED;
    int n = snprintf(out->why, sizeof out->why, "not decrypted: ");
    vsnprintf(out->why + n, sizeof out->why - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* HKDF-Expand-Label(secret, label, context, len) (RFC 8446 7.1). */
static int expand_label(const tls_suite_t *s, const uint8_t *secret, const char *label, const uint8_t *ctx,
                        size_t ctx_len, uint8_t *out, size_t len)
{
    uint8_t info[2 + 1 + 255 + 1 + 64];
    size_t ll = 6 + strlen(label), i = 0;
    if (ll > 255 || ctx_len > 64)
        return -1;
    info[i++] = (uint8_t)(len >> 8), info[i++] = (uint8_t)len;
    info[i++] = (uint8_t)ll;
    memcpy(info + i, "tls13 ", 6);
    memcpy(info + i + 6, label, ll - 6);
    i += ll;
    info[i++] = (uint8_t)ctx_len;
    if (ctx_len)
        memcpy(info + i, ctx, ctx_len);
    i += ctx_len;
    return hpke_hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, s->md, secret, s->hlen, NULL, 0, info, i, out, len) == HPKE_OK
               ? 0
               : -1;
}

static int digest(const tls_suite_t *s, const uint8_t *a, size_t an, const uint8_t *b, size_t bn, const uint8_t *c,
                  size_t cn, uint8_t *out)
{
    EVP_MD *m = EVP_MD_fetch(NULL, s->md, NULL);
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    unsigned len = 0;
    int ok = m && x && EVP_DigestInit_ex(x, m, NULL) == 1 && EVP_DigestUpdate(x, a, an) == 1 &&
             EVP_DigestUpdate(x, b, bn) == 1 && EVP_DigestUpdate(x, c, cn) == 1 &&
             EVP_DigestFinal_ex(x, out, &len) == 1 && len == s->hlen;
    EVP_MD_CTX_free(x);
    EVP_MD_free(m);
    return ok ? 0 : -1;
}

/* The server handshake traffic key and IV, in an AEAD context at sequence number 0. */
static int server_hs_keys(const tls_suite_t *s, const uint8_t *ecdhe, size_t ecdhe_len, const uint8_t th[64],
                          hpke_ctx_t *aead)
{
    static const uint8_t zeros[64];
    uint8_t early[64], empty[64], derived[64], hs[64], shs[64];
    int rc = -1;
    memset(aead, 0, sizeof *aead);
    if (hpke_hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, s->md, zeros, s->hlen, zeros, s->hlen, NULL, 0, early, s->hlen) ==
            HPKE_OK &&
        digest(s, NULL, 0, NULL, 0, NULL, 0, empty) == 0 &&
        expand_label(s, early, "derived", empty, s->hlen, derived, s->hlen) == 0 &&
        hpke_hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, s->md, ecdhe, ecdhe_len, derived, s->hlen, NULL, 0, hs, s->hlen) ==
            HPKE_OK &&
        expand_label(s, hs, "s hs traffic", th, s->hlen, shs, s->hlen) == 0 &&
        expand_label(s, shs, "key", NULL, 0, aead->key, s->key_len) == 0 &&
        expand_label(s, shs, "iv", NULL, 0, aead->base_nonce, HPKE_NONCE_LEN) == 0) {
        /* The AEAD is addressed through an HPKE context: same nonce rule (IV xor seq). */
        aead->suite = (hpke_suite_t){ HPKE_KEM_X25519_SHA256, HPKE_KDF_HKDF_SHA256, s->aead_id };
        aead->key_len = s->key_len;
        rc = 0;
    }
    OPENSSL_cleanse(early, sizeof early), OPENSSL_cleanse(hs, sizeof hs), OPENSSL_cleanse(shs, sizeof shs);
    return rc;
}

/* ---- EncryptedExtensions */

static void take_configs(const ech_config_list_t *l, ech_retry_t *out)
{
    out->status = ECH_RETRY_FOUND;
    out->skipped_versions = l->skipped_versions;
    for (size_t i = 0; i < l->nconfigs && out->nconfigs < ECH_RETRY_MAX_CONFIGS; i++) {
        const ech_config_t *c = &l->configs[i];
        ech_retry_config_t *r = &out->configs[out->nconfigs++];
        r->config_id = c->config_id;
        r->kem_id = c->kem_id;
        snprintf(r->public_name, sizeof r->public_name, "%s", c->public_name);
        for (size_t j = 0; j < c->nsuites && r->nsuites < ECH_RETRY_MAX_SUITES; j++, r->nsuites++)
            r->kdf_id[r->nsuites] = c->suites[j].kdf_id, r->aead_id[r->nsuites] = c->suites[j].aead_id;
    }
    snprintf(out->why, sizeof out->why, "the server's EncryptedExtensions carry retry_configs (%zu of version 0xfe0d)",
             l->nconfigs);
}

void ech_retry_from_plaintext(const uint8_t *pt, size_t n, ech_retry_t *out)
{
    memset(out, 0, sizeof *out);
    while (n > 0 && pt[n - 1] == 0)
        n--;
    if (n == 0 || pt[n - 1] != TLS_CONTENT_HANDSHAKE) {
        failf(out, "the first encrypted record is not a handshake record");
        return;
    }
    n--;
    if (n < 4 || pt[0] != TLS_HS_ENCRYPTED_EXTENSIONS) {
        failf(out, "the first encrypted message is not EncryptedExtensions");
        return;
    }
    size_t body = (size_t)pt[1] << 16 | (size_t)pt[2] << 8 | pt[3];
    /* EncryptedExtensions may share the record with what follows; it must fit in it. */
    if (body < 2 || 4 + body > n || 2 + ((size_t)pt[4] << 8 | pt[5]) != body) {
        failf(out, "EncryptedExtensions malformed (lengths)");
        return;
    }
    size_t off = 6, end = 4 + body;
    while (off + 4 <= end) {
        uint16_t type = (uint16_t)(pt[off] << 8 | pt[off + 1]);
        size_t len = (size_t)pt[off + 2] << 8 | pt[off + 3];
        if (off + 4 + len > end)
            break;
        if (type == ECH_EXT_ENCRYPTED_CLIENT_HELLO) {
            ech_config_list_t l;
            char why[160];
            if (!ech_config_list_parse(pt + off + 4, len, &l, why, sizeof why)) {
                out->status = ECH_RETRY_FAILED;
                snprintf(out->why, sizeof out->why, "retry_configs malformed: %s", why);
                return;
            }
            take_configs(&l, out);
            ech_config_list_free(&l);
            return;
        }
        off += 4 + len;
    }
    if (off != end) {
        failf(out, "EncryptedExtensions malformed (an extension overruns it)");
        return;
    }
    out->status = ECH_RETRY_NONE;
    snprintf(out->why, sizeof out->why, "server sent none: no encrypted_client_hello in its EncryptedExtensions");
}

static const tls_suite_t *find_suite(uint16_t cipher)
{
    for (size_t i = 0; i < sizeof tls_suites / sizeof tls_suites[0]; i++)
        if (tls_suites[i].cipher == cipher)
            return &tls_suites[i];
    return NULL;
}

void ech_retry_configs(const ech_hello_t *h, const uint8_t *sh_msg, size_t sh_len, const ech_key_share_t *keys,
                       size_t nkeys, const uint8_t *record, size_t record_len, ech_retry_t *out)
{
    memset(out, 0, sizeof *out);
    wire_server_hello_t sh;
    char perr[160];
    const tls_suite_t *s;
    const ech_key_share_t *k = NULL;
    if (sh_len < 4 || wire_parse_server_hello(sh_msg + 4, sh_len - 4, &sh, perr, sizeof perr) != WIRE_OK) {
        failf(out, "the ServerHello does not parse");
        return;
    }
    if (sh.version != WIRE_TLS13 || !(s = find_suite(sh.cipher))) {
        failf(out, "the server chose no TLS 1.3 suite this prober decrypts (0x%04x)", sh.cipher);
        return;
    }
    for (size_t i = 0; i < nkeys && !k; i++)
        if (sh.has_key_share && keys[i].group == sh.key_share_group)
            k = &keys[i];
    if (!k) {
        failf(out, "the server's key share (group %u) is not one whose private key the prober kept",
              (unsigned)sh.key_share_group);
        return;
    }
    uint8_t ecdhe[66], th[64], pt[TLS_MAX_CIPHERTEXT];
    size_t ecdhe_len = 32;
    if (group_kem(k->group) ? hpke_dh_serialized(group_kem(k->group), k->sk, k->sk_len, sh.key_share,
                                                 sh.key_share_len, ecdhe) != HPKE_OK
                            : ec_dh(k, sh.key_share, sh.key_share_len, ecdhe, &ecdhe_len) != 0) {
        failf(out, "the server's key share is not a valid key of group %u", (unsigned)k->group);
        return;
    }
    hpke_ctx_t aead;
    memset(&aead, 0, sizeof aead);
    size_t pt_len;
    const uint8_t *outer = h->record + WIRE_RECORD_HEADER;
    if (digest(s, h->outer_prefix, h->outer_prefix_len, outer, h->record_len - WIRE_RECORD_HEADER, sh_msg, sh_len,
               th) != 0 ||
        server_hs_keys(s, ecdhe, ecdhe_len, th, &aead) != 0)
        failf(out, "the key schedule failed");
    else if (record_len < 5 + HPKE_TAG_LEN || record[0] != TLS_CONTENT_APPLICATION_DATA ||
             5 + ((size_t)record[3] << 8 | record[4]) != record_len || record_len - 5 > TLS_MAX_CIPHERTEXT)
        failf(out, "the record after the ServerHello is not an encrypted record");
    else if (hpke_open(&aead, record, 5, record + 5, record_len - 5, pt, sizeof pt, &pt_len) != HPKE_OK)
        failf(out, "the first encrypted record does not authenticate under the outer handshake keys");
    else
        ech_retry_from_plaintext(pt, pt_len, out);
    OPENSSL_cleanse(ecdhe, sizeof ecdhe);
    hpke_ctx_clear(&aead);
    OPENSSL_cleanse(pt, sizeof pt);
}
