#!/usr/bin/env python3
"""Generates the C registry tables (include/iana.h) from the IANA CSVs in data/.

Usage: gen_iana.py DATA_DIR OUT_DIR      writes OUT_DIR/iana_data.c

Python 3 standard library only. The IANA files have CRLF line endings and multi-line quoted
fields, so they are read with the csv module. A cipher suite's properties are derived from its
structured IANA name; a name the rules do not understand stops the build, so that a new IANA
download is looked at rather than silently mis-described.
"""
import csv
import os
import re
import sys

V_SSL3, V_TLS10, V_TLS11, V_TLS12, V_TLS13 = 1, 2, 4, 8, 16
V_LEGACY = V_SSL3 | V_TLS10 | V_TLS11 | V_TLS12

SCSV_CODES = {0x00FF, 0x5600}

# TLS_<prefix>_WITH_...: prefix -> (kx, au). Anonymous (EC)DH gets its parameters in the
# ServerKeyExchange, so it is ephemeral: DHE/ECDHE with ANON authentication.
KX_AU = {
    "NULL": ("NULL", "NULL"),
    "RSA": ("RSA", "RSA"),
    "DH_DSS": ("DH", "DSS"),
    "DH_RSA": ("DH", "RSA"),
    "DHE_DSS": ("DHE", "DSS"),
    "DHE_RSA": ("DHE", "RSA"),
    "DH_anon": ("DHE", "ANON"),
    "KRB5": ("KRB5", "KRB5"),
    "PSK": ("PSK", "PSK"),
    "DHE_PSK": ("DHE_PSK", "PSK"),
    "PSK_DHE": ("DHE_PSK", "PSK"),       # IANA's spelling for 0xC0,0xAA/0xAB (RFC 6655)
    "RSA_PSK": ("RSA_PSK", "RSA"),
    "ECDH_ECDSA": ("ECDH", "ECDSA"),
    "ECDHE_ECDSA": ("ECDHE", "ECDSA"),
    "ECDH_RSA": ("ECDH", "RSA"),
    "ECDHE_RSA": ("ECDHE", "RSA"),
    "ECDH_anon": ("ECDHE", "ANON"),
    "ECDHE_PSK": ("ECDHE_PSK", "PSK"),
    "SRP_SHA": ("SRP", "SRP"),
    "SRP_SHA_RSA": ("SRP", "RSA"),
    "SRP_SHA_DSS": ("SRP", "DSS"),
    "ECCPWD": ("ECCPWD", "ECCPWD"),
    "GOSTR341112_256": ("GOST", "GOST"),
}

# Key exchanges where both sides use ephemeral secrets (SRP and the ECCPWD PAKE too).
FORWARD_SECRET_KX = {"DHE", "ECDHE", "DHE_PSK", "ECDHE_PSK", "SRP", "ECCPWD", "ANY"}

# IANA cipher token -> (family, key bits, mode). Modes that authenticate make the suite AEAD.
CIPHERS = {
    "NULL": ("NULL", 0, "NULL"),
    "RC4_40": ("RC4", 40, "STREAM"),
    "RC4_128": ("RC4", 128, "STREAM"),
    "RC2_CBC_40": ("RC2", 40, "CBC"),
    "IDEA_CBC": ("IDEA", 128, "CBC"),
    "DES40_CBC": ("DES", 40, "CBC"),
    "DES_CBC_40": ("DES", 40, "CBC"),
    "DES_CBC": ("DES", 56, "CBC"),
    "3DES_EDE_CBC": ("3DES", 168, "CBC"),
    "SEED_CBC": ("SEED", 128, "CBC"),
    "CHACHA20_POLY1305": ("CHACHA20", 256, "POLY1305"),
    "SM4_GCM": ("SM4", 128, "GCM"),
    "SM4_CCM": ("SM4", 128, "CCM"),
    "AEGIS_256": ("AEGIS", 256, "AEGIS"),
    "AEGIS_128L": ("AEGIS", 128, "AEGIS"),
    "ASCONAEAD128": ("ASCON", 128, "ASCON"),
    "KUZNYECHIK_CTR_OMAC": ("KUZNYECHIK", 256, "CTR_OMAC"),
    "MAGMA_CTR_OMAC": ("MAGMA", 256, "CTR_OMAC"),
    "28147_CNT_IMIT": ("GOST28147", 256, "CNT_IMIT"),
    "KUZNYECHIK_MGM_L": ("KUZNYECHIK", 256, "MGM"),
    "KUZNYECHIK_MGM_S": ("KUZNYECHIK", 256, "MGM"),
    "MAGMA_MGM_L": ("MAGMA", 256, "MGM"),
    "MAGMA_MGM_S": ("MAGMA", 256, "MGM"),
}
for _fam in ("AES", "CAMELLIA", "ARIA"):
    for _bits in (128, 256):
        for _mode in ("CBC", "GCM", "CCM", "CCM_8"):
            CIPHERS["%s_%d_%s" % (_fam, _bits, _mode)] = (_fam, _bits, _mode)

