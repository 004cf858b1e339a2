#!/usr/bin/env bash
# Fuzz smoke (CI): every libFuzzer target (fuzz/fuzz_*.c) is built and run for a few seconds
# over its committed seeds (make fuzz-smoke, two at a time); a crash, leak, sanitizer report or
# hang in any of them fails its line. Skipped with the reason when clang cannot build a
# libFuzzer program here. Also proves the runner fails on a crash (a target that crashes on
# its own seed) and that every target has seeds.
# Env: FUZZ_SMOKE_TIME (seconds per target, default 2), FUZZ_BUILD (default ROOT/build-fuzz,
# shared with `make fuzz`, so its objects are reused).
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$TESTS_DIR/.." && pwd)
SECS=${FUZZ_SMOKE_TIME:-2}
BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz}

probe_src=$TEST_TMP/probe.c
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)\n{ return (int)(n && d[0] == 0x58 && n > 99); }\n' >"$probe_src"
if ! command -v clang >/dev/null 2>&1; then
  skip "fuzz smoke" "clang is not installed (apt-get install clang)"
  exit 0
fi
if ! why=$(clang -fsanitize=fuzzer,address,undefined -o "$TEST_TMP/probe" "$probe_src" 2>&1); then
  skip "fuzz smoke" "clang cannot link a libFuzzer program: $(oneline "$why" | cut -c1-200)"
  exit 0
fi

# The runner must see a crash: a target that aborts on its seed "X".
mkdir -p "$TEST_TMP/crash/fuzz/corpus/crashme"
printf 'X' >"$TEST_TMP/crash/fuzz/corpus/crashme/seed"
printf '#include <stddef.h>\n#include <stdint.h>\n#include <stdlib.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)\n{ if (n == 1 && d[0] == 0x58) abort(); return 0; }\n' >"$TEST_TMP/crashme.c"
clang -fsanitize=fuzzer,address -o "$TEST_TMP/crash/fuzz_crashme" "$TEST_TMP/crashme.c"
out=$(cd "$TEST_TMP/crash" && "$ROOT/tools/fuzz_run.sh" "$TEST_TMP/crash" crashme 2 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q 'fuzz crashme: FAILED' <<<"$out" && ls "$TEST_TMP/crash/artifacts/crashme-crash-"* >/dev/null 2>&1; then
  ok "the fuzz runner fails on a crash and keeps the reproducer"
else
  not_ok "the fuzz runner fails on a crash and keeps the reproducer" "rc $rc: $(oneline "$out")"
fi

targets=()
for f in "$ROOT"/fuzz/fuzz_*.c; do
  n=$(basename "$f" .c); targets+=("${n#fuzz_}")
done
for t in "${targets[@]}"; do
  if [ -n "$(ls -A "$ROOT/fuzz/corpus/$t" 2>/dev/null)" ]; then
    ok "fuzz target $t has a seed corpus"
  else
    not_ok "fuzz target $t has a seed corpus" "fuzz/corpus/$t is missing or empty"
  fi
done

log=$TEST_TMP/smoke.log
# Not the caller's make flags (make check's jobserver, its variables): a make of its own.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$ROOT" -j2 --no-print-directory -k FUZZ_BUILD="$BUILD" \
  FUZZ_SMOKE_TIME="$SECS" fuzz-smoke >"$log" 2>&1
mrc=$?
for t in "${targets[@]}"; do
  if grep -q "^fuzz $t: ok" "$log"; then
    ok "fuzz smoke $t"
  else
    not_ok "fuzz smoke $t" "$(grep -A20 "^fuzz $t: " "$log" | head -20 | tr '\n' ' ' | cut -c1-600)"
  fi
done
if [ $mrc -eq 0 ]; then
  ok "make fuzz-smoke exits 0"
else
  not_ok "make fuzz-smoke exits 0" "exit $mrc: $(grep -vE '^fuzz .*: ok|^  (CC|FUZZ) ' "$log" | tail -n 15 | tr '\n' ' ' | cut -c1-600)"
fi
