/* libFuzzer target: every wire parser entry point on the same hostile bytes. The parsers
 * must return an error, never read out of bounds, leak or hang. A parsed flight's pointers
 * are walked so that a wrong length would show up as an out-of-bounds read under ASan. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire.h"

static volatile uint8_t sink;

static void touch(const uint8_t *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        sink ^= p[i];
}

static void touch_server_hello(const wire_server_hello_t *sh)
{
    for (size_t i = 0; i < sh->nextensions; i++)
        touch(sh->extensions[i].data, sh->extensions[i].len);
    touch(sh->key_share, sh->key_share_len);
    touch(sh->alpn, sh->alpn_len);
}

static void touch_certificate(const wire_certificate_t *c)
{
    for (size_t i = 0; i < c->ncerts; i++)
        touch(c->certs[i].der, c->certs[i].len);
}

static void touch_ske(const wire_ske_t *s)
{
    touch(s->raw, s->raw_len);
    touch(s->ec_point, s->ec_point_len);
    touch(s->dh_p, s->dh_p_len);
    touch(s->dh_g, s->dh_g_len);
    touch(s->dh_ys, s->dh_ys_len);
    touch(s->signature, s->signature_len);
}

static void touch_sslv2(const wire_sslv2_server_hello_t *sh)
{
    touch(sh->cert, sh->cert_len);
    touch(sh->connection_id, sh->connection_id_len);
}

static void flight(const uint8_t *data, size_t size, size_t max_message)
{
    wire_flight_t f = { 0 };
    wire_parse_flight(data, size, max_message, &f);
    if (f.have_server_hello)
        touch_server_hello(&f.server_hello);
    if (f.have_certificate)
        touch_certificate(&f.certificate);
    if (f.have_server_key_exchange)
        touch_ske(&f.ske);
    if (f.have_sslv2_server_hello)
        touch_sslv2(&f.sslv2_hello);
    touch((const uint8_t *)f.error, strlen(f.error));
    wire_flight_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[160];

    flight(data, size, 0);
    flight(data, size, 64);

    wire_record_t rec;
    size_t used;
    if (wire_parse_record(data, size, &rec, &used, err, sizeof err) == WIRE_OK)
        touch(rec.payload, rec.len);

    wire_alert_t alert;
    wire_parse_alert(data, size, &alert, err, sizeof err);

    uint8_t type;
    const uint8_t *body;
    size_t body_len;
    if (wire_parse_handshake(data, size, &type, &body, &body_len, &used, err, sizeof err) == WIRE_OK)
        touch(body, body_len);

    wire_server_hello_t sh;
    if (wire_parse_server_hello(data, size, &sh, err, sizeof err) == WIRE_OK)
        touch_server_hello(&sh);

    wire_certificate_t cert;
    for (int tls13 = 0; tls13 < 2; tls13++)
        if (wire_parse_certificate(data, size, tls13, &cert, err, sizeof err) == WIRE_OK)
            touch_certificate(&cert);

    static const char *const kx[] = { "ECDHE", "DHE", "RSA", NULL };
    static const uint16_t versions[] = { WIRE_SSL3, WIRE_TLS10, WIRE_TLS12 };
    wire_ske_t ske;
    for (size_t k = 0; k < sizeof kx / sizeof *kx; k++)
        for (size_t v = 0; v < sizeof versions / sizeof *versions; v++)
            if (wire_parse_server_key_exchange(data, size, kx[k], versions[v], &ske, err, sizeof err) == WIRE_OK)
                touch_ske(&ske);

    const uint8_t *msg;
    size_t msg_len;
    if (wire_parse_sslv2_record(data, size, &msg, &msg_len, &used, err, sizeof err) == WIRE_OK)
        touch(msg, msg_len);

    wire_sslv2_server_hello_t s2;
    if (wire_parse_sslv2_server_hello(data, size, &s2, err, sizeof err) == WIRE_OK)
        touch_sslv2(&s2);
    return 0;
}
