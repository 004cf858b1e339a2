/* Service protocols a target can name: the TLS port of a web server, or a protocol that
 * upgrades a cleartext connection with STARTTLS, or wraps itself in TLS from the start. */
#ifndef TLSPROBE_SERVICE_H
#define TLSPROBE_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct starttls_dialogue;

typedef struct service {
    const char *scheme;      /* "https", "smtp", "imaps", ... */
    uint16_t default_port;
    bool starttls;           /* cleartext first, then STARTTLS (or the protocol's equivalent) */
    const char *protocol;    /* the protocol spoken: "http", "smtp", "imap", "pop3", "ftp",
                              * "ldap", "xmpp", "postgres", "mysql" */
    /* The protocol's cleartext dialogue (starttls.h), spoken before TLS when starttls; NULL
     * for HTTP, whose cleartext side is the http probe's. */
    const struct starttls_dialogue *dialogue;
} service_t;

/* By scheme (case-insensitive); NULL when unknown. */
const service_t *service_by_scheme(const char *scheme, size_t len);
/* The implicit-TLS service usually on this port (443 https, 465 smtps, 993 imaps, ...), or NULL. */
const service_t *service_by_implicit_port(uint16_t port);
/* "https, smtp, submission, ..." for messages. */
const char *service_schemes(void);

#endif
