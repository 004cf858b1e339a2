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
    size_t enc_len;
} ech_hello_t;

/* Builds the ECH hellos for config p: the inner from inner_opts (the real SNI; the inner ECH
 * extension is added), the outer from outer_opts (its SNI should be p's public_name; the outer
 * ECH extension is added last). Both need TLS 1.3 in supported_versions; their random, session
 * id and padding are set here. 0, or -1 with err. Free with ech_hello_free. */
int ech_build_hello(const ech_pick_t *p, const wire_hello_opts_t *inner_opts, const wire_hello_opts_t *outer_opts,
                    ech_hello_t *out, char *err, size_t errlen);
void ech_hello_free(ech_hello_t *h);

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
 * a rejection when it has none. why says what was seen. */
ech_verdict_t ech_check_answer(const ech_hello_t *h, const uint8_t *msg, size_t msg_len, char *why, size_t why_cap);

#endif
