/* --shard K/N: a deterministic share of the targets, for N processes or job-array tasks. */
#ifndef TLSPROBE_SHARD_H
#define TLSPROBE_SHARD_H

#include <stdbool.h>
#include <stddef.h>

#include "target.h"

#define SHARD_MAX 65536

typedef struct shard {
    unsigned index;   /* 0-based: 0 .. count-1 */
    unsigned count;   /* 0: no sharding */
} shard_t;

/* The shard (0 .. count-1) of a target: the first 8 bytes of SHA-256 of target_identity(),
 * big-endian, modulo count. It depends on nothing but the target, so adding a target to the
 * inventory moves no other. */
unsigned target_shard(const target_t *t, unsigned count);
/* arg is a shard_t (the shape target_list_filter calls). */
bool target_in_shard(const target_t *t, const void *shard);
/* "K/N" with 0 <= K < N <= SHARD_MAX, or "env/N": K from JOB_COMPLETION_INDEX (a Kubernetes
 * Indexed Job), else SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (a Slurm job array).
 * 0, or -1 with the reason in err. */
int shard_parse(const char *arg, shard_t *out, char *err, size_t errlen);

#endif
