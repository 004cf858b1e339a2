/* Full OpenSSL client handshake with deadlines. The socket is reached through a small BIO of
 * our own so that writes use MSG_NOSIGNAL (a peer that resets mid-handshake must not raise
 * SIGPIPE), so the bytes a server may send before the handshake ends are capped, and so a
 * hello the server dropped without a word (nothing read back) can be told from a refusal. */
#include "tls_handshake.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>

#include "net.h"

/* ---- the socket BIO ---- */

typedef struct hs_socket {
    int fd;
    size_t read_total;
    size_t written;    /* bytes sent: a hello left, so silence after it is the server's */
    size_t read_cap;   /* SIZE_MAX once the handshake is over */
    bool over_cap;
    bool eof;
    int last_errno;
} hs_socket_t;

static BIO_METHOD *socket_method;
static pthread_once_t socket_method_once = PTHREAD_ONCE_INIT;

static int socket_write(BIO *b, const char *buf, int len)
{
    hs_socket_t *s = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0)
        return 0;
    ssize_t n;
    do
        n = send(s->fd, buf, (size_t)len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            BIO_set_retry_write(b);
        else
            s->last_errno = errno;
        return -1;
    }
    s->written += (size_t)n;
    return (int)n;
}

static int socket_read(BIO *b, char *buf, int len)
{
    hs_socket_t *s = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0)
        return 0;
    if (s->read_total >= s->read_cap) {
        s->over_cap = true;
        return -1;
    }
    size_t want = (size_t)len;
    if (want > s->read_cap - s->read_total)
        want = s->read_cap - s->read_total;
    ssize_t n;
    do
        n = recv(s->fd, buf, want, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            BIO_set_retry_read(b);
        else
            s->last_errno = errno;
        return -1;
    }
    if (n == 0)
        s->eof = true;   /* reported through BIO_CTRL_EOF, as OpenSSL's own socket BIO does */
    s->read_total += (size_t)n;
    return (int)n;
}

static int socket_puts(BIO *b, const char *str)
{
    return socket_write(b, str, (int)strlen(str));
}

static long socket_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)num;
    hs_socket_t *s = BIO_get_data(b);
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_EOF:
        return s && s->eof;
    case BIO_C_GET_FD:
        if (!s)
            return -1;
        if (ptr)
            *(int *)ptr = s->fd;
        return s->fd;
    default:
        return 0;
    }
}

static int socket_create(BIO *b)
{
    BIO_set_init(b, 0);
    BIO_set_data(b, NULL);
    return 1;
}

static int socket_destroy(BIO *b)
{
    free(BIO_get_data(b));   /* the fd stays the caller's */
    BIO_set_data(b, NULL);
    BIO_set_init(b, 0);
    return 1;
}

static void socket_method_init(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tlsprobe socket");
    if (!m)
        return;
    if (!BIO_meth_set_write(m, socket_write) || !BIO_meth_set_read(m, socket_read) ||
        !BIO_meth_set_puts(m, socket_puts) || !BIO_meth_set_ctrl(m, socket_ctrl) ||
        !BIO_meth_set_create(m, socket_create) || !BIO_meth_set_destroy(m, socket_destroy)) {
        BIO_meth_free(m);
        return;
    }
    socket_method = m;
}

static BIO *socket_bio_new(int fd, hs_socket_t **state)
{
    pthread_once(&socket_method_once, socket_method_init);
    if (!socket_method)
        return NULL;
    hs_socket_t *s = calloc(1, sizeof *s);
    BIO *b = s ? BIO_new(socket_method) : NULL;
    if (!b) {
        free(s);
        return NULL;
    }
    s->fd = fd;
    s->read_cap = TLS_HS_MAX_HANDSHAKE_BYTES;
    BIO_set_data(b, s);
    BIO_set_init(b, 1);
    *state = s;
    return b;
}

/* ---- result helpers ---- */

static void set_error(tls_hs_result_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
}

static void append_error(tls_hs_result_t *r, const char *fmt, ...)
{
    size_t used = strlen(r->error);
    if (used + 1 >= sizeof r->error)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error + used, sizeof r->error - used, fmt, ap);
    va_end(ap);
}

/* The first queued OpenSSL error as a short reason ("tlsv1 alert protocol version").
 * Empties the queue so nothing leaks into later calls on this thread. */
