/* Name resolution for the whole run in one c-ares channel, many names at once through a
 * bounded window, so a sweep of thousands of names costs a round-trip time per window of them,
 * not one per name, without flooding the resolver. A failure belongs to its endpoint.
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

/* At most this many lookups in flight at once: a sweep's names are asked as a window slides
 * over them, not all at once, so neither the resolver (dnsmasq forwards at most 150 queries at
 * once by default) nor a UDP socket buffer drops queries and turns real answers into timeouts.
 * An address lookup is two queries (A and AAAA): 40 of them and 40 HTTPS queries make at most
 * 120 queries in flight. HTTPS queries have their own window, as wide in names, so that they keep
 * pace with the addresses, and a resolver dropping type 65 slows only them (the grace rule below
 * bounds their wait), never the addresses. */
#define DNS_ADDR_WINDOW 40
#define DNS_HTTPS_WINDOW 40
/* An address lookup that timed out or was refused (after c-ares's own tries) is asked again
 * this many times, after DNS_BACKOFF_S, then twice that: an overloaded resolver gets a pause, and
 * a name is unresolved for a timeout only after them. NXDOMAIN and no data are answers, never
 * asked again. An HTTPS query is not asked again: its timeout is a fact ("timeout"), not a lost
 * endpoint, and servers that drop type 65 exist; asking them again would only hold the window. */
#define DNS_REQUEUES 2
#define DNS_BACKOFF_S 0.5
/* A resolver that has answered nothing at all (no address, no NXDOMAIN, no HTTPS answer) when
 * this many address lookups have failed for good is taken as down: the names not asked yet are
 * not asked, and fail at once with the same reason. Without it a dead resolver would cost a
 * sweep (names / window) x every lookup's retries; with it, about one lookup's retries. */
#define DNS_DEAD_AFTER DNS_ADDR_WINDOW

enum { OP_ADDR, OP_HTTPS, OP_KINDS };

struct run;

typedef struct lookup {
    endpoint_t *ep;
    struct run *run;
    int done;                  /* the address lookup has its final answer */
    int requeues;              /* times the address lookup was asked again so far */
    /* The HTTPS query: the owner asked for, the AliasMode owner that led to it (followed
     * once: "" until then), and whether an answer is still awaited. */
    char owner[HTTPS_RR_NAME_CAP];
    char alias_of[HTTPS_RR_NAME_CAP];
    int https_pending;
} lookup_t;

/* An address lookup waiting to be asked again. */
typedef struct retry {
    size_t i;                  /* in lookups */
    double at;                 /* monotonic time it may go */
} retry_t;

/* The window over every lookup: what is yet to ask, in flight, and waiting for a retry. */
typedef struct run {
    ares_channel channel;
    lookup_t *lookups;
    size_t n;
    size_t next[OP_KINDS];     /* the next lookup never asked, per kind */
    int in_flight[OP_KINDS];
    size_t left[OP_KINDS];     /* lookups without their final answer */
    retry_t *retries;          /* at most one per lookup: room for n, in the order they failed */
    size_t nretries;
    bool https_cancelled;      /* the grace ended: no HTTPS query is asked any more */
    bool answered;             /* the resolver gave an answer of any kind */
    bool stopped;              /* the stop predicate said so: the names left are not asked */
    size_t failed;             /* address lookups failed for good (timeout or refused) */
    int failure;               /* the last one's status */
} run_t;

static const int window[OP_KINDS] = { DNS_ADDR_WINDOW, DNS_HTTPS_WINDOW };

static bool (*stop_check)(void);

void resolve_set_stop(bool (*stop)(void))
{
    stop_check = stop;
}

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

/* Whether a failed address lookup goes back to the queue: a timeout or a refusal (what an
 * overloaded or restarting resolver gives), while requeues are left. */
