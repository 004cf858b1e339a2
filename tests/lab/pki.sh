#!/usr/bin/env bash
# Makes the lab PKI at test time with the openssl CLI, so no key or certificate is ever
# committed and nothing expires in the repository:
#   root CA -> intermediate CA -> leaves good, expired, wrongname; plus a self-signed leaf.
# Usage: tests/lab/pki.sh [DIR]   (default: $LAB_DIR, else a new mktemp dir; the dir is printed)
# Files (in DIR/pki unless noted):
#   DIR/ca.pem                     root CA only (the trust anchor tests pass with --ca-file)
#   root.pem intermediate.pem      CA certificates
#   <leaf>.pem <leaf>.key          leaf certificate / key, leaf in good expired wrongname selfsigned
#   <leaf>-chain.pem               leaf + intermediate (selfsigned: the leaf alone)
#   good.der                       the good leaf in DER (the scripted SSLv2/SSLv3 servers send it)
#   dh-ffdhe2048.pem               DH parameters: the RFC 7919 ffdhe2048 group (a well-known group)
#   dh1024.pem                     DH parameters: a fresh 1024-bit group (custom, weak)
set -euo pipefail

DIR=${1:-${LAB_DIR:-}}
if [ -z "$DIR" ]; then
  DIR=$(mktemp -d "${TMPDIR:-/tmp}/tlsprobe-lab.XXXXXX")
fi
mkdir -p "$DIR/pki"
P=$DIR/pki

# Debian's system openssl.cnf is not needed for anything here; an empty config keeps the
# result independent of local policy.
export OPENSSL_CONF=/dev/null

quiet() {
  local log
  log=$("$@" 2>&1) || { echo "pki.sh: command failed: $*" >&2; echo "$log" >&2; return 1; }
}

newkey() { quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; chmod 600 "$1"; }

# One config for `openssl ca` holds every extension section; -startdate/-enddate are only
# available there (openssl x509 -req in OpenSSL 3.0 has no way to set notBefore).
cat > "$P/ca.cnf" <<'EOF'
[ ca ]
default_ca = lab_ca

[ lab_ca ]
dir            = .
database       = $dir/index.txt
serial         = $dir/serial
new_certs_dir  = $dir/newcerts
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

[ v3_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ v3_intermediate ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_good ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:localhost, DNS:good.lab.test, IP:127.0.0.1

[ v3_wrongname ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:wrong.example

# No keyUsage: a keyUsage without keyCertSign would stop OpenSSL from treating the
# certificate as self-issued, and the verify error would then not be 18.
[ v3_selfsigned ]
basicConstraints       = critical, CA:FALSE
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
subjectAltName         = DNS:localhost, IP:127.0.0.1
EOF

( cd "$P"
  rm -rf newcerts index.txt* serial*
  mkdir newcerts
  : > index.txt
  echo 1000 > serial

  # Root CA: self-signed, 10 years.
  newkey root.key
  quiet openssl req -new -x509 -config ca.cnf -key root.key -subj "/O=tlsprobe lab/CN=tlsprobe lab root CA" \
    -days 3650 -sha256 -extensions v3_root -out root.pem

  # Intermediate CA signed by the root.
  newkey intermediate.key
  quiet openssl req -new -config ca.cnf -key intermediate.key -subj "/O=tlsprobe lab/CN=tlsprobe lab intermediate CA" \
    -out intermediate.csr
  quiet openssl ca -batch -config ca.cnf -notext -cert root.pem -keyfile root.key -days 1825 \
    -extensions v3_intermediate -in intermediate.csr -out intermediate.pem

  # sign NAME SUBJECT_CN EXTENSIONS DATE_ARGS...: a leaf signed by the intermediate.
  sign() {
    local name=$1 cn=$2 ext=$3; shift 3
    newkey "$name.key"
    quiet openssl req -new -config ca.cnf -key "$name.key" -subj "/O=tlsprobe lab/CN=$cn" -out "$name.csr"
    quiet openssl ca -batch -config ca.cnf -notext -cert intermediate.pem -keyfile intermediate.key \
      -extensions "$ext" "$@" -in "$name.csr" -out "$name.pem"
    cat "$name.pem" intermediate.pem > "$name-chain.pem"
  }
  sign good localhost v3_good -days 365
  # Validity entirely in the past: 2020-01-01 .. 2021-01-01.
  sign expired localhost v3_good -startdate 20200101000000Z -enddate 20210101000000Z
  sign wrongname wrong.example v3_wrongname -days 365

  # Self-signed leaf (its own issuer), 1 year.
  newkey selfsigned.key
  quiet openssl req -new -x509 -config ca.cnf -key selfsigned.key -subj "/O=tlsprobe lab/CN=localhost" \
    -days 365 -sha256 -extensions v3_selfsigned -out selfsigned.pem
  cp selfsigned.pem selfsigned-chain.pem

  quiet openssl x509 -in good.pem -outform DER -out good.der
  rm -f ./*.csr

  # DHE servers: a named RFC 7919 group (recognisable as such), and a custom 1024-bit group
  # made here (about 2 s), so the one server using it shows a weak, unknown group.
  quiet openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out dh-ffdhe2048.pem
  quiet openssl dhparam -out dh1024.pem 1024
)

cp "$P/root.pem" "$DIR/ca.pem"

# Sanity: the chains verify (or fail) exactly as the tests expect; a lab that is wrong
# would make every certificate test meaningless.
expect_verify() {
  local leaf=$1 want=$2 got
  got=$( (openssl verify -CAfile "$DIR/ca.pem" -untrusted "$P/intermediate.pem" "$P/$leaf.pem" 2>&1 || true) |
        sed -n 's/^error \([0-9]*\) at.*/\1/p' | head -n1)
  [ -n "$got" ] || got=0
  if [ "$got" != "$want" ]; then
    echo "pki.sh: $leaf: openssl verify error $got, expected $want" >&2
    exit 1
  fi
}
expect_verify good 0
expect_verify wrongname 0
expect_verify expired 10
expect_verify selfsigned 18

echo "$DIR"
