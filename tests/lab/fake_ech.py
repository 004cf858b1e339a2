#!/usr/bin/env python3
"""Scripted TLS 1.3 server for the lab's ECH tests (RFC 9849, server side), answering the
first flight only: one ServerHello (or a HelloRetryRequest, then one ServerHello), then close.

No server installable on Debian 12 speaks ECH (OpenSSL 3.0 has none), so this one decides what
a client-facing server decides, from the ClientHello alone. Modes:
  accept       ECH-configured with --key/--config-list: it decrypts the encrypted_client_hello
               (0xfe0d) payload (HPKE base mode, AAD = ClientHelloOuterAAD, RFC 9849 5.2),
               decodes ClientHelloInner (ech_outer_extensions expanded, padding checked, the
               outer legacy_session_id restored) and answers it with a ServerHello whose
               random[24:32] is the acceptance confirmation (7.2);
  reject       the same server; the lab gives it the other key, so a hello made with the
               accept config (config_id mismatch) is answered as the outer hello, with a
               plain ServerHello (no confirmation) and then its EncryptedExtensions, encrypted
               under the outer handshake's keys, carrying its own ECHConfigList as
               retry_configs (7.1);
  none         a TLS 1.3 server that ignores the extension (ECH or GREASE) and answers the hello
               (ServerHello, then an encrypted EncryptedExtensions without extensions);
  greasebreak  closes, without an alert, on any hello carrying 0xfe0d; answers the others;
  hrr          as accept, but first a HelloRetryRequest carrying the 8-byte ECH confirmation
               (7.2.1) and a cookie, then the ServerHello with confirmation for the second
               hello, which must decrypt with the first hello's HPKE context (empty enc, next
               sequence number, same suite and config id) and echo the cookie in both its
               inner and outer hellos; an alert otherwise (6.1.5, 7.1.1). A hello it cannot
               decrypt gets a HelloRetryRequest without the ECH extension (rejection), then
               the second outer hello (ECH still offered, cookie echoed) a ServerHello and the
               EncryptedExtensions with retry_configs.
ServerHellos: TLS 1.3 (supported_versions 0x0304), suite TLS_AES_128_GCM_SHA256 or
TLS_CHACHA20_POLY1305_SHA256 (the first the hello offers; both hash with SHA-256), a fresh
X25519 key share (the hello must offer one); after a plain ServerHello (reject, none) comes
the EncryptedExtensions record, and nothing else: no Certificate, the handshake is not finished.
Every decision is logged on stderr (tests read the log): "accepted inner sni=...", "rejected:
...", "answered the hello ...", "closed: ...".

Every read is bounded in size and time; each connection has an overall deadline; malformed
input is logged and the connection closed (an alert where TLS has one). 127.0.0.1 only.
Python 3 standard library only (tests/lab/ech_crypto.py for the cryptography).
"""
import argparse
import hashlib
import os
import socketserver
import struct
import sys

import ech_crypto
import ech_keys
import tls_wire
from tls_wire import CONTENT_ALERT, CONTENT_HANDSHAKE, Closed, Conn, Server, tls_record, u16

TLS13 = 0x0304
EXT_SERVER_NAME = 0
EXT_SUPPORTED_VERSIONS = 43
EXT_COOKIE = 44
EXT_KEY_SHARE = 51
EXT_ECH = 0xFE0D
EXT_ECH_OUTER_EXTENSIONS = 0xFD00
GROUP_X25519 = 0x001D
SUITES = (0x1301, 0x1303)          # the SHA-256 TLS 1.3 suites this server can pick
CONTENT_CCS = 20
CONTENT_APPLICATION_DATA = 23
ALERT_ILLEGAL_PARAMETER = 47
ALERT_DECODE_ERROR = 50
ALERT_HANDSHAKE_FAILURE = 40
ALERT_PROTOCOL_VERSION = 70
ALERT_DECRYPT_ERROR = 51
ALERT_MISSING_EXTENSION = 109
HRR_RANDOM = hashlib.sha256(b"HelloRetryRequest").digest()   # RFC 8446 4.1.3
ECH_INFO_PREFIX = b"tls ech\0"


class Alert(Exception):
    """Abort the handshake with this alert (description, reason)."""

    def __init__(self, description, reason):
        super().__init__(reason)
        self.description = description


