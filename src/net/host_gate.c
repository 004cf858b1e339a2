/* The per-host gate (host_gate.h): a list of the address:ports with connections open or asked
 * for, each with its count and a FIFO of waiters. A freed slot is handed to the first waiter
 * directly, so a waiter is never overtaken and no slot is lost to one that gave up. Entries
 * live only while something is open or waiting: memory follows concurrency, not the sweep. */
#include "host_gate.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net.h"

typedef struct waiter {
    pthread_cond_t cv;
    bool granted;            /* a releasing thread gave it its slot */
    struct waiter *next;
} waiter_t;

typedef struct gate_entry {
    char key[HOST_GATE_KEY_MAX];
    int held;
    waiter_t *first, *last;  /* waiting, in arrival order */
    struct gate_entry *next;
} gate_entry_t;

static int limit;            /* 0: no limit */
static gate_entry_t *entries;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_condattr_t monotonic;
static pthread_once_t attr_once = PTHREAD_ONCE_INIT;

static void init_attr(void)
{
    /* Deadlines are net_now() times: the monotonic clock. */
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
}

void host_gate_set(int per_host)
{
    pthread_once(&attr_once, init_attr);
    limit = per_host > 0 ? per_host : 0;
}

bool host_gate_limited(void)
{
    return limit > 0;
}

bool host_gate_key(const struct sockaddr *sa, socklen_t salen, char out[HOST_GATE_KEY_MAX])
{
    char addr[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET && salen >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, addr, sizeof addr);
        snprintf(out, HOST_GATE_KEY_MAX, "%s:%u", addr, ntohs(in->sin_port));
        return true;
    }
    if (sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            /* The same host as its IPv4 address: one count. */
            inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], addr, sizeof addr);
            snprintf(out, HOST_GATE_KEY_MAX, "%s:%u", addr, ntohs(in6->sin6_port));
        } else {
            inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof addr);
            snprintf(out, HOST_GATE_KEY_MAX, "[%s]:%u", addr, ntohs(in6->sin6_port));
        }
        return true;
    }
    return false;
}

/* Called with mu held. The entry for key, made when absent (NULL only when out of memory). */
static gate_entry_t *entry_for(const char *key)
{
    for (gate_entry_t *e = entries; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    gate_entry_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    snprintf(e->key, sizeof e->key, "%s", key);
    e->next = entries;
    entries = e;
    return e;
}

/* Called with mu held: drops e once nothing is open or waiting on it. */
static void drop_if_idle(gate_entry_t *e)
{
    if (e->held > 0 || e->first)
        return;
    for (gate_entry_t **p = &entries; *p; p = &(*p)->next)
        if (*p == e) {
            *p = e->next;
            free(e);
            return;
        }
}

static void unlink_waiter(gate_entry_t *e, waiter_t *w)
{
    waiter_t *prev = NULL;
    for (waiter_t *x = e->first; x; prev = x, x = x->next)
        if (x == w) {
            if (prev)
                prev->next = w->next;
            else
                e->first = w->next;
            if (e->last == w)
                e->last = prev;
            return;
        }
}

static struct timespec abs_time(double t)
{
    struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = (long)((t - (double)(time_t)t) * 1e9) };
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_nsec = 999999999L;
    return ts;
}

/* Called with mu held: waits in e's queue until a slot is handed over or deadline passes. */
static bool wait_turn(gate_entry_t *e, double deadline)
{
    waiter_t w = { .granted = false };
    pthread_cond_init(&w.cv, &monotonic);
    if (e->last)
        e->last->next = &w;
    else
        e->first = &w;
    e->last = &w;
    struct timespec until = abs_time(deadline);
    while (!w.granted && net_now() < deadline)
        pthread_cond_timedwait(&w.cv, &mu, &until);
    if (!w.granted)
        unlink_waiter(e, &w);   /* a slot handed over is the caller's: kept, even late */
    pthread_cond_destroy(&w.cv);
    return w.granted;
}

static bool take(const char *key, double deadline, bool may_wait)
{
    if (limit <= 0)
        return true;
    pthread_mutex_lock(&mu);
    gate_entry_t *e = entry_for(key);
    bool got;
    if (!e)
        got = true;   /* out of memory: unlimited rather than failing the connection */
    else if (e->held < limit && !e->first)
        got = (e->held++, true);
    else
        got = may_wait && wait_turn(e, deadline);
    if (e && !got)
        drop_if_idle(e);
    pthread_mutex_unlock(&mu);
    return got;
}

bool host_gate_take(const char *key, double deadline)
{
    return take(key, deadline, true);
}

bool host_gate_try(const char *key)
{
    return take(key, 0, false);
}

void host_gate_release(const char *key)
{
    if (limit <= 0)
        return;
    pthread_mutex_lock(&mu);
    for (gate_entry_t *e = entries; e; e = e->next) {
        if (strcmp(e->key, key) != 0)
            continue;
        waiter_t *w = e->first;
        if (w) {
            /* Handed over: the count stays, the first waiter now holds the slot. */
            e->first = w->next;
            if (!e->first)
                e->last = NULL;
            w->granted = true;
            pthread_cond_signal(&w->cv);
        } else if (e->held > 0) {
            e->held--;
        }
        drop_if_idle(e);
        break;
    }
    pthread_mutex_unlock(&mu);
}
