#!/usr/bin/env bash
# Full handshakes and raw hellos that hold on servers that drop some ClientHellos without a word
# (issue #11): the certificate, mtls and signatures probes against tests/lab/mod_enum.sh's
# servers (each closes on some hellos: a pick it cannot serve, too many suite codes, a size
# window, an unknown extension, refusals) and tests/lab/mod_handshakes.sh's (real servers that
# complete handshakes only for hellos they take). One full audit per server (--standard all
# --level 2): the chain served and its trust, the verdicts that rest on it (12.2.2, 9.2.1,
# 9.2.3, 9.2.4), the mtls facts and 12.1.3, the signature schemes and whether each version's
# list is complete, the hellos each probe saw dropped, and that no probe of the audit failed
# and no verdict is ERROR but where the server gives no way to learn the fact.
#
# How the expectations were checked by hand (OpenSSL 3.0, dovecot 2.3.19; OPENSSL_CONF=/dev/null):
#  - scripted servers (fake_server.py): they send ServerHello, the good leaf alone, a dummy
#    ServerKeyExchange signature and ServerHelloDone, so no OpenSSL handshake completes; the
#    chain is read from a raw hello's clear flight (leaf only: the intermediate comes from AIA),
#    and they never staple (no status_request in the ServerHello) nor ask for a client
#    certificate; they sign with rsa_pkcs1_sha256 whatever was offered.
#  - dovecot_pref: `openssl s_client -tls1_2 -cipher X` closes ("unexpected eof") for any list
#    with a DHE suite, and completes with ECDHE-RSA-AES256-GCM-SHA384 alone; -tls1_3 closes.
#  - relay64: its log names every hello it dropped (more than 64 suite codes); behind it nginx
#    with ssl_verify_client optional_no_ca (any client certificate or none gets 200).
. "$(dirname "$0")/../lib.sh"

GOOD_SHA=$(cert_sha256 "$LAB_PKI/good.pem")
AIA_FAIL="incomplete chain (completed via AIA): clients that do not fetch missing intermediates reject it"

in_lab() { [[ " $LAB_SERVERS " == *" $1 "* ]]; }

# run LABEL PORT: one full audit; sets E, C, M, S (the endpoint, its three probes' facts).
run() {
  LABEL=$1
  local t="localhost:$2"
  tp "$LABEL" --format json --standard all --level 2 --ca-file "$LAB_CA" "$t"
  E=$(ep "$t")
  C="$E.facts.certificate"
  M="$E.facts.mtls"
  S="$E.facts.signatures"
}

# check_cert SOURCE PROTOCOL CIPHER REDUCED DROPPED SERVED VIA_AIA STAPLED_JSON
check_cert() {
  assert_jq "$LABEL: certificate: source, protocol, suite, reduced hello, dropped hellos" "$TP_OUT" \
    "$C | [.status, .source, .handshake.protocol, .handshake.cipher, .handshake.reduced_hello, .dropped_hellos]" \
    "[\"ok\",\"$1\",\"$2\",\"$3\",$4,$5]"
  assert_jq "$LABEL: certificate: the good leaf, certificates served, trusted, completed via AIA" "$TP_OUT" \
    "$C | [.chain[0].sha256, .chain_analysis.served, .trust.verified, .chain_analysis.completed_via_aia]" \
    "[\"$GOOD_SHA\",$6,true,$7]"
  assert_jq "$LABEL: certificate: stapled, and the staple's verdict" "$TP_OUT" \
    "$C | [.ocsp_stapled, .ocsp_staple.verdict]" "$8"
}

# check_verdicts RESULTS_JSON: 12.2.2, 9.2.1, 9.2.3, 9.2.4, 12.1.3, in that order.
check_verdicts() {
  assert_jq "$LABEL: 12.2.2 9.2.1 9.2.3 9.2.4 12.1.3" "$TP_OUT" \
    "[\"12.2.2\", \"9.2.1\", \"9.2.3\", \"9.2.4\", \"12.1.3\"] as \$ids | [\$ids[] as \$i | $E.verdicts[] | select(.id == \$i) | .result]" "$1"
}

# check_mtls REQUESTED REQUIRED UNTRUSTED DROPPED BY_VERSION_JSON ([[name, requested, source]...])
check_mtls() {
  assert_jq "$LABEL: mtls: requested, required, accepts_untrusted, dropped hellos" "$TP_OUT" \
    "$M | [.status, .requested, .required, .accepts_untrusted, .dropped_hellos]" "[\"ok\",$1,$2,$3,$4]"
  assert_jq "$LABEL: mtls: per version, requested and where it was seen" "$TP_OUT" \
    "[$M.by_version | to_entries[] | [.key, .value.requested, .value.requested_source]]" "$5"
}

