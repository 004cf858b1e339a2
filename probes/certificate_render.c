/* How the certificate probe's facts appear in the text and HTML reports. */
#include <string.h>

#include "json_read.h"
#include "render.h"

render_text_fn certificate_render_text;
render_html_fn certificate_render_html;

void certificate_render_text(render_text_t *out, json_object *c, json_object *endpoint)
{
    (void)endpoint;
    if (!c)
        return;
    render_text_label(out, "Certificate");
    if (strcmp(render_or_dash(jr_str(c, "status")), "ok") != 0) {
        render_text_printf(out, " handshake failed: %s\n", render_or_dash(jr_str(c, "error")));
        return;
    }
    json_object *chain = jr_at(c, "chain"), *leaf = jr_idx(chain, 0);
    json_object *trust = jr_at(c, "trust"), *name = jr_at(c, "name"), *days = jr_at(c, "days_to_expiry");
    render_text_printf(out, " %s\n", render_or_dash(jr_str(leaf, "subject")));
    render_text_indent(out);
    render_text_printf(out, " issuer %s\n", render_or_dash(jr_str(leaf, "issuer")));
    render_text_indent(out);
    render_text_printf(out, " %s %d bits, %s, valid until %s", render_or_dash(jr_str(leaf, "key_type")),
                       json_object_get_int(jr_at(leaf, "key_bits")),
                       render_or_dash(jr_str(leaf, "signature_algorithm")), render_or_dash(jr_str(leaf, "not_after")));
    if (days)
        render_text_printf(out, " (%d days)", json_object_get_int(days));
    render_text_printf(out, "\n");
    render_text_indent(out);
    render_text_printf(out, " chain of %zu served; ", jr_len(chain));
    if (json_object_get_boolean(jr_at(trust, "verified")))
        render_text_printf(out, "trusted by %s", render_or_dash(jr_str(trust, "store")));
    else
        render_text_printf(out, "NOT trusted by %s: %s", render_or_dash(jr_str(trust, "store")),
                           render_or_dash(jr_str(trust, "error")));
    if (jr_str(name, "checked"))
        render_text_printf(out, "; name %s %s", jr_str(name, "checked"),
                           json_object_get_boolean(jr_at(name, "matched")) ? "matches" : "does NOT match");
    render_text_printf(out, "\n");
}

static void html_key_and_validity(render_html_t *out, json_object *c, json_object *leaf)
{
    render_html_kv_row(out, "Key");
    render_html_text(out, render_or_dash(jr_str(leaf, "key_type")));
    render_html_printf(out, " %d bits", json_object_get_int(jr_at(leaf, "key_bits")));
    if (jr_str(leaf, "curve")) {
        render_html_printf(out, ", ");
        render_html_text(out, jr_str(leaf, "curve"));
    }
    render_html_kv_row_end(out);
    render_html_kv_value(out, "Signature", jr_at(leaf, "signature_algorithm"));
    render_html_kv_row(out, "Valid");
    render_html_text(out, render_or_dash(jr_str(leaf, "not_before")));
    render_html_printf(out, " to ");
    render_html_text(out, render_or_dash(jr_str(leaf, "not_after")));
    if (jr_at(c, "days_to_expiry"))
        render_html_printf(out, " (%lld days left)", (long long)json_object_get_int64(jr_at(c, "days_to_expiry")));
    if (json_object_get_boolean(jr_at(c, "expired")))
        render_html_printf(out, " <strong>expired</strong>");
    render_html_kv_row_end(out);
}

static void html_trust_and_name(render_html_t *out, json_object *trust, json_object *name)
{
    render_html_kv_row(out, "Trust");
    if (json_object_get_boolean(jr_at(trust, "verified"))) {
        render_html_printf(out, "trusted by ");
        render_html_text(out, render_or_dash(jr_str(trust, "store")));
    } else {
        render_html_printf(out, "<strong>not trusted</strong> by ");
        render_html_text(out, render_or_dash(jr_str(trust, "store")));
        render_html_printf(out, ": ");
        render_html_text(out, render_or_dash(jr_str(trust, "error")));
    }
    render_html_kv_row_end(out);
    render_html_kv_row(out, "Name");
    if (jr_str(name, "checked")) {
        json_object *m = jr_at(name, "matched");
        render_html_text(out, jr_str(name, "checked"));
        render_html_printf(out, "%s", !m ? " not checked"
                                     : json_object_get_boolean(m) ? " matches" : " <strong>does not match</strong>");
    } else {
        render_html_printf(out, "no name to check");
    }
    render_html_kv_row_end(out);
}

static void html_chain(render_html_t *out, json_object *chain)
{
    render_html_printf(out, "<table class=\"chain\"><thead><tr><th>#</th><th>Subject</th><th>Issuer</th><th>Key</th>"
                            "<th>Not after</th><th>SHA-256</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < jr_len(chain); i++) {
        json_object *x = jr_idx(chain, i);
        render_html_printf(out, "<tr><td>%zu</td><td>", i);
        render_html_text(out, render_or_dash(jr_str(x, "subject")));
        render_html_printf(out, "</td><td>");
        render_html_text(out, render_or_dash(jr_str(x, "issuer")));
        render_html_printf(out, "</td><td>");
        render_html_text(out, render_or_dash(jr_str(x, "key_type")));
        render_html_printf(out, " %d</td><td>", json_object_get_int(jr_at(x, "key_bits")));
        render_html_text(out, render_or_dash(jr_str(x, "not_after")));
        render_html_printf(out, "</td><td><code>");
        render_html_text(out, render_or_dash(jr_str(x, "sha256")));
        render_html_printf(out, "</code></td></tr>\n");
    }
    render_html_printf(out, "</tbody></table>\n");
}

void certificate_render_html(render_html_t *out, json_object *c, json_object *endpoint)
{
    (void)endpoint;
    if (!c)
        return;
    render_html_section(out, "Certificate", c);
    if (strcmp(render_or_dash(jr_str(c, "status")), "ok") != 0)
        return;
    json_object *chain = jr_at(c, "chain"), *leaf = jr_idx(chain, 0), *analysis = jr_at(c, "chain_analysis");
    render_html_kv_begin(out, "certificate");
    render_html_kv_value(out, "Subject", jr_at(leaf, "subject"));
    render_html_kv_value(out, "Issuer", jr_at(leaf, "issuer"));
    render_html_kv_value(out, "Names (SAN)", jr_at(leaf, "san"));
    html_key_and_validity(out, c, leaf);
    html_trust_and_name(out, jr_at(c, "trust"), jr_at(c, "name"));
    render_html_kv_value(out, "Chain issues", jr_len(jr_at(analysis, "issues")) ? jr_at(analysis, "issues") : NULL);
    render_html_kv_value(out, "Source", jr_at(c, "source"));
    render_html_kv_value(out, "Handshake", jr_at(c, "handshake"));
    render_html_kv_value(out, "OCSP staple", jr_at(jr_at(c, "ocsp_staple"), "verdict"));
    render_html_kv_value(out, "Revocation", jr_at(jr_at(c, "revocation"), "result"));
    render_html_kv_end(out);
    html_chain(out, chain);
}
