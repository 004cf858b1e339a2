/* The text report's lines for cleartext fallback (starttls, http) and client certificates. */
#include "report_text.h"
#include "json_read.h"

#include <string.h>

/* "yes", "no" or "?" for a boolean that may be null. */
static const char *yn(json_object *o, const char *key)
{
    json_object *v = jr_at(o, key);
    return !v || !json_object_is_type(v, json_type_boolean) ? "?" : json_object_get_boolean(v) ? "yes" : "no";
}

static void write_starttls(FILE *f, json_object *s)
{
    if (!s || !json_object_get_boolean(jr_at(s, "applicable")))
        return;
    const char *proto = jr_str(s, "protocol") ? jr_str(s, "protocol") : "?";
    if (json_object_get_boolean(jr_at(s, "implicit_tls"))) {
        fprintf(f, "  Service      %s over implicit TLS\n", proto);
        return;
    }
    fprintf(f, "  Service      %s with STARTTLS: offered %s; authentication before STARTTLS %s", proto,
            yn(s, "starttls_offered"), yn(s, "auth_before_starttls"));
    if (jr_at(s, "plaintext_accepted"))
        fprintf(f, "; cleartext clients accepted %s", yn(s, "plaintext_accepted"));
    fprintf(f, "\n");
}

/* The cleartext port's outcome: no listener, an upgrade, content in clear, or why unknown. */
static void write_cleartext(FILE *f, json_object *clear)
{
    json_object *listening = jr_at(clear, "listening"), *upgrades = jr_at(clear, "upgrades");
    int port = json_object_get_int(jr_at(clear, "port"));
    const char *err = jr_str(clear, "error") ? jr_str(clear, "error") : "not checked";
    if (!listening)
        fprintf(f, "cleartext port %d unknown (%s)", port, err);
    else if (!json_object_get_boolean(listening))
        fprintf(f, "no cleartext listener on port %d", port);
    else if (!upgrades)
        fprintf(f, "cleartext port %d: upgrade to HTTPS unknown (%s)", port, err);
    else
        fprintf(f, "cleartext port %d %s", port,
                json_object_get_boolean(upgrades) ? "redirects to HTTPS" : "does NOT upgrade to HTTPS");
}

static void write_http(FILE *f, json_object *h)
{
    if (!h || !json_object_get_boolean(jr_at(h, "applicable")))
        return;
    json_object *tls = jr_at(h, "tls"), *on_tls = jr_at(h, "cleartext_on_tls_port");
    json_object *https = jr_at(h, "https"), *hsts = jr_at(https, "hsts");
    fprintf(f, "  HTTP         ");
    if (tls && !json_object_get_boolean(tls) && jr_at(on_tls, "status"))
        fprintf(f, "NO TLS: the port answers cleartext HTTP (%s); ",
                jr_str(on_tls, "status_line") ? jr_str(on_tls, "status_line") : "?");
    write_cleartext(f, jr_at(h, "cleartext"));
    if (!hsts)
        fprintf(f, "; HSTS not observed (%s)", jr_str(https, "error") ? jr_str(https, "error") : "no HTTPS response");
    else if (json_object_get_boolean(jr_at(hsts, "present")))
        fprintf(f, "; HSTS %s%s", jr_str(hsts, "raw") ? jr_str(hsts, "raw") : "",
                json_object_get_boolean(jr_at(hsts, "valid")) ? "" : " (malformed)");
    else
        fprintf(f, "; no HSTS");
    fprintf(f, "\n");
}

static void write_mtls(FILE *f, json_object *m)
{
    if (!m || !json_object_get_boolean(jr_at(m, "requested")))
        return;
    fprintf(f, "  Client certs requested; required %s; untrusted one accepted %s\n", yn(m, "required"),
            yn(m, "accepts_untrusted"));
}

void report_text_transport(FILE *f, json_object *facts)
{
    write_starttls(f, jr_at(facts, "starttls"));
    write_http(f, jr_at(facts, "http"));
    write_mtls(f, jr_at(facts, "mtls"));
}