AEAD_MODES = {"GCM", "CCM", "CCM_8", "POLY1305", "AEGIS", "ASCON", "MGM"}
# Modes whose integrity is part of the GOST mode itself: the name has no HMAC part.
GOST_MAC_MODES = {"CTR_OMAC", "CNT_IMIT"}
HMACS = {"MD5": "MD5", "SHA": "SHA1", "SHA256": "SHA256", "SHA384": "SHA384"}
# Hash names that end a TLS 1.3 suite name (TLS_<aead>_<hash>).
TLS13_HASHES = ("SHA256", "SHA384", "SHA512", "SM3", "ASCONHASH256")


class Unknown(Exception):
    pass


def derive_suite(code, name):
    """Properties of one suite from its IANA name."""
    if not name.startswith("TLS_"):
        raise Unknown("name does not start with TLS_")
    body = name[4:]
    export = False
    if "_WITH_" in body:
        prefix, rest = body.split("_WITH_", 1)
        if prefix.endswith("_EXPORT"):
            export, prefix = True, prefix[: -len("_EXPORT")]
        if prefix not in KX_AU:
            raise Unknown("key exchange/authentication '%s'" % prefix)
        kx, au = KX_AU[prefix]
        mac = None
        if rest == "NULL_NULL":            # TLS_NULL_WITH_NULL_NULL: the initial, empty state
            rest, mac = "NULL", "NULL"
        for token, mac_name in HMACS.items():
            if rest.endswith("_" + token) and rest[: -len(token) - 1] in CIPHERS:
                mac, rest = mac_name, rest[: -len(token) - 1]
                break
        if rest not in CIPHERS:
            raise Unknown("cipher '%s'" % rest)
        enc, bits, mode = CIPHERS[rest]
        cipher = rest
        if mode == "MGM":
            # RFC 9367: the GOST MGM suites are TLS 1.3 suites, key exchange by key_share.
            kx, au, tls13 = "ANY", "ANY", True
        else:
            tls13 = False
        if mode in AEAD_MODES:
            mac = "AEAD"          # a trailing hash (CCM_8_SHA256, GCM_SHA384) names the PRF
        elif mode in GOST_MAC_MODES:
            mac = "GOST"
        if mac is None:
            raise Unknown("no MAC in '%s'" % name)
    else:
        # TLS 1.3: TLS_<aead>_<hash>, no key exchange or authentication in the name.
        for h in TLS13_HASHES:
            if body.endswith("_" + h):
                cipher = body[: -len(h) - 1]
                break
        else:
            raise Unknown("TLS 1.3 name without a known hash")
        kx, au, tls13 = "ANY", "ANY", True
        if cipher in ("SHA256", "SHA384"):
            # RFC 9150 integrity-only suites: HMAC, no encryption.
            enc, bits, mode, mac, cipher = "NULL", 0, "NULL", cipher, "NULL"
        elif cipher in CIPHERS:
            enc, bits, mode = CIPHERS[cipher]
            mac = "AEAD"
            if mode not in AEAD_MODES:
                raise Unknown("TLS 1.3 cipher '%s' is not AEAD" % cipher)
        else:
            raise Unknown("TLS 1.3 cipher '%s'" % cipher)

    aead = mode in AEAD_MODES
    if kx == "NULL":
        versions = 0            # TLS_NULL_WITH_NULL_NULL is the initial state, never offered
    elif tls13:
        versions = V_TLS13
    elif export:
        # Export suites were banned from TLS 1.1 on (RFC 4346); a 1.1 client could still offer them.
        versions = V_SSL3 | V_TLS10 | V_TLS11
    elif aead or kx in ("GOST", "ECCPWD"):
        versions = V_TLS12      # AEAD record protection and the GOST 2012 / ECCPWD suites: TLS 1.2
    elif mac in ("SHA256", "SHA384"):
        # SHA-2 HMAC suites need TLS 1.2's PRF, except the PSK families, whose RFCs (5487, 5489)
        # define them for TLS 1.0 and 1.1 too.
        versions = (V_TLS10 | V_TLS11 | V_TLS12) if kx in ("PSK", "DHE_PSK", "RSA_PSK", "ECDHE_PSK") else V_TLS12
    else:
        versions = V_LEGACY
    return {
        "code": code, "name": name, "kx": kx, "au": au, "cipher": cipher, "enc": enc,
        "mac": mac, "key_bits": bits, "versions": versions, "aead": aead,
        "cbc": mode == "CBC", "fs": kx in FORWARD_SECRET_KX, "export": export,
    }


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def skip_description(desc):
    d = desc.strip()
    return (not d or d.startswith("Unassigned") or d.startswith("Reserved")
            or "GREASE" in d.upper())