# ---------------------------------------------------------------- ClientHello structure
class Hello:
    """A parsed ClientHello structure (no handshake header), extensions in order, with the
    offset of each extension's data in the body (for the ECH payload's zeroing)."""

    def __init__(self, body, allow_trailing=False):
        try:
            off = 0
            self.version = u16(body, 0)
            self.random = body[2:34]
            if len(self.random) != 32:
                raise Closed("truncated ClientHello")
            off = 34
            sid_len = body[off]
            if sid_len > 32:
                raise Alert(ALERT_ILLEGAL_PARAMETER, "session id longer than 32 bytes")
            self.session_id = body[off + 1:off + 1 + sid_len]
            off += 1 + sid_len
            n = u16(body, off)
            self.suites_raw = body[off + 2:off + 2 + n]
            if n % 2 or len(self.suites_raw) != n:
                raise Alert(ALERT_DECODE_ERROR, "bad cipher_suites length")
            self.suites = [u16(self.suites_raw, i) for i in range(0, n, 2)]
            off += 2 + n
            n = body[off]
            self.compression = body[off + 1:off + 1 + n]
            if len(self.compression) != n:
                raise Alert(ALERT_DECODE_ERROR, "bad compression_methods length")
            off += 1 + n
            self.extensions = []        # [(type, data, offset of data in body)]
            ext_end = off + 2 + u16(body, off)
            off += 2
            if ext_end > len(body) or (ext_end != len(body) and not allow_trailing):
                raise Alert(ALERT_DECODE_ERROR, "bad extensions length")
            while off < ext_end:
                etype, elen = u16(body, off), u16(body, off + 2)
                off += 4
                if off + elen > ext_end:
                    raise Alert(ALERT_DECODE_ERROR, "bad extension length")
                if any(t == etype for t, _, _ in self.extensions):
                    raise Alert(ALERT_ILLEGAL_PARAMETER, "duplicate extension 0x%04x" % etype)
                self.extensions.append((etype, body[off:off + elen], off))
                off += elen
            self.end = ext_end
        except (IndexError, struct.error):
            raise Alert(ALERT_DECODE_ERROR, "truncated ClientHello")

    def ext(self, etype):
        for t, data, _ in self.extensions:
            if t == etype:
                return data
        return None

    def ext_offset(self, etype):
        for t, _, off in self.extensions:
            if t == etype:
                return off
        return None

    def serialize(self):
        exts = b"".join(struct.pack(">HH", t, len(d)) + d for t, d, _ in self.extensions)
        return (struct.pack(">H", self.version) + self.random + vec(1, self.session_id)
                + vec(2, self.suites_raw) + vec(1, self.compression) + vec(2, exts))

    def sni(self):
        data = self.ext(EXT_SERVER_NAME)
        if not data or len(data) < 5 or data[2] != 0:
            return None
        n = u16(data, 3)
        return data[5:5 + n].decode("ascii", "replace")

    def offers_tls13(self):
        return TLS13 in tls_wire.u16_list(self.ext(EXT_SUPPORTED_VERSIONS) or b"", 1)

    def x25519_share(self):
        data = self.ext(EXT_KEY_SHARE)
        if data is None or len(data) < 2 or 2 + u16(data, 0) != len(data):
            return None
        off = 2
        while off + 4 <= len(data):
            group, n = u16(data, off), u16(data, off + 2)
            if group == GROUP_X25519 and n == 32 and off + 4 + n <= len(data):
                return data[off + 4:off + 4 + n]
            off += 4 + n
        return None


def vec(len_bytes, data):
    return tls_wire.vec(len_bytes, data)


def handshake(mtype, body):
    return tls_wire.handshake_msg(mtype, body)


def ext(etype, data):
    return struct.pack(">HH", etype, len(data)) + data


def parse_ech_outer(data):
    """ECHClientHello of type outer (RFC 9849 5): (kdf, aead, config_id, enc, payload,
    offset of payload in data)."""
    if not data or data[0] != 0:
        raise Alert(ALERT_ILLEGAL_PARAMETER, "encrypted_client_hello in the outer hello is not of type outer(0)")
    try:
        kdf, aead, config_id = u16(data, 1), u16(data, 3), data[5]
        n = u16(data, 6)
        enc = data[8:8 + n]
        off = 8 + n
        plen = u16(data, off)
        payload = data[off + 2:off + 2 + plen]
    except (IndexError, struct.error):
        raise Alert(ALERT_DECODE_ERROR, "truncated ECHClientHello")
    if len(enc) != n or plen == 0 or len(payload) != plen or off + 2 + plen != len(data):
        raise Alert(ALERT_DECODE_ERROR, "bad ECHClientHello lengths")
    return kdf, aead, config_id, enc, payload, off + 2


