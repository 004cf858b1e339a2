/* SVCB / HTTPS RDATA (src/net/svcb.c): the wire-format test vectors of RFC 9460 Appendix D (D.1,
 * D.2, and D.3's failure cases in wire form), hand-built records with ech and unknown keys,
 * every rejection with its reason, truncation at every length, and the HTTPS owner name. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svcb.h"

#include "unit_check.h"


typedef struct bin {
    uint8_t b[600];
    size_t n;
} bin_t;

/* Hex with spaces allowed, as the RFC prints it. */
static bin_t hx(const char *s)
{
    bin_t o = { .n = 0 };
    for (; *s; s++) {
        unsigned v;
        if (*s == ' ')
            continue;
        if (sscanf(s, "%2x", &v) != 1)
            break;
        o.b[o.n++] = (uint8_t)v;
        s++;
    }
    return o;
}

static bool parse(const bin_t *v, svcb_t *rec, char *why)
{
    return svcb_parse(v->b, v->n, rec, why, 256);
}

static bool alpn_is(const svcb_t *r, size_t i, const char *want)
{
    return i < r->nalpn && r->alpn[i].len == strlen(want) && !memcmp(r->alpn[i].id, want, r->alpn[i].len);
}

static const char *v6(const svcb_t *r, size_t i)
{
    static char s[INET6_ADDRSTRLEN];
    return i < r->nipv6hint ? inet_ntop(AF_INET6, r->ipv6hint + 16 * i, s, sizeof s) : "";
}

/* ---- RFC 9460 Appendix D (wire forms as in the RFC; NLnetLabs/unbound testdata has them too) */

#define FOO_COM "03 666f6f 07 6578616d706c65 03 636f6d 00"
#define FOO_ORG "03 666f6f 07 6578616d706c65 03 6f7267 00"

static void test_appendix_d(void)
{
    svcb_t r;
    char why[256] = "";
    bin_t v;

    v = hx("0000 " FOO_COM); /* D.1: example.com. HTTPS 0 foo.example.com. */
    check(parse(&v, &r, why) && r.alias_mode && r.priority == 0 && !strcmp(r.target, "foo.example.com.") &&
              !r.target_is_root && r.nparams == 0,
          "D.1 AliasMode", "%s target=%s", why, r.target);
    svcb_free(&r);

    v = hx("0001 00"); /* D.2: 1 . */
    check(parse(&v, &r, why) && !r.alias_mode && r.priority == 1 && !strcmp(r.target, ".") && r.target_is_root &&
              r.nparams == 0,
          "D.2 use the owner name", "%s", why);
    svcb_free(&r);

    v = hx("0010 " FOO_COM " 0003 0002 0035"); /* 16 foo.example.com. port=53 */
    check(parse(&v, &r, why) && r.priority == 16 && r.has_port && r.port == 53 && r.nparams == 1, "D.2 port",
          "%s port=%u", why, r.port);
    svcb_free(&r);

    v = hx("0001 " FOO_COM " 029b 0005 68656c6c6f"); /* key667=hello */
    const svcb_param_t *p;
    check(parse(&v, &r, why) && (p = svcb_find(&r, 667)) && p->len == 5 && !memcmp(p->value, "hello", 5),
          "D.2 unregistered key", "%s", why);
    svcb_free(&r);

    v = hx("0001 " FOO_COM " 029b 0009 68656c6c6fd2716f6f"); /* key667="hello\210qoo" */
    check(parse(&v, &r, why) && (p = svcb_find(&r, 667)) && p->len == 9 && p->value[5] == 0xd2,
          "D.2 unregistered key, escaped value", "%s", why);
    svcb_free(&r);

    v = hx("0001 " FOO_COM " 0006 0020 20010db8000000000000000000000001 20010db8000000000000000000530001");
    check(parse(&v, &r, why) && r.nipv6hint == 2 && !strcmp(v6(&r, 0), "2001:db8::1") &&
              !strcmp(v6(&r, 1), "2001:db8::53:1"),
          "D.2 two ipv6hints", "%s %s %s", why, v6(&r, 0), v6(&r, 1));
    svcb_free(&r);

    v = hx("0001 07 6578616d706c65 03 636f6d 00 0006 0010 20010db8ffffffffffffffffc6336464");
    check(parse(&v, &r, why) && !strcmp(r.target, "example.com.") && r.nipv6hint == 1 &&
              r.ipv6hint[12] == 198 && r.ipv6hint[15] == 100,
          "D.2 ipv6hint with an embedded IPv4", "%s", why);
    svcb_free(&r);

    /* 16 foo.example.org. (alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1) */
    v = hx("0010 " FOO_ORG " 0000 0004 0001 0004 0001 0009 02 6832 05 68332d3139 0004 0004 c0000201");
    check(parse(&v, &r, why) && r.nmandatory == 2 && r.mandatory[0] == 1 && r.mandatory[1] == 4 && r.nalpn == 2 &&
              alpn_is(&r, 0, "h2") && alpn_is(&r, 1, "h3-19") && r.nipv4hint == 1 && r.ipv4hint[0] == 192 &&
              r.ipv4hint[3] == 1 && !strcmp(r.target, "foo.example.org.") && r.nparams == 3,
          "D.2 mandatory, alpn, ipv4hint", "%s", why);
    svcb_free(&r);

    v = hx("0010 " FOO_ORG " 0001 000c 08 665c6f6f2c626172 02 6832"); /* alpn="f\\\\oo\\,bar,h2" */
    check(parse(&v, &r, why) && r.nalpn == 2 && alpn_is(&r, 0, "f\\oo,bar") && alpn_is(&r, 1, "h2"),
          "D.2 alpn with escaped comma and backslash", "%s", why);
    svcb_free(&r);
}

