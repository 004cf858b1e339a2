/* What each protocol's capabilities say about authentication before STARTTLS: the mechanisms
 * offered in cleartext and whether a login is possible without TLS. Each dialogue names its
 * function, so the starttls probe asks the dialogue, not the protocol's name. */
#include "starttls_auth.h"

#include <string.h>
#include <strings.h>

/* Appends the words after `prefix` in every capability that starts with it ("AUTH PLAIN
 * LOGIN", "SASL PLAIN", "AUTH=PLAIN", "mechanism PLAIN"). */
static void words_after(const starttls_transcript_t *t, const char *prefix, json_object *out)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < t->ncaps; i++) {
        if (strncasecmp(t->caps[i], prefix, n) != 0)
            continue;
        const char *p = t->caps[i] + n;
        while (*p) {
            while (*p == ' ')
                p++;
            size_t w = strcspn(p, " ");
            if (w > 0)
                json_object_array_add(out, json_object_new_string_len(p, (int)w));
            p += w;
        }
    }
}

int starttls_auth_smtp(const starttls_transcript_t *t, json_object *mechs)
{
    words_after(t, "AUTH ", mechs);
    words_after(t, "AUTH=", mechs);
    return t->ncaps > 0 ? starttls_has_cap(t, "AUTH") || starttls_has_cap(t, "AUTH=") : -1;
}

int starttls_auth_imap(const starttls_transcript_t *t, json_object *mechs)
{
    words_after(t, "AUTH=", mechs);
    /* LOGIN is always possible unless LOGINDISABLED (RFC 3501 §6.2.3). */
    return t->ncaps > 0 ? !starttls_has_cap(t, "LOGINDISABLED") : -1;
}

int starttls_auth_pop3(const starttls_transcript_t *t, json_object *mechs)
{
    words_after(t, "SASL ", mechs);
    return t->ncaps > 0 ? starttls_has_cap(t, "USER") || json_object_array_length(mechs) > 0 : -1;
}

int starttls_auth_xmpp(const starttls_transcript_t *t, json_object *mechs)
{
    words_after(t, "mechanism ", mechs);
    return json_object_array_length(mechs) > 0 || starttls_has_cap(t, "iq-auth");
}

int starttls_auth_ldap(const starttls_transcript_t *t, json_object *mechs)
{
    words_after(t, "supportedSASLMechanisms ", mechs);
    return -1;
}