def decode_inner(plaintext, outer):
    """ClientHelloInner from EncodedClientHelloInner (RFC 9849 5.1): expands
    ech_outer_extensions from the outer hello, checks the padding is zeros and restores the
    outer legacy_session_id."""
    inner = Hello(plaintext, allow_trailing=True)
    if any(plaintext[inner.end:]):
        raise Alert(ALERT_ILLEGAL_PARAMETER, "EncodedClientHelloInner padding is not zeros")
    if inner.session_id:
        raise Alert(ALERT_ILLEGAL_PARAMETER, "EncodedClientHelloInner legacy_session_id is not empty")
    expanded, cursor = [], 0
    for etype, data, off in inner.extensions:
        if etype != EXT_ECH_OUTER_EXTENSIONS:
            expanded.append((etype, data, off))
            continue
        refs = tls_wire.u16_list(data, 1)
        if not refs:
            raise Alert(ALERT_DECODE_ERROR, "malformed ech_outer_extensions")
        for ref in refs:
            if ref == EXT_ECH:
                raise Alert(ALERT_ILLEGAL_PARAMETER, "ech_outer_extensions references encrypted_client_hello")
            # References must appear in the outer hello in the same order (5.1).
            while cursor < len(outer.extensions) and outer.extensions[cursor][0] != ref:
                cursor += 1
            if cursor == len(outer.extensions):
                raise Alert(ALERT_ILLEGAL_PARAMETER, "ech_outer_extensions: 0x%04x not in the outer hello (in order)" % ref)
            expanded.append(outer.extensions[cursor])
            cursor += 1
    seen = [t for t, _, _ in expanded]
    if len(set(seen)) != len(seen):
        raise Alert(ALERT_ILLEGAL_PARAMETER, "duplicate extension after ech_outer_extensions")
    inner.extensions = expanded
    inner.session_id = outer.session_id
    if inner.ext(EXT_ECH) != b"\x01":
        raise Alert(ALERT_ILLEGAL_PARAMETER, "ClientHelloInner lacks encrypted_client_hello of type inner(1)")
    # 7.1: an inner hello offering TLS 1.2 or below is illegal_parameter.
    versions = tls_wire.u16_list(inner.ext(EXT_SUPPORTED_VERSIONS) or b"", 1)
    if not versions or any(v < TLS13 for v in versions if (v & 0x0F0F) != 0x0A0A):
        raise Alert(ALERT_ILLEGAL_PARAMETER, "ClientHelloInner offers TLS 1.2 or below (or no supported_versions)")
    return Hello(inner.serialize())


# ---------------------------------------------------------------- ServerHello / HRR
def server_hello(hello, random, suite, extra_exts=b"", private=None):
    """A TLS 1.3 ServerHello answering `hello`: supported_versions, an X25519 share (of
    `private`, else of a fresh key)."""
    share = ech_crypto.x25519_public(private or os.urandom(32))
    exts = (ext(EXT_SUPPORTED_VERSIONS, struct.pack(">H", TLS13))
            + ext(EXT_KEY_SHARE, struct.pack(">HH", GROUP_X25519, 32) + share) + extra_exts)
    body = (struct.pack(">H", 0x0303) + random + vec(1, hello.session_id)
            + struct.pack(">HB", suite, 0) + vec(2, exts))
    return handshake(2, body)


def hello_retry_request(hello, suite, ech_conf, cookie):
    """ech_conf None: no ECH extension (the server rejects ECH, 7.1.1)."""
    exts = (ext(EXT_SUPPORTED_VERSIONS, struct.pack(">H", TLS13)) + ext(EXT_COOKIE, vec(2, cookie))
            + ext(EXT_KEY_SHARE, struct.pack(">H", GROUP_X25519))
            + (ext(EXT_ECH, ech_conf) if ech_conf is not None else b""))
    body = (struct.pack(">H", 0x0303) + HRR_RANDOM + vec(1, hello.session_id)
            + struct.pack(">HB", suite, 0) + vec(2, exts))
    return handshake(2, body)


def confirmation(inner_random, label, transcript):
    """RFC 9849 7.2 / 7.2.1: HKDF-Expand-Label(HKDF-Extract(0, inner.random), label,
    Transcript-Hash(...), 8), for a SHA-256 suite."""
    prk = ech_crypto.hkdf_extract(bytes(32), inner_random)
    return ech_crypto.hkdf_expand_label(prk, label, hashlib.sha256(transcript).digest(), 8)


