#!/usr/bin/env python3
"""OCSP responder for the lab: HTTP on 127.0.0.1, answers made by `openssl ocsp` itself.

Each request (RFC 6960 A.1: POST with an application/ocsp-request body, or GET /<base64 of
the DER request>) is answered by running the openssl responder once over it:
    openssl ocsp -index INDEX -CA CA -rsigner RSIGNER -rkey RKEY -rmd sha256 -ndays 1
                 -reqin REQ -respout RESP
so the responses are exactly those of `openssl ocsp -port` (status, revocation time and
reason from the CA's index.txt, re-read every request, signed by RSIGNER, nonce copied).

Why not `openssl ocsp -port` directly: in OpenSSL 3.0 (and later, openssl/openssl#31129,
#23934) a client that connects and closes before sending a request line wedges that server
for good (a busy loop at 100% CPU, no further answers); with -multi the wedged children also
outlive SIGTERM to the parent. One stray connect would break every later revocation test.

A request that openssl cannot parse gets an OCSPResponse with status malformedRequest(1).
Every read is bounded (64 KiB body, 10 s per connection); one log line per request on stderr:
    ocsp: METHOD PATH bytes=N -> STATUS
Binds to 127.0.0.1 only. Python 3 standard library only.
"""
import argparse
import base64
import http.server
import os
import subprocess
import sys
import tempfile
import urllib.parse

MAX_REQUEST = 64 * 1024
CONN_TIMEOUT_S = 10
OPENSSL_TIMEOUT_S = 10
# OCSPResponse { responseStatus malformedRequest(1) }, no responseBytes.
MALFORMED = bytes.fromhex("30030a0101")


class Handler(http.server.BaseHTTPRequestHandler):
    timeout = CONN_TIMEOUT_S
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):  # the one-line-per-request log is ours
        pass

    def answer(self, der_request):
        resp, status = MALFORMED, "malformed"
        if der_request:
            with tempfile.TemporaryDirectory(prefix="ocsp-") as tmp:
                req_path = os.path.join(tmp, "req.der")
                resp_path = os.path.join(tmp, "resp.der")
                with open(req_path, "wb") as f:
                    f.write(der_request)
                a = self.server.args
                cmd = ["openssl", "ocsp", "-index", a.index, "-CA", a.ca, "-rsigner", a.rsigner,
                       "-rkey", a.rkey, "-rmd", "sha256", "-ndays", "1",
                       "-reqin", req_path, "-respout", resp_path]
                try:
                    done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                                          timeout=OPENSSL_TIMEOUT_S, env=self.server.env)
                    if done.returncode == 0 and os.path.exists(resp_path):
                        with open(resp_path, "rb") as f:
                            resp, status = f.read(), "ok"
                    else:
                        why = (done.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[0]
                        status = "malformed (openssl: %s)" % why[:200]
                except subprocess.TimeoutExpired:
                    status = "malformed (openssl timed out)"
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(resp)))
        self.end_headers()
        self.wfile.write(resp)
        return status

    def log_request_line(self, nbytes, status):
        sys.stderr.write("ocsp: %s %s bytes=%d -> %s\n" % (self.command, self.path[:80], nbytes, status))
        sys.stderr.flush()

    def do_POST(self):
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_REQUEST:
            self.send_error(400 if length < 0 else 413)
            self.log_request_line(0, "rejected (Content-Length %d)" % length)
            return
        body = self.rfile.read(length)
        self.log_request_line(len(body), self.answer(body))

    def do_GET(self):
        encoded = urllib.parse.unquote(self.path.lstrip("/"))
        try:
            der = base64.b64decode(encoded, validate=True) if 0 < len(encoded) <= MAX_REQUEST else b""
        except ValueError:
            der = b""
        self.log_request_line(len(der), self.answer(der))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--index", required=True, help="the CA's index.txt")
    p.add_argument("--ca", required=True, help="the CA certificate (issuer of the certificates asked about)")
    p.add_argument("--rsigner", required=True, help="responder certificate")
    p.add_argument("--rkey", required=True, help="responder key")
    args = p.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.args = args
    # No system openssl.cnf policy in the answers.
    server.env = dict(os.environ, OPENSSL_CONF=os.environ.get("OPENSSL_CONF", "/dev/null"))
    sys.stderr.write("ocsp: listening on 127.0.0.1:%d (index %s)\n" % (args.port, args.index))
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
