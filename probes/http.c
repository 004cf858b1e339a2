/* http: what a browser meets around an HTTPS endpoint. The HTTPS response's HSTS header;
 * cleartext HTTP on the http port (nothing listening, a redirect chain that ends on https://,
 * or content in the clear); cleartext HTTP sent to the TLS port itself; and a "TLS" port that
 * speaks no TLS but plain HTTP. Every request goes to the endpoint's own address (curl
 * CONNECT_TO, never a new resolution); HTTPS with any version and suite the server speaks and
 * no verification: trust is the certificate probe's job. Status line and headers only: the
 * body is never read. What could not be learned is null with the reason. Facts only. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host_gate.h"
#include "hsts.h"
#include "http_fetch.h"
#include "json_read.h"
#include "probe.h"

#define MAX_REDIRECTS 10
/* Real HSTS values are tens of bytes; longer ones are kept and checked up to this. */
#define HSTS_MAX_VALUE 4096

typedef struct web {
    probe_ctx_t *ctx;
    const char *host;        /* URL host and Host header: the SNI, else the target's host */
    char connect_to[128];    /* every URL, any port, goes to the endpoint's address */
    char own_key[HOST_GATE_KEY_MAX]; /* the endpoint's address:port: under this probe's own slot */
    double timeout_s;
    bool prefetching;        /* its requests are counted when the run takes them (http_prefetch) */
} web_t;

/* A string the server had a hand in, printable (http_printable), or null when empty. */
static json_object *text_json(const char *s)
{
    if (!s || !*s)
        return NULL;
    size_t cap = strlen(s) * 4 + 1;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    http_printable(buf, cap, s);
    json_object *o = json_object_new_string(buf);
    free(buf);
    return o;
}

/* scheme://host[:port]/ with IPv6 literals bracketed and default ports left out. */
static void make_url(char *out, size_t len, const char *scheme, const char *host, uint16_t port)
{
    bool v6 = strchr(host, ':') != NULL;
    uint16_t dflt = strcmp(scheme, "https") == 0 ? 443 : 80;
    char port_part[8] = "";
    if (port != dflt)
        snprintf(port_part, sizeof port_part, ":%u", port);
    snprintf(out, len, "%s://%s%s%s%s/", scheme, v6 ? "[" : "", host, v6 ? "]" : "", port_part);
}

static int fetch(web_t *w, const char *url, bool with_client_cert, http_response_t *resp)
{
    const target_t *t = w->ctx->ep->target;
    http_request_t req = {
        .url = url,
        .timeout_s = w->timeout_s,
        .connect_to = w->connect_to,
        .gate_exempt = w->own_key[0] ? w->own_key : NULL,
        .insecure_tls = true,
        .any_tls = true,
        .headers_only = true,
        .client_cert_file = with_client_cert ? t->client_cert : NULL,
        .client_key_file = with_client_cert ? t->client_key : NULL,
    };
    if (!w->prefetching)
        atomic_fetch_add(&w->ctx->ep->connections, 1);
    return http_fetch(&req, resp);
}

/* curl's messages carry timings ("after 3001 milliseconds"); facts must not, so a timeout is
 * said in our words, and a reply that is not HTTP at all in plainer ones. */
static void describe_failure(const web_t *w, const http_response_t *resp, char *out, size_t outlen)
{
    if (resp->slot_missed)
        snprintf(out, outlen, "%s", resp->error);
    else if (resp->timed_out)
        snprintf(out, outlen, "no response within %.0f s", w->timeout_s);
    else if (strstr(resp->error, "HTTP/0.9"))
        snprintf(out, outlen, "the answer is not HTTP");
    else if (resp->not_tls)
        snprintf(out, outlen, "the answer is not TLS");
    else
        snprintf(out, outlen, "%s", resp->error);
}

static bool is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* A host tlsprobe may send a cleartext request to: the endpoint's own names and address. */
static bool same_host(const web_t *w, const char *host)
{
    const endpoint_t *ep = w->ctx->ep;
    const target_t *t = ep->target;
    return strcasecmp(host, w->host) == 0 || strcasecmp(host, ep->addr_str) == 0 ||
           (t && t->host && strcasecmp(host, t->host) == 0);
}

/* ---- HTTPS on the TLS port: status and HSTS */

