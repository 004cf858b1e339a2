"""Pure-Python cryptography for the lab's ECH server (tests/lab/fake_ech.py) and its test
client: X25519 (RFC 7748), HKDF-SHA256 (RFC 5869), AES-128-GCM (FIPS 197, SP 800-38D),
ChaCha20-Poly1305 (RFC 8439), HPKE base mode with DHKEM(X25519, HKDF-SHA256) and HKDF-SHA256
(RFC 9180), and TLS 1.3's HKDF-Expand-Label (RFC 8446 7.1).

Why pure Python: the lab must run on Debian 12 with the standard library only (no
`cryptography` module), and no installable TLS stack there speaks ECH. This is an independent
implementation of what the C probe does (src/ech/), so the two agreeing is evidence; it is
written for clarity, not speed or constant time (lab keys only, never real secrets).
Every primitive is checked against published vectors by tests/lab/test_ech_crypto.py.
"""
import hashlib
import hmac
import struct

# ---------------------------------------------------------------- X25519 (RFC 7748 5)
P25519 = 2 ** 255 - 19
A24 = 121665


def x25519(scalar, u_bytes):
    """X25519(k, u): the Montgomery ladder of RFC 7748 section 5, 32-byte little-endian in/out."""
    if len(scalar) != 32 or len(u_bytes) != 32:
        raise ValueError("X25519 inputs are 32 bytes")
    k = bytearray(scalar)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    k = int.from_bytes(k, "little")
    x1 = int.from_bytes(u_bytes, "little") & ((1 << 255) - 1)   # mask the top bit (5)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    p = P25519
    for t in range(254, -1, -1):
        kt = (k >> t) & 1
        swap ^= kt
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = kt
        a = (x2 + z2) % p
        aa = a * a % p
        b = (x2 - z2) % p
        bb = b * b % p
        e = (aa - bb) % p
        c = (x3 + z3) % p
        d = (x3 - z3) % p
        da = d * a % p
        cb = c * b % p
        x3 = (da + cb) * (da + cb) % p
        z3 = x1 * (da - cb) * (da - cb) % p
        x2 = aa * bb % p
        z2 = e * (aa + A24 * e) % p
    if swap:
        x2, x3, z2, z3 = x3, x2, z3, z2
    return (x2 * pow(z2, p - 2, p) % p).to_bytes(32, "little")


X25519_BASE = (9).to_bytes(32, "little")


def x25519_public(private):
    return x25519(private, X25519_BASE)


# ---------------------------------------------------------------- HKDF-SHA256 (RFC 5869)
def hkdf_extract(salt, ikm):
    return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()


def hkdf_expand(prk, info, length):
    if length > 255 * 32:
        raise ValueError("HKDF-Expand length too large")
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes((i,)), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


def hkdf_expand_label(secret, label, context, length):
    """TLS 1.3 HKDF-Expand-Label (RFC 8446 7.1): the label on the wire is "tls13 " + label."""
    full = b"tls13 " + label
    info = struct.pack(">H", length) + bytes((len(full),)) + full + bytes((len(context),)) + context
    return hkdf_expand(secret, info, length)


def transcript_hash(*messages):
    """SHA-256 over handshake messages (each with its 4-byte header), RFC 8446 4.4.1."""
    return hashlib.sha256(b"".join(messages)).digest()


# ---------------------------------------------------------------- AES-128 (FIPS 197), encrypt only
def _make_sbox():
    sbox = [0] * 256
    p = q = 1
    while True:                      # p runs over GF(2^8)*, q = p^-1 (the FIPS 197 construction)
        p = p ^ ((p << 1) & 0xFF) ^ (0x1B if p & 0x80 else 0)
        q ^= q << 1
        q ^= q << 2
        q ^= q << 4
        q &= 0xFF
        if q & 0x80:
            q ^= 0x09
        rot = lambda v, s: ((v << s) | (v >> (8 - s))) & 0xFF
        sbox[p] = q ^ rot(q, 1) ^ rot(q, 2) ^ rot(q, 3) ^ rot(q, 4) ^ 0x63
        if p == 1:
            break
    sbox[0] = 0x63
    return sbox


SBOX = _make_sbox()


def _xtime(a):
    return ((a << 1) ^ 0x1B) & 0xFF if a & 0x80 else a << 1


def aes128_expand_key(key):
    if len(key) != 16:
        raise ValueError("AES-128 key is 16 bytes")
    w = [list(key[i:i + 4]) for i in range(0, 16, 4)]
    rcon = 1
    for i in range(4, 44):
        t = list(w[i - 1])
        if i % 4 == 0:
            t = [SBOX[b] for b in t[1:] + t[:1]]
            t[0] ^= rcon
            rcon = _xtime(rcon)
        w.append([a ^ b for a, b in zip(w[i - 4], t)])
    return [sum(w[r * 4:r * 4 + 4], []) for r in range(11)]