/* D.3 failure cases, in wire form (the RFC gives them in presentation form), plus wire-only
 * ones; each must be rejected with the reason named. */
static void reject(const char *hex, const char *name, const char *reason_part)
{
    bin_t v = hx(hex);
    svcb_t r;
    char why[256] = "";
    bool ok = parse(&v, &r, why);
    check(!ok && strstr(why, reason_part) && !r.data && !r.params, name, "parsed=%d why='%s' (want '%s')", ok, why,
          reason_part);
    svcb_free(&r);
}

static void test_failures(void)
{
    reject("0001 " FOO_COM " 007b 0003 616263 007b 0003 646566", "D.3 repeated key", "strictly increasing");
    reject("0001 " FOO_COM " 0000 0000", "D.3 mandatory without value", "positive even number");
    reject("0001 " FOO_COM " 0001 0000", "D.3 alpn without value", "alpn value is empty");
    reject("0001 " FOO_COM " 0003 0000", "D.3 port without value", "port value length 0");
    reject("0001 " FOO_COM " 0004 0000", "D.3 ipv4hint without value", "ipv4hint value length 0");
    reject("0001 " FOO_COM " 0006 0000", "D.3 ipv6hint without value", "ipv6hint value length 0");
    reject("0001 " FOO_COM " 0001 0003 026832 0002 0003 616263", "D.3 no-default-alpn with a value",
           "no-default-alpn has a value");
    reject("0001 " FOO_COM " 0000 0002 007b", "D.3 mandatory key missing", "mandatory key 123 is not in the record");
    reject("0001 " FOO_COM " 0000 0002 0000", "D.3 mandatory lists mandatory", "mandatory itself");
    reject("0001 " FOO_COM " 0000 0004 007b 007b 007b 0003 616263", "D.3 mandatory key repeated",
           "strictly increasing order: 123 after 123");
    /* unbound's out-of-order and truncated vectors */
    reject("000100000300021e6100010003026833", "keys out of order", "key 1 after key 3");
    reject("000100000300021e", "param truncated", "SvcParam 0 at offset 3 is truncated");
    reject("0001 " FOO_COM " 0002 0000", "no-default-alpn without alpn", "without alpn");
    reject("0001 " FOO_COM " 0001 0004 02 6832 00", "alpn id empty", "alpn id 1 is empty");
    reject("0001 " FOO_COM " 0001 0004 05 6832 00", "alpn id truncated", "alpn id 0 is truncated");
    reject("0001 " FOO_COM " 0003 0003 000000", "port of 3 bytes", "port value length 3");
    reject("0001 " FOO_COM " 0004 0005 c000020100", "ipv4hint of 5 bytes", "multiple of 4");
    reject("0001 " FOO_COM " 0005 0000", "ech without value", "ech value is empty");
    reject("0001 " FOO_COM " 0000 0003 000100 0001 0003 026832", "mandatory of odd length", "positive even");
    reject("0001 c00c", "compressed TargetName", "compressed or extended label");
    reject("0001 03 666f6f", "TargetName unterminated", "TargetName is truncated");
    reject("0001 05 666f6f 00", "TargetName label past the end", "TargetName is truncated");
    reject("0001", "no TargetName", "shorter than SvcPriority");
    reject("", "empty RDATA", "shorter than SvcPriority");
    char longname[1400] = "0001 ";
    for (int i = 0; i < 5; i++) { /* five 63-byte labels: 320 bytes of wire name */
        strcat(longname, "3f ");
        for (int k = 0; k < 63; k++)
            strcat(longname, "61");
        strcat(longname, " ");
    }
    strcat(longname, "00");
    reject(longname, "TargetName over 255 bytes", "longer than 255");
}