static json_object *hsts_json(const http_response_t *resp)
{
    json_object *o = json_object_new_object();
    char raw[HSTS_MAX_VALUE + 2];
    bool present = http_header(resp, "Strict-Transport-Security", raw, sizeof raw);
    json_object_object_add(o, "present", json_object_new_boolean(present));
    if (!present) {
        json_object_object_add(o, "max_age", NULL);
        json_object_object_add(o, "max_age_ok", json_object_new_boolean(false));
        json_object_object_add(o, "include_subdomains", json_object_new_boolean(false));
        json_object_object_add(o, "preload", json_object_new_boolean(false));
        json_object_object_add(o, "raw", NULL);
        json_object_object_add(o, "valid", NULL);
        json_object_object_add(o, "error", NULL);
        return o;
    }
    hsts_policy_t p;
    hsts_parse(raw, &p);
    if (strlen(raw) > HSTS_MAX_VALUE) {
        /* Only a prefix was kept: what it says cannot stand for the whole value. */
        raw[HSTS_MAX_VALUE] = '\0';
        p.valid = false;
        snprintf(p.error, sizeof p.error, "value longer than %d bytes, not checked", HSTS_MAX_VALUE);
    }
    json_object_object_add(o, "max_age", p.has_max_age
                                             ? json_object_new_int64(p.max_age > INT64_MAX ? INT64_MAX : (int64_t)p.max_age)
                                             : NULL);
    /* A header a browser ignores protects nothing, whatever its max-age says. */
    json_object_object_add(o, "max_age_ok", json_object_new_boolean(p.valid && p.max_age >= HSTS_MIN_MAX_AGE));
    json_object_object_add(o, "include_subdomains", json_object_new_boolean(p.include_subdomains));
    json_object_object_add(o, "preload", json_object_new_boolean(p.preload));
    json_object *raw_json = text_json(raw);
    json_object_object_add(o, "raw", raw_json ? raw_json : json_object_new_string(""));
    json_object_object_add(o, "valid", json_object_new_boolean(p.valid));
    json_object_object_add(o, "error", text_json(p.error));
    return o;
}

/* The "https" facts; *answered: an HTTP response came back. unanswered: the error to record
 * when none did (NULL: curl's). */
/* The "https" facts. unanswered, when given, is the error said when no HTTPS answer came and
 * force is set or the answer was not TLS at all (a port that speaks no TLS). */
static json_object *https_facts(web_t *w, const char *unanswered, bool force, bool *answered, bool *not_http,
                                bool *not_tls, bool *tls_failed)
{
    endpoint_t *ep = w->ctx->ep;
    char url[400], line[300] = "", err[260] = "";
    make_url(url, sizeof url, "https", w->host, ep->target->port);
    http_response_t resp;
    int rc = fetch(w, url, true, &resp);
    if (rc == 0)
        http_status_line(&resp, line, sizeof line);
    else if (unanswered && (force || resp.not_tls))
        snprintf(err, sizeof err, "%s", unanswered);
    else
        describe_failure(w, &resp, err, sizeof err);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "url", text_json(url));
    json_object_object_add(o, "status", rc == 0 ? json_object_new_int((int)resp.status) : NULL);
    json_object_object_add(o, "status_line", text_json(line));
    json_object_object_add(o, "error", text_json(err));
    json_object_object_add(o, "hsts", rc == 0 ? hsts_json(&resp) : NULL);
    *answered = rc == 0;
    *not_http = rc != 0 && resp.not_http;
    *not_tls = rc != 0 && resp.not_tls;
    *tls_failed = rc != 0 && resp.tls_failed;
    http_response_free(&resp);
    return o;
}

/* ---- cleartext HTTP on the http port: listener, redirect chain */

typedef enum { LOC_FOLLOW, LOC_UPGRADE, LOC_OTHER_HOST, LOC_BAD } location_kind_t;

/* Any https:// target is an upgrade, whatever the host (www redirects); a cleartext hop is
 * followed only on the endpoint's own host: tlsprobe never connects elsewhere. */
static location_kind_t classify_location(const web_t *w, const char *url, char *why, size_t whylen)
{
    char scheme[8], host[256];
    uint16_t port;
    if (!url || http_url_parts(url, scheme, sizeof scheme, host, sizeof host, &port) != 0) {
        snprintf(why, whylen, "redirect to a Location that is not an http(s) URL");
        return LOC_BAD;
    }
    if (strcmp(scheme, "https") == 0)
        return LOC_UPGRADE;
    if (same_host(w, host))
        return LOC_FOLLOW;
    snprintf(why, whylen, "redirect over cleartext to another host (%.200s), not followed: tlsprobe "
                          "connects only to the endpoint's address", host);
    return LOC_OTHER_HOST;
}