def message_hash(ch_msg):
    """RFC 8446 4.4.1: after a HelloRetryRequest, ClientHello1 enters the transcript as this."""
    return bytes((254, 0, 0, 32)) + hashlib.sha256(ch_msg).digest()


def check_answerable(hello, what):
    """The suite this server picks for `hello`, or an Alert."""
    if not hello.offers_tls13():
        raise Alert(ALERT_PROTOCOL_VERSION, "%s does not offer TLS 1.3" % what)
    suite = next((s for s in hello.suites if s in SUITES), None)
    if suite is None:
        raise Alert(ALERT_HANDSHAKE_FAILURE, "%s offers neither 0x1301 nor 0x1303" % what)
    if hello.x25519_share() is None:
        raise Alert(ALERT_HANDSHAKE_FAILURE, "%s has no X25519 key share" % what)
    return suite


def accept_server_hello(inner, suite, transcript_before):
    """ServerHello for the inner hello with the acceptance confirmation in random[24:32]."""
    random = os.urandom(24) + bytes(8)
    sh = server_hello(inner, random, suite)
    conf = confirmation(inner.random, b"ech accept confirmation", transcript_before + sh)
    off = 4 + 2 + 24                 # handshake header, legacy_version, random[0:24]
    return sh[:off] + conf + sh[off + 8:], conf


def plain_answer(hello, what):
    suite = check_answerable(hello, what)
    return server_hello(hello, os.urandom(32), suite)


def encrypted_extensions_record(ch_msg, sh, private, client_share, suite, exts):
    """The server's first encrypted record: EncryptedExtensions with `exts` under this
    handshake's server handshake traffic key (RFC 8446 7.1, 5.2; SHA-256 suites)."""
    C = ech_crypto
    ecdhe = C.x25519(private, client_share)
    early = C.hkdf_extract(bytes(32), bytes(32))
    derived = C.hkdf_expand_label(early, b"derived", hashlib.sha256(b"").digest(), 32)
    shs = C.hkdf_expand_label(C.hkdf_extract(derived, ecdhe), b"s hs traffic",
                              hashlib.sha256(ch_msg + sh).digest(), 32)
    key = C.hkdf_expand_label(shs, b"key", b"", 16 if suite == 0x1301 else 32)
    iv = C.hkdf_expand_label(shs, b"iv", b"", 12)
    inner = handshake(8, vec(2, exts)) + bytes((CONTENT_HANDSHAKE,))
    header = struct.pack(">BHH", CONTENT_APPLICATION_DATA, 0x0303, len(inner) + 16)
    seal = C.aes128gcm_seal if suite == 0x1301 else C.chacha20poly1305_seal
    return header + seal(key, iv, header, inner)


def answer_with_ee(hello, transcript, what, exts):
    """The ServerHello record answering `hello` (transcript: the messages before the
    ServerHello, the ClientHello's or after an HRR message_hash || HRR || ClientHello2), then
    the encrypted EncryptedExtensions carrying `exts`: a real server's first flight begins so."""
    suite = check_answerable(hello, what)
    private = os.urandom(32)
    sh = server_hello(hello, os.urandom(32), suite, private=private)
    ee = encrypted_extensions_record(transcript, sh, private, hello.x25519_share(), suite, exts)
    return tls_record(CONTENT_HANDSHAKE, 0x0303, sh) + ee


def reject_after_hrr(conn, outer, body, opts):
    """ECH rejected, with a HelloRetryRequest first (no ECH extension, a cookie): the second
    outer hello must still carry encrypted_client_hello and echo the cookie (RFC 9849 6.1.5);
    it is answered with a ServerHello and the EncryptedExtensions carrying retry_configs."""
    suite = check_answerable(outer, "the outer hello")
    cookie = os.urandom(16)
    hrr = hello_retry_request(outer, suite, None, cookie)
    conn.send(tls_record(CONTENT_HANDSHAKE, 0x0303, hrr))
    body2 = read_hello(conn, allow_ccs=True)
    outer2 = Hello(body2)
    if outer2.ext(EXT_ECH) is None:
        raise Alert(ALERT_MISSING_EXTENSION, "second outer hello without encrypted_client_hello")
    if outer2.ext(EXT_COOKIE) != vec(2, cookie) or outer2.random != outer.random:
        raise Alert(ALERT_ILLEGAL_PARAMETER, "second outer hello: cookie not echoed or random changed")
    transcript = message_hash(handshake(1, body)) + hrr + handshake(1, body2)
    conn.send(answer_with_ee(outer2, transcript, "the second outer hello", ext(EXT_ECH, opts.config_list_raw)))
    return "the second outer hello (sni=%s)" % outer2.sni()


