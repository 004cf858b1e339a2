/* mtls: does the endpoint ask for a client certificate, does it insist on one, does it accept
 * any certificate at all (a fresh self-signed one, generated here at run time), which CAs it
 * names, and whether the target's configured certificate gets in.
 *
 * Each of TLS 1.3 and TLS 1.2 the server accepts is tried separately: TLS 1.2 servers refuse
 * inside the handshake, TLS 1.3 servers only after it (an alert following our Finished), and
 * web servers such as nginx complete the handshake either way and refuse at the HTTP layer
 * (400 "No required SSL certificate was sent"). So after a completed handshake an HTTP
 * endpoint gets one GET and the answer is judged; any other endpoint is given a moment to
 * send an alert. TLS 1.2 requests are also read from a raw first flight (in the clear there):
 * the versions probe's TLS 1.2 answer when it was read to ServerHelloDone (hello_memo.h), else
 * a raw hello of our own, sent only when the handshake without a certificate neither completed
 * nor saw a request. When that answer shows no request, TLS 1.2 gets no connection at all.
 * Every hello is shaped like hellos the endpoint answers and sent again in a smaller shape
 * when the server drops it (known_hello.h): a dropped hello decides nothing. Facts only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "default_hs.h"
#include "hello_memo.h"
#include "hello_profile.h"
#include "http_fetch.h"
#include "json_read.h"
#include "known_hello.h"
#include "net.h"
#include "probe.h"
#include "iana.h"
#include "tls_handshake.h"
#include "tls_raw.h"
#include "wire.h"
#include "x509_facts.h"

/* How long a non-HTTP endpoint gets to refuse us after the handshake. */
#define ALERT_WAIT_S 1.5
#define RESPONSE_CAP 8192

typedef enum { TRI_UNKNOWN = -1, TRI_FALSE = 0, TRI_TRUE = 1 } tri_t;

static json_object *tri_json(tri_t t)
{
    return t == TRI_UNKNOWN ? NULL : json_object_new_boolean(t == TRI_TRUE);
}

/* ---- one connection with a given client certificate (or none) */

typedef enum { ATTEMPT_ACCEPTED, ATTEMPT_REFUSED, ATTEMPT_UNKNOWN } attempt_outcome_t;

typedef struct attempt {
    attempt_outcome_t outcome;
    bool handshake_done;
    bool requested;                 /* OpenSSL saw a CertificateRequest */
    STACK_OF(X509_NAME) *ca_names;  /* owned */
    char evidence[400];
} attempt_t;

/* What one run of the probe shares: the hellos the endpoint answers, the hellos it dropped. */
typedef struct mtls_run {
    probe_ctx_t *ctx;
    known_hello_t known;
    size_t dropped;
    bool default_hs;    /* the certificate probe makes the endpoint's default handshake */
} mtls_run_t;

typedef struct client_id {
    const char *cert_file, *key_file;
    X509 *cert;
    EVP_PKEY *key;
} client_id_t;

/* Statuses web servers use to refuse a request; 495/496 are nginx's internal codes for a bad or
 * missing client certificate, which it sends as 400. */
static bool refusal_status(int status)
{
    return status == 400 || status == 403 || status == 495 || status == 496;
}

/* Whether an HTTP refusal says it is about the client certificate in its status line or page
 * title (nginx: "400 No required SSL certificate was sent", "400 The SSL certificate error"),
 * what evidence holds. A bare 403 may refuse everyone, the certificate aside: no evidence
 * either way; neither is the word anywhere in a page body. */
static bool certificate_refusal(int status, const char *evidence)
{
    return status == 495 || status == 496 || (refusal_status(status) && strcasestr(evidence, "certificate"));
}

static bool http_like(const endpoint_t *ep)
{
    const service_t *s = ep->target->service;
    return !s || (s->protocol && strcmp(s->protocol, "http") == 0);
}