def recommended(value):
    v = value.strip()[:1].upper()
    return v if v in ("Y", "N", "D") else "N"


def load_suites(path):
    suites = []
    for row in read_rows(path):
        value = row["Value"].strip()
        m = re.fullmatch(r'0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2})', value)
        if not m or skip_description(row["Description"]):
            continue                       # ranges, GREASE, Reserved, Unassigned
        code = int(m.group(1), 16) << 8 | int(m.group(2), 16)
        if code in SCSV_CODES:
            continue
        name = row["Description"].strip()
        try:
            s = derive_suite(code, name)
        except Unknown as e:
            sys.exit("gen_iana: %s 0x%04X %s: cannot derive: %s" % (path, code, name, e))
        s["recommended"] = recommended(row.get("Recommended", ""))
        s["dtls_ok"] = row.get("DTLS-OK", "").strip().upper() == "Y"
        suites.append(s)
    suites.sort(key=lambda s: s["code"])
    codes = [s["code"] for s in suites]
    if len(codes) != len(set(codes)):
        sys.exit("gen_iana: duplicate suite codes in %s" % path)
    return suites


def group_kind_bits(name):
    if name.startswith("ffdhe"):
        return "ffdhe", int(name[5:])
    m = re.fullmatch(r"MLKEM(\d+)", name)
    if m:
        return "pq", int(m.group(1))
    if "MLKEM" in name or "Kyber" in name:
        classical = re.match(r"(X25519|SecP256r1|SecP384r1|X448)", name)
        bits = {"X25519": 255, "SecP256r1": 256, "SecP384r1": 384, "X448": 448}
        return "hybrid-pq", bits[classical.group(1)] if classical else 0
    if name == "x25519":
        return "ecdhe", 255
    if name == "x448":
        return "ecdhe", 448
    m = re.match(r"(?:secp|sect|brainpoolP)(\d+)", name)
    if m:
        return "ecdhe", int(m.group(1))
    m = re.fullmatch(r"GC(256|512)[A-D]", name)
    if m:
        return "ecdhe", int(m.group(1))
    if name == "curveSM2":
        return "ecdhe", 256
    if name.startswith("arbitrary_explicit_"):
        return "ecdhe", 0
    sys.exit("gen_iana: supported group '%s': unknown kind" % name)


def load_groups(path):
    groups = []
    for row in read_rows(path):
        value = row["Value"].strip()
        if not value.isdigit() or skip_description(row["Description"]):
            continue
        # "X25519Kyber768Draft00 (OBSOLETE)": the name is the part before the remark.
        name = row["Description"].strip().split(" ")[0]
        kind, bits = group_kind_bits(name)
        groups.append({"code": int(value), "name": name, "kind": kind, "bits": bits,
                       "recommended": recommended(row.get("Recommended", ""))})
    groups.sort(key=lambda g: g["code"])
    return groups


def load_sigschemes(path):
    schemes = []
    for row in read_rows(path):
        value = row["Value"].strip()
        if not re.fullmatch(r"0x[0-9A-Fa-f]{4}", value) or skip_description(row["Description"]):
            continue
        schemes.append({"code": int(value, 16), "name": row["Description"].strip(),
                        "recommended": recommended(row.get("Recommended", ""))})
    schemes.sort(key=lambda s: s["code"])
    return schemes


def load_sslv2(path):
    kinds = []
    for row in read_rows(path):
        code = int(row["code_hex"].strip(), 16)
        kinds.append({"code": code, "name": row["name"].strip(), "bits": int(row["enc_bits"]),
                      "export": row["export"].strip() == "Y",
                      "in_spec": row["in_sslv2_spec"].strip() == "Y"})
    kinds.sort(key=lambda k: k["code"])
    return kinds


