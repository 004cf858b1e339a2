/* ECHConfigList parsing (RFC 9849 section 4) and its strict base64 form. Every length is checked
 * against the bytes left (bounded_reader.h); each structure must use its declared length
 * exactly, so a list with a wrong length anywhere is rejected with the place named. */
#include "ech_config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bounded_reader.h"

/* public_name as text: printable ASCII other than backslash as is, every other byte \DDD. */
static void name_text(const uint8_t *p, size_t n, char out[ECH_PUBLIC_NAME_TEXT])
{
    size_t w = 0;
    for (size_t i = 0; i < n && i < 255; i++) {
        if (p[i] > 0x20 && p[i] < 0x7f && p[i] != '\\')
            out[w++] = (char)p[i];
        else
            w += (size_t)snprintf(out + w, ECH_PUBLIC_NAME_TEXT - w, "\\%03u", p[i]);
    }
    out[w] = '\0';
}

static bool is_ldh(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

static bool is_hex(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The last label looks like an IPv4 component: all digits, or 0x followed by hex digits. */
static bool ipv4_like(const uint8_t *l, size_t n)
{
    size_t i = 0;
    if (n >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
        for (i = 2; i < n && is_hex(l[i]); i++)
            ;
        return i == n;
    }
    for (; i < n && l[i] >= '0' && l[i] <= '9'; i++)
        ;
    return i == n;
}

/* RFC 9849 section 4: dot-separated LDH labels (RFC 5890 2.3.1: 1-63 letters, digits, hyphens,
 * no hyphen first or last), no leading or trailing dot, last label not IPv4-like. */
static bool public_name_ok(const uint8_t *p, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '.') {
            if (!is_ldh(p[i]))
                return false;
            continue;
        }
        size_t len = i - start;
        if (len == 0 || len > 63 || p[start] == '-' || p[i - 1] == '-')
            return false;
        if (i == n && ipv4_like(p + start, len))
            return false;
        start = i + 1;
    }
    return true;
}

/* ECHConfigContents of version 0xfe0d into cfg; the suites go to store (room checked by caller). */
static bool parse_contents(br_t *c, ech_config_t *cfg, ech_suite_t *store, size_t idx, char *why, size_t cap)
{
    cfg->config_id = (uint8_t)br_u8(c);
    cfg->kem_id = (uint16_t)br_u16(c);
    size_t pk_len = br_u16(c);
    cfg->public_key = br_take(c, pk_len);
    if (c->bad)
        return br_fail(why, cap, "config %zu: truncated in key_config before the end of public_key", idx);
    if (pk_len == 0)
        return br_fail(why, cap, "config %zu: empty public_key", idx);
    cfg->public_key_len = pk_len;
    size_t cs_len = br_u16(c);
    br_t cs = br_sub(c, cs_len);
    if (c->bad)
        return br_fail(why, cap, "config %zu: cipher_suites length %zu exceeds the bytes left", idx, cs_len);
    if (cs_len < 4 || cs_len % 4)
        return br_fail(why, cap, "config %zu: cipher_suites length %zu is not a positive multiple of 4", idx, cs_len);
    cfg->suites = store;
    for (; br_left(&cs); cfg->nsuites++) {
        store[cfg->nsuites].kdf_id = (uint16_t)br_u16(&cs);
        store[cfg->nsuites].aead_id = (uint16_t)br_u16(&cs);
    }
    cfg->maximum_name_length = (uint8_t)br_u8(c);
    size_t name_len = br_u8(c);
    const uint8_t *name = br_take(c, name_len);
    if (c->bad)
        return br_fail(why, cap, "config %zu: truncated in maximum_name_length or public_name", idx);
    if (name_len == 0)
        return br_fail(why, cap, "config %zu: empty public_name", idx);
    name_text(name, name_len, cfg->public_name);
    cfg->public_name_valid = public_name_ok(name, name_len);
    size_t ext_len = br_u16(c);
    br_t ext = br_sub(c, ext_len);
    if (c->bad)
        return br_fail(why, cap, "config %zu: extensions length %zu exceeds the bytes left", idx, ext_len);
    cfg->extensions = ext.p, cfg->extensions_len = ext_len;
    while (br_left(&ext)) {
        uint16_t type = (uint16_t)br_u16(&ext);
        br_take(&ext, br_u16(&ext));
        if (ext.bad)
            return br_fail(why, cap, "config %zu: extension %zu is truncated", idx, cfg->nextensions);
        if ((type & 0x8000) && !cfg->mandatory_extension)
            cfg->mandatory_extension = true, cfg->first_mandatory_type = type;
        cfg->nextensions++;
    }
    if (br_left(c))
        return br_fail(why, cap, "config %zu: %zu bytes after its extensions", idx, br_left(c));
    return true;
}