/* "400 No required SSL certificate was sent" from nginx's <title>, else the status line; the
 * server's bytes escaped (they reach every report format). */
static void http_evidence(const char *resp, char *out, size_t outlen)
{
    const char *t = strstr(resp, "<title>");
    size_t n;
    if (t) {
        t += 7;
        n = strcspn(t, "<\r\n");
    } else {
        t = resp;
        n = strcspn(t, "\r\n");
    }
    char raw[161];
    snprintf(raw, sizeof raw, "%.*s", (int)(n < 160 ? n : 160), t);
    http_printable(out, outlen, raw);
}

/* Alerts that end a connection without refusing anything: close_notify(0), user_canceled(90). */
static bool refusing_alert(int alert)
{
    return alert > 0 && alert != 90;
}

/* Sends one GET; false with hs->error set when it could not be sent. */
static bool send_get(const endpoint_t *ep, int fd, tls_hs_result_t *hs, double timeout)
{
    const char *host = ep->sni && *ep->sni ? ep->sni : ep->target->host;
    char req[400];
    bool v6 = strchr(host, ':') != NULL;
    int len = snprintf(req, sizeof req,
                       "GET / HTTP/1.1\r\nHost: %s%.255s%s\r\nUser-Agent: tlsprobe\r\nConnection: close\r\n\r\n",
                       v6 ? "[" : "", host, v6 ? "]" : "");
    return tls_hs_write(hs, fd, req, (size_t)len, timeout) == 0;
}

/* Reads what the server sends until wait_s passes, the HTTP head is complete, or the
 * connection ends. Returns the last read's result (TLS_HS_TIMEOUT when the wait ran out). */
static ssize_t read_answer(int fd, tls_hs_result_t *hs, bool http, double wait_s, char *buf, size_t *got)
{
    double deadline = net_now() + wait_s;
    ssize_t n = TLS_HS_TIMEOUT;
    while (*got < RESPONSE_CAP) {
        double left = deadline - net_now();
        if (left <= 0)
            return TLS_HS_TIMEOUT;
        n = tls_hs_read(hs, fd, buf + *got, RESPONSE_CAP - *got, left);
        if (n <= 0)
            return n;
        *got += (size_t)n;
        buf[*got] = '\0';
        if (http && strstr(buf, "\r\n\r\n") && (!strstr(buf, "<title>") || strstr(buf, "</title>")))
            return n;
    }
    return n;
}

/* After a completed handshake, what the server does next tells whether it let us in: a
 * refusing alert (TLS 1.3 servers refuse right after our Finished) or an HTTP refusal is a
 * refusal; an answer, or silence for the whole wait with the connection open, is acceptance
 * (the server saw the certificate and did not object). A close without a refusing alert, or
 * an error, says nothing either way: unknown, with the reason. */
