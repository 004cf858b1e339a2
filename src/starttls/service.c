/* The table of known service schemes, their ports and their cleartext dialogues. */
#include "service.h"

#include <pthread.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "starttls.h"

static const service_t services[] = {
    { "https", 443, false, "http", NULL },
    { "smtp", 25, true, "smtp", &starttls_smtp },
    { "submission", 587, true, "smtp", &starttls_smtp },
    { "smtps", 465, false, "smtp", &starttls_smtp },
    { "imap", 143, true, "imap", &starttls_imap },
    { "imaps", 993, false, "imap", &starttls_imap },
    { "pop3", 110, true, "pop3", &starttls_pop3 },
    { "pop3s", 995, false, "pop3", &starttls_pop3 },
    { "ftp", 21, true, "ftp", &starttls_ftp },
    { "ftps", 990, false, "ftp", &starttls_ftp },
    { "ldap", 389, true, "ldap", &starttls_ldap },
    { "ldaps", 636, false, "ldap", &starttls_ldap },
    { "xmpp", 5222, true, "xmpp", &starttls_xmpp },
    { "xmpps", 5223, false, "xmpp", &starttls_xmpp },
    { "postgres", 5432, true, "postgres", &starttls_postgres },
    { "mysql", 3306, true, "mysql", &starttls_mysql },
};
#define NSERVICES (sizeof services / sizeof *services)

const service_t *service_by_scheme(const char *scheme, size_t len)
{
    for (size_t i = 0; i < NSERVICES; i++)
        if (strlen(services[i].scheme) == len && strncasecmp(services[i].scheme, scheme, len) == 0)
            return &services[i];
    return NULL;
}

const service_t *service_by_implicit_port(uint16_t port)
{
    for (size_t i = 0; i < NSERVICES; i++)
        if (!services[i].starttls && services[i].default_port == port)
            return &services[i];
    return NULL;
}

static char schemes[256];

static void build_schemes(void)
{
    size_t used = 0;
    for (size_t i = 0; i < NSERVICES && used < sizeof schemes; i++)
        used += (size_t)snprintf(schemes + used, sizeof schemes - used, "%s%s", i ? ", " : "", services[i].scheme);
}

/* Built from the table once, so a new row is listed without an edit. */
const char *service_schemes(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, build_schemes);
    return schemes;
}
