# Lab module (sourced by tests/lab/start.sh): HTTPS endpoints with their cleartext HTTP
# listeners and HSTS variants, and mutual-TLS servers (issue #5). Every TLS server serves the
# good chain, TLS 1.2 + 1.3. Ports: LAB_PORT_BASE + offset, exported as LAB_PORT_<NAME>:
#   web_hsts +80          nginx; HSTS "max-age=63072000; includeSubDomains; preload"
#     WEB_HSTS_HTTP +81     cleartext listener: 301 to https://$host:<+80>$request_uri
#   web_nohsts +82        nginx; no HSTS
#     WEB_NOHSTS_HTTP +83   cleartext listener: 200 content
#   web_badhsts +84       nginx; HSTS "max-age=abc" (malformed)
#     WEB_BADHSTS_HTTP +85  cleartext listener: / 302 to http://$host:<+85>/plain, which is 200 content
#   web_shorthsts +86     nginx; HSTS "max-age=300"
#     WEB_SHORTHSTS_HTTP +87 kept free: no cleartext listener (connection refused)
#   mtls_on +88           nginx ssl_verify_client on, ssl_client_certificate = lab root
#   mtls_optional +89     nginx ssl_verify_client optional, ssl_client_certificate = lab root
#   mtls_optional_no_ca +90 nginx ssl_verify_client optional_no_ca, no CA list
#   mtls_strict +91       openssl s_server -Verify 1 -verify_return_error -CAfile lab root: refuses
#                         in the handshake (TLS 1.2) or with an alert right after it (TLS 1.3)
#   web_chain +92         nginx; HSTS one year
#     WEB_CHAIN_HTTP +93    / 302 to http://$host:<+93>/step, which 308s to https://$host:<+92>/
#   web_otherhost +94     nginx; HSTS one year
#     WEB_OTHERHOST_HTTP +95 / 301 to https://elsewhere.lab.test/ (another host, never contacted)
# A client certificate for the mTLS servers, signed by the lab root (clientAuth), is made at
# the first start into $LAB_DIR/web/: LAB_WEB_CLIENT_CERT, LAB_WEB_CLIENT_KEY.
# tests/integration/http.sh and mtls.sh assert exactly what these do: change them together.

WEB_NAMES=(web_hsts web_nohsts web_badhsts web_shorthsts mtls_on mtls_optional mtls_optional_no_ca
           mtls_strict web_chain web_otherhost)
ALL_SERVERS+=("${WEB_NAMES[@]}")
WEB_OFFSETS=(WEB_HSTS:80 WEB_HSTS_HTTP:81 WEB_NOHSTS:82 WEB_NOHSTS_HTTP:83 WEB_BADHSTS:84
  WEB_BADHSTS_HTTP:85 WEB_SHORTHSTS:86 WEB_SHORTHSTS_HTTP:87 MTLS_ON:88 MTLS_OPTIONAL:89
  MTLS_OPTIONAL_NO_CA:90 MTLS_STRICT:91 WEB_CHAIN:92 WEB_CHAIN_HTTP:93 WEB_OTHERHOST:94
  WEB_OTHERHOST_HTTP:95)
for entry in "${WEB_OFFSETS[@]}"; do
  printf -v "PORT_${entry%%:*}" '%s' "$(( ${LAB_PORT_BASE:-24400} + ${entry#*:} ))"
done
WEB_DIR=$LAB_DIR/web
{
  for entry in "${WEB_OFFSETS[@]}"; do
    v=PORT_${entry%%:*}
    echo "export LAB_$v=${!v}"
  done
  echo "export LAB_WEB_CLIENT_CERT='$WEB_DIR/client.pem'"
  echo "export LAB_WEB_CLIENT_KEY='$WEB_DIR/client.key'"
} >> "$LAB_DIR/env"

# The client certificate, made once per lab (again when the root changed under it).
web_client_cert() {
  mkdir -p "$WEB_DIR"
  if [ -f "$WEB_DIR/client.pem" ] &&
     OPENSSL_CONF=/dev/null openssl verify -CAfile "$LAB_DIR/ca.pem" "$WEB_DIR/client.pem" >/dev/null 2>&1; then
    return 0
  fi
  local log
  log=$( (
    export OPENSSL_CONF=/dev/null
    set -e
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WEB_DIR/client.key"
    chmod 600 "$WEB_DIR/client.key"
    openssl req -new -key "$WEB_DIR/client.key" -subj "/CN=tlsprobe lab client" -out "$WEB_DIR/client.csr"
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=clientAuth" > "$WEB_DIR/client.ext"
    openssl x509 -req -in "$WEB_DIR/client.csr" -CA "$P/root.pem" -CAkey "$P/root.key" -CAcreateserial \
      -days 30 -sha256 -extfile "$WEB_DIR/client.ext" -out "$WEB_DIR/client.pem"
  ) 2>&1 ) || fail "web: cannot make the client certificate: $log"
}

