/* Mozilla Server Side TLS profiles (modern, intermediate, old) compiled in from
 * data/mozilla, and every deviation of an endpoint from one of them. Pure. */
#ifndef TLSPROBE_PROFILE_H
#define TLSPROBE_PROFILE_H

#include <stdbool.h>

#include <json-c/json.h>

/* Whether NAME is a known profile ("modern", "intermediate", "old"). */
bool profile_known(const char *name);
/* { "name", "guidelines_version", "compliant": bool, "deviations": [ { "check", "expected",
 *   "found" } ... ] } for the facts against profile NAME. */
json_object *profile_check(json_object *facts, const char *name);

#endif