static bool take_openssl_error(char *out, size_t outlen)
{
    unsigned long e = ERR_get_error();
    if (e == 0)
        return false;
    const char *reason = ERR_SYSTEM_ERROR(e) ? strerror(ERR_GET_REASON(e)) : ERR_reason_error_string(e);
    if (reason)
        snprintf(out, outlen, "%s", reason);
    else
        ERR_error_string_n(e, out, outlen);
    ERR_clear_error();
    return true;
}

static void copy_printable(char *dst, size_t dstlen, const unsigned char *src, size_t len)
{
    size_t n = len < dstlen - 1 ? len : dstlen - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
    dst[n] = '\0';
}

/* Alerts are recorded as they pass: the handshake's failure reason often is just the alert. */
static void info_callback(const SSL *ssl, int where, int ret)
{
    if (!(where & SSL_CB_ALERT))
        return;
    tls_hs_result_t *r = SSL_get_app_data(ssl);
    if (!r)
        return;
    int desc = ret & 0xff;
    bool fatal = (ret >> 8) == SSL3_AL_FATAL;
    int *slot = (where & SSL_CB_READ) ? &r->alert_received : &r->alert_sent;
    /* Keep the first alert, unless a fatal one follows a warning: the fatal one explains. */
    if (*slot < 0 || fatal)
        *slot = desc;
}

static void append_alerts(tls_hs_result_t *r)
{
    if (r->alert_received >= 0)
        append_error(r, "; alert received: %s (%d)", SSL_alert_desc_string_long(r->alert_received),
                     r->alert_received);
    else if (r->alert_sent >= 0)
        append_error(r, "; alert sent: %s (%d)", SSL_alert_desc_string_long(r->alert_sent), r->alert_sent);
}

/* "h2,http/1.1" -> ALPN wire format (length-prefixed). NULL if no valid entry. */
static unsigned char *alpn_wire(const char *list, unsigned int *outlen)
{
    size_t len = strlen(list);
    unsigned char *w = malloc(len + 1);
    if (!w)
        return NULL;
    size_t pos = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n > 0 && n <= 255) {
            w[pos++] = (unsigned char)n;
            memcpy(w + pos, p, n);
            pos += n;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    if (pos == 0) {
        free(w);
        return NULL;
    }
    *outlen = (unsigned int)pos;
    return w;
}

/* Called when a CertificateRequest arrives (whether or not a certificate is configured):
 * the only way to see a TLS 1.3 request, which is encrypted. Changes nothing in the reply. */
static int on_cert_request(SSL *ssl, void *arg)
{
    (void)arg;
    tls_hs_result_t *r = SSL_get_app_data(ssl);
    if (!r)
        return 1;
    r->client_cert_requested = true;
    r->client_cert_offered = SSL_get_certificate(ssl) != NULL;
    const STACK_OF(X509_NAME) *names = SSL_get0_peer_CA_list(ssl);
    if (names && sk_X509_NAME_num(names) > 0 && !r->client_ca_names)
        r->client_ca_names = SSL_dup_CA_list(names);
    return 1;
}

/* ---- setup ---- */

