/* Shards: each target goes to the shard its identity hashes to, so the shards of a list are
 * disjoint, cover it, and stay put when targets are added or removed (no shard is a range of
 * positions). SHA-256 spreads even similar identities evenly. */
#include "shard.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_echo.h"

unsigned target_shard(const target_t *t, unsigned count)
{
    char buf[512], *id = buf;
    int len = target_identity(t, buf, sizeof buf);
    if (len >= (int)sizeof buf && (id = malloc((size_t)len + 1)))
        target_identity(t, id, (size_t)len + 1);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    uint64_t h = 0;
    /* A failed digest (out of memory) cannot pick a shard; abort rather than lose a target. */
    if (len < 0 || !id || !EVP_Digest(id, strlen(id), md, &mdlen, EVP_sha256(), NULL) || mdlen < 8)
        abort();
    for (int i = 0; i < 8; i++)
        h = h << 8 | md[i];
    if (id != buf)
        free(id);
    return (unsigned)(h % count);
}

bool target_in_shard(const target_t *t, const void *shard)
{
    const shard_t *s = shard;
    return target_shard(t, s->count) == s->index;
}

/* A whole decimal number in [lo, hi]. */
static bool parse_number(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    char *end;
    errno = 0;
    if (!s || *s < '0' || *s > '9')
        return false;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* The task's index from the job engine's environment. */
static int index_from_env(unsigned long *k, char *err, size_t errlen)
{
    const char *job = getenv("JOB_COMPLETION_INDEX");
    const char *task = getenv("SLURM_ARRAY_TASK_ID"), *min = getenv("SLURM_ARRAY_TASK_MIN");
    unsigned long id, lo = 0;
    if (job) {
        if (parse_number(job, 0, ULONG_MAX / 2, k))
            return 0;
        char echo[TEXT_ECHO_SIZE];
        snprintf(err, errlen, "JOB_COMPLETION_INDEX '%s' is not a number", text_echo(echo, job));
        return -1;
    }
    if (!task) {
        snprintf(err, errlen, "env/N needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or "
                              "SLURM_ARRAY_TASK_ID (a Slurm job array); neither is set");
        return -1;
    }
    if (!parse_number(task, 0, ULONG_MAX / 2, &id) || (min && !parse_number(min, 0, ULONG_MAX / 2, &lo)) || id < lo) {
        char echo[TEXT_ECHO_SIZE], echo_min[TEXT_ECHO_SIZE];
        snprintf(err, errlen, "SLURM_ARRAY_TASK_ID '%s' (SLURM_ARRAY_TASK_MIN '%s') is not a task index",
                 text_echo(echo, task), min ? text_echo(echo_min, min) : "unset");
        return -1;
    }
    *k = id - lo;
    return 0;
}

/* K of "K/N": the digits before the slash. */
static bool parse_index(const char *arg, size_t len, unsigned long *k)
{
    char buf[16];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, arg, len);
    buf[len] = '\0';
    return parse_number(buf, 0, ULONG_MAX / 2, k);
}

/* A Slurm array of another size than N would leave targets unprobed or probe them twice. */
static int check_slurm_count(unsigned long n, char *err, size_t errlen)
{
    const char *count = getenv("SLURM_ARRAY_TASK_COUNT");
    unsigned long c;
    if (getenv("JOB_COMPLETION_INDEX") || !count || !parse_number(count, 1, ULONG_MAX / 2, &c) || c == n)
        return 0;
    snprintf(err, errlen, "env/%lu in a Slurm job array of %lu tasks (SLURM_ARRAY_TASK_COUNT): N must be %lu", n,
             c, c);
    return -1;
}

int shard_parse(const char *arg, shard_t *out, char *err, size_t errlen)
{
    const char *slash = strchr(arg, '/');
    unsigned long k, n;
    char echo[TEXT_ECHO_SIZE];
    if (!slash || !parse_number(slash + 1, 1, SHARD_MAX, &n)) {
        snprintf(err, errlen, "'%s' is not K/N or env/N (N a number from 1 to %d)", text_echo(echo, arg), SHARD_MAX);
        return -1;
    }
    size_t klen = (size_t)(slash - arg);
    if (klen == 3 && strncmp(arg, "env", 3) == 0) {
        if (index_from_env(&k, err, errlen) || check_slurm_count(n, err, errlen))
            return -1;
    } else if (!parse_index(arg, klen, &k)) {
        snprintf(err, errlen, "'%s' is not K/N or env/N (K a number from 0 to N-1)", text_echo(echo, arg));
        return -1;
    }
    if (k >= n) {
        snprintf(err, errlen, "shard %lu of %lu: K counts from 0 to N-1 = %lu", k, n, n - 1);
        return -1;
    }
    out->index = (unsigned)k;
    out->count = (unsigned)n;
    return 0;
}
