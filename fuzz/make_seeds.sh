#!/usr/bin/env bash
# Remakes the X.509 and OCSP seeds of the fuzz corpus (fuzz/corpus/{x509_facts,aia,ocsp,
# ca_names}) and fuzz/fuzz_pki.h (the leaf and issuer the OCSP target checks responses
# against, and the time it checks them at) from a throwaway PKI made with the openssl CLI.
# Keys stay in a temporary directory and are deleted: only certificates and responses are
# committed, and the fixed check time means they never expire for the fuzzer.
# Usage: fuzz/make_seeds.sh   (from the repository root; rarely needed: the outputs are committed)
set -euo pipefail
out=$PWD/fuzz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
mkdir -p "$out"/corpus/{x509_facts,aia,ocsp,ca_names}

cat >ca.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Fuzz Test CA
O = tlsprobe fuzz
C = DE
[v3_ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_leaf]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://ocsp.fuzz.test/,caIssuers;URI:http://ca.fuzz.test/ca.der,caIssuers;URI:ldap://ca.fuzz.test/ca
crlDistributionPoints = URI:http://ca.fuzz.test/ca.crl
subjectAltName = @sans
[v3_ocsp]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
[sans]
DNS.1 = www.fuzz.test
DNS.2 = fuzz.test
DNS.3 = *.api.fuzz.test
DNS.4 = xn--bcher-kva.fuzz.test
DNS.5 = mail.fuzz.test
DNS.6 = a.b.c.d.e.f.fuzz.test
IP.1 = 127.0.0.1
IP.2 = ::1
IP.3 = 192.0.2.7
email.1 = admin@fuzz.test
URI.1 = https://www.fuzz.test/
DNS.7 = very-long-label-0123456789-0123456789-0123456789-abcdefghij.fuzz.test
EOF
openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -config ca.cnf \
    -extensions v3_ca -subj "/CN=Fuzz Test CA/O=tlsprobe fuzz/C=DE" 2>/dev/null
leaf() {   # name subject extensions keyopt
    openssl req -new -newkey "$4" -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -sha256 \
        -extfile ca.cnf -extensions "$3" -out "$1.pem" 2>/dev/null
}
leaf leaf "/CN=www.fuzz.test/O=tlsprobe fuzz, \"quoted\"+OU=multi valued/C=DE" v3_leaf rsa:2048
leaf ecleaf "/CN=ec.fuzz.test" v3_leaf ec:<(openssl ecparam -name prime256v1)
leaf responder "/CN=Fuzz OCSP responder" v3_ocsp rsa:2048

der() { openssl x509 -in "$1" -outform DER -out "$2"; }
der leaf.pem "$out/corpus/x509_facts/leaf-many-sans.der"
der ecleaf.pem "$out/corpus/x509_facts/leaf-ecdsa.der"
der ca.pem "$out/corpus/x509_facts/ca.der"
der responder.pem "$out/corpus/x509_facts/ocsp-responder.der"
der leaf.pem "$out/corpus/aia/leaf.der"
der ca.pem "$out/corpus/aia/issuer.der"
cp ca.pem "$out/corpus/aia/issuer.pem"
openssl crl2pkcs7 -nocrl -certfile ca.pem -certfile leaf.pem -outform DER -out "$out/corpus/aia/bundle.p7c"

# OCSP: good, revoked, unknown (another serial), delegated responder, and a non-successful status.
touch index.txt
openssl ocsp -issuer ca.pem -cert leaf.pem -no_nonce -reqout req.der 2>/dev/null
respond() {   # out index signer key [extra]
    openssl ocsp -index "$2" -rsigner "$3" -rkey "$4" -CA ca.pem -reqin req.der -respout "$1" -ndays 36500 \
        ${5:-} 2>/dev/null
}
serial=$(openssl x509 -in leaf.pem -noout -serial | cut -d= -f2)
printf 'V\t391231235959Z\t\t%s\tunknown\t/CN=www.fuzz.test\n' "$serial" >good.txt
printf 'R\t391231235959Z\t240101000000Z,keyCompromise\t%s\tunknown\t/CN=www.fuzz.test\n' "$serial" >revoked.txt
respond "$out/corpus/ocsp/good.der" good.txt ca.pem ca.key
respond "$out/corpus/ocsp/revoked.der" revoked.txt ca.pem ca.key
respond "$out/corpus/ocsp/unknown.der" index.txt ca.pem ca.key
respond "$out/corpus/ocsp/delegated.der" good.txt responder.pem responder.key "-resp_key_id"
printf '\x30\x03\x0a\x01\x03' >"$out/corpus/ocsp/trylater.der"   # OCSPResponse tryLater, no body

# CA names: a CertificateRequest's certificate_authorities vector (2-byte lengths around DER names).
python3 - "$out/corpus/ca_names/two-cas.bin" ca.pem responder.pem <<'PY'
import subprocess, sys
def subject_der(pem):
    return subprocess.run(['openssl', 'x509', '-in', pem, '-outform', 'DER'], capture_output=True).stdout
def tlv(der, i):
    l = der[i + 1]; h = 2
    if l & 0x80:
        k = l & 0x7f; l = int.from_bytes(der[i + 2:i + 2 + k], 'big'); h += k
    return i, h, l
def children(der, i):
    _, h, l = tlv(der, i); j = i + h; end = j + l; out = []
    while j < end:
        _, hh, ll = tlv(der, j); out.append(der[j:j + hh + ll]); j += hh + ll
    return out
vec = b''
for pem in sys.argv[2:]:
    der = subject_der(pem)
    tbs = children(der, 0)[0]
    fields = children(tbs, 0)
    subject = fields[5] if fields[0][0] == 0xa0 else fields[4]
    vec += len(subject).to_bytes(2, 'big') + subject
open(sys.argv[1], 'wb').write(len(vec).to_bytes(2, 'big') + vec)
PY

# The target's compiled-in PKI and check time (one hour after the responses were made).
{
    echo "/* Made by fuzz/make_seeds.sh: the leaf and issuer of the OCSP seeds, and when to check them. */"
    echo "#ifndef FUZZ_PKI_H"
    echo "#define FUZZ_PKI_H"
    echo "#define FUZZ_PKI_NOW ((time_t)$(($(date +%s) + 3600)))"
    for n in ca leaf; do
        echo "static const char fuzz_pki_$n[] __attribute__((unused)) ="
        sed 's/^/    "/; s/$/\\n"/' "$n.pem"
        echo "    ;"
    done
    echo "#endif"
} >"$out/fuzz_pki.h"
echo "seeds made in $out/corpus; $out/fuzz_pki.h"
