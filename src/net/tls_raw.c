/* Raw hello exchange: write the hello, read until the first flight is complete (or an alert,
 * end of stream, the deadline or the byte cap), then classify. The flight is re-parsed from
 * the start after every read: simple, and cheap at these sizes. */
#include "tls_raw.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "iana.h"

/* First read buffer; doubled up to the byte cap as a flight needs. */
#define RAW_INITIAL_BUF (16 * 1024)

static void vset_summary(tls_raw_result_t *res, tls_raw_outcome_t outcome, const char *fmt, va_list ap)
{
    res->outcome = outcome;
    vsnprintf(res->summary, sizeof res->summary, fmt, ap);
}

static void set_summary(tls_raw_result_t *res, tls_raw_outcome_t outcome, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_summary(res, outcome, fmt, ap);
    va_end(ap);
}

static bool contains(const uint16_t *list, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return true;
    return false;
}

static void version_label(uint16_t v, char *out, size_t outlen)
{
    const char *name = wire_version_name(v);
    if (name)
        snprintf(out, outlen, "%s", name);
    else
        snprintf(out, outlen, "0x%04x", v);
}

/* A ServerHello (or HRR) arrived: check it against what was offered. */
static void classify_server_hello(tls_raw_result_t *res, const tls_raw_opts_t *o)
{
    const wire_server_hello_t *sh = &res->flight.server_hello;
    res->version = sh->version;
    res->cipher = sh->cipher;
    const iana_suite_t *s = iana_suite_by_code(sh->cipher);
    res->cipher_name = s ? s->name : NULL;
    char label[16];
    version_label(sh->version, label, sizeof label);
    if (o->noffered_versions && !contains(o->offered_versions, o->noffered_versions, sh->version))
        set_summary(res, TLS_RAW_OTHER_VERSION, "server chose %s", label);
    else if (o->noffered_suites && !contains(o->offered_suites, o->noffered_suites, sh->cipher))
        set_summary(res, TLS_RAW_MALFORMED, "malformed: server chose suite 0x%04x, which was not offered",
                    sh->cipher);
    else
        set_summary(res, TLS_RAW_ACCEPTED, "accepted");
}

static void classify_sslv2_hello(tls_raw_result_t *res, const tls_raw_opts_t *o)
{
    const wire_sslv2_server_hello_t *sh = &res->flight.sslv2_hello;
    res->version = WIRE_SSL2;
    if (o->noffered_versions && !contains(o->offered_versions, o->noffered_versions, WIRE_SSL2)) {
        set_summary(res, TLS_RAW_OTHER_VERSION, "server chose SSLv2");
        return;
    }
    if (sh->nkinds == 0) {
        set_summary(res, TLS_RAW_MALFORMED, "malformed: SSLv2 SERVER-HELLO lists no cipher kinds");
        return;
    }
    res->sslv2_kind = sh->kinds[0];
    const iana_sslv2_kind_t *k = iana_sslv2_kind_by_code(sh->kinds[0]);
    res->cipher_name = k ? k->name : NULL;
    set_summary(res, TLS_RAW_ACCEPTED, "accepted");
}

static void classify_alert(tls_raw_result_t *res)
{
    const wire_flight_t *f = &res->flight;
    /* The fatal one says why; warnings before it (unrecognized_name, say) do not. */
    const wire_alert_t *a = &f->alerts[0];
    for (size_t i = 0; i < f->nalerts; i++)
        if (f->alerts[i].level != WIRE_ALERT_WARNING) {
            a = &f->alerts[i];
            break;
        }
    const char *name = wire_alert_name(a->description);
    res->alert = a->description;
    set_summary(res, TLS_RAW_ALERT, "alert %s(%u)", name ? name : "unknown", a->description);
}

typedef enum { END_FLIGHT, END_EOF, END_TIMEOUT, END_ERROR, END_CAP, END_NOMEM } read_end_t;