# ---------------------------------------------------------------- connections
def read_hello(conn, allow_ccs):
    """A ClientHello body; with allow_ccs, one ChangeCipherSpec record before it is skipped
    (middlebox compatibility mode sends one before the second hello)."""
    if allow_ccs:
        hdr = conn.read_exact(5)
        if hdr[0] == CONTENT_CCS:
            if u16(hdr, 3) != 1 or conn.read_exact(1) != b"\x01":
                raise Closed("bad ChangeCipherSpec")
        else:
            return tls_wire.read_client_hello(_Prefixed(conn, hdr))
    return tls_wire.read_client_hello(conn)


class _Prefixed:
    """A Conn whose first reads return bytes already read."""

    def __init__(self, conn, prefix):
        self.conn, self.prefix = conn, prefix

    def read_exact(self, n):
        if self.prefix:
            take, self.prefix = self.prefix[:n], self.prefix[n:]
            return take + (self.conn.read_exact(n - len(take)) if n > len(take) else b"")
        return self.conn.read_exact(n)


class EchServer:
    def __init__(self, key, config):
        self.key = key
        self.config = config

    def open(self, outer, body, ctx=None):
        """The decoded ClientHelloInner and the HPKE context, or None (with the reason) when
        this server cannot decrypt: the hello is then answered as the outer hello (rejection)."""
        kdf, aead, config_id, enc, payload, poff = parse_ech_outer(outer.ext(EXT_ECH))
        cfg = self.config
        if config_id != cfg["config_id"]:
            return None, None, "config_id 0x%02x is not ours (0x%02x)" % (config_id, cfg["config_id"])
        if (kdf, aead) not in cfg["suites"]:
            return None, None, "cipher suite (0x%04x, 0x%04x) not in our config" % (kdf, aead)
        start = outer.ext_offset(EXT_ECH) + poff
        aad = body[:start] + bytes(len(payload)) + body[start + len(payload):]
        try:
            if ctx is None:
                if len(enc) != 32:
                    raise ValueError("enc of %d bytes" % len(enc))
                ctx = ech_crypto.setup_base_r(enc, self.key, ECH_INFO_PREFIX + cfg["raw"], aead)
            elif enc or (kdf, aead) != self.suite:
                # Second hello after HRR: same suite, empty enc (RFC 9849 5.1, 7.1.1).
                raise Alert(ALERT_ILLEGAL_PARAMETER, "second hello: enc not empty or suite changed")
            plaintext = ctx.open(aad, payload)
        except ValueError as e:
            if ctx is not None and ctx.seq > 0:
                # After an HRR accepted ECH, a failure is fatal (7.1.1), not a rejection.
                raise Alert(ALERT_DECRYPT_ERROR, "second hello: decryption failed: %s" % e)
            return None, None, "decryption failed: %s" % e
        self.suite = (kdf, aead)
        return decode_inner(plaintext, outer), ctx, "config_id 0x%02x, suite (0x%04x, 0x%04x)" % (config_id, kdf, aead)


