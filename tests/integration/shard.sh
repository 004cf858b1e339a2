#!/usr/bin/env bash
# --shard K/N and env/N: the shards of a lab inventory are disjoint, cover it, and together
# equal a single-process run (normalized endpoint lines in index order); the index comes from
# JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID; wrong values are exit 2.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/shard_compare.sh"

INV=$TEST_TMP/lab.yaml
{
  echo "defaults: {ca: $LAB_CA}"
  echo "targets:"
  for p in TLS12 TLS13 LEGACY NGINX GNUTLS EXPIRED WRONGNAME SELFSIGNED CIPHERS12 CIPHERS13 NGINX_PREF NGINX_NOPREF; do
    port=LAB_PORT_$p
    echo "  - \"localhost:${!port}\""
  done
  echo "  - \"127.0.0.1:$LAB_PORT_REFUSED\""
} > "$INV"
RUN=(--probes versions,ciphers,certificate --format jsonl -f "$INV")

tp shard-single "${RUN[@]}" -o "$TEST_TMP/single.jsonl"
assert_eq "single run: 13 endpoints" "13" "$(jq -s '[.[] | select(.type == "endpoint")] | length' "$TEST_TMP/single.jsonl")"
for k in 0 1 2 3; do
  tp "shard-$k" "${RUN[@]}" --shard "$k/4" -o "$TEST_TMP/shard-$k.jsonl"
done
same_endpoints "--shard 0..3/4: the shards together equal the single run" "$TEST_TMP/single.jsonl" \
  "$TEST_TMP"/shard-{0,1,2,3}.jsonl
counts=$(for k in 0 1 2 3; do jq -s '[.[] | select(.type == "endpoint")] | length' "$TEST_TMP/shard-$k.jsonl"; done | tr '\n' ' ')
total=$(jq -s '[.[] | select(.type == "summary") | .endpoints] | add' "$TEST_TMP"/shard-{0,1,2,3}.jsonl)
assert_eq "--shard: the summaries' endpoint counts add up to 13 ($counts)" "13" "$total"
nonempty=$(for c in $counts; do [ "$c" -gt 0 ] && echo x; done | wc -l)
if [ "$nonempty" -ge 2 ]; then ok "--shard: the targets are spread over $nonempty shards ($counts)"
else not_ok "--shard: the targets are spread over several shards" "$counts"; fi

# The comparison can fail: a shard left out is seen. The one left out is the first that has
# endpoints (which shards do depends on the lab's ports).
want=$(endpoint_lines "$TEST_TMP/single.jsonl" | wc -l)
k=0
for c in $counts; do [ "$c" -gt 0 ] && break; k=$((k + 1)); done
others=()
for j in 0 1 2 3; do [ "$j" -ne "$k" ] && others+=("$TEST_TMP/shard-$j.jsonl"); done
got=$(endpoint_lines "${others[@]}" | wc -l)
if [ "$got" -lt "$want" ]; then ok "a missing shard is missed (shard $k left out: $got of $want endpoints)"
else not_ok "a missing shard is missed" "shard $k left out: $got of $want"; fi

# The same split again: deterministic.
tp shard-again "${RUN[@]}" --shard 2/4 -o "$TEST_TMP/again.jsonl"
assert_eq "--shard 2/4 twice: the same endpoints" "$(jq -c 'select(.type == "endpoint") | .id' "$TEST_TMP/shard-2.jsonl" | sort)" \
  "$(jq -c 'select(.type == "endpoint") | .id' "$TEST_TMP/again.jsonl" | sort)"

# ---- env/N: the job engines' variables
env_ids() { jq -c 'select(.type == "endpoint") | .id' "$1" | sort; }
JOB_COMPLETION_INDEX=1 tp shard-k8s "${RUN[@]}" --shard env/4 -o "$TEST_TMP/k8s.jsonl"
assert_eq "env/4 with JOB_COMPLETION_INDEX=1 is shard 1/4" "$(env_ids "$TEST_TMP/shard-1.jsonl")" "$(env_ids "$TEST_TMP/k8s.jsonl")"
SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=2 SLURM_ARRAY_TASK_COUNT=4 tp shard-slurm "${RUN[@]}" --shard env/4 \
  -o "$TEST_TMP/slurm.jsonl"
assert_eq "env/4 with SLURM_ARRAY_TASK_ID=5, SLURM_ARRAY_TASK_MIN=2 is shard 3/4" \
  "$(env_ids "$TEST_TMP/shard-3.jsonl")" "$(env_ids "$TEST_TMP/slurm.jsonl")"

# ---- errors: exit 2 before any probing, with the reason
shard_error() {   # shard_error LABEL EXPECTED_TEXT SHARD [VAR=VALUE...]
  local label=$1 text=$2 shard=$3; shift 3
  env -u JOB_COMPLETION_INDEX -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_MIN -u SLURM_ARRAY_TASK_COUNT "$@" \
    "$TLSPROBE" --format json -f "$INV" --shard "$shard" >"$TEST_TMP/$label.out" 2>"$TEST_TMP/$label.err"
  assert_eq "--shard $shard${*:+ with $*}: exit 2" "2" "$?"
  assert_file_contains "--shard $shard${*:+ with $*}: says why" "$TEST_TMP/$label.err" "$text"
  assert_eq "--shard $shard${*:+ with $*}: no report" "" "$(cat "$TEST_TMP/$label.out")"
}
shard_error err-range "K counts from 0 to N-1" 4/4
shard_error err-form "is not K/N or env/N" 1-4
shard_error err-zero "is not K/N or env/N" 0/0
shard_error err-noenv "neither is set" env/4
shard_error err-k8s "JOB_COMPLETION_INDEX 'one'" env/4 JOB_COMPLETION_INDEX=one
shard_error err-k8s-range "K counts from 0 to N-1" env/4 JOB_COMPLETION_INDEX=4
shard_error err-slurm-count "SLURM_ARRAY_TASK_COUNT" env/4 SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=8