static void judge_after_handshake(probe_ctx_t *ctx, int fd, tls_hs_result_t *hs, attempt_t *a)
{
    endpoint_t *ep = ctx->ep;
    double timeout = ep->opts->timeout_s;
    char *buf = malloc(RESPONSE_CAP + 1);
    if (!buf) {
        snprintf(a->evidence, sizeof a->evidence, "out of memory");
        return;
    }
    /* Only alerts from now on: a warning during the handshake (unrecognized_name) refuses nothing. */
    hs->alert_received = -1;
    bool http = http_like(ep), sent = true;
    char send_error[200] = "";
    if (http && !(sent = send_get(ep, fd, hs, timeout)))
        snprintf(send_error, sizeof send_error, "%.199s", hs->error);
    /* An HTTP server gets the whole timeout to answer; otherwise (and when the request could
     * not be sent: the refusal may already be on its way) a moment for an alert. */
    double wait = http && sent ? timeout : (timeout < ALERT_WAIT_S ? timeout : ALERT_WAIT_S);
    size_t got = 0;
    buf[0] = '\0';
    ssize_t n = read_answer(fd, hs, http, wait, buf, &got);

    int status = 0;
    if (got >= 12 && strncmp(buf, "HTTP/1.", 7) == 0 && buf[8] == ' ')
        status = atoi(buf + 9);
    const char *alert = wire_alert_name((uint8_t)(hs->alert_received & 0xff));
    if (got == 0 && refusing_alert(hs->alert_received)) {
        a->outcome = ATTEMPT_REFUSED;
        snprintf(a->evidence, sizeof a->evidence, "alert %s(%d) after the handshake", alert ? alert : "unknown",
                 hs->alert_received);
    } else if (status > 0) {
        char ev[200];
        http_evidence(buf, ev, sizeof ev);
        a->outcome = certificate_refusal(status, ev) ? ATTEMPT_REFUSED
                     : refusal_status(status)         ? ATTEMPT_UNKNOWN
                                                      : ATTEMPT_ACCEPTED;
        snprintf(a->evidence, sizeof a->evidence, "handshake completed; HTTP %d (%s)%s", status, ev,
                 a->outcome == ATTEMPT_UNKNOWN ? ": a refusal that does not say it is about the certificate" : "");
    } else if (got > 0) {
        a->outcome = ATTEMPT_ACCEPTED;
        snprintf(a->evidence, sizeof a->evidence, "handshake completed; the server sent %zu bytes of data", got);
    } else if (!sent) {
        snprintf(a->evidence, sizeof a->evidence, "handshake completed; then the request could not be sent: %s",
                 send_error);
    } else if (n == TLS_HS_TIMEOUT) {
        a->outcome = ATTEMPT_ACCEPTED;
        snprintf(a->evidence, sizeof a->evidence, "handshake completed; no alert%s within %.1f s",
                 http ? " and no HTTP answer" : "", wait);
    } else if (n == 0) {
        snprintf(a->evidence, sizeof a->evidence,
                 "handshake completed; then the server closed the connection (%s) without a refusing alert%s",
                 hs->alert_received == 0 ? "close_notify" : "no alert", http ? " or an HTTP answer" : "");
    } else {
        snprintf(a->evidence, sizeof a->evidence, "handshake completed; then %s", hs->error[0] ? hs->error : "no answer");
    }
    free(buf);
}

/* TLS 1.3 without a certificate: the endpoint's default handshake (default_hs.h), which the
 * certificate probe makes anyway, when it completed in TLS 1.3 without a CertificateRequest:
 * nothing asked, nothing to refuse. False when it does not settle the attempt (the request is
 * then judged on a connection of our own, after the handshake). */
static bool default_hs_attempt(mtls_run_t *run, attempt_t *a)
{
    const default_hs_t *d = run->default_hs ? default_hs_get(run->ctx) : NULL;
    if (!d || d->rc != 0 || d->hs.client_cert_requested || strcmp(d->hs.protocol, "TLSv1.3") != 0)
        return false;
    run->dropped += d->info.dropped;
    a->handshake_done = true;
    a->outcome = ATTEMPT_ACCEPTED;
    snprintf(a->evidence, sizeof a->evidence, "handshake completed; no client certificate requested");
    return true;
}

