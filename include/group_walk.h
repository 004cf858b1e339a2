/* One version's walk over key exchange groups (TLS 1.3 groups by HelloRetryRequest, TLS <= 1.2
 * curves by the ServerKeyExchange): offer-and-remove that holds on servers that misbehave.
 *  - Hellos are cut to the shapes the endpoint answers (hello_shape.h, HELLO_KEEP_GROUPS: the
 *    groups list is never shortened); suites the shape cannot carry are offered in the next
 *    chunk when the first is refused.
 *  - A hello closed (reset, timed out, garbled) in a shape the endpoint answers is no refusal.
 *    Before any group was found, the suites fall back to the one the versions probe saw
 *    picked, else to halves of them (a suite the server lists but closes on when picked must
 *    not end the walk). Then the groups left
 *    are decided one set at a time: on a server that follows the client's order, with a group
 *    it accepted offered last (the anchor: picked only when it lists none of the others);
 *    otherwise each alone. A group the server still closes on, alone or before the anchor,
 *    after it answered other groups in the same kind of hello, is not accepted: refused or
 *    chosen and failed, no client negotiates it. What no answer decides (timeouts, the hello
 *    budget, no group ever chosen) is undecided, with the reason; never refused.
 *  - TLS <= 1.2 behind an ECDSA certificate: a refusal (or close) once curves were found
 *    makes the certificate's curve offered last in every later hello (RFC 8422 5.1). The
 *    curves the server then passes over for it are never chosen by any client (see
 *    group_walk_t.kept_over).
 *  - Order: a pick that passes over a group found accepted proves the server's own order, else
 *    the first two found, offered in reverse, tell it from the client's.
 * Cost, sequentially (gw_run): one hello per group found (the first often the versions probe's
 * kept answer) and one refusal, plus the order hello when no pick showed it; a close adds the
 * robust decisions above. The groups probe splits the enumeration over the per-host budget
 * (group_split.h): the parts run strict (gw_run_t.strict) and this engine, unchanged, takes
 * over wherever a server misbehaved. */
#ifndef TLSPROBE_GROUP_WALK_H
#define TLSPROBE_GROUP_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hello_profile.h"
#include "hello_shape.h"
#include "probe.h"

/* More than every group of the registry a hello can offer. */
#define GW_MAX 128
/* Accepted hellos whose passed-over groups are kept for the order. */
#define GW_ROUNDS 64

typedef struct gw_note {
    uint16_t code;
    const char *why;           /* a static string */
} gw_note_t;

/* State shared by the walks of one probe run. */
typedef struct gw_run {
    probe_ctx_t *ctx;
    hello_profile_t *p;
    hello_shape_t shape;       /* from the versions probe, and what this run learns */
    size_t connections;
    size_t reused;             /* answers the versions probe had already */
    char error[256];           /* set when the endpoint stopped answering */
    /* Walks run at the same time (group_split.h) start from the versions probe's shape, not
     * from what the walks before them learned: they bail (error set; their facts are dropped
     * and the walk run again, sequentially) where that could matter or where the endpoint was
     * lost. no_walk: a whole walk run alongside others bails where it would walk the shape.
     * strict: a part of a split walk also stops at the first close (timeout, garbage) in a
     * shape the endpoint answers (group_walk_t.closed: gw_after_close goes on from there, once
     * the parts are merged), stops where it would try another chunk of suites (chunk_refused:
     * the whole would, only when no part found a group) and bails where it would need the
     * certificate's curve. */
    bool strict;
    bool no_walk;
    bool bailed;
} gw_run_t;

typedef enum { GW_LEAF_UNKNOWN, GW_LEAF_EC, GW_LEAF_OTHER } gw_leaf_t;

typedef struct group_walk {
    uint16_t version;                  /* WIRE_TLS13, or the version the curves are sought in */
    uint16_t suites[HELLO_MAX_CODES];  /* offered in every hello, as far as the shape allows */
    size_t nsuites, chunk_at;          /* chunk_at: the first suite of the chunk in use */
    uint16_t fallback;                 /* the versions probe's pick of this kind; 0: none */
    bool on_fallback;                  /* the suites are now just the fallback */
    bool suites_split;                 /* halves of the suites were tried */
    uint16_t order[GW_MAX];            /* every candidate, in our order */
    size_t norder;
    uint16_t left[GW_MAX];             /* not decided yet */
    size_t nleft;
    uint16_t found[GW_MAX];            /* in pick order */
    size_t nfound;
    uint16_t passed[GW_ROUNDS][GW_MAX]; /* per accepted hello, the groups offered before the pick */
    size_t npassed[GW_ROUNDS];
    size_t hellos;
    uint16_t kept;                     /* the certificate's curve, offered last; 0: none */
    uint16_t kept_over[GW_MAX];        /* candidates the server passed over for kept */
    size_t nkept_over;
    gw_leaf_t leaf;
    uint16_t leaf_curve;               /* GW_LEAF_EC: the leaf's curve (0: not a named curve) */
    int server_order;                  /* -1 unknown, 0 the client's, 1 the server's own */
    bool order_tested;
    gw_note_t undecided[GW_MAX];
    size_t nundecided;
    bool misbehaved;                   /* a hello was closed in a shape the endpoint answers */
    bool split_finds;                  /* a group was found in a set offered after that */
    bool closed;                       /* a strict run stopped at a close (gw_after_close) */
    bool chunk_refused;                /* a strict run found nothing in the first chunk of suites */
    size_t budget;                     /* hellos left once it was */
    int timeouts;
} group_walk_t;

/* A walk over candidates[0..n) offering suites[0..nsuites) (fallback: see above); NULL when
 * out of memory. Free with free(). */
group_walk_t *gw_new(uint16_t version, const uint16_t *candidates, size_t n, const uint16_t *suites, size_t nsuites,
                     uint16_t fallback);

/* The versions probe's kept answer to the walk's first hello (every candidate), taken as
 * gw_run would take it, without a connection: 1 when it picked a group, 0 when there is none,
 * -1 when it picked none (w unchanged but for the leaf: gw_run asks it again). */
int gw_first_from_memo(gw_run_t *run, group_walk_t *w);

/* Enumerates by offer-and-remove (no order hello). */
void gw_enumerate(gw_run_t *run, group_walk_t *w);

/* One hello offering these groups: the pick (0: none; a strict run may bail). */
uint16_t gw_ask(gw_run_t *run, group_walk_t *w, const uint16_t *offered, size_t n);

/* Records an accepted hello: the groups offered before the pick, and the pick found. */
void gw_record_pick(group_walk_t *w, const uint16_t *offered, size_t n, uint16_t pick);

/* Whether a pick passed over a group found accepted: the server has its own order. */
bool gw_passed_over_found(const group_walk_t *w);

/* Gives up a strict run (see gw_run_t.strict). */
void gw_bail(gw_run_t *run);

/* Enumerates, then decides the order (one hello, or one per group found after a close on a
 * server with its own order: each such find was the favourite of its set only). run->error is set when the endpoint
 * stopped answering; what was left is then undecided. */
void gw_run(gw_run_t *run, group_walk_t *w);

/* After a strict run stopped at a close (w->closed), or parts of a split walk did, merged:
 * what gw_run does from there, decisions and order. */
void gw_after_close(gw_run_t *run, group_walk_t *w);

/* The candidates no client negotiates because the server takes the certificate's curve over
 * them: kept_over, unless the server is proven to follow the client's order (then they are
 * simply refused). Returns how many were written to out. */
size_t gw_never_chosen(const group_walk_t *w, uint16_t *out);

#endif
