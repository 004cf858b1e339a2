#!/usr/bin/env bash
# Issue #11, slice "certmtls": verdicts that must rest on what clients really do.
#  1. Chains are verified at OpenSSL's authentication security level 2 (Debian's default, so
#     curl's and every OpenSSL client's there): the SHA-1-signed leaf and the RSA-1024 leaf
#     (tests/lab/mod_cert.sh sha1 +42, weakkey +43) are not trusted, the evidence names the
#     weak element, and 12.2.2 / 9.2.1 FAIL. curl --cacert and openssl s_client
#     -verify_return_error (system openssl.cnf) are run here as the oracle.
#  2. chain_analysis.issues says what AIA completion did: nothing under --offline, nothing
#     without a caIssuers URL, a failed fetch (aia_404, tests/lab/mod_mutual.sh), issuers
#     fetched that still do not lead to a trusted anchor.
#  3. mTLS against servers that say nothing after the handshake (mod_mutual.sh: s_server
#     -verify 1 without -www, TLS 1.3 and 1.2) and servers that really refuse (-Verify 1
#     -verify_return_error): accepts_untrusted is true / false exactly. One that closes with
#     close_notify after every handshake leaves it unknown (null with the reason), never false
#     (12.1.3 for it is the rules' business: null must not PASS).
#  4. STARTTLS capability lists of any length (mod_mutual.sh: 70 EHLO extensions with STARTTLS
#     last, a 4.3 KiB IMAP CAPABILITY line), a real upgrade over each, and an EHLO reply that
#     never ends, which must end in an error at tlsprobe's 16 KiB bound, not in a verdict.
# Checked by hand against the same lab (LAB_PORT_BASE=25400, OpenSSL 3.0.19, curl 7.88):
#   curl --cacert $LAB_CA https://localhost:PORT/: sha1 and weakkey exit 60; nginx 200.
#   openssl s_client -CAfile $LAB_CA -verify_return_error: sha1 "verify error:num=68:CA
#     signature digest algorithm too weak", weakkey "num=66:EE certificate key too weak".
#   openssl s_client -cert U -key K (U self-signed) to mutual_silent13/12: the handshake
#     completes, nothing comes back; to mutual_reject13: "tlsv1 alert unknown ca" after the
#     handshake; to mutual_reject12: the same alert inside the handshake.
#   openssl s_client -starttls smtp (imap) to smtp_longehlo (imap_longcap): STARTTLS found,
#     TLSv1.3, verify 0; -tls1_2 -cipher ECDHE-RSA-AES128-SHA: handshake failure (40).
. "$(dirname "$0")/../lib.sh"

have() { [[ " $LAB_SERVERS " == *" $1 "* ]]; }
C=.facts.certificate
LEAF_SUBJ="CN=localhost,O=tlsprobe lab"
INT_SUBJ="CN=tlsprobe lab intermediate CA,O=tlsprobe lab"
ROOT_SUBJ="CN=tlsprobe lab root CA,O=tlsprobe lab"
STORE="file:$LAB_CA"
# verdict_is ID: [result, evidence] of that verdict of the endpoint $E.
verdict_is() { printf '%s | [.verdicts[] | select(.id == "%s") | [.result, .evidence]]' "$E" "$1"; }

