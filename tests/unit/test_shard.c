/* --shard and --tag: the shards of a 1,000-target list are disjoint, cover it, stay put when
 * targets are added, and are balanced; K/N and env/N parse as documented. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"
#include "shard.h"

static int failures;

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

/* n targets "h<first+i>.example:<port>" */
static void make_list(target_list_t *list, int first, int n)
{
    char spec[64], err[300];
    for (int i = first; i < first + n; i++) {
        snprintf(spec, sizeof spec, "h%d.example:%d", i, 443 + i % 3);
        target_t *t = target_list_add(list);
        if (!t || target_parse(spec, t, err, sizeof err) != 0)
            abort();
    }
}

static void test_split(void)
{
    enum { N = 1000, SHARDS = 4 };
    target_list_t all = { 0 };
    make_list(&all, 0, N);
    int seen[N] = { 0 };
    size_t sizes[SHARDS] = { 0 }, total = 0;
    for (unsigned k = 0; k < SHARDS; k++) {
        target_list_t part = { 0 };
        make_list(&part, 0, N);
        shard_t sh = { k, SHARDS };
        sizes[k] = target_list_filter(&part, target_in_shard, &sh);
        for (size_t i = 0; i < part.count; i++)
            seen[part.items[i].index]++;
        total += part.count;
        target_list_free(&part);
    }
    int once = 1;
    for (int i = 0; i < N; i++)
        once &= seen[i] == 1;
    char detail[200];
    snprintf(detail, sizeof detail, "sizes %zu %zu %zu %zu, total %zu", sizes[0], sizes[1], sizes[2], sizes[3], total);
    check(once && total == N, "4 shards of 1,000 targets are disjoint and cover the list (index kept)", detail);
    int balanced = 1;
    for (int k = 0; k < SHARDS; k++)
        balanced &= sizes[k] >= 200 && sizes[k] <= 300;   /* 250 expected; sd about 14 */
    check(balanced, "4 shards of 1,000 targets: each 200 to 300", detail);

    /* 100 more targets, added before and after the others: no earlier target moves. */
    target_list_t grown = { 0 };
    make_list(&grown, N, 50);
    make_list(&grown, 0, N);
    make_list(&grown, N + 50, 50);
    int stable = 1;
    for (size_t i = 50; i < 50 + N; i++)
        stable &= target_shard(&grown.items[i], SHARDS) == target_shard(&all.items[i - 50], SHARDS);
    check(stable, "adding 100 targets moves none of the 1,000 (same shard)", "a target moved");
    size_t moved = 0;
    for (size_t i = 0; i < N; i++)
        moved += target_shard(&all.items[i], SHARDS) != target_shard(&all.items[i], SHARDS + 1);
    snprintf(detail, sizeof detail, "%zu of 1000 differ", moved);
    check(moved > 500, "another N gives another split (the hash, not the position)", detail);
    target_list_free(&grown);
    target_list_free(&all);
}

/* The documented hash: first 8 bytes of SHA-256 of the identity, big-endian, mod N (figures
 * from Python's hashlib). */
static void test_known_values(void)
{
    target_t t = { 0 };
    char err[300];
    target_parse("a.example", &t, err, sizeof err);
    check(target_shard(&t, 4) == 1 && target_shard(&t, 1000003) == 965494, "a.example:443: shard by SHA-256",
          "wrong shard");
    target_free(&t);
    target_parse("[::1]:8443", &t, err, sizeof err);
    check(target_shard(&t, 4) == 0 && target_shard(&t, 1000003) == 838208, "[::1]:8443: shard by SHA-256",
          "wrong shard");
    target_free(&t);
}

static void expect_parse(const char *arg, int rc_want, unsigned k, unsigned n, const char *err_part)
{
    shard_t sh = { 99, 99 };
    char err[300] = "", name[200], detail[400];
    int rc = shard_parse(arg, &sh, err, sizeof err);
    if (rc_want)
        snprintf(name, sizeof name, "--shard %s: error naming %s", arg, err_part);
    else
        snprintf(name, sizeof name, "--shard %s is shard %u of %u", arg, k, n);
    snprintf(detail, sizeof detail, "rc %d, %u/%u, '%s'", rc, sh.index, sh.count, err);
    if (rc_want == 0)
        check(rc == 0 && sh.index == k && sh.count == n, name, detail);
    else
        check(rc == -1 && strstr(err, err_part) != NULL, name, detail);
}