# check_sigs TLS12_JSON COMPLETE12 TLS13_JSON COMPLETE13 CONNECTIONS REUSED DROPPED
check_sigs() {
  assert_jq "$LABEL: signatures: TLS 1.2 schemes in the server's order, complete" "$TP_OUT" \
    "$S | [.status, .tls12, .tls12_complete]" "[\"ok\",$1,$2]"
  assert_jq "$LABEL: signatures: TLS 1.3 schemes in the server's order, complete" "$TP_OUT" \
    "$S | [.tls13, .tls13_complete]" "[$3,$4]"
  assert_jq "$LABEL: signatures: connections, reused answers, dropped hellos" "$TP_OUT" \
    "$S | [.connections, .reused_answers, .dropped_hellos]" "[$5,$6,$7]"
}

# check_audit ERROR_IDS_JSON: no probe failed, exactly these verdicts are ERROR, and no grade
# is withheld for want of the certificate.
check_audit() {
  assert_jq "$LABEL: every probe ok" "$TP_OUT" "[$E.facts | to_entries[] | select(.value.status != \"ok\") | .key]" '[]'
  assert_jq "$LABEL: ERROR verdicts" "$TP_OUT" "[$E.verdicts[] | select(.result == \"ERROR\") | .id]" "$1"
  assert_jq "$LABEL: the grade is not withheld for the certificate" "$TP_OUT" \
    "($E.grade.reason // \"\") | test(\"certificate\") | not" 'true'
}

ONLY12='[["TLSv1.2",false,"raw hello"]]'
SCRIPTED_VERDICTS='["FAIL","PASS","PASS","FAIL","NOT_APPLICABLE"]'
NOT_STAPLED='[false,"none"]'
RSA_ALL='["rsa_pss_rsae_sha256","rsa_pkcs1_sha256","rsa_pss_rsae_sha384","rsa_pkcs1_sha384","rsa_pss_rsae_sha512","rsa_pkcs1_sha512","rsa_sha224"]'
PSS3='["rsa_pss_rsae_sha256","rsa_pss_rsae_sha384","rsa_pss_rsae_sha512"]'

# ------------------------------------------------------------------------------- dovecot_dhe
# Client order, DHE listed without DH parameters, closes on refusals: OpenSSL's hellos pick
# ECDHE or TLS 1.3 and complete. Dropped: the ECDSA-only handshake (dovecot has no ECDSA
# certificate and closes instead of refusing), so whether a second leaf exists is unknown.
if in_lab dovecot_dhe; then
  run dovecot_dhe "$LAB_PORT_DOVECOT_DHE"
  check_cert handshake TLSv1.3 TLS_AES_256_GCM_SHA384 false 1 2 false "$NOT_STAPLED"
  assert_jq "$LABEL: one leaf, the ECDSA-only offer unanswered" "$TP_OUT" \
    "$C | [[.certificates[].found_with], .certificates_complete, .certificates_unanswered]" '[["default"],false,["ecdsa"]]'
  # No ECDSA leaf all the same: TLS 1.2's suites, enumerated to the end, hold no ECDSA suite.
  assert_jq "$LABEL: the grade is given (the ciphers prove there is no ECDSA leaf)" "$TP_OUT" \
    "$E.grade | [(.grade != null), .reason]" '[true,null]'
  check_verdicts '["PASS","PASS","PASS","FAIL","NOT_APPLICABLE"]'
  check_mtls false false null 0 '[["TLSv1.3",false,"handshake"],["TLSv1.2",false,"raw hello"]]'
  # TLS 1.2: the first hello is the versions probe's answer, six more schemes, then the hello
  # without RSA schemes closed (7); TLS 1.3: three schemes, then closed, not sent again: a full
  # TLS 1.3 handshake was answered, so the close is about the schemes (4).
  check_sigs "$RSA_ALL" false "$PSS3" false 11 1 2
  check_audit '[]'
else
  skip "dovecot_dhe" "not in this lab"
fi

