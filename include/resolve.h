/* Resolves every endpoint's name with c-ares, many at once (A and AAAA, /etc/hosts first), and asks
 * in the same channel for each name's DNS HTTPS record (type 65, RFC 9460), the source of ECH
 * configurations. */
#ifndef TLSPROBE_RESOLVE_H
#define TLSPROBE_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "endpoint.h"

/* Fills addr/addr_str/all_addrs of every endpoint, or sets its status to ENDPOINT_UNRESOLVED
 * with the reason. Sets dns_https (src/net/https_rr.h gives its JSON shape) for every endpoint
 * whose name went to DNS, except "localhost" names; an IP literal target or --ip / ip: leaves it
 * NULL (no DNS at all for that endpoint). The HTTPS owner is the host for port 443 and
 * "_PORT._https.HOST" otherwise; an AliasMode record is followed once. A timeout is "timeout",
 * never "no record"; a name is unresolved for a timeout only after its address lookup was asked
 * again (resolve.c: how often, and the window of queries in flight). Returns -1 (message in err)
 * only when the resolver cannot be set up at all. */
int resolve_endpoints(endpoint_t *eps, size_t n, const options_t *opts, char *err, size_t errlen);
/* A predicate resolve_endpoints asks between waits (a signal interrupts the wait): once true it
 * stops at once. A name without an answer then keeps status ENDPOINT_OK and no address: it was
 * neither resolved nor found unresolvable, and must not be probed (the scheduler starts no
 * endpoint once a stop is requested; the report counts it as not probed). NULL: never. */
void resolve_set_stop(bool (*stop)(void));

#endif
