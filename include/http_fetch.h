/* Bounded HTTP requests with libcurl: OCSP queries, CRL and AIA caIssuers fetches, and the
 * plaintext/HSTS checks. Every request has a deadline and a cap on the bytes kept; only
 * http:// and https:// are ever followed. Every connection passes the --rate gate (net_rate.h)
 * and the --per-host gate (host_gate.h) of the address:port curl connects to. Thread-safe;
 * libcurl is loaded by the first request. */
#ifndef TLSPROBE_HTTP_FETCH_H
#define TLSPROBE_HTTP_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_DEFAULT_MAX_BYTES (1024 * 1024)

typedef struct http_request {
    const char *url;
    const void *post_body;      /* NULL: GET */
    size_t post_len;
    const char *content_type;   /* of the POST body */
    double timeout_s;           /* whole request (> 0) */
    size_t max_bytes;           /* body cap; 0: HTTP_DEFAULT_MAX_BYTES */
    int max_redirects;          /* 0: do not follow */
    const char *connect_to;     /* "HOST:PORT:ADDR:PORT" pinning (curl CONNECT_TO), or NULL */
    bool insecure_tls;          /* https without certificate verification (probing, not trusting) */
    bool any_tls;               /* https with any version (TLS 1.0 up) and any suite the server speaks,
                                 * at security level 0: probing the endpoint, never for OCSP/CRL/AIA */
    bool headers_only;          /* stop once the status line and headers are complete: the body is
                                 * never read (a slow or endless one costs nothing); redirects are
                                 * then never followed */
    const char *client_cert_file; /* PEM client certificate for https (mutual TLS), or NULL */
    const char *client_key_file;  /* its key; NULL: in client_cert_file */
    const char *gate_exempt;    /* host_gate_key of the endpoint whose probe asks: connections to it
                                 * are under that probe's per-host slot (scheduler.h) and pass
                                 * the --per-host gate; NULL: every connection takes a slot */
} http_request_t;

typedef struct http_response {
    long status;                /* HTTP status, 0 when no response */
    uint8_t *body;              /* NUL-terminated copy (the NUL is not counted in len) */
    size_t len;
    char *headers;              /* raw header block of the last response, bounded, NUL-terminated */
    char *effective_url;        /* after redirects */
    char *redirect_url;         /* Location of the last response when not followed (resolved against
                                 * the request URL), or NULL */
    double elapsed_s;
    bool connect_failed;        /* no TCP connection could be made (refused, unreachable, timeout) */
    bool timed_out;             /* the deadline passed (before or after connecting) */
    bool refused;               /* the connection was refused (ECONNREFUSED) */
    bool not_http;              /* connected, and the server replied with bytes that are not HTTP:
                                 * it does not speak HTTP (a close without a reply proves nothing) */
    bool not_tls;               /* https: the server answered the ClientHello with bytes that are
                                 * not TLS (OpenSSL's "wrong version number") */
    bool tls_failed;            /* https: the TLS handshake failed, or the server ended TLS with an
                                 * alert before any HTTP (e.g. a client certificate required) */
    bool cut_short;             /* the endpoint's deadline (--endpoint-timeout) left the transfer
                                 * less time than asked: its failure says nothing of the server,
                                 * so the fetch cache keeps it for nobody else */
    bool slot_missed;           /* a connection waited for a --rate or --per-host slot until the
                                 * deadline (or an address was left untried, its slots busy): our
                                 * pace, nothing the server did; timed_out is set too */
    char error[256];            /* "" on success (any HTTP status); else why */
} http_response_t;

/* At exit, once no other thread uses HTTP: releases libcurl's global state if it was loaded. */
void http_global_cleanup(void);

/* 0 when an HTTP response arrived (whatever its status), -1 with resp->error otherwise.
 * Always free resp with http_response_free. */
int http_fetch(const http_request_t *req, http_response_t *resp);
void http_response_free(http_response_t *resp);

/* The value of the first header called name (case-insensitive) in resp->headers, copied into
 * out; false when absent. */
bool http_header(const http_response_t *resp, const char *name, char *out, size_t outlen);

/* The status line of the last response ("HTTP/1.1 301 Moved Permanently", without CR LF)
 * copied into out; false when there is none. */
bool http_status_line(const http_response_t *resp, char *out, size_t outlen);

/* in as printable ASCII for a report: every byte outside 0x21..0x7e but the space, and the
 * backslash, written as \xNN (truncated to fit out). Servers choose these bytes. */
void http_printable(char *out, size_t outlen, const char *in);

/* Scheme, host (IPv6 without brackets, lowercase) and port (the scheme's default when absent)
 * of an absolute http:// or https:// URL. 0, or -1 when it does not parse as one. */
int http_url_parts(const char *url, char *scheme, size_t schemelen, char *host, size_t hostlen,
                   uint16_t *port);

#endif
