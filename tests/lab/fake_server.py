#!/usr/bin/env python3
"""Scripted SSLv3-only / SSLv2-only server for the lab.

No installable server speaks SSLv2 or SSLv3 any more, so this one answers just enough
of the first flight for a prober to see which version and suite the server picked:

  sslv3: reads one ClientHello (TLS record framing, may span records, bounded), answers
         ServerHello(version 0x0300) + Certificate + ServerHelloDone, choosing the first
         suite the client offered from SSL3_SUITES; handshake_failure alert if none;
         protocol_version alert if the client offered less than SSLv3.
  sslv2: answers an SSLv2 CLIENT-HELLO with SERVER-HELLO (the certificate and the cipher
         kinds both sides have); an ERROR(no-cipher) if they share none. Anything that is
         not an SSLv2 CLIENT-HELLO gets the connection closed.

Every read is bounded in size and time; each connection has an overall deadline.
Binds to 127.0.0.1 only. Python 3 standard library only.
"""
import argparse
import os
import socket
import socketserver
import struct
import sys
import time

# Suites an SSLv3-only server of the time would pick from, in our preference-free set:
# TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_RC4_128_SHA, TLS_RSA_WITH_RC4_128_MD5,
# TLS_RSA_WITH_AES_128_CBC_SHA.
SSL3_SUITES = {0x000A, 0x0005, 0x0004, 0x002F}

# SSL_CK_RC4_128_WITH_MD5, SSL_CK_DES_192_EDE3_CBC_WITH_MD5, SSL_CK_RC4_128_EXPORT40_WITH_MD5.
SSL2_KINDS = {0x010080, 0x0700C0, 0x020080}

MAX_HELLO = 64 * 1024        # a ClientHello larger than this is not one we answer
CONN_DEADLINE_S = 10.0       # total time one connection may take
READ_TIMEOUT_S = 5.0         # longest wait for any single read

CONTENT_ALERT = 21
CONTENT_HANDSHAKE = 22
ALERT_HANDSHAKE_FAILURE = 40
ALERT_PROTOCOL_VERSION = 70


class Closed(Exception):
    """The peer closed, timed out or sent something we do not answer."""


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.deadline = time.monotonic() + CONN_DEADLINE_S

    def read_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise Closed("connection deadline")
            self.sock.settimeout(min(left, READ_TIMEOUT_S))
            try:
                chunk = self.sock.recv(n - len(buf))
            except (socket.timeout, OSError) as e:
                raise Closed(str(e))
            if not chunk:
                raise Closed("eof")
            buf += chunk
        return bytes(buf)

    def send(self, data):
        self.sock.settimeout(max(0.1, self.deadline - time.monotonic()))
        try:
            self.sock.sendall(data)
        except (socket.timeout, OSError) as e:
            raise Closed(str(e))

    def linger_until_close(self):
        """Give the client time to read our flight, then close: waiting for its EOF
        (bounded) avoids a reset that could destroy data still unread on its side."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        end = min(self.deadline, time.monotonic() + 2.0)
        try:
            while time.monotonic() < end:
                self.sock.settimeout(max(0.05, end - time.monotonic()))
                if not self.sock.recv(4096):
                    return
        except (socket.timeout, OSError):
            return


def u16(b, off):
    return struct.unpack_from(">H", b, off)[0]


def u24(b, off):
    return (b[off] << 16) | (b[off + 1] << 8) | b[off + 2]


def p24(n):
    return bytes(((n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF))


def tls_record(ctype, version, payload):
    return struct.pack(">BHH", ctype, version, len(payload)) + payload


def handshake_msg(mtype, body):
    return bytes((mtype,)) + p24(len(body)) + body


# --------------------------------------------------------------------------- SSLv3

def read_client_hello(conn):
    """Returns the ClientHello body, reassembled from handshake records (bounded)."""
    data = bytearray()
    need = None
    while need is None or len(data) < need:
        hdr = conn.read_exact(5)
        ctype, major, length = hdr[0], hdr[1], u16(hdr, 3)
        if ctype != CONTENT_HANDSHAKE or major != 3 or length == 0 or length > 16384 + 2048:
            raise Closed("not a TLS handshake record")
        data += conn.read_exact(length)
        if len(data) > MAX_HELLO + 4:
            raise Closed("ClientHello too large")
        if need is None and len(data) >= 4:
            if data[0] != 1:
                raise Closed("first handshake message is not a ClientHello")
            need = 4 + u24(data, 1)
            if need > MAX_HELLO + 4:
                raise Closed("ClientHello too large")
    return bytes(data[4:need])


def parse_client_hello(body):
    """(client_version, [suites]) or raises Closed on a malformed hello."""
    try:
        off = 0
        version = u16(body, off); off += 2
        off += 32                                   # random
        sid_len = body[off]; off += 1 + sid_len
        suites_len = u16(body, off); off += 2
        if suites_len % 2 or off + suites_len > len(body):
            raise Closed("bad cipher_suites length")
        suites = [u16(body, off + i) for i in range(0, suites_len, 2)]
        off += suites_len
        comp_len = body[off]; off += 1
        if off + comp_len > len(body):
            raise Closed("bad compression_methods length")
        return version, suites
    except (IndexError, struct.error):
        raise Closed("truncated ClientHello")


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


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=("sslv3", "sslv2"), required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert-der", required=True, help="certificate to send (DER)")
    ap.add_argument("--pid-file")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    with open(args.cert_der, "rb") as f:
        cert_der = f.read()
    server = Server(("127.0.0.1", args.port), Handler)
    server.mode, server.cert_der, server.verbose = args.mode, cert_der, args.verbose
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write("%d\n" % os.getpid())
    print("fake_server[%s]: listening on 127.0.0.1:%d" % (args.mode, args.port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
