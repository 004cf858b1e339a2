#!/usr/bin/env python3
"""Reads nmap -oX reports (scripts ssl-enum-ciphers and sslv2, one port each) and prints the
suites nmap found per protocol version, with IANA names, as one JSON object keyed by ROW:

  usage: nmap_suites.py ROW=REPORT.xml...
  {"ROW": {"port_state": "open", "scripts": ["ssl-enum-ciphers", "sslv2"],
           "versions": {"SSLv2": [...], "SSLv3": [...], ..., "TLSv1.3": [...]}}, ...}
  or {"ROW": {"error": "why the report could not be read"}}

Every version is present (an empty list: nmap found no suite there); "scripts" names the
scripts that produced output (ssl-enum-ciphers prints nothing when it finds no version,
sslv2 nothing when the server does not answer SSLv2). Used by
tests/integration/oracle_nmap.sh. Standard library only.

Naming: nmap's names are the keys of tls.CIPHERS in /usr/share/nmap/nselib/tls.lua (7.93)
and the `str` of SSL_CIPHERS in nselib/sslv2.lua. Compared code point by code point with
`tlsprobe --list-ciphers` (IANA names), every code both know has the same name except
those mapped below.
"""
import json
import sys
import xml.etree.ElementTree as ET

VERSIONS = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
MAX_REPORT = 4 * 1024 * 1024   # an nmap report for one port is a few KiB

# nmap name -> IANA name, where they differ (source: tls.lua CIPHERS vs the IANA registry).
RENAMED = {
    # RFC 9150 (integrity-only TLS 1.3 suites): IANA names them by their two hashes.
    "TLS_AKE_WITH_NULL_SHA256": "TLS_SHA256_SHA256",
    "TLS_AKE_WITH_NULL_SHA384": "TLS_SHA384_SHA384",
    # 0x001E: nmap names both of its historical meanings; IANA (and tlsprobe) the TLS one.
    "TLS_KRB5_WITH_DES_CBC_SHA-or-SSL_FORTEZZA_KEA_WITH_RC4_128_SHA": "TLS_KRB5_WITH_DES_CBC_SHA",
}
# Every other TLS 1.3 suite: nmap writes TLS_AKE_WITH_<AEAD>_<HASH> where RFC 8446 (and
# RFC 8998 for SM4) write TLS_<AEAD>_<HASH>.
AKE_PREFIX = "TLS_AKE_WITH_"
# SSLv2 cipher kinds: nmap's SSL2_<X> is tlsprobe's SSL_CK_<X> (the SSLv2 draft's names).
SSL2_PREFIX = "SSL2_"


def iana(name):
    if name in RENAMED:
        return RENAMED[name]
    if name.startswith(AKE_PREFIX):
        return "TLS_" + name[len(AKE_PREFIX):]
    if name.startswith(SSL2_PREFIX):
        return "SSL_CK_" + name[len(SSL2_PREFIX):]
    return name


def enum_ciphers(script, versions):
    # <table key="TLSv1.2"><table key="ciphers"><table><elem key="name">NAME</elem>...
    for vt in script.findall("table"):
        v = vt.get("key")
        if v not in versions:
            continue
        for ct in vt.findall("table[@key='ciphers']"):
            for suite in ct.findall("table"):
                name = suite.find("elem[@key='name']")
                if name is not None and name.text:
                    versions[v].add(iana(name.text.strip()))


def sslv2(script, versions):
    # <elem>SSLv2 supported</elem><table key="ciphers"><elem>SSL2_...</elem>...</table>
    # (or <elem key="ciphers">none</elem> when the SERVER-HELLO lists none)
    for ct in script.findall("table[@key='ciphers']"):
        for e in ct.findall("elem"):
            if e.text and e.text.strip():
                versions["SSLv2"].add(iana(e.text.strip()))


def read_report(path):
    with open(path, "rb") as f:
        data = f.read(MAX_REPORT + 1)
    if len(data) > MAX_REPORT:
        raise ValueError("report larger than %d bytes" % MAX_REPORT)
    ports = ET.fromstring(data).findall("./host/ports/port")
    if len(ports) != 1:
        raise ValueError("%d ports in the report, expected 1" % len(ports))
    state = ports[0].find("state")
    versions = {v: set() for v in VERSIONS}
    scripts = []
    for script in ports[0].findall("script"):
        sid = script.get("id")
        if sid == "ssl-enum-ciphers":
            enum_ciphers(script, versions)
        elif sid == "sslv2":
            sslv2(script, versions)
        else:
            continue
        scripts.append(sid)
    return {
        "port_state": state.get("state") if state is not None else None,
        "scripts": sorted(scripts),
        "versions": {v: sorted(s) for v, s in versions.items()},
    }


def main():
    if len(sys.argv) < 2 or any("=" not in a for a in sys.argv[1:]):
        print("usage: nmap_suites.py ROW=NMAP_XML...", file=sys.stderr)
        return 2
    out = {}
    for arg in sys.argv[1:]:
        row, path = arg.split("=", 1)
        try:
            out[row] = read_report(path)
        except (OSError, ValueError, ET.ParseError) as e:
            out[row] = {"error": "%s: %s" % (path, e)}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
