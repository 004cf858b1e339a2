#!/usr/bin/env python3
"""Scripted STARTTLS servers for the tlsprobe lab, for what no installable server shows
over loopback (see tests/lab/mod_mail.sh for why each one is scripted):

  imap_strict  IMAP, CAPABILITY lists STARTTLS and LOGINDISABLED before TLS
  ldap         LDAP: RootDSE search (supportedExtension = StartTLS OID, SASL EXTERNAL) and
               the StartTLS extended operation
  mysql        MySQL protocol 10 greeting with CLIENT_SSL; SSLRequest upgrades; a cleartext
               login is refused with error 3159 (require_secure_transport=ON)
  xmpp         XMPP client stream, <starttls><required/></starttls>, <proceed/>
  imap_inject, ldap_inject, mysql_inject, postgres_inject
               agree to upgrade and, in the same write, send cleartext bytes a naive client
               would take for the start of the TLS handshake (the STARTTLS injection class of
               bugs, e.g. CVE-2011-0411, CVE-2021-23222): a prober must refuse them. postgres
               answers a PostgreSQL SSLRequest with 'S' and nothing else of PostgreSQL.
  smtp_longehlo SMTP whose EHLO reply lists 70 extensions, STARTTLS the 70th and last (69
               X-LAB-EXT-NN keywords before it); STARTTLS upgrades, AUTH only after TLS
  imap_longcap IMAP whose CAPABILITY line is over 4 KiB (200 X-LAB-CAPABILITY-NNN atoms, then
               STARTTLS LOGINDISABLED); STARTTLS upgrades
  smtp_endless SMTP whose EHLO reply never ends: 250- continuation lines, 64 KiB of them,
               then silence (a prober must stop at its own bound)

Each --listen MODE:PORT serves on 127.0.0.1. Bounded: 16 KiB per read buffer, 10 s idle
timeout per connection. Standard library only. --tls12-ciphers sets the OpenSSL cipher list
for TLS 1.2 (TLS 1.3 keeps OpenSSL's three default suites).
"""
import argparse
import socket
import socketserver
import ssl
import struct
import sys
import threading

MAX_BUF = 16 * 1024
IDLE_S = 10.0
STARTTLS_OID = b"1.3.6.1.4.1.1466.20037"


class Conn:
    """Buffered reads with a bound, on a plain or TLS socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self, want=MAX_BUF):
        if len(self.buf) >= MAX_BUF:
            raise ValueError("client sent too much")
        data = self.sock.recv(min(want, MAX_BUF - len(self.buf)))
        if not data:
            raise EOFError
        self.buf += data

    def line(self):
        while b"\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("latin-1")

    def exact(self, n):
        # Never more than asked for: a MySQL client sends its ClientHello right after the
        # SSLRequest, and those bytes belong to the TLS layer.
        while len(self.buf) < n:
            self.fill(n - len(self.buf))
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, data):
        self.sock.sendall(data)


def tls_wrap(handler, conn):
    """Upgrades the connection; None when the client's handshake failed (raw probes)."""
    try:
        tls = handler.server.tls.wrap_socket(conn.sock, server_side=True)
    except (ssl.SSLError, OSError):
        return None
    tls.settimeout(IDLE_S)
    return Conn(tls)


# What the injecting modes send right after agreeing: a TLS record header and some bytes.
INJECTED = b"\x16\x03\x03\x00\x05INJCT"


def serve_imap_strict(handler, c, inject=b"", plain_caps="IMAP4rev1 STARTTLS LOGINDISABLED"):
    c.send(b"* OK tlsprobe lab IMAP (scripted) ready.\r\n")
    secured = False
    while True:
        words = c.line().split(" ", 2)
        tag, cmd = words[0], (words[1].upper() if len(words) > 1 else "")
        if cmd == "CAPABILITY":
            caps = "IMAP4rev1 AUTH=PLAIN" if secured else plain_caps
            c.send(b"* CAPABILITY %s\r\n%s OK done\r\n" % (caps.encode(), tag.encode()))
        elif cmd == "STARTTLS" and not secured:
            c.send(b"%s OK Begin TLS negotiation now.\r\n" % tag.encode() + inject)
            c = tls_wrap(handler, c)
            if c is None:
                return
            secured = True
        elif cmd == "LOGOUT":
            c.send(b"* BYE bye\r\n%s OK done\r\n" % tag.encode())
            return
        elif cmd == "LOGIN" and not secured:
            c.send(b"%s NO [PRIVACYREQUIRED] LOGINDISABLED\r\n" % tag.encode())
        else:
            c.send(b"%s BAD unsupported\r\n" % tag.encode())


