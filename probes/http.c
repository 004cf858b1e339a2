/* http: what a browser meets around an HTTPS endpoint. The HTTPS response's HSTS header;
 * cleartext HTTP on the http port (nothing listening, a redirect chain that ends on https://
 * for the same host, or content in the clear); and cleartext HTTP sent to the TLS port itself.
 * Every request goes to the endpoint's own address (curl CONNECT_TO, never a new resolution),
 * HTTPS without verification: trust is the certificate probe's job. Facts only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hsts.h"
#include "http_fetch.h"
#include "probe.h"

#define MAX_REDIRECTS 10
/* Only status and headers matter; a small body cap keeps a chatty server cheap. */
#define BODY_CAP (64 * 1024)
/* Real HSTS values are tens of bytes; longer ones are kept and checked up to this. */
#define HSTS_MAX_VALUE 4096

typedef struct web {
    probe_ctx_t *ctx;
    const char *host;        /* URL host and Host header: the SNI, else the target's host */
    char connect_to[128];    /* every URL, any port, goes to the endpoint's address */
    double timeout_s;
} web_t;

static json_object *nullable_string(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
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
        .max_bytes = BODY_CAP,
        .connect_to = w->connect_to,
        .insecure_tls = true,
        .client_cert_file = with_client_cert ? t->client_cert : NULL,
        .client_key_file = with_client_cert ? t->client_key : NULL,
    };
    atomic_fetch_add(&w->ctx->ep->connections, 1);
    int rc = http_fetch(&req, resp);
    /* A body over the cap still brought its status and headers: enough here. */
    if (rc != 0 && resp->status > 0 && strncmp(resp->error, "response larger", 15) == 0)
        rc = 0;
    return rc;
}

/* curl's messages carry timings ("after 3001 milliseconds"); facts must not, so a timeout
 * is said in our words. */
static void describe_failure(const web_t *w, const http_response_t *resp, char *out, size_t outlen)
{
    if (strstr(resp->error, "imeout") || strstr(resp->error, "timed out"))
        snprintf(out, outlen, "no response within %.0f s", w->timeout_s);
    else
        snprintf(out, outlen, "%s", resp->error);
}

static bool is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static bool same_host(const web_t *w, const char *host)
{
    const target_t *t = w->ctx->ep->target;
    return strcasecmp(host, w->host) == 0 || (t && t->host && strcasecmp(host, t->host) == 0);
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
    json_object_object_add(o, "raw", json_object_new_string(raw));
    json_object_object_add(o, "valid", json_object_new_boolean(p.valid));
    json_object_object_add(o, "error", nullable_string(p.error));
    return o;
}

/* The "https" facts; *answered: an HTTP response came back. */
static json_object *https_facts(web_t *w, bool *answered)
{
    endpoint_t *ep = w->ctx->ep;
    char url[400], line[300] = "";
    make_url(url, sizeof url, "https", w->host, ep->target->port);
    http_response_t resp;
    int rc = fetch(w, url, true, &resp);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "url", json_object_new_string(url));
    json_object_object_add(o, "status", rc == 0 ? json_object_new_int((int)resp.status) : NULL);
    if (rc == 0)
        http_status_line(&resp, line, sizeof line);
    json_object_object_add(o, "status_line", nullable_string(line));
    char err[260] = "";
    if (rc != 0)
        describe_failure(w, &resp, err, sizeof err);
    json_object_object_add(o, "error", nullable_string(err));
    json_object_object_add(o, "hsts", rc == 0 ? hsts_json(&resp) : NULL);
    http_response_free(&resp);
    *answered = rc == 0;
    return o;
}

/* ---- cleartext HTTP on the http port: listener, redirect chain */

typedef enum { LOC_FOLLOW, LOC_UPGRADE, LOC_OTHER_HOST, LOC_BAD } location_kind_t;

