/* How the ciphers probe's facts appear in the text and HTML reports. */
#include <string.h>

#include "json_read.h"
#include "render.h"

render_text_fn ciphers_render_text;
render_html_fn ciphers_render_html;

static render_tone_t class_tone(const char *cls)
{
    return strcmp(cls, "recommended") == 0 ? RENDER_GOOD : strcmp(cls, "weak") == 0 ? RENDER_WARN
         : strcmp(cls, "insecure") == 0 ? RENDER_BAD : RENDER_PLAIN;
}

/* ", server's order", ", client's order", or nothing when the order is unknown. */
static const char *order_text(json_object *server_order)
{
    return !server_order ? "" : json_object_get_boolean(server_order) ? ", server's order" : ", client's order";
}

static void text_suite(render_text_t *out, json_object *s)
{
    const char *cls = render_or_dash(jr_str(s, "class"));
    render_text_indent(out);
    render_text_printf(out, "   %-46s ", render_or_dash(jr_str(s, "name")));
    render_text_tone(out, class_tone(cls), "%-11s", cls);
    render_text_printf(out, " %-18s", jr_str(s, "kx_group") ? jr_str(s, "kx_group") : "");
    if (jr_str(s, "why") && *jr_str(s, "why"))
        render_text_printf(out, "  (%s)", jr_str(s, "why"));
    render_text_printf(out, "\n");
}

void ciphers_render_text(render_text_t *out, json_object *c, json_object *endpoint)
{
    (void)endpoint;
    if (!c)
        return;
    if (strcmp(render_or_dash(jr_str(c, "status")), "ok") != 0) {
        render_text_label(out, "Suites");
        render_text_printf(out, " enumeration incomplete: %s\n", render_or_dash(jr_str(c, "error")));
    }
    json_object *list = jr_at(c, "protocols");
    for (size_t i = 0; i < jr_len(list); i++) {
        json_object *v = jr_idx(list, i), *suites = jr_at(v, "suites");
        render_text_label(out, i ? "" : "Suites");
        render_text_printf(out, " %s, %zu suites%s\n", render_or_dash(jr_str(v, "name")), jr_len(suites),
                           order_text(jr_at(v, "server_order")));
        for (size_t j = 0; j < jr_len(suites); j++)
            text_suite(out, jr_idx(suites, j));
    }
    json_object *counts = jr_at(c, "counts");
    render_text_indent(out);
    render_text_printf(out, " forward secrecy: %s; %d recommended, %d acceptable, %d weak, %d insecure; %d connections\n",
                       render_or_dash(jr_str(c, "forward_secrecy")), json_object_get_int(jr_at(counts, "recommended")),
                       json_object_get_int(jr_at(counts, "acceptable")), json_object_get_int(jr_at(counts, "weak")),
                       json_object_get_int(jr_at(counts, "insecure")), json_object_get_int(jr_at(c, "connections")));
}

static void html_suite(render_html_t *out, json_object *s)
{
    const char *cls = render_or_dash(jr_str(s, "class"));
    render_html_printf(out, "<tr><td><code>");
    render_html_text(out, render_or_dash(jr_str(s, "code")));
    render_html_printf(out, "</code></td><td>");
    render_html_text(out, render_or_dash(jr_str(s, "name")));
    render_html_printf(out, "</td><td class=\"c-");
    render_html_attr(out, cls);
    render_html_printf(out, "\">");
    render_html_text(out, cls);
    render_html_printf(out, "</td><td>");
    render_html_text(out, jr_str(s, "kx_group") ? jr_str(s, "kx_group") : "");
    render_html_printf(out, "</td><td>");
    render_html_text(out, jr_str(s, "why") ? jr_str(s, "why") : "");
    render_html_printf(out, "</td></tr>\n");
}

void ciphers_render_html(render_html_t *out, json_object *c, json_object *endpoint)
{
    (void)endpoint;
    if (!c)
        return;
    render_html_section(out, "Cipher suites", c);
    json_object *list = jr_at(c, "protocols");
    for (size_t i = 0; i < jr_len(list); i++) {
        json_object *v = jr_idx(list, i), *suites = jr_at(v, "suites");
        render_html_printf(out, "<p><strong>");
        render_html_text(out, render_or_dash(jr_str(v, "name")));
        render_html_printf(out, "</strong>: %zu suites%s</p>\n", jr_len(suites), order_text(jr_at(v, "server_order")));
        render_html_printf(out, "<table class=\"suites\"><thead><tr><th>Code</th><th>Suite</th><th>Label</th>"
                                "<th>Key exchange group</th><th>Why</th></tr></thead><tbody>\n");
        for (size_t j = 0; j < jr_len(suites); j++)
            html_suite(out, jr_idx(suites, j));
        render_html_printf(out, "</tbody></table>\n");
    }
    json_object *counts = jr_at(c, "counts");
    render_html_printf(out, "<p>Forward secrecy: ");
    render_html_text(out, render_or_dash(jr_str(c, "forward_secrecy")));
    render_html_printf(out, "; %d recommended, %d acceptable, %d weak, %d insecure.</p>\n",
                       json_object_get_int(jr_at(counts, "recommended")),
                       json_object_get_int(jr_at(counts, "acceptable")), json_object_get_int(jr_at(counts, "weak")),
                       json_object_get_int(jr_at(counts, "insecure")));
}