static SSL_CTX *make_ctx(const tls_hs_options_t *o, tls_hs_result_t *r)
{
    char why[256] = "out of memory";
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        goto fail;
    /* Explicit settings override any system-wide MinProtocol/CipherString policy. */
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    /* Servers that never learned RFC 5746 are exactly the ones worth reporting on. Padding
     * keeps the hello out of 256..511 bytes, which some load balancers drop (RFC 7685). */
    uint64_t op = SSL_OP_LEGACY_SERVER_CONNECT;
    op |= o->no_padding ? 0 : SSL_OP_TLSEXT_PADDING;
    op |= o->no_ticket ? SSL_OP_NO_TICKET : 0;
    op |= o->no_etm_ems ? SSL_OP_NO_ENCRYPT_THEN_MAC | SSL_OP_NO_EXTENDED_MASTER_SECRET : 0;
    SSL_CTX_set_options(ctx, op);
    if (!SSL_CTX_set_min_proto_version(ctx, o->min_version ? o->min_version : TLS1_VERSION) ||
        !SSL_CTX_set_max_proto_version(ctx, o->max_version)) {
        snprintf(why, sizeof why, "unsupported protocol version range");
        goto fail;
    }
    if (!SSL_CTX_set_cipher_list(ctx, o->ciphers ? o->ciphers : TLS_HS_DEFAULT_CIPHERS)) {
        snprintf(why, sizeof why, "no usable cipher in '%s'", o->ciphers ? o->ciphers : TLS_HS_DEFAULT_CIPHERS);
        goto fail;
    }
    if (!SSL_CTX_set_ciphersuites(ctx, o->ciphersuites ? o->ciphersuites : TLS_HS_DEFAULT_CIPHERSUITES)) {
        snprintf(why, sizeof why, "bad TLS 1.3 suite list '%s'",
                 o->ciphersuites ? o->ciphersuites : TLS_HS_DEFAULT_CIPHERSUITES);
        goto fail;
    }
    if (o->sigalgs && !SSL_CTX_set1_sigalgs_list(ctx, o->sigalgs)) {
        snprintf(why, sizeof why, "bad signature algorithm list '%.200s'", o->sigalgs);
        goto fail;
    }
    if (o->groups && !SSL_CTX_set1_groups_list(ctx, o->groups)) {
        snprintf(why, sizeof why, "bad group list '%.200s'", o->groups);
        goto fail;
    }
    if (o->client_cert_file) {
        const char *key = o->client_key_file ? o->client_key_file : o->client_cert_file;
        if (SSL_CTX_use_certificate_chain_file(ctx, o->client_cert_file) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(ctx) != 1) {
            char reason[200] = "?";
            take_openssl_error(reason, sizeof reason);
            snprintf(why, sizeof why, "client certificate %s: %s", o->client_cert_file, reason);
            goto fail;
        }
    } else if (o->client_cert && o->client_key) {
        if (SSL_CTX_use_certificate(ctx, o->client_cert) != 1 || SSL_CTX_use_PrivateKey(ctx, o->client_key) != 1 ||
            SSL_CTX_check_private_key(ctx) != 1) {
            char reason[200] = "?";
            take_openssl_error(reason, sizeof reason);
            snprintf(why, sizeof why, "client certificate (in memory): %s", reason);
            goto fail;
        }
    }
    SSL_CTX_set_cert_cb(ctx, on_cert_request, NULL);
    return ctx;
fail:
    set_error(r, "handshake setup: %s", why);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return NULL;
}

static SSL *make_ssl(SSL_CTX *ctx, const tls_hs_options_t *o, tls_hs_result_t *r)
{
    SSL *ssl = SSL_new(ctx);
    if (!ssl) {
        set_error(r, "handshake setup: SSL_new failed");
        return NULL;
    }
    SSL_set_app_data(ssl, r);
    SSL_set_info_callback(ssl, info_callback);
    if (o->sni && *o->sni && !SSL_set_tlsext_host_name(ssl, o->sni)) {
        set_error(r, "handshake setup: server name '%.200s' cannot be sent as SNI", o->sni);
        goto fail;
    }
    if (o->request_ocsp && !SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp)) {
        set_error(r, "handshake setup: cannot request OCSP stapling");
        goto fail;
    }
    if (o->alpn) {
        unsigned int wlen = 0;
        unsigned char *w = alpn_wire(o->alpn, &wlen);
        int bad = !w || SSL_set_alpn_protos(ssl, w, wlen) != 0;   /* 0 is success here */
        free(w);
        if (bad) {
            set_error(r, "handshake setup: bad ALPN list '%.200s'", o->alpn);
            goto fail;
        }
    }
    return ssl;
fail:
    SSL_free(ssl);
    ERR_clear_error();
    return NULL;
}

/* ---- the handshake ---- */

static void describe_failure(tls_hs_result_t *r, SSL *ssl, int ret, const hs_socket_t *sock)
{
    char reason[256];
    int e = SSL_get_error(ssl, ret);
    if (sock->over_cap) {
        set_error(r, "server sent more than %d bytes without completing the handshake",
                  TLS_HS_MAX_HANDSHAKE_BYTES);
    } else if (sock->eof && r->alert_received < 0) {
        /* OpenSSL's "unexpected eof" and the alert it could no longer deliver say only this. */
        set_error(r, "connection closed by the server during the handshake");
    } else {
        if (take_openssl_error(reason, sizeof reason))
            set_error(r, "%s", reason);
        else if (e == SSL_ERROR_SYSCALL && sock->last_errno)
            set_error(r, "socket error during handshake: %s", strerror(sock->last_errno));
        else if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN)
            set_error(r, "connection closed by the server during the handshake");
        else
            set_error(r, "handshake failed (SSL error %d)", e);
        append_alerts(r);
    }
    ERR_clear_error();
}

