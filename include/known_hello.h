/* Hellos an endpoint is known to answer, for the probes that talk TLS after the versions
 * probe (certificate, mtls, signatures). Servers in the field drop some hellos without a word
 * (a close, a reset, silence): when the pick from a long suite list is one they cannot serve,
 * when a hello is too long or carries an extension they do not know. What the versions probe
 * saw answers that: the suites the server picked for each version it accepted, and the hello
 * shape it learned (hello_shape.h). Only the versions probe's facts are read, so what a probe
 * sends never depends on which other probe finished first.
 *
 * OpenSSL handshakes (known_hs_connect): padded (tls_handshake.h), cut to the learned shape's
 * extensions, and sent again once, offering only the accepted versions and the suites the
 * server picked in them, when the server dropped the first one; a server known to drop the
 * full offer (more codes than it takes, unknown extensions) gets that reduced hello at once.
 * Raw hellos (known_raw_ask): fitted to the shape, chunk after chunk while the server refuses
 * (a cut list is not a refused one), the shape ladder walked after a drop, then the picks
 * alone. A retry costs a connection only after a hello got no answer. */
#ifndef TLSPROBE_KNOWN_HELLO_H
#define TLSPROBE_KNOWN_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hello_memo.h"
#include "hello_profile.h"
#include "hello_shape.h"
#include "probe.h"
#include "tls_handshake.h"
#include "tls_raw.h"

#define KNOWN_MAX_PICKS 16

typedef struct known_pick {
    uint16_t version;   /* wire version */
    uint16_t code;      /* the suite the server picked in it */
} known_pick_t;

typedef struct known_hello {
    hello_shape_t shape;              /* a copy of what the versions probe learned */
    known_pick_t picks[KNOWN_MAX_PICKS];
    size_t npicks;
    bool prefer_picks;                /* a full hello was dropped: this probe's later hellos
                                       * start from the picks */
    int answered_lo, answered_hi;     /* version range of a full handshake the server answered:
                                       * a later drop in that range is about what it asked, and
                                       * is not sent again */
} known_hello_t;

/* What the versions probe saw (nothing when it did not run: then nothing is cut or retried). */
void known_hello_load(endpoint_t *ep, known_hello_t *k);

/* The suites the server picked in this wire version, in the order seen; how many. */
size_t known_hello_picks(const known_hello_t *k, uint16_t version, uint16_t *out, size_t cap);

/* ---- OpenSSL handshakes */

typedef struct known_hs {
    int fd;                  /* the connection of a completed handshake (the caller closes it), else -1 */
    bool connect_failed;     /* the last connection could not be made (ctx->err says why) */
    size_t connections;      /* TCP connections made */
    size_t dropped;          /* handshakes the server dropped without a word */
    bool reduced;            /* the last hello offered less than asked: only the picks, or
                              * fewer extensions (the learned shape) */
    bool status_request;     /* the last hello asked for an OCSP staple */
    char first_error[320];   /* the dropped hello's error when it was sent again, else "" */
    char ciphers[1024], ciphersuites[256];   /* storage for the reduced lists */
} known_hs_t;

/* Connects and runs opts's handshake shaped as above. 0 when a handshake completed (info->fd
 * open), else -1 with r->error (and info->connect_failed when no connection was made).
 * r must be released with tls_hs_result_free either way. */
int known_hs_connect(probe_ctx_t *ctx, known_hello_t *k, const tls_hs_options_t *opts, tls_hs_result_t *r,
                     known_hs_t *info);

/* opts cut to the learned shape's extensions only (no retry, no suite change): for extra
 * handshakes whose failure costs nothing but a fact they would add. */
void known_hs_shape(const known_hello_t *k, tls_hs_options_t *opts);

/* ---- raw hellos */

enum {
    KNOWN_PICKS_FIRST = 1,   /* offer the suites the server picked before the others */
    KNOWN_NEED_FLIGHT = 2,   /* the server's messages are wanted: never a kept answer */
};

typedef struct known_raw {
    size_t connections, reused;   /* hellos sent, answers taken from the versions probe */
    size_t dropped;               /* hellos the server dropped without a word */
    bool reduced;                 /* the last hello offered only the picks */
} known_raw_t;

/* Offers suites[0..n) in p (its version, extensions and lists as the caller set them), fitted
 * to the shape (keep: HELLO_KEEP_*); the next chunk after a refusal of a cut list; after a
 * drop the shape ladder, then the picks among suites alone. r and p hold the last hello's
 * answer and hello; a is filled on TLS_RAW_ACCEPTED. Returns the last outcome. */
tls_raw_outcome_t known_raw_ask(probe_ctx_t *ctx, known_hello_t *k, hello_profile_t *p, const uint16_t *suites,
                                size_t n, unsigned keep, unsigned flags, hello_answer_t *a, tls_raw_result_t *r,
                                known_raw_t *info);

/* The suites p offers, without the SCSV; how many. */
size_t known_offered(const hello_profile_t *p, uint16_t *out, size_t cap);

#endif
