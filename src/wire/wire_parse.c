/* Parsers for a server's first flight. All reads go through a bounded reader that fails
 * (and stays failed) instead of reading past its buffer; every structure must use its
 * declared length exactly, so trailing or missing bytes are reported, not guessed at. */
#include "wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounded_reader.h"
#include "iana.h"

static wire_status_t malformed(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return WIRE_MALFORMED;
}

/* --------------------------------------------------------------------------------------------
 * Names */

const char *wire_version_name(uint16_t version)
{
    switch (version) {
    case WIRE_SSL2: return "SSLv2";
    case WIRE_SSL3: return "SSLv3";
    case WIRE_TLS10: return "TLSv1.0";
    case WIRE_TLS11: return "TLSv1.1";
    case WIRE_TLS12: return "TLSv1.2";
    case WIRE_TLS13: return "TLSv1.3";
    default: return NULL;
    }
}

uint16_t wire_version_by_name(const char *name)
{
    static const uint16_t all[] = { WIRE_SSL2, WIRE_SSL3, WIRE_TLS10, WIRE_TLS11, WIRE_TLS12, WIRE_TLS13 };
    for (size_t i = 0; name && i < sizeof all / sizeof *all; i++)
        if (strcmp(wire_version_name(all[i]), name) == 0)
            return all[i];
    return 0;
}

const char *wire_alert_name(uint8_t d)
{
    /* IANA TLS Alerts registry. */
    switch (d) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 21: return "decryption_failed";
    case 22: return "record_overflow";
    case 30: return "decompression_failure";
    case 40: return "handshake_failure";
    case 41: return "no_certificate";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 52: return "too_many_cids_requested";
    case 60: return "export_restriction";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 100: return "no_renegotiation";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 111: return "certificate_unobtainable";
    case 112: return "unrecognized_name";
    case 113: return "bad_certificate_status_response";
    case 114: return "bad_certificate_hash_value";
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    case 121: return "ech_required";
    default: return NULL;
    }
}

const char *wire_sslv2_error_name(uint16_t code)
{
    switch (code) {
    case 1: return "no_cipher";
    case 2: return "no_certificate";
    case 4: return "bad_certificate";
    case 6: return "unsupported_certificate_type";
    default: return NULL;
    }
}

/* --------------------------------------------------------------------------------------------
 * Records, alerts, handshake framing */

wire_status_t wire_parse_record(const uint8_t *buf, size_t len, wire_record_t *rec,
                                size_t *consumed, char *err, size_t errlen)
{
    if (len < WIRE_RECORD_HEADER)
        return WIRE_NEED_MORE;
    uint8_t type = buf[0];
    uint16_t version = (uint16_t)(buf[1] << 8 | buf[2]);
    size_t n = (size_t)buf[3] << 8 | buf[4];
    if (type < WIRE_CT_CHANGE_CIPHER_SPEC || type > WIRE_CT_HEARTBEAT)
        return malformed(err, errlen, "unknown record type %u", type);
    if (buf[1] != 3)
        return malformed(err, errlen, "record version 0x%04x is not SSLv3/TLS", version);
    if (n > WIRE_MAX_RECORD_PAYLOAD)
        return malformed(err, errlen, "record of %zu bytes exceeds 2^14+2048", n);
    if (len - WIRE_RECORD_HEADER < n)
        return WIRE_NEED_MORE;
    rec->type = type;
    rec->version = version;
    rec->payload = buf + WIRE_RECORD_HEADER;
    rec->len = n;
    *consumed = WIRE_RECORD_HEADER + n;
    return WIRE_OK;
}

wire_status_t wire_parse_alert(const uint8_t *buf, size_t len, wire_alert_t *alert,
                               char *err, size_t errlen)
{
    if (len != 2)
        return malformed(err, errlen, "alert of %zu bytes (must be 2)", len);
    alert->level = buf[0];
    alert->description = buf[1];
    return WIRE_OK;
}

wire_status_t wire_parse_handshake(const uint8_t *buf, size_t len, uint8_t *type,
                                   const uint8_t **body, size_t *body_len, size_t *consumed,
                                   char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    if (len < 4)
        return WIRE_NEED_MORE;
    size_t n = (size_t)buf[1] << 16 | (size_t)buf[2] << 8 | buf[3];
    if (len - 4 < n)
        return WIRE_NEED_MORE;
    *type = buf[0];
    *body = buf + 4;
    *body_len = n;
    *consumed = 4 + n;
    return WIRE_OK;
}

