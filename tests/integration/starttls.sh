#!/usr/bin/env bash
# STARTTLS services (issue #5): every probe runs over the upgraded connection, and the
# starttls probe reports what the cleartext side offers. Servers: tests/lab/mod_mail.sh.
# Every expectation below was checked by hand against the same lab:
#   openssl s_client -starttls smtp -connect 127.0.0.1:$LAB_PORT_SMTP_AUTH -CAfile $LAB_CA
#     -> "Verify return code: 0 (ok)" (likewise imap/pop3/postgres/ldap/mysql on their ports)
#   bash: exec 3<>/dev/tcp/127.0.0.1/PORT; printf 'EHLO x\r\nQUIT\r\n' >&3; cat <&3
#     smtp_auth: "250-AUTH PLAIN LOGIN" and "250-STARTTLS"; smtp_tlsauth: STARTTLS, no AUTH;
#     smtp_notls: neither (openssl s_client -starttls smtp: "Didn't find STARTTLS")
#   IMAP "a CAPABILITY": dovecot lists STARTTLS AUTH=PLAIN AUTH=LOGIN, no LOGINDISABLED
#     (loopback is "secured" for dovecot); the scripted one STARTTLS LOGINDISABLED
#   POP3 "CAPA": STLS, USER, SASL PLAIN LOGIN
#   psql "host=127.0.0.1 port=$LAB_PORT_PG_SSL_ONLY user=postgres sslmode=disable"
#     -> FATAL: no pg_hba.conf entry for host "127.0.0.1", ..., no encryption
#   psql "... port=$LAB_PORT_PG_PLAIN_OK ... sslmode=disable" -c 'select 1' -> 1
. "$(dirname "$0")/../lib.sh"

have() { [[ " $LAB_SERVERS " == *" $1 "* ]]; }

# run_one LABEL TARGET: one tlsprobe run, JSON report in $TP_OUT.
run_one() {
  tp "$1" --format json --ca-file "$LAB_CA" "$2"
}

# tls_over_starttls LABEL TARGET SERVICE: versions and certificate work over the upgrade.
tls_over_starttls() {
  local label=$1 target=$2 service=$3 e
  e=$(ep "$target")
  assert_jq "$label: service" "$TP_OUT" "$e | [.service, .starttls]" "[\"$service\", true]"
  assert_jq "$label: versions over STARTTLS" "$TP_OUT" "$e | .facts.versions.accepted" '["TLSv1.2","TLSv1.3"]'
  assert_jq "$label: certificate over STARTTLS" "$TP_OUT" \
    "$e | .facts.certificate | [.status, .trust.verified, .name.matched]" '["ok", true, true]'
  assert_jq "$label: ciphers over STARTTLS" "$TP_OUT" "$e | .facts.ciphers.status" '"ok"'
}

# cleartext LABEL TARGET EXPECTED_JSON: the starttls facts that do not vary with the clock.
cleartext() {
  assert_jq "$1: starttls facts" "$TP_OUT" \
    "$(ep "$2") | .facts.starttls | {status, applicable, protocol, implicit_tls, starttls_offered,
       auth_before_starttls, auth_mechanisms_cleartext, plaintext_accepted, error}" "$3"
}

H=127.0.0.1