/* One ECHConfig at the reader; skipped (counted) when its version is not 0xfe0d. */
static bool parse_config(br_t *r, ech_config_list_t *out, size_t *cap_configs, size_t *used_suites, size_t idx,
                         char *why, size_t cap)
{
    size_t start = r->off;
    uint16_t version = (uint16_t)br_u16(r);
    size_t len = br_u16(r);
    br_t c = br_sub(r, len);
    if (r->bad)
        return br_fail(why, cap, "config %zu at offset %zu: length %zu exceeds the %zu bytes left", idx, start + 2, len,
                    start + 4 <= r->len ? r->len - start - 4 : 0);
    if (version != ECH_CONFIG_VERSION) {
        if (out->skipped_versions++ == 0)
            out->first_skipped_version = version;
        return true;
    }
    if (out->nconfigs == *cap_configs) {
        size_t n = *cap_configs ? 2 * *cap_configs : 4;
        ech_config_t *grown = realloc(out->configs, n * sizeof *grown);
        if (!grown)
            return br_fail(why, cap, "out of memory");
        out->configs = grown, *cap_configs = n;
    }
    ech_config_t *cfg = &out->configs[out->nconfigs];
    memset(cfg, 0, sizeof *cfg);
    cfg->raw = r->p + start, cfg->raw_len = 4 + len, cfg->version = version;
    if (!parse_contents(&c, cfg, out->suite_store + *used_suites, idx, why, cap))
        return false;
    *used_suites += cfg->nsuites;
    out->nconfigs++;
    return true;
}

bool ech_config_list_parse(const uint8_t *buf, size_t len, ech_config_list_t *out, char *why, size_t why_cap)
{
    memset(out, 0, sizeof *out);
    if (!buf || len < 2)
        return br_fail(why, why_cap, "ECHConfigList shorter than its 2-byte length");
    if (len > ECH_LIST_MAX_INPUT)
        return br_fail(why, why_cap, "ECHConfigList of %zu bytes exceeds the 65537 a list can have", len);
    size_t body_len = (size_t)buf[0] << 8 | buf[1];
    if (body_len != len - 2)
        return br_fail(why, why_cap, "ECHConfigList length %zu but %zu bytes follow", body_len, len - 2);
    if (body_len < 4)
        return br_fail(why, why_cap, "ECHConfigList of %zu bytes holds no config (at least 4)", body_len);
    out->data = malloc(len);
    /* a suite takes 4 bytes of input, so this bounds every config's suites together */
    out->suite_store = malloc((body_len / 4) * sizeof *out->suite_store);
    if (!out->data || !out->suite_store) {
        ech_config_list_free(out);
        return br_fail(why, why_cap, "out of memory");
    }
    memcpy(out->data, buf, len);
    out->data_len = len;
    br_t r = br_init(out->data + 2, body_len);
    size_t cap_configs = 0, used_suites = 0;
    for (size_t idx = 0; br_left(&r); idx++)
        if (!parse_config(&r, out, &cap_configs, &used_suites, idx, why, why_cap)) {
            ech_config_list_free(out);
            return false;
        }
    return true;
}

void ech_config_list_free(ech_config_list_t *list)
{
    if (!list)
        return;
    free(list->data);
    free(list->configs);
    free(list->suite_store);
    memset(list, 0, sizeof *list);
}

/* ------------------------------------------------------------------------------------------
 * Base64 */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool ech_config_list_from_base64(const char *text, uint8_t **out, size_t *out_len, char *why, size_t why_cap)
{
    *out = NULL, *out_len = 0;
    if (!text)
        return br_fail(why, why_cap, "no base64 text");
    while (is_space(*text))
        text++;
    size_t n = strlen(text);
    while (n && is_space(text[n - 1]))
        n--;
    if (n == 0)
        return br_fail(why, why_cap, "empty base64 text");
    if (n % 4)
        return br_fail(why, why_cap, "base64 length %zu is not a multiple of 4", n);
    if (n / 4 * 3 > ECH_LIST_MAX_INPUT + 2)
        return br_fail(why, why_cap, "base64 text of %zu characters is longer than any ECHConfigList", n);
    uint8_t *bin = malloc(n / 4 * 3 + 1), *again = malloc(n + 1);
    int dec = bin && again ? EVP_DecodeBlock(bin, (const unsigned char *)text, (int)n) : -2;
    size_t pads = (text[n - 1] == '=') + (text[n - 2] == '=');
    bool ok = dec >= 0 && (size_t)dec >= pads;
    /* OpenSSL's decoder tolerates misplaced padding and non-zero spare bits; encoding the
     * result again and comparing makes the check strict. */
    if (ok) {
        int enc = EVP_EncodeBlock(again, bin, dec - (int)pads);
        ok = enc >= 0 && (size_t)enc == n && memcmp(again, text, n) == 0;
    }
    free(again);
    if (!ok) {
        free(bin);
        return dec == -2 ? br_fail(why, why_cap, "out of memory")
                         : br_fail(why, why_cap, "not strict base64 (RFC 4648 section 4, padded and canonical)");
    }
    *out = bin, *out_len = (size_t)dec - pads;
    return true;
}