def serve(conn, opts):
    body = tls_wire.read_client_hello(conn)
    outer = Hello(body)
    has_ech = outer.ext(EXT_ECH) is not None
    osni = outer.sni()
    if opts.mode == "greasebreak":
        if has_ech:
            return "closed: the hello carries encrypted_client_hello (sni=%s)" % osni
        conn.send(tls_record(CONTENT_HANDSHAKE, 0x0303, plain_answer(outer, "the hello")))
        return "answered the hello without encrypted_client_hello (sni=%s)" % osni
    if opts.mode == "none" or not has_ech:
        conn.send(answer_with_ee(outer, handshake(1, body), "the hello", b""))
        return "answered the hello (sni=%s), %s" % (
            osni, "encrypted_client_hello ignored" if has_ech else "no encrypted_client_hello")
    server = EchServer(opts.key, opts.config)
    inner, ctx, why = server.open(outer, body)
    if inner is None:
        # RFC 9849 7.1: the outer handshake's EncryptedExtensions carry our configs to retry with.
        if opts.mode == "hrr":
            answered = reject_after_hrr(conn, outer, body, opts)
            return ("rejected: %s: HelloRetryRequest without confirmation, then answered %s, retry_configs sent"
                    % (why, answered))
        conn.send(answer_with_ee(outer, handshake(1, body), "the outer hello", ext(EXT_ECH, opts.config_list_raw)))
        return ("rejected: %s: answered the outer hello (sni=%s) without confirmation, retry_configs sent"
                % (why, osni))
    suite = check_answerable(inner, "ClientHelloInner")
    ch1 = handshake(1, inner.serialize())
    if opts.mode != "hrr":
        sh, conf = accept_server_hello(inner, suite, ch1)
        conn.send(tls_record(CONTENT_HANDSHAKE, 0x0303, sh))
        return "accepted inner sni=%s outer sni=%s (%s), confirmation %s" % (inner.sni(), osni, why, conf.hex())
    cookie = os.urandom(16)
    hrr_zero = hello_retry_request(inner, suite, bytes(8), cookie)
    hrr_conf = confirmation(inner.random, b"hrr ech accept confirmation", message_hash(ch1) + hrr_zero)
    hrr = hello_retry_request(inner, suite, hrr_conf, cookie)
    conn.send(tls_record(CONTENT_HANDSHAKE, 0x0303, hrr))
    body2 = read_hello(conn, allow_ccs=True)
    outer2 = Hello(body2)
    if outer2.ext(EXT_ECH) is None:
        raise Alert(ALERT_MISSING_EXTENSION, "second hello without encrypted_client_hello after an ECH HRR")
    inner2, _, why2 = server.open(outer2, body2, ctx)
    if inner2 is None:
        raise Alert(ALERT_ILLEGAL_PARAMETER, "second hello: %s" % why2)
    if inner2.random != inner.random:
        raise Alert(ALERT_ILLEGAL_PARAMETER, "second ClientHelloInner changed its random")
    # RFC 8446 4.1.2: both second hellos echo the HRR's cookie (RFC 9849 6.1.5).
    if inner2.ext(EXT_COOKIE) != vec(2, cookie) or outer2.ext(EXT_COOKIE) != vec(2, cookie):
        raise Alert(ALERT_ILLEGAL_PARAMETER, "second hello does not echo the HelloRetryRequest's cookie")
    suite2 = check_answerable(inner2, "second ClientHelloInner")
    sh, conf = accept_server_hello(inner2, suite2, message_hash(ch1) + hrr + handshake(1, inner2.serialize()))
    conn.send(tls_record(CONTENT_HANDSHAKE, 0x0303, sh))
    return ("accepted after HelloRetryRequest (hrr confirmation %s) inner sni=%s outer sni=%s (%s), "
            "confirmation %s" % (hrr_conf.hex(), inner2.sni(), outer2.sni(), why, conf.hex()))


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = Conn(self.request)
        try:
            what = serve(conn, self.server.opts)
        except Alert as e:
            what = "alert %d: %s" % (e.description, e)
            try:
                conn.send(tls_record(CONTENT_ALERT, 0x0303, bytes((2, e.description))))
            except Closed:
                pass
        except Closed as e:
            what = "closed: %s" % e
        print("fake_ech %s: %s: %s" % (self.server.opts.mode, self.client_address, what),
              file=sys.stderr, flush=True)
        conn.linger_until_close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", required=True, choices=("accept", "reject", "none", "greasebreak", "hrr"))
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--key", help="X25519 private key, 32 raw bytes (accept, reject, hrr)")
    ap.add_argument("--config-list", help="its ECHConfigList (binary); the first 0xfe0d config is used")
    ap.add_argument("--pid-file")
    args = ap.parse_args()
    if args.mode in ("accept", "reject", "hrr"):
        if not args.key or not args.config_list:
            ap.error("--mode %s needs --key and --config-list" % args.mode)
        with open(args.key, "rb") as f:
            args.key = f.read(33)
        if len(args.key) != 32:
            ap.error("--key must hold exactly 32 bytes")
        with open(args.config_list, "rb") as f:
            args.config_list_raw = f.read(65538)
        configs = ech_keys.parse_config_list(args.config_list_raw)
        if not configs or configs[0]["kem_id"] != ech_crypto.KEM_X25519_SHA256:
            ap.error("--config-list has no DHKEM(X25519) ECHConfig 0xfe0d")
        args.config = configs[0]
        if ech_crypto.x25519_public(args.key) != args.config["public_key"]:
            ap.error("--key does not match the config's public key")
    server = Server(("127.0.0.1", args.port), Handler)
    server.opts = args
    tls_wire.serve(server, "fake_ech %s" % args.mode, args.port, args.pid_file)


if __name__ == "__main__":
    main()
