/* The run's fetch cache (src/http/fetch_cache.c) against a one-thread HTTP server on loopback
 * that counts the requests per path: eight threads asking for one URL at once make one fetch
 * and all get its answer; a failure is kept (asked once); POST bodies make different requests;
 * requests about the endpoint (connect_to) are never cached; the entry cap and the byte cap
 * hold, the least recently used result going first. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fetch_cache.h"
#include "unit_check.h"

#define PATHS 2048
#define THREADS 8

static int listener;
static int port;
static char seen_path[PATHS][64];
static int seen_count[PATHS];
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;

static void count_path(const char *path)
{
    pthread_mutex_lock(&seen_mu);
    for (int i = 0; i < PATHS; i++)
        if (!seen_path[i][0] || strcmp(seen_path[i], path) == 0) {
            snprintf(seen_path[i], sizeof seen_path[i], "%s", path);
            seen_count[i]++;
            break;
        }
    pthread_mutex_unlock(&seen_mu);
}

static int requests(const char *path)
{
    int n = 0;
    pthread_mutex_lock(&seen_mu);
    for (int i = 0; i < PATHS && seen_path[i][0]; i++)
        if (strcmp(seen_path[i], path) == 0)
            n = seen_count[i];
    pthread_mutex_unlock(&seen_mu);
    return n;
}

/* One request: the head (and a POST's body, by Content-Length); "/close" is left unanswered,
 * "/slow" answered after 0.2 s, "/big/N" with N bytes, anything else with its path. */
static void serve_one(int fd)
{
    static char buf[65536];
    size_t len = 0;
    char *end = NULL;
    while (len + 1 < sizeof buf && !end) {
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            return;
        len += (size_t)n;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    char method[8] = "", path[64] = "";
    if (!end || sscanf(buf, "%7s %63s", method, path) != 2)
        return;
    const char *cl = strcasestr(buf, "Content-Length:");
    size_t want = cl ? strtoul(cl + 15, NULL, 10) : 0, have = len - (size_t)(end + 4 - buf);
    while (have < want) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return;
        have += (size_t)n;
    }
    count_path(path);
    if (strcmp(path, "/close") == 0)
        return;
    if (strcmp(path, "/slow") == 0)
        usleep(200000);
    size_t body = strncmp(path, "/big/", 5) == 0 ? strtoul(path + 5, NULL, 10) : strlen(path);
    char head[128];
    int hl = snprintf(head, sizeof head, "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n", body);
    send(fd, head, (size_t)hl, MSG_NOSIGNAL);
    static char fill[65536];
    memset(fill, 'x', sizeof fill);
    if (strncmp(path, "/big/", 5) != 0)
        send(fd, path, body, MSG_NOSIGNAL);
    for (size_t sent = 0; strncmp(path, "/big/", 5) == 0 && sent < body;) {
        size_t k = body - sent < sizeof fill ? body - sent : sizeof fill;
        ssize_t n = send(fd, fill, k, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
}

static void *server(void *arg)
{
    (void)arg;
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0)
            return NULL;
        serve_one(fd);
        close(fd);
    }
}

static int get(const char *path, http_response_t *resp)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    http_request_t req = { .url = url, .timeout_s = 10 };
    return fetch_cached(&req, resp);
}

static void *concurrent_get(void *arg)
{
    http_response_t resp;
    int rc = get("/slow", &resp);
    *(int *)arg = rc == 0 && resp.status == 200 && resp.len == 5 && memcmp(resp.body, "/slow", 5) == 0;
    http_response_free(&resp);
    return NULL;
}

static void coalesced(void)
{
    pthread_t th[THREADS];
    int good[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, concurrent_get, &good[i]);
    int all = 1;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        all &= good[i];
    }
    check(all, "8 threads at once: each gets the answer", "");
    check(requests("/slow") == 1, "8 threads at once: one fetch", "%d requests", requests("/slow"));
}