KX_RANK = {"ANY": 0, "ECDHE": 1, "DHE": 2, "ECCPWD": 3, "SRP": 3, "ECDHE_PSK": 4,
           "DHE_PSK": 4, "RSA": 5, "GOST": 5, "ECDH": 6, "DH": 6, "RSA_PSK": 7, "PSK": 7,
           "KRB5": 8, "NULL": 9}
MAC_RANK = {"AEAD": 0, "SHA384": 1, "SHA256": 2, "GOST": 2, "SHA1": 3, "MD5": 4, "NULL": 5}


def preference_key(s):
    """Strongest first, roughly the order a modern client lists suites in."""
    return (s["versions"] != V_TLS13, not s["fs"], s["au"] in ("ANON", "NULL"), s["export"],
            s["enc"] == "NULL", not s["aead"], KX_RANK[s["kx"]],
            s["enc"] not in ("AES", "CHACHA20"), -s["key_bits"], MAC_RANK[s["mac"]], s["code"])


def c_str(s):
    if not re.fullmatch(r"[A-Za-z0-9_.\- ]*", s):
        sys.exit("gen_iana: unexpected characters in %r" % s)
    return '"%s"' % s


def c_bool(b):
    return "true" if b else "false"


def write_c(out_path, suites, groups, schemes, kinds):
    lines = [
        "/* Generated by tools/gen_iana.py from data/ -- do not edit. */",
        '#include "iana.h"',
        "",
        "const iana_suite_t iana_suites[] = {",
    ]
    for s in suites:
        lines.append(
            "    { 0x%04X, %s, %s, %s, %s, %s, %s, %d, 0x%02X, '%s', %s, %s, %s, %s, %s },"
            % (s["code"], c_str(s["name"]), c_str(s["kx"]), c_str(s["au"]), c_str(s["cipher"]),
               c_str(s["enc"]), c_str(s["mac"]), s["key_bits"], s["versions"], s["recommended"],
               c_bool(s["dtls_ok"]), c_bool(s["aead"]), c_bool(s["cbc"]), c_bool(s["fs"]),
               c_bool(s["export"])))
    lines += ["};", "const size_t iana_suites_count = %d;" % len(suites), ""]

    order = sorted(range(len(suites)), key=lambda i: preference_key(suites[i]))
    lines.append("const uint16_t iana_suite_preference[] = {")
    for i in range(0, len(order), 16):
        lines.append("    " + " ".join("%d," % x for x in order[i:i + 16]))
    lines += ["};", ""]

    lines.append("const iana_group_t iana_groups[] = {")
    for g in groups:
        lines.append("    { %d, %s, %s, %d, '%s' }," % (g["code"], c_str(g["name"]), c_str(g["kind"]),
                                                       g["bits"], g["recommended"]))
    lines += ["};", "const size_t iana_groups_count = %d;" % len(groups), ""]

    lines.append("const iana_sigscheme_t iana_sigschemes[] = {")
    for s in schemes:
        lines.append("    { 0x%04X, %s, '%s' }," % (s["code"], c_str(s["name"]), s["recommended"]))
    lines += ["};", "const size_t iana_sigschemes_count = %d;" % len(schemes), ""]

    lines.append("const iana_sslv2_kind_t iana_sslv2_kinds[] = {")
    for k in kinds:
        lines.append("    { 0x%06X, %s, %d, %s, %s }," % (k["code"], c_str(k["name"]), k["bits"],
                                                        c_bool(k["export"]), c_bool(k["in_spec"])))
    lines += ["};", "const size_t iana_sslv2_kinds_count = %d;" % len(kinds), ""]

    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    os.replace(tmp, out_path)   # make never sees a half-written file


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_iana.py DATA_DIR OUT_DIR")
    data, out = sys.argv[1], sys.argv[2]
    suites = load_suites(os.path.join(data, "iana", "tls-parameters-4.csv"))
    groups = load_groups(os.path.join(data, "iana", "tls-parameters-8.csv"))
    schemes = load_sigschemes(os.path.join(data, "iana", "tls-signaturescheme.csv"))
    kinds = load_sslv2(os.path.join(data, "sslv2-cipher-kinds.csv"))
    if not suites or not groups or not schemes or not kinds:
        sys.exit("gen_iana: an input table is empty")
    os.makedirs(out, exist_ok=True)
    write_c(os.path.join(out, "iana_data.c"), suites, groups, schemes, kinds)


if __name__ == "__main__":
    main()
