# Lab module (sourced by tests/lab/start.sh): real Debian servers for the STARTTLS protocols
# mod_mail.sh covers only with scripted responders (LDAP, MySQL) or not at all (FTP), issue #5.
# Ports: ${LAB_PORT_BASE:-24400} + 96..99.
#   slapd          +96 OpenLDAP slapd, StartTLS (GnuTLS, TLS 1.2 + 1.3), no database (RootDSE only)
#   vsftpd         +97 vsftpd, explicit FTPS (AUTH TLS), TLS 1.2 + 1.3
#   mariadb        +98 MariaDB, TLS 1.2 + 1.3, require_secure_transport=ON
#   mariadb_plain  +99 MariaDB, TLS 1.2 + 1.3, require_secure_transport=OFF (plaintext login works)
# All run in the foreground with every file in $LAB_DIR/NAME, named on their command line
# (tests/lab/stop.sh only signals processes whose command line mentions $LAB_DIR).
# Each serves the good leaf with the intermediate (good-chain.pem).

MAIL2_PORT_BASE=${BASE:-${LAB_PORT_BASE:-24400}}   # start.sh sets BASE
PORT_SLAPD=$((MAIL2_PORT_BASE + 96))
PORT_VSFTPD=$((MAIL2_PORT_BASE + 97))
PORT_MARIADB=$((MAIL2_PORT_BASE + 98))
PORT_MARIADB_PLAIN=$((MAIL2_PORT_BASE + 99))

ALL_SERVERS+=(slapd vsftpd mariadb mariadb_plain)
MODULE_STARTERS+=(mail2_start)

cat >> "$LAB_DIR/env" <<EOF
export LAB_PORT_SLAPD=$PORT_SLAPD
export LAB_PORT_VSFTPD=$PORT_VSFTPD
export LAB_PORT_MARIADB=$PORT_MARIADB
export LAB_PORT_MARIADB_PLAIN=$PORT_MARIADB_PLAIN
EOF

# mail2_dir NAME USER: a fresh $LAB_DIR/NAME that USER (the daemon's, after it drops root)
# owns, with LAB_DIR and our parents searchable by it (mktemp made LAB_DIR 0700).
mail2_dir() {
  local d=$LAB_DIR/$1 p
  rm -rf "$d"
  mkdir -p "$d"
  if [ "$(id -u)" -eq 0 ]; then
    p=$LAB_DIR
    while [ -n "$p" ] && [ "$p" != / ]; do
      [ -O "$p" ] && chmod o+x "$p"
      p=$(dirname "$p")
    done
    chown "$2" "$d"
  fi
}

# mail2_copy SRC DST USER: a private copy of a key or certificate, readable by USER only.
mail2_copy() {
  install -m 0600 "$1" "$2"
  [ "$(id -u)" -ne 0 ] || chown "$3" "$2"
}

start_slapd() {
  local slapd=/usr/sbin/slapd
  [ -x "$slapd" ] || slapd=$(command -v slapd) || fail "slapd not found (run tools/install-deps.sh)"
  local d=$LAB_DIR/slapd user=() owner
  owner=$(id -un)
  if [ "$(id -u)" -eq 0 ] && getent passwd openldap >/dev/null; then
    owner=openldap
    user=(-u openldap -g openldap)
  fi
  mail2_dir slapd "$owner"
  mail2_copy "$P/good-chain.pem" "$d/cert.pem" "$owner"
  mail2_copy "$P/good.key" "$d/key.pem" "$owner"
  mail2_copy "$LAB_DIR/ca.pem" "$d/ca.pem" "$owner"
  # No database: the RootDSE (supportedExtension: StartTLS) and the StartTLS extended
  # operation are all the probe uses. Debian's slapd is built with GnuTLS, so the cipher
  # suite is a GnuTLS priority string: TLS 1.2 and 1.3 only, so the test can assert exactly.
  cat > "$d/slapd.conf" <<EOF
# tlsprobe lab: slapd with StartTLS, no database
pidfile $d/slapd.pid
argsfile $d/slapd.args
TLSCertificateFile $d/cert.pem
TLSCertificateKeyFile $d/key.pem
TLSCACertificateFile $d/ca.pem
TLSCipherSuite NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2
EOF
  [ "$(id -u)" -ne 0 ] || chown "$owner" "$d/slapd.conf"
  launch slapd "$PORT_SLAPD" "$slapd" -d 0 "${user[@]}" -f "$d/slapd.conf" -h "ldap://127.0.0.1:$PORT_SLAPD/"
}