def aes128_encrypt_block(round_keys, block):
    s = [a ^ b for a, b in zip(block, round_keys[0])]
    for r in range(1, 11):
        s = [SBOX[b] for b in s]
        # ShiftRows: state is column-major, byte (row i, column c) at 4c + i.
        s = [s[4 * ((c + i) % 4) + i] for c in range(4) for i in range(4)]
        if r != 10:
            m = []
            for c in range(4):
                a0, a1, a2, a3 = s[4 * c:4 * c + 4]
                t = a0 ^ a1 ^ a2 ^ a3
                m += [a0 ^ t ^ _xtime(a0 ^ a1), a1 ^ t ^ _xtime(a1 ^ a2),
                      a2 ^ t ^ _xtime(a2 ^ a3), a3 ^ t ^ _xtime(a3 ^ a0)]
            s = m
        s = [a ^ b for a, b in zip(s, round_keys[r])]
    return bytes(s)


# ---------------------------------------------------------------- GCM (NIST SP 800-38D)
_R = 0xE1 << 120


def _gf_mul(x, y):
    z, v = 0, y
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ _R if v & 1 else v >> 1
    return z


def _ghash(h, aad, ct):
    def blocks(data):
        for i in range(0, len(data), 16):
            yield int.from_bytes(data[i:i + 16].ljust(16, b"\0"), "big")
    y = 0
    for b in list(blocks(aad)) + list(blocks(ct)):
        y = _gf_mul(y ^ b, h)
    y = _gf_mul(y ^ ((len(aad) * 8) << 64 | len(ct) * 8), h)
    return y


def _gcm_ctr(rk, j0, data):
    out = bytearray()
    ctr = int.from_bytes(j0, "big")
    for i in range(0, len(data), 16):
        ctr = (ctr & ~0xFFFFFFFF) | ((ctr + 1) & 0xFFFFFFFF)
        ks = aes128_encrypt_block(rk, ctr.to_bytes(16, "big"))
        out += bytes(a ^ b for a, b in zip(data[i:i + 16], ks))
    return bytes(out)


def _gcm(key, nonce, aad, data, decrypt, tag=None):
    if len(nonce) != 12:
        raise ValueError("GCM nonce is 12 bytes here")
    rk = aes128_expand_key(key)
    h = int.from_bytes(aes128_encrypt_block(rk, bytes(16)), "big")
    j0 = nonce + b"\0\0\0\1"
    out = _gcm_ctr(rk, j0, data)
    ct = data if decrypt else out
    s = _ghash(h, aad, ct) ^ int.from_bytes(aes128_encrypt_block(rk, j0), "big")
    computed = s.to_bytes(16, "big")
    if decrypt:
        if not hmac.compare_digest(computed, tag):
            raise ValueError("AES-128-GCM tag mismatch")
        return out
    return out + computed


def aes128gcm_seal(key, nonce, aad, pt):
    return _gcm(key, nonce, aad, pt, False)


def aes128gcm_open(key, nonce, aad, ct):
    if len(ct) < 16:
        raise ValueError("AES-128-GCM ciphertext shorter than its tag")
    return _gcm(key, nonce, aad, ct[:-16], True, ct[-16:])


