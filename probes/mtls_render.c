/* How the mtls probe's facts appear in the text report (the HTML report shows them only
 * among all facts). */
#include "json_read.h"
#include "render.h"

render_text_fn mtls_render_text;

void mtls_render_text(render_text_t *out, json_object *m, json_object *endpoint)
{
    (void)endpoint;
    if (!m || !json_object_get_boolean(jr_at(m, "requested")))
        return;
    render_text_part(out, RENDER_TEXT_SERVICE);
    render_text_label(out, "Client certs");
    render_text_printf(out, " requested; required %s; untrusted one accepted %s\n", render_yes_no(m, "required"),
                       render_yes_no(m, "accepts_untrusted"));
}
