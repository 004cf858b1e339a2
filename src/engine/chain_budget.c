/* How long a chain of hellos may run in one piece (probe_chain_budget, probe.h). At internet
 * latency an audit takes about its connections x 2 RTT / --per-host, or its longest chain if
 * that is longer: a chain is worth splitting only down to that share, since every part costs
 * one more refusal. The share comes from what the versions probe found, never from timing, so
 * the same endpoint is always asked the same hellos. */
#include "probe.h"

#include <string.h>

#include "wire.h"

/* Below this a part's refusal costs more than the parallelism saves. */
#define MIN_CHAIN 6.0

/* Connections a probe takes on a server with OpenSSL's defaults (its accepts, one hello each,
 * and refusals), per version it enumerates; the full handshakes of the others. */
typedef struct expected {
    const char *probe;
    double tls13, tls12, older; /* older: each of TLS 1.1, 1.0, SSL 3.0 */
    double fixed;
} expected_t;

static const expected_t table[] = {
    { "ciphers", 4, 22, 15, 0 },
    { "groups", 11, 0, 0, 8 },   /* TLS 1.3 groups; the curves and DH of the newest older version */
    { "signatures", 4, 8, 0, 0 },
    { "certificate", 0, 0, 0, 3 },
    { "http", 0, 0, 0, 2 },
    { "mtls", 0, 0, 0, 3 },
    { "ech", 0, 0, 0, 1 },
};

static bool selected(const endpoint_t *ep, const char *probe)
{
    for (const char *const *out = ep->left_out; out && *out; out++)
        if (strcmp(*out, probe) == 0)
            return false;
    return true;
}

double probe_chain_budget(endpoint_t *ep)
{
    unsigned v = probe_versions_accepted(ep);
    bool t13 = v & probe_version_bit(WIRE_TLS13), t12 = v & probe_version_bit(WIRE_TLS12);
    size_t older = !!(v & probe_version_bit(WIRE_TLS11)) + !!(v & probe_version_bit(WIRE_TLS10)) +
                   !!(v & probe_version_bit(WIRE_SSL3));
    double total = 0;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        const expected_t *e = &table[i];
        if (!selected(ep, e->probe))
            continue;
        total += (t13 ? e->tls13 : 0) + (t12 ? e->tls12 : 0) + (double)older * e->older;
        if (e->fixed && (strcmp(e->probe, "groups") != 0 || t12 || older))
            total += e->fixed;
    }
    int per_host = ep->opts && ep->opts->per_host > 0 ? ep->opts->per_host : 1;
    double share = total / per_host;
    return share > MIN_CHAIN ? share : MIN_CHAIN;
}
