# Lab module (sourced by tests/lab/start.sh): HTTP services that behave as real deployments do
# around cleartext fallback and HSTS (issue #11). Ports: LAB_PORT_BASE + offset, exported as
# LAB_PORT_<NAME>:
#   web2_tls10      +140 nginx, TLS 1.0 only (SECLEVEL=0), HSTS "max-age=31536000"
#   web2_tls10_www  +141 openssl s_server -www, TLS 1.0 only (SECLEVEL=0): no HSTS
#   web2            +142 nginx, TLS 1.2 + 1.3, HSTS "max-age=31536000"; the same nginx serves
#                        cleartext HTTP on:
#     WEB2_PLAIN          +143 200 "cleartext content" (no TLS: a "TLS" port that speaks HTTP)
#     WEB2_PLAIN_REDIRECT +144 301 to https://$host:<+142>/ (no TLS either)
#     WEB2_TONAME         +145 301 to https://good.lab.test:<+142>/ (another name of the server)
#     WEB2_CLEAR_OTHERHOST +146 301 to http://www.elsewhere.lab.test/ (another host, in the clear)
#     WEB2_LOOP           +147 302 to itself with a relative Location (absolute_redirect off)
#   web2_silent     +148 fake_http.py: accepts, reads the request, never answers
#   web2_garbage    +149 fake_http.py: answers anything with bytes that are not HTTP, then closes
#   web2_endless    +150 fake_http.py: a status line, then header lines without end
#   web2_slowbody   +151 fake_http.py over TLS 1.2 + 1.3 (good chain): 200 with HSTS
#                        "max-age=31536000", then a chunked body, one byte every 0.2 s, without end
#   (+152 is kept free: connection refused, LAB_PORT_WEB2_REFUSED, the http_port of targets
#    that have no cleartext listener)
#   web2_hostile    +153 fake_http.py: a 301 whose status line and Location carry terminal
#                        escapes and bytes that are not UTF-8
#   web2_filtered   +154 fake_http.py: a full accept queue, never accepted: connections time out
#                        unanswered (neither refused nor accepted), as behind a dropping firewall
#   web2_tlssilent  +155 fake_http.py over TLS 1.2 + 1.3 (good chain): completes the handshake,
#                        reads the request, never answers (HTTP unseen within the timeout)
#   WEB2_CLOSE444   +156 the web2 nginx: its default server (no SNI, Host 127.0.0.1) closes
#                        every request without a reply (`return 444`, a common hardening); the
#                        named host good.lab.test serves HSTS
# TLS servers serve the good chain. tests/integration/http_field.sh asserts exactly what these
# do: change them together.

WEB2_NAMES=(web2_tls10 web2_tls10_www web2 web2_silent web2_garbage web2_endless web2_slowbody
            web2_hostile web2_filtered web2_tlssilent)
ALL_SERVERS+=("${WEB2_NAMES[@]}")
WEB2_OFFSETS=(WEB2_TLS10:140 WEB2_TLS10_WWW:141 WEB2:142 WEB2_PLAIN:143 WEB2_PLAIN_REDIRECT:144
  WEB2_TONAME:145 WEB2_CLEAR_OTHERHOST:146 WEB2_LOOP:147 WEB2_SILENT:148 WEB2_GARBAGE:149
  WEB2_ENDLESS:150 WEB2_SLOWBODY:151 WEB2_REFUSED:152 WEB2_HOSTILE:153
  WEB2_FILTERED:154 WEB2_TLSSILENT:155 WEB2_CLOSE444:156)
for entry in "${WEB2_OFFSETS[@]}"; do
  printf -v "PORT_${entry%%:*}" '%s' "$(( ${LAB_PORT_BASE:-24400} + ${entry#*:} ))"
done
for entry in "${WEB2_OFFSETS[@]}"; do
  v=PORT_${entry%%:*}
  echo "export LAB_$v=${!v}"
done >> "$LAB_DIR/env"

# web2_nginx NAME PORT SERVERS [EXTRA_PORT...]: nginx_http (start.sh) with the lab's empty
# OpenSSL policy, so that TLS 1.0 does not depend on the system's.
web2_nginx() {
  OPENSSL_CONF=$LAB_DIR/openssl.cnf nginx_http "$@"
}

