/* ECHConfigList (RFC 9849 section 4, the encrypted_client_hello draft's version 0xfe0d): a
 * bounded parser and the strict base64 form that DNS presentation and --ech-config-list use.
 *
 * A list is rejected whole, with a reason, when any length in it disagrees with the bytes
 * present; configs of other versions are skipped and counted, as clients must skip them. The
 * parsed list owns a copy of its input and every pointer in it points into that copy, so it
 * lives until ech_config_list_free. Nothing is allocated beyond a small multiple of the input
 * size, whatever lengths the input claims. */
#ifndef TLSPROBE_ECH_CONFIG_H
#define TLSPROBE_ECH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ECH_CONFIG_VERSION 0xfe0d
/* The list is ECHConfig ECHConfigList<4..2^16-1>: a 2-byte length and at most 65535 bytes. */
#define ECH_LIST_MAX_INPUT (2 + 65535)
#define ECH_PUBLIC_NAME_TEXT (4 * 255 + 1) /* public_name<1..255> with every byte escaped */

typedef struct ech_suite {
    uint16_t kdf_id;
    uint16_t aead_id;
} ech_suite_t;

typedef struct ech_config {
    const uint8_t *raw;            /* the whole ECHConfig (version, length, contents): HPKE's */
    size_t raw_len;                /* info is "tls ech" 0x00 || raw (RFC 9849 6.1) */
    uint16_t version;              /* ECH_CONFIG_VERSION */
    uint8_t config_id;
    uint16_t kem_id;
    const uint8_t *public_key;
    size_t public_key_len;
    const ech_suite_t *suites;     /* HpkeSymmetricCipherSuite list, in order */
    size_t nsuites;
    uint8_t maximum_name_length;
    char public_name[ECH_PUBLIC_NAME_TEXT]; /* printable ASCII as is, other bytes as \DDD */
    bool public_name_valid;        /* LDH labels, no leading or trailing dot, and the last label
                                    * not an IPv4-like number: clients ignore the config otherwise */
    const uint8_t *extensions;     /* the extensions list body, raw */
    size_t extensions_len;
    size_t nextensions;
    bool mandatory_extension;      /* an extension type with the high bit set: a client that does
                                    * not support it must ignore the config */
    uint16_t first_mandatory_type;
} ech_config_t;

typedef struct ech_config_list {
    uint8_t *data;                 /* owned copy of the input */
    size_t data_len;
    ech_config_t *configs;         /* the version-0xfe0d configs, in list order */
    size_t nconfigs;
    ech_suite_t *suite_store;
    size_t skipped_versions;       /* configs of other versions, skipped */
    uint16_t first_skipped_version;
} ech_config_list_t;

/* Parses an ECHConfigList in wire form (its 2-byte length first). On failure returns false,
 * leaves *out empty and says why (why may be NULL). A list whose configs all have other
 * versions parses, with nconfigs 0. */
bool ech_config_list_parse(const uint8_t *buf, size_t len, ech_config_list_t *out, char *why, size_t why_cap);
void ech_config_list_free(ech_config_list_t *list);

/* Strict base64 (RFC 4648 section 4, padded, canonical: decoding and encoding again gives the
 * text back) of at most ECH_LIST_MAX_INPUT bytes; whitespace around the text is ignored,
 * inside it is not. *out is malloc'd; false with a reason on any other input. */
bool ech_config_list_from_base64(const char *text, uint8_t **out, size_t *out_len, char *why, size_t why_cap);

#endif
