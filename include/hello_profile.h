/* The ClientHello a probe sends for one protocol version: the same extensions a capable
 * client sends (SNI, every usable group and signature scheme, key shares for TLS 1.3), so
 * that servers answer it as they would answer a browser. Probes choose only the suites
 * (and, for group enumeration, the groups). */
#ifndef TLSPROBE_HELLO_PROFILE_H
#define TLSPROBE_HELLO_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* More than every registry suite, group and signature scheme. */
#define HELLO_MAX_CODES 1024

typedef struct hello_profile {
    uint16_t version;
    uint16_t suites[HELLO_MAX_CODES];
    size_t nsuites;
    uint16_t groups[HELLO_MAX_CODES];
    size_t ngroups;
    uint16_t sigalgs[HELLO_MAX_CODES];
    size_t nsigalgs;
    uint16_t versions[5];
    wire_key_share_t shares[2];
    wire_hello_opts_t opts;   /* points into this struct: do not copy a profile */
} hello_profile_t;

/* A hello for exactly one version (WIRE_SSL3 .. WIRE_TLS13) with no suites yet. */
void hello_profile_init(hello_profile_t *p, const char *sni, uint16_t version);
/* A hello offering every version from TLS 1.3 down to SSLv3 in supported_versions (what a
 * server picks from it is its preferred version), with no suites yet. */
void hello_profile_init_all_versions(hello_profile_t *p, const char *sni);
/* Offers these suites (plus the renegotiation SCSV below TLS 1.3). */
void hello_profile_set_suites(hello_profile_t *p, const uint16_t *suites, size_t n);
/* Replaces supported_groups (TLS 1.3: key shares are sent only for x25519 and secp256r1
 * when listed; with no_key_shares an empty key_share list makes the server name its choice
 * in a HelloRetryRequest). */
void hello_profile_set_groups(hello_profile_t *p, const uint16_t *groups, size_t n, bool no_key_shares);

/* Replaces signature_algorithms (TLS 1.2 and up). */
void hello_profile_set_sigalgs(hello_profile_t *p, const uint16_t *sigalgs, size_t n);

/* Trims the extensions to what a short hello needs (the first groups and signature schemes,
 * unless told to keep that list whole; one key share), for servers that drop long ClientHellos. */
void hello_profile_compact(hello_profile_t *p, bool keep_groups, bool keep_sigalgs);

/* Name of a TLS 1.2 hash/signature pair that is not in the SignatureScheme registry
 * ("rsa_sha224", "dsa_sha256"), or NULL. */
const char *hello_legacy_sigalg_name(uint16_t code);

/* Removes code from list (offer-and-remove); false when it was not there: the server picked
 * something that was not offered. */
bool codes_take(uint16_t *list, size_t *n, uint16_t code);

/* Splits suites (in offer order) into parts for a server that closed on them all: by key
 * exchange first (ECDHE, DHE, RSA, the rest; with two_families only ECDHE and the rest), since a
 * server that closes on some picks usually cannot do one key exchange; a single family is
 * halved. Writes the parts one after another to out (each in offer order) and the end of each
 * part to ends; returns the number of parts (at most 4; 1 only when n < 2). */
size_t hello_split_suites(const uint16_t *suites, size_t n, bool two_families, uint16_t *out, size_t ends[4]);

/* Every group a client could offer in this version, classical before post-quantum. */
size_t hello_usable_groups(uint16_t version, uint16_t *out, size_t cap);

#endif
