/* The cleartext side of services that upgrade to TLS in-band (SMTP STARTTLS, IMAP STARTTLS,
 * POP3 STLS, FTP AUTH TLS, LDAP StartTLS, XMPP <starttls/>, PostgreSQL SSLRequest, MySQL
 * SSLRequest). Every read is bounded in bytes (STARTTLS_MAX_REPLY per server reply) and
 * time (one deadline for the whole dialogue); hostile input gives an error, never a hang.
 * Thread-safe: no shared state. */
#ifndef TLSPROBE_STARTTLS_H
#define TLSPROBE_STARTTLS_H

#include <stdbool.h>
#include <json-c/json.h>
#include <stddef.h>

/* One protocol's cleartext dialogue (below); a service row names its own (service.h), so
 * this layer never looks services up by name. */
typedef struct starttls_dialogue starttls_dialogue_t;

/* Cap on one server reply (a multi-line EHLO, an IMAP CAPABILITY, XMPP stream features, an
 * LDAP RootDSE), and so on one line. Replies are bounded by bytes and by the dialogue's
 * deadline only: never by a count of lines or capabilities. */
#define STARTTLS_MAX_REPLY (16 * 1024)
/* Cap on the capability text a transcript keeps: every capability of two whole replies (the
 * IMAP greeting's and CAPABILITY's) fits. */
#define STARTTLS_MAX_CAPS_BYTES (2 * STARTTLS_MAX_REPLY)
#define STARTTLS_TEXT_LEN 512

/* What the cleartext side said, for facts. Text is printable ASCII (others become '?'). */
typedef struct starttls_transcript {
    char banner[STARTTLS_TEXT_LEN];   /* greeting (first line), MySQL server version */
    /* Capabilities as advertised, in order: EHLO keyword lines ("AUTH PLAIN LOGIN"), IMAP
     * capability atoms, POP3 CAPA lines, FTP FEAT lines, XMPP features ("starttls",
     * "mechanism PLAIN"), LDAP RootDSE values ("supportedExtension 1.3.6.1.4.1.1466.20037"),
     * MySQL flags. Owned (starttls_transcript_free); at most STARTTLS_MAX_CAPS_BYTES of text,
     * caps_truncated when a server sent more. */
    char **caps;
    size_t ncaps, caps_alloc, caps_bytes;
    bool caps_truncated;
    int starttls_offered;             /* 1 yes, 0 no, -1 unknown (not asked or not said) */
    char reply[STARTTLS_TEXT_LEN];    /* the answer to the upgrade request, "" before */
    /* starttls_plaintext_attempt: 1 the server went on to authenticate a cleartext client,
     * 0 it refused the cleartext connection, -1 cannot tell; and what it answered. */
    int plaintext_accepted;
    char plaintext_reply[STARTTLS_TEXT_LEN];
} starttls_transcript_t;

/* Frees the capabilities a dialogue stored in t (not t itself); t can be reused after. */
void starttls_transcript_free(starttls_transcript_t *t);

/* Drives the cleartext dialogue d (a service's, service_t.dialogue) on the connected,
 * non-blocking fd up to the point where the next bytes are our TLS ClientHello. host names the server where the
 * protocol wants one (XMPP stream 'to'); may be NULL. t may be NULL; else it is reset first
 * (free it with starttls_transcript_free).
 * Returns 0, or -1 with err set: "STARTTLS not offered", "server refused STARTTLS: <reply>",
 * "timed out waiting for ...", "connection closed ...", "reply too long", ... */
int starttls_negotiate(int fd, const starttls_dialogue_t *d, const char *host, double timeout_s,
                       starttls_transcript_t *t, char *err, size_t errlen);

/* The same dialogue up to, not including, the upgrade request: greeting and capabilities
 * only (PostgreSQL: nothing to read; MySQL: the greeting). For cleartext-fallback facts.
 * Returns 0 or -1 with err set. */
