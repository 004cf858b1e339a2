# Lab module (sourced by tests/lab/start.sh): certificates, chains, OCSP stapling and
# revocation (issue #4). The leaves are made by tests/lab/pki.sh; the AIA / CRL URLs in them
# name the http / ocsp / ocsp_root ports below, so pki.sh and this file change together.
# Ports: LAB_PORT_BASE + offset, exported as LAB_PORT_<NAME in capitals>. Unless noted the TLS
# servers speak TLS 1.2 + 1.3 and serve leaf + intermediate.
#   http +60        python3 http.server over $LAB_DIR/http: /root.der /int.der (DER certificates),
#                   /int.crl /root.crl (DER CRLs): the caIssuers and CRL URLs of the certificates.
#                   One log line per request in $LAB_DIR/logs/http.log.
#   ocsp +61        OCSP responder for the intermediate's leaves (tests/lab/ocsp_responder.py:
#                   `openssl ocsp -index pki/int-db/index.txt` per request, signed by the
#                   intermediate itself); one line per request in $LAB_DIR/logs/ocsp.log
#   ocsp_root +62   the same for the root's certificates (the intermediate), signed by the root
#   nginx_staple_good +31     nginx, good leaf, ssl_stapling_file: a current "good" response
#   nginx_staple_revoked +32  nginx, revoked leaf, ssl_stapling_file: its current "revoked" response
#   nginx_staple_expired +33  nginx, good leaf, ssl_stapling_file: a "good" response whose
#                             nextUpdate is one day past (stale)
#   sserver_status +34   s_server, good leaf, -status_file: the current "good" response
#   staple_wrong +35     s_server, good leaf, -status_file: the revoked leaf's response (another cert)
#   revoked_nostaple +36 s_server, revoked leaf, no staple (the responder and int.crl say revoked)
#   crlonly +37     s_server, crlonly leaf (no OCSP URL, revoked in int.crl), no staple
#   leafonly +38    s_server, the good leaf alone (the intermediate only via AIA caIssuers)
#   dualcert +39    nginx with two certificates: good (RSA 2048) and ecdsa (P-256), each + intermediate
#   muststaple_nostaple +40  s_server, muststaple leaf (TLS Feature status_request), no staple
#   internal +41    s_server, the internal leaf alone (anchor: the other root, $LAB_OTHER_CA)
#   sha1 +42 / weakkey +43         s_server, sha1 / weakkey leaf, SECLEVEL=0
#   longvalid +44 / nosan_eku +45  s_server, longvalid / nosan_eku leaf
#   (+46..+52 and +63..+69 are reserved for this module)
# OCSP responses for the staples are made at each start, in $LAB_DIR/ocsp: good.der, revoked.der
# (the responder's answers, valid one day) and stale.der (see cert_staple).
# Also exported: LAB_OTHER_CA, LAB_HTTP_DIR, LAB_OCSP_DIR, LAB_HTTP_URL, LAB_OCSP_URL,
# LAB_OCSP_ROOT_URL.

CERT_PORT_OFFSETS=(HTTP:60 OCSP:61 OCSP_ROOT:62 NGINX_STAPLE_GOOD:31 NGINX_STAPLE_REVOKED:32
  NGINX_STAPLE_EXPIRED:33 SSERVER_STATUS:34 STAPLE_WRONG:35 REVOKED_NOSTAPLE:36 CRLONLY:37
  LEAFONLY:38 DUALCERT:39 MUSTSTAPLE_NOSTAPLE:40 INTERNAL:41 SHA1:42 WEAKKEY:43 LONGVALID:44
  NOSAN_EKU:45)
for entry in "${CERT_PORT_OFFSETS[@]}"; do
  printf -v "PORT_${entry%%:*}" '%s' "$((BASE + ${entry#*:}))"
done
ALL_SERVERS+=(http ocsp ocsp_root nginx_staple_good nginx_staple_revoked nginx_staple_expired
              sserver_status staple_wrong revoked_nostaple crlonly leafonly dualcert
              muststaple_nostaple internal sha1 weakkey longvalid nosan_eku)
MODULE_STARTERS+=(cert_start)
CERT_STAPLES_MADE=""

{
  for entry in "${CERT_PORT_OFFSETS[@]}"; do
    v=PORT_${entry%%:*}
    echo "export LAB_$v=${!v}"
  done
  echo "export LAB_OTHER_CA='$LAB_DIR/other-ca.pem'"
  echo "export LAB_HTTP_DIR='$LAB_DIR/http'"
  echo "export LAB_OCSP_DIR='$LAB_DIR/ocsp'"
  echo "export LAB_HTTP_URL=http://127.0.0.1:$PORT_HTTP"
  echo "export LAB_OCSP_URL=http://127.0.0.1:$PORT_OCSP"
  echo "export LAB_OCSP_ROOT_URL=http://127.0.0.1:$PORT_OCSP_ROOT"
} >> "$LAB_DIR/env"

# python3's http.server rather than nginx: nginx workers run as nobody and could not read a lab
# dir inside a private mktemp dir.
cert_http() {
  need python3
  launch http "$PORT_HTTP" python3 -m http.server --bind 127.0.0.1 --directory "$LAB_DIR/http" "$PORT_HTTP"
}