# 200 atoms of 21 bytes: one CAPABILITY line of 4.3 KiB, STARTTLS near its end.
LONG_IMAP_CAPS = "IMAP4rev1 " + " ".join("X-LAB-CAPABILITY-%03d" % i for i in range(200)) + \
    " STARTTLS LOGINDISABLED"

# 69 keywords, then STARTTLS: 70 extensions in one EHLO reply.
LONG_EHLO = ["X-LAB-EXT-%02d PARAM-%02d" % (i, i) for i in range(1, 70)] + ["STARTTLS"]


def ehlo_reply(keywords):
    lines = ["lab.test greets you"] + keywords
    return "".join("250%s%s\r\n" % ("-" if i < len(lines) - 1 else " ", l)
                   for i, l in enumerate(lines)).encode()


def serve_smtp_longehlo(handler, c):
    c.send(b"220 lab.test ESMTP tlsprobe lab (scripted, long EHLO)\r\n")
    secured = False
    while True:
        line = c.line()
        cmd = line.split(" ", 1)[0].upper()
        if cmd == "EHLO":
            c.send(ehlo_reply(["AUTH PLAIN LOGIN"] if secured else LONG_EHLO))
        elif cmd == "HELO":
            c.send(b"250 lab.test\r\n")
        elif cmd == "STARTTLS" and not secured:
            c.send(b"220 2.0.0 Ready to start TLS\r\n")
            c = tls_wrap(handler, c)
            if c is None:
                return
            secured = True
        elif cmd in ("NOOP", "RSET"):
            c.send(b"250 2.0.0 OK\r\n")
        elif cmd == "QUIT":
            c.send(b"221 2.0.0 Bye\r\n")
            return
        else:
            c.send(b"502 5.5.2 Command not recognized\r\n")


