#!/usr/bin/env python3
"""A scripted server that puts terminal and text attacks in every string it controls, for
tests/integration/escape.sh (which starts it on ports of its own; not part of start.sh).

The hostile text (HOSTILE below) holds: ESC, an OSC 0 window-title sequence ended by BEL,
backspaces, the conceal SGR (ESC [8m), DEL, a raw C1 byte 0x9b (CSI in 8-bit terminals), the
same control as UTF-8 (U+009B), and a right-to-left override (U+202E, RLO) followed by text a
reader would see reversed. Each --listen MODE:PORT serves on 127.0.0.1:

  https  over TLS (--cert, --key): answers any request with 200 whose Strict-Transport-Security
         and Server headers carry the hostile text (the HSTS value is otherwise valid)
  clear  cleartext HTTP: answers any request with 301 whose status line, Server header and
         Location (https://localhost:--https-port/ then the hostile text) carry it
  smtp   SMTP whose 220 greeting, EHLO reply lines and STARTTLS reply carry it; STARTTLS
         upgrades (--cert, --key)

Bounded: 16 KiB per request or line, 10 s idle timeout and 30 s per connection, 64
connections at once. Python 3 standard library only.
"""
import argparse
import socket
import socketserver
import ssl
import sys
import threading
import time

MAX_BUF = 16 * 1024
IDLE_S = 10.0
CONN_DEADLINE_S = 30.0
MAX_CONNS = 64

# Every attack in one string; no CR, LF or NUL (they would end the line or header instead).
HOSTILE = (b"\x1b]0;PWNED-TITLE\x07" + b"XY\x08\x08" + b"\x1b[8mCONCEALED\x1b[0m" + b"\x7f" +
           b"\x9bC1RAW" + "\u009bC1UTF8".encode() + "\u202eRLO-gnp.exe".encode())


class Conn:
    """Buffered, bounded line reads on a plain or TLS socket."""

    def __init__(self, sock, deadline):
        self.sock, self.buf, self.deadline = sock, b"", deadline
        sock.settimeout(IDLE_S)

    def line(self):
        while b"\n" not in self.buf:
            if len(self.buf) >= MAX_BUF or time.monotonic() > self.deadline:
                raise EOFError
            data = self.sock.recv(MAX_BUF - len(self.buf))
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def request(self):
        """Reads an HTTP request head up to its blank line."""
        while self.line():
            pass

    def send(self, data):
        self.sock.sendall(data)


def serve_https(handler, c):
    try:
        c = Conn(handler.server.tls.wrap_socket(c.sock, server_side=True), c.deadline)
    except (OSError, ssl.SSLError):
        return   # the raw hellos of the versions and suites probes end here
    c.request()
    c.send(b"HTTP/1.1 200 OK\r\nServer: lab " + HOSTILE + b"\r\n"
           b"Strict-Transport-Security: max-age=31536000; " + HOSTILE + b"\r\n"
           b"Content-Length: 0\r\nConnection: close\r\n\r\n")


def serve_clear(handler, c):
    c.request()
    c.send(b"HTTP/1.1 301 Moved " + HOSTILE + b"\r\nServer: lab " + HOSTILE + b"\r\n"
           b"Location: https://localhost:%d/" % handler.server.args.https_port + HOSTILE + b"\r\n"
           b"Content-Length: 0\r\nConnection: close\r\n\r\n")


def serve_smtp(handler, c):
    c.send(b"220 lab.test ESMTP " + HOSTILE + b"\r\n")
    secured = False
    while True:
        cmd = c.line().split(b" ", 1)[0].upper()
        if cmd == b"EHLO":
            keywords = [b"AUTH PLAIN"] if secured else [b"X-" + HOSTILE, b"STARTTLS"]
            lines = [b"lab.test " + HOSTILE] + keywords
            c.send(b"".join(b"250%s%s\r\n" % (b"-" if i < len(lines) - 1 else b" ", l)
                            for i, l in enumerate(lines)))
        elif cmd == b"STARTTLS" and not secured:
            c.send(b"220 2.0.0 " + HOSTILE + b"\r\n")
            try:
                c = Conn(handler.server.tls.wrap_socket(c.sock, server_side=True), c.deadline)
            except (OSError, ssl.SSLError):
                return
            secured = True
        elif cmd == b"QUIT":
            c.send(b"221 2.0.0 " + HOSTILE + b"\r\n")
            return
        else:
            c.send(b"250 2.0.0 " + HOSTILE + b"\r\n")


MODES = {"https": serve_https, "clear": serve_clear, "smtp": serve_smtp}


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        if not self.server.slots.acquire(blocking=False):
            return   # over the connection limit: closed at once
        try:
            MODES[self.server.mode](self, Conn(self.request, time.monotonic() + CONN_DEADLINE_S))
        except (OSError, ssl.SSLError, EOFError):
            pass   # the client went away or sent too much
        finally:
            self.server.slots.release()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", action="append", required=True, metavar="MODE:PORT")
    ap.add_argument("--cert", required=True, help="certificate chain (PEM)")
    ap.add_argument("--key", required=True, help="its key (PEM)")
    ap.add_argument("--https-port", type=int, default=443, help="the port clear's Location names")
    args = ap.parse_args()
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(args.cert, args.key)
    servers = []
    for spec in args.listen:
        mode, _, port = spec.partition(":")
        if mode not in MODES or not port.isdigit():
            ap.error("bad --listen %s" % spec)
        s = Server(("127.0.0.1", int(port)), Handler)
        s.mode, s.tls, s.args = mode, tls, args
        s.slots = threading.BoundedSemaphore(MAX_CONNS)
        threading.Thread(target=s.serve_forever, daemon=True).start()
        servers.append(s)
        print("fake_hostile %s listening on 127.0.0.1:%s" % (mode, port), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
