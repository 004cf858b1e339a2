/* Text writer: a readable summary per endpoint, rendered from the report document. */
#include "report.h"
#include "report_text.h"
#include "json_read.h"

#include <stdio.h>
#include <string.h>

typedef struct pen {
    FILE *f;
    int color;
} pen_t;

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

static void result_word(pen_t *p, const char *r)
{
    const char *c = strcmp(r, "PASS") == 0 ? "32" : strcmp(r, "FAIL") == 0 ? "31"
                  : strcmp(r, "ERROR") == 0 ? "33" : strcmp(r, "WAIVED") == 0 ? "35" : "36";
    /* Short words keep the evidence column aligned. */
    const char *w = strcmp(r, "NOT_APPLICABLE") == 0 ? "n/a" : r;
    if (p->color)
        fprintf(p->f, "\033[1;%sm%-6s\033[0m", c, w);
    else
        fprintf(p->f, "%-6s", w);
}

static void write_versions(pen_t *p, json_object *v)
{
    if (!v)
        return;
    if (strcmp(or_dash(jr_str(v, "status")), "ok") != 0) {
        fprintf(p->f, "  Protocols    probe failed: %s\n", or_dash(jr_str(v, "error")));
        return;
    }
    json_object *list = jr_at(v, "protocols");
    fprintf(p->f, "  Accepted    ");
    size_t n = list ? json_object_array_length(list) : 0, shown = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        if (json_object_get_boolean(jr_at(e, "accepted")) && ++shown)
            fprintf(p->f, " %s", or_dash(jr_str(e, "name")));
    }
    if (!shown)
        fprintf(p->f, " none");
    if (jr_str(v, "preferred"))
        fprintf(p->f, "  (prefers %s, %s)", jr_str(v, "preferred"), or_dash(jr_str(v, "preferred_cipher")));
    fprintf(p->f, "\n  Not accepted");
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i), *acc = jr_at(e, "accepted");
        if (acc && !json_object_get_boolean(acc))
            fprintf(p->f, " %s", or_dash(jr_str(e, "name")));
    }
    /* accepted null: undetermined, which is neither. */
    for (size_t i = 0, first = 1; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        if (jr_at(e, "accepted"))
            continue;
        fprintf(p->f, "%s %s (%s)", first ? "\n  Unknown     " : ";", or_dash(jr_str(e, "name")),
                or_dash(jr_str(e, "result")));
        first = 0;
    }
    fprintf(p->f, "\n");
}

static void class_word(pen_t *p, const char *cls)
{
    const char *c = strcmp(cls, "recommended") == 0 ? "32" : strcmp(cls, "weak") == 0 ? "33"
                  : strcmp(cls, "insecure") == 0 ? "31" : NULL;
    if (p->color && c)
        fprintf(p->f, "\033[%sm%-11s\033[0m", c, cls);
    else
        fprintf(p->f, "%-11s", cls);
}

static void write_ciphers(pen_t *p, json_object *c)
{
    if (!c)
        return;
    if (strcmp(or_dash(jr_str(c, "status")), "ok") != 0)
        fprintf(p->f, "  Suites       enumeration incomplete: %s\n", or_dash(jr_str(c, "error")));
    json_object *list = jr_at(c, "protocols");
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *v = json_object_array_get_idx(list, i), *order = jr_at(v, "server_order");
        json_object *suites = jr_at(v, "suites");
        fprintf(p->f, "  %-12s %s, %zu suites%s\n", i ? "" : "Suites", or_dash(jr_str(v, "name")),
                suites ? json_object_array_length(suites) : 0,
                !order ? "" : json_object_get_boolean(order) ? ", server's order" : ", client's order");
        for (size_t j = 0; suites && j < json_object_array_length(suites); j++) {
            json_object *s = json_object_array_get_idx(suites, j);
            fprintf(p->f, "                 %-46s ", or_dash(jr_str(s, "name")));
            class_word(p, or_dash(jr_str(s, "class")));
            fprintf(p->f, " %-18s", jr_str(s, "kx_group") ? jr_str(s, "kx_group") : "");
            if (jr_str(s, "why") && *jr_str(s, "why"))
                fprintf(p->f, "  (%s)", jr_str(s, "why"));
            fprintf(p->f, "\n");
        }
    }
    json_object *counts = jr_at(c, "counts");
    fprintf(p->f, "               forward secrecy: %s; %d recommended, %d acceptable, %d weak, %d insecure; %d connections\n",
            or_dash(jr_str(c, "forward_secrecy")), json_object_get_int(jr_at(counts, "recommended")),
            json_object_get_int(jr_at(counts, "acceptable")), json_object_get_int(jr_at(counts, "weak")),
            json_object_get_int(jr_at(counts, "insecure")), json_object_get_int(jr_at(c, "connections")));
}

