/* HPKE (RFC 9180) base mode on OpenSSL 3.0's EVP primitives, which have no HPKE API before 3.2:
 * the sender side that Encrypted Client Hello needs (SetupBaseS, then Seal with the sequence
 * number kept in the context), the recipient side (SetupBaseR, Open) so tests and a lab
 * responder can check what the sender produced, and Export.
 *
 * Suites: KEMs DHKEM(P-256, HKDF-SHA256) and DHKEM(X25519, HKDF-SHA256); KDFs HKDF-SHA256/384/
 * 512; AEADs AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 (every combination).
 *
 * Every length is bounded (HPKE_MAX_*), every failure is returned as an HPKE_ERR_* code, and
 * there is no global state: a context belongs to its caller, so separate contexts may be used
 * from separate threads. Secrets in a context are wiped by hpke_ctx_clear. */
#ifndef TLSPROBE_HPKE_H
#define TLSPROBE_HPKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IANA HPKE identifiers (RFC 9180 7.1-7.3). */
#define HPKE_KEM_P256_SHA256 0x0010
#define HPKE_KEM_X25519_SHA256 0x0020
#define HPKE_KDF_HKDF_SHA256 0x0001
#define HPKE_KDF_HKDF_SHA384 0x0002
#define HPKE_KDF_HKDF_SHA512 0x0003
#define HPKE_AEAD_AES_128_GCM 0x0001
#define HPKE_AEAD_AES_256_GCM 0x0002
#define HPKE_AEAD_CHACHA20_POLY1305 0x0003

/* Sizes of the supported algorithms' values (the largest of each kind). */
#define HPKE_MAX_ENC 65      /* Nenc: an uncompressed P-256 point (X25519: 32) */
#define HPKE_MAX_PK 65       /* Npk */
#define HPKE_MAX_SK 32       /* Nsk */
#define HPKE_SECRET_LEN 32   /* Nsecret of both KEMs */
#define HPKE_MAX_KEY 32      /* Nk */
#define HPKE_NONCE_LEN 12    /* Nn of every supported AEAD */
#define HPKE_TAG_LEN 16      /* Nt of every supported AEAD */
#define HPKE_MAX_HASH 64     /* Nh: SHA-512 */

/* Input bounds. info must hold ECH's "tls ech" 0x00 || ECHConfig (at most 4 + 65535 bytes). */
#define HPKE_MAX_INFO (65536 + 64)
#define HPKE_MAX_IKM 256             /* DeriveKeyPair input keying material */
#define HPKE_MAX_AAD (1u << 20)
#define HPKE_MAX_MSG (1u << 20)      /* plaintext of one Seal/Open */
#define HPKE_MAX_EXPORT_CONTEXT 256  /* Export's L is at most 255 * Nh */

enum {
    HPKE_OK = 0,
    HPKE_ERR_SUITE,     /* a KEM, KDF or AEAD identifier this module does not implement */
    HPKE_ERR_LENGTH,    /* an input or output length outside its bound, or a buffer too small */
    HPKE_ERR_KEY,       /* a public or private key that is not a valid key of the KEM */
    HPKE_ERR_DH,        /* the Diffie-Hellman result is invalid (X25519 all-zero output) */
    HPKE_ERR_DERIVE,    /* DeriveKeyPair found no valid P-256 scalar in 256 candidates */
    HPKE_ERR_SEQ,       /* the sequence number would overflow (MessageLimitReachedError) */
    HPKE_ERR_OPEN,      /* Open: the ciphertext does not authenticate */
    HPKE_ERR_CRYPTO,    /* OpenSSL failed (out of memory, a provider without the algorithm) */
};

typedef struct hpke_suite {
    uint16_t kem_id;
    uint16_t kdf_id;
    uint16_t aead_id;
} hpke_suite_t;

/* The encryption context of RFC 9180 5.2, plus the values the test vectors check. */
typedef struct hpke_ctx {
    hpke_suite_t suite;
    uint8_t key[HPKE_MAX_KEY];
    size_t key_len;
    uint8_t base_nonce[HPKE_NONCE_LEN];
    uint64_t seq;                               /* the next message's sequence number */
    uint8_t exporter_secret[HPKE_MAX_HASH];
    size_t exporter_secret_len;
    uint8_t shared_secret[HPKE_SECRET_LEN];     /* the KEM's output, kept for tests */
} hpke_ctx_t;