# ------------------------------------------------------------------------------- poison
# Server order 0x009F 0x0033 (closes when it picks them) 0xC030 0xC013 0x009C 0x002F.
if in_lab poison; then
  run poison "$LAB_PORT_POISON"
  # OpenSSL's hello offers 0x009F: dropped; once more with TLSv1.2 and 0xC030 (the versions
  # probe's pick): answered, but a dummy signature ends it; the raw hello then starts from the
  # picks (a full offer was dropped) and asks for a staple: none.
  check_cert "raw hello" TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 true 1 1 true "$NOT_STAPLED"
  assert_jq "$LABEL: handshake_error says both tries" "$TP_OUT" \
    "$C.handshake_error | startswith(\"connection closed by the server during the handshake; then, offering only what the server was seen to pick: \")" 'true'
  assert_jq "$LABEL: 12.2.2: the leaf alone" "$TP_OUT" "[$E.verdicts[] | select(.id == \"12.2.2\") | .evidence]" "[\"$AIA_FAIL\"]"
  check_verdicts "$SCRIPTED_VERDICTS"
  # Nothing dropped: the versions probe's TLS 1.2 flight, read to ServerHelloDone, showed no
  # request, so neither the raw request hello (0x009F picked) nor OpenSSL's hello is sent.
  check_mtls false false null 0 "$ONLY12"
  # Every signed suite: 0x009F picked, dropped; 0xC030 alone: the versions probe's answer;
  # without rsa_pkcs1_sha256 it signs with it anyway (not offered): incomplete.
  check_sigs '["rsa_pkcs1_sha256"]' false null null 2 1 1
  check_audit '[]'
else
  skip "poison" "not in this lab"
fi

# ------------------------------------------------------------------------------- limit128 / limit64
# Only 0x0084 and 0x009C (RSA key exchange, client's order); closes on hellos of more than 128
# (64) suite codes. OpenSSL's list is 82 codes: limit128 takes it, limit64 gets the versions
# probe's pick alone at once (its learned limit), so nothing is dropped.
if in_lab limit128; then
  run limit128 "$LAB_PORT_LIMIT128"
  check_cert "raw hello" TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256 true 0 1 true "$NOT_STAPLED"
  check_verdicts "$SCRIPTED_VERDICTS"
  check_mtls false false null 0 "$ONLY12"
  # Every signed suite fits in 127: refused, no signed key exchange at all (complete).
  check_sigs null true null null 1 0 0
  check_audit '[]'
else
  skip "limit128" "not in this lab"
fi
if in_lab limit64; then
  run limit64 "$LAB_PORT_LIMIT64"
  check_cert "raw hello" TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256 true 0 1 true "$NOT_STAPLED"
  check_verdicts "$SCRIPTED_VERDICTS"
  check_mtls false false null 0 "$ONLY12"
  # The signed suites in two chunks of at most 63, both refused: none (complete).
  check_sigs null true null null 2 0 0
  check_audit '[]'
else
  skip "limit64" "not in this lab"
fi

# ------------------------------------------------------------------------------- sizewindow
# Drops hellos of 256..511 bytes: OpenSSL's padded hello (512) is answered now.
if in_lab sizewindow; then
  run sizewindow "$LAB_PORT_SIZEWINDOW"
  check_cert "raw hello" TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 false 0 1 true "$NOT_STAPLED"
  assert_jq "$LABEL: OpenSSL's hello was answered (not closed)" "$TP_OUT" \
    "$C.handshake_error | test(\"closed\") | not" 'true'
  check_verdicts "$SCRIPTED_VERDICTS"
  check_mtls false false null 0 "$ONLY12"
  check_sigs '["rsa_pkcs1_sha256"]' false null null 1 1 0
  check_audit '[]'
else
  skip "sizewindow" "not in this lab"
fi

# ------------------------------------------------------------------------------- extintolerant
# Drops hellos with extensions it does not know (status_request, padding, every TLS 1.3 one):
# the learned shape cuts them, so nothing is dropped, but no hello can ask for a staple: 9.2.4
# stays ERROR, the one fact this server gives no way to learn.
if in_lab extintolerant; then
  run extintolerant "$LAB_PORT_EXTINTOLERANT"
  check_cert "raw hello" TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 true 0 1 true '[null,null]'
  check_verdicts '["FAIL","PASS","PASS","ERROR","NOT_APPLICABLE"]'
  check_mtls false false null 0 "$ONLY12"
  check_sigs '["rsa_pkcs1_sha256"]' false null null 2 0 0
  check_audit '["9.2.4"]'
else
  skip "extintolerant" "not in this lab"
fi

# ------------------------------------------------------------------------------- closerefusal
# Server order 0x0033 (closes when picked) 0xC02F 0x009C, closes on refusals. The versions
# probe's ladder ended on its shape of old extensions only (a hello without 0x0033), so no
# hello asks for a staple either.
if in_lab closerefusal; then
  run closerefusal "$LAB_PORT_CLOSEREFUSAL"
  # OpenSSL: 0xC02F alone at once (the shape); raw: picks first, 0x0033 among them: dropped,
  # the ladder's next shape dropped, then 0xC02F alone.
  check_cert "raw hello" TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 true 2 1 true '[null,null]'
  check_verdicts '["FAIL","PASS","PASS","ERROR","NOT_APPLICABLE"]'
  # Nothing dropped: the versions probe's TLS 1.2 flight showed no request, so no hello is
  # sent (the raw one, picks first with 0x0033 among them, was dropped).
  check_mtls false false null 0 "$ONLY12"
  check_sigs '["rsa_pkcs1_sha256"]' false null null 3 0 1
  check_audit '["9.2.4"]'
