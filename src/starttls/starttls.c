/* STARTTLS for the line-based protocols (SMTP, IMAP, POP3, FTP, XMPP), the bounded reader
 * they share, and the dispatch. Binary protocols are in starttls_binary.c. */
#include "starttls.h"
#include "starttls_auth.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "net.h"

int starttls_fail(starttls_conn_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

void starttls_printable(char *dst, size_t cap, const void *src, size_t len)
{
    const unsigned char *s = src;
    size_t n = 0;
    if (cap == 0)
        return;
    for (size_t i = 0; i < len && n + 1 < cap; i++)
        dst[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
    dst[n] = '\0';
}

void starttls_add_cap_text(starttls_transcript_t *t, const char *prefix, const void *data, size_t len)
{
    size_t plen = strlen(prefix);
    if (!t || plen + len == 0)
        return;
    /* Bounded in bytes only: a capability list may be of any length within the cap. */
    if (t->caps_bytes + plen + len + 1 > STARTTLS_MAX_CAPS_BYTES) {
        t->caps_truncated = true;
        return;
    }
    if (t->ncaps == t->caps_alloc) {
        size_t want = t->caps_alloc ? 2 * t->caps_alloc : 32;
        char **grown = realloc(t->caps, want * sizeof *grown);
        if (!grown) {
            t->caps_truncated = true;
            return;
        }
        t->caps = grown;
        t->caps_alloc = want;
    }
    char *cap = malloc(plen + len + 1);
    if (!cap) {
        t->caps_truncated = true;
        return;
    }
    memcpy(cap, prefix, plen);
    starttls_printable(cap + plen, len + 1, data, len);
    t->caps[t->ncaps++] = cap;
    t->caps_bytes += plen + len + 1;
}

void starttls_add_cap(starttls_transcript_t *t, const char *cap)
{
    starttls_add_cap_text(t, "", cap, strlen(cap));
}

void starttls_transcript_free(starttls_transcript_t *t)
{
    for (size_t i = 0; t && i < t->ncaps; i++)
        free(t->caps[i]);
    if (t) {
        free(t->caps);
        t->caps = NULL;
        t->ncaps = t->caps_alloc = t->caps_bytes = 0;
    }
}

/* Whether the first n bytes of name are a capability (case-insensitive): a whole first word,
 * or an "AUTH=PLAIN"-style atom prefix when name ends in '='. */
static bool has_cap_n(const starttls_transcript_t *t, const char *name, size_t n)
{
    for (size_t i = 0; t && n > 0 && i < t->ncaps; i++) {
        const char *c = t->caps[i];
        if (strncasecmp(c, name, n) == 0 && (name[n - 1] == '=' || c[n] == '\0' || c[n] == ' '))
            return true;
    }
    return false;
}

bool starttls_has_cap(const starttls_transcript_t *t, const char *name)
{
    return has_cap_n(t, name, strlen(name));
}

void starttls_conn_init(starttls_conn_t *c, int fd, double timeout_s, char *err, size_t errlen)
{
    c->fd = fd;
    c->deadline = net_now() + timeout_s;
    c->len = 0;
    c->reply_bytes = 0;
    c->host = NULL;
    c->err = err;
    c->errlen = errlen;
    if (err && errlen)
        err[0] = '\0';
}

int starttls_send(starttls_conn_t *c, const void *data, size_t len, const char *what)
{
    double left = c->deadline - net_now();
    if (left <= 0 || net_send_all(c->fd, data, len, left) < 0)
        return starttls_fail(c, "sending %s: %s", what, left <= 0 || errno == ETIMEDOUT ? "timed out" : strerror(errno));
    c->reply_bytes = 0;   /* a new request: the next reply gets its own budget */
    return 0;
}

/* Reads more into the buffer (at least one byte) before the deadline. */
static int fill(starttls_conn_t *c, const char *what)
{
    if (c->len == sizeof c->buf)
        return starttls_fail(c, "%s: reply too long (over %d bytes)", what, STARTTLS_MAX_REPLY);
    double left = c->deadline - net_now();
    ssize_t n = left > 0 ? net_recv_some(c->fd, c->buf + c->len, sizeof c->buf - c->len, left) : -1;
    if (n > 0) {
        c->len += (size_t)n;
        return 0;
    }
    if (n == 0)
        return starttls_fail(c, "connection closed while waiting for %s", what);
    if (left <= 0 || errno == ETIMEDOUT)
        return starttls_fail(c, "timed out waiting for %s", what);
    return starttls_fail(c, "reading %s: %s", what, strerror(errno));
}

static int consume(starttls_conn_t *c, size_t n, const char *what)
{
    c->reply_bytes += n;
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
    if (c->reply_bytes > STARTTLS_MAX_REPLY)
        return starttls_fail(c, "%s: reply too long (over %d bytes)", what, STARTTLS_MAX_REPLY);
    return 0;
}

int starttls_read_exact(starttls_conn_t *c, void *out, size_t n, const char *what)
{
    if (n > sizeof c->buf)
        return starttls_fail(c, "%s: reply too long (%zu bytes)", what, n);
    while (c->len < n)
        if (fill(c, what) < 0)
            return -1;
    memcpy(out, c->buf, n);
    return consume(c, n, what);
}

/* One line into c->line, without its CR LF, printable. A line may be as long as a whole
 * reply (STARTTLS_MAX_REPLY): fill() refuses more. */
static int read_line(starttls_conn_t *c, const char *what)
{
    size_t scanned = 0;
    for (;;) {
        unsigned char *nl = memchr(c->buf + scanned, '\n', c->len - scanned);
        if (nl) {
            size_t n = (size_t)(nl - c->buf);
            size_t text = n > 0 && c->buf[n - 1] == '\r' ? n - 1 : n;
            starttls_printable(c->line, sizeof c->line, c->buf, text);
            return consume(c, n + 1, what);
        }
        scanned = c->len;   /* search only new bytes: a long line costs linear time */
        if (fill(c, what) < 0)
            return -1;
    }
}

/* After the server agreed to upgrade, it must wait for our ClientHello: anything already
 * buffered was sent in cleartext and would be taken as TLS by a naive client (the STARTTLS
 * injection class of bugs), so it is an error here. */
static int expect_drained(starttls_conn_t *c)
{
    if (c->len > 0)
        return starttls_fail(c, "server sent %zu unexpected bytes after agreeing to STARTTLS", c->len);
    return 0;
}

static void set_text(char *dst, const char *src)
{
    size_t n = strnlen(src, STARTTLS_TEXT_LEN - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ---- SMTP (RFC 3207) and FTP (RFC 4217): "NNN-text" continued, "NNN text" last. */

/* FTP (RFC 959 §4.2) lets the lines between a multi-line reply's first and last be any text
 * (FEAT's are " AUTH TLS" etc., RFC 2389); SMTP's all carry the code. ftp_text selects FTP. */
static bool ftp_text_line(const char *line, int code)
{
    bool same_code = strlen(line) >= 4 && line[0] == '0' + code / 100 && line[1] == '0' + code / 10 % 10 &&
                     line[2] == '0' + code % 10;
    return !same_code || (line[3] != ' ' && line[3] != '-');
}

static int read_reply(starttls_conn_t *c, int *code, char *first, starttls_transcript_t *caps_into,
                      const char *what, bool ftp_text)
{
    const char *line = c->line;
    for (int i = 0;; i++) {
        if (read_line(c, what) < 0)
            return -1;
        if (ftp_text && i > 0 && ftp_text_line(line, *code)) {
            if (caps_into)
                starttls_add_cap(caps_into, line);
            continue;
        }
        if (strlen(line) < 3 || line[0] < '1' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
            line[2] < '0' || line[2] > '9')
            return starttls_fail(c, "%s: not a reply line: \"%.80s\"", what, line);
        int this_code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (i == 0) {
            *code = this_code;
            if (first)
                set_text(first, line);
        } else if (this_code != *code) {
            return starttls_fail(c, "%s: reply code changed from %d to %d", what, *code, this_code);
        }
        /* EHLO: the first line is the greeting, every further one a keyword. */
        if (caps_into && i > 0)
            starttls_add_cap(caps_into, strlen(line) > 4 ? line + 4 : "");
        if (line[3] != '-')
            return 0;
    }
}

static int read_coded_reply(starttls_conn_t *c, int *code, char *first, starttls_transcript_t *caps_into,
                            const char *what)
{
    return read_reply(c, code, first, caps_into, what, false);
}

/* The address literal of our end, which is what EHLO should name when we have no domain. */
static void ehlo_name(int fd, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char addr[64];
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
        net_addr_str((const struct sockaddr *)&ss, addr, sizeof addr);
        snprintf(out, cap, ss.ss_family == AF_INET6 ? "[IPv6:%s]" : "[%s]", addr);
    } else {
        snprintf(out, cap, "tlsprobe.invalid");
    }
}

static int smtp(starttls_conn_t *c, starttls_transcript_t *t, bool upgrade)
{
    int code;
    char line[STARTTLS_TEXT_LEN], cmd[128], name[96];
    if (read_coded_reply(c, &code, t->banner, NULL, "SMTP greeting") < 0)
        return -1;
    if (code != 220)
        return starttls_fail(c, "SMTP greeting refused: %s", t->banner);
    ehlo_name(c->fd, name, sizeof name);
    snprintf(cmd, sizeof cmd, "EHLO %s\r\n", name);
    if (starttls_send(c, cmd, strlen(cmd), "EHLO") < 0 || read_coded_reply(c, &code, line, t, "EHLO reply") < 0)
        return -1;
    if (code != 250)
        return starttls_fail(c, "EHLO refused: %s", line);
    t->starttls_offered = starttls_has_cap(t, "STARTTLS");
    if (!upgrade)
        return 0;
    if (!t->starttls_offered)
        return starttls_fail(c, "STARTTLS not offered");
    if (starttls_send(c, "STARTTLS\r\n", 10, "STARTTLS") < 0 ||
        read_coded_reply(c, &code, t->reply, NULL, "STARTTLS reply") < 0)
        return -1;
    if (code != 220)
        return starttls_fail(c, "server refused STARTTLS: %s", t->reply);
    return 0;
}

static int ftp(starttls_conn_t *c, starttls_transcript_t *t, bool upgrade)
{
    int code;
    char line[STARTTLS_TEXT_LEN];
    do {   /* 120: "service ready in nnn minutes", then the real greeting */
        if (read_reply(c, &code, t->banner, NULL, "FTP greeting", true) < 0)
            return -1;
    } while (code == 120);
    if (code != 220)
        return starttls_fail(c, "FTP greeting refused: %s", t->banner);
    if (starttls_send(c, "FEAT\r\n", 6, "FEAT") < 0 || read_reply(c, &code, line, t, "FEAT reply", true) < 0)
        return -1;
    /* FEAT lines are indented by one space: drop it. */
    for (size_t i = 0; i < t->ncaps; i++) {
        char *s = t->caps[i];
        while (*s == ' ')
            memmove(s, s + 1, strlen(s));
    }
    if (t->ncaps > 0 && strcasecmp(t->caps[t->ncaps - 1], "End") == 0) {
        t->caps_bytes -= strlen(t->caps[t->ncaps - 1]) + 1;
        free(t->caps[--t->ncaps]);
    }
    /* Without FEAT (code 5xx) we cannot tell; AUTH TLS itself will. */
    t->starttls_offered = code == 211 ? starttls_has_cap(t, "AUTH TLS") || starttls_has_cap(t, "AUTH SSL") ||
                                            starttls_has_cap(t, "AUTH TLS;SSL") || starttls_has_cap(t, "AUTH SSL;TLS")
                                      : -1;
    if (!upgrade)
        return 0;
    if (t->starttls_offered == 0)
        return starttls_fail(c, "STARTTLS not offered");
    if (starttls_send(c, "AUTH TLS\r\n", 10, "AUTH TLS") < 0 ||
        read_reply(c, &code, t->reply, NULL, "AUTH TLS reply", true) < 0)
        return -1;
    if (code != 234)
        return starttls_fail(c, code == 500 || code == 502 || code == 504 ? "STARTTLS not offered (%s)" : "server refused STARTTLS: %s",
                    t->reply);
    return 0;
}

/* ---- IMAP (RFC 3501 / 9051) */

static void imap_caps(starttls_transcript_t *t, const char *list)
{
    while (*list) {
        while (*list == ' ')
            list++;
        size_t n = strcspn(list, " ]");
        if (n > 0 && !has_cap_n(t, list, n))
            starttls_add_cap_text(t, "", list, n);
        list += n;
        if (*list == ']')
            break;
    }
}

static int imap_command(starttls_conn_t *c, starttls_transcript_t *t, const char *tag, const char *command,
                        char *status_line)
{
    char cmd[64];
    const char *line = c->line;
    size_t taglen = strlen(tag);
    snprintf(cmd, sizeof cmd, "%s %s\r\n", tag, command);
    if (starttls_send(c, cmd, strlen(cmd), command) < 0)
        return -1;
    for (;;) {
        if (read_line(c, command) < 0)
            return -1;
        if (strncasecmp(line, "* CAPABILITY ", 13) == 0)
            imap_caps(t, line + 13);
        else if (strncmp(line, "* BYE", 5) == 0)
            return starttls_fail(c, "IMAP server said goodbye: %.200s", line);
        else if (strncmp(line, tag, taglen) == 0 && line[taglen] == ' ') {
            set_text(status_line, line + taglen + 1);
            return 0;
        }
        /* other untagged data is allowed and ignored; its size is bounded by the reply cap */
    }
}

/* Greeting and CAPABILITY; the greeting's own [CAPABILITY ...] counts only when the command
 * fails. */
static int imap_discover(starttls_conn_t *c, starttls_transcript_t *t)
{
    char status[STARTTLS_TEXT_LEN];
    if (read_line(c, "IMAP greeting") < 0)
        return -1;
    set_text(t->banner, c->line);
    if (strncasecmp(t->banner, "* PREAUTH", 9) == 0)
        return starttls_fail(c, "IMAP server pre-authenticated the connection: no STARTTLS possible");
    if (strncasecmp(t->banner, "* OK", 4) != 0)
        return starttls_fail(c, "IMAP greeting refused: %s", t->banner);
    /* The whole greeting (the banner keeps only its start), until CAPABILITY has answered. */
    const char *p = strstr(c->line, "[CAPABILITY ");
    char *greeting_caps = p ? strdup(p + 12) : NULL;
    int rc = imap_command(c, t, "t1", "CAPABILITY", status);
    if (rc == 0 && strncasecmp(status, "OK", 2) != 0 && greeting_caps)
        imap_caps(t, greeting_caps);
    free(greeting_caps);
    return rc;
}

static int imap(starttls_conn_t *c, starttls_transcript_t *t, bool upgrade)
{
    if (imap_discover(c, t) < 0)
        return -1;
    t->starttls_offered = starttls_has_cap(t, "STARTTLS");
    if (!upgrade)
        return 0;
    if (!t->starttls_offered)
        return starttls_fail(c, "STARTTLS not offered");
    if (imap_command(c, t, "t2", "STARTTLS", t->reply) < 0)
        return -1;
    if (strncasecmp(t->reply, "OK", 2) != 0)
        return starttls_fail(c, "server refused STARTTLS: %s", t->reply);
    return 0;
}

/* ---- POP3 (RFC 1939, 2449, 2595) */

static int pop3(starttls_conn_t *c, starttls_transcript_t *t, bool upgrade)
{
    const char *line = c->line;
    if (read_line(c, "POP3 greeting") < 0)
        return -1;
    set_text(t->banner, line);
    if (strncmp(t->banner, "+OK", 3) != 0)
        return starttls_fail(c, "POP3 greeting refused: %s", t->banner);
    if (starttls_send(c, "CAPA\r\n", 6, "CAPA") < 0 || read_line(c, "CAPA reply") < 0)
        return -1;
    if (strncmp(line, "+OK", 3) == 0) {
        for (;;) {
            if (read_line(c, "CAPA list") < 0)
                return -1;
            if (strcmp(line, ".") == 0)
                break;
            starttls_add_cap(t, line);
        }
        t->starttls_offered = starttls_has_cap(t, "STLS");
    } else {
        t->starttls_offered = 0;   /* RFC 2595: STLS is announced through CAPA */
    }
    if (!upgrade)
        return 0;
    if (!t->starttls_offered)
        return starttls_fail(c, "STARTTLS not offered");
    if (starttls_send(c, "STLS\r\n", 6, "STLS") < 0 || read_line(c, "STLS reply") < 0)
        return -1;
    set_text(t->reply, line);
    if (strncmp(t->reply, "+OK", 3) != 0)
        return starttls_fail(c, "server refused STARTTLS: %s", t->reply);
    return 0;
}

/* ---- XMPP (RFC 6120 §5): a stream header, the features, <starttls/>, <proceed/>. The
 * server's XML is only scanned for the few elements that matter, within the reply cap. */

/* Reads until `needle` appears in the buffered bytes (not consumed before); returns its
 * offset. */
static int read_until(starttls_conn_t *c, const char *needle, size_t *at, const char *what)
{
    size_t n = strlen(needle);
    for (;;) {
        for (size_t i = 0; i + n <= c->len; i++)
            if (memcmp(c->buf + i, needle, n) == 0) {
                *at = i;
                return 0;
            }
        if (fill(c, what) < 0)
            return -1;
    }
}

static const char *find_mem(const unsigned char *h, size_t hlen, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= hlen; i++)
        if (memcmp(h + i, needle, n) == 0)
            return (const char *)h + i;
    return NULL;
}

static void xmpp_features(starttls_transcript_t *t, const unsigned char *f, size_t len)
{
    const char *p = find_mem(f, len, "<starttls");
    if (p) {
        /* The closing tag after this opening one: a stray earlier one must not make a negative length. */
        size_t from = (size_t)((const unsigned char *)p - f);
        const char *end = find_mem((const unsigned char *)p, len - from, "</starttls>");
        bool required = end && find_mem((const unsigned char *)p, (size_t)(end - p), "<required");
        starttls_add_cap(t, required ? "starttls required" : "starttls");
    }
    /* <mechanism>PLAIN</mechanism>, in order */
    const unsigned char *cur = f, *stop = f + len;
    while ((p = find_mem(cur, (size_t)(stop - cur), "<mechanism>")) != NULL) {
        p += 11;
        const char *e = find_mem((const unsigned char *)p, (size_t)((const char *)stop - p), "</mechanism>");
        if (!e)
            break;
        starttls_add_cap_text(t, "mechanism ", p, (size_t)(e - p));
        cur = (const unsigned char *)e;
    }
    if (find_mem(f, len, "<auth xmlns='http://jabber.org/features/iq-auth'") ||
        find_mem(f, len, "<auth xmlns=\"http://jabber.org/features/iq-auth\""))
        starttls_add_cap(t, "iq-auth");
}

static int xmpp(starttls_conn_t *c, starttls_transcript_t *t, bool upgrade)
{
    char hdr[512];
    size_t at;
    const char *host = c->host;
    /* The 'to' is the service domain; a quote in it would break the XML, so refuse it. */
    if (!host || strpbrk(host, "'\"<>&"))
        host = "localhost";
    snprintf(hdr, sizeof hdr,
             "<?xml version='1.0'?><stream:stream to='%s' xmlns='jabber:client' "
             "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>", host);
    if (starttls_send(c, hdr, strlen(hdr), "XMPP stream header") < 0)
        return -1;
    if (read_until(c, "<stream:stream", &at, "XMPP stream header") < 0)
        return -1;
    const unsigned char *gt;
    while ((gt = memchr(c->buf + at, '>', c->len - at)) == NULL)
        if (fill(c, "XMPP stream header") < 0)
            return -1;
    starttls_printable(t->banner, sizeof t->banner, c->buf + at, (size_t)(gt - (c->buf + at)) + 1);
    /* Features end with </stream:features>, or are an empty <stream:features/>. */
    size_t end;
    for (;;) {
        const char *a = find_mem(c->buf, c->len, "</stream:features>");
        const char *b = find_mem(c->buf, c->len, "<stream:features/>");
        if (a || b) {
            end = (size_t)((a ? a : b) - (const char *)c->buf) + 18;
            break;
        }
        if (find_mem(c->buf, c->len, "<stream:error")) {
            char shown[200];
            starttls_printable(shown, sizeof shown, c->buf, c->len);
            return starttls_fail(c, "XMPP stream error: %s", shown);
        }
        if (fill(c, "XMPP stream features") < 0)
            return -1;
    }
    xmpp_features(t, c->buf, end);
    t->starttls_offered = starttls_has_cap(t, "starttls");
    if (consume(c, end, "XMPP stream features") < 0)
        return -1;
    if (!upgrade)
        return 0;
    if (!t->starttls_offered)
        return starttls_fail(c, "STARTTLS not offered");
    static const char req[] = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
    if (starttls_send(c, req, sizeof req - 1, "XMPP <starttls/>") < 0)
        return -1;
    for (;;) {
        const char *p = find_mem(c->buf, c->len, "<proceed");
        const char *f = find_mem(c->buf, c->len, "<failure");
        if (f)
            return starttls_fail(c, "server refused STARTTLS: XMPP <failure/>");
        if (p) {
            const char *gt = memchr(p, '>', c->len - (size_t)(p - (const char *)c->buf));
            if (gt) {
                size_t n = (size_t)(gt - (const char *)c->buf) + 1;
                starttls_printable(t->reply, sizeof t->reply, p, (size_t)(gt - p) + 1);
                if (consume(c, n, "XMPP <proceed/>") < 0)
                    return -1;
                return 0;
            }
        }
        if (fill(c, "XMPP <proceed/>") < 0)
            return -1;
    }
}

/* ---- the dialogues services name, and running one */

const starttls_dialogue_t starttls_smtp = { .run = smtp, .auth_facts = starttls_auth_smtp };
const starttls_dialogue_t starttls_imap = { .run = imap, .auth_facts = starttls_auth_imap };
const starttls_dialogue_t starttls_pop3 = { .run = pop3, .auth_facts = starttls_auth_pop3 };
const starttls_dialogue_t starttls_ftp = { .run = ftp };
const starttls_dialogue_t starttls_xmpp = { .run = xmpp, .auth_facts = starttls_auth_xmpp, .states_starttls_required = true };

static int run(int fd, const starttls_dialogue_t *d, const char *host, double timeout_s, starttls_transcript_t *t,
               char *err, size_t errlen, bool upgrade)
{
    starttls_transcript_t local;
    if (!t)
        t = &local;
    else
        starttls_transcript_free(t);   /* a reused transcript: its old capabilities go */
    memset(t, 0, sizeof *t);
    t->starttls_offered = -1;
    t->plaintext_accepted = -1;
    if (!d) {
        snprintf(err, errlen, "no STARTTLS protocol for this target");
        return -1;
    }
    starttls_conn_t *c = malloc(sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    starttls_conn_init(c, fd, timeout_s, err, errlen);
    c->host = host;
    int r = d->run(c, t, upgrade);
    /* Every dialogue ends on the server's agreement: bytes it sent past that would be read as
     * TLS, so they are refused here, once for every protocol. */
    if (r == 0 && upgrade)
        r = expect_drained(c);
    free(c);
    if (t == &local)
        starttls_transcript_free(t);
    return r;
}

int starttls_negotiate(int fd, const starttls_dialogue_t *d, const char *host, double timeout_s,
                       starttls_transcript_t *t, char *err, size_t errlen)
{
    return run(fd, d, host, timeout_s, t, err, errlen, true);
}

int starttls_discover(int fd, const starttls_dialogue_t *d, const char *host, double timeout_s,
                      starttls_transcript_t *t, char *err, size_t errlen)
{
    return run(fd, d, host, timeout_s, t, err, errlen, false);
}
