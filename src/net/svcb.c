/* SVCB / HTTPS RDATA parsing (RFC 9460; section numbers below are its). Reads go through the
 * bounded reader; a value is accepted only in the exact form its key defines. */
#include "svcb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounded_reader.h"

/* ------------------------------------------------------------------------------------------
 * TargetName: an uncompressed wire name (2.2), as zone-file text (RFC 1035 5.1) */

static size_t escape_label(const uint8_t *p, size_t n, char *out)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c <= 0x20 || c >= 0x7f)
            w += (size_t)sprintf(out + w, "\\%03u", c);
        else if (strchr(".\\\"();@$", c))
            out[w++] = '\\', out[w++] = (char)c;
        else
            out[w++] = (char)c;
    }
    return w;
}

static bool read_target(br_t *r, svcb_t *out, char *why, size_t cap)
{
    size_t wire = 0, w = 0;
    for (;;) {
        unsigned len = br_u8(r);
        if (r->bad)
            return br_fail(why, cap, "TargetName is truncated");
        wire += 1 + len;
        if (wire > 255)
            return br_fail(why, cap, "TargetName is longer than 255 bytes");
        if (len == 0)
            break;
        if (len & 0xC0)
            return br_fail(why, cap, "TargetName label length 0x%02x: a compressed or extended label (the name must be "
                                  "uncompressed)", len);
        const uint8_t *label = br_take(r, len);
        if (!label)
            return br_fail(why, cap, "TargetName is truncated");
        w += escape_label(label, len, out->target + w);
        out->target[w++] = '.';
    }
    if (w == 0)
        out->target[w++] = '.';
    out->target[w] = '\0';
    out->target_is_root = wire == 1;
    return true;
}

/* ------------------------------------------------------------------------------------------
 * SvcParamValues of the known keys (7) */

static bool decode_mandatory(const svcb_param_t *p, svcb_t *out, char *why, size_t cap)
{
    if (p->len == 0 || p->len % 2)
        return br_fail(why, cap, "mandatory value length %zu is not a positive even number", p->len);
    out->mandatory = malloc(p->len / 2 * sizeof *out->mandatory);
    if (!out->mandatory)
        return br_fail(why, cap, "out of memory");
    for (size_t i = 0; i < p->len / 2; i++) {
        uint16_t k = (uint16_t)(p->value[2 * i] << 8 | p->value[2 * i + 1]);
        if (k == SVCB_KEY_MANDATORY)
            return br_fail(why, cap, "mandatory lists the key mandatory itself");
        if (i && k <= out->mandatory[i - 1])
            return br_fail(why, cap, "mandatory keys not in strictly increasing order: %u after %u", k,
                        out->mandatory[i - 1]);
        out->mandatory[out->nmandatory++] = k;
    }
    return true;
}

static bool decode_alpn(const svcb_param_t *p, svcb_t *out, char *why, size_t cap)
{
    if (p->len == 0)
        return br_fail(why, cap, "alpn value is empty");
    /* an alpn-id takes at least 2 bytes (length and one byte), which bounds the array */
    out->alpn = malloc((p->len / 2 + 1) * sizeof *out->alpn);
    if (!out->alpn)
        return br_fail(why, cap, "out of memory");
    br_t r = br_init(p->value, p->len);
    while (br_left(&r)) {
        size_t n = br_u8(&r);
        const uint8_t *id = br_take(&r, n);
        if (!id)
            return br_fail(why, cap, "alpn id %zu is truncated: length %zu exceeds the bytes left", out->nalpn, n);
        if (n == 0)
            return br_fail(why, cap, "alpn id %zu is empty", out->nalpn);
        out->alpn[out->nalpn].id = id, out->alpn[out->nalpn].len = n;
        out->nalpn++;
    }
    return true;
}

