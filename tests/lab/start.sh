#!/usr/bin/env bash
# Starts the lab servers on 127.0.0.1 and writes $LAB_DIR/env, which tests source. Makes the
# PKI first if $LAB_DIR has none (or one made for another LAB_PORT_BASE: its URLs name ports).
# Usage: [LAB_PORT_BASE=N] LAB_DIR=DIR tests/lab/start.sh [NAME...]     (default: every server)
# Ports: LAB_PORT_BASE (default 24400) + a fixed offset; the lab uses BASE..BASE+199, so two
# labs with bases 200 apart can run at once. Exported to tests as LAB_PORT_<NAME in capitals>.
# Names and offsets:
#   tls12 +1  openssl s_server, TLS 1.2 only, good chain
#   tls13 +2  openssl s_server, TLS 1.3 only, good chain
#   legacy +3 openssl s_server, TLS 1.0 + 1.1 only, SECLEVEL=0
#   nginx +4  nginx, TLS 1.2 + 1.3, good chain, HSTS max-age=31536000
#   gnutls +5 gnutls-serv, TLS 1.3 + 1.2, good chain
#   expired +6 / wrongname +7 / selfsigned +8: openssl s_server, TLS 1.2 + 1.3
#   sslv3 +9 / sslv2 +10: tests/lab/fake_server.py
#   (+11 is kept free: connection refused; LAB_PORT_REFUSED)
#   Cipher-suite and group enumeration (issue #3); every one serves the good chain:
#   ciphers12 +12       openssl s_server, TLS 1.2, 5 suites in a deliberate non-strength server
#                       order (CBC first), DHE with the RFC 7919 ffdhe2048 group
#   ciphers13 +13       openssl s_server, TLS 1.3, 3 suites in server order, groups X25519:P-384
#   nginx_pref +14      nginx, TLS 1.2, 3 ECDHE suites, ssl_prefer_server_ciphers on,
#                       curves secp384r1:prime256v1
#   nginx_nopref +15    the same with ssl_prefer_server_ciphers off
#   gnutls_chacha +16   gnutls-serv, TLS 1.2, CHACHA20-POLY1305 + AES-128-GCM, server precedence
#   legacy_dh1024 +17   openssl s_server, TLS 1.2, DHE-RSA-AES128-SHA only, a custom 1024-bit group
#   insecure +18        fake_server.py suites mode: TLS 1.0, export / NULL / RC4 / DES / anon suites
#   lastsuite +19       fake_server.py suites mode: TLS 1.2, only TLS_RSA_WITH_NULL_SHA256, which
#                       sorts last in any strength order
#   sizelimit +20       fake_server.py suites mode: TLS 1.2, 3 suites, and hellos whose record
#                       payload exceeds 512 bytes are closed unanswered
#   (+21..+30 are reserved for more of these)
#   dns +53      dnsmasq (UDP+TCP): *.lab.test -> A 127.0.0.1 (AAAA: no data), *.invalid -> NXDOMAIN;
#                HTTPS records (type 65) for ech., alias., target., noech. and bad-https.lab.test (https_records)
#   Servers from tests/lab/mod_*.sh modules (ports and names in each module's header):
#   mod_cert.sh  +31..+52, +60..+69  certificates, chains, OCSP stapling, revocation (issue #4)
#   mod_mail.sh  +70..+79  STARTTLS services;  mod_web.sh  +80..+95  HTTP / HSTS / mTLS
#   mod_mail2.sh +96..+99  real slapd, vsftpd and MariaDB (STARTTLS)
#   +100..+199: servers that behave as real deployments do (issue #11), one module per
#   subject: mod_enum.sh +100..+119 and +180..+189 (hello limits, unservable suites, server
#   order after splits), mod_groups.sh +120..+129 (curves, group order, post-quantum only),
#   mod_mutual.sh +130..+139 (STARTTLS capability lists, mTLS), mod_web2.sh +140..+159 (HTTP
#   fallback), mod_handshakes.sh +160..+169 (servers that complete handshakes only for some
#   hellos), mod_groups2.sh +170..+179 (groups on servers that close instead of refusing),
#   mod_ech.sh +190..+199 (Encrypted Client Hello, issue #13: scripted ECH servers).
#   Ports in those ranges that no module uses are taken by integration scripts that start
#   servers of their own (a module growing into them must move the script's): politeness.sh
#   +157, +165..+169, +174..+179, +187; escape.sh +195..+197; probe_conns.sh +158, +159.
# Every server's pid is in $LAB_DIR/run/NAME.pid, its output in $LAB_DIR/logs/NAME.log.
# Fails (exit 1, after stopping what it started) if any server does not come up.
set -euo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${LAB_DIR:-}" ]; then
  LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tlsprobe-lab.XXXXXX")
  echo "start.sh: LAB_DIR=$LAB_DIR"
