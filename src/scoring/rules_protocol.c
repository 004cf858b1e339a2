/* Rules on protocol versions (12.1.1, 9.1.3) and cipher suites (12.1.2, 9.1.2). Every version
 * must be decided (accepted or refused) and every accepted version's suites enumerated to the
 * end before either can PASS; a legacy version or a weak suite found FAILs all the same. */
#include "rules.h"

#include <stdio.h>
#include <string.h>

#define NLEGACY 4   /* the first four */

/* Whether the server accepts version NAME; unknown (with the reason noted) when the facts
 * lack the version or the probe could not decide it ("result" says why). */
static rf_tri_t version_accepted(json_object *versions, const char *name, rf_unknown_t *u)
{
    json_object *p = jr_named(versions, "protocols", name);
    rf_tri_t t = rf_tri(p, "accepted");
    if (t == RF_UNKNOWN && !p)
        rf_unknown(u, "%s not in the versions facts", name);
    else if (t == RF_UNKNOWN)
        rf_unknown(u, "%s undetermined (%s)", name, jr_str(p, "result") ? jr_str(p, "result") : "no result");
    return t;
}

/* TLS 1.3 accepted: the server must pick it when offered every version. */
static verdict_t tls13_preferred(json_object *v, char *ev, size_t evlen)
{
    const char *preferred = jr_str(v, "preferred");
    if (!preferred) {
        const char *why = jr_str(v, "preference_result");
        rf_ev(ev, evlen, "TLSv1.3 accepted but the version the server prefers is undetermined (%s)",
              why ? why : "no answer recorded");
        return VERDICT_ERROR;
    }
    if (strcmp(preferred, "TLSv1.3") != 0) {
        rf_ev(ev, evlen, "TLSv1.3 accepted but the server prefers %s", preferred);
        return VERDICT_FAIL;
    }
    return VERDICT_PASS;
}

/* Only TLS 1.2 / 1.3, and the latest one the server has is the one it prefers. */
verdict_t rule_versions(const rule_ctx_t *c, char *ev, size_t evlen)
{
    json_object *v = rf_probe(c, "versions", ev, evlen);
    if (!v)
        return VERDICT_ERROR;
    rf_unknown_t u = { .count = 0 };
    rf_tri_t acc[JR_NPROTOCOLS];
    int legacy = 0;
    for (size_t i = 0; i < JR_NPROTOCOLS; i++)
        acc[i] = version_accepted(v, jr_protocols[i], &u);
    for (size_t i = 0; i < NLEGACY; i++) {
        if (acc[i] != RF_YES)
            continue;
        const char *cipher = jr_str(jr_named(v, "protocols", jr_protocols[i]), "cipher");
        rf_ev(ev, evlen, "%s%s accepted", legacy++ ? "; " : "", jr_protocols[i]);
        if (cipher)
            rf_ev(ev, evlen, ": %s", cipher);
    }
    verdict_t settled = rf_settle(legacy, &u, "undetermined", ev, evlen);
    if (settled != VERDICT_PASS)
        return settled;
    bool has12 = acc[4] == RF_YES, has13 = acc[5] == RF_YES;
    if (!has12 && !has13) {
        rf_ev(ev, evlen, "no protocol version accepted");
        return VERDICT_ERROR;
    }
    verdict_t pref = has13 ? tls13_preferred(v, ev, evlen) : VERDICT_PASS;
    if (pref != VERDICT_PASS)
        return pref;
    if (has12 && has13)
        rf_ev(ev, evlen, "only TLSv1.2 and TLSv1.3 accepted; TLSv1.3 preferred");
    else
        rf_ev(ev, evlen, "only %s accepted", has13 ? "TLSv1.3" : "TLSv1.2");
    return VERDICT_PASS;
}

/* ---- cipher suites */

/* 0 recommended, 1 acceptable, 2 weak, 3 insecure; -1 for a class tlsprobe does not know. */
static int class_rank(const char *cls)
{
    static const char *const classes[] = { "recommended", "acceptable", "weak", "insecure" };
    for (int i = 0; cls && i < 4; i++)
        if (strcmp(cls, classes[i]) == 0)
            return i;
    return -1;
}

typedef struct tally {
    int worst_ok;                 /* the worst class rank that passes */
    bool need_fs;                 /* level 3: forward secrecy on every suite */
    size_t total, bad, listed, no_fs, with_fs, fs_unknown;
    char order_problem[200];
    rf_unknown_t u;
} tally_t;

/* The suites enumeration of one version ended with every candidate decided. */
static void check_complete(json_object *p, const char *name, rf_unknown_t *u)
{
    json_object *undecided = jr_at(p, "undecided");
    rf_tri_t complete = rf_tri(p, "complete");
    if (jr_len(undecided)) {
        const char *why = jr_str(jr_idx(undecided, 0), "reason");
        rf_unknown(u, "%zu suites of %s could not be decided (%s)", jr_len(undecided), name, why ? why : "no reason given");
    } else if (complete == RF_NO) {
        rf_unknown(u, "the suites of %s were not all decided", name);
    } else if (complete == RF_UNKNOWN) {
        rf_unknown(u, "%s: the suites enumeration is not known to be complete", name);
    }
}

/* Every version is decided, and every accepted one has its suites enumerated. */
static void check_versions_covered(const rule_ctx_t *c, json_object *ciphers, rf_unknown_t *u)
{
    json_object *versions = jr_at(c->facts, "versions");
    const char *status = jr_str(versions, "status");
    if (!status || strcmp(status, "ok") != 0) {
        if (versions)
            rf_unknown(u, "versions probe failed: %s", jr_or_q(jr_str(versions, "error")));
        else
            rf_unknown(u, "versions probe did not run");
        return;
    }
    for (size_t i = 0; i < JR_NPROTOCOLS; i++) {
        rf_unknown_t why = { .count = 0 };
        rf_tri_t acc = version_accepted(versions, jr_protocols[i], &why);
        if (acc == RF_UNKNOWN)
            rf_unknown(u, "%s: its suites are unknown", why.text);
        else if (acc == RF_YES && !jr_named(ciphers, "protocols", jr_protocols[i]))
            rf_unknown(u, "%s accepted but its suites were not enumerated", jr_protocols[i]);
    }
}

