/* The wire codec on byte vectors: hellos built byte for byte, hand-written server flights
 * parsed, every truncation and a set of corruptions rejected; and tls_raw's classification
 * over a socketpair standing in for a server. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "tls_raw.h"
#include "wire.h"

static int failures;

static void check(int cond, const char *name, const char *fmt, ...)
{
    if (cond) {
        printf("ok - %s\n", name);
        return;
    }
    char detail[512] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    printf("not ok - %s: %s\n", name, detail);
    failures++;
}

static void check_bytes(const char *name, const uint8_t *got, size_t got_len, const uint8_t *want,
                        size_t want_len)
{
    size_t i = 0;
    while (i < got_len && i < want_len && got[i] == want[i])
        i++;
    if (i == got_len && i == want_len)
        check(1, name, "");
    else
        check(0, name, "length %zu (want %zu), first difference at offset %zu: got 0x%02x want 0x%02x",
              got_len, want_len, i, i < got_len ? got[i] : 0, i < want_len ? want[i] : 0);
}

static const uint8_t *find(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

/* A growing byte buffer for hand-written messages. */
typedef struct buf {
    uint8_t b[70000];
    size_t n;
} buf_t;

static void add(buf_t *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void add_u8(buf_t *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void add_u16(buf_t *b, unsigned v) { add_u8(b, v >> 8); add_u8(b, v); }
static void add_u24(buf_t *b, size_t v) { add_u8(b, (unsigned)(v >> 16)); add_u16(b, (unsigned)v & 0xFFFF); }
static void add_fill(buf_t *b, uint8_t v, size_t n) { memset(b->b + b->n, v, n); b->n += n; }

static void add_record(buf_t *out, uint8_t type, const buf_t *payload)
{
    add_u8(out, type);
    add_u16(out, 0x0303);
    add_u16(out, payload->n);
    add(out, payload->b, payload->n);
}

static void add_handshake(buf_t *out, uint8_t type, const buf_t *body)
{
    add_u8(out, type);
    add_u24(out, body->n);
    add(out, body->b, body->n);
}

static uint8_t seq_random[32];

/* ------------------------------------------------------------------------------------------ */

static void test_tls12_hello_bytes(void)
{
    static const uint16_t suites[] = { 0xC02F, 0x009C, 0x00FF };
    static const uint16_t groups[] = { 29, 23 };
    static const uint16_t sigalgs[] = { 0x0403, 0x0804 };
    wire_hello_opts_t o = {
        .client_version = WIRE_TLS12, .random = seq_random,
        .suites = suites, .nsuites = 3, .sni = "a.b",
        .groups = groups, .ngroups = 2, .ec_point_formats = true,
        .sigalgs = sigalgs, .nsigalgs = 2,
    };
    uint8_t want[94] = {
        0x16, 0x03, 0x01, 0x00, 0x59,             /* record: handshake, TLS 1.0, 89 bytes */
        0x01, 0x00, 0x00, 0x55,                   /* ClientHello, 85 bytes */
        0x03, 0x03,                               /* client_version */
    };
    size_t n = 11;
    memcpy(want + n, seq_random, 32);
    n += 32;
    static const uint8_t rest[] = {
        0x00,                                     /* no session id */
        0x00, 0x06, 0xC0, 0x2F, 0x00, 0x9C, 0x00, 0xFF,
        0x01, 0x00,                               /* null compression */
        0x00, 0x26,                               /* 38 bytes of extensions */
        0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0x00, 0x03, 'a', '.', 'b',
        0x00, 0x0A, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1D, 0x00, 0x17,
        0x00, 0x0B, 0x00, 0x02, 0x01, 0x00,
        0x00, 0x0D, 0x00, 0x06, 0x00, 0x04, 0x04, 0x03, 0x08, 0x04,
    };
    memcpy(want + n, rest, sizeof rest);
    n += sizeof rest;

    uint8_t out[512];
    size_t len = 0;
    char err[128] = "";
    int rc = wire_build_client_hello(&o, out, sizeof out, &len, err, sizeof err);
    check(rc == 0, "TLS 1.2 hello builds", "%s", err);
    check(n == sizeof want, "TLS 1.2 hello vector is complete", "%zu", n);
    check_bytes("TLS 1.2 hello: exact bytes", out, len, want, sizeof want);

    /* The same hello into a buffer one byte short fails instead of overflowing. */
    rc = wire_build_client_hello(&o, out, sizeof want - 1, &len, err, sizeof err);
    check(rc == -1, "hello into a too-small buffer fails", "rc %d", rc);
}

static void test_tls13_hello_fields(void)
{
    static const uint16_t suites[] = { 0x1301, 0x1302 };
    static const uint16_t versions[] = { WIRE_TLS13 };
    uint8_t key[32], sid[32];
    memset(key, 0x42, sizeof key);
    memset(sid, 0x5A, sizeof sid);
    wire_key_share_t ks[] = { { .group = 29, .key = key, .key_len = 32 } };
    wire_hello_opts_t o = {
        .client_version = WIRE_TLS12, .random = seq_random,
        .session_id = sid, .session_id_len = 32,
        .suites = suites, .nsuites = 2,
        .versions = versions, .nversions = 1,
        .key_shares = ks, .nkey_shares = 1,
        .psk_key_exchange_modes = true,
    };
    uint8_t out[512];
    size_t len = 0;
    char err[128] = "";
    int rc = wire_build_client_hello(&o, out, sizeof out, &len, err, sizeof err);
    check(rc == 0, "TLS 1.3 hello builds", "%s", err);
    check(out[1] == 0x03 && out[2] == 0x01, "TLS 1.3 hello: record version 0x0301", "0x%02x%02x", out[1], out[2]);
    check(out[9] == 0x03 && out[10] == 0x03, "TLS 1.3 hello: legacy_version 0x0303", "0x%02x%02x", out[9], out[10]);
    check(out[43] == 32 && memcmp(out + 44, sid, 32) == 0, "TLS 1.3 hello: 32-byte session id at 43", "len %u", out[43]);
    check(out[76] == 0 && out[77] == 4 && out[78] == 0x13 && out[79] == 0x01,
          "TLS 1.3 hello: suites at 76", "%02x %02x", out[76], out[77]);
    static const uint8_t sv[] = { 0x00, 0x2B, 0x00, 0x03, 0x02, 0x03, 0x04 };
    check(find(out, len, sv, sizeof sv) != NULL, "TLS 1.3 hello: supported_versions [0x0304]", "not found");
    uint8_t kse[10 + 32] = { 0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1D, 0x00, 0x20 };
    memset(kse + 10, 0x42, 32);
    check(find(out, len, kse, sizeof kse) != NULL, "TLS 1.3 hello: key_share x25519 as given", "not found");
    static const uint8_t pkm[] = { 0x00, 0x2D, 0x00, 0x02, 0x01, 0x01 };
    check(find(out, len, pkm, sizeof pkm) != NULL, "TLS 1.3 hello: psk_key_exchange_modes", "not found");
    size_t record = (size_t)out[3] << 8 | out[4];
    size_t hs = (size_t)out[6] << 16 | (size_t)out[7] << 8 | out[8];
    check(record + 5 == len && hs + 4 == record, "TLS 1.3 hello: record and handshake lengths agree",
          "record %zu hs %zu total %zu", record, hs, len);
}

static void test_generated_key_shares(void)
{
    static const uint16_t suites[] = { 0x1301 };
    wire_key_share_t ks[] = { { .group = 29 }, { .group = 23 }, { .group = 24 }, { .group = 256 } };
    wire_hello_opts_t o = { .client_version = WIRE_TLS12, .suites = suites, .nsuites = 1,
                            .key_shares = ks, .nkey_shares = 4 };
    uint8_t out[4096];
    size_t len = 0;
    char err[128] = "";
    int rc = wire_build_client_hello(&o, out, sizeof out, &len, err, sizeof err);
    check(rc == 0, "generated key shares build", "%s", err);
    static const uint8_t x25519[] = { 0x00, 0x1D, 0x00, 0x20 };
    static const uint8_t p256[] = { 0x00, 0x17, 0x00, 0x41, 0x04 };
    static const uint8_t p384[] = { 0x00, 0x18, 0x00, 0x61, 0x04 };
    static const uint8_t ffdhe2048[] = { 0x01, 0x00, 0x01, 0x00 };
    check(find(out, len, x25519, sizeof x25519) != NULL, "key share x25519: 32 bytes", "not found");
    check(find(out, len, p256, sizeof p256) != NULL, "key share secp256r1: 65-byte uncompressed point", "not found");
    check(find(out, len, p384, sizeof p384) != NULL, "key share secp384r1: 97-byte uncompressed point", "not found");
    check(find(out, len, ffdhe2048, sizeof ffdhe2048) != NULL, "key share ffdhe2048: 256 bytes", "not found");
    /* 4 + 2 + (4+32) + (4+65) + (4+97) + (4+256) */
    size_t want_ext = 4 + 2 + 36 + 69 + 101 + 260;
    uint8_t hdr[4] = { 0x00, 0x33, (uint8_t)((want_ext - 4) >> 8), (uint8_t)(want_ext - 4) };
    check(find(out, len, hdr, sizeof hdr) != NULL, "key_share extension length", "want %zu", want_ext - 4);

    o.nkey_shares = 0;
    o.key_share_empty = true;
    static const uint8_t empty_ks[] = { 0x00, 0x33, 0x00, 0x02, 0x00, 0x00 };
    rc = wire_build_client_hello(&o, out, sizeof out, &len, err, sizeof err);
    check(rc == 0 && len >= sizeof empty_ks && memcmp(out + len - sizeof empty_ks, empty_ks, sizeof empty_ks) == 0,
          "key_share_empty: an empty client_shares list", "rc %d", rc);

    wire_key_share_t bad[] = { { .group = 0x1234 } };
    o.key_shares = bad;
    o.nkey_shares = 1;
    rc = wire_build_client_hello(&o, out, sizeof out, &len, err, sizeof err);
    check(rc == -1 && strstr(err, "0x1234"), "unknown key share group is an error", "rc %d err %s", rc, err);
}

static void test_padding_and_sslv3(void)
{
    uint16_t suites[120];
    for (size_t i = 0; i < 120; i++)
        suites[i] = (uint16_t)(0x0100 + i);
    wire_hello_opts_t o = { .client_version = WIRE_TLS12, .suites = suites, .nsuites = 120, .padding = true };
    uint8_t out[2048];
    size_t len = 0;
    char err[128] = "";
    int rc = wire_build_client_hello(&o, out, sizeof out, &len, err, sizeof err);
    size_t record = (size_t)out[3] << 8 | out[4];
    check(rc == 0 && record == 512 && len == 517, "padding: a 285-byte hello becomes 512", "rc %d record %zu", rc, record);
    check(out[len - 223 - 4] == 0x00 && out[len - 223 - 3] == 0x15 && out[len - 223 - 1] == 223,
          "padding: extension 21 with 223 zero bytes last", "at %zu", len - 227);

    o.nsuites = 20;
    rc = wire_build_client_hello(&o, out, sizeof out, &len, err, sizeof err);
    record = (size_t)out[3] << 8 | out[4];
    check(rc == 0 && record == 4 + 2 + 32 + 1 + 2 + 40 + 2 + 2, "padding: a short hello is left alone",
          "record %zu", record);

    o = (wire_hello_opts_t){ .client_version = WIRE_SSL3, .suites = suites, .nsuites = 2, .no_extensions = true,
                             .sni = "ignored" };
    rc = wire_build_client_hello(&o, out, sizeof out, &len, err, sizeof err);
    check(rc == 0 && len == 5 + 4 + 2 + 32 + 1 + 2 + 4 + 2, "SSLv3 hello: no extensions block", "len %zu", len);
    check(out[1] == 3 && out[2] == 0 && out[9] == 3 && out[10] == 0, "SSLv3 hello: record and client version 0x0300",
          "%02x%02x %02x%02x", out[1], out[2], out[9], out[10]);

    uint16_t many[8200];
    memset(many, 0, sizeof many);
    o = (wire_hello_opts_t){ .client_version = WIRE_TLS12, .suites = many, .nsuites = 8200 };
    uint8_t big[20000];
    rc = wire_build_client_hello(&o, big, sizeof big, &len, err, sizeof err);
    check(rc == -1, "a hello beyond one record is refused", "rc %d", rc);
    o.nsuites = 0;
    rc = wire_build_client_hello(&o, big, sizeof big, &len, err, sizeof err);
    check(rc == -1, "a hello without suites is refused", "rc %d", rc);
}

static void test_sslv2_hello_bytes(void)
{
    static const uint32_t kinds[] = { 0x010080, 0x0700C0 };
    static const uint16_t tls[] = { 0x002F };
    uint8_t challenge[16];
    memset(challenge, 0x11, sizeof challenge);
    wire_sslv2_hello_opts_t o = { .version = WIRE_SSL2, .kinds = kinds, .nkinds = 2, .tls_suites = tls,
                                  .ntls_suites = 1, .challenge = challenge, .challenge_len = 16 };
    uint8_t want[36] = { 0x80, 0x22, 0x01, 0x00, 0x02, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10,
                         0x01, 0x00, 0x80, 0x07, 0x00, 0xC0, 0x00, 0x00, 0x2F };
    memset(want + 20, 0x11, 16);
    uint8_t out[64];
    size_t len = 0;
    char err[128] = "";
    int rc = wire_build_sslv2_hello(&o, out, sizeof out, &len, err, sizeof err);
    check(rc == 0, "SSLv2 hello builds", "%s", err);
    check_bytes("SSLv2 hello: exact bytes", out, len, want, sizeof want);
    o.challenge_len = 8;
    rc = wire_build_sslv2_hello(&o, out, sizeof out, &len, err, sizeof err);
    check(rc == -1, "SSLv2 hello: an 8-byte challenge is refused", "rc %d", rc);
}

/* ------------------------------------------------------------------------------------------
 * Server flights */

static const uint8_t fake_cert_a[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
static const uint8_t fake_cert_b[] = { 0x30, 0x04, 0x02, 0x02, 0x01, 0x02 };

static void server_hello_body(buf_t *b, uint16_t version, const uint8_t *random, uint16_t cipher,
                              const buf_t *exts)
{
    b->n = 0;
    add_u16(b, version);
    add(b, random, 32);
    add_u8(b, 32);
    add_fill(b, 0xEE, 32);
    add_u16(b, cipher);
    add_u8(b, 0);
    if (exts) {
        add_u16(b, exts->n);
        add(b, exts->b, exts->n);
    }
}

/* A TLS 1.2 ECDHE_RSA flight: ServerHello, Certificate (2), ServerKeyExchange, ServerHelloDone,
 * all in one record. */
static void tls12_flight(buf_t *out)
{
    static buf_t exts, body, hs;
    exts.n = body.n = hs.n = 0;
    add(&exts, "\xff\x01\x00\x01\x00", 5);      /* renegotiation_info, empty */
    add(&exts, "\x00\x17\x00\x00", 4);          /* extended_master_secret */
    add(&exts, "\x00\x0b\x00\x02\x01\x00", 6);  /* ec_point_formats */
    uint8_t random[32];
    memset(random, 0xAA, 32);
    server_hello_body(&body, 0x0303, random, 0xC02F, &exts);
    add_handshake(&hs, WIRE_HS_SERVER_HELLO, &body);

    body.n = 0;
    add_u24(&body, 3 + sizeof fake_cert_a + 3 + sizeof fake_cert_b);
    add_u24(&body, sizeof fake_cert_a);
    add(&body, fake_cert_a, sizeof fake_cert_a);
    add_u24(&body, sizeof fake_cert_b);
    add(&body, fake_cert_b, sizeof fake_cert_b);
    add_handshake(&hs, WIRE_HS_CERTIFICATE, &body);

    body.n = 0;
    add_u8(&body, 3);
    add_u16(&body, 23);
    add_u8(&body, 65);
    add_u8(&body, 0x04);
    add_fill(&body, 0x33, 64);
    add_u16(&body, 0x0401);
    add_u16(&body, 4);
    add(&body, "\xde\xad\xbe\xef", 4);
    add_handshake(&hs, WIRE_HS_SERVER_KEY_EXCHANGE, &body);

    body.n = 0;
    add_handshake(&hs, WIRE_HS_SERVER_HELLO_DONE, &body);
    out->n = 0;
    add_record(out, WIRE_CT_HANDSHAKE, &hs);
}

static void test_tls12_flight(void)
{
    static buf_t in;
    tls12_flight(&in);
    wire_flight_t f = { 0 };
    wire_status_t st = wire_parse_flight(in.b, in.n, 0, &f);
    check(st == WIRE_OK, "TLS 1.2 flight: complete", "status %d: %s", st, f.error);
    const wire_server_hello_t *sh = &f.server_hello;
    check(f.have_server_hello && sh->version == 0x0303 && sh->legacy_version == 0x0303 && sh->cipher == 0xC02F
              && sh->compression == 0 && !sh->is_hrr,
          "TLS 1.2 ServerHello: version, cipher, compression", "v 0x%04x c 0x%04x", sh->version, sh->cipher);
    check(sh->session_id_len == 32 && sh->session_id[0] == 0xEE && sh->random[31] == 0xAA,
          "TLS 1.2 ServerHello: session id and random", "sid %u", sh->session_id_len);
    check(sh->nextensions == 3 && sh->secure_renegotiation && sh->extended_master_secret
              && wire_server_hello_extension(sh, WIRE_EXT_EC_POINT_FORMATS) && !sh->has_supported_versions,
          "TLS 1.2 ServerHello: extensions", "n %zu", sh->nextensions);
    check(f.have_certificate && f.certificate.ncerts == 2 && f.certificate.total == 2
              && f.certificate.certs[0].len == sizeof fake_cert_a
              && memcmp(f.certificate.certs[1].der, fake_cert_b, sizeof fake_cert_b) == 0,
          "TLS 1.2 Certificate: two DER certificates in order", "n %zu", f.certificate.ncerts);
    check(f.have_server_key_exchange && f.ske.kind == WIRE_SKE_ECDHE && f.ske.curve_type == 3
              && f.ske.named_curve == 23 && f.ske.ec_point_len == 65 && f.ske.ec_point[0] == 0x04,
          "TLS 1.2 ServerKeyExchange: ECDHE secp256r1 point", "kind %d curve %u", f.ske.kind, f.ske.named_curve);
    check(f.ske.has_signature && f.ske.has_sig_scheme && f.ske.sig_scheme == 0x0401 && f.ske.signature_len == 4,
          "TLS 1.2 ServerKeyExchange: signature scheme and length", "scheme 0x%04x", f.ske.sig_scheme);
    check(f.have_server_hello_done && !f.have_certificate_request && f.nalerts == 0 && f.consumed == in.n,
          "TLS 1.2 flight: ServerHelloDone, no CertificateRequest", "consumed %zu of %zu", f.consumed, in.n);

    /* Every proper prefix is incomplete, never complete and never malformed. */
    size_t bad = 0, at = 0;
    for (size_t i = 0; i < in.n; i++) {
        st = wire_parse_flight(in.b, i, 0, &f);
        if (st != WIRE_NEED_MORE && !bad++)
            at = i;
    }
    check(bad == 0, "TLS 1.2 flight: every truncation needs more", "%zu prefixes wrong, first at %zu", bad, at);

    /* The same flight cut into records of 1, 2, 3 ... bytes reassembles identically. */
    static buf_t split;
    split.n = 0;
    const uint8_t *hs = in.b + 5;
    size_t hs_len = in.n - 5;
    for (size_t off = 0, step = 1; off < hs_len; off += step, step++) {
        buf_t *piece = malloc(sizeof *piece);
        piece->n = 0;
        add(piece, hs + off, step < hs_len - off ? step : hs_len - off);
        add_record(&split, WIRE_CT_HANDSHAKE, piece);
        free(piece);
    }
    st = wire_parse_flight(split.b, split.n, 0, &f);
    check(st == WIRE_OK && f.have_server_hello_done && f.certificate.ncerts == 2 && f.ske.named_curve == 23
              && f.records >= 20,
          "TLS 1.2 flight: reassembled across many records", "status %d records %zu: %s", st, f.records, f.error);

    /* A message limit below the Certificate's size is enforced. */
    st = wire_parse_flight(in.b, in.n, 8, &f);
    check(st == WIRE_MALFORMED && strstr(f.error, "limit"), "handshake message over the limit is malformed",
          "status %d: %s", st, f.error);
    wire_flight_free(&f);
}

static void test_tls13_and_hrr(void)
{
    static buf_t exts, body, hs, in;
    wire_flight_t f = { 0 };
    uint8_t random[32];
    memset(random, 0x01, 32);

    exts.n = body.n = hs.n = in.n = 0;
    add(&exts, "\x00\x2b\x00\x02\x03\x04", 6);
    add(&exts, "\x00\x33\x00\x24\x00\x1d\x00\x20", 8);
    add_fill(&exts, 0x77, 32);
    server_hello_body(&body, 0x0303, random, 0x1302, &exts);
    add_handshake(&hs, WIRE_HS_SERVER_HELLO, &body);
    add_record(&in, WIRE_CT_HANDSHAKE, &hs);
    /* What follows a TLS 1.3 ServerHello is encrypted and not looked at. */
    add(&in, "\x14\x03\x03\x00\x01\x01\x17\x03\x03\x00\x03\x01\x02\x03", 14);
    wire_status_t st = wire_parse_flight(in.b, in.n, 0, &f);
    const wire_server_hello_t *sh = &f.server_hello;
    check(st == WIRE_OK && sh->version == WIRE_TLS13 && sh->legacy_version == 0x0303 && sh->has_supported_versions,
          "TLS 1.3 ServerHello: version from supported_versions", "status %d v 0x%04x: %s", st, sh->version, f.error);
    check(sh->has_key_share && sh->key_share_group == 29 && sh->key_share_len == 32 && sh->key_share[0] == 0x77
              && !sh->is_hrr && sh->cipher == 0x1302,
          "TLS 1.3 ServerHello: key share and cipher", "group %u len %zu", sh->key_share_group, sh->key_share_len);

    static const uint8_t hrr_random[32] = {
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    };
    exts.n = body.n = hs.n = in.n = 0;
    add(&exts, "\x00\x2b\x00\x02\x03\x04", 6);
    add(&exts, "\x00\x33\x00\x02\x00\x17", 6);
    add(&exts, "\x00\x2c\x00\x04\x00\x02\xab\xcd", 8);
    server_hello_body(&body, 0x0303, hrr_random, 0x1301, &exts);
    add_handshake(&hs, WIRE_HS_SERVER_HELLO, &body);
    add_record(&in, WIRE_CT_HANDSHAKE, &hs);
    st = wire_parse_flight(in.b, in.n, 0, &f);
    check(st == WIRE_OK && sh->is_hrr && sh->key_share_group == 23 && sh->has_cookie && sh->version == WIRE_TLS13,
          "HelloRetryRequest: detected, selected group secp256r1, cookie", "status %d hrr %d group %u: %s", st,
          sh->is_hrr, sh->key_share_group, f.error);

    /* Downgrade sentinel: a TLS 1.3 server that chose TLS 1.2. */
    memcpy(random + 24, "DOWNGRD\1", 8);
    server_hello_body(&body, 0x0303, random, 0xC02F, NULL);
    wire_server_hello_t s2;
    char err[128] = "";
    st = wire_parse_server_hello(body.b, body.n, &s2, err, sizeof err);
    check(st == WIRE_OK && s2.downgrade_sentinel == WIRE_TLS12 && !s2.has_extensions_block,
          "ServerHello: downgrade sentinel and no extensions block", "status %d sentinel 0x%04x: %s", st,
          s2.downgrade_sentinel, err);
    wire_flight_free(&f);
}

static void test_alerts(void)
{
    wire_flight_t f = { 0 };
    static const uint8_t fatal[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46 };
    wire_status_t st = wire_parse_flight(fatal, sizeof fatal, 0, &f);
    check(st == WIRE_OK && f.have_fatal_alert && f.nalerts == 1 && f.alerts[0].description == 70
              && strcmp(wire_alert_name(f.alerts[0].description), "protocol_version") == 0,
          "alert: fatal protocol_version", "status %d n %zu", st, f.nalerts);
    static const uint8_t warning[] = { 0x15, 0x03, 0x01, 0x00, 0x02, 0x01, 0x70 };
    st = wire_parse_flight(warning, sizeof warning, 0, &f);
    check(st == WIRE_NEED_MORE && !f.have_fatal_alert && f.nalerts == 1 && f.alerts[0].description == 112,
          "alert: a warning does not end the flight", "status %d", st);
    static const uint8_t odd[] = { 0x15, 0x03, 0x03, 0x00, 0x03, 0x02, 0x28, 0x00 };
    st = wire_parse_flight(odd, sizeof odd, 0, &f);
    check(st == WIRE_MALFORMED, "alert: a 3-byte alert record is malformed", "status %d", st);
    wire_alert_t a;
    check(wire_parse_alert(fatal + 5, 2, &a, NULL, 0) == WIRE_OK && a.level == 2 && a.description == 70
              && wire_parse_alert(fatal + 5, 1, &a, NULL, 0) == WIRE_MALFORMED,
          "wire_parse_alert: 2 bytes exactly", "");
    check(strcmp(wire_alert_name(40), "handshake_failure") == 0 && wire_alert_name(255) == NULL,
          "alert names", "%s", wire_alert_name(40));
    check(strcmp(wire_version_name(WIRE_TLS10), "TLSv1.0") == 0 && wire_version_by_name("SSLv3") == WIRE_SSL3
              && wire_version_name(0x0305) == NULL && wire_version_by_name("TLSv9") == 0,
          "version names", "");
    wire_flight_free(&f);
}

static void test_ske_dhe(void)
{
    static buf_t b;
    b.n = 0;
    add_u16(&b, 256);
    add_u8(&b, 0x7F); /* top bit clear: 2047 bits */
    add_fill(&b, 0xFF, 255);
    add_u16(&b, 1);
    add_u8(&b, 2);
    add_u16(&b, 2);
    add(&b, "\x12\x34", 2);
    add_u16(&b, 2);          /* TLS 1.0: no signature scheme */
    add(&b, "\xab\xcd", 2);
    wire_ske_t s;
    char err[128] = "";
    wire_status_t st = wire_parse_server_key_exchange(b.b, b.n, "DHE", WIRE_TLS10, &s, err, sizeof err);
    check(st == WIRE_OK && s.kind == WIRE_SKE_DHE && s.dh_p_len == 256 && s.dh_p_bits == 2047 && s.dh_g_len == 1
              && s.dh_g[0] == 2 && s.dh_ys_len == 2 && s.has_signature && !s.has_sig_scheme && s.signature_len == 2,
          "ServerKeyExchange DHE: p, g, Ys, TLS 1.0 signature", "status %d bits %u: %s", st, s.dh_p_bits, err);
    st = wire_parse_server_key_exchange(b.b, b.n - 1, "DHE", WIRE_TLS10, &s, err, sizeof err);
    check(st == WIRE_MALFORMED, "ServerKeyExchange DHE: truncated signature", "status %d", st);
    st = wire_parse_server_key_exchange(b.b, b.n - 4, "DHE", WIRE_TLS10, &s, err, sizeof err);
    check(st == WIRE_OK && !s.has_signature, "ServerKeyExchange DHE: anonymous, no signature", "status %d", st);
    st = wire_parse_server_key_exchange(b.b, 100, "DHE", WIRE_TLS12, &s, err, sizeof err);
    check(st == WIRE_MALFORMED, "ServerKeyExchange DHE: p longer than the message", "status %d", st);
    st = wire_parse_server_key_exchange(b.b, b.n, "RSA", WIRE_TLS10, &s, err, sizeof err);
    check(st == WIRE_OK && s.kind == WIRE_SKE_UNKNOWN && s.raw_len == b.n, "ServerKeyExchange RSA: raw only",
          "status %d", st);
    static const uint8_t trailing[] = { 0x03, 0x00, 0x1d, 0x01, 0x09, 0x04, 0x01, 0x00, 0x01, 0xff, 0x00 };
    st = wire_parse_server_key_exchange(trailing, sizeof trailing, "ECDHE", WIRE_TLS12, &s, err, sizeof err);
    check(st == WIRE_MALFORMED, "ServerKeyExchange ECDHE: trailing byte", "status %d", st);
}

static void test_malformed_tls(void)
{
    wire_flight_t f = { 0 };
    static buf_t body, hs, in;
    uint8_t random[32] = { 0 };
    wire_status_t st;

    /* Record length one over 2^14 + 2048. */
    static const uint8_t oversize[] = { 0x16, 0x03, 0x03, 0x48, 0x01, 0x02 };
    st = wire_parse_flight(oversize, sizeof oversize, 0, &f);
    check(st == WIRE_MALFORMED && strstr(f.error, "exceeds"), "record over 2^14+2048 is malformed", "status %d: %s",
          st, f.error);
    static const uint8_t maxsize[] = { 0x16, 0x03, 0x03, 0x48, 0x00, 0x02 };
    st = wire_parse_flight(maxsize, sizeof maxsize, 0, &f);
    check(st == WIRE_NEED_MORE, "record of exactly 2^14+2048 is accepted", "status %d: %s", st, f.error);
    static const uint8_t badver[] = { 0x16, 0x04, 0x03, 0x00, 0x01, 0x00 };
    st = wire_parse_flight(badver, sizeof badver, 0, &f);
    check(st == WIRE_MALFORMED, "record version 0x0403 is malformed", "status %d", st);
    static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    st = wire_parse_flight((const uint8_t *)http, sizeof http - 1, 0, &f);
    check(st == WIRE_MALFORMED && strstr(f.error, "HTTP"), "plaintext HTTP answer is named", "%s", f.error);

    /* Session id of 33 bytes. */
    body.n = 0;
    add_u16(&body, 0x0303);
    add(&body, random, 32);
    add_u8(&body, 33);
    add_fill(&body, 0, 36);
    wire_server_hello_t sh;
    char err[128] = "";
    st = wire_parse_server_hello(body.b, body.n, &sh, err, sizeof err);
    check(st == WIRE_MALFORMED, "ServerHello: 33-byte session id", "status %d", st);

    /* Extensions block length one more than present. */
    server_hello_body(&body, 0x0303, random, 0x002F, NULL);
    add(&body, "\x00\x05\x00\x17\x00\x00", 6);
    st = wire_parse_server_hello(body.b, body.n, &sh, err, sizeof err);
    check(st == WIRE_MALFORMED, "ServerHello: extensions length mismatch", "status %d", st);
    /* A repeated extension. */
    server_hello_body(&body, 0x0303, random, 0x002F, NULL);
    add(&body, "\x00\x08\x00\x17\x00\x00\x00\x17\x00\x00", 10);
    st = wire_parse_server_hello(body.b, body.n, &sh, err, sizeof err);
    check(st == WIRE_MALFORMED && strstr(err, "repeats"), "ServerHello: repeated extension", "status %d: %s", st, err);
    /* supported_versions of 3 bytes. */
    server_hello_body(&body, 0x0303, random, 0x1301, NULL);
    add(&body, "\x00\x07\x00\x2b\x00\x03\x03\x04\x00", 9);
    st = wire_parse_server_hello(body.b, body.n, &sh, err, sizeof err);
    check(st == WIRE_MALFORMED, "ServerHello: 3-byte supported_versions", "status %d", st);
    /* A lone byte after compression: neither no block nor a block. */
    server_hello_body(&body, 0x0303, random, 0x002F, NULL);
    add_u8(&body, 0);
    st = wire_parse_server_hello(body.b, body.n, &sh, err, sizeof err);
    check(st == WIRE_MALFORMED, "ServerHello: one stray byte after compression", "status %d", st);
    /* Every truncation of a ServerHello is an error. */
    server_hello_body(&body, 0x0303, random, 0x002F, NULL);
    add(&body, "\x00\x04\x00\x17\x00\x00", 6);
    size_t wrong = 0;
    for (size_t i = 0; i < body.n; i++)
        if (i != 2 + 32 + 1 + 32 + 3 && wire_parse_server_hello(body.b, i, &sh, err, sizeof err) != WIRE_MALFORMED)
            wrong++;
    check(wrong == 0, "ServerHello: every truncation is malformed", "%zu accepted", wrong);

    /* Certificate list length disagreeing with its entries. */
    static const uint8_t cert_bad[] = { 0x00, 0x00, 0x09, 0x00, 0x00, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01, 0x00 };
    wire_certificate_t c;
    st = wire_parse_certificate(cert_bad, sizeof cert_bad, false, &c, err, sizeof err);
    check(st == WIRE_MALFORMED, "Certificate: list length mismatch", "status %d", st);
    static const uint8_t cert_empty_entry[] = { 0x00, 0x00, 0x03, 0x00, 0x00, 0x00 };
    st = wire_parse_certificate(cert_empty_entry, sizeof cert_empty_entry, false, &c, err, sizeof err);
    check(st == WIRE_MALFORMED, "Certificate: empty entry", "status %d", st);
    static const uint8_t cert13[] = { 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01,
                                      0x00, 0x00 };
    st = wire_parse_certificate(cert13, sizeof cert13, true, &c, err, sizeof err);
    check(st == WIRE_OK && c.ncerts == 1 && c.certs[0].len == 5, "Certificate (TLS 1.3 layout)", "status %d: %s",
          st, err);

    /* A Certificate before the ServerHello. */
    hs.n = in.n = body.n = 0;
    add(&body, "\x00\x00\x00", 3);
    add_handshake(&hs, WIRE_HS_CERTIFICATE, &body);
    add_record(&in, WIRE_CT_HANDSHAKE, &hs);
    st = wire_parse_flight(in.b, in.n, 0, &f);
    check(st == WIRE_MALFORMED && strstr(f.error, "before ServerHello"), "Certificate before ServerHello",
          "status %d: %s", st, f.error);
    /* ChangeCipherSpec before ServerHello, and application data. */
    static const uint8_t ccs[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
    st = wire_parse_flight(ccs, sizeof ccs, 0, &f);
    check(st == WIRE_MALFORMED, "ChangeCipherSpec before ServerHello", "status %d", st);
    static const uint8_t appdata[] = { 0x17, 0x03, 0x03, 0x00, 0x01, 0x01 };
    st = wire_parse_flight(appdata, sizeof appdata, 0, &f);
    check(st == WIRE_MALFORMED, "application data first", "status %d", st);
    /* ServerHelloDone with a body. */
    server_hello_body(&body, 0x0303, random, 0x002F, NULL);
    hs.n = in.n = 0;
    add_handshake(&hs, WIRE_HS_SERVER_HELLO, &body);
    add(&hs, "\x0e\x00\x00\x01\x00", 5);
    add_record(&in, WIRE_CT_HANDSHAKE, &hs);
    st = wire_parse_flight(in.b, in.n, 0, &f);
    check(st == WIRE_MALFORMED && f.have_server_hello, "ServerHelloDone with a body (ServerHello kept)",
          "status %d", st);
    /* A warning alert, then a ServerHello: both recorded, the flight still open. */
    hs.n = in.n = 0;
    add_handshake(&hs, WIRE_HS_SERVER_HELLO, &body);
    add(&in, "\x15\x03\x03\x00\x02\x01\x70", 7);
    add_record(&in, WIRE_CT_HANDSHAKE, &hs);
    st = wire_parse_flight(in.b, in.n, 0, &f);
    check(st == WIRE_NEED_MORE && f.nalerts == 1 && f.have_server_hello && f.server_hello.cipher == 0x002F,
          "warning alert then ServerHello", "status %d: %s", st, f.error);
    wire_flight_free(&f);
}

static void test_sslv2_flight(void)
{
    static buf_t msg, in;
    wire_flight_t f = { 0 };
    msg.n = in.n = 0;
    add_u8(&msg, WIRE_SSL2_MT_SERVER_HELLO);
    add_u8(&msg, 0);
    add_u8(&msg, 1);
    add_u16(&msg, 0x0002);
    add_u16(&msg, sizeof fake_cert_a);
    add_u16(&msg, 6);
    add_u16(&msg, 16);
    add(&msg, fake_cert_a, sizeof fake_cert_a);
    add(&msg, "\x01\x00\x80\x07\x00\xc0", 6);
    add_fill(&msg, 0x99, 16);
    add_u16(&in, 0x8000 | msg.n);
    add(&in, msg.b, msg.n);
    wire_status_t st = wire_parse_flight(in.b, in.n, 0, &f);
    const wire_sslv2_server_hello_t *sh = &f.sslv2_hello;
    check(st == WIRE_OK && f.sslv2 && f.have_sslv2_server_hello && sh->version == 2 && sh->cert_type == 1
              && sh->cert_len == sizeof fake_cert_a && sh->nkinds == 2 && sh->kinds[0] == 0x010080
              && sh->kinds[1] == 0x0700C0 && sh->connection_id_len == 16 && sh->connection_id[0] == 0x99,
          "SSLv2 SERVER-HELLO: certificate, kinds, connection id", "status %d: %s", st, f.error);
    size_t wrong = 0;
    for (size_t i = 0; i < in.n; i++)
        if (wire_parse_flight(in.b, i, 0, &f) != WIRE_NEED_MORE)
            wrong++;
    check(wrong == 0, "SSLv2 SERVER-HELLO: every truncation needs more", "%zu wrong", wrong);

    /* Lengths that overrun the message. */
    in.b[2 + 10] = 7;
    st = wire_parse_flight(in.b, in.n, 0, &f);
    check(st == WIRE_MALFORMED, "SSLv2 SERVER-HELLO: lengths disagree", "status %d", st);
    in.b[2 + 8] = 5; /* specs length 5: not a multiple of 3 */
    in.b[2 + 10] = 0x11;
    st = wire_parse_flight(in.b, in.n, 0, &f);
    check(st == WIRE_MALFORMED, "SSLv2 SERVER-HELLO: specs not a multiple of 3", "status %d", st);

    static const uint8_t error[] = { 0x80, 0x03, 0x00, 0x00, 0x01 };
    st = wire_parse_flight(error, sizeof error, 0, &f);
    check(st == WIRE_OK && f.have_sslv2_error && f.sslv2_error == 1
              && strcmp(wire_sslv2_error_name(f.sslv2_error), "no_cipher") == 0,
          "SSLv2 ERROR no_cipher", "status %d", st);
    static const uint8_t three_byte[] = { 0x00, 0x04, 0x01, 0x00, 0x00, 0x01, 0xAA };
    const uint8_t *m;
    size_t mlen, used;
    char err[128];
    st = wire_parse_sslv2_record(three_byte, sizeof three_byte, &m, &mlen, &used, err, sizeof err);
    check(st == WIRE_OK && mlen == 3 && used == 7 && m[2] == 1, "SSLv2 3-byte header with padding", "status %d",
          st);
    wire_flight_free(&f);
}

/* ------------------------------------------------------------------------------------------
 * tls_raw over a socketpair: the "server" end gets canned bytes and may be closed. The deadline
 * is the probes' (probe_raw.c): NET_EXCHANGE_WAITS single waits from now, unless o has one. */

static tls_raw_outcome_t exchange(const buf_t *answer, bool close_after, const tls_raw_opts_t *given,
                                  tls_raw_result_t *r)
{
    tls_raw_opts_t opts = *given, *o = &opts;
    if (!o->deadline)
        o->deadline = net_now() + NET_EXCHANGE_WAITS * o->timeout_s;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return TLS_RAW_LOCAL_ERROR;
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    if (answer && answer->n && write(sv[1], answer->b, answer->n) != (ssize_t)answer->n)
        return TLS_RAW_LOCAL_ERROR;
    if (close_after)
        shutdown(sv[1], SHUT_WR);
    static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x00, 0x00 };
    tls_raw_exchange(sv[0], hello, sizeof hello, o, r);
    close(sv[0]);
    close(sv[1]);
    return r->outcome;
}

static void test_tls_raw(void)
{
    static buf_t in;
    tls_raw_result_t r;
    static const uint16_t v12[] = { WIRE_TLS12 }, v11[] = { WIRE_TLS11 };
    static const uint16_t s_ok[] = { 0xC02F }, s_other[] = { 0x002F };
    tls_raw_opts_t o = { .timeout_s = 0.3, .offered_versions = v12, .noffered_versions = 1,
                         .offered_suites = s_ok, .noffered_suites = 1 };

    tls12_flight(&in);
    exchange(&in, false, &o, &r);
    check(r.outcome == TLS_RAW_ACCEPTED && strcmp(r.summary, "accepted") == 0 && r.version == WIRE_TLS12
              && r.cipher == 0xC02F && r.cipher_name && strcmp(r.cipher_name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") == 0
              && r.flight.certificate.ncerts == 2,
          "tls_raw: accepted with version, cipher and name", "%s (%s)", r.summary,
          r.cipher_name ? r.cipher_name : "-");
    tls_raw_result_free(&r);

    o.offered_versions = v11;
    exchange(&in, false, &o, &r);
    check(r.outcome == TLS_RAW_OTHER_VERSION && strcmp(r.summary, "server chose TLSv1.2") == 0,
          "tls_raw: server chose another version", "%s", r.summary);
    tls_raw_result_free(&r);

    o.offered_versions = v12;
    o.offered_suites = s_other;
    exchange(&in, false, &o, &r);
    check(r.outcome == TLS_RAW_MALFORMED && strstr(r.summary, "not offered"), "tls_raw: a suite not offered",
          "%s", r.summary);
    tls_raw_result_free(&r);
    o.offered_suites = s_ok;

    in.n = 0;
    add(&in, "\x15\x03\x03\x00\x02\x02\x28", 7);
    exchange(&in, false, &o, &r);
    check(r.outcome == TLS_RAW_ALERT && strcmp(r.summary, "alert handshake_failure(40)") == 0 && r.alert == 40,
          "tls_raw: alert handshake_failure(40)", "%s", r.summary);
    tls_raw_result_free(&r);

    in.n = 0;
    add(&in, "\x15\x03\x03\x00\x02\x01\x70", 7);
    exchange(&in, true, &o, &r);
    check(r.outcome == TLS_RAW_ALERT && strcmp(r.summary, "alert unrecognized_name(112)") == 0,
          "tls_raw: a warning alert then close", "%s", r.summary);
    tls_raw_result_free(&r);

    exchange(NULL, true, &o, &r);
    check(r.outcome == TLS_RAW_CLOSED && strcmp(r.summary, "closed") == 0, "tls_raw: closed", "%s", r.summary);
    tls_raw_result_free(&r);

    exchange(NULL, false, &o, &r);
    check(r.outcome == TLS_RAW_TIMEOUT && strcmp(r.summary, "timeout") == 0 && r.elapsed_s < 2.0,
          "tls_raw: timeout", "%s after %.2f s", r.summary, r.elapsed_s);
    tls_raw_result_free(&r);

    /* The caller's deadline ends the exchange before a single wait would. */
    tls_raw_opts_t soon = o;
    soon.timeout_s = 30;
    soon.deadline = net_now() + 0.2;
    exchange(NULL, false, &soon, &r);
    check(r.outcome == TLS_RAW_TIMEOUT && r.elapsed_s >= 0.15 && r.elapsed_s < 2.0,
          "tls_raw: the deadline given bounds the exchange", "%s after %.2f s", r.summary, r.elapsed_s);
    tls_raw_result_free(&r);

    in.n = 0;
    add(&in, "SSH-2.0-OpenSSH\r\n", 17);
    exchange(&in, false, &o, &r);
    check(r.outcome == TLS_RAW_MALFORMED && strncmp(r.summary, "malformed: ", 11) == 0,
          "tls_raw: not TLS is malformed", "%s", r.summary);
    tls_raw_result_free(&r);

    /* A server that streams handshake bytes past the cap. */
    in.n = 0;
    add(&in, "\x16\x03\x03\x40\x00\x02\x00\x4e\x1f", 9); /* a 19999-byte ServerHello */
    add_fill(&in, 0, 0x4000 - 4);
    add(&in, "\x16\x03\x03\x40\x00", 5);
    add_fill(&in, 0, 0x4000);
    o.max_bytes = 20000;
    exchange(&in, false, &o, &r);
    check(r.outcome == TLS_RAW_MALFORMED && strstr(r.summary, "20000 bytes") && r.raw_len == 20000,
          "tls_raw: byte cap", "%s (%zu bytes)", r.summary, r.raw_len);
    tls_raw_result_free(&r);

    tls_raw_set_connect_failed(&r, "connect: Connection refused");
    check(r.outcome == TLS_RAW_CONNECT_FAILED && strcmp(r.summary, "connect failed: Connection refused") == 0,
          "tls_raw: connect failed", "%s", r.summary);
}

int main(void)
{
    for (int i = 0; i < 32; i++)
        seq_random[i] = (uint8_t)i;
    test_tls12_hello_bytes();
    test_tls13_hello_fields();
    test_generated_key_shares();
    test_padding_and_sslv3();
    test_sslv2_hello_bytes();
    test_tls12_flight();
    test_tls13_and_hrr();
    test_alerts();
    test_ske_dhe();
    test_malformed_tls();
    test_sslv2_flight();
    test_tls_raw();
    return failures ? 1 : 0;
}
