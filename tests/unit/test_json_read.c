/* The null-safe readers of facts trees (json_read.h): each answers NULL / false for what is
 * absent, null or of another type, and never dereferences a missing parent. */
#include <stdio.h>
#include <string.h>

#include "json_read.h"

static int failures;

static void check(int cond, const char *name)
{
    printf("%s - %s\n", cond ? "ok" : "not ok", name);
    failures += !cond;
}

int main(void)
{
    json_object *o = json_tokener_parse("{\"status\":\"ok\",\"n\":null,\"b\":false,\"i\":3,\"s\":\"x\","
                                        "\"list\":[\"a\",1,null,\"b\"]}");
    json_object *bad = json_tokener_parse("{\"status\":\"error\"}"), *arr = jr_at(o, "list");

    check(jr_has(o, "n") && jr_has(o, "b") && !jr_has(o, "missing"), "jr_has: a null member is there, an absent one not");
    check(!jr_has(NULL, "n") && !jr_has(arr, "n"), "jr_has: no parent, or not an object: no");

    check(jr_is(o, "b", json_type_boolean) && jr_is(o, "i", json_type_int) && jr_is(o, "s", json_type_string),
          "jr_is: each member with its type");
    check(!jr_is(o, "n", json_type_boolean) && !jr_is(o, "i", json_type_boolean) && !jr_is(o, "missing", json_type_int) &&
              !jr_is(NULL, "b", json_type_boolean),
          "jr_is: null, another type, absent, no parent: no");

    check(strcmp(jr_str_idx(arr, 0), "a") == 0 && strcmp(jr_str_idx(arr, 3), "b") == 0, "jr_str_idx: string elements");
    check(!jr_str_idx(arr, 1) && !jr_str_idx(arr, 2) && !jr_str_idx(arr, 4) && !jr_str_idx(o, 0) && !jr_str_idx(NULL, 0),
          "jr_str_idx: a number, null, past the end, not an array, no array: NULL");

    check(jr_status_ok(o) && !jr_status_ok(bad) && !jr_status_ok(NULL) && !jr_status_ok(arr),
          "jr_status_ok: only \"status\": \"ok\"");

    json_object_put(o);
    json_object_put(bad);
    return failures ? 1 : 0;
}
