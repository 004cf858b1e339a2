/* DNS HTTPS answers (src/net/https_rr.c): hand-built answer messages as c-ares hands them over
 * (one record, AliasMode, malformed RDATA, CNAME chains and loops, compression pointers and
 * pointer loops, truncation at every length, hostile counts), the c-ares status mapping (a
 * timeout is never "no record"), the record cap, and which names are asked at all. */
#include <ares.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "https_rr.h"

#include "unit_check.h"

/* ---- building messages */

typedef struct msg {
    uint8_t b[70000];
    size_t n;
} msg_t;

static void put(msg_t *m, const void *p, size_t n)
{
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

static void u8(msg_t *m, unsigned v)
{
    m->b[m->n++] = (uint8_t)v;
}

static void u16(msg_t *m, unsigned v)
{
    u8(m, v >> 8), u8(m, v & 0xff);
}

/* Hex with spaces allowed. */
static void hex(msg_t *m, const char *s)
{
    for (; *s; s++) {
        unsigned v;
        if (*s == ' ')
            continue;
        if (sscanf(s, "%2x", &v) != 1)
            break;
        u8(m, v);
        s++;
    }
}

static void name(msg_t *m, const char *dotted)
{
    const char *p = dotted;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        u8(m, (unsigned)n);
        put(m, p, n);
        p += n + (dot != NULL);
    }
    u8(m, 0);
}

/* Header (QR set, RCODE rcode) and the question qname HTTPS IN. The question name starts at 12. */
static void start(msg_t *m, const char *qname, unsigned rcode, unsigned ancount)
{
    m->n = 0;
    u16(m, 0x1234);
    u16(m, 0x8180 | rcode);
    u16(m, 1), u16(m, ancount), u16(m, 0), u16(m, 0);
    name(m, qname);
    u16(m, 65), u16(m, 1);
}

/* An answer RR whose owner is already written (name or pointer); rdata in hex. */
static void rr_tail(msg_t *m, unsigned type, const char *rdata_hex)
{
    msg_t rd = { .n = 0 };
    hex(&rd, rdata_hex);
    u16(m, type), u16(m, 1);
    u16(m, 0), u16(m, 300);
    u16(m, (unsigned)rd.n);
    put(m, rd.b, rd.n);
}

/* An answer for the question's name (pointer 0xc00c). */
static void rr_q(msg_t *m, unsigned type, const char *rdata_hex)
{
    u16(m, 0xc00c);
    rr_tail(m, type, rdata_hex);
}

static json_object *answer(const msg_t *m, const char *owner, char *alias)
{
    return https_rr_from_answer(owner, ARES_SUCCESS, m->b, m->n, alias, HTTPS_RR_NAME_CAP);
}