static void write_names(pen_t *p, json_object *arr)
{
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
        fprintf(p->f, " %s", json_object_get_string(json_object_array_get_idx(arr, i)));
}

/* " (server's order, prefers x)", " (client's order)", or nothing when the order is unknown. */
static void write_group_order(pen_t *p, json_object *server_order, const char *preferred)
{
    if (!server_order)
        return;
    if (!json_object_get_boolean(server_order))
        fprintf(p->f, " (client's order)");
    else if (preferred)
        fprintf(p->f, " (server's order, prefers %s)", preferred);
    else
        fprintf(p->f, " (server's order)");
}

/* "               TLSv1.3: 3 groups undecided (why)": never shown as refused. */
static void write_open_groups(pen_t *p, json_object *open, const char *version, const char *what)
{
    if (!json_object_is_type(open, json_type_array) || !json_object_array_length(open))
        return;
    fprintf(p->f, "               %s: %zu %s undecided (%s)\n", version, json_object_array_length(open), what,
            or_dash(jr_str(json_object_array_get_idx(open, 0), "reason")));
}

static void write_groups(pen_t *p, json_object *g)
{
    if (!g)
        return;
    if (strcmp(or_dash(jr_str(g, "status")), "ok") != 0)
        fprintf(p->f, "  Groups       enumeration incomplete: %s\n", or_dash(jr_str(g, "error")));
    json_object *t13 = jr_at(g, "tls13"), *curves = jr_at(g, "tls12_curves"), *dh = jr_at(g, "dh");
    if (!t13 && !curves && !dh)
        return;
    fprintf(p->f, "  Groups      ");
    if (t13) {
        fprintf(p->f, " TLSv1.3:");
        write_names(p, jr_at(t13, "accepted"));
        write_group_order(p, jr_at(t13, "server_order"), jr_str(t13, "preferred"));
    }
    if (curves) {
        fprintf(p->f, "%s ECDHE:", t13 ? ";" : "");
        write_names(p, curves);
        write_group_order(p, jr_at(g, "tls12_curves_server_order"), jr_str(g, "tls12_curves_preferred"));
    }
    if (dh) {
        fprintf(p->f, "%s DH %d bits %s", t13 || curves ? ";" : "", json_object_get_int(jr_at(dh, "bits")),
                jr_str(dh, "group") ? jr_str(dh, "group") : "(not a published group)");
        if (json_object_get_boolean(jr_at(dh, "needs_ffdhe_offer"))) {
            fprintf(p->f, " (only to hellos listing FFDHE groups;");
            write_names(p, jr_at(dh, "ffdhe_accepted"));
            fprintf(p->f, ")");
        }
    }
    fprintf(p->f, "\n");
    write_open_groups(p, jr_at(t13, "undecided"), "TLSv1.3", "groups");
    write_open_groups(p, jr_at(g, "tls12_curves_undecided"), "ECDHE", "curves");
    /* Decided, but said: the server takes its certificate's curve over them. */
    json_object *never = jr_at(g, "tls12_curves_never_chosen");
    if (json_object_is_type(never, json_type_array) && json_object_array_length(never))
        fprintf(p->f, "               ECDHE: %zu more curves never chosen: the server takes its certificate's curve "
                      "%s over them\n", json_object_array_length(never), or_dash(jr_str(g, "tls12_certificate_curve")));
}

static void write_signatures(pen_t *p, json_object *s)
{
    json_object *tls12 = jr_at(s, "tls12"), *tls13 = jr_at(s, "tls13");
    if (!tls12 && !tls13)
        return;
    fprintf(p->f, "  Signatures  ");
    if (tls12) {
        fprintf(p->f, " TLSv1.2:");
        write_names(p, tls12);
    }
    if (tls13) {
        fprintf(p->f, "%s TLSv1.3:", tls12 ? ";" : "");
        write_names(p, tls13);
    }
    fprintf(p->f, "\n");
}

