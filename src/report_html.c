/* HTML writer: one self-contained page (inline CSS, no script, no external resource; a
 * Content-Security-Policy forbids loading any) with the targets × requirements matrix and
 * then each endpoint's details. Everything from the document is escaped. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "report_doc.h"

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b;background:#fff}"
    "h1{font-size:1.5em}h2{font-size:1.25em;margin-top:2em}h3{font-size:1.05em;margin:1.2em 0 .4em}"
    "table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
    "thead th{background:#f0f0f0}table.kv th{background:#f7f7f7;font-weight:600;white-space:nowrap}"
    ".matrix td.r{text-align:center;font-weight:600;white-space:nowrap}"
    ".r-pass{background:#d7f5dd;color:#0b5d1e}.r-fail{background:#fbd5d5;color:#8b0000}"
    ".r-error{background:#ffe9b3;color:#6b4500}.r-not_applicable{background:#eee;color:#555}"
    ".r-manual{background:#dbe9ff;color:#113f7a}.r-waived{background:#efe0ff;color:#4b1d78}"
    ".r-none{background:#fafafa;color:#999}.r-other{background:#eee;color:#333}"
    ".badge{display:inline-block;padding:0 .4em;border-radius:3px;font-weight:600}"
    ".c-recommended{color:#0b5d1e}.c-acceptable{color:#333}.c-weak{color:#8a5a00;font-weight:600}"
    ".c-insecure{color:#8b0000;font-weight:700}"
    "code,pre{font:12px/1.3 ui-monospace,monospace}pre{background:#f7f7f7;padding:.5em;overflow:auto;max-height:40em}"
    "section.endpoint{border-top:2px solid #ddd;margin-top:2em}.muted{color:#777}";

static void esc(FILE *f, const char *s)
{
    markup_escape(f, s, false);
}

static void esc_attr(FILE *f, const char *s)
{
    markup_escape(f, s, true);
}

/* Escaped display text of any value; "-" when absent or null. */
static void esc_value(FILE *f, json_object *v)
{
    char *text = doc_value_text(v);
    esc(f, text ? text : "-");
    free(text);
}

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

