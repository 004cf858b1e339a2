#!/usr/bin/env python3
"""Hostile servers for the tlsprobe lab (issue #15): one behaviour per port, each one a way a
server can hold a prober. tests/integration/chaos.sh starts it and checks that every endpoint
ends within its deadline and that a good endpoint in the same run keeps its clean result.

Usage: chaos.py [--bind ADDR] --ports-file F MODE[:CHAIN:KEY] ...   (CHAIN and KEY: the TLS modes
and bigchain; ADDR: 127.0.0.1 unless given, e.g. 0.0.0.0 inside a network namespace of its own,
where every 127.x.y.z address then reaches it: tests/bench/hostile.sh)
Each mode listens on a port of its own that the system picks (no offset of the lab's can be
taken by another server); F gets one line "MODE PORT" per mode once all listen.

  silent        accepts, reads, never answers
  drip          reads the hello, sends a legal record header for 16 KiB of handshake data,
                then one byte per second
  garbage       answers the first bytes it reads with bytes that are not TLS, without end
  reclen        answers a record header of length 0xFFFF, then bytes without end
  hslen         answers a handshake record whose ServerHello says 16 MiB, then handshake
                records without end
  rst           accepts and resets the connection at once
  closesh       reads the hello, answers a ServerHello (TLS 1.2, the first non-TLS 1.3 suite
                offered), closes
  hrr           answers every hello with a HelloRetryRequest (x25519, the first suite offered)
  bigchain      answers a ServerHello and a Certificate of 1,000 certificates (CHAIN's first)
  smtp_endless  an SMTP greeting of "220-" lines without end
  smtp_longline an SMTP greeting of one line of 1 MiB, then nothing
  http_silent   reads the request, never answers
  http_garbage  answers the request with bytes that are not HTTP, without end
  http_endless  answers a status line, then header lines without end
  stream        answers any request 200 with a chunked body without end, 64 bytes every 0.1 s
                (OCSP, CRL and caIssuers URLs of a certificate point here)
  tls           TLS with CHAIN and KEY (Python's ssl): completes handshakes, then waits for the
                client to close (the certificate endpoint whose URLs point at stream)
  tls_leaf      the same (CHAIN: a leaf without its issuer, fetched from caIssuers)
  tls_slowbody  TLS with CHAIN and KEY: answers a request 200 with HSTS and a chunked body, one
                byte every 0.2 s, without end

Bounded: every connection ends by a 30 s deadline, at most 64 at once per port, reads are
bounded in size. Binds to 127.0.0.1 unless --bind says otherwise. Python 3 standard library only.
"""
import os
import socket
import ssl
import struct
import sys
import threading
import time

CONN_DEADLINE_S = 30.0
MAX_CONNS = 64
READ_MAX = 64 * 1024
HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")


