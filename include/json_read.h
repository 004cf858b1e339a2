/* Reading report and facts trees: NULL when a member is absent or of another type, so callers
 * never dereference what a probe did not record. */
#ifndef TLSPROBE_JSON_READ_H
#define TLSPROBE_JSON_READ_H

#include <json-c/json.h>

/* Member key of object o, or NULL (o may be NULL or not an object). */
json_object *jr_at(json_object *o, const char *key);
/* Member key when it is a string, or NULL. */
const char *jr_str(json_object *o, const char *key);

#endif
