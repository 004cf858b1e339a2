#!/usr/bin/env bash
# YAML inventories (-f): the same facts as the command line, per-target fields, and errors
# that name FILE:LINE:COLUMN with exit status 2.
. "$(dirname "$0")/../lib.sh"

# What must not depend on where a target came from (timing aside).
FACTS='[.endpoints[] | {host, port, sni, address, status, connections, facts, verdicts, result} | del(.. | .duration_ms?, .ms?, .this_update?, .next_update?)]'

INV=$TEST_TMP/lab.yaml
cat > "$INV" <<EOF
# lab inventory written by tests/integration/inventory.sh
targets:
  - host: localhost
    port: $LAB_PORT_NGINX
    tags: [web, nginx]
    ca: $LAB_CA
  - host: localhost
    port: $LAB_PORT_EXPIRED
    ca: $LAB_CA
  - "localhost:$LAB_PORT_LEGACY"
  - host: 127.0.0.1
    port: $LAB_PORT_WRONGNAME
    sni: wrong.example
    ca: $LAB_CA
  - host: pinned.invalid
    ip: 127.0.0.1
    port: $LAB_PORT_NGINX
    sni: localhost
    ca: $LAB_CA
EOF

tp inventory --format json --resolver "$LAB_RESOLVER" -f "$INV"
assert_jq "inventory: five endpoints in file order" "$TP_OUT" \
  '[.endpoints[] | [.host, .port, .status]]' \
  "[[\"localhost\",$LAB_PORT_NGINX,\"ok\"],[\"localhost\",$LAB_PORT_EXPIRED,\"ok\"],[\"localhost\",$LAB_PORT_LEGACY,\"ok\"],[\"127.0.0.1\",$LAB_PORT_WRONGNAME,\"ok\"],[\"pinned.invalid\",$LAB_PORT_NGINX,\"ok\"]]"
assert_jq "inventory: origin is FILE:LINE of each entry" "$TP_OUT" \
  '[.endpoints[].origin]' "[\"$INV:3\",\"$INV:7\",\"$INV:10\",\"$INV:11\",\"$INV:15\"]"
assert_jq "inventory: tags" "$TP_OUT" '[.endpoints[].tags]' '[["web","nginx"],[],[],[],[]]'
assert_jq "inventory: per-target ca: used, system store otherwise" "$TP_OUT" \
  '[.endpoints[].facts.certificate.trust.store]' \
  "[\"file:$LAB_CA\",\"file:$LAB_CA\",\"system\",\"file:$LAB_CA\",\"file:$LAB_CA\"]"
assert_jq "inventory: sni: wrong.example matches the wrong-name leaf" "$TP_OUT" \
  '.endpoints[3] | [.sni, .facts.certificate.name.matched, .facts.certificate.trust.verified]' '["wrong.example",true,true]'
assert_jq "inventory: ip: probes the address without resolving the name" "$TP_OUT" \
  '.endpoints[4] | [.address, .sni, .facts.certificate.name.matched, .result]' '["127.0.0.1","localhost",true,"PASS"]'
assert_rc "inventory: exit 1 (expired and legacy fail)" 1

# The same targets on the command line give the same facts.
tp inventory-cli-1 --format json --ca-file "$LAB_CA" "localhost:$LAB_PORT_NGINX" "localhost:$LAB_PORT_EXPIRED"
CLI1=$TP_OUT
tp inventory-cli-2 --format json --sni wrong.example --ca-file "$LAB_CA" "127.0.0.1:$LAB_PORT_WRONGNAME"
CLI2=$TP_OUT
tp inventory-cli-3 --format json --ca-file "$LAB_CA" --resolver "$LAB_RESOLVER" --ip 127.0.0.1 --sni localhost "pinned.invalid:$LAB_PORT_NGINX"
CLI3=$TP_OUT
tp inventory-cli-4 --format json "localhost:$LAB_PORT_LEGACY"
CLI4=$TP_OUT
INV_OUT=$TEST_TMP/inventory.out
same_facts() {   # same_facts NAME INVENTORY_INDEXES CLI_REPORT...
  local name=$1 idx=$2; shift 2
  local want got
  want=$(jq -c -s "map($FACTS) | add" "$@" 2>&1)
  got=$(jq -c "$FACTS | [.[$idx]]" "$INV_OUT" 2>&1)
  if [ "$want" == "$got" ] && [ "$got" != "[]" ]; then
    ok "$name"
  else
    not_ok "$name" "$(oneline "$(diff <(jq . <<<"$want" 2>&1) <(jq . <<<"$got" 2>&1) | head -n 20)")"
  fi
}
same_facts "inventory = command line: nginx, expired (ca:)" "0,1" "$CLI1"
same_facts "inventory = command line: string entry, system store" "2" "$CLI4"
same_facts "inventory = command line: sni:" "3" "$CLI2"
same_facts "inventory = command line: ip:" "4" "$CLI3"

# Command-line targets come first, then the inventory's.
tp inventory-order --format json --ca-file "$LAB_CA" -f "$INV" "localhost:$LAB_PORT_TLS13"
assert_jq "command-line targets first, then the inventory" "$TP_OUT" \
  '[.endpoints[] | .origin | sub(":[0-9]+$"; "")] | .[0:2]' "[\"command line\",\"$INV\"]"

# ---- errors: exit 2, FILE:LINE:COLUMN and the field
bad() {   # bad LABEL EXPECTED_LOCATION FIELD YAML
  local f=$TEST_TMP/$1.yaml
  printf '%s\n' "$4" > "$f"
  tp "$1" --format json -f "$f"
  assert_rc "$1: exit 2" 2
  assert_file_contains "$1: stderr names $2" "$TP_ERR" "$f:$2"
  [ -z "$3" ] || assert_file_contains "$1: stderr names the field '$3'" "$TP_ERR" "$3"
  assert_eq "$1: no report on stdout" "" "$(head -c 200 "$TP_OUT")"
}
bad bad-port "3:11:" port "targets:
  - host: localhost
    port: notaport"
bad port-range "3:11:" port "targets:
  - host: localhost
    port: 70000"
bad unknown-field "3:5:" hots "targets:
  - host: localhost
    hots: x"
# An unclosed flow sequence: libyaml reports it; the location must still be FILE:LINE:COLUMN.
f=$TEST_TMP/syntax.yaml
printf 'targets:\n  - host: localhost\n    tags: [a, b\n' > "$f"
tp syntax-error --format json -f "$f"
assert_rc "syntax error: exit 2" 2
if grep -qE "^(tlsprobe: )?$f:[0-9]+:[0-9]+: " "$TP_ERR"; then
  ok "syntax error: stderr starts with FILE:LINE:COLUMN"
else
  not_ok "syntax error: stderr starts with FILE:LINE:COLUMN" "$(oneline "$(cat "$TP_ERR")")"
fi

tp missing-file --format json -f "$TEST_TMP/does-not-exist.yaml"
assert_rc "missing inventory: exit 2" 2
assert_file_contains "missing inventory: stderr names the file" "$TP_ERR" "$TEST_TMP/does-not-exist.yaml"