class Done(Exception):
    pass


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.deadline = time.monotonic() + CONN_DEADLINE_S

    def left(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Done()
        return left

    def recv(self, n=READ_MAX, wait=5.0):
        self.sock.settimeout(min(self.left(), wait))
        try:
            data = self.sock.recv(n)
        except (socket.timeout, OSError, ssl.SSLError):
            raise Done()
        if not data:
            raise Done()
        return data

    def send(self, data):
        self.sock.settimeout(self.left())
        try:
            self.sock.sendall(data)
        except (socket.timeout, OSError, ssl.SSLError):
            raise Done()

    def sleep(self, s):
        time.sleep(min(s, self.left()))
        self.left()

    def hold(self):
        """Reads and ignores until the client closes or the deadline passes."""
        while True:
            try:
                self.recv()
            except Done:
                return

    def read_until(self, end, cap=READ_MAX):
        data = b""
        while end not in data and len(data) < cap:
            data += self.recv()
        return data

    def client_hello(self):
        """(session id, suites) of the ClientHello in the first record (bounded)."""
        data = b""
        while len(data) < 5 or len(data) < 5 + struct.unpack(">H", data[3:5])[0]:
            data += self.recv()
            if len(data) > 5 + 18432:
                raise Done()
        body = data[9:5 + struct.unpack(">H", data[3:5])[0]]
        try:
            sid_len = body[34]
            sid = body[35:35 + sid_len]
            off = 35 + sid_len
            n = struct.unpack(">H", body[off:off + 2])[0]
            suites = [struct.unpack(">H", body[off + 2 + i:off + 4 + i])[0] for i in range(0, n, 2)]
        except (IndexError, struct.error):
            raise Done()
        return sid, suites


def record(ctype, payload):
    return struct.pack(">BHH", ctype, 0x0303, len(payload)) + payload


def handshake(mtype, body):
    return bytes((mtype,)) + len(body).to_bytes(3, "big") + body


def server_hello(random, sid, suite, extensions=b""):
    body = struct.pack(">H", 0x0303) + random + bytes((len(sid),)) + sid + struct.pack(">HB", suite, 0)
    if extensions:
        body += struct.pack(">H", len(extensions)) + extensions
    return handshake(2, body)


def tls12_suite(suites):
    for s in suites:
        if s >> 8 != 0x13 and s not in (0x00FF, 0x5600):
            return s
    return 0xC02F


def endless(c, chunk, pause):
    while True:
        c.send(chunk)
        if pause:
            c.sleep(pause)


def mode_silent(c, opts):
    c.hold()


def mode_drip(c, opts):
    c.recv()
    c.send(struct.pack(">BHH", 22, 0x0303, 16384))
    endless(c, b"\x02", 1.0)


def mode_garbage(c, opts):
    c.recv()
    endless(c, b"\xde\xad\xbe\xef garbage " * 256, 0.01)


def mode_reclen(c, opts):
    c.recv()
    c.send(struct.pack(">BHH", 22, 0x0303, 0xFFFF))
    endless(c, b"\x00" * 4096, 0.01)


def mode_hslen(c, opts):
    c.recv()
    c.send(record(22, b"\x02" + (0xFFFFFF).to_bytes(3, "big") + b"\x03\x03" + b"\x00" * 4000))
    endless(c, record(22, b"\x00" * 16384), 0.01)


def mode_rst(c, opts):
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def mode_closesh(c, opts):
    sid, suites = c.client_hello()
    c.send(record(22, server_hello(os.urandom(32), sid, tls12_suite(suites))))


def mode_hrr(c, opts):
    while True:
        sid, suites = c.client_hello()
        ext = struct.pack(">HHH", 43, 2, 0x0304) + struct.pack(">HHH", 51, 2, 0x001D)
        suite = next((s for s in suites if s >> 8 == 0x13), suites[0] if suites else 0x1301)
        c.send(record(22, server_hello(HRR_RANDOM, sid, suite, ext)))


def mode_bigchain(c, opts):
    sid, suites = c.client_hello()
    der = opts["der"]
    certs = b"".join(len(der).to_bytes(3, "big") + der for _ in range(1000))
    msg = server_hello(os.urandom(32), sid, tls12_suite(suites))
    msg += handshake(11, len(certs).to_bytes(3, "big") + certs) + handshake(14, b"")
    for i in range(0, len(msg), 16384):
        c.send(record(22, msg[i:i + 16384]))
    c.hold()


def mode_smtp_endless(c, opts):
    endless(c, b"220-tlsprobe chaos greeting that never ends\r\n" * 20, 0.05)


def mode_smtp_longline(c, opts):
    c.send(b"220 " + b"x" * (1024 * 1024))
    c.hold()


def mode_http_silent(c, opts):
    c.read_until(b"\r\n\r\n")
    c.hold()


def mode_http_garbage(c, opts):
    c.recv()
    endless(c, b"\x00\x1b\xff not http " * 256, 0.01)


def mode_http_endless(c, opts):
    c.read_until(b"\r\n\r\n")
    c.send(b"HTTP/1.1 200 OK\r\n")
    endless(c, b"X-Chaos: header without end\r\n" * 20, 0.05)


def chunked_forever(c, head, chunk, pause):
    c.read_until(b"\r\n\r\n")
    c.send(head + b"Transfer-Encoding: chunked\r\n\r\n")
    endless(c, b"%x\r\n%s\r\n" % (len(chunk), chunk), pause)


def mode_stream(c, opts):
    chunked_forever(c, b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n", b"\x30" * 64, 0.1)


def mode_tls(c, opts):
    c.hold()


mode_tls_leaf = mode_tls   # the same, served a chain without its issuer


def mode_tls_slowbody(c, opts):
    chunked_forever(c, b"HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=31536000\r\n", b"x", 0.2)


MODES = {name[5:]: fn for name, fn in globals().items() if name.startswith("mode_")}
TLS_MODES = {"tls", "tls_leaf", "tls_slowbody"}


def listener(addr):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind((addr, 0))
    ls.listen(64)
    return ls


def serve_port(mode, ls, opts, ctx):
    slots = threading.BoundedSemaphore(MAX_CONNS)

    def handle(sock):
        try:
            if ctx:
                sock.settimeout(5.0)
                sock = ctx.wrap_socket(sock, server_side=True)
            MODES[mode](Conn(sock), opts)
        except (Done, OSError, ssl.SSLError, ValueError):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass
            slots.release()

    while True:
        sock, _ = ls.accept()
        if not slots.acquire(blocking=False):
            sock.close()
            continue
        threading.Thread(target=handle, args=(sock,), daemon=True).start()


def main():
    args = sys.argv[1:]
    addr = "127.0.0.1"
    if len(args) >= 2 and args[0] == "--bind":
        addr, args = args[1], args[2:]
    if len(args) < 3 or args[0] != "--ports-file":
        sys.exit(__doc__)
    ports_file, args = args[1], args[2:]
    threads, lines = [], []
    for spec in args:
        parts = spec.split(":")
        mode = parts[0]
        if mode not in MODES:
            sys.exit("chaos.py: unknown mode %s" % mode)
        opts, ctx = {}, None
        if len(parts) == 3:
            with open(parts[1]) as f:
                first = f.read().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
            opts["der"] = ssl.PEM_cert_to_DER_cert(first)
            if mode in TLS_MODES:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(parts[1], parts[2])
        elif mode in TLS_MODES or mode == "bigchain":
            sys.exit("chaos.py: %s needs :CHAIN:KEY" % mode)
        ls = listener(addr)
        lines.append("%s %d\n" % (mode, ls.getsockname()[1]))
        t = threading.Thread(target=serve_port, args=(mode, ls, opts, ctx), daemon=True)
        t.start()
        threads.append(t)
    with open(ports_file + ".tmp", "w") as f:
        f.writelines(lines)
    os.rename(ports_file + ".tmp", ports_file)
    try:
        while all(t.is_alive() for t in threads):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
