# Lab module (sourced by tests/lab/start.sh): STARTTLS services for issue #5.
# Ports: ${LAB_PORT_BASE:-24400} + 70..79 and + 21..25 (scripted injection servers, XMPP).
#   exim         +70 smtp_auth:   exim4, STARTTLS, AUTH PLAIN LOGIN advertised before STARTTLS
#                +71 smtp_tlsauth: the same daemon, AUTH advertised only after STARTTLS
#                +72 smtp_notls:   the same daemon, no STARTTLS advertised
#   dovecot      +73 IMAP, +74 POP3: dovecot, STARTTLS/STLS, disable_plaintext_auth = no
#   pg_ssl_only  +75 PostgreSQL 15, ssl=on, pg_hba `hostssl` only (a plain StartupMessage is refused)
#   pg_plain_ok  +76 PostgreSQL 15, ssl=on, pg_hba `host` (plaintext accepted)
#   starttls_fake +77 IMAP with LOGINDISABLED before STARTTLS, +78 LDAP StartTLS, +79 MySQL
#                 greeting with CLIENT_SSL (tests/lab/fake_starttls.py); and on +21..+25
#                 (free offsets below the certificate module's): IMAP, LDAP, MySQL and
#                 PostgreSQL servers that send cleartext bytes right after agreeing to upgrade
#                 (STARTTLS injection), and an XMPP server (<starttls><required/>)
# Why exim and not postfix: an isolated postfix needs its own config directory with
# master.cf, a queue directory owned by postfix, and `postfix start-fg` runs only with the
# system's default config directory unless it is registered in alternate_config_directories
# of the default main.cf (a system file). exim4 runs one foreground daemon (-bdf) from any
# config file (-C), on several loopback ports, and its advertising of STARTTLS and AUTH is
# per listening port by expansion, so one daemon gives all three SMTP variants.
# Why one dovecot and a scripted IMAP server: dovecot treats every connection whose remote
# address equals its local address as secured (src/login-common/client-common.c: "localhost
# connections are always secured"), so over 127.0.0.1 it never announces LOGINDISABLED,
# whatever disable_plaintext_auth says. The LOGINDISABLED case therefore comes from the
# scripted server. LDAP and MySQL are scripted too: slapd and mariadb would each need a
# database bootstrap larger than the whole check they serve.

MAIL_PORT_BASE=${BASE:-${LAB_PORT_BASE:-24400}}   # start.sh sets BASE
PORT_SMTP_AUTH=$((MAIL_PORT_BASE + 70))
PORT_SMTP_TLSAUTH=$((MAIL_PORT_BASE + 71))
PORT_SMTP_NOTLS=$((MAIL_PORT_BASE + 72))
PORT_IMAP=$((MAIL_PORT_BASE + 73))
PORT_POP3=$((MAIL_PORT_BASE + 74))
PORT_PG_SSL_ONLY=$((MAIL_PORT_BASE + 75))
PORT_PG_PLAIN_OK=$((MAIL_PORT_BASE + 76))
PORT_IMAP_STRICT=$((MAIL_PORT_BASE + 77))
PORT_LDAP=$((MAIL_PORT_BASE + 78))
PORT_MYSQL=$((MAIL_PORT_BASE + 79))
PORT_IMAP_INJECT=$((MAIL_PORT_BASE + 21))
PORT_LDAP_INJECT=$((MAIL_PORT_BASE + 22))
PORT_MYSQL_INJECT=$((MAIL_PORT_BASE + 23))
PORT_POSTGRES_INJECT=$((MAIL_PORT_BASE + 24))
PORT_XMPP=$((MAIL_PORT_BASE + 25))
PG_BIN=${LAB_PG_BIN:-/usr/lib/postgresql/15/bin}

ALL_SERVERS+=(exim dovecot pg_ssl_only pg_plain_ok starttls_fake)
MODULE_STARTERS+=(mail_start)

cat >> "$LAB_DIR/env" <<EOF
export LAB_PORT_SMTP_AUTH=$PORT_SMTP_AUTH
export LAB_PORT_SMTP_TLSAUTH=$PORT_SMTP_TLSAUTH
export LAB_PORT_SMTP_NOTLS=$PORT_SMTP_NOTLS
export LAB_PORT_IMAP=$PORT_IMAP
export LAB_PORT_POP3=$PORT_POP3
export LAB_PORT_PG_SSL_ONLY=$PORT_PG_SSL_ONLY
export LAB_PORT_PG_PLAIN_OK=$PORT_PG_PLAIN_OK
export LAB_PORT_IMAP_STRICT=$PORT_IMAP_STRICT
export LAB_PORT_LDAP=$PORT_LDAP
export LAB_PORT_MYSQL=$PORT_MYSQL
export LAB_PORT_IMAP_INJECT=$PORT_IMAP_INJECT
export LAB_PORT_LDAP_INJECT=$PORT_LDAP_INJECT
export LAB_PORT_MYSQL_INJECT=$PORT_MYSQL_INJECT
export LAB_PORT_POSTGRES_INJECT=$PORT_POSTGRES_INJECT
export LAB_PORT_XMPP=$PORT_XMPP
EOF