static json_object *hop_json(const char *url, const http_response_t *resp, const char *location)
{
    char line[300] = "";
    http_status_line(resp, line, sizeof line);
    json_object *h = json_object_new_object();
    json_object_object_add(h, "url", text_json(url));
    json_object_object_add(h, "status", json_object_new_int((int)resp->status));
    json_object_object_add(h, "status_line", text_json(line));
    json_object_object_add(h, "location", text_json(location));
    return h;
}

typedef struct chain_result {
    json_object *listening, *upgrades, *final_status;   /* NULL: unknown */
    char final_url[2048];     /* the https URL reached */
    char not_followed[2048];  /* the cleartext URL on another host */
    char why[600];
} chain_result_t;

/* The first hop failed: refused is no listener; a connect timeout cannot tell (filtered or
 * slow); a connection that then fails is a listener whose answer is unknown. */
static void first_hop_failed(const web_t *w, const http_response_t *resp, const char *url, uint16_t port,
                             chain_result_t *r)
{
    char err[260];
    describe_failure(w, resp, err, sizeof err);
    if (resp->slot_missed) {
        /* Our own pace: nothing is known about the port. */
        snprintf(r->why, sizeof r->why, "port %u: %s", port, err);
    } else if (resp->connect_failed && !resp->timed_out) {
        r->listening = json_object_new_boolean(false);
        snprintf(r->why, sizeof r->why, "no listener on port %u: %s", port,
                 resp->refused ? "connection refused" : "connection rejected (unreachable)");
    } else if (resp->connect_failed) {
        snprintf(r->why, sizeof r->why, "port %u: no connection within %.0f s (filtered, or too slow to accept)",
                 port, w->timeout_s);
    } else {
        r->listening = json_object_new_boolean(true);
        snprintf(r->why, sizeof r->why, "%.300s: %.250s", url, err);
    }
}

/* One hop answered: true when the chain goes on (url updated). */
static bool hop_answered(const web_t *w, http_response_t *resp, int hop, char *url, size_t urllen,
                         json_object *chain, chain_result_t *r)
{
    char location[1024] = "", line[300] = "";
    bool has_location = http_header(resp, "Location", location, sizeof location);
    json_object_put(r->final_status);   /* the last hop's is the one kept */
    r->final_status = json_object_new_int((int)resp->status);
    json_object_array_add(chain, hop_json(url, resp, has_location ? location : NULL));
    if (!is_redirect(resp->status) || !has_location) {
        http_status_line(resp, line, sizeof line);
        snprintf(r->why, sizeof r->why, "served over cleartext: %s", line[0] ? line : "(no status line)");
        r->upgrades = json_object_new_boolean(false);
        return false;
    }
    /* redirect_url: the Location resolved against the request URL. */
    location_kind_t k = classify_location(w, resp->redirect_url, r->why, sizeof r->why);
    if (k == LOC_UPGRADE) {
        r->upgrades = json_object_new_boolean(true);
        snprintf(r->final_url, sizeof r->final_url, "%s", resp->redirect_url);
    } else if (k == LOC_BAD) {
        r->upgrades = json_object_new_boolean(false);
    } else if (k == LOC_OTHER_HOST) {
        snprintf(r->not_followed, sizeof r->not_followed, "%s", resp->redirect_url);
    } else if (hop == MAX_REDIRECTS) {
        snprintf(r->why, sizeof r->why, "more than %d redirects without reaching https", MAX_REDIRECTS);
    } else if (strlen(resp->redirect_url) >= urllen) {
        snprintf(r->why, sizeof r->why, "redirect to a URL longer than %zu bytes, not followed", urllen - 1);
    } else {
        snprintf(url, urllen, "%s", resp->redirect_url);
        return true;
    }
    return false;
}

