/* What every probe shares: counted connections to its endpoint, where its status goes in its
 * facts, and what the versions probe found. */
#include "probe.h"

#include <stdio.h>
#include <string.h>

#include "net.h"
#include "starttls.h"
#include "wire.h"

/* Connection errors are cut where they always were: ctx->err has room for longer reasons, and
 * reports must not change with it. */
#define CONNECT_ERR_LEN 256

int probe_connect(probe_ctx_t *ctx)
{
    endpoint_t *ep = ctx->ep;
    atomic_fetch_add(&ep->connections, 1);
    int fd = net_connect((const struct sockaddr *)&ep->addr, ep->addrlen, ep->opts->timeout_s, ctx->err,
                         CONNECT_ERR_LEN);
    if (fd >= 0)
        ctx->tcp_reached = true;
    /* STARTTLS services: every probe speaks TLS over the upgraded connection. */
    const service_t *svc = ep->target ? ep->target->service : NULL;
    if (fd >= 0 && svc && svc->starttls) {
        const char *host = ep->sni ? ep->sni : ep->target->host;
        if (starttls_negotiate(fd, svc->dialogue, host, ep->opts->timeout_s, NULL, ctx->err, CONNECT_ERR_LEN) < 0) {
            net_close(fd);
            return -1;
        }
    }
    return fd;
}

/* The tasks of a call run one after another on the calling thread. */
typedef struct serial_call {
    probe_fanout_call_t call;   /* first: tasks see only this */
    size_t n;
} serial_call_t;

static bool serial_grow(probe_fanout_call_t *call, size_t n)
{
    serial_call_t *c = (serial_call_t *)call;
    if (n > c->n)
        c->n = n;
    return true;
}

void probe_fanout(probe_ctx_t *ctx, size_t n, probe_task_fn fn, void *arg, const double *hellos)
{
    if (ctx->fanout) {
        ctx->fanout->run(ctx->fanout, ctx, n, fn, arg, hellos);
        return;
    }
    serial_call_t c = { .call = { .grow = serial_grow }, .n = n };
    for (size_t i = 0; i < c.n; i++) {
        probe_ctx_t task = { .ep = ctx->ep, .call = &c.call };
        fn(&task, arg, i);
        ctx->tcp_reached |= task.tcp_reached;
        ctx->answered |= task.answered;
    }
}

bool probe_fanout_grow(probe_ctx_t *task, size_t n)
{
    return task->call && task->call->grow(task->call, n);
}

probe_status_t probe_no_connection(const probe_ctx_t *ctx)
{
    return ctx->tcp_reached ? PROBE_ERROR : PROBE_UNREACHABLE;
}

/* A placeholder the scheduler fills (scheduler.c): moved to the end of the facts so far. */
static void place(probe_ctx_t *ctx, const char *member)
{
    json_object_object_del(ctx->out, member);
    json_object_object_add(ctx->out, member, NULL);
}

void probe_status_here(probe_ctx_t *ctx)
{
    place(ctx, "status");
}

void probe_error_here(probe_ctx_t *ctx)
{
    place(ctx, "error");
}

unsigned probe_version_bit(uint16_t version)
{
    static const uint16_t oldest_first[] = { WIRE_SSL2, WIRE_SSL3, WIRE_TLS10, WIRE_TLS11, WIRE_TLS12, WIRE_TLS13 };
    for (size_t i = 0; i < sizeof oldest_first / sizeof *oldest_first; i++)
        if (oldest_first[i] == version)
            return 1u << i;
    return 0;
}

unsigned probe_versions_accepted(endpoint_t *ep)
{
    json_object *v = endpoint_probe_facts(ep, "versions"), *list;
    unsigned mask = 0;
    if (!v || !json_object_object_get_ex(v, "accepted", &list))
        return 0;
    for (size_t i = 0; i < json_object_array_length(list); i++)
        mask |= probe_version_bit(wire_version_by_name(json_object_get_string(json_object_array_get_idx(list, i))));
    return mask;
}

bool probe_version_accepted(endpoint_t *ep, uint16_t version)
{
    return (probe_versions_accepted(ep) & probe_version_bit(version)) != 0;
}
