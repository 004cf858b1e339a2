#!/usr/bin/env bash
# Prints a YAML inventory naming every TLS-speaking server of a running lab (sourced from
# $LAB_DIR/env), each with the service its port speaks: the corpus of the identical-reports
# test. Cleartext-only helpers (DNS, OCSP responders, relay backends, *_HTTP ports) are left out;
# the fallback probes reach those through the endpoints that name them.
# Usage: LAB_DIR=DIR tests/golden/lab_inventory.sh
set -euo pipefail
. "$LAB_DIR/env"
echo "targets:"
for var in $(grep -o 'LAB_PORT_[A-Z0-9_]*=' "$LAB_DIR/env" | tr -d = | sort -u); do
  name=${var#LAB_PORT_}
  case $name in
    BASE|DNS|HTTP|OCSP|OCSP_ROOT|*_BACKEND|*_HTTP) continue ;;
  esac
  service=
  case $name in
    SMTP*) service=smtp ;;
    IMAP*) service=imap ;;
    POP3*) service=pop3 ;;
    PG_*|POSTGRES*) service=postgres ;;
    LDAP*|SLAPD) service=ldap ;;
    MYSQL*|MARIADB*) service=mysql ;;
    XMPP*) service=xmpp ;;
    VSFTPD*) service=ftp ;;
  esac
  echo "  - host: localhost"
  echo "    port: ${!var}"
  echo "    ca: $LAB_CA"
  echo "    tags: [$(echo "$name" | tr 'A-Z' 'a-z')]"
  [ -n "$service" ] && echo "    starttls: $service"
done