static void run_attempt(mtls_run_t *run, int version, const client_id_t *id, attempt_t *a)
{
    probe_ctx_t *ctx = run->ctx;
    endpoint_t *ep = ctx->ep;
    memset(a, 0, sizeof *a);
    a->outcome = ATTEMPT_UNKNOWN;
    if (version == TLS1_3_VERSION && !id && default_hs_attempt(run, a))
        return;
    tls_hs_options_t opts = {
        .min_version = version,
        .max_version = version,
        .sni = ep->sni,
        .ciphers = DEFAULT_HS_CIPHERS,   /* no anonymous suite: its server cannot ask */
        .timeout_s = ep->opts->timeout_s,
        .client_cert_file = id ? id->cert_file : NULL,
        .client_key_file = id ? id->key_file : NULL,
        .client_cert = id ? id->cert : NULL,
        .client_key = id ? id->key : NULL,
    };
    tls_hs_result_t hs;
    known_hs_t info;
    int rc = known_hs_connect(ctx, &run->known, &opts, &hs, &info);
    int fd = info.fd;
    run->dropped += info.dropped;
    a->requested = hs.client_cert_requested;
    a->ca_names = hs.client_ca_names;
    hs.client_ca_names = NULL;
    if (rc != 0 && info.connect_failed) {
        snprintf(a->evidence, sizeof a->evidence, "connect failed: %.*s",
                 (int)(sizeof a->evidence - sizeof "connect failed: "), ctx->err);
    } else if (rc != 0) {
        /* A refusing alert after asking for a certificate refuses what we sent (or did not); a
         * timeout, a reset or a local failure says nothing about it. */
        a->outcome = a->requested && refusing_alert(hs.alert_received) ? ATTEMPT_REFUSED : ATTEMPT_UNKNOWN;
        if (info.first_error[0])
            snprintf(a->evidence, sizeof a->evidence,
                     "handshake failed: %.120s; then, offering only what the server was seen to pick: %.200s",
                     info.first_error, hs.error);
        else
            snprintf(a->evidence, sizeof a->evidence, "handshake failed: %s", hs.error);
    } else {
        a->handshake_done = true;
        if (a->requested) {
            judge_after_handshake(ctx, fd, &hs, a);
        } else {
            /* Nothing was asked, so nothing can be refused: no need to wait and see. */
            a->outcome = ATTEMPT_ACCEPTED;
            snprintf(a->evidence, sizeof a->evidence, "handshake completed; no client certificate requested");
        }
        tls_hs_close_notify(&hs);
    }
    tls_hs_result_free(&hs);
    if (fd >= 0)
        net_close(fd);
}

/* ---- a throwaway identity no CA ever signed */

static bool make_untrusted_identity(client_id_t *id)
{
    memset(id, 0, sizeof *id);
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    bool ok = key && x && name && RAND_bytes(serial, sizeof serial) == 1;
    if (ok) {
        serial[0] &= 0x7f;   /* positive */
        bn = BN_bin2bn(serial, sizeof serial, NULL);
        ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) && X509_set_version(x, 2) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        (const unsigned char *)"tlsprobe untrusted client certificate", -1, -1, 0) &&
             X509_set_subject_name(x, name) && X509_set_issuer_name(x, name) &&
             X509_gmtime_adj(X509_getm_notBefore(x), -3600) && X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
             X509_set_pubkey(x, key) && X509_sign(x, key, EVP_sha256()) > 0;
    }
    BN_free(bn);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        EVP_PKEY_free(key);
        return false;
    }
    id->cert = x;
    id->key = key;
    return true;
}

/* ---- per version */

typedef struct version_facts {
    const char *name;               /* "TLSv1.3" */
    tri_t requested, required, accepts_untrusted, configured_accepted;
    char required_evidence[512], untrusted_evidence[512], configured_evidence[512];
    const char *requested_source;   /* "raw hello" or "handshake" */
} version_facts_t;

/* Suites that authenticate the server with a certificate: a server that picks an anonymous
 * one cannot ask for a client certificate (RFC 5246 7.4.4), which would read as "not asked". */
static size_t certificate_suites(uint16_t *out, size_t cap)
{
    uint16_t all[HELLO_MAX_CODES];
    size_t k = iana_suites_for_version(WIRE_TLS12, all, HELLO_MAX_CODES), n = 0;
    for (size_t i = 0; i < k && i < HELLO_MAX_CODES && n < cap; i++) {
        const iana_suite_t *s = iana_suite_by_code(all[i]);
        if (s && (strcmp(s->au, "RSA") == 0 || strcmp(s->au, "DSS") == 0 || strcmp(s->au, "ECDSA") == 0))
            out[n++] = all[i];
    }
    return n;
}

