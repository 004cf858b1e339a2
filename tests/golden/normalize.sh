#!/usr/bin/env bash
# Removes what legitimately differs between two runs over the same lab: times, durations,
# OCSP response dates (the lab responder signs afresh), mail banners' clocks, and which of
# OpenSSL's two texts a random bad RSA padding produced.
# Usage: tests/golden/normalize.sh < report > normalized
set -euo pipefail
sed -E 's/"(duration_ms|ms)": ?[0-9]+/"\1": 0/g
        s/&quot;(duration_ms|ms)&quot;: ?[0-9]+/\&quot;\1\&quot;: 0/g
        s/ time="[0-9.]+"/ time="N"/g
        s/"(started|finished)_at": ?"[^"]*"/"\1_at": ""/g
        s/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?/TIME/g
        s/[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [+-][0-9]{4}/TIME/g
        s/data too large for modulus|invalid padding|block type is not 01/RSA-ERROR/g
        s/[0-9]+(\.[0-9]+)? ?(ms|s)\b/N \2/g'