static location_kind_t classify_location(const web_t *w, const char *url, char *why, size_t whylen)
{
    char scheme[8], host[256];
    uint16_t port;
    if (!url || http_url_parts(url, scheme, sizeof scheme, host, sizeof host, &port) != 0) {
        snprintf(why, whylen, "redirect to a Location that is not an http(s) URL");
        return LOC_BAD;
    }
    bool https = strcmp(scheme, "https") == 0;
    if (!same_host(w, host)) {
        snprintf(why, whylen, "redirect to another host (%s) over %s", host, https ? "https" : "cleartext http");
        return LOC_OTHER_HOST;
    }
    return https ? LOC_UPGRADE : LOC_FOLLOW;
}

static json_object *hop_json(const char *url, const http_response_t *resp, const char *location)
{
    char line[300] = "";
    http_status_line(resp, line, sizeof line);
    json_object *h = json_object_new_object();
    json_object_object_add(h, "url", json_object_new_string(url));
    json_object_object_add(h, "status", json_object_new_int((int)resp->status));
    json_object_object_add(h, "status_line", nullable_string(line));
    json_object_object_add(h, "location", nullable_string(location));
    return h;
}

static void cleartext_facts(web_t *w, json_object *out)
{
    const target_t *t = w->ctx->ep->target;
    uint16_t port = t->http_port ? t->http_port : 80;
    json_object *o = json_object_new_object(), *chain = json_object_new_array();
    char url[2048], why[400] = "";
    make_url(url, sizeof url, "http", w->host, port);
    json_object_object_add(o, "port", json_object_new_int(port));
    json_object_object_add(o, "url", json_object_new_string(url));
    json_object *listening = NULL, *upgrades = NULL, *final_status = NULL;
    char final_url[2048] = "";
    for (int hop = 0;; hop++) {
        http_response_t resp;
        if (fetch(w, url, false, &resp) != 0) {
            char err[260];
            describe_failure(w, &resp, err, sizeof err);
            if (hop == 0)
                listening = json_object_new_boolean(!resp.connect_failed);
            if (hop == 0 && resp.connect_failed)
                snprintf(why, sizeof why, "no listener on port %u: %s", port,
                         strstr(err, "no response") ? "connection timed out" : "connection refused");
            else
                snprintf(why, sizeof why, "%.200s: %.190s", url, err);
            http_response_free(&resp);
            break;
        }
        if (hop == 0)
            listening = json_object_new_boolean(true);
        json_object_put(final_status);   /* the last hop's is the one kept */
        final_status = json_object_new_int((int)resp.status);
        char location[1024] = "";
        bool has_location = http_header(&resp, "Location", location, sizeof location);
        json_object_array_add(chain, hop_json(url, &resp, has_location ? location : NULL));
        if (!is_redirect(resp.status) || !has_location) {
            char line[300] = "";
            http_status_line(&resp, line, sizeof line);
            snprintf(why, sizeof why, "served over cleartext: %s", line[0] ? line : "(no status line)");
            upgrades = json_object_new_boolean(false);
            http_response_free(&resp);
            break;
        }
        /* curl resolves a relative Location against the request URL. */
        location_kind_t k = classify_location(w, resp.redirect_url, why, sizeof why);
        if (k != LOC_FOLLOW || hop == MAX_REDIRECTS) {
            if (k == LOC_UPGRADE)
                why[0] = '\0';
            else if (k == LOC_FOLLOW)
                snprintf(why, sizeof why, "more than %d redirects without reaching https", MAX_REDIRECTS);
            upgrades = json_object_new_boolean(k == LOC_UPGRADE);
            if (k == LOC_UPGRADE)
                snprintf(final_url, sizeof final_url, "%s", resp.redirect_url);
            http_response_free(&resp);
            break;
        }
        snprintf(url, sizeof url, "%s", resp.redirect_url);
        http_response_free(&resp);
    }
    json_object_object_add(o, "listening", listening);
    json_object_object_add(o, "upgrades", upgrades);
    json_object_object_add(o, "chain", chain);
    json_object_object_add(o, "final_status", final_status);
    json_object_object_add(o, "final_url", nullable_string(final_url));   /* the https URL reached */
    json_object_object_add(o, "error", nullable_string(why));
    json_object_object_add(out, "cleartext", o);
}

