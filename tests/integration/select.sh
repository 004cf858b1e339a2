#!/usr/bin/env bash
# Inventory groups and --tag / --exclude-tag: group defaults over the top level's, the group's
# name a tag, selection after loading (endpoints keep their index), and a selection that
# leaves nothing is exit 2 before any traffic.
. "$(dirname "$0")/../lib.sh"

INV=$TEST_TMP/groups.yaml
cat > "$INV" <<EOF2
# the lab through groups (tests/integration/select.sh)
defaults:
  ca: $LAB_CA
  tags: [lab]
targets:
  - "localhost:$LAB_PORT_NGINX"
groups:
  - name: modern
    defaults: {port: $LAB_PORT_TLS13, tags: [tls13]}
    targets:
      - "localhost"
      - host: 127.0.0.1
        sni: localhost
        port: $LAB_PORT_TLS12
        tags: [tls12, pci]
  - name: old
    targets:
      - host: localhost
        port: $LAB_PORT_LEGACY
        exposure: internal
EOF2
ids() { printf '[.endpoints[] | [.index, .port, (.tags | join(","))]]'; }
PROBES=(--probes versions --format json -f "$INV")

tp select-all "${PROBES[@]}"
assert_jq "groups: four endpoints in file order; group defaults, own fields, the group's name a tag" "$TP_OUT" "$(ids)" \
  "[[0,$LAB_PORT_NGINX,\"lab\"],[1,$LAB_PORT_TLS13,\"tls13,modern\"],[2,$LAB_PORT_TLS12,\"tls12,pci,modern\"],[3,$LAB_PORT_LEGACY,\"lab,old\"]]"
assert_jq "groups: the top-level ca: reaches group targets" "$TP_OUT" \
  '[.endpoints[] | .facts.versions.accepted | length > 0] | all' 'true'

tp select-tag "${PROBES[@]}" --tag modern
assert_jq "--tag modern: the group only, with their index in the whole list" "$TP_OUT" \
  '[.endpoints[] | .index]' '[1,2]'
tp select-two-tags "${PROBES[@]}" --tag pci --tag old
assert_jq "--tag pci --tag old: any of them" "$TP_OUT" '[.endpoints[] | .index]' '[2,3]'
tp select-exclude "${PROBES[@]}" --exclude-tag modern
assert_jq "--exclude-tag modern: the others" "$TP_OUT" '[.endpoints[] | .index]' '[0,3]'
tp select-both "${PROBES[@]}" --tag modern --exclude-tag pci
assert_jq "--tag modern --exclude-tag pci: exclusion wins" "$TP_OUT" '[.endpoints[] | .index]' '[1]'
assert_jq "--tag: the summary counts the selected endpoints only" "$TP_OUT" '.summary.endpoints' '1'

# Command-line targets have no tags: --tag leaves them out.
tp select-cli "${PROBES[@]}" --tag old "localhost:$LAB_PORT_NGINX"
assert_jq "--tag with a command-line target: only the inventory's tagged one" "$TP_OUT" \
  '[.endpoints[] | [.index, .origin != "command line"]]' '[[4,true]]'

# Nothing selected: exit 2, a message, nothing probed or written.
tp select-none "${PROBES[@]}" --tag nosuchtag
assert_rc "--tag nosuchtag: exit 2" 2
assert_file_contains "--tag nosuchtag: says nothing was selected" "$TP_ERR" "selected none of the 4 targets"
assert_eq "--tag nosuchtag: no report" "" "$(head -c 100 "$TP_OUT")"
tp select-none-2 "${PROBES[@]}" --exclude-tag lab --exclude-tag modern
assert_rc "--exclude-tag of every target: exit 2" 2
# The unselected endpoints are not resolved either: an unresolvable name left out costs nothing.
BAD=$TEST_TMP/unresolvable.yaml
printf 'targets:\n  - host: nowhere.invalid\n    tags: [gone]\n  - host: localhost\n    port: %s\n    tags: [here]\n' \
  "$LAB_PORT_NGINX" > "$BAD"
tp select-unresolved --probes versions --format json --resolver "$LAB_RESOLVER" -f "$BAD" --exclude-tag gone
assert_jq "--exclude-tag: the left-out target is neither resolved nor reported" "$TP_OUT" \
  '[.endpoints[] | [.index, .status]]' '[[1,"ok"]]'
assert_rc "--exclude-tag: exit 0 without the unresolvable target" 0
