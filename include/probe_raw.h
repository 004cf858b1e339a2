/* Raw hellos sent by a probe: a counted connection to its endpoint (STARTTLS first where the
 * service needs it), the exchange of tls_raw.h under the run's --timeout, then close. */
#ifndef TLSPROBE_PROBE_RAW_H
#define TLSPROBE_PROBE_RAW_H

#include "probe.h"
#include "tls_raw.h"
#include "wire.h"

/* Builds the hello, connects (probe_connect), sends, reads, closes. Offered versions and
 * suites are taken from the hello (the supported_versions list when present, else
 * client_version). A failed connection is TLS_RAW_CONNECT_FAILED, with ctx->err set. */
tls_raw_outcome_t probe_raw_hello(probe_ctx_t *ctx, const wire_hello_opts_t *hello, tls_raw_result_t *res);
tls_raw_outcome_t probe_raw_sslv2(probe_ctx_t *ctx, const wire_sslv2_hello_opts_t *hello, tls_raw_result_t *res);

#endif