# A shard with no target (more shards than targets) is an empty report, exit 0.
printf 'targets:\n  - "localhost:%s"\n' "$LAB_PORT_NGINX" > "$TEST_TMP/one.yaml"
empty=""
for k in 0 1 2; do
  tp "shard-one-$k" --probes versions --ca-file "$LAB_CA" --format jsonl -f "$TEST_TMP/one.yaml" --shard "$k/3"
  n=$(jq -s '[.[] | select(.type == "endpoint")] | length' "$TP_OUT")
  [ "$n" = 0 ] && [ "$TP_RC" = 0 ] && empty="$empty $k"
done
if [ "$(wc -w <<<"$empty")" = 2 ]; then ok "one target, 3 shards: two empty reports with exit 0 (shards$empty)"
else not_ok "one target, 3 shards: two empty reports with exit 0" "empty:$empty"; fi

# ---- examples/kubernetes/tlsprobe-sweep.yaml: the manifests parse (PyYAML), N is the same
# everywhere, the inventory it ships is valid, and the shard pods' own script, run here with
# JOB_COMPLETION_INDEX 0..3 over the lab inventory, gives shards equal to a single run.
K8S=$TESTS_DIR/../examples/kubernetes/tlsprobe-sweep.yaml
KX=$TEST_TMP/k8s
mkdir -p "$KX/bin" "$KX/reports"
if python3 -c 'import yaml' 2>/dev/null; then
  if python3 - "$K8S" "$KX" >"$KX/parse.out" 2>&1 <<'PY'
import sys, yaml, re
docs = list(yaml.safe_load_all(open(sys.argv[1])))
out = sys.argv[2]
kinds = [d["kind"] for d in docs]
cm = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
job = yaml.safe_load(cm["tlsprobe-shards-job"]["data"]["shards-job.yaml"])
spec = job["spec"]
shard = spec["template"]["spec"]["containers"][0]
cron = next(d for d in docs if d["kind"] == "CronJob")
pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
merge = pod["containers"][0]["args"][0]
n_shard = re.search(r"--shard env/(\d+)", shard["args"][0]).group(1)
n_merge = int(re.search(r"seq 0 (\d+)", merge).group(1)) + 1
assert spec["completionMode"] == "Indexed", "not an Indexed Job"
ns = {spec["completions"], spec["parallelism"], int(n_shard), n_merge}
assert len(ns) == 1, "N differs: completions, parallelism, --shard, merge: %s" % ns
assert "JOB_COMPLETION_INDEX" in shard["args"][0]
assert all(k in kinds for k in ("CronJob", "PersistentVolumeClaim", "Role", "RoleBinding", "ServiceAccount"))
open(out + "/inventory.yaml", "w").write(cm["tlsprobe-inventory"]["data"]["targets.yaml"])
open(out + "/shard.sh", "w").write(shard["args"][0])
print(spec["completions"])
PY
  then
    ok "examples/kubernetes: parses; an Indexed Job of $(cat "$KX/parse.out") shards, N the same in its 4 places"
    tv_out=$("$TLSPROBE" validate "$KX/inventory.yaml" 2>&1)
    assert_eq "examples/kubernetes: its inventory validates" "5 targets, 1 group: ok" "$tv_out"
    # The pod's script as written, with the lab inventory and a local folder for the volume.
    sed -i "s#/inventory/targets.yaml#$INV#; s#/reports/#$KX/reports/#g" "$KX/shard.sh"
    printf '#!/bin/sh\nexec %q --timeout 3 --probes versions,ciphers,certificate "$@"\n' "$TLSPROBE" > "$KX/bin/tlsprobe"
    chmod +x "$KX/bin/tlsprobe"
    pods_ok=0
    for k in 0 1 2 3; do
      PATH=$KX/bin:$PATH JOB_NAME=tlsprobe-shards-test JOB_COMPLETION_INDEX=$k sh -c "$(cat "$KX/shard.sh")" \
        >"$KX/pod-$k.log" 2>&1 && pods_ok=$((pods_ok + 1))
    done
    assert_eq "examples/kubernetes: the 4 shard pods' script exits 0 (findings are not pod failures)" "4" "$pods_ok"
    same_endpoints "examples/kubernetes: the pods' shards together equal the single run" "$TEST_TMP/single.jsonl" \
      "$KX"/reports/tlsprobe-shards-test/shard-{0,1,2,3}.jsonl
  else
    not_ok "examples/kubernetes: parses and N is the same everywhere" "$(oneline "$(tail -n 5 "$KX/parse.out")")"
  fi
else
  skip "examples/kubernetes: parses" "python3 has no yaml module (Debian: python3-yaml)"
fi