/* TLS 1.2: is a CertificateRequest in the clear first flight? TRI_UNKNOWN when the server
 * did not answer the raw hello (shaped as the endpoint answers, the suites it was seen to pick
 * first) with a complete flight. */
static tri_t raw_tls12_request(mtls_run_t *run)
{
    probe_ctx_t *ctx = run->ctx;
    hello_profile_t *p = malloc(sizeof *p);
    uint16_t *suites = malloc(HELLO_MAX_CODES * sizeof *suites);
    tri_t out = TRI_UNKNOWN;
    if (p && suites) {
        size_t n = certificate_suites(suites, HELLO_MAX_CODES);
        hello_profile_init(p, ctx->ep->sni, WIRE_TLS12);
        tls_raw_result_t r;
        hello_answer_t a;
        known_raw_t info = { 0 };
        tls_raw_outcome_t o = known_raw_ask(ctx, &run->known, p, suites, n, 0, KNOWN_PICKS_FIRST | KNOWN_NEED_FLIGHT,
                                            &a, &r, &info);
        run->dropped += info.dropped;
        if (o == TLS_RAW_ACCEPTED && r.flight.have_server_hello_done)
            out = r.flight.have_certificate_request ? TRI_TRUE : TRI_FALSE;
        tls_raw_result_free(&r);
    }
    free(p);
    free(suites);
    return out;
}

static tri_t outcome_accepted(const attempt_t *a)
{
    return a->outcome == ATTEMPT_UNKNOWN ? TRI_UNKNOWN : a->outcome == ATTEMPT_ACCEPTED ? TRI_TRUE : TRI_FALSE;
}

/* TLS 1.2: whether the versions probe's answer in TLS 1.2 already showed a CertificateRequest
 * or its absence (a complete clear flight, a suite with a certificate, the same SNI: the
 * memo is the endpoint's); TRI_UNKNOWN when it did not. */
static tri_t kept_tls12_request(endpoint_t *ep)
{
    hello_answer_t a;
    if (!hello_memo_full_flight(ep, WIRE_TLS12, &a))
        return TRI_UNKNOWN;
    return a.certificate_request ? TRI_TRUE : TRI_FALSE;
}