static void failures_kept(void)
{
    char first[256] = "";
    int same = 1, failed = 1;
    for (int i = 0; i < 3; i++) {
        http_response_t resp;
        failed &= get("/close", &resp) != 0;
        if (i == 0)
            snprintf(first, sizeof first, "%s", resp.error);
        same &= first[0] && strcmp(first, resp.error) == 0;
        http_response_free(&resp);
    }
    check(failed && same, "a failed fetch fails the same way every time", "first error: %s", first);
    check(requests("/close") == 1, "a failed fetch is made once", "%d requests", requests("/close"));
}

static void post_bodies_and_endpoint_requests(void)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/post", port);
    const char *bodies[] = { "one", "two", "one" };
    for (int i = 0; i < 3; i++) {
        http_request_t req = { .url = url, .timeout_s = 10, .post_body = bodies[i], .post_len = 3,
                               .content_type = "application/ocsp-request" };
        http_response_t resp;
        fetch_cached(&req, &resp);
        http_response_free(&resp);
    }
    check(requests("/post") == 2, "POST: one fetch per body", "%d requests", requests("/post"));
    char pin[64];
    snprintf(pin, sizeof pin, "::127.0.0.1:%d", port);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/pinned", port);
    for (int i = 0; i < 2; i++) {
        http_request_t req = { .url = url, .timeout_s = 10, .connect_to = pin };
        http_response_t resp;
        fetch_cached(&req, &resp);
        http_response_free(&resp);
    }
    check(requests("/pinned") == 2, "a request about the endpoint (connect_to) is never cached", "%d requests",
          requests("/pinned"));
}

static void caps(void)
{
    size_t entries = 0, bytes = 0, most = 0;
    char path[64];
    http_response_t resp;
    for (int i = 0; i < FETCH_CACHE_MAX_ENTRIES + 76; i++) {
        snprintf(path, sizeof path, "/n/%d", i);
        get(path, &resp);
        http_response_free(&resp);
        fetch_cache_usage(&entries, &bytes);
        most = entries > most ? entries : most;
    }
    check(most <= FETCH_CACHE_MAX_ENTRIES, "never more entries than the cap", "%zu", most);
    get("/n/0", &resp);
    http_response_free(&resp);
    snprintf(path, sizeof path, "/n/%d", FETCH_CACHE_MAX_ENTRIES + 75);
    get(path, &resp);
    http_response_free(&resp);
    check(requests("/n/0") == 2 && requests(path) == 1, "the least recently used result went first",
          "/n/0: %d, %s: %d", requests("/n/0"), path, requests(path));
    size_t most_bytes = 0;
    int big_ok = 1;
    for (int i = 0; i < 20; i++) {
        snprintf(path, sizeof path, "/big/%d", 1000000 + i);
        big_ok &= get(path, &resp) == 0 && resp.len == (size_t)(1000000 + i);
        http_response_free(&resp);
        fetch_cache_usage(&entries, &bytes);
        most_bytes = bytes > most_bytes ? bytes : most_bytes;
    }
    check(big_ok, "20 answers of 1 MB each come whole", "");
    check(most_bytes <= FETCH_CACHE_MAX_BYTES, "never more bytes than the cap", "%zu", most_bytes);
}

int main(void)
{
    listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof a) != 0 || listen(listener, 64) != 0 ||
        getsockname(listener, (struct sockaddr *)&a, &alen) != 0) {
        check(0, "a loopback listener", "socket/bind/listen failed");
        return 1;
    }
    port = ntohs(a.sin_port);
    pthread_t srv;
    pthread_create(&srv, NULL, server, NULL);
    pthread_detach(srv);
    coalesced();
    failures_kept();
    post_bodies_and_endpoint_requests();
    caps();
    fetch_cache_free();
    size_t entries, bytes;
    fetch_cache_usage(&entries, &bytes);
    check(entries == 0 && bytes == 0, "freed: nothing held", "%zu entries, %zu bytes", entries, bytes);
    http_global_cleanup();
    return failures ? 1 : 0;
}
