/* A letter grade (A+ ... F, or T / M as SSL Labs uses them) from an endpoint's facts, with the
 * reasons that capped it. Rules in the spirit of the SSL Labs SSL Server Rating Guide,
 * documented in man/tlsprobe.1. Pure. */
#ifndef TLSPROBE_GRADE_H
#define TLSPROBE_GRADE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/* { "grade": "A", "grade_if_trusted": "A", "score": 92, "caps": ["TLS 1.1 accepted: capped at
 *   B", ...], "components": { "protocol": n, "key_exchange": n, "cipher": n }, "reason": null },
 * or, when the facts cannot support a grade (grade_inputs_known), { "grade": null,
 * "grade_if_trusted": null, "score": null, "caps": [], "components": null, "reason": "..." }.
 * Never NULL (but for want of memory). */
json_object *grade_endpoint(json_object *facts);

/* { "grade": null, ..., "reason": reason }: no grade, and why. */
json_object *grade_none(const char *reason);

/* Whether a leaf of this key kind ("rsa", "ecdsa") is known, present or absent, although the
 * certificate probe's offer for that kind got no answer (certificates_unanswered). */
bool grade_leaf_kind_known(json_object *facts, const char *kind);

/* Whether the facts decide every input of the grade (every version decided, every accepted
 * version's suites complete, a checked certificate, the groups of each key exchange accepted);
 * else false with the reasons, "; "-separated, in why. */
bool grade_inputs_known(json_object *facts, char *why, size_t whylen);

#endif
