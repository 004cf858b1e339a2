#!/usr/bin/env python3
"""Scripted SSLv3-only / SSLv2-only / fixed-suite-set server for the lab.

No installable server speaks SSLv2 or SSLv3 any more, nor offers export or NULL suites, so
this one answers just enough of the first flight for a prober to see which version and
suite the server picked:

  sslv3: reads one ClientHello (TLS record framing, may span records, bounded), answers
         ServerHello(version 0x0300) + Certificate + ServerHelloDone, choosing the first
         suite the client offered from SSL3_SUITES; handshake_failure alert if none;
         protocol_version alert if the client offered less than SSLv3.
  sslv2: answers an SSLv2 CLIENT-HELLO with SERVER-HELLO (the certificate and the cipher
         kinds both sides have); an ERROR(no-cipher) if they share none. Anything that is
         not an SSLv2 CLIENT-HELLO gets the connection closed.
  suites: one protocol version (--version) and a fixed suite list (--suites). The client's
         version is the larger of legacy_version and its supported_versions; below --version
         it gets a protocol_version alert, at or above it a ServerHello with --version (the
         usual downgrade). The suite is the first of the client's list the server has, or
         with --server-order the first of the server's list the client offered; none in
         common: handshake_failure alert. The flight is ServerHello + Certificate (+ a
         ServerKeyExchange for (EC)DHE suites, with a valid public value and a dummy
         signature) + ServerHelloDone. ECDHE suites are only chosen when the client's
         supported_groups (default secp256r1) has x25519 or secp256r1. --max-hello N closes
         the connection unanswered when the ClientHello's record payload exceeds N bytes, as
         servers with a hello size limit do. Misbehaviour seen in the field, each closing
         the connection without a word (a FIN, no alert):
           --max-suites N        on a hello offering more than N cipher suite codes
           --drop-sizes LO-HI    on a hello whose record payload is LO..HI bytes (the
                                 load-balancer bug: 256-511)
           --known-extensions L  on a hello carrying an extension type not in L
           --closes-on CODES     when its pick is one of CODES (suites it lists but cannot
                                 serve, as dovecot lists DHE suites without DH parameters)
           --close-on-refusal    instead of the handshake_failure / protocol_version alert
         and --hangs-on CODES: when its pick is one of CODES, it answers nothing and waits
         (bounded) for the client to give up.

Every read is bounded in size and time; each connection has an overall deadline.
Binds to 127.0.0.1 only. Python 3 standard library only.
"""
import argparse
import os
import socketserver
import struct
import sys
import time

from tls_wire import (ALERT_HANDSHAKE_FAILURE, ALERT_PROTOCOL_VERSION, CONTENT_ALERT, CONTENT_HANDSHAKE,
                      EXT_SUPPORTED_GROUPS, EXT_SUPPORTED_VERSIONS, MAX_HELLO, Closed, Conn, handshake_msg,
                      Server, p24, parse_client_hello_ext, read_client_hello, tls_record, u16, u16_list, u24, vec)
import tls_wire

# Suites an SSLv3-only server of the time would pick from, in our preference-free set:
# TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_RC4_128_SHA, TLS_RSA_WITH_RC4_128_MD5,
# TLS_RSA_WITH_AES_128_CBC_SHA.
SSL3_SUITES = {0x000A, 0x0005, 0x0004, 0x002F}

# SSL_CK_RC4_128_WITH_MD5, SSL_CK_DES_192_EDE3_CBC_WITH_MD5, SSL_CK_RC4_128_EXPORT40_WITH_MD5.
SSL2_KINDS = {0x010080, 0x0700C0, 0x020080}


# For the suites mode: (EC)DHE suites get a ServerKeyExchange; every other suite is treated
# as static key exchange (RSA and the rest) and gets none. Export RSA's temporary key is not
# simulated.
ECDHE_RSA_SUITES = {0xC011, 0xC012, 0xC013, 0xC014, 0xC027, 0xC028, 0xC02F, 0xC030, 0xCCA8}
ECDH_ANON_SUITES = {0xC015, 0xC016, 0xC017, 0xC018, 0xC019}
DHE_RSA_SUITES = {0x0014, 0x0015, 0x0016, 0x0033, 0x0039, 0x0045, 0x0067, 0x006B, 0x0088,
                  0x009A, 0x009E, 0x009F, 0xCCAA}
