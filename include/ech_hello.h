/* Encrypted Client Hello (RFC 9849) on the client side, over the wire codec and HPKE: choosing
 * a config from an ECHConfigList, building ClientHelloInner / EncodedClientHelloInner /
 * ClientHelloOuter with the sealed payload, checking a server's acceptance confirmation in its
 * ServerHello or HelloRetryRequest, and GREASE ECH hellos. Pure functions over byte buffers (no
 * sockets): the ech probe sends what is built here and hands the answer back.
 *
 * Everything read from the network (ServerHello bytes) is bounded by its buffer: a message that
 * does not parse gives ECH_UNDECIDED with a reason, never a read past it. */
#ifndef TLSPROBE_ECH_HELLO_H
#define TLSPROBE_ECH_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define ECH_EXT_ENCRYPTED_CLIENT_HELLO 0xfe0d
#define ECH_EXT_OUTER_EXTENSIONS 0xfd00
#define ECH_VERSION 0xfe0d
enum { ECH_CLIENT_HELLO_OUTER = 0, ECH_CLIENT_HELLO_INNER = 1 };
/* The confirmation is the last 8 bytes of ServerHello.random, or an HRR extension's payload. */
#define ECH_CONFIRMATION_LEN 8
#define ECH_MAX_PUBLIC_KEY 65
#define ECH_MAX_ENC 65
#define ECH_PUBLIC_NAME_MAX (4 * 255 + 1)

/* ---- configs */

/* The config a client would use: the first of the list with version 0xfe0d, a supported KEM
 * (X25519 or P-256), a supported HPKE suite (its first one, in the list's order), no mandatory
 * extension this client does not know, and a valid public_name. */
typedef struct ech_pick {
    uint8_t config_id;
    uint16_t kem_id, kdf_id, aead_id;
    uint8_t maximum_name_length;
    char public_name[ECH_PUBLIC_NAME_MAX];
    uint8_t public_key[ECH_MAX_PUBLIC_KEY];
    size_t public_key_len;
    uint8_t *config;          /* the whole ECHConfig (owned): HPKE's info is "tls ech" 0 || config */
    size_t config_len;
} ech_pick_t;

typedef enum {
    ECH_PICK_OK = 0,
    ECH_PICK_MALFORMED,       /* the list does not parse */
    ECH_PICK_NONE,            /* it parses, but no config is usable (why says which and why) */
    ECH_PICK_ERROR,           /* out of memory */
} ech_pick_status_t;

ech_pick_status_t ech_pick_config(const uint8_t *list, size_t len, ech_pick_t *out, char *why, size_t why_cap);
void ech_pick_free(ech_pick_t *p);

/* An ECHConfigList given as base64 text or as its wire bytes (a file's contents, either form):
 * *out (malloc'd) holds the wire bytes, which parse as an ECHConfigList. False with why else. */
bool ech_list_decode(const uint8_t *data, size_t len, uint8_t **out, size_t *out_len, char *why, size_t why_cap);
/* Strict base64 (RFC 4648) of an ECHConfigList, as in DNS presentation form. */
bool ech_list_from_base64(const char *text, uint8_t **out, size_t *out_len, char *why, size_t why_cap);

/* ---- hellos */