static void write_certificate(pen_t *p, json_object *c)
{
    if (!c)
        return;
    if (strcmp(or_dash(jr_str(c, "status")), "ok") != 0) {
        fprintf(p->f, "  Certificate  handshake failed: %s\n", or_dash(jr_str(c, "error")));
        return;
    }
    json_object *chain = jr_at(c, "chain");
    json_object *leaf = chain ? json_object_array_get_idx(chain, 0) : NULL;
    json_object *trust = jr_at(c, "trust"), *name = jr_at(c, "name"), *days = jr_at(c, "days_to_expiry");
    fprintf(p->f, "  Certificate  %s\n", or_dash(jr_str(leaf, "subject")));
    fprintf(p->f, "               issuer %s\n", or_dash(jr_str(leaf, "issuer")));
    fprintf(p->f, "               %s %d bits, %s, valid until %s", or_dash(jr_str(leaf, "key_type")),
            json_object_get_int(jr_at(leaf, "key_bits")), or_dash(jr_str(leaf, "signature_algorithm")),
            or_dash(jr_str(leaf, "not_after")));
    if (days)
        fprintf(p->f, " (%d days)", json_object_get_int(days));
    fprintf(p->f, "\n               chain of %zu served; ", chain ? json_object_array_length(chain) : 0);
    if (json_object_get_boolean(jr_at(trust, "verified")))
        fprintf(p->f, "trusted by %s", or_dash(jr_str(trust, "store")));
    else
        fprintf(p->f, "NOT trusted by %s: %s", or_dash(jr_str(trust, "store")), or_dash(jr_str(trust, "error")));
    if (jr_str(name, "checked"))
        fprintf(p->f, "; name %s %s", jr_str(name, "checked"),
                json_object_get_boolean(jr_at(name, "matched")) ? "matches" : "does NOT match");
    fprintf(p->f, "\n");
}

/* "Grade  A- (score 93: protocol 100, key exchange 90, cipher 90)" and every cap below it. */
static void write_grade(pen_t *p, json_object *g)
{
    if (g && json_object_is_type(g, json_type_object) && !jr_str(g, "grade")) {
        /* Never silent: a missing letter must not read as a good one. */
        fprintf(p->f, "  Grade        no grade: %s\n", or_dash(jr_str(g, "reason")));
        return;
    }
    if (!g || !jr_str(g, "grade"))
        return;
    const char *grade = jr_str(g, "grade"), *if_trusted = jr_str(g, "grade_if_trusted");
    json_object *comp = jr_at(g, "components"), *caps = jr_at(g, "caps");
    const char *c = grade[0] == 'A' ? "32" : grade[0] == 'B' ? "33" : "31";
    fprintf(p->f, "  Grade        ");
    if (p->color)
        fprintf(p->f, "\033[1;%sm%s\033[0m", c, grade);
    else
        fprintf(p->f, "%s", grade);
    if (if_trusted && strcmp(if_trusted, grade) != 0)
        fprintf(p->f, " (%s if trusted)", if_trusted);
    fprintf(p->f, "  score %d: protocol %d, key exchange %d, cipher %d\n", json_object_get_int(jr_at(g, "score")),
            json_object_get_int(jr_at(comp, "protocol")), json_object_get_int(jr_at(comp, "key_exchange")),
            json_object_get_int(jr_at(comp, "cipher")));
    for (size_t i = 0; caps && i < json_object_array_length(caps); i++)
        fprintf(p->f, "               %s\n", json_object_get_string(json_object_array_get_idx(caps, i)));
}

/* "Mozilla intermediate (6.0): N deviations", then one line each; a run of one check (the
 * suites outside the profile) names what is expected once. */