/* --------------------------------------------------------------------------------------------
 * ServerHello / HelloRetryRequest */

/* RFC 8446 4.1.3: SHA-256("HelloRetryRequest"). */
static const uint8_t hrr_random[WIRE_RANDOM_LEN] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

static wire_status_t decode_sh_extension(wire_server_hello_t *sh, const wire_extension_t *e,
                                         char *err, size_t errlen)
{
    br_t r = { .p = e->data, .len = e->len };
    switch (e->type) {
    case WIRE_EXT_SUPPORTED_VERSIONS:
        if (e->len != 2)
            return malformed(err, errlen, "supported_versions of %zu bytes (must be 2)", e->len);
        sh->has_supported_versions = true;
        sh->version = (uint16_t)br_u16(&r);
        return WIRE_OK;
    case WIRE_EXT_KEY_SHARE:
        sh->has_key_share = true;
        sh->key_share_group = (uint16_t)br_u16(&r);
        if (!sh->is_hrr) {
            size_t n = br_u16(&r);
            sh->key_share = br_take(&r, n);
            sh->key_share_len = n;
            if (n == 0)
                r.bad = true;
        }
        break;
    case WIRE_EXT_RENEGOTIATION_INFO: {
        size_t n = br_u8(&r);
        br_take(&r, n);
        sh->secure_renegotiation = true;
        break;
    }
    case WIRE_EXT_ALPN: {
        br_t list = br_sub(&r, br_u16(&r));
        size_t n = br_u8(&list);
        sh->alpn = br_take(&list, n);
        sh->alpn_len = n;
        /* The server selects exactly one protocol. */
        if (n == 0 || br_left(&list) != 0 || list.bad)
            r.bad = true;
        break;
    }
    case WIRE_EXT_COOKIE:
        sh->has_cookie = true;
        return WIRE_OK;
    case WIRE_EXT_EXTENDED_MASTER_SECRET:
        sh->extended_master_secret = true;
        return WIRE_OK;
    case WIRE_EXT_ENCRYPT_THEN_MAC:
        sh->encrypt_then_mac = true;
        return WIRE_OK;
    case WIRE_EXT_STATUS_REQUEST:
        sh->status_request = true;
        return WIRE_OK;
    case WIRE_EXT_SESSION_TICKET:
        sh->session_ticket = true;
        return WIRE_OK;
    default:
        return WIRE_OK;
    }
    if (r.bad || br_left(&r) != 0)
        return malformed(err, errlen, "malformed extension 0x%04x", e->type);
    return WIRE_OK;
}

wire_status_t wire_parse_server_hello(const uint8_t *body, size_t len, wire_server_hello_t *sh,
                                      char *err, size_t errlen)
{
    memset(sh, 0, sizeof *sh);
    br_t r = { .p = body, .len = len };
    sh->legacy_version = (uint16_t)br_u16(&r);
    const uint8_t *random = br_take(&r, WIRE_RANDOM_LEN);
    size_t sid_len = br_u8(&r);
    if (r.bad)
        return malformed(err, errlen, "ServerHello truncated");
    if (sid_len > WIRE_MAX_SESSION_ID)
        return malformed(err, errlen, "session id of %zu bytes (at most 32)", sid_len);
    const uint8_t *sid = br_take(&r, sid_len);
    sh->cipher = (uint16_t)br_u16(&r);
    sh->compression = (uint8_t)br_u8(&r);
    if (r.bad)
        return malformed(err, errlen, "ServerHello truncated");
    memcpy(sh->random, random, WIRE_RANDOM_LEN);
    memcpy(sh->session_id, sid, sid_len);
    sh->session_id_len = (uint8_t)sid_len;
    sh->version = sh->legacy_version;
    sh->is_hrr = memcmp(random, hrr_random, WIRE_RANDOM_LEN) == 0;
    if (memcmp(random + 24, "DOWNGRD\1", 8) == 0)
        sh->downgrade_sentinel = WIRE_TLS12;
    else if (memcmp(random + 24, "DOWNGRD\0", 8) == 0)
        sh->downgrade_sentinel = WIRE_TLS11;

    /* SSLv3 and early TLS servers may end the message here. */
    if (br_left(&r) == 0)
        return WIRE_OK;
    sh->has_extensions_block = true;
    size_t ext_len = br_u16(&r);
    if (r.bad || ext_len != br_left(&r))
        return malformed(err, errlen, "ServerHello extensions length %zu does not match the %zu bytes left",
                         ext_len, br_left(&r));
    while (br_left(&r) > 0) {
        uint16_t type = (uint16_t)br_u16(&r);
        size_t n = br_u16(&r);
        const uint8_t *data = br_take(&r, n);
        if (r.bad)
            return malformed(err, errlen, "ServerHello extension 0x%04x truncated", type);
        for (size_t i = 0; i < sh->nextensions; i++)
            if (sh->extensions[i].type == type)
                return malformed(err, errlen, "ServerHello repeats extension 0x%04x", type);
        if (sh->nextensions == WIRE_MAX_EXTENSIONS)
            return malformed(err, errlen, "ServerHello has more than %d extensions", WIRE_MAX_EXTENSIONS);
        wire_extension_t *e = &sh->extensions[sh->nextensions++];
        e->type = type;
        e->data = data;
        e->len = n;
        wire_status_t st = decode_sh_extension(sh, e, err, errlen);
        if (st != WIRE_OK)
            return st;
    }
    return WIRE_OK;
}

