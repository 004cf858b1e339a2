#!/usr/bin/env python3
"""Makes the lab's ECH keys at test time (no key is ever committed) and reads ECHConfigLists.

Usage: python3 tests/lab/ech_keys.py DIR   (tests/lab/pki.sh calls it) writes, for NAME in
accept (config_id 0x2a) and other (config_id 0x2b):
  DIR/ech/NAME.key       the X25519 private key, 32 raw bytes (os.urandom)
  DIR/ech/NAME.ecl       the ECHConfigList (RFC 9849 section 4): one ECHConfig, version 0xfe0d,
                         KEM 0x0020 DHKEM(X25519, HKDF-SHA256), cipher suites (HKDF-SHA256,
                         AES-128-GCM) and (HKDF-SHA256, ChaCha20-Poly1305), maximum_name_length
                         32, public_name "public.lab.test", no extensions
  DIR/ech/NAME.ecl.b64   the same list in base64, one line
The servers of tests/lab/fake_ech.py load NAME.key and NAME.ecl. Python 3 standard library only.
"""
import base64
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ech_crypto  # noqa: E402

ECH_VERSION = 0xFE0D
PUBLIC_NAME = b"public.lab.test"
MAX_NAME_LEN = 32
SUITES = ((ech_crypto.KDF_HKDF_SHA256, ech_crypto.AEAD_AES_128_GCM),
          (ech_crypto.KDF_HKDF_SHA256, ech_crypto.AEAD_CHACHA20_POLY1305))
KEYS = (("accept", 0x2A), ("other", 0x2B))


def vec(len_bytes, data):
    if len(data) >= 1 << (8 * len_bytes):
        raise ValueError("vector too long")
    return len(data).to_bytes(len_bytes, "big") + data


def ech_config(config_id, public_key, suites=SUITES, public_name=PUBLIC_NAME,
               max_name_len=MAX_NAME_LEN, extensions=b""):
    """One serialized ECHConfig {version, length, contents} (RFC 9849 section 4)."""
    key_config = (bytes((config_id,)) + struct.pack(">H", ech_crypto.KEM_X25519_SHA256)
                  + vec(2, public_key) + vec(2, b"".join(struct.pack(">HH", k, a) for k, a in suites)))
    contents = key_config + bytes((max_name_len,)) + vec(1, public_name) + vec(2, extensions)
    return struct.pack(">H", ECH_VERSION) + vec(2, contents)


class BadConfig(ValueError):
    pass


def parse_config_list(data):
    """[dict] for each ECHConfig of version 0xfe0d in an ECHConfigList (others are skipped,
    as RFC 9849 section 4 says); each dict holds the raw ECHConfig bytes (the HPKE info needs
    them) and its fields. Raises BadConfig when malformed."""
    def take(buf, off, n):
        if off + n > len(buf):
            raise BadConfig("truncated at offset %d" % off)
        return buf[off:off + n], off + n

    lst, off = take(data, 0, 2)
    if 2 + int.from_bytes(lst, "big") != len(data):
        raise BadConfig("list length does not match")
    configs = []
    while off < len(data):
        hdr, off = take(data, off, 4)
        version, length = struct.unpack(">HH", hdr)
        body, off = take(data, off, length)
        if version != ECH_VERSION:
            continue
        c = {"raw": hdr + body}
        p = 0
        b, p = take(body, p, 3)
        c["config_id"], c["kem_id"] = b[0], int.from_bytes(b[1:], "big")
        n, p = take(body, p, 2)
        c["public_key"], p = take(body, p, int.from_bytes(n, "big"))
        n, p = take(body, p, 2)
        raw_suites, p = take(body, p, int.from_bytes(n, "big"))
        if len(raw_suites) < 4 or len(raw_suites) % 4:
            raise BadConfig("cipher_suites length %d" % len(raw_suites))
        c["suites"] = [struct.unpack_from(">HH", raw_suites, i) for i in range(0, len(raw_suites), 4)]
        b, p = take(body, p, 2)
        c["maximum_name_length"] = b[0]
        c["public_name"], p = take(body, p, b[1])
        n, p = take(body, p, 2)
        c["extensions"], p = take(body, p, int.from_bytes(n, "big"))
        if p != len(body):
            raise BadConfig("trailing bytes in ECHConfig contents")
        configs.append(c)
    return configs


def write_keys(directory):
    d = os.path.join(directory, "ech")
    os.makedirs(d, exist_ok=True)
    for name, config_id in KEYS:
        sk = os.urandom(32)
        config_list = vec(2, ech_config(config_id, ech_crypto.x25519_public(sk)))
        path = os.path.join(d, name)
        # The private key is for the lab only, but still not world-readable.
        fd = os.open(path + ".key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(sk)
        with open(path + ".ecl", "wb") as f:
            f.write(config_list)
        with open(path + ".ecl.b64", "w") as f:
            f.write(base64.b64encode(config_list).decode() + "\n")


def main():
    if len(sys.argv) != 2:
        print("usage: ech_keys.py DIR", file=sys.stderr)
        return 2
    write_keys(sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
