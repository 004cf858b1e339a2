/* ECHConfigList parsing (src/ech/ech_config.c): a real list as published in DNS, a list built here
 * from its fields and checked field by field and re-encoded, other versions skipped, every
 * malformation rejected with its reason, every truncation rejected, and strict base64. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ech_config.h"

#include "unit_check.h"


/* ---- a byte writer with length prefixes patched when a vector closes */

typedef struct wbuf {
    uint8_t b[70000];
    size_t n;
} wbuf_t;

static void u8(wbuf_t *w, unsigned v)
{
    w->b[w->n++] = (uint8_t)v;
}

static void u16(wbuf_t *w, unsigned v)
{
    u8(w, v >> 8);
    u8(w, v);
}

static void bytes(wbuf_t *w, const void *p, size_t n)
{
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static size_t open16(wbuf_t *w)
{
    u16(w, 0);
    return w->n;
}

static void close16(wbuf_t *w, size_t at)
{
    size_t len = w->n - at;
    w->b[at - 2] = (uint8_t)(len >> 8);
    w->b[at - 1] = (uint8_t)len;
}

typedef struct cfg_fields {
    uint16_t version;
    uint8_t config_id;
    uint16_t kem_id;
    size_t pk_len;
    const uint16_t *suites; /* kdf, aead pairs */
    size_t nsuites;
    uint8_t max_name;
    const char *public_name;
    const uint16_t *ext_types;
    size_t next;
} cfg_fields_t;

/* Appends one ECHConfig; the public key bytes are 0x40 + i, extension i carries i bytes of i. */
static void put_config(wbuf_t *w, const cfg_fields_t *f)
{
    u16(w, f->version);
    size_t c = open16(w);
    u8(w, f->config_id);
    u16(w, f->kem_id);
    u16(w, (unsigned)f->pk_len);
    for (size_t i = 0; i < f->pk_len; i++)
        u8(w, 0x40 + (unsigned)i);
    u16(w, (unsigned)(4 * f->nsuites));
    for (size_t i = 0; i < 2 * f->nsuites; i++)
        u16(w, f->suites[i]);
    u8(w, f->max_name);
    u8(w, (unsigned)strlen(f->public_name));
    bytes(w, f->public_name, strlen(f->public_name));
    size_t e = open16(w);
    for (size_t i = 0; i < f->next; i++) {
        u16(w, f->ext_types[i]);
        u16(w, (unsigned)i);
        for (size_t k = 0; k < i; k++)
            u8(w, (unsigned)i);
    }
    close16(w, e);
    close16(w, c);
}

static const uint16_t suites3[] = { 1, 1, 1, 3, 3, 2 };
static const uint16_t exts2[] = { 0x0002, 0x8001 };
static const cfg_fields_t fields_a = { ECH_CONFIG_VERSION, 0x2A, 0x0010, 65, suites3, 3, 42, "public.example", exts2, 2 };
static const cfg_fields_t fields_old = { 0xfe0a, 0x01, 0x0020, 32, suites3, 1, 0, "old.example", NULL, 0 };

static wbuf_t *list_of(const cfg_fields_t *const *f, size_t n)
{
    static wbuf_t w;
    w.n = 0;
    size_t l = open16(&w);
    for (size_t i = 0; i < n; i++)
        put_config(&w, f[i]);
    close16(&w, l);
    return &w;
}

/* ---- a real list: cloudflare-ech.com's HTTPS record (DNS, 2026) */

static const char cloudflare_b64[] =
    "AEX+DQBBrwAgACCbK1mYDYFz/BAn6S5t+Q/v+Oej3eFNxtPWgz50fNnFPAAEAAEAAQASY2xvdWRmbGFyZS1lY2guY29tAAA=";
/* The same host's list in the draft-10 era, version 0xfe0a (unbound's testdata). */
static const char draft10_b64[] =
    "AEj+CgBETwAgACDeVpr34JzYHDGNFoGWhksj5mpBxradonbqH3X9+h7jHgAEAAEAAQAAABNjbG91ZGZsYXJlLWVzbmkuY29tAAA=";

static void test_real_list(void)
{
    uint8_t *bin = NULL;
    size_t n = 0;
    char why[256] = "";
    ech_config_list_t l;
    check(ech_config_list_from_base64(cloudflare_b64, &bin, &n, why, sizeof why) && n == 71, "real list base64",
          "%s (%zu bytes)", why, n);
    check(ech_config_list_parse(bin, n, &l, why, sizeof why), "real list parses", "%s", why);
    ech_config_t *c = l.nconfigs == 1 ? &l.configs[0] : NULL;
    check(c && c->config_id == 0xAF && c->kem_id == 0x0020 && c->public_key_len == 32 && c->public_key[0] == 0x9B &&
              c->public_key[31] == 0x3C && c->nsuites == 1 && c->suites[0].kdf_id == 1 && c->suites[0].aead_id == 1 &&
              c->maximum_name_length == 0 && !strcmp(c->public_name, "cloudflare-ech.com") && c->public_name_valid &&
              c->nextensions == 0 && c->extensions_len == 0 && !c->mandatory_extension,
          "real list fields", "config_id, KEM, key, suite, name or extensions differ");
    check(c && c->raw_len == 69 && !memcmp(c->raw, bin + 2, 69) && c->version == ECH_CONFIG_VERSION, "real list raw",
          "raw is not the ECHConfig bytes");
    check(l.skipped_versions == 0, "real list nothing skipped", "%zu skipped", l.skipped_versions);
    free(bin);
    ech_config_list_free(&l);

    check(ech_config_list_from_base64(draft10_b64, &bin, &n, why, sizeof why), "draft-10 base64", "%s", why);
    check(ech_config_list_parse(bin, n, &l, why, sizeof why) && l.nconfigs == 0 && l.skipped_versions == 1 &&
              l.first_skipped_version == 0xfe0a,
          "draft-10 list skipped", "%s; %zu configs, %zu skipped", why, l.nconfigs, l.skipped_versions);
    free(bin);
    ech_config_list_free(&l);
}

/* ---- a list built from fields; decoding and encoding again gives the same bytes */

static void reencode(const ech_config_t *c, wbuf_t *w)
{
    u16(w, c->version);
    size_t at = open16(w);
    u8(w, c->config_id);
    u16(w, c->kem_id);
    u16(w, (unsigned)c->public_key_len);
    bytes(w, c->public_key, c->public_key_len);
    u16(w, (unsigned)(4 * c->nsuites));
    for (size_t i = 0; i < c->nsuites; i++)
        u16(w, c->suites[i].kdf_id), u16(w, c->suites[i].aead_id);
    u8(w, c->maximum_name_length);
    u8(w, (unsigned)strlen(c->public_name));
    bytes(w, c->public_name, strlen(c->public_name));
    u16(w, (unsigned)c->extensions_len);
    bytes(w, c->extensions, c->extensions_len);
    close16(w, at);
}

static void test_built_list(void)
{
    const cfg_fields_t *two[] = { &fields_old, &fields_a };
    wbuf_t *w = list_of(two, 2);
    char why[256] = "";
    ech_config_list_t l;
    check(ech_config_list_parse(w->b, w->n, &l, why, sizeof why), "built list parses", "%s", why);
    check(l.nconfigs == 1 && l.skipped_versions == 1 && l.first_skipped_version == 0xfe0a, "unknown version skipped",
          "%zu configs, %zu skipped", l.nconfigs, l.skipped_versions);
    ech_config_t *c = l.nconfigs ? &l.configs[0] : NULL;
    check(c && c->config_id == 0x2A && c->kem_id == 0x0010 && c->public_key_len == 65 && c->public_key[64] == 0x40 + 64 &&
              c->maximum_name_length == 42 && !strcmp(c->public_name, "public.example") && c->public_name_valid,
          "built fields", "differ");
    check(c && c->nsuites == 3 && c->suites[1].kdf_id == 1 && c->suites[1].aead_id == 3 && c->suites[2].kdf_id == 3 &&
              c->suites[2].aead_id == 2,
          "built suites", "differ");
    check(c && c->nextensions == 2 && c->mandatory_extension && c->first_mandatory_type == 0x8001 &&
              c->extensions_len == 4 + 5,
          "built extensions", "count, mandatory bit or length differ");
    static wbuf_t again;
    again.n = 0;
    if (c)
        reencode(c, &again);
    check(c && again.n == c->raw_len && !memcmp(again.b, c->raw, again.n), "round trip",
          "the fields do not encode back to the config");
    ech_config_list_free(&l);
}

/* ---- truncation: with the original prefix, with the list length fixed, with both the list's
 * and the config's lengths fixed (so the inner field checks are reached) */

static int parses(const uint8_t *b, size_t n)
{
    ech_config_list_t l;
    char why[256];
    bool ok = ech_config_list_parse(b, n, &l, why, sizeof why);
    ech_config_list_free(&l);
    return ok;
}

static void test_truncation(void)
{
    const cfg_fields_t *one[] = { &fields_a }, *two[] = { &fields_old, &fields_a };
    wbuf_t *w = list_of(two, 2);
    static uint8_t full[512], cut[512];
    size_t n = w->n, boundary = 2 + 4 + (size_t)(w->b[4] << 8 | w->b[5]);
    memcpy(full, w->b, n);
    int bad_raw = 0, bad_outer = 0, bad_inner = 0;
    for (size_t len = 0; len < n; len++) {
        bad_raw += parses(full, len);
        memcpy(cut, full, len);
        if (len >= 2) {
            cut[0] = (uint8_t)((len - 2) >> 8), cut[1] = (uint8_t)(len - 2);
            bad_outer += parses(cut, len) != (len == boundary);
        }
    }
    w = list_of(one, 1);
    n = w->n;
    memcpy(full, w->b, n);
    for (size_t len = 6; len < n; len++) {
        memcpy(cut, full, len);
        cut[0] = (uint8_t)((len - 2) >> 8), cut[1] = (uint8_t)(len - 2);
        cut[4] = (uint8_t)((len - 6) >> 8), cut[5] = (uint8_t)(len - 6);
        bad_inner += parses(cut, len);
    }
    check(bad_raw == 0, "truncated input rejected", "%d truncations parsed", bad_raw);
    check(bad_outer == 0, "truncated list rejected", "%d truncations misjudged (boundary %zu)", bad_outer, boundary);
    check(bad_inner == 0, "truncated config rejected", "%d truncations parsed", bad_inner);
}

/* ---- each malformation, with its reason */

static void expect_reject(const uint8_t *b, size_t n, const char *name, const char *reason_part)
{
    ech_config_list_t l;
    char why[256] = "";
    bool ok = ech_config_list_parse(b, n, &l, why, sizeof why);
    check(!ok && strstr(why, reason_part) && l.nconfigs == 0 && !l.data, name, "parsed=%d why='%s' (want '%s')", ok,
          why, reason_part);
    ech_config_list_free(&l);
}

static void test_malformed(void)
{
    const cfg_fields_t *one[] = { &fields_a };
    static wbuf_t w;
    wbuf_t *base = list_of(one, 1);
    w = *base;
    /* offsets in fields_a's list: 2 version, 4 length, 6 config_id, 7 kem, 9 pk_len, 11 pk,
     * 76 cs_len, 78 suites (12), 90 max_name, 91 name_len, 92 name (14), 106 ext_len */
    w.b[77] = 6;
    expect_reject(w.b, w.n, "cipher_suites not a multiple of 4", "multiple of 4");

    cfg_fields_t f = fields_a;
    f.pk_len = 0;
    const cfg_fields_t *nopk[] = { &f };
    base = list_of(nopk, 1);
    expect_reject(base->b, base->n, "empty public_key", "empty public_key");

    f = fields_a;
    f.public_name = "";
    const cfg_fields_t *noname[] = { &f };
    base = list_of(noname, 1);
    expect_reject(base->b, base->n, "empty public_name", "empty public_name");

    f = fields_a;
    f.nsuites = 0;
    const cfg_fields_t *nosuite[] = { &f };
    base = list_of(nosuite, 1);
    expect_reject(base->b, base->n, "no cipher suite", "multiple of 4");

    base = list_of(one, 1);
    w = *base;
    w.b[w.n++] = 0; /* a stray byte inside the config, after its extensions */
    w.b[1]++, w.b[5]++;
    expect_reject(w.b, w.n, "bytes after extensions", "after its extensions");

    w = *base;
    w.b[107] += 1; /* extensions length one more than the extensions */
    w.b[w.n++] = 0xAA;
    w.b[1]++, w.b[5]++;
    expect_reject(w.b, w.n, "extension truncated", "extension 2 is truncated");

    w = *base;
    w.b[1]++;
    expect_reject(w.b, w.n, "list length mismatch", "bytes follow");
    w.b[0] = 0, w.b[1] = 2, w.b[2] = 0xfe, w.b[3] = 0x0d;
    expect_reject(w.b, 4, "list too short", "holds no config");
    expect_reject(w.b, 1, "no length", "shorter than its 2-byte length");
    expect_reject(NULL, 0, "no input", "shorter than");
    w = *base;
    w.b[5] += 3;
    expect_reject(w.b, w.n, "config length past the list", "exceeds the");
    static uint8_t huge[ECH_LIST_MAX_INPUT + 1];
    expect_reject(huge, sizeof huge, "over 65537 bytes", "exceeds the 65537");
}

/* ---- public_name rules (RFC 9849 section 4) */

static void name_case(const char *name, bool valid, const char *text)
{
    cfg_fields_t f = fields_a;
    f.public_name = name;
    const cfg_fields_t *one[] = { &f };
    wbuf_t *w = list_of(one, 1);
    ech_config_list_t l;
    char why[256] = "";
    bool ok = ech_config_list_parse(w->b, w->n, &l, why, sizeof why) && l.nconfigs == 1;
    check(ok && l.configs[0].public_name_valid == valid && !strcmp(l.configs[0].public_name, text ? text : name),
          "public_name", "'%s': parsed=%d valid=%d text='%s' (%s)", name, ok, ok && l.configs[0].public_name_valid,
          ok ? l.configs[0].public_name : "", why);
    ech_config_list_free(&l);
}

static void test_public_names(void)
{
    name_case("cloudflare-ech.com", true, NULL);
    name_case("xn--bcher-kva.example", true, NULL);
    name_case("example.123a", true, NULL);
    name_case("localhost", true, NULL);
    name_case("192.0.2.1", false, NULL);
    name_case("example.0x1f", false, NULL);
    name_case("example.0X", false, NULL);
    name_case("-bad.example", false, NULL);
    name_case("bad-.example", false, NULL);
    name_case("a..b", false, NULL);
    name_case(".example", false, NULL);
    name_case("example.", false, NULL);
    name_case("exa_mple.com", false, NULL);
    name_case("a b\\c\001", false, "a\\032b\\092c\\001");
    char long_label[80];
    memset(long_label, 'a', 64);
    strcpy(long_label + 64, ".example");
    name_case(long_label, false, NULL);
    name_case(long_label + 1, true, NULL); /* a label of exactly 63 */
}

/* ---- a list of many tiny configs of other versions: bounded work, nothing kept */

static void test_many_skipped(void)
{
    static wbuf_t w;
    w.n = 0;
    size_t l = open16(&w);
    while (w.n + 4 <= 2 + 65535) {
        u16(&w, 0x0001);
        u16(&w, 0);
    }
    close16(&w, l);
    ech_config_list_t list;
    char why[256] = "";
    check(ech_config_list_parse(w.b, w.n, &list, why, sizeof why) && list.nconfigs == 0 &&
              list.skipped_versions == 16383,
          "16383 unknown versions", "%s; %zu skipped", why, list.skipped_versions);
    ech_config_list_free(&list);
}

/* ---- base64 */

static void b64_case(const char *text, bool ok_want, size_t len_want, const char *name)
{
    uint8_t *out = NULL;
    size_t n = 0;
    char why[256] = "";
    bool ok = ech_config_list_from_base64(text, &out, &n, why, sizeof why);
    check(ok == ok_want && (!ok || n == len_want) && (ok || (!out && n == 0 && why[0])), name,
          "'%s': ok=%d len=%zu why='%s'", text ? text : "(null)", ok, n, why);
    free(out);
}

static void test_base64(void)
{
    b64_case("AEX+DQ==", true, 4, "base64 padded");
    b64_case("  AEX+DQ==\r\n", true, 4, "base64 surrounding whitespace");
    b64_case("AEX+\nDQ==", false, 0, "base64 inner newline");
    b64_case("AEX+DQ=A", false, 0, "base64 padding inside");
    b64_case("=EX+DQ==", false, 0, "base64 padding first");
    b64_case("AEX+DR==", false, 0, "base64 non-canonical bits");
    b64_case("AEX+DQ", false, 0, "base64 unpadded");
    b64_case("AEX-DQ==", false, 0, "base64 url alphabet");
    b64_case("AEX*DQ==", false, 0, "base64 invalid character");
    b64_case("", false, 0, "base64 empty");
    b64_case(" \n", false, 0, "base64 blank");
    b64_case(NULL, false, 0, "base64 null");
    b64_case("====", false, 0, "base64 only padding");
    b64_case("AAAA", true, 3, "base64 zeros");
    static char big[4 * 21847 + 1];
    memset(big, 'A', sizeof big - 1);
    b64_case(big, false, 0, "base64 too long");
}

int main(void)
{
    test_real_list();
    test_built_list();
    test_truncation();
    test_malformed();
    test_public_names();
    test_many_skipped();
    test_base64();
    return failures ? 1 : 0;
}