else
  skip "closerefusal" "not in this lab"
fi

# ------------------------------------------------------------------------------- hangpick
# Server order 0xC030 0xC02F 0x009C, silent when it picks 0xC02F: every hello here gets 0xC030.
if in_lab hangpick; then
  run hangpick "$LAB_PORT_HANGPICK"
  check_cert "raw hello" TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 false 0 1 true "$NOT_STAPLED"
  check_verdicts "$SCRIPTED_VERDICTS"
  check_mtls false false null 0 "$ONLY12"
  check_sigs '["rsa_pkcs1_sha256"]' false null null 1 1 0
  check_audit '[]'
else
  skip "hangpick" "not in this lab"
fi

# ------------------------------------------------------------------------------- dovecot_pref
# dovecot, TLS 1.2 only, server order with DHE first and no DH parameters, closes on refusals:
# every hello that offers a DHE suite is dropped. OpenSSL's full hello is dropped; once more
# with ECDHE-RSA-AES256-GCM-SHA384 alone (the versions probe's pick) it completes: the whole
# chain, from a real handshake, and no staple.
if in_lab dovecot_pref; then
  run dovecot_pref "$LAB_PORT_DOVECOT_PREF"
  # Dropped: the full hello, and the ECDSA-only offer (no pick to send instead).
  check_cert handshake TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 true 2 2 false "$NOT_STAPLED"
  assert_jq "$LABEL: the RSA-only offer sent as the pick, the ECDSA-only one unanswered" "$TP_OUT" \
    "$C | [[.certificates[].found_with], .certificates_complete]" '[["default"],false]'
  check_verdicts '["PASS","PASS","PASS","FAIL","NOT_APPLICABLE"]'
  # Nothing dropped: the versions probe's TLS 1.2 flight showed no request, so neither the raw
  # request hello (a DHE suite first in the server's order) nor OpenSSL's full hello is sent.
  check_mtls false false null 0 "$ONLY12"
  # Every signed suite: dropped; the pick alone: the versions probe's answer; six more schemes;
  # the hello without RSA schemes closed (dovecot closes on refusals): incomplete.
  check_sigs '["rsa_pss_rsae_sha256","rsa_pss_rsae_sha384","rsa_pss_rsae_sha512","rsa_pkcs1_sha256","rsa_pkcs1_sha384","rsa_pkcs1_sha512","rsa_sha224"]' \
    false null null 8 1 2
  check_audit '[]'
else
  skip "dovecot_pref" "not in this lab"
fi

# ------------------------------------------------------------------------------- relay64
# A 64-code hello limit in front of nginx (TLS 1.2 + 1.3, optional_no_ca). The versions probe
# learns the limit, so every OpenSSL hello of the three probes is cut to it from the start
# (the full list is 82 codes): nothing is dropped, every fact is decided.
if in_lab relay64; then
  run relay64 "$LAB_PORT_RELAY64"
  check_cert handshake TLSv1.3 TLS_AES_256_GCM_SHA384 true 0 2 false "$NOT_STAPLED"
  assert_jq "$LABEL: both single-key-type offers answered" "$TP_OUT" "$C.certificates_complete" 'true'
  check_verdicts '["PASS","PASS","PASS","FAIL","FAIL"]'
  check_mtls true false true 0 '[["TLSv1.3",true,"handshake"],["TLSv1.2",true,"raw hello"]]'
  # TLS 1.2: 7 schemes and the refusal (8); TLS 1.3: 3 and the refusal (4).
  check_sigs "$RSA_ALL" true "$PSS3" true 12 0 0
  check_audit '[]'
  # The relay's log: the only hellos it dropped are the versions probe's (its full hello of
  # 354 codes and the ladder's 128), none of the three probes'.
  log=$LAB_DIR/logs/relay64.log
  from=$(wc -l <"$log")
  tp relay64-three --format json --probes certificate,mtls,signatures --ca-file "$LAB_CA" "localhost:$LAB_PORT_RELAY64"
  got=$(tail -n +"$((from + 1))" "$log" | grep -o 'dropped: [0-9]* cipher suite codes' | jq -R -s -c 'split("\n") | map(select(length > 0))')
  assert_eq "relay64: dropped only the versions probe's two long hellos" \
    '["dropped: 354 cipher suite codes","dropped: 128 cipher suite codes"]' "$got"
else
  skip "relay64" "not in this lab"
fi

