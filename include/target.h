/* A target is what the user asked to probe, before name resolution. */
#ifndef TLSPROBE_TARGET_H
#define TLSPROBE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service.h"

#define TARGET_DEFAULT_PORT 443

typedef struct target {
    char *spec;        /* as written by the user, for reports */
    char *host;        /* DNS name or IP literal (without brackets) */
    uint16_t port;
    char *sni;         /* server name to send; NULL: none (IP literal without --sni) */
    char *ip;          /* probe this address instead of resolving host; NULL: resolve */
    char *ca_file;     /* per-target trust anchors; NULL: run-wide */
    char **pins;       /* SPKI pins, "sha256/BASE64" (RFC 7469 form) */
    size_t npins;
    const service_t *service; /* named by a scheme or starttls:, else known from the port, else NULL */
    uint16_t http_port;       /* cleartext HTTP port to test for an HTTPS target; 0: 80 */
    char *client_cert;        /* PEM client certificate (and key) for mutual TLS; NULL: none */
    char *client_key;
    bool internal;            /* exposure: internal (service to service), else external */
    bool mtls_expected;       /* the service must authenticate its clients with certificates */
    char **tags;
    size_t ntags;
    /* ECHConfigList (wire form) from --ech-config-list or the inventory's ech_config_list:,
     * used instead of DNS HTTPS records; NULL: none given. */
    uint8_t *ech_config_list;
    size_t ech_config_list_len;
    char *ech_config_origin;  /* "option" or "inventory" */
    char *origin;      /* "command line" or "FILE:LINE" */
    size_t index;      /* position in the target list as given (before any selection): the
                        * order reports, merges and shards keep */
} target_t;

typedef struct target_list {
    target_t *items;
    size_t count, cap;
} target_list_t;

/* Parses host, host:port, 1.2.3.4:port, [::1]:port, https://host[:port]/.
 * Returns 0, or -1 with a message in err. */
int target_parse(const char *spec, target_t *out, char *err, size_t errlen);
/* 0 when sni can be sent as a server name (RFC 6066: a host name, not an address, not empty);
 * else -1 with why in err. */
int target_check_sni(const char *sni, char *err, size_t errlen);
int target_set_sni(target_t *t, const char *sni);
int target_set_ip(target_t *t, const char *ip, char *err, size_t errlen);
/* Sets the ECHConfigList from arg: a readable file (relative to dir when dir is given and the
 * path is relative) holding the list in base64 or wire form, else base64 text. origin is
 * "option" or "inventory". -1 with a message in err when it is neither or does not parse. */
int target_set_ech_config_list(target_t *t, const char *arg, const char *dir, const char *origin, char *err,
                               size_t errlen);
void target_free(target_t *t);
/* The target's identity across runs: "host:port/sni=S/ip=A/service=SCHEME" ("-" for none; IPv6
 * hosts in brackets). Resume, diff, merge and sharding match endpoints by it, so it names what
 * was probed, never where it was written. Returns the length it needs, as snprintf. */
int target_identity(const target_t *t, char *buf, size_t len);

target_t *target_list_add(target_list_t *list);
/* Whether two targets are set up alike: trust anchors, client certificate, exposure, mTLS
 * expectation, HTTP port, tags, pins, ECHConfigList. */
bool target_same_settings(const target_t *a, const target_t *b);
/* Called with an earlier target and a later one of the same identity: left_out, the later one
 * repeats the earlier (same settings) and is freed after the call; else both are kept. */
typedef void (*target_dup_fn)(void *arg, const target_t *first, const target_t *again, bool left_out);
/* Leaves out every target that an earlier one repeats, identity and settings alike (one
 * endpoint is probed and reported once), keeping the first and its index. A target of an
 * earlier one's identity but other settings (another http_port, exposure, CA...) is a check of
 * its own and is kept; dup(arg, ..., false) is told of it, as its report id is the earlier one's.
 * dup is called in the list's order. Returns how many were left out, or (size_t)-1 when out of
 * memory (then the list is as it was). */
size_t target_list_dedupe(target_list_t *list, target_dup_fn dup, void *arg);
void target_list_free(target_list_t *list);

/* true when s is an IPv4 or IPv6 literal */
int is_ip_literal(const char *s);

#endif