static void test_parse(void)
{
    unsetenv("JOB_COMPLETION_INDEX");
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SLURM_ARRAY_TASK_MIN");
    unsetenv("SLURM_ARRAY_TASK_COUNT");
    expect_parse("0/4", 0, 0, 4, NULL);
    expect_parse("3/4", 0, 3, 4, NULL);
    expect_parse("4/4", -1, 0, 0, "0 to N-1");
    expect_parse("1/0", -1, 0, 0, "K/N");
    expect_parse("/4", -1, 0, 0, "K/N");
    expect_parse("a/4", -1, 0, 0, "K/N");
    expect_parse("-1/4", -1, 0, 0, "K/N");
    expect_parse("1/4x", -1, 0, 0, "K/N");
    expect_parse("1", -1, 0, 0, "K/N");
    expect_parse("env/4", -1, 0, 0, "neither is set");
    setenv("SLURM_ARRAY_TASK_ID", "7", 1);
    setenv("SLURM_ARRAY_TASK_MIN", "5", 1);
    expect_parse("env/4", 0, 2, 4, NULL);
    setenv("SLURM_ARRAY_TASK_COUNT", "8", 1);
    expect_parse("env/4", -1, 0, 0, "SLURM_ARRAY_TASK_COUNT");
    setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
    expect_parse("env/4", 0, 2, 4, NULL);
    setenv("SLURM_ARRAY_TASK_ID", "9", 1);
    expect_parse("env/4", -1, 0, 0, "0 to N-1");
    setenv("JOB_COMPLETION_INDEX", "3", 1);   /* Kubernetes first */
    expect_parse("env/4", 0, 3, 4, NULL);
    setenv("JOB_COMPLETION_INDEX", "x", 1);
    expect_parse("env/4", -1, 0, 0, "JOB_COMPLETION_INDEX");
}

static void test_tags(void)
{
    target_list_t list = { 0 };
    make_list(&list, 0, 4);
    const char *t0[] = { "web" }, *t1[] = { "web", "pci" }, *t3[] = { "pci" };
    const char *const *tags[] = { t0, t1, NULL, t3 };
    size_t ntags[] = { 1, 2, 0, 1 };
    for (size_t i = 0; i < 4; i++) {
        list.items[i].tags = calloc(ntags[i] + 1, sizeof(char *));
        for (size_t j = 0; j < ntags[i]; j++)
            list.items[i].tags[j] = strdup(tags[i][j]);
        list.items[i].ntags = ntags[i];
    }
    const char *want[] = { "web", "pci" }, *excl[] = { "pci" };
    tag_selection_t any = { want, 2, NULL, 0 }, web_not_pci = { want, 1, excl, 1 }, not_pci = { NULL, 0, excl, 1 };
    int got = 0;
    for (size_t i = 0; i < 4; i++)
        got |= target_selected(&list.items[i], &any) << (i * 3) | target_selected(&list.items[i], &web_not_pci)
               << (i * 3 + 1) | target_selected(&list.items[i], &not_pci) << (i * 3 + 2);
    /* 0: web -> any, web, not_pci; 1: web+pci -> any; 2: none -> not_pci; 3: pci -> any */
    check(got == (07 | 01 << 3 | 04 << 6 | 01 << 9), "--tag any of them, --exclude-tag wins", "wrong selection");
    size_t kept = target_list_filter(&list, target_selected, &web_not_pci);
    check(kept == 1 && list.count == 1 && list.items[0].index == 0, "filter keeps order and index", "wrong");
    target_list_free(&list);
}

int main(void)
{
    test_split();
    test_known_values();
    test_parse();
    test_tags();
    return failures ? 1 : 0;
}
