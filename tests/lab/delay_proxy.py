#!/usr/bin/env python3
"""A TCP proxy that puts a round-trip time between a client and a loopback server (issue #16).

These kernels have no netem, so the latency benchmark (tests/bench/latency.sh) measures tools at
internet latency through this proxy instead. One process serves several LISTEN=UPSTREAM pairs.

Usage: delay_proxy.py --rtt-ms MS [--ports-file F] [--control HOST:PORT] [--stats-file F]
                      --map LHOST:LPORT=UHOST:UPORT [--map ...]
  LPORT 0 lets the system pick the port; F then gets, once all listen, one line per pair
  "map LHOST:LPORT UHOST:UPORT" (the picked port) and "control HOST:PORT" when --control is given.

The model (what a client a distance RTT away would see):
  - each direction delays every chunk by RTT/2, in order;
  - the TCP handshake costs one RTT: the upstream is connected at accept + 1.5 RTT (when the
    client's last ACK would reach the server, so a server that serves one connection at a time
    is held as long as on the internet), the client's bytes reach it from then on, and nothing
    from the upstream reaches the client before accept + 2 RTT (a ClientHello on a new
    connection is answered 2 RTT after connect, as on the internet; on loopback connect()
    itself returns at once);
  - end of stream (half-close, a FIN) and resets (an RST) travel with the same delay; an
    upstream that refuses the connection resets the client at accept + 2 RTT.
Counters per listen port: connections accepted, open now, active (not yet ended on both
sides) and the most open at once. A connection counts as open from accept until the client's
side ends (its FIN or RST read by the proxy): the client's view, what --per-host limits. The
proxy sees a close and the next connect of the same instant in either order, so connections
overlapping by less than 5 ms are not counted as open at once.

Control (--control, line commands on TCP, one per connection; the answer is one JSON line):
  stats        {"rtt_ms": .., "ports": {"LPORT": {"upstream", "accepted", "open", "active",
               "max_open", "refused", "bytes_up", "bytes_down"}}}
  reset        zeroes the counters (max_open counts from the connections open now), then as stats
  rtt MS       new connections get this RTT, then as stats
SIGUSR1 writes the stats to --stats-file (atomically), as does the exit on SIGTERM or SIGINT.

Bounded: at most 64 chunks of 16 KiB queued per direction and connection (a reader waits for
room), 1,024 connections at once per listen port (beyond that, new ones are reset), each
connection ends by a deadline of 15 minutes, the times of the last 100,000 connections per port
are kept (for max_open), control commands are read up to 256 bytes within 5 s. Resets and
broken pipes end a connection silently. Python 3 standard library only.
"""
import argparse
import asyncio
import collections
import json
import os
import signal
import socket
import struct
import sys

CHUNK = 16 * 1024
QUEUE_CHUNKS = 64           # per direction: at most 1 MiB in flight
MAX_OPEN = 1024             # per listen port
MAX_SPANS = 100000          # connections remembered for max_open, per listen port
OVERLAP_SLACK_S = 0.005
CONN_DEADLINE_S = 900.0
CTL_MAX = 256
CTL_TIMEOUT_S = 5.0
EOF, RST = object(), object()


class Port:
    """One LISTEN=UPSTREAM pair and its counters."""

    def __init__(self, lhost, lport, uhost, uport):
        self.lhost, self.lport, self.uhost, self.uport = lhost, lport, uhost, uport
        self.open = 0
        self.active = 0     # connections not ended on both sides
        # [accept, client end or None] of each connection since the last reset: the most
        # open at once is counted from them when asked (see max_open).
        self.spans = collections.deque(maxlen=MAX_SPANS)
        self.reset()

    def reset(self):
        self.accepted = self.refused = self.bytes_up = self.bytes_down = 0
        self.spans = collections.deque((s for s in self.spans if s[1] is None), maxlen=MAX_SPANS)

    def max_open(self):
        """The most connections open at once. A client that closes one connection and opens
        the next at once is seen by the proxy in either order (both events come in one poll),
        so a connection overlaps another only if it starts OVERLAP_SLACK_S before it ends."""
        events = []
        for start, end in self.spans:
            events.append((start, 0))
            if end is not None:
                events.append((max(start, end - OVERLAP_SLACK_S), 1))
        most = cur = 0
        for _, kind in sorted(events):
            cur += 1 if kind == 0 else -1
            most = max(most, cur)
        return most

    def stats(self):
        return {"upstream": "%s:%d" % (self.uhost, self.uport), "accepted": self.accepted,
                "open": self.open, "active": self.active, "max_open": self.max_open(),
                "refused": self.refused, "bytes_up": self.bytes_up, "bytes_down": self.bytes_down}