typedef struct ech_hello {
    uint8_t record[WIRE_HELLO_MAX + WIRE_RECORD_HEADER]; /* ClientHelloOuter as a record: send it */
    size_t record_len;
    uint8_t inner[WIRE_HELLO_MAX]; /* ClientHelloInner, the handshake message with the outer's
                                    * legacy_session_id: the transcript's first message */
    size_t inner_len;
    uint8_t inner_random[WIRE_RANDOM_LEN];
    size_t encoded_len;            /* EncodedClientHelloInner, padding included */
    size_t padding_len;            /* its zero padding (RFC 9849 6.1.3) */
    size_t payload_len;            /* encoded_len + the AEAD tag */
    size_t payload_off;            /* offset of the payload in aad (and in the record, + 9) */
    uint8_t *aad;                  /* ClientHelloOuterAAD (malloc'd): the outer ClientHello, no
                                    * handshake header, the payload zeroed */
    size_t aad_len;
    uint8_t enc[ECH_MAX_ENC];
    size_t enc_len;                /* 0 in a second hello (RFC 9849 6.1.5) */
    uint8_t outer_random[WIRE_RANDOM_LEN];
    uint8_t session_id[WIRE_MAX_SESSION_ID];
    struct hpke_ctx *hpke;         /* the HPKE context (malloc'd): a second hello seals with it */
    /* A second hello only: Hash(ClientHello1) as message_hash || HelloRetryRequest (RFC 8446
     * 4.4.1), the transcript before it, of the inner (prefix) and the outer (outer_prefix). */
    uint8_t *prefix, *outer_prefix;
    size_t prefix_len, outer_prefix_len;
} ech_hello_t;

/* Builds the ECH hellos for config p: the inner from inner_opts (the real SNI; the inner ECH
 * extension is added), the outer from outer_opts (its SNI should be p's public_name; the outer
 * ECH extension is added last). Both need TLS 1.3 in supported_versions; their random, session
 * id and padding are set here. 0, or -1 with err. Free with ech_hello_free. */
int ech_build_hello(const ech_pick_t *p, const wire_hello_opts_t *inner_opts, const wire_hello_opts_t *outer_opts,
                    ech_hello_t *out, char *err, size_t errlen);
void ech_hello_free(ech_hello_t *h);

/* The second hello after a HelloRetryRequest hrr (its 4-byte header included) answered
 * first (RFC 9849 6.1.5): ClientHelloInner2 and ClientHelloOuter2 from the same options (the
 * caller puts the key share the HRR asked for in both), the randoms and session id of the
 * first, the HRR's cookie echoed in both, and an ECH extension with the same config id and
 * suite, an empty enc and the payload sealed with first's HPKE context (its next sequence
 * number). ech_check_answer then decides from the ServerHello that follows. 0, or -1 with
 * err (an HRR that does not parse, a suite that is not TLS 1.3's). */
int ech_build_hello2(ech_hello_t *first, const ech_pick_t *p, const wire_hello_opts_t *inner_opts,
                     const wire_hello_opts_t *outer_opts, const uint8_t *hrr, size_t hrr_len, ech_hello_t *out,
                     char *err, size_t errlen);

/* The zero padding after an EncodedClientHelloInner of inner_len bytes (RFC 9849 6.1.3): to
 * maximum_name_length for the server name (sni_len 0: none sent), then to a multiple of 32. */
size_t ech_padding_len(size_t inner_len, size_t sni_len, uint8_t maximum_name_length);

/* A hello built from opts (TLS 1.3, the real SNI) with a GREASE ECH extension (RFC 9849 6.2): a
 * random config_id, HPKE suite (HKDF-SHA256, AES-128-GCM), a fresh X25519 enc, and a random
 * payload as long as a real one for this hello would be. 0, or -1 with err. */
int ech_build_grease(const wire_hello_opts_t *opts, uint8_t *out, size_t cap, size_t *out_len, char *err,
                     size_t errlen);

/* ---- the server's answer */

typedef enum { ECH_REJECTED = 0, ECH_ACCEPTED = 1, ECH_UNDECIDED = -1 } ech_verdict_t;

/* The 8-byte confirmation for a TLS 1.3 suite's hash: HKDF-Expand-Label(HKDF-Extract(0,
 * inner_random), label, Hash(transcript), 8). label: "ech accept confirmation" or "hrr ech
 * accept confirmation". 0, or -1 for a suite that is not TLS 1.3's or a crypto failure. */
int ech_confirmation(uint16_t cipher, const uint8_t inner_random[WIRE_RANDOM_LEN], const char *label,
                     const uint8_t *transcript, size_t transcript_len, uint8_t out[ECH_CONFIRMATION_LEN]);