/* A message for an HPKE_ERR_* code (static). */
const char *hpke_strerror(int err);

/* True when every identifier of the suite is implemented. */
bool hpke_suite_supported(const hpke_suite_t *suite);
/* Nenc (= Npk) of a KEM, Nk of an AEAD, Nh of a KDF; 0 for an unsupported identifier. */
size_t hpke_kem_enc_len(uint16_t kem_id);
size_t hpke_aead_key_len(uint16_t aead_id);
size_t hpke_kdf_hash_len(uint16_t kdf_id);

/* DeriveKeyPair (RFC 9180 7.1.3): the serialized private key (Nsk bytes) and public key (Npk
 * bytes) derived from ikm. sk and pk must hold HPKE_MAX_SK and HPKE_MAX_PK bytes. */
int hpke_derive_key_pair(uint16_t kem_id, const uint8_t *ikm, size_t ikm_len, uint8_t *sk, size_t *sk_len,
                         uint8_t *pk, size_t *pk_len);

/* SetupBaseS: encapsulates to the recipient's serialized public key pkR with a fresh ephemeral
 * key and runs the key schedule with info. enc (HPKE_MAX_ENC bytes) receives the encapsulated
 * key to send; ctx is ready to Seal. On error ctx is cleared. */
int hpke_setup_base_s(const hpke_suite_t *suite, const uint8_t *pkR, size_t pkR_len, const uint8_t *info,
                      size_t info_len, uint8_t *enc, size_t *enc_len, hpke_ctx_t *ctx);
/* The same with the ephemeral key derived from ikmE (DeriveKeyPair), as in the test vectors.
 * Deterministic: for tests only, never for a real exchange. */
int hpke_setup_base_s_derand(const hpke_suite_t *suite, const uint8_t *pkR, size_t pkR_len, const uint8_t *info,
                             size_t info_len, const uint8_t *ikmE, size_t ikmE_len, uint8_t *enc, size_t *enc_len,
                             hpke_ctx_t *ctx);
/* SetupBaseR: decapsulates enc with the recipient's serialized private key skR. */
int hpke_setup_base_r(const hpke_suite_t *suite, const uint8_t *enc, size_t enc_len, const uint8_t *skR,
                      size_t skR_len, const uint8_t *info, size_t info_len, hpke_ctx_t *ctx);

/* Seal: ct (pt_len + HPKE_TAG_LEN bytes, at most ct_cap) = AEAD(key, base_nonce ^ seq, aad, pt);
 * the sequence number advances only on success. */
int hpke_seal(hpke_ctx_t *ctx, const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *ct,
              size_t ct_cap, size_t *ct_len);
/* Open: the inverse; HPKE_ERR_OPEN when ct does not authenticate (seq is then unchanged). */
int hpke_open(hpke_ctx_t *ctx, const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *pt,
              size_t pt_cap, size_t *pt_len);
/* Export (RFC 9180 5.3): L bytes of secret bound to exporter_context. */
int hpke_export(const hpke_ctx_t *ctx, const uint8_t *exporter_context, size_t context_len, uint8_t *out, size_t L);

/* DH(sk, pk) of a KEM's serialized private key and a peer's serialized public key: 32 bytes
 * (the X25519 output, the P-256 x-coordinate), which is also TLS 1.3's (EC)DHE shared secret for
 * x25519 and secp256r1 key shares (same encodings). HPKE_ERR_KEY for a key that is not valid. */
int hpke_dh_serialized(uint16_t kem_id, const uint8_t *sk, size_t sk_len, const uint8_t *pk, size_t pk_len,
                       uint8_t out[HPKE_SECRET_LEN]);

/* Wipes the context's secrets. */
void hpke_ctx_clear(hpke_ctx_t *ctx);

/* One HKDF call (OpenSSL's EVP_KDF "HKDF") in mode EVP_KDF_HKDF_MODE_EXTRACT_ONLY or
 * EXPAND_ONLY with digest md ("SHA256"); salt and info may be NULL. HPKE_OK or HPKE_ERR_CRYPTO.
 * Shared with the ECH acceptance check, which derives from the same primitive. */
int hpke_hkdf(int mode, const char *md, const uint8_t *key, size_t key_len, const uint8_t *salt, size_t salt_len,
              const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len);

#endif
