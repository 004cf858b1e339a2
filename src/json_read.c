/* Null-safe readers of json-c trees. */
#include "json_read.h"

json_object *jr_at(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

const char *jr_str(json_object *o, const char *key)
{
    json_object *v = jr_at(o, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}
