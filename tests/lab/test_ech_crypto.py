#!/usr/bin/env python3
"""Tests of the lab's ECH side (tests/lab/ech_crypto.py, ech_keys.py, fake_ech.py), one line
each, `ok - NAME` or `not ok - NAME: details` (tests/lib.sh's convention; run by
tests/integration/ech_lab.sh):
  - every primitive against published vectors: RFC 7748 5.2 and 6.1 (X25519), RFC 5869 A.1
    (HKDF), RFC 8448 (HKDF-Expand-Label), FIPS 197 C.1 (AES-128), RFC 8439 2.8.2
    (ChaCha20-Poly1305), RFC 9180 base-mode vectors (tests/unit/data/hpke-rfc9180-full-base.json:
    DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM and ChaCha20-Poly1305);
  - ech_keys.py's files (the shared interface of the common brief);
  - a tiny ECH client of this file's own (test-only, independent of the C probe) against the
    running lab servers (--lab: LAB_PORT_ECH_* and LAB_DIR from the environment): accepted by
    ech_accept (with ech_outer_extensions and padding), by ech_hrr after a HelloRetryRequest,
    rejected by ech_reject, answered without confirmation by ech_none, closed by
    ech_greasebreak; and each server's log says what it decided.
Python 3 standard library only.
"""
import base64
import hashlib
import json
import os
import socket
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ech_crypto as C  # noqa: E402
import ech_keys  # noqa: E402
import fake_ech  # noqa: E402

FAILED = 0
H = bytes.fromhex


def check(name, cond, detail=""):
    global FAILED
    if cond:
        print("ok - %s" % name)
    else:
        FAILED += 1
        print("not ok - %s: %s" % (name, detail or "assertion failed"))


def check_eq(name, want, got):
    check(name, want == got, "expected %s, got %s" % (
        want.hex() if isinstance(want, bytes) else want, got.hex() if isinstance(got, bytes) else got))


def raises(f):
    try:
        f()
    except ValueError:
        return True
    return False


