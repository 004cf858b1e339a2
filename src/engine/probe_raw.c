/* A probe's raw hellos: the probe layer's side of tls_raw.c (which only sees a socket and a
 * deadline): the connection, and the wait limits from the run's options. */
#include "probe_raw.h"

#include <string.h>

#include "net.h"

static tls_raw_outcome_t exchange(probe_ctx_t *ctx, const uint8_t *hello, size_t len, tls_raw_opts_t *o,
                                  tls_raw_result_t *res)
{
    int fd = probe_connect(ctx);
    if (fd < 0) {
        memset(res, 0, sizeof *res);
        tls_raw_set_connect_failed(res, ctx->err);
        return res->outcome;
    }
    o->timeout_s = ctx->ep->opts->timeout_s;
    o->deadline = net_now() + NET_EXCHANGE_WAITS * o->timeout_s;
    tls_raw_exchange(fd, hello, len, o, res);
    net_close(fd);
    return res->outcome;
}

tls_raw_outcome_t probe_raw_hello(probe_ctx_t *ctx, const wire_hello_opts_t *hello, tls_raw_result_t *res)
{
    uint8_t buf[WIRE_HELLO_MAX + 64];
    size_t len;
    char err[160];
    if (wire_build_client_hello(hello, buf, sizeof buf, &len, err, sizeof err) != 0) {
        memset(res, 0, sizeof *res);
        tls_raw_set_local_error(res, "cannot build the hello: %s", err);
        return res->outcome;
    }
    tls_raw_opts_t o = {
        .offered_versions = hello->nversions ? hello->versions : &hello->client_version,
        .noffered_versions = hello->nversions ? hello->nversions : 1,
        .offered_suites = hello->suites,
        .noffered_suites = hello->nsuites,
    };
    return exchange(ctx, buf, len, &o, res);
}

tls_raw_outcome_t probe_raw_sslv2(probe_ctx_t *ctx, const wire_sslv2_hello_opts_t *hello, tls_raw_result_t *res)
{
    uint8_t buf[0x8000 + 2];
    size_t len;
    char err[160];
    if (wire_build_sslv2_hello(hello, buf, sizeof buf, &len, err, sizeof err) != 0) {
        memset(res, 0, sizeof *res);
        tls_raw_set_local_error(res, "cannot build the hello: %s", err);
        return res->outcome;
    }
    /* The SSLv2 version field is what an SSLv2 SERVER-HELLO answers; TLS suites written as
     * 3-byte kinds could be answered by a TLS ServerHello, for the hello's version. */
    uint16_t versions[2] = { WIRE_SSL2, hello->version };
    tls_raw_opts_t o = {
        .offered_versions = versions,
        .noffered_versions = hello->ntls_suites && hello->version != WIRE_SSL2 ? 2 : 1,
        .offered_suites = hello->tls_suites,
        .noffered_suites = hello->ntls_suites,
    };
    return exchange(ctx, buf, len, &o, res);
}