/* A class name from a result: "r-pass", "r-not_applicable"; unknown words become "r-other". */
static void result_class(FILE *f, const char *result)
{
    static const char *const known[] = { "PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "MANUAL", "WAIVED" };
    for (size_t i = 0; result && i < sizeof known / sizeof *known; i++)
        if (strcmp(result, known[i]) == 0) {
            fputs("r-", f);
            for (const char *p = known[i]; *p; p++)
                fputc(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p, f);
            return;
        }
    fputs(result ? "r-other" : "r-none", f);
}

static const char *result_short(const char *result)
{
    return !result ? "\xE2\x80\x94" : strcmp(result, "NOT_APPLICABLE") == 0 ? "N/A" : result;
}

static void badge(FILE *f, const char *result)
{
    fputs("<span class=\"badge ", f);
    result_class(f, result);
    fputs("\">", f);
    esc(f, or_dash(result));
    fputs("</span>", f);
}

static void kv_row(FILE *f, const char *label, json_object *v)
{
    fprintf(f, "<tr><th>%s</th><td>", label);
    esc_value(f, v);
    fputs("</td></tr>\n", f);
}

static void kv_text(FILE *f, const char *label, const char *text)
{
    fprintf(f, "<tr><th>%s</th><td>", label);
    esc(f, or_dash(text));
    fputs("</td></tr>\n", f);
}

/* ---- matrix ---- */

static bool any_member(json_object *list, const char *key)
{
    for (size_t i = 0; i < doc_len(list); i++)
        if (doc_at(json_object_array_get_idx(list, i), key))
            return true;
    return false;
}

static void write_matrix(FILE *f, json_object *doc, json_object *reqs)
{
    json_object *list = doc_at(doc, "endpoints");
    bool grades = any_member(list, "grade");
    fputs("<h2 id=\"matrix-title\">Requirements</h2>\n<table class=\"matrix\" id=\"matrix\">\n<thead><tr><th>Target</th>"
          "<th>Result</th>", f);
    if (grades)
        fputs("<th>Grade</th>", f);
    for (size_t j = 0; j < doc_len(reqs); j++) {
        json_object *r = json_object_array_get_idx(reqs, j);
        fputs("<th class=\"req\" title=\"", f);
        esc_attr(f, or_dash(doc_str(r, "standard")));
        fputs(" ", f);
        esc_attr(f, or_dash(doc_str(r, "title")));
        fputs("\">", f);
        esc(f, doc_str(r, "id"));
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < doc_len(list); i++) {
        json_object *e = json_object_array_get_idx(list, i);
        fputs("<tr data-target=\"", f);
        esc_attr(f, doc_str(e, "target"));
        fprintf(f, "\"><th><a href=\"#ep-%zu\">", i + 1);
        esc(f, or_dash(doc_str(e, "target")));
        fputs("</a></th><td class=\"r ", f);
        result_class(f, doc_str(e, "result"));
        fputs("\" title=\"", f);
        esc_attr(f, doc_str(e, "error") ? doc_str(e, "error") : or_dash(doc_str(e, "status")));
        fputs("\">", f);
        esc(f, result_short(doc_str(e, "result")));
        fputs("</td>", f);
        if (grades) {
            char *full = doc_value_text(doc_at(e, "grade"));
            fputs("<td class=\"grade\" title=\"", f);
            esc_attr(f, full ? full : "");
            fputs("\">", f);
            char grade[600];
            const char *shown = doc_grade_text(e, grade, sizeof grade);
            esc(f, shown ? shown : "\xE2\x80\x94");
            fputs("</td>", f);
            free(full);
        }
        for (size_t j = 0; j < doc_len(reqs); j++) {
            const char *id = doc_str(json_object_array_get_idx(reqs, j), "id");
            json_object *v = doc_verdict(e, id);
            const char *result = doc_str(v, "result");
            fputs("<td class=\"r ", f);
            result_class(f, result);
            fputs("\" data-requirement=\"", f);
            esc_attr(f, id);
            fputs("\" title=\"", f);
            esc_attr(f, v ? or_dash(doc_str(v, "evidence")) : "no verdict");
            fputs("\">", f);
            esc(f, result_short(result));
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);

    fputs("<table class=\"legend\"><thead><tr><th>Requirement</th><th>Standard</th><th>Level</th><th>Title</th></tr></thead><tbody>\n", f);
    for (size_t j = 0; j < doc_len(reqs); j++) {
        json_object *r = json_object_array_get_idx(reqs, j);
        fputs("<tr><td>", f);
        esc(f, doc_str(r, "id"));
        fputs("</td><td>", f);
        esc_value(f, doc_at(r, "standard"));
        fputs("</td><td>", f);
        esc_value(f, doc_at(r, "level"));
        fputs("</td><td>", f);
        esc_value(f, doc_at(r, "title"));
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

/* ---- endpoint details ---- */

static void write_probe_error(FILE *f, json_object *p)
{
    const char *status = doc_str(p, "status");
    if (status && strcmp(status, "ok") != 0) {
        fputs("<p class=\"r-error\">probe error: ", f);
        esc(f, or_dash(doc_str(p, "error")));
        fputs("</p>\n", f);
    }
}

static void write_versions(FILE *f, json_object *v)
{
    if (!v)
        return;
    fputs("<h3>Protocol versions</h3>\n", f);
    write_probe_error(f, v);
    json_object *list = doc_at(v, "protocols");
    fputs("<table class=\"versions\"><thead><tr><th>Version</th><th>Accepted</th><th>Answer</th><th>Suite</th></tr></thead><tbody>\n", f);
    for (size_t i = 0; i < doc_len(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        bool accepted = json_object_get_boolean(doc_at(p, "accepted"));
        fputs("<tr><td>", f);
        esc(f, or_dash(doc_str(p, "name")));
        fprintf(f, "</td><td>%s</td><td>", accepted ? "yes" : "no");
        esc(f, or_dash(doc_str(p, "result")));
        if (json_object_get_boolean(doc_at(p, "hello_size_limited")))
            fputs(" (only a short hello was answered)", f);
        fputs("</td><td>", f);
        esc(f, doc_str(p, "cipher") ? doc_str(p, "cipher") : "");
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n<p>Preferred: ", f);
    esc(f, or_dash(doc_str(v, "preferred")));
    if (doc_str(v, "preferred_cipher")) {
        fputs(", ", f);
        esc(f, doc_str(v, "preferred_cipher"));
    }
    fputs("</p>\n", f);
}

static void write_ciphers(FILE *f, json_object *c)
{
    if (!c)
        return;
    fputs("<h3>Cipher suites</h3>\n", f);
    write_probe_error(f, c);
    json_object *list = doc_at(c, "protocols");
    for (size_t i = 0; i < doc_len(list); i++) {
        json_object *v = json_object_array_get_idx(list, i), *order = doc_at(v, "server_order");
        json_object *suites = doc_at(v, "suites");
        fputs("<p><strong>", f);
        esc(f, or_dash(doc_str(v, "name")));
        fprintf(f, "</strong>: %zu suites%s</p>\n", doc_len(suites),
                !order ? "" : json_object_get_boolean(order) ? ", server's order" : ", client's order");
        fputs("<table class=\"suites\"><thead><tr><th>Code</th><th>Suite</th><th>Label</th><th>Key exchange group</th><th>Why</th></tr></thead><tbody>\n", f);
        for (size_t j = 0; j < doc_len(suites); j++) {
            json_object *s = json_object_array_get_idx(suites, j);
            const char *cls = or_dash(doc_str(s, "class"));
            fputs("<tr><td><code>", f);
            esc(f, or_dash(doc_str(s, "code")));
            fputs("</code></td><td>", f);
            esc(f, or_dash(doc_str(s, "name")));
            fputs("</td><td class=\"c-", f);
            esc_attr(f, cls);
            fputs("\">", f);
            esc(f, cls);
            fputs("</td><td>", f);
            esc(f, doc_str(s, "kx_group") ? doc_str(s, "kx_group") : "");
            fputs("</td><td>", f);
            esc(f, doc_str(s, "why") ? doc_str(s, "why") : "");
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
    }
    json_object *counts = doc_at(c, "counts");
    fputs("<p>Forward secrecy: ", f);
    esc(f, or_dash(doc_str(c, "forward_secrecy")));
    fprintf(f, "; %d recommended, %d acceptable, %d weak, %d insecure.</p>\n",
            json_object_get_int(doc_at(counts, "recommended")), json_object_get_int(doc_at(counts, "acceptable")),
            json_object_get_int(doc_at(counts, "weak")), json_object_get_int(doc_at(counts, "insecure")));
}

/* Who picks among the groups: NULL (shown as "-") when unknown. */
static const char *group_order_text(json_object *server_order)
{
    if (!server_order)
        return NULL;
    return json_object_get_boolean(server_order) ? "server's order" : "client's order";
}

/* Groups no answer decided, and why (the first reason): never shown as refused. */
static void open_groups_row(FILE *f, const char *label, json_object *open)
{
    if (!doc_len(open))
        return;
    fprintf(f, "<tr><th>%s</th><td>", label);
    for (size_t i = 0; i < doc_len(open); i++) {
        fputs(i ? " " : "", f);
        esc(f, or_dash(doc_str(json_object_array_get_idx(open, i), "name")));
    }
    fputs(" (", f);
    esc(f, or_dash(doc_str(json_object_array_get_idx(open, 0), "reason")));
    fputs(")</td></tr>\n", f);
}

static void write_groups(FILE *f, json_object *g, json_object *s)
{
    if (!g && !s)
        return;
    fputs("<h3>Key exchange groups and signatures</h3>\n", f);
    write_probe_error(f, g);
    write_probe_error(f, s);
    json_object *t13 = doc_at(g, "tls13"), *dh = doc_at(g, "dh");
    fputs("<table class=\"kv groups\">\n", f);
    kv_row(f, "TLS 1.3 groups", doc_at(t13, "accepted"));
    kv_text(f, "TLS 1.3 group order", group_order_text(doc_at(t13, "server_order")));
    kv_row(f, "TLS 1.3 preferred", doc_at(t13, "preferred"));
    kv_row(f, "ECDHE curves", doc_at(g, "tls12_curves"));
    kv_text(f, "ECDHE curve order", group_order_text(doc_at(g, "tls12_curves_server_order")));
    kv_row(f, "ECDHE curve preferred", doc_at(g, "tls12_curves_preferred"));
    open_groups_row(f, "TLS 1.3 groups undecided", doc_at(t13, "undecided"));
    open_groups_row(f, "ECDHE curves undecided", doc_at(g, "tls12_curves_undecided"));
    if (doc_len(doc_at(g, "tls12_curves_never_chosen"))) {
        fputs("<tr><th>ECDHE curves never chosen</th><td>", f);
        esc_value(f, doc_at(g, "tls12_curves_never_chosen"));
        fputs(" (the server takes its certificate's curve ", f);
        esc(f, or_dash(doc_str(g, "tls12_certificate_curve")));
        fputs(" over them)</td></tr>\n", f);
    }
    if (dh) {
        fprintf(f, "<tr><th>DH prime</th><td>%d bits, ", json_object_get_int(doc_at(dh, "bits")));
        esc(f, doc_str(dh, "group") ? doc_str(dh, "group") : "not a published group");
        if (json_object_get_boolean(doc_at(dh, "needs_ffdhe_offer"))) {
            fputs(" (only to hellos listing FFDHE groups: ", f);
            esc_value(f, doc_at(dh, "ffdhe_accepted"));
            fputs(")", f);
        }
        fputs("</td></tr>\n", f);
    } else {
        kv_text(f, "DH prime", NULL);
    }
    kv_row(f, "TLS 1.2 signature schemes", doc_at(s, "tls12"));
    kv_row(f, "TLS 1.3 signature schemes", doc_at(s, "tls13"));
    fputs("</table>\n", f);
}

static void write_certificate(FILE *f, json_object *c)
{
    if (!c)
        return;
    fputs("<h3>Certificate</h3>\n", f);
    write_probe_error(f, c);
    if (strcmp(or_dash(doc_str(c, "status")), "ok") != 0)
        return;
    json_object *chain = doc_at(c, "chain"), *leaf = doc_len(chain) ? json_object_array_get_idx(chain, 0) : NULL;
    json_object *trust = doc_at(c, "trust"), *name = doc_at(c, "name"), *analysis = doc_at(c, "chain_analysis");
    fputs("<table class=\"kv certificate\">\n", f);
    kv_row(f, "Subject", doc_at(leaf, "subject"));
    kv_row(f, "Issuer", doc_at(leaf, "issuer"));
    kv_row(f, "Names (SAN)", doc_at(leaf, "san"));
    fputs("<tr><th>Key</th><td>", f);
    esc(f, or_dash(doc_str(leaf, "key_type")));
    fprintf(f, " %d bits", json_object_get_int(doc_at(leaf, "key_bits")));
    if (doc_str(leaf, "curve")) {
        fputs(", ", f);
        esc(f, doc_str(leaf, "curve"));
    }
    fputs("</td></tr>\n", f);
    kv_row(f, "Signature", doc_at(leaf, "signature_algorithm"));
    fputs("<tr><th>Valid</th><td>", f);
    esc(f, or_dash(doc_str(leaf, "not_before")));
    fputs(" to ", f);
    esc(f, or_dash(doc_str(leaf, "not_after")));
    if (doc_at(c, "days_to_expiry"))
        fprintf(f, " (%lld days left)", (long long)json_object_get_int64(doc_at(c, "days_to_expiry")));
    if (json_object_get_boolean(doc_at(c, "expired")))
        fputs(" <strong>expired</strong>", f);
    fputs("</td></tr>\n<tr><th>Trust</th><td>", f);
    if (json_object_get_boolean(doc_at(trust, "verified"))) {
        fputs("trusted by ", f);
        esc(f, or_dash(doc_str(trust, "store")));
    } else {
        fputs("<strong>not trusted</strong> by ", f);
        esc(f, or_dash(doc_str(trust, "store")));
        fputs(": ", f);
        esc(f, or_dash(doc_str(trust, "error")));
    }
    fputs("</td></tr>\n<tr><th>Name</th><td>", f);
    if (doc_str(name, "checked")) {
        esc(f, doc_str(name, "checked"));
        json_object *m = doc_at(name, "matched");
        fputs(!m ? " not checked" : json_object_get_boolean(m) ? " matches" : " <strong>does not match</strong>", f);
    } else {
        fputs("no name to check", f);
    }
    fputs("</td></tr>\n", f);
    kv_row(f, "Chain issues", doc_len(doc_at(analysis, "issues")) ? doc_at(analysis, "issues") : NULL);
    kv_row(f, "Source", doc_at(c, "source"));
    kv_row(f, "Handshake", doc_at(c, "handshake"));
    kv_row(f, "OCSP staple", doc_at(doc_at(c, "ocsp_staple"), "verdict"));
    kv_row(f, "Revocation", doc_at(doc_at(c, "revocation"), "result"));
    fputs("</table>\n", f);

    fprintf(f, "<table class=\"chain\"><thead><tr><th>#</th><th>Subject</th><th>Issuer</th><th>Key</th><th>Not after</th><th>SHA-256</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < doc_len(chain); i++) {
        json_object *x = json_object_array_get_idx(chain, i);
        fprintf(f, "<tr><td>%zu</td><td>", i);
        esc(f, or_dash(doc_str(x, "subject")));
        fputs("</td><td>", f);
        esc(f, or_dash(doc_str(x, "issuer")));
        fputs("</td><td>", f);
        esc(f, or_dash(doc_str(x, "key_type")));
        fprintf(f, " %d</td><td>", json_object_get_int(doc_at(x, "key_bits")));
        esc(f, or_dash(doc_str(x, "not_after")));
        fputs("</td><td><code>", f);
        esc(f, or_dash(doc_str(x, "sha256")));
        fputs("</code></td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static void write_verdicts(FILE *f, json_object *e)
{
    json_object *verdicts = doc_at(e, "verdicts");
    fputs("<h3>Verdicts</h3>\n", f);
    if (!doc_len(verdicts)) {
        fputs("<p class=\"muted\">no verdicts</p>\n", f);
        return;
    }
    fputs("<table class=\"verdicts\"><thead><tr><th>Requirement</th><th>Level</th><th>Title</th><th>Result</th>"
          "<th>Evidence</th><th>Notes</th></tr></thead><tbody>\n", f);
    for (size_t i = 0; i < doc_len(verdicts); i++) {
        json_object *v = json_object_array_get_idx(verdicts, i);
        fputs("<tr><td>", f);
        esc(f, or_dash(doc_str(v, "id")));
        fputs("</td><td>", f);
        esc_value(f, doc_at(v, "level"));
        fputs("</td><td>", f);
        esc(f, or_dash(doc_str(v, "title")));
        fputs("</td><td class=\"r ", f);
        result_class(f, doc_str(v, "result"));
        fputs("\">", f);
        esc(f, or_dash(doc_str(v, "result")));
        fputs("</td><td>", f);
        esc(f, or_dash(doc_str(v, "evidence")));
        fputs("</td><td>", f);
        /* Members beyond the core ones (cwe, waiver, ...), whatever they are. */
        int first = 1;
        json_object_object_foreach(v, key, val) {
            if (doc_verdict_core_member(key) || !val)
                continue;
            fputs(first ? "" : "<br>", f);
            esc(f, key);
            fputs(": ", f);
            esc_value(f, val);
            first = 0;
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static bool endpoint_core_member(const char *key)
{
    static const char *const core[] = { "target", "host", "port", "sni", "address", "addresses", "service",
                                        "starttls", "origin", "tags", "status", "error", "connections",
                                        "duration_ms", "facts", "verdicts", "result" };
    for (size_t i = 0; i < sizeof core / sizeof *core; i++)
        if (strcmp(key, core[i]) == 0)
            return true;
    return false;
}

static void write_endpoint(FILE *f, json_object *e, size_t index)
{
    fprintf(f, "<section class=\"endpoint\" id=\"ep-%zu\">\n<h2>", index + 1);
    badge(f, doc_str(e, "result"));
    fputs(" ", f);
    esc(f, or_dash(doc_str(e, "target")));
    fputs("</h2>\n<table class=\"kv\">\n", f);
    kv_row(f, "Address", doc_at(e, "address"));
    kv_row(f, "All addresses", doc_at(e, "addresses"));
    kv_row(f, "SNI", doc_at(e, "sni"));
    kv_row(f, "Service", doc_at(e, "service"));
    kv_row(f, "Origin", doc_at(e, "origin"));
    kv_row(f, "Tags", doc_len(doc_at(e, "tags")) ? doc_at(e, "tags") : NULL);
    kv_row(f, "Status", doc_at(e, "status"));
    if (doc_at(e, "error"))
        kv_row(f, "Error", doc_at(e, "error"));
    fprintf(f, "<tr><th>Probing</th><td>%d connections, %lld ms</td></tr>\n", json_object_get_int(doc_at(e, "connections")),
            (long long)json_object_get_int64(doc_at(e, "duration_ms")));
    /* Members later versions add (a grade, ...): shown as they are. */
    json_object_object_foreach(e, key, val) {
        if (endpoint_core_member(key))
            continue;
        fputs("<tr><th>", f);
        esc(f, key);
        fputs("</th><td>", f);
        esc_value(f, val);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    json_object *facts = doc_at(e, "facts");
    write_versions(f, doc_at(facts, "versions"));
    write_ciphers(f, doc_at(facts, "ciphers"));
    write_groups(f, doc_at(facts, "groups"), doc_at(facts, "signatures"));
    write_certificate(f, doc_at(facts, "certificate"));
    write_verdicts(f, e);
    if (facts && json_object_object_length(facts) > 0) {
        fputs("<details><summary>All facts (JSON)</summary><pre>", f);
        esc(f, json_object_to_json_string_ext(facts, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
        fputs("</pre></details>\n", f);
    }
    fputs("</section>\n", f);
}

int report_html_write(FILE *f, json_object *doc, const options_t *opts)
{
    (void)opts;
    json_object *tool = doc_at(doc, "tool"), *sum = doc_at(doc, "summary"), *list = doc_at(doc, "endpoints");
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          /* The page is a record: nothing in it may load or run anything. */
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>tlsprobe report ", f);
    esc(f, or_dash(doc_str(doc, "started_at")));
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>tlsprobe report</h1>\n<p class=\"run\">", style);
    esc(f, or_dash(doc_str(tool, "name")));
    fputs(" ", f);
    esc(f, or_dash(doc_str(tool, "version")));
    fputs(", schema ", f);
    esc(f, or_dash(doc_str(doc, "schema")));
    fputs(" ", f);
    esc(f, or_dash(doc_str(doc, "schema_version")));
    fputs("; started ", f);
    esc(f, or_dash(doc_str(doc, "started_at")));
    fputs(", finished ", f);
    esc(f, or_dash(doc_str(doc, "finished_at")));
    fprintf(f, ".</p>\n<p class=\"summary\">%d endpoints (%d reachable): %d passed, %d failed, %d errors; exit status %d.</p>\n",
            json_object_get_int(doc_at(sum, "endpoints")), json_object_get_int(doc_at(sum, "reachable")),
            json_object_get_int(doc_at(sum, "passed")), json_object_get_int(doc_at(sum, "failed")),
            json_object_get_int(doc_at(sum, "errors")), json_object_get_int(doc_at(sum, "exit_status")));
    json_object *reqs = doc_requirements(doc);
    write_matrix(f, doc, reqs);
    json_object_put(reqs);
    for (size_t i = 0; i < doc_len(list); i++)
        write_endpoint(f, json_object_array_get_idx(list, i), i);
    fputs("</body>\n</html>\n", f);
    return ferror(f) ? -1 : 0;
}

const report_writer_t report_writer_html = {
    .name = "html",
    .help = "one self-contained page: requirements matrix and endpoint details",
    .write = report_html_write,
};