class Proxy:
    def __init__(self, rtt_ms, ports, stats_file):
        self.rtt = rtt_ms / 1000.0
        self.ports = ports
        self.stats_file = stats_file

    def stats(self):
        return {"rtt_ms": round(self.rtt * 1000, 3),
                "ports": {str(p.lport): p.stats() for p in self.ports}}

    def write_stats(self):
        if not self.stats_file:
            return
        tmp = self.stats_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.stats(), f)
            f.write("\n")
        os.replace(tmp, self.stats_file)


def nodelay(writer):
    # Small writes must leave at once: Nagle plus delayed ACKs would add their own 40 ms.
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


def reset_side(writer):
    """Ends a side with an RST (SO_LINGER 0, then abort), as a reset travelling on."""
    sock = writer.get_extra_info("socket")
    try:
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()


async def pump_in(reader, queue, loop, half, gate, count, on_end):
    """Reads one side: each chunk, then EOF or RST, is queued for delivery at read + RTT/2
    (not before gate)."""
    item = EOF
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            count(len(data))
            await queue.put((max(loop.time() + half, gate), data))
    except (ConnectionError, OSError):
        item = RST
    finally:
        on_end()
    await queue.put((max(loop.time() + half, gate), item))


async def pump_out(queue, writer, loop):
    """Delivers the queued chunks to the other side on time; returns after EOF or RST. A side
    that cannot be written is reset, and the rest of the queue is read and dropped (so the
    reader never waits for room for ever)."""
    broken = False
    while True:
        at, item = await queue.get()
        delay = at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if broken:
            if item is EOF or item is RST:
                return
            continue
        try:
            if item is RST:
                reset_side(writer)
                return
            if item is EOF:
                if writer.can_write_eof() and not writer.transport.is_closing():
                    writer.write_eof()
                return
            writer.write(item)
            await writer.drain()
        except (ConnectionError, OSError, RuntimeError):
            # (write_eof on a side the peer has reset raises too: that ends it as well)
            broken = True
            reset_side(writer)
            if item is EOF:
                return


async def relay(proxy, port, creader, cwriter):
    port.active += 1
    try:
        await relay_both(proxy, port, creader, cwriter)
    except asyncio.CancelledError:
        pass                # the proxy is stopping
    finally:
        port.active -= 1


async def relay_both(proxy, port, creader, cwriter):
    loop = asyncio.get_running_loop()
    t0, rtt = loop.time(), proxy.rtt
    half = rtt / 2
    port.accepted += 1
    if port.open >= MAX_OPEN:
        reset_side(cwriter)
        return
    port.open += 1
    span = [t0, None]
    port.spans.append(span)

    def client_ended():
        if span[1] is None:
            span[1] = loop.time()
            port.open -= 1

    nodelay(cwriter)

    def up(n):
        port.bytes_up += n

    def down(n):
        port.bytes_down += n

    # The client's side is read from accept on (its FIN or RST ends it as open), the upstream
    # is connected when the handshake's last ACK would reach it: a server that serves one
    # connection at a time (openssl s_server) is held as long as on the internet, not longer.
    to_up = asyncio.Queue(QUEUE_CHUNKS)
    to_client = asyncio.Queue(QUEUE_CHUNKS)
    reader_c = asyncio.ensure_future(
        pump_in(creader, to_up, loop, half, t0 + 1.5 * rtt, up, client_ended))
    await asyncio.sleep(max(0.0, t0 + 1.5 * rtt - loop.time()))
    try:
        ureader, uwriter = await asyncio.open_connection(port.uhost, port.uport)
    except OSError:
        port.refused += 1
        reader_c.cancel()
        client_ended()
        await asyncio.sleep(half)
        reset_side(cwriter)
        return
    nodelay(uwriter)
    tasks = [
        reader_c,
        asyncio.ensure_future(
            pump_in(ureader, to_client, loop, half, t0 + 2 * rtt, down, lambda: None)),
        asyncio.ensure_future(pump_out(to_up, uwriter, loop)),
        asyncio.ensure_future(pump_out(to_client, cwriter, loop)),
    ]
    try:
        # An RST delivered to one side ends that side's reads too (abort), so every task ends.
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), CONN_DEADLINE_S)
    except asyncio.TimeoutError:
        for t in tasks:
            t.cancel()
        reset_side(cwriter)
        reset_side(uwriter)
    finally:
        client_ended()
        for w in (cwriter, uwriter):
            try:
                w.close()
            except (ConnectionError, OSError, RuntimeError):
                pass