static void probe_version(mtls_run_t *run, int version, const client_id_t *untrusted, version_facts_t *v,
                          json_object *ca_names)
{
    const target_t *t = run->ctx->ep->target;
    v->configured_accepted = TRI_UNKNOWN;
    tri_t raw = version == TLS1_2_VERSION ? kept_tls12_request(run->ctx->ep) : TRI_UNKNOWN;
    if (raw == TRI_FALSE) {
        /* A handshake without a certificate would only confirm it: nothing asked, nothing
         * to refuse, and nothing to try a certificate on. */
        v->requested = v->required = TRI_FALSE;
        v->accepts_untrusted = TRI_UNKNOWN;
        v->requested_source = "raw hello";
        snprintf(v->required_evidence, sizeof v->required_evidence,
                 "without a certificate: not tried: the versions probe's TLS 1.2 answer, read to "
                 "ServerHelloDone, asked for no client certificate");
        return;
    }

    attempt_t a;
    run_attempt(run, version, NULL, &a);
    x509_name_list_add(a.ca_names, ca_names);
    sk_X509_NAME_pop_free(a.ca_names, X509_NAME_free);
    /* A raw hello only when neither a kept flight nor the handshake settled it: a completed
     * handshake saw the request or its absence, and a failed one may have seen the request. */
    if (version == TLS1_2_VERSION && raw == TRI_UNKNOWN && !a.requested && !a.handshake_done)
        raw = raw_tls12_request(run);
    bool seen = a.requested || raw == TRI_TRUE;
    bool known = a.requested || a.handshake_done || raw != TRI_UNKNOWN;
    v->requested = seen ? TRI_TRUE : known ? TRI_FALSE : TRI_UNKNOWN;
    v->requested_source = raw != TRI_UNKNOWN ? "raw hello" : "handshake";
    snprintf(v->required_evidence, sizeof v->required_evidence, "without a certificate: %s", a.evidence);
    if (v->requested != TRI_TRUE) {
        v->required = v->requested == TRI_FALSE ? TRI_FALSE : TRI_UNKNOWN;
        v->accepts_untrusted = TRI_UNKNOWN;
        if (v->requested == TRI_UNKNOWN)
            snprintf(v->untrusted_evidence, sizeof v->untrusted_evidence,
                     "not tried: whether a client certificate is asked for is unknown (%.400s)", v->required_evidence);
        return;
    }
    tri_t in = outcome_accepted(&a);
    v->required = in == TRI_UNKNOWN ? TRI_UNKNOWN : in == TRI_TRUE ? TRI_FALSE : TRI_TRUE;

    v->accepts_untrusted = TRI_UNKNOWN;
    if (untrusted) {
        run_attempt(run, version, untrusted, &a);
        sk_X509_NAME_pop_free(a.ca_names, X509_NAME_free);
        v->accepts_untrusted = outcome_accepted(&a);
        snprintf(v->untrusted_evidence, sizeof v->untrusted_evidence, "self-signed certificate: %s", a.evidence);
    } else {
        snprintf(v->untrusted_evidence, sizeof v->untrusted_evidence, "could not make a self-signed certificate");
    }
    if (t->client_cert) {
        client_id_t mine = { .cert_file = t->client_cert, .key_file = t->client_key };
        run_attempt(run, version, &mine, &a);
        sk_X509_NAME_pop_free(a.ca_names, X509_NAME_free);
        v->configured_accepted = outcome_accepted(&a);
        snprintf(v->configured_evidence, sizeof v->configured_evidence, "configured certificate: %s", a.evidence);
    }
}

static json_object *version_json(const version_facts_t *v, bool configured)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "requested", tri_json(v->requested));
    json_object_object_add(o, "requested_source", json_object_new_string(v->requested_source));
    json_object_object_add(o, "required", tri_json(v->required));
    json_object_object_add(o, "required_evidence", json_object_new_string(v->required_evidence));
    json_object_object_add(o, "accepts_untrusted", tri_json(v->accepts_untrusted));
    json_object_object_add(o, "untrusted_evidence",
                           v->untrusted_evidence[0] ? json_object_new_string(v->untrusted_evidence) : NULL);
    if (configured) {
        json_object_object_add(o, "configured_accepted", tri_json(v->configured_accepted));
        json_object_object_add(o, "configured_evidence",
                               v->configured_evidence[0] ? json_object_new_string(v->configured_evidence) : NULL);
    }
    return o;
}

/* ---- the probe */

/* TLS 1.3 and 1.2 when accepted; else the newest older version accepted, or none. */
static size_t versions_to_test(endpoint_t *ep, int *out)
{
    /* OpenSSL's version numbers are the wire versions. */
    static const int newest_first[] = { TLS1_3_VERSION, TLS1_2_VERSION, TLS1_1_VERSION, TLS1_VERSION };
    unsigned accepted = probe_versions_accepted(ep);
    size_t n = 0;
    for (size_t i = 0; i < sizeof newest_first / sizeof *newest_first; i++) {
        if (n > 0 && newest_first[i] < TLS1_2_VERSION)
            break;
        if (accepted & probe_version_bit((uint16_t)newest_first[i]))
            out[n++] = newest_first[i];
        if (n > 0 && newest_first[i] < TLS1_2_VERSION)
            break;
    }
    return n;
}

/* The versions the versions probe left undetermined among those this probe would test (TLS 1.3
 * and 1.2): what they do with client certificates is unknown, so no "not requested", "not let
 * in" or "required" can stand for the endpoint as a whole. "" when none. */
