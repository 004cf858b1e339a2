/* The run's cache of third-party fetches (fetch_cache.h): a list of entries under one mutex,
 * each a request's key and, once its fetch ended, a copy of the response. The fetch itself runs
 * outside the mutex; requests for the same key meanwhile wait on a condition variable. */
#include "fetch_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net.h"

typedef struct entry {
    uint64_t hash;
    char *key;
    size_t keylen;
    bool done;           /* the fetch ended: rc and resp hold its result */
    bool kept;           /* served to later requests; false: only to those already waiting */
    int waiters;         /* requests waiting for it or copying it: not freed meanwhile */
    int rc;
    http_response_t resp;
    size_t bytes;        /* counted against FETCH_CACHE_MAX_BYTES */
    uint64_t used;       /* when last served (a tick of the cache) */
    struct entry *next;
} entry_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;            /* a fetch ended */
static pthread_once_t cv_once = PTHREAD_ONCE_INIT;
static entry_t *entries;
static size_t nentries, nbytes;
static uint64_t tick;

static void init_cv(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);  /* deadlines are net_now() times */
    pthread_cond_init(&cv, &a);
    pthread_condattr_destroy(&a);
}

static bool cacheable(const http_request_t *req)
{
    return !req->connect_to && !req->client_cert_file && !req->any_tls && !req->headers_only &&
           !req->gate_exempt;
}

/* Everything that makes two requests the same, in one buffer. */
static char *make_key(const http_request_t *req, size_t *len)
{
    char head[200];
    int n = snprintf(head, sizeof head, "%s\n%zu\n%d\n%d\n%s\n", req->post_body ? "POST" : "GET",
                     req->max_bytes, req->max_redirects, req->insecure_tls,
                     req->content_type ? req->content_type : "");
    size_t ulen = strlen(req->url), blen = req->post_body ? req->post_len : 0;
    if (n < 0 || (size_t)n >= sizeof head)
        return NULL;
    char *key = malloc((size_t)n + ulen + 1 + blen + 1);
    if (!key)
        return NULL;
    memcpy(key, head, (size_t)n);
    memcpy(key + n, req->url, ulen);
    key[(size_t)n + ulen] = '\n';
    if (blen)
        memcpy(key + n + ulen + 1, req->post_body, blen);
    *len = (size_t)n + ulen + 1 + blen;
    return key;
}

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 1099511628211ULL;
    return h;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* A deep copy of src into dst; false when out of memory (dst then freeable). */
static bool copy_response(http_response_t *dst, const http_response_t *src)
{
    *dst = *src;
    if (!src->body)
        dst->len = 0;
    dst->body = malloc(dst->len + 1);
    if (dst->body) {
        if (dst->len)
            memcpy(dst->body, src->body, dst->len);
        dst->body[dst->len] = '\0';
    }
    dst->headers = strdup(src->headers ? src->headers : "");
    dst->effective_url = dup_or_null(src->effective_url);
    dst->redirect_url = dup_or_null(src->redirect_url);
    return dst->body && dst->headers && (!src->effective_url || dst->effective_url) &&
           (!src->redirect_url || dst->redirect_url);
}

static size_t response_bytes(const http_response_t *r)
{
    return r->len + 1 + (r->headers ? strlen(r->headers) + 1 : 0) +
           (r->effective_url ? strlen(r->effective_url) + 1 : 0) +
           (r->redirect_url ? strlen(r->redirect_url) + 1 : 0);
}

/* Called with mu held. Unlinks e and frees it. */
static void drop(entry_t *e)
{
    for (entry_t **p = &entries; *p; p = &(*p)->next)
        if (*p == e) {
            *p = e->next;
            break;
        }
    nentries--;
    nbytes -= e->bytes;
    free(e->key);
    http_response_free(&e->resp);
    free(e);
}

/* Called with mu held. Frees the least recently used finished result nobody is reading (not
 * keep itself); false when there is none. */
static bool evict_one(const entry_t *keep)
{
    entry_t *lru = NULL;
    for (entry_t *e = entries; e; e = e->next)
        if (e != keep && e->done && e->waiters == 0 && (!lru || e->used < lru->used))
            lru = e;
    if (lru)
        drop(lru);
    return lru != NULL;
}

