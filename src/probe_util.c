/* What every probe shares: counted connections to its endpoint, access to earlier facts. */
#include "probe.h"

#include <stdio.h>
#include <string.h>

#include "net.h"
#include "starttls.h"

int probe_connect(probe_ctx_t *ctx)
{
    endpoint_t *ep = ctx->ep;
    atomic_fetch_add(&ep->connections, 1);
    int fd = net_connect((const struct sockaddr *)&ep->addr, ep->addrlen, ep->opts->timeout_s,
                         ctx->err, sizeof ctx->err);
    if (fd >= 0)
        ctx->tcp_reached = true;
    /* STARTTLS services: every probe speaks TLS over the upgraded connection. */
    const service_t *svc = ep->target ? ep->target->service : NULL;
    if (fd >= 0 && svc && svc->starttls) {
        const char *host = ep->sni ? ep->sni : ep->target->host;
        if (starttls_negotiate(fd, svc->dialogue, host, ep->opts->timeout_s, NULL, ctx->err, sizeof ctx->err) < 0) {
            net_close(fd);
            return -1;
        }
    }
    return fd;
}

probe_status_t probe_no_connection(const probe_ctx_t *ctx)
{
    return ctx->tcp_reached ? PROBE_ERROR : PROBE_UNREACHABLE;
}

json_object *endpoint_probe_facts(endpoint_t *ep, const char *probe_name)
{
    json_object *v = NULL;
    pthread_mutex_lock(&ep->lock);
    if (ep->facts)
        json_object_object_get_ex(ep->facts, probe_name, &v);
    pthread_mutex_unlock(&ep->lock);
    return v;
}

bool probe_version_accepted(endpoint_t *ep, const char *version)
{
    json_object *v = endpoint_probe_facts(ep, "versions"), *list;
    if (!v || !json_object_object_get_ex(v, "accepted", &list))
        return false;
    for (size_t i = 0; i < json_object_array_length(list); i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(list, i)), version) == 0)
            return true;
    return false;
}