static const char *js(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static const char *result_of(json_object *o)
{
    return json_object_get_string(json_object_object_get(o, "result"));
}

static size_t nrecords(json_object *o)
{
    return json_object_array_length(json_object_object_get(o, "records"));
}

static void expect_json(json_object *o, const char *want, const char *label)
{
    check(o && !strcmp(js(o), want), label, "got %s\n  want %s", o ? js(o) : "NULL", want);
}

/* ---- RDATA pieces */

#define EXAMPLE_NET "03 737663 07 6578616d706c65 03 6e6574 00" /* svc.example.net. */
/* 1 . alpn=h2,http/1.1 port=8443 ipv4hint=192.0.2.1 ech=AQID ipv6hint=2001:db8::1 */
#define SERVICE_RDATA                                                                                            \
    "0001 00 0001 000c 02 6832 08 687474702f312e31 0003 0002 20fb 0004 0004 c0000201 0005 0003 010203 "        \
    "0006 0010 20010db8000000000000000000000001"

static void test_one_record(void)
{
    msg_t m;
    char alias[HTTPS_RR_NAME_CAP];
    start(&m, "_8443._https.example.com", 0, 1);
    rr_q(&m, 65, SERVICE_RDATA);
    json_object *o = answer(&m, "_8443._https.example.com", alias);
    expect_json(o,
                "{\"owner\":\"_8443._https.example.com\",\"result\":\"found\",\"error\":null,\"alias_of\":null,"
                "\"records\":[{\"priority\":1,\"target\":\".\",\"alpn\":[\"h2\",\"http/1.1\"],\"port\":8443,"
                "\"ipv4hint\":[\"192.0.2.1\"],\"ipv6hint\":[\"2001:db8::1\"],\"ech\":\"AQID\",\"malformed\":null}]}",
                "one ServiceMode record: every field, ech in base64");
    check(alias[0] == '\0', "ServiceMode: no alias to follow", "alias '%s'", alias);
    json_object_put(o);

    start(&m, "example.com", 0, 1);
    rr_q(&m, 65, "0002 00 0001 0003 02 6832");
    o = answer(&m, "example.com", alias);
    expect_json(o,
                "{\"owner\":\"example.com\",\"result\":\"found\",\"error\":null,\"alias_of\":null,\"records\":[{"
                "\"priority\":2,\"target\":\".\",\"alpn\":[\"h2\"],\"port\":null,\"ipv4hint\":null,\"ipv6hint\":null,"
                "\"ech\":null,\"malformed\":null}]}",
                "a record without ech: ech and the absent params null");
    json_object_put(o);

    /* alpn ids are any octets: the report shows them printable */
    start(&m, "example.com", 0, 1);
    rr_q(&m, 65, "0001 00 0001 0004 03 61015c");
    o = answer(&m, "example.com", alias);
    json_object *rec = json_object_array_get_idx(json_object_object_get(o, "records"), 0);
    json_object *alpn = json_object_object_get(rec, "alpn");
    check(!strcmp(js(alpn), "[\"a\\\\x01\\\\x5c\"]"), "non-printable alpn bytes escaped as \\xHH", "%s", js(alpn));
    json_object_put(o);

    /* other classes and other types in the answer are not records */
    start(&m, "example.com", 0, 2);
    u16(&m, 0xc00c), u16(&m, 65), u16(&m, 3), u16(&m, 0), u16(&m, 0), u16(&m, 3), hex(&m, "000100");
    rr_q(&m, 1, "c0000201");
    o = answer(&m, "example.com", alias);
    check(!strcmp(result_of(o), "no record") && nrecords(o) == 0, "class CH type 65 and an A record: no record",
          "%s", js(o));
    json_object_put(o);
}

static void test_alias(void)
{
    msg_t m;
    char alias[HTTPS_RR_NAME_CAP];
    start(&m, "example.com", 0, 1);
    rr_q(&m, 65, "0000 " EXAMPLE_NET);
    json_object *o = answer(&m, "example.com", alias);
    expect_json(o,
                "{\"owner\":\"example.com\",\"result\":\"found\",\"error\":null,\"alias_of\":null,\"records\":[{"
                "\"priority\":0,\"target\":\"svc.example.net.\",\"alpn\":null,\"port\":null,\"ipv4hint\":null,"
                "\"ipv6hint\":null,\"ech\":null,\"malformed\":null}]}",
                "AliasMode record");
    check(!strcmp(alias, "svc.example.net"), "AliasMode: target to follow, without the final dot", "'%s'", alias);
    json_object_put(o);

    /* AliasMode to "." says there is no service: nothing to follow */
    start(&m, "example.com", 0, 1);
    rr_q(&m, 65, "0000 00");
    o = answer(&m, "example.com", alias);
    check(!strcmp(result_of(o), "found") && alias[0] == '\0', "AliasMode to the root: found, nothing to follow",
          "%s alias '%s'", js(o), alias);
    json_object_put(o);

    /* a ServiceMode record next to an AliasMode one: the alias still wins (RFC 9460 2.4.2) */
    start(&m, "example.com", 0, 2);
    rr_q(&m, 65, "0001 00");
    rr_q(&m, 65, "0000 " EXAMPLE_NET);
    o = answer(&m, "example.com", alias);
    check(nrecords(o) == 2 && !strcmp(alias, "svc.example.net"), "ServiceMode and AliasMode: both kept, alias followed",
          "%s alias '%s'", js(o), alias);
    json_object_put(o);
}

static void test_malformed(void)
{
    msg_t m;
    char alias[HTTPS_RR_NAME_CAP];
    start(&m, "bad.example", 0, 3);
    rr_q(&m, 65, "0001 00 0003 0002 01bb 0001 0003 026832"); /* keys out of order */
    rr_q(&m, 65, "00");                                       /* shorter than a priority */
    rr_q(&m, 65, "0002 00 0001 0003 02 6832");                 /* a good one after them */
    json_object *o = answer(&m, "bad.example", alias);
    expect_json(o,
                "{\"owner\":\"bad.example\",\"result\":\"found\",\"error\":null,\"alias_of\":null,\"records\":["
                "{\"priority\":1,\"target\":null,\"alpn\":null,\"port\":null,\"ipv4hint\":null,\"ipv6hint\":null,"
                "\"ech\":null,\"malformed\":\"SvcParamKeys not in strictly increasing order: key 1 after key 3\"},"
                "{\"priority\":null,\"target\":null,\"alpn\":null,\"port\":null,\"ipv4hint\":null,\"ipv6hint\":null,"
                "\"ech\":null,\"malformed\":\"RDATA of 1 bytes is shorter than SvcPriority and a TargetName\"},"
                "{\"priority\":2,\"target\":\".\",\"alpn\":[\"h2\"],\"port\":null,\"ipv4hint\":null,\"ipv6hint\":null,"
                "\"ech\":null,\"malformed\":null}]}",
                "malformed RDATA kept per record with the reason; the good record beside it parsed");
    json_object_put(o);

    /* a malformed AliasMode record is not followed */
    start(&m, "bad.example", 0, 1);
    rr_q(&m, 65, "0000 03 737663"); /* target truncated */
    o = answer(&m, "bad.example", alias);
    check(alias[0] == '\0' && nrecords(o) == 1, "malformed AliasMode record: not followed", "alias '%s'", alias);
    json_object_put(o);
}

/* RFC 9460 8: a record whose mandatory list names a key this client does not support is marked
 * ignored (the ech probe skips it); one naming a supported key is not. */
static void test_mandatory(void)
{
    msg_t m;
    char alias[HTTPS_RR_NAME_CAP];
    start(&m, "m.example", 0, 2);
    rr_q(&m, 65, "0001 00 0000 0002 fde8 fde8 0001 00");           /* mandatory=key65000 */
    rr_q(&m, 65, "0002 00 0000 0002 0001 0001 0003 026832");       /* mandatory=alpn */
    json_object *o = answer(&m, "m.example", alias);
    json_object *recs = NULL, *v = NULL;
    json_object_object_get_ex(o, "records", &recs);
    json_object *r0 = recs ? json_object_array_get_idx(recs, 0) : NULL, *r1 = recs ? json_object_array_get_idx(recs, 1) : NULL;
    const char *ign = r0 && json_object_object_get_ex(r0, "ignored", &v) ? json_object_get_string(v) : NULL;
    check(ign && strcmp(ign, "mandatory key key65000 is not one this client supports (RFC 9460 8)") == 0,
          "mandatory unknown key: the record is marked ignored", "%s", js(o));
    check(r1 && !json_object_object_get_ex(r1, "ignored", NULL), "mandatory alpn: not ignored", "%s", js(o));
    json_object_put(o);
}

/* Every prefix of a valid answer is an error, never a crash or a partial "found". */
static void test_truncation(void)
{
    msg_t m;
    char alias[HTTPS_RR_NAME_CAP];
    start(&m, "www.example.com", 0, 2);
    rr_q(&m, 5, "03 63646e 07 6578616d706c65 03 6e6574 00"); /* www -> cdn.example.net */
    u16(&m, 0xc000 | 45);                                    /* cdn.example.net, from the CNAME RDATA */
    rr_tail(&m, 65, SERVICE_RDATA);
    json_object *o = answer(&m, "www.example.com", alias);
    check(!strcmp(result_of(o), "found") && nrecords(o) == 1, "the full message (CNAME, pointer into RDATA): found",
          "%s", js(o));
    json_object_put(o);
    size_t bad = 0, first_bad = 0;
    for (size_t len = 0; len < m.n; len++) {
        o = https_rr_from_answer("www.example.com", ARES_SUCCESS, m.b, len, alias, sizeof alias);
        if (!o || strcmp(result_of(o), "error") || nrecords(o) != 0)
            first_bad = bad++ ? first_bad : len;
        json_object_put(o);
    }
    check(bad == 0, "truncated at every length 0..n-1: result error, no records", "%zu lengths wrong, first %zu", bad,
          first_bad);
    o = https_rr_from_answer("x", ARES_SUCCESS, NULL, 0, alias, sizeof alias);
    check(!strcmp(result_of(o), "error"), "no message at all: error", "%s", js(o));
    json_object_put(o);
}

static void test_compression(void)
{
    msg_t m;
    char alias[HTTPS_RR_NAME_CAP];
    json_object *o;

    /* owner "_https.example.com" written as a label then a pointer into the question */
    start(&m, "_443._https.example.com", 0, 1);
    u8(&m, 4), put(&m, "_443", 4), u16(&m, 0xc000 | 17); /* offset 17: "_https" in the question */
    rr_tail(&m, 65, "0001 00");
    o = answer(&m, "_443._https.example.com", alias);
    check(!strcmp(result_of(o), "found"), "owner: label + pointer into the question", "%s", js(o));
    json_object_put(o);

    /* a pointer to itself */
    start(&m, "example.com", 0, 1);
    u16(&m, 0xc000 | (unsigned)m.n);
    rr_tail(&m, 65, "0001 00");
    o = answer(&m, "example.com", alias);
    check(!strcmp(result_of(o), "error") && strstr(js(o), "owner name"), "pointer to itself: error", "%s", js(o));
    json_object_put(o);

    /* two pointers pointing at each other */
    start(&m, "example.com", 0, 1);
    size_t at = m.n;
    u16(&m, 0xc000 | (unsigned)(at + 2)), u16(&m, 0xc000 | (unsigned)at);
    rr_tail(&m, 65, "0001 00");
    o = answer(&m, "example.com", alias);
    check(!strcmp(result_of(o), "error"), "two pointers in a loop: error", "%s", js(o));
    json_object_put(o);

    /* a pointer past the end of the message */
    start(&m, "example.com", 0, 1);
    u16(&m, 0xc000 | 0x3fff);
    rr_tail(&m, 65, "0001 00");
    o = answer(&m, "example.com", alias);
    check(!strcmp(result_of(o), "error"), "pointer past the message: error", "%s", js(o));
    json_object_put(o);

    /* a CNAME whose RDATA name runs past its RDLENGTH */
    start(&m, "www.example.com", 0, 1);
    u16(&m, 0xc00c), u16(&m, 5), u16(&m, 1), u16(&m, 0), u16(&m, 0), u16(&m, 2);
    name(&m, "cdn.example.net");
    o = answer(&m, "www.example.com", alias);
    check(!strcmp(result_of(o), "error") && strstr(js(o), "CNAME"), "CNAME name longer than its RDATA: error", "%s",
          js(o));
    json_object_put(o);

    /* CNAME loop www -> a -> www, with an HTTPS record for a name off the chain */
    start(&m, "www.example.com", 0, 3);
    rr_q(&m, 5, "01 61 c010"); /* a.example.com (offset 16: "example.com" in the question) */
    name(&m, "a.example.com");
    rr_tail(&m, 5, "c00c");
    name(&m, "other.example.com");
    rr_tail(&m, 65, "0001 00");
    o = answer(&m, "www.example.com", alias);
    check(o && !strcmp(result_of(o), "no record"), "CNAME loop, record off the chain: no record (and it ends)", "%s",
          o ? js(o) : "NULL");
    json_object_put(o);

    /* a chain of two CNAMEs, upper case in the owner */
    start(&m, "www.example.com", 0, 3);
    rr_q(&m, 5, "01 62 c010");
    name(&m, "B.EXAMPLE.COM");
    rr_tail(&m, 5, "01 63 c010");
    name(&m, "c.example.com");
    rr_tail(&m, 65, "0003 00");
    o = answer(&m, "www.example.com", alias);
    check(!strcmp(result_of(o), "found") && nrecords(o) == 1, "two CNAMEs, case-insensitive names: found", "%s",
          js(o));
    json_object_put(o);
}

static void test_header(void)
{
    msg_t m;
    char alias[HTTPS_RR_NAME_CAP];
    json_object *o;
    start(&m, "x.invalid", 3, 0);
    o = answer(&m, "x.invalid", alias);
    expect_json(o, "{\"owner\":\"x.invalid\",\"result\":\"nxdomain\",\"error\":null,\"alias_of\":null,\"records\":[]}",
                "RCODE 3 in the message: nxdomain");
    json_object_put(o);
    start(&m, "x.example", 2, 0);
    o = answer(&m, "x.example", alias);
    check(!strcmp(result_of(o), "error") && strstr(js(o), "RCODE 2"), "RCODE 2: error naming it", "%s", js(o));
    json_object_put(o);
    start(&m, "x.example", 0, 0);
    o = answer(&m, "x.example", alias);
    check(!strcmp(result_of(o), "no record"), "NOERROR, no answers: no record", "%s", js(o));
    json_object_put(o);
    start(&m, "x.example", 0, 0);
    m.b[2] &= 0x7f;
    o = answer(&m, "x.example", alias);
    check(!strcmp(result_of(o), "error") && strstr(js(o), "QR"), "a query, not a response: error", "%s", js(o));
    json_object_put(o);
    start(&m, "x.example", 0, 0);
    m.b[5] = 2;
    o = answer(&m, "x.example", alias);
    check(!strcmp(result_of(o), "error") && strstr(js(o), "2 questions"), "two questions: error", "%s", js(o));
    json_object_put(o);
    /* ANCOUNT 65535 with one answer present: the count is not trusted */
    start(&m, "x.example", 0, 1);
    rr_q(&m, 65, "0001 00");
    m.b[6] = m.b[7] = 0xff;
    o = answer(&m, "x.example", alias);
    check(!strcmp(result_of(o), "error") && strstr(js(o), "answer 1"), "ANCOUNT 65535, one answer: error at answer 1",
          "%s", js(o));
    json_object_put(o);
}

static void test_cap(void)
{
    msg_t m;
    char alias[HTTPS_RR_NAME_CAP];
    start(&m, "many.example", 0, 20);
    for (int i = 0; i < 20; i++)
        rr_q(&m, 65, "0001 00");
    json_object *o = answer(&m, "many.example", alias);
    check(!strcmp(result_of(o), "found") && nrecords(o) == HTTPS_RR_MAX_RECORDS, "20 records: the first 16 kept",
          "%zu kept", nrecords(o));
    json_object_put(o);
    /* 300 answers of other types: read up to the cap, no record, no error */
    start(&m, "many.example", 0, 300);
    for (int i = 0; i < 300; i++)
        rr_q(&m, 1, "7f000001");
    o = answer(&m, "many.example", alias);
    check(!strcmp(result_of(o), "no record"), "300 A answers: no record", "%s", result_of(o));
    json_object_put(o);
}

static void test_status(void)
{
    char alias[HTTPS_RR_NAME_CAP];
    struct {
        int status;
        const char *want;
    } cases[] = { { ARES_ENOTFOUND, "nxdomain" }, { ARES_ENODATA, "no record" }, { ARES_ETIMEOUT, "timeout" },
                  { ARES_ECONNREFUSED, "error" }, { ARES_ESERVFAIL, "error" },   { ARES_EREFUSED, "error" } };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_object *o = https_rr_from_answer("o.example", cases[i].status, NULL, 0, alias, sizeof alias);
        const char *err = json_object_get_string(json_object_object_get(o, "error"));
        int err_ok = !strcmp(cases[i].want, "timeout") || !strcmp(cases[i].want, "error") ? err != NULL : err == NULL;
        char label[64];
        snprintf(label, sizeof label, "c-ares %s: %s", ares_strerror(cases[i].status), cases[i].want);
        check(!strcmp(result_of(o), cases[i].want) && err_ok && nrecords(o) == 0, label, "%s", js(o));
        json_object_put(o);
    }
    json_object *o = https_rr_from_answer("o.example", ARES_ETIMEOUT, NULL, 0, alias, sizeof alias);
    expect_json(o,
                "{\"owner\":\"o.example\",\"result\":\"timeout\",\"error\":\"Timeout while contacting DNS servers\","
                "\"alias_of\":null,\"records\":[]}",
                "a timeout is \"timeout\", never \"no record\"");
    json_object_put(o);
}

