# Comparing sharded sweeps with a single-process one (sourced by tests/integration/shard.sh and
# slurm.sh, after lib.sh). Endpoints are matched as the project matches them: by index order.

# endpoint_lines FILE...: every endpoint of the reports (JSONL lines or a JSON document's
# endpoints), without "type", normalized (tests/golden/normalize.sh), sorted by index.
endpoint_lines() {
  jq -c 'if .type? == "endpoint" then del(.type) elif (.endpoints? | type) == "array" then .endpoints[] else empty end' "$@" |
    jq -s -c 'sort_by(.index) | .[]' | "$TESTS_DIR/golden/normalize.sh"
}

# same_endpoints NAME SINGLE SHARD_OR_MERGED...: ok when the endpoints of the shards (or of a
# merged report) together equal the single run's: the same lines, each once, in index order.
same_endpoints() {
  local name=$1 single=$2; shift 2
  local want got
  want=$(endpoint_lines "$single")
  got=$(endpoint_lines "$@")
  if [ -n "$want" ] && [ "$want" == "$got" ]; then
    ok "$name ($(wc -l <<<"$want") endpoints)"
  else
    not_ok "$name" "$(oneline "$(diff <(jq -c '[.index, .id]' <<<"$want") <(jq -c '[.index, .id]' <<<"$got") | head -n 12)
$(diff <(echo "$want") <(echo "$got") | head -c 400)")"
  fi
}