/* ---- ech, unknown keys, AliasMode with params, escaping */

static void test_records(void)
{
    svcb_t r;
    char why[256] = "";
    /* 1 . alpn=h2,http/1.1 ech=<71 bytes> key65280=ab ; the ECHConfigList is cloudflare-ech.com's */
    bin_t v = hx("0001 00 0001 000c 02 6832 08 687474702f312e31 0005 0047 "
                 "0045fe0d0041af002000209b2b59980d8173fc1027e92e6df90feff8e7a3dde14dc6d3d6833e747cd9c53c000400010001"
                 "0012636c6f7564666c6172652d6563682e636f6d0000 ff00 0002 6162");
    check(parse(&v, &r, why) && r.has_ech && r.ech_len == 71 && r.ech[0] == 0x00 && r.ech[2] == 0xfe && r.nalpn == 2 &&
              alpn_is(&r, 1, "http/1.1") && r.nparams == 3 && svcb_find(&r, 0xff00) && !r.has_port &&
              !r.no_default_alpn,
          "ech and an unknown key", "%s", why);
    check(r.params && r.params[1].key == SVCB_KEY_ECH && r.params[1].value == r.ech && r.ech >= r.data &&
              r.ech + r.ech_len <= r.data + r.data_len,
          "ech points into the owned copy", "it does not");
    svcb_free(&r);

    v = hx("0000 00 0003 0002 01bb"); /* AliasMode with a port: ignored */
    check(parse(&v, &r, why) && r.alias_mode && r.target_is_root && r.alias_params_ignored == 6 && !r.has_port &&
              r.nparams == 0,
          "AliasMode params ignored", "%s ignored=%zu", why, r.alias_params_ignored);
    svcb_free(&r);

    v = hx("0000 ff ff"); /* AliasMode still needs a well-formed TargetName */
    check(!parse(&v, &r, why), "AliasMode bad TargetName", "parsed");
    svcb_free(&r);

    v = hx("0001 04 612e6220 03 0a5c22 00 ffff 0000"); /* labels "a.b " and "\n\\\"", key 65535 */
    check(parse(&v, &r, why) && !strcmp(r.target, "a\\.b\\032.\\010\\\\\\\".") && svcb_find(&r, 65535),
          "TargetName escaping", "%s target=%s", why, r.target);
    svcb_free(&r);

    v = hx("0001 00 0001 0003 026832 0002 0000"); /* no-default-alpn with alpn */
    check(parse(&v, &r, why) && r.no_default_alpn && r.nalpn == 1, "no-default-alpn", "%s", why);
    svcb_free(&r);

    static uint8_t big[SVCB_RDATA_MAX + 1];
    check(!svcb_parse(big, sizeof big, &r, why, sizeof why) && strstr(why, "exceeds 65535"), "RDATA over 65535",
          "%s", why);
    svcb_free(&r);

    /* the largest record: a 63-byte label name and one unknown key filling 65535 bytes */
    static uint8_t max[SVCB_RDATA_MAX];
    size_t vlen = SVCB_RDATA_MAX - 3 - 4;
    max[1] = 1, max[2] = 0, max[3] = 0xfe, max[4] = 0;
    max[5] = (uint8_t)(vlen >> 8), max[6] = (uint8_t)vlen;
    check(svcb_parse(max, sizeof max, &r, why, sizeof why) && r.nparams == 1 && r.params[0].len == vlen,
          "65535-byte RDATA", "%s", why);
    svcb_free(&r);
}

