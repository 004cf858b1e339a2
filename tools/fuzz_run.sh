#!/bin/sh
# Runs one libFuzzer target for a bounded time over a copy of its committed seeds (the
# repository is never written: new inputs go to BUILD/corpus-NAME, which grows from run to run,
# or with "smoke" to BUILD/smoke-NAME, made afresh from the seeds alone; crashes go to
# BUILD/artifacts).
# Usage: tools/fuzz_run.sh BUILD NAME SECONDS [smoke]   (make fuzz / make fuzz-smoke)
# Prints one line; on a crash, leak, timeout or sanitizer report the log's end, and exits 1.
set -u
build=$1 name=$2 secs=$3 mode=${4:-}
bin=$build/fuzz_$name corpus=$build/corpus-$name log=$build/log-$name.txt
if [ "$mode" = smoke ]; then
    corpus=$build/smoke-$name log=$build/smoke-log-$name.txt
    rm -rf "$corpus"
fi
mkdir -p "$corpus" "$build/artifacts"
[ -d "fuzz/corpus/$name" ] && cp -p "fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null
# -timeout: one input taking this long is a hang; -max_len: seeds may be larger than libFuzzer's
# 4 KB default (certificates, inventories).
"$bin" -max_total_time="$secs" -timeout=10 -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$name-" "$corpus" </dev/null >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ $rc -ne 0 ]; then
    echo "fuzz $name: FAILED (exit $rc) after ${runs:-?} runs; log $log:"
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 20
    exit 1
fi
echo "fuzz $name: ok, ${runs:-?} runs in ${secs}s, corpus $(ls "$corpus" | wc -l) inputs"
