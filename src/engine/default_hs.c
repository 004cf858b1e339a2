/* The endpoint's default handshake, made once; see default_hs.h. */
#include "default_hs.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "net.h"

struct default_hs_slot {
    bool started, done;
    pthread_cond_t made;      /* signalled (under ep->lock) when done */
    default_hs_t r;
};

/* The endpoint's finaliser: its probes are done, nothing reads the handshake any more. */
static void slot_free(endpoint_t *ep)
{
    pthread_mutex_lock(&ep->lock);
    struct default_hs_slot *s = ep->default_hs;
    ep->default_hs = NULL;
    pthread_mutex_unlock(&ep->lock);
    if (!s)
        return;
    tls_hs_result_free(&s->r.hs);
    pthread_cond_destroy(&s->made);
    free(s);
}

static void make(probe_ctx_t *ctx, default_hs_t *r)
{
    endpoint_t *ep = ctx->ep;
    tls_hs_options_t opts = {
        .sni = ep->sni,
        .ciphers = DEFAULT_HS_CIPHERS,
        .request_ocsp = true,
        .timeout_s = ep->opts->timeout_s,
    };
    /* What this handshake alone shows (not what the maker did before). */
    bool reached = ctx->tcp_reached;
    ctx->tcp_reached = false;
    known_hello_load(ep, &r->known);
    r->rc = known_hs_connect(ctx, &r->known, &opts, &r->hs, &r->info);
    if (r->rc == 0)
        tls_hs_close_notify(&r->hs);
    if (r->info.fd >= 0)
        net_close(r->info.fd);
    r->info.fd = -1;
    if (r->info.connect_failed)
        snprintf(r->err, sizeof r->err, "%s", ctx->err);
    r->tcp_reached = ctx->tcp_reached;
    ctx->tcp_reached |= reached;
}

/* The endpoint's slot, made on first use; NULL out of memory. Called without ep->lock. */
static struct default_hs_slot *slot_of(endpoint_t *ep)
{
    pthread_mutex_lock(&ep->lock);
    struct default_hs_slot *s = ep->default_hs;
    bool made = false;
    if (!s && (s = calloc(1, sizeof *s)) != NULL) {
        if (pthread_cond_init(&s->made, NULL) != 0) {
            free(s);
            s = NULL;
        } else {
            ep->default_hs = s;
            made = true;
        }
    }
    pthread_mutex_unlock(&ep->lock);
    if (made)
        endpoint_add_finaliser(ep, slot_free);
    return s;
}

const default_hs_t *default_hs_get(probe_ctx_t *ctx)
{
    endpoint_t *ep = ctx->ep;
    if (ep->target && ep->target->client_cert)
        return NULL;
    struct default_hs_slot *s = slot_of(ep);
    if (!s)
        return NULL;
    pthread_mutex_lock(&ep->lock);
    bool mine = !s->started;
    s->started = true;
    pthread_mutex_unlock(&ep->lock);
    if (mine) {
        /* The handshake runs under the maker's deadline: a waiter never waits past it. */
        make(ctx, &s->r);
        pthread_mutex_lock(&ep->lock);
        s->done = true;
        pthread_cond_broadcast(&s->made);
    } else {
        pthread_mutex_lock(&ep->lock);
        while (!s->done)
            pthread_cond_wait(&s->made, &ep->lock);
    }
    pthread_mutex_unlock(&ep->lock);
    ctx->tcp_reached |= s->r.tcp_reached;
    return &s->r;
}
