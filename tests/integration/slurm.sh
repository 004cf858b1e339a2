#!/usr/bin/env bash
# A real job engine: a single-node Slurm (Debian's slurm-wlm with munge), started here as root
# with its own key, configuration, state and ports in a temporary folder, runs a job array of 4
# shards (tlsprobe --shard env/4) over a dozen lab endpoints; the shards' endpoints together
# must equal a single-process run's, and, when this build has `tlsprobe merge`, so must the
# report a dependent merge job writes. Every daemon started here is stopped (trap).
# Skips, saying why, only when Slurm is not installed (tools/install-deps.sh installs it) or
# the test is not root (slurmd runs jobs as their user, which needs root).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/shard_compare.sh"

missing=""
for cmd in munged slurmctld slurmd sbatch sinfo scontrol; do
  command -v "$cmd" >/dev/null || missing="$missing $cmd"
done
if [ -n "$missing" ]; then
  skip "slurm: a job array of 4 shards equals a single run" "not installed:$missing (tools/install-deps.sh: slurm-wlm munge)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  skip "slurm: a job array of 4 shards equals a single run" "needs root to start slurmd"
  exit 0
fi

S=$TEST_TMP/slurm
mkdir -p "$S/state" "$S/spool" "$S/log" "$S/munge" "$S/out"
chmod 700 "$S/munge"
PIDS=()
stop_slurm() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do
    # munged daemonizes: its pid is not our child, so wait by polling (bounded).
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  PIDS=()
}
trap 'stop_slurm; cleanup_test_tmp' EXIT
trap 'exit 1' INT TERM

# Two free loopback ports for slurmctld and slurmd (the kernel picks them).
read -r CTLD_PORT SLURMD_PORT < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

# munge: a fresh key, its own socket; slurm is told where (AuthInfo).
head -c 1024 /dev/urandom > "$S/munge/munge.key"
chmod 400 "$S/munge/munge.key"
if ! munged --force --key-file="$S/munge/munge.key" --socket="$S/munge/munge.socket" \
    --pid-file="$S/munge/munged.pid" --log-file="$S/log/munged.log" --seed-file="$S/munge/seed" 2>"$S/log/munged.err"; then
  not_ok "slurm: munged starts" "$(oneline "$(cat "$S/log/munged.err")")"
  exit 0
fi
PIDS+=("$(cat "$S/munge/munged.pid")")

export SLURM_CONF=$S/slurm.conf
cat > "$SLURM_CONF" <<EOF2
# single-node Slurm of tests/integration/slurm.sh
ClusterName=tlsprobetest
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$S/munge/munge.socket
CryptoType=crypto/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=probe Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF2
slurmctld -D -i >"$S/log/slurmctld.out" 2>&1 &
PIDS+=("$!")
slurmd -D -N localhost >"$S/log/slurmd.out" 2>&1 &
PIDS+=("$!")

# Ready when the node is idle (a bounded wait for the daemons, not a timing assertion).
state=""
for _ in $(seq 120); do
  state=$(sinfo -h -n localhost -o %t 2>/dev/null)
  [ "$state" = idle ] && break
  sleep 0.5
done
if [ "$state" = idle ]; then ok "slurm: slurmctld and slurmd up, node idle"
else
  not_ok "slurm: slurmctld and slurmd up, node idle" "state '$state'; $(oneline "$(tail -n 5 "$S"/log/*.out "$S/log/slurmctld.log" 2>&1)")"
  exit 0
fi

# ---- a dozen lab endpoints
INV=$TEST_TMP/lab.yaml
{
  echo "defaults: {ca: $LAB_CA}"
  echo "targets:"
  for p in TLS12 TLS13 LEGACY NGINX GNUTLS EXPIRED WRONGNAME SELFSIGNED CIPHERS12 CIPHERS13 NGINX_PREF NGINX_NOPREF; do
    port=LAB_PORT_$p
    echo "  - \"localhost:${!port}\""
  done
} > "$INV"
RUN=(--probes versions,ciphers,certificate --format jsonl -f "$INV")
tp slurm-single "${RUN[@]}" -o "$TEST_TMP/single.jsonl"

# ---- the job array, as examples/slurm/ submits it: tlsprobe-shard.sbatch as 4 tasks, each its
# shard (env/4 from SLURM_ARRAY_TASK_ID); then, when this build has `tlsprobe merge`,
# examples/slurm/submit.sh itself (the array, then the merge job after it, afterok).
EXAMPLES=$TESTS_DIR/../examples/slurm
OUT=$S/out
export INVENTORY=$INV OUT_DIR=$OUT SHARDS=4 TLSPROBE REPORT=$OUT/merged.json
TLSPROBE_OPTS="${TP_COMMON[*]} --probes versions,ciphers,certificate"
export TLSPROBE_OPTS
# has_merge: `tlsprobe merge` is a subcommand of this build (its usage names it).
has_merge() { timeout 10 "$TLSPROBE" merge --help 2>&1 </dev/null | grep -qi 'tlsprobe merge'; }
if has_merge; then
  SBATCH_WAIT=1 timeout -k 5 600 "$EXAMPLES/submit.sh" >"$S/log/submit.out" 2>&1
  assert_eq "slurm: examples/slurm/submit.sh: the array and the merge job ran (exit 0)" "0" "$?"
else
  timeout -k 5 600 sbatch --wait --array=0-3 --chdir="$OUT" "$EXAMPLES/tlsprobe-shard.sbatch" >"$S/log/submit.out" 2>&1
  assert_eq "slurm: sbatch --wait --array=0-3 examples/slurm/tlsprobe-shard.sbatch: every task succeeded" "0" "$?"
fi
outs=$(ls "$OUT"/tlsprobe-shard-*_*.out 2>/dev/null | sed -E 's/.*_([0-9]+)\.out$/\1/' | sort -n | tr '\n' ' ')
assert_eq "slurm: 4 array tasks ran (their output files)" "0 1 2 3 " "$outs"
summaries=$(cat "$OUT"/shard-{0,1,2,3}.jsonl 2>/dev/null | jq -s '[.[] | select(.type == "summary") | .endpoints] | [length, add]' -c)
assert_eq "slurm: 4 shard reports, complete, 12 endpoints in all" "[4,12]" "$summaries"

# compare_sharded_runs SINGLE: the shards' endpoints, and the merged report when there is
# one, equal the single-process run's.
compare_sharded_runs() {
  local single=$1
  same_endpoints "slurm: the 4 shards' endpoints together equal the single run's" "$single" \
    "$OUT"/shard-{0,1,2,3}.jsonl
  if has_merge; then
    same_endpoints "slurm: the merge job's report equals the single run's" "$single" "$REPORT"
  else
    skip "slurm: the merge job's report equals the single run's" "this build has no tlsprobe merge"
  fi
}
compare_sharded_runs "$TEST_TMP/single.jsonl"
for k in 0 1 2 3; do
  [ -s "$OUT/shard-$k.jsonl" ] && cp "$OUT/shard-$k.jsonl" "$TEST_TMP/slurm-shard-$k.out" &&
    printf 'jsonl\tslurm-shard-%s\t%s\n' "$k" "$TEST_TMP/slurm-shard-$k.out" >>"$REPORTS_TO_VALIDATE"
done
