/* Name resolution for the whole run in one c-ares channel, so a sweep of thousands of
 * names costs one round-trip time, not thousands. A failure belongs to its endpoint.
 * The same channel asks, concurrently, for each name's HTTPS record (RFC 9460), which
 * carries the ECH configuration; its outcome is a fact of the endpoint (dns_https). */
#include "resolve.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "https_rr.h"
#include "net.h"
#include "svcb.h"

#define DNS_CLASS_IN 1

typedef struct lookup {
    endpoint_t *ep;
    int done;
    /* The HTTPS query: the owner asked for, the AliasMode owner that led to it (followed
     * once: "" until then), and whether an answer is still awaited. */
    ares_channel channel;
    char owner[HTTPS_RR_NAME_CAP];
    char alias_of[HTTPS_RR_NAME_CAP];
    int https_pending;
} lookup_t;

static void add_address(endpoint_t *ep, const struct sockaddr *sa, socklen_t len)
{
    char s[64];
    net_addr_str(sa, s, sizeof s);
    for (size_t i = 0; i < ep->nall_addrs; i++)
        if (strcmp(ep->all_addrs[i], s) == 0)
            return;
    char **grown = realloc(ep->all_addrs, (ep->nall_addrs + 1) * sizeof *grown);
    if (!grown)
        return;
    ep->all_addrs = grown;
    ep->all_addrs[ep->nall_addrs++] = strdup(s);
    /* The probed address: the first IPv4 one if any, else the first IPv6 one, so that
     * results do not depend on the order the resolver answered in. */
    int take = ep->addrlen == 0 ||
               (sa->sa_family == AF_INET && ((struct sockaddr *)&ep->addr)->sa_family != AF_INET);
    if (take && len <= sizeof ep->addr) {
        memcpy(&ep->addr, sa, len);
        ep->addrlen = len;
        memcpy(ep->addr_str, s, sizeof s < sizeof ep->addr_str ? sizeof s : sizeof ep->addr_str);
    }
}

static void set_port(endpoint_t *ep)
{
    struct sockaddr *sa = (struct sockaddr *)&ep->addr;
    uint16_t port = htons(ep->target->port);
    if (sa->sa_family == AF_INET)
        ((struct sockaddr_in *)sa)->sin_port = port;
    else if (sa->sa_family == AF_INET6)
        ((struct sockaddr_in6 *)sa)->sin6_port = port;
}

/* Literal addresses (the target itself, or --ip / ip:) need no DNS. */
static int use_literal(endpoint_t *ep, const char *literal)
{
    struct sockaddr_in v4 = { .sin_family = AF_INET };
    struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };
    if (inet_pton(AF_INET, literal, &v4.sin_addr) == 1)
        add_address(ep, (struct sockaddr *)&v4, sizeof v4);
    else if (inet_pton(AF_INET6, literal, &v6.sin6_addr) == 1)
        add_address(ep, (struct sockaddr *)&v6, sizeof v6);
    else
        return 0;
    return 1;
}

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    (void)timeouts;
    lookup_t *lk = arg;
    endpoint_t *ep = lk->ep;
    lk->done = 1;
    if (status != ARES_SUCCESS || !res) {
        ep->status = ENDPOINT_UNRESOLVED;
        snprintf(ep->error, sizeof ep->error, "cannot resolve '%s': %s", ep->target->host,
                 ares_strerror(status));
        if (res)
            ares_freeaddrinfo(res);
        return;
    }
    for (struct ares_addrinfo_node *n = res->nodes; n; n = n->ai_next)
        if (n->ai_family == AF_INET || n->ai_family == AF_INET6)
            add_address(ep, n->ai_addr, n->ai_addrlen);
    ares_freeaddrinfo(res);
    if (ep->addrlen == 0) {
        ep->status = ENDPOINT_UNRESOLVED;
        snprintf(ep->error, sizeof ep->error, "cannot resolve '%s': no address", ep->target->host);
    }
}

static void on_https(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    (void)timeouts;
    lookup_t *lk = arg;
    lk->https_pending = 0;
    if (status == ARES_EDESTRUCTION)
        return; /* the channel is going away: the caller reports what is missing */
    char alias[HTTPS_RR_NAME_CAP];
    json_object *res = https_rr_from_answer(lk->owner, status, abuf, alen > 0 ? (size_t)alen : 0, alias, sizeof alias);
    /* An AliasMode record sends the client to another owner (RFC 9460 2.4.2); followed once,
     * so a chain or loop of aliases costs one more query at most. */
    if (res && alias[0] && !lk->alias_of[0] && strcasecmp(alias, lk->owner) != 0) {
        json_object_put(res);
        memcpy(lk->alias_of, lk->owner, sizeof lk->alias_of);
        snprintf(lk->owner, sizeof lk->owner, "%s", alias);
        lk->https_pending = 1;
        ares_query(lk->channel, lk->owner, DNS_CLASS_IN, HTTPS_RR_TYPE, on_https, lk);
        return;
    }
    if (res && lk->alias_of[0])
        json_object_object_add(res, "alias_of", json_object_new_string(lk->alias_of));
    json_object_put(lk->ep->dns_https);
    lk->ep->dns_https = res;
}

/* Whether every address lookup has its answer (the HTTPS queries may still be out). */
static bool addresses_done(const lookup_t *lookups, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lookups[i].ep && !lookups[i].done)
            return false;
    return true;
}

/* Runs the channel until nothing is in flight. The HTTPS queries get grace_s more once the
 * last address is known, then are cancelled (reported as timeouts): a resolver that drops
 * type 65 must not hold the whole sweep for its retries on every nameserver. */
