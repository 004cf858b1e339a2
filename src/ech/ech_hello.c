/* Encrypted Client Hello, the client side (RFC 9849 5-7): config choice, the inner and outer
 * hellos with the HPKE-sealed payload, GREASE ECH, and the acceptance confirmation check. The
 * hellos are written by the wire codec (its raw extra extensions carry the ECH extension), so
 * they are the same hellos the other probes send, plus ECH. */
#include "ech_hello.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "ech_config.h"
#include "hpke.h"

/* A ClientHello record: 5 bytes of record header and 4 of handshake header before the body. */
#define HELLO_BODY_OFF (WIRE_RECORD_HEADER + 4)
/* Base64 of the largest list, with room for whitespace around it. */
#define ECH_TEXT_MAX (4 * (ECH_LIST_MAX_INPUT + 2) / 3 + 1024)

static int fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, arg ? arg : "");
    return -1;
}

/* ---------------------------------------------------------------------------------------------
 * Configs */

ech_pick_status_t ech_pick_config(const uint8_t *list, size_t len, ech_pick_t *out, char *why, size_t why_cap)
{
    memset(out, 0, sizeof *out);
    ech_config_list_t l;
    char reason[160];
    if (!ech_config_list_parse(list, len, &l, reason, sizeof reason)) {
        snprintf(why, why_cap, "ECHConfigList malformed: %s", reason);
        return ECH_PICK_MALFORMED;
    }
    /* Why the first config was passed over: what a user most needs to hear. */
    char first[200] = "";
    for (size_t i = 0; i < l.nconfigs; i++) {
        const ech_config_t *c = &l.configs[i];
        char skip[200] = "";
        const ech_suite_t *s = NULL;
        hpke_suite_t hs = { .kem_id = c->kem_id };
        for (size_t j = 0; j < c->nsuites && !s; j++) {
            hs.kdf_id = c->suites[j].kdf_id, hs.aead_id = c->suites[j].aead_id;
            if (hpke_suite_supported(&hs))
                s = &c->suites[j];
        }
        if (c->kem_id != HPKE_KEM_X25519_SHA256 && c->kem_id != HPKE_KEM_P256_SHA256)
            snprintf(skip, sizeof skip, "config %u: unsupported KEM 0x%04x", c->config_id, c->kem_id);
        else if (c->public_key_len != hpke_kem_enc_len(c->kem_id))
            snprintf(skip, sizeof skip, "config %u: public key of %zu bytes", c->config_id, c->public_key_len);
        else if (!s)
            snprintf(skip, sizeof skip, "config %u: no supported HPKE suite", c->config_id);
        else if (c->mandatory_extension)
            snprintf(skip, sizeof skip, "config %u: unknown mandatory extension 0x%04x", c->config_id,
                     c->first_mandatory_type);
        else if (!c->public_name_valid)
            snprintf(skip, sizeof skip, "config %u: invalid public_name", c->config_id);
        if (*skip) {
            if (!*first)
                snprintf(first, sizeof first, "%s", skip);
            continue;
        }
        out->config = malloc(c->raw_len);
        if (!out->config) {
            ech_config_list_free(&l);
            snprintf(why, why_cap, "out of memory");
            return ECH_PICK_ERROR;
        }
        memcpy(out->config, c->raw, c->raw_len);
        out->config_len = c->raw_len;
        out->config_id = c->config_id;
        out->kem_id = c->kem_id;
        out->kdf_id = s->kdf_id;
        out->aead_id = s->aead_id;
        out->maximum_name_length = c->maximum_name_length;
        snprintf(out->public_name, sizeof out->public_name, "%s", c->public_name);
        memcpy(out->public_key, c->public_key, c->public_key_len);
        out->public_key_len = c->public_key_len;
        ech_config_list_free(&l);
        if (why_cap)
            *why = '\0';
        return ECH_PICK_OK;
    }
    if (l.nconfigs == 0)
        snprintf(why, why_cap, "no config of version 0xfe0d (%zu of other versions)", l.skipped_versions);
    else
        snprintf(why, why_cap, "no usable config (%s)", first);
    ech_config_list_free(&l);
    return ECH_PICK_NONE;
}

