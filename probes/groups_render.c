/* How the groups probe's facts appear in the text and HTML reports. In HTML they share one
 * table with the signatures probe's (a section of the same title). */
#include <string.h>

#include "json_read.h"
#include "render.h"

render_text_fn groups_render_text;
render_html_fn groups_render_html;

/* " (server's order, prefers x)", " (client's order)", or nothing when the order is unknown. */
static void text_order(render_text_t *out, json_object *server_order, const char *preferred)
{
    if (!server_order)
        return;
    if (!json_object_get_boolean(server_order))
        render_text_printf(out, " (client's order)");
    else if (preferred)
        render_text_printf(out, " (server's order, prefers %s)", preferred);
    else
        render_text_printf(out, " (server's order)");
}

/* "TLSv1.3: 3 groups undecided (why)" on a line of its own: never shown as refused. */
static void text_undecided(render_text_t *out, json_object *open, const char *version, const char *what)
{
    if (!jr_len(open))
        return;
    render_text_indent(out);
    render_text_printf(out, " %s: %zu %s undecided (%s)\n", version, jr_len(open), what,
                       render_or_dash(jr_str(jr_idx(open, 0), "reason")));
}

/* "TLSv1.3: ...; ECDHE: ...; DH 2048 bits ffdhe2048", each part when known. */
static void text_groups_line(render_text_t *out, json_object *g)
{
    json_object *t13 = jr_at(g, "tls13"), *curves = jr_at(g, "tls12_curves"), *dh = jr_at(g, "dh");
    render_text_label(out, "Groups");
    if (t13) {
        render_text_printf(out, " TLSv1.3:");
        render_text_names(out, jr_at(t13, "accepted"));
        text_order(out, jr_at(t13, "server_order"), jr_str(t13, "preferred"));
    }
    if (curves) {
        render_text_printf(out, "%s ECDHE:", t13 ? ";" : "");
        render_text_names(out, curves);
        text_order(out, jr_at(g, "tls12_curves_server_order"), jr_str(g, "tls12_curves_preferred"));
    }
    if (dh) {
        render_text_printf(out, "%s DH %d bits %s", t13 || curves ? ";" : "", json_object_get_int(jr_at(dh, "bits")),
                           jr_str(dh, "group") ? jr_str(dh, "group") : "(not a published group)");
        if (json_object_get_boolean(jr_at(dh, "needs_ffdhe_offer"))) {
            render_text_printf(out, " (only to hellos listing FFDHE groups;");
            render_text_names(out, jr_at(dh, "ffdhe_accepted"));
            render_text_printf(out, ")");
        }
    }
    render_text_printf(out, "\n");
}

void groups_render_text(render_text_t *out, json_object *g, json_object *endpoint)
{
    (void)endpoint;
    if (!g)
        return;
    if (strcmp(render_or_dash(jr_str(g, "status")), "ok") != 0) {
        render_text_label(out, "Groups");
        render_text_printf(out, " enumeration incomplete: %s\n", render_or_dash(jr_str(g, "error")));
    }
    json_object *t13 = jr_at(g, "tls13");
    if (!t13 && !jr_at(g, "tls12_curves") && !jr_at(g, "dh"))
        return;
    text_groups_line(out, g);
    text_undecided(out, jr_at(t13, "undecided"), "TLSv1.3", "groups");
    text_undecided(out, jr_at(g, "tls12_curves_undecided"), "ECDHE", "curves");
    /* Decided, but said: the server takes its certificate's curve over them. */
    json_object *never = jr_at(g, "tls12_curves_never_chosen");
    if (jr_len(never)) {
        render_text_indent(out);
        render_text_printf(out, " ECDHE: %zu more curves never chosen: the server takes its certificate's curve "
                                "%s over them\n", jr_len(never), render_or_dash(jr_str(g, "tls12_certificate_curve")));
    }
}

/* Who picks among the groups: NULL (shown as "-") when unknown. */
static const char *order_cell(json_object *server_order)
{
    if (!server_order)
        return NULL;
    return json_object_get_boolean(server_order) ? "server's order" : "client's order";
}

/* Groups no answer decided, and why (the first reason): never shown as refused. */
static void html_undecided(render_html_t *out, const char *label, json_object *open)
{
    if (!jr_len(open))
        return;
    render_html_kv_row(out, label);
    for (size_t i = 0; i < jr_len(open); i++) {
        render_html_printf(out, "%s", i ? " " : "");
        render_html_text(out, render_or_dash(jr_str(jr_idx(open, i), "name")));
    }
    render_html_printf(out, " (");
    render_html_text(out, render_or_dash(jr_str(jr_idx(open, 0), "reason")));
    render_html_printf(out, ")");
    render_html_kv_row_end(out);
}

static void html_dh(render_html_t *out, json_object *dh)
{
    if (!dh) {
        render_html_kv_text(out, "DH prime", NULL);
        return;
    }
    render_html_kv_row(out, "DH prime");
    render_html_printf(out, "%d bits, ", json_object_get_int(jr_at(dh, "bits")));
    render_html_text(out, jr_str(dh, "group") ? jr_str(dh, "group") : "not a published group");
    if (json_object_get_boolean(jr_at(dh, "needs_ffdhe_offer"))) {
        render_html_printf(out, " (only to hellos listing FFDHE groups: ");
        render_html_value(out, jr_at(dh, "ffdhe_accepted"));
        render_html_printf(out, ")");
    }
    render_html_kv_row_end(out);
}

/* Rows even without facts: the signatures probe may show the section. */
void groups_render_html(render_html_t *out, json_object *g, json_object *endpoint)
{
    (void)endpoint;
    render_html_section(out, "Key exchange groups and signatures", g);
    json_object *t13 = jr_at(g, "tls13");
    render_html_kv_begin(out, "groups");
    render_html_kv_value(out, "TLS 1.3 groups", jr_at(t13, "accepted"));
    render_html_kv_text(out, "TLS 1.3 group order", order_cell(jr_at(t13, "server_order")));
    render_html_kv_value(out, "TLS 1.3 preferred", jr_at(t13, "preferred"));
    render_html_kv_value(out, "ECDHE curves", jr_at(g, "tls12_curves"));
    render_html_kv_text(out, "ECDHE curve order", order_cell(jr_at(g, "tls12_curves_server_order")));
    render_html_kv_value(out, "ECDHE curve preferred", jr_at(g, "tls12_curves_preferred"));
    html_undecided(out, "TLS 1.3 groups undecided", jr_at(t13, "undecided"));
    html_undecided(out, "ECDHE curves undecided", jr_at(g, "tls12_curves_undecided"));
    if (jr_len(jr_at(g, "tls12_curves_never_chosen"))) {
        render_html_kv_row(out, "ECDHE curves never chosen");
        render_html_value(out, jr_at(g, "tls12_curves_never_chosen"));
        render_html_printf(out, " (the server takes its certificate's curve ");
        render_html_text(out, render_or_dash(jr_str(g, "tls12_certificate_curve")));
        render_html_printf(out, " over them)");
        render_html_kv_row_end(out);
    }
    html_dh(out, jr_at(g, "dh"));
}
