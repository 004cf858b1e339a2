/* A letter grade from an endpoint's facts, after the SSL Labs SSL Server Rating Guide (2009
 * method: 30 % protocol, 30 % key exchange, 40 % cipher) with the caps SSL Labs added since and
 * testssl.sh's executable rendering of them. Every rule is in man/tlsprobe.1, GRADING; each cap
 * that applies is listed with its reason. */
#include "grade.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "iana.h"
#include "json_read.h"

/* SSL Labs' A+ asks for long-lived HSTS; testssl.sh uses 180 days. */
#define HSTS_A_PLUS_MIN_AGE 15552000LL

/* Ordered: a cap is a ceiling, the lower letter wins. */
typedef enum { L_F, L_E, L_D, L_C, L_B, L_A_MINUS, L_A, L_A_PLUS } letter_t;
static const char *const letter_names[] = { "F", "E", "D", "C", "B", "A-", "A", "A+" };

typedef struct grader {
    json_object *facts;
    json_object *caps;
    letter_t ceiling;
    bool untrusted;       /* T */
    bool mismatch;        /* M */
} grader_t;

/* Adds one line to the caps: the reason, then what it does to the grade. */
static void add_reason(grader_t *g, const char *outcome, const char *fmt, va_list ap)
{
    char line[768];
    int n = vsnprintf(line, sizeof line, fmt, ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, ": %s", outcome);
    json_object_array_add(g->caps, json_object_new_string(line));
}

static void cap(grader_t *g, letter_t l, const char *fmt, ...)
{
    char outcome[32];
    snprintf(outcome, sizeof outcome, "capped at %s", letter_names[l]);
    va_list ap;
    va_start(ap, fmt);
    add_reason(g, outcome, fmt, ap);
    va_end(ap);
    if (l < g->ceiling)
        g->ceiling = l;
}

/* Trust problems do not lower the letter: they replace it (T, or M for the name alone). */
static void trust_issue(grader_t *g, bool name_only, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_reason(g, name_only ? "M" : "T", fmt, ap);
    va_end(ap);
    if (name_only)
        g->mismatch = true;
    else
        g->untrusted = true;
}

/* ---- protocol */

static int protocol_score(const char *name)
{
    static const struct { const char *name; int score; } table[] = {
        { "SSLv2", 0 }, { "SSLv3", 80 }, { "TLSv1.0", 90 }, { "TLSv1.1", 95 }, { "TLSv1.2", 100 }, { "TLSv1.3", 100 },
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (jr_eq(name, table[i].name))
            return table[i].score;
    return -1;
}

/* ---- key exchange strength */

static int kx_score_rsa(int bits)   /* RSA, DSA and DH moduli */
{
    return bits < 512 ? 20 : bits < 1024 ? 40 : bits < 2048 ? 80 : bits < 4096 ? 90 : 100;
}

static int kx_score_ec(int bits)    /* EC keys and groups, mapped as testssl.sh maps them */
{
    return bits < 110 ? 20 : bits < 123 ? 40 : bits < 163 ? 80 : bits < 225 ? 90 : 100;
}

typedef struct kx {
    int score;           /* weakest so far; 101: nothing seen */
    char weakest[160];
} kx_t;

/* Notes one key exchange element, and caps a weak one: score <= 40 is F, <= 80 is B. */
static void kx_element(grader_t *g, kx_t *k, int score, const char *what)
{
    if (score < k->score) {
        k->score = score;
        snprintf(k->weakest, sizeof k->weakest, "%s", what);
    }
    if (score > 0 && score <= 40)
        cap(g, L_F, "%s", what);
    else if (score > 40 && score <= 80)
        cap(g, L_B, "%s", what);
}

static void kx_certificate(grader_t *g, kx_t *k)
{
    json_object *cert = jr_at(g->facts, "certificate");
    json_object *leaves = jr_at(cert, "certificates");
    if (!jr_len(leaves))
        leaves = jr_at(cert, "chain") ? jr_idx(jr_at(cert, "chain"), 0) : NULL;
    bool one = leaves && json_object_is_type(leaves, json_type_object);
    size_t n = one ? 1 : jr_len(leaves);
    for (size_t i = 0; i < n; i++) {
        json_object *l = one ? leaves : jr_idx(leaves, i);
        const char *type = jr_str(l, "key_type");
        int bits = json_object_get_int(jr_at(l, "key_bits"));
        char what[160];
        if (!type || bits <= 0)
            continue;
        snprintf(what, sizeof what, "certificate key %s %d bits", type, bits);
        if (jr_eq(type, "RSA") || jr_eq(type, "RSA-PSS") || jr_eq(type, "DSA"))
            kx_element(g, k, kx_score_rsa(bits), what);
        else if (jr_eq(type, "EC") || jr_eq(type, "Ed25519") || jr_eq(type, "Ed448") || jr_eq(type, "SM2"))
            kx_element(g, k, kx_score_ec(bits), what);
    }
}

static void kx_groups(grader_t *g, kx_t *k)
{
    json_object *gr = jr_at(g->facts, "groups");
    json_object *lists[2] = { jr_at(jr_at(gr, "tls13"), "accepted"), jr_at(gr, "tls12_curves") };
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < jr_len(lists[l]); i++) {
            const char *name = json_object_get_string(jr_idx(lists[l], i));
            const iana_group_t *rg = name ? iana_group_by_name(name) : NULL;
            char what[160];
            if (!rg || !rg->bits)
                continue;
            snprintf(what, sizeof what, "key exchange group %s (%u bits)", rg->name, (unsigned)rg->bits);
            if (jr_eq(rg->kind, "ffdhe"))
                kx_element(g, k, kx_score_rsa(rg->bits), what);
            else if (jr_eq(rg->kind, "ecdhe") || jr_eq(rg->kind, "hybrid-pq"))
                kx_element(g, k, kx_score_ec(rg->bits), what);
            else
                kx_element(g, k, 100, what);   /* ML-KEM alone */
        }
    json_object *dh = jr_at(gr, "dh");
    int bits = dh ? json_object_get_int(jr_at(dh, "bits")) : 0;
    if (bits > 0) {
        char what[160];
        snprintf(what, sizeof what, "DH parameters %d bits", bits);
        kx_element(g, k, kx_score_rsa(bits), what);
    }
}