/* A hello went out and not one byte came back: the server dropped it (closed, reset or
 * silent), which says nothing about what it was asked. */
static void note_dropped(tls_hs_result_t *r, const hs_socket_t *sock)
{
    r->dropped = sock->written > 0 && sock->read_total == 0 && r->alert_received < 0;
}

static void collect(tls_hs_result_t *r, SSL *ssl)
{
    r->version = SSL_version(ssl);
    snprintf(r->protocol, sizeof r->protocol, "%s", SSL_get_version(ssl));
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    if (c) {
        const char *std = SSL_CIPHER_standard_name(c);
        snprintf(r->cipher, sizeof r->cipher, "%s", std ? std : "");
        snprintf(r->openssl_cipher, sizeof r->openssl_cipher, "%s", SSL_CIPHER_get_name(c));
    }
    const unsigned char *alpn = NULL;
    unsigned int alpn_len = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    if (alpn && alpn_len)
        copy_printable(r->alpn, sizeof r->alpn, alpn, alpn_len);
    STACK_OF(X509) *served = SSL_get_peer_cert_chain(ssl);
    if (served && sk_X509_num(served) > 0)
        r->chain = X509_chain_up_ref(served);
    const unsigned char *ocsp = NULL;
    long ocsp_len = SSL_get_tlsext_status_ocsp_resp(ssl, &ocsp);
    if (ocsp && ocsp_len > 0) {
        r->ocsp_response = malloc((size_t)ocsp_len);
        if (r->ocsp_response) {
            memcpy(r->ocsp_response, ocsp, (size_t)ocsp_len);
            r->ocsp_response_len = (size_t)ocsp_len;
        }
    }
}

int tls_hs_connect(int fd, const tls_hs_options_t *opts, tls_hs_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->alert_received = r->alert_sent = -1;
    ERR_clear_error();

    SSL_CTX *ctx = make_ctx(opts, r);
    if (!ctx)
        return -1;
    SSL *ssl = make_ssl(ctx, opts, r);
    SSL_CTX_free(ctx);   /* the SSL keeps its own reference */
    if (!ssl)
        return -1;
    hs_socket_t *sock = NULL;
    BIO *bio = socket_bio_new(fd, &sock);
    if (!bio) {
        set_error(r, "handshake setup: cannot create the socket BIO");
        SSL_free(ssl);
        return -1;
    }
    SSL_set_bio(ssl, bio, bio);

    double per_wait = opts->timeout_s, total = NET_EXCHANGE_WAITS * per_wait;
    double deadline = net_now() + total;
    for (;;) {
        ERR_clear_error();
        int ret = SSL_connect(ssl);
        if (ret == 1)
            break;
        int e = SSL_get_error(ssl, ret);
        short events;
        if (e == SSL_ERROR_WANT_READ)
            events = POLLIN;
        else if (e == SSL_ERROR_WANT_WRITE)
            events = POLLOUT;
        else {
            describe_failure(r, ssl, ret, sock);
            goto fail;
        }
        double left = deadline - net_now();
        if (left <= 0) {
            set_error(r, "handshake did not finish within %.1f s", total);
            goto timed_out;
        }
        double wait = per_wait < left ? per_wait : left;
        int w = net_wait(fd, events, wait);
        if (w < 0) {
            set_error(r, "socket error during handshake: %s", strerror(errno));
            goto fail;
        }
        if (w == 0) {
            if (wait < per_wait)
                set_error(r, "handshake did not finish within %.1f s", total);
            else
                set_error(r, "handshake timed out: server %s for %.1f s",
                          events == POLLIN ? "sent nothing" : "accepted no data", per_wait);
            goto timed_out;
        }
    }
    sock->read_cap = SIZE_MAX;   /* handshake over: callers may go on reading */
    r->ok = true;
    collect(r, ssl);
    /* The callback's pointer would dangle once the caller moves or frees the result. */
    SSL_set_app_data(ssl, NULL);
    r->ssl = ssl;
    ERR_clear_error();
    return 0;

timed_out:
    r->timed_out = true;
    append_alerts(r);
fail:
    note_dropped(r, sock);
    SSL_free(ssl);
    ERR_clear_error();
    return -1;
}

