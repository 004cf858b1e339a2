#!/usr/bin/env bash
# Makes the lab PKI at test time with the openssl CLI, so no key or certificate is ever
# committed and nothing expires in the repository:
#   root CA -> intermediate CA -> leaves (good, expired, wrongname and the issue #4 leaves below);
#   a self-signed leaf; and an unrelated "other root" CA with one leaf, internal.
# The CA-issued certificates carry AIA (OCSP + caIssuers) and CRL distribution point URLs on
# loopback ports derived from LAB_PORT_BASE (default 24400), served by tests/lab/mod_cert.sh:
#   http://127.0.0.1:BASE+60/{root.der,int.der,int.crl,root.crl}   static HTTP server
#   http://127.0.0.1:BASE+61                                         OCSP for the intermediate's leaves
#   http://127.0.0.1:BASE+62                                         OCSP for the root's (the intermediate)
# The base used is written to DIR/pki/port_base; start.sh remakes the PKI when it differs.
# (Files are read by the running lab, so remake a PKI only while its lab is stopped.)
# Usage: [LAB_PORT_BASE=N] tests/lab/pki.sh [DIR]   (default: $LAB_DIR, else a new mktemp dir; the dir is printed)
# Files (in DIR/pki unless noted):
#   DIR/ca.pem                     root CA only (the trust anchor tests pass with --ca-file)
#   DIR/other-ca.pem               the other root CA only (anchor of the internal leaf)
#   DIR/http/                      what the HTTP server serves: root.der int.der (DER certificates),
#                                  int.crl root.crl (DER CRLs, 30 days)
#   root.pem intermediate.pem other-root.pem   CA certificates (+ .key)
#   <leaf>.pem <leaf>.key          leaf certificate / key, <leaf> one of
#       good        RSA 2048, 365 days, SAN localhost good.lab.test 127.0.0.1, EKU serverAuth, AIA + CRL DP
#       expired     as good, valid 2020-01-01 .. 2021-01-01
#       wrongname   SAN wrong.example only
#       selfsigned  self-signed, no AIA / CRL DP
#       revoked     as good; revoked (keyCompromise) in the intermediate's index and in int.crl
#       crlonly     as good but AIA has caIssuers only (no OCSP URL); revoked (keyCompromise) in int.crl
#       muststaple  as good plus TLS Feature status_request (RFC 7633 must-staple)
#       longvalid   as good, 825 days
#       ecdsa       P-256 key, same names and extensions as good
#       sha1        as good, signed sha1WithRSAEncryption
#       weakkey     as good, RSA 1024
#       nosan_eku   as good (same SANs) but EKU clientAuth only (no serverAuth)
#       internal    issued by the other root; SAN localhost internal.lab.test 127.0.0.1; no AIA / CRL DP
#   <leaf>-chain.pem               leaf + intermediate (selfsigned and internal: the leaf alone)
#   <leaf>.spki-sha256             base64 SHA-256 of the leaf's SubjectPublicKeyInfo (the HPKP/pin form)
#   good.der                       the good leaf in DER (the scripted SSLv2/SSLv3 servers send it)
#   int-db/ root-db/ other-db/     each CA's `openssl ca` database (index.txt: the OCSP responder's -index)
#   dh-ffdhe2048.pem               DH parameters: the RFC 7919 ffdhe2048 group (a well-known group)
#   dh1024.pem                     DH parameters: a fresh 1024-bit group (custom, weak)
#   port_base                      the LAB_PORT_BASE the URLs were made for
set -euo pipefail

DIR=${1:-${LAB_DIR:-}}
if [ -z "$DIR" ]; then
  DIR=$(mktemp -d "${TMPDIR:-/tmp}/tlsprobe-lab.XXXXXX")
fi
BASE=${LAB_PORT_BASE:-24400}
case $BASE in ''|*[!0-9]*) echo "pki.sh: LAB_PORT_BASE '$BASE' is not a number" >&2; exit 2 ;; esac
if [ "$BASE" -lt 1024 ] || [ "$BASE" -gt 65336 ]; then
  echo "pki.sh: LAB_PORT_BASE $BASE out of range (1024..65336: the lab uses BASE..BASE+199)" >&2; exit 2
fi
HTTP_URL=http://127.0.0.1:$((BASE + 60))
OCSP_URL=http://127.0.0.1:$((BASE + 61))
OCSP_ROOT_URL=http://127.0.0.1:$((BASE + 62))

mkdir -p "$DIR/pki" "$DIR/http"
P=$DIR/pki

