# Lab module (sourced by tests/lab/start.sh): servers that misbehave on some ClientHellos the
# way deployed servers do (issue #11, "Enumeration on servers that misbehave"). Each closes the
# connection without an alert on some hellos; tests/integration/enum_field.sh asserts exactly
# what tlsprobe finds on each, change both together. Ports: LAB_PORT_BASE + offset, exported
# as LAB_PORT_<NAME in capitals>. Every server serves the good leaf.
#   dovecot_dhe +100    dovecot 2.3, implicit TLS (IMAPS), Debian's default ssl_cipher_list with
#                       the DHE suites moved first, no ssl_dh, ssl_prefer_server_ciphers = no
#                       (Debian's default): it lists DHE suites it cannot serve and closes
#                       whenever a hello's first acceptable suite is one of them, and it closes
#                       on every refusal too (no alert ever leaves it; its log says "no DH
#                       parameters provided" and "SSL_accept() failed")
#   poison +101         fake_server.py suites mode, TLS 1.2, server order, lists two DHE suites
#                       first that it closes on when picked (--closes-on), alerts otherwise
#   limit128 +102       fake_server.py, TLS 1.2, only TLS_RSA_WITH_CAMELLIA_256_CBC_SHA and
#                       TLS_RSA_WITH_AES_128_GCM_SHA256; closes on hellos with more than 128
#                       cipher suite codes
#   limit64 +103        the same with a 64-code limit
#   sizewindow +104     fake_server.py, TLS 1.2, closes on hellos whose record payload is
#                       256..511 bytes (the F5 load-balancer bug)
#   extintolerant +105  fake_server.py, TLS 1.2, closes on hellos carrying an extension type
#                       other than server_name, supported_groups, ec_point_formats,
#                       signature_algorithms, session_ticket, renegotiation_info (padding and
#                       every TLS 1.3 extension count as unknown)
#   closerefusal +106   fake_server.py, TLS 1.2, server order, a suite it closes on when picked
#                       first, and closes on refusals too (no alert ever): what cannot be told
#                       apart must be reported undecided, never refused
#   hangpick +107       fake_server.py, TLS 1.2, server order 0xC030 0xC02F 0x009C; when it picks
#                       0xC02F it answers nothing (a timeout is never a refusal either)
#   (+108..+119 are reserved for this module)
#   Suites split across hellos after a close (the server's order must be proven, never assumed
#   from picks of different hellos); fake_server.py, TLS 1.2, closes without an alert when it
#   picks TLS_DHE_RSA_WITH_AES_128_CBC_SHA (0x0033), alerts on refusals:
#   splitorder +180         server order 0x0033 0x009C 0xC013 0x0005 (the close on its favourite)
#   splitorder_client +181  the same suites, client's order
#   splitorder_mid +182     server order 0x009C 0x0033 0xC013 0x0005
#   splitorder_last +183    server order 0x009C 0xC013 0x0005 0x0033
#   Versions whose every full hello is closed (the server picks a suite it cannot serve):
#   dhersa +184             TLS 1.2, server order 0x009F 0x0033 0x009C 0x002F, closes when it
#                           picks either DHE suite; no ECDHE suite
#   dheonly10 +185          TLS 1.0 only, server order 0x0033 0x0039 (both DHE), closes when it
#                           picks 0x0033
#   dhebudget +186          TLS 1.0 only, server order: seven DHE suites it closes on, then
#                           0x0039 last, spread so that every part the split budget reaches
#                           holds one of the seven: the version is left unknown, never refused
#   (+187..+189 are reserved for this module)

ENUM_OFFSETS=(DOVECOT_DHE:100 POISON:101 LIMIT128:102 LIMIT64:103 SIZEWINDOW:104 EXTINTOLERANT:105
  CLOSEREFUSAL:106 HANGPICK:107 SPLITORDER:180 SPLITORDER_CLIENT:181 SPLITORDER_MID:182
  SPLITORDER_LAST:183 DHERSA:184 DHEONLY10:185 DHEBUDGET:186)
for entry in "${ENUM_OFFSETS[@]}"; do
  printf -v "PORT_${entry%%:*}" '%s' "$((BASE + ${entry#*:}))"
done
ALL_SERVERS+=(dovecot_dhe poison limit128 limit64 sizewindow extintolerant closerefusal hangpick
  splitorder splitorder_client splitorder_mid splitorder_last dhersa dheonly10 dhebudget)