static bool decode_known(const svcb_param_t *p, svcb_t *out, char *why, size_t cap)
{
    switch (p->key) {
    case SVCB_KEY_MANDATORY:
        return decode_mandatory(p, out, why, cap);
    case SVCB_KEY_ALPN:
        return decode_alpn(p, out, why, cap);
    case SVCB_KEY_NO_DEFAULT_ALPN:
        out->no_default_alpn = true;
        return p->len == 0 || br_fail(why, cap, "no-default-alpn has a value (%zu bytes); it must be empty", p->len);
    case SVCB_KEY_PORT:
        if (p->len != 2)
            return br_fail(why, cap, "port value length %zu (must be 2)", p->len);
        out->has_port = true, out->port = (uint16_t)(p->value[0] << 8 | p->value[1]);
        return true;
    case SVCB_KEY_IPV4HINT:
        if (p->len == 0 || p->len % 4)
            return br_fail(why, cap, "ipv4hint value length %zu is not a positive multiple of 4", p->len);
        out->ipv4hint = p->value, out->nipv4hint = p->len / 4;
        return true;
    case SVCB_KEY_ECH:
        if (p->len == 0)
            return br_fail(why, cap, "ech value is empty");
        out->has_ech = true, out->ech = p->value, out->ech_len = p->len;
        return true;
    case SVCB_KEY_IPV6HINT:
        if (p->len == 0 || p->len % 16)
            return br_fail(why, cap, "ipv6hint value length %zu is not a positive multiple of 16", p->len);
        out->ipv6hint = p->value, out->nipv6hint = p->len / 16;
        return true;
    default:
        return true; /* kept raw in params */
    }
}

/* ------------------------------------------------------------------------------------------
 * SvcParams (2.2) */

static bool read_params(br_t *r, svcb_t *out, char *why, size_t cap)
{
    size_t cap_params = 0;
    long prev = -1;
    while (br_left(r)) {
        size_t at = r->off;
        uint16_t key = (uint16_t)br_u16(r);
        size_t len = br_u16(r);
        const uint8_t *value = br_take(r, len);
        if (!value)
            return br_fail(why, cap, "SvcParam %zu at offset %zu is truncated", out->nparams, at);
        if ((long)key <= prev)
            return br_fail(why, cap, "SvcParamKeys not in strictly increasing order: key %u after key %ld", key, prev);
        prev = key;
        if (out->nparams == cap_params) {
            size_t n = cap_params ? 2 * cap_params : 8;
            svcb_param_t *grown = realloc(out->params, n * sizeof *grown);
            if (!grown)
                return br_fail(why, cap, "out of memory");
            out->params = grown, cap_params = n;
        }
        svcb_param_t *p = &out->params[out->nparams++];
        p->key = key, p->value = value, p->len = len;
        if (!decode_known(p, out, why, cap))
            return false;
    }
    return true;
}

const svcb_param_t *svcb_find(const svcb_t *rec, uint16_t key)
{
    for (size_t i = 0; rec && i < rec->nparams; i++)
        if (rec->params[i].key == key)
            return &rec->params[i];
    return NULL;
}

/* 8: every key listed in mandatory is present; 7.1.1: no-default-alpn needs alpn. */
static bool check_consistency(const svcb_t *out, char *why, size_t cap)
{
    for (size_t i = 0; i < out->nmandatory; i++)
        if (!svcb_find(out, out->mandatory[i]))
            return br_fail(why, cap, "mandatory key %u is not in the record", out->mandatory[i]);
    if (out->no_default_alpn && !out->nalpn)
        return br_fail(why, cap, "no-default-alpn without alpn");
    return true;
}

bool svcb_parse(const uint8_t *rdata, size_t len, svcb_t *out, char *why, size_t why_cap)
{
    memset(out, 0, sizeof *out);
    if (!rdata || len < 3)
        return br_fail(why, why_cap, "RDATA of %zu bytes is shorter than SvcPriority and a TargetName", rdata ? len : 0);
    if (len > SVCB_RDATA_MAX)
        return br_fail(why, why_cap, "RDATA of %zu bytes exceeds 65535", len);
    out->data = malloc(len);
    if (!out->data)
        return br_fail(why, why_cap, "out of memory");
    memcpy(out->data, rdata, len);
    out->data_len = len;
    br_t r = br_init(out->data, len);
    out->priority = (uint16_t)br_u16(&r);
    out->alias_mode = out->priority == 0;
    bool ok = read_target(&r, out, why, why_cap);
    if (ok && out->alias_mode)
        out->alias_params_ignored = br_left(&r);
    else if (ok)
        ok = read_params(&r, out, why, why_cap) && check_consistency(out, why, why_cap);
    if (!ok)
        svcb_free(out);
    return ok;
}

void svcb_free(svcb_t *rec)
{
    if (!rec)
        return;
    free(rec->data);
    free(rec->params);
    free(rec->mandatory);
    free(rec->alpn);
    memset(rec, 0, sizeof *rec);
}

bool svcb_https_owner(const char *host, unsigned port, char *out, size_t cap)
{
    if (!host || !*host || !out || cap == 0 || port > 65535)
        return false;
    int n = port == 443 ? snprintf(out, cap, "%s", host) : snprintf(out, cap, "_%u._https.%s", port, host);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return false;
    }
    return true;
}
