/* A letter grade (A+ ... F, or T / M as SSL Labs uses them) from an endpoint's facts, with the
 * reasons that capped it. Rules in the spirit of the SSL Labs SSL Server Rating Guide,
 * documented in man/tlsprobe.1. Pure. */
#ifndef TLSPROBE_GRADE_H
#define TLSPROBE_GRADE_H

#include <json-c/json.h>

/* { "grade": "A", "score": 92, "caps": ["TLS 1.1 accepted: capped at B", ...],
 *   "components": { "protocol": n, "key_exchange": n, "cipher": n } }, or NULL when the
 * facts cannot support a grade (no versions or ciphers facts). */
json_object *grade_endpoint(json_object *facts);

#endif
