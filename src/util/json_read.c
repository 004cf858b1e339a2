/* Null-safe readers of json-c trees. */
#include "json_read.h"

#include <stdio.h>
#include <string.h>

json_object *jr_at(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

bool jr_has(json_object *o, const char *key)
{
    return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, NULL);
}

bool jr_is(json_object *o, const char *key, json_type t)
{
    json_object *v = jr_at(o, key);
    return v && json_object_is_type(v, t);
}

const char *jr_str(json_object *o, const char *key)
{
    json_object *v = jr_at(o, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

const char *jr_str_idx(json_object *arr, size_t i)
{
    json_object *v = jr_idx(arr, i);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

bool jr_status_ok(json_object *probe)
{
    return jr_eq(jr_str(probe, "status"), "ok");
}

size_t jr_len(json_object *arr)
{
    return arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

json_object *jr_idx(json_object *arr, size_t i)
{
    return i < jr_len(arr) ? json_object_array_get_idx(arr, i) : NULL;
}

json_object *jr_named(json_object *o, const char *list_key, const char *name)
{
    json_object *list = jr_at(o, list_key);
    for (size_t i = 0; i < jr_len(list); i++)
        if (jr_eq(jr_str(jr_idx(list, i), "name"), name))
            return jr_idx(list, i);
    return NULL;
}

bool jr_bool_is(json_object *o, const char *key, bool want)
{
    json_object *v = jr_at(o, key);
    return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v) == want;
}

bool jr_eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

const char *jr_or_q(const char *s)
{
    return s ? s : "?";
}

const char *const jr_protocols[JR_NPROTOCOLS] = { "SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3" };

void jr_vlist_add(char *buf, size_t cap, int *count, const char *fmt, va_list ap)
{
    size_t used = strlen(buf);
    if ((*count)++ && used + 3 < cap) {
        memcpy(buf + used, "; ", 3);
        used += 2;
    }
    if (used + 1 < cap)
        vsnprintf(buf + used, cap - used, fmt, ap);
}