void ech_pick_free(ech_pick_t *p)
{
    free(p->config);
    memset(p, 0, sizeof *p);
}

bool ech_list_from_base64(const char *text, uint8_t **out, size_t *out_len, char *why, size_t why_cap)
{
    return ech_config_list_from_base64(text, out, out_len, why, why_cap);
}

bool ech_list_decode(const uint8_t *data, size_t len, uint8_t **out, size_t *out_len, char *why, size_t why_cap)
{
    *out = NULL, *out_len = 0;
    ech_config_list_t l;
    char wire_why[160] = "", text_why[160] = "";
    /* The wire form first: binary bytes are never valid base64, and base64 text is never a
     * list whose length prefix agrees with its size. */
    if (ech_config_list_parse(data, len, &l, wire_why, sizeof wire_why)) {
        ech_config_list_free(&l);
        if (!(*out = malloc(len ? len : 1)))
            return snprintf(why, why_cap, "out of memory"), false;
        memcpy(*out, data, len);
        *out_len = len;
        return true;
    }
    if (len > ECH_TEXT_MAX || memchr(data, 0, len)) {
        snprintf(why, why_cap, "neither base64 nor an ECHConfigList (%s)", wire_why);
        return false;
    }
    char *text = malloc(len + 1);
    if (!text)
        return snprintf(why, why_cap, "out of memory"), false;
    memcpy(text, data, len);
    text[len] = '\0';
    uint8_t *bin;
    size_t bin_len;
    bool ok = ech_config_list_from_base64(text, &bin, &bin_len, text_why, sizeof text_why);
    free(text);
    if (!ok) {
        snprintf(why, why_cap, "not base64 (%s) nor an ECHConfigList in wire form", text_why);
        return false;
    }
    if (!ech_config_list_parse(bin, bin_len, &l, text_why, sizeof text_why)) {
        free(bin);
        snprintf(why, why_cap, "ECHConfigList malformed: %s", text_why);
        return false;
    }
    ech_config_list_free(&l);
    *out = bin, *out_len = bin_len;
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * Hellos */

size_t ech_padding_len(size_t inner_len, size_t sni_len, uint8_t maximum_name_length)
{
    size_t l = sni_len ? (maximum_name_length > sni_len ? maximum_name_length - sni_len : 0)
                       : (size_t)maximum_name_length + 9;
    size_t n = inner_len + l;
    return l + (31 - (n - 1) % 32);
}

/* The extensions block of a ClientHello body (no handshake header): its offset and length.
 * False when the body does not parse that far. */
static bool client_hello_exts(const uint8_t *b, size_t len, size_t *off, size_t *n)
{
    size_t p = 2 + WIRE_RANDOM_LEN;
    if (p + 1 > len)
        return false;
    p += 1 + b[p];                                 /* legacy_session_id */
    if (p + 2 > len)
        return false;
    p += 2 + ((size_t)b[p] << 8 | b[p + 1]);       /* cipher_suites */
    if (p + 1 > len)
        return false;
    p += 1 + b[p];                                 /* legacy_compression_methods */
    if (p + 2 > len)
        return false;
    size_t total = (size_t)b[p] << 8 | b[p + 1];
    if (p + 2 + total != len)
        return false;
    *off = p + 2, *n = total;
    return true;
}

/* The data of extension type in an extensions block at b[off..off+n): its offset and length. */
static bool find_ext(const uint8_t *b, size_t off, size_t n, uint16_t type, size_t *data_off, size_t *data_len)
{
    size_t end = off + n;
    while (off + 4 <= end) {
        uint16_t t = (uint16_t)(b[off] << 8 | b[off + 1]);
        size_t l = (size_t)b[off + 2] << 8 | b[off + 3];
        if (off + 4 + l > end)
            return false;
        if (t == type) {
            *data_off = off + 4, *data_len = l;
            return true;
        }
        off += 4 + l;
    }
    return false;
}

void ech_hello_free(ech_hello_t *h)
{
    free(h->aad);
    h->aad = NULL;
    if (h->hpke)
        hpke_ctx_clear(h->hpke);
    free(h->hpke), free(h->prefix), free(h->outer_prefix);
    h->hpke = NULL, h->prefix = h->outer_prefix = NULL;
}

/* What differs between the first hello and the second (after a HelloRetryRequest). */
typedef struct second {
    ech_hello_t *first;             /* NULL: this is the first hello */
    const wire_extension_t *cookie; /* the HRR's cookie extension, echoed; NULL: none */
} second_t;

/* The inner hello, encoded (padded, no session id) and as the server reconstructs it. */
static int build_inner(const ech_pick_t *p, const wire_hello_opts_t *inner_opts, const second_t *sec,
                       ech_hello_t *out, uint8_t *rec, uint8_t *encoded, char *err, size_t errlen)
{
    /* EncodedClientHelloInner: the inner hello with an empty legacy_session_id (the server
     * takes the outer's), nothing compressed into ech_outer_extensions. */
    static const uint8_t inner_type = ECH_CLIENT_HELLO_INNER;
    wire_extension_t inner_ext[2];
    size_t nx = 0;
    if (sec->cookie)
        inner_ext[nx++] = *sec->cookie;
    inner_ext[nx++] = (wire_extension_t){ ECH_EXT_ENCRYPTED_CLIENT_HELLO, &inner_type, 1 };
    wire_hello_opts_t io = *inner_opts;
    io.random = out->inner_random;
    io.session_id = NULL, io.session_id_len = 0;
    io.padding = false;
    io.extra_extensions = inner_ext, io.nextra_extensions = nx;
    size_t rec_len;
    if (wire_build_client_hello(&io, rec, WIRE_HELLO_MAX + WIRE_RECORD_HEADER, &rec_len, err, errlen) != 0)
        return -1;
    const uint8_t *body = rec + HELLO_BODY_OFF;
    size_t body_len = rec_len - HELLO_BODY_OFF;
    size_t sni_len = inner_opts->sni ? strlen(inner_opts->sni) : 0;
    out->padding_len = ech_padding_len(body_len, sni_len, p->maximum_name_length);
    out->encoded_len = body_len + out->padding_len;
    out->payload_len = out->encoded_len + HPKE_TAG_LEN;
    if (out->encoded_len > WIRE_HELLO_MAX + 64 || body_len + 4 + WIRE_MAX_SESSION_ID > sizeof out->inner)
        return fail(err, errlen, "inner hello too long%s", NULL);
    memcpy(encoded, body, body_len);
    memset(encoded + body_len, 0, out->padding_len);

    /* ClientHelloInner as the server reconstructs it: the outer's session id put back. */
    size_t sid_at = 2 + WIRE_RANDOM_LEN, n = 0;
    size_t inner_body = body_len + WIRE_MAX_SESSION_ID;
    out->inner[n++] = WIRE_HS_CLIENT_HELLO;
    out->inner[n++] = (uint8_t)(inner_body >> 16);
    out->inner[n++] = (uint8_t)(inner_body >> 8);
    out->inner[n++] = (uint8_t)inner_body;
    memcpy(out->inner + n, body, sid_at);
    n += sid_at;
    out->inner[n++] = WIRE_MAX_SESSION_ID;
    memcpy(out->inner + n, out->session_id, WIRE_MAX_SESSION_ID);
    n += WIRE_MAX_SESSION_ID;
    memcpy(out->inner + n, body + sid_at + 1, body_len - sid_at - 1);
    out->inner_len = n + body_len - sid_at - 1;
    return 0;
}

/* HPKE to the config's key, info "tls ech" 0x00 ECHConfig (RFC 9849 6.1); a second hello
 * takes the first's context over (its enc is not sent again). */
static int setup_hpke(const ech_pick_t *p, const second_t *sec, ech_hello_t *out, uint8_t *info, char *err,
                      size_t errlen)
{
    if (!(out->hpke = calloc(1, sizeof *out->hpke)))
        return fail(err, errlen, "out of memory%s", NULL);
    if (sec->first) {
        *out->hpke = *sec->first->hpke;
        out->enc_len = 0;
        return 0;
    }
    if (p->config_len > WIRE_HELLO_MAX)
        return fail(err, errlen, "ECHConfig too long%s", NULL);
    memcpy(info, "tls ech", 8); /* with its 0x00 */
    memcpy(info + 8, p->config, p->config_len);
    hpke_suite_t suite = { p->kem_id, p->kdf_id, p->aead_id };
    int hr = hpke_setup_base_s(&suite, p->public_key, p->public_key_len, info, 8 + p->config_len, out->enc,
                               &out->enc_len, out->hpke);
    return hr == HPKE_OK ? 0 : fail(err, errlen, "HPKE setup: %s", hpke_strerror(hr));
}

/* The outer hello with the ECH extension; its payload sealed over ClientHelloOuterAAD. */
static int build_outer(const ech_pick_t *p, const wire_hello_opts_t *outer_opts, const second_t *sec,
                       const uint8_t *encoded, ech_hello_t *out, uint8_t *ext, uint8_t *payload, char *err,
                       size_t errlen)
{
    /* The outer ECHClientHello, its payload zeros for now: that is the AAD's form. */
    size_t e = 0;
    /* ext holds WIRE_HELLO_MAX bytes: nothing longer could be in a hello anyway. */
    if (10 + out->enc_len + out->payload_len > WIRE_HELLO_MAX)
        return fail(err, errlen, "ECH extension too long%s", NULL);
    ext[e++] = ECH_CLIENT_HELLO_OUTER;
    ext[e++] = (uint8_t)(p->kdf_id >> 8), ext[e++] = (uint8_t)p->kdf_id;
    ext[e++] = (uint8_t)(p->aead_id >> 8), ext[e++] = (uint8_t)p->aead_id;
    ext[e++] = p->config_id;
    ext[e++] = (uint8_t)(out->enc_len >> 8), ext[e++] = (uint8_t)out->enc_len;
    memcpy(ext + e, out->enc, out->enc_len);
    e += out->enc_len;
    ext[e++] = (uint8_t)(out->payload_len >> 8), ext[e++] = (uint8_t)out->payload_len;
    size_t payload_in_ext = e;
    memset(ext + e, 0, out->payload_len);
    e += out->payload_len;

    wire_extension_t outer_ext[2];
    size_t nx = 0;
    if (sec->cookie)
        outer_ext[nx++] = *sec->cookie;
    outer_ext[nx++] = (wire_extension_t){ ECH_EXT_ENCRYPTED_CLIENT_HELLO, ext, e };
    wire_hello_opts_t oo = *outer_opts;
    oo.random = out->outer_random;
    oo.session_id = out->session_id, oo.session_id_len = WIRE_MAX_SESSION_ID;
    oo.padding = false;
    oo.extra_extensions = outer_ext, oo.nextra_extensions = nx;
    if (wire_build_client_hello(&oo, out->record, sizeof out->record, &out->record_len, err, errlen) != 0)
        return -1;
    const uint8_t *ob = out->record + HELLO_BODY_OFF;
    size_t ob_len = out->record_len - HELLO_BODY_OFF, xoff, xlen, doff, dlen;
    if (!client_hello_exts(ob, ob_len, &xoff, &xlen) ||
        !find_ext(ob, xoff, xlen, ECH_EXT_ENCRYPTED_CLIENT_HELLO, &doff, &dlen) || dlen != e)
        return fail(err, errlen, "built outer hello does not parse%s", NULL);
    out->payload_off = doff + payload_in_ext;
    if (!(out->aad = malloc(ob_len)))
        return fail(err, errlen, "out of memory%s", NULL);
    memcpy(out->aad, ob, ob_len);
    out->aad_len = ob_len;
    size_t ct_len;
    int hr = hpke_seal(out->hpke, out->aad, out->aad_len, encoded, out->encoded_len, payload,
                       WIRE_HELLO_MAX + 64 + HPKE_TAG_LEN, &ct_len);
    if (hr != HPKE_OK || ct_len != out->payload_len)
        return fail(err, errlen, "HPKE seal: %s", hpke_strerror(hr));
    memcpy(out->record + HELLO_BODY_OFF + out->payload_off, payload, ct_len);
    return 0;
}

static int build(const ech_pick_t *p, const wire_hello_opts_t *inner_opts, const wire_hello_opts_t *outer_opts,
                 const second_t *sec, ech_hello_t *out, char *err, size_t errlen)
{
    uint8_t *rec = malloc(WIRE_HELLO_MAX + WIRE_RECORD_HEADER);
    uint8_t *encoded = malloc(WIRE_HELLO_MAX + 64);
    uint8_t *payload = malloc(WIRE_HELLO_MAX + 64 + HPKE_TAG_LEN);
    uint8_t *ext = malloc(WIRE_HELLO_MAX);
    uint8_t *info = malloc(8 + WIRE_HELLO_MAX);
    int rc = -1;
    if (!rec || !encoded || !payload || !ext || !info)
        fail(err, errlen, "out of memory%s", NULL);
    else if (build_inner(p, inner_opts, sec, out, rec, encoded, err, errlen) == 0 &&
             setup_hpke(p, sec, out, info, err, errlen) == 0 &&
             build_outer(p, outer_opts, sec, encoded, out, ext, payload, err, errlen) == 0)
        rc = 0;
    free(rec), free(encoded), free(payload), free(ext), free(info);
    if (rc != 0)
        ech_hello_free(out);
    return rc;
}

int ech_build_hello(const ech_pick_t *p, const wire_hello_opts_t *inner_opts, const wire_hello_opts_t *outer_opts,
                    ech_hello_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (RAND_bytes(out->inner_random, WIRE_RANDOM_LEN) != 1 || RAND_bytes(out->outer_random, WIRE_RANDOM_LEN) != 1 ||
        RAND_bytes(out->session_id, WIRE_MAX_SESSION_ID) != 1)
        return fail(err, errlen, "no randomness%s", NULL);
    second_t sec = { NULL, NULL };
    return build(p, inner_opts, outer_opts, &sec, out, err, errlen);
}

/* message_hash(msg) || hrr (RFC 8446 4.4.1) with the hash md of hlen bytes, malloc'd. */
static uint8_t *hrr_prefix(const char *md, size_t hlen, const uint8_t *msg, size_t msg_len, const uint8_t *hrr,
                           size_t hrr_len, size_t *out_len)
{
    uint8_t *t = malloc(4 + hlen + hrr_len);
    EVP_MD *m = EVP_MD_fetch(NULL, md, NULL);
    unsigned dl = 0;
    bool ok = t && m && EVP_Digest(msg, msg_len, t + 4, &dl, m, NULL) == 1 && dl == hlen;
    EVP_MD_free(m);
    if (!ok) {
        free(t);
        return NULL;
    }
    t[0] = 254, t[1] = 0, t[2] = 0, t[3] = (uint8_t)hlen;
    memcpy(t + 4 + hlen, hrr, hrr_len);
    *out_len = 4 + hlen + hrr_len;
    return t;
}

static const char *suite_hash(uint16_t cipher, size_t *len);

int ech_build_hello2(ech_hello_t *first, const ech_pick_t *p, const wire_hello_opts_t *inner_opts,
                     const wire_hello_opts_t *outer_opts, const uint8_t *hrr, size_t hrr_len, ech_hello_t *out,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    wire_server_hello_t sh;
    char perr[160];
    size_t hlen;
    const char *md;
    if (hrr_len < 4 || !first->hpke || wire_parse_server_hello(hrr + 4, hrr_len - 4, &sh, perr, sizeof perr) != WIRE_OK)
        return fail(err, errlen, "the HelloRetryRequest does not parse%s", NULL);
    if (!(md = suite_hash(sh.cipher, &hlen)))
        return fail(err, errlen, "the HelloRetryRequest chose no TLS 1.3 suite%s", NULL);
    memcpy(out->inner_random, first->inner_random, WIRE_RANDOM_LEN);
    memcpy(out->outer_random, first->outer_random, WIRE_RANDOM_LEN);
    memcpy(out->session_id, first->session_id, WIRE_MAX_SESSION_ID);
    out->prefix = hrr_prefix(md, hlen, first->inner, first->inner_len, hrr, hrr_len, &out->prefix_len);
    out->outer_prefix = hrr_prefix(md, hlen, first->record + WIRE_RECORD_HEADER,
                                   first->record_len - WIRE_RECORD_HEADER, hrr, hrr_len, &out->outer_prefix_len);
    if (!out->prefix || !out->outer_prefix) {
        ech_hello_free(out);
        return fail(err, errlen, "out of memory%s", NULL);
    }
    second_t sec = { first, wire_server_hello_extension(&sh, WIRE_EXT_COOKIE) };
    int rc = build(p, inner_opts, outer_opts, &sec, out, err, errlen);
    if (rc == 0)
        first->hpke->seq = out->hpke->seq; /* the context moved on: keep both in step */
    return rc;
}

int ech_build_grease(const wire_hello_opts_t *opts, uint8_t *out, size_t cap, size_t *out_len, char *err,
                     size_t errlen)
{
    /* The payload is as long as a real one would be for this hello (RFC 9849 6.2): the hello
     * without its session id, padded as for a maximum_name_length of 0, plus the tag. */
    wire_hello_opts_t o = *opts;
    o.padding = false;
    o.extra_extensions = NULL, o.nextra_extensions = 0;
    if (wire_build_client_hello(&o, out, cap, out_len, err, errlen) != 0)
        return -1;
    size_t body = *out_len - HELLO_BODY_OFF - o.session_id_len + 5; /* + the inner ECH extension */
    size_t sni_len = o.sni ? strlen(o.sni) : 0;
    size_t payload_len = body + ech_padding_len(body, sni_len, 0) + HPKE_TAG_LEN;

    uint8_t enc[32];
    size_t enc_len = sizeof enc;
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    bool ok = k && EVP_PKEY_get_raw_public_key(k, enc, &enc_len) > 0 && enc_len == sizeof enc;
    EVP_PKEY_free(k);
    if (!ok)
        return fail(err, errlen, "cannot generate an X25519 key%s", NULL);
    uint8_t *ext = malloc(10 + sizeof enc + payload_len);
    if (!ext)
        return fail(err, errlen, "out of memory%s", NULL);
    size_t e = 0;
    ext[e++] = ECH_CLIENT_HELLO_OUTER;
    ext[e++] = 0, ext[e++] = HPKE_KDF_HKDF_SHA256;
    ext[e++] = 0, ext[e++] = HPKE_AEAD_AES_128_GCM;
    if (RAND_bytes(ext + e, 1) != 1 || RAND_bytes(ext + e + 1 + 2 + sizeof enc + 2, (int)payload_len) != 1) {
        free(ext);
        return fail(err, errlen, "no randomness%s", NULL);
    }
    e++; /* config_id: random */
    ext[e++] = 0, ext[e++] = sizeof enc;
    memcpy(ext + e, enc, sizeof enc);
    e += sizeof enc;
    ext[e++] = (uint8_t)(payload_len >> 8), ext[e++] = (uint8_t)payload_len;
    e += payload_len;
    wire_extension_t grease = { ECH_EXT_ENCRYPTED_CLIENT_HELLO, ext, e };
    o.padding = opts->padding;
    o.extra_extensions = &grease, o.nextra_extensions = 1;
    int rc = wire_build_client_hello(&o, out, cap, out_len, err, errlen);
    free(ext);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Acceptance */

/* The hash of a TLS 1.3 suite of RFC 8446 B.4; NULL for others (a suite the hello did not
 * offer never gets here: the ServerHello is malformed then). */
static const char *suite_hash(uint16_t cipher, size_t *len)
{
    switch (cipher) {
    case 0x1301: case 0x1303: case 0x1304: case 0x1305:
        *len = 32;
        return "SHA256";
    case 0x1302:
        *len = 48;
        return "SHA384";
    default:
        return NULL;
    }
}

int ech_confirmation(uint16_t cipher, const uint8_t inner_random[WIRE_RANDOM_LEN], const char *label,
                     const uint8_t *transcript, size_t transcript_len, uint8_t out[ECH_CONFIRMATION_LEN])
{
    size_t hlen;
    const char *md = suite_hash(cipher, &hlen);
    if (!md)
        return -1;
    uint8_t zeros[48] = { 0 }, prk[48], th[48];
    unsigned th_len = 0;
    EVP_MD *m = EVP_MD_fetch(NULL, md, NULL);
    int ok = m && EVP_Digest(transcript, transcript_len, th, &th_len, m, NULL) == 1 && th_len == hlen;
    EVP_MD_free(m);
    if (!ok)
        return -1;
    /* HKDF-Expand-Label (RFC 8446 7.1): length, "tls13 " label, context = the transcript hash. */
    uint8_t info[2 + 1 + 255 + 1 + 48];
    size_t ll = 6 + strlen(label), i = 0;
    if (ll > 255)
        return -1;
    info[i++] = 0, info[i++] = ECH_CONFIRMATION_LEN;
    info[i++] = (uint8_t)ll;
    memcpy(info + i, "tls13 ", 6);
    memcpy(info + i + 6, label, ll - 6);
    i += ll;
    info[i++] = (uint8_t)hlen;
    memcpy(info + i, th, hlen);
    i += hlen;
    if (hpke_hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, md, inner_random, WIRE_RANDOM_LEN, zeros, hlen, NULL, 0, prk, hlen) != 0 ||
        hpke_hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, md, prk, hlen, NULL, 0, info, i, out, ECH_CONFIRMATION_LEN) != 0)
        return -1;
    return 0;
}

