#!/usr/bin/env python3
"""Scripted HTTP servers for the tlsprobe lab: the misbehaviour no installable server shows on
request (tests/lab/mod_web2.sh says which port runs which):

  silent    accepts, reads the request, never answers (holds the connection until the client
            closes it or the connection deadline passes)
  garbage   answers the first bytes it reads (a request, a TLS hello) with bytes that are not
            HTTP, closes
  endless   reads the request, answers a status line and then header lines without end
  hostile   reads the request, answers a 301 whose status line and Location carry terminal
            escapes and bytes that are not UTF-8
  tlssilent over TLS (--cert chain, --key): completes the handshake, reads the request, never
            answers (a web server slower than the prober's timeout)
  filtered  listens with a full accept queue and never accepts: new connections are neither
            refused nor accepted (the kernel drops their SYNs), as behind a dropping firewall
  slowbody  over TLS (--cert chain, --key): reads the request, answers 200 with the
            Strict-Transport-Security header of --hsts and a chunked body, one byte every
            0.2 s, without end

Bounded: a request is read up to 16 KiB or its blank line, within 5 s; every connection ends
by a 60 s deadline; at most 64 connections at once (more are closed at once). Binds to
127.0.0.1 only. Python 3 standard library only.
"""
import argparse
import socket
import socketserver
import ssl
import sys
import threading
import time

MAX_REQUEST = 16 * 1024
READ_S = 5.0
CONN_DEADLINE_S = 60.0
MAX_CONNS = 64


def read_request(sock):
    """The request head, bounded in size and time; b"" when the client sent nothing usable."""
    sock.settimeout(READ_S)
    data = b""
    end = time.monotonic() + READ_S
    try:
        while b"\r\n\r\n" not in data and len(data) < MAX_REQUEST and time.monotonic() < end:
            chunk = sock.recv(MAX_REQUEST - len(data))
            if not chunk:
                break
            data += chunk
    except (OSError, ssl.SSLError):
        pass
    return data


def hold(sock, deadline):
    """Reads and discards until the client closes or the deadline passes."""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.1, min(1.0, deadline - time.monotonic())))
        try:
            if not sock.recv(4096):
                return
        except socket.timeout:
            continue
        except (OSError, ssl.SSLError):
            return


def drip(sock, first, piece, interval, deadline):
    """Sends first, then piece every interval until the client goes or the deadline passes."""
    sock.settimeout(5.0)
    sock.sendall(first)
    while time.monotonic() < deadline:
        if interval:
            time.sleep(interval)
        sock.sendall(piece() if callable(piece) else piece)


def serve_silent(sock, args, deadline):
    read_request(sock)
    hold(sock, deadline)


def serve_tlssilent(sock, args, deadline):
    try:
        sock.settimeout(READ_S)
        sock = args.tls.wrap_socket(sock, server_side=True)
    except (OSError, ssl.SSLError):
        return   # the raw hellos of the versions and suites probes end here
    read_request(sock)
    hold(sock, deadline)


def serve_garbage(sock, args, deadline):
    # Answers the first bytes, whatever they are: TLS hellos get their garbage at once too.
    sock.settimeout(READ_S)
    if sock.recv(MAX_REQUEST):
        sock.sendall(b"\x00\x01\x02 this is not HTTP \xff\xfe\r\n\r\n")


def serve_endless(sock, args, deadline):
    if not read_request(sock):
        return
    counter = iter(range(10**9))
    drip(sock, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n",
         lambda: b"X-Pad-%d: %s\r\n" % (next(counter), b"p" * 64), 0, deadline)


def serve_hostile(sock, args, deadline):
    if read_request(sock):
        sock.sendall(b"HTTP/1.1 301 Moved \x1b[31mred\xff\r\nLocation: http://evil\x1b[2J.test/\xc3\x28\r\n"
                     b"Content-Length: 0\r\nConnection: close\r\n\r\n")


def serve_slowbody(sock, args, deadline):
    try:
        sock.settimeout(READ_S)
        sock = args.tls.wrap_socket(sock, server_side=True)
    except (OSError, ssl.SSLError):
        return   # the versions and suites probes' raw hellos end here
    if not read_request(sock):
        return
    head = ("HTTP/1.1 200 OK\r\nStrict-Transport-Security: %s\r\nContent-Type: text/plain\r\n"
            "Transfer-Encoding: chunked\r\n\r\n" % args.hsts).encode()
    drip(sock, head, b"1\r\nx\r\n", 0.2, deadline)


def run_filtered(port):
    """Fills a backlog-0 accept queue with one connection of our own and never accepts: Linux
    then drops every further SYN, so clients see a connection timeout, not a refusal."""
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(0)
    filler = socket.create_connection(("127.0.0.1", port), timeout=5)
    print("fake_http filtered listening on 127.0.0.1:%d (queue full)" % port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    filler.close()
    return 0


MODES = {"silent": serve_silent, "tlssilent": serve_tlssilent, "garbage": serve_garbage, "endless": serve_endless,
         "hostile": serve_hostile, "slowbody": serve_slowbody, "filtered": None}


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        server = self.server
        if not server.slots.acquire(blocking=False):
            return   # over the connection limit: closed at once
        try:
            if server.args.verbose:
                print("%s: connection from %s" % (server.args.mode, self.client_address[0]), flush=True)
            MODES[server.args.mode](self.request, server.args, time.monotonic() + CONN_DEADLINE_S)
        except (OSError, ssl.SSLError):
            pass   # the client went away: what every mode expects sooner or later
        finally:
            server.slots.release()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=sorted(MODES), required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", help="certificate chain (PEM), used by slowbody and tlssilent")
    ap.add_argument("--key", help="its key (PEM)")
    ap.add_argument("--hsts", default="max-age=31536000", help="Strict-Transport-Security value (slowbody)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    args.tls = None
    if args.mode == "filtered":
        return run_filtered(args.port)
    if args.mode in ("slowbody", "tlssilent"):
        if not args.cert or not args.key:
            ap.error("%s needs --cert and --key" % args.mode)
        args.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        args.tls.load_cert_chain(args.cert, args.key)
    server = Server(("127.0.0.1", args.port), Handler)
    server.args = args
    server.slots = threading.BoundedSemaphore(MAX_CONNS)
    print("fake_http %s listening on 127.0.0.1:%d" % (args.mode, args.port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
