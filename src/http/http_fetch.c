/* libcurl, bounded: a response larger than the cap is an error, not a memory problem.
 *
 * libcurl is loaded on first use (dlopen of its stable soname), not linked: it brings some
 * thirty shared libraries (GnuTLS, Kerberos, LDAP, SSH...) whose loading costs about 3 ms of
 * every start, and most runs (enumeration, --offline, --list-ciphers) never make an HTTP
 * request. Every call goes through the table below. */
#include "http_fetch.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "host_gate.h"
#include "net.h"
#include "net_rate.h"

#define HEADERS_MAX (32 * 1024)

typedef struct sink {
    uint8_t *buf;
    size_t len, cap, max;
    bool overflow;
    bool out_of_memory;
} sink_t;

static size_t sink_write(sink_t *s, const char *data, size_t n)
{
    if (s->len + n > s->max) {
        s->overflow = true;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n + 1)
            cap *= 2;
        uint8_t *b = realloc(s->buf, cap);
        if (!b) {
            s->out_of_memory = true;
            return 0;
        }
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    return sink_write(arg, data, size * nmemb);
}

typedef struct header_sink {
    sink_t s;
    bool stop_at_end;   /* headers_only: abort the transfer once a final response's headers end */
    bool complete;      /* they did: the abort is ours, not an error */
} header_sink_t;

/* The status code of the response whose headers start the block (0 if unreadable). */
static long block_status(const sink_t *s)
{
    const char *sp = s->buf ? memchr(s->buf, ' ', s->len) : NULL;
    return sp ? strtol(sp + 1, NULL, 10) : 0;
}

/* Keeps only the last response's headers: a new status line starts a new block. A block over
 * the cap aborts the transfer (a server that sends headers without end). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    header_sink_t *h = arg;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
        h->s.len = 0;
    if (sink_write(&h->s, data, n) != n)
        return 0;
    /* The blank line ends a response's headers; a 1xx (100, 103) is followed by another. */
    bool blank = (n == 2 && data[0] == '\r' && data[1] == '\n') || (n == 1 && data[0] == '\n');
    long status = blank && h->stop_at_end ? block_status(&h->s) : 0;
    if (status >= 200) {
        h->complete = true;
        return 0;   /* makes curl stop with CURLE_WRITE_ERROR before the body */
    }
    return n;
}

/* The gates every curl connection passes. --rate (net_rate.h): the transfer's first connection
 * takes its slot before curl_easy_perform, so the wait does not eat the transfer's deadline (as
 * net_connect's does not eat the connect's); any further one (a redirect to another host, a
 * second address family) takes one in curl's socket callback, and a slot that would come after
 * the transfer's deadline fails that connection as a timeout. --per-host (host_gate.h): each
 * connection takes a slot for the address:port curl resolved, inside the transfer's deadline,
 * and gives it back when curl closes the socket. A transfer waits only while it holds no slot:
 * a second socket while one is open (happy eyeballs) takes a free slot or is not opened, and
 * connections are not kept for reuse, so a redirect's connection opens after the previous one
 * closed. */
#define GATE_SOCKETS 4

typedef struct conn_gate {
    bool prepaid;       /* the first connection's --rate slot is taken */
    double deadline;    /* net_now() time the transfer must end by */
    bool missed;        /* a connection was not made: its --rate slot came too late */
    bool host_missed;   /* a connection was not made: no --per-host slot before the deadline */
    bool host_skipped;  /* an address was not tried: its --per-host slots were busy */
    const char *exempt; /* host_gate_key the caller's own probe slot covers, or NULL */
    struct {
        curl_socket_t fd;
        char key[HOST_GATE_KEY_MAX];
    } open[GATE_SOCKETS]; /* sockets holding a --per-host slot */
    int nopen;
} conn_gate_t;

