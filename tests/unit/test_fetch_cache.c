/* The run's fetch cache (src/http/fetch_cache.c) against a one-thread HTTP server on loopback
 * that counts the requests per path: eight threads asking for one URL at once make one fetch
 * and all get its answer; a failure is kept (asked once); POST bodies make different requests;
 * requests about the endpoint (connect_to) are never cached; the entry cap and the byte cap
 * hold, the least recently used result going first. And http_fetch under --per-host
 * (host_gate.h): a redirect's connection waits for its slot only after the first connection
 * closed (a transfer never holds one slot while waiting for another), a slot that stays busy
 * fails the fetch at its deadline as our pace, and the caller's own endpoint passes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fetch_cache.h"
#include "host_gate.h"
#include "net.h"
#include "unit_check.h"

#define PATHS 2048
#define THREADS 8

static int listener, listener2;
static int port, port2;
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
    if (strcmp(path, "/redir") == 0) {
        char head[160];
        int hl = snprintf(head, sizeof head, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:%d/target\r\n"
                          "Content-Length: 0\r\n\r\n", port2);
        send(fd, head, (size_t)hl, MSG_NOSIGNAL);
        /* Keep-alive: the connection stays open until the client closes it (or 5 s). */
        struct timeval tv = { .tv_sec = 5 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        while (recv(fd, buf, sizeof buf, 0) > 0)
            ;
        return;
    }
    if (strncmp(path, "/slow", 5) == 0)
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
    int lfd = *(int *)arg;
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
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

/* A fetch that one endpoint's deadline cut short says nothing of the server: the next endpoint,
 * with time of its own, fetches again and gets the answer. */
static void deadline_cut_not_kept(void)
{
    http_response_t resp;
    net_deadline_set(net_now() + 0.05);
    int rc = get("/slow-cut", &resp);
    net_deadline_set(0);
    check(rc != 0 && resp.cut_short, "a fetch its endpoint's deadline cut short fails, said so", "rc %d: %s", rc,
          resp.error);
    http_response_free(&resp);
    rc = get("/slow-cut", &resp);
    check(rc == 0 && resp.status == 200, "the next endpoint's fetch is made anew and answered", "rc %d: %s", rc,
          resp.error);
    check(requests("/slow-cut") == 2, "a cut-short failure is not kept", "%d requests", requests("/slow-cut"));
    http_response_free(&resp);
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

static char busy_key[HOST_GATE_KEY_MAX];

static void *release_later(void *arg)
{
    (void)arg;
    usleep(300000);
    host_gate_release(busy_key);
    return NULL;
}

static void per_host(void)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/redir", port);
    snprintf(busy_key, sizeof busy_key, "127.0.0.1:%d", port2);
    host_gate_set(1);
    host_gate_take(busy_key, 0);
    pthread_t th;
    pthread_create(&th, NULL, release_later, NULL);
    http_request_t req = { .url = url, .timeout_s = 10, .max_redirects = 3 };
    http_response_t resp;
    double t0 = net_now();
    int rc = http_fetch(&req, &resp);
    double took = net_now() - t0;
    pthread_join(th, NULL);
    check(rc == 0 && resp.status == 200 && resp.len == 7 && memcmp(resp.body, "/target", 7) == 0,
          "--per-host 1: a redirect to a busy address:port waits for its slot, then completes",
          "rc %d, status %ld: %s", rc, resp.status, resp.error);
    check(took >= 0.25, "--per-host 1: the redirect waited for the slot to be released", "took %.3f s", took);
    http_response_free(&resp);

    host_gate_take(busy_key, 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/target", port2);
    req = (http_request_t){ .url = url, .timeout_s = 0.3 };
    rc = http_fetch(&req, &resp);
    check(rc != 0 && resp.slot_missed && resp.timed_out && !resp.refused &&
              strstr(resp.error, "no connection slot under --per-host before the deadline"),
          "--per-host 1: a slot busy past the deadline fails the fetch as our pace, a timeout",
          "rc %d, slot_missed %d, timed_out %d: %s", rc, resp.slot_missed, resp.timed_out, resp.error);
    http_response_free(&resp);
    req.gate_exempt = busy_key;
    rc = http_fetch(&req, &resp);
    check(rc == 0 && resp.status == 200, "--per-host 1: the caller's own endpoint passes the gate",
          "rc %d: %s", rc, resp.error);
    http_response_free(&resp);
    host_gate_release(busy_key);
    host_gate_set(0);
}

/* A listener on an ephemeral loopback port served by its own thread; the port, or -1. */
static int start_server(int *lfd)
{
    *lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    if (*lfd < 0 || bind(*lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(*lfd, 64) != 0 ||
        getsockname(*lfd, (struct sockaddr *)&a, &alen) != 0)
        return -1;
    pthread_t srv;
    pthread_create(&srv, NULL, server, lfd);
    pthread_detach(srv);
    return ntohs(a.sin_port);
}

int main(void)
{
    port = start_server(&listener);
    port2 = start_server(&listener2);
    if (port < 0 || port2 < 0) {
        check(0, "two loopback listeners", "socket/bind/listen failed");
        return 1;
    }
    per_host();
    coalesced();
    failures_kept();
    deadline_cut_not_kept();
    post_bodies_and_endpoint_requests();
    caps();
    fetch_cache_free();
    size_t entries, bytes;
    fetch_cache_usage(&entries, &bytes);
    check(entries == 0 && bytes == 0, "freed: nothing held", "%zu entries, %zu bytes", entries, bytes);
    http_global_cleanup();
    return failures ? 1 : 0;
}