# ---------------------------------------------------------------- ChaCha20-Poly1305 (RFC 8439)
def _rotl32(v, c):
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def _quarter(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = _rotl32(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = _rotl32(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = _rotl32(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = _rotl32(s[b] ^ s[c], 7)


def chacha20_block(key, counter, nonce):
    state = ([0x61707865, 0x3320646E, 0x79622D32, 0x6B206574] + list(struct.unpack("<8I", key))
             + [counter] + list(struct.unpack("<3I", nonce)))
    w = list(state)
    for _ in range(10):
        _quarter(w, 0, 4, 8, 12); _quarter(w, 1, 5, 9, 13)
        _quarter(w, 2, 6, 10, 14); _quarter(w, 3, 7, 11, 15)
        _quarter(w, 0, 5, 10, 15); _quarter(w, 1, 6, 11, 12)
        _quarter(w, 2, 7, 8, 13); _quarter(w, 3, 4, 9, 14)
    return struct.pack("<16I", *((a + b) & 0xFFFFFFFF for a, b in zip(w, state)))


def chacha20_xor(key, counter, nonce, data):
    out = bytearray()
    for i in range(0, len(data), 64):
        ks = chacha20_block(key, counter + i // 64, nonce)
        out += bytes(a ^ b for a, b in zip(data[i:i + 64], ks))
    return bytes(out)


def poly1305(key, msg):
    r = int.from_bytes(key[:16], "little") & 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF
    s = int.from_bytes(key[16:], "little")
    p = (1 << 130) - 5
    acc = 0
    for i in range(0, len(msg), 16):
        n = int.from_bytes(msg[i:i + 16] + b"\1", "little")
        acc = (acc + n) * r % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def _pad16(b):
    return b"\0" * (-len(b) % 16)


def _chacha_tag(key, nonce, aad, ct):
    otk = chacha20_block(key, 0, nonce)[:32]
    mac_data = aad + _pad16(aad) + ct + _pad16(ct) + struct.pack("<QQ", len(aad), len(ct))
    return poly1305(otk, mac_data)


def chacha20poly1305_seal(key, nonce, aad, pt):
    ct = chacha20_xor(key, 1, nonce, pt)
    return ct + _chacha_tag(key, nonce, aad, ct)


def chacha20poly1305_open(key, nonce, aad, ct):
    if len(ct) < 16:
        raise ValueError("ChaCha20-Poly1305 ciphertext shorter than its tag")
    body, tag = ct[:-16], ct[-16:]
    if not hmac.compare_digest(_chacha_tag(key, nonce, aad, body), tag):
        raise ValueError("ChaCha20-Poly1305 tag mismatch")
    return chacha20_xor(key, 1, nonce, body)


# ---------------------------------------------------------------- HPKE (RFC 9180), base mode
KEM_X25519_SHA256 = 0x0020
KDF_HKDF_SHA256 = 0x0001
AEAD_AES_128_GCM = 0x0001
AEAD_CHACHA20_POLY1305 = 0x0003
# aead_id: (Nk, seal, open)
AEADS = {
    AEAD_AES_128_GCM: (16, aes128gcm_seal, aes128gcm_open),
    AEAD_CHACHA20_POLY1305: (32, chacha20poly1305_seal, chacha20poly1305_open),
}
NN = 12


def _labeled_extract(suite_id, salt, label, ikm):
    return hkdf_extract(salt, b"HPKE-v1" + suite_id + label + ikm)


def _labeled_expand(suite_id, prk, label, info, length):
    return hkdf_expand(prk, struct.pack(">H", length) + b"HPKE-v1" + suite_id + label + info, length)


KEM_SUITE_ID = b"KEM" + struct.pack(">H", KEM_X25519_SHA256)


def _extract_and_expand(dh, kem_context):
    eae_prk = _labeled_extract(KEM_SUITE_ID, b"", b"eae_prk", dh)
    return _labeled_expand(KEM_SUITE_ID, eae_prk, b"shared_secret", kem_context, 32)


def derive_keypair(ikm):
    """DeriveKeyPair for DHKEM(X25519) (RFC 9180 7.1.3): (sk, pk)."""
    prk = _labeled_extract(KEM_SUITE_ID, b"", b"dkp_prk", ikm)
    sk = _labeled_expand(KEM_SUITE_ID, prk, b"sk", b"", 32)
    return sk, x25519_public(sk)


def _check_dh(dh):
    if dh == bytes(32):
        raise ValueError("X25519 gave the all-zero value (small-order point)")
    return dh


def encap(pk_r, sk_e):
    """(shared_secret, enc) with the given ephemeral key (deterministic for tests)."""
    enc = x25519_public(sk_e)
    dh = _check_dh(x25519(sk_e, pk_r))
    return _extract_and_expand(dh, enc + pk_r), enc


def decap(enc, sk_r):
    if len(enc) != 32:
        raise ValueError("DHKEM(X25519) enc is 32 bytes, got %d" % len(enc))
    dh = _check_dh(x25519(sk_r, enc))
    return _extract_and_expand(dh, enc + x25519_public(sk_r))


class Context:
    """An HPKE encryption context (RFC 9180 5.2): key, base_nonce, sequence number."""

    def __init__(self, aead_id, shared_secret, info):
        if aead_id not in AEADS:
            raise ValueError("AEAD 0x%04x not supported" % aead_id)
        self.aead_id = aead_id
        nk, self._seal, self._open = AEADS[aead_id]
        sid = b"HPKE" + struct.pack(">HHH", KEM_X25519_SHA256, KDF_HKDF_SHA256, aead_id)
        psk_id_hash = _labeled_extract(sid, b"", b"psk_id_hash", b"")
        info_hash = _labeled_extract(sid, b"", b"info_hash", info)
        self.key_schedule_context = b"\0" + psk_id_hash + info_hash
        self.secret = _labeled_extract(sid, shared_secret, b"secret", b"")
        self.key = _labeled_expand(sid, self.secret, b"key", self.key_schedule_context, nk)
        self.base_nonce = _labeled_expand(sid, self.secret, b"base_nonce", self.key_schedule_context, NN)
        self.exporter_secret = _labeled_expand(sid, self.secret, b"exp", self.key_schedule_context, 32)
        self._sid = sid
        self.seq = 0

    def _nonce(self):
        seq = self.seq.to_bytes(NN, "big")
        return bytes(a ^ b for a, b in zip(self.base_nonce, seq))

    def seal(self, aad, pt):
        ct = self._seal(self.key, self._nonce(), aad, pt)
        self.seq += 1
        return ct

    def open(self, aad, ct):
        pt = self._open(self.key, self._nonce(), aad, ct)   # raises ValueError on a bad tag
        self.seq += 1
        return pt

    def export(self, exporter_context, length):
        return _labeled_expand(self._sid, self.exporter_secret, b"sec", exporter_context, length)


def setup_base_s(pk_r, info, aead_id, sk_e):
    """SetupBaseS with a caller-chosen ephemeral key: (enc, context)."""
    shared, enc = encap(pk_r, sk_e)
    return enc, Context(aead_id, shared, info)


def setup_base_r(enc, sk_r, info, aead_id):
    return Context(aead_id, decap(enc, sk_r), info)