# Debian's system openssl.cnf is not needed for anything here; an empty config keeps the
# result independent of local policy.
export OPENSSL_CONF=/dev/null

quiet() {
  local log
  log=$("$@" 2>&1) || { echo "pki.sh: command failed: $*" >&2; echo "$log" >&2; return 1; }
}

newkey() { quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"${2:-2048}" -out "$1"; chmod 600 "$1"; }
newkey_ec() {
  quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$1"
  chmod 600 "$1"
}

# One config for `openssl ca` holds every CA (-name) and extension section; -startdate/-enddate
# are only available there (openssl x509 -req in OpenSSL 3.0 has no way to set notBefore).
# Each CA has its own database, so each index.txt / CRL lists only that CA's certificates.
cat > "$P/ca.cnf" <<EOF
[ ca ]
default_ca = int_ca

[ root_ca ]
database       = root-db/index.txt
serial         = root-db/serial
crlnumber      = root-db/crlnumber
new_certs_dir  = root-db/newcerts
default_md     = sha256
policy         = policy_any
unique_subject = no
copy_extensions = none
email_in_dn    = no
crl_extensions = crl_ext

[ int_ca ]
database       = int-db/index.txt
serial         = int-db/serial
crlnumber      = int-db/crlnumber
new_certs_dir  = int-db/newcerts
default_md     = sha256
policy         = policy_any
unique_subject = no
copy_extensions = none
email_in_dn    = no
crl_extensions = crl_ext

[ other_ca ]
database       = other-db/index.txt
serial         = other-db/serial
new_certs_dir  = other-db/newcerts
default_md     = sha256
policy         = policy_any
unique_subject = no
copy_extensions = none
email_in_dn    = no

[ policy_any ]
organizationName = optional
commonName       = supplied