DH_ANON_SUITES = {0x0017, 0x0018, 0x0019, 0x001A, 0x001B, 0x0034, 0x003A, 0x0046, 0x006C,
                  0x006D, 0x0089, 0x009B, 0x00A6, 0x00A7}

GROUP_SECP256R1 = 23
GROUP_X25519 = 29
# Public values with private key 1 (the base points): valid points, and no crypto needed.
X25519_BASE = bytes((9,)) + bytes(31)
P256_BASE = bytes.fromhex(
    "04"
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")
# RFC 7919 ffdhe2048 prime; generator 2; public value 2 (private key 1).
FFDHE2048_P = bytes.fromhex(
    "ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695"
    "a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617a"
    "d3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935"
    "984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797a"
    "bc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4"
    "ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61"
    "9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005"
    "c58ef1837d1683b2c6f34a26c1b2effa886b423861285c97ffffffffffffffff")
RSA_SIG_LEN = 256            # the lab leaf key is RSA 2048
SIG_RSA_PKCS1_SHA256 = 0x0401




# --------------------------------------------------------------------------- SSLv3

def parse_client_hello(body):
    """(client_version, [suites]) or raises Closed on a malformed hello."""
    version, suites, _ = parse_client_hello_ext(body)
    return version, suites


def serve_sslv3(conn, cert_der):
    version, suites = parse_client_hello(read_client_hello(conn))
    if version < 0x0300:
        conn.send(tls_record(CONTENT_ALERT, 0x0300, bytes((2, ALERT_PROTOCOL_VERSION))))
        return
    chosen = next((s for s in suites if s in SSL3_SUITES), None)
    if chosen is None:
        conn.send(tls_record(CONTENT_ALERT, 0x0300, bytes((2, ALERT_HANDSHAKE_FAILURE))))
        return
    random = struct.pack(">I", int(time.time())) + os.urandom(28)
    session_id = os.urandom(32)
    server_hello = (struct.pack(">H", 0x0300) + random + bytes((len(session_id),)) + session_id
                    + struct.pack(">H", chosen) + b"\x00")          # null compression, no extensions
    certificate = p24(3 + len(cert_der)) + p24(len(cert_der)) + cert_der
    flight = (handshake_msg(2, server_hello) + handshake_msg(11, certificate)
              + handshake_msg(14, b""))
    conn.send(tls_record(CONTENT_HANDSHAKE, 0x0300, flight))


# --------------------------------------------------------------------------- suites

def highest_client_version(legacy_version, extensions):
    """legacy_version, or the largest real (not GREASE) supported_versions entry above it."""
    best = legacy_version
    for v in u16_list(extensions.get(EXT_SUPPORTED_VERSIONS, b""), 1):
        if v >> 8 == 3 and v <= 0x0304 and v > best:
            best = v
    return best


def ecdhe_group(extensions):
    """The group an ECDHE ServerKeyExchange uses: the client's first of x25519 / secp256r1
    (secp256r1 when it sent no supported_groups), or None."""
    if EXT_SUPPORTED_GROUPS not in extensions:
        return GROUP_SECP256R1
    for g in u16_list(extensions[EXT_SUPPORTED_GROUPS], 2):
        if g in (GROUP_X25519, GROUP_SECP256R1):
            return g
    return None


def server_key_exchange(suite, version, extensions):
    """The ServerKeyExchange body for an (EC)DHE suite, or None for a static one."""
    if suite in ECDHE_RSA_SUITES or suite in ECDH_ANON_SUITES:
        group = ecdhe_group(extensions)
        point = X25519_BASE if group == GROUP_X25519 else P256_BASE
        params = bytes((3,)) + struct.pack(">H", group) + vec(1, point)   # named_curve
        signed = suite in ECDHE_RSA_SUITES
    elif suite in DHE_RSA_SUITES or suite in DH_ANON_SUITES:
        params = vec(2, FFDHE2048_P) + vec(2, b"\x02") + vec(2, b"\x02")
        signed = suite in DHE_RSA_SUITES
    else:
        return None
    if not signed:
        return params
    # A dummy signature: the prober never verifies it (it cannot finish the handshake anyway).
    sig_alg = struct.pack(">H", SIG_RSA_PKCS1_SHA256) if version >= 0x0303 else b""
    return params + sig_alg + vec(2, os.urandom(RSA_SIG_LEN))


def refuse(conn, opts, version, alert, why):
    """The alert, or with --close-on-refusal a silent close."""
    if opts.close_on_refusal:
        raise Closed("refused (%s): closed without an alert" % why)
    conn.send(tls_record(CONTENT_ALERT, version, bytes((2, alert))))


def check_hello_shape(opts, offered, extensions):
    """Raises Closed when the hello is one this server drops for its shape."""
    if opts.max_suites is not None and len(offered) > opts.max_suites:
        raise Closed("dropped: %d cipher suite codes > --max-suites %d" % (len(offered), opts.max_suites))
    if opts.known_extensions is not None:
        unknown = sorted(set(extensions) - set(opts.known_extensions))
        if unknown:
            raise Closed("dropped: unknown extension types %s" % unknown)


def serve_suites(conn, cert_der, opts):
    body = read_client_hello(conn, opts.max_hello, opts.drop_sizes)
    legacy_version, offered, extensions = parse_client_hello_ext(body)
    check_hello_shape(opts, offered, extensions)
    client_version = highest_client_version(legacy_version, extensions)
    version = opts.version
    if client_version < version:
        refuse(conn, opts, version, ALERT_PROTOCOL_VERSION, "client version 0x%04x" % client_version)
        return

    def usable(s):
        return (s not in ECDHE_RSA_SUITES and s not in ECDH_ANON_SUITES) or ecdhe_group(extensions)

    if opts.server_order:
        chosen = next((s for s in opts.suites if s in offered and usable(s)), None)
    else:
        chosen = next((s for s in offered if s in opts.suites and usable(s)), None)
    if chosen is None:
        refuse(conn, opts, version, ALERT_HANDSHAKE_FAILURE, "no suite in common")
        return
    if chosen in opts.closes_on:
        raise Closed("picked 0x%04X, which it cannot serve: closed without an alert" % chosen)
    if chosen in opts.hangs_on:
        conn.wait_for_close()
        raise Closed("picked 0x%04X: answered nothing until the client gave up" % chosen)
    random = struct.pack(">I", int(time.time())) + os.urandom(28)
    session_id = os.urandom(32)
    server_hello = (struct.pack(">H", version) + random + bytes((len(session_id),)) + session_id
                    + struct.pack(">H", chosen) + b"\x00")          # null compression, no extensions
    certificate = p24(3 + len(cert_der)) + p24(len(cert_der)) + cert_der
    flight = handshake_msg(2, server_hello) + handshake_msg(11, certificate)
    ske = server_key_exchange(chosen, version, extensions)
    if ske is not None:
        flight += handshake_msg(12, ske)
    flight += handshake_msg(14, b"")
    conn.send(tls_record(CONTENT_HANDSHAKE, version, flight))


# --------------------------------------------------------------------------- SSLv2

def serve_sslv2(conn, cert_der):
    hdr = conn.read_exact(2)
    if not hdr[0] & 0x80:
        raise Closed("not an SSLv2 record (or a 3-byte header, which hellos never use)")
    length = ((hdr[0] & 0x7F) << 8) | hdr[1]
    if length < 9:
        raise Closed("SSLv2 record too short for a CLIENT-HELLO")
    msg = conn.read_exact(length)
    if msg[0] != 1:
        raise Closed("not a CLIENT-HELLO")
    version = u16(msg, 1)
    specs_len, sid_len, challenge_len = u16(msg, 3), u16(msg, 5), u16(msg, 7)
    if (version < 0x0002 or specs_len % 3 or specs_len == 0
            or 9 + specs_len + sid_len + challenge_len != length
            or not 16 <= challenge_len <= 32):
        raise Closed("malformed CLIENT-HELLO")
    specs = [u24(msg, 9 + i) for i in range(0, specs_len, 3)]
    kinds = [k for k in specs if k in SSL2_KINDS]
    if not kinds:
        body = bytes((0,)) + struct.pack(">H", 0x0001)        # ERROR: NO-CIPHER-ERROR
    else:
        connection_id = os.urandom(16)
        cipher_bytes = b"".join(p24(k) for k in kinds)
        body = (bytes((4, 0, 1)) + struct.pack(">HHHH", 0x0002, len(cert_der), len(cipher_bytes),
                                                len(connection_id))
                + cert_der + cipher_bytes + connection_id)
    if len(body) > 0x7FFF:
        raise Closed("SERVER-HELLO does not fit a 2-byte header")
    conn.send(struct.pack(">H", 0x8000 | len(body)) + body)


# --------------------------------------------------------------------------- server

class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = Conn(self.request)
        try:
            if self.server.mode == "sslv3":
                serve_sslv3(conn, self.server.cert_der)
            elif self.server.mode == "suites":
                serve_suites(conn, self.server.cert_der, self.server.opts)
            else:
                serve_sslv2(conn, self.server.cert_der)
            conn.linger_until_close()
        except Closed as e:
            if self.server.verbose:
                print("fake_server[%s]: %s: %s" % (self.server.mode, self.client_address, e),
                      file=sys.stderr, flush=True)
            # Close with a FIN, not a reset: drain what the client sent first, since closing
            # with unread data makes the kernel send RST.
            conn.linger_until_close()


def wire_version(text):
    v = int(text, 0)
    if not 0x0300 <= v <= 0x0303:
        raise argparse.ArgumentTypeError("version must be 0x0300..0x0303 (TLS 1.3 is not scripted)")
    return v


def suite_list(text):
    return tls_wire.code_list(text, 512)


def size_range(text):
    lo, sep, hi = text.partition("-")
    try:
        lo, hi = int(lo, 0), int(hi, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("LO-HI, e.g. 256-511")
    if not sep or not 0 < lo <= hi <= MAX_HELLO:
        raise argparse.ArgumentTypeError("LO-HI with 0 < LO <= HI <= %d" % MAX_HELLO)
    return (lo, hi)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=("sslv3", "sslv2", "suites"), required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert-der", required=True, help="certificate to send (DER)")
    ap.add_argument("--version", type=wire_version, default=0x0303,
                    help="suites mode: the one version served, 0x0300..0x0303 (default 0x0303)")
    ap.add_argument("--suites", type=suite_list, default=[0x002F],
                    help="suites mode: comma-separated codes, server preference first")
    ap.add_argument("--server-order", action="store_true",
                    help="suites mode: pick by the server's order, not the client's")
    ap.add_argument("--max-hello", type=int, metavar="N",
                    help="suites mode: close unanswered when the hello's record payload exceeds N bytes")
    ap.add_argument("--max-suites", type=int, metavar="N",
                    help="suites mode: close unanswered on a hello offering more than N suite codes")
    ap.add_argument("--drop-sizes", type=size_range, metavar="LO-HI",
                    help="suites mode: close unanswered on a hello record payload of LO..HI bytes")
    ap.add_argument("--known-extensions", type=suite_list, metavar="TYPES",
                    help="suites mode: close unanswered on a hello with an extension type not listed")
    ap.add_argument("--closes-on", type=suite_list, default=[], metavar="CODES",
                    help="suites mode: close unanswered when the pick is one of these (listed in --suites)")
    ap.add_argument("--hangs-on", type=suite_list, default=[], metavar="CODES",
                    help="suites mode: answer nothing when the pick is one of these (listed in --suites)")
    ap.add_argument("--close-on-refusal", action="store_true",
                    help="suites mode: close unanswered instead of sending a refusal alert")
    ap.add_argument("--pid-file")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.max_hello is not None and not 0 < args.max_hello <= MAX_HELLO:
        ap.error("--max-hello must be 1..%d" % MAX_HELLO)
    if args.max_suites is not None and not 0 < args.max_suites <= 0x7FFF:
        ap.error("--max-suites must be 1..32767")
    if not set(args.closes_on) <= set(args.suites) or not set(args.hangs_on) <= set(args.suites):
        ap.error("--closes-on and --hangs-on name suites the server lists: each must be in --suites")

    with open(args.cert_der, "rb") as f:
        cert_der = f.read()
    server = Server(("127.0.0.1", args.port), Handler)
    server.mode, server.cert_der, server.verbose = args.mode, cert_der, args.verbose
    server.opts = args
    tls_wire.serve(server, "fake_server[%s]" % args.mode, args.port, args.pid_file)


if __name__ == "__main__":
    main()