static entry_t *find(uint64_t hash, const char *key, size_t keylen)
{
    for (entry_t *e = entries; e; e = e->next)
        if (e->kept && e->hash == hash && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
            return e;
    return NULL;
}

/* Called with mu held: a new entry in progress, owning key; NULL when the cache cannot take it. */
static entry_t *insert(uint64_t hash, char *key, size_t keylen)
{
    while ((nentries >= FETCH_CACHE_MAX_ENTRIES || nbytes + keylen > FETCH_CACHE_MAX_BYTES) && evict_one(NULL))
        ;
    entry_t *e = nentries < FETCH_CACHE_MAX_ENTRIES && nbytes + keylen <= FETCH_CACHE_MAX_BYTES
                     ? calloc(1, sizeof *e) : NULL;
    if (!e)
        return NULL;
    *e = (entry_t){ .hash = hash, .key = key, .keylen = keylen, .kept = true, .waiters = 1,
                    .bytes = keylen, .used = ++tick, .next = entries };
    entries = e;
    nentries++;
    nbytes += keylen;
    return e;
}

/* Called with mu held, by a request that holds one of e's waiters: the result copied into
 * resp, and the hold given back (the entry freed if it is no longer kept and nobody else
 * needs it). */
static int serve(entry_t *e, http_response_t *resp)
{
    int rc = e->rc;
    e->used = ++tick;
    if (!copy_response(resp, &e->resp)) {
        http_response_free(resp);
        memset(resp, 0, sizeof *resp);
        snprintf(resp->error, sizeof resp->error, "out of memory");
        rc = -1;
    }
    if (--e->waiters == 0 && !e->kept)
        drop(e);
    return rc;
}

/* A failure to keep: the server's (refused, timed out, an error status is no failure at all),
 * never our own (no slot under --rate/--per-host, an endpoint's deadline that cut the transfer
 * short, out of memory). */
static bool worth_keeping(int rc, const http_response_t *r)
{
    return rc == 0 || (!r->slot_missed && !r->cut_short && strcmp(r->error, "out of memory") != 0);
}

/* Called with mu held, by the request that fetched for e: stores its result. */
static void complete(entry_t *e, int rc, const http_response_t *got)
{
    e->rc = rc;
    e->done = true;
    e->kept = worth_keeping(rc, got) && copy_response(&e->resp, got);
    if (e->kept) {
        size_t more = response_bytes(&e->resp);
        while (nbytes + more > FETCH_CACHE_MAX_BYTES && evict_one(e))
            ;
        e->kept = nbytes + more <= FETCH_CACHE_MAX_BYTES;
        if (e->kept) {
            e->bytes += more;
            nbytes += more;
        }
    }
    if (!e->kept) {
        /* Those already waiting still get this result: a copy they can take. */
        http_response_free(&e->resp);
        if (!copy_response(&e->resp, got)) {
            e->rc = -1;
            snprintf(e->resp.error, sizeof e->resp.error, "out of memory");
        }
    }
    pthread_cond_broadcast(&cv);
}

/* Called with mu held: waits for e's fetch until deadline; false when it did not end by then. */
static bool wait_done(entry_t *e, double deadline)
{
    struct timespec until = { .tv_sec = (time_t)deadline,
                              .tv_nsec = (long)((deadline - (double)(time_t)deadline) * 1e9) };
    if (until.tv_nsec >= 1000000000L)
        until.tv_nsec = 999999999L;
    while (!e->done && net_now() < deadline)
        pthread_cond_timedwait(&cv, &mu, &until);
    return e->done;
}

int fetch_cached(const http_request_t *req, http_response_t *resp)
{
    size_t keylen = 0;
    char *key = cacheable(req) ? make_key(req, &keylen) : NULL;
    if (!key)
        return http_fetch(req, resp);
    pthread_once(&cv_once, init_cv);
    double deadline = net_now() + net_bounded(req->timeout_s);   /* this endpoint's deadline too */
    uint64_t hash = fnv1a(key, keylen);
    pthread_mutex_lock(&mu);
    entry_t *e = find(hash, key, keylen);
    if (e) {
        free(key);
        e->waiters++;
        if (!wait_done(e, deadline)) {
            if (--e->waiters == 0 && !e->kept)
                drop(e);
            pthread_mutex_unlock(&mu);
            memset(resp, 0, sizeof *resp);
            resp->timed_out = true;
            snprintf(resp->error, sizeof resp->error,
                     "no response within the deadline (the same fetch, asked by another probe, is in progress)");
            return -1;
        }
        if (e->rc != 0 && e->resp.cut_short) {
            /* The fetch failed for lack of its endpoint's time, not this one's: ask anew. */
            if (--e->waiters == 0 && !e->kept)
                drop(e);
            pthread_mutex_unlock(&mu);
            return http_fetch(req, resp);
        }
        int rc = serve(e, resp);
        pthread_mutex_unlock(&mu);
        return rc;
    }
    e = insert(hash, key, keylen);
    pthread_mutex_unlock(&mu);
    if (!e) {
        free(key);
        return http_fetch(req, resp);
    }
    int rc = http_fetch(req, resp);
    pthread_mutex_lock(&mu);
    complete(e, rc, resp);
    if (--e->waiters == 0 && !e->kept)
        drop(e);
    pthread_mutex_unlock(&mu);
    return rc;
}

void fetch_cache_usage(size_t *entries, size_t *bytes)
{
    pthread_mutex_lock(&mu);
    *entries = nentries;
    *bytes = nbytes;
    pthread_mutex_unlock(&mu);
}

void fetch_cache_free(void)
{
    pthread_mutex_lock(&mu);
    while (entries)
        drop(entries);
    pthread_mutex_unlock(&mu);
}
