#!/usr/bin/env bash
# --rate N: at most N new TCP connections per second over the whole run, every thread and every
# way of connecting (probes' connects, libcurl's HTTP fetches) sharing one gate. Slots are at
# least 1/N s apart, so a run whose report counts C connections takes at least (C-1)/N seconds:
# a lower bound a correct gate guarantees, not a timing guess. And the pace changes nothing
# else: the same connections and the same facts as a run without the cap.
. "$(dirname "$0")/../lib.sh"

RATE=5
TARGETS=("localhost:$LAB_PORT_NGINX" "localhost:$LAB_PORT_TLS13" "localhost:$LAB_PORT_WEB_HSTS")
ARGS=(--format json --ca-file "$LAB_CA" --jobs 8 --probes versions,certificate,http "${TARGETS[@]}")
STRIP='del(.started_at, .finished_at) | del(.. | .duration_ms?, .ms?, .this_update?, .next_update?)'

now() { date +%s.%N; }

tp free "${ARGS[@]}"
FREE=$TP_OUT FREE_RC=$TP_RC

t0=$(now)
tp paced --rate "$RATE" "${ARGS[@]}"
t1=$(now)
assert_eq "--rate $RATE: same exit status as without it" "$FREE_RC" "$TP_RC"

C=$(jqc "$TP_OUT" '[.endpoints[].connections] | add')
if ! [[ "$C" =~ ^[0-9]+$ ]] || [ "$C" -lt 10 ]; then
  not_ok "--rate $RATE: the report counts connections" "got '$C'"
else
  ok "--rate $RATE: the report counts $C connections"
  # (C-1)/RATE seconds at least, in milliseconds.
  need_ms=$(( (C - 1) * 1000 / RATE ))
  took_ms=$(python3 -c "import sys; print(int((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$t0" "$t1")
  if [ "$took_ms" -ge "$need_ms" ]; then
    ok "--rate $RATE: $C connections took at least (C-1)/$RATE s (${took_ms} ms >= ${need_ms} ms)"
  else
    not_ok "--rate $RATE: $C connections took at least (C-1)/$RATE s" "took ${took_ms} ms < ${need_ms} ms"
  fi
fi

assert_jq "--rate $RATE: every endpoint reached" "$TP_OUT" '[.endpoints[].status] | unique' '["ok"]'
assert_jq "--rate $RATE: the http probe ran (libcurl's connections are paced too)" "$TP_OUT" \
  '[.endpoints[] | select(.target == "'"localhost:$LAB_PORT_NGINX"'") | .facts.http.status]' '["ok"]'
want=$(jq -S "$STRIP" "$FREE" 2>&1)
got=$(jq -S "$STRIP" "$TP_OUT" 2>&1)
if [ -n "$want" ] && [ "$want" == "$got" ]; then
  ok "--rate $RATE: connections and facts equal a run without it"
else
  not_ok "--rate $RATE: connections and facts equal a run without it" \
    "$(oneline "$(diff <(echo "$want") <(echo "$got") | head -n 30)")"
fi

# A rate must be a positive number.
for bad in 0 -1 x; do
  tp "bad$bad" --rate "$bad" "localhost:$LAB_PORT_TLS13"
  assert_rc "--rate $bad: usage error" 2
done