if have exim; then
  t=smtp://$H:$LAB_PORT_SMTP_AUTH
  run_one smtp_auth "$t"
  # Level 1 scores no STARTTLS requirement (12.3.1 is level 2, checked in verdicts.sh).
  assert_rc "smtp_auth: exit status 0 at level 1" 0
  tls_over_starttls smtp_auth "$t" smtp
  cleartext smtp_auth "$t" '{"status":"ok","applicable":true,"protocol":"smtp","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":true,"auth_mechanisms_cleartext":["PLAIN","LOGIN"],
    "plaintext_accepted":null,"error":null}'
  assert_jq "smtp_auth: banner" "$TP_OUT" "$(ep "$t") | .facts.starttls.banner | startswith(\"220 mail.lab.test ESMTP Exim\")" true

  t=smtp://$H:$LAB_PORT_SMTP_TLSAUTH
  run_one smtp_tlsauth "$t"
  tls_over_starttls smtp_tlsauth "$t" smtp
  cleartext smtp_tlsauth "$t" '{"status":"ok","applicable":true,"protocol":"smtp","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":false,"auth_mechanisms_cleartext":[],
    "plaintext_accepted":null,"error":null}'

  # No STARTTLS: every TLS probe fails with the reason, the cleartext facts still come. The
  # server was reached and speaks only cleartext: a failed requirement (exit 1), not an error.
  t=smtp://$H:$LAB_PORT_SMTP_NOTLS
  run_one smtp_notls "$t"
  assert_rc "smtp_notls: exit status 1 (cleartext only is a failure)" 1
  assert_jq "smtp_notls: endpoint reached, result FAIL" "$TP_OUT" "$(ep "$t") | [.status, .error, .result]" \
    '["ok", null, "FAIL"]'
  assert_jq "smtp_notls: versions error" "$TP_OUT" "$(ep "$t") | .facts.versions.error" \
    '"no connection could be made: connect failed: STARTTLS not offered"'
  cleartext smtp_notls "$t" '{"status":"ok","applicable":true,"protocol":"smtp","implicit_tls":false,
    "starttls_offered":false,"auth_before_starttls":false,"auth_mechanisms_cleartext":[],
    "plaintext_accepted":null,"error":null}'
else
  skip "smtp (exim)" "exim not in this lab"
fi

if have dovecot; then
  t=imap://$H:$LAB_PORT_IMAP
  run_one imap "$t"
  tls_over_starttls imap "$t" imap
  cleartext imap "$t" '{"status":"ok","applicable":true,"protocol":"imap","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":true,"auth_mechanisms_cleartext":["PLAIN","LOGIN"],
    "plaintext_accepted":null,"error":null}'
  assert_jq "imap: banner" "$TP_OUT" "$(ep "$t") | .facts.starttls.banner | endswith(\"Dovecot (Debian) ready.\")" true

  t=pop3://$H:$LAB_PORT_POP3
  run_one pop3 "$t"
  tls_over_starttls pop3 "$t" pop3
  cleartext pop3 "$t" '{"status":"ok","applicable":true,"protocol":"pop3","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":true,"auth_mechanisms_cleartext":["PLAIN","LOGIN"],
    "plaintext_accepted":null,"error":null}'
  assert_jq "pop3: capabilities" "$TP_OUT" "$(ep "$t") | .facts.starttls.capabilities | index(\"USER\") != null and index(\"STLS\") != null" true
else
  skip "imap/pop3 (dovecot)" "dovecot not in this lab"
fi

if have pg_ssl_only; then
  t=postgres://$H:$LAB_PORT_PG_SSL_ONLY
  run_one pg_ssl_only "$t"
  assert_rc "pg_ssl_only: exit status" 0
  tls_over_starttls pg_ssl_only "$t" postgres
  cleartext pg_ssl_only "$t" '{"status":"ok","applicable":true,"protocol":"postgres","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":null,"auth_mechanisms_cleartext":null,
    "plaintext_accepted":false,"error":null}'
  assert_jq "pg_ssl_only: evidence" "$TP_OUT" "$(ep "$t") | .facts.starttls.plaintext_reply" \
    '"FATAL 28000: no pg_hba.conf entry for host \"127.0.0.1\", user \"tlsprobe\", database \"tlsprobe\", no encryption"'
else
  skip "pg_ssl_only" "not in this lab"
fi

if have pg_plain_ok; then
  t=postgres://$H:$LAB_PORT_PG_PLAIN_OK
  run_one pg_plain_ok "$t"
  tls_over_starttls pg_plain_ok "$t" postgres
  cleartext pg_plain_ok "$t" '{"status":"ok","applicable":true,"protocol":"postgres","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":null,"auth_mechanisms_cleartext":null,
    "plaintext_accepted":true,"error":null}'
  assert_jq "pg_plain_ok: evidence" "$TP_OUT" "$(ep "$t") | .facts.starttls.plaintext_reply" \
    '"authentication request: ok (0)"'