static void classify(tls_raw_result_t *res, const tls_raw_opts_t *o, wire_status_t st,
                     read_end_t end, size_t cap)
{
    const wire_flight_t *f = &res->flight;
    /* Our own shortage, not the server's doing: never a finding about the endpoint. */
    if (end == END_NOMEM || (st == WIRE_MALFORMED && f->out_of_memory))
        set_summary(res, TLS_RAW_LOCAL_ERROR, "out of memory");
    else if (f->have_server_hello)
        classify_server_hello(res, o);
    else if (f->have_sslv2_server_hello)
        classify_sslv2_hello(res, o);
    else if (f->nalerts)
        classify_alert(res);
    else if (f->have_sslv2_error) {
        const char *name = wire_sslv2_error_name(f->sslv2_error);
        set_summary(res, TLS_RAW_ALERT, "sslv2 error %s(%u)", name ? name : "unknown", f->sslv2_error);
    } else if (st == WIRE_MALFORMED)
        set_summary(res, TLS_RAW_MALFORMED, "malformed: %s", f->error);
    else if (end == END_CAP)
        set_summary(res, TLS_RAW_MALFORMED, "malformed: no complete first flight in %zu bytes", cap);
    else if (end == END_TIMEOUT)
        set_summary(res, TLS_RAW_TIMEOUT, "timeout");
    else
        set_summary(res, TLS_RAW_CLOSED, "closed");
}

tls_raw_outcome_t tls_raw_exchange(int fd, const uint8_t *hello, size_t len,
                                   const tls_raw_opts_t *o, tls_raw_result_t *res)
{
    memset(res, 0, sizeof *res);
    double start = net_now();
    double timeout = o->timeout_s, deadline = o->deadline;
    size_t cap = o->max_bytes ? o->max_bytes : TLS_RAW_MAX_BYTES;

    if (net_send_all(fd, hello, len, timeout) != 0) {
        res->io_errno = errno;
        if (errno == ETIMEDOUT)
            set_summary(res, TLS_RAW_TIMEOUT, "timeout");
        else
            set_summary(res, TLS_RAW_CLOSED, "closed");
        res->elapsed_s = net_now() - start;
        return res->outcome;
    }

    size_t bufcap = cap < RAW_INITIAL_BUF ? cap : RAW_INITIAL_BUF;
    res->raw = malloc(bufcap);
    if (!res->raw) {
        set_summary(res, TLS_RAW_LOCAL_ERROR, "out of memory");
        return res->outcome;
    }
    wire_status_t st = WIRE_NEED_MORE;
    read_end_t end;
    for (;;) {
        if (res->raw_len == bufcap) {
            if (bufcap >= cap) {
                end = END_CAP;
                break;
            }
            size_t grown = bufcap * 2 < cap ? bufcap * 2 : cap;
            uint8_t *p = realloc(res->raw, grown);
            if (!p) {
                end = END_NOMEM;
                break;
            }
            res->raw = p;
            bufcap = grown;
        }
        double left = deadline - net_now();
        if (left <= 0) {
            end = END_TIMEOUT;
            break;
        }
        ssize_t n = net_recv_some(fd, res->raw + res->raw_len, bufcap - res->raw_len,
                                  left < timeout ? left : timeout);
        if (n < 0) {
            res->io_errno = errno;
            end = errno == ETIMEDOUT ? END_TIMEOUT : END_ERROR;
            break;
        }
        if (n == 0) {
            end = END_EOF;
            break;
        }
        res->raw_len += (size_t)n;
        st = wire_parse_flight(res->raw, res->raw_len, cap, &res->flight);
        if (st != WIRE_NEED_MORE) {
            end = END_FLIGHT;
            break;
        }
    }
    classify(res, o, st, end, cap);
    res->elapsed_s = net_now() - start;
    return res->outcome;
}

void tls_raw_set_connect_failed(tls_raw_result_t *res, const char *why)
{
    /* net_connect's messages start with "connect: ", which the summary already says. */
    if (why && strncmp(why, "connect: ", 9) == 0)
        why += 9;
    set_summary(res, TLS_RAW_CONNECT_FAILED, "connect failed: %s", why && *why ? why : "unknown error");
}

void tls_raw_set_local_error(tls_raw_result_t *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_summary(res, TLS_RAW_LOCAL_ERROR, fmt, ap);
    va_end(ap);
}

void tls_raw_result_free(tls_raw_result_t *res)
{
    wire_flight_free(&res->flight);
    free(res->raw);
    memset(res, 0, sizeof *res);
}