fi
export LAB_DIR
mkdir -p "$LAB_DIR/run" "$LAB_DIR/logs"

ALL_SERVERS=(tls12 tls13 legacy nginx gnutls expired wrongname selfsigned sslv3 sslv2 dns
             ciphers12 ciphers13 nginx_pref nginx_nopref gnutls_chacha legacy_dh1024
             insecure lastsuite sizelimit)
if [ $# -gt 0 ]; then SERVERS=("$@"); else SERVERS=("${ALL_SERVERS[@]}"); fi

BASE=${LAB_PORT_BASE:-24400}
case $BASE in ''|*[!0-9]*) echo "start.sh: LAB_PORT_BASE '$BASE' is not a number" >&2; exit 2 ;; esac
if [ "$BASE" -lt 1024 ] || [ "$BASE" -gt 65336 ]; then
  echo "start.sh: LAB_PORT_BASE $BASE out of range (1024..65336: the lab uses BASE..BASE+199)" >&2; exit 2
fi
# NAME:OFFSET for every port of this file's servers; PORT_<NAME> = BASE + OFFSET. The offsets
# never change (tests and the docs above name them). Modules add their own the same way.
PORT_OFFSETS=(TLS12:1 TLS13:2 LEGACY:3 NGINX:4 GNUTLS:5 EXPIRED:6 WRONGNAME:7 SELFSIGNED:8
  SSLV3:9 SSLV2:10 REFUSED:11 CIPHERS12:12 CIPHERS13:13 NGINX_PREF:14 NGINX_NOPREF:15
  GNUTLS_CHACHA:16 LEGACY_DH1024:17 INSECURE:18 LASTSUITE:19 SIZELIMIT:20 DNS:53)
for entry in "${PORT_OFFSETS[@]}"; do
  printf -v "PORT_${entry%%:*}" '%s' "$((BASE + ${entry#*:}))"
done
STARTUP_WAIT_S=${LAB_STARTUP_WAIT_S:-15}

# The PKI's AIA/CRL URLs name ports, so a PKI made for another base (or before those URLs
# existed: no port_base file) is made again.
[ -f "$LAB_DIR/ca.pem" ] && [ -f "$LAB_DIR/pki/good.der" ] && [ -f "$LAB_DIR/pki/dh1024.pem" ] &&
  [ "$(cat "$LAB_DIR/pki/port_base" 2>/dev/null)" = "$BASE" ] ||
  LAB_PORT_BASE=$BASE "$LAB_SRC/pki.sh" "$LAB_DIR" >/dev/null
P=$LAB_DIR/pki

{
  echo "# Written by tests/lab/start.sh; sourced by the tests."
  echo "export LAB_DIR='$LAB_DIR'"
  echo "export LAB_PKI='$P'"
  echo "export LAB_CA='$LAB_DIR/ca.pem'"
  echo "export LAB_HOST=127.0.0.1"
  echo "export LAB_PORT_BASE=$BASE"
  for entry in "${PORT_OFFSETS[@]}"; do
    v=PORT_${entry%%:*}
    echo "export LAB_$v=${!v}"
  done
  echo "export LAB_RESOLVER=127.0.0.1:$PORT_DNS"
  echo "export LAB_SERVERS='${SERVERS[*]}'"
} > "$LAB_DIR/env"