static void cleartext_facts(web_t *w, json_object *out)
{
    const target_t *t = w->ctx->ep->target;
    uint16_t port = t->http_port ? t->http_port : 80;
    json_object *o = json_object_new_object(), *chain = json_object_new_array();
    char url[2048];
    chain_result_t r = { 0 };
    make_url(url, sizeof url, "http", w->host, port);
    json_object_object_add(o, "port", json_object_new_int(port));
    json_object_object_add(o, "url", text_json(url));
    for (int hop = 0;; hop++) {
        http_response_t resp;
        bool more;
        if (fetch(w, url, false, &resp) != 0) {
            if (hop == 0) {
                first_hop_failed(w, &resp, url, port, &r);
            } else {
                char err[260];
                describe_failure(w, &resp, err, sizeof err);
                snprintf(r.why, sizeof r.why, "%.300s: %.250s", url, err);
            }
            more = false;
        } else {
            if (hop == 0)
                r.listening = json_object_new_boolean(true);
            more = hop_answered(w, &resp, hop, url, sizeof url, chain, &r);
        }
        http_response_free(&resp);
        if (!more)
            break;
    }
    if (json_object_get_boolean(r.upgrades))
        r.why[0] = '\0';
    json_object_object_add(o, "listening", r.listening);
    json_object_object_add(o, "upgrades", r.upgrades);
    json_object_object_add(o, "chain", chain);
    json_object_object_add(o, "final_status", r.final_status);
    json_object_object_add(o, "final_url", text_json(r.final_url));
    json_object_object_add(o, "not_followed", text_json(r.not_followed));
    json_object_object_add(o, "error", text_json(r.why));
    json_object_object_add(out, "cleartext", o);
}

/* ---- cleartext HTTP sent to the TLS port: a refusal (nginx's 400, a closed connection) is
 * fine, content is not, and no answer in time is unknown. *answered: an HTTP response. */

static json_object *cleartext_on_tls_port_facts(web_t *w, bool *answered, bool *not_http)
{
    const target_t *t = w->ctx->ep->target;
    char url[400], line[300] = "", location[1024] = "", err[260] = "";
    make_url(url, sizeof url, "http", w->host, t->port);
    http_response_t resp;
    int rc = fetch(w, url, false, &resp);
    json_object *content;
    if (rc == 0) {
        http_status_line(&resp, line, sizeof line);
        bool has_location = http_header(&resp, "Location", location, sizeof location);
        char scheme[8] = "", host[256];
        uint16_t port;
        bool c = resp.status >= 200 && resp.status < 300;
        if (is_redirect(resp.status) && has_location && resp.redirect_url &&
            http_url_parts(resp.redirect_url, scheme, sizeof scheme, host, sizeof host, &port) == 0)
            c = strcmp(scheme, "http") == 0;   /* keeps the client in the clear */
        content = json_object_new_boolean(c);
    } else {
        describe_failure(w, &resp, err, sizeof err);
        /* Closed, reset or not HTTP: no content. No connection or no answer in time: unknown. */
        content = resp.timed_out || resp.connect_failed ? NULL : json_object_new_boolean(false);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "url", text_json(url));
    json_object_object_add(o, "status", rc == 0 ? json_object_new_int((int)resp.status) : NULL);
    json_object_object_add(o, "status_line", text_json(line));
    json_object_object_add(o, "location", text_json(location));
    json_object_object_add(o, "serves_content", content);
    json_object_object_add(o, "error", text_json(err));
    *answered = rc == 0;
    *not_http = rc != 0 && resp.not_http;
    http_response_free(&resp);
    return o;
}

/* ---- the cleartext request to the TLS port, made once: by the prefetch while the versions
 * probe starts (probe.h), or by the run. It does not depend on what versions finds, so the
 * facts are the same either way; only whether the run uses it does. */

struct http_cleartext_slot {
    bool started, done;
    pthread_cond_t made;      /* signalled (under ep->lock) when done */
    json_object *facts;       /* cleartext_on_tls_port_facts', until the run takes them */
    bool answered, not_http;
    bool prefetched;          /* made by http_prefetch: its connection is counted when taken */
};

static void cleartext_slot_free(endpoint_t *ep)
{
    pthread_mutex_lock(&ep->lock);
    struct http_cleartext_slot *s = ep->http_cleartext;
    ep->http_cleartext = NULL;
    pthread_mutex_unlock(&ep->lock);
    if (!s)
        return;
    json_object_put(s->facts);
    pthread_cond_destroy(&s->made);
    free(s);
}

/* The endpoint's slot, made on first use, *mine when the caller is to make it; NULL out of
 * memory. */
static struct http_cleartext_slot *cleartext_slot(endpoint_t *ep, bool *mine)
{
    pthread_mutex_lock(&ep->lock);
    struct http_cleartext_slot *s = ep->http_cleartext;
    bool made = false;
    if (!s && (s = calloc(1, sizeof *s)) != NULL) {
        if (pthread_cond_init(&s->made, NULL) != 0) {
            free(s);
            s = NULL;
        } else {
            ep->http_cleartext = s;
            made = true;
        }
    }
    *mine = s && !s->started;
    if (s)
        s->started = true;
    pthread_mutex_unlock(&ep->lock);
    if (made)
        endpoint_add_finaliser(ep, cleartext_slot_free);
    return s;
}

