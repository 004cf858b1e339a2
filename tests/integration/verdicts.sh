#!/usr/bin/env bash
# Every requirement's verdict on lab servers built to pass it and to fail it (ASVS 5.0.0 V12 and
# 4.0.3 V9), with the evidence that makes it actionable. One inventory, one run.
. "$(dirname "$0")/../lib.sh"

INV=$TEST_TMP/verdicts.yaml
cat > "$INV" <<YAML
defaults:
  ca: $LAB_CA
targets:
  - { host: localhost, port: $LAB_PORT_NGINX, tags: [nginx] }
  - { host: localhost, port: $LAB_PORT_LEGACY, tags: [legacy] }
  - { host: localhost, port: $LAB_PORT_CIPHERS13, tags: [ciphers13] }
  - { host: localhost, port: $LAB_PORT_CIPHERS12, tags: [ciphers12] }
  - { host: localhost, port: $LAB_PORT_EXPIRED, tags: [expired] }
  - { host: localhost, port: $LAB_PORT_LEAFONLY, tags: [leafonly] }
  - { host: localhost, port: $LAB_PORT_NGINX_STAPLE_GOOD, tags: [staple_good] }
  - { host: localhost, port: $LAB_PORT_NGINX_STAPLE_REVOKED, tags: [staple_revoked] }
  - { host: localhost, port: $LAB_PORT_MUSTSTAPLE_NOSTAPLE, tags: [muststaple] }
  - { host: localhost, port: $LAB_PORT_WEB_HSTS, http_port: $LAB_PORT_WEB_HSTS_HTTP, tags: [web_hsts] }
  - { host: localhost, port: $LAB_PORT_WEB_NOHSTS, http_port: $LAB_PORT_WEB_NOHSTS_HTTP, tags: [web_nohsts] }
  - { host: localhost, port: $LAB_PORT_WEB_HSTS, http_port: $LAB_PORT_WEB_HSTS_HTTP, exposure: internal, tags: [web_internal] }
  - { host: localhost, port: $LAB_PORT_WEB_NOHSTS, http_port: $LAB_PORT_WEB_NOHSTS_HTTP, exposure: internal, tags: [web_nohsts_internal] }
  - { host: localhost, port: $LAB_PORT_MTLS_ON, exposure: internal, mtls: required, tags: [mtls_on] }
  - { host: localhost, port: $LAB_PORT_MTLS_OPTIONAL_NO_CA, exposure: internal, tags: [mtls_no_ca] }
  - { host: localhost, port: $LAB_PORT_INTERNAL, ca: $LAB_OTHER_CA, exposure: internal, tags: [internal_ca] }
  - { host: localhost, port: $LAB_PORT_INTERNAL, exposure: internal, tags: [internal_noca] }
  - { host: localhost, port: $LAB_PORT_SMTP_TLSAUTH, starttls: smtp, tags: [smtp_tlsauth] }
  - { host: localhost, port: $LAB_PORT_SMTP_AUTH, starttls: smtp, tags: [smtp_auth] }
  - { host: localhost, port: $LAB_PORT_SMTP_NOTLS, starttls: smtp, tags: [smtp_notls] }
  - { host: localhost, port: $LAB_PORT_PG_SSL_ONLY, starttls: postgres, tags: [pg_ssl_only] }
  - { host: localhost, port: $LAB_PORT_PG_PLAIN_OK, starttls: postgres, tags: [pg_plain_ok] }
  - { host: localhost, port: $LAB_PORT_SLAPD, starttls: ldap, tags: [slapd] }
  - { host: localhost, port: $LAB_PORT_VSFTPD, starttls: ftp, tags: [vsftpd] }
  - { host: localhost, port: $LAB_PORT_MARIADB, starttls: mysql, tags: [mariadb] }
  - { host: localhost, port: $LAB_PORT_MARIADB_PLAIN, starttls: mysql, tags: [mariadb_plain] }
YAML
tp verdicts --format json --standard all --level 3 -f "$INV"
# Every version's suites must be enumerated to the end before 12.1.2 / 9.1.2 can pass; the
# "enum" slice records that (ciphers.protocols[].complete). Without it they are ERROR, by
# design (man tlsprobe(1), VERDICTS), and so is the run's exit status.
if jq -e '[.endpoints[].facts.ciphers.protocols[]? | has("complete")] | all' "$TP_OUT" >/dev/null 2>&1; then
  COMPLETE=1
  assert_rc "verdicts run: exit 1 (failures on purpose)" 1
else
  COMPLETE=""
  assert_rc "verdicts run: exit 3 (suites not known complete: 12.1.2 ERROR)" 3
fi

# verdict TAG ID RESULT [EVIDENCE_SUBSTRING]
verdict() {
  local tag=$1 id=$2 want=$3 sub=${4:-}
  local sel=".endpoints[] | select(.tags == [\"$tag\"]) | .verdicts[] | select(.id == \"$id\")"
  if [ -n "$sub" ]; then
    assert_jq "$tag: $id $want (\"$sub\")" "$TP_OUT" "[$sel | .result, (.evidence | contains(\"$sub\"))]" "[\"$want\",true]"
  else
    assert_jq "$tag: $id $want" "$TP_OUT" "[$sel | .result]" "[\"$want\"]"
  fi
}

# 12.1.1 / 9.1.3 protocol versions
verdict nginx 12.1.1 PASS "only TLSv1.2 and TLSv1.3 accepted"
verdict legacy 12.1.1 FAIL "TLSv1.0 accepted"
verdict legacy 9.1.3 FAIL "TLSv1.1 accepted"
# 12.1.2 / 9.1.2 cipher suites (ciphers13: three recommended TLS 1.3 suites in server order)
if [ -n "$COMPLETE" ]; then
  verdict ciphers13 12.1.2 PASS "all recommended"
  verdict ciphers13 9.1.2 PASS