# web2_tls_server PORT TLS_DIRECTIVES: an HTTPS server block answering 200.
web2_tls_server() {
  cat <<EOF
  server {
    listen 127.0.0.1:$1 ssl;
    server_name localhost good.lab.test;
    ssl_certificate $P/good-chain.pem;
    ssl_certificate_key $P/good.key;
$2
    add_header Strict-Transport-Security "max-age=31536000" always;
    location / { return 200 "tlsprobe lab web2\n"; }
  }
EOF
}

# web2_clear_server PORT LOCATIONS: a cleartext server block.
web2_clear_server() {
  printf '  server {\n    listen 127.0.0.1:%s;\n    server_name localhost good.lab.test;\n%s\n  }\n' "$1" "$2"
}

# web2_fake NAME PORT MODE: tests/lab/fake_http.py. Every mode gets the good chain (only
# slowbody uses it): its path on the command line marks the process as this lab's (stop.sh).
web2_fake() {
  need python3
  launch "$1" "$2" python3 "$LAB_SRC/fake_http.py" --mode "$3" --port "$2" -v \
    --cert "$P/good-chain.pem" --key "$P/good.key"
}

web2_start() {
  case $1 in
    web2_tls10)
      web2_nginx web2_tls10 "$PORT_WEB2_TLS10" "$(web2_tls_server "$PORT_WEB2_TLS10" \
        "    ssl_protocols TLSv1;
    ssl_ciphers DEFAULT:@SECLEVEL=0;")" ;;
    web2_tls10_www)
      s_server web2_tls10_www "$PORT_WEB2_TLS10_WWW" good -tls1 -cipher 'DEFAULT:@SECLEVEL=0' ;;
    web2)
      if listening "$PORT_WEB2_REFUSED" tcp; then
        fail "web2: port $PORT_WEB2_REFUSED must stay free (its 'no cleartext listener')"
      fi
      web2_nginx web2 "$PORT_WEB2" "$(web2_tls_server "$PORT_WEB2" "    ssl_protocols TLSv1.2 TLSv1.3;")
$(web2_clear_server "$PORT_WEB2_PLAIN" "    location / { return 200 \"cleartext content\\n\"; }")
$(web2_clear_server "$PORT_WEB2_PLAIN_REDIRECT" "    location / { return 301 https://\$host:$PORT_WEB2/; }")
$(web2_clear_server "$PORT_WEB2_TONAME" "    location / { return 301 https://good.lab.test:$PORT_WEB2/; }")
$(web2_clear_server "$PORT_WEB2_CLEAR_OTHERHOST" "    location / { return 301 http://www.elsewhere.lab.test/; }")
$(web2_clear_server "$PORT_WEB2_LOOP" "    absolute_redirect off;
    location / { return 302 /again; }")
$(web2_tls_server "$PORT_WEB2_CLOSE444" "    ssl_protocols TLSv1.2 TLSv1.3;" | sed 's/server_name localhost good.lab.test;/server_name good.lab.test;/')
  server {
    listen 127.0.0.1:$PORT_WEB2_CLOSE444 ssl default_server;
    ssl_certificate $P/good-chain.pem;
    ssl_certificate_key $P/good.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 444; }
  }" \
        "$PORT_WEB2_PLAIN" "$PORT_WEB2_PLAIN_REDIRECT" "$PORT_WEB2_TONAME" "$PORT_WEB2_CLEAR_OTHERHOST" \
        "$PORT_WEB2_LOOP" "$PORT_WEB2_CLOSE444" ;;
    web2_silent)   web2_fake web2_silent "$PORT_WEB2_SILENT" silent ;;
    web2_tlssilent) web2_fake web2_tlssilent "$PORT_WEB2_TLSSILENT" tlssilent ;;
    web2_garbage)  web2_fake web2_garbage "$PORT_WEB2_GARBAGE" garbage ;;
    web2_endless)  web2_fake web2_endless "$PORT_WEB2_ENDLESS" endless ;;
    web2_hostile)  web2_fake web2_hostile "$PORT_WEB2_HOSTILE" hostile ;;
    web2_filtered) web2_fake web2_filtered "$PORT_WEB2_FILTERED" filtered ;;
    web2_slowbody)
      web2_fake web2_slowbody "$PORT_WEB2_SLOWBODY" slowbody ;;
    *) return 1 ;;
  esac
}
MODULE_STARTERS+=(web2_start)