static bool requeue(lookup_t *lk, int status)
{
    run_t *r = lk->run;
    if ((status != ARES_ETIMEOUT && status != ARES_ECONNREFUSED) || lk->requeues >= DNS_REQUEUES)
        return false;
    double pause = DNS_BACKOFF_S * (double)(1 << lk->requeues);
    lk->requeues++;
    r->retries[r->nretries++] = (retry_t){ .i = (size_t)(lk - r->lookups), .at = net_now() + pause };
    return true;
}

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    (void)timeouts;
    lookup_t *lk = arg;
    endpoint_t *ep = lk->ep;
    if (status == ARES_EDESTRUCTION)
        return; /* a run stopped early: finish() said why */
    lk->run->in_flight[OP_ADDR]--;
    lk->run->answered |= status != ARES_ETIMEOUT && status != ARES_ECONNREFUSED;
    if (!res && requeue(lk, status))
        return;
    lk->done = 1;
    lk->run->left[OP_ADDR]--;
    if (status == ARES_ETIMEOUT || status == ARES_ECONNREFUSED) {
        lk->run->failed++;
        lk->run->failure = status;
    }
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

static void on_https(void *arg, int status, int timeouts, unsigned char *abuf, int alen);

static void ask_https(lookup_t *lk)
{
    lk->run->in_flight[OP_HTTPS]++;
    ares_query(lk->run->channel, lk->owner, DNS_CLASS_IN, HTTPS_RR_TYPE, on_https, lk);
}

/* The HTTPS fact, once final: the query is no longer awaited. */
static void https_final(lookup_t *lk, json_object *res)
{
    lk->https_pending = 0;
    lk->run->left[OP_HTTPS]--;
    json_object_put(lk->ep->dns_https);
    lk->ep->dns_https = res;
}

static void on_https(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    (void)timeouts;
    lookup_t *lk = arg;
    lk->run->in_flight[OP_HTTPS]--;
    if (status == ARES_EDESTRUCTION)
        return; /* the channel is going away: the caller reports what is missing */
    lk->run->answered |= status != ARES_ETIMEOUT && status != ARES_ECONNREFUSED && status != ARES_ECANCELLED;
    char alias[HTTPS_RR_NAME_CAP];
    json_object *res = https_rr_from_answer(lk->owner, status, abuf, alen > 0 ? (size_t)alen : 0, alias, sizeof alias);
    /* An AliasMode record sends the client to another owner (RFC 9460 2.4.2); followed once,
     * so a chain or loop of aliases costs one more query at most. */
    if (res && alias[0] && !lk->alias_of[0] && strcasecmp(alias, lk->owner) != 0) {
        json_object_put(res);
        memcpy(lk->alias_of, lk->owner, sizeof lk->alias_of);
        snprintf(lk->owner, sizeof lk->owner, "%s", alias);
        ask_https(lk);
        return;
    }
    if (res && lk->alias_of[0])
        json_object_object_add(res, "alias_of", json_object_new_string(lk->alias_of));
    https_final(lk, res);
}

static void ask(run_t *r, size_t i, int kind)
{
    lookup_t *lk = &r->lookups[i];
    if (kind == OP_HTTPS) {
        ask_https(lk);
        return;
    }
    struct ares_addrinfo_hints hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    r->in_flight[OP_ADDR]++; /* before the call: an /etc/hosts answer comes back inside it */
    ares_getaddrinfo(r->channel, lk->ep->target->host, NULL, &hints, on_addrinfo, lk);
}

/* Whether lookup i has a query of this kind to ask at all. */
static bool wanted(const run_t *r, size_t i, int kind)
{
    const lookup_t *lk = &r->lookups[i];
    return lk->ep && (kind == OP_ADDR || lk->https_pending);
}

/* The resolver is down (DNS_DEAD_AFTER): the names never asked fail without a query, and so
 * do the HTTPS queries never asked. */
static void give_up(run_t *r)
{
    for (; r->next[OP_HTTPS] < r->n; r->next[OP_HTTPS]++) {
        lookup_t *lk = &r->lookups[r->next[OP_HTTPS]];
        if (lk->ep && lk->https_pending)
            https_final(lk, https_rr_result(lk->owner, "timeout", "not asked: the DNS server answered nothing"));
    }
    for (; r->next[OP_ADDR] < r->n; r->next[OP_ADDR]++) {
        lookup_t *lk = &r->lookups[r->next[OP_ADDR]];
        if (!lk->ep)
            continue;
        lk->done = 1;
        r->left[OP_ADDR]--;
        lk->ep->status = ENDPOINT_UNRESOLVED;
        snprintf(lk->ep->error, sizeof lk->ep->error,
                 "cannot resolve '%s': %s (not asked: the first %d lookups got no answer at all)",
                 lk->ep->target->host, ares_strerror(r->failure), DNS_DEAD_AFTER);
    }
}