int starttls_discover(int fd, const starttls_dialogue_t *d, const char *host, double timeout_s,
                      starttls_transcript_t *t, char *err, size_t errlen);

/* Databases only (starttls_postgres, starttls_mysql): offers a login without TLS, as user
 * "tlsprobe" without a password, and records whether the server refuses it for want of
 * encryption (t->plaintext_accepted, t->plaintext_reply). PostgreSQL: on a fresh connection
 * or after the server answered the SSLRequest with 'N'. MySQL: after starttls_discover read
 * the greeting on this connection. Returns 0, or -1 with err set (t->plaintext_accepted -1). */
int starttls_plaintext_attempt(int fd, const starttls_dialogue_t *d, double timeout_s,
                               starttls_transcript_t *t, char *err, size_t errlen);

/* true when the transcript lists capability `name` (case-insensitive, whole first word, or
 * "AUTH=PLAIN"-style atom when name ends in '='). */
bool starttls_has_cap(const starttls_transcript_t *t, const char *name);

/* ---- shared by the protocol files (src/starttls*.c); not for probes ---- */

/* A bounded buffered reader over the fd with one deadline. */
typedef struct starttls_conn {
    int fd;
    double deadline;
    unsigned char buf[STARTTLS_MAX_REPLY];
    size_t len;
    size_t reply_bytes;   /* consumed in the current reply, bounded by STARTTLS_MAX_REPLY */
    char line[STARTTLS_MAX_REPLY + 1];   /* the last line read, printable, without CR LF */
    const char *host;     /* the server's name where the protocol wants one (XMPP 'to'); may be NULL */
    char *err;
    size_t errlen;
} starttls_conn_t;

void starttls_conn_init(starttls_conn_t *c, int fd, double timeout_s, char *err, size_t errlen);
int starttls_send(starttls_conn_t *c, const void *data, size_t len, const char *what);
/* Writes the message into c->err and returns -1. */
int starttls_fail(starttls_conn_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads exactly n bytes (n <= STARTTLS_MAX_REPLY), never more from the socket than needed. */
int starttls_read_exact(starttls_conn_t *c, void *out, size_t n, const char *what);
void starttls_add_cap(starttls_transcript_t *t, const char *cap);
/* Adds prefix followed by len bytes of data (made printable) as one capability. */
void starttls_add_cap_text(starttls_transcript_t *t, const char *prefix, const void *data, size_t len);
void starttls_printable(char *dst, size_t cap, const void *src, size_t len);

struct starttls_dialogue {
    /* Greeting and capabilities; with upgrade, then the request to start TLS, up to the
     * server's agreement. 0, or -1 with c->err set. */
    int (*run)(starttls_conn_t *c, starttls_transcript_t *t, bool upgrade);
    /* A login without TLS for starttls_plaintext_attempt (databases); NULL for the others. */
    int (*plaintext_login)(starttls_conn_t *c, starttls_transcript_t *t);
    /* Appends the mechanisms the capabilities offer before TLS to mechs (a JSON array) and says
     * whether a login is possible before STARTTLS: 1, 0, or -1 when the transcript cannot tell
     * (NULL: the protocol's capabilities never tell). */
    int (*auth_facts)(const starttls_transcript_t *t, json_object *mechs);
    /* The cleartext login needs a fresh connection once STARTTLS was offered (PostgreSQL: after
     * 'S' only TLS may follow). */
    bool login_needs_fresh_connection;
    /* Whether the server requires STARTTLS is stated in its features (XMPP's <required/>). */
    bool states_starttls_required;
};

/* The dialogues, one per protocol; src/starttls/service.c's rows point to them. */
extern const starttls_dialogue_t starttls_smtp, starttls_imap, starttls_pop3, starttls_ftp, starttls_xmpp;
extern const starttls_dialogue_t starttls_ldap, starttls_postgres, starttls_mysql;   /* starttls_binary.c */

#endif