/* Takes the --per-host slot of the address curl is about to connect to; true when it may. */
static bool take_host_slot(conn_gate_t *g, const struct curl_sockaddr *a, char *key, bool *gated)
{
    *gated = host_gate_limited() &&
             host_gate_key(&a->addr, a->addrlen, key) && !(g->exempt && strcmp(key, g->exempt) == 0);
    if (!*gated)
        return true;
    if (g->nopen > 0) {
        /* curl goes on with the open one; if that fails too, nothing is known of this address */
        bool got = g->nopen < GATE_SOCKETS && host_gate_try(key);
        g->host_skipped |= !got;
        return got;
    }
    bool got = host_gate_take(key, g->deadline);
    g->host_missed |= !got;
    return got;
}

static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    conn_gate_t *g = arg;
    if (purpose != CURLSOCKTYPE_IPCXN)
        return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    char key[HOST_GATE_KEY_MAX];
    bool gated;
    if (!take_host_slot(g, a, key, &gated))
        return CURL_SOCKET_BAD;
    bool paced = true;
    if (g->prepaid)
        g->prepaid = false;
    else if (net_rate_limited() && !net_rate_take(g->deadline))
        paced = false;
    curl_socket_t fd = paced ? socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol) : CURL_SOCKET_BAD;
    g->missed |= !paced;
    if (gated && fd == CURL_SOCKET_BAD) {
        host_gate_release(key);
    } else if (gated) {
        g->open[g->nopen].fd = fd;
        memcpy(g->open[g->nopen].key, key, sizeof key);
        g->nopen++;
    }
    return fd;
}

/* Called with the socket's slot index i: forgets it and gives the slot back. */
static void release_open(conn_gate_t *g, int i)
{
    host_gate_release(g->open[i].key);
    g->open[i] = g->open[--g->nopen];
}

static int close_socket(void *arg, curl_socket_t fd)
{
    conn_gate_t *g = arg;
    int rc = close(fd);
    for (int i = 0; i < g->nopen; i++)
        if (g->open[i].fd == fd) {
            release_open(g, i);
            break;
        }
    return rc;
}

/* The soname of the libcurl whose headers we build with (libcurl4-openssl-dev). */
#define LIBCURL_SONAME "libcurl.so.4"

static struct curl_api {
    CURLcode (*global_init)(long);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *(*easy_strerror)(CURLcode);
    void (*easy_cleanup)(CURL *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    void (*release)(void *);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *);
    CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
    CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
} curl;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static bool curl_loaded;
static char curl_load_error[200];

/* Resolves one symbol into a function pointer (POSIX's way round ISO C's object/function
 * pointer rule). */
static bool resolve(void *lib, const char *name, void *fn_ptr)
{
    void *sym = dlsym(lib, name);
    if (!sym) {
        snprintf(curl_load_error, sizeof curl_load_error, "%s has no %s", LIBCURL_SONAME, name);
        return false;
    }
    memcpy(fn_ptr, &sym, sizeof sym);
    return true;
}

static void load_curl(void)
{
    void *lib = dlopen(LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(curl_load_error, sizeof curl_load_error, "cannot load %s: %s", LIBCURL_SONAME,
                 why ? why : "unknown error");
        return;
    }
    bool ok = resolve(lib, "curl_global_init", &curl.global_init) &&
              resolve(lib, "curl_global_cleanup", &curl.global_cleanup) &&
              resolve(lib, "curl_easy_init", &curl.easy_init) &&
              resolve(lib, "curl_easy_setopt", &curl.easy_setopt) &&
              resolve(lib, "curl_easy_perform", &curl.easy_perform) &&
              resolve(lib, "curl_easy_getinfo", &curl.easy_getinfo) &&
              resolve(lib, "curl_easy_strerror", &curl.easy_strerror) &&
              resolve(lib, "curl_easy_cleanup", &curl.easy_cleanup) &&
              resolve(lib, "curl_slist_append", &curl.slist_append) &&
              resolve(lib, "curl_slist_free_all", &curl.slist_free_all) &&
              resolve(lib, "curl_free", &curl.release) &&
              resolve(lib, "curl_url", &curl.url) &&
              resolve(lib, "curl_url_cleanup", &curl.url_cleanup) &&
              resolve(lib, "curl_url_set", &curl.url_set) &&
              resolve(lib, "curl_url_get", &curl.url_get);
    /* libcurl >= 7.84 initialises thread-safely; pthread_once keeps it to one call anyway. */
    if (ok && curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(curl_load_error, sizeof curl_load_error, "libcurl failed to initialise");
        ok = false;
    }
    curl_loaded = ok;
    /* The library stays loaded until exit: unloading it under running threads gains nothing. */
}