/* ---- suites */

/* Suites that match one rule, named in that rule's cap line. */
#define HITS_MAX 512

typedef struct hits {
    const char *seen[HITS_MAX];  /* names from the facts, which outlive the grading */
    char names[400];
    size_t count, shown;
} hits_t;

/* Whether name is new to seen[] (and adds it): a suite counts once, even when several
 * versions accept it. */
static bool first_time(const char **seen, size_t *count, size_t max, const char *name)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp(seen[i], name) == 0)
            return false;
    if (*count < max)
        seen[(*count)++] = name;
    return true;
}

static void hit(hits_t *h, const char *name)
{
    size_t before = h->count;
    if (!first_time(h->seen, &h->count, HITS_MAX, name) || h->count == before)
        return;
    size_t used = strlen(h->names);
    if (used + strlen(name) + 3 < sizeof h->names) {
        snprintf(h->names + used, sizeof h->names - used, "%s%s", used ? ", " : "", name);
        h->shown++;
    }
}

static void cap_hits(grader_t *g, const hits_t *h, letter_t l, const char *what)
{
    if (!h->count)
        return;
    if (h->count > h->shown)
        cap(g, l, "%s: %s (+%zu more)", what, h->names, h->count - h->shown);
    else
        cap(g, l, "%s: %s", what, h->names);
}

static int cipher_score(int bits)
{
    return bits <= 0 ? 0 : bits < 128 ? 20 : bits < 256 ? 80 : 100;
}

static bool block_64bit(const char *enc)
{
    static const char *const families[] = { "3DES", "DES", "IDEA", "RC2", "GOST28147", "MAGMA" };
    for (size_t i = 0; i < sizeof families / sizeof *families; i++)
        if (jr_eq(enc, families[i]))
            return true;
    return false;
}

typedef struct suites {
    int strongest, weakest;          /* cipher scores; -1: none */
    const char *seen[HITS_MAX];
    size_t total, with_fs, with_aead;
    hits_t export_, null_, anon, short_key, rc4_new, rc4, sweet32, poodle;
} suites_t;

