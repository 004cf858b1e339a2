#!/usr/bin/env python3
"""A load balancer with a ClientHello limit, in front of a real TLS server, for the lab.

TLS terminators and load balancers in the field close the connection without a word when a
ClientHello offers more cipher suite codes than they take (64 or 128); the server behind them
never sees such a hello. No installable server does this, so this one does: it reads the
client's first TLS record (bounded in size and time), and when it is a ClientHello offering
more than --max-suites codes it logs why and closes the connection (a FIN, no alert).
Every other connection is relayed byte for byte to --backend (127.0.0.1), where the
handshake completes. With --stall-after-hello, only the ClientHello goes to the backend and
everything the backend sends comes back, but nothing more from the client: every full
handshake stalls after the server's first flight (a middlebox that loses one direction).

Every read is bounded in size and time; each connection has an overall deadline. Binds to
127.0.0.1 only. Python 3 standard library only.
"""
import argparse
import os
import select
import socket
import socketserver
import struct
import sys
import time

MAX_HELLO = 64 * 1024       # a first flight larger than this is relayed unparsed, never buffered
CONN_DEADLINE_S = 30.0      # total time one relayed connection may take
READ_TIMEOUT_S = 5.0        # longest wait for the client's first bytes
CHUNK = 16384


def log(opts, peer, msg):
    if opts.verbose:
        print("hello_relay: %s: %s" % (peer, msg), file=sys.stderr, flush=True)


def read_first_hello(sock):
    """The client's first bytes: whole TLS records up to the end of the first handshake
    message (bounded), or whatever came before the peer stopped sending."""
    sock.settimeout(READ_TIMEOUT_S)
    data = b""
    need = 5
    while len(data) < need and len(data) < MAX_HELLO:
        try:
            chunk = sock.recv(min(CHUNK, MAX_HELLO - len(data)))
        except (socket.timeout, OSError):
            break
        if not chunk:
            break
        data += chunk
        need = hello_bytes_needed(data)
    return data


def hello_bytes_needed(data):
    """How many bytes hold the first handshake message, from the records seen so far."""
    if len(data) < 5 or data[0] != 22:
        return 0                               # not a TLS handshake record: relay as is
    body, off = b"", 0
    while off + 5 <= len(data):
        length = struct.unpack(">H", data[off + 3:off + 5])[0]
        if off + 5 + length > len(data):
            return off + 5 + length
        body += data[off + 5:off + 5 + length]
        off += 5 + length
        if len(body) >= 4:
            total = 4 + int.from_bytes(body[1:4], "big")
            if len(body) >= total:
                return 0
    return off + 5


def suite_count(data):
    """The number of cipher suite codes of the ClientHello in data, or None."""
    body, off = b"", 0
    while off + 5 <= len(data) and data[off] == 22:
        length = struct.unpack(">H", data[off + 3:off + 5])[0]
        body += data[off + 5:off + 5 + length]
        off += 5 + length
    if len(body) < 4 or body[0] != 1:
        return None
    p = 4 + 2 + 32
    if len(body) < p + 1:
        return None
    p += 1 + body[p]
    if len(body) < p + 2:
        return None
    return struct.unpack(">H", body[p:p + 2])[0] // 2


def pump(client, backend, deadline, stall=False):
    """Relays both ways until either side closes or the deadline passes; with stall, what the
    client sends is read and dropped."""
    socks = [client, backend]
    while time.monotonic() < deadline:
        ready, _, _ = select.select(socks, [], [], max(0.0, min(1.0, deadline - time.monotonic())))
        for s in ready:
            try:
                chunk = s.recv(CHUNK)
            except OSError:
                return
            if not chunk:
                return
            if stall and s is client:
                continue
            other = backend if s is client else client
            other.settimeout(READ_TIMEOUT_S)
            try:
                other.sendall(chunk)
            except OSError:
                return


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        opts = self.server.opts
        peer = "%s:%d" % self.client_address
        deadline = time.monotonic() + CONN_DEADLINE_S
        first = read_first_hello(self.request)
        if not first:
            return
        n = suite_count(first)
        if n is not None and opts.max_suites is not None and n > opts.max_suites:
            log(opts, peer, "dropped: %d cipher suite codes > --max-suites %d" % (n, opts.max_suites))
            return
        try:
            backend = socket.create_connection(("127.0.0.1", opts.backend), timeout=READ_TIMEOUT_S)
        except OSError as e:
            log(opts, peer, "backend unreachable: %s" % e)
            return
        with backend:
            try:
                backend.sendall(first)
            except OSError:
                return
            pump(self.request, backend, deadline, opts.stall_after_hello)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--backend", type=int, required=True, help="port of the real server on 127.0.0.1")
    ap.add_argument("--max-suites", type=int, metavar="N", help="close on hellos with more suite codes")
    ap.add_argument("--stall-after-hello", action="store_true",
                    help="relay nothing the client sends after its ClientHello")
    ap.add_argument("--pid-file")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args()
    with Server(("127.0.0.1", opts.port), Handler) as srv:
        srv.opts = opts
        if opts.pid_file:
            with open(opts.pid_file, "w") as f:
                f.write("%d\n" % os.getpid())
        srv.serve_forever()


if __name__ == "__main__":
    main()
