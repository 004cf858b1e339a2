/* The Strict-Transport-Security header value (RFC 6797 6.1): directives separated by ';',
 * each a token with an optional token or quoted-string value; max-age required, every
 * directive at most once. Pure: no network. */
#ifndef TLSPROBE_HSTS_H
#define TLSPROBE_HSTS_H

#include <stdbool.h>
#include <stdint.h>

/* One year: what HSTS preload lists and ASVS expect as the least max-age. */
#define HSTS_MIN_MAX_AGE 31536000ULL

typedef struct hsts_policy {
    bool valid;               /* the whole value conforms (a UA would honour it) */
    bool has_max_age;         /* a well-formed max-age was seen */
    uint64_t max_age;         /* seconds (saturates at UINT64_MAX) */
    bool include_subdomains;
    bool preload;
    char error[160];          /* the first problem, "" when valid */
} hsts_policy_t;

/* Parses value (NUL-terminated). Directives seen before or after a problem are still
 * recorded, except after a syntax error, where parsing stops. Returns out->valid. */
bool hsts_parse(const char *value, hsts_policy_t *out);

#endif
