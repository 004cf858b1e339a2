/* How the versions probe's facts appear in the text and HTML reports. */
#include <stdbool.h>
#include <string.h>

#include "json_read.h"
#include "render.h"

render_text_fn versions_render_text;
render_html_fn versions_render_html;

void versions_render_text(render_text_t *out, json_object *v, json_object *endpoint)
{
    (void)endpoint;
    if (!v)
        return;
    if (strcmp(render_or_dash(jr_str(v, "status")), "ok") != 0) {
        render_text_label(out, "Protocols");
        render_text_printf(out, " probe failed: %s\n", render_or_dash(jr_str(v, "error")));
        return;
    }
    json_object *list = jr_at(v, "protocols");
    size_t n = jr_len(list), shown = 0;
    render_text_label(out, "Accepted");
    for (size_t i = 0; i < n; i++) {
        json_object *e = jr_idx(list, i);
        if (json_object_get_boolean(jr_at(e, "accepted")) && ++shown)
            render_text_printf(out, " %s", render_or_dash(jr_str(e, "name")));
    }
    if (!shown)
        render_text_printf(out, " none");
    if (jr_str(v, "preferred"))
        render_text_printf(out, "  (prefers %s, %s)", jr_str(v, "preferred"),
                           render_or_dash(jr_str(v, "preferred_cipher")));
    render_text_printf(out, "\n");
    render_text_label(out, "Not accepted");
    for (size_t i = 0; i < n; i++) {
        json_object *e = jr_idx(list, i), *acc = jr_at(e, "accepted");
        if (acc && !json_object_get_boolean(acc))
            render_text_printf(out, " %s", render_or_dash(jr_str(e, "name")));
    }
    /* accepted null: undetermined, which is neither. */
    for (size_t i = 0, first = 1; i < n; i++) {
        json_object *e = jr_idx(list, i);
        if (jr_at(e, "accepted"))
            continue;
        if (first) {
            render_text_printf(out, "\n");
            render_text_label(out, "Unknown");
        }
        render_text_printf(out, "%s %s (%s)", first ? "" : ";", render_or_dash(jr_str(e, "name")),
                           render_or_dash(jr_str(e, "result")));
        first = 0;
    }
    render_text_printf(out, "\n");
}

void versions_render_html(render_html_t *out, json_object *v, json_object *endpoint)
{
    (void)endpoint;
    if (!v)
        return;
    render_html_section(out, "Protocol versions", v);
    json_object *list = jr_at(v, "protocols");
    render_html_printf(out, "<table class=\"versions\"><thead><tr><th>Version</th><th>Accepted</th><th>Answer</th>"
                            "<th>Suite</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < jr_len(list); i++) {
        json_object *p = jr_idx(list, i);
        bool accepted = json_object_get_boolean(jr_at(p, "accepted"));
        render_html_printf(out, "<tr><td>");
        render_html_text(out, render_or_dash(jr_str(p, "name")));
        render_html_printf(out, "</td><td>%s</td><td>", accepted ? "yes" : "no");
        render_html_text(out, render_or_dash(jr_str(p, "result")));
        if (json_object_get_boolean(jr_at(p, "hello_size_limited")))
            render_html_printf(out, " (only a short hello was answered)");
        render_html_printf(out, "</td><td>");
        render_html_text(out, jr_str(p, "cipher") ? jr_str(p, "cipher") : "");
        render_html_printf(out, "</td></tr>\n");
    }
    render_html_printf(out, "</tbody></table>\n<p>Preferred: ");
    render_html_text(out, render_or_dash(jr_str(v, "preferred")));
    if (jr_str(v, "preferred_cipher")) {
        render_html_printf(out, ", ");
        render_html_text(out, jr_str(v, "preferred_cipher"));
    }
    render_html_printf(out, "</p>\n");
}