ech_verdict_t ech_check_answer(const ech_hello_t *h, const uint8_t *msg, size_t msg_len, char *why, size_t why_cap)
{
    if (msg_len < 4 || msg[0] != WIRE_HS_SERVER_HELLO ||
        ((size_t)msg[1] << 16 | (size_t)msg[2] << 8 | msg[3]) != msg_len - 4) {
        snprintf(why, why_cap, "the first handshake message is not a ServerHello");
        return ECH_UNDECIDED;
    }
    wire_server_hello_t sh;
    char perr[160];
    const uint8_t *body = msg + 4;
    if (wire_parse_server_hello(body, msg_len - 4, &sh, perr, sizeof perr) != WIRE_OK) {
        snprintf(why, why_cap, "malformed ServerHello: %s", perr);
        return ECH_UNDECIDED;
    }
    if (sh.version != WIRE_TLS13) {
        snprintf(why, why_cap, "rejected: the server chose %s, and ECH needs TLS 1.3",
                 wire_version_name(sh.version) ? wire_version_name(sh.version) : "an unknown version");
        return ECH_REJECTED;
    }
    size_t hlen;
    if (!suite_hash(sh.cipher, &hlen)) {
        snprintf(why, why_cap, "the server chose suite 0x%04x, not a TLS 1.3 suite", sh.cipher);
        return ECH_UNDECIDED;
    }
    /* The transcript: ClientHelloInner (for an HRR, the message_hash that replaces it, RFC
     * 8446 4.4.1), then the server's message with the confirmation's bytes zeroed. */
    if (sh.is_hrr && h->prefix) {
        snprintf(why, why_cap, "undecided: a second HelloRetryRequest (RFC 8446 4.1.4 forbids it)");
        return ECH_UNDECIDED;
    }
    uint8_t *t = malloc(4 + 48 + h->prefix_len + h->inner_len + msg_len);
    if (!t) {
        snprintf(why, why_cap, "out of memory");
        return ECH_UNDECIDED;
    }
    size_t n = 0, conf_off;
    if (h->prefix) {
        memcpy(t, h->prefix, h->prefix_len);
        n = h->prefix_len;
    }
    if (sh.is_hrr) {
        const wire_extension_t *x = wire_server_hello_extension(&sh, ECH_EXT_ENCRYPTED_CLIENT_HELLO);
        if (!x) {
            free(t);
            snprintf(why, why_cap, "rejected: HelloRetryRequest without the ECH extension");
            return ECH_REJECTED;
        }
        if (x->len != ECH_CONFIRMATION_LEN) {
            free(t);
            snprintf(why, why_cap, "HelloRetryRequest ECH extension of %zu bytes, not 8 (decode_error)", x->len);
            return ECH_UNDECIDED;
        }
        conf_off = 4 + (size_t)(x->data - body);
        EVP_MD *m = EVP_MD_fetch(NULL, hlen == 48 ? "SHA384" : "SHA256", NULL);
        unsigned dl = 0;
        t[n++] = 254, t[n++] = 0, t[n++] = 0, t[n++] = (uint8_t)hlen;
        bool ok = m && EVP_Digest(h->inner, h->inner_len, t + n, &dl, m, NULL) == 1 && dl == hlen;
        EVP_MD_free(m);
        if (!ok) {
            free(t);
            snprintf(why, why_cap, "digest failed");
            return ECH_UNDECIDED;
        }
        n += hlen;
    } else {
        conf_off = 4 + 2 + WIRE_RANDOM_LEN - ECH_CONFIRMATION_LEN;
        memcpy(t + n, h->inner, h->inner_len);
        n += h->inner_len;
    }
    memcpy(t + n, msg, msg_len);
    memset(t + n + conf_off, 0, ECH_CONFIRMATION_LEN);
    uint8_t expect[ECH_CONFIRMATION_LEN];
    int rc = ech_confirmation(sh.cipher, h->inner_random,
                              sh.is_hrr ? "hrr ech accept confirmation" : "ech accept confirmation", t,
                              n + msg_len, expect);
    free(t);
    if (rc != 0) {
        snprintf(why, why_cap, "cannot compute the confirmation");
        return ECH_UNDECIDED;
    }
    bool match = memcmp(expect, msg + conf_off, ECH_CONFIRMATION_LEN) == 0;
    if (sh.is_hrr)
        snprintf(why, why_cap, match ? "accepted: the HelloRetryRequest carries the ECH confirmation"
                                     : "rejected: the HelloRetryRequest's ECH confirmation does not match");
    else if (h->prefix)
        snprintf(why, why_cap, match ? "accepted: the ServerHello after the HelloRetryRequest carries the ECH confirmation"
                                     : "rejected: the server answered the second outer hello (no confirmation in "
                                       "ServerHello.random)");
    else
        snprintf(why, why_cap, match ? "accepted: ServerHello.random carries the ECH confirmation"
                                     : "rejected: the server answered the outer hello (no confirmation in ServerHello.random)");
    return match ? ECH_ACCEPTED : ECH_REJECTED;
}
