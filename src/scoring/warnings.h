/* Warnings: findings about an endpoint that fail no requirement (src/scoring/warnings.c). */
#ifndef TLSPROBE_WARNINGS_H
#define TLSPROBE_WARNINGS_H

#include <stdbool.h>
#include <json-c/json.h>

/* The endpoint's warnings, from its facts (new array, empty when none): one
 * { "id": "certificate-expiry", "text", "evidence": { "sha256", "key_type", "not_after",
 * "days_to_expiry", "expiry_warn_days" }, "fails" } per served leaf with 0 <= days to expiry
 * < expiry_warn_days. fails: --fail-on warn counts them (the endpoint's result is FAIL). */
json_object *warnings_collect(json_object *facts, int expiry_warn_days, bool fails);

#endif
