/* What an endpoint teaches about the ClientHellos it answers, learned once and reused by every
 * later raw hello to it: how many cipher suite codes one hello may carry and which extensions
 * it tolerates. Servers in the field close silently on hellos with more than 128 (or 64)
 * suites, on hellos longer than some size, on hellos of 256..511 bytes (a load-balancer bug:
 * RFC 7685 padding keeps hellos with extensions out of that window; one without, such as an
 * SSLv3 hello, is split once the endpoint dropped a hello), or on extensions they do not know.
 *
 * A hello that gets no answer (closed, reset, timeout) in a shape the endpoint has never
 * answered is sent again in the next shapes of a fixed ladder until one is answered; that
 * shape is the endpoint's from then on. A hello that gets no answer in a shape the endpoint
 * has answered before is about its contents, not its shape: the caller decides what to do.
 *
 * The versions probe learns and publishes; later probes start from a copy (hello_shape_load)
 * and may learn more in it, so what a probe sends never depends on another probe's timing.
 *
 * Use from a raw-hello probe (groups, signatures, certificate's raw chain):
 *     hello_shape_t s;  hello_shape_load(ep, &s);
 *     hello_profile_init(p, sni, version);  ... set groups / sigalgs ...
 *     hello_shape_fit(&s, p, suites, n, HELLO_KEEP_GROUPS);   // extensions cut, suites that fit
 *     o = hello_shape_ask(ctx, &s, p, &a, &r, &connections, &reused);
 *     if (hello_shape_unanswered(o) && !hello_shape_known(&s, p) && hello_shape_may_walk(&s))
 *         o = hello_shape_walk(ctx, &s, p, HELLO_KEEP_GROUPS, &a, &r, &connections, &reused);
 * A probe whose question is about the groups (or signature schemes) passes HELLO_KEEP_GROUPS
 * (HELLO_KEEP_SIGALGS) so that a compact shape never drops the codes it enumerates. */
#ifndef TLSPROBE_HELLO_SHAPE_H
#define TLSPROBE_HELLO_SHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "endpoint.h"
#include "hello_memo.h"
#include "hello_profile.h"
#include "probe.h"
#include "tls_raw.h"

typedef enum {
    HELLO_EXT_FULL,     /* the profile as built */
    HELLO_EXT_COMPACT,  /* the first groups and signature schemes only, one key share, no
                         * psk_key_exchange_modes (hello_profile_compact) */
    HELLO_EXT_KNOWN,    /* COMPACT, and only extensions older than TLS 1.3 (server_name,
                         * supported_groups, ec_point_formats, signature_algorithms) plus what a
                         * TLS 1.3 hello cannot do without: no padding */
} hello_ext_level_t;

/* Lists hello_shape_fit must not shorten. */
enum { HELLO_KEEP_GROUPS = 1, HELLO_KEEP_SIGALGS = 2 };

/* Hellos the endpoint answered, the largest of each kind. */
#define HELLO_SHAPE_SEEN 16

typedef struct hello_seen {
    uint32_t ext_mask;    /* extension types present (hello_shape.c) */
    size_t codes;         /* cipher_suites entries, SCSV included */
    size_t len;           /* handshake message bytes */
} hello_seen_t;

typedef struct hello_shape {
    hello_ext_level_t level;    /* extensions every hello is cut down to */
    size_t max_codes;           /* cipher_suites entries per hello, SCSV included; 0: no limit */
    bool avoid_window;          /* hellos that cannot be padded are kept under 256 bytes */
    int next_rung;              /* the ladder's rungs before this one have been tried */
    bool alerts;                /* the endpoint has refused a hello with an alert */
    bool answered_any;          /* the endpoint has answered some TLS hello */
    hello_seen_t seen[HELLO_SHAPE_SEEN];
    size_t nseen;
} hello_shape_t;

/* Nothing learned: full hellos, no limit. */
void hello_shape_init(hello_shape_t *s);
/* A copy of what the versions probe published for this endpoint (else nothing learned). */
void hello_shape_load(endpoint_t *ep, hello_shape_t *s);
/* Publishes s as the endpoint's (the versions probe, once it is done), until the endpoint's
 * probes are done (endpoint_finalise). */
void hello_shape_publish(endpoint_t *ep, const hello_shape_t *s);

/* Cuts p's extensions to the shape's level (keep: HELLO_KEEP_*) and offers the longest prefix
 * of suites[0..n) that the shape allows (and, once the endpoint dropped a hello, one that keeps
 * an unpadded hello out of 256..511 bytes). Returns how many suites were taken (at least one
 * when n > 0). */
size_t hello_shape_fit(const hello_shape_t *s, hello_profile_t *p, const uint16_t *suites, size_t n,
                       unsigned keep);

/* Whether the endpoint has answered a hello of p's shape: no more codes, no more bytes, no
 * extension it has not seen, and not in 256..511 bytes unless such a hello was answered. */
bool hello_shape_known(const hello_shape_t *s, const hello_profile_t *p);

/* Notes what the answer o to hello p teaches (hello_shape_ask does it for the hellos it sends). */
void hello_shape_note(hello_shape_t *s, const hello_profile_t *p, tls_raw_outcome_t o);

/* Adds to s the hellos answered in learned, a copy of s that a task of probe_fanout noted
 * answers in without walking the ladder (so the shape is the same but for them); merged in
 * index order, s ends as if the tasks' hellos had been noted in it one after another (the
 * largest answered hellos of each kind). */
void hello_shape_merge(hello_shape_t *s, const hello_shape_t *learned);

/* Closed, reset or timed out: what a dropped hello looks like. */
bool hello_shape_unanswered(tls_raw_outcome_t o);

/* Whether a ladder may still be walked (rungs left). */
bool hello_shape_may_walk(const hello_shape_t *s);

/* hello_ask (a kept answer when one stands, else a new connection), noting what the answer
 * teaches about p's shape. */
tls_raw_outcome_t hello_shape_ask(probe_ctx_t *ctx, hello_shape_t *s, const hello_profile_t *p, hello_answer_t *a,
                                  tls_raw_result_t *r, size_t *connections, size_t *reused);

/* After p got no answer: sends p (its suites as offered) in the ladder's next shapes until
 * one is answered, which becomes the endpoint's shape. r holds the last answer (freed and
 * replaced), p the last hello sent. Returns its outcome. */
tls_raw_outcome_t hello_shape_walk(probe_ctx_t *ctx, hello_shape_t *s, hello_profile_t *p, unsigned keep,
                                   hello_answer_t *a, tls_raw_result_t *r, size_t *connections, size_t *reused);

#endif
