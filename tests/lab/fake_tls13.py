#!/usr/bin/env python3
"""Scripted TLS 1.3 server for the lab: it answers only with HelloRetryRequests.

A server whose only key exchange group is one the local OpenSSL cannot negotiate (OpenSSL
3.0 has no ML-KEM) is what no installable server here can be, nor one that misbehaves on
some groups, so this one answers just the first flight:

  - a ClientHello without TLS 1.3 in supported_versions: protocol_version alert;
  - one whose supported_groups lists one of its groups (--groups, in its order; default
    --group, 0x11EC, X25519MLKEM768), whatever key shares came with it: a HelloRetryRequest
    naming its pick (supported_versions TLS 1.3, the suite: the first of the client's list
    the server has, by --suites), then the connection is closed, since nothing real can
    follow. The pick is the first of its groups the client lists (its own order), or with
    --client-order the first of the client's groups it has;
  - no suite in common, or none of its groups listed: handshake_failure alert.
Misbehaviour seen in the field, each without a word (a FIN, no alert):
  --close-on-refusal   instead of the handshake_failure alert (dovecot's OpenSSL does so)
  --closes-on GROUPS   when its pick is one of GROUPS (a group it lists but cannot serve)
and --hangs-on GROUPS: when its pick is one of GROUPS it answers nothing and waits (bounded)
for the client to give up.

Every read is bounded in size and time; each connection has an overall deadline.
Binds to 127.0.0.1 only. Python 3 standard library only.
"""
import argparse
import hashlib
import socketserver
import struct
import sys

from tls_wire import (ALERT_HANDSHAKE_FAILURE, ALERT_PROTOCOL_VERSION, CONTENT_ALERT, CONTENT_HANDSHAKE,
                      EXT_KEY_SHARE, EXT_SUPPORTED_GROUPS, EXT_SUPPORTED_VERSIONS, Closed, Conn,
                      Server, parse_hello, read_client_hello, tls_record, u16, u16_list)
import tls_wire


TLS13 = 0x0304
# RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello with this random.
HRR_RANDOM = hashlib.sha256(b"HelloRetryRequest").digest()


def record(ctype, payload):
    return tls_record(ctype, 0x0303, payload)


def alert(description):
    return record(CONTENT_ALERT, bytes((2, description)))


def hello_retry_request(session_id, suite, group):
    exts = (struct.pack(">HHH", EXT_SUPPORTED_VERSIONS, 2, TLS13)
            + struct.pack(">HHH", EXT_KEY_SHARE, 2, group))
    body = (struct.pack(">H", 0x0303) + HRR_RANDOM + bytes((len(session_id),)) + session_id
            + struct.pack(">HB", suite, 0) + struct.pack(">H", len(exts)) + exts)
    return record(CONTENT_HANDSHAKE, bytes((2,)) + len(body).to_bytes(3, "big") + body)


def serve(conn, opts):
    _, session_id, suites, exts = parse_hello(read_client_hello(conn))
    if TLS13 not in u16_list(exts.get(EXT_SUPPORTED_VERSIONS, b""), 1):
        conn.send(alert(ALERT_PROTOCOL_VERSION))
        return "no TLS 1.3 offered: protocol_version"
    common = [s for s in suites if s in opts.suites]
    listed = u16_list(exts.get(EXT_SUPPORTED_GROUPS, b""), 2)
    if opts.client_order:
        groups = [g for g in listed if g in opts.groups]
    else:
        groups = [g for g in opts.groups if g in listed]
    if not common or not groups:
        if opts.close_on_refusal:
            return "no common suite or group: closed without an alert"
        conn.send(alert(ALERT_HANDSHAKE_FAILURE))
        return "no common suite or group: handshake_failure"
    pick = groups[0]
    if pick in opts.closes_on:
        return "picked 0x%04X: closed without an alert" % pick
    if pick in opts.hangs_on:
        conn.wait_for_close()
        return "picked 0x%04X: hung until the client closed" % pick
    conn.send(hello_retry_request(session_id, common[0], pick))
    return "HelloRetryRequest for 0x%04X, suite 0x%04X" % (pick, common[0])


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = Conn(self.request)
        try:
            what = serve(conn, self.server.opts)
        except Closed as e:
            what = str(e)
        if self.server.opts.verbose:
            print("fake_tls13: %s: %s" % (self.client_address, what), file=sys.stderr, flush=True)
        conn.linger_until_close()


def code_list(text):
    return tls_wire.code_list(text, 64)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--group", type=lambda t: int(t, 0), default=0x11EC,
                    help="the one group, named in the HelloRetryRequest (default 0x11EC)")
    ap.add_argument("--groups", type=code_list,
                    help="the server's groups, in its order (default: --group alone)")
    ap.add_argument("--client-order", action="store_true",
                    help="pick the first of the client's groups the server has")
    ap.add_argument("--close-on-refusal", action="store_true",
                    help="close without an alert instead of handshake_failure")
    ap.add_argument("--closes-on", type=code_list, default=[], metavar="GROUPS",
                    help="close without an alert when the pick is one of these")
    ap.add_argument("--hangs-on", type=code_list, default=[], metavar="GROUPS",
                    help="answer nothing when the pick is one of these")
    ap.add_argument("--suites", type=code_list, default=[0x1301, 0x1302, 0x1303],
                    help="TLS 1.3 suites the server has (default 0x1301,0x1302,0x1303)")
    ap.add_argument("--pid-file")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not 0 <= args.group <= 0xFFFF:
        ap.error("--group must be 0x0000..0xFFFF")
    if args.groups is None:
        args.groups = [args.group]

    server = Server(("127.0.0.1", args.port), Handler)
    server.opts = args
    tls_wire.serve(server, "fake_tls13", args.port, args.pid_file)


if __name__ == "__main__":
    main()