[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

[ crl_ext ]
authorityKeyIdentifier = keyid:always

[ v3_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ v3_intermediate ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess    = OCSP;URI:$OCSP_ROOT_URL, caIssuers;URI:$HTTP_URL/root.der
crlDistributionPoints  = URI:$HTTP_URL/root.crl

[ v3_good ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:localhost, DNS:good.lab.test, IP:127.0.0.1
authorityInfoAccess    = OCSP;URI:$OCSP_URL, caIssuers;URI:$HTTP_URL/int.der
crlDistributionPoints  = URI:$HTTP_URL/int.crl

# ECDSA keys do no key encipherment.
[ v3_ecdsa ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:localhost, DNS:good.lab.test, IP:127.0.0.1
authorityInfoAccess    = OCSP;URI:$OCSP_URL, caIssuers;URI:$HTTP_URL/int.der
crlDistributionPoints  = URI:$HTTP_URL/int.crl

[ v3_muststaple ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:localhost, DNS:good.lab.test, IP:127.0.0.1
authorityInfoAccess    = OCSP;URI:$OCSP_URL, caIssuers;URI:$HTTP_URL/int.der
crlDistributionPoints  = URI:$HTTP_URL/int.crl
tlsfeature             = status_request

[ v3_clientauth ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:localhost, DNS:good.lab.test, IP:127.0.0.1
authorityInfoAccess    = OCSP;URI:$OCSP_URL, caIssuers;URI:$HTTP_URL/int.der
crlDistributionPoints  = URI:$HTTP_URL/int.crl

# No OCSP URL: a revocation check has to use the CRL.
[ v3_crlonly ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:localhost, DNS:good.lab.test, IP:127.0.0.1
authorityInfoAccess    = caIssuers;URI:$HTTP_URL/int.der
crlDistributionPoints  = URI:$HTTP_URL/int.crl

[ v3_wrongname ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:wrong.example
authorityInfoAccess    = OCSP;URI:$OCSP_URL, caIssuers;URI:$HTTP_URL/int.der
crlDistributionPoints  = URI:$HTTP_URL/int.crl

# The internal CA's leaf: no URLs at all (an internal PKI that publishes nothing).
[ v3_internal ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:localhost, DNS:internal.lab.test, IP:127.0.0.1

# No keyUsage: a keyUsage without keyCertSign would stop OpenSSL from treating the
# certificate as self-issued, and the verify error would then not be 18.
[ v3_selfsigned ]
basicConstraints       = critical, CA:FALSE
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
subjectAltName         = DNS:localhost, IP:127.0.0.1
EOF

( cd "$P"
  rm -rf newcerts index.txt* serial* root-db int-db other-db ./*.spki-sha256
  # newdb DIR FIRST_SERIAL: distinct serial ranges per CA, so no two lab certificates share one.
  newdb() { mkdir -p "$1/newcerts"; : > "$1/index.txt"; echo "$2" > "$1/serial"; echo 01 > "$1/crlnumber"; }
  newdb root-db 1000
  newdb int-db 2000
  newdb other-db 3000

  # The CAs start 30 days back, so that OCSP responses dated in the past (the stale staple
  # start.sh makes) are still inside their signer's validity.
  CA_START=$(date -u -d '30 days ago' +%Y%m%d%H%M%SZ)
  ca_end() { date -u -d "$1 days" +%Y%m%d%H%M%SZ; }

  # Root CA: self-signed (`openssl ca -selfsign`, which unlike `req -x509` takes a start date), 10 years.
  newkey root.key
  quiet openssl req -new -config ca.cnf -key root.key -subj "/O=tlsprobe lab/CN=tlsprobe lab root CA" -out root.csr
  quiet openssl ca -batch -config ca.cnf -name root_ca -notext -selfsign -keyfile root.key \
    -startdate "$CA_START" -enddate "$(ca_end 3650)" -extensions v3_root -in root.csr -out root.pem

  # Intermediate CA signed by the root, 5 years.
  newkey intermediate.key
  quiet openssl req -new -config ca.cnf -key intermediate.key -subj "/O=tlsprobe lab/CN=tlsprobe lab intermediate CA" \
    -out intermediate.csr
  quiet openssl ca -batch -config ca.cnf -name root_ca -notext -cert root.pem -keyfile root.key \
    -startdate "$CA_START" -enddate "$(ca_end 1825)" -extensions v3_intermediate -in intermediate.csr -out intermediate.pem

  # sign NAME SUBJECT_CN EXTENSIONS KEYKIND CA_ARGS...: a leaf signed by the intermediate.
  # KEYKIND: rsa2048 | rsa1024 | ec256.
  sign() {
    local name=$1 cn=$2 ext=$3 kind=$4; shift 4
    case $kind in
      rsa2048) newkey "$name.key" ;;
      rsa1024) newkey "$name.key" 1024 ;;
      ec256)   newkey_ec "$name.key" ;;
    esac
    quiet openssl req -new -config ca.cnf -key "$name.key" -subj "/O=tlsprobe lab/CN=$cn" -out "$name.csr"
    quiet openssl ca -batch -config ca.cnf -name int_ca -notext -cert intermediate.pem -keyfile intermediate.key \
      -extensions "$ext" "$@" -in "$name.csr" -out "$name.pem"
    cat "$name.pem" intermediate.pem > "$name-chain.pem"
  }
  sign good localhost v3_good rsa2048 -days 365
  # Validity entirely in the past: 2020-01-01 .. 2021-01-01.
  sign expired localhost v3_good rsa2048 -startdate 20200101000000Z -enddate 20210101000000Z
  sign wrongname wrong.example v3_wrongname rsa2048 -days 365
  sign revoked localhost v3_good rsa2048 -days 365
  sign crlonly localhost v3_crlonly rsa2048 -days 365
  sign muststaple localhost v3_muststaple rsa2048 -days 365
  sign longvalid localhost v3_good rsa2048 -days 825
  sign ecdsa localhost v3_ecdsa ec256 -days 365
  sign sha1 localhost v3_good rsa2048 -days 365 -md sha1
  sign weakkey localhost v3_good rsa1024 -days 365
  sign nosan_eku localhost v3_clientauth rsa2048 -days 365

  # Revocations go into the intermediate's index.txt (the OCSP responder reads it) and its CRL.
  for leaf in revoked crlonly; do
    quiet openssl ca -config ca.cnf -name int_ca -cert intermediate.pem -keyfile intermediate.key \
      -revoke "$leaf.pem" -crl_reason keyCompromise
  done
  quiet openssl ca -batch -config ca.cnf -name int_ca -gencrl -cert intermediate.pem -keyfile intermediate.key \
    -crldays 30 -out int.crl.pem
  quiet openssl ca -batch -config ca.cnf -name root_ca -gencrl -cert root.pem -keyfile root.key \
    -crldays 30 -out root.crl.pem

  # Self-signed leaf (its own issuer), 1 year.
  newkey selfsigned.key
  quiet openssl req -new -x509 -config ca.cnf -key selfsigned.key -subj "/O=tlsprobe lab/CN=localhost" \
    -days 365 -sha256 -extensions v3_selfsigned -out selfsigned.pem
  cp selfsigned.pem selfsigned-chain.pem

  # The other, unrelated root and its one leaf (an internal CA; the leaf is issued directly).
  newkey other-root.key
  quiet openssl req -new -config ca.cnf -key other-root.key -subj "/O=tlsprobe lab/CN=tlsprobe lab other root CA" \
    -out other-root.csr
  quiet openssl ca -batch -config ca.cnf -name other_ca -notext -selfsign -keyfile other-root.key \
    -startdate "$CA_START" -enddate "$(ca_end 3650)" -extensions v3_root -in other-root.csr -out other-root.pem
  newkey internal.key
  quiet openssl req -new -config ca.cnf -key internal.key -subj "/O=tlsprobe lab/CN=localhost" -out internal.csr
  quiet openssl ca -batch -config ca.cnf -name other_ca -notext -cert other-root.pem -keyfile other-root.key \
    -days 365 -extensions v3_internal -in internal.csr -out internal.pem
  cp internal.pem internal-chain.pem

  for leaf in good expired wrongname selfsigned revoked crlonly muststaple longvalid ecdsa sha1 weakkey \
              nosan_eku internal; do
    openssl x509 -in "$leaf.pem" -noout -pubkey | openssl pkey -pubin -outform DER |
      openssl dgst -sha256 -binary | base64 > "$leaf.spki-sha256"
  done

  quiet openssl x509 -in good.pem -outform DER -out good.der
  rm -f ./*.csr

  # DHE servers: a named RFC 7919 group (recognisable as such), and a custom 1024-bit group
  # made here (about 2 s), so the one server using it shows a weak, unknown group.
  quiet openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out dh-ffdhe2048.pem
  quiet openssl dhparam -out dh1024.pem 1024
)

cp "$P/root.pem" "$DIR/ca.pem"
cp "$P/other-root.pem" "$DIR/other-ca.pem"
quiet openssl x509 -in "$P/root.pem" -outform DER -out "$DIR/http/root.der"
quiet openssl x509 -in "$P/intermediate.pem" -outform DER -out "$DIR/http/int.der"
quiet openssl crl -in "$P/int.crl.pem" -outform DER -out "$DIR/http/int.crl"
quiet openssl crl -in "$P/root.crl.pem" -outform DER -out "$DIR/http/root.crl"

# Sanity: the chains verify (or fail) exactly as the tests expect; a lab that is wrong
# would make every certificate test meaningless.
# expect_verify LEAF WANT [OPENSSL_VERIFY_ARGS...]
expect_verify() {
  local leaf=$1 want=$2 got; shift 2
  got=$( (openssl verify -CAfile "$DIR/ca.pem" -untrusted "$P/intermediate.pem" "$@" "$P/$leaf.pem" 2>&1 || true) |
        sed -n 's/^error \([0-9]*\) at.*/\1/p' | head -n1)
  [ -n "$got" ] || got=0
  if [ "$got" != "$want" ]; then
    echo "pki.sh: $leaf: openssl verify $* error $got, expected $want" >&2
    exit 1
  fi
}
expect_verify good 0
expect_verify wrongname 0
expect_verify expired 10
expect_verify selfsigned 18
for leaf in revoked crlonly muststaple longvalid ecdsa nosan_eku; do expect_verify "$leaf" 0; done
# SHA-1 signatures and 1024-bit keys only verify below the default security level.
expect_verify sha1 0 -auth_level 0
expect_verify weakkey 0 -auth_level 0
# The CRL lists exactly the two revoked leaves (23: X509_V_ERR_CERT_REVOKED).
expect_verify revoked 23 -crl_check -CRLfile "$P/int.crl.pem"
expect_verify crlonly 23 -crl_check -CRLfile "$P/int.crl.pem"
expect_verify good 0 -crl_check -CRLfile "$P/int.crl.pem"
# nosan_eku has no serverAuth (26: X509_V_ERR_INVALID_PURPOSE).
expect_verify nosan_eku 26 -purpose sslserver
# The internal leaf: only the other root anchors it (20: unable to get local issuer).
expect_verify internal 20
if ! openssl verify -CAfile "$DIR/other-ca.pem" "$P/internal.pem" >/dev/null 2>&1; then
  echo "pki.sh: internal: does not verify against the other root" >&2
  exit 1
fi

quiet python3 "$(dirname "${BASH_SOURCE[0]}")/ech_keys.py" "$DIR"   # ECH keys: DIR/ech/{accept,other}.{key,ecl,ecl.b64}
echo "$BASE" > "$P/port_base"
echo "$DIR"
