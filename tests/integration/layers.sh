#!/usr/bin/env bash
# The architecture holds: each layer of src/ (and probes/) includes only the layers below it,
# no header includes itself, nothing in src/net, src/wire or src/scoring reaches probe.h
# (tools/check_layers.py, which reads the #include lines). Also proves the check can fail:
# a copy of the tree with one forbidden include is refused.
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$TESTS_DIR/.." && pwd)
python3 "$ROOT/tools/check_layers.py" "$ROOT"

COPY=$TEST_TMP/tree
mkdir -p "$COPY"
cp -r "$ROOT/src" "$ROOT/include" "$ROOT/probes" "$COPY/"
sed -i '0,/#include "/s//#include "probe.h"\n#include "/' "$COPY/src/wire/wire_parse.c"
out=$(python3 "$ROOT/tools/check_layers.py" "$COPY" 2>&1)
if grep -q '^not ok - no file of src/net, src/wire or src/scoring includes probe.h' <<<"$out" &&
   grep -q 'src/wire/wire_parse.c (wire) includes probe.h (engine)' <<<"$out"; then
  ok "a wire file including probe.h is refused"
else
  not_ok "a wire file including probe.h is refused" "$(oneline "$out")"
fi
