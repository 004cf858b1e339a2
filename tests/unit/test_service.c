/* The service table: every scheme it lists is found, and every row that speaks a cleartext
 * protocol carries that protocol's dialogue. */
#include <stdio.h>
#include <string.h>

#include "service.h"
#include "starttls.h"

static int failures;

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

/* The dialogue each protocol must carry, by the protocol's name in the facts. */
static const starttls_dialogue_t *dialogue_of(const char *protocol)
{
    static const struct { const char *protocol; const starttls_dialogue_t *d; } want[] = {
        { "smtp", &starttls_smtp }, { "imap", &starttls_imap }, { "pop3", &starttls_pop3 },
        { "ftp", &starttls_ftp },   { "xmpp", &starttls_xmpp }, { "ldap", &starttls_ldap },
        { "postgres", &starttls_postgres }, { "mysql", &starttls_mysql },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (strcmp(want[i].protocol, protocol) == 0)
            return want[i].d;
    return NULL;
}

int main(void)
{
    char list[256];
    snprintf(list, sizeof list, "%s", service_schemes());
    size_t n = 0;
    for (char *save = NULL, *s = strtok_r(list, ", ", &save); s; s = strtok_r(NULL, ", ", &save), n++) {
        const service_t *svc = service_by_scheme(s, strlen(s));
        char name[120], detail[200];
        snprintf(name, sizeof name, "%s: found, with its protocol's dialogue", s);
        if (!svc) {
            check(0, name, "not found");
            continue;
        }
        const starttls_dialogue_t *want = dialogue_of(svc->protocol);
        bool database = strcmp(svc->protocol, "postgres") == 0 || strcmp(svc->protocol, "mysql") == 0;
        snprintf(detail, sizeof detail, "protocol %s, dialogue %p (want %p)", svc->protocol, (const void *)svc->dialogue,
                 (const void *)want);
        check(svc->dialogue == want && (!svc->starttls || (want && want->run)) &&
                  (!want || !want->plaintext_login == !database),
              name, detail);
    }
    check(n == 16, "service_schemes lists the 16 schemes", "other count");
    check(!service_by_scheme("https", 5)->dialogue, "https: no cleartext dialogue (the http probe's)", "has one");
    return failures ? 1 : 0;
}