static void run_channel(ares_channel channel, const lookup_t *lookups, size_t n, double grace_s)
{
    double grace_ends = 0;
    for (;;) {
        if (grace_ends == 0 && addresses_done(lookups, n))
            grace_ends = net_now() + grace_s;
        if (grace_ends != 0 && net_now() >= grace_ends) {
            ares_cancel(channel);
            grace_ends = -1; /* cancelled once; what is left finishes at once */
        }
        ares_socket_t socks[ARES_GETSOCK_MAXNUM];
        /* Bits tested by hand: c-ares's macros shift a signed 1 into the sign bit. */
        unsigned bits = (unsigned)ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
        struct pollfd pfd[ARES_GETSOCK_MAXNUM];
        nfds_t nfds = 0;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
            short ev = 0;
            if ((bits >> i) & 1u)
                ev |= POLLIN;
            if ((bits >> (i + ARES_GETSOCK_MAXNUM)) & 1u)
                ev |= POLLOUT;
            if (ev)
                pfd[nfds++] = (struct pollfd){ .fd = socks[i], .events = ev };
        }
        if (nfds == 0)
            return; /* nothing in flight: every query has completed */
        struct timeval tv, *tvp = ares_timeout(channel, NULL, &tv);
        int ms = tvp ? (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) : 1000;
        if (grace_ends > 0) {
            int left = (int)((grace_ends - net_now()) * 1000.0) + 1;
            ms = left < ms ? (left > 0 ? left : 0) : ms;
        }
        int r = poll(pfd, nfds, ms);
        if (r <= 0) {
            ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
            continue;
        }
        for (nfds_t i = 0; i < nfds; i++) {
            if (!pfd[i].revents)
                continue;
            ares_socket_t rd = pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd : ARES_SOCKET_BAD;
            ares_socket_t wr = pfd[i].revents & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD;
            ares_process_fd(channel, rd, wr);
        }
    }
}

int resolve_endpoints(endpoint_t *eps, size_t n, const options_t *opts, char *err, size_t errlen)
{
    size_t pending = 0;
    for (size_t i = 0; i < n; i++) {
        endpoint_t *ep = &eps[i];
        const char *literal = ep->target->ip ? ep->target->ip : ep->target->host;
        if (use_literal(ep, literal))
            set_port(ep);
        else if (ep->target->ip) {
            ep->status = ENDPOINT_UNRESOLVED;
            snprintf(ep->error, sizeof ep->error, "'%s' is not an IP address", ep->target->ip);
        } else
            pending++;
    }
    if (pending == 0)
        return 0;

    int rc = ares_library_init(ARES_LIB_INIT_ALL);
    if (rc != ARES_SUCCESS) {
        snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
        return -1;
    }
    struct ares_options ao = { 0 };
    ao.timeout = (int)(opts->timeout_s * 1000 / 2);
    ao.tries = 2;
    ao.lookups = (char *)"fb"; /* /etc/hosts first, then DNS */
    ares_channel channel;
    rc = ares_init_options(&channel, &ao, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
    if (rc != ARES_SUCCESS) {
        snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
        ares_library_cleanup();
        return -1;
    }
    if (opts->resolver) {
        rc = ares_set_servers_ports_csv(channel, opts->resolver);
        if (rc != ARES_SUCCESS) {
            snprintf(err, errlen, "--resolver '%s': %s", opts->resolver, ares_strerror(rc));
            ares_destroy(channel);
            ares_library_cleanup();
            return -1;
        }
    }
    lookup_t *lookups = calloc(n, sizeof *lookups);
    if (!lookups) {
        snprintf(err, errlen, "out of memory");
        ares_destroy(channel);
        ares_library_cleanup();
        return -1;
    }
    struct ares_addrinfo_hints hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    for (size_t i = 0; i < n; i++) {
        endpoint_t *ep = &eps[i];
        if (ep->addrlen || ep->status != ENDPOINT_OK)
            continue;
        lookups[i].ep = ep;
        lookups[i].channel = channel;
        /* No HTTPS query for --ip / ip: (the user keeps DNS out) nor for localhost names. */
        if (https_rr_wanted(ep->target->host) &&
            svcb_https_owner(ep->target->host, ep->target->port, lookups[i].owner, sizeof lookups[i].owner)) {
            lookups[i].https_pending = 1;
            ares_query(channel, lookups[i].owner, DNS_CLASS_IN, HTTPS_RR_TYPE, on_https, &lookups[i]);
        }
        ares_getaddrinfo(channel, ep->target->host, NULL, &hints, on_addrinfo, &lookups[i]);
    }
    run_channel(channel, lookups, n, opts->timeout_s);
    for (size_t i = 0; i < n; i++) {
        if (lookups[i].ep && !lookups[i].done) {
            lookups[i].ep->status = ENDPOINT_UNRESOLVED;
            snprintf(lookups[i].ep->error, sizeof lookups[i].ep->error, "cannot resolve '%s': no answer",
                     lookups[i].ep->target->host);
        }
        if (lookups[i].ep && lookups[i].ep->status == ENDPOINT_OK)
            set_port(lookups[i].ep);
        if (lookups[i].https_pending) /* run_channel ran until nothing was in flight */
            lookups[i].ep->dns_https = https_rr_result(lookups[i].owner, "error", "no answer");
    }
    ares_destroy(channel); /* may still call back into lookups: free them after */
    free(lookups);
    ares_library_cleanup();
    return 0;
}