else
  skip "pg_plain_ok" "not in this lab"
fi

if have starttls_fake; then
  t=imap://$H:$LAB_PORT_IMAP_STRICT
  run_one imap_strict "$t"
  tls_over_starttls imap_strict "$t" imap
  cleartext imap_strict "$t" '{"status":"ok","applicable":true,"protocol":"imap","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":false,"auth_mechanisms_cleartext":[],
    "plaintext_accepted":null,"error":null}'

  t=ldap://$H:$LAB_PORT_LDAP
  run_one ldap "$t"
  tls_over_starttls ldap "$t" ldap
  cleartext ldap "$t" '{"status":"ok","applicable":true,"protocol":"ldap","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":null,"auth_mechanisms_cleartext":["EXTERNAL"],
    "plaintext_accepted":null,"error":null}'

  t=mysql://$H:$LAB_PORT_MYSQL
  run_one mysql "$t"
  tls_over_starttls mysql "$t" mysql
  cleartext mysql "$t" '{"status":"ok","applicable":true,"protocol":"mysql","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":null,"auth_mechanisms_cleartext":null,
    "plaintext_accepted":false,"error":null}'
  assert_jq "mysql: banner" "$TP_OUT" "$(ep "$t") | .facts.starttls.banner" '"8.0.36-tlsprobe-lab"'

  # XMPP (RFC 6120): stream, features with <starttls><required/>, <proceed/>, then TLS.
  t=xmpp://$H:$LAB_PORT_XMPP
  run_one xmpp "$t"
  assert_rc "xmpp: exit status 0" 0
  tls_over_starttls xmpp "$t" xmpp
  cleartext xmpp "$t" '{"status":"ok","applicable":true,"protocol":"xmpp","implicit_tls":false,
    "starttls_offered":true,"auth_before_starttls":false,"auth_mechanisms_cleartext":[],
    "plaintext_accepted":null,"error":null}'
  assert_jq "xmpp: features" "$TP_OUT" "$(ep "$t") | .facts.starttls.capabilities" '["starttls required"]'

  # STARTTLS injection: each server agrees to upgrade and, in the same write, sends cleartext
  # bytes a naive client would take for the start of the TLS handshake. Every protocol,
  # the binary ones (LDAP, MySQL, PostgreSQL) too, must refuse them: no TLS fact may come from
  # such a connection, and the endpoint is an error (exit 3), not a pass.
  for svc in imap:IMAP_INJECT ldap:LDAP_INJECT mysql:MYSQL_INJECT postgres:POSTGRES_INJECT; do
    port_var=LAB_PORT_${svc#*:}
    t=${svc%%:*}://$H:${!port_var}
    run_one "${svc%%:*}_inject" "$t"
    assert_rc "${svc%%:*}_inject: exit status 3" 3
    assert_jq "${svc%%:*}_inject: injected bytes refused" "$TP_OUT" "$(ep "$t") | [.result, .facts.versions.error, .facts.versions.accepted]" \
      '["ERROR", "no connection could be made: connect failed: server sent 10 unexpected bytes after agreeing to STARTTLS", []]'
  done
else
  skip "imap_strict/ldap/mysql/xmpp/injection (scripted)" "starttls_fake not in this lab"
fi

# Implicit TLS: no cleartext side, no extra connection. Any TLS server will do; the probe
# does not connect for it, so a refused port still gives the fact.
t=imaps://$H:$LAB_PORT_REFUSED
run_one imaps "$t"
assert_jq "imaps: implicit TLS fact" "$TP_OUT" "$(ep "$t") | .facts.starttls | del(.duration_ms)" \
  '{"applicable":true,"protocol":"imap","implicit_tls":true,"status":"ok"}'

# A plain host:port (HTTPS by its port or none) is not this probe's.
t=$H:$LAB_PORT_REFUSED
run_one plain "$t"
assert_jq "plain target: not applicable" "$TP_OUT" "$(ep "$t") | .facts.starttls | del(.duration_ms)" \
  '{"status":"ok","applicable":false}'