const wire_extension_t *wire_server_hello_extension(const wire_server_hello_t *sh, uint16_t type)
{
    for (size_t i = 0; i < sh->nextensions; i++)
        if (sh->extensions[i].type == type)
            return &sh->extensions[i];
    return NULL;
}

/* --------------------------------------------------------------------------------------------
 * Certificate, ServerKeyExchange */

wire_status_t wire_parse_certificate(const uint8_t *body, size_t len, bool tls13,
                                     wire_certificate_t *cert, char *err, size_t errlen)
{
    memset(cert, 0, sizeof *cert);
    br_t r = { .p = body, .len = len };
    if (tls13)
        br_take(&r, br_u8(&r)); /* certificate_request_context */
    size_t list_len = br_u24(&r);
    if (r.bad || list_len != br_left(&r))
        return malformed(err, errlen, "Certificate list length %zu does not match the %zu bytes left",
                         list_len, br_left(&r));
    while (br_left(&r) > 0) {
        size_t n = br_u24(&r);
        const uint8_t *der = br_take(&r, n);
        if (tls13)
            br_take(&r, br_u16(&r)); /* per-certificate extensions */
        if (r.bad || n == 0)
            return malformed(err, errlen, "Certificate entry %zu truncated or empty", cert->total);
        if (cert->ncerts < WIRE_MAX_CERTS) {
            cert->certs[cert->ncerts].der = der;
            cert->certs[cert->ncerts].len = n;
            cert->ncerts++;
        }
        cert->total++;
    }
    return WIRE_OK;
}

static unsigned bit_length(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] == 0)
        i++;
    if (i == n)
        return 0;
    unsigned bits = (unsigned)(n - i - 1) * 8;
    for (unsigned b = p[i]; b; b >>= 1)
        bits++;
    return bits;
}

/* A non-empty vector with a 1- or 2-byte length prefix. */
static const uint8_t *get_vector(br_t *r, int width, size_t *n)
{
    *n = width == 1 ? br_u8(r) : br_u16(r);
    if (*n == 0)
        r->bad = true;
    return br_take(r, *n);
}