int tls_hs_offered_codes(const tls_hs_options_t *opts)
{
    tls_hs_options_t o = *opts;
    /* Only the suites matter: no certificate files need reading for that. */
    o.client_cert_file = o.client_key_file = NULL;
    o.client_cert = NULL;
    o.client_key = NULL;
    tls_hs_result_t r;
    memset(&r, 0, sizeof r);
    SSL_CTX *ctx = make_ctx(&o, &r);
    SSL *ssl = ctx ? SSL_new(ctx) : NULL;
    STACK_OF(SSL_CIPHER) *list = ssl ? SSL_get1_supported_ciphers(ssl) : NULL;
    /* The renegotiation SCSV goes with every initial hello. */
    int n = list ? sk_SSL_CIPHER_num(list) + 1 : -1;
    sk_SSL_CIPHER_free(list);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return n;
}

void tls_hs_close_notify(tls_hs_result_t *r)
{
    if (!r || !r->ssl)
        return;
    SSL_shutdown(r->ssl);   /* one non-blocking attempt; a full socket buffer just skips it */
    ERR_clear_error();
}

/* One SSL_read or SSL_write step under a deadline; the info callback sees post-handshake
 * alerts while it runs. */
static ssize_t io_step(tls_hs_result_t *r, int fd, void *rbuf, const void *wbuf, size_t len, double timeout_s)
{
    if (!r->ssl) {
        set_error(r, "no connection");
        return -1;
    }
    int n = len > INT32_MAX ? INT32_MAX : (int)len;
    double deadline = net_now() + timeout_s;
    SSL_set_app_data(r->ssl, r);
    ssize_t out;
    for (;;) {
        ERR_clear_error();
        int ret = rbuf ? SSL_read(r->ssl, rbuf, n) : SSL_write(r->ssl, wbuf, n);
        if (ret > 0) {
            out = ret;
            break;
        }
        int e = SSL_get_error(r->ssl, ret);
        if (e == SSL_ERROR_ZERO_RETURN) {
            out = 0;
            break;
        }
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            double left = deadline - net_now();
            int w = left > 0 ? net_wait(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, left) : 0;
            if (w > 0)
                continue;
            if (w < 0) {
                set_error(r, "socket error: %s", strerror(errno));
                out = -1;
            } else {
                set_error(r, "nothing within %.1f s", timeout_s);
                out = TLS_HS_TIMEOUT;
            }
            break;
        }
        char reason[256];
        if (take_openssl_error(reason, sizeof reason)) {
            set_error(r, "%s", reason);
            append_alerts(r);
            out = -1;
        } else if (rbuf && e == SSL_ERROR_SYSCALL) {
            out = 0;   /* end of stream without close_notify: closed all the same */
        } else {
            set_error(r, "connection closed (SSL error %d)", e);
            out = -1;
        }
        break;
    }
    SSL_set_app_data(r->ssl, NULL);
    ERR_clear_error();
    return out;
}

ssize_t tls_hs_read(tls_hs_result_t *r, int fd, void *buf, size_t cap, double timeout_s)
{
    return io_step(r, fd, buf, NULL, cap, timeout_s);
}

int tls_hs_write(tls_hs_result_t *r, int fd, const void *buf, size_t len, double timeout_s)
{
    double deadline = net_now() + timeout_s;
    const char *p = buf;
    while (len > 0) {
        double left = deadline - net_now();
        ssize_t n = left > 0 ? io_step(r, fd, NULL, p, len, left) : TLS_HS_TIMEOUT;
        if (n <= 0) {
            if (n == TLS_HS_TIMEOUT)
                set_error(r, "could not send within %.1f s", timeout_s);
            else if (n == 0)
                set_error(r, "connection closed by the peer");
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

void tls_hs_result_free(tls_hs_result_t *r)
{
    if (!r)
        return;
    sk_X509_NAME_pop_free(r->client_ca_names, X509_NAME_free);
    r->client_ca_names = NULL;
    sk_X509_pop_free(r->chain, X509_free);   /* NULL-safe */
    r->chain = NULL;
    free(r->ocsp_response);
    r->ocsp_response = NULL;
    r->ocsp_response_len = 0;
    SSL_free(r->ssl);
    r->ssl = NULL;
}
