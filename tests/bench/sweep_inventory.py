#!/usr/bin/env python3
"""The sweep benchmark's helpers (tests/bench/sweep.sh): its inventories, its silent listener
and its report (reading every tool's output back to say whether each endpoint got a valid result).
  sweep_inventory.py WORK N PEERS_N SIZE...     writes inv-N.yaml, inv-SIZE.yaml, inv-peers.yaml
                                                and targets.txt (KIND TARGET per peer endpoint)
  sweep_inventory.py --silent PORT              accepts on 0.0.0.0:PORT and never answers
  sweep_inventory.py --report WORK N PEERS_N PROBES TESTSSL_ARGS PARALLEL   prints the tables"""
import json
import os
import socket
import sys
import xml.etree.ElementTree as ET

# Endpoint kinds by port, as many of each in a cycle of 40 (sweep.sh's header lists them).
WEIGHTS = [("443", 12), ("8443", 6), ("9443", 6), ("10443", 4), ("11443", 4), ("12443", 2),
           ("13443", 2), ("444", 2), ("7443", 1), ("invalid", 1)]
DEAD = {"444": "refused", "7443": "silent", "invalid": "unresolvable"}


def cycle():
    """The 40 kinds interleaved (each kind spread evenly, every kind among the first ten), so
    any prefix of the inventory, the peer subset included, mixes them in proportion."""
    slots = []
    for order, (kind, count) in enumerate(WEIGHTS):
        slots += [((k + 0.01 * order) / count, kind) for k in range(count)]
    return [kind for _, kind in sorted(slots)]


def target(i, kinds):
    kind = kinds[i % len(kinds)]
    if kind == "invalid":
        return kind, f"nx{i}.sweep.invalid:443"
    a = i + 1 + i // 255          # skips the .0 addresses
    return kind, f"127.{1 + a // 65536}.{a // 256 % 256}.{a % 256}:{kind}"


def write_inventories(work, n, peers, sizes):
    kinds = cycle()
    for name, count in [(str(n), n), ("peers", peers)] + [(s, int(s)) for s in sizes]:
        with open(os.path.join(work, f"inv-{name}.yaml"), "w") as f:
            f.write("targets:\n")
            for i in range(count):
                f.write(f'  - "{target(i, kinds)[1]}"\n')
    with open(os.path.join(work, "targets.txt"), "w") as f:
        for i in range(peers):
            f.write("%s %s\n" % target(i, kinds))