static void cleartext_made(endpoint_t *ep, struct http_cleartext_slot *s)
{
    pthread_mutex_lock(&ep->lock);
    s->done = true;
    pthread_cond_broadcast(&s->made);
    pthread_mutex_unlock(&ep->lock);
}

/* The facts, the run's to keep. */
static json_object *cleartext_once(web_t *w, bool *answered, bool *not_http)
{
    endpoint_t *ep = w->ctx->ep;
    bool mine;
    struct http_cleartext_slot *s = cleartext_slot(ep, &mine);
    if (!s)
        return cleartext_on_tls_port_facts(w, answered, not_http);
    if (mine) {
        s->facts = cleartext_on_tls_port_facts(w, &s->answered, &s->not_http);
        cleartext_made(ep, s);
    }
    pthread_mutex_lock(&ep->lock);
    while (!s->done)
        pthread_cond_wait(&s->made, &ep->lock);
    json_object *facts = s->facts;
    s->facts = NULL;
    pthread_mutex_unlock(&ep->lock);
    /* A request the run did not take is not the run's: whether one was made early (a slot
     * free, --jobs) must not change the count. */
    if (s->prefetched)
        atomic_fetch_add(&ep->connections, 1);
    *answered = s->answered;
    *not_http = s->not_http;
    return facts;
}

static void web_init(web_t *w, probe_ctx_t *ctx)
{
    endpoint_t *ep = ctx->ep;
    *w = (web_t){ .ctx = ctx, .timeout_s = ep->opts->timeout_s };
    w->host = ep->sni && *ep->sni ? ep->sni : ep->target->host;
    bool v6 = strchr(ep->addr_str, ':') != NULL;
    snprintf(w->connect_to, sizeof w->connect_to, "::%s%s%s:", v6 ? "[" : "", ep->addr_str, v6 ? "]" : "");
    if (!host_gate_key((const struct sockaddr *)&ep->addr, ep->addrlen, w->own_key))
        w->own_key[0] = '\0';
}

/* Only where the run asks it whatever versions finds: an HTTPS service (port 443, https://).
 * On a port of no known service the run asks it only if the port answers HTTP over TLS. */
static void http_prefetch(probe_ctx_t *ctx)
{
    const service_t *svc = ctx->ep->target->service;
    if (!svc || strcmp(svc->scheme, "https") != 0)
        return;
    web_t w;
    web_init(&w, ctx);
    w.prefetching = true;
    bool mine;
    struct http_cleartext_slot *s = cleartext_slot(ctx->ep, &mine);
    if (!s || !mine)
        return;
    s->facts = cleartext_on_tls_port_facts(&w, &s->answered, &s->not_http);
    s->prefetched = true;
    cleartext_made(ctx->ep, s);
}

/* ---- the probe */

/* Whether the port speaks TLS by the versions probe: 1 yes, 0 every version refused, -1
 * unknown (the probe failed, or a version stayed undetermined). */
static int versions_tls(endpoint_t *ep)
{
    json_object *v = endpoint_probe_facts(ep, "versions");
    if (!jr_eq(jr_str(v, "status"), "ok") || !json_object_is_type(jr_at(v, "accepted"), json_type_array))
        return -1;
    if (probe_versions_accepted(ep))
        return 1;
    json_object *protocols = jr_at(v, "protocols");
    for (size_t i = 0; i < jr_len(protocols); i++)
        if (!jr_bool_is(jr_idx(protocols, i), "accepted", false))
            return -1;
    return 0;
}

static const char *error_of(json_object *facts)
{
    const char *e = json_object_get_string(json_object_object_get(facts, "error"));
    return e ? e : "no answer";
}

/* applicable false: the port was seen not to speak HTTP (or its scheme says so); null: it gave
 * no answer that tells (a timeout, a TLS failure), which is never read as "not HTTP". */