start_vsftpd() {
  local vsftpd=/usr/sbin/vsftpd
  [ -x "$vsftpd" ] || vsftpd=$(command -v vsftpd) || fail "vsftpd not found (run tools/install-deps.sh)"
  local d=$LAB_DIR/vsftpd privsep
  mail2_dir vsftpd root
  mkdir -p "$d/empty"
  chmod 0555 "$d/empty"
  mail2_copy "$P/good-chain.pem" "$d/cert.pem" root
  mail2_copy "$P/good.key" "$d/key.pem" root
  # As root its session helpers chroot to an empty directory as nobody; otherwise it must
  # be told to run as whoever started it.
  if [ "$(id -u)" -eq 0 ]; then
    privsep="secure_chroot_dir=$d/empty
nopriv_user=nobody"
  else
    privsep=run_as_launching_user=YES
  fi
  # Local logins only (one of local/anonymous must be on), and only over TLS; nobody logs in
  # anyway. ssl_tlsv1=YES: vsftpd 3.0.3 lists "AUTH TLS" in FEAT only with it (with NO,
  # AUTH TLS still works but FEAT hides it). TLS 1.0/1.1 stay off because ssl_ciphers names
  # AEAD suites only, which exist in TLS 1.2 alone (TLS 1.3's are separate); vsftpd's own
  # default is DES-CBC3-SHA alone. The lab's empty openssl.cnf keeps the system policy out.
  cat > "$d/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$PORT_VSFTPD
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=NO
pam_service_name=vsftpd
$privsep
xferlog_enable=NO
vsftpd_log_file=$LAB_DIR/logs/vsftpd-server.log
ssl_enable=YES
rsa_cert_file=$d/cert.pem
rsa_private_key_file=$d/key.pem
ssl_tlsv1=YES
ssl_sslv2=NO
ssl_sslv3=NO
ssl_ciphers=ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305
force_local_logins_ssl=YES
force_local_data_ssl=YES
EOF
  chmod 0600 "$d/vsftpd.conf"
  OPENSSL_CONF=$LAB_DIR/openssl.cnf launch vsftpd "$PORT_VSFTPD" "$vsftpd" "$d/vsftpd.conf"
}

# start_mariadb NAME PORT REQUIRE_SECURE_TRANSPORT(ON|OFF)
start_mariadb() {
  local name=$1 port=$2 secure=$3
  local mariadbd=/usr/sbin/mariadbd
  [ -x "$mariadbd" ] || mariadbd=$(command -v mariadbd) || fail "$name: mariadbd not found (run tools/install-deps.sh)"
  command -v mariadb-install-db >/dev/null || fail "$name: mariadb-install-db not found (run tools/install-deps.sh)"
  local d=$LAB_DIR/$name user
  user=$(id -un)
  if [ "$(id -u)" -eq 0 ]; then
    user=mysql
    getent passwd mysql >/dev/null || user=nobody
  fi
  mail2_dir "$name" "$user"
  mail2_copy "$P/good-chain.pem" "$d/cert.pem" "$user"
  mail2_copy "$P/good.key" "$d/key.pem" "$user"
  # --no-defaults everywhere: /etc/mysql's files must not leak in (they name system paths).
  local opts=(--no-defaults "--datadir=$d/data" "--user=$user")
  mariadb-install-db "${opts[@]}" --skip-test-db --auth-root-authentication-method=socket \
    >"$LAB_DIR/logs/$name-install.log" 2>&1 ||
    fail "$name: mariadb-install-db failed: $(tail -n 5 "$LAB_DIR/logs/$name-install.log")"
  # The probe's cleartext login is user tlsprobe with no password: that account exists (for
  # 127.0.0.1 only), so what the server answers is its transport policy, not "no such user".
  echo "CREATE USER IF NOT EXISTS 'tlsprobe'@'127.0.0.1';" > "$d/init.sql"
  [ "$(id -u)" -ne 0 ] || chown "$user" "$d/init.sql"
  # Its error log goes in $d: the server's user cannot write to $LAB_DIR/logs.
  launch "$name" "$port" "$mariadbd" "${opts[@]}" --bind-address=127.0.0.1 "--port=$port" \
    "--socket=$d/mysqld.sock" "--pid-file=$d/mysqld.pid" "--log-error=$d/server.log" \
    "--init-file=$d/init.sql" \
    --skip-log-bin --innodb-buffer-pool-size=16M --skip-name-resolve \
    "--ssl-cert=$d/cert.pem" "--ssl-key=$d/key.pem" --tls-version=TLSv1.2,TLSv1.3 \
    "--require-secure-transport=$secure"
}

mail2_start() {
  case $1 in
    slapd)         start_slapd ;;
    vsftpd)        start_vsftpd ;;
    mariadb)       start_mariadb mariadb "$PORT_MARIADB" ON ;;
    mariadb_plain) start_mariadb mariadb_plain "$PORT_MARIADB_PLAIN" OFF ;;
    *)             return 1 ;;
  esac
}