static void write_profile(pen_t *p, json_object *prof)
{
    if (!prof)
        return;
    json_object *devs = jr_at(prof, "deviations");
    size_t n = devs ? json_object_array_length(devs) : 0, advisory = 0;
    for (size_t i = 0; i < n; i++)
        advisory += json_object_get_boolean(jr_at(json_object_array_get_idx(devs, i), "advisory"));
    fprintf(p->f, "  Mozilla %s (%s): %zu deviation%s", or_dash(jr_str(prof, "name")),
            or_dash(jr_str(prof, "guidelines_version")), n, n == 1 ? "" : "s");
    if (advisory)
        fprintf(p->f, " (%zu advisory)", advisory);
    fprintf(p->f, "; %s\n", json_object_get_boolean(jr_at(prof, "compliant")) ? "compliant" : "not compliant");
    const char *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        json_object *d = json_object_array_get_idx(devs, i);
        const char *check = or_dash(jr_str(d, "check"));
        fprintf(p->f, "    %-22s %s", check, or_dash(jr_str(d, "found")));
        if (!prev || strcmp(prev, check) != 0)
            fprintf(p->f, " (expected: %s)", or_dash(jr_str(d, "expected")));
        if (json_object_get_boolean(jr_at(d, "advisory")))
            fprintf(p->f, " [advisory]");
        fprintf(p->f, "\n");
        prev = check;
    }
}

static void write_endpoint(pen_t *p, json_object *e)
{
    fprintf(p->f, "\n");
    result_word(p, or_dash(jr_str(e, "result")));
    fprintf(p->f, " %s", or_dash(jr_str(e, "target")));
    if (jr_str(e, "address"))
        fprintf(p->f, "  [%s", jr_str(e, "address"));
    if (jr_str(e, "address") && jr_str(e, "sni"))
        fprintf(p->f, ", SNI %s", jr_str(e, "sni"));
    fprintf(p->f, "%s\n", jr_str(e, "address") ? "]" : "");
    if (strcmp(or_dash(jr_str(e, "status")), "ok") != 0) {
        fprintf(p->f, "  %s: %s\n", or_dash(jr_str(e, "status")), or_dash(jr_str(e, "error")));
    } else {
        json_object *facts = jr_at(e, "facts");
        write_versions(p, jr_at(facts, "versions"));
        write_ciphers(p, jr_at(facts, "ciphers"));
        write_groups(p, jr_at(facts, "groups"));
        write_signatures(p, jr_at(facts, "signatures"));
        write_certificate(p, jr_at(facts, "certificate"));
        report_text_transport(p->f, facts);
        write_grade(p, jr_at(e, "grade"));
        write_profile(p, jr_at(e, "profile"));
    }
    json_object *verdicts = jr_at(e, "verdicts");
    size_t n = verdicts ? json_object_array_length(verdicts) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(verdicts, i);
        fprintf(p->f, "    ");
        result_word(p, or_dash(jr_str(v, "result")));
        fprintf(p->f, " %-7s %s\n", or_dash(jr_str(v, "id")), or_dash(jr_str(v, "evidence")));
    }
    fprintf(p->f, "  %d connections, %lld ms\n", json_object_get_int(jr_at(e, "connections")),
            (long long)json_object_get_int64(jr_at(e, "duration_ms")));
}

int report_text_write(FILE *f, json_object *doc, const options_t *opts)
{
    pen_t p = { f, opts->color };
    json_object *tool = jr_at(doc, "tool"), *sum = jr_at(doc, "summary"), *list = jr_at(doc, "endpoints");
    fprintf(f, "%s %s  report of %s\n", or_dash(jr_str(tool, "name")), or_dash(jr_str(tool, "version")),
            or_dash(jr_str(doc, "started_at")));
    size_t n = list ? json_object_array_length(list) : 0;
    for (size_t i = 0; i < n; i++)
        write_endpoint(&p, json_object_array_get_idx(list, i));
    report_text_matrix(f, doc, p.color);
    fprintf(f, "\n%d endpoints: %d passed, %d failed, %d errors (exit status %d)\n",
            json_object_get_int(jr_at(sum, "endpoints")), json_object_get_int(jr_at(sum, "passed")),
            json_object_get_int(jr_at(sum, "failed")), json_object_get_int(jr_at(sum, "errors")),
            json_object_get_int(jr_at(sum, "exit_status")));
    return ferror(f) ? -1 : 0;
}

const report_writer_t report_writer_text = {
    .name = "text",
    .help = "a readable summary per endpoint (the default)",
    .write = report_text_write,
};
