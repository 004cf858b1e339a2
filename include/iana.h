/* TLS registries: cipher suites, supported groups, signature schemes and SSLv2 cipher kinds,
 * generated at build time from the IANA CSVs in data/ (tools/gen_iana.py). A suite's
 * properties are derived from its structured IANA name, TLS_<kx>_<au>_WITH_<cipher>_<mac>.
 * All tables are read-only and safe to use from any thread. */
#ifndef TLSPROBE_IANA_H
#define TLSPROBE_IANA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Signalling cipher suite values: not suites, so not in iana_suites. */
#define IANA_SCSV_EMPTY_RENEGOTIATION_INFO 0x00FF /* RFC 5746 */
#define IANA_SCSV_FALLBACK 0x5600                 /* RFC 7507 */

/* Protocol versions a suite may be offered in (bitmask). */
enum {
    IANA_V_SSL3 = 1u << 0,
    IANA_V_TLS10 = 1u << 1,
    IANA_V_TLS11 = 1u << 2,
    IANA_V_TLS12 = 1u << 3,
    IANA_V_TLS13 = 1u << 4,
};

typedef struct iana_suite {
    uint16_t code;
    const char *name;      /* IANA name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
    /* Key exchange: NULL RSA DH DHE ECDH ECDHE PSK DHE_PSK RSA_PSK ECDHE_PSK SRP KRB5 ECCPWD
     * GOST, or ANY (TLS 1.3: negotiated by extensions). Anonymous DH/ECDH is DHE/ECDHE. */
    const char *kx;
    /* Authentication: NULL RSA DSS ECDSA ANON PSK SRP KRB5 ECCPWD GOST ANY */
    const char *au;
    const char *cipher;    /* IANA cipher token: "AES_128_GCM", "3DES_EDE_CBC", "RC4_40", "NULL" */
    const char *enc;       /* cipher family: AES 3DES DES RC4 RC2 IDEA SEED CAMELLIA ARIA CHACHA20
                            * SM4 AEGIS ASCON KUZNYECHIK MAGMA GOST28147 NULL */
    const char *mac;       /* MD5 SHA1 SHA256 SHA384 (HMAC), AEAD, GOST (built into the mode), NULL */
    uint16_t key_bits;     /* cipher key size; 3DES counts 168, export grades 40 */
    uint8_t versions;      /* IANA_V_* */
    char recommended;      /* IANA column: 'Y', 'N' or 'D' (discouraged, RFC 9847) */
    bool dtls_ok;
    bool aead;
    bool cbc;
    bool forward_secrecy;  /* ephemeral secrets on both sides */
    bool export_grade;
} iana_suite_t;

typedef struct iana_group {
    uint16_t code;
    const char *name;      /* IANA name, "x25519", "secp256r1", "X25519MLKEM768" */
    const char *kind;      /* "ecdhe", "ffdhe", "hybrid-pq", "pq" */
    uint16_t bits;         /* ecdhe: field size; ffdhe: prime size; hybrid: its classical part;
                            * pq: the ML-KEM parameter set (512/768/1024); 0: unknown */
    char recommended;      /* 'Y', 'N', 'D' */
} iana_group_t;

typedef struct iana_sigscheme {
    uint16_t code;
    const char *name;      /* "rsa_pss_rsae_sha256" */
    char recommended;
} iana_sigscheme_t;

typedef struct iana_sslv2_kind {
    uint32_t code;         /* 3 bytes, 0x010080 */
    const char *name;      /* "SSL_CK_RC4_128_WITH_MD5" */
    uint16_t bits;         /* effective key bits */
    bool export_grade;
    bool in_sslv2_spec;    /* defined by the SSL 2.0 specification (else: OpenSSL extension) */
} iana_sslv2_kind_t;

/* The tables, each sorted by code. */
extern const iana_suite_t iana_suites[];
extern const size_t iana_suites_count;
extern const iana_group_t iana_groups[];
extern const size_t iana_groups_count;
extern const iana_sigscheme_t iana_sigschemes[];
extern const size_t iana_sigschemes_count;
extern const iana_sslv2_kind_t iana_sslv2_kinds[];
extern const size_t iana_sslv2_kinds_count;
/* Indexes into iana_suites, strongest first (the order a client offers them in). */
extern const uint16_t iana_suite_preference[];

/* NULL when unknown. Names are matched exactly. */
const iana_suite_t *iana_suite_by_code(uint16_t code);
const iana_suite_t *iana_suite_by_name(const char *name);
const iana_group_t *iana_group_by_code(uint16_t code);
const iana_group_t *iana_group_by_name(const char *name);
const iana_sigscheme_t *iana_sigscheme_by_code(uint16_t code);
const iana_sigscheme_t *iana_sigscheme_by_name(const char *name);
const iana_sslv2_kind_t *iana_sslv2_kind_by_code(uint32_t code);
const iana_sslv2_kind_t *iana_sslv2_kind_by_name(const char *name);

/* IANA_V_* bit of a wire version (0x0300 SSLv3 ... 0x0304 TLS 1.3); 0 for anything else. */
unsigned iana_version_bit(uint16_t wire_version);

/* Codes of every suite offerable in wire_version, strongest first. Writes at most cap codes
 * to out (out may be NULL when cap is 0) and returns how many there are in all. */
size_t iana_suites_for_version(uint16_t wire_version, uint16_t *out, size_t cap);

/* OpenSSL's name for the suite ("ECDHE-RSA-AES128-GCM-SHA256"), asked of the linked OpenSSL
 * once per process; NULL when that OpenSSL does not know the suite. Thread-safe. */
const char *iana_openssl_name(uint16_t code);

/* Whether the linked OpenSSL enables the suite by default: what servers most often accept,
 * used only to spread work evenly (suite_split.c), never as a finding. Thread-safe. */
bool iana_suite_common(uint16_t code);
/* Whether it is in nginx's default list (OpenSSL's HIGH:!aNULL:!MD5), the other list servers
 * most often serve unchanged; for the same use only. Thread-safe. */
bool iana_suite_high(uint16_t code);

#endif
