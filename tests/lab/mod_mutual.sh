# Lab module (sourced by tests/lab/start.sh): servers that behave as real deployments do for
# client certificates, STARTTLS capability lists and AIA (issue #11).
# Ports: LAB_PORT_BASE + offset, exported as LAB_PORT_<NAME in capitals>.
#   mutual_silent13 +130  openssl s_server -verify 1 (asks for a client certificate, takes any,
#                         even none), TLS 1.3 only, no -www: after the handshake it sends
#                         nothing (stdin is a FIFO that never ends, so it waits for input)
#   mutual_silent12 +131  the same, TLS 1.2 only
#   mutual_reject13 +132  s_server -Verify 1 -verify_return_error -CAfile lab root, TLS 1.3 only,
#                         silent the same way: refuses a missing or untrusted certificate with an
#                         alert right after the handshake, takes one the lab root issued
#   mutual_reject12 +133  the same, TLS 1.2 only (refuses inside the handshake)
#   mutual_starttls       tests/lab/fake_starttls.py, one process, the good chain, TLS 1.2 with
#                         exactly ECDHE-RSA-AES128-GCM-SHA256 and ECDHE-RSA-AES256-GCM-SHA384
#                         (and OpenSSL's three TLS 1.3 suites), on:
#                   +134  smtp_longehlo: EHLO lists 70 extensions, STARTTLS last
#                   +135  imap_longcap: a 4.3 KiB CAPABILITY line, STARTTLS near its end
#                   +136  smtp_endless: an EHLO reply that never ends (64 KiB, no last line)
#   aia_404 +137          s_server serving a leaf alone (issued by the lab intermediate, P-256)
#                         whose AIA caIssuers URL is $LAB_HTTP_URL/missing-int.der: the lab's
#                         http server (mod_cert.sh) answers it 404
#   mutual_closes13 +138  s_server -verify 1 -quiet, TLS 1.3, stdin at EOF: it completes each
#                         handshake and at once closes with close_notify (no refusing alert)
#   mutual_noca403 +139   nginx, TLS 1.2 + 1.3, ssl_verify_client optional_no_ca (asks for a
#                         client certificate, checks none) and `return 403` for every request:
#                         a refusal that says nothing about the certificate
# Files: $LAB_DIR/mutual/ (the FIFO, the aia_404 leaf and key).

MUTUAL_PORT_OFFSETS=(MUTUAL_SILENT13:130 MUTUAL_SILENT12:131 MUTUAL_REJECT13:132 MUTUAL_REJECT12:133
  SMTP_LONGEHLO:134 IMAP_LONGCAP:135 SMTP_ENDLESS:136 AIA_404:137 MUTUAL_CLOSES13:138 MUTUAL_NOCA403:139)
for entry in "${MUTUAL_PORT_OFFSETS[@]}"; do
  printf -v "PORT_${entry%%:*}" '%s' "$((BASE + ${entry#*:}))"
done
ALL_SERVERS+=(mutual_silent13 mutual_silent12 mutual_reject13 mutual_reject12 mutual_closes13 mutual_starttls
              aia_404 mutual_noca403)
MODULE_STARTERS+=(mutual_start)
MUTUAL_DIR=$LAB_DIR/mutual
MUTUAL_TLS12_CIPHERS=ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384

{
  for entry in "${MUTUAL_PORT_OFFSETS[@]}"; do
    v=PORT_${entry%%:*}
    echo "export LAB_$v=${!v}"
  done
  echo "export LAB_AIA_404_URL=http://127.0.0.1:$((BASE + 60))/missing-int.der"
} >> "$LAB_DIR/env"

# mutual_silent NAME PORT OPTS...: s_server without -www, reading its stdin from a FIFO opened
# read-write, so input never comes and never ends: after the handshake it says nothing until
# the client closes. (With stdin at EOF it would close each connection at once.)
mutual_silent() {
  local name=$1 port=$2; shift 2
  need openssl
  mkdir -p "$MUTUAL_DIR"
  [ -p "$MUTUAL_DIR/stdin.fifo" ] || mkfifo "$MUTUAL_DIR/stdin.fifo"
  # exec: the pid launch records is s_server's own (its command line names LAB_DIR).
  OPENSSL_CONF=$LAB_DIR/openssl.cnf launch "$name" "$port" bash -c 'exec "$@" <>"$0"' "$MUTUAL_DIR/stdin.fifo" \
    openssl s_server -accept "127.0.0.1:$port" -quiet -cert "$P/good.pem" -key "$P/good.key" \
    -cert_chain "$P/intermediate.pem" "$@"
}

