/* SVCB / HTTPS resource record RDATA (RFC 9460) as DNS returns it (c-ares 1.18 hands over the
 * raw bytes): SvcPriority, TargetName and the SvcParams, with the keys tlsprobe uses decoded
 * (mandatory, alpn, no-default-alpn, port, ipv4hint, ech, ipv6hint) and the others kept raw.
 * Also the owner name to ask for an HTTPS record of host:port.
 *
 * Malformed RDATA (RFC 9460 2.2 and 7-8: wrong lengths, keys out of order, a value of the wrong
 * form for its key, a mandatory key missing) is rejected whole with a reason. The parsed
 * record owns a copy of its RDATA; every pointer in it points into that copy. */
#ifndef TLSPROBE_SVCB_H
#define TLSPROBE_SVCB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SVCB_KEY_MANDATORY 0
#define SVCB_KEY_ALPN 1
#define SVCB_KEY_NO_DEFAULT_ALPN 2
#define SVCB_KEY_PORT 3
#define SVCB_KEY_IPV4HINT 4
#define SVCB_KEY_ECH 5
#define SVCB_KEY_IPV6HINT 6

#define SVCB_RDATA_MAX 65535
/* A wire name is at most 255 bytes; as text every byte may take 4 characters, plus the dots. */
#define SVCB_NAME_TEXT (4 * 255 + 2)

typedef struct svcb_param {
    uint16_t key;
    const uint8_t *value;
    size_t len;
} svcb_param_t;

typedef struct svcb_alpn {
    const uint8_t *id;
    size_t len;
} svcb_alpn_t;

typedef struct svcb {
    uint8_t *data;                 /* owned copy of the RDATA */
    size_t data_len;
    uint16_t priority;
    bool alias_mode;               /* SvcPriority 0 */
    char target[SVCB_NAME_TEXT];   /* presentation form, absolute ("foo.example.", "." for the
                                    * root); ".", \DDD and the zone-file specials escaped */
    bool target_is_root;           /* ServiceMode: the owner name; AliasMode: no service */
    size_t alias_params_ignored;   /* AliasMode: bytes of SvcParams, ignored as RFC 9460 2.4.2 says */
    svcb_param_t *params;          /* ServiceMode: every SvcParam in wire (increasing key) order */
    size_t nparams;
    /* the known keys, decoded */
    uint16_t *mandatory;
    size_t nmandatory;
    svcb_alpn_t *alpn;
    size_t nalpn;
    bool no_default_alpn;
    bool has_port;
    uint16_t port;
    const uint8_t *ipv4hint;       /* nipv4hint addresses of 4 bytes */
    size_t nipv4hint;
    const uint8_t *ipv6hint;       /* nipv6hint addresses of 16 bytes */
    size_t nipv6hint;
    bool has_ech;
    const uint8_t *ech;            /* the ECHConfigList, raw (ech_config_list_parse reads it) */
    size_t ech_len;
} svcb_t;

/* Parses RDATA. On failure returns false, leaves *out empty and says why (why may be NULL). */
bool svcb_parse(const uint8_t *rdata, size_t len, svcb_t *out, char *why, size_t why_cap);
void svcb_free(svcb_t *rec);
/* The value of key, or NULL when the record has no such SvcParam. */
const svcb_param_t *svcb_find(const svcb_t *rec, uint16_t key);

/* The owner name of host:port's HTTPS record (RFC 9460 9.1): host itself for port 443,
 * "_PORT._https.HOST" otherwise. False when host is empty or out is too small. */
bool svcb_https_owner(const char *host, unsigned port, char *out, size_t cap);

#endif