static void suite_facts(suites_t *s, kx_t *k, const char *version, json_object *su)
{
    const char *name = jr_str(su, "name");
    if (!name)
        return;
    bool tls11_up = jr_eq(version, "TLSv1.1") || jr_eq(version, "TLSv1.2") || jr_eq(version, "TLSv1.3");
    int bits = json_object_get_int(jr_at(su, "bits"));
    const iana_suite_t *rs = iana_suite_by_name(name);
    const iana_sslv2_kind_t *k2 = rs ? NULL : iana_sslv2_kind_by_name(name);
    const char *enc = rs ? rs->enc : NULL;
    bool is_export = rs ? rs->export_grade : k2 ? k2->export_grade : false;
    bool rc4 = enc ? jr_eq(enc, "RC4") : strstr(name, "RC4") != NULL;

    int cs = cipher_score(bits);
    if (s->strongest < 0 || cs > s->strongest)
        s->strongest = cs;
    if (s->weakest < 0 || cs < s->weakest)
        s->weakest = cs;
    size_t before = s->total;
    if (first_time(s->seen, &s->total, HITS_MAX, name) && s->total > before) {
        s->with_fs += json_object_get_boolean(jr_at(su, "forward_secrecy"));
        s->with_aead += json_object_get_boolean(jr_at(su, "aead"));
    }

    if (is_export) {
        hit(&s->export_, name);
        if (k->score > 40) {
            k->score = 40;
            snprintf(k->weakest, sizeof k->weakest, "export key exchange (%s)", name);
        }
    }
    if (bits <= 0)
        hit(&s->null_, name);
    else if (bits < 112 && !is_export)
        hit(&s->short_key, name);
    if (jr_eq(jr_str(su, "au"), "ANON")) {
        hit(&s->anon, name);
        k->score = 0;
        snprintf(k->weakest, sizeof k->weakest, "anonymous key exchange (%s)", name);
    }
    if (rc4)
        hit(tls11_up ? &s->rc4_new : &s->rc4, name);
    if (block_64bit(enc) && tls11_up)
        hit(&s->sweet32, name);
    if (jr_eq(version, "SSLv3") && rs && rs->cbc)
        hit(&s->poodle, name);
}

static void grade_suites(grader_t *g, suites_t *s)
{
    cap_hits(g, &s->export_, L_F, "export suites accepted");
    cap_hits(g, &s->null_, L_F, "NULL encryption accepted");
    cap_hits(g, &s->anon, L_F, "anonymous suites accepted");
    cap_hits(g, &s->short_key, L_F, "suites under 112 bits accepted");
    cap_hits(g, &s->rc4_new, L_C, "RC4 with TLS 1.1 or later");
    cap_hits(g, &s->rc4, L_B, "RC4 accepted");
    cap_hits(g, &s->sweet32, L_C, "64-bit block cipher with TLS 1.1 or later (SWEET32)");
    cap_hits(g, &s->poodle, L_C, "CBC suites with SSLv3 (POODLE)");
    if (s->total && !s->with_fs)
        cap(g, L_B, "no forward secrecy");
    else if (s->with_fs < s->total)
        cap(g, L_A_MINUS, "forward secrecy on %zu of %zu suites", s->with_fs, s->total);
    if (s->total && !s->with_aead)
        cap(g, L_B, "no AEAD suite");
    else if (s->with_aead < s->total)
        cap(g, L_A_MINUS, "AEAD on %zu of %zu suites", s->with_aead, s->total);
}

/* ---- certificate */

static bool sig_has(const char *sig, const char *what)
{
    if (!sig)
        return false;
    for (const char *p = sig; *p; p++)
        if (strncasecmp(p, what, strlen(what)) == 0)
            return true;
    return false;
}

