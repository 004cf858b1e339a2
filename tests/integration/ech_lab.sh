#!/usr/bin/env bash
# The lab's side of ECH (issue #13), tested on its own, without tlsprobe: the pure-Python
# cryptography of tests/lab/ech_crypto.py against published vectors (RFC 7748, 5869, 8439,
# 8448, 9180, FIPS 197), the keys of tests/lab/ech_keys.py, and a test-only Python ECH client
# against the running ech_* servers of tests/lab/mod_ech.sh (accepted, rejected, ignored,
# closed, accepted after a HelloRetryRequest). tests/lab/test_ech_crypto.py prints one
# ok / not ok line per assertion.
. "$(dirname "$0")/../lib.sh"

in_lab() { [[ " $LAB_SERVERS " == *" $1 "* ]]; }

LAB_ARG=(--lab)
for s in ech_accept ech_reject ech_none ech_greasebreak ech_hrr; do
  in_lab "$s" || LAB_ARG=()
done

# Bounded like every tlsprobe run: a hang is a failure. Lines that are not ok/not ok (a
# Python traceback) become failures, so a crash cannot pass unseen.
out=$(timeout -k 5 "$TP_DEADLINE_S" python3 "$TESTS_DIR/lab/test_ech_crypto.py" "${LAB_ARG[@]}" 2>&1)
rc=$?
sed -E '/^(not )?ok - /!s/^/not ok - test_ech_crypto.py: /' <<<"$out"
if [ "$rc" -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
  not_ok "test_ech_crypto.py exit status" "exit $rc without a failed assertion"
fi
if [ ${#LAB_ARG[@]} -eq 0 ]; then
  skip "ech lab servers answer the test client" "the lab was started without every ech_* server"
fi
