/* Text writer: a readable summary per endpoint, rendered from the report document. */
#include "report.h"
#include "report_text.h"

#include <stdio.h>
#include <string.h>

typedef struct pen {
    FILE *f;
    int color;
} pen_t;

static json_object *at(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *str(json_object *o, const char *key)
{
    json_object *v = at(o, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

static void result_word(pen_t *p, const char *r)
{
    const char *c = strcmp(r, "PASS") == 0 ? "32" : strcmp(r, "FAIL") == 0 ? "31"
                  : strcmp(r, "ERROR") == 0 ? "33" : "36";
    if (p->color)
        fprintf(p->f, "\033[1;%sm%-5s\033[0m", c, r);
    else
        fprintf(p->f, "%-5s", r);
}

static void write_versions(pen_t *p, json_object *v)
{
    if (!v)
        return;
    if (strcmp(or_dash(str(v, "status")), "ok") != 0) {
        fprintf(p->f, "  Protocols    probe failed: %s\n", or_dash(str(v, "error")));
        return;
    }
    json_object *list = at(v, "protocols");
    fprintf(p->f, "  Accepted    ");
    size_t n = list ? json_object_array_length(list) : 0, shown = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        if (json_object_get_boolean(at(e, "accepted")) && ++shown)
            fprintf(p->f, " %s", or_dash(str(e, "name")));
    }
    if (!shown)
        fprintf(p->f, " none");
    if (str(v, "preferred"))
        fprintf(p->f, "  (prefers %s, %s)", str(v, "preferred"), or_dash(str(v, "preferred_cipher")));
    fprintf(p->f, "\n  Not accepted");
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        if (!json_object_get_boolean(at(e, "accepted")))
            fprintf(p->f, " %s", or_dash(str(e, "name")));
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
    if (strcmp(or_dash(str(c, "status")), "ok") != 0)
        fprintf(p->f, "  Suites       enumeration incomplete: %s\n", or_dash(str(c, "error")));
    json_object *list = at(c, "protocols");
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *v = json_object_array_get_idx(list, i), *order = at(v, "server_order");
        json_object *suites = at(v, "suites");
        fprintf(p->f, "  %-12s %s, %zu suites%s\n", i ? "" : "Suites", or_dash(str(v, "name")),
                suites ? json_object_array_length(suites) : 0,
                !order ? "" : json_object_get_boolean(order) ? ", server's order" : ", client's order");
        for (size_t j = 0; suites && j < json_object_array_length(suites); j++) {
            json_object *s = json_object_array_get_idx(suites, j);
            fprintf(p->f, "                 %-46s ", or_dash(str(s, "name")));
            class_word(p, or_dash(str(s, "class")));
            fprintf(p->f, " %-18s", str(s, "kx_group") ? str(s, "kx_group") : "");
            if (str(s, "why") && *str(s, "why"))
                fprintf(p->f, "  (%s)", str(s, "why"));
            fprintf(p->f, "\n");
        }
    }
    json_object *counts = at(c, "counts");
    fprintf(p->f, "               forward secrecy: %s; %d recommended, %d acceptable, %d weak, %d insecure; %d connections\n",
            or_dash(str(c, "forward_secrecy")), json_object_get_int(at(counts, "recommended")),
            json_object_get_int(at(counts, "acceptable")), json_object_get_int(at(counts, "weak")),
            json_object_get_int(at(counts, "insecure")), json_object_get_int(at(c, "connections")));
}

static void write_names(pen_t *p, json_object *arr)
{
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
        fprintf(p->f, " %s", json_object_get_string(json_object_array_get_idx(arr, i)));
}

static void write_groups(pen_t *p, json_object *g)
{
    if (!g)
        return;
    if (strcmp(or_dash(str(g, "status")), "ok") != 0)
        fprintf(p->f, "  Groups       enumeration incomplete: %s\n", or_dash(str(g, "error")));
    json_object *t13 = at(g, "tls13"), *curves = at(g, "tls12_curves"), *dh = at(g, "dh");
    if (!t13 && !curves && !dh)
        return;
    fprintf(p->f, "  Groups      ");
    if (t13) {
        fprintf(p->f, " TLSv1.3:");
        write_names(p, at(t13, "accepted"));
        if (str(t13, "preferred"))
            fprintf(p->f, " (prefers %s)", str(t13, "preferred"));
    }
    if (curves) {
        fprintf(p->f, "%s ECDHE:", t13 ? ";" : "");
        write_names(p, curves);
    }
    if (dh)
        fprintf(p->f, "%s DH %d bits %s", t13 || curves ? ";" : "", json_object_get_int(at(dh, "bits")),
                str(dh, "group") ? str(dh, "group") : "(not a published group)");
    fprintf(p->f, "\n");

}

static void write_signatures(pen_t *p, json_object *s)
{
    json_object *tls12 = at(s, "tls12");
    if (!tls12)
        return;
    fprintf(p->f, "  Signatures   TLSv1.2:");
    write_names(p, tls12);
    fprintf(p->f, "\n");
}

static void write_certificate(pen_t *p, json_object *c)
{
    if (!c)
        return;
    if (strcmp(or_dash(str(c, "status")), "ok") != 0) {
        fprintf(p->f, "  Certificate  handshake failed: %s\n", or_dash(str(c, "error")));
        return;
    }
    json_object *chain = at(c, "chain");
    json_object *leaf = chain ? json_object_array_get_idx(chain, 0) : NULL;
    json_object *trust = at(c, "trust"), *name = at(c, "name"), *days = at(c, "days_to_expiry");
    fprintf(p->f, "  Certificate  %s\n", or_dash(str(leaf, "subject")));
    fprintf(p->f, "               issuer %s\n", or_dash(str(leaf, "issuer")));
    fprintf(p->f, "               %s %d bits, %s, valid until %s", or_dash(str(leaf, "key_type")),
            json_object_get_int(at(leaf, "key_bits")), or_dash(str(leaf, "signature_algorithm")),
            or_dash(str(leaf, "not_after")));
    if (days)
        fprintf(p->f, " (%d days)", json_object_get_int(days));
    fprintf(p->f, "\n               chain of %zu served; ", chain ? json_object_array_length(chain) : 0);
    if (json_object_get_boolean(at(trust, "verified")))
        fprintf(p->f, "trusted by %s", or_dash(str(trust, "store")));
    else
        fprintf(p->f, "NOT trusted by %s: %s", or_dash(str(trust, "store")), or_dash(str(trust, "error")));
    if (str(name, "checked"))
        fprintf(p->f, "; name %s %s", str(name, "checked"),
                json_object_get_boolean(at(name, "matched")) ? "matches" : "does NOT match");
    fprintf(p->f, "\n");
}

/* "Grade  A- (score 93: protocol 100, key exchange 90, cipher 90)" and every cap below it. */
static void write_grade(pen_t *p, json_object *g)
{
    if (!g || !str(g, "grade"))
        return;
    const char *grade = str(g, "grade"), *if_trusted = str(g, "grade_if_trusted");
    json_object *comp = at(g, "components"), *caps = at(g, "caps");
    const char *c = grade[0] == 'A' ? "32" : grade[0] == 'B' ? "33" : "31";
    fprintf(p->f, "  Grade        ");
    if (p->color)
        fprintf(p->f, "\033[1;%sm%s\033[0m", c, grade);
    else
        fprintf(p->f, "%s", grade);
    if (if_trusted && strcmp(if_trusted, grade) != 0)
        fprintf(p->f, " (%s if trusted)", if_trusted);
    fprintf(p->f, "  score %d: protocol %d, key exchange %d, cipher %d\n", json_object_get_int(at(g, "score")),
            json_object_get_int(at(comp, "protocol")), json_object_get_int(at(comp, "key_exchange")),
            json_object_get_int(at(comp, "cipher")));
    for (size_t i = 0; caps && i < json_object_array_length(caps); i++)
        fprintf(p->f, "               %s\n", json_object_get_string(json_object_array_get_idx(caps, i)));
}

/* "Mozilla intermediate (6.0): N deviations", then one line each; a run of one check (the
 * suites outside the profile) names what is expected once. */
static void write_profile(pen_t *p, json_object *prof)
{
    if (!prof)
        return;
    json_object *devs = at(prof, "deviations");
    size_t n = devs ? json_object_array_length(devs) : 0, advisory = 0;
    for (size_t i = 0; i < n; i++)
        advisory += json_object_get_boolean(at(json_object_array_get_idx(devs, i), "advisory"));
    fprintf(p->f, "  Mozilla %s (%s): %zu deviation%s", or_dash(str(prof, "name")),
            or_dash(str(prof, "guidelines_version")), n, n == 1 ? "" : "s");
    if (advisory)
        fprintf(p->f, " (%zu advisory)", advisory);
    fprintf(p->f, "; %s\n", json_object_get_boolean(at(prof, "compliant")) ? "compliant" : "not compliant");
    const char *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        json_object *d = json_object_array_get_idx(devs, i);
        const char *check = or_dash(str(d, "check"));
        fprintf(p->f, "    %-22s %s", check, or_dash(str(d, "found")));
        if (!prev || strcmp(prev, check) != 0)
            fprintf(p->f, " (expected: %s)", or_dash(str(d, "expected")));
        if (json_object_get_boolean(at(d, "advisory")))
            fprintf(p->f, " [advisory]");
        fprintf(p->f, "\n");
        prev = check;
    }
}

