/* How the signatures probe's facts appear in the text and HTML reports. In HTML they join
 * the groups probe's table (a section of the same title). */
#include "json_read.h"
#include "render.h"

render_text_fn signatures_render_text;
render_html_fn signatures_render_html;

void signatures_render_text(render_text_t *out, json_object *s, json_object *endpoint)
{
    (void)endpoint;
    json_object *tls12 = jr_at(s, "tls12"), *tls13 = jr_at(s, "tls13");
    if (!tls12 && !tls13)
        return;
    render_text_label(out, "Signatures");
    if (tls12) {
        render_text_printf(out, " TLSv1.2:");
        render_text_names(out, tls12);
    }
    if (tls13) {
        render_text_printf(out, "%s TLSv1.3:", tls12 ? ";" : "");
        render_text_names(out, tls13);
    }
    render_text_printf(out, "\n");
}

/* Rows even without facts: the groups probe may show the section. */
void signatures_render_html(render_html_t *out, json_object *s, json_object *endpoint)
{
    (void)endpoint;
    render_html_section(out, "Key exchange groups and signatures", s);
    render_html_kv_begin(out, "signatures");
    render_html_kv_value(out, "TLS 1.2 signature schemes", jr_at(s, "tls12"));
    render_html_kv_value(out, "TLS 1.3 signature schemes", jr_at(s, "tls13"));
}