async def control(proxy, reader, writer):
    try:
        line = await asyncio.wait_for(reader.readline(), CTL_TIMEOUT_S)
        words = line[:CTL_MAX].decode("ascii", "replace").split()
        if words == ["reset"]:
            for p in proxy.ports:
                p.reset()
        elif len(words) == 2 and words[0] == "rtt":
            proxy.rtt = max(0.0, float(words[1])) / 1000.0
        elif words != ["stats"]:
            writer.write(b'{"error": "commands: stats, reset, rtt MS"}\n')
            return
        writer.write((json.dumps(proxy.stats()) + "\n").encode())
        await writer.drain()
    except (asyncio.TimeoutError, ConnectionError, OSError, ValueError):
        pass
    finally:
        writer.close()


def host_port(text, what):
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        sys.exit("delay_proxy: %s '%s' is not HOST:PORT" % (what, text))
    return host.strip("[]"), int(port)


def parse_args():
    ap = argparse.ArgumentParser(description="TCP proxy with a round-trip time (see the header)")
    ap.add_argument("--rtt-ms", type=float, required=True)
    ap.add_argument("--map", action="append", required=True, metavar="LHOST:LPORT=UHOST:UPORT")
    ap.add_argument("--ports-file")
    ap.add_argument("--control", metavar="HOST:PORT")
    ap.add_argument("--stats-file")
    opts = ap.parse_args()
    if opts.rtt_ms < 0:
        sys.exit("delay_proxy: --rtt-ms must be 0 or more")
    ports = []
    for m in opts.map:
        listen, sep, upstream = m.partition("=")
        if not sep:
            sys.exit("delay_proxy: --map '%s' is not LISTEN=UPSTREAM" % m)
        ports.append(Port(*host_port(listen, "listen"), *host_port(upstream, "upstream")))
    return opts, ports


async def main():
    opts, ports = parse_args()
    proxy = Proxy(opts.rtt_ms, ports, opts.stats_file)
    loop = asyncio.get_running_loop()
    # Resets and broken pipes are the normal end of many probes, cancelled relays that of the
    # proxy: no traceback for them.
    loop.set_exception_handler(lambda lp, ctx: None if isinstance(
        ctx.get("exception"), (ConnectionError, OSError, asyncio.CancelledError))
        else lp.default_exception_handler(ctx))
    servers, lines = [], []
    for p in ports:
        srv = await asyncio.start_server(lambda r, w, p=p: relay(proxy, p, r, w),
                                         p.lhost, p.lport, backlog=512, reuse_address=True)
        p.lport = srv.sockets[0].getsockname()[1]
        servers.append(srv)
        lines.append("map %s:%d %s:%d\n" % (p.lhost, p.lport, p.uhost, p.uport))
    if opts.control:
        chost, cport = host_port(opts.control, "control")
        srv = await asyncio.start_server(lambda r, w: control(proxy, r, w), chost, cport,
                                         reuse_address=True)
        servers.append(srv)
        lines.append("control %s:%d\n" % (chost, srv.sockets[0].getsockname()[1]))
    if opts.ports_file:
        with open(opts.ports_file + ".tmp", "w") as f:
            f.writelines(lines)
        os.replace(opts.ports_file + ".tmp", opts.ports_file)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, proxy.write_stats)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for srv in servers:
        srv.close()
    proxy.write_stats()


if __name__ == "__main__":
    asyncio.run(main())
