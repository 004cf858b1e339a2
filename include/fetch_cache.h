/* Third-party fetches (OCSP responses, CRLs, AIA caIssuers certificates) made once per run:
 * a thousand certificates of one CA cost one CRL download, and endpoints serving the same
 * certificate one OCSP query. A request is the same when its method, URL, body, content type
 * and bounds are; a second request for a fetch in progress waits for its result (until its
 * own deadline) instead of fetching again. Failures are kept too (a dead server is asked once
 * per run), except a fetch that found no connection slot (--rate, --per-host) before its
 * deadline: that was our pace, and the next request may ask again.
 *
 * Bounded: at most FETCH_CACHE_MAX_ENTRIES results and FETCH_CACHE_MAX_BYTES of URLs, bodies
 * and headers; the least recently used finished result goes first. A request that finds the
 * cache full of fetches in progress is fetched without the cache. Thread-safe. */
#ifndef TLSPROBE_FETCH_CACHE_H
#define TLSPROBE_FETCH_CACHE_H

#include "http_fetch.h"

#define FETCH_CACHE_MAX_ENTRIES 1024
#define FETCH_CACHE_MAX_BYTES (16 * 1024 * 1024)

/* http_fetch through the cache: the same return value and response (a copy: free it with
 * http_response_free). Only for requests that say nothing about the endpoint probed (no
 * connect_to, client certificate, any_tls or headers_only); others are fetched as they are. */
int fetch_cached(const http_request_t *req, http_response_t *resp);

/* What the cache holds now: results (finished or in progress) and bytes counted against the cap. */
void fetch_cache_usage(size_t *entries, size_t *bytes);

/* At exit, once no other thread fetches: frees every result. */
void fetch_cache_free(void);

#endif
