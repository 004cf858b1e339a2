"""What the lab's scripted TLS servers share (tests/lab/fake_server.py, fake_tls13.py): bounded
socket reads, the record and handshake framing, and the ClientHello parser. Every read is bounded
in size and time; each connection has an overall deadline. Python 3 standard library only.
"""
import argparse
import os
import socket
import socketserver
import struct
import time

MAX_HELLO = 64 * 1024        # a ClientHello larger than this is not one we answer
CONN_DEADLINE_S = 10.0       # total time one connection may take
READ_TIMEOUT_S = 5.0         # longest wait for any single read

EXT_SUPPORTED_GROUPS = 10
EXT_SUPPORTED_VERSIONS = 43
EXT_KEY_SHARE = 51

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

    def wait_for_close(self):
        """Reads and ignores until the client closes or the connection deadline passes."""
        try:
            while time.monotonic() < self.deadline:
                self.sock.settimeout(max(0.05, min(READ_TIMEOUT_S, self.deadline - time.monotonic())))
                try:
                    if not self.sock.recv(4096):
                        return
                except socket.timeout:
                    continue
        except OSError:
            return

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


def read_client_hello(conn, max_payload=None, drop_sizes=None):
    """Returns the ClientHello body, reassembled from handshake records (bounded). With
    max_payload, more record payload than that closes the connection unanswered; with
    drop_sizes (lo, hi), so does a record payload of lo..hi bytes in all."""
    data = bytearray()
    need = None
    while need is None or len(data) < need:
        hdr = conn.read_exact(5)
        ctype, major, length = hdr[0], hdr[1], u16(hdr, 3)
        if ctype != CONTENT_HANDSHAKE or major != 3 or length == 0 or length > 16384 + 2048:
            raise Closed("not a TLS handshake record")
        if max_payload is not None and len(data) + length > max_payload:
            raise Closed("ClientHello record payload %d > --max-hello %d" % (len(data) + length, max_payload))
        data += conn.read_exact(length)
        if len(data) > MAX_HELLO + 4:
            raise Closed("ClientHello too large")
        if need is None and len(data) >= 4:
            if data[0] != 1:
                raise Closed("first handshake message is not a ClientHello")
            need = 4 + u24(data, 1)
            if need > MAX_HELLO + 4:
                raise Closed("ClientHello too large")
    if drop_sizes is not None and drop_sizes[0] <= len(data) <= drop_sizes[1]:
        raise Closed("dropped: ClientHello record payload of %d bytes, in the window %d-%d"
                     % (len(data), drop_sizes[0], drop_sizes[1]))
    return bytes(data[4:need])


def parse_hello(body):
    """(client_version, session_id, [suites], {extension type: data}) or raises Closed when
    malformed."""
    try:
        off = 0
        version = u16(body, off); off += 2
        off += 32                                   # random
        sid_len = body[off]
        if sid_len > 32:
            raise Closed("session id longer than 32 bytes")
        session_id = body[off + 1:off + 1 + sid_len]
        off += 1 + sid_len
        suites_len = u16(body, off); off += 2
        if suites_len % 2 or off + suites_len > len(body):
            raise Closed("bad cipher_suites length")
        suites = [u16(body, off + i) for i in range(0, suites_len, 2)]
        off += suites_len
        comp_len = body[off]; off += 1
        if off + comp_len > len(body):
            raise Closed("bad compression_methods length")
        off += comp_len
        extensions = {}
        if off < len(body):
            ext_end = off + 2 + u16(body, off); off += 2
            if ext_end != len(body):
                raise Closed("bad extensions length")
            while off < ext_end:
                etype, elen = u16(body, off), u16(body, off + 2); off += 4
                if off + elen > ext_end:
                    raise Closed("bad extension length")
                extensions[etype] = body[off:off + elen]
                off += elen
        return version, session_id, suites, extensions
    except (IndexError, struct.error):
        raise Closed("truncated ClientHello")


def parse_client_hello_ext(body):
    """(client_version, [suites], {extension type: data}) or raises Closed when malformed."""
    version, _, suites, extensions = parse_hello(body)
    return version, suites, extensions


def u16_list(data, len_bytes):
    """The list of u16 in a vector with a len_bytes length prefix; [] when malformed."""
    if len(data) < len_bytes:
        return []
    n = int.from_bytes(data[:len_bytes], "big")
    if n % 2 or len_bytes + n != len(data):
        return []
    return [u16(data, len_bytes + i) for i in range(0, n, 2)]


def vec(len_bytes, data):
    return len(data).to_bytes(len_bytes, "big") + data


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def code_list(text, limit):
    """Comma-separated 16-bit codes (0x.. or decimal), 1..limit of them, for argparse."""
    codes = [int(c, 0) for c in text.split(",") if c.strip()]
    if not codes or len(codes) > limit or any(not 0 <= c <= 0xFFFF for c in codes):
        raise argparse.ArgumentTypeError("1..%d codes of 0x0000..0xFFFF" % limit)
    return codes


def serve(server, label, port, pid_file=None):
    """Writes pid_file (stop.sh finds the lab's processes by it), says where it listens, and
    serves until interrupted."""
    if pid_file:
        with open(pid_file, "w") as f:
            f.write("%d\n" % os.getpid())
    print("%s: listening on 127.0.0.1:%d" % (label, port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