static void write_endpoint(pen_t *p, json_object *e)
{
    fprintf(p->f, "\n");
    result_word(p, or_dash(str(e, "result")));
    fprintf(p->f, " %s", or_dash(str(e, "target")));
    if (str(e, "address"))
        fprintf(p->f, "  [%s", str(e, "address"));
    if (str(e, "address") && str(e, "sni"))
        fprintf(p->f, ", SNI %s", str(e, "sni"));
    fprintf(p->f, "%s\n", str(e, "address") ? "]" : "");
    if (strcmp(or_dash(str(e, "status")), "ok") != 0) {
        fprintf(p->f, "  %s: %s\n", or_dash(str(e, "status")), or_dash(str(e, "error")));
    } else {
        json_object *facts = at(e, "facts");
        write_versions(p, at(facts, "versions"));
        write_ciphers(p, at(facts, "ciphers"));
        write_groups(p, at(facts, "groups"));
        write_signatures(p, at(facts, "signatures"));
        write_certificate(p, at(facts, "certificate"));
        report_text_transport(p->f, facts);
        write_grade(p, at(e, "grade"));
        write_profile(p, at(e, "profile"));
    }
    json_object *verdicts = at(e, "verdicts");
    size_t n = verdicts ? json_object_array_length(verdicts) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(verdicts, i);
        fprintf(p->f, "    ");
        result_word(p, or_dash(str(v, "result")));
        fprintf(p->f, " %-7s %s\n", or_dash(str(v, "id")), or_dash(str(v, "evidence")));
    }
    fprintf(p->f, "  %d connections, %lld ms\n", json_object_get_int(at(e, "connections")),
            (long long)json_object_get_int64(at(e, "duration_ms")));
}

int report_text_write(FILE *f, json_object *doc, const options_t *opts)
{
    pen_t p = { f, opts->color };
    json_object *tool = at(doc, "tool"), *sum = at(doc, "summary"), *list = at(doc, "endpoints");
    fprintf(f, "%s %s  report of %s\n", or_dash(str(tool, "name")), or_dash(str(tool, "version")),
            or_dash(str(doc, "started_at")));
    size_t n = list ? json_object_array_length(list) : 0;
    for (size_t i = 0; i < n; i++)
        write_endpoint(&p, json_object_array_get_idx(list, i));
    report_text_matrix(f, doc, p.color);
    fprintf(f, "\n%d endpoints: %d passed, %d failed, %d errors (exit status %d)\n",
            json_object_get_int(at(sum, "endpoints")), json_object_get_int(at(sum, "passed")),
            json_object_get_int(at(sum, "failed")), json_object_get_int(at(sum, "errors")),
            json_object_get_int(at(sum, "exit_status")));
    return ferror(f) ? -1 : 0;
}
