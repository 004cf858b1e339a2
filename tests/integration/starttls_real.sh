#!/usr/bin/env bash
# STARTTLS against real Debian servers for the protocols tests/integration/starttls.sh covers
# only with scripted responders (LDAP, MySQL) or not at all (FTP), issue #5. Servers:
# tests/lab/mod_mail2.sh (slapd, vsftpd, mariadb with and without require_secure_transport);
# every one serves the good chain with TLS 1.2 and 1.3 only.
# Every expectation below was checked by hand against the same lab (LAB_PORT_BASE=26400):
#   openssl s_client -starttls ldap|ftp|mysql -connect 127.0.0.1:PORT -CAfile $LAB_CA
#     -> TLSv1.3, "Verify return code: 0 (ok)" on all four; with -tls1_2 TLSv1.2; with -tls1
#     or -tls1_1 (and -cipher 'DEFAULT:@SECLEVEL=0', the lab's empty openssl.cnf) no cipher:
#     the handshake fails.
#   vsftpd: printf 'FEAT\r\nQUIT\r\n' -> "211-Features:", " AUTH TLS", " EPRT", ..., "211 End"
#     (RFC 959 continuation lines without the code: src/starttls/starttls.c reads them since this test).
#   slapd RootDSE: supportedExtension 1.3.6.1.4.1.1466.20037 (StartTLS), SASL SCRAM-*, DIGEST-MD5,
#     CRAM-MD5, NTLM (what Debian's libsasl2 modules offer, so not asserted exactly).
#   mariadb --no-defaults -h 127.0.0.1 -P $LAB_PORT_MARIADB -u tlsprobe --skip-ssl -e 'select 1'
#     -> ERROR 1045 (28000): Access denied for user 'tlsprobe'@'127.0.0.1' (using password: NO)
#     while the same command with --ssl logs in (Ssl_version TLSv1.3): MariaDB 10.11 refuses
#     cleartext under require_secure_transport with a plain "access denied", not MySQL's 3159,
#     so the probe cannot tell it from a bad password and reports plaintext_accepted null.
#   The same --skip-ssl login on $LAB_PORT_MARIADB_PLAIN -> "1" (cleartext login works).
. "$(dirname "$0")/../lib.sh"

have() { [[ " $LAB_SERVERS " == *" $1 "* ]]; }

# run_one LABEL TARGET: one tlsprobe run (one endpoint), JSON report in $TP_OUT.
run_one() {
  tp "$1" --format json --ca-file "$LAB_CA" "$2"
}

# tls_over_starttls LABEL SERVICE: the upgrade works and every TLS fact comes over it.
tls_over_starttls() {
  local label=$1 service=$2 e='.endpoints[0]'
  assert_rc "$label: exit status 0" 0
  assert_jq "$label: endpoint" "$TP_OUT" "$e | [.status, .error, .service, .starttls]" "[\"ok\", null, \"$service\", true]"
  assert_jq "$label: versions over STARTTLS" "$TP_OUT" "$e | .facts.versions.accepted" '["TLSv1.2","TLSv1.3"]'
  assert_jq "$label: certificate over STARTTLS" "$TP_OUT" \
    "$e | .facts.certificate | [.status, .trust.verified, .name.matched]" '["ok", true, true]'
  assert_jq "$label: ciphers over STARTTLS" "$TP_OUT" "$e | .facts.ciphers.status" '"ok"'
}

# cleartext LABEL EXPECTED_JSON: the starttls facts that do not vary with the clock or the
# server's build.
cleartext() {
  assert_jq "$1: starttls facts" "$TP_OUT" \
    ".endpoints[0] | .facts.starttls | {status, applicable, protocol, implicit_tls, starttls_offered,
       auth_before_starttls, plaintext_accepted, error}" "$2"
}

H=localhost

if have slapd; then
  run_one slapd "ldap://$H:$LAB_PORT_SLAPD"
  tls_over_starttls slapd ldap
  cleartext slapd '{"status":"ok","applicable":true,"protocol":"ldap","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":null,"plaintext_accepted":null,"error":null}'
  assert_jq "slapd: RootDSE names StartTLS" "$TP_OUT" \
    '.endpoints[0].facts.starttls.capabilities | index("supportedExtension 1.3.6.1.4.1.1466.20037") != null' true
else
  skip "slapd" "not in this lab"
fi

if have vsftpd; then
  run_one vsftpd "ftp://$H:$LAB_PORT_VSFTPD"
  tls_over_starttls vsftpd ftp
  cleartext vsftpd '{"status":"ok","applicable":true,"protocol":"ftp","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":null,"plaintext_accepted":null,"error":null}'
  assert_jq "vsftpd: banner and FEAT" "$TP_OUT" '.endpoints[0].facts.starttls | [.banner, .capabilities]' \
    '["220 (vsFTPd 3.0.3)", ["AUTH TLS","EPRT","EPSV","MDTM","PASV","PBSZ","PROT","REST STREAM","SIZE","TVFS"]]'
else
  skip "vsftpd" "not in this lab"
fi

if have mariadb; then
  run_one mariadb "mysql://$H:$LAB_PORT_MARIADB"
  tls_over_starttls mariadb mysql
  cleartext mariadb '{"status":"ok","applicable":true,"protocol":"mysql","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":null,"plaintext_accepted":null,"error":null}'
  assert_jq "mariadb: evidence of the cleartext refusal" "$TP_OUT" '.endpoints[0].facts.starttls.plaintext_reply' \
    "\"ERROR 1045 (28000): Access denied for user 'tlsprobe'@'127.0.0.1' (using password: NO)\""
  assert_jq "mariadb: banner" "$TP_OUT" '.endpoints[0].facts.starttls.banner | test("^5\\.5\\.5-10\\.[0-9.]+-MariaDB")' true
else
  skip "mariadb" "not in this lab"
fi

if have mariadb_plain; then
  run_one mariadb_plain "mysql://$H:$LAB_PORT_MARIADB_PLAIN"
  tls_over_starttls mariadb_plain mysql
  cleartext mariadb_plain '{"status":"ok","applicable":true,"protocol":"mysql","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":null,"plaintext_accepted":true,"error":null}'
  assert_jq "mariadb_plain: evidence" "$TP_OUT" '.endpoints[0].facts.starttls.plaintext_reply' \
    '"OK: logged in without TLS"'
else
  skip "mariadb_plain" "not in this lab"
fi