wire_status_t wire_parse_server_key_exchange(const uint8_t *body, size_t len, const char *kx,
                                             uint16_t version, wire_ske_t *ske,
                                             char *err, size_t errlen)
{
    memset(ske, 0, sizeof *ske);
    ske->raw = body;
    ske->raw_len = len;
    br_t r = { .p = body, .len = len };
    if (kx && strcmp(kx, "ECDHE") == 0) {
        ske->kind = WIRE_SKE_ECDHE;
        ske->curve_type = (uint8_t)br_u8(&r);
        if (r.bad)
            return malformed(err, errlen, "ServerKeyExchange truncated");
        /* Explicit curves carry structured parameters no server should send; keep them raw. */
        if (ske->curve_type != 3)
            return WIRE_OK;
        ske->named_curve = (uint16_t)br_u16(&r);
        ske->ec_point = get_vector(&r, 1, &ske->ec_point_len);
    } else if (kx && strcmp(kx, "DHE") == 0) {
        ske->kind = WIRE_SKE_DHE;
        ske->dh_p = get_vector(&r, 2, &ske->dh_p_len);
        ske->dh_g = get_vector(&r, 2, &ske->dh_g_len);
        ske->dh_ys = get_vector(&r, 2, &ske->dh_ys_len);
        if (!r.bad)
            ske->dh_p_bits = bit_length(ske->dh_p, ske->dh_p_len);
    } else {
        return WIRE_OK;
    }
    if (r.bad)
        return malformed(err, errlen, "ServerKeyExchange parameters truncated or empty");
    /* Anonymous suites send no signature. */
    if (br_left(&r) == 0)
        return WIRE_OK;
    ske->has_signature = true;
    if (version >= WIRE_TLS12) {
        ske->has_sig_scheme = true;
        ske->sig_scheme = (uint16_t)br_u16(&r);
    }
    ske->signature = get_vector(&r, 2, &ske->signature_len);
    if (r.bad || br_left(&r) != 0)
        return malformed(err, errlen, "ServerKeyExchange signature truncated or followed by %zu bytes",
                         br_left(&r));
    return WIRE_OK;
}

/* --------------------------------------------------------------------------------------------
 * SSLv2 */

wire_status_t wire_parse_sslv2_record(const uint8_t *buf, size_t len, const uint8_t **msg,
                                      size_t *msg_len, size_t *consumed, char *err, size_t errlen)
{
    if (len < 2)
        return WIRE_NEED_MORE;
    size_t header, n, pad = 0;
    if (buf[0] & 0x80) {
        header = 2;
        n = (size_t)(buf[0] & 0x7F) << 8 | buf[1];
    } else {
        if (len < 3)
            return WIRE_NEED_MORE;
        header = 3;
        n = (size_t)(buf[0] & 0x3F) << 8 | buf[1];
        pad = buf[2];
    }
    if (n == 0 || pad >= n)
        return malformed(err, errlen, "SSLv2 record of %zu bytes with %zu padding", n, pad);
    if (len - header < n)
        return WIRE_NEED_MORE;
    *msg = buf + header;
    *msg_len = n - pad;
    *consumed = header + n;
    return WIRE_OK;
}

wire_status_t wire_parse_sslv2_server_hello(const uint8_t *msg, size_t len,
                                            wire_sslv2_server_hello_t *sh, char *err, size_t errlen)
{
    memset(sh, 0, sizeof *sh);
    br_t r = { .p = msg, .len = len };
    unsigned type = br_u8(&r);
    sh->session_id_hit = br_u8(&r) != 0;
    sh->cert_type = (uint8_t)br_u8(&r);
    sh->version = (uint16_t)br_u16(&r);
    size_t cert_len = br_u16(&r), specs_len = br_u16(&r), cid_len = br_u16(&r);
    if (r.bad)
        return malformed(err, errlen, "SSLv2 SERVER-HELLO truncated");
    if (type != WIRE_SSL2_MT_SERVER_HELLO)
        return malformed(err, errlen, "SSLv2 message type %u is not SERVER-HELLO", type);
    if (specs_len % 3)
        return malformed(err, errlen, "SSLv2 cipher specs length %zu is not a multiple of 3", specs_len);
    if (cert_len + specs_len + cid_len != br_left(&r))
        return malformed(err, errlen, "SSLv2 SERVER-HELLO lengths (%zu+%zu+%zu) do not match the %zu bytes left",
                         cert_len, specs_len, cid_len, br_left(&r));
    sh->cert = cert_len ? br_take(&r, cert_len) : NULL;
    sh->cert_len = cert_len;
    br_t specs = br_sub(&r, specs_len);
    while (br_left(&specs) > 0) {
        uint32_t kind = (uint32_t)br_u24(&specs);
        if (sh->nkinds < WIRE_MAX_SSLV2_KINDS)
            sh->kinds[sh->nkinds++] = kind;
        sh->total_kinds++;
    }
    sh->connection_id = cid_len ? br_take(&r, cid_len) : NULL;
    sh->connection_id_len = cid_len;
    return WIRE_OK;
}

/* --------------------------------------------------------------------------------------------
 * The first flight */

