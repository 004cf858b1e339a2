/* One raw exchange: send a hand-built hello over a connected socket, read the server's first
 * flight (bounded in bytes and time), parse it with the wire codec and classify the answer.
 * Probes that offer things the local OpenSSL cannot (old versions, arbitrary suite lists,
 * groups) are built on this. Thread-safe: no shared state. */
#ifndef TLSPROBE_TLS_RAW_H
#define TLSPROBE_TLS_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Default cap on the bytes read from one server: a first flight with a long chain fits. */
#define TLS_RAW_MAX_BYTES (256 * 1024)

typedef enum {
    TLS_RAW_ACCEPTED,       /* a ServerHello (or HelloRetryRequest, or SSLv2 SERVER-HELLO) for
                             * a version and suite that were offered */
    TLS_RAW_OTHER_VERSION,  /* a ServerHello, but for a version that was not offered */
    TLS_RAW_ALERT,          /* an alert (or SSLv2 ERROR) instead of a ServerHello */
    TLS_RAW_CLOSED,         /* end of stream (or reset) before any answer */
    TLS_RAW_TIMEOUT,        /* no complete answer before the deadline */
    TLS_RAW_MALFORMED,      /* an answer that does not parse, or chooses what was not offered */
    TLS_RAW_CONNECT_FAILED, /* no connection */
    TLS_RAW_LOCAL_ERROR,    /* the hello could not be built */
} tls_raw_outcome_t;

typedef struct tls_raw_opts {
    double timeout_s;               /* longest wait for any single read or write (> 0) */
    double deadline;                /* net_now() time by which the whole exchange ends */
    size_t max_bytes;               /* 0: TLS_RAW_MAX_BYTES */
    /* Versions offered (a ServerHello for another one is TLS_RAW_OTHER_VERSION); none: any. */
    const uint16_t *offered_versions;
    size_t noffered_versions;
    /* Suites offered (a ServerHello choosing another one is TLS_RAW_MALFORMED); none: any. */
    const uint16_t *offered_suites;
    size_t noffered_suites;
} tls_raw_opts_t;

typedef struct tls_raw_result {
    tls_raw_outcome_t outcome;
    /* "accepted", "server chose SSLv3", "alert protocol_version(70)", "sslv2 error
     * no_cipher(1)", "closed", "timeout", "malformed: <why>", "connect failed: <why>" */
    char summary[200];
    uint16_t version;         /* ACCEPTED / OTHER_VERSION: the version the server chose */
    uint16_t cipher;          /* TLS: the suite chosen */
    uint32_t sslv2_kind;      /* SSLv2: the first cipher kind the server listed */
    const char *cipher_name;  /* IANA suite or SSLv2 kind name; NULL when unknown */
    uint8_t alert;            /* ALERT (TLS): its description */
    int io_errno;             /* CLOSED / TIMEOUT: errno of the read or write that ended it */
    wire_flight_t flight;     /* everything parsed; points into raw (valid until free) */
    uint8_t *raw;             /* bytes received */
    size_t raw_len;
    double elapsed_s;
} tls_raw_result_t;

/* Sends hello on the connected, non-blocking fd and reads and classifies the answer, waiting
 * at most opts->timeout_s at a time and done by opts->deadline (probe_raw.h sets a probe's).
 * Returns res->outcome. The fd stays open (the caller closes it). */
tls_raw_outcome_t tls_raw_exchange(int fd, const uint8_t *hello, size_t len,
                                   const tls_raw_opts_t *opts, tls_raw_result_t *res);

/* Marks res as TLS_RAW_CONNECT_FAILED ("connect failed: <why>"). */
void tls_raw_set_connect_failed(tls_raw_result_t *res, const char *why);
/* Marks res as TLS_RAW_LOCAL_ERROR, the summary formatted from fmt. */
void tls_raw_set_local_error(tls_raw_result_t *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void tls_raw_result_free(tls_raw_result_t *res);

#endif
