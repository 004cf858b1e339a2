/* Rules on protocol versions (12.1.1, 9.1.3) and cipher suites (12.1.2, 9.1.2). */
#include "rules.h"

#include <string.h>

static const char *const legacy_protocols[] = { "SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1" };

static json_object *protocol_entry(json_object *versions, const char *name)
{
    json_object *list = jr_at(versions, "protocols");
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        const char *pn = jr_str(p, "name");
        if (pn && strcmp(pn, name) == 0)
            return p;
    }
    return NULL;
}

static bool accepted(json_object *versions, const char *name)
{
    return rf_true(protocol_entry(versions, name), "accepted");
}

/* Only TLS 1.2 / 1.3, and the latest one the server has is the one it prefers. */
verdict_t rule_versions(const rule_ctx_t *c, char *ev, size_t evlen)
{
    json_object *v = rf_probe(c, "versions", ev, evlen);
    if (!v)
        return VERDICT_ERROR;
    int legacy = 0;
    for (size_t i = 0; i < sizeof legacy_protocols / sizeof *legacy_protocols; i++) {
        if (!accepted(v, legacy_protocols[i]))
            continue;
        const char *cipher = jr_str(protocol_entry(v, legacy_protocols[i]), "cipher");
        rf_ev(ev, evlen, "%s%s accepted", legacy++ ? "; " : "", legacy_protocols[i]);
        if (cipher)
            rf_ev(ev, evlen, ": %s", cipher);
    }
    if (legacy)
        return VERDICT_FAIL;
    bool has12 = accepted(v, "TLSv1.2"), has13 = accepted(v, "TLSv1.3");
    if (!has12 && !has13) {
        rf_ev(ev, evlen, "no protocol version accepted");
        return VERDICT_ERROR;
    }
    const char *preferred = jr_str(v, "preferred");
    if (has13 && (!preferred || strcmp(preferred, "TLSv1.3") != 0)) {
        rf_ev(ev, evlen, "TLSv1.3 accepted but the server prefers %s", preferred ? preferred : "nothing");
        return VERDICT_FAIL;
    }
    if (has12 && has13)
        rf_ev(ev, evlen, "only TLSv1.2 and TLSv1.3 accepted; TLSv1.3 preferred");
    else
        rf_ev(ev, evlen, "only %s accepted", has13 ? "TLSv1.3" : "TLSv1.2");
    return VERDICT_PASS;
}

static int class_rank(const char *cls)
{
    return !cls ? 3 : strcmp(cls, "recommended") == 0 ? 0 : strcmp(cls, "acceptable") == 0 ? 1
                    : strcmp(cls, "weak") == 0 ? 2 : 3;
}

/* Suites judged against a worst acceptable class; L3 of ASVS 5.0 also wants forward secrecy
 * everywhere. Preference: where the server enforces its order the first suite must be of the
 * best class it has; where the client decides, every suite must be of the best class. */
static verdict_t judge_suites(const rule_ctx_t *c, int worst_ok, bool need_fs, char *ev, size_t evlen)
{
    json_object *ciphers = rf_probe(c, "ciphers", ev, evlen);
    if (!ciphers)
        return VERDICT_ERROR;
    json_object *protocols = jr_at(ciphers, "protocols");
    size_t total = 0, bad = 0, no_fs = 0, listed = 0;
    char order_problem[200] = "";
    for (size_t i = 0; protocols && i < json_object_array_length(protocols); i++) {
        json_object *p = json_object_array_get_idx(protocols, i), *suites = jr_at(p, "suites");
        size_t n = suites ? json_object_array_length(suites) : 0;
        int best = 3, first = n ? class_rank(jr_str(json_object_array_get_idx(suites, 0), "class")) : 3;
        bool mixed = false;
        for (size_t j = 0; j < n; j++) {
            json_object *s = json_object_array_get_idx(suites, j);
            int rank = class_rank(jr_str(s, "class"));
            mixed |= j > 0 && rank != best;
            if (rank < best)
                best = rank;
            total++;
            if (rank > worst_ok) {
                if (listed < 3)
                    rf_ev(ev, evlen, "%s%s %s (%s: %s)", bad ? "; " : "", jr_str(p, "name"), jr_str(s, "name"),
                          jr_str(s, "class"), jr_str(s, "why"));
                listed += listed < 3;
                bad++;
            }
            if (need_fs && !rf_true(s, "forward_secrecy"))
                no_fs++;
        }
        bool server_order = false;
        bool known = rf_bool(p, "server_order", &server_order);
        if (!order_problem[0] && n > 1 && known && server_order && first > best)
            snprintf(order_problem, sizeof order_problem, "%s: the server prefers %s over stronger suites",
                     jr_str(p, "name"), jr_str(json_object_array_get_idx(suites, 0), "name"));
        if (!order_problem[0] && n > 1 && known && !server_order && mixed)
            snprintf(order_problem, sizeof order_problem,
                     "%s: the client's order decides, and suites of different strength are accepted", jr_str(p, "name"));
    }
    if (total == 0) {
        rf_ev(ev, evlen, "no cipher suite found");
        return VERDICT_ERROR;
    }
    if (bad) {
        if (bad > listed)
            rf_ev(ev, evlen, " and %zu more", bad - listed);
        return VERDICT_FAIL;
    }
    if (no_fs) {
        rf_ev(ev, evlen, "%zu suite(s) without forward secrecy (required at level 3)", no_fs);
        return VERDICT_FAIL;
    }
    if (order_problem[0]) {
        rf_ev(ev, evlen, "%s", order_problem);
        return VERDICT_FAIL;
    }
    const char *fs = jr_str(ciphers, "forward_secrecy");
    rf_ev(ev, evlen, "%zu suites accepted, all %s; forward secrecy: %s", total,
          worst_ok == 0 ? "recommended" : "recommended or acceptable", fs ? fs : "?");
    return VERDICT_PASS;
}

verdict_t rule_suites_recommended(const rule_ctx_t *c, char *ev, size_t evlen)
{
    return judge_suites(c, 0, c->level >= 3, ev, evlen);
}

verdict_t rule_suites_strong(const rule_ctx_t *c, char *ev, size_t evlen)
{
    return judge_suites(c, 1, false, ev, evlen);
}