def serve_smtp_endless(handler, c):
    c.send(b"220 lab.test ESMTP tlsprobe lab (scripted, endless EHLO)\r\n")
    c.line()
    chunk = b"".join(b"250-X-LAB-ENDLESS-%04d\r\n" % i for i in range(64))
    for _ in range(64 * 1024 // len(chunk) + 1):
        c.send(chunk)
    # Never the last line: wait for the client to give up (the idle timeout bounds it).
    c.line()


def ber(tag, content):
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    if n < 0x100:
        return bytes([tag, 0x81, n]) + content
    return bytes([tag, 0x82, n >> 8, n & 0xFF]) + content


def ber_read(c):
    """One LDAPMessage: (messageID, op tag, op content)."""
    tag, first = c.exact(2)
    if tag != 0x30:
        raise ValueError("not an LDAP message")
    n = first
    if first & 0x80:
        k = first & 0x7F
        if k == 0 or k > 2:
            raise ValueError("length form")
        n = int.from_bytes(c.exact(k), "big")
    body = c.exact(n)
    if n > MAX_BUF or body[0] != 0x02:
        raise ValueError("bad message")
    idlen = body[1]
    msgid = int.from_bytes(body[2:2 + idlen], "big")
    rest = body[2 + idlen:]
    optag, oplen = rest[0], rest[1]
    off = 2
    if oplen & 0x80:
        k = oplen & 0x7F
        oplen = int.from_bytes(rest[2:2 + k], "big")
        off = 2 + k
    return msgid, optag, rest[off:off + oplen]


def ldap_result(msgid, optag, code, extra=b""):
    result = ber(0x0A, bytes([code])) + ber(0x04, b"") + ber(0x04, b"") + extra
    return ber(0x30, ber(0x02, bytes([msgid])) + ber(optag, result))


def serve_ldap(handler, c, inject=b""):
    secured = False
    while True:
        msgid, optag, op = ber_read(c)
        msgid &= 0x7F
        if optag == 0x42:      # UnbindRequest
            return
        if optag == 0x63:      # SearchRequest: answer every search with the RootDSE
            attrs = ber(0x30, ber(0x04, b"supportedExtension") + ber(0x31, ber(0x04, STARTTLS_OID))) + \
                ber(0x30, ber(0x04, b"supportedSASLMechanisms") + ber(0x31, ber(0x04, b"EXTERNAL")))
            entry = ber(0x04, b"") + ber(0x30, attrs)
            c.send(ber(0x30, ber(0x02, bytes([msgid])) + ber(0x64, entry)))
            c.send(ldap_result(msgid, 0x65, 0))
        elif optag == 0x77 and STARTTLS_OID in op and not secured:
            c.send(ldap_result(msgid, 0x78, 0, ber(0x8A, STARTTLS_OID)) + inject)
            c = tls_wrap(handler, c)
            if c is None:
                return
            secured = True
        elif optag == 0x77:
            c.send(ldap_result(msgid, 0x78, 2))   # protocolError: unknown operation
        else:
            c.send(ldap_result(msgid, optag + 1, 53))   # unwillingToPerform


CLIENT_SSL = 0x0800


def mysql_packet(seq, payload):
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


def mysql_read(c):
    hdr = c.exact(4)
    n = hdr[0] | hdr[1] << 8 | hdr[2] << 16
    if n > MAX_BUF:
        raise ValueError("packet too long")
    return hdr[3], c.exact(n)


def mysql_err(seq, code, state, msg):
    return mysql_packet(seq, b"\xff" + struct.pack("<H", code) + b"#" + state + msg)


def serve_mysql(handler, c, inject=b""):
    caps = 0x0001 | 0x0200 | CLIENT_SSL | 0x2000 | 0x8000 | 0x80000
    greeting = (b"\x0a" + b"8.0.36-tlsprobe-lab\x00" + struct.pack("<I", 7) + b"abcdefgh" + b"\x00" +
                struct.pack("<H", caps & 0xFFFF) + b"\x21" + struct.pack("<H", 2) +
                struct.pack("<H", caps >> 16) + b"\x15" + b"\x00" * 10 + b"ijklmnopqrst\x00" +
                b"mysql_native_password\x00")
    # MySQL's upgrade needs no answer from the server: its injection is bytes after the greeting.
    c.send(mysql_packet(0, greeting) + inject)
    seq, payload = mysql_read(c)
    client_caps = struct.unpack("<I", payload[:4])[0] if len(payload) >= 4 else 0
    if len(payload) == 32 and client_caps & CLIENT_SSL:
        c = tls_wrap(handler, c)
        if c is None:
            return
        seq, payload = mysql_read(c)
        c.send(mysql_err(seq + 1, 1045, b"28000", b"Access denied for user 'tlsprobe'"))
        return
    c.send(mysql_err(seq + 1, 3159, b"HY000", b"Connections using insecure transport are prohibited "
                     b"while --require_secure_transport=ON."))


def serve_xmpp(handler, c):
    while b">" not in c.buf or b"<stream:stream" not in c.buf:
        c.fill()
    c.buf = b""
    c.send(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
           b"xmlns:stream='http://etherx.jabber.org/streams' id='lab' from='localhost' version='1.0'>"
           b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
           b"</stream:features>")
    while b"<starttls" not in c.buf:
        c.fill()
    c.send(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    c.buf = b""
    c = tls_wrap(handler, c)
    if c is not None:
        c.send(b"</stream:stream>")


def serve_postgres_inject(handler, c):
    c.exact(8)   # SSLRequest
    c.send(b"S" + INJECTED)
    tls_wrap(handler, c)


MODES = {"imap_strict": serve_imap_strict, "ldap": serve_ldap, "mysql": serve_mysql, "xmpp": serve_xmpp,
         "imap_inject": lambda h, c: serve_imap_strict(h, c, INJECTED),
         "ldap_inject": lambda h, c: serve_ldap(h, c, INJECTED),
         "mysql_inject": lambda h, c: serve_mysql(h, c, INJECTED),
         "postgres_inject": serve_postgres_inject,
         "smtp_longehlo": serve_smtp_longehlo,
         "imap_longcap": lambda h, c: serve_imap_strict(h, c, plain_caps=LONG_IMAP_CAPS),
         "smtp_endless": serve_smtp_endless}


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(IDLE_S)
        try:
            self.server.serve(self, Conn(self.request))
        except (EOFError, ValueError, IndexError, OSError, struct.error, ssl.SSLError):
            pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128   # the probes connect in bursts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cert", required=True, help="PEM chain, leaf first")
    ap.add_argument("--key", required=True)
    ap.add_argument("--listen", action="append", required=True, metavar="MODE:PORT")
    ap.add_argument("--tls12-ciphers", help="OpenSSL cipher list for TLS 1.2 (default: Python's)")
    args = ap.parse_args()
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(args.cert, args.key)
    if args.tls12_ciphers:
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        tls.set_ciphers(args.tls12_ciphers)
    servers = []
    for spec in args.listen:
        mode, _, port = spec.partition(":")
        if mode not in MODES:
            sys.exit("unknown mode %s (known: %s)" % (mode, ", ".join(MODES)))
        srv = Server(("127.0.0.1", int(port)), Handler)
        srv.serve = MODES[mode]
        srv.tls = tls
        servers.append(srv)
        print("fake_starttls: %s on 127.0.0.1:%s" % (mode, port), flush=True)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    try:
        for t in threads:
            t.join()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
