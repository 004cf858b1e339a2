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

# ---- the job array: each task its shard, as examples/slurm/tlsprobe-sweep.sbatch does
cat > "$S/shard.sh" <<EOF2
#!/bin/bash
# One array task: the shard SLURM_ARRAY_TASK_ID of 4. Exit 0 for 0, 1 and 3 (the sweep ran;
# its findings are in the report), else the task fails.
$(printf '%q ' "$TLSPROBE" "${TP_COMMON[@]}" "${RUN[@]}")--shard env/4 -o "$S/out/shard-\$SLURM_ARRAY_TASK_ID.jsonl"
rc=\$?
echo "\$rc \$SLURM_ARRAY_TASK_ID \$SLURM_ARRAY_TASK_COUNT \$SLURM_JOB_ID" > "$S/out/task-\$SLURM_ARRAY_TASK_ID.status"
[ \$rc -ne 2 ] && [ \$rc -le 3 ]
EOF2
# The dependent job: merges the shards when this build has `tlsprobe merge`.
cat > "$S/merge.sh" <<EOF2
#!/bin/bash
"$TLSPROBE" merge "$S"/out/shard-{0,1,2,3}.jsonl -o "$S/out/merged.jsonl"
EOF2
chmod +x "$S/shard.sh" "$S/merge.sh"

array_id=$(sbatch --parsable --array=0-3 -J tlsprobe-shard -D "$S" -o "$S/log/shard-%a.out" "$S/shard.sh" 2>"$S/log/sbatch.err")
if [ -z "$array_id" ]; then
  not_ok "slurm: sbatch --array=0-3 accepted" "$(oneline "$(cat "$S/log/sbatch.err")")"
  exit 0
fi
ok "slurm: sbatch --array=0-3 accepted (job $array_id)"

# has_merge: `tlsprobe merge` is a subcommand of this build (its usage names it).
has_merge() { timeout 10 "$TLSPROBE" merge --help 2>&1 </dev/null | grep -qi 'tlsprobe merge'; }
# A dependent job: the merge when there is one, else a job that only waits for the array.
if has_merge; then follow=$S/merge.sh; else follow=$S/wait.sh; printf '#!/bin/bash\ntrue\n' > "$follow"; chmod +x "$follow"; fi
timeout -k 5 600 sbatch --wait --dependency="afterok:$array_id" --kill-on-invalid-dep=yes -J tlsprobe-merge -D "$S" \
  -o "$S/log/merge.out" "$follow" >"$S/log/sbatch-merge.out" 2>&1
follow_rc=$?
assert_eq "slurm: the array's 4 tasks succeeded and the dependent job ran (exit 0)" "0" "$follow_rc"

tasks=$(cat "$S"/out/task-*.status 2>/dev/null | awk '{print $2 "/" $3}' | sort | tr '\n' ' ')
assert_eq "slurm: each task saw its index and the array's size" "0/4 1/4 2/4 3/4 " "$tasks"
jobs=$(cat "$S"/out/task-*.status 2>/dev/null | awk '{print $4}' | sort -u | wc -l)
assert_eq "slurm: the 4 tasks ran as 4 Slurm jobs" "4" "$jobs"

# compare_sharded_runs SINGLE: the shards' endpoints, and the merged report when there is
# one, equal the single-process run's.
compare_sharded_runs() {
  local single=$1
  same_endpoints "slurm: the 4 shards' endpoints together equal the single run's" "$single" \
    "$S"/out/shard-{0,1,2,3}.jsonl
  if has_merge; then
    same_endpoints "slurm: the merge job's report equals the single run's" "$single" "$S/out/merged.jsonl"
  else
    skip "slurm: the merge job's report equals the single run's" "this build has no tlsprobe merge"
  fi
}
compare_sharded_runs "$TEST_TMP/single.jsonl"
for k in 0 1 2 3; do
  [ -s "$S/out/shard-$k.jsonl" ] && cp "$S/out/shard-$k.jsonl" "$TEST_TMP/slurm-shard-$k.out" &&
    printf 'jsonl\tslurm-shard-%s\t%s\n' "$k" "$TEST_TMP/slurm-shard-$k.out" >>"$REPORTS_TO_VALIDATE"
done
