/* How the starttls probe's facts appear in the text report (the HTML report shows them only
 * among all facts). */
#include "json_read.h"
#include "render.h"

render_text_fn starttls_render_text;

void starttls_render_text(render_text_t *out, json_object *s, json_object *endpoint)
{
    (void)endpoint;
    if (!s || !json_object_get_boolean(jr_at(s, "applicable")))
        return;
    const char *proto = jr_str(s, "protocol") ? jr_str(s, "protocol") : "?";
    render_text_part(out, RENDER_TEXT_SERVICE);
    render_text_label(out, "Service");
    if (json_object_get_boolean(jr_at(s, "implicit_tls"))) {
        render_text_printf(out, " %s over implicit TLS\n", proto);
        return;
    }
    render_text_printf(out, " %s with STARTTLS: offered %s; authentication before STARTTLS %s", proto,
                       render_yes_no(s, "starttls_offered"), render_yes_no(s, "auth_before_starttls"));
    if (jr_at(s, "plaintext_accepted"))
        render_text_printf(out, "; cleartext clients accepted %s", render_yes_no(s, "plaintext_accepted"));
    render_text_printf(out, "\n");
}
