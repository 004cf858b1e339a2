#!/usr/bin/env bash
# The versions and signatures probes split their hellos over the endpoint's free --per-host
# slots (probe_fanout); their facts must be those of asking one version after another, however
# many tasks ran at once. --per-host 1 leaves no slot free: the tasks run in turn on the probe's
# own thread. The servers are those whose version hellos need the sequential engine: sizewindow
# (a version hello walks the shape ladder and changes the fit for the versions after it),
# dovecot_dhe (a walk that finds no shape: the versions after it must not walk), extintolerant
# (TLS 1.3 hellos dropped), and nginx (TLS 1.2 and 1.3 signature chains).
. "$(dirname "$0")/../lib.sh"

# facts LABEL PORT: the two probes' facts without their durations.
facts() {
  jq -c "[.endpoints[] | select(.port == $2) | .facts | (.versions, .signatures) | del(.duration_ms)]" \
    "$TEST_TMP/$1.out"
}

TARGETS=()
for port in "$LAB_PORT_SIZEWINDOW" "$LAB_PORT_DOVECOT_DHE" "$LAB_PORT_EXTINTOLERANT" "$LAB_PORT_NGINX"; do
  TARGETS+=("localhost:$port")
done
tp one --format json --ca-file "$LAB_CA" --probes versions,signatures --per-host 1 "${TARGETS[@]}"
tp five --format json --ca-file "$LAB_CA" --probes versions,signatures --per-host 5 "${TARGETS[@]}"

for port in "$LAB_PORT_SIZEWINDOW" "$LAB_PORT_DOVECOT_DHE" "$LAB_PORT_EXTINTOLERANT" "$LAB_PORT_NGINX"; do
  a=$(facts one "$port") b=$(facts five "$port")
  if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != "[]" ]; then
    ok "port $port: --per-host 1 and 5 give the same versions and signatures facts"
  else
    not_ok "port $port: --per-host 1 and 5 give the same versions and signatures facts" \
      "$(oneline "$(diff <(jq . <<<"$a") <(jq . <<<"$b") | head -20)")"
  fi
done

# The counts of the sequential engine (main before the split): a version asked again after its
# task stopped does not send its task's hellos twice.
E=".endpoints[] | select(.port == $LAB_PORT_SIZEWINDOW) | .facts.versions"
assert_jq "sizewindow: 7 connections, as one version after another" "$TP_OUT" "$E.connections" '7'
assert_jq "sizewindow: SSLv3 to TLS 1.1 refused, TLS 1.2 accepted in the cut shape" "$TP_OUT" \
  "[$E.protocols[] | [.name, .accepted]]" \
  '[["SSLv2",false],["SSLv3",false],["TLSv1.0",false],["TLSv1.1",false],["TLSv1.2",true],["TLSv1.3",false]]'
E=".endpoints[] | select(.port == $LAB_PORT_DOVECOT_DHE) | .facts.versions"
assert_jq "dovecot_dhe: 20 connections, as one version after another" "$TP_OUT" "$E.connections" '20'
assert_jq "dovecot_dhe: SSLv3 walked the ladder, TLS 1.0 and 1.1 did not" "$TP_OUT" \
  "[$E.protocols[1,2,3].result]" \
  '["closed on every hello tried (7 hellos)","closed on every hello tried (5 hellos)","closed on every hello tried (5 hellos)"]'
E=".endpoints[] | select(.port == $LAB_PORT_EXTINTOLERANT) | .facts.versions"
assert_jq "extintolerant: 11 connections, as one version after another" "$TP_OUT" "$E.connections" '11'
E=".endpoints[] | select(.port == $LAB_PORT_NGINX) | .facts.signatures"
assert_jq "nginx: both signature chains complete" "$TP_OUT" "$E | [.tls12_complete, .tls13_complete]" '[true,true]'