else
  verdict ciphers13 12.1.2 ERROR "TLSv1.3: the suites enumeration is not known to be complete"
  verdict ciphers13 9.1.2 ERROR "TLSv1.3: the suites enumeration is not known to be complete"
fi
# A weak suite found is a failure however incomplete the rest is.
verdict nginx 12.1.2 FAIL "(weak: CBC mode"
verdict ciphers12 9.1.2 FAIL "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (weak"
# 12.1.3 mTLS validated; 12.3.5 mutual authentication internally
verdict mtls_on 12.1.3 PASS "an untrusted one is rejected"
verdict mtls_no_ca 12.1.3 FAIL "accepts an untrusted, self-signed client certificate"
verdict nginx 12.1.3 NOT_APPLICABLE "does not request client certificates"
verdict mtls_on 12.3.5 PASS "required and validated"
verdict mtls_no_ca 12.3.5 FAIL
verdict nginx 12.3.5 NOT_APPLICABLE
# 12.1.4 / 9.2.4 revocation and stapling
verdict staple_good 12.1.4 PASS "valid OCSP staple (good"
verdict staple_revoked 12.1.4 FAIL "revoked"
verdict muststaple 12.1.4 FAIL "no OCSP staple although the certificate requires one (must-staple)"
verdict nginx 9.2.4 FAIL "no OCSP staple"
# 12.1.5 ECH: localhost has no HTTPS record (none is looked up) and no configuration was given:
# the user's to say, never a PASS
verdict nginx 12.1.5 MANUAL "no ECH configuration to try: no HTTPS record is looked up for localhost"
# 12.2.1 external HTTP, 12.3.3 internal HTTP
verdict web_hsts 12.2.1 PASS "redirects to HTTPS; HSTS max-age=63072000"
verdict web_nohsts 12.2.1 FAIL "does not upgrade to HTTPS"
verdict web_internal 12.2.1 NOT_APPLICABLE
verdict web_internal 12.3.3 PASS "redirects to HTTPS"
verdict web_nohsts_internal 12.3.3 FAIL "does not upgrade to HTTPS"
verdict web_hsts 12.3.3 NOT_APPLICABLE
# 12.2.2 public trust (the lab root stands for the public store), 9.2.1, 9.2.3
verdict nginx 12.2.2 PASS "chain trusted by file:"
verdict nginx 12.2.2 PASS "; not revoked (OCSP responder)"
verdict staple_good 12.2.2 PASS "; not revoked (valid OCSP staple)"
verdict expired 12.2.2 FAIL "certificate has expired"
# A revoked leaf is not a valid certificate (every route: revocation.sh)
verdict staple_revoked 12.2.2 FAIL "certificate revoked (stapled OCSP response, reason keyCompromise)"
verdict staple_revoked 9.2.1 FAIL "certificate revoked (stapled OCSP response, reason keyCompromise)"
verdict staple_revoked 9.2.3 FAIL "certificate revoked (stapled OCSP response, reason keyCompromise)"
verdict leafonly 12.2.2 FAIL "incomplete chain (completed via AIA)"
verdict expired 9.2.1 FAIL "certificate has expired"
verdict nginx 9.2.3 PASS "chain trusted by file:"
# 12.3.4 internal CA
verdict internal_ca 12.3.4 PASS "anchor CN=tlsprobe lab other root CA"
verdict internal_noca 12.3.4 FAIL "chain not trusted"
verdict nginx 12.3.4 NOT_APPLICABLE
# 12.3.1 / 9.2.2 / 9.1.1 no cleartext: STARTTLS services and databases
verdict smtp_tlsauth 12.3.1 PASS "requires STARTTLS before authentication"
verdict smtp_auth 12.3.1 FAIL "offers authentication before STARTTLS"
verdict smtp_notls 12.3.1 FAIL "does not offer STARTTLS"
verdict smtp_notls 12.1.1 FAIL "no TLS: the service does not offer STARTTLS"
verdict pg_ssl_only 9.2.2 PASS
verdict pg_plain_ok 9.2.2 FAIL "accepts clients without TLS"
verdict web_nohsts 9.1.1 FAIL "does not upgrade to HTTPS"
# What the cleartext dialogue cannot show is MANUAL, never PASS: slapd and vsftpd say nothing
# of logins before STARTTLS; MariaDB with require_secure_transport=ON answers a password-less
# cleartext login with 1045 (access denied), which does not say whether TLS is required.
verdict slapd 12.3.1 MANUAL "ldap: whether authentication is refused before STARTTLS cannot be seen"
verdict vsftpd 12.3.1 MANUAL "ftp: whether authentication is refused before STARTTLS cannot be seen"
verdict mariadb 9.2.2 MANUAL "mysql: whether clients without TLS are refused cannot be seen"
verdict mariadb 9.2.2 MANUAL "(the server answered: ERROR 1045"
verdict mariadb_plain 9.2.2 FAIL "mysql accepts clients without TLS"
# 12.3.2 / 9.2.5 cannot be observed: MANUAL with the reason
verdict nginx 12.3.2 MANUAL "cannot observe"
verdict nginx 9.2.5 MANUAL "cannot observe"
assert_jq "a cleartext-only SMTP server is a failure, not an error" "$TP_OUT" \
  '.endpoints[] | select(.tags == ["smtp_notls"]) | .result' '"FAIL"'