static void undetermined_versions(endpoint_t *ep, char *out, size_t outlen)
{
    static const char *const modern[] = { "TLSv1.3", "TLSv1.2" };
    json_object *v = endpoint_probe_facts(ep, "versions");
    out[0] = '\0';
    for (size_t i = 0; i < sizeof modern / sizeof *modern; i++) {
        json_object *p = jr_named(v, "protocols", modern[i]), *acc = jr_at(p, "accepted");
        if (!acc || !json_object_is_type(acc, json_type_boolean)) {
            size_t used = strlen(out);
            snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", modern[i]);
        }
    }
}

enum field { F_REQUESTED, F_REQUIRED, F_UNTRUSTED, F_CONFIGURED };

static tri_t field_of(const version_facts_t *v, enum field f)
{
    switch (f) {
    case F_REQUESTED: return v->requested;
    case F_REQUIRED: return v->required;
    case F_UNTRUSTED: return v->accepts_untrusted;
    default: return v->configured_accepted;
    }
}

/* Over the versions: true if any says true (requested; an untrusted certificate let in).
 * For the untrusted certificate only versions that ask for one count: where none is asked
 * for, there is nothing to accept or refuse. */
static tri_t any_true(const version_facts_t *v, size_t n, enum field f)
{
    tri_t out = n ? TRI_FALSE : TRI_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        if (f == F_UNTRUSTED && v[i].requested == TRI_FALSE)
            continue;
        tri_t x = field_of(&v[i], f);
        if (x == TRI_TRUE)
            return TRI_TRUE;
        if (x == TRI_UNKNOWN)
            out = TRI_UNKNOWN;
    }
    return out;
}

/* True only if every version that asked for a certificate says true (required; the
 * configured certificate accepted). For required, a version that asks for none lets clients in
 * without one (false), and one not known to ask leaves it unknown. */
static tri_t all_true(const version_facts_t *v, size_t n, enum field f)
{
    tri_t out = TRI_UNKNOWN;
    bool unknown = false;
    for (size_t i = 0; i < n; i++) {
        if (f == F_REQUIRED && v[i].requested == TRI_FALSE)
            return TRI_FALSE;
        if (f == F_REQUIRED && v[i].requested == TRI_UNKNOWN)
            unknown = true;
        if (v[i].requested != TRI_TRUE)
            continue;
        tri_t x = field_of(&v[i], f);
        if (x == TRI_FALSE)
            return TRI_FALSE;
        if (x == TRI_UNKNOWN)
            unknown = true;
        else
            out = TRI_TRUE;
    }
    return unknown ? TRI_UNKNOWN : out;
}

/* What decided accepts_untrusted, version by version ("TLSv1.3: self-signed certificate: ..."). */
static json_object *untrusted_evidence(const version_facts_t *v, size_t n)
{
    char text[1200] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof text; i++) {
        if (v[i].requested == TRI_FALSE || !v[i].untrusted_evidence[0])
            continue;
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%s: %s", used ? "; " : "", v[i].name,
                                 v[i].untrusted_evidence);
    }
    return used ? json_object_new_string(text) : NULL;
}

static const char *version_name(int version)
{
    switch (version) {
    case TLS1_3_VERSION: return "TLSv1.3";
    case TLS1_2_VERSION: return "TLSv1.2";
    case TLS1_1_VERSION: return "TLSv1.1";
    default: return "TLSv1.0";
    }
}