# ---- 1. weak chains
if have sha1 && have weakkey && have nginx; then
  tp weak --format json --standard all --level 3 --ca-file "$LAB_CA" \
    "localhost:$LAB_PORT_SHA1" "localhost:$LAB_PORT_WEAKKEY" "localhost:$LAB_PORT_NGINX"
  SHA1_WHY="sha1WithRSAEncryption signature on $LEAF_SUBJ"
  E=$(ep "localhost:$LAB_PORT_SHA1")
  assert_jq "sha1: not trusted at auth level 2, the SHA-1 signature named" "$TP_OUT" \
    "$E$C.trust | [.verified, .error_code, .error_depth, .error, .auth_level, .weak, .anchor, .path]" \
    "[false,68,0,\"$SHA1_WHY (CA signature digest algorithm too weak)\",2,[\"$SHA1_WHY\"],null,
      [\"$LEAF_SUBJ\",\"$INT_SUBJ\",\"$ROOT_SUBJ\"]]"
  assert_jq "sha1: 12.2.2 FAIL naming the signature" "$TP_OUT" "$(verdict_is 12.2.2)" \
    "[[\"FAIL\",\"chain not trusted by $STORE: $SHA1_WHY (CA signature digest algorithm too weak)\"]]"
  assert_jq "sha1: 9.2.1 FAIL naming the signature" "$TP_OUT" "$(verdict_is 9.2.1) | map(.[0]), (.[0][1] | contains(\"$SHA1_WHY\"))" \
    '["FAIL"] true'
  assert_jq "sha1: chain as served is complete (weakness is not incompleteness)" "$TP_OUT" \
    "$E$C.chain_analysis | [.complete, .issues]" '[true,[]]'

  WEAK_WHY="leaf key RSA 1024 bits is below 2048"
  E=$(ep "localhost:$LAB_PORT_WEAKKEY")
  assert_jq "weakkey: not trusted at auth level 2, the key named" "$TP_OUT" \
    "$E$C.trust | [.verified, .error_code, .error_depth, .error, .auth_level, .weak]" \
    "[false,66,0,\"$WEAK_WHY (EE certificate key too weak)\",2,[\"$WEAK_WHY\"]]"
  assert_jq "weakkey: 12.2.2 FAIL naming the key" "$TP_OUT" "$(verdict_is 12.2.2)" \
    "[[\"FAIL\",\"chain not trusted by $STORE: $WEAK_WHY (EE certificate key too weak)\"]]"
  assert_jq "weakkey: 9.2.1 FAIL naming the key" "$TP_OUT" "$(verdict_is 9.2.1) | map(.[0]), (.[0][1] | contains(\"$WEAK_WHY\"))" \
    '["FAIL"] true'

  E=$(ep "localhost:$LAB_PORT_NGINX")
  assert_jq "nginx (RSA 2048, SHA-256): still trusted at auth level 2, nothing weak" "$TP_OUT" \
    "$E$C.trust | [.verified, .error, .auth_level, .weak]" '[true,null,2,[]]'
  assert_jq "nginx: 12.2.2 and 9.2.1 PASS" "$TP_OUT" "($(verdict_is 12.2.2)) + ($(verdict_is 9.2.1)) | map(.[0])" '["PASS","PASS"]'

  # The oracle: what curl and OpenSSL clients at Debian's default level say (system config).
  for case in "sha1:$LAB_PORT_SHA1:60:68" "weakkey:$LAB_PORT_WEAKKEY:60:66" "nginx:$LAB_PORT_NGINX:0:0"; do
    IFS=: read -r name port want_curl want_verify <<<"$case"
    curl -s -o /dev/null --max-time 10 --cacert "$LAB_CA" "https://localhost:$port/"
    assert_eq "oracle: curl --cacert to $name exits $want_curl" "$want_curl" "$?"
    got=$(timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$LAB_CA" \
          -verify_return_error </dev/null 2>&1 | sed -n 's/^verify error:num=\([0-9]*\):.*/\1/p' | head -n1)
    assert_eq "oracle: s_client -verify_return_error to $name: verify error ${want_verify/#0/none}" \
      "${want_verify/#0/}" "$got"
  done
else
  skip "weak chains" "sha1, weakkey or nginx not in this lab"
fi

# ---- 2. what AIA completion did, said exactly
INT_URL=$LAB_HTTP_URL/int.der
ROOT_URL=$LAB_HTTP_URL/root.der
if have leafonly && have http; then
  T="localhost:$LAB_PORT_LEAFONLY"
  tp aia-offline --format json --offline --ca-file "$LAB_CA" "$T"
  E=$(ep "$T")
  assert_jq "leafonly --offline: nothing fetched, and the issue says so" "$TP_OUT" \
    "$E$C.chain_analysis | [.complete, .completed_via_aia, .aia_fetched, .issues]" \
    '[false,false,[],["issuer not served and not fetched (--offline)"]]'

  # Against the other root: the intermediate and the root both come from AIA, and the path
  # still ends on an anchor the store does not hold.
  tp aia-other-root --format json --ca-file "$LAB_OTHER_CA" "$T"
  assert_jq "leafonly, other root: two issuers fetched, still not trusted" "$TP_OUT" \
    "$E$C.chain_analysis | [.complete, .completed_via_aia, .aia_fetched, .issues]" \
    "[false,false,[\"$INT_URL\",\"$ROOT_URL\"],[\"incomplete chain (2 issuer(s) fetched via AIA, still not trusted)\"]]"
  assert_jq "leafonly, other root: the fetched root is not an anchor (19)" "$TP_OUT" \
    "$E$C.trust | [.verified, .error_code, .path]" "[false,19,[\"$LEAF_SUBJ\",\"$INT_SUBJ\",\"$ROOT_SUBJ\"]]"
else
  skip "AIA: leafonly" "leafonly or http not in this lab"
fi
if have internal; then
  T="localhost:$LAB_PORT_INTERNAL"
  tp aia-nourl --format json --ca-file "$LAB_CA" "$T"
  E=$(ep "$T")
  assert_jq "internal against the lab root: no caIssuers URL, nothing fetched, said so" "$TP_OUT" \
    "$E$C.chain_analysis | [.complete, .aia_fetched, .issues]" \
    '[false,[],["issuer not served and not found via AIA: no AIA caIssuers URL to fetch it from"]]'
else
  skip "AIA: internal" "internal not in this lab"
fi
if have aia_404 && have http; then
  T="localhost:$LAB_PORT_AIA_404"
  tp aia-404 --format json --ca-file "$LAB_CA" "$T"
  E=$(ep "$T")
  assert_jq "aia_404: the fetch failed with 404, and the issue says so" "$TP_OUT" \
    "$E$C.chain_analysis | [.complete, .completed_via_aia, .aia_fetched, .issues]" \
    "[false,false,[\"$LAB_AIA_404_URL\"],[\"issuer not served and not found via AIA: fetching $LAB_AIA_404_URL gave HTTP 404\"]]"
  assert_jq "aia_404: not trusted (20: unable to get local issuer)" "$TP_OUT" "$E$C.trust | [.verified, .error_code]" '[false,20]'
  assert_file_contains "aia_404: the lab's http server logged the request" "$LAB_DIR/logs/http.log" '"GET /missing-int.der '
else
  skip "AIA: aia_404" "aia_404 or http not in this lab"
fi

# ---- 3. mTLS: silence after the handshake is acceptance; refusals are alerts
if have mutual_silent13 && have mutual_silent12 && have mutual_reject13 && have mutual_reject12 &&
   have mutual_closes13; then
  # A client certificate from the lab root (what the reject servers trust).
  (
    export OPENSSL_CONF=/dev/null
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TEST_TMP/client.key" &&
      openssl req -new -key "$TEST_TMP/client.key" -subj "/CN=tlsprobe field client" -out "$TEST_TMP/client.csr" &&
      printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=clientAuth" > "$TEST_TMP/client.ext" &&
      openssl x509 -req -in "$TEST_TMP/client.csr" -CA "$LAB_PKI/root.pem" -CAkey "$LAB_PKI/root.key" \
        -set_serial 0x11c3 -days 1 -sha256 -extfile "$TEST_TMP/client.ext" -out "$TEST_TMP/client.pem"
  ) >"$TEST_TMP/client.log" 2>&1 || not_ok "mtls: client certificate made" "$(oneline "$(cat "$TEST_TMP/client.log")")"
  INV=$TEST_TMP/mutual.yaml
  cat > "$INV" <<EOF
targets:
  - { host: localhost, port: $LAB_PORT_MUTUAL_SILENT13, http_port: $LAB_PORT_REFUSED }
  - { host: localhost, port: $LAB_PORT_MUTUAL_SILENT12, http_port: $LAB_PORT_REFUSED }
  - { host: localhost, port: $LAB_PORT_MUTUAL_REJECT13, http_port: $LAB_PORT_REFUSED,
      client_cert: $TEST_TMP/client.pem, client_key: $TEST_TMP/client.key }
  - { host: localhost, port: $LAB_PORT_MUTUAL_REJECT12, http_port: $LAB_PORT_REFUSED,
      client_cert: $TEST_TMP/client.pem, client_key: $TEST_TMP/client.key }
  - { host: localhost, port: $LAB_PORT_MUTUAL_CLOSES13, http_port: $LAB_PORT_REFUSED }
EOF
  # --per-host 1: s_server serves one connection at a time, and a silent one holds it for the
  # whole wait; a second connection at once would only queue behind it.
  tp mutual --format json --level 3 --per-host 1 --ca-file "$LAB_CA" -f "$INV"
  M=.facts.mtls
  TOP='[.status, .requested, .required, .accepts_untrusted, .untrusted_evidence]'
  SILENT="handshake completed; no alert and no HTTP answer within 3.0 s"
  for v in 13:TLSv1.3 12:TLSv1.2; do
    E=$(ep "localhost:$(eval echo "\$LAB_PORT_MUTUAL_SILENT${v%%:*}")")
    assert_jq "silent ${v#*:}: requested, optional, untrusted certificate accepted" "$TP_OUT" "$E$M | $TOP" \
      "[\"ok\",true,false,true,\"${v#*:}: self-signed certificate: $SILENT\"]"
    assert_jq "silent ${v#*:}: per-version evidence" "$TP_OUT" \
      "$E$M.by_version | keys, (.[] | [.required_evidence, .untrusted_evidence])" \
      "[\"${v#*:}\"] [\"without a certificate: $SILENT\",\"self-signed certificate: $SILENT\"]"
    assert_jq "silent ${v#*:}: 12.1.3 FAIL" "$TP_OUT" "$(verdict_is 12.1.3)" \
      '[["FAIL","the server accepts an untrusted, self-signed client certificate"]]'
  done
  E=$(ep "localhost:$LAB_PORT_MUTUAL_REJECT13")
  assert_jq "reject TLSv1.3: required, untrusted refused by an alert after the handshake" "$TP_OUT" "$E$M | $TOP" \
    '["ok",true,true,false,"TLSv1.3: self-signed certificate: alert unknown_ca(48) after the handshake"]'
  assert_jq "reject TLSv1.3: no certificate refused with certificate_required" "$TP_OUT" \
    "$E$M.by_version[\"TLSv1.3\"].required_evidence" '"without a certificate: alert certificate_required(116) after the handshake"'
  assert_jq "reject TLSv1.3: the lab root's client certificate is let in (no alert)" "$TP_OUT" \
    "($E$M.configured_cert | [.accepted, .error]), $E$M.by_version[\"TLSv1.3\"].configured_evidence" \
    "[true,null] \"configured certificate: $SILENT\""
  assert_jq "reject TLSv1.3: 12.1.3 PASS" "$TP_OUT" "$(verdict_is 12.1.3)" \
    '[["PASS","client certificates requested and required; an untrusted one is rejected"]]'
  E=$(ep "localhost:$LAB_PORT_MUTUAL_REJECT12")
  assert_jq "reject TLSv1.2: required, untrusted refused inside the handshake" "$TP_OUT" "$E$M | $TOP" \
    '["ok",true,true,false,"TLSv1.2: self-signed certificate: handshake failed: tlsv1 alert unknown ca; alert received: unknown CA (48)"]'
  assert_jq "reject TLSv1.2: the lab root's client certificate is let in" "$TP_OUT" "$E$M.configured_cert | [.accepted, .error]" '[true,null]'
  assert_jq "reject TLSv1.2: 12.1.3 PASS" "$TP_OUT" "$(verdict_is 12.1.3) | map(.[0])" '["PASS"]'
  # close_notify right after every handshake: neither a refusal nor an acceptance.
  CLOSED="handshake completed; then the server closed the connection (close_notify) without a refusing alert or an HTTP answer"
  E=$(ep "localhost:$LAB_PORT_MUTUAL_CLOSES13")
  assert_jq "closes TLSv1.3: required and accepts_untrusted unknown (null), with the reason" "$TP_OUT" "$E$M | $TOP" \
    "[\"ok\",true,null,null,\"TLSv1.3: self-signed certificate: $CLOSED\"]"
  assert_jq "closes TLSv1.3: the attempt without a certificate is unknown too" "$TP_OUT" \
    "$E$M.by_version[\"TLSv1.3\"] | [.required, .required_evidence]" "[null,\"without a certificate: $CLOSED\"]"
else
  skip "mTLS silent / reject servers" "mutual_* not in this lab"
fi

# ---- 3b. mTLS: what does not say it is about the certificate is no refusal (review of issue #11)
#   mutual_noca403: nginx asks for a certificate, checks none, and answers 403 to everyone;
#   relaystall: a relay loses everything the client sends after its hello, so every full
#   handshake times out after the CertificateRequest. Both were read as "untrusted rejected".
if have mutual_noca403 && have relaystall; then
  tp mutual_unknown --format json --level 2 --per-host 1 --ca-file "$LAB_CA" \
    "localhost:$LAB_PORT_MUTUAL_NOCA403" "localhost:$LAB_PORT_RELAYSTALL"
  M=.facts.mtls
  TOP='[.status, .requested, .required, .accepts_untrusted, .untrusted_evidence]'
  NOT_CERT="handshake completed; HTTP 403 (403 Forbidden): a refusal that does not say it is about the certificate"
  E=$(ep "localhost:$LAB_PORT_MUTUAL_NOCA403")
  assert_jq "noca403: a bare 403 leaves required and accepts_untrusted unknown" "$TP_OUT" "$E$M | $TOP" \
    "[\"ok\",true,null,null,\"TLSv1.3: self-signed certificate: $NOT_CERT; TLSv1.2: self-signed certificate: $NOT_CERT\"]"
  assert_jq "noca403: 12.1.3 ERROR, never PASS" "$TP_OUT" "$(verdict_is 12.1.3) | map(.[0])" '["ERROR"]'
  E=$(ep "localhost:$LAB_PORT_RELAYSTALL")
  assert_jq "relaystall: a handshake that times out is no refusal" "$TP_OUT" "$E$M | $TOP" \
    '["ok",true,null,null,"TLSv1.2: self-signed certificate: handshake failed: handshake timed out: server sent nothing for 3.0 s"]'
  assert_jq "relaystall: 12.1.3 ERROR, never PASS" "$TP_OUT" "$(verdict_is 12.1.3) | map(.[0])" '["ERROR"]'
else
  skip "mTLS unknown refusals" "mutual_noca403 or relaystall not in this lab"
fi

# ---- 4. STARTTLS capability lists of any length
if have mutual_starttls; then
  S=smtp://127.0.0.1:$LAB_PORT_SMTP_LONGEHLO
  I=imap://127.0.0.1:$LAB_PORT_IMAP_LONGCAP
  X=smtp://127.0.0.1:$LAB_PORT_SMTP_ENDLESS
  tp starttls-long --format json --level 2 --ca-file "$LAB_CA" "$S" "$I" "$X"
  TLS12='["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256","TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]'
  TLS13='["TLS_AES_128_GCM_SHA256","TLS_AES_256_GCM_SHA384","TLS_CHACHA20_POLY1305_SHA256"]'
  # over_starttls LABEL: versions, suites and the certificate found over the upgrade.
  over_starttls() {
    assert_jq "$1: TLSv1.2 and TLSv1.3 over STARTTLS" "$TP_OUT" "$E.facts.versions.accepted" '["TLSv1.2","TLSv1.3"]'
    assert_jq "$1: the configured suites, per version" "$TP_OUT" \
      "[$E.facts.ciphers.protocols[] | [.name, ([.suites[].name] | sort)]]" "[[\"TLSv1.2\",$TLS12],[\"TLSv1.3\",$TLS13]]"
    assert_jq "$1: certificate trusted over STARTTLS" "$TP_OUT" "$E$C | [.status, .trust.verified]" '["ok",true]'
    assert_jq "$1: 12.1.1 and 12.3.1 PASS" "$TP_OUT" \
      "[$E.verdicts[] | select(.id == \"12.1.1\" or .id == \"12.3.1\") | .result]" '["PASS","PASS"]'
  }
  E=$(ep "$S")
  assert_jq "smtp 70 extensions: STARTTLS (the 70th) found" "$TP_OUT" \
    "$E.facts.starttls | [.status, .starttls_offered, .auth_before_starttls, (.capabilities | length), .capabilities[0], .capabilities[-1], .error]" \
    '["ok",true,false,70,"X-LAB-EXT-01 PARAM-01","STARTTLS",null]'
  over_starttls "smtp 70 extensions"
  E=$(ep "$I")
  assert_jq "imap 4.3 KiB CAPABILITY: every atom, STARTTLS found" "$TP_OUT" \
    "$E.facts.starttls | [.status, .starttls_offered, .auth_before_starttls, (.capabilities | length), .capabilities[-3:], .error]" \
    '["ok",true,false,203,["X-LAB-CAPABILITY-199","STARTTLS","LOGINDISABLED"],null]'
  over_starttls "imap long CAPABILITY"
  E=$(ep "$X")
  assert_jq "smtp endless EHLO: an error at the 16 KiB bound, nothing concluded" "$TP_OUT" \
    "$E.facts.starttls | [.status, .starttls_offered, .auth_before_starttls, .error]" \
    '["error",null,null,"EHLO reply: reply too long (over 16384 bytes)"]'
  assert_jq "smtp endless EHLO: 12.1.1 and 12.3.1 ERROR" "$TP_OUT" \
    "[$E.verdicts[] | select(.id == \"12.1.1\" or .id == \"12.3.1\") | .result]" '["ERROR","ERROR"]'
else
  skip "long STARTTLS capability lists" "mutual_starttls not in this lab"
fi