# ---------------------------------------------------------------- vectors
def test_vectors(data_dir):
    # RFC 7748 5.2
    check_eq("X25519 RFC 7748 5.2 vector 1", H("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
             C.x25519(H("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                      H("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")))
    check_eq("X25519 RFC 7748 5.2 vector 2", H("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"),
             C.x25519(H("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
                      H("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493")))
    k = u = C.X25519_BASE
    after = {}
    for i in range(1, 1001):
        k, u = C.x25519(k, u), k
        after[i] = k
    check_eq("X25519 RFC 7748 5.2 iterated once", H("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"), after[1])
    check_eq("X25519 RFC 7748 5.2 iterated 1000 times",
             H("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"), after[1000])
    # RFC 7748 6.1
    a_sk = H("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    b_sk = H("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
    a_pk, b_pk = C.x25519_public(a_sk), C.x25519_public(b_sk)
    check_eq("X25519 RFC 7748 6.1 Alice's public key", H("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), a_pk)
    check_eq("X25519 RFC 7748 6.1 Bob's public key", H("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), b_pk)
    shared = H("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
    check("X25519 RFC 7748 6.1 shared secret, both sides",
          C.x25519(a_sk, b_pk) == shared == C.x25519(b_sk, a_pk))
    # RFC 5869 A.1
    prk = C.hkdf_extract(H("000102030405060708090a0b0c"), b"\x0b" * 22)
    check_eq("HKDF-SHA256 RFC 5869 A.1 PRK", H("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"), prk)
    check_eq("HKDF-SHA256 RFC 5869 A.1 OKM",
             H("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
             C.hkdf_expand(prk, H("f0f1f2f3f4f5f6f7f8f9"), 42))
    # RFC 8448 section 3: early secret and its "derived" secret.
    early = C.hkdf_extract(bytes(32), bytes(32))
    check_eq("TLS 1.3 early secret (RFC 8448 3)", H("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"), early)
    check_eq("HKDF-Expand-Label \"derived\" (RFC 8448 3)",
             H("6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"),
             C.hkdf_expand_label(early, b"derived", hashlib.sha256().digest(), 32))
    check_eq("transcript hash of nothing is SHA-256(\"\")", hashlib.sha256(b"").digest(), C.transcript_hash())
    # FIPS 197 C.1
    check_eq("AES-128 FIPS 197 C.1", H("69c4e0d86a7b0430d8cdb78070b4c55a"),
             C.aes128_encrypt_block(C.aes128_expand_key(bytes(range(16))), H("00112233445566778899aabbccddeeff")))
    # RFC 8439 2.8.2
    key, nonce, aad = bytes(range(0x80, 0xA0)), H("070000004041424344454647"), H("50515253c0c1c2c3c4c5c6c7")
    pt = (b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
          b"sunscreen would be it.")
    want = H("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
             "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
             "3ff4def08e4b7a9de576d26586cec64b6116" "1ae10b594f09e26a7e902ecbd0600691")
    ct = C.chacha20poly1305_seal(key, nonce, aad, pt)
    check_eq("ChaCha20-Poly1305 RFC 8439 2.8.2 seal (ciphertext and tag)", want, ct)
    check("ChaCha20-Poly1305 RFC 8439 2.8.2 open", C.chacha20poly1305_open(key, nonce, aad, ct) == pt)
    bad = ct[:-1] + bytes((ct[-1] ^ 1,))
    check("ChaCha20-Poly1305 rejects a modified tag", raises(lambda: C.chacha20poly1305_open(key, nonce, aad, bad)))
    check("ChaCha20-Poly1305 rejects modified AAD", raises(lambda: C.chacha20poly1305_open(key, nonce, aad + b"x", ct)))

    with open(os.path.join(data_dir, "hpke-rfc9180-full-base.json")) as f:
        vectors = json.load(f)
    names = {C.AEAD_AES_128_GCM: "AES-128-GCM", C.AEAD_CHACHA20_POLY1305: "ChaCha20-Poly1305"}
    for aead, aname in names.items():
        v = [e for e in vectors if (e["mode"], e["kem_id"], e["kdf_id"], e["aead_id"]) == (0, 0x20, 1, aead)]
        if len(v) != 1:
            check("HPKE RFC 9180 X25519/SHA256/%s vector present" % aname, False, "%d entries" % len(v))
            continue
        test_hpke_vector(v[0], "HPKE RFC 9180 base X25519/HKDF-SHA256/%s" % aname)


def test_hpke_vector(e, label):
    sk_r, pk_r = C.derive_keypair(H(e["ikmR"]))
    check_eq(label + ": DeriveKeyPair(ikmR) skRm", H(e["skRm"]), sk_r)
    check_eq(label + ": pkRm", H(e["pkRm"]), pk_r)
    sk_e, _ = C.derive_keypair(H(e["ikmE"]))
    enc, sctx = C.setup_base_s(pk_r, H(e["info"]), e["aead_id"], sk_e)
    check_eq(label + ": enc", H(e["enc"]), enc)
    check_eq(label + ": shared_secret (Decap)", H(e["shared_secret"]), C.decap(enc, sk_r))
    rctx = C.setup_base_r(enc, sk_r, H(e["info"]), e["aead_id"])
    for f in ("key_schedule_context", "secret", "key", "base_nonce", "exporter_secret"):
        check_eq("%s: %s" % (label, f), H(e[f]), getattr(rctx, f))
    bad_open = bad_seal = 0
    for i, enc_v in enumerate(e["encryptions"]):
        aad, pt, ct = H(enc_v["aad"]), H(enc_v["pt"]), H(enc_v["ct"])
        if sctx.seal(aad, pt) != ct:
            bad_seal += 1
        try:
            if rctx.open(aad, ct) != pt:
                bad_open += 1
        except ValueError:
            bad_open += 1
            rctx.seq += 1
    n = len(e["encryptions"])
    check("%s: Seal of all %d encryptions (sequence 0..%d)" % (label, n, n - 1), n > 0 and bad_seal == 0,
          "%d of %d differ" % (bad_seal, n))
    check("%s: Open of all %d encryptions" % (label, n), n > 0 and bad_open == 0, "%d of %d fail" % (bad_open, n))
    exp_bad = [x for x in e["exports"] if rctx.export(H(x["exporter_context"]), x["L"]) != H(x["exported_value"])]
    check("%s: %d exports" % (label, len(e["exports"])), e["exports"] and not exp_bad, "%d differ" % len(exp_bad))
    ct0 = H(e["encryptions"][0]["ct"])
    ctx = C.setup_base_r(enc, sk_r, H(e["info"]), e["aead_id"])
    check(label + ": Open fails with the wrong AAD", raises(lambda: ctx.open(b"wrong", ct0)))
    ctx2 = C.setup_base_r(enc, sk_r, H(e["info"]) + b"!", e["aead_id"])
    check(label + ": Open fails with another info", raises(lambda: ctx2.open(H(e["encryptions"][0]["aad"]), ct0)))


# ---------------------------------------------------------------- ech_keys.py
def test_keys():
    with tempfile.TemporaryDirectory() as d:
        ech_keys.write_keys(d)
        for name, cid in ech_keys.KEYS:
            p = os.path.join(d, "ech", name)
            sk = open(p + ".key", "rb").read()
            ecl = open(p + ".ecl", "rb").read()
            b64 = open(p + ".ecl.b64").read()
            check("ech_keys %s: key 32 bytes, mode 0600" % name,
                  len(sk) == 32 and (os.stat(p + ".key").st_mode & 0o777) == 0o600)
            check("ech_keys %s: .ecl.b64 is the list in base64, one line" % name,
                  b64.endswith("\n") and b64.count("\n") == 1 and base64.b64decode(b64) == ecl)
            cfgs = ech_keys.parse_config_list(ecl)
            c = cfgs[0] if len(cfgs) == 1 else {}
            got = (c.get("config_id"), c.get("kem_id"), c.get("suites"), c.get("maximum_name_length"),
                   c.get("public_name"), c.get("extensions"), c.get("public_key"))
            want = (cid, 0x20, [(1, 1), (1, 3)], 32, b"public.lab.test", b"", C.x25519_public(sk))
            check_eq("ech_keys %s: one ECHConfig with the brief's fields" % name, want, got)
            # The wire bytes, field by field (RFC 9849 4), independent of parse_config_list.
            want_raw = (b"\x00\x46" + b"\xfe\x0d\x00\x42" + bytes((cid,)) + b"\x00\x20\x00\x20" + C.x25519_public(sk)
                        + b"\x00\x08\x00\x01\x00\x01\x00\x01\x00\x03" + b"\x20\x0f" + b"public.lab.test" + b"\x00\x00")
            check_eq("ech_keys %s: exact ECHConfigList bytes" % name, want_raw, ecl)
    check("parse_config_list rejects a truncated list",
          raises(lambda: ech_keys.parse_config_list(want_raw[:-1])))


# ---------------------------------------------------------------- the test-only ECH client
def exts_bytes(exts):
    return b"".join(fake_ech.ext(t, d) for t, d in exts)


def ch_body(random, sid, exts, suites=(0x1301, 0x1303)):
    return (b"\x03\x03" + random + fake_ech.vec(1, sid) + fake_ech.vec(2, b"".join(struct.pack(">H", s) for s in suites))
            + b"\x01\x00" + fake_ech.vec(2, exts_bytes(exts)))


def sni_ext(name):
    n = name.encode()
    return (0, fake_ech.vec(2, b"\x00" + fake_ech.vec(2, n)))


def common_exts():
    """supported_groups (X25519), signature_algorithms, supported_versions (TLS 1.3 only) and
    a fresh X25519 key_share, in that order."""
    return [(10, b"\x00\x02\x00\x1d"), (13, b"\x00\x04\x04\x03\x08\x04"),
            (43, b"\x02\x03\x04"), (51, fake_ech.vec(2, b"\x00\x1d\x00\x20" + C.x25519_public(os.urandom(32))))]


class Client:
    """Builds ClientHelloOuter/Inner pairs (RFC 9849 5, 6.1) for one config."""

    def __init__(self, config, aead=C.AEAD_AES_128_GCM, config_id=None, compress=True):
        self.cfg = config
        self.aead = aead
        self.config_id = config["config_id"] if config_id is None else config_id
        self.compress = compress
        self.inner_random, self.outer_random, self.sid = os.urandom(32), os.urandom(32), os.urandom(32)
        self.ctx = None


    def hello(self, inner_sni="ech.lab.test", second=False, cookie=None):
        """(outer body, inner ClientHello body as the server must reconstruct it); a second
        hello echoes the HelloRetryRequest's cookie extension data in both."""
        shared = common_exts()
        echo = [(44, cookie)] if cookie is not None else []
        inner_exts = [sni_ext(inner_sni)] + shared + echo + [(0xFE0D, b"\x01")]
        inner_full = ch_body(self.inner_random, self.sid, inner_exts)
        if self.compress:   # supported_groups and signature_algorithms by reference (5.1)
            enc_exts = [inner_exts[0], (0xFD00, b"\x04\x00\x0a\x00\x0d")] + inner_exts[3:]
        else:
            enc_exts = inner_exts
        encoded = ch_body(self.inner_random, b"", enc_exts)
        # Padding (6.1.3): the SNI up to maximum_name_length, then to a multiple of 32.
        pad = max(0, self.cfg["maximum_name_length"] - len(inner_sni))
        pad += 31 - ((len(encoded) + pad - 1) % 32)
        encoded += bytes(pad)
        if second:
            enc = b""
        else:
            enc, self.ctx = C.setup_base_s(self.cfg["public_key"], b"tls ech\0" + self.cfg["raw"], self.aead,
                                           os.urandom(32))
        plen = len(encoded) + 16
        def outer(payload):
            e = (b"\x00" + struct.pack(">HHB", 1, self.aead, self.config_id) + fake_ech.vec(2, enc)
                 + fake_ech.vec(2, payload))
            return ch_body(self.outer_random, self.sid, [sni_ext("public.lab.test")] + shared + echo + [(0xFE0D, e)])
        payload = self.ctx.seal(outer(bytes(plen)), encoded)
        return outer(payload), inner_full


def record(body):
    return fake_ech.tls_record(22, 0x0301, fake_ech.handshake(1, body))


def read_message(sock):
    """('hs', message with header) | ('alert', description) | ('closed', None)."""
    def exact(n):
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf
    try:
        hdr = exact(5)
        payload = exact(struct.unpack(">H", hdr[3:5])[0])
    except (EOFError, OSError):
        return "closed", None
    if hdr[0] == 21:
        return "alert", payload[1]
    return "hs", payload


def sh_fields(msg):
    """(random, {ext type: (data, offset of data in msg)}) of a ServerHello message."""
    off = 4 + 2
    random = msg[off:off + 32]
    off += 32
    off += 1 + msg[off]
    off += 3
    end = off + 2 + struct.unpack(">H", msg[off:off + 2])[0]
    off += 2
    exts = {}
    while off < end:
        t, n = struct.unpack(">HH", msg[off:off + 4])
        exts[t] = (msg[off + 4:off + 4 + n], off + 4)
        off += 4 + n
    return random, exts


def conf(inner_random, label, transcript):
    prk = C.hkdf_extract(bytes(32), inner_random)
    return C.hkdf_expand_label(prk, label, hashlib.sha256(transcript).digest(), 8)


def accepted(ch_inner_msg_prefix, inner_random, sh):
    """Did the ServerHello confirm ECH acceptance (RFC 9849 7.2)?"""
    random, _ = sh_fields(sh)
    zeroed = sh[:30] + bytes(8) + sh[38:]
    return conf(inner_random, b"ech accept confirmation", ch_inner_msg_prefix + zeroed) == random[24:]


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.settimeout(5)
    return s


def exchange(port, body):
    with connect(port) as s:
        s.sendall(record(body))
        return read_message(s)


def log_tail(name, since):
    path = os.path.join(os.environ.get("LAB_DIR", ""), "logs", name + ".log")
    time.sleep(0.2)
    try:
        with open(path, errors="replace") as f:
            return f.read()[since:]
    except OSError:
        return ""


def log_size(name):
    try:
        return os.path.getsize(os.path.join(os.environ.get("LAB_DIR", ""), "logs", name + ".log"))
    except OSError:
        return 0


def test_decode_inner():
    """fake_ech.decode_inner's checks (RFC 9849 5.1, 7.1), offline."""
    common = common_exts()
    outer = fake_ech.Hello(ch_body(os.urandom(32), b"S" * 32, [sni_ext("public.lab.test")] + common
                                   + [(0xFE0D, b"\x00")]))
    inner_exts = [sni_ext("ech.lab.test")] + common + [(0xFE0D, b"\x01")]
    full = ch_body(b"R" * 32, b"S" * 32, inner_exts)

    def decode(exts, pad=bytes(7), sid=b""):
        return fake_ech.decode_inner(ch_body(b"R" * 32, sid, exts) + pad, outer)

    def alert_of(exts, **kw):
        try:
            decode(exts, **kw)
        except fake_ech.Alert as e:
            return e.description, str(e)
        return None, "no alert"

    check_eq("decode_inner: padding stripped, legacy_session_id restored", full, decode(inner_exts).serialize())
    check_eq("decode_inner: ech_outer_extensions expanded in place", full,
             decode([inner_exts[0], (0xFD00, b"\x04\x00\x0a\x00\x0d")] + inner_exts[3:]).serialize())
    cases = [
        ("non-zero padding", inner_exts, {"pad": b"\0\0\1"}),
        ("non-empty legacy_session_id", inner_exts, {"sid": b"x"}),
        ("reference to an extension the outer lacks", [inner_exts[0], (0xFD00, b"\x02\x00\x2d")] + inner_exts[1:], {}),
        ("reference to encrypted_client_hello", [inner_exts[0], (0xFD00, b"\x02\xfe\x0d")] + inner_exts[1:], {}),
        ("references out of the outer's order", [inner_exts[0], (0xFD00, b"\x04\x00\x0d\x00\x0a")] + inner_exts[3:], {}),
        ("a reference repeated", [inner_exts[0], (0xFD00, b"\x04\x00\x0a\x00\x0a")] + inner_exts[3:], {}),
        ("no encrypted_client_hello of type inner", inner_exts[:-1], {}),
        ("TLS 1.2 offered", [e if e[0] != 43 else (43, b"\x04\x03\x04\x03\x03") for e in inner_exts], {}),
    ]
    for name, exts, kw in cases:
        desc, why = alert_of(exts, **kw)
        check("decode_inner: %s gives illegal_parameter" % name, desc == 47, "%s: %s" % (desc, why))


def test_lab():
    env = os.environ
    lab = env.get("LAB_DIR")
    ports = {n: int(env.get("LAB_PORT_ECH_" + n.upper(), "0")) for n in ("accept", "reject", "none", "greasebreak", "hrr")}
    cfg_path = env.get("LAB_ECH_CONFIG_FILE") or os.path.join(lab or "", "ech", "accept.ecl")
    try:
        cfg = ech_keys.parse_config_list(open(cfg_path, "rb").read())[0]
    except (OSError, IndexError, ValueError) as e:
        check("lab: the accept ECHConfigList is readable", False, "%s: %s" % (cfg_path, e))
        return
    check("lab: LAB_ECH_CONFIG_LIST is the accept list in base64",
          env.get("LAB_ECH_CONFIG_LIST", "").strip() == open(cfg_path + ".b64").read().strip())

    for aead, aname in ((C.AEAD_AES_128_GCM, "AES-128-GCM"), (C.AEAD_CHACHA20_POLY1305, "ChaCha20-Poly1305")):
        for compress in (True, False):
            cl = Client(cfg, aead=aead, compress=compress)
            outer, inner = cl.hello()
            mark = log_size("ech_accept")
            kind, sh = exchange(ports["accept"], outer)
            what = "%s%s" % (aname, ", ech_outer_extensions" if compress else "")
            check("ech_accept (%s): ServerHello confirms acceptance" % what,
                  kind == "hs" and sh[0] == 2 and accepted(fake_ech.handshake(1, inner), cl.inner_random, sh),
                  "%s %r" % (kind, sh[:8] if kind == "hs" else sh))
            log = log_tail("ech_accept", mark)
            check("ech_accept (%s): log says accepted inner sni=ech.lab.test" % what,
                  "accepted inner sni=ech.lab.test outer sni=public.lab.test" in log, log.strip()[-300:])

    cl = Client(cfg)
    outer, inner = cl.hello()
    bad = bytearray(outer)
    bad[-1] ^= 1                         # last byte of the ECH payload (the extension is last)
    mark = log_size("ech_accept")
    kind, sh = exchange(ports["accept"], bytes(bad))
    check("ech_accept: a corrupted payload is answered as the outer hello, without confirmation",
          kind == "hs" and not accepted(fake_ech.handshake(1, inner), cl.inner_random, sh), kind)
    check("ech_accept: log says rejected: decryption failed",
          "rejected: decryption failed" in log_tail("ech_accept", mark))

    cl = Client(cfg)
    outer, inner = cl.hello()
    mark = log_size("ech_reject")
    kind, sh = exchange(ports["reject"], outer)
    check("ech_reject: ServerHello without confirmation", kind == "hs" and sh[0] == 2
          and not accepted(fake_ech.handshake(1, inner), cl.inner_random, sh), kind)
    log = log_tail("ech_reject", mark)
    check("ech_reject: log says config_id 0x2a is not ours (0x2b), outer sni",
          "rejected: config_id 0x2a is not ours (0x2b): answered the outer hello (sni=public.lab.test)" in log,
          log.strip()[-300:])

    mark = log_size("ech_none")
    kind, sh = exchange(ports["none"], outer)
    check("ech_none: ServerHello without confirmation", kind == "hs" and sh[0] == 2
          and not accepted(fake_ech.handshake(1, inner), cl.inner_random, sh), kind)
    check("ech_none: log says the extension was ignored",
          "encrypted_client_hello ignored" in log_tail("ech_none", mark))

    mark = log_size("ech_greasebreak")
    kind, _ = exchange(ports["greasebreak"], outer)
    check("ech_greasebreak: a hello with 0xfe0d is closed unanswered", kind == "closed", kind)
    plain = ch_body(os.urandom(32), os.urandom(32), [sni_ext("public.lab.test")] + common_exts())
    kind, sh = exchange(ports["greasebreak"], plain)
    check("ech_greasebreak: a hello without 0xfe0d gets a ServerHello", kind == "hs" and sh[0] == 2, kind)
    log = log_tail("ech_greasebreak", mark)
    check("ech_greasebreak: log says closed, then answered",
          "closed: the hello carries encrypted_client_hello" in log and "answered the hello without" in log,
          log.strip()[-300:])

    test_hrr(cfg, ports["hrr"])


def test_hrr(cfg, port):
    cl = Client(cfg)
    outer1, inner1 = cl.hello()
    mark = log_size("ech_hrr")
    with connect(port) as s:
        s.sendall(record(outer1))
        kind, hrr = read_message(s)
        if kind != "hs" or sh_fields(hrr)[0] != fake_ech.HRR_RANDOM:
            check("ech_hrr: HelloRetryRequest first", False, "%s" % kind)
            return
        _, exts = sh_fields(hrr)
        data, off = exts.get(0xFE0D, (b"", 0))
        ch1 = fake_ech.handshake(1, inner1)
        mh = bytes((254, 0, 0, 32)) + hashlib.sha256(ch1).digest()
        want = conf(cl.inner_random, b"hrr ech accept confirmation", mh + hrr[:off] + bytes(8) + hrr[off + 8:])
        check("ech_hrr: HelloRetryRequest carries the 8-byte ECH confirmation (7.2.1)",
              len(data) == 8 and data == want, data.hex())
        check("ech_hrr: HelloRetryRequest carries a cookie", 44 in exts)
        outer2, inner2 = cl.hello(second=True, cookie=exts.get(44, (b"", 0))[0])
        s.sendall(fake_ech.tls_record(20, 0x0303, b"\x01") + record(outer2))
        kind, sh = read_message(s)
        check("ech_hrr: second ServerHello confirms acceptance",
              kind == "hs" and accepted(mh + hrr + fake_ech.handshake(1, inner2), cl.inner_random, sh), kind)
    cl = Client(cfg)
    outer1, _ = cl.hello()
    with connect(port) as s:
        s.sendall(record(outer1))
        read_message(s)
        s.sendall(record(ch_body(cl.outer_random, cl.sid, [sni_ext("public.lab.test")] + common_exts())))
        kind, desc = read_message(s)
        check("ech_hrr: a second hello without encrypted_client_hello gets missing_extension (7.1.1)",
              (kind, desc) == ("alert", 109), "%s %r" % (kind, desc if kind == "alert" else ""))
    # The second hello must really decrypt (same HPKE context) and echo the cookie.
    for what, tamper, want in (("a second hello whose payload does not decrypt", "payload", 51),
                               ("a second hello without the cookie", "cookie", 47)):
        cl = Client(cfg)
        outer1, _ = cl.hello()
        with connect(port) as s:
            s.sendall(record(outer1))
            _, hrr = read_message(s)
            cookie = sh_fields(hrr)[1].get(44, (b"", 0))[0] if tamper == "payload" else None
            outer2, _ = cl.hello(second=True, cookie=cookie)
            if tamper == "payload":
                outer2 = outer2[:-1] + bytes((outer2[-1] ^ 1,))   # the last byte is the tag's
            s.sendall(record(outer2))
            kind, desc = read_message(s)
            check("ech_hrr: %s gets alert %d" % (what, want), (kind, desc) == ("alert", want),
                  "%s %r" % (kind, desc if kind == "alert" else ""))
    log = log_tail("ech_hrr", mark)
    check("ech_hrr: log says accepted after HelloRetryRequest",
          "accepted after HelloRetryRequest" in log and "inner sni=ech.lab.test" in log, log.strip()[-300:])


def main():
    test_vectors(os.path.join(HERE, "..", "unit", "data"))
    test_keys()
    test_decode_inner()
    if "--lab" in sys.argv:
        test_lab()
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