# cert_ocsp NAME PORT CA DB: the responder for what CA (pki/CA.pem) issued, signed by CA itself.
cert_ocsp() {
  need python3; need openssl
  launch "$1" "$2" python3 "$LAB_SRC/ocsp_responder.py" --port "$2" --index "$P/$4/index.txt" \
    --ca "$P/$3.pem" --rsigner "$P/$3.pem" --rkey "$P/$3.key"
}

# cert_staple NAME: sets STAPLE to $LAB_DIR/ocsp/NAME.der, made once per start (so it is current):
#   good / revoked: the responder's answer for the good / revoked leaf (thisUpdate now,
#                   nextUpdate now + 1 day), exactly what the ocsp server would send;
#   stale: the good leaf's answer made under faketime two days back with one day's validity
#          (thisUpdate now - 2 days, nextUpdate now - 1 day). `openssl ocsp` dates responses
#          with the current time only, hence faketime. The signer (the intermediate) was already
#          valid then: pki.sh starts the CAs 30 days back.
cert_staple() {
  local name=$1 leaf=$1 d=$LAB_DIR/ocsp log=$LAB_DIR/logs/staple-$1.log clock=()
  [ "$name" = stale ] && { leaf=good; clock=(faketime -f -2d); }
  STAPLE=$d/$name.der
  case " $CERT_STAPLES_MADE " in *" $name "*) return 0 ;; esac
  need openssl
  [ ${#clock[@]} -eq 0 ] || need faketime
  mkdir -p "$d"
  rm -f "$STAPLE"
  OPENSSL_CONF=/dev/null openssl ocsp -issuer "$P/intermediate.pem" -cert "$P/$leaf.pem" -no_nonce \
    -reqout "$d/$name-req.der" >"$log" 2>&1 || fail "staple $name: openssl ocsp -reqout failed: $(cat "$log")"
  OPENSSL_CONF=/dev/null "${clock[@]}" openssl ocsp -index "$P/int-db/index.txt" -CA "$P/intermediate.pem" \
    -rsigner "$P/intermediate.pem" -rkey "$P/intermediate.key" -rmd sha256 -ndays 1 \
    -reqin "$d/$name-req.der" -respout "$STAPLE" >>"$log" 2>&1 && [ -s "$STAPLE" ] ||
    fail "staple $name: openssl ocsp -respout failed: $(cat "$log")"
  CERT_STAPLES_MADE+=" $name"
}

# nginx serves a stapling file as it is, without checking it: exactly what the tests need.
cert_nginx_staple() {
  local name=$1 port=$2 staple=$3 leaf=$4
  cert_staple "$staple"
  start_nginx "$name" "$port" "    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_stapling on;
    ssl_stapling_file $STAPLE;" "$leaf"
}

# tests/integration/chain.sh and revocation.sh assert exactly what these serve.
cert_start() {
  case $1 in
    http)       cert_http ;;
    ocsp)       cert_ocsp ocsp "$PORT_OCSP" intermediate int-db ;;
    ocsp_root)  cert_ocsp ocsp_root "$PORT_OCSP_ROOT" root root-db ;;
    nginx_staple_good)    cert_nginx_staple nginx_staple_good "$PORT_NGINX_STAPLE_GOOD" good good ;;
    nginx_staple_revoked) cert_nginx_staple nginx_staple_revoked "$PORT_NGINX_STAPLE_REVOKED" revoked revoked ;;
    nginx_staple_expired) cert_nginx_staple nginx_staple_expired "$PORT_NGINX_STAPLE_EXPIRED" stale good ;;
    sserver_status) cert_staple good
                s_server sserver_status "$PORT_SSERVER_STATUS" good -min_protocol TLSv1.2 -status_file "$STAPLE" ;;
    staple_wrong) cert_staple revoked
                s_server staple_wrong "$PORT_STAPLE_WRONG" good -min_protocol TLSv1.2 -status_file "$STAPLE" ;;
    revoked_nostaple) s_server revoked_nostaple "$PORT_REVOKED_NOSTAPLE" revoked -min_protocol TLSv1.2 ;;
    crlonly)    s_server crlonly "$PORT_CRLONLY" crlonly -min_protocol TLSv1.2 ;;
    leafonly)   s_server_chain leafonly "$PORT_LEAFONLY" good -min_protocol TLSv1.2 ;;
    dualcert)   start_nginx dualcert "$PORT_DUALCERT" '    ssl_protocols TLSv1.2 TLSv1.3;' good ecdsa ;;
    muststaple_nostaple) s_server muststaple_nostaple "$PORT_MUSTSTAPLE_NOSTAPLE" muststaple -min_protocol TLSv1.2 ;;
    internal)   s_server internal "$PORT_INTERNAL" internal -min_protocol TLSv1.2 ;;
    # OpenSSL will not load a SHA-1-signed or 1024-bit certificate above security level 0.
    sha1)       s_server sha1 "$PORT_SHA1" sha1 -min_protocol TLSv1.2 -cipher 'DEFAULT:@SECLEVEL=0' ;;
    weakkey)    s_server weakkey "$PORT_WEAKKEY" weakkey -min_protocol TLSv1.2 -cipher 'DEFAULT:@SECLEVEL=0' ;;
    longvalid)  s_server longvalid "$PORT_LONGVALID" longvalid -min_protocol TLSv1.2 ;;
    nosan_eku)  s_server nosan_eku "$PORT_NOSAN_EKU" nosan_eku -min_protocol TLSv1.2 ;;
    *)          return 1 ;;
  esac
}