# The daemons below drop to their own users (exim to Debian-exim, postgres to postgres) and
# must reach their files inside LAB_DIR, which mktemp made 0700: give others search
# permission (x, never r) on LAB_DIR and on those of its parents we own that lack it.
mail_traversable() {
  [ "$(id -u)" -eq 0 ] || return 0
  local d=$LAB_DIR
  while [ -n "$d" ] && [ "$d" != / ]; do
    if [ -O "$d" ] && [ "$(( $(stat -c %a "$d" | sed 's/^0*//; s/^$/0/') % 2 ))" -eq 0 ]; then
      chmod o+x "$d"
    fi
    d=$(dirname "$d")
  done
}

# mail_copy_key SRC DST USER: a private copy of a key or certificate the daemon's user owns
# (PostgreSQL refuses a key readable by others; exim reads it after dropping privileges).
mail_copy_key() {
  install -m 0600 "$1" "$2"
  [ "$(id -u)" -ne 0 ] || chown "$3" "$2"
}

start_exim() {
  local exim
  exim=$(command -v exim4 || command -v exim) || fail "exim4 not found (run tools/install-deps.sh)"
  local d=$LAB_DIR/exim user
  user=$(id -un)
  # As root, exim given a -C file gives up root for its own user (Debian-exim).
  [ "$(id -u)" -eq 0 ] && user=Debian-exim
  mail_traversable
  mkdir -p "$d/spool" "$d/log"
  mail_copy_key "$P/good-chain.pem" "$d/cert.pem" "$user"
  mail_copy_key "$P/good.key" "$d/key.pem" "$user"
  # $received_port picks the variant; AUTH is never usable (server_condition false).
  cat > "$d/exim.conf" <<EOF
primary_hostname = mail.lab.test
local_interfaces = 127.0.0.1
daemon_smtp_ports = $PORT_SMTP_AUTH : $PORT_SMTP_TLSAUTH : $PORT_SMTP_NOTLS
spool_directory = $d/spool
log_file_path = $d/log/exim-%slog.log
pid_file_path = $d/spool/exim.pid
keep_environment =
# No DNS, no ident: the lab talks to loopback only.
host_lookup =
helo_lookup_domains =
rfc1413_hosts =
# The probes open many short connections in bursts (children take a moment to exit);
# idle ones go quickly.
smtp_accept_max = 500
smtp_receive_timeout = 10s
tls_certificate = $d/cert.pem
tls_privatekey = $d/key.pem
# GnuTLS priority: TLS 1.2 and 1.3 only, so tests/integration/starttls.sh can assert exactly.
tls_require_ciphers = NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2
tls_advertise_hosts = \${if eq{\$received_port}{$PORT_SMTP_NOTLS}{}{*}}
auth_advertise_hosts = \${if or{{eq{\$received_port}{$PORT_SMTP_AUTH}}{def:tls_in_cipher}}{*}{}}
acl_smtp_rcpt = deny
begin authenticators
plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = false
login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = false
EOF
  [ "$(id -u)" -ne 0 ] || chown -R "$user" "$d/spool" "$d/log"
  launch exim "$PORT_SMTP_AUTH" "$exim" -bdf -C "$d/exim.conf"
  local p
  for p in "$PORT_SMTP_TLSAUTH" "$PORT_SMTP_NOTLS"; do
    listening "$p" tcp || fail "exim: not listening on $p"
  done
}

# dovecot_dir NAME LEAF: a fresh base dir $LAB_DIR/NAME for one dovecot instance, holding the
# LEAF-chain.pem / LEAF.key it serves (cert.pem, key.pem).
dovecot_dir() {
  need dovecot
  local d=$LAB_DIR/$1
  mkdir -p "$d/run" "$d/state"
  install -m 0600 "$P/$2-chain.pem" "$d/cert.pem"
  install -m 0600 "$P/$2.key" "$d/key.pem"
}

# dovecot_accounts: the dovecot.conf lines every lab instance shares: plaintext logins allowed
# (a static user that never logs in), and the users its processes run as.
dovecot_accounts() {
  local login_user=dovenull internal_user=dovecot
  if [ "$(id -u)" -ne 0 ]; then login_user=$(id -un); internal_user=$(id -un); fi
  cat <<EOF
disable_plaintext_auth = no
auth_mechanisms = plain login
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
EOF
}

# dovecot_imaps NAME PORT LEAF SSL_SETTINGS: one more dovecot, IMAPS only on PORT, serving
# LEAF-chain.pem, its own base dir and log; SSL_SETTINGS are dovecot.conf lines (cipher list,
# curves, order) that make the instance what its module needs. Used by mod_enum.sh and
# mod_groups2.sh for servers that behave as deployments do.
dovecot_imaps() {
  local name=$1 port=$2 leaf=$3 settings=$4
  local d=$LAB_DIR/$name
  dovecot_dir "$name" "$leaf"
  cat > "$d/dovecot.conf" <<EOF
# tlsprobe lab: $name, IMAPS only (tests/lab/mod_mail.sh dovecot_imaps).
base_dir = $d/run
state_dir = $d/state
instance_name = tlsprobe-lab-$name
log_path = $LAB_DIR/logs/$name-server.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <$d/cert.pem
ssl_key = <$d/key.pem
$settings
$(dovecot_accounts)
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $port
    ssl = yes
  }
}
EOF
  launch "$name" "$port" dovecot -F -c "$d/dovecot.conf"
}