mutual_starttls() {
  need python3
  OPENSSL_CONF=$LAB_DIR/openssl.cnf launch mutual_starttls "$PORT_SMTP_LONGEHLO" python3 "$LAB_SRC/fake_starttls.py" \
    --cert "$P/good-chain.pem" --key "$P/good.key" --tls12-ciphers "$MUTUAL_TLS12_CIPHERS" \
    --listen "smtp_longehlo:$PORT_SMTP_LONGEHLO" --listen "imap_longcap:$PORT_IMAP_LONGCAP" \
    --listen "smtp_endless:$PORT_SMTP_ENDLESS"
  local p tries=$((STARTUP_WAIT_S * 10))
  for p in "$PORT_IMAP_LONGCAP" "$PORT_SMTP_ENDLESS"; do
    until listening "$p" tcp; do
      tries=$((tries - 1)); [ "$tries" -gt 0 ] || fail "mutual_starttls: not listening on $p"
      sleep 0.1
    done
  done
}

# A leaf like good (P-256 for speed) whose caIssuers URL leads to a 404.
mutual_aia_404() {
  need openssl
  local d=$MUTUAL_DIR log=$LAB_DIR/logs/aia_404-pki.log
  mkdir -p "$d"
  cat > "$d/aia404.cnf" <<EOF
[ ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:localhost, IP:127.0.0.1
authorityInfoAccess    = caIssuers;URI:http://127.0.0.1:$((BASE + 60))/missing-int.der
EOF
  { OPENSSL_CONF=/dev/null openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/aia404.key" &&
    OPENSSL_CONF=/dev/null openssl req -new -key "$d/aia404.key" -subj "/O=tlsprobe lab/CN=localhost" \
      -out "$d/aia404.csr" &&
    OPENSSL_CONF=/dev/null openssl x509 -req -in "$d/aia404.csr" -CA "$P/intermediate.pem" \
      -CAkey "$P/intermediate.key" -set_serial 0x4a1a404 -days 30 -sha256 -extfile "$d/aia404.cnf" \
      -extensions ext -out "$d/aia404.pem"; } >"$log" 2>&1 || fail "aia_404: making its leaf failed: $(cat "$log")"
  OPENSSL_CONF=$LAB_DIR/openssl.cnf launch aia_404 "$PORT_AIA_404" openssl s_server -accept "127.0.0.1:$PORT_AIA_404" \
    -www -cert "$d/aia404.pem" -key "$d/aia404.key" -min_protocol TLSv1.2
}

# tests/integration/field_certmtls.sh asserts exactly what these do.
mutual_start() {
  case $1 in
    mutual_silent13) mutual_silent mutual_silent13 "$PORT_MUTUAL_SILENT13" -verify 1 -tls1_3 ;;
    mutual_silent12) mutual_silent mutual_silent12 "$PORT_MUTUAL_SILENT12" -verify 1 -tls1_2 ;;
    mutual_reject13) mutual_silent mutual_reject13 "$PORT_MUTUAL_REJECT13" -Verify 1 -verify_return_error \
                       -CAfile "$LAB_DIR/ca.pem" -tls1_3 ;;
    mutual_reject12) mutual_silent mutual_reject12 "$PORT_MUTUAL_REJECT12" -Verify 1 -verify_return_error \
                       -CAfile "$LAB_DIR/ca.pem" -tls1_2 ;;
    # Not silent: launch's stdin is /dev/null, and at its EOF s_server ends each connection.
    mutual_closes13) OPENSSL_CONF=$LAB_DIR/openssl.cnf launch mutual_closes13 "$PORT_MUTUAL_CLOSES13" \
                       openssl s_server -accept "127.0.0.1:$PORT_MUTUAL_CLOSES13" -quiet -cert "$P/good.pem" \
                       -key "$P/good.key" -cert_chain "$P/intermediate.pem" -verify 1 -tls1_3 ;;
    mutual_starttls) mutual_starttls ;;
    aia_404)         mutual_aia_404 ;;
    mutual_noca403)  start_nginx mutual_noca403 "$PORT_MUTUAL_NOCA403" '    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client optional_no_ca;
    location = / { return 403; }' ;;
    *)               return 1 ;;
  esac
}
