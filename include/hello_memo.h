/* Answers the versions probe already got, kept per endpoint so that later probes do not ask
 * the server the same question twice. Every accepted hello costs the server a signature (and
 * often a key generation); the first hello of the ciphers, groups and signatures probes is, in
 * all that matters to the server's choice, one the versions probe sent already.
 *
 * A stored answer is given for a wanted hello only when the server must answer both alike:
 * same negotiated version, the picked suite offered in both, the wanted suites in the same
 * relative order in the stored hello, the same groups of every kind the wanted hello offers
 * (extra groups the version cannot use do not count), the same signature schemes and key
 * shares. Only the versions probe records, and it finishes before the probes that read, so
 * what is reused never depends on timing. */
#ifndef TLSPROBE_HELLO_MEMO_H
#define TLSPROBE_HELLO_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "endpoint.h"
#include "hello_profile.h"
#include "probe.h"
#include "tls_raw.h"

typedef struct hello_answer {
    uint16_t version;          /* negotiated */
    uint16_t cipher;
    char kx_group[48];         /* the group the key exchange used ("x25519", "ffdhe2048",
                                * "DH 1024 (custom)"); "" when not seen */
    bool has_curve;            /* ServerKeyExchange with a named curve (TLS <= 1.2) */
    uint16_t curve;
    bool has_sig_scheme;       /* ServerKeyExchange signed with a named scheme (TLS 1.2) */
    uint16_t sig_scheme;
    bool flight_complete;      /* TLS <= 1.2: the first flight was read to its ServerHelloDone */
    bool certificate_request;  /* ... and it held a CertificateRequest */
} hello_answer_t;

/* Keeps the answer r to the hello p (only accepted TLS answers are kept), until the endpoint's
 * probes are done (endpoint_finalise). */
void hello_memo_record(endpoint_t *ep, const hello_profile_t *p, const tls_raw_result_t *r);

/* A kept answer the server must also give to want; false when there is none. */
bool hello_memo_find(endpoint_t *ep, const hello_profile_t *want, hello_answer_t *out);

/* A kept answer in this version whose first flight was read to its end (ServerHelloDone)
 * and whose suite authenticates the server with a certificate: such a flight shows whether
 * the server asks for a client certificate. False when there is none. */
bool hello_memo_full_flight(endpoint_t *ep, uint16_t version, hello_answer_t *out);

/* The hello p answered: from a kept answer when there is one (counted in *reused; r holds
 * only outcome, version and cipher), else over a new connection (counted in *connections).
 * On TLS_RAW_ACCEPTED, a is filled either way. The caller frees r. */
tls_raw_outcome_t hello_ask(probe_ctx_t *ctx, const hello_profile_t *p, hello_answer_t *a,
                            tls_raw_result_t *r, size_t *connections, size_t *reused);

#endif
