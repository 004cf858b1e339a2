#!/usr/bin/env python3
"""Checks the architecture the README describes, from the sources' #include lines: each layer
(a folder of src/, or probes/) includes only headers of the layers below it, and no header
includes itself through others. Prints `ok - ...` / `not ok - ...` lines (tests/run.sh counts them).
Usage: tools/check_layers.py [ROOT]   (run by tests/integration/layers.sh)"""
import os, re, sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else '.'
# Each layer and the layers it may include. "model" is the shared data model (include/ headers
# with no source: endpoint, options, target...), usable everywhere.
ALLOWED = {
    'util': set(),
    'wire': {'util'},
    'ech': {'wire', 'util'},
    'net': {'wire', 'util'},
    'http': {'net', 'util'},
    'starttls': {'net', 'util'},
    'x509': {'net', 'http', 'util'},
    'scoring': {'wire', 'util', 'http'},
    'engine': {'net', 'wire', 'ech', 'x509', 'http', 'starttls', 'util'},
    'probes': {'engine', 'net', 'wire', 'ech', 'x509', 'http', 'starttls', 'util', 'report'},
    'report': {'engine', 'scoring', 'wire', 'util'},
    'app': {'engine', 'probes', 'report', 'scoring', 'net', 'wire', 'ech', 'x509', 'http', 'starttls', 'util'},
}
# Public headers without a source of the same name, and the layer that owns them.
# render.h is the probe contract's rendering half: probes call it, report writers implement it.
OWNER = {'probe.h': 'engine', 'scheduler.h': 'engine', 'render.h': 'engine', 'wire.h': 'wire',
         'iana.h': 'wire', 'mozilla_data.h': 'scoring',
         'starttls.h': 'starttls', 'bounded_reader.h': 'util'}
MODEL = {'endpoint.h', 'options.h', 'target.h', 'service.h', 'version.h'}
inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

def layer_of(path):
    parts = path.split('/')
    if parts[0] == 'probes': return 'probes'
    if parts[0] == 'src' and len(parts) == 3: return parts[1]
    return None

sources = {}   # path -> layer
for d, _, fs in os.walk(os.path.join(ROOT, 'src')):
    for f in fs:
        if f.endswith(('.c', '.h')):
            p = os.path.relpath(os.path.join(d, f), ROOT); sources[p] = layer_of(p)
for f in os.listdir(os.path.join(ROOT, 'probes')):
    if f.endswith('.c'): sources['probes/' + f] = 'probes'
public = {f: None for f in os.listdir(os.path.join(ROOT, 'include')) if f.endswith('.h')}
by_base = {}
for p, l in sources.items():
    if p.endswith('.c'): by_base.setdefault(os.path.basename(p)[:-2] + '.h', set()).add(l)
for h in public:
    if h in MODEL: public[h] = 'model'
    elif h in OWNER: public[h] = OWNER[h]
    elif len(by_base.get(h, ())) == 1: public[h] = next(iter(by_base[h]))

def resolve(frm, name):
    here = os.path.join(os.path.dirname(frm), name)
    if os.path.exists(os.path.join(ROOT, here)): return os.path.normpath(here)
    if name in public: return 'include/' + name
    return None

def includes(path):
    return inc_re.findall(open(os.path.join(ROOT, path)).read())

failures = 0
def report(ok, what, why=''):
    global failures
    print(('ok - %s' if ok else 'not ok - %s: ' + why) % what)
    failures += not ok

for h, owner in sorted(public.items()):
    report(owner is not None, 'include/%s has an owning layer' % h, 'add it to OWNER in tools/check_layers.py')

bad = []
# Public headers are held to their owner's rules too (a header's include is its users' include).
checked = dict(sources)
checked.update({'include/' + h: o for h, o in public.items() if o not in (None, 'model')})
for p, layer in sorted(checked.items()):
    for name in includes(p):
        r = resolve(p, name)
        if r is None:
            bad.append('%s includes unknown "%s"' % (p, name)); continue
        target = public.get(name) if r.startswith('include/') else sources.get(r)
        if target in (None, 'model') or target == layer: continue
        if target not in ALLOWED.get(layer, set()):
            bad.append('%s (%s) includes %s (%s)' % (p, layer, name, target))
report(not bad, 'every layer includes only the layers below it', '; '.join(bad[:12]))

# A header that reaches itself through its own includes is a cycle.
graph = {}
for p in list(sources) + ['include/' + h for h in public]:
    if p.endswith('.h'): graph[p] = [r for r in (resolve(p, n) for n in includes(p)) if r]
cycles = []
def walk(start, node, seen):
    for nxt in graph.get(node, []):
        if nxt == start: cycles.append(start); return
        if nxt not in seen: seen.add(nxt); walk(start, nxt, seen)
for h in graph: walk(h, h, set())
report(not cycles, 'no include cycle between headers', ', '.join(sorted(set(cycles))[:8]))
lower = [p for p, l in sources.items() if l in ('net', 'wire', 'scoring')]
def closure(p, seen):
    for n in includes(p):
        r = resolve(p, n)
        if r and r not in seen: seen.add(r); closure(r, seen)
    return seen
probe_users = [p for p in lower if 'include/probe.h' in closure(p, set())]
report(not probe_users, 'no file of src/net, src/wire or src/scoring includes probe.h, even indirectly',
       ', '.join(sorted(probe_users)[:8]))
sys.exit(1 if failures else 0)