/* Fills each window: first the address retries that are due (in the order they failed), then
 * the lookups never asked, in target order. */
static void fill(run_t *r, double now)
{
    if (!r->answered && r->failed >= DNS_DEAD_AFTER)
        give_up(r);
    retry_t due[DNS_ADDR_WINDOW];
    size_t ndue = 0, kept = 0;
    for (size_t k = 0; k < r->nretries; k++) {
        if (r->retries[k].at <= now && r->in_flight[OP_ADDR] + (int)ndue < window[OP_ADDR])
            due[ndue++] = r->retries[k];
        else
            r->retries[kept++] = r->retries[k];
    }
    r->nretries = kept;
    for (size_t k = 0; k < ndue; k++)
        ask(r, due[k].i, OP_ADDR);
    for (int kind = 0; kind < OP_KINDS; kind++) {
        if (kind == OP_HTTPS && r->https_cancelled)
            continue;
        while (r->in_flight[kind] < window[kind] && r->next[kind] < r->n) {
            size_t i = r->next[kind]++;
            if (wanted(r, i, kind))
                ask(r, i, kind);
        }
    }
}

/* The grace is over: HTTPS queries in flight are cancelled (reported as timeouts) and those
 * not asked yet get the same answer without a query. */
static void cancel_https(run_t *r)
{
    r->https_cancelled = true;
    ares_cancel(r->channel); /* only HTTPS queries are left: every address is known */
    for (size_t i = 0; i < r->n; i++) {
        lookup_t *lk = &r->lookups[i];
        if (lk->ep && lk->https_pending)
            https_final(lk, https_rr_from_answer(lk->owner, ARES_ECANCELLED, NULL, 0, NULL, 0));
    }
}

/* The poll wait in ms: c-ares's next timeout, the next retry, the end of the grace. */
static int wait_ms(run_t *r, double now, double grace_ends)
{
    struct timeval tv, *tvp = ares_timeout(r->channel, NULL, &tv);
    double s = tvp ? (double)tv.tv_sec + (double)tv.tv_usec / 1e6 : 1.0;
    for (size_t k = 0; k < r->nretries; k++)
        if (r->retries[k].at - now < s)
            s = r->retries[k].at - now;
    if (grace_ends > 0 && grace_ends - now < s)
        s = grace_ends - now;
    return s > 0 ? (int)(s * 1000.0) + 1 : 0;
}

/* Feeds c-ares what poll saw on its sockets, or lets it run its timeouts. */
static void process(run_t *r, int ms)
{
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    /* Bits tested by hand: c-ares's macros shift a signed 1 into the sign bit. */
    unsigned bits = (unsigned)ares_getsock(r->channel, socks, ARES_GETSOCK_MAXNUM);
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
    int got = poll(pfd, nfds, ms);
    if (got <= 0) {
        ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
        return;
    }
    for (nfds_t i = 0; i < nfds; i++) {
        if (!pfd[i].revents)
            continue;
        ares_socket_t rd = pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd : ARES_SOCKET_BAD;
        ares_socket_t wr = pfd[i].revents & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD;
        ares_process_fd(r->channel, rd, wr);
    }
}

/* Runs the window until every lookup has its final answer. The HTTPS queries get grace_s more
 * once the last address is known, then are cancelled (reported as timeouts): a resolver that
 * drops type 65 must not hold the whole sweep for its retries. */
static void run_window(run_t *r, double grace_s)
{
    double grace_ends = 0;
    for (;;) {
        if (stop_check && stop_check()) {
            r->stopped = true;
            return;
        }
        double now = net_now();
        if (grace_ends == 0 && r->left[OP_ADDR] == 0)
            grace_ends = now + grace_s;
        if (grace_ends > 0 && now >= grace_ends && !r->https_cancelled)
            cancel_https(r);
        fill(r, now);
        if (r->left[OP_ADDR] == 0 && r->left[OP_HTTPS] == 0)
            return;
        if (r->in_flight[OP_ADDR] + r->in_flight[OP_HTTPS] == 0 && r->nretries == 0)
            return; /* nothing can answer any more (never expected): the caller says "no answer" */
        process(r, wait_ms(r, now, grace_ends > 0 && !r->https_cancelled ? grace_ends : 0));
    }
}

