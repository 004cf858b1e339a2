#!/usr/bin/env python3
"""One HTTP server for every third-party fetch and cleartext request, counting connections.

Serves on 127.0.0.1:PORT (tests/integration/politeness.sh starts it):
    GET /<file>  a file of --dir (the lab's int.der, int.crl, ...)
    GET /        301 to https://<Host>/ (a cleartext port that upgrades)
    GET /dead*   nothing: the connection is closed unanswered (a broken server)
    POST /...    an OCSP answer made by `openssl ocsp` (tests/lab/ocsp_responder.py's way)
Each request waits --delay seconds before its answer, so that requests from several threads
overlap unless the client keeps them apart.

Counts, written as JSON to --stats after every connection (atomically):
    max_active   most connections open at once (accepted, not yet answered)
    connections  connections accepted
    open         connections accepted and not yet closed (0: the counts are final)
    requests     {"METHOD /path": count}
A connection stops counting as open just before the first byte of its answer is sent: a client
can only open its next connection after it has read an answer, so a client that keeps at most
N connections open never makes max_active exceed N, however the threads are scheduled.
Python 3 standard library only.
"""
import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ocsp_responder  # noqa: E402

lock = threading.Lock()
stats = {"max_active": 0, "connections": 0, "open": 0, "requests": {}}
active = 0


def write_stats(path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(stats, f, sort_keys=True)
    os.replace(tmp, path)


class Handler(ocsp_responder.Handler):
    def setup(self):
        global active
        super().setup()
        self.counted = True
        with lock:
            active += 1
            stats["connections"] += 1
            stats["open"] += 1
            stats["max_active"] = max(stats["max_active"], active)

    def uncount(self):
        global active
        with lock:
            if self.counted:
                self.counted = False
                active -= 1

    def end_headers(self):
        self.uncount()      # before anything of the answer reaches the client
        super().end_headers()

    def finish(self):
        try:
            super().finish()
        finally:
            self.uncount()
            with lock:
                stats["open"] -= 1
                write_stats(self.server.stats_path)

    def note(self):
        with lock:
            k = "%s %s" % (self.command, self.path.split("?")[0])
            stats["requests"][k] = stats["requests"].get(k, 0) + 1
        time.sleep(self.server.delay)

    def do_GET(self):
        self.note()
        name = self.path.lstrip("/")
        if name.startswith("dead"):
            self.close_connection = True
            self.uncount()
            return
        if name == "":
            self.send_response(301)
            host = (self.headers.get("Host") or "localhost").split(":")[0]
            self.send_header("Location", "https://%s/" % host)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = os.path.join(self.server.dir, os.path.basename(name))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.note()
        super().do_POST()


class Server(ocsp_responder.http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64   # a burst of clients is queued, never refused


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True, help="files served by GET")
    p.add_argument("--stats", required=True, help="JSON file the counts are written to")
    p.add_argument("--delay", type=float, default=0.2, help="seconds before each answer")
    p.add_argument("--index", required=True, help="OCSP: the CA's index.txt")
    p.add_argument("--ca", required=True, help="OCSP: the issuer of the certificates asked about")
    p.add_argument("--rsigner", required=True, help="OCSP: responder certificate")
    p.add_argument("--rkey", required=True, help="OCSP: responder key")
    args = p.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.args = args
    server.dir, server.stats_path, server.delay = args.dir, args.stats, args.delay
    server.env = dict(os.environ, OPENSSL_CONF=os.environ.get("OPENSSL_CONF", "/dev/null"))
    write_stats(args.stats)
    sys.stderr.write("fetch_counter: listening on 127.0.0.1:%d\n" % args.port)
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
