# Lab module (sourced by tests/lab/start.sh): real servers that complete handshakes only for
# some ClientHellos, for the probes that need full handshakes (certificate, mtls, signatures;
# issue #11). Each drops the other hellos without a word (a close, no alert).
# tests/integration/handshakes_field.sh asserts exactly what tlsprobe finds on each: change
# both together. Ports: LAB_PORT_BASE + offset, exported as LAB_PORT_<NAME in capitals>.
#   dovecot_pref +160   dovecot 2.3, implicit TLS (IMAPS), TLS 1.2 only (its login processes
#                       get an OpenSSL config with MaxProtocol = TLSv1.2), Debian's default
#                       cipher list with the DHE suites first, no ssl_dh, and
#                       ssl_prefer_server_ciphers = yes: it picks a DHE suite whenever a hello
#                       offers one and then closes ("no DH parameters provided"), and it
#                       closes on every refusal; a hello offering only ECDHE suites completes
#   relay64 +161        tests/lab/hello_relay.py: closes on a ClientHello offering more than 64
#                       cipher suite codes (a load balancer's hello limit), relays every other
#                       connection to relay64_backend
#     relay64_backend +162  nginx, TLS 1.2 + 1.3, the good chain, ssl_verify_client
#                       optional_no_ca (asks for a client certificate, takes any or none)
#   relaystall +163     tests/lab/hello_relay.py --stall-after-hello: relays the ClientHello and
#                       every server byte, but nothing more from the client, so every full
#                       handshake stalls after the server's first flight
#     relaystall_backend +164  openssl s_server -www, TLS 1.2, -verify 1 (asks for a client
#                       certificate, takes any)
#   (+165..+169 are reserved for this module)

HANDSHAKES_OFFSETS=(DOVECOT_PREF:160 RELAY64:161 RELAY64_BACKEND:162 RELAYSTALL:163 RELAYSTALL_BACKEND:164)
for entry in "${HANDSHAKES_OFFSETS[@]}"; do
  printf -v "PORT_${entry%%:*}" '%s' "$((BASE + ${entry#*:}))"
done
ALL_SERVERS+=(dovecot_pref relay64 relaystall)
MODULE_STARTERS+=(handshakes_start)
{
  for entry in "${HANDSHAKES_OFFSETS[@]}"; do
    v=PORT_${entry%%:*}
    echo "export LAB_$v=${!v}"
  done
} >> "$LAB_DIR/env"

# The cipher list: mod_enum.sh's ENUM_DOVECOT_CIPHERS (Debian's default, DHE suites first).

start_dovecot_pref() {
  local d=$LAB_DIR/dovecot_pref
  mkdir -p "$d"
  # dovecot 2.3 has no maximum protocol setting; OpenSSL's system default section has one.
  cat > "$d/openssl.cnf" <<EOF
# tlsprobe lab: TLS 1.2 at most for dovecot_pref (see mod_handshakes.sh).
openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MaxProtocol = TLSv1.2
EOF
  dovecot_imaps dovecot_pref "$PORT_DOVECOT_PREF" good "import_environment = TZ OPENSSL_CONF=$d/openssl.cnf
ssl_cipher_list = $ENUM_DOVECOT_CIPHERS
ssl_prefer_server_ciphers = yes"
}

start_relay64() {
  need python3
  start_nginx relay64_backend "$PORT_RELAY64_BACKEND" '    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client optional_no_ca;'
  launch relay64 "$PORT_RELAY64" python3 "$LAB_SRC/hello_relay.py" --port "$PORT_RELAY64" \
    --backend "$PORT_RELAY64_BACKEND" --max-suites 64 --pid-file "$LAB_DIR/run/relay64-own.pid" -v
}

start_relaystall() {
  need python3
  s_server relaystall_backend "$PORT_RELAYSTALL_BACKEND" good -tls1_2 -verify 1
  launch relaystall "$PORT_RELAYSTALL" python3 "$LAB_SRC/hello_relay.py" --port "$PORT_RELAYSTALL" \
    --backend "$PORT_RELAYSTALL_BACKEND" --stall-after-hello --pid-file "$LAB_DIR/run/relaystall-own.pid" -v
}

handshakes_start() {
  case $1 in
    dovecot_pref) start_dovecot_pref ;;
    relay64)      start_relay64 ;;
    relaystall)   start_relaystall ;;
    *)            return 1 ;;
  esac
}