void wire_flight_free(wire_flight_t *f)
{
    free(f->hs);
    memset(f, 0, sizeof *f);
}

static wire_status_t flight_fail(wire_flight_t *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->error, sizeof f->error, fmt, ap);
    va_end(ap);
    return WIRE_MALFORMED;
}

static const char *message_name(uint8_t type)
{
    switch (type) {
    case WIRE_HS_SERVER_HELLO: return "ServerHello";
    case WIRE_HS_CERTIFICATE: return "Certificate";
    case WIRE_HS_SERVER_KEY_EXCHANGE: return "ServerKeyExchange";
    case WIRE_HS_CERTIFICATE_REQUEST: return "CertificateRequest";
    case WIRE_HS_SERVER_HELLO_DONE: return "ServerHelloDone";
    case WIRE_HS_CERTIFICATE_STATUS: return "CertificateStatus";
    default: return "handshake message";
    }
}

static wire_status_t parse_sslv2_flight(const uint8_t *buf, size_t len, wire_flight_t *f)
{
    const uint8_t *msg;
    size_t n, consumed;
    char why[128] = "";
    f->sslv2 = true;
    wire_status_t st = wire_parse_sslv2_record(buf, len, &msg, &n, &consumed, why, sizeof why);
    if (st == WIRE_MALFORMED)
        return flight_fail(f, "%s", why);
    if (st == WIRE_NEED_MORE)
        return st;
    f->consumed = consumed;
    f->records = 1;
    if (msg[0] == WIRE_SSL2_MT_SERVER_HELLO) {
        if (wire_parse_sslv2_server_hello(msg, n, &f->sslv2_hello, why, sizeof why) != WIRE_OK)
            return flight_fail(f, "%s", why);
        f->have_sslv2_server_hello = true;
        return WIRE_OK;
    }
    if (msg[0] == WIRE_SSL2_MT_ERROR) {
        if (n != 3)
            return flight_fail(f, "SSLv2 ERROR of %zu bytes (must be 3)", n);
        f->have_sslv2_error = true;
        f->sslv2_error = (uint16_t)(msg[1] << 8 | msg[2]);
        return WIRE_OK;
    }
    return flight_fail(f, "unexpected SSLv2 message type %u", msg[0]);
}

/* One complete handshake message. WIRE_OK: the flight is complete; WIRE_NEED_MORE: go on. */
static wire_status_t flight_message(wire_flight_t *f, uint8_t type, const uint8_t *body, size_t n)
{
    char why[128] = "";
    if (type == WIRE_HS_HELLO_REQUEST && n == 0)
        return WIRE_NEED_MORE; /* may be sent at any time; clients ignore it */
    if (!f->have_server_hello && type != WIRE_HS_SERVER_HELLO)
        return flight_fail(f, "%s (type %u) before ServerHello", message_name(type), type);
    const wire_server_hello_t *sh = &f->server_hello;
    switch (type) {
    case WIRE_HS_SERVER_HELLO:
        if (f->have_server_hello)
            return flight_fail(f, "second ServerHello");
        if (wire_parse_server_hello(body, n, &f->server_hello, why, sizeof why) != WIRE_OK)
            return flight_fail(f, "%s", why);
        f->have_server_hello = true;
        /* Past a TLS 1.3 ServerHello everything is encrypted; a HelloRetryRequest ends the
         * flight until the client answers. */
        if (sh->is_hrr || (sh->has_supported_versions && sh->version >= WIRE_TLS13))
            return WIRE_OK;
        return WIRE_NEED_MORE;
    case WIRE_HS_CERTIFICATE:
        if (wire_parse_certificate(body, n, false, &f->certificate, why, sizeof why) != WIRE_OK)
            return flight_fail(f, "%s", why);
        f->have_certificate = true;
        return WIRE_NEED_MORE;
    case WIRE_HS_CERTIFICATE_STATUS:
        f->have_certificate_status = true;
        return WIRE_NEED_MORE;
    case WIRE_HS_SERVER_KEY_EXCHANGE: {
        const iana_suite_t *s = iana_suite_by_code(sh->cipher);
        if (wire_parse_server_key_exchange(body, n, s ? s->kx : NULL, sh->version, &f->ske, why,
                                           sizeof why) != WIRE_OK)
            return flight_fail(f, "%s", why);
        f->have_server_key_exchange = true;
        return WIRE_NEED_MORE;
    }
    case WIRE_HS_CERTIFICATE_REQUEST:
        f->have_certificate_request = true;
        return WIRE_NEED_MORE;
    case WIRE_HS_SERVER_HELLO_DONE:
        if (n != 0)
            return flight_fail(f, "ServerHelloDone with a %zu-byte body", n);
        f->have_server_hello_done = true;
        return WIRE_OK;
    default:
        /* Anything else (a NewSessionTicket, say) tells nothing about the first flight. */
        return WIRE_NEED_MORE;
    }
}

