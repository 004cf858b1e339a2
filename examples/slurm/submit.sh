#!/bin/bash
# A sharded sweep on Slurm: a job array of SHARDS tasks (tlsprobe-shard.sbatch), then a merge
# job that runs only when every task succeeded (afterok). From cron, for example:
#   0 3 * * *  INVENTORY=/shared/targets.yaml OUT_DIR=/shared/sweeps/$(date +\%F) /opt/tlsprobe/examples/slurm/submit.sh
# Environment: INVENTORY, OUT_DIR (created), SHARDS (default 4), TLSPROBE, TLSPROBE_OPTS, REPORT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${INVENTORY:?INVENTORY must name the inventory}" "${OUT_DIR:?OUT_DIR must name the output folder}"
export INVENTORY OUT_DIR SHARDS=${SHARDS:-4}
mkdir -p "$OUT_DIR"
# Fail now, not in N tasks, when the inventory has an error.
"${TLSPROBE:-tlsprobe}" validate "$INVENTORY" >/dev/null
array=$(sbatch --parsable --array="0-$((SHARDS - 1))" --chdir="$OUT_DIR" "$here/tlsprobe-shard.sbatch")
merge=$(sbatch --parsable --dependency="afterok:${array%%;*}" --kill-on-invalid-dep=yes --chdir="$OUT_DIR" \
  "$here/tlsprobe-merge.sbatch")
echo "tlsprobe: shards job ${array%%;*} (array 0-$((SHARDS - 1))), merge job ${merge%%;*} -> ${REPORT:-$OUT_DIR/report.json}"
