/* The rules behind each requirement, and the small helpers they share for reading facts. */
#ifndef TLSPROBE_RULES_H
#define TLSPROBE_RULES_H

#include <stdbool.h>

#include "json_read.h"
#include "scoring.h"

/* ---- reading facts (NULL / false when absent or of another type) */
bool rf_bool(json_object *o, const char *key, bool *value);   /* false when absent or null */
bool rf_true(json_object *o, const char *key);
/* A boolean fact as three states: absent, null or of another type is unknown, never false. */
typedef enum { RF_UNKNOWN = -1, RF_NO = 0, RF_YES = 1 } rf_tri_t;
rf_tri_t rf_tri(json_object *o, const char *key);
/* Reasons a rule could not decide, gathered while it reads its facts. A rule that also finds
 * positive evidence of a failure still FAILs; otherwise any reason makes it ERROR (or MANUAL). */
typedef struct rf_unknown {
    char text[400];
    int count;
} rf_unknown_t;
void rf_unknown(rf_unknown_t *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* How a rule ends once its failures and unknowns are gathered: FAIL when failed (the unknowns
 * named after "also <word>:"), ERROR with the unknowns when there are some, else PASS (the rule
 * goes on to say why it passes). */
verdict_t rf_settle(bool failed, const rf_unknown_t *u, const char *word, char *ev, size_t evlen);
/* Appends to a bounded evidence line. */
void rf_ev(char *ev, size_t evlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The probe's facts when it ran and recorded "status": "ok"; else NULL with evidence written. */
json_object *rf_probe(const rule_ctx_t *c, const char *probe, char *ev, size_t evlen);
bool rf_internal(const rule_ctx_t *c);

/* ---- protocol versions and suites */
verdict_t rule_versions(const rule_ctx_t *c, char *ev, size_t evlen);
verdict_t rule_suites_recommended(const rule_ctx_t *c, char *ev, size_t evlen);   /* 12.1.2 */
verdict_t rule_suites_strong(const rule_ctx_t *c, char *ev, size_t evlen);        /* 9.1.2 */

/* ---- certificates and revocation */
verdict_t rule_public_trust(const rule_ctx_t *c, char *ev, size_t evlen);          /* 12.2.2 */
verdict_t rule_internal_trust(const rule_ctx_t *c, char *ev, size_t evlen);        /* 12.3.4 */
verdict_t rule_trusted_any(const rule_ctx_t *c, char *ev, size_t evlen);           /* 9.2.1 */
verdict_t rule_server_authenticated(const rule_ctx_t *c, char *ev, size_t evlen);  /* 9.2.3 */
verdict_t rule_revocation(const rule_ctx_t *c, char *ev, size_t evlen);            /* 12.1.4, 9.2.4 */

/* ---- cleartext fallback, mutual TLS, ECH, what a probe cannot see */
verdict_t rule_http_external(const rule_ctx_t *c, char *ev, size_t evlen);         /* 12.2.1 */
verdict_t rule_http_internal(const rule_ctx_t *c, char *ev, size_t evlen);         /* 12.3.3 */
verdict_t rule_no_cleartext(const rule_ctx_t *c, char *ev, size_t evlen);          /* 12.3.1, 9.2.2, 9.1.1 */
verdict_t rule_mtls_validated(const rule_ctx_t *c, char *ev, size_t evlen);        /* 12.1.3 */
verdict_t rule_mutual_internal(const rule_ctx_t *c, char *ev, size_t evlen);       /* 12.3.5 */
verdict_t rule_ech(const rule_ctx_t *c, char *ev, size_t evlen);                   /* 12.1.5 */
verdict_t rule_manual_clients(const rule_ctx_t *c, char *ev, size_t evlen);        /* 12.3.2 */
verdict_t rule_manual_logging(const rule_ctx_t *c, char *ev, size_t evlen);        /* 9.2.5 */

#endif