/* ---- cleartext HTTP sent to the TLS port: a refusal (nginx's 400) is fine, content is not */

static void cleartext_on_tls_port_facts(web_t *w, json_object *out)
{
    const target_t *t = w->ctx->ep->target;
    char url[400], line[300] = "", location[1024] = "";
    make_url(url, sizeof url, "http", w->host, t->port);
    http_response_t resp;
    int rc = fetch(w, url, false, &resp);
    json_object *o = json_object_new_object();
    bool content = false;
    if (rc == 0) {
        http_status_line(&resp, line, sizeof line);
        bool has_location = http_header(&resp, "Location", location, sizeof location);
        char scheme[8] = "", host[256];
        uint16_t port;
        if (resp.status >= 200 && resp.status < 300)
            content = true;
        else if (is_redirect(resp.status) && has_location && resp.redirect_url &&
                 http_url_parts(resp.redirect_url, scheme, sizeof scheme, host, sizeof host, &port) == 0)
            content = strcmp(scheme, "http") == 0;   /* keeps the client in the clear */
    }
    json_object_object_add(o, "url", json_object_new_string(url));
    json_object_object_add(o, "status", rc == 0 ? json_object_new_int((int)resp.status) : NULL);
    json_object_object_add(o, "status_line", nullable_string(line));
    json_object_object_add(o, "location", nullable_string(location));
    json_object_object_add(o, "serves_content", json_object_new_boolean(content));
    char err[260] = "";
    if (rc != 0)
        describe_failure(w, &resp, err, sizeof err);
    json_object_object_add(o, "error", nullable_string(err));
    json_object_object_add(out, "cleartext_on_tls_port", o);
    http_response_free(&resp);
}

/* ---- the probe */

static bool versions_accepted_any(endpoint_t *ep)
{
    json_object *v = endpoint_probe_facts(ep, "versions"), *list;
    return v && json_object_object_get_ex(v, "accepted", &list) && json_object_array_length(list) > 0;
}

static probe_status_t not_applicable(probe_ctx_t *ctx, const char *why)
{
    json_object_object_add(ctx->out, "status", json_object_new_string("ok"));
    json_object_object_add(ctx->out, "applicable", json_object_new_boolean(false));
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
        return not_applicable(ctx, "not an HTTPS service");
    if (!versions_accepted_any(ep))
        return not_applicable(ctx, "no TLS version accepted");

    web_t w = { .ctx = ctx, .timeout_s = ep->opts->timeout_s > 0 ? ep->opts->timeout_s : 10.0 };
    w.host = ep->sni && *ep->sni ? ep->sni : t->host;
    bool v6 = strchr(ep->addr_str, ':') != NULL;
    snprintf(w.connect_to, sizeof w.connect_to, "::%s%s%s:", v6 ? "[" : "", ep->addr_str, v6 ? "]" : "");

    /* On a port of no known service, the TLS port answering HTTP is what makes it a web
     * endpoint: then the cleartext checks apply as for https. */
    bool answered;
    json_object *https = https_facts(&w, &answered);
    if (!svc && !answered) {
        json_object_put(https);
        return not_applicable(ctx, "the TLS port does not answer HTTP");
    }
    json_object_object_add(ctx->out, "status", json_object_new_string("ok"));
    json_object_object_add(ctx->out, "applicable", json_object_new_boolean(true));
    json_object_object_add(ctx->out, "detected", json_object_new_boolean(!svc));
    json_object_object_add(ctx->out, "https", https);
    cleartext_facts(&w, ctx->out);
    cleartext_on_tls_port_facts(&w, ctx->out);
    return PROBE_OK;
}

/* versions first: an endpoint that speaks no TLS has no HTTPS to look at. */
static const char *const http_needs[] = { "versions", NULL };

const probe_module_t probe_http = {
    .name = "http",
    .help = "HSTS on the HTTPS response; cleartext HTTP on the http port (redirect to https?) and on the TLS port",
    .needs = http_needs,
    .run = http_run,
};