/* Literal addresses need no DNS; the others are counted for the window. */
static size_t take_literals(endpoint_t *eps, size_t n)
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
    return pending;
}

/* One channel for the run: each query's timeout and tries are c-ares's (the second try waits
 * twice as long), /etc/hosts first, the --resolver if given. */
static int open_channel(ares_channel *channel, const options_t *opts, char *err, size_t errlen)
{
    struct ares_options ao = { 0 };
    ao.timeout = (int)(opts->timeout_s * 1000 / 2);
    ao.tries = 2;
    ao.lookups = (char *)"fb"; /* /etc/hosts first, then DNS */
    int rc = ares_init_options(channel, &ao, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
    if (rc != ARES_SUCCESS) {
        snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
        return -1;
    }
    if (opts->resolver) {
        rc = ares_set_servers_ports_csv(*channel, opts->resolver);
        if (rc != ARES_SUCCESS) {
            snprintf(err, errlen, "--resolver '%s': %s", opts->resolver, ares_strerror(rc));
            ares_destroy(*channel);
            return -1;
        }
    }
    return 0;
}

/* Which lookups there are: an address lookup for every name, an HTTPS query for most. */
static void plan(run_t *r, endpoint_t *eps)
{
    for (size_t i = 0; i < r->n; i++) {
        endpoint_t *ep = &eps[i];
        if (ep->addrlen || ep->status != ENDPOINT_OK)
            continue;
        lookup_t *lk = &r->lookups[i];
        lk->ep = ep;
        lk->run = r;
        r->left[OP_ADDR]++;
        /* No HTTPS query for --ip / ip: (the user keeps DNS out) nor for localhost names. */
        if (https_rr_wanted(ep->target->host) &&
            svcb_https_owner(ep->target->host, ep->target->port, lk->owner, sizeof lk->owner)) {
            lk->https_pending = 1;
            r->left[OP_HTTPS]++;
        }
    }
}

/* What the window leaves without an answer (never expected) is said so. */
static void finish(run_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        lookup_t *lk = &r->lookups[i];
        if (lk->ep && !lk->done && !r->stopped) {
            lk->ep->status = ENDPOINT_UNRESOLVED;
            snprintf(lk->ep->error, sizeof lk->ep->error, "cannot resolve '%s': no answer", lk->ep->target->host);
        }
        if (lk->ep && lk->ep->status == ENDPOINT_OK)
            set_port(lk->ep);
        if (lk->ep && lk->https_pending)
            lk->ep->dns_https = https_rr_result(lk->owner, "error", r->stopped ? "stopped before an answer" : "no answer");
    }
}

int resolve_endpoints(endpoint_t *eps, size_t n, const options_t *opts, char *err, size_t errlen)
{
    if (take_literals(eps, n) == 0)
        return 0;
    int rc = ares_library_init(ARES_LIB_INIT_ALL);
    if (rc != ARES_SUCCESS) {
        snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
        return -1;
    }
    run_t r = { .n = n, .lookups = calloc(n, sizeof(lookup_t)), .retries = calloc(n, sizeof(retry_t)) };
    if (!r.lookups || !r.retries) {
        snprintf(err, errlen, "out of memory");
        free(r.lookups);
        free(r.retries);
        ares_library_cleanup();
        return -1;
    }
    if (open_channel(&r.channel, opts, err, errlen) != 0) {
        free(r.lookups);
        free(r.retries);
        ares_library_cleanup();
        return -1;
    }
    plan(&r, eps);
    run_window(&r, opts->timeout_s);
    finish(&r);
    ares_destroy(r.channel); /* may still call back into lookups: free them after */
    free(r.lookups);
    free(r.retries);
    ares_library_cleanup();
    return 0;
}