/* ---- truncation at every length: rejected unless the cut falls between SvcParams (then the
 * record is shorter but well formed, except where a mandatory key is cut away) */

static void truncations(const char *hex, const char *name)
{
    bin_t v = hx(hex);
    bool boundary[600] = { false };
    size_t off = 2;
    while (off < v.n && v.b[off])
        off += 1 + v.b[off];
    off++;
    boundary[off] = true; /* after the TargetName */
    while (off + 4 <= v.n) {
        off += 4 + (size_t)(v.b[off + 2] << 8 | v.b[off + 3]);
        if (off <= v.n)
            boundary[off] = true;
    }
    int wrong = 0;
    for (size_t len = 0; len < v.n; len++) {
        svcb_t r;
        char why[256];
        bool ok = svcb_parse(v.b, len, &r, why, sizeof why);
        wrong += ok && !boundary[len];
        svcb_free(&r);
    }
    check(wrong == 0, "truncation", "%s: %d cuts inside a field parsed", name, wrong);
}

static void test_truncation(void)
{
    truncations("0010 " FOO_ORG " 0000 0004 0001 0004 0001 0009 02 6832 05 68332d3139 0004 0004 c0000201", "D.2 full");
    truncations("0001 " FOO_COM " 0006 0020 20010db8000000000000000000000001 20010db8000000000000000000530001",
                "ipv6hints");
    truncations("0001 00 0001 000c 02 6832 08 687474702f312e31 0005 0004 00020001 ff00 0002 6162", "ech");
    /* cutting the D.2 record after mandatory or alpn leaves a mandatory key missing */
    bin_t v = hx("0010 " FOO_ORG " 0000 0004 0001 0004 0001 0009 02 6832 05 68332d3139 0004 0004 c0000201");
    svcb_t r;
    char why[256] = "";
    size_t after_alpn = 2 + 17 + 8 + 13;
    check(!svcb_parse(v.b, after_alpn, &r, why, sizeof why) && strstr(why, "mandatory key 4"), "cut mandatory key",
          "%s", why);
    svcb_free(&r);
}

/* ---- owner names (RFC 9460 9.1) */

static void test_owner(void)
{
    char out[300];
    check(svcb_https_owner("example.com", 443, out, sizeof out) && !strcmp(out, "example.com"), "owner 443", "%s", out);
    check(svcb_https_owner("example.com", 8443, out, sizeof out) && !strcmp(out, "_8443._https.example.com"),
          "owner 8443", "%s", out);
    check(svcb_https_owner("api.example.com.", 80, out, sizeof out) && !strcmp(out, "_80._https.api.example.com."),
          "owner 80", "%s", out);
    check(!svcb_https_owner("", 443, out, sizeof out) && !svcb_https_owner(NULL, 443, out, sizeof out) &&
              !svcb_https_owner("example.com", 65536, out, sizeof out),
          "owner invalid", "accepted");
    check(!svcb_https_owner("example.com", 8443, out, 24) && out[0] == '\0' &&
              svcb_https_owner("example.com", 8443, out, 25),
          "owner bounded", "'_8443._https.example.com' needs 25 bytes");
}

int main(void)
{
    test_appendix_d();
    test_failures();
    test_records();
    test_truncation();
    test_owner();
    return failures ? 1 : 0;
}