static bool looks_like_http(const uint8_t *buf, size_t len)
{
    return len >= 5 && memcmp(buf, "HTTP/", 5) == 0;
}

wire_status_t wire_parse_flight(const uint8_t *buf, size_t len, size_t max_message,
                                wire_flight_t *f)
{
    wire_flight_free(f);
    if (len == 0)
        return WIRE_NEED_MORE;
    if (max_message == 0 || max_message > 0xFFFFFF)
        max_message = 0xFFFFFF;
    /* SSLv2 records start with the high bit set (2-byte header); TLS content types never do. */
    if (buf[0] & 0x80)
        return parse_sslv2_flight(buf, len, f);
    if (looks_like_http(buf, len))
        return flight_fail(f, "the server answered in plaintext HTTP");

    /* Handshake bytes never outnumber input bytes. */
    f->hs = malloc(len);
    if (!f->hs) {
        wire_status_t st = flight_fail(f, "out of memory");
        f->out_of_memory = true;
        return st;
    }
    size_t off = 0, msg_off = 0;
    for (;;) {
        wire_record_t rec;
        size_t consumed;
        char why[128] = "";
        wire_status_t st = wire_parse_record(buf + off, len - off, &rec, &consumed, why, sizeof why);
        if (st == WIRE_MALFORMED)
            return flight_fail(f, "%s", why);
        if (st == WIRE_NEED_MORE)
            return WIRE_NEED_MORE;
        off += consumed;
        f->consumed = off;
        f->records++;

        switch (rec.type) {
        case WIRE_CT_ALERT: {
            /* Alerts are never fragmented in practice; several may share a record. */
            if (rec.len == 0 || rec.len % 2)
                return flight_fail(f, "alert record of %zu bytes", rec.len);
            bool fatal = false;
            for (size_t i = 0; i < rec.len; i += 2) {
                wire_alert_t a = { rec.payload[i], rec.payload[i + 1] };
                if (f->nalerts < WIRE_MAX_ALERTS)
                    f->alerts[f->nalerts++] = a;
                /* An unknown level is treated as fatal, as RFC 8446 6 tells receivers to. */
                if (a.level != WIRE_ALERT_WARNING)
                    fatal = true;
            }
            if (fatal) {
                f->have_fatal_alert = true;
                return WIRE_OK;
            }
            break;
        }
        case WIRE_CT_HANDSHAKE:
            memcpy(f->hs + f->hs_len, rec.payload, rec.len);
            f->hs_len += rec.len;
            for (;;) {
                uint8_t type;
                const uint8_t *body;
                size_t n, used;
                if (f->hs_len - msg_off >= 4) {
                    const uint8_t *h = f->hs + msg_off;
                    size_t declared = (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
                    if (declared > max_message)
                        return flight_fail(f, "%s of %zu bytes exceeds the %zu-byte limit",
                                           message_name(h[0]), declared, max_message);
                }
                if (wire_parse_handshake(f->hs + msg_off, f->hs_len - msg_off, &type, &body, &n,
                                         &used, NULL, 0) != WIRE_OK)
                    break;
                msg_off += used;
                st = flight_message(f, type, body, n);
                if (st != WIRE_NEED_MORE)
                    return st;
            }
            break;
        case WIRE_CT_CHANGE_CIPHER_SPEC:
            if (!f->have_server_hello)
                return flight_fail(f, "ChangeCipherSpec before ServerHello");
            f->have_change_cipher_spec = true;
            return WIRE_OK;
        default:
            return flight_fail(f, "%s record before the handshake finished",
                               rec.type == WIRE_CT_APPLICATION_DATA ? "application data" : "heartbeat");
        }
    }
}
