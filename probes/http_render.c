/* How the http probe's facts appear in the text report (the HTML report shows them only
 * among all facts). */
#include "json_read.h"
#include "render.h"

render_text_fn http_render_text;

/* The cleartext port's outcome: no listener, an upgrade, content in clear, or why unknown. */
static void text_cleartext(render_text_t *out, json_object *clear)
{
    json_object *listening = jr_at(clear, "listening"), *upgrades = jr_at(clear, "upgrades");
    int port = json_object_get_int(jr_at(clear, "port"));
    const char *err = jr_str(clear, "error") ? jr_str(clear, "error") : "not checked";
    if (!listening)
        render_text_printf(out, "cleartext port %d unknown (%s)", port, err);
    else if (!json_object_get_boolean(listening))
        render_text_printf(out, "no cleartext listener on port %d", port);
    else if (!upgrades)
        render_text_printf(out, "cleartext port %d: upgrade to HTTPS unknown (%s)", port, err);
    else
        render_text_printf(out, "cleartext port %d %s", port,
                           json_object_get_boolean(upgrades) ? "redirects to HTTPS" : "does NOT upgrade to HTTPS");
}

void http_render_text(render_text_t *out, json_object *h, json_object *endpoint)
{
    (void)endpoint;
    if (!h || !json_object_get_boolean(jr_at(h, "applicable")))
        return;
    json_object *tls = jr_at(h, "tls"), *on_tls = jr_at(h, "cleartext_on_tls_port");
    json_object *https = jr_at(h, "https"), *hsts = jr_at(https, "hsts");
    render_text_part(out, RENDER_TEXT_SERVICE);
    render_text_label(out, "HTTP");
    render_text_printf(out, " ");
    if (tls && !json_object_get_boolean(tls) && jr_at(on_tls, "status"))
        render_text_printf(out, "NO TLS: the port answers cleartext HTTP (%s); ",
                           jr_str(on_tls, "status_line") ? jr_str(on_tls, "status_line") : "?");
    text_cleartext(out, jr_at(h, "cleartext"));
    if (!hsts)
        render_text_printf(out, "; HSTS not observed (%s)",
                           jr_str(https, "error") ? jr_str(https, "error") : "no HTTPS response");
    else if (json_object_get_boolean(jr_at(hsts, "present")))
        render_text_printf(out, "; HSTS %s%s", jr_str(hsts, "raw") ? jr_str(hsts, "raw") : "",
                           json_object_get_boolean(jr_at(hsts, "valid")) ? "" : " (malformed)");
    else
        render_text_printf(out, "; no HSTS");
    render_text_printf(out, "\n");
}
