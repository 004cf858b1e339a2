/* group_split's partition of a walk's candidates (issue #16) and hello_shape_merge: parts are
 * contiguous and cover every candidate, cut only where servers rank groups alike (x25519
 * secp256r1 x448 | the other curves | each FFDHE or post-quantum group), balanced by the
 * groups servers commonly accept, no more parts than allowed and no more than balance needs.
 * No network. */
#include <stdio.h>
#include <string.h>

#include "group_split.h"
#include "hello_profile.h"
#include "hello_shape.h"
#include "iana.h"
#include "wire.h"

static int failures;

static void check(int cond, const char *name)
{
    printf("%s - %s\n", cond ? "ok" : "not ok", name);
    failures += !cond;
}

static const char *name_of(uint16_t code)
{
    const iana_group_t *g = iana_group_by_code(code);
    return g ? g->name : "?";
}

/* Part i's first candidate's name. */
static const char *first_of(const uint16_t *c, const size_t *at, size_t i)
{
    return name_of(c[at[i]]);
}

/* Contiguous, in order, covering c[0..n), no part empty. */
static bool covers(const size_t *at, size_t parts, size_t n)
{
    if (at[0] != 0 || at[parts] != n)
        return false;
    for (size_t i = 0; i < parts; i++)
        if (at[i + 1] <= at[i])
            return false;
    return true;
}

static void tls13(void)
{
    uint16_t c[HELLO_MAX_CODES];
    size_t n = hello_usable_groups(WIRE_TLS13, c, HELLO_MAX_CODES), at[GS_MAX_PARTS + 1];
    size_t k = gs_partition(c, n, 1, at);
    check(k == 1 && covers(at, k, n), "TLS 1.3, one part allowed: one part, every candidate");
    k = gs_partition(c, n, 3, at);
    check(k == 3 && covers(at, k, n), "TLS 1.3, three allowed: three parts covering every candidate");
    check(at[1] == 3 && strcmp(first_of(c, at, 1), "secp384r1") == 0,
          "TLS 1.3: x25519 secp256r1 x448 together, first (servers rank them before the other curves)");
    check(strcmp(first_of(c, at, 2), "ffdhe4096") == 0,
          "TLS 1.3: the other curves with ffdhe2048 and ffdhe3072, then ffdhe4096 on (4 common groups each)");
    k = gs_partition(c, n, 5, at);
    check(k == 4 && covers(at, k, n),
          "TLS 1.3, five allowed: four parts (a fifth would not make the heaviest lighter: one refusal less)");
    check(strcmp(first_of(c, at, 1), "secp384r1") == 0 && strcmp(first_of(c, at, 2), "ffdhe2048") == 0 &&
              strcmp(first_of(c, at, 3), "ffdhe6144") == 0,
          "TLS 1.3, four parts: cut before secp384r1, ffdhe2048 and ffdhe6144");
    /* The versions probe's kept answer took x25519: the rest is split. */
    k = gs_partition(c + 1, n - 1, 3, at);
    check(k == 3 && covers(at, k, n - 1) && strcmp(first_of(c + 1, at, 1), "secp384r1") == 0,
          "TLS 1.3 without x25519: secp256r1 x448 still a part of their own");
}

static void curves(void)
{
    uint16_t all[HELLO_MAX_CODES], c[HELLO_MAX_CODES];
    size_t nall = hello_usable_groups(WIRE_TLS12, all, HELLO_MAX_CODES), n = 0, cut[GS_MAX_PARTS + 1];
    for (size_t i = 0; i < nall; i++) {
        const iana_group_t *g = iana_group_by_code(all[i]);
        if (g && strcmp(g->kind, "ecdhe") == 0)
            c[n++] = all[i];
    }
    size_t k = gs_partition(c, n, 3, cut);
    check(k == 2 && covers(cut, k, n) && cut[1] == 3 && strcmp(first_of(c, cut, 1), "secp384r1") == 0,
          "TLS 1.2 curves, three allowed: two parts (x25519 secp256r1 x448 | the rest): no cut inside a block");
    k = gs_partition(c + 3, n - 3, 3, cut);
    check(k == 1, "TLS 1.2 curves from secp384r1 on: one block, one part");
    uint16_t none[] = { 1, 2, 3 };
    check(gs_partition(none, 3, 3, cut) == 1, "no commonly accepted group: one part");
}

static void merge(void)
{
    hello_shape_t a, b;
    hello_shape_init(&a);
    hello_shape_init(&b);
    hello_profile_t *p = &(hello_profile_t){ 0 };
    uint16_t suites[] = { 0x1301, 0x1302 }, groups[] = { 29, 23 };
    hello_profile_init(p, "example.com", WIRE_TLS13);
    hello_profile_set_groups(p, groups, 2, true);
    hello_shape_fit(&b, p, suites, 2, HELLO_KEEP_GROUPS);
    check(!hello_shape_known(&a, p), "shape: nothing answered, nothing known");
    hello_shape_note(&b, p, TLS_RAW_ALERT);
    hello_shape_merge(&a, &b);
    check(hello_shape_known(&a, p) && a.alerts && a.answered_any,
          "shape merge: a task's answered hello and alert are the probe's afterwards");
    hello_shape_merge(&a, &b);
    check(a.nseen == 1, "shape merge: the same hello twice is kept once");
}

int main(void)
{
    tls13();
    curves();
    merge();
    return failures ? 1 : 0;
}