static void note_bad(tally_t *t, char *ev, size_t evlen, const char *version, json_object *s)
{
    if (t->listed < 3) {
        rf_ev(ev, evlen, "%s%s %s (%s: %s)", t->bad ? "; " : "", jr_or_q(version), jr_or_q(jr_str(s, "name")),
              jr_or_q(jr_str(s, "class")), jr_or_q(jr_str(s, "why")));
        t->listed++;
    }
    t->bad++;
}

/* Preference: where the server enforces its order the first suite must be of the best class
 * it has; where the client decides, every suite must be of the same class. */
static void check_order(tally_t *t, json_object *p, const char *name, int first, int best, bool mixed, size_t n)
{
    if (t->order_problem[0] || n < 2 || !mixed)
        return;
    rf_tri_t server_order = rf_tri(p, "server_order");
    if (server_order == RF_YES && first > best)
        snprintf(t->order_problem, sizeof t->order_problem, "%s: the server prefers %s over stronger suites",
                 name, jr_or_q(jr_str(jr_idx(jr_at(p, "suites"), 0), "name")));
    else if (server_order == RF_NO)
        snprintf(t->order_problem, sizeof t->order_problem,
                 "%s: the client's order decides, and suites of different strength are accepted", name);
    else if (server_order == RF_UNKNOWN)
        rf_unknown(&t->u, "%s: whether the server or the client picks among suites of different strength is undetermined",
                   name);
}

static void tally_protocol(tally_t *t, json_object *p, char *ev, size_t evlen)
{
    const char *name = jr_or_q(jr_str(p, "name"));
    json_object *suites = jr_at(p, "suites");
    size_t n = jr_len(suites);
    int best = 4, first = n ? class_rank(jr_str(jr_idx(suites, 0), "class")) : -1;
    bool mixed = false;
    check_complete(p, name, &t->u);
    if (!suites || !json_object_is_type(suites, json_type_array))
        rf_unknown(&t->u, "%s: the accepted suites are not recorded", name);
    else if (n == 0)
        rf_unknown(&t->u, "%s accepted but no suite was found", name);
    for (size_t j = 0; j < n; j++) {
        json_object *s = jr_idx(suites, j);
        int rank = class_rank(jr_str(s, "class"));
        t->total++;
        if (rank < 0) {
            rf_unknown(&t->u, "%s %s has no known class", name, jr_or_q(jr_str(s, "name")));
            continue;
        }
        mixed |= best < 4 && rank != best;
        best = rank < best ? rank : best;
        if (rank > t->worst_ok)
            note_bad(t, ev, evlen, name, s);
        rf_tri_t fs = rf_tri(s, "forward_secrecy");
        t->with_fs += fs == RF_YES;
        t->fs_unknown += fs == RF_UNKNOWN;
        t->no_fs += t->need_fs && fs == RF_NO;
        if (t->need_fs && fs == RF_UNKNOWN)
            rf_unknown(&t->u, "forward secrecy of %s %s unknown", name, jr_or_q(jr_str(s, "name")));
    }
    if (first >= 0)
        check_order(t, p, name, first, best, mixed, n);
}

static verdict_t judge_suites(const rule_ctx_t *c, int worst_ok, bool need_fs, char *ev, size_t evlen)
{
    json_object *ciphers = jr_at(c->facts, "ciphers");
    if (!ciphers) {
        rf_probe(c, "ciphers", ev, evlen);   /* says why: not selected or did not run */
        return VERDICT_ERROR;
    }
    tally_t t = { .worst_ok = worst_ok, .need_fs = need_fs };
    const char *status = jr_str(ciphers, "status");
    if (!status || strcmp(status, "ok") != 0)   /* what was found before it failed still counts */
        rf_unknown(&t.u, "ciphers probe failed: %s", jr_or_q(jr_str(ciphers, "error")));
    check_versions_covered(c, ciphers, &t.u);
    json_object *list = jr_at(ciphers, "protocols");
    for (size_t i = 0; i < jr_len(list); i++)
        tally_protocol(&t, jr_idx(list, i), ev, evlen);
    if (t.bad || t.no_fs || t.order_problem[0]) {
        if (t.bad > t.listed)
            rf_ev(ev, evlen, " and %zu more", t.bad - t.listed);
        else if (!t.bad && t.no_fs)
            rf_ev(ev, evlen, "%zu suite(s) without forward secrecy (required at level 3)", t.no_fs);
        else if (!t.bad)
            rf_ev(ev, evlen, "%s", t.order_problem);
        if (t.u.count)
            rf_ev(ev, evlen, " (enumeration incomplete: %s)", t.u.text);
        return VERDICT_FAIL;
    }
    if (t.u.count || t.total == 0) {
        rf_ev(ev, evlen, "%s", t.u.count ? t.u.text : "no cipher suite found");
        return VERDICT_ERROR;
    }
    rf_ev(ev, evlen, "%zu suites accepted, all %s; forward secrecy: ", t.total,
          worst_ok == 0 ? "recommended" : "recommended or acceptable");
    if (t.fs_unknown)
        rf_ev(ev, evlen, "unknown for %zu", t.fs_unknown);
    else
        rf_ev(ev, evlen, "%s", t.with_fs == t.total ? "all" : t.with_fs ? "some" : "none");
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