MODULE_STARTERS+=(enum_start)
{
  for entry in "${ENUM_OFFSETS[@]}"; do
    v=PORT_${entry%%:*}
    echo "export LAB_$v=${!v}"
  done
} >> "$LAB_DIR/env"

# Debian 12's dovecot default (doveconf -d ssl_cipher_list) with the DHE suites first.
ENUM_DOVECOT_CIPHERS='DHE:ALL:!kRSA:!SRP:!kDHd:!DSS:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!MD5:!PSK:!RC4:!ADH:!LOW'

start_dovecot_dhe() {
  dovecot_imaps dovecot_dhe "$PORT_DOVECOT_DHE" good "ssl_cipher_list = $ENUM_DOVECOT_CIPHERS
ssl_prefer_server_ciphers = no"
}

# dhebudget's DHE suites that it closes on: one in each pair of tlsprobe's order of the TLS 1.0
# DHE suites offered with 0x0039.
ENUM_DHEBUDGET_BAD=0x0038,0x0032,0x0087,0x0013,0x0044,0x0099,0x0012

# The scripted servers: TLS 1.2 (unless told otherwise), the good leaf, each reason to close
# logged (-v).
enum_fake() {
  start_suites "$1" "$2" --version 0x0303 "${@:3}"
}

# The splitorder servers: these four suites, closes when it picks 0x0033.
enum_splitorder() {
  enum_fake "$1" "$2" --suites "$3" --closes-on 0x0033 "${@:4}"
}

enum_start() {
  case $1 in
    dovecot_dhe)   start_dovecot_dhe ;;
    poison)        enum_fake poison "$PORT_POISON" --server-order \
                     --suites 0x009F,0x0033,0xC030,0xC013,0x009C,0x002F --closes-on 0x009F,0x0033 ;;
    limit128)      enum_fake limit128 "$PORT_LIMIT128" --max-suites 128 --suites 0x0084,0x009C ;;
    limit64)       enum_fake limit64 "$PORT_LIMIT64" --max-suites 64 --suites 0x0084,0x009C ;;
    sizewindow)    enum_fake sizewindow "$PORT_SIZEWINDOW" --server-order --drop-sizes 256-511 \
                     --suites 0xC02F,0xC013,0x009C,0x002F ;;
    extintolerant) enum_fake extintolerant "$PORT_EXTINTOLERANT" --server-order \
                     --known-extensions 0,10,11,13,35,65281 --suites 0xC02F,0xC013,0x009C ;;
    closerefusal)  enum_fake closerefusal "$PORT_CLOSEREFUSAL" --server-order --close-on-refusal \
                     --suites 0x0033,0xC02F,0x009C --closes-on 0x0033 ;;
    hangpick)      enum_fake hangpick "$PORT_HANGPICK" --server-order \
                     --suites 0xC030,0xC02F,0x009C --hangs-on 0xC02F ;;
    splitorder)    enum_splitorder splitorder "$PORT_SPLITORDER" 0x0033,0x009C,0xC013,0x0005 --server-order ;;
    splitorder_client) enum_splitorder splitorder_client "$PORT_SPLITORDER_CLIENT" 0x0033,0x009C,0xC013,0x0005 ;;
    splitorder_mid) enum_splitorder splitorder_mid "$PORT_SPLITORDER_MID" 0x009C,0x0033,0xC013,0x0005 --server-order ;;
    splitorder_last) enum_splitorder splitorder_last "$PORT_SPLITORDER_LAST" 0x009C,0xC013,0x0005,0x0033 --server-order ;;
    dhersa)        enum_fake dhersa "$PORT_DHERSA" --server-order \
                     --suites 0x009F,0x0033,0x009C,0x002F --closes-on 0x009F,0x0033 ;;
    dheonly10)     enum_fake dheonly10 "$PORT_DHEONLY10" --version 0x0301 --server-order \
                     --suites 0x0033,0x0039 --closes-on 0x0033 ;;
    dhebudget)     enum_fake dhebudget "$PORT_DHEBUDGET" --version 0x0301 --server-order \
                     --suites "$ENUM_DHEBUDGET_BAD,0x0039" --closes-on "$ENUM_DHEBUDGET_BAD" ;;
    *)             return 1 ;;
  esac
}