/* Whether the server accepted ECH, from its first handshake message msg (the ServerHello or
 * HelloRetryRequest with its 4-byte header, as received): a ServerHello whose random ends in
 * the confirmation over ClientHelloInner || ServerHello (those 8 bytes zeroed); an HRR whose
 * ECH extension holds the HRR confirmation over ClientHelloInner || HRR (that payload zeroed),
 * a rejection when it has none. For a second hello (h->prefix) the transcript starts with the
 * prefix, and another HRR is undecided. why says what was seen. */
ech_verdict_t ech_check_answer(const ech_hello_t *h, const uint8_t *msg, size_t msg_len, char *why, size_t why_cap);

/* ---- retry_configs: the outer handshake's EncryptedExtensions after a rejection */

/* A client key share whose private half is kept, so that the outer handshake's keys can be
 * computed when the server answers the outer hello: x25519 (29), secp256r1 (23), secp384r1
 * (24) or secp521r1 (25; the groups a HelloRetryRequest may ask for), in TLS's encodings. */
#define ECH_MAX_SHARE 133 /* an uncompressed P-521 point */
typedef struct ech_key_share {
    uint16_t group;
    uint8_t sk[66];
    size_t sk_len;
    uint8_t pk[ECH_MAX_SHARE];
    size_t pk_len;
} ech_key_share_t;

/* A fresh key pair for group (29, 23, 24 or 25); -1 (and *k zeroed, group 0) for another
 * group or a crypto failure. */
int ech_key_share_new(uint16_t group, ech_key_share_t *k);
void ech_key_share_clear(ech_key_share_t *k);

#define ECH_RETRY_MAX_CONFIGS 8
#define ECH_RETRY_MAX_SUITES 8

typedef struct ech_retry_config {
    uint8_t config_id;
    uint16_t kem_id;
    char public_name[ECH_PUBLIC_NAME_MAX];
    uint16_t kdf_id[ECH_RETRY_MAX_SUITES], aead_id[ECH_RETRY_MAX_SUITES];
    size_t nsuites;
} ech_retry_config_t;

typedef enum {
    ECH_RETRY_NOT_TRIED = 0,  /* nothing looked at (a zeroed ech_retry_t) */
    ECH_RETRY_FOUND,          /* EncryptedExtensions decrypted, retry_configs parsed: configs */
    ECH_RETRY_NONE,           /* decrypted, no encrypted_client_hello extension in it */
    ECH_RETRY_FAILED,         /* not decrypted or malformed: why */
} ech_retry_status_t;

typedef struct ech_retry {
    ech_retry_status_t status;
    ech_retry_config_t configs[ECH_RETRY_MAX_CONFIGS]; /* the 0xfe0d configs, in list order */
    size_t nconfigs;
    size_t skipped_versions;  /* configs of other versions */
    char why[200];
} ech_retry_t;

/* The server answered the outer hello of h (sh: its ServerHello, 4-byte header included):
 * completes the outer TLS 1.3 key schedule (RFC 8446 7.1) from the ServerHello's key share and
 * ours (keys), over the transcript h->outer_prefix || ClientHelloOuter || ServerHello, derives
 * the server handshake traffic key and IV, decrypts record (the first application_data record
 * after the ServerHello, header included) and reads the EncryptedExtensions it holds: its
 * encrypted_client_hello extension is the server's retry_configs (RFC 9849 7.1), parsed as
 * an ECHConfigList. Every length is checked against the bytes present; out says what was found. */
void ech_retry_configs(const ech_hello_t *h, const uint8_t *sh, size_t sh_len, const ech_key_share_t *keys,
                       size_t nkeys, const uint8_t *record, size_t record_len, ech_retry_t *out);
/* The second half alone: the decrypted record's inner plaintext (content, content type, zero
 * padding; RFC 8446 5.2), which must begin with EncryptedExtensions. */
void ech_retry_from_plaintext(const uint8_t *pt, size_t n, ech_retry_t *out);

#endif