static probe_status_t mtls_run(probe_ctx_t *ctx)
{
    endpoint_t *ep = ctx->ep;
    const target_t *t = ep->target;
    json_object *out = ctx->out;
    int versions[4];
    size_t nv = versions_to_test(ep, versions);
    if (nv == 0) {
        snprintf(ctx->err, sizeof ctx->err, "no TLS version accepted");
        return PROBE_ERROR;
    }
    /* Only when the certificate probe runs: else the default handshake would be one more
     * connection, not one fewer. */
    int cert = probe_index("certificate");
    mtls_run_t run = { .ctx = ctx, .default_hs = !t->client_cert && cert >= 0 && probe_selected(ep->opts, (size_t)cert) };
    known_hello_load(ep, &run.known);
    client_id_t untrusted;
    bool have_untrusted = make_untrusted_identity(&untrusted);
    version_facts_t v[4];
    memset(v, 0, sizeof v);
    json_object *ca_names = json_object_new_array(), *by_version = json_object_new_object();
    for (size_t i = 0; i < nv; i++) {
        v[i].name = version_name(versions[i]);
        probe_version(&run, versions[i], have_untrusted ? &untrusted : NULL, &v[i], ca_names);
        json_object_object_add(by_version, v[i].name, version_json(&v[i], t->client_cert != NULL));
    }
    X509_free(untrusted.cert);
    EVP_PKEY_free(untrusted.key);

    /* A version left undetermined was not tried: only what the tried ones prove stands (a "yes"),
     * never a "no" for the whole endpoint. */
    char untried[32];
    undetermined_versions(ep, untried, sizeof untried);
    tri_t requested = any_true(v, nv, F_REQUESTED), required = all_true(v, nv, F_REQUIRED);
    tri_t untrusted_in = requested == TRI_TRUE ? any_true(v, nv, F_UNTRUSTED) : TRI_UNKNOWN;
    if (untried[0]) {
        requested = requested == TRI_FALSE ? TRI_UNKNOWN : requested;
        required = required == TRI_TRUE ? TRI_UNKNOWN : required;
        untrusted_in = untrusted_in == TRI_FALSE ? TRI_UNKNOWN : untrusted_in;
    }
    json_object_object_add(out, "requested", tri_json(requested));
    json_object_object_add(out, "required",
                           requested == TRI_FALSE ? json_object_new_boolean(false) : tri_json(required));
    json_object_object_add(out, "accepts_untrusted", tri_json(untrusted_in));
    json_object *ev = requested != TRI_FALSE ? untrusted_evidence(v, nv) : NULL;
    if (untried[0]) {
        char text[1400];
        snprintf(text, sizeof text, "%s%snot tried on %s (undetermined by the versions probe)",
                 ev ? json_object_get_string(ev) : "", ev ? "; " : "", untried);
        json_object_put(ev);
        ev = json_object_new_string(text);
    }
    json_object_object_add(out, "untrusted_evidence", ev);
    json_object_object_add(out, "ca_names", ca_names);
    json_object *configured = NULL;
    if (t->client_cert) {
        configured = json_object_new_object();
        const char *why = NULL;
        for (size_t i = 0; i < nv && !why; i++)
            if (v[i].requested == TRI_TRUE && v[i].configured_accepted != TRI_TRUE)
                why = v[i].configured_evidence;
        json_object_object_add(configured, "file", json_object_new_string(t->client_cert));
        json_object_object_add(configured, "accepted",
                               requested == TRI_TRUE ? tri_json(all_true(v, nv, F_CONFIGURED))
                                                     : NULL);
        json_object_object_add(configured, "error",
                               requested != TRI_TRUE ? json_object_new_string("the server did not request a client certificate")
                               : why                 ? json_object_new_string(why)
                                                     : NULL);
    }
    json_object_object_add(out, "configured_cert", configured);
    json_object_object_add(out, "by_version", by_version);
    json_object_object_add(out, "dropped_hellos", json_object_new_int((int)run.dropped));
    return PROBE_OK;
}

static const char *const mtls_needs[] = { "versions", NULL };

render_text_fn mtls_render_text;   /* probes/mtls_render.c */

const probe_module_t probe_mtls = {
    .name = "mtls",
    .help = "client certificates: requested, required, an untrusted one accepted, CA names, the configured one accepted",
    .needs = mtls_needs,
    .run = mtls_run,
    .chain = 5,
    .render_text = mtls_render_text,
};