static void grade_certificate(grader_t *g)
{
    json_object *cert = jr_at(g->facts, "certificate");
    json_object *chain = jr_at(cert, "chain");
    if (!jr_status_ok(cert) || !jr_len(chain))
        return;
    json_object *trust = jr_at(cert, "trust"), *name = jr_at(cert, "name");
    if (json_object_get_boolean(jr_at(cert, "expired")))
        trust_issue(g, false, "certificate expired %s", jr_or_q(jr_str(jr_idx(chain, 0), "not_after")));
    if (json_object_get_boolean(jr_at(cert, "not_yet_valid")))
        trust_issue(g, false, "certificate not yet valid");
    if (jr_bool_is(trust, "verified", false))
        trust_issue(g, false, "chain not trusted by %s: %s", jr_or_q(jr_str(trust, "store")), jr_or_q(jr_str(trust, "error")));
    if (jr_eq(jr_str(jr_at(cert, "revocation"), "result"), "revoked") || jr_eq(jr_str(jr_at(cert, "ocsp_staple"), "verdict"), "revoked"))
        trust_issue(g, false, "certificate revoked");
    if (jr_str(name, "checked") && jr_bool_is(name, "matched", false))
        trust_issue(g, true, "certificate does not cover %s", jr_str(name, "checked"));

    /* Signatures of the leaf and intermediates (a root's own signature is never checked). */
    for (size_t i = 0; i < jr_len(chain); i++) {
        json_object *c = jr_idx(chain, i);
        const char *sig = jr_str(c, "signature_algorithm");
        if (i > 0 && json_object_get_boolean(jr_at(c, "self_signed")))
            continue;
        if (sig_has(sig, "md5") || sig_has(sig, "md2"))
            cap(g, L_F, "%s signature on %s", sig, jr_or_q(jr_str(c, "subject")));
        else if (sig_has(sig, "sha1"))
            trust_issue(g, false, "%s signature on %s", sig, jr_or_q(jr_str(c, "subject")));
    }
    json_object *ca = jr_at(cert, "chain_analysis"), *complete = jr_at(ca, "complete");
    if (json_object_get_boolean(jr_at(ca, "completed_via_aia")) || (complete && !json_object_get_boolean(complete)))
        cap(g, L_B, "incomplete chain");
}

/* A+ needs long-lived HSTS where the endpoint is a web server (the http probe says so). Only
 * a web server proven not to be one (applicable: false) goes without; HSTS that was not
 * examined is no HSTS for A+. */
static void grade_hsts(grader_t *g)
{
    json_object *http = jr_at(g->facts, "http");
    json_object *hsts = jr_at(jr_at(http, "https"), "hsts"), *max_age = jr_at(hsts, "max_age");
    if (jr_status_ok(http) && jr_bool_is(http, "applicable", false))
        return;
    if (!http)
        cap(g, L_A, "HSTS not examined (http probe did not run)");
    else if (!jr_status_ok(http))
        cap(g, L_A, "HSTS not examined (http probe failed: %s)", jr_or_q(jr_str(http, "error")));
    else if (!jr_bool_is(http, "applicable", true))
        cap(g, L_A, "HSTS not examined (whether this is a web server is unknown)");
    else if (!hsts)
        cap(g, L_A, "HSTS not observed (no HTTPS response)");
    else if (!jr_bool_is(hsts, "present", true))
        cap(g, L_A, "%s (A+ needs max-age >= %lld)", jr_bool_is(hsts, "present", false) ? "no HSTS" : "HSTS unknown",
            HSTS_A_PLUS_MIN_AGE);
    else if (!jr_bool_is(hsts, "valid", true) || !jr_is(hsts, "max_age", json_type_int))
        cap(g, L_A, "invalid HSTS header");
    else if (json_object_get_int64(max_age) < HSTS_A_PLUS_MIN_AGE)
        cap(g, L_A, "HSTS max-age=%lld < %lld", (long long)json_object_get_int64(max_age), HSTS_A_PLUS_MIN_AGE);
}

static letter_t score_letter(int score)
{
    return score >= 80 ? L_A : score >= 65 ? L_B : score >= 50 ? L_C : score >= 35 ? L_D : score >= 20 ? L_E : L_F;
}

/* The versions accepted, from the per-version facts (grade_inputs_known: all decided). */
typedef struct protocols {
    int best, worst;
    bool ssl2, ssl3, tls10_11, modern, tls13;
} protocols_t;

static void protocol_facts(json_object *versions, protocols_t *p)
{
    json_object *list = jr_at(versions, "protocols");
    *p = (protocols_t){ .best = -1, .worst = 101 };
    for (size_t i = 0; i < jr_len(list); i++) {
        const char *v = jr_str(jr_idx(list, i), "name");
        int s = protocol_score(v);
        if (s < 0 || !jr_bool_is(jr_idx(list, i), "accepted", true))
            continue;
        p->best = s > p->best ? s : p->best;
        p->worst = s < p->worst ? s : p->worst;
        p->ssl2 |= jr_eq(v, "SSLv2");
        p->ssl3 |= jr_eq(v, "SSLv3");
        p->tls10_11 |= jr_eq(v, "TLSv1.0") || jr_eq(v, "TLSv1.1");
        p->modern |= jr_eq(v, "TLSv1.2") || jr_eq(v, "TLSv1.3");
        p->tls13 |= jr_eq(v, "TLSv1.3");
    }
}