fail() {
  echo "start.sh: $*" >&2
  "$LAB_SRC/stop.sh" "$LAB_DIR" >/dev/null 2>&1 || true
  exit 1
}

# listening PORT tcp|udp: true when something is bound to 127.0.0.1:PORT (or a wildcard).
listening() {
  local flag=-Hltn
  [ "$2" = udp ] && flag=-Hlun
  if command -v ss >/dev/null 2>&1; then
    [ -n "$(ss $flag "( sport = :$1 )" 2>/dev/null)" ]
  else
    [ "$2" = tcp ] && (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# launch NAME PORT CMD...: runs CMD in the background and waits (bounded) until PORT listens.
launch() {
  local name=$1 port=$2; shift 2
  local log=$LAB_DIR/logs/$name.log pidfile=$LAB_DIR/run/$name.pid
  if listening "$port" tcp; then
    fail "$name: port $port is already in use (a stale lab? try: tests/lab/stop.sh DIR, or ss -ltnp)"
  fi
  "$@" </dev/null >"$log" 2>&1 &
  local pid=$!
  echo "$pid" > "$pidfile"
  local tries=$((STARTUP_WAIT_S * 10))
  while ! listening "$port" tcp; do
    if ! kill -0 "$pid" 2>/dev/null; then
      fail "$name: exited before listening on $port; its log ($log):
$(tail -n 20 "$log")"
    fi
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || fail "$name: not listening on $port after ${STARTUP_WAIT_S}s; its log:
$(tail -n 20 "$log")"
    sleep 0.1
  done
}

need() { command -v "$1" >/dev/null 2>&1 || fail "$1 not found (run tools/install-deps.sh)"; }

# Debian's openssl.cnf may raise MinProtocol/SECLEVEL system-wide; the lab must not depend on it.
echo "# tlsprobe lab: deliberately empty, no system-wide TLS policy" > "$LAB_DIR/openssl.cnf"

# s_server NAME PORT LEAF OPTS...: serves LEAF + the intermediate (selfsigned and internal:
# the leaf alone, they have no intermediate).
s_server() {
  local name=$1 port=$2 leaf=$3; shift 3
  local chain=(-cert_chain "$P/intermediate.pem")
  case $leaf in selfsigned|internal) chain=() ;; esac
  s_server_chain "$name" "$port" "$leaf" "${chain[@]}" "$@"
}

# s_server_chain NAME PORT LEAF [-cert_chain FILE] OPTS...: serves LEAF with exactly the chain given.
s_server_chain() {
  local name=$1 port=$2 leaf=$3; shift 3
  need openssl
  # -www: answers HTTP requests and never reads stdin (without it, EOF on stdin stops the server).
  OPENSSL_CONF=$LAB_DIR/openssl.cnf launch "$name" "$port" \
    openssl s_server -accept "127.0.0.1:$port" -www -cert "$P/$leaf.pem" -key "$P/$leaf.key" "$@"
}

# nginx_http NAME PORT SERVERS [EXTRA_PORT...]: one nginx master per lab name (own prefix dir,
# own logs), so each can be started and stopped alone; its http block holds the server blocks
# SERVERS. It is up when PORT and every EXTRA_PORT listen.
nginx_http() {
  need nginx
  local name=$1 port=$2 servers=$3; shift 3
  local d=$LAB_DIR/$name user_line="" p
  local errlog=$LAB_DIR/logs/$name-error.log
  mkdir -p "$d/tmp" "$d/logs"
  # As root the workers drop to nobody; certificates are read by the master.
  [ "$(id -u)" -eq 0 ] && user_line="user nobody nogroup;"
  cat > "$d/nginx.conf" <<EOF
$user_line
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $errlog info;
events { worker_connections 256; }
http {
  access_log $LAB_DIR/logs/$name-access.log;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
$servers
}
EOF
  nginx -t -q -p "$d" -e "$errlog" -c "$d/nginx.conf" >"$LAB_DIR/logs/$name-t.log" 2>&1 ||
    fail "$name: nginx configuration test failed: $(cat "$LAB_DIR/logs/$name-t.log")"
  for p in "$@"; do
    listening "$p" tcp && fail "$name: port $p is already in use"
  done
  launch "$name" "$port" nginx -p "$d" -e "$errlog" -c "$d/nginx.conf"
  for p in "$@"; do
    local tries=$((STARTUP_WAIT_S * 10))
    until listening "$p" tcp; do
      tries=$((tries - 1)); [ "$tries" -gt 0 ] || fail "$name: not listening on $p"
      sleep 0.1
    done
  done
}

# start_nginx NAME PORT DIRECTIVES [LEAF...]: nginx_http with one TLS server block answering 200;
# DIRECTIVES go into it. It serves LEAF-chain.pem with LEAF.key for each LEAF (default: good).
start_nginx() {
  local name=$1 port=$2 directives=$3; shift 3
  local leaves=("$@") certs="" leaf
  [ ${#leaves[@]} -gt 0 ] || leaves=(good)
  for leaf in "${leaves[@]}"; do
    certs+="    ssl_certificate $P/$leaf-chain.pem;
    ssl_certificate_key $P/$leaf.key;
"
  done
  nginx_http "$name" "$port" "  server {
    listen 127.0.0.1:$port ssl;
    server_name localhost good.lab.test;
$certs$directives
    location / { return 200 \"tlsprobe lab $name\\n\"; }
  }"
}

# The two enumeration servers differ only in who orders the suites.
NGINX_CIPHERS_DIRECTIVES='    ssl_protocols TLSv1.2;
    ssl_ciphers ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305;
    ssl_ecdh_curve secp384r1:prime256v1;'

# start_gnutls NAME PORT PRIORITY
start_gnutls() {
  need gnutls-serv
  # gnutls-serv has no listen-address option, so it binds the wildcard address; it is still
  # only ever connected to over loopback.
  launch "$1" "$2" gnutls-serv --port "$2" --http -a -q --priority "$3" \
    --x509certfile "$P/good-chain.pem" --x509keyfile "$P/good.key"
}

start_fake() {
  need python3
  launch "$1" "$2" python3 "$LAB_SRC/fake_server.py" --mode "$1" --port "$2" --cert-der "$P/good.der" -v
}

# start_suites NAME PORT FAKE_SERVER_ARGS...: the scripted fixed-suite-set server.
start_suites() {
  need python3
  local name=$1 port=$2; shift 2
  launch "$name" "$port" python3 "$LAB_SRC/fake_server.py" --mode suites --port "$port" \
    --cert-der "$P/good.der" -v "$@"
}

# HTTPS records (type 65, RFC 9460) for the ECH tests, as RDATA in hex (dnsmasq --dns-rr).
# The ech value is the lab's accept.ecl (tests/lab/ech_keys.py, made with the PKI); without it,
# a fixed ECHConfigList of the same form: version 0xfe0d, config_id 0x2a, X25519 with the RFC
# 7748 6.1 public key of Alice, suites (HKDF-SHA256, AES-128-GCM) and (HKDF-SHA256,
# ChaCha20-Poly1305), maximum_name_length 32, public_name "public.lab.test", no extensions.
# tests/integration/dns_https.sh asserts exactly these.
ECH_DNS_FALLBACK_ECL=0046fe0d00422a002000208520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a00080001000100010003200f7075626c69632e6c61622e746573740000
hex_of() { od -An -tx1 -v | tr -d ' \n'; }
# dns_name NAME: the uncompressed wire form of NAME, in hex.
dns_name() {
  local label out="" IFS=.
  for label in $1; do out+=$(printf '%02x' "${#label}")$(printf '%s' "$label" | hex_of); done
  printf '%s00' "$out"
}
# svc_param KEY HEXVALUE: one SvcParam in hex.
svc_param() { printf '%04x%04x%s' "$1" "$((${#2} / 2))" "$2"; }
https_records() {
  local ecl=$ECH_DNS_FALLBACK_ECL accept=$((BASE + 190)) tls13=$PORT_TLS13
  [ -s "$LAB_DIR/ech/accept.ecl" ] && ecl=$(hex_of < "$LAB_DIR/ech/accept.ecl")
  local h2=026832 http11=08687474702f312e31 # "h2", "http/1.1" as alpn-ids
  local ech
  ech=$(svc_param 5 "$ecl")
  local rr=(
    # ServiceMode, priority 1, target ".", alpn h2,http/1.1, ech
    "ech.lab.test,65,000100$(svc_param 1 "$h2$http11")$ech"
    # the port-prefixed owner of the ech_accept server: alpn h2, its port, ech
    "_$accept._https.ech.lab.test,65,000100$(svc_param 1 "$h2")$(svc_param 3 "$(printf '%04x' "$accept")")$ech"
    # AliasMode to ech.lab.test, and its port-prefixed twin to the port-prefixed owner above
    "alias.lab.test,65,0000$(dns_name ech.lab.test)"
    "_$accept._https.alias.lab.test,65,0000$(dns_name "_$accept._https.ech.lab.test")"
    # ServiceMode whose TargetName is svc.lab.test (not "."): the ech probe says where it offered ECH
    "_$accept._https.target.lab.test,65,0001$(dns_name svc.lab.test)$(svc_param 1 "$h2")$(svc_param 3 "$(printf '%04x' "$accept")")$ech"
    # ServiceMode without ech; malformed: port (3) before alpn (1), keys out of order. Also at
    # the tls13 server's port, which every lab has, so a probe reaches the endpoint.
    "noech.lab.test,65,000100$(svc_param 1 "$h2")"
    "_$tls13._https.noech.lab.test,65,000100$(svc_param 1 "$h2")$(svc_param 3 "$(printf '%04x' "$tls13")")"
    "bad-https.lab.test,65,000100$(svc_param 3 01bb)$(svc_param 1 "$h2")"
    "_$tls13._https.bad-https.lab.test,65,000100$(svc_param 3 01bb)$(svc_param 1 "$h2")"
  )
  local r
  for r in "${rr[@]}"; do printf -- '--dns-rr=%s\n' "$r"; done
}

start_dns() {
  need dnsmasq
  local user=() records=()
  [ "$(id -u)" -eq 0 ] && user=(--user=nobody --group=nogroup)
  mapfile -t records < <(https_records)
  launch dns "$PORT_DNS" dnsmasq --keep-in-foreground --conf-file=/dev/null \
    --pid-file="$LAB_DIR/run/dnsmasq-own.pid" "${user[@]}" --log-facility=- --log-queries \
    --port="$PORT_DNS" --listen-address=127.0.0.1 --bind-interfaces \
    --no-resolv --no-hosts --address=/lab.test/127.0.0.1 --local=/lab.test/ --address=/invalid/ \
    "${records[@]}"
  local tries=$((STARTUP_WAIT_S * 10))
  until listening "$PORT_DNS" udp; do
    tries=$((tries - 1)); [ "$tries" -gt 0 ] || fail "dns: not listening on UDP $PORT_DNS"
    sleep 0.1
  done
}

if listening "$PORT_REFUSED" tcp; then
  fail "port $PORT_REFUSED must stay free (the 'connection refused' target), but something listens there"
fi

# Modules: tests/lab/mod_*.sh add server groups without touching this file. A module appends
# its names to ALL_SERVERS, a starter function to MODULE_STARTERS (called as STARTER NAME; it
# returns 1 for a name that is not its own), and its `export LAB_PORT_...` lines to
# "$LAB_DIR/env". It may use launch, s_server, s_server_chain, start_nginx, nginx_http, need, fail,
# listening, $P, $LAB_DIR, $LAB_SRC and $BASE (its ports must be BASE + an offset of its own).
MODULE_STARTERS=()
for mod in "$LAB_SRC"/mod_*.sh; do
  [ -e "$mod" ] || continue
  . "$mod"
done
if [ $# -eq 0 ]; then
  SERVERS=("${ALL_SERVERS[@]}")
  echo "export LAB_SERVERS='${SERVERS[*]}'" >> "$LAB_DIR/env"
fi
module_start() {
  local starter
  for starter in "${MODULE_STARTERS[@]}"; do
    "$starter" "$1" && return 0
  done
  return 1
}

for s in "${SERVERS[@]}"; do
  case $s in
    tls12)      s_server tls12 "$PORT_TLS12" good -tls1_2 ;;
    tls13)      s_server tls13 "$PORT_TLS13" good -tls1_3 ;;
    legacy)     s_server legacy "$PORT_LEGACY" good -no_ssl3 -no_tls1_2 -no_tls1_3 -cipher 'DEFAULT:@SECLEVEL=0' ;;
    expired)    s_server expired "$PORT_EXPIRED" expired -min_protocol TLSv1.2 ;;
    wrongname)  s_server wrongname "$PORT_WRONGNAME" wrongname -min_protocol TLSv1.2 ;;
    selfsigned) s_server selfsigned "$PORT_SELFSIGNED" selfsigned -min_protocol TLSv1.2 ;;
    # HSTS: the lab's all-round good server passes 12.2.1, which needs it on every HTTPS service.
    nginx)      start_nginx nginx "$PORT_NGINX" '    ssl_protocols TLSv1.2 TLSv1.3;
    add_header Strict-Transport-Security "max-age=31536000" always;' ;;
    gnutls)     start_gnutls gnutls "$PORT_GNUTLS" "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" ;;
    sslv3)      start_fake sslv3 "$PORT_SSLV3" ;;
    sslv2)      start_fake sslv2 "$PORT_SSLV2" ;;
    dns)        start_dns ;;
    # tests/integration/ciphers.sh asserts exactly what these accept: change both together.
    ciphers12)  s_server ciphers12 "$PORT_CIPHERS12" good -tls1_2 -serverpref -dhparam "$P/dh-ffdhe2048.pem" \
                  -cipher 'ECDHE-RSA-AES128-SHA:AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256' ;;
    ciphers13)  s_server ciphers13 "$PORT_CIPHERS13" good -tls1_3 -serverpref -groups X25519:P-384 \
                  -ciphersuites 'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256' ;;
    nginx_pref)   start_nginx nginx_pref "$PORT_NGINX_PREF" "$NGINX_CIPHERS_DIRECTIVES
    ssl_prefer_server_ciphers on;" ;;
    nginx_nopref) start_nginx nginx_nopref "$PORT_NGINX_NOPREF" "$NGINX_CIPHERS_DIRECTIVES
    ssl_prefer_server_ciphers off;" ;;
    gnutls_chacha) start_gnutls gnutls_chacha "$PORT_GNUTLS_CHACHA" \
                  "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+CHACHA20-POLY1305:+AES-128-GCM:%SERVER_PRECEDENCE" ;;
    legacy_dh1024) s_server legacy_dh1024 "$PORT_LEGACY_DH1024" good -tls1_2 -dhparam "$P/dh1024.pem" \
                  -cipher 'DHE-RSA-AES128-SHA:@SECLEVEL=0' ;;
    insecure)   start_suites insecure "$PORT_INSECURE" --version 0x0301 --server-order \
                  --suites 0x0003,0x0019,0x0002,0x0001,0x0005,0x0009,0x0034 ;;
    lastsuite)  start_suites lastsuite "$PORT_LASTSUITE" --version 0x0303 --suites 0x003B ;;
    sizelimit)  start_suites sizelimit "$PORT_SIZELIMIT" --version 0x0303 --server-order --max-hello 512 \
                  --suites 0xC02F,0x009C,0x002F ;;
    *)          module_start "$s" || fail "unknown lab server '$s' (known: ${ALL_SERVERS[*]})" ;;
  esac
done

echo "start.sh: lab up in $LAB_DIR: ${SERVERS[*]}"