/* Whether libcurl can be used; err says why not. */
static bool curl_ready(char *err, size_t errlen)
{
    pthread_once(&curl_once, load_curl);
    if (!curl_loaded && err)
        snprintf(err, errlen, "%s", curl_load_error);
    return curl_loaded;
}

void http_global_cleanup(void)
{
    if (curl_loaded)
        curl.global_cleanup();
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Probing is not trusting: whatever the server speaks, from TLS 1.0 up (OpenSSL 3 allows TLS
 * 1.0 and 1.1 only at security level 0), every suite below TLS 1.3 OpenSSL has and the five
 * TLS 1.3 ones, whatever openssl.cnf says. curl's own minimum applies over the config's. */
static void allow_any_tls(CURL *c)
{
    curl.easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_0);
    curl.easy_setopt(c, CURLOPT_SSL_CIPHER_LIST, "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
    curl.easy_setopt(c, CURLOPT_TLS13_CIPHERS, "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
                                               "TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:"
                                               "TLS_AES_128_CCM_8_SHA256");
}

/* A 3xx response's Location resolved against the request URL (RFC 3986 5.2, by curl's URL
 * parser, as curl does when it completes a transfer), or NULL. */
static char *resolve_location(const http_response_t *resp)
{
    char loc[8192];
    if (resp->status < 300 || resp->status > 399 || !resp->effective_url ||
        !http_header(resp, "Location", loc, sizeof loc) || !loc[0] || strlen(loc) + 1 >= sizeof loc)
        return NULL;
    CURLU *u = curl.url();
    char *abs = NULL, *out = NULL;
    if (u && curl.url_set(u, CURLUPART_URL, resp->effective_url, 0) == CURLUE_OK &&
        curl.url_set(u, CURLUPART_URL, loc, CURLU_ALLOW_SPACE) == CURLUE_OK &&
        curl.url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
        out = strdup(abs);
    curl.release(abs);
    curl.url_cleanup(u);
    return out;
}

int http_fetch(const http_request_t *req, http_response_t *resp)
{
    memset(resp, 0, sizeof *resp);
    sink_t body = { .max = req->max_bytes ? req->max_bytes : HTTP_DEFAULT_MAX_BYTES };
    header_sink_t headers = { .s = { .max = HEADERS_MAX },
                              .stop_at_end = req->headers_only && req->max_redirects <= 0 };
    if (!curl_ready(resp->error, sizeof resp->error))
        return -1;
    CURL *c = curl.easy_init();
    if (!c) {
        snprintf(resp->error, sizeof resp->error, "cannot initialise libcurl");
        return -1;
    }
    /* At least 1 ms: libcurl reads 0 as "no timeout", and every transfer must have a deadline. */
    double allowed = net_bounded(req->timeout_s);   /* the endpoint's deadline too */
    resp->cut_short = allowed < req->timeout_s;
    long timeout_ms = (long)(allowed * 1000.0);
    if (timeout_ms < 1)
        timeout_ms = 1;
    struct curl_slist *hdrs = NULL, *connect_to = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    curl.easy_setopt(c, CURLOPT_URL, req->url);
    curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl.easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl.easy_setopt(c, CURLOPT_HEADERDATA, &headers);
    curl.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl.easy_setopt(c, CURLOPT_USERAGENT, "tlsprobe");
    curl.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)body.max);
    if (req->max_redirects > 0) {
        curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl.easy_setopt(c, CURLOPT_MAXREDIRS, (long)req->max_redirects);
    }
    if (req->insecure_tls) {
        curl.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (req->any_tls)
        allow_any_tls(c);
    if (req->connect_to) {
        connect_to = curl.slist_append(NULL, req->connect_to);
        curl.easy_setopt(c, CURLOPT_CONNECT_TO, connect_to);
        /* A pinned request goes to that address and nowhere else, whatever *_proxy says. */
        curl.easy_setopt(c, CURLOPT_NOPROXY, "*");
    }
    if (req->client_cert_file) {
        curl.easy_setopt(c, CURLOPT_SSLCERT, req->client_cert_file);
        curl.easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
        curl.easy_setopt(c, CURLOPT_SSLKEY, req->client_key_file ? req->client_key_file : req->client_cert_file);
    }
    if (req->post_body) {
        curl.easy_setopt(c, CURLOPT_POST, 1L);
        curl.easy_setopt(c, CURLOPT_POSTFIELDS, req->post_body);
        curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->post_len);
        if (req->content_type) {
            char h[200];
            snprintf(h, sizeof h, "Content-Type: %s", req->content_type);
            hdrs = curl.slist_append(hdrs, h);
        }
        hdrs = curl.slist_append(hdrs, "Expect:");
        curl.easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    }

    conn_gate_t gate = { .exempt = req->gate_exempt };
    if (net_rate_limited() || host_gate_limited()) {
        gate.prepaid = net_rate_limited() && net_rate_take(0);
        gate.deadline = net_now() + (double)timeout_ms / 1000.0;
        curl.easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
        curl.easy_setopt(c, CURLOPT_OPENSOCKETDATA, &gate);
        curl.easy_setopt(c, CURLOPT_CLOSESOCKETFUNCTION, close_socket);
        curl.easy_setopt(c, CURLOPT_CLOSESOCKETDATA, &gate);
        curl.easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    }
    CURLcode rc = curl.easy_perform(c);
    double total = 0;
    char *eff = NULL, *redirect = NULL;
    curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    curl.easy_getinfo(c, CURLINFO_TOTAL_TIME, &total);
    curl.easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
    curl.easy_getinfo(c, CURLINFO_REDIRECT_URL, &redirect);
    resp->elapsed_s = total;
    curl_off_t connected_at = 0;
    curl.easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connected_at);
    if (rc == CURLE_WRITE_ERROR && headers.complete)
        rc = CURLE_OK;   /* our stop after the headers (headers_only) */
    resp->connect_failed = rc == CURLE_COULDNT_CONNECT ||
                           (rc == CURLE_OPERATION_TIMEDOUT && connected_at == 0);
    bool slot_missed = rc == CURLE_COULDNT_CONNECT && (gate.missed || gate.host_missed || gate.host_skipped);
    resp->timed_out = rc == CURLE_OPERATION_TIMEDOUT || slot_missed;
    resp->slot_missed = slot_missed || (rc == CURLE_OPERATION_TIMEDOUT && gate.host_missed);
    long os_errno = 0;
    curl.easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
    resp->refused = rc == CURLE_COULDNT_CONNECT && os_errno == ECONNREFUSED;
    /* Bytes curl cannot read as HTTP, or HTTP/0.9 (any bytes). A close with no reply at all is
     * not among them: web servers do that too (nginx's `return 444`). */
    resp->not_http = rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_UNSUPPORTED_PROTOCOL;
    resp->effective_url = dup_or_null(eff);
    resp->headers = headers.s.buf ? (char *)headers.s.buf : calloc(1, 1);
    /* curl works the Location out only for a transfer it completes; after our stop, we do. */
    resp->redirect_url = redirect ? strdup(redirect) : rc == CURLE_OK ? resolve_location(resp) : NULL;
    if (rc != CURLE_OK) {
        if (body.out_of_memory || headers.s.out_of_memory)
            snprintf(resp->error, sizeof resp->error, "out of memory");
        else if (headers.s.overflow)
            snprintf(resp->error, sizeof resp->error, "response headers larger than %d bytes", HEADERS_MAX);
        else if ((gate.host_missed || gate.host_skipped) && resp->slot_missed)
            snprintf(resp->error, sizeof resp->error, "no connection slot under --per-host before the deadline");
        else if (gate.missed && rc == CURLE_COULDNT_CONNECT)
            snprintf(resp->error, sizeof resp->error, "no connection slot under --rate before the deadline");
        else if (body.overflow || rc == CURLE_FILESIZE_EXCEEDED)
            snprintf(resp->error, sizeof resp->error, "response larger than %zu bytes", body.max);
        else
            snprintf(resp->error, sizeof resp->error, "%s", errbuf[0] ? errbuf : curl.easy_strerror(rc));
    }
    resp->not_tls = rc == CURLE_SSL_CONNECT_ERROR && strstr(resp->error, "wrong version number");
    resp->tls_failed = rc == CURLE_SSL_CONNECT_ERROR || (rc == CURLE_RECV_ERROR && strstr(resp->error, " alert "));
    resp->body = body.buf ? body.buf : calloc(1, 1);
    resp->len = body.len;
    curl.slist_free_all(hdrs);
    curl.slist_free_all(connect_to);
    curl.easy_cleanup(c);
    while (gate.nopen > 0)
        release_open(&gate, 0); /* closed without our callback: the slot must not stay taken */
    return rc == CURLE_OK ? 0 : -1;
}