static probe_status_t applicability(probe_ctx_t *ctx, bool known, bool tls_failed, const char *why)
{
    json_object_object_add(ctx->out, "applicable", known ? json_object_new_boolean(false) : NULL);
    /* Unknown because no HTTPS request got past TLS (a version or client certificate tlsprobe's
     * HTTP client cannot offer), not because the server gave no answer. */
    if (!known)
        json_object_object_add(ctx->out, "tls_handshake_failed", json_object_new_boolean(tls_failed));
    json_object_object_add(ctx->out, "detected", json_object_new_boolean(false));
    json_object_object_add(ctx->out, "reason", json_object_new_string(why));
    return PROBE_OK;
}

static probe_status_t http_run(probe_ctx_t *ctx)
{
    endpoint_t *ep = ctx->ep;
    const target_t *t = ep->target;
    const service_t *svc = t->service;
    if (svc && strcmp(svc->scheme, "https") != 0)
        return applicability(ctx, true, false, "not an HTTPS service");

    web_t w;
    web_init(&w, ctx);

    /* On a port of no known service, an HTTP answer is what makes it a web endpoint: over TLS,
     * or, when the port speaks no TLS, in the clear (the plainest failure of 12.2.1). */
    int tls = versions_tls(ep);
    bool https_answered = false, clear_answered = false, https_not_http = false, clear_not_http = false;
    bool tls_failed = false, https_not_tls = false;
    char why[320];
    json_object *on_tls = NULL, *https;
    if (tls != 1) {
        /* No version accepted: the port may speak HTTP in the clear. One HTTPS try all the
         * same: an answer proves TLS the raw hellos missed, and keeps a server that also answers
         * cleartext (nginx's 400) from being taken for cleartext only. */
        on_tls = cleartext_once(&w, &clear_answered, &clear_not_http);
        https = https_facts(&w, "no TLS version accepted", clear_answered, &https_answered, &https_not_http,
                            &https_not_tls, &tls_failed);
        if (!svc && !clear_answered && !https_answered) {
            /* Not HTTP only when it answered bytes that are not HTTP both ways it may speak (a
             * TLS server answers a cleartext request with an alert, which is not HTTP either). */
            bool not_http = clear_not_http && (tls == 0 || https_not_http || https_not_tls);
            snprintf(why, sizeof why, "no TLS version accepted, and %s: %s; over TLS: %s",
                     not_http ? "no HTTP answer in cleartext" : "whether the port answers HTTP is unknown",
                     error_of(on_tls), error_of(https));
            json_object_put(on_tls);
            json_object_put(https);
            return applicability(ctx, not_http, tls_failed && !not_http, why);
        }
        if (!https_answered && (tls == 0 || clear_answered || https_not_tls))
            tls = 0;   /* plain HTTP answered, or no TLS answer at all: the port speaks no TLS */
    } else {
        https = https_facts(&w, NULL, false, &https_answered, &https_not_http, &https_not_tls, &tls_failed);
        if (!svc && !https_answered) {
            snprintf(why, sizeof why, "%s: %s",
                     https_not_http ? "the TLS port does not answer HTTP" : "whether the TLS port answers HTTP is unknown",
                     error_of(https));
            json_object_put(https);
            return applicability(ctx, https_not_http, tls_failed, why);
        }
    }
    if (https_answered)
        tls = 1;   /* a response over TLS proves it, whatever the versions probe could tell */
    ctx->answered = https_answered || clear_answered;   /* reachable, even if no hello was answered */
    json_object_object_add(ctx->out, "applicable", json_object_new_boolean(true));
    json_object_object_add(ctx->out, "detected", json_object_new_boolean(!svc));
    json_object_object_add(ctx->out, "tls", tls < 0 ? NULL : json_object_new_boolean(tls == 1));
    json_object_object_add(ctx->out, "https", https);
    cleartext_facts(&w, ctx->out);
    if (!on_tls)
        on_tls = cleartext_once(&w, &clear_answered, &clear_not_http);
    json_object_object_add(ctx->out, "cleartext_on_tls_port", on_tls);
    return PROBE_OK;
}

/* versions first: whether the port speaks TLS decides what there is to look at. */
static const char *const http_needs[] = { "versions", NULL };

render_text_fn http_render_text;   /* probes/http_render.c */

const probe_module_t probe_http = {
    .name = "http",
    .help = "HSTS on the HTTPS response; cleartext HTTP on the http port (redirect to https?), on the TLS "
            "port, and a TLS port that speaks only cleartext HTTP",
    .needs = http_needs,
    .after_silence = true,   /* a cleartext HTTP server on the TLS port waits for a request */
    .prefetch = http_prefetch,   /* the cleartext request to the TLS port */
    .run = http_run,
    .chain = 4,
    .render_text = http_render_text,
};
