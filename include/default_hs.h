/* The endpoint's default full handshake, made once and read by every probe that needs one like
 * it (certificate: the chain; mtls: whether TLS 1.3 asks for a client certificate): the
 * endpoint's SNI, every suite that authenticates the server, an OCSP staple asked for, no client
 * certificate, shaped and sent again after a drop as known_hello.h says. The first probe to ask
 * makes it and a later one waits for it: both get the same handshake, so what either reports
 * never depends on which came first. Not for targets with a client certificate (the
 * certificate probe presents it in its own handshake). */
#ifndef TLSPROBE_DEFAULT_HS_H
#define TLSPROBE_DEFAULT_HS_H

#include <stdbool.h>

#include "known_hello.h"
#include "probe.h"
#include "tls_handshake.h"

/* Everything the local OpenSSL can negotiate except suites without server authentication: an
 * anonymous suite completes a handshake without a chain, and its server cannot ask for a
 * client certificate (RFC 5246 7.4.4). */
#define DEFAULT_HS_CIPHERS "ALL:COMPLEMENTOFALL:!aNULL:@SECLEVEL=0"

typedef struct default_hs {
    int rc;                   /* known_hs_connect's: 0 when the handshake completed */
    tls_hs_result_t hs;       /* what it showed (chain, staple, protocol, CertificateRequest) */
    known_hs_t info;          /* how it went; the connection is closed (fd -1) */
    known_hello_t known;      /* the endpoint's known hellos after it (a drop learned) */
    char err[PROBE_ERR_LEN];  /* why no connection could be made (the maker's ctx->err) */
    bool tcp_reached;
} default_hs_t;

/* The endpoint's default handshake, made now or by another probe (then waited for); its
 * tcp_reached is ORed into ctx's. NULL when the target has a client certificate, or out of
 * memory. Read only; valid until the endpoint is finalised. */
const default_hs_t *default_hs_get(probe_ctx_t *ctx);

#endif
