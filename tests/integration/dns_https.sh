#!/usr/bin/env bash
# DNS HTTPS records (type 65) end to end: the lab's dnsmasq serves them (tests/lab/start.sh,
# https_records), tlsprobe asks for them at resolve time, and the ech probe shows the answer as
# facts.ech.dns_https. Exact objects: ServiceMode with ech (the port-prefixed owner), AliasMode
# followed once, a record without ech, a malformed record (kept with its reason), no record,
# and no query at all for localhost, an IP literal and --ip. The parser itself (pointers,
# truncation, timeouts...) is tests/unit/test_https_rr.c.
. "$(dirname "$0")/../lib.sh"

have() { [[ " $LAB_SERVERS " == *" $1 "* ]]; }

ACCEPT=$((LAB_PORT_BASE + 190)) # ech_accept (tests/lab/mod_ech.sh)
T13=$LAB_PORT_TLS13
# The ech value dnsmasq serves: the lab's accept.ecl, else start.sh's fixed ECHConfigList.
if [ -s "$LAB_DIR/ech/accept.ecl" ]; then
  ECL=$(base64 -w0 < "$LAB_DIR/ech/accept.ecl")
else
  ECL=AEb+DQBCKgAgACCFIPAJiTCnVHSLfdy0PvdaDb86DSY4GvTrpKmOqptOagAIAAEAAQABAAMgD3B1YmxpYy5sYWIudGVzdAAA
fi

# record PRIORITY ALPN_JSON PORT_JSON ECH_JSON MALFORMED_JSON: one records[] entry, target ".".
record() {
  printf '{"priority":%s,"target":%s,"alpn":%s,"port":%s,"ipv4hint":null,"ipv6hint":null,"ech":%s,"malformed":%s}' \
    "$1" "$( [ "$5" = null ] && echo '"."' || echo null)" "$2" "$3" "$4" "$5"
}
# fact OWNER RESULT ALIAS_OF_JSON RECORDS_JSON
fact() { printf '{"owner":"%s","result":"%s","error":null,"alias_of":%s,"records":%s}' "$1" "$2" "$3" "$4"; }

# check LABEL TARGET SERVER EXPECTED_JSON: facts.ech.dns_https of TARGET in the last report.
check() {
  local label=$1 target=$2 server=$3 want=$4
  if ! have "$server"; then
    skip "$label" "$server not in this lab"
  elif [ -z "$HAVE_ECH" ]; then
    skip "$label" "needs the ech probe"
  elif [ "$(jqc "$TP_OUT" "$(ep "$target").facts.ech | type")" != '"object"' ]; then
    not_ok "$label" "no facts.ech for $target: $(jqc "$TP_OUT" "$(ep "$target") | [.status, .error]")"
  else
    assert_jq "$label" "$TP_OUT" "$(ep "$target").facts.ech.dns_https" "$want"
  fi
}

if ! have dns; then
  skip "dns_https" "dns (dnsmasq) not in this lab"
  exit 0
fi
HAVE_ECH=$("$TLSPROBE" --list-probes 2>/dev/null | awk '$1 == "ech" { print "yes" }')
PROBES=ech
[ -n "$HAVE_ECH" ] || PROBES=versions # still runs resolution, so a crash there shows

tp names --resolver "$LAB_RESOLVER" --probes "$PROBES" --format json \
  "ech.lab.test:$ACCEPT" "alias.lab.test:$ACCEPT" "noech.lab.test:$T13" "bad-https.lab.test:$T13" \
  "good.lab.test:$T13" "localhost:$T13" "127.0.0.1:$T13"

ECH_RECORD=$(record 1 '["h2"]' "$ACCEPT" "\"$ECL\"" null)
check "ServiceMode with ech at the port-prefixed owner" "ech.lab.test:$ACCEPT" ech_accept \
  "$(fact "_$ACCEPT._https.ech.lab.test" found null "[$ECH_RECORD]")"
check "AliasMode followed once: the target's records, alias_of the owner asked" "alias.lab.test:$ACCEPT" ech_accept \
  "$(fact "_$ACCEPT._https.ech.lab.test" found "\"_$ACCEPT._https.alias.lab.test\"" "[$ECH_RECORD]")"
check "ServiceMode without ech: ech null" "noech.lab.test:$T13" tls13 \
  "$(fact "_$T13._https.noech.lab.test" found null "[$(record 1 '["h2"]' "$T13" null null)]")"
check "malformed record kept with its reason" "bad-https.lab.test:$T13" tls13 \
  "$(fact "_$T13._https.bad-https.lab.test" found null \
      "[$(record 1 null null null '"SvcParamKeys not in strictly increasing order: key 1 after key 3"')]")"
check "no HTTPS record: \"no record\"" "good.lab.test:$T13" tls13 \
  "$(fact "_$T13._https.good.lab.test" "no record" null '[]')"
check "localhost: not asked (null)" "localhost:$T13" tls13 null
check "IP literal: not asked (null)" "127.0.0.1:$T13" tls13 null

# --ip: the user keeps DNS out of this endpoint, the HTTPS record included.
tp ip --resolver "$LAB_RESOLVER" --probes "$PROBES" --format json --ip 127.0.0.1 "ech.lab.test:$T13"
check "--ip: not asked (null)" "ech.lab.test:$T13" tls13 null
