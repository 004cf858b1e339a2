/* Reading report and facts trees: NULL when a member is absent or of another type, so callers
 * never dereference what a probe did not record. */
#ifndef TLSPROBE_JSON_READ_H
#define TLSPROBE_JSON_READ_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/* Member key of object o, or NULL (o may be NULL or not an object). */
json_object *jr_at(json_object *o, const char *key);
/* Whether o is an object with member key, even a null one. */
bool jr_has(json_object *o, const char *key);
/* Whether member key is there with type t (json_type_boolean: a boolean fact that is known). */
bool jr_is(json_object *o, const char *key, json_type t);
/* Member key when it is a string, or NULL. */
const char *jr_str(json_object *o, const char *key);
/* Element i of arr when it is a string, or NULL. */
const char *jr_str_idx(json_object *arr, size_t i);
/* Whether a probe's facts say "status": "ok" (NULL facts: no). */
bool jr_status_ok(json_object *probe);
/* Elements of arr, 0 when it is not an array. */
size_t jr_len(json_object *arr);
/* Element i, or NULL when arr is not an array that long (facts may come from a file). */
json_object *jr_idx(json_object *arr, size_t i);
/* The element of o's array list_key whose "name" member is name, or NULL. */
json_object *jr_named(json_object *o, const char *list_key, const char *name);
/* A boolean member equal to want; absent, null or another type is neither true nor false. */
bool jr_bool_is(json_object *o, const char *key, bool want);
/* Both strings present and equal. */
bool jr_eq(const char *a, const char *b);
/* s, or "?" for a fact that is absent. */
const char *jr_or_q(const char *s);

/* The protocol names the versions and ciphers facts use, oldest first. */
extern const char *const jr_protocols[];
#define JR_NPROTOCOLS 6

/* Appends one reason to buf, a "; "-separated list of *count reasons, bounded by cap. */
void jr_vlist_add(char *buf, size_t cap, int *count, const char *fmt, va_list ap);

#endif
