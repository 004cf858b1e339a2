/* The suites one TLS version of an endpoint accepts, found by offer-and-remove with hand-built
 * hellos, and the server's order. Holds on servers that misbehave:
 *  - hellos are cut to the shapes the endpoint answers (hello_shape.h), and every candidate
 *    code is offered in some hello it answers;
 *  - a hello closed (reset, timed out, answered with garbage) in such a shape is not a refusal:
 *    its suites are split (by key exchange, then in halves) and each part enumerated again. A
 *    server proven to follow the client's order gets a suite it accepted appended to every
 *    such hello (the anchor): it then picks the anchor only when it lists none of the others,
 *    which makes a refusal of a server that never sends alerts. The order is proven, never
 *    read off picks of different hellos (after a split, two finds may never have been offered
 *    together): a find offered before the first one in its hello, or a pair of finds offered
 *    both ways; until then no hello relies on it;
 *  - a suite still closed on when it is the server's only possible pick (offered alone, or
 *    before the anchor) is one the server lists but cannot serve: "closes when picked";
 *  - what no answer decides (timeouts, a server that closes on refusals too and does not follow
 *    the client's order, the hello budget spent) is "undecided", with the reason.
 * On a server that answers every hello, the cost is what plain offer-and-remove costs. */
#ifndef TLSPROBE_SUITE_ENUM_H
#define TLSPROBE_SUITE_ENUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hello_profile.h"
#include "hello_shape.h"
#include "probe.h"

#define SUITE_ENUM_MAX HELLO_MAX_CODES

typedef struct suite_found {
    uint32_t code;          /* TLS suite, or SSLv2 cipher kind */
    char kx_group[48];      /* the group its key exchange used; "" when not seen */
} suite_found_t;

typedef struct suite_note {
    uint32_t code;          /* TLS suite, or SSLv2 cipher kind */
    const char *why;        /* a static string */
} suite_note_t;

typedef struct suite_enum {
    uint16_t version;
    suite_found_t found[SUITE_ENUM_MAX];
    size_t nfound;
    int server_order;       /* -1 unknown, 0 client's order, 1 server's own */
    size_t chunks_with_finds;
    bool zigzag;            /* every pick came from one chunk, offered forward and reversed in turn */
    suite_note_t closes[SUITE_ENUM_MAX];     /* listed, but the server closes when it picks them */
    size_t ncloses;
    suite_note_t undecided[SUITE_ENUM_MAX];  /* no answer decided them */
    size_t nundecided;
} suite_enum_t;

/* State shared by the versions of one probe run. */
typedef struct suite_enum_run {
    probe_ctx_t *ctx;
    hello_profile_t *p;
    hello_shape_t shape;    /* from the versions probe, and what this run learns */
    size_t connections;
    size_t reused;          /* answers the versions probe had already */
    char error[256];        /* set when enumeration had to stop */
    /* suite_split's, in a part (else NULL): called after each find with the codes still to
     * decide, c[0..n) in candidate order, the suite picked and whether the hello offered them
     * in that order; returns how many of c the part keeps (at least one): the rest went to new
     * parts. */
    size_t (*regroup)(void *arg, const uint16_t *c, size_t n, uint16_t pick, bool forward);
    void *regroup_arg;
} suite_enum_run_t;

/* Enumerates vr->version (vr zeroed but for the version). Returns 0, or -1 with run->error
 * set when the endpoint stopped answering altogether; codes left are then undecided. */
int suite_enum_tls(suite_enum_run_t *run, suite_enum_t *vr);

/* Enumerates the versions vrs[0..nv) (TLS, each zeroed but for its version) at once: each
 * version's candidates are cut into parts (as many over all versions as the per-host limit,
 * shared by the suites each likely accepts, heaviest first) enumerated in parallel
 * (probe_fanout), the versions probe's pick from the first hello counted as found for free;
 * the server's order over a version's union is then proven with as few hellos as possible (a
 * pick that proves it, else one hello, or two at once; with the server's order, one hello per
 * boundary between parts, at once; where one fails the parts are merged by their heads). A
 * part that meets a misbehaving answer stops; what it left is decided after the parts by the
 * engine that holds (suite_enum_resume), with every find of the parts. The parts depend only
 * on the versions probe's answers and --per-host, never on timing. Returns 0, or -1 with
 * run->error set when a version's enumeration lost the endpoint. Same facts as suite_enum_tls
 * on every version. */
int suite_enum_split(suite_enum_run_t *run, suite_enum_t **vrs, size_t nv);

/* For suite_split.c: the same over codes[0..n) only (a part of the version's candidates, in
 * their order), as long as the server answers every hello; returns 1 as soon as it does not
 * (closed, timed out, a shape to walk), leaving the codes it did not decide in vr->undecided
 * as suite_enum_why_unfinished.
 * The server's order is not tested: vr->found is in pick order, vr->zigzag and
 * vr->chunks_with_finds tell how the picks came. */
int suite_enum_part(suite_enum_run_t *run, suite_enum_t *vr, const uint16_t *codes, size_t n);
/* The "why" of the codes a part left when it stopped (in vr->undecided): not findings, but
 * what suite_enum_resume must decide. */
extern const char suite_enum_why_unfinished[];
/* What parts left of a version: codes[0..n) enumerated by the engine that holds, vr holding
 * the parts' finds and notes already; then the server's order over all finds, as
 * suite_enum_tls. */
int suite_enum_resume(suite_enum_run_t *run, suite_enum_t *vr, const uint16_t *codes, size_t n);

/* The server's full order over vr->found (finds of several hellos' sets): all of them
 * offered, the pick moved first, then the rest again. */
void suite_enum_recover_order(suite_enum_run_t *run, suite_enum_t *vr);

/* Whether vr's picks are what a server following the client's order gives the zigzag offers
 * (false proves the server's own order when vr->zigzag). */
bool suite_enum_picks_follow_client(const suite_enum_t *vr);

#endif