void http_response_free(http_response_t *resp)
{
    free(resp->body);
    free(resp->headers);
    free(resp->effective_url);
    free(resp->redirect_url);
    memset(resp, 0, sizeof *resp);
}

bool http_header(const http_response_t *resp, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    for (const char *line = resp->headers; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > nlen && line[nlen] == ':' && strncasecmp(line, name, nlen) == 0) {
            const char *v = line + nlen + 1;
            const char *vend = line + len;
            while (v < vend && (*v == ' ' || *v == '\t'))
                v++;
            while (vend > v && isspace((unsigned char)vend[-1]))
                vend--;
            snprintf(out, outlen, "%.*s", (int)(vend - v), v);
            return true;
        }
        line = end ? end + 1 : NULL;
    }
    return false;
}

void http_printable(char *out, size_t outlen, const char *in)
{
    size_t o = 0;
    for (const unsigned char *c = (const unsigned char *)in; *c && o + 1 < outlen; c++) {
        bool plain = *c >= 0x20 && *c < 0x7f && *c != '\\';
        if (!plain && o + 5 > outlen)
            break;
        if (plain)
            out[o++] = (char)*c;
        else
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", *c);
    }
    if (outlen)
        out[o] = '\0';
}

bool http_status_line(const http_response_t *resp, char *out, size_t outlen)
{
    const char *h = resp->headers;
    if (!h || strncmp(h, "HTTP/", 5) != 0)
        return false;
    size_t len = strcspn(h, "\r\n");
    snprintf(out, outlen, "%.*s", (int)(len < 1000 ? len : 1000), h);
    return true;
}

