# Lab module (sourced by tests/lab/start.sh): key exchange groups on servers that behave as
# real deployments do (issue #11): TLS 1.2 curves behind an ECDSA certificate, who orders the
# groups (server or client), and a TLS 1.3 server whose only group the local OpenSSL cannot
# negotiate. Ports: LAB_PORT_BASE + offset, exported as LAB_PORT_<NAME in capitals>.
#   grp_ecdsa +120        s_server, ecdsa leaf (P-256) + intermediate, TLS 1.2 only,
#                         -groups P-256:P-384:P-521 (the client's order)
#   grp_ecdsa_pref +121   the same with -serverpref: P-256 (the certificate's curve) first
#   grp_ecdsa_p384 +122   the same with -serverpref -groups P-384:P-256:P-521
#   grp13_client +123     s_server, good chain, TLS 1.3 only, -groups P-384:X25519:P-521
#   grp13_server +124     the same with -serverpref -groups P-521:X25519:P-384
#   grp_nginx_pref +125   nginx, good chain, TLS 1.2 + 1.3, ssl_ecdh_curve
#                         secp521r1:X25519:secp384r1, ssl_prefer_server_ciphers on
#   grp_nginx_nopref +126 the same with ssl_prefer_server_ciphers off
#   grp_gnutls_pref +127  gnutls-serv, good chain, TLS 1.3 + 1.2, groups SECP384R1, X25519,
#                         SECP521R1 in that order, %SERVER_PRECEDENCE
#   grp_gnutls +128       the same without %SERVER_PRECEDENCE
#   grp_pq +129           tests/lab/fake_tls13.py: TLS 1.3 only, answers a hello listing
#                         X25519MLKEM768 (0x11EC) with a HelloRetryRequest for it, any other
#                         with handshake_failure
# tests/integration/groups_field.sh asserts exactly what these accept: change both together.

GROUPS_OFFSETS=(GRP_ECDSA:120 GRP_ECDSA_PREF:121 GRP_ECDSA_P384:122 GRP13_CLIENT:123
  GRP13_SERVER:124 GRP_NGINX_PREF:125 GRP_NGINX_NOPREF:126 GRP_GNUTLS_PREF:127 GRP_GNUTLS:128
  GRP_PQ:129)
for entry in "${GROUPS_OFFSETS[@]}"; do
  printf -v "PORT_${entry%%:*}" '%s' "$((BASE + ${entry#*:}))"
done
ALL_SERVERS+=(grp_ecdsa grp_ecdsa_pref grp_ecdsa_p384 grp13_client grp13_server grp_nginx_pref
              grp_nginx_nopref grp_gnutls_pref grp_gnutls grp_pq)
MODULE_STARTERS+=(groups_start)
{
  for entry in "${GROUPS_OFFSETS[@]}"; do
    v=PORT_${entry%%:*}
    echo "export LAB_$v=${!v}"
  done
} >> "$LAB_DIR/env"

GROUPS_NGINX='    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ecdh_curve secp521r1:X25519:secp384r1;'
GROUPS_GNUTLS='NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-GROUP-ALL:+GROUP-SECP384R1:+GROUP-X25519:+GROUP-SECP521R1'

groups_start() {
  case $1 in
    grp_ecdsa)      s_server grp_ecdsa "$PORT_GRP_ECDSA" ecdsa -tls1_2 -groups P-256:P-384:P-521 ;;
    grp_ecdsa_pref) s_server grp_ecdsa_pref "$PORT_GRP_ECDSA_PREF" ecdsa -tls1_2 -serverpref -groups P-256:P-384:P-521 ;;
    grp_ecdsa_p384) s_server grp_ecdsa_p384 "$PORT_GRP_ECDSA_P384" ecdsa -tls1_2 -serverpref -groups P-384:P-256:P-521 ;;
    grp13_client)   s_server grp13_client "$PORT_GRP13_CLIENT" good -tls1_3 -groups P-384:X25519:P-521 ;;
    grp13_server)   s_server grp13_server "$PORT_GRP13_SERVER" good -tls1_3 -serverpref -groups P-521:X25519:P-384 ;;
    grp_nginx_pref)   start_nginx grp_nginx_pref "$PORT_GRP_NGINX_PREF" "$GROUPS_NGINX
    ssl_prefer_server_ciphers on;" ;;
    grp_nginx_nopref) start_nginx grp_nginx_nopref "$PORT_GRP_NGINX_NOPREF" "$GROUPS_NGINX
    ssl_prefer_server_ciphers off;" ;;
    grp_gnutls_pref) start_gnutls grp_gnutls_pref "$PORT_GRP_GNUTLS_PREF" "$GROUPS_GNUTLS:%SERVER_PRECEDENCE" ;;
    grp_gnutls)      start_gnutls grp_gnutls "$PORT_GRP_GNUTLS" "$GROUPS_GNUTLS" ;;
    # --pid-file names the lab dir, so tests/lab/stop.sh knows the process as this lab's.
    grp_pq)  need python3
             launch grp_pq "$PORT_GRP_PQ" python3 "$LAB_SRC/fake_tls13.py" --port "$PORT_GRP_PQ" \
               --pid-file "$LAB_DIR/run/grp_pq-own.pid" -v ;;
    *)       return 1 ;;
  esac
}