static void protocol_caps(grader_t *g, const protocols_t *p)
{
    if (p->ssl2)
        cap(g, L_F, "SSLv2 accepted");
    if (p->ssl3 && p->best == 80)
        cap(g, L_F, "SSLv3 is the best protocol");
    else if (p->ssl3)
        cap(g, L_B, "SSLv3 accepted");
    if (p->tls10_11)
        cap(g, L_B, "TLS 1.0 or 1.1 accepted");
    if (!p->modern)
        cap(g, L_C, "no TLS 1.2 or 1.3");
    else if (!p->tls13)
        cap(g, L_A_MINUS, "TLS 1.3 not accepted");
}

json_object *grade_none(const char *reason)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "grade", NULL);
    json_object_object_add(o, "grade_if_trusted", NULL);
    json_object_object_add(o, "score", NULL);
    json_object_object_add(o, "caps", json_object_new_array());
    json_object_object_add(o, "components", NULL);
    json_object_object_add(o, "reason", json_object_new_string(reason));
    return o;
}

static json_object *grade_json(const char *grade, const char *if_trusted, int score, json_object *caps, int protocol,
                               int key_exchange, int cipher)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "grade", json_object_new_string(grade));
    json_object_object_add(o, "grade_if_trusted", json_object_new_string(if_trusted));
    json_object_object_add(o, "score", json_object_new_int(score));
    json_object_object_add(o, "caps", caps);
    json_object *comp = json_object_new_object();
    json_object_object_add(comp, "protocol", json_object_new_int(protocol));
    json_object_object_add(comp, "key_exchange", json_object_new_int(key_exchange));
    json_object_object_add(comp, "cipher", json_object_new_int(cipher));
    json_object_object_add(o, "components", comp);
    json_object_object_add(o, "reason", NULL);
    return o;
}

json_object *grade_endpoint(json_object *facts)
{
    char why[512];
    if (!grade_inputs_known(facts, why, sizeof why))
        return grade_none(why);
    protocols_t p;
    protocol_facts(jr_at(facts, "versions"), &p);

    /* Cipher and key exchange, suite by suite. */
    suites_t s = { .strongest = -1, .weakest = -1 };
    kx_t k = { .score = 101 };
    json_object *protos = jr_at(jr_at(facts, "ciphers"), "protocols");
    for (size_t i = 0; i < jr_len(protos); i++) {
        json_object *pv = jr_idx(protos, i), *list = jr_at(pv, "suites");
        for (size_t j = 0; j < jr_len(list); j++)
            suite_facts(&s, &k, jr_str(pv, "name"), jr_idx(list, j));
    }
    if (p.best < 0)
        return grade_none("no protocol version accepted");
    if (s.total == 0)
        return grade_none("no cipher suite found");

    grader_t g = { .facts = facts, .caps = json_object_new_array(), .ceiling = L_A_PLUS };
    protocol_caps(&g, &p);
    grade_suites(&g, &s);
    kx_certificate(&g, &k);
    kx_groups(&g, &k);
    grade_certificate(&g);
    grade_hsts(&g);

    int protocol = (p.best + p.worst) / 2;
    int key_exchange = k.score > 100 ? 100 : k.score;   /* every element known (grade_inputs_known) */
    int cipher = (s.strongest + s.weakest) / 2;
    int score = protocol && key_exchange && cipher ? (30 * protocol + 30 * key_exchange + 40 * cipher) / 100 : 0;
    if (!protocol || !key_exchange || !cipher)
        cap(&g, L_F, "a category scores 0 (%s)", !protocol ? "protocol" : !key_exchange ? k.weakest : "cipher");

    letter_t l = score_letter(score);
    if (l == L_A)
        l = L_A_PLUS;      /* A+ when nothing caps it */
    if (g.ceiling < l)
        l = g.ceiling;
    const char *if_trusted = letter_names[l];
    return grade_json(g.untrusted ? "T" : g.mismatch ? "M" : if_trusted, if_trusted, score, g.caps, protocol,
                      key_exchange, cipher);
}