int http_url_parts(const char *url, char *scheme, size_t schemelen, char *host, size_t hostlen,
                   uint16_t *port)
{
    if (!curl_ready(NULL, 0))
        return -1;
    CURLU *u = curl.url();
    char *s = NULL, *h = NULL, *p = NULL;
    int rc = -1;
    if (!u || curl.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl.url_get(u, CURLUPART_SCHEME, &s, 0) != CURLUE_OK ||
        curl.url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
        curl.url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK)
        goto done;
    if (strcasecmp(s, "http") != 0 && strcasecmp(s, "https") != 0)
        goto done;
    char *end = NULL;
    unsigned long pv = strtoul(p, &end, 10);
    if (!end || *end || pv == 0 || pv > 65535)
        goto done;
    /* curl keeps IPv6 literals bracketed; callers compare bare addresses. */
    const char *bare = h;
    size_t hl = strlen(h);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        bare = h + 1;
        hl -= 2;
    }
    if (hl + 1 > hostlen || strlen(s) + 1 > schemelen)
        goto done;
    for (size_t i = 0; i < hl; i++)
        host[i] = (char)tolower((unsigned char)bare[i]);
    host[hl] = '\0';
    for (size_t i = 0; s[i]; i++)
        scheme[i] = (char)tolower((unsigned char)s[i]);
    scheme[strlen(s)] = '\0';
    *port = (uint16_t)pv;
    rc = 0;
done:
    curl.release(s);
    curl.release(h);
    curl.release(p);
    curl.url_cleanup(u);
    return rc;
}
