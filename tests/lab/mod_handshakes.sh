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
#   (+163..+169 are reserved for this module)

HANDSHAKES_OFFSETS=(DOVECOT_PREF:160 RELAY64:161 RELAY64_BACKEND:162)
for entry in "${HANDSHAKES_OFFSETS[@]}"; do
  printf -v "PORT_${entry%%:*}" '%s' "$((BASE + ${entry#*:}))"
done
ALL_SERVERS+=(dovecot_pref relay64)
MODULE_STARTERS+=(handshakes_start)
{
  for entry in "${HANDSHAKES_OFFSETS[@]}"; do
    v=PORT_${entry%%:*}
    echo "export LAB_$v=${!v}"
  done
} >> "$LAB_DIR/env"

# Debian 12's dovecot default (doveconf -d ssl_cipher_list) with the DHE suites first.
HANDSHAKES_DOVECOT_CIPHERS='DHE:ALL:!kRSA:!SRP:!kDHd:!DSS:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!MD5:!PSK:!RC4:!ADH:!LOW'

start_dovecot_pref() {
  need dovecot
  local d=$LAB_DIR/dovecot_pref login_user=dovenull internal_user=dovecot
  if [ "$(id -u)" -ne 0 ]; then login_user=$(id -un); internal_user=$(id -un); fi
  mkdir -p "$d/run" "$d/state"
  install -m 0600 "$P/good-chain.pem" "$d/cert.pem"
  install -m 0600 "$P/good.key" "$d/key.pem"
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
  cat > "$d/dovecot.conf" <<EOF
# tlsprobe lab: IMAPS, TLS 1.2, server order with DHE suites first and no DH parameters.
base_dir = $d/run
state_dir = $d/state
instance_name = tlsprobe-lab-pref
log_path = $LAB_DIR/logs/dovecot_pref-server.log
import_environment = TZ OPENSSL_CONF=$d/openssl.cnf
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <$d/cert.pem
ssl_key = <$d/key.pem
ssl_cipher_list = $HANDSHAKES_DOVECOT_CIPHERS
ssl_prefer_server_ciphers = yes
disable_plaintext_auth = no
auth_mechanisms = plain
passdb {
  driver = static
  args = password=lab-secret-unused
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=/nonexistent
}
mail_location = mbox:/nonexistent
default_login_user = $login_user
default_internal_user = $internal_user
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $PORT_DOVECOT_PREF
    ssl = yes
  }
}
EOF
  launch dovecot_pref "$PORT_DOVECOT_PREF" dovecot -F -c "$d/dovecot.conf"
}

start_relay64() {
  need python3
  start_nginx relay64_backend "$PORT_RELAY64_BACKEND" '    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client optional_no_ca;'
  launch relay64 "$PORT_RELAY64" python3 "$LAB_SRC/hello_relay.py" --port "$PORT_RELAY64" \
    --backend "$PORT_RELAY64_BACKEND" --max-suites 64 --pid-file "$LAB_DIR/run/relay64-own.pid" -v
}

handshakes_start() {
  case $1 in
    dovecot_pref) start_dovecot_pref ;;
    relay64)      start_relay64 ;;
    *)            return 1 ;;
  esac
}