# web_nginx NAME TLS_PORT TLS_DIRECTIVES [HTTP_PORT HTTP_LOCATIONS]: one nginx with the TLS
# server (answering 200) and, when HTTP_PORT is given, a cleartext server with those locations.
web_nginx() {
  local name=$1 port=$2 tls_directives=$3 http_port=${4:-} http_locations=${5:-}
  local servers="  server {
    listen 127.0.0.1:$port ssl;
    server_name localhost good.lab.test;
    ssl_certificate $P/good-chain.pem;
    ssl_certificate_key $P/good.key;
    ssl_protocols TLSv1.2 TLSv1.3;
$tls_directives
    location / { return 200 \"tlsprobe lab $name\\n\"; }
  }"
  if [ -n "$http_port" ]; then
    servers+="
  server {
    listen 127.0.0.1:$http_port;
    server_name localhost good.lab.test;
$http_locations
  }"
  fi
  nginx_http "$name" "$port" "$servers" ${http_port:+"$http_port"}
}

hsts() { printf '    add_header Strict-Transport-Security "%s" always;' "$1"; }

web_start() {
  case $1 in
    web_hsts)
      web_nginx web_hsts "$PORT_WEB_HSTS" "$(hsts 'max-age=63072000; includeSubDomains; preload')" \
        "$PORT_WEB_HSTS_HTTP" "    location / { return 301 https://\$host:$PORT_WEB_HSTS\$request_uri; }" ;;
    web_nohsts)
      web_nginx web_nohsts "$PORT_WEB_NOHSTS" "" \
        "$PORT_WEB_NOHSTS_HTTP" "    location / { return 200 \"cleartext content\\n\"; }" ;;
    web_badhsts)
      web_nginx web_badhsts "$PORT_WEB_BADHSTS" "$(hsts 'max-age=abc')" \
        "$PORT_WEB_BADHSTS_HTTP" "    location = / { return 302 http://\$host:$PORT_WEB_BADHSTS_HTTP/plain; }
    location / { return 200 \"cleartext content\\n\"; }" ;;
    web_shorthsts)
      if listening "$PORT_WEB_SHORTHSTS_HTTP" tcp; then
        fail "web_shorthsts: port $PORT_WEB_SHORTHSTS_HTTP must stay free (its 'no cleartext listener')"
      fi
      web_nginx web_shorthsts "$PORT_WEB_SHORTHSTS" "$(hsts 'max-age=300')" ;;
    web_chain)
      web_nginx web_chain "$PORT_WEB_CHAIN" "$(hsts 'max-age=31536000')" \
        "$PORT_WEB_CHAIN_HTTP" "    location = / { return 302 http://\$host:$PORT_WEB_CHAIN_HTTP/step; }
    location = /step { return 308 https://\$host:$PORT_WEB_CHAIN/; }" ;;
    web_otherhost)
      web_nginx web_otherhost "$PORT_WEB_OTHERHOST" "$(hsts 'max-age=31536000')" \
        "$PORT_WEB_OTHERHOST_HTTP" "    location / { return 301 https://elsewhere.lab.test/; }" ;;
    mtls_on|mtls_optional)
      web_client_cert
      local port_var=PORT_${1^^}
      web_nginx "$1" "${!port_var}" "    ssl_verify_client ${1#mtls_};
    ssl_client_certificate $LAB_DIR/ca.pem;" ;;
    mtls_optional_no_ca)
      web_client_cert
      web_nginx mtls_optional_no_ca "$PORT_MTLS_OPTIONAL_NO_CA" "    ssl_verify_client optional_no_ca;" ;;
    mtls_strict)
      web_client_cert
      s_server mtls_strict "$PORT_MTLS_STRICT" good -min_protocol TLSv1.2 \
        -Verify 1 -verify_return_error -CAfile "$LAB_DIR/ca.pem" ;;
    *) return 1 ;;
  esac
}
MODULE_STARTERS+=(web_start)
