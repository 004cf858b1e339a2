/* Resolves every endpoint's name at once with c-ares (A and AAAA, /etc/hosts first). */
#ifndef TLSPROBE_RESOLVE_H
#define TLSPROBE_RESOLVE_H

#include <stddef.h>

#include "endpoint.h"

/* Fills addr/addr_str/all_addrs of every endpoint, or sets its status to ENDPOINT_UNRESOLVED
 * with the reason. Returns -1 (message in err) only when the resolver cannot be set up at all. */
int resolve_endpoints(endpoint_t *eps, size_t n, const options_t *opts, char *err, size_t errlen);

#endif