def silent(port):
    """Accepts and holds connections, never reading or writing (closes the oldest past 4,000)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(4096)
    held = []
    while True:
        held.append(s.accept()[0])
        if len(held) > 4000:
            held.pop(0).close()


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def judge(kind, scanned, failed):
    """ok: the output says what is true of this endpoint; wrong: it says the opposite."""
    if kind in DEAD:
        return "ok" if failed and not scanned else "wrong"
    return "ok" if scanned and not failed else "wrong"


def tlsprobe_endpoints(endpoints, targets):
    by_target = {e.get("target"): e for e in endpoints if isinstance(e, dict)}
    verdicts = []
    for kind, tgt in targets:
        e = by_target.get(tgt)
        if e is None:
            verdicts.append("missing")
            continue
        protos = ((e.get("facts") or {}).get("versions") or {}).get("accepted") or []
        # A listener that never answers is "status": "ok" (TCP connects) with "result": "ERROR"
        # and no version accepted: the failure is stated, at the endpoint's result.
        verdicts.append(judge(kind, e.get("status") == "ok" and len(protos) > 0,
                              e.get("status") != "ok" or e.get("result") == "ERROR"))
    return verdicts


def testssl_endpoints(work, targets):
    """One document: a scanResult entry per scanned target (targetHost, port, protocols); a
    target it could not scan is only a scanProblem entry whose finding names it."""
    doc = load_json(os.path.join(work, "testssl.json"))
    results = doc.get("scanResult") if isinstance(doc, dict) else None
    results = [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []
    verdicts = []
    for kind, tgt in targets:
        host, port = tgt.rsplit(":", 1)
        mine = [r for r in results if r.get("targetHost") == host and str(r.get("port")) == port]
        problems = [r for r in results if r.get("id") == "scanProblem" and
                    (tgt in str(r.get("finding")) or host in str(r.get("finding")))]
        if not mine and not problems:
            verdicts.append("missing")
            continue
        protos = [p for r in mine for p in r.get("protocols") or [] if isinstance(p, dict)]
        offered = [p for p in protos if str(p.get("finding", "")).startswith("offered")]
        problems += [p for p in protos if p.get("severity") == "FATAL"]
        verdicts.append(judge(kind, len(offered) > 0, len(problems) > 0 or not mine))
    return verdicts


def sslscan_endpoints(work, targets):
    verdicts = []
    for n, (kind, tgt) in enumerate(targets, 1):
        try:
            root = ET.parse(os.path.join(work, "sslscan", f"{n}.xml")).getroot()
        except (OSError, ET.ParseError):
            verdicts.append("missing")
            continue
        host, port = tgt.rsplit(":", 1)
        tests = [t for t in root.iter("ssltest") if t.get("host") == host and t.get("port") == port]
        errors = list(root.iter("error"))
        if not tests and not errors:
            verdicts.append("missing")
            continue
        enabled = [p for t in tests for p in t.iter("protocol") if p.get("enabled") == "1"]
        verdicts.append(judge(kind, len(enabled) > 0, len(errors) > 0 or not tests))
    return verdicts


def results(work):
    rows = {}
    with open(os.path.join(work, "results.txt")) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4:
                rows[parts[0]] = parts[1:]
    return rows


def mib(kb):
    return f"{int(kb) / 1024:.1f} MiB" if kb.isdigit() else "?"


def jobs_table(work, rows, n, probes):
    print(f"\n1. Sweep of {n} endpoints (probes: {probes}), --format jsonl, --timeout 2")
    print(f"{'jobs':>5} {'wall':>9} {'endpoints/min':>14} {'peak RSS':>11} {'exit':>5} {'JSONL':>14} {'slowest':>9}")
    for label in sorted((k for k in rows if k.startswith("jobs-")), key=lambda k: int(k[5:])):
        kb, wall, status = rows[label]
        seen, slowest = set(), 0
        try:
            with open(os.path.join(work, label + ".jsonl")) as f:
                for line in f:
                    try:
                        e = json.loads(line)
                    except ValueError:
                        continue
                    if e.get("type") == "endpoint" and e.get("id") and isinstance(e.get("index"), int):
                        seen.add(e["index"])
                        slowest = max(slowest, e.get("duration_ms") or 0)
        except OSError:
            pass
        whole = "all" if seen == set(range(n)) else f"{len(seen & set(range(n)))}/{n}"
        rate = f"{n * 60 / float(wall):.0f}" if float(wall) > 0 else "?"
        print(f"{label[5:]:>5} {float(wall):>8.1f}s {rate:>14} {mib(kb):>11} {status:>5} {whole:>14} {slowest / 1000:>8.1f}s")


    print("   (slowest: the longest endpoint, a silent one: every connection waits --timeout;"
          " a floor on the wall time)")


def sizes_table(rows):
    labels = [k for k in rows if k.startswith("size-")]
    if not labels:
        return
    print("\n2. Peak RSS by inventory size (--probes versions,certificate -j 64)")
    print(f"{'targets':>8} {'format':<6} {'peak RSS':>11} {'wall':>9} {'exit':>5}")
    peaks = {}
    for label in sorted(labels, key=lambda k: (int(k.split("-")[1]), k)):
        _, size, fmt = label.split("-")
        kb, wall, status = rows[label]
        print(f"{int(size):>8} {fmt:<6} {mib(kb):>11} {float(wall):>8.1f}s {status:>5}")
        if kb.isdigit():
            peaks.setdefault(fmt, []).append((int(size), int(kb)))
    for fmt, pts in sorted(peaks.items()):
        if len(pts) > 1:
            (s0, k0), (s1, k1) = min(pts), max(pts)
            print(f"{fmt}: peak RSS at {s1} targets is {k1 / k0:.2f}x that at {s0}")


def peers_table(work, rows, peers, testssl_args, parallel):
    if "peer-tlsprobe" not in rows:
        return
    with open(os.path.join(work, "targets.txt")) as f:
        targets = [tuple(line.split()) for line in f if line.strip()]
    doc = load_json(os.path.join(work, "peer-tlsprobe.json")) or {}
    judged = {"peer-tlsprobe": tlsprobe_endpoints(doc.get("endpoints") or [], targets)}
    if "peer-testssl" in rows:
        judged["peer-testssl"] = testssl_endpoints(work, targets)
    if "peer-sslscan" in rows:
        judged["peer-sslscan"] = sslscan_endpoints(work, targets)
    kinds = sorted({k for k, _ in targets})
    mix = ", ".join("%d %s" % (sum(k == x for k, _ in targets), DEAD.get(x, ":" + x)) for x in kinds)
    print(f"\n3. The first {peers} endpoints ({mix})")
    print("   tlsprobe: full audit, --format json -j 16;  testssl: --file --parallel, each line "
          f"'{testssl_args}';  sslscan: xargs -P{parallel} -L1")
    base = float(rows["peer-tlsprobe"][1])
    print(f"{'tool':<9} {'wall':>9} {'vs tlsprobe':>12} {'peak RSS':>11} {'exit':>5} {'valid':>6} {'wrong':>6} {'missing':>8}  complete")
    for label, verdicts in judged.items():
        kb, wall, status = rows[label]
        ratio = f"{float(wall) / base:.2f}x" if base > 0 else "?"
        ok = verdicts.count("ok")
        print(f"{label[5:]:<9} {float(wall):>8.1f}s {ratio:>12} {mib(kb):>11} {status:>5} {ok:>6} "
              f"{verdicts.count('wrong'):>6} {verdicts.count('missing'):>8}  {'yes' if ok == len(targets) else 'no'}")
        bad = [f"{t} ({v})" for (k, t), v in zip(targets, verdicts) if v != "ok"]
        if bad:
            print(f"   {label[5:]} not valid: {', '.join(bad[:8])}{' ...' if len(bad) > 8 else ''}")
    print("   (peak RSS of testssl and sslscan: the largest single process of the run)")


def main():
    if sys.argv[1] == "--silent":
        silent(int(sys.argv[2]))
    elif sys.argv[1] == "--report":
        work, n, peers, probes, testssl_args, parallel = sys.argv[2:8]
        rows = results(work)
        jobs_table(work, rows, int(n), probes)
        sizes_table(rows)
        peers_table(work, rows, int(peers), testssl_args, parallel)
    else:
        write_inventories(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:])


if __name__ == "__main__":
    main()