start_dovecot() {
  local d=$LAB_DIR/dovecot
  dovecot_dir dovecot good
  cat > "$d/dovecot.conf" <<EOF
# tlsprobe lab: IMAP and POP3 with STARTTLS, cleartext authentication allowed.
base_dir = $d/run
state_dir = $d/state
instance_name = tlsprobe-lab
log_path = $LAB_DIR/logs/dovecot-server.log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <$d/cert.pem
ssl_key = <$d/key.pem
ssl_dh = <$P/dh-ffdhe2048.pem
$(dovecot_accounts)
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT_IMAP
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $PORT_POP3
  }
  inet_listener pop3s {
    port = 0
  }
}
EOF
  launch dovecot "$PORT_IMAP" dovecot -F -c "$d/dovecot.conf"
  local tries=$((STARTUP_WAIT_S * 10))
  until listening "$PORT_POP3" tcp; do
    tries=$((tries - 1)); [ "$tries" -gt 0 ] || fail "dovecot: not listening on $PORT_POP3"
    sleep 0.1
  done
}

# start_pg NAME PORT HBA_LINE
start_pg() {
  local name=$1 port=$2 hba=$3
  [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/postgres" ] || fail "$name: $PG_BIN/initdb not found (run tools/install-deps.sh)"
  local d=$LAB_DIR/$name user run=()
  user=$(id -un)
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root: its own user when the package made one, else nobody.
    user=postgres
    getent passwd postgres >/dev/null || user=nobody
    run=(setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups --)
  fi
  mail_traversable
  rm -rf "$d/data"   # a restart in the same lab starts from a fresh cluster
  mkdir -p "$d"
  [ "$(id -u)" -ne 0 ] || chown "$user" "$d"
  "${run[@]}" "$PG_BIN/initdb" -D "$d/data" -U postgres -A trust -E UTF8 --no-sync \
    >"$LAB_DIR/logs/$name-initdb.log" 2>&1 || fail "$name: initdb failed: $(tail -n 5 "$LAB_DIR/logs/$name-initdb.log")"
  mail_copy_key "$P/good-chain.pem" "$d/data/server.crt" "$user"
  mail_copy_key "$P/good.key" "$d/data/server.key" "$user"
  cat >> "$d/data/postgresql.conf" <<EOF
# tlsprobe lab
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$d'
ssl = on
ssl_cert_file = '$d/data/server.crt'
ssl_key_file = '$d/data/server.key'
logging_collector = off
EOF
  printf '# tlsprobe lab: TCP from loopback only, as %s\n%s\n' "$name" "$hba" > "$d/data/pg_hba.conf"
  launch "$name" "$port" "${run[@]}" "$PG_BIN/postgres" -D "$d/data"
}

start_starttls_fake() {
  need python3
  launch starttls_fake "$PORT_IMAP_STRICT" python3 "$LAB_SRC/fake_starttls.py" \
    --cert "$P/good-chain.pem" --key "$P/good.key" \
    --listen "imap_strict:$PORT_IMAP_STRICT" --listen "ldap:$PORT_LDAP" --listen "mysql:$PORT_MYSQL" \
    --listen "imap_inject:$PORT_IMAP_INJECT" --listen "ldap_inject:$PORT_LDAP_INJECT" \
    --listen "mysql_inject:$PORT_MYSQL_INJECT" --listen "postgres_inject:$PORT_POSTGRES_INJECT" \
    --listen "xmpp:$PORT_XMPP"
  local p tries=$((STARTUP_WAIT_S * 10))
  for p in "$PORT_LDAP" "$PORT_MYSQL" "$PORT_IMAP_INJECT" "$PORT_LDAP_INJECT" "$PORT_MYSQL_INJECT" \
    "$PORT_POSTGRES_INJECT" "$PORT_XMPP"; do
    until listening "$p" tcp; do
      tries=$((tries - 1)); [ "$tries" -gt 0 ] || fail "starttls_fake: not listening on $p"
      sleep 0.1
    done
  done
}

mail_start() {
  case $1 in
    exim)          start_exim ;;
    dovecot)       start_dovecot ;;
    pg_ssl_only)   start_pg pg_ssl_only "$PORT_PG_SSL_ONLY" 'hostssl all all 127.0.0.1/32 trust' ;;
    pg_plain_ok)   start_pg pg_plain_ok "$PORT_PG_PLAIN_OK" 'host all all 127.0.0.1/32 trust' ;;
    starttls_fake) start_starttls_fake ;;
    *)             return 1 ;;
  esac
}
