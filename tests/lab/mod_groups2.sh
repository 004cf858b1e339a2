# Lab module (sourced by tests/lab/start.sh): the groups probe on servers that close instead of
# refusing (issue #11): a suite closed on when picked, groups closed on or hung on when picked,
# and a real dovecot with an ECDSA certificate and its own curve order. Ports: LAB_PORT_BASE +
# offset, exported as LAB_PORT_<NAME in capitals>.
#   grp_poison +170        fake_server.py suites mode, TLS 1.2, server order 0xC030 0xC02F
#                          0x009C, closes without an alert when it picks 0xC030 (listed, not
#                          servable): a hello offering every ECDHE suite is closed on
#   grp13_closer +171      fake_tls13.py: TLS 1.3 groups secp521r1, x448, x25519, ffdhe2048 in
#                          its own order; closes when it picks x448, answers nothing when it
#                          picks ffdhe2048, closes instead of refusing
#   grp13_closer_client +172  fake_tls13.py: TLS 1.3 groups x25519, secp384r1, x448,
#                          secp256r1, the client's order; closes when it picks x448 and instead
#                          of refusing
#   dovecot_ecdsa +173     dovecot 2.3, implicit TLS (IMAPS), the ECDSA P-256 leaf + intermediate,
#                          ssl_curve_list P-384:P-256:P-521, ssl_prefer_server_ciphers = yes:
#                          its own curve order, the certificate's curve needed, and (OpenSSL
#                          under dovecot) a close on every refusal
#   (+174..+179 are reserved for this module)
# tests/integration/groups_field.sh asserts exactly what these accept: change both together.

GROUPS2_OFFSETS=(GRP_POISON:170 GRP13_CLOSER:171 GRP13_CLOSER_CLIENT:172 DOVECOT_ECDSA:173)
for entry in "${GROUPS2_OFFSETS[@]}"; do
  printf -v "PORT_${entry%%:*}" '%s' "$((BASE + ${entry#*:}))"
done
ALL_SERVERS+=(grp_poison grp13_closer grp13_closer_client dovecot_ecdsa)
MODULE_STARTERS+=(groups2_start)
{
  for entry in "${GROUPS2_OFFSETS[@]}"; do
    v=PORT_${entry%%:*}
    echo "export LAB_$v=${!v}"
  done
} >> "$LAB_DIR/env"

start_dovecot_ecdsa() {
  dovecot_imaps dovecot_ecdsa "$PORT_DOVECOT_ECDSA" ecdsa "ssl_curve_list = P-384:P-256:P-521
ssl_prefer_server_ciphers = yes"
}

# fake_tls13 NAME PORT OPTS...: --pid-file names the lab dir, so tests/lab/stop.sh knows the
# process as this lab's.
groups2_tls13() {
  need python3
  launch "$1" "$2" python3 "$LAB_SRC/fake_tls13.py" --port "$2" --pid-file "$LAB_DIR/run/$1-own.pid" -v "${@:3}"
}

groups2_start() {
  case $1 in
    grp_poison)   start_suites grp_poison "$PORT_GRP_POISON" --version 0x0303 --server-order \
                    --suites 0xC030,0xC02F,0x009C --closes-on 0xC030 ;;
    grp13_closer) groups2_tls13 grp13_closer "$PORT_GRP13_CLOSER" --groups 0x0019,0x001E,0x001D,0x0100 \
                    --closes-on 0x001E --hangs-on 0x0100 --close-on-refusal ;;
    grp13_closer_client) groups2_tls13 grp13_closer_client "$PORT_GRP13_CLOSER_CLIENT" --client-order \
                    --groups 0x001D,0x0018,0x001E,0x0017 --closes-on 0x001E --close-on-refusal ;;
    dovecot_ecdsa) start_dovecot_ecdsa ;;
    *)            return 1 ;;
  esac
}