static void test_wanted(void)
{
    const char *no[] = { "localhost", "LOCALHOST.", "a.localhost", "b.a.LocalHost", "" };
    const char *yes[] = { "example.com", "notlocalhost", "localhost.example", "ech.lab.test" };
    char label[64];
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        snprintf(label, sizeof label, "HTTPS record not asked for '%s'", no[i]);
        check(!https_rr_wanted(no[i]), label, "it would be");
    }
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        snprintf(label, sizeof label, "HTTPS record asked for '%s'", yes[i]);
        check(https_rr_wanted(yes[i]), label, "it would not be");
    }
}

/* Random corruption of a valid message: any outcome but a crash. */
static void test_mutations(void)
{
    msg_t base, m;
    char alias[HTTPS_RR_NAME_CAP];
    start(&base, "www.example.com", 0, 2);
    rr_q(&base, 5, "03 63646e 07 6578616d706c65 03 6e6574 00");
    u16(&base, 0xc000 | 45);
    rr_tail(&base, 65, SERVICE_RDATA);
    srand(13);
    size_t found = 0;
    for (int i = 0; i < 20000; i++) {
        m = base;
        for (int k = 0; k < 1 + i % 4; k++)
            m.b[(size_t)rand() % m.n] = (uint8_t)rand();
        json_object *o = https_rr_from_answer("www.example.com", ARES_SUCCESS, m.b, m.n, alias, sizeof alias);
        found += o && !strcmp(result_of(o), "found");
        json_object_put(o);
    }
    check(found > 0, "20000 corrupted messages: no crash", "found %zu", found);
}

int main(void)
{
    test_one_record();
    test_alias();
    test_malformed();
    test_mandatory();
    test_truncation();
    test_compression();
    test_header();
    test_cap();
    test_status();
    test_wanted();
    test_mutations();
    return failures ? 1 : 0;
}
